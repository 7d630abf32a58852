/* svc_action.c: derives service actions from a Windows command line: CRT argv
 * splitting, cmd.exe and PowerShell unwrapping, and one rule set per tool. */

#include "svc_action.h"
#include "reader.h"

#include <assert.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS	8192		/* argv entries kept from one line */
#define MAX_WORK	(8u << 20)	/* bytes parsed over all levels of one svc_parse */
#define MAX_TEXT	(1u << 20)	/* any one built string */
#define PS_MAX_TOKENS	65536
#define PS_MAX_NEST	24		/* nested (), {}, $(), @() looked into */
#define PS_MAX_VARS	64
#define PS_OBJ_NAMES	8
#define PS_ARENA_MAX	(8u << 20)

/* Processes that run as services and that ransomware and intruders kill to free files
 * or blind defenders. Lower case, without ".exe"; '*' matches any run of characters. */
static const char *const service_processes[] = {
	/* databases */
	"sqlservr", "sqlagent", "sqlbrowser", "sqlwriter", "sqlceip", "msdtssrvr",
	"reportingservicesservice", "fdlauncher", "fdhost", "msmdsrv", "mysqld",
	"mysqld-nt", "mysqld-opt", "postgres", "pg_ctl", "oracle", "ocssd", "dbsnmp",
	"tnslsnr", "ocautoupds", "ocomm", "agntsvc", "dbeng50", "dbsrv*", "sqbcoreservice",
	"isqlplussvc", "xfssvccon", "mongod", "redis-server", "db2sysc", "qbdbmgrn",
	"qbidpservice", "qbcfmonitorservice", "fbserver", "fbguard",
	/* mail */
	"store", "msexchange*", "edgetransport", "umservice", "umworkerprocess",
	"microsoft.exchange.*", "mad",
	/* backup */
	"veeam*", "beserver", "beremote", "bengien", "benetns", "pvlsvr", "bedbh",
	"raw_agent_svc", "vsnapvss", "cvfwd", "cvd", "cvods", "acronis*", "acrsch2svc",
	"afcdpsrv", "arcserve*", "casad2dwebsvc", "cagservice", "ntbackup", "wbengine",
	"vssvc", "dsmcsvc", "backupexec*", "carbonite*", "crashplan*", "idrive*",
	/* security */
	"msmpeng", "mssense", "nissrv", "securityhealthservice", "mpdefendercoreservice",
	"savservice", "savadminservice", "sophos*", "mcshield", "mfemms", "mfevtps",
	"mfefire", "mcafee*", "masvc", "macmnsvc", "ccsvchst", "rtvscan", "smc", "sepwscsvc",
	"csfalconservice", "csfalconcontainer", "sentinelagent", "sentinelservicehost",
	"sentinelstaticengine", "ekrn", "avp", "avpsus", "klnagent", "ntrtscan", "tmlisten",
	"tmbmsrv", "tmccsf", "cyserver", "cb", "repmgr", "cylancesvc", "vsserv",
	"epsecurityservice", "avastsvc", "avgsvc",
	"fsav*", "fshoster*", "xagt", "taniumclient", "elastic-agent", "elastic-endpoint",
	/* logging */
	"sysmon", "sysmon64", "splunkd", "winlogbeat", "nxlog", "ossec-agent", "wazuh-agent",
	/* virtualisation */
	"vmtoolsd", "vmware-authd", "vmware-hostd", "vmms", "vmcompute", "vboxsvc",
};

/* ---- strings ------------------------------------------------------------------- */

/* A growable string, always NUL-terminated once non-empty, capped at max bytes;
 * appends past the cap are dropped, not errors. */
struct sbuf {
	char *p;
	size_t len, cap, max;
	int err;
};

static void sb_init(struct sbuf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = MAX_TEXT;
	b->err = 0;
}

static void sb_release(struct sbuf *b)
{
	free(b->p);
	sb_init(b);
}

static const char *sb_str(const struct sbuf *b)
{
	return b->p ? b->p : "";
}

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (n > b->max - b->len)
		n = b->max - b->len;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->err = SVC_ENOMEM;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_putc(struct sbuf *b, char ch)
{
	sb_putn(b, &ch, 1);
}

static void sb_lower(struct sbuf *b, const char *s)
{
	for (; *s; s++)
		sb_putc(b, (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s));
}

/* Appends a word for a why text: as is, or between double quotes when it is empty or
 * holds white space. */
static void sb_word(struct sbuf *b, const char *w)
{
	if (b->len)
		sb_putc(b, ' ');
	if (*w && !strpbrk(w, " \t\r\n")) {
		sb_puts(b, w);
		return;
	}
	sb_putc(b, '"');
	sb_puts(b, w);
	sb_putc(b, '"');
}

/* Appends one argument so that the C runtime splits it back into the same word. */
static void sb_arg(struct sbuf *b, const char *w)
{
	size_t slashes = 0;

	if (b->len)
		sb_putc(b, ' ');
	if (*w && !strpbrk(w, " \t\"")) {
		sb_puts(b, w);
		return;
	}
	sb_putc(b, '"');
	for (; *w; w++) {
		if (*w == '\\') {
			slashes++;
		} else {
			if (*w == '"') {
				for (size_t i = 0; i < slashes + 1; i++)
					sb_putc(b, '\\');
			}
			slashes = 0;
		}
		sb_putc(b, *w);
	}
	for (size_t i = 0; i < slashes; i++)
		sb_putc(b, '\\');
	sb_putc(b, '"');
}

static int lc(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

static int ieq(const char *a, const char *b)
{
	while (*a && lc((unsigned char)*a) == lc((unsigned char)*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

/* a[0..n) equals b, ignoring ASCII case. */
static int ieqn(const char *a, size_t n, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!b[i] || lc((unsigned char)a[i]) != lc((unsigned char)b[i]))
			return 0;
	return b[n] == '\0';
}

static int istarts(const char *s, const char *prefix)
{
	while (*prefix) {
		if (lc((unsigned char)*s) != lc((unsigned char)*prefix))
			return 0;
		s++;
		prefix++;
	}
	return 1;
}

static const char *istrstr(const char *hay, const char *needle)
{
	for (; *hay; hay++)
		if (istarts(hay, needle))
			return hay;
	return NULL;
}

static int is_space(int ch)
{
	return ch == ' ' || ch == '\t';
}

static int is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

/* Bytes of a dash at s: '-', or U+2013 en dash, U+2014 em dash, U+2015 horizontal
 * bar (E2 80 93..95 in UTF-8), which PowerShell also takes as a dash; else 0. */
static size_t dash_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] == '-')
		return 1;
	if (u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0x93 && u[2] <= 0x95)
		return 3;
	return 0;
}

/* Bytes of a switch prefix of a native tool ('/' or a dash), else 0. */
static size_t switch_len(const char *s)
{
	return *s == '/' ? 1 : dash_len(s);
}

/* Case-insensitive glob with '*' and '?', linear backtracking on the last '*'. */
static int glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *mark = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			mark = s;
		} else if (*pat && (*pat == '?' || lc((unsigned char)*pat) == lc((unsigned char)*s))) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++mark;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* ---- a chunked arena: strings whose addresses stay fixed until release ---------- */

struct ablock {
	struct ablock *next;
	size_t len, cap;
	char data[];
};

struct arena {
	struct ablock *head;
	size_t total;
	int err;		/* SVC_ENOMEM */
	int full;		/* PS_ARENA_MAX reached */
};

static void arena_release(struct arena *a)
{
	while (a->head) {
		struct ablock *next = a->head->next;
		free(a->head);
		a->head = next;
	}
	a->total = 0;
}

/* A NUL-terminated copy of s[0..n) that lives until arena_release; "" on failure. */
static const char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	struct ablock *b = a->head;
	char *p;

	if (a->err || a->full)
		return "";
	if (a->total + n + 1 > PS_ARENA_MAX) {
		a->full = 1;
		return "";
	}
	if (!b || b->cap - b->len < n + 1) {
		size_t cap = n + 1 > 65536 ? n + 1 : 65536;
		b = malloc(sizeof(*b) + cap);
		if (!b) {
			a->err = SVC_ENOMEM;
			return "";
		}
		b->len = 0;
		b->cap = cap;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->len;
	memcpy(p, s, n);
	p[n] = '\0';
	b->len += n + 1;
	a->total += n + 1;
	return p;
}

static const char *arena_str(struct arena *a, const struct sbuf *b)
{
	if (b->err)
		a->err = b->err;
	return arena_strndup(a, sb_str(b), b->len);
}

/* ---- actions --------------------------------------------------------------------- */

void svc_actions_init(struct svc_actions *a)
{
	a->v = NULL;
	a->n = a->cap = 0;
}

void svc_actions_release(struct svc_actions *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->v[i].service);
		free(a->v[i].remote_host);
		free(a->v[i].why);
	}
	free(a->v);
	svc_actions_init(a);
}

/* One parse: where actions go, the first error, the work done so far. */
struct ctx {
	struct svc_actions *out;
	size_t added;
	size_t work;
	int err;
};

/* Where a command line or script sits: how deep in wrappers, whether a child
 * process does what it says, the wrapper words for why, the host it runs on. */
struct frame {
	int depth;
	enum svc_role role;
	const char *via;	/* "" or "cmd /c: " ... */
	const char *host;	/* "" for the local host */
};

static char *dup_str(const char *s)
{
	size_t n = strlen(s);
	char *p = malloc(n + 1);

	if (p)
		memcpy(p, s, n + 1);
	return p;
}

static void emit(struct ctx *c, const struct frame *f, const char *rule, const char *tool,
		 const char *verb, const char *service, const char *host, const char *why)
{
	struct svc_actions *out = c->out;
	struct svc_action *a;
	struct sbuf w;

	if (c->err || c->added >= SVC_MAX_ACTIONS)
		return;
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 8;
		struct svc_action *v = realloc(out->v, cap * sizeof(*v));
		if (!v) {
			c->err = SVC_ENOMEM;
			return;
		}
		out->v = v;
		out->cap = cap;
	}
	sb_init(&w);
	sb_puts(&w, f->via);
	sb_puts(&w, why);
	a = &out->v[out->n];
	a->rule = rule;
	a->tool = tool;
	a->verb = verb;
	a->role = f->role;
	a->service = dup_str(service ? service : "");
	a->remote_host = dup_str(host && *host ? host : f->host);
	a->why = dup_str(sb_str(&w));
	sb_release(&w);
	if (!a->service || !a->remote_host || !a->why || w.err) {
		free(a->service);
		free(a->remote_host);
		free(a->why);
		c->err = SVC_ENOMEM;
		return;
	}
	out->n++;
	c->added++;
}

/* A child frame one level deeper; its via text lives in *via_buf. */
static void frame_child(struct frame *child, const struct frame *parent, enum svc_role role,
			const char *via_words, const char *host, struct sbuf *via_buf)
{
	sb_init(via_buf);
	sb_puts(via_buf, parent->via);
	if (via_words && *via_words) {
		sb_puts(via_buf, via_words);
		sb_puts(via_buf, ": ");
	}
	child->depth = parent->depth + 1;
	child->role = parent->role == SVC_LAUNCHER ? SVC_LAUNCHER : role;
	child->via = sb_str(via_buf);
	child->host = host && *host ? host : parent->host;
}

/* ---- argv as the Microsoft C runtime builds it ---------------------------------- */

struct args {
	char **v;
	size_t n, cap;
	size_t argv0_end;	/* offset in the line just past argv[0] */
	int err;
};

static void args_release(struct args *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

static void args_push(struct args *a, struct sbuf *w)
{
	char *s;

	if (w->err)
		a->err = w->err;
	if (a->err || a->n >= MAX_ARGS) {
		sb_release(w);
		return;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		char **v = realloc(a->v, cap * sizeof(*v));
		if (!v) {
			a->err = SVC_ENOMEM;
			sb_release(w);
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	s = w->p ? w->p : dup_str("");
	if (!s) {
		a->err = SVC_ENOMEM;
		return;
	}
	a->v[a->n++] = s;
	sb_init(w);
}

/* Splits s[0..len) into argv: argv[0] up to white space outside quotes, quotes
 * dropped; then 2n backslashes + '"' give n backslashes and toggle quoting, 2n+1
 * backslashes + '"' give n backslashes and a '"', "" inside quotes gives '"'. */
static int args_split(const char *s, size_t len, struct args *a)
{
	const char *p = s, *end = s + len;
	struct sbuf w;
	int inq = 0;

	memset(a, 0, sizeof(*a));
	sb_init(&w);
	while (p < end && is_space(*p))
		p++;
	if (p == end)
		return 0;
	while (p < end) {
		if (*p == '"') {
			inq = !inq;
			p++;
			continue;
		}
		if (!inq && is_space(*p))
			break;
		sb_putc(&w, *p++);
	}
	a->argv0_end = (size_t)(p - s);
	args_push(a, &w);
	inq = 0;
	for (;;) {
		while (p < end && is_space(*p))
			p++;
		if (p >= end)
			break;
		while (p < end) {
			size_t slashes = 0;
			while (p < end && *p == '\\') {
				slashes++;
				p++;
			}
			if (p < end && *p == '"') {
				for (size_t i = 0; i < slashes / 2; i++)
					sb_putc(&w, '\\');
				if (slashes % 2) {
					sb_putc(&w, '"');
					p++;
				} else if (inq && p + 1 < end && p[1] == '"') {
					sb_putc(&w, '"');
					p += 2;
				} else {
					inq = !inq;
					p++;
				}
				continue;
			}
			for (size_t i = 0; i < slashes; i++)
				sb_putc(&w, '\\');
			if (p >= end || (!inq && is_space(*p)))
				break;
			sb_putc(&w, *p++);
		}
		if (!w.p)
			sb_putn(&w, "", 0);
		args_push(a, &w);
	}
	sb_release(&w);
	return a->err;
}

/* ---- programs ------------------------------------------------------------------- */

enum prog {
	P_NONE, P_NET, P_SC, P_POWERSHELL, P_PWSH, P_WMIC, P_TASKKILL, P_REG, P_CMD, P_PSEXEC
};

static const struct {
	const char *name;
	enum prog prog;
} programs[] = {
	{ "net", P_NET }, { "net1", P_NET }, { "sc", P_SC },
	{ "powershell", P_POWERSHELL }, { "pwsh", P_PWSH }, { "wmic", P_WMIC },
	{ "taskkill", P_TASKKILL }, { "reg", P_REG }, { "cmd", P_CMD },
	{ "%comspec%", P_CMD }, { "psexec", P_PSEXEC }, { "psexec64", P_PSEXEC },
	{ "paexec", P_PSEXEC },
};

/* The program a path names: its base name (after the last '\', '/' or ':'), without
 * ".exe", in lower case, is written to base (size base_sz). */
static enum prog prog_resolve(const char *path, char *base, size_t base_sz)
{
	const char *b = path, *p;
	size_t n, i;

	for (p = path; *p; p++)
		if (*p == '\\' || *p == '/' || *p == ':')
			b = p + 1;
	n = strlen(b);
	if (n >= 4 && ieqn(b + n - 4, 4, ".exe"))
		n -= 4;
	base[0] = '\0';
	if (n == 0 || n >= base_sz)
		return P_NONE;
	for (i = 0; i < n; i++)
		base[i] = (char)lc((unsigned char)b[i]);
	base[n] = '\0';
	for (i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
		if (strcmp(base, programs[i].name) == 0)
			return programs[i].prog;
	return P_NONE;
}

static void run_line(struct ctx *c, const struct frame *f, const char *line, size_t len,
		     const char *image);
static void ps_script(struct ctx *c, const struct frame *f, const char *text, size_t len,
		      int pwsh);

/* ---- net / net1 ------------------------------------------------------------------ */

static void do_net(struct ctx *c, const struct frame *f, const char *prog, const struct args *a)
{
	const char *cmd = NULL, *svc = NULL, *rule, *verb;
	struct sbuf why;
	size_t i;

	for (i = 1; i < a->n; i++) {
		if (switch_len(a->v[i]))
			continue;
		if (!cmd) {
			cmd = a->v[i];
		} else {
			svc = a->v[i];
			break;
		}
	}
	if (!cmd || !svc || !*svc)
		return;
	if (ieq(cmd, "stop")) {
		rule = "net_stop";
		verb = "stop";
	} else if (ieq(cmd, "pause")) {
		rule = "net_pause";
		verb = "pause";
	} else {
		return;
	}
	sb_init(&why);
	sb_word(&why, prog);
	sb_word(&why, verb);
	sb_word(&why, svc);
	emit(c, f, rule, "net", verb, svc, "", sb_str(&why));
	sb_release(&why);
}

/* ---- sc ---------------------------------------------------------------------------- */

static void do_sc(struct ctx *c, const struct frame *f, const struct args *a)
{
	const char *host_w = NULL, *host = "", *cmd, *svc, *rule, *verb;
	struct sbuf why;
	size_t i = 1, j;
	int disabled = 0, joined = 0;

	if (i < a->n && a->v[i][0] == '\\' && a->v[i][1] == '\\') {
		host_w = a->v[i];
		host = host_w + strspn(host_w, "\\");
		i++;
	}
	if (i + 1 >= a->n)
		return;
	cmd = a->v[i];
	svc = a->v[i + 1];
	if (!*svc)
		return;
	if (ieq(cmd, "stop")) {
		rule = "sc_stop";
		verb = "stop";
	} else if (ieq(cmd, "pause")) {
		rule = "sc_pause";
		verb = "pause";
	} else if (ieq(cmd, "delete")) {
		rule = "sc_delete";
		verb = "delete";
	} else if (ieq(cmd, "config")) {
		for (j = i + 2; j < a->n; j++) {
			const char *val = NULL;
			int one = 0;
			if (ieq(a->v[j], "start=")) {
				val = j + 1 < a->n ? a->v[j + 1] : "";
			} else if (istarts(a->v[j], "start=")) {
				val = a->v[j] + 6;
				one = 1;
			}
			if (val) {
				disabled = ieq(val, "disabled");
				joined = one;
			}
		}
		if (!disabled)
			return;
		rule = "sc_config_disabled";
		verb = "disable";
	} else {
		return;
	}
	sb_init(&why);
	sb_word(&why, "sc");
	if (host_w)
		sb_word(&why, host_w);
	sb_word(&why, disabled ? "config" : verb);
	sb_word(&why, svc);
	if (disabled)
		sb_puts(&why, joined ? " start=disabled" : " start= disabled");
	emit(c, f, rule, "sc", verb, svc, host, sb_str(&why));
	sb_release(&why);
}

/* ---- taskkill ---------------------------------------------------------------------- */

/* 1 when an image name (or a taskkill wildcard pattern) names a process in
 * service_processes. */
static int service_process(const char *im)
{
	char buf[264];
	size_t n = strlen(im), i;
	int wild;

	if (n >= 4 && ieqn(im + n - 4, 4, ".exe"))
		n -= 4;
	if (n == 0 || n >= sizeof(buf))
		return 0;
	for (i = 0; i < n; i++)
		buf[i] = (char)lc((unsigned char)im[i]);
	buf[n] = '\0';
	wild = strpbrk(buf, "*?") != NULL;
	/* "*" and the like match everything; only a pattern with a real prefix counts */
	if (wild && strcspn(buf, "*?") < 3)
		return 0;
	for (i = 0; i < sizeof(service_processes) / sizeof(service_processes[0]); i++) {
		const char *e = service_processes[i];
		if (glob_match(e, buf))
			return 1;
		if (!wild)
			continue;
		if (!strchr(e, '*')) {
			if (glob_match(buf, e))
				return 1;
		} else {
			size_t pe = strcspn(e, "*"), pb = strcspn(buf, "*?");
			size_t m = pe < pb ? pe : pb;
			if (strncmp(e, buf, m) == 0)
				return 1;
		}
	}
	return 0;
}

static void do_taskkill(struct ctx *c, const struct frame *f, const struct args *a)
{
	const char *host = "", *host_w = NULL;
	int force = 0;
	size_t i;

	for (i = 1; i < a->n; i++) {
		size_t sl = switch_len(a->v[i]);
		const char *name = a->v[i] + sl;
		if (!sl)
			continue;
		if (ieq(name, "f")) {
			force = 1;
		} else if (ieq(name, "s") && i + 1 < a->n) {
			host_w = a->v[++i];
			host = host_w + strspn(host_w, "\\");
		} else if ((ieq(name, "u") || ieq(name, "pid") || ieq(name, "im") ||
			    ieq(name, "fi")) && i + 1 < a->n) {
			i++;
		} else if (ieq(name, "p") && i + 1 < a->n && !switch_len(a->v[i + 1])) {
			i++;
		}
	}
	for (i = 1; i + 1 < a->n; i++) {
		size_t sl = switch_len(a->v[i]);
		const char *name = a->v[i] + sl, *val = a->v[i + 1], *svc = NULL;
		int by_service = 0;
		struct sbuf why;
		if (!sl)
			continue;
		if (ieq(name, "s") || ieq(name, "u") || ieq(name, "pid")) {
			i++;
			continue;
		}
		if (ieq(name, "im")) {
			if (service_process(val))
				svc = val;
		} else if (ieq(name, "fi")) {
			/* "SERVICES eq X" or "IMAGENAME eq x.exe" */
			const char *p = val + strspn(val, " \t"), *k = p, *op;
			size_t kn, on;
			kn = strcspn(k, " \t");
			op = k + kn + strspn(k + kn, " \t");
			on = strcspn(op, " \t");
			p = op + on + strspn(op + on, " \t");
			if (ieqn(op, on, "eq") && *p) {
				by_service = ieqn(k, kn, "services");
				if (by_service || (ieqn(k, kn, "imagename") && service_process(p)))
					svc = p;
			}
		} else {
			continue;
		}
		i++;
		if (!svc)
			continue;
		sb_init(&why);
		sb_word(&why, "taskkill");
		if (host_w) {
			sb_word(&why, "/s");
			sb_word(&why, host_w);
		}
		if (force)
			sb_word(&why, "/f");
		if (ieq(name, "im")) {
			sb_word(&why, "/im");
			sb_word(&why, svc);
		} else {
			sb_word(&why, "/fi");
			sb_puts(&why, " \"");
			sb_puts(&why, by_service ? "services" : "imagename");
			sb_puts(&why, " eq ");
			sb_puts(&why, svc);
			sb_putc(&why, '"');
		}
		emit(c, f, "taskkill_service", "taskkill", "kill", svc, host, sb_str(&why));
		sb_release(&why);
	}
}

/* ---- reg --------------------------------------------------------------------------- */

/* 1 when key is a service's own key, HKLM\SYSTEM\(CurrentControlSet|ControlSetNNN)\
 * Services\<svc> (also HKEY_LOCAL_MACHINE, HKLM:, Registry::, \\host\ in front); the
 * service and host are written to svc and host. */
static int reg_service_key(const char *key, struct sbuf *svc, struct sbuf *host)
{
	const char *p = key, *comp[6];
	size_t clen[6], n = 0;

	if (istarts(p, "microsoft.powershell.core\\registry::"))
		p += 36;
	else if (istarts(p, "registry::"))
		p += 10;
	if (p[0] == '\\' && p[1] == '\\') {
		const char *h = p + strspn(p, "\\");
		size_t hn = strcspn(h, "\\/");
		if (host)
			sb_putn(host, h, hn);
		p = h + hn;
	}
	while (*p) {
		size_t len;
		p += strspn(p, "\\/");
		len = strcspn(p, "\\/");
		if (!len)
			break;
		if (n == 6)
			return 0;
		comp[n] = p;
		clen[n++] = len;
		p += len;
	}
	if (n != 5)
		return 0;
	if (!ieqn(comp[0], clen[0], "hklm") && !ieqn(comp[0], clen[0], "hklm:") &&
	    !ieqn(comp[0], clen[0], "hkey_local_machine") &&
	    !ieqn(comp[0], clen[0], "hkey_local_machine:"))
		return 0;
	if (!ieqn(comp[1], clen[1], "system") || !ieqn(comp[3], clen[3], "services"))
		return 0;
	if (!ieqn(comp[2], clen[2], "currentcontrolset") &&
	    !(clen[2] == 13 && istarts(comp[2], "controlset") && is_digit(comp[2][10]) &&
	      is_digit(comp[2][11]) && is_digit(comp[2][12])))
		return 0;
	sb_putn(svc, comp[4], clen[4]);
	return 1;
}

/* 1 when s is 4 written as reg.exe and PowerShell take a DWORD: decimal or 0x hex. */
static int is_four(const char *s)
{
	unsigned long v = 0;
	size_t digits = 0;

	s += strspn(s, " \t");
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (s += 2; *s && digits < 16; s++, digits++) {
			int d = lc((unsigned char)*s);
			if (is_digit(d))
				v = v * 16 + (unsigned long)(d - '0');
			else if (d >= 'a' && d <= 'f')
				v = v * 16 + (unsigned long)(d - 'a' + 10);
			else
				break;
		}
	} else {
		for (; is_digit(*s) && digits < 12; s++, digits++)
			v = v * 10 + (unsigned long)(*s - '0');
	}
	s += strspn(s, " \t");
	return digits > 0 && *s == '\0' && v == 4;
}

static void do_reg(struct ctx *c, const struct frame *f, const struct args *a)
{
	const char *op, *key, *vname = NULL, *type = NULL, *data = NULL;
	struct sbuf svc, host, why;
	int value_switch = 0;
	size_t i;

	if (a->n < 3)
		return;
	op = a->v[1];
	key = a->v[2];
	for (i = 3; i < a->n; i++) {
		size_t sl = switch_len(a->v[i]);
		const char *name = a->v[i] + sl;
		const char *next = i + 1 < a->n ? a->v[i + 1] : NULL;
		if (!sl)
			continue;
		if (ieq(name, "v")) {
			value_switch = 1;
			if (next) {
				vname = next;
				i++;
			}
		} else if (ieq(name, "ve") || ieq(name, "va")) {
			value_switch = 1;
		} else if (ieq(name, "t") && next) {
			type = next;
			i++;
		} else if (ieq(name, "d") && next) {
			data = next;
			i++;
		} else if (ieq(name, "s") && next) {
			i++;
		}
	}
	sb_init(&svc);
	sb_init(&host);
	sb_init(&why);
	if (ieq(op, "add")) {
		if (vname && ieq(vname, "start") && data && is_four(data) &&
		    (!type || ieq(type, "reg_dword") || ieq(type, "reg_dword_little_endian")) &&
		    reg_service_key(key, &svc, &host)) {
			sb_word(&why, "reg");
			sb_word(&why, "add");
			sb_word(&why, key);
			sb_puts(&why, " /v start");
			if (type)
				sb_puts(&why, " /t reg_dword");
			sb_puts(&why, " /d ");
			sb_puts(&why, data);
			if (svc.err || why.err || host.err)
				c->err = SVC_ENOMEM;
			emit(c, f, "reg_start_disabled", "reg", "disable", sb_str(&svc),
			     sb_str(&host), sb_str(&why));
		}
	} else if (ieq(op, "delete")) {
		if (!value_switch && reg_service_key(key, &svc, &host)) {
			sb_word(&why, "reg");
			sb_word(&why, "delete");
			sb_word(&why, key);
			if (svc.err || why.err || host.err)
				c->err = SVC_ENOMEM;
			emit(c, f, "reg_delete_service", "reg", "delete", sb_str(&svc),
			     sb_str(&host), sb_str(&why));
		}
	}
	sb_release(&svc);
	sb_release(&host);
	sb_release(&why);
}

/* ---- wmic -------------------------------------------------------------------------- */

static int ident_char(int ch)
{
	return is_alpha(ch) || is_digit(ch) || ch == '_';
}

/* The service a WQL condition or WMI object path names: the value compared with
 * Name (else DisplayName) by = or LIKE, quotes removed. */
static void wmi_filter_name(const char *text, struct sbuf *out)
{
	static const char *const keys[] = { "name", "displayname" };
	size_t k;

	for (k = 0; k < 2; k++) {
		const char *p = text;
		size_t kl = strlen(keys[k]);
		while ((p = istrstr(p, keys[k])) != NULL) {
			const char *q = p + kl;
			if ((p > text && ident_char((unsigned char)p[-1])) ||
			    ident_char((unsigned char)*q)) {
				p++;
				continue;
			}
			q += strspn(q, " \t");
			if (*q == '=')
				q++;
			else if (istarts(q, "like") && !ident_char((unsigned char)q[4]))
				q += 4;
			else {
				p++;
				continue;
			}
			q += strspn(q, " \t");
			if (*q == '\'' || *q == '"') {
				char quote = *q++;
				const char *e = strchr(q, quote);
				sb_putn(out, q, e ? (size_t)(e - q) : strlen(q));
			} else {
				sb_putn(out, q, strcspn(q, " \t),"));
			}
			if (out->len)
				return;
			p++;
		}
	}
}

static int wmic_verb(const char *s)
{
	return ieq(s, "call") || ieq(s, "get") || ieq(s, "list") || ieq(s, "set") ||
	       ieq(s, "delete") || ieq(s, "create") || ieq(s, "assoc");
}

static void do_wmic(struct ctx *c, const struct frame *f, const struct args *a)
{
	const char *host = "", *rule = NULL, *verb = NULL, *method = NULL;
	struct sbuf clause, name, tail, head;
	int service = 0, process = 0;
	size_t i = 1, j;

	for (; i < a->n; i++) {
		size_t sl = switch_len(a->v[i]);
		if (!sl)
			break;
		if (istarts(a->v[i] + sl, "node:")) {
			host = a->v[i] + sl + 5;
			if (!*host && i + 1 < a->n)
				host = a->v[++i];
		}
	}
	if (i >= a->n)
		return;
	sb_init(&head);
	sb_word(&head, "wmic");
	if (*host) {
		sb_puts(&head, " /node:");
		sb_puts(&head, host);
	}
	if (ieq(a->v[i], "service")) {
		service = 1;
		sb_word(&head, "service");
		i++;
	} else if (ieq(a->v[i], "process")) {
		process = 1;
		sb_word(&head, "process");
		i++;
	} else if (ieq(a->v[i], "path") && i + 1 < a->n) {
		const char *cls = a->v[i + 1];
		service = ieq(cls, "win32_service") || ieq(cls, "win32_baseservice");
		process = ieq(cls, "win32_process");
		sb_word(&head, "path");
		sb_putc(&head, ' ');
		sb_lower(&head, cls);
		i += 2;
	}
	sb_init(&clause);
	sb_init(&name);
	sb_init(&tail);
	if (i < a->n && ieq(a->v[i], "where")) {
		for (i++; i < a->n && !wmic_verb(a->v[i]); i++) {
			if (clause.len)
				sb_putc(&clause, ' ');
			sb_puts(&clause, a->v[i]);
		}
		wmi_filter_name(sb_str(&clause), &name);
		sb_puts(&head, " where ");
		sb_puts(&head, sb_str(&clause));
	} else if (i < a->n && !wmic_verb(a->v[i])) {
		sb_puts(&name, a->v[i]);
		sb_word(&head, a->v[i]);
		i++;
	}
	if (i < a->n && ieq(a->v[i], "call") && i + 1 < a->n)
		method = a->v[i + 1];
	if (service && i < a->n) {
		if (ieq(a->v[i], "delete")) {
			rule = "wmic_delete";
			verb = "delete";
			sb_puts(&tail, " delete");
		} else if (method && ieq(method, "stopservice")) {
			rule = "wmic_stopservice";
			verb = "stop";
			sb_puts(&tail, " call stopservice");
		} else if (method && ieq(method, "delete")) {
			rule = "wmic_delete";
			verb = "delete";
			sb_puts(&tail, " call delete");
		} else if (method && ieq(method, "changestartmode")) {
			for (j = i + 2; j < a->n; j++)
				if (istrstr(a->v[j], "disabled")) {
					rule = "wmic_disable";
					verb = "disable";
					sb_puts(&tail, " call changestartmode disabled");
				}
		}
		if (rule) {
			sb_puts(&head, sb_str(&tail));
			if (head.err || name.err || clause.err || tail.err)
				c->err = SVC_ENOMEM;
			emit(c, f, rule, "wmic", verb, sb_str(&name), host, sb_str(&head));
		}
	} else if (process && method && ieq(method, "create") && i + 2 < a->n) {
		struct sbuf line, via;
		struct frame child;
		const char *cl = a->v[i + 2];
		sb_init(&line);
		sb_putn(&line, cl, strlen(cl));
		while (line.len && (line.p[line.len - 1] == ',' || is_space(line.p[line.len - 1])))
			line.p[--line.len] = '\0';
		sb_puts(&head, " call create");
		frame_child(&child, f, SVC_LAUNCHER, sb_str(&head), host, &via);
		if (line.err || via.err)
			c->err = SVC_ENOMEM;
		else
			run_line(c, &child, sb_str(&line), line.len, NULL);
		sb_release(&line);
		sb_release(&via);
	}
	sb_release(&head);
	sb_release(&clause);
	sb_release(&name);
	sb_release(&tail);
}

/* ---- psexec / paexec: run a command on another host ---------------------------------- */

static void do_psexec(struct ctx *c, const struct frame *f, const char *prog, const struct args *a)
{
	const char *host = "", *host_w = NULL;
	struct sbuf line, via, head;
	struct frame child;
	size_t i = 1;

	while (i < a->n) {
		const char *s = a->v[i];
		if (s[0] == '\\' && s[1] == '\\' && !host_w) {
			host_w = s;
			host = s + strspn(s, "\\");
			i++;
		} else if (s[0] == '@' && !host_w) {
			host_w = host = s;
			i++;
		} else if (s[0] == '-' || s[0] == '/') {
			const char *o = s + 1;
			if ((ieq(o, "u") || ieq(o, "p") || ieq(o, "w") || ieq(o, "n") ||
			     ieq(o, "r") || ieq(o, "a") || ieq(o, "cs")) && i + 1 < a->n)
				i += 2;
			else if (ieq(o, "i") && i + 1 < a->n && is_digit(a->v[i + 1][0]))
				i += 2;
			else
				i++;
		} else {
			break;
		}
	}
	if (i >= a->n)
		return;
	sb_init(&line);
	for (; i < a->n; i++)
		sb_arg(&line, a->v[i]);
	sb_init(&head);
	sb_puts(&head, prog);
	if (host_w)
		sb_word(&head, host_w);
	frame_child(&child, f, SVC_LAUNCHER, sb_str(&head), host, &via);
	if (line.err || head.err || via.err)
		c->err = SVC_ENOMEM;
	else
		run_line(c, &child, sb_str(&line), line.len, NULL);
	sb_release(&line);
	sb_release(&head);
	sb_release(&via);
}

/* ---- cmd.exe ----------------------------------------------------------------------- */

/* The next white-space separated word of a cmd.exe segment (quotes kept and
 * respected): start in *w, length in *wn; *pp moves past it. 0 when none is left. */
static int cmd_word(const char **pp, const char **w, size_t *wn)
{
	const char *p = *pp;
	int inq = 0;

	while (is_space(*p))
		p++;
	*pp = p;
	if (!*p)
		return 0;
	*w = p;
	while (*p && (inq || !is_space(*p))) {
		if (*p == '"')
			inq = !inq;
		p++;
	}
	*wn = (size_t)(p - *w);
	*pp = p;
	return 1;
}

/* Skips the switches and the title of "start"; returns where the command begins. */
static const char *cmd_skip_start(const char *p)
{
	const char *w, *save;
	size_t wn;
	int title = 0;

	for (;;) {
		save = p;
		if (!cmd_word(&p, &w, &wn))
			return p;
		if (w[0] == '/') {
			if (ieqn(w, wn, "/d"))
				cmd_word(&p, &w, &wn);
			continue;
		}
		if (w[0] == '"' && !title) {
			title = 1;
			continue;
		}
		return save;
	}
}

/* Skips the condition of "if" ([/i] [not] exist|defined|errorlevel X, or a == b,
 * or a equ|neq|lss|leq|gtr|geq b); returns where the command begins. */
static const char *cmd_skip_if(const char *p)
{
	static const char *const ops[] = { "equ", "neq", "lss", "leq", "gtr", "geq" };
	const char *w, *save;
	size_t wn, i;

	if (!cmd_word(&p, &w, &wn))
		return p;
	if (ieqn(w, wn, "/i") && !cmd_word(&p, &w, &wn))
		return p;
	if (ieqn(w, wn, "not") && !cmd_word(&p, &w, &wn))
		return p;
	if (ieqn(w, wn, "exist") || ieqn(w, wn, "defined") || ieqn(w, wn, "errorlevel") ||
	    ieqn(w, wn, "cmdextversion")) {
		cmd_word(&p, &w, &wn);
		return p;
	}
	for (i = 0; i + 1 < wn; i++) {
		if (w[i] == '=' && w[i + 1] == '=') {
			if (i + 2 == wn)
				cmd_word(&p, &w, &wn);
			return p;
		}
	}
	save = p;
	if (!cmd_word(&p, &w, &wn))
		return p;
	if (wn >= 2 && w[0] == '=' && w[1] == '=') {
		if (wn == 2)
			cmd_word(&p, &w, &wn);
		return p;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (ieqn(w, wn, ops[i])) {
			cmd_word(&p, &w, &wn);
			return p;
		}
	}
	return save;
}

/* Runs one command of a cmd.exe line: drops '@', call, start, if, else, for ... do in
 * front, then treats the rest as a child process command line. */
static void cmd_segment(struct ctx *c, const struct frame *f, const char *seg)
{
	const char *p = seg, *w, *save;
	size_t wn;
	int guard;

	for (guard = 0; guard < 16; guard++) {
		p += strspn(p, " \t@");
		save = p;
		if (!cmd_word(&p, &w, &wn))
			return;
		if (ieqn(w, wn, "call") || ieqn(w, wn, "else") || ieqn(w, wn, "do"))
			continue;
		if (ieqn(w, wn, "start")) {
			p = cmd_skip_start(p);
			continue;
		}
		if (ieqn(w, wn, "if")) {
			p = cmd_skip_if(p);
			continue;
		}
		if (ieqn(w, wn, "for")) {
			while (cmd_word(&p, &w, &wn) && !ieqn(w, wn, "do"))
				;
			continue;
		}
		p = save;
		break;
	}
	if (guard < 16)
		run_line(c, f, p, strlen(p), NULL);
}

static void cmd_flush(struct ctx *c, const struct frame *f, struct sbuf *seg)
{
	if (seg->err)
		c->err = SVC_ENOMEM;
	if (seg->len && !c->err)
		cmd_segment(c, f, seg->p);
	seg->len = 0;
	if (seg->p)
		seg->p[0] = '\0';
}

/* What a '(' means after the segment so far: 1 opens a command block (at the start,
 * after if, else, do), 2 opens the set of a for, 0 is a plain character. */
static int cmd_paren(const struct sbuf *seg)
{
	const char *p = sb_str(seg), *w, *last = NULL;
	size_t wn, lastn = 0;
	int first = 1, is_if = 0, is_for = 0, has_do = 0;

	p += strspn(p, " \t@");
	if (!*p)
		return 1;
	if (seg->len > 4096)
		return 0;
	while (cmd_word(&p, &w, &wn)) {
		if (first) {
			is_if = ieqn(w, wn, "if");
			is_for = ieqn(w, wn, "for");
			first = 0;
		} else if (ieqn(w, wn, "do")) {
			has_do = 1;
		}
		last = w;
		lastn = wn;
	}
	if (is_for && !has_do)
		return 2;
	if (is_if || is_for)
		return 1;
	return last && (ieqn(last, lastn, "else") || ieqn(last, lastn, "do"));
}

/* Splits a cmd.exe command string into commands at &, &&, |, ||, line ends and
 * blocks, removing carets outside quotes and redirections, and runs each. */
static void cmd_body(struct ctx *c, const struct frame *f, const char *s, size_t len)
{
	struct sbuf seg;
	int inq = 0, depth = 0;
	size_t i = 0;

	sb_init(&seg);
	while (i < len && !c->err) {
		char ch = s[i];
		if (inq) {
			sb_putc(&seg, ch);
			if (ch == '"')
				inq = 0;
			i++;
			continue;
		}
		switch (ch) {
		case '"':
			inq = 1;
			sb_putc(&seg, ch);
			i++;
			break;
		case '^':
			if (i + 1 < len)
				sb_putc(&seg, s[i + 1]);
			i += 2;
			break;
		case '&':
		case '|':
			cmd_flush(c, f, &seg);
			i++;
			if (i < len && s[i] == ch)
				i++;
			break;
		case '\r':
		case '\n':
			cmd_flush(c, f, &seg);
			i++;
			break;
		case '<':
		case '>':
			if (seg.len && is_digit(seg.p[seg.len - 1]) &&
			    (seg.len == 1 || is_space(seg.p[seg.len - 2])))
				seg.p[--seg.len] = '\0';
			i++;
			if (ch == '>' && i < len && s[i] == '>')
				i++;
			if (i < len && s[i] == '&') {
				for (i++; i < len && is_digit(s[i]); i++)
					;
			} else {
				int tq = 0;
				while (i < len && is_space(s[i]))
					i++;
				for (; i < len; i++) {
					if (s[i] == '"')
						tq = !tq;
					else if (!tq && (is_space(s[i]) || strchr("&|<>\r\n", s[i]) ||
							 (s[i] == ')' && depth > 0)))
						break;
					else if (!tq && s[i] == '^' && i + 1 < len)
						i++;
				}
			}
			sb_putc(&seg, ' ');
			break;
		case '(':
			switch (cmd_paren(&seg)) {
			case 1:
				cmd_flush(c, f, &seg);
				depth++;
				i++;
				break;
			case 2: {
				int d = 0;
				for (; i < len; i++) {
					sb_putc(&seg, s[i]);
					if (s[i] == '(') {
						d++;
					} else if (s[i] == ')' && --d == 0) {
						i++;
						break;
					}
				}
				break;
			}
			default:
				sb_putc(&seg, ch);
				i++;
			}
			break;
		case ')':
			if (depth > 0) {
				cmd_flush(c, f, &seg);
				depth--;
			} else {
				sb_putc(&seg, ch);
			}
			i++;
			break;
		default:
			sb_putc(&seg, ch);
			i++;
		}
	}
	cmd_flush(c, f, &seg);
	sb_release(&seg);
}

static int has_exec_suffix(const char *s, size_t n)
{
	return n >= 4 && (ieqn(s + n - 4, 4, ".exe") || ieqn(s + n - 4, 4, ".com") ||
			  ieqn(s + n - 4, 4, ".bat") || ieqn(s + n - 4, 4, ".cmd"));
}

/* cmd.exe [/q /d /a /u /e:x /f:x /v:x /t:x] [/s] /c|/k string: the string is run as a
 * command line. Unless /s is given and when it has exactly two quotes around white
 * space, no special character and a program name, it is kept; otherwise a leading
 * quote and the last quote are removed, as cmd.exe does. */
static void do_cmd(struct ctx *c, const struct frame *f, const char *line, size_t len, size_t start)
{
	const char *p = line + start, *end = line + len, *q, *last = NULL, *r;
	struct sbuf text, via;
	struct frame child;
	int s_flag = 0, which = 0;
	size_t nq = 0;

	while (p < end) {
		while (p < end && is_space(*p))
			p++;
		if (p + 1 >= end || *p != '/')
			return;
		if (lc((unsigned char)p[1]) == 'c' || lc((unsigned char)p[1]) == 'k') {
			which = lc((unsigned char)p[1]);
			p += 2;
			break;
		}
		if (lc((unsigned char)p[1]) == 's' && (p + 2 == end || is_space(p[2]) || p[2] == '/'))
			s_flag = 1;
		p++;
		while (p < end && !is_space(*p) && *p != '/')
			p++;
	}
	if (!which)
		return;
	sb_init(&text);
	q = p;
	while (q < end && is_space(*q))
		q++;
	for (r = q; r < end; r++) {
		if (*r == '"') {
			nq++;
			last = r;
		}
	}
	if (q < end && *q == '"') {
		int keep = 0;
		if (!s_flag && nq == 2) {
			const char *in = q + 1;
			size_t n = (size_t)(last - in), k;
			int white = 0, special = 0;
			for (k = 0; k < n; k++) {
				if (strchr("&<>()@^|", in[k]))
					special = 1;
				if (is_space(in[k]))
					white = 1;
			}
			keep = white && !special && has_exec_suffix(in, n);
		}
		if (keep) {
			sb_putn(&text, p, (size_t)(end - p));
		} else {
			sb_putn(&text, p, (size_t)(q - p));
			if (last != q) {
				sb_putn(&text, q + 1, (size_t)(last - q - 1));
				sb_putn(&text, last + 1, (size_t)(end - last - 1));
			} else {
				sb_putn(&text, q + 1, (size_t)(end - q - 1));
			}
		}
	} else {
		sb_putn(&text, p, (size_t)(end - p));
	}
	frame_child(&child, f, SVC_LAUNCHER, which == 'c' ? "cmd /c" : "cmd /k", "", &via);
	if (text.err || via.err)
		c->err = SVC_ENOMEM;
	else
		cmd_body(c, &child, sb_str(&text), text.len);
	sb_release(&text);
	sb_release(&via);
}

/* ---- PowerShell: the powershell.exe / pwsh command line --------------------------- */

enum ps_cli { PSC_FLAG, PSC_VALUE, PSC_COMMAND, PSC_ENCODED, PSC_FILE };

/* 1 when name is an abbreviation of full at least min characters long. */
static int is_abbrev(const char *name, const char *full, size_t min)
{
	size_t n = strlen(name);

	return n >= min && n <= strlen(full) && istarts(full, name);
}

/* What a powershell.exe / pwsh option does with what follows it. Ambiguous short
 * forms resolve as PowerShell resolves them: -e and -ec are -EncodedCommand, -c is
 * -Command, -f is -File. */
static enum ps_cli ps_cli_option(const char *o)
{
	if (ieq(o, "ec"))
		return PSC_ENCODED;
	if (ieq(o, "ea") || is_abbrev(o, "encodedarguments", 8))
		return PSC_VALUE;
	if (is_abbrev(o, "encodedcommand", 1))
		return PSC_ENCODED;
	if (ieq(o, "ep") || is_abbrev(o, "executionpolicy", 2))
		return PSC_VALUE;
	if (is_abbrev(o, "configurationname", 3) || is_abbrev(o, "custompipename", 2))
		return PSC_VALUE;
	if (is_abbrev(o, "command", 1))
		return PSC_COMMAND;
	if (is_abbrev(o, "file", 1))
		return PSC_FILE;
	if (ieq(o, "wd") || is_abbrev(o, "workingdirectory", 2) ||
	    is_abbrev(o, "windowstyle", 1) || is_abbrev(o, "version", 1) ||
	    is_abbrev(o, "psconsolefile", 2) || ieq(o, "of") ||
	    is_abbrev(o, "outputformat", 1) || ieq(o, "if") ||
	    is_abbrev(o, "inputformat", 3) || is_abbrev(o, "settingsfile", 2))
		return PSC_VALUE;
	return PSC_FLAG;
}

static void utf8_put(struct sbuf *b, uint32_t cp)
{
	char e[4];

	if (cp < 0x80) {
		e[0] = (char)cp;
		sb_putn(b, e, 1);
	} else if (cp < 0x800) {
		e[0] = (char)(0xC0 | (cp >> 6));
		e[1] = (char)(0x80 | (cp & 0x3F));
		sb_putn(b, e, 2);
	} else if (cp < 0x10000) {
		e[0] = (char)(0xE0 | (cp >> 12));
		e[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		e[2] = (char)(0x80 | (cp & 0x3F));
		sb_putn(b, e, 3);
	} else {
		e[0] = (char)(0xF0 | (cp >> 18));
		e[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		e[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		e[3] = (char)(0x80 | (cp & 0x3F));
		sb_putn(b, e, 4);
	}
}

/* UTF-16LE to UTF-8: surrogate pairs joined, a lone surrogate becomes U+FFFD, NUL
 * characters and a leading byte order mark are dropped, an odd last byte ignored. */
static void utf16le_to_utf8(const unsigned char *bytes, size_t n, struct sbuf *out)
{
	struct reader r;
	uint16_t u, u2;
	int first = 1;

	reader_init(&r, bytes, n & ~(size_t)1);
	while (reader_u16(&r, &u) == 0) {
		uint32_t cp = u;
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (reader_u16_at(&r, r.pos, &u2) == 0 && u2 >= 0xDC00 && u2 <= 0xDFFF) {
				reader_skip(&r, 2);
				cp = 0x10000 + (((uint32_t)u - 0xD800) << 10) + ((uint32_t)u2 - 0xDC00);
			} else {
				cp = 0xFFFD;
			}
		} else if (u >= 0xDC00 && u <= 0xDFFF) {
			cp = 0xFFFD;
		}
		if (cp == 0 || (first && cp == 0xFEFF)) {
			first = 0;
			continue;
		}
		first = 0;
		utf8_put(out, cp);
	}
}

/* Decodes the base64 of an -EncodedCommand into UTF-8 text. White space is skipped,
 * decoding stops at the first other non-base64 character, missing padding is
 * supplied. Returns 0 or SVC_ENOMEM; undecodable input gives no text. */
static int ps_decode_b64(const char *s, struct sbuf *out)
{
	size_t len = strnlen(s, SVC_MAX_INPUT), n = 0, pad = 0, i;
	unsigned char *in, *bytes;
	int got;

	in = malloc(len + 4);
	if (!in)
		return SVC_ENOMEM;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (is_alpha(ch) || is_digit(ch) || ch == '+' || ch == '/')
			in[n++] = ch;
		else if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n')
			break;
	}
	if (n % 4 == 1)
		n--;
	while (n % 4) {
		in[n++] = '=';
		pad++;
	}
	if (n == 0) {
		free(in);
		return 0;
	}
	bytes = malloc(n / 4 * 3 + 1);
	if (!bytes) {
		free(in);
		return SVC_ENOMEM;
	}
	got = EVP_DecodeBlock(bytes, in, (int)n);
	if (got > 0 && (size_t)got > pad)
		utf16le_to_utf8(bytes, (size_t)got - pad, out);
	free(in);
	free(bytes);
	return out->err;
}

static void ps_encoded(struct ctx *c, const struct frame *f, const char *prog, const char *b64,
		       int pwsh)
{
	struct sbuf text, head, via;
	struct frame child;

	sb_init(&text);
	sb_init(&head);
	if (ps_decode_b64(b64, &text) < 0) {
		c->err = SVC_ENOMEM;
		sb_release(&text);
		return;
	}
	sb_puts(&head, prog);
	sb_puts(&head, " -encodedcommand");
	frame_child(&child, f, SVC_DIRECT, sb_str(&head), "", &via);
	if (head.err || via.err)
		c->err = SVC_ENOMEM;
	else
		ps_script(c, &child, sb_str(&text), text.len, pwsh);
	sb_release(&text);
	sb_release(&head);
	sb_release(&via);
}

/* powershell.exe / pwsh: options, then -EncodedCommand text, or the script text given
 * by -Command or by the first argument that is not an option (the rest of argv joined
 * by spaces, as PowerShell joins it). -File and "-" (standard input) give nothing. */
static void do_powershell(struct ctx *c, const struct frame *f, const char *prog,
			  const struct args *a, int pwsh)
{
	struct sbuf text, head, via;
	struct frame child;
	size_t i, start = 0;
	int done = 0;

	for (i = 1; i < a->n && !done; i++) {
		const char *s = a->v[i];
		size_t sl = switch_len(s);
		if (!sl) {
			start = i;
			break;
		}
		if (!s[sl])
			return;
		switch (ps_cli_option(s + sl)) {
		case PSC_ENCODED:
			if (i + 1 < a->n)
				ps_encoded(c, f, prog, a->v[++i], pwsh);
			break;
		case PSC_COMMAND:
			if (i + 1 < a->n && !ieq(a->v[i + 1], "-"))
				start = i + 1;
			done = 1;
			break;
		case PSC_FILE:
			return;
		case PSC_VALUE:
			i++;
			break;
		case PSC_FLAG:
			break;
		}
	}
	if (!start || c->err)
		return;
	sb_init(&text);
	for (i = start; i < a->n; i++) {
		if (i > start)
			sb_putc(&text, ' ');
		sb_puts(&text, a->v[i]);
	}
	sb_init(&head);
	sb_puts(&head, prog);
	sb_puts(&head, " -command");
	frame_child(&child, f, SVC_DIRECT, sb_str(&head), "", &via);
	if (text.err || head.err || via.err)
		c->err = SVC_ENOMEM;
	else
		ps_script(c, &child, sb_str(&text), text.len, pwsh);
	sb_release(&text);
	sb_release(&head);
	sb_release(&via);
}

/* ---- PowerShell: tokens ------------------------------------------------------------ */

enum tk_kind { TK_WORD, TK_STR, TK_VAR, TK_PARAM, TK_MEMBER, TK_TYPE, TK_OP };

enum tk_op {
	OP_NONE, OP_NL, OP_SEMI, OP_PIPE, OP_ANDAND, OP_OROR, OP_AMP, OP_DOT,
	OP_LPAREN, OP_RPAREN, OP_LBRACE, OP_RBRACE, OP_SUBEXPR, OP_ARRAY, OP_HASH,
	OP_COMMA, OP_ASSIGN, OP_PLUS, OP_REDIR, OP_OTHER
};

struct tok {
	const char *text;	/* word or string value (quotes and escapes done), variable
				 * name without '$', parameter name without dash, member
				 * name, type name without brackets; "" for operators */
	size_t match;		/* an opening bracket: index of its closer, or the count */
	unsigned char kind, op;
	unsigned char space;	/* white space (or the start) before it */
	unsigned char colon;	/* TK_PARAM written -Name: */
	unsigned char stat;	/* TK_MEMBER after "::" */
	unsigned char raw;	/* TK_WORD after --%: passed on verbatim */
	unsigned char merge;	/* OP_REDIR such as 2>&1, with no target */
};

/* OBJ_ANY: the output of a command this module does not model (it may well be
 * service names, as from Get-Content); OBJ_NONE: nothing at all. */
enum obj_kind {
	OBJ_NONE, OBJ_ANY, OBJ_STRING, OBJ_SERVICE, OBJ_WMI, OBJ_TYPE, OBJ_BLOCK, OBJ_HASH
};

/* What an expression stands for, as far as services go. */
struct ps_obj {
	int kind;
	size_t n;			/* names */
	const char *name[PS_OBJ_NAMES];	/* strings; service names of a service object */
	const char *host;		/* computer of a service object, "" local */
	const char *origin;		/* normalized words that made it */
	size_t lo, hi;			/* OBJ_BLOCK, OBJ_HASH: tokens inside the braces */
};

struct ps_var {
	const char *name;
	struct ps_obj obj;
};

struct ps {
	struct ctx *c;
	const struct frame *f;
	int pwsh;
	struct arena ar;
	struct tok *t;
	size_t n, cap;
	int full;
	struct ps_var vars[PS_MAX_VARS];
	size_t n_vars;
};

static size_t utf8_len(const char *p, const char *end)
{
	unsigned char u = (unsigned char)*p;
	size_t n = u < 0xC0 ? 1 : u < 0xE0 ? 2 : u < 0xF0 ? 3 : 4;

	return n > (size_t)(end - p) ? (size_t)(end - p) : n;
}

/* Bytes of PowerShell white space other than a line end at p, else 0. */
static size_t ps_ws(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t left = (size_t)(end - p);

	if (!left)
		return 0;
	if (u[0] == ' ' || u[0] == '\t' || u[0] == '\f' || u[0] == '\v')
		return 1;
	if (left >= 2 && u[0] == 0xC2 && (u[1] == 0xA0 || u[1] == 0x85))
		return 2;
	if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
	    (u[2] <= 0x8A || u[2] == 0xA8 || u[2] == 0xA9 || u[2] == 0xAF))
		return 3;
	if (left >= 3 && ((u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F) ||
			  (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) ||
			  (u[0] == 0xE1 && u[1] == 0x9A && u[2] == 0x80)))
		return 3;
	return 0;
}

/* A quote: the ASCII one, or a typographic one in U+2000 + [lo, hi] (E2 80 lo..hi). */
static size_t ps_quote(const char *p, const char *end, char ascii, unsigned char lo, unsigned char hi)
{
	const unsigned char *u = (const unsigned char *)p;

	if (p >= end)
		return 0;
	if (*p == ascii)
		return 1;
	if (end - p >= 3 && u[0] == 0xE2 && u[1] == 0x80 && u[2] >= lo && u[2] <= hi)
		return 3;
	return 0;
}

/* Single quote: ' or U+2018..U+201B; double quote: " or U+201C..U+201E. */
static size_t ps_squote(const char *p, const char *end)
{
	return ps_quote(p, end, '\'', 0x98, 0x9B);
}

static size_t ps_dquote(const char *p, const char *end)
{
	return ps_quote(p, end, '"', 0x9C, 0x9E);
}

static size_t ps_dash(const char *p, const char *end)
{
	return end - p >= 3 || (p < end && *p == '-') ? dash_len(p) : 0;
}

/* A backtick escape; p is just past the backtick. Returns the next position. */
static const char *ps_escape(struct sbuf *w, const char *p, const char *end)
{
	static const char from[] = "abefnrtv", to[] = "\a\b\x1b\f\n\r\t\v";
	const char *hit;
	size_t n;

	if (p >= end)
		return p;
	if (*p == '0')
		return p + 1;
	if (*p && (hit = strchr(from, *p)) != NULL) {
		sb_putc(w, to[hit - from]);
		return p + 1;
	}
	if (*p == 'u' && p + 1 < end && p[1] == '{') {
		const char *q = p + 2;
		uint32_t cp = 0;
		size_t digits = 0;
		for (; q < end && digits < 6; q++, digits++) {
			int d = lc((unsigned char)*q);
			if (is_digit(d))
				cp = cp * 16 + (uint32_t)(d - '0');
			else if (d >= 'a' && d <= 'f')
				cp = cp * 16 + (uint32_t)(d - 'a' + 10);
			else
				break;
		}
		if (digits && q < end && *q == '}' && cp && cp <= 0x10FFFF &&
		    !(cp >= 0xD800 && cp <= 0xDFFF)) {
			utf8_put(w, cp);
			return q + 1;
		}
	}
	n = utf8_len(p, end);
	sb_putn(w, p, n);
	return p + n;
}

static const char *ps_read_squoted(struct sbuf *w, const char *p, const char *end)
{
	while (p < end) {
		size_t q = ps_squote(p, end), q2;
		if (q) {
			if ((q2 = ps_squote(p + q, end)) != 0) {
				sb_putc(w, '\'');
				p += q + q2;
				continue;
			}
			return p + q;
		}
		q = utf8_len(p, end);
		sb_putn(w, p, q);
		p += q;
	}
	return p;
}

static const char *ps_read_dquoted(struct sbuf *w, const char *p, const char *end)
{
	while (p < end) {
		size_t q = ps_dquote(p, end), q2;
		if (q) {
			if ((q2 = ps_dquote(p + q, end)) != 0) {
				sb_putc(w, '"');
				p += q + q2;
				continue;
			}
			return p + q;
		}
		if (*p == '`') {
			p = ps_escape(w, p + 1, end);
			continue;
		}
		if (*p == '$' && p + 1 < end && p[1] == '(') {
			int d = 0;
			while (p < end) {
				sb_putc(w, *p);
				if (*p == '(') {
					d++;
				} else if (*p == ')' && --d == 0) {
					p++;
					break;
				}
				p++;
			}
			continue;
		}
		q = utf8_len(p, end);
		sb_putn(w, p, q);
		p += q;
	}
	return p;
}

static const char *ps_read_ident(struct sbuf *w, const char *p, const char *end)
{
	while (p < end) {
		if (*p == '`' && p + 1 < end && p[1] != '\n' && p[1] != '\r') {
			p = ps_escape(w, p + 1, end);
			continue;
		}
		if (!ident_char((unsigned char)*p))
			break;
		sb_putc(w, *p++);
	}
	return p;
}

/* A bareword (generic token): up to white space or ; | & ( ) { } , > or a line end;
 * quoted parts inside it and backtick escapes are resolved. */
static const char *ps_read_word(struct sbuf *w, const char *p, const char *end)
{
	while (p < end) {
		size_t n;
		if (ps_ws(p, end) || strchr(";|&(){},>\r\n", *p))
			break;
		if (*p == '`') {
			if (p + 1 < end && (p[1] == '\r' || p[1] == '\n'))
				break;
			p = ps_escape(w, p + 1, end);
			continue;
		}
		if ((n = ps_squote(p, end)) != 0) {
			p = ps_read_squoted(w, p + n, end);
			continue;
		}
		if ((n = ps_dquote(p, end)) != 0) {
			p = ps_read_dquoted(w, p + n, end);
			continue;
		}
		n = utf8_len(p, end);
		sb_putn(w, p, n);
		p += n;
	}
	return p;
}

static struct tok *ps_push(struct ps *ps, int kind, int op, int space, const char *text)
{
	struct tok *t;

	if (ps->full)
		return NULL;
	if (ps->n >= PS_MAX_TOKENS) {
		ps->full = 1;
		return NULL;
	}
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 256;
		struct tok *v = realloc(ps->t, cap * sizeof(*v));
		if (!v) {
			ps->c->err = SVC_ENOMEM;
			ps->full = 1;
			return NULL;
		}
		ps->t = v;
		ps->cap = cap;
	}
	t = &ps->t[ps->n++];
	memset(t, 0, sizeof(*t));
	t->kind = (unsigned char)kind;
	t->op = (unsigned char)op;
	t->space = (unsigned char)space;
	t->text = text ? text : "";
	return t;
}

static struct tok *ps_push_text(struct ps *ps, int kind, int space, struct sbuf *w)
{
	const char *s = arena_str(&ps->ar, w);

	w->len = 0;
	if (w->p)
		w->p[0] = '\0';
	return ps_push(ps, kind, OP_NONE, space, s);
}

static int is_opener(int op)
{
	return op == OP_LPAREN || op == OP_LBRACE || op == OP_SUBEXPR || op == OP_ARRAY ||
	       op == OP_HASH;
}

/* Here-string @' ... '@ or @" ... "@: p at '@', q the quote's length. Returns the
 * position after it, or NULL when p does not start one. */
static const char *ps_here_string(struct sbuf *w, const char *p, const char *end, size_t q)
{
	const char *r = p + 1 + q, *body, *s;
	int dq = p[1] == '"' || (q == 3 && (unsigned char)p[3] >= 0x9C);

	while (r < end && (*r == ' ' || *r == '\t'))
		r++;
	if (r >= end || (*r != '\r' && *r != '\n'))
		return NULL;
	if (*r == '\r' && r + 1 < end && r[1] == '\n')
		r++;
	body = ++r;
	for (s = body; s < end; s++) {
		size_t qq;
		if (s != body && s[-1] != '\n')
			continue;
		qq = dq ? ps_dquote(s, end) : ps_squote(s, end);
		if (qq && s + qq < end && s[qq] == '@') {
			const char *e = s;
			if (e > body && e[-1] == '\n')
				e--;
			if (e > body && e[-1] == '\r')
				e--;
			sb_putn(w, body, (size_t)(e - body));
			return s + qq + 1;
		}
	}
	sb_putn(w, body, (size_t)(end - body));
	return end;
}

static void ps_lex(struct ps *ps, const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	struct sbuf w;
	int space = 1;

	sb_init(&w);
	while (p < end && !ps->full && !ps->c->err && !ps->ar.err) {
		unsigned char ch = (unsigned char)*p;
		const struct tok *prev = ps->n ? &ps->t[ps->n - 1] : NULL;
		const char *q;
		struct tok *t;
		size_t n;

		if ((n = ps_ws(p, end)) != 0) {
			p += n;
			space = 1;
			continue;
		}
		if (ch == '\r' || ch == '\n') {
			ps_push(ps, TK_OP, OP_NL, 1, NULL);
			p++;
			space = 1;
			continue;
		}
		if (ch == '`' && p + 1 < end && (p[1] == '\r' || p[1] == '\n')) {
			p += 2;
			if (p[-1] == '\r' && p < end && *p == '\n')
				p++;
			space = 1;
			continue;
		}
		if (ch == '#') {
			while (p < end && *p != '\r' && *p != '\n')
				p++;
			space = 1;
			continue;
		}
		if (ch == '<' && p + 1 < end && p[1] == '#') {
			for (q = p + 2; q + 1 < end && !(q[0] == '#' && q[1] == '>'); q++)
				;
			p = q + 1 < end ? q + 2 : end;
			space = 1;
			continue;
		}
		if (ch == '.' && !space && prev &&
		    (prev->kind == TK_VAR || prev->kind == TK_STR || prev->kind == TK_TYPE ||
		     prev->kind == TK_MEMBER ||
		     (prev->kind == TK_OP && (prev->op == OP_RPAREN || prev->op == OP_RBRACE)))) {
			p++;
			if ((n = ps_squote(p, end)) != 0)
				p = ps_read_squoted(&w, p + n, end);
			else if ((n = ps_dquote(p, end)) != 0)
				p = ps_read_dquoted(&w, p + n, end);
			else
				p = ps_read_ident(&w, p, end);
			ps_push_text(ps, TK_MEMBER, 0, &w);
			space = 0;
			continue;
		}
		if (ch == ':' && p + 1 < end && p[1] == ':' && !space && prev && prev->kind == TK_TYPE) {
			p = ps_read_ident(&w, p + 2, end);
			if ((t = ps_push_text(ps, TK_MEMBER, 0, &w)) != NULL)
				t->stat = 1;
			space = 0;
			continue;
		}
		if (ch == '[') {
			int d = 0;
			for (q = p; q < end && *q != '\r' && *q != '\n'; q++) {
				if (*q == '[')
					d++;
				else if (*q == ']' && --d == 0)
					break;
			}
			sb_putn(&w, p + 1, (size_t)(q - p - 1));
			p = q < end && *q == ']' ? q + 1 : q;
			ps_push_text(ps, TK_TYPE, space, &w);
			space = 0;
			continue;
		}
		if (ch == '$') {
			if (p + 1 < end && p[1] == '(') {
				ps_push(ps, TK_OP, OP_SUBEXPR, space, NULL);
				p += 2;
			} else if (p + 1 < end && p[1] == '{') {
				for (q = p + 2; q < end && *q != '}';) {
					if (*q == '`') {
						q = ps_escape(&w, q + 1, end);
					} else {
						sb_putc(&w, *q);
						q++;
					}
				}
				p = q < end ? q + 1 : end;
				ps_push_text(ps, TK_VAR, space, &w);
			} else if (p + 1 < end && (p[1] == '$' || p[1] == '?' || p[1] == '^')) {
				sb_putc(&w, p[1]);
				p += 2;
				ps_push_text(ps, TK_VAR, space, &w);
			} else if (p + 1 < end && (ident_char((unsigned char)p[1]) ||
						   ((unsigned char)p[1] >= 0x80 && !ps_ws(p + 1, end)))) {
				for (q = p + 1; q < end;) {
					if (ident_char((unsigned char)*q) ||
					    (*q == ':' && q + 1 < end && ident_char((unsigned char)q[1]))) {
						q++;
					} else if ((unsigned char)*q >= 0x80 && !ps_ws(q, end) &&
						   !ps_dash(q, end) && !ps_squote(q, end) && !ps_dquote(q, end)) {
						q += utf8_len(q, end);
					} else {
						break;
					}
				}
				sb_putn(&w, p + 1, (size_t)(q - p - 1));
				p = q;
				ps_push_text(ps, TK_VAR, space, &w);
			} else {
				sb_putc(&w, '$');
				p++;
				ps_push_text(ps, TK_WORD, space, &w);
			}
			space = 0;
			continue;
		}
		if (ch == '@' && p + 1 < end) {
			if (p[1] == '(' || p[1] == '{') {
				ps_push(ps, TK_OP, p[1] == '(' ? OP_ARRAY : OP_HASH, space, NULL);
				p += 2;
				space = 0;
				continue;
			}
			if ((n = ps_squote(p + 1, end)) != 0 || (n = ps_dquote(p + 1, end)) != 0) {
				q = ps_here_string(&w, p, end, n);
				if (q) {
					p = q;
					ps_push_text(ps, TK_STR, space, &w);
					space = 0;
					continue;
				}
			} else if (ident_char((unsigned char)p[1])) {
				p = ps_read_ident(&w, p + 1, end);
				ps_push_text(ps, TK_VAR, space, &w);
				space = 0;
				continue;
			}
		}
		if ((n = ps_squote(p, end)) != 0) {
			p = ps_read_squoted(&w, p + n, end);
			ps_push_text(ps, TK_STR, space, &w);
			space = 0;
			continue;
		}
		if ((n = ps_dquote(p, end)) != 0) {
			p = ps_read_dquoted(&w, p + n, end);
			ps_push_text(ps, TK_STR, space, &w);
			space = 0;
			continue;
		}
		if ((n = ps_dash(p, end)) != 0) {
			q = p + n;
			if (q + 1 < end && q[0] == '-' && q[1] == '%') {
				/* --%: the rest of the line goes to a native program as written */
				p = q + 2;
				while (p < end && *p != '\r' && *p != '\n' && *p != '|') {
					const char *ws = p;
					while (p < end && is_space(*p))
						p++;
					ws = p;
					while (p < end && !is_space(*p) && *p != '\r' && *p != '\n' && *p != '|')
						p++;
					if (p > ws) {
						sb_putn(&w, ws, (size_t)(p - ws));
						if ((t = ps_push_text(ps, TK_WORD, 1, &w)) != NULL)
							t->raw = 1;
					}
				}
				space = 0;
				continue;
			}
			if (q < end && (is_alpha((unsigned char)*q) || *q == '_' || *q == '?')) {
				while (q < end && !ps_ws(q, end) && !strchr(":(){};,|&.[]'\"<>=\r\n", *q) &&
				       !ps_squote(q, end) && !ps_dquote(q, end)) {
					size_t k = utf8_len(q, end);
					sb_putn(&w, q, k);
					q += k;
				}
				p = q;
				if ((t = ps_push_text(ps, TK_PARAM, space, &w)) != NULL && p < end && *p == ':') {
					t->colon = 1;
					p++;
				}
				space = 0;
				continue;
			}
		}
		if (ch == '>' || ((is_digit(ch) || ch == '*') && p + 1 < end && p[1] == '>')) {
			q = p + (ch == '>' ? 1 : 2);
			if (q < end && *q == '>')
				q++;
			t = ps_push(ps, TK_OP, OP_REDIR, space, NULL);
			if (q + 1 < end && *q == '&' && is_digit((unsigned char)q[1])) {
				q += 2;
				if (t)
					t->merge = 1;
			}
			p = q;
			space = 0;
			continue;
		}
		{
			int op = OP_NONE;
			size_t k = 1;
			switch (ch) {
			case ';': op = OP_SEMI; break;
			case '|':
				op = p + 1 < end && p[1] == '|' ? OP_OROR : OP_PIPE;
				k = op == OP_OROR ? 2 : 1;
				break;
			case '&':
				op = p + 1 < end && p[1] == '&' ? OP_ANDAND : OP_AMP;
				k = op == OP_ANDAND ? 2 : 1;
				break;
			case '(': op = OP_LPAREN; break;
			case ')': op = OP_RPAREN; break;
			case '{': op = OP_LBRACE; break;
			case '}': op = OP_RBRACE; break;
			case ',': op = OP_COMMA; break;
			case '=': op = OP_ASSIGN; break;
			case '+':
				op = p + 1 < end && p[1] == '=' ? OP_ASSIGN : OP_PLUS;
				k = op == OP_ASSIGN ? 2 : 1;
				break;
			case '!':
			case '<':
				op = OP_OTHER;
				break;
			case '.':
				if (p + 1 >= end || ps_ws(p + 1, end) || p[1] == '\r' || p[1] == '\n')
					op = OP_DOT;
				break;
			}
			if (op != OP_NONE) {
				ps_push(ps, TK_OP, op, space, NULL);
				p += k;
				space = 0;
				continue;
			}
		}
		q = ps_read_word(&w, p, end);
		if (q == p)
			q = p + utf8_len(p, end);
		p = q;
		ps_push_text(ps, TK_WORD, space, &w);
		space = 0;
	}
	if (w.err)
		ps->c->err = SVC_ENOMEM;
	sb_release(&w);
}

/* Pairs each opening bracket with its closer; an unclosed one runs to the end. */
static void ps_match(struct ps *ps)
{
	size_t *stack, top = 0, i;

	if (!ps->n)
		return;
	stack = malloc(ps->n * sizeof(*stack));
	if (!stack) {
		ps->c->err = SVC_ENOMEM;
		return;
	}
	for (i = 0; i < ps->n; i++) {
		struct tok *t = &ps->t[i];
		if (t->kind != TK_OP)
			continue;
		if (is_opener(t->op)) {
			t->match = ps->n;
			stack[top++] = i;
		} else if ((t->op == OP_RPAREN || t->op == OP_RBRACE) && top) {
			struct tok *o = &ps->t[stack[top - 1]];
			int fits = t->op == OP_RPAREN ?
				(o->op == OP_LPAREN || o->op == OP_SUBEXPR || o->op == OP_ARRAY) :
				(o->op == OP_LBRACE || o->op == OP_HASH);
			if (fits) {
				o->match = i;
				top--;
			}
		}
	}
	free(stack);
}

/* ---- PowerShell: values ------------------------------------------------------------ */

static void obj_none(struct ps_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->host = "";
	o->origin = "";
}

static void obj_string(struct ps_obj *o, const char *s)
{
	obj_none(o);
	o->kind = OBJ_STRING;
	o->n = 1;
	o->name[0] = s;
	o->origin = s;
}

static void obj_add_names(struct ps_obj *o, const struct ps_obj *v)
{
	size_t i;

	for (i = 0; i < v->n && o->n < PS_OBJ_NAMES; i++)
		o->name[o->n++] = v->name[i];
}

static const char *ps_strdup(struct ps *ps, const struct sbuf *b)
{
	return arena_str(&ps->ar, b);
}

static size_t ps_skip(const struct ps *ps, size_t k, size_t hi)
{
	const struct tok *t = &ps->t[k];

	if (t->kind == TK_OP && is_opener(t->op))
		return t->match < hi ? t->match + 1 : hi;
	return k + 1;
}

/* End of the contents of the group opened at k. */
static size_t ps_group_end(const struct ps *ps, size_t k, size_t hi)
{
	return ps->t[k].match < hi ? ps->t[k].match : hi;
}

static int tok_is(const struct tok *t, int op)
{
	return t->kind == TK_OP && t->op == op;
}

static void ps_var_get(struct ps *ps, const char *name, const struct ps_obj *us, struct ps_obj *out)
{
	struct sbuf b;
	size_t i;

	if (ieq(name, "_") || ieq(name, "psitem")) {
		*out = *us;
		return;
	}
	for (i = ps->n_vars; i-- > 0;) {
		if (ieq(ps->vars[i].name, name)) {
			*out = ps->vars[i].obj;
			return;
		}
	}
	sb_init(&b);
	sb_putc(&b, '$');
	sb_puts(&b, name);
	obj_string(out, ps_strdup(ps, &b));
	sb_release(&b);
}

static void ps_var_set(struct ps *ps, const char *name, const struct ps_obj *v)
{
	size_t i;

	for (i = 0; i < ps->n_vars; i++) {
		if (ieq(ps->vars[i].name, name)) {
			ps->vars[i].obj = *v;
			return;
		}
	}
	if (ps->n_vars < PS_MAX_VARS) {
		ps->vars[ps->n_vars].name = name;
		ps->vars[ps->n_vars++].obj = *v;
	}
}

/* 1 for System.ServiceProcess.ServiceController, however much of the namespace is
 * written. */
static int is_sc_type(const char *type)
{
	size_t n = strlen(type);

	return n >= 17 && ieq(type + n - 17, "servicecontroller") &&
	       (n == 17 || type[n - 18] == '.');
}

static void ps_emit(struct ps *ps, const char *rule, const char *verb, const char *service,
		    const char *host, const char *why)
{
	emit(ps->c, ps->f, rule, "powershell", verb, service, host, why);
}

/* Emits one action per service an object names (one with "" when it names none).
 * why: "<origin> | <words>" for a service object, "<words> <name>" otherwise. */
static void ps_emit_each(struct ps *ps, const char *rule, const char *verb, const struct ps_obj *o,
			 const char *host, const char *words, const char *suffix)
{
	size_t i, n = o->n ? o->n : 1;
	int object = (o->kind == OBJ_SERVICE || o->kind == OBJ_WMI) && *o->origin;

	for (i = 0; i < n; i++) {
		const char *svc = o->n ? o->name[i] : "";
		struct sbuf why;
		sb_init(&why);
		if (object) {
			sb_puts(&why, o->origin);
			sb_puts(&why, " | ");
			sb_puts(&why, words);
		} else {
			sb_puts(&why, words);
			if (*svc)
				sb_word(&why, svc);
		}
		if (suffix)
			sb_puts(&why, suffix);
		if (why.err)
			ps->c->err = SVC_ENOMEM;
		ps_emit(ps, rule, verb, svc, host && *host ? host : o->host, sb_str(&why));
		sb_release(&why);
	}
}

/* A method called on an object: "(<origin>)<call>". */
static void ps_emit_method(struct ps *ps, const char *rule, const char *verb,
			   const struct ps_obj *o, const char *call)
{
	int named = o->kind == OBJ_SERVICE || o->kind == OBJ_WMI;
	size_t i, n = named && o->n ? o->n : 1;

	for (i = 0; i < n; i++) {
		struct sbuf why;
		sb_init(&why);
		if (*o->origin) {
			sb_putc(&why, '(');
			sb_puts(&why, o->origin);
			sb_putc(&why, ')');
		}
		sb_puts(&why, call);
		if (why.err)
			ps->c->err = SVC_ENOMEM;
		ps_emit(ps, rule, verb, named && o->n ? o->name[i] : "", named ? o->host : "",
			sb_str(&why));
		sb_release(&why);
	}
}

static void ps_block(struct ps *ps, size_t lo, size_t hi, const struct ps_obj *us, int nest,
		     struct ps_obj *last);
static void ps_chain(struct ps *ps, size_t lo, size_t hi, const struct ps_obj *us, int nest,
		     struct ps_obj *out);
static void ps_expression(struct ps *ps, size_t lo, size_t hi, const struct ps_obj *us, int nest,
			  int run_blocks, struct ps_obj *out);

/* A method call or property read on recv; the call's arguments are in argv. */
static void ps_method(struct ps *ps, const struct ps_obj *recv, const struct tok *m, int call,
		      const struct ps_obj *argv, struct ps_obj *res)
{
	const char *name = m->text;

	obj_none(res);
	if (m->stat) {
		struct sbuf o;
		if (!call || recv->kind != OBJ_TYPE || !recv->n || !is_sc_type(recv->name[0]))
			return;
		sb_init(&o);
		if (ieq(name, "new")) {
			res->kind = OBJ_SERVICE;
			if (argv->n)
				res->name[res->n++] = argv->name[0];
			if (argv->n > 1)
				res->host = argv->name[1];
			sb_puts(&o, "[servicecontroller]::new");
			if (argv->n)
				sb_word(&o, argv->name[0]);
		} else if (ieq(name, "getservices")) {
			res->kind = OBJ_SERVICE;
			if (argv->n)
				res->host = argv->name[0];
			sb_puts(&o, "[servicecontroller]::getservices()");
		}
		res->origin = ps_strdup(ps, &o);
		sb_release(&o);
		return;
	}
	if (!call)
		return;
	if (ieq(name, "stop") && recv->kind == OBJ_SERVICE)
		ps_emit_method(ps, "ps_service_stop_method", "stop", recv, ".stop()");
	else if (ieq(name, "pause") && recv->kind == OBJ_SERVICE)
		ps_emit_method(ps, "ps_service_pause_method", "pause", recv, ".pause()");
	else if (ieq(name, "stopservice"))
		ps_emit_method(ps, "wmi_stop_service", "stop", recv, ".stopservice()");
	else if (ieq(name, "changestartmode") && argv->n && ieq(argv->name[0], "disabled"))
		ps_emit_method(ps, "wmi_disable", "disable", recv, ".changestartmode(disabled)");
	else if (ieq(name, "delete") && recv->kind == OBJ_WMI)
		ps_emit_method(ps, "wmi_delete", "delete", recv, ".delete()");
}

/* Evaluates an expression (or one command argument): strings, comma lists, string
 * concatenation with +, variables, groups, type literals, member calls. Blocks { }
 * are run when run_blocks is set. */
static void ps_expression(struct ps *ps, size_t lo, size_t hi, const struct ps_obj *us, int nest,
			  int run_blocks, struct ps_obj *out)
{
	struct ps_obj cur, v;
	int comma = 0, plus = 0;
	size_t k = lo;

	obj_none(&cur);
	while (k < hi && !ps->c->err) {
		const struct tok *t = &ps->t[k];
		size_t next = ps_skip(ps, k, hi);
		switch (t->kind) {
		case TK_WORD:
		case TK_STR:
			if (cur.kind == OBJ_TYPE && !t->space && cur.n && is_sc_type(cur.name[0])) {
				obj_string(&cur, t->text);
				cur.kind = OBJ_SERVICE;
			} else if (plus && cur.kind == OBJ_STRING && cur.n == 1) {
				struct sbuf b;
				sb_init(&b);
				sb_puts(&b, cur.name[0]);
				sb_puts(&b, t->text);
				obj_string(&cur, ps_strdup(ps, &b));
				sb_release(&b);
			} else if (comma && cur.kind == OBJ_STRING) {
				obj_string(&v, t->text);
				obj_add_names(&cur, &v);
			} else {
				obj_string(&cur, t->text);
			}
			break;
		case TK_VAR:
			ps_var_get(ps, t->text, us, &v);
			if (comma && cur.kind == OBJ_STRING && v.kind == OBJ_STRING)
				obj_add_names(&cur, &v);
			else
				cur = v;
			break;
		case TK_TYPE:
			if (t->space || k == lo) {
				obj_none(&cur);
				cur.kind = OBJ_TYPE;
				cur.n = 1;
				cur.name[0] = t->text;
			}
			break;
		case TK_MEMBER: {
			int call = next < hi && tok_is(&ps->t[next], OP_LPAREN) && !ps->t[next].space;
			struct ps_obj argv, res;
			obj_none(&argv);
			if (call) {
				size_t ghi = ps_group_end(ps, next, hi);
				if (nest < PS_MAX_NEST)
					ps_expression(ps, next + 1, ghi, us, nest + 1, 1, &argv);
				next = ps_skip(ps, next, hi);
			}
			ps_method(ps, &cur, t, call, &argv, &res);
			cur = res;
			break;
		}
		case TK_PARAM:
			obj_none(&cur);
			break;
		default:
			switch (t->op) {
			case OP_LPAREN:
			case OP_SUBEXPR:
			case OP_ARRAY:
				ps_block(ps, k + 1, ps_group_end(ps, k, hi), us, nest + 1, &v);
				if (comma && cur.kind == OBJ_STRING && v.kind == OBJ_STRING)
					obj_add_names(&cur, &v);
				else
					cur = v;
				break;
			case OP_LBRACE:
				if (run_blocks)
					ps_block(ps, k + 1, ps_group_end(ps, k, hi), us, nest + 1, NULL);
				obj_none(&cur);
				cur.kind = OBJ_BLOCK;
				cur.lo = k + 1;
				cur.hi = ps_group_end(ps, k, hi);
				break;
			case OP_HASH:
				obj_none(&cur);
				cur.kind = OBJ_HASH;
				cur.lo = k + 1;
				cur.hi = ps_group_end(ps, k, hi);
				break;
			case OP_COMMA:
				comma = 1;
				k = next;
				continue;
			case OP_PLUS:
				plus = 1;
				k = next;
				continue;
			default:
				obj_none(&cur);
			}
		}
		comma = plus = 0;
		k = next;
	}
	*out = cur;
}

/* ---- PowerShell: commands ----------------------------------------------------------- */

/* A parameter: "Name|Alias|Alias", and whether it takes a value. */
struct pspar {
	const char *names;
	int value;
};

static const struct pspar par_common[] = {
	{ "Verbose|vb", 0 }, { "Debug|db", 0 }, { "ErrorAction|ea", 1 },
	{ "WarningAction|wa", 1 }, { "InformationAction|infa", 1 }, { "ErrorVariable|ev", 1 },
	{ "WarningVariable|wv", 1 }, { "InformationVariable|iv", 1 }, { "OutVariable|ov", 1 },
	{ "OutBuffer|ob", 1 }, { "PipelineVariable|pv", 1 }, { "ProgressAction|proga", 1 },
	{ "WhatIf|wi", 0 }, { "Confirm|cf", 0 }, { NULL, 0 }
};

enum { STOP_NAME, STOP_DISPLAYNAME, STOP_INPUT, STOP_PASSTHRU };
static const struct pspar par_stop_service[] = {
	{ "Name|ServiceName", 1 }, { "DisplayName", 1 }, { "InputObject", 1 }, { "PassThru", 0 },
	{ "Force", 0 }, { "NoWait", 0 }, { "Include", 1 }, { "Exclude", 1 }, { NULL, 0 }
};

enum { SET_NAME, SET_DISPLAYNAME, SET_INPUT, SET_STARTUP, SET_STATUS, SET_COMPUTER,
       SET_PASSTHRU };
static const struct pspar par_set_service[] = {
	{ "Name|ServiceName|SN", 1 }, { "DisplayName|DN", 1 }, { "InputObject", 1 },
	{ "StartupType|StartMode|SM|ST|StartType", 1 }, { "Status", 1 },
	{ "ComputerName|cn", 1 }, { "PassThru", 0 }, { "Description", 1 },
	{ "SecurityDescriptorSddl|sd", 1 }, { "Force", 0 }, { "Credential", 1 }, { NULL, 0 }
};

enum { GET_NAME, GET_DISPLAYNAME, GET_INPUT, GET_COMPUTER, GET_DEPENDENT, GET_REQUIRED };
static const struct pspar par_get_service[] = {
	{ "Name|ServiceName", 1 }, { "DisplayName", 1 }, { "InputObject", 1 },
	{ "ComputerName|Cn", 1 }, { "DependentServices|DS", 0 },
	{ "RequiredServices|SDO|ServicesDependedOn", 0 }, { "Include", 1 }, { "Exclude", 1 },
	{ NULL, 0 }
};

enum { FE_PROCESS, FE_MEMBER };
static const struct pspar par_foreach[] = {
	{ "Process", 1 }, { "MemberName", 1 }, { "Begin", 1 }, { "End", 1 },
	{ "RemainingScripts", 1 }, { "ArgumentList|Args", 1 }, { "InputObject", 1 },
	{ "Parallel", 1 }, { "ThrottleLimit", 1 }, { "TimeoutSeconds", 1 }, { "AsJob", 0 },
	{ "UseNewRunspace", 0 }, { NULL, 0 }
};

enum { SP_FILE, SP_ARGS };
static const struct pspar par_start_process[] = {
	{ "FilePath|PSPath|Path", 1 }, { "ArgumentList|Args", 1 }, { "Credential|RunAs", 1 },
	{ "WorkingDirectory", 1 }, { "LoadUserProfile|Lup", 0 }, { "NoNewWindow|nnw", 0 },
	{ "PassThru", 0 }, { "RedirectStandardError|RSE", 1 }, { "RedirectStandardInput|RSI", 1 },
	{ "RedirectStandardOutput|RSO", 1 }, { "Verb", 1 }, { "WindowStyle", 1 }, { "Wait", 0 },
	{ "UseNewEnvironment", 0 }, { "Environment", 1 }, { NULL, 0 }
};

static const struct pspar par_iex[] = { { "Command", 1 }, { NULL, 0 } };

enum { ICM_BLOCK, ICM_COMPUTER, ICM_SESSION, ICM_VMID, ICM_VMNAME, ICM_CONTAINER, ICM_HOSTNAME,
       ICM_URI };
static const struct pspar par_icm[] = {
	{ "ScriptBlock|Command", 1 }, { "ComputerName|Cn", 1 }, { "Session", 1 },
	{ "VMId|VMGuid|Id", 1 }, { "VMName", 1 }, { "ContainerId", 1 }, { "HostName", 1 },
	{ "ConnectionUri|URI|CU", 1 }, { "ArgumentList|Args", 1 }, { "Credential", 1 },
	{ "FilePath|PSPath", 1 }, { "AsJob", 0 }, { "HideComputerName|HCN", 0 }, { "JobName", 1 },
	{ "ThrottleLimit", 1 }, { "Port", 1 }, { "UseSSL", 0 }, { "ConfigurationName", 1 },
	{ "ApplicationName", 1 }, { "Authentication", 1 }, { "CertificateThumbprint", 1 },
	{ "SessionOption", 1 }, { "InputObject", 1 }, { "NoNewScope", 0 },
	{ "InDisconnectedSession|Disconnected", 0 }, { "SessionName", 1 },
	{ "RunAsAdministrator", 0 }, { "UserName", 1 }, { "KeyFilePath|IdentityFilePath", 1 },
	{ "SSHTransport", 0 }, { "SSHConnection", 1 }, { "Subsystem", 1 },
	{ "EnableNetworkAccess", 0 }, { "AllowRedirection", 0 }, { "RemoteDebug", 0 },
	{ "Options", 1 }, { "ConnectingTimeout", 1 }, { NULL, 0 }
};

/* Invoke-CimMethod and Invoke-WmiMethod share the first six positions. */
enum { IM_CLASS, IM_METHOD, IM_ARGS, IM_WHERE, IM_INPUT, IM_COMPUTER, IM_FILTER };
static const struct pspar par_invoke_cim[] = {
	{ "ClassName|Class", 1 }, { "MethodName|Name", 1 }, { "Arguments", 1 }, { "Query", 1 },
	{ "InputObject|CimInstance", 1 }, { "ComputerName|CN|ServerName", 1 },
	{ "Filter", 1 }, { "QueryDialect", 1 }, { "Namespace", 1 }, { "CimSession", 1 },
	{ "ResourceUri", 1 }, { "CimClass", 1 }, { "OperationTimeoutSec|OT", 1 }, { NULL, 0 }
};
static const struct pspar par_invoke_wmi[] = {
	{ "Class", 1 }, { "Name", 1 }, { "ArgumentList|Args", 1 }, { "Path", 1 },
	{ "InputObject", 1 }, { "ComputerName|Cn", 1 }, { "Namespace|NS", 1 },
	{ "Credential", 1 }, { "Authority", 1 }, { "Impersonation", 1 }, { "Authentication", 1 },
	{ "Locale", 1 }, { "EnableAllPrivileges", 0 }, { "AsJob", 0 }, { "ThrottleLimit", 1 },
	{ NULL, 0 }
};

/* Get-WmiObject and Get-CimInstance share the first four positions. */
enum { GW_CLASS, GW_FILTER, GW_QUERY, GW_COMPUTER };
static const struct pspar par_get_wmi[] = {
	{ "Class", 1 }, { "Filter", 1 }, { "Query", 1 }, { "ComputerName|Cn", 1 },
	{ "Property", 1 }, { "Namespace|NS", 1 }, { "Credential", 1 }, { "List", 0 },
	{ "Recurse", 0 }, { "Amended", 0 }, { "DirectRead", 0 }, { "AsJob", 0 },
	{ "Impersonation", 1 }, { "Authentication", 1 }, { "Locale", 1 },
	{ "EnableAllPrivileges", 0 }, { "Authority", 1 }, { "ThrottleLimit", 1 }, { NULL, 0 }
};
static const struct pspar par_get_cim[] = {
	{ "ClassName", 1 }, { "Filter", 1 }, { "Query", 1 }, { "ComputerName|CN|ServerName", 1 },
	{ "Property|SelectProperties", 1 }, { "Namespace", 1 }, { "QueryDialect", 1 },
	{ "KeyOnly", 0 }, { "Shallow", 0 }, { "CimSession", 1 }, { "InputObject|CimInstance", 1 },
	{ "ResourceUri", 1 }, { "OperationTimeoutSec|OT", 1 }, { NULL, 0 }
};

enum { NO_TYPE, NO_ARGS };
static const struct pspar par_new_object[] = {
	{ "TypeName", 1 }, { "ArgumentList|Args", 1 }, { "ComObject|Com", 1 }, { "Property", 1 },
	{ "Strict", 0 }, { NULL, 0 }
};

enum { IP_PATH, IP_NAME, IP_VALUE, IP_TYPE };
static const struct pspar par_item_property[] = {
	{ "Path|PSPath|LiteralPath|LP", 1 }, { "Name", 1 }, { "Value", 1 },
	{ "PropertyType|Type", 1 }, { "Force", 0 }, { "PassThru", 0 }, { "Include", 1 },
	{ "Exclude", 1 }, { "Filter", 1 }, { "Credential", 1 }, { "InputObject", 1 }, { NULL, 0 }
};

enum cmdlet {
	C_UNKNOWN, C_NATIVE, C_STOP_SERVICE, C_SUSPEND_SERVICE, C_REMOVE_SERVICE, C_SET_SERVICE,
	C_GET_SERVICE, C_FOREACH, C_PASS, C_START_PROCESS, C_IEX, C_ICM, C_INVOKE_CIM,
	C_INVOKE_WMI, C_GET_WMI, C_GET_CIM, C_NEW_OBJECT, C_SET_ITEMPROPERTY, C_NEW_ITEMPROPERTY
};

static const struct {
	const char *name;
	enum cmdlet id;
} cmdlets[] = {
	{ "stop-service", C_STOP_SERVICE }, { "spsv", C_STOP_SERVICE },
	{ "suspend-service", C_SUSPEND_SERVICE }, { "remove-service", C_REMOVE_SERVICE },
	{ "set-service", C_SET_SERVICE }, { "get-service", C_GET_SERVICE }, { "gsv", C_GET_SERVICE },
	{ "foreach-object", C_FOREACH }, { "%", C_FOREACH }, { "foreach", C_FOREACH },
	{ "where-object", C_PASS }, { "?", C_PASS }, { "where", C_PASS },
	{ "sort-object", C_PASS }, { "sort", C_PASS }, { "select-object", C_PASS },
	{ "select", C_PASS }, { "tee-object", C_PASS }, { "tee", C_PASS },
	{ "start-process", C_START_PROCESS }, { "start", C_START_PROCESS }, { "saps", C_START_PROCESS },
	{ "invoke-expression", C_IEX }, { "iex", C_IEX },
	{ "invoke-command", C_ICM }, { "icm", C_ICM },
	{ "invoke-cimmethod", C_INVOKE_CIM }, { "icim", C_INVOKE_CIM },
	{ "invoke-wmimethod", C_INVOKE_WMI }, { "iwmi", C_INVOKE_WMI },
	{ "get-wmiobject", C_GET_WMI }, { "gwmi", C_GET_WMI },
	{ "get-ciminstance", C_GET_CIM }, { "gcim", C_GET_CIM },
	{ "new-object", C_NEW_OBJECT },
	{ "set-itemproperty", C_SET_ITEMPROPERTY }, { "sp", C_SET_ITEMPROPERTY },
	{ "new-itemproperty", C_NEW_ITEMPROPERTY },
};

static enum cmdlet ps_cmdlet(const struct ps *ps, const char *name)
{
	const char *b = name, *p;
	char base[64];
	size_t i;

	for (p = name; *p; p++)
		if (*p == '\\' || *p == '/')
			b = p + 1;
	for (i = 0; i < sizeof(cmdlets) / sizeof(cmdlets[0]); i++)
		if (ieq(b, cmdlets[i].name))
			return cmdlets[i].id;
	if (prog_resolve(name, base, sizeof(base)) == P_NONE)
		return C_UNKNOWN;
	/* Windows PowerShell aliases sc to Set-Content; pwsh does not */
	if (!ps->pwsh && ieq(name, "sc"))
		return C_UNKNOWN;
	return C_NATIVE;
}

struct ps_arg {
	size_t lo, hi;		/* its tokens */
	const char *param;	/* parameter name, or NULL for a value */
	int colon;		/* -Name:value */
	struct ps_obj val;
};

#define PS_MAX_PARAMS 64
#define PS_MAX_POS 16
#define NO_ARG ((size_t)-1)

/* Which argument binds to each parameter (the table's, then the common ones), and
 * the positional arguments in order. */
struct ps_binding {
	size_t val[PS_MAX_PARAMS];
	size_t pos[PS_MAX_POS];
	size_t n_pos;
	size_t m;
	int missing;	/* a parameter that takes a value was given none */
};

static const struct pspar *par_at(const struct pspar *tab, size_t m, size_t i)
{
	return i < m ? &tab[i] : &par_common[i - m];
}

static int par_is(const char *names, const char *p, int prefix)
{
	size_t pn = strlen(p);

	while (*names) {
		size_t n = strcspn(names, "|");
		if (prefix ? (pn && pn <= n && istarts(names, p)) : ieqn(names, n, p))
			return 1;
		if (prefix || !names[n])
			break;
		names += n + 1;
	}
	return 0;
}

/* Index of the parameter p names: an exact name or alias, else an unambiguous
 * abbreviation of a name; -1 when none or ambiguous. */
static long ps_resolve(const struct pspar *tab, size_t m, const char *p)
{
	size_t total = m + sizeof(par_common) / sizeof(par_common[0]) - 1, i;
	long found = -1;

	for (i = 0; i < total; i++)
		if (par_is(par_at(tab, m, i)->names, p, 0))
			return (long)i;
	for (i = 0; i < total; i++) {
		if (par_is(par_at(tab, m, i)->names, p, 1)) {
			if (found >= 0)
				return -1;
			found = (long)i;
		}
	}
	return found;
}

static void ps_bind(const struct ps_arg *args, size_t nargs, const struct pspar *tab,
		    struct ps_binding *b)
{
	size_t i;

	for (b->m = 0; tab[b->m].names; b->m++)
		;
	for (i = 0; i < PS_MAX_PARAMS; i++)
		b->val[i] = NO_ARG;
	b->n_pos = 0;
	b->missing = 0;
	for (i = 0; i < nargs; i++) {
		const struct ps_arg *a = &args[i];
		long r;
		if (!a->param) {
			if (b->n_pos < PS_MAX_POS)
				b->pos[b->n_pos++] = i;
			continue;
		}
		r = ps_resolve(tab, b->m, a->param);
		if (r >= 0 && par_at(tab, b->m, (size_t)r)->value) {
			if (i + 1 < nargs && !args[i + 1].param)
				b->val[r] = ++i;
			else
				b->missing = 1;
		} else {
			if (r >= 0)
				b->val[r] = i;
			if (a->colon && i + 1 < nargs && !args[i + 1].param)
				i++;
		}
	}
}

static size_t par_common_index(const struct ps_binding *b, const char *name)
{
	size_t i;

	for (i = 0; par_common[i].names; i++)
		if (par_is(par_common[i].names, name, 0))
			return b->m + i;
	return 0;
}

/* 1 when the switch at table index i is given and not set to $false. */
static int ps_switch_on(const struct ps_arg *args, size_t nargs, const struct ps_binding *b,
			size_t i)
{
	size_t k = b->val[i];

	if (k == NO_ARG)
		return 0;
	if (args[k].colon && k + 1 < nargs && !args[k + 1].param && args[k + 1].val.n &&
	    (ieq(args[k + 1].val.name[0], "$false") || ieq(args[k + 1].val.name[0], "0")))
		return 0;
	return 1;
}

static const struct ps_obj *bound(const struct ps_arg *args, const struct ps_binding *b, size_t i)
{
	return b->val[i] == NO_ARG ? NULL : &args[b->val[i]].val;
}

static const char *obj_first(const struct ps_obj *o)
{
	return o && o->n ? o->name[0] : NULL;
}

/* The text an argument passes to a native program. */
static void ps_arg_text(struct ps *ps, const struct ps_arg *a, struct sbuf *out)
{
	size_t k;

	if (a->param) {
		sb_putc(out, '-');
		sb_puts(out, a->param);
		if (a->colon)
			sb_putc(out, ':');
		return;
	}
	for (k = a->lo; k < a->hi; k = ps_skip(ps, k, a->hi)) {
		const struct tok *t = &ps->t[k];
		switch (t->kind) {
		case TK_WORD:
		case TK_STR:
			sb_puts(out, t->text);
			break;
		case TK_VAR:
			sb_putc(out, '$');
			sb_puts(out, t->text);
			break;
		case TK_TYPE:
			sb_putc(out, '[');
			sb_puts(out, t->text);
			sb_putc(out, ']');
			break;
		case TK_MEMBER:
			sb_putc(out, '.');
			sb_puts(out, t->text);
			break;
		default:
			if (t->op == OP_COMMA) {
				sb_putc(out, ',');
			} else if (is_opener(t->op) && k == a->lo && ps_skip(ps, k, a->hi) == a->hi &&
				   a->val.kind == OBJ_STRING) {
				size_t i;
				for (i = 0; i < a->val.n; i++) {
					if (i)
						sb_putc(out, ' ');
					sb_puts(out, a->val.name[i]);
				}
			}
		}
	}
}

/* Runs a command line of a child process started from the script. */
static void ps_child(struct ps *ps, const char *line, size_t len, const char *via_words,
		     const char *host)
{
	struct frame child;
	struct sbuf via;

	frame_child(&child, ps->f, SVC_LAUNCHER, via_words, host, &via);
	if (via.err)
		ps->c->err = SVC_ENOMEM;
	else
		run_line(ps->c, &child, line, len, NULL);
	sb_release(&via);
}

static void ps_native(struct ps *ps, const char *name, const struct ps_arg *args, size_t nargs)
{
	struct sbuf line, w;
	size_t i;

	sb_init(&line);
	sb_init(&w);
	sb_arg(&line, name);
	for (i = 0; i < nargs; i++) {
		const struct ps_arg *a = &args[i];
		w.len = 0;
		if (w.p)
			w.p[0] = '\0';
		ps_arg_text(ps, a, &w);
		if (!a->param && ps->t[a->lo].raw) {
			sb_putc(&line, ' ');
			sb_puts(&line, sb_str(&w));
		} else {
			sb_arg(&line, sb_str(&w));
		}
	}
	if (line.err || w.err)
		ps->c->err = SVC_ENOMEM;
	else
		ps_child(ps, sb_str(&line), line.len, NULL, "");
	sb_release(&line);
	sb_release(&w);
}

/* Stop-Service, Suspend-Service, Remove-Service, Set-Service: the services they act
 * on: -Name, else -DisplayName (not for Set-Service, where it renames), -InputObject,
 * the first positional argument, the pipeline input; NULL when there is none. */
static const struct ps_obj *ps_service_target(const struct ps_arg *args, const struct ps_binding *b,
					      size_t name_i, size_t dn_i, size_t in_i,
					      const struct ps_obj *pipe)
{
	const struct ps_obj *o;

	if ((o = bound(args, b, name_i)) != NULL)
		return o;
	if (dn_i != NO_ARG && (o = bound(args, b, dn_i)) != NULL)
		return o;
	if ((o = bound(args, b, in_i)) != NULL)
		return o;
	if (b->n_pos)
		return &args[b->pos[0]].val;
	return pipe->kind == OBJ_NONE ? NULL : pipe;
}

/* -PassThru hands the services on down the pipeline (into *out). */
static void cmd_stop_like(struct ps *ps, enum cmdlet id, const struct ps_arg *args, size_t nargs,
			  const struct ps_binding *b, const struct ps_obj *pipe, struct ps_obj *out)
{
	const struct ps_obj *o;

	if (b->missing || ps_switch_on(args, nargs, b, par_common_index(b, "WhatIf")))
		return;
	o = ps_service_target(args, b, STOP_NAME, STOP_DISPLAYNAME, STOP_INPUT, pipe);
	if (!o)
		return;
	if (ps_switch_on(args, nargs, b, STOP_PASSTHRU))
		*out = *o;
	if (id == C_STOP_SERVICE)
		ps_emit_each(ps, "ps_stop_service", "stop", o, "", "stop-service", NULL);
	else if (id == C_SUSPEND_SERVICE)
		ps_emit_each(ps, "ps_suspend_service", "pause", o, "", "suspend-service", NULL);
	else if (ps->pwsh)
		ps_emit_each(ps, "ps_remove_service", "delete", o, "", "remove-service", NULL);
}

static void cmd_set_service(struct ps *ps, const struct ps_arg *args, size_t nargs,
			    const struct ps_binding *b, const struct ps_obj *pipe, struct ps_obj *out)
{
	const struct ps_obj *o, *st = bound(args, b, SET_STARTUP), *status = bound(args, b, SET_STATUS);
	const char *host = obj_first(bound(args, b, SET_COMPUTER));

	if (b->missing || ps_switch_on(args, nargs, b, par_common_index(b, "WhatIf")))
		return;
	o = ps_service_target(args, b, SET_NAME, NO_ARG, SET_INPUT, pipe);
	if (!o)
		return;
	if (ps_switch_on(args, nargs, b, SET_PASSTHRU))
		*out = *o;
	if (obj_first(st) && (ieq(obj_first(st), "disabled") || is_four(obj_first(st))))
		ps_emit_each(ps, "ps_set_service_disabled", "disable", o, host, "set-service",
			     " -startuptype disabled");
	if (obj_first(status) && (ieq(obj_first(status), "stopped") || ieq(obj_first(status), "1")))
		ps_emit_each(ps, "ps_set_service_stopped", "stop", o, host, "set-service",
			     " -status stopped");
}

static void cmd_get_service(struct ps *ps, const struct ps_arg *args, size_t nargs,
			    const struct ps_binding *b, const struct ps_obj *pipe, struct ps_obj *out)
{
	const struct ps_obj *names = bound(args, b, GET_NAME);
	const char *host = obj_first(bound(args, b, GET_COMPUTER));
	struct sbuf o;
	size_t i;

	if (!names)
		names = bound(args, b, GET_DISPLAYNAME);
	if (!names && b->n_pos)
		names = &args[b->pos[0]].val;
	if (!names && pipe->kind == OBJ_STRING)
		names = pipe;
	obj_none(out);
	out->kind = OBJ_SERVICE;
	if (names && (names->kind == OBJ_STRING || names->kind == OBJ_SERVICE))
		obj_add_names(out, names);
	out->host = host ? host : "";
	sb_init(&o);
	sb_puts(&o, "get-service");
	if (*out->host) {
		sb_puts(&o, " -computername");
		sb_word(&o, out->host);
	}
	for (i = 0; i < out->n; i++) {
		sb_putc(&o, i ? ',' : ' ');
		sb_puts(&o, out->name[i]);
	}
	if (ps_switch_on(args, nargs, b, GET_DEPENDENT) || ps_switch_on(args, nargs, b, GET_REQUIRED)) {
		sb_puts(&o, ps_switch_on(args, nargs, b, GET_DEPENDENT) ?
			" -dependentservices" : " -requiredservices");
		out->n = 0;
	}
	out->origin = ps_strdup(ps, &o);
	sb_release(&o);
}

static void cmd_foreach(struct ps *ps, const struct ps_arg *args, const struct ps_binding *b,
			const struct ps_obj *pipe)
{
	const char *member = obj_first(bound(args, b, FE_MEMBER));
	struct tok m;

	if (!member && b->n_pos && args[b->pos[0]].val.kind == OBJ_STRING)
		member = obj_first(&args[b->pos[0]].val);
	if (!member)
		return;
	memset(&m, 0, sizeof(m));
	m.kind = TK_MEMBER;
	m.text = member;
	{
		struct ps_obj none, res;
		obj_none(&none);
		ps_method(ps, pipe, &m, 1, &none, &res);
	}
}

static void cmd_start_process(struct ps *ps, const struct ps_arg *args, const struct ps_binding *b)
{
	const struct ps_obj *file = bound(args, b, SP_FILE), *al = bound(args, b, SP_ARGS);
	struct sbuf line;
	size_t i;

	if (!file && b->n_pos)
		file = &args[b->pos[0]].val;
	if (!al && b->n_pos > 1)
		al = &args[b->pos[1]].val;
	if (!obj_first(file))
		return;
	sb_init(&line);
	sb_arg(&line, obj_first(file));
	if (al && al->kind == OBJ_STRING) {
		for (i = 0; i < al->n; i++) {
			sb_putc(&line, ' ');
			sb_puts(&line, al->name[i]);
		}
	}
	if (line.err)
		ps->c->err = SVC_ENOMEM;
	else
		ps_child(ps, sb_str(&line), line.len, "start-process", "");
	sb_release(&line);
}

static void ps_script_nested(struct ps *ps, const char *text, const char *via_words)
{
	struct frame child;
	struct sbuf via;

	frame_child(&child, ps->f, SVC_DIRECT, via_words, "", &via);
	if (via.err)
		ps->c->err = SVC_ENOMEM;
	else
		ps_script(ps->c, &child, text, strlen(text), ps->pwsh);
	sb_release(&via);
}

static void cmd_icm(struct ps *ps, const struct ps_arg *args, const struct ps_binding *b,
		    const struct ps_obj *us, int nest)
{
	const struct ps_obj *block = bound(args, b, ICM_BLOCK), *cn = bound(args, b, ICM_COMPUTER);
	const struct frame *saved = ps->f;
	struct frame child;
	struct sbuf via, hosts, words;
	size_t i;
	int remote = 0;

	for (i = 0; i < b->n_pos && i < PS_MAX_POS; i++) {
		const struct ps_obj *v = &args[b->pos[i]].val;
		if (!block && v->kind == OBJ_BLOCK)
			block = v;
		else if (!cn && v->kind == OBJ_STRING)
			cn = v;
	}
	if (!block || block->kind != OBJ_BLOCK || nest >= PS_MAX_NEST)
		return;
	for (i = ICM_COMPUTER; i <= ICM_URI; i++)
		if (b->val[i] != NO_ARG)
			remote = 1;
	if (cn)
		remote = 1;
	sb_init(&hosts);
	sb_init(&words);
	for (i = 0; cn && i < cn->n; i++) {
		if (i)
			sb_putc(&hosts, ',');
		sb_puts(&hosts, cn->name[i]);
	}
	sb_puts(&words, "invoke-command");
	if (hosts.len) {
		sb_puts(&words, " -computername");
		sb_word(&words, sb_str(&hosts));
	}
	frame_child(&child, ps->f, remote ? SVC_LAUNCHER : SVC_DIRECT, remote ? sb_str(&words) : NULL,
		    sb_str(&hosts), &via);
	if (hosts.err || words.err || via.err) {
		ps->c->err = SVC_ENOMEM;
	} else if (child.depth <= SVC_MAX_DEPTH) {
		ps->f = &child;
		ps_block(ps, block->lo, block->hi, us, nest + 1, NULL);
		ps->f = saved;
	}
	sb_release(&via);
	sb_release(&hosts);
	sb_release(&words);
}

/* 1 when a token range (a hashtable's contents) holds the word "disabled". */
static int ps_range_has(const struct ps *ps, size_t lo, size_t hi, const char *word)
{
	size_t k;

	for (k = lo; k < hi && k < ps->n; k++)
		if ((ps->t[k].kind == TK_WORD || ps->t[k].kind == TK_STR) && istrstr(ps->t[k].text, word))
			return 1;
	return 0;
}

/* The CommandLine of a Win32_Process Create hashtable: CommandLine = '...' or the
 * bareword CommandLine='...'. */
static const char *ps_hash_commandline(const struct ps *ps, size_t lo, size_t hi)
{
	size_t k;

	for (k = lo; k < hi && k < ps->n; k++) {
		const struct tok *t = &ps->t[k];
		if ((t->kind == TK_WORD || t->kind == TK_STR) && istarts(t->text, "commandline")) {
			const char *v = t->text + 11;
			if (*v == '=')
				return v + 1;
			if (!*v && k + 2 < hi && tok_is(&ps->t[k + 1], OP_ASSIGN) &&
			    (ps->t[k + 2].kind == TK_STR || ps->t[k + 2].kind == TK_WORD))
				return ps->t[k + 2].text;
		}
	}
	return NULL;
}

static int is_method(const char *s)
{
	return ieq(s, "stopservice") || ieq(s, "changestartmode") || ieq(s, "create") ||
	       ieq(s, "delete");
}

static void cmd_invoke_method(struct ps *ps, enum cmdlet id, const struct ps_arg *args,
			      const struct ps_binding *b, const struct ps_obj *pipe)
{
	const char *method = obj_first(bound(args, b, IM_METHOD));
	const char *cls = obj_first(bound(args, b, IM_CLASS));
	const char *where = obj_first(bound(args, b, IM_WHERE));
	const char *filter = id == C_INVOKE_CIM ? obj_first(bound(args, b, IM_FILTER)) : NULL;
	const char *host = obj_first(bound(args, b, IM_COMPUTER));
	const char *cmdname = id == C_INVOKE_CIM ? "invoke-cimmethod" : "invoke-wmimethod";
	const struct ps_obj *target = bound(args, b, IM_INPUT), *margs = bound(args, b, IM_ARGS);
	struct ps_obj svc;
	struct sbuf name, words;
	size_t i;
	int service, process;

	for (i = 0; i < b->n_pos; i++) {
		const char *s = obj_first(&args[b->pos[i]].val);
		if (!s || args[b->pos[i]].val.kind != OBJ_STRING)
			continue;
		if (!method && is_method(s))
			method = s;
		else if (!cls && istarts(s, "win32_") && !strchr(s, '.'))
			cls = s;
		else if (!where && istrstr(s, "win32_"))
			where = s;
		else if (!margs && method)
			margs = &args[b->pos[i]].val;
	}
	if (!method)
		return;
	if (!target && (pipe->kind == OBJ_WMI || pipe->kind == OBJ_SERVICE))
		target = pipe;
	service = (cls && (ieq(cls, "win32_service") || ieq(cls, "win32_baseservice"))) ||
		  (where && istrstr(where, "win32_service")) ||
		  (target && (target->kind == OBJ_WMI || target->kind == OBJ_SERVICE));
	process = (cls && ieq(cls, "win32_process")) || (where && istrstr(where, "win32_process"));
	if (process && ieq(method, "create")) {
		const char *line = NULL;
		if (margs && margs->kind == OBJ_HASH)
			line = ps_hash_commandline(ps, margs->lo, margs->hi);
		else
			line = obj_first(margs);
		if (line) {
			sb_init(&words);
			sb_puts(&words, cmdname);
			sb_puts(&words, " win32_process create");
			if (words.err)
				ps->c->err = SVC_ENOMEM;
			else
				ps_child(ps, line, strlen(line), sb_str(&words), host ? host : "");
			sb_release(&words);
		}
		return;
	}
	if (!(ieq(method, "stopservice") || (service && (ieq(method, "changestartmode") ||
							 ieq(method, "delete")))))
		return;
	if (ieq(method, "changestartmode")) {
		int disabled = 0;
		if (margs && margs->kind == OBJ_HASH)
			disabled = ps_range_has(ps, margs->lo, margs->hi, "disabled");
		else if (margs && margs->kind == OBJ_STRING)
			for (i = 0; i < margs->n; i++)
				disabled |= istrstr(margs->name[i], "disabled") != NULL;
		if (!disabled)
			return;
	}
	sb_init(&name);
	sb_init(&words);
	obj_none(&svc);
	if (target && (target->kind == OBJ_WMI || target->kind == OBJ_SERVICE)) {
		svc = *target;
	} else {
		svc.kind = OBJ_STRING;
		if (filter)
			wmi_filter_name(filter, &name);
		if (!name.len && where)
			wmi_filter_name(where, &name);
		if (name.len)
			svc.name[svc.n++] = ps_strdup(ps, &name);
	}
	sb_puts(&words, cmdname);
	if (svc.kind == OBJ_STRING)
		sb_puts(&words, " win32_service");
	if (ieq(method, "stopservice")) {
		sb_puts(&words, " stopservice");
		ps_emit_each(ps, "wmi_stop_service", "stop", &svc, host, sb_str(&words), NULL);
	} else if (ieq(method, "changestartmode")) {
		sb_puts(&words, " changestartmode disabled");
		ps_emit_each(ps, "wmi_disable", "disable", &svc, host, sb_str(&words), NULL);
	} else {
		sb_puts(&words, " delete");
		ps_emit_each(ps, "wmi_delete", "delete", &svc, host, sb_str(&words), NULL);
	}
	if (name.err || words.err)
		ps->c->err = SVC_ENOMEM;
	sb_release(&name);
	sb_release(&words);
}

static void cmd_get_wmi(struct ps *ps, enum cmdlet id, const struct ps_arg *args,
			const struct ps_binding *b, struct ps_obj *out)
{
	const char *cls = obj_first(bound(args, b, GW_CLASS));
	const char *filter = obj_first(bound(args, b, GW_FILTER));
	const char *query = obj_first(bound(args, b, GW_QUERY));
	const char *host = obj_first(bound(args, b, GW_COMPUTER));
	struct sbuf name, o;

	if (!cls && b->n_pos)
		cls = obj_first(&args[b->pos[0]].val);
	if (!(cls && (ieq(cls, "win32_service") || ieq(cls, "win32_baseservice"))) &&
	    !(query && istrstr(query, "win32_service")))
		return;
	sb_init(&name);
	sb_init(&o);
	if (filter)
		wmi_filter_name(filter, &name);
	else if (query)
		wmi_filter_name(query, &name);
	out->kind = OBJ_WMI;
	if (name.len)
		out->name[out->n++] = ps_strdup(ps, &name);
	out->host = host ? host : "";
	sb_puts(&o, id == C_GET_WMI ? "get-wmiobject win32_service" : "get-ciminstance win32_service");
	if (out->n)
		sb_word(&o, out->name[0]);
	out->origin = ps_strdup(ps, &o);
	if (name.err || o.err)
		ps->c->err = SVC_ENOMEM;
	sb_release(&name);
	sb_release(&o);
}

static void cmd_new_object(struct ps *ps, const struct ps_arg *args, const struct ps_binding *b,
			   struct ps_obj *out)
{
	const char *type = obj_first(bound(args, b, NO_TYPE));
	const struct ps_obj *al = bound(args, b, NO_ARGS);
	struct sbuf o;

	if (!type && b->n_pos)
		type = obj_first(&args[b->pos[0]].val);
	if (!al && b->n_pos > 1)
		al = &args[b->pos[1]].val;
	if (!type || !is_sc_type(type))
		return;
	out->kind = OBJ_SERVICE;
	if (obj_first(al))
		out->name[out->n++] = al->name[0];
	if (al && al->n > 1)
		out->host = al->name[1];
	sb_init(&o);
	sb_puts(&o, "new-object servicecontroller");
	if (out->n)
		sb_word(&o, out->name[0]);
	out->origin = ps_strdup(ps, &o);
	sb_release(&o);
}

static void cmd_item_property(struct ps *ps, enum cmdlet id, const struct ps_arg *args,
			      const struct ps_binding *b)
{
	const char *path = obj_first(bound(args, b, IP_PATH));
	const char *name = obj_first(bound(args, b, IP_NAME));
	const char *value = obj_first(bound(args, b, IP_VALUE));
	const char *type = obj_first(bound(args, b, IP_TYPE));
	struct sbuf svc, host, why;

	if (!path && b->n_pos)
		path = obj_first(&args[b->pos[0]].val);
	if (!name && b->n_pos > 1)
		name = obj_first(&args[b->pos[1]].val);
	if (!value && b->n_pos > 2)
		value = obj_first(&args[b->pos[2]].val);
	if (!path || !name || !value || !ieq(name, "start") || !is_four(value))
		return;
	if (type && !ieq(type, "dword") && !ieq(type, "reg_dword"))
		return;
	sb_init(&svc);
	sb_init(&host);
	sb_init(&why);
	if (reg_service_key(path, &svc, &host)) {
		sb_puts(&why, id == C_SET_ITEMPROPERTY ? "set-itemproperty" : "new-itemproperty");
		sb_word(&why, path);
		sb_puts(&why, " start 4");
		if (svc.err || host.err || why.err)
			ps->c->err = SVC_ENOMEM;
		ps_emit(ps, "ps_reg_start_disabled", "disable", sb_str(&svc), sb_str(&host),
			sb_str(&why));
	}
	sb_release(&svc);
	sb_release(&host);
	sb_release(&why);
}

/* End of the command argument that starts at k: tokens joined without white space,
 * or by commas. */
static size_t ps_arg_end(const struct ps *ps, size_t k, size_t hi)
{
	k = ps_skip(ps, k, hi);
	while (k < hi) {
		const struct tok *t = &ps->t[k], *prev = &ps->t[k - 1];
		if (t->kind == TK_OP && (t->op == OP_NL || t->op == OP_SEMI || t->op == OP_PIPE ||
					 t->op == OP_ANDAND || t->op == OP_OROR || t->op == OP_REDIR ||
					 t->op == OP_RPAREN || t->op == OP_RBRACE))
			break;
		if (t->kind == TK_PARAM && t->space)
			break;
		if (tok_is(t, OP_LPAREN) && prev->kind == TK_WORD)
			break;
		if (tok_is(t, OP_COMMA) || tok_is(prev, OP_COMMA) || !t->space) {
			k = ps_skip(ps, k, hi);
			continue;
		}
		break;
	}
	return k;
}

static void ps_command(struct ps *ps, const char *name, size_t lo, size_t hi,
		       const struct ps_obj *pipe, const struct ps_obj *us, int nest, struct ps_obj *out)
{
	enum cmdlet id = ps_cmdlet(ps, name);
	struct ps_arg *args = NULL;
	struct ps_binding b;
	const struct ps_obj *us2 = (id == C_FOREACH || id == C_PASS) ? pipe : us;
	size_t nargs = 0, cap = 0, k = lo, i;

	obj_none(out);
	while (k < hi) {
		const struct tok *t = &ps->t[k];
		struct ps_arg *a;
		if (tok_is(t, OP_NL)) {
			k++;
			continue;
		}
		if (tok_is(t, OP_REDIR)) {
			k++;
			if (!t->merge && k < hi)
				k = ps_arg_end(ps, k, hi);
			continue;
		}
		if (nargs == cap) {
			struct ps_arg *v;
			if (cap >= 1024)
				break;
			cap = cap ? cap * 2 : 16;
			v = realloc(args, cap * sizeof(*v));
			if (!v) {
				ps->c->err = SVC_ENOMEM;
				free(args);
				return;
			}
			args = v;
		}
		a = &args[nargs++];
		memset(a, 0, sizeof(*a));
		obj_none(&a->val);
		a->lo = k;
		if (t->kind == TK_PARAM) {
			a->hi = k + 1;
			a->param = t->text;
			a->colon = t->colon;
		} else {
			a->hi = ps_arg_end(ps, k, hi);
		}
		k = a->hi;
	}
	for (i = 0; i < nargs && !ps->c->err; i++)
		if (!args[i].param)
			ps_expression(ps, args[i].lo, args[i].hi, us2, nest, id != C_ICM, &args[i].val);
	if (ps->c->err) {
		free(args);
		return;
	}
	switch (id) {
	case C_NATIVE:
		ps_native(ps, name, args, nargs);
		break;
	case C_STOP_SERVICE:
	case C_SUSPEND_SERVICE:
	case C_REMOVE_SERVICE:
		ps_bind(args, nargs, par_stop_service, &b);
		cmd_stop_like(ps, id, args, nargs, &b, pipe, out);
		break;
	case C_SET_SERVICE:
		ps_bind(args, nargs, par_set_service, &b);
		cmd_set_service(ps, args, nargs, &b, pipe, out);
		break;
	case C_GET_SERVICE:
		ps_bind(args, nargs, par_get_service, &b);
		cmd_get_service(ps, args, nargs, &b, pipe, out);
		break;
	case C_FOREACH:
		ps_bind(args, nargs, par_foreach, &b);
		cmd_foreach(ps, args, &b, pipe);
		break;
	case C_PASS:
		*out = *pipe;
		break;
	case C_START_PROCESS:
		ps_bind(args, nargs, par_start_process, &b);
		cmd_start_process(ps, args, &b);
		break;
	case C_IEX: {
		const char *text;
		ps_bind(args, nargs, par_iex, &b);
		text = obj_first(bound(args, &b, 0));
		if (!text && b.n_pos)
			text = obj_first(&args[b.pos[0]].val);
		if (!text && pipe->kind == OBJ_STRING)
			text = obj_first(pipe);
		if (text)
			ps_script_nested(ps, text, "invoke-expression");
		break;
	}
	case C_ICM:
		ps_bind(args, nargs, par_icm, &b);
		cmd_icm(ps, args, &b, us, nest);
		break;
	case C_INVOKE_CIM:
	case C_INVOKE_WMI:
		ps_bind(args, nargs, id == C_INVOKE_CIM ? par_invoke_cim : par_invoke_wmi, &b);
		cmd_invoke_method(ps, id, args, &b, pipe);
		break;
	case C_GET_WMI:
	case C_GET_CIM:
		ps_bind(args, nargs, id == C_GET_WMI ? par_get_wmi : par_get_cim, &b);
		cmd_get_wmi(ps, id, args, &b, out);
		break;
	case C_NEW_OBJECT:
		ps_bind(args, nargs, par_new_object, &b);
		cmd_new_object(ps, args, &b, out);
		break;
	case C_SET_ITEMPROPERTY:
	case C_NEW_ITEMPROPERTY:
		ps_bind(args, nargs, par_item_property, &b);
		cmd_item_property(ps, id, args, &b);
		break;
	case C_UNKNOWN:
		break;
	}
	free(args);
}

/* ---- PowerShell: statements ---------------------------------------------------------- */

static int ps_is_keyword(const struct ps *ps, size_t lo, size_t hi)
{
	static const char *const kw[] = {
		"if", "elseif", "else", "while", "for", "switch", "do", "until", "try", "catch",
		"finally", "trap", "function", "filter", "workflow", "param", "begin", "process",
		"end", "dynamicparam", "return", "throw", "exit", "break", "continue", "data",
		"class", "enum", "parallel", "sequence", "inlinescript", "using"
	};
	const char *w = ps->t[lo].text;
	size_t i;

	if (ieq(w, "foreach"))
		return lo + 1 < hi && tok_is(&ps->t[lo + 1], OP_LPAREN);
	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (ieq(w, kw[i]))
			return 1;
	return 0;
}

/* if / while / function / try ...: conditions and bodies are looked into; foreach
 * ($v in <expr>) binds $v to what <expr> gives. */
static void ps_keyword(struct ps *ps, size_t lo, size_t hi, const struct ps_obj *us, int nest)
{
	const char *kw = ps->t[lo].text;
	size_t k = lo + 1;
	struct ps_obj v;

	if (ieq(kw, "return") || ieq(kw, "throw") || ieq(kw, "exit")) {
		ps_chain(ps, lo + 1, hi, us, nest, &v);
		return;
	}
	if (ieq(kw, "foreach")) {
		size_t glo = k + 1, ghi = ps_group_end(ps, k, hi);
		if (glo + 2 <= ghi && ps->t[glo].kind == TK_VAR && ps->t[glo + 1].kind == TK_WORD &&
		    ieq(ps->t[glo + 1].text, "in") && nest < PS_MAX_NEST) {
			ps_chain(ps, glo + 2, ghi, us, nest + 1, &v);
			ps_var_set(ps, ps->t[glo].text, &v);
		}
		k = ps_skip(ps, k, hi);
	}
	for (; k < hi && !ps->c->err; k = ps_skip(ps, k, hi)) {
		const struct tok *t = &ps->t[k];
		if (t->kind == TK_OP && is_opener(t->op) && t->op != OP_HASH)
			ps_block(ps, k + 1, ps_group_end(ps, k, hi), us, nest + 1, NULL);
	}
}

/* One element of a pipeline: a command (a bareword, or & / . and a name), else an
 * expression. */
static void ps_element(struct ps *ps, size_t lo, size_t hi, const struct ps_obj *in,
		       const struct ps_obj *us, int nest, struct ps_obj *out)
{
	const struct tok *t;

	obj_none(out);
	while (lo < hi && tok_is(&ps->t[lo], OP_NL))
		lo++;
	if (lo >= hi)
		return;
	t = &ps->t[lo];
	if ((tok_is(t, OP_AMP) || tok_is(t, OP_DOT)) && lo + 1 < hi) {
		const struct tok *n = &ps->t[lo + 1];
		struct ps_obj v;
		if (n->kind == TK_WORD || n->kind == TK_STR) {
			ps_command(ps, n->text, lo + 2, hi, in, us, nest, out);
			return;
		}
		if (n->kind == TK_VAR) {
			ps_var_get(ps, n->text, us, &v);
			if (v.kind == OBJ_STRING && v.n && v.name[0][0] != '$') {
				ps_command(ps, v.name[0], lo + 2, hi, in, us, nest, out);
				return;
			}
		}
		if (tok_is(n, OP_LPAREN) || tok_is(n, OP_SUBEXPR)) {
			size_t after = ps_skip(ps, lo + 1, hi);
			ps_expression(ps, lo + 1, after, us, nest, 1, &v);
			if (v.kind == OBJ_STRING && v.n == 1 && v.name[0][0] != '$') {
				ps_command(ps, v.name[0], after, hi, in, us, nest, out);
				return;
			}
			ps_expression(ps, after, hi, us, nest, 1, out);
			return;
		}
		ps_expression(ps, lo + 1, hi, us, nest, 1, out);
		return;
	}
	if (t->kind == TK_WORD && !t->raw) {
		ps_command(ps, t->text, lo + 1, hi, in, us, nest, out);
		return;
	}
	ps_expression(ps, lo, hi, us, nest, 1, out);
}

static void ps_pipeline(struct ps *ps, size_t lo, size_t hi, const struct ps_obj *us, int nest,
			struct ps_obj *out)
{
	struct ps_obj in, o;
	size_t k = lo, e;

	obj_none(&in);
	while (k < hi && !ps->c->err) {
		for (e = k; e < hi && !tok_is(&ps->t[e], OP_PIPE); e = ps_skip(ps, e, hi))
			;
		ps_element(ps, k, e, &in, us, nest, &o);
		if (o.kind == OBJ_NONE && e < hi)
			o.kind = OBJ_ANY;
		in = o;
		k = e + 1;
	}
	*out = in;
}

static void ps_chain(struct ps *ps, size_t lo, size_t hi, const struct ps_obj *us, int nest,
		     struct ps_obj *out)
{
	size_t k = lo, e;

	obj_none(out);
	while (k < hi && !ps->c->err) {
		for (e = k; e < hi && !tok_is(&ps->t[e], OP_ANDAND) && !tok_is(&ps->t[e], OP_OROR);
		     e = ps_skip(ps, e, hi))
			;
		ps_pipeline(ps, k, e, us, nest, out);
		k = e + 1;
	}
}

static void ps_statement(struct ps *ps, size_t lo, size_t hi, const struct ps_obj *us, int nest,
			 struct ps_obj *out)
{
	const struct tok *t = &ps->t[lo];
	size_t k, j, var = NO_ARG;

	obj_none(out);
	if (t->kind == TK_WORD && !t->raw && ps_is_keyword(ps, lo, hi)) {
		ps_keyword(ps, lo, hi, us, nest);
		return;
	}
	for (k = lo; k < hi && !tok_is(&ps->t[k], OP_ASSIGN); k = ps_skip(ps, k, hi))
		;
	if (k >= hi) {
		ps_chain(ps, lo, hi, us, nest, out);
		return;
	}
	ps_chain(ps, k + 1, hi, us, nest, out);
	for (j = lo; j < k; j = ps_skip(ps, j, k)) {
		if (ps->t[j].kind == TK_VAR && var == NO_ARG) {
			var = j;
		} else if (ps->t[j].kind != TK_TYPE) {
			var = NO_ARG;
			break;
		}
	}
	if (var != NO_ARG)
		ps_var_set(ps, ps->t[var].text, out);
}

/* End of the statement starting at k: a ; or line end (not right after a |), or a
 * closing bracket with no opener in the range. */
static size_t ps_stmt_end(const struct ps *ps, size_t k, size_t hi)
{
	size_t last = NO_ARG;

	while (k < hi) {
		const struct tok *t = &ps->t[k];
		if (t->kind == TK_OP) {
			if (t->op == OP_SEMI || t->op == OP_RPAREN || t->op == OP_RBRACE)
				return k;
			if (t->op == OP_NL) {
				if (last == NO_ARG || !tok_is(&ps->t[last], OP_PIPE))
					return k;
				k++;
				continue;
			}
		}
		last = k;
		k = ps_skip(ps, k, hi);
	}
	return hi;
}

static void ps_block(struct ps *ps, size_t lo, size_t hi, const struct ps_obj *us, int nest,
		     struct ps_obj *last)
{
	struct ps_obj r;
	size_t k = lo;

	obj_none(&r);
	if (nest <= PS_MAX_NEST) {
		while (k < hi && !ps->c->err) {
			const struct tok *t = &ps->t[k];
			size_t e;
			if (tok_is(t, OP_NL) || tok_is(t, OP_SEMI) || tok_is(t, OP_RPAREN) ||
			    tok_is(t, OP_RBRACE)) {
				k++;
				continue;
			}
			e = ps_stmt_end(ps, k, hi);
			ps_statement(ps, k, e, us, nest, &r);
			k = e > k ? e : k + 1;
		}
	}
	if (last)
		*last = r;
}

/* Parses a PowerShell script and emits what it does to services. */
static void ps_script(struct ctx *c, const struct frame *f, const char *text, size_t len, int pwsh)
{
	struct ps *ps;
	struct ps_obj none;
	const char *copy;

	if (c->err || f->depth > SVC_MAX_DEPTH)
		return;
	if (len > SVC_MAX_INPUT)
		len = SVC_MAX_INPUT;
	if (len > MAX_WORK - c->work)
		return;
	c->work += len;
	ps = calloc(1, sizeof(*ps));
	if (!ps) {
		c->err = SVC_ENOMEM;
		return;
	}
	ps->c = c;
	ps->f = f;
	ps->pwsh = pwsh;
	copy = arena_strndup(&ps->ar, text, len);
	if (!ps->ar.err) {
		ps_lex(ps, copy, len);
		ps_match(ps);
		obj_none(&none);
		if (!c->err && !ps->ar.err)
			ps_block(ps, 0, ps->n, &none, 0, NULL);
	}
	if (ps->ar.err)
		c->err = ps->ar.err;
	arena_release(&ps->ar);
	free(ps->t);
	free(ps);
}

/* ---- one process command line -------------------------------------------------------- */

static void run_line(struct ctx *c, const struct frame *f, const char *line, size_t len,
		     const char *image)
{
	struct args a;
	char base[64];
	enum prog prog = P_NONE;
	char *copy = NULL;

	if (c->err || f->depth > SVC_MAX_DEPTH)
		return;
	if (len > SVC_MAX_INPUT)
		len = SVC_MAX_INPUT;
	if (len > MAX_WORK - c->work)
		return;
	c->work += len;
	if (line[len] != '\0') {
		copy = malloc(len + 1);
		if (!copy) {
			c->err = SVC_ENOMEM;
			return;
		}
		memcpy(copy, line, len);
		copy[len] = '\0';
		line = copy;
	}
	if (args_split(line, len, &a) < 0) {
		c->err = SVC_ENOMEM;
	} else {
		if (a.n)
			prog = prog_resolve(a.v[0], base, sizeof(base));
		if (prog == P_NONE && image && *image)
			prog = prog_resolve(image, base, sizeof(base));
		switch (prog) {
		case P_NET:
			do_net(c, f, base, &a);
			break;
		case P_SC:
			do_sc(c, f, &a);
			break;
		case P_POWERSHELL:
		case P_PWSH:
			do_powershell(c, f, base, &a, prog == P_PWSH);
			break;
		case P_WMIC:
			do_wmic(c, f, &a);
			break;
		case P_TASKKILL:
			do_taskkill(c, f, &a);
			break;
		case P_REG:
			do_reg(c, f, &a);
			break;
		case P_CMD:
			do_cmd(c, f, line, len, a.argv0_end);
			break;
		case P_PSEXEC:
			do_psexec(c, f, base, &a);
			break;
		case P_NONE:
			break;
		}
	}
	args_release(&a);
	free(copy);
}

int svc_parse(const char *command_line, const char *image, struct svc_actions *out)
{
	struct ctx c;
	struct frame f;

	assert(out);
	c.out = out;
	c.added = 0;
	c.work = 0;
	c.err = 0;
	f.depth = 0;
	f.role = SVC_DIRECT;
	f.via = "";
	f.host = "";
	if (!command_line)
		command_line = "";
	run_line(&c, &f, command_line, strnlen(command_line, SVC_MAX_INPUT), image);
	return c.err;
}

int svc_textbook_match(const char *command_line)
{
	if (!command_line)
		return 0;
	return istrstr(command_line, "net stop") != NULL || istrstr(command_line, "sc stop") != NULL;
}
