#pragma once

#include "project/view_params.h"

#include <cstddef>
#include <memory>
#include <vector>

namespace tomo::detail
{
/// The AVX2 Joseph forward projection of `count` views (params from makeViewParams3D) of
/// `volume` into `proj` (the batch's first pixel). Returns false, writing nothing, where the
/// processor or the build has no AVX2 path, TOMO_SIMD turns it off, or the volume is too large
/// for 32-bit gather indices; the caller then runs the portable loop.
[[nodiscard]] bool josephForward3DAvx2(const Setup3D& s, const std::vector<float>& params,
                                       std::size_t count, const float* volume, float* proj);

/// The z-fastest copy of a volume that josephForward3DColumnsAvx2 reads, kept between calls
/// that project the same volume (the view batches of one forwardProject): it is rebuilt only
/// when the grid or a value changes, found by comparing the volume bit for bit with the copy
/// it was built from (about 10 ms at 256³, where rebuilding takes about 150 ms). Holds about
/// three times the volume's memory while it lives. Thread-safe.
class ZColumnCache;
[[nodiscard]] std::shared_ptr<ZColumnCache> makeZColumnCache();

/// The same for scans whose detector rows run along z in every view (no v-tilt): eight rows of
/// a detector column at a time, reading a z-fastest copy of the volume without gathers
/// (joseph3d_columns_avx2.cpp); `cache` (may be null) keeps that copy between calls. Returns
/// false, writing nothing, where that does not apply.
[[nodiscard]] bool josephForward3DColumnsAvx2(const Setup3D& s, const std::vector<float>& params,
                                              std::size_t count, const float* volume, float* proj,
                                              ZColumnCache* cache);

/// The transpose of josephForward3DColumnsAvx2 (the same samples scattered into per-thread
/// z-fastest accumulators, summed into `volume` with `weight`); false, writing nothing, where
/// that path does not apply.
[[nodiscard]] bool josephBack3DColumnsAvx2(const Setup3D& s, const std::vector<float>& params,
                                           std::size_t count, const float* proj, float weight,
                                           float* volume);

/// Its transpose (the scatter of the same samples), adding `weight` times the result to
/// `volume`; returns false as above.
[[nodiscard]] bool josephBack3DAvx2(const Setup3D& s, const std::vector<float>& params,
                                    std::size_t count, const float* proj, float weight,
                                    float* volume);
} // namespace tomo::detail
