// tomoscope-cli: the headless face of Tomoscope. Argument wiring only; the work is in tomo_core.
#include "cli_commands.h"
#include "cli_docs.h"
#include "tomo/error.h"
#include "tomo/scene.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

int main(int argc, char** argv)
{
    using namespace tomo::cli;
    CLI::App app{"tomoscope-cli " TOMO_VERSION
                 ": simulate and reconstruct CT scans without a display.\n\n"
                 "Exit codes: 0 success, 1 user error (bad scene, parameter, file, device or "
                 "output folder), 2 internal error, 130 interrupted.",
                 "tomoscope-cli"};
    app.set_version_flag("--version", TOMO_VERSION);
    app.require_subcommand(1);

    RunOptions run;
    CLI::App* runCmd = app.add_subcommand(
        "run", "Simulate the scene's projections, reconstruct them, write images and metrics.");
    setExamples(
        *runCmd,
        {"tomoscope-cli run /usr/share/tomoscope/scenes/shepp-logan-2d-parallel.json -o out",
         "tomoscope-cli run scene.json -o out --device opencl --json",
         "tomoscope-cli run scene.json --plan"});
    runCmd->add_option("scene", run.scene, "scene file (tomoscope-scene JSON)")->required();
    runCmd->add_option("-o,--output", run.output, "output folder (created if missing)");
    runCmd->add_option("--device,--backend", run.device,
                       "compute device: auto, cpu, opencl, an id from 'devices' or part of a "
                       "device name (default: $TOMO_CL_DEVICE, else auto)");
    runCmd->add_flag("--json", run.json, "print the results as JSON on stdout");
    runCmd->add_flag("-q,--quiet", run.quiet, "no progress bar");
    runCmd->add_option("--window", run.window,
                       "LOW,HIGH: grey window of reconstruction.png in the reconstruction's unit "
                       "(default: the phantom's range)");
    runCmd->add_flag("--ideal", run.ideal,
                     "ignore the scene's X-ray physics: the ideal scan (plain line integrals), to "
                     "compare with");
    runCmd->add_flag("--plan", run.plan,
                     "print the reconstruction method, warnings and memory plan, and stop");

    SimulateOptions simulate;
    std::uint64_t simulateSeed = 0;
    CLI::App* simulateCmd = app.add_subcommand(
        "simulate",
        "Simulate the scene's projections with its X-ray physics (spectrum, materials, noise, "
        "scatter, rings, motion, ...; the scene's \"simulation\" section) and write the line "
        "integrals.");
    setExamples(*simulateCmd, {"tomoscope-cli simulate physics-beam-hardening.json -o p.mha --raw "
                               "counts.mha",
                               "tomoscope-cli simulate scene.json --volume ct.nii.gz -o p.mha "
                               "--seed 7"});
    simulateCmd->add_option("scene", simulate.scene, "scene file (tomoscope-scene JSON)")
        ->required();
    simulateCmd->add_option("-o,--output", simulate.output, "line integrals (.mha, .nii.gz, ...)")
        ->required();
    simulateCmd->add_option("--raw", simulate.raw,
                            "also write the detector readings (photon units) to this file");
    simulateCmd->add_option("--volume", simulate.volume,
                            "simulate this CT volume (HU or mu_per_mm; placed by its origin and "
                            "spacing) instead of the scene's phantom");
    simulateCmd->add_option("--unit", simulate.unit,
                            "HU or mu_per_mm: the unit of --volume when its file does not say");
    CLI::Option* seedOption = simulateCmd->add_option(
        "--seed", simulateSeed, "random seed for noise and gains (default: the scene's)");
    simulateCmd->add_option("--device,--backend", simulate.device, "as for run");
    simulateCmd->add_flag("-q,--quiet", simulate.quiet, "no progress bar");
    simulateCmd->add_flag("--json", simulate.json, "print the summary as JSON on stdout");

    SpectrumOptions spectrum;
    CLI::App* spectrumCmd = app.add_subcommand(
        "spectrum", "Print the mean energy and half-value layers of a tungsten-tube spectrum and "
                    "write its bins as CSV.");
    setExamples(*spectrumCmd, {"tomoscope-cli spectrum --kvp 120 --filter aluminium:2.5 "
                               "--filter copper:0.1 -o spectrum.csv",
                               "tomoscope-cli spectrum --kvp 80 --json"});
    spectrumCmd->add_option("--kvp", spectrum.kvp, "tube voltage, 20 to 150 kV (default 120)");
    spectrumCmd->add_option("--anode-angle", spectrum.anodeAngleDeg,
                            "target angle in degrees (default 12)");
    spectrumCmd->add_option("--bin", spectrum.binKeV, "bin width in keV (default 1)");
    spectrumCmd->add_option("--filter", spectrum.filters,
                            "MATERIAL:MM, repeatable (default aluminium:2.5)");
    spectrumCmd->add_option("-o,--output", spectrum.output, "CSV file of the bins");
    spectrumCmd->add_flag("--json", spectrum.json, "print the summary and the bins as JSON");

    bool devicesJson = false;
    CLI::App* devicesCmd =
        app.add_subcommand("devices", "List the compute devices Tomoscope can use.");
    setExamples(*devicesCmd, {"tomoscope-cli devices", "tomoscope-cli devices --json"});
    devicesCmd->add_flag("--json", devicesJson, "print the list as JSON");

    ProjectOptions project;
    CLI::App* projectCmd = app.add_subcommand(
        "project", "Forward project a volume (or the scene's object) with the scene's geometry.");
    setExamples(*projectCmd, {"tomoscope-cli project scene.json --volume head.nii.gz -o proj.mha",
                              "tomoscope-cli project scene.json --model analytic -o exact.mha"});
    projectCmd->add_option("scene", project.scene, "scene file (tomoscope-scene JSON)")->required();
    projectCmd->add_option("--volume", project.volume,
                           "volume to project; its origin and spacing place it in the scanner "
                           "(default: the scene's phantom on its reconstruction grid)");
    projectCmd->add_option("-o,--output", project.output, "projection stack (.mha, .nii.gz)")
        ->required();
    projectCmd->add_option("--model", project.model,
                           "joseph (default), siddon, or analytic (exact line integrals of the "
                           "scene's phantom)");
    projectCmd->add_option("--device,--backend", project.device, "as for run");
    projectCmd->add_flag("-q,--quiet", project.quiet, "no progress bar");
    projectCmd->add_flag("--json", project.json, "print the summary as JSON on stdout");

    ProjectOptions back;
    CLI::App* backCmd = app.add_subcommand(
        "backproject",
        "Backproject a projection stack onto the scene's reconstruction grid (the exact transpose "
        "for joseph).");
    setExamples(*backCmd,
                {"tomoscope-cli backproject scene.json --projections proj.mha -o back.nii.gz"});
    backCmd->add_option("scene", back.scene, "scene file (tomoscope-scene JSON)")->required();
    backCmd
        ->add_option("--projections", back.projections, "projection stack (columns, rows, views)")
        ->required();
    backCmd->add_option("-o,--output", back.output, "volume file (.nii.gz, .mha, .nrrd)")
        ->required();
    backCmd->add_option("--model", back.model, "joseph (default), siddon or voxel-driven");
    backCmd->add_option("--device,--backend", back.device, "as for run");
    backCmd->add_flag("-q,--quiet", back.quiet, "no progress bar");
    backCmd->add_flag("--json", back.json, "print the summary as JSON on stdout");

    PhantomOptions phantom;
    std::string phantomNames;
    for (const std::string& name : tomo::builtInPhantomNames()) {
        phantomNames += (phantomNames.empty() ? "" : ", ") + name;
    }
    ReconstructOptions recon;
    CLI::App* reconCmd = app.add_subcommand(
        "reconstruct",
        "Reconstruct a projection stack with the scene's geometry and reconstruction settings.\n"
        "The stack comes from simulate or project, e.g. tomoscope-cli project scene.json "
        "--model analytic -o p.mha.");
    setExamples(*reconCmd,
                {"tomoscope-cli reconstruct scene.json --projections p.mha -o v.nii.gz --hu",
                 "tomoscope-cli reconstruct scene.json --projections p.mha -o v.nii.gz "
                 "--algorithm sirt --iterations 50",
                 "tomoscope-cli reconstruct scene.json --plan"});
    reconCmd->add_option("scene", recon.scene, "scene file (tomoscope-scene JSON)")->required();
    reconCmd->add_option("--projections", recon.projections,
                         "projection stack (columns, rows, views) of line integrals");
    reconCmd->add_option("-o,--output", recon.output, "volume file (.nii.gz, .mha, .nrrd)");
    reconCmd->add_option("--algorithm", recon.algorithm,
                         "fbp (2D beams), fdk (3D beams), sirt, sart, os-sart, cgls, mlem, osem, "
                         "fista-tv, tv-pocs, asd-pocs, awtv-pocs; default: the scene's");
    reconCmd
        ->add_option("--iterations", recon.iterations,
                     "iterations of an iterative algorithm (default: the scene's)")
        ->check(CLI::PositiveNumber);
    reconCmd->add_option("--grid", recon.grid, "NX,NY,NZ voxels (default: the scene's)");
    reconCmd->add_option("--spacing", recon.spacing, "S or SX,SY,SZ in mm (default: the scene's)");
    reconCmd->add_flag("--hu", recon.hu, "output Hounsfield units instead of mu in mm^-1");
    reconCmd->add_option("--filter", recon.filter,
                         "ramp window: ram-lak, shepp-logan, cosine, hamming, hann (default: the "
                         "scene's)");
    reconCmd->add_option("--cutoff", recon.cutoff,
                         "ramp cut-off as a fraction of the Nyquist frequency, in (0, 1]");
    reconCmd->add_option("--slice-normal", recon.sliceNormal,
                         "NX,NY,NZ: reconstruct one plane perpendicular to this direction "
                         "(default z), of the grid's x-y size and spacing");
    reconCmd->add_option("--slice-centre", recon.sliceCentre,
                         "X,Y,Z in mm: the plane's centre (default: the isocentre)");
    reconCmd->add_flag("--plan", recon.plan,
                       "print the method, weights, warnings and memory plan, and stop");
    reconCmd->add_option("--device,--backend", recon.device, "as for run");
    reconCmd->add_flag("--json", recon.json, "print the summary as JSON");
    reconCmd->add_flag("-q,--quiet", recon.quiet, "no progress bar");

    CompareOptions compare;
    CLI::App* compareCmd = app.add_subcommand(
        "compare", "RMSE, PSNR, SSIM and CTSim's d, r, e of a volume against a reference.");
    setExamples(*compareCmd,
                {"tomoscope-cli compare out/reconstruction.nii.gz out/truth.nii.gz",
                 "tomoscope-cli compare a.nii.gz b.nii.gz --profile -50,0,0:50,0,0 --json"});
    compareCmd->add_option("estimate", compare.estimate, "volume to score")->required();
    compareCmd->add_option("reference", compare.reference, "reference volume (same grid)")
        ->required();
    compareCmd->add_option("--profile", compare.profile,
                           "X0,Y0,Z0:X1,Y1,Z1 in mm: also print both volumes along this segment");
    compareCmd->add_option("--samples", compare.samples, "points along the profile (default 100)")
        ->check(CLI::Range(2, 100000));
    compareCmd->add_flag("--json", compare.json, "print the metrics as JSON");

    std::string infoPath;
    bool infoJson = false;
    CLI::App* infoCmd = app.add_subcommand(
        "info", "Size, spacing, origin, direction, orientation code and value range of an image.");
    setExamples(*infoCmd, {"tomoscope-cli info out/reconstruction.nii.gz --json",
                           "tomoscope-cli info dicom-folder/"});
    infoCmd
        ->add_option("file", infoPath,
                     "image file (NIfTI, MetaImage, NRRD, HDF5, raw, TIFF, PNG) or DICOM folder")
        ->required();
    infoCmd->add_flag("--json", infoJson, "print the fields as JSON");

    ConvertOptions convert;
    CLI::App* convertCmd = app.add_subcommand(
        "convert",
        "Write a volume in another format, grid, orientation or place, keeping every voxel's "
        "world position right.\n"
        "The steps run in this order: --unit, --crop, --pad, --scale, --rotate, --translate, "
        "--spacing/--like, --orientation, --hu/--mu.");
    setExamples(
        *convertCmd,
        {"tomoscope-cli convert v.mha v.nii.gz --orientation RAS",
         "tomoscope-cli convert ct.nii.gz ct-2mm.nii.gz --spacing 2 --interpolation bspline",
         "tomoscope-cli convert dicom-folder/ ct.nii.gz --series 1.2.840.1234",
         "tomoscope-cli convert recon.nii.gz series/ --energy 60",
         "tomoscope-cli convert ct.nii.gz moved.nii.gz --rotate z:15 --translate 0,10,0"});
    convertCmd->add_option("input", convert.input, "volume file or DICOM folder")->required();
    convertCmd
        ->add_option("output", convert.output,
                     "volume file (.nii.gz, .nii, .mha, .mhd, .nrrd, .h5, .raw) or a folder "
                     "ending in / for a DICOM CT series")
        ->required();
    convertCmd->add_option("--series", convert.series,
                           "Series Instance UID, where the DICOM folder holds several");
    convertCmd->add_option("--unit", convert.unit,
                           "what the input's values are: mu_per_mm or HU (overrides the file)");
    convertCmd->add_option("--crop", convert.crop,
                           "keep voxels I,J,K (first) : NI,NJ,NK (count); exact");
    convertCmd->add_option("--pad", convert.pad,
                           "add N voxels on every side, NX,NY,NZ per axis, or X0,Y0,Z0:X1,Y1,Z1 "
                           "before:after; exact");
    convertCmd->add_option("--fill", convert.fill,
                           "value of padded voxels and of points from outside the volume "
                           "(default 0 for mu, -1000 for HU)");
    convertCmd->add_option("--scale", convert.scale,
                           "stretch the object by F or FX,FY,FZ along its index axes about "
                           "--centre");
    convertCmd->add_option("--rotate", convert.rotate,
                           "turn the object about an axis through --centre: AXIS:DEGREES with "
                           "AXIS x, y, z or AX,AY,AZ (world, right hand)");
    convertCmd->add_option("--translate", convert.translate, "move the volume by X,Y,Z mm; exact");
    convertCmd->add_option("--centre", convert.centre,
                           "X,Y,Z mm for --rotate and --scale (default: the volume's centre)");
    convertCmd->add_flag("--move-grid", convert.moveGrid,
                         "rotate/scale the grid with the voxels (exact, oblique result) instead of "
                         "resampling the object on its own grid");
    convertCmd->add_option("--orientation", convert.orientation,
                           "where the index axes should point: RAS, LPS, RAI, LPI, RPS, LAS, RPI, "
                           "LAI or any other permutation of one of L/R, P/A, S/I");
    CLI::Option* spacingConvert = convertCmd->add_option(
        "--spacing", convert.spacing, "resample to S or SX,SY,SZ mm over the same box");
    CLI::Option* likeConvert =
        convertCmd->add_option("--like", convert.like, "resample onto this image's grid");
    spacingConvert->excludes(likeConvert);
    convertCmd->add_option("--interpolation", convert.interpolation,
                           "nearest (label maps), linear (default) or bspline");
    CLI::Option* huConvert =
        convertCmd->add_flag("--hu", convert.toHu, "convert mu (mm^-1) to Hounsfield units");
    CLI::Option* muConvert =
        convertCmd->add_flag("--mu", convert.toMu, "convert Hounsfield units to mu (mm^-1)");
    huConvert->excludes(muConvert);
    CLI::Option* calibrateConvert = convertCmd->add_option(
        "--calibrate-hu", convert.calibrateHu,
        "X,Y,Z,R:X,Y,Z,R (mm): map the mean in the first disc (water) to 0 HU and in the second "
        "(air) to -1000 HU, each disc in the slice nearest its Z");
    calibrateConvert->excludes(huConvert);
    calibrateConvert->excludes(muConvert);
    CLI::Option* muWaterConvert =
        convertCmd->add_option("--mu-water", convert.muWater,
                               "mu of water in mm^-1 for HU (default 0.019288, water at 70 keV)");
    CLI::Option* energyConvert = convertCmd->add_option(
        "--energy", convert.energyKeV,
        "effective energy in keV: mu of water for HU from xraylib (e.g. 60)");
    muWaterConvert->excludes(energyConvert);
    convertCmd->add_flag("--json", convert.json, "print the summary as JSON on stdout");

    CLI::App* phantomCmd = app.add_subcommand(
        "phantom",
        "Voxelise a built-in phantom or a phantom file onto a grid and write it as a volume "
        "(mm^-1).");
    setExamples(
        *phantomCmd,
        {"tomoscope-cli phantom forbild-head-3d --radius 120 --grid scene.json -o head.nii.gz",
         "tomoscope-cli phantom line-pairs-2d --size 512,512,1 --spacing 0.4 -o bars.nii.gz",
         "tomoscope-cli phantom my-phantom.json --size 128,128,64 --spacing 1.5 -o p.mha"});
    phantomCmd
        ->add_option("phantom", phantom.phantom,
                     "a built-in phantom (" + phantomNames +
                         ") or a phantom file (tomoscope-phantom .json, CTSim .phm)")
        ->required();
    CLI::Option* gridOpt = phantomCmd->add_option("--grid", phantom.grid,
                                                  "use the reconstruction grid of this scene file");
    CLI::Option* sizeOpt = phantomCmd->add_option(
        "--size", phantom.size,
        "grid size NX,NY,NZ centred on the isocentre (NZ = 1 for a 2D image)");
    CLI::Option* spacingOpt = phantomCmd->add_option(
        "--spacing", phantom.spacing, "voxel spacing in mm: S (every axis) or SX,SY,SZ");
    gridOpt->excludes(sizeOpt)->excludes(spacingOpt);
    sizeOpt->needs(spacingOpt);
    spacingOpt->needs(sizeOpt);
    phantomCmd->add_option("-o,--output", phantom.output, "volume file (.nii.gz, .mha, .nrrd)")
        ->required();
    CLI::Option* radiusOpt =
        phantomCmd
            ->add_option("--radius", phantom.object.radiusMm,
                         "built-in phantoms: radius in mm (of the water disc or cylinder; "
                         "Shepp-Logan: of its unit disc; FORBILD: the skull's y semi-axis, 120 is "
                         "the published size)")
            ->capture_default_str();
    CLI::Option* heightOpt =
        phantomCmd
            ->add_option("--height", phantom.object.heightMm,
                         "water-cylinder, line-pairs-3d, contrast-detail-3d: length along z in mm")
            ->capture_default_str();
    CLI::Option* muOpt =
        phantomCmd
            ->add_option("--mu", phantom.object.muPerUnit,
                         "built-in phantoms: mu in mm^-1 of water (of one density or table unit "
                         "for FORBILD and Shepp-Logan)")
            ->capture_default_str();
    phantomCmd
        ->add_option("--supersample", phantom.supersample,
                     "samples per voxel axis, averaged (N^2 per pixel in 2D, N^3 per voxel in 3D)")
        ->capture_default_str();
    phantomCmd->add_flag("--json", phantom.json, "print the summary as JSON on stdout");
    phantomCmd->add_flag("-q,--quiet", phantom.quiet, "no progress bar");

    GeometryOptions geometry;
    CLI::App* geometryCmd = app.add_subcommand(
        "geometry",
        "Check the scene's geometry, export it, or import a geometry file into a copy of the "
        "scene.");
    setExamples(*geometryCmd,
                {"tomoscope-cli geometry scene.json --check",
                 "tomoscope-cli geometry scene.json --check --completeness tuy.nii.gz",
                 "tomoscope-cli geometry scene.json --export g.xml --format rtk",
                 "tomoscope-cli geometry scene.json --import g.xml --format rtk -o new.json"});
    geometryCmd->add_option("scene", geometry.scene, "scene file (tomoscope-scene JSON)")
        ->required();
    CLI::Option* exportOpt =
        geometryCmd->add_option("--export", geometry.exportPath,
                                "write the geometry to this file (a folder for "
                                "plastimatch-dir)");
    CLI::Option* importOpt = geometryCmd->add_option(
        "--import", geometry.importPath,
        "read this geometry file; the new scene gets its detector, beam and explicit poses");
    exportOpt->excludes(importOpt);
    CLI::Option* formatOpt = geometryCmd->add_option(
        "--format", geometry.format, "json, rtk, astra, matrices or plastimatch-dir");
    bool check = false;
    bool checkJson = false;
    std::string completeness;
    CLI::Option* checkOpt = geometryCmd->add_flag(
        "--check", check,
        "print the sanity findings: truncation (views named), short scan or limited angle, "
        "offset detector, orbits FDK is not exact for");
    geometryCmd->add_flag("--json", checkJson,
                          "print the findings (--check) or the summary (--export, --import) as "
                          "JSON");
    geometryCmd
        ->add_option("--completeness", completeness,
                     "with --check: write Tuy's data-completeness map (fraction of planes through "
                     "each point that meet the source path) on a coarse grid over the "
                     "reconstruction volume, e.g. tuy.nii.gz")
        ->needs(checkOpt);
    checkOpt->excludes(exportOpt)->excludes(importOpt);
    CLI::Option* outputOpt =
        geometryCmd->add_option("-o,--output", geometry.output, "new scene file (with --import)");
    outputOpt->needs(importOpt);
    importOpt->needs(outputOpt);
    geometryCmd->add_option("--detector", geometry.detector,
                            "detector size NU,NV for formats that do not store it (with "
                            "--import; default: the scene's)");

    RenderOptions render;
    std::size_t renderRowValue = 0;
    CLI::App* renderCmd = app.add_subcommand(
        "render",
        "Draw a scene offscreen into a PNG: its scan in 3D, a volume rendering, the three slice "
        "views of its object, or its projections.\n"
        "Needs an X display; where there is none, xvfb-run -a is enough.");
    setExamples(
        *renderCmd,
        {"tomoscope-cli render scene.json --view trajectory -o scan.png --current 30",
         "tomoscope-cli render scene.json --view volume --preset mip -o volume.png",
         "tomoscope-cli render scene.json --view slices --volume recon.nii.gz -o s.png",
         "tomoscope-cli render scene.json --view projections --projections p.mha -o p.png"});
    renderCmd->add_option("scene", render.scene, "scene file (.json)")->required();
    renderCmd->add_option("--view", render.view, "trajectory, volume, slices or projections")
        ->capture_default_str();
    renderCmd->add_option("-o,--output", render.output, "PNG to write")->required();
    renderCmd->add_option("--size", render.size, "WxH pixels")->capture_default_str();
    renderCmd->add_option("--current", render.current, "trajectory: the current view (0-based)")
        ->capture_default_str();
    renderCmd
        ->add_option("--ghost-every", render.ghostEvery,
                     "trajectory: a ghost detector frame every N views (0: about 24 frames)")
        ->capture_default_str();
    renderCmd->add_flag("--completeness", render.completeness,
                        "trajectory: overlay Tuy's data-completeness map (fan and cone beams)");
    renderCmd->add_option("--ray", render.ray,
                          "trajectory: X,Y,Z (mm): highlight the ray from the current source "
                          "through this point to its detector pixel");
    renderCmd->add_option("--volume", render.volume,
                          "volume, slices: show this volume file instead of the scene's object");
    renderCmd->add_option("--preset", render.preset,
                          "volume: ct-bone, soft-tissue, mip or mu-grey (default mu-grey)");
    renderCmd->add_option("--window", render.window,
                          "slices: LOW,HIGH grey window (default: the volume's range)");
    renderCmd->add_option("--colour-map,--color-map", render.colourMap,
                          "slices: the colour map (default grey)");
    renderCmd->add_option("--cursor", render.cursor,
                          "slices: X,Y,Z (mm) the three slices pass through (default: the centre)");
    renderCmd->add_option("--projections", render.projections,
                          "projections: the projection stack to show (the scene's geometry)");
    CLI::Option* renderRow = renderCmd->add_option(
        "--row", renderRowValue, "projections: the detector row of the sinogram (default: middle)");
    renderCmd->add_flag("--json", render.json, "print the summary as JSON on stdout");

    DrrCommandOptions drr;
    CLI::App* drrCmd = app.add_subcommand(
        "drr", "A digitally reconstructed radiograph (DRR) of a CT volume in HU or mu.");
    setExamples(
        *drrCmd,
        {"tomoscope-cli drr ct.nii.gz --view ap -o ap.png",
         "tomoscope-cli drr ct.nii.gz --view lateral -o lat.nii.gz --transmission",
         "tomoscope-cli drr ct.nii.gz --view 30 --pixel 0.5 --compare xray.png -o drr.png"});
    drrCmd->add_option("volume", drr.volume, "CT volume (HU or mu in mm^-1) or DICOM folder")
        ->required();
    drrCmd
        ->add_option("--view", drr.view,
                     "ap (source in front), lateral (left lateral: source on the patient's right) "
                     "or an angle in degrees about the patient's long axis (0 = ap, -90 = lateral)")
        ->capture_default_str();
    drrCmd->add_option("-o,--output", drr.output,
                       "image file: .png (8-bit, windowed) or .nii.gz, .mha, .nrrd (float)");
    drrCmd->add_option("--size", drr.size,
                       "detector WxH pixels (default: the volume's shadow; with --compare the "
                       "X-ray's size)");
    drrCmd->add_option("--pixel", drr.drr.pixelMm, "detector pixel in mm")->capture_default_str();
    drrCmd->add_option("--sid", drr.drr.sourceIsocentreMm, "source-isocentre distance in mm")
        ->capture_default_str();
    drrCmd->add_option("--sdd", drr.drr.sourceDetectorMm, "source-detector distance in mm")
        ->capture_default_str();
    CLI::Option* drrEnergy =
        drrCmd
            ->add_option("--energy", drr.drr.energyKeV,
                         "effective energy in keV at which HU become mu (via mu of water)")
            ->capture_default_str();
    drrCmd->add_flag("--transmission", drr.drr.transmission,
                     "write exp(-line integral) instead of the line integral");
    drrCmd->add_option("--unit", drr.unit,
                       "what the volume's values are: HU or mu_per_mm "
                       "(overrides the file)");
    drrCmd->add_option("--window", drr.window,
                       "LOW,HIGH: values shown black and white in a PNG (default: 0 to the "
                       "maximum)");
    drrCmd->add_option("--compare", drr.compare,
                       "X-ray image (PNG, top row up, or any 2D image file): print L1 and NCC");
    drrCmd->add_option("--device,--backend", drr.device, "as for run");
    drrCmd->add_flag("-q,--quiet", drr.quiet, "no progress bar");
    drrCmd->add_flag("--json", drr.json, "print the summary as JSON on stdout");

    std::string completionShell;
    CLI::App* completionCmd = app.add_subcommand(
        "completion", "Print the shell completion script (bash) for tomoscope-cli on stdout.\n"
                      "The Debian package installs it; from a build, source it yourself.");
    completionCmd->add_option("shell", completionShell, "bash")
        ->required()
        ->check(CLI::IsMember({"bash"}));
    setExamples(*completionCmd, {"source <(tomoscope-cli completion bash)",
                                 "tomoscope-cli completion bash > ~/.local/share/bash-completion/"
                                 "completions/tomoscope-cli"});
    // Hidden: how packaging/ makes the man page from this parser.
    CLI::App* manCmd = app.add_subcommand("manpage", "Print the man page (man(7) markup).");
    manCmd->group("");

    // Values the completion script offers for an option; other values complete file names.
    CompletionChoices choices;
    const auto offer = [&choices](CLI::App* command, const std::string& option,
                                  std::vector<std::string> words) {
        choices[command->get_option(option)] = std::move(words);
    };
    for (CLI::App* command : {runCmd, simulateCmd, projectCmd, backCmd, reconCmd, drrCmd}) {
        offer(command, "--device", {"auto", "cpu", "opencl"});
    }
    offer(projectCmd, "--model", {"joseph", "siddon", "analytic"});
    offer(backCmd, "--model", {"joseph", "siddon", "voxel-driven"});
    offer(reconCmd, "--algorithm",
          {"fbp", "fdk", "sirt", "sart", "os-sart", "cgls", "mlem", "osem", "fista-tv", "tv-pocs",
           "asd-pocs", "awtv-pocs"});
    offer(reconCmd, "--filter", {"ram-lak", "shepp-logan", "cosine", "hamming", "hann"});
    offer(convertCmd, "--interpolation", {"nearest", "linear", "bspline"});
    offer(convertCmd, "--orientation", {"RAS", "LPS", "RAI", "LPI", "RPS", "LAS", "RPI", "LAI"});
    for (CLI::App* command : {convertCmd, simulateCmd, drrCmd}) {
        offer(command, "--unit", {"HU", "mu_per_mm"});
    }
    offer(phantomCmd, "phantom", tomo::builtInPhantomNames());
    offer(geometryCmd, "--format", {"json", "rtk", "astra", "matrices", "plastimatch-dir"});
    offer(renderCmd, "--view", {"trajectory", "volume", "slices", "projections"});
    offer(renderCmd, "--preset", {"ct-bone", "soft-tissue", "mip", "mu-grey"});
    offer(renderCmd, "--colour-map", {"grey", "inverted", "hot", "viridis"});
    offer(drrCmd, "--view", {"ap", "lateral"});
    offer(completionCmd, "shell", {"bash"});

    try {
        app.parse(argc, argv);
        if (drrCmd->parsed() && drr.output.empty() && drr.compare.empty()) {
            throw CLI::ValidationError("drr", "give -o IMAGE, --compare XRAY or both");
        }
        drr.energyGiven = drrEnergy->count() > 0;
        if (geometryCmd->parsed() && !check) {
            if (geometry.exportPath.empty() && geometry.importPath.empty()) {
                throw CLI::ValidationError("geometry",
                                           "give --check, --export FILE or --import FILE");
            }
            if (formatOpt->count() == 0) {
                throw CLI::ValidationError("--format", "--export and --import need --format");
            }
        }
        if (runCmd->parsed() && !run.plan && run.output.empty()) {
            throw CLI::ValidationError("run", "give the output folder: -o DIR (or --plan)");
        }
        if (reconCmd->parsed() && !recon.plan &&
            (recon.projections.empty() || recon.output.empty())) {
            throw CLI::ValidationError("reconstruct",
                                       "give --projections FILE and -o VOLUME (or --plan)");
        }
        if (phantomCmd->parsed() && phantom.grid.empty() && phantom.size.empty()) {
            throw CLI::ValidationError("phantom",
                                       "give the grid: --grid SCENE.json or --size NX,NY,NZ "
                                       "--spacing S");
        }
        for (const CLI::Option* given : {radiusOpt, heightOpt, muOpt}) {
            if (given->count() > 0) {
                phantom.parametersGiven.push_back(given->get_name());
            }
        }
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kExitSuccess : kExitUserError;
    }

    try {
        if (completionCmd->parsed()) {
            std::cout << bashCompletion(app, choices);
            return kExitSuccess;
        }
        if (manCmd->parsed()) {
            std::cout << manPage(app, TOMO_VERSION, TOMO_RELEASE_DATE);
            return kExitSuccess;
        }
        if (runCmd->parsed()) {
            return runCommand(run);
        }
        if (spectrumCmd->parsed()) {
            return spectrumCommand(spectrum);
        }
        if (simulateCmd->parsed()) {
            if (seedOption->count() > 0) {
                simulate.seed = simulateSeed;
            }
            return simulateCommand(simulate);
        }
        if (projectCmd->parsed()) {
            return projectCommand(project);
        }
        if (backCmd->parsed()) {
            return backprojectCommand(back);
        }
        if (phantomCmd->parsed()) {
            return phantomCommand(phantom);
        }
        if (reconCmd->parsed()) {
            return reconstructCommand(recon);
        }
        if (compareCmd->parsed()) {
            return compareCommand(compare);
        }
        if (infoCmd->parsed()) {
            return infoCommand(infoPath, infoJson);
        }
        if (convertCmd->parsed()) {
            return convertCommand(convert);
        }
        if (drrCmd->parsed()) {
            return drrCommand(drr);
        }
        if (renderCmd->parsed()) {
            if (renderRow->count() > 0) {
                render.row = renderRowValue;
            }
            render.commandLine.assign(argv, argv + argc);
            return renderCommand(render);
        }
        if (geometryCmd->parsed()) {
            geometry.json = checkJson;
            return check ? checkCommand(geometry.scene, checkJson, completeness)
                         : geometryCommand(geometry);
        }
        return devicesCommand(devicesJson);
    } catch (const tomo::Cancelled&) {
        std::cerr << "tomoscope-cli: interrupted; no output was written\n";
        return kExitCancelled;
    } catch (const tomo::InvalidArgument& e) {
        std::cerr << "tomoscope-cli: error: " << e.what() << "\n";
        return kExitUserError;
    } catch (const tomo::IoError& e) {
        std::cerr << "tomoscope-cli: error: " << e.what() << "\n";
        return kExitUserError;
    } catch (const tomo::DeviceError& e) {
        std::cerr << "tomoscope-cli: device error: " << e.what() << "\n";
        return kExitInternal;
    } catch (const std::exception& e) {
        std::cerr << "tomoscope-cli: internal error: " << e.what() << "\n";
        return kExitInternal;
    }
}
