// Gemma's logit soft-capping, cap * tanh(x / cap): one implementation shared by the forward pass
// (attention and output logits) and the exact tiles, so a tile recomputes what the run computed.
#pragma once

#include <Eigen/Core>

namespace rs {

// In place on n contiguous floats; cap <= 0 leaves them unchanged. Float arithmetic in the order
// transformers uses (divide, tanh, multiply); Eigen's vectorised tanh is within a few ulp of tanh.
inline void soft_cap(float* x, long n, float cap) {
    if (!(cap > 0) || n <= 0) return;
    auto a = Eigen::Map<Eigen::ArrayXf>(x, n);
    a = (a / cap).tanh() * cap;
}

}  // namespace rs
