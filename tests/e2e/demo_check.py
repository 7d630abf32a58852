"""Checks a case database built from the generated demo case against its answer key.

usage: demo_check.py index CASE_DIR DB FILES_TSV
       demo_check.py t1489 CASE_DIR T1489_JSON TIMELINE_JSON
"""
import csv
import json
import sqlite3
import sys


def key_rows(case, name):
    with open('%s/answer_key/%s' % (case, name), encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f, delimiter='\t', quoting=csv.QUOTE_NONE))


def text(v):
    return '' if v is None else str(v)


problems = []


def check_rows(what, want, got):
    want_set, got_set = set(want), set(got)
    for r in sorted(want_set - got_set)[:10]:
        problems.append('%s: missing %r' % (what, r))
    for r in sorted(got_set - want_set)[:10]:
        problems.append('%s: unexpected %r' % (what, r))
    if len(want) != len(got):
        problems.append('%s: %d rows, answer key has %d' % (what, len(got), len(want)))


def check_index(case, db_path, files_tsv):
    db = sqlite3.connect(db_path)
    cols = ['host', 'time_utc', 'source', 'event_version', 'record_id', 'pid', 'ppid', 'image',
            'parent_image', 'command_line', 'account', 'sid', 'logon_id', 'integrity', 'elevation']
    want = [tuple(r[c] for c in cols) for r in key_rows(case, 'process.tsv')]
    got = [tuple(text(v) for v in row) for row in db.execute('SELECT %s FROM process_v' % ', '.join(cols))]
    check_rows('process', want, got)

    cols = ['host', 'time_utc', 'event_id', 'record_id', 'service_name', 'display_name', 'state',
            'old_start_type', 'new_start_type', 'image_path', 'service_account', 'sid', 'account']
    want = [tuple(r[c] for c in cols) for r in key_rows(case, 'service.tsv')]
    # The answer key's account is the name the record itself carries (the view adds names
    # resolved from SIDs elsewhere in the case).
    raw = ', '.join(cols[:-1]) + ', (SELECT s.account FROM service_event s WHERE s.service_event_id = v.service_event_id)'
    got = [tuple(text(v) for v in row) for row in db.execute('SELECT %s FROM service_event_v v' % raw)]
    check_rows('service', want, got)

    with open(files_tsv, encoding='utf-8', newline='') as f:
        listed = {r['path']: r for r in csv.DictReader(f, delimiter='\t', quoting=csv.QUOTE_NONE)}
    cols = ['records', 'process_4688', 'process_sysmon1', 'service_7036', 'service_7040', 'service_7045',
            'service_4697']
    for r in key_rows(case, 'files.tsv'):
        g = listed.get(case + '/' + r['path'])
        if g is None:
            problems.append('files: %s not listed' % r['path'])
        elif [g[c] for c in cols] != [r[c] for c in cols] or g['skipped'] != '0':
            problems.append('files: %s has %s, answer key %s' % (r['path'], [g[c] for c in cols + ['skipped']],
                                                                [r[c] for c in cols]))


def check_t1489(case, t1489_json, timeline_json):
    hits = json.load(open(t1489_json, encoding='utf-8'))
    timeline = json.load(open(timeline_json, encoding='utf-8'))
    by_record = {}
    for h in hits:
        by_record.setdefault((h['origin_host'], str(h['record_id'])), []).append(h)
        if h['other_evidence']:
            by_record.setdefault((h['origin_host'], h['other_evidence'].split()[-1]), []).append(h)
    truths = key_rows(case, 't1489.tsv')
    truth_records = set()
    for t in truths:
        rid = (t['host'], t['record_id'])
        truth_records.add(rid)
        found = by_record.get(rid, [])
        if t['evidence'] == 'process' and t['role'] == 'direct':
            if len(found) != 1:
                problems.append('command %s %s (%s) gives %d detections, want 1' % (rid + (t['command_line'],) + (len(found),)))
            elif found[0]['verb'] != t['verb'] or found[0]['service'].lower() != t['service'].lower() \
                    or found[0]['account'] != t['account']:
                problems.append('command %s: detected as %s %s by %s, answer key %s %s by %s' % (
                    rid, found[0]['verb'], found[0]['service'], found[0]['account'], t['verb'], t['service'], t['account']))
        elif t['evidence'] == 'process':
            if found:
                problems.append('%s %s is reported as a detection of its own' % (t['role'], rid))
        elif t['echo_of_record_id']:
            cause = by_record.get((t['echo_of_host'], t['echo_of_record_id']), [])
            mark = '(record %s)' % t['record_id']
            if not any(mark in (c['echo'] or '') or mark in (c['also_stopped'] or '') for c in cause):
                problems.append('SCM %s %s not joined to its command %s/%s' % (rid + (t['service'], t['echo_of_host'], t['echo_of_record_id'])))
            if found:
                problems.append('SCM echo %s is also reported on its own' % (rid,))
        else:
            rule = 'scm_disabled' if t['verb'] == 'disable' else 'scm_stop_no_command'
            if [h['rule'] for h in found] != [rule]:
                problems.append('service-side %s %s: rules %s, want %s' % (rid + (t['service'], [h['rule'] for h in found], rule)))
    for lk in key_rows(case, 'lookalikes.tsv'):
        if (lk['host'], lk['record_id']) in by_record:
            problems.append('look-alike detected: %s %s %r' % (lk['host'], lk['record_id'], lk['command_line']))
    levels = {'low': 1, 'medium': 2, 'high': 3, 'critical': 4}
    for h in hits:
        if levels[h['level']] >= 2 and (h['origin_host'], str(h['record_id'])) not in truth_records:
            problems.append('false positive at %s: %s %s %s record %s' % (h['level'], h['host'], h['rule'], h['service'], h['record_id']))
    seed = by_record.get(('QAX', next(t['record_id'] for t in truths if t['command_line'] == 'net  stop vmtools')), [])
    if not seed or seed[0]['textbook_rule'] != 'missed' or '已停止' not in (seed[0]['echo'] or '') \
            or seed[0]['account'] != 'QAX\\Administrator':
        problems.append('the reference event is not detected as expected: %r' % seed)
    # The timeline shows who asked and what happened; stops with no command have no account.
    rows = [r for r in timeline if r['service'] == 'vmtools']
    if not rows or not rows[0]['correlated'].startswith('SCM: 7036 已停止 on QAX'):
        problems.append('timeline does not join the reference stop to its 7036: %r' % rows)
    api = [r for r in timeline if r['rule'] == 'scm_stop_no_command' and r['level'] != 'low']
    if not api or any(r['account'] != '(unknown)' or 'account unknown' not in r['correlated'] for r in api):
        problems.append('timeline API stops: %r' % api)


if sys.argv[1] == 'index':
    check_index(*sys.argv[2:5])
else:
    check_t1489(*sys.argv[2:5])
for p in problems:
    print(p)
print('%d problem(s)' % len(problems))
sys.exit(1 if problems else 0)
