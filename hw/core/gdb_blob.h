#pragma once
// The 'g' packet blob of a register file, as the targets' register codecs
// (target/{arm,x86}/gdb_regs.cpp) and DebugTargets share it: registers one
// after another in target-description order, little-endian (both guests and
// the host are). A codec lists its fields once, in blob order, and walks
// that list with a writer to pack and with a reader to unpack.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "hw/core/debug.h"

namespace emu {

// Appends each field to the blob (pack).
class GdbBlobWriter {
  public:
    explicit GdbBlobWriter(size_t size) { blob_.reserve(size); }
    void operator()(const void* field, size_t n) {
        auto* p = static_cast<const uint8_t*>(field);
        blob_.insert(blob_.end(), p, p + n);
    }
    std::vector<uint8_t> take() { return std::move(blob_); }

  private:
    std::vector<uint8_t> blob_;
};

// Fills each field from the blob (unpack); the caller has checked that the
// blob holds the whole register file.
class GdbBlobReader {
  public:
    explicit GdbBlobReader(const std::vector<uint8_t>& blob) : p_(blob.data()) {}
    void operator()(void* field, size_t n) {
        std::memcpy(field, p_, n);
        p_ += n;
    }

  private:
    const uint8_t* p_;
};

// Offset of register `regno` in a blob of registers 0..count-1 sized by
// `size` (the blob's size for regno >= count).
inline size_t gdb_reg_offset(size_t (*size)(unsigned), unsigned count, unsigned regno) {
    size_t off = 0;
    for (unsigned i = 0; i < regno && i < count; ++i)
        off += size(i);
    return off;
}

// 'p' and 'P' for registers that live in the 'g' blob: the n bytes at `off`
// of the whole blob (read-modify-write for P). n == 0 (no such register),
// a missing vCPU or a value of another size give empty / false.
inline std::vector<uint8_t> read_blob_register(DebugTarget& t, unsigned cpu, size_t off, size_t n) {
    if (!n) return {};
    std::vector<uint8_t> blob = t.read_registers(cpu);
    if (blob.size() < off + n) return {};
    return std::vector<uint8_t>(blob.begin() + long(off), blob.begin() + long(off + n));
}

inline bool write_blob_register(DebugTarget& t, unsigned cpu, size_t off, size_t n,
                                const std::vector<uint8_t>& v) {
    if (!n || v.size() != n) return false;
    std::vector<uint8_t> blob = t.read_registers(cpu);
    if (blob.size() < off + n) return false;
    std::memcpy(blob.data() + off, v.data(), n);
    return t.write_registers(cpu, blob);
}

}  // namespace emu
