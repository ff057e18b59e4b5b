// -d out_asm for the LLVM tier: the compiled host code through Capstone.
#include <capstone/capstone.h>

#include <cinttypes>
#include <cstdio>
#include <string>

namespace emu::tcg {

std::string llvm_disassemble(const uint8_t* code, uint64_t size, uint64_t addr) {
    csh h;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) return "capstone: cannot open x86-64\n";
    cs_insn* insn = nullptr;
    size_t n = cs_disasm(h, code, size, addr, 0, &insn);
    std::string out;
    char buf[256];
    uint64_t done = 0;
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, "  0x%016" PRIx64 ":  %-8s %s\n", insn[i].address,
                      insn[i].mnemonic, insn[i].op_str);
        out += buf;
        done = insn[i].address + insn[i].size - addr;
    }
    if (done < size) {
        std::snprintf(buf, sizeof buf, "  (%" PRIu64 " bytes not decoded)\n", size - done);
        out += buf;
    }
    if (n) cs_free(insn, n);
    cs_close(&h);
    return out;
}

}  // namespace emu::tcg
