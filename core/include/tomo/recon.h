#pragma once

#include "tomo/compute.h"
#include "tomo/projections.h"
#include "tomo/run_context.h"
#include "tomo/volume.h"

#include <string>
#include <string_view>
#include <vector>

namespace tomo
{
/// Apodisation of the ramp filter in the frequency domain.
enum class RampWindow
{
    RamLak,     ///< plain ramp |ω|
    SheppLogan, ///< |ω|·sinc(ω / 2ω_c)
    Cosine,     ///< |ω|·cos(π ω / 2ω_c)
    Hamming,    ///< |ω|·(0.54 + 0.46 cos(π ω / ω_c))
    Hann,       ///< |ω|·(0.5 + 0.5 cos(π ω / ω_c))
};

[[nodiscard]] std::string_view toString(RampWindow window);
/// Parses "ram-lak", "shepp-logan", "cosine", "hamming", "hann"; throws InvalidArgument naming
/// `field` otherwise.
[[nodiscard]] RampWindow parseRampWindow(std::string_view text, std::string_view field = "filter");

/// μ of water at 70 keV in mm⁻¹: waterMuPerMm(70) (attenuation.h; xraylib's total
/// cross-section 0.19288 cm²/g, NIST XCOM's tabulated 70 keV value 0.1929 cm²/g) times
/// 1 g/cm³. A test holds the two together. (Before this it was 0.01937, a log-log interpolation
/// between XCOM's 60 and 80 keV rows, 0.4% high.)
inline constexpr double kWaterMuAt70keV = 0.019288;

struct FbpOptions
{
    RampWindow window = RampWindow::RamLak;
    /// Cut-off as a fraction of the Nyquist frequency 1/(2·du), in (0, 1].
    double cutoff = 1.0;
    /// Views per backprojection batch; a preview is published after each.
    std::size_t batchViews = 32;
    /// Output Hounsfield units, 1000·(μ − μ_water)/μ_water, instead of μ in mm⁻¹.
    bool hu = false;
    /// μ of water (mm⁻¹) for HU output.
    double muWater = kWaterMuAt70keV;

    /// Throws InvalidArgument naming the first field out of range.
    void validate() const;
};

/// Converts μ (mm⁻¹) to Hounsfield units in place: 1000·(μ − muWater)/muWater.
/// Throws InvalidArgument if muWater is not finite and positive.
void convertToHu(Volume& volume, double muWater);

/// The inverse of convertToHu: μ = muWater·(1 + HU/1000), in place.
/// Throws InvalidArgument if muWater is not finite and positive.
void convertToMu(Volume& volume, double muWater);

/// How an analytic reconstruction weights redundant rays, chosen from the scan's angular
/// coverage and the detector's placement.
enum class RedundancyWeighting
{
    HalfTurn,     ///< parallel beam over 180°: every line once (weight 1)
    FullTurn,     ///< 360°: every line twice (weight ½)
    Parker,       ///< a short scan, at least 180° plus the fan angle (Parker 1982, with the
                  ///< over-scan generalisation of Silver 2000)
    Wang,         ///< 360° with the detector offset sideways (half-fan): Wang 2002
    SeveralTurns, ///< more than 360°: every line seen coverage/180° times
    LimitedAngle, ///< less than a short scan: no line twice; the image has limited-angle artefacts
};

[[nodiscard]] std::string_view toString(RedundancyWeighting weighting);

/// What an analytic reconstruction will do with a geometry, decided before it runs.
struct AnalyticPlan
{
    /// "parallel-beam FBP", "fan-beam FBP (flat detector)", "fan-beam FBP (equiangular
    /// detector)", "FDK (flat detector)" or "FDK (cylindrical detector)".
    std::string method;
    RedundancyWeighting weighting = RedundancyWeighting::FullTurn;
    double coverage = 0.0; ///< angular coverage of the views, radians
    double fanAngle = 0.0; ///< full fan angle of the central row, radians (0 for parallel)
    /// Why the result will not be exact for this geometry, one sentence each ("FDK assumes a
    /// circular orbit; ..."); empty where the method is exact (FDK: in the central plane).
    std::vector<std::string> warnings;
};

/// Decides how `geometry` is reconstructed analytically on `grid` (see reconstructAnalytic).
/// Throws InvalidArgument naming the field and value where no analytic method applies: fewer
/// than 2 views, views that do not advance in one direction about the axis, a cylindrical
/// detector whose radius is not the source-detector distance (only equiangular columns are
/// supported), a detector that does not see the rotation axis in a full scan, an offset
/// detector in a short scan (Wang weights are not combined with Parker weights), a grid the
/// projectors cannot map.
[[nodiscard]] AnalyticPlan planAnalytic(const Geometry& geometry, const VolumeGrid& grid);

/// Filtered backprojection for every beam: parallel-beam FBP (2D, and row by row for 3D
/// parallel beams), fan-beam FBP for flat (equispaced) and cylindrical (equiangular, radius =
/// SDD) detectors (Kak & Slaney ch. 3.4), FDK for cone beams on both (Feldkamp, Davis & Kress
/// 1984). The projections are cosine-weighted, weighted for redundancy (planAnalytic), ramp
/// filtered along detector rows (FFTW) and backprojected voxel-driven with the distance weight,
/// on the backend of `compute`, in batches of options.batchViews views with a preview after
/// each. Views may be unequally spaced (each weighs half the angle to its neighbours).
/// The grid may carry direction cosines (a tilted slice or volume): it is then backprojected as
/// an axis-aligned grid in a world turned about the isocentre by the inverse rotation, so any
/// plane through the volume reconstructs directly.
/// Output: μ in mm⁻¹ if the projections are ∫μ dl with lengths in mm (HU if options.hu).
/// Warnings of the plan go to the log. If `plan` is given it receives the plan used.
/// Throws InvalidArgument as planAnalytic, or naming the first view and pixel of a NaN or
/// infinite projection value; Cancelled between batches.
[[nodiscard]] Volume reconstructAnalytic(const ProjectionStack& projections, const VolumeGrid& grid,
                                         const FbpOptions& options, ComputeContext& compute,
                                         RunContext& ctx, AnalyticPlan* plan = nullptr);

/// The projections exactly as reconstructAnalytic backprojects them: cosine-weighted, weighted
/// for redundancy and by each view's angular share, and ramp filtered, on the geometry the
/// backprojection sees (turned for a tilted grid, widened for Wang's weights). Backprojecting
/// `projections` voxel-driven (ProjectorModel::VoxelDriven, weight 1) onto `grid`, in any view
/// order and batching, gives reconstructAnalytic's image in μ (its voxels in the order of the
/// requested grid). For teaching (the filtered projections, the image as views accumulate) and
/// inspection. Throws as reconstructAnalytic.
struct FilteredProjections
{
    ProjectionStack projections;
    VolumeGrid grid;
    AnalyticPlan plan;
};
[[nodiscard]] FilteredProjections filterForBackprojection(const ProjectionStack& projections,
                                                          const VolumeGrid& grid,
                                                          const FbpOptions& options);

/// Ramp-filters every detector row of every view (FFTW, zero padding to at least twice the
/// row length so the circular convolution equals the linear one). The discrete kernel is the
/// band-limited ramp of Kak & Slaney (eq. 3.61), so a constant row filters to zero mean; output
/// values carry the 1/du of the ramp, ready for backprojection with weight Δθ.
[[nodiscard]] ProjectionStack rampFilter(const ProjectionStack& projections,
                                         const FbpOptions& options);

/// Throws InvalidArgument, as reconstructFbp2D would, if 2D FBP cannot reconstruct `geometry` on
/// `grid`; lets a pipeline refuse before it simulates anything.
void checkFbp2D(const Geometry& geometry, const VolumeGrid& grid);

/// reconstructAnalytic for 2D scans (parallel and fan beams) on 2D grids.
/// Throws InvalidArgument for a 3D beam (naming FDK), and as reconstructAnalytic.
[[nodiscard]] Volume reconstructFbp2D(const ProjectionStack& projections, const VolumeGrid& grid,
                                      const FbpOptions& options, ComputeContext& compute,
                                      RunContext& ctx);

/// reconstructAnalytic for 3D scans (cone and parallel beams); the grid may be a single slice.
/// Throws InvalidArgument for a 2D beam (naming 2D FBP), and as reconstructAnalytic.
[[nodiscard]] Volume reconstructFdk(const ProjectionStack& projections, const VolumeGrid& grid,
                                    const FbpOptions& options, ComputeContext& compute,
                                    RunContext& ctx);
} // namespace tomo
