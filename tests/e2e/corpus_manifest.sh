#!/bin/sh
# Indexing all of ../shared/corpus gives, for every file, the counts of MANIFEST.tsv
# (made by an independent parser); where it cannot, the skipped count and reason say why.
. "$(dirname "$0")/lib.sh"
need_corpus
for decoder in native libevtx; do
rm -f "$TMP/c.db" "$TMP/c.db-wal" "$TMP/c.db-shm"
expect_exit 3 "$BIN/evtx-index" --decoder=$decoder "$TMP/c.db" "$CORPUS"
grep -q '^indexed 229 file(s)' "$TMP/err" || { cat "$TMP/err"; fail "summary does not say 229 files indexed"; }
grep -q "skipping '.*link_to_System.evtx': not an EVTX file" "$TMP/err" || fail "non-EVTX file not reported"
"$BIN/evtx-query" "$TMP/c.db" files --format tsv > "$TMP/files.tsv" || fail "evtx-query files failed"
"$BIN/evtx-query" "$TMP/c.db" files --format csv -o "$TMP/files.csv" || fail "evtx-query files -o failed"
head -c 3 "$TMP/files.csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "csv written with -o has no BOM for Excel"
head -n 1 "$TMP/files.tsv" | grep -q '^path	sha256	records	process_4688	process_sysmon1	service_7036	service_7040	service_7045	service_4697	skipped' \
    || fail "files columns are not in the documented order"
$PY - "$CORPUS" "$TMP/files.tsv" "$decoder" <<'PYEOF' || exit 1
import csv, sys
corpus, got_path, decoder = sys.argv[1], sys.argv[2], sys.argv[3]
got = {r['path']: r for r in csv.DictReader(open(got_path, encoding='utf-8'), delimiter='\t')}
cols = [('records', 'records'), ('process_4688', 'n4688'), ('process_sysmon1', 'nsysmon1'),
        ('service_7036', 'n7036'), ('service_7040', 'n7040'), ('service_7045', 'n7045'),
        ('service_4697', 'n4697')]
exact = explained = 0
problems = []
for m in csv.DictReader(open(corpus + '/MANIFEST.tsv', encoding='utf-8'), delimiter='\t'):
    g = got.get(corpus + '/' + m['path'])
    if g is None:
        problems.append('missing from files: ' + m['path'])
        continue
    if 'not an EVTX file' in m['notes']:
        if g['status'] != 'rejected' or 'not an EVTX file' not in g['error']:
            problems.append('non-EVTX file not shown as rejected: ' + m['path'])
        explained += 1
        continue
    if g['sha256'] != m['sha256']:
        problems.append('sha256 differs: ' + m['path'])
    diffs = [(a, g[a], m[b]) for a, b in cols if g[a] != m[b]]
    if not diffs:
        exact += 1
        continue
    # Allowed only where the manifest says libevtx fails, and the skips account for it.
    short = int(m['records']) - int(g['records'])
    if ('libevtx fails' in m['notes'] and short > 0 and int(g['skipped']) >= short
            and g['skip_reasons'] and all(int(g[a]) <= int(m[b]) for a, b in cols)):
        explained += 1
    else:
        problems.append('%s: %s (skipped %s: %s) notes: %s' % (m['path'], diffs, g['skipped'], g['skip_reasons'], m['notes']))
for p in problems:
    print(p)
print('%s: %d files exact, %d explained by skips, %d problems' % (decoder, exact, explained, len(problems)))
# Our decoder reads every record the independent parser reads; libevtx fails on some.
sys.exit(1 if problems or exact < (229 if decoder == 'native' else 200) else 0)
PYEOF
done
