// Image files through ITK (core/src/io is the only part of the core that includes ITK, DESIGN.md
// §3).
#include "common/atomic_file.h"
#include "common/text.h"
#include "io/formats_module.h"
#include "io/itk_image.h"
#include "io/itk_log.h"
#include "io/meta_text.h"
#include "io/raw_io.h"
#include "tomo/dicom.h"
#include "tomo/error.h"
#include "tomo/geometry_io.h"
#include "tomo/io.h"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImageIOFactory.h>
#include <itkImageSeriesReader.h>
#include <itkImageSeriesWriter.h>
#include <itkMetaDataObject.h>
#include <itkMetaImageIOFactory.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIOFactory.h>
#include <itkPNGImageIOFactory.h>
#include <itkRGBPixel.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>
#include <zlib.h>

namespace tomo
{
namespace
{
using Image3 = detail::ItkImage3;
using PngImage = itk::Image<unsigned char, 2>;

// Registered explicitly, once, rather than through ITK's CMake-generated factory manager, so the
// core works the same when linked into any executable. HDF5 and TIFF are the formats module's
// (formats_module.h), registered by registerFactoriesFor when a file of theirs comes.
void registerFactories()
{
    static std::once_flag once;
    std::call_once(once, [] {
        detail::routeItkOutputToLog();
        itk::NiftiImageIOFactory::RegisterOneFactory();
        itk::MetaImageIOFactory::RegisterOneFactory();
        itk::NrrdImageIOFactory::RegisterOneFactory();
        itk::PNGImageIOFactory::RegisterOneFactory();
    });
}

/// The file formats, told apart by name (DESIGN.md §6).
enum class FileKind
{
    Nifti,     ///< .nii, .nii.gz (+ a JSON sidecar for the metadata)
    MetaImage, ///< .mha, .mhd (+ .raw)
    Nrrd,      ///< .nrrd, .nhdr (+ .raw)
    Hdf5,      ///< .h5, .hdf5 (ITK's HDF5 image layout)
    Tiff,      ///< .tif, .tiff (projection stacks)
    Png,       ///< .png (pictures)
    Raw,       ///< .raw + JSON header
    Unknown,
};

FileKind kindOf(const std::filesystem::path& path)
{
    const std::string name = detail::asciiLower(path.filename().string());
    const auto ends = [&](const char* e) {
        return name.ends_with(e);
    };
    if (ends(".nii") || ends(".nii.gz")) {
        return FileKind::Nifti;
    }
    if (ends(".mha") || ends(".mhd")) {
        return FileKind::MetaImage;
    }
    if (ends(".nrrd") || ends(".nhdr")) {
        return FileKind::Nrrd;
    }
    if (ends(".h5") || ends(".hdf5")) {
        return FileKind::Hdf5;
    }
    if (ends(".tif") || ends(".tiff")) {
        return FileKind::Tiff;
    }
    if (ends(".png")) {
        return FileKind::Png;
    }
    if (ends(".raw")) {
        return FileKind::Raw;
    }
    return FileKind::Unknown;
}

/// The factories for files of `kind`: loads the formats module for HDF5 and TIFF.
void registerFactoriesFor(FileKind kind)
{
    registerFactories();
    if (kind == FileKind::Hdf5 || kind == FileKind::Tiff) {
        detail::formatsModule().registerItkFactories();
    }
}

constexpr const char* kVolumeExtensions =
    ".nii, .nii.gz, .mha, .mhd, .nrrd, .nhdr, .h5, .hdf5, .raw (with a .json header)";

/// Longest header value MetaIO reads back (MET_MAX_NUMBER_OF_FIELD_VALUES in ITK 5's
/// metaTypes.h); longer values make the whole file unreadable.
constexpr std::size_t kMetaIoMaxValue = 4096;
/// MetaImage header key naming the JSON sidecar that holds the values too long for the header.
constexpr std::string_view kSidecarKey = "tomoscope_sidecar";

bool lineBased(FileKind kind)
{
    return kind == FileKind::MetaImage || kind == FileKind::Nrrd;
}

/// `entries` into an ITK dictionary (text values, which every format with keys keeps).
void store(const detail::TextDictionary& entries, itk::MetaDataDictionary& dictionary,
           FileKind kind)
{
    for (const auto& [key, value] : entries) {
        itk::EncapsulateMetaData<std::string>(
            dictionary, key, lineBased(kind) ? detail::encodeHeaderValue(value) : value);
    }
}

/// The text entries of an ITK dictionary that a file's writer put there, without the ones ITK's
/// readers add about the file itself (ITK_..., NRRD_...; every NIfTI header field).
detail::TextDictionary textEntries(const itk::MetaDataDictionary& dictionary, FileKind kind)
{
    detail::TextDictionary out;
    if (kind == FileKind::Nifti) {
        return out; // the header fields are the grid; the metadata is in the sidecar
    }
    for (const std::string& key : dictionary.GetKeys()) {
        std::string value;
        if (key.starts_with("ITK_") || key.starts_with("NRRD_") ||
            !itk::ExposeMetaData<std::string>(dictionary, key, value)) {
            continue;
        }
        out[key] = lineBased(kind) ? detail::decodeHeaderValue(value) : value;
    }
    return out;
}

std::string readText(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
        throw IoError("cannot read " + path.string() + ": the read failed");
    }
    return text.str();
}

/// The metadata in an image's JSON sidecar (NIfTI: all of it; MetaImage: the values too long
/// for its header), when it has one.
detail::TextDictionary sidecarEntries(const std::filesystem::path& path)
{
    const std::filesystem::path sidecar = detail::sidecarPath(path);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(sidecar, ec)) {
        return {};
    }
    return detail::fromJsonText(readText(sidecar), sidecar.string());
}

/// An image's metadata: its header's entries (NIfTI: its sidecar's), with the entries of the
/// sidecar a MetaImage header names (values too long for the header).
ImageMeta readMeta(const itk::MetaDataDictionary& header, FileKind kind,
                   const std::filesystem::path& path)
{
    ImageMeta meta = detail::unflatten(kind == FileKind::Nifti ? sidecarEntries(path)
                                                               : textEntries(header, kind));
    auto& dictionary = meta.dictionary;
    if (const auto named = dictionary.find(std::string(kSidecarKey)); named != dictionary.end()) {
        const std::filesystem::path sidecar = path.parent_path() / named->second;
        dictionary.erase(named);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(sidecar, ec)) {
            throw IoError("cannot read " + path.string() + ": its header names the sidecar " +
                          sidecar.string() + ", which is missing (copy it along with the image)");
        }
        for (auto& [key, value] :
             detail::unflatten(detail::fromJsonText(readText(sidecar), sidecar.string()))
                 .dictionary) {
            dictionary.insert_or_assign(key, std::move(value));
        }
    }
    return meta;
}

using detail::toItk;

/// Writes `image` (with its dictionary) through ITK; `meta` goes into the header where the
/// format has keys, into a sidecar for NIfTI.
template <class ImageT>
void writeItk(const typename ImageT::Pointer& image, const std::filesystem::path& path,
              const detail::TextDictionary& meta)
{
    const FileKind kind = kindOf(path);
    registerFactoriesFor(kind);
    const auto io = itk::ImageIOFactory::CreateImageIO(path.string().c_str(),
                                                       itk::CommonEnums::IOFileMode::WriteMode);
    if (!io || kind == FileKind::Unknown) {
        throw IoError("cannot write " + path.string() +
                      ": unknown image format; accepted: " + kVolumeExtensions + ", .png, .tif");
    }
    // What goes into the JSON sidecar: everything for NIfTI; for MetaImage the values its reader
    // cannot take back (MetaIO reads at most kMetaIoMaxValue characters of a field: the
    // per-view geometry of a projection stack is far longer).
    detail::TextDictionary sidecar;
    if (kind == FileKind::Nifti) {
        // The 80-character descrip field says who wrote it; the sidecar has everything.
        itk::EncapsulateMetaData<std::string>(image->GetMetaDataDictionary(), "ITK_FileNotes",
                                              std::string("Tomoscope ") + TOMO_VERSION);
        sidecar = meta;
    } else if (kind == FileKind::MetaImage) {
        detail::TextDictionary header;
        for (const auto& [key, value] : meta) {
            (detail::encodeHeaderValue(value).size() < kMetaIoMaxValue ? header : sidecar)
                .emplace(key, value);
        }
        if (!sidecar.empty()) {
            // The reader follows this key, so a stale sidecar of an earlier file is never read.
            header.emplace(std::string(kSidecarKey), detail::sidecarPath(path).filename().string());
        }
        store(header, image->GetMetaDataDictionary(), kind);
    } else if (kind != FileKind::Png && kind != FileKind::Tiff) {
        store(meta, image->GetMetaDataDictionary(), kind);
    }
    if (kind == FileKind::Nifti && !sidecar.empty()) {
        detail::checkSidecarIsFree(path);
    }
    detail::writeFilesAtomically(path, [&](const std::filesystem::path& temporary) {
        auto writer = itk::ImageFileWriter<ImageT>::New();
        writer->SetFileName(temporary.string());
        writer->SetInput(image);
        // Compressed where the name asks for it (.nii.gz); MetaImage, NRRD and .nii are
        // written raw, as ITK and plastimatch do by default: zlib runs on one thread and cost
        // ~2 s per 256³ volume or 360 views of 256² (measured, docs/benchmarks.md).
        writer->SetUseCompression(path.string().ends_with(".gz"));
        try {
            writer->Update();
        } catch (const itk::ExceptionObject& e) {
            throw IoError("cannot write " + path.string() + ": " + e.GetDescription());
        }
        if (!sidecar.empty()) {
            std::ofstream file(detail::sidecarPath(temporary), std::ios::binary);
            file << detail::toJsonText(sidecar);
            file.close();
            if (!file) {
                throw IoError("cannot write " + detail::sidecarPath(path).string() +
                              ": the write failed");
            }
        }
    });
}
} // namespace

bool isDicomTarget(const std::filesystem::path& path)
{
    std::error_code ec;
    return !path.empty() && (!path.has_filename() || std::filesystem::is_directory(path, ec));
}

void writeVolume(const Volume& volume, const std::filesystem::path& path)
{
    if (isDicomTarget(path)) {
        DicomWriteOptions options;
        const auto& dictionary = volume.meta().dictionary;
        if (const auto it = dictionary.find("tomoscope_mu_water_per_mm"); it != dictionary.end()) {
            options.muWater = std::stod(it->second);
        }
        writeDicomSeries(volume, path, options);
        return;
    }
    switch (kindOf(path)) {
    case FileKind::Raw:
        detail::writeRaw(volume, path);
        return;
    case FileKind::Tiff:
    case FileKind::Png:
        throw IoError("cannot write the volume " + path.string() +
                      ": TIFF and PNG keep neither the origin nor the slice spacing (TIFF stacks "
                      "are for projections, PNG for pictures); write a volume as one of " +
                      kVolumeExtensions);
    default:
        break;
    }
    writeItk<Image3>(toItk(volume), path, detail::flatten(volume.meta()));
}

namespace
{
/// ITK's MetaImage reader only prints a warning for a short data block and returns an image
/// with garbage at the end; this refuses such a file. Uncompressed data only (a damaged zlib
/// stream is ITK's to find).
void checkMetaImageLength(const std::filesystem::path& path, const itk::ImageIOBase& io)
{
    std::ifstream in(path, std::ios::binary);
    std::string line;
    std::uintmax_t offset = 0;
    bool compressed = false;
    while (std::getline(in, line)) {
        offset += line.size() + 1;
        const std::size_t equals = line.find('=');
        if (equals == std::string::npos) {
            continue;
        }
        const auto trim = [](std::string text) {
            const std::size_t first = text.find_first_not_of(" \t\r");
            const std::size_t last = text.find_last_not_of(" \t\r");
            return first == std::string::npos ? std::string()
                                              : text.substr(first, last - first + 1);
        };
        const std::string key = trim(line.substr(0, equals));
        const std::string value = trim(line.substr(equals + 1));
        if (key == "CompressedData") {
            compressed = value == "True" || value == "true";
        }
        if (key != "ElementDataFile") {
            continue;
        }
        if (compressed || value == "LIST" || value.find('%') != std::string::npos ||
            value.find(' ') != std::string::npos) {
            return;
        }
        std::error_code ec;
        std::uintmax_t available = 0;
        std::string where = "after the header";
        if (value == "LOCAL") {
            available = std::filesystem::file_size(path, ec) - offset;
        } else {
            const std::filesystem::path data = path.parent_path() / value;
            available = std::filesystem::file_size(data, ec);
            where = "in " + data.string();
            if (ec) {
                throw IoError("cannot read " + path.string() + ": its data file " + data.string() +
                              " is missing");
            }
        }
        const auto expected = static_cast<std::uintmax_t>(io.GetImageSizeInBytes());
        if (!ec && available < expected) {
            throw IoError("cannot read " + path.string() + ": the file is truncated: " +
                          std::to_string(available) + " bytes of voxel data " + where +
                          ", the header describes " + std::to_string(expected));
        }
        return;
    }
}

/// The bytes a gzip file inflates to, or nullopt where the stream is damaged.
std::optional<std::uintmax_t> inflatedSize(const std::filesystem::path& path)
{
    gzFile file = gzopen(path.c_str(), "rb");
    if (file == nullptr) {
        return std::nullopt;
    }
    std::vector<char> buffer(1 << 20);
    std::uintmax_t total = 0;
    int got = 0;
    while ((got = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0) {
        total += static_cast<std::uintmax_t>(got);
    }
    int status = Z_OK;
    (void)gzerror(file, &status);
    gzclose(file);
    if (got < 0 || (status != Z_OK && status != Z_STREAM_END)) {
        return std::nullopt;
    }
    return total;
}

/// ITK 5.2's NIfTI reader returns a short file's missing voxels as zeros without a word; this
/// refuses it. A .nii.gz is checked through the gzip trailer's length and, only where that
/// disagrees (a truncated or multi-member stream), by inflating it once.
void checkNiftiLength(const std::filesystem::path& path, const itk::ImageIOBase& io)
{
    std::string offsetText;
    if (!itk::ExposeMetaData<std::string>(io.GetMetaDataDictionary(), "vox_offset", offsetText)) {
        return;
    }
    const auto expected = static_cast<std::uintmax_t>(std::stod(offsetText)) +
                          static_cast<std::uintmax_t>(io.GetImageSizeInBytes());
    std::error_code ec;
    const std::uintmax_t bytes = std::filesystem::file_size(path, ec);
    if (ec) {
        return;
    }
    const auto truncated = [&](std::uintmax_t available) {
        throw IoError("cannot read " + path.string() + ": the file is truncated: " +
                      std::to_string(available) + " bytes of header and voxels, the header " +
                      "describes " + std::to_string(expected));
    };
    if (!path.string().ends_with(".gz")) {
        if (bytes < expected) {
            truncated(bytes);
        }
        return;
    }
    std::uint32_t trailer = 0;
    if (bytes >= 4) {
        std::ifstream in(path, std::ios::binary);
        in.seekg(-4, std::ios::end);
        unsigned char b[4] = {};
        in.read(reinterpret_cast<char*>(b), 4);
        trailer = static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
                  static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24;
    }
    if (trailer == static_cast<std::uint32_t>(expected)) {
        return;
    }
    const auto inflated = inflatedSize(path);
    if (!inflated) {
        throw IoError("cannot read " + path.string() + ": the gzip stream is damaged or truncated");
    }
    if (*inflated < expected) {
        truncated(*inflated);
    }
}

/// The ImageIO of a readable image file with its header read. Throws IoError naming the path.
itk::ImageIOBase::Pointer openImage(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw IoError("cannot read " + path.string() + ": no such file");
    }
    registerFactoriesFor(kindOf(path));
    const auto io = itk::ImageIOFactory::CreateImageIO(path.string().c_str(),
                                                       itk::CommonEnums::IOFileMode::ReadMode);
    if (!io) {
        throw IoError("cannot read " + path.string() + ": not an image format Tomoscope reads (" +
                      kVolumeExtensions + ", .tif, .png, or a DICOM folder)");
    }
    try {
        io->SetFileName(path.string());
        io->ReadImageInformation();
    } catch (const itk::ExceptionObject& e) {
        throw IoError("cannot read " + path.string() + ": " + e.GetDescription());
    }
    if (kindOf(path) == FileKind::MetaImage) {
        checkMetaImageLength(path, *io);
    } else if (kindOf(path) == FileKind::Nifti) {
        checkNiftiLength(path, *io);
    }
    return io;
}
} // namespace

std::string orientationCode(const std::array<double, 9>& direction)
{
    // Each index axis (column c) takes one world axis, the assignment that keeps the most of the
    // axes' lengths (so an oblique volume still gets three different letters), then the letter
    // of that component's sign.
    constexpr char kTowards[3][2] = {{'L', 'R'}, {'P', 'A'}, {'S', 'I'}};
    std::array<std::size_t, 3> world{0, 1, 2};
    std::array<std::size_t, 3> best = world;
    double bestScore = -1.0;
    do {
        double score = 0.0;
        for (std::size_t c = 0; c < 3; ++c) {
            score += std::abs(direction[3 * world[c] + c]);
        }
        if (score > bestScore + 1e-12) {
            bestScore = score;
            best = world;
        }
    } while (std::next_permutation(world.begin(), world.end()));
    std::string code;
    for (std::size_t c = 0; c < 3; ++c) {
        code += kTowards[best[c]][direction[3 * best[c] + c] >= 0.0 ? 0 : 1];
    }
    return code;
}

namespace
{
/// Everything of ImageInfo the header holds (the range is left NaN).
ImageInfo readHeader(const std::filesystem::path& path)
{
    const auto io = openImage(path);
    ImageInfo info;
    info.dimensions = io->GetNumberOfDimensions();
    info.components = io->GetNumberOfComponents();
    info.componentType = itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType());
    info.direction = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    for (unsigned a = 0; a < 3; ++a) {
        const bool present = a < info.dimensions;
        info.size[a] = present ? io->GetDimensions(a) : 1;
        info.spacing[a] = present ? io->GetSpacing(a) : 1.0;
        if (present) {
            const std::vector<double> axis = io->GetDirection(a);
            for (unsigned b = 0; b < 3; ++b) {
                info.direction[3 * b + a] = b < axis.size() ? axis[b] : (a == b ? 1.0 : 0.0);
            }
        }
    }
    info.origin = {io->GetOrigin(0), info.dimensions > 1 ? io->GetOrigin(1) : 0.0,
                   info.dimensions > 2 ? io->GetOrigin(2) : 0.0};
    info.orientation = orientationCode(info.direction);
    info.minimum = std::numeric_limits<double>::quiet_NaN();
    info.maximum = std::numeric_limits<double>::quiet_NaN();
    const FileKind kind = kindOf(path);
    info.meta = readMeta(io->GetMetaDataDictionary(), kind, path);
    return info;
}

void setRange(ImageInfo& info, const Volume& volume)
{
    const auto [lo, hi] = std::minmax_element(volume.data().begin(), volume.data().end());
    info.minimum = *lo;
    info.maximum = *hi;
}

/// ImageInfo of a volume in memory (formats whose header is not read apart from the voxels).
ImageInfo infoOf(const Volume& volume, std::string componentType)
{
    const VolumeGrid& g = volume.grid();
    ImageInfo info;
    info.dimensions = g.is2D() ? 2 : 3;
    info.components = 1;
    info.componentType = std::move(componentType);
    info.size = g.size();
    info.spacing = g.spacing();
    info.origin = g.origin();
    info.direction = g.direction();
    info.orientation = orientationCode(info.direction);
    setRange(info, volume);
    info.meta = volume.meta();
    return info;
}

bool isFolderInput(const std::filesystem::path& path)
{
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);
}

Volume readItkVolume(const std::filesystem::path& path);
Volume readFolder(const std::filesystem::path& folder);
} // namespace

VolumeGrid readGrid(const std::filesystem::path& path)
{
    if (isFolderInput(path) || kindOf(path) == FileKind::Raw) {
        return readVolume(path).grid();
    }
    const ImageInfo info = readHeader(path);
    return VolumeGrid::make(info.size, info.spacing, info.origin, info.direction);
}

ImageInfo readImageInfo(const std::filesystem::path& path)
{
    if (isFolderInput(path) || kindOf(path) == FileKind::Raw) {
        return infoOf(readVolume(path), "float");
    }
    ImageInfo info = readHeader(path);
    if (info.components == 1 && (info.dimensions == 2 || info.dimensions == 3)) {
        setRange(info, readVolume(path));
    }
    return info;
}

Volume readVolume(const std::filesystem::path& path)
{
    if (isFolderInput(path)) {
        return readFolder(path);
    }
    if (kindOf(path) == FileKind::Raw) {
        return detail::readRaw(path);
    }
    return readItkVolume(path);
}

namespace
{
Volume readItkVolume(const std::filesystem::path& path)
{
    const auto io = openImage(path);
    if (io->GetNumberOfDimensions() > 3 || io->GetNumberOfDimensions() < 2) {
        throw IoError("cannot read " + path.string() + ": it has " +
                      std::to_string(io->GetNumberOfDimensions()) +
                      " dimensions; a volume has 2 or 3");
    }
    if (io->GetNumberOfComponents() != 1) {
        throw IoError("cannot read " + path.string() + ": it has " +
                      std::to_string(io->GetNumberOfComponents()) + " components per pixel (" +
                      itk::ImageIOBase::GetPixelTypeAsString(io->GetPixelType()) + " of " +
                      itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType()) +
                      "); a volume is scalar (one value per voxel)");
    }
    auto reader = itk::ImageFileReader<Image3>::New();
    reader->SetFileName(path.string());
    try {
        reader->Update();
    } catch (const itk::ExceptionObject& e) {
        throw IoError("cannot read " + path.string() + ": " + e.GetDescription());
    }
    const Image3* image = reader->GetOutput();
    const auto size = image->GetLargestPossibleRegion().GetSize();
    std::array<double, 9> direction{};
    for (unsigned a = 0; a < 3; ++a) {
        for (unsigned b = 0; b < 3; ++b) {
            direction[3 * a + b] = image->GetDirection()(a, b);
        }
    }
    const VolumeGrid grid = VolumeGrid::make(
        {size[0], size[1], size[2]},
        {image->GetSpacing()[0], image->GetSpacing()[1], image->GetSpacing()[2]},
        {image->GetOrigin()[0], image->GetOrigin()[1], image->GetOrigin()[2]}, direction);
    const float* buffer = image->GetBufferPointer();
    Volume volume = Volume::fromData(grid, std::vector<float>(buffer, buffer + grid.voxelCount()));
    const FileKind kind = kindOf(path);
    volume.meta() = readMeta(reader->GetImageIO()->GetMetaDataDictionary(), kind, path);
    return volume;
}
} // namespace

namespace
{
/// A numbered file name pattern ("proj_%04d.tif"): the text around one %d or %0Nd.
struct SeriesPattern
{
    std::string before;
    std::string after;
    std::size_t width = 0; ///< zero-padded to this many digits (0: no padding)

    [[nodiscard]] std::string name(std::size_t n) const
    {
        std::string digits = std::to_string(n);
        if (digits.size() < width) {
            digits.insert(0, width - digits.size(), '0');
        }
        return before + digits + after;
    }
};

bool isSeriesPattern(const std::filesystem::path& path)
{
    return path.filename().string().find('%') != std::string::npos;
}

SeriesPattern parseSeriesPattern(const std::filesystem::path& path)
{
    const std::string name = path.filename().string();
    const std::size_t percent = name.find('%');
    SeriesPattern pattern;
    pattern.before = name.substr(0, percent);
    std::size_t end = percent + 1;
    while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) {
        ++end;
    }
    const std::string width = name.substr(percent + 1, end - percent - 1);
    if (end >= name.size() || name[end] != 'd' || name.find('%', end) != std::string::npos ||
        (!width.empty() && width[0] != '0')) {
        throwInvalid("file name pattern", name,
                     "one %d or %0Nd (N digits, zero-padded), e.g. proj_%04d.tif");
    }
    pattern.width = width.empty() ? 0 : static_cast<std::size_t>(std::stoul(width));
    pattern.after = name.substr(end + 1);
    if (kindOf(pattern.after) != FileKind::Tiff) {
        throwInvalid("file name pattern", name, "a numbered series of .tif or .tiff files");
    }
    return pattern;
}

/// The files of a numbered series that exist, counting from 0 (or from 1 where 0 is absent).
std::vector<std::filesystem::path> seriesFiles(const std::filesystem::path& path)
{
    const SeriesPattern pattern = parseSeriesPattern(path);
    const std::filesystem::path folder = path.parent_path();
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    std::size_t n = std::filesystem::exists(folder / pattern.name(0), ec) ? 0 : 1;
    for (; std::filesystem::exists(folder / pattern.name(n), ec); ++n) {
        files.push_back(folder / pattern.name(n));
    }
    if (files.empty()) {
        throw IoError("cannot read " + path.string() + ": no file " +
                      (folder / pattern.name(0)).string() + " or " +
                      (folder / pattern.name(1)).string());
    }
    return files;
}

/// "a12b" < "a101b": digit runs compare by value, so unpadded numbered files sort in order.
bool naturalLess(const std::string& a, const std::string& b)
{
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() && j < b.size()) {
        const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
        const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
        if (da && db) {
            std::size_t ei = i;
            std::size_t ej = j;
            while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) {
                ++ei;
            }
            while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) {
                ++ej;
            }
            // Compare by value: strip leading zeros, then length, then digits.
            std::string_view x(a.data() + i, ei - i);
            std::string_view y(b.data() + j, ej - j);
            x.remove_prefix(std::min(x.find_first_not_of('0'), x.size()));
            y.remove_prefix(std::min(y.find_first_not_of('0'), y.size()));
            if (x.size() != y.size()) {
                return x.size() < y.size();
            }
            if (x != y) {
                return x < y;
            }
            i = ei;
            j = ej;
        } else {
            if (a[i] != b[j]) {
                return a[i] < b[j];
            }
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

std::vector<std::filesystem::path> tiffFilesIn(const std::filesystem::path& folder)
{
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        if (entry.is_regular_file() && kindOf(entry.path()) == FileKind::Tiff) {
            files.push_back(entry.path());
        }
    }
    std::ranges::sort(files, [](const auto& a, const auto& b) {
        return naturalLess(a.filename().string(), b.filename().string());
    });
    return files;
}

/// A stack of 2D TIFF files, one per slice (view), in the order given; spacing from the first.
Volume readTiffSeries(const std::vector<std::filesystem::path>& files,
                      const std::filesystem::path& source)
{
    registerFactoriesFor(FileKind::Tiff);
    auto reader = itk::ImageSeriesReader<Image3>::New();
    std::vector<std::string> names;
    for (const auto& f : files) {
        names.push_back(f.string());
    }
    reader->SetFileNames(names);
    try {
        reader->Update();
    } catch (const itk::ExceptionObject& e) {
        throw IoError("cannot read the TIFF stack " + source.string() + " (" +
                      std::to_string(files.size()) + " files): " + e.GetDescription());
    }
    const Image3* image = reader->GetOutput();
    const auto size = image->GetLargestPossibleRegion().GetSize();
    const VolumeGrid grid =
        VolumeGrid::make({size[0], size[1], size[2]},
                         {image->GetSpacing()[0], image->GetSpacing()[1], 1.0}, {0.0, 0.0, 0.0});
    const float* buffer = image->GetBufferPointer();
    return Volume::fromData(grid, std::vector<float>(buffer, buffer + grid.voxelCount()));
}

Volume readFolder(const std::filesystem::path& folder)
{
    const std::vector<std::filesystem::path> tiffs = tiffFilesIn(folder);
    if (!tiffs.empty()) {
        return readTiffSeries(tiffs, folder);
    }
    return readDicomSeries(folder);
}

/// The projection stack as an image (u, v, view), see writeProjections.
Volume projectionImage(const ProjectionStack& projections, const ImageMeta& meta)
{
    const Detector& d = projections.geometry().detector();
    // u and v are physical coordinates on the detector with 0 at the centre of the pixel grid
    // (RTK's centred projections; the detector offset lives in the geometry), views count 0, 1, ...
    const VolumeGrid grid = VolumeGrid::make(
        {projections.columns(), projections.rows(), projections.views()}, {d.pixelU, d.pixelV, 1.0},
        {-0.5 * (static_cast<double>(projections.columns()) - 1.0) * d.pixelU,
         -0.5 * (static_cast<double>(projections.rows()) - 1.0) * d.pixelV, 0.0});
    const std::span<const float> data = projections.data();
    Volume image = Volume::fromData(grid, std::vector<float>(data.begin(), data.end()));
    image.meta() = meta;
    if (image.meta().unit == ValueUnit::Unknown) {
        image.meta().unit = ValueUnit::LineIntegral;
    }
    if (image.meta().subtype.empty()) {
        image.meta().subtype = "projections";
    }
    // Compact: one line of JSON.
    image.meta().dictionary.try_emplace(
        "tomoscope_geometry", nlohmann::json::parse(geometryToJson(projections.geometry())).dump());
    return image;
}
} // namespace

void writeProjections(const ProjectionStack& projections, const std::filesystem::path& path,
                      const ImageMeta& meta)
{
    const Volume image = projectionImage(projections, meta);
    if (!isSeriesPattern(path)) {
        if (kindOf(path) == FileKind::Tiff) {
            writeItk<Image3>(toItk(image), path, {}); // one multi-page file, a page per view
            return;
        }
        writeVolume(image, path);
        return;
    }
    const SeriesPattern pattern = parseSeriesPattern(path);
    registerFactoriesFor(kindOf(pattern.after));
    detail::writeFilesAtomically(path, [&](const std::filesystem::path& temporary) {
        using Image2 = itk::Image<float, 2>;
        auto writer = itk::ImageSeriesWriter<Image3, Image2>::New();
        writer->SetInput(toItk(image));
        std::vector<std::string> names;
        for (std::size_t view = 0; view < projections.views(); ++view) {
            names.push_back((temporary.parent_path() / pattern.name(view)).string());
        }
        writer->SetFileNames(names);
        try {
            writer->Update();
        } catch (const itk::ExceptionObject& e) {
            throw IoError("cannot write " + path.string() + ": " + e.GetDescription());
        }
    });
}

ProjectionStack readProjections(const std::filesystem::path& path, const Geometry& geometry)
{
    Volume image =
        isSeriesPattern(path) ? readTiffSeries(seriesFiles(path), path) : readVolume(path);
    const auto& size = image.grid().size();
    const Detector& d = geometry.detector();
    if (size[0] != d.columns || size[1] != d.rows || size[2] != geometry.viewCount()) {
        throwInvalid("projections " + path.string(),
                     std::to_string(size[0]) + " x " + std::to_string(size[1]) + " x " +
                         std::to_string(size[2]),
                     "the geometry needs columns x rows x views = " + std::to_string(d.columns) +
                         " x " + std::to_string(d.rows) + " x " +
                         std::to_string(geometry.viewCount()));
    }
    return ProjectionStack::fromData(geometry, std::move(image).takeData());
}

void writePng(const Volume& volume, std::size_t k, double low, double high,
              const std::filesystem::path& path, bool yUp)
{
    const auto [nx, ny, nz] = volume.grid().size();
    if (k >= nz) {
        throwInvalid("slice", std::to_string(k), "must be < nz = " + std::to_string(nz));
    }
    if (!(high > low)) {
        throwInvalid("window", "[" + formatValue(low) + ", " + formatValue(high) + "]",
                     "needs high > low");
    }
    PngImage::Pointer image = PngImage::New();
    PngImage::RegionType region;
    region.SetSize(0, nx);
    region.SetSize(1, ny);
    image->SetRegions(region);
    image->Allocate();
    unsigned char* out = image->GetBufferPointer();
    const double scale = 255.0 / (high - low);
    for (std::size_t j = 0; j < ny; ++j) {
        // PNG rows run top to bottom; with yUp the last volume row is the top picture row.
        const std::size_t row = yUp ? ny - 1 - j : j;
        for (std::size_t i = 0; i < nx; ++i) {
            const double v = (static_cast<double>(volume.at(i, j, k)) - low) * scale;
            out[i + nx * row] = static_cast<unsigned char>(std::lround(std::clamp(v, 0.0, 255.0)));
        }
    }
    writeItk<PngImage>(image, path, {});
}

namespace
{
using RgbPngImage = itk::Image<itk::RGBPixel<unsigned char>, 2>;
} // namespace

void writeRgbPng(const RgbPixels& pixels, const std::filesystem::path& path)
{
    if (pixels.width == 0 || pixels.height == 0 ||
        pixels.rgb.size() != pixels.width * pixels.height * 3) {
        throwInvalid("RGB picture for " + path.string(),
                     std::to_string(pixels.width) + " x " + std::to_string(pixels.height) +
                         " with " + std::to_string(pixels.rgb.size()) + " bytes",
                     "a positive size and width * height * 3 bytes");
    }
    if (kindOf(path) != FileKind::Png) {
        throw IoError("cannot write " + path.string() + ": an RGB picture is written as .png");
    }
    RgbPngImage::Pointer image = RgbPngImage::New();
    RgbPngImage::RegionType region;
    region.SetSize(0, pixels.width);
    region.SetSize(1, pixels.height);
    image->SetRegions(region);
    image->Allocate();
    std::copy(pixels.rgb.begin(), pixels.rgb.end(),
              reinterpret_cast<unsigned char*>(image->GetBufferPointer()));
    writeItk<RgbPngImage>(image, path, {});
}

RgbPixels readRgbPng(const std::filesystem::path& path)
{
    registerFactories();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw IoError("cannot read " + path.string() + ": no such file");
    }
    if (kindOf(path) != FileKind::Png) {
        throw IoError("cannot read " + path.string() + ": not a .png file");
    }
    auto reader = itk::ImageFileReader<RgbPngImage>::New();
    reader->SetFileName(path.string());
    try {
        reader->Update();
    } catch (const itk::ExceptionObject& e) {
        throw IoError("cannot read " + path.string() + ": " + e.GetDescription());
    }
    const RgbPngImage* image = reader->GetOutput();
    const auto size = image->GetLargestPossibleRegion().GetSize();
    RgbPixels out;
    out.width = size[0];
    out.height = size[1];
    const auto* first = reinterpret_cast<const std::uint8_t*>(image->GetBufferPointer());
    out.rgb.assign(first, first + out.width * out.height * 3);
    return out;
}
} // namespace tomo
