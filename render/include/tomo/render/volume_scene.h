#pragma once

#include "tomo/render/image_rgb.h"
#include "tomo/volume.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

class vtkRenderer;

namespace tomo::render
{
/// How VolumeScene maps a volume's values to colour and opacity (transfer functions).
///
/// CtBone and SoftTissue are defined in Hounsfield units. A volume in HU uses them as they are;
/// a volume in μ (mm⁻¹) converts them with μ = μ_water·(1 + HU/1000), μ_water being the
/// volume's dictionary entry "tomoscope_mu_water_per_mm" (convertToHu/convertToMu and
/// reconstructions record it) or else kWaterMuAt70keV (recon.h). A volume of any other unit
/// (Unknown, e.g. the Shepp–Logan phantom's relative values 0…2) has no HU: its minimum is
/// taken as air (−1000 HU) and its maximum as dense bone (+1000 HU), linearly in between —
/// for the original Shepp–Logan (skull 2, brain ≈ 1.02) that puts the brain at ≈ +20 HU.
/// Mip and MuGrey are grey ramps over the volume's finite value range in any unit.
enum class VolumePreset
{
    CtBone,     ///< "ct-bone": bone opaque and ivory, everything below ~150 HU transparent, shaded
    SoftTissue, ///< "soft-tissue": fat and soft tissue translucent red, bone white, shaded
    Mip,        ///< "mip": maximum-intensity projection, grey over the value range
    MuGrey,     ///< "mu-grey": composite, grey and opacity ramps over the value range
};

/// "ct-bone", "soft-tissue", "mip", "mu-grey".
[[nodiscard]] std::string_view toString(VolumePreset preset);

/// Parses the names toString gives (exactly, as the CLI's other names); nullopt otherwise.
[[nodiscard]] std::optional<VolumePreset> parseVolumePreset(std::string_view text);

/// Ray-cast volume rendering of a volume (vtkSmartVolumeMapper: GPU ray casting where OpenGL
/// has it, Mesa's llvmpipe included, else VTK's CPU ray caster), STYLE.md B.5.
///
/// The volume sits in the world frame where its VolumeGrid says (DESIGN.md §4): the
/// vtkImageData has origin 0 and the grid's spacing, and the vtkVolume's user matrix holds the
/// grid's direction cosines and origin, so voxel (i, j, k) is drawn at
/// grid.voxelCentre(i, j, k). As in all of VTK's point-data volume rendering, what is drawn (and
/// the vtkVolume's bounds) spans voxel centre to voxel centre: the outer half voxel of each face
/// is not drawn, and a 2D image (nz = 1) has no depth and draws nothing (use a slice view).
///
/// Snapshots: the scene keeps the std::shared_ptr<const Volume> it was given and VTK reads its
/// voxels in place (no copy; VTK never writes to or frees them). setVolume swaps the array's
/// pointer and, if the grid changed, the image's dimensions, spacing and matrix: the
/// vtkImageData, mapper, property, transfer functions and vtkVolume stay the same objects, so
/// a reconstruction preview can be fed every few hundred milliseconds. setVolume costs one pass
/// over the voxels (their finite minimum and maximum, for the transfer functions); the upload
/// to the GPU happens at the next render. Nothing here waits on another thread.
///
/// The camera is placed by the constructor, by resetCamera() and by the first setVolume that
/// gives a scene without a volume one; other setVolume calls leave it where the user put it.
///
/// Usage (UI thread only; VTK objects are not thread-safe):
///   VolumeScene scene(snapshot, VolumePreset::CtBone);
///   scene.setVolume(newerSnapshot);                    // in place
///   RgbImage png = scene.renderOffscreen(400, 400);   // tests, CLI screenshots
/// or attach `scene.renderer()` to a host's render window (ui/VtkHostWidget) instead.
class VolumeScene
{
public:
    /// Background colour of every rendering (0xRRGGBB).
    static constexpr std::uint32_t kBackground = kSceneBackground;

    explicit VolumeScene(std::shared_ptr<const Volume> volume = nullptr,
                         VolumePreset preset = VolumePreset::MuGrey);
    ~VolumeScene();
    VolumeScene(const VolumeScene&) = delete;
    VolumeScene& operator=(const VolumeScene&) = delete;

    /// Shows `volume` in place of the current one (see the class comment); the transfer
    /// functions follow its unit and value range. Null shows nothing (only the background) and
    /// lets go of the previous snapshot.
    void setVolume(std::shared_ptr<const Volume> volume);
    /// The snapshot shown, or null.
    [[nodiscard]] const std::shared_ptr<const Volume>& volume() const;

    void setPreset(VolumePreset preset);
    [[nodiscard]] VolumePreset preset() const;

    /// Puts the camera at the default oblique view (from −y and above, +z up, as
    /// TrajectoryScene) framing the volume's box (the outer faces of its voxels); without a
    /// volume, a view of the isocentre.
    void resetCamera();

    /// The renderer holding the volume, for a host render window (add it with
    /// vtkRenderWindow::AddRenderer). The scene keeps ownership.
    [[nodiscard]] vtkRenderer* renderer() const;

    /// Renders the scene into an offscreen window of `width` × `height` pixels and returns the
    /// pixels. Needs an OpenGL context (an X display; Xvfb is enough). The renderer must not be
    /// attached to another window while this runs.
    /// Throws InvalidArgument for a non-positive size, Error if the renderer is attached to a
    /// window other than the scene's own offscreen one.
    [[nodiscard]] RgbImage renderOffscreen(int width, int height);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};
} // namespace tomo::render
