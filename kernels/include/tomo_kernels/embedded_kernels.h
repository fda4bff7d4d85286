#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace tomo::detail
{
/// The OpenCL C source of kernel file `name` (the stem of kernels/<name>.cl), with the
/// kernels/common/*.cl helpers already prepended; std::nullopt if no such file was embedded.
std::optional<std::string_view> embeddedKernelSource(std::string_view name);

/// The stems of every embedded kernel file, in build order.
std::vector<std::string_view> embeddedKernelNames();
} // namespace tomo::detail
