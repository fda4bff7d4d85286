#pragma once

#include "tomo/projections.h"
#include "tomo/run_context.h"
#include "tomo/vec3.h"
#include "tomo/volume.h"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace tomo
{
/// A row-major 3×3 rotation matrix whose columns are the world directions of an object's local
/// x, y and z axes (the same layout as VolumeGrid::direction()). A local point q sits at world
/// position centre + R·q.
using Rotation = std::array<double, 9>;

inline constexpr Rotation kIdentityRotation{1, 0, 0, 0, 1, 0, 0, 0, 1};

/// The rotation R = R_z(phi)·R_x(theta)·R_z(psi) (radians): the object is turned about the world
/// z axis by phi, then about its new x axis by theta, then about its new z axis by psi (the
/// intrinsic z-x'-z'' Euler convention of Goldstein, used by the 3D Shepp–Logan tables of Kak &
/// Slaney and of Schabel's phantom3d). Positive angles turn counter-clockwise seen from the
/// positive axis. With theta = psi = 0 it is the 2D in-plane rotation by phi.
[[nodiscard]] Rotation rotationFromEuler(double phi, double theta, double psi);

/// Euler angles (phi, theta, psi) in radians of a rotation in the convention of
/// rotationFromEuler, with theta in [0, π] and phi, psi in (−π, π]; when theta is 0 or π the
/// split between phi and psi is not unique and psi = 0 is returned. The matrix must be a proper
/// rotation; the result is rotationFromEuler's inverse up to rounding.
[[nodiscard]] std::array<double, 3> eulerFromRotation(const Rotation& rotation);

/// The shape of an analytic object, in its local frame (centred on the origin).
enum class ShapeKind
{
    Ellipsoid, ///< x²/a² + y²/b² + z²/c² ≤ 1
    Box,       ///< |x| ≤ a, |y| ≤ b, |z| ≤ c (a rectangular cuboid of half-sizes a, b, c;
               ///< c = +∞ gives the infinitely deep prism of a 2D rectangle)
    Cylinder,  ///< x²/a² + y²/b² ≤ 1 and |z| ≤ c: an elliptic cylinder along local z, c its
               ///< half-length; c = +∞ gives the infinitely long cylinder of a 2D ellipse
};

/// "ellipsoid", "box", "cylinder".
[[nodiscard]] std::string_view toString(ShapeKind kind);

/// Parses "ellipsoid", "box" or "cylinder"; throws InvalidArgument naming `field` otherwise.
[[nodiscard]] ShapeKind parseShapeKind(std::string_view text, std::string_view field = "kind");

/// One analytic object: a constant attenuation added to whatever lies beneath, inside a shape
/// placed in the world frame (DESIGN.md §4). Points on the surface count as inside.
struct AnalyticObject
{
    ShapeKind kind = ShapeKind::Ellipsoid;
    Vec3 centre;                  ///< mm, world position of the local origin
    Vec3 semiAxes{1.0, 1.0, 1.0}; ///< mm: semi-axes (ellipsoid), half-sizes (box), or
                                  ///< (a, b, half-length) (cylinder; half-length may be +∞)
    Rotation rotation = kIdentityRotation; ///< local → world, see Rotation
    /// The material of the object's inside for the X-ray physics (a name findMaterial accepts),
    /// or empty: the material then follows from the HU of the summed values
    /// (MaterialMap). Where objects overlap, the last one holding a point that names a
    /// material decides it (see materialLabels).
    std::string material{};
    double value = 0.0; ///< added attenuation, mm⁻¹

    friend bool operator==(const AnalyticObject&, const AnalyticObject&) = default;
};

/// A 2D ellipse in the z = 0 plane: the cross-section of an infinitely long elliptic cylinder
/// along z (see toObject).
struct Ellipse
{
    double centreX = 0.0;   ///< mm
    double centreY = 0.0;   ///< mm
    double semiAxisA = 1.0; ///< mm, along the ellipse's own x axis before rotation
    double semiAxisB = 1.0; ///< mm
    double angle = 0.0;     ///< radians, counter-clockwise from +x to the A axis
    double value = 0.0;     ///< added attenuation, mm⁻¹
};

/// The infinitely long elliptic cylinder along z whose cross-section is `e`.
[[nodiscard]] AnalyticObject toObject(const Ellipse& e);

/// An analytic phantom: a sum of objects, with exact line integrals along any ray.
struct Phantom
{
    std::string name;
    std::vector<AnalyticObject> objects;

    /// Appends the 2D ellipse `e` as an infinitely long cylinder along z (toObject).
    void addEllipse(const Ellipse& e) { objects.push_back(toObject(e)); }

    /// Throws InvalidArgument naming the object index and field ("objects[3].semi_axes_mm[1]")
    /// for a non-finite centre, value or rotation entry, a non-positive or non-finite semi-axis
    /// (the third one of a cylinder or box may be +∞), or a rotation that is not orthonormal with
    /// determinant +1.
    /// `objectsPath` is where the objects lie in the document being checked ("objects" in a
    /// phantom file, "object.objects" in a scene), the start of every field named.
    void validate(std::string_view objectsPath = "objects") const;

    friend bool operator==(const Phantom&, const Phantom&) = default;
};

enum class SheppLoganVariant
{
    Original, ///< Shepp & Logan (1974) intensities
    Modified, ///< Toft's higher-contrast intensities (MATLAB's "Modified Shepp-Logan")
};

/// Parses "original" or "modified"; throws InvalidArgument naming `field` otherwise.
[[nodiscard]] SheppLoganVariant parseSheppLoganVariant(std::string_view text,
                                                       std::string_view field = "variant");

/// The 2D Shepp–Logan head: the unit-disc definition scaled so that the outer ellipse's
/// semi-axes are 0.69·radius by 0.92·radius (mm), intensities multiplied by `muPerUnit`
/// (mm⁻¹ per table unit). Its ten ellipses are infinitely long cylinders along z.
/// Throws InvalidArgument for a non-positive radius or non-finite scale.
[[nodiscard]] Phantom sheppLogan2D(SheppLoganVariant variant, double radiusMm, double muPerUnit);

/// The 3D Shepp–Logan head: ten ellipsoids, the unit-cube definition of Schabel's phantom3d
/// (the 2D table extended in z after Kak & Slaney) scaled by `radiusMm`, so that the outer
/// ellipsoid's semi-axes are 0.69, 0.92 and 0.81 times the radius (mm); intensities (Shepp &
/// Logan's or Toft's) multiplied by `muPerUnit` (mm⁻¹ per table unit).
/// Throws InvalidArgument for a non-positive radius or non-finite scale.
[[nodiscard]] Phantom sheppLogan3D(SheppLoganVariant variant, double radiusMm, double muPerUnit);

/// A uniform cylinder of water along z, centred on the isocentre: radius and height in mm,
/// attenuation `mu` in mm⁻¹. Throws InvalidArgument for a non-positive radius or height or a
/// non-finite mu.
[[nodiscard]] Phantom waterCylinder(double radiusMm, double heightMm, double mu);

/// The FORBILD head phantom (G. Lauritsch and H. Bruder, "FORBILD head phantom", Institut für
/// Medizinische Physik, Universität Erlangen–Nürnberg, www.imp.uni-erlangen.de/phantoms/head/
/// head.html, 2001) in 3D, from the object list of the published phantom file as the RTK
/// Consortium keeps it (github.com/RTKConsortium/Forbild, file HeadPhantom.pha). The published
/// definition is in cm; here one cm of it is radiusMm/12 mm, so that the skull's semi-axis along
/// y is `radiusMm` (120 gives the published size: skull 96 × 120 × 125 mm). Values are the
/// published densities (skull 1.8, brain 1.05, the ellipsoid behind the brain centre 1.045, eyes
/// 1.06, the two low-contrast spheres 1.0525 and 1.0475, the clot 1.055, frontal sinus 0 (air),
/// bony structures 1.8) times `muPerUnit` (mm⁻¹ per density unit; water's μ gives roughly real
/// attenuation). FORBILD lets a later object replace the density under it; here objects add, so
/// each object carries its density minus the density of what encloses it.
///
/// Built from ellipsoids, elliptic cylinders (finite) and spheres, with exact line integrals:
/// skull, brain, sinus and its septum, eyes, ventricle-like ellipsoid, the two contrast spheres,
/// the clot, the six bony plates and the 144-ellipsoid resolution pattern on the left (16
/// elements, bar sizes 0.25–0.357 mm at the published size). Left out, because they are not
/// ellipsoids, cylinders or boxes: the two cones at the base of the skull (objects 16 and 17)
/// and the inner ear on the right, a half-ellipsoid clipped at x < 9.1 cm that holds 317 air
/// spheres (the spheres are left out with it: without the bone around them they would be air in
/// brain, which FORBILD does not have). Approximated: where two bony objects overlap (8 with 10
/// and 14, 9 with 11 and 14; about 0.02–0.03 cm³ each, all away from z = 0) the values add to
/// 2.55 instead of 1.8. Objects 8 and 9 keep the published, slightly different sizes (1.206483
/// and 0.420276 against 1.2 and 0.42 before the factor cos 15°). docs/phantoms.md has the list.
/// Throws InvalidArgument for a non-positive radius or a non-finite scale.
[[nodiscard]] Phantom forbildHead3D(double radiusMm, double muPerUnit);

/// The central slice z = 0 of forbildHead3D as a 2D phantom: every object of forbildHead3D that
/// crosses the plane becomes its exact cross-section, an ellipse (an infinitely long elliptic
/// cylinder along z) or, for the two tilted bony cylinders 14 and 15, a rectangle (a box of
/// infinite depth). The rectangle of 15 is exact; that of 14 has straight ends where the true
/// section's ends curve inwards by up to 6·10⁻⁵ of the radius (7 µm at the published size).
/// This is the slice of the 3D definition, not the 2D FORBILD table of Yu et al. (2012), which
/// differs in details (it keeps the inner ear and models the cones' section).
/// Throws InvalidArgument for a non-positive radius or a non-finite scale.
[[nodiscard]] Phantom forbildHead2D(double radiusMm, double muPerUnit);

/// The spatial frequencies (line pairs per mm) of the eight bar groups of linePairs2D and
/// linePairs3D for a disc of `radiusMm`: 10, 15, 20, 25, 30, 40, 50 and 60 line pairs per
/// radius, i.e. 0.1 … 0.6 lp/mm for a 100 mm radius and 1 … 6 lp/mm for 10 mm.
/// Throws InvalidArgument for a non-positive radius.
[[nodiscard]] std::array<double, 8> linePairFrequencies(double radiusMm);

/// A bar-pattern resolution phantom in the plane z = 0: a water disc of radius R = `radiusMm`
/// (value 1·muPerUnit) holding eight groups of four bars (boxes) of value +1·muPerUnit over the
/// water. Group k = 0 … 7 shows linePairFrequencies(R)[k] = f line pairs per mm: bars 1/(2f) mm
/// wide and 0.2·R long, 1/f apart centre to centre. The groups sit on a ring: group k's centre is
/// 0.6·R from the isocentre at the angle 90° − 45°·k from +x (group 0, the coarsest, at +y; then
/// clockwise seen from +z); its bars run along the radius and follow one another across it. So a
/// ray along x at y = 0.6·R crosses the four bars of group 0 (4 · R/20 mm of bar) and no other
/// group. Disc and bars are infinitely long along z.
/// Throws InvalidArgument for a non-positive radius or a non-finite scale.
[[nodiscard]] Phantom linePairs2D(double radiusMm, double muPerUnit);

/// linePairs2D extruded: the disc becomes a cylinder along z of length `heightMm` centred on the
/// isocentre, and the bars boxes of the same length.
/// Throws InvalidArgument for a non-positive radius or height or a non-finite scale.
[[nodiscard]] Phantom linePairs3D(double radiusMm, double heightMm, double muPerUnit);

/// A low-contrast detectability (contrast-detail) phantom in the plane z = 0: a water disc of
/// radius R = `radiusMm` (value 1·muPerUnit) holding a 5 × 5 grid of round inserts, 0.25·R apart.
/// The insert in row r and column c (r, c = 0 … 4) has its centre at x = (c − 2)·0.25·R,
/// y = (2 − r)·0.25·R, diameter 0.16, 0.12, 0.08, 0.05 or 0.03 times R (by column, left to right)
/// and contrast +0.10, +0.05, +0.02, +0.01 or +0.005 times muPerUnit over the water (by row, top
/// to bottom): with muPerUnit = μ of water, 100, 50, 20, 10 and 5 HU. Objects: the disc first,
/// then the inserts row by row. Disc and inserts are infinitely long along z.
/// Throws InvalidArgument for a non-positive radius or a non-finite scale.
[[nodiscard]] Phantom contrastDetail2D(double radiusMm, double muPerUnit);

/// contrastDetail2D extruded: the disc becomes a cylinder along z of length `heightMm` centred on
/// the isocentre, and the inserts cylinders of the same length.
/// Throws InvalidArgument for a non-positive radius or height or a non-finite scale.
[[nodiscard]] Phantom contrastDetail3D(double radiusMm, double heightMm, double muPerUnit);

/// Exact ∫μ dl (dimensionless) along the whole line origin + t·direction, t ∈ ℝ (origin in mm;
/// direction need not be unit length, the result is per mm of path). A zero direction gives 0.
/// A line along z inside an infinitely long cylinder or box (third semi-axis +∞) gives ±∞ (the
/// sign of the value); one outside it gives 0.
[[nodiscard]] double lineIntegral(const Phantom& phantom, Vec3 origin, Vec3 direction);

/// Point value (mm⁻¹) at world position p (mm): the sum of the values of the objects holding p.
[[nodiscard]] double valueAt(const Phantom& phantom, Vec3 p);

/// Voxelises the phantom on `grid` as the mean of point samples per voxel: supersampling²
/// samples in the voxel's plane on a 2D grid (nz = 1), supersampling³ on a 3D grid, at offsets
/// (s + 0.5)/supersampling − 0.5 voxels along each index axis (through
/// VolumeGrid::voxelCentre, so direction cosines are honoured). Values in mm⁻¹.
/// Throws InvalidArgument if supersampling is 0.
[[nodiscard]] Volume rasterise(const Phantom& phantom, const VolumeGrid& grid,
                               unsigned supersampling = 4);
/// As above, reporting progress (rows of voxels done) to `context` and stopping with Cancelled
/// when it is cancelled. A 256³ FORBILD head at 4³ samples per voxel takes tens of seconds on
/// two cores, which is why this exists.
[[nodiscard]] Volume rasterise(const Phantom& phantom, const VolumeGrid& grid,
                               unsigned supersampling, RunContext& context);
/// Per voxel of `grid` (x fastest), the index of the last object of `phantom` that names a
/// material (AnalyticObject::material non-empty) and holds the voxel's centre, or −1 where none
/// does. The physics simulation takes each such voxel's material from its object.
[[nodiscard]] std::vector<int> materialLabels(const Phantom& phantom, const VolumeGrid& grid);

/// The "analytic" projector: exact line integrals of `phantom` through the centre of every
/// detector pixel of every view (any beam, flat or cylindrical detector), computed on the CPU in
/// batches of `batchViews` views; after each batch it reports progress and publishes the
/// projections so far (Preview::projections/viewsDone). Ground truth for the discrete
/// projectors. Throws Cancelled between batches.
[[nodiscard]] ProjectionStack projectAnalytic(const Phantom& phantom, const Geometry& geometry,
                                              RunContext& ctx, std::size_t batchViews = 16);
} // namespace tomo
