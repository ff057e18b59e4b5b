#!/bin/sh
# Installs every build, test and oracle dependency of emu from Debian 12's
# package registry. Idempotent: apt skips what is already installed.
set -eu

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-deps: not root and no sudo; run as root" >&2
        exit 1
    fi
fi

PKGS="
build-essential cmake ninja-build ccache pkg-config git
llvm-19-dev
libcapstone-dev
libxbyak-dev
zlib1g-dev libzstd-dev
libboost-program-options-dev
catch2
libmpfr-dev
libfdt-dev
libslirp-dev libglib2.0-dev
gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
qemu-system-arm qemu-system-x86 qemu-utils qemu-user
gdb-multiarch
cpio xz-utils gzip file ca-certificates python3
"

# Only hit the network when something is missing: keeps re-runs fast.
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all dependencies present"
    exit 0
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
