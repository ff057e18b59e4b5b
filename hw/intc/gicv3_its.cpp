#include "hw/intc/gicv3_its.h"

#include <cinttypes>

#include "util/log.h"

namespace emu {

namespace {
// GITS_BASER<n> fields.
constexpr uint64_t kBaserValid = 1ull << 63;
constexpr unsigned kTypeDevice = 1, kTypeCollection = 4;
constexpr uint64_t kEntrySize = 8;

// Command numbers (GICv3 architecture, ITS command descriptions).
enum : uint8_t {
    kMovi = 0x01,
    kInt = 0x03,
    kClear = 0x04,
    kSync = 0x05,
    kMapd = 0x08,
    kMapc = 0x09,
    kMapti = 0x0a,
    kMapi = 0x0b,
    kInv = 0x0c,
    kInvall = 0x0d,
    kMovall = 0x0e,
    kDiscard = 0x0f,
};

constexpr uint64_t kValid = 1ull << 63;
constexpr uint64_t bits(uint64_t v, unsigned hi, unsigned lo) {
    return (v >> lo) & ((hi - lo == 63) ? ~0ull : ((1ull << (hi - lo + 1)) - 1));
}

void bad(const char* what, uint64_t a = 0, uint64_t b = 0) {
    log_mask(LOG_GUEST_ERROR, "gicv3-its: %s (0x%" PRIx64 ", 0x%" PRIx64 "): command ignored\n",
             what, a, b);
}
}  // namespace

Gicv3Its::Gicv3Its(Gicv3& gic, AddressSpace* dma) : gic_(gic), dma_(dma) {
    reset();
}

void Gicv3Its::reset() {
    std::lock_guard<std::recursive_mutex> g(mu_);
    enabled_ = false;
    cbaser_ = cwriter_ = creadr_ = 0;
    for (auto& b : baser_)
        b = 0;
    baser_[0] = uint64_t(kTypeDevice) << 56 | (kEntrySize - 1) << 48;
    baser_[1] = uint64_t(kTypeCollection) << 56 | (kEntrySize - 1) << 48;
}

uint64_t Gicv3Its::baser_write_mask(unsigned n) const {
    if (n > 1) return 0;  // unimplemented tables: RAZ/WI
    // Valid, InnerCache[61:59], OuterCache[55:53], PA[47:12],
    // Shareability[11:10], Page_Size[9:8], Size[7:0]. Indirect (62),
    // Type and Entry_Size are read-only.
    return kBaserValid | 0x3800000000000000ull | 0x00e0000000000000ull | 0x0000fffffffff000ull |
           0xfffull;
}

Gicv3Its::Table Gicv3Its::table(unsigned n) const {
    Table t;
    uint64_t b = baser_[n];
    t.valid = b & kBaserValid;
    uint64_t page;
    switch (bits(b, 9, 8)) {
        case 0:
            page = 0x1000;
            break;
        case 1:
            page = 0x4000;
            break;
        default:
            page = 0x10000;
            break;
    }
    t.base = b & 0x0000fffffffff000ull & ~(page - 1);
    if (page == 0x10000) t.base |= bits(b, 15, 12) << 48;  // PA[51:48]
    t.bytes = (bits(b, 7, 0) + 1) * page;
    return t;
}

bool Gicv3Its::read_entry(const Table& t, uint64_t index, uint64_t* v) {
    if (!t.valid || index >= t.bytes / kEntrySize) return false;
    return dma_->load(t.base + index * kEntrySize, 8, v) == MemTxResult::Ok;
}

bool Gicv3Its::write_entry(const Table& t, uint64_t index, uint64_t v) {
    if (!t.valid || index >= t.bytes / kEntrySize) return false;
    return dma_->store(t.base + index * kEntrySize, 8, v) == MemTxResult::Ok;
}

bool Gicv3Its::read_ite(uint32_t dev, uint32_t event, uint64_t* dte, uint64_t* ite) {
    if (dev >= (1u << kDevBits)) return false;
    if (!read_entry(table(0), dev, dte) || !(*dte & kValid)) return false;
    unsigned ev_bits = unsigned(bits(*dte, 4, 0)) + 1;
    if (event >= (1ull << ev_bits)) return false;
    uint64_t itt = *dte & 0x000fffffffffff00ull;
    if (dma_->load(itt + uint64_t(event) * kEntrySize, 8, ite) != MemTxResult::Ok) return false;
    return true;
}

bool Gicv3Its::collection_cpu(uint32_t icid, unsigned* cpu) {
    uint64_t cte;
    if (icid >= (1u << kCollBits) || !read_entry(table(1), icid, &cte) || !(cte & kValid)) {
        return false;
    }
    *cpu = unsigned(bits(cte, 15, 0));
    return *cpu < gic_.core().num_cpus();
}

uint64_t Gicv3Its::mmio_read(uint64_t offset, unsigned size) {
    std::lock_guard<std::recursive_mutex> g(mu_);
    uint64_t reg = offset & ~7ull, v = 0;
    if (reg == kCtlr) {
        // Quiescent (bit 31) whenever disabled: commands run synchronously.
        v = (enabled_ ? 1u : 0u) | (enabled_ ? 0u : 1u << 31);
        v |= uint64_t(0) << 32;  // GITS_IIDR: implementer 0, no quirks apply
    } else if (reg == kTyper) {
        v = 1                                // Physical
            | (kEntrySize - 1) << 4          // ITT_entry_size
            | uint64_t(kEventBits - 1) << 8  // ID_bits
            | uint64_t(kDevBits - 1) << 13;  // Devbits; PTA = 0, HCC = 0, CIL = 0
    } else if (reg == kCbaser) {
        v = cbaser_;
    } else if (reg == kCwriter) {
        v = cwriter_;
    } else if (reg == kCreadr) {
        v = creadr_;
    } else if (reg >= kBaser && reg < kBaser + 64) {
        v = baser_[(reg - kBaser) / 8];
    } else if (offset >= 0xffd0 && offset < 0x10000) {
        v = offset == 0xffe8 ? 0x3b : 0;  // PIDR2: ArchRev 3
        return v;
    } else {
        return 0;
    }
    v >>= 8 * (offset & 7);
    return size == 8 ? v : v & ((1ull << (8 * size)) - 1);
}

void Gicv3Its::mmio_write(uint64_t offset, uint64_t value, unsigned size) {
    if (offset == kTranslater) {
        // A CPU (no requester ID) writing the doorbell: DeviceID 0.
        translate(0, uint32_t(size >= 4 ? value : value & 0xffff));
        return;
    }
    std::lock_guard<std::recursive_mutex> g(mu_);
    uint64_t reg = offset & ~7ull;
    unsigned shift = unsigned(offset & 7) * 8;
    uint64_t mask = size == 8 ? ~0ull : ((1ull << (8 * size)) - 1) << shift;
    auto merge = [&](uint64_t old) { return (old & ~mask) | ((value << shift) & mask); };
    if (offset == kCtlr) {
        enabled_ = value & 1;
        process_locked();
    } else if (reg == kCbaser) {
        // Only while disabled (else UNPREDICTABLE: keep the old value).
        if (enabled_) return;
        // Valid, InnerCache, OuterCache, PA[51:12], Shareability, Size.
        cbaser_ = merge(cbaser_) & 0xb8effffffffffcffull;
        creadr_ = 0;
    } else if (reg == kCwriter) {
        cwriter_ = merge(cwriter_) & 0xfffe1ull;  // offset [19:5], Retry
        if (cwriter_ & 1) {
            cwriter_ &= ~1ull;
            creadr_ &= ~1ull;  // retry a stalled command
        }
        process_locked();
    } else if (reg >= kBaser && reg < kBaser + 64) {
        unsigned n = unsigned(reg - kBaser) / 8;
        if (enabled_) return;
        uint64_t m = baser_write_mask(n);
        baser_[n] = (baser_[n] & ~m) | (merge(baser_[n]) & m);
    } else {
        log_mask(LOG_GUEST_ERROR, "gicv3-its: write to 0x%" PRIx64 " ignored\n", offset);
    }
}

void Gicv3Its::process_locked() {
    // A table or queue placed over our own registers turns a command's
    // memory access into a nested register write: never re-enter.
    if (busy_ || !enabled_ || !(cbaser_ & kBaserValid) || (creadr_ & 1)) return;
    busy_ = true;
    process_queue();
    busy_ = false;
}

void Gicv3Its::process_queue() {
    const uint64_t qsize = (bits(cbaser_, 7, 0) + 1) * 0x1000;
    const uint64_t base = cbaser_ & 0x000ffffffffff000ull;
    if (cwriter_ >= qsize) {
        log_mask(LOG_GUEST_ERROR, "gicv3-its: GITS_CWRITER 0x%" PRIx64 " beyond the queue\n",
                 cwriter_);
        creadr_ |= 1;  // Stalled
        return;
    }
    // At most one lap per call: the queue cannot make us loop.
    for (uint64_t n = 0; creadr_ != cwriter_ && n < qsize / 32; ++n) {
        uint64_t cmd[4];
        if (dma_->read(base + creadr_, cmd, sizeof cmd) != MemTxResult::Ok) {
            log_mask(LOG_GUEST_ERROR, "gicv3-its: command queue unreadable at 0x%" PRIx64 "\n",
                     base + creadr_);
            creadr_ |= 1;
            return;
        }
        execute(cmd);
        creadr_ = (creadr_ + 32) % qsize;
    }
}

bool Gicv3Its::execute(const uint64_t c[4]) {
    const uint8_t op = uint8_t(c[0]);
    const uint32_t dev = uint32_t(c[0] >> 32);
    const uint32_t event = uint32_t(c[1]);
    GicCore& core = gic_.core();
    switch (op) {
        case kMapd: {
            if (dev >= (1u << kDevBits)) return bad("MAPD: DeviceID out of range", dev), false;
            unsigned size = unsigned(bits(c[1], 4, 0));
            if (size + 1 > kEventBits) return bad("MAPD: too many EventID bits", size), false;
            uint64_t dte = 0;
            if (c[2] & kValid) dte = kValid | (c[2] & 0x000fffffffffff00ull) | size;
            if (!write_entry(table(0), dev, dte)) return bad("MAPD: device table", dev), false;
            return true;
        }
        case kMapc: {
            uint32_t icid = uint32_t(bits(c[2], 15, 0));
            uint64_t rd = bits(c[2], 50, 16);
            if (rd >= core.num_cpus()) return bad("MAPC: no such redistributor", rd), false;
            uint64_t cte = (c[2] & kValid) ? kValid | rd : 0;
            if (!write_entry(table(1), icid, cte))
                return bad("MAPC: collection table", icid), false;
            return true;
        }
        case kMapti:
        case kMapi: {
            uint32_t intid = op == kMapi ? event : uint32_t(c[1] >> 32);
            uint32_t icid = uint32_t(bits(c[2], 15, 0));
            uint64_t dte, ite;
            if (!read_ite(dev, event, &dte, &ite))
                return bad("MAPTI: bad device/event", dev, event), false;
            if (!core.is_lpi(intid)) return bad("MAPTI: not an LPI", intid), false;
            uint64_t itt = dte & 0x000fffffffffff00ull;
            ite = kValid | uint64_t(icid) << 32 | intid;
            if (dma_->store(itt + uint64_t(event) * kEntrySize, 8, ite) != MemTxResult::Ok) {
                return bad("MAPTI: ITT unwritable", itt), false;
            }
            return true;
        }
        case kMovi:
        case kDiscard:
        case kInv:
        case kClear:
        case kInt: {
            uint64_t dte, ite;
            if (!read_ite(dev, event, &dte, &ite) || !(ite & kValid)) {
                return bad("unmapped device/event", dev, event), false;
            }
            uint32_t intid = uint32_t(ite);
            unsigned cpu;
            if (!core.is_lpi(intid) || !collection_cpu(uint32_t(bits(ite, 47, 32)), &cpu)) {
                return bad("event has no valid LPI/collection", dev, event), false;
            }
            uint64_t itt = dte & 0x000fffffffffff00ull;
            switch (op) {
                case kInt:
                    gic_.lpi_set_pending(cpu, intid, true);
                    break;
                case kClear:
                    gic_.lpi_set_pending(cpu, intid, false);
                    break;
                case kInv:
                    gic_.lpi_reload(intid);
                    break;
                case kDiscard:
                    gic_.lpi_set_pending(cpu, intid, false);
                    dma_->store(itt + uint64_t(event) * kEntrySize, 8, 0);
                    break;
                case kMovi: {
                    uint32_t icid = uint32_t(bits(c[2], 15, 0));
                    unsigned to;
                    if (!collection_cpu(icid, &to)) return bad("MOVI: bad collection", icid), false;
                    core.move_lpi(cpu, to, intid);
                    ite = (ite & ~(0xffffull << 32)) | uint64_t(icid) << 32;
                    dma_->store(itt + uint64_t(event) * kEntrySize, 8, ite);
                    break;
                }
            }
            return true;
        }
        case kInvall: {
            unsigned cpu;
            if (!collection_cpu(uint32_t(bits(c[2], 15, 0)), &cpu)) {
                return bad("INVALL: bad collection", bits(c[2], 15, 0)), false;
            }
            gic_.lpi_reload_all();
            return true;
        }
        case kSync:
            if (bits(c[2], 50, 16) >= core.num_cpus()) return bad("SYNC: bad target"), false;
            return true;  // commands complete synchronously
        case kMovall: {
            uint64_t from = bits(c[2], 50, 16), to = bits(c[3], 50, 16);
            if (from >= core.num_cpus() || to >= core.num_cpus()) {
                return bad("MOVALL: bad target", from, to), false;
            }
            core.move_all_lpis(unsigned(from), unsigned(to));
            return true;
        }
        default:
            bad("unknown or unsupported command", op);
            return false;
    }
}

bool Gicv3Its::translate(uint32_t device_id, uint32_t event_id) {
    std::lock_guard<std::recursive_mutex> g(mu_);
    if (!enabled_) return false;
    uint64_t dte, ite;
    unsigned cpu;
    if (!read_ite(device_id, event_id, &dte, &ite) || !(ite & kValid) ||
        !gic_.core().is_lpi(uint32_t(ite)) || !collection_cpu(uint32_t(bits(ite, 47, 32)), &cpu)) {
        log_mask(LOG_GUEST_ERROR, "gicv3-its: MSI from device 0x%x event %u not mapped\n",
                 device_id, event_id);
        return false;
    }
    gic_.lpi_set_pending(cpu, uint32_t(ite), true);
    return true;
}

}  // namespace emu
