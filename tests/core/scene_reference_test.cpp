// The scene-file reference (docs/scene-file.md) checked against the parsers, so that neither
// drifts from the other: its examples parse, every key the parsers read is documented, every
// documented key occurs in a parsed document, and every default written as a JSON value is the
// value the parser fills in. The conventions of the page are stated at its top.
#include "common/json_key_recorder.h"
#include "common/test_support.h"
#include "tomo/error.h"
#include "tomo/phantom_io.h"
#include "tomo/scene.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace tomo
{
namespace
{
namespace fs = std::filesystem;
using Json = nlohmann::json;

// Angles are stored in radians and written back in degrees: a documented default in degrees
// comes back a few ulps away (180 as 180.00000000000003).
constexpr double kDefaultTolerance = 1e-12;

const char* const kScene = "scene";
const char* const kPhantom = "phantom";

fs::path docsDir()
{
#ifdef TOMO_TEST_DOCS
    return TOMO_TEST_DOCS;
#else
    return fs::path(test::resourcesDir()) / ".." / "docs";
#endif
}

std::string readText(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path.string());
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string trimmed(const std::string& s)
{
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string::npos) {
        return "";
    }
    return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// The cells of a Markdown table row "| a | b |".
std::vector<std::string> cellsOf(const std::string& line)
{
    std::vector<std::string> cells;
    std::string body = trimmed(line);
    if (!body.empty() && body.front() == '|') {
        body.erase(0, 1);
    }
    if (!body.empty() && body.back() == '|') {
        body.pop_back();
    }
    std::stringstream in(body);
    std::string cell;
    while (std::getline(in, cell, '|')) {
        cells.push_back(trimmed(cell));
    }
    return cells;
}

// The text between the backticks of a cell that is exactly one code span, else "".
std::string codeSpan(const std::string& cell)
{
    if (cell.size() < 3 || cell.front() != '`' || cell.back() != '`' ||
        std::count(cell.begin(), cell.end(), '`') != 2) {
        return "";
    }
    return cell.substr(1, cell.size() - 2);
}

struct CodeBlock
{
    std::string language;
    std::string path; ///< where the test writes it (relative), or empty
    std::string text;
    std::size_t line = 0; ///< of the opening fence
};

struct KeyRow
{
    std::string document; ///< "scene" or "phantom"
    std::string key;      ///< normalised JSON path
    std::string defaultCell;
    std::size_t line = 0;
};

struct Reference
{
    std::vector<CodeBlock> blocks;
    std::vector<KeyRow> rows;
    std::vector<std::string> errors; ///< malformed rows and blocks
};

// Reads the code blocks and the key tables of the page (conventions at its top).
Reference parseReference(const std::string& text)
{
    Reference ref;
    std::istringstream in(text);
    std::string line;
    std::size_t number = 0;
    bool inBlock = false;
    CodeBlock block;
    std::string tableDocument; // the document of the key table being read, or empty
    std::size_t defaultColumn = 0;
    bool headerSeen = false;
    bool previousWasTable = false;
    while (std::getline(in, line)) {
        ++number;
        const std::string t = trimmed(line);
        if (t.rfind("```", 0) == 0) {
            if (inBlock) {
                ref.blocks.push_back(block);
                inBlock = false;
            } else {
                inBlock = true;
                block = CodeBlock{};
                block.line = number;
                std::istringstream info(t.substr(3));
                info >> block.language >> block.path;
            }
            previousWasTable = false;
            continue;
        }
        if (inBlock) {
            block.text += line + "\n";
            continue;
        }
        const bool isTable = !t.empty() && t.front() == '|';
        if (isTable && !previousWasTable) {
            // A header row: a key table if its first cell names the document.
            const std::vector<std::string> header = cellsOf(t);
            tableDocument.clear();
            headerSeen = false;
            if (!header.empty() && (header[0] == "scene key" || header[0] == "phantom key")) {
                tableDocument = header[0] == "scene key" ? kScene : kPhantom;
                const auto column = std::find(header.begin(), header.end(), "default");
                if (column == header.end()) {
                    ref.errors.push_back("line " + std::to_string(number) +
                                         ": a key table needs a \"default\" column");
                    tableDocument.clear();
                } else {
                    defaultColumn = static_cast<std::size_t>(column - header.begin());
                }
            }
        } else if (isTable && !tableDocument.empty()) {
            if (!headerSeen) {
                headerSeen = true; // the |---| separator
            } else {
                const std::vector<std::string> cells = cellsOf(t);
                const std::string key = cells.empty() ? "" : codeSpan(cells[0]);
                if (key.empty() || cells.size() <= defaultColumn) {
                    ref.errors.push_back("line " + std::to_string(number) +
                                         ": a key row starts with the key path in backticks "
                                         "and has every column: " +
                                         t);
                } else {
                    ref.rows.push_back({tableDocument, key, cells[defaultColumn], number});
                }
            }
        }
        previousWasTable = isTable;
    }
    if (inBlock) {
        ref.errors.push_back("line " + std::to_string(block.line) + ": code block not closed");
    }
    return ref;
}

// One parsed document: what it says and what the parser made of it (written back as JSON).
struct Parsed
{
    std::string name; ///< for messages
    std::string document;
    Json raw;
    Json written;
};

struct Loaded
{
    Reference reference;
    std::size_t jsonBlocks = 0;
    std::vector<Parsed> parsed;
    std::vector<std::string> loadErrors;
    std::map<std::string, std::set<std::string>> asked;
    std::map<std::string, std::set<std::string>> present;
};

// Loads `file` as the document its "format" names, with the key recorder installed by the
// caller; appends it to `out` or the reason to `errors`.
void load(const fs::path& file, const std::string& name, Loaded& out)
{
    try {
        const Json raw = Json::parse(readText(file));
        const std::string format = raw.value("format", "");
        if (format == "tomoscope-scene") {
            const Scene scene = loadScene(file);
            out.parsed.push_back({name, kScene, raw, Json::parse(toJson(scene))});
        } else if (format == "tomoscope-phantom") {
            const Phantom phantom = readPhantom(file);
            out.parsed.push_back({name, kPhantom, raw, Json::parse(toJson(phantom))});
        } else {
            out.loadErrors.push_back(name + ": \"format\" is neither tomoscope-scene nor "
                                            "tomoscope-phantom");
        }
    } catch (const std::exception& e) {
        out.loadErrors.push_back(name + ": " + e.what());
    }
}

std::vector<fs::path> jsonFilesIn(const fs::path& folder)
{
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.path().extension() == ".json") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// The page, its examples (written to a temporary folder: named blocks at their path, the other
// JSON blocks as scenes/example-<line>.json) and the example scenes and phantoms of resources/,
// parsed once with the key recorder installed.
const Loaded& loaded()
{
    static const Loaded result = [] {
        Loaded out;
        out.reference = parseReference(readText(docsDir() / "scene-file.md"));
        // ctest runs each test in its own process, several at once: one folder per process.
        const fs::path root = fs::temp_directory_path() /
                              ("tomo_scene_reference_" + std::to_string(std::random_device{}()));
        fs::remove_all(root);
        fs::create_directories(root / "scenes");
        std::vector<std::pair<fs::path, std::string>> documents;
        for (const CodeBlock& b : out.reference.blocks) {
            if (b.language != "json" && b.path.empty()) {
                continue;
            }
            const fs::path file =
                b.path.empty() ? root / "scenes" / ("example-" + std::to_string(b.line) + ".json")
                               : root / b.path;
            fs::create_directories(file.parent_path());
            std::ofstream(file, std::ios::binary) << b.text;
            if (b.language == "json") {
                documents.emplace_back(file, "docs/scene-file.md line " + std::to_string(b.line));
            }
        }
        out.jsonBlocks = documents.size();
        for (const fs::path& f : jsonFilesIn(fs::path(test::resourcesDir()) / "scenes")) {
            documents.emplace_back(f, "resources/scenes/" + f.filename().string());
        }
        for (const fs::path& f : jsonFilesIn(fs::path(test::resourcesDir()) / "phantoms")) {
            documents.emplace_back(f, "resources/phantoms/" + f.filename().string());
        }
        {
            detail::JsonKeyRecorder recorder;
            for (const auto& [file, name] : documents) {
                load(file, name, out);
            }
            for (const char* document : {kScene, kPhantom}) {
                out.asked[document] = recorder.asked(document);
                out.present[document] = recorder.present(document);
            }
        }
        fs::remove_all(root);
        return out;
    }();
    return result;
}

std::set<std::string> documented(const std::string& document)
{
    std::set<std::string> keys;
    for (const KeyRow& row : loaded().reference.rows) {
        if (row.document == document) {
            keys.insert(row.key);
        }
    }
    return keys;
}

// The values `written` holds at the normalised path `segments` where `raw` does not: at "[]"
// each element of written's array is paired with raw's element of the same index.
void omittedValues(const Json* raw, const Json& written, const std::vector<std::string>& segments,
                   std::size_t at, std::vector<Json>& found)
{
    std::string name = segments[at];
    const bool array = name.size() > 2 && name.ends_with("[]");
    if (array) {
        name.resize(name.size() - 2);
    }
    if (!written.is_object() || !written.contains(name)) {
        return;
    }
    const Json* rawChild =
        raw != nullptr && raw->is_object() && raw->contains(name) ? &raw->at(name) : nullptr;
    const Json& child = written.at(name);
    const bool last = at + 1 == segments.size();
    if (!array) {
        if (last) {
            if (rawChild == nullptr) {
                found.push_back(child);
            }
        } else {
            omittedValues(rawChild, child, segments, at + 1, found);
        }
        return;
    }
    if (!child.is_array() || last) {
        return;
    }
    for (std::size_t i = 0; i < child.size(); ++i) {
        const Json* rawElement = rawChild != nullptr && rawChild->is_array() && i < rawChild->size()
                                     ? &rawChild->at(i)
                                     : nullptr;
        omittedValues(rawElement, child.at(i), segments, at + 1, found);
    }
}

std::vector<std::string> segmentsOf(const std::string& key)
{
    std::vector<std::string> segments;
    std::stringstream in(key);
    std::string s;
    while (std::getline(in, s, '.')) {
        segments.push_back(s);
    }
    return segments;
}

bool sameValue(const Json& a, const Json& b)
{
    if (a.is_number() && b.is_number()) {
        const double x = a.get<double>();
        const double y = b.get<double>();
        return std::abs(x - y) <= kDefaultTolerance * std::max(1.0, std::abs(y));
    }
    if (a.is_array() && b.is_array()) {
        if (a.size() != b.size()) {
            return false;
        }
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!sameValue(a[i], b[i])) {
                return false;
            }
        }
        return true;
    }
    if (a.is_object() && b.is_object()) {
        if (a.size() != b.size()) {
            return false;
        }
        for (const auto& [key, value] : a.items()) {
            if (!b.contains(key) || !sameValue(value, b.at(key))) {
                return false;
            }
        }
        return true;
    }
    return a == b;
}

std::string listed(const std::set<std::string>& keys)
{
    std::string text;
    for (const std::string& k : keys) {
        text += "\n  " + k;
    }
    return text;
}

TEST(SceneFileReference, PageIsWellFormedAndEveryExampleParses)
{
    const Loaded& l = loaded();
    for (const std::string& e : l.reference.errors) {
        ADD_FAILURE() << "docs/scene-file.md " << e;
    }
    for (const std::string& e : l.loadErrors) {
        ADD_FAILURE() << e;
    }
    EXPECT_GE(l.jsonBlocks, 1u) << "no ```json example found in docs/scene-file.md";
    EXPECT_FALSE(documented(kScene).empty()) << "no \"scene key\" table found";
    EXPECT_FALSE(documented(kPhantom).empty()) << "no \"phantom key\" table found";
    std::set<std::pair<std::string, std::string>> seen;
    for (const KeyRow& row : l.reference.rows) {
        EXPECT_TRUE(seen.insert({row.document, row.key}).second)
            << "docs/scene-file.md line " << row.line << ": " << row.document << " key `" << row.key
            << "` is documented twice";
    }
}

TEST(SceneFileReference, EveryKeyTheParsersReadIsDocumented)
{
    for (const char* document : {kScene, kPhantom}) {
        std::set<std::string> missing;
        const std::set<std::string> keys = documented(document);
        for (const std::string& key : loaded().asked.at(document)) {
            if (!keys.contains(key)) {
                missing.insert(key);
            }
        }
        EXPECT_TRUE(missing.empty())
            << "the " << document << " parser reads keys that docs/scene-file.md does not list in "
            << "a \"" << document << " key\" table:" << listed(missing);
    }
}

TEST(SceneFileReference, EveryDocumentedKeyOccursInAParsedDocument)
{
    for (const char* document : {kScene, kPhantom}) {
        std::set<std::string> unused;
        const std::set<std::string>& present = loaded().present.at(document);
        for (const std::string& key : documented(document)) {
            if (!present.contains(key)) {
                unused.insert(key);
            }
        }
        EXPECT_TRUE(unused.empty())
            << "docs/scene-file.md lists " << document << " keys that no example of the page "
            << "and no file in resources/ holds (misspelt, no longer read, or without an "
            << "example):" << listed(unused);
    }
}

TEST(SceneFileReference, DefaultsInBackticksAreTheValuesTheParserFillsIn)
{
    const Loaded& l = loaded();
    std::size_t checkedRows = 0;
    for (const KeyRow& row : l.reference.rows) {
        const std::string literal = codeSpan(row.defaultCell);
        if (literal.empty()) {
            continue; // prose: not a JSON value
        }
        Json expected;
        try {
            expected = Json::parse(literal);
        } catch (const Json::exception&) {
            ADD_FAILURE() << "docs/scene-file.md line " << row.line << ": the default of `"
                          << row.key << "` is in backticks but not a JSON value: " << literal;
            continue;
        }
        std::size_t checks = 0;
        for (const Parsed& p : l.parsed) {
            if (p.document != row.document) {
                continue;
            }
            std::vector<Json> values;
            omittedValues(&p.raw, p.written, segmentsOf(row.key), 0, values);
            for (const Json& actual : values) {
                ++checks;
                EXPECT_TRUE(sameValue(actual, expected))
                    << "docs/scene-file.md line " << row.line << ": `" << row.key
                    << "` defaults to " << literal << " there, but " << p.name
                    << " omits it and the parser filled in " << actual.dump();
            }
        }
        EXPECT_GT(checks, 0u) << "docs/scene-file.md line " << row.line << ": the default of `"
                              << row.key << "` (" << literal
                              << ") is never checked: no parsed document omits the key where the "
                                 "parser writes it back. Add an example that omits it, or write "
                                 "the default as prose (without backticks)";
        checkedRows += checks > 0 ? 1 : 0;
    }
    EXPECT_GT(checkedRows, 0u);
}

TEST(JsonKeyRecorder, RecordsNormalisedPathsPerDocumentAndNests)
{
    EXPECT_EQ(detail::JsonKeyRecorder::normalised("a.b[12].c[0]"), "a.b[].c[]");
    EXPECT_EQ(detail::JsonKeyRecorder::normalised("a[x].b[]"), "a[x].b[]");
    EXPECT_EQ(detail::JsonKeyRecorder::installed(), nullptr);
    const std::string scene =
        readText(fs::path(test::resourcesDir()) / "scenes" / "shepp-logan-2d-parallel.json");
    detail::JsonKeyRecorder outer;
    {
        detail::JsonKeyRecorder inner;
        EXPECT_EQ(detail::JsonKeyRecorder::installed(), &inner);
        (void)parseScene(scene);
        EXPECT_TRUE(inner.present(kScene).contains("geometry.trajectory.views"));
        EXPECT_TRUE(inner.asked(kScene).contains("reconstruction.tv_weight_per_mm"));
        EXPECT_FALSE(inner.present(kScene).contains("reconstruction.tv_weight_per_mm"));
        EXPECT_TRUE(inner.asked(kPhantom).empty());
    }
    EXPECT_EQ(detail::JsonKeyRecorder::installed(), &outer);
    EXPECT_TRUE(outer.asked(kScene).empty()) << "the inner recorder hid the outer one";
}
} // namespace
} // namespace tomo
