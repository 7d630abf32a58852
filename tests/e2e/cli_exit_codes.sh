#!/bin/sh
# Exit codes and messages of both programs, as a user meets them.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$BIN/evtx-index" --help
grep -q '^usage: evtx-index' "$TMP/out" || fail "--help not on stdout"
expect_exit 2 "$BIN/evtx-index"
grep -q "try 'evtx-index --help'" "$TMP/err" || fail "usage error without hint"
expect_exit 2 "$BIN/evtx-index" "$TMP/x.db"
expect_exit 2 "$BIN/evtx-index" --no-such-option "$TMP/x.db" .
expect_exit 2 "$BIN/evtx-index" --decoder=nope "$TMP/x.db" .
expect_exit 0 "$BIN/evtx-query" --help
expect_exit 2 "$BIN/evtx-query" "$TMP/x.db"
expect_exit 2 "$BIN/evtx-query" "$TMP/x.db" nosuchcommand
expect_exit 2 "$BIN/evtx-query" --format xml "$TMP/x.db" files

# A missing evidence path: reported, the run finishes, status 3.
expect_exit 3 "$BIN/evtx-index" "$TMP/a.db" "$TMP/does-not-exist"
grep -q "cannot read '.*does-not-exist': No such file or directory" "$TMP/err" || fail "missing path message"

# A file named on the command line that is not EVTX: skipped, status 3, listed by files.
printf 'hello' > "$TMP/notes.evtx"
: > "$TMP/empty.evtx"
expect_exit 3 "$BIN/evtx-index" "$TMP/a.db" "$TMP/notes.evtx" "$TMP/empty.evtx"
grep -q "skipping '.*notes.evtx': not an EVTX file" "$TMP/err" || fail "non-EVTX message"
grep -q "skipping '.*empty.evtx': empty file" "$TMP/err" || fail "empty file message"
expect_exit 0 "$BIN/evtx-query" "$TMP/a.db" files --format csv
grep -q 'notes.evtx' "$TMP/out" || fail "rejected file not listed by files"

# A folder holding only other files: ignored, status 0.
mkdir -p "$TMP/other"; echo x > "$TMP/other/readme.txt"
expect_exit 0 "$BIN/evtx-index" "$TMP/b.db" "$TMP/other"

# A database that is not ours, one that is not SQLite, one from a newer version.
sqlite3 "$TMP/foreign.db" 'CREATE TABLE t(x)'
expect_exit 4 "$BIN/evtx-index" "$TMP/foreign.db" "$TMP/other"
grep -q "is not a case database" "$TMP/err" || fail "foreign db message"
expect_exit 4 "$BIN/evtx-query" "$TMP/foreign.db" files
head -c 8192 /dev/urandom > "$TMP/garbage.db"
expect_exit 4 "$BIN/evtx-index" "$TMP/garbage.db" "$TMP/other"
cp "$TMP/b.db" "$TMP/newer.db"
sqlite3 "$TMP/newer.db" 'PRAGMA user_version = 99'
expect_exit 4 "$BIN/evtx-index" "$TMP/newer.db" "$TMP/other"
grep -q "newer than this program" "$TMP/err" || fail "newer schema message"
expect_exit 4 "$BIN/evtx-query" "$TMP/newer.db" files
expect_exit 4 "$BIN/evtx-query" "$TMP/missing.db" files
grep -qF "evtx-query: error: cannot open '$TMP/missing.db': No such file or directory" "$TMP/err" ||
    fail "missing database message"
[ ! -e "$TMP/missing.db" ] || fail "evtx-query created a database"
expect_exit 4 "$BIN/evtx-query" -o "$TMP/no/such/dir/out.csv" "$TMP/a.db" files
grep -qF "evtx-query: error: cannot open '$TMP/no/such/dir/out.csv': No such file or directory" "$TMP/err" ||
    fail "output file message"

# A write error on stdout is an error, not silence.
if [ -w /dev/full ]; then
    "$BIN/evtx-query" "$TMP/a.db" files > /dev/full 2>"$TMP/err"; rc=$?
    [ $rc -eq 4 ] || fail "write to /dev/full exited $rc"
fi
echo ok
