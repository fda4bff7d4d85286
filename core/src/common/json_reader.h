#pragma once

#include "common/json_key_recorder.h"
#include "tomo/error.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <set>
#include <string>
#include <string_view>

namespace tomo::detail
{
using Json = nlohmann::json;

/// A JSON object being read, which knows its own path for messages and rejects keys nobody
/// read: the strict parsing behind scene and phantom files. Errors are InvalidArgument with
/// "<json path> = <value> is invalid: <accepted>".
class JsonReader
{
public:
    /// `path` is the JSON path of `object` ("" for the document); `rootName` names the document
    /// in messages about the root itself.
    JsonReader(const Json& object, std::string path, std::string rootName = "scene")
        : m_json(object), m_path(std::move(path)), m_rootName(std::move(rootName))
    {
        if (!m_json.is_object()) {
            throwInvalid(where(""), m_json.dump(), "must be a JSON object");
        }
    }

    [[nodiscard]] std::string where(const std::string& key) const
    {
        if (key.empty()) {
            return m_path.empty() ? m_rootName : m_path;
        }
        return m_path.empty() ? key : m_path + "." + key;
    }

    [[nodiscard]] bool has(const std::string& key) const { return m_json.contains(key); }

    /// The value under `key` (required), marked as read.
    [[nodiscard]] const Json& raw(const std::string& key)
    {
        markRead(key);
        if (!m_json.contains(key)) {
            throwInvalid(where(key), "missing", "this field is required");
        }
        return m_json.at(key);
    }

    [[nodiscard]] JsonReader child(const std::string& key)
    {
        markRead(key);
        if (!m_json.contains(key)) {
            throwInvalid(where(key), "missing", "this section is required");
        }
        return JsonReader(m_json.at(key), where(key), m_rootName);
    }

    [[nodiscard]] double number(const std::string& key, double fallback)
    {
        markRead(key);
        if (!m_json.contains(key)) {
            return fallback;
        }
        const Json& v = m_json.at(key);
        if (!v.is_number()) {
            throwInvalid(where(key), v.dump(), "must be a number");
        }
        const double d = v.get<double>();
        if (!std::isfinite(d)) {
            throwInvalid(where(key), formatValue(d), "must be finite");
        }
        return d;
    }

    [[nodiscard]] std::size_t count(const std::string& key, std::size_t fallback)
    {
        markRead(key);
        if (!m_json.contains(key)) {
            return fallback;
        }
        return toCount(m_json.at(key), where(key));
    }

    [[nodiscard]] std::string text(const std::string& key, const std::string& fallback)
    {
        markRead(key);
        if (!m_json.contains(key)) {
            return fallback;
        }
        const Json& v = m_json.at(key);
        if (!v.is_string()) {
            throwInvalid(where(key), v.dump(), "must be a string");
        }
        return v.get<std::string>();
    }

    [[nodiscard]] bool boolean(const std::string& key, bool fallback)
    {
        markRead(key);
        if (!m_json.contains(key)) {
            return fallback;
        }
        const Json& v = m_json.at(key);
        if (!v.is_boolean()) {
            throwInvalid(where(key), v.dump(), "must be true or false");
        }
        return v.get<bool>();
    }

    template <class T, class Convert>
    [[nodiscard]] std::array<T, 3> triple(const std::string& key, std::array<T, 3> fallback,
                                          Convert convert)
    {
        markRead(key);
        if (!m_json.contains(key)) {
            return fallback;
        }
        const Json& v = m_json.at(key);
        if (!v.is_array() || v.size() != 3) {
            throwInvalid(where(key), v.dump(), "must be an array of 3 numbers [x, y, z]");
        }
        std::array<T, 3> out{};
        for (std::size_t a = 0; a < 3; ++a) {
            out[a] = convert(v[a], where(key) + "[" + std::to_string(a) + "]");
        }
        return out;
    }

    /// Throws for any key that was never asked for: a typo must not be silently ignored.
    void finish() const
    {
        for (const auto& [key, value] : m_json.items()) {
            if (!m_seen.contains(key)) {
                std::string known;
                for (const auto& k : m_seen) {
                    known += (known.empty() ? "" : ", ") + k;
                }
                throwInvalid(where(key), value.dump(), "unknown key; known keys here: " + known);
            }
        }
    }

    static std::size_t toCount(const Json& v, const std::string& path)
    {
        if (!v.is_number_integer() || v.get<long long>() < 0) {
            throwInvalid(path, v.dump(), "must be a whole number >= 0");
        }
        return static_cast<std::size_t>(v.get<long long>());
    }

    static double toNumber(const Json& v, const std::string& path)
    {
        if (!v.is_number() || !std::isfinite(v.get<double>())) {
            throwInvalid(path, v.dump(), "must be a finite number");
        }
        return v.get<double>();
    }

private:
    void markRead(const std::string& key)
    {
        m_seen.insert(key);
        if (JsonKeyRecorder* recorder = JsonKeyRecorder::installed(); recorder != nullptr) {
            recorder->record(m_rootName, where(key), m_json.contains(key));
        }
    }

    const Json& m_json;
    std::string m_path;
    std::string m_rootName;
    std::set<std::string> m_seen;
};
/// Reads a versioned Tomoscope JSON document: parses `text`, checks `"format": format` and
/// `"version": version`, then returns read(root). Every InvalidArgument or JSON error (from the
/// parse or from `read`) is rethrown as InvalidArgument prefixed with `source` ("file: ...").
/// `kind` names the document in messages ("scene", "phantom").
template <class Read>
auto readVersionedDocument(std::string_view text, std::string_view source,
                           const std::string& format, int version, const std::string& kind,
                           Read read)
{
    Json doc;
    try {
        doc = Json::parse(text);
    } catch (const Json::parse_error& e) {
        throw InvalidArgument(std::string(source) + " is not valid JSON: " + e.what());
    }
    try {
        JsonReader root(doc, "", kind);
        const std::string found = root.text("format", "");
        if (found != format) {
            throwInvalid("format", "\"" + found + "\"",
                         "a " + kind + " file has \"format\": \"" + format + "\"");
        }
        const Json& v = root.raw("version");
        if (!v.is_number_integer() || v.get<long long>() != version) {
            throwInvalid("version", v.dump(),
                         "this Tomoscope reads " + kind + " version " + std::to_string(version));
        }
        return read(root);
    } catch (const InvalidArgument& e) {
        throw InvalidArgument(std::string(source) + ": " + e.what());
    } catch (const Json::exception& e) {
        throw InvalidArgument(std::string(source) + ": " + e.what());
    }
}
} // namespace tomo::detail
