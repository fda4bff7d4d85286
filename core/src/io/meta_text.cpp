#include "io/meta_text.h"

#include "tomo/error.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tomo::detail
{
TextDictionary flatten(const ImageMeta& meta)
{
    TextDictionary out = meta.dictionary;
    if (meta.modality != Modality::Unknown) {
        out[kModalityKey] = std::string(toString(meta.modality));
    }
    if (!meta.subtype.empty()) {
        out[kSubtypeKey] = meta.subtype;
    }
    if (meta.unit != ValueUnit::Unknown) {
        out[kUnitKey] = std::string(toString(meta.unit));
    }
    out.try_emplace(std::string(meta_key::kVersion), TOMO_VERSION);
    return out;
}

ImageMeta unflatten(TextDictionary entries)
{
    ImageMeta meta;
    for (const char* key : {kBidsModalityKey, kModalityKey}) {
        if (const auto it = entries.find(key); it != entries.end()) {
            if (const auto modality = parseModality(it->second)) {
                meta.modality = *modality;
                entries.erase(it);
            }
        }
    }
    if (const auto it = entries.find(kSubtypeKey); it != entries.end()) {
        meta.subtype = it->second;
        entries.erase(it);
    }
    if (const auto it = entries.find(kUnitKey); it != entries.end()) {
        if (const auto unit = parseValueUnit(it->second)) {
            meta.unit = *unit;
            entries.erase(it);
        }
    }
    meta.dictionary = std::move(entries);
    return meta;
}

std::string toJsonText(const TextDictionary& entries)
{
    return nlohmann::json(entries).dump(2) + "\n";
}

TextDictionary fromJsonText(const std::string& text, const std::string& source)
{
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw IoError("cannot read " + source + ": not valid JSON (" + e.what() + ")");
    }
    if (!json.is_object()) {
        throw IoError("cannot read " + source + ": expected a JSON object of metadata");
    }
    TextDictionary out;
    for (const auto& [key, value] : json.items()) {
        out[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
    return out;
}

std::string encodeHeaderValue(const std::string& value)
{
    const bool plain =
        value.find_first_of("\r\n") == std::string::npos &&
        (value.empty() || (value.front() != ' ' && value.front() != '"' && value.back() != ' ' &&
                           value.front() != '\t' && value.back() != '\t'));
    return plain ? value : nlohmann::json(value).dump();
}

std::string decodeHeaderValue(const std::string& value)
{
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        try {
            return nlohmann::json::parse(value).get<std::string>();
        } catch (const nlohmann::json::exception&) {
            return value; // another tool's quoted text
        }
    }
    return value;
}

std::filesystem::path sidecarPath(const std::filesystem::path& image)
{
    std::string name = image.filename().string();
    for (const char* extension : {".nii.gz", ".nii", ".raw"}) {
        if (name.ends_with(extension)) {
            name.resize(name.size() - std::string(extension).size());
            break;
        }
    }
    return image.parent_path() / (name + ".json");
}

void checkSidecarIsFree(const std::filesystem::path& image)
{
    const std::filesystem::path sidecar = sidecarPath(image);
    const std::string stem = sidecar.stem().string();
    const bool raw = image.filename().string().ends_with(".raw");
    std::error_code ec;
    if (raw) {
        // ITK writes X.mhd's and X.nhdr's voxels to X.raw.
        for (const char* header : {".mhd", ".nhdr"}) {
            const std::filesystem::path other = image.parent_path() / (stem + header);
            if (std::filesystem::is_regular_file(other, ec)) {
                throw IoError("cannot write " + image.string() + ": it is the voxel file of " +
                              other.string() +
                              ", which it would replace; choose another name or folder");
            }
        }
    }
    if (!std::filesystem::exists(sidecar, ec)) {
        return;
    }
    const std::vector<std::string> others =
        raw ? std::vector<std::string>{stem + ".nii.gz", stem + ".nii"}
            : std::vector<std::string>{stem + ".raw"};
    for (const std::string& name : others) {
        const std::filesystem::path other = image.parent_path() / name;
        if (std::filesystem::is_regular_file(other, ec)) {
            throw IoError("cannot write " + image.string() + ": its " +
                          (raw ? "header " : "sidecar ") + sidecar.string() + " is the " +
                          (raw ? "sidecar" : "header") + " of " + other.string() +
                          ", which it would replace; choose another name or folder");
        }
    }
}
} // namespace tomo::detail
