#include "tomo/ui/compare_panel.h"

#include "plot_images.h"
#include "tomo/metrics.h"
#include "tomo/render/image_rgb.h"
#include "tomo/ui/image_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace tomo::ui
{
namespace
{
void flatten(const QJsonValue& value, const QString& path, std::map<QString, QString>& out)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            flatten(it.value(), path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key(),
                    out);
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            flatten(array.at(i), path + QStringLiteral("[%1]").arg(i), out);
        }
    } else {
        QJsonDocument doc(QJsonArray{value});
        QString text = QString::fromUtf8(doc.toJson(QJsonDocument::Compact));
        out[path] = text.mid(1, text.size() - 2); // strip the array's brackets
    }
}

/// Blue (−limit) → white (0) → red (+limit); row 0 of `values` at the top.
QImage divergingImage(const std::vector<float>& values, std::size_t nx, std::size_t ny, float limit)
{
    QImage image(static_cast<int>(nx), static_cast<int>(ny), QImage::Format_RGB32);
    for (std::size_t y = 0; y < ny; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(static_cast<int>(y)));
        for (std::size_t x = 0; x < nx; ++x) {
            const float t =
                limit > 0.0F ? std::clamp(values[y * nx + x] / limit, -1.0F, 1.0F) : 0.0F;
            const int fade = static_cast<int>(std::lround(255.0F * (1.0F - std::abs(t))));
            line[x] = t >= 0.0F ? qRgb(255, fade, fade) : qRgb(fade, fade, 255);
        }
    }
    return image;
}

/// One slice of a result as the screen shows it: row 0 at the top, `du` × `dv` mm pixels.
struct Plane
{
    std::vector<float> values;
    std::size_t width = 0;
    std::size_t height = 0;
    double du = 1.0; ///< mm, along the screen's right
    double dv = 1.0; ///< mm, along the screen's up

    /// The plane as a one-slice volume of its own (for the metrics, which compare grids).
    [[nodiscard]] Volume volume() const
    {
        return Volume::fromData(VolumeGrid::centred({width, height, 1}, {du, dv, 1.0}), values);
    }
};

/// The voxel layer of `volume` nearest to `cursor` along the axis normal to `orientation`,
/// oriented as render::SliceScene draws it: axial right +x, up −y; coronal right +x, up +z;
/// sagittal right +y, up +z (the volume's index axes taken as the world's).
Plane planeOf(const Volume& volume, render::SliceOrientation orientation, Vec3 cursor)
{
    const VolumeGrid& grid = volume.grid();
    const auto& n = grid.size();
    const auto& d = grid.direction();
    const Vec3 r = cursor - grid.origin();
    // The index along axis c nearest to the cursor (direction columns are unit).
    const auto nearest = [&](std::size_t c) {
        const double along = (d[c] * r.x + d[3 + c] * r.y + d[6 + c] * r.z) / grid.spacing()[c];
        return static_cast<std::size_t>(
            std::clamp(std::round(along), 0.0, static_cast<double>(n[c] - 1)));
    };
    Plane p;
    switch (orientation) {
    case render::SliceOrientation::Axial: {
        const std::size_t k = nearest(2);
        p.width = n[0];
        p.height = n[1];
        p.du = grid.spacing()[0];
        p.dv = grid.spacing()[1];
        const auto layer = volume.data().subspan(k * n[0] * n[1], n[0] * n[1]);
        p.values.assign(layer.begin(), layer.end()); // row j: y grows downwards (−y up)
        break;
    }
    case render::SliceOrientation::Coronal:
    case render::SliceOrientation::Sagittal: {
        // Up is +z in both; across is +x (coronal, the plane y = const) or +y (sagittal).
        const std::size_t across = orientation == render::SliceOrientation::Coronal ? 0 : 1;
        const std::size_t fixed = 1 - across;
        std::array<std::size_t, 3> index{};
        index[fixed] = nearest(fixed);
        p.width = n[across];
        p.height = n[2];
        p.du = grid.spacing()[across];
        p.dv = grid.spacing()[2];
        p.values.resize(p.width * p.height);
        for (index[2] = 0; index[2] < n[2]; ++index[2]) {
            for (index[across] = 0; index[across] < n[across]; ++index[across]) {
                p.values[(n[2] - 1 - index[2]) * p.width + index[across]] =
                    volume.at(index[0], index[1], index[2]);
            }
        }
        break;
    }
    }
    return p;
}

/// `image` stretched so that its pixels are `du` × `dv` mm in shape (nearest neighbour: voxels
/// stay sharp), for non-cubic voxels; unchanged for square ones.
QImage inShape(QImage image, double du, double dv)
{
    constexpr double kSquareEnough = 1e-3; // relative; below a pixel on any screen
    if (image.isNull() || std::abs(dv / du - 1.0) < kSquareEnough) {
        return image;
    }
    const int height = std::max(1, static_cast<int>(std::lround(image.height() * dv / du)));
    return image.scaled(image.width(), height, Qt::IgnoreAspectRatio, Qt::FastTransformation);
}
} // namespace

QString describeScene(const Scene& scene)
{
    const std::string_view kind = toString(scene.trajectory.kind);
    return QObject::tr("%1, %2 views, %3")
        .arg(QString::fromStdString(scene.algorithm()))
        .arg(scene.trajectory.views)
        .arg(QString::fromUtf8(kind.data(), static_cast<qsizetype>(kind.size())));
}

QString sceneChanges(const QString& jsonA, const QString& jsonB, int maxLines)
{
    std::map<QString, QString> a;
    std::map<QString, QString> b;
    flatten(QJsonDocument::fromJson(jsonA.toUtf8()).object(), {}, a);
    flatten(QJsonDocument::fromJson(jsonB.toUtf8()).object(), {}, b);
    QStringList lines;
    int more = 0;
    auto note = [&](const QString& path, const QString& from, const QString& to) {
        if (lines.size() < maxLines) {
            lines << QStringLiteral("%1: %2 → %3").arg(path, from, to);
        } else {
            ++more;
        }
    };
    for (const auto& [path, value] : a) {
        const auto it = b.find(path);
        if (it == b.end()) {
            note(path, value, QObject::tr("(none)"));
        } else if (it->second != value) {
            note(path, value, it->second);
        }
    }
    for (const auto& [path, value] : b) {
        if (a.find(path) == a.end()) {
            note(path, QObject::tr("(none)"), value);
        }
    }
    if (more > 0) {
        lines << QObject::tr("… and %1 more").arg(more);
    }
    return lines.join(QLatin1Char('\n'));
}

ComparePanel::ComparePanel(QWidget* parent) : QWidget(parent)
{
    m_viewA = new ImageView(tr("A"));
    m_viewB = new ImageView(tr("B"));
    m_viewDiff = new ImageView(tr("B − A"));
    m_changes = new QLabel;
    m_changes->setWordWrap(true);
    m_changes->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_metrics = new QLabel;
    m_metrics->setWordWrap(true);
    m_metrics->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* images = new QHBoxLayout;
    images->addWidget(m_viewA);
    images->addWidget(m_viewB);
    images->addWidget(m_viewDiff);
    m_changes->setMinimumWidth(240);
    m_metrics->setMinimumWidth(240);
    for (QLabel* label : {m_changes, m_metrics}) {
        label->setTextFormat(Qt::PlainText);
        label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::MinimumExpanding);
    }
    m_orientationCombo = new QComboBox;
    m_orientationCombo->setObjectName(QStringLiteral("compareOrientationCombo"));
    m_orientationCombo->addItem(tr("Axial"), static_cast<int>(render::SliceOrientation::Axial));
    m_orientationCombo->addItem(tr("Coronal"), static_cast<int>(render::SliceOrientation::Coronal));
    m_orientationCombo->addItem(tr("Sagittal"),
                                static_cast<int>(render::SliceOrientation::Sagittal));
    m_orientationCombo->setToolTip(tr("Which slice through the cursor A and B show"));
    connect(m_orientationCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        setOrientation(
            static_cast<render::SliceOrientation>(m_orientationCombo->itemData(index).toInt()));
    });
    m_duplicateButton = new QPushButton(tr("Duplicate as A"));
    m_duplicateButton->setObjectName(QStringLiteral("compareDuplicateButton"));
    m_duplicateButton->setToolTip(tr("Take the current experiment as A (its result too, if it "
                                     "is up to date); then change one thing"));
    connect(m_duplicateButton, &QPushButton::clicked, this, &ComparePanel::duplicateRequested);
    m_runBothButton = new QPushButton(tr("Run A and B"));
    m_runBothButton->setObjectName(QStringLiteral("compareRunBothButton"));
    m_runBothButton->setToolTip(tr("Run A's scene (unless its result is kept) and then the "
                                   "current scene as B"));
    connect(m_runBothButton, &QPushButton::clicked, this, &ComparePanel::runBothRequested);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_duplicateButton);
    buttons->addWidget(m_runBothButton);
    auto* text = new QVBoxLayout;
    text->addWidget(m_orientationCombo);
    text->addWidget(m_changes);
    text->addWidget(m_metrics);
    text->addStretch(1);
    text->addLayout(buttons);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(images, 3);
    layout->addLayout(text, 1);
    clear();
}

void ComparePanel::setA(std::shared_ptr<const Volume> volume, std::shared_ptr<const Volume> truth,
                        const QString& label, const QString& sceneJson)
{
    m_a = std::move(volume);
    m_truthA = std::move(truth);
    // One grey window for both sides: the truth's range (else A's), computed once per A.
    if (m_a) {
        m_window = render::autoWindow(m_truthA ? m_truthA->data() : m_a->data());
    }
    m_labelA = label;
    m_sceneA = sceneJson;
    m_b.reset();
    m_truthB.reset();
    refresh();
}

void ComparePanel::setB(std::shared_ptr<const Volume> volume, std::shared_ptr<const Volume> truth,
                        const QString& label, const QString& sceneJson)
{
    m_b = std::move(volume);
    m_truthB = std::move(truth);
    m_labelB = label;
    m_sceneB = sceneJson;
    refresh();
}

void ComparePanel::setPendingA(const QString& label, const QString& sceneJson)
{
    m_a.reset();
    m_truthA.reset();
    m_b.reset();
    m_truthB.reset();
    m_labelA = label;
    m_sceneA = sceneJson;
    refresh();
}

void ComparePanel::clear()
{
    m_sceneA.clear();
    m_a.reset();
    m_b.reset();
    m_truthA.reset();
    m_truthB.reset();
    refresh();
}

void ComparePanel::setCursor(Vec3 cursorMm)
{
    m_cursor = cursorMm;
    refresh();
}

void ComparePanel::setOrientation(render::SliceOrientation orientation)
{
    m_orientation = orientation;
    const QSignalBlocker block(m_orientationCombo);
    m_orientationCombo->setCurrentIndex(
        m_orientationCombo->findData(static_cast<int>(orientation)));
    refresh();
}

QString ComparePanel::metricsText() const
{
    return m_metrics->text();
}

QString ComparePanel::changesText() const
{
    return m_changes->text();
}

const QImage& ComparePanel::differenceImage() const
{
    return m_viewDiff->image();
}

const QImage& ComparePanel::imageA() const
{
    return m_viewA->image();
}

void ComparePanel::refresh()
{
    m_viewA->clear();
    m_viewB->clear();
    m_viewDiff->clear();
    const bool pending = !m_a && !m_sceneA.isEmpty();
    m_viewA->setCaption(m_a       ? tr("A: %1").arg(m_labelA)
                        : pending ? tr("A: %1 (not run yet: Run A and B runs it)").arg(m_labelA)
                                  : tr("A: use Keep as A or Duplicate as A"));
    m_viewB->setCaption(m_b ? tr("B: %1").arg(m_labelB) : tr("B: the next run"));
    m_viewDiff->setCaption(tr("B − A"));
    m_changes->clear();
    m_metrics->setText(m_a || pending ? tr("Change one thing and run: the result appears as B.")
                                      : tr("Keep a result as A, change one thing, run again."));
    m_runBothButton->setEnabled(!m_sceneA.isEmpty());
    // A 2D result has no coronal or sagittal slice worth the name (a strip one voxel high).
    const bool volumetric = m_a && !m_a->grid().is2D() && (!m_b || !m_b->grid().is2D());
    m_orientationCombo->setEnabled(volumetric);
    const render::SliceOrientation orientation =
        volumetric ? m_orientation : render::SliceOrientation::Axial;
    if (!m_a) {
        return;
    }
    const Plane planeA = planeOf(*m_a, orientation, m_cursor);
    const auto show = [](ImageView* view, const Plane& plane, const QImage& image) {
        view->setImage(inShape(image, plane.du, plane.dv));
    };
    show(m_viewA, planeA,
         detail::greyImage(planeA.values, planeA.width, planeA.height, m_window, false));
    if (!m_b) {
        return;
    }
    const QString changes = sceneChanges(m_sceneA, m_sceneB);
    m_changes->setText(changes.isEmpty() ? tr("The scenes are the same.")
                                         : tr("Changed from A to B:\n%1").arg(changes));
    const Plane planeB = planeOf(*m_b, orientation, m_cursor);
    show(m_viewB, planeB,
         detail::greyImage(planeB.values, planeB.width, planeB.height, m_window, false));
    if (m_b->grid() != m_a->grid()) {
        const auto& ga = m_a->grid().size();
        const auto& gb = m_b->grid().size();
        m_metrics->setText(tr("A is on a %1×%2×%3 grid and B on %4×%5×%6: comparing needs the "
                              "same grid (size, spacing, origin).")
                               .arg(ga[0])
                               .arg(ga[1])
                               .arg(ga[2])
                               .arg(gb[0])
                               .arg(gb[1])
                               .arg(gb[2]));
        return;
    }
    std::vector<float> diff(planeA.values.size());
    float limit = 0.0F;
    for (std::size_t i = 0; i < diff.size(); ++i) {
        diff[i] = planeB.values[i] - planeA.values[i];
        limit = std::max(limit, std::abs(diff[i]));
    }
    show(m_viewDiff, planeA, divergingImage(diff, planeA.width, planeA.height, limit));
    m_viewDiff->setCaption(tr("B − A (blue −%1, red +%1)").arg(limit, 0, 'g', 3));
    // Metrics of the slice shown (the whole image of a 2D scan): what the eye compares, and
    // cheap enough to follow the cursor.
    const Volume sliceA = planeA.volume();
    const Volume sliceB = planeB.volume();
    // PSNR and SSIM need a reference that is not constant; a slice through air is. Say so
    // rather than fail or print a number that means nothing.
    const auto measured = [](const Volume& reference, const auto& metric, int decimals,
                             const QString& unit) {
        return hasContrast(reference) ? QString::number(metric(), 'f', decimals) + unit
                                      : tr("undefined (constant reference)");
    };
    const QString dB = QStringLiteral(" dB");
    QString text = tr("On this slice, B against A: RMSE %1, PSNR %2, SSIM %3")
                       .arg(QString::number(rmse(sliceB, sliceA), 'g', 3),
                            measured(
                                sliceA, [&] { return psnr(sliceB, sliceA); }, 2, dB),
                            measured(
                                sliceA, [&] { return ssim(sliceB, sliceA); }, 4, QString()));
    if (m_truthA && m_truthB && m_truthA->grid() == m_a->grid() &&
        m_truthB->grid() == m_b->grid()) {
        const Volume truthA = planeOf(*m_truthA, orientation, m_cursor).volume();
        const Volume truthB = planeOf(*m_truthB, orientation, m_cursor).volume();
        text += tr("\nAgainst the truth: A %1, B %2")
                    .arg(measured(
                             truthA, [&] { return psnr(sliceA, truthA); }, 2, dB),
                         measured(
                             truthB, [&] { return psnr(sliceB, truthB); }, 2, dB));
    }
    m_metrics->setText(text);
}
} // namespace tomo::ui
