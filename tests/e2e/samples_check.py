#!/usr/bin/python3
"""Checks a case written by evtx-gen-case against its answer key.

usage: samples_check.py CASE_DIR

Every EVTX file is read three ways: its raw structure (signatures, CRC32s,
record framing), libevtx (evtxexport -f xml) and python-evtx. Both readers
must return every record, agree with each other, and give back exactly the
values the answer key lists for every process and service record. Exit 0 when
all holds; otherwise the problems are printed and the exit status is 1.
"""
import base64
import csv
import datetime
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

from Evtx.Evtx import Evtx

NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
SECURITY = "Microsoft-Windows-Security-Auditing"
SCM = "Service Control Manager"
SYSMON = "Microsoft-Windows-Sysmon"
CHUNK = 65536

KEY_COLUMNS = {
    "files.tsv": "path records process_4688 process_sysmon1 service_7036 service_7040 service_7045 service_4697",
    "process.tsv": "host time_utc source event_version record_id pid ppid image parent_image command_line "
                   "account sid logon_id integrity elevation",
    "service.tsv": "host time_utc event_id record_id service_name display_name state old_start_type "
                   "new_start_type image_path service_account sid account",
    "t1489.tsv": "host time_utc record_id evidence role verb tool service remote_host account command_line "
                 "echo_of_host echo_of_record_id",
    "lookalikes.tsv": "host time_utc record_id command_line",
}

problems = []


def problem(msg):
    problems.append(msg)
    if len(problems) <= 60:
        print("FAIL:", msg)


# ---- Answer key -------------------------------------------------------------

def read_key(case_dir, name):
    path = "%s/answer_key/%s" % (case_dir, name)
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines[-1] != "":
        problem("%s: does not end with a newline" % name)
    lines = lines[:-1]
    header = lines[0].split("\t")
    if header != KEY_COLUMNS[name].split():
        problem("%s: header is %r" % (name, header))
    rows = []
    for n, line in enumerate(lines[1:], 2):
        cells = line.split("\t")
        if len(cells) != len(header) or "\r" in line or "\\N" in cells:
            problem("%s:%d: malformed row %r" % (name, n, line))
            continue
        rows.append(dict(zip(header, cells)))
    return rows


# ---- Raw structure ------------------------------------------------------------

def u16(b, o):
    return struct.unpack_from("<H", b, o)[0]


def u32(b, o):
    return struct.unpack_from("<I", b, o)[0]


def u64(b, o):
    return struct.unpack_from("<Q", b, o)[0]


def check_chunk(path, index, c, expect_number):
    """Checks one chunk; returns the record numbers it holds."""
    where = "%s: chunk %d" % (path, index)
    if c[:8] != b"ElfChnk\0":
        problem(where + ": bad signature")
        return []
    if u32(c, 124) != zlib.crc32(c[:120] + c[128:512]):
        problem(where + ": header CRC32 mismatch")
    free = u32(c, 48)
    if not 512 <= free <= CHUNK or u32(c, 52) != zlib.crc32(c[512:free]):
        problem(where + ": event records CRC32 mismatch")
    if u32(c, 40) != 128:
        problem(where + ": header size is not 128")
    numbers, off, last_off = [], 512, 0
    while off < free:
        size = u32(c, off + 4)
        if u32(c, off) != 0x2A2A or size < 28 or off + size > free or size % 8:
            problem("%s: bad record at 0x%x" % (where, off))
            return numbers
        if u32(c, off + size - 4) != size:
            problem("%s: record at 0x%x: size copy differs" % (where, off))
        numbers.append(u64(c, off + 8))
        last_off, off = off, off + size
    if any(c[free:]):
        problem(where + ": unused space is not zero")
    if numbers:
        if (u64(c, 8), u64(c, 16)) != (numbers[0], numbers[-1]) or (u64(c, 24), u64(c, 32)) != (numbers[0], numbers[-1]):
            problem(where + ": first/last record numbers differ from its records")
        if u32(c, 44) != last_off:
            problem(where + ": last record offset is wrong")
        if expect_number is not None and numbers[0] != expect_number:
            problem(where + ": record numbers do not continue from the previous chunk")
    for i in range(1, len(numbers)):
        if numbers[i] != numbers[i - 1] + 1:
            problem(where + ": record numbers are not contiguous")
            break
    check_tables(where, c)
    return numbers


def check_tables(where, c):
    """The string and template tables lead to names and template definitions."""
    for bucket in range(64):
        off, hops = u32(c, 128 + 4 * bucket), 0
        while off and hops < 1000:
            count = u16(c, off + 6)
            name = c[off + 8:off + 8 + 2 * count].decode("utf-16-le")
            h = 0
            for ch in name:
                h = (h * 65599 + ord(ch)) & 0xFFFFFFFF
            if (h & 0xFFFF) != u16(c, off + 4) or (h & 0xFFFF) % 64 != bucket:
                problem("%s: string table entry %r has a wrong hash" % (where, name))
            off, hops = u32(c, off), hops + 1
    for bucket in range(32):
        off, hops = u32(c, 384 + 4 * bucket), 0
        while off and hops < 1000:
            if c[off - 10] != 0x0C or u32(c, off - 4) != off or c[off + 24:off + 28] != b"\x0f\x01\x01\x00":
                problem("%s: template table entry 0x%x is not a template definition" % (where, off))
                break
            off, hops = u32(c, off), hops + 1


def check_structure(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"ElfFile\0" or u32(data, 124) != zlib.crc32(data[:120]):
        problem(path + ": bad file header signature or CRC32")
        return 0
    if (u16(data, 38), u16(data, 36), u32(data, 32), u16(data, 40)) != (3, 1, 128, 4096):
        problem(path + ": unexpected version or header sizes")
    n_chunks = u16(data, 42)
    if len(data) != 4096 + n_chunks * CHUNK or u32(data, 120) != 0:
        problem(path + ": file size or flags do not match the header")
    if (u64(data, 8), u64(data, 16)) != (0, max(n_chunks - 1, 0)):
        problem(path + ": first/last chunk numbers are wrong")
    numbers = []
    for i in range(n_chunks):
        numbers += check_chunk(path, i, data[4096 + i * CHUNK:4096 + (i + 1) * CHUNK],
                               numbers[-1] + 1 if numbers else None)
    if numbers and u64(data, 24) != numbers[-1] + 1:
        problem(path + ": next record identifier is wrong")
    if n_chunks < 1:
        problem(path + ": no chunks")
    return len(numbers)


# ---- Readers --------------------------------------------------------------------

def record_from_xml(event):
    """A reader-independent view of one rendered event."""
    system = event.find(NS + "System")
    provider = system.find(NS + "Provider")
    sec = system.find(NS + "Security")
    data, binary = [], None
    event_data = event.find(NS + "EventData")
    if event_data is not None:
        for child in event_data:
            if child.tag == NS + "Data":
                data.append((child.get("Name"), child.text or ""))
            elif child.tag == NS + "Binary":
                binary = child.text or ""
    return {
        "provider": provider.get("Name"),
        "guid": (provider.get("Guid") or "").lower(),
        "event_id": int(system.find(NS + "EventID").text),
        "version": int(system.find(NS + "Version").text),
        "time": system.find(NS + "TimeCreated").get("SystemTime"),
        "record_id": int(system.find(NS + "EventRecordID").text),
        "channel": system.find(NS + "Channel").text,
        "computer": system.find(NS + "Computer").text,
        "user_sid": (sec.get("UserID") if sec is not None else None) or "",
        "data": data,
        "binary": binary,
    }


def read_libevtx(path):
    run = subprocess.run(["evtxexport", "-f", "xml", path], capture_output=True)
    if run.returncode != 0 or run.stderr.strip():
        problem("%s: evtxexport failed: %s" % (path, run.stderr.decode("utf-8", "replace")[:300]))
    text = run.stdout.decode("utf-8")
    text = text[text.find("<Event"):] if "<Event" in text else ""
    try:
        root = ET.fromstring("<root>" + text + "</root>")
    except ET.ParseError as e:
        problem("%s: evtxexport wrote XML that does not parse: %s" % (path, e))
        return {}
    records = {}
    for event in root:
        r = record_from_xml(event)
        r["binary"] = bytes.fromhex(r["binary"]) if r["binary"] is not None else None
        records[r["record_id"]] = r
    return records


def read_python_evtx(path):
    records = {}
    with Evtx(path) as log:
        header = log.get_file_header()
        if not header.verify():
            problem(path + ": python-evtx rejects the file header")
        for chunk in log.chunks():
            if not chunk.verify():
                problem(path + ": python-evtx rejects a chunk")
        for rec in log.records():
            try:
                r = record_from_xml(ET.fromstring(rec.xml()))
            except Exception as e:  # python-evtx raises many kinds on bad input
                problem("%s: python-evtx cannot read record %d: %s" % (path, rec.record_num(), type(e).__name__))
                continue
            r["binary"] = base64.b64decode(r["binary"]) if r["binary"] is not None else None
            if r["record_id"] != rec.record_num():
                problem("%s: EventRecordID %d in record number %d" % (path, r["record_id"], rec.record_num()))
            records[r["record_id"]] = r
    return records


# ---- Values as the answer key defines them ------------------------------------------

def parse_time(text):
    """TimeCreated from either reader, as (datetime to the second, 100 ns units)."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?Z?", text)
    if not m:
        return None
    base = datetime.datetime.strptime(m.group(1) + " " + m.group(2), "%Y-%m-%d %H:%M:%S")
    frac = (m.group(3) or "0")[:7].ljust(7, "0")
    return base, int(frac)


def same_time(key_text, reader_text, tolerance):
    a, b = parse_time(key_text), parse_time(reader_text)
    if not a or not b:
        return False
    diff = (a[0] - b[0]).total_seconds() * 10**7 + a[1] - b[1]
    return abs(diff) <= tolerance


def num(text):
    text = text.strip()
    return int(text, 16) if text.lower().startswith("0x") else int(text)


def field(r, name):
    for n, v in r["data"]:
        if n == name:
            return v
    return None


def account(domain, user):
    return "%s\\%s" % (domain or "", user or "") if (domain or user) else ""


INTEGRITY = {"S-1-16-4096": "low", "S-1-16-8192": "medium", "S-1-16-12288": "high", "S-1-16-16384": "system"}
ELEVATION = {"%%1936": "full", "%%1937": "elevated", "%%1938": "limited"}


def process_values(r):
    if r["provider"] == SECURITY:
        f = lambda n: field(r, n) or ""
        return {
            "source": "4688", "pid": num(f("NewProcessId")), "ppid": num(f("ProcessId")),
            "image": f("NewProcessName"), "parent_image": f("ParentProcessName"),
            "command_line": f("CommandLine"), "account": account(f("SubjectDomainName"), f("SubjectUserName")),
            "sid": f("SubjectUserSid"), "logon_id": num(f("SubjectLogonId")),
            "integrity": INTEGRITY.get(f("MandatoryLabel"), ""), "elevation": ELEVATION.get(f("TokenElevationType"), ""),
        }
    f = lambda n: field(r, n) or ""
    return {
        "source": "sysmon1", "pid": num(f("ProcessId")), "ppid": num(f("ParentProcessId")),
        "image": f("Image"), "parent_image": f("ParentImage"), "command_line": f("CommandLine"),
        "account": f("User"), "sid": "", "logon_id": num(f("LogonId")),
        "integrity": f("IntegrityLevel").lower(), "elevation": "",
    }


def service_values(r):
    f = lambda n: field(r, n) or ""
    v = dict.fromkeys("service_name display_name state old_start_type new_start_type image_path "
                      "service_account sid account".split(), "")
    if r["event_id"] == 7036:
        key = (r["binary"] or b"").decode("utf-16-le").split("/")[0]
        v.update(service_name=key, display_name=f("param1"), state=f("param2"))
    elif r["event_id"] == 7040:
        v.update(display_name=f("param1"), old_start_type=f("param2"), new_start_type=f("param3"),
                 service_name=f("param4"), sid=r["user_sid"])
    elif r["event_id"] == 7045:
        v.update(service_name=f("ServiceName"), image_path=f("ImagePath"), new_start_type=f("StartType"),
                 service_account=f("AccountName"), sid=r["user_sid"])
    else:
        v.update(service_name=f("ServiceName"), image_path=f("ServiceFileName"),
                 new_start_type=str(num(f("ServiceStartType"))), service_account=f("ServiceAccount"),
                 sid=f("SubjectUserSid"), account=account(f("SubjectDomainName"), f("SubjectUserName")))
    return v


def is_process(r):
    return (r["provider"], r["event_id"]) in ((SECURITY, 4688), (SYSMON, 1))


def is_service(r):
    return (r["provider"], r["event_id"]) in ((SCM, 7036), (SCM, 7040), (SCM, 7045), (SECURITY, 4697))


# ---- Checks ----------------------------------------------------------------------

def same_value(a, b):
    """Equal, or renderings of one value that differ in form: GUID case, FILETIME
    layout (python-evtx rounds FILETIMEs through microseconds)."""
    if a == b:
        return True
    if re.fullmatch(r"\{[0-9A-Fa-f-]{36}\}", a):
        return a.lower() == b.lower()
    return parse_time(a) is not None and same_time(a, b, 30)


def compare_readers(path, lib, py):
    if set(lib) != set(py):
        problem("%s: the readers return different records (%d vs %d)" % (path, len(lib), len(py)))
    for rid in sorted(set(lib) & set(py)):
        a, b = lib[rid], py[rid]
        for k in ("provider", "guid", "event_id", "version", "channel", "computer", "user_sid", "binary"):
            if a[k] != b[k]:
                problem("%s: record %d: %s differs: %r vs %r" % (path, rid, k, a[k], b[k]))
        names_a, names_b = [n for n, _ in a["data"]], [n for n, _ in b["data"]]
        if names_a != names_b:
            problem("%s: record %d: Data names differ" % (path, rid))
            continue
        for (n, va), (_, vb) in zip(a["data"], b["data"]):
            if not same_value(va, vb):
                problem("%s: record %d: Data %s differs: %r vs %r" % (path, rid, n, va, vb))
        if not same_time(a["time"], b["time"], 30):
            problem("%s: record %d: TimeCreated differs: %s vs %s" % (path, rid, a["time"], b["time"]))


def check_counts(row, records, reader):
    kinds = [("process_4688", SECURITY, 4688), ("process_sysmon1", SYSMON, 1), ("service_7036", SCM, 7036),
             ("service_7040", SCM, 7040), ("service_7045", SCM, 7045), ("service_4697", SECURITY, 4697)]
    if int(row["records"]) != len(records):
        problem("%s: %s reads %d records, the key says %s" % (row["path"], reader, len(records), row["records"]))
    for column, provider, event_id in kinds:
        n = sum(1 for r in records.values() if r["provider"] == provider and r["event_id"] == event_id)
        if n != int(row[column]):
            problem("%s: %s counts %d for %s, the key says %s" % (row["path"], reader, n, column, row[column]))


def check_row_values(kind, row, r, reader, expected):
    where = "%s %s record %s (%s)" % (kind, row["host"], row["record_id"], reader)
    # libevtx gives all 7 digits; python-evtx rounds through microseconds.
    if not same_time(row["time_utc"], r["time"], 0 if reader == "libevtx" else 30):
        problem("%s: TimeCreated %s, key %s" % (where, r["time"], row["time_utc"]))
    if r["computer"] != row["host"]:
        problem("%s: Computer %r" % (where, r["computer"]))
    for k, v in expected.items():
        if str(v) != row[k]:
            problem("%s: %s is %r, key %r" % (where, k, v, row[k]))


def check_process_rows(rows, logs):
    seen = set()
    for row in rows:
        log = "Security" if row["source"] == "4688" else "Sysmon"
        for reader, records in logs.get((row["host"], log), {}).items():
            r = records.get(int(row["record_id"]))
            if not r or not is_process(r):
                problem("process %s %s: no such record in %s (%s)" % (row["host"], row["record_id"], log, reader))
                continue
            expected = process_values(r)
            expected["event_version"] = r["version"]
            check_row_values("process", row, r, reader, expected)
        seen.add((row["host"], log, int(row["record_id"])))
    return seen


def check_service_rows(rows, logs):
    seen = set()
    for row in rows:
        log = "Security" if row["event_id"] == "4697" else "System"
        for reader, records in logs.get((row["host"], log), {}).items():
            r = records.get(int(row["record_id"]))
            if not r or not is_service(r) or str(r["event_id"]) != row["event_id"]:
                problem("service %s %s: no such record in %s (%s)" % (row["host"], row["record_id"], log, reader))
                continue
            check_row_values("service", row, r, reader, service_values(r))
        seen.add((row["host"], log, int(row["record_id"])))
    return seen


def check_complete(logs, seen, wanted, kind):
    for (host, log), readers in logs.items():
        for rid, r in readers["libevtx"].items():
            if wanted(r) and (host, log, rid) not in seen:
                problem("%s %s record %d has no %s.tsv row" % (host, log, rid, kind))


def find_record(logs, host, record_id, want_logs):
    for log in want_logs:
        r = logs.get((host, log), {}).get("libevtx", {}).get(record_id)
        if r:
            return log, r
    return None, None


def check_truth(rows, logs):
    direct = {(r["host"], r["record_id"]) for r in rows if r["evidence"] == "process" and r["role"] == "direct"}
    for row in rows:
        rid = int(row["record_id"])
        if row["evidence"] == "process":
            log, r = find_record(logs, row["host"], rid, ("Security", "Sysmon"))
            if not r or not is_process(r) or process_values(r)["command_line"] != row["command_line"]:
                problem("t1489: %s %d is not a process record with that command line" % (row["host"], rid))
            continue
        log, r = find_record(logs, row["host"], rid, ("System",))
        stopped = r and r["event_id"] == 7036 and field(r, "param2") in ("stopped", "\u5df2\u505c\u6b62")
        disabled = r and r["event_id"] == 7040 and field(r, "param3") in ("disabled", "\u5df2\u7981\u7528")
        if not (stopped or disabled) or service_values(r)["service_name"] != row["service"]:
            problem("t1489: %s %d is not a stop or disable of %s" % (row["host"], rid, row["service"]))
            continue
        if row["echo_of_host"]:
            cause_id = (row["echo_of_host"], row["echo_of_record_id"])
            _, cause = find_record(logs, cause_id[0], int(cause_id[1]), ("Security",))
            if not cause or cause["event_id"] != 4688 or not cause["time"] <= r["time"] or cause_id not in direct:
                problem("t1489: echo of %s %s is not an earlier 4688 that does it" % cause_id)
    roles = {(r["role"], r["verb"], r["tool"]) for r in rows}
    for need in [("direct", "stop", "net"), ("relay", "stop", "net"), ("launcher", "stop", "sc"),
                 ("direct", "disable", "sc"), ("direct", "delete", "sc"), ("direct", "stop", "wmic"),
                 ("direct", "kill", "taskkill"), ("direct", "disable", "reg"), ("direct", "stop", "powershell")]:
        if need not in roles:
            problem("t1489: no %s %s by %s" % need)


def check_lookalikes(rows, logs):
    for row in rows:
        _, r = find_record(logs, row["host"], int(row["record_id"]), ("Security", "Sysmon"))
        if not r or process_values(r)["command_line"] != row["command_line"]:
            problem("lookalike %s %s: no process record with that command line" % (row["host"], row["record_id"]))


def check_reference_event(logs):
    """The 4688 of the T1489 write-up, exactly, and its 7036 echo."""
    records = logs.get(("QAX", "Security"), {}).get("libevtx", {})
    net = [r for r in records.values() if r["event_id"] == 4688 and field(r, "CommandLine") == "net  stop vmtools"]
    if len(net) != 1:
        problem("reference event: %d records of 'net  stop vmtools' on QAX" % len(net))
        return
    r = net[0]
    want = {"SubjectUserName": "Administrator", "SubjectDomainName": "QAX", "NewProcessName": "C:\\Windows\\System32\\net.exe",
            "ParentProcessName": "C:\\Windows\\System32\\cmd.exe", "TokenElevationType": "%%1936",
            "MandatoryLabel": "S-1-16-12288", "TargetUserSid": "S-1-0-0"}
    for k, v in want.items():
        if field(r, k) != v:
            problem("reference event: %s is %r" % (k, field(r, k)))
    for k, v in (("SubjectLogonId", 0x7169C), ("NewProcessId", 0xD9C), ("ProcessId", 0x15D0)):
        if num(field(r, k) or "0") != v:
            problem("reference event: %s is %r" % (k, field(r, k)))
    system = logs.get(("QAX", "System"), {}).get("libevtx", {}).values()
    echo = [e for e in system if e["event_id"] == 7036 and field(e, "param1") == "VMware Tools"
            and field(e, "param2") == "\u5df2\u505c\u6b62" and (e["binary"] or b"").startswith("VMTools/1".encode("utf-16-le"))]
    t = parse_time(r["time"])
    if not echo or not any(0 < (parse_time(e["time"])[0] - t[0]).total_seconds() <= 3 for e in echo):
        problem("reference event: no 7036 'VMware Tools' '\u5df2\u505c\u6b62' about a second later")


def check_text_round_trip(process_rows, service_rows):
    if not any("\u5df2\u505c\u6b62" == r["state"] for r in service_rows):
        problem("no Chinese 7036 state in service.tsv")
    if not any(re.search("[\u0400-\u04ff]", r["account"] + r["command_line"]) for r in process_rows):
        problem("no Cyrillic account or command line in process.tsv")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    case_dir = sys.argv[1]
    key = {name: read_key(case_dir, name) for name in KEY_COLUMNS}
    logs = {}
    for row in key["files.tsv"]:
        path = case_dir + "/" + row["path"]
        host = row["path"].split("/")[0]
        log = "Sysmon" if "Sysmon" in row["path"] else row["path"].rsplit("/", 1)[1][:-5]
        n = check_structure(path)
        lib, py = read_libevtx(path), read_python_evtx(path)
        if n != len(lib) or n != len(py):
            problem("%s: %d records in the file, libevtx %d, python-evtx %d" % (path, n, len(lib), len(py)))
        check_counts(row, lib, "libevtx")
        check_counts(row, py, "python-evtx")
        compare_readers(path, lib, py)
        logs[(host, log)] = {"libevtx": lib, "python-evtx": py}
    seen = check_process_rows(key["process.tsv"], logs)
    check_complete(logs, seen, is_process, "process")
    seen = check_service_rows(key["service.tsv"], logs)
    check_complete(logs, seen, is_service, "service")
    check_truth(key["t1489.tsv"], logs)
    check_lookalikes(key["lookalikes.tsv"], logs)
    check_reference_event(logs)
    check_text_round_trip(key["process.tsv"], key["service.tsv"])
    n_records = sum(len(v["libevtx"]) for v in logs.values())
    if problems:
        print("%d problems in %d files, %d records" % (len(problems), len(logs), n_records))
        return 1
    print("ok: %d files, %d records, %d process rows, %d service rows, %d truth rows read alike by libevtx and "
          "python-evtx" % (len(logs), n_records, len(key["process.tsv"]), len(key["service.tsv"]),
                           len(key["t1489.tsv"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
