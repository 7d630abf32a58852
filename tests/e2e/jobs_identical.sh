#!/bin/sh
# --jobs: the case database is the same whatever the number of decoding threads
# (rows and their ids), on the corpus, on the generated case and on a big file
# decoded in parts; only the times at which files were indexed or first seen differ.
. "$(dirname "$0")/lib.sh"
need_corpus
make_case
command -v sqlite3 >/dev/null || skip "skipped: sqlite3 is not installed"
dump() {
    # evidence_file.indexed_at and evidence_path.first_seen are wall-clock times.
    sqlite3 "$1" "UPDATE evidence_file SET indexed_at = ''; UPDATE evidence_path SET first_seen = '';" ||
        fail "cannot clear the times in $1"
    sqlite3 "$1" .dump
}
for n in 1 4; do
    "$BIN/evtx-index" -q --jobs $n "$TMP/j$n.db" "$CORPUS" "$TMP/case"; rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "--jobs $n exited $rc"
    echo $rc > "$TMP/rc$n"
    dump "$TMP/j$n.db" > "$TMP/dump$n"
done
cmp -s "$TMP/rc1" "$TMP/rc4" || fail "exit status differs: $(cat "$TMP/rc1") with --jobs 1, $(cat "$TMP/rc4") with --jobs 4"
[ "$(grep -c '^INSERT INTO evidence_file' "$TMP/dump1")" -gt 50 ] || fail "too few files indexed"
cmp -s "$TMP/dump1" "$TMP/dump4" || { diff "$TMP/dump1" "$TMP/dump4" | head -n 20; fail "--jobs 1 and --jobs 4 give different databases"; }
# A file of 16 MB or more is split into runs of chunks decoded by several workers:
# the case is still the same as with one. This one mixes the chunks of every
# generated log (several hosts and channels) and has a garbage chunk in the middle.
want=$($PY "$ROOT/tests/bench/big_evtx.py" --damage "$TMP/big.evtx" 24 $(find "$TMP/case" -name '*.evtx' | sort)) ||
    fail "cannot build the large file"
for n in 1 2 4; do
    "$BIN/evtx-index" -q --jobs $n "$TMP/b$n.db" "$TMP/big.evtx" "$TMP/case"; rc=$?
    [ $rc -eq 3 ] || fail "big file, --jobs $n exited $rc (expected 3: one bad chunk)"
    dump "$TMP/b$n.db" > "$TMP/bdump$n"
done
got=$(sqlite3 "$TMP/b2.db" "SELECT records FROM evidence_file WHERE path LIKE '%big.evtx'")
[ "$got" = "$want" ] || fail "big file: $got records, expected $want"
for n in 2 4; do
    cmp -s "$TMP/bdump1" "$TMP/bdump$n" || { diff "$TMP/bdump1" "$TMP/bdump$n" | head -n 20; fail "big file: --jobs 1 and --jobs $n give different databases"; }
done
# The same with the libevtx decoder on the generated case.
for n in 1 4; do
    expect_exit 0 "$BIN/evtx-index" -q --decoder=libevtx --jobs $n "$TMP/l$n.db" "$TMP/case"
    dump "$TMP/l$n.db" > "$TMP/ldump$n"
done
cmp -s "$TMP/ldump1" "$TMP/ldump4" || { diff "$TMP/ldump1" "$TMP/ldump4" | head -n 20; fail "--decoder=libevtx: --jobs 1 and 4 differ"; }
expect_exit 2 "$BIN/evtx-index" --jobs 0 "$TMP/x.db" "$TMP/case"
echo ok
