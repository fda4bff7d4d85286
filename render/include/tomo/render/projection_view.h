#pragma once

#include "tomo/projections.h"
#include "tomo/render/colour_map.h"
#include "tomo/render/image_rgb.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

class vtkImageData;
class vtkRenderer;

namespace tomo::render
{
/// The window of a projection stack's first views, grown as the stack fills: one pass over each
/// new view rather than over the whole stack at every snapshot. Assign {} to start again (a new
/// stack); the views already counted must not change.
class StackRange
{
public:
    /// Adds views [views(), viewsDone) of `stack`; nothing if viewsDone ≤ views().
    void grow(const ProjectionStack& stack, std::size_t viewsDone);
    [[nodiscard]] std::size_t views() const { return m_views; }
    /// autoWindow of the views counted.
    [[nodiscard]] Window window() const { return m_range.window(); }

private:
    ValueRange m_range;
    std::size_t m_views = 0;
};

/// The projection data of a scan as images, in two renderers (STYLE.md B.5):
///
/// - Projection: the current view's detector image. Columns u to the right, rows v upwards (row
///   index growing upwards, as v̂ = +z in the reference circular trajectory), each pixel drawn
///   du × dv (the detector's pixel aspect). A one-row (2D) detector is drawn as a strip
///   kMin2DStripAspect times its width high. A grey frame marks the detector's outline; on a
///   detector with several rows a yellow line marks the sinogram row.
/// - Sinogram: the chosen detector row across views. Columns u to the right (one square pixel
///   per column and view), views downwards: view 0 at the top. Only views [0, viewsDone) are
///   drawn; later rows are left as background inside the grey frame of the whole sinogram, so
///   the sinogram fills as views arrive. A yellow line marks the current view.
///
/// Both use one window and colour map; the window is either set, or (nullopt, the default)
/// the finite minimum and maximum of the acquired views [0, viewsDone), gathered incrementally:
/// a snapshot of the same scan with more views done only reads the new views.
///
/// Updates never block: setProjections keeps the snapshot and points the images at its values
/// (zero-copy for the projection, and for the sinogram of a one-row detector; the sinogram of a
/// row of a multi-row detector is gathered, views × columns values). The same VTK objects serve
/// every snapshot. UI thread only.
class ProjectionView
{
public:
    /// Drawn height / width of the projection of a one-row detector.
    static constexpr double kMin2DStripAspect = 0.08;
    /// Colour of the current-view and sinogram-row markers, 0xRRGGBB.
    static constexpr std::uint32_t kMarkerColour = 0xFFE600;
    /// Colour of the frames around the detector and the sinogram, 0xRRGGBB.
    static constexpr std::uint32_t kFrameColour = 0x8A8F99;

    ProjectionView();
    ~ProjectionView();
    ProjectionView(const ProjectionView&) = delete;
    ProjectionView& operator=(const ProjectionView&) = delete;

    /// Shows `projections` (nullptr: nothing) of which views [0, viewsDone) are acquired; the
    /// others are not drawn. A stack of another row count puts the sinogram row at the centre
    /// row (rows/2); the current view is clamped to the last view.
    /// Throws InvalidArgument if viewsDone exceeds the stack's views (or is not 0 without one).
    void setProjections(std::shared_ptr<const ProjectionStack> projections, std::size_t viewsDone);

    /// The view shown as the projection, clamped to the last view (like
    /// TrajectoryScene::setCurrentView). A view not yet acquired shows as an empty frame.
    void setCurrentView(std::size_t view);
    [[nodiscard]] std::size_t currentView() const;

    /// The detector row shown as the sinogram. Throws InvalidArgument naming the field, the
    /// value and the accepted range if `row` is not a row of the current projections (or if
    /// there are none).
    void setSinogramRow(std::size_t row);
    [[nodiscard]] std::size_t sinogramRow() const;

    /// A fixed window, or nullopt: automatic from the acquired data (see the class comment).
    void setWindow(std::optional<Window> window);
    /// The window in use.
    [[nodiscard]] Window window() const;
    void setColourMap(ColourMap map);

    [[nodiscard]] vtkRenderer* projectionRenderer() const;
    [[nodiscard]] vtkRenderer* sinogramRenderer() const;
    /// The images behind the two views (the same objects for the view's lifetime).
    [[nodiscard]] vtkImageData* projectionImage() const;
    [[nodiscard]] vtkImageData* sinogramImage() const;

    /// Both views in one offscreen window of `width` × `height` pixels: the projection in the
    /// left half, the sinogram in the right half (the renderers' viewports; a host may set
    /// others). Throws InvalidArgument for a non-positive size, Error if a renderer is attached
    /// to another window.
    [[nodiscard]] RgbImage renderOffscreen(int width, int height);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};
} // namespace tomo::render
