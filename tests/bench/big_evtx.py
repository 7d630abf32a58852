#!/usr/bin/env python3
"""Writes one large EVTX file from the chunks of smaller ones, for the memory and
chunk-parallel tests and benchmarks:

    big_evtx.py [--damage] [--first-copy N] DST MB SRC.evtx...

The chunks of the SRC files, in order, are repeated until DST holds at least MB
MiB; the file header is SRC[0]'s with the chunk count and CRC32 made right, so
every chunk is a live one. In copy k every FILETIME substitution value (the
TimeCreated of each record, among others) is k * 3 days later and the chunk
CRC32s are made right again, so no record repeats another (the same record seen
twice would only be stored once). --first-copy N numbers the copies from N, so
files written with distinct ranges do not repeat each other either. With --damage, one chunk in the middle is overwritten
with garbage (a bad chunk signature) so its records are skipped. Prints the
number of live records DST holds that a decoder can read."""
import struct
import sys
import zlib

CHUNK = 65536
HEAD = 4096


def chunks_of(path):
    data = open(path, 'rb').read()
    out = []
    for off in range(HEAD, len(data) - CHUNK + 1, CHUNK):
        c = data[off:off + CHUNK]
        if c[:8] != b'ElfChnk\0':
            continue
        first, last = struct.unpack_from('<QQ', c, 8)
        out.append((c, last - first + 1))
    return data[:HEAD], out


FILETIME_TYPE = 0x11
SHIFT = 3 * 86400 * 10000000


def filetime_offsets(c):
    """Offsets in chunk c of the FILETIME substitution values of its records."""
    out = []
    free = struct.unpack_from('<I', c, 48)[0]
    pos = 512
    while pos + 24 <= free:
        sig, size = struct.unpack_from('<II', c, pos)
        if sig != 0x2a2a or size < 28 or pos + size > len(c):
            break
        p = pos + 24
        # fragment header (4 bytes), then a template instance token
        if c[p] == 0x0f and c[p + 4] == 0x0c:
            q = p + 4 + 1 + 1 + 4
            def_off = struct.unpack_from('<I', c, q)[0]
            q += 4
            if def_off == q:	# the definition follows inline
                q += 4 + 16
                q += 4 + struct.unpack_from('<I', c, q)[0]
            n = struct.unpack_from('<I', c, q)[0]
            q += 4
            v = q + 4 * n
            for i in range(n):
                vsize, vtype = struct.unpack_from('<HB', c, q + 4 * i)
                if vtype == FILETIME_TYPE and vsize == 8:
                    out.append(v)
                v += vsize
        pos += size
    return out


def shifted(c, offsets, k):
    if k == 0 or not offsets:
        return c
    b = bytearray(c)
    for o in offsets:
        t = struct.unpack_from('<Q', b, o)[0]
        if t:
            struct.pack_into('<Q', b, o, t + k * SHIFT)
    free = struct.unpack_from('<I', b, 48)[0]
    struct.pack_into('<I', b, 52, zlib.crc32(bytes(b[512:free])))
    struct.pack_into('<I', b, 124, zlib.crc32(bytes(b[:120]) + bytes(b[128:512])))
    return bytes(b)


def main(argv):
    damage, first = False, 0
    while argv and argv[0].startswith('--'):
        if argv[0] == '--damage':
            damage, argv = True, argv[1:]
        elif argv[0] == '--first-copy':
            first, argv = int(argv[1]), argv[2:]
        else:
            sys.exit('unknown option ' + argv[0])
    dst, mb, srcs = argv[0], int(argv[1]), argv[2:]
    head, chunks = None, []
    for s in srcs:
        h, c = chunks_of(s)
        head = head or h
        chunks += c
    if not chunks:
        sys.exit('no chunks in ' + ' '.join(srcs))
    body = b''.join(c for c, _ in chunks)
    per_copy = sum(n for _, n in chunks)
    copies = (mb * 1048576 - HEAD) // len(body) + 1
    n_chunks = len(chunks) * copies
    assert n_chunks < 65536, 'too many chunks for the header count'
    h = bytearray(head)
    struct.pack_into('<QQ', h, 8, 0, n_chunks - 1)
    struct.pack_into('<H', h, 42, n_chunks)
    struct.pack_into('<I', h, 124, zlib.crc32(bytes(h[:120])))
    records = per_copy * copies
    bad = n_chunks // 2 if damage else -1
    with open(dst, 'wb') as f:
        f.write(bytes(h))
        offsets = [filetime_offsets(c) for c, _ in chunks]
        k = 0
        for copy in range(copies):
            for (c, n), offs in zip(chunks, offsets):
                if k == bad:
                    f.write(bytes((i * 37 + 11) & 0xff for i in range(CHUNK)))
                    records -= n
                else:
                    f.write(shifted(c, offs, first + copy))
                k += 1
    print(records)


if __name__ == '__main__':
    main(sys.argv[1:])
