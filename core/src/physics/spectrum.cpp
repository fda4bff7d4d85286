#include "tomo/spectrum.h"

#include "tomo/error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <string>
#include <xraylib.h>

namespace tomo
{
namespace
{
constexpr double kPi = 3.14159265358979323846;
// The tungsten-anode model is meant for diagnostic and industrial CT tubes.
constexpr double kMinKvp = 20.0;
constexpr double kMaxKvp = 150.0;
// Bins below 5 keV are left out: 0.1 mm of aluminium (any tube window) transmits less than
// 1e-6 of them, so no total filtration worth the name lets them through.
constexpr double kLowestBinKeV = 5.0;
// Thomson–Whiddington: the depth at which an electron of initial energy E0 has slowed to E is
// R·(1 − (E/E0)²), R ∝ E0². R is the mean depth reached along the target's normal, well below
// the CSDA range (electrons scatter sideways and back): 4.5 µm at 100 keV is the one parameter
// of the model fitted to data, chosen so that with 2.5 mm of aluminium the first half-value
// layers fall within 4 % of the IEC 61267 RQR radiation qualities from 50 to 150 kV
// (docs/physics.md has the table; spectrum tests hold them within 6 %).
constexpr double kElectronRangeAt100KeVMm = 0.0045;
constexpr double kTungstenDensity = 19.3;
// K-line yield ∝ (U − 1)^1.63 (Green and Cosslett 1968). Scale: all K photons together equal
// the Kramers continuum per keV at the Kα1 energy times 9 keV times (U − 1)^1.63, which makes
// the Kα1 line about three times its 1 keV continuum bin at 120 kV, the proportion of
// published tungsten spectra. The lines sit near the mean energy of a CT spectrum, so this
// scale barely changes beam hardening.
constexpr double kKLineScaleKeV = 9.0;
constexpr double kKLineExponent = 1.63;
constexpr int kTungsten = 74;

double tungstenMuPerMm(double energyKeV)
{
    return CS_Total(kTungsten, energyKeV, nullptr) * kTungstenDensity / 10.0;
}

// Mean transmission out of the anode for photons made evenly over depths [0, depth].
double anodeTransmission(double energyKeV, double depthMm, double anodeAngleRad)
{
    const double path = depthMm / std::sin(anodeAngleRad);
    const double x = tungstenMuPerMm(energyKeV) * path;
    return x < 1e-9 ? 1.0 : (1.0 - std::exp(-x)) / x;
}

std::size_t binOf(const Spectrum& s, double binKeV, double energyKeV)
{
    const double first = s.energyKeV.front() - 0.5 * binKeV;
    const auto i = static_cast<std::ptrdiff_t>(std::floor((energyKeV - first) / binKeV));
    return static_cast<std::size_t>(
        std::clamp<std::ptrdiff_t>(i, 0, static_cast<std::ptrdiff_t>(s.energyKeV.size()) - 1));
}
} // namespace

void SpectrumSpec::validate() const
{
    if (kvp != 0.0 && !(std::isfinite(kvp) && kvp >= kMinKvp && kvp <= kMaxKvp)) {
        throwInvalid("spectrum.kvp", formatValue(kvp),
                     "a tube voltage from 20 to 150 kV, or 0 for a monochromatic beam");
    }
    if (isMonochromatic() &&
        !(std::isfinite(energyKeV) && energyKeV >= 1.0 && energyKeV <= 1000.0)) {
        throwInvalid("spectrum.energy_kev", formatValue(energyKeV),
                     "a photon energy from 1 to 1000 keV");
    }
    if (!(std::isfinite(anodeAngleDeg) && anodeAngleDeg >= 1.0 && anodeAngleDeg <= 45.0)) {
        throwInvalid("spectrum.anode_angle_deg", formatValue(anodeAngleDeg),
                     "a target angle from 1 to 45 degrees (CT tubes: 7 to 12)");
    }
    if (!(std::isfinite(binKeV) && binKeV >= 0.1 && binKeV <= 10.0)) {
        throwInvalid("spectrum.bin_kev", formatValue(binKeV), "a bin width from 0.1 to 10 keV");
    }
    for (std::size_t i = 0; i < filtration.size(); ++i) {
        const double t = filtration[i].thicknessMm;
        if (!(std::isfinite(t) && t >= 0.0)) {
            throwInvalid("spectrum.filtration[" + std::to_string(i) + "].thickness_mm",
                         formatValue(t), "a thickness of 0 mm or more");
        }
    }
}

double Spectrum::meanEnergyKeV() const
{
    double sum = 0.0;
    for (std::size_t i = 0; i < fraction.size(); ++i) {
        sum += fraction[i] * energyKeV[i];
    }
    return sum;
}

double Spectrum::halfValueLayerMm(const Material& material) const
{
    std::vector<double> kerma(fraction.size());
    std::vector<double> mu(fraction.size());
    for (std::size_t i = 0; i < fraction.size(); ++i) {
        const double muEn = CS_Energy_CP("Air, Dry (near sea level)", energyKeV[i], nullptr);
        kerma[i] = fraction[i] * energyKeV[i] * muEn;
        mu[i] = muPerMm(material, energyKeV[i]);
    }
    const double open = std::accumulate(kerma.begin(), kerma.end(), 0.0);
    const auto transmitted = [&](double t) {
        double sum = 0.0;
        for (std::size_t i = 0; i < kerma.size(); ++i) {
            sum += kerma[i] * std::exp(-mu[i] * t);
        }
        return sum / open;
    };
    double lo = 0.0;
    double hi = 1.0;
    while (transmitted(hi) > 0.5 && hi < 1e4) {
        hi *= 2.0;
    }
    for (int it = 0; it < 60; ++it) {
        const double mid = 0.5 * (lo + hi);
        (transmitted(mid) > 0.5 ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

Spectrum makeSpectrum(const SpectrumSpec& spec)
{
    spec.validate();
    Spectrum s;
    if (spec.isMonochromatic()) {
        s.energyKeV = {spec.energyKeV};
        s.fraction = {1.0};
        return s;
    }
    const double e0 = spec.kvp;
    const double w = spec.binKeV;
    const double angle = spec.anodeAngleDeg * kPi / 180.0;
    const double range = kElectronRangeAt100KeVMm * (e0 / 100.0) * (e0 / 100.0);
    for (double e = std::ceil(kLowestBinKeV / w - 0.5) * w + 0.5 * w; e < e0; e += w) {
        s.energyKeV.push_back(e);
        // Kramers: photons per keV ∝ (E0 − E)/E (the factor Z is common to all bins).
        const double depth = range * (1.0 - (e / e0) * (e / e0));
        s.fraction.push_back((e0 - e) / e * w * anodeTransmission(e, depth, angle));
    }
    if (s.energyKeV.empty()) {
        throwInvalid("spectrum.bin_kev", formatValue(w),
                     "bins narrower than the tube voltage above 5 keV");
    }

    const double edge = EdgeEnergy(kTungsten, K_SHELL, nullptr);
    if (e0 > edge) {
        const std::array<int, 5> lines{KA1_LINE, KA2_LINE, KB1_LINE, KB2_LINE, KB3_LINE};
        std::array<double, 5> rates{};
        for (std::size_t i = 0; i < lines.size(); ++i) {
            rates[i] = RadRate(kTungsten, lines[i], nullptr);
        }
        const double rateSum = std::accumulate(rates.begin(), rates.end(), 0.0);
        const double ka1 = LineEnergy(kTungsten, KA1_LINE, nullptr);
        const double total =
            kKLineScaleKeV * (e0 - ka1) / ka1 * std::pow(e0 / edge - 1.0, kKLineExponent);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const double energy = LineEnergy(kTungsten, lines[i], nullptr);
            // The K shell is ionised by electrons above the edge: from depths up to that of E_K.
            const double depth = range * (1.0 - (edge / e0) * (edge / e0));
            s.fraction[binOf(s, w, energy)] +=
                total * rates[i] / rateSum * anodeTransmission(energy, depth, angle);
        }
    }

    for (const Filter& f : spec.filtration) {
        for (std::size_t i = 0; i < s.energyKeV.size(); ++i) {
            s.fraction[i] *= std::exp(-muPerMm(f.material, s.energyKeV[i]) * f.thicknessMm);
        }
    }
    const double sum = std::accumulate(s.fraction.begin(), s.fraction.end(), 0.0);
    if (!(sum > 0.0)) {
        throwInvalid("spectrum.filtration", "the filters given",
                     "filtration that lets some photons through");
    }
    for (double& f : s.fraction) {
        f /= sum;
    }
    return s;
}
} // namespace tomo
