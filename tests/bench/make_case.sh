#!/bin/sh
# Builds a synthetic case of N process rows for query benchmarks:
#   tests/bench/make_case.sh CASE.db N
# The schema comes from evtx-index itself (an empty run); the rows are generated in
# SQL: 500 hosts, 2,000 accounts, one service action per 500 processes, one SCM
# event per 5 processes with a stop echo for each action.
set -eu
db=$1; n=$2
BIN=${BIN:-bin}
rm -f "$db" "$db-wal" "$db-shm"
empty=$(mktemp -d)
"$BIN/evtx-index" -q "$db" "$empty"
rmdir "$empty"
sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO evidence_file(file_id, sha256, size, path, decoder, indexed_at, status)
  VALUES (1, 'bench', 0, 'bench/Security.evtx', 'bench', '2024-01-01T00:00:00Z', 'complete');
WITH RECURSIVE h(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM h WHERE i < 500)
  INSERT INTO host(host_id, name, host_key) SELECT i, printf('HOST%04d.corp.local', i), printf('host%04d', i) FROM h;
WITH RECURSIVE p(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM p WHERE i < $n)
  INSERT INTO process(process_id, host_id, time, source, channel, event_version, record_id, pid, ppid,
                      image, parent_image, command_line, account, sid, logon_id, integrity, elevation,
                      file_id, record_number)
  SELECT i, 1 + i % 500, 133500000000000000 + i * 100000000, '4688', 'Security', 2, i, 1000 + i % 60000,
         4 + i % 997,
         CASE WHEN i % 500 = 0 THEN 'C:\Windows\System32\net.exe' ELSE 'C:\Windows\System32\svchost.exe' END,
         'C:\Windows\System32\cmd.exe',
         CASE WHEN i % 500 = 0 THEN printf('net  stop svc%d', i % 37)
              ELSE printf('C:\Windows\system32\svchost.exe -k netsvcs -p -s Svc%d', i % 113) END,
         printf('CORP\user%d', i % 2000), printf('S-1-5-21-1-2-3-%d', 1000 + i % 2000), i % 100000,
         'high', 'full', 1, i
  FROM p;
INSERT INTO service_action(process_id, seq, role, rule, tool, verb, service, remote_host, why)
  SELECT process_id, 0, 'direct', 'net_stop', 'net', 'stop', printf('svc%d', process_id % 37), '',
         printf('net stop svc%d', process_id % 37)
  FROM process WHERE process_id % 500 = 0;
-- As indexer/actions.c writes it; every action here is local, so its target key is its host's.
INSERT INTO action_context(action_id, host_id, time, target_key, source, pid, ppid, account, sid, command_line,
                           parent_image, file_id, record_number, record_id)
  SELECT a.action_id, p.host_id, p.time, h.host_key, p.source, p.pid, p.ppid, p.account, p.sid, p.command_line,
         p.parent_image, p.file_id, p.record_number, p.record_id
  FROM service_action a JOIN process p USING (process_id) JOIN host h ON h.host_id = p.host_id;
WITH RECURSIVE v(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM v WHERE i < 36)
  INSERT INTO service(service_id, service_name, display_name)
  SELECT i + 1, printf('svc%d', i), printf('Service %d', i) FROM v;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n / 5)
  INSERT INTO service_event(host_id, time, event_id, channel, record_id, service_name, display_name, state,
                            state_code, file_id, record_number, service_id)
  SELECT 1 + (i * 5) % 500, 133500000000000000 + i * 5 * 100000000 + 10000000, 7036, 'System', i,
         printf('svc%d', (i * 5) % 37), printf('Service %d', (i * 5) % 37),
         CASE WHEN i % 2 = 0 THEN 'stopped' ELSE 'running' END, CASE WHEN i % 2 = 0 THEN 1 ELSE 4 END, 1, i,
         1 + (i * 5) % 37
  FROM s;
INSERT INTO coverage(host_id, channel, first_time, last_time, records, n_4688, n_4688_cmdline)
  SELECT host_id, 'Security', min(time), max(time), count(*), count(*), count(*) FROM process GROUP BY host_id;
COMMIT;
ANALYZE;
SQL
