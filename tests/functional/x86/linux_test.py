#!/usr/bin/env python3
"""Boots Debian's amd64 kernel (scripts/fetch-guest.sh amd64) under KVM.

  linux_test.py EMU SOURCE_DIR

Always: the kernel's own early log must show its version, exactly our
command line and exactly our e820 map.

On hardware KVM (kvm_intel / kvm_amd) the bzImage is booted through the
64-bit boot protocol and the test goes on: the initramfs marker, a
command's output, nproc under -smp 2 and power-off with status 0.

On the paravirtualized kvm_pvm no stock kernel reaches userspace (see
docs/x86.md): the bzImage's decompressor runs for many minutes without
output, so the test boots the same kernel's vmlinux (extracted from the
bzImage) through its PVH entry note, checks the early log, and stops the
emulator. Exit 77 (skip) when /dev/kvm or the guest is unavailable."""
import gzip, lzma, os, re, select, signal, struct, subprocess, sys, time

SKIP = 77
MIB = 1 << 20


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


def fail(why, out=""):
    print(out)
    print(f"FAIL: {why}")
    sys.exit(1)


def hardware_kvm():
    return any(os.path.isdir(f"/sys/module/{m}") for m in ("kvm_intel", "kvm_amd")) and \
        not os.path.isdir("/sys/module/kvm_pvm")


def extract_vmlinux(bz, dest):
    """The ELF inside a bzImage (payload_offset/length in the setup header)."""
    b = open(bz, "rb").read()
    setup = ((b[0x1f1] or 4) + 1) * 512
    off, length = struct.unpack_from("<II", b, 0x248)
    data = b[setup + off: setup + off + length]
    if data[:6] == b"\xfd7zXZ\x00":
        out = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    elif data[:2] == b"\x1f\x8b":
        out = gzip.decompress(data)
    elif data[:4] == b"\x28\xb5\x2f\xfd":
        out = subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True).stdout
    else:
        skip(f"unsupported kernel compression {data[:6].hex()}")
    if out[:4] != b"\x7fELF":
        fail("the bzImage payload is not an ELF")
    open(dest, "wb").write(out)


def expected_e820(ram):
    low = 0x80000000 if ram >= 0xb0000000 else ram
    m = [(0, 0x9fc00, "usable"), (0x9fc00, 0x100000 - 0x9fc00, "reserved"),
         (0x100000, low - 0x100000, "usable"), (0xb0000000, 0x10000000, "reserved"),
         (0xfeffc000, 0x4000, "reserved")]
    if ram > low:
        m.append((1 << 32, ram - low, "usable"))
    return [f"BIOS-e820: [mem 0x{a:016x}-0x{a + s - 1:016x}] {t}" for a, s, t in m]


def run(cmd, until, timeout):
    """Runs cmd; returns (output, status or None if stopped at `until`)."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 0.5)
        if r:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                return out.decode(errors="replace"), p.wait()
            out += chunk
            if until and re.search(until, out.decode(errors="replace")):
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                return out.decode(errors="replace"), None
    p.kill()
    p.wait()
    fail(f"timed out after {timeout}s", out.decode(errors="replace"))


def check_early_log(out, cmdline, ram, version):
    lines = [re.sub(r"^\[ *[0-9.]+\] ", "", l.rstrip("\r")) for l in out.splitlines()]
    if not any(l.startswith(f"Linux version {version} ") for l in lines):
        fail(f"no 'Linux version {version}' in the kernel log", out)
    if f"Command line: {cmdline}" not in lines:
        fail(f"the kernel did not log exactly our command line '{cmdline}'", out)
    try:
        start = lines.index("BIOS-provided physical RAM map:") + 1
    except ValueError:
        fail("no e820 map in the kernel log", out)
    got = []
    for l in lines[start:]:
        if not l.startswith("BIOS-e820:"):
            break
        got.append(l)
    if got != expected_e820(ram):
        fail("e820 map differs:\n  got:  " + "\n        ".join(got) + "\n  want: " +
             "\n        ".join(expected_e820(ram)), out)


def main():
    emu, src = sys.argv[1], sys.argv[2]
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
    except OSError as e:
        skip(f"/dev/kvm unusable: {e.strerror}")
    f = subprocess.run([os.path.join(src, "scripts/fetch-guest.sh"), "amd64"],
                       capture_output=True, text=True)
    if f.returncode != 0:
        skip("scripts/fetch-guest.sh amd64 failed (offline?): " + f.stderr.strip()[-300:])
    gdir = f.stdout.strip().splitlines()[-1]
    bz, initrd = os.path.join(gdir, "vmlinuz"), os.path.join(gdir, "initramfs.cpio.gz")
    version = open(os.path.join(gdir, "kernel-version")).read().strip()
    ram = 512 * MIB
    base = [emu, "-M", "pc", "-m", "512", "-display", "none", "-serial", "stdio",
            "-initrd", initrd]

    # The real kernel's setup header: too little RAM for kernel + initrd.
    small = subprocess.run(base[:3] + ["-m", "24"] + base[5:] + ["-kernel", bz],
                           capture_output=True, text=True, timeout=60)
    if small.returncode != 1 or "-m too small" not in small.stderr:
        fail("-m 24 with this kernel and initrd did not give a clear error",
             small.stdout + small.stderr)

    if hardware_kvm():
        cmdline = "console=ttyS0 earlyprintk=ttyS0 -- sh -c 'echo guest-says-hi; nproc'"
        out, status = run(base + ["-smp", "2", "-kernel", bz, "-append", cmdline], None, 300)
        check_early_log(out, cmdline, ram, version)
        for want in ("EMU-GUEST-READY", "guest-says-hi", "EMU-CMD-EXIT=0"):
            if want not in out:
                fail(f"no '{want}' in the output", out)
        if not re.search(r"^2\r?$", out, re.M):
            fail("nproc did not print 2 under -smp 2", out)
        if status != 0:
            fail(f"exit status {status} after power-off, expected 0", out)
        print(out)
        print("PASS: full boot (marker, command, nproc, power-off)")
        return 0

    cmdline = "console=ttyS0 earlyprintk=ttyS0"
    vmlinux = os.path.join(gdir, "vmlinux")
    if not os.path.exists(vmlinux) or os.path.getmtime(vmlinux) < os.path.getmtime(bz):
        extract_vmlinux(bz, vmlinux + ".tmp")
        os.replace(vmlinux + ".tmp", vmlinux)
    out, status = run(base + ["-kernel", vmlinux, "-append", cmdline],
                      r"Kernel command line: .*\n|KVM internal error", 240)
    check_early_log(out, cmdline, ram, version)
    print(out)
    print("PASS: early boot log (version, command line, e820); kvm_pvm cannot run a stock "
          "kernel to userspace, so the full-boot checks need hardware KVM")
    return 0


if __name__ == "__main__":
    sys.exit(main())
