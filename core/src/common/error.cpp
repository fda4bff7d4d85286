#include "tomo/error.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace tomo
{
std::string describeInvalid(const std::string& field, const std::string& value,
                            const std::string& accepted)
{
    return field + " = " + value + " is invalid: " + accepted;
}

void throwInvalid(const std::string& field, const std::string& value, const std::string& accepted)
{
    throw InvalidArgument(describeInvalid(field, value, accepted));
}

std::string formatValue(double value)
{
    if (std::isnan(value)) {
        return "nan";
    }
    if (std::isinf(value)) {
        return value > 0 ? "inf" : "-inf";
    }
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    return std::string(buffer, result.ptr);
}
} // namespace tomo
