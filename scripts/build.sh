#!/bin/sh
# Configures (once) and builds emu into ./build with Ninja and ccache.
# EMU_WERROR=ON (the CI default) makes warnings errors.
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR="${EMU_BUILD_DIR:-build}"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DEMU_WERROR="${EMU_WERROR:-ON}"
fi
ninja -C "$BUILD_DIR" "$@"
