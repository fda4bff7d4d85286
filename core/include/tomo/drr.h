#pragma once

#include "tomo/compute.h"
#include "tomo/geometry.h"
#include "tomo/run_context.h"
#include "tomo/volume.h"

#include <cstddef>
#include <filesystem>
#include <numbers>
#include <optional>

namespace tomo
{
/// View angle (radians) of an anterior-posterior DRR: the source in front of the patient (−y in
/// the LPS world frame), the detector behind.
inline constexpr double kDrrApAngle = 0.0;
/// View angle (radians) of a left lateral DRR: the source on the patient's right (−x), the
/// detector at the patient's left.
inline constexpr double kDrrLateralAngle = -std::numbers::pi / 2.0;

/// The largest detector side (pixels) computeDrr makes, given or derived: a limit against a
/// typo (a pixel of 0.001 mm) asking for gigabytes.
inline constexpr std::size_t kMaxDrrPixels = 16384;

/// How computeDrr sees a volume: one cone-beam view of the circular reference trajectory
/// (DESIGN.md §4) about an isocentre in the volume.
struct DrrOptions
{
    /// θ, radians, counter-clockwise about the world z axis seen from +z: the source sits at
    /// isocentre + R_z(θ)·(0, −SID, 0), the detector centre at isocentre + R_z(θ)·(0, SDD − SID,
    /// 0), its columns along û = R_z(θ)·(1, 0, 0) and its rows along v̂ = +z. kDrrApAngle and
    /// kDrrLateralAngle name the usual views.
    double angle = kDrrApAngle;
    double sourceIsocentreMm = 1000.0; ///< SID, mm
    double sourceDetectorMm = 1500.0;  ///< SDD, mm (> SID)
    double pixelMm = 1.0;              ///< detector pixel size (square), mm at the detector
    /// Detector columns (u) and rows (v); 0 sizes that axis to the volume's whole shadow (of
    /// its box grown by the half voxel beyond the outer faces that the projector's
    /// interpolation reaches) with a pixel to spare on each side.
    std::size_t columns = 0;
    std::size_t rows = 0;
    /// Effective photon energy (keV) at which HU become μ (through μ of water, waterMuPerMm);
    /// unused for a volume in mm⁻¹.
    double energyKeV = 70.0;
    /// The point the view turns about, world mm; default: the centre of the volume's box
    /// (gridCentre).
    std::optional<Vec3> isocentreMm;
    /// Write the transmission exp(−∫μ dl) instead of the line integral ∫μ dl.
    bool transmission = false;

    /// Throws InvalidArgument naming the first field out of range (as angle, sid_mm, sdd_mm,
    /// pixel_mm, columns, rows, energy_kev, isocentre_mm): a non-finite angle, SID not finite
    /// and > 0, SDD not finite and > SID, a pixel not finite and > 0, columns or rows above
    /// kMaxDrrPixels, an energy outside 1..1000 keV, a non-finite isocentre.
    void validate() const;
};

/// The one-view cone-beam Geometry computeDrr projects `grid` with: a flat detector of
/// `options.pixelMm` pixels centred on the ray through the isocentre, sized as DrrOptions
/// says. Throws InvalidArgument as DrrOptions::validate, naming sid_mm when the source lies
/// inside or behind the volume's box (the volume must be entirely in front of it), and naming
/// pixel_mm when a size left at 0 would need more than kMaxDrrPixels pixels.
[[nodiscard]] Geometry drrGeometry(const VolumeGrid& grid, const DrrOptions& options);

/// A digitally reconstructed radiograph of `volume`: the line integrals ∫μ dl (or, with
/// `options.transmission`, exp(−∫μ dl)) from the source to every detector pixel of
/// drrGeometry(volume.grid(), options), through the Joseph forward projector of `compute`.
///
/// Values: the volume's meta().unit says what they are. Hounsfield units become
/// μ = μ_water(E)·(1 + HU/1000) (convertToMu, μ_water from waterMuPerMm at options.energyKeV);
/// μ in mm⁻¹ is taken as it is. Negative μ (HU below −1000: scanner padding of −1024 or −3024,
/// noise in air) counts as air, 0. Outside the volume is air.
///
/// The image: a 2D Volume (nz = 1) of detector columns × rows, spacing (pixel, pixel, pixel) mm,
/// origin (−(nu−1)/2·pixel, −(nv−1)/2·pixel, 0) so that x and y are mm on the detector from its
/// centre (as writeProjections centres projections), identity direction. Image x is the
/// detector's u, image y its v = +z: the image is seen from the source (the beam's eye view)
/// with the patient's head at high y, which writePng (yUp) puts at the top. In AP image +x is
/// the patient's left (+x of LPS), the radiographic display convention; in the left lateral
/// (kDrrLateralAngle) û = −y, so image +x is anterior (the patient faces right). A PA view
/// (θ = π) is seen from behind: mirror it to compare with a PA film hung the usual way.
/// meta(): unit LineIntegral (Unknown for transmission), subtype "drr", kAlgorithm "drr",
/// kParameters (view angle in degrees, SID, SDD, pixel, energy, isocentre, values) and the
/// geometry as "tomoscope_geometry" (geometryToJson).
///
/// A volume with direction cosines M ≠ I is projected exactly, without resampling: the axis-aligned
/// grid of origin Mᵀ·o is projected with every pose turned by Mᵀ, which keeps each ray's path
/// through the voxels.
///
/// Throws InvalidArgument naming the field for bad options (drrGeometry), a volume whose unit
/// is LineIntegral or Unknown (state HU or mu_per_mm), a 2D volume (nz = 1); DeviceError as the
/// projector does; Cancelled when ctx is cancelled.
///
/// \test DrrTest (tests/core/drr_test.cpp), OpenClDrr (tests/ocl/drr_cl_test.cpp)
[[nodiscard]] Volume computeDrr(const Volume& volume, const DrrOptions& options,
                                ComputeContext& compute, RunContext& ctx);

/// How alike a DRR and an X-ray image are, pixel by pixel.
struct ImageComparison
{
    /// Mean absolute difference of the two images each normalised to zero mean and unit
    /// (population) standard deviation: 0 for images equal up to brightness and contrast
    /// (b = s·a + c with s > 0), 2·mean|a − ā|/σ_a for a negated image; dimensionless.
    /// Normalising first makes it independent of the X-ray's grey scale (an 8-bit picture,
    /// counts, a windowed PNG).
    double l1 = 0.0;
    /// Normalised cross-correlation Σ(a−ā)(b−b̄) / √(Σ(a−ā)² Σ(b−b̄)²), in [−1, 1]: 1 for a
    /// positive affine relation, −1 for a negated image (a transmission image against line
    /// integrals).
    double ncc = 0.0;
};

/// Compares `drr` with `xray` pixel for pixel (same index, whatever the grids' spacing or
/// origin). Throws InvalidArgument naming both sizes when their sizes differ, naming the image
/// when one holds a non-finite value or is constant (no contrast to correlate).
[[nodiscard]] ImageComparison compareImages(const Volume& drr, const Volume& xray);

/// An X-ray image for compareImages, read with readVolume (any 2D image it reads; 8- and
/// 16-bit grey PNG included). A PNG, whose first row is the picture's top, is turned upside
/// down so that its rows run bottom to top as computeDrr's do (writePng with yUp writes them
/// back the same way); every other format is taken as its index order says. Throws IoError as
/// readVolume, InvalidArgument naming the path when the image is not 2D.
[[nodiscard]] Volume readXrayImage(const std::filesystem::path& path);
} // namespace tomo
