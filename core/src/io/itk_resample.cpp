// Resampling through ITK (DESIGN.md §3: ITK stays in core/src/io).
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
using Image3 = itk::Image<float, 3>;

Image3::Pointer toItkImage(const Volume& volume)
{
    const VolumeGrid& g = volume.grid();
    auto image = Image3::New();
    Image3::RegionType region;
    Image3::SpacingType spacing;
    Image3::PointType origin;
    Image3::DirectionType direction;
    for (unsigned a = 0; a < 3; ++a) {
        region.SetSize(a, g.size()[a]);
        spacing[a] = g.spacing()[a];
        for (unsigned b = 0; b < 3; ++b) {
            direction(a, b) = g.direction()[3 * a + b];
        }
    }
    origin[0] = g.origin().x;
    origin[1] = g.origin().y;
    origin[2] = g.origin().z;
    image->SetRegions(region);
    image->SetSpacing(spacing);
    image->SetOrigin(origin);
    image->SetDirection(direction);
    image->Allocate();
    std::copy(volume.data().begin(), volume.data().end(), image->GetBufferPointer());
    return image;
}
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
    using Filter = itk::ResampleImageFilter<Image3, Image3, double>;
    auto filter = Filter::New();
    filter->SetInput(toItkImage(volume));
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
    Image3::SizeType size;
    Image3::SpacingType spacing;
    Image3::PointType origin;
    Image3::DirectionType direction;
    for (unsigned a = 0; a < 3; ++a) {
        size[a] = target.size()[a];
        spacing[a] = target.spacing()[a];
        for (unsigned b = 0; b < 3; ++b) {
            direction(a, b) = target.direction()[3 * a + b];
        }
    }
    origin[0] = target.origin().x;
    origin[1] = target.origin().y;
    origin[2] = target.origin().z;
    filter->SetSize(size);
    filter->SetOutputSpacing(spacing);
    filter->SetOutputOrigin(origin);
    filter->SetOutputDirection(direction);
    filter->SetDefaultPixelValue(outside);
    try {
        filter->Update();
    } catch (const itk::ExceptionObject& e) {
        throw Error(std::string("resampling failed: ") + e.GetDescription());
    }
    const Image3* out = filter->GetOutput();
    const float* first = out->GetBufferPointer();
    return Volume::fromData(target, std::vector<float>(first, first + target.voxelCount()));
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
