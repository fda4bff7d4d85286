#pragma once

#include "common/json_reader.h"
#include "tomo/simulate.h"

namespace tomo::detail
{
/// Reads the physics keys of a scene's "simulation" section (all but "model"), starting from
/// the defaults of PhysicsSpec. Throws InvalidArgument naming the JSON path.
[[nodiscard]] PhysicsSpec readPhysics(JsonReader& simulation);

/// The physics keys of the "simulation" section, every field written.
void writePhysics(const PhysicsSpec& physics, Json& simulation);
} // namespace tomo::detail
