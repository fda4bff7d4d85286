#pragma once

// Pieces shared by the 2D image views (slice views, projection view): overlay lines and a
// parallel camera that fits an image to its viewport. Private to tomo_render.

#include <vtkSmartPointer.h>

#include <array>
#include <cstdint>
#include <initializer_list>

class vtkActor;
class vtkPolyData;
class vtkRenderer;

namespace tomo::render::detail
{
/// An unlit actor drawing `data`'s lines in `rgb` (0xRRGGBB) one pixel wide.
[[nodiscard]] vtkSmartPointer<vtkActor> makeLineActor(vtkPolyData* data, std::uint32_t rgb);

/// Replaces `data` by the segments {x0, y0, x1, y1} (scene coordinates) at depth `z`.
void setSegments(vtkPolyData* data, std::initializer_list<std::array<double, 4>> segments,
                 double z);

/// The closed outline of the rectangle [x0, x1] × [y0, y1] as four segments at depth `z`.
void setFrame(vtkPolyData* data, double x0, double y0, double x1, double y1, double z);

/// Points `renderer`'s camera (parallel projection) at the rectangle [x0, x1] × [y0, y1] of the
/// plane z = 0 so that it fills 1/kFitMargin of the viewport along its limiting side, seen from
/// +z with +y up (yDown false), or from −z with +y down (yDown true); +x is to the right either
/// way. Overlays must then lie on the camera's side of the plane (z > 0, or z < 0 if yDown).
void fitImageCamera(vtkRenderer* renderer, double x0, double y0, double x1, double y1, bool yDown);

/// Margin of fitImageCamera: the image fills 1/1.04 of the viewport, so that a thin border of
/// background shows where it ends.
inline constexpr double kFitMargin = 1.04;
} // namespace tomo::render::detail
