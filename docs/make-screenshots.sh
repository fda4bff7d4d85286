#!/usr/bin/env bash
# Makes every picture of the app in the documentation, with the app itself under Xvfb, so that
# they show the current window:
#   docs/app/sirt-convergence.png   the README's first picture (40 SIRT iterations)
#   docs/app/panels/*.png           each panel, for docs/user-guide.md (tomoscope --screenshot-panels)
#   docs/app/helical-fdk.png        a helical cone-beam scan reconstructed with FDK
#   docs/screenshots/app-cone-fdk.png  a circular cone-beam scan reconstructed with FDK
#   docs/app/fbp_teaching.png, compare_panel.png, compare_panel_coronal.png, tuning_panel.png:
#                                   dialogs and panels in use,
#                                   drawn by the UI tests (TOMO_TEST_DUMP)
# Usage: docs/make-screenshots.sh [BUILD_DIR]   (default build/ci; needs tomoscope and
# tomo_ui_tests built). About two minutes on two cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$root/build/ci}" && pwd)"
app="$build/app/tomoscope"
ui_tests="$build/tests/ui/tomo_ui_tests"
scenes="$root/resources/scenes"
out="$root/docs/app"
for f in "$app" "$ui_tests"; do
    [ -x "$f" ] || { echo "build $f first (cmake --build --preset ci)" >&2; exit 1; }
done
x() { xvfb-run -a -s "-screen 0 1600x1000x24 -noreset" "$@"; }
say() { printf '==> %s\n' "$*" >&2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/start"

say "SIRT on the 2D Shepp-Logan: the window and each panel"
rm -rf "$out/panels"
x "$app" "$scenes/shepp-logan-2d-sirt.json" --device cpu --screenshot "$out/sirt-convergence.png" \
    --screenshot-panels "$out/panels" --quit-after-run

say "FDK of a helical cone-beam scan"
x "$app" "$scenes/cone-helical.json" --device cpu --screenshot "$out/helical-fdk.png" \
    --quit-after-run

say "FDK of a circular cone-beam scan"
x "$app" "$scenes/cone-circular.json" --device cpu \
    --screenshot "$root/docs/screenshots/app-cone-fdk.png" --quit-after-run

say "the teaching view, Compare and Tune in use (UI tests)"
TOMO_TEST_DUMP="$tmp" x "$ui_tests" --gtest_brief=1 \
    --gtest_filter='MainWindow.TheFbpTeaching*:MainWindow.CompareShows*:MainWindow.TuningThe*'
for name in fbp_teaching compare_panel compare_panel_coronal tuning_panel; do
    cp "$tmp/$name.png" "$out/$name.png"
done
say "done: $(find "$out" -name '*.png' -newer "$tmp/start" | wc -l) pictures rewritten"
