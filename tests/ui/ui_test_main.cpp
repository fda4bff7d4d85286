// main() for tomo_ui_tests: a QApplication must exist before any widget, and VTK's OpenGL2
// backend needs the 3.2 core default format set before it.
#include "tomo/ui/vtk_host_widget.h"

#include <QApplication>
#include <QSurfaceFormat>
#include <gtest/gtest.h>

#include <memory>

int main(int argc, char** argv)
{
    ::testing::InitGoogleTest(&argc, argv);
    // gtest_discover_tests lists the tests at build time, where there may be no display: listing
    // needs no QApplication.
    if (::testing::GTEST_FLAG(list_tests)) {
        return RUN_ALL_TESTS();
    }
    QSurfaceFormat::setDefaultFormat(tomo::ui::VtkHostWidget::defaultFormat());
    QApplication app(argc, argv);
    return RUN_ALL_TESTS();
}
