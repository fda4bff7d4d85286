#pragma once

// The OpenCL host layer (STYLE.md B.3). Private to core/; nothing here reaches a public header.
#include "tomo/compute.h"

#include <CL/cl.h>
#include <CL/cl_ext.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tomo::ocl
{
/// "CL_OUT_OF_RESOURCES (-5)"; unknown codes print as "CL_UNKNOWN(<n>)".
[[nodiscard]] std::string errorName(cl_int code);

/// Throws DeviceError: "<call> failed with CL_X (n) [in <what>] at file:line".
[[noreturn]] void throwClError(cl_int code, const char* call, std::string_view what,
                               const char* file, int line);

/// Checks a cl_int status. The second form names the kernel or program involved.
#define TOMO_CL_CHECK(expr) TOMO_CL_CHECK_IN(expr, std::string_view{})
#define TOMO_CL_CHECK_IN(expr, what)                                                               \
    do {                                                                                           \
        const cl_int tomoClStatus = (expr);                                                        \
        if (tomoClStatus != CL_SUCCESS) {                                                          \
            ::tomo::ocl::throwClError(tomoClStatus, #expr, (what), __FILE__, __LINE__);            \
        }                                                                                          \
    } while (false)

template <class T> struct HandleTraits;
template <> struct HandleTraits<cl_context>
{
    static void release(cl_context h) { clReleaseContext(h); }
};
template <> struct HandleTraits<cl_command_queue>
{
    static void release(cl_command_queue h) { clReleaseCommandQueue(h); }
};
template <> struct HandleTraits<cl_program>
{
    static void release(cl_program h) { clReleaseProgram(h); }
};
template <> struct HandleTraits<cl_kernel>
{
    static void release(cl_kernel h) { clReleaseKernel(h); }
};
template <> struct HandleTraits<cl_mem>
{
    static void release(cl_mem h) { clReleaseMemObject(h); }
};

/// Move-only owner of one cl_* object; the only place clRelease* is called.
template <class T> class Handle
{
public:
    Handle() = default;
    explicit Handle(T handle) : m_handle(handle) {}
    ~Handle() { reset(); }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& other) noexcept : m_handle(std::exchange(other.m_handle, nullptr)) {}
    Handle& operator=(Handle&& other) noexcept
    {
        if (this != &other) {
            reset();
            m_handle = std::exchange(other.m_handle, nullptr);
        }
        return *this;
    }
    [[nodiscard]] T get() const { return m_handle; }
    void reset()
    {
        if (m_handle != nullptr) {
            HandleTraits<T>::release(m_handle);
            m_handle = nullptr;
        }
    }

private:
    T m_handle = nullptr;
};

/// A typed device buffer that knows its element count.
template <class T> class Buffer
{
public:
    Buffer() = default;
    Buffer(Handle<cl_mem> mem, std::size_t count) : m_mem(std::move(mem)), m_count(count) {}
    [[nodiscard]] cl_mem get() const { return m_mem.get(); }
    [[nodiscard]] std::size_t size() const { return m_count; }
    [[nodiscard]] std::size_t bytes() const { return m_count * sizeof(T); }

private:
    Handle<cl_mem> m_mem;
    std::size_t m_count = 0;
};

/// Platform, device, context, one in-order queue and the program cache of one OpenCL device.
/// Thread safety: the program cache is locked; the queue is for one worker thread at a time
/// (the ComputeContext contract).
class Runtime
{
public:
    Runtime(cl_platform_id platform, cl_device_id device);

    [[nodiscard]] cl_context context() const { return m_context.get(); }
    [[nodiscard]] cl_command_queue queue() const { return m_queue.get(); }
    [[nodiscard]] cl_device_id device() const { return m_device; }

    /// A new kernel object for entry point `entry` of embedded kernel file `file`, built with
    /// `options` (plus -cl-std=CL1.2). The program is built once per (file, options) and cached.
    /// Throws DeviceError with the build log, options and device name if the build fails.
    [[nodiscard]] Handle<cl_kernel> kernel(std::string_view file, const char* entry,
                                           const std::string& options);

    /// Number of program builds so far (the cache's misses); for tests.
    [[nodiscard]] std::size_t buildCount() const;

    /// Bytes copied from the host into buffers by upload() so far; for tests.
    [[nodiscard]] std::uint64_t uploadedBytes() const { return m_uploaded.load(); }

    template <class T>
    [[nodiscard]] Buffer<T> upload(const T* data, std::size_t count, cl_mem_flags flags)
    {
        cl_int status = CL_SUCCESS;
        cl_mem mem = clCreateBuffer(m_context.get(), flags | CL_MEM_COPY_HOST_PTR,
                                    std::max<std::size_t>(count, 1) * sizeof(T),
                                    const_cast<T*>(data), &status);
        TOMO_CL_CHECK_IN(status, "clCreateBuffer (upload)");
        m_uploaded += static_cast<std::uint64_t>(count) * sizeof(T);
        return Buffer<T>(Handle<cl_mem>(mem), count);
    }

    template <class T> [[nodiscard]] Buffer<T> allocate(std::size_t count, cl_mem_flags flags)
    {
        cl_int status = CL_SUCCESS;
        cl_mem mem = clCreateBuffer(m_context.get(), flags,
                                    std::max<std::size_t>(count, 1) * sizeof(T), nullptr, &status);
        TOMO_CL_CHECK_IN(status, "clCreateBuffer (allocate)");
        return Buffer<T>(Handle<cl_mem>(mem), count);
    }

    /// A buffer of `count` zeros (clEnqueueFillBuffer, without a host copy).
    template <class T> [[nodiscard]] Buffer<T> zeros(std::size_t count, cl_mem_flags flags)
    {
        Buffer<T> buffer = allocate<T>(count, flags);
        const T zero{};
        TOMO_CL_CHECK(clEnqueueFillBuffer(m_queue.get(), buffer.get(), &zero, sizeof(T), 0,
                                          std::max<std::size_t>(count, 1) * sizeof(T), 0, nullptr,
                                          nullptr));
        return buffer;
    }

    template <class T> void download(const Buffer<T>& buffer, T* out, std::size_t count)
    {
        TOMO_CL_CHECK(clEnqueueReadBuffer(m_queue.get(), buffer.get(), CL_TRUE, 0,
                                          count * sizeof(T), out, 0, nullptr, nullptr));
    }

    /// Enqueues `kernel` over a 1D, 2D or 3D global range (local size chosen by the driver)
    /// and, with TOMO_CL_SYNC=1, waits for it so an asynchronous error lands on this kernel.
    void launch(cl_kernel kernel, std::string_view name, std::size_t globalX,
                std::size_t globalY = 1, std::size_t globalZ = 1);

    /// The same over a 3D range in work-groups of `local` (for kernels that share data within a
    /// group); each global size is rounded up to a multiple of the group's, so the kernel must
    /// skip the work-items past its grid.
    void launch(cl_kernel kernel, std::string_view name, const std::array<std::size_t, 3>& global,
                const std::array<std::size_t, 3>& local);

private:
    cl_platform_id m_platform = nullptr;
    cl_device_id m_device = nullptr;
    Handle<cl_context> m_context;
    Handle<cl_command_queue> m_queue;
    std::string m_deviceName;
    bool m_sync = false;
    mutable std::mutex m_cacheMutex;
    std::map<std::pair<std::string, std::string>, Handle<cl_program>> m_programs;
    std::size_t m_builds = 0;
    std::atomic<std::uint64_t> m_uploaded{0};
};

/// Sets kernel arguments in order; each argument's size is taken from its type, so a buffer is
/// passed as its cl_mem and scalars by value.
template <class... Args> void setArgs(cl_kernel kernel, std::string_view name, const Args&... args)
{
    static_assert((std::is_trivially_copyable_v<Args> && ...),
                  "pass buffers as buffer.get() (a cl_mem), scalars by value");
    cl_uint index = 0;
    (
        [&] {
            TOMO_CL_CHECK_IN(clSetKernelArg(kernel, index, sizeof(args), &args), name);
            ++index;
        }(),
        ...);
}

/// Every OpenCL device visible here, as DeviceInfo plus the ids needed to open it.
struct FoundDevice
{
    DeviceInfo info;
    cl_platform_id platform = nullptr;
    cl_device_id device = nullptr;
};
[[nodiscard]] std::vector<FoundDevice> findDevices();
} // namespace tomo::ocl
