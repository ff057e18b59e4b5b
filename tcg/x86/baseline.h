#pragma once
// The baseline tier: IR blocks -> x86-64 code with Xbyak, synchronously at
// translation time (tcg/exec/tier.h, BaselineCompiler).
#include <memory>
#include <string>

#include "tcg/exec/tier.h"

namespace emu::tcg::x86 {

// Code buffer per compiler (one compiler per vCPU).
constexpr size_t kDefaultCodeBufferSize = 256u << 20;

std::unique_ptr<BaselineCompiler> make_baseline(size_t code_buffer_size, std::string* err);
std::unique_ptr<BaselineCompiler> make_default_baseline(std::string* err);

}  // namespace emu::tcg::x86
