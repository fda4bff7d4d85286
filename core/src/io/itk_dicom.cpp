// DICOM series reading and writing through ITK's GDCM module (DESIGN.md §4: LPS world, voxel
// centres). Only this file knows about GDCM. It is built into the formats module
// (formats_module.h), which the core loads on the first DICOM, HDF5 or TIFF file: GDCM's
// libraries and the dictionaries it builds when loaded were a third of every command's start-up.
#include "io/formats_module.h"
#include "io/itk_image.h"
#include "io/itk_log.h"
#include "tomo/dicom.h"
#include "tomo/error.h"
#include "tomo/log.h"

#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImage.h>
#include <itkImageSeriesReader.h>
#include <itkImageSeriesWriter.h>
#include <itkMetaDataObject.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <limits>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace tomo
{
namespace
{
namespace fs = std::filesystem;
using Image3 = detail::ItkImage3;
using StoredImage3 = itk::Image<std::int16_t, 3>;
using StoredImage2 = itk::Image<std::int16_t, 2>;

// What Image Comments (0020,4000) holds in a series Tomoscope wrote: the ImageMeta dictionary.
constexpr std::string_view kMetaFormat = "tomoscope-image-meta";
// Image Comments is LT: at most 10240 characters.
constexpr std::size_t kMaxImageComments = 10240;
// LO (Series Description, Patient ID...) and each PN component hold at most 64 characters.
constexpr std::size_t kMaxLongString = detail::kDicomMaxLongString;

// Slice positions of a series must be evenly spaced along the slice normal and stacked on it.
// A missing slice changes one gap by 100 % of the spacing and a mixed series by as much; DS
// strings (16 characters) and scanner position jitter stay far below 1 % of any slice spacing.
constexpr double kSliceSpacingTolerance = 0.01; // fraction of the spacing
// Image Orientation (Patient) of every slice must match the first one's to this (cosines).
constexpr double kOrientationTolerance = 1e-4;

const std::string kCtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

std::string trimmed(std::string text)
{
    // DICOM pads values to an even length with spaces (or NUL for UIDs).
    const auto isPad = [](char c) {
        return c == ' ' || c == '\0' || c == '\t';
    };
    while (!text.empty() && isPad(text.back())) {
        text.pop_back();
    }
    std::size_t first = 0;
    while (first < text.size() && isPad(text[first])) {
        ++first;
    }
    return text.substr(first);
}

std::string tagValue(const itk::MetaDataDictionary& dictionary, const std::string& tag)
{
    std::string value;
    itk::ExposeMetaData<std::string>(dictionary, tag, value);
    return trimmed(value);
}

/// The numbers of a backslash-separated DICOM value ("1\0\0"); empty if one does not parse.
std::vector<double> parseNumbers(const std::string& text)
{
    std::vector<double> values;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find('\\', start), text.size());
        const std::string item = trimmed(text.substr(start, end - start));
        double value = 0.0;
        const auto result = std::from_chars(item.data(), item.data() + item.size(), value);
        if (item.empty() || result.ec != std::errc() || result.ptr != item.data() + item.size()) {
            return {};
        }
        values.push_back(value);
        start = end + 1;
    }
    return values;
}

/// A DS (decimal string) value: at most 16 characters, with as many digits as fit.
std::string formatDs(double value)
{
    char buffer[64];
    const auto shortest = std::to_chars(buffer, buffer + sizeof(buffer), value);
    if (shortest.ptr - buffer <= 16) {
        return std::string(buffer, shortest.ptr);
    }
    for (int digits = 15; digits > 0; --digits) {
        const int n = std::snprintf(buffer, sizeof(buffer), "%.*g", digits, value);
        if (n > 0 && n <= 16) {
            return std::string(buffer, static_cast<std::size_t>(n));
        }
    }
    return "0"; // unreachable: "%.1g" of a finite double has at most 8 characters
}

std::string formatDs3(const Vec3& v)
{
    return formatDs(v.x) + "\\" + formatDs(v.y) + "\\" + formatDs(v.z);
}

/// A length in mm for messages: six significant digits, so 1.6000000000000014 reads 1.6.
std::string formatMm(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.6g", value);
    return buffer;
}

std::string quoted(const std::string& text)
{
    return "\"" + text + "\"";
}

// ---------------------------------------------------------------------------------------------
// Reading

void checkFolder(const fs::path& folder, const std::string& what)
{
    std::error_code ec;
    const fs::file_status status = fs::status(folder, ec);
    if (!fs::exists(status)) {
        throw IoError("cannot read " + what + " " + folder.string() + ": no such folder");
    }
    if (!fs::is_directory(status)) {
        throw IoError("cannot read " + what + " " + folder.string() +
                      ": it is a file, not a folder of DICOM files");
    }
}

/// The series of `folder` keyed by their real Series Instance UIDs (series details off, so
/// that the UIDs are the ones in the files and other tools show).
itk::GDCMSeriesFileNames::Pointer scanFolder(const fs::path& folder)
{
    auto names = itk::GDCMSeriesFileNames::New();
    names->SetUseSeriesDetails(false);
    try {
        names->SetDirectory(folder.string());
    } catch (const itk::ExceptionObject& e) {
        throw IoError("cannot read DICOM folder " + folder.string() + ": " + e.GetDescription());
    }
    return names;
}

std::vector<std::string> seriesUids(itk::GDCMSeriesFileNames& names)
{
    std::vector<std::string> uids = names.GetSeriesUIDs();
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    return uids;
}

/// The header tags of one DICOM file (no pixel data read).
itk::MetaDataDictionary readHeaderTags(const std::string& file)
{
    auto io = itk::GDCMImageIO::New();
    try {
        io->SetFileName(file);
        io->ReadImageInformation();
    } catch (const itk::ExceptionObject& e) {
        throw IoError("cannot read DICOM file " + file + ": " + e.GetDescription());
    }
    return io->GetMetaDataDictionary();
}

std::string listForMessage(const std::vector<DicomSeriesInfo>& series)
{
    std::string text;
    for (const DicomSeriesInfo& s : series) {
        text += (text.empty() ? "" : "; ") + s.seriesUid + " (" +
                (s.description.empty() ? std::string("no description") : quoted(s.description)) +
                ", " + s.modality + ", " + std::to_string(s.files) + " files)";
    }
    return text;
}

std::vector<DicomSeriesInfo> describeSeries(itk::GDCMSeriesFileNames& names)
{
    std::vector<DicomSeriesInfo> out;
    for (const std::string& uid : seriesUids(names)) {
        const std::vector<std::string> files = names.GetFileNames(uid);
        if (files.empty()) {
            continue;
        }
        const itk::MetaDataDictionary tags = readHeaderTags(files.front());
        out.push_back(
            {uid, tagValue(tags, "0008|103e"), tagValue(tags, "0008|0060"), files.size()});
    }
    return out;
}

fs::path fileName(const std::string& file)
{
    return fs::path(file).filename();
}

/// Checks that every slice has the first one's orientation and that the slices are stacked
/// along the normal, evenly spaced. `normal` is ITK's slice normal (third direction column).
void checkSlicePositions(const fs::path& folder, const std::vector<std::string>& files,
                         const itk::ImageSeriesReader<Image3>::DictionaryArrayType& dictionaries,
                         const Vec3& normal)
{
    if (dictionaries.size() < 2) {
        return; // one slice needs no position (a secondary capture may have none)
    }
    const std::string where = "cannot read DICOM series " + folder.string() + ": ";
    std::vector<Vec3> positions;
    std::vector<double> firstOrientation;
    for (std::size_t k = 0; k < dictionaries.size(); ++k) {
        const std::vector<double> p = parseNumbers(tagValue(*dictionaries[k], "0020|0032"));
        const std::vector<double> o = parseNumbers(tagValue(*dictionaries[k], "0020|0037"));
        if (p.size() != 3 || o.size() != 6) {
            throw IoError(where + "file " + fileName(files[k]).string() +
                          " has no valid Image Position/Orientation (Patient)");
        }
        if (k == 0) {
            firstOrientation = o;
        }
        for (std::size_t c = 0; c < 6; ++c) {
            if (!(std::abs(o[c] - firstOrientation[c]) <= kOrientationTolerance)) {
                throw IoError(where + "file " + fileName(files[k]).string() +
                              " has a different Image Orientation (Patient) from " +
                              fileName(files[0]).string() +
                              " (a mixed series); Tomoscope reads slices of one orientation");
            }
        }
        positions.push_back({p[0], p[1], p[2]});
    }
    std::vector<double> along;
    for (std::size_t k = 0; k < positions.size(); ++k) {
        const Vec3 d = positions[k] - positions[0];
        along.push_back(dot(d, normal));
    }
    std::vector<double> gaps;
    for (std::size_t k = 1; k < along.size(); ++k) {
        gaps.push_back(along[k] - along[k - 1]);
    }
    std::vector<double> sorted = gaps;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2),
                     sorted.end());
    const double spacing = sorted[sorted.size() / 2];
    const double tolerance = kSliceSpacingTolerance * std::abs(spacing);
    if (!(spacing > 0.0) && sorted.size() > 0) {
        // GDCMSeriesFileNames orders by position along the normal; only slices without a usable
        // position (or many at one place) come out otherwise.
        throw IoError(where +
                      "the slices are not ordered along the slice normal (the median "
                      "gap between neighbours is " +
                      formatMm(spacing) + " mm): the folder mixes acquisitions");
    }
    for (std::size_t k = 1; k < along.size(); ++k) {
        const std::string pair =
            fileName(files[k - 1]).string() + " and " + fileName(files[k]).string();
        if (!(std::abs(gaps[k - 1]) > tolerance)) {
            throw IoError(where + "files " + pair + " lie at the same position along the slice " +
                          "normal (" + formatMm(along[k]) +
                          " mm from the first slice): the folder mixes acquisitions");
        }
        if (!(std::abs(gaps[k - 1] - spacing) <= tolerance)) {
            throw IoError(where + "the slices are not evenly spaced: between " + pair + " (at " +
                          formatMm(along[k - 1]) + " and " + formatMm(along[k]) +
                          " mm from the first slice along the slice normal) the gap is " +
                          formatMm(gaps[k - 1]) + " mm, but the spacing is " + formatMm(spacing) +
                          " mm (a missing slice?)");
        }
        const Vec3 across = positions[k] - positions[0] - along[k] * normal;
        if (!(norm(across) <= tolerance)) {
            throw IoError(where + "file " + fileName(files[k]).string() + " is offset by " +
                          formatMm(norm(across)) +
                          " mm across the slice normal from the first slice (a tilted gantry or "
                          "a mixed series); Tomoscope reads slices stacked along their normal");
        }
    }
}

ImageMeta metaFromTags(const itk::MetaDataDictionary& tags)
{
    ImageMeta meta;
    meta.modality = parseModality(tagValue(tags, "0008|0060")).value_or(Modality::Unknown);
    meta.unit = meta.modality == Modality::CT ? ValueUnit::Hu : ValueUnit::Unknown;
    meta.subtype = tagValue(tags, "0008|103e");
    if (meta.subtype.empty()) {
        meta.subtype = tagValue(tags, "0008|0008");
    }
    const std::string comments = tagValue(tags, "0020|4000");
    const nlohmann::json stored = nlohmann::json::parse(comments, nullptr, false);
    if (!stored.is_object()) {
        return meta; // no comments, or a foreign series' text
    }
    const auto format = stored.find("format");
    const auto dictionary = stored.find("dictionary");
    if (format != stored.end() && *format == std::string(kMetaFormat) &&
        dictionary != stored.end() && dictionary->is_object()) {
        for (const auto& [key, value] : dictionary->items()) {
            if (value.is_string()) {
                meta.dictionary[key] = value.get<std::string>();
            }
        }
    }
    return meta;
}
} // namespace

namespace detail
{
std::vector<DicomSeriesInfo> gdcmListDicomSeries(const fs::path& folder)
{
    detail::routeItkOutputToLog();
    checkFolder(folder, "DICOM folder");
    const auto names = scanFolder(folder);
    return describeSeries(*names);
}

Volume gdcmReadDicomSeries(const fs::path& folder, std::string_view seriesUid)
{
    detail::routeItkOutputToLog();
    checkFolder(folder, "DICOM series");
    const std::string where = "cannot read DICOM series " + folder.string() + ": ";
    const auto names = scanFolder(folder);
    const std::vector<std::string> uids = seriesUids(*names);
    if (uids.empty()) {
        throw IoError(where + "the folder holds no DICOM series");
    }
    std::string uid(seriesUid);
    if (uid.empty()) {
        if (uids.size() > 1) {
            throw IoError(where + "the folder holds " + std::to_string(uids.size()) +
                          " series; choose one by its Series Instance UID: " +
                          listForMessage(describeSeries(*names)));
        }
        uid = uids.front();
    } else if (std::find(uids.begin(), uids.end(), uid) == uids.end()) {
        throw IoError(where + "the folder holds no series " + uid +
                      "; it holds: " + listForMessage(describeSeries(*names)));
    }
    const std::vector<std::string> files = names->GetFileNames(uid);
    if (files.empty()) {
        throw IoError(where + "series " + uid + " has no readable files");
    }

    auto reader = itk::ImageSeriesReader<Image3>::New();
    reader->SetImageIO(itk::GDCMImageIO::New()); // applies Rescale Slope/Intercept
    reader->SetFileNames(files);
    try {
        reader->Update();
    } catch (const itk::ExceptionObject& e) {
        throw IoError(where + e.GetDescription());
    }
    const Image3* image = reader->GetOutput();
    const auto& dictionaries = *reader->GetMetaDataDictionaryArray();
    if (dictionaries.size() != files.size()) {
        throw IoError(where + "ITK gave " + std::to_string(dictionaries.size()) +
                      " slice headers for " + std::to_string(files.size()) + " files");
    }

    const auto size = image->GetLargestPossibleRegion().GetSize();
    std::array<double, 9> direction{};
    for (unsigned a = 0; a < 3; ++a) {
        for (unsigned b = 0; b < 3; ++b) {
            direction[3 * a + b] = image->GetDirection()(a, b);
        }
    }
    checkSlicePositions(folder, files, dictionaries, {direction[2], direction[5], direction[8]});

    std::array<double, 3> spacing{image->GetSpacing()[0], image->GetSpacing()[1],
                                  image->GetSpacing()[2]};
    if (files.size() == 1) {
        // One slice has no neighbour to measure the spacing from; ITK then says 1 mm. Take the
        // file's Spacing Between Slices, or its Slice Thickness, where it states one.
        for (const char* tag : {"0018|0088", "0018|0050"}) {
            const std::vector<double> stated = parseNumbers(tagValue(*dictionaries.front(), tag));
            if (stated.size() == 1 && std::isfinite(stated[0]) && stated[0] > 0.0) {
                spacing[2] = stated[0];
                break;
            }
        }
    }
    const VolumeGrid grid = [&] {
        try {
            return VolumeGrid::make(
                {size[0], size[1], size[2]}, spacing,
                {image->GetOrigin()[0], image->GetOrigin()[1], image->GetOrigin()[2]}, direction);
        } catch (const InvalidArgument& e) {
            throw IoError(where + "its geometry is not a valid grid: " + e.what());
        }
    }();
    const float* buffer = image->GetBufferPointer();
    Volume volume = Volume::fromData(grid, std::vector<float>(buffer, buffer + grid.voxelCount()));
    volume.meta() = metaFromTags(*dictionaries.front());
    return volume;
}

} // namespace detail

// -------------------------------------------------------------------------------------------------
// Writing

namespace
{
/// The volume's values as int16 HU (Rescale Slope 1, Intercept 0).
///
/// Why slope 1 rather than a finer slope: a slope of 1 keeps the whole int16 range, -32768 to
/// 32767 HU, which holds metal (dense metals reach ~30000 HU at 70 keV); a slope of 0.1 would
/// clip at ±3276 HU, below dense bone and any metal. Rounding to whole HU costs at most 0.5 HU,
/// far below the noise of any CT image (several HU), and integer HU with slope 1 is what
/// scanners write, so every viewer shows the values and windows as expected.
std::vector<std::int16_t> storedHu(const Volume& volume, const DicomWriteOptions& options)
{
    const ValueUnit unit = volume.meta().unit;
    if (unit != ValueUnit::MuPerMm && unit != ValueUnit::Hu) {
        throwInvalid("volume unit", std::string(toString(unit)),
                     "a DICOM CT series stores HU: the volume must be in mu_per_mm (converted "
                     "with mu_water) or HU");
    }
    const bool fromMu = unit == ValueUnit::MuPerMm;
    const double muWater = options.muWater;
    const std::size_t nx = volume.grid().size()[0];
    const std::size_t ny = volume.grid().size()[1];
    std::vector<std::int16_t> out(volume.grid().voxelCount());
    const std::span<const float> data = volume.data();
    for (std::size_t n = 0; n < data.size(); ++n) {
        const double value = data[n];
        const double hu = fromMu ? 1000.0 * (value - muWater) / muWater : value;
        const double rounded = std::nearbyint(hu);
        if (!std::isfinite(hu) || rounded < std::numeric_limits<std::int16_t>::min() ||
            rounded > std::numeric_limits<std::int16_t>::max()) {
            const std::size_t i = n % nx;
            const std::size_t j = (n / nx) % ny;
            const std::size_t k = n / (nx * ny);
            throwInvalid("volume value at voxel (" + std::to_string(i) + ", " + std::to_string(j) +
                             ", " + std::to_string(k) + ")",
                         formatValue(value) +
                             (fromMu ? " mm^-1 = " + formatValue(hu) + " HU" : std::string(" HU")),
                         "a DICOM CT series stores 16-bit integer HU, in [-32768, 32767]");
        }
        out[n] = static_cast<std::int16_t>(rounded);
    }
    return out;
}

/// The ImageMeta dictionary as the JSON of Image Comments. ASCII only (other characters are
/// \u-escaped), so it needs no character set. Entries that would take it past LT's 10240
/// characters are left out, longest first, with a warning.
std::string metaJson(const ImageMeta& meta)
{
    std::map<std::string, std::string> dictionary = meta.dictionary;
    const auto dump = [&] {
        nlohmann::json j;
        j["format"] = kMetaFormat;
        j["version"] = 1;
        j["dictionary"] = dictionary;
        return j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    };
    std::string text = dump();
    std::vector<std::string> dropped;
    while (text.size() > kMaxImageComments && !dictionary.empty()) {
        const auto longest = std::max_element(
            dictionary.begin(), dictionary.end(), [](const auto& a, const auto& b) {
                return a.first.size() + a.second.size() < b.first.size() + b.second.size();
            });
        dropped.push_back(longest->first);
        dictionary.erase(longest);
        text = dump();
    }
    if (!dropped.empty()) {
        std::string keys;
        for (const std::string& key : dropped) {
            keys += (keys.empty() ? "" : ", ") + key;
        }
        log(LogLevel::Warning, "DICOM Image Comments hold at most 10240 characters: left out "
                               "the metadata entries " +
                                   keys);
    }
    return text;
}

std::string seriesDescriptionFor(const Volume& volume, const DicomWriteOptions& options)
{
    std::string text = options.seriesDescription;
    if (text.empty()) {
        text = volume.meta().subtype;
        std::replace(text.begin(), text.end(), '\\', '/');
        text = text.substr(0, kMaxLongString);
    }
    return text.empty() ? "Tomoscope" : text;
}

void put(itk::MetaDataDictionary& dictionary, const std::string& tag, const std::string& value)
{
    itk::EncapsulateMetaData<std::string>(dictionary, tag, value);
}

/// Tags shared by every slice of the series. The UIDs of study, series and frame of reference
/// are generated by GDCMImageIO, once per IO object, so one IO writes the whole series; gdcm
/// gives each file its own SOP Instance UID.
itk::MetaDataDictionary seriesTags(const Volume& volume, const DicomWriteOptions& options)
{
    const VolumeGrid& grid = volume.grid();
    const auto& m = grid.direction();
    itk::MetaDataDictionary tags;

    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm local{};
    localtime_r(&now, &local);
    char date[16];
    char time[16];
    std::strftime(date, sizeof(date), "%Y%m%d", &local);
    std::strftime(time, sizeof(time), "%H%M%S", &local);

    const auto version = volume.meta().dictionary.find(std::string(meta_key::kVersion));
    const std::string software =
        version != volume.meta().dictionary.end() ? version->second : std::string(TOMO_VERSION);

    // UTF-8 for the names and descriptions a caller gives (ASCII is a subset).
    put(tags, "0008|0005", "ISO_IR 192");                // Specific Character Set
    put(tags, "0008|0008", "DERIVED\\SECONDARY\\AXIAL"); // Image Type
    put(tags, "0008|0016", kCtImageStorage);             // SOP Class UID
    put(tags, "0008|0020", date);                        // Study Date
    put(tags, "0008|0021", date);                        // Series Date
    put(tags, "0008|0023", date);                        // Content Date
    put(tags, "0008|0030", time);                        // Study Time
    put(tags, "0008|0031", time);                        // Series Time
    put(tags, "0008|0033", time);                        // Content Time
    put(tags, "0008|0050", "");                          // Accession Number
    put(tags, "0008|0060", "CT");                        // Modality
    put(tags, "0008|0070", "Tomoscope");                 // Manufacturer
    put(tags, "0008|0090", "");                          // Referring Physician's Name
    put(tags, "0008|1030", "Tomoscope");                 // Study Description
    put(tags, "0008|103e", seriesDescriptionFor(volume, options));
    put(tags, "0010|0010", options.patientName);
    put(tags, "0010|0020", options.patientId);
    put(tags, "0010|0030", "");                          // Patient's Birth Date
    put(tags, "0010|0040", "");                          // Patient's Sex
    put(tags, "0018|0050", formatDs(grid.spacing()[2])); // Slice Thickness
    put(tags, "0018|0060", "");                          // KVP
    put(tags, "0018|0088", formatDs(grid.spacing()[2])); // Spacing Between Slices
    put(tags, "0018|1020", ("Tomoscope " + software).substr(0, kMaxLongString));
    put(tags, "0020|0010", "1");                                  // Study ID
    put(tags, "0020|0011", std::to_string(options.seriesNumber)); // Series Number
    put(tags, "0020|0012", "1");                                  // Acquisition Number
    // Image Orientation (Patient): the row direction (index axis i, column 0 of the direction)
    // then the column direction (index axis j, column 1).
    put(tags, "0020|0037",
        formatDs(m[0]) + "\\" + formatDs(m[3]) + "\\" + formatDs(m[6]) + "\\" + formatDs(m[1]) +
            "\\" + formatDs(m[4]) + "\\" + formatDs(m[7]));
    put(tags, "0020|1040", ""); // Position Reference Indicator
    put(tags, "0020|4000", metaJson(volume.meta()));
    // Pixel Spacing is row spacing (between rows: along j, y) then column spacing (along i, x).
    put(tags, "0028|0004", "MONOCHROME2"); // Photometric Interpretation (gdcm warns without)
    put(tags, "0028|0030", formatDs(grid.spacing()[1]) + "\\" + formatDs(grid.spacing()[0]));
    put(tags, "0028|1050", "40");  // Window Center
    put(tags, "0028|1051", "400"); // Window Width
    put(tags, "0028|1052", "0");   // Rescale Intercept
    put(tags, "0028|1053", "1");   // Rescale Slope
    put(tags, "0028|1054", "HU");  // Rescale Type
    return tags;
}

std::vector<itk::MetaDataDictionary> sliceTags(const Volume& volume,
                                               const DicomWriteOptions& options)
{
    const VolumeGrid& grid = volume.grid();
    const auto& m = grid.direction();
    const Vec3 row{m[0], m[3], m[6]};
    const Vec3 column{m[1], m[4], m[7]};
    const Vec3 normal = cross(row, column);
    const itk::MetaDataDictionary shared = seriesTags(volume, options);
    std::vector<itk::MetaDataDictionary> out;
    for (std::size_t k = 0; k < grid.size()[2]; ++k) {
        itk::MetaDataDictionary tags = shared;
        const Vec3 position = grid.voxelCentre(0.0, 0.0, static_cast<double>(k));
        put(tags, "0020|0013", std::to_string(k + 1));           // Instance Number
        put(tags, "0020|0032", formatDs3(position));             // Image Position (Patient)
        put(tags, "0020|1041", formatDs(dot(position, normal))); // Slice Location
        out.push_back(std::move(tags));
    }
    return out;
}

fs::path temporaryFolderFor(const fs::path& folder)
{
    static std::atomic<unsigned> counter{0};
    return folder.parent_path() / ("." + folder.filename().string() + ".tmp-" +
                                   std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

/// `folder` without a trailing separator, with a parent ("." for a bare name).
fs::path normalisedTarget(const fs::path& folder)
{
    fs::path target = folder.has_filename() ? folder : folder.parent_path();
    if (target.parent_path().empty()) {
        target = fs::path(".") / target;
    }
    return target;
}

void checkTarget(const fs::path& target, const std::string& where)
{
    std::error_code ec;
    const fs::path parent = target.parent_path();
    if (!fs::is_directory(parent, ec)) {
        throw IoError(where + "the folder " + parent.string() +
                      (fs::exists(parent, ec) ? " is not a folder" : " does not exist"));
    }
    const fs::file_status status = fs::symlink_status(target, ec);
    if (fs::exists(status)) {
        if (!fs::is_directory(fs::status(target, ec))) {
            throw IoError(where + "it exists and is not a folder");
        }
        if (!fs::is_empty(target, ec) || ec) {
            throw IoError(where +
                          "the folder exists and is not empty; choose a new or empty folder");
        }
    }
}

void writeSlices(const Volume& volume, std::vector<std::int16_t> values,
                 std::vector<itk::MetaDataDictionary> tags, const fs::path& temporary)
{
    auto image = detail::newItkImage<StoredImage3::PixelType>(volume.grid());
    std::copy(values.begin(), values.end(), image->GetBufferPointer());

    std::vector<std::string> files;
    itk::ImageSeriesWriter<StoredImage3, StoredImage2>::DictionaryArrayType dictionaries;
    for (std::size_t k = 0; k < tags.size(); ++k) {
        char name[32];
        std::snprintf(name, sizeof(name), "IM%06zu.dcm", k + 1);
        files.push_back((temporary / name).string());
        dictionaries.push_back(&tags[k]);
    }
    auto io = itk::GDCMImageIO::New();
    auto writer = itk::ImageSeriesWriter<StoredImage3, StoredImage2>::New();
    writer->SetInput(image);
    writer->SetImageIO(io);
    writer->SetFileNames(files);
    writer->SetMetaDataDictionaryArray(&dictionaries);
    writer->Update();
}
} // namespace

void detail::gdcmWriteDicomSeries(const Volume& volume, const fs::path& folder,
                                  const DicomWriteOptions& options)
{
    detail::routeItkOutputToLog();
    std::vector<std::int16_t> values = storedHu(volume, options);
    std::vector<itk::MetaDataDictionary> tags = sliceTags(volume, options);

    const fs::path target = normalisedTarget(folder);
    const std::string where = "cannot write DICOM series " + folder.string() + ": ";
    checkTarget(target, where);
    const fs::path temporary = temporaryFolderFor(target);
    std::error_code ec;
    if (!fs::create_directory(temporary, ec) || ec) {
        throw IoError(where + "cannot create the folder " + temporary.string() + ": " +
                      (ec ? ec.message() : std::string("it exists")));
    }
    try {
        writeSlices(volume, std::move(values), std::move(tags), temporary);
        // rename() replaces an empty folder and fails on a non-empty one, so a folder that
        // filled up since checkTarget is never overwritten.
        fs::rename(temporary, target);
    } catch (const itk::ExceptionObject& e) {
        fs::remove_all(temporary, ec);
        throw IoError(where + e.GetDescription());
    } catch (const fs::filesystem_error& e) {
        fs::remove_all(temporary, ec);
        throw IoError(where + e.code().message());
    } catch (...) {
        fs::remove_all(temporary, ec);
        throw;
    }
}
} // namespace tomo
