# Sourced by the compare_*.sh scripts: seconds CMD... runs CMD quietly (its output in
# $WORK/last.log, shown on failure) and prints its wall time in seconds. Needs $WORK.
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >"$WORK/last.log" 2>&1 || { cat "$WORK/last.log" >&2; return 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

# median_seconds R CMD... runs CMD R times as seconds does and prints the median wall time: on
# a shared machine single runs of a sub-second command differ by 30 % and more.
median_seconds() {
    local repeat=$1 t i
    shift
    local runs=()
    for ((i = 0; i < repeat; i++)); do
        t=$(seconds "$@") || return 1
        runs+=("$t")
    done
    printf '%s\n' "${runs[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
