#!/bin/sh
# Our EVTX decoder (indexer/evtx_decode.c) against independent readers on ../shared/corpus:
# MANIFEST.tsv counts and libevtx event by event (tests/unit/test_decoder_corpus, which
# also lists the kinds of difference where libevtx is wrong), then python-evtx on the
# files with events of interest (decoder_pyevtx.py). The CLI cannot pick a decoder yet,
# hence the test program.
. "$(dirname "$0")/lib.sh"
need_corpus
build=${BUILD:-build/rel}
case "$build" in /*) ;; *) build="$ROOT/$build" ;; esac
prog="$build/tests/test_decoder_corpus"
[ -x "$prog" ] || skip "skipped: $prog is not built"
CORPUS="$CORPUS" "$prog" >"$TMP/libevtx.txt" 2>&1 || { grep -v '^note' "$TMP/libevtx.txt" | tail -n 60; fail "our decoder disagrees with MANIFEST.tsv or libevtx"; }
grep '^allowed\|disagreement' "$TMP/libevtx.txt"
/usr/bin/python3 -c 'import Evtx.Evtx' 2>/dev/null || skip "skipped: python-evtx is not installed (Debian: python3-evtx)"
/usr/bin/python3 "$(dirname "$0")/decoder_pyevtx.py" "$prog" "$CORPUS" 200 >"$TMP/pyevtx.txt" 2>&1 || { tail -n 60 "$TMP/pyevtx.txt"; fail "our decoder disagrees with python-evtx"; }
tail -n 6 "$TMP/pyevtx.txt"
