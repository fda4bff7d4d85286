#pragma once

#include <array>
#include <cmath>

namespace tomo
{
/// A 3-vector of doubles: a position in mm or a direction, in the world frame (DESIGN.md §4).
struct Vec3
{
    double x = 0.0;
    double y = 0.0;
    double z = 0.0;

    friend constexpr Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
    friend constexpr Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
    friend constexpr Vec3 operator*(double s, Vec3 a) { return {s * a.x, s * a.y, s * a.z}; }
    friend constexpr Vec3 operator*(Vec3 a, double s) { return s * a; }
    friend constexpr bool operator==(Vec3 a, Vec3 b) = default;
};

[[nodiscard]] constexpr double dot(Vec3 a, Vec3 b)
{
    return a.x * b.x + a.y * b.y + a.z * b.z;
}

[[nodiscard]] constexpr Vec3 cross(Vec3 a, Vec3 b)
{
    return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}

[[nodiscard]] inline double norm(Vec3 a)
{
    return std::sqrt(dot(a, a));
}

[[nodiscard]] inline bool isFinite(Vec3 a)
{
    return std::isfinite(a.x) && std::isfinite(a.y) && std::isfinite(a.z);
}

/// Rotation of `a` by `angle` radians about +z, counter-clockwise seen from +z.
[[nodiscard]] inline Vec3 rotateZ(Vec3 a, double angle)
{
    const double c = std::cos(angle);
    const double s = std::sin(angle);
    return {c * a.x - s * a.y, s * a.x + c * a.y, a.z};
}
} // namespace tomo
