// qcow2 header parsing and writing. Every field from the file is checked
// before use: a hostile header gets an error naming the field.
#include <cinttypes>
#include <cstdio>

#include "block/qcow2/qcow2_format.h"
#include "util/hex.h"

namespace emu::block::qcow2 {

namespace {

// Checks that [off, off+len) is a cluster-aligned range inside the file.
bool check_table(const char* what, uint64_t off, uint64_t len, uint64_t cluster_size,
                 uint64_t file_size, std::string* err) {
    if (off & (cluster_size - 1)) {
        *err = std::string(what) + " offset " + hex(off) + " is not cluster aligned";
        return false;
    }
    if (off == 0 && len > 0) {
        *err = std::string(what) + " offset is 0 (overlaps the header)";
        return false;
    }
    if (off > file_size || len > file_size - off) {
        *err = std::string(what) + " at " + hex(off) + " (" + std::to_string(len) +
               " bytes) is past the end of the file (" + std::to_string(file_size) + " bytes)";
        return false;
    }
    return true;
}

const char* feature_name(int bit) {
    switch (bit) {
        case 2:
            return "external data file";
        case 4:
            return "extended L2 entries";
        default:
            return nullptr;
    }
}

}  // namespace

bool parse_header(const uint8_t* buf, size_t len, uint64_t file_size, Header* h, std::string* err) {
    if (len < kHeaderV2Size || be32(buf) != kMagic) {
        *err = "Image is not in qcow2 format";
        return false;
    }
    h->version = be32(buf + 4);
    if (h->version != 2 && h->version != 3) {
        *err = "Unsupported qcow2 version " + std::to_string(h->version);
        return false;
    }
    h->backing_file_offset = be64(buf + 8);
    h->backing_file_size = be32(buf + 16);
    h->cluster_bits = be32(buf + 20);
    h->size = be64(buf + 24);
    h->crypt_method = be32(buf + 32);
    h->l1_size = be32(buf + 36);
    h->l1_table_offset = be64(buf + 40);
    h->refcount_table_offset = be64(buf + 48);
    h->refcount_table_clusters = be32(buf + 56);
    h->nb_snapshots = be32(buf + 60);
    h->snapshots_offset = be64(buf + 64);

    if (h->cluster_bits < kMinClusterBits || h->cluster_bits > kMaxClusterBits) {
        *err = "Unsupported cluster size: 2^" + std::to_string(h->cluster_bits);
        return false;
    }
    const uint64_t cs = h->cluster_size();
    if (len < cs && len < file_size) {
        *err = "Header cluster could not be read";
        return false;
    }

    if (h->version == 2) {
        h->incompatible_features = h->compatible_features = h->autoclear_features = 0;
        h->refcount_order = 4;
        h->header_length = kHeaderV2Size;
        h->compression_type = CompressionType::Zlib;
    } else {
        if (len < kHeaderV3Size) {
            *err = "qcow2 header too short";
            return false;
        }
        h->incompatible_features = be64(buf + 72);
        h->compatible_features = be64(buf + 80);
        h->autoclear_features = be64(buf + 88);
        h->refcount_order = be32(buf + 96);
        h->header_length = be32(buf + 100);
        if (h->header_length < kHeaderV3Size || h->header_length > cs || h->header_length > len) {
            *err = "qcow2 header_length " + std::to_string(h->header_length) + " is invalid";
            return false;
        }
        h->compression_type = CompressionType::Zlib;
        if (h->header_length > 104) {
            uint8_t ct = buf[104];
            if (ct > 1) {
                *err = "Unknown compression type " + std::to_string(ct);
                return false;
            }
            if (ct != 0 && !(h->incompatible_features & kIncompatCompression)) {
                *err = "compression_type is set but the compression type feature bit is not";
                return false;
            }
            h->compression_type = static_cast<CompressionType>(ct);
        }
    }
    const uint64_t unknown = h->incompatible_features & ~kIncompatKnown;
    if (unknown) {
        std::string names;
        for (int b = 0; b < 64; b++) {
            if (!(unknown >> b & 1)) continue;
            const char* n = feature_name(b);
            if (!names.empty()) names += ", ";
            names += n ? n : "bit " + std::to_string(b);
        }
        *err = "not supported yet: qcow2 feature(s): " + names;
        return false;
    }
    if (h->refcount_order > 6) {
        *err = "Refcount width 2^" + std::to_string(h->refcount_order) + " bits is invalid";
        return false;
    }
    if (h->crypt_method != 0) {
        *err = "not supported yet: encrypted qcow2 images";
        return false;
    }
    if (h->size > (1ull << 62)) {
        *err = "Image size " + std::to_string(h->size) + " is too large";
        return false;
    }
    // L1 must cover the virtual size and stay within sane bounds.
    const uint64_t l2_entries = cs / 8;
    const uint64_t needed_l1 = (h->size + cs * l2_entries - 1) / (cs * l2_entries);
    if (uint64_t(h->l1_size) * 8 > kMaxL1Bytes) {
        *err = "Active L1 table too large (l1_size " + std::to_string(h->l1_size) + ")";
        return false;
    }
    if (h->l1_size < needed_l1) {
        *err = "L1 table is too small (l1_size " + std::to_string(h->l1_size) +
               " for a virtual size of " + std::to_string(h->size) + ")";
        return false;
    }
    if (!check_table("L1 table", h->l1_table_offset, uint64_t(h->l1_size) * 8, cs, file_size, err))
        return false;
    if (h->refcount_table_clusters == 0) {
        *err = "Refcount table is empty";
        return false;
    }
    if (uint64_t(h->refcount_table_clusters) * cs > kMaxRefcountTableBytes) {
        *err = "Reference count table too large (" + std::to_string(h->refcount_table_clusters) +
               " clusters)";
        return false;
    }
    if (!check_table("Reference count table", h->refcount_table_offset,
                     uint64_t(h->refcount_table_clusters) * cs, cs, file_size, err))
        return false;
    if (h->nb_snapshots > kMaxSnapshots) {
        *err = "Too many snapshots (" + std::to_string(h->nb_snapshots) + ")";
        return false;
    }
    if (h->nb_snapshots && (h->snapshots_offset & (cs - 1) || h->snapshots_offset == 0 ||
                            h->snapshots_offset >= file_size)) {
        *err = "Snapshot table offset " + hex(h->snapshots_offset) + " is invalid";
        return false;
    }

    // Header extensions, up to the end of the first cluster.
    uint64_t off = h->version == 2 ? kHeaderV2Size : h->header_length;
    const uint64_t ext_end = std::min<uint64_t>(
        cs, h->backing_file_offset ? std::min<uint64_t>(h->backing_file_offset, cs) : cs);
    h->backing_format.clear();
    h->unknown_extensions.clear();
    while (off + 8 <= ext_end && off + 8 <= len) {
        uint32_t type = be32(buf + off);
        uint32_t elen = be32(buf + off + 4);
        off += 8;
        if (type == kExtEnd) break;
        if (elen > ext_end - off || elen > len - off) {
            *err = "Header extension " + hex(type) + " of " + std::to_string(elen) +
                   " bytes runs past the header cluster";
            return false;
        }
        switch (type) {
            case kExtBackingFormat:
                h->backing_format.assign(reinterpret_cast<const char*>(buf + off), elen);
                if (h->backing_format.find('\0') != std::string::npos)
                    h->backing_format.resize(h->backing_format.find('\0'));
                break;
            case kExtFeatureTable:
                break;  // informative; we write our own
            case kExtEncryption:
                *err = "not supported yet: encrypted qcow2 images";
                return false;
            case kExtDataFile:
                *err = "not supported yet: qcow2 external data files";
                return false;
            case kExtBitmaps:
                // Bitmaps are an autoclear feature: dropping them is allowed, and
                // we clear the autoclear bit when we write.
                break;
            default:
                h->unknown_extensions.push_back(
                    {type, std::vector<uint8_t>(buf + off, buf + off + elen)});
        }
        off += (uint64_t(elen) + 7) & ~7ull;
    }

    h->backing_file.clear();
    if (h->backing_file_offset) {
        if (h->backing_file_size > kMaxBackingNameLen || h->backing_file_size == 0 ||
            h->backing_file_offset > cs || h->backing_file_size > cs - h->backing_file_offset ||
            h->backing_file_offset + h->backing_file_size > len) {
            *err = "Backing file name (offset " + hex(h->backing_file_offset) + ", length " +
                   std::to_string(h->backing_file_size) + ") is invalid";
            return false;
        }
        h->backing_file.assign(reinterpret_cast<const char*>(buf + h->backing_file_offset),
                               h->backing_file_size);
    }
    return true;
}

bool serialize_header(const Header& h, std::vector<uint8_t>* out, std::string* err) {
    const uint64_t cs = h.cluster_size();
    std::vector<uint8_t>& b = *out;
    b.assign(cs, 0);
    put_be32(&b[0], kMagic);
    put_be32(&b[4], h.version);
    put_be32(&b[20], h.cluster_bits);
    put_be64(&b[24], h.size);
    put_be32(&b[32], h.crypt_method);
    put_be32(&b[36], h.l1_size);
    put_be64(&b[40], h.l1_table_offset);
    put_be64(&b[48], h.refcount_table_offset);
    put_be32(&b[56], h.refcount_table_clusters);
    put_be32(&b[60], h.nb_snapshots);
    put_be64(&b[64], h.snapshots_offset);
    size_t off = kHeaderV2Size;
    if (h.version == 3) {
        uint64_t incompat = h.incompatible_features & ~kIncompatCompression;
        if (h.compression_type != CompressionType::Zlib) incompat |= kIncompatCompression;
        put_be64(&b[72], incompat);
        put_be64(&b[80], h.compatible_features);
        put_be64(&b[88], 0);  // autoclear: we maintain none of those features
        put_be32(&b[96], h.refcount_order);
        put_be32(&b[100], 112);
        b[104] = static_cast<uint8_t>(h.compression_type);
        off = 112;
    }
    auto add_ext = [&](uint32_t type, const uint8_t* data, size_t n) -> bool {
        size_t padded = (n + 7) & ~size_t(7);
        if (off + 8 + padded > cs) return false;
        put_be32(&b[off], type);
        put_be32(&b[off + 4], static_cast<uint32_t>(n));
        if (n) std::memcpy(&b[off + 8], data, n);
        off += 8 + padded;
        return true;
    };
    bool ok = true;
    if (!h.backing_format.empty()) {
        ok &= add_ext(kExtBackingFormat, reinterpret_cast<const uint8_t*>(h.backing_format.data()),
                      h.backing_format.size());
    }
    // The feature name table is optional; small clusters may lack the room.
    size_t rest = 8 + h.backing_file.size();
    for (const auto& e : h.unknown_extensions)
        rest += 8 + ((e.data.size() + 7) & ~size_t(7));
    if (h.version == 3 && off + 8 + 8 * 48 + rest <= cs) {
        // Feature name table: lets other tools name the bits in messages.
        struct F {
            uint8_t type, bit;
            const char* name;
        };
        const F feats[] = {
            {0, 0, "dirty bit"},        {0, 1, "corrupt bit"},         {0, 2, "external data file"},
            {0, 3, "compression type"}, {0, 4, "extended L2 entries"}, {1, 0, "lazy refcounts"},
            {2, 0, "bitmaps"},          {2, 1, "raw external data"}};
        std::vector<uint8_t> t(sizeof feats / sizeof feats[0] * 48, 0);
        for (size_t i = 0; i < sizeof feats / sizeof feats[0]; i++) {
            t[i * 48] = feats[i].type;
            t[i * 48 + 1] = feats[i].bit;
            std::memcpy(&t[i * 48 + 2], feats[i].name, std::strlen(feats[i].name));
        }
        ok &= add_ext(kExtFeatureTable, t.data(), t.size());
    }
    for (const auto& e : h.unknown_extensions)
        ok &= add_ext(e.type, e.data.data(), e.data.size());
    ok &= add_ext(kExtEnd, nullptr, 0);
    if (!h.backing_file.empty()) {
        if (h.backing_file.size() > kMaxBackingNameLen || off + h.backing_file.size() > cs) {
            ok = false;
        } else {
            put_be64(&b[8], off);
            put_be32(&b[16], static_cast<uint32_t>(h.backing_file.size()));
            std::memcpy(&b[off], h.backing_file.data(), h.backing_file.size());
        }
    }
    if (!ok) {
        *err = "Header, extensions and backing file name do not fit in the first cluster";
        return false;
    }
    return true;
}

}  // namespace emu::block::qcow2
