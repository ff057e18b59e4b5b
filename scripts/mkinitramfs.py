#!/usr/bin/env python3
"""Builds the test guests' initramfs (a gzip'd newc cpio) from an extracted
Debian kernel package and busybox-static, without root: device nodes are
written straight into the archive."""
import argparse
import gzip
import io
import lzma
import os
import struct

# Drivers the tests and the interactive shell use; their dependencies are
# found from each module's .modinfo. Built-in ones are simply absent.
WANTED = ["virtio_mmio", "virtio_pci", "virtio_blk", "virtio_net", "virtio_rng",
          "virtio_console", "ext4", "crc32c_generic"]
# Included but not loaded at boot: the arm64 Cryptographic Extension
# drivers, which tests load with `insmod` from /etc/modules-crypto (in
# dependency order) to run the kernel's crypto self-tests on them (absent
# from other architectures' packages, so skipped there).
OPTIONAL = ["sha1_ce", "sha2_ce", "aes_ce_cipher", "aes_ce_blk", "ghash_ce", "crct10dif_ce"]

INIT = r"""#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /root /mnt
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
if [ -f /etc/modules-order ]; then
    while read -r m; do insmod "$m" 2>/dev/null; done < /etc/modules-order
fi
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
echo EMU-GUEST-READY
if [ $# -gt 0 ]; then
    "$@"
    st=$?
    echo "EMU-CMD-EXIT=$st"
    sync
    poweroff -f
fi
exec setsid cttyhack sh -l
"""


class Cpio:
    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in [
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0])
        self.ino += 1
        self.buf.write(hdr.encode())
        self.buf.write(name_b)
        self._pad()
        self.buf.write(data)
        self._pad()

    def _pad(self):
        while self.buf.tell() % 4:
            self.buf.write(b"\0")

    def dir(self, name):
        self._entry(name, 0o040755, nlink=2)

    def file(self, name, data, mode=0o644):
        self._entry(name, 0o100000 | mode, data)

    def symlink(self, name, target):
        self._entry(name, 0o120777, target.encode())

    def chardev(self, name, major, minor):
        self._entry(name, 0o020600, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return self.buf.getvalue()


def read_module(path):
    data = open(path, "rb").read()
    if path.endswith(".xz"):
        data = lzma.decompress(data)
    return data


def modinfo_depends(elf):
    """The depends= field of an ELF64 little-endian kernel module."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        return []
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    def sect(i):
        base = shoff + i * shentsize
        name, _typ, _flags, _addr, off, size = struct.unpack_from("<IIQQQQ", elf, base)
        return name, off, size
    _, stroff, _ = sect(shstrndx)
    for i in range(shnum):
        name, off, size = sect(i)
        end = elf.index(b"\0", stroff + name)
        if elf[stroff + name:end] == b".modinfo":
            for field in elf[off:off + size].split(b"\0"):
                if field.startswith(b"depends="):
                    deps = field[8:].decode()
                    return [d for d in deps.split(",") if d]
    return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--kver", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    moddir = os.path.join(args.root, "lib/modules", args.kver)
    index = {}
    for dirpath, _, files in os.walk(os.path.join(moddir, "kernel")):
        for f in files:
            if f.endswith(".ko") or f.endswith(".ko.xz"):
                base = f.split(".ko")[0].replace("-", "_")
                index[base] = os.path.join(dirpath, f)

    order, seen = [], set()
    def visit(name):
        name = name.replace("-", "_")
        if name in seen or name not in index:
            return
        seen.add(name)
        data = read_module(index[name])
        for d in modinfo_depends(data):
            visit(d)
        order.append((name, data))
    for w in WANTED:
        visit(w)
    n_boot = len(order)
    for w in OPTIONAL:
        visit(w)

    c = Cpio()
    for d in ["bin", "sbin", "dev", "proc", "sys", "tmp", "etc", "root", "mnt", "usr",
              "usr/bin", "usr/sbin", "lib", "lib/modules"]:
        c.dir(d)
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3)
    c.file("bin/busybox", open(os.path.join(args.root, "bin/busybox"), "rb").read(), 0o755)
    c.symlink("bin/sh", "busybox")
    c.file("init", INIT.encode(), 0o755)
    lines = []
    for name, data in order:
        path = "lib/modules/%s.ko" % name
        c.file(path, data)
        lines.append("/" + path)
    boot, extra = lines[:n_boot], lines[n_boot:]
    c.file("etc/modules-order", ("\n".join(boot) + "\n").encode() if boot else b"")
    c.file("etc/modules-crypto", ("\n".join(extra) + "\n").encode() if extra else b"")
    with open(args.out, "wb") as f:
        f.write(gzip.compress(c.finish(), 6))


main()
