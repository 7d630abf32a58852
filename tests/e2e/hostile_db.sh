#!/bin/sh
# Case databases evtx-index must not write to: a case whose schema holds objects that
# are not ours (a planted trigger, an extra view or index, a view redefined), a case
# that is a read-only file or sits in a read-only folder, a folder that does not
# exist; and a database path with control characters. Each is refused with exit 4
# and one message line naming the file, and nothing is written. A case that ANALYZE
# was run on (sqlite_stat1) is still ours.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || skip "skipped: sqlite3 is not installed (tests/deps.sh)"
make_case
q() { sqlite3 -batch "$@"; }
LOGS=C/Windows/System32/winevt/Logs
EV1="$TMP/case/WS01"
EV2="$TMP/case/WS02/$LOGS/System.evtx"
expect_exit 0 "$BIN/evtx-index" -q "$TMP/ref.db" "$EV1"

# refused DB WHAT MESSAGE: evtx-index on DB exits 4 with MESSAGE on one line, and DB
# is left as it was (compared with a copy taken before).
refused() {
    db=$1; what=$2; msg=$3
    cp "$db" "$TMP/before.db"
    expect_exit 4 "$BIN/evtx-index" -q "$db" "$EV2"
    grep -qF -- "$msg" "$TMP/err" || { cat "$TMP/err"; fail "$what: message missing: $msg"; }
    [ "$(wc -l < "$TMP/err")" -eq 1 ] || { cat "$TMP/err"; fail "$what: more than one line on stderr"; }
    cmp -s "$db" "$TMP/before.db" || fail "$what: the database was changed"
    [ ! -s "$db-wal" ] || fail "$what: the database has a write-ahead log"
    echo "ok $what: exit 4, nothing written"
}

# A trigger planted on one of our tables: it would run on every insert.
cp "$TMP/ref.db" "$TMP/trigger.db"
q "$TMP/trigger.db" "CREATE TRIGGER planted AFTER INSERT ON process BEGIN DELETE FROM evidence_path; END"
refused "$TMP/trigger.db" "planted trigger" \
    "evtx-index: error: refusing to write to '$TMP/trigger.db': its trigger 'planted' is not part of a case"
# evtx-query still reads it: read-only, triggers off.
expect_exit 0 "$BIN/evtx-query" "$TMP/trigger.db" files

# A view of ours defined otherwise, an extra index, an extra view.
cp "$TMP/ref.db" "$TMP/view.db"
q "$TMP/view.db" "DROP VIEW files_v; CREATE VIEW files_v AS SELECT 1 AS x"
refused "$TMP/view.db" "redefined view" "refusing to write to '$TMP/view.db': its view 'files_v' is not defined as in a case"
cp "$TMP/ref.db" "$TMP/index.db"
q "$TMP/index.db" "CREATE INDEX mine ON process(pid)"
refused "$TMP/index.db" "extra index" "refusing to write to '$TMP/index.db': its index 'mine' is not part of a case"
cp "$TMP/ref.db" "$TMP/xview.db"
q "$TMP/xview.db" "CREATE VIEW extra AS SELECT * FROM process"
refused "$TMP/xview.db" "extra view" "refusing to write to '$TMP/xview.db': its view 'extra' is not part of a case"

# A planted object whose name holds a newline and an escape sequence: one line, escaped.
cp "$TMP/ref.db" "$TMP/name.db"
q "$TMP/name.db" "CREATE TRIGGER \"x$(printf '\033')[2J
y\" AFTER INSERT ON host BEGIN SELECT 1; END"
refused "$TMP/name.db" "trigger with a hostile name" "its trigger 'x\\x1b[2J\\x0ay' is not part of a case"

# ANALYZE's tables are SQLite's own: the case is still ours, and indexing goes on.
cp "$TMP/ref.db" "$TMP/analyzed.db"
q "$TMP/analyzed.db" "ANALYZE"
expect_exit 0 "$BIN/evtx-index" -q "$TMP/analyzed.db" "$EV2"
[ "$(q "$TMP/analyzed.db" "SELECT count(*) FROM evidence_file")" -gt "$(q "$TMP/ref.db" "SELECT count(*) FROM evidence_file")" ] ||
    fail "analyzed case: nothing indexed"
echo "ok case with sqlite_stat1: indexed"

# A folder that does not exist.
expect_exit 4 "$BIN/evtx-index" -q "$TMP/no/such/folder/case.db" "$EV2"
grep -qF "evtx-index: error: cannot open '$TMP/no/such/folder/case.db': No such file or directory" "$TMP/err" ||
    { cat "$TMP/err"; fail "missing folder: message"; }
echo "ok missing folder: exit 4"

# A database path with a newline, an escape sequence and invalid UTF-8, not ours:
# the message is one line with the path escaped.
odd="$TMP/odd$(printf '\033')]0;x$(printf '\007')
$(printf '\377').db"
printf 'not a database at all, just text that is long enough\n' > "$odd"
expect_exit 4 "$BIN/evtx-index" -q "$odd" "$EV2"
grep -qF "evtx-index: error: '$TMP/odd\\x1b]0;x\\x07\\x0a\\xff.db' is not a case database" "$TMP/err" ||
    { cat "$TMP/err"; fail "odd database name: message"; }
[ "$(wc -l < "$TMP/err")" -eq 1 ] || { cat "$TMP/err"; fail "odd database name: more than one line"; }
expect_exit 4 "$BIN/evtx-query" "$odd" files
grep -qF "evtx-query: error: '$TMP/odd\\x1b]0;x\\x07\\x0a\\xff.db' is not a case database" "$TMP/err" ||
    { cat "$TMP/err"; fail "odd database name: evtx-query message"; }
echo "ok database name with control characters: one line, escaped"

# A valid case that is a read-only file, and one in a read-only folder. Root writes
# to them all the same: as root, evtx-index runs as nobody (setpriv) when it can.
RO="$TMP/ro"; mkdir -p "$RO/dir"
cp "$TMP/ref.db" "$RO/case.db"; cp "$TMP/ref.db" "$RO/dir/case.db"
chmod 444 "$RO/case.db"; chmod 666 "$RO/dir/case.db"; chmod 555 "$RO/dir"; chmod 755 "$RO" "$TMP"
as_nobody
[ "$(id -u)" -eq 0 ] && chmod -R a+rX "$TMP/case"
if [ "$(id -u)" -eq 0 ] && [ -z "$AS" ]; then
    echo "note: read-only case not tested: running as root, and cannot run as nobody"
else
    cp "$RO/case.db" "$TMP/before.db"
    $AS timeout 60 "$EVTX_INDEX" -q "$RO/case.db" "$EV2" >"$TMP/out" 2>"$TMP/err"; rc=$?
    [ $rc -eq 4 ] || { cat "$TMP/err"; fail "read-only case: exited $rc, expected 4"; }
    grep -qF "evtx-index: error: cannot write to '$RO/case.db': the file is read-only" "$TMP/err" ||
        { cat "$TMP/err"; fail "read-only case: message"; }
    [ "$(wc -l < "$TMP/err")" -eq 1 ] || { cat "$TMP/err"; fail "read-only case: more than one line"; }
    cmp -s "$RO/case.db" "$TMP/before.db" || fail "read-only case: changed"
    echo "ok read-only case${AS:+ (as nobody)}: exit 4"
    $AS timeout 60 "$EVTX_INDEX" -q "$RO/dir/case.db" "$EV2" >"$TMP/out" 2>"$TMP/err"; rc=$?
    [ $rc -eq 4 ] || { cat "$TMP/err"; fail "case in a read-only folder: exited $rc, expected 4"; }
    grep -qF "evtx-index: error: cannot open '$RO/dir/case.db': its folder, or its -wal or -shm file, cannot be written" \
        "$TMP/err" || { cat "$TMP/err"; fail "case in a read-only folder: message"; }
    [ "$(wc -l < "$TMP/err")" -eq 1 ] || { cat "$TMP/err"; fail "case in a read-only folder: more than one line"; }
    $AS timeout 60 "$EVTX_INDEX" -q "$RO/dir/new.db" "$EV2" >"$TMP/out" 2>"$TMP/err"; rc=$?
    [ $rc -eq 4 ] || { cat "$TMP/err"; fail "new case in a read-only folder: exited $rc, expected 4"; }
    grep -qF "evtx-index: error: cannot open '$RO/dir/new.db': Permission denied" "$TMP/err" ||
        { cat "$TMP/err"; fail "new case in a read-only folder: message"; }
    echo "ok case in a read-only folder${AS:+ (as nobody)}: exit 4"
fi
chmod 755 "$RO/dir"
echo "all hostile case databases refused"
