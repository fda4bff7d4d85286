#pragma once

#include <QImage>
#include <QString>
#include <QWidget>

namespace tomo::ui
{
/// Shows a QImage scaled to fit (aspect kept, pixels kept square) under a caption. Used for the
/// sinogram and the slice. UI thread only.
class ImageView : public QWidget
{
    Q_OBJECT

public:
    /// Colour behind and around the image.
    static constexpr QRgb kBackground = 0xFF202430;

    explicit ImageView(QString caption, QWidget* parent = nullptr);

    void setImage(QImage image);
    void setCaption(QString caption);
    void clear();
    [[nodiscard]] const QImage& image() const { return m_image; }
    [[nodiscard]] const QString& caption() const { return m_caption; }

    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QString m_caption;
    QImage m_image;
};
} // namespace tomo::ui
