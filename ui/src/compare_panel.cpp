#include "tomo/ui/compare_panel.h"

#include "geometry_tools.h"
#include "plot_images.h"
#include "tomo/metrics.h"
#include "tomo/render/image_rgb.h"
#include "tomo/ui/image_view.h"

#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
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

/// Blue (−limit) → white (0) → red (+limit), +y up.
QImage divergingImage(const std::vector<float>& values, std::size_t nx, std::size_t ny, float limit)
{
    QImage image(static_cast<int>(nx), static_cast<int>(ny), QImage::Format_RGB32);
    for (std::size_t y = 0; y < ny; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(static_cast<int>(ny - 1 - y)));
        for (std::size_t x = 0; x < nx; ++x) {
            const float t =
                limit > 0.0F ? std::clamp(values[y * nx + x] / limit, -1.0F, 1.0F) : 0.0F;
            const int fade = static_cast<int>(std::lround(255.0F * (1.0F - std::abs(t))));
            line[x] = t >= 0.0F ? qRgb(255, fade, fade) : qRgb(fade, fade, 255);
        }
    }
    return image;
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
    auto* text = new QVBoxLayout;
    text->addWidget(m_changes);
    text->addWidget(m_metrics);
    text->addStretch(1);
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

void ComparePanel::clear()
{
    m_a.reset();
    m_b.reset();
    m_truthA.reset();
    m_truthB.reset();
    refresh();
}

void ComparePanel::setSliceZ(double zMm)
{
    m_z = zMm;
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

void ComparePanel::refresh()
{
    m_viewA->clear();
    m_viewB->clear();
    m_viewDiff->clear();
    m_viewA->setCaption(m_a ? tr("A: %1").arg(m_labelA) : tr("A: use Run → Keep as A"));
    m_viewB->setCaption(m_b ? tr("B: %1").arg(m_labelB) : tr("B: the next run"));
    m_viewDiff->setCaption(tr("B − A"));
    m_changes->clear();
    m_metrics->setText(m_a ? tr("Change one thing and run: the result appears as B.")
                           : tr("Keep a result as A, change one thing, run again."));
    if (!m_a) {
        return;
    }
    const Volume sliceA = detail::axialSliceOf(*m_a, m_z);
    const std::size_t nx = sliceA.grid().size()[0];
    const std::size_t ny = sliceA.grid().size()[1];
    m_viewA->setImage(detail::greyImage(sliceA.data(), nx, ny, m_window, true));
    if (!m_b) {
        return;
    }
    const QString changes = sceneChanges(m_sceneA, m_sceneB);
    m_changes->setText(changes.isEmpty() ? tr("The scenes are the same.")
                                         : tr("Changed from A to B:\n%1").arg(changes));
    const Volume sliceB = detail::axialSliceOf(*m_b, m_z);
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
        m_viewB->setImage(detail::greyImage(sliceB.data(), sliceB.grid().size()[0],
                                            sliceB.grid().size()[1], m_window, true));
        return;
    }
    const auto a = sliceA.data();
    const auto b = sliceB.data();
    std::vector<float> diff(a.size());
    float limit = 0.0F;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff[i] = b[i] - a[i];
        limit = std::max(limit, std::abs(diff[i]));
    }
    m_viewB->setImage(detail::greyImage(b, nx, ny, m_window, true));
    m_viewDiff->setImage(divergingImage(diff, nx, ny, limit));
    m_viewDiff->setCaption(tr("B − A (blue −%1, red +%1)").arg(limit, 0, 'g', 3));
    // Metrics of the slice shown (the whole image of a 2D scan): what the eye compares, and
    // cheap enough to follow the cursor.
    QString text = tr("On this slice, B against A: RMSE %1, PSNR %2 dB, SSIM %3")
                       .arg(rmse(sliceB, sliceA), 0, 'g', 3)
                       .arg(psnr(sliceB, sliceA), 0, 'f', 2)
                       .arg(ssim(sliceB, sliceA), 0, 'f', 4);
    if (m_truthA && m_truthB && m_truthA->grid() == m_a->grid() &&
        m_truthB->grid() == m_b->grid()) {
        text += tr("\nAgainst the truth: A %1 dB, B %2 dB")
                    .arg(psnr(sliceA, detail::axialSliceOf(*m_truthA, m_z)), 0, 'f', 2)
                    .arg(psnr(sliceB, detail::axialSliceOf(*m_truthB, m_z)), 0, 'f', 2);
    }
    m_metrics->setText(text);
}
} // namespace tomo::ui
