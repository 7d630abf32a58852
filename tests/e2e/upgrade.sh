#!/bin/sh
# A case made by the previous schema version (1: no action_context table) is
# refused by evtx-query with the command that updates it, and brought up to date
# by evtx-index (its service actions derived again) with the same T1489 answers
# as a case made new; the updated case then passes the writer's schema check.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "skipped: sqlite3 is not installed"
make_case
"$BIN/evtx-index" -q "$TMP/new.db" "$TMP/case" || fail "indexing the case"
"$BIN/evtx-query" "$TMP/new.db" t1489 --all -f csv > "$TMP/new.csv" || fail "t1489 on the new case"
cp "$TMP/new.db" "$TMP/old.db"
sqlite3 "$TMP/old.db" "DROP TABLE action_context; PRAGMA user_version = 1;" || fail "cannot make a version 1 case"
expect_exit 4 "$BIN/evtx-query" "$TMP/old.db" t1489
grep -q "older evtx-index (schema version 1): update it with 'evtx-index --rederive" "$TMP/err" ||
    fail "evtx-query does not say how to update an old case: $(cat "$TMP/err")"
expect_exit 0 "$BIN/evtx-index" "$TMP/old.db" "$TMP/case"
grep -q 'updated the case to schema version 2' "$TMP/err" || fail "no word of the update: $(cat "$TMP/err")"
"$BIN/evtx-query" "$TMP/old.db" t1489 --all -f csv > "$TMP/old.csv" || fail "t1489 on the updated case"
cmp -s "$TMP/new.csv" "$TMP/old.csv" || { diff "$TMP/new.csv" "$TMP/old.csv" | head; fail "the updated case answers otherwise"; }
[ "$(sqlite3 "$TMP/old.db" 'PRAGMA user_version')" = 2 ] || fail "user_version not 2"
expect_exit 0 "$BIN/evtx-index" -q "$TMP/old.db" "$TMP/case"
# --rederive updates it too.
cp "$TMP/new.db" "$TMP/old2.db"
sqlite3 "$TMP/old2.db" "DROP TABLE action_context; PRAGMA user_version = 1;"
expect_exit 0 "$BIN/evtx-index" -q --rederive "$TMP/old2.db"
"$BIN/evtx-query" "$TMP/old2.db" t1489 --all -f csv > "$TMP/old2.csv" || fail "t1489 after --rederive"
cmp -s "$TMP/new.csv" "$TMP/old2.csv" || fail "--rederive: the updated case answers otherwise"
echo ok
