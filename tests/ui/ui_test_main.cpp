// main() for tomo_ui_tests: a QApplication must exist before any widget, and VTK's OpenGL2
// backend needs the 3.2 core default format set before it.
#include "tomo/ui/vtk_host_widget.h"

#include <QApplication>
#include <QSurfaceFormat>
#include <QTemporaryDir>
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

int main(int argc, char** argv)
{
    ::testing::InitGoogleTest(&argc, argv);
    // gtest_discover_tests lists the tests at build time, where there may be no display: listing
    // needs no QApplication.
    if (::testing::GTEST_FLAG(list_tests)) {
        return RUN_ALL_TESTS();
    }
    // Settings, recent files and the autosave go to a throwaway folder, never the user's.
    const QTemporaryDir home;
    const QByteArray config = (home.path() + QStringLiteral("/config")).toUtf8();
    const QByteArray data = (home.path() + QStringLiteral("/data")).toUtf8();
    setenv("XDG_CONFIG_HOME", config.constData(), 1);
    setenv("XDG_DATA_HOME", data.constData(), 1);
    QSurfaceFormat::setDefaultFormat(tomo::ui::VtkHostWidget::defaultFormat());
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("tomoscope-tests"));
    QApplication::setApplicationName(QStringLiteral("tomo_ui_tests"));
    return RUN_ALL_TESTS();
}
