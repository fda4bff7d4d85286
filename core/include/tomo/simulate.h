#pragma once

#include "tomo/compute.h"
#include "tomo/materials.h"
#include "tomo/phantom.h"
#include "tomo/projections.h"
#include "tomo/run_context.h"
#include "tomo/spectrum.h"
#include "tomo/vec3.h"
#include "tomo/volume.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tomo
{
/// How the detector turns photons into a signal.
enum class DetectorMode
{
    Ideal,       ///< every photon counted once, whatever its energy
    Counting,    ///< photons absorbed in the scintillator (efficiency η(E)) counted once
    Integrating, ///< absorbed photons weighted by their energy (an energy-integrating panel)
};
[[nodiscard]] std::string_view toString(DetectorMode mode);
/// Parses "ideal", "counting", "integrating"; throws InvalidArgument naming `field`.
[[nodiscard]] DetectorMode parseDetectorMode(std::string_view text,
                                             std::string_view field = "detector.mode");

struct DetectorResponse
{
    DetectorMode mode = DetectorMode::Ideal;
    /// Absorbing layer: η(E) = 1 − exp(−μ(E)·thickness) (counting and integrating modes).
    Material scintillator{"caesium-iodide", "Cesium Iodide", 4.51};
    double thicknessMm = 0.6;
    double blurSigmaPx = 0.0; ///< Gaussian light spread in the scintillator, pixels

    friend bool operator==(const DetectorResponse&, const DetectorResponse&) = default;
};

/// Scatter by convolution kernels (after Ohnesorge et al. 1999 and Star-Lack et al. 2009): each
/// pixel's pencil beam scatters in proportion to p·e^(−p) (p its line integral: no object, no
/// scatter; a thick one absorbs its own), spread on the detector by a wide Gaussian of
/// `sigmaMm`; the amplitude is set so that over the object's shadow (p > 0.05) the scatter sums
/// to `spr` times the primary.
struct ScatterSpec
{
    double spr = 0.0;      ///< scatter-to-primary ratio over the shadow; 0: no scatter
    double sigmaMm = 40.0; ///< kernel width on the detector

    friend bool operator==(const ScatterSpec&, const ScatterSpec&) = default;
};

/// Ring artefacts: detector pixels whose gain drifted after the flat-field calibration.
struct RingSpec
{
    double gainSigma = 0.0;    ///< standard deviation of the per-pixel gain around 1
    double deadFraction = 0.0; ///< fraction of pixels that read 0 (dead)
    /// Measured gains (rows × columns, u fastest) used instead of the random ones when given.
    std::vector<float> gainMap;

    friend bool operator==(const RingSpec&, const RingSpec&) = default;
};

enum class MotionProfile
{
    Sine,   ///< offset(t) = sin(2π·cycles·t)·amplitude, t = view / views (breathing, tremor)
    Linear, ///< offset(t) = t·amplitude (a slow drift)
    Step,   ///< offset(t) = 0 before t = 0.5, amplitude after (the patient moves once)
};
[[nodiscard]] std::string_view toString(MotionProfile profile);
[[nodiscard]] MotionProfile parseMotionProfile(std::string_view text,
                                               std::string_view field = "motion.profile");

/// A rigid motion of the object during the scan: at view k the object is rotated about the
/// world z axis by offset·rotation and then translated by offset·translation.
struct MotionSpec
{
    Vec3 translationMm{};
    double rotationRad = 0.0;
    double cycles = 1.0; ///< Sine only
    MotionProfile profile = MotionProfile::Sine;

    [[nodiscard]] bool active() const
    {
        return translationMm.x != 0.0 || translationMm.y != 0.0 || translationMm.z != 0.0 ||
               rotationRad != 0.0;
    }
    friend bool operator==(const MotionSpec&, const MotionSpec&) = default;
};

/// Corrections applied after −log, as a scanner's preprocessing would.
struct CorrectionSpec
{
    /// Water beam-hardening correction: the polynomial that maps the polychromatic line integral
    /// of water to its monochromatic one at the reference energy (linearisation).
    bool waterBeamHardening = false;
    std::size_t waterPolynomialDegree = 4;
    /// Ring removal in the sinogram: each pixel's mean over views minus its median over
    /// `ringFilterWidth` neighbouring columns is subtracted from every view.
    bool ringRemoval = false;
    std::size_t ringFilterWidth = 9;

    friend bool operator==(const CorrectionSpec&, const CorrectionSpec&) = default;
};

/// Every physical effect of a simulated scan (core/simulate). The default is the ideal scan:
/// monochromatic at the materials' reference energy, no noise, no artefacts, so that its line
/// integrals are the projector's.
struct PhysicsSpec
{
    std::uint64_t seed = 1; ///< every random draw (noise, gains) follows from it
    SpectrumSpec spectrum;  ///< monochromatic at 70 keV by default
    MaterialMap materials = defaultMaterialMap();
    DetectorResponse detector;
    /// Mean photons reaching a pixel per view without the object; 0: no quantum noise.
    double photonsPerPixel = 0.0;
    double electronicNoise = 0.0; ///< Gaussian read noise, standard deviation in photon units
    double darkCurrent = 0.0;     ///< offset added to every reading, photon units
    double focalSpotMm = 0.0;     ///< focal spot size (FWHM); blurs by its magnified image
    ScatterSpec scatter;
    RingSpec rings;
    MotionSpec motion;
    double lag = 0.0; ///< fraction of the previous view's signal left in the next (0..0.9)
    CorrectionSpec corrections;

    /// True if the result equals the plain line integrals (no effect and no correction on).
    [[nodiscard]] bool isIdeal() const;
    /// True if the spectrum is not monochromatic at the materials' reference energy, so the
    /// materials of the object matter.
    [[nodiscard]] bool needsMaterials() const;
    /// Throws InvalidArgument naming the field (as the scene writes it, under "simulation.").
    void validate() const;

    friend bool operator==(const PhysicsSpec&, const PhysicsSpec&) = default;
};

/// One physical effect of a PhysicsSpec that can be switched off by itself ("why this
/// artefact": the same scan with and without it).
struct PhysicsEffect
{
    std::string key;   ///< "spectrum", "noise", "scatter", "rings", "motion", "focal-spot",
                       ///< "lag", "detector"
    std::string label; ///< "polychromatic spectrum (beam hardening)", ...
};

/// The effects that are on in `physics`, in the order of PhysicsEffect::key's list. The
/// corrections are not effects (they stay on when an effect is switched off).
[[nodiscard]] std::vector<PhysicsEffect> activeEffects(const PhysicsSpec& physics);

/// `physics` with the effect `key` switched off: "spectrum" becomes monochromatic at the
/// materials' reference energy, "noise" drops quantum noise, read noise and dark current,
/// "scatter", "rings", "motion", "focal-spot" and "lag" go to zero, "detector" becomes the ideal
/// counter. Throws InvalidArgument naming "effect" for another key.
[[nodiscard]] PhysicsSpec withoutEffect(PhysicsSpec physics, std::string_view key);

/// The per-pixel gains (rows × columns, u fastest) that `rings` and `seed` give a detector of
/// that size: rings.gainMap if set, else 1 + N(0, gainSigma²) clamped at 0, with a
/// deadFraction of pixels at 0. Throws InvalidArgument if a gain map has the wrong size.
[[nodiscard]] std::vector<float> detectorGains(const RingSpec& rings, std::uint64_t seed,
                                               std::size_t rows, std::size_t columns);

/// The geometry the moving object sees: view k's pose moved by the inverse of the object's
/// motion at that view (moving the object by T is moving the scanner by T⁻¹), so that a
/// static-object projector simulates the motion. 2D beams refuse a z translation.
[[nodiscard]] Geometry applyMotion(const Geometry& geometry, const MotionSpec& motion);

/// One material's share of an object: μ at the reference energy in its voxels, 0 elsewhere.
struct MaterialPart
{
    Material material;
    Volume muReference;
};

/// Splits a μ volume (mm⁻¹ at map.referenceKeV) into materials by map's HU bands; the parts sum
/// to the volume. Materials with no voxel are left out.
[[nodiscard]] std::vector<MaterialPart> splitMaterials(const Volume& mu, const MaterialMap& map);

/// As above, but a voxel whose label (materialLabels of the phantom the volume was rasterised
/// from, on its grid) is ≥ 0 takes the material its object names; the others follow the bands.
/// Throws InvalidArgument if `labels` does not have one entry per voxel.
[[nodiscard]] std::vector<MaterialPart> splitMaterials(const Volume& mu, const MaterialMap& map,
                                                       const Phantom& phantom,
                                                       const std::vector<int>& labels);

/// What a simulation produced.
struct SimulationResult
{
    ProjectionStack lineIntegrals; ///< −log of flat/dark-normalised readings, corrected
    /// The detector readings (photon units: the flat field reads photonsPerPixel·η̄), for
    /// --raw; same layout.
    std::optional<ProjectionStack> readings;
    double flatReading = 0.0;      ///< the reading of an unattenuated pixel, noise free
    std::size_t starvedPixels = 0; ///< readings at or below the dark level (photon starvation)
    double meanEnergyKeV = 0.0;    ///< of the spectrum leaving the tube
};

/// The detector physics from each material's line integrals at the reference energy (one stack
/// per material, all of one geometry: the nominal one, which the result carries): spectrum,
/// Beer–Lambert per energy, focal spot and detector blur, scatter, lag, gains, noise, dark
/// current, then flat/dark normalisation, −log and the corrections. `materials[i]` belongs to
/// `parts[i]`. Runs on the CPU threads, view by view; progress and previews through ctx.
/// Throws InvalidArgument for an invalid spec or mismatched stacks, Cancelled when cancelled.
[[nodiscard]] SimulationResult simulateDetector(const std::vector<ProjectionStack>& parts,
                                                const std::vector<Material>& materials,
                                                const PhysicsSpec& physics, RunContext& ctx,
                                                bool keepReadings = false);

/// A whole scan of the μ volume `mu` (mm⁻¹ at physics.materials.referenceKeV): motion applied
/// to the geometry, the object split into materials (only if the spectrum needs them), each
/// part projected once with the Joseph projector on `compute`'s backend, then
/// simulateDetector. The result carries `geometry`, the nominal one.
[[nodiscard]] SimulationResult simulateScan(const Volume& mu, const Geometry& geometry,
                                            const PhysicsSpec& physics, ComputeContext& compute,
                                            RunContext& ctx, bool keepReadings = false,
                                            std::size_t batchViews = 16);

/// simulateScan for an object already split into materials (all parts on one grid).
[[nodiscard]] SimulationResult simulateParts(std::vector<MaterialPart> parts,
                                             const Geometry& geometry, const PhysicsSpec& physics,
                                             ComputeContext& compute, RunContext& ctx,
                                             bool keepReadings = false,
                                             std::size_t batchViews = 16);

/// The water beam-hardening correction (linearisation): coefficients c₀…c_degree, lowest first,
/// of the least-squares polynomial that maps the polychromatic line integral of water
/// thicknesses 0…maxThicknessMm under `spectrum` and `detector` to water's line integral at
/// referenceKeV. Throws InvalidArgument for a degree of 0 or above 8 or a non-positive thickness.
[[nodiscard]] std::vector<double>
waterCorrectionPolynomial(const Spectrum& spectrum, const DetectorResponse& detector,
                          double referenceKeV, double maxThicknessMm, std::size_t degree);

/// Replaces every line integral p by Σ cₖ·pᵏ.
void applyPolynomial(ProjectionStack& projections, const std::vector<double>& coefficients);

/// Ring removal (see CorrectionSpec::ringRemoval). Throws InvalidArgument for an even or zero
/// width, or one wider than the detector.
void removeRings(ProjectionStack& projections, std::size_t width);

/// A disc-shaped region of interest in slice k of a volume (mm, world frame).
struct RegionOfInterest
{
    Vec3 centreMm;
    double radiusMm = 5.0;
};

/// Mean value of `volume` over the voxels whose centres lie in `roi` (the slice nearest its z).
/// Throws InvalidArgument if no voxel centre lies inside.
[[nodiscard]] double meanInRegion(const Volume& volume, const RegionOfInterest& roi);

/// HU calibration from two regions: maps the mean in `water` to 0 and the mean in `air` to
/// −1000 by a linear transform, in place, and sets the volume's unit to HU. Throws
/// InvalidArgument if the two means are equal.
void calibrateHu(Volume& volume, const RegionOfInterest& water, const RegionOfInterest& air);
} // namespace tomo
