# Shared by the end-to-end tests (sourced). Provides: $BIN, $ROOT, $TMP (removed at
# exit), CORPUS (empty when ../shared/corpus is absent), fail, skip, expect_exit, as_nobody.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${BIN:-bin}
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CORPUS=""
[ -d "$ROOT/../shared/corpus" ] && CORPUS=$(cd "$ROOT/../shared/corpus" && pwd)
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
need_corpus() { [ -n "$CORPUS" ] || skip "skipped: ../shared/corpus is not present beside the project"; }

# expect_exit CODE CMD...: runs CMD, output in $TMP/out and $TMP/err, checks its status.
expect_exit() {
    want=$1; shift
    "$@" >"$TMP/out" 2>"$TMP/err"; got=$?
    [ "$got" -eq "$want" ] || { cat "$TMP/err"; fail "'$*' exited $got, expected $want"; }
}

# A generated demo case, made once per test into $TMP/case.
make_case() {
    [ -d "$TMP/case" ] || "$BIN/evtx-gen-case" "$TMP/case" >/dev/null 2>&1 || fail "evtx-gen-case failed"
}

# as_nobody: sets EVTX_INDEX (the evtx-index to run) and AS (a prefix that runs it as
# nobody: set when running as root and setpriv can, else empty). As root, a copy of
# evtx-index in $TMP is run: the checkout may sit in a folder nobody cannot enter.
as_nobody() {
    AS=""
    EVTX_INDEX="$BIN/evtx-index"
    [ "$(id -u)" -eq 0 ] || return 0
    chmod 755 "$TMP"
    cp "$BIN/evtx-index" "$TMP/evtx-index" && chmod 755 "$TMP/evtx-index" && EVTX_INDEX="$TMP/evtx-index"
    command -v setpriv >/dev/null 2>&1 &&
        setpriv --reuid=65534 --regid=65534 --clear-groups timeout 10 "$EVTX_INDEX" --help >/dev/null 2>&1 &&
        AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
    return 0
}
