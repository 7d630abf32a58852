#!/bin/sh
# One multi-gigabyte EVTX file (BENCH_BIG_MB, default 2200 MiB, built from the
# chunks of a generated case): evtx-index with one decoding thread and with the
# default (one per core, the file's chunks decoded in parallel): seconds,
# records/s, MB/s and peak RSS.
set -eu
BIN=${BIN:-bin}
MB=${BENCH_BIG_MB:-2200}
dir=${BENCH_DIR:-$(mktemp -d)}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
big="$dir/big-$MB.evtx"
if [ ! -f "$big" ]; then
    rm -rf "$dir/bigcase"
    "$BIN/evtx-gen-case" "$dir/bigcase" >/dev/null
    $PY "$ROOT/tests/bench/big_evtx.py" "$big" "$MB" $(find "$dir/bigcase" -name '*.evtx' | sort) > "$big.records"
fi
bytes=$(stat -c %s "$big")
echo "file: $(( bytes / 1000000 )) MB, $(cat "$big.records") records; $(nproc) cores"
printf 'jobs\tseconds\trecords/s\tMB/s\tpeak RSS MB\n'
for j in 1 0; do
    rm -f "$dir/big.db" "$dir/big.db-wal" "$dir/big.db-shm"
    if [ $j -eq 0 ]; then set -- ; label="default ($(nproc))"; else set -- --jobs $j; label=$j; fi
    /usr/bin/time -f '%e %M' -o "$dir/time" "$BIN/evtx-index" -q "$@" "$dir/big.db" "$big" || true
    read -r secs kb <<EOF2
$(tail -n 1 "$dir/time")
EOF2
    recs=$(sqlite3 "$dir/big.db" 'SELECT records FROM evidence_file')
    awk -v l="$label" -v s="$secs" -v r="$recs" -v b="$bytes" -v k="$kb" \
        'BEGIN { printf "%s\t%.1f\t%.0f\t%.0f\t%.0f\n", l, s, r / s, b / 1e6 / s, k / 1024 }'
done
