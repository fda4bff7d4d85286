// Loading the formats module (formats_module.h), and the public DICOM functions that go through
// it. The module is looked for, in this order: where TOMO_FORMATS_MODULE says (and only there,
// when it is set); relative to the running program, in the installed layout (from bin, and from
// libexec/tomoscope where the render helper lives); in the build tree this core was built in.
#include "io/formats_module.h"

#include "tomo/error.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <dlfcn.h>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

namespace tomo
{
namespace
{
namespace fs = std::filesystem;

// What to do about a module that is missing or does not load.
constexpr const char* kRemedy = "; reinstall tomoscope, or build the target tomo_formats";

void hostLog(LogLevel level, std::string_view message)
{
    log(level, message);
}

/// Where to look: `forced` alone when it is not empty (TOMO_FORMATS_MODULE).
std::vector<fs::path> moduleCandidates(const fs::path& forced)
{
    if (!forced.empty()) {
        return {forced};
    }
    std::vector<fs::path> candidates;
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    if (!error) {
        const fs::path folder = self.parent_path();
        candidates.push_back(
            (folder / TOMO_FORMATS_FROM_BIN / TOMO_FORMATS_MODULE_NAME).lexically_normal());
        candidates.push_back(
            (folder / TOMO_FORMATS_FROM_LIBEXEC / TOMO_FORMATS_MODULE_NAME).lexically_normal());
    }
    candidates.emplace_back(TOMO_FORMATS_BUILD_PATH);
    return candidates;
}

const detail::FormatsApi& loadModule()
{
    const char* variable = std::getenv("TOMO_FORMATS_MODULE");
    const fs::path forced = variable != nullptr ? fs::path(variable) : fs::path();
    // Where a forced path came from, for the messages.
    const std::string source = forced.empty() ? "" : " (set by TOMO_FORMATS_MODULE)";
    std::string looked;
    for (const fs::path& candidate : moduleCandidates(forced)) {
        looked += (looked.empty() ? "" : ", ") + candidate.string() + source;
        std::error_code error;
        if (!fs::exists(candidate, error)) {
            continue;
        }
        // Never closed: ITK keeps the factories it registers, and their code is the module's.
        void* handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) {
            const char* why = ::dlerror();
            throw IoError("cannot load Tomoscope's formats module (DICOM, HDF5, TIFF) " +
                          candidate.string() + source + ": " +
                          (why != nullptr ? why : "unknown error") + kRemedy);
        }
        auto entry = reinterpret_cast<detail::FormatsEntry>( // NOLINT: dlsym's object pointer
            ::dlsym(handle, detail::kFormatsEntryName));
        const detail::FormatsApi* api =
            entry != nullptr ? entry(detail::kFormatsApiVersion, &hostLog) : nullptr;
        if (api == nullptr) {
            throw IoError("Tomoscope's formats module " + candidate.string() + source +
                          " is from another version of Tomoscope (no " + detail::kFormatsEntryName +
                          " of version " + std::to_string(detail::kFormatsApiVersion) + ")" +
                          kRemedy);
        }
        return *api;
    }
    throw IoError("DICOM, HDF5 and TIFF files are read and written by Tomoscope's formats module, "
                  "which is missing (looked for " +
                  looked + ")" + kRemedy);
}
} // namespace

namespace detail
{
const FormatsApi& formatsModule()
{
    // A failed load throws out of call_once and is tried again on the next call.
    static std::once_flag once;
    static const FormatsApi* api = nullptr;
    std::call_once(once, [] { api = &loadModule(); });
    return *api;
}
} // namespace detail

std::vector<DicomSeriesInfo> listDicomSeries(const fs::path& folder)
{
    return detail::formatsModule().listDicomSeries(folder);
}

Volume readDicomSeries(const fs::path& folder, std::string_view seriesUid)
{
    return detail::formatsModule().readDicomSeries(folder, seriesUid);
}

void writeDicomSeries(const Volume& volume, const fs::path& folder,
                      const DicomWriteOptions& options)
{
    // Bad options are refused before the module is loaded.
    options.validate();
    detail::formatsModule().writeDicomSeries(volume, folder, options);
}

void DicomWriteOptions::validate() const
{
    if (!std::isfinite(muWater) || muWater <= 0.0) {
        throwInvalid("dicom.mu_water_per_mm", formatValue(muWater),
                     "must be a positive attenuation in mm^-1 (water at 70 keV: 0.01937)");
    }
    const auto checkText = [](const char* field, const std::string& value) {
        if (value.size() > detail::kDicomMaxLongString) {
            throwInvalid(field, "\"" + value + "\"",
                         "DICOM allows at most 64 characters (" + std::to_string(value.size()) +
                             " given)");
        }
        if (value.find('\\') != std::string::npos) {
            throwInvalid(field, "\"" + value + "\"", "DICOM does not allow a backslash here");
        }
    };
    checkText("dicom.series_description", seriesDescription);
    checkText("dicom.patient_name", patientName);
    checkText("dicom.patient_id", patientId);
    if (seriesNumber < 0 || seriesNumber > std::numeric_limits<std::int32_t>::max()) {
        throwInvalid("dicom.series_number", std::to_string(seriesNumber),
                     "must be in [0, 2147483647]");
    }
}
} // namespace tomo
