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

/// Writes `text` to `path` atomically (writeAtomically); throws IoError naming `path` if the
/// write fails.
void writeTextAtomically(const std::filesystem::path& path, const std::string& text);
} // namespace tomo::detail
