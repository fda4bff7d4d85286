#include "tomo/memory_plan.h"

#include "tomo/error.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace tomo
{
namespace
{
constexpr std::uint64_t kMiB = 1024ULL * 1024ULL;
constexpr std::uint64_t kFloat = sizeof(float);

std::string megabytes(std::uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof(text), "%.0f MB", static_cast<double>(bytes) / kMiB);
    return text;
}

/// MB below a GB, else GB to 0.1 (1 MB = 2^20 bytes, as TOMO_*_MEMORY_MB).
std::string mebibytes(std::uint64_t bytes)
{
    if (bytes < 1024 * kMiB) {
        return megabytes(bytes);
    }
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f GB", static_cast<double>(bytes) / (1024.0 * kMiB));
    return text;
}
} // namespace

std::string MemoryPlan::summary(const VolumeGrid& grid) const
{
    const auto size = grid.size();
    std::string text = "volume " + std::to_string(size[0]) + "x" + std::to_string(size[1]) + "x" +
                       std::to_string(size[2]);
    text += slabs == 1 ? " whole"
                       : " in " + std::to_string(slabs) + " slabs of " +
                             std::to_string(slabSlices) + " slices";
    text += ", " + std::to_string(batchViews) + " views per batch: " + megabytes(deviceBytes) +
            " of " + megabytes(budgetBytes);
    return text;
}

std::uint64_t deviceMemoryBudget(const DeviceInfo& device)
{
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read only
    if (const char* env = std::getenv("TOMO_DEVICE_MEMORY_MB"); env != nullptr) {
        char* end = nullptr;
        const long long mb = std::strtoll(env, &end, 10);
        if (end == env || *end != '\0' || mb <= 0) {
            throwInvalid("TOMO_DEVICE_MEMORY_MB", "\"" + std::string(env) + "\"",
                         "a positive whole number of megabytes, or unset for half the device's "
                         "memory");
        }
        return static_cast<std::uint64_t>(mb) * kMiB;
    }
    return device.globalMemoryBytes / 2;
}

MemoryPlan planMemory(const VolumeGrid& grid, std::size_t pixelsPerView, std::size_t views,
                      std::size_t preferredBatchViews, std::uint64_t budgetBytes,
                      std::uint64_t maxAllocationBytes, const std::string& deviceLabel)
{
    const auto size = grid.size();
    const std::uint64_t sliceBytes = static_cast<std::uint64_t>(size[0]) * size[1] * kFloat;
    const std::uint64_t viewBytes = static_cast<std::uint64_t>(pixelsPerView) * kFloat;
    const std::uint64_t nz = size[2];
    const std::uint64_t maxBuffer = maxAllocationBytes > 0 ? maxAllocationBytes : budgetBytes;
    const std::uint64_t wanted =
        std::clamp<std::uint64_t>(preferredBatchViews, 1, std::max<std::uint64_t>(views, 1));
    auto fail = [&](const std::string& why) {
        throw DeviceError(
            "the device " + deviceLabel + " cannot hold one z-slice (" + std::to_string(size[0]) +
            "x" + std::to_string(size[1]) + ", " + megabytes(sliceBytes) + ") and one view (" +
            std::to_string(pixelsPerView) + " pixels, " + megabytes(viewBytes) + ") within " + why +
            ": use a smaller grid or detector, or raise TOMO_DEVICE_MEMORY_MB");
    };
    if (sliceBytes > maxBuffer || viewBytes > maxBuffer) {
        fail("its largest buffer of " + megabytes(maxBuffer));
    }
    if (sliceBytes + viewBytes > budgetBytes) {
        fail("the budget of " + megabytes(budgetBytes));
    }
    MemoryPlan plan;
    plan.budgetBytes = budgetBytes;
    std::uint64_t batch = std::min(wanted, maxBuffer / viewBytes);
    if (nz * sliceBytes <= maxBuffer && nz * sliceBytes + batch * viewBytes <= budgetBytes) {
        plan.slabSlices = nz; // the volume fits whole beside a full batch
    } else {
        // Slabs: the batch may take at most half the budget, the slab the rest.
        batch = std::clamp<std::uint64_t>(std::min(batch, budgetBytes / 2 / viewBytes), 1, batch);
        const std::uint64_t room = std::min(budgetBytes - batch * viewBytes, maxBuffer);
        plan.slabSlices = std::clamp<std::uint64_t>(room / sliceBytes, 1, nz);
    }
    plan.batchViews = batch;
    plan.slabs = (nz + plan.slabSlices - 1) / plan.slabSlices;
    plan.deviceBytes = plan.slabSlices * sliceBytes + plan.batchViews * viewBytes;
    return plan;
}
std::string HostMemoryEstimate::summary(std::uint64_t projectionBytes,
                                        std::uint64_t volumeBytes) const
{
    return std::to_string(projectionCopies) + " projection stack" +
           (projectionCopies == 1 ? "" : "s") + " of " + mebibytes(projectionBytes) + " + " +
           std::to_string(volumeCopies) + " volume" + (volumeCopies == 1 ? "" : "s") + " of " +
           mebibytes(volumeBytes) + " = " + mebibytes(bytes);
}

HostMemoryEstimate estimateHostMemory(const VolumeGrid& grid, std::size_t pixelsPerView,
                                      std::size_t views, bool iterative)
{
    HostMemoryEstimate e;
    // + 1 of each for reading (ITK's buffer) and writing (ITK's image of the result).
    e.projectionCopies = iterative ? 4 : 3;
    e.volumeCopies = iterative ? 5 : 2;
    const std::uint64_t projectionBytes =
        static_cast<std::uint64_t>(pixelsPerView) * views * sizeof(float);
    const std::uint64_t volumeBytes = static_cast<std::uint64_t>(grid.voxelCount()) * sizeof(float);
    e.bytes = e.projectionCopies * projectionBytes + e.volumeCopies * volumeBytes;
    return e;
}

std::uint64_t hostMemoryBytes()
{
    if (const char* text = std::getenv("TOMO_HOST_MEMORY_MB"); text != nullptr) {
        char* end = nullptr;
        const long long mb = std::strtoll(text, &end, 10);
        if (end == text || *end != '\0' || mb <= 0) {
            throwInvalid("TOMO_HOST_MEMORY_MB", std::string("\"") + text + "\"",
                         "must be a positive whole number of megabytes");
        }
        return static_cast<std::uint64_t>(mb) * 1024U * 1024U;
    }
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long pageSize = ::sysconf(_SC_PAGESIZE);
    if (pages <= 0 || pageSize <= 0) {
        return 0;
    }
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(pageSize);
}

void checkHostMemory(const HostMemoryEstimate& estimate, std::uint64_t projectionBytes,
                     std::uint64_t volumeBytes)
{
    const std::uint64_t limit = hostMemoryBytes();
    if (limit != 0 && estimate.bytes > limit) {
        throwInvalid("host memory", estimate.summary(projectionBytes, volumeBytes),
                     "exceeds the " + mebibytes(limit) +
                         " of this machine; reconstruct a smaller grid (--grid, --spacing), fewer "
                         "views, or a single slice");
    }
}
} // namespace tomo
