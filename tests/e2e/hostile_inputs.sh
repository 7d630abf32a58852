#!/bin/sh
# Hostile and broken input: damaged EVTX files (truncated, zeroed, garbage and bad-CRC
# chunks, a 0-byte file, absurd record and string sizes, a template inside itself,
# elements nested without end), file names with a newline and invalid UTF-8, a sparse
# file past 4 GiB, unreadable files, case databases that are not ours, corrupt or too
# new, and a database that cannot grow (RLIMIT_FSIZE). Each is built here from a
# generated case. Every run must end in time, without a crash, with the documented
# exit status and a message naming the file, and the good files of the same run must
# be indexed in full.
. "$(dirname "$0")/lib.sh"
for t in sqlite3 "$PY" timeout truncate dd; do
    command -v "$t" >/dev/null 2>&1 || skip "skipped: $t is not installed (tests/deps.sh)"
done
make_case
LOGS=C/Windows/System32/winevt/Logs
SRC="$TMP/case/WS01/$LOGS/Security.evtx"
[ -f "$SRC" ] || fail "generated case has no WS01 Security.evtx"

# idx LIMIT DB ARGS...: indexes within LIMIT seconds; status in $rc, stderr in $TMP/err.
idx() {
    limit=$1; db=$2; shift 2
    timeout "$limit" "$BIN/evtx-index" "$db" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
    [ $rc -ne 124 ] || fail "evtx-index $db: still running after $limit s"
    [ $rc -lt 128 ] || { cat "$TMP/err"; fail "evtx-index $db: killed by signal $((rc - 128))"; }
    grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$TMP/err" && { cat "$TMP/err"; fail "sanitizer report"; }
    return 0
}
expect_rc() { [ "$rc" -eq "$1" ] || { cat "$TMP/err"; fail "$2: exited $rc, expected $1"; }; }
expect_err() { grep -qF -- "$1" "$TMP/err" || { cat "$TMP/err"; fail "$2: message missing: $1"; }; }
q() { sqlite3 -batch "$@"; }

# The good files: two hosts' logs, indexed alone for the reference counts.
GOOD="$TMP/good"
mkdir -p "$GOOD"
cp -R "$TMP/case/FS01" "$TMP/case/QAX" "$GOOD/"
idx 60 "$TMP/ref.db" "$GOOD"
expect_rc 0 "good files alone"
good_counts() { q "$1" "SELECT path, records, skipped, status FROM evidence_file WHERE path LIKE '$GOOD/%' ORDER BY path"; }
good_counts "$TMP/ref.db" > "$TMP/ref.counts"
[ "$(wc -l < "$TMP/ref.counts")" -eq 4 ] || fail "reference: expected 4 good files"
good_rows() { q "$1" "SELECT (SELECT count(*) FROM process) || ' ' || (SELECT count(*) FROM service_event)"; }
ref_rows=$(good_rows "$TMP/ref.db")
all_records=$(q "$TMP/ref.db" "SELECT sum(records) FROM evidence_file")
check_good() {
    good_counts "$1" > "$TMP/got.counts"
    cmp -s "$TMP/ref.counts" "$TMP/got.counts" || { diff "$TMP/ref.counts" "$TMP/got.counts"; fail "$2: good files not indexed in full"; }
}

# damage KIND OUT: a damaged copy of SRC (CRC32s fixed again where the damage is
# inside a chunk, so that only the intended damage is there).
damage() {
    "$PY" - "$SRC" "$2" "$1" <<'PY' || fail "cannot build the '$1' file"
import random, struct, sys, zlib
src, dst, kind = sys.argv[1:4]
d = bytearray(open(src, "rb").read())
H, C = 4096, 65536
def u32(o): return struct.unpack_from("<I", d, o)[0]
def put32(o, v): struct.pack_into("<I", d, o, v)
def fix_crcs(c):
    b = H + c * C; free = u32(b + 48)
    put32(b + 52, zlib.crc32(bytes(d[b + 512:b + free])))
    put32(b + 124, zlib.crc32(bytes(d[b:b + 120]) + bytes(d[b + 128:b + 512])))
def record(n):
    # chunk offset of the n-th record (from 0) of chunk 0
    pos = 512
    for _ in range(n):
        pos += u32(H + pos + 4)
    return pos
assert len(d) >= H + 3 * C and d[H:H + 8] == b"ElfChnk\0"
if kind == "trunc_header":
    d = d[:2000]
elif kind == "trunc_chunk":
    d = d[:H + C + 30000]
elif kind == "zero_chunk":
    d[H + C:H + 2 * C] = bytes(C)
elif kind == "garbage_chunk":
    r = random.Random(7); d[H + C:H + 2 * C] = bytes(r.getrandbits(8) for _ in range(C))
elif kind == "bad_crc":
    put32(124, u32(124) ^ 0xffffffff)
    for c in range(2):
        put32(H + c * C + 52, u32(H + c * C + 52) ^ 1); put32(H + c * C + 124, u32(H + c * C + 124) ^ 1)
elif kind == "record_size":
    # the last record of chunk 0 says it is almost 4 GiB long
    free = u32(H + 48); n = 0
    while record(n + 1) < free: n += 1
    put32(H + record(n) + 4, 0xfffffff0); fix_crcs(0)
elif kind == "string_size":
    # the first element name of chunk 0's first template: 65535 characters
    x = H + record(0) + 24
    assert d[x:x + 5] == b"\x0f\x01\x01\x00\x0c"
    t = H + u32(x + 10) + 24
    assert d[t:t + 4] == b"\x0f\x01\x01\x00"
    struct.pack_into("<H", d, H + u32(t + 11) + 6, 0xffff); fix_crcs(0)
elif kind == "self_template":
    # record 2's EventData template instance names the System template, which is
    # being expanded: a template inside itself
    x = H + record(1) + 24
    assert d[x:x + 5] == b"\x0f\x01\x01\x00\x0c"
    inner = d.find(b"\x0f\x01\x01\x00\x0c", x + 14, H + record(2))
    assert inner > 0
    put32(inner + 10, u32(x + 10)); fix_crcs(0)
elif kind == "nest":
    # record 2's binary XML: elements opened and never closed, to the record's end
    rs = H + record(1); x = rs + 24; end = rs + u32(rs + 4) - 4
    name_at = x - H + 4 + 9
    body = bytearray(b"\x0f\x01\x01\x00")
    body += b"\x01" + struct.pack("<II", 0xffffffff, name_at) + struct.pack("<IHH", 0, 0, 1) + "A".encode("utf-16le") + b"\0\0\x02"
    while len(body) + 10 <= end - x:
        body += b"\x01" + struct.pack("<II", 0xffffffff, name_at) + b"\x02"
    body += bytes(end - x - len(body))
    d[x:end] = body; fix_crcs(0)
else:
    sys.exit("unknown kind " + kind)
open(dst, "wb").write(d)
PY
}

# hostile KIND STATUS REASON: the damaged file beside the good ones, in one run.
# REASON is the skipped_record reason (or, with STATUS 3 and no row, the message).
n=0
hostile() {
    kind=$1; want=$2; reason=$3
    n=$((n + 1)); dir="$TMP/h$n"; mkdir -p "$dir"
    damage "$kind" "$dir/$kind.evtx"
    idx 60 "$dir/case.db" "$GOOD" "$dir/$kind.evtx"
    expect_rc "$want" "$kind"
    check_good "$dir/case.db" "$kind"
    got=$(q "$dir/case.db" "SELECT group_concat(DISTINCT reason) FROM skipped_record JOIN evidence_file USING (file_id)
                             WHERE path = '$dir/$kind.evtx'")
    if [ -n "$reason" ]; then
        [ "$got" = "$reason" ] || { cat "$TMP/err"; fail "$kind: skipped_record reason '$got', expected '$reason'"; }
        [ "$(q "$dir/case.db" "SELECT status FROM evidence_file WHERE path = '$dir/$kind.evtx'")" = partial ] ||
            fail "$kind: file not marked partial"
        expect_err "records: " "$kind"
        expect_err "skipped input is listed in the case" "$kind"
    fi
    echo "ok $kind: exit $rc${got:+, skipped: $got}"
}
hostile trunc_chunk 3 "bad record size"
hostile garbage_chunk 3 "bad chunk signature"
hostile record_size 3 "bad record size"
hostile string_size 3 "binary xml runs past its data"
hostile self_template 3 "template instantiates itself"
hostile nest 3 "binary xml nested too deeply"
# A chunk the header counts, wiped to zeros: reported and counted as skipped, the
# others read.
hostile zero_chunk 3 "zeroed chunk (the file header counts it)"
[ "$(q "$dir/case.db" "SELECT records > 0 AND skipped = 1 AND header_chunks = chunks + 1 FROM evidence_file
                       WHERE path = '$dir/zero_chunk.evtx'")" = 1 ] ||
    fail "zero_chunk: the other chunks were not read, or the wiped chunk was not counted"
# Bad CRC32s: counted by the decoder, every record read all the same.
hostile bad_crc 0 ""
idx 60 "$TMP/src.db" "$SRC"
expect_rc 0 "undamaged file"
[ "$(q "$dir/case.db" "SELECT records FROM evidence_file WHERE path = '$dir/bad_crc.evtx'")" = \
  "$(q "$TMP/src.db" "SELECT records FROM evidence_file")" ] || fail "bad_crc: records lost"

# Not EVTX at all, or not even a whole header: skipped by name, exit 3.
hostile trunc_header 3 ""
expect_err "evtx-index: warning: cannot decode '$dir/trunc_header.evtx': truncated EVTX file" trunc_header
mkdir -p "$TMP/empty"; : > "$TMP/empty/Security.evtx"
idx 60 "$TMP/empty.db" "$GOOD" "$TMP/empty/Security.evtx"
expect_rc 3 "0-byte file"; check_good "$TMP/empty.db" "0-byte file"
expect_err "evtx-index: skipping '$TMP/empty/Security.evtx': empty file" "0-byte file"
echo "ok 0-byte file: exit 3"

# An unreadable file and an unreadable folder. Root reads them all the same: as
# root, the run is made as nobody (setpriv) when it can be, else the case is left.
U="$TMP/unr"; mkdir -p "$U/closed"
cp "$TMP/case/WS02/$LOGS/System.evtx" "$U/System.evtx"; cp "$TMP/case/WS02/$LOGS/Security.evtx" "$U/closed/"
chmod 000 "$U/System.evtx" "$U/closed"; chmod 777 "$U"
as_nobody
if [ "$(id -u)" -eq 0 ] && [ -z "$AS" ]; then
    echo "note: unreadable files not tested: running as root, and cannot run as nobody"
else
    $AS timeout 60 "$EVTX_INDEX" "$U/case.db" "$GOOD" "$U/System.evtx" "$U" >"$TMP/out" 2>"$TMP/err"; rc=$?
    [ $rc -lt 124 ] || { cat "$TMP/err"; fail "unreadable files: exited $rc"; }
    expect_rc 3 "unreadable files"; check_good "$U/case.db" "unreadable files"
    expect_err "evtx-index: warning: cannot open '$U/System.evtx': Permission denied" "unreadable file"
    expect_err "'$U/closed': Permission denied" "unreadable folder"
    echo "ok unreadable file and folder${AS:+ (as nobody)}: exit 3"
fi
chmod 755 "$U/closed"; chmod 644 "$U/System.evtx"

# File names with a newline, invalid UTF-8, a terminal escape sequence and a
# right-to-left override: indexed under their real names (the database keeps them
# as they are); a broken one is reported in one message line that shows the name
# escaped (\xHH), and no control byte, invalid UTF-8 or bidi override reaches stderr.
W="$TMP/weird"; mkdir -p "$W"
nl='
'
esc=$(printf '\033')
rlo=$(printf '\342\200\256')
cp "$TMP/case/WS02/$LOGS/System.evtx" "$W/new${nl}line.evtx"
cp "$TMP/case/SQL01/$LOGS/System.evtx" "$W/$(printf 'bad\377\376utf8').evtx"
# (cut to different lengths: a copy of a file already indexed would be known by its hash)
head -c 2000 "$SRC" > "$W/cut${nl}short.evtx"
head -c 2001 "$SRC" > "$W/cut$(printf '\377')byte.evtx"
head -c 2002 "$SRC" > "$W/cut${esc}[2J${esc}]0;pwned$(printf '\007')title.evtx"
printf 'not an event log\n' > "$W/note${rlo}gpj.evtx"
printf 'not an event log\n' > "$W/C:\\Users\\x${nl}.evtx"
idx 60 "$TMP/weird.db" "$GOOD" "$W"
expect_rc 3 "strange names"; check_good "$TMP/weird.db" "strange names"
[ "$(q "$TMP/weird.db" "SELECT count(*) FROM evidence_file WHERE path LIKE '$W/%' AND records > 0")" = 2 ] ||
    fail "strange names: the two good files were not indexed"
# one_message TEXT: exactly one line of stderr holds TEXT.
one_message() {
    [ "$(grep -cF -- "$1" "$TMP/err")" -eq 1 ] || { cat -A "$TMP/err"; fail "strange names: not one line: $1"; }
}
one_message "evtx-index: warning: cannot decode '$W/cut\\x0ashort.evtx': truncated EVTX file"
one_message "evtx-index: warning: cannot decode '$W/cut\\xffbyte.evtx': truncated EVTX file"
one_message "evtx-index: warning: cannot decode '$W/cut\\x1b[2J\\x1b]0;pwned\\x07title.evtx': truncated EVTX file"
one_message "evtx-index: skipping '$W/note\\xe2\\x80\\xaegpj.evtx': not an EVTX file"
one_message "evtx-index: skipping '$W/C:\\Users\\x\\x0a.evtx': not an EVTX file"
# Every line is a message or the summary: no name was split over two lines.
bad_lines=$(grep -v '^evtx-index: \|^indexed \|^records: \|^[0-9.]* MB in \|^skipped input is listed' "$TMP/err")
[ -z "$bad_lines" ] || { cat -A "$TMP/err"; fail "strange names: a message was split: $bad_lines"; }
LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177\200-\377]')" "$TMP/err" &&
    { cat -A "$TMP/err"; fail "strange names: a control byte or non-ASCII byte reached stderr"; }
# The database keeps each real name, byte for byte.
hexname() { "$PY" -c 'import os, sys; print(os.fsencode(sys.argv[1]).hex().upper())' "$1"; }
for f in "$W"/*; do
    h=$(hexname "$f")
    [ "$(q "$TMP/weird.db" "SELECT (SELECT count(*) FROM evidence_file WHERE hex(path) = '$h')
                                 + (SELECT count(*) FROM rejected_path WHERE hex(path) = '$h')")" = 1 ] ||
        fail "strange names: the database does not hold the real name $(printf '%s' "$f" | od -c | head -n 2)"
done
echo "ok names with a newline, invalid UTF-8, escape sequences, a bidi override: exit 3, one line each, escaped"

# A sparse file past 4 GiB: a header and one chunk, then zeros (unused slots).
SP="$TMP/sparse"; mkdir -p "$SP"
# The header is made to count that one chunk (and its CRC32 redone), so the zeros
# after it are unused space, not wiped chunks.
if truncate -s 4100M "$SP/Security.evtx" 2>/dev/null &&
   $PY - "$SRC" "$SP/Security.evtx" <<'PYEOF'
import struct, sys, zlib
d = bytearray(open(sys.argv[1], 'rb').read()[:4096 + 65536])
struct.pack_into('<H', d, 0x2a, 1)
struct.pack_into('<I', d, 0x7c, zlib.crc32(bytes(d[:120])) & 0xffffffff)
with open(sys.argv[2], 'r+b') as f:
    f.write(d)
PYEOF
then
    idx 120 "$TMP/sparse.db" "$GOOD" "$SP/Security.evtx"
    expect_rc 0 "sparse 4 GiB+ file"; check_good "$TMP/sparse.db" "sparse file"
    [ "$(q "$TMP/sparse.db" "SELECT size = 4100 * 1048576 AND records > 0 FROM evidence_file WHERE path = '$SP/Security.evtx'")" = 1 ] ||
        fail "sparse file: size or records wrong"
    echo "ok sparse 4 GiB+ file: exit 0"
else
    echo "note: sparse file not tested: this file system refuses a 4100 MiB sparse file"
fi
rm -f "$SP/Security.evtx"

# Databases: not ours (left as it was), not SQLite, corrupt, newer schema.
q "$TMP/other.db" "CREATE TABLE notes(x); INSERT INTO notes VALUES ('keep')"
cp "$TMP/other.db" "$TMP/other.orig"
idx 60 "$TMP/other.db" "$GOOD"
expect_rc 4 "database not ours"; expect_err "evtx-index: error: '$TMP/other.db' is not a case database of this tool" "not ours"
cmp -s "$TMP/other.db" "$TMP/other.orig" || fail "database not ours: it was changed"
expect_exit 4 "$BIN/evtx-query" "$TMP/other.db" files
grep -qF "'$TMP/other.db' is not a case database of this tool" "$TMP/err" || fail "evtx-query: no message on a database not ours"
printf 'these are notes, not a database\n' > "$TMP/text.db"
idx 60 "$TMP/text.db" "$GOOD"
expect_rc 4 "text file as database"; expect_err "'$TMP/text.db' is not a case database" "text file"
[ "$(cat "$TMP/text.db")" = "these are notes, not a database" ] || fail "text file as database: it was changed"
cp "$TMP/ref.db" "$TMP/newer.db"; q "$TMP/newer.db" "PRAGMA user_version = 99"
idx 60 "$TMP/newer.db" "$GOOD"
expect_rc 4 "newer schema"; expect_err "'$TMP/newer.db' has schema version 99" "newer schema"
expect_exit 4 "$BIN/evtx-query" "$TMP/newer.db" files
grep -qF "'$TMP/newer.db' has schema version 99" "$TMP/err" || fail "evtx-query: no message on a newer schema"
echo "ok databases not ours, not SQLite, newer: exit 4"
size=$(wc -c < "$TMP/ref.db")
for at in 2 4 8; do
    cp "$TMP/ref.db" "$TMP/corrupt.db"
    "$PY" -c "import random,sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); r=random.Random(int(sys.argv[3])); f.write(bytes(r.getrandbits(8) for _ in range(8192)))" \
        "$TMP/corrupt.db" $((size * at / 10)) "$at" || fail "cannot damage the database"
    idx 60 "$TMP/corrupt.db" "$TMP/case/WS02"
    [ $rc -eq 4 ] || [ $rc -eq 0 ] || { cat "$TMP/err"; fail "corrupt database ($at/10): exited $rc"; }
    [ $rc -eq 0 ] || expect_err "evtx-index: error: " "corrupt database"
    [ "$(wc -l < "$TMP/err")" -le 8 ] || { cat "$TMP/err"; fail "corrupt database: too many lines"; }
    for cmd in files t1489 hosts; do
        timeout 60 "$BIN/evtx-query" "$TMP/corrupt.db" $cmd >/dev/null 2>"$TMP/err"; qrc=$?
        [ $qrc -eq 0 ] || [ $qrc -eq 4 ] || { cat "$TMP/err"; fail "evtx-query $cmd on a corrupt database: exited $qrc"; }
        [ $qrc -eq 0 ] || grep -q "^evtx-query: error: " "$TMP/err" || { cat "$TMP/err"; fail "evtx-query $cmd: no error message"; }
    done
    echo "ok corrupt database ($at/10 in): evtx-index exit $rc"
done

# The disk fills up: the database cannot grow past RLIMIT_FSIZE (SIGXFSZ ignored,
# so a write fails with EFBIG). A clean error, exit 4, and a database that is still
# sound and can be completed by running again.
if (trap '' XFSZ; ulimit -f 200) 2>/dev/null; then
    (trap '' XFSZ; ulimit -f 200; exec timeout 60 "$BIN/evtx-index" "$TMP/full.db" "$TMP/case") >"$TMP/out" 2>"$TMP/err"; rc=$?
    [ $rc -lt 124 ] || { cat "$TMP/err"; fail "disk full: exited $rc"; }
    expect_rc 4 "disk full"
    # Named by lib/db.c ("database 'PATH': ..."), or by the store ("database: ...").
    grep -q "^evtx-index: error: database[ :]" "$TMP/err" || { cat "$TMP/err"; fail "disk full: no database error"; }
    grep "^evtx-index: error: database '" "$TMP/err" | grep -qvF "'$TMP/full.db'" &&
        { cat "$TMP/err"; fail "disk full: the message names another file"; }
    [ "$(q "$TMP/full.db" "PRAGMA integrity_check")" = ok ] || fail "disk full: database damaged"
    idx 60 "$TMP/full.db" "$TMP/case"
    expect_rc 0 "disk full, run again"
    [ "$(q "$TMP/full.db" "PRAGMA integrity_check")" = ok ] || fail "disk full, run again: database damaged"
    idx 60 "$TMP/whole.db" "$TMP/case"
    [ "$(q "$TMP/full.db" "SELECT count(*), sum(records) FROM evidence_file")" = \
      "$(q "$TMP/whole.db" "SELECT count(*), sum(records) FROM evidence_file")" ] || fail "disk full, run again: not complete"
    echo "ok disk full: exit 4, database sound, completed by a second run"
else
    echo "note: disk full not tested: ulimit -f is refused"
fi
echo "all hostile inputs handled (reference: $all_records records, rows $ref_rows)"
