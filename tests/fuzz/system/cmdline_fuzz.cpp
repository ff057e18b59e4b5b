// The command line: arguments separated by NUL bytes in the input.
#include <cstdio>
#include <string>
#include <vector>

#include "system/cmdline.h"
#include "util/log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Every rejected input prints an error; keep the fuzzer's output readable
    // (crash reports still go to stderr).
    emu::set_reports_silenced(true);
    std::vector<std::string> args{"emu-system-aarch64"};
    std::string cur;
    for (size_t i = 0; i < size && args.size() < 64; ++i) {
        if (data[i] == 0) {
            args.push_back(cur);
            cur.clear();
        } else {
            cur += char(data[i]);
        }
    }
    args.push_back(cur);
    std::vector<const char*> argv;
    for (auto& a : args)
        argv.push_back(a.c_str());
    emu::parse_command_line(int(argv.size()), argv.data(), emu::TargetArch::Aarch64);
    return 0;
}
