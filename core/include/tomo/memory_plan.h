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
/// What a reconstruction holds in host memory at its peak, in float arrays of the projection
/// stack's and the volume's size (`projectionCopies` and `volumeCopies`, including the input
/// and the result), and the bytes that makes.
struct HostMemoryEstimate
{
    std::size_t projectionCopies = 0;
    std::size_t volumeCopies = 0;
    std::uint64_t bytes = 0;

    /// "2 projection stacks of 720 MB + 1 volume of 512 MB = 1.9 GB" (1 MB = 2^20 bytes).
    [[nodiscard]] std::string summary(std::uint64_t projectionBytes,
                                      std::uint64_t volumeBytes) const;
};

/// The host memory a reconstruction of `views` views of `pixelsPerView` pixels on `grid` needs
/// at its peak, reading and writing included: analytic methods hold the input and its weighted,
/// filtered copy plus the volume; iterative ones the input, two projection-sized work arrays
/// and four volume-sized ones (estimate, update, sensitivity or search direction, and a TV work
/// array); reading the projections through ITK and writing the volume each hold one more copy
/// for a moment. Measured: FDK of 512³ from 720 views of 512² peaked at 3.0 GB (2^30 bytes)
/// against the estimate of 3.1 GB.
[[nodiscard]] HostMemoryEstimate estimateHostMemory(const VolumeGrid& grid,
                                                    std::size_t pixelsPerView, std::size_t views,
                                                    bool iterative);

/// Physical memory of this machine in bytes, or TOMO_HOST_MEMORY_MB where that is set (for
/// tests and shared machines); 0 if unknown. Throws InvalidArgument naming TOMO_HOST_MEMORY_MB
/// if it is not a positive integer.
[[nodiscard]] std::uint64_t hostMemoryBytes();

/// Throws InvalidArgument naming the sizes, the estimate and the limit if `estimate` exceeds
/// hostMemoryBytes() (when that is known).
void checkHostMemory(const HostMemoryEstimate& estimate, std::uint64_t projectionBytes,
                     std::uint64_t volumeBytes);
} // namespace tomo
