#pragma once

#include "tomo/geometry.h"
#include "tomo/volume.h"

#include <cstddef>
#include <string_view>
#include <vector>

namespace tomo::detail
{
/// Per-view 2D ray parameters shared by the CPU reference and the OpenCL kernels (which receive
/// them as a float buffer of kViewParamFloats per view, in this member order).
/// For parallel beams (sx, sy) is the unit ray direction; for fan beams the source position.
struct ViewParams2D
{
    float sx, sy; ///< source (mm) or ray direction
    float dx, dy; ///< detector centre, mm
    float ux, uy; ///< unit column direction
};
inline constexpr std::size_t kViewParamFloats = 6;
static_assert(sizeof(ViewParams2D) == kViewParamFloats * sizeof(float));

/// Grid and detector constants of a 2D projection, in the same units the kernels use:
/// voxel indices relative to the grid origin, detector columns relative to column 0.
struct Setup2D
{
    int nx, ny;
    float originX, originY;   ///< mm, centre of voxel (0, 0)
    float spacingX, spacingY; ///< mm
    int nu;
    float pixelU;       ///< mm
    float centreColumn; ///< (nu - 1)/2 - offsetU: column index of the detector centre
    float radius;       ///< 0 for a flat detector, else the cylindrical detector's radius, mm
    bool parallel;
};

/// Grid and detector constants of a 3D projection (parallel3d or cone3d, flat or cylindrical
/// detector).
struct Setup3D
{
    int n[3];         ///< nx, ny, nz
    float origin[3];  ///< mm, centre of voxel (0, 0, 0)
    float spacing[3]; ///< mm
    int nu, nv;
    float pixelU, pixelV;   ///< mm
    float centreU, centreV; ///< (n - 1)/2 - offset: index of the detector centre
    float radius;           ///< 0 for a flat detector, else the cylindrical detector's radius, mm
    bool parallel;
};
inline constexpr std::size_t kViewParam3DFloats = 12;

/// Throws InvalidArgument unless `geometry` is a 3D beam with a flat detector and `grid` an
/// axis-aligned grid.
Setup3D makeSetup3D(const Geometry& geometry, const VolumeGrid& grid);

/// Parameters of views [first, first + count): s, d, u, v per view, 12 floats each.
std::vector<float> makeViewParams3D(const Geometry& geometry, std::size_t first, std::size_t count);

/// Throws InvalidArgument unless `geometry` is a 2D beam and `grid` a 2D axis-aligned grid.
Setup2D makeSetup2D(const Geometry& geometry, const VolumeGrid& grid);

/// Parameters of views [first, first + count).
std::vector<ViewParams2D> makeViewParams2D(const Geometry& geometry, std::size_t first,
                                           std::size_t count);

/// Projection matrices of views [first, first + count) as floats, 12 per view
/// (Geometry::projectionMatrix; flat detectors only).
std::vector<float> makeProjectionMatrices(const Geometry& geometry, std::size_t first,
                                          std::size_t count);

/// Throws InvalidArgument if [first, first + count) is not inside [0, views).
void checkViewRange(std::size_t first, std::size_t count, std::size_t views);
} // namespace tomo::detail
