#include "accel/vcpu_thread.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "util/bql.h"

using namespace emu;
using namespace std::chrono_literals;

namespace {

// A backend that "runs" until kicked, counting runs, and can be told to
// return a given exit once.
class FakeVcpu : public VcpuBackend {
  public:
    unsigned index() const override { return 0; }
    VcpuExit run() override {
        runs.fetch_add(1);
        if (next_shutdown.exchange(false)) return exit::Shutdown{3};
        if (next_halt.exchange(false)) return exit::Halt{};
        std::unique_lock<std::mutex> g(m);
        cv.wait_for(g, 50ms, [&] { return kicked; });
        kicked = false;
        return exit::Kicked{};
    }
    void kick() override {
        std::lock_guard<std::mutex> g(m);
        kicked = true;
        cv.notify_all();
    }
    std::string dump_state() override { return "fake"; }

    std::atomic<int> runs{0};
    std::atomic<bool> next_shutdown{false};
    std::atomic<bool> next_halt{false};
    std::mutex m;
    std::condition_variable cv;
    bool kicked = false;
};

}  // namespace

TEST_CASE("vcpu thread: runs, pauses without running, resumes, stops", "[vcpu]") {
    FakeVcpu v;
    std::atomic<int> exits{0};
    VcpuThread t(&v, [&](VcpuBackend&, VcpuExit& e) {
        CHECK(bql_held());
        exits.fetch_add(1);
        return ExitAction::Continue;
    });
    t.start();
    while (v.runs.load() < 2)
        std::this_thread::sleep_for(1ms);
    t.pause();
    int frozen = v.runs.load();
    std::this_thread::sleep_for(120ms);
    CHECK(v.runs.load() == frozen);  // a paused vCPU does not run
    t.start();                       // resume
    while (v.runs.load() <= frozen)
        std::this_thread::sleep_for(1ms);
    t.stop();
    CHECK(exits.load() >= 2);
}

TEST_CASE("vcpu thread: a Park action waits for wake()", "[vcpu]") {
    FakeVcpu v;
    v.next_halt = true;
    std::atomic<int> halts{0};
    VcpuThread t(&v, [&](VcpuBackend&, VcpuExit& e) {
        if (std::holds_alternative<exit::Halt>(e)) {
            halts.fetch_add(1);
            return ExitAction::Park;
        }
        return ExitAction::Continue;
    });
    t.start();
    while (halts.load() == 0)
        std::this_thread::sleep_for(1ms);
    int parked_runs = v.runs.load();
    std::this_thread::sleep_for(100ms);
    CHECK(v.runs.load() == parked_runs);
    t.wake();
    while (v.runs.load() == parked_runs)
        std::this_thread::sleep_for(1ms);
    t.stop();
}

TEST_CASE("vcpu thread: a Stop action ends guest execution until stop()", "[vcpu]") {
    FakeVcpu v;
    v.next_shutdown = true;
    std::atomic<int> status{-1};
    VcpuThread t(&v, [&](VcpuBackend&, VcpuExit& e) {
        if (auto* s = std::get_if<exit::Shutdown>(&e)) {
            status = s->status;
            return ExitAction::Stop;
        }
        return ExitAction::Continue;
    });
    t.start();
    while (status.load() < 0)
        std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(50ms);
    CHECK(v.runs.load() == 1);
    CHECK(status.load() == 3);
    t.stop();
}
