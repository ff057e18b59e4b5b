#include "target/arm/fp_ops.h"

#include <cfenv>
#include <cmath>
#include <cstring>
#include <initializer_list>

namespace emu::arm {

namespace {

constexpr uint32_t kIOC = 1u << 0, kDZC = 1u << 1, kOFC = 1u << 2, kUFC = 1u << 3, kIXC = 1u << 4,
                   kIDC = 1u << 7;
constexpr uint32_t kFpcrDN = 1u << 25, kFpcrFZ = 1u << 24;

template <typename F>
struct Traits;
template <>
struct Traits<float> {
    using U = uint32_t;
    static constexpr U kSign = 0x80000000u, kExp = 0x7f800000u, kFrac = 0x007fffffu,
                       kQuiet = 0x00400000u, kDefaultNaN = 0x7fc00000u;
};
template <>
struct Traits<double> {
    using U = uint64_t;
    static constexpr U kSign = 0x8000000000000000ull, kExp = 0x7ff0000000000000ull,
                       kFrac = 0x000fffffffffffffull, kQuiet = 0x0008000000000000ull,
                       kDefaultNaN = 0x7ff8000000000000ull;
};

template <typename F>
F from_bits(uint64_t v) {
    typename Traits<F>::U u = static_cast<typename Traits<F>::U>(v);
    F f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}
template <typename F>
uint64_t to_bits(F f) {
    typename Traits<F>::U u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}
template <typename F>
bool is_nan(uint64_t v) {
    using T = Traits<F>;
    return (v & T::kExp) == T::kExp && (v & T::kFrac);
}
template <typename F>
bool is_snan(uint64_t v) {
    return is_nan<F>(v) && !(v & Traits<F>::kQuiet);
}
template <typename F>
bool is_denormal(uint64_t v) {
    using T = Traits<F>;
    return (v & T::kExp) == 0 && (v & T::kFrac);
}

int host_round(uint32_t fpcr) {
    switch ((fpcr >> 22) & 3) {
        case 0:
            return FE_TONEAREST;
        case 1:
            return FE_UPWARD;
        case 2:
            return FE_DOWNWARD;
        default:
            return FE_TOWARDZERO;
    }
}

// Runs a host FP computation under the guest's rounding mode and folds
// the host exception flags into FPSR.
class HostFp {
  public:
    explicit HostFp(FpEnv& e, int round = -1) : e_(e) {
        saved_ = std::fegetround();
        std::fesetround(round >= 0 ? round : host_round(e.fpcr));
        std::feclearexcept(FE_ALL_EXCEPT);
    }
    ~HostFp() {
        int f = std::fetestexcept(FE_ALL_EXCEPT);
        uint32_t bits = 0;
        if (f & FE_INVALID) bits |= kIOC;
        if (f & FE_DIVBYZERO) bits |= kDZC;
        if (f & FE_OVERFLOW) bits |= kOFC;
        if (f & FE_UNDERFLOW) bits |= kUFC;
        if (f & FE_INEXACT) bits |= kIXC;
        *e_.fpsr |= bits;
        std::fesetround(saved_);
    }

  private:
    FpEnv& e_;
    int saved_;
};

template <typename F>
uint64_t flush_in(uint64_t v, FpEnv& e) {
    if ((e.fpcr & kFpcrFZ) && is_denormal<F>(v)) {
        *e.fpsr |= kIDC;
        return v & Traits<F>::kSign;
    }
    return v;
}
template <typename F>
uint64_t flush_out(uint64_t v, FpEnv& e) {
    if ((e.fpcr & kFpcrFZ) && is_denormal<F>(v)) {
        *e.fpsr |= kUFC;
        return v & Traits<F>::kSign;
    }
    return v;
}

template <typename F>
uint64_t process_nan(uint64_t v, FpEnv& e) {
    if (is_snan<F>(v)) *e.fpsr |= kIOC;
    if (e.fpcr & kFpcrDN) return Traits<F>::kDefaultNaN;
    return v | Traits<F>::kQuiet;
}

// FPProcessNaNs: true (with *out) when an operand is a NaN.
template <typename F>
bool process_nans(uint64_t a, uint64_t b, FpEnv& e, uint64_t* out) {
    if (is_snan<F>(a)) return *out = process_nan<F>(a, e), true;
    if (is_snan<F>(b)) return *out = process_nan<F>(b, e), true;
    if (is_nan<F>(a)) return *out = process_nan<F>(a, e), true;
    if (is_nan<F>(b)) return *out = process_nan<F>(b, e), true;
    return false;
}

template <typename F>
uint64_t binop(FpBin op, uint64_t a, uint64_t b, FpEnv& e) {
    using T = Traits<F>;
    a = flush_in<F>(a, e);
    b = flush_in<F>(b, e);
    uint64_t nan;
    bool is_nm = op == FpBin::MaxNm || op == FpBin::MinNm;
    if (is_nm) {
        // A quiet NaN against a number gives the number.
        bool qa = is_nan<F>(a) && !is_snan<F>(a), qb = is_nan<F>(b) && !is_snan<F>(b);
        if (qa && !is_nan<F>(b)) a = b;
        if (qb && !is_nan<F>(a)) b = a;
    }
    if (process_nans<F>(a, b, e, &nan)) return nan;
    F x = from_bits<F>(a), y = from_bits<F>(b);
    F r;
    switch (op) {
        case FpBin::Max:
        case FpBin::MaxNm:
            if (x == 0 && y == 0) return (a & b & T::kSign) ? a : (a & T::kSign ? b : a);
            return x > y ? a : b;
        case FpBin::Min:
        case FpBin::MinNm:
            if (x == 0 && y == 0) return ((a | b) & T::kSign) ? (a & T::kSign ? a : b) : a;
            return x < y ? a : b;
        default:
            break;
    }
    {
        HostFp h(e);
        volatile F vx = x, vy = y;
        switch (op) {
            case FpBin::Mul:
                r = vx * vy;
                break;
            case FpBin::Div:
                r = vx / vy;
                break;
            case FpBin::Add:
                r = vx + vy;
                break;
            case FpBin::Sub:
                r = vx - vy;
                break;
            case FpBin::NMul:
                r = -(vx * vy);
                break;
            default:
                r = std::fabs(vx - vy);
                break;  // Abd
        }
    }
    uint64_t rb = to_bits(r);
    if (is_nan<F>(rb)) rb = T::kDefaultNaN;  // invalid operation: the default NaN
    return flush_out<F>(rb, e);
}

template <typename F>
uint64_t unop(FpUn op, uint64_t a, FpEnv& e) {
    using T = Traits<F>;
    switch (op) {
        case FpUn::Mov:
            return a;
        case FpUn::Abs:
            return a & ~T::kSign;
        case FpUn::Neg:
            return a ^ T::kSign;
        default:
            break;
    }
    a = flush_in<F>(a, e);
    if (is_nan<F>(a)) return process_nan<F>(a, e);
    F x = from_bits<F>(a), r;
    if (op == FpUn::Sqrt) {
        HostFp h(e);
        volatile F vx = x;
        r = std::sqrt(vx);
        uint64_t rb = to_bits(r);
        if (is_nan<F>(rb)) rb = T::kDefaultNaN;
        return rb;
    }
    int mode;
    switch (op) {
        case FpUn::RintN:
            mode = FE_TONEAREST;
            break;
        case FpUn::RintP:
            mode = FE_UPWARD;
            break;
        case FpUn::RintM:
            mode = FE_DOWNWARD;
            break;
        case FpUn::RintZ:
            mode = FE_TOWARDZERO;
            break;
        default:
            mode = host_round(e.fpcr);
            break;
    }
    if (op == FpUn::RintA) {
        r = std::round(x);  // ties away from zero; never sets inexact here
    } else {
        uint32_t saved = *e.fpsr;
        {
            HostFp h(e, mode);
            volatile F vx = x;
            r = std::nearbyint(vx);
        }
        if (op != FpUn::RintX) *e.fpsr = saved;  // only FRINTX reports inexact
        if (op == FpUn::RintX && r != x) *e.fpsr |= kIXC;
    }
    return to_bits(r);
}

template <typename F>
uint32_t compare(uint64_t a, uint64_t b, bool signal, FpEnv& e) {
    a = flush_in<F>(a, e);
    b = flush_in<F>(b, e);
    if (is_nan<F>(a) || is_nan<F>(b)) {
        if (signal || is_snan<F>(a) || is_snan<F>(b)) *e.fpsr |= kIOC;
        return 0x30000000;  // unordered: C, V
    }
    F x = from_bits<F>(a), y = from_bits<F>(b);
    if (x == y) return 0x60000000;
    if (x < y) return 0x80000000;
    return 0x20000000;
}

template <typename F>
uint64_t to_int(uint64_t v, unsigned bits, bool is_signed, FpRound rnd, FpEnv& e) {
    v = flush_in<F>(v, e);
    if (is_nan<F>(v)) {
        *e.fpsr |= kIOC;
        return 0;
    }
    F x = from_bits<F>(v);
    long double r;
    switch (rnd) {
        case FpRound::Nearest:
            r = std::nearbyint(static_cast<long double>(x));
            break;  // host RN
        case FpRound::PlusInf:
            r = std::ceil(static_cast<long double>(x));
            break;
        case FpRound::MinusInf:
            r = std::floor(static_cast<long double>(x));
            break;
        case FpRound::Zero:
            r = std::trunc(static_cast<long double>(x));
            break;
        case FpRound::Away:
            r = std::round(static_cast<long double>(x));
            break;
        default: {
            int saved = std::fegetround();
            std::fesetround(host_round(e.fpcr));
            r = std::nearbyint(static_cast<long double>(x));
            std::fesetround(saved);
            break;
        }
    }
    long double lo = is_signed ? -std::ldexp(1.0L, bits - 1) : 0.0L;
    long double hi = is_signed ? std::ldexp(1.0L, bits - 1) - 1 : std::ldexp(1.0L, bits) - 1;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    if (r < lo) {
        *e.fpsr |= kIOC;
        return static_cast<uint64_t>(static_cast<int64_t>(lo)) & mask;
    }
    if (r > hi) {
        *e.fpsr |= kIOC;
        return is_signed ? (static_cast<uint64_t>(static_cast<int64_t>(hi)) & mask) : mask;
    }
    if (r != x) *e.fpsr |= kIXC;
    if (is_signed) return static_cast<uint64_t>(static_cast<int64_t>(r)) & mask;
    return static_cast<uint64_t>(r) & mask;
}

template <typename F>
uint64_t from_int(uint64_t v, unsigned bits, bool is_signed, FpEnv& e) {
    F r;
    {
        HostFp h(e);
        if (is_signed) {
            int64_t s = bits == 64 ? static_cast<int64_t>(v) : static_cast<int32_t>(v);
            volatile int64_t vs = s;
            r = static_cast<F>(vs);
        } else {
            uint64_t u = bits == 64 ? v : static_cast<uint32_t>(v);
            volatile uint64_t vu = u;
            r = static_cast<F>(vu);
        }
    }
    return to_bits(r);
}

}  // namespace

uint64_t fp_binop(FpBin op, unsigned size, uint64_t a, uint64_t b, FpEnv& e) {
    return size == 2 ? binop<float>(op, a, b, e) : binop<double>(op, a, b, e);
}

uint64_t fp_unop(FpUn op, unsigned size, uint64_t a, FpEnv& e) {
    return size == 2 ? unop<float>(op, a, e) : unop<double>(op, a, e);
}

template <typename F>
static uint64_t fma_impl(uint64_t a, uint64_t n, uint64_t m, bool neg_a, bool neg_p, FpEnv& e) {
    using T = Traits<F>;
    a = flush_in<F>(a, e);
    n = flush_in<F>(n, e);
    m = flush_in<F>(m, e);
    // FPProcessNaNs3 with the addend first.
    for (uint64_t v : {a, n, m}) {
        if (is_snan<F>(v)) return process_nan<F>(v, e);
    }
    for (uint64_t v : {a, n, m}) {
        if (is_nan<F>(v)) return process_nan<F>(v, e);
    }
    F x = from_bits<F>(a), y = from_bits<F>(n), z = from_bits<F>(m);
    if (neg_a) x = -x;
    if (neg_p) y = -y;
    F r;
    {
        HostFp h(e);
        volatile F vx = x, vy = y, vz = z;
        r = std::fma(vy, vz, vx);
    }
    uint64_t rb = to_bits(r);
    if (is_nan<F>(rb)) rb = T::kDefaultNaN;
    return flush_out<F>(rb, e);
}

uint64_t fp_fma(unsigned size, uint64_t a, uint64_t n, uint64_t m, bool neg_a, bool neg_p,
                FpEnv& e) {
    return size == 2 ? fma_impl<float>(a, n, m, neg_a, neg_p, e)
                     : fma_impl<double>(a, n, m, neg_a, neg_p, e);
}

uint32_t fp_compare(unsigned size, uint64_t a, uint64_t b, bool signal, FpEnv& e) {
    return size == 2 ? compare<float>(a, b, signal, e) : compare<double>(a, b, signal, e);
}

bool fp_compare_mask(unsigned size, uint64_t a, uint64_t b, int kind, FpEnv& e) {
    uint32_t f = fp_compare(size, a, b, kind != 0, e);
    switch (kind) {
        case 0:
            return f == 0x60000000;
        case 1:
            return f == 0x60000000 || f == 0x20000000;
        default:
            return f == 0x20000000;
    }
}

uint64_t fp_to_int(unsigned size, uint64_t v, unsigned int_bits, bool is_signed, FpRound r,
                   FpEnv& e) {
    return size == 2 ? to_int<float>(v, int_bits, is_signed, r, e)
                     : to_int<double>(v, int_bits, is_signed, r, e);
}

uint64_t int_to_fp(unsigned size, uint64_t v, unsigned int_bits, bool is_signed, FpEnv& e) {
    return size == 2 ? from_int<float>(v, int_bits, is_signed, e)
                     : from_int<double>(v, int_bits, is_signed, e);
}

uint64_t fp_convert(unsigned from, unsigned to, uint64_t v, FpEnv& e) {
    if (from == to) return v;
    if (from == 2) {
        v = flush_in<float>(v, e);
        if (is_nan<float>(v)) {
            if (is_snan<float>(v)) *e.fpsr |= kIOC;
            if (e.fpcr & kFpcrDN) return Traits<double>::kDefaultNaN;
            return (v & 0x80000000ull) << 32 | 0x7ff8000000000000ull | (v & 0x003fffffull) << 29;
        }
        HostFp h(e);
        volatile float f = from_bits<float>(v);
        return to_bits(static_cast<double>(f));
    }
    v = flush_in<double>(v, e);
    if (is_nan<double>(v)) {
        if (is_snan<double>(v)) *e.fpsr |= kIOC;
        if (e.fpcr & kFpcrDN) return Traits<float>::kDefaultNaN;
        return (v >> 32 & 0x80000000u) | 0x7fc00000u | ((v >> 29) & 0x003fffffu);
    }
    float r;
    {
        HostFp h(e);
        volatile double d = from_bits<double>(v);
        r = static_cast<float>(d);
    }
    return flush_out<float>(to_bits(r), e);
}

uint64_t fp_expand_imm(unsigned size, uint32_t imm8) {
    uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, low = imm8 & 0x3f;
    if (size == 2) {
        // exp = NOT(b6):Replicate(b6,5):imm8<5:4>
        uint64_t exp = ((b6 ^ 1) << 7) | (b6 ? 0x7c : 0) | ((imm8 >> 4) & 3);
        return sign << 31 | exp << 23 | (low & 0xf) << 19;
    }
    uint64_t exp = ((b6 ^ 1) << 10) | (b6 ? 0x3fc : 0) | ((imm8 >> 4) & 3);
    return sign << 63 | exp << 52 | (low & 0xf) << 48;
}

}  // namespace emu::arm
