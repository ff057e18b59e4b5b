#pragma once
// Table-driven instruction decoding. A table is a list of
//     INST(Name, "description", "bit pattern, most significant bit first")
// lines where '0'/'1' are fixed bits, '-' is "don't care" and every letter
// names a field (case-sensitive; a letter used in several places is the
// concatenation of its bits, most significant first). Each line becomes a
// matcher that extracts the fields in order of first appearance and calls
// the visitor's member function of the same name, whose arity is checked at
// compile time against the pattern.
//
// Overlaps are resolved explicitly by specificity: when two entries can
// match the same word, one's fixed bits must be a strict superset of the
// other's, and the more specific one wins. The unit test
// tests/unit/arm/decoder_test.cpp checks that every table obeys this and
// that every entry is reachable.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace emu::arm::decode {

template <size_t N>
struct FixedString {
    char s[N]{};
    constexpr FixedString(const char (&str)[N]) {
        for (size_t i = 0; i < N; ++i)
            s[i] = str[i];
    }
    constexpr std::string_view view() const { return {s, N - 1}; }
};

constexpr bool is_field_char(char c) {
    return c != '0' && c != '1' && c != '-';
}

constexpr uint32_t pattern_mask(std::string_view p) {
    uint32_t m = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] == '0' || p[i] == '1') m |= 1u << (31 - i);
    }
    return m;
}
constexpr uint32_t pattern_value(std::string_view p) {
    uint32_t v = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] == '1') v |= 1u << (31 - i);
    }
    return v;
}
// The k-th distinct field letter, in order of first appearance.
constexpr char field_letter(std::string_view p, size_t k) {
    size_t n = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        if (!is_field_char(p[i])) continue;
        bool first = true;
        for (size_t j = 0; j < i; ++j)
            first &= p[j] != p[i];
        if (first && n++ == k) return p[i];
    }
    return 0;
}
constexpr size_t num_fields(std::string_view p) {
    size_t n = 0;
    while (field_letter(p, n))
        ++n;
    return n;
}
constexpr uint32_t field_mask(std::string_view p, size_t k) {
    char c = field_letter(p, k);
    uint32_t m = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] == c) m |= 1u << (31 - i);
    }
    return m;
}

// Gathers the bits of insn selected by mask into the low bits (pext).
template <uint32_t Mask>
inline uint32_t extract(uint32_t insn) {
    constexpr int lo = std::countr_zero(Mask);
    constexpr uint32_t shifted = Mask >> lo;
    if constexpr ((shifted & (shifted + 1)) == 0) {
        return (insn & Mask) >> lo;  // contiguous field
    } else {
        uint32_t r = 0;
        for (int b = 31; b >= 0; --b) {
            if (Mask >> b & 1) r = r << 1 | (insn >> b & 1);
        }
        return r;
    }
}

template <FixedString P, typename V, typename... Args, size_t... I>
bool invoke_impl(V& v, bool (V::*fn)(Args...), [[maybe_unused]] uint32_t insn,
                 std::index_sequence<I...>) {
    return (v.*fn)(extract<field_mask(P.view(), I)>(insn)...);
}

template <FixedString P, typename V, typename... Args>
bool invoke(V& v, bool (V::*fn)(Args...), uint32_t insn) {
    static_assert(P.view().size() == 32, "an A64 pattern has 32 characters");
    static_assert(sizeof...(Args) == num_fields(P.view()),
                  "handler arity does not match the pattern's fields");
    return invoke_impl<P>(v, fn, insn, std::index_sequence_for<Args...>{});
}

template <typename V>
struct Matcher {
    const char* name;
    const char* description;
    uint32_t mask;
    uint32_t value;
    bool (*call)(V&, uint32_t);
    bool matches(uint32_t insn) const { return (insn & mask) == value; }
};

// Buckets by the top kBucketBits bits, each holding its candidates most
// specific first, so a lookup tests a handful of matchers.
template <typename V>
class DecodeTable {
  public:
    static constexpr unsigned kBucketBits = 10;

    explicit DecodeTable(std::vector<Matcher<V>> entries) : entries_(std::move(entries)) {
        for (uint32_t b = 0; b < (1u << kBucketBits); ++b) {
            uint32_t top = b << (32 - kBucketBits);
            uint32_t top_mask = ~0u << (32 - kBucketBits);
            auto& list = buckets_[b];
            for (const auto& e : entries_) {
                if (((top ^ e.value) & e.mask & top_mask) == 0) list.push_back(&e);
            }
            std::stable_sort(list.begin(), list.end(),
                             [](const Matcher<V>* a, const Matcher<V>* c) {
                                 return std::popcount(a->mask) > std::popcount(c->mask);
                             });
        }
    }
    const Matcher<V>* lookup(uint32_t insn) const {
        for (const Matcher<V>* m : buckets_[insn >> (32 - kBucketBits)]) {
            if (m->matches(insn)) return m;
        }
        return nullptr;
    }
    const std::vector<Matcher<V>>& entries() const { return entries_; }

  private:
    std::vector<Matcher<V>> entries_;
    std::array<std::vector<const Matcher<V>*>, (1u << kBucketBits)> buckets_;
};

}  // namespace emu::arm::decode
