#!/bin/sh
# Builds the libFuzzer harnesses into build/fuzz/fuzz_* with clang (Debian: apt-get
# install clang libclang-rt-14-dev).
# Usage: sh tests/fuzz/build.sh [HARNESS...]   (default: all five)
# Environment: CLANG (default clang), OUT (default build/fuzz).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLANG=${CLANG:-clang}
OUT=${OUT:-$ROOT/build/fuzz}
command -v "$CLANG" >/dev/null 2>&1 || { echo "fuzz/build.sh: $CLANG is not installed" >&2; exit 1; }
mkdir -p "$OUT"
cd "$ROOT"

# The byte parsers and what they need; nothing here touches SQLite. libevtx and
# libbfio are linked as installed (not instrumented).
SRC="tests/fuzz/targets.c
indexer/evtx_decode.c indexer/binxml.c indexer/binxml_text.c indexer/container.c
indexer/evtx_libevtx.c indexer/xml_event.c indexer/normalize.c
lib/reader.c lib/text.c lib/convert.c lib/svc_action.c lib/fileio.c lib/event.c"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Wshadow -Wstrict-prototypes
-Wmissing-prototypes -Wformat=2 -Wvla -Ilib -Iindexer -Itests/fuzz
-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(pkg-config --cflags zlib libarchive libcrypto libevtx libbfio 2>/dev/null || true)"
LIBS="$(pkg-config --libs zlib libarchive libcrypto libevtx libbfio 2>/dev/null ||
        echo -lz -larchive -lcrypto -levtx -lbfio)"

for h in ${*:-evtx_decode binxml container svc_action libevtx}; do
    # shellcheck disable=SC2086
    "$CLANG" $CFLAGS -o "$OUT/fuzz_$h.new" "tests/fuzz/fuzz_$h.c" $SRC $LIBS
    mv -f "$OUT/fuzz_$h.new" "$OUT/fuzz_$h"
    echo "built $OUT/fuzz_$h"
done
