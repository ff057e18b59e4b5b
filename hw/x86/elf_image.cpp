#include "hw/x86/elf_image.h"

#include <elf.h>

#include <cstring>

namespace emu::x86 {

bool is_elf(const std::vector<uint8_t>& f) {
    return f.size() >= EI_NIDENT && std::memcmp(f.data(), ELFMAG, SELFMAG) == 0;
}

namespace {
bool in_file(const std::vector<uint8_t>& f, uint64_t off, uint64_t len) {
    return off <= f.size() && len <= f.size() - off;
}

template <typename Ehdr, typename Phdr>
bool parse(const std::vector<uint8_t>& f, ElfImage* out, std::string* err) {
    if (!in_file(f, 0, sizeof(Ehdr))) {
        *err = "truncated ELF header";
        return false;
    }
    Ehdr eh;
    std::memcpy(&eh, f.data(), sizeof eh);
    out->machine = eh.e_machine;
    out->entry = eh.e_entry;
    if (eh.e_phentsize != sizeof(Phdr) || eh.e_phnum == 0) {
        *err = "ELF has no usable program headers";
        return false;
    }
    if (!in_file(f, eh.e_phoff, static_cast<uint64_t>(eh.e_phnum) * sizeof(Phdr))) {
        *err = "ELF program headers lie outside the file";
        return false;
    }
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Phdr ph;
        std::memcpy(&ph, f.data() + eh.e_phoff + i * sizeof(Phdr), sizeof ph);
        ElfSegment s{ph.p_paddr, ph.p_vaddr, ph.p_filesz, ph.p_memsz, ph.p_offset};
        if (ph.p_type == PT_LOAD) {
            if (!in_file(f, s.offset, s.filesz) || s.filesz > s.memsz ||
                s.paddr + s.memsz < s.paddr) {
                *err = "ELF segment " + std::to_string(i) + " is malformed";
                return false;
            }
            if (s.memsz) out->loads.push_back(s);
        } else if (ph.p_type == PT_NOTE) {
            if (in_file(f, s.offset, s.filesz)) out->notes.push_back(s);
        }
    }
    return true;
}
}  // namespace

bool parse_elf(const std::vector<uint8_t>& f, ElfImage* out, std::string* err) {
    if (!is_elf(f)) {
        *err = "not an ELF file";
        return false;
    }
    if (f[EI_DATA] != ELFDATA2LSB) {
        *err = "big-endian ELF";
        return false;
    }
    if (f[EI_CLASS] == ELFCLASS64) {
        out->is64 = true;
        return parse<Elf64_Ehdr, Elf64_Phdr>(f, out, err);
    }
    if (f[EI_CLASS] == ELFCLASS32) return parse<Elf32_Ehdr, Elf32_Phdr>(f, out, err);
    *err = "unknown ELF class";
    return false;
}

bool find_elf_note(const std::vector<uint8_t>& f, const ElfImage& img, const char* name,
                   uint32_t type, std::vector<uint8_t>* desc) {
    size_t name_len = std::strlen(name) + 1;
    for (const auto& n : img.notes) {
        uint64_t off = n.offset, end = n.offset + n.filesz;
        while (off + 12 <= end) {
            uint32_t namesz, descsz, ntype;
            std::memcpy(&namesz, f.data() + off, 4);
            std::memcpy(&descsz, f.data() + off + 4, 4);
            std::memcpy(&ntype, f.data() + off + 8, 4);
            uint64_t name_off = off + 12;
            uint64_t desc_off = name_off + ((static_cast<uint64_t>(namesz) + 3) & ~3ull);
            uint64_t next = desc_off + ((static_cast<uint64_t>(descsz) + 3) & ~3ull);
            if (desc_off > end || next > end + 3 || desc_off + descsz > end) break;
            if (ntype == type && namesz == name_len &&
                std::memcmp(f.data() + name_off, name, name_len) == 0) {
                desc->assign(f.begin() + static_cast<long>(desc_off),
                             f.begin() + static_cast<long>(desc_off + descsz));
                return true;
            }
            off = next;
        }
    }
    return false;
}

}  // namespace emu::x86
