#include "vec_inputs.h"

namespace emu::tcg::test {

std::vector<Shape> vec_shapes() {
    std::vector<Shape> v;
    for (Shape& s : all_shapes()) {
        if (s.op >= Op::VecDup && s.op <= Op::VecReduce) v.push_back(std::move(s));
    }
    return v;
}

namespace {

uint64_t lane_value(std::mt19937_64& rng, unsigned bits) {
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1, top = 1ull << (bits - 1);
    switch (rng() % 8) {
        case 0:
            return 0;
        case 1:
            return 1;
        case 2:
            return mask;  // -1 / unsigned max
        case 3:
            return top;  // signed min
        case 4:
            return top - 1;  // signed max
        case 5:
            return top + 1;
        default:
            return rng() & mask;
    }
}

}  // namespace

void vec_operands(std::mt19937_64& rng, const Shape& s, uint64_t* lo, uint64_t* hi) {
    unsigned bits = s.op == Op::VecShuffle ? 8 : VecImm::lane_bits(s.imm);
    uint64_t lanes[3][2] = {};
    for (unsigned a = 0; a < s.args.size(); ++a) {
        if (s.args[a] != Type::I128) {
            lo[a] = lane_value(rng, 64) & type_mask(s.args[a]);
            hi[a] = 0;
            continue;
        }
        for (unsigned i = 0; i < 128 / bits; ++i) {
            uint64_t x;
            if (s.op == Op::VecShuffle && a == 2) {
                x = rng() % 8 == 0 ? rng() & 0xff : rng() % 32;
            } else if (a > 0 && rng() % 3 == 0) {  // the same lane as operand 0
                unsigned at = i * bits;
                x = lanes[0][at / 64] >> (at % 64);
                if (bits < 64) x &= (1ull << bits) - 1;
            } else {
                x = lane_value(rng, bits);
            }
            unsigned at = i * bits;
            lanes[a][at / 64] |= x << (at % 64);
        }
        lo[a] = lanes[a][0];
        hi[a] = lanes[a][1];
    }
}

}  // namespace emu::tcg::test
