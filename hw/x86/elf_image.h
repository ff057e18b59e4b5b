#pragma once
// A bounds-checked reader for the parts of an ELF executable the loaders
// need: class, machine, entry, PT_LOAD segments and PT_NOTE contents.
#include <cstdint>
#include <string>
#include <vector>

namespace emu::x86 {

struct ElfSegment {
    uint64_t paddr, vaddr, filesz, memsz, offset;
};

struct ElfImage {
    bool is64 = false;
    uint16_t machine = 0;
    uint64_t entry = 0;
    std::vector<ElfSegment> loads;
    std::vector<ElfSegment> notes;  // offset/filesz of each PT_NOTE
};

bool is_elf(const std::vector<uint8_t>& f);
// False with err set when the file is an ELF but malformed (a header or
// segment outside the file, overflowing sizes).
bool parse_elf(const std::vector<uint8_t>& f, ElfImage* out, std::string* err);

// Finds a note (name, type) in the PT_NOTE segments; returns its descriptor.
bool find_elf_note(const std::vector<uint8_t>& f, const ElfImage& img, const char* name,
                   uint32_t type, std::vector<uint8_t>* desc);

}  // namespace emu::x86
