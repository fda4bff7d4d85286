// The only translation unit of the core that includes ITK (DESIGN.md §3).
#include "common/atomic_file.h"
#include "io/itk_image.h"
#include "tomo/error.h"
#include "tomo/io.h"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImageIOFactory.h>
#include <itkMetaImageIOFactory.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIOFactory.h>
#include <itkPNGImageIOFactory.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

namespace tomo
{
namespace
{
using Image3 = detail::ItkImage3;
using Png = itk::Image<unsigned char, 2>;

// Registered explicitly, once, rather than through ITK's CMake-generated factory manager, so the
// core works the same when linked into any executable.
void registerFactories()
{
    static std::once_flag once;
    std::call_once(once, [] {
        itk::NiftiImageIOFactory::RegisterOneFactory();
        itk::MetaImageIOFactory::RegisterOneFactory();
        itk::NrrdImageIOFactory::RegisterOneFactory();
        itk::PNGImageIOFactory::RegisterOneFactory();
    });
}

void checkWritableExtension(const std::filesystem::path& path)
{
    registerFactories();
    const auto io = itk::ImageIOFactory::CreateImageIO(path.string().c_str(),
                                                       itk::CommonEnums::IOFileMode::WriteMode);
    if (!io) {
        throw IoError("cannot write " + path.string() +
                      ": unknown image format; accepted extensions: .nii, .nii.gz, .mha, .mhd, "
                      ".nrrd, .nhdr, .png");
    }
}

using detail::toItk;

template <class ImageT>
void writeItk(const typename ImageT::Pointer& image, const std::filesystem::path& path)
{
    checkWritableExtension(path);
    detail::writeAtomically(path, [&](const std::filesystem::path& temporary) {
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
    });
}
} // namespace

void writeVolume(const Volume& volume, const std::filesystem::path& path)
{
    writeItk<Image3>(toItk(volume), path);
}

namespace
{
/// The ImageIO of a readable image file with its header read. Throws IoError naming the path.
itk::ImageIOBase::Pointer openImage(const std::filesystem::path& path)
{
    registerFactories();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw IoError("cannot read " + path.string() + ": no such file");
    }
    const auto io = itk::ImageIOFactory::CreateImageIO(path.string().c_str(),
                                                       itk::CommonEnums::IOFileMode::ReadMode);
    if (!io) {
        throw IoError("cannot read " + path.string() +
                      ": not an image format Tomoscope reads (NIfTI, MetaImage, NRRD, PNG)");
    }
    try {
        io->SetFileName(path.string());
        io->ReadImageInformation();
    } catch (const itk::ExceptionObject& e) {
        throw IoError("cannot read " + path.string() + ": " + e.GetDescription());
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
    return info;
}
} // namespace

VolumeGrid readGrid(const std::filesystem::path& path)
{
    const ImageInfo info = readHeader(path);
    return VolumeGrid::make(info.size, info.spacing, info.origin, info.direction);
}

ImageInfo readImageInfo(const std::filesystem::path& path)
{
    ImageInfo info = readHeader(path);
    if (info.components == 1 && (info.dimensions == 2 || info.dimensions == 3)) {
        const Volume volume = readVolume(path);
        const auto [lo, hi] = std::minmax_element(volume.data().begin(), volume.data().end());
        info.minimum = *lo;
        info.maximum = *hi;
    }
    return info;
}

Volume readVolume(const std::filesystem::path& path)
{
    const auto io = openImage(path);
    if (io->GetNumberOfDimensions() > 3 || io->GetNumberOfDimensions() < 2) {
        throw IoError("cannot read " + path.string() + ": it has " +
                      std::to_string(io->GetNumberOfDimensions()) +
                      " dimensions; a volume has 2 or 3");
    }
    if (io->GetNumberOfComponents() != 1) {
        throw IoError("cannot read " + path.string() + ": it has " +
                      std::to_string(io->GetNumberOfComponents()) +
                      " components per pixel; a volume is scalar");
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
    return Volume::fromData(grid, std::vector<float>(buffer, buffer + grid.voxelCount()));
}

void writeProjections(const ProjectionStack& projections, const std::filesystem::path& path)
{
    const Detector& d = projections.geometry().detector();
    // u and v are physical coordinates on the detector with 0 at the centre of the pixel grid
    // (RTK's centred projections; the detector offset lives in the geometry), views count 0, 1, ...
    const VolumeGrid grid = VolumeGrid::make(
        {projections.columns(), projections.rows(), projections.views()}, {d.pixelU, d.pixelV, 1.0},
        {-0.5 * (static_cast<double>(projections.columns()) - 1.0) * d.pixelU,
         -0.5 * (static_cast<double>(projections.rows()) - 1.0) * d.pixelV, 0.0});
    const std::span<const float> data = projections.data();
    writeVolume(Volume::fromData(grid, std::vector<float>(data.begin(), data.end())), path);
}

ProjectionStack readProjections(const std::filesystem::path& path, const Geometry& geometry)
{
    Volume image = readVolume(path);
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
    Png::Pointer image = Png::New();
    Png::RegionType region;
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
    writeItk<Png>(image, path);
}
} // namespace tomo
