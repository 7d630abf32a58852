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
want=$($PY - "$src" "$TMP/big.evtx" "$MB" <<'PY'
import struct, sys, zlib
src, dst, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, 'rb').read()
head, chunks, n = data[:4096], [], 0
for off in range(4096, len(data) - 65535, 65536):
    c = data[off:off + 65536]
    if c[:8] != b'ElfChnk\0':
        continue
    first, last = struct.unpack_from('<QQ', c, 8)
    chunks.append(c)
    n += last - first + 1
body = b''.join(chunks)
copies = (mb * 1048576 - 4096) // len(body) + 1
# The header counts every chunk (as Windows would), so none is read as recovered.
n_chunks = len(chunks) * copies
assert n_chunks < 65536
head = bytearray(head)
struct.pack_into('<QQ', head, 8, 0, n_chunks - 1)
struct.pack_into('<H', head, 42, n_chunks)
struct.pack_into('<I', head, 124, zlib.crc32(bytes(head[:120])))
head = bytes(head)
with open(dst, 'wb') as f:
    f.write(head)
    for _ in range(copies):
        f.write(body)
print(n * copies)
PY
) || fail "cannot build the large file"
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
