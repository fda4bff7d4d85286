// Resampling through ITK (DESIGN.md §3: ITK stays in core/src/io).
#include "io/itk_image.h"
#include "io/itk_log.h"
#include "tomo/error.h"
#include "tomo/spatial.h"

#include <itkBSplineInterpolateImageFunction.h>
#include <itkIdentityTransform.h>
#include <itkImage.h>
#include <itkImportImageFilter.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace tomo
{
namespace
{
using Image3 = detail::ItkImage3;
} // namespace

std::string_view toString(Interpolation interpolation)
{
    switch (interpolation) {
    case Interpolation::Nearest:
        return "nearest";
    case Interpolation::Linear:
        return "linear";
    case Interpolation::BSpline:
        return "bspline";
    }
    return "unknown";
}

Interpolation parseInterpolation(std::string_view text, std::string_view field)
{
    for (Interpolation i :
         {Interpolation::Nearest, Interpolation::Linear, Interpolation::BSpline}) {
        if (text == toString(i)) {
            return i;
        }
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                 "accepted: nearest, linear, bspline");
}

Volume resample(const Volume& volume, const VolumeGrid& target, Interpolation interpolation,
                float outside)
{
    detail::routeItkOutputToLog();
    using Filter = itk::ResampleImageFilter<Image3, Image3, double>;
    auto filter = Filter::New();
    filter->SetInput(detail::toItk(volume));
    filter->SetTransform(itk::IdentityTransform<double, 3>::New());
    switch (interpolation) {
    case Interpolation::Nearest:
        filter->SetInterpolator(
            itk::NearestNeighborInterpolateImageFunction<Image3, double>::New());
        break;
    case Interpolation::Linear:
        filter->SetInterpolator(itk::LinearInterpolateImageFunction<Image3, double>::New());
        break;
    case Interpolation::BSpline:
        filter->SetInterpolator(
            itk::BSplineInterpolateImageFunction<Image3, double, double>::New());
        break;
    }
    const detail::ItkGrid grid = detail::toItkGrid(target);
    filter->SetSize(grid.size);
    filter->SetOutputSpacing(grid.spacing);
    filter->SetOutputOrigin(grid.origin);
    filter->SetOutputDirection(grid.direction);
    filter->SetDefaultPixelValue(outside);
    try {
        filter->Update();
    } catch (const itk::ExceptionObject& e) {
        throw Error(std::string("resampling failed: ") + e.GetDescription());
    }
    const Image3* out = filter->GetOutput();
    const float* first = out->GetBufferPointer();
    Volume result =
        Volume::fromData(target, std::vector<float>(first, first + target.voxelCount()));
    result.meta() = volume.meta();
    return result;
}

VolumeGrid withSpacing(const VolumeGrid& grid, std::array<double, 3> spacingMm)
{
    std::array<std::size_t, 3> size{};
    for (std::size_t a = 0; a < 3; ++a) {
        if (!std::isfinite(spacingMm[a]) || spacingMm[a] <= 0.0) {
            throwInvalid("spacing[" + std::to_string(a) + "]", formatValue(spacingMm[a]),
                         "must be a finite length in mm above 0");
        }
        // The box from the first voxel's outer edge to the last's, in whole new voxels.
        const double extent = static_cast<double>(grid.size()[a]) * grid.spacing()[a];
        size[a] =
            std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(extent / spacingMm[a])));
    }
    // Keep the box's outer corner: first new centre half a new voxel inside it.
    const auto& m = grid.direction();
    Vec3 corner = grid.origin();
    Vec3 shift;
    for (std::size_t a = 0; a < 3; ++a) {
        const double d = 0.5 * (spacingMm[a] - grid.spacing()[a]);
        shift = shift + Vec3{m[a], m[3 + a], m[6 + a]} * d;
    }
    corner = corner + shift;
    return VolumeGrid::make(size, spacingMm, corner, m);
}
} // namespace tomo
