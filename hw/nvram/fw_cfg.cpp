#include "hw/nvram/fw_cfg.h"

#include <algorithm>
#include <cstring>

#include "util/log.h"

namespace emu {

using namespace fw_cfg;

namespace {
uint16_t bswap16(uint16_t v) {
    return __builtin_bswap16(v);
}
uint32_t bswap32(uint32_t v) {
    return __builtin_bswap32(v);
}
uint64_t bswap64(uint64_t v) {
    return __builtin_bswap64(v);
}
uint16_t strip(uint16_t key) {
    return key & ~kWriteChannel;
}
}  // namespace

FwCfg::FwCfg(AddressSpace* dma_memory)
    : Device("fw_cfg"), dma_mem_holder_(dma_memory), dma_mem_(dma_memory) {
    add_bytes(kSignature, {'Q', 'E', 'M', 'U'});
    add_i32(kId, kIdTraditional | (dma_memory ? kIdDma : 0));
    rebuild_dir();
}

void FwCfg::add_bytes(uint16_t key, std::vector<uint8_t> data) {
    items_[strip(key)] = std::move(data);
}

void FwCfg::add_string(uint16_t key, const std::string& s) {
    std::vector<uint8_t> d(s.begin(), s.end());
    d.push_back(0);
    add_bytes(key, std::move(d));
}

void FwCfg::add_i16(uint16_t key, uint16_t v) {
    add_bytes(key, {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)});
}

void FwCfg::add_i32(uint32_t key, uint32_t v) {
    std::vector<uint8_t> d(4);
    std::memcpy(d.data(), &v, 4);  // fw_cfg integers are little-endian
    add_bytes(static_cast<uint16_t>(key), std::move(d));
}

void FwCfg::add_i64(uint16_t key, uint64_t v) {
    std::vector<uint8_t> d(8);
    std::memcpy(d.data(), &v, 8);
    add_bytes(key, std::move(d));
}

uint16_t FwCfg::add_file(const std::string& name, std::vector<uint8_t> data) {
    for (auto& [n, k] : files_) {
        if (n == name) {
            items_[k] = std::move(data);
            rebuild_dir();
            return k;
        }
    }
    uint16_t key = static_cast<uint16_t>(kFileFirst + files_.size());
    files_.emplace_back(name, key);
    items_[key] = std::move(data);
    rebuild_dir();
    return key;
}

void FwCfg::rebuild_dir() {
    // Big-endian count, then {be32 size, be16 select, be16 reserved, name[56]},
    // sorted by name as QEMU lists them.
    auto sorted = files_;
    std::sort(sorted.begin(), sorted.end());
    std::vector<uint8_t> d(4 + 64 * sorted.size(), 0);
    uint32_t count = bswap32(static_cast<uint32_t>(sorted.size()));
    std::memcpy(d.data(), &count, 4);
    for (size_t i = 0; i < sorted.size(); ++i) {
        uint8_t* e = d.data() + 4 + 64 * i;
        uint32_t size = bswap32(static_cast<uint32_t>(items_[sorted[i].second].size()));
        uint16_t sel = bswap16(sorted[i].second);
        std::memcpy(e, &size, 4);
        std::memcpy(e + 4, &sel, 2);
        std::strncpy(reinterpret_cast<char*>(e + 8), sorted[i].first.c_str(), 55);
    }
    items_[kFileDir] = std::move(d);
}

void FwCfg::reset() {
    cur_key_ = kInvalid;
    cur_offset_ = 0;
}

void FwCfg::select(uint16_t key) {
    cur_key_ = strip(key);
    cur_offset_ = 0;
}

const std::vector<uint8_t>* FwCfg::current() const {
    auto it = items_.find(cur_key_);
    return it == items_.end() ? nullptr : &it->second;
}

uint8_t FwCfg::read_byte() {
    const auto* d = current();
    if (!d || cur_offset_ >= d->size()) return 0;
    return (*d)[cur_offset_++];
}

uint64_t FwCfg::read_data(unsigned size) {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i)
        v |= static_cast<uint64_t>(read_byte()) << (8 * i);
    return v;
}

void FwCfg::dma(uint64_t desc_addr) {
    if (!dma_mem_) return;
    struct {
        uint32_t control;
        uint32_t length;
        uint64_t address;
    } desc;
    if (!dma_mem_holder_.read(desc_addr, &desc, sizeof desc)) {
        log_mask(LOG_GUEST_ERROR, "fw_cfg: DMA descriptor at 0x%llx unreadable\n",
                 static_cast<unsigned long long>(desc_addr));
        return;
    }
    uint32_t control = bswap32(desc.control);
    uint32_t length = bswap32(desc.length);
    uint64_t address = bswap64(desc.address);
    bool error = false;
    if (control & kDmaCtlSelect) select(static_cast<uint16_t>(control >> 16));
    if (control & (kDmaCtlRead | kDmaCtlSkip | kDmaCtlWrite)) {
        const auto* d = current();
        if (control & kDmaCtlWrite) {
            error = true;  // no writable items
        } else {
            // Past the end of the item the guest reads zeros (QEMU does the same).
            std::vector<uint8_t> buf(std::min<uint32_t>(length, 1u << 20));
            uint64_t done = 0;
            while (done < length) {
                uint32_t chunk =
                    static_cast<uint32_t>(std::min<uint64_t>(buf.size(), length - done));
                for (uint32_t i = 0; i < chunk; ++i) {
                    buf[i] = (d && cur_offset_ + i < d->size()) ? (*d)[cur_offset_ + i] : 0;
                }
                if ((control & kDmaCtlRead) &&
                    !dma_mem_holder_.write(address + done, buf.data(), chunk)) {
                    error = true;
                    break;
                }
                cur_offset_ += chunk;
                done += chunk;
            }
        }
    }
    uint32_t status = bswap32(error ? kDmaCtlError : 0);
    dma_mem_holder_.write(desc_addr, &status, 4);
}

// ---- x86 port transport ----

FwCfgIo::FwCfgIo(FwCfg* core) : core_(core) {
    AccessConstraints c;
    c.valid_min = c.impl_min = 1;
    c.valid_max = c.impl_max = 2;
    ctl_ = MemoryRegion::io("fwcfg", 2, this, c);
    dma_handler_.core = core;
    AccessConstraints dc;
    dc.valid_min = dc.impl_min = 1;
    dc.valid_max = dc.impl_max = 8;
    dc.valid_unaligned = false;
    dma_ = MemoryRegion::io("fwcfg.dma", 8, &dma_handler_, dc);
}

uint64_t FwCfgIo::mmio_read(uint64_t offset, unsigned size) {
    return size == 1 ? core_->read_byte() : 0;
}

void FwCfgIo::mmio_write(uint64_t offset, uint64_t value, unsigned size) {
    if (size == 2 && offset == 0) core_->select(static_cast<uint16_t>(value));
    // Byte writes are the obsolete data write interface: ignored.
}

uint64_t FwCfgIo::Dma::mmio_read(uint64_t offset, unsigned size) {
    // The register reads as "QEMU CFG", big-endian.
    uint64_t sig = bswap64(kDmaSignature);
    uint64_t v = 0;
    std::memcpy(&v, reinterpret_cast<uint8_t*>(&sig) + offset,
                std::min<uint64_t>(size, 8 - offset));
    return v;
}

void FwCfgIo::Dma::mmio_write(uint64_t offset, uint64_t value, unsigned size) {
    // Big-endian register written in two 32-bit halves (or one 64-bit write);
    // writing the low half starts the transfer.
    if (size == 8 && offset == 0) {
        core->dma(bswap64(value));
        return;
    }
    if (size != 4) return;
    uint32_t half = bswap32(static_cast<uint32_t>(value));
    if (offset == 0) {
        addr = (addr & 0xffffffffull) | (static_cast<uint64_t>(half) << 32);
    } else if (offset == 4) {
        addr = (addr & ~0xffffffffull) | half;
        core->dma(addr);
        addr = 0;
    }
}

// ---- MMIO transport ----

FwCfgMmio::FwCfgMmio(FwCfg* core) : core_(core) {
    AccessConstraints c;
    c.valid_min = c.impl_min = 1;
    c.valid_max = c.impl_max = 8;
    region_ = MemoryRegion::io("fwcfg.mmio", 0x18, this, c);
}

uint64_t FwCfgMmio::mmio_read(uint64_t offset, unsigned size) {
    if (offset < 8) return core_->read_data(size);
    if (offset >= 16) {
        uint64_t sig = bswap64(kDmaSignature);
        uint64_t v = 0;
        std::memcpy(&v, reinterpret_cast<uint8_t*>(&sig) + (offset - 16),
                    std::min<uint64_t>(size, 24 - offset));
        return v;
    }
    return 0;
}

void FwCfgMmio::mmio_write(uint64_t offset, uint64_t value, unsigned size) {
    if (offset == 8 && size == 2) {
        core_->select(bswap16(static_cast<uint16_t>(value)));  // big-endian selector
    } else if (offset >= 16) {
        if (size == 8 && offset == 16) {
            core_->dma(bswap64(value));
        } else if (size == 4 && offset == 16) {
            dma_addr_ = (dma_addr_ & 0xffffffffull) |
                        (static_cast<uint64_t>(bswap32(static_cast<uint32_t>(value))) << 32);
        } else if (size == 4 && offset == 20) {
            dma_addr_ = (dma_addr_ & ~0xffffffffull) | bswap32(static_cast<uint32_t>(value));
            core_->dma(dma_addr_);
            dma_addr_ = 0;
        }
    }
}

}  // namespace emu
