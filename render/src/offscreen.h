#pragma once

// Shared by every scene: rendering a renderer (or a whole window of viewports) offscreen into an
// RgbImage, and the scenes' common colours. Private to tomo_render.

#include "tomo/render/image_rgb.h"

#include <vtkSmartPointer.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

class vtkRenderer;
class vtkRenderWindow;

namespace tomo::render::detail
{
/// A 0xRRGGBB colour as VTK's (r, g, b) in [0, 1].
[[nodiscard]] std::array<double, 3> unitRgb(std::uint32_t colour);

/// Sets `renderer`'s background to kSceneBackground, opaque (a host compositing the framebuffer, as
/// QOpenGLWidget does, would otherwise show through where the default alpha of 0 is left).
void setBackground(vtkRenderer* renderer);

/// Renders `window` (created offscreen on first use, owned by the caller through `window`)
/// at `width` × `height` and reads its pixels, top row first. `renderers` not yet in the window
/// are added to it, with as many layers as their GetLayer() needs. `who` names the scene in
/// errors.
/// Throws InvalidArgument for a non-positive size, Error if a renderer is attached to another
/// window (a host's: grab that one instead).
[[nodiscard]] RgbImage renderOffscreen(vtkSmartPointer<vtkRenderWindow>& window,
                                       std::initializer_list<vtkRenderer*> renderers, int width,
                                       int height, std::string_view who);

/// Detaches `renderers` from `window` and releases its GL resources (a scene's destructor).
void releaseOffscreen(vtkSmartPointer<vtkRenderWindow>& window,
                      std::initializer_list<vtkRenderer*> renderers);
} // namespace tomo::render::detail
