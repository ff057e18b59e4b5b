// The A64 decode table: unambiguous (overlaps only by strict specificity),
// every entry reachable, unallocated space decodes to nothing.
#include <bit>
#include <catch2/catch.hpp>
#include <random>

#include "target/arm/decode/decoder.h"
#include "target/arm/translate/translator.h"

namespace emu::arm {
const decode::DecodeTable<A64Translator>& a64_decode_table();
}

using namespace emu::arm;

TEST_CASE("A64 decode table has no ambiguous overlaps", "[arm][decode]") {
    const auto& entries = a64_decode_table().entries();
    REQUIRE(entries.size() > 50);
    for (size_t i = 0; i < entries.size(); ++i) {
        for (size_t j = i + 1; j < entries.size(); ++j) {
            const auto& a = entries[i];
            const auto& b = entries[j];
            bool overlap = ((a.value ^ b.value) & a.mask & b.mask) == 0;
            if (!overlap) continue;
            bool a_in_b = (a.mask & b.mask) == b.mask && a.mask != b.mask;  // a more specific
            bool b_in_a = (a.mask & b.mask) == a.mask && a.mask != b.mask;
            INFO(a.name << " overlaps " << b.name);
            CHECK((a_in_b || b_in_a));
        }
    }
}

TEST_CASE("every A64 decode entry is reachable", "[arm][decode]") {
    const auto& table = a64_decode_table();
    std::mt19937 rng(7);
    for (const auto& e : table.entries()) {
        bool reached = false;
        for (int k = 0; k < 4000 && !reached; ++k) {
            uint32_t free_bits = k == 0 ? 0 : k == 1 ? ~0u : rng();
            uint32_t insn = e.value | (free_bits & ~e.mask);
            reached = table.lookup(insn) == &e;
        }
        INFO(e.name << " (" << e.description << ")");
        CHECK(reached);
    }
}

TEST_CASE("decoder picks the specific encoding and rejects unallocated words", "[arm][decode]") {
    CHECK(A64Translator::decode_name(0x91000c01) == std::string("ADDSUB_imm"));  // add x1, x0, #3
    CHECK(A64Translator::decode_name(0xb8bfc020) == std::string("LDAPR"));       // ldapr w0, [x1]
    CHECK(A64Translator::decode_name(0xf829002d) == std::string("ATOMIC"));      // ldadd
    CHECK(A64Translator::decode_name(0xd503207f) == std::string("HINT"));        // wfi
    CHECK(A64Translator::decode_name(0x00000000) == nullptr);                    // udf #0
    CHECK(A64Translator::decode_name(0x0c407000) != nullptr);                    // ld1 {v0.8b}
}
