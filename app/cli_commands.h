#pragma once

#include "tomo/drr.h"
#include "tomo/scene.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tomo::cli
{
/// Exit codes of tomoscope-cli (documented in its --help).
enum ExitCode : int
{
    kExitSuccess = 0,
    kExitUserError = 1, ///< bad scene, parameter, file, device name or output folder
    kExitInternal = 2,  ///< a bug or a failing device driver
    kExitCancelled = 130,
};

struct RunOptions
{
    std::string scene;
    std::string output;
    std::string device;
    bool json = false;
    bool quiet = false;
    bool plan = false;  ///< print the reconstruction plan and stop
    bool ideal = false; ///< --ideal: ignore the scene's physics (plain line integrals)
    std::string window; ///< --window LOW,HIGH of reconstruction.png (default: the truth's range)
};

/// `tomoscope-cli run`: simulate and reconstruct a scene, write images, print metrics.
int runCommand(const RunOptions& options);

struct SimulateOptions
{
    bool json = false; ///< --json: print the summary as JSON on stdout
    std::string scene;
    std::string output; ///< line integrals (views, v, u)
    std::string raw;    ///< --raw: the detector readings too
    std::string volume; ///< --volume: simulate this volume instead of the scene's object
    std::string unit;   ///< --unit HU|mu_per_mm of --volume (default: its file's)
    std::optional<std::uint64_t> seed;
    std::string device;
    bool quiet = false;
};

/// `tomoscope-cli simulate`: the scene's object through its X-ray physics (the "simulation"
/// section), written as line integrals and, with --raw, as detector readings.
int simulateCommand(const SimulateOptions& options);

struct SpectrumOptions
{
    bool json = false; ///< --json: print the summary as JSON on stdout
    double kvp = 120.0;
    double anodeAngleDeg = 12.0;
    double binKeV = 1.0;
    std::vector<std::string> filters; ///< MATERIAL:MM (default: 2.5 mm aluminium)
    std::string output;               ///< CSV of the bins
};

/// `tomoscope-cli spectrum`: mean energy and half-value layers of a tube spectrum, and its bins
/// as CSV.
int spectrumCommand(const SpectrumOptions& options);

/// `--window LOW,HIGH`: two finite numbers, HIGH above LOW; throws InvalidArgument naming
/// --window and giving `example` otherwise.
[[nodiscard]] std::pair<double, double> parseWindow(const std::string& text,
                                                    const std::string& example);

/// "A,B,C" as three finite numbers (any sign); throws InvalidArgument naming `field` and saying
/// `accepted` otherwise.
[[nodiscard]] std::array<double, 3> parseTriple(const std::string& text, const std::string& field,
                                                const std::string& accepted);

/// A grid of at most 32 samples per axis over the box of `grid`, same centre: where
/// completeness maps are computed (geometry --check, render --completeness).
[[nodiscard]] VolumeGrid coarseGridOver(const VolumeGrid& grid);

struct RenderOptions
{
    bool json = false; ///< --json: print the summary as JSON on stdout
    std::string scene;
    std::string view = "trajectory"; ///< trajectory, volume, slices, projections
    std::string output;              ///< PNG
    std::string size = "800x600";    ///< WxH pixels
    std::size_t current = 0;         ///< trajectory: the current view
    std::size_t ghostEvery = 0;      ///< trajectory: ghost frame step (0: automatic)
    bool completeness = false;       ///< trajectory: the data-completeness overlay
    std::string ray;                 ///< trajectory: X,Y,Z of the highlighted ray's point
    std::string volume;              ///< volume, slices: this file instead of the scene's object
    std::string preset;              ///< volume: ct-bone, soft-tissue, mip, mu-grey
    std::string window;              ///< slices: LOW,HIGH (default: the volume's range)
    std::string colourMap;           ///< slices: grey, ... (default grey)
    std::string cursor;              ///< slices: X,Y,Z in mm (default: the volume's centre)
    std::string projections;         ///< projections: the stack to show
    std::optional<std::size_t> row;  ///< projections: the sinogram's detector row (default: mid)
    std::vector<std::string> commandLine; ///< argv as given, for the render helper
};

/// `tomoscope-cli render`: the scene's 3D trajectory view, a volume rendering or the three slice
/// views of its object (or of a volume file), rendered offscreen into a PNG. tomoscope-cli itself
/// is not linked with VTK (its start-up was half of a 2D reconstruction's time): it runs its
/// render helper, the same command line linked with render/ (cli_render_forward.cpp).
int renderCommand(const RenderOptions& options);

/// `tomoscope-cli devices`: list the compute devices.
int devicesCommand(bool json);

struct GeometryOptions
{
    bool json = false; ///< --json: print the summary as JSON on stdout
    std::string scene;
    std::string exportPath; ///< --export FILE (a folder for plastimatch-dir)
    std::string importPath; ///< --import FILE
    std::string format;     ///< json, rtk, astra, matrices, plastimatch-dir
    std::string output;     ///< -o NEW.json (import)
    std::string detector;   ///< --detector NU,NV (import; default: the scene's)
};

/// `tomoscope-cli geometry`: export the scene's geometry to a file, or import one into a copy of
/// the scene (its detector, beam and trajectory replaced by explicit poses).
int geometryCommand(const GeometryOptions& options);

/// `tomoscope-cli geometry --check`: print the sanity findings of the scene's geometry (JSON with
/// `json`), and write the completeness map to `completenessPath` unless it is empty.
int checkCommand(const std::string& scenePath, bool json, const std::string& completenessPath);
struct ProjectOptions
{
    bool json = false; ///< --json: print the summary as JSON on stdout
    std::string scene;
    std::string volume;      ///< project: --volume FILE (default: the scene's phantom)
    std::string projections; ///< backproject: --projections FILE
    std::string output;
    std::string model = "joseph";
    std::string device;
    bool quiet = false;
};

/// `tomoscope-cli project`: line integrals (views, v, u) of a volume or of the scene's object.
int projectCommand(const ProjectOptions& options);

/// `tomoscope-cli backproject`: the transpose (or the voxel-driven backprojection) of a
/// projection stack onto the scene's reconstruction grid.
int backprojectCommand(const ProjectOptions& options);

struct PhantomOptions
{
    bool quiet = false;  ///< -q: no progress bar
    bool json = false;   ///< --json: print the summary as JSON on stdout
    std::string phantom; ///< a built-in phantom name or a phantom file (.json, CTSim .phm)
    std::string grid;    ///< --grid SCENE.json: the scene's reconstruction grid
    std::string size;    ///< --size NX,NY,NZ (a centred grid, with --spacing)
    std::string spacing; ///< --spacing S or SX,SY,SZ in mm
    std::string output;
    int supersample = 4; ///< samples per voxel axis (rasterise)
    /// --radius, --height, --mu of a built-in phantom (ObjectSpec's defaults otherwise); the
    /// names of those given, for the message when a phantom file is given instead.
    ObjectSpec object;
    std::vector<std::string> parametersGiven;
};

/// `tomoscope-cli phantom`: voxelise a phantom (rasterise) onto a grid and write the volume.
int phantomCommand(const PhantomOptions& options);

/// "NX,NY,NZ" (whole numbers > 0); throws InvalidArgument naming `field` otherwise.
[[nodiscard]] std::array<std::size_t, 3> parseSize(const std::string& text,
                                                   const std::string& field);
/// "S" or "SX,SY,SZ" in mm (numbers > 0); throws InvalidArgument naming `field` otherwise.
[[nodiscard]] std::array<double, 3> parseSpacing(const std::string& text, const std::string& field);

struct ReconstructOptions
{
    std::string scene;
    std::string projections; ///< --projections FILE (columns x rows x views)
    std::string output;
    std::string algorithm;      ///< default: the scene's
    std::size_t iterations = 0; ///< 0: the algorithm's default
    std::string grid;           ///< NX,NY,NZ (default: the scene's)
    std::string spacing;        ///< S or SX,SY,SZ (default: the scene's)
    bool hu = false;
    std::string filter; ///< --filter ram-lak|shepp-logan|cosine|hamming|hann (default: the scene's)
    double cutoff = 0.0; ///< --cutoff in (0, 1] of Nyquist; 0: the scene's
    /// --slice-normal NX,NY,NZ and/or --slice-centre X,Y,Z (mm): reconstruct one plane of the
    /// grid's x-y size through that point, perpendicular to that normal (default: z, the
    /// isocentre); empty: the scene's whole grid.
    std::string sliceNormal;
    std::string sliceCentre;
    bool plan = false; ///< print the plan and stop
    std::string device;
    bool json = false;
    bool quiet = false;
};

/// Prints how the scene would be reconstructed on `grid`: the method and weights (or the iterative
/// algorithm), warnings, the host memory estimate against the machine, and the OpenCL device's
/// slab and batch plan. Throws InvalidArgument as the reconstruction would, and when the host
/// memory estimate exceeds the machine.
void printPlan(const Scene& scene, const VolumeGrid& grid, const std::string& deviceChoice);

/// `tomoscope-cli reconstruct`: reconstruct a projection stack with the scene's geometry.
int reconstructCommand(const ReconstructOptions& options);

struct CompareOptions
{
    std::string estimate;
    std::string reference;
    /// --profile X0,Y0,Z0:X1,Y1,Z1 (mm): also sample both volumes along that segment.
    std::string profile;
    std::size_t samples = 100; ///< --samples, points along the profile (ends included)
    bool json = false;
};

/// `tomoscope-cli info`: size, spacing, origin, direction, orientation code and value range of
/// an image file (as JSON with `json`).
int infoCommand(const std::string& path, bool json);

struct ConvertOptions
{
    bool json = false; ///< --json: print the summary as JSON on stdout
    std::string input;
    std::string output;
    std::string orientation; ///< --orientation CODE (reorient)
    std::string spacing;     ///< --spacing S or SX,SY,SZ: resample to it (same box)
    std::string like;        ///< --like OTHER: resample onto OTHER's grid
    std::string interpolation = "linear";
    bool toHu = false;         ///< --hu: μ (mm⁻¹) to Hounsfield units
    bool toMu = false;         ///< --mu: Hounsfield units to μ (mm⁻¹)
    double muWater = 0.019288; ///< --mu-water, mm⁻¹ (kWaterMuAt70keV)
    double energyKeV = 0.0;    ///< --energy: μ of water from xraylib at this energy (0: unset)
    std::string series;        ///< --series UID: which series of a DICOM folder
    std::string unit;          ///< --unit: what the input's values are (overrides its file)
    std::string crop;          ///< --crop I,J,K:NI,NJ,NK
    std::string pad;           ///< --pad N, NX,NY,NZ or X0,Y0,Z0:X1,Y1,Z1 voxels
    std::string fill;          ///< --fill V: value of padded voxels and of outside points
    std::string scale;         ///< --scale F or FX,FY,FZ along the index axes
    std::string rotate;        ///< --rotate AXIS:DEGREES, AXIS x, y, z or AX,AY,AZ
    std::string translate;     ///< --translate X,Y,Z mm
    std::string centre;        ///< --centre X,Y,Z mm for --rotate and --scale
    bool moveGrid = false;     ///< --move-grid: rotate/scale the grid, no resampling
    std::string calibrateHu;   ///< --calibrate-hu X,Y,Z,R:X,Y,Z,R (water disc : air disc), mm
};

/// `tomoscope-cli convert`: the volume in `input` (a file or a DICOM folder) cropped, padded,
/// scaled, rotated, translated, resampled (--like, --spacing), re-indexed (--orientation),
/// converted (--hu, --mu) and written to `output` (format from its extension; a folder ending in
/// / is a DICOM series).
int convertCommand(const ConvertOptions& options);

struct DrrCommandOptions
{
    bool json = false;  ///< --json: print the summary as JSON on stdout
    std::string volume; ///< CT volume in HU or mu_per_mm
    std::string view = "ap";
    std::string output;  ///< -o: .png (8-bit, windowed) or a volume format (float)
    std::string size;    ///< --size WxH (default: the volume's shadow, or the X-ray's size)
    std::string window;  ///< --window LOW,HIGH for a PNG (default: 0 to the maximum)
    std::string unit;    ///< --unit HU|mu_per_mm: overrides the file's
    std::string compare; ///< --compare XRAY: print L1 and NCC against this image
    std::string device;
    bool energyGiven = false;
    bool quiet = false;
    /// --sid, --sdd, --pixel, --energy, --transmission; angle and size from view and size.
    DrrOptions drr;
};

/// "ap" (0), "lateral" (kDrrLateralAngle) or an angle in degrees, as radians. Throws
/// InvalidArgument naming --view, the text and the accepted values otherwise.
[[nodiscard]] double parseDrrView(const std::string& text);

/// `tomoscope-cli drr`: a DRR of a CT volume written as a PNG or a 2D image file, and with
/// --compare its L1 and NCC against an X-ray image.
int drrCommand(const DrrCommandOptions& options);

/// `tomoscope-cli compare`: RMSE, PSNR, SSIM and CTSim's d, r, e of two volumes on one grid.
int compareCommand(const CompareOptions& options);
} // namespace tomo::cli
