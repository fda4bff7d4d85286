#!/usr/bin/env bash
# Writes the figures of the teacher tutorial (docs/tutorial/NN-*.png) and the numbers the lessons
# quote (docs/tutorial/measurements.txt), from the example scenes in resources/scenes and copies
# of them changed with jq (the copies live in a temporary folder and are deleted at the end).
#
# Usage: docs/tutorial/make-figures.sh [APP_DIR]
#   APP_DIR: the build's app folder, holding tomoscope-cli and tomoscope (default build/ci/app,
#   relative to the repository root; a path you give is taken relative to where you are).
# Needs: jq, ImageMagick's convert (Debian packages jq and imagemagick; not in
# packaging/debian-packages.txt), xvfb-run (for the 3D renders and the app's screenshot).
set -euo pipefail
start=$SECONDS
if [[ $# -ge 1 ]]; then
    app=$(cd "$1" && pwd)
fi
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
app=${app:-$(cd build/ci/app && pwd)}
cli=$app/tomoscope-cli
gui=$app/tomoscope
for tool in jq convert xvfb-run "$cli" "$gui"; do
    command -v "$tool" > /dev/null || { echo "make-figures.sh: $tool not found" >&2; exit 1; }
done
out=docs/tutorial
scenes=resources/scenes
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
xvfb=(xvfb-run -a -s "-screen 0 1600x1000x24")
log=$out/measurements.txt
{
    echo "# Numbers quoted by the tutorial, written by docs/tutorial/make-figures.sh" \
        "on $(date -u +%F)."
    echo "# tomoscope-cli $("$cli" --version); device: $("$cli" run "$scenes/lesson-points.json" \
        -o "$work/probe" --json -q | jq -r .device)"
} > "$log"

# note TEXT...: print a measured line and keep it in measurements.txt.
note() { echo "$*" | tee -a "$log"; }

# variant SCENE FILTER OUT: a copy of SCENE changed by the jq FILTER; a phantom file's relative
# path is made absolute so that the copy loads from anywhere.
variant() {
    local dir
    dir=$(cd "$(dirname "$1")" && pwd)
    jq --arg dir "$dir" '(if .object.phantom == "file" and (.object.path | startswith("/") | not)
        then .object.path = $dir + "/" + .object.path else . end) | '"$2" "$1" > "$3"
}

# run SCENE DIR [OPTIONS...]: tomoscope-cli run, quietly; DIR gets sinogram, reconstruction, truth.
run() {
    local scene=$1 dir=$2
    shift 2
    "$cli" run "$scene" -o "$dir" -q "$@" > /dev/null
}

# psnr DIR: the PSNR (dB) of a run against its truth, two decimals.
psnr() { jq -r '.psnr_db * 100 | round / 100' "$1/metrics.json"; }

# score ESTIMATE REFERENCE: "PSNR x dB, RMSE y /mm" of a volume against a reference volume.
score() {
    "$cli" compare "$1" "$2" --json |
        jq -r '"PSNR \(.psnr_db * 100 | round / 100) dB, RMSE \(.rmse * 1e6 | round / 1e6) /mm"'
}

# grey RAW NX NY OUT LOW HIGH: a float32 raw image as an 8-bit PNG, LOW black and HIGH white,
# first row at the bottom (+y or +z up, as run's reconstruction.png).
grey() {
    local scale level
    scale=$(awk -v h="$6" 'BEGIN { printf "%.9g", 65535 / h }')
    level=$(awk -v l="$5" -v h="$6" 'BEGIN { printf "%.6g", 100 * l / h }')
    convert -size "$2x$3" -depth 32 -define quantum:format=floating-point \
        -define quantum:scale="$scale" -endian LSB "gray:$1" -flip -level "$level%,100%" \
        -depth 8 -strip "$4"
}

# axial VOLUME OUT LOW HIGH: the (only) axial slice of a 2D volume as a PNG.
axial() {
    "$cli" convert "$1" "$work/axial.raw" > /dev/null
    grey "$work/axial.raw" "$(jq '.size[0]' "$work/axial.json")" \
        "$(jq '.size[1]' "$work/axial.json")" "$2" "$3" "$4"
}

# coronal VOLUME OUT LOW HIGH WIDTH: the plane y = middle of a 3D volume (x across, z up),
# enlarged to WIDTH pixels without smoothing.
coronal() {
    "$cli" info "$1" --json > "$work/info.json"
    local nx ny nz
    nx=$(jq '.size[0]' "$work/info.json")
    ny=$(jq '.size[1]' "$work/info.json")
    nz=$(jq '.size[2]' "$work/info.json")
    "$cli" convert "$1" "$work/coronal.raw" --crop "0,$((ny / 2)),0:$nx,1,$nz" > /dev/null
    grey "$work/coronal.raw" "$nx" "$nz" "$work/coronal.png" "$3" "$4"
    convert "$work/coronal.png" -filter point -resize "$5x" "$2"
}

# panel OUT "IMAGE|LABEL" ...: the images side by side, each with its label above it.
panel() {
    local target=$1 item
    shift
    local args=()
    for item in "$@"; do
        args+=(\( "${item%%|*}" -background white -gravity north -splice 0x24 -font DejaVu-Sans
            -pointsize 15 -annotate +0+3 "${item#*|}" -bordercolor white -border 3 \))
    done
    convert "${args[@]}" +append -strip "$target"
    echo "wrote $target"
}

# --- Lesson 1: sinograms -------------------------------------------------------------------
note "## Lesson 1"
l1=$work/l1
run "$scenes/lesson-points.json" "$l1/points" --window 0,0.1
note "lesson-points.json: PSNR $(psnr "$l1/points") dB"
panel "$out/01-points.png" "$l1/points/sinogram.png|sinogram (views down, u across)" \
    "$l1/points/reconstruction.png|FBP, 0 to 0.1 /mm"
run "$scenes/shepp-logan-2d-parallel.json" "$l1/sl" --window 0,0.008
note "shepp-logan-2d-parallel.json: PSNR $(psnr "$l1/sl") dB"
panel "$out/01-shepp-logan.png" "$l1/sl/sinogram.png|sinogram: 360 views over 180 deg" \
    "$l1/sl/reconstruction.png|FBP, 0 to 0.008 /mm"
# The app after the run, with its own settings and data folders (not the user's).
HOME=$work/home XDG_CONFIG_HOME=$work/home/config XDG_DATA_HOME=$work/home/data \
    XDG_RUNTIME_DIR=$work/home/run "${xvfb[@]}" "$gui" "$scenes/lesson-points.json" \
    --screenshot "$work/app.png" --quit-after-run 2> /dev/null
convert "$work/app.png" -resize 1200x +dither -colors 256 -strip "$out/01-app.png"
echo "wrote $out/01-app.png"

# --- Lesson 2: filtering -------------------------------------------------------------------
note "## Lesson 2"
l2=$work/l2
run "$scenes/lesson-point-blur.json" "$l2/point" --window 0,0.1
"$cli" backproject "$scenes/lesson-point-blur.json" --projections "$l2/point/sinogram.nii.gz" \
    --model voxel-driven -o "$l2/point-bp.nii.gz" -q > /dev/null
axial "$l2/point-bp.nii.gz" "$l2/point-bp.png" 0 20
panel "$out/02-point.png" "$l2/point-bp.png|backprojected, 0 to 20" \
    "$l2/point/reconstruction.png|FBP Ram-Lak, 0 to 0.1 /mm"
note "unfiltered backprojection of the point (lesson-point-blur.json), b(r) and r*b(r) along +x:"
"$cli" compare "$l2/point-bp.nii.gz" "$l2/point/truth.nii.gz" --profile 0,0,0:100,0,0 \
    --samples 11 --json | jq -r '.profile.estimate | to_entries[] | select(.key > 0) |
    "  r = \(.key * 10) mm: b = \(.value * 100 | round / 100), r*b = \(.value * .key * 10 |
    round) mm"' | tee -a "$log"
# Shepp-Logan, noise-free: the windows.
sl=$scenes/shepp-logan-2d-parallel.json
"$cli" backproject "$sl" --projections "$l1/sl/sinogram.nii.gz" --model voxel-driven \
    -o "$l2/sl-bp.nii.gz" -q > /dev/null
axial "$l2/sl-bp.nii.gz" "$l2/sl-bp.png" 80 270
for f in ram-lak shepp-logan cosine hamming hann; do
    "$cli" reconstruct "$sl" --projections "$l1/sl/sinogram.nii.gz" --filter "$f" \
        -o "$l2/sl-$f.nii.gz" -q > /dev/null
    note "Shepp-Logan noise-free, $f: $(score "$l2/sl-$f.nii.gz" "$l1/sl/truth.nii.gz")"
done
"$cli" reconstruct "$sl" --projections "$l1/sl/sinogram.nii.gz" --filter hann --cutoff 0.5 \
    -o "$l2/sl-hann-0.5.nii.gz" -q > /dev/null
note "Shepp-Logan noise-free, hann cut-off 0.5:" \
    "$(score "$l2/sl-hann-0.5.nii.gz" "$l1/sl/truth.nii.gz")"
for f in ram-lak hann hann-0.5; do
    axial "$l2/sl-$f.nii.gz" "$l2/sl-$f.png" 0 0.008
done
panel "$out/02-shepp-logan-filters.png" "$l2/sl-bp.png|no filter (80 to 270)" \
    "$l2/sl-ram-lak.png|Ram-Lak" "$l2/sl-hann.png|Hann" "$l2/sl-hann-0.5.png|Hann, cut-off 0.5"
# The same windows on noisy data (physics-noise.json: 5000 photons per pixel).
noise=$scenes/physics-noise.json
run "$noise" "$l2/noise"
for f in ram-lak shepp-logan cosine hamming hann; do
    "$cli" reconstruct "$noise" --projections "$l2/noise/sinogram.nii.gz" --filter "$f" \
        -o "$l2/noise-$f.nii.gz" -q > /dev/null
    note "physics-noise, $f: $(score "$l2/noise-$f.nii.gz" "$l2/noise/truth.nii.gz")"
done
for c in 0.7 0.5 0.3; do
    "$cli" reconstruct "$noise" --projections "$l2/noise/sinogram.nii.gz" --filter hann \
        --cutoff "$c" -o "$l2/noise-hann-$c.nii.gz" -q > /dev/null
    note "physics-noise, hann cut-off $c:" \
        "$(score "$l2/noise-hann-$c.nii.gz" "$l2/noise/truth.nii.gz")"
done
for f in ram-lak hann hann-0.5 hann-0.3; do
    axial "$l2/noise-$f.nii.gz" "$l2/noise-$f.png" 0.008 0.032
done
panel "$out/02-noise-filters.png" "$l2/noise-ram-lak.png|Ram-Lak" "$l2/noise-hann.png|Hann" \
    "$l2/noise-hann-0.5.png|Hann, cut-off 0.5" "$l2/noise-hann-0.3.png|Hann, cut-off 0.3"

# --- Lesson 3: sampling and views ----------------------------------------------------------
note "## Lesson 3"
l3=$work/l3
mkdir -p "$l3"
items=()
for n in 720 360 180 90 45 20; do
    variant "$sl" ".geometry.trajectory.views = $n" "$l3/views-$n.json"
    run "$l3/views-$n.json" "$l3/views-$n" --window 0,0.008
    note "Shepp-Logan parallel FBP, $n views over 180 deg: PSNR $(psnr "$l3/views-$n") dB"
    [[ $n == 720 ]] || items+=("$l3/views-$n/reconstruction.png|$n views")
done
panel "$out/03-views.png" "${items[@]}"
# Detector sampling: the line pairs with 0.5, 1 and 2 mm pixels over the same 320 mm.
lp=$scenes/lesson-line-pairs.json
for px in 0.5 1.0 2.0; do
    cols=$(awk -v p="$px" 'BEGIN { printf "%d", 320 / p + 0.5 }')
    variant "$lp" ".geometry.detector.pixel_u_mm = $px | .geometry.detector.columns = $cols" \
        "$l3/lp-$px.json"
    run "$l3/lp-$px.json" "$l3/lp-$px" --window 0,0.045
    note "line pairs, $px mm pixels ($cols columns): PSNR $(psnr "$l3/lp-$px") dB"
    # Modulation of each group: max - min along the line through the centres of its four bars
    # (1.5 periods either side of the group's centre), over the bars' contrast 0.02 /mm.
    line="  modulation:"
    for k in 0 1 2 3 4 5 6 7; do
        seg=$(awk -v k="$k" 'BEGIN { split("0.1 0.15 0.2 0.25 0.3 0.4 0.5 0.6", f, " ");
            a = (90 - 45 * k) * atan2(0, -1) / 180; h = 1.5 / f[k + 1];
            cx = 60 * cos(a); cy = 60 * sin(a); px = -sin(a); py = cos(a);
            printf "%.3f,%.3f,0:%.3f,%.3f,0", cx - h * px, cy - h * py, cx + h * px, cy + h * py }')
        m=$("$cli" compare "$l3/lp-$px/reconstruction.nii.gz" "$l3/lp-$px/truth.nii.gz" \
            --profile "$seg" --samples 121 --json |
            jq -r '[.profile.estimate, .profile.reference] | map((max - min) / 0.02 * 100 |
            round / 100) | "\(.[0]) (truth \(.[1]))"')
        line+=" ${k}: $m;"
    done
    note "$line"
    convert "$l3/lp-$px/reconstruction.png" -crop 110x110+80+80 +repage -filter point \
        -resize 220x "$l3/lp-zoom-$px.png"
done
panel "$out/03-line-pairs.png" "$l3/lp-0.5/reconstruction.png|0.5 mm pixels" \
    "$l3/lp-1.0/reconstruction.png|1 mm pixels" "$l3/lp-2.0/reconstruction.png|2 mm pixels"
panel "$out/03-line-pairs-zoom.png" "$l3/lp-zoom-0.5.png|0.5 mm" "$l3/lp-zoom-1.0.png|1 mm" \
    "$l3/lp-zoom-2.0.png|2 mm"
# Sparse views: 60 views, FBP against SIRT (the scene's own) and FISTA-TV.
sirt=$scenes/shepp-logan-2d-sirt.json
variant "$sirt" '.reconstruction = {"algorithm": "fbp", "filter": "ram-lak", "batch_views": 24,
    "grid": .reconstruction.grid}' "$l3/sparse-fbp.json"
run "$l3/sparse-fbp.json" "$l3/sparse-fbp" --window 0,0.008
note "60 views, FBP Ram-Lak: PSNR $(psnr "$l3/sparse-fbp") dB, reconstructed in" \
    "$(jq -r '.reconstruct_seconds * 100 | round / 100' "$l3/sparse-fbp/metrics.json") s"
run "$sirt" "$l3/sparse-sirt" --window 0,0.008
note "60 views, SIRT 40 iterations: PSNR $(psnr "$l3/sparse-sirt") dB, reconstructed in" \
    "$(jq -r '.reconstruct_seconds * 10 | round / 10' "$l3/sparse-sirt/metrics.json") s"
t0=$SECONDS
"$cli" reconstruct "$sirt" --projections "$l3/sparse-sirt/sinogram.nii.gz" \
    --algorithm fista-tv -o "$l3/sparse-tv.nii.gz" -q > /dev/null
note "60 views, FISTA-TV 40 iterations: $(score "$l3/sparse-tv.nii.gz" \
    "$l3/sparse-sirt/truth.nii.gz"), $((SECONDS - t0)) s with reading and writing"
axial "$l3/sparse-tv.nii.gz" "$l3/sparse-tv.png" 0 0.008
panel "$out/03-sparse-views.png" "$l3/sparse-fbp/reconstruction.png|FBP" \
    "$l3/sparse-sirt/reconstruction.png|SIRT, 40 iterations" \
    "$l3/sparse-tv.png|FISTA-TV, 40 iterations"

# --- Lesson 4: trajectories and completeness -----------------------------------------------
note "## Lesson 4"
l4=$work/l4
mkdir -p "$l4"
fan=$scenes/shepp-logan-2d-fan.json
# Short scan: 180 deg + the fan angle, with first and last views that far apart (what the app's
# Short scan button sets): range = (180 + fan) * n / (n - 1), n views 0.5 deg apart.
fanangle=$(awk 'BEGIN { print 2 * atan2(800 * 0.8 / 2, 1000) * 180 / atan2(0, -1) }')
short=$(awk -v f="$fanangle" 'BEGIN { printf "%.2f", (180 + f) * 432 / 431 }')
note "fan angle of shepp-logan-2d-fan.json: $fanangle deg; short scan with 432 views: $short deg"
items=()
for v in "720 360" "432 $short" "360 180" "240 120"; do
    read -r n range <<< "$v"
    variant "$fan" ".geometry.trajectory.views = $n | .geometry.trajectory.range_deg = $range" \
        "$l4/fan-$range.json"
    run "$l4/fan-$range.json" "$l4/fan-$range" --window 0,0.008 2> /dev/null
    note "fan beam, $n views over $range deg: PSNR $(psnr "$l4/fan-$range") dB;" \
        "$("$cli" run "$l4/fan-$range.json" --plan | head -1)"
    items+=("$l4/fan-$range/reconstruction.png|$range deg")
done
panel "$out/04-fan-coverage.png" "${items[@]}"
# The wide-cone orbits: circle (the scene), saddle, helix; their completeness maps.
discs=$scenes/lesson-cone-discs.json
variant "$discs" '.' "$l4/circle.json"
variant "$discs" '.geometry.trajectory |= (.kind = "saddle" | .z_amplitude_mm = 60 |
    .radial_amplitude_mm = 0)' "$l4/saddle.json"
variant "$discs" '.geometry.trajectory |= (.kind = "helical" | .views = 720 | .range_deg = 720 |
    .z_offset_mm = -60 | .pitch_mm = 60)' "$l4/helix.json"
for orbit in circle saddle helix; do
    "$cli" geometry "$l4/$orbit.json" --check --completeness "$l4/tuy-$orbit.nii.gz" > /dev/null
    note "completeness of the $orbit: $("$cli" info "$l4/tuy-$orbit.nii.gz" --json |
        jq -r '"\(.minimum * 1000 | round / 1000) to \(.maximum)"')"
    coronal "$l4/tuy-$orbit.nii.gz" "$l4/tuy-$orbit.png" 0.9 1 256
    "${xvfb[@]}" "$cli" render "$l4/$orbit.json" --view trajectory --current 40 \
        -o "$l4/orbit-$orbit.png" --size 400x300 > /dev/null
done
panel "$out/04-orbits.png" "$l4/orbit-circle.png|circle" "$l4/orbit-saddle.png|saddle" \
    "$l4/orbit-helix.png|helix"
panel "$out/04-completeness.png" "$l4/tuy-circle.png|circle" "$l4/tuy-saddle.png|saddle" \
    "$l4/tuy-helix.png|helix"
# FDK of the disc stack on circles of three cone angles (same magnification 2).
items=()
for d in "200 400" "600 1200" "2000 4000"; do
    read -r sid sdd <<< "$d"
    variant "$discs" ".geometry.trajectory.sid_mm = $sid | .geometry.trajectory.sdd_mm = $sdd" \
        "$l4/fdk-$sid.json"
    cone=$("$cli" geometry "$l4/fdk-$sid.json" --check --json |
        jq -r '.. | objects | select(.code? == "summary") | .message' |
        sed -E 's/.*cone angle ([0-9.]+) deg.*/\1/')
    run "$l4/fdk-$sid.json" "$l4/fdk-$sid"
    values=$("$cli" compare "$l4/fdk-$sid/reconstruction.nii.gz" "$l4/fdk-$sid/truth.nii.gz" \
        --profile 0,0,0:0,0,48 --samples 5 --json |
        jq -r '.profile.estimate | map(. * 10000 | round / 10000) | join(", ")')
    note "disc stack, FDK, SID $sid mm, cone angle $cone deg: PSNR $(psnr "$l4/fdk-$sid") dB;" \
        "mu on the axis at z = 0, 12, 24, 36, 48 mm: $values /mm (truth 0.02)"
    coronal "$l4/fdk-$sid/reconstruction.nii.gz" "$l4/fdk-$sid.png" 0 0.025 240
    items+=("$l4/fdk-$sid.png|FDK, cone $cone deg")
done
coronal "$l4/fdk-200/truth.nii.gz" "$l4/discs-truth.png" 0 0.025 240
panel "$out/04-cone-angle.png" "$l4/discs-truth.png|truth" "${items[@]}"
# Data, not the algorithm: CGLS on the circle and on the saddle (64^3, 120 views).
for orbit in circle saddle; do
    variant "$l4/$orbit.json" '.geometry.trajectory.views = 120 |
        .reconstruction = {"algorithm": "cgls", "iterations": 10, "batch_views": 24,
        "grid": {"size": [64, 64, 64], "spacing_mm": [2, 2, 2]}}' "$l4/cgls-$orbit.json"
    run "$l4/cgls-$orbit.json" "$l4/cgls-$orbit"
    note "disc stack, CGLS 10 iterations, 120 views, 64^3 of 2 mm, $orbit: PSNR" \
        "$(psnr "$l4/cgls-$orbit") dB, reconstructed in" \
        "$(jq -r '.reconstruct_seconds * 10 | round / 10' "$l4/cgls-$orbit/metrics.json") s"
    coronal "$l4/cgls-$orbit/reconstruction.nii.gz" "$l4/cgls-$orbit.png" 0 0.025 240
done
variant "$l4/circle.json" '.geometry.trajectory.views = 120 |
    .reconstruction.grid = {"size": [64, 64, 64], "spacing_mm": [2, 2, 2]}' "$l4/fdk-64.json"
run "$l4/fdk-64.json" "$l4/fdk-64"
note "disc stack, FDK, 120 views, 64^3 of 2 mm, circle: PSNR $(psnr "$l4/fdk-64") dB," \
    "reconstructed in" \
    "$(jq -r '.reconstruct_seconds * 100 | round / 100' "$l4/fdk-64/metrics.json") s"
coronal "$l4/fdk-64/reconstruction.nii.gz" "$l4/fdk-64.png" 0 0.025 240
coronal "$l4/fdk-64/truth.nii.gz" "$l4/truth-64.png" 0 0.025 240
panel "$out/04-circle-vs-saddle.png" "$l4/truth-64.png|truth" "$l4/fdk-64.png|circle, FDK" \
    "$l4/cgls-circle.png|circle, CGLS" "$l4/cgls-saddle.png|saddle, CGLS"

# --- Lesson 5: physics artefacts -----------------------------------------------------------
note "## Lesson 5"
l5=$work/l5
mkdir -p "$l5"
# effect SCENE NAME WINDOW: the scene with its physics and with --ideal, one grey window.
effect() {
    run "$1" "$l5/$2-ideal" --ideal --window "$3"
    run "$1" "$l5/$2" --window "$3"
    note "$2: ideal PSNR $(psnr "$l5/$2-ideal") dB, with the effect $(psnr "$l5/$2") dB" \
        "(simulated in $(jq -r '.simulate_seconds * 10 | round / 10' "$l5/$2/metrics.json") s)"
}
note "physics-beam-hardening.json's tube: $("$cli" spectrum --kvp 120 --anode-angle 10 \
    --filter aluminium:2.5 --filter copper:0.1 | grep 'mean energy')"
effect "$scenes/physics-beam-hardening.json" beam-hardening 0.016,0.022
variant "$scenes/physics-beam-hardening.json" \
    '.simulation.corrections.water_beam_hardening = true' "$l5/bh-corrected.json"
run "$l5/bh-corrected.json" "$l5/bh-corrected" --window 0.016,0.022
note "beam hardening with the water correction: PSNR $(psnr "$l5/bh-corrected") dB"
for d in beam-hardening-ideal beam-hardening bh-corrected; do
    note "  $d, mu along y at x = 0 (y = -90, -75, ..., 0 mm; water 0.019285):" \
        "$("$cli" compare "$l5/$d/reconstruction.nii.gz" "$l5/$d/truth.nii.gz" \
            --profile 0,-90,0:0,0,0 --samples 7 --json |
            jq -r '.profile.estimate | map(. * 100000 | round / 100000) | join(", ")')"
done
panel "$out/05-beam-hardening.png" "$l5/beam-hardening-ideal/reconstruction.png|ideal (70 keV)" \
    "$l5/beam-hardening/reconstruction.png|120 kVp" \
    "$l5/bh-corrected/reconstruction.png|120 kVp, water correction"
effect "$scenes/physics-metal.json" metal 0.010,0.026
panel "$out/05-metal.png" "$l5/metal-ideal/reconstruction.png|ideal" \
    "$l5/metal/reconstruction.png|120 kVp, 3e5 photons"
effect "$scenes/physics-scatter.json" scatter 0.010,0.026
panel "$out/05-scatter.png" "$l5/scatter-ideal/reconstruction.png|ideal" \
    "$l5/scatter/reconstruction.png|scatter, SPR 0.3"
effect "$scenes/physics-rings.json" rings 0.0185,0.0215
variant "$scenes/physics-rings.json" '.simulation.corrections.ring_removal = true' \
    "$l5/rings-removed.json"
run "$l5/rings-removed.json" "$l5/rings-removed" --window 0.0185,0.0215
note "rings with ring removal: PSNR $(psnr "$l5/rings-removed") dB"
panel "$out/05-rings.png" "$l5/rings-ideal/reconstruction.png|ideal" \
    "$l5/rings/reconstruction.png|gains off by 0.5 %" \
    "$l5/rings-removed/reconstruction.png|with ring removal"
effect "$scenes/physics-motion.json" motion 0.016,0.024
panel "$out/05-motion.png" "$l5/motion-ideal/reconstruction.png|still" \
    "$l5/motion/reconstruction.png|moving"
# Noise against dose: the noise is the difference from the noise-free (--ideal) image.
run "$noise" "$l5/noise-ideal" --ideal --window 0.008,0.032
items=("$l5/noise-ideal/reconstruction.png|no noise")
for n in 5000 20000 80000; do
    variant "$noise" ".simulation.photons_per_pixel = $n" "$l5/noise-$n.json"
    run "$l5/noise-$n.json" "$l5/noise-$n" --window 0.008,0.032
    note "noise, $n photons per pixel: PSNR $(psnr "$l5/noise-$n") dB against the truth;" \
        "against the noise-free image $(score "$l5/noise-$n/reconstruction.nii.gz" \
            "$l5/noise-ideal/reconstruction.nii.gz")"
    items+=("$l5/noise-$n/reconstruction.png|$n photons")
done
panel "$out/05-noise-dose.png" "${items[@]}"

note "## make-figures.sh took $((SECONDS - start)) s"
