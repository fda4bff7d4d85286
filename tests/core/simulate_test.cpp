#include "common/test_support.h"
#include "tomo/attenuation.h"
#include "tomo/error.h"
#include "tomo/metrics.h"
#include "tomo/phantom.h"
#include "tomo/phantom_io.h"
#include "tomo/projector.h"
#include "tomo/recon.h"
#include "tomo/simulate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

namespace tomo
{
namespace
{
// Float rounding through exp and log: −log(exp(−p)) returns p to a few float ulps of p.
constexpr double kRoundTripTolerance = 2e-5;
// Poisson variance test: with n = 20000 pixels the sample variance's relative standard error is
// √(2/n) = 1 %, so the issue's 5 % is a five-sigma bound.
constexpr double kVarianceTolerance = 0.05;
constexpr std::size_t kNoisePixels = 20000;

ProjectionStack uniformStack(std::size_t views, std::size_t columns, float value)
{
    const Geometry g = test::circular2D(BeamType::Parallel2D, views, columns, 1.0);
    ProjectionStack p = ProjectionStack::zeros(g);
    std::fill(p.data().begin(), p.data().end(), value);
    return p;
}

double variance(std::span<const float> values)
{
    double mean = 0.0;
    for (float v : values) {
        mean += v;
    }
    mean /= static_cast<double>(values.size());
    double sum = 0.0;
    for (float v : values) {
        sum += (v - mean) * (v - mean);
    }
    return sum / static_cast<double>(values.size() - 1);
}

SpectrumSpec tube(double kvp, double aluminiumMm = 2.5)
{
    SpectrumSpec s;
    s.kvp = kvp;
    s.filtration = {Filter{findMaterial("aluminium"), aluminiumMm}};
    return s;
}

TEST(Spectrum, MonochromaticIsOneBin)
{
    SpectrumSpec s;
    s.energyKeV = 60.0;
    const Spectrum sp = makeSpectrum(s);
    ASSERT_EQ(sp.energyKeV.size(), 1u);
    EXPECT_EQ(sp.energyKeV[0], 60.0);
    EXPECT_EQ(sp.fraction[0], 1.0);
}

TEST(Spectrum, HardensWithFiltrationAndVoltage)
{
    const Spectrum s80 = makeSpectrum(tube(80));
    const Spectrum s120 = makeSpectrum(tube(120));
    const Spectrum s120hard = makeSpectrum(tube(120, 6.0));
    double sum = 0.0;
    for (double f : s120.fraction) {
        sum += f;
    }
    EXPECT_NEAR(sum, 1.0, 1e-12);
    EXPECT_LT(s80.meanEnergyKeV(), s120.meanEnergyKeV());
    EXPECT_LT(s120.meanEnergyKeV(), s120hard.meanEnergyKeV());
    const Material al = findMaterial("aluminium");
    EXPECT_LT(s80.halfValueLayerMm(al), s120.halfValueLayerMm(al));
    EXPECT_LT(s120.halfValueLayerMm(al), s120hard.halfValueLayerMm(al));
    // Nothing at or above the tube voltage.
    EXPECT_LT(s120.energyKeV.back(), 120.0);
}

// IEC 61267 RQR radiation qualities: the first half-value layer (mm Al) of a tungsten tube at
// each voltage with its total filtration adjusted to about 2.5 mm Al. The model's one fitted
// constant (the electron depth in the anode) was set against these, within 4 %; 6 % keeps the
// model from drifting (a changed filtration, anode or cross-section source moves them by more).
constexpr double kRqrTolerance = 0.06;

TEST(Spectrum, HalfValueLayersMatchTheIecRqrQualities)
{
    const Material al = findMaterial("aluminium");
    const std::array<std::pair<double, double>, 6> rqr{
        {{50, 1.78}, {70, 2.58}, {80, 3.01}, {100, 3.97}, {120, 5.00}, {150, 6.57}}};
    for (const auto& [kvp, hvl] : rqr) {
        SpectrumSpec s = tube(kvp);
        s.anodeAngleDeg = 12.0;
        EXPECT_NEAR(makeSpectrum(s).halfValueLayerMm(al) / hvl, 1.0, kRqrTolerance) << kvp << " kV";
    }
}

TEST(Spectrum, TungstenKLinesAppearAboveTheKEdgeOnly)
{
    // 1 keV bins centred on whole keV + 0.5: Kα1 (59.32 keV) falls in the bin centred at 59.5.
    const auto binAt = [](const Spectrum& s, double e) {
        for (std::size_t i = 0; i < s.energyKeV.size(); ++i) {
            if (std::abs(s.energyKeV[i] - e) < 0.25) {
                return s.fraction[i];
            }
        }
        return -1.0;
    };
    const Spectrum below = makeSpectrum(tube(65));
    const Spectrum above = makeSpectrum(tube(120));
    EXPECT_GT(binAt(above, 59.5), 2.0 * binAt(above, 61.5));
    EXPECT_LT(binAt(below, 59.5), binAt(below, 57.5));
}

TEST(Spectrum, RejectsBadValuesNamingTheField)
{
    SpectrumSpec s;
    s.kvp = 300.0;
    try {
        (void)makeSpectrum(s);
        FAIL() << "300 kV accepted";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("spectrum.kvp"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)findMaterial("unobtainium"), InvalidArgument);
    EXPECT_THROW((void)findMaterial("Xx2@1.0"), InvalidArgument);
    EXPECT_NEAR(findMaterial("Ca5(PO4)3OH@3.16").densityGPerCm3, 3.16, 1e-12);
}

TEST(Materials, SplitPartsSumToTheVolumeAndFollowTheBands)
{
    const double muWater = waterMuPerMm(70.0);
    const VolumeGrid grid = VolumeGrid::centred({4, 1, 1}, {1.0, 1.0, 1.0});
    // air, water, bone (+1000 HU), titanium-like (+6000 HU)
    const std::vector<float> values{0.0f, static_cast<float>(muWater),
                                    static_cast<float>(2.0 * muWater),
                                    static_cast<float>(7.0 * muWater)};
    const Volume mu = Volume::fromData(grid, values);
    const auto parts = splitMaterials(mu, defaultMaterialMap());
    // Air with μ = 0 attenuates at no energy and is left out.
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[0].material.name, "water");
    EXPECT_EQ(parts[1].material.name, "cortical-bone");
    EXPECT_EQ(parts[2].material.name, "titanium");
    for (std::size_t i = 0; i < values.size(); ++i) {
        float sum = 0.0f;
        for (const MaterialPart& p : parts) {
            sum += p.muReference.data()[i];
        }
        EXPECT_EQ(sum, values[i]);
    }
}

// The issue's first equality: a monochromatic scan at the reference energy, through the whole
// detector chain with its effects off, gives the plain projector's line integrals.
TEST(Simulate, MonochromaticAtReferenceEqualsThePlainProjector)
{
    const Geometry g = test::circular2D(BeamType::Fan2D, 60, 128, 1.0);
    const VolumeGrid grid = VolumeGrid::centred({96, 96, 1}, {1.0, 1.0, 1.0});
    const Volume mu =
        rasterise(sheppLogan2D(SheppLoganVariant::Original, 40.0, waterMuPerMm(70.0)), grid, 2);
    auto compute = ComputeContext::create("cpu");
    NullRunContext ctx;
    const auto projector = makeProjector(ProjectorModel::Joseph, *compute);
    const ProjectionStack plain = forwardProject(*projector, mu, g, ctx);
    PhysicsSpec physics;
    physics.detector.mode = DetectorMode::Integrating; // goes through exp, weights and log
    ASSERT_FALSE(physics.isIdeal());
    const SimulationResult sim = simulateScan(mu, g, physics, *compute, ctx);
    ASSERT_EQ(sim.lineIntegrals.geometry(), g);
    for (std::size_t i = 0; i < plain.data().size(); ++i) {
        ASSERT_NEAR(sim.lineIntegrals.data()[i], plain.data()[i],
                    kRoundTripTolerance * (1.0 + plain.data()[i]))
            << "pixel " << i;
    }
    EXPECT_EQ(sim.starvedPixels, 0u);
}

TEST(Simulate, MonochromaticElsewhereScalesEachMaterialByItsSpectrum)
{
    const Geometry g = test::circular2D(BeamType::Parallel2D, 8, 64, 1.0);
    const ProjectionStack waterPaths = uniformStack(8, 64, 1.5f);
    PhysicsSpec physics;
    physics.spectrum.energyKeV = 50.0;
    NullRunContext ctx;
    const SimulationResult sim =
        simulateDetector({waterPaths}, {findMaterial("water")}, physics, ctx);
    const Material water = findMaterial("water");
    const double expected = 1.5 * muPerMm(water, 50.0) / muPerMm(water, 70.0);
    for (float v : sim.lineIntegrals.data()) {
        ASSERT_NEAR(v, expected, kRoundTripTolerance * expected);
    }
}

TEST(Simulate, PoissonNoiseVarianceMatchesTheory)
{
    // λ = I0·e^(−p): below the normal-approximation threshold (exact Poisson draws) and above.
    for (const double p : {2.0, 0.1}) {
        const ProjectionStack stack = uniformStack(40, kNoisePixels / 40, static_cast<float>(p));
        PhysicsSpec physics;
        physics.photonsPerPixel = 1e4;
        physics.seed = 7;
        NullRunContext ctx;
        const SimulationResult sim =
            simulateDetector({stack}, {findMaterial("water")}, physics, ctx, true);
        ASSERT_TRUE(sim.readings.has_value());
        const double lambda = 1e4 * std::exp(-p);
        const double v = variance(sim.readings->data());
        EXPECT_NEAR(v / lambda, 1.0, kVarianceTolerance) << "p = " << p;
        // Through −log the variance is 1/λ (the delta method; λ ≥ 1350 keeps it accurate).
        const double vp = variance(sim.lineIntegrals.data());
        EXPECT_NEAR(vp * lambda, 1.0, kVarianceTolerance) << "p = " << p;
    }
}

TEST(Simulate, IdenticalSeedsGiveIdenticalProjections)
{
    const ProjectionStack stack = uniformStack(20, 100, 1.0f);
    PhysicsSpec physics;
    physics.photonsPerPixel = 1e3;
    physics.electronicNoise = 2.0;
    physics.rings.gainSigma = 0.01;
    NullRunContext ctx;
    const auto a = simulateDetector({stack}, {findMaterial("water")}, physics, ctx);
    const auto b = simulateDetector({stack}, {findMaterial("water")}, physics, ctx);
    EXPECT_EQ(a.lineIntegrals, b.lineIntegrals);
    physics.seed = 2;
    const auto c = simulateDetector({stack}, {findMaterial("water")}, physics, ctx);
    EXPECT_NE(a.lineIntegrals, c.lineIntegrals);
}

// A water cylinder under a 120 kVp spectrum reconstructs darker in the centre than at the edge
// (cupping); the water correction removes most of it.
struct CuppingRun
{
    double centre = 0.0;
    double edge = 0.0;
    [[nodiscard]] double ratio() const { return centre / edge; }
};

CuppingRun reconstructWater(const PhysicsSpec& physics)
{
    const double radius = 100.0;
    // 440 columns of 1.2 mm at magnification 2: a 264 mm field of view around the 200 mm water.
    const Geometry g = test::circular2D(BeamType::Fan2D, 180, 440, 1.2, 2.0 * std::numbers::pi);
    const VolumeGrid fine = VolumeGrid::centred({256, 256, 1}, {1.0, 1.0, 1.0});
    const Volume mu = rasterise(waterCylinder(radius, 400.0, waterMuPerMm(70.0)), fine, 2);
    auto compute = ComputeContext::create("cpu");
    NullRunContext ctx;
    const SimulationResult sim = simulateScan(mu, g, physics, *compute, ctx);
    const VolumeGrid grid = VolumeGrid::centred({128, 128, 1}, {2.0, 2.0, 1.0});
    const Volume image = reconstructFbp2D(sim.lineIntegrals, grid, FbpOptions{}, *compute, ctx);
    return {meanInRegion(image, {{0, 0, 0}, 10.0}), meanInRegion(image, {{80, 0, 0}, 6.0})};
}

// Cupping is measured against the monochromatic scan of the same water (which carries the
// ramp filter's own small centre-to-edge bias, measured 0.994): the 120 kVp centre-to-edge ratio
// over the monochromatic one. Measured 2.7 % of cupping before the water correction and 0.02 %
// after; the
// test asks for at least 1.5 % of cupping and that the correction leaves under a quarter of it.
// The monochromatic control must be flat within 1 %, the tolerance of fbp_test's uniform disc.
constexpr double kMinCupping = 0.015;
constexpr double kMaxCuppingLeft = 0.25;
constexpr double kMonochromaticFlatness = 0.01;

TEST(Simulate, BeamHardeningCupsAWaterCylinderAndTheWaterCorrectionRemovesIt)
{
    PhysicsSpec mono;
    const CuppingRun control = reconstructWater(mono);
    EXPECT_NEAR(control.ratio(), 1.0, kMonochromaticFlatness);

    PhysicsSpec poly;
    poly.spectrum = tube(120);
    poly.detector.mode = DetectorMode::Integrating;
    const double cupping = 1.0 - reconstructWater(poly).ratio() / control.ratio();
    EXPECT_GT(cupping, kMinCupping);
    poly.corrections.waterBeamHardening = true;
    const CuppingRun corrected = reconstructWater(poly);
    const double left = std::abs(1.0 - corrected.ratio() / control.ratio());
    EXPECT_LT(left, kMaxCuppingLeft * cupping) << "cupping " << cupping << ", left " << left;
    // The correction linearises to water's μ at the reference energy.
    EXPECT_NEAR(corrected.centre, control.centre, 0.01 * control.centre);
}

TEST(Simulate, WaterPolynomialLinearisesWater)
{
    const Spectrum s = makeSpectrum(tube(120));
    DetectorResponse det;
    det.mode = DetectorMode::Integrating;
    const auto c = waterCorrectionPolynomial(s, det, 70.0, 400.0, 4);
    const Material water = findMaterial("water");
    for (const double t : {10.0, 100.0, 300.0}) {
        double sum = 0.0;
        double open = 0.0;
        for (std::size_t e = 0; e < s.energyKeV.size(); ++e) {
            const double eta =
                1.0 - std::exp(-muPerMm(det.scintillator, s.energyKeV[e]) * det.thicknessMm);
            const double w = s.fraction[e] * eta * s.energyKeV[e];
            sum += w * std::exp(-muPerMm(water, s.energyKeV[e]) * t);
            open += w;
        }
        const ProjectionStack one = uniformStack(1, 1, static_cast<float>(-std::log(sum / open)));
        ProjectionStack corrected = one;
        applyPolynomial(corrected, c);
        EXPECT_NEAR(corrected.data()[0], waterMuPerMm(70.0) * t, 0.005 * waterMuPerMm(70.0) * t)
            << t << " mm";
    }
}

// A pixel column whose gain drifted draws a ring at the radius its ray passes the isocentre:
// |u − u_centre|·du·SID/SDD for a fan beam.
TEST(Simulate, RingGainDrawsARingAtThePredictedRadius)
{
    const std::size_t columns = 256;
    const double du = 1.0;
    const Geometry g = test::circular2D(BeamType::Fan2D, 360, columns, du, 2.0 * std::numbers::pi);
    const VolumeGrid fine = VolumeGrid::centred({200, 200, 1}, {1.0, 1.0, 1.0});
    const Volume mu = rasterise(waterCylinder(90.0, 400.0, waterMuPerMm(70.0)), fine, 2);
    auto compute = ComputeContext::create("cpu");
    NullRunContext ctx;
    PhysicsSpec clean;
    clean.detector.mode = DetectorMode::Counting;
    PhysicsSpec ringed = clean;
    const std::size_t badColumn = 168;
    ringed.rings.gainMap.assign(columns, 1.0f);
    ringed.rings.gainMap[badColumn] = 1.05f;
    const auto a = simulateScan(mu, g, clean, *compute, ctx);
    const auto b = simulateScan(mu, g, ringed, *compute, ctx);
    // Only that column changed.
    for (std::size_t k = 0; k < g.viewCount(); k += 37) {
        for (std::size_t u = 0; u < columns; ++u) {
            if (u != badColumn) {
                ASSERT_EQ(a.lineIntegrals.view(k)[u], b.lineIntegrals.view(k)[u]);
            }
        }
    }
    const VolumeGrid grid = VolumeGrid::centred({200, 200, 1}, {0.5, 0.5, 1.0});
    const Volume ra = reconstructFbp2D(a.lineIntegrals, grid, FbpOptions{}, *compute, ctx);
    const Volume rb = reconstructFbp2D(b.lineIntegrals, grid, FbpOptions{}, *compute, ctx);
    // Mean |difference| in rings 0.25 mm wide.
    std::vector<double> sum(400, 0.0);
    std::vector<double> count(400, 0.0);
    for (std::size_t j = 0; j < 200; ++j) {
        for (std::size_t i = 0; i < 200; ++i) {
            const Vec3 c = grid.voxelCentre(static_cast<double>(i), static_cast<double>(j), 0);
            const auto bin = static_cast<std::size_t>(std::hypot(c.x, c.y) / 0.25);
            if (bin < sum.size()) {
                sum[bin] += std::abs(rb.at(i, j, 0) - ra.at(i, j, 0));
                count[bin] += 1.0;
            }
        }
    }
    std::size_t peak = 0;
    for (std::size_t bin = 0; bin < sum.size(); ++bin) {
        if (count[bin] > 0 && sum[bin] / count[bin] > sum[peak] / std::max(1.0, count[peak])) {
            peak = bin;
        }
    }
    const double predicted =
        (static_cast<double>(badColumn) - (static_cast<double>(columns) - 1.0) / 2.0) * du * 500.0 /
        1000.0;
    // Within one reconstruction pixel (0.5 mm) of the prediction.
    EXPECT_NEAR((static_cast<double>(peak) + 0.5) * 0.25, predicted, 0.5);
}

TEST(Simulate, ScatterAddsTheAskedRatioOverTheShadow)
{
    const Geometry g = test::circular2D(BeamType::Fan2D, 30, 200, 1.0);
    const VolumeGrid fine = VolumeGrid::centred({160, 160, 1}, {1.0, 1.0, 1.0});
    const Volume mu = rasterise(waterCylinder(60.0, 400.0, waterMuPerMm(70.0)), fine, 2);
    auto compute = ComputeContext::create("cpu");
    NullRunContext ctx;
    PhysicsSpec clean;
    clean.detector.mode = DetectorMode::Counting;
    PhysicsSpec scattered = clean;
    scattered.scatter.spr = 0.3;
    const auto a = simulateScan(mu, g, clean, *compute, ctx, true);
    const auto b = simulateScan(mu, g, scattered, *compute, ctx, true);
    double primary = 0.0;
    double scatter = 0.0;
    for (std::size_t i = 0; i < a.lineIntegrals.data().size(); ++i) {
        if (a.lineIntegrals.data()[i] > 0.05f) {
            primary += a.readings->data()[i];
            scatter += b.readings->data()[i] - a.readings->data()[i];
        }
    }
    EXPECT_NEAR(scatter / primary, 0.3, 1e-3);
    // Scatter lowers every line integral in the shadow (the object looks less dense).
    EXPECT_LT(b.lineIntegrals.view(0)[100], a.lineIntegrals.view(0)[100]);
}

TEST(Simulate, MotionMovesTheObjectAsTheGeometrySays)
{
    // A disc at the origin seen through the moved geometry = the disc moved, seen through the
    // nominal one (a step of 10 mm along x in the second half of the scan, then a turn).
    const Geometry g = test::circular2D(BeamType::Fan2D, 40, 100, 1.0);
    MotionSpec motion;
    motion.profile = MotionProfile::Step;
    motion.translationMm = {10.0, -4.0, 0.0};
    motion.rotationRad = 0.3;
    const Geometry moved = applyMotion(g, motion);
    Phantom disc;
    disc.addEllipse({.centreX = 20.0, .semiAxisA = 15, .semiAxisB = 8, .value = 0.02});
    Phantom displaced;
    // R·c + T with R the turn by 0.3 rad: the ellipse's centre and its axes turn.
    const double c = std::cos(0.3);
    const double s = std::sin(0.3);
    displaced.addEllipse({.centreX = 20.0 * c + 10.0,
                          .centreY = 20.0 * s - 4.0,
                          .semiAxisA = 15,
                          .semiAxisB = 8,
                          .angle = 0.3,
                          .value = 0.02});
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        const Phantom& truth = k < 20 ? disc : displaced;
        for (std::size_t u = 0; u < 100; u += 7) {
            const double a = lineIntegral(disc, moved.poses()[k].source,
                                          moved.pixelCentre(k, static_cast<double>(u), 0) -
                                              moved.poses()[k].source);
            const double b =
                lineIntegral(truth, g.poses()[k].source,
                             g.pixelCentre(k, static_cast<double>(u), 0) - g.poses()[k].source);
            ASSERT_NEAR(a, b, 1e-9) << "view " << k << " column " << u;
        }
    }
    MotionSpec lifted;
    lifted.translationMm = {0.0, 0.0, 5.0};
    EXPECT_THROW((void)applyMotion(g, lifted), InvalidArgument);
}

TEST(Simulate, MotionAndScatterChangeTheReconstructionMeasurably)
{
    // 280 columns: a 140 mm field of view around the 110 mm head.
    const Geometry g = test::circular2D(BeamType::Fan2D, 180, 280, 1.0, 2.0 * std::numbers::pi);
    const VolumeGrid fine = VolumeGrid::centred({160, 160, 1}, {0.8, 0.8, 1.0});
    const Volume mu = rasterise(sheppLogan2D(SheppLoganVariant::Modified, 55.0, 0.02), fine, 2);
    const VolumeGrid grid = VolumeGrid::centred({96, 96, 1}, {1.3, 1.3, 1.0});
    auto compute = ComputeContext::create("cpu");
    NullRunContext ctx;
    const auto reconstruct = [&](const PhysicsSpec& physics) {
        return reconstructFbp2D(simulateScan(mu, g, physics, *compute, ctx).lineIntegrals, grid,
                                FbpOptions{}, *compute, ctx);
    };
    PhysicsSpec clean;
    const Volume still = reconstruct(clean);
    const Volume truth = rasterise(sheppLogan2D(SheppLoganVariant::Modified, 55.0, 0.02), grid, 4);
    PhysicsSpec moving = clean;
    moving.motion.translationMm = {3.0, 0.0, 0.0};
    PhysicsSpec scattering = clean;
    scattering.scatter.spr = 0.2;
    const double base = rmse(still, truth);
    // Each effect at least doubles the error of the clean scan (measured RMSE: clean 4.6e-4,
    // 3 mm of motion 1.8e-3, a scatter-to-primary ratio of 0.2 1.5e-3, in mm⁻¹).
    EXPECT_GT(rmse(reconstruct(moving), truth), 2.0 * base);
    EXPECT_GT(rmse(reconstruct(scattering), truth), 2.0 * base);
}

TEST(Simulate, HuCalibrationMapsWaterAndAirRegions)
{
    const VolumeGrid grid = VolumeGrid::centred({40, 40, 1}, {1.0, 1.0, 1.0});
    Volume v = rasterise(waterCylinder(12.0, 100.0, 0.0185), grid, 1);
    for (float& x : v.data()) {
        x += 0.001f; // an offset, as scatter leaves
    }
    calibrateHu(v, {{0, 0, 0}, 5.0}, {{16, 16, 0}, 3.0});
    EXPECT_NEAR(meanInRegion(v, {{0, 0, 0}, 5.0}), 0.0, 1e-3);
    EXPECT_NEAR(meanInRegion(v, {{16, 16, 0}, 3.0}), -1000.0, 1e-3);
    EXPECT_EQ(v.meta().unit, ValueUnit::Hu);
}

TEST(Simulate, RingRemovalFlattensAStripe)
{
    ProjectionStack p = uniformStack(50, 64, 1.0f);
    for (std::size_t k = 0; k < 50; ++k) {
        p.view(k)[30] += 0.05f;
    }
    removeRings(p, 9);
    for (std::size_t k = 0; k < 50; k += 10) {
        EXPECT_NEAR(p.view(k)[30], 1.0f, 1e-6);
        EXPECT_NEAR(p.view(k)[31], 1.0f, 1e-6);
    }
    EXPECT_THROW(removeRings(p, 4), InvalidArgument);
}

TEST(Simulate, ValidationNamesTheField)
{
    PhysicsSpec physics;
    physics.lag = 2.0;
    try {
        physics.validate();
        FAIL() << "lag 2 accepted";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("simulation.lag"), std::string::npos) << e.what();
    }
    physics.lag = 0.0;
    physics.electronicNoise = 3.0;
    EXPECT_THROW(physics.validate(), InvalidArgument); // needs photons_per_pixel
}
} // namespace
} // namespace tomo

namespace tomo
{
namespace
{
// The two-material table against the direct per-energy Beer–Lambert sum for a few pixels: its
// interpolation error bound (SpectralTable, under 2e-6 for line integrals up to 10) with room
// for float rounding of the sum of ~110 terms.
constexpr double kTableTolerance = 2e-5;

TEST(Simulate, PolychromaticTwoMaterialsMatchTheDirectSum)
{
    const Geometry g = test::circular2D(BeamType::Parallel2D, 3, 50, 1.0);
    ProjectionStack water = ProjectionStack::zeros(g);
    ProjectionStack bone = ProjectionStack::zeros(g);
    for (std::size_t i = 0; i < water.data().size(); ++i) {
        water.data()[i] = 0.061f * static_cast<float>(i % 97);
        bone.data()[i] = 0.023f * static_cast<float>(i % 41);
    }
    PhysicsSpec physics;
    physics.spectrum = tube(120);
    physics.detector.mode = DetectorMode::Integrating;
    const Material w = findMaterial("water");
    const Material b = findMaterial("cortical-bone");
    NullRunContext ctx;
    const SimulationResult sim = simulateDetector({water, bone}, {w, b}, physics, ctx);
    const Spectrum s = makeSpectrum(physics.spectrum);
    for (std::size_t i = 0; i < water.data().size(); i += 13) {
        double sum = 0.0;
        double open = 0.0;
        for (std::size_t e = 0; e < s.energyKeV.size(); ++e) {
            const double energy = s.energyKeV[e];
            const double eta = 1.0 - std::exp(-muPerMm(physics.detector.scintillator, energy) *
                                              physics.detector.thicknessMm);
            const double weight = s.fraction[e] * eta * energy;
            const double a = water.data()[i] * muPerMm(w, energy) / muPerMm(w, 70.0) +
                             bone.data()[i] * muPerMm(b, energy) / muPerMm(b, 70.0);
            sum += weight * std::exp(-a);
            open += weight;
        }
        const double expected = -std::log(sum / open);
        EXPECT_NEAR(sim.lineIntegrals.data()[i], expected, kTableTolerance * (1.0 + expected))
            << "pixel " << i;
    }
}
} // namespace
} // namespace tomo

namespace tomo
{
namespace
{
TEST(Simulate, LagCarriesAFractionOfThePreviousView)
{
    // Views 0-4 see nothing, views 5-9 a line integral of 1: with lag a the first attenuated
    // view reads (1 − a)·e⁻¹ + a·1 (relative to the open beam), and later views approach e⁻¹.
    const Geometry g = test::circular2D(BeamType::Parallel2D, 10, 4, 1.0);
    ProjectionStack p = ProjectionStack::zeros(g);
    for (std::size_t k = 5; k < 10; ++k) {
        std::fill(p.view(k).begin(), p.view(k).end(), 1.0f);
    }
    PhysicsSpec physics;
    physics.lag = 0.2;
    NullRunContext ctx;
    const auto sim = simulateDetector({p}, {findMaterial("water")}, physics, ctx, true);
    const double e1 = std::exp(-1.0);
    EXPECT_NEAR(sim.readings->view(4)[0], 1.0, 1e-6);
    EXPECT_NEAR(sim.readings->view(5)[0], 0.8 * e1 + 0.2, 1e-6);
    EXPECT_NEAR(sim.readings->view(6)[0], 0.8 * e1 + 0.2 * (0.8 * e1 + 0.2), 1e-6);
    EXPECT_LT(sim.lineIntegrals.view(5)[0], 1.0f); // lag lightens the first attenuated view
}

TEST(Simulate, DetectorAndFocalSpotBlurSpreadAnEdgeButKeepFlatAreas)
{
    // A 60-column detector, the right half behind a step of line integral 2.
    const Geometry g = test::circular2D(BeamType::Fan2D, 2, 60, 1.0);
    ProjectionStack p = ProjectionStack::zeros(g);
    for (std::size_t k = 0; k < 2; ++k) {
        for (std::size_t u = 30; u < 60; ++u) {
            p.view(k)[u] = 2.0f;
        }
    }
    NullRunContext ctx;
    PhysicsSpec sharp;
    sharp.detector.mode = DetectorMode::Counting;
    const auto a = simulateDetector({p}, {findMaterial("water")}, sharp, ctx);
    PhysicsSpec detectorBlur = sharp;
    detectorBlur.detector.blurSigmaPx = 2.0;
    PhysicsSpec focalSpot = sharp;
    focalSpot.focalSpotMm = 2.3548 * 2.0; // σ 2 mm, times (M − 1) = 1: 2 pixels
    for (const PhysicsSpec& blurred : {detectorBlur, focalSpot}) {
        const auto b = simulateDetector({p}, {findMaterial("water")}, blurred, ctx);
        // Far from the edge nothing changes; next to it the dark side brightens.
        EXPECT_NEAR(b.lineIntegrals.view(0)[5], a.lineIntegrals.view(0)[5], 1e-5);
        EXPECT_NEAR(b.lineIntegrals.view(0)[55], a.lineIntegrals.view(0)[55], 1e-5);
        EXPECT_LT(b.lineIntegrals.view(0)[30], a.lineIntegrals.view(0)[30] - 0.3f);
        EXPECT_GT(b.lineIntegrals.view(0)[29], a.lineIntegrals.view(0)[29] + 0.05f);
    }
    PhysicsSpec parallel = sharp;
    parallel.focalSpotMm = 1.0;
    EXPECT_THROW(
        (void)simulateDetector({uniformStack(2, 8, 1.0f)}, {findMaterial("water")}, parallel, ctx),
        InvalidArgument);
}
} // namespace
} // namespace tomo

namespace tomo
{
namespace
{
TEST(Materials, ObjectsThatNameAMaterialOverrideTheBands)
{
    const Material iron = findMaterial("iron");
    const double muWater = waterMuPerMm(70.0);
    Phantom p;
    p.objects.push_back(toObject({.semiAxisA = 12, .semiAxisB = 12, .value = muWater}));
    AnalyticObject rod = toObject(
        {.centreX = 4.0, .semiAxisA = 3, .semiAxisB = 3, .value = muPerMm(iron, 70.0) - muWater});
    rod.material = "iron";
    p.objects.push_back(rod);
    const VolumeGrid grid = VolumeGrid::centred({32, 32, 1}, {1.0, 1.0, 1.0});
    const Volume mu = rasterise(p, grid, 1);
    const std::vector<int> labels = materialLabels(p, grid);
    const auto parts = splitMaterials(mu, defaultMaterialMap(), p, labels);
    // By the bands alone the rod would be titanium (above 2500 HU); its object says iron.
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].material.name, "water");
    EXPECT_EQ(parts[1].material.name, "iron");
    EXPECT_EQ(splitMaterials(mu, defaultMaterialMap())[1].material.name, "titanium");
    for (std::size_t i = 0; i < mu.data().size(); ++i) {
        EXPECT_EQ(parts[0].muReference.data()[i] + parts[1].muReference.data()[i], mu.data()[i]);
        EXPECT_EQ(parts[1].muReference.data()[i] != 0.0f, labels[i] == 1) << "voxel " << i;
    }
}

TEST(Materials, PhantomFilesCarryObjectMaterials)
{
    const std::string text = R"({"format": "tomoscope-phantom", "version": 1, "name": "m",
        "objects": [{"kind": "cylinder", "centre_mm": [0, 0, 0], "semi_axes_mm": [10, 10, 5],
                     "value_per_mm": 0.02, "material": "cortical-bone"}]})";
    const Phantom p = parsePhantom(text);
    EXPECT_EQ(p.objects[0].material, "cortical-bone");
    EXPECT_EQ(parsePhantom(toJson(p)), p);
    std::string bad = text;
    bad.replace(bad.find("cortical-bone"), 13, "bone-ish");
    try {
        (void)parsePhantom(bad);
        FAIL() << "an unknown material was accepted";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("objects[0].material"), std::string::npos) << e.what();
    }
}

// "Why this artefact": every effect that is on is listed once and switched off alone.
TEST(PhysicsEffects, EachActiveEffectIsListedAndSwitchedOffAlone)
{
    PhysicsSpec p;
    EXPECT_TRUE(activeEffects(p).empty());
    p.spectrum.kvp = 120.0;
    p.photonsPerPixel = 1e4;
    p.scatter.spr = 0.3;
    p.rings.gainSigma = 0.01;
    p.corrections.ringRemoval = true;
    std::vector<std::string> keys;
    for (const PhysicsEffect& e : activeEffects(p)) {
        keys.push_back(e.key);
        EXPECT_FALSE(e.label.empty());
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"spectrum", "noise", "scatter", "rings"}));
    for (const std::string& key : keys) {
        const PhysicsSpec without = withoutEffect(p, key);
        EXPECT_NO_THROW(without.validate()) << key;
        std::vector<std::string> left;
        for (const PhysicsEffect& e : activeEffects(without)) {
            left.push_back(e.key);
        }
        EXPECT_EQ(left.size(), keys.size() - 1) << key;
        EXPECT_EQ(std::count(left.begin(), left.end(), key), 0) << key;
        EXPECT_TRUE(without.corrections.ringRemoval) << "corrections stay on";
    }
    EXPECT_FALSE(withoutEffect(p, "spectrum").needsMaterials());
    EXPECT_THROW((void)withoutEffect(p, "glare"), InvalidArgument);
}
} // namespace
} // namespace tomo
