/* test_store.c: deduplication of records met in several files, sightings, skips,
 * per-file counts and coverage, on a real (temporary) case database. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "store.h"

static sqlite3 *db;

static int64_t count(const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static const struct evtx_field fields[] = {
	{ "SubjectUserSid", "S-1-5-21-1" }, { "SubjectUserName", "alice" }, { "SubjectDomainName", "QAX" },
	{ "SubjectLogonId", "0x10" }, { "NewProcessId", "0x20" }, { "NewProcessName", "C:\\w.exe" },
	{ "ProcessId", "0x4" }, { "CommandLine", "whoami" },
};

static struct evtx_event process_event(uint64_t record_id, uint64_t time, uint64_t number)
{
	struct evtx_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.provider = "Microsoft-Windows-Security-Auditing";
	ev.channel = "Security";
	ev.computer = "WS01";
	ev.user_sid = ev.binary = "";
	ev.event_id = 4688;
	ev.version = 1;
	ev.event_record_id = record_id;
	ev.time_created = time;
	ev.record_number = number;
	ev.chunk = 0;
	ev.fields = fields;
	ev.n_fields = sizeof(fields) / sizeof(fields[0]);
	return ev;
}

static int64_t add_file(struct store *s, const char *sha, const char *path, const struct evtx_event *evs, size_t n,
			uint64_t *dups)
{
	struct store_file_meta m = { sha, 100, path, "test" };
	struct store_file_counts c;
	struct evtx_file_info info;
	int64_t id = 0;
	memset(&c, 0, sizeof(c));
	memset(&info, 0, sizeof(info));
	CHECK_INT(store_file_begin(s, &m, &id), 0);
	for (size_t i = 0; i < n; i++) {
		struct norm nm;
		int dup = 0;
		normalize_event(&evs[i], &nm);
		CHECK_INT(store_event(s, id, &evs[i], &nm, 1, &dup), 0);
		c.n_duplicates += (uint64_t)dup;
		c.records++;
	}
	*dups = c.n_duplicates;
	CHECK_INT(store_file_commit(s, id, &c, &info, "complete", NULL), 0);
	return id;
}

int main(void)
{
	char path[] = "/tmp/test_store_XXXXXX";
	int fd = mkstemp(path);
	struct store *s = NULL;
	uint64_t dups;
	int64_t known, skipped;

	close(fd);
	unlink(path);
	CHECK_INT(db_open_write("test", path, &db, NULL), 0);
	CHECK_INT(store_open(db, &s), 0);

	/* First file: two records. */
	struct evtx_event a[] = { process_event(100, 1000, 1), process_event(101, 2000, 2) };
	int64_t f1 = add_file(s, "aa", "one/Security.evtx", a, 2, &dups);
	CHECK_INT(dups, 0);
	CHECK_INT(count("SELECT count(*) FROM process"), 2);

	/* A re-collection holding record 101 again (other record number) and a new one. */
	struct evtx_event b[] = { process_event(101, 2000, 7), process_event(102, 3000, 8) };
	int64_t f2 = add_file(s, "bb", "two/Security.evtx", b, 2, &dups);
	CHECK_INT(dups, 1);
	CHECK_INT(count("SELECT count(*) FROM process"), 3);
	CHECK_INT(count("SELECT count(*) FROM sighting"), 1);
	CHECK_INT(count("SELECT file_id FROM process WHERE record_id = 101"), f1);
	CHECK_INT(count("SELECT file_id FROM sighting"), f2);
	CHECK_INT(count("SELECT record_number FROM sighting"), 7);

	/* Same record id at another time is another record (ids restart after a log clear). */
	struct evtx_event c[] = { process_event(100, 9000, 1) };
	add_file(s, "cc", "three/Security.evtx", c, 1, &dups);
	CHECK_INT(dups, 0);
	CHECK_INT(count("SELECT count(*) FROM process"), 4);

	/* A recovered copy of a stored record adds nothing but a sighting. */
	struct evtx_event d[] = { process_event(102, 3000, 40) };
	d[0].recovered = 1;
	add_file(s, "dd", "four/Security.evtx", d, 1, &dups);
	CHECK_INT(dups, 1);
	CHECK_INT(count("SELECT count(*) FROM process"), 4);

	/* Lookup by content: known, and the new path is kept. */
	CHECK_INT(store_lookup_file(s, "aa", "copy/Security.evtx", &known, &skipped), 0);
	CHECK_INT(known, f1);
	CHECK_INT(count("SELECT count(*) FROM evidence_path WHERE file_id = 1"), 2);
	CHECK_INT(store_lookup_file(s, "zz", "x", &known, &skipped), 0);
	CHECK_INT(known, 0);

	/* Coverage sums what each file read; the account map learned the SID. */
	CHECK_INT(count("SELECT records FROM coverage"), 6);
	CHECK_INT(count("SELECT n_4688_cmdline FROM coverage"), 6);
	CHECK_INT(count("SELECT first_time FROM coverage"), 1000);
	CHECK_INT(count("SELECT last_time FROM coverage"), 9000);
	CHECK_INT(count("SELECT count(*) FROM account WHERE sid = 'S-1-5-21-1' AND name = 'QAX\\alice'"), 1);

	/* A rolled-back file leaves nothing behind. */
	struct store_file_meta m = { "ee", 1, "five", "test" };
	int64_t id;
	CHECK_INT(store_file_begin(s, &m, &id), 0);
	struct evtx_skip sk = { 3, 0, 1, 0, "bad chunk crc32" };
	CHECK_INT(store_skip(s, id, &sk), 0);
	store_file_rollback(s);
	CHECK_INT(count("SELECT count(*) FROM evidence_file WHERE sha256 = 'ee'"), 0);
	CHECK_INT(count("SELECT count(*) FROM skipped_record"), 0);

	store_close(s);
	sqlite3_close(db);
	unlink(path);
	return check_exit();
}
