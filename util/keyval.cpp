#include "util/keyval.h"
#include <cctype>

#include <cmath>
#include <limits>

namespace emu {

std::optional<KeyValueList> KeyValueList::parse(std::string_view text, std::string_view implied_key,
                                                std::string* err) {
    KeyValueList list;
    // Split on single commas, turning ",," into a literal comma.
    std::vector<std::string> parts;
    std::string cur;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == ',') {
            if (i + 1 < text.size() && text[i + 1] == ',') {
                cur += ',';
                ++i;
                continue;
            }
            parts.push_back(std::move(cur));
            cur.clear();
            continue;
        }
        cur += c;
    }
    parts.push_back(std::move(cur));

    for (size_t idx = 0; idx < parts.size(); ++idx) {
        const std::string& part = parts[idx];
        if (part.empty()) {
            // A trailing comma ("virt,") is harmless; an empty item elsewhere is not.
            if (idx + 1 == parts.size() && idx > 0) continue;
            if (parts.size() == 1 && !implied_key.empty()) {
                if (err) *err = "empty value";
                return std::nullopt;
            }
            if (err) *err = "empty parameter";
            return std::nullopt;
        }
        size_t eq = part.find('=');
        if (eq == std::string::npos) {
            if (idx == 0 && !implied_key.empty()) {
                list.items_.emplace_back(std::string(implied_key), part);
            } else {
                list.items_.emplace_back(part, "on");
            }
            continue;
        }
        if (eq == 0) {
            if (err) *err = "parameter name missing in '" + part + "'";
            return std::nullopt;
        }
        list.items_.emplace_back(part.substr(0, eq), part.substr(eq + 1));
    }
    return list;
}

bool KeyValueList::has(std::string_view key) const {
    return get(key).has_value();
}

std::optional<std::string> KeyValueList::get(std::string_view key) const {
    for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
        if (it->first == key) return it->second;
    }
    return std::nullopt;
}

std::string KeyValueList::get_or(std::string_view key, std::string_view fallback) const {
    auto v = get(key);
    return v ? *v : std::string(fallback);
}

void KeyValueList::set(std::string key, std::string value) {
    items_.emplace_back(std::move(key), std::move(value));
}

std::optional<bool> KeyValueList::get_bool(std::string_view key, std::string* err) const {
    auto v = get(key);
    if (!v) return std::nullopt;
    auto b = parse_bool(*v);
    if (!b && err) {
        *err = "Parameter '" + std::string(key) + "' expects 'on' or 'off', not '" + *v + "'";
    }
    return b;
}

std::optional<uint64_t> KeyValueList::get_uint(std::string_view key, std::string* err) const {
    auto v = get(key);
    if (!v) return std::nullopt;
    auto n = parse_uint(*v);
    if (!n && err) {
        *err = "Parameter '" + std::string(key) + "' expects a number, not '" + *v + "'";
    }
    return n;
}

std::optional<uint64_t> KeyValueList::get_size(std::string_view key, char default_suffix,
                                               std::string* err) const {
    auto v = get(key);
    if (!v) return std::nullopt;
    auto n = parse_size(*v, default_suffix);
    if (!n && err) {
        *err = "Parameter '" + std::string(key) + "' expects a size, not '" + *v + "'";
    }
    return n;
}

std::optional<std::string> KeyValueList::first_unknown(
    const std::vector<std::string_view>& known) const {
    for (const auto& [k, v] : items_) {
        bool ok = false;
        for (auto kk : known)
            ok = ok || kk == k;
        if (!ok) return k;
    }
    return std::nullopt;
}

static int suffix_shift(char c) {
    switch (c) {
        case 'b':
        case 'B':
            return 0;
        case 'k':
        case 'K':
            return 10;
        case 'm':
        case 'M':
            return 20;
        case 'g':
        case 'G':
            return 30;
        case 't':
        case 'T':
            return 40;
        case 'p':
        case 'P':
            return 50;
        case 'e':
        case 'E':
            return 60;
        default:
            return -1;
    }
}

std::optional<uint64_t> parse_size(std::string_view text, char default_suffix) {
    if (text.empty()) return std::nullopt;
    size_t i = 0;
    uint64_t whole = 0;
    bool digits = false;
    bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    if (hex) {
        i = 2;
        while (i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i]))) {
            int d = std::isdigit(static_cast<unsigned char>(text[i]))
                        ? text[i] - '0'
                        : (std::tolower(static_cast<unsigned char>(text[i])) - 'a' + 10);
            if (whole > (std::numeric_limits<uint64_t>::max() >> 4)) return std::nullopt;
            whole = whole * 16 + d;
            digits = true;
            ++i;
        }
    } else {
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            uint64_t d = text[i] - '0';
            if (whole > (std::numeric_limits<uint64_t>::max() - d) / 10) return std::nullopt;
            whole = whole * 10 + d;
            digits = true;
            ++i;
        }
    }
    if (!digits) return std::nullopt;
    // An optional decimal fraction ("1.5G"), only meaningful with a unit.
    double frac = 0.0;
    bool has_frac = false;
    if (!hex && i < text.size() && text[i] == '.') {
        ++i;
        double scale = 0.1;
        bool fdigits = false;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            frac += (text[i] - '0') * scale;
            scale /= 10;
            fdigits = true;
            ++i;
        }
        if (!fdigits) return std::nullopt;
        has_frac = true;
    }
    char suffix = default_suffix;
    if (i < text.size()) {
        suffix = text[i];
        ++i;
        // QEMU accepts an optional trailing "B"/"iB" only as a bare "B" unit;
        // anything after the suffix is garbage.
        if (i != text.size()) return std::nullopt;
    }
    int shift = suffix_shift(suffix);
    if (shift < 0) return std::nullopt;
    if (has_frac && shift == 0) return std::nullopt;  // "1.5" bytes makes no sense
    if (shift > 0 && whole > (std::numeric_limits<uint64_t>::max() >> shift)) return std::nullopt;
    uint64_t value = whole << shift;
    if (has_frac) {
        double extra = frac * std::ldexp(1.0, shift);
        if (static_cast<double>(std::numeric_limits<uint64_t>::max() - value) < extra) {
            return std::nullopt;
        }
        value += static_cast<uint64_t>(extra);
    }
    return value;
}

std::optional<uint64_t> parse_uint(std::string_view text) {
    if (text.empty()) return std::nullopt;
    int base = 10;
    size_t i = 0;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        i = 2;
    }
    uint64_t v = 0;
    if (i == text.size()) return std::nullopt;
    for (; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        int d;
        if (std::isdigit(c)) {
            d = c - '0';
        } else if (base == 16 && std::isxdigit(c)) {
            d = std::tolower(c) - 'a' + 10;
        } else {
            return std::nullopt;
        }
        if (v > (std::numeric_limits<uint64_t>::max() - d) / base) return std::nullopt;
        v = v * base + d;
    }
    return v;
}

std::optional<bool> parse_bool(std::string_view t) {
    if (t == "on" || t == "yes" || t == "true" || t == "y") return true;
    if (t == "off" || t == "no" || t == "false" || t == "n") return false;
    return std::nullopt;
}

}  // namespace emu
