#pragma once

#include "tomo/geometry.h"

#include <cstddef>
#include <span>
#include <vector>

namespace tomo
{
/// A projection stack: line integrals ∫μ dl (dimensionless), laid out (views, rows v, columns u)
/// with u fastest, plus the Geometry that produced it. For 2D beams rows = 1 and the stack is a
/// sinogram. Regular type; share across threads as std::shared_ptr<const ProjectionStack>.
class ProjectionStack
{
public:
    /// Zeros for every pixel of every view of `geometry`.
    [[nodiscard]] static ProjectionStack zeros(const Geometry& geometry);
    /// Takes `data`. Throws InvalidArgument if its size is not views*rows*columns.
    [[nodiscard]] static ProjectionStack fromData(const Geometry& geometry,
                                                  std::vector<float> data);

    [[nodiscard]] const Geometry& geometry() const { return m_geometry; }
    [[nodiscard]] std::size_t views() const { return m_geometry.viewCount(); }
    [[nodiscard]] std::size_t rows() const { return m_geometry.detector().rows; }
    [[nodiscard]] std::size_t columns() const { return m_geometry.detector().columns; }
    [[nodiscard]] std::size_t pixelsPerView() const { return rows() * columns(); }

    [[nodiscard]] std::span<float> data() { return m_data; }
    [[nodiscard]] std::span<const float> data() const { return m_data; }
    /// The pixels of one view (rows*columns, u fastest).
    [[nodiscard]] std::span<float> view(std::size_t index)
    {
        return std::span<float>(m_data).subspan(index * pixelsPerView(), pixelsPerView());
    }
    [[nodiscard]] std::span<const float> view(std::size_t index) const
    {
        return std::span<const float>(m_data).subspan(index * pixelsPerView(), pixelsPerView());
    }

    friend bool operator==(const ProjectionStack&, const ProjectionStack&) = default;

private:
    ProjectionStack(Geometry geometry, std::vector<float> data)
        : m_geometry(std::move(geometry)), m_data(std::move(data))
    {}
    Geometry m_geometry;
    std::vector<float> m_data;
};
} // namespace tomo
