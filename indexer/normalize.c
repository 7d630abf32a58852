/* normalize.c: decoded records to process and service rows, by field name. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "convert.h"
#include "normalize.h"
#include "text.h"

#define PROVIDER_SECURITY "Microsoft-Windows-Security-Auditing"
#define PROVIDER_SYSMON "Microsoft-Windows-Sysmon"
#define PROVIDER_SCM "Service Control Manager"

struct opt_int normalize_int(const char *s)
{
	struct opt_int r = { 0, 0 };
	uint64_t v;
	if (s && *s && convert_int(s, &v) == 0) {
		r.has = 1;
		r.v = (int64_t)v;
	}
	return r;
}

const char *normalize_elevation(const char *s)
{
	if (!s || !*s)
		return NULL;
	if (!strcmp(s, "%%1936"))
		return "full";
	if (!strcmp(s, "%%1937"))
		return "elevated";
	if (!strcmp(s, "%%1938"))
		return "limited";
	return s;
}

const char *normalize_integrity(const char *s)
{
	static const struct { const char *sid, *word; } labels[] = {
		{ "S-1-16-0", "untrusted" }, { "S-1-16-4096", "low" }, { "S-1-16-8192", "medium" },
		{ "S-1-16-8448", "medium" }, { "S-1-16-12288", "high" }, { "S-1-16-16384", "system" },
		{ "S-1-16-20480", "protected" },
	};
	static const char *const words[] = { "untrusted", "low", "medium", "high", "system", "protected" };
	if (!s || !*s || !strcmp(s, "-"))
		return NULL;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcasecmp(s, labels[i].sid))
			return labels[i].word;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i]))
			return words[i];
	return s;
}

/* A field that is absent, empty or the "-" placeholder is NULL. */
static const char *field(const struct evtx_event *ev, const char *name)
{
	const char *v = evtx_event_field(ev, name);
	return v && *v && strcmp(v, "-") != 0 ? v : NULL;
}

/* DOMAIN\user from the two fields; NULL when the user is absent. */
static const char *join_account(const struct evtx_event *ev, const char *domain_field,
				const char *user_field, char *buf, size_t len)
{
	const char *user = field(ev, user_field), *dom = field(ev, domain_field);
	if (!user)
		return NULL;
	if (dom)
		snprintf(buf, len, "%s\\%s", dom, user);
	else
		snprintf(buf, len, "%s", user);
	return buf;
}

static void process_4688(const struct evtx_event *ev, struct norm_process *p)
{
	p->source = "4688";
	p->pid = normalize_int(field(ev, "NewProcessId"));
	p->ppid = normalize_int(field(ev, "ProcessId"));
	p->image = field(ev, "NewProcessName");
	p->parent_image = field(ev, "ParentProcessName");
	p->command_line = field(ev, "CommandLine");
	p->sid = field(ev, "SubjectUserSid");
	p->logon_id = normalize_int(field(ev, "SubjectLogonId"));
	p->account = join_account(ev, "SubjectDomainName", "SubjectUserName", p->account_buf, sizeof(p->account_buf));
	p->target_sid = field(ev, "TargetUserSid");
	if (p->target_sid && !strcmp(p->target_sid, "S-1-0-0"))
		p->target_sid = NULL;
	p->target_logon_id = normalize_int(field(ev, "TargetLogonId"));
	if (p->target_logon_id.has && p->target_logon_id.v == 0)
		p->target_logon_id.has = 0;
	p->target_account = join_account(ev, "TargetDomainName", "TargetUserName", p->target_account_buf,
					 sizeof(p->target_account_buf));
	p->elevation = normalize_elevation(field(ev, "TokenElevationType"));
	p->integrity = normalize_integrity(field(ev, "MandatoryLabel"));
}

static void process_sysmon1(const struct evtx_event *ev, struct norm_process *p)
{
	p->source = "sysmon1";
	p->pid = normalize_int(field(ev, "ProcessId"));
	p->ppid = normalize_int(field(ev, "ParentProcessId"));
	p->image = field(ev, "Image");
	p->parent_image = field(ev, "ParentImage");
	p->command_line = field(ev, "CommandLine");
	p->parent_command_line = field(ev, "ParentCommandLine");
	p->current_directory = field(ev, "CurrentDirectory");
	p->account = field(ev, "User");
	p->logon_id = normalize_int(field(ev, "LogonId"));
	p->integrity = normalize_integrity(field(ev, "IntegrityLevel"));
	p->process_guid = field(ev, "ProcessGuid");
	p->parent_process_guid = field(ev, "ParentProcessGuid");
	p->logon_guid = field(ev, "LogonGuid");
	p->hashes = field(ev, "Hashes");
	p->original_file_name = field(ev, "OriginalFileName");
	p->parent_user = field(ev, "ParentUser");
	p->rule_name = field(ev, "RuleName");
}

/* 7036 Binary: UTF-16LE "<key name>/<state number>" and a NUL. */
static void key_from_binary(const char *hex, struct norm_service *s)
{
	uint8_t raw[512];
	long n;
	char *slash;
	if (!hex || !*hex || (n = text_hex_decode(hex, raw, sizeof(raw))) <= 0)
		return;
	text_utf16le_to_utf8(raw, (size_t)n, 1, s->key_buf, sizeof(s->key_buf));
	slash = strrchr(s->key_buf, '/');
	if (slash) {
		*slash = '\0';
		s->state_code = normalize_int(slash + 1);
	}
	if (s->key_buf[0])
		s->service_name = s->key_buf;
}

static void service_event(const struct evtx_event *ev, struct norm_service *s)
{
	const char *usid = ev->user_sid && *ev->user_sid ? ev->user_sid : NULL;
	switch (ev->event_id) {
	case 7036:
		s->display_name = field(ev, "param1");
		s->state = field(ev, "param2");
		key_from_binary(ev->binary, s);
		break;
	case 7040:
		s->display_name = field(ev, "param1");
		s->old_start_type = field(ev, "param2");
		s->new_start_type = field(ev, "param3");
		s->service_name = field(ev, "param4");
		s->sid = usid;
		break;
	case 7045:
		s->service_name = field(ev, "ServiceName");
		s->image_path = field(ev, "ImagePath");
		s->service_type = field(ev, "ServiceType");
		s->new_start_type = field(ev, "StartType");
		s->service_account = field(ev, "AccountName");
		s->sid = usid;
		break;
	case 4697:
		s->service_name = field(ev, "ServiceName");
		s->image_path = field(ev, "ServiceFileName");
		s->service_type = field(ev, "ServiceType");
		s->new_start_type = field(ev, "ServiceStartType");
		s->service_account = field(ev, "ServiceAccount");
		s->sid = field(ev, "SubjectUserSid");
		s->logon_id = normalize_int(field(ev, "SubjectLogonId"));
		s->account = join_account(ev, "SubjectDomainName", "SubjectUserName", s->account_buf,
					  sizeof(s->account_buf));
		break;
	}
}

/* The n-th field (0-based) when it is present and not a placeholder. */
static const char *nth(const struct evtx_event *ev, size_t n)
{
	const char *v = n < ev->n_fields ? ev->fields[n].value : NULL;
	return v && *v && strcmp(v, "-") != 0 ? v : NULL;
}

/* By name where the provider names its fields, else by position (older systems). */
static const char *param(const struct evtx_event *ev, const char *name, size_t pos)
{
	const char *v = field(ev, name);
	return v ? v : nth(ev, pos);
}

static const char *host_kind(const char *prov, uint32_t id)
{
	if (!strcmp(prov, "EventLog"))
		return id == 6005 ? "boot" : id == 6006 ? "shutdown" : id == 6008 ? "unexpected_shutdown" : NULL;
	if (!strcmp(prov, "Microsoft-Windows-Kernel-General"))
		return id == 12 ? "boot" : id == 13 ? "shutdown" : NULL;
	if (!strcmp(prov, "User32"))
		return id == 1074 ? "shutdown_request" : NULL;
	if (!strcmp(prov, "Microsoft-Windows-Eventlog"))
		return id == 1100 ? "shutdown" : (id == 104 || id == 1102) ? "log_cleared" : NULL;
	return NULL;
}

static void host_event(const struct evtx_event *ev, struct norm_host *h)
{
	if (ev->event_id == 1074) {
		const char *proc = param(ev, "param1", 0), *type = param(ev, "param5", 4);
		snprintf(h->buf, sizeof(h->buf), "%s%s%s", type ? type : "", type && proc ? " by " : "",
			 proc ? proc : "");
		h->detail = h->buf;
		h->account = param(ev, "param7", 6);
	} else if (ev->event_id == 104 || ev->event_id == 1102) {
		h->detail = ev->event_id == 104 ? field(ev, "Channel") : "Security";
		h->account = join_account(ev, "SubjectDomainName", "SubjectUserName", h->buf, sizeof(h->buf));
	}
}

/* Every event id normalize_event() looks at, whatever the provider. */
int normalize_wants_data(uint32_t event_id)
{
	switch (event_id) {
	case 1: case 12: case 13: case 104: case 1074: case 1100: case 1102: case 4688: case 4697:
	case 6005: case 6006: case 6008: case 7036: case 7040: case 7045:
		return 1;
	default:
		return 0;
	}
}

enum norm_kind normalize_event(const struct evtx_event *ev, struct norm *out)
{
	const char *prov = ev->provider ? ev->provider : "";
	const char *hk;
	memset(out, 0, sizeof(*out));
	if (!strcmp(prov, PROVIDER_SECURITY) && ev->event_id == 4688) {
		process_4688(ev, &out->p);
		out->kind = NORM_PROCESS;
	} else if (!strcmp(prov, PROVIDER_SYSMON) && ev->event_id == 1) {
		process_sysmon1(ev, &out->p);
		out->kind = NORM_PROCESS;
	} else if ((!strcmp(prov, PROVIDER_SCM) &&
		    (ev->event_id == 7036 || ev->event_id == 7040 || ev->event_id == 7045)) ||
		   (!strcmp(prov, PROVIDER_SECURITY) && ev->event_id == 4697)) {
		service_event(ev, &out->s);
		out->kind = NORM_SERVICE;
	} else if ((hk = host_kind(prov, ev->event_id)) != NULL) {
		out->h.kind = hk;
		host_event(ev, &out->h);
		out->kind = NORM_HOST;
	}
	return out->kind;
}

size_t normalize_strings(struct norm *n, const char **out[NORM_STRINGS_MAX])
{
	size_t k = 0;
	struct norm_process *p = &n->p;
	struct norm_service *v = &n->s;
	struct norm_host *h = &n->h;

	switch (n->kind) {
	case NORM_PROCESS: {
		const char **f[] = {
			&p->source, &p->image, &p->parent_image, &p->command_line, &p->parent_command_line,
			&p->current_directory, &p->sid, &p->target_sid, &p->integrity, &p->elevation,
			&p->process_guid, &p->parent_process_guid, &p->logon_guid, &p->hashes,
			&p->original_file_name, &p->parent_user, &p->rule_name, &p->account, &p->target_account,
		};
		_Static_assert(sizeof(f) / sizeof(f[0]) <= NORM_STRINGS_MAX, "NORM_STRINGS_MAX");
		for (; k < sizeof(f) / sizeof(f[0]); k++)
			out[k] = f[k];
		break;
	}
	case NORM_SERVICE: {
		const char **f[] = {
			&v->service_name, &v->display_name, &v->state, &v->old_start_type, &v->new_start_type,
			&v->image_path, &v->service_type, &v->service_account, &v->sid, &v->account,
		};
		for (; k < sizeof(f) / sizeof(f[0]); k++)
			out[k] = f[k];
		break;
	}
	case NORM_HOST:
		out[k++] = &h->kind;
		out[k++] = &h->detail;
		out[k++] = &h->account;
		break;
	case NORM_NONE:
		break;
	}
	return k;
}
