#!/bin/sh
# Builds every fuzz target with clang-19 + libFuzzer + AddressSanitizer into
# ./build-fuzz and runs each for SECONDS (default 60) from its seed corpus.
#   scripts/fuzz.sh [seconds] [target-name-filter]
set -eu
cd "$(dirname "$0")/.."
SECS="${1:-60}"
FILTER="${2:-}"
if ! command -v clang++-19 >/dev/null 2>&1 || [ ! -d /usr/lib/llvm-19/lib/clang/19/lib/linux ]; then
    SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
    $SUDO apt-get install -y -q --no-install-recommends clang-19 libclang-rt-19-dev
fi
if [ ! -f build-fuzz/build.ninja ]; then
    cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DEMU_FUZZ=ON \
        -DCMAKE_CXX_FLAGS="-fsanitize=address,fuzzer-no-link" \
        -DCMAKE_C_FLAGS="-fsanitize=address,fuzzer-no-link"
fi
targets=$(grep -rho 'emu_fuzz_target(fuzz-[a-z0-9-]*' tests/fuzz | sed 's/emu_fuzz_target(//')
for t in $targets; do
    case "$t" in *"$FILTER"*) ;; *) continue ;; esac
    ninja -C build-fuzz "$t"
done
status=0
for t in $targets; do
    case "$t" in *"$FILTER"*) ;; *) continue ;; esac
    exe=$(find build-fuzz/tests/fuzz -name "$t" -type f | head -n1)
    dir=$(dirname "$(grep -rl "emu_fuzz_target($t " tests/fuzz | head -n1)")
    corpus_name=$(grep "emu_fuzz_target($t " -A2 "$dir/CMakeLists.txt" | sed -n 's/.*corpus\/\([a-z0-9_-]*\).*/\1/p' | head -n1)
    work="build-fuzz/corpus/$t"
    mkdir -p "$work"
    echo "== $t for ${SECS}s"
    if ! "$exe" -max_total_time="$SECS" -print_final_stats=0 "$work" \
        ${corpus_name:+"$dir/corpus/$corpus_name"} 2>&1 | tail -n 3; then
        status=1
    fi
done
exit $status
