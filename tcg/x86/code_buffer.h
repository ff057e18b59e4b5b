#pragma once
// The baseline tier's code memory: one mmap'd region per compiler (that is,
// per vCPU), filled front to back and reset as a whole when the dispatcher
// flushes every block (as QEMU's tb_flush on a full code buffer).
//
// The region is mapped read-write-execute once. W^X would need an mprotect
// (a syscall plus a TLB shootdown on every vCPU thread) per compiled block
// and per link/unlink patch, which costs more than the whole compile; the
// code buffer is private to its vCPU thread and only written by it.
#include <cstddef>
#include <cstdint>

namespace emu::tcg::x86 {

class CodeBuffer {
  public:
    explicit CodeBuffer(size_t size);
    ~CodeBuffer();
    CodeBuffer(const CodeBuffer&) = delete;
    CodeBuffer& operator=(const CodeBuffer&) = delete;

    bool ok() const { return base_ != nullptr; }
    uint8_t* base() const { return base_; }
    size_t size() const { return size_; }

  private:
    uint8_t* base_ = nullptr;
    size_t size_ = 0;
};

}  // namespace emu::tcg::x86
