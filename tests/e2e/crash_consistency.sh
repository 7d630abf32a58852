#!/bin/sh
# Killed at any moment (SIGKILL), evtx-index leaves a consistent case, and the next
# run completes it: the final database equals a clean run's, row for row.
. "$(dirname "$0")/lib.sh"
need_corpus
ev="$CORPUS"
dump() {
    for t in evidence_file evidence_path skipped_record rejected_path host process service_event \
             host_event sighting coverage service_action account; do
        echo "== $t"
        # indexed_at and first_seen are wall-clock times, the only columns that may differ.
        case $t in
            evidence_file) sqlite3 -batch "$1" "SELECT sha256, size, path, decoder, status, records, recovered, skipped, n_4688, n_sysmon1, n_7036, n_7040, n_7045, n_4697, n_duplicates FROM evidence_file ORDER BY sha256" ;;
            evidence_path) sqlite3 -batch "$1" "SELECT p.path, f.sha256 FROM evidence_path p JOIN evidence_file f USING (file_id) ORDER BY p.path" ;;
            account|rejected_path) sqlite3 -batch "$1" "SELECT * FROM $t ORDER BY 1" ;;
            *) sqlite3 -batch "$1" "SELECT * FROM $t ORDER BY 1, 2, 3" ;;
        esac
    done
}
"$BIN/evtx-index" -q --decoder=libevtx "$TMP/clean.db" "$ev"
dump "$TMP/clean.db" > "$TMP/clean.txt"
kills=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    rm -f "$TMP/k.db" "$TMP/k.db-wal" "$TMP/k.db-shm"
    # Several kills per case, each at a different moment, then a run to the end.
    for j in 1 2 3; do
        # libevtx is the slower decoder: the kills land inside files more often.
        "$BIN/evtx-index" -q --decoder=libevtx "$TMP/k.db" "$ev" &
        pid=$!
        sleep "0.$(( (i * 7 + j * 13) % 10 ))$(( (i + j) % 10 ))"
        kill -9 $pid 2>/dev/null && kills=$((kills + 1))
        wait $pid 2>/dev/null
        [ "$(sqlite3 "$TMP/k.db" 'PRAGMA integrity_check' 2>&1)" = ok ] || fail "integrity_check after kill $i.$j"
    done
    "$BIN/evtx-index" -q --decoder=libevtx "$TMP/k.db" "$ev"; rc=$?
    [ $rc -eq 3 ] || fail "completing run $i exited $rc"
    dump "$TMP/k.db" > "$TMP/k.txt"
    cmp -s "$TMP/clean.txt" "$TMP/k.txt" || { diff "$TMP/clean.txt" "$TMP/k.txt" | head; fail "after kills, case $i differs from a clean run"; }
done
echo "ok: $kills kills, every case completed to the clean result"
