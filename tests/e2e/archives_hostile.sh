#!/bin/sh
# Hostile and broken archives: zip bombs, truncated and corrupt archives, encrypted
# members, strange member names, nesting too deep, a symlink loop in a walked folder.
# Each gets a clear message and a rejected_path row, exit status 3, and loses nothing
# else.
. "$(dirname "$0")/lib.sh"
need_corpus
for t in zip bsdtar gzip bzip2 xz sqlite3 "$PY"; do
    command -v "$t" >/dev/null 2>&1 || skip "skipped: $t is not installed (tests/deps.sh)"
done
SEVENZ=$(command -v 7zz || command -v 7z || true)
TIMEOUT=""
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout 120"

# idx DB ARGS...: indexes; status in $rc, messages in $TMP/err.
idx() {
    db=$1; shift
    $TIMEOUT "$BIN/evtx-index" "$db" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
}
expect_rc() { [ "$rc" -eq "$1" ] || { cat "$TMP/err"; fail "$2: exited $rc, expected $1"; }; }
expect_err() { grep -qF -- "$1" "$TMP/err" || { cat "$TMP/err"; fail "message missing: $1"; }; }
q() { sqlite3 -batch "$@"; }
rejected() { q "$1" "SELECT reason FROM rejected_path WHERE path = '$2'"; }

# Four real logs that read without a skipped record (so that status 3 below comes
# from the archives), laid out as a collector does.
L="$TMP/logs/HOST1/C/Windows/System32/winevt/Logs"
mkdir -p "$L" "$TMP/work"
for f in Exec_sysmon_meterpreter_reversetcp_msipackage.evtx evasion_execution_imageload_wuauclt_lolbas.evtx \
         exec_sysmon_1_7_jscript9_defense_evasion.evtx sysmon_1_11_rundll32_cpl_ostap.evtx; do
    cp "$CORPUS/sbousseaden-EVTX-ATTACK-SAMPLES/Execution/$f" "$L/" || skip "skipped: corpus file $f is missing"
done
(cd "$L" && ls | LC_ALL=C sort) > "$TMP/names"
first=$(head -n 1 "$TMP/names")
idx "$TMP/loose.db" "$TMP/logs"; want=$rc
[ $want -eq 0 ] || { cat "$TMP/err"; fail "loose logs: exited $want"; }
nproc=$(q "$TMP/loose.db" 'SELECT count(*) FROM process')
cd "$TMP/logs" || fail "cd"

# ---- zip bombs ----
(printf 'ElfFile\0'; head -c 100M /dev/zero) | bzip2 -1 > "$TMP/work/eb.bz2"
idx "$TMP/b1.db" "$TMP/work/eb.bz2"
expect_rc 3 "bzip2 bomb"
expect_err "evtx-index: warning: '$TMP/work/eb.bz2': zip bomb? expands more than 1000 times its size; not read further (see --max-ratio)"
[ "$(rejected "$TMP/b1.db" "$TMP/work/eb.bz2")" = "zip bomb? expands more than 1000 times its size" ] || fail "bomb not in rejected_path"

# Bombs beside a log in a zip: the log is indexed, each bomb reported.
mkdir -p "$TMP/work/tb"
head -c 100M /dev/zero | tr '\0' A > "$TMP/work/tb/big.txt"
cp "$L/$first" "$TMP/work/tb/"
(cd "$TMP/work/tb" && bsdtar -cJf ../tb.tar.xz big.txt "$first") && rm -r "$TMP/work/tb"
(cd "$TMP/work" && zip -q -0 bombs.zip eb.bz2 tb.tar.xz && cd "$L" && zip -q "$TMP/work/bombs.zip" "$first")
idx "$TMP/b2.db" "$TMP/work/bombs.zip"
expect_rc 3 "bombs in a zip"
expect_err "'$TMP/work/bombs.zip!eb.bz2': zip bomb? expands more than 1000 times its size"
expect_err "'$TMP/work/bombs.zip!tb.tar.xz': zip bomb? expands more than 1000 times its size"
[ "$(q "$TMP/b2.db" "SELECT count(*) FROM evidence_path WHERE path = '$TMP/work/bombs.zip!$first'")" -eq 1 ] ||
    fail "the log beside the bombs was not indexed"
idx "$TMP/b3.db" --max-ratio 0 "$TMP/work/bombs.zip"
[ "$(q "$TMP/b3.db" "SELECT count(*) FROM evidence_path WHERE path LIKE '%tb.tar.xz!$first'")" -eq 1 ] ||
    fail "--max-ratio 0 does not lift the limit"

# Zips of zips (42.zip): sixteen copies of a zip expanding a thousandfold.
"$PY" - "$TMP/work/42.zip" <<'EOF' || fail "cannot build 42.zip"
import io, sys, zipfile
leaf = b"ElfFile\0" + bytes(30 << 20)
inner = io.BytesIO()
with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("Security.evtx", leaf)
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    for i in range(16):
        z.writestr("part%02d.zip" % i, inner.getvalue())
EOF
idx "$TMP/b4.db" --max-expanded-bytes 64M "$TMP/work/42.zip"
expect_rc 3 "42.zip"
expect_err "'$TMP/work/42.zip': zip bomb? expands to more than 67108864 bytes; not read further (see --max-expanded-bytes)"
[ "$(rejected "$TMP/b4.db" "$TMP/work/42.zip")" = "zip bomb? expands to more than 67108864 bytes" ] || fail "42.zip not in rejected_path"

# The total limit on ordinary evidence: what came before it is kept.
(cd "$TMP/logs" && bsdtar -czf "$TMP/work/logs.tgz" HOST1)
idx "$TMP/b5.db" --max-expanded-bytes 100K "$TMP/work/logs.tgz"
expect_rc 3 "--max-expanded-bytes"
expect_err "'$TMP/work/logs.tgz': zip bomb? expands to more than 102400 bytes"
idx "$TMP/b6.db" --max-expanded-bytes nonsense "$TMP/work/logs.tgz"
expect_rc 2 "a bad size"

# ---- truncated archives: the members before the damage are indexed ----
(cd "$TMP/logs" && zip -q -r "$TMP/work/full.zip" HOST1 && bsdtar -cJf "$TMP/work/full.txz" HOST1)
for a in full.zip logs.tgz full.txz; do
    size=$(wc -c < "$TMP/work/$a")
    head -c $((size * 7 / 10)) "$TMP/work/$a" > "$TMP/work/cut-$a"
    idx "$TMP/t.db" "$TMP/work/cut-$a"
    expect_rc 3 "truncated $a"
    reason=$(rejected "$TMP/t.db" "$TMP/work/cut-$a")
    n=$(echo "$reason" | sed -n 's/^truncated archive after \([0-9]*\) members*$/\1/p')
    [ -n "$n" ] || { cat "$TMP/err"; fail "truncated $a: reason '$reason'"; }
    expect_err "evtx-index: warning: '$TMP/work/cut-$a': $reason"
    [ "$n" -ge 1 ] || fail "truncated $a: no member before the damage"
    got=$(q "$TMP/t.db" "SELECT count(*) FROM evidence_file WHERE status <> 'unreadable'")
    [ "$got" -ge "$n" ] || fail "truncated $a: $got logs indexed, $n members came before the damage"
    "$BIN/evtx-query" "$TMP/t.db" files --format csv | grep -qF "$reason" || fail "evtx-query files does not list the damage"
    rm -f "$TMP/t.db"*
done
if [ -n "$SEVENZ" ]; then
    (cd "$TMP/logs" && "$SEVENZ" a -bd "$TMP/work/full.7z" HOST1 >/dev/null)
    head -c 5000 "$TMP/work/full.7z" > "$TMP/work/cut.7z"
    idx "$TMP/t7.db" "$TMP/work/cut.7z"
    expect_rc 3 "truncated 7z"
    expect_err "'$TMP/work/cut.7z': truncated archive after 0 members"
fi

# ---- a corrupt member is skipped, the others are indexed ----
"$PY" - "$L" "$TMP/work" <<'EOF' || fail "cannot build corrupt zips"
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(src))[:3]
for method, tag in ((zipfile.ZIP_DEFLATED, "deflate"), (zipfile.ZIP_STORED, "stored")):
    path = os.path.join(out, "corrupt-%s.zip" % tag)
    with zipfile.ZipFile(path, "w", method) as z:
        for n in names:
            z.write(os.path.join(src, n), n)
    with zipfile.ZipFile(path) as z:
        i = z.infolist()[1]
    data = bytearray(open(path, "rb").read())
    start = i.header_offset + 30 + len(i.filename.encode()) + len(i.extra)
    for k in range(start + i.compress_size // 2, start + i.compress_size // 2 + 64):
        data[k] ^= 0x5a
    open(path, "wb").write(data)
EOF
second=$(sed -n 2p "$TMP/names")
for tag in deflate stored; do
    idx "$TMP/c-$tag.db" "$TMP/work/corrupt-$tag.zip"
    expect_rc 3 "corrupt $tag member"
    expect_err "evtx-index: warning: '$TMP/work/corrupt-$tag.zip!$second': corrupt member: "
    expect_err "; member skipped"
    [ "$(q "$TMP/c-$tag.db" 'SELECT count(*) FROM evidence_path')" -eq 2 ] || fail "corrupt $tag: the other members were not indexed"
    rejected "$TMP/c-$tag.db" "$TMP/work/corrupt-$tag.zip!$second" | grep -q '^corrupt member: ' || fail "corrupt $tag: not in rejected_path"
done

# ---- encrypted archives ----
(cd "$TMP/logs" && zip -q -r -P secret "$TMP/work/enc.zip" HOST1)
m="HOST1/C/Windows/System32/winevt/Logs/$first"
idx "$TMP/e1.db" "$TMP/work/enc.zip"
expect_rc 3 "encrypted, no password"
expect_err "evtx-index: warning: '$TMP/work/enc.zip!$m': encrypted: no password (give it with --password)"
[ "$(q "$TMP/e1.db" "SELECT count(*) FROM rejected_path WHERE reason = 'encrypted: no password'")" -eq 4 ] ||
    fail "encrypted members not in rejected_path"
"$BIN/evtx-query" "$TMP/e1.db" files --format csv | grep -qF "encrypted: no password" || fail "evtx-query files does not list encrypted members"
idx "$TMP/e2.db" --password secret "$TMP/work/enc.zip"
expect_rc "$want" "encrypted, right password"
[ "$(q "$TMP/e2.db" 'SELECT count(*) FROM process')" -eq "$nproc" ] || fail "encrypted zip, right password: rows missing"
idx "$TMP/e3.db" --password=wrong "$TMP/work/enc.zip"
expect_rc 3 "encrypted, wrong password"
expect_err "'$TMP/work/enc.zip!$m': encrypted: wrong password"
if [ -n "$SEVENZ" ]; then
    (cd "$TMP/logs" && "$SEVENZ" a -bd -psecret "$TMP/work/enc.7z" HOST1 >/dev/null &&
        "$SEVENZ" a -bd -psecret -mhe=on "$TMP/work/ench.7z" HOST1 >/dev/null)
    idx "$TMP/e4.db" --password secret "$TMP/work/enc.7z"
    expect_rc 3 "encrypted 7z"
    expect_err "'$TMP/work/enc.7z!$m': encrypted: 7z encryption is not supported"
    idx "$TMP/e5.db" "$TMP/work/ench.7z"
    expect_rc 3 "7z with encrypted names"
    expect_err "'$TMP/work/ench.7z': encrypted: "
    (cd "$TMP/logs" && "$SEVENZ" a -bd -tzip -psecret -mem=AES256 "$TMP/work/aes.zip" HOST1 >/dev/null)
    idx "$TMP/e6.db" --password secret "$TMP/work/aes.zip"
    expect_rc "$want" "AES zip, right password"
    [ "$(q "$TMP/e6.db" 'SELECT count(*) FROM process')" -eq "$nproc" ] || fail "AES zip: rows missing"
fi

# ---- member names: kept as text, control characters escaped, nothing written ----
"$PY" - "$L/$first" "$TMP/work/names.zip" <<'EOF' || fail "cannot build names.zip"
import sys, zipfile
log = open(sys.argv[1], "rb").read()
with zipfile.ZipFile(sys.argv[2], "w") as z:
    for n in ("../../evil.evtx", "/abs/Security.evtx", "a\nb\x1b[31m.evtx", "x!y.evtx"):
        z.writestr(n, log)
    z.writestr("bad\x1b]0;pwned\x07.evtx", b"not an event log")
EOF
cd "$TMP/work" || fail "cd"
idx "$TMP/n.db" names.zip
expect_rc 3 "strange names"
q "$TMP/n.db" 'SELECT path FROM evidence_path ORDER BY 1' > "$TMP/paths"
printf '%s\n' 'names.zip!../../evil.evtx' 'names.zip!/abs/Security.evtx' 'names.zip!a\x0ab\x1b[31m.evtx' \
    'names.zip!x\x21y.evtx' | LC_ALL=C sort > "$TMP/want"
LC_ALL=C sort "$TMP/paths" | cmp -s - "$TMP/want" || { cat "$TMP/paths"; fail "member names not kept as escaped text"; }
expect_err "skipping 'names.zip!bad\\x1b]0;pwned\\x07.evtx': not an EVTX file"
! grep -q "$(printf '\033')" "$TMP/err" || fail "a control character reached the terminal"
[ -z "$(find "$TMP" -name evil.evtx)" ] && [ ! -e /abs/Security.evtx ] || fail "a member was written to disk"
cd "$TMP/logs" || fail "cd"

# ---- not EVTX, empty, junk ----
printf 'notes\n' > "$TMP/work/readme.txt"
printf 'not a log\n' > "$TMP/work/fake.evtx"
: > "$TMP/work/empty.evtx"
(cd "$TMP/work" && zip -q other.zip readme.txt fake.evtx empty.evtx)
idx "$TMP/o.db" "$TMP/work/other.zip"
expect_rc 3 "non-EVTX members"
expect_err "skipping '$TMP/work/other.zip!fake.evtx': not an EVTX file"
expect_err "skipping '$TMP/work/other.zip!empty.evtx': empty file"
[ "$(rejected "$TMP/o.db" "$TMP/work/other.zip!readme.txt")" = "ignored: not an EVTX file" ] || fail "ignored member not recorded"
(printf 'PK\003\004'; head -c 4000 /dev/urandom) > "$TMP/work/junk.zip"
(printf '\037\213\010\000'; head -c 4000 /dev/urandom) > "$TMP/work/junk.gz"
idx "$TMP/j.db" "$TMP/work/junk.zip" "$TMP/work/junk.gz"
expect_rc 3 "junk archives"
[ "$(q "$TMP/j.db" "SELECT count(*) FROM rejected_path WHERE path LIKE '%/junk.%'")" -eq 2 ] || { cat "$TMP/err"; fail "junk archives not reported"; }

# ---- nesting: four levels are opened, the fifth is not ----
cp "$L/$first" "$TMP/work/n0.evtx"
prev=n0.evtx
for i in 1 2 3 4 5; do (cd "$TMP/work" && zip -q "n$i.zip" "$prev"); prev="n$i.zip"; done
idx "$TMP/d4.db" "$TMP/work/n4.zip"
expect_rc 0 "4 levels"
[ "$(q "$TMP/d4.db" "SELECT count(*) FROM evidence_path WHERE path = '$TMP/work/n4.zip!n3.zip!n2.zip!n1.zip!n0.evtx'")" -eq 1 ] ||
    fail "a log 4 levels deep was not indexed"
idx "$TMP/d5.db" "$TMP/work/n5.zip"
expect_rc 3 "5 levels"
expect_err "'$TMP/work/n5.zip!n4.zip!n3.zip!n2.zip!n1.zip': archive nested deeper than 4 levels"

# ---- a symlink loop in a walked folder ----
mkdir -p "$TMP/loop/a"
cp "$L/$first" "$TMP/loop/a/"
ln -s .. "$TMP/loop/a/up"
ln -s . "$TMP/loop/a/self"
ln -s "$TMP/loop" "$TMP/loop/a/root"
idx "$TMP/s.db" "$TMP/loop"
expect_rc 0 "symlink loop"
[ "$(q "$TMP/s.db" 'SELECT count(*) FROM evidence_path')" -eq 1 ] || fail "symlink loop: the log was not indexed once"
echo ok
