/* host.h: what a Windows host writes to its Security, System and Sysmon logs
 * when users log on, processes start and services change, with the field
 * layouts, types and texts Windows uses.
 *
 * Every function adds events to the case and returns handles that live as
 * long as the case; after a case error they return NULL (see case.h). */
#ifndef HOST_H
#define HOST_H

#include <stdint.h>

#include "case.h"

enum host_integrity {
	HOST_INTEGRITY_LOW, HOST_INTEGRITY_MEDIUM, HOST_INTEGRITY_HIGH, HOST_INTEGRITY_SYSTEM,
};

/* TokenElevationType: %%1936 full token, %%1937 elevated, %%1938 limited. */
enum host_elevation {
	HOST_ELEVATION_FULL = 1936, HOST_ELEVATION_ELEVATED = 1937, HOST_ELEVATION_LIMITED = 1938,
};

enum host_logon_type {
	HOST_LOGON_INTERACTIVE = 2, HOST_LOGON_NETWORK = 3, HOST_LOGON_BATCH = 4,
	HOST_LOGON_SERVICE = 5, HOST_LOGON_REMOTE_INTERACTIVE = 10,
};

/* A logon session that processes run in. */
struct host_session {
	int host;
	const struct case_account *account;
	uint64_t logon_id;
	const char *logon_guid;
	enum host_logon_type type;
	enum host_integrity integrity;	/* of the processes it starts */
	enum host_elevation elevation;
	uint32_t terminal_session;
	const char *cwd;		/* current directory of its processes */
	int machine;			/* the SYSTEM session: 4688 names the computer account */
};

/* A process; parent may be one started before the logs begin (no records). */
struct host_proc {
	int host;
	uint64_t time;
	uint32_t pid;
	const char *image, *command_line, *guid;
	const struct host_session *session;
	const struct host_proc *parent;
	struct case_event *security;	/* its 4688, NULL for a process from before the logs */
	struct case_event *sysmon;	/* its Sysmon 1, NULL on hosts without Sysmon */
};

enum host_service_state { HOST_STOPPED = 1, HOST_RUNNING = 4, HOST_PAUSED = 7 };
enum host_start_type { HOST_START_AUTO = 2, HOST_START_DEMAND = 3, HOST_START_DISABLED = 4 };

extern const struct case_account host_system_account;	/* NT AUTHORITY\SYSTEM */

/* "DOMAIN\user", as Sysmon writes User (in the case arena). */
const char *host_account_text(struct sample_case *c, const struct case_account *a);

/* The host's SYSTEM session (logon id 0x3e7). */
const struct host_session *host_system_session(struct sample_case *c, int host);

/* A process that was running before the logs begin. */
const struct host_proc *host_running(struct sample_case *c, const struct host_session *s, const char *image,
				     const char *command_line);

struct host_logon {
	const struct case_account *account;
	enum host_logon_type type;
	const char *source_ip;		/* NULL: none (local logons) */
	int privileged;			/* 4672 follows; processes run with a full token, high integrity */
	uint64_t logon_id;		/* 0: pick one */
};

/* A logon: 4624, and 4672 when privileged. */
const struct host_session *host_logon(struct sample_case *c, int host, uint64_t t, const struct host_logon *l);
/* A service logon of SYSTEM, LOCAL SERVICE or NETWORK SERVICE (4624 type 5 and 4672). */
void host_service_logon(struct sample_case *c, int host, uint64_t t, const struct case_account *a);
/* 4634. */
void host_logoff(struct sample_case *c, const struct host_session *s, uint64_t t);

/* A new process: 4688 in the host's layout, and Sysmon 1 where Sysmon runs.
 * pid 0 picks one. */
const struct host_proc *host_process(struct sample_case *c, const struct host_session *s, const struct host_proc *parent,
				     uint64_t t, const char *image, const char *command_line, uint32_t pid);
/* Sysmon 5 (process terminated) where Sysmon runs. */
void host_process_exit(struct sample_case *c, const struct host_proc *p, uint64_t t);

/* Service Control Manager events, texts in the host's language. Display names
 * of known services come from a built-in table (localized where Windows
 * localizes them); unknown keys show the key. */
const char *host_service_display(const struct sample_case *c, int host, const char *key);
/* 7036 "entered the <state> state": param1, param2, Binary "<key>/<state>" in UTF-16LE with a NUL. */
struct case_event *host_service_state(struct sample_case *c, int host, uint64_t t, const char *key,
				      enum host_service_state state);
/* 7040 "start type changed from <old> to <new>" by the account with that SID. */
struct case_event *host_service_start_type(struct sample_case *c, int host, uint64_t t, const char *key,
					   enum host_start_type from, enum host_start_type to, const char *sid);
/* 7045 (System) and 4697 (Security) for a service installed by the session's account. */
void host_service_install(struct sample_case *c, const struct host_session *s, uint64_t t, const char *key,
			  const char *image_path, enum host_start_type start, const char *run_as);

/* Kernel-General 1: the clock was corrected by delta 100-ns units. */
void host_time_change(struct sample_case *c, int host, uint64_t t, int64_t delta);

#endif
