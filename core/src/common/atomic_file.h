#pragma once

#include <filesystem>
#include <functional>

namespace tomo::detail
{
/// Writes a file atomically: `write` receives a temporary path in the same folder (with the same
/// extension, so format detection by extension still works), and on success it is renamed over
/// `path`. On any exception the temporary file is removed and the exception is rethrown, as an
/// IoError naming `path` if it was not already a tomo::Error. Creates no folders.
void writeAtomically(const std::filesystem::path& path,
                     const std::function<void(const std::filesystem::path& temporary)>& write);
} // namespace tomo::detail
