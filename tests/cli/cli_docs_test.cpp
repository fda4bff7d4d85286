// The CLI's generated documentation: --help examples, the bash completion script and the man
// page, all made from its option parser (app/cli_docs.cpp), and --json on every command that
// prints results.
#include "shell_run.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace
{
namespace fs = std::filesystem;

using Outcome = tomo::test::ShellOutcome;

Outcome shell(const std::string& command)
{
    return tomo::test::runShell(command);
}

Outcome cli(const std::string& args)
{
    return shell(std::string(TOMO_CLI_PATH) + " " + args);
}

/// The subcommands the top-level --help lists under "Subcommands:".
std::vector<std::string> subcommands()
{
    const std::string help = cli("--help").output;
    std::vector<std::string> names;
    const auto at = help.find("Subcommands:");
    std::istringstream in(help.substr(at == std::string::npos ? help.size() : at));
    std::string line;
    std::getline(in, line);
    const std::regex entry(R"(^  ([a-z]+)\s)");
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_search(line, m, entry)) {
            names.push_back(m[1]);
        }
    }
    return names;
}

bool haveProgram(const std::string& name)
{
    return shell("command -v " + name + " >/dev/null 2>&1").exitCode == 0;
}

class CliDocs : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = fs::temp_directory_path() /
                (std::string("tomo_cli_docs_") +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }
    fs::path m_dir;
};

// The commands issue 10 names; a new one must be added here and get examples.
constexpr std::size_t kKnownCommands = 15;

TEST_F(CliDocs, EveryCommandsHelpHasExamplesThatUseItsOwnOptions)
{
    const std::vector<std::string> names = subcommands();
    ASSERT_GE(names.size(), kKnownCommands) << cli("--help").output;
    const std::regex optionWord(R"((^|\s)(--?[a-zA-Z][a-zA-Z-]*))");
    for (const std::string& name : names) {
        const Outcome help = cli(name + " --help");
        EXPECT_EQ(help.exitCode, 0) << name;
        const auto at = help.output.find("Examples:\n");
        ASSERT_NE(at, std::string::npos) << name << " --help has no examples:\n" << help.output;
        const std::string options = help.output.substr(0, at);
        std::istringstream examples(help.output.substr(at + 10));
        int count = 0;
        for (std::string line; std::getline(examples, line) && line.starts_with("  ");) {
            ++count;
            EXPECT_NE(line.find("tomoscope-cli " + name), std::string::npos)
                << name << ": an example of another command: " << line;
            for (std::sregex_iterator it(line.begin(), line.end(), optionWord), end; it != end;
                 ++it) {
                const std::string word = (*it)[2];
                EXPECT_NE(options.find(word), std::string::npos)
                    << name << ": example uses " << word
                    << ", which --help does not list: " << line;
            }
        }
        EXPECT_GE(count, 1) << name;
    }
}

TEST_F(CliDocs, BashCompletionCompletesCommandsOptionsAndValues)
{
    const fs::path script = m_dir / "tomoscope-cli.bash";
    ASSERT_EQ(shell(std::string(TOMO_CLI_PATH) + " completion bash > " + script.string()).exitCode,
              0);
    ASSERT_EQ(shell("bash -n " + script.string()).exitCode, 0) << "syntax error in the script";
    // Completes the words after the program name; prints the candidates.
    const auto complete = [&](const std::string& words) {
        const std::string body = "source '" + script.string() + "'; COMP_WORDS=(tomoscope-cli " +
                                 words + "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); " +
                                 "_tomoscope_cli; echo \"${COMPREPLY[*]}\"";
        return shell("bash -c '" + std::regex_replace(body, std::regex("'"), "'\\''") + "'").output;
    };
    EXPECT_EQ(complete("re"), "reconstruct render\n");
    EXPECT_EQ(complete("reconstruct --alg"), "--algorithm\n");
    EXPECT_EQ(complete("reconstruct s.json --algorithm fi"), "fista-tv\n");
    EXPECT_EQ(complete("run s.json --device op"), "opencl\n");
    EXPECT_EQ(complete("geometry s.json --format pl"), "plastimatch-dir\n");
    EXPECT_EQ(complete("phantom forbild-head-3"), "forbild-head-3d\n");
    // Every command appears at the first position.
    const std::string all = complete("''");
    for (const std::string& name : subcommands()) {
        EXPECT_NE(all.find(name), std::string::npos) << name;
    }
}

TEST_F(CliDocs, ManPageDescribesEveryCommandAndIsCleanMarkup)
{
    const Outcome page = cli("manpage");
    ASSERT_EQ(page.exitCode, 0);
    EXPECT_NE(page.output.find(".TH TOMOSCOPE\\-CLI 1"), std::string::npos);
    for (const std::string& name : subcommands()) {
        EXPECT_NE(page.output.find(".SS \"tomoscope\\-cli " + name), std::string::npos) << name;
    }
    for (const char* code : {".B 0\n", ".B 1\n", ".B 2\n", ".B 130\n"}) {
        EXPECT_NE(page.output.find(code), std::string::npos) << "exit status " << code;
    }
    if (!haveProgram("groff")) {
        GTEST_SKIP() << "groff is not installed: the markup is not checked";
    }
    const fs::path file = m_dir / "tomoscope-cli.1";
    std::ofstream(file) << page.output;
    // -ww: every warning; -z: no output. Any warning is a markup defect.
    const Outcome warnings = shell("groff -man -ww -z " + file.string() + " 2>&1");
    EXPECT_EQ(warnings.exitCode, 0);
    EXPECT_EQ(warnings.output, "");
}

TEST_F(CliDocs, CommandsThatPrintResultsPrintJson)
{
    const std::string res = TOMO_TEST_RESOURCES;
    const std::string scene = res + "/scenes/shepp-logan-2d-parallel.json";
    const std::string phantom = (m_dir / "p.nii.gz").string();
    const std::vector<std::pair<std::string, std::string>> commands = {
        {"spectrum --kvp 80 --json", "mean_energy_kev"},
        {"phantom shepp-logan-3d --size 24,24,8 --spacing 4 -o " + phantom + " --json", "size"},
        {"info " + phantom + " --json", "size"},
        {"convert " + phantom + " " + (m_dir / "c.mha").string() + " --spacing 8 --json",
         "spacing_mm"},
        {"project " + scene + " -o " + (m_dir / "p.mha").string() + " --device cpu -q --json",
         "views"},
        {"backproject " + scene + " --projections " + (m_dir / "p.mha").string() + " -o " +
             (m_dir / "b.nii.gz").string() + " --device cpu -q --json",
         "size"},
        {"drr " + phantom + " --view ap -o " + (m_dir / "d.png").string() + " -q --json",
         "pixel_mm"},
        {"geometry " + scene + " --export " + (m_dir / "g.csv").string() +
             " --format matrices --json",
         "views"},
        {"geometry " + scene + " --check --json", ""},
        {"devices --json", ""},
    };
    for (const auto& [args, key] : commands) {
        const Outcome o = cli(args);
        ASSERT_EQ(o.exitCode, 0) << args << "\n" << o.output;
        nlohmann::json j;
        ASSERT_NO_THROW(j = nlohmann::json::parse(o.output)) << args << "\n" << o.output;
        // Lists (findings, devices) are arrays of objects; summaries are objects.
        EXPECT_TRUE(key.empty() ? j.is_array() && !j.empty() : j.contains(key)) << args << "\n"
                                                                                << o.output;
    }
}

TEST_F(CliDocs, ProgressBarsAreDrawnOnATerminalAndNotWhenPiped)
{
    if (!haveProgram("script")) {
        GTEST_SKIP() << "util-linux's script is not installed: no terminal to test with";
    }
    const std::string command = std::string(TOMO_CLI_PATH) +
                                " phantom shepp-logan-3d --size 48,48,48 --spacing 2 -o " +
                                (m_dir / "p.nii.gz").string();
    // script runs the command on a pseudo-terminal: a bar, redrawn with carriage returns.
    const Outcome terminal = shell("script -qec '" + command + "' /dev/null");
    ASSERT_EQ(terminal.exitCode, 0) << terminal.output;
    EXPECT_NE(terminal.output.find("voxelising"), std::string::npos) << terminal.output;
    EXPECT_NE(terminal.output.find("(2304/2304)"), std::string::npos) << terminal.output;
    // -q on a terminal, and any run whose standard error is a pipe: no bar.
    const Outcome quiet = shell("script -qec '" + command + " -q' /dev/null");
    EXPECT_EQ(quiet.output.find("voxelising"), std::string::npos) << quiet.output;
    const Outcome piped = shell(command + " 2>&1");
    ASSERT_EQ(piped.exitCode, 0);
    EXPECT_EQ(piped.output.find("voxelising"), std::string::npos) << piped.output;
    EXPECT_NE(piped.output.find("wrote "), std::string::npos) << piped.output;
}
} // namespace
