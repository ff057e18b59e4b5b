#include "util/bql.h"

namespace emu {

namespace {
thread_local int t_bql_depth = 0;
}

std::recursive_mutex& bql() {
    static std::recursive_mutex m;
    return m;
}

bool bql_held() {
    return t_bql_depth > 0;
}

BqlGuard::BqlGuard() {
    bql().lock();
    ++t_bql_depth;
}

BqlGuard::~BqlGuard() {
    --t_bql_depth;
    bql().unlock();
}

BqlUnlock::BqlUnlock() : depth_(t_bql_depth) {
    for (int i = 0; i < depth_; ++i)
        bql().unlock();
    t_bql_depth = 0;
}

BqlUnlock::~BqlUnlock() {
    for (int i = 0; i < depth_; ++i)
        bql().lock();
    t_bql_depth = depth_;
}

}  // namespace emu
