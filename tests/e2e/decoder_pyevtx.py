#!/usr/bin/python3
"""decoder_pyevtx.py PROG CORPUS [MAX]: our EVTX decoder against python-evtx.

python-evtx shares no code with libevtx or with us, so it is a third opinion. For
every corpus file with events of interest (MANIFEST n4688 ... n4697), the first
MAX records (300) that python-evtx renders are compared, by record number, with
what `PROG --dump FILE` (tests/unit/test_decoder_corpus) prints: event id,
version, record id, time created, provider, channel, computer, user SID, Binary,
EventData fields by name and UserData leaves.

python-evtx writes some values differently; these are the same value and count
as equal: GUIDs in lower case, booleans as True/False, times as
"YYYY-MM-DD HH:MM:SS.ffffff" (microseconds, computed through a float: a few
microseconds off), binary values in base64, integers in another base, C0 control
characters other than tab and line ends dropped; and an XML parser reads a CR LF
or lone CR line end as LF. Where it differs from libevtx and from us it is counted, not
compared: a string array as one <string>...</string> list (libevtx and we repeat
the element), a value that is a single line feed (libevtx and we make it empty,
as Event Viewer does), records it cannot render (written without a template).
Exit 0 when nothing else differs, 1 otherwise."""
import base64
import collections
import csv
import datetime
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import Evtx.Evtx as evtx

EPOCH = datetime.datetime(1601, 1, 1)
SLACK_US = 5  # python-evtx's float FILETIME arithmetic
GUID = re.compile(r'^\{[0-9A-Fa-f-]{36}\}$')
HEX = re.compile(r'^(?:[0-9A-F]{2})+$')
CONTROL = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f]')
COUNTS = ('n4688', 'nsysmon1', 'n7036', 'n7040', 'n7045', 'n4697')

allowed = collections.Counter()
problems = []


def ours(prog, path):
    out = subprocess.run([prog, '--dump', path], stdout=subprocess.PIPE, check=False).stdout
    recs = {}
    for line in out.decode('utf-8').splitlines():
        o = json.loads(line)
        if 'skip' not in o:
            recs.setdefault(o['record_number'], o)
    return recs


def local(tag):
    return tag.rsplit('}', 1)[-1]


def theirs(xml):
    """The values we take from an event, from python-evtx's XML."""
    root = ET.fromstring(xml)
    e = {'event_id': None, 'version': 0, 'event_record_id': 0, 'time': None, 'provider': '',
         'channel': '', 'computer': '', 'user_sid': '', 'binary': '', 'fields': []}
    for sec in root:
        kind = local(sec.tag)
        if kind == 'System':
            for el in sec.iter():
                n, t = local(el.tag), el.text or ''
                if n == 'Provider' and 'Name' in el.attrib:
                    e['provider'] = el.attrib['Name']
                elif n == 'EventID':
                    e['event_id'] = int(t)
                elif n == 'Version' and t:
                    e['version'] = int(t)
                elif n == 'EventRecordID' and t:
                    e['event_record_id'] = int(t)
                elif n == 'TimeCreated':
                    e['time'] = el.attrib.get('SystemTime')
                elif n == 'Channel':
                    e['channel'] = t
                elif n == 'Computer':
                    e['computer'] = t
                elif n == 'Security':
                    e['user_sid'] = el.attrib.get('UserID', '')
        elif kind in ('EventData', 'UserData'):
            for el in sec.iter():
                if el is sec or len(el):
                    continue
                if kind == 'EventData' and local(el.tag) == 'Binary':
                    e['binary'] = base64.b64decode(el.text or '').hex().upper()
                elif kind == 'EventData':
                    e['fields'].append((el.attrib.get('Name', ''), el.text or ''))
                else:
                    e['fields'].append((local(el.tag), el.text or ''))
    return e


def micros(text):
    """Microseconds since 1601 of "YYYY-MM-DD HH:MM:SS[.ffffff]" or our ISO form."""
    text = text.rstrip('Z').replace('T', ' ')
    day, _, frac = text.partition('.')
    t = datetime.datetime.strptime(day, '%Y-%m-%d %H:%M:%S')
    us = int((frac + '000000')[:6]) if frac else 0
    return (t - EPOCH) // datetime.timedelta(microseconds=1) + us


def as_int(text):
    try:
        return int(text, 16) if text.lower().startswith('0x') else int(text)
    except ValueError:
        return None


def as_xml_text(o):
    """Our value as python-evtx's XML, read back, can hold it."""
    return CONTROL.sub('', o.replace('\r\n', '\n').replace('\r', '\n'))


def same_value(o, t):
    o = as_xml_text(o)
    if o == t:
        return True
    if HEX.match(o):
        try:
            if base64.b64decode(t, validate=True).hex().upper() == o:
                return True
        except ValueError:
            pass
    if GUID.match(o) and o.lower() == t.lower():
        return True
    if o in ('true', 'false') and o == t.lower():
        return True
    if as_int(o) is not None and as_int(o) == as_int(t):
        return True
    try:
        return abs(micros(o) - micros(t)) <= SLACK_US
    except ValueError:
        return False


def compare(path, number, o, t):
    def differ(what, a, b):
        problems.append('%s record %d: %s: ours %r, python-evtx %r' % (path, number, what, a, b))

    for k in ('event_id', 'version', 'event_record_id', 'provider', 'channel', 'computer', 'user_sid', 'binary'):
        if (as_xml_text(o[k]) if isinstance(o[k], str) else o[k]) != t[k]:
            differ(k, o[k], t[k])
    if t['time'] is not None and abs(o['time_created'] // 10 - micros(t['time'])) > SLACK_US:
        differ('time created', o['time_created'], t['time'])
    if any('<string>' in v for _, v in t['fields']):
        allowed['records with a string array (python-evtx writes one <string> list)'] += 1
        return
    of = [tuple(f) for f in o['fields']]
    if len(of) != len(t['fields']):
        differ('fields', of, t['fields'])
        return
    for (on, ov), (tn, tv) in zip(of, t['fields']):
        if on != tn:
            differ('field name', on, tn)
        elif ov == '' and tv == '\n':
            allowed['values that are a single line feed (empty for libevtx and us)'] += 1
        elif not same_value(ov, tv):
            differ('field ' + on, ov, tv)


def main():
    prog, corpus = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    files = compared = 0
    with open(os.path.join(corpus, 'MANIFEST.tsv'), encoding='utf-8') as f:
        rows = [r for r in csv.DictReader(f, delimiter='\t') if any(int(r[c]) for c in COUNTS)]
    for row in rows:
        path = os.path.join(corpus, row['path'])
        mine = ours(prog, path)
        files += 1
        seen = 0
        with evtx.Evtx(path) as log:
            for rec in log.records():
                if seen >= limit:
                    break
                seen += 1
                try:
                    t = theirs(rec.xml())
                except Exception:  # python-evtx or the XML parser gives up on this record
                    allowed['records python-evtx cannot render'] += 1
                    continue
                o = mine.get(rec.record_num())
                if o is None:
                    problems.append('%s record %d: only python-evtx returns it' % (row['path'], rec.record_num()))
                    continue
                compare(row['path'], rec.record_num(), o, t)
                compared += 1
    for p in problems[:200]:
        print(p)
    for k, v in sorted(allowed.items()):
        print('allowed: %d %s' % (v, k))
    print('%d files, %d records compared with python-evtx, %d disagreement(s)' % (files, compared, len(problems)))
    return 1 if problems or compared == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
