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
/* Action k (action_context k, service_action ka) is the same process creation as action
 * c (c, a) recorded by another sensor (4688 and Sysmon 1). */
#define SAME_PROCESS "k.host_id = c.host_id AND k.pid = c.pid AND k.time BETWEEN c.time - " STR(SENSOR_SKEW) \
	" AND c.time + " STR(SENSOR_SKEW) " AND ka.verb = a.verb AND ka.service = a.service COLLATE NOCASE"
#define LEVEL_RANK(l) "(CASE " l " WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 " \
	"WHEN 'critical' THEN 4 ELSE 0 END)"

/* The SCM echo of command hit s among the events e on its target host that HOSTS
 * selects: the first in time of the same service that says it was done. */
#define ECHO(HOSTS, HOST_NAME) "(SELECT printf('%d %s on %s %+.1fs (record %d)', e.event_id," \
	" COALESCE(e.state, e.old_start_type || ' -> ' || e.new_start_type), " HOST_NAME ", (e.time - s.time) / 1e7," \
	" e.record_id) FROM " HOSTS " AND e.time BETWEEN s.time - " STR(ECHO_LEAD) " AND s.time + ?1" \
	" AND ((s.verb IN ('stop', 'delete') AND e.event_id = 7036 AND " STOPPED("e") ")" \
	"   OR (s.verb = 'disable' AND e.event_id = 7040 AND " DISABLED("e") "))" \
	" AND " SAME_SERVICE("e", "s.service") " ORDER BY e.time, e.service_event_id LIMIT 1)"
/* The dependents of stop command s (net stop X /y): the other services that stopped on
 * its target host right after it, unless another command names them; by name. */
#define DEPENDENTS(HOSTS, HOST_NAME) "(SELECT group_concat(printf('%s (record %d)', d.service, d.record_id), '; ')" \
	" FROM (SELECT COALESCE(e.service_name, e.display_name) AS service, e.record_id FROM " HOSTS \
	"   AND e.time BETWEEN s.time AND s.time + " STR(DEPENDENT_WINDOW) " AND e.event_id = 7036 AND " STOPPED("e") \
	"   AND NOT " SAME_SERVICE("e", "s.service") \
	"   AND NOT EXISTS (SELECT 1 FROM action_context k INDEXED BY action_context_target" \
	"     JOIN service_action ka ON ka.action_id = k.action_id JOIN host kh ON kh.host_id = k.host_id" \
	"     WHERE k.target_key = s.host_key AND k.time BETWEEN e.time - ?1 AND e.time + " STR(ECHO_LEAD) \
	"     AND k.action_id <> s.action_id" \
	"     AND same_host(" HOST_NAME ", CASE WHEN ka.remote_host <> '' THEN ka.remote_host ELSE kh.name END)" \
	"     AND " SAME_SERVICE("e", "ka.service") ")" \
	"   ORDER BY service, e.record_id, e.time, e.service_event_id) d)"
/* The events of the one host of the target's host key, or of each host of it. */
#define ONE_HOST "service_event e INDEXED BY service_event_host_time WHERE e.host_id = s.target_host"
#define EACH_HOST "host eh JOIN service_event e INDEXED BY service_event_host_time ON e.host_id = eh.host_id" \
	" WHERE eh.host_key = s.host_key"

/* Parameters: ?1 echo window, ?2 host, ?3 account, ?4 since, ?5 until, ?6 minimum
 * level rank, ?7 include every 7036 stop (timeline --all). */
static const char t1489_cte[] =
	/* The host of each host key: its id when it is the only one (then its events are
	 * read in time order from one index range), -1 when there are several. */
	"WITH targets AS MATERIALIZED (SELECT host_key, CASE WHEN min(host_id) = max(host_id) THEN min(host_id)"
	"    ELSE -1 END AS target_host FROM host GROUP BY host_key),"
	/* One detection per action: drop relays, launchers whose child was recorded, and
	 * the Sysmon copy of a process that Security 4688 also recorded. action_context holds
	 * what each action's process row says, and the host key of its target; target_host
	 * is NULL when no host of the case has that key. */
	"cmd AS MATERIALIZED ("
	"  SELECT a.action_id, a.rule, a.verb, a.service, c.time, c.account, c.target_key,"
	"    CASE WHEN a.remote_host <> '' THEN a.remote_host ELSE h.name END AS target, t.target_host"
	"  FROM action_context c CROSS JOIN service_action a ON a.action_id = c.action_id"
	"    CROSS JOIN host h ON h.host_id = c.host_id LEFT JOIN targets t ON t.host_key = c.target_key"
	"  WHERE (a.role = 'direct' OR (a.role = 'launcher' AND NOT EXISTS ("
	"      SELECT 1 FROM action_context k INDEXED BY action_context_parent"
	"      JOIN service_action ka ON ka.action_id = k.action_id"
	"      WHERE k.host_id = c.host_id AND k.ppid = c.pid AND k.source = c.source"
	"        AND k.time BETWEEN c.time AND c.time + ?1 AND ka.role <> 'launcher' AND ka.verb = a.verb"
	"        AND ka.service = a.service COLLATE NOCASE)))"
	"    AND NOT (c.source = 'sysmon1' AND EXISTS (SELECT 1 FROM action_context k INDEXED BY action_context_process"
	"      JOIN service_action ka ON ka.action_id = k.action_id"
	"      WHERE k.source = '4688' AND " SAME_PROCESS "))),"
	/* SCM events that no command explains, with their context: a stop in the minutes
	 * around a shutdown is the system going down; a stop soon after the same service
	 * started is an on-demand service going idle. */
	/* Critical services, decided once per distinct service rather than per event. */
	"crit AS MATERIALIZED ("
	"  SELECT service_id, critical_level(NULLIF(service_name, ''), NULLIF(display_name, '')) AS level"
	"  FROM service WHERE critical_level(NULLIF(service_name, ''), NULLIF(display_name, '')) IS NOT NULL),"
	/* The SCM events that may need explaining, each found through an index whatever the
	 * table statistics say: 7040 by event id, 7036 of critical services by service, every
	 * 7036 only with ?7. */
	"candidates AS ("
	"  SELECT e.*, (SELECT c.level FROM crit c WHERE c.service_id = e.service_id) AS crit"
	"    FROM service_event e INDEXED BY service_event_kind_time WHERE e.event_id = 7040 AND " DISABLED("e")
	"  UNION ALL SELECT e.*, c.level AS crit FROM crit c CROSS JOIN service_event e ON e.service_id = c.service_id"
	"    WHERE NOT ?7 AND e.event_id = 7036 AND " STOPPED("e")
	"  UNION ALL SELECT e.*, (SELECT c.level FROM crit c WHERE c.service_id = e.service_id) AS crit"
	"    FROM service_event e WHERE ?7 AND e.event_id = 7036 AND " STOPPED("e") "),"
	/* An event is explained by any command of the same service on its host within the
	 * window (its echo among them), or is the dependent of a stop command. */
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
	"  WHERE NOT EXISTS (SELECT 1 FROM action_context k INDEXED BY action_context_target"
	"      JOIN service_action ka ON ka.action_id = k.action_id"
	"      WHERE k.target_key = h.host_key AND k.time BETWEEN e.time - ?1 AND e.time + " STR(ECHO_LEAD)
	"        AND " SAME_SERVICE("e", "ka.service") ")"
	"    AND NOT (e.event_id = 7036 AND EXISTS (SELECT 1 FROM action_context k INDEXED BY action_context_target"
	"      JOIN service_action ka ON ka.action_id = k.action_id"
	"      WHERE k.target_key = h.host_key AND k.time BETWEEN e.time - " STR(DEPENDENT_WINDOW) " AND e.time"
	"        AND ka.verb = 'stop' AND NOT " SAME_SERVICE("e", "ka.service")
	"        AND k.action_id IN (SELECT action_id FROM cmd)))),"
	"scm_rows AS ("
	"  SELECT e.service_event_id, e.time, e.host, e.host AS origin_host,"
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
	"    e.file_id, e.record_number, e.record_id"
	"  FROM scm e"
	"  WHERE e.event_id = 7040 OR ?7 OR NOT e.at_shutdown),"
	/* Every hit with the key columns of the pattern count. The level of a command is that
	 * of its verb (medium, or high for disable and delete), raised to the service's level
	 * on the critical list. Routine stops (counted = 0) take no part in patterns. */
	"hits AS MATERIALIZED ("
	"  SELECT x.action_id AS hit_id, x.action_id, NULL AS service_event_id, x.time, x.target AS host,"
	"    x.account, x.rule, CASE critical_level(x.service, NULL) WHEN 'critical' THEN 'critical' WHEN 'high'"
	"      THEN 'high' ELSE CASE WHEN x.verb IN ('disable', 'delete') THEN 'high' ELSE 'medium' END END"
	"      AS base_level,"
	"    x.service, lower(x.account) AS account_key, x.target_key AS host_key, 1 AS counted, x.verb,"
	"    x.target_host"
	"  FROM cmd x"
	"  UNION ALL SELECT -e.service_event_id, NULL, e.service_event_id, e.time, e.host, e.account, e.rule,"
	"    e.base_level, e.service, lower(e.account), host_key(e.host),"
	"    e.rule NOT IN ('scm_stop', 'scm_stop_at_shutdown'), NULL, NULL"
	"  FROM scm_rows e),"
	/* The ransomware pattern: one account, many services or many hosts, in a short window.
	 * Stops with no account (API stops) count per host. crowded() finds the hits with at
	 * least PATTERN_SERVICES hits of their account (or host) in the window, a cheap bound
	 * that spares the exact count below for most hits. */
	"crowd AS ("
	"  SELECT value AS hit_id FROM json_each((SELECT crowded(hit_id, CASE WHEN account_key IS NULL"
	"    THEN 'h' || host_key ELSE 'a' || account_key END, time, " STR(PATTERN_WINDOW) ", " STR(PATTERN_SERVICES) ")"
	"    FROM hits WHERE counted))),"
	"peers AS ("
	"  SELECT y.hit_id, count(DISTINCT lower(z.service)) AS n_services,"
	"    count(DISTINCT z.host_key) AS n_hosts"
	"  FROM hits y JOIN hits z ON z.account_key IS y.account_key"
	"    AND (y.account_key IS NOT NULL OR z.host_key = y.host_key)"
	"    AND z.time BETWEEN y.time - " STR(PATTERN_WINDOW) " AND y.time + " STR(PATTERN_WINDOW)
	"  WHERE y.hit_id IN (SELECT hit_id FROM crowd) AND z.counted"
	"  GROUP BY y.hit_id),"
	"scored AS ("
	"  SELECT y.*, COALESCE(p.n_services, 1) AS n_services, COALESCE(p.n_hosts, 1) AS n_hosts"
	"  FROM hits y LEFT JOIN peers p USING (hit_id)),"
	"patterned AS ("
	"  SELECT s.*, s.base_level <> 'low' AND (s.n_hosts >= " STR(PATTERN_HOSTS) " OR s.n_services >= CASE"
	"    WHEN s.account IS NULL THEN " STR(PATTERN_API_SERVICES) " ELSE " STR(PATTERN_SERVICES) " END)"
	"    AS is_pattern"
	"  FROM scored s),"
	/* The columns of each hit, read by key once the hits are known: a command's from its
	 * action, with its SCM echo, its dependents and the Sysmon copy of its process; an
	 * SCM event's from scm_rows. */
	"final AS (SELECT * FROM ("
	"  SELECT s.time, s.host, COALESCE(oh.name, r.origin_host) AS origin_host, s.account,"
	"    CASE WHEN s.action_id IS NULL THEN r.sid ELSE c.sid END AS sid, s.rule,"
	"    CASE WHEN s.is_pattern THEN 'critical' ELSE s.base_level END AS level,"
	"    COALESCE(a.tool, r.tool) AS tool, COALESCE(a.verb, r.verb) AS verb, COALESCE(a.service, r.service) AS service,"
	"    COALESCE(a.remote_host, r.remote_host) AS remote_host, COALESCE(a.why, r.why) AS why,"
	/* pid has no declared type, as before: the output types it by its first value. */
	"    c.command_line, c.parent_image, +c.pid AS pid, f.path AS evidence_path,"
	"    COALESCE(c.record_number, r.record_number) AS record_number, COALESCE(c.record_id, r.record_id) AS record_id,"
	"    CASE WHEN s.target_host > 0 THEN " ECHO(ONE_HOST, "th.name")
	"      WHEN s.target_host = -1 THEN " ECHO(EACH_HOST, "eh.name") " END AS echo,"
	"    CASE WHEN s.verb <> 'stop' THEN NULL WHEN s.target_host > 0 THEN " DEPENDENTS(ONE_HOST, "th.name")
	"      WHEN s.target_host = -1 THEN " DEPENDENTS(EACH_HOST, "eh.name") " END AS also_stopped,"
	/* Looked for only in a case that has Sysmon actions at all. */
	"    CASE WHEN c.source = '4688' AND EXISTS (SELECT 1 FROM action_context WHERE source = 'sysmon1') THEN"
	"      (SELECT printf('sysmon1 record %d', k.record_id) FROM action_context k INDEXED BY action_context_process"
	"        JOIN service_action ka ON ka.action_id = k.action_id"
	"        WHERE k.source = 'sysmon1' AND " SAME_PROCESS " ORDER BY k.action_id LIMIT 1)"
	"      END AS other_evidence,"
	"    CASE WHEN s.is_pattern THEN printf('%d services on %d hosts by %s within 30 min', s.n_services,"
	"      s.n_hosts, COALESCE(s.account, 'an unknown account')) END AS pattern,"
	"    CASE WHEN s.action_id IS NULL THEN 'service' ELSE 'process' END AS evidence_kind,"
	"    s.action_id, s.service_event_id"
	"  FROM patterned s"
	"    LEFT JOIN service_action a ON a.action_id = s.action_id"
	"    LEFT JOIN action_context c ON c.action_id = s.action_id"
	"    LEFT JOIN host oh ON oh.host_id = c.host_id LEFT JOIN host th ON th.host_id = s.target_host"
	"    LEFT JOIN scm_rows r ON r.service_event_id = s.service_event_id"
	"    JOIN evidence_file f ON f.file_id = COALESCE(c.file_id, r.file_id))"
	"  WHERE (?2 IS NULL OR same_host(host, ?2) OR same_host(origin_host, ?2))"
	"    AND (?3 IS NULL OR account = ?3 COLLATE NOCASE OR sid = ?3 COLLATE NOCASE"
	"         OR substr(account, instr(account, '\\') + 1) = ?3 COLLATE NOCASE)"
	"    AND (?4 IS NULL OR time >= ?4) AND (?5 IS NULL OR time <= ?5))"
	"SELECT ";

/* The tails below are fixed SQL text, put together from constants, never from input.
 * Hits that tie on the sort keys (the actions of one command line) keep the order of
 * their actions. */
#define HIT_ORDER "action_id IS NULL, action_id, service_event_id"
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
	" ORDER BY time, host, record_id, " HIT_ORDER;

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
static const char timeline_order_host[] = " ORDER BY host COLLATE NOCASE, time, record_id, " HIT_ORDER;
static const char timeline_order_account[] =
	" ORDER BY account IS NULL, account COLLATE NOCASE, time, record_id, " HIT_ORDER;

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
