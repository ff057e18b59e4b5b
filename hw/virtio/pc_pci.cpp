#include "hw/virtio/pc_pci.h"

#include <stdexcept>

#include "hw/core/irq.h"
#include "hw/core/machine.h"

namespace emu {

namespace {

// A minimal AML writer (ACPI 6.x, 20.2): just what \_SB.PCI0 needs.
class Aml {
  public:
    std::vector<uint8_t> d;

    void byte(uint8_t b) { d.push_back(b); }
    void word(uint16_t w) { byte(uint8_t(w)), byte(uint8_t(w >> 8)); }
    void dword(uint32_t v) { word(uint16_t(v)), word(uint16_t(v >> 16)); }
    void qword(uint64_t v) { dword(uint32_t(v)), dword(uint32_t(v >> 32)); }
    void seg(const char* s) {
        for (int i = 0; i < 4; ++i)
            byte(uint8_t(s[i]));
    }
    void integer(uint64_t v) {
        if (v == 0) return byte(0x00);
        if (v == 1) return byte(0x01);
        if (v <= 0xff) return byte(0x0a), byte(uint8_t(v));
        if (v <= 0xffff) return byte(0x0b), word(uint16_t(v));
        if (v <= 0xffffffff) return byte(0x0c), dword(uint32_t(v));
        byte(0x0e), qword(v);
    }
    // Wraps `body` in PkgLength (which counts itself).
    static std::vector<uint8_t> pkg(const std::vector<uint8_t>& body) {
        size_t n = body.size();
        std::vector<uint8_t> out;
        if (n + 1 < 0x40) {
            out.push_back(uint8_t(n + 1));
        } else {
            size_t extra = n + 2 < 0x1000 ? 1 : n + 3 < 0x100000 ? 2 : 3;
            size_t total = n + 1 + extra;
            out.push_back(uint8_t((extra << 6) | (total & 0xf)));
            for (size_t i = 0; i < extra; ++i)
                out.push_back(uint8_t(total >> (4 + 8 * i)));
        }
        out.insert(out.end(), body.begin(), body.end());
        return out;
    }
    void append(const std::vector<uint8_t>& v) { d.insert(d.end(), v.begin(), v.end()); }
};

// EISA ID "PNP0A08" -> its compressed dword.
uint32_t eisa_id(const char* s) {
    auto hex = [](char c) { return uint32_t(c <= '9' ? c - '0' : c - 'A' + 10); };
    uint32_t b0 = ((uint32_t(s[0]) & 0x1f) << 2) | ((uint32_t(s[1]) & 0x1f) >> 3);
    uint32_t b1 = ((uint32_t(s[1]) & 7) << 5) | (uint32_t(s[2]) & 0x1f);
    uint32_t b2 = hex(s[3]) << 4 | hex(s[4]);
    uint32_t b3 = hex(s[5]) << 4 | hex(s[6]);
    return b0 | b1 << 8 | b2 << 16 | b3 << 24;
}

void name(Aml& a, const char* n, const std::vector<uint8_t>& obj) {
    a.byte(0x08);
    a.seg(n);
    a.append(obj);
}

std::vector<uint8_t> int_obj(uint64_t v) {
    Aml a;
    a.integer(v);
    return a.d;
}

// Word address space descriptor (6.4.3.5.3): bus numbers or I/O.
void word_space(Aml& r, uint8_t type, uint16_t min, uint16_t max, uint8_t type_flags) {
    r.byte(0x88), r.word(13), r.byte(type), r.byte(0x0c), r.byte(type_flags);
    r.word(0), r.word(min), r.word(max), r.word(0), r.word(uint16_t(max - min + 1));
}

}  // namespace

PcPci::PcPci(const PcPciParams& p, const MachineConfig& cfg) : p_(p) {
    host_ = std::make_unique<PciHostX86>(p.dma, p.ecam_size);
    p.io->add_subregion(0xcf8, host_->config_io_region());
    // Legacy ISA devices take precedence over PCI I/O BARs.
    p.io->add_subregion(0, host_->add_io_window("pci-io", 0, 0x10000), -1);
    p.system->add_subregion(p.ecam_base, host_->mmcfg_region());
    if (p.mmio32_size) {
        p.system->add_subregion(
            p.mmio32_base, host_->add_mem_window("pci-mmio32", p.mmio32_base, p.mmio32_size), -1);
    }
    if (p.mmio64_size) {
        p.system->add_subregion(
            p.mmio64_base, host_->add_mem_window("pci-mmio64", p.mmio64_base, p.mmio64_size), -1);
    }
    for (unsigned i = 0; i < 4; ++i) {
        host_->connect_intx(i, IrqLine(p.gsi, int(p.first_intx_gsi + i)));
    }
    drives_ = DriveTable::parse(cfg.drives, "virtio", cfg.snapshot);
    for (const DriveInfo& d : drives_.drives()) {
        if (d.interface != "virtio" && d.interface != "none") {
            throw std::runtime_error("-drive id=" + d.id + ": not supported yet: if=" +
                                     d.interface + " on this machine (use if=virtio)");
        }
    }
    virtio_ = std::make_unique<VirtioMachineDevices>(
        VirtioBoardContext{p.loop, nullptr, &host_->bus(), true, p.msi, p.netdev}, drives_);
    virtio_->add_if_virtio_drives();
    for (const KeyValueList& d : cfg.devices)
        virtio_->add_device(d);
    // -nic on pc: QEMU's default model here is e1000, which emu does not
    // have; virtio-net-pci stands in (docs/differences.md).
    virtio_->add_nics(cfg.netdevs);
}

PcPci::~PcPci() {
    virtio_.reset();
    host_.reset();
}

void PcPci::reset() {
    host_->reset();
}

std::vector<uint8_t> PcPci::dsdt_aml() const {
    Aml dev;
    dev.seg("PCI0");
    name(dev, "_HID", [] {
        Aml a;
        a.byte(0x0c), a.dword(eisa_id("PNP0A08"));
        return a.d;
    }());
    name(dev, "_CID", [] {
        Aml a;
        a.byte(0x0c), a.dword(eisa_id("PNP0A03"));
        return a.d;
    }());
    name(dev, "_UID", int_obj(0));
    name(dev, "_SEG", int_obj(0));
    name(dev, "_BBN", int_obj(0));

    // _CRS: buses, the config ports, I/O around them, the memory windows.
    Aml r;
    word_space(r, 2, 0, uint16_t((p_.ecam_size >> 20) - 1), 0);
    r.byte(0x47), r.byte(1), r.word(0xcf8), r.word(0xcf8), r.byte(1), r.byte(8);
    word_space(r, 1, 0x0000, 0x0cf7, 3);
    word_space(r, 1, 0x0d00, 0xffff, 3);
    if (p_.mmio32_size) {
        r.byte(0x87), r.word(23), r.byte(0), r.byte(0x0c), r.byte(0x01);
        r.dword(0), r.dword(uint32_t(p_.mmio32_base));
        r.dword(uint32_t(p_.mmio32_base + p_.mmio32_size - 1)), r.dword(0);
        r.dword(uint32_t(p_.mmio32_size));
    }
    if (p_.mmio64_size) {
        r.byte(0x8a), r.word(43), r.byte(0), r.byte(0x0c), r.byte(0x01);
        r.qword(0), r.qword(p_.mmio64_base), r.qword(p_.mmio64_base + p_.mmio64_size - 1);
        r.qword(0), r.qword(p_.mmio64_size);
    }
    r.byte(0x79), r.byte(0);
    Aml buf;
    buf.integer(r.d.size());
    buf.append(r.d);
    Aml crs;
    crs.byte(0x11);
    crs.append(Aml::pkg(buf.d));
    name(dev, "_CRS", crs.d);

    // _PRT: every slot's INTA..INTD to the GSI its swizzled line drives.
    Aml entries;
    entries.byte(32 * 4);
    for (unsigned slot = 0; slot < 32; ++slot) {
        for (unsigned pin = 0; pin < 4; ++pin) {
            Aml e;
            e.byte(4);
            e.byte(0x0c), e.dword(slot << 16 | 0xffff);
            e.integer(pin);
            e.integer(0);
            e.integer(p_.first_intx_gsi + PciBus::swizzle(uint8_t(slot << 3), uint8_t(pin + 1)));
            entries.byte(0x12);
            entries.append(Aml::pkg(e.d));
        }
    }
    Aml prt;
    prt.byte(0x12);
    prt.append(Aml::pkg(entries.d));
    name(dev, "_PRT", prt.d);

    Aml device;
    device.byte(0x5b), device.byte(0x82);
    device.append(Aml::pkg(dev.d));
    Aml scope_body;
    scope_body.byte('\\'), scope_body.seg("_SB_");
    scope_body.append(device.d);
    Aml out;
    out.byte(0x10);
    out.append(Aml::pkg(scope_body.d));
    return out.d;
}

}  // namespace emu
