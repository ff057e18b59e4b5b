// Generates random translation tables and AT cases, and our PAR_EL1 for
// each, for a differential run against QEMU (run_oracle.sh).
//
// usage: oracle_gen CPU SEED COUNT OUTDIR
//   CPU: max | cortex-a57 (the ID register values of QEMU 7.2's models)
// Writes OUTDIR/tables.bin (RAM from kTables up), cases.bin (loaded at
// kCases: a count then 64-byte records sctlr, tcr, ttbr0, ttbr1, mair,
// va, op), expected.txt (our PAR per case) and cases.txt (readable).
//
// The tables avoid what QEMU 7.2 is known to get wrong (blocks at levels
// where the granule has none, HPD without FEAT_HPDS, 64K OA[51:48] with
// IPS < 52), so that any difference left is worth a look.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "tests/unit/arm_mmu/mmu_test_util.h"

using namespace mmu_test;

namespace {

constexpr uint64_t kTables = 0x41000000;
constexpr uint64_t kTablesEnd = 0x44000000;

struct Tree {
    unsigned g, ia;
    uint64_t root;
    std::vector<uint64_t> vas;
};

struct Generator {
    std::mt19937_64 rng;
    TestMachine m;
    uint64_t pool = kTables;
    unsigned parange;

    Tree build(unsigned g, unsigned ia, bool upper) {
        pool = (pool + 0xffff) & ~0xffffull;
        TableBuilder t(m, g, ia, pool);
        t.oa52 = ia == 52;
        Tree tr{g, ia, t.root(), {}};
        std::vector<std::pair<uint64_t, unsigned>> corrupt;
        int n = g == 16 ? 10 : 24;
        for (int i = 0; i < n; ++i) {
            uint64_t va = rng() & ((1ull << ia) - 1) & ~((1ull << g) - 1);
            if (upper) va |= ~((1ull << ia) - 1);
            int level;
            for (;;) {
                level = t.start_level() + int(rng() % (4 - t.start_level()));
                if (level == 3 || (g == 12 && level >= 1) || level == 2 ||
                    (g == 16 && level == 1 && parange == 52))
                    break;
            }
            unsigned bits = t.bottom(level);
            unsigned oabits = (rng() % 4 == 0) ? (t.oa52 ? 52 : 46) : 40;
            uint64_t oa = rng() & ((1ull << oabits) - 1) & ~((1ull << bits) - 1);
            uint64_t leaf = attr_index(rng() % 8) | ap(rng() % 4) | ((rng() % 4) << 8);
            if (rng() % 10) leaf |= kAF;
            if (rng() % 2) leaf |= kNG;
            if (rng() % 3 == 0) leaf |= kUXN;
            if (rng() % 3 == 0) leaf |= kPXN;
            if (rng() % 4 == 0) leaf |= kDBM;
            uint64_t tb = 0;
            if (rng() % 6 == 0) tb |= ap_table(rng() % 4);
            if (rng() % 8 == 0) tb |= kUXNTable;
            if (rng() % 8 == 0) tb |= kPXNTable;
            t.map(va, oa, level, leaf, tb);
            tr.vas.push_back(va);
            if (rng() % 12 == 0 && level > t.start_level()) {
                int cl = t.start_level() + int(rng() % (level - t.start_level()));
                corrupt.push_back({t.descriptor_address(va, cl), unsigned(rng() % 3)});
            }
        }
        // Break some table descriptors once every mapping is in.
        for (auto [dpa, kind] : corrupt) {
            uint64_t d = m.read64(dpa);
            if (kind == 0) d &= ~1ull;                                      // invalid
            if (kind == 1) d = (d & ~0xffff'ffff'f000ull) | 0x0e000000ull;  // unassigned
            if (kind == 2) d |= 1ull << 47;                                 // beyond small IPS
            m.write64(dpa, d);
        }
        pool = t.alloc();
        return tr;
    }
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: oracle_gen CPU SEED COUNT OUTDIR\n");
        return 2;
    }
    std::string cpu = argv[1], dir = argv[4];
    int ncases = atoi(argv[3]);
    IdRegs id;
    if (cpu == "max") {
        id.mmfr0 = 0x0000032310201126ull;
        id.mmfr1 = 0x0000011010211122ull;
        id.mmfr2 = 0x1021011010011011ull;
        id.pauth = true;
    } else if (cpu == "cortex-a57") {
        id.mmfr0 = 0x1124;
    } else {
        fprintf(stderr, "unknown cpu %s\n", cpu.c_str());
        return 2;
    }
    Generator gen;
    gen.rng.seed(strtoull(argv[2], nullptr, 0));
    gen.parange = cpu == "max" ? 52 : 44;
    struct Shape {
        unsigned g, ia;
    };
    std::vector<Shape> shapes = {{12, 48}, {12, 39}, {16, 48}, {16, 42}};
    if (cpu == "max") shapes.insert(shapes.end(), {{14, 48}, {14, 47}, {16, 52}, {12, 25}});
    std::vector<std::pair<Tree, Tree>> trees;
    for (Shape s : shapes) {
        Tree lower = gen.build(s.g, s.ia, false);
        Tree upper = gen.build(s.g, s.ia, true);
        trees.push_back({lower, upper});
    }
    if (gen.pool > kTablesEnd) {
        fprintf(stderr, "table pool overflow\n");
        return 1;
    }
    std::mt19937_64& rng = gen.rng;
    FILE* tf = fopen((dir + "/tables.bin").c_str(), "wb");
    FILE* cf = fopen((dir + "/cases.bin").c_str(), "wb");
    FILE* ef = fopen((dir + "/expected.txt").c_str(), "w");
    FILE* df = fopen((dir + "/cases.txt").c_str(), "w");
    if (!tf || !cf || !ef || !df) {
        fprintf(stderr, "cannot write to %s\n", dir.c_str());
        return 1;
    }
    fwrite(gen.m.host(kTables), 1, gen.pool - kTables, tf);
    uint64_t header[8] = {uint64_t(ncases)};
    fwrite(header, 8, 8, cf);
    static const uint8_t kAttrs[] = {0x00, 0x04, 0x08, 0x0c, 0x44, 0xff,
                                     0xbb, 0xaa, 0x4f, 0xf4, 0xee};
    static const unsigned kIps[] = {0, 2, 4, 5, 6, 6, 6};
    static const AtOp kOps[] = {AtOp::S1E1R, AtOp::S1E1W, AtOp::S1E0R, AtOp::S1E0W};
    for (int i = 0; i < ncases; ++i) {
        auto& pair = trees[rng() % trees.size()];
        unsigned g = pair.first.g, ia = pair.first.ia;
        Regs r;
        r.id = id;
        // RES1 bits of SCTLR_EL1, M mostly on, C/I/WXN random, EE rarely.
        r.sctlr = 0x30d00800ull | (rng() % 20 ? 1 : 0) | ((rng() & 1) << 2) | ((rng() & 1) << 12) |
                  (uint64_t(rng() % 3 == 0) << 19) | (uint64_t(rng() % 30 == 0) << 25);
        r.tcr = (64 - ia) | (uint64_t(64 - ia) << 16) | tg0_bits(g) | tg1_bits(g);
        unsigned ips = ia == 52 ? 6 : kIps[rng() % 7];
        r.tcr |= uint64_t(ips) << 32;
        if (rng() % 3 == 0) r.tcr |= 1ull << 37;  // TBI0
        if (rng() % 3 == 0) r.tcr |= 1ull << 38;  // TBI1
        if (rng() % 20 == 0) r.tcr |= 1ull << 7;  // EPD0
        if (rng() % 20 == 0) r.tcr |= 1ull << 23;
        if (rng() % 2) r.tcr |= 1ull << 36;  // AS
        if (rng() % 2) r.tcr |= 1ull << 22;  // A1
        if (cpu == "max") {
            if (rng() % 5 == 0) r.tcr |= 1ull << 41;  // HPD0
            if (rng() % 5 == 0) r.tcr |= 1ull << 42;
            if (rng() % 10 == 0) r.tcr |= 1ull << 55;  // E0PD0
            if (rng() % 10 == 0) r.tcr |= 1ull << 56;
        }
        r.ttbr0 = pair.first.root | ((rng() & 0xffff) << 48);
        r.ttbr1 = pair.second.root | ((rng() & 0xffff) << 48);
        for (int k = 0; k < 8; ++k)
            r.mair |= uint64_t(kAttrs[rng() % sizeof kAttrs]) << (8 * k);
        const Tree& t = (rng() & 1) ? pair.first : pair.second;
        uint64_t va;
        switch (rng() % 6) {
            case 0:
                va = rng();
                break;
            case 1:
                va = rng() & ((1ull << 48) - 1);
                break;
            default:
                va = t.vas[rng() % t.vas.size()] | (rng() & ((1ull << g) - 1));
                break;
        }
        if (rng() % 4 == 0) va = (va & ((1ull << 56) - 1)) | ((rng() & 0xff) << 56);
        unsigned op = rng() % 4;
        uint64_t par = address_translate(*gen.m.as, r, kOps[op], va);
        uint64_t rec[8] = {r.sctlr, r.tcr, r.ttbr0, r.ttbr1, r.mair, va, op, 0};
        fwrite(rec, 8, 8, cf);
        fprintf(ef, "%016llx\n", (unsigned long long)par);
        fprintf(df, "%d sctlr=%llx tcr=%llx ttbr0=%llx ttbr1=%llx mair=%llx va=%llx op=%u\n", i,
                (unsigned long long)r.sctlr, (unsigned long long)r.tcr, (unsigned long long)r.ttbr0,
                (unsigned long long)r.ttbr1, (unsigned long long)r.mair, (unsigned long long)va,
                op);
    }
    fclose(tf);
    fclose(cf);
    fclose(ef);
    fclose(df);
    return 0;
}
