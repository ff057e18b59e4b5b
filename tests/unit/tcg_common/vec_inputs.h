#pragma once
// Operands for the vector-op tests: whole-register random values seldom
// have equal lanes or lanes at the signed/unsigned boundaries, so these
// are built lane by lane from edge values, with lanes copied between the
// operands (equal lanes) and, for VecShuffle tables, bytes mostly in the
// 0..31 range the op selects from.
#include <cstdint>
#include <random>
#include <vector>

#include "op_shapes.h"

namespace emu::tcg::test {

// The shapes of the vector ops (VecDup .. VecReduce) from all_shapes().
std::vector<Shape> vec_shapes();

// Operands lo[i]/hi[i] for shape s (a scalar operand in lo only).
void vec_operands(std::mt19937_64& rng, const Shape& s, uint64_t* lo, uint64_t* hi);

}  // namespace emu::tcg::test
