#include "tomo/error.h"
#include "tomo/memory_plan.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace tomo
{
namespace
{
constexpr std::uint64_t kMiB = 1024ULL * 1024ULL;
constexpr std::uint64_t kNoLimit = 0;

// 256 x 256 slices of 256 KiB; views of 256 x 256 pixels, also 256 KiB.
const VolumeGrid kGrid = VolumeGrid::centred({256, 256, 256}, {1, 1, 1});
constexpr std::size_t kPixels = 256 * 256;
constexpr std::uint64_t kSlice = 256 * kMiB / 1024;

TEST(MemoryPlan, KeepsTheVolumeWholeWhereItFitsBesideTheBatch)
{
    const MemoryPlan plan = planMemory(kGrid, kPixels, 360, 24, 1024 * kMiB, kNoLimit, "test");
    EXPECT_EQ(plan.slabs, 1u);
    EXPECT_EQ(plan.slabSlices, 256u);
    EXPECT_EQ(plan.batchViews, 24u);
    EXPECT_EQ(plan.deviceBytes, 256 * kSlice + 24 * kSlice);
    EXPECT_EQ(plan.summary(kGrid),
              "volume 256x256x256 whole, 24 views per batch: 70 MB of 1024 MB");
}

TEST(MemoryPlan, SplitsTheVolumeIntoSlabsThatFitWithTheBatch)
{
    // 40 MiB: the 64 MiB volume cannot stay whole; 24 views take 6 MiB, leaving 34 MiB = 136
    // slices per slab, so two slabs.
    const MemoryPlan plan = planMemory(kGrid, kPixels, 360, 24, 40 * kMiB, kNoLimit, "test");
    EXPECT_EQ(plan.batchViews, 24u);
    EXPECT_EQ(plan.slabSlices, 136u);
    EXPECT_EQ(plan.slabs, 2u);
    EXPECT_LE(plan.deviceBytes, plan.budgetBytes);
    EXPECT_EQ(plan.summary(kGrid),
              "volume 256x256x256 in 2 slabs of 136 slices, 24 views per batch: 40 MB of 40 MB");
}

TEST(MemoryPlan, ShrinksTheBatchToHalfTheBudgetWhenTheVolumeIsSplit)
{
    // 8 MiB: at most 4 MiB (16 views) for the batch, the other 4 MiB for 16-slice slabs.
    const MemoryPlan plan = planMemory(kGrid, kPixels, 360, 100, 8 * kMiB, kNoLimit, "test");
    EXPECT_EQ(plan.batchViews, 16u);
    EXPECT_EQ(plan.slabSlices, 16u);
    EXPECT_EQ(plan.slabs, 16u);
    EXPECT_LE(plan.deviceBytes, plan.budgetBytes);
}

TEST(MemoryPlan, NoBufferExceedsTheDevicesLargestAllocation)
{
    // Plenty of memory, but no buffer above 16 MiB: 64-slice slabs, 64-view batches at most.
    const MemoryPlan plan = planMemory(kGrid, kPixels, 360, 100, 4096 * kMiB, 16 * kMiB, "test");
    EXPECT_EQ(plan.slabSlices, 64u);
    EXPECT_EQ(plan.slabs, 4u);
    EXPECT_EQ(plan.batchViews, 64u);
}

TEST(MemoryPlan, RefusesADeviceThatCannotHoldOneSliceAndOneView)
{
    try {
        (void)planMemory(kGrid, kPixels, 360, 24, kMiB / 4, kNoLimit, "Tiny GPU (opencl)");
        FAIL() << "no exception";
    } catch (const DeviceError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("Tiny GPU (opencl)"), std::string::npos) << what;
        EXPECT_NE(what.find("256x256"), std::string::npos) << what;
        EXPECT_NE(what.find("TOMO_DEVICE_MEMORY_MB"), std::string::npos) << what;
    }
}

TEST(MemoryPlan, BudgetIsHalfTheDeviceOrWhatTheEnvironmentSays)
{
    DeviceInfo device;
    device.globalMemoryBytes = 8192 * kMiB;
    ::unsetenv("TOMO_DEVICE_MEMORY_MB");
    EXPECT_EQ(deviceMemoryBudget(device), 4096 * kMiB);
    ::setenv("TOMO_DEVICE_MEMORY_MB", "300", 1);
    EXPECT_EQ(deviceMemoryBudget(device), 300 * kMiB);
    for (const char* bad : {"0", "-5", "lots", "12MB"}) {
        ::setenv("TOMO_DEVICE_MEMORY_MB", bad, 1);
        EXPECT_THROW((void)deviceMemoryBudget(device), InvalidArgument) << bad;
    }
    ::unsetenv("TOMO_DEVICE_MEMORY_MB");
}
} // namespace
} // namespace tomo
