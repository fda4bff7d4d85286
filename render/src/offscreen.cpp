#include "offscreen.h"

#include "tomo/error.h"

#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkWindowToImageFilter.h>

#include <algorithm>
#include <string>

namespace tomo::render::detail
{
std::array<double, 3> unitRgb(std::uint32_t colour)
{
    return {((colour >> 16U) & 0xFFU) / 255.0, ((colour >> 8U) & 0xFFU) / 255.0,
            (colour & 0xFFU) / 255.0};
}

void setBackground(vtkRenderer* renderer)
{
    renderer->SetBackground(unitRgb(kSceneBackground).data());
    renderer->SetBackgroundAlpha(1.0);
}

RgbImage renderOffscreen(vtkSmartPointer<vtkRenderWindow>& window,
                         std::initializer_list<vtkRenderer*> renderers, int width, int height,
                         std::string_view who)
{
    if (width <= 0 || height <= 0) {
        throwInvalid("offscreen size", std::to_string(width) + "x" + std::to_string(height),
                     "positive width and height");
    }
    for (vtkRenderer* renderer : renderers) {
        vtkRenderWindow* attached = renderer->GetRenderWindow();
        if (attached != nullptr && attached != window.Get()) {
            throw Error(std::string(who) +
                        "::renderOffscreen: the renderer is attached to a host window; grab that "
                        "window instead");
        }
    }
    if (!window) {
        window = vtkSmartPointer<vtkRenderWindow>::New();
        window->SetOffScreenRendering(1);
        window->SetMultiSamples(0);
    }
    // Renderers detached since the last call (SliceViews lends its scenes' renderers to its own
    // window for one rendering) are added back.
    int layers = window->GetNumberOfLayers();
    for (vtkRenderer* renderer : renderers) {
        if (window->HasRenderer(renderer) == 0) {
            window->AddRenderer(renderer);
            layers = std::max(layers, renderer->GetLayer() + 1);
        }
    }
    window->SetNumberOfLayers(layers);
    window->SetSize(width, height);
    for (vtkRenderer* renderer : renderers) {
        renderer->ResetCameraClippingRange();
    }
    window->Render();

    vtkNew<vtkWindowToImageFilter> grab;
    grab->SetInput(window);
    grab->SetInputBufferTypeToRGB();
    grab->ReadFrontBufferOff();
    grab->ShouldRerenderOff();
    grab->Update();
    vtkImageData* image = grab->GetOutput();
    int dims[3] = {0, 0, 0};
    image->GetDimensions(dims);
    RgbImage out;
    out.width = dims[0];
    out.height = dims[1];
    out.rgb.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height) * 3);
    const auto* src = static_cast<const std::uint8_t*>(image->GetScalarPointer());
    const std::size_t rowBytes = static_cast<std::size_t>(out.width) * 3;
    // VTK's first row is the bottom one; RgbImage's is the top one.
    for (int y = 0; y < out.height; ++y) {
        const std::size_t from = static_cast<std::size_t>(out.height - 1 - y) * rowBytes;
        std::copy_n(src + from, rowBytes,
                    out.rgb.begin() +
                        static_cast<std::ptrdiff_t>(static_cast<std::size_t>(y) * rowBytes));
    }
    return out;
}

void releaseOffscreen(vtkSmartPointer<vtkRenderWindow>& window,
                      std::initializer_list<vtkRenderer*> renderers)
{
    if (!window) {
        return;
    }
    for (vtkRenderer* renderer : renderers) {
        window->RemoveRenderer(renderer);
    }
    window->Finalize();
    window = nullptr;
}
} // namespace tomo::render::detail
