// Hostile instruction streams: every 32-bit word must translate into IR
// that verifies (or into an Undefined exception), never crash the host.
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "target/arm/cpu_state.h"
#include "target/arm/translate/translator.h"
#include "tcg/opt/passes.h"

using namespace emu;
using namespace emu::arm;

namespace {
class WordReader : public tcg::CodeReader {
  public:
    explicit WordReader(uint32_t w) : w_(w) {}
    bool fetch32(uint64_t va, uint32_t* word) override {
        *word = va == 0x1000 ? w_ : 0xd503201f;  // then NOPs
        return true;
    }

  private:
    uint32_t w_;
};
}  // namespace

TEST_CASE("random words translate into verified IR", "[arm][translate]") {
    std::mt19937 rng(2024);
    for (int i = 0; i < 200000; ++i) {
        uint32_t w = rng();
        for (uint64_t flags : {uint64_t(1) | kTbFpEnabled, uint64_t(0)}) {
            tcg::Block b;
            b.guest_pc = 0x1000;
            b.flags = flags;
            A64Translator tr(&b, flags);
            WordReader rd(w);
            REQUIRE(tr.translate(rd, 2));
            std::string err = tcg::verify(b);
            if (err.empty()) err = tcg::optimize(b);
            INFO(std::hex << "word 0x" << w << ": " << err << "\n" << tcg::print_block(b));
            REQUIRE(err.empty());
        }
    }
}

namespace {
class MapReader : public tcg::CodeReader {
  public:
    explicit MapReader(std::map<uint64_t, uint32_t> m) : m_(std::move(m)) {}
    bool fetch32(uint64_t va, uint32_t* word) override {
        auto it = m_.find(va);
        *word = it == m_.end() ? 0xd503201f : it->second;  // NOP elsewhere
        return true;
    }

  private:
    std::map<uint64_t, uint32_t> m_;
};

unsigned insns_from(std::map<uint64_t, uint32_t> code, uint64_t pc, bool* scattered) {
    tcg::Block b;
    b.guest_pc = pc;
    A64Translator tr(&b, 1);
    MapReader rd(std::move(code));
    REQUIRE(tr.translate(rd, 64));
    REQUIRE(tcg::verify(b).empty());
    *scattered = b.scattered;
    return b.guest_insns;
}
}  // namespace

TEST_CASE("blocks follow unconditional branches that close a loop", "[arm][translate]") {
    bool scattered = false;
    // b 0x1010; ...; cbnz x0, 0x1000: followed, the block loops to its start.
    CHECK(insns_from({{0x1000, 0x14000004}, {0x1010, 0xb5ffff80}}, 0x1000, &scattered) == 2);
    CHECK(scattered);
    // b +8; (skipped); wfi: no loop, so the block ends at the branch.
    CHECK(insns_from({{0x1000, 0x14000002}, {0x1008, 0xd503207f}}, 0x1000, &scattered) == 1);
    CHECK(!scattered);
    // `b .` and a branch to another page or BL are never followed.
    CHECK(insns_from({{0x1000, 0x14000000}}, 0x1000, &scattered) == 1);
    CHECK(insns_from({{0x1ffc, 0x14000002}}, 0x1ffc, &scattered) == 1);
    CHECK(insns_from({{0x1000, 0x94000002}}, 0x1000, &scattered) == 1);
    // Four B +8 then a branch back to the start: followed four times.
    std::map<uint64_t, uint32_t> chain;
    for (uint64_t pc = 0x1000; pc < 0x1020; pc += 8)
        chain[pc] = 0x14000002;  // b +8
    chain[0x1020] = 0x17fffff8;  // b 0x1000
    CHECK(insns_from(chain, 0x1000, &scattered) == 5);
    CHECK(scattered);
    // Five: the fifth is not followed, there is no loop, nothing is kept.
    chain.erase(0x1020);
    for (uint64_t pc = 0x1000; pc < 0x1028; pc += 8)
        chain[pc] = 0x14000002;
    chain[0x1028] = 0x17fffff6;  // b 0x1000
    CHECK(insns_from(chain, 0x1000, &scattered) == 1);
    CHECK(!scattered);
}
