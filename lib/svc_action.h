/* svc_action.h: what a Windows process command line does to services (MITRE ATT&CK
 * T1489 Service Stop), derived by splitting and unwrapping it the way Windows would.
 *
 * One command line (Security 4688 CommandLine, Sysmon 1 CommandLine) yields zero or
 * more service actions. The line is split as the Microsoft C runtime builds argv
 * (backslash and quote rules; quotes inside a word are removed, so st"o"p is stop);
 * the program is resolved from argv[0] (bare name, name.exe, quoted or unquoted full
 * path, any case), or from the event's image path when argv[0] names no program this
 * module knows. Wrappers are unwrapped up to SVC_MAX_DEPTH levels: cmd.exe /c and /k
 * (with its quote rule, carets, &, &&, ||, |, parentheses, redirections, call, start,
 * if, for ... do), PowerShell -Command / bare script text / -EncodedCommand (base64 of
 * UTF-16LE), Invoke-Expression, Start-Process, Invoke-Command, psexec / paexec,
 * wmic process call create and WMI/CIM Win32_Process Create.
 *
 * Rules (rule, tool, verb):
 *   net_stop                 net         stop     net|net1 stop <svc>
 *   net_pause                net         pause    net|net1 pause <svc>
 *   sc_stop                  sc          stop     sc [\\host] stop <svc>
 *   sc_pause                 sc          pause    sc [\\host] pause <svc>
 *   sc_delete                sc          delete   sc [\\host] delete <svc>
 *   sc_config_disabled       sc          disable  sc [\\host] config <svc> start= disabled
 *                                                 (also start=disabled)
 *   ps_stop_service          powershell  stop     Stop-Service / spsv (name, display name,
 *                                                 input object or pipeline input)
 *   ps_suspend_service       powershell  pause    Suspend-Service
 *   ps_set_service_disabled  powershell  disable  Set-Service -StartupType Disabled
 *   ps_set_service_stopped   powershell  stop     Set-Service -Status Stopped
 *   ps_remove_service        powershell  delete   Remove-Service (pwsh only)
 *   ps_service_stop_method   powershell  stop     .Stop() on a ServiceController
 *                                                 (Get-Service, New-Object, ::new, $_ of
 *                                                 such a pipeline, a variable holding one)
 *   ps_service_pause_method  powershell  pause    .Pause() on a ServiceController
 *   ps_reg_start_disabled    powershell  disable  Set-ItemProperty / New-ItemProperty
 *                                                 ...\Services\<svc> Start 4
 *   wmi_stop_service         powershell  stop     .StopService(), Invoke-CimMethod /
 *                                                 Invoke-WmiMethod StopService
 *   wmi_disable              powershell  disable  ChangeStartMode Disabled, same ways
 *   wmi_delete               powershell  delete   Delete on a Win32_Service object
 *   wmic_stopservice         wmic        stop     wmic service ... call stopservice
 *   wmic_disable             wmic        disable  wmic service ... call ChangeStartMode Disabled
 *   wmic_delete              wmic        delete   wmic service ... delete / call delete
 *   taskkill_service         taskkill    kill     taskkill /IM <well-known service process>,
 *                                                 /FI "SERVICES eq X", /FI "IMAGENAME eq
 *                                                 <well-known service process>"
 *   reg_start_disabled       reg         disable  reg add ...\Services\<svc> /v Start /d 4
 *                                                 (/t REG_DWORD or no /t)
 *   reg_delete_service       reg         delete   reg delete ...\Services\<svc> (whole key)
 *
 * The service is written as given (quotes removed; a variable as "$name"; "" when the
 * command does not name it, e.g. Get-Service | Stop-Service). For taskkill /IM it is
 * the process image name as written (e.g. "sqlservr.exe"); taskkill counts with or
 * without /F (without it a service process refuses to close, but the intent is there).
 * A cmdlet with -WhatIf, or missing the value of a parameter, does nothing; so does a
 * bare "*" or "?" pattern given to taskkill /IM.
 *
 * Role: SVC_DIRECT when the process of this command line performs the action itself
 * (net.exe stop X, sc.exe, a cmdlet run by powershell, an encoded script, Invoke-
 * Expression); SVC_LAUNCHER when it starts another process that does (cmd /c net stop
 * X, a native net/sc run from a PowerShell script, Start-Process, psexec, wmic process
 * call create, Invoke-Command -ComputerName).
 *
 * why: the words that proved it, normalized: program base name and keywords in lower
 * case, operands (services, hosts, keys, WQL conditions) as written after quote
 * removal, one space between words, a word with white space in it between double
 * quotes. A wrapper adds its own words in front, ended by ": ", e.g.
 * "cmd /c: net stop vmtools" or
 * "powershell -encodedcommand: get-service Veeam* | stop-service".
 *
 * Windows PowerShell (powershell.exe) resolves a bare "sc" to its Set-Content alias,
 * so powershell -c "sc stop X" stops nothing; pwsh has no such alias and runs sc.exe.
 * Carets are cmd.exe syntax: they are removed inside cmd /c, not in a command line
 * that a process received directly.
 *
 * The functions keep no global state and may run in several threads at once.
 */
#ifndef SVC_ACTION_H
#define SVC_ACTION_H

#include <stddef.h>

/* Returned on out-of-memory. */
#define SVC_ENOMEM (-1)

/* Limits; input beyond them is ignored, never an error. */
#define SVC_MAX_INPUT	(128 * 1024)	/* bytes of one command line or script read */
#define SVC_MAX_DEPTH	6		/* nested wrappers (cmd, script, encoded, child) */
#define SVC_MAX_ACTIONS	4096		/* actions appended by one svc_parse call */

enum svc_role { SVC_DIRECT = 0, SVC_LAUNCHER = 1 };

struct svc_action {
	const char *rule;	/* static: one of the rule names listed above */
	const char *tool;	/* static: "net", "sc", "powershell", "wmic", "taskkill", "reg" */
	const char *verb;	/* static: "stop", "disable", "delete", "pause", "kill" */
	char *service;		/* owned; service as written, quotes removed; "" when not named */
	char *remote_host;	/* owned; "" for the local host; "fs01" for sc \\fs01 (leading
				 * backslashes stripped); also psexec \\host, wmic /node:,
				 * taskkill /S, Get-Service -ComputerName, Invoke-Command */
	char *why;		/* owned; the normalized words that proved it */
	enum svc_role role;
};

struct svc_actions {
	struct svc_action *v;
	size_t n, cap;
};

void svc_actions_init(struct svc_actions *a);

/* Frees every owned string and the array; a can be reused after svc_actions_init. */
void svc_actions_release(struct svc_actions *a);

/* Appends the actions that command_line performs. image (the process image path of
 * the event) may be NULL; command_line may be NULL (treated as ""). Strings are UTF-8
 * and NUL-terminated; only the first SVC_MAX_INPUT bytes are read. Returns 0, or
 * SVC_ENOMEM when out of memory (the actions appended before that stay in out and are
 * complete). Never reads outside the strings; any input is accepted. */
int svc_parse(const char *command_line, const char *image, struct svc_actions *out);

/* 1 when the textbook Sigma rule would fire: command_line contains "net stop" or
 * "sc stop" (ASCII case-insensitive, exactly one space), else 0. NULL gives 0. */
int svc_textbook_match(const char *command_line);

#endif
