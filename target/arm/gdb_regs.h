#pragma once
// gdb's aarch64 register file as the remote protocol carries it: the
// layout of our target.xml (features org.gnu.gdb.aarch64.core and
// org.gnu.gdb.aarch64.fpu, then QEMU's org.qemu.gdb.arm.sys.regs),
// independent of the accelerator so that it can be unit-tested.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace emu::arm {

struct ArmGdbRegs {
    uint64_t x[31] = {};
    uint64_t sp = 0;  // the stack pointer PSTATE.SP selects
    uint64_t pc = 0;
    uint32_t cpsr = 0;       // PSTATE in SPSR layout (NZCV, DAIF, M[3:0])
    uint8_t v[32][16] = {};  // V0-V31, little-endian
    uint32_t fpsr = 0;
    uint32_t fpcr = 0;
    uint64_t sys[32] = {};  // the system registers, in arm_gdb_sysreg_names() order
};

// gdb register numbers (the order of the target description).
namespace gdbreg {
constexpr unsigned kSp = 31, kPc = 32, kCpsr = 33, kV0 = 34, kFpsr = 66, kFpcr = 67, kCount = 68;
}

// The system registers gdb sees after fpcr (numbers kCount, kCount + 1,
// ...), under QEMU's names (SCTLR, VBAR, TTBR0_EL1, ...) so that scripts
// written for QEMU work. 64 bits each, read-only, and outside the 'g'
// blob: gdb fetches them one by one with 'p' packets, as from QEMU.
const std::vector<const char*>& arm_gdb_sysreg_names();
size_t arm_gdb_num_sysregs();

// Size in bytes of register `regno` in the 'g' blob (0: no such register) and its offset
// in the 'g' packet blob.
size_t arm_gdb_reg_size(unsigned regno);
size_t arm_gdb_reg_offset(unsigned regno);
size_t arm_gdb_blob_size();

std::vector<uint8_t> arm_gdb_pack(const ArmGdbRegs& r);
// False if the blob is shorter than the register file (extra bytes are ignored).
bool arm_gdb_unpack(const std::vector<uint8_t>& blob, ArmGdbRegs* r);

// The document for annex "target.xml" ("" for any other annex).
std::string arm_gdb_target_xml(const std::string& annex);

}  // namespace emu::arm
