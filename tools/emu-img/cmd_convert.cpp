// emu-img convert: copies one or more images (concatenated) into a new
// image. Zero areas are skipped (sparse output). Reading and writing
// overlap (worker threads read, decompress and compress chunks; the main
// thread writes them in order).
#include <getopt.h>

#include <atomic>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "block/iov_util.h"
#include "block/qcow2/qcow2.h"
#include "tools/emu-img/img_common.h"
#include "util/log.h"

namespace emu::img {

namespace {

struct Source {
    std::unique_ptr<block::BlockDriver> drv;
    uint64_t start;  // offset in the concatenated input
};

class Progress {
  public:
    explicit Progress(bool on) : on_(on) {
        if (on_) print(0);
    }
    void update(uint64_t done, uint64_t total) {
        if (!on_ || total == 0) return;
        double p = done * 100.0 / total;
        if (p - last_ >= 1.0 || done == total) print(p);
    }
    void finish() {
        if (!on_) return;
        print(100.0);
        std::printf("\n");
        std::fflush(stdout);
    }

  private:
    void print(double p) {
        last_ = p;
        std::printf("    (%.2f/100%%)\r", p);
        std::fflush(stdout);
    }
    bool on_;
    double last_ = 0;
};

struct Extent {
    uint64_t pos, len;  // relative to the chunk
    bool zero;          // known to read as zeroes (not read, buffer untouched)
};

// Reads [off, off+len) of the concatenated sources into buf, except areas
// block status reports as zero, which are only listed in *ext.
int read_input(std::vector<Source>& srcs, uint64_t off, uint64_t len, uint8_t* buf,
               std::vector<Extent>* ext) {
    ext->clear();
    auto add = [&](uint64_t pos, uint64_t n, bool zero) {
        if (!ext->empty() && ext->back().zero == zero && ext->back().pos + ext->back().len == pos)
            ext->back().len += n;
        else
            ext->push_back({pos, n, zero});
    };
    for (Source& s : srcs) {
        const uint64_t ss = s.drv->size();
        if (off + len <= s.start || off >= s.start + ss) continue;
        uint64_t a = std::max(off, s.start), b = std::min(off + len, s.start + ss);
        uint64_t pos = a;
        while (pos < b) {
            block::BlockStatus st;
            int r = s.drv->block_status(pos - s.start, b - pos, &st);
            if (r < 0) return r;
            uint64_t n = std::min<uint64_t>(st.bytes, b - pos);
            if (n == 0) n = b - pos;
            if ((st.flags & block::BLOCK_STATUS_ZERO) && !(st.flags & block::BLOCK_STATUS_DATA)) {
                add(pos - off, n, true);
            } else {
                r = s.drv->pread(pos - s.start, buf + (pos - off), n);
                if (r < 0) return r;
                add(pos - off, n, false);
            }
            pos += n;
        }
    }
    return 0;
}

}  // namespace

int cmd_convert(int argc, char** argv) {
    std::string src_fmt, out_fmt = "raw", cache = "unsafe", src_cache = "writeback";
    std::vector<std::string> opt_strs;
    bool compress = false, progress = false, quiet = false, no_create = false;
    uint64_t sparse = 4096;
    bool target_is_zero = false;
    static const option longopts[] = {{"help", no_argument, nullptr, 'h'},
                                      {"target-is-zero", no_argument, nullptr, 'z'},
                                      {"force-share", no_argument, nullptr, 'U'},
                                      {nullptr, 0, nullptr, 0}};
    auto on_option = [&](int c) {
        switch (c) {
            case 'f':
                src_fmt = optarg;
                break;
            case 'O':
                out_fmt = optarg;
                break;
            case 'c':
                compress = true;
                break;
            case 'o':
                opt_strs.push_back(optarg);
                break;
            case 'p':
                progress = true;
                break;
            case 'q':
                quiet = true;
                break;
            case 'n':
                no_create = true;
                break;
            case 't':
                cache = optarg;
                break;
            case 'T':
                src_cache = optarg;
                break;
            case 'S':
                if (!parse_img_size(optarg, &sparse)) {
                    error_report(
                        "Invalid buffer size for sparse output specified. Valid sizes are "
                        "multiples of 512 up to 16M.");
                    return 1;
                }
                break;
            case 'm':
            case 'W':
            case 'U':
            case 'C':
            case 'r':
                break;  // parallelism/copy-offload hints: we decide ourselves
            case 'z':
                target_is_zero = true;
                break;
            case 'B':
            case 'F':
            case 'l':
                error_report("not supported yet: convert -%c", c);
                return 1;
        }
        return kNextOption;
    };
    int rc =
        parse_options(argc, argv, ":hf:O:B:CcF:o:l:S:pt:T:qnm:WUr:", longopts,
                      "usage: emu-img convert [-c] [-p] [-q] [-n] [-f fmt] [-O output_fmt] [-o "
                      "options] [-S sparse_size] filename [filename2 [...]] output_filename\n",
                      on_option);
    if (rc != kNextOption) return rc;
    if (quiet) progress = false;
    if (argc - optind < 2) return usage_error("Expecting image file name");
    if (out_fmt != "raw" && out_fmt != "qcow2") {
        error_report("Unknown file format '%s'", out_fmt.c_str());
        return 1;
    }
    if (compress && out_fmt != "qcow2") {
        error_report("Compression not supported for this file format");
        return 1;
    }
    block::CacheMode out_cache, in_cache;
    if (!block::parse_cache_mode(cache, &out_cache) ||
        !block::parse_cache_mode(src_cache, &in_cache)) {
        error_report("Invalid cache option: %s", cache.c_str());
        return 1;
    }
    std::string out_name = argv[argc - 1];
    std::vector<Source> srcs;
    uint64_t total = 0;
    for (int i = optind; i < argc - 1; i++) {
        auto d = open_or_report(argv[i], src_fmt, true, true, in_cache);
        if (!d) return 1;
        srcs.push_back({std::move(d), total});
        total += srcs.back().drv->size();
    }

    if (!no_create) {
        if (create_image(out_fmt, out_name, &total, opt_strs, "", "", false, true) != 0) return 1;
        target_is_zero = true;
    }
    auto out = open_or_report(out_name, out_fmt, false, true, out_cache);
    if (!out) return 1;
    if (no_create && out->size() < total) {
        error_report("Output image is too small (%" PRIu64 " < %" PRIu64 ")", out->size(), total);
        return 1;
    }
    auto* qout = dynamic_cast<block::qcow2::Qcow2Image*>(out.get());
    const uint64_t cs = qout ? qout->cluster_size() : 65536;
    // Zero detection granularity: a whole cluster for qcow2 (a partial one
    // would be written anyway), the -S size for raw.
    uint64_t gran = qout ? cs : (sparse ? sparse : 0);
    const uint64_t chunk = std::max<uint64_t>(cs, compress ? 16 * cs : (1u << 20));

    Progress prog(progress);

    // Workers each take the next chunk, read it (decompressing in parallel
    // when the source is compressed), find its zero runs and, with -c,
    // compress its clusters; this thread writes finished chunks in order.
    // A window of slots bounds memory and keeps the output sequential.
    const auto ctype = qout ? qout->header().compression_type : block::qcow2::CompressionType::Zlib;
    // More workers than cores keeps the pipeline full while the writer runs.
    const unsigned nthreads = std::max(4u, std::thread::hardware_concurrency());
    const uint64_t nchunks = (total + chunk - 1) / chunk;
    const uint64_t window = 4 * nthreads;
    struct Run {
        uint64_t pos, len;
        bool zero;
    };
    struct Slot {
        std::vector<uint8_t> buf;
        std::vector<Extent> ext;       // what the read found
        std::vector<uint8_t> comp;     // -c: cluster k at k * cs
        std::vector<size_t> comp_len;  // -c: 0 = store raw
        std::vector<char> skip;        // -c: cluster is all zero
        std::vector<Run> runs;         // otherwise: zero / data runs
        bool zero = false;
        bool ready = false;
        int err = 0;
    };
    std::vector<Slot> slots(window);
    std::mutex m;
    std::condition_variable cv;
    uint64_t written = 0;
    std::atomic<uint64_t> next{0};
    std::atomic<bool> stop{false};
    auto worker = [&] {
        for (;;) {
            const uint64_t i = next.fetch_add(1);
            if (i >= nchunks) return;
            {
                std::unique_lock<std::mutex> g(m);
                cv.wait(g, [&] { return i < written + window || stop.load(); });
                if (stop.load()) return;
            }
            Slot& s = slots[i % window];
            const uint64_t off = i * chunk, len = std::min(chunk, total - off);
            s.buf.resize(chunk);
            s.err = read_input(srcs, off, len, s.buf.data(), &s.ext);
            s.zero = true;
            for (const Extent& e : s.ext)
                s.zero &= e.zero;
            s.runs.clear();
            if (compress && !s.zero && s.err == 0) {
                for (const Extent& e : s.ext)
                    if (e.zero) std::memset(s.buf.data() + e.pos, 0, e.len);
                const uint64_t n = (len + cs - 1) / cs;
                s.comp.resize(chunk);
                s.comp_len.assign(n, 0);
                s.skip.assign(n, 0);
                for (uint64_t k = 0; k < n; k++) {
                    const uint64_t l = std::min(cs, len - k * cs);
                    const uint8_t* p = s.buf.data() + k * cs;
                    s.skip[k] = block::buffer_is_zero(p, l);
                    if (s.skip[k] || l < cs) continue;  // a short last cluster is stored raw
                    s.comp_len[k] =
                        block::qcow2::compress_cluster_into(ctype, p, l, s.comp.data() + k * cs);
                }
            } else if (!s.zero && s.err == 0) {
                for (const Extent& e : s.ext) {
                    if (e.zero || gran == 0) {
                        s.runs.push_back({e.pos, e.len, e.zero});
                        continue;
                    }
                    for (uint64_t pos = e.pos; pos < e.pos + e.len;) {
                        const uint64_t n = std::min(gran, e.pos + e.len - pos);
                        const bool z = block::buffer_is_zero(s.buf.data() + pos, n);
                        if (!s.runs.empty() && s.runs.back().zero == z &&
                            s.runs.back().pos + s.runs.back().len == pos)
                            s.runs.back().len += n;
                        else
                            s.runs.push_back({pos, n, z});
                        pos += n;
                    }
                }
            }
            std::lock_guard<std::mutex> g(m);
            s.ready = true;
            cv.notify_all();
        }
    };
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < nthreads; t++)
        ts.emplace_back(worker);
    int wr = 0;
    for (uint64_t i = 0; i < nchunks && wr == 0; i++) {
        Slot& s = slots[i % window];
        {
            std::unique_lock<std::mutex> g(m);
            cv.wait(g, [&] { return s.ready; });
        }
        const uint64_t off = i * chunk, len = std::min(chunk, total - off);
        if (s.err < 0) {
            error_report("error while reading at byte %" PRIu64 ": %s", off, std::strerror(-s.err));
            wr = s.err;
            break;
        }
        if (s.zero) {
            if (!target_is_zero) wr = out->write_zeroes(off, len, true);
        } else if (compress) {
            // Runs of non-zero whole clusters go to the image in one call.
            const uint64_t n = s.comp_len.size();
            std::vector<const uint8_t*> rawp(n), compp(n);
            for (uint64_t k = 0; k < n; k++) {
                rawp[k] = s.buf.data() + k * cs;
                compp[k] = s.comp.data() + k * cs;
            }
            for (uint64_t k = 0; k < n && wr == 0;) {
                const uint64_t l = std::min(cs, len - k * cs);
                if (s.skip[k]) {
                    if (!target_is_zero) wr = out->write_zeroes(off + k * cs, l, true);
                    k++;
                } else if (l < cs) {
                    wr = out->pwrite(off + k * cs, rawp[k], l);
                    k++;
                } else {
                    uint64_t j = k;
                    while (j < n && !s.skip[j] && std::min(cs, len - j * cs) == cs)
                        j++;
                    wr = qout->write_compressed_run(off + k * cs, j - k, &rawp[k], &compp[k],
                                                    &s.comp_len[k]);
                    k = j;
                }
            }
        } else {
            for (const Run& rn : s.runs) {
                if (wr < 0) break;
                if (!rn.zero)
                    wr = out->pwrite(off + rn.pos, s.buf.data() + rn.pos, rn.len);
                else if (!target_is_zero)
                    wr = out->write_zeroes(off + rn.pos, rn.len, true);
            }
        }
        if (wr < 0)
            error_report("error while writing at byte %" PRIu64 ": %s", off, std::strerror(-wr));
        prog.update(off + len, total);
        std::lock_guard<std::mutex> g(m);
        s.ready = false;
        written++;
        cv.notify_all();
    }
    if (wr < 0) {
        std::lock_guard<std::mutex> g(m);
        stop = true;
        cv.notify_all();
    }
    for (auto& t : ts)
        t.join();
    if (wr < 0) return 1;
    int r = out->flush();
    if (r < 0) {
        error_report("error while flushing: %s", std::strerror(-r));
        return 1;
    }
    prog.finish();
    return 0;
}

}  // namespace emu::img
