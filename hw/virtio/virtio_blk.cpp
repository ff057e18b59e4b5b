#include "hw/virtio/virtio_blk.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace emu {

using namespace virtio;

namespace {

constexpr uint64_t kSector = 512;
constexpr size_t kHeaderSize = 16;   // type, reserved, sector
constexpr size_t kSegmentSize = 16;  // sector, num_sectors, flags
constexpr uint32_t kSegUnmap = 1;

// Config space layout (5.2.4), up to write_zeroes_may_unmap and padding.
enum : size_t {
    kCfgCapacity = 0,
    kCfgSegMax = 12,
    kCfgBlkSize = 20,
    kCfgNumQueues = 34,
    kCfgMaxDiscardSectors = 36,
    kCfgMaxDiscardSeg = 40,
    kCfgDiscardAlign = 44,
    kCfgMaxWriteZeroesSectors = 48,
    kCfgMaxWriteZeroesSeg = 52,
    kCfgWriteZeroesMayUnmap = 56,
    kCfgSize = 60,
};

template <typename T>
void put(std::vector<uint8_t>& c, size_t off, T v) {
    std::memcpy(&c[off], &v, sizeof v);
}

// The first `len` bytes of an iov list as block-layer pieces, starting
// `skip` bytes in.
std::vector<block::IoVec> slice(const std::vector<VirtioIov>& iov, size_t skip, size_t len) {
    std::vector<block::IoVec> out;
    for (const VirtioIov& v : iov) {
        if (len == 0) break;
        if (skip >= v.len) {
            skip -= v.len;
            continue;
        }
        size_t n = std::min(v.len - skip, len);
        out.push_back({v.base + skip, n});
        len -= n;
        skip = 0;
    }
    return out;
}

uint64_t features_for(const block::BlockBackend& b) {
    uint64_t f = bit(VirtioBlk::kFSegMax) | bit(VirtioBlk::kFBlkSize) | bit(VirtioBlk::kFFlush);
    if (b.read_only()) {
        f |= bit(VirtioBlk::kFRo);
    } else {
        f |= bit(VirtioBlk::kFDiscard) | bit(VirtioBlk::kFWriteZeroes);
    }
    return f;
}

}  // namespace

struct VirtioBlk::Request {
    unsigned queue;
    VirtqElement elem;
    uint64_t generation;
    unsigned pending = 0;
    uint8_t status = kSOk;
    uint32_t data_written = 0;  // bytes of data before the status byte
    bool discard = false;       // failures of discards are not errors
};

VirtioBlk::VirtioBlk(std::string name, std::unique_ptr<block::BlockBackend> backend,
                     const VirtioBlkConfig& cfg)
    : VirtioDevice(std::move(name), kIdBlock, 1, cfg.queue_size, features_for(*backend)),
      backend_(std::move(backend)),
      cfg_(cfg),
      sectors_(backend_->size() / kSector) {
    if (cfg_.serial.size() > kIdBytes) cfg_.serial.resize(kIdBytes);
    auto& c = config();
    c.assign(kCfgSize, 0);
    put<uint64_t>(c, kCfgCapacity, sectors_);
    put<uint32_t>(c, kCfgSegMax, uint32_t(cfg.queue_size - 2));
    put<uint32_t>(c, kCfgBlkSize, uint32_t(kSector));
    put<uint16_t>(c, kCfgNumQueues, 1);
    put<uint32_t>(c, kCfgMaxDiscardSectors, cfg.max_discard_sectors);
    put<uint32_t>(c, kCfgMaxDiscardSeg, cfg.max_segments);
    put<uint32_t>(c, kCfgDiscardAlign, 1);
    put<uint32_t>(c, kCfgMaxWriteZeroesSectors, cfg.max_discard_sectors);
    put<uint32_t>(c, kCfgMaxWriteZeroesSeg, cfg.max_segments);
    c[kCfgWriteZeroesMayUnmap] = 1;
}

VirtioBlk::~VirtioBlk() {
    alive_.reset();
    backend_->drain();
}

void VirtioBlk::device_reset() {
    // Requests already submitted still write guest memory: wait for them,
    // and make their completions (queued on the main loop) do nothing.
    ++generation_;
    backend_->drain();
    in_flight_ = 0;
    stalled_ = false;
}

void VirtioBlk::handle_queue(unsigned q) {
    if (in_handler_) return;
    in_handler_ = true;
    for (;;) {
        auto e = pop(q);
        if (!e) {
            stalled_ = queue(q).full();
            break;
        }
        start(q, std::move(*e));
    }
    in_handler_ = false;
}

void VirtioBlk::complete(const std::shared_ptr<Request>& r, uint8_t status, uint32_t data_written) {
    if (r->generation != generation_) return;
    const VirtqElement& e = r->elem;
    buf_to_iov(e.in, e.in_len - 1, &status, 1);
    push(r->queue, e, data_written + 1);
    notify(r->queue);
}

void VirtioBlk::submit(const std::shared_ptr<Request>& r, block::BlockRequest br) {
    ++r->pending;
    ++in_flight_;
    std::weak_ptr<int> alive = alive_;
    backend_->submit(std::move(br), [this, alive, r](int ret) {
        if (alive.expired() || r->generation != generation_) return;
        --in_flight_;
        if (ret < 0 && !(r->discard && ret == -ENOTSUP) && r->status == kSOk) {
            r->status = kSIoErr;
        }
        if (--r->pending == 0) {
            complete(r, r->status, r->status == kSOk ? r->data_written : 0);
            // A completion frees a place: resume a queue that was full.
            if (stalled_) {
                stalled_ = false;
                handle_queue(r->queue);
            }
        }
    });
}

// Discard and write-zeroes carry a list of segments after the header.
bool VirtioBlk::segments(const std::shared_ptr<Request>& r, uint32_t type, size_t data_off) {
    const VirtqElement& e = r->elem;
    size_t bytes = e.out_len - data_off;
    if (bytes == 0 || bytes % kSegmentSize || bytes / kSegmentSize > cfg_.max_segments) {
        complete(r, kSIoErr, 0);
        return false;
    }
    struct Segment {
        uint64_t sector;
        uint32_t num_sectors;
        uint32_t flags;
    };
    std::vector<Segment> segs(bytes / kSegmentSize);
    iov_to_buf(e.out, data_off, segs.data(), bytes);
    for (const Segment& s : segs) {
        bool zeroes = type == kTWriteZeroes;
        // Reserved flag bits, or unmap on a discard, are not supported.
        if ((s.flags & ~kSegUnmap) || (!zeroes && (s.flags & kSegUnmap))) {
            complete(r, kSUnsupp, 0);
            return false;
        }
        if (s.num_sectors > cfg_.max_discard_sectors || s.sector > sectors_ ||
            s.num_sectors > sectors_ - s.sector) {
            complete(r, kSIoErr, 0);
            return false;
        }
    }
    r->discard = type == kTDiscard;
    for (const Segment& s : segs) {
        block::BlockRequest br;
        br.op = type == kTDiscard ? block::BlockOp::Discard : block::BlockOp::WriteZeroes;
        br.offset = s.sector * kSector;
        br.bytes = uint64_t(s.num_sectors) * kSector;
        br.may_unmap = s.flags & kSegUnmap;
        submit(r, std::move(br));
    }
    return true;
}

void VirtioBlk::start(unsigned q, VirtqElement e) {
    if (e.out_len < kHeaderSize || e.in_len < 1) {
        // Nowhere to put a status: the driver is broken.
        device_error("request without header or status byte");
        return;
    }
    struct {
        uint32_t type;
        uint32_t reserved;
        uint64_t sector;
    } hdr;
    iov_to_buf(e.out, 0, &hdr, sizeof hdr);
    auto r = std::make_shared<Request>();
    r->queue = q;
    r->elem = std::move(e);
    r->generation = generation_;
    const VirtqElement& el = r->elem;
    size_t data_in = el.in_len - 1;
    size_t data_out = el.out_len - kHeaderSize;

    auto in_range = [&](uint64_t len) {
        return len % kSector == 0 && hdr.sector <= sectors_ &&
               len / kSector <= sectors_ - hdr.sector;
    };
    switch (hdr.type) {
        case kTIn: {
            if (!in_range(data_in)) return complete(r, kSIoErr, 0);
            if (data_in == 0) return complete(r, kSOk, 0);
            block::BlockRequest br;
            br.op = block::BlockOp::Read;
            br.offset = hdr.sector * kSector;
            br.iov = slice(el.in, 0, data_in);
            r->data_written = uint32_t(data_in);
            return submit(r, std::move(br));
        }
        case kTOut: {
            if (backend_->read_only() || !in_range(data_out)) return complete(r, kSIoErr, 0);
            if (data_out == 0) return complete(r, kSOk, 0);
            block::BlockRequest br;
            br.op = block::BlockOp::Write;
            br.offset = hdr.sector * kSector;
            br.iov = slice(el.out, kHeaderSize, data_out);
            return submit(r, std::move(br));
        }
        case kTFlush: {
            block::BlockRequest br;
            br.op = block::BlockOp::Flush;
            return submit(r, std::move(br));
        }
        case kTGetId: {
            char id[kIdBytes] = {};
            std::memcpy(id, cfg_.serial.data(), cfg_.serial.size());
            size_t n = std::min<size_t>(kIdBytes, data_in);
            buf_to_iov(el.in, 0, id, n);
            return complete(r, kSOk, uint32_t(n));
        }
        case kTDiscard:
        case kTWriteZeroes:
            if (backend_->read_only()) return complete(r, kSIoErr, 0);
            if (!has_feature(hdr.type == kTDiscard ? kFDiscard : kFWriteZeroes)) {
                return complete(r, kSUnsupp, 0);
            }
            segments(r, hdr.type, kHeaderSize);
            return;
        default:
            return complete(r, kSUnsupp, 0);
    }
}

}  // namespace emu
