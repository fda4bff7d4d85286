#include "tomo/ui/scene_panel.h"

#include "scene_panel_widgets.h"
#include "tomo/ui/scene_document.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tomo::ui
{
namespace detail
{
namespace
{
// The panel's width: a label column and a field column of a form, plus the scroll bar.
constexpr int kPanelWidth = 340;
constexpr int kPanelHeight = 640;

/// Lets the wheel scroll the page instead of changing a spin box or combo box that the pointer
/// passes over; a focused control still takes the wheel.
class WheelGuard : public QObject
{
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Wheel) {
            const auto* widget = qobject_cast<QWidget*>(watched);
            if (widget != nullptr && !widget->hasFocus()) {
                event->ignore();
                return true;
            }
        }
        return QObject::eventFilter(watched, event);
    }
};

void guardWheel(QWidget* widget)
{
    widget->setFocusPolicy(Qt::StrongFocus);
    widget->installEventFilter(new WheelGuard(widget));
}

// Whether a spin box already shows `value` (to its decimals): then a refresh leaves it alone,
// so that text being typed is not rewritten ("60" to "60.00 mm") under the cursor.
bool shows(const QDoubleSpinBox* spin, double value)
{
    const double unit = std::pow(10.0, -spin->decimals());
    return std::abs(spin->value() - value) < 0.5 * unit;
}

QString valueText(const QDoubleSpinBox* spin, double value)
{
    if (!spin->specialValueText().isEmpty() && value == spin->minimum()) {
        return spin->specialValueText();
    }
    const QString suffix = spin->suffix();
    return formatNumber(value) + (suffix == QStringLiteral(" °") ? QStringLiteral("°") : suffix);
}
} // namespace

QString formatNumber(double value)
{
    return QString::number(value, 'g', 10);
}

const Scene& SceneBinder::scene() const
{
    return m_document.scene();
}

void SceneBinder::onRefresh(std::function<void(const Scene&)> refresher)
{
    m_refreshers.push_back(std::move(refresher));
}

void SceneBinder::refresh() const
{
    if (m_detached) {
        return;
    }
    const Scene& s = m_document.scene();
    for (const auto& refresher : m_refreshers) {
        refresher(s);
    }
}

void SceneBinder::apply(const QString& text, const std::function<void(Scene&)>& change,
                        const QString& mergeKey) const
{
    if (m_detached) {
        return;
    }
    if (!m_document.modify(text, change, mergeKey)) {
        refresh();
    }
}

void SceneBinder::bindDouble(QDoubleSpinBox* spin, const QString& name,
                             std::function<double(const Scene&)> get,
                             std::function<void(Scene&, double)> set)
{
    QObject::connect(spin, &QDoubleSpinBox::valueChanged, spin, [this, spin, name, set](double v) {
        apply(
            name + QStringLiteral(": ") + valueText(spin, v), [&set, v](Scene& s) { set(s, v); },
            spin->objectName());
    });
    onRefresh([spin, get](const Scene& s) {
        const double value = get(s);
        if (!shows(spin, value)) {
            const QSignalBlocker block(spin);
            spin->setValue(value);
        }
    });
}

void SceneBinder::bindInt(QSpinBox* spin, const QString& name,
                          std::function<double(const Scene&)> get,
                          std::function<void(Scene&, int)> set)
{
    QObject::connect(spin, &QSpinBox::valueChanged, spin, [this, spin, name, set](int v) {
        apply(
            name + QStringLiteral(": ") + QString::number(v) + spin->suffix(),
            [&set, v](Scene& s) { set(s, v); }, spin->objectName());
    });
    onRefresh([spin, get](const Scene& s) {
        // Counts above the spin box's range (a seed of 2^40 from a file) show clamped; the scene
        // keeps its value until the user edits this box.
        const double value = std::clamp(get(s), static_cast<double>(spin->minimum()),
                                        static_cast<double>(spin->maximum()));
        const int shown = static_cast<int>(value);
        if (spin->value() != shown) {
            const QSignalBlocker block(spin);
            spin->setValue(shown);
        }
    });
}

void SceneBinder::bindBool(QAbstractButton* button, const QString& name,
                           std::function<bool(const Scene&)> get,
                           std::function<void(Scene&, bool)> set)
{
    QObject::connect(button, &QAbstractButton::toggled, button, [this, name, set](bool on) {
        apply(name + (on ? QStringLiteral(": on") : QStringLiteral(": off")),
              [&set, on](Scene& s) { set(s, on); });
    });
    onRefresh([button, get](const Scene& s) {
        const QSignalBlocker block(button);
        button->setChecked(get(s));
    });
}

void SceneBinder::bindGroup(QGroupBox* group, const QString& name,
                            std::function<bool(const Scene&)> get,
                            std::function<void(Scene&, bool)> set)
{
    group->setCheckable(true);
    QObject::connect(group, &QGroupBox::toggled, group, [this, name, set](bool on) {
        apply(name + (on ? QStringLiteral(": on") : QStringLiteral(": off")),
              [&set, on](Scene& s) { set(s, on); });
    });
    onRefresh([group, get](const Scene& s) {
        const QSignalBlocker block(group);
        group->setChecked(get(s));
    });
}

void SceneBinder::bindCombo(QComboBox* combo, const QString& name,
                            std::function<QVariant(const Scene&)> get,
                            std::function<void(Scene&, const QVariant&)> set)
{
    QObject::connect(combo, &QComboBox::currentIndexChanged, combo,
                     [this, combo, name, set](int index) {
                         const QVariant value = combo->itemData(index);
                         apply(name + QStringLiteral(": ") + combo->itemText(index),
                               [&set, &value](Scene& s) { set(s, value); });
                     });
    onRefresh([combo, get](const Scene& s) {
        const QSignalBlocker block(combo);
        combo->setCurrentIndex(combo->findData(get(s)));
    });
}

void SceneBinder::bindText(QLineEdit* edit, QLabel* error, const QString& name,
                           std::function<QString(const Scene&)> get,
                           std::function<QString(Scene&, const QString&)> set)
{
    QObject::connect(edit, &QLineEdit::editingFinished, edit, [this, edit, error, name, set] {
        if (m_detached) {
            return;
        }
        Scene next = scene();
        const QString text = edit->text();
        const QString problem = set(next, text);
        error->setText(problem);
        error->setVisible(!problem.isEmpty());
        if (!problem.isEmpty()) {
            return;
        }
        if (!m_document.edit(next, name + QStringLiteral(": ") + text.trimmed())) {
            refresh();
        }
    });
    onRefresh([edit, error, get](const Scene& s) {
        const QString text = get(s);
        error->clear();
        error->hide();
        if (edit->text() != text) {
            const QSignalBlocker block(edit);
            edit->setText(text);
            edit->setCursorPosition(0);
        }
    });
}

ScientificSpinBox::ScientificSpinBox(QWidget* parent) : QDoubleSpinBox(parent)
{
    // QDoubleSpinBox rounds its value to `decimals`; this many keep a 1e-9 weight exact enough.
    setDecimals(15);
}

QString ScientificSpinBox::textFromValue(double value) const
{
    return QString::number(value, 'g', 6);
}

double ScientificSpinBox::valueFromText(const QString& text) const
{
    QString number = text;
    number.remove(suffix());
    return number.trimmed().toDouble();
}

QValidator::State ScientificSpinBox::validate(QString& text, int& pos) const
{
    (void)pos;
    QString number = text;
    number.remove(suffix());
    number = number.trimmed();
    if (number.isEmpty() || number == QStringLiteral("-") || number.endsWith(u'e') ||
        number.endsWith(QStringLiteral("e-")) || number.endsWith(QStringLiteral("e+"))) {
        return QValidator::Intermediate;
    }
    bool ok = false;
    const double value = number.toDouble(&ok);
    if (!ok) {
        return QValidator::Invalid;
    }
    return value >= minimum() && value <= maximum() ? QValidator::Acceptable
                                                    : QValidator::Intermediate;
}

void ScientificSpinBox::stepBy(int steps)
{
    // Along 1, 2, 5 × 10^k: the next such value above (or below) the current one per step.
    double value = this->value();
    const double smallest = std::max(minimum(), 1e-12);
    for (int i = 0; i < std::abs(steps); ++i) {
        const bool up = steps > 0;
        if (value <= 0.0) {
            value = up ? smallest : 0.0;
            continue;
        }
        const double decade = std::pow(10.0, std::floor(std::log10(value)));
        double next = value;
        for (double mantissa : up ? std::vector<double>{1.0, 2.0, 5.0, 10.0, 20.0}
                                  : std::vector<double>{5.0, 2.0, 1.0, 0.5, 0.2}) {
            const double candidate = mantissa * decade;
            if (up ? candidate > value * (1.0 + 1e-9) : candidate < value * (1.0 - 1e-9)) {
                next = candidate;
                break;
            }
        }
        value = next;
    }
    setValue(std::clamp(value, minimum(), maximum()));
}

QDoubleSpinBox* makeDoubleSpin(const DoubleSpec& spec)
{
    auto* spin = new QDoubleSpinBox;
    spin->setObjectName(QString::fromUtf8(spec.objectName));
    spin->setDecimals(spec.decimals);
    spin->setRange(spec.min, spec.max);
    spin->setSingleStep(spec.step);
    spin->setSuffix(QString::fromUtf8(spec.suffix));
    spin->setToolTip(spec.toolTip);
    spin->setAccelerated(true);
    guardWheel(spin);
    return spin;
}

ScientificSpinBox* makeScientificSpin(const char* objectName, double min, double max,
                                      const QString& toolTip)
{
    auto* spin = new ScientificSpinBox;
    spin->setObjectName(QString::fromUtf8(objectName));
    spin->setRange(min, max);
    spin->setToolTip(toolTip);
    guardWheel(spin);
    return spin;
}

QSpinBox* makeIntSpin(const char* objectName, int min, int max, const QString& toolTip,
                      const char* suffix)
{
    auto* spin = new QSpinBox;
    spin->setObjectName(QString::fromUtf8(objectName));
    spin->setRange(min, max);
    spin->setSuffix(QString::fromUtf8(suffix));
    spin->setToolTip(toolTip);
    spin->setAccelerated(true);
    guardWheel(spin);
    return spin;
}

QComboBox* makeCombo(const char* objectName, const std::vector<std::pair<QString, QVariant>>& items,
                     const QString& toolTip)
{
    auto* combo = new QComboBox;
    combo->setObjectName(QString::fromUtf8(objectName));
    for (const auto& [text, data] : items) {
        combo->addItem(text, data);
    }
    combo->setToolTip(toolTip);
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(8);
    guardWheel(combo);
    return combo;
}

QLabel* makeInfoLabel(const char* objectName)
{
    auto* label = new QLabel;
    label->setObjectName(QString::fromUtf8(objectName));
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QLabel* makeErrorLabel(const char* objectName)
{
    auto* label = makeInfoLabel(objectName);
    label->setStyleSheet(QStringLiteral("color: #b00020;"));
    label->hide();
    return label;
}

PageBuilder::PageBuilder(const char* objectName) : m_page(new QWidget)
{
    m_page->setObjectName(QString::fromUtf8(objectName));
    m_body = new QVBoxLayout(m_page);
    m_body->setContentsMargins(6, 6, 6, 6);
    m_body->setSpacing(8);
}

QFormLayout* PageBuilder::addGroup(const QString& title, const char* objectName, QGroupBox** group)
{
    auto* box = new QGroupBox(title);
    box->setObjectName(QString::fromUtf8(objectName));
    auto* form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    form->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    form->setContentsMargins(8, 6, 8, 6);
    m_body->addWidget(box);
    m_forms.push_back(form);
    if (group != nullptr) {
        *group = box;
    }
    return form;
}

QWidget* PageBuilder::finish()
{
    std::vector<QWidget*> labels;
    int widest = 0;
    for (QFormLayout* form : m_forms) {
        for (int row = 0; row < form->rowCount(); ++row) {
            QLayoutItem* item = form->itemAt(row, QFormLayout::LabelRole);
            if (item != nullptr && item->widget() != nullptr) {
                labels.push_back(item->widget());
                widest = std::max(widest, item->widget()->sizeHint().width());
            }
        }
    }
    for (QWidget* label : labels) {
        label->setMinimumWidth(widest);
    }
    m_body->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setObjectName(m_page->objectName() + QStringLiteral("Scroll"));
    scroll->setWidget(m_page);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFrameShape(QFrame::NoFrame);
    return scroll;
}

void setRowVisible(QFormLayout* form, QWidget* field, bool visible)
{
    form->setRowVisible(field, visible);
}

void setRowLabel(QFormLayout* form, QWidget* field, const QString& text)
{
    if (auto* label = qobject_cast<QLabel*>(form->labelForField(field))) {
        label->setText(text);
    }
}
} // namespace detail

ScenePanel::ScenePanel(SceneDocument& document, QWidget* parent)
    : QWidget(parent), m_binder(std::make_unique<detail::SceneBinder>(document))
{
    setObjectName(QStringLiteral("scenePanel"));
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("scenePanelTabs"));
    m_tabs->setDocumentMode(true);
    // Five tabs in the panel's width: with the style's padding "Reconstruction" would go behind
    // scroll arrows. Tighter padding fits them; a narrower panel elides the titles instead.
    m_tabs->setStyleSheet(QStringLiteral("QTabBar::tab { padding: 4px 4px; }"));
    m_tabs->setUsesScrollButtons(false);
    m_tabs->setElideMode(Qt::ElideRight);
    m_tabs->addTab(detail::makeTrajectoryPage(*m_binder), tr("Trajectory"));
    m_tabs->addTab(detail::makeDetectorPage(*m_binder), tr("Detector"));
    m_tabs->addTab(detail::makeObjectPage(*m_binder), tr("Object"));
    m_tabs->addTab(detail::makePhysicsPage(*m_binder), tr("Physics"));
    m_tabs->addTab(detail::makeReconstructionPage(*m_binder), tr("Reconstruction"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
    connect(&document, &SceneDocument::sceneChanged, this, [this] { m_binder->refresh(); });
    m_binder->refresh();
}

ScenePanel::~ScenePanel()
{
    // The pages' connections call the binder: delete them while it lives, and let nothing they
    // emit on the way (a line edit losing focus) reach the document.
    m_binder->detach();
    delete m_tabs;
}

QSize ScenePanel::sizeHint() const
{
    return {detail::kPanelWidth, detail::kPanelHeight};
}
} // namespace tomo::ui
