#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace tomo::detail
{
/// Writes a file atomically: `write` receives a temporary path in the same folder (with the same
/// extension, so format detection by extension still works), and on success it is renamed over
/// `path`. On any exception the temporary file is removed and the exception is rethrown, as an
/// IoError naming `path` if it was not already a tomo::Error. Creates no folders.
void writeAtomically(const std::filesystem::path& path,
                     const std::function<void(const std::filesystem::path& temporary)>& write);

/// Writes a file that comes with companions (MetaImage .mhd + .raw, NIfTI + JSON sidecar, raw +
/// JSON header): `write` receives `path`'s name inside a new temporary folder next to it and may
/// write any files there; on success each is renamed into `path`'s folder (replacing files of the
/// same name) and the temporary folder removed. On any exception nothing is moved, the temporary
/// folder is removed and the exception rethrown (as an IoError naming `path` if it was not a
/// tomo::Error). Each file is replaced atomically; the set is complete once the call returns.
void writeFilesAtomically(const std::filesystem::path& path,
                          const std::function<void(const std::filesystem::path& temporary)>& write);

/// Writes `text` to `path` atomically (writeAtomically); throws IoError naming `path` if the
/// write fails.
void writeTextAtomically(const std::filesystem::path& path, const std::string& text);
} // namespace tomo::detail
