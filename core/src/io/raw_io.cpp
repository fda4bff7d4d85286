#include "io/raw_io.h"

#include "common/atomic_file.h"
#include "io/meta_text.h"
#include "tomo/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tomo::detail
{
namespace
{
constexpr int kRawHeaderVersion = 1;

struct DataType
{
    const char* name;
    std::size_t bytes;
    float (*convert)(const unsigned char*);
};

template <class T> float load(const unsigned char* bytes)
{
    T value;
    std::memcpy(&value, bytes, sizeof(T));
    return static_cast<float>(value);
}

constexpr DataType kDataTypes[] = {
    {"int8", 1, &load<std::int8_t>},   {"uint8", 1, &load<std::uint8_t>},
    {"int16", 2, &load<std::int16_t>}, {"uint16", 2, &load<std::uint16_t>},
    {"int32", 4, &load<std::int32_t>}, {"uint32", 4, &load<std::uint32_t>},
    {"float32", 4, &load<float>},      {"float64", 8, &load<double>},
};

[[noreturn]] void headerError(const std::filesystem::path& header, const std::string& field,
                              const std::string& problem)
{
    throw IoError("cannot read " + header.string() + ": field \"" + field + "\" " + problem);
}

template <std::size_t N>
std::array<double, N> numbers(const nlohmann::json& json, const std::filesystem::path& header,
                              const char* field)
{
    const auto it = json.find(field);
    if (it == json.end() || !it->is_array() || it->size() != N) {
        headerError(header, field, "must be an array of " + std::to_string(N) + " numbers");
    }
    std::array<double, N> out{};
    for (std::size_t i = 0; i < N; ++i) {
        if (!(*it)[i].is_number()) {
            headerError(header, field, "must be an array of " + std::to_string(N) + " numbers");
        }
        out[i] = (*it)[i].get<double>();
    }
    return out;
}
} // namespace

void writeRaw(const Volume& volume, const std::filesystem::path& path)
{
    static_assert(std::endian::native == std::endian::little,
                  "writeRaw writes the host's floats as little-endian");
    const VolumeGrid& g = volume.grid();
    const Vec3 o = g.origin();
    nlohmann::json header = {
        {"tomoscope_raw", kRawHeaderVersion},
        {"size", g.size()},
        {"data_type", "float32"},
        {"byte_order", "little"},
        {"header_bytes", 0},
        {"spacing_mm", g.spacing()},
        {"origin_mm", {o.x, o.y, o.z}},
        {"direction", g.direction()},
        {"metadata", flatten(volume.meta())},
    };
    checkSidecarIsFree(path);
    writeFilesAtomically(path, [&](const std::filesystem::path& temporary) {
        std::ofstream data(temporary, std::ios::binary);
        data.write(reinterpret_cast<const char*>(volume.data().data()),
                   static_cast<std::streamsize>(volume.data().size_bytes()));
        data.close();
        std::ofstream text(sidecarPath(temporary), std::ios::binary);
        text << header.dump(2) << "\n";
        text.close();
        if (!data || !text) {
            throw IoError("cannot write " + path.string() + ": the write failed");
        }
    });
}

namespace
{
Volume readRawChecked(const std::filesystem::path& path);
} // namespace

Volume readRaw(const std::filesystem::path& path)
{
    try {
        return readRawChecked(path);
    } catch (const nlohmann::json::exception& e) {
        // A field of the wrong JSON type (a number where text belongs...).
        throw IoError("cannot read " + sidecarPath(path).string() + ": " + e.what());
    }
}

namespace
{
Volume readRawChecked(const std::filesystem::path& path)
{
    const std::filesystem::path headerPath = sidecarPath(path);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw IoError("cannot read " + path.string() + ": no such file");
    }
    std::ifstream headerFile(headerPath, std::ios::binary);
    if (!headerFile) {
        throw IoError("cannot read " + path.string() + ": raw voxels need the JSON header " +
                      headerPath.string() +
                      " (size, data_type, byte_order, spacing_mm; docs/io.md), which is missing");
    }
    std::stringstream text;
    text << headerFile.rdbuf();
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
        throw IoError("cannot read " + headerPath.string() + ": not valid JSON (" + e.what() + ")");
    }
    if (!header.is_object()) {
        throw IoError("cannot read " + headerPath.string() + ": expected a JSON object");
    }
    const std::array<double, 3> sizeValues = numbers<3>(header, headerPath, "size");
    std::array<std::size_t, 3> size{};
    for (std::size_t a = 0; a < 3; ++a) {
        if (!(sizeValues[a] >= 1.0) || sizeValues[a] != std::floor(sizeValues[a])) {
            headerError(headerPath, "size", "must hold three whole numbers >= 1");
        }
        size[a] = static_cast<std::size_t>(sizeValues[a]);
    }
    const std::string typeName = header.value("data_type", std::string());
    const auto type =
        std::ranges::find_if(kDataTypes, [&](const DataType& t) { return typeName == t.name; });
    if (type == std::end(kDataTypes)) {
        headerError(headerPath, "data_type",
                    "is \"" + typeName +
                        "\"; accepted: int8, uint8, int16, uint16, int32, uint32, float32, "
                        "float64");
    }
    bool swap = false;
    if (type->bytes > 1) {
        const std::string order = header.value("byte_order", std::string());
        if (order != "little" && order != "big") {
            headerError(headerPath, "byte_order",
                        "is \"" + order + "\"; accepted: \"little\" or \"big\"");
        }
        swap = (order == "big") != (std::endian::native == std::endian::big);
    }
    const double headerBytesValue = header.value("header_bytes", 0.0);
    if (!(headerBytesValue >= 0.0) || headerBytesValue != std::floor(headerBytesValue)) {
        headerError(headerPath, "header_bytes", "must be a whole number >= 0");
    }
    const auto headerBytes = static_cast<std::uintmax_t>(headerBytesValue);
    const std::array<double, 3> spacing = numbers<3>(header, headerPath, "spacing_mm");
    const std::array<double, 9> direction = header.contains("direction")
                                                ? numbers<9>(header, headerPath, "direction")
                                                : std::array<double, 9>{1, 0, 0, 0, 1, 0, 0, 0, 1};
    Vec3 origin;
    if (header.contains("origin_mm")) {
        const auto o = numbers<3>(header, headerPath, "origin_mm");
        origin = {o[0], o[1], o[2]};
    } else {
        // Documented default (docs/io.md): centred on the isocentre, as VolumeGrid::centred.
        origin = VolumeGrid::centred(size, spacing).origin();
    }
    VolumeGrid grid = VolumeGrid::make(size, spacing, origin, direction);

    const std::uintmax_t expected = headerBytes + grid.voxelCount() * type->bytes;
    const std::uintmax_t actual = std::filesystem::file_size(path, ec);
    if (ec || actual != expected) {
        throw IoError("cannot read " + path.string() + ": it has " + std::to_string(actual) +
                      " bytes; the header " + headerPath.string() + " describes " +
                      std::to_string(expected) + " (" + std::to_string(headerBytes) + " + " +
                      std::to_string(size[0]) + " x " + std::to_string(size[1]) + " x " +
                      std::to_string(size[2]) + " x " + std::to_string(type->bytes) +
                      "); the file is truncated or the header is wrong");
    }
    std::ifstream data(path, std::ios::binary);
    data.seekg(static_cast<std::streamoff>(headerBytes));
    std::vector<unsigned char> bytes(grid.voxelCount() * type->bytes);
    data.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!data) {
        throw IoError("cannot read " + path.string() + ": the read failed");
    }
    std::vector<float> values(grid.voxelCount());
    for (std::size_t n = 0; n < values.size(); ++n) {
        unsigned char* element = bytes.data() + n * type->bytes;
        if (swap) {
            std::reverse(element, element + type->bytes);
        }
        values[n] = type->convert(element);
    }
    Volume volume = Volume::fromData(grid, std::move(values));
    if (const auto it = header.find("metadata"); it != header.end()) {
        volume.meta() = unflatten(fromJsonText(it->dump(), headerPath.string()));
    }
    return volume;
}
} // namespace
} // namespace tomo::detail
