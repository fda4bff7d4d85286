#include "ocl/cl_runtime.h"
#include "tomo/error.h"

#include <string>

namespace tomo::ocl
{
std::string errorName(cl_int code)
{
    const char* name = nullptr;
    switch (code) {
    // clang-format off
    case 0: name = "CL_SUCCESS"; break;
    case -1: name = "CL_DEVICE_NOT_FOUND"; break;
    case -2: name = "CL_DEVICE_NOT_AVAILABLE"; break;
    case -3: name = "CL_COMPILER_NOT_AVAILABLE"; break;
    case -4: name = "CL_MEM_OBJECT_ALLOCATION_FAILURE"; break;
    case -5: name = "CL_OUT_OF_RESOURCES"; break;
    case -6: name = "CL_OUT_OF_HOST_MEMORY"; break;
    case -7: name = "CL_PROFILING_INFO_NOT_AVAILABLE"; break;
    case -8: name = "CL_MEM_COPY_OVERLAP"; break;
    case -9: name = "CL_IMAGE_FORMAT_MISMATCH"; break;
    case -10: name = "CL_IMAGE_FORMAT_NOT_SUPPORTED"; break;
    case -11: name = "CL_BUILD_PROGRAM_FAILURE"; break;
    case -12: name = "CL_MAP_FAILURE"; break;
    case -13: name = "CL_MISALIGNED_SUB_BUFFER_OFFSET"; break;
    case -14: name = "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST"; break;
    case -15: name = "CL_COMPILE_PROGRAM_FAILURE"; break;
    case -16: name = "CL_LINKER_NOT_AVAILABLE"; break;
    case -17: name = "CL_LINK_PROGRAM_FAILURE"; break;
    case -18: name = "CL_DEVICE_PARTITION_FAILED"; break;
    case -19: name = "CL_KERNEL_ARG_INFO_NOT_AVAILABLE"; break;
    case -30: name = "CL_INVALID_VALUE"; break;
    case -31: name = "CL_INVALID_DEVICE_TYPE"; break;
    case -32: name = "CL_INVALID_PLATFORM"; break;
    case -33: name = "CL_INVALID_DEVICE"; break;
    case -34: name = "CL_INVALID_CONTEXT"; break;
    case -35: name = "CL_INVALID_QUEUE_PROPERTIES"; break;
    case -36: name = "CL_INVALID_COMMAND_QUEUE"; break;
    case -37: name = "CL_INVALID_HOST_PTR"; break;
    case -38: name = "CL_INVALID_MEM_OBJECT"; break;
    case -39: name = "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR"; break;
    case -40: name = "CL_INVALID_IMAGE_SIZE"; break;
    case -41: name = "CL_INVALID_SAMPLER"; break;
    case -42: name = "CL_INVALID_BINARY"; break;
    case -43: name = "CL_INVALID_BUILD_OPTIONS"; break;
    case -44: name = "CL_INVALID_PROGRAM"; break;
    case -45: name = "CL_INVALID_PROGRAM_EXECUTABLE"; break;
    case -46: name = "CL_INVALID_KERNEL_NAME"; break;
    case -47: name = "CL_INVALID_KERNEL_DEFINITION"; break;
    case -48: name = "CL_INVALID_KERNEL"; break;
    case -49: name = "CL_INVALID_ARG_INDEX"; break;
    case -50: name = "CL_INVALID_ARG_VALUE"; break;
    case -51: name = "CL_INVALID_ARG_SIZE"; break;
    case -52: name = "CL_INVALID_KERNEL_ARGS"; break;
    case -53: name = "CL_INVALID_WORK_DIMENSION"; break;
    case -54: name = "CL_INVALID_WORK_GROUP_SIZE"; break;
    case -55: name = "CL_INVALID_WORK_ITEM_SIZE"; break;
    case -56: name = "CL_INVALID_GLOBAL_OFFSET"; break;
    case -57: name = "CL_INVALID_EVENT_WAIT_LIST"; break;
    case -58: name = "CL_INVALID_EVENT"; break;
    case -59: name = "CL_INVALID_OPERATION"; break;
    case -60: name = "CL_INVALID_GL_OBJECT"; break;
    case -61: name = "CL_INVALID_BUFFER_SIZE"; break;
    case -62: name = "CL_INVALID_MIP_LEVEL"; break;
    case -63: name = "CL_INVALID_GLOBAL_WORK_SIZE"; break;
    case -64: name = "CL_INVALID_PROPERTY"; break;
    case -65: name = "CL_INVALID_IMAGE_DESCRIPTOR"; break;
    case -66: name = "CL_INVALID_COMPILER_OPTIONS"; break;
    case -67: name = "CL_INVALID_LINKER_OPTIONS"; break;
    case -68: name = "CL_INVALID_DEVICE_PARTITION_COUNT"; break;
    case -1001: name = "CL_PLATFORM_NOT_FOUND_KHR"; break;
    // clang-format on
    default:
        return "CL_UNKNOWN(" + std::to_string(code) + ")";
    }
    return std::string(name) + " (" + std::to_string(code) + ")";
}

void throwClError(cl_int code, const char* call, std::string_view what, const char* file, int line)
{
    std::string message = std::string(call) + " failed with " + errorName(code);
    if (!what.empty()) {
        message += " in " + std::string(what);
    }
    message += " at " + std::string(file) + ":" + std::to_string(line);
    throw DeviceError(message);
}
} // namespace tomo::ocl
