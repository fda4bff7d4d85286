#pragma once
// The image files a CT volume object can be read from (the formats readVolume reads), shared by
// the Object page's file dialog and the window's drag and drop.

#include <QCoreApplication>
#include <QString>
#include <QStringList>

namespace tomo::ui::detail
{
/// Lower-case name endings, with the dot (".nii.gz", ".mha", ...).
inline const QStringList& volumeFileSuffixes()
{
    static const QStringList suffixes{QStringLiteral(".nii"),  QStringLiteral(".nii.gz"),
                                      QStringLiteral(".mha"),  QStringLiteral(".mhd"),
                                      QStringLiteral(".nrrd"), QStringLiteral(".nhdr"),
                                      QStringLiteral(".h5"),   QStringLiteral(".hdf5"),
                                      QStringLiteral(".tif"),  QStringLiteral(".tiff")};
    return suffixes;
}

/// Whether `path` ends in one of volumeFileSuffixes(), in any case.
inline bool hasVolumeFileSuffix(const QString& path)
{
    const QString lower = path.toLower();
    for (const QString& suffix : volumeFileSuffixes()) {
        if (lower.endsWith(suffix)) {
            return true;
        }
    }
    return false;
}

/// A QFileDialog filter for volume files, then all files.
inline QString volumeFileFilter()
{
    QStringList patterns;
    for (const QString& suffix : volumeFileSuffixes()) {
        patterns << u'*' + suffix;
    }
    return QCoreApplication::translate("ScenePanel", "Volumes (%1);;All files (*)")
        .arg(patterns.join(u' '));
}
} // namespace tomo::ui::detail
