#include "ocl/compute_impl.h"
#include "tomo/compute.h"
#include "tomo/error.h"
#include "tomo/log.h"
#include "tomo_kernels/embedded_kernels.h"

#ifdef TOMO_HAVE_OPENCL
#include "common/text.h"
#include "ocl/cl_runtime.h"
#endif

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <omp.h>
#include <string>
#include <unistd.h>

namespace tomo
{
#ifndef TOMO_HAVE_OPENCL
namespace ocl
{
class Runtime
{};
} // namespace ocl
#endif

ComputeContext::Impl::Impl() = default;
ComputeContext::Impl::~Impl() = default;

namespace
{
DeviceInfo cpuDevice()
{
    DeviceInfo info;
    info.id = "cpu";
    info.backend = Backend::Cpu;
    info.name = "C++ backend, " + std::to_string(omp_get_max_threads()) + " threads";
    info.platform = "Tomoscope";
    info.vendor = "Tomoscope";
    info.driver = TOMO_VERSION;
    info.type = "CPU";
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGE_SIZE);
    info.globalMemoryBytes = pages > 0 && pageSize > 0 ? static_cast<std::uint64_t>(pages) *
                                                             static_cast<std::uint64_t>(pageSize)
                                                       : 0;
    info.computeUnits = static_cast<unsigned>(omp_get_num_procs());
    return info;
}

#ifdef TOMO_HAVE_OPENCL
// Discovery errors are logged, not thrown: a broken ICD must not stop the CPU backend.
std::vector<ocl::FoundDevice> findOpenClDevices()
{
    static std::once_flag warned;
    std::vector<ocl::FoundDevice> found;
    try {
        found = ocl::findDevices();
    } catch (const DeviceError& e) {
        std::call_once(warned, [&] {
            log(LogLevel::Warning, std::string("OpenCL device discovery failed (") + e.what() +
                                       "); using the CPU backend");
        });
        return {};
    }
    if (found.empty()) {
        std::call_once(warned, [] {
            log(LogLevel::Warning, "no OpenCL platform or device found (install an OpenCL driver "
                                   "such as pocl-opencl-icd); using the CPU backend");
        });
    }
    return found;
}
#endif
} // namespace

std::string_view toString(Backend backend)
{
    return backend == Backend::Cpu ? "cpu" : "opencl";
}

std::string DeviceInfo::label() const
{
    return name + " (" + std::string(toString(backend)) + ", " + platform + ")";
}

std::vector<DeviceInfo> listDevices()
{
    std::vector<DeviceInfo> out{cpuDevice()};
#ifdef TOMO_HAVE_OPENCL
    for (auto& f : findOpenClDevices()) {
        out.push_back(f.info);
    }
#endif
    return out;
}

ComputeContext::ComputeContext(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ComputeContext::~ComputeContext() = default;

const DeviceInfo& ComputeContext::device() const
{
    return m_impl->info;
}

Backend ComputeContext::backend() const
{
    return m_impl->info.backend;
}

std::shared_ptr<ComputeContext> ComputeContext::create(std::string_view choice)
{
    std::string wanted(choice);
    std::string platformFilter;
    if (wanted.empty()) {
        const char* env = std::getenv("TOMO_CL_DEVICE");
        wanted = env != nullptr && *env != '\0' ? env : "auto";
        const char* plat = std::getenv("TOMO_CL_PLATFORM");
        platformFilter = plat != nullptr ? detail::asciiLower(plat) : "";
    }
    const std::string key = detail::asciiLower(wanted);
    auto impl = std::make_unique<Impl>();
    if (key == "cpu") {
        impl->info = cpuDevice();
        return std::shared_ptr<ComputeContext>(new ComputeContext(std::move(impl)));
    }
#ifdef TOMO_HAVE_OPENCL
    std::vector<ocl::FoundDevice> devices = findOpenClDevices();
    if (!platformFilter.empty()) {
        std::erase_if(devices, [&](const ocl::FoundDevice& d) {
            return detail::asciiLower(d.info.platform).find(platformFilter) == std::string::npos;
        });
    }
    const ocl::FoundDevice* pick = nullptr;
    if (key == "auto") {
        for (const auto& d : devices) {
            if (d.info.type != "CPU") {
                pick = &d;
                break;
            }
        }
        if (pick == nullptr) {
            impl->info = cpuDevice();
            return std::shared_ptr<ComputeContext>(new ComputeContext(std::move(impl)));
        }
    } else if (key == "opencl") {
        pick = devices.empty() ? nullptr : &devices.front();
    } else {
        for (const auto& d : devices) {
            if (d.info.id == key ||
                detail::asciiLower(d.info.name).find(key) != std::string::npos) {
                pick = &d;
                break;
            }
        }
    }
    if (pick != nullptr) {
        impl->info = pick->info;
        impl->runtime = std::make_unique<ocl::Runtime>(pick->platform, pick->device);
        return std::shared_ptr<ComputeContext>(new ComputeContext(std::move(impl)));
    }
#else
    if (key == "auto") {
        impl->info = cpuDevice();
        return std::shared_ptr<ComputeContext>(new ComputeContext(std::move(impl)));
    }
#endif
    std::string accepted = "accepted: auto, cpu, opencl, a device id or part of a device name; "
                           "devices here:";
    for (const DeviceInfo& d : listDevices()) {
        accepted += " " + d.id + " (" + d.name + ")";
    }
    throwInvalid("device", "\"" + wanted + "\"", accepted);
}

std::string embeddedKernel(std::string_view name)
{
    const auto source = detail::embeddedKernelSource(name);
    return source ? std::string(*source) : std::string();
}
} // namespace tomo
