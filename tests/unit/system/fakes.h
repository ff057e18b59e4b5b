#pragma once
// What the system tests share: a VM whose run state they read, and a
// character backend that records what its frontend writes and feeds it
// input.
#include <string>
#include <utility>

#include "hw/core/char_backend.h"
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
    size_t write(const uint8_t* d, size_t n) override {
        out.append(reinterpret_cast<const char*>(d), n);
        return n;
    }
    void set_frontend(CharFrontend* f) override { fe = f; }
    void send(const std::string& s) {
        fe->receive(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    }
};

}  // namespace emu::test
