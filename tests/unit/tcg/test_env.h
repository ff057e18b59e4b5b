#pragma once
// A tiny env for IR tests: a TcgEnv followed by 16 64-bit registers and a
// 128-bit one, at known offsets.
#include <cstddef>
#include <cstdint>

#include "tcg/exec/env.h"

namespace emu::tcg::test {

struct TestEnv {
    TcgEnv tcg;
    uint64_t r[16];
    uint64_t q[2];
};

constexpr uint32_t reg(unsigned i) {
    return offsetof(TestEnv, r) + 8 * i;
}
constexpr uint32_t kQ = offsetof(TestEnv, q);

}  // namespace emu::tcg::test
