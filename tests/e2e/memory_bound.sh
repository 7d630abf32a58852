#!/bin/sh
# Bounded memory: a loose EVTX file of more than 1 GB is hashed and decoded with a
# peak RSS under 100 MB (it is read with pread, never mapped whole), and every
# record in it is decoded. The file repeats the chunks of a generated Security.evtx.
. "$(dirname "$0")/lib.sh"
MB=${MEMORY_BOUND_MB:-1100}
LIMIT_KB=${MEMORY_BOUND_LIMIT_KB:-102400}
# A sanitizer build keeps freed memory in quarantine: there only the records are
# checked, on a smaller file.
sanitized=0
ldd "$BIN/evtx-index" 2>/dev/null | grep -q 'lib[at]san' && { sanitized=1; MB=${MEMORY_BOUND_MB:-200}; }
[ -x /usr/bin/time ] || skip "skipped: /usr/bin/time is not installed (package time)"
avail=$(df -Pk "$TMP" | awk 'NR == 2 { print $4 }')
[ "${avail:-0}" -gt $(( (MB + 200) * 1024 )) ] || skip "skipped: less than $((MB + 200)) MB free in $TMP"
make_case
src=$(find "$TMP/case" -name Security.evtx | sort | head -n 1)
[ -n "$src" ] || fail "the generated case has no Security.evtx"
# Builds big.evtx and prints how many live records it holds.
want=$($PY "$ROOT/tests/bench/big_evtx.py" "$TMP/big.evtx" "$MB" "$src") || fail "cannot build the large file"
size=$(stat -c %s "$TMP/big.evtx")
[ "$size" -ge $((MB * 1048576)) ] || fail "big.evtx is only $size bytes"
/usr/bin/time -f %M -o "$TMP/rss" "$BIN/evtx-index" -q "$TMP/c.db" "$TMP/big.evtx"; rc=$?
[ $rc -eq 0 ] || fail "evtx-index exited $rc"
rss=$(tail -n 1 "$TMP/rss")
got=$(sqlite3 "$TMP/c.db" 'SELECT records FROM evidence_file')
status=$(sqlite3 "$TMP/c.db" 'SELECT status FROM evidence_file')
[ "$status" = complete ] || fail "status $status"
echo "big.evtx: $size bytes, $got records, peak RSS $rss KB"
[ "$got" = "$want" ] || fail "$got records decoded, expected $want"
[ $sanitized -eq 1 ] || [ "$rss" -lt "$LIMIT_KB" ] || fail "peak RSS $rss KB, limit $LIMIT_KB KB"
echo ok
