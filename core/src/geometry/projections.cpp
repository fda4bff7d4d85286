#include "tomo/projections.h"

#include "tomo/error.h"

#include <string>

namespace tomo
{
ProjectionStack ProjectionStack::zeros(const Geometry& geometry)
{
    const std::size_t n =
        geometry.viewCount() * geometry.detector().rows * geometry.detector().columns;
    return ProjectionStack(geometry, std::vector<float>(n, 0.0f));
}

ProjectionStack ProjectionStack::fromData(const Geometry& geometry, std::vector<float> data)
{
    const std::size_t n =
        geometry.viewCount() * geometry.detector().rows * geometry.detector().columns;
    if (data.size() != n) {
        throwInvalid("projection data size", std::to_string(data.size()),
                     "must equal views*rows*columns = " + std::to_string(n));
    }
    return ProjectionStack(geometry, std::move(data));
}
} // namespace tomo
