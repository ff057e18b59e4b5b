#pragma once
// The one parser for QEMU-style sub-options: "virt,gic-version=3",
// "file=a,,b.img,if=virtio". A doubled comma is a literal comma; the first
// item may omit its key (the "implied" key, e.g. -M's machine type); a bare
// "flag" means flag=on. Values are typed on access so that every error can
// name the option and the key that were wrong.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace emu {

class KeyValueList {
  public:
    // Returns nullopt and sets *err on malformed input (empty key, "=x").
    static std::optional<KeyValueList> parse(std::string_view text, std::string_view implied_key,
                                             std::string* err);

    bool has(std::string_view key) const;
    // The last value given for key (QEMU semantics: a later one wins).
    std::optional<std::string> get(std::string_view key) const;
    std::string get_or(std::string_view key, std::string_view fallback) const;

    // Typed accessors: nullopt when the key is absent; on a malformed value
    // they set *err to a message naming the key and value and return nullopt
    // with *err non-empty.
    std::optional<bool> get_bool(std::string_view key, std::string* err) const;
    std::optional<uint64_t> get_uint(std::string_view key, std::string* err) const;
    std::optional<uint64_t> get_size(std::string_view key, char default_suffix,
                                     std::string* err) const;

    // Keys present that are not in `known`, for "Invalid parameter" errors.
    std::optional<std::string> first_unknown(const std::vector<std::string_view>& known) const;

    const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
    void set(std::string key, std::string value);

  private:
    std::vector<std::pair<std::string, std::string>> items_;
};

// QEMU's size syntax: "512", "1G", "1.5g", "64k", "2048M", "1T", "4096B".
// default_suffix applies when there is none ('M' for -m, 'B' for bytes).
// Rejects negative, empty, trailing garbage and values that overflow 64 bits.
std::optional<uint64_t> parse_size(std::string_view text, char default_suffix);

// Unsigned decimal or 0x hex, no sign, no trailing garbage, no overflow.
std::optional<uint64_t> parse_uint(std::string_view text);

// on/off/yes/no/true/false (QEMU's boolean spellings).
std::optional<bool> parse_bool(std::string_view text);

}  // namespace emu
