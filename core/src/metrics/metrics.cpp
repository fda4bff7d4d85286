#include "tomo/metrics.h"

#include "tomo/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tomo
{
namespace
{
void checkSameGrid(const Volume& a, const Volume& b)
{
    if (!(a.grid() == b.grid())) {
        throwInvalid("estimate grid", "differs from the reference grid",
                     "metrics compare volumes on the same grid; resample one first");
    }
}
} // namespace

double rmse(const Volume& estimate, const Volume& reference)
{
    checkSameGrid(estimate, reference);
    const auto e = estimate.data();
    const auto r = reference.data();
    double sum = 0.0;
    for (std::size_t n = 0; n < e.size(); ++n) {
        const double d = static_cast<double>(e[n]) - static_cast<double>(r[n]);
        sum += d * d;
    }
    return std::sqrt(sum / static_cast<double>(e.size()));
}

double psnr(const Volume& estimate, const Volume& reference)
{
    const double error = rmse(estimate, reference);
    const auto [lo, hi] = std::minmax_element(reference.data().begin(), reference.data().end());
    const double range = static_cast<double>(*hi) - static_cast<double>(*lo);
    if (range <= 0.0) {
        throwInvalid("reference", "constant", "PSNR needs a reference with max > min");
    }
    if (error == 0.0) {
        return std::numeric_limits<double>::infinity();
    }
    return 20.0 * std::log10(range / error);
}
} // namespace tomo
