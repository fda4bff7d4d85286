#pragma once

// Volume ↔ itk::Image for the ITK translation units of core/src/io (the only ITK users).
#include "tomo/volume.h"

#include <itkImage.h>

#include <algorithm>

namespace tomo::detail
{
using ItkImage3 = itk::Image<float, 3>;

/// The ITK description of `grid`: size, spacing, origin and direction (row a, column b of the
/// direction is our row-major entry 3a + b; both put index axis b in column b).
struct ItkGrid
{
    ItkImage3::SizeType size;
    ItkImage3::SpacingType spacing;
    ItkImage3::PointType origin;
    ItkImage3::DirectionType direction;
};

inline ItkGrid toItkGrid(const VolumeGrid& g)
{
    ItkGrid out;
    for (unsigned a = 0; a < 3; ++a) {
        out.size[a] = g.size()[a];
        out.spacing[a] = g.spacing()[a];
        for (unsigned b = 0; b < 3; ++b) {
            out.direction(a, b) = g.direction()[3 * a + b];
        }
    }
    out.origin[0] = g.origin().x;
    out.origin[1] = g.origin().y;
    out.origin[2] = g.origin().z;
    return out;
}

/// An allocated ITK image of `Pixel` on `grid` (size, spacing, origin, direction).
template <class Pixel> typename itk::Image<Pixel, 3>::Pointer newItkImage(const VolumeGrid& grid)
{
    using Image = itk::Image<Pixel, 3>;
    const ItkGrid g = toItkGrid(grid);
    auto image = Image::New();
    typename Image::RegionType region;
    region.SetSize(g.size);
    image->SetRegions(region);
    image->SetSpacing(g.spacing);
    image->SetOrigin(g.origin);
    image->SetDirection(g.direction);
    image->Allocate();
    return image;
}

/// A copy of `volume` as an ITK image with its grid.
inline ItkImage3::Pointer toItk(const Volume& volume)
{
    auto image = newItkImage<float>(volume.grid());
    std::copy(volume.data().begin(), volume.data().end(), image->GetBufferPointer());
    return image;
}
} // namespace tomo::detail
