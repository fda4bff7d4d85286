#pragma once

#include <QColor>
#include <QImage>

#include <cstdlib>
#include <set>

namespace tomo::ui::test
{
/// Pixels of `image` whose colour differs from `background` by more than `tolerance` in any
/// channel.
inline double fractionDifferent(const QImage& image, QRgb background, int tolerance)
{
    if (image.isNull()) {
        return 0.0;
    }
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    long long count = 0;
    for (int y = 0; y < rgb.height(); ++y) {
        for (int x = 0; x < rgb.width(); ++x) {
            const QRgb p = rgb.pixel(x, y);
            if (std::abs(qRed(p) - qRed(background)) > tolerance ||
                std::abs(qGreen(p) - qGreen(background)) > tolerance ||
                std::abs(qBlue(p) - qBlue(background)) > tolerance) {
                ++count;
            }
        }
    }
    return static_cast<double>(count) / (static_cast<double>(rgb.width()) * rgb.height());
}

/// The colour of pixel (x, y), alpha ignored.
inline QRgb colourAt(const QImage& image, int x, int y)
{
    return image.convertToFormat(QImage::Format_RGB32).pixel(x, y) | 0xFF000000U;
}

/// How many different colours `image` holds.
inline std::size_t distinctColours(const QImage& image)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    std::set<QRgb> seen;
    for (int y = 0; y < rgb.height(); ++y) {
        for (int x = 0; x < rgb.width(); ++x) {
            seen.insert(rgb.pixel(x, y));
        }
    }
    return seen.size();
}

/// With TOMO_TEST_DUMP=dir set, saves `image` as dir/<name>.png (STYLE.md B.6).
inline void dumpImage(const QImage& image, const char* name)
{
    const char* dir = std::getenv("TOMO_TEST_DUMP");
    if (dir != nullptr && *dir != '\0') {
        image.save(QString::fromUtf8(dir) + QStringLiteral("/") + QString::fromUtf8(name) +
                   QStringLiteral(".png"));
    }
}
} // namespace tomo::ui::test
