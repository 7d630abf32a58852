/* host.c: Windows log events of logons, processes and services, with the
 * providers, field layouts, value types and localized texts Windows uses. */
#include "host.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "evtx_encode.h"
#include "filetime.h"

#define SECURITY_PROVIDER "Microsoft-Windows-Security-Auditing"
#define SECURITY_GUID "{54849625-5478-4994-A5BA-3E3B0328C30D}"
#define SCM_PROVIDER "Service Control Manager"
#define SCM_GUID "{555908D1-A6D7-4695-8E1E-26931D2012F4}"
#define SYSMON_PROVIDER "Microsoft-Windows-Sysmon"
#define SYSMON_GUID "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"
#define SYSMON_CHANNEL "Microsoft-Windows-Sysmon/Operational"
#define KERNEL_GENERAL_PROVIDER "Microsoft-Windows-Kernel-General"
#define KERNEL_GENERAL_GUID "{A68CA8B7-004F-D7B6-A698-07E2DE0F1F5D}"

#define NULL_SID "S-1-0-0"
#define SYSTEM_SID "S-1-5-18"
#define LOCAL_SERVICE_SID "S-1-5-19"
#define SYSTEM_LOGON_ID 0x3e7
#define SCM_QUALIFIERS 16384
#define KEYWORDS_SCM (EVTX_KEYWORD_RESERVED_63 | EVTX_KEYWORD_CLASSIC)
#define KEYWORDS_AUDIT (EVTX_KEYWORD_RESERVED_63 | EVTX_KEYWORD_AUDIT_SUCCESS)
#define MS_PRODUCT "Microsoft\u00ae Windows\u00ae Operating System"
#define MS_COMPANY "Microsoft Corporation"

const struct case_account host_system_account = { "NT AUTHORITY", "SYSTEM", SYSTEM_SID };

/* ---- Common event headers ---------------------------------------------- */

static uint32_t pick_pid(struct sample_case *c)
{
	return (uint32_t)case_range(c, 0x40, 0xfff) * 4;
}

/* About half of the records are written a little after the event happens. */
static uint64_t pick_write_delay(struct sample_case *c)
{
	if (case_chance(c, 55))
		return 0;
	if (case_chance(c, 92))
		return case_range(c, 1, 400) * FILETIME_MS;
	return case_range(c, 1, 90) * FILETIME_SECOND;
}

static struct case_event *event_new(struct sample_case *c, int host, enum case_log log, uint64_t t, uint16_t id)
{
	struct case_event *e = case_event_new(c, host, log, t);
	if (!e)
		return NULL;
	e->ev.event_id = id;
	e->ev.thread_id = pick_pid(c);
	e->write_delay = pick_write_delay(c);
	return e;
}

static struct case_event *security_event(struct sample_case *c, int host, uint64_t t, uint16_t id, uint8_t version,
					 uint16_t task)
{
	struct case_event *e = event_new(c, host, CASE_LOG_SECURITY, t, id);
	if (!e)
		return NULL;
	e->ev.provider = SECURITY_PROVIDER;
	e->ev.provider_guid = SECURITY_GUID;
	e->ev.channel = "Security";
	e->ev.version = version;
	e->ev.level = EVTX_LEVEL_LOG_ALWAYS;
	e->ev.task = task;
	e->ev.keywords = KEYWORDS_AUDIT;
	e->ev.process_id = c->hosts[host].lsass_pid;
	e->ev.nul_terminated = 1;
	return e;
}

static struct case_event *scm_event(struct sample_case *c, int host, uint64_t t, uint16_t id, const char *sid)
{
	struct case_event *e = event_new(c, host, CASE_LOG_SYSTEM, t, id);
	if (!e)
		return NULL;
	e->ev.provider = SCM_PROVIDER;
	e->ev.provider_guid = SCM_GUID;
	e->ev.channel = "System";
	e->ev.qualifiers = SCM_QUALIFIERS;
	e->ev.level = EVTX_LEVEL_INFO;
	e->ev.keywords = KEYWORDS_SCM;
	e->ev.process_id = c->hosts[host].services_pid;
	e->ev.user_sid = sid;
	return e;
}

static struct case_event *sysmon_event(struct sample_case *c, int host, uint64_t t, uint16_t id, uint8_t version)
{
	struct case_event *e = event_new(c, host, CASE_LOG_SYSMON, t, id);
	if (!e)
		return NULL;
	e->ev.provider = SYSMON_PROVIDER;
	e->ev.provider_guid = SYSMON_GUID;
	e->ev.channel = SYSMON_CHANNEL;
	e->ev.version = version;
	e->ev.level = EVTX_LEVEL_INFO;
	e->ev.task = id;
	e->ev.keywords = EVTX_KEYWORD_RESERVED_63;
	e->ev.process_id = c->hosts[host].sysmon_pid;
	e->ev.user_sid = SYSTEM_SID;
	/* The Sysmon service writes a few milliseconds after the fact. */
	e->write_delay = case_range(c, 1, 30) * FILETIME_MS;
	return e;
}

/* ---- Identifiers -------------------------------------------------------- */

static const char *random_guid(struct sample_case *c, uint32_t first)
{
	uint64_t r = case_rand(c);
	return case_printf(c, "{%08X-%04X-%04X-%04X-%012llX}", first, (unsigned)(r & 0xffff),
			   (unsigned)(r >> 16 & 0xffff), (unsigned)(r >> 32 & 0xffff),
			   (unsigned long long)(case_rand(c) & 0xffffffffffffULL));
}

/* Sysmon process and logon GUIDs start with a per-machine value. */
static uint32_t machine_guid_part(int host)
{
	return 0x5aa13a44u + (uint32_t)host * 0x01010101u;
}

const char *host_account_text(struct sample_case *c, const struct case_account *a)
{
	return case_printf(c, "%s\\%s", a->domain, a->name);
}

/* The subject a 4688/4697 names for a session: the computer account for SYSTEM. */
static void subject_fields(struct sample_case *c, struct case_event *e, const struct host_session *s)
{
	const struct case_host *h = &c->hosts[s->host];
	if (s->machine) {
		case_field_sid(c, e, "SubjectUserSid", SYSTEM_SID);
		case_field_str(c, e, "SubjectUserName", case_printf(c, "%s$", h->name));
		case_field_str(c, e, "SubjectDomainName", h->domain);
	} else {
		case_field_sid(c, e, "SubjectUserSid", s->account->sid);
		case_field_str(c, e, "SubjectUserName", s->account->name);
		case_field_str(c, e, "SubjectDomainName", s->account->domain);
	}
	case_field_num(c, e, "SubjectLogonId", EVTX_VALUE_HEX_INT64, s->logon_id);
}

/* ---- Sessions ----------------------------------------------------------- */

static struct host_session *session_new(struct sample_case *c, int host, const struct case_account *a,
					enum host_logon_type type, uint64_t logon_id, int privileged)
{
	struct host_session *s = case_alloc(c, sizeof(*s));
	if (!s)
		return NULL;
	s->host = host;
	s->account = a;
	s->type = type;
	s->logon_id = logon_id;
	s->logon_guid = case_printf(c, "{%08X-%04X-%04X-%04X-%012llX}", machine_guid_part(host),
				    (unsigned)case_range(c, 0, 0xffff), (unsigned)case_range(c, 0, 0xffff),
				    (unsigned)(logon_id & 0xffff), (unsigned long long)(logon_id >> 16));
	s->integrity = privileged ? HOST_INTEGRITY_HIGH : HOST_INTEGRITY_MEDIUM;
	s->elevation = privileged ? HOST_ELEVATION_FULL : HOST_ELEVATION_LIMITED;
	s->terminal_session = type == HOST_LOGON_INTERACTIVE || type == HOST_LOGON_REMOTE_INTERACTIVE ?
			      (uint32_t)case_range(c, 1, 3) : 0;
	s->cwd = case_printf(c, "C:\\Users\\%s\\", a->name);
	return s;
}

const struct host_session *host_system_session(struct sample_case *c, int host)
{
	struct host_session *s = session_new(c, host, &host_system_account, HOST_LOGON_SERVICE,
					     SYSTEM_LOGON_ID, 1);
	if (!s)
		return NULL;
	s->machine = 1;
	s->integrity = HOST_INTEGRITY_SYSTEM;
	s->cwd = "C:\\Windows\\system32\\";
	return s;
}

static const char *privilege_list(const struct case_account *a)
{
	if (strcmp(a->sid, SYSTEM_SID) == 0)
		return "SeAssignPrimaryTokenPrivilege\r\n\t\t\tSeTcbPrivilege\r\n\t\t\tSeSecurityPrivilege\r\n"
		       "\t\t\tSeTakeOwnershipPrivilege\r\n\t\t\tSeLoadDriverPrivilege\r\n\t\t\tSeBackupPrivilege\r\n"
		       "\t\t\tSeRestorePrivilege\r\n\t\t\tSeDebugPrivilege\r\n\t\t\tSeAuditPrivilege\r\n"
		       "\t\t\tSeSystemEnvironmentPrivilege\r\n\t\t\tSeImpersonatePrivilege\r\n"
		       "\t\t\tSeDelegateSessionUserImpersonatePrivilege";
	return "SeSecurityPrivilege\r\n\t\t\tSeTakeOwnershipPrivilege\r\n\t\t\tSeLoadDriverPrivilege\r\n"
	       "\t\t\tSeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\tSeDebugPrivilege\r\n"
	       "\t\t\tSeSystemEnvironmentPrivilege\r\n\t\t\tSeImpersonatePrivilege\r\n"
	       "\t\t\tSeDelegateSessionUserImpersonatePrivilege";
}

static void add_4672(struct sample_case *c, const struct host_session *s, uint64_t t)
{
	struct case_event *e = security_event(c, s->host, t, 4672, 0, 12548);
	case_field_sid(c, e, "SubjectUserSid", s->account->sid);
	case_field_str(c, e, "SubjectUserName", s->account->name);
	case_field_str(c, e, "SubjectDomainName", s->account->domain);
	case_field_num(c, e, "SubjectLogonId", EVTX_VALUE_HEX_INT64, s->logon_id);
	case_field_str(c, e, "PrivilegeList", privilege_list(s->account));
}

/* Who reports the logon, per logon type. */
struct logon_source {
	const char *process_name;	/* NULL: the subject is the NULL SID (network logons) */
	const char *logon_process, *package;
};

static struct logon_source logon_source(enum host_logon_type type)
{
	switch (type) {
	case HOST_LOGON_INTERACTIVE:
	case HOST_LOGON_REMOTE_INTERACTIVE:
		return (struct logon_source){ "C:\\Windows\\System32\\winlogon.exe", "User32 ", "Negotiate" };
	case HOST_LOGON_BATCH:
		return (struct logon_source){ "C:\\Windows\\System32\\svchost.exe", "Advapi  ", "Negotiate" };
	case HOST_LOGON_SERVICE:
		return (struct logon_source){ "C:\\Windows\\System32\\services.exe", "Advapi  ", "Negotiate" };
	default:
		return (struct logon_source){ NULL, "Kerberos", "Kerberos" };
	}
}

static void add_4624_subject(struct sample_case *c, struct case_event *e, const struct host_session *s,
			     const struct logon_source *src)
{
	const struct case_host *h = &c->hosts[s->host];
	if (src->process_name) {
		case_field_sid(c, e, "SubjectUserSid", SYSTEM_SID);
		case_field_str(c, e, "SubjectUserName", case_printf(c, "%s$", h->name));
		case_field_str(c, e, "SubjectDomainName", h->domain);
		case_field_num(c, e, "SubjectLogonId", EVTX_VALUE_HEX_INT64, SYSTEM_LOGON_ID);
	} else {
		case_field_sid(c, e, "SubjectUserSid", NULL_SID);
		case_field_str(c, e, "SubjectUserName", "-");
		case_field_str(c, e, "SubjectDomainName", "-");
		case_field_num(c, e, "SubjectLogonId", EVTX_VALUE_HEX_INT64, 0);
	}
}

/* 4624: version 2 (27 fields), or version 1 (21 fields) on 2012 R2 hosts. */
static void add_4624(struct sample_case *c, const struct host_session *s, uint64_t t, const char *source_ip,
		     int privileged)
{
	const struct case_host *h = &c->hosts[s->host];
	int v1 = h->proc_layout == CASE_4688_V1;
	struct logon_source src = logon_source(s->type);
	int remote = s->type == HOST_LOGON_NETWORK || s->type == HOST_LOGON_REMOTE_INTERACTIVE;
	struct case_event *e = security_event(c, s->host, t, 4624, v1 ? 1 : 2, 12544);

	add_4624_subject(c, e, s, &src);
	case_field_sid(c, e, "TargetUserSid", s->account->sid);
	case_field_str(c, e, "TargetUserName", s->account->name);
	case_field_str(c, e, "TargetDomainName", s->account->domain);
	case_field_num(c, e, "TargetLogonId", EVTX_VALUE_HEX_INT64, s->logon_id);
	case_field_num(c, e, "LogonType", EVTX_VALUE_UINT32, s->type);
	case_field_str(c, e, "LogonProcessName", src.logon_process);
	case_field_str(c, e, "AuthenticationPackageName", src.package);
	case_field_str(c, e, "WorkstationName", remote ? "-" : h->name);
	case_field_guid(c, e, "LogonGuid", src.process_name ? "{00000000-0000-0000-0000-000000000000}" :
			random_guid(c, (uint32_t)case_rand(c)));
	case_field_str(c, e, "TransmittedServices", "-");
	case_field_str(c, e, "LmPackageName", "-");
	case_field_num(c, e, "KeyLength", EVTX_VALUE_UINT32, 0);
	case_field_num(c, e, "ProcessId", EVTX_VALUE_HEX_INT64, src.process_name ? c->hosts[s->host].services_pid : 0);
	case_field_str(c, e, "ProcessName", src.process_name ? src.process_name : "-");
	case_field_str(c, e, "IpAddress", source_ip ? source_ip : "-");
	case_field_str(c, e, "IpPort", source_ip ? case_printf(c, "%u", (unsigned)case_range(c, 49152, 65535)) : "-");
	case_field_str(c, e, "ImpersonationLevel", "%%1833");
	if (v1)
		return;
	case_field_str(c, e, "RestrictedAdminMode", s->type == HOST_LOGON_REMOTE_INTERACTIVE ? "%%1843" : "-");
	case_field_str(c, e, "TargetOutboundUserName", "-");
	case_field_str(c, e, "TargetOutboundDomainName", "-");
	case_field_str(c, e, "VirtualAccount", "%%1843");
	case_field_num(c, e, "TargetLinkedLogonId", EVTX_VALUE_HEX_INT64, 0);
	case_field_str(c, e, "ElevatedToken", privileged ? "%%1842" : "%%1843");
}

const struct host_session *host_logon(struct sample_case *c, int host, uint64_t t, const struct host_logon *l)
{
	uint64_t id = l->logon_id ? l->logon_id : case_range(c, 0x20000, 0x3ffffff);
	struct host_session *s = session_new(c, host, l->account, l->type, id, l->privileged);
	if (!s)
		return NULL;
	add_4624(c, s, t, l->source_ip, l->privileged);
	if (l->privileged)
		add_4672(c, s, t);
	return s;
}

void host_service_logon(struct sample_case *c, int host, uint64_t t, const struct case_account *a)
{
	uint64_t id = strcmp(a->sid, SYSTEM_SID) == 0 ? SYSTEM_LOGON_ID : 0;
	host_logon(c, host, t, &(struct host_logon){ a, HOST_LOGON_SERVICE, NULL, 1, id });
}

void host_logoff(struct sample_case *c, const struct host_session *s, uint64_t t)
{
	if (!s)
		return;
	struct case_event *e = security_event(c, s->host, t, 4634, 0, 12545);
	case_field_sid(c, e, "TargetUserSid", s->account->sid);
	case_field_str(c, e, "TargetUserName", s->account->name);
	case_field_str(c, e, "TargetDomainName", s->account->domain);
	case_field_num(c, e, "TargetLogonId", EVTX_VALUE_HEX_INT64, s->logon_id);
	case_field_num(c, e, "LogonType", EVTX_VALUE_UINT32, s->type);
}

/* ---- Processes ---------------------------------------------------------- */

/* Version resources of the programs the case runs (Sysmon copies them into event 1). */
struct image_info {
	const char *file;	/* lower case */
	const char *version, *description, *original;
};

static const struct image_info image_table[] = {
	{ "cmd.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Windows Command Processor", "Cmd.Exe" },
	{ "net.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Net Command", "net.exe" },
	{ "net1.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Net Command", "net1.exe" },
	{ "sc.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Service Control Manager Configuration Tool", "sc.exe" },
	{ "powershell.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Windows PowerShell", "PowerShell.EXE" },
	{ "wmic.exe", "10.0.17763.1 (WinBuild.160101.0800)", "WMI Commandline Utility", "wmic.exe" },
	{ "taskkill.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Terminates Processes", "taskkill.exe" },
	{ "reg.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Registry Console Tool", "reg.exe" },
	{ "findstr.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Find String (QGREP) Utility", "findstr.exe" },
	{ "notepad.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Notepad", "NOTEPAD.EXE" },
	{ "netsh.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Network Command Shell", "netsh.exe" },
	{ "explorer.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Windows Explorer", "EXPLORER.EXE" },
	{ "userinit.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Userinit Logon Application", "USERINIT.EXE" },
	{ "svchost.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Host Process for Windows Services", "svchost.exe" },
	{ "taskhostw.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Host Process for Windows Tasks", "taskhostw.exe" },
	{ "conhost.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Console Window Host", "CONHOST.EXE" },
	{ "whoami.exe", "10.0.17763.1 (WinBuild.160101.0800)", "whoami - displays logged on user information", "whoami.exe" },
	{ "ipconfig.exe", "10.0.17763.1 (WinBuild.160101.0800)", "IP Configuration Utility", "ipconfig.exe" },
	{ "gpupdate.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Microsoft\u00ae Windows\u00ae Group Policy Update Utility", "GPUpdate.exe" },
	{ "wbadmin.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Command Line Interface for Microsoft\u00ae BLB Backup", "WBADMIN.EXE" },
	{ "vssvc.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Microsoft\u00ae Volume Shadow Copy Service", "VSSVC.EXE" },
	{ "wmiprvse.exe", "10.0.17763.1 (WinBuild.160101.0800)", "WMI Provider Host", "Wmiprvse.exe" },
	{ "mpcmdrun.exe", "4.18.24010.12 (WinBuild.160101.0800)", "Microsoft Malware Protection Command Line Utility", "MpCmdRun.exe" },
	{ "wuauclt.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Windows Update", "wuauclt.exe" },
	{ "tiworker.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Windows Modules Installer Worker", "TiWorker.exe" },
	{ "backgroundtaskhost.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Background Task Host", "backgroundTaskHost.exe" },
	{ "runtimebroker.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Runtime Broker", "RuntimeBroker.exe" },
	{ "searchprotocolhost.exe", "7.0.17763.1 (WinBuild.160101.0800)", "Microsoft Windows Search Protocol Host", "SearchProtocolHost.exe" },
	{ "sppsvc.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Microsoft Software Protection Platform Service", "sppsvc.exe" },
	{ "dllhost.exe", "10.0.17763.1 (WinBuild.160101.0800)", "COM Surrogate", "dllhost.exe" },
	{ "mmc.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Microsoft Management Console", "MMC.EXE" },
	{ "mstsc.exe", "10.0.17763.1 (WinBuild.160101.0800)", "Remote Desktop Connection", "mstsc.exe" },
};

static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '\\');
	return slash ? slash + 1 : path;
}

static const struct image_info *image_info(const char *path)
{
	const char *name = file_name(path);
	for (size_t i = 0; i < sizeof(image_table) / sizeof(image_table[0]); i++)
		if (strcasecmp(image_table[i].file, name) == 0)
			return &image_table[i];
	return NULL;
}

/* Hashes that stay the same for the same program on every host. */
static const char *image_hashes(struct sample_case *c, const char *image)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const char *p = file_name(image); *p; p++)
		h = (h ^ (unsigned char)(*p | 0x20)) * 0x100000001b3ULL;
	char md5[33], sha[65];
	for (int i = 0; i < 32; i += 16)
		snprintf(md5 + i, sizeof(md5) - (size_t)i, "%016llX", (unsigned long long)case_mix(&h));
	for (int i = 0; i < 64; i += 16)
		snprintf(sha + i, sizeof(sha) - (size_t)i, "%016llX", (unsigned long long)case_mix(&h));
	return case_printf(c, "MD5=%s,SHA256=%s,IMPHASH=%016llX%016llX", md5, sha,
			   (unsigned long long)case_mix(&h), (unsigned long long)case_mix(&h));
}

static const char *integrity_sid(enum host_integrity i)
{
	static const char *const sids[] = { "S-1-16-4096", "S-1-16-8192", "S-1-16-12288", "S-1-16-16384" };
	return sids[i];
}

static const char *integrity_name(enum host_integrity i)
{
	static const char *const names[] = { "Low", "Medium", "High", "System" };
	return names[i];
}

/* 4688 in the layout of its host: 9, 13 or 15 fields. */
static struct case_event *add_4688(struct sample_case *c, const struct host_proc *p)
{
	const struct case_host *h = &c->hosts[p->host];
	const struct host_session *s = p->session;
	int v1 = h->proc_layout == CASE_4688_V1;
	int short13 = h->proc_layout == CASE_4688_V2_MIXED && case_chance(c, 35);
	struct case_event *e = security_event(c, p->host, p->time, 4688, v1 ? 1 : 2, 13312);

	subject_fields(c, e, s);
	case_field_num(c, e, "NewProcessId", EVTX_VALUE_SIZE, p->pid);
	case_field_str(c, e, "NewProcessName", p->image);
	case_field_str(c, e, "TokenElevationType", case_printf(c, "%%%%%d", (int)s->elevation));
	case_field_num(c, e, "ProcessId", EVTX_VALUE_SIZE, p->parent->pid);
	case_field_str(c, e, "CommandLine", p->command_line);
	if (v1)
		return e;
	case_field_sid(c, e, "TargetUserSid", NULL_SID);
	case_field_str(c, e, "TargetUserName", "-");
	case_field_str(c, e, "TargetDomainName", "-");
	case_field_num(c, e, "TargetLogonId", EVTX_VALUE_HEX_INT64, 0);
	if (short13)
		return e;
	case_field_str(c, e, "ParentProcessName", p->parent->image);
	case_field_sid(c, e, "MandatoryLabel", integrity_sid(s->integrity));
	return e;
}

/* Sysmon 1 in the field set of the host's Sysmon release. */
static struct case_event *add_sysmon1(struct sample_case *c, const struct host_proc *p)
{
	enum case_sysmon_layout layout = c->hosts[p->host].sysmon;
	const struct host_session *s = p->session;
	const struct image_info *info = image_info(p->image);
	char utc[32];
	struct case_event *e = sysmon_event(c, p->host, p->time + case_range(c, 1, 15) * FILETIME_MS, 1, 5);

	filetime_format_sysmon(p->time, utc, sizeof(utc));
	case_field_str(c, e, "RuleName", "-");
	case_field_str(c, e, "UtcTime", utc);
	case_field_guid(c, e, "ProcessGuid", p->guid);
	case_field_num(c, e, "ProcessId", EVTX_VALUE_UINT32, p->pid);
	case_field_str(c, e, "Image", p->image);
	case_field_str(c, e, "FileVersion", info ? info->version : "-");
	case_field_str(c, e, "Description", info ? info->description : "-");
	case_field_str(c, e, "Product", info ? MS_PRODUCT : "-");
	case_field_str(c, e, "Company", info ? MS_COMPANY : "-");
	if (layout >= CASE_SYSMON_22)
		case_field_str(c, e, "OriginalFileName", info ? info->original : "-");
	case_field_str(c, e, "CommandLine", p->command_line);
	case_field_str(c, e, "CurrentDirectory", s->cwd);
	case_field_str(c, e, "User", host_account_text(c, s->account));
	case_field_guid(c, e, "LogonGuid", s->logon_guid);
	case_field_num(c, e, "LogonId", EVTX_VALUE_HEX_INT64, s->logon_id);
	case_field_num(c, e, "TerminalSessionId", EVTX_VALUE_UINT32, s->terminal_session);
	case_field_str(c, e, "IntegrityLevel", integrity_name(s->integrity));
	case_field_str(c, e, "Hashes", image_hashes(c, p->image));
	case_field_guid(c, e, "ParentProcessGuid", p->parent->guid);
	case_field_num(c, e, "ParentProcessId", EVTX_VALUE_UINT32, p->parent->pid);
	case_field_str(c, e, "ParentImage", p->parent->image);
	case_field_str(c, e, "ParentCommandLine", p->parent->command_line);
	if (layout >= CASE_SYSMON_23)
		case_field_str(c, e, "ParentUser", host_account_text(c, p->parent->session->account));
	return e;
}

static struct host_proc *proc_new(struct sample_case *c, const struct host_session *s, const struct host_proc *parent,
				  uint64_t t, const char *image, const char *command_line, uint32_t pid)
{
	struct host_proc *p = case_alloc(c, sizeof(*p));
	if (!p)
		return NULL;
	p->host = s->host;
	p->time = t;
	p->pid = pid ? pid : pick_pid(c);
	p->image = case_str(c, image);
	p->command_line = case_str(c, command_line);
	p->guid = random_guid(c, machine_guid_part(s->host));
	p->session = s;
	p->parent = parent;
	return p;
}

const struct host_proc *host_running(struct sample_case *c, const struct host_session *s, const char *image,
				     const char *command_line)
{
	if (!s)
		return NULL;
	return proc_new(c, s, NULL, 0, image, command_line, 0);
}

const struct host_proc *host_process(struct sample_case *c, const struct host_session *s, const struct host_proc *parent,
				     uint64_t t, const char *image, const char *command_line, uint32_t pid)
{
	if (!s || !parent)
		return NULL;
	struct host_proc *p = proc_new(c, s, parent, t, image, command_line, pid);
	if (!p)
		return NULL;
	p->security = add_4688(c, p);
	if (c->hosts[s->host].sysmon != CASE_SYSMON_NONE)
		p->sysmon = add_sysmon1(c, p);
	return p;
}

void host_process_exit(struct sample_case *c, const struct host_proc *p, uint64_t t)
{
	char utc[32];
	if (!p || c->hosts[p->host].sysmon == CASE_SYSMON_NONE)
		return;
	struct case_event *e = sysmon_event(c, p->host, t, 5, 3);
	filetime_format_sysmon(t, utc, sizeof(utc));
	case_field_str(c, e, "RuleName", "-");
	case_field_str(c, e, "UtcTime", utc);
	case_field_guid(c, e, "ProcessGuid", p->guid);
	case_field_num(c, e, "ProcessId", EVTX_VALUE_UINT32, p->pid);
	case_field_str(c, e, "Image", p->image);
	case_field_str(c, e, "User", host_account_text(c, p->session->account));
}

/* ---- Services ------------------------------------------------------------- */

struct service_name {
	const char *key, *display, *display_zh;	/* display_zh NULL: not translated */
};

static const struct service_name service_table[] = {
	{ "wuauserv", "Windows Update", "Windows \u66f4\u65b0" },
	{ "BITS", "Background Intelligent Transfer Service", "\u540e\u53f0\u667a\u80fd\u4f20\u9001\u670d\u52a1" },
	{ "TrustedInstaller", "Windows Modules Installer", "Windows \u6a21\u5757\u5b89\u88c5\u7a0b\u5e8f" },
	{ "VSS", "Volume Shadow Copy", "\u5377\u5f71\u590d\u5236" },
	{ "swprv", "Microsoft Software Shadow Copy Provider", "Microsoft \u8f6f\u4ef6\u5377\u5f71\u590d\u5236\u63d0\u4f9b\u7a0b\u5e8f" },
	{ "wbengine", "Block Level Backup Engine Service", "\u5757\u7ea7\u522b\u5907\u4efd\u5f15\u64ce\u670d\u52a1" },
	{ "WinDefend", "Microsoft Defender Antivirus Service", "Microsoft Defender \u9632\u75c5\u6bd2\u670d\u52a1" },
	{ "wscsvc", "Security Center", "\u5b89\u5168\u4e2d\u5fc3" },
	{ "SDRSVC", "Windows Backup", "Windows \u5907\u4efd" },
	{ "WerSvc", "Windows Error Reporting Service", "Windows \u9519\u8bef\u62a5\u544a\u670d\u52a1" },
	{ "DsmSvc", "Device Setup Manager", "\u8bbe\u5907\u5b89\u88c5\u7ba1\u7406\u5668" },
	{ "UsoSvc", "Update Orchestrator Service", "\u66f4\u65b0 Orchestrator \u670d\u52a1" },
	{ "WinHttpAutoProxySvc", "WinHTTP Web Proxy Auto-Discovery Service", NULL },
	{ "sppsvc", "Software Protection", NULL },
	{ "msiserver", "Windows Installer", NULL },
	{ "LanmanServer", "Server", NULL },
	{ "Spooler", "Print Spooler", NULL },
	{ "VMTools", "VMware Tools", NULL },
	{ "BackupExecAgentAccelerator", "Backup Exec Agent Accelerator", NULL },
	{ "BackupExecVSSProvider", "Backup Exec VSS Provider", NULL },
	{ "MSSQLSERVER", "SQL Server (MSSQLSERVER)", NULL },
	{ "SQLSERVERAGENT", "SQL Server Agent (MSSQLSERVER)", NULL },
	{ "MSSQL$SQLEXPRESS", "SQL Server (SQLEXPRESS)", NULL },
	{ "SQLWriter", "SQL Server VSS Writer", NULL },
	{ "SQLBrowser", "SQL Server Browser", NULL },
	{ "MSSQLServerOLAPService", "SQL Server Analysis Services (MSSQLSERVER)", NULL },
	{ "SepMasterService", "Symantec Endpoint Protection", NULL },
	{ "VeeamEndpointBackupSvc", "Veeam Agent for Microsoft Windows", NULL },
	{ "VeeamDeploySvc", "Veeam Installer Service", NULL },
	{ "ZabbixAgent", "Zabbix Agent", NULL },
};

const char *host_service_display(const struct sample_case *c, int host, const char *key)
{
	for (size_t i = 0; i < sizeof(service_table) / sizeof(service_table[0]); i++) {
		const struct service_name *s = &service_table[i];
		if (strcmp(s->key, key) != 0)
			continue;
		if (c->hosts[host].locale == CASE_LOCALE_ZH && s->display_zh)
			return s->display_zh;
		return s->display;
	}
	return key;
}

static const char *state_text(const struct sample_case *c, int host, enum host_service_state state)
{
	int zh = c->hosts[host].locale == CASE_LOCALE_ZH;
	switch (state) {
	case HOST_RUNNING: return zh ? "\u6b63\u5728\u8fd0\u884c" : "running";
	case HOST_PAUSED: return zh ? "\u5df2\u6682\u505c" : "paused";
	default: return zh ? "\u5df2\u505c\u6b62" : "stopped";
	}
}

static const char *start_type_text(const struct sample_case *c, int host, enum host_start_type type)
{
	int zh = c->hosts[host].locale == CASE_LOCALE_ZH;
	switch (type) {
	case HOST_START_AUTO: return zh ? "\u81ea\u52a8\u542f\u52a8" : "auto start";
	case HOST_START_DEMAND: return zh ? "\u6309\u9700\u542f\u52a8" : "demand start";
	default: return zh ? "\u5df2\u7981\u7528" : "disabled";
	}
}

struct case_event *host_service_state(struct sample_case *c, int host, uint64_t t, const char *key,
				      enum host_service_state state)
{
	uint8_t binary[512];
	size_t n;
	const char *tag = case_printf(c, "%s/%d", key, (int)state);
	if (!tag || evtx_encode_utf16(tag, binary, sizeof(binary) - 2, &n) < 0)
		return NULL;
	binary[2 * n] = binary[2 * n + 1] = 0;

	struct case_event *e = scm_event(c, host, t, 7036, NULL);
	case_field_str(c, e, "param1", host_service_display(c, host, key));
	case_field_str(c, e, "param2", state_text(c, host, state));
	/* SCM carries the Binary's length as a value no Data element shows. */
	case_field_hidden(c, e, EVTX_VALUE_UINT32, 2 * n + 2);
	case_binary(c, e, binary, 2 * n + 2);
	return e;
}

struct case_event *host_service_start_type(struct sample_case *c, int host, uint64_t t, const char *key,
					   enum host_start_type from, enum host_start_type to, const char *sid)
{
	struct case_event *e = scm_event(c, host, t, 7040, sid);
	case_field_str(c, e, "param1", host_service_display(c, host, key));
	case_field_str(c, e, "param2", start_type_text(c, host, from));
	case_field_str(c, e, "param3", start_type_text(c, host, to));
	case_field_str(c, e, "param4", key);
	return e;
}

void host_service_install(struct sample_case *c, const struct host_session *s, uint64_t t, const char *key,
			  const char *image_path, enum host_start_type start, const char *run_as)
{
	int host = s->host;
	int zh = c->hosts[host].locale == CASE_LOCALE_ZH;
	struct case_event *e = scm_event(c, host, t, 7045, s->account->sid);
	case_field_str(c, e, "ServiceName", host_service_display(c, host, key));
	case_field_str(c, e, "ImagePath", image_path);
	case_field_str(c, e, "ServiceType", zh ? "\u7528\u6237\u6a21\u5f0f\u670d\u52a1" : "user mode service");
	case_field_str(c, e, "StartType", start_type_text(c, host, start));
	case_field_str(c, e, "AccountName", run_as);

	e = security_event(c, host, t, 4697, 0, 12289);
	subject_fields(c, e, s);
	case_field_str(c, e, "ServiceName", key);
	case_field_str(c, e, "ServiceFileName", image_path);
	case_field_num(c, e, "ServiceType", EVTX_VALUE_HEX_INT32, 0x10);
	case_field_num(c, e, "ServiceStartType", EVTX_VALUE_UINT32, start);
	case_field_str(c, e, "ServiceAccount", run_as);
}

void host_time_change(struct sample_case *c, int host, uint64_t t, int64_t delta)
{
	struct case_event *e = event_new(c, host, CASE_LOG_SYSTEM, t, 1);
	if (!e)
		return;
	e->ev.provider = KERNEL_GENERAL_PROVIDER;
	e->ev.provider_guid = KERNEL_GENERAL_GUID;
	e->ev.channel = "System";
	e->ev.version = 2;
	e->ev.level = EVTX_LEVEL_INFO;
	e->ev.task = 1;
	e->ev.keywords = EVTX_KEYWORD_RESERVED_63 | 0x10;
	e->ev.process_id = 4;
	e->ev.user_sid = LOCAL_SERVICE_SID;
	case_field_num(c, e, "NewTime", EVTX_VALUE_FILETIME, t);
	case_field_num(c, e, "OldTime", EVTX_VALUE_FILETIME, (uint64_t)((int64_t)t - delta));
	case_field_num(c, e, "Reason", EVTX_VALUE_UINT32, 1);
	case_field_str(c, e, "ProcessName", "\\Device\\HarddiskVolume2\\Windows\\System32\\svchost.exe");
	case_field_num(c, e, "ProcessID", EVTX_VALUE_UINT32, pick_pid(c));
}
