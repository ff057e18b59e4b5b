#!/usr/bin/env python3
"""Makes hostile qcow2 images for the robustness tests by patching a valid one.
usage: patch_qcow2.py IMAGE ACTION"""
import struct
import sys


def hdr(f):
    f.seek(0)
    h = f.read(104)
    (magic, version, bfo, bfs, cbits, size, crypt, l1_size, l1_off, rt_off, rt_clusters,
     nb_snap, snap_off) = struct.unpack(">IIQIIQIIQQIIQ", h[:72])
    return dict(version=version, cbits=cbits, l1_size=l1_size, l1_off=l1_off, rt_off=rt_off,
                rt_clusters=rt_clusters, nb_snap=nb_snap)


def put(f, off, fmt, val):
    f.seek(off)
    f.write(struct.pack(fmt, val))


def get(f, off, fmt):
    f.seek(off)
    return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]


def first_data_cluster(f, h):
    l2 = get(f, h["l1_off"], ">Q") & 0x00fffffffffffe00
    e = get(f, l2, ">Q")
    return l2, e & 0x00fffffffffffe00


def main():
    path, action = sys.argv[1], sys.argv[2]
    with open(path, "r+b") as f:
        h = hdr(f)
        cs = 1 << h["cbits"]
        if action == "truncate-header":
            f.truncate(50)
        elif action == "truncate-tables":
            f.truncate(cs)
        elif action == "l1-overlaps-refcount":
            put(f, 40, ">Q", h["rt_off"])
        elif action == "l2-past-eof":
            put(f, h["l1_off"], ">Q", (1 << 62 >> 8) & 0x00fffffffffffe00 | (1 << 63))
        elif action == "l2-unaligned":
            put(f, h["l1_off"], ">Q", (get(f, h["l1_off"], ">Q") | 0x200))
        elif action == "refcount-table-past-eof":
            put(f, 48, ">Q", 1 << 40)
        elif action == "huge-l1":
            put(f, 36, ">I", 0x10000000)
        elif action == "huge-refcount-table":
            put(f, 56, ">I", 0x100000)
        elif action == "cluster-bits":
            put(f, 20, ">I", 30)
        elif action == "unknown-feature":
            put(f, 72, ">Q", 1 << 10)
        elif action == "too-many-snapshots":
            put(f, 60, ">I", 1000000)
            put(f, 64, ">Q", cs)
        elif action == "backing-name":
            put(f, 8, ">Q", cs - 4)
            put(f, 16, ">I", 200)
        elif action == "refblock-past-eof":
            put(f, h["rt_off"], ">Q", 1 << 40)
        elif action == "data-refcount-zero":
            _, data = first_data_cluster(f, h)
            rb = get(f, h["rt_off"], ">Q")
            put(f, rb + 2 * (data // cs), ">H", 0)
        elif action == "data-refcount-max":
            _, data = first_data_cluster(f, h)
            rb = get(f, h["rt_off"], ">Q")
            put(f, rb + 2 * (data // cs), ">H", 0xffff)
        elif action == "leak":
            f.seek(0, 2)
            end = f.tell()
            n = (end + cs - 1) // cs
            rb = get(f, h["rt_off"], ">Q")
            put(f, rb + 2 * (n + 3), ">H", 1)
        elif action == "refblock-on-data":
            # The refcount table points at a data cluster: refcounts are garbage.
            _, data = first_data_cluster(f, h)
            put(f, h["rt_off"], ">Q", data)
        elif action == "corrupt-bit":
            put(f, 72, ">Q", get(f, 72, ">Q") | 2)
        elif action == "data-past-eof":
            l2, _ = first_data_cluster(f, h)
            put(f, l2, ">Q", (1 << 63) | (1 << 40))
        elif action == "garbage-compressed":
            l2, _ = first_data_cluster(f, h)
            e = get(f, l2, ">Q")
            x = 62 - (h["cbits"] - 8)
            off = e & ((1 << x) - 1)
            f.seek(off)
            f.write(b"\xff" * 64)
        else:
            sys.exit("unknown action " + action)


main()
