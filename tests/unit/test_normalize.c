/* test_normalize.c: each event kind read by field name, whatever the layout. */
#include "check.h"
#include "normalize.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct evtx_event event(const char *provider, uint32_t id, const struct evtx_field *f, size_t n)
{
	struct evtx_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.provider = provider;
	ev.event_id = id;
	ev.channel = "Security";
	ev.computer = "QAX";
	ev.user_sid = "";
	ev.binary = "";
	ev.fields = f;
	ev.n_fields = n;
	return ev;
}

static void test_4688_v2_seed(void)
{
	/* The reference record of T1489-seed.md, fields in the version 2 order. */
	static const struct evtx_field f[] = {
		{ "SubjectUserSid", "S-1-5-21-1-2-3-500" }, { "SubjectUserName", "Administrator" },
		{ "SubjectDomainName", "QAX" }, { "SubjectLogonId", "0x7169C" },
		{ "NewProcessId", "0xd9c" }, { "NewProcessName", "C:\\Windows\\System32\\net.exe" },
		{ "TokenElevationType", "%%1936" }, { "ProcessId", "0x15d0" },
		{ "CommandLine", "net  stop vmtools" }, { "TargetUserSid", "S-1-0-0" },
		{ "TargetUserName", "-" }, { "TargetDomainName", "-" }, { "TargetLogonId", "0x0" },
		{ "ParentProcessName", "C:\\Windows\\System32\\cmd.exe" }, { "MandatoryLabel", "S-1-16-12288" },
	};
	struct evtx_event ev = event("Microsoft-Windows-Security-Auditing", 4688, f, N(f));
	struct norm n;
	CHECK_INT(normalize_event(&ev, &n), NORM_PROCESS);
	CHECK_STR(n.p.source, "4688");
	CHECK_INT(n.p.pid.v, 0xd9c);
	CHECK_INT(n.p.ppid.v, 0x15d0);
	CHECK_INT(n.p.logon_id.v, 0x7169c);
	CHECK_STR(n.p.account, "QAX\\Administrator");
	CHECK_STR(n.p.sid, "S-1-5-21-1-2-3-500");
	CHECK_STR(n.p.image, "C:\\Windows\\System32\\net.exe");
	CHECK_STR(n.p.parent_image, "C:\\Windows\\System32\\cmd.exe");
	CHECK_STR(n.p.command_line, "net  stop vmtools");
	CHECK_STR(n.p.elevation, "full");
	CHECK_STR(n.p.integrity, "high");
	CHECK_STR(n.p.target_sid, NULL);
	CHECK_STR(n.p.target_account, NULL);
	CHECK(!n.p.target_logon_id.has);
}

static void test_4688_layouts(void)
{
	/* Version 1 (9 fields, no parent image), in another order: names decide, not places. */
	static const struct evtx_field v1[] = {
		{ "CommandLine", "sc stop WinDefend" }, { "ProcessId", "0x4" },
		{ "SubjectUserName", "bob" }, { "SubjectDomainName", "CORP" }, { "SubjectUserSid", "S-1-5-21-9" },
		{ "SubjectLogonId", "0x3e7" }, { "NewProcessId", "0x10" }, { "NewProcessName", "C:\\sc.exe" },
		{ "TokenElevationType", "%%1938" },
	};
	/* Version 2 with 13 fields: no ParentProcessName, no MandatoryLabel; no CommandLine value. */
	static const struct evtx_field v2_13[] = {
		{ "SubjectUserSid", "S-1-5-18" }, { "SubjectUserName", "WS01$" }, { "SubjectDomainName", "QAX" },
		{ "SubjectLogonId", "0x3e7" }, { "NewProcessId", "0x1f0" }, { "NewProcessName", "C:\\x.exe" },
		{ "TokenElevationType", "%%1937" }, { "ProcessId", "0x4" }, { "CommandLine", "" },
		{ "TargetUserSid", "S-1-5-21-7" }, { "TargetUserName", "alice" }, { "TargetDomainName", "QAX" },
		{ "TargetLogonId", "0x99" },
	};
	struct evtx_event ev = event("Microsoft-Windows-Security-Auditing", 4688, v1, N(v1));
	struct norm n;
	CHECK_INT(normalize_event(&ev, &n), NORM_PROCESS);
	CHECK_STR(n.p.account, "CORP\\bob");
	CHECK_STR(n.p.command_line, "sc stop WinDefend");
	CHECK_STR(n.p.elevation, "limited");
	CHECK_STR(n.p.parent_image, NULL);
	CHECK_STR(n.p.integrity, NULL);
	CHECK_INT(n.p.logon_id.v, 999);

	ev = event("Microsoft-Windows-Security-Auditing", 4688, v2_13, N(v2_13));
	CHECK_INT(normalize_event(&ev, &n), NORM_PROCESS);
	CHECK_STR(n.p.command_line, NULL);
	CHECK_STR(n.p.elevation, "elevated");
	CHECK_STR(n.p.target_account, "QAX\\alice");
	CHECK_STR(n.p.target_sid, "S-1-5-21-7");
	CHECK_INT(n.p.target_logon_id.v, 0x99);
}

static void test_sysmon1(void)
{
	/* An older layout (no OriginalFileName, no ParentUser) and a newer one. */
	static const struct evtx_field old[] = {
		{ "UtcTime", "2019-05-16 14:17:15.753" }, { "ProcessGuid", "{A}" }, { "ProcessId", "3788" },
		{ "Image", "C:\\Windows\\System32\\reg.exe" }, { "CommandLine", "reg  add x" },
		{ "CurrentDirectory", "C:\\" }, { "User", "insecurebank\\Administrator" },
		{ "LogonGuid", "{L}" }, { "LogonId", "0x00000000000585e6" }, { "TerminalSessionId", "2" },
		{ "IntegrityLevel", "High" }, { "Hashes", "SHA1=00" }, { "ParentProcessGuid", "{P}" },
		{ "ParentProcessId", "3748" }, { "ParentImage", "C:\\Windows\\System32\\cmd.exe" },
		{ "ParentCommandLine", "cmd" },
	};
	static const struct evtx_field newer[] = {
		{ "RuleName", "-" }, { "UtcTime", "x" }, { "ProcessGuid", "{A}" }, { "ProcessId", "10" },
		{ "Image", "C:\\a.exe" }, { "OriginalFileName", "A.EXE" }, { "CommandLine", "a" },
		{ "User", "NT AUTHORITY\\SYSTEM" }, { "LogonId", "0x3e7" }, { "IntegrityLevel", "System" },
		{ "ParentProcessId", "4" }, { "ParentImage", "C:\\p.exe" }, { "ParentUser", "NT AUTHORITY\\SYSTEM" },
	};
	struct evtx_event ev = event("Microsoft-Windows-Sysmon", 1, old, N(old));
	struct norm n;
	CHECK_INT(normalize_event(&ev, &n), NORM_PROCESS);
	CHECK_STR(n.p.source, "sysmon1");
	CHECK_INT(n.p.pid.v, 3788);
	CHECK_INT(n.p.ppid.v, 3748);
	CHECK_INT(n.p.logon_id.v, 0x585e6);
	CHECK_STR(n.p.account, "insecurebank\\Administrator");
	CHECK_STR(n.p.sid, NULL);
	CHECK_STR(n.p.integrity, "high");
	CHECK_STR(n.p.parent_image, "C:\\Windows\\System32\\cmd.exe");
	CHECK_STR(n.p.original_file_name, NULL);
	ev = event("Microsoft-Windows-Sysmon", 1, newer, N(newer));
	CHECK_INT(normalize_event(&ev, &n), NORM_PROCESS);
	CHECK_STR(n.p.original_file_name, "A.EXE");
	CHECK_STR(n.p.parent_user, "NT AUTHORITY\\SYSTEM");
	CHECK_STR(n.p.rule_name, NULL);
	CHECK_STR(n.p.integrity, "system");
	/* Event id 1 of another provider is not a process creation. */
	ev = event("Microsoft-Windows-Kernel-General", 1, newer, N(newer));
	CHECK_INT(normalize_event(&ev, &n), NORM_NONE);
	ev = event("Microsoft-Windows-Sysmon", 4688, newer, N(newer));
	CHECK_INT(normalize_event(&ev, &n), NORM_NONE);
}

static void test_service_events(void)
{
	static const struct evtx_field f7036[] = { { "param1", "VMware Tools" }, { "param2", "已停止" } };
	static const struct evtx_field f7040[] = {
		{ "param1", "Volume Shadow Copy" }, { "param2", "demand start" },
		{ "param3", "disabled" }, { "param4", "VSS" },
	};
	static const struct evtx_field f7045[] = {
		{ "ServiceName", "PSEXESVC" }, { "ImagePath", "%SystemRoot%\\PSEXESVC.exe" },
		{ "ServiceType", "user mode service" }, { "StartType", "demand start" }, { "AccountName", "LocalSystem" },
	};
	static const struct evtx_field f4697[] = {
		{ "SubjectUserSid", "S-1-5-21-5" }, { "SubjectUserName", "Administrator" },
		{ "SubjectDomainName", "QAX" }, { "SubjectLogonId", "0x7169c" }, { "ServiceName", "evil" },
		{ "ServiceFileName", "C:\\e.exe" }, { "ServiceType", "0x10" }, { "ServiceStartType", "3" },
		{ "ServiceAccount", "LocalSystem" },
	};
	struct norm n;
	struct evtx_event ev = event("Service Control Manager", 7036, f7036, N(f7036));
	/* UTF-16LE "VMTools/1" and a NUL, as the 7036 Binary carries it. */
	ev.binary = "56004D0054006F006F006C0073002F0031000000";
	CHECK_INT(normalize_event(&ev, &n), NORM_SERVICE);
	CHECK_STR(n.s.service_name, "VMTools");
	CHECK_STR(n.s.display_name, "VMware Tools");
	CHECK_STR(n.s.state, "已停止");
	CHECK_INT(n.s.state_code.v, 1);
	CHECK_STR(n.s.sid, NULL);

	ev = event("Service Control Manager", 7040, f7040, N(f7040));
	ev.user_sid = "S-1-5-21-5";
	CHECK_INT(normalize_event(&ev, &n), NORM_SERVICE);
	CHECK_STR(n.s.service_name, "VSS");
	CHECK_STR(n.s.old_start_type, "demand start");
	CHECK_STR(n.s.new_start_type, "disabled");
	CHECK_STR(n.s.sid, "S-1-5-21-5");

	ev = event("Service Control Manager", 7045, f7045, N(f7045));
	CHECK_INT(normalize_event(&ev, &n), NORM_SERVICE);
	CHECK_STR(n.s.service_name, "PSEXESVC");
	CHECK_STR(n.s.image_path, "%SystemRoot%\\PSEXESVC.exe");
	CHECK_STR(n.s.service_account, "LocalSystem");
	CHECK_STR(n.s.new_start_type, "demand start");

	ev = event("Microsoft-Windows-Security-Auditing", 4697, f4697, N(f4697));
	CHECK_INT(normalize_event(&ev, &n), NORM_SERVICE);
	CHECK_STR(n.s.account, "QAX\\Administrator");
	CHECK_STR(n.s.sid, "S-1-5-21-5");
	CHECK_STR(n.s.image_path, "C:\\e.exe");
	CHECK_INT(n.s.logon_id.v, 0x7169c);

	/* 7036 of another provider is not ours. */
	ev = event("Other", 7036, f7036, N(f7036));
	CHECK_INT(normalize_event(&ev, &n), NORM_NONE);
}

static void test_host_events(void)
{
	/* 1074 as older systems write it: unnamed Data, by position. */
	static const struct evtx_field f1074[] = {
		{ "", "C:\\Windows\\system32\\winlogon.exe (WS01)" }, { "", "WS01" }, { "", "Other (Planned)" },
		{ "", "0x80000000" }, { "", "restart" }, { "", "" }, { "", "QAX\\alice" },
	};
	static const struct evtx_field f104[] = {
		{ "SubjectUserName", "bob" }, { "SubjectDomainName", "QAX" }, { "Channel", "System" },
	};
	struct norm n;
	struct evtx_event ev = event("User32", 1074, f1074, N(f1074));
	CHECK_INT(normalize_event(&ev, &n), NORM_HOST);
	CHECK_STR(n.h.kind, "shutdown_request");
	CHECK_STR(n.h.detail, "restart by C:\\Windows\\system32\\winlogon.exe (WS01)");
	CHECK_STR(n.h.account, "QAX\\alice");
	ev = event("EventLog", 6006, NULL, 0);
	CHECK_INT(normalize_event(&ev, &n), NORM_HOST);
	CHECK_STR(n.h.kind, "shutdown");
	ev = event("Microsoft-Windows-Kernel-General", 12, NULL, 0);
	CHECK_INT(normalize_event(&ev, &n), NORM_HOST);
	CHECK_STR(n.h.kind, "boot");
	ev = event("Microsoft-Windows-Eventlog", 104, f104, N(f104));
	CHECK_INT(normalize_event(&ev, &n), NORM_HOST);
	CHECK_STR(n.h.kind, "log_cleared");
	CHECK_STR(n.h.detail, "System");
	CHECK_STR(n.h.account, "QAX\\bob");
	ev = event("EventLog", 6013, NULL, 0);
	CHECK_INT(normalize_event(&ev, &n), NORM_NONE);
}

int main(void)
{
	test_host_events();
	test_4688_v2_seed();
	test_4688_layouts();
	test_sysmon1();
	test_service_events();
	CHECK_STR(normalize_integrity("S-1-16-4096"), "low");
	CHECK_STR(normalize_integrity("Medium"), "medium");
	CHECK_STR(normalize_elevation("%%1936"), "full");
	CHECK_STR(normalize_elevation(""), NULL);
	return check_exit();
}
