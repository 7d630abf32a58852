#!/bin/sh
# Evidence in archives: every kind gives exactly the process and service rows the same
# EVTX files give loose, with evidence paths pointing into the archives; the same
# files loose and archived are indexed once; a member larger than the memory budget
# is read with bounded memory.
. "$(dirname "$0")/lib.sh"
need_corpus
for t in zip bsdtar gzip bzip2 xz sqlite3; do
    command -v $t >/dev/null 2>&1 || skip "skipped: $t is not installed (tests/deps.sh)"
done
SEVENZ=$(command -v 7zz || command -v 7z || true)

# Rows as comparable text: every column but row ids, file ids and places in files.
rows() {
    for t in process service_event; do
        cols=$(sqlite3 "$1" "SELECT group_concat('t.' || name, ', ') FROM pragma_table_info('$t')
            WHERE name NOT IN ('process_id', 'service_event_id', 'host_id', 'file_id', 'record_number', 'chunk', 'service_id')")
        sqlite3 -batch "$1" "SELECT '$t', h.name, $cols FROM $t t JOIN host h USING (host_id)" | LC_ALL=C sort
    done
}

# index NAME PATH... [options first]: indexes into $TMP/NAME.db; the status must be the loose one.
index() {
    name=$1; shift
    "$BIN/evtx-index" -q "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"; got=$?
    [ "$got" -eq "$want_rc" ] || { cat "$TMP/$name.err"; fail "$name: exited $got, loose files gave $want_rc"; }
}

# same NAME PREFIX COUNT: the same files (by SHA-256) and rows as loose; COUNT
# evidence paths start with PREFIX.
same() {
    sqlite3 "$TMP/$1.db" 'SELECT sha256 FROM evidence_file ORDER BY 1' > "$TMP/$1.sha"
    cmp -s "$TMP/loose.sha" "$TMP/$1.sha" || fail "$1: the files read differ from the loose files"
    rows "$TMP/$1.db" > "$TMP/$1.rows"
    cmp -s "$TMP/loose.rows" "$TMP/$1.rows" || {
        diff "$TMP/loose.rows" "$TMP/$1.rows" | head -20; fail "$1: rows differ from the loose files'"; }
    n=$(sqlite3 "$TMP/$1.db" "SELECT count(*) FROM evidence_path WHERE substr(path, 1, length('$2')) = '$2'")
    [ "$n" -eq "$3" ] || { sqlite3 "$TMP/$1.db" 'SELECT path FROM evidence_path' | head; fail "$1: $n evidence paths start with '$2', expected $3"; }
}

# The evidence: two collections of real logs, with their folders (names with spaces).
mkdir -p "$TMP/loose" "$TMP/a"
cp -R "$CORPUS/sbousseaden-EVTX-ATTACK-SAMPLES" "$CORPUS/mdecrevoisier-EVTX-to-MITRE-Attack" "$TMP/loose/"
(cd "$TMP/loose" && find . -type f | sed 's|^\./||' | LC_ALL=C sort > "$TMP/list")
"$BIN/evtx-index" -q "$TMP/loose.db" "$TMP/loose" 2>"$TMP/loose.err"; want_rc=$?
[ $want_rc -eq 0 ] || [ $want_rc -eq 3 ] || { cat "$TMP/loose.err"; fail "loose files: exited $want_rc"; }
rows "$TMP/loose.db" > "$TMP/loose.rows"
sqlite3 "$TMP/loose.db" 'SELECT sha256 FROM evidence_file ORDER BY 1' > "$TMP/loose.sha"
nfiles=$(sqlite3 "$TMP/loose.db" 'SELECT count(*) FROM evidence_path')
[ "$nfiles" -gt 100 ] || fail "only $nfiles loose files indexed"
grep -q '^process' "$TMP/loose.rows" && grep -q '^service_event' "$TMP/loose.rows" || fail "no process or service rows to compare"

# Every kind, built from the same list of files.
A="$TMP/a"
(
    cd "$TMP/loose" || exit 1
    zip -q -X "$A/deflate.zip" -@ < "$TMP/list"
    zip -q -X -0 "$A/stored.zip" -@ < "$TMP/list"
    zip -q -X -fz "$A/zip64.zip" -@ < "$TMP/list"
    zip -q -X - -@ < "$TMP/list" > "$A/piped.zip"
    bsdtar -cf "$A/plain.tar" -T "$TMP/list"
) || fail "cannot build the archives"
gzip -c "$A/plain.tar" > "$A/logs.tar.gz"
half=$(($(wc -c < "$A/plain.tar") / 2))
{ head -c $half "$A/plain.tar" | gzip; tail -c +$((half + 1)) "$A/plain.tar" | gzip; } > "$A/multi.tgz"
bzip2 -c "$A/plain.tar" > "$A/logs.tar.bz2"
xz -c "$A/plain.tar" > "$A/logs.tar.xz"
for k in deflate.zip stored.zip zip64.zip piped.zip plain.tar logs.tar.gz multi.tgz logs.tar.bz2 logs.tar.xz; do
    index "$k" "$TMP/$k.db" "$A/$k"
    same "$k" "$A/$k!" "$nfiles"
done
if command -v zstd >/dev/null 2>&1; then
    zstd -q -c "$A/plain.tar" > "$A/logs.tar.zst"
    index zst "$TMP/zst.db" "$A/logs.tar.zst"
    same zst "$A/logs.tar.zst!" "$nfiles"
fi
if [ -n "$SEVENZ" ]; then
    (cd "$TMP/loose" && "$SEVENZ" a -bd -i@"$TMP/list" "$A/logs.7z" >/dev/null) || fail "7z failed"
    index 7z "$TMP/7z.db" "$A/logs.7z"
    same 7z "$A/logs.7z!" "$nfiles"
fi

# Names are not looked at: an archive named like nothing is still opened.
cp "$A/logs.tar.gz" "$A/evidence.bin"
index renamed "$TMP/renamed.db" "$A/evidence.bin"
same renamed "$A/evidence.bin!" "$nfiles"

# A sparse file (a log with a hole at its end) in a tar: the hole is read as zeros.
mkdir -p "$TMP/sparse"
cp "$TMP/loose/$(head -n 1 "$TMP/list")" "$TMP/sparse/holes.evtx"
truncate -s +4M "$TMP/sparse/holes.evtx"
(cd "$TMP/sparse" && bsdtar -cf holes.tar holes.evtx) || fail "cannot build a sparse tar"
"$BIN/evtx-index" -q "$TMP/sparse.db" "$TMP/sparse/holes.tar" 2>/dev/null
[ "$(sqlite3 "$TMP/sparse.db" 'SELECT sha256 FROM evidence_file')" = "$(sha256sum < "$TMP/sparse/holes.evtx" | cut -c1-64)" ] ||
    fail "a sparse member is not read as the file it was"

# Every member through an anonymous memory file (no heap budget at all).
index memfd "$TMP/memfd.db" --memory-budget 0 "$A/deflate.zip"
same memfd "$A/deflate.zip!" "$nfiles"

# One .evtx.gz per log, named after the log.
mkdir -p "$TMP/gz"
while IFS= read -r f; do
    mkdir -p "$TMP/gz/$(dirname "$f")"
    gzip -c "$TMP/loose/$f" > "$TMP/gz/$f.gz"
done < "$TMP/list"
index gz "$TMP/gz.db" "$TMP/gz"
same gz "$TMP/gz/" "$nfiles"
f=$(head -n 1 "$TMP/list")
n=$(sqlite3 "$TMP/gz.db" "SELECT count(*) FROM evidence_path WHERE path = '$TMP/gz/$f.gz!$(basename "$f")'")
[ "$n" -eq 1 ] || fail "a .evtx.gz member is not named after its file"

# Archives in archives: a tar.gz and a 7z in a zip; a zip in a tar.xz (held whole in memory).
(cd "$A" && zip -q -0 "$TMP/nested.zip" logs.tar.gz && bsdtar -cJf "$TMP/nested.tar.xz" deflate.zip)
[ -n "$SEVENZ" ] && (cd "$A" && zip -q "$TMP/nested.zip" logs.7z)
index nested "$TMP/nested.db" "$TMP/nested.zip" "$TMP/nested.tar.xz"
same nested "$TMP/nested.zip!logs.tar.gz!" "$nfiles"
n=$(sqlite3 "$TMP/nested.db" "SELECT count(*) FROM evidence_path WHERE path LIKE '%nested.tar.xz!deflate.zip!%'")
[ "$n" -eq "$nfiles" ] || fail "zip in tar.xz: $n evidence paths, expected $nfiles"
m=$(sqlite3 "$TMP/loose.db" 'SELECT count(*) FROM evidence_file')

# The same logs loose, in a zip and in a tar.gz: each file and each record once.
mkdir -p "$TMP/mix"
cp -R "$TMP/loose/." "$TMP/mix/"
cp "$A/deflate.zip" "$A/logs.tar.gz" "$TMP/mix/"
"$BIN/evtx-index" "$TMP/mix.db" "$TMP/mix" >/dev/null 2>"$TMP/mix.err"; rc=$?
[ $rc -eq "$want_rc" ] || { cat "$TMP/mix.err"; fail "mix: exited $rc"; }
rows "$TMP/mix.db" > "$TMP/mix.rows"
cmp -s "$TMP/loose.rows" "$TMP/mix.rows" || fail "mix: rows differ from the loose files'"
[ "$(sqlite3 "$TMP/mix.db" 'SELECT count(*) FROM evidence_file')" -eq "$m" ] || fail "mix: a file was indexed twice"
[ "$(sqlite3 "$TMP/mix.db" 'SELECT count(*) FROM evidence_path')" -eq $((3 * nfiles)) ] || fail "mix: an evidence path is missing"
grep -q "^archives: 2 opened, $((2 * $(wc -l < "$TMP/list"))) member(s), 0 problem(s)" "$TMP/mix.err" || { cat "$TMP/mix.err"; fail "mix: summary"; }
"$BIN/evtx-query" "$TMP/mix.db" files --format csv > "$TMP/files.csv" || fail "evtx-query files"
grep -q "deflate.zip!sbousseaden-EVTX-ATTACK-SAMPLES/" "$TMP/files.csv" || fail "evtx-query files does not show archive members"

# A generated case, zipped.
if [ -x "$BIN/evtx-gen-case" ]; then
    make_case
    "$BIN/evtx-index" -q "$TMP/case.db" "$TMP/case" 2>/dev/null; want_rc=$?
    rows "$TMP/case.db" > "$TMP/loose.rows"
    sqlite3 "$TMP/case.db" 'SELECT sha256 FROM evidence_file ORDER BY 1' > "$TMP/loose.sha"
    k=$(sqlite3 "$TMP/case.db" 'SELECT count(*) FROM evidence_path')
    (cd "$TMP" && zip -q -r case.zip case) || fail "cannot zip the generated case"
    index casezip "$TMP/casezip.db" "$TMP/case.zip"
    same casezip "$TMP/case.zip!case/" "$k"
fi

# Bounded memory: peak RSS while a 350 MB member is read.
if [ -x /usr/bin/time ]; then
    mkdir -p "$TMP/mem"
    seq 1 40000000 > "$TMP/mem/big.log"
    cp "$TMP/loose/$f" "$TMP/mem/Security.evtx"
    (cd "$TMP/mem" && zip -q -0 bundle.zip big.log Security.evtx && bsdtar -czf big.tgz big.log Security.evtx &&
        rm big.log && gzip -1 bundle.zip) || fail "cannot build the large archives"
    case "$BIN" in */san/*) bound=200000 ;; *) bound=100000 ;; esac
    # peak ARGS...: runs evtx-index, sets $kb to its peak RSS in KiB.
    peak() {
        /usr/bin/time -f %M -o "$TMP/rss" "$BIN/evtx-index" -q "$@" 2>"$TMP/mem.err"; rc=$?
        [ $rc -eq 0 ] || [ $rc -eq 3 ] || { cat "$TMP/mem.err"; fail "indexing a large member: exited $rc"; }
        kb=$(tail -n 1 "$TMP/rss")
    }
    # A 350 MB zip inside a gzip, over the budget: held in a memory file, never mapped.
    peak --memory-budget 16M "$TMP/m1.db" "$TMP/mem/bundle.zip.gz"
    echo "zip in gzip, --memory-budget 16M: peak RSS $kb KB (bound $bound KB)"
    [ "$kb" -lt $bound ] || fail "peak RSS $kb KB with a 16 MiB budget"
    n=$(sqlite3 "$TMP/m1.db" "SELECT count(*) FROM evidence_path WHERE path LIKE '%bundle.zip.gz!bundle.zip!Security.evtx'")
    [ "$n" -eq 1 ] || fail "the log in the large zip was not indexed"
    # The same with the default budget is held on the heap: the measure sees it.
    peak "$TMP/m2.db" "$TMP/mem/bundle.zip.gz"
    echo "zip in gzip, default budget: peak RSS $kb KB"
    [ "$kb" -gt 300000 ] || fail "peak RSS $kb KB: the measure does not see a 350 MB member"
    # A 350 MB member that is not EVTX, in a tar.gz: left after its first bytes.
    peak "$TMP/m3.db" "$TMP/mem/big.tgz"
    echo "tar.gz with a large non-EVTX member: peak RSS $kb KB (bound $bound KB)"
    [ "$kb" -lt $bound ] || fail "peak RSS $kb KB while leaving a large member"
    [ "$(sqlite3 "$TMP/m3.db" 'SELECT count(*) FROM evidence_file')" -eq 1 ] || fail "the log after the large member was not indexed"
else
    echo "memory bound not measured: /usr/bin/time is not installed"
fi
echo ok
