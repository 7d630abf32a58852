/* intrusion.c: the night of 2024-03-13. QAX\Administrator comes in over RDP
 * on QAX and moves to FS01, SQL01, WS01 and WS02, stopping, disabling,
 * pausing, deleting and killing services with net, sc, PowerShell, wmic,
 * taskkill and reg, in the forms that break substring rules. Each record a
 * detector should flag is marked as truth, each near miss as a look-alike.
 *
 * The first stop is the reference event of the T1489 write-up: on QAX,
 * "net  stop vmtools" (net.exe 0xd9c, parent cmd.exe 0x15d0, logon 0x7169C,
 * full token, high integrity), then 7036 "VMware Tools" "已停止" a second later. */
#include "scenario.h"

#include <string.h>

#include "filetime.h"

#define MS(n) ((uint64_t)(n) * FILETIME_MS)
#define SECONDS(n) ((uint64_t)(n) * FILETIME_SECOND)
#define MINUTES(n) ((uint64_t)(n) * FILETIME_MINUTE)

#define CMD "C:\\Windows\\System32\\cmd.exe"
#define NET "C:\\Windows\\System32\\net.exe"
#define NET1 "C:\\Windows\\System32\\net1.exe"
#define SC "C:\\Windows\\System32\\sc.exe"
#define POWERSHELL "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
#define POWERSHELL_Q "\"" POWERSHELL "\""

/* The intruder's desktop on one host. */
struct desk {
	struct sample_case *c;
	const struct scenario *s;
	const struct host_session *session;
	const struct host_proc *explorer;
	const char *account;	/* QAX\Administrator */
};

/* What a command does to a service, for the answer key. */
struct act {
	const char *verb, *tool, *service, *remote_host;
};

static struct desk rdp_in(struct sample_case *c, const struct scenario *s, enum scenario_host h, uint64_t t,
			  const char *source_ip, uint64_t logon_id)
{
	struct desk d = { c, s, NULL, NULL, host_account_text(c, s->admin) };
	d.session = scenario_desktop(c, s, h, t,
		&(struct host_logon){ s->admin, HOST_LOGON_REMOTE_INTERACTIVE, source_ip, 1, logon_id }, &d.explorer);
	return d;
}

static const struct host_proc *spawn(struct desk *d, const struct host_proc *parent, uint64_t t, const char *image,
				     const char *command_line)
{
	return host_process(d->c, d->session, parent, t, image, command_line, 0);
}

/* Marks a process's 4688 and Sysmon 1 records. */
static void mark_process(struct desk *d, const struct host_proc *p, const char *role, const struct act *a)
{
	if (!p)
		return;
	struct case_truth t = { p->security, role, a->verb, a->tool, a->service, a->remote_host, d->account, NULL };
	case_truth_add(d->c, &t);
	if (p->sysmon) {
		t.event = p->sysmon;
		case_truth_add(d->c, &t);
	}
}

/* Marks a service event; cause is the command that made it happen, NULL for an API call. */
static void mark_service(struct sample_case *c, struct case_event *e, const char *verb, const char *key,
			 const char *tool, const char *account, const struct host_proc *cause)
{
	struct case_truth t = { e, "direct", verb, tool, key, "", account, cause ? cause->security : NULL };
	case_truth_add(c, &t);
}

static void mark_lookalike(struct sample_case *c, const struct host_proc *p)
{
	if (!p)
		return;
	case_lookalike_add(c, p->security);
	if (p->sysmon)
		case_lookalike_add(c, p->sysmon);
}

/* A process that stops (or otherwise acts on) a service itself. */
static const struct host_proc *direct(struct desk *d, const struct host_proc *parent, uint64_t t, const char *image,
				      const char *command_line, const struct act *a)
{
	const struct host_proc *p = spawn(d, parent, t, image, command_line);
	mark_process(d, p, "direct", a);
	return p;
}

/* The 7036 "stopped" a stop leaves on the host that runs the service. */
static void stopped_echo(struct desk *d, enum scenario_host on, uint64_t t, const char *key, const struct act *a,
			 const struct host_proc *cause)
{
	struct case_event *e = host_service_state(d->c, d->s->host[on], t, key, HOST_STOPPED);
	mark_service(d->c, e, "stop", key, a->tool, d->account, cause);
}

/* "net stop": net.exe hands the work to net1.exe, as Windows does. pid 0 picks one. */
static const struct host_proc *net_stop(struct desk *d, const struct host_proc *parent, uint64_t t,
					const char *command_line, const char *args, const struct act *a, uint32_t pid)
{
	const struct host_proc *net = host_process(d->c, d->session, parent, t, NET, command_line, pid);
	mark_process(d, net, "direct", a);
	const struct host_proc *net1 = spawn(d, net, t + MS(31), NET1,
					     case_printf(d->c, "C:\\Windows\\system32\\net1  %s", args));
	mark_process(d, net1, "relay", a);
	return net;
}

static const char *base64_utf16le(struct sample_case *c, const char *ascii)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 2 * strlen(ascii);
	char out[1024];
	size_t o = 0;
	for (size_t i = 0; i < n && o + 4 < sizeof(out); i += 3) {
		uint32_t v = 0;
		for (size_t k = 0; k < 3; k++) {
			size_t j = i + k;
			uint8_t b = j < n && j % 2 == 0 ? (uint8_t)ascii[j / 2] : 0;
			v = v << 8 | b;
		}
		out[o++] = digits[v >> 18 & 63];
		out[o++] = digits[v >> 12 & 63];
		out[o++] = i + 1 < n ? digits[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? digits[v & 63] : '=';
	}
	out[o] = '\0';
	return case_str(c, out);
}

static uint64_t at(const struct scenario *s, int hour, int minute, int second, int ms)
{
	return scenario_time(s, 2, hour, minute, second, ms);
}

/* QAX: the reference stop, a look-alike restart, a remote stop of FS01's
 * backup engine and a cmd /c wrapper. */
static void on_qax(struct sample_case *c, const struct scenario *s)
{
	struct desk d = rdp_in(c, s, QAX, at(s, 1, 51, 34, 118), "10.10.99.23", 0x7169C);
	const struct host_proc *cmd = host_process(c, d.session, d.explorer, at(s, 1, 53, 2, 640), CMD,
						   "\"C:\\Windows\\system32\\cmd.exe\" ", 0x15d0);
	spawn(&d, cmd, at(s, 1, 53, 40, 5), "C:\\Windows\\System32\\whoami.exe", "whoami  /all");
	const struct host_proc *group = spawn(&d, cmd, at(s, 1, 55, 12, 330), NET,
					      "net  group \"domain admins\" /domain");
	spawn(&d, group, at(s, 1, 55, 12, 361), NET1, "C:\\Windows\\system32\\net1  group \"domain admins\" /domain");

	static const struct act vmtools = { "stop", "net", "vmtools", "" };
	const struct host_proc *net = net_stop(&d, cmd, at(s, 2, 4, 27, 412), "net  stop vmtools", "stop vmtools",
					       &vmtools, 0xd9c);
	stopped_echo(&d, QAX, at(s, 2, 4, 28, 506), "VMTools", &vmtools, net);

	const struct host_proc *start = spawn(&d, cmd, at(s, 2, 6, 51, 77), NET, "net  start vmtools");
	mark_lookalike(c, start);
	mark_lookalike(c, spawn(&d, start, at(s, 2, 6, 51, 104), NET1, "C:\\Windows\\system32\\net1  start vmtools"));
	host_service_state(c, s->host[QAX], at(s, 2, 6, 53, 240), "VMTools", HOST_RUNNING);

	static const struct act remote = { "stop", "sc", "wbengine", "FS01" };
	const struct host_session *smb = host_logon(c, s->host[FS01], at(s, 2, 11, 15, 610),
		&(struct host_logon){ s->admin, HOST_LOGON_NETWORK, s->ip[QAX], 1, 0 });
	const struct host_proc *sc = direct(&d, cmd, at(s, 2, 11, 15, 502), SC, "sc  \\\\FS01 stop wbengine", &remote);
	stopped_echo(&d, FS01, at(s, 2, 11, 16, 318), "wbengine", &remote, sc);
	host_logoff(c, smb, at(s, 2, 11, 17, 0));

	static const struct act bea = { "stop", "sc", "BackupExecAgentAccelerator", "" };
	const struct host_proc *wrapper = spawn(&d, d.explorer, at(s, 2, 13, 40, 250), CMD,
						"cmd.exe /c \"sc stop BackupExecAgentAccelerator\"");
	mark_process(&d, wrapper, "launcher", &bea);
	sc = direct(&d, wrapper, at(s, 2, 13, 40, 281), SC, "sc  stop BackupExecAgentAccelerator", &bea);
	stopped_echo(&d, QAX, at(s, 2, 13, 41, 97), "BackupExecAgentAccelerator", &bea, sc);
	host_logoff(c, d.session, at(s, 2, 15, 2, 0));
}

/* FS01 (2012 R2): a notes search, a config query, VSS disabled, a provider
 * deleted and the Server service paused. */
static void on_fs01(struct sample_case *c, const struct scenario *s)
{
	struct desk d = rdp_in(c, s, FS01, at(s, 2, 17, 5, 903), s->ip[QAX], 0);
	const struct host_proc *cmd = spawn(&d, d.explorer, at(s, 2, 18, 12, 14), CMD,
					    "\"C:\\Windows\\system32\\cmd.exe\" ");
	mark_lookalike(c, spawn(&d, cmd, at(s, 2, 18, 40, 561), "C:\\Windows\\System32\\findstr.exe",
				"findstr  /i \"net stop\" C:\\scripts\\notes.txt"));
	mark_lookalike(c, spawn(&d, cmd, at(s, 2, 19, 5, 220), SC, "sc  qc VSS"));

	static const struct act vss = { "disable", "sc", "VSS", "" };
	const struct host_proc *sc = direct(&d, cmd, at(s, 2, 19, 31, 776), SC, "sc  config VSS start= disabled", &vss);
	struct case_event *e = host_service_start_type(c, s->host[FS01], at(s, 2, 19, 31, 905), "VSS",
						       HOST_START_DEMAND, HOST_START_DISABLED, s->admin->sid);
	mark_service(c, e, "disable", "VSS", "sc", d.account, sc);

	static const struct act del = { "delete", "sc", "BackupExecVSSProvider", "" };
	direct(&d, cmd, at(s, 2, 20, 2, 431), SC, "sc.exe  delete BackupExecVSSProvider",
	       &del);

	static const struct act pause = { "pause", "sc", "LanmanServer", "" };
	direct(&d, cmd, at(s, 2, 20, 44, 8), SC, "sc  pause LanmanServer", &pause);
	host_service_state(c, s->host[FS01], at(s, 2, 20, 44, 390), "LanmanServer", HOST_PAUSED);
	host_logoff(c, d.session, at(s, 2, 22, 30, 0));
}

/* SQL01: the databases go down through net, PowerShell, wmic and taskkill;
 * then a stop and a disable through the service API, with no command at all. */
static void on_sql01(struct sample_case *c, const struct scenario *s)
{
	struct desk d = rdp_in(c, s, SQL01, at(s, 2, 24, 10, 47), s->ip[QAX], 0);
	const struct host_proc *ps = spawn(&d, d.explorer, at(s, 2, 25, 0, 512), POWERSHELL, POWERSHELL_Q " ");

	static const struct act mssql = { "stop", "net", "MSSQLSERVER", "" };
	const struct host_proc *net = net_stop(&d, ps, at(s, 2, 26, 13, 88),
					       "\"C:\\Windows\\system32\\net.exe\" stop MSSQLSERVER /y",
					       "stop MSSQLSERVER /y", &mssql, 0);
	stopped_echo(&d, SQL01, at(s, 2, 26, 14, 230), "SQLSERVERAGENT", &mssql, net);
	stopped_echo(&d, SQL01, at(s, 2, 26, 16, 904), "MSSQLSERVER", &mssql, net);

	static const struct act express = { "stop", "powershell", "MSSQL$SQLEXPRESS", "" };
	const struct host_proc *p = direct(&d, ps, at(s, 2, 27, 30, 615), POWERSHELL,
					   POWERSHELL_Q " -NoProfile -Command \"Stop-Service -Name MSSQL$SQLEXPRESS -Force\"",
					   &express);
	stopped_echo(&d, SQL01, at(s, 2, 27, 32, 71), "MSSQL$SQLEXPRESS", &express, p);

	const struct host_proc *cmd = spawn(&d, ps, at(s, 2, 28, 0, 140), CMD, "\"C:\\Windows\\system32\\cmd.exe\" ");
	static const struct act writer = { "stop", "wmic", "SQLWriter", "" };
	p = direct(&d, cmd, at(s, 2, 28, 21, 333), "C:\\Windows\\System32\\wbem\\WMIC.exe",
		   "wmic  service where name='SQLWriter' call stopservice", &writer);
	stopped_echo(&d, SQL01, at(s, 2, 28, 22, 650), "SQLWriter", &writer, p);

	static const struct act kill = { "kill", "taskkill", "sqlservr.exe", "" };
	direct(&d, cmd, at(s, 2, 29, 2, 9), "C:\\Windows\\System32\\taskkill.exe", "taskkill  /F /IM sqlservr.exe", &kill);
	mark_lookalike(c, spawn(&d, cmd, at(s, 2, 30, 40, 777), "C:\\Windows\\System32\\netsh.exe", "netsh  trace stop"));

	struct case_event *e = host_service_state(c, s->host[SQL01], at(s, 2, 33, 10, 412), "MSSQLServerOLAPService",
						  HOST_STOPPED);
	mark_service(c, e, "stop", "MSSQLServerOLAPService", "", "", NULL);
	e = host_service_start_type(c, s->host[SQL01], at(s, 2, 33, 12, 18), "MSSQLSERVER", HOST_START_AUTO,
				    HOST_START_DISABLED, s->admin->sid);
	mark_service(c, e, "disable", "MSSQLSERVER", "", d.account, NULL);
	host_logoff(c, d.session, at(s, 2, 35, 0, 0));
}

/* WS01: a query, a quoted-letter stop Defender refuses, a caret-escaped net
 * stop inside cmd /c, and an echo that only prints. */
static void on_ws01(struct sample_case *c, const struct scenario *s)
{
	struct desk d = rdp_in(c, s, WS01, at(s, 2, 38, 20, 660), s->ip[QAX], 0);
	const struct host_proc *cmd = spawn(&d, d.explorer, at(s, 2, 39, 2, 301), CMD,
					    "\"C:\\Windows\\system32\\cmd.exe\" ");
	mark_lookalike(c, spawn(&d, cmd, at(s, 2, 39, 30, 58), SC, "sc  query WinDefend"));

	/* Tamper protection refuses: no 7036 follows. */
	static const struct act defender = { "stop", "sc", "WinDefend", "" };
	direct(&d, cmd, at(s, 2, 40, 5, 912), SC, "sc  st\"o\"p WinDefend", &defender);

	static const struct act sep = { "stop", "net", "SepMasterService", "" };
	const struct host_proc *wrapper = spawn(&d, d.explorer, at(s, 2, 41, 10, 5), CMD,
						"cmd.exe /c n^et stop SepMasterService");
	mark_process(&d, wrapper, "launcher", &sep);
	const struct host_proc *net = net_stop(&d, wrapper, at(s, 2, 41, 10, 36), "net  stop SepMasterService",
					       "stop SepMasterService", &sep, 0);
	stopped_echo(&d, WS01, at(s, 2, 41, 12, 488), "SepMasterService", &sep, net);

	mark_lookalike(c, spawn(&d, d.explorer, at(s, 2, 42, 30, 150), CMD, "cmd /c echo net stop spooler"));
	host_logoff(c, d.session, at(s, 2, 44, 0, 0));
}

/* WS02: PowerShell in every form (pipeline, alias, Set-Service, encoded),
 * a registry disable, and a start-type change back to automatic. */
static void on_ws02(struct sample_case *c, const struct scenario *s)
{
	struct desk d = rdp_in(c, s, WS02, at(s, 2, 47, 0, 222), s->ip[QAX], 0);
	const struct host_proc *ps = spawn(&d, d.explorer, at(s, 2, 47, 40, 906), POWERSHELL, POWERSHELL_Q " ");

	static const struct act veeam = { "stop", "powershell", "Veeam*", "" };
	const struct host_proc *p = direct(&d, ps, at(s, 2, 48, 15, 340), POWERSHELL,
					   POWERSHELL_Q " -Command \"Get-Service Veeam* | Stop-Service\"", &veeam);
	stopped_echo(&d, WS02, at(s, 2, 48, 18, 12), "VeeamEndpointBackupSvc", &veeam, p);

	static const struct act backup = { "stop", "powershell", "SDRSVC", "" };
	p = direct(&d, ps, at(s, 2, 49, 2, 771), POWERSHELL, POWERSHELL_Q " -NoProfile -Command \"spsv SDRSVC\"", &backup);
	stopped_echo(&d, WS02, at(s, 2, 49, 3, 420), "SDRSVC", &backup, p);

	static const struct act center = { "disable", "powershell", "wscsvc", "" };
	p = direct(&d, ps, at(s, 2, 49, 50, 64), POWERSHELL,
		   POWERSHELL_Q " -Command \"Set-Service -Name wscsvc -StartupType Disabled\"", &center);
	struct case_event *e = host_service_start_type(c, s->host[WS02], at(s, 2, 49, 51, 202), "wscsvc",
						       HOST_START_AUTO, HOST_START_DISABLED, s->admin->sid);
	mark_service(c, e, "disable", "wscsvc", "powershell", d.account, p);

	static const struct act encoded = { "stop", "powershell", "SepMasterService", "" };
	p = direct(&d, d.explorer, at(s, 2, 50, 30, 480), POWERSHELL,
		   case_printf(c, "powershell -EncodedCommand %s",
			       base64_utf16le(c, "Stop-Service -Name SepMasterService -Force")), &encoded);
	stopped_echo(&d, WS02, at(s, 2, 50, 32, 950), "SepMasterService", &encoded, p);

	const struct host_proc *cmd = spawn(&d, d.explorer, at(s, 2, 51, 40, 18), CMD, "\"C:\\Windows\\system32\\cmd.exe\" ");
	static const struct act reg = { "disable", "reg", "WinDefend", "" };
	direct(&d, cmd, at(s, 2, 52, 5, 601), "C:\\Windows\\System32\\reg.exe",
	       "reg  add HKLM\\SYSTEM\\CurrentControlSet\\Services\\WinDefend /v Start /t REG_DWORD /d 4 /f", &reg);
	mark_lookalike(c, spawn(&d, cmd, at(s, 2, 53, 10, 330), SC, "sc  config wuauserv start= auto"));
	host_service_start_type(c, s->host[WS02], at(s, 2, 53, 10, 470), "wuauserv", HOST_START_DEMAND,
				HOST_START_AUTO, s->admin->sid);
	host_logoff(c, d.session, at(s, 2, 55, 0, 0));
}

/* Bob opens his own notes in the morning; the file name is the only match. */
static void bobs_notes(struct sample_case *c, const struct scenario *s)
{
	const struct host_proc *shell = s->user_shell[WS02];
	if (!shell)
		return;
	mark_lookalike(c, host_process(c, shell->session, shell, at(s, 9, 14, 7, 310), "C:\\Windows\\System32\\notepad.exe",
				       "notepad.exe \"C:\\Users\\bob\\Documents\\net stop plan.txt\"", 0));
}

void intrusion_build(struct sample_case *c, struct scenario *s)
{
	on_qax(c, s);
	on_fs01(c, s);
	on_sql01(c, s);
	on_ws01(c, s);
	on_ws02(c, s);
	bobs_notes(c, s);
}
