#include "common/atomic_file.h"

#include "tomo/error.h"
#include "tomo/io.h"

#include <atomic>
#include <fstream>
#include <string>
#include <system_error>
#include <unistd.h>

namespace tomo::detail
{
namespace
{
std::filesystem::path temporaryFor(const std::filesystem::path& path)
{
    static std::atomic<unsigned> counter{0};
    // Keep every extension (".nii.gz") so writers that pick a format by name still do.
    const std::string name = path.filename().string();
    const std::size_t dot = name.find('.');
    const std::string stem = dot == std::string::npos ? name : name.substr(0, dot);
    const std::string ext = dot == std::string::npos ? "" : name.substr(dot);
    return path.parent_path() / ("." + stem + ".tmp-" + std::to_string(::getpid()) + "-" +
                                 std::to_string(counter++) + ext);
}
/// The folder `path` goes into ("." for a bare name); throws IoError if it does not exist.
std::filesystem::path existingParent(const std::filesystem::path& path)
{
    const std::filesystem::path parent =
        path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(parent, ec)) {
        throw IoError("cannot write " + path.string() + ": the folder " + parent.string() +
                      " does not exist");
    }
    return parent;
}
} // namespace

void writeAtomically(const std::filesystem::path& path,
                     const std::function<void(const std::filesystem::path& temporary)>& write)
{
    const std::filesystem::path parent = existingParent(path);
    std::error_code ec;
    const std::filesystem::path temporary = temporaryFor(path);
    try {
        write(temporary);
        std::filesystem::rename(temporary, path);
    } catch (const Error&) {
        std::filesystem::remove(temporary, ec);
        throw;
    } catch (const std::exception& e) {
        std::filesystem::remove(temporary, ec);
        throw IoError("cannot write " + path.string() + ": " + e.what());
    }
}

void writeFilesAtomically(const std::filesystem::path& path,
                          const std::function<void(const std::filesystem::path& temporary)>& write)
{
    const std::filesystem::path parent = existingParent(path);
    std::error_code ec;
    const std::filesystem::path folder = temporaryFor(parent / (path.filename().string() + ".d"));
    if (!std::filesystem::create_directory(folder, ec) || ec) {
        throw IoError("cannot write " + path.string() + ": cannot create a temporary folder in " +
                      parent.string() + (ec ? ": " + ec.message() : std::string()));
    }
    try {
        write(folder / path.filename());
        for (const auto& entry : std::filesystem::directory_iterator(folder)) {
            std::filesystem::rename(entry.path(), parent / entry.path().filename());
        }
        std::filesystem::remove_all(folder, ec);
    } catch (const Error&) {
        std::filesystem::remove_all(folder, ec);
        throw;
    } catch (const std::exception& e) {
        std::filesystem::remove_all(folder, ec);
        throw IoError("cannot write " + path.string() + ": " + e.what());
    }
}

void writeTextAtomically(const std::filesystem::path& path, const std::string& text)
{
    writeAtomically(path, [&](const std::filesystem::path& temporary) {
        std::ofstream out(temporary, std::ios::binary);
        out << text;
        out.close();
        if (!out) {
            throw IoError("cannot write " + path.string() + ": the write failed");
        }
    });
}
} // namespace tomo::detail

namespace tomo
{
void writeTextFile(const std::filesystem::path& path, const std::string& text)
{
    detail::writeTextAtomically(path, text);
}
} // namespace tomo
