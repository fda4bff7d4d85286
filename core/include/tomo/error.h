#pragma once

#include <stdexcept>
#include <string>

namespace tomo
{
/// Root of every exception Tomoscope throws. what() is a complete sentence a user can act on.
class Error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// A parameter, geometry, scene field or option has a value that is not accepted.
/// The message names the field, the value and what would be accepted.
class InvalidArgument : public Error
{
public:
    using Error::Error;
};

/// A file could not be read or written; the message names the path and the reason.
class IoError : public Error
{
public:
    using Error::Error;
};

/// A compute device failed (OpenCL error, failed kernel build, no such device).
class DeviceError : public Error
{
public:
    using Error::Error;
};

/// Work was cancelled through its RunContext. Not an error a user caused; callers that keep
/// partial results catch it.
class Cancelled : public Error
{
public:
    Cancelled() : Error("cancelled") {}
};

/// Builds the standard InvalidArgument text: "<field> = <value> is invalid: <accepted>".
[[nodiscard]] std::string describeInvalid(const std::string& field, const std::string& value,
                                          const std::string& accepted);

/// Throws InvalidArgument with describeInvalid(field, value, accepted).
[[noreturn]] void throwInvalid(const std::string& field, const std::string& value,
                               const std::string& accepted);

/// Formats a double for error messages: shortest round-tripping text, "nan", "inf".
[[nodiscard]] std::string formatValue(double value);
} // namespace tomo
