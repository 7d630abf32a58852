/* cmd_inventory.c: what the case holds — hosts, accounts, coverage, processes. */
#include "commands.h"

#define HOST_FILTER(col) "(?1 IS NULL OR same_host(" col ", ?1))"

/* A LIKE pattern (escape '!') that matches text containing s, ignoring ASCII case:
 * LIKE needs no lower-cased copy of every row, unlike lower()/instr(). NULL when out
 * of memory (then the filter matches nothing). */
static char *contains_pattern(const char *s)
{
	sqlite3_str *p = sqlite3_str_new(NULL);
	sqlite3_str_appendchar(p, 1, '%');
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '!')
			sqlite3_str_appendchar(p, 1, '!');
		sqlite3_str_appendchar(p, 1, *s);
	}
	sqlite3_str_appendchar(p, 1, '%');
	return sqlite3_str_finish(p);
}

/* Prepares fixed SQL, binds the common filters (?1 host, ?2 account, ?3 since,
 * ?4 until, ?5 image, ?6 command line, ?7 limit; a statement uses those it needs,
 * binding an absent one is a no-op) and writes the rows. */
static int run_fixed(struct query_ctx *q, const char *sql)
{
	sqlite3_stmt *st;
	long n;
	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return report_prepare_failed(q->db);
	if (q->f.host)
		sqlite3_bind_text(st, 1, q->f.host, -1, SQLITE_STATIC);
	if (q->f.account)
		sqlite3_bind_text(st, 2, q->f.account, -1, SQLITE_STATIC);
	if (q->f.since)
		sqlite3_bind_int64(st, 3, (sqlite3_int64)q->f.since);
	if (q->f.until)
		sqlite3_bind_int64(st, 4, (sqlite3_int64)q->f.until);
	if (q->f.image)
		sqlite3_bind_text(st, 5, contains_pattern(q->f.image), -1, sqlite3_free);
	if (q->f.cmdline)
		sqlite3_bind_text(st, 6, contains_pattern(q->f.cmdline), -1, sqlite3_free);
	sqlite3_bind_int64(st, 7, q->f.limit > 0 ? q->f.limit : -1);
	n = report_run(q->db, st, &q->ro);
	sqlite3_finalize(st);
	return n < 0 ? -1 : 0;
}

int cmd_hosts(struct query_ctx *q)
{
	return run_fixed(q,
		"SELECT h.name AS host, min(c.first_time) AS first_time, max(c.last_time) AS last_time,"
		" sum(c.records) AS records, (SELECT count(*) FROM process p WHERE p.host_id = h.host_id) AS processes,"
		" (SELECT count(*) FROM service_event s WHERE s.host_id = h.host_id) AS service_events,"
		" group_concat(c.channel, ', ') AS channels"
		" FROM host h LEFT JOIN coverage c USING (host_id)"
		" WHERE " HOST_FILTER("h.name")
		" GROUP BY h.host_id ORDER BY h.name COLLATE NOCASE LIMIT ?7");
}

int cmd_accounts(struct query_ctx *q)
{
	return run_fixed(q,
		"SELECT p.account, p.sid, count(*) AS processes, count(DISTINCT p.host_id) AS hosts,"
		" min(p.time) AS first_time, max(p.time) AS last_time,"
		" (SELECT count(*) FROM service_action a JOIN process x USING (process_id)"
		"   WHERE x.account = p.account AND a.role <> 'relay') AS service_actions"
		" FROM process p JOIN host h USING (host_id)"
		" WHERE p.account IS NOT NULL AND " HOST_FILTER("h.name")
		" AND (?2 IS NULL OR p.account = ?2 COLLATE NOCASE OR p.sid = ?2"
		"      OR substr(p.account, instr(p.account, '\\') + 1) = ?2 COLLATE NOCASE)"
		" GROUP BY p.account COLLATE NOCASE, p.sid ORDER BY processes DESC LIMIT ?7");
}

int cmd_coverage(struct query_ctx *q)
{
	return run_fixed(q,
		"SELECT h.name AS host, c.channel, c.first_time, c.last_time, c.records, c.n_4688 AS process_4688,"
		" c.n_4688_cmdline AS with_command_line, c.n_sysmon1 AS process_sysmon1, c.n_service AS service_events,"
		" trim(CASE WHEN c.n_4688 > 0 AND c.n_4688_cmdline = 0 THEN"
		"   '4688 without command lines: command-line auditing is off, command detection is blind; ' ELSE '' END"
		" || CASE WHEN NOT EXISTS (SELECT 1 FROM coverage s WHERE s.host_id = c.host_id AND s.channel = 'System')"
		"   THEN 'host has no System log: service stops cannot be confirmed' ELSE '' END, '; ') AS warning"
		" FROM coverage c JOIN host h USING (host_id)"
		" WHERE " HOST_FILTER("h.name")
		" ORDER BY h.name COLLATE NOCASE, c.channel LIMIT ?7");
}

int cmd_processes(struct query_ctx *q)
{
	return run_fixed(q,
		"SELECT p.time, h.name AS host, p.account, p.sid, p.logon_id, p.source, p.pid, p.ppid, p.image,"
		" p.parent_image, p.command_line, p.integrity, p.elevation, f.path AS evidence_path, p.record_number,"
		" p.record_id"
		" FROM process p JOIN host h USING (host_id) JOIN evidence_file f USING (file_id)"
		" WHERE " HOST_FILTER("h.name")
		" AND (?2 IS NULL OR p.account = ?2 COLLATE NOCASE OR p.sid = ?2"
		"      OR substr(p.account, instr(p.account, '\\') + 1) = ?2 COLLATE NOCASE)"
		" AND (?3 IS NULL OR p.time >= ?3) AND (?4 IS NULL OR p.time <= ?4)"
		" AND (?5 IS NULL OR p.image LIKE ?5 ESCAPE '!')"
		" AND (?6 IS NULL OR p.command_line LIKE ?6 ESCAPE '!')"
		" ORDER BY p.time, h.name, p.record_id LIMIT ?7");
}
