#!/usr/bin/env bash
# Times Tomoscope's 2D filtered backprojection against Debian's CTSim (ctsimtext pjrec), the
# peer issue 5 names: a 512² image from 720 views of 727 detectors, parallel beam over 180° and
# equilinear (flat) fan beam over 360°, Shepp-Logan. Both sides are whole command lines that
# read a projection file and write an image; CTSim's default filter (abs_bandlimit, spatial
# convolution) and its FFTW variant are both timed. Tomoscope's in-process time is printed too.
#
#   bench/compare_ctsim.sh [build/ci/app/tomoscope-cli]   (N=512 VIEWS=720 REPEAT=3 by default)
#
# Every time printed is the median of REPEAT runs.
set -euo pipefail

CLI=${1:-build/ci/app/tomoscope-cli}
N=${N:-512}
VIEWS=${VIEWS:-720}
REPEAT=${REPEAT:-3}
DETECTORS=$(( (N * 142 + 99) / 100 ))
command -v ctsimtext >/dev/null || { echo "ctsimtext not found (apt-get install ctsim)" >&2; exit 1; }
[[ -x $CLI ]] || { echo "tomoscope-cli not found at $CLI (build it first)" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

. "$(dirname "$0")/timing.sh"

scene() { # beam range_deg pixel_mm
    cat <<JSON
{
  "format": "tomoscope-scene", "version": 1, "name": "CTSim comparison",
  "geometry": {
    "beam": "$1",
    "trajectory": {"kind": "circular", "views": $VIEWS, "start_angle_deg": 0, "range_deg": $2,
                   "sid_mm": 500, "sdd_mm": 1000},
    "detector": {"columns": $DETECTORS, "rows": 1, "pixel_u_mm": $3, "pixel_v_mm": $3}
  },
  "object": {"phantom": "shepp-logan-2d", "radius_mm": 100, "mu_per_unit": 0.02},
  "simulation": {"model": "analytic"},
  "reconstruction": {"filter": "ram-lak", "batch_views": $VIEWS,
                     "grid": {"size": [$N, $N, 1], "spacing_mm": [0.41, 0.41, 0.41]}}
}
JSON
}

echo "problem: ${N}^2 image from $VIEWS views of $DETECTORS detectors (Shepp-Logan)"
echo "times: the median of $REPEAT runs"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
for geometry in parallel equilinear; do
    if [[ $geometry == parallel ]]; then
        beam=parallel2d range=180 pixel=0.3
    else
        beam=fan2d range=360 pixel=0.6
    fi
    ctsimtext phm2pj "$WORK/$geometry.pj" "$DETECTORS" "$VIEWS" --phantom shepp-logan \
        --geometry "$geometry" >/dev/null
    t_ct=$(median_seconds "$REPEAT" ctsimtext pjrec "$WORK/$geometry.pj" "$WORK/$geometry.if" \
        "$N" "$N")
    printf '%-58s %8.3f s\n' "ctsimtext pjrec $geometry (convolution filter)" "$t_ct"
    t_ctf=$(median_seconds "$REPEAT" ctsimtext pjrec "$WORK/$geometry.pj" \
        "$WORK/$geometry-f.if" "$N" "$N" --filter-method rfftw)
    printf '%-58s %8.3f s\n' "ctsimtext pjrec $geometry (--filter-method rfftw)" "$t_ctf"
    scene "$beam" "$range" "$pixel" >"$WORK/$beam.json"
    "$CLI" project "$WORK/$beam.json" --model analytic -q -o "$WORK/$beam.mha" >/dev/null
    for device in cpu opencl; do
        if ! "$CLI" devices 2>/dev/null | grep -q "$device"; then
            continue
        fi
        # First use of a device builds its kernels: once untimed.
        "$CLI" reconstruct "$WORK/$beam.json" --projections "$WORK/$beam.mha" \
            -o "$WORK/$beam-$device.nii" --device "$device" -q >/dev/null
        t_tomo=$(median_seconds "$REPEAT" "$CLI" reconstruct "$WORK/$beam.json" \
            --projections "$WORK/$beam.mha" -o "$WORK/$beam-$device.nii" --device "$device" -q)
        printf '%-58s %8.3f s  (%.1fx / %.1fx CTSim)\n' "tomoscope reconstruct $beam ($device)" \
            "$t_tomo" "$(echo "$t_ct / $t_tomo" | bc -l)" "$(echo "$t_ctf / $t_tomo" | bc -l)"
        grep -o 'reconstruction [0-9.]* s' "$WORK/last.log" | sed 's/^/    in process: /' || true
    done
done
