#pragma once

// ITK's warnings and errors (itkWarningMacro, "Non uniform sampling or missing slices
// detected"...) go to the core's log instead of straight to stderr. The io code checks what
// matters itself and throws IoError with the file named, so ITK's own lines are logged at Debug.
namespace tomo::detail
{
/// Installs the adapter once; every ITK translation unit calls it before using ITK.
void routeItkOutputToLog();
} // namespace tomo::detail
