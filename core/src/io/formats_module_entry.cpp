// The formats module's entry point (formats_module.h): the host's log function installed as this
// module's copy of the core's log sink, and the module's functions handed back.
#include "io/formats_module.h"

#include <itkHDF5ImageIOFactory.h>
#include <itkTIFFImageIOFactory.h>

#include <mutex>

namespace
{
void registerItkFactories()
{
    static std::once_flag once;
    std::call_once(once, [] {
        itk::HDF5ImageIOFactory::RegisterOneFactory();
        itk::TIFFImageIOFactory::RegisterOneFactory();
    });
}
} // namespace

extern "C" __attribute__((visibility("default"))) const tomo::detail::FormatsApi*
tomo_formats_api(int version, tomo::detail::HostLog hostLog)
{
    if (version != tomo::detail::kFormatsApiVersion || hostLog == nullptr) {
        return nullptr;
    }
    tomo::setLogSink(
        [hostLog](tomo::LogLevel level, std::string_view message) { hostLog(level, message); });
    static const tomo::detail::FormatsApi api{
        &tomo::detail::gdcmListDicomSeries, &tomo::detail::gdcmReadDicomSeries,
        &tomo::detail::gdcmWriteDicomSeries, &registerItkFactories};
    return &api;
}
