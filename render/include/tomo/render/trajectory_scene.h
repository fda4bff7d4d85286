#pragma once

#include "tomo/geometry.h"
#include "tomo/render/image_rgb.h"
#include "tomo/volume.h"

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

class vtkRenderer;

namespace tomo::render
{
/// A 3D picture of a scan (STYLE.md B.5): the source path as a tube coloured by view index
/// (blue = first view, red = last), the source of the current view (a sphere), the detector of
/// the current view (a solid surface, flat or cylindrical as the geometry says, with its frame
/// and a coarse pixel grid: a line every ceil(n / kMaxGridLines) pixels), the detector at every
/// k-th view (ghosted frames, one merged polydata), the beam from source to the current detector
/// (a fan triangle or a frustum; for parallel beams a slab), the reconstruction volume's box,
/// the field-of-view cylinder (radius Geometry::fieldOfViewRadius, over the z range the
/// detector covers at the isocentre along the orbit), world axes (x red, y green, z blue, from
/// the isocentre) and an orientation marker in the lower-left corner: a cube labelled with the
/// patient directions of the world frame (DESIGN.md §4, LPS: +x L, −x R, +y P, −y A, +z S,
/// −z I), turning with the camera.
///
/// Overlays: truncation (the edges of a detector frame drawn red on the sides where the volume
/// box's shadow, from its corners, falls outside the detector); the data-completeness map as a
/// coloured slice; one highlighted ray from the current source through a chosen point to the
/// pixel it lands on (teaching).
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
    /// Ghosted detectors drawn around the trajectory when ghostEvery is automatic.
    static constexpr std::size_t kGhostCount = 24;
    /// Pixel-grid lines drawn on the current detector per axis (at most).
    static constexpr std::size_t kMaxGridLines = 16;
    /// Colour of truncated frame edges (0xRRGGBB).
    static constexpr std::uint32_t kTruncationColour = 0xF03C3C;
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

    /// Ghost frames at every `every`-th view; 0 (the default) picks about kGhostCount of them.
    /// All ghosts are one merged polydata, so even every view of a 2000-view scan stays
    /// interactive.
    void setGhostEvery(std::size_t every);
    /// The step in use (≥ 1).
    [[nodiscard]] std::size_t ghostEvery() const;

    /// Teaching overlay: the ray from the current view's source through `pointMm` (world mm) to
    /// the detector, and the pixel it lands on (for parallel beams the ray along the view's
    /// direction). nullopt hides it. It follows setCurrentView.
    void setHighlightedPoint(std::optional<Vec3> pointMm);
    /// Fractional (column, row) where that ray meets the current detector (Geometry::
    /// projectPoint); nullopt without a point or when the ray misses the detector.
    [[nodiscard]] std::optional<std::array<double, 2>> highlightedPixel() const;

    /// Data-completeness overlay: `map` (tomo::completenessMap, values in [0, 1]) drawn as
    /// coloured cells, red (0) through yellow to green (1), on its plane nearest y = 0 (coronal,
    /// through the isocentre), or its only plane when it is 2D. nullptr hides it.
    void setCompleteness(std::shared_ptr<const Volume> map);

    /// Views whose detector does not hold the whole volume box (from its corners); empty
    /// without a grid. Their frames carry red edges on the truncated sides.
    [[nodiscard]] const std::vector<std::size_t>& truncatedViews() const;

    /// Puts the camera at the default oblique position looking at the whole scan.
    void resetCamera();

    /// The renderer holding the scene's actors. The scene keeps ownership.
    [[nodiscard]] vtkRenderer* renderer() const;
    /// Every renderer, for a host render window: renderer() on layer 0 and the orientation
    /// marker's on layer 1 (the host window needs SetNumberOfLayers(2); the marker renderer is
    /// not interactive, so the camera interaction goes to the main one).
    [[nodiscard]] std::vector<vtkRenderer*> renderers() const;

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
