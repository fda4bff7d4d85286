#!/usr/bin/env bash
# Times Tomoscope's cone-beam projectors against Debian's plastimatch on the same problem
# (issue 4): a volume of N³ 1 mm voxels (plastimatch synth: a sphere of radius 0.4·N mm), VIEWS
# views over 360° of N² pixels of 1.5 mm, SAD 1000 mm, SID 1500 mm.
#   forward:  plastimatch drr -i exact  vs  tomoscope-cli project --model joseph
#   backward: plastimatch fdk (ramp filter + voxel-driven backprojection)
#             vs tomoscope-cli backproject --model voxel-driven (no filter)
#             and tomoscope-cli reconstruct (FDK: weights, ramp filter, backprojection)
# The scene filters and backprojects 64 views per batch (batch_views): the C++ backend's
# voxel-driven column path transposes up to 64 views at a time and adds them to the volume in one
# pass over it, so smaller batches pass over the volume more often (32: 10% slower at 256³).
# Both sides are whole command lines: reading the volume, writing the result and thread start-up
# are in both timings. Prints each wall time, GUPS for the backprojections and the ratios.
#
#   bench/compare_plastimatch.sh [build/ci/app/tomoscope-cli]   (N=256 VIEWS=360 by default)
#   DEVICES="cpu opencl" N=128 VIEWS=90 bench/compare_plastimatch.sh
set -euo pipefail

CLI=${1:-build/ci/app/tomoscope-cli}
N=${N:-256}
VIEWS=${VIEWS:-360}
DEVICES=${DEVICES:-cpu opencl}
command -v plastimatch >/dev/null || { echo "plastimatch not found (apt-get install plastimatch)" >&2; exit 1; }
[[ -x $CLI ]] || { echo "tomoscope-cli not found at $CLI (build it first)" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

. "$(dirname "$0")/timing.sh"

half=$(echo "($N - 1) / 2" | bc -l)
detector_mm=$(echo "$N * 1.5" | bc -l)
plastimatch synth --pattern sphere --output "$WORK/volume.mha" --output-type float \
    --dim "$N $N $N" --spacing "1 1 1" --origin "-$half -$half -$half" \
    --radius "$(echo "0.4 * $N" | bc -l)" --foreground 0.02 --background 0 >/dev/null

cat >"$WORK/scene.json" <<JSON
{
  "format": "tomoscope-scene", "version": 1, "name": "plastimatch comparison",
  "geometry": {
    "beam": "cone3d",
    "trajectory": {"kind": "circular", "views": $VIEWS, "start_angle_deg": 0, "range_deg": 360,
                   "sid_mm": 1000, "sdd_mm": 1500},
    "detector": {"columns": $N, "rows": $N, "pixel_u_mm": 1.5, "pixel_v_mm": 1.5}
  },
  "object": {"phantom": "water-cylinder", "radius_mm": 50, "height_mm": 50, "mu_per_unit": 0.02},
  "simulation": {"model": "joseph"},
  "reconstruction": {"algorithm": "fdk", "filter": "ram-lak", "cutoff": 1.0, "batch_views": 64,
                     "grid": {"size": [$N, $N, $N], "spacing_mm": [1, 1, 1]}}
}
JSON

echo "problem: ${N}^3 voxels of 1 mm, $VIEWS views of ${N}^2 pixels of 1.5 mm, SAD 1000, SID 1500"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
mkdir -p "$WORK/drr"
step=$(echo "360 / $VIEWS" | bc -l)
t_drr=$(seconds plastimatch drr -I "$WORK/volume.mha" -O "$WORK/drr/" -i exact -P none -t pfm \
    -a "$VIEWS" -N "$step" -r "$N $N" -z "$detector_mm $detector_mm" --sad 1000 --sid 1500)
printf '%-52s %8.2f s\n' "plastimatch drr (exact, cpu)" "$t_drr"
t_fdk=$(seconds plastimatch fdk -I "$WORK/drr" -O "$WORK/fdk.mha" -r "$N $N $N" -z "$N $N $N")
gups_fdk=$(echo "$N^3 * $VIEWS / $t_fdk / 1000000000" | bc -l)
printf '%-52s %8.2f s  %6.3f GUPS\n' "plastimatch fdk (ramp + backprojection, cpu)" "$t_fdk" "$gups_fdk"

for device in $DEVICES; do
    if ! "$CLI" devices 2>/dev/null | grep -q "$device"; then
        echo "tomoscope $device: no such device here, skipped"
        continue
    fi
    t_fwd=$(seconds "$CLI" project "$WORK/scene.json" --volume "$WORK/volume.mha" \
        -o "$WORK/proj-$device.mha" --model joseph --device "$device" -q)
    printf '%-52s %8.2f s  (%.1fx plastimatch drr)\n' "tomoscope project joseph ($device)" "$t_fwd" \
        "$(echo "$t_drr / $t_fwd" | bc -l)"
    t_back=$(seconds "$CLI" backproject "$WORK/scene.json" --projections "$WORK/proj-$device.mha" \
        -o "$WORK/back-$device.mha" --model voxel-driven --device "$device" -q)
    gups=$(echo "$N^3 * $VIEWS / $t_back / 1000000000" | bc -l)
    printf '%-52s %8.2f s  %6.3f GUPS (%.1fx plastimatch fdk)\n' \
        "tomoscope backproject voxel-driven ($device)" "$t_back" "$gups" \
        "$(echo "$t_fdk / $t_back" | bc -l)"
    t_rec=$(seconds "$CLI" reconstruct "$WORK/scene.json" --projections "$WORK/proj-$device.mha" \
        -o "$WORK/fdk-$device.mha" --device "$device" -q)
    gups=$(echo "$N^3 * $VIEWS / $t_rec / 1000000000" | bc -l)
    printf '%-52s %8.2f s  %6.3f GUPS (%.1fx plastimatch fdk)\n' \
        "tomoscope reconstruct fdk ($device)" "$t_rec" "$gups" "$(echo "$t_fdk / $t_rec" | bc -l)"
    grep -o 'reconstruction [0-9.]* s' "$WORK/last.log" | sed 's/^/    in process: /' || true
done
