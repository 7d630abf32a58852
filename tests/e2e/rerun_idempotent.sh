#!/bin/sh
# Load once: indexing the same evidence again changes nothing; the same file under
# another name adds only its path; the database stays consistent.
. "$(dirname "$0")/lib.sh"
need_corpus
dump() {
    for t in evidence_file evidence_path skipped_record rejected_path host process service_event \
             sighting coverage service_action account; do
        echo "== $t"; sqlite3 -batch "$1" "SELECT * FROM $t ORDER BY 1, 2" || fail "cannot read $t"
    done
}
ev="$CORPUS/sbousseaden-EVTX-ATTACK-SAMPLES"
"$BIN/evtx-index" -q "$TMP/c.db" "$ev" "$CORPUS/log2timeline-plaso/test_data/evtx"; rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "first run exited $rc"
dump "$TMP/c.db" > "$TMP/one"
"$BIN/evtx-index" "$TMP/c.db" "$ev" "$CORPUS/log2timeline-plaso/test_data/evtx" 2>"$TMP/err"; rc2=$?
[ $rc2 -eq $rc ] || fail "second run exited $rc2, first $rc"
grep -q '^indexed 0 file(s), 8[0-9] already in the case' "$TMP/err" || { cat "$TMP/err"; fail "second run did not skip known files"; }
dump "$TMP/c.db" > "$TMP/two"
cmp -s "$TMP/one" "$TMP/two" || { diff "$TMP/one" "$TMP/two" | head; fail "second run changed the database"; }

# The same content under another path: only an evidence_path row is added.
f="$ev/AutomatedTestingTools/Malware/rundll32_cmd_schtask.evtx"
cp "$f" "$TMP/renamed.bin"
"$BIN/evtx-index" -q "$TMP/c.db" "$TMP/renamed.bin" || fail "indexing a renamed copy failed"
dump "$TMP/c.db" | grep -v 'renamed.bin' > "$TMP/three"
cmp -s "$TMP/two" "$TMP/three" || { diff "$TMP/two" "$TMP/three" | head; fail "a renamed copy added rows"; }
[ "$(sqlite3 "$TMP/c.db" "SELECT count(*) FROM evidence_path WHERE path LIKE '%renamed.bin'")" = 1 ] || fail "renamed copy's path not recorded"
[ "$(sqlite3 "$TMP/c.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
echo ok
