#pragma once
// The CLI's own documentation, generated from its CLI11 parser so that it cannot drift from the
// options: the examples block of each subcommand's --help, the bash completion script and the
// man page. packaging/ installs the last two; tests/cli checks them.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace CLI
{
class App;
class Option;
} // namespace CLI

namespace tomo::cli
{
/// Words an option's value can be, offered by the completion script. Options not listed
/// complete file names.
using CompletionChoices = std::map<const CLI::Option*, std::vector<std::string>>;

/// Sets `command`'s --help footer to an "Examples:" block, one command line per entry.
void setExamples(CLI::App& command, const std::vector<std::string>& examples);

/// A bash completion script for `app` (its subcommands, their options, and the choices given).
[[nodiscard]] std::string bashCompletion(const CLI::App& app, const CompletionChoices& choices);

/// The man page of `app` in man(7) markup: every visible subcommand with its options and its
/// examples, the exit status, environment and files.
[[nodiscard]] std::string manPage(const CLI::App& app, std::string_view version,
                                  std::string_view date);
} // namespace tomo::cli
