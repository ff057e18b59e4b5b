#include "hw/x86/boot_loader.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace emu::x86 {

namespace {

// Where the loader puts [gpa, gpa + len) (len > 0) in guest RAM; null, with
// *err naming `what`, where the range leaves RAM.
uint8_t* ram_for(const GuestMemory& mem, uint64_t gpa, uint64_t len, std::string* err,
                 const char* what) {
    uint8_t* p = gpa + len >= gpa ? mem.span(gpa, len, true) : nullptr;
    if (!p) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s at 0x%llx-0x%llx is outside guest RAM (-m too small?)",
                      what, static_cast<unsigned long long>(gpa),
                      static_cast<unsigned long long>(gpa + len - 1));
        *err = buf;
    }
    return p;
}

}  // namespace

bool read_file(const std::string& path, std::vector<uint8_t>* out, std::string* err,
               uint64_t max_size) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = "could not open '" + path + "': " + std::strerror(errno);
        return false;
    }
    struct stat st {};
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        *err = "'" + path + "' is not a regular file";
        return false;
    }
    if (static_cast<uint64_t>(st.st_size) > max_size) {
        ::close(fd);
        *err = "'" + path + "' is too large";
        return false;
    }
    out->resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < out->size()) {
        ssize_t n = ::read(fd, out->data() + done, out->size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            *err = "could not read '" + path + "'";
            return false;
        }
        done += static_cast<size_t>(n);
    }
    ::close(fd);
    return true;
}

bool LoadContext::is_ram(uint64_t gpa, uint64_t len) const {
    if (len == 0) return true;
    if (gpa + len < gpa) return false;
    return mem_.span(gpa, len, true) != nullptr;
}

bool LoadContext::write(uint64_t gpa, const void* data, uint64_t len, std::string* err,
                        const char* what) {
    if (len == 0) return true;
    uint8_t* p = ram_for(mem_, gpa, len, err, what);
    if (!p) return false;
    std::memcpy(p, data, len);
    return true;
}

bool LoadContext::zero(uint64_t gpa, uint64_t len, std::string* err, const char* what) {
    if (len == 0) return true;
    uint8_t* p = ram_for(mem_, gpa, len, err, what);
    if (!p) return false;
    std::memset(p, 0, len);
    return true;
}

bool LoadContext::write_gdt(std::string* err) {
    auto gdt = boot_gdt();
    return write(kBootGdtAddr, gdt.data(), gdt.size(), err, "boot GDT");
}

bool LoadContext::write_identity_page_tables(std::string* err) {
    // PML4[0] -> PDPT; PDPT[0..3] -> four PDs of 2 MiB pages covering 4 GiB.
    std::vector<uint64_t> t(6 * 512, 0);
    const uint64_t pdpt = kPageTableAddr + 0x1000, pd0 = kPageTableAddr + 0x2000;
    t[0] = pdpt | 0x3;
    for (uint64_t i = 0; i < 4; ++i)
        t[512 + i] = (pd0 + i * 0x1000) | 0x3;
    for (uint64_t i = 0; i < 4 * 512; ++i)
        t[1024 + i] = (i << 21) | 0x83;  // P, RW, PS
    return write(kPageTableAddr, t.data(), t.size() * 8, err, "boot page tables");
}

bool read_boot_files(BootInputs* in, std::string* err) {
    if (!read_file(in->kernel_path, &in->kernel, err)) {
        *err = "-kernel: " + *err;
        return false;
    }
    // Multiboot takes -initrd as a list of modules and reads them itself.
    bool module_list = !is_bzimage(in->kernel) && find_multiboot_header(in->kernel) >= 0;
    if (!in->initrd_path.empty() && !module_list) {
        if (!read_file(in->initrd_path, &in->initrd, err)) {
            *err = "-initrd: " + *err;
            return false;
        }
    }
    return true;
}

bool load_kernel(const BootInputs& in, LoadContext& ctx, BootResult* out, std::string* err) {
    for (auto* loader : {load_linux, load_multiboot, load_pvh}) {
        int r = loader(in, ctx, out, err);
        if (r < 0) return false;
        if (r > 0) return true;
    }
    *err = "-kernel " + in.kernel_path +
           ": not a kernel this machine can boot (expected a Linux bzImage, a Multiboot v1 "
           "image or an ELF with a PVH entry note)";
    return false;
}

}  // namespace emu::x86
