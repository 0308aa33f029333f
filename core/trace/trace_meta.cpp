// Names of trace metadata enums.
#include "trace_meta.h"

namespace rs {

std::string qk_precision_name(QKPrecision p) {
    return p == QKPrecision::F16 ? "f16" : "f32";
}

}  // namespace rs
