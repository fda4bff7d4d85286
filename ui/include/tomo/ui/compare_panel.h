#pragma once

#include "tomo/render/image_rgb.h"
#include "tomo/scene.h"
#include "tomo/volume.h"

#include <QString>
#include <QWidget>

#include <memory>

class QLabel;

namespace tomo::ui
{
class ImageView;

/// Compare two results side by side (issue 9, "Teaching and comparing"): A (the reference kept
/// with "Keep as A") and B (the newest run), their axial slices through the same z on one grey
/// window, the difference B − A on a diverging map (blue negative, white zero, red positive,
/// symmetric about 0), what differs between their scenes, and the metrics: B against A (RMSE,
/// PSNR, SSIM) and each against the truth. Both must lie on one grid; otherwise it says so.
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
    void clear();
    /// Shows the axial slices nearest to world z (mm): the slice views' cursor.
    void setSliceZ(double zMm);

    [[nodiscard]] bool hasA() const { return m_a != nullptr; }
    [[nodiscard]] bool hasPair() const { return m_a && m_b; }
    [[nodiscard]] QString metricsText() const;
    [[nodiscard]] QString changesText() const;
    [[nodiscard]] const QImage& differenceImage() const;

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
    double m_z = 0.0;
    render::Window m_window; ///< the grey window of both sides (the truth's range)
    ImageView* m_viewA = nullptr;
    ImageView* m_viewB = nullptr;
    ImageView* m_viewDiff = nullptr;
    QLabel* m_changes = nullptr;
    QLabel* m_metrics = nullptr;
};

/// "sirt, 180 views, helical": what tells two experiments apart at a glance.
[[nodiscard]] QString describeScene(const Scene& scene);

/// The leaves of two scene JSON texts that differ, one per line as "path: a → b" (at most
/// `maxLines`, then "… and N more"); empty if they are equal.
[[nodiscard]] QString sceneChanges(const QString& jsonA, const QString& jsonB, int maxLines = 6);
} // namespace tomo::ui
