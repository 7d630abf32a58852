#!/bin/sh
# Runs each libFuzzer harness for SECONDS on a seed corpus made at run time.
# Usage: sh tests/fuzz/run.sh SECONDS [HARNESS...]   (HARNESS: evtx_decode binxml
# container svc_action libevtx; default all, one after the other). Builds them first
# when missing (tests/fuzz/build.sh). Seeds: small EVTX files from ../shared/corpus
# and from bin/evtx-gen-case (their header and first two chunks: evtx_decode; the
# header, first chunk and start of the second: libevtx), their chunks (binxml),
# archives of them made with the tools installed (container), the command lines of
# seeds_svc_action.txt.
# Corpora grow in build/fuzz/corpus/<harness>; a crash is written to
# build/fuzz/artifacts/<harness>/ (save it under tests/fuzz/regress/<harness>/).
# Environment: FUZZ_OPTS, more libFuzzer options, e.g. FUZZ_OPTS='-fork=1
# -ignore_crashes=1 -ignore_ooms=1' to go on past a known fault (each is written to
# the artifacts folder; the last statistics line is printed at the end).
set -eu
[ $# -ge 1 ] || { echo "usage: sh tests/fuzz/run.sh SECONDS [HARNESS...]" >&2; exit 2; }
SECS=$1; shift
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$ROOT/build/fuzz}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
HARNESSES=${*:-evtx_decode binxml container svc_action libevtx}
CORPUS="$ROOT/../shared/corpus"
cd "$ROOT"
for h in $HARNESSES; do
    [ -x "$OUT/fuzz_$h" ] || sh tests/fuzz/build.sh
done

SEEDS=$(mktemp -d "$OUT/seeds.XXXXXX")
trap 'rm -rf "$SEEDS"' EXIT
make_seeds() {
    mkdir -p "$SEEDS/evtx" "$SEEDS/evtx_decode" "$SEEDS/binxml" "$SEEDS/container" "$SEEDS/svc_action" \
        "$SEEDS/libevtx"
    # Whole files: up to 40 small corpus files, and the generated case's logs.
    if [ -d "$CORPUS" ]; then
        find "$CORPUS" -iname '*.evtx' -size -200k | LC_ALL=C sort | head -n 40 |
            while IFS= read -r f; do cp "$f" "$SEEDS/evtx/c$(printf '%s' "$f" | cksum | cut -d' ' -f1).evtx"; done
    fi
    if [ -x bin/evtx-gen-case ]; then
        bin/evtx-gen-case "$SEEDS/case" >/dev/null 2>&1 || true
        find "$SEEDS/case" -iname '*.evtx' | while IFS= read -r f; do
            cp "$f" "$SEEDS/evtx/g$(printf '%s' "$f" | cksum | cut -d' ' -f1).evtx"; done
        rm -rf "$SEEDS/case"
    fi
    python3 - "$SEEDS" <<'PY'
import os, sys
seeds = sys.argv[1]
for name in sorted(os.listdir(os.path.join(seeds, "evtx"))):
    data = open(os.path.join(seeds, "evtx", name), "rb").read()
    # The decoder: the header and the first two chunks (keeps inputs small).
    open(os.path.join(seeds, "evtx_decode", name), "wb").write(data[:4096 + 2 * 65536])
    # libevtx: the header, the first chunk and the start of the second (cut inside it).
    open(os.path.join(seeds, "libevtx", name), "wb").write(data[:70000])
    # The binary XML: each of the first three chunks on its own.
    for i in range(3):
        chunk = data[4096 + i * 65536:4096 + (i + 1) * 65536]
        if chunk[:8] == b"ElfChnk\0":
            open(os.path.join(seeds, "binxml", "%s.%d" % (name, i)), "wb").write(chunk)
PY
    # Containers: a few small logs, compressed and archived with what is installed.
    small=$(ls "$SEEDS/evtx_decode" | head -n 3)
    c="$SEEDS/container"; first=$(echo "$small" | head -n 1)
    if [ -n "$first" ]; then
        head -c 8192 "$SEEDS/evtx_decode/$first" > "$SEEDS/one.evtx"
        cp "$SEEDS/one.evtx" "$c/plain.evtx"
        gzip -c "$SEEDS/one.evtx" > "$c/one.evtx.gz"
        command -v bzip2 >/dev/null && bzip2 -c "$SEEDS/one.evtx" > "$c/one.evtx.bz2"
        command -v xz >/dev/null && xz -c "$SEEDS/one.evtx" > "$c/one.evtx.xz"
        command -v zstd >/dev/null && zstd -q -c "$SEEDS/one.evtx" > "$c/one.evtx.zst"
        (cd "$SEEDS" && tar cf "$c/one.tar" one.evtx && tar czf "$c/one.tar.gz" one.evtx)
        if command -v zip >/dev/null; then
            (cd "$SEEDS" && zip -q "$c/one.zip" one.evtx && zip -q -0 "$c/stored.zip" one.evtx &&
             zip -q "$c/nested.zip" "$c/one.evtx.gz" "$c/one.tar" &&
             zip -q -P infected "$c/enc.zip" one.evtx)
        fi
        S7=$(command -v 7zz || command -v 7z || true)
        [ -n "$S7" ] && (cd "$SEEDS" && "$S7" a -bd "$c/one.7z" one.evtx >/dev/null 2>&1 || true)
    fi
    # Command lines: one per file.
    n=0
    while IFS= read -r line; do
        n=$((n + 1)); printf '%s' "$line" > "$SEEDS/svc_action/l$n"
    done < tests/fuzz/seeds_svc_action.txt
    printf 'C:\\Windows\\System32\\sc.exe\000"x" stop y' > "$SEEDS/svc_action/image"
}
make_seeds

for h in $HARNESSES; do
    mkdir -p "$OUT/corpus/$h" "$OUT/artifacts/$h"
    case $h in
        evtx_decode) opts="-max_len=200000" ;;
        binxml) opts="-max_len=65536" ;;
        container) opts="-max_len=65536" ;;
        svc_action) opts="-max_len=4096" ;;
        # libevtx allocates for every value it reads (slow under ASan): one chunk
        # and a piece of the next.
        libevtx) opts="-max_len=70000" ;;
        *) echo "run.sh: unknown harness $h" >&2; exit 2 ;;
    esac
    echo "== $h for $SECS s"
    # shellcheck disable=SC2086
    "$OUT/fuzz_$h" $opts ${FUZZ_OPTS:-} -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$h/" "$OUT/corpus/$h" "$SEEDS/$h" \
        "tests/fuzz/regress/$h" \
        2>&1 | tee "$OUT/$h.log" | grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|stat::|ERROR|SUMMARY|artifact' || true
    # -fork mode reports as it goes: its last line.
    grep -E '^#[0-9]+: cov: ' "$OUT/$h.log" | tail -n 1 || true
done
