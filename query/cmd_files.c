/* cmd_files.c: evtx-query CASE files — one row per evidence path with what it gave. */
#include "commands.h"

int cmd_files(struct query_ctx *q)
{
	static const char sql[] =
		"SELECT path, sha256, records, process_4688, process_sysmon1, service_7036, service_7040, "
		"service_7045, service_4697, skipped, recovered, status, size, decoder, "
		"(SELECT group_concat(reason || ' x' || n, '; ') FROM (SELECT reason, sum(n_records) AS n "
		"  FROM skipped_record s WHERE s.file_id = files_v.file_id GROUP BY reason ORDER BY reason)) "
		"  AS skip_reasons, error, chunks_bad_crc "
		"FROM files_v "
		"UNION ALL SELECT path, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'rejected', "
		"  NULL, NULL, NULL, reason, NULL FROM rejected_path WHERE reason NOT LIKE 'ignored:%' "
		"ORDER BY path";
	sqlite3_stmt *st;
	long n;
	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return report_prepare_failed(q->db);
	n = report_run(q->db, st, &q->ro);
	sqlite3_finalize(st);
	return n < 0 ? -1 : 0;
}
