#!/bin/sh
# The generated sample case is valid EVTX: evtx-gen-case writes the same case
# twice (deterministic), a few MB at most, and libevtx (evtxexport) and
# python-evtx both read every record of every file, with valid CRC32s, the
# values the answer key lists, and Chinese and Cyrillic text intact.
. "$(dirname "$0")/lib.sh"
command -v evtxexport >/dev/null 2>&1 || skip "skipped: evtxexport (libevtx-utils) is not installed"
"$PY" -c 'import Evtx.Evtx' 2>/dev/null || skip "skipped: python3-evtx is not installed for $PY"
[ -x "$BIN/evtx-gen-case" ] || fail "$BIN/evtx-gen-case is not built"

"$BIN/evtx-gen-case" "$TMP/case" || fail "evtx-gen-case failed"
"$BIN/evtx-gen-case" "$TMP/again" || fail "evtx-gen-case failed on the second run"
diff -r "$TMP/case" "$TMP/again" >/dev/null || fail "two runs wrote different cases"
kb=$(du -sk "$TMP/case" | cut -f1)
[ "$kb" -le 8192 ] || fail "the case takes $kb KiB"
for f in files process service t1489 lookalikes; do
    [ -s "$TMP/case/answer_key/$f.tsv" ] || fail "answer_key/$f.tsv is missing"
done
expect_exit 2 "$BIN/evtx-gen-case"
grep -q "try 'evtx-gen-case --help'" "$TMP/err" || fail "usage error without hint"
expect_exit 0 "$BIN/evtx-gen-case" --help
grep -q '^usage: evtx-gen-case' "$TMP/out" || fail "--help not on stdout"

"$PY" "$ROOT/tests/e2e/samples_check.py" "$TMP/case" || fail "the case does not read back as its answer key says"
echo ok
