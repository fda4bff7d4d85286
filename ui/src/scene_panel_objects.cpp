// The Object page's table of a phantom's analytic objects: every built-in, file or inline
// phantom listed shape by shape, each cell editable. Editing makes the scene's phantom "inline"
// (ObjectSpec::objects), so the edited phantom is saved with the scene and undone in one step.

#include "scene_panel_widgets.h"
#include "tomo/error.h"
#include "tomo/materials.h"
#include "tomo/phantom_io.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTableWidget>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

namespace tomo::ui::detail
{
namespace
{
enum Column : int
{
    Kind,
    CentreX,
    CentreY,
    CentreZ,
    AxisA,
    AxisB,
    AxisC,
    Phi,
    Theta,
    Psi,
    Value,
    MaterialName,
    ColumnCount
};

struct ColumnSpec
{
    const char* title;
    const char* key;     ///< the phantom file's key, for undo labels and messages
    const char* toolTip; ///< what the column holds, with its unit
};

constexpr std::array<ColumnSpec, ColumnCount> kColumns{{
    {"Kind", "kind", "ellipsoid, box or cylinder (along its local z)"},
    {"x", "centre_mm[0]", "Centre x, mm"},
    {"y", "centre_mm[1]", "Centre y, mm"},
    {"z", "centre_mm[2]", "Centre z, mm"},
    {"a", "semi_axes_mm[0]", "Semi-axis (box: half-size) along local x, mm"},
    {"b", "semi_axes_mm[1]", "Semi-axis (box: half-size) along local y, mm"},
    {"c", "semi_axes_mm[2]",
     "Semi-axis along local z, mm (cylinder: half-length); a box or cylinder may be ∞, a 2D "
     "shape"},
    {"φ", "euler_deg[0]", "Turn about z, degrees (z-x'-z'' Euler angles)"},
    {"θ", "euler_deg[1]", "Then about the new x, degrees"},
    {"ψ", "euler_deg[2]", "Then about the new z, degrees"},
    {"μ", "value_per_mm", "Attenuation added inside the shape, mm⁻¹"},
    {"Material", "material",
     "What the shape is made of for a polychromatic simulation (empty: from the HU of the "
     "summed μ)"},
}};

/// A combo box editor for the Kind column.
class KindDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& /*option*/,
                          const QModelIndex& /*index*/) const override
    {
        auto* combo = new QComboBox(parent);
        for (const ShapeKind kind : {ShapeKind::Ellipsoid, ShapeKind::Box, ShapeKind::Cylinder}) {
            const std::string_view name = toString(kind);
            combo->addItem(QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())));
        }
        return combo;
    }

    void setEditorData(QWidget* editor, const QModelIndex& index) const override
    {
        auto* combo = static_cast<QComboBox*>(editor);
        combo->setCurrentText(index.data().toString());
    }

    void setModelData(QWidget* editor, QAbstractItemModel* model,
                      const QModelIndex& index) const override
    {
        model->setData(index, static_cast<QComboBox*>(editor)->currentText());
    }
};

QString kindText(ShapeKind kind)
{
    const std::string_view name = toString(kind);
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

QString lengthText(double mm)
{
    return std::isinf(mm) ? QStringLiteral("∞") : formatNumber(mm);
}

/// The cells of one object, in column order. Angles are the object's rotation as z-x'-z''
/// Euler angles (eulerFromRotation), in degrees.
std::array<QString, ColumnCount> cellsOf(const AnalyticObject& o)
{
    const std::array<double, 3> euler = eulerFromRotation(o.rotation);
    return {kindText(o.kind),
            formatNumber(o.centre.x),
            formatNumber(o.centre.y),
            formatNumber(o.centre.z),
            lengthText(o.semiAxes.x),
            lengthText(o.semiAxes.y),
            lengthText(o.semiAxes.z),
            formatNumber(toDegrees(euler[0])),
            formatNumber(toDegrees(euler[1])),
            formatNumber(toDegrees(euler[2])),
            formatNumber(o.value),
            QString::fromStdString(o.material)};
}

/// The phantom the scene scans, or the reason it has none to list (a volume, an unreadable
/// phantom file).
struct Listed
{
    std::optional<Phantom> phantom;
    QString problem;
};

Listed listedPhantom(const Scene& s)
{
    if (s.object.isVolume()) {
        return {};
    }
    try {
        return {s.object.phantom == "inline" ? Phantom{"inline", s.object.objects}
                                             : makePhantom(s.object),
                {}};
    } catch (const Error& e) {
        return {std::nullopt, QString::fromUtf8(e.what())};
    }
}

/// Sets field `column` of `o` from `text`; returns an error message naming the field, the text
/// and what is accepted, or an empty string.
QString setField(AnalyticObject& o, int column, const QString& text, const QString& field)
{
    const QString trimmed = text.trimmed();
    const auto invalid = [&](const QString& accepted) {
        return tr("%1 = \"%2\" is invalid: %3").arg(field, trimmed, accepted);
    };
    if (column == Kind) {
        try {
            o.kind = parseShapeKind(trimmed.toStdString(), field.toStdString());
        } catch (const InvalidArgument& e) {
            return QString::fromUtf8(e.what());
        }
        if (o.kind == ShapeKind::Ellipsoid && std::isinf(o.semiAxes.z)) {
            return tr("%1 = \"ellipsoid\" is invalid: its c is ∞; give c a length first, or keep "
                      "a box or cylinder")
                .arg(field);
        }
        return {};
    }
    if (column == MaterialName) {
        if (trimmed.isEmpty()) {
            o.material.clear();
            return {};
        }
        try {
            o.material = findMaterial(trimmed.toStdString(), field.toStdString()).name;
        } catch (const InvalidArgument& e) {
            return QString::fromUtf8(e.what());
        }
        return {};
    }
    double value = 0.0;
    const bool infinite = trimmed == QStringLiteral("∞") ||
                          trimmed.compare(QStringLiteral("inf"), Qt::CaseInsensitive) == 0 ||
                          trimmed.compare(QStringLiteral("infinity"), Qt::CaseInsensitive) == 0;
    if (column == AxisC && infinite) {
        if (o.kind == ShapeKind::Ellipsoid) {
            return invalid(tr("an ellipsoid's c must be a length > 0 mm; only a box or cylinder "
                              "may be ∞"));
        }
        value = std::numeric_limits<double>::infinity();
    } else {
        bool ok = false;
        value = trimmed.toDouble(&ok);
        if (!ok || !std::isfinite(value)) {
            return invalid(column == Value ? tr("must be a number (mm⁻¹)")
                           : column >= Phi ? tr("must be a number (degrees)")
                                           : tr("must be a number (mm)"));
        }
    }
    switch (column) {
    case CentreX:
        o.centre.x = value;
        break;
    case CentreY:
        o.centre.y = value;
        break;
    case CentreZ:
        o.centre.z = value;
        break;
    case AxisA:
    case AxisB:
    case AxisC:
        if (!(value > 0.0)) {
            return invalid(tr("must be a length > 0 mm"));
        }
        (column == AxisA ? o.semiAxes.x : column == AxisB ? o.semiAxes.y : o.semiAxes.z) = value;
        break;
    case Phi:
    case Theta:
    case Psi: {
        // From the stored rotation at full precision, not the rounded cells, so that the other
        // two angles keep their exact values.
        std::array<double, 3> euler = eulerFromRotation(o.rotation);
        euler[static_cast<std::size_t>(column - Phi)] = toRadians(value);
        o.rotation = rotationFromEuler(euler[0], euler[1], euler[2]);
        break;
    }
    case Value:
        o.value = value;
        break;
    default:
        break;
    }
    return {};
}

/// The object a new row starts as: a copy of the selected one, or a 20 mm water-like sphere at
/// the isocentre (an infinite cylinder for a phantom whose objects are all 2D).
AnalyticObject newObject(const std::vector<AnalyticObject>& objects, int selected)
{
    if (selected >= 0 && selected < static_cast<int>(objects.size())) {
        return objects[static_cast<std::size_t>(selected)];
    }
    constexpr double kNewRadiusMm = 20.0;
    constexpr double kNewMuPerMm = 0.02; // about water's μ at 70 keV
    const bool twoD = !objects.empty() &&
                      std::all_of(objects.begin(), objects.end(),
                                  [](const AnalyticObject& o) { return std::isinf(o.semiAxes.z); });
    AnalyticObject o;
    o.kind = twoD ? ShapeKind::Cylinder : ShapeKind::Ellipsoid;
    o.semiAxes = {kNewRadiusMm, kNewRadiusMm,
                  twoD ? std::numeric_limits<double>::infinity() : kNewRadiusMm};
    o.value = kNewMuPerMm;
    return o;
}
} // namespace

void addPhantomObjectsTable(PageBuilder& page, SceneBinder& binder)
{
    QGroupBox* group = nullptr;
    QFormLayout* form = page.addGroup(tr("Objects"), "phantomObjectsGroup", &group);

    auto* note = makeInfoLabel("phantomObjectsNote");
    note->setWordWrap(true);
    form->addRow(note);

    auto* table = new QTableWidget(0, ColumnCount);
    table->setObjectName(QStringLiteral("phantomObjectsTable"));
    for (int c = 0; c < ColumnCount; ++c) {
        auto* header = new QTableWidgetItem(tr(kColumns[static_cast<std::size_t>(c)].title));
        header->setToolTip(tr(kColumns[static_cast<std::size_t>(c)].toolTip));
        table->setHorizontalHeaderItem(c, header);
    }
    table->setToolTip(tr("The phantom's shapes; each adds its μ inside it. Double-click a cell to "
                         "edit it"));
    table->setItemDelegateForColumn(Kind, new KindDelegate(table));
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    constexpr int kVisibleRows = 8;
    // The page does not scroll sideways: the table takes the page's width and scrolls itself.
    table->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    table->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    table->setMinimumHeight(table->verticalHeader()->defaultSectionSize() * kVisibleRows +
                            table->horizontalHeader()->sizeHint().height());
    form->addRow(table);

    QLabel* error = makeErrorLabel("phantomObjectsError");
    error->setWordWrap(true);
    form->addRow(error);

    auto* buttons = new QWidget;
    auto* buttonLayout = new QHBoxLayout(buttons);
    buttonLayout->setContentsMargins(0, 0, 0, 0);
    auto* add = new QPushButton(tr("Add"));
    add->setObjectName(QStringLiteral("phantomObjectAddButton"));
    add->setToolTip(tr("Add a copy of the selected object, or a 20 mm sphere at the isocentre"));
    auto* remove = new QPushButton(tr("Remove"));
    remove->setObjectName(QStringLiteral("phantomObjectRemoveButton"));
    remove->setToolTip(tr("Remove the selected object"));
    auto* save = new QPushButton(tr("Save…"));
    save->setObjectName(QStringLiteral("phantomObjectsSaveButton"));
    save->setToolTip(tr("Save these objects as a phantom file (.json) that other scenes and "
                        "tomoscope-cli phantom can use"));
    buttonLayout->addWidget(add);
    buttonLayout->addWidget(remove);
    buttonLayout->addStretch(1);
    buttonLayout->addWidget(save);
    form->addRow(buttons);

    // The objects the table shows (the scene's phantom), kept at full precision: edits start
    // from them, not from the rounded text of the cells.
    auto shown = std::make_shared<std::vector<AnalyticObject>>();

    // Pushes `objects` as the scene's inline phantom, or shows why they are not a phantom.
    const auto push = [&binder, error](std::vector<AnalyticObject> objects, const QString& text) {
        try {
            Phantom{"inline", objects}.validate("object.objects");
        } catch (const InvalidArgument& e) {
            binder.refresh();
            error->setText(QString::fromUtf8(e.what()));
            error->show();
            return;
        }
        binder.apply(text, [&objects](Scene& s) {
            s.object.phantom = "inline";
            s.object.objects = objects;
        });
    };

    QObject::connect(
        table, &QTableWidget::itemChanged, table,
        [shown, push, error, &binder](QTableWidgetItem* item) {
            const int row = item->row();
            const int column = item->column();
            if (row < 0 || row >= static_cast<int>(shown->size())) {
                return;
            }
            std::vector<AnalyticObject> objects = *shown;
            const auto& spec = kColumns[static_cast<std::size_t>(column)];
            const QString field =
                QStringLiteral("object.objects[%1].%2").arg(row).arg(QString::fromUtf8(spec.key));
            const QString problem =
                setField(objects[static_cast<std::size_t>(row)], column, item->text(), field);
            if (!problem.isEmpty()) {
                binder.refresh(); // the cell shows the scene's value again
                error->setText(problem);
                error->show();
                return;
            }
            push(std::move(objects),
                 tr("Object %1 %2: %3").arg(row).arg(tr(spec.title), item->text().trimmed()));
        });
    QObject::connect(add, &QPushButton::clicked, table, [shown, push, table] {
        std::vector<AnalyticObject> objects = *shown;
        objects.push_back(newObject(objects, table->currentRow()));
        const int row = static_cast<int>(objects.size()) - 1;
        push(std::move(objects), tr("Add object %1").arg(row));
        table->selectRow(row);
    });
    QObject::connect(remove, &QPushButton::clicked, table, [shown, push, table] {
        const int row = table->currentRow();
        if (row < 0 || row >= static_cast<int>(shown->size())) {
            return;
        }
        std::vector<AnalyticObject> objects = *shown;
        objects.erase(objects.begin() + row);
        push(std::move(objects), tr("Remove object %1").arg(row));
    });
    QObject::connect(save, &QPushButton::clicked, save, [shown, save, &binder] {
        const QString file = QFileDialog::getSaveFileName(save, tr("Save phantom file"), QString(),
                                                          tr("Phantom files (*.json)"));
        if (file.isEmpty()) {
            return;
        }
        const std::string& name = binder.scene().object.phantom;
        try {
            writePhantom(Phantom{name == "file" ? std::string("phantom") : name, *shown},
                         file.toStdString());
        } catch (const Error& e) {
            QMessageBox::warning(save, tr("Save phantom file"), QString::fromUtf8(e.what()));
        }
    });

    // The listing of the last object seen: every scene edit refreshes the page, and a file
    // phantom is read again only when the object itself changes.
    auto listing = std::make_shared<std::optional<std::pair<ObjectSpec, Listed>>>();

    binder.onRefresh([=](const Scene& s) {
        if (!*listing || (*listing)->first != s.object) {
            *listing = std::pair{s.object, listedPhantom(s)};
        }
        const Listed& listed = (*listing)->second;
        group->setVisible(!s.object.isVolume());
        error->clear();
        error->hide();
        if (s.object.phantom == "inline") {
            note->setText(tr("This phantom's objects are saved in the scene. Edit a cell to "
                             "change one; Undo restores it."));
        } else {
            note->setText(tr("Editing a cell makes this an inline phantom: the edited objects "
                             "are saved in the scene."));
        }
        if (!listed.problem.isEmpty()) {
            note->setText(listed.problem);
        }
        const std::vector<AnalyticObject> objects =
            listed.phantom ? listed.phantom->objects : std::vector<AnalyticObject>{};
        remove->setEnabled(!objects.empty());
        save->setEnabled(!objects.empty());
        // Every cell is set from the scene, also when the objects are unchanged: a refused edit
        // must show the scene's value again.
        *shown = objects;
        const QSignalBlocker block(table);
        table->setRowCount(static_cast<int>(objects.size()));
        for (int r = 0; r < table->rowCount(); ++r) {
            const auto cells = cellsOf(objects[static_cast<std::size_t>(r)]);
            for (int c = 0; c < ColumnCount; ++c) {
                const QString& text = cells[static_cast<std::size_t>(c)];
                QTableWidgetItem* item = table->item(r, c);
                if (item == nullptr) {
                    item = new QTableWidgetItem(text);
                    if (c != Kind && c != MaterialName) {
                        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                    }
                    table->setItem(r, c, item);
                } else if (item->text() != text) {
                    item->setText(text);
                }
            }
            if (table->verticalHeaderItem(r) == nullptr) {
                table->setVerticalHeaderItem(r, new QTableWidgetItem(QString::number(r)));
            }
        }
    });
}
} // namespace tomo::ui::detail
