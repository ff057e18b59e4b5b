// libFuzzer target: open an arbitrary byte string as a qcow2 image, read
// from it, walk its metadata with check, and write to a copy. Every outcome
// but a crash, a hang or a sanitizer report is fine.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "block/block_driver.h"
#include "block/qcow2/qcow2.h"

using namespace emu::block;

namespace {

std::string to_memfd(const uint8_t* data, size_t size, int* fd_out) {
    int fd = memfd_create("fuzz-image", 0);
    if (fd < 0) return "";
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
    }
    *fd_out = fd;
    return "/proc/self/fd/" + std::to_string(fd);
}

void exercise(BlockDriver& d, bool write) {
    std::vector<uint8_t> buf(65536);
    const uint64_t size = d.size();
    uint64_t off = 0;
    for (int i = 0; i < 16 && off < size; i++) {
        const uint64_t n = std::min<uint64_t>(buf.size(), size - off);
        d.pread(off, buf.data(), n);
        BlockStatus st;
        d.block_status(off, n, &st);
        off += n + (size / 16);
    }
    if (write && size >= 8192) {
        d.pwrite(size / 3, buf.data(), 4096);
        d.write_zeroes(0, std::min<uint64_t>(size, 1 << 20), true);
        d.discard(size / 2, std::min<uint64_t>(size / 2, 65536));
        d.flush();
    }
    if (auto* q = dynamic_cast<qcow2::Qcow2Image*>(&d)) {
        q->snapshots();
        q->check(qcow2::RepairMode::None);
    }
}

}  // namespace

// Images that opened (the replay driver reports it, to show the mutations
// are not all rejected at the header).
unsigned long g_fuzz_opened = 0;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > (4u << 20)) return 0;
    for (bool write : {false, true}) {
        int fd = -1;
        std::string path = to_memfd(data, size, &fd);
        if (path.empty()) return 0;
        OpenOptions o;
        o.format = "qcow2";
        o.read_only = !write;
        o.open_backing = false;
        std::string err;
        if (auto d = open_image(path, o, &err)) {
            g_fuzz_opened++;
            exercise(*d, write);
        }
        close(fd);
    }
    return 0;
}
