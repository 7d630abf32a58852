/* scenario.c: hosts, accounts and long-running processes of the QAX case. */
#include "scenario.h"

#include "filetime.h"

#define DOMAIN_SID "S-1-5-21-3486420145-2860437271-1743892311"

static const struct case_account accounts[] = {
	{ "QAX", "Administrator", DOMAIN_SID "-500" },
	{ "QAX", "alice", DOMAIN_SID "-1104" },
	{ "QAX", "bob", DOMAIN_SID "-1105" },
	{ "QAX", "svc_backup", DOMAIN_SID "-1108" },
	{ "QAX", "\u0414\u043c\u0438\u0442\u0440\u0438\u0439", DOMAIN_SID "-1112" },	/* Дмитрий */
	{ "NT AUTHORITY", "LOCAL SERVICE", "S-1-5-19" },
	{ "NT AUTHORITY", "NETWORK SERVICE", "S-1-5-20" },
};

static const struct case_account machine_accounts[N_SCENARIO_HOSTS] = {
	{ "QAX", "QAX$", DOMAIN_SID "-1000" },
	{ "QAX", "FS01$", DOMAIN_SID "-1103" },
	{ "QAX", "SQL01$", DOMAIN_SID "-1106" },
	{ "QAX", "WS01$", DOMAIN_SID "-1601" },
	{ "QAX", "WS02$", DOMAIN_SID "-1602" },
};

/* Record ids of each log start where a log that has run for a while would be;
 * the ranges of one host never meet. */
static const struct case_host host_table[N_SCENARIO_HOSTS] = {
	{ .name = "QAX", .domain = "QAX", .proc_layout = CASE_4688_V2, .locale = CASE_LOCALE_ZH,
	  .lsass_pid = 652, .services_pid = 640, .first_record_id = { 284113, 41207, 0 } },
	{ .name = "FS01", .domain = "QAX", .proc_layout = CASE_4688_V1,
	  .lsass_pid = 520, .services_pid = 508, .first_record_id = { 611920, 18833, 0 } },
	{ .name = "SQL01", .domain = "QAX", .proc_layout = CASE_4688_V2_MIXED,
	  .lsass_pid = 700, .services_pid = 688, .first_record_id = { 150377, 27761, 0 } },
	{ .name = "WS01", .domain = "QAX", .proc_layout = CASE_4688_V2, .sysmon = CASE_SYSMON_23, .has_sysmon = 1,
	  .lsass_pid = 748, .services_pid = 736, .sysmon_pid = 3192, .first_record_id = { 97402, 12288, 455120 } },
	{ .name = "WS02", .domain = "QAX", .proc_layout = CASE_4688_V2, .sysmon = CASE_SYSMON_21, .has_sysmon = 1,
	  .lsass_pid = 760, .services_pid = 744, .sysmon_pid = 2868, .first_record_id = { 88015, 14652, 301877 } },
};

static const char *const host_ips[N_SCENARIO_HOSTS] = {
	"10.10.1.10", "10.10.1.20", "10.10.1.30", "10.10.2.101", "10.10.2.102",
};

uint64_t scenario_time(const struct scenario *s, int day, int hour, int minute, int second, int ms)
{
	return s->day0 + (uint64_t)day * FILETIME_DAY + (uint64_t)hour * FILETIME_HOUR +
	       (uint64_t)minute * FILETIME_MINUTE + (uint64_t)second * FILETIME_SECOND + (uint64_t)ms * FILETIME_MS;
}

const struct host_session *scenario_desktop(struct sample_case *c, const struct scenario *s, enum scenario_host h,
					    uint64_t t, const struct host_logon *l, const struct host_proc **explorer)
{
	const struct host_session *session = host_logon(c, s->host[h], t, l);
	const struct host_proc *userinit = host_process(c, session, s->winlogon[h], t + 2 * FILETIME_SECOND,
							"C:\\Windows\\System32\\userinit.exe",
							"C:\\Windows\\system32\\userinit.exe", 0);
	*explorer = host_process(c, session, userinit, t + 3 * FILETIME_SECOND, "C:\\Windows\\explorer.exe",
				 "C:\\Windows\\Explorer.EXE", 0);
	host_process_exit(c, userinit, t + 33 * FILETIME_SECOND);
	return session;
}

static void scenario_hosts(struct sample_case *c, struct scenario *s)
{
	for (int h = 0; h < N_SCENARIO_HOSTS; h++) {
		int host = case_add_host(c, &host_table[h]);
		s->host[h] = host;
		s->ip[h] = host_ips[h];
		s->machine[h] = &machine_accounts[h];
		s->system[h] = host_system_session(c, host);
		s->services[h] = host_running(c, s->system[h], "C:\\Windows\\System32\\services.exe",
					      "C:\\Windows\\system32\\services.exe");
		s->svchost[h] = host_running(c, s->system[h], "C:\\Windows\\System32\\svchost.exe",
					     "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule");
		s->dcom[h] = host_running(c, s->system[h], "C:\\Windows\\System32\\svchost.exe",
					  "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p");
		s->winlogon[h] = host_running(c, s->system[h], "C:\\Windows\\System32\\winlogon.exe", "winlogon.exe");
	}
}

int scenario_build(struct sample_case *c)
{
	struct scenario s = { 0 };
	s.day0 = filetime_from_utc(2024, 3, 11, 0, 0, 0);
	s.admin = &accounts[0];
	s.alice = &accounts[1];
	s.bob = &accounts[2];
	s.svc_backup = &accounts[3];
	s.dmitry = &accounts[4];
	s.local_service = &accounts[5];
	s.network_service = &accounts[6];
	scenario_hosts(c, &s);
	routine_build(c, &s);
	intrusion_build(c, &s);
	return case_error(c);
}
