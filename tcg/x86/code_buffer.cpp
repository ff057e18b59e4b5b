#include "tcg/x86/code_buffer.h"

#include <sys/mman.h>

namespace emu::tcg::x86 {

CodeBuffer::CodeBuffer(size_t size) {
    // MAP_NORESERVE: pages are only committed as code is written.
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return;
    base_ = static_cast<uint8_t*>(p);
    size_ = size;
}

CodeBuffer::~CodeBuffer() {
    if (base_) munmap(base_, size_);
}

}  // namespace emu::tcg::x86
