#!/bin/sh
# Ingest benchmark, side by side on the same files:
#   evtx-index (default decoder), evtx-index --decoder=libevtx, evtxexport -f xml.
# The set: ../shared/corpus repeated until it holds at least BENCH_MB (default 500) MB;
# each copy gets its own bytes in the unused part of the file header (past the
# checksummed 128 bytes), so its SHA-256 differs and every copy is really decoded.
# Without the corpus, files built from the generated case are used instead.
set -eu
BIN=${BIN:-bin}
MB=${BENCH_MB:-500}
dir=${BENCH_DIR:-$(mktemp -d)}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
set_dir="$dir/set"
if [ ! -d "$set_dir" ]; then
    mkdir -p "$set_dir"
    if [ -d "$ROOT/../shared/corpus" ]; then
        python3 - "$ROOT/../shared/corpus" "$set_dir" "$MB" <<'PY'
import os, sys
src, dst, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = []
for root, _, names in os.walk(src):
    for n in sorted(names):
        p = os.path.join(root, n)
        with open(p, 'rb') as f:
            if f.read(8) == b'ElfFile\0':
                files.append(p)
files.sort()
total, copy = 0, 0
while total < mb * 1000000:
    for i, p in enumerate(files):
        data = bytearray(open(p, 'rb').read())
        tag = b'bench copy %d' % copy
        data[0x200:0x200 + len(tag)] = tag
        with open(os.path.join(dst, '%03d-%04d.evtx' % (copy, i)), 'wb') as f:
            f.write(data)
        total += len(data)
    copy += 1
print('%d files, %.0f MB' % (copy * len(files), total / 1e6), file=sys.stderr)
PY
    else
        # Files of 50 MB from the generated case's chunks, each copy of them with
        # its own times (tests/bench/big_evtx.py), so no record repeats another.
        "$BIN/evtx-gen-case" "$dir/gencase" >/dev/null
        i=0
        while [ $((i * 50)) -lt "$MB" ]; do
            python3 "$ROOT/tests/bench/big_evtx.py" --first-copy $((i * 1000)) "$set_dir/gen-$i.evtx" 50 \
                $(find "$dir/gencase" -name '*.evtx' | sort) > /dev/null
            i=$((i + 1))
        done
    fi
fi
bytes=$(du -sb "$set_dir" | cut -f1)
run() {
    name=$1; shift
    rm -f "$dir/b.db" "$dir/b.db-wal" "$dir/b.db-shm"
    /usr/bin/time -f '%e %M' -o "$dir/time" "$@" > /dev/null 2> "$dir/err" || true
    # time(1) writes "Command exited with non-zero status N" first when it does (3: skips).
    read -r secs kb <<EOF2
$(tail -n 1 "$dir/time")
EOF2
    echo "$name	$secs	$kb"
}
echo "set: $(( bytes / 1000000 )) MB in $(find "$set_dir" -type f | wc -l) files; $(nproc) cores"
# Every tool reads the set from the page cache: it is read once before the runs.
find "$set_dir" -type f -exec cat {} + > /dev/null
{
    # evtx-index takes about a second: the best of three runs.
    for _ in 1 2 3; do run evtx-index "$BIN/evtx-index" -q "$dir/b.db" "$set_dir"; done |
        sort -t '	' -k2,2n | head -n 1
    recs=$(sqlite3 "$dir/b.db" 'SELECT sum(records) FROM evidence_file')
    echo "records	$recs"
    run evtx-index-libevtx "$BIN/evtx-index" -q --decoder=libevtx "$dir/b.db" "$set_dir"
    run evtxexport sh -c "for f in '$set_dir'/*; do evtxexport -f xml \"\$f\"; done"
} > "$dir/results"
recs=$(awk -F'\t' '$1=="records"{print $2}' "$dir/results")
printf 'tool\tseconds\trecords/s\tMB/s\tpeak RSS MB\n'
awk -F'\t' -v recs="$recs" -v bytes="$bytes" '$1!="records"{
    printf "%s\t%.2f\t%.0f\t%.1f\t%.0f\n", $1, $2, recs/$2, bytes/1e6/$2, $3/1024; t[$1]=$2 }
  END { printf "ratio evtx-index / evtxexport: %.1fx; evtx-index / --decoder=libevtx: %.1fx\n",
        t["evtxexport"]/t["evtx-index"], t["evtx-index-libevtx"]/t["evtx-index"] }' "$dir/results"
