// The Reconstruction page of ScenePanel.

#include "scene_panel_widgets.h"
#include "tomo/ui/scene_document.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSpinBox>
#include <QStandardItemModel>

#include <algorithm>
#include <climits>
#include <exception>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace tomo::ui::detail
{
namespace
{
bool isOneOf(const std::string& name, std::initializer_list<std::string_view> names)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

// The algorithm families of IterativeOptions' comments: which fields each algorithm reads.
bool isPocs(const std::string& a)
{
    return isOneOf(a, {"tv-pocs", "asd-pocs", "awtv-pocs"});
}
bool isSirtFamily(const std::string& a)
{
    return isOneOf(a, {"sirt", "sart", "os-sart"});
}
bool usesSubsets(const std::string& a)
{
    return isOneOf(a, {"os-sart", "osem"}) || isPocs(a);
}

QString windowName(RampWindow w)
{
    switch (w) {
    case RampWindow::RamLak:
        return tr("Ram-Lak");
    case RampWindow::SheppLogan:
        return tr("Shepp–Logan");
    case RampWindow::Cosine:
        return tr("cosine");
    case RampWindow::Hamming:
        return tr("Hamming");
    case RampWindow::Hann:
        return tr("Hann");
    }
    return {};
}

std::optional<double> scanRadius(const Scene& s)
{
    try {
        return s.geometry().fieldOfViewRadius();
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

QString fieldOfView(const Scene& s)
{
    const auto& n = s.reconstruction.gridSize;
    const auto& d = s.reconstruction.gridSpacingMm;
    QString text = n[2] == 1 ? tr("%1 × %2 mm")
                                   .arg(formatNumber(static_cast<double>(n[0]) * d[0]),
                                        formatNumber(static_cast<double>(n[1]) * d[1]))
                             : tr("%1 × %2 × %3 mm")
                                   .arg(formatNumber(static_cast<double>(n[0]) * d[0]),
                                        formatNumber(static_cast<double>(n[1]) * d[1]),
                                        formatNumber(static_cast<double>(n[2]) * d[2]));
    // Where the geometry is invalid the document's validation message says why; the grid alone
    // is shown then.
    const std::optional<double> radius = scanRadius(s);
    if (radius) {
        text += tr("; the scan covers ⌀ %1 mm").arg(QString::number(2.0 * *radius, 'f', 1));
    }
    return text;
}
} // namespace

QWidget* makeReconstructionPage(SceneBinder& binder)
{
    PageBuilder page("reconstructionPage");
    QFormLayout* method = page.addGroup(tr("Method"), "methodGroup");

    std::vector<std::pair<QString, QVariant>> names{{tr("automatic"), QString()}};
    for (const AlgorithmChoice& c : algorithmChoices(Scene{})) {
        names.emplace_back(QString::fromStdString(c.name), QString::fromStdString(c.name));
    }
    QComboBox* algorithm = makeCombo("algorithmCombo", names,
                                     tr("fbp (2D) and fdk (3D) are analytic and fast; the "
                                        "iterative methods take any trajectory"));
    method->addRow(tr("Algorithm"), algorithm);
    binder.bindCombo(
        algorithm, tr("Algorithm"),
        [](const Scene& s) { return QVariant(QString::fromStdString(s.reconstruction.algorithm)); },
        [](Scene& s, const QVariant& v) {
            s.reconstruction.algorithm = v.toString().toStdString();
        });

    // Analytic.
    QGroupBox* filterGroup = nullptr;
    QFormLayout* filter = page.addGroup(tr("Filter"), "filterGroup", &filterGroup);
    std::vector<std::pair<QString, QVariant>> windows;
    for (RampWindow w : {RampWindow::RamLak, RampWindow::SheppLogan, RampWindow::Cosine,
                         RampWindow::Hamming, RampWindow::Hann}) {
        windows.emplace_back(windowName(w), static_cast<int>(w));
    }
    QComboBox* window =
        makeCombo("filterWindowCombo", windows,
                  tr("Apodisation of the ramp filter: Ram-Lak is sharpest, Hann smoothest"));
    filter->addRow(tr("Window"), window);
    binder.bindCombo(
        window, tr("Filter"),
        [](const Scene& s) { return QVariant(static_cast<int>(s.reconstruction.fbp.window)); },
        [](Scene& s, const QVariant& v) {
            s.reconstruction.fbp.window = static_cast<RampWindow>(v.toInt());
        });
    QDoubleSpinBox* cutoff =
        makeDoubleSpin({"cutoffSpin", 0.01, 1.0, 3, 0.05, "",
                        tr("Cut-off as a fraction of the Nyquist frequency 1/(2·du)")});
    filter->addRow(tr("Cut-off"), cutoff);
    binder.bindDouble(
        cutoff, tr("Cut-off"), [](const Scene& s) { return s.reconstruction.fbp.cutoff; },
        [](Scene& s, double v) { s.reconstruction.fbp.cutoff = v; });

    // Iterative.
    QGroupBox* iterativeGroup = nullptr;
    QFormLayout* it = page.addGroup(tr("Iterations"), "iterativeGroup", &iterativeGroup);
    QSpinBox* iterations = makeIntSpin("iterationsSpin", 1, 100000,
                                       tr("Full passes over the data (every subset once)"));
    it->addRow(tr("Iterations"), iterations);
    binder.bindInt(
        iterations, tr("Iterations"),
        [](const Scene& s) { return static_cast<double>(s.reconstruction.iterative.iterations); },
        [](Scene& s, int v) {
            s.reconstruction.iterative.iterations = static_cast<std::size_t>(v);
        });
    QDoubleSpinBox* relaxation = makeDoubleSpin(
        {"relaxationSpin", 0.001, 1.999, 3, 0.05, "", tr("Relaxation λ of the update, in (0, 2)")});
    it->addRow(tr("Relaxation"), relaxation);
    binder.bindDouble(
        relaxation, tr("Relaxation"),
        [](const Scene& s) { return s.reconstruction.iterative.relaxation; },
        [](Scene& s, double v) { s.reconstruction.iterative.relaxation = v; });
    QDoubleSpinBox* reduction =
        makeDoubleSpin({"relaxationReductionSpin", 0.001, 1.0, 3, 0.01, "",
                        tr("Factor applied to λ after every iteration, in (0, 1]")});
    it->addRow(tr("λ reduction"), reduction);
    binder.bindDouble(
        reduction, tr("Relaxation reduction"),
        [](const Scene& s) { return s.reconstruction.iterative.relaxationReduction; },
        [](Scene& s, double v) { s.reconstruction.iterative.relaxationReduction = v; });
    QSpinBox* subsets = makeIntSpin("subsetsSpin", 1, 100000,
                                    tr("Subsets of views; more than the views: one view each"));
    it->addRow(tr("Subsets"), subsets);
    binder.bindInt(
        subsets, tr("Subsets"),
        [](const Scene& s) { return static_cast<double>(s.reconstruction.iterative.subsets); },
        [](Scene& s, int v) { s.reconstruction.iterative.subsets = static_cast<std::size_t>(v); });
    QComboBox* order =
        makeCombo("subsetOrderCombo",
                  {{QStringLiteral("interleaved"), static_cast<int>(SubsetOrder::Interleaved)},
                   {QStringLiteral("sequential"), static_cast<int>(SubsetOrder::Sequential)},
                   {QStringLiteral("random"), static_cast<int>(SubsetOrder::Random)}},
                  tr("Which views form a subset and in which order subsets are visited"));
    it->addRow(tr("Subset order"), order);
    binder.bindCombo(
        order, tr("Subset order"),
        [](const Scene& s) { return QVariant(static_cast<int>(s.reconstruction.iterative.order)); },
        [](Scene& s, const QVariant& v) {
            s.reconstruction.iterative.order = static_cast<SubsetOrder>(v.toInt());
        });
    QSpinBox* seed =
        makeIntSpin("iterativeSeedSpin", 0, INT_MAX, tr("Seed of the random subset order"));
    it->addRow(tr("Order seed"), seed);
    binder.bindInt(
        seed, tr("Order seed"),
        [](const Scene& s) { return static_cast<double>(s.reconstruction.iterative.seed); },
        [](Scene& s, int v) { s.reconstruction.iterative.seed = static_cast<std::uint64_t>(v); });
    QComboBox* projector =
        makeCombo("projectorCombo",
                  {{QStringLiteral("joseph"), static_cast<int>(ProjectorModel::Joseph)},
                   {QStringLiteral("siddon"), static_cast<int>(ProjectorModel::Siddon)}},
                  tr("The ray-driven projector (with its exact transpose)"));
    it->addRow(tr("Projector"), projector);
    binder.bindCombo(
        projector, tr("Projector"),
        [](const Scene& s) {
            return QVariant(static_cast<int>(s.reconstruction.iterative.projector));
        },
        [](Scene& s, const QVariant& v) {
            s.reconstruction.iterative.projector = static_cast<ProjectorModel>(v.toInt());
        });
    auto* nonNegative = new QCheckBox(tr("Non-negative"));
    nonNegative->setObjectName(QStringLiteral("nonNegativeCheck"));
    nonNegative->setToolTip(tr("Clamp negative voxels to 0 after every update"));
    it->addRow(nonNegative);
    binder.bindBool(
        nonNegative, tr("Non-negative"),
        [](const Scene& s) { return s.reconstruction.iterative.nonNegative; },
        [](Scene& s, bool on) { s.reconstruction.iterative.nonNegative = on; });
    auto* multiResolution = new QCheckBox(tr("Coarse to fine"));
    multiResolution->setObjectName(QStringLiteral("multiResolutionCheck"));
    multiResolution->setToolTip(tr("Reconstruct first on coarser grids (each axis ≤ 64 voxels), "
                                   "then refine: a first image sooner"));
    it->addRow(multiResolution);
    binder.bindBool(
        multiResolution, tr("Coarse to fine"),
        [](const Scene& s) { return s.reconstruction.iterative.multiResolution; },
        [](Scene& s, bool on) { s.reconstruction.iterative.multiResolution = on; });

    // Total variation.
    QGroupBox* tvGroup = nullptr;
    QFormLayout* tv = page.addGroup(tr("Total variation"), "tvGroup", &tvGroup);
    ScientificSpinBox* tvWeight = makeScientificSpin(
        "tvWeightSpin", 0.0, 1.0, tr("FISTA-TV: weight λ_TV of TV in the objective, in /mm"));
    tv->addRow(tr("TV weight"), tvWeight);
    binder.bindDouble(
        tvWeight, tr("TV weight"),
        [](const Scene& s) { return s.reconstruction.iterative.tvWeight; },
        [](Scene& s, double v) { s.reconstruction.iterative.tvWeight = v; });
    QSpinBox* tvIterations =
        makeIntSpin("tvIterationsSpin", 1, 10000, tr("Inner TV steps per iteration"));
    tv->addRow(tr("TV steps"), tvIterations);
    binder.bindInt(
        tvIterations, tr("TV steps"),
        [](const Scene& s) { return static_cast<double>(s.reconstruction.iterative.tvIterations); },
        [](Scene& s, int v) {
            s.reconstruction.iterative.tvIterations = static_cast<std::size_t>(v);
        });
    ScientificSpinBox* alpha = makeScientificSpin(
        "alphaSpin", 1e-9, 10.0, tr("TV step length as a fraction of the data step's change (α)"));
    tv->addRow(tr("α"), alpha);
    binder.bindDouble(
        alpha, tr("α"), [](const Scene& s) { return s.reconstruction.iterative.alpha; },
        [](Scene& s, double v) { s.reconstruction.iterative.alpha = v; });
    QDoubleSpinBox* alphaReduction =
        makeDoubleSpin({"alphaReductionSpin", 0.001, 1.0, 3, 0.01, "",
                        tr("Factor on the TV step when TV outweighs the data step, in (0, 1]")});
    tv->addRow(tr("α reduction"), alphaReduction);
    binder.bindDouble(
        alphaReduction, tr("α reduction"),
        [](const Scene& s) { return s.reconstruction.iterative.alphaReduction; },
        [](Scene& s, double v) { s.reconstruction.iterative.alphaReduction = v; });
    QDoubleSpinBox* rMax = makeDoubleSpin(
        {"rMaxSpin", 0.001, 100.0, 3, 0.05, "", tr("Largest accepted ratio of TV to data change")});
    tv->addRow(tr("r max"), rMax);
    binder.bindDouble(
        rMax, tr("r max"), [](const Scene& s) { return s.reconstruction.iterative.rMax; },
        [](Scene& s, double v) { s.reconstruction.iterative.rMax = v; });
    ScientificSpinBox* epsilon = makeScientificSpin(
        "epsilonSpin", 0.0, 10.0,
        tr("Data tolerance ‖Ax − b‖/‖b‖: the TV step is shortened only above it"));
    tv->addRow(tr("ε"), epsilon);
    binder.bindDouble(
        epsilon, tr("ε"), [](const Scene& s) { return s.reconstruction.iterative.epsilon; },
        [](Scene& s, double v) { s.reconstruction.iterative.epsilon = v; });
    ScientificSpinBox* delta = makeScientificSpin(
        "deltaSpin", 1e-12, 10.0,
        tr("Edge contrast δ (/mm) of the adaptive weights exp(−(Δ/δ)²): larger edges are kept"));
    tv->addRow(tr("δ"), delta);
    binder.bindDouble(
        delta, tr("δ"), [](const Scene& s) { return s.reconstruction.iterative.delta; },
        [](Scene& s, double v) { s.reconstruction.iterative.delta = v; });

    // Output.
    QFormLayout* output = page.addGroup(tr("Output"), "outputGroup");
    auto* hu = new QCheckBox(tr("Hounsfield units"));
    hu->setObjectName(QStringLiteral("huCheck"));
    hu->setToolTip(tr("Output 1000·(μ − μ_water)/μ_water instead of μ in /mm"));
    output->addRow(hu);
    binder.bindBool(
        hu, tr("HU output"), [](const Scene& s) { return s.reconstruction.fbp.hu; },
        [](Scene& s, bool on) { s.reconstruction.fbp.hu = on; });
    QDoubleSpinBox* muWater =
        makeDoubleSpin({"muWaterSpin", 0.000001, 1.0, 6, 0.001, " /mm",
                        tr("μ of water for the HU scale (0.019288 /mm at 70 keV)")});
    output->addRow(tr("μ water"), muWater);
    binder.bindDouble(
        muWater, tr("μ water"), [](const Scene& s) { return s.reconstruction.fbp.muWater; },
        [](Scene& s, double v) { s.reconstruction.fbp.muWater = v; });
    QSpinBox* batch = makeIntSpin("batchViewsSpin", 1, 100000,
                                  tr("Views per batch of projection and backprojection; a "
                                     "preview follows each"));
    output->addRow(tr("Batch views"), batch);
    binder.bindInt(
        batch, tr("Batch views"),
        [](const Scene& s) { return static_cast<double>(s.reconstruction.fbp.batchViews); },
        [](Scene& s, int v) { s.reconstruction.fbp.batchViews = static_cast<std::size_t>(v); });

    // Grid.
    QFormLayout* grid = page.addGroup(tr("Grid"), "gridGroup");
    QSpinBox* sizes[3] = {};
    const char* sizeNames[3] = {"gridNxSpin", "gridNySpin", "gridNzSpin"};
    const char* spacingNames[3] = {"gridSpacingXSpin", "gridSpacingYSpin", "gridSpacingZSpin"};
    const char* axes[3] = {"x", "y", "z"};
    for (std::size_t a = 0; a < 3; ++a) {
        sizes[a] = makeIntSpin(sizeNames[a], 1, 8192,
                               tr("Voxels along %1; the grid is centred on the isocentre")
                                   .arg(QString::fromUtf8(axes[a])));
        grid->addRow(tr("N%1").arg(QString::fromUtf8(axes[a])), sizes[a]);
        binder.bindInt(
            sizes[a], tr("Grid N%1").arg(QString::fromUtf8(axes[a])),
            [a](const Scene& s) { return static_cast<double>(s.reconstruction.gridSize[a]); },
            [a](Scene& s, int v) { s.reconstruction.gridSize[a] = static_cast<std::size_t>(v); });
    }
    for (std::size_t a = 0; a < 3; ++a) {
        QDoubleSpinBox* spin =
            makeDoubleSpin({spacingNames[a], 0.0001, 100.0, 4, 0.1, " mm",
                            tr("Voxel size along %1").arg(QString::fromUtf8(axes[a]))});
        grid->addRow(tr("Spacing %1").arg(QString::fromUtf8(axes[a])), spin);
        binder.bindDouble(
            spin, tr("Grid spacing %1").arg(QString::fromUtf8(axes[a])),
            [a](const Scene& s) { return s.reconstruction.gridSpacingMm[a]; },
            [a](Scene& s, double v) { s.reconstruction.gridSpacingMm[a] = v; });
    }
    QLabel* fov = makeInfoLabel("fieldOfViewLabel");
    fov->setToolTip(tr("The grid's extent, and the diameter every view's rays cover at z = 0"));
    grid->addRow(tr("Field of view"), fov);

    binder.onRefresh([=](const Scene& s) {
        // Availability of every entry, from core's rules (the CLI uses the same).
        const std::vector<AlgorithmChoice> choices = algorithmChoices(s);
        auto* model = qobject_cast<QStandardItemModel*>(algorithm->model());
        const std::string automatic = is2D(s.beam) ? "fbp" : "fdk";
        for (int i = 0; i < algorithm->count(); ++i) {
            const std::string name = algorithm->itemData(i).toString().toStdString();
            const std::string& lookup = name.empty() ? automatic : name;
            const auto c = std::find_if(choices.begin(), choices.end(),
                                        [&](const AlgorithmChoice& x) { return x.name == lookup; });
            const bool available = c == choices.end() || c->available;
            QString tip = c == choices.end() ? QString() : QString::fromStdString(c->reason);
            if (name.empty()) {
                algorithm->setItemText(i,
                                       tr("automatic (%1)").arg(QString::fromStdString(automatic)));
                tip = tr("The analytic method of the beam, %1%2")
                          .arg(QString::fromStdString(automatic),
                               tip.isEmpty() ? QString() : QStringLiteral(": ") + tip);
            } else if (available && !tip.isEmpty()) {
                tip = tr("Not exact here: %1").arg(tip);
            }
            if (model != nullptr) {
                model->item(i)->setEnabled(available);
            }
            algorithm->setItemData(i, tip, Qt::ToolTipRole);
        }
        const std::string a = s.algorithm();
        const bool iterative = s.isIterative();
        filterGroup->setVisible(!iterative);
        iterativeGroup->setVisible(iterative);
        const bool pocs = isPocs(a);
        const bool sirt = isSirtFamily(a);
        setRowVisible(it, relaxation, sirt || pocs);
        setRowVisible(it, reduction, pocs);
        setRowVisible(it, subsets, usesSubsets(a));
        setRowVisible(it, order, usesSubsets(a) || a == "sart");
        setRowVisible(it, seed,
                      (usesSubsets(a) || a == "sart") &&
                          s.reconstruction.iterative.order == SubsetOrder::Random);
        setRowVisible(it, nonNegative, sirt || pocs);
        tvGroup->setVisible(a == "fista-tv" || pocs);
        setRowVisible(tv, tvWeight, a == "fista-tv");
        setRowVisible(tv, alpha, pocs);
        const bool adaptive = isOneOf(a, {"asd-pocs", "awtv-pocs"});
        setRowVisible(tv, alphaReduction, adaptive);
        setRowVisible(tv, rMax, adaptive);
        setRowVisible(tv, epsilon, adaptive);
        setRowVisible(tv, delta, a == "awtv-pocs");
        setRowVisible(output, muWater, s.reconstruction.fbp.hu);
        const bool twoD = is2D(s.beam);
        sizes[2]->setEnabled(!twoD);
        sizes[2]->setToolTip(twoD ? tr("A 2D beam reconstructs one slice")
                                  : tr("Voxels along z; the grid is centred on the isocentre"));
        fov->setText(fieldOfView(s));
    });
    return page.finish();
}
} // namespace tomo::ui::detail
