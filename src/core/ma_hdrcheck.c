/*-------------------------------------------------------------------------
 *
 * ma_hdrcheck.c
 *	  RFC 5322 header hygiene (see ma_hdrcheck.h for the codes).
 *
 * One pass over the header lines: each field is collected (first line and
 * continuation lines), its lines and bytes checked, its value unfolded into
 * a reused buffer and checked according to its name; message-level checks
 * follow.  Every read is bounded by len; NUL bytes are ordinary bytes.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_hdrcheck.h"
#include "ma_text.h"
#include "ma_addr.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum
{
	F_DATE, F_FROM, F_SENDER, F_REPLY_TO, F_TO, F_CC, F_BCC, F_MSGID, F_IN_REPLY_TO,
	F_REFERENCES, F_SUBJECT, NKNOWN
};

/* the fields RFC 5322 3.6 allows at most once, in their usual spelling */
static const char *const KNOWN[NKNOWN] = {
	"Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-ID",
	"In-Reply-To", "References", "Subject"
};

#define SEV_ERROR	0
#define SEV_WARNING 1
#define SEV_INFO	2

static const char *const SEVERITY[] = {"error", "warning", "info"};

typedef struct ctx
{
	const unsigned char *m;
	size_t		len;
	time_t		now;
	ma_hdrcheck_list *out;
	ma_hdrcheck_domain_list *dom;
	int			dom_kind;		/* F_FROM, F_REPLY_TO or F_TO */
	bool		oom;
	/* the unfolded value of the current field */
	unsigned char *val;
	size_t		vcap;
	/* message-level state */
	int			nfields;
	int			counts[NKNOWN];
	bool		from_multi;
	long		malformed;
	long		first_malformed;
	long		over78;
	char		over78_field[101];
	size_t		longest;
	/* bytes of malformed lines */
	bool		loose_nul;
	bool		loose_cr;
	int			loose_8bit;		/* 0 none, 1 UTF-8, -1 not UTF-8 */
} ctx;

/* ---------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------
 */
static inline bool
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* a malloc()ed copy of s[0..n) as valid UTF-8 without control characters
 * (U+FFFD for both), at most max bytes of input */
static char *
clean(ctx *c, const void *p, size_t n, size_t max)
{
	const unsigned char *s = p;
	char	   *d;
	size_t		o = 0;

	if (n > max)
		n = max;
	d = malloc(n * 3 + 1);
	if (!d)
	{
		c->oom = true;
		return NULL;
	}
	for (size_t i = 0; i < n;)
	{
		size_t		k;

		if (s[i] < 0x20 || s[i] == 0x7f || (s[i] >= 0x80 && (k = ma_utf8_seq(s + i, n - i)) == 0))
		{
			memcpy(d + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		k = s[i] < 0x80 ? 1 : ma_utf8_seq(s + i, n - i);
		memcpy(d + o, s + i, k);
		o += k;
		i += k;
	}
	d[o] = '\0';
	return d;
}

static void
add(ctx *c, int sev, const char *code, const char *header, size_t hlen,
	const char *fmt,...)
			__attribute__((format(printf, 6, 7)));

/* a finding; header is hlen bytes (as written) or NULL */
static void
add(ctx *c, int sev, const char *code, const char *header, size_t hlen,
	const char *fmt,...)
{
	ma_hdrcheck_list *l = c->out;
	ma_hdrcheck_finding *f;
	char		buf[700];
	va_list		ap;

	if (l == NULL || c->oom || l->truncated)
		return;
	if (l->n >= MA_HDRCHECK_MAX_FINDINGS)
	{
		sev = SEV_INFO;
		code = "findings_truncated";
		header = NULL;
		fmt = NULL;
		l->truncated = true;
	}
	if (l->n == l->cap)
	{
		int			ncap = l->cap ? l->cap * 2 : 16;
		ma_hdrcheck_finding *n = realloc(l->items, (size_t) ncap * sizeof(*n));

		if (!n)
		{
			c->oom = true;
			return;
		}
		l->items = n;
		l->cap = ncap;
	}
	if (fmt)
	{
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		ma_utf8_cut(buf);
		va_end(ap);
	}
	else
		snprintf(buf, sizeof(buf), "more than %d findings; the rest were dropped",
				 MA_HDRCHECK_MAX_FINDINGS);
	f = &l->items[l->n];
	f->severity = SEVERITY[sev];
	f->code = code;
	f->header = header && hlen > 0 ? clean(c, header, hlen, 100) : NULL;
	f->detail = clean(c, buf, strlen(buf), sizeof(buf));
	if (c->oom)
	{
		free(f->header);
		free(f->detail);
		return;
	}
	l->n++;
	if (sev == SEV_ERROR)
		l->nerrors++;
	else if (sev == SEV_WARNING)
		l->nwarnings++;
}

/* a finding about a known field (its usual spelling) */
#define ADDK(c, sev, code, k, ...) add((c), (sev), (code), KNOWN[k], strlen(KNOWN[k]), __VA_ARGS__)

/* a short printable excerpt of bytes for details (at most 60 bytes) */
static void
excerpt(const unsigned char *s, size_t n, char *out, size_t outlen)
{
	size_t		o = 0;

	while (n > 0 && (is_wsp(*s) || *s == '\r' || *s == '\n'))
		s++, n--;
	while (n > 0 && (is_wsp(s[n - 1]) || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	for (size_t i = 0; i < n && o + 4 < outlen; i++)
	{
		if (i >= 60)
		{
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		out[o++] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : (char) s[i];
	}
	out[o] = '\0';
}

/* ---------------------------------------------------------------------
 * Date (RFC 5322 3.3 and 4.3)
 * ---------------------------------------------------------------------
 */
typedef struct dtok
{
	char		type;			/* 'n' number, 'a' letters, or the character */
	bool		ws;				/* blanks or a comment before it */
	size_t		start;
	size_t		len;
	long		val;
} dtok;

#define DATE_MAXTOK 24

static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	int64_t		yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
word_index(const unsigned char *s, size_t n, const char *const *words, int nwords)
{
	for (int i = 0; i < nwords; i++)
		if (strlen(words[i]) == n && strncasecmp((const char *) s, words[i], n) == 0)
			return i;
	return -1;
}

/*
 * Parse a date-time.  Returns NULL when it is valid (*obs set for obsolete
 * syntax, *epoch, *wday_bad), else the reason it is not.
 */
static const char *
parse_date(const unsigned char *s, size_t n, bool *obs, int64_t *epoch, bool *wday_bad)
{
	static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	"Aug", "Sep", "Oct", "Nov", "Dec"};
	static const struct
	{
		const char *name;
		int			off;		/* minutes east */
	}			ZONES[] = {
		{"UT", 0}, {"GMT", 0}, {"EST", -300}, {"EDT", -240}, {"CST", -360}, {"CDT", -300},
		{"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420}
	};
	dtok		t[DATE_MAXTOK];
	int			nt = 0,
				k = 0,
				wday = -1,
				day,
				mon,
				hour,
				min,
				sec = 0,
				off = 0;
	int64_t		year,
				days;
	bool		comment = false,
				pend_ws = false;
	static const int MDAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	*obs = false;
	*wday_bad = false;
	/* tokens; a comment followed by a token is obsolete */
	for (size_t i = 0; i < n;)
	{
		unsigned char ch = s[i];

		if (is_wsp(ch) || ch == '\r' || ch == '\n')
		{
			i++;
			pend_ws = true;
			continue;
		}
		if (ch == '(')
		{
			size_t		depth = 0;

			for (; i < n; i++)
			{
				if (s[i] == '\\')
				{
					i++;
					continue;
				}
				if (s[i] == '(')
					depth++;
				else if (s[i] == ')' && --depth == 0)
					break;
			}
			if (i >= n)
				return "unterminated comment";
			i++;
			comment = true;
			pend_ws = true;
			continue;
		}
		if (nt >= DATE_MAXTOK)
			return "too many words";
		if (comment)
			*obs = true;		/* a comment inside the date-time */
		t[nt].start = i;
		t[nt].val = 0;
		t[nt].ws = pend_ws;
		pend_ws = false;
		if (ch >= '0' && ch <= '9')
		{
			t[nt].type = 'n';
			while (i < n && s[i] >= '0' && s[i] <= '9')
			{
				if (i - t[nt].start >= 9)
					return "number too long";
				t[nt].val = t[nt].val * 10 + (s[i] - '0');
				i++;
			}
		}
		else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
		{
			t[nt].type = 'a';
			while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
				i++;
		}
		else if (ch == ',' || ch == ':' || ch == '+' || ch == '-')
		{
			t[nt].type = (char) ch;
			i++;
		}
		else
			return "unexpected character";
		t[nt].len = i - t[nt].start;
		nt++;
	}
#define TK(i) ((i) < nt ? t[(i)].type : 0)
	/* [ day-of-week "," ] */
	if (TK(k) == 'a')
	{
		wday = word_index(s + t[k].start, t[k].len, DAYS, 7);
		if (wday < 0)
			return "unknown day name";
		k++;
		if (TK(k) != ',')
			return "no comma after the day name";
		k++;
	}
	/* day month year */
	if (TK(k) != 'n' || t[k].len > 2)
		return "no day of the month";
	day = (int) t[k++].val;
	if (TK(k) != 'a' || !t[k].ws)
		return "no month name";
	mon = word_index(s + t[k].start, t[k].len, MONTHS, 12);
	if (mon < 0)
		return "unknown month name";
	k++;
	if (TK(k) != 'n' || !t[k].ws || t[k].len < 2)
		return "no year";
	year = t[k].val;
	if (t[k].len == 2)
	{
		*obs = true;
		year += year < 50 ? 2000 : 1900;
	}
	else if (t[k].len == 3)
	{
		*obs = true;
		year += 1900;
	}
	k++;
	/* hour ":" minute [ ":" second ] */
	if (TK(k) != 'n' || !t[k].ws || t[k].len != 2)
		return "no time of day";
	hour = (int) t[k++].val;
	if (TK(k) != ':' || TK(k + 1) != 'n' || t[k + 1].len != 2)
		return "no minutes";
	min = (int) t[k + 1].val;
	k += 2;
	if (TK(k) == ':')
	{
		if (TK(k + 1) != 'n' || t[k + 1].len != 2)
			return "bad seconds";
		sec = (int) t[k + 1].val;
		k += 2;
	}
	/* zone */
	if ((TK(k) == '+' || TK(k) == '-') && t[k].ws)
	{
		if (TK(k + 1) != 'n' || t[k + 1].len != 4 || t[k + 1].ws)
			return "bad zone";
		if (t[k + 1].val % 100 >= 60)
			return "bad zone minutes";
		off = (int) (t[k + 1].val / 100 * 60 + t[k + 1].val % 100);
		if (TK(k) == '-')
			off = -off;
		k += 2;
	}
	else if (TK(k) == 'a' && t[k].ws && t[k].len <= 5)
	{
		/* obs-zone; military and unknown names mean -0000 (4.3) */
		*obs = true;
		for (size_t z = 0; z < sizeof(ZONES) / sizeof(ZONES[0]); z++)
			if (strlen(ZONES[z].name) == t[k].len &&
				strncasecmp((const char *) s + t[k].start, ZONES[z].name, t[k].len) == 0)
				off = ZONES[z].off;
		k++;
	}
	else
		return "no time zone";
	if (k != nt)
		return "text after the time zone";
#undef TK
	/* ranges */
	if (day < 1 || day > MDAYS[mon] + (mon == 1 && year % 4 == 0 &&
										(year % 100 != 0 || year % 400 == 0)))
		return "no such day in that month";
	if (hour > 23 || min > 59 || sec > 60)
		return "no such time of day";
	days = days_from_civil(year, mon + 1, day);
	*epoch = days * 86400 + hour * 3600 + min * 60 + sec - (int64_t) off * 60;
	if (wday >= 0)
	{
		int64_t		w = (days + 4) % 7;

		if (w < 0)
			w += 7;
		*wday_bad = (w != wday);
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * Message-ID (3.6.4)
 * ---------------------------------------------------------------------
 */
static bool
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c >= 0x80 || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* skip blanks and comments; false on an unterminated comment */
static bool
skip_cfws(const unsigned char *s, size_t n, size_t *i)
{
	while (*i < n)
	{
		if (is_wsp(s[*i]) || s[*i] == '\r' || s[*i] == '\n')
			(*i)++;
		else if (s[*i] == '(')
		{
			size_t		depth = 0;

			for (; *i < n; (*i)++)
			{
				if (s[*i] == '\\')
				{
					(*i)++;
					continue;
				}
				if (s[*i] == '(')
					depth++;
				else if (s[*i] == ')' && --depth == 0)
					break;
			}
			if (*i >= n)
				return false;
			(*i)++;
		}
		else
			break;
	}
	return true;
}

/* dot-atom-text at *i; false when there is none or it is malformed */
static bool
dot_atom_text(const unsigned char *s, size_t n, size_t *i)
{
	size_t		start = *i;

	for (;;)
	{
		size_t		a = *i;

		while (*i < n && is_atext(s[*i]))
			(*i)++;
		if (*i == a)
			return false;		/* empty atom: leading or double dot */
		if (*i < n && s[*i] == '.')
			(*i)++;
		else
			break;
	}
	return *i > start;
}

/* 0 valid, 1 obsolete (quoted left part), -1 invalid */
static int
parse_msgid(const unsigned char *s, size_t n, const char **why)
{
	size_t		i = 0;
	int			r = 0;

	if (!skip_cfws(s, n, &i))
		return *why = "unterminated comment", -1;
	if (i >= n)
		return *why = "empty", -1;
	if (s[i] != '<')
		return *why = "no '<'", -1;
	i++;
	if (i < n && s[i] == '"')
	{
		size_t		a = ++i;

		while (i < n && s[i] != '"')
			i += (s[i] == '\\') ? 2 : 1;
		if (i >= n || i == a)
			return *why = "bad quoted left part", -1;
		i++;
		r = 1;
	}
	else if (!dot_atom_text(s, n, &i))
		return *why = "bad left part", -1;
	if (i >= n || s[i] != '@')
		return *why = "no '@'", -1;
	i++;
	if (i < n && s[i] == '[')
	{
		for (i++; i < n && s[i] != ']'; i++)
			if (!((s[i] >= 33 && s[i] <= 90) || (s[i] >= 94 && s[i] <= 126) || s[i] >= 0x80))
				return *why = "bad literal right part", -1;
		if (i >= n)
			return *why = "unterminated literal", -1;
		i++;
	}
	else if (!dot_atom_text(s, n, &i))
		return *why = "bad right part", -1;
	if (i >= n || s[i] != '>')
		return *why = "no '>' after the right part", -1;
	i++;
	if (!skip_cfws(s, n, &i))
		return *why = "unterminated comment", -1;
	if (i < n)
		return *why = "text after the '>'", -1;
	return r;
}

/* ---------------------------------------------------------------------
 * Field checks
 * ---------------------------------------------------------------------
 */
static int
known_index(const unsigned char *name, size_t n)
{
	for (int i = 0; i < NKNOWN; i++)
		if (strlen(KNOWN[i]) == n && strncasecmp((const char *) name, KNOWN[i], n) == 0)
			return i;
	return -1;
}

static bool
domain_lookupable(const char *d)
{
	size_t		n = strlen(d),
				label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++)
	{
		char		ch = d[i];

		if (i == n || ch == '.')
		{
			if (label == 0 || label > 63)
				return false;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
		label++;
	}
	return true;
}

static void
add_domain(ctx *c, const ma_addr *a)
{
	ma_hdrcheck_domain_list *l = c->dom;
	unsigned	bit = c->dom_kind == F_FROM ? MA_HDRCHECK_IN_FROM :
		c->dom_kind == F_REPLY_TO ? MA_HDRCHECK_IN_REPLY_TO : MA_HDRCHECK_IN_TO;
	ma_hdrcheck_domain *d;

	if (!a->domain || (a->flags & MA_ADDR_DOMAIN_LITERAL) || !domain_lookupable(a->domain))
		return;
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->items[i].domain, a->domain) == 0)
		{
			l->items[i].fields |= bit;
			return;
		}
	if (l->n >= MA_HDRCHECK_MAX_DOMAINS)
	{
		l->truncated = true;
		return;
	}
	if (l->n == l->cap)
	{
		int			ncap = l->cap ? l->cap * 2 : 8;
		ma_hdrcheck_domain *n = realloc(l->items, (size_t) ncap * sizeof(*n));

		if (!n)
		{
			c->oom = true;
			return;
		}
		l->items = n;
		l->cap = ncap;
	}
	d = &l->items[l->n];
	d->domain = strdup(a->domain);
	d->domain_unicode = strdup(a->domain_unicode ? a->domain_unicode : a->domain);
	d->fields = bit;
	if (!d->domain || !d->domain_unicode)
	{
		free(d->domain);
		free(d->domain_unicode);
		c->oom = true;
		return;
	}
	l->n++;
}

/* the first invalid mailbox (or the list's problem) in words */
static void
describe_invalid(const ma_addr_list *l, uint32_t ignore, char *buf, size_t len)
{
	char		codes[256];
	int			nbad = 0,
				first = -1;

	for (int i = 0; i < l->n; i++)
		if (l->items[i].flags & MA_ADDR_INVALID_MASK)
		{
			if (first < 0)
				first = i;
			nbad++;
		}
	if (first >= 0)
	{
		ma_addr_flags_str(l->items[first].flags & MA_ADDR_INVALID_MASK, ", ", codes,
						  sizeof(codes));
		snprintf(buf, len, "mailbox %d of %d \"%.80s\": %s%s", first + 1, l->n,
				 l->items[first].addr_spec, codes,
				 nbad > 1 ? " (and other invalid mailboxes)" : "");
	}
	else
	{
		ma_addr_flags_str(l->flags & MA_ADDR_INVALID_MASK & ~ignore, ", ", codes,
						  sizeof(codes));
		snprintf(buf, len, "the address list: %s", codes);
	}
}

static void
check_addresses(ctx *c, int k, const unsigned char *v, size_t n)
{
	ma_addr_list l;
	uint32_t	ignore = 0,
				bad;
	char		detail[512];

	if (ma_addr_parse_list((const char *) v, n, &l) < 0)
	{
		c->oom = true;
		return;
	}
	if (c->dom)
	{
		for (int i = 0; i < l.n; i++)
			add_domain(c, &l.items[i]);
		ma_addr_list_free(&l);
		return;
	}
	if (k == F_BCC && l.n == 0 && l.ngroups == 0)
		ignore = MA_ADDR_EMPTY;	/* "Bcc:" alone is fine (3.6.3) */
	bad = l.all_flags & MA_ADDR_INVALID_MASK & ~ignore;
	if (bad)
	{
		describe_invalid(&l, ignore, detail, sizeof(detail));
		ADDK(c, SEV_ERROR, "invalid_address", k, "invalid address syntax: %s", detail);
	}
	else if ((k == F_FROM || k == F_SENDER) && l.n == 0)
		ADDK(c, SEV_ERROR, "invalid_address", k, "%s holds no mailbox", KNOWN[k]);
	if ((k == F_FROM || k == F_SENDER) && l.ngroups > 0)
		ADDK(c, SEV_WARNING, "from_group", k,
			 "group syntax in %s (RFC 6854 allows it but says SHOULD NOT)", KNOWN[k]);
	if (k == F_FROM && l.n > 1)
		c->from_multi = true;
	if (k == F_SENDER && l.n > 1)
		ADDK(c, SEV_ERROR, "sender_multiple", k,
			 "Sender holds %d mailboxes; it must hold exactly one", l.n);
	if (l.all_flags & (MA_ADDR_OBSOLETE | MA_ADDR_ROUTE))
		ADDK(c, SEV_WARNING, "obsolete_address", k,
			 "obsolete address syntax (RFC 5322 4.4)%s",
			 (l.all_flags & MA_ADDR_ROUTE) ? ": a source route" : "");
	if (l.all_flags & MA_ADDR_BAD_ENCODED_WORD)
		ADDK(c, SEV_WARNING, "bad_encoded_word", k,
			 "an RFC 2047 encoded word of a display name cannot be decoded");
	ma_addr_list_free(&l);
}

static void
check_date(ctx *c, const unsigned char *v, size_t n)
{
	bool		obs,
				wday_bad;
	int64_t		epoch = 0;
	char		ex[80];
	const char *why = parse_date(v, n, &obs, &epoch, &wday_bad);

	excerpt(v, n, ex, sizeof(ex));
	if (why)
	{
		ADDK(c, SEV_ERROR, "invalid_date", F_DATE, "cannot parse \"%s\": %s", ex, why);
		return;
	}
	if (obs)
		ADDK(c, SEV_WARNING, "obsolete_date", F_DATE,
			 "\"%s\" uses obsolete date syntax (RFC 5322 4.3)", ex);
	if (wday_bad)
		ADDK(c, SEV_WARNING, "date_weekday_mismatch", F_DATE,
			 "the day name of \"%s\" does not match the date", ex);
	if (epoch > (int64_t) c->now + 86400)
		ADDK(c, SEV_WARNING, "date_in_future", F_DATE,
			 "\"%s\" is more than one day in the future", ex);
	if (epoch < 631152000)		/* 1990-01-01T00:00:00Z */
		ADDK(c, SEV_WARNING, "date_too_old", F_DATE, "\"%s\" is before 1990", ex);
}

static void
check_msgid(ctx *c, const unsigned char *v, size_t n)
{
	const char *why = NULL;
	char		ex[80];
	int			r = parse_msgid(v, n, &why);

	excerpt(v, n, ex, sizeof(ex));
	if (r < 0)
		ADDK(c, SEV_ERROR, "invalid_message_id", F_MSGID,
			 "\"%s\" is not <left@right>: %s", ex, why);
	else if (r > 0)
		ADDK(c, SEV_WARNING, "obsolete_message_id", F_MSGID,
			 "\"%s\" has a quoted left part (obsolete syntax)", ex);
}

static void
check_subject(ctx *c, const unsigned char *v, size_t n)
{
	size_t		i = 0;
	bool		bad = false;
	char	   *d;

	while (i < n && (is_wsp(v[i]) || v[i] == '\r' || v[i] == '\n'))
		i++;
	if (i == n)
	{
		ADDK(c, SEV_WARNING, "empty_subject", F_SUBJECT, "the Subject is empty");
		return;
	}
	d = ma_addr_decode_words((const char *) v, n, &bad);
	if (!d)
	{
		c->oom = true;
		return;
	}
	free(d);
	if (bad)
		ADDK(c, SEV_WARNING, "bad_encoded_word", F_SUBJECT,
			 "an RFC 2047 encoded word of the Subject cannot be decoded");
}

/* the checks of a field's value, by name */
static void
check_value(ctx *c, int k, const unsigned char *v, size_t n)
{
	if (c->dom)
	{
		if (k == c->dom_kind)
			check_addresses(c, k, v, n);
		return;
	}
	switch (k)
	{
		case F_FROM:
		case F_SENDER:
		case F_REPLY_TO:
		case F_TO:
		case F_CC:
		case F_BCC:
			check_addresses(c, k, v, n);
			break;
		case F_DATE:
			check_date(c, v, n);
			break;
		case F_MSGID:
			check_msgid(c, v, n);
			break;
		case F_SUBJECT:
			check_subject(c, v, n);
			break;
		default:
			break;
	}
}

/* the field name: findings about it; returns the known index or -1 */
static int
check_name(ctx *c, const unsigned char *name, size_t nlen, bool blanks)
{
	bool		bad = (nlen == 0);
	int			k;

	for (size_t i = 0; i < nlen; i++)
		if (name[i] < 33 || name[i] > 126)
			bad = true;
	k = bad ? -1 : known_index(name, nlen);
	if (bad)
	{
		char		ex[80];

		excerpt(name, nlen, ex, sizeof(ex));
		add(c, SEV_ERROR, "invalid_field_name", (const char *) name, nlen,
			"field name \"%s\" is empty or holds bytes outside printable ASCII", ex);
	}
	if (blanks && !c->dom)
		add(c, SEV_WARNING, "space_before_colon", k >= 0 ? KNOWN[k] : (const char *) name,
			k >= 0 ? strlen(KNOWN[k]) : nlen,
			"blanks between the field name and ':' (obsolete syntax)");
	return k;
}

/* findings about the bytes and lines of a field */
typedef struct fbytes
{
	bool		nul;
	bool		bare_cr;
	size_t		longest;
} fbytes;

static void
report_bytes(ctx *c, const char *hdr, size_t hlen, const fbytes *b, const unsigned char *s,
			 size_t n)
{
	int			u = ma_utf8_check(s, n);

	if (b->longest > 998)
		add(c, SEV_ERROR, "line_too_long", hdr, hlen,
			"a line of %zu octets (more than 998)", b->longest);
	if (b->nul)
		add(c, SEV_ERROR, "nul_byte", hdr, hlen, "a NUL byte in the header");
	if (b->bare_cr)
		add(c, SEV_ERROR, "bare_cr", hdr, hlen, "a CR not followed by LF");
	if (u > 0)
		add(c, SEV_WARNING, "eight_bit_header", hdr, hlen,
			"8-bit (UTF-8) bytes without RFC 2047 encoding; only RFC 6532 allows them");
	else if (u < 0)
		add(c, SEV_ERROR, "invalid_utf8_header", hdr, hlen,
			"8-bit bytes that are not valid UTF-8");
}

static bool
reserve_val(ctx *c, size_t n)
{
	unsigned char *v;

	if (n + 1 <= c->vcap)
		return true;
	v = realloc(c->val, n + 1);
	if (!v)
	{
		c->oom = true;
		return false;
	}
	c->val = v;
	c->vcap = n + 1;
	return true;
}

/* ---------------------------------------------------------------------
 * The header walk
 * ---------------------------------------------------------------------
 */
typedef struct field
{
	bool		active;
	size_t		start;
	size_t		colon;
	size_t		end;			/* past the last line's LF */
	fbytes		b;
} field;

static void
note_line(ctx *c, fbytes *b, const unsigned char *m, size_t ls, size_t ce,
		  const unsigned char *name, size_t nlen)
{
	size_t		l = ce - ls;

	if (l > b->longest)
		b->longest = l;
	if (l > 78)
	{
		if (c->over78 == 0)
		{
			size_t		k = nlen < 100 ? nlen : 100;

			memcpy(c->over78_field, name, k);
			c->over78_field[k] = '\0';
		}
		c->over78++;
		if (l > c->longest)
			c->longest = l;
	}
	if (memchr(m + ls, 0, l))
		b->nul = true;
	for (const unsigned char *p = m + ls; (p = memchr(p, '\r', (m + ce) - p)) != NULL; p++)
		b->bare_cr = true;
}

/* a malformed line: its bytes are reported for the message */
static void
note_loose(ctx *c, fbytes *loose, size_t ls, size_t ce)
{
	int			u = ma_utf8_check(c->m + ls, ce - ls);

	note_line(c, loose, c->m, ls, ce, (const unsigned char *) "", 0);
	if (u < 0 || (u > 0 && c->loose_8bit == 0))
		c->loose_8bit = u;
}

static void
finish_field(ctx *c, field *f)
{
	const unsigned char *m = c->m;
	size_t		ne = f->colon,
				o = 0;
	bool		blanks = false;
	int			k;
	const char *hdr;
	size_t		hlen;

	if (!f->active)
		return;
	f->active = false;
	c->nfields++;
	while (ne > f->start && is_wsp(m[ne - 1]))
	{
		ne--;
		blanks = true;
	}
	k = check_name(c, m + f->start, ne - f->start, blanks);
	if (k >= 0)
	{
		c->counts[k]++;
		hdr = KNOWN[k];
		hlen = strlen(hdr);
	}
	else
	{
		hdr = (const char *) m + f->start;
		hlen = ne - f->start;
	}
	if (!c->dom)
		report_bytes(c, hdr, hlen, &f->b, m + f->start, f->end - f->start);
	if (k < 0)
		return;
	/* the unfolded value: line ends (LF and the CR before it) removed */
	if (!reserve_val(c, f->end - f->colon))
		return;
	for (size_t i = f->colon + 1; i < f->end; i++)
	{
		if (m[i] == '\n' || (m[i] == '\r' && i + 1 < f->end && m[i + 1] == '\n'))
			continue;
		c->val[o++] = m[i];
	}
	c->val[o] = '\0';
	check_value(c, k, c->val, o);
}

static void
walk(ctx *c)
{
	const unsigned char *m = c->m;
	size_t		len = c->len,
				p = 0;
	long		lineno = 0;
	bool		sep = false;
	field		f;
	fbytes		loose;

	memset(&f, 0, sizeof(f));
	memset(&loose, 0, sizeof(loose));
	if (len >= 5 && memcmp(m, "From ", 5) == 0)
	{
		const unsigned char *nl = memchr(m, '\n', len);

		if (!c->dom)
			add(c, SEV_INFO, "mbox_from_line", NULL, 0,
				"the input starts with an mbox \"From \" line (skipped)");
		p = nl ? (size_t) (nl - m) + 1 : len;
		lineno++;
	}
	while (p < len && !c->oom)
	{
		const unsigned char *nl = memchr(m + p, '\n', len - p);
		size_t		e = nl ? (size_t) (nl - m) : len,
					next = nl ? e + 1 : len,
					ce = e;

		lineno++;
		if (nl && ce > p && m[ce - 1] == '\r')
			ce--;
		if (ce == p)
		{
			sep = true;
			break;
		}
		if (is_wsp(m[p]))
		{
			if (f.active)
			{
				f.end = next;
				if (!c->dom)
					note_line(c, &f.b, m, p, ce, m + f.start, f.colon - f.start);
			}
			else
			{
				if (c->malformed++ == 0)
					c->first_malformed = lineno;
				if (!c->dom)
					note_loose(c, &loose, p, ce);
			}
		}
		else
		{
			const unsigned char *colon = memchr(m + p, ':', ce - p);

			finish_field(c, &f);
			if (colon)
			{
				memset(&f, 0, sizeof(f));
				f.active = true;
				f.start = p;
				f.colon = (size_t) (colon - m);
				f.end = next;
				if (!c->dom)
					note_line(c, &f.b, m, p, ce, m + p, f.colon - p);
			}
			else
			{
				if (c->malformed++ == 0)
					c->first_malformed = lineno;
				if (!c->dom)
					note_loose(c, &loose, p, ce);
			}
		}
		p = next;
	}
	finish_field(c, &f);
	if (c->dom)
		return;

	/* message-level checks */
	if (c->nfields == 0)
		add(c, SEV_ERROR, "no_header_fields", NULL, 0, "the message has no header field");
	if (c->counts[F_FROM] == 0)
		ADDK(c, SEV_ERROR, "missing_from", F_FROM, "no From field (RFC 5322 3.6)");
	if (c->counts[F_DATE] == 0)
		ADDK(c, SEV_ERROR, "missing_date", F_DATE, "no Date field (RFC 5322 3.6)");
	for (int k = 0; k < NKNOWN; k++)
		if (c->counts[k] > 1)
			ADDK(c, SEV_ERROR, "duplicate_field", k,
				 "%d %s fields; RFC 5322 3.6 allows one", c->counts[k], KNOWN[k]);
	if (c->from_multi && c->counts[F_SENDER] == 0)
		ADDK(c, SEV_ERROR, "from_multiple_no_sender", F_FROM,
			 "From holds several mailboxes and there is no Sender (RFC 5322 3.6.2)");
	if (c->counts[F_MSGID] == 0)
		ADDK(c, SEV_WARNING, "missing_message_id", F_MSGID, "no Message-ID field");
	if (c->counts[F_SUBJECT] == 0)
		ADDK(c, SEV_WARNING, "missing_subject", F_SUBJECT, "no Subject field");
	if (c->malformed > 0)
		add(c, SEV_ERROR, "malformed_line", NULL, 0,
			"%ld header line%s neither a field nor a continuation (first: line %ld)",
			c->malformed, c->malformed > 1 ? "s are" : " is", c->first_malformed);
	if (loose.nul)
		add(c, SEV_ERROR, "nul_byte", NULL, 0, "a NUL byte in a malformed header line");
	if (loose.bare_cr)
		add(c, SEV_ERROR, "bare_cr", NULL, 0, "a CR not followed by LF in a malformed header line");
	if (loose.longest > 998)
		add(c, SEV_ERROR, "line_too_long", NULL, 0,
			"a malformed header line of %zu octets (more than 998)", loose.longest);
	if (c->loose_8bit > 0)
		add(c, SEV_WARNING, "eight_bit_header", NULL, 0,
			"8-bit (UTF-8) bytes in a malformed header line");
	else if (c->loose_8bit < 0)
		add(c, SEV_ERROR, "invalid_utf8_header", NULL, 0,
			"8-bit bytes that are not valid UTF-8 in a malformed header line");
	if (c->over78 > 0)
		add(c, SEV_INFO, "line_over_78", c->over78_field[0] ? c->over78_field : NULL,
			strlen(c->over78_field),
			"%ld header line%s longer than 78 octets (longest: %zu)", c->over78,
			c->over78 > 1 ? "s are" : " is", c->longest);
	if (!sep && c->nfields > 0)
		add(c, SEV_WARNING, "no_body_separator", NULL, 0,
			"no empty line ends the header: the message has no body or is truncated");
}

/* ---------------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------------
 */
void
ma_hdrcheck_list_free(ma_hdrcheck_list *list)
{
	if (!list)
		return;
	for (int i = 0; i < list->n; i++)
	{
		free(list->items[i].header);
		free(list->items[i].detail);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

int
ma_hdrcheck_at(const char *msg, size_t len, time_t now, ma_hdrcheck_list *out)
{
	ctx			c;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.m = (const unsigned char *) (msg ? msg : "");
	c.len = msg ? len : 0;
	c.now = now;
	c.out = out;
	walk(&c);
	free(c.val);
	if (c.oom)
	{
		ma_hdrcheck_list_free(out);
		return -1;
	}
	return 0;
}

int
ma_hdrcheck(const char *msg, size_t len, ma_hdrcheck_list *out)
{
	return ma_hdrcheck_at(msg, len, time(NULL), out);
}

int
ma_hdrcheck_field(const char *name, const char *value, size_t len, time_t now,
				  ma_hdrcheck_list *out)
{
	ctx			c;
	const unsigned char *v = (const unsigned char *) (value ? value : "");
	size_t		nlen = name ? strlen(name) : 0,
				o = 0,
				ls = 0;
	fbytes		b;
	bool		inj = false;
	int			k;
	const char *hdr;
	size_t		hlen;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	memset(&b, 0, sizeof(b));
	if (!value)
		len = 0;
	c.now = now;
	c.out = out;
	k = check_name(&c, (const unsigned char *) (name ? name : ""), nlen, false);
	hdr = k >= 0 ? KNOWN[k] : name;
	hlen = k >= 0 ? strlen(KNOWN[k]) : nlen;
	/* line breaks: folds, or injection; lines as "Name: value" */
	for (size_t i = 0; i <= len; i++)
	{
		size_t		q;
		size_t		l;

		if (i < len && v[i] != '\r' && v[i] != '\n')
			continue;
		l = (i - ls) + (ls == 0 ? nlen + 2 : 0);
		if (l > b.longest)
			b.longest = l;
		if (l > 78)
		{
			if (c.over78++ == 0)
				snprintf(c.over78_field, sizeof(c.over78_field), "%.100s", hdr ? hdr : "");
			if (l > c.longest)
				c.longest = l;
		}
		if (i == len)
			break;
		q = (v[i] == '\r' && i + 1 < len && v[i + 1] == '\n') ? i + 2 : i + 1;
		if (v[i] == '\r' && q == i + 1)
			b.bare_cr = true;
		if (q >= len || !is_wsp(v[q]))
			inj = true;
		ls = q;
		i = q - 1;
	}
	if (memchr(v, 0, len))
		b.nul = true;
	if (inj)
		add(&c, SEV_ERROR, "header_injection", hdr, hlen,
			"the value holds a line break not followed by a blank: it would end the field");
	report_bytes(&c, hdr, hlen, &b, v, len);
	if (c.over78 > 0)
		add(&c, SEV_INFO, "line_over_78", hdr, hlen,
			"%ld line%s longer than 78 octets (longest: %zu)", c.over78,
			c.over78 > 1 ? "s are" : " is", c.longest);
	if (k >= 0 && reserve_val(&c, len))
	{
		for (size_t i = 0; i < len; i++)
			if (v[i] != '\r' && v[i] != '\n')
				c.val[o++] = v[i];
		c.val[o] = '\0';
		check_value(&c, k, c.val, o);
	}
	free(c.val);
	if (c.oom)
	{
		ma_hdrcheck_list_free(out);
		return -1;
	}
	return 0;
}

void
ma_hdrcheck_domain_list_free(ma_hdrcheck_domain_list *list)
{
	if (!list)
		return;
	for (int i = 0; i < list->n; i++)
	{
		free(list->items[i].domain);
		free(list->items[i].domain_unicode);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

int
ma_hdrcheck_domains(const char *msg, size_t len, ma_hdrcheck_domain_list *out)
{
	static const int order[] = {F_FROM, F_REPLY_TO, F_TO};
	bool		oom = false;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < 3 && !oom; i++)
	{
		ctx			c;

		memset(&c, 0, sizeof(c));
		c.m = (const unsigned char *) (msg ? msg : "");
		c.len = msg ? len : 0;
		c.dom = out;
		c.dom_kind = order[i];
		walk(&c);
		free(c.val);
		oom = c.oom;
	}
	if (oom)
	{
		ma_hdrcheck_domain_list_free(out);
		return -1;
	}
	return 0;
}
