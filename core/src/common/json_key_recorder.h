#pragma once

#include <cctype>
#include <cstddef>
#include <map>
#include <set>
#include <string>

namespace tomo::detail
{
/// A test hook of the strict JSON reader (json_reader.h): while a JsonKeyRecorder lives, every
/// JsonReader on the same thread records the JSON path of each key it asks for, with array
/// indices written as "[]" ("geometry.trajectory.poses[].source"), under the name of the
/// document it reads ("scene", "phantom"), and separately the paths of those that were present.
/// The scene-file reference test (tests/core/scene_reference_test.cpp) checks
/// docs/scene-file.md against them. Recorders nest: a recorder hides the one installed before
/// it until it is destroyed. With none installed the reader pays one thread-local pointer test
/// per key. Not for use outside tests.
class JsonKeyRecorder
{
public:
    JsonKeyRecorder() : m_previous(installed()) { installed() = this; }
    ~JsonKeyRecorder() { installed() = m_previous; }
    JsonKeyRecorder(const JsonKeyRecorder&) = delete;
    JsonKeyRecorder& operator=(const JsonKeyRecorder&) = delete;
    JsonKeyRecorder(JsonKeyRecorder&&) = delete;
    JsonKeyRecorder& operator=(JsonKeyRecorder&&) = delete;

    /// The recorder of this thread, or nullptr.
    [[nodiscard]] static JsonKeyRecorder*& installed()
    {
        // Constant-initialised, so reading it needs no thread-local guard.
        thread_local JsonKeyRecorder* current = nullptr;
        return current;
    }

    /// Records that a reader of a `document` ("phantom") asked for `path` ("objects[3].kind",
    /// kept as "objects[].kind"), and whether the document held it.
    void record(const std::string& document, const std::string& path, bool present)
    {
        const std::string key = normalised(path);
        m_asked[document].insert(key);
        if (present) {
            m_present[document].insert(key);
        }
    }

    /// The normalised paths asked for in documents of kind `document`, sorted; empty if none.
    [[nodiscard]] std::set<std::string> asked(const std::string& document) const
    {
        return find(m_asked, document);
    }

    /// The normalised paths asked for that a document of kind `document` held.
    [[nodiscard]] std::set<std::string> present(const std::string& document) const
    {
        return find(m_present, document);
    }

    /// `path` with every array index "[<digits>]" written as "[]".
    [[nodiscard]] static std::string normalised(const std::string& path)
    {
        std::string out;
        out.reserve(path.size());
        for (std::size_t i = 0; i < path.size(); ++i) {
            out += path[i];
            if (path[i] != '[') {
                continue;
            }
            std::size_t end = i + 1;
            while (end < path.size() && std::isdigit(static_cast<unsigned char>(path[end])) != 0) {
                ++end;
            }
            if (end > i + 1 && end < path.size() && path[end] == ']') {
                i = end - 1; // the digits are dropped; the ']' is copied next
            }
        }
        return out;
    }

private:
    using KeysByDocument = std::map<std::string, std::set<std::string>>;

    static std::set<std::string> find(const KeysByDocument& keys, const std::string& document)
    {
        const auto found = keys.find(document);
        return found == keys.end() ? std::set<std::string>{} : found->second;
    }

    JsonKeyRecorder* m_previous;
    KeysByDocument m_asked;
    KeysByDocument m_present;
};
} // namespace tomo::detail
