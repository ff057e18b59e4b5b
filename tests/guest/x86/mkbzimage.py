#!/usr/bin/env python3
"""mkbzimage.py PM_BINARY OUT: a bzImage around a flat 64-bit kernel image
(boot protocol 2.15, setup_sects 1, XLF_KERNEL_64, loaded high)."""
import struct, sys

pm = open(sys.argv[1], "rb").read()
setup = bytearray(1024)
setup[0x1f1] = 1                                      # setup_sects
struct.pack_into("<I", setup, 0x1f4, (len(pm) + 15) // 16)  # syssize
struct.pack_into("<H", setup, 0x1fe, 0xaa55)
setup[0x200:0x202] = b"\xeb\x66"                      # jump over the header
setup[0x201] = 0x66
setup[0x202:0x206] = b"HdrS"
struct.pack_into("<H", setup, 0x206, 0x020f)
setup[0x211] = 0x01                                   # LOADED_HIGH
struct.pack_into("<I", setup, 0x214, 0x100000)        # code32_start
struct.pack_into("<I", setup, 0x22c, 0x7fffffff)      # initrd_addr_max
struct.pack_into("<I", setup, 0x230, 0x200000)        # kernel_alignment
struct.pack_into("<H", setup, 0x236, 0x1)             # XLF_KERNEL_64
struct.pack_into("<I", setup, 0x238, 2048)            # cmdline_size
struct.pack_into("<Q", setup, 0x258, 0x100000)        # pref_address
struct.pack_into("<I", setup, 0x260, 0x400000)        # init_size
open(sys.argv[2], "wb").write(bytes(setup) + pm)
