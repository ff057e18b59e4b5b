#pragma once
// -d / -D logging: a bit mask of categories, checked cheaply at the call site.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace emu {

enum LogMask : uint32_t {
    LOG_IN_ASM = 1u << 0,
    LOG_OUT_ASM = 1u << 1,
    LOG_OP = 1u << 2,
    LOG_OP_OPT = 1u << 3,
    LOG_EXEC = 1u << 4,
    LOG_CPU = 1u << 5,
    LOG_INT = 1u << 6,
    LOG_MMU = 1u << 7,
    LOG_UNIMP = 1u << 8,
    LOG_GUEST_ERROR = 1u << 9,
    LOG_PAGE = 1u << 10,
    LOG_NOCHAIN = 1u << 11,
    LOG_TRACE = 1u << 12,
};

struct LogCategory {
    std::string_view name;
    uint32_t mask;
    std::string_view help;
};

// The categories -d accepts, in the order "-d help" prints them.
const std::vector<LogCategory>& log_categories();

extern std::atomic<uint32_t> g_log_mask;

inline bool log_enabled(uint32_t mask) {
    return (g_log_mask.load(std::memory_order_relaxed) & mask) != 0;
}

// Parses "in_asm,cpu" (or "help"). Returns the mask, or sets `bad` to the
// first unknown category and returns 0.
uint32_t parse_log_mask(std::string_view spec, std::string* bad);

// Sends the log to a file (-D); an empty path means stderr.
bool log_set_file(const std::string& path, std::string* err);
std::FILE* log_file();

// printf-style log line, only emitted when `mask` is enabled.
void log_mask(uint32_t mask, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// Unconditional log output (used after a log_enabled() check).
void log_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Fatal and warning messages to stderr, prefixed with the program name the
// way QEMU prefixes "qemu-system-aarch64: ".
void set_program_name(std::string_view name);
const std::string& program_name();
// Fuzzers and tests silence the (expected) error messages.
void set_reports_silenced(bool silenced);
void error_report(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_report(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace emu
