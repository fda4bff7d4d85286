// tomoscope: the desktop app. Argument wiring only (DESIGN.md §2); the window is tomo::ui.
#include "tomo/ui/main_window.h"
#include "tomo/ui/vtk_host_widget.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QIcon>
#include <QMessageBox>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <string_view>

namespace
{
/// The example scene: installed next to the executable, else in the source tree.
QString findDefaultScene()
{
    const QString name = QStringLiteral("shepp-logan-2d-parallel.json");
    const QStringList candidates{
        QDir(QCoreApplication::applicationDirPath())
            .filePath(QStringLiteral("../share/tomoscope/scenes/") + name),
        QDir(QStringLiteral(TOMO_SOURCE_RESOURCES)).filePath(QStringLiteral("scenes/") + name)};
    for (const QString& path : candidates) {
        if (QFileInfo::exists(path)) {
            return QDir::cleanPath(path);
        }
    }
    return {};
}

/// Writes `image` to `path`; prints why not on failure.
bool saveScreenshot(tomo::ui::MainWindow& window, const QString& path)
{
    const QImage image = window.grabWindow();
    if (image.isNull() || !image.save(path)) {
        std::fprintf(stderr, "tomoscope: cannot write screenshot %s\n", qPrintable(path));
        return false;
    }
    std::fprintf(stderr, "tomoscope: wrote %s\n", qPrintable(path));
    return true;
}

/// Writes each of the window's panels into `folder` as NAME.png (MainWindow::grabPanels).
bool savePanels(tomo::ui::MainWindow& window, const QString& folder)
{
    if (!QDir().mkpath(folder)) {
        std::fprintf(stderr, "tomoscope: cannot create %s\n", qPrintable(folder));
        return false;
    }
    bool ok = true;
    for (const auto& [name, image] : window.grabPanels()) {
        const QString path = QDir(folder).filePath(name + QStringLiteral(".png"));
        if (image.isNull() || !image.save(path)) {
            std::fprintf(stderr, "tomoscope: cannot write %s\n", qPrintable(path));
            ok = false;
        }
    }
    std::fprintf(stderr, "tomoscope: wrote the panels into %s\n", qPrintable(folder));
    return ok;
}

/// The app's icon: installed next to the executable, else the build's rendering of it.
QIcon findIcon()
{
    QIcon icon;
    for (const int size : {32, 64, 128, 256}) {
        const QString file = QStringLiteral("%1x%1/org.tomoscope.Tomoscope.png").arg(size);
        for (const QString& path : {QDir(QCoreApplication::applicationDirPath())
                                        .filePath(QStringLiteral("../share/icons/hicolor/") + file),
                                    QDir(QStringLiteral(TOMO_BUILD_ICONS)).filePath(file)}) {
            if (QFileInfo::exists(path)) {
                icon.addFile(path);
                break;
            }
        }
    }
    return icon;
}

bool wantsOnlyText(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        if (a == "-h" || a == "--help" || a == "-?" || a == "--help-all" || a == "-v" ||
            a == "--version") {
            return true;
        }
    }
    return false;
}

/// The options, shared by the text-only (--help, --version) and the windowed start.
void setUpParser(QCommandLineParser& parser)
{
    parser.setApplicationDescription(
        QStringLiteral("Tomoscope: an interactive X-ray CT laboratory"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("scene"),
                                 QStringLiteral("Scene file (.json); default: the Shepp-Logan "
                                                "2D parallel-beam example."),
                                 QStringLiteral("[SCENE.json]"));
    const QCommandLineOption runOption(QStringLiteral("run"),
                                       QStringLiteral("Start the run at once."));
    const QCommandLineOption deviceOption(
        QStringLiteral("device"),
        QStringLiteral("Compute device: auto, cpu, opencl, opencl:P:D or part of a device name."),
        QStringLiteral("NAME"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Write a PNG of the window when the run finishes (implies --run)."),
        QStringLiteral("FILE.png"));
    const QCommandLineOption atProgressOption(
        QStringLiteral("screenshot-at-progress"),
        QStringLiteral("Take the screenshot instead once this fraction (0-1) of the sinogram "
                       "is filled."),
        QStringLiteral("FRACTION"));
    const QCommandLineOption panelsOption(
        QStringLiteral("screenshot-panels"),
        QStringLiteral("Also write a PNG of each panel (scene pages, geometry check, plots, "
                       "compare, tune, log, the views) into this folder when the run finishes "
                       "(implies --run)."),
        QStringLiteral("DIR"));
    const QCommandLineOption quitOption(
        QStringLiteral("quit-after-run"),
        QStringLiteral("Quit once the run has finished and the screenshot (if any) is written."));
    parser.addOptions(
        {runOption, deviceOption, screenshotOption, atProgressOption, panelsOption, quitOption});
}
} // namespace

int main(int argc, char** argv)
{
    // --help and --version print text: they must work without a display (over ssh, in a
    // package check), so they are answered before any window system is touched.
    if (wantsOnlyText(argc, argv)) {
        QCoreApplication textOnly(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("tomoscope"));
        QCoreApplication::setApplicationVersion(QStringLiteral(TOMO_VERSION));
        QCommandLineParser parser;
        setUpParser(parser);
        parser.process(textOnly); // prints and exits
        return 0;
    }
    // Without a display Qt would abort with a plugin message; say what to do instead.
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        std::fprintf(stderr,
                     "tomoscope: no display: DISPLAY and WAYLAND_DISPLAY are unset. Start it in a "
                     "desktop session, under 'xvfb-run -a tomoscope ...', or run the scene "
                     "headless with 'tomoscope-cli run SCENE.json -o OUT'.\n");
        return 1;
    }
    // VTK 9.1's OpenGL2 backend needs a 3.2 core context; this must precede QApplication.
    QSurfaceFormat::setDefaultFormat(tomo::ui::VtkHostWidget::defaultFormat());
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("tomoscope"));
    QApplication::setOrganizationName(QStringLiteral("Tomoscope"));
    QApplication::setApplicationVersion(QStringLiteral(TOMO_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral("org.tomoscope.Tomoscope"));
    QApplication::setWindowIcon(findIcon());

    QCommandLineParser parser;
    setUpParser(parser);
    parser.process(app);
    const QString atProgressOption = QStringLiteral("screenshot-at-progress");

    const QString screenshot = parser.value(QStringLiteral("screenshot"));
    double atProgress = -1.0;
    if (parser.isSet(atProgressOption)) {
        bool ok = false;
        atProgress = parser.value(atProgressOption).toDouble(&ok);
        if (!ok || atProgress < 0.0 || atProgress > 1.0) {
            std::fprintf(stderr,
                         "tomoscope: --screenshot-at-progress = %s is invalid: expected a "
                         "number from 0 to 1\n",
                         qPrintable(parser.value(atProgressOption)));
            return 1;
        }
    }
    const QString panels = parser.value(QStringLiteral("screenshot-panels"));
    const bool run =
        parser.isSet(QStringLiteral("run")) || !screenshot.isEmpty() || !panels.isEmpty();
    const bool quitAfterRun = parser.isSet(QStringLiteral("quit-after-run"));

    tomo::ui::MainWindow window(parser.value(QStringLiteral("device")));
    const QStringList positional = parser.positionalArguments();
    const QString scenePath = positional.isEmpty() ? findDefaultScene() : positional.first();
    bool sceneOk = true;
    // An autosave left by a session that did not close normally: offer it (interactive starts
    // only; --run and --screenshot never wait for an answer).
    const bool interactive = !run && positional.isEmpty();
    bool recovered = false;
    if (interactive && QFileInfo::exists(tomo::ui::MainWindow::autosavePath())) {
        const QString when =
            QFileInfo(tomo::ui::MainWindow::autosavePath()).lastModified().toString();
        recovered = QMessageBox::question(
                        nullptr, QStringLiteral("Tomoscope"),
                        QStringLiteral("Tomoscope did not close normally. Recover the unsaved "
                                       "scene autosaved on %1?")
                            .arg(when)) == QMessageBox::Yes &&
                    window.recoverAutosave();
    }
    if (!recovered && !scenePath.isEmpty()) {
        sceneOk = window.openSceneFile(scenePath);
    }
    window.show();

    if (run && sceneOk) {
        auto shotTaken = std::make_shared<bool>(false);
        if (!screenshot.isEmpty() && atProgress >= 0.0) {
            QObject::connect(&window, &tomo::ui::MainWindow::previewShown, &window,
                             [&window, screenshot, atProgress, shotTaken,
                              quitAfterRun](std::size_t done, std::size_t views) {
                                 if (*shotTaken || views == 0 ||
                                     static_cast<double>(done) <
                                         atProgress * static_cast<double>(views)) {
                                     return;
                                 }
                                 *shotTaken = true;
                                 const bool ok = saveScreenshot(window, screenshot);
                                 if (quitAfterRun) {
                                     window.cancelRun();
                                     QApplication::exit(ok ? 0 : 1);
                                 }
                             });
        }
        QObject::connect(
            &window, &tomo::ui::MainWindow::runFinished, &window,
            [&window, screenshot, panels, shotTaken, quitAfterRun](tomo::ui::JobState state) {
                bool ok = state == tomo::ui::JobState::Succeeded;
                if (!screenshot.isEmpty() && !*shotTaken) {
                    *shotTaken = true;
                    ok = saveScreenshot(window, screenshot) && ok;
                }
                if (!panels.isEmpty()) {
                    ok = savePanels(window, panels) && ok;
                }
                if (quitAfterRun) {
                    QApplication::exit(ok ? 0 : 1);
                }
            });
        // Start once the window is shown and the GL view initialised.
        QTimer::singleShot(0, &window, [&window] { (void)window.startRun(); });
    } else if (quitAfterRun) {
        QTimer::singleShot(0, &app, [sceneOk] { QApplication::exit(sceneOk ? 0 : 1); });
    }
    return QApplication::exec();
}
