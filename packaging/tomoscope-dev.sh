#!/usr/bin/env bash
# Tomoscope from source on Debian 12, as root (or with sudo available):
#   packaging/tomoscope-dev.sh run    install packages, build, open the app on the default scene
#                                     (headless: run the scene with tomoscope-cli, say where the
#                                     images went)
#   packaging/tomoscope-dev.sh test   install packages, build with the ci preset (warnings are
#                                     errors), run every test under a virtual X server
#   packaging/tomoscope-dev.sh deps   only install the packages
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
scene="$root/resources/scenes/shepp-logan-2d-parallel.json"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_packages() {
    mapfile -t wanted < <(grep -vE '^\s*(#|$)' "$here/debian-packages.txt")
    missing=()
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "all ${#wanted[@]} Debian packages are installed"
        return
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "run as root or install sudo" >&2; exit 1; }
        sudo="sudo"
    fi
    say "installing ${#missing[@]} Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

jobs() { nproc 2>/dev/null || echo 2; }

case "${1:-}" in
deps)
    install_packages
    ;;
run)
    install_packages
    say "building (release preset)"
    cmake --preset release -S "$root" >/dev/null
    cmake --build "$root/build/release" -j "$(jobs)" --target tomoscope tomoscope-cli
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        say "opening Tomoscope on $scene"
        exec "$root/build/release/app/tomoscope" "$scene" --run
    fi
    out="$root/out/shepp-logan-2d-parallel"
    say "no display: running the same scene headless"
    "$root/build/release/app/tomoscope-cli" run "$scene" -o "$out"
    say "images and volumes are in $out (sinogram.png, reconstruction.png, *.nii.gz)"
    ;;
test)
    install_packages
    say "configure, build and test (ci preset) under Xvfb"
    cd "$root"
    # -a picks a free display number; 24-bit depth so screenshots and GL framebuffers are RGB.
    # -noreset: Xvfb otherwise resets when its last client leaves, and a render test starting
    # during that reset loses its X connection.
    xvfb-run -a -s "-screen 0 1600x1000x24 -noreset" cmake --workflow --preset ci
    ;;
*)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 1
    ;;
esac
