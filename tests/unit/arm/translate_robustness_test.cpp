// Hostile instruction streams: every 32-bit word must translate into IR
// that verifies (or into an Undefined exception), never crash the host.
#include <catch2/catch.hpp>
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
