#pragma once
// Every pure op at every type the opcode table allows, as one-op blocks
// ("r = op(args...); set r") over the test world's registers, for the
// per-op tests of each code generator. The shapes come from the table, so
// an op added there is tested without editing the tests.
#include <cstdint>
#include <random>
#include <vector>

#include "tcg/ir/eval.h"
#include "tcg/ir/ir.h"

namespace emu::tcg::test {

struct TestEnv;

struct Shape {
    Op op;
    Type t;
    std::vector<Type> args;
    uint64_t imm = 0;
};

// Where operand i of type t lives in TestEnv, and where the result goes.
uint32_t shape_arg_offset(Type t, unsigned i);
uint32_t shape_result_offset(Type t);

// Regs: every operand from a register. ConstLast / ConstFirst: that operand
// is a constant (the immediate forms). Live: operands stay live after the
// op, so the result cannot take an operand's register.
enum class Form { Regs, ConstLast, ConstFirst, Live };

// The block for `s` in `form`; k/khi are the values of constant operands.
// False when the verifier rejects it.
bool make_shape_block(const Shape& s, Form form, const uint64_t* k, const uint64_t* khi,
                      Block* out);

// Every (op, result type, operand types, imm) the verifier accepts.
std::vector<Shape> all_shapes();

// The pure ops (other than Const) none of `shapes` covers: empty when the
// enumeration reaches every op of the table.
std::vector<Op> ops_without_shapes(const std::vector<Shape>& shapes);

// Operand i (lo, and hi for I128) into its TestEnv slot.
void set_shape_operands(TestEnv* env, const Shape& s, const uint64_t* lo, const uint64_t* hi);
// The result a shape block left in env, zero-extended from its type.
u128 shape_result(const TestEnv& env, Type t);

// An operand value: an edge value for the first `edge_rounds` rounds, then
// random ones.
uint64_t pick_operand(std::mt19937_64& rng, unsigned round, unsigned edge_rounds);

// Operand values for one run of a shape: lo/hi as set_shape_operands() and
// make_shape_block() take them (masked to each operand's type, hi only for
// i128), in[] as eval_pure() takes them.
struct ShapeOperands {
    uint64_t lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
    u128 in[3] = {0, 0, 0};
};
ShapeOperands pick_shape_operands(std::mt19937_64& rng, const Shape& s, unsigned round,
                                  unsigned edge_rounds);

}  // namespace emu::tcg::test
