#!/bin/sh
# Fetches Debian's kernel and busybox-static for one guest architecture
# through apt (a private apt state in the cache, the host's own Debian
# sources, no root needed) and builds an initramfs for it.
#
#   scripts/fetch-guest.sh arm64|amd64
#
# Results, in ${EMU_CACHE:-$HOME/.cache/emu}/guests/<arch>/:
#   vmlinuz             the kernel as Debian ships it (arm64: gzip'd Image)
#   initramfs.cpio.gz   busybox, a few virtio/ext4 modules and /init:
#     /init prints EMU-GUEST-READY once userspace runs; with a command after
#     "--" on the kernel command line it runs it, prints EMU-CMD-EXIT=<status>
#     and powers off; without one it starts an interactive shell.
#   kernel-version      the kernel's release string
set -eu
ARCH="${1:-}"
case "$ARCH" in
    arm64|amd64) ;;
    *) echo "usage: $0 arm64|amd64" >&2; exit 2 ;;
esac
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${EMU_CACHE:-$HOME/.cache/emu}"
OUT="$CACHE/guests/$ARCH"
APTDIR="$CACHE/apt-$ARCH"
# The initramfs recipe: a cached initramfs built by another version of
# mkinitramfs.py is rebuilt from the cached packages (no download).
RECIPE=$(sha256sum "$HERE/mkinitramfs.py" | cut -d' ' -f1)

# build_initramfs <dir with the packages' .deb files>
build_initramfs() {
    ROOT="$APTDIR/root"
    rm -rf "$ROOT"
    mkdir -p "$ROOT"
    for deb in "$1"/*.deb; do
        dpkg-deb -x "$deb" "$ROOT"
    done
    KVER=$(ls "$ROOT/lib/modules" | head -n1)
    cp "$ROOT/boot/vmlinuz-$KVER" "$OUT/vmlinuz.tmp"
    mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
    echo "$KVER" > "$OUT/kernel-version"
    python3 "$HERE/mkinitramfs.py" --root "$ROOT" --kver "$KVER" --out "$OUT/initramfs.cpio.gz.tmp"
    mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
    echo "$RECIPE" > "$OUT/initramfs.recipe"
    rm -rf "$ROOT"
}

if [ -f "$OUT/initramfs.cpio.gz" ] && [ -f "$OUT/vmlinuz" ] && [ -z "${EMU_REFETCH:-}" ]; then
    if [ "$(cat "$OUT/initramfs.recipe" 2>/dev/null)" = "$RECIPE" ]; then
        echo "$OUT"
        exit 0
    fi
    if ls "$APTDIR/debs"/linux-image-*.deb "$APTDIR/debs"/busybox-static*.deb >/dev/null 2>&1; then
        build_initramfs "$APTDIR/debs" >&2
        echo "$OUT"
        exit 0
    fi
fi
mkdir -p "$APTDIR/lists/partial" "$APTDIR/archives/partial" "$APTDIR/etc/sources.list.d" \
    "$APTDIR/etc/preferences.d" "$APTDIR/debs" "$OUT"

# Only the host's Debian archive entries (the ones signed by Debian's keyring).
SRC="$APTDIR/etc/sources.list"
: > "$SRC"
python3 "$HERE/debian_sources.py" >> "$SRC"
if [ ! -s "$SRC" ]; then
    echo "fetch-guest: no Debian archive found in the host's apt sources" >&2
    exit 1
fi

APT_OPTS="-o Dir::Etc::SourceList=$SRC -o Dir::Etc::SourceParts=$APTDIR/etc/sources.list.d
 -o Dir::Etc::Preferences=$APTDIR/etc/preferences -o Dir::Etc::PreferencesParts=$APTDIR/etc/preferences.d
 -o Dir::State::Lists=$APTDIR/lists -o Dir::State::Status=$APTDIR/status
 -o Dir::Cache=$APTDIR -o Dir::Cache::archives=$APTDIR/archives
 -o APT::Architecture=$ARCH -o APT::Architectures=$ARCH
 -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
touch "$APTDIR/status"
# shellcheck disable=SC2086
apt-get $APT_OPTS -q update >"$APTDIR/update.log" 2>&1 || {
    cat "$APTDIR/update.log" >&2
    echo "fetch-guest: apt-get update failed" >&2
    exit 1
}
# The metapackage names the current kernel package.
# shellcheck disable=SC2086
KPKG=$(apt-cache $APT_OPTS depends "linux-image-$ARCH" 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -n1)
if [ -z "$KPKG" ]; then
    echo "fetch-guest: cannot resolve linux-image-$ARCH" >&2
    exit 1
fi
cd "$APTDIR/debs"
rm -f ./*.deb
# shellcheck disable=SC2086
apt-get $APT_OPTS -q download "$KPKG:$ARCH" "busybox-static:$ARCH" >"$APTDIR/download.log" 2>&1 || {
    cat "$APTDIR/download.log" >&2
    echo "fetch-guest: download of $KPKG / busybox-static failed" >&2
    exit 1
}
build_initramfs "$APTDIR/debs"
echo "$OUT"
