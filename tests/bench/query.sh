#!/bin/sh
# Query latency on a synthetic case: tests/bench/query.sh [N ...] (default 1000000).
# Prints, per size, the best of 3 wall-clock times of each query and the database size.
set -eu
BIN=${BIN:-bin}
dir=${BENCH_DIR:-$(mktemp -d)}
now() { date +%s%N; }
best_ms() {
    best=""
    for _ in 1 2 3; do
        t0=$(now); "$@" > /dev/null; t1=$(now)
        ms=$(( (t1 - t0) / 1000000 ))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    echo "$best"
}
echo "rows	db_MB	t1489_ms	timeline_ms	timeline_by_account_ms	processes_cmd_ms	hosts_ms"
for n in "${@:-1000000}"; do
    db="$dir/bench-$n.db"
    [ -f "$db" ] || sh "$(dirname "$0")/make_case.sh" "$db" "$n"
    mb=$(( $(stat -c %s "$db") / 1000000 ))
    a=$(best_ms "$BIN/evtx-query" "$db" t1489 -f csv)
    b=$(best_ms "$BIN/evtx-query" "$db" timeline -f csv)
    c=$(best_ms "$BIN/evtx-query" "$db" timeline --by account -f csv)
    d=$(best_ms "$BIN/evtx-query" "$db" processes --cmd 'stop svc3' --limit 100 -f csv)
    e=$(best_ms "$BIN/evtx-query" "$db" hosts -f csv)
    echo "$n	$mb	$a	$b	$c	$d	$e"
done
