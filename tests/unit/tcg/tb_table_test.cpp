#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <unordered_map>

#include "tcg/exec/tb_table.h"

using namespace emu::tcg;

namespace {
struct Spread {
    uint64_t operator()(uint64_t k) const { return mix64(k); }
};
// Only four home slots: long runs that wrap around the end of the table,
// so deletion has to shift entries back across the wrap.
struct Clumped {
    uint64_t operator()(uint64_t k) const { return (k & 3) << 62 | 0x3fffull << 48; }
};

template <class Hash>
void check_against_map(unsigned log2, uint64_t key_range, int steps) {
    FlatTable<uint64_t, uint64_t, Hash> t(log2);
    std::unordered_map<uint64_t, uint64_t> ref;
    std::mt19937_64 rng(7);
    for (int i = 0; i < steps; ++i) {
        uint64_t k = rng() % key_range;
        switch (rng() % 3) {
            case 0:
            case 1: {
                uint64_t v = rng() | 1;  // non-zero: zero marks an empty slot
                t.get_or_add(k) = v;
                ref[k] = v;
                break;
            }
            default: {
                uint64_t got = t.take(k);
                auto it = ref.find(k);
                REQUIRE(got == (it == ref.end() ? 0 : it->second));
                if (it != ref.end()) ref.erase(it);
                break;
            }
        }
        REQUIRE(t.size() == ref.size());
        if (i % 64 == 0) {
            for (uint64_t q = 0; q < key_range; ++q) {
                auto it = ref.find(q);
                const uint64_t* v = t.find(q);
                REQUIRE((v != nullptr) == (it != ref.end()));
                if (v) REQUIRE(*v == it->second);
            }
        }
    }
    size_t n = 0;
    t.for_each([&](uint64_t k, uint64_t v) {
        ++n;
        REQUIRE(ref.at(k) == v);
    });
    REQUIRE(n == ref.size());
    // Half full at most: probing always ends at an empty slot.
    REQUIRE(t.size() * 2 <= t.capacity());
}
}  // namespace

TEST_CASE("flat table matches a map under inserts and deletes", "[tcg][tb_table]") {
    check_against_map<Spread>(2, 300, 20000);
}

TEST_CASE("flat table deletion keeps clustered runs reachable", "[tcg][tb_table]") {
    check_against_map<Clumped>(6, 40, 20000);
}

TEST_CASE("flat table get_or_add returns the existing entry", "[tcg][tb_table]") {
    FlatTable<uint64_t, uint64_t, Spread> t(1);
    t.get_or_add(5) = 50;
    REQUIRE(t.get_or_add(5) == 50);
    REQUIRE(t.size() == 1);
    REQUIRE(t.take(6) == 0);
    REQUIRE(t.take(5) == 50);
    REQUIRE(t.find(5) == nullptr);
    REQUIRE(t.size() == 0);
}
