#pragma once

#include "tomo/render/colour_map.h"
#include "tomo/render/image_rgb.h"
#include "tomo/vec3.h"
#include "tomo/volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

class vtkImageData;
class vtkRenderer;

namespace tomo::render
{
/// Which world plane a slice view shows (DESIGN.md §4: world = LPS for patient images, so
/// +x = patient left, +y = posterior, +z = superior).
enum class SliceOrientation
{
    Axial,    ///< the plane z = const
    Coronal,  ///< the plane y = const
    Sagittal, ///< the plane x = const
};

/// "axial", "coronal", "sagittal".
[[nodiscard]] std::string_view toString(SliceOrientation orientation);

/// One slice of a volume through the cursor, in one orientation, in one vtkRenderer
/// (STYLE.md B.5).
///
/// Display orientation (radiological convention, the patient seen as on a CT console):
///   Axial    seen from the feet:        screen right = +x (patient left), screen up = −y
///                                       (anterior at the top, posterior at the bottom).
///   Coronal  seen from the front:       screen right = +x (patient left), screen up = +z.
///   Sagittal seen from patient's left:  screen right = +y (posterior), screen up = +z
///                                       (anterior on the left).
/// Lengths on screen are world mm: a voxel of spacing (sx, sy, sz) is drawn sx × sy (axial),
/// sx × sz (coronal), sy × sz (sagittal), a square of its own colour centred exactly at the
/// voxel's centre (nearest-neighbour display, no smoothing).
///
/// The renderer's own coordinates are "display mm" (X, Y) = (world · screenRight,
/// world · screenUp): displayFromWorld / worldFromDisplay convert (a host's picking).
///
/// The slice: for a grid whose index axis along the slice normal is a world axis (identity or
/// any axis permutation/flip of direction cosines, which covers reconstruction grids and most
/// scanner volumes) the slice is the voxel layer nearest to the cursor, clamped to the volume,
/// and its pixels are the voxels themselves. For oblique direction cosines the slice is the
/// world plane through the cursor, resampled (nearest neighbour) on a grid of the smallest
/// spacing; points outside the volume are transparent. A 2D volume (nz = 1) shows in the axial
/// view; its coronal and sagittal views are a strip one voxel (sz) high.
///
/// Overlays: the crosshair, two thin yellow lines through the cursor across the slice, and the
/// profile line (cyan), drawn at full strength where it lies in the slice (both ends within
/// half a voxel of its plane) and faint where it is only its projection onto the slice.
///
/// The camera fits the slice to the renderer's viewport (with a small margin) at every render;
/// zoom and pan are not supported yet.
///
/// Updates never block: setVolume keeps the snapshot and points the pipeline's image at its
/// voxels (zero-copy, the same VTK objects); the slice is extracted when the renderer next
/// renders. UI thread only (VTK objects are not thread-safe).
class SliceScene
{
public:
    /// Colour of the crosshair, 0xRRGGBB.
    static constexpr std::uint32_t kCrosshairColour = 0xFFE600;
    /// Colour of the profile line, 0xRRGGBB.
    static constexpr std::uint32_t kProfileColour = 0x00E5FF;

    explicit SliceScene(SliceOrientation orientation);
    ~SliceScene();
    SliceScene(const SliceScene&) = delete;
    SliceScene& operator=(const SliceScene&) = delete;

    [[nodiscard]] SliceOrientation orientation() const;

    /// Shows `volume` (nullptr: nothing). The scene keeps the snapshot while it shows it and
    /// never writes to it. Until setWindow is called, the window is autoWindow of the volume
    /// (one pass over the voxels per new volume); after it, the window set is kept.
    void setVolume(std::shared_ptr<const Volume> volume);
    void setWindow(Window window);
    [[nodiscard]] Window window() const;
    void setColourMap(ColourMap map);
    [[nodiscard]] ColourMap colourMap() const;

    /// The slice through `worldMm` (see the class comment) with the crosshair at it.
    void setCursor(Vec3 worldMm);
    [[nodiscard]] Vec3 cursor() const;

    /// The segment (world mm) drawn as the profile line; nullopt hides it.
    void setProfileLine(std::optional<std::pair<Vec3, Vec3>> line);

    /// (screen-right, screen-up) display mm of a world point (its projection onto the slice).
    [[nodiscard]] std::array<double, 2> displayFromWorld(Vec3 worldMm) const;
    /// The world point of display mm (x, y) on the current slice plane.
    [[nodiscard]] Vec3 worldFromDisplay(double x, double y) const;

    /// The renderer holding the slice and overlays, for a host render window. The scene keeps
    /// ownership.
    [[nodiscard]] vtkRenderer* renderer() const;
    /// The image wrapping the current volume's voxels (zero-copy; nullptr scalars without a
    /// volume). The same object for the scene's lifetime: new snapshots only repoint its array.
    [[nodiscard]] vtkImageData* volumeImage() const;

    /// Renders the scene into an offscreen window of `width` × `height` pixels (see
    /// TrajectoryScene::renderOffscreen). Throws InvalidArgument for a non-positive size, Error
    /// if the renderer is attached to another window.
    [[nodiscard]] RgbImage renderOffscreen(int width, int height);

private:
    friend class SliceViews;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// The three slice views of one volume with a linked crosshair: setCursor moves all three
/// slices and crosshairs, and window and colour map apply to all three.
class SliceViews
{
public:
    SliceViews();
    ~SliceViews();
    SliceViews(const SliceViews&) = delete;
    SliceViews& operator=(const SliceViews&) = delete;

    /// Shows `volume` in the three views. The first volume (or one on a different grid) puts the
    /// cursor at the centre of the grid; later snapshots on the same grid keep it.
    void setVolume(std::shared_ptr<const Volume> volume);
    void setWindow(Window window);
    void setColourMap(ColourMap map);
    void setCursor(Vec3 worldMm);
    [[nodiscard]] Vec3 cursor() const;
    /// The profile line drawn in all three views (see SliceScene::setProfileLine).
    void setProfileLine(std::optional<std::pair<Vec3, Vec3>> line);

    [[nodiscard]] SliceScene& scene(SliceOrientation orientation);
    [[nodiscard]] const SliceScene& scene(SliceOrientation orientation) const;

    /// The line profile along a segment (world mm) of the current volume, `samples` values for a
    /// plot: core's lineProfile (trilinear; 0 outside the grid). Empty without a volume.
    /// Throws InvalidArgument for fewer than 2 samples.
    [[nodiscard]] std::vector<double> sampleProfile(Vec3 from, Vec3 to, std::size_t samples) const;

    /// The three views side by side in one offscreen window of `width` × `height` pixels,
    /// three viewports of width/3: axial | coronal | sagittal. The scenes' renderers are
    /// detached from it again afterwards (so each scene can still render on its own).
    /// Throws as SliceScene::renderOffscreen.
    [[nodiscard]] RgbImage renderOffscreen(int width, int height);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};
} // namespace tomo::render
