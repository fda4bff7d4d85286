#include "image_view.h"

#include "offscreen.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>

#include <algorithm>

namespace tomo::render::detail
{
vtkSmartPointer<vtkActor> makeLineActor(vtkPolyData* data, std::uint32_t rgb)
{
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputData(data);
    mapper->ScalarVisibilityOff();
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    vtkProperty* property = actor->GetProperty();
    property->SetColor(unitRgb(rgb).data());
    property->LightingOff();
    property->SetLineWidth(1.0F);
    return actor;
}

void setSegments(vtkPolyData* data, std::initializer_list<std::array<double, 4>> segments, double z)
{
    vtkNew<vtkPoints> points;
    vtkNew<vtkCellArray> lines;
    for (const auto& s : segments) {
        const std::array<vtkIdType, 2> ids{points->InsertNextPoint(s[0], s[1], z),
                                           points->InsertNextPoint(s[2], s[3], z)};
        lines->InsertNextCell(2, ids.data());
    }
    data->Initialize();
    data->SetPoints(points);
    data->SetLines(lines);
    data->Modified();
}

void setFrame(vtkPolyData* data, double x0, double y0, double x1, double y1, double z)
{
    setSegments(data, {{x0, y0, x1, y0}, {x1, y0, x1, y1}, {x1, y1, x0, y1}, {x0, y1, x0, y0}}, z);
}

void fitImageCamera(vtkRenderer* renderer, double x0, double y0, double x1, double y1, bool yDown)
{
    const double aspect = std::max(renderer->GetTiledAspectRatio(), 1e-6);
    const double cx = 0.5 * (x0 + x1);
    const double cy = 0.5 * (y0 + y1);
    const double halfW = 0.5 * std::abs(x1 - x0);
    const double halfH = 0.5 * std::abs(y1 - y0);
    const double distance = 4.0 * std::max(halfW, halfH) + 1.0;
    vtkCamera* camera = renderer->GetActiveCamera();
    camera->ParallelProjectionOn();
    camera->SetFocalPoint(cx, cy, 0.0);
    camera->SetPosition(cx, cy, yDown ? -distance : distance);
    camera->SetViewUp(0.0, yDown ? -1.0 : 1.0, 0.0);
    camera->SetParallelScale(kFitMargin * std::max(halfH, halfW / aspect));
    camera->SetClippingRange(0.5 * distance, 1.5 * distance);
}
} // namespace tomo::render::detail
