#pragma once

#include "tomo/scene.h"

#include <QObject>
#include <QString>

#include <functional>

class QUndoStack;

namespace tomo::ui
{
/// The scene a window edits (DESIGN.md §7): one tomo::Scene, its file, and an undo stack that
/// holds every edit. Panels never write the scene directly; they call edit() or modify(), which
/// push an undoable command, and redraw on sceneChanged(). UI thread only.
///
/// The document holds any scene the user typed, valid or not: an edit that leaves SDD below SID is
/// kept (so the next keystroke can fix it) and validationError() says what is wrong; the window
/// shows that message and refuses to run until it is empty.
class SceneDocument : public QObject
{
    Q_OBJECT

public:
    explicit SceneDocument(QObject* parent = nullptr);
    ~SceneDocument() override;
    SceneDocument(const SceneDocument&) = delete;
    SceneDocument& operator=(const SceneDocument&) = delete;

    [[nodiscard]] const Scene& scene() const { return m_scene; }
    [[nodiscard]] QUndoStack* undoStack() const { return m_undo; }

    /// Replaces the scene with `next` as one undo step named `text` ("Views: 720"). Consecutive
    /// edits with the same non-empty `mergeKey` merge into one step (a spin box held down, a
    /// slider dragged). Does nothing (returns false) if `next` equals the scene.
    bool edit(const Scene& next, const QString& text, const QString& mergeKey = {});
    /// edit() of a copy of the scene changed by `change`.
    bool modify(const QString& text, const std::function<void(Scene&)>& change,
                const QString& mergeKey = {});

    /// Starts afresh on `scene` (New, Open): empties the undo stack, remembers `filePath` (empty
    /// for an unsaved scene) and marks the document unmodified.
    void reset(const Scene& scene, const QString& filePath = {});
    /// Starts afresh on a scene recovered from an autosave: no file, one undo step ("Recovered
    /// scene") on top of the default scene, so the document counts as modified until saved.
    void recover(const Scene& scene);
    /// Writes the scene to `filePath` (atomically, saveScene), then remembers that path and marks
    /// the document unmodified. Throws what saveScene throws; nothing changes on failure.
    void saveAs(const QString& filePath);

    [[nodiscard]] const QString& filePath() const { return m_filePath; }
    /// The file name without folder, or "untitled".
    [[nodiscard]] QString displayName() const;
    /// Whether the scene differs from the last reset() or saveAs() (by undo stack position).
    [[nodiscard]] bool isModified() const;

    /// Empty if the scene is valid, else the message of Scene::validate()'s exception (naming the
    /// field, the value and what would be accepted). Computed once per change.
    [[nodiscard]] const QString& validationError() const { return m_validationError; }
    [[nodiscard]] bool isValid() const { return m_validationError.isEmpty(); }

signals:
    /// After every change of the scene: an edit, an undo, a redo, a reset.
    void sceneChanged();
    /// The file path changed (reset, saveAs).
    void filePathChanged(const QString& path);
    /// isModified() changed.
    void modifiedChanged(bool modified);

private:
    friend class SceneEditCommand;
    /// Sets the scene (from a command's redo/undo or reset) and announces it.
    void apply(const Scene& scene);

    Scene m_scene;
    QUndoStack* m_undo = nullptr;
    QString m_filePath;
    QString m_validationError;
};
} // namespace tomo::ui
