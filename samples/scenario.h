/* scenario.h: the sample case "QAX": five hosts of domain QAX over three days
 * from 2024-03-11 (UTC), mostly routine activity, and on the third night an
 * intrusion in which QAX\Administrator stops, disables and deletes services
 * on every host (MITRE ATT&CK T1489).
 *
 *   QAX    server, System log in Chinese, 4688 version 2 (15 fields)
 *   FS01   file server, Windows 2012 R2: 4688 version 1 (9 fields), 4624 version 1
 *   SQL01  database server, 4688 version 2, some records with 13 fields
 *   WS01   workstation of alice, Sysmon with OriginalFileName and ParentUser
 *   WS02   workstation of bob, Sysmon without either until 2024-03-12, then
 *          a release with OriginalFileName
 *
 * scenario_build() fills a case; the routine and the intrusion live in their
 * own files and share what is declared here. */
#ifndef SCENARIO_H
#define SCENARIO_H

#include "case.h"
#include "host.h"

#define SCENARIO_SEED 0x51a1489c0ffee11ULL
#define SCENARIO_DAYS 3

enum scenario_host { QAX, FS01, SQL01, WS01, WS02, N_SCENARIO_HOSTS };

struct scenario {
	int host[N_SCENARIO_HOSTS];		/* case host indexes */
	const char *ip[N_SCENARIO_HOSTS];
	const struct case_account *admin, *alice, *bob, *svc_backup, *dmitry;
	const struct case_account *local_service, *network_service;
	const struct case_account *machine[N_SCENARIO_HOSTS];	/* computer accounts, QAX\WS01$ ... */
	const struct host_session *system[N_SCENARIO_HOSTS];
	/* Long-running processes (started before the logs begin). */
	const struct host_proc *services[N_SCENARIO_HOSTS];	/* services.exe */
	const struct host_proc *svchost[N_SCENARIO_HOSTS];	/* svchost.exe -k netsvcs (Task Scheduler) */
	const struct host_proc *dcom[N_SCENARIO_HOSTS];		/* svchost.exe -k DcomLaunch */
	const struct host_proc *winlogon[N_SCENARIO_HOSTS];
	/* Explorer of the workstation user's latest desktop session. */
	const struct host_proc *user_shell[N_SCENARIO_HOSTS];
	uint64_t day0;				/* 2024-03-11 00:00 UTC as FILETIME */
};

/* A time on day d (0 = 2024-03-11) in UTC. */
uint64_t scenario_time(const struct scenario *s, int day, int hour, int minute, int second, int ms);

/* An interactive or RDP session with Explorer running in it; returns the session
 * and its explorer.exe through *explorer. */
const struct host_session *scenario_desktop(struct sample_case *c, const struct scenario *s, enum scenario_host h,
					    uint64_t t, const struct host_logon *l, const struct host_proc **explorer);

/* Builds the whole case: hosts, routine days, the intrusion. */
int scenario_build(struct sample_case *c);

/* Routine activity of every host on every day. */
void routine_build(struct sample_case *c, struct scenario *s);

/* The intrusion on the night of day 2, with the answer-key truth. */
void intrusion_build(struct sample_case *c, struct scenario *s);

#endif
