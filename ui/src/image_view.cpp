#include "tomo/ui/image_view.h"

#include <QFontMetrics>
#include <QPaintEvent>
#include <QPainter>

#include <utility>

namespace tomo::ui
{
ImageView::ImageView(QString caption, QWidget* parent)
    : QWidget(parent), m_caption(std::move(caption))
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageView::setImage(QImage image)
{
    m_image = std::move(image);
    update();
}

void ImageView::setCaption(QString caption)
{
    m_caption = std::move(caption);
    update();
}

void ImageView::clear()
{
    m_image = QImage();
    update();
}

QSize ImageView::sizeHint() const
{
    return {360, 320};
}

QSize ImageView::minimumSizeHint() const
{
    return {160, 140};
}

void ImageView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), QColor::fromRgb(kBackground));
    const QFontMetrics metrics(font());
    const int captionHeight = metrics.height() + 6;
    painter.setPen(QColor(220, 224, 232));
    painter.drawText(QRect(6, 0, width() - 12, captionHeight), Qt::AlignLeft | Qt::AlignVCenter,
                     m_caption);
    const QRect area = rect().adjusted(4, captionHeight, -4, -4);
    if (m_image.isNull() || area.width() <= 0 || area.height() <= 0) {
        painter.setPen(QColor(140, 146, 160));
        painter.drawText(area, Qt::AlignCenter, tr("(nothing yet)"));
        return;
    }
    QSize target = m_image.size();
    target.scale(area.size(), Qt::KeepAspectRatio);
    const QRect place(area.x() + (area.width() - target.width()) / 2,
                      area.y() + (area.height() - target.height()) / 2, target.width(),
                      target.height());
    // Smooth when shrinking (avoids aliasing of the sinogram's stripes), crisp pixels when
    // magnifying.
    painter.setRenderHint(QPainter::SmoothPixmapTransform, target.width() < m_image.width());
    painter.drawImage(place, m_image);
}
} // namespace tomo::ui
