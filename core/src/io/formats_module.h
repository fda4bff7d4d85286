#pragma once

// The formats module: DICOM (through GDCM), HDF5 and TIFF, built as a shared module of its own
// (tomo_formats.so) and loaded by the core on the first file of those kinds. Their libraries
// (GDCM, HDF5 with curl, TLS and Kerberos behind it, libtiff) were 51 of the command line's
// 81 shared libraries, and GDCM builds its dictionaries when it is loaded: together over half of
// the start-up of every command, most of which never meets such a file.
//
// The module links its own copy of the core's code that it uses; the host hands it its log
// function, so that the module's messages reach the host's sink.
#include "tomo/dicom.h"
#include "tomo/log.h"
#include "tomo/volume.h"

#include <cstddef>
#include <filesystem>
#include <string_view>
#include <vector>

namespace tomo::detail
{
/// LO (Series Description, Patient ID...) and each PN component hold at most 64 characters
/// (DicomWriteOptions::validate in the core, the writer in the module).
inline constexpr std::size_t kDicomMaxLongString = 64;

/// Raised when the layout below changes: a module of another version is refused.
inline constexpr int kFormatsApiVersion = 1;

using HostLog = void (*)(LogLevel level, std::string_view message);

/// What the module provides.
struct FormatsApi
{
    std::vector<DicomSeriesInfo> (*listDicomSeries)(const std::filesystem::path& folder);
    Volume (*readDicomSeries)(const std::filesystem::path& folder, std::string_view seriesUid);
    void (*writeDicomSeries)(const Volume& volume, const std::filesystem::path& folder,
                             const DicomWriteOptions& options);
    /// Registers ITK's HDF5 and TIFF image IO factories (idempotent).
    void (*registerItkFactories)();
};

/// The module's entry point, tomo_formats_api: null for another kFormatsApiVersion.
using FormatsEntry = const FormatsApi* (*)(int version, HostLog log);
inline constexpr const char* kFormatsEntryName = "tomo_formats_api";

/// The module, loaded on the first call (thread-safe). Throws IoError naming every place looked
/// in when it is missing, or the loader's message when it does not load.
[[nodiscard]] const FormatsApi& formatsModule();

// Implemented in the module (itk_dicom.cpp). writeDicomSeries has validated the options.
std::vector<DicomSeriesInfo> gdcmListDicomSeries(const std::filesystem::path& folder);
Volume gdcmReadDicomSeries(const std::filesystem::path& folder, std::string_view seriesUid);
void gdcmWriteDicomSeries(const Volume& volume, const std::filesystem::path& folder,
                          const DicomWriteOptions& options);
} // namespace tomo::detail
