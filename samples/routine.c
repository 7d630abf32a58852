/* routine.c: the everyday activity of the QAX case, which is most of it:
 * service logons, system and user processes, network logons to the servers,
 * services starting and stopping on their own, Windows Update, backups,
 * an administrator installing software and a DBA at work. */
#include "scenario.h"

#include "filetime.h"

#define MINUTES(n) ((uint64_t)(n) * FILETIME_MINUTE)
#define SECONDS(n) ((uint64_t)(n) * FILETIME_SECOND)

enum parent_kind { PARENT_SERVICES, PARENT_SCHEDULER, PARENT_DCOM };

struct system_proc {
	const char *image, *command_line;
	enum parent_kind parent;
	int workstation;	/* runs on workstations only */
};

static const struct system_proc system_procs[] = {
	{ "C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s BITS",
	  PARENT_SERVICES, 0 },
	{ "C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe SYSTEM", PARENT_SCHEDULER, 0 },
	{ "C:\\Windows\\System32\\sppsvc.exe", "C:\\Windows\\system32\\sppsvc.exe", PARENT_SERVICES, 0 },
	{ "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe", "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding",
	  PARENT_DCOM, 0 },
	{ "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0\\MpCmdRun.exe",
	  "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0\\MpCmdRun.exe\" "
	  "SignaturesUpdateService -ScheduleJob -UnmanagedUpdate", PARENT_SCHEDULER, 0 },
	{ "C:\\Windows\\System32\\wuauclt.exe", "\"C:\\Windows\\system32\\wuauclt.exe\" /RunHandlerComServer",
	  PARENT_DCOM, 0 },
	{ "C:\\Windows\\System32\\dllhost.exe",
	  "C:\\Windows\\system32\\DllHost.exe /Processid:{3EB3C877-1F16-487C-9050-104DBCD66683}", PARENT_DCOM, 0 },
	{ "C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\System32\\svchost.exe -k wsappx -p -s ClipSVC",
	  PARENT_SERVICES, 0 },
	{ "C:\\Windows\\System32\\CompatTelRunner.exe",
	  "C:\\Windows\\system32\\compattelrunner.exe -m:appraiser.dll -f:DoScheduledTelemetryRun",
	  PARENT_SCHEDULER, 0 },
	{ "C:\\Windows\\System32\\SearchProtocolHost.exe",
	  "\"C:\\Windows\\system32\\SearchProtocolHost.exe\" Global\\UsGthrFltPipeMssGthrPipe1_ "
	  "Global\\UsGthrCtrlFltPipeMssGthrPipe1 1 -2147483646 \"Software\\Microsoft\\Windows Search\" "
	  "\"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)\" "
	  "\"C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc\" \"DownLevelDaemon\" ",
	  PARENT_SERVICES, 1 },
	{ "C:\\Windows\\System32\\MusNotification.exe", "C:\\Windows\\system32\\MusNotification.exe",
	  PARENT_SCHEDULER, 1 },
};

/* Benign services that start on demand and stop again by themselves. */
static const char *const chatty_services[] = {
	"WinHttpAutoProxySvc", "DsmSvc", "WerSvc", "sppsvc", "msiserver", "UsoSvc",
};

/* What users open; command lines are prefix + user name + suffix, or just the
 * prefix when the suffix is NULL. */
struct user_app {
	const char *image, *prefix, *suffix;
};

static const struct user_app user_apps[] = {
	{ "C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE",
	  "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE\" \"C:\\Users\\",
	  "\\Documents\\Q1 budget.xlsx\"" },
	{ "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
	  "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE\" /n \"C:\\Users\\",
	  "\\Documents\\minutes 2024-03.docx\" /o \"\"" },
	{ "C:\\Windows\\System32\\notepad.exe", "\"C:\\Windows\\system32\\NOTEPAD.EXE\" C:\\Users\\",
	  "\\Desktop\\todo.txt" },
	{ "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
	  "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --single-argument "
	  "https://intranet.qax.local/", NULL },
	{ "C:\\Windows\\System32\\calc.exe", "\"C:\\Windows\\System32\\calc.exe\" ", NULL },
	{ "C:\\Windows\\System32\\mmc.exe", "\"C:\\Windows\\system32\\mmc.exe\" \"C:\\Windows\\system32\\printmanagement.msc\" ",
	  NULL },
};

static const struct user_app startup_apps[] = {
	{ "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
	  "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" ", NULL },
	{ "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
	  "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" ", NULL },
};

static uint64_t ms_jitter(struct sample_case *c)
{
	return case_range(c, 0, 59999) * FILETIME_MS;
}

static int is_workstation(enum scenario_host h)
{
	return h == WS01 || h == WS02;
}

static const struct host_proc *system_parent(const struct scenario *s, enum scenario_host h, enum parent_kind k)
{
	switch (k) {
	case PARENT_SERVICES: return s->services[h];
	case PARENT_SCHEDULER: return s->svchost[h];
	default: return s->dcom[h];
	}
}

/* A process of the session that ends a little later (Sysmon 5 where Sysmon runs). */
static const struct host_proc *run(struct sample_case *c, const struct host_session *session,
				   const struct host_proc *parent, uint64_t t, const char *image,
				   const char *command_line, uint64_t lifetime)
{
	const struct host_proc *p = host_process(c, session, parent, t, image, command_line, 0);
	if (lifetime)
		host_process_exit(c, p, t + lifetime);
	return p;
}

static void service_logons(struct sample_case *c, const struct scenario *s, enum scenario_host h, int day)
{
	uint64_t end = scenario_time(s, day + 1, 0, 0, 0, 0);
	for (uint64_t t = scenario_time(s, day, 0, (int)case_range(c, 0, 40), 0, 0); t < end;
	     t += MINUTES(case_range(c, 40, 110)) + ms_jitter(c)) {
		unsigned r = (unsigned)case_range(c, 0, 3);
		const struct case_account *a = r < 2 ? &host_system_account : r == 2 ? s->local_service :
						s->network_service;
		host_service_logon(c, s->host[h], t, a);
	}
}

static void system_processes(struct sample_case *c, const struct scenario *s, enum scenario_host h, int day)
{
	size_t n = sizeof(system_procs) / sizeof(system_procs[0]);
	uint64_t end = scenario_time(s, day + 1, 0, 0, 0, 0);
	for (uint64_t t = scenario_time(s, day, 0, (int)case_range(c, 0, 25), 0, 0); t < end;
	     t += MINUTES(case_range(c, 12, 40)) + ms_jitter(c)) {
		const struct system_proc *r = &system_procs[case_range(c, 0, n - 1)];
		if (r->workstation && !is_workstation(h))
			continue;
		const struct host_proc *p = run(c, s->system[h], system_parent(s, h, r->parent), t, r->image,
						r->command_line, SECONDS(case_range(c, 2, 240)));
		if (case_chance(c, 25))
			run(c, s->system[h], p, t + 40 * FILETIME_MS, "C:\\Windows\\System32\\conhost.exe",
			    "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1", SECONDS(2));
	}
}

static void service_chatter(struct sample_case *c, const struct scenario *s, enum scenario_host h, int day)
{
	size_t n = sizeof(chatty_services) / sizeof(chatty_services[0]);
	uint64_t end = scenario_time(s, day + 1, 0, 0, 0, 0);
	for (uint64_t t = scenario_time(s, day, 0, (int)case_range(c, 0, 50), 0, 0); t < end;
	     t += MINUTES(case_range(c, 18, 60)) + ms_jitter(c)) {
		const char *key = chatty_services[case_range(c, 0, n - 1)];
		host_service_state(c, s->host[h], t, key, HOST_RUNNING);
		host_service_state(c, s->host[h], t + SECONDS(case_range(c, 30, 900)), key, HOST_STOPPED);
	}
}

/* A Windows Update run: services up, the installer's start type raised and put back. */
static void windows_update(struct sample_case *c, const struct scenario *s, enum scenario_host h, int day)
{
	int host = s->host[h];
	uint64_t t = scenario_time(s, day, (int)case_range(c, 4, 21), (int)case_range(c, 0, 59), 0, 0) + ms_jitter(c);
	uint64_t done = t + MINUTES(case_range(c, 18, 50));
	const char *system_sid = host_system_account.sid;

	host_service_state(c, host, t, "wuauserv", HOST_RUNNING);
	host_service_state(c, host, t + SECONDS(4), "BITS", HOST_RUNNING);
	host_service_state(c, host, t + SECONDS(9), "UsoSvc", HOST_RUNNING);
	host_service_start_type(c, host, t + MINUTES(3), "TrustedInstaller", HOST_START_DEMAND, HOST_START_AUTO,
				system_sid);
	host_service_state(c, host, t + MINUTES(3) + SECONDS(1), "TrustedInstaller", HOST_RUNNING);
	run(c, s->system[h], s->dcom[h], t + MINUTES(3) + SECONDS(2),
	    "C:\\Windows\\WinSxS\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.17763.5084_none_"
	    "1c48ec2e1a4a3f6b\\TiWorker.exe",
	    "C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.17763.5084_none_"
	    "1c48ec2e1a4a3f6b\\TiWorker.exe -Embedding", MINUTES(12));
	host_service_start_type(c, host, done, "TrustedInstaller", HOST_START_AUTO, HOST_START_DEMAND, system_sid);
	host_service_state(c, host, done + SECONDS(2), "TrustedInstaller", HOST_STOPPED);
	host_service_state(c, host, done + MINUTES(4), "BITS", HOST_STOPPED);
	host_service_state(c, host, done + MINUTES(6), "wuauserv", HOST_STOPPED);
	if (case_chance(c, 50))
		host_service_start_type(c, host, done + MINUTES(6) + SECONDS(1), "BITS", HOST_START_AUTO,
					HOST_START_DEMAND, system_sid);
}

static void clock_sync(struct sample_case *c, const struct scenario *s, enum scenario_host h, int day)
{
	uint64_t t = scenario_time(s, day, (int)case_range(c, 0, 23), (int)case_range(c, 0, 59), 0, 0) + ms_jitter(c);
	int64_t delta = (int64_t)case_range(c, 1, 9000) * 1000 - 4500000;
	host_time_change(c, s->host[h], t, delta);
}

static const char *app_command(struct sample_case *c, const struct user_app *a, const struct case_account *user)
{
	if (!a->suffix)
		return a->prefix;
	return case_printf(c, "%s%s%s", a->prefix, user->name, a->suffix);
}

/* A console: cmd.exe, a command or two, closed again. */
static void user_console(struct sample_case *c, const struct host_session *session, const struct host_proc *shell,
			 uint64_t t)
{
	const struct host_proc *cmd = run(c, session, shell, t, "C:\\Windows\\System32\\cmd.exe",
					  "\"C:\\Windows\\system32\\cmd.exe\" ", MINUTES(6));
	run(c, session, cmd, t + SECONDS(20), "C:\\Windows\\System32\\ipconfig.exe", "ipconfig  /all", SECONDS(1));
	run(c, session, cmd, t + SECONDS(75), "C:\\Windows\\System32\\PING.EXE", "ping  -n 4 fs01.qax.local",
	    SECONDS(4));
}

static void workstation_user(struct sample_case *c, struct scenario *s, enum scenario_host h,
			     const struct case_account *user, int day)
{
	uint64_t start = scenario_time(s, day, 7, 40, 0, 0) + MINUTES(case_range(c, 0, 45)) + ms_jitter(c);
	uint64_t end = scenario_time(s, day, 16, 40, 0, 0) + MINUTES(case_range(c, 0, 50)) + ms_jitter(c);
	const struct host_proc *shell;
	const struct host_session *session = scenario_desktop(c, s, h, start,
		&(struct host_logon){ user, HOST_LOGON_INTERACTIVE, "127.0.0.1", 0, 0 }, &shell);
	s->user_shell[h] = shell;

	for (size_t i = 0; i < sizeof(startup_apps) / sizeof(startup_apps[0]); i++)
		run(c, session, shell, start + SECONDS(40 + 25 * i), startup_apps[i].image,
		    app_command(c, &startup_apps[i], user), 0);
	size_t n = sizeof(user_apps) / sizeof(user_apps[0]);
	for (uint64_t t = start + MINUTES(case_range(c, 10, 40)); t + MINUTES(20) < end;
	     t += MINUTES(case_range(c, 20, 70)) + ms_jitter(c)) {
		if (case_chance(c, 15)) {
			user_console(c, session, shell, t);
			continue;
		}
		const struct user_app *a = &user_apps[case_range(c, 0, n - 1)];
		run(c, session, shell, t, a->image, app_command(c, a, user),
		    MINUTES(case_range(c, 2, 90)));
	}
	host_logoff(c, session, end);
}

/* Users and computers reaching the file server and the domain server over the network. */
static void network_logons(struct sample_case *c, const struct scenario *s, enum scenario_host target, int day)
{
	const struct case_account *who[] = { s->alice, s->bob, s->dmitry, s->machine[WS01], s->machine[WS02],
					     s->machine[SQL01] };
	const char *from[] = { s->ip[WS01], s->ip[WS02], "10.10.2.115", s->ip[WS01], s->ip[WS02], s->ip[SQL01] };
	size_t n = sizeof(who) / sizeof(who[0]);
	uint64_t end = scenario_time(s, day, 18, 0, 0, 0);

	for (uint64_t t = scenario_time(s, day, 7, (int)case_range(c, 30, 59), 0, 0); t < end;
	     t += MINUTES(case_range(c, 15, 55)) + ms_jitter(c)) {
		size_t i = case_range(c, 0, n - 1);
		const struct host_session *session = host_logon(c, s->host[target], t,
			&(struct host_logon){ who[i], HOST_LOGON_NETWORK, from[i], 0, 0 });
		host_logoff(c, session, t + SECONDS(case_range(c, 2, 1200)));
	}
}

/* svc_backup's nightly jobs: a SQL Server backup on SQL01 and wbadmin on FS01.
 * On the third night the file server backup starts later and is still running
 * when the intrusion begins, so its end is not logged. */
static void nightly_backup(struct sample_case *c, const struct scenario *s, int day)
{
	uint64_t t = scenario_time(s, day, 0, 30, (int)case_range(c, 0, 59), 0);
	const struct host_logon job = { s->svc_backup, HOST_LOGON_BATCH, NULL, 1, 0 };
	const struct host_session *batch = host_logon(c, s->host[SQL01], t, &job);
	run(c, batch, s->svchost[SQL01], t + SECONDS(1),
	    "C:\\Program Files\\Microsoft SQL Server\\Client SDK\\ODBC\\170\\Tools\\Binn\\SQLCMD.EXE",
	    case_printf(c, "\"C:\\Program Files\\Microsoft SQL Server\\Client SDK\\ODBC\\170\\Tools\\Binn\\SQLCMD.EXE\" "
			   "-S localhost -E -Q \"BACKUP DATABASE [Finance] TO DISK=N'D:\\Backup\\Finance_2024031%d.bak' "
			   "WITH INIT\"", 1 + day), MINUTES(7));
	host_logoff(c, batch, t + MINUTES(8));

	int fs = s->host[FS01];
	t = day < 2 ? scenario_time(s, day, 1, 0, (int)case_range(c, 0, 59), 0) : scenario_time(s, day, 1, 52, 6, 0);
	batch = host_logon(c, fs, t, &job);
	run(c, batch, s->svchost[FS01], t + SECONDS(1), "C:\\Windows\\System32\\wbadmin.exe",
	    "\"C:\\Windows\\system32\\wbadmin.exe\" start backup -backupTarget:\\\\QAX\\Backup$ -include:D: -quiet",
	    day < 2 ? MINUTES(31) : 0);
	host_service_state(c, fs, t + SECONDS(3), "wbengine", HOST_RUNNING);
	host_service_state(c, fs, t + SECONDS(6), "VSS", HOST_RUNNING);
	host_service_state(c, fs, t + SECONDS(7), "swprv", HOST_RUNNING);
	if (day == 2)
		return;
	host_service_state(c, fs, t + MINUTES(30), "wbengine", HOST_STOPPED);
	host_service_state(c, fs, t + MINUTES(33), "swprv", HOST_STOPPED);
	host_service_state(c, fs, t + MINUTES(33) + SECONDS(1), "VSS", HOST_STOPPED);
	host_logoff(c, batch, t + MINUTES(31));
}

/* Дмитрий, the DBA, on SQL01 over RDP on the first two days. */
static void dba_work(struct sample_case *c, const struct scenario *s, int day)
{
	uint64_t t = scenario_time(s, day, 13, (int)case_range(c, 0, 30), (int)case_range(c, 0, 59), 0);
	const struct host_proc *shell;
	const struct host_session *session = scenario_desktop(c, s, SQL01, t,
		&(struct host_logon){ s->dmitry, HOST_LOGON_REMOTE_INTERACTIVE, "10.10.2.115", 0, 0 }, &shell);
	run(c, session, shell, t + MINUTES(2),
	    "C:\\Program Files (x86)\\Microsoft SQL Server Management Studio 19\\Common7\\IDE\\Ssms.exe",
	    "\"C:\\Program Files (x86)\\Microsoft SQL Server Management Studio 19\\Common7\\IDE\\Ssms.exe\" ",
	    MINUTES(70));
	run(c, session, shell, t + MINUTES(9), "C:\\Windows\\System32\\notepad.exe",
	    case_printf(c, "\"C:\\Windows\\system32\\NOTEPAD.EXE\" C:\\Users\\%s\\Documents\\"
			   "\u043e\u0442\u0447\u0451\u0442_\u043f\u0440\u043e\u0434\u0430\u0436\u0438.sql",
			s->dmitry->name), MINUTES(40));
	const struct host_proc *cmd = run(c, session, shell, t + MINUTES(25), "C:\\Windows\\System32\\cmd.exe",
					  "\"C:\\Windows\\system32\\cmd.exe\" ", MINUTES(10));
	run(c, session, cmd, t + MINUTES(26),
	    "C:\\Program Files\\Microsoft SQL Server\\Client SDK\\ODBC\\170\\Tools\\Binn\\SQLCMD.EXE",
	    case_printf(c, "sqlcmd  -S SQL01 -E -i C:\\Users\\%s\\Documents\\"
			   "\u043f\u0440\u043e\u0432\u0435\u0440\u043a\u0430.sql", s->dmitry->name), SECONDS(9));
	host_logoff(c, session, t + MINUTES(82));
}

/* The administrator installs a monitoring agent on QAX (day 0); svc_backup
 * installs the Veeam installer service on FS01 (day 1). */
static void installs(struct sample_case *c, const struct scenario *s, int day)
{
	if (day == 0) {
		uint64_t t = scenario_time(s, 0, 10, 12, 41, 0);
		const struct host_proc *shell;
		const struct host_session *admin = scenario_desktop(c, s, QAX, t,
			&(struct host_logon){ s->admin, HOST_LOGON_REMOTE_INTERACTIVE, "10.10.2.50", 1, 0 }, &shell);
		run(c, admin, shell, t + MINUTES(2), "C:\\Windows\\System32\\msiexec.exe",
		    "\"C:\\Windows\\System32\\msiexec.exe\" /i C:\\Temp\\zabbix_agent-6.4.12-windows-amd64-openssl.msi /qn",
		    MINUTES(1));
		host_service_install(c, admin, t + MINUTES(2) + SECONDS(31), "ZabbixAgent",
				     "\"C:\\Program Files\\Zabbix Agent\\zabbix_agentd.exe\" --config "
				     "\"C:\\Program Files\\Zabbix Agent\\zabbix_agentd.conf\"",
				     HOST_START_AUTO, "LocalSystem");
		host_service_state(c, s->host[QAX], t + MINUTES(2) + SECONDS(33), "ZabbixAgent", HOST_RUNNING);
		const struct host_proc *cmd = run(c, admin, shell, t + MINUTES(4), "C:\\Windows\\System32\\cmd.exe",
						  "\"C:\\Windows\\system32\\cmd.exe\" ", MINUTES(5));
		run(c, admin, cmd, t + MINUTES(4) + SECONDS(30), "C:\\Windows\\System32\\gpupdate.exe",
		    "gpupdate  /force", SECONDS(14));
		host_logoff(c, admin, t + MINUTES(11));
	} else if (day == 1) {
		uint64_t t = scenario_time(s, 1, 10, 20, 5, 0);
		const struct host_session *batch = host_logon(c, s->host[FS01], t,
			&(struct host_logon){ s->svc_backup, HOST_LOGON_BATCH, NULL, 1, 0 });
		run(c, batch, s->svchost[FS01], t + SECONDS(2), "C:\\Windows\\System32\\msiexec.exe",
		    "\"C:\\Windows\\System32\\msiexec.exe\" /i \"C:\\Temp\\VeeamInstallerSvc.msi\" /qn", MINUTES(2));
		host_service_install(c, batch, t + SECONDS(50), "VeeamDeploySvc",
				     "C:\\Windows\\Veeam\\Backup\\VeeamDeploymentSvc.exe", HOST_START_AUTO, "LocalSystem");
		host_service_state(c, s->host[FS01], t + SECONDS(52), "VeeamDeploySvc", HOST_RUNNING);
		host_logoff(c, batch, t + MINUTES(3));
	}
}

static void host_day(struct sample_case *c, const struct scenario *s, enum scenario_host h, int day)
{
	service_logons(c, s, h, day);
	system_processes(c, s, h, day);
	service_chatter(c, s, h, day);
	windows_update(c, s, h, day);
	clock_sync(c, s, h, day);
}

void routine_build(struct sample_case *c, struct scenario *s)
{
	for (int day = 0; day < SCENARIO_DAYS; day++) {
		if (day == 1)	/* Sysmon on WS02 is upgraded to a release that logs OriginalFileName */
			c->hosts[s->host[WS02]].sysmon = CASE_SYSMON_22;
		for (int h = 0; h < N_SCENARIO_HOSTS; h++)
			host_day(c, s, (enum scenario_host)h, day);
		workstation_user(c, s, WS01, s->alice, day);
		workstation_user(c, s, WS02, s->bob, day);
		network_logons(c, s, FS01, day);
		network_logons(c, s, QAX, day);
		nightly_backup(c, s, day);
		if (day < 2)
			dba_work(c, s, day);
		installs(c, s, day);
	}
}
