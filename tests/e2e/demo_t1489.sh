#!/bin/sh
# T1489 on the demo case: every true stop, disable, delete, pause or kill is found once,
# joined to its SCM echo; look-alikes and routine stops are not; the textbook rule misses
# the reference event; the timeline says who asked and what happened.
. "$(dirname "$0")/lib.sh"
make_case
"$BIN/evtx-index" -q "$TMP/c.db" "$TMP/case" || fail "index"
expect_exit 0 "$BIN/evtx-query" "$TMP/c.db" t1489 --explain -f json -o "$TMP/t1489.json"
expect_exit 0 "$BIN/evtx-query" "$TMP/c.db" timeline --by account -f json -o "$TMP/timeline.json"
$PY "$ROOT/tests/e2e/demo_check.py" t1489 "$TMP/case" "$TMP/t1489.json" "$TMP/timeline.json" || exit 1
# Filters narrow the same detections.
"$BIN/evtx-query" "$TMP/c.db" t1489 --host sql01 -f csv | tail -n +2 | grep -v ',SQL01,' && fail "--host let other hosts through"
n=$("$BIN/evtx-query" "$TMP/c.db" t1489 --account administrator --level critical -f ndjson | wc -l)
[ "$n" -ge 15 ] || fail "--account/--level: $n rows"
n=$("$BIN/evtx-query" "$TMP/c.db" t1489 --since 2024-03-13T02:40 --until 2024-03-13T02:42 -f ndjson | wc -l)
[ "$n" -eq 2 ] || fail "--since/--until: $n rows, want 2"
echo ok
