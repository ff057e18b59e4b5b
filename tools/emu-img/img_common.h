#pragma once
// Shared pieces of the emu-img commands: argument handling in qemu-img's
// style (getopt_long, options may follow the file names), size formatting
// and image opening with qemu-img's error messages.
#include <getopt.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "block/block_driver.h"

namespace emu::img {

// One command: argv[0] is the command name.
using CommandFn = int (*)(int argc, char** argv);
int cmd_create(int argc, char** argv);
int cmd_info(int argc, char** argv);
int cmd_check(int argc, char** argv);
int cmd_convert(int argc, char** argv);
int cmd_snapshot(int argc, char** argv);
int cmd_resize(int argc, char** argv);
int cmd_map(int argc, char** argv);
int cmd_compare(int argc, char** argv);
int cmd_rebase(int argc, char** argv);

// Creates an image from qemu-img style -o options (create and convert).
// size == nullptr: take it from -o size= or the backing file. Prints errors.
int create_image(const std::string& fmt, const std::string& filename, const uint64_t* size,
                 const std::vector<std::string>& opts, std::string backing, std::string backing_fmt,
                 bool unsafe, bool quiet);

// "1 GiB", "196 KiB", "0 B" (three significant digits, binary units).
std::string size_to_str(uint64_t v);
// qemu-img's size syntax for create/resize: bytes or k/M/G/T/P/E suffixes.
bool parse_img_size(const std::string& s, uint64_t* out);

// Opens an image the way qemu-img does; prints the error and returns
// nullptr on failure.
std::unique_ptr<block::BlockDriver> open_or_report(
    const std::string& path, const std::string& fmt, bool read_only, bool open_backing = true,
    block::CacheMode cache = block::CacheMode::Writeback);

// The getopt_long loop of a command. `shortopts` as getopt_long takes them,
// starting with ':' (after a '+', if any) so that a missing argument comes
// back here; -h prints `usage`; a missing argument or an unknown option is
// a usage error. Every other option goes to on_option(c), which returns
// kNextOption to go on or the command's exit status. Returns kNextOption
// once the options are done (optind at the first operand), else the exit
// status.
constexpr int kNextOption = -1;
int parse_options(int argc, char** argv, const char* shortopts, const ::option* longopts,
                  const char* usage, const std::function<int(int c)>& on_option);

// Prints "Try 'emu-img --help' ..." style usage errors; always returns 1.
int usage_error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// JSON string escaping for --output=json.
std::string json_str(const std::string& s);

}  // namespace emu::img
