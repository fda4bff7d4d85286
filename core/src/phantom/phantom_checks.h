#pragma once

#include <string>

namespace tomo::detail
{
/// Throws InvalidArgument naming `field` unless `value` is finite and > 0.
void requirePositive(double value, const std::string& field, const std::string& accepted);

/// The checks every built-in phantom shares, with the scene's field names: a finite radius > 0
/// ("object.radius_mm") and a finite scale ("object.mu_per_unit").
void checkScale(double radiusMm, double muPerUnit);
} // namespace tomo::detail
