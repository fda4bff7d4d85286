#include "io/itk_log.h"

#include "tomo/log.h"

#include <itkObjectFactory.h>
#include <itkOutputWindow.h>

#include <mutex>
#include <string>

namespace tomo::detail
{
namespace
{
class LogOutputWindow : public itk::OutputWindow
{
public:
    ITK_DISALLOW_COPY_AND_MOVE(LogOutputWindow);
    using Self = LogOutputWindow;
    using Superclass = itk::OutputWindow;
    using Pointer = itk::SmartPointer<Self>;
    itkNewMacro(Self);

    void DisplayText(const char* text) override { forward(text); }
    void DisplayErrorText(const char* text) override { forward(text); }
    void DisplayWarningText(const char* text) override { forward(text); }
    void DisplayGenericOutputText(const char* text) override { forward(text); }
    void DisplayDebugText(const char* text) override { forward(text); }

protected:
    LogOutputWindow() = default;
    ~LogOutputWindow() override = default;

private:
    static void forward(const char* text)
    {
        std::string line = text == nullptr ? std::string() : std::string(text);
        while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) {
            line.pop_back();
        }
        log(LogLevel::Debug, "ITK: " + line);
    }
};
} // namespace

void routeItkOutputToLog()
{
    static std::once_flag once;
    std::call_once(once, [] { itk::OutputWindow::SetInstance(LogOutputWindow::New()); });
}
} // namespace tomo::detail
