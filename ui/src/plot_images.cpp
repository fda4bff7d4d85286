#include "plot_images.h"

#include "tomo/ui/image_view.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace tomo::ui::detail
{
QImage greyImage(std::span<const float> values, std::size_t width, std::size_t height,
                 render::Window window, bool flipY)
{
    const auto grey = render::toGray8(values, width, height, window, flipY);
    QImage image(static_cast<int>(width), static_cast<int>(height), QImage::Format_Grayscale8);
    for (std::size_t y = 0; y < height; ++y) {
        std::copy_n(grey.begin() + static_cast<std::ptrdiff_t>(y * width), width,
                    image.scanLine(static_cast<int>(y)));
    }
    return image;
}

QImage curveImage(std::span<const float> values, render::Window window, QColor colour)
{
    const int width = std::max(2, static_cast<int>(values.size()));
    QImage image(width, kCurveHeight, QImage::Format_RGB32);
    image.fill(ImageView::kBackground);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    const double span = window.high > window.low ? window.high - window.low : 1.0;
    auto yOf = [&](double v) {
        return (kCurveHeight - 8) - (v - window.low) / span * (kCurveHeight - 16);
    };
    painter.setPen(QPen(QColor(0x60, 0x66, 0x78), 1.0, Qt::DashLine));
    painter.drawLine(QPointF(0, yOf(0.0)), QPointF(width, yOf(0.0)));
    QPainterPath path;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const QPointF p(static_cast<double>(i) + 0.5, yOf(values[i]));
        if (i == 0) {
            path.moveTo(p);
        } else {
            path.lineTo(p);
        }
    }
    painter.setPen(QPen(colour, 1.5));
    painter.drawPath(path);
    return image;
}
} // namespace tomo::ui::detail
