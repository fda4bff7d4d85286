#!/usr/bin/env bash
# The Debian package, checked as a user would meet it: cpack builds it from this build tree, apt
# resolves its dependencies (a simulated install), and it is unpacked into a throwaway root where
# both programs run from their installed location, with the installed scenes, icons, desktop
# entry, AppStream metadata, man pages and bash completion.
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"
source_dir="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== cpack"
(cd "$build" && cpack -B "$work/pkg" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
debs=("$work"/pkg/tomoscope_*_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one tomoscope_VERSION_ARCH.deb, got: ${debs[*]}"
deb="${debs[0]}"
version="$(dpkg-deb --field "$deb" Version)"
echo "$deb: version $version, $(stat -c %s "$deb") bytes"

echo "== control fields"
depends="$(dpkg-deb --field "$deb" Depends)"
for wanted in qt6-qpa-plugins libqt6widgets6 libvtk9 libinsighttoolkit5 libfftw3-single3 \
    ocl-icd-libopencl1 libxrl; do
    grep -q "$wanted" <<<"$depends" || fail "Depends lacks $wanted: $depends"
done
[ "$(dpkg-deb --field "$deb" Section)" = science ] || fail "Section is not science"

echo "== apt resolves the dependencies (simulated install)"
if command -v apt-get >/dev/null; then
    apt-get install --simulate --no-install-recommends "$deb" >"$work/apt.log" 2>&1 ||
        { cat "$work/apt.log"; fail "apt-get cannot install $deb"; }
    grep -q "^Inst tomoscope " "$work/apt.log" || { cat "$work/apt.log"; fail "apt would not install tomoscope"; }
fi

echo "== unpack into a throwaway root"
root="$work/root"
dpkg-deb -x "$deb" "$root"
id=org.tomoscope.Tomoscope
for f in usr/bin/tomoscope usr/bin/tomoscope-cli usr/libexec/tomoscope/tomoscope-cli-render \
    usr/share/applications/$id.desktop usr/share/metainfo/$id.metainfo.xml \
    usr/share/icons/hicolor/scalable/apps/$id.svg \
    usr/share/man/man1/tomoscope.1.gz usr/share/man/man1/tomoscope-cli.1.gz \
    usr/share/bash-completion/completions/tomoscope-cli \
    usr/share/doc/tomoscope/copyright usr/share/doc/tomoscope/README.md \
    usr/share/doc/tomoscope/docs/app.md \
    usr/share/tomoscope/scenes/shepp-logan-2d-parallel.json; do
    [ -e "$root/$f" ] || fail "missing /$f"
done
for size in 16 24 32 48 64 128 256 512; do
    png="$root/usr/share/icons/hicolor/${size}x${size}/apps/$id.png"
    [ -f "$png" ] || fail "missing icon $png"
    # PNG header: width and height are big-endian at bytes 16 and 20.
    dims="$(od -An -tu1 -j16 -N8 "$png" | awk '{print $3*256+$4 "x" $7*256+$8}')"
    [ "$dims" = "${size}x${size}" ] || fail "$png is $dims, not ${size}x${size}"
done
scenes="$(find "$root/usr/share/tomoscope/scenes" -name '*.json' | wc -l)"
source_scenes="$(find "$source_dir/resources/scenes" -name '*.json' | wc -l)"
[ "$scenes" = "$source_scenes" ] || fail "$scenes scenes installed, $source_scenes in the source"

echo "== desktop entry, AppStream, man pages"
desktop-file-validate "$root/usr/share/applications/$id.desktop"
appstreamcli validate --no-net "$root/usr/share/metainfo/$id.metainfo.xml"
grep -q "<release version=\"$version\"" "$root/usr/share/metainfo/$id.metainfo.xml" ||
    fail "the AppStream metadata has no <release> for version $version"
for page in tomoscope tomoscope-cli; do
    warnings="$(zcat "$root/usr/share/man/man1/$page.1.gz" | groff -man -ww -z 2>&1)"
    [ -z "$warnings" ] || fail "$page.1: $warnings"
    zcat "$root/usr/share/man/man1/$page.1.gz" | grep -q "Tomoscope $version" ||
        fail "$page.1 does not name version $version"
done
# Every option `tomoscope --help` prints is in its hand-written man page.
help="$("$root/usr/bin/tomoscope" --help)"
for option in $(grep -oE -- '--[a-z][a-z-]+' <<<"$help" | sort -u); do
    zcat "$root/usr/share/man/man1/tomoscope.1.gz" | grep -qF -- "${option//-/\\-}" ||
        fail "tomoscope.1 does not describe $option"
done

module="$(find "$root/usr/lib" -name tomo_formats.so)"
[ -n "$module" ] || fail "missing the formats module tomo_formats.so under /usr/lib"

echo "== the installed programs run"
cli="$root/usr/bin/tomoscope-cli"
# DICOM goes through the formats module, found beside the installed programs (the loader's
# trace names the file it opened).
"$cli" phantom shepp-logan-3d --size 8,8,4 --spacing 8 -o "$work/phantom.nii.gz" >/dev/null
LD_DEBUG=files "$cli" convert "$work/phantom.nii.gz" "$work/series/" >/dev/null 2>"$work/loader.log" ||
    fail "tomoscope-cli convert to DICOM from the installed root"
[ -f "$work/series/IM000004.dcm" ] || fail "tomoscope-cli convert wrote no DICOM series"
grep -q "file=$module " "$work/loader.log" ||
    fail "the formats module was not loaded from $module: $(grep tomo_formats "$work/loader.log")"
[ "$("$cli" --version)" = "$version" ] || fail "tomoscope-cli --version is not $version"
"$root/usr/bin/tomoscope" --version | grep -q "$version" || fail "tomoscope --version"
env -u DISPLAY -u WAYLAND_DISPLAY "$root/usr/bin/tomoscope" --help >/dev/null ||
    fail "tomoscope --help needs a display"
if env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$root/usr/bin/tomoscope" \
    >"$work/nodisplay.log" 2>&1; then
    fail "tomoscope without a display succeeded"
fi
grep -q "no display" "$work/nodisplay.log" || { cat "$work/nodisplay.log"; fail "no clear message without a display"; }
scene="$root/usr/share/tomoscope/scenes/shepp-logan-2d-parallel.json"
"$cli" run "$scene" -o "$work/out" --device cpu -q --json >"$work/run.json"
for f in sinogram.png reconstruction.png metrics.json; do
    [ -f "$work/out/$f" ] || fail "tomoscope-cli run wrote no $f"
done
bash -c "source '$root/usr/share/bash-completion/completions/tomoscope-cli'
    COMP_WORDS=(tomoscope-cli reco); COMP_CWORD=1; _tomoscope_cli
    [ \"\${COMPREPLY[*]}\" = reconstruct ]" || fail "the installed completion does not complete"
if [ -n "${DISPLAY:-}" ]; then
    # The app from the throwaway root: its default scene is the installed one
    # (../share/tomoscope/scenes next to the executable), run to the end, window captured.
    "$root/usr/bin/tomoscope" --device cpu --screenshot "$work/app.png" --quit-after-run \
        >"$work/app.log" 2>&1 || { cat "$work/app.log"; fail "the installed app"; }
    [ -s "$work/app.png" ] || fail "the installed app wrote no screenshot"
    # tomoscope-cli render runs its helper from ../libexec/tomoscope.
    "$cli" render "$scene" -o "$work/scan.png" >"$work/render.log" 2>&1 ||
        { cat "$work/render.log"; fail "tomoscope-cli render from the installed root"; }
    [ -s "$work/scan.png" ] || fail "tomoscope-cli render wrote no picture"
else
    echo "no DISPLAY: the installed app's window is not opened (CTest runs under Xvfb)"
fi
echo "PASS: $deb installs and runs"
