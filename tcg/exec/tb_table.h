#pragma once
// The dispatcher's lookup structures without node allocations: an
// open-addressing hash table (linear probing, backward-shift deletion, so
// no tombstones) and, built on it, the per-physical-page lists of
// translation blocks (intrusive, doubly linked through the blocks).
//
// std::unordered_map costs an allocation per entry and a pointer chase per
// probe; a TB lookup after a jump-cache miss (every TLBI clears that cache)
// was ~5% of a boot in it.
#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

namespace emu::tcg {

// Key: trivially copyable with operator==; Hash: key -> 64-bit hash (the
// high bits pick the slot); V: default value means "empty slot", so a
// stored value must convert to true.
template <class Key, class V, class Hash>
class FlatTable {
  public:
    explicit FlatTable(unsigned log2_capacity = 10) { reset(log2_capacity); }

    size_t size() const { return count_; }
    size_t capacity() const { return slots_.size(); }

    V* find(const Key& k) {
        for (size_t i = home(k);; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (!s.value) return nullptr;
            if (s.key == k) return &s.value;
        }
    }
    const V* find(const Key& k) const { return const_cast<FlatTable*>(this)->find(k); }

    // The value for k, default-constructed (empty) if it was not there: the
    // caller must store a non-empty value before the next insert or erase.
    V& get_or_add(const Key& k) {
        if ((count_ + 1) * 2 > slots_.size()) grow();
        size_t i = home(k);
        for (;; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (!s.value) break;
            if (s.key == k) return s.value;
        }
        ++count_;
        slots_[i].key = k;
        return slots_[i].value;
    }

    // Removes k; returns its value (empty if it was not there).
    V take(const Key& k) {
        size_t i = home(k);
        for (;; i = (i + 1) & mask_) {
            if (!slots_[i].value) return V{};
            if (slots_[i].key == k) break;
        }
        V out = std::move(slots_[i].value);
        slots_[i].value = V{};
        --count_;
        // Backward shift: move later entries of the run into the hole when
        // their home position does not lie cyclically in (hole, j].
        size_t hole = i;
        for (size_t j = (i + 1) & mask_; slots_[j].value; j = (j + 1) & mask_) {
            size_t h = home(slots_[j].key);
            bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
            if (stays) continue;
            slots_[hole] = std::move(slots_[j]);
            slots_[j].value = V{};
            hole = j;
        }
        return out;
    }

    template <class F>
    void for_each(F&& f) {
        for (Slot& s : slots_) {
            if (s.value) f(s.key, s.value);
        }
    }

    void clear() { reset(initial_log2_); }

  private:
    struct Slot {
        Key key{};
        V value{};
    };
    size_t home(const Key& k) const { return static_cast<size_t>(Hash{}(k) >> shift_); }
    void reset(unsigned log2) {
        initial_log2_ = log2;
        slots_.clear();
        slots_.resize(size_t(1) << log2);
        mask_ = slots_.size() - 1;
        shift_ = 64 - log2;
        count_ = 0;
    }
    void grow() {
        std::vector<Slot> old = std::move(slots_);
        unsigned log2 = static_cast<unsigned>(std::countr_zero(old.size())) + 1;
        slots_ = std::vector<Slot>(size_t(1) << log2);
        mask_ = slots_.size() - 1;
        shift_ = 64 - log2;
        for (Slot& s : old) {
            if (!s.value) continue;
            size_t i = home(s.key);
            while (slots_[i].value)
                i = (i + 1) & mask_;
            slots_[i] = std::move(s);
        }
    }

    std::vector<Slot> slots_;
    size_t mask_ = 0;
    unsigned shift_ = 64;
    unsigned initial_log2_ = 10;
    size_t count_ = 0;
};

// Fibonacci hashing: the multiply spreads the low, aligned bits of
// addresses into the high bits the table indexes with.
inline uint64_t mix64(uint64_t x) {
    return x * 0x9E3779B97F4A7C15ull;
}

}  // namespace emu::tcg
