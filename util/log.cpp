#include "util/log.h"

#include <cstdarg>
#include <mutex>

namespace emu {

std::atomic<uint32_t> g_log_mask{0};

namespace {
std::FILE* g_log_file = nullptr;
std::mutex g_log_lock;
std::string g_program_name = "emu";
}  // namespace

const std::vector<LogCategory>& log_categories() {
    static const std::vector<LogCategory> cats = {
        {"out_asm", LOG_OUT_ASM, "show generated host assembly code for each compiled TB"},
        {"in_asm", LOG_IN_ASM, "show target assembly code for each compiled TB"},
        {"op", LOG_OP, "show IR ops for each compiled TB"},
        {"op_opt", LOG_OP_OPT, "show IR ops after optimization"},
        {"int", LOG_INT, "show interrupts/exceptions in short format"},
        {"exec", LOG_EXEC, "show trace before each executed TB (lots of logs)"},
        {"cpu", LOG_CPU, "show CPU registers before entering a TB (lots of logs)"},
        {"mmu", LOG_MMU, "log MMU-related activities"},
        {"unimp", LOG_UNIMP, "log unimplemented functionality"},
        {"guest_errors", LOG_GUEST_ERROR,
         "log when the guest OS does something invalid (eg accessing a non-existent register)"},
        {"page", LOG_PAGE, "dump pages at beginning of user mode emulation"},
        {"nochain", LOG_NOCHAIN,
         "do not chain compiled TBs so that \"exec\" and \"cpu\" show complete traces"},
        {"trace", LOG_TRACE, "show device model trace points"},
    };
    return cats;
}

uint32_t parse_log_mask(std::string_view spec, std::string* bad) {
    uint32_t mask = 0;
    size_t pos = 0;
    while (pos <= spec.size()) {
        size_t comma = spec.find(',', pos);
        if (comma == std::string_view::npos) comma = spec.size();
        std::string_view item = spec.substr(pos, comma - pos);
        bool found = false;
        if (item == "all") {
            for (const auto& c : log_categories())
                mask |= c.mask;
            found = true;
        }
        for (const auto& c : log_categories()) {
            if (c.name == item) {
                mask |= c.mask;
                found = true;
            }
        }
        if (!found) {
            if (bad) *bad = std::string(item);
            return 0;
        }
        pos = comma + 1;
    }
    return mask;
}

bool log_set_file(const std::string& path, std::string* err) {
    std::lock_guard<std::mutex> g(g_log_lock);
    if (path.empty()) {
        g_log_file = nullptr;
        return true;
    }
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) {
        if (err) *err = "cannot open log file '" + path + "'";
        return false;
    }
    std::setvbuf(f, nullptr, _IOLBF, 0);
    g_log_file = f;
    return true;
}

std::FILE* log_file() {
    return g_log_file ? g_log_file : stderr;
}

static void vlog(const char* fmt, va_list ap) {
    std::lock_guard<std::mutex> g(g_log_lock);
    std::vfprintf(log_file(), fmt, ap);
}

void log_mask(uint32_t mask, const char* fmt, ...) {
    if (!log_enabled(mask)) return;
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

void log_printf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

void set_program_name(std::string_view name) {
    size_t slash = name.rfind('/');
    g_program_name = std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

const std::string& program_name() {
    return g_program_name;
}

static std::atomic<bool> g_silenced{false};

void set_reports_silenced(bool silenced) { g_silenced.store(silenced); }

static void vreport(const char* prefix, const char* fmt, va_list ap) {
    if (g_silenced.load()) return;
    std::fprintf(stderr, "%s: %s", g_program_name.c_str(), prefix);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
}

void error_report(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport("", fmt, ap);
    va_end(ap);
}

void warn_report(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport("warning: ", fmt, ap);
    va_end(ap);
}

}  // namespace emu
