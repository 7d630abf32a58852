/* normalize.h: turns a decoded record into the rows the case database keeps.
 *
 * Event data is read by field name, never by position: Security 4688 (versions 0-2
 * and the 13-field variant), Sysmon 1 (every field layout), System 7036/7040/7045,
 * Security 4697; and the host events that put them in context: boots and shutdowns
 * (EventLog 6005/6006/6008, Kernel-General 12/13, User32 1074, Eventlog 1100) and
 * cleared logs (104, 1102). No SQLite and no printing here. */
#ifndef NORMALIZE_H
#define NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

enum norm_kind { NORM_NONE = 0, NORM_PROCESS, NORM_SERVICE, NORM_HOST };

/* An optional integer: has == 0 stores NULL. */
struct opt_int {
	int has;
	int64_t v;
};

#define NORM_ACCOUNT_MAX 512

struct norm_process {
	const char *source;	/* "4688" | "sysmon1" */
	struct opt_int pid, ppid, logon_id, target_logon_id;
	const char *image, *parent_image, *command_line, *parent_command_line, *current_directory;
	const char *sid, *target_sid;
	const char *integrity, *elevation;
	const char *process_guid, *parent_process_guid, *logon_guid, *hashes;
	const char *original_file_name, *parent_user, *rule_name;
	const char *account, *target_account;	/* point into the buffers below or fields */
	char account_buf[NORM_ACCOUNT_MAX], target_account_buf[NORM_ACCOUNT_MAX];
};

struct norm_service {
	const char *service_name, *display_name, *state, *old_start_type, *new_start_type;
	const char *image_path, *service_type, *service_account, *sid, *account;
	struct opt_int state_code, logon_id;
	char key_buf[512];	/* 7036 key name decoded from Binary */
	char account_buf[NORM_ACCOUNT_MAX];
};

/* Host lifecycle and log clearing: boots, shutdowns (and who asked), cleared logs. */
struct norm_host {
	const char *kind;	/* boot | shutdown | unexpected_shutdown | shutdown_request | log_cleared */
	const char *detail;	/* 1074: the process and shutdown type; 104/1102: the channel */
	const char *account;
	char buf[NORM_ACCOUNT_MAX];
};

struct norm {
	enum norm_kind kind;
	struct norm_process p;
	struct norm_service s;
	struct norm_host h;
};

/* 0 for an event id no kind above is made of (its EventData is not needed). */
int normalize_wants_data(uint32_t event_id);

/* Classifies ev and fills out; NULL strings mean "absent". Strings point into ev
 * or into out, valid while both are. Returns the kind (NORM_NONE for other events). */
enum norm_kind normalize_event(const struct evtx_event *ev, struct norm *out);

/* Points out[] at every string member of the part of n its kind uses (n->p,
 * n->s or n->h), so that a caller can copy a norm away from the event it points
 * into. Returns how many (0 for NORM_NONE). */
#define NORM_STRINGS_MAX 24
size_t normalize_strings(struct norm *n, const char **out[NORM_STRINGS_MAX]);

/* Parses a Windows integer field (hex "0x..", or decimal) into an optional int. */
struct opt_int normalize_int(const char *s);

/* "%%1936" -> "full", "%%1937" -> "elevated", "%%1938" -> "limited"; others as given. */
const char *normalize_elevation(const char *s);

/* Mandatory label SID (S-1-16-12288) or Sysmon level ("High") -> low|medium|high|system. */
const char *normalize_integrity(const char *s);

#endif
