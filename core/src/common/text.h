#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace tomo::detail
{
/// `text` with ASCII letters in lower case (names, extensions and keys compared without case).
[[nodiscard]] inline std::string asciiLower(std::string_view text)
{
    std::string out(text);
    std::ranges::transform(out, out.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}
} // namespace tomo::detail
