#include "ocl/cl_runtime.h"

#include "tomo/error.h"
#include "tomo/log.h"
#include "tomo_kernels/embedded_kernels.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace tomo::ocl
{
namespace
{
std::string platformString(cl_platform_id platform, cl_platform_info what)
{
    std::size_t size = 0;
    if (clGetPlatformInfo(platform, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) {
        return {};
    }
    std::string text(size, '\0');
    TOMO_CL_CHECK(clGetPlatformInfo(platform, what, size, text.data(), nullptr));
    text.resize(text.find('\0') == std::string::npos ? text.size() : text.find('\0'));
    return text;
}

std::string deviceString(cl_device_id device, cl_device_info what)
{
    std::size_t size = 0;
    if (clGetDeviceInfo(device, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) {
        return {};
    }
    std::string text(size, '\0');
    TOMO_CL_CHECK(clGetDeviceInfo(device, what, size, text.data(), nullptr));
    text.resize(text.find('\0') == std::string::npos ? text.size() : text.find('\0'));
    return text;
}

template <class T> T deviceValue(cl_device_id device, cl_device_info what)
{
    T value{};
    TOMO_CL_CHECK(clGetDeviceInfo(device, what, sizeof(T), &value, nullptr));
    return value;
}

bool envFlag(const char* name)
{
    const char* value = std::getenv(name);
    return value != nullptr && std::string(value) == "1";
}

// TOMO_CL_DUMP=dir: write the exact source and options of every program built.
void dumpProgram(std::string_view file, const std::string& source, const std::string& options)
{
    const char* dir = std::getenv("TOMO_CL_DUMP");
    if (dir == nullptr || *dir == '\0') {
        return;
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::ofstream out(std::filesystem::path(dir) / (std::string(file) + ".cl"));
    out << "// options: " << options << "\n" << source;
    if (!out) {
        log(LogLevel::Warning, "TOMO_CL_DUMP: could not write into " + std::string(dir));
    }
}
} // namespace

std::vector<FoundDevice> findDevices()
{
    cl_uint platformCount = 0;
    const cl_int status = clGetPlatformIDs(0, nullptr, &platformCount);
    if (status == CL_PLATFORM_NOT_FOUND_KHR || platformCount == 0) {
        return {};
    }
    TOMO_CL_CHECK_IN(status, "platform discovery");
    std::vector<cl_platform_id> platforms(platformCount);
    TOMO_CL_CHECK(clGetPlatformIDs(platformCount, platforms.data(), nullptr));
    std::vector<FoundDevice> found;
    for (cl_uint p = 0; p < platformCount; ++p) {
        cl_uint deviceCount = 0;
        const cl_int ds =
            clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, nullptr, &deviceCount);
        if (ds == CL_DEVICE_NOT_FOUND || deviceCount == 0) {
            continue;
        }
        TOMO_CL_CHECK_IN(ds, "device discovery");
        std::vector<cl_device_id> devices(deviceCount);
        TOMO_CL_CHECK(
            clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, deviceCount, devices.data(), nullptr));
        for (cl_uint d = 0; d < deviceCount; ++d) {
            FoundDevice f;
            f.platform = platforms[p];
            f.device = devices[d];
            f.info.id = "opencl:" + std::to_string(p) + ":" + std::to_string(d);
            f.info.backend = Backend::OpenCL;
            f.info.name = deviceString(devices[d], CL_DEVICE_NAME);
            f.info.platform = platformString(platforms[p], CL_PLATFORM_NAME);
            f.info.vendor = deviceString(devices[d], CL_DEVICE_VENDOR);
            f.info.driver = deviceString(devices[d], CL_DRIVER_VERSION);
            const auto type = deviceValue<cl_device_type>(devices[d], CL_DEVICE_TYPE);
            f.info.type = (type & CL_DEVICE_TYPE_GPU)           ? "GPU"
                          : (type & CL_DEVICE_TYPE_ACCELERATOR) ? "accelerator"
                                                                : "CPU";
            f.info.globalMemoryBytes = deviceValue<cl_ulong>(devices[d], CL_DEVICE_GLOBAL_MEM_SIZE);
            f.info.maxAllocationBytes =
                deviceValue<cl_ulong>(devices[d], CL_DEVICE_MAX_MEM_ALLOC_SIZE);
            f.info.computeUnits = deviceValue<cl_uint>(devices[d], CL_DEVICE_MAX_COMPUTE_UNITS);
            found.push_back(std::move(f));
        }
    }
    return found;
}

Runtime::Runtime(cl_platform_id platform, cl_device_id device)
    : m_platform(platform), m_device(device), m_sync(envFlag("TOMO_CL_SYNC"))
{
    m_deviceName = deviceString(device, CL_DEVICE_NAME);
    const cl_context_properties props[] = {CL_CONTEXT_PLATFORM,
                                           reinterpret_cast<cl_context_properties>(platform), 0};
    cl_int status = CL_SUCCESS;
    m_context = Handle<cl_context>(clCreateContext(props, 1, &device, nullptr, nullptr, &status));
    TOMO_CL_CHECK_IN(status, "clCreateContext for " + m_deviceName);
    // clCreateCommandQueue is deprecated in 2.0 but is the OpenCL 1.2 call PoCL and every
    // vendor still export; the project targets 1.2.
    m_queue = Handle<cl_command_queue>(clCreateCommandQueue(m_context.get(), device, 0, &status));
    TOMO_CL_CHECK_IN(status, "clCreateCommandQueue for " + m_deviceName);
}

Handle<cl_kernel> Runtime::kernel(std::string_view file, const char* entry,
                                  const std::string& options)
{
    const std::string fullOptions = "-cl-std=CL1.2 " + options;
    cl_program program = nullptr;
    {
        const std::lock_guard lock(m_cacheMutex);
        auto key = std::make_pair(std::string(file), fullOptions);
        auto found = m_programs.find(key);
        if (found == m_programs.end()) {
            const auto source = tomo::detail::embeddedKernelSource(file);
            if (!source) {
                throw DeviceError("no embedded kernel file named \"" + std::string(file) +
                                  "\" (kernels/" + std::string(file) + ".cl)");
            }
            const std::string text(*source);
            dumpProgram(file, text, fullOptions);
            const char* ptr = text.c_str();
            const std::size_t length = text.size();
            cl_int status = CL_SUCCESS;
            Handle<cl_program> created(
                clCreateProgramWithSource(m_context.get(), 1, &ptr, &length, &status));
            TOMO_CL_CHECK_IN(status, file);
            const cl_int built =
                clBuildProgram(created.get(), 1, &m_device, fullOptions.c_str(), nullptr, nullptr);
            if (built != CL_SUCCESS) {
                std::size_t logSize = 0;
                clGetProgramBuildInfo(created.get(), m_device, CL_PROGRAM_BUILD_LOG, 0, nullptr,
                                      &logSize);
                std::string buildLog(logSize, '\0');
                clGetProgramBuildInfo(created.get(), m_device, CL_PROGRAM_BUILD_LOG, logSize,
                                      buildLog.data(), nullptr);
                throw DeviceError("building kernels/" + std::string(file) + ".cl for " +
                                  m_deviceName + " with options \"" + fullOptions +
                                  "\" failed with " + errorName(built) + "; build log:\n" +
                                  buildLog);
            }
            ++m_builds;
            found = m_programs.emplace(std::move(key), std::move(created)).first;
        }
        program = found->second.get();
    }
    cl_int status = CL_SUCCESS;
    Handle<cl_kernel> k(clCreateKernel(program, entry, &status));
    TOMO_CL_CHECK_IN(status, entry);
    return k;
}

std::size_t Runtime::buildCount() const
{
    const std::lock_guard lock(m_cacheMutex);
    return m_builds;
}

void Runtime::launch(cl_kernel kernel, std::string_view name, std::size_t globalX,
                     std::size_t globalY, std::size_t globalZ)
{
    const std::size_t global[3] = {globalX, globalY, globalZ};
    const cl_uint dimensions = globalZ > 1 ? 3 : (globalY > 1 ? 2 : 1);
    TOMO_CL_CHECK_IN(clEnqueueNDRangeKernel(m_queue.get(), kernel, dimensions, nullptr, global,
                                            nullptr, 0, nullptr, nullptr),
                     name);
    if (m_sync) {
        TOMO_CL_CHECK_IN(clFinish(m_queue.get()), name);
    }
}

void Runtime::launch(cl_kernel kernel, std::string_view name,
                     const std::array<std::size_t, 3>& global,
                     const std::array<std::size_t, 3>& local)
{
    std::array<std::size_t, 3> rounded{};
    for (std::size_t d = 0; d < 3; ++d) {
        rounded[d] = (global[d] + local[d] - 1) / local[d] * local[d];
    }
    TOMO_CL_CHECK_IN(clEnqueueNDRangeKernel(m_queue.get(), kernel, 3, nullptr, rounded.data(),
                                            local.data(), 0, nullptr, nullptr),
                     name);
    if (m_sync) {
        TOMO_CL_CHECK_IN(clFinish(m_queue.get()), name);
    }
}
} // namespace tomo::ocl
