// Dense float matrix types used throughout the core: row-major to match safetensors and HDF5.
#pragma once

#include <Eigen/Core>

namespace rs {

using MatrixRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VectorF = Eigen::VectorXf;

}  // namespace rs
