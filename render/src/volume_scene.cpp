#include "tomo/render/volume_scene.h"

#include "offscreen.h"
#include "tomo/recon.h"

#include <vtkCamera.h>
#include <vtkColorTransferFunction.h>
#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPointData.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkSmartVolumeMapper.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <span>
#include <string>

namespace tomo::render
{
namespace
{
/// The dictionary key under which convertToHu/convertToMu and reconstructions record μ of water.
constexpr std::string_view kMuWaterKey = "tomoscope_mu_water_per_mm";

// Values of a volume without HU (unit Unknown, LineIntegral, Counts) are read as pseudo-HU:
// the minimum as air and the maximum as dense bone, so the HU presets show something sensible.
constexpr double kAirHu = -1000.0;
constexpr double kUnknownMaximumHu = 1000.0;

// Opacities are per "opacity unit", 1/kOpacityUnitsAcrossBox of the volume box's diagonal (not
// per mm): a mouse scanned at 20 µm and a torso at 1 mm look alike. 100 units ≈ a 64–128 voxel
// preview grid's diagonal, so the numbers below read as VTK examples' per-voxel opacities.
constexpr double kOpacityUnitsAcrossBox = 100.0;
// Ray samples per smallest voxel spacing. Two for the unshaded presets: a MIP must not step
// over the peak of a one-voxel-thin shell (the Shepp–Logan skull), and 128³ at 400² renders in
// ~0.4 s (MIP) to ~0.8 s (μ greyscale) on llvmpipe. One for the shaded ones: each shaded sample
// also reads a gradient (six more texture reads), and at two samples 128³ took over 2 s on a
// loaded two-core llvmpipe; surfaces look the same.
constexpr double kSamplesPerVoxel = 2.0;
constexpr double kShadedSamplesPerVoxel = 1.0;
// Camera: the same oblique direction and framing as TrajectoryScene.
constexpr double kCameraZoom = 1.3;
constexpr double kCameraViewAngleDeg = 30.0;
// Lighting of the shaded (HU) presets: enough ambient light that surfaces turned away from the
// headlight keep their colour; a little specular for depth.
constexpr double kAmbient = 0.3;
constexpr double kDiffuse = 0.7;
constexpr double kSpecular = 0.2;
constexpr double kSpecularPower = 10.0;

struct ColourPoint
{
    double hu = 0.0;
    double r = 0.0;
    double g = 0.0;
    double b = 0.0;
};

struct OpacityPoint
{
    double hu = 0.0;
    double opacity = 0.0;
};

// CT bone: transparent below kBoneStartHu (soft tissue and water, ≤ ~100 HU, and contrast
// noise), dark red at the edge of cancellous bone, ivory for cortical bone (≥ ~700 HU).
constexpr double kBoneStartHu = 150.0;
constexpr std::array<ColourPoint, 3> kBoneColours{{
    {kBoneStartHu, 0.55, 0.25, 0.15},
    {400.0, 0.90, 0.80, 0.55},
    {1000.0, 1.00, 0.98, 0.90},
}};
constexpr std::array<OpacityPoint, 3> kBoneOpacities{{
    {kBoneStartHu, 0.0},
    {400.0, 0.45}, // cancellous bone: a visible but translucent shell
    {1000.0, 0.9}, // cortical bone: an opaque surface within a few units
}};

// Soft tissue: air and lung (≤ −500 HU) transparent, fat (~ −100 HU) a faint yellow veil,
// water/muscle (0–60 HU) translucent red so the skin reads as a surface and organs show through,
// bone (≥ 300 HU) white and denser so the skeleton stands out inside.
constexpr std::array<ColourPoint, 5> kSoftColours{{
    {-500.0, 0.50, 0.30, 0.20},
    {-100.0, 0.90, 0.75, 0.45},
    {40.0, 0.85, 0.40, 0.35},
    {300.0, 0.95, 0.90, 0.85},
    {1000.0, 1.00, 1.00, 1.00},
}};
constexpr std::array<OpacityPoint, 5> kSoftOpacities{{
    {-500.0, 0.0},
    {-100.0, 0.02},
    {40.0, 0.06},
    {300.0, 0.3},
    {1000.0, 0.6},
}};

// μ greyscale: the opacity at the top of the range, ramping linearly from 0 at the bottom. Low
// enough that a head-sized object of mid values stays partly transparent over ~50 units.
constexpr double kMuGreyMaxOpacity = 0.1;
// MIP: the maximum along each ray is shown with opacity rising from 0 (bottom of the range,
// the background) to 1 (top), so air stays the scene background.
constexpr double kMipMaxOpacity = 1.0;

/// Maps HU to the volume's values: value = offset + slope·HU.
struct HuScale
{
    double offset = 0.0;
    double slope = 1.0;
    [[nodiscard]] double value(double hu) const { return offset + slope * hu; }
};

double muWaterOf(const Volume& volume)
{
    const auto& dictionary = volume.meta().dictionary;
    if (const auto it = dictionary.find(std::string(kMuWaterKey)); it != dictionary.end()) {
        const std::string& text = it->second;
        double mu = 0.0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), mu);
        if (error == std::errc() && std::isfinite(mu) && mu > 0.0) {
            return mu;
        }
    }
    return kWaterMuAt70keV;
}

HuScale huScaleOf(const Volume& volume, Window range)
{
    switch (volume.meta().unit) {
    case ValueUnit::Hu:
        return {};
    case ValueUnit::MuPerMm: {
        const double muWater = muWaterOf(volume);
        return {.offset = muWater, .slope = muWater / 1000.0};
    }
    case ValueUnit::Unknown:
    case ValueUnit::LineIntegral:
    case ValueUnit::Counts:
        break;
    }
    const double slope = (static_cast<double>(range.high) - static_cast<double>(range.low)) /
                         (kUnknownMaximumHu - kAirHu);
    return {.offset = static_cast<double>(range.low) - kAirHu * slope, .slope = slope};
}

/// Corner `k` (bits: i, j, k high) of the box of the grid's voxels (outer faces), world mm.
Vec3 boxCorner(const VolumeGrid& grid, unsigned k)
{
    const auto& n = grid.size();
    const double i = (k & 1U) != 0 ? static_cast<double>(n[0]) - 0.5 : -0.5;
    const double j = (k & 2U) != 0 ? static_cast<double>(n[1]) - 0.5 : -0.5;
    const double z = (k & 4U) != 0 ? static_cast<double>(n[2]) - 0.5 : -0.5;
    return grid.voxelCentre(i, j, z);
}
} // namespace

std::string_view toString(VolumePreset preset)
{
    switch (preset) {
    case VolumePreset::CtBone:
        return "ct-bone";
    case VolumePreset::SoftTissue:
        return "soft-tissue";
    case VolumePreset::Mip:
        return "mip";
    case VolumePreset::MuGrey:
        return "mu-grey";
    }
    return "mu-grey";
}

std::optional<VolumePreset> parseVolumePreset(std::string_view text)
{
    for (VolumePreset p : {VolumePreset::CtBone, VolumePreset::SoftTissue, VolumePreset::Mip,
                           VolumePreset::MuGrey}) {
        if (text == toString(p)) {
            return p;
        }
    }
    return std::nullopt;
}

struct VolumeScene::Impl
{
    std::shared_ptr<const Volume> volume;
    /// The grid the image data and the user matrix describe (none without a volume).
    std::optional<VolumeGrid> grid;
    VolumePreset preset;
    /// Finite value range of the volume.
    Window range;
    /// What the scalars point at without a volume, so VTK never holds a dangling pointer.
    std::array<float, 1> emptyVoxel{0.0F};

    vtkNew<vtkRenderer> renderer;
    vtkNew<vtkImageData> image;
    vtkNew<vtkFloatArray> scalars;
    vtkNew<vtkSmartVolumeMapper> mapper;
    vtkNew<vtkColorTransferFunction> colours;
    vtkNew<vtkPiecewiseFunction> opacities;
    vtkNew<vtkVolumeProperty> property;
    vtkNew<vtkMatrix4x4> placement;
    vtkNew<vtkVolume> prop;

    vtkSmartPointer<vtkRenderWindow> offscreen;

    explicit Impl(VolumePreset p) : preset(p)
    {
        detail::setBackground(renderer);
        scalars->SetName("values");
        scalars->SetNumberOfComponents(1);
        scalars->SetArray(emptyVoxel.data(), 1, 1);
        image->SetDimensions(1, 1, 1);
        image->SetOrigin(0.0, 0.0, 0.0);
        image->GetPointData()->SetScalars(scalars);

        mapper->SetInputData(image);
        mapper->SetRequestedRenderModeToDefault();
        // A fixed sample distance: the same picture every time (golden tests), no coarser
        // sampling while interacting (which a preview of this size does not need).
        mapper->InteractiveAdjustSampleDistancesOff();
        mapper->AutoAdjustSampleDistancesOff();

        property->SetColor(colours);
        property->SetScalarOpacity(opacities);
        property->SetInterpolationTypeToLinear();
        property->SetAmbient(kAmbient);
        property->SetDiffuse(kDiffuse);
        property->SetSpecular(kSpecular);
        property->SetSpecularPower(kSpecularPower);

        prop->SetMapper(mapper);
        prop->SetProperty(property);
        prop->SetUserMatrix(placement);
        prop->VisibilityOff();
        renderer->AddVolume(prop);
    }

    ~Impl() { detail::releaseOffscreen(offscreen, {renderer.Get()}); }

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    void setVolume(std::shared_ptr<const Volume> next)
    {
        const bool first = volume == nullptr;
        if (!next) {
            scalars->SetArray(emptyVoxel.data(), 1, 1);
            scalars->Modified();
            image->SetDimensions(1, 1, 1);
            image->Modified();
            grid.reset();
            prop->VisibilityOff();
            volume = nullptr;
            return;
        }
        // VTK's arrays are mutable in type only: the mapper reads the voxels, and save = 1 tells
        // VTK never to free them. `next` (kept below) holds them alive.
        std::span<const float> data = next->data();
        scalars->SetArray(const_cast<float*>(data.data()), static_cast<vtkIdType>(data.size()), 1);
        scalars->Modified();
        if (!grid || *grid != next->grid()) {
            setGrid(next->grid());
        }
        image->Modified();
        // Only now is the previous snapshot let go: VTK no longer points at it.
        volume = std::move(next);
        range = autoWindow(volume->data());
        applyPreset();
        prop->VisibilityOn();
        if (first) {
            resetCamera();
        }
    }

    void setGrid(const VolumeGrid& g)
    {
        const auto& n = g.size();
        const auto& s = g.spacing();
        image->SetDimensions(static_cast<int>(n[0]), static_cast<int>(n[1]),
                             static_cast<int>(n[2]));
        image->SetSpacing(s[0], s[1], s[2]);
        // World = direction · (index · spacing) + origin: the image gives index · spacing, the
        // vtkVolume's user matrix the rest. Every back end of vtkSmartVolumeMapper (GPU and CPU
        // ray casting) has honoured a prop's matrix since long before vtkImageData had a
        // direction matrix (VTK 9.0), so the image's own direction stays identity.
        const auto& d = g.direction();
        const Vec3 o = g.origin();
        const std::array<double, 16> m{d[0], d[1], d[2], o.x, d[3], d[4], d[5], o.y,
                                       d[6], d[7], d[8], o.z, 0.0,  0.0,  0.0,  1.0};
        placement->DeepCopy(m.data());
        prop->Modified();
        double diagonal = 0.0;
        for (std::size_t a = 0; a < 3; ++a) {
            diagonal += std::pow(static_cast<double>(n[a]) * s[a], 2);
        }
        property->SetScalarOpacityUnitDistance(std::sqrt(diagonal) / kOpacityUnitsAcrossBox);
        grid = g;
        setSampleDistance();
    }

    void setSampleDistance()
    {
        if (!grid) {
            return;
        }
        const auto& s = grid->spacing();
        const bool shaded = preset == VolumePreset::CtBone || preset == VolumePreset::SoftTissue;
        mapper->SetSampleDistance(static_cast<float>(
            std::min({s[0], s[1], s[2]}) / (shaded ? kShadedSamplesPerVoxel : kSamplesPerVoxel)));
    }

    void applyPreset()
    {
        setSampleDistance();
        colours->RemoveAllPoints();
        opacities->RemoveAllPoints();
        const double low = range.low;
        const double high = range.high;
        switch (preset) {
        case VolumePreset::CtBone:
        case VolumePreset::SoftTissue: {
            const HuScale scale = volume ? huScaleOf(*volume, range) : HuScale{};
            const bool bone = preset == VolumePreset::CtBone;
            const std::span<const ColourPoint> cs =
                bone ? std::span<const ColourPoint>(kBoneColours)
                     : std::span<const ColourPoint>(kSoftColours);
            const std::span<const OpacityPoint> os =
                bone ? std::span<const OpacityPoint>(kBoneOpacities)
                     : std::span<const OpacityPoint>(kSoftOpacities);
            for (const ColourPoint& c : cs) {
                colours->AddRGBPoint(scale.value(c.hu), c.r, c.g, c.b);
            }
            for (const OpacityPoint& o : os) {
                opacities->AddPoint(scale.value(o.hu), o.opacity);
            }
            mapper->SetBlendModeToComposite();
            property->ShadeOn();
            break;
        }
        case VolumePreset::Mip:
            colours->AddRGBPoint(low, 0.0, 0.0, 0.0);
            colours->AddRGBPoint(high, 1.0, 1.0, 1.0);
            opacities->AddPoint(low, 0.0);
            opacities->AddPoint(high, kMipMaxOpacity);
            mapper->SetBlendModeToMaximumIntensity();
            property->ShadeOff();
            break;
        case VolumePreset::MuGrey:
            colours->AddRGBPoint(low, 0.0, 0.0, 0.0);
            colours->AddRGBPoint(high, 1.0, 1.0, 1.0);
            opacities->AddPoint(low, 0.0);
            opacities->AddPoint(high, kMuGreyMaxOpacity);
            mapper->SetBlendModeToComposite();
            property->ShadeOff();
            break;
        }
    }

    void resetCamera()
    {
        // Oblique, from the -y side and above, +z up (TrajectoryScene's view).
        constexpr Vec3 kDirection{0.45, -0.75, 0.6};
        const Vec3 dir = (1.0 / norm(kDirection)) * kDirection;
        std::array<double, 6> bounds{-1.0, 1.0, -1.0, 1.0, -1.0, 1.0};
        if (grid) {
            constexpr double inf = std::numeric_limits<double>::infinity();
            bounds = {inf, -inf, inf, -inf, inf, -inf};
            for (unsigned k = 0; k < 8; ++k) {
                const Vec3 c = boxCorner(*grid, k);
                const std::array<double, 3> xyz{c.x, c.y, c.z};
                for (std::size_t a = 0; a < 3; ++a) {
                    bounds[2 * a] = std::min(bounds[2 * a], xyz[a]);
                    bounds[2 * a + 1] = std::max(bounds[2 * a + 1], xyz[a]);
                }
            }
        }
        const Vec3 centre{0.5 * (bounds[0] + bounds[1]), 0.5 * (bounds[2] + bounds[3]),
                          0.5 * (bounds[4] + bounds[5])};
        vtkCamera* camera = renderer->GetActiveCamera();
        camera->SetFocalPoint(centre.x, centre.y, centre.z);
        camera->SetPosition(centre.x + dir.x, centre.y + dir.y, centre.z + dir.z);
        camera->SetViewUp(0.0, 0.0, 1.0);
        camera->SetViewAngle(kCameraViewAngleDeg);
        // Fits the bounding sphere of the box; the zoom takes back part of the margin a sphere
        // leaves around a box.
        renderer->ResetCamera(bounds.data());
        camera->Zoom(kCameraZoom);
        renderer->ResetCameraClippingRange(bounds.data());
    }
};

VolumeScene::VolumeScene(std::shared_ptr<const Volume> volume, VolumePreset preset)
    : m_impl(std::make_unique<Impl>(preset))
{
    m_impl->applyPreset();
    m_impl->setVolume(std::move(volume));
    m_impl->resetCamera();
}

VolumeScene::~VolumeScene() = default;

void VolumeScene::setVolume(std::shared_ptr<const Volume> volume)
{
    m_impl->setVolume(std::move(volume));
}

const std::shared_ptr<const Volume>& VolumeScene::volume() const
{
    return m_impl->volume;
}

void VolumeScene::setPreset(VolumePreset preset)
{
    m_impl->preset = preset;
    m_impl->applyPreset();
}

VolumePreset VolumeScene::preset() const
{
    return m_impl->preset;
}

void VolumeScene::resetCamera()
{
    m_impl->resetCamera();
}

vtkRenderer* VolumeScene::renderer() const
{
    return m_impl->renderer;
}

RgbImage VolumeScene::renderOffscreen(int width, int height)
{
    return detail::renderOffscreen(m_impl->offscreen, {m_impl->renderer.Get()}, width, height,
                                   "VolumeScene");
}
} // namespace tomo::render
