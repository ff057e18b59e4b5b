#pragma once
// qcow2 on-disk format: constants, the header and table-entry layouts (from
// the published qcow2 specification, docs/interop/qcow2.txt in QEMU's tree),
// and big-endian helpers. Everything on disk is big-endian.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace emu::block::qcow2 {

inline uint16_t be16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint32_t be32(const uint8_t* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline uint64_t be64(const uint8_t* p) {
    return uint64_t(be32(p)) << 32 | be32(p + 4);
}
inline void put_be16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}
inline void put_be32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = uint8_t(v >> (24 - 8 * i));
}
inline void put_be64(uint8_t* p, uint64_t v) {
    put_be32(p, uint32_t(v >> 32));
    put_be32(p + 4, uint32_t(v));
}

constexpr uint32_t kMagic = 0x514649fb;  // "QFI\xfb"
constexpr uint32_t kMinClusterBits = 9;
constexpr uint32_t kMaxClusterBits = 21;
constexpr uint32_t kHeaderV2Size = 72;
constexpr uint32_t kHeaderV3Size = 104;
// Sanity limits (same magnitudes as QEMU's): larger tables are refused as
// hostile instead of being allocated.
constexpr uint64_t kMaxL1Bytes = 32ull << 20;
constexpr uint64_t kMaxRefcountTableBytes = 8ull << 20;
constexpr uint32_t kMaxSnapshots = 65536;
constexpr uint64_t kMaxSnapshotTableBytes = 64ull << 20;
constexpr uint32_t kMaxBackingNameLen = 1023;

// Incompatible feature bits.
constexpr uint64_t kIncompatDirty = 1ull << 0;
constexpr uint64_t kIncompatCorrupt = 1ull << 1;
constexpr uint64_t kIncompatDataFile = 1ull << 2;
constexpr uint64_t kIncompatCompression = 1ull << 3;
constexpr uint64_t kIncompatExtL2 = 1ull << 4;
constexpr uint64_t kIncompatKnown =
    kIncompatDirty | kIncompatCorrupt | kIncompatCompression;  // the ones we implement
// Compatible feature bits.
constexpr uint64_t kCompatLazyRefcounts = 1ull << 0;
// Autoclear bits we do not implement are cleared when we write (spec rule).

// Header extension types.
constexpr uint32_t kExtEnd = 0;
constexpr uint32_t kExtBackingFormat = 0xe2792aca;
constexpr uint32_t kExtFeatureTable = 0x6803f857;
constexpr uint32_t kExtBitmaps = 0x23852875;
constexpr uint32_t kExtEncryption = 0x0537be77;
constexpr uint32_t kExtDataFile = 0x44415441;

// Table entries.
constexpr uint64_t kOflagCopied = 1ull << 63;      // refcount is exactly 1
constexpr uint64_t kOflagCompressed = 1ull << 62;  // L2: compressed cluster
constexpr uint64_t kOflagZero = 1ull << 0;         // L2 (v3): reads as zeroes
constexpr uint64_t kL1OffsetMask = 0x00fffffffffffe00ull;
constexpr uint64_t kL2OffsetMask = 0x00fffffffffffe00ull;
constexpr uint64_t kReftOffsetMask = 0xfffffffffffffe00ull;

enum class CompressionType : uint8_t { Zlib = 0, Zstd = 1 };

struct Header {
    uint32_t version = 3;
    uint64_t backing_file_offset = 0;
    uint32_t backing_file_size = 0;
    uint32_t cluster_bits = 16;
    uint64_t size = 0;
    uint32_t crypt_method = 0;
    uint32_t l1_size = 0;
    uint64_t l1_table_offset = 0;
    uint64_t refcount_table_offset = 0;
    uint32_t refcount_table_clusters = 0;
    uint32_t nb_snapshots = 0;
    uint64_t snapshots_offset = 0;
    uint64_t incompatible_features = 0;
    uint64_t compatible_features = 0;
    uint64_t autoclear_features = 0;
    uint32_t refcount_order = 4;
    uint32_t header_length = 112;
    CompressionType compression_type = CompressionType::Zlib;

    // From the extensions and the backing-file-name field.
    std::string backing_file;
    std::string backing_format;
    // Extensions we keep verbatim when rewriting the header (unknown ones).
    struct RawExtension {
        uint32_t type;
        std::vector<uint8_t> data;
    };
    std::vector<RawExtension> unknown_extensions;

    uint64_t cluster_size() const { return 1ull << cluster_bits; }
};

// Parses and validates the header cluster. `file_size` bounds every offset.
// On error returns false with a message naming the field.
bool parse_header(const uint8_t* buf, size_t len, uint64_t file_size, Header* h, std::string* err);
// Serialises the header, its extensions and the backing file name into a
// buffer of one cluster. Fails if they do not fit.
bool serialize_header(const Header& h, std::vector<uint8_t>* out, std::string* err);

// Compressed-cluster descriptor layout for a given cluster size.
struct CompressedDesc {
    uint64_t host_offset;
    uint64_t nb_bytes;  // bytes to read starting at host_offset (whole sectors)
};
inline CompressedDesc decode_compressed(uint64_t l2, uint32_t cluster_bits) {
    const uint32_t x = 62 - (cluster_bits - 8);
    const uint64_t off = l2 & ((1ull << x) - 1);
    const uint64_t extra = (l2 >> x) & ((1ull << (cluster_bits - 8)) - 1);
    const uint64_t end = (off & ~511ull) + (extra + 1) * 512;
    return {off, end - off};
}
inline uint64_t encode_compressed(uint64_t host_off, uint64_t len, uint32_t cluster_bits) {
    const uint32_t x = 62 - (cluster_bits - 8);
    const uint64_t extra = ((host_off + len - 1) >> 9) - (host_off >> 9);
    return kOflagCompressed | (extra << x) | host_off;
}

}  // namespace emu::block::qcow2
