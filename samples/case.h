/* case.h: a generated case held in memory: hosts, the events each of their
 * logs will hold, and the truth about them for the answer key.
 *
 * Events are added in any order; case_number_records() sorts each log by
 * TimeCreated and gives out EventRecordIDs, then case_write_logs() writes one
 * EVTX file per host and log. Building never fails half-way for the caller:
 * allocation failures set a sticky error that case_error() reports, and later
 * builder calls do nothing. All memory belongs to the case. */
#ifndef CASE_H
#define CASE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "evtx_writer.h"

#define CASE_ENOMEM	(-2)	/* same value as EVTX_WRITER_ENOMEM */
#define CASE_EIO	(-10)	/* cannot create a folder or write a file; errno and case_error_path() tell more */

#define CASE_MAX_HOSTS	8
#define CASE_MAX_FIELDS	32	/* EventData fields per event */

enum case_log { CASE_LOG_SECURITY, CASE_LOG_SYSTEM, CASE_LOG_SYSMON, CASE_N_LOGS };

/* How a host records process creation. */
enum case_proc_layout {
	CASE_4688_V2,		/* version 2, 15 fields (Windows 10 / 2016 and later) */
	CASE_4688_V1,		/* version 1, 9 fields (Windows 8.1 / 2012 R2) */
	CASE_4688_V2_MIXED,	/* version 2, some records with 13 fields */
};

/* Sysmon event 1 field sets, by Sysmon release. */
enum case_sysmon_layout {
	CASE_SYSMON_NONE,
	CASE_SYSMON_21,		/* neither OriginalFileName nor ParentUser */
	CASE_SYSMON_22,		/* OriginalFileName */
	CASE_SYSMON_23,		/* OriginalFileName and ParentUser */
};

enum case_locale { CASE_LOCALE_EN, CASE_LOCALE_ZH };

struct case_host {
	const char *name;		/* System/Computer and the collection folder */
	const char *domain;		/* NetBIOS name of the domain it is joined to */
	enum case_proc_layout proc_layout;
	enum case_sysmon_layout sysmon;	/* may change during the case (an upgrade) */
	int has_sysmon;			/* the host has a Sysmon log at all */
	enum case_locale locale;	/* language of Service Control Manager texts */
	uint32_t lsass_pid, services_pid, sysmon_pid;
	uint64_t first_record_id[CASE_N_LOGS];
};

struct case_account {
	const char *domain, *name, *sid;
};

struct case_event {
	int host;
	enum case_log log;
	uint64_t seq;			/* creation order; breaks ties in time */
	uint64_t write_delay;		/* FILETIME units from TimeCreated to the record's written time */
	struct evtx_writer_event ev;	/* ev.record_id is set by case_number_records() */
	struct evtx_writer_field *fields;	/* ev.fields, with room for CASE_MAX_FIELDS */
};

/* One row of the detection truth (t1489.tsv). */
struct case_truth {
	const struct case_event *event;
	const char *role, *verb, *tool, *service, *remote_host, *account;
	const struct case_event *echo_of;	/* the process record that caused a service event, or NULL */
};

struct sample_case {
	struct arena arena;
	uint64_t rng;
	int error;
	const char *error_path;
	struct case_host hosts[CASE_MAX_HOSTS];
	size_t n_hosts;
	struct case_event **events;
	size_t n_events, cap_events;
	struct case_truth *truths;
	size_t n_truths, cap_truths;
	const struct case_event **lookalikes;
	size_t n_lookalikes, cap_lookalikes;
	/* After case_number_records(): each log's events in record order. */
	struct case_event **order[CASE_MAX_HOSTS][CASE_N_LOGS];
	size_t n_order[CASE_MAX_HOSTS][CASE_N_LOGS];
};

void case_init(struct sample_case *c, uint64_t seed);
void case_release(struct sample_case *c);

/* 0, or the first error met while building (CASE_ENOMEM). */
int case_error(const struct sample_case *c);
/* The file or folder a CASE_EIO was about. */
const char *case_error_path(const struct sample_case *c);

/* Deterministic pseudo-random numbers (splitmix64). case_mix() steps any state. */
uint64_t case_mix(uint64_t *state);
uint64_t case_rand(struct sample_case *c);
/* Uniform in [lo, hi]. */
uint64_t case_range(struct sample_case *c, uint64_t lo, uint64_t hi);
/* 1 with probability percent / 100. */
int case_chance(struct sample_case *c, unsigned percent);

/* Copies of strings that live as long as the case (NULL on allocation failure). */
const char *case_str(struct sample_case *c, const char *s);
const char *case_printf(struct sample_case *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *case_alloc(struct sample_case *c, size_t n);

/* Adds a host; returns its index, or -1 when there are too many. */
int case_add_host(struct sample_case *c, const struct case_host *h);

/* A new event in a host's log, with its time set and nothing else; NULL after an error.
 * The returned event stays valid for the life of the case. */
struct case_event *case_event_new(struct sample_case *c, int host, enum case_log log, uint64_t time);

/* Appends EventData fields; the strings are copied. */
void case_field_str(struct sample_case *c, struct case_event *e, const char *name, const char *text);
void case_field_sid(struct sample_case *c, struct case_event *e, const char *name, const char *sid);
void case_field_guid(struct sample_case *c, struct case_event *e, const char *name, const char *guid);
void case_field_num(struct sample_case *c, struct case_event *e, const char *name, enum evtx_value_type type,
		    uint64_t num);
/* A value carried in the record but not shown as a Data element. */
void case_field_hidden(struct sample_case *c, struct case_event *e, enum evtx_value_type type, uint64_t num);
void case_binary(struct sample_case *c, struct case_event *e, const void *p, size_t n);

/* Reads a field back by name: its text (NULL when absent or not text) or number (0/-1). */
const char *case_field_text(const struct case_event *e, const char *name);
int case_field_number(const struct case_event *e, const char *name, uint64_t *out);

/* Marks records for the answer key. */
void case_truth_add(struct sample_case *c, const struct case_truth *t);
void case_lookalike_add(struct sample_case *c, const struct case_event *e);

/* Sorts each log by time, gives out EventRecordIDs from the host's first id
 * and sets each record's written time (TimeCreated + write_delay, never going back). */
int case_number_records(struct sample_case *c);

/* The log's file name, e.g. "Microsoft-Windows-Sysmon%4Operational.evtx". */
const char *case_log_file(enum case_log log);
/* Path of a host's log relative to the case folder (in the case arena). */
const char *case_log_path(struct sample_case *c, int host, enum case_log log);
/* Whether a host has that log. */
int case_has_log(const struct sample_case *c, int host, enum case_log log);

/* Creates every folder along path (like mkdir -p). */
int case_mkdirs(struct sample_case *c, const char *path);

/* Writes every log of every host under outdir, as <outdir>/<HOST>/C/Windows/
 * System32/winevt/Logs/<log>; the case must be numbered first. Returns 0, an
 * EVTX_WRITER_E* code or CASE_EIO, with case_error_path() naming the file. */
int case_write_logs(struct sample_case *c, const char *outdir);

#endif
