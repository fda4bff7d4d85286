#pragma once

#include "tomo/geometry.h"
#include "tomo/render/image_rgb.h"
#include "tomo/volume.h"

#include <cstddef>
#include <memory>
#include <optional>

class vtkRenderer;

namespace tomo::render
{
/// A 3D picture of a scan (STYLE.md B.5): the source path as a tube coloured by view index
/// (blue = first view, red = last), the source of the current view (a sphere), the detector of
/// the current view (a solid framed rectangle), the detector at every k-th view (ghosted frames,
/// one merged polydata), the beam from source to the current detector (a fan triangle or a
/// frustum; for parallel beams a slab), the reconstruction volume's box and world axes
/// (x red, y green, z blue, from the isocentre).
///
/// Parallel beams have no source point: a parallel view is drawn with its "source" on the line
/// through the detector centre d along the ray direction r, as far before the isocentre plane
/// as the detector lies behind it (the mirror image of d through the plane ⟂ r containing the
/// isocentre), so a circular parallel scan shows the same picture as the matching fan scan.
///
/// 2D beams have a detector one row of dv high; it is drawn kMin2DDetectorAspect times its
/// width high so that it can be seen.
///
/// Usage (UI thread only; VTK objects are not thread-safe):
///   TrajectoryScene scene(geometry, grid);
///   scene.setCurrentView(10);
///   RgbImage png = scene.renderOffscreen(400, 300);   // tests, CLI screenshots
/// or attach `scene.renderer()` to a host's render window (ui/VtkHostWidget) instead.
class TrajectoryScene
{
public:
    /// Drawn height / width of a 2D (one-row) detector.
    static constexpr double kMin2DDetectorAspect = 0.06;
    /// Ghosted detectors drawn around the trajectory (at most; every k-th view).
    static constexpr std::size_t kGhostCount = 24;
    /// Background colour of every rendering (0xRRGGBB).
    static constexpr std::uint32_t kBackground = kSceneBackground;

    explicit TrajectoryScene(const Geometry& geometry,
                             const std::optional<VolumeGrid>& grid = std::nullopt);
    ~TrajectoryScene();
    TrajectoryScene(const TrajectoryScene&) = delete;
    TrajectoryScene& operator=(const TrajectoryScene&) = delete;

    /// Replaces what is drawn; keeps the current view if it still exists (else view 0) and
    /// resets the camera.
    void setGeometry(const Geometry& geometry, const std::optional<VolumeGrid>& grid);

    /// Moves the current source, detector and beam to view `view` (clamped to the last view).
    void setCurrentView(std::size_t view);
    [[nodiscard]] std::size_t currentView() const;
    [[nodiscard]] std::size_t viewCount() const;

    /// Puts the camera at the default oblique position looking at the whole scan.
    void resetCamera();

    /// The renderer holding every actor, for a host render window (add it with
    /// vtkRenderWindow::AddRenderer). The scene keeps ownership.
    [[nodiscard]] vtkRenderer* renderer() const;

    /// Renders the scene into an offscreen window of `width` × `height` pixels and returns the
    /// pixels. Needs an OpenGL context (an X display; Xvfb is enough). The renderer must not be
    /// attached to another window while this runs.
    /// Throws InvalidArgument for a non-positive size, Error if the renderer is attached to a
    /// window other than the scene's own offscreen one.
    [[nodiscard]] RgbImage renderOffscreen(int width, int height);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};
} // namespace tomo::render
