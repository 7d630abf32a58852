/* cmd_t1489.c: evtx-query CASE t1489 and timeline — MITRE ATT&CK T1489 (Service Stop).
 *
 * Evidence, in one SQL statement over the case:
 *   - service actions derived from command lines (service_action): one detection per
 *     action; a cmd/PowerShell launcher is reported only when its child's record is
 *     missing, a net1.exe relay never (its net.exe parent is the detection);
 *   - the Service Control Manager's echo of each action on the target host: the
 *     7036 "stopped" or the 7040 "disabled" for the same service within --window;
 *   - 7040 changes to disabled that no command explains (actor from the record SID);
 *   - 7036 stops of critical services that no command explains (API stops).
 * Levels: what was stopped (critical services list) and how many services or hosts
 * one account touched within PATTERN_WINDOW. */
#include <string.h>

#include "commands.h"

#define TICKS_PER_SEC 10000000LL
#define PATTERN_WINDOW 18000000000
/* An echo may be logged slightly before the command's own record. */
#define ECHO_LEAD 20000000
/* Dependents stop within seconds of the service they depend on. */
#define DEPENDENT_WINDOW 150000000
/* How far apart 4688 and Sysmon 1 may time one process creation (100 ns ticks). */
#define SENSOR_SKEW 20000000
/* Stops this close to a shutdown, or to the service's own start, are routine. */
#define CONTEXT_WINDOW 6000000000
/* A stop that recurs at the same time of day (within RECUR_SLACK) on other days
 * (within RECUR_RANGE) with no command is a scheduled job, such as a nightly backup. */
#define DAY 864000000000
#define RECUR_SLACK 36000000000
#define RECUR_RANGE 6048000000000
/* How many services, or target hosts, one account stops in PATTERN_WINDOW to be a pattern. */
#define PATTERN_SERVICES 3
/* Stops with no command and no account (API stops): ransomware stops dozens at once. */
#define PATTERN_API_SERVICES 5
#define PATTERN_HOSTS 3
/* The exact count in peers is skipped for hits with fewer than PATTERN_SERVICES near. */
_Static_assert(PATTERN_HOSTS >= PATTERN_SERVICES && PATTERN_API_SERVICES >= PATTERN_SERVICES,
	       "a pattern needs at least PATTERN_SERVICES hits");

#define XSTR(x) #x
#define STR(x) XSTR(x)

/* 7036 state and 7040 start type as Windows writes them, in the languages seen. */
#define STOPPED(e) "(" e ".state_code = 1 OR lower(" e ".state) IN ('stopped', '已停止', '停止', 'arrêté', " \
	"'beendet', 'detenido', 'interrotto', 'parado', 'gestopt', 'остановлена', 'zatrzymana'))"
#define RUNNING(e) "(" e ".state_code = 4 OR lower(" e ".state) IN ('running', '正在运行', '运行', " \
	"'en cours d''exécution', 'wird ausgeführt', 'en ejecución', 'in esecuzione', 'em execução', " \
	"'wordt uitgevoerd', 'выполняется', 'uruchomiona'))"
#define DISABLED(e) "lower(" e ".new_start_type) IN ('disabled', '已禁用', '禁用', 'désactivé', 'deaktiviert', " \
	"'deshabilitado', 'disabilitato', 'desabilitado', 'uitgeschakeld', 'отключена', 'wyłączony', '無効')"
/* Does service event e concern the service a command named (s may hold * wildcards)? */
#define SAME_SERVICE(e, s) "(CASE WHEN instr(" s ", '*') > 0 " \
	"THEN lower(" e ".service_name) GLOB lower(" s ") OR lower(" e ".display_name) GLOB lower(" s ") " \
	"ELSE " e ".service_name = " s " COLLATE NOCASE OR " e ".display_name = " s " COLLATE NOCASE END)"
/* The same process creation recorded by two sensors (4688 and Sysmon 1). */
#define SAME_PROCESS(a, b) a ".host_id = " b ".host_id AND " a ".pid = " b ".pid AND " a ".time BETWEEN " \
	b ".time - " STR(SENSOR_SKEW) " AND " b ".time + " STR(SENSOR_SKEW) " AND " a ".verb = " b ".verb AND " \
	a ".service = " b ".service COLLATE NOCASE"
#define LEVEL_RANK(l) "(CASE " l " WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 " \
	"WHEN 'critical' THEN 4 ELSE 0 END)"

/* Parameters: ?1 echo window, ?2 host, ?3 account, ?4 since, ?5 until, ?6 minimum
 * level rank, ?7 include every 7036 stop (timeline --all). */
static const char t1489_cte[] =
	"WITH act AS ("
	"  SELECT a.action_id, a.role, a.rule, a.tool, a.verb, a.service, a.remote_host, a.why,"
	"         p.process_id, p.host_id, h.name AS host, p.time, p.account, p.sid, p.command_line,"
	"         p.parent_image, p.pid, p.ppid, p.file_id, p.record_number, p.record_id, p.source,"
	"         CASE WHEN a.remote_host <> '' THEN a.remote_host ELSE h.name END AS target,"
	"         CASE WHEN a.remote_host <> '' THEN host_key(a.remote_host) ELSE h.host_key END AS target_key"
	"  FROM service_action a JOIN process p USING (process_id) JOIN host h USING (host_id)),"
	/* One detection per action: drop relays, launchers whose child was recorded, and
	 * the Sysmon copy of a process that Security 4688 also recorded. */
	"cmd AS ("
	"  SELECT x.*, (SELECT printf('sysmon1 record %d', y.record_id) FROM act y WHERE x.source = '4688'"
	"      AND y.source = 'sysmon1' AND " SAME_PROCESS("y", "x") ") AS other_evidence"
	"  FROM act x WHERE (x.role = 'direct' OR (x.role = 'launcher' AND NOT EXISTS ("
	"    SELECT 1 FROM act c WHERE c.role <> 'launcher' AND c.host_id = x.host_id AND c.ppid = x.pid"
	"      AND c.source = x.source AND c.time BETWEEN x.time AND x.time + ?1 AND c.verb = x.verb"
	"      AND c.service = x.service COLLATE NOCASE)))"
	"    AND NOT (x.source = 'sysmon1' AND EXISTS (SELECT 1 FROM act y WHERE y.source = '4688'"
	"      AND " SAME_PROCESS("y", "x") "))),"
	/* The SCM's echo of each command on the target host. */
	"echoed AS ("
	"  SELECT x.*, (SELECT e.service_event_id FROM service_event e JOIN host eh ON eh.host_id = e.host_id"
	"    WHERE e.time BETWEEN x.time - " STR(ECHO_LEAD) " AND x.time + ?1 AND eh.host_key = x.target_key"
	"      AND ((x.verb IN ('stop', 'delete') AND e.event_id = 7036 AND " STOPPED("e") ")"
	"        OR (x.verb = 'disable' AND e.event_id = 7040 AND " DISABLED("e") "))"
	"      AND " SAME_SERVICE("e", "x.service") " ORDER BY e.time LIMIT 1) AS echo_id"
	"  FROM cmd x),"
	/* Other services that stopped on the target right after a stop command: its dependents
	 * (net stop X /y), counted as its doing rather than as stops with no command. */
	"dependents AS MATERIALIZED ("
	"  SELECT x.action_id, e.service_event_id, COALESCE(e.service_name, e.display_name) AS service,"
	"    e.record_id"
	"  FROM echoed x JOIN service_event e ON e.time BETWEEN x.time AND x.time + " STR(DEPENDENT_WINDOW)
	"    AND e.event_id = 7036"
	"    JOIN host eh ON eh.host_id = e.host_id"
	"  WHERE x.verb = 'stop' AND eh.host_key = x.target_key AND " STOPPED("e")
	"    AND e.service_event_id IS NOT x.echo_id AND NOT " SAME_SERVICE("e", "x.service")
	"    AND NOT EXISTS (SELECT 1 FROM act c WHERE c.action_id <> x.action_id"
	"      AND c.time BETWEEN e.time - ?1 AND e.time + " STR(ECHO_LEAD) " AND same_host(eh.name, c.target)"
	"      AND " SAME_SERVICE("e", "c.service") ")),"
	"cmd_rows AS ("
	"  SELECT x.time, x.target AS host, x.host AS origin_host, x.account, x.sid, x.rule,"
	"    (SELECT CASE WHEN " LEVEL_RANK("lv") " >= " LEVEL_RANK("cl") " THEN lv ELSE cl END FROM (SELECT"
	"       CASE WHEN x.verb IN ('disable', 'delete') THEN 'high' ELSE 'medium' END AS lv,"
	"       critical_level(x.service, NULL) AS cl)) AS base_level,"
	"    x.tool, x.verb, x.service, x.remote_host, x.why, x.command_line, x.parent_image, x.pid,"
	"    x.file_id, x.record_number, x.record_id, x.echo_id, 'process' AS evidence_kind, x.other_evidence,"
	"    (SELECT group_concat(printf('%s (record %d)', d.service, d.record_id), '; ') FROM dependents d"
	"      WHERE d.action_id = x.action_id) AS also_stopped"
	"  FROM echoed x),"
	/* SCM events that no command explains, with their context: a stop in the minutes
	 * around a shutdown is the system going down; a stop soon after the same service
	 * started is an on-demand service going idle. */
	/* Critical services, decided once per distinct service rather than per event. */
	"crit AS MATERIALIZED ("
	"  SELECT service_id, critical_level(NULLIF(service_name, ''), NULLIF(display_name, '')) AS level"
	"  FROM service WHERE critical_level(NULLIF(service_name, ''), NULLIF(display_name, '')) IS NOT NULL),"
	/* The SCM events that may need explaining, each found through an index: 7040 by
	 * event id, 7036 of critical services by service, every 7036 only with ?7. */
	"candidates AS ("
	"  SELECT e.*, (SELECT c.level FROM crit c WHERE c.service_id = e.service_id) AS crit"
	"    FROM service_event e WHERE e.event_id = 7040 AND " DISABLED("e")
	"  UNION ALL SELECT e.*, c.level AS crit FROM crit c JOIN service_event e ON e.service_id = c.service_id"
	"    WHERE NOT ?7 AND e.event_id = 7036 AND " STOPPED("e")
	"  UNION ALL SELECT e.*, (SELECT c.level FROM crit c WHERE c.service_id = e.service_id) AS crit"
	"    FROM service_event e WHERE ?7 AND e.event_id = 7036 AND " STOPPED("e") "),"
	"scm AS ("
	"  SELECT e.*, h.name AS host,"
	"    e.event_id = 7036 AND EXISTS (SELECT 1 FROM host_event he WHERE he.host_id = e.host_id AND"
	"      ((he.kind IN ('shutdown', 'unexpected_shutdown') AND he.time BETWEEN e.time AND e.time + "
	STR(CONTEXT_WINDOW) ")"
	"       OR (he.kind = 'shutdown_request' AND he.time BETWEEN e.time - " STR(CONTEXT_WINDOW) " AND e.time)))"
	"      AS at_shutdown,"
	"    e.event_id = 7036 AND EXISTS (SELECT 1 FROM service_event r WHERE r.host_id = e.host_id"
	"      AND r.event_id = 7036 AND r.time BETWEEN e.time - " STR(CONTEXT_WINDOW) " AND e.time"
	"      AND r.service_event_id <> e.service_event_id AND " RUNNING("r")
	"      AND (r.service_name = e.service_name OR r.display_name = e.display_name)) AS after_start,"
	"    e.event_id = 7036 AND EXISTS (SELECT 1 FROM service_event r WHERE r.host_id = e.host_id"
	"      AND r.time BETWEEN e.time - " STR(RECUR_RANGE) " AND e.time + " STR(RECUR_RANGE)
	"      AND r.event_id = 7036 AND abs(r.time - e.time) > " STR(DAY) " / 2"
	"      AND ((r.time - e.time) % " STR(DAY) " + " STR(DAY) ") % " STR(DAY) " NOT BETWEEN "
	STR(RECUR_SLACK) " AND " STR(DAY) " - " STR(RECUR_SLACK)
	"      AND " STOPPED("r") " AND (r.service_name = e.service_name OR r.display_name = e.display_name))"
	"      AS recurring"
	"  FROM candidates e JOIN host h USING (host_id)"
	"  WHERE e.service_event_id NOT IN (SELECT echo_id FROM echoed WHERE echo_id IS NOT NULL)"
	"    AND e.service_event_id NOT IN (SELECT service_event_id FROM dependents)"
	"    AND NOT EXISTS (SELECT 1 FROM act c WHERE c.time BETWEEN e.time - ?1 AND e.time + " STR(ECHO_LEAD)
	"      AND c.target_key = h.host_key AND " SAME_SERVICE("e", "c.service") ")),"
	"scm_rows AS ("
	"  SELECT e.time, e.host, e.host AS origin_host,"
	"    COALESCE(e.account, (SELECT a.name FROM account a WHERE a.sid = e.sid)) AS account, e.sid,"
	"    CASE WHEN e.event_id = 7040 THEN 'scm_disabled' WHEN e.at_shutdown THEN 'scm_stop_at_shutdown'"
	"      WHEN e.crit IS NOT NULL THEN 'scm_stop_no_command' ELSE 'scm_stop' END AS rule,"
	"    CASE WHEN e.event_id = 7040 THEN CASE WHEN e.crit IS NOT NULL THEN 'critical' ELSE 'high' END"
	"      WHEN e.at_shutdown OR e.after_start OR e.recurring OR e.crit IS NULL THEN 'low'"
	"      WHEN e.crit = 'critical' THEN 'high' ELSE 'medium' END AS base_level,"
	"    'scm' AS tool, CASE WHEN e.event_id = 7040 THEN 'disable' ELSE 'stop' END AS verb,"
	"    COALESCE(e.service_name, e.display_name) AS service, '' AS remote_host,"
	"    printf('%d %s: %s%s', e.event_id, COALESCE(e.display_name, e.service_name),"
	"      COALESCE(e.state, e.old_start_type || ' -> ' || e.new_start_type),"
	"      CASE WHEN e.at_shutdown THEN ' (during a shutdown)'"
	"        WHEN e.after_start THEN ' (minutes after it started: on-demand service going idle?)'"
	"        WHEN e.recurring THEN ' (also stopped at this time of day on other days: a scheduled job?)'"
	"        ELSE '' END)"
	"      AS why,"
	"    NULL AS command_line, NULL AS parent_image, NULL AS pid, e.file_id, e.record_number, e.record_id,"
	"    NULL AS echo_id, 'service' AS evidence_kind, NULL AS other_evidence, NULL AS also_stopped"
	"  FROM scm e"
	"  WHERE e.event_id = 7040 OR ?7 OR NOT e.at_shutdown),"
	"keyed AS (SELECT h.*, row_number() OVER () AS hit_id, lower(h.account) AS account_key,"
	"    host_key(h.host) AS host_key"
	"  FROM (SELECT * FROM cmd_rows UNION ALL SELECT * FROM scm_rows) h),"
	/* How many hits the same account (or, with no account, the same host) has in the
	 * window: a cheap bound that spares the exact count below for most hits. */
	"hits AS MATERIALIZED (SELECT k.*, CASE WHEN k.rule IN ('scm_stop', 'scm_stop_at_shutdown') THEN 0 ELSE"
	"    count(*) OVER (PARTITION BY k.rule IN ('scm_stop', 'scm_stop_at_shutdown'), k.account_key,"
	"      CASE WHEN k.account_key IS NULL THEN k.host_key END ORDER BY k.time"
	"      RANGE BETWEEN " STR(PATTERN_WINDOW) " PRECEDING AND " STR(PATTERN_WINDOW) " FOLLOWING) END AS n_near"
	"  FROM keyed k),"
	/* The ransomware pattern: one account, many services or many hosts, in a short window.
	 * Stops with no account (API stops) count per host. A join on the plain key columns
	 * lets SQLite index the materialized hits. */
	"peers AS ("
	"  SELECT y.hit_id, count(DISTINCT lower(z.service)) AS n_services,"
	"    count(DISTINCT z.host_key) AS n_hosts"
	"  FROM hits y JOIN hits z ON z.account_key IS y.account_key"
	"    AND (y.account_key IS NOT NULL OR z.host_key = y.host_key)"
	"    AND z.time BETWEEN y.time - " STR(PATTERN_WINDOW) " AND y.time + " STR(PATTERN_WINDOW)
	"  WHERE y.n_near >= " STR(PATTERN_SERVICES) " AND z.n_near > 0"
	"  GROUP BY y.hit_id),"
	"scored AS ("
	"  SELECT y.*, COALESCE(p.n_services, 1) AS n_services, COALESCE(p.n_hosts, 1) AS n_hosts"
	"  FROM hits y LEFT JOIN peers p USING (hit_id)),"
	"patterned AS ("
	"  SELECT s.*, s.base_level <> 'low' AND (s.n_hosts >= " STR(PATTERN_HOSTS) " OR s.n_services >= CASE"
	"    WHEN s.account IS NULL THEN " STR(PATTERN_API_SERVICES) " ELSE " STR(PATTERN_SERVICES) " END)"
	"    AS is_pattern"
	"  FROM scored s),"
	"final AS ("
	"  SELECT s.*, CASE WHEN s.is_pattern THEN 'critical' ELSE s.base_level END AS level,"
	"    CASE WHEN s.is_pattern THEN printf('%d services on %d hosts by %s within 30 min', s.n_services,"
	"      s.n_hosts, COALESCE(s.account, 'an unknown account')) END AS pattern,"
	"    (SELECT printf('%d %s on %s %+.1fs (record %d)', e.event_id,"
	"       COALESCE(e.state, e.old_start_type || ' -> ' || e.new_start_type), eh.name,"
	"       (e.time - s.time) / 1e7, e.record_id)"
	"     FROM service_event e JOIN host eh ON eh.host_id = e.host_id WHERE e.service_event_id = s.echo_id)"
	"      AS echo,"
	"    f.path AS evidence_path"
	"  FROM patterned s JOIN evidence_file f USING (file_id)"
	"  WHERE (?2 IS NULL OR same_host(s.host, ?2) OR same_host(s.origin_host, ?2))"
	"    AND (?3 IS NULL OR s.account = ?3 COLLATE NOCASE OR s.sid = ?3 COLLATE NOCASE"
	"         OR substr(s.account, instr(s.account, '\\') + 1) = ?3 COLLATE NOCASE)"
	"    AND (?4 IS NULL OR s.time >= ?4) AND (?5 IS NULL OR s.time <= ?5))"
	"SELECT ";

/* The tails below are fixed SQL text, put together from constants, never from input. */
static const char t1489_columns[] =
	"time, host, account, sid, rule, level, tool, verb, service, remote_host AS target, origin_host, why,"
	" command_line, parent_image, pid, evidence_path, record_number, record_id, echo, also_stopped,"
	" other_evidence, pattern";
/* On a terminal, the columns an analyst reads first (--wide for all of them). */
static const char t1489_brief[] = "time, host, account, rule, level, verb, service, why, echo, pattern";
static const char t1489_explain[] =
	", CASE WHEN command_line IS NULL THEN 'n/a (no command line)'"
	" WHEN textbook_t1489(command_line) THEN 'caught' ELSE 'missed' END AS textbook_rule";
static const char t1489_tail[] =
	" FROM final WHERE " LEVEL_RANK("level") " >= ?6 AND rule NOT IN ('scm_stop', 'scm_stop_at_shutdown')"
	" ORDER BY time, host, record_id";

static const char timeline_by_host[] = "host, time, COALESCE(account, '(unknown)') AS account";
static const char timeline_by_account[] = "COALESCE(account, '(unknown)') AS account, time, host";
static const char timeline_brief[] =
	", verb, service, rule, level,"
	" CASE WHEN evidence_kind = 'process' THEN COALESCE('SCM: ' || echo, 'no SCM echo found within the window')"
	"   || COALESCE('; also stopped: ' || also_stopped, '')"
	"   WHEN account IS NULL THEN 'no command found: account unknown'"
	"   ELSE 'no command found' END AS correlated"
	" FROM final WHERE " LEVEL_RANK("level") " >= ?6";
static const char timeline_columns[] =
	", verb, service, tool, rule, level,"
	" CASE WHEN evidence_kind = 'process' THEN COALESCE('SCM: ' || echo, 'no SCM echo found within the window')"
	"   || COALESCE('; also stopped: ' || also_stopped, '')"
	"   WHEN account IS NULL THEN 'no command found: account unknown'"
	"   ELSE 'no command found' END AS correlated,"
	" origin_host, command_line, pattern, evidence_path, record_number"
	" FROM final WHERE " LEVEL_RANK("level") " >= ?6";
static const char timeline_order_host[] = " ORDER BY host COLLATE NOCASE, time, record_id";
static const char timeline_order_account[] = " ORDER BY account IS NULL, account COLLATE NOCASE, time, record_id";

static int level_rank(const char *level)
{
	static const char *const levels[] = { "low", "medium", "high", "critical" };
	for (int i = 0; level && i < 4; i++)
		if (!strcmp(level, levels[i]))
			return i + 1;
	return 0;
}

static void bind_common(sqlite3_stmt *st, const struct query_ctx *q, int include_all)
{
	sqlite3_bind_int64(st, 1, (sqlite3_int64)q->window_sec * TICKS_PER_SEC);
	if (q->f.host)
		sqlite3_bind_text(st, 2, q->f.host, -1, SQLITE_STATIC);
	if (q->f.account)
		sqlite3_bind_text(st, 3, q->f.account, -1, SQLITE_STATIC);
	if (q->f.since)
		sqlite3_bind_int64(st, 4, (sqlite3_int64)q->f.since);
	if (q->f.until)
		sqlite3_bind_int64(st, 5, (sqlite3_int64)q->f.until);
	sqlite3_bind_int(st, 6, level_rank(q->f.level));
	sqlite3_bind_int(st, 7, include_all);
}

/* Runs the CTE followed by the NULL-terminated list of fixed SQL fragments. */
static int run(struct query_ctx *q, const char *const *tail, int include_all)
{
	sqlite3_stmt *st;
	sqlite3_str *sql = sqlite3_str_new(q->db);
	long n;

	sqlite3_str_appendall(sql, t1489_cte);
	for (; *tail; tail++)
		sqlite3_str_appendall(sql, *tail);
	if (q->f.limit > 0)
		sqlite3_str_appendf(sql, " LIMIT %ld", q->f.limit);
	char *text = sqlite3_str_finish(sql);
	if (!text)
		return report_prepare_failed(q->db);
	int rc = sqlite3_prepare_v2(q->db, text, -1, &st, NULL);
	sqlite3_free(text);
	if (rc != SQLITE_OK)
		return report_prepare_failed(q->db);
	bind_common(st, q, include_all);
	n = report_run(q->db, st, &q->ro);
	sqlite3_finalize(st);
	return n < 0 ? -1 : 0;
}

int cmd_t1489(struct query_ctx *q)
{
	int brief = q->ro.format == OUTPUT_TABLE && !q->wide;
	const char *const tail[] = { brief ? t1489_brief : t1489_columns, q->explain ? t1489_explain : "",
				     t1489_tail, NULL };
	return run(q, tail, 0);
}

int cmd_timeline(struct query_ctx *q)
{
	int by_account = !strcmp(q->by, "account");
	const char *const tail[] = {
		by_account ? timeline_by_account : timeline_by_host,
		q->ro.format == OUTPUT_TABLE && !q->wide ? timeline_brief : timeline_columns,
		by_account ? timeline_order_account : timeline_order_host, NULL,
	};
	return run(q, tail, q->all);
}
