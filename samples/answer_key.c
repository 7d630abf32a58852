/* answer_key.c: files.tsv, process.tsv, service.tsv, t1489.tsv and lookalikes.tsv,
 * read back from the fields of the records as they were written. */
#include "answer_key.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filetime.h"

#define SECURITY_PROVIDER "Microsoft-Windows-Security-Auditing"
#define SCM_PROVIDER "Service Control Manager"
#define SYSMON_PROVIDER "Microsoft-Windows-Sysmon"

/* ---- TSV output ------------------------------------------------------------ */

struct tsv {
	FILE *fp;
	const char *path;
	int cells;	/* cells written on the current line */
	int bad;	/* a value held a tab or newline */
};

static void tsv_cell(struct tsv *t, const char *s)
{
	if (!s)
		s = "";
	if (strpbrk(s, "\t\r\n"))
		t->bad = 1;
	fprintf(t->fp, "%s%s", t->cells++ ? "\t" : "", s);
}

static void tsv_num(struct tsv *t, uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	tsv_cell(t, buf);
}

static void tsv_end(struct tsv *t)
{
	fputc('\n', t->fp);
	t->cells = 0;
}

/* Writes a header line from space-separated column names. */
static void tsv_header(struct tsv *t, const char *columns)
{
	for (const char *p = columns; *p; p++)
		fputc(*p == ' ' ? '\t' : *p, t->fp);
	fputc('\n', t->fp);
}

static int tsv_open(struct sample_case *c, struct tsv *t, const char *dir, const char *name, const char *columns)
{
	const char *path = case_printf(c, "%s/%s", dir, name);
	if (!path)
		return CASE_ENOMEM;
	t->fp = fopen(path, "w");
	t->path = path;
	t->cells = 0;
	t->bad = 0;
	if (!t->fp) {
		c->error_path = path;
		return CASE_EIO;
	}
	tsv_header(t, columns);
	return 0;
}

static int tsv_close(struct sample_case *c, struct tsv *t)
{
	int failed = ferror(t->fp);
	if (fclose(t->fp) != 0)
		failed = 1;
	if (failed) {
		c->error_path = t->path;
		return CASE_EIO;
	}
	return t->bad ? ANSWER_KEY_EVALUE : 0;
}

/* ---- Reading records back ---------------------------------------------------- */

static int is_event(const struct case_event *e, const char *provider, unsigned id)
{
	return e->ev.event_id == id && strcmp(e->ev.provider, provider) == 0;
}

static void tsv_time(struct tsv *t, uint64_t ft)
{
	char buf[40];
	filetime_format_iso(ft, buf, sizeof(buf));
	tsv_cell(t, buf);
}

static const char *text(const struct case_event *e, const char *name)
{
	const char *s = case_field_text(e, name);
	return s ? s : "";
}

static uint64_t number(const struct case_event *e, const char *name)
{
	uint64_t v = 0;
	case_field_number(e, name, &v);
	return v;
}

static const char *join_account(struct sample_case *c, const char *domain, const char *user)
{
	if (!*domain && !*user)
		return "";
	return case_printf(c, "%s\\%s", domain, user);
}

static const char *integrity_from_label(const char *sid)
{
	static const char *const names[][2] = {
		{ "S-1-16-4096", "low" }, { "S-1-16-8192", "medium" },
		{ "S-1-16-12288", "high" }, { "S-1-16-16384", "system" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(sid, names[i][0]) == 0)
			return names[i][1];
	return "";
}

static const char *integrity_from_sysmon(struct sample_case *c, const char *level)
{
	char buf[32];
	size_t i = 0;
	for (; level[i] && i + 1 < sizeof(buf); i++)
		buf[i] = (char)(level[i] >= 'A' && level[i] <= 'Z' ? level[i] + 32 : level[i]);
	buf[i] = '\0';
	return case_str(c, buf);
}

static const char *elevation_name(const char *type)
{
	if (strcmp(type, "%%1936") == 0)
		return "full";
	if (strcmp(type, "%%1937") == 0)
		return "elevated";
	if (strcmp(type, "%%1938") == 0)
		return "limited";
	return "";
}

/* The service key name from a 7036 Binary: UTF-16LE "<key>/<state>" with a NUL. */
static const char *binary_service_key(struct sample_case *c, const struct case_event *e)
{
	char buf[256];
	size_t n = 0;
	const uint8_t *b = e->ev.binary;
	for (size_t i = 0; i + 1 < e->ev.binary_len && n + 1 < sizeof(buf); i += 2) {
		unsigned u = b[i] | (unsigned)b[i + 1] << 8;
		if (u == '/' || u == 0)
			break;
		if (u >= 0x80)
			return "";	/* key names are ASCII */
		buf[n++] = (char)u;
	}
	buf[n] = '\0';
	return case_str(c, buf);
}

/* ---- The five files ---------------------------------------------------------- */

static void files_row(struct sample_case *c, struct tsv *t, int host, enum case_log log)
{
	uint64_t n[6] = { 0 };
	for (size_t i = 0; i < c->n_order[host][log]; i++) {
		const struct case_event *e = c->order[host][log][i];
		n[0] += is_event(e, SECURITY_PROVIDER, 4688);
		n[1] += is_event(e, SYSMON_PROVIDER, 1);
		n[2] += is_event(e, SCM_PROVIDER, 7036);
		n[3] += is_event(e, SCM_PROVIDER, 7040);
		n[4] += is_event(e, SCM_PROVIDER, 7045);
		n[5] += is_event(e, SECURITY_PROVIDER, 4697);
	}
	tsv_cell(t, case_log_path(c, host, log));
	tsv_num(t, c->n_order[host][log]);
	for (int i = 0; i < 6; i++)
		tsv_num(t, n[i]);
	tsv_end(t);
}

static void process_row_4688(struct sample_case *c, struct tsv *t, const struct case_event *e)
{
	tsv_cell(t, "4688");
	tsv_num(t, e->ev.version);
	tsv_num(t, e->ev.record_id);
	tsv_num(t, number(e, "NewProcessId"));
	tsv_num(t, number(e, "ProcessId"));
	tsv_cell(t, text(e, "NewProcessName"));
	tsv_cell(t, text(e, "ParentProcessName"));
	tsv_cell(t, text(e, "CommandLine"));
	tsv_cell(t, join_account(c, text(e, "SubjectDomainName"), text(e, "SubjectUserName")));
	tsv_cell(t, text(e, "SubjectUserSid"));
	tsv_num(t, number(e, "SubjectLogonId"));
	tsv_cell(t, integrity_from_label(text(e, "MandatoryLabel")));
	tsv_cell(t, elevation_name(text(e, "TokenElevationType")));
}

static void process_row_sysmon(struct sample_case *c, struct tsv *t, const struct case_event *e)
{
	tsv_cell(t, "sysmon1");
	tsv_num(t, e->ev.version);
	tsv_num(t, e->ev.record_id);
	tsv_num(t, number(e, "ProcessId"));
	tsv_num(t, number(e, "ParentProcessId"));
	tsv_cell(t, text(e, "Image"));
	tsv_cell(t, text(e, "ParentImage"));
	tsv_cell(t, text(e, "CommandLine"));
	tsv_cell(t, text(e, "User"));
	tsv_cell(t, "");
	tsv_num(t, number(e, "LogonId"));
	tsv_cell(t, integrity_from_sysmon(c, text(e, "IntegrityLevel")));
	tsv_cell(t, "");
}

static void process_rows(struct sample_case *c, struct tsv *t, int host, enum case_log log)
{
	for (size_t i = 0; i < c->n_order[host][log]; i++) {
		const struct case_event *e = c->order[host][log][i];
		int p4688 = is_event(e, SECURITY_PROVIDER, 4688), sysmon = is_event(e, SYSMON_PROVIDER, 1);
		if (!p4688 && !sysmon)
			continue;
		tsv_cell(t, e->ev.computer);
		tsv_time(t, e->ev.time_created);
		if (p4688)
			process_row_4688(c, t, e);
		else
			process_row_sysmon(c, t, e);
		tsv_end(t);
	}
}

/* The columns after host, time_utc, event_id and record_id. */
struct service_cols {
	const char *name, *display, *state, *old_type, *new_type, *image, *run_as, *sid, *account;
};

static int service_cols(struct sample_case *c, const struct case_event *e, struct service_cols *s)
{
	const char *user = e->ev.user_sid ? e->ev.user_sid : "";
	memset(s, 0, sizeof(*s));
	if (is_event(e, SCM_PROVIDER, 7036)) {
		s->name = binary_service_key(c, e);
		s->display = text(e, "param1");
		s->state = text(e, "param2");
	} else if (is_event(e, SCM_PROVIDER, 7040)) {
		s->display = text(e, "param1");
		s->old_type = text(e, "param2");
		s->new_type = text(e, "param3");
		s->name = text(e, "param4");
		s->sid = user;
	} else if (is_event(e, SCM_PROVIDER, 7045)) {
		s->name = text(e, "ServiceName");
		s->image = text(e, "ImagePath");
		s->new_type = text(e, "StartType");
		s->run_as = text(e, "AccountName");
		s->sid = user;
	} else if (is_event(e, SECURITY_PROVIDER, 4697)) {
		s->name = text(e, "ServiceName");
		s->image = text(e, "ServiceFileName");
		s->new_type = case_printf(c, "%" PRIu64, number(e, "ServiceStartType"));
		s->run_as = text(e, "ServiceAccount");
		s->sid = text(e, "SubjectUserSid");
		s->account = join_account(c, text(e, "SubjectDomainName"), text(e, "SubjectUserName"));
	} else {
		return 0;
	}
	return 1;
}

static void service_rows(struct sample_case *c, struct tsv *t, int host, enum case_log log)
{
	for (size_t i = 0; i < c->n_order[host][log]; i++) {
		const struct case_event *e = c->order[host][log][i];
		struct service_cols s;
		if (!service_cols(c, e, &s))
			continue;
		const char *cols[] = { s.name, s.display, s.state, s.old_type, s.new_type, s.image, s.run_as,
				       s.sid, s.account };
		tsv_cell(t, e->ev.computer);
		tsv_time(t, e->ev.time_created);
		tsv_num(t, e->ev.event_id);
		tsv_num(t, e->ev.record_id);
		for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			tsv_cell(t, cols[k]);
		tsv_end(t);
	}
}

static int truth_cmp(const void *a, const void *b)
{
	const struct case_truth *x = a, *y = b;
	if (x->event->ev.time_created != y->event->ev.time_created)
		return x->event->ev.time_created < y->event->ev.time_created ? -1 : 1;
	int host = strcmp(x->event->ev.computer, y->event->ev.computer);
	if (host)
		return host;
	return x->event->ev.record_id < y->event->ev.record_id ? -1 : x->event->ev.record_id > y->event->ev.record_id;
}

static void t1489_rows(struct sample_case *c, struct tsv *t)
{
	qsort(c->truths, c->n_truths, sizeof(*c->truths), truth_cmp);
	for (size_t i = 0; i < c->n_truths; i++) {
		const struct case_truth *r = &c->truths[i];
		const struct case_event *e = r->event;
		int service = e->log == CASE_LOG_SYSTEM;
		tsv_cell(t, e->ev.computer);
		tsv_time(t, e->ev.time_created);
		tsv_num(t, e->ev.record_id);
		tsv_cell(t, service ? "service" : "process");
		tsv_cell(t, r->role);
		tsv_cell(t, r->verb);
		tsv_cell(t, r->tool);
		tsv_cell(t, r->service);
		tsv_cell(t, r->remote_host);
		tsv_cell(t, r->account);
		tsv_cell(t, service ? "" : text(e, "CommandLine"));
		tsv_cell(t, r->echo_of ? r->echo_of->ev.computer : "");
		if (r->echo_of)
			tsv_num(t, r->echo_of->ev.record_id);
		else
			tsv_cell(t, "");
		tsv_end(t);
	}
}

static void lookalike_rows(struct sample_case *c, struct tsv *t)
{
	for (size_t i = 0; i < c->n_lookalikes; i++) {
		const struct case_event *e = c->lookalikes[i];
		tsv_cell(t, e->ev.computer);
		tsv_time(t, e->ev.time_created);
		tsv_num(t, e->ev.record_id);
		tsv_cell(t, text(e, "CommandLine"));
		tsv_end(t);
	}
}

/* Calls rows() for every log of every host, in file order. */
static void for_each_log(struct sample_case *c, struct tsv *t,
			 void (*rows)(struct sample_case *, struct tsv *, int, enum case_log))
{
	for (size_t h = 0; h < c->n_hosts; h++)
		for (int l = 0; l < CASE_N_LOGS; l++)
			if (case_has_log(c, (int)h, (enum case_log)l))
				rows(c, t, (int)h, (enum case_log)l);
}

enum key_file { KEY_FILES, KEY_PROCESS, KEY_SERVICE, KEY_T1489, KEY_LOOKALIKES, N_KEY_FILES };

static const struct {
	const char *name, *columns;
} key_files[N_KEY_FILES] = {
	{ "files.tsv", "path records process_4688 process_sysmon1 service_7036 service_7040 service_7045 service_4697" },
	{ "process.tsv", "host time_utc source event_version record_id pid ppid image parent_image command_line "
			 "account sid logon_id integrity elevation" },
	{ "service.tsv", "host time_utc event_id record_id service_name display_name state old_start_type "
			 "new_start_type image_path service_account sid account" },
	{ "t1489.tsv", "host time_utc record_id evidence role verb tool service remote_host account command_line "
		       "echo_of_host echo_of_record_id" },
	{ "lookalikes.tsv", "host time_utc record_id command_line" },
};

static void key_rows(struct sample_case *c, struct tsv *t, enum key_file f)
{
	switch (f) {
	case KEY_FILES: for_each_log(c, t, files_row); break;
	case KEY_PROCESS: for_each_log(c, t, process_rows); break;
	case KEY_SERVICE: for_each_log(c, t, service_rows); break;
	case KEY_T1489: t1489_rows(c, t); break;
	default: lookalike_rows(c, t); break;
	}
}

int answer_key_write(struct sample_case *c, const char *outdir)
{
	const char *dir = case_printf(c, "%s/answer_key", outdir);
	if (!dir)
		return CASE_ENOMEM;
	int rc = case_mkdirs(c, dir);
	for (int f = 0; f < N_KEY_FILES && !rc; f++) {
		struct tsv t;
		rc = tsv_open(c, &t, dir, key_files[f].name, key_files[f].columns);
		if (rc)
			break;
		key_rows(c, &t, (enum key_file)f);
		rc = tsv_close(c, &t);
	}
	return rc ? rc : case_error(c);
}
