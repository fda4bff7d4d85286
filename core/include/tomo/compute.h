#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tomo
{
/// The two backends behind every operator (DESIGN.md §5).
enum class Backend
{
    Cpu,    ///< multithreaded C++ reference
    OpenCL, ///< kernels/*.cl on an OpenCL device
};

[[nodiscard]] std::string_view toString(Backend backend);

/// One device a ComputeContext can run on.
struct DeviceInfo
{
    std::string id; ///< "cpu", or "opencl:<platform>:<device>" (indices)
    Backend backend = Backend::Cpu;
    std::string name;     ///< device name as the driver reports it
    std::string platform; ///< OpenCL platform name; "Tomoscope" for the CPU backend
    std::string vendor;
    std::string driver; ///< driver version
    std::string type;   ///< "CPU", "GPU", "accelerator"
    std::uint64_t globalMemoryBytes = 0;
    std::uint64_t maxAllocationBytes = 0; ///< largest single buffer (OpenCL); 0 if unknown
    unsigned computeUnits = 0;

    /// One line for status bars and benchmark labels: "<name> (<backend>, <platform>)".
    [[nodiscard]] std::string label() const;
};

/// Every device Tomoscope can use here: the CPU backend first, then each OpenCL device.
/// If no OpenCL platform exists it logs that once (warning) and returns only the CPU backend.
[[nodiscard]] std::vector<DeviceInfo> listDevices();

/// Owns the chosen device and, for OpenCL, its context, queue and program cache (STYLE.md B.3).
/// Thread safety: one ComputeContext may be used by one worker thread at a time; the program cache
/// is internally locked. Pass it down explicitly; there is no global instance.
class ComputeContext
{
public:
    /// Chooses a device from `choice`:
    ///   "auto"       a GPU or accelerator if OpenCL has one, else the CPU backend: measured
    ///                5-9x faster than PoCL's CPU device on the same cores for the 3D
    ///                operators (its AVX2 paths), within ±30% for the 2D ones, and it needs
    ///                no kernel compilation (bench/projector_bench.cpp, docs/benchmarks.md);
    ///   "cpu"        the C++ backend;
    ///   "opencl"     the first OpenCL device;
    ///   "opencl:P:D" platform P, device D (indices from listDevices());
    ///   other text   the first OpenCL device whose name contains it (case-insensitive).
    /// An empty choice reads TOMO_CL_DEVICE (and TOMO_CL_PLATFORM to restrict the platform by
    /// name), defaulting to "auto".
    /// Throws InvalidArgument naming the choice and listing the devices if nothing matches, and
    /// DeviceError if the device exists but cannot be opened.
    [[nodiscard]] static std::shared_ptr<ComputeContext> create(std::string_view choice = {});

    ~ComputeContext();
    ComputeContext(const ComputeContext&) = delete;
    ComputeContext& operator=(const ComputeContext&) = delete;

    [[nodiscard]] const DeviceInfo& device() const;
    [[nodiscard]] Backend backend() const;

    struct Impl;
    /// Internal: the OpenCL state (core/src/ocl). Not for use outside the core.
    [[nodiscard]] Impl& impl() const { return *m_impl; }

private:
    explicit ComputeContext(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// Internal and test hook: the OpenCL C source of embedded kernel `name` with its helpers, or an
/// empty string if it was not embedded.
[[nodiscard]] std::string embeddedKernel(std::string_view name);
} // namespace tomo
