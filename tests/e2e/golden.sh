#!/bin/sh
# Golden outputs of every subcommand and format on the demo case (tests/golden/*).
# After an intended change: UPDATE_GOLDEN=1 sh tests/e2e/golden.sh, and review the diff.
. "$(dirname "$0")/lib.sh"
make_case
cd "$TMP" || fail "cd"
"$BIN/evtx-index" -q c.db case || fail "index"
GOLDEN="$ROOT/tests/golden"
n=0
check() {
    name=$1; shift
    "$BIN/evtx-query" c.db "$@" > "$TMP/got" 2> "$TMP/err" || { cat "$TMP/err"; fail "$name: exit $?"; }
    if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$TMP/got" "$GOLDEN/$name"
    elif ! cmp -s "$TMP/got" "$GOLDEN/$name"; then
        diff "$GOLDEN/$name" "$TMP/got" | head -20
        fail "$name differs from tests/golden/$name"
    fi
    n=$((n + 1))
}
check t1489.table t1489
check t1489.csv t1489 --explain -f csv
check t1489.tsv t1489 -f tsv
check t1489.json t1489 --level high -f json
check t1489.ndjson t1489 --host WS02 -f ndjson
check t1489-tz.csv t1489 --tz +08:00 --limit 3 -f csv
check timeline-host.csv timeline -f csv
check timeline-account.tsv timeline --by account -f tsv
check timeline-all.csv timeline --all --host FS01 --since 2024-03-13 -f csv
check hosts.table hosts
check accounts.csv accounts -f csv
check coverage.csv coverage -f csv
check processes.csv processes --cmd ' stop ' -f csv
check processes-image.json processes --image net1.exe --account administrator -f json
check files.csv files -f csv
check sql.json sql 'SELECT host, count(*) AS n FROM process_v GROUP BY host ORDER BY host' -f json
echo "$n golden outputs match"
