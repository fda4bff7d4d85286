#pragma once

#include "tomo/recon.h"
#include "tomo/volume.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tomo
{
/// One series found in a DICOM folder.
struct DicomSeriesInfo
{
    std::string seriesUid;   ///< Series Instance UID (0020,000E)
    std::string description; ///< Series Description (0008,103E), may be empty
    std::string modality;    ///< Modality (0008,0060): "CT", "MR", "PT"...
    std::size_t files = 0;   ///< number of files of the series in the folder

    friend bool operator==(const DicomSeriesInfo&, const DicomSeriesInfo&) = default;
};

/// The DICOM series in `folder` (not its subfolders), in the order of their UIDs. Files that are
/// not DICOM are ignored.
/// Throws IoError naming the folder if it does not exist or is not a folder.
[[nodiscard]] std::vector<DicomSeriesInfo> listDicomSeries(const std::filesystem::path& folder);

/// Reads one DICOM series of `folder` as a volume: slices sorted by their position along the
/// slice normal, Rescale Slope/Intercept applied (so CT values are HU). The grid is ITK's: origin
/// = Image Position (Patient) of the first slice, direction columns = the row and column
/// directions of Image Orientation (Patient) and their cross product (the slice normal), x/y
/// spacing from Pixel Spacing and z spacing from the slice positions (not Slice Thickness). A
/// single-file series gives nz = 1.
///
/// meta(): modality from (0008,0060); unit Hu for CT, Unknown otherwise; subtype from Series
/// Description, or Image Type where that is empty; the dictionary that writeDicomSeries stored
/// in Image Comments (0020,4000), empty for other series.
///
/// `seriesUid` picks a series; it may be left empty when the folder holds only one.
/// Throws IoError naming the folder (and file where one is at fault) if the folder does not
/// exist, holds no DICOM series, holds several and `seriesUid` is empty (the message lists each
/// series' UID, description and file count), holds no series `seriesUid`, if a file cannot be
/// read, if the slices differ in orientation, are not stacked along their normal (gantry tilt)
/// or are not evenly spaced (a missing slice: the message gives the position of the gap and the
/// expected spacing).
[[nodiscard]] Volume readDicomSeries(const std::filesystem::path& folder,
                                     std::string_view seriesUid = {});

/// How writeDicomSeries writes a CT series.
struct DicomWriteOptions
{
    /// μ of water (mm⁻¹) for converting a volume in μ to HU: 1000·(μ − muWater)/muWater.
    double muWater = kWaterMuAt70keV;
    /// Series Description (0008,103E); empty: the volume's subtype, or "Tomoscope" if that is
    /// empty too.
    std::string seriesDescription;
    /// Patient's Name (0010,0010) and Patient ID (0010,0020): placeholders for simulated data.
    std::string patientName = "Tomoscope^Phantom";
    std::string patientId = "TOMOSCOPE";
    /// Series Number (0020,0011), 0 to 2^31 - 1.
    long seriesNumber = 1;

    /// Throws InvalidArgument naming the first field out of range.
    void validate() const;
};

/// Writes `volume` as a DICOM CT series (CT Image Storage), one file per z slice named
/// IM000001.dcm, IM000002.dcm... in z order, into `folder`. Values are stored as signed 16-bit
/// HU with Rescale Slope 1 and Intercept 0 (round-off ≤ 0.5 HU); a volume in μ (MuPerMm) is
/// converted with options.muWater, a volume in HU is written as is. Each file carries Image
/// Position (Patient) = voxelCentre(0, 0, k), Image Orientation (Patient) = direction columns 0
/// and 1, Pixel Spacing = spacing y \ spacing x, Slice Thickness and Spacing Between Slices =
/// spacing z, shared Study/Series/Frame of Reference UIDs and its own SOP Instance UID, and
/// meta().dictionary as JSON in Image Comments (0020,4000) so that readDicomSeries gives it back.
///
/// DICOM's slice normal is row × column: a volume whose direction is left-handed (det = −1)
/// reads back as the same image in the world with its k axis reversed.
///
/// `folder` must not exist or be an empty folder; its parent must exist. The series is written
/// into a temporary sibling folder that is renamed into place at the end, so a failure leaves
/// nothing behind.
/// Throws InvalidArgument if options are invalid, the unit is Unknown or LineIntegral (DICOM CT
/// needs μ or HU), or a value is not finite or outside the int16 HU range [-32768, 32767].
/// Throws IoError naming the folder if it exists and is not an empty folder, its parent does
/// not exist, or a file cannot be written.
void writeDicomSeries(const Volume& volume, const std::filesystem::path& folder,
                      const DicomWriteOptions& options = {});
} // namespace tomo
