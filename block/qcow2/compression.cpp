// Cluster compression. zlib streams are raw deflate (no zlib header), as
// the qcow2 spec requires; zstd clusters are one zstd frame. Compressed data
// in the file is followed by up to a sector of unrelated bytes, so both
// decompressors stop once the cluster is full.
#include <zlib.h>
#include <zstd.h>

#include <cerrno>

#include "block/qcow2/qcow2.h"

namespace emu::block::qcow2 {

std::vector<uint8_t> compress_cluster(CompressionType type, const uint8_t* data, size_t len) {
    std::vector<uint8_t> out;
    if (type == CompressionType::Zstd) {
        out.resize(ZSTD_compressBound(len));
        size_t n = ZSTD_compress(out.data(), out.size(), data, len, ZSTD_CLEVEL_DEFAULT);
        if (ZSTD_isError(n) || n >= len) return {};
        out.resize(n);
        return out;
    }
    z_stream s{};
    // Window of 4 KiB (-12): what other qcow2 writers use; any reader copes.
    if (deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    out.resize(len);
    s.next_in = const_cast<uint8_t*>(data);
    s.avail_in = static_cast<uInt>(len);
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(len - 1);  // must end up smaller than a cluster
    int r = deflate(&s, Z_FINISH);
    size_t n = len - 1 - s.avail_out;
    deflateEnd(&s);
    if (r != Z_STREAM_END) return {};
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
