#pragma once

#include "tomo/compute.h"
#include "tomo/projections.h"
#include "tomo/projector.h"
#include "tomo/recon.h"
#include "tomo/volume.h"

#include <QDialog>

#include <cstddef>
#include <memory>
#include <optional>

class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTimer;

namespace tomo::ui
{
class ImageView;

/// Teaching mode for filtered backprojection (2D and cone beam): steps view by view through the
/// raw projection, the filtered projection (weighted and ramp filtered exactly as
/// reconstructAnalytic filters it, core's filterForBackprojection) and the image accumulating
/// as each filtered view is smeared back, with Play at a chosen speed, Step and Restart. After
/// the last view the image is the analytic reconstruction of that slice.
///
/// A 3D scan accumulates the axial slice through `sliceZ` only (a one-slice grid), so each step
/// costs one slice whatever the volume. Runs on the UI thread with a CPU context of its own: a
/// step backprojects one view onto one slice (well under a millisecond at 256²).
class FbpTeachingDialog : public QDialog
{
    Q_OBJECT

public:
    /// `projections`: the line integrals of a run; `grid`: the reconstruction grid; `options`:
    /// the scene's filter; `window`: the grey window of the image (the truth's range, so the
    /// image brightens as views accumulate). Throws as filterForBackprojection for a geometry
    /// FBP/FDK cannot reconstruct.
    FbpTeachingDialog(std::shared_ptr<const ProjectionStack> projections, const VolumeGrid& grid,
                      const FbpOptions& options, double sliceZ, std::pair<float, float> window,
                      QWidget* parent = nullptr);
    ~FbpTeachingDialog() override;
    FbpTeachingDialog(const FbpTeachingDialog&) = delete;
    FbpTeachingDialog& operator=(const FbpTeachingDialog&) = delete;

    /// Views accumulated so far (0 to viewCount()).
    [[nodiscard]] std::size_t viewsDone() const { return m_done; }
    [[nodiscard]] std::size_t viewCount() const;
    /// The image as accumulated so far (μ, mm⁻¹), on the one-slice grid.
    [[nodiscard]] const Volume& image() const { return *m_image; }
    [[nodiscard]] bool isPlaying() const;

    /// Accumulates the next `views` views (fewer at the end) and redraws.
    void step(std::size_t views = 1);
    /// Empties the image and goes back to view 0.
    void restart();
    void setPlaying(bool playing);
    /// Views per second while playing.
    void setSpeed(int viewsPerSecond);

private:
    void redraw();

    std::shared_ptr<const ProjectionStack> m_raw;
    std::shared_ptr<ComputeContext> m_compute;
    std::unique_ptr<Projector> m_projector; ///< voxel-driven, on m_compute
    std::unique_ptr<FilteredProjections> m_filtered;
    std::unique_ptr<Volume> m_image;
    std::size_t m_done = 0;
    std::pair<float, float> m_window;
    std::pair<float, float> m_filteredWindow;

    ImageView* m_rawView = nullptr;
    ImageView* m_filteredView = nullptr;
    ImageView* m_imageView = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_play = nullptr;
    QSpinBox* m_speed = nullptr;
    QTimer* m_timer = nullptr;
};
} // namespace tomo::ui
