#!/bin/sh
# T1489 on ../shared/corpus: every true command-line hit of MANIFEST.tsv (t1489_hits)
# is detected, in its file, and nothing else from a command line is; every 7040 change
# to disabled the notes list is detected; the textbook rule misses the command hits.
. "$(dirname "$0")/lib.sh"
need_corpus
"$BIN/evtx-index" -q "$TMP/c.db" "$CORPUS"; rc=$?
[ $rc -eq 3 ] || fail "indexing the corpus exited $rc"
expect_exit 0 "$BIN/evtx-query" "$TMP/c.db" t1489 --explain -f json -o "$TMP/t.json"
$PY - "$CORPUS" "$TMP/t.json" <<'PYEOF' || exit 1
import csv, json, re, sys
corpus, hits = sys.argv[1], json.load(open(sys.argv[2], encoding='utf-8'))
want_cmd, want_7040 = {}, {}
for m in csv.DictReader(open(corpus + '/MANIFEST.tsv', encoding='utf-8'), delimiter='\t'):
    path = corpus + '/' + m['path']
    want_cmd[path] = int(m['t1489_hits'] or 0)
    d = re.search(r'(\d+) x 7040 start type -> disabled', m['notes'])
    want_7040[path] = int(d.group(1)) if d else 0
got_cmd, got_7040, problems = {}, {}, []
for h in hits:
    if h['command_line'] is not None:
        got_cmd[h['evidence_path']] = got_cmd.get(h['evidence_path'], 0) + 1
        if h['textbook_rule'] != 'missed':
            problems.append('textbook rule %s %r' % (h['textbook_rule'], h['command_line']))
    elif h['rule'] == 'scm_disabled':
        got_7040[h['evidence_path']] = got_7040.get(h['evidence_path'], 0) + 1
for path in sorted(set(want_cmd) | set(got_cmd)):
    if want_cmd.get(path, 0) != got_cmd.get(path, 0):
        problems.append('%s: %d command detections, MANIFEST has %d' % (path, got_cmd.get(path, 0), want_cmd.get(path, 0)))
for path in sorted(set(want_7040) | set(got_7040)):
    if want_7040.get(path, 0) != got_7040.get(path, 0):
        problems.append('%s: %d 7040 -> disabled, notes say %d' % (path, got_7040.get(path, 0), want_7040.get(path, 0)))
for p in problems:
    print(p)
print('%d command hits, %d 7040 -> disabled, %d problem(s)' % (sum(got_cmd.values()), sum(got_7040.values()), len(problems)))
sys.exit(1 if problems or not got_cmd else 0)
PYEOF
