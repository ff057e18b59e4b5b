#!/bin/sh
# The main job: installs dependencies, builds emu, fetches the default guest
# and boots it. Extra arguments go to the emulator.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
echo "run.sh: emu is built, but no aarch64 guest boots yet (the translator is the next" >&2
echo "run.sh: milestone); showing the supported machines instead." >&2
exec ./build/system/emu-system-aarch64 -M help
