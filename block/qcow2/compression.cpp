// Cluster compression. zlib streams are raw deflate (no zlib header), as
// the qcow2 spec requires; zstd clusters are one zstd frame. Compressed data
// in the file is followed by up to a sector of unrelated bytes, so both
// decompressors stop once the cluster is full.
#include <zlib.h>
#include <zstd.h>

#include <cerrno>

#include "block/qcow2/qcow2.h"

namespace emu::block::qcow2 {

namespace {

// Per-thread compressor state: deflateInit allocates a few hundred KiB, too
// much to repeat for every cluster.
struct Deflater {
    z_stream s{};
    bool ok = false;
    Deflater(int level) {
        ok = deflateInit2(&s, level, Z_DEFLATED, -12, 9, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~Deflater() {
        if (ok) deflateEnd(&s);
    }
    // Compresses into out (capacity cap); returns the size or 0 if it did not fit.
    size_t run(const uint8_t* in, size_t len, uint8_t* out, size_t cap) {
        if (!ok || deflateReset(&s) != Z_OK) return 0;
        s.next_in = const_cast<uint8_t*>(in);
        s.avail_in = static_cast<uInt>(len);
        s.next_out = out;
        s.avail_out = static_cast<uInt>(cap);
        if (deflate(&s, Z_FINISH) != Z_STREAM_END) return 0;
        return cap - s.avail_out;
    }
};

}  // namespace

size_t compress_cluster_into(CompressionType type, const uint8_t* data, size_t len, uint8_t* out) {
    if (type == CompressionType::Zstd) {
        thread_local ZSTD_CCtx* cctx = ZSTD_createCCtx();
        if (!cctx) return 0;
        size_t n = ZSTD_compressCCtx(cctx, out, len - 1, data, len, ZSTD_CLEVEL_DEFAULT);
        if (ZSTD_isError(n) || n >= len) return 0;
        return n;
    }
    // Data that does not compress (random, already compressed) would be
    // stored raw anyway; a fast trial on its first 4 KiB avoids spending a
    // full deflate on it. A cluster that starts incompressible but has a
    // compressible tail is then stored raw: valid, just a little larger.
    if (len >= 16384) {
        thread_local Deflater probe_z(1);
        uint8_t probe[4096 + 64];
        const size_t tn = probe_z.run(data, 4096, probe, sizeof probe);
        if (tn == 0 || tn >= 4096 - 4096 / 64) return 0;
    }
    // Window of 4 KiB (-12): what other qcow2 writers use; any reader copes.
    thread_local Deflater z(Z_DEFAULT_COMPRESSION);
    return z.run(data, len, out, len - 1);  // must end up smaller than a cluster
}

std::vector<uint8_t> compress_cluster(CompressionType type, const uint8_t* data, size_t len) {
    std::vector<uint8_t> out(len);
    const size_t n = compress_cluster_into(type, data, len, out.data());
    out.resize(n);
    return out;
}

int decompress_cluster(CompressionType type, const uint8_t* in, size_t in_len, uint8_t* out,
                       size_t out_len) {
    if (type == CompressionType::Zstd) {
        ZSTD_DCtx* d = ZSTD_createDCtx();
        if (!d) return -ENOMEM;
        ZSTD_inBuffer ib{in, in_len, 0};
        ZSTD_outBuffer ob{out, out_len, 0};
        int ret = 0;
        while (ob.pos < ob.size) {
            size_t r = ZSTD_decompressStream(d, &ob, &ib);
            if (ZSTD_isError(r)) {
                ret = -EIO;
                break;
            }
            if (r == 0 || ib.pos == ib.size) {  // frame ended or input exhausted
                if (ob.pos < ob.size) ret = -EIO;
                break;
            }
        }
        ZSTD_freeDCtx(d);
        return ret;
    }
    z_stream s{};
    if (inflateInit2(&s, -15) != Z_OK) return -ENOMEM;
    s.next_in = const_cast<uint8_t*>(in);
    s.avail_in = static_cast<uInt>(in_len);
    s.next_out = out;
    s.avail_out = static_cast<uInt>(out_len);
    int r = inflate(&s, Z_FINISH);
    bool ok = (r == Z_STREAM_END || r == Z_BUF_ERROR || r == Z_OK) && s.avail_out == 0;
    inflateEnd(&s);
    return ok ? 0 : -EIO;
}

}  // namespace emu::block::qcow2
