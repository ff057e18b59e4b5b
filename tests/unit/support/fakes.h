#pragma once
// Fakes the unit tests and fuzzers of several areas share (a header only:
// tests/unit/support has no executable of its own): a VM whose run state
// they read, a character backend that records what its frontend writes and
// feeds it input, and a debug target over plain memory.
#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "hw/core/char_backend.h"
#include "hw/core/gdb_blob.h"
#include "system/vm_control.h"

namespace emu::test {

struct FakeVm : VmControl {
    RunState state = RunState::Running;
    int resets = 0;
    bool quitted = false;
    std::string name;
    explicit FakeVm(std::string guest_name = "") : name(std::move(guest_name)) {}
    RunState run_state() const override { return state; }
    void pause() override { state = RunState::Paused; }
    void resume() override { state = RunState::Running; }
    void system_reset() override { ++resets; }
    void system_powerdown() override {}
    void quit() override {
        quitted = true;
        state = RunState::Shutdown;
    }
    std::string guest_name() const override { return name; }
};

struct RecordingBackend : CharBackend {
    std::string out;
    CharFrontend* fe = nullptr;
    int accepts = 0;  // accept_input() calls: the frontend has room again
    size_t write(const uint8_t* d, size_t n) override {
        out.append(reinterpret_cast<const char*>(d), n);
        return n;
    }
    void set_frontend(CharFrontend* f) override { fe = f; }
    void accept_input() override { ++accepts; }
    // All of s, whether or not the frontend said it has room.
    void send(const std::string& s) {
        fe->receive(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    }
    // What a real backend does: offers only what the frontend can take;
    // returns how much that was.
    size_t feed(const std::string& s) {
        size_t n = std::min(fe->can_receive(), s.size());
        fe->receive(reinterpret_cast<const uint8_t*>(s.data()), n);
        return n;
    }
};

// Two vCPUs sharing `mem_size` bytes of memory at address 0 and
// `num_regs` 8-byte registers, all in the 'g' blob; breakpoints are kept
// in a map, the vCPU armed for a step in `stepping`.
struct FakeDebugTarget : DebugTarget {
    std::vector<uint8_t> mem;
    std::vector<uint8_t> regs;
    std::string xml;  // the target.xml annex
    std::map<uint64_t, BreakpointKind> bps;
    int stepping = -1;

    FakeDebugTarget(size_t mem_size, unsigned num_regs, uint8_t reg_fill, std::string target_xml)
        : mem(mem_size), regs(8 * num_regs, reg_fill), xml(std::move(target_xml)) {}
    unsigned num_cpus() const override { return 2; }
    std::string target_xml(const std::string& annex) const override {
        return annex == "target.xml" ? xml : "";
    }
    std::vector<uint8_t> read_registers(unsigned) override { return regs; }
    bool write_registers(unsigned, const std::vector<uint8_t>& b) override {
        if (b.size() != regs.size()) return false;
        regs = b;
        return true;
    }
    std::vector<uint8_t> read_register(unsigned cpu, unsigned n) override {
        return read_blob_register(*this, cpu, size_t(n) * 8, n < regs.size() / 8 ? 8 : 0);
    }
    bool write_register(unsigned cpu, unsigned n, const std::vector<uint8_t>& v) override {
        return write_blob_register(*this, cpu, size_t(n) * 8, n < regs.size() / 8 ? 8 : 0, v);
    }
    bool read_memory(unsigned, uint64_t a, uint8_t* b, size_t l) override {
        if (a >= mem.size() || l > mem.size() - a) return false;
        std::memcpy(b, mem.data() + a, l);
        return true;
    }
    bool write_memory(unsigned, uint64_t a, const uint8_t* b, size_t l) override {
        if (a >= mem.size() || l > mem.size() - a) return false;
        std::memcpy(mem.data() + a, b, l);
        return true;
    }
    bool insert_breakpoint(BreakpointKind k, uint64_t a, uint64_t) override {
        bps[a] = k;
        return true;
    }
    bool remove_breakpoint(BreakpointKind, uint64_t a, uint64_t) override {
        return bps.erase(a) == 1;
    }
    bool set_single_step(unsigned cpu, bool on) override {
        if (cpu >= num_cpus()) return false;
        stepping = on ? int(cpu) : -1;
        return true;
    }
};

}  // namespace emu::test
