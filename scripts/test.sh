#!/bin/sh
# The whole test suite: installs dependencies, builds, fetches the test
# guests into the cache (outside the tree) and runs ctest.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
cd "${EMU_BUILD_DIR:-build}"
ctest --output-on-failure --timeout 600 -j2 "$@"
