#include "tomo/ui/scene_document.h"

#include <QFileInfo>
#include <QUndoCommand>
#include <QUndoStack>

#include <exception>
#include <utility>

namespace tomo::ui
{
namespace
{
// QUndoCommand ids are ints; every scene edit shares one, and mergeWith compares the keys.
constexpr int kSceneEditId = 0x7051;
} // namespace

/// One undoable scene edit: the scenes before and after.
class SceneEditCommand final : public QUndoCommand
{
public:
    SceneEditCommand(SceneDocument& document, Scene before, Scene after, const QString& text,
                     QString mergeKey)
        : QUndoCommand(text), m_document(document), m_before(std::move(before)),
          m_after(std::move(after)), m_mergeKey(std::move(mergeKey))
    {}

    void redo() override { m_document.apply(m_after); }
    void undo() override { m_document.apply(m_before); }
    [[nodiscard]] int id() const override { return kSceneEditId; }

    bool mergeWith(const QUndoCommand* other) override
    {
        const auto* next = static_cast<const SceneEditCommand*>(other);
        if (m_mergeKey.isEmpty() || next->m_mergeKey != m_mergeKey) {
            return false;
        }
        m_after = next->m_after;
        setText(next->text());
        return true;
    }

private:
    SceneDocument& m_document;
    Scene m_before;
    Scene m_after;
    QString m_mergeKey;
};

SceneDocument::SceneDocument(QObject* parent) : QObject(parent), m_undo(new QUndoStack(this))
{
    connect(m_undo, &QUndoStack::cleanChanged, this,
            [this](bool clean) { emit modifiedChanged(!clean); });
    apply(m_scene);
}

SceneDocument::~SceneDocument() = default;

bool SceneDocument::edit(const Scene& next, const QString& text, const QString& mergeKey)
{
    if (toJson(next) == toJson(m_scene)) {
        return false;
    }
    m_undo->push(new SceneEditCommand(*this, m_scene, next, text, mergeKey));
    return true;
}

bool SceneDocument::modify(const QString& text, const std::function<void(Scene&)>& change,
                           const QString& mergeKey)
{
    Scene next = m_scene;
    change(next);
    return edit(next, text, mergeKey);
}

void SceneDocument::reset(const Scene& scene, const QString& filePath)
{
    m_undo->clear();
    m_undo->setClean();
    if (m_filePath != filePath) {
        m_filePath = filePath;
        emit filePathChanged(m_filePath);
    }
    apply(scene);
}

void SceneDocument::recover(const Scene& scene)
{
    reset(Scene{});
    if (!edit(scene, tr("Recovered scene"))) {
        // The autosave held the default scene: nothing to recover, and nothing modified.
        return;
    }
}

void SceneDocument::saveAs(const QString& filePath)
{
    saveScene(m_scene, filePath.toStdString());
    m_undo->setClean();
    if (m_filePath != filePath) {
        m_filePath = filePath;
        emit filePathChanged(m_filePath);
    }
}

QString SceneDocument::displayName() const
{
    return m_filePath.isEmpty() ? tr("untitled") : QFileInfo(m_filePath).fileName();
}

bool SceneDocument::isModified() const
{
    return !m_undo->isClean();
}

void SceneDocument::apply(const Scene& scene)
{
    m_scene = scene;
    try {
        m_scene.validate();
        m_validationError.clear();
    } catch (const std::exception& e) {
        m_validationError = QString::fromUtf8(e.what());
    }
    emit sceneChanged();
}
} // namespace tomo::ui
