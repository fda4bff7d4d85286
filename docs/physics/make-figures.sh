#!/usr/bin/env bash
# Writes docs/physics/<effect>.png: the reconstruction of each resources/scenes/physics-*.json
# scene with its physics (right) and without (left, `run --ideal`), on one grey window; and for
# each resources/scenes/artefact-*.json (the FORBILD head with one geometry setting changed) the
# reconstruction beside that of the full scan (physics-motion.json's geometry and head, --ideal).
# Usage: docs/physics/make-figures.sh [path/to/tomoscope-cli]   (needs ImageMagick's convert)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cli=${1:-build/ci/app/tomoscope-cli}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# side_by_side LEFT_RUN LEFT_LABEL RIGHT_RUN RIGHT_LABEL NAME: the two runs' reconstruction.png,
# labelled, into docs/physics/NAME.png.
side_by_side() {
    convert \( "$work/$1/reconstruction.png" -gravity north -background white \
                  -splice 0x22 -font DejaVu-Sans -pointsize 16 -annotate +0+2 "$2" \) \
            \( "$work/$3/reconstruction.png" -gravity north -background white \
                  -splice 0x22 -font DejaVu-Sans -pointsize 16 -annotate +0+2 "$4" \) \
            +append "docs/physics/$5.png"
    echo "wrote docs/physics/$5.png"
}

for scene in resources/scenes/physics-*.json; do
    effect=$(basename "$scene" .json)
    effect=${effect#physics-}
    # Soft-tissue windows (mm^-1; water is 0.0193 at 70 keV) that show each artefact.
    case "$effect" in
        noise) window=0.008,0.032 ;;
        motion) window=0.016,0.024 ;;
        rings) window=0.0185,0.0215 ;;
        beam-hardening) window=0.016,0.022 ;;
        scatter | metal) window=0.010,0.026 ;;
        *) window=0.0,0.04 ;;
    esac
    "$cli" run "$scene" --ideal --window "$window" -o "$work/$effect-ideal" -q > /dev/null
    "$cli" run "$scene" --window "$window" -o "$work/$effect" -q > /dev/null
    side_by_side "$effect-ideal" "without" "$effect" "with $effect" "$effect"
done
for scene in resources/scenes/artefact-*.json; do
    effect=$(basename "$scene" .json)
    effect=${effect#artefact-}
    # Truncation lifts the whole field of view; the others stay near water.
    window=0.016,0.024
    [[ "$effect" == truncation ]] && window=0.0,0.06
    "$cli" run resources/scenes/physics-motion.json --ideal --window "$window" -o "$work/full" \
        -q > /dev/null
    "$cli" run "$scene" --window "$window" -o "$work/$effect" -q > /dev/null
    side_by_side full "full scan" "$effect" "$effect" "$effect"
done
