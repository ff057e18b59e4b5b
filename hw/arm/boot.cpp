#include "hw/arm/boot.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace emu {

namespace {
constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kRawOffset = 0x80000;
constexpr uint64_t kBootloaderMax = 4096;  // QEMU keeps its stub below this

uint64_t align_up(uint64_t v, uint64_t a) {
    return (v + a - 1) & ~(a - 1);
}

template <typename T>
T le(const uint8_t* p) {
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
        v |= T(p[i]) << (8 * i);
    return v;
}

bool fits(uint64_t addr, uint64_t len, uint64_t base, uint64_t size) {
    return addr >= base && len <= size && addr - base <= size - len;
}

bool load_elf(const std::vector<uint8_t>& f, const ArmBootInput& in, ArmBootPlan* plan,
              std::string* err) {
    auto bad = [&](const std::string& why) {
        *err = "could not load kernel '" + in.kernel + "': " + why;
        return false;
    };
    if (f.size() < 64) return bad("truncated ELF header");
    if (f[4] != 2) return bad("not a 64-bit ELF");
    if (f[5] != 1) return bad("not a little-endian ELF");
    if (le<uint16_t>(&f[18]) != 183) return bad("ELF is not for AArch64");
    uint64_t phoff = le<uint64_t>(&f[32]);
    uint16_t phentsize = le<uint16_t>(&f[54]), phnum = le<uint16_t>(&f[56]);
    if (phentsize < 56 || phnum == 0 || phnum > 1024) return bad("bad program headers");
    if (phoff > f.size() || uint64_t(phentsize) * phnum > f.size() - phoff) {
        return bad("program headers outside the file");
    }
    uint64_t ram_size = in.ram.size();
    uint64_t low = UINT64_MAX, high = 0;
    for (unsigned i = 0; i < phnum; ++i) {
        const uint8_t* ph = &f[phoff + uint64_t(i) * phentsize];
        if (le<uint32_t>(ph) != 1) continue;  // PT_LOAD
        uint64_t off = le<uint64_t>(ph + 8), paddr = le<uint64_t>(ph + 24);
        uint64_t filesz = le<uint64_t>(ph + 32), memsz = le<uint64_t>(ph + 40);
        if (memsz == 0) continue;
        if (filesz > memsz) return bad("segment file size exceeds memory size");
        if (off > f.size() || filesz > f.size() - off) return bad("segment outside the file");
        if (!fits(paddr, memsz, in.ram_base, ram_size)) {
            char buf[96];
            std::snprintf(buf, sizeof buf, "segment at 0x%llx (+0x%llx) is outside RAM",
                          (unsigned long long)paddr, (unsigned long long)memsz);
            return bad(buf);
        }
        uint8_t* dst = in.ram.data() + (paddr - in.ram_base);
        std::memcpy(dst, f.data() + off, filesz);
        std::memset(dst + filesz, 0, memsz - filesz);
        low = std::min(low, paddr);
        high = std::max(high, paddr + memsz);
        plan->blobs.push_back({paddr, memsz});
    }
    if (high == 0) return bad("no loadable segments");
    plan->kind = ArmBootPlan::Kind::Elf;
    plan->entry = le<uint64_t>(&f[24]);
    plan->image_low = low;
    plan->image_high = high;
    plan->linux_abi = false;
    return true;
}
}  // namespace

bool read_file_limited(const std::string& path, uint64_t max, std::vector<uint8_t>* out,
                       std::string* err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *err = std::strerror(errno);
        return false;
    }
    in.seekg(0, std::ios::end);
    std::streamoff size = in.tellg();
    if (size < 0) {
        *err = "cannot determine the file size";
        return false;
    }
    if (uint64_t(size) > max) {
        *err = "file too large";
        return false;
    }
    in.seekg(0);
    out->resize(size_t(size));
    if (size && !in.read(reinterpret_cast<char*>(out->data()), size)) {
        *err = "read error";
        return false;
    }
    return true;
}

bool gunzip_limited(std::span<const uint8_t> in, uint64_t max, std::vector<uint8_t>* out,
                    std::string* err) {
    if (in.size() < 18 || in[0] != 0x1f || in[1] != 0x8b) {
        *err = "not gzip data";
        return false;
    }
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) {
        *err = "zlib initialisation failed";
        return false;
    }
    out->clear();
    std::vector<uint8_t> chunk(1 << 20);
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = uInt(std::min<size_t>(in.size(), UINT32_MAX));
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        zs.next_out = chunk.data();
        zs.avail_out = uInt(chunk.size());
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&zs);
            *err = "corrupt gzip data";
            return false;
        }
        size_t n = chunk.size() - zs.avail_out;
        if (out->size() + n > max) {
            inflateEnd(&zs);
            *err = "decompressed image too large";
            return false;
        }
        out->insert(out->end(), chunk.begin(), chunk.begin() + n);
        if (rc == Z_OK && n == 0 && zs.avail_in == 0) {
            inflateEnd(&zs);
            *err = "truncated gzip data";
            return false;
        }
    }
    inflateEnd(&zs);
    return true;
}

bool arm_load_kernel(const ArmBootInput& in, ArmBootPlan* plan, std::string* err) {
    *plan = ArmBootPlan{};
    const uint64_t ram_size = in.ram.size();
    const uint64_t base = in.ram_base;
    if (in.kernel.empty() || in.firmware) {
        // Firmware (or nothing) runs from flash; it finds the device tree
        // at the base of RAM.
        plan->place_dtb = in.dtb_size <= ram_size;
        plan->dtb_addr = base;
        if (plan->place_dtb) plan->blobs.push_back({base, in.dtb_size});
        if (!in.initrd.empty() && !in.firmware) {
            *err = "-initrd requires -kernel";  // QEMU's wording is similar
            return false;
        }
        return true;
    }
    std::vector<uint8_t> file;
    std::string e;
    if (!read_file_limited(in.kernel, ram_size, &file, &e)) {
        *err = "could not load kernel '" + in.kernel + "': " + e;
        return false;
    }
    if (file.size() >= 4 && std::memcmp(file.data(),
                                        "\x7f"
                                        "ELF",
                                        4) == 0) {
        if (!load_elf(file, in, plan, err)) return false;
        // QEMU passes an ELF no device tree pointer, and puts the tree at
        // the base of RAM only when it fits below the image.
        if (plan->image_low > base || plan->image_high < base) {
            uint64_t limit = plan->image_low < base ? base + ram_size : plan->image_low;
            plan->place_dtb = in.dtb_size <= limit - base;
            plan->dtb_addr = base;
            if (plan->place_dtb) plan->blobs.push_back({base, in.dtb_size});
        }
        return true;  // -initrd is ignored for an ELF, as in QEMU
    }
    if (file.size() >= 2 && file[0] == 0x1f && file[1] == 0x8b) {
        std::vector<uint8_t> raw;
        if (!gunzip_limited(file, ram_size, &raw, &e)) {
            *err = "could not load kernel '" + in.kernel + "': " + e;
            return false;
        }
        file.swap(raw);
    }
    uint64_t offset = kRawOffset, image_size = 0;
    plan->kind = ArmBootPlan::Kind::Raw;
    if (file.size() >= 64 && std::memcmp(&file[56], "ARM\x64", 4) == 0) {
        plan->kind = ArmBootPlan::Kind::Image;
        uint64_t text_offset = le<uint64_t>(&file[8]);
        image_size = le<uint64_t>(&file[16]);
        // Kernels before 3.17 have image_size 0 and expect 0x80000.
        if (image_size != 0) {
            offset = text_offset;
            // The bottom of RAM holds the boot stub: the Image format lets
            // us move the kernel up by a 2 MiB multiple.
            if (offset < kBootloaderMax) offset += 2 * kMiB;
        }
        if (offset >= ram_size) {
            *err = "could not load kernel '" + in.kernel + "': text_offset beyond RAM";
            return false;
        }
    }
    uint64_t footprint = std::max<uint64_t>(file.size(), image_size);
    if (!fits(base + offset, footprint, base, ram_size)) {
        *err = "could not load kernel '" + in.kernel + "': too large for RAM";
        return false;
    }
    std::memcpy(in.ram.data() + offset, file.data(), file.size());
    plan->entry = base + offset;
    plan->linux_abi = true;
    plan->image_low = plan->entry;
    plan->image_high = plan->entry + footprint;
    plan->blobs.push_back({plan->entry, file.size()});

    uint64_t initrd_start = base + std::min<uint64_t>(ram_size / 2, 128 * kMiB);
    initrd_start = std::max(initrd_start, plan->image_high);
    uint64_t initrd_size = 0;
    if (!in.initrd.empty()) {
        std::vector<uint8_t> rd;
        uint64_t room = base + ram_size > initrd_start ? base + ram_size - initrd_start : 0;
        if (!read_file_limited(in.initrd, room, &rd, &e)) {
            *err = "could not load initrd '" + in.initrd + "': " + e;
            return false;
        }
        std::memcpy(in.ram.data() + (initrd_start - base), rd.data(), rd.size());
        initrd_size = rd.size();
        plan->has_initrd = true;
        plan->initrd_start = initrd_start;
        plan->initrd_size = initrd_size;
        plan->blobs.push_back({initrd_start, initrd_size});
    }
    uint64_t dtb = align_up(initrd_start + initrd_size, 2 * kMiB);
    if (!fits(dtb, in.dtb_size, base, ram_size)) {
        *err = "not enough RAM for the device tree above the kernel and initrd";
        return false;
    }
    plan->place_dtb = true;
    plan->dtb_addr = dtb;
    plan->blobs.push_back({dtb, in.dtb_size});
    return true;
}

std::pair<uint64_t, uint64_t> arm_largest_free_gap(const ArmBootPlan& plan, uint64_t ram_base,
                                                   uint64_t ram_size) {
    auto blobs = plan.blobs;
    std::sort(blobs.begin(), blobs.end(),
              [](const auto& a, const auto& b) { return a.start < b.start; });
    uint64_t best_s = ram_base, best_e = ram_base, cur = ram_base, end = ram_base + ram_size;
    for (const auto& b : blobs) {
        if (b.start > cur && b.start - cur > best_e - best_s) {
            best_s = cur;
            best_e = std::min(b.start, end);
        }
        cur = std::max(cur, b.start + b.size);
    }
    if (end > cur && end - cur > best_e - best_s) {
        best_s = cur;
        best_e = end;
    }
    return {best_s, best_e};
}

}  // namespace emu
