#pragma once

// Private to core: the "objects" array of phantom JSON, shared by phantom files (phantom_io.cpp)
// and the scene file's inline phantom ("object": {"phantom": "inline", "objects": [...]}).

#include "tomo/phantom.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace tomo::detail
{
/// Reads `objects`, an array of {kind, centre_mm, semi_axes_mm, euler_deg | rotation,
/// value_per_mm, material} (phantom_io.h), whose JSON path is `path` ("objects",
/// "object.objects") in a document of kind `document` ("phantom", "scene"; for
/// JsonKeyRecorder). Throws InvalidArgument naming "<path>[n].<key>", the value and what is
/// accepted. The objects are checked as Phantom::validate checks them.
[[nodiscard]] std::vector<AnalyticObject> readPhantomObjects(const nlohmann::json& objects,
                                                             const std::string& path,
                                                             const std::string& document);

/// The objects as readPhantomObjects reads them, exactly (see toJson(const Phantom&)).
[[nodiscard]] nlohmann::json phantomObjectsJson(const std::vector<AnalyticObject>& objects);
} // namespace tomo::detail
