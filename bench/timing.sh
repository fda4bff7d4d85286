# Sourced by the compare_*.sh scripts: seconds CMD... runs CMD quietly (its output in
# $WORK/last.log, shown on failure) and prints its wall time in seconds. Needs $WORK.
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >"$WORK/last.log" 2>&1 || { cat "$WORK/last.log" >&2; return 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}
