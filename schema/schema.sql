-- The case database: one SQLite file per case, written by evtx-index, read by evtx-query.
-- This file is the only definition of the schema; both programs compile it in.
--
-- Times are INTEGER FILETIMEs (100 ns ticks since 1601-01-01 UTC, as Windows writes them);
-- the views add ISO 8601 UTC text. Process ids and logon ids are integers (hex in 4688).
-- Every event row names the evidence file and record it came from (file_id, record_number).

PRAGMA application_id = 1163285592;  -- 0x45565458, 'EVTX'
PRAGMA user_version = 2;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT
) WITHOUT ROWID;

-- One row per distinct evidence content (by SHA-256).
CREATE TABLE evidence_file (
    file_id        INTEGER PRIMARY KEY,
    sha256         TEXT NOT NULL UNIQUE,
    size           INTEGER NOT NULL,
    path           TEXT NOT NULL,          -- first path it was seen at (container!member for archives)
    decoder        TEXT NOT NULL,
    indexed_at     TEXT NOT NULL,          -- UTC ISO 8601
    status         TEXT NOT NULL,          -- complete | partial | unreadable
    error          TEXT,                   -- why it is partial or unreadable
    format_version TEXT,
    dirty          INTEGER,                -- header flag: the log was not closed cleanly
    header_chunks  INTEGER,
    chunks         INTEGER,
    repaired       INTEGER NOT NULL DEFAULT 0, -- opened from a copy with bad chunk headers zeroed
    chunks_bad_crc INTEGER NOT NULL DEFAULT 0, -- chunks whose header or records CRC32 is wrong (read all the same)
    header_bad_crc INTEGER NOT NULL DEFAULT 0, -- the file header's CRC32 is wrong
    records        INTEGER NOT NULL DEFAULT 0, -- live records decoded
    recovered      INTEGER NOT NULL DEFAULT 0, -- deleted/stale records recovered and decoded
    skipped        INTEGER NOT NULL DEFAULT 0, -- records (or chunks) that could not be decoded
    n_4688         INTEGER NOT NULL DEFAULT 0, -- rows this file contributed, before deduplication
    n_sysmon1      INTEGER NOT NULL DEFAULT 0,
    n_7036         INTEGER NOT NULL DEFAULT 0,
    n_7040         INTEGER NOT NULL DEFAULT 0,
    n_7045         INTEGER NOT NULL DEFAULT 0,
    n_4697         INTEGER NOT NULL DEFAULT 0,
    n_duplicates   INTEGER NOT NULL DEFAULT 0  -- of those, rows already stored from another file
);

-- Every path an evidence content was found at (the same file in two places is read once).
CREATE TABLE evidence_path (
    path       TEXT PRIMARY KEY,
    file_id    INTEGER NOT NULL REFERENCES evidence_file(file_id),
    first_seen TEXT NOT NULL
);
CREATE INDEX evidence_path_file ON evidence_path(file_id);

-- Records or chunks that were read but could not be decoded, with the reason.
CREATE TABLE skipped_record (
    skip_id       INTEGER PRIMARY KEY,
    file_id       INTEGER NOT NULL REFERENCES evidence_file(file_id),
    chunk         INTEGER,
    record_number INTEGER,
    n_records     INTEGER NOT NULL DEFAULT 1,
    recovered     INTEGER NOT NULL DEFAULT 0,
    reason        TEXT NOT NULL
);
CREATE INDEX skipped_record_file ON skipped_record(file_id);

-- Files met on the walk that are not EVTX (or could not be read at all).
CREATE TABLE rejected_path (
    path   TEXT PRIMARY KEY,
    reason TEXT NOT NULL
);

CREATE TABLE host (
    host_id INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- System/Computer as written
    host_key TEXT NOT NULL                        -- lower-case short name: FS01.qax.local -> fs01
);
CREATE INDEX host_key ON host(host_key);

-- One row per Security 4688 or Sysmon 1 record (deduplicated by host, channel, record id, time).
CREATE TABLE process (
    process_id          INTEGER PRIMARY KEY,
    host_id             INTEGER NOT NULL REFERENCES host(host_id),
    time                INTEGER NOT NULL,     -- TimeCreated, FILETIME UTC
    source              TEXT NOT NULL,        -- '4688' | 'sysmon1'
    channel             TEXT NOT NULL,
    event_version       INTEGER,
    record_id           INTEGER NOT NULL,     -- System/EventRecordID
    pid                 INTEGER,
    ppid                INTEGER,
    image               TEXT,
    parent_image        TEXT,
    command_line        TEXT,
    parent_command_line TEXT,
    current_directory   TEXT,
    account             TEXT,                 -- DOMAIN\user of the actor
    sid                 TEXT,
    logon_id            INTEGER,
    target_account      TEXT,
    target_sid          TEXT,
    target_logon_id     INTEGER,
    integrity           TEXT,                 -- low | medium | high | system
    elevation           TEXT,                 -- full | elevated | limited (4688)
    process_guid        TEXT,
    parent_process_guid TEXT,
    logon_guid          TEXT,
    hashes              TEXT,
    original_file_name  TEXT,
    parent_user         TEXT,
    rule_name           TEXT,
    recovered           INTEGER NOT NULL DEFAULT 0,
    file_id             INTEGER NOT NULL REFERENCES evidence_file(file_id),
    record_number       INTEGER NOT NULL,     -- record header number in that file
    chunk               INTEGER
);
CREATE UNIQUE INDEX process_identity ON process(host_id, channel, record_id, time);
CREATE INDEX process_time ON process(time);
CREATE INDEX process_host_pid ON process(host_id, pid);

-- Each distinct (key name, display name) pair met in service events; '' for a name the
-- record does not carry. Queries decide once per service what it is (critical or not).
CREATE TABLE service (
    service_id   INTEGER PRIMARY KEY,
    service_name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    UNIQUE (service_name, display_name)
);

-- One row per System 7036 / 7040 / 7045 or Security 4697 record.
CREATE TABLE service_event (
    service_event_id INTEGER PRIMARY KEY,
    host_id          INTEGER NOT NULL REFERENCES host(host_id),
    time             INTEGER NOT NULL,
    event_id         INTEGER NOT NULL,
    channel          TEXT NOT NULL,
    record_id        INTEGER NOT NULL,
    service_name     TEXT,      -- key name (7036 Binary, 7040 param4, 7045/4697 ServiceName)
    display_name     TEXT,
    state            TEXT,      -- 7036 state text as written (localized)
    state_code       INTEGER,   -- 7036 state number from Binary: 1 stopped, 4 running ...
    old_start_type   TEXT,
    new_start_type   TEXT,
    image_path       TEXT,
    service_type     TEXT,
    service_account  TEXT,      -- run-as account of an installed service
    sid              TEXT,      -- acting SID where the record carries one
    account          TEXT,      -- acting DOMAIN\user where the record carries one
    logon_id         INTEGER,
    recovered        INTEGER NOT NULL DEFAULT 0,
    file_id          INTEGER NOT NULL REFERENCES evidence_file(file_id),
    record_number    INTEGER NOT NULL,
    chunk            INTEGER,
    service_id       INTEGER NOT NULL REFERENCES service(service_id)
);
CREATE UNIQUE INDEX service_event_identity ON service_event(host_id, channel, record_id, time);
CREATE INDEX service_event_host_time ON service_event(host_id, time);
CREATE INDEX service_event_time ON service_event(time);
CREATE INDEX service_event_service_time ON service_event(service_id, time);
CREATE INDEX service_event_kind_time ON service_event(event_id, time);

-- Boots, shutdowns (and who asked for them) and cleared logs: the context of service stops.
CREATE TABLE host_event (
    host_event_id INTEGER PRIMARY KEY,
    host_id       INTEGER NOT NULL REFERENCES host(host_id),
    time          INTEGER NOT NULL,
    event_id      INTEGER NOT NULL,
    channel       TEXT NOT NULL,
    record_id     INTEGER NOT NULL,
    kind          TEXT NOT NULL,   -- boot | shutdown | unexpected_shutdown | shutdown_request | log_cleared
    detail        TEXT,
    account       TEXT,
    sid           TEXT,
    recovered     INTEGER NOT NULL DEFAULT 0,
    file_id       INTEGER NOT NULL REFERENCES evidence_file(file_id),
    record_number INTEGER NOT NULL,
    chunk         INTEGER
);
CREATE UNIQUE INDEX host_event_identity ON host_event(host_id, channel, record_id, time);
CREATE INDEX host_event_host_time ON host_event(host_id, time);

-- Where a stored record was met again in another file (re-collection, exported copy).
CREATE TABLE sighting (
    kind          TEXT NOT NULL,      -- 'process' | 'service_event' | 'host_event'
    row_id        INTEGER NOT NULL,
    file_id       INTEGER NOT NULL REFERENCES evidence_file(file_id),
    record_number INTEGER NOT NULL,
    PRIMARY KEY (kind, row_id, file_id, record_number)
) WITHOUT ROWID;

-- SID to DOMAIN\user, learned from records that carry both (4688, 4697 subjects).
CREATE TABLE account (
    sid  TEXT PRIMARY KEY,
    name TEXT NOT NULL
) WITHOUT ROWID;
-- Well-known SIDs name the same account on every host; they are never learned from a record.
INSERT INTO account(sid, name) VALUES ('S-1-5-18', 'NT AUTHORITY\SYSTEM'),
    ('S-1-5-19', 'NT AUTHORITY\LOCAL SERVICE'), ('S-1-5-20', 'NT AUTHORITY\NETWORK SERVICE');

-- Per host and channel: what the evidence covers (records read, before deduplication).
CREATE TABLE coverage (
    host_id        INTEGER NOT NULL REFERENCES host(host_id),
    channel        TEXT NOT NULL,
    first_time     INTEGER,
    last_time      INTEGER,
    records        INTEGER NOT NULL DEFAULT 0,
    n_4688         INTEGER NOT NULL DEFAULT 0,
    n_4688_cmdline INTEGER NOT NULL DEFAULT 0,   -- 4688 that carry a command line
    n_sysmon1      INTEGER NOT NULL DEFAULT 0,
    n_service      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (host_id, channel)
) WITHOUT ROWID;

-- Service actions derived from command lines (evtx-index --rederive recomputes them).
CREATE TABLE service_action (
    action_id   INTEGER PRIMARY KEY,
    process_id  INTEGER NOT NULL REFERENCES process(process_id),
    seq         INTEGER NOT NULL,     -- order within the command line
    role        TEXT NOT NULL,        -- direct | launcher | relay
    rule        TEXT NOT NULL,
    tool        TEXT NOT NULL,
    verb        TEXT NOT NULL,        -- stop | disable | delete | pause | kill
    service     TEXT NOT NULL,
    remote_host TEXT NOT NULL,        -- '' for the local host
    why         TEXT NOT NULL
);
CREATE INDEX service_action_process ON service_action(process_id);

-- Per service action, the columns of its process row that the T1489 query reads, and the
-- host key of the host it acts on; written with the action (and again by --rederive). The
-- query reads this table instead of the process table, and finds actions by target host
-- and time, by process and by parent process through its indexes.
CREATE TABLE action_context (
    action_id     INTEGER PRIMARY KEY REFERENCES service_action(action_id),
    host_id       INTEGER NOT NULL REFERENCES host(host_id),  -- the process's host
    time          INTEGER NOT NULL,
    target_key    TEXT NOT NULL,  -- host key (host.host_key) of remote_host, or of the process's host
    source        TEXT NOT NULL,
    pid           INTEGER,
    ppid          INTEGER,
    account       TEXT,
    sid           TEXT,
    command_line  TEXT,
    parent_image  TEXT,
    file_id       INTEGER NOT NULL REFERENCES evidence_file(file_id),
    record_number INTEGER NOT NULL,
    record_id     INTEGER NOT NULL
);
CREATE INDEX action_context_target ON action_context(target_key, time);
CREATE INDEX action_context_process ON action_context(host_id, pid, time);
CREATE INDEX action_context_parent ON action_context(host_id, ppid, time);

-- Views for the common joins. filetime_iso: FILETIME to 'YYYY-MM-DDTHH:MM:SS.fffffffZ'.
CREATE VIEW process_v AS
SELECT p.process_id, h.name AS host,
       strftime('%Y-%m-%dT%H:%M:%S', p.time / 10000000 - 11644473600, 'unixepoch')
         || '.' || substr('000000' || (p.time % 10000000), -7) || 'Z' AS time_utc,
       p.source, p.event_version, p.record_id, p.pid, p.ppid, p.image, p.parent_image,
       p.command_line, p.account, p.sid, p.logon_id, p.integrity, p.elevation,
       p.recovered, f.path AS evidence_path, p.record_number, p.time, p.host_id, p.file_id
FROM process p JOIN host h USING (host_id) JOIN evidence_file f USING (file_id);

CREATE VIEW service_event_v AS
SELECT s.service_event_id, h.name AS host,
       strftime('%Y-%m-%dT%H:%M:%S', s.time / 10000000 - 11644473600, 'unixepoch')
         || '.' || substr('000000' || (s.time % 10000000), -7) || 'Z' AS time_utc,
       s.event_id, s.record_id, s.service_name, s.display_name, s.state, s.state_code,
       s.old_start_type, s.new_start_type, s.image_path, s.service_account, s.sid,
       COALESCE(s.account, (SELECT a.name FROM account a WHERE a.sid = s.sid)) AS account,
       s.recovered, f.path AS evidence_path, s.record_number, s.time, s.host_id, s.file_id
FROM service_event s JOIN host h USING (host_id) JOIN evidence_file f USING (file_id);

CREATE VIEW service_action_v AS
SELECT a.action_id, p.host, p.time_utc, p.account, p.sid, a.role, a.rule, a.tool, a.verb,
       a.service, a.remote_host, a.why, p.command_line, p.parent_image, p.pid,
       p.evidence_path, p.record_number, p.process_id, p.time
FROM service_action a JOIN process_v p USING (process_id);

CREATE VIEW files_v AS
SELECT ep.path, f.sha256, f.records, f.n_4688 AS process_4688, f.n_sysmon1 AS process_sysmon1,
       f.n_7036 AS service_7036, f.n_7040 AS service_7040, f.n_7045 AS service_7045,
       f.n_4697 AS service_4697, f.skipped, f.recovered, f.status, f.size, f.decoder, f.error,
       f.chunks_bad_crc, f.header_bad_crc, f.file_id
FROM evidence_path ep JOIN evidence_file f USING (file_id);
