#pragma once

#include "tomo/compute.h"
#include "tomo/volume.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace tomo
{
/// How an operator splits its work to fit a device (DESIGN.md §5): the volume in slabs of whole
/// z-slices, the views in batches, so that one slab and one batch are all the device holds at a
/// time. Computed from the device's reported memory before the work starts, never discovered by
/// an out-of-memory failure.
struct MemoryPlan
{
    std::size_t slabSlices = 0;    ///< z-slices per slab (the last slab may have fewer)
    std::size_t slabs = 0;         ///< number of slabs
    std::size_t batchViews = 0;    ///< views per batch (the last batch may have fewer)
    std::uint64_t deviceBytes = 0; ///< what one slab and one batch occupy on the device
    std::uint64_t budgetBytes = 0; ///< the limit the plan keeps to

    /// "volume 256x256x256 in 3 slabs of 96 slices, 24 views per batch: 790 MB of 2048 MB".
    [[nodiscard]] std::string summary(const VolumeGrid& grid) const;
};

/// The memory an operator may use on `device`: half its global memory (the driver, the display
/// and other programs share the rest), or TOMO_DEVICE_MEMORY_MB (megabytes, 1 MB = 2^20 bytes)
/// where that is set. Throws InvalidArgument naming TOMO_DEVICE_MEMORY_MB if it is not a
/// positive integer.
[[nodiscard]] std::uint64_t deviceMemoryBudget(const DeviceInfo& device);

/// Splits `views` views of `pixelsPerView` float pixels and a float volume on `grid` so that one
/// slab plus one batch fit `budgetBytes` and no buffer exceeds `maxAllocationBytes` (0: no
/// limit). Batches take up to `preferredBatchViews` views (the caller's batch, which is how
/// often progress and previews are published), fewer when the memory asks for it, and never
/// more than half the budget while the volume does not fit whole. Throws DeviceError naming the
/// sizes and the budget when not even one z-slice and one view fit.
[[nodiscard]] MemoryPlan planMemory(const VolumeGrid& grid, std::size_t pixelsPerView,
                                    std::size_t views, std::size_t preferredBatchViews,
                                    std::uint64_t budgetBytes, std::uint64_t maxAllocationBytes,
                                    const std::string& deviceLabel);
} // namespace tomo
