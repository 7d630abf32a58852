#!/bin/sh
# Single large EVTX files, built by tests/bench/big_evtx.py: one of BENCH_BIG_MB
# (default 2200) MiB from the chunks of a generated case (rich in process
# creations), and, when ../shared/corpus is present, one of 1000 MiB from the
# corpus's chunks (a real mix of channels). Each is indexed with one decoding
# thread and with the default (one per core, the file's chunks decoded in
# parallel): seconds, records/s, MB/s and peak RSS.
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
files=$big
if [ -d "$ROOT/../shared/corpus" ]; then
    cbig="$dir/corpus-1000.evtx"
    [ -f "$cbig" ] || find "$ROOT/../shared/corpus" -name '*.evtx' -print0 | sort -z |
        xargs -0 $PY "$ROOT/tests/bench/big_evtx.py" "$cbig" 1000 > "$cbig.records"
    files="$files $cbig"
fi
printf 'file\tjobs\tseconds\trecords/s\tMB/s\tpeak RSS MB\n'
for f in $files; do
    bytes=$(stat -c %s "$f")
    cat "$f" > /dev/null
    for j in 1 0; do
        rm -f "$dir/big.db" "$dir/big.db-wal" "$dir/big.db-shm"
        if [ $j -eq 0 ]; then set -- ; label="default ($(nproc))"; else set -- --jobs $j; label=$j; fi
        /usr/bin/time -f '%e %M' -o "$dir/time" "$BIN/evtx-index" -q "$@" "$dir/big.db" "$f" || true
        read -r secs kb <<EOF2
$(tail -n 1 "$dir/time")
EOF2
        recs=$(sqlite3 "$dir/big.db" 'SELECT records FROM evidence_file')
        awk -v n="$(basename "$f") ($((bytes / 1000000)) MB)" -v l="$label" -v s="$secs" -v r="$recs" -v b="$bytes" -v k="$kb" \
            'BEGIN { printf "%s\t%s\t%.2f\t%.0f\t%.0f\t%.0f\n", n, l, s, r / s, b / 1e6 / s, k / 1024 }'
    done
done
