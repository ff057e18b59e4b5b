#pragma once
// A small JSON value with a hardened parser (depth and size limits) for QMP
// and machine-readable tool output. Objects keep insertion order, as QEMU's
// output does.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace emu {

class Json {
  public:
    using Array = std::vector<Json>;
    using Object = std::vector<std::pair<std::string, Json>>;

    Json() : v_(nullptr) {}
    Json(std::nullptr_t) : v_(nullptr) {}
    Json(bool b) : v_(b) {}
    Json(int v) : v_(int64_t(v)) {}
    Json(int64_t v) : v_(v) {}
    Json(uint64_t v) : v_(int64_t(v)) {}
    Json(unsigned v) : v_(int64_t(v)) {}
    Json(double v) : v_(v) {}
    Json(const char* s) : v_(std::string(s)) {}
    Json(std::string s) : v_(std::move(s)) {}
    Json(Array a) : v_(std::move(a)) {}
    Json(Object o) : v_(std::move(o)) {}

    static Json object() { return Json(Object{}); }
    static Json array() { return Json(Array{}); }

    bool is_null() const { return std::holds_alternative<std::nullptr_t>(v_); }
    bool is_bool() const { return std::holds_alternative<bool>(v_); }
    bool is_int() const { return std::holds_alternative<int64_t>(v_); }
    bool is_number() const { return is_int() || std::holds_alternative<double>(v_); }
    bool is_string() const { return std::holds_alternative<std::string>(v_); }
    bool is_array() const { return std::holds_alternative<Array>(v_); }
    bool is_object() const { return std::holds_alternative<Object>(v_); }

    bool as_bool() const { return std::get<bool>(v_); }
    int64_t as_int() const { return std::get<int64_t>(v_); }
    double as_double() const {
        return is_int() ? double(std::get<int64_t>(v_)) : std::get<double>(v_);
    }
    const std::string& as_string() const { return std::get<std::string>(v_); }
    const Array& as_array() const { return std::get<Array>(v_); }
    Array& as_array() { return std::get<Array>(v_); }
    const Object& as_object() const { return std::get<Object>(v_); }
    Object& as_object() { return std::get<Object>(v_); }

    // Object member lookup (nullptr if absent or not an object).
    const Json* find(std::string_view key) const;
    // Appends or replaces a member; returns *this for chaining.
    Json& set(std::string key, Json value);
    void push(Json value) { as_array().push_back(std::move(value)); }

    std::string dump() const;                       // compact
    std::string dump_pretty(int indent = 4) const;  // as qemu-img --output=json

    // Parses exactly one value (surrounding whitespace allowed). On error
    // returns nullopt and sets *err (with the byte offset).
    static std::optional<Json> parse(std::string_view text, std::string* err, int max_depth = 64);

  private:
    void dump_to(std::string& out, int indent, int level) const;
    std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object> v_;
};

std::string json_quote(std::string_view s);

}  // namespace emu
