/*-------------------------------------------------------------------------
 *
 * ma_dmarc.c
 *	  DMARC (RFC 7489 and RFC 9989) of the mailauth core: record parsing and
 *	  linting, policy discovery, organizational domains, alignment and the
 *	  evaluation of a message.  Pure C, malloc()-based, on the waves DNS
 *	  model of ma_spf.h.
 *
 * Discovery.
 *	RFC 7489 6.6.3: the TXT records at _dmarc.<From domain>; when none is a
 *	DMARC1 record, those at _dmarc.<organizational domain> (if different).
 *	More than one DMARC1 record at the place used: no DMARC processing.
 *
 *	RFC 9989 (DMARCbis) DNS tree walk: _dmarc.<From domain>, then the
 *	parent names, one label removed at a time; a name of 8 or more labels
 *	is first shortened to its 7 right-most labels (so at most 8 queries:
 *	the From domain and 7 levels), down to the single-label name (a TLD may
 *	publish a PSD policy).  The first level with exactly one DMARC1 record
 *	is the policy record; a level with several ends the walk with no policy,
 *	as in RFC 7489.
 *
 *	RFC 9989 organizational domain: the same walk from the name, every level
 *	asked at once (they are independent).  The first record with psd=n
 *	(from the bottom) makes its domain the organizational domain; the first
 *	with psd=y, other than at the starting name, makes the name one label
 *	below it the organizational domain; otherwise the record with the
 *	fewest labels decides; with no record at all, the name itself.  A DNS
 *	failure at any level leaves it unknown (temperror).
 *
 * DNS failures (servfail, timeout, ...) while discovering the policy give
 * temperror; NXDOMAIN and NODATA mean "no record".  The DMARCbis np= check
 * asks A, AAAA and MX of the From domain together: it does not exist when
 * all three say NXDOMAIN or NODATA; on a DNS failure it is taken as
 * existing (sp= applies, the milder reading).
 *
 * A failing evaluation whose identifiers could not be checked for alignment
 * because of DNS (RFC 9989 tree walks) is temperror rather than fail.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_dmarc.h"
#include "ma_text.h"

#include <libpsl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DMARC_PREFIX "_dmarc."

/* ---------------------------------------------------------------------
 * Names of things
 * ---------------------------------------------------------------------
 */
const char *
ma_dmarc_mode_name(ma_dmarc_mode m)
{
	return m == MA_DMARC_BIS ? "dmarcbis" : "rfc7489";
}

int
ma_dmarc_mode_from_name(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcasecmp(s, "rfc7489") == 0)
		return MA_DMARC_RFC7489;
	if (strcasecmp(s, "dmarcbis") == 0 || strcasecmp(s, "rfc9989") == 0)
		return MA_DMARC_BIS;
	return -1;
}

const char *
ma_dmarc_policy_name(ma_dmarc_policy p)
{
	switch (p)
	{
		case MA_DMARC_P_NONE:
			return "none";
		case MA_DMARC_P_QUARANTINE:
			return "quarantine";
		case MA_DMARC_P_REJECT:
			return "reject";
		default:
			return "";
	}
}

const char *
ma_dmarc_res_name(ma_dmarc_res r)
{
	switch (r)
	{
		case MA_DMARC_PASS:
			return "pass";
		case MA_DMARC_FAIL:
			return "fail";
		case MA_DMARC_TEMPERROR:
			return "temperror";
		case MA_DMARC_PERMERROR:
			return "permerror";
		default:
			return "none";
	}
}

ma_dmarc_auth
ma_dmarc_auth_from_name(const char *s)
{
	if (s == NULL || *s == '\0' || strcasecmp(s, "none") == 0)
		return MA_DMARC_AUTH_NONE;
	if (strcasecmp(s, "pass") == 0)
		return MA_DMARC_AUTH_PASS;
	if (strcasecmp(s, "fail") == 0)
		return MA_DMARC_AUTH_FAIL;
	if (strcasecmp(s, "temperror") == 0)
		return MA_DMARC_AUTH_TEMPERROR;
	if (strcasecmp(s, "permerror") == 0)
		return MA_DMARC_AUTH_PERMERROR;
	return MA_DMARC_AUTH_NEUTRAL;
}

/* ---------------------------------------------------------------------
 * Problems
 * ---------------------------------------------------------------------
 */
static void add_problem(ma_dmarc_problems *p, const char *severity, const char *code,
						const char *fmt,...) __attribute__((format(printf, 4, 5)));

static void
add_problem(ma_dmarc_problems *p, const char *severity, const char *code,
			const char *fmt,...)
{
	char		buf[512];
	va_list		ap;

	if (p->oom)
		return;
	if (p->n > MA_DMARC_MAX_PROBLEMS)
		return;
	if (p->n == MA_DMARC_MAX_PROBLEMS)
	{
		severity = "warning";
		code = "too_many_problems";
		fmt = "further problems are not listed";
	}
	if (p->n == p->cap)
	{
		int			ncap = p->cap ? p->cap * 2 : 8;
		ma_dmarc_problem *n = realloc(p->items, ncap * sizeof(ma_dmarc_problem));

		if (!n)
		{
			p->oom = true;
			return;
		}
		p->items = n;
		p->cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	ma_utf8_cut(buf);
	va_end(ap);
	p->items[p->n].severity = severity;
	p->items[p->n].code = code;
	p->items[p->n].detail = strdup(buf);
	if (p->items[p->n].detail == NULL)
	{
		p->oom = true;
		return;
	}
	p->n++;
}

void
ma_dmarc_problems_free(ma_dmarc_problems *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->items[i].detail);
	free(p->items);
	memset(p, 0, sizeof(*p));
}

bool
ma_dmarc_has_problem(const ma_dmarc_problems *p, const char *code)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->items[i].code, code) == 0)
			return true;
	return false;
}

/* move every problem of src to the end of dst (src ends empty) */
static void
move_problems(ma_dmarc_problems *dst, ma_dmarc_problems *src)
{
	for (int i = 0; i < src->n; i++)
	{
		if (dst->n >= MA_DMARC_MAX_PROBLEMS + 1 || dst->oom)
		{
			free(src->items[i].detail);
			continue;
		}
		if (dst->n == dst->cap)
		{
			int			ncap = dst->cap ? dst->cap * 2 : 8;
			ma_dmarc_problem *n = realloc(dst->items, ncap * sizeof(ma_dmarc_problem));

			if (!n)
			{
				dst->oom = true;
				free(src->items[i].detail);
				continue;
			}
			dst->items = n;
			dst->cap = ncap;
		}
		dst->items[dst->n++] = src->items[i];
	}
	if (src->oom)
		dst->oom = true;
	free(src->items);
	memset(src, 0, sizeof(*src));
}

/* a printable, bounded copy of (s, len) for messages */
static const char *
shown(const char *s, size_t len, char *buf, size_t buflen)
{
	size_t		o = 0;

	for (size_t i = 0; i < len && o + 4 < buflen; i++)
	{
		unsigned char ch = (unsigned char) s[i];

		buf[o++] = (ch >= 0x20 && ch < 0x7f) ? (char) ch : '?';
	}
	if (len > 0 && o + 4 >= buflen)
	{
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* ---------------------------------------------------------------------
 * Record parsing
 * ---------------------------------------------------------------------
 */
static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Match "v" *WSP "=" *WSP "DMARC1" *WSP (";" / end) at the start of txt;
 * returns the offset after "DMARC1", or 0 when it does not match.
 */
static size_t
version_end(const char *txt, size_t len)
{
	size_t		i = 0;

	while (i < len && is_wsp(txt[i]))
		i++;
	if (i >= len || (txt[i] != 'v' && txt[i] != 'V'))
		return 0;
	i++;
	while (i < len && is_wsp(txt[i]))
		i++;
	if (i >= len || txt[i] != '=')
		return 0;
	i++;
	while (i < len && is_wsp(txt[i]))
		i++;
	if (len - i < 6 || memcmp(txt + i, "DMARC1", 6) != 0)
		return 0;
	i += 6;
	{
		size_t		j = i;

		while (j < len && is_wsp(txt[j]))
			j++;
		if (j < len && txt[j] != ';')
			return 0;
	}
	return i;
}

bool
ma_dmarc_is_record(const char *txt, size_t len)
{
	return txt != NULL && version_end(txt, len) > 0;
}

static ma_dmarc_policy
parse_policy(const char *v, size_t len)
{
	if (len == 4 && strncasecmp(v, "none", 4) == 0)
		return MA_DMARC_P_NONE;
	if (len == 10 && strncasecmp(v, "quarantine", 10) == 0)
		return MA_DMARC_P_QUARANTINE;
	if (len == 6 && strncasecmp(v, "reject", 6) == 0)
		return MA_DMARC_P_REJECT;
	return MA_DMARC_P_UNSET;
}

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A DMARC URI (RFC 7489 6.4): URI [ "!" 1*DIGIT [ k / m / g / t ] ].  We
 * check the URI loosely: scheme ":" and a non-empty rest of visible ASCII
 * without "!", "," or ";"; a mailto: URI needs local@domain.
 */
static const char *
uri_problem(const char *u, size_t len, bool *size_suffix)
{
	size_t		i = 0,
				end = len;
	const char *bang = memchr(u, '!', len);

	*size_suffix = false;
	if (bang)
	{
		size_t		j = bang - u + 1;

		end = bang - u;
		if (j >= len || !is_digit((unsigned char) u[j]))
			return "the size limit after \"!\" must be digits";
		while (j < len && is_digit((unsigned char) u[j]))
			j++;
		if (j < len && strchr("kKmMgGtT", u[j]) && u[j] != '\0')
			j++;
		if (j != len)
			return "the size limit after \"!\" is malformed";
		*size_suffix = true;
	}
	if (end == 0 || !is_alpha((unsigned char) u[0]))
		return "a URI must start with a scheme";
	while (i < end && (is_alpha((unsigned char) u[i]) || is_digit((unsigned char) u[i]) ||
					   u[i] == '+' || u[i] == '-' || u[i] == '.'))
		i++;
	if (i >= end || u[i] != ':')
		return "a URI must start with a scheme and a colon";
	if (i + 1 >= end)
		return "the URI is empty after its scheme";
	for (size_t k = i + 1; k < end; k++)
	{
		unsigned char ch = (unsigned char) u[k];

		if (ch <= 0x20 || ch >= 0x7f || ch == ',' || ch == ';')
			return "the URI holds a character that must be percent-encoded";
	}
	if (i == 6 && strncasecmp(u, "mailto", 6) == 0)
	{
		const char *at = memchr(u + 7, '@', end - 7);

		if (at == NULL || at == u + 7 || at == u + end - 1)
			return "a mailto: URI needs an address local@domain";
	}
	return NULL;
}

static char *
dupn(const char *s, size_t n)
{
	char	   *d = malloc(n + 1);

	if (d)
	{
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* parse a rua=/ruf= list into *list; false when out of memory */
static bool
parse_uris(ma_dmarc_record *rec, const char *tag, const char *v, size_t len,
		   ma_dmarc_mode mode, char ***list, int *n, int *nvalid)
{
	size_t		i = 0;
	char		sbuf[80];
	int			cap = 0;

	if (len == 0)
	{
		add_problem(&rec->problems, "warning", "uri_invalid", "%s= is empty", tag);
		return true;
	}
	while (i <= len)
	{
		size_t		s = i,
					e;
		const char *why;
		bool		size_suffix;

		while (i < len && v[i] != ',')
			i++;
		e = i;
		i++;					/* past the comma (or the end) */
		while (s < e && is_wsp(v[s]))
			s++;
		while (e > s && is_wsp(v[e - 1]))
			e--;
		why = (e > s) ? uri_problem(v + s, e - s, &size_suffix) : "an empty URI in the list";
		if (why)
			add_problem(&rec->problems, "warning", "uri_invalid", "%s=: %s: \"%s\"", tag, why,
						shown(v + s, e - s, sbuf, sizeof(sbuf)));
		else
		{
			if (nvalid)
				(*nvalid)++;
			if (size_suffix && mode == MA_DMARC_BIS)
				add_problem(&rec->problems, "info", "obsolete_syntax",
							"%s=: the \"!size\" limit is obsolete in RFC 9989 and ignored", tag);
		}
		if (e > s)
		{
			if (*n == cap)
			{
				int			ncap = cap ? cap * 2 : 4;
				char	  **nl = realloc(*list, ncap * sizeof(char *));

				if (!nl)
					return false;
				*list = nl;
				cap = ncap;
			}
			(*list)[*n] = dupn(v + s, e - s);
			if ((*list)[*n] == NULL)
				return false;
			(*n)++;
		}
	}
	return true;
}

/* tags we know, for the duplicate check */
enum
{
	T_V, T_P, T_SP, T_NP, T_ADKIM, T_ASPF, T_PCT, T_RUA, T_RUF, T_FO, T_RF, T_RI,
	T_PSD, T_T, T_NTAGS
};
static const char *const tag_names[T_NTAGS] = {
	"v", "p", "sp", "np", "adkim", "aspf", "pct", "rua", "ruf", "fo", "rf", "ri", "psd", "t"
};

static int
parse_tag(ma_dmarc_record *rec, ma_dmarc_mode mode, int tag, const char *v, size_t len)
{
	char		sbuf[80];
	const char *sv = shown(v, len, sbuf, sizeof(sbuf));
	ma_dmarc_policy pol;

	switch (tag)
	{
		case T_P:
		case T_SP:
		case T_NP:
			pol = parse_policy(v, len);
			if (pol == MA_DMARC_P_UNSET)
				add_problem(&rec->problems, "error", "invalid_value",
							"%s=%s is not none, quarantine or reject", tag_names[tag], sv);
			if (tag == T_P)
			{
				rec->p_present = true;
				rec->p = pol;
				rec->p_invalid = (pol == MA_DMARC_P_UNSET);
			}
			else if (tag == T_SP)
			{
				rec->sp = pol;
				rec->sp_invalid = (pol == MA_DMARC_P_UNSET);
			}
			else
			{
				rec->np = pol;
				rec->np_invalid = (pol == MA_DMARC_P_UNSET);
			}
			break;
		case T_ADKIM:
		case T_ASPF:
			if (len == 1 && (v[0] == 'r' || v[0] == 's' || v[0] == 'R' || v[0] == 'S'))
			{
				char		c = (v[0] == 'S' || v[0] == 's') ? 's' : 'r';

				if (tag == T_ADKIM)
					rec->adkim = c;
				else
					rec->aspf = c;
			}
			else
				add_problem(&rec->problems, "warning", "invalid_value",
							"%s=%s is not r or s; relaxed applies", tag_names[tag], sv);
			break;
		case T_PCT:
			{
				int			val = 0;
				bool		okv = len >= 1 && len <= 3;

				for (size_t i = 0; okv && i < len; i++)
				{
					if (!is_digit((unsigned char) v[i]))
						okv = false;
					else
						val = val * 10 + (v[i] - '0');
				}
				if (!okv || val > 100)
					add_problem(&rec->problems, "warning", "invalid_value",
								"pct=%s is not a number from 0 to 100; 100 applies", sv);
				else
					rec->pct = val;
				if (mode == MA_DMARC_BIS)
					add_problem(&rec->problems, "info", "obsolete_tag",
								"pct= is historic in RFC 9989 and ignored (use t=y for testing)");
				else if (okv && val < 100)
					add_problem(&rec->problems, "warning", "pct_partial",
								"pct=%d: the policy applies to only %d%% of failing messages", val, val);
			}
			break;
		case T_RUA:
			if (!parse_uris(rec, "rua", v, len, mode, &rec->rua, &rec->nrua, &rec->nrua_valid))
				return -2;
			break;
		case T_RUF:
			if (!parse_uris(rec, "ruf", v, len, mode, &rec->ruf, &rec->nruf, NULL))
				return -2;
			break;
		case T_FO:
			{
				bool		okv = len > 0;

				for (size_t i = 0; okv && i < len; i++)
				{
					bool		opt = (v[i] == '0' || v[i] == '1' || v[i] == 'd' || v[i] == 's' ||
									   v[i] == 'D' || v[i] == 'S');

					/* options separated by ":" (with optional spaces) */
					if (!(opt || v[i] == ':' || v[i] == ' ' || v[i] == '\t'))
						okv = false;
				}
				if (!okv)
					add_problem(&rec->problems, "warning", "invalid_value",
								"fo=%s is not a list of 0, 1, d, s", sv);
				else if ((rec->fo = dupn(v, len)) == NULL)
					return -2;
			}
			break;
		case T_RF:
			/* rf= only ever sets rf: it must not touch any other tag */
			{
				bool		okv = len > 0;

				for (size_t i = 0; okv && i < len; i++)
					if (!(is_alpha((unsigned char) v[i]) || is_digit((unsigned char) v[i]) ||
						  v[i] == ':' || v[i] == '-' || v[i] == ' '))
						okv = false;
				if (!okv)
					add_problem(&rec->problems, "warning", "invalid_value",
								"rf=%s is not a list of report formats", sv);
				else
				{
					if ((rec->rf = dupn(v, len)) == NULL)
						return -2;
					if (strcasecmp(rec->rf, "afrf") != 0)
						add_problem(&rec->problems, "info", "rf_unsupported",
									"rf=%s: only afrf is defined; failure reports use afrf", sv);
				}
				if (mode == MA_DMARC_BIS)
					add_problem(&rec->problems, "info", "obsolete_tag",
								"rf= is removed in RFC 9989 and ignored");
			}
			break;
		case T_RI:
			{
				uint64_t	val = 0;
				bool		okv = len >= 1 && len <= 32;

				for (size_t i = 0; okv && i < len; i++)
				{
					if (!is_digit((unsigned char) v[i]))
						okv = false;
					else if (val < UINT32_MAX)
						val = val * 10 + (v[i] - '0');
				}
				if (!okv)
					add_problem(&rec->problems, "warning", "invalid_value",
								"ri=%s is not a number of seconds", sv);
				else
					rec->ri = val > UINT32_MAX ? UINT32_MAX : (uint32_t) val;
				if (mode == MA_DMARC_BIS)
					add_problem(&rec->problems, "info", "obsolete_tag",
								"ri= is removed in RFC 9989 and ignored");
			}
			break;
		case T_PSD:
			if (len == 1 && strchr("ynuYNU", v[0]) && v[0] != '\0')
				rec->psd = (char) (v[0] | 0x20);
			else
				add_problem(&rec->problems, "warning", "invalid_value",
							"psd=%s is not y, n or u", sv);
			break;
		case T_T:
			if (len == 1 && strchr("ynYN", v[0]) && v[0] != '\0')
				rec->t = (char) (v[0] | 0x20);
			else
				add_problem(&rec->problems, "warning", "invalid_value", "t=%s is not y or n", sv);
			break;
	}
	if (mode == MA_DMARC_RFC7489 && (tag == T_NP || tag == T_PSD || tag == T_T))
		add_problem(&rec->problems, "info", "not_in_rfc7489",
					"%s= is an RFC 9989 tag; RFC 7489 receivers ignore it", tag_names[tag]);
	return 0;
}

int
ma_dmarc_parse(const char *txt, size_t len, ma_dmarc_mode mode, ma_dmarc_record *rec)
{
	size_t		i;
	bool		seen[T_NTAGS] = {false};
	char		sbuf[80];

	memset(rec, 0, sizeof(*rec));
	rec->adkim = 'r';
	rec->aspf = 'r';
	rec->pct = 100;
	rec->t = 'n';
	rec->psd = 'u';
	rec->ri = 86400;
	if (txt == NULL || (i = version_end(txt, len)) == 0)
		return -1;
	seen[T_V] = true;
	if (memchr(txt, '\0', len))
		add_problem(&rec->problems, "error", "invalid_value",
					"the record holds NUL bytes");

	/* i is after "DMARC1": skip to the first separator */
	while (i < len && txt[i] != ';')
		i++;
	while (i < len)
	{
		size_t		s,
					e,
					eq,
					ns,
					ne,
					vs,
					ve;
		int			tag = -1;

		i++;					/* past ';' */
		s = i;
		while (i < len && txt[i] != ';')
			i++;
		e = i;
		while (s < e && is_wsp(txt[s]))
			s++;
		while (e > s && is_wsp(txt[e - 1]))
			e--;
		if (s == e)
			continue;			/* empty element (e.g. a trailing ";") */
		eq = s;
		while (eq < e && txt[eq] != '=')
			eq++;
		if (eq == e)
		{
			add_problem(&rec->problems, "warning", "invalid_tag",
						"\"%s\" is not a tag=value pair; ignored",
						shown(txt + s, e - s, sbuf, sizeof(sbuf)));
			continue;
		}
		ns = s;
		ne = eq;
		while (ne > ns && is_wsp(txt[ne - 1]))
			ne--;
		vs = eq + 1;
		ve = e;
		while (vs < ve && is_wsp(txt[vs]))
			vs++;
		for (int t = 0; t < T_NTAGS; t++)
			if (strlen(tag_names[t]) == ne - ns &&
				strncasecmp(tag_names[t], txt + ns, ne - ns) == 0)
				tag = t;
		if (tag < 0)
		{
			add_problem(&rec->problems, "warning", "invalid_tag",
						"unknown tag \"%s\" ignored", shown(txt + ns, ne - ns, sbuf, sizeof(sbuf)));
			continue;
		}
		if (seen[tag])
		{
			add_problem(&rec->problems, "warning", "duplicate_tag",
						"%s= appears more than once; the first one applies", tag_names[tag]);
			continue;
		}
		seen[tag] = true;
		if (memchr(txt + vs, '\0', ve - vs))
		{
			add_problem(&rec->problems, "error", "invalid_value",
						"%s= holds a NUL byte; ignored", tag_names[tag]);
			continue;
		}
		if (parse_tag(rec, mode, tag, txt + vs, ve - vs) < 0)
		{
			ma_dmarc_record_free(rec);
			return -2;
		}
	}

	/* record-level findings */
	if (!rec->p_present)
	{
		if (mode == MA_DMARC_BIS)
			add_problem(&rec->problems, "warning", "missing_p",
						"no p= tag: RFC 9989 receivers act as p=none, RFC 7489 ones need p=");
		else
			add_problem(&rec->problems, "error", "missing_p",
						rec->nrua_valid ? "no p= tag: receivers act as p=none because rua= is valid"
						: "no p= tag and no valid rua=: receivers apply no DMARC processing");
	}
	else if (rec->p_invalid)
		add_problem(&rec->problems, "error", "invalid_policy",
					rec->nrua_valid ? "p= is invalid: receivers act as p=none because rua= is valid"
					: "p= is invalid and there is no valid rua=: receivers apply no DMARC processing");
	if (rec->p == MA_DMARC_P_NONE)
		add_problem(&rec->problems, "info", "p_none",
					"p=none: monitoring only, failing mail is not acted upon");
	if (rec->nrua == 0)
		add_problem(&rec->problems, "warning", "no_rua",
					"no rua=: the domain receives no aggregate reports");
	if (rec->t == 'y' && mode == MA_DMARC_BIS)
		add_problem(&rec->problems, "info", "testing",
					"t=y: testing, receivers apply the policy one step milder");
	if (rec->problems.oom)
	{
		ma_dmarc_record_free(rec);
		return -2;
	}
	return 0;
}

void
ma_dmarc_record_free(ma_dmarc_record *rec)
{
	for (int i = 0; i < rec->nrua; i++)
		free(rec->rua[i]);
	for (int i = 0; i < rec->nruf; i++)
		free(rec->ruf[i]);
	free(rec->rua);
	free(rec->ruf);
	free(rec->fo);
	free(rec->rf);
	ma_dmarc_problems_free(&rec->problems);
	memset(rec, 0, sizeof(*rec));
}

ma_dmarc_policy
ma_dmarc_effective_p(const ma_dmarc_record *rec, ma_dmarc_mode mode)
{
	bool		bad = rec->p_invalid || rec->sp_invalid ||
	(mode == MA_DMARC_BIS && rec->np_invalid);

	if (!bad && rec->p != MA_DMARC_P_UNSET)
		return rec->p;
	if (!bad && !rec->p_present && mode == MA_DMARC_BIS)
		return MA_DMARC_P_NONE;
	/* RFC 7489 6.6.3 step 6 */
	return rec->nrua_valid > 0 ? MA_DMARC_P_NONE : MA_DMARC_P_UNSET;
}

/* ---------------------------------------------------------------------
 * Public Suffix List
 * ---------------------------------------------------------------------
 */
static psl_ctx_t *psl_handle = NULL;

static const psl_ctx_t *
get_psl(void)
{
	if (psl_handle == NULL)
	{
		psl_handle = psl_latest(NULL);
		if (psl_handle == NULL)
			psl_handle = (psl_ctx_t *) psl_builtin();
	}
	return psl_handle;
}

void
ma_dmarc_psl_release(void)
{
	if (psl_handle)
		psl_free(psl_handle);	/* a no-op for the built-in list */
	psl_handle = NULL;
}

/* normalise a name for DMARC: valid, not the root */
static bool
norm_name(const char *name, char *out)
{
	if (name == NULL || ma_dns_name_check(name, out) != NULL || strcmp(out, ".") == 0)
		return false;
	return true;
}

/* org domain of an already normalised name */
static void
psl_org(const char *norm, char *out)
{
	const psl_ctx_t *psl = get_psl();
	const char *rd = psl ? psl_registrable_domain(psl, norm) : NULL;

	snprintf(out, MA_DNS_MAXNAME + 1, "%s", rd ? rd : norm);
}

bool
ma_dmarc_org_domain_psl(const char *domain, char *out)
{
	char		norm[MA_DNS_MAXNAME + 1];

	out[0] = '\0';
	if (!norm_name(domain, norm))
		return false;
	psl_org(norm, out);
	return true;
}

bool
ma_dmarc_aligned_psl(const char *from_domain, const char *id_domain, bool strict)
{
	char		a[MA_DNS_MAXNAME + 1],
				b[MA_DNS_MAXNAME + 1],
				oa[MA_DNS_MAXNAME + 1],
				ob[MA_DNS_MAXNAME + 1];

	if (!norm_name(from_domain, a) || !norm_name(id_domain, b))
		return false;
	if (strcmp(a, b) == 0)
		return true;
	if (strict)
		return false;
	psl_org(a, oa);
	psl_org(b, ob);
	return strcmp(oa, ob) == 0;
}

/* ---------------------------------------------------------------------
 * DNS helpers
 * ---------------------------------------------------------------------
 */
#define F_PENDING	(-1)
#define F_TEMP		(-2)

static bool
dns_failure(ma_dns_status st)
{
	return st != MA_DNS_OK && st != MA_DNS_NXDOMAIN && st != MA_DNS_NODATA;
}

/*
 * The DMARC1 records at _dmarc.<domain>: returns how many (0, 1, 2 = more
 * than one), F_PENDING or F_TEMP; txt and len get the (single) record,
 * borrowed from the lookup.  A name too long for the prefix has none.
 */
static int
fetch_dmarc(ma_spf_lookup_fn lookup, void *arg, const char *domain,
			const char **txt, size_t *len)
{
	char		q[MA_DNS_MAXNAME + 16];
	char		nq[MA_DNS_MAXNAME + 1];
	const ma_dns_result *r;
	int			n = 0;

	*txt = NULL;
	*len = 0;
	snprintf(q, sizeof(q), DMARC_PREFIX "%s", domain);
	if (ma_dns_name_check(q, nq) != NULL)
		return 0;
	r = lookup(arg, nq, MA_T_TXT);
	if (r == NULL)
		return F_PENDING;
	if (dns_failure(r->status))
		return F_TEMP;
	if (r->status != MA_DNS_OK)
		return 0;
	for (int i = 0; i < r->nrr; i++)
	{
		if (r->rr[i].type != MA_T_TXT || r->rr[i].data == NULL ||
			!ma_dmarc_is_record(r->rr[i].data, r->rr[i].datalen))
			continue;
		if (n++ == 0)
		{
			*txt = r->rr[i].data;
			*len = r->rr[i].datalen;
		}
	}
	return n > 1 ? 2 : n;
}

static int
count_labels(const char *name)
{
	int			n = 1;

	for (const char *p = name; *p; p++)
		if (*p == '.')
			n++;
	return n;
}

/* the name made of the right-most n labels of name (a pointer into it) */
static const char *
right_labels(const char *name, int n)
{
	int			have = count_labels(name);
	const char *p = name;

	while (have > n && (p = strchr(p, '.')) != NULL)
	{
		p++;
		have--;
	}
	return p ? p : name;
}

/*
 * RFC 9989 tree walk targets of a normalised name: the name, then (8 or
 * more labels) its 7 right-most labels or (fewer) the parent, and so on
 * down to one label.  Returns how many (at most MA_DMARC_WALK_MAX).
 */
static int
walk_targets(const char *name, const char **targets)
{
	int			n = 0;
	const char *cur = name;

	targets[n++] = cur;
	for (;;)
	{
		int			x = count_labels(cur);

		if (x <= 1 || n >= MA_DMARC_WALK_MAX)
			break;
		cur = right_labels(cur, x >= 8 ? 7 : x - 1);
		targets[n++] = cur;
	}
	return n;
}

/* the psd= of a record text (parsed, mode DMARCbis) */
static char
record_psd(const char *txt, size_t len)
{
	ma_dmarc_record rec;
	char		psd = 'u';

	if (ma_dmarc_parse(txt, len, MA_DMARC_BIS, &rec) == 0)
		psd = rec.psd;
	ma_dmarc_record_free(&rec);
	return psd;
}

/*
 * RFC 9989 organizational domain of a normalised name (see the header
 * comment): 0 with out set, F_PENDING (every level asked), or F_TEMP.
 */
static int
org_walk(ma_spf_lookup_fn lookup, void *arg, const char *name, char *out)
{
	const char *targets[MA_DMARC_WALK_MAX];
	int			nt = walk_targets(name, targets);
	int			res[MA_DMARC_WALK_MAX];
	const char *txt[MA_DMARC_WALK_MAX];
	size_t		len[MA_DMARC_WALK_MAX];
	bool		pending = false,
				temp = false;
	int			highest = -1;

	for (int i = 0; i < nt; i++)
	{
		res[i] = fetch_dmarc(lookup, arg, targets[i], &txt[i], &len[i]);
		if (res[i] == F_PENDING)
			pending = true;
		else if (res[i] == F_TEMP)
			temp = true;
	}
	if (pending)
		return F_PENDING;
	if (temp)
		return F_TEMP;
	for (int i = 0; i < nt; i++)
	{
		char		psd;

		if (res[i] != 1)
			continue;
		psd = record_psd(txt[i], len[i]);
		if (psd == 'n')
		{
			snprintf(out, MA_DNS_MAXNAME + 1, "%s", targets[i]);
			return 0;
		}
		if (psd == 'y' && i > 0)
		{
			snprintf(out, MA_DNS_MAXNAME + 1, "%s",
					 right_labels(name, count_labels(targets[i]) + 1));
			return 0;
		}
		highest = i;
	}
	snprintf(out, MA_DNS_MAXNAME + 1, "%s", highest >= 0 ? targets[highest] : name);
	return 0;
}

/* a copy of a TXT record for display: NULs shown as '?' */
static char *
record_text(const char *txt, size_t len)
{
	char	   *d = malloc(len + 1);

	if (d == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++)
		d[i] = txt[i] ? txt[i] : '?';
	d[len] = '\0';
	return d;
}

/*
 * Policy discovery for a normalised name.  Returns 1 (found: *where is the
 * index into the names tried, rd gets the domain, txt/len the record), 0
 * (none; *multiple says the last place tried had several), F_PENDING or
 * F_TEMP.  With probs, each place holding several records is a problem.
 */
static int
discover(ma_spf_lookup_fn lookup, void *arg, ma_dmarc_mode mode, const char *name,
		 char *rd, const char **txt, size_t *len, bool *multiple, ma_dmarc_problems *probs)
{
	const char *targets[MA_DMARC_WALK_MAX];
	char		org[MA_DNS_MAXNAME + 1];
	int			nt;

	*multiple = false;
	rd[0] = '\0';
	if (mode == MA_DMARC_RFC7489)
	{
		psl_org(name, org);
		targets[0] = name;
		nt = 1;
		if (strcmp(org, name) != 0)
			targets[nt++] = org;
	}
	else
		nt = walk_targets(name, targets);

	for (int i = 0; i < nt; i++)
	{
		int			r = fetch_dmarc(lookup, arg, targets[i], txt, len);

		if (r < 0)
			return r;
		if (r == 1)
		{
			snprintf(rd, MA_DNS_MAXNAME + 1, "%s", targets[i]);
			return 1;
		}
		if (r == 2)
		{
			*multiple = true;
			if (probs)
				add_problem(probs, "error", "multiple_records",
							"_dmarc.%s holds more than one v=DMARC1 record: receivers apply no DMARC processing",
							targets[i]);
			/*
			 * RFC 7489 6.6.3 step 5: discovery ends.  We read RFC 9989 the
			 * same way (several records at one level end the walk with no
			 * policy), as the project's DMARC corpus does; an earlier reading
			 * discarded them and walked on.
			 */
			return 0;
		}
		else
			*multiple = false;
	}
	*txt = NULL;
	*len = 0;
	return 0;
}

/* ---------------------------------------------------------------------
 * A domain's record: mailauth.dmarc_record
 * ---------------------------------------------------------------------
 */
int
ma_dmarc_lookup_record(const char *domain, ma_dmarc_mode mode, ma_spf_lookup_fn lookup,
					   void *arg, ma_dmarc_info *out)
{
	char		norm[MA_DNS_MAXNAME + 1];
	const char *name = norm;
	const ma_dns_result *self;
	const char *txt = NULL;
	size_t		len = 0;
	bool		multiple = false;
	bool		wrong_place = false;
	int			d,
				o = 0;
	char		sbuf[80];

	memset(out, 0, sizeof(*out));
	if (!norm_name(domain, norm))
	{
		out->status = "permerror";
		add_problem(&out->problems, "error", "invalid_domain", "\"%s\" is not a valid domain name",
					domain ? shown(domain, strlen(domain), sbuf, sizeof(sbuf)) : "");
		return 0;
	}
	if (strncmp(norm, DMARC_PREFIX, strlen(DMARC_PREFIX)) == 0 && norm[strlen(DMARC_PREFIX)])
	{
		name = norm + strlen(DMARC_PREFIX);
		add_problem(&out->problems, "info", "dmarc_prefix_given",
					"the domain was given with its _dmarc. label; looked up %s", name);
	}
	snprintf(out->domain, sizeof(out->domain), "%s", name);

	/* wave 1: the domain's own TXT, the discovery and (DMARCbis) the org walk */
	self = lookup(arg, name, MA_T_TXT);
	d = discover(lookup, arg, mode, name, out->record_domain, &txt, &len, &multiple,
				 &out->problems);
	if (mode == MA_DMARC_BIS)
		o = org_walk(lookup, arg, name, out->org_domain);
	else
		psl_org(name, out->org_domain);
	if (self == NULL || d == F_PENDING || o == F_PENDING)
	{
		out->pending = true;
		return 1;
	}
	if (self && self->status == MA_DNS_OK)
		for (int i = 0; i < self->nrr; i++)
			if (self->rr[i].type == MA_T_TXT && self->rr[i].data &&
				ma_dmarc_is_record(self->rr[i].data, self->rr[i].datalen))
				wrong_place = true;
	if (wrong_place)
		add_problem(&out->problems, "error", "record_at_wrong_place",
					"a v=DMARC1 record is published at %s itself; it belongs at _dmarc.%s",
					name, name);
	if (o == F_TEMP)
	{
		out->org_domain[0] = '\0';
		add_problem(&out->problems, "warning", "dns_error",
					"the organizational domain could not be determined: DNS failure in the tree walk");
	}
	if (d == F_TEMP)
	{
		out->status = "temperror";
		add_problem(&out->problems, "error", "dns_error",
					"a DNS failure stopped the discovery of the DMARC record");
		return 0;
	}
	if (d == 0)
	{
		out->status = multiple ? "invalid" : "none";
		if (!multiple)
			add_problem(&out->problems, "error", "no_record",
						mode == MA_DMARC_BIS ? "no DMARC record at _dmarc.%s nor above it"
						: "no DMARC record at _dmarc.%s nor at its organizational domain",
						name);
		return 0;
	}
	if (strcmp(out->record_domain, name) != 0)
		add_problem(&out->problems, "info", "inherited_policy",
					"no record at _dmarc.%s: the record of %s applies (its sp= for subdomains)",
					name, out->record_domain);
	out->record = record_text(txt, len);
	if (out->record == NULL || ma_dmarc_parse(txt, len, mode, &out->rec) != 0)
	{
		/* it was recognised as DMARC1, so only memory can fail here */
		out->status = "temperror";
		add_problem(&out->problems, "error", "out_of_memory", "out of memory");
		return 0;
	}
	out->have_record = true;
	move_problems(&out->problems, &out->rec.problems);
	out->status = ma_dmarc_effective_p(&out->rec, mode) == MA_DMARC_P_UNSET ? "invalid" : "ok";
	return 0;
}

void
ma_dmarc_info_free(ma_dmarc_info *out)
{
	free(out->record);
	if (out->have_record)
		ma_dmarc_record_free(&out->rec);
	ma_dmarc_problems_free(&out->problems);
	memset(out, 0, sizeof(*out));
}

/* ---------------------------------------------------------------------
 * Evaluation: mailauth.dmarc_verify
 * ---------------------------------------------------------------------
 */
#define AL_NO		0
#define AL_YES		1
#define AL_PENDING	(-1)
#define AL_TEMP		(-2)

/*
 * Is id aligned with the (normalised) From domain, whose organizational
 * domain is from_org (RFC 9989: "" when not known yet)?
 */
static int
aligned(ma_spf_lookup_fn lookup, void *arg, ma_dmarc_mode mode, const char *from,
		const char *from_org, const char *id, bool strict)
{
	char		nid[MA_DNS_MAXNAME + 1],
				org[MA_DNS_MAXNAME + 1];
	int			r;

	if (!norm_name(id, nid))
		return AL_NO;
	if (strcmp(nid, from) == 0)
		return AL_YES;
	if (strict)
		return AL_NO;
	if (mode == MA_DMARC_RFC7489)
	{
		psl_org(nid, org);
		return strcmp(org, from_org) == 0 ? AL_YES : AL_NO;
	}
	r = org_walk(lookup, arg, nid, org);
	if (r == F_PENDING)
		return AL_PENDING;
	if (r == F_TEMP)
		return AL_TEMP;
	if (from_org[0] == '\0')
		return AL_TEMP;			/* the From domain's walk failed */
	return strcmp(org, from_org) == 0 ? AL_YES : AL_NO;
}

static ma_dmarc_policy
lower(ma_dmarc_policy p)
{
	if (p == MA_DMARC_P_REJECT)
		return MA_DMARC_P_QUARANTINE;
	if (p == MA_DMARC_P_QUARANTINE)
		return MA_DMARC_P_NONE;
	return p;
}

static int
sample_of(const ma_dmarc_request *req)
{
	uint32_t	h = 2166136261u;

	if (req->sample >= 0)
		return req->sample % 100;
	if (req->sample_key == NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *) req->sample_key; *p; p++)
	{
		h ^= *p;
		h *= 16777619u;
	}
	return (int) (h % 100);
}

/*
 * Does the (normalised) From domain exist (RFC 9989: some A, AAAA or MX
 * answer)?  1 yes, 0 no, F_PENDING after asking all three.
 */
static int
domain_exists(ma_spf_lookup_fn lookup, void *arg, const char *name)
{
	static const uint16_t types[3] = {MA_T_A, MA_T_AAAA, MA_T_MX};
	const ma_dns_result *r[3];
	bool		pending = false;

	for (int i = 0; i < 3; i++)
		if ((r[i] = lookup(arg, name, types[i])) == NULL)
			pending = true;
	if (pending)
		return F_PENDING;
	for (int i = 0; i < 3; i++)
		if (r[i]->status != MA_DNS_NXDOMAIN && r[i]->status != MA_DNS_NODATA)
			return 1;			/* an answer, or a failure: taken as existing */
	return 0;
}

static void
set_problem(ma_dmarc_outcome *out, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
set_problem(ma_dmarc_outcome *out, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(out->problem, sizeof(out->problem), fmt, ap);
	ma_utf8_cut(out->problem);
	va_end(ap);
}

/* evaluate one From domain into out (which the caller zeroed) */
static void
eval_one(const ma_dmarc_request *req, ma_spf_lookup_fn lookup, void *arg,
		 const char *from_raw, ma_dmarc_outcome *out)
{
	ma_dmarc_mode mode = req->mode;
	char		from[MA_DNS_MAXNAME + 1];
	char		sbuf[80];
	const char *txt = NULL;
	size_t		len = 0;
	bool		multiple;
	int			d,
				o = 0,
				al;
	ma_dmarc_record rec;
	ma_dmarc_policy effp;
	bool		pending = false,
				temp = false;
	int			ndkim = req->ndkim < 0 ? 0 : req->ndkim;

	out->from_exists = true;
	out->pct = 100;
	out->policy_tag = "";
	out->spf_result = req->spf_result;
	if (req->spf_domain && *req->spf_domain)
	{
		if (!norm_name(req->spf_domain, out->spf_domain))
			snprintf(out->spf_domain, sizeof(out->spf_domain), "%s",
					 shown(req->spf_domain, strlen(req->spf_domain), sbuf, sizeof(sbuf)));
	}
	if (ndkim > MA_DMARC_MAX_DKIM)
		ndkim = MA_DMARC_MAX_DKIM;
	if (ndkim > 0)
	{
		out->dkim = calloc(ndkim, sizeof(ma_dmarc_sig));
		if (out->dkim == NULL)
		{
			out->result = MA_DMARC_TEMPERROR;
			set_problem(out, "out of memory");
			return;
		}
		out->ndkim = ndkim;
		for (int i = 0; i < ndkim; i++)
		{
			const char *dd = req->dkim[i].domain ? req->dkim[i].domain : "";

			out->dkim[i].result = req->dkim[i].result;
			if (!norm_name(dd, out->dkim[i].domain))
				snprintf(out->dkim[i].domain, sizeof(out->dkim[i].domain), "%s",
						 shown(dd, strlen(dd), sbuf, sizeof(sbuf)));
		}
	}

	if (!norm_name(from_raw, from))
	{
		out->result = MA_DMARC_PERMERROR;
		snprintf(out->from_domain, sizeof(out->from_domain), "%s",
				 from_raw ? shown(from_raw, strlen(from_raw), sbuf, sizeof(sbuf)) : "");
		set_problem(out, "the From domain is not a valid domain name");
		return;
	}
	snprintf(out->from_domain, sizeof(out->from_domain), "%s", from);

	/* discovery, and (DMARCbis) the From domain's tree walk alongside */
	d = discover(lookup, arg, mode, from, out->policy_domain, &txt, &len, &multiple, NULL);
	if (mode == MA_DMARC_BIS)
		o = org_walk(lookup, arg, from, out->org_domain);
	else
		psl_org(from, out->org_domain);
	if (d == F_PENDING || o == F_PENDING)
	{
		out->pending = true;
		return;
	}
	if (d == F_TEMP)
	{
		out->result = MA_DMARC_TEMPERROR;
		out->policy_domain[0] = '\0';
		set_problem(out, "DNS failure while looking up the DMARC record");
		return;
	}
	if (d == 0)
	{
		out->result = MA_DMARC_NONE;
		set_problem(out, multiple ? "more than one DMARC record: no DMARC processing"
					: "no DMARC record");
		return;
	}
	if (ma_dmarc_parse(txt, len, mode, &rec) != 0)
	{
		out->result = MA_DMARC_TEMPERROR;
		out->policy_domain[0] = '\0';
		set_problem(out, "out of memory");
		return;
	}
	effp = ma_dmarc_effective_p(&rec, mode);
	if (effp == MA_DMARC_P_UNSET)
	{
		out->result = MA_DMARC_NONE;
		out->policy_domain[0] = '\0';
		set_problem(out, "the DMARC record has no valid p= and no valid rua=: no DMARC processing");
		ma_dmarc_record_free(&rec);
		return;
	}
	out->record = record_text(txt, len);
	if (o == F_TEMP)
		out->org_domain[0] = '\0';

	/* the policy that applies */
	out->policy = effp;
	out->policy_tag = "p";
	if (strcmp(out->policy_domain, from) != 0)
	{
		/* acting as p=none after RFC 7489 6.6.3: sp= and np= do not apply */
		bool		fallback = rec.p_invalid || rec.sp_invalid ||
		(mode == MA_DMARC_BIS && rec.np_invalid);

		if (!fallback && rec.sp != MA_DMARC_P_UNSET)
		{
			out->policy = rec.sp;
			out->policy_tag = "sp";
		}
		if (!fallback && mode == MA_DMARC_BIS && rec.np != MA_DMARC_P_UNSET)
		{
			int			ex = domain_exists(lookup, arg, from);

			if (ex == F_PENDING)
				pending = true;
			else if (ex == 0)
			{
				out->from_exists = false;
				out->policy = rec.np;
				out->policy_tag = "np";
			}
		}
	}
	if (mode == MA_DMARC_BIS && rec.t == 'y')
		out->policy = lower(out->policy);

	/* alignment of the identifiers that passed */
	if (req->spf_result == MA_SPF_PASS && out->spf_domain[0])
	{
		al = aligned(lookup, arg, mode, from, out->org_domain, out->spf_domain, rec.aspf == 's');
		if (al == AL_YES)
			out->spf_aligned = true;
		else if (al == AL_PENDING)
			pending = true;
		else if (al == AL_TEMP)
			temp = true;
	}
	for (int i = 0; i < out->ndkim; i++)
	{
		if (out->dkim[i].result != MA_DMARC_AUTH_PASS)
			continue;
		al = aligned(lookup, arg, mode, from, out->org_domain, out->dkim[i].domain,
					 rec.adkim == 's');
		if (al == AL_YES)
		{
			out->dkim[i].aligned = true;
			out->dkim_aligned = true;
		}
		else if (al == AL_PENDING)
			pending = true;
		else if (al == AL_TEMP)
			temp = true;
	}
	if (o == F_TEMP && !out->spf_aligned && !out->dkim_aligned)
		temp = true;
	if (pending)
	{
		out->pending = true;
		ma_dmarc_record_free(&rec);
		return;
	}

	/* result and disposition */
	if (out->spf_aligned || out->dkim_aligned)
	{
		out->result = MA_DMARC_PASS;
		out->disposition = MA_DMARC_P_NONE;
	}
	else if (temp)
	{
		out->result = MA_DMARC_TEMPERROR;
		out->disposition = MA_DMARC_P_NONE;
		set_problem(out, "DNS failure while determining organizational domains");
	}
	else
	{
		out->result = MA_DMARC_FAIL;
		out->disposition = out->policy;
		if (mode == MA_DMARC_RFC7489)
		{
			out->pct = rec.pct;
			if (rec.pct < 100 && sample_of(req) >= rec.pct)
			{
				out->sampled_out = true;
				out->disposition = lower(out->disposition);
			}
		}
	}
	ma_dmarc_record_free(&rec);
}

static int
strictness(const ma_dmarc_outcome *o)
{
	static const int res_rank[] = {0, 1, 4, 3, 2};	/* none pass fail temp perm */
	int			disp = o->disposition == MA_DMARC_P_REJECT ? 3 :
	o->disposition == MA_DMARC_P_QUARANTINE ? 2 : 1;

	return disp * 10 + res_rank[o->result];
}

void
ma_dmarc_outcome_free(ma_dmarc_outcome *out)
{
	free(out->dkim);
	free(out->record);
	memset(out, 0, sizeof(*out));
}

ma_dmarc_res
ma_dmarc_verify(const ma_dmarc_request *req, ma_spf_lookup_fn lookup, void *arg,
				ma_dmarc_outcome *out)
{
	ma_dmarc_outcome *outs;
	const char *doms[MA_DMARC_MAX_FROM];
	char		norm[MA_DMARC_MAX_FROM][MA_DNS_MAXNAME + 1];
	int			nd = 0,
				best = 0;
	bool		pending = false;

	memset(out, 0, sizeof(*out));
	out->policy_tag = "";
	out->from_exists = true;
	out->pct = 100;
	if (req == NULL || req->nfrom <= 0 || req->from_domains == NULL)
	{
		out->result = MA_DMARC_PERMERROR;
		set_problem(out, "the message has no From domain");
		return out->result;
	}
	/* the distinct From domains (compared normalised, else as written) */
	for (int i = 0; i < req->nfrom; i++)
	{
		const char *f = req->from_domains[i] ? req->from_domains[i] : "";
		char		n[MA_DNS_MAXNAME + 1];
		bool		dup = false;

		if (!norm_name(f, n))
			snprintf(n, sizeof(n), "%s", f);
		for (int j = 0; j < nd && !dup; j++)
			dup = strcasecmp(norm[j], n) == 0;
		if (dup)
			continue;
		if (nd == MA_DMARC_MAX_FROM)
		{
			out->result = MA_DMARC_PERMERROR;
			set_problem(out, "more than %d different From domains", MA_DMARC_MAX_FROM);
			return out->result;
		}
		memcpy(norm[nd], n, sizeof(n));
		doms[nd++] = f;
	}
	outs = calloc(nd, sizeof(ma_dmarc_outcome));
	if (outs == NULL)
	{
		out->result = MA_DMARC_TEMPERROR;
		set_problem(out, "out of memory");
		return out->result;
	}
	for (int i = 0; i < nd; i++)
	{
		eval_one(req, lookup, arg, doms[i], &outs[i]);
		if (outs[i].pending)
			pending = true;
		else if (strictness(&outs[i]) > strictness(&outs[best]) || outs[best].pending)
			best = i;
	}
	if (pending)
	{
		for (int i = 0; i < nd; i++)
			ma_dmarc_outcome_free(&outs[i]);
		free(outs);
		out->pending = true;
		return out->result;
	}
	*out = outs[best];
	for (int i = 0; i < nd; i++)
		if (i != best)
			ma_dmarc_outcome_free(&outs[i]);
	free(outs);
	return out->result;
}
