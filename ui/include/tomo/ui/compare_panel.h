#pragma once

#include "tomo/render/image_rgb.h"
#include "tomo/render/slice_views.h"
#include "tomo/scene.h"
#include "tomo/volume.h"

#include <QString>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QPushButton;

namespace tomo::ui
{
class ImageView;

/// Compare two results side by side (issue 9, "Teaching and comparing"): A (the reference kept
/// with "Keep as A", or the duplicated experiment run by "Run A and B") and B (the newest run),
/// their slices through the cursor in one orientation (axial, coronal or sagittal, drawn as the
/// main slice views draw them) on one grey window, the difference B − A on a diverging map (blue
/// negative, white zero, red positive, symmetric about 0), what differs between their scenes,
/// and the metrics of the slice shown: B against A (RMSE, PSNR, SSIM) and each against the
/// truth. Both must lie on one grid; otherwise it says so.
///
/// The slice is the voxel layer of the results' grid nearest to the cursor along the chosen
/// axis (results lie on reconstruction grids, whose index axes are the world's). Voxels that are
/// not square in the plane are drawn to their shape in mm.
class ComparePanel : public QWidget
{
    Q_OBJECT

public:
    explicit ComparePanel(QWidget* parent = nullptr);

    /// One side: the volume, the phantom's truth on its grid (may be null), a short label
    /// ("sirt, 180 views") and the scene JSON it came from (to list what changed).
    void setA(std::shared_ptr<const Volume> volume, std::shared_ptr<const Volume> truth,
              const QString& label, const QString& sceneJson);
    void setB(std::shared_ptr<const Volume> volume, std::shared_ptr<const Volume> truth,
              const QString& label, const QString& sceneJson);
    /// A duplicated experiment not run yet: A's caption says so until setA (Run A and B).
    void setPendingA(const QString& label, const QString& sceneJson);
    void clear();
    /// Shows the slices through world point `cursorMm` (the slice views' cursor).
    void setCursor(Vec3 cursorMm);
    /// Axial, coronal or sagittal; a 2D pair has only its axial slice.
    void setOrientation(render::SliceOrientation orientation);
    [[nodiscard]] render::SliceOrientation orientation() const { return m_orientation; }

    [[nodiscard]] bool hasA() const { return m_a != nullptr; }
    [[nodiscard]] bool hasPair() const { return m_a && m_b; }
    [[nodiscard]] QString metricsText() const;
    [[nodiscard]] QString changesText() const;
    [[nodiscard]] const QImage& differenceImage() const;
    [[nodiscard]] const QImage& imageA() const;
    /// The scene JSON of A (kept, or pending), empty if none.
    [[nodiscard]] const QString& sceneA() const { return m_sceneA; }

signals:
    /// "Duplicate as A": the user wants the current experiment as A.
    void duplicateRequested();
    /// "Run A and B": the user wants A's scene and the current one run, one after the other.
    void runBothRequested();

private:
    void refresh();

    std::shared_ptr<const Volume> m_a;
    std::shared_ptr<const Volume> m_b;
    std::shared_ptr<const Volume> m_truthA;
    std::shared_ptr<const Volume> m_truthB;
    QString m_labelA;
    QString m_labelB;
    QString m_sceneA;
    QString m_sceneB;
    Vec3 m_cursor;
    render::SliceOrientation m_orientation = render::SliceOrientation::Axial;
    render::Window m_window; ///< the grey window of both sides (the truth's range)
    ImageView* m_viewA = nullptr;
    ImageView* m_viewB = nullptr;
    ImageView* m_viewDiff = nullptr;
    QLabel* m_changes = nullptr;
    QLabel* m_metrics = nullptr;
    QComboBox* m_orientationCombo = nullptr;
    QPushButton* m_duplicateButton = nullptr;
    QPushButton* m_runBothButton = nullptr;
};

/// "sirt, 180 views, helical": what tells two experiments apart at a glance.
[[nodiscard]] QString describeScene(const Scene& scene);

/// The leaves of two scene JSON texts that differ, one per line as "path: a → b" (at most
/// `maxLines`, then "… and N more"); empty if they are equal.
[[nodiscard]] QString sceneChanges(const QString& jsonA, const QString& jsonB, int maxLines = 6);
} // namespace tomo::ui
