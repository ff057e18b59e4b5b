// emu-img snapshot
#include <getopt.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "block/qcow2/qcow2.h"
#include "tools/emu-img/img_common.h"
#include "tools/emu-img/snapshot_table.h"
#include "util/log.h"

namespace emu::img {

void print_snapshot_table(const std::vector<block::qcow2::SnapshotInfo>& snaps) {
    std::printf("%-9s %-17s %7s%20s%13s%11s\n", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK",
                "ICOUNT");
    for (const auto& s : snaps) {
        char date[64];
        time_t t = s.date_sec;
        struct tm tm;
        localtime_r(&t, &tm);
        std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
        const uint64_t ms = s.vm_clock_nsec / 1000000;
        char clock[64];
        std::snprintf(clock, sizeof clock, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64,
                      ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
        char icount[32] = "";
        if (s.icount != UINT64_MAX) std::snprintf(icount, sizeof icount, "%" PRIu64, s.icount);
        std::printf("%-9s %-17s %7s%20s%13s%11s\n", s.id.c_str(), s.name.c_str(),
                    size_to_str(s.vm_state_size).c_str(), date, clock, icount);
    }
}

int cmd_snapshot(int argc, char** argv) {
    enum { NONE, LIST, CREATE, APPLY, DELETE } action = NONE;
    std::string name, fmt;
    bool quiet = false;
    static const option longopts[] = {{"help", no_argument, nullptr, 'h'},
                                      {"force-share", no_argument, nullptr, 'U'},
                                      {nullptr, 0, nullptr, 0}};
    auto set = [&](decltype(action) a) -> bool {
        if (action != NONE) return false;
        action = a;
        return true;
    };
    auto on_option = [&](int c) {
        switch (c) {
            case 'l':
                if (!set(LIST)) return usage_error("Cannot mix '-l', '-a', '-c', '-d'");
                break;
            case 'a':
            case 'c':
            case 'd':
                if (!set(c == 'a' ? APPLY : c == 'c' ? CREATE : DELETE))
                    return usage_error("Cannot mix '-l', '-a', '-c', '-d'");
                name = optarg;
                break;
            case 'f':
                fmt = optarg;
                break;
            case 'q':
                quiet = true;
                break;
            case 'U':
                break;
        }
        return kNextOption;
    };
    int rc =
        parse_options(argc, argv, ":la:c:d:f:hqU", longopts,
                      "usage: emu-img snapshot [-q] [-l | -a snapshot | -c snapshot | -d snapshot] "
                      "filename\n",
                      on_option);
    if (rc != kNextOption) return rc;
    (void)quiet;
    if (optind != argc - 1) return usage_error("Expecting one image file name");
    if (action == NONE) action = LIST;
    std::string file = argv[optind];
    auto d = open_or_report(file, fmt, action == LIST);
    if (!d) return 1;
    auto* q = dynamic_cast<block::qcow2::Qcow2Image*>(d.get());
    if (!q) {
        error_report("Could not %s snapshot '%s': Operation not supported",
                     action == CREATE  ? "create"
                     : action == APPLY ? "apply"
                                       : "list",
                     name.c_str());
        return 1;
    }
    std::string err;
    switch (action) {
        case LIST: {
            auto snaps = q->snapshots();
            if (snaps.empty()) return 0;
            std::printf("Snapshot list:\n");
            print_snapshot_table(snaps);
            return 0;
        }
        case CREATE:
            if (q->snapshot_create(name, &err) < 0) {
                error_report("Could not create snapshot '%s': %s", name.c_str(), err.c_str());
                return 1;
            }
            return 0;
        case APPLY:
            if (q->snapshot_apply(name, &err) < 0) {
                error_report("Could not apply snapshot '%s': %s", name.c_str(), err.c_str());
                return 1;
            }
            return 0;
        case DELETE:
            if (q->snapshot_delete(name, &err) < 0) {
                error_report("%s", err.c_str());
                return 1;
            }
            return 0;
        case NONE:
            break;
    }
    return 1;
}

}  // namespace emu::img
