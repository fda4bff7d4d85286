#pragma once

#include <QApplication>
#include <QColor>
#include <QImage>
#include <QPointer>
#include <QTimer>
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <set>

namespace tomo::ui::test
{
/// A modal dialog appears within a few event-loop turns; this bounds a broken test, not a slow
/// one.
inline constexpr int kDialogTimeoutMs = 10'000;

// Runs `handle` on the next modal dialog of type T (a file dialog, a message box) once it shows,
// and again on every tick while that same dialog stays open (a file dialog may refuse an accept
// while its folder is still loading). Other dialogs, shown later, are left to other watchers.
template <typename T> inline void onNextModal(std::function<void(T*)> handle)
{
    auto* timer = new QTimer;
    timer->setInterval(20);
    auto elapsed = std::make_shared<int>(0);
    auto mine = std::make_shared<QPointer<T>>();
    auto seen = std::make_shared<bool>(false);
    QObject::connect(timer, &QTimer::timeout, [timer, handle, elapsed, mine, seen] {
        *elapsed += timer->interval();
        auto* modal = qobject_cast<T*>(QApplication::activeModalWidget());
        const bool open = modal != nullptr && modal->isVisible();
        if (open && (!*seen || modal == *mine)) {
            *seen = true;
            *mine = modal;
            handle(modal);
            return;
        }
        if (!*seen && *elapsed <= kDialogTimeoutMs) {
            return;
        }
        if (!*seen) {
            ADD_FAILURE() << "no " << T::staticMetaObject.className() << " appeared";
        }
        timer->stop();
        timer->deleteLater();
    });
    timer->start();
}

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
