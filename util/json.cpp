#include "util/json.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

namespace emu {

const Json* Json::find(std::string_view key) const {
    if (!is_object()) return nullptr;
    for (const auto& [k, v] : as_object()) {
        if (k == key) return &v;
    }
    return nullptr;
}

Json& Json::set(std::string key, Json value) {
    for (auto& [k, v] : as_object()) {
        if (k == key) {
            v = std::move(value);
            return *this;
        }
    }
    as_object().emplace_back(std::move(key), std::move(value));
    return *this;
}

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += char(c);
                }
        }
    }
    out += '"';
    return out;
}

void Json::dump_to(std::string& out, int indent, int level) const {
    auto newline = [&](int lvl) {
        if (indent <= 0) return;
        out += '\n';
        out.append(size_t(lvl * indent), ' ');
    };
    if (is_null()) {
        out += "null";
    } else if (is_bool()) {
        out += as_bool() ? "true" : "false";
    } else if (is_int()) {
        out += std::to_string(as_int());
    } else if (std::holds_alternative<double>(v_)) {
        double d = std::get<double>(v_);
        if (!std::isfinite(d)) {
            out += "null";
        } else {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.17g", d);
            out += buf;
            // Keep it a number that re-parses as a double ("-0" would come
            // back as the integer 0).
            if (!std::strpbrk(buf, ".eEn")) out += ".0";
        }
    } else if (is_string()) {
        out += json_quote(as_string());
    } else if (is_array()) {
        const auto& a = as_array();
        out += '[';
        for (size_t i = 0; i < a.size(); ++i) {
            if (i) out += indent > 0 ? "," : ", ";
            newline(level + 1);
            a[i].dump_to(out, indent, level + 1);
        }
        if (!a.empty()) newline(level);
        out += ']';
    } else {
        const auto& o = as_object();
        out += '{';
        for (size_t i = 0; i < o.size(); ++i) {
            if (i) out += indent > 0 ? "," : ", ";
            newline(level + 1);
            out += json_quote(o[i].first);
            out += ": ";
            o[i].second.dump_to(out, indent, level + 1);
        }
        if (!o.empty()) newline(level);
        out += '}';
    }
}

std::string Json::dump() const {
    std::string s;
    dump_to(s, 0, 0);
    return s;
}

std::string Json::dump_pretty(int indent) const {
    std::string s;
    dump_to(s, indent, 0);
    return s;
}

namespace {

class Parser {
  public:
    Parser(std::string_view t, int max_depth) : t_(t), max_depth_(max_depth) {}

    std::optional<Json> run(std::string* err) {
        ws();
        auto v = value(0);
        if (v) {
            ws();
            if (p_ != t_.size()) fail("trailing characters");
        }
        if (!err_.empty()) {
            if (err) *err = err_ + " at offset " + std::to_string(p_);
            return std::nullopt;
        }
        return v;
    }

  private:
    void fail(const char* msg) {
        if (err_.empty()) err_ = msg;
    }
    void ws() {
        while (p_ < t_.size() &&
               (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r')) {
            ++p_;
        }
    }
    bool lit(std::string_view w) {
        if (t_.substr(p_, w.size()) == w) {
            p_ += w.size();
            return true;
        }
        return false;
    }

    std::optional<Json> value(int depth) {
        if (depth > max_depth_) {
            fail("nesting too deep");
            return std::nullopt;
        }
        if (p_ >= t_.size()) {
            fail("unexpected end of input");
            return std::nullopt;
        }
        char c = t_[p_];
        if (c == '{') return object(depth);
        if (c == '[') return array(depth);
        if (c == '"') {
            auto s = string();
            if (!s) return std::nullopt;
            return Json(std::move(*s));
        }
        if (lit("true")) return Json(true);
        if (lit("false")) return Json(false);
        if (lit("null")) return Json(nullptr);
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        fail("unexpected character");
        return std::nullopt;
    }

    std::optional<Json> number() {
        size_t start = p_;
        if (t_[p_] == '-') ++p_;
        bool is_float = false;
        size_t digits = 0;
        while (p_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[p_])))
            ++p_, ++digits;
        if (!digits) {
            fail("malformed number");
            return std::nullopt;
        }
        if (p_ < t_.size() && t_[p_] == '.') {
            is_float = true;
            ++p_;
            size_t f = 0;
            while (p_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[p_])))
                ++p_, ++f;
            if (!f) {
                fail("malformed number");
                return std::nullopt;
            }
        }
        if (p_ < t_.size() && (t_[p_] == 'e' || t_[p_] == 'E')) {
            is_float = true;
            ++p_;
            if (p_ < t_.size() && (t_[p_] == '+' || t_[p_] == '-')) ++p_;
            size_t e = 0;
            while (p_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[p_])))
                ++p_, ++e;
            if (!e) {
                fail("malformed number");
                return std::nullopt;
            }
        }
        std::string s(t_.substr(start, p_ - start));
        if (!is_float) {
            errno = 0;
            char* end = nullptr;
            long long v = std::strtoll(s.c_str(), &end, 10);
            if (errno == 0) return Json(int64_t(v));
            // Out of int64 range: fall back to a double, as QEMU's parser does.
        }
        return Json(std::strtod(s.c_str(), nullptr));
    }

    static void put_utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xc0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out += char(0xe0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3f));
            out += char(0x80 | (cp & 0x3f));
        } else {
            out += char(0xf0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3f));
            out += char(0x80 | ((cp >> 6) & 0x3f));
            out += char(0x80 | (cp & 0x3f));
        }
    }

    std::optional<uint32_t> hex4() {
        if (p_ + 4 > t_.size()) return std::nullopt;
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = t_[p_++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= uint32_t(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= uint32_t(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= uint32_t(c - 'A' + 10);
            else
                return std::nullopt;
        }
        return v;
    }

    std::optional<std::string> string() {
        ++p_;  // opening quote
        std::string out;
        while (p_ < t_.size()) {
            char c = t_[p_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) {
                fail("control character in string");
                return std::nullopt;
            }
            if (c != '\\') {
                out += c;
                continue;
            }
            if (p_ >= t_.size()) break;
            char e = t_[p_++];
            switch (e) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    auto cp = hex4();
                    if (!cp) {
                        fail("bad \\u escape");
                        return std::nullopt;
                    }
                    uint32_t v = *cp;
                    if (v >= 0xd800 && v < 0xdc00 && lit("\\u")) {
                        auto lo = hex4();
                        if (!lo || *lo < 0xdc00 || *lo > 0xdfff) {
                            fail("bad surrogate pair");
                            return std::nullopt;
                        }
                        v = 0x10000 + ((v - 0xd800) << 10) + (*lo - 0xdc00);
                    }
                    put_utf8(out, v);
                    break;
                }
                default:
                    fail("bad escape");
                    return std::nullopt;
            }
        }
        fail("unterminated string");
        return std::nullopt;
    }

    std::optional<Json> array(int depth) {
        ++p_;
        Json a = Json::array();
        ws();
        if (p_ < t_.size() && t_[p_] == ']') {
            ++p_;
            return a;
        }
        for (;;) {
            ws();
            auto v = value(depth + 1);
            if (!v) return std::nullopt;
            a.push(std::move(*v));
            ws();
            if (p_ < t_.size() && t_[p_] == ',') {
                ++p_;
                continue;
            }
            if (p_ < t_.size() && t_[p_] == ']') {
                ++p_;
                return a;
            }
            fail("expected ',' or ']'");
            return std::nullopt;
        }
    }

    std::optional<Json> object(int depth) {
        ++p_;
        Json o = Json::object();
        std::set<std::string> seen;  // duplicate check without quadratic cost
        ws();
        if (p_ < t_.size() && t_[p_] == '}') {
            ++p_;
            return o;
        }
        for (;;) {
            ws();
            if (p_ >= t_.size() || t_[p_] != '"') {
                fail("expected a member name");
                return std::nullopt;
            }
            auto k = string();
            if (!k) return std::nullopt;
            ws();
            if (p_ >= t_.size() || t_[p_] != ':') {
                fail("expected ':'");
                return std::nullopt;
            }
            ++p_;
            ws();
            auto v = value(depth + 1);
            if (!v) return std::nullopt;
            if (!seen.insert(*k).second) {
                fail("duplicate key");
                return std::nullopt;
            }
            o.as_object().emplace_back(std::move(*k), std::move(*v));
            ws();
            if (p_ < t_.size() && t_[p_] == ',') {
                ++p_;
                continue;
            }
            if (p_ < t_.size() && t_[p_] == '}') {
                ++p_;
                return o;
            }
            fail("expected ',' or '}'");
            return std::nullopt;
        }
    }

    std::string_view t_;
    size_t p_ = 0;
    int max_depth_;
    std::string err_;
};

}  // namespace

std::optional<Json> Json::parse(std::string_view text, std::string* err, int max_depth) {
    Parser p(text, max_depth);
    return p.run(err);
}

}  // namespace emu
