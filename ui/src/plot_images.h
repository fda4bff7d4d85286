#pragma once
// Small pictures the window and the teaching view draw with QPainter (private to tomo_ui).

#include "tomo/render/image_rgb.h"

#include <QColor>
#include <QImage>

#include <cstddef>
#include <span>

namespace tomo::ui::detail
{
/// `values` (width × height, x fastest) as an 8-bit grey image over `window` (low black, high
/// white); with `flipY` the last row is drawn at the top (so +y or +v points up).
[[nodiscard]] QImage greyImage(std::span<const float> values, std::size_t width, std::size_t height,
                               render::Window window, bool flipY);

/// Height of the image curveImage draws.
inline constexpr int kCurveHeight = 180;

/// One detector row as a curve: u to the right (one image column per value), the value upwards
/// over `window` (the low end at the bottom), a dashed zero line, on ImageView's background.
[[nodiscard]] QImage curveImage(std::span<const float> values, render::Window window,
                                QColor colour = QColor(0xF0, 0x8C, 0x28));
} // namespace tomo::ui::detail
