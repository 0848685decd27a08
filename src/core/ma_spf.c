/*-------------------------------------------------------------------------
 *
 * ma_spf.c
 *	  The native RFC 7208 SPF evaluator of the mailauth core: record
 *	  selection, term parsing, macro expansion, check_host() with the
 *	  processing limits of RFC 7208 4.6.4 and 11, and the Received-SPF
 *	  header.
 *
 * Pure C: never includes postgres.h.  DNS answers come from the caller's
 * lookup callback ("waves", see ma_spf.h): when an answer is not known yet
 * the evaluation unwinds with an internal PENDING code, freeing everything
 * on the way, and the caller runs it again once the questions are answered.
 * Every run is deterministic, so every run gets one step further.
 *
 * Everything here treats its input as hostile: records, names and macros
 * come from DNS and from the SMTP client.  Expansions are bounded
 * (MAX_EXPAND), nesting is bounded (MAX_DEPTH, on top of the lookup limit
 * that already stops include/redirect loops), and every path frees what it
 * allocated.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_spf.h"
#include "ma_text.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define MAX_DEPTH		12		/* include/redirect nesting */
#define MAX_EXPAND		8192	/* bytes of one macro expansion */
#define MAX_DIGITS		128		/* a larger transformer means "all parts" */

/* internal evaluation codes besides the ma_spf_res values */
#define R_PENDING		(-1)	/* an answer is missing: unwind */
#define R_NOMATCH		(-2)	/* a mechanism did not match */
#define R_MATCH			(-3)	/* a mechanism matched */

/* expansion outcomes */
#define X_OK			0
#define X_PENDING		(-1)
#define X_SYNTAX		(-2)
#define X_TOOLONG		(-3)
#define X_NOMEM			(-4)

static const char *const res_names[] = {
	"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"
};

const char *
ma_spf_res_name(ma_spf_res r)
{
	if ((int) r < 0 || (int) r >= (int) (sizeof(res_names) / sizeof(res_names[0])))
		return "permerror";
	return res_names[r];
}

static const char *const kind_names[] = {
	"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists",
	"redirect", "exp", "unknown-modifier"
};

const char *
ma_spf_kind_name(ma_spf_kind k)
{
	if ((int) k < 0 || (int) k >= (int) (sizeof(kind_names) / sizeof(kind_names[0])))
		return "?";
	return kind_names[k];
}

/* ---------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------
 */

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static char *
dupn(const char *s, size_t n)
{
	char	   *p = malloc(n + 1);

	if (p)
	{
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void
set_msg(char *err, size_t errlen, const char *fmt, const char *arg, size_t arglen)
{
	char		tmp[128];
	size_t		n;

	if (err == NULL || errlen == 0)
		return;
	if (arg == NULL)
	{
		snprintf(err, errlen, "%s", fmt);
		return;
	}
	/* arguments are record bytes: keep them short and printable */
	n = arglen < sizeof(tmp) - 4 ? arglen : sizeof(tmp) - 4;
	for (size_t i = 0; i < n; i++)
	{
		unsigned char ch = (unsigned char) arg[i];

		tmp[i] = (ch >= 0x20 && ch < 0x7f) ? (char) ch : '?';
	}
	if (n < arglen)
	{
		memcpy(tmp + n, "...", 3);
		n += 3;
	}
	tmp[n] = '\0';
	snprintf(err, errlen, fmt, tmp);
}

/*
 * A CIDR prefix length: 1 to 3 digits, no leading zero, at most max.
 * Returns the value or -1.
 */
static int
parse_cidr(const char *s, size_t n, int max)
{
	int			v = 0;

	if (n == 0 || n > 3 || (s[0] == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < n; i++)
	{
		if (!is_digit((unsigned char) s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* does a match b on the first bits bits */
static bool
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int			full = bits / 8,
				rem = bits % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rem)
	{
		unsigned char mask = (unsigned char) (0xff << (8 - rem));

		return (a[full] & mask) == (b[full] & mask);
	}
	return true;
}

/*
 * RFC 7208 toplabel:
 *	( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
 */
static bool
valid_toplabel(const char *s, size_t n)
{
	bool		alpha = false,
				dash = false;

	if (n == 0 || !is_alnum((unsigned char) s[0]) || !is_alnum((unsigned char) s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
	{
		unsigned char ch = (unsigned char) s[i];

		if (is_alpha(ch))
			alpha = true;
		else if (ch == '-')
			dash = true;
		else if (!is_digit(ch))
			return false;
	}
	return alpha || dash;
}

/* ---------------------------------------------------------------------
 * Macro tokens (RFC 7208 7.1)
 *
 *	macro-string = *( macro-expand / macro-literal )
 *	macro-expand = ( "%{" macro-letter transformers *delimiter "}" )
 *				   / "%%" / "%_" / "%-"
 *	transformers = *DIGIT [ "r" ]
 *	delimiter	 = "." / "-" / "+" / "," / "/" / "_" / "="
 * ---------------------------------------------------------------------
 */
typedef struct mtok
{
	int			kind;			/* 0 literal byte, 1 "%x" escape, 2 %{...} */
	char		ch;				/* literal byte, or the escape's expansion key */
	char		letter;			/* lowercase macro letter */
	bool		upper;			/* URL-escape the expansion */
	int			digits;			/* 0 = all parts */
	bool		reverse;
	char		delims[8];		/* NUL-terminated set, "" = "." */
} mtok;

/*
 * Read the next token of s at *pos.  Returns 1 with *t filled, 0 at the end,
 * -1 on a syntax error (message in err).
 */
static int
next_token(const char *s, size_t len, size_t *pos, bool exp, mtok *t,
		   char *err, size_t errlen)
{
	size_t		i = *pos;
	unsigned char ch;

	if (i >= len)
		return 0;
	memset(t, 0, sizeof(*t));
	ch = (unsigned char) s[i];
	if (ch != '%')
	{
		if (ch > 0x7e || ch < 0x20 || (ch == 0x20 && !exp))
		{
			set_msg(err, errlen, "invalid character in macro-string \"%s\"", s, len);
			return -1;
		}
		t->kind = 0;
		t->ch = (char) ch;
		*pos = i + 1;
		return 1;
	}
	if (i + 1 >= len)
	{
		set_msg(err, errlen, "'%%' at the end of \"%s\"", s, len);
		return -1;
	}
	ch = (unsigned char) s[i + 1];
	if (ch == '%' || ch == '_' || ch == '-')
	{
		t->kind = 1;
		t->ch = (char) ch;
		*pos = i + 2;
		return 1;
	}
	if (ch != '{')
	{
		set_msg(err, errlen, "invalid macro (a '%%' must be followed by '{', '%%', '_' or '-') in \"%s\"",
				s, len);
		return -1;
	}
	i += 2;
	if (i >= len)
		goto bad;
	ch = (unsigned char) s[i];
	t->letter = (char) tolower(ch);
	t->upper = (ch >= 'A' && ch <= 'Z');
	if (strchr("slodipvh", t->letter) == NULL || t->letter == '\0')
	{
		if (exp && t->letter != '\0' && strchr("crt", t->letter) != NULL)
			;
		else
		{
			if (t->letter != '\0' && strchr("crt", t->letter) != NULL)
				set_msg(err, errlen, "macro letters c, r and t are only allowed in explanations: \"%s\"",
						s, len);
			else
				set_msg(err, errlen, "unknown macro letter in \"%s\"", s, len);
			return -1;
		}
	}
	i++;
	if (i < len && is_digit((unsigned char) s[i]))
	{
		long		v = 0;

		while (i < len && is_digit((unsigned char) s[i]))
		{
			if (v <= MAX_DIGITS)
				v = v * 10 + (s[i] - '0');
			i++;
		}
		if (v == 0)
		{
			set_msg(err, errlen, "macro transformer digits must be nonzero in \"%s\"", s, len);
			return -1;
		}
		t->digits = v > MAX_DIGITS ? 0 : (int) v;
	}
	if (i < len && (s[i] == 'r' || s[i] == 'R'))
	{
		t->reverse = true;
		i++;
	}
	while (i < len && strchr(".-+,/_=", s[i]) != NULL && s[i] != '\0')
	{
		if (strchr(t->delims, s[i]) == NULL)
		{
			size_t		n = strlen(t->delims);

			if (n < sizeof(t->delims) - 1)
			{
				t->delims[n] = s[i];
				t->delims[n + 1] = '\0';
			}
		}
		i++;
	}
	if (i >= len || s[i] != '}')
		goto bad;
	t->kind = 2;
	*pos = i + 1;
	return 1;

bad:
	set_msg(err, errlen, "malformed macro in \"%s\"", s, len);
	return -1;
}

/* syntax check of a macro-string; optionally tells whether it ends in a macro */
static int
macro_syntax(const char *s, size_t len, bool exp, bool *ends_macro, char *err, size_t errlen)
{
	size_t		pos = 0;
	mtok		t;
	int			rc;

	if (ends_macro)
		*ends_macro = false;
	while ((rc = next_token(s, len, &pos, exp, &t, err, errlen)) == 1)
	{
		if (ends_macro)
			*ends_macro = (t.kind != 0);
	}
	return rc;
}

/*
 * domain-spec = macro-string domain-end
 * domain-end  = ( "." toplabel [ "." ] ) / macro-expand
 */
static int
check_domain_spec(const char *s, size_t len, char *err, size_t errlen)
{
	bool		ends_macro;
	size_t		l = len,
				dot;

	if (len == 0)
	{
		set_msg(err, errlen, "empty domain-spec", NULL, 0);
		return -1;
	}
	if (macro_syntax(s, len, false, &ends_macro, err, errlen) < 0)
		return -1;
	if (ends_macro)
		return 0;
	if (s[l - 1] == '.')
		l--;
	for (dot = l; dot > 0 && s[dot - 1] != '.'; dot--)
		;
	if (dot == 0 || !valid_toplabel(s + dot, l - dot))
	{
		if (dot > 0 && l - dot > 0)
		{
			bool		numeric = true;

			for (size_t i = dot; i < l; i++)
				if (!is_digit((unsigned char) s[i]) && s[i] != '.')
					numeric = false;
			if (numeric)
			{
				set_msg(err, errlen, "domain-spec \"%s\" has a numeric top-level label (an IP address needs ip4:)",
						s, len);
				return -1;
			}
		}
		set_msg(err, errlen, "domain-spec \"%s\" must end in a macro or a valid top-level label",
				s, len);
		return -1;
	}
	return 0;
}

const char *
ma_spf_check_macro_string(const char *s, size_t len, bool exp, bool domain_spec)
{
	static __thread char msg[256];

	if (domain_spec)
	{
		if (check_domain_spec(s, len, msg, sizeof(msg)) < 0)
			return msg;
		return NULL;
	}
	if (macro_syntax(s, len, exp, NULL, msg, sizeof(msg)) < 0)
		return msg;
	return NULL;
}

/* ---------------------------------------------------------------------
 * Record parsing
 * ---------------------------------------------------------------------
 */

bool
ma_spf_is_record(const char *txt, size_t len)
{
	if (txt == NULL || len < 6 || strncasecmp(txt, "v=spf1", 6) != 0)
		return false;
	return len == 6 || txt[6] == ' ';
}

void
ma_spf_free_terms(ma_spf_term *terms, int nterms)
{
	if (terms == NULL)
		return;
	for (int i = 0; i < nterms; i++)
	{
		free(terms[i].text);
		free(terms[i].name);
		free(terms[i].value);
	}
	free(terms);
}

/*
 * Split a dual-cidr-length suffix ("/24", "//64", "/24//64") off s.  Sets
 * *rest to the length before it.  Returns -1 on an invalid prefix length.
 */
static int
split_dual_cidr(const char *s, size_t len, size_t *rest, int *c4, int *c6)
{
	size_t		end = len,
				d;

	*c4 = *c6 = -1;
	for (d = end; d > 0 && is_digit((unsigned char) s[d - 1]); d--)
		;
	if (d < end && d >= 2 && s[d - 1] == '/' && s[d - 2] == '/')
	{
		if ((*c6 = parse_cidr(s + d, end - d, 128)) < 0)
			return -1;
		end = d - 2;
		for (d = end; d > 0 && is_digit((unsigned char) s[d - 1]); d--)
			;
	}
	if (d < end && d >= 1 && s[d - 1] == '/' && !(d >= 2 && s[d - 2] == '/'))
	{
		if ((*c4 = parse_cidr(s + d, end - d, 32)) < 0)
			return -1;
		end = d - 1;
	}
	*rest = end;
	return 0;
}

/* ip4:/ip6: network [ "/" length ] */
static int
parse_ip_term(ma_spf_term *t, const char *v, size_t vlen, bool six, char *err, size_t errlen)
{
	char		buf[64];
	size_t		alen = 0;
	int			c;

	while (alen < vlen && v[alen] != '/')
		alen++;
	if (alen == 0 || alen >= sizeof(buf))
		goto bad;
	memcpy(buf, v, alen);
	buf[alen] = '\0';
	if (inet_pton(six ? AF_INET6 : AF_INET, buf, t->addr) != 1)
		goto bad;
	if (alen < vlen)
	{
		c = parse_cidr(v + alen + 1, vlen - alen - 1, six ? 128 : 32);
		if (c < 0)
		{
			set_msg(err, errlen, "invalid CIDR length in \"%s\"", t->text, strlen(t->text));
			return -1;
		}
	}
	else
		c = six ? 128 : 32;
	if (six)
		t->cidr6 = c;
	else
		t->cidr4 = c;
	t->value = dupn(v, alen);
	return t->value ? 0 : -2;

bad:
	set_msg(err, errlen, "invalid address in \"%s\"", t->text, strlen(t->text));
	return -1;
}

/*
 * Parse one term (no spaces in it) into t.  Returns 0, -1 on a syntax error,
 * -2 when out of memory.
 */
static int
parse_term(const char *s, size_t len, ma_spf_term *t, char *err, size_t errlen)
{
	size_t		i = 0,
				nlen;
	const char *rest;
	size_t		restlen;
	static const struct
	{
		const char *name;
		ma_spf_kind kind;
	}			mechs[] = {
		{"all", MA_SPF_ALL}, {"include", MA_SPF_INCLUDE}, {"a", MA_SPF_A},
		{"mx", MA_SPF_MX}, {"ptr", MA_SPF_PTR}, {"ip4", MA_SPF_IP4},
		{"ip6", MA_SPF_IP6}, {"exists", MA_SPF_EXISTS}
	};
	int			k;

	t->cidr4 = t->cidr6 = -1;
	if ((t->text = dupn(s, len)) == NULL)
		return -2;

	/* a modifier: name "=" with name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
	if (is_alpha((unsigned char) s[0]))
	{
		for (i = 1; i < len && (is_alnum((unsigned char) s[i]) || s[i] == '-' ||
								s[i] == '_' || s[i] == '.'); i++)
			;
		if (i < len && s[i] == '=')
		{
			const char *v = s + i + 1;
			size_t		vlen = len - i - 1;

			if (i == 8 && strncasecmp(s, "redirect", 8) == 0)
				t->kind = MA_SPF_REDIRECT;
			else if (i == 3 && strncasecmp(s, "exp", 3) == 0)
				t->kind = MA_SPF_EXP;
			else
				t->kind = MA_SPF_UNKNOWN_MOD;
			if (t->kind == MA_SPF_UNKNOWN_MOD)
			{
				if (macro_syntax(v, vlen, false, NULL, err, errlen) < 0)
					return -1;
				if ((t->name = dupn(s, i)) == NULL)
					return -2;
			}
			else if (check_domain_spec(v, vlen, err, errlen) < 0)
				return -1;
			if ((t->value = dupn(v, vlen)) == NULL)
				return -2;
			return 0;
		}
	}

	/* a mechanism: [ qualifier ] name [ ":" ... | "/" ... ] */
	i = 0;
	t->qualifier = '+';
	if (s[0] == '+' || s[0] == '-' || s[0] == '~' || s[0] == '?')
	{
		t->qualifier = s[0];
		i = 1;
	}
	for (nlen = 0; i + nlen < len && s[i + nlen] != ':' && s[i + nlen] != '/'; nlen++)
		;
	for (k = 0; k < (int) (sizeof(mechs) / sizeof(mechs[0])); k++)
		if (strlen(mechs[k].name) == nlen && strncasecmp(mechs[k].name, s + i, nlen) == 0)
			break;
	if (k == (int) (sizeof(mechs) / sizeof(mechs[0])))
	{
		set_msg(err, errlen, "unknown mechanism \"%s\"", s, len);
		return -1;
	}
	t->kind = mechs[k].kind;
	rest = s + i + nlen;
	restlen = len - i - nlen;

	switch (t->kind)
	{
		case MA_SPF_ALL:
			if (restlen != 0)
				goto bad;
			return 0;
		case MA_SPF_INCLUDE:
		case MA_SPF_EXISTS:
			if (restlen == 0 || rest[0] != ':')
				goto bad;
			if (check_domain_spec(rest + 1, restlen - 1, err, errlen) < 0)
				return -1;
			return (t->value = dupn(rest + 1, restlen - 1)) ? 0 : -2;
		case MA_SPF_PTR:
			if (restlen == 0)
				return 0;
			if (rest[0] != ':')
				goto bad;
			if (check_domain_spec(rest + 1, restlen - 1, err, errlen) < 0)
				return -1;
			return (t->value = dupn(rest + 1, restlen - 1)) ? 0 : -2;
		case MA_SPF_A:
		case MA_SPF_MX:
			{
				size_t		dlen;
				bool		colon = (restlen > 0 && rest[0] == ':');

				if (colon)
				{
					rest++;
					restlen--;
				}
				if (split_dual_cidr(rest, restlen, &dlen, &t->cidr4, &t->cidr6) < 0)
				{
					set_msg(err, errlen, "invalid CIDR length in \"%s\"", s, len);
					return -1;
				}
				if (!colon)
				{
					if (dlen != 0)
						goto bad;
					return 0;
				}
				if (check_domain_spec(rest, dlen, err, errlen) < 0)
					return -1;
				return (t->value = dupn(rest, dlen)) ? 0 : -2;
			}
		case MA_SPF_IP4:
		case MA_SPF_IP6:
			if (restlen < 2 || rest[0] != ':')
				goto bad;
			return parse_ip_term(t, rest + 1, restlen - 1, t->kind == MA_SPF_IP6, err, errlen);
		default:
			break;
	}
bad:
	set_msg(err, errlen, "syntax error in mechanism \"%s\"", s, len);
	return -1;
}

int
ma_spf_parse_record(const char *rec, size_t len, ma_spf_term **terms_out, int *nterms_out,
					char *err, size_t errlen)
{
	ma_spf_term *terms = NULL;
	int			n = 0,
				cap = 0;
	bool		have_redirect = false,
				have_exp = false;
	size_t		i;

	*terms_out = NULL;
	*nterms_out = 0;
	if (err && errlen)
		err[0] = '\0';
	if (!ma_spf_is_record(rec, len))
	{
		set_msg(err, errlen, "not an SPF record (must begin with \"v=spf1\")", NULL, 0);
		return -1;
	}
	for (i = 0; i < len; i++)
	{
		unsigned char ch = (unsigned char) rec[i];

		if (ch < 0x20 || ch > 0x7e)
		{
			char		m[96];

			snprintf(m, sizeof(m), "record contains %s byte 0x%02x at offset %zu",
					 ch == 0 ? "a NUL" : ch < 0x20 || ch == 0x7f ? "a control" : "a non-ASCII",
					 ch, i);
			set_msg(err, errlen, m, NULL, 0);
			return -1;
		}
	}
	i = 6;
	for (;;)
	{
		size_t		start;
		int			rc;

		while (i < len && rec[i] == ' ')
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && rec[i] != ' ')
			i++;
		if (n == cap)
		{
			int			ncap = cap ? cap * 2 : 16;
			ma_spf_term *nt = realloc(terms, ncap * sizeof(ma_spf_term));

			if (nt == NULL)
			{
				ma_spf_free_terms(terms, n);
				set_msg(err, errlen, "out of memory", NULL, 0);
				return -2;
			}
			terms = nt;
			cap = ncap;
		}
		memset(&terms[n], 0, sizeof(ma_spf_term));
		rc = parse_term(rec + start, i - start, &terms[n], err, errlen);
		n++;
		if (rc == 0 && terms[n - 1].kind == MA_SPF_REDIRECT)
		{
			if (have_redirect)
			{
				set_msg(err, errlen, "more than one redirect= modifier", NULL, 0);
				rc = -1;
			}
			have_redirect = true;
		}
		else if (rc == 0 && terms[n - 1].kind == MA_SPF_EXP)
		{
			if (have_exp)
			{
				set_msg(err, errlen, "more than one exp= modifier", NULL, 0);
				rc = -1;
			}
			have_exp = true;
		}
		if (rc < 0)
		{
			if (rc == -2)
				set_msg(err, errlen, "out of memory", NULL, 0);
			ma_spf_free_terms(terms, n);
			return rc;
		}
	}
	*terms_out = terms;
	*nterms_out = n;
	return 0;
}

/* ---------------------------------------------------------------------
 * The evaluation context
 * ---------------------------------------------------------------------
 */
typedef struct spf_ctx
{
	const ma_spf_request *req;
	ma_spf_lookup_fn lookup;	/* NULL: no DNS (ma_spf_expand) */
	void	   *arg;
	ma_spf_outcome *out;
	int			family;			/* after unmapping ::ffff:a.b.c.d */
	unsigned char ip[16];
	char	   *local;			/* %{l} */
	char	   *sdomain;		/* %{o} */
	char	   *sender;			/* %{s} */
	const char *helo;			/* %{h} */
	int			lookups;
	int			voids;
	/* %{p}: validated names of the client address, computed once per run */
	const char *fixed_p;
	bool		p_done;
	int			np;
	char		pnames[MA_SPF_MAX_PTR][MA_DNS_MAXNAME + 1];
} spf_ctx;

/* a growable string with a hard bound */
typedef struct xbuf
{
	char	   *s;
	size_t		len;
	size_t		cap;
	bool		overflow;
	bool		oom;
} xbuf;

static void
xb_add(xbuf *b, const char *s, size_t n)
{
	if (b->oom || b->overflow)
		return;
	if (b->len + n > MAX_EXPAND)
	{
		n = MAX_EXPAND - b->len;
		b->overflow = true;
	}
	if (b->len + n + 1 > b->cap)
	{
		size_t		ncap = b->cap ? b->cap : 64;
		char	   *ns;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((ns = realloc(b->s, ncap)) == NULL)
		{
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
set_problem(spf_ctx *c, const char *fmt, const char *a, const char *b)
{
	/* long names are cut: the message is for humans */
	if (snprintf(c->out->problem, sizeof(c->out->problem), fmt, a ? a : "",
				 b ? b : "") >= (int) sizeof(c->out->problem))
		c->out->problem[sizeof(c->out->problem) - 1] = '\0';
	ma_utf8_cut(c->out->problem);
}

static void
set_domain(spf_ctx *c, const char *domain)
{
	snprintf(c->out->domain, sizeof(c->out->domain), "%s", domain);
	ma_utf8_cut(c->out->domain);
}

/*
 * Ask for (name, type).  name must already be normalised.
 */
static const ma_dns_result *
ask(spf_ctx *c, const char *name, uint16_t type)
{
	if (c->lookup == NULL)
		return NULL;
	return c->lookup(c->arg, name, type);
}

static bool
dns_error(const ma_dns_result *r)
{
	return r->status != MA_DNS_OK && r->status != MA_DNS_NXDOMAIN &&
		r->status != MA_DNS_NODATA;
}

/* does the answer to an A/AAAA question hold the client address */
static bool
result_has_ip(spf_ctx *c, const ma_dns_result *r, int bits)
{
	uint16_t	type = c->family == AF_INET ? MA_T_A : MA_T_AAAA;

	if (r->status != MA_DNS_OK)
		return false;
	for (int i = 0; i < r->nrr; i++)
	{
		unsigned char a[16];

		if (r->rr[i].type != type || r->rr[i].data == NULL)
			continue;
		if (inet_pton(c->family, r->rr[i].data, a) == 1 &&
			prefix_match(a, c->ip, bits))
			return true;
	}
	return false;
}

static int
count_type(const ma_dns_result *r, uint16_t type)
{
	int			n = 0;

	if (r->status != MA_DNS_OK)
		return 0;
	for (int i = 0; i < r->nrr; i++)
		if (r->rr[i].type == type)
			n++;
	return n;
}

/*
 * The validated domain names of the client address (RFC 7208 5.5): the
 * first MA_SPF_MAX_PTR PTR names whose A/AAAA records hold the address.
 * DNS errors only make names (or everything) unvalidated.
 */
static int
get_validated(spf_ctx *c)
{
	char		rev[80],
				norm[MA_DNS_MAXNAME + 1];
	const ma_dns_result *r;
	const char *names[MA_SPF_MAX_PTR];
	int			n = 0;
	bool		missing = false;
	uint16_t	type = c->family == AF_INET ? MA_T_A : MA_T_AAAA;

	if (c->p_done)
		return 0;
	if (c->lookup == NULL)
	{
		c->p_done = true;
		if (c->fixed_p)
		{
			snprintf(c->pnames[0], sizeof(c->pnames[0]), "%s", c->fixed_p);
			c->np = 1;
		}
		return 0;
	}
	ma_dns_reverse_name(c->family, c->ip, rev, sizeof(rev));
	if ((r = ask(c, rev, MA_T_PTR)) == NULL)
		return R_PENDING;
	for (int i = 0; i < r->nrr && r->status == MA_DNS_OK && n < MA_SPF_MAX_PTR; i++)
	{
		if (r->rr[i].type != MA_T_PTR || r->rr[i].target == NULL)
			continue;
		names[n++] = r->rr[i].target;
	}
	for (int i = 0; i < n; i++)
	{
		if (ma_dns_name_check(names[i], norm) != NULL || strcmp(norm, ".") == 0)
			continue;
		if (ask(c, norm, type) == NULL)
			missing = true;
	}
	if (missing)
		return R_PENDING;
	for (int i = 0; i < n; i++)
	{
		const ma_dns_result *a;

		if (ma_dns_name_check(names[i], norm) != NULL || strcmp(norm, ".") == 0)
			continue;
		a = ask(c, norm, type);
		if (a && result_has_ip(c, a, c->family == AF_INET ? 32 : 128))
			snprintf(c->pnames[c->np++], sizeof(c->pnames[0]), "%s", norm);
	}
	c->p_done = true;
	return 0;
}

/* %{p} for the current domain: the domain itself, a subdomain, any, "unknown" */
static const char *
choose_p(spf_ctx *c, const char *domain)
{
	char		d[MA_DNS_MAXNAME + 1];
	size_t		dl;

	if (c->np == 0)
		return "unknown";
	if (ma_dns_name_check(domain, d) != NULL)
		return c->pnames[0];
	dl = strlen(d);
	for (int i = 0; i < c->np; i++)
		if (strcmp(c->pnames[i], d) == 0)
			return c->pnames[i];
	for (int i = 0; i < c->np; i++)
	{
		size_t		l = strlen(c->pnames[i]);

		if (l > dl && c->pnames[i][l - dl - 1] == '.' && strcmp(c->pnames[i] + l - dl, d) == 0)
			return c->pnames[i];
	}
	return c->pnames[0];
}

/* append value transformed per t (split, reverse, right-most parts, escape) */
static void
append_transformed(xbuf *b, const char *v, const mtok *t)
{
	const char *delims = t->delims[0] ? t->delims : ".";
	size_t		vlen = strlen(v),
				nparts = 1,
				first,
				k;
	size_t	   *starts,
			   *lens;
	xbuf		tmp = {0};

	for (size_t i = 0; i < vlen; i++)
		if (strchr(delims, v[i]))
			nparts++;
	starts = malloc(nparts * sizeof(size_t));
	lens = malloc(nparts * sizeof(size_t));
	if (!starts || !lens)
	{
		free(starts);
		free(lens);
		b->oom = true;
		return;
	}
	k = 0;
	starts[0] = 0;
	for (size_t i = 0; i <= vlen; i++)
	{
		if (i == vlen || strchr(delims, v[i]))
		{
			lens[k] = i - starts[k];
			if (i < vlen)
				starts[++k] = i + 1;
		}
	}
	if (t->reverse)
	{
		for (size_t i = 0; i < nparts / 2; i++)
		{
			size_t		s0 = starts[i],
						l0 = lens[i];

			starts[i] = starts[nparts - 1 - i];
			lens[i] = lens[nparts - 1 - i];
			starts[nparts - 1 - i] = s0;
			lens[nparts - 1 - i] = l0;
		}
	}
	first = (t->digits > 0 && (size_t) t->digits < nparts) ? nparts - t->digits : 0;
	for (size_t i = first; i < nparts; i++)
	{
		if (i > first)
			xb_add(&tmp, ".", 1);
		xb_add(&tmp, v + starts[i], lens[i]);
	}
	free(starts);
	free(lens);
	if (tmp.oom)
		b->oom = true;
	if (tmp.s == NULL)
		return;
	if (!t->upper)
		xb_add(b, tmp.s, tmp.len);
	else
	{
		/* URL-escape everything but unreserved = ALPHA DIGIT - . _ ~ */
		for (size_t i = 0; i < tmp.len; i++)
		{
			unsigned char ch = (unsigned char) tmp.s[i];

			if (is_alnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~')
				xb_add(b, (const char *) &tmp.s[i], 1);
			else
			{
				char		e[4];

				snprintf(e, sizeof(e), "%%%02X", ch);
				xb_add(b, e, 3);
			}
		}
	}
	/* only now: an overflowing part still fills the buffer up to the bound */
	if (tmp.overflow)
		b->overflow = true;
	free(tmp.s);
}

/*
 * Expand s for the current domain.  exp selects explanation mode.  On X_OK
 * *out is a malloc()ed string (domain mode: trailing dot removed, truncated
 * from the left to 253 octets).
 */
static int
expand(spf_ctx *c, const char *domain, const char *s, size_t len, bool exp, char **out,
	   char *err, size_t errlen)
{
	xbuf		b = {0};
	size_t		pos = 0;
	mtok		t;
	int			rc;

	*out = NULL;
	/* syntax first, so %{p} lookups are never made for a bad string */
	if (macro_syntax(s, len, exp, NULL, err, errlen) < 0)
		return X_SYNTAX;
	while ((rc = next_token(s, len, &pos, exp, &t, err, errlen)) == 1)
	{
		char		tmp[160];
		const char *v = NULL;

		if (t.kind == 0)
		{
			xb_add(&b, &t.ch, 1);
			continue;
		}
		if (t.kind == 1)
		{
			xb_add(&b, t.ch == '%' ? "%" : t.ch == '_' ? " " : "%20", t.ch == '-' ? 3 : 1);
			continue;
		}
		switch (t.letter)
		{
			case 's':
				v = c->sender;
				break;
			case 'l':
				v = c->local;
				break;
			case 'o':
				v = c->sdomain;
				break;
			case 'd':
				v = domain;
				break;
			case 'i':
				if (c->family == AF_INET)
					inet_ntop(AF_INET, c->ip, tmp, sizeof(tmp));
				else
				{
					static const char hex[] = "0123456789ABCDEF";
					char	   *p = tmp;

					for (int i = 0; i < 16; i++)
					{
						*p++ = hex[c->ip[i] >> 4];
						*p++ = '.';
						*p++ = hex[c->ip[i] & 0xf];
						*p++ = i < 15 ? '.' : '\0';
					}
				}
				v = tmp;
				break;
			case 'c':
				inet_ntop(c->family, c->ip, tmp, sizeof(tmp));
				v = tmp;
				break;
			case 'p':
				if (get_validated(c) == R_PENDING)
				{
					free(b.s);
					return X_PENDING;
				}
				v = choose_p(c, domain);
				break;
			case 'v':
				v = c->family == AF_INET ? "in-addr" : "ip6";
				break;
			case 'h':
				v = c->helo ? c->helo : "unknown";
				break;
			case 'r':
				v = (c->req->receiver && c->req->receiver[0]) ? c->req->receiver : "unknown";
				break;
			case 't':
				snprintf(tmp, sizeof(tmp), "%lld", (long long) c->req->now);
				v = tmp;
				break;
		}
		append_transformed(&b, v ? v : "", &t);
	}
	if (b.oom)
	{
		free(b.s);
		return X_NOMEM;
	}
	if (b.overflow && !exp)
	{
		free(b.s);
		set_msg(err, errlen, "macro expansion too long", NULL, 0);
		return X_TOOLONG;
	}
	if (b.s == NULL)
	{
		if ((b.s = strdup("")) == NULL)
			return X_NOMEM;
	}
	if (!exp)
	{
		char	   *p = b.s;

		if (b.len > 0 && b.s[b.len - 1] == '.')
			b.s[--b.len] = '\0';
		/* RFC 7208 7.3: remove labels from the left until it fits */
		while (b.len > MA_DNS_MAXNAME)
		{
			char	   *dot = memchr(p, '.', b.len);

			if (dot == NULL)
				break;
			b.len -= (size_t) (dot + 1 - p);
			p = dot + 1;
		}
		if (p != b.s)
			memmove(b.s, p, b.len + 1);
	}
	*out = b.s;
	return X_OK;
}

/* ---------------------------------------------------------------------
 * check_host()
 * ---------------------------------------------------------------------
 */
static int check_host(spf_ctx *c, const char *domain, int depth, bool top, bool want_exp);

static int
map_qualifier(char q)
{
	switch (q)
	{
		case '-':
			return MA_SPF_FAIL;
		case '~':
			return MA_SPF_SOFTFAIL;
		case '?':
			return MA_SPF_NEUTRAL;
		default:
			return MA_SPF_PASS;
	}
}

/* count one DNS-querying term; permerror past the limit */
static int
count_lookup(spf_ctx *c, const ma_spf_term *t)
{
	if (++c->lookups > MA_SPF_MAX_DNS_TERMS)
	{
		c->lookups = MA_SPF_MAX_DNS_TERMS + 1;
		set_problem(c, "more than 10 DNS-querying terms (RFC 7208 4.6.4) at \"%s\"%s",
					t->text, NULL);
		return MA_SPF_PERMERROR;
	}
	return 0;
}

static int
count_void(spf_ctx *c, const ma_spf_term *t)
{
	if (++c->voids > MA_SPF_MAX_VOID)
	{
		set_problem(c, "more than 2 void DNS lookups (RFC 7208 4.6.4) at \"%s\"%s",
					t->text, NULL);
		return MA_SPF_PERMERROR;
	}
	return 0;
}

/*
 * The target name of a term: its expanded domain-spec, or the current
 * domain.  Returns 0 with norm filled, 1 when the name is malformed (the
 * term then matches nothing), or an R_/MA_SPF_ code.
 */
static int
target_name(spf_ctx *c, const ma_spf_term *t, const char *domain, char *norm, char *disp,
			size_t displen)
{
	char	   *x;
	char		err[160];
	int			rc;

	if (t->value == NULL)
	{
		snprintf(disp, displen, "%s", domain);
		return ma_dns_name_check(domain, norm) ? 1 : 0;
	}
	rc = expand(c, domain, t->value, strlen(t->value), false, &x, err, sizeof(err));
	if (rc == X_PENDING)
		return R_PENDING;
	if (rc == X_NOMEM)
	{
		set_problem(c, "out of memory%s%s", NULL, NULL);
		return MA_SPF_TEMPERROR;
	}
	if (rc == X_SYNTAX)
	{
		set_problem(c, "%s%s", err, NULL);
		return MA_SPF_PERMERROR;
	}
	if (rc == X_TOOLONG)
	{
		snprintf(disp, displen, "(too long)");
		return 1;
	}
	snprintf(disp, displen, "%s", x);
	rc = (x[0] == '\0' || strlen(x) > MA_DNS_MAXNAME || ma_dns_name_check_any(x, norm) != NULL ||
		  strcmp(norm, ".") == 0) ? 1 : 0;
	free(x);
	return rc;
}


/* a DNS error while a term needed an answer: temperror */
static int
temperror_dns(spf_ctx *c, const ma_dns_result *r, const char *type, const char *name,
			  const char *domain)
{
	char		what[64];

	snprintf(what, sizeof(what), "DNS %s (%s)", ma_dns_status_name(r->status),
			 r->detail ? r->detail : type);
	set_problem(c, "%s looking up %s", what, name);
	set_domain(c, domain);
	return MA_SPF_TEMPERROR;
}

/*
 * Evaluate one mechanism against the client.  Returns R_MATCH, R_NOMATCH,
 * R_PENDING, MA_SPF_TEMPERROR or MA_SPF_PERMERROR.
 */
static int
eval_mech(spf_ctx *c, const ma_spf_term *t, const char *domain, int depth)
{
	char		norm[MA_DNS_MAXNAME + 1],
				disp[MA_DNS_MAXNAME + 16];
	uint16_t	atype = c->family == AF_INET ? MA_T_A : MA_T_AAAA;
	int			bits = c->family == AF_INET ? (t->cidr4 >= 0 ? t->cidr4 : 32)
		: (t->cidr6 >= 0 ? t->cidr6 : 128);
	const ma_dns_result *r;
	int			rc;

	switch (t->kind)
	{
		case MA_SPF_ALL:
			return R_MATCH;

		case MA_SPF_IP4:
			if (c->family != AF_INET)
				return R_NOMATCH;
			return prefix_match(t->addr, c->ip, t->cidr4) ? R_MATCH : R_NOMATCH;

		case MA_SPF_IP6:
			if (c->family != AF_INET6)
				return R_NOMATCH;
			return prefix_match(t->addr, c->ip, t->cidr6) ? R_MATCH : R_NOMATCH;

		case MA_SPF_INCLUDE:
			if ((rc = count_lookup(c, t)) != 0)
				return rc;
			rc = target_name(c, t, domain, norm, disp, sizeof(disp));
			if (rc < 0 || rc > 1)
				return rc;
			if (rc == 1)
			{
				set_problem(c, "%s: the target name is not a valid domain name%s", t->text, NULL);
				set_domain(c, domain);
				return MA_SPF_PERMERROR;
			}
			rc = check_host(c, disp, depth + 1, false, false);
			switch (rc)
			{
				case MA_SPF_PASS:
					return R_MATCH;
				case MA_SPF_FAIL:
				case MA_SPF_SOFTFAIL:
				case MA_SPF_NEUTRAL:
					return R_NOMATCH;
				case MA_SPF_NONE:
					set_problem(c, "%s: no SPF record at %s", t->text, norm);
					set_domain(c, domain);
					return MA_SPF_PERMERROR;
				default:
					return rc;	/* pending, temperror, permerror */
			}

		case MA_SPF_A:
		case MA_SPF_EXISTS:
			if ((rc = count_lookup(c, t)) != 0)
				return rc;
			rc = target_name(c, t, domain, norm, disp, sizeof(disp));
			if (rc < 0 || rc > 1)
				return rc;
			if (rc == 1)
				return R_NOMATCH;	/* RFC 7208 4.3/1 by analogy: no such name */
			if (t->kind == MA_SPF_EXISTS)
				atype = MA_T_A;
			if ((r = ask(c, norm, atype)) == NULL)
				return R_PENDING;
			if (dns_error(r))
				return temperror_dns(c, r, atype == MA_T_A ? "A" : "AAAA", norm, domain);
			if (count_type(r, atype) == 0)
				return (rc = count_void(c, t)) ? rc : R_NOMATCH;
			if (t->kind == MA_SPF_EXISTS)
				return R_MATCH;
			return result_has_ip(c, r, bits) ? R_MATCH : R_NOMATCH;

		case MA_SPF_MX:
			{
				const char *hosts[MA_SPF_MAX_MX];
				char		hnorm[MA_SPF_MAX_MX][MA_DNS_MAXNAME + 1];
				int			nmx = 0;
				bool		missing = false;

				if ((rc = count_lookup(c, t)) != 0)
					return rc;
				rc = target_name(c, t, domain, norm, disp, sizeof(disp));
				if (rc < 0 || rc > 1)
					return rc;
				if (rc == 1)
					return R_NOMATCH;
				if ((r = ask(c, norm, MA_T_MX)) == NULL)
					return R_PENDING;
				if (dns_error(r))
					return temperror_dns(c, r, "MX", norm, domain);
				if (count_type(r, MA_T_MX) == 0)
					return (rc = count_void(c, t)) ? rc : R_NOMATCH;
				for (int i = 0; i < r->nrr; i++)
				{
					if (r->rr[i].type != MA_T_MX)
						continue;
					if (nmx == MA_SPF_MAX_MX)
					{
						set_problem(c, "%s: more than 10 MX records at %s", t->text, norm);
						set_domain(c, domain);
						return MA_SPF_PERMERROR;
					}
					hosts[nmx++] = r->rr[i].target;
				}
				/* ask for the addresses of every host in one wave */
				for (int i = 0; i < nmx; i++)
				{
					hnorm[i][0] = '\0';
					if (hosts[i] == NULL || ma_dns_name_check(hosts[i], hnorm[i]) != NULL ||
						strcmp(hnorm[i], ".") == 0)
					{
						hnorm[i][0] = '\0';		/* null MX or unusable */
						continue;
					}
					if (ask(c, hnorm[i], atype) == NULL)
						missing = true;
				}
				if (missing)
					return R_PENDING;
				for (int i = 0; i < nmx; i++)
				{
					const ma_dns_result *a;

					if (hnorm[i][0] == '\0')
						continue;
					a = ask(c, hnorm[i], atype);
					if (a == NULL)
						return R_PENDING;
					if (dns_error(a))
						return temperror_dns(c, a, atype == MA_T_A ? "A" : "AAAA", hnorm[i], domain);
					if (result_has_ip(c, a, bits))
						return R_MATCH;
				}
				return R_NOMATCH;
			}

		case MA_SPF_PTR:
			{
				char		rev[80],
							pn[MA_SPF_MAX_PTR][MA_DNS_MAXNAME + 1];
				int			n = 0;
				bool		missing = false;
				size_t		tl;

				if ((rc = count_lookup(c, t)) != 0)
					return rc;
				rc = target_name(c, t, domain, norm, disp, sizeof(disp));
				if (rc < 0 || rc > 1)
					return rc;
				if (rc == 1)
					return R_NOMATCH;
				tl = strlen(norm);
				ma_dns_reverse_name(c->family, c->ip, rev, sizeof(rev));
				if ((r = ask(c, rev, MA_T_PTR)) == NULL)
					return R_PENDING;
				if (dns_error(r))
					return R_NOMATCH;	/* RFC 7208 5.5: no match on a DNS error */
				if (count_type(r, MA_T_PTR) == 0)
					return (rc = count_void(c, t)) ? rc : R_NOMATCH;
				/* the first 10 names, then only those in the target domain */
				for (int i = 0, seen = 0; i < r->nrr && seen < MA_SPF_MAX_PTR; i++)
				{
					size_t		l;

					if (r->rr[i].type != MA_T_PTR)
						continue;
					seen++;
					if (r->rr[i].target == NULL ||
						ma_dns_name_check(r->rr[i].target, pn[n]) != NULL)
						continue;
					l = strlen(pn[n]);
					if (strcmp(pn[n], norm) == 0 ||
						(l > tl && pn[n][l - tl - 1] == '.' && strcmp(pn[n] + l - tl, norm) == 0))
						n++;
				}
				for (int i = 0; i < n; i++)
					if (ask(c, pn[i], atype) == NULL)
						missing = true;
				if (missing)
					return R_PENDING;
				for (int i = 0; i < n; i++)
				{
					const ma_dns_result *a = ask(c, pn[i], atype);

					/* DNS errors only skip the name (RFC 7208 5.5) */
					if (a && result_has_ip(c, a, c->family == AF_INET ? 32 : 128))
						return R_MATCH;
				}
				return R_NOMATCH;
			}

		default:
			return R_NOMATCH;
	}
}

/*
 * The explanation of a fail (RFC 7208 6.2): errors of any kind only mean
 * "no explanation".  Returns 0 or R_PENDING.
 */
static int
compute_exp(spf_ctx *c, const ma_spf_term *expt, const char *domain)
{
	char	   *target,
			   *text;
	char		norm[MA_DNS_MAXNAME + 1],
				err[160];
	const ma_dns_result *r;
	const ma_dns_rr *txt = NULL;
	int			rc;

	c->out->explanation[0] = '\0';
	rc = expand(c, domain, expt->value, strlen(expt->value), false, &target, err, sizeof(err));
	if (rc == X_PENDING)
		return R_PENDING;
	if (rc != X_OK)
		return 0;
	rc = (target[0] == '\0' || strlen(target) > MA_DNS_MAXNAME ||
		  ma_dns_name_check(target, norm) != NULL || strcmp(norm, ".") == 0);
	free(target);
	if (rc)
		return 0;
	if ((r = ask(c, norm, MA_T_TXT)) == NULL)
		return R_PENDING;
	if (r->status != MA_DNS_OK || count_type(r, MA_T_TXT) != 1)
		return 0;
	for (int i = 0; i < r->nrr; i++)
		if (r->rr[i].type == MA_T_TXT)
			txt = &r->rr[i];
	if (txt->data == NULL)
		return 0;
	rc = expand(c, domain, txt->data, txt->datalen, true, &text, err, sizeof(err));
	if (rc == X_PENDING)
		return R_PENDING;
	if (rc != X_OK)
		return 0;
	snprintf(c->out->explanation, sizeof(c->out->explanation), "%s", text);
	free(text);
	return 0;
}

/*
 * check_host(<ip>, <domain>, <sender>) of RFC 7208 4.  top: the decision
 * here is the one reported (not inside an include); want_exp: fetch the
 * explanation on fail.  Returns an ma_spf_res value or R_PENDING.
 */
static int
check_host(spf_ctx *c, const char *domain, int depth, bool top, bool want_exp)
{
	char		norm[MA_DNS_MAXNAME + 1],
				err[256];
	const ma_dns_result *r;
	const ma_dns_rr *rec = NULL;
	ma_spf_term *terms = NULL;
	int			nterms = 0,
				nrec = 0,
				rc,
				result = MA_SPF_NEUTRAL;
	const ma_spf_term *redirect = NULL,
			   *expt = NULL;
	bool		has_all = false;

	if (depth > MAX_DEPTH)
	{
		set_problem(c, "include/redirect nesting deeper than %s%s", "12", NULL);
		set_domain(c, domain);
		return MA_SPF_PERMERROR;
	}
	if (strlen(domain) > MA_DNS_MAXNAME || ma_dns_name_check(domain, norm) != NULL ||
		strcmp(norm, ".") == 0)
	{
		set_problem(c, "\"%s\" is not a valid domain name%s", domain, NULL);
		set_domain(c, domain);
		return MA_SPF_NONE;
	}
	if ((r = ask(c, norm, MA_T_TXT)) == NULL)
		return R_PENDING;
	if (dns_error(r))
		return temperror_dns(c, r, "TXT", norm, norm);
	for (int i = 0; r->status == MA_DNS_OK && i < r->nrr; i++)
	{
		if (r->rr[i].type == MA_T_TXT && r->rr[i].data &&
			ma_spf_is_record(r->rr[i].data, r->rr[i].datalen))
		{
			nrec++;
			rec = &r->rr[i];
		}
	}
	if (nrec == 0)
	{
		set_problem(c, "no SPF record at %s%s", norm, NULL);
		set_domain(c, norm);
		return MA_SPF_NONE;
	}
	if (nrec > 1)
	{
		set_problem(c, "more than one SPF record at %s%s", norm, NULL);
		set_domain(c, norm);
		return MA_SPF_PERMERROR;
	}
	rc = ma_spf_parse_record(rec->data, rec->datalen, &terms, &nterms, err, sizeof(err));
	if (rc < 0)
	{
		set_problem(c, "%s in the record of %s", err, norm);
		set_domain(c, norm);
		return rc == -2 ? MA_SPF_TEMPERROR : MA_SPF_PERMERROR;
	}
	for (int i = 0; i < nterms; i++)
	{
		if (terms[i].kind == MA_SPF_REDIRECT)
			redirect = &terms[i];
		else if (terms[i].kind == MA_SPF_EXP)
			expt = &terms[i];
		else if (terms[i].kind == MA_SPF_ALL)
			has_all = true;
	}

	for (int i = 0; i < nterms; i++)
	{
		const ma_spf_term *t = &terms[i];

		if (t->kind >= MA_SPF_REDIRECT)
			continue;
		rc = eval_mech(c, t, domain, depth);
		if (rc == R_NOMATCH)
			continue;
		if (rc != R_MATCH)
		{
			if (rc == MA_SPF_PERMERROR || rc == MA_SPF_TEMPERROR)
			{
				if (c->out->domain[0] == '\0')
					set_domain(c, norm);
			}
			result = rc;
			goto done;
		}
		result = map_qualifier(t->qualifier);
		if (top)
		{
			snprintf(c->out->mechanism, sizeof(c->out->mechanism), "%s", t->text);
			set_domain(c, norm);
		}
		if (result == MA_SPF_FAIL && want_exp && expt)
		{
			if (compute_exp(c, expt, domain) == R_PENDING)
				result = R_PENDING;
		}
		goto done;
	}

	if (redirect && !has_all)
	{
		char		disp[MA_DNS_MAXNAME + 16],
					tnorm[MA_DNS_MAXNAME + 1];

		if ((rc = count_lookup(c, redirect)) != 0)
		{
			set_domain(c, norm);
			result = rc;
			goto done;
		}
		rc = target_name(c, redirect, domain, tnorm, disp, sizeof(disp));
		if (rc == 1)
		{
			set_problem(c, "%s: the target name is not a valid domain name%s", redirect->text, NULL);
			set_domain(c, norm);
			result = MA_SPF_PERMERROR;
			goto done;
		}
		if (rc != 0)
		{
			result = rc;
			goto done;
		}
		if (top)
		{
			c->out->mechanism[0] = '\0';
		}
		result = check_host(c, disp, depth + 1, top, want_exp);
		if (result == MA_SPF_NONE)
		{
			set_problem(c, "%s: no SPF record at %s", redirect->text, tnorm);
			set_domain(c, norm);
			result = MA_SPF_PERMERROR;
		}
		goto done;
	}

	/* nothing matched: neutral (RFC 7208 4.7) */
	result = MA_SPF_NEUTRAL;
	if (top)
	{
		snprintf(c->out->mechanism, sizeof(c->out->mechanism), "default");
		set_domain(c, norm);
	}

done:
	ma_spf_free_terms(terms, nterms);
	return result;
}

/*
 * Does a domain qualify for check_host() at all (RFC 7208 4.3): a valid
 * name with at least two labels and a valid top label.  Otherwise the result
 * is none.
 */
static bool
valid_initial_domain(const char *d)
{
	char		norm[MA_DNS_MAXNAME + 1];
	const char *dot;
	size_t		l;

	if (d[0] == '\0' || strlen(d) > MA_DNS_MAXNAME + 1 || ma_dns_name_check(d, norm) != NULL)
		return false;
	dot = strrchr(norm, '.');
	if (dot == NULL)
		return false;
	l = strlen(dot + 1);
	return valid_toplabel(dot + 1, l);
}

/*
 * Set up a context from a request: the client address (an IPv4-mapped IPv6
 * address counts as IPv4) and the sender identity.  Returns false when out
 * of memory.
 */
static bool
ctx_init(spf_ctx *c, const ma_spf_request *req, ma_spf_outcome *out)
{
	const char *sender = req->sender,
			   *at;
	size_t		dl;

	memset(c, 0, sizeof(*c));
	c->req = req;
	c->out = out;
	c->helo = req->helo;
	if (req->family == AF_INET6)
	{
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		if (memcmp(req->ip, mapped, 12) == 0)
		{
			c->family = AF_INET;
			memcpy(c->ip, req->ip + 12, 4);
		}
		else
		{
			c->family = AF_INET6;
			memcpy(c->ip, req->ip, 16);
		}
	}
	else
	{
		c->family = AF_INET;
		memcpy(c->ip, req->ip, 4);
	}

	if (sender == NULL || sender[0] == '\0')
	{
		c->local = strdup("postmaster");
		c->sdomain = strdup(req->helo ? req->helo : "");
	}
	else if ((at = strrchr(sender, '@')) == NULL)
	{
		c->local = strdup("postmaster");
		c->sdomain = strdup(sender);
	}
	else
	{
		c->local = at == sender ? strdup("postmaster") : dupn(sender, at - sender);
		c->sdomain = strdup(at + 1);
	}
	if (c->local == NULL || c->sdomain == NULL)
		return false;
	dl = strlen(c->sdomain);
	if (dl > 1 && c->sdomain[dl - 1] == '.')
		c->sdomain[dl - 1] = '\0';
	c->sender = malloc(strlen(c->local) + strlen(c->sdomain) + 2);
	if (c->sender == NULL)
		return false;
	sprintf(c->sender, "%s@%s", c->local, c->sdomain);
	return true;
}

static void
ctx_free(spf_ctx *c)
{
	free(c->local);
	free(c->sdomain);
	free(c->sender);
}

ma_spf_res
ma_spf_check_host(const ma_spf_request *req, ma_spf_lookup_fn lookup, void *arg,
				  ma_spf_outcome *out)
{
	spf_ctx		c;
	int			rc;

	memset(out, 0, sizeof(*out));
	if (!ctx_init(&c, req, out))
	{
		ctx_free(&c);
		snprintf(out->problem, sizeof(out->problem), "out of memory");
		out->result = MA_SPF_TEMPERROR;
		return out->result;
	}
	c.lookup = lookup;
	c.arg = arg;

	if (!valid_initial_domain(c.sdomain))
	{
		snprintf(out->domain, sizeof(out->domain), "%s", c.sdomain);
		ma_utf8_cut(out->domain);
		set_problem(&c, "\"%s\" is not a valid domain name for SPF%s", c.sdomain, NULL);
		rc = MA_SPF_NONE;
	}
	else
		rc = check_host(&c, c.sdomain, 0, true, true);

	out->dns_lookups = c.lookups;
	out->void_lookups = c.voids;
	ctx_free(&c);
	if (rc == R_PENDING)
	{
		out->pending = true;
		out->result = MA_SPF_NONE;
		out->explanation[0] = out->mechanism[0] = out->problem[0] = '\0';
		return out->result;
	}
	out->result = (ma_spf_res) rc;
	if (rc != MA_SPF_FAIL)
		out->explanation[0] = '\0';
	if (rc == MA_SPF_PASS || rc == MA_SPF_FAIL || rc == MA_SPF_SOFTFAIL || rc == MA_SPF_NEUTRAL)
		out->problem[0] = '\0';
	else
		out->mechanism[0] = '\0';
	return out->result;
}

int
ma_spf_expand(const ma_spf_request *req, const char *domain, const char *p,
			  const char *s, size_t len, int flags, char *out, size_t outlen,
			  char *err, size_t errlen)
{
	spf_ctx		c;
	ma_spf_outcome dummy;
	char	   *x = NULL;
	int			rc;
	size_t		n;

	if (err && errlen)
		err[0] = '\0';
	if (outlen)
		out[0] = '\0';
	if (!ctx_init(&c, req, &dummy))
	{
		ctx_free(&c);
		set_msg(err, errlen, "out of memory", NULL, 0);
		return -1;
	}
	c.fixed_p = p;
	rc = expand(&c, domain ? domain : c.sdomain, s, len, (flags & MA_SPF_EXPAND_EXP) != 0,
				&x, err, errlen);
	ctx_free(&c);
	if (rc != X_OK)
	{
		if (rc == X_NOMEM)
			set_msg(err, errlen, "out of memory", NULL, 0);
		return -1;
	}
	n = strlen(x);
	if (outlen)
	{
		if (n >= outlen)
			n = outlen - 1;
		memcpy(out, x, n);
		out[n] = '\0';
	}
	free(x);
	return (int) n;
}

/* ---------------------------------------------------------------------
 * Received-SPF (RFC 7208 9.1)
 * ---------------------------------------------------------------------
 */
typedef struct obuf
{
	char	   *buf;
	size_t		len;
	size_t		cap;
} obuf;

static void
ob_add(obuf *o, const char *s, size_t n)
{
	if (o->cap == 0)
		return;
	for (size_t i = 0; i < n && o->len + 1 < o->cap; i++)
		o->buf[o->len++] = s[i];
	o->buf[o->len] = '\0';
}

static void
ob_str(obuf *o, const char *s)
{
	ob_add(o, s, strlen(s));
}

/* text for a comment or a quoted-string: printable ASCII only, escaped */
static void
ob_safe(obuf *o, const char *s, const char *special)
{
	for (; s && *s; s++)
	{
		unsigned char ch = (unsigned char) *s;

		if (ch < 0x20 || ch > 0x7e)
			ob_add(o, "?", 1);
		else
		{
			if (strchr(special, ch))
				ob_add(o, "\\", 1);
			ob_add(o, (const char *) &ch, 1);
		}
	}
}

static bool
is_dot_atom(const char *s)
{
	if (s == NULL || *s == '\0' || *s == '.')
		return false;
	for (; *s; s++)
	{
		unsigned char ch = (unsigned char) *s;

		if (!(is_alnum(ch) || strchr("!#$%&'*+-/=?^_`{|}~.", ch)) || ch == '\0')
			return false;
		if (ch == '.' && (s[1] == '.' || s[1] == '\0'))
			return false;
	}
	return true;
}

static void
ob_value(obuf *o, const char *key, const char *v)
{
	ob_str(o, " ");
	ob_str(o, key);
	ob_str(o, "=");
	if (is_dot_atom(v))
		ob_str(o, v);
	else
	{
		ob_str(o, "\"");
		ob_safe(o, v ? v : "", "\"\\");
		ob_str(o, "\"");
	}
	ob_str(o, ";");
}

void
ma_spf_received_spf(const ma_spf_request *req, const ma_spf_outcome *out,
					char *buf, size_t buflen)
{
	obuf		o = {buf, 0, buflen};
	char		ip[INET6_ADDRSTRLEN];
	const char *sender = req->sender;
	char	   *fallback = NULL;
	const char *who;
	const char *esc = "()\\";

	if (buflen == 0)
		return;
	buf[0] = '\0';
	if (req->family == AF_INET6)
		inet_ntop(AF_INET6, req->ip, ip, sizeof(ip));
	else
		inet_ntop(AF_INET, req->ip, ip, sizeof(ip));
	if (sender == NULL || sender[0] == '\0')
	{
		const char *h = req->helo ? req->helo : "";

		fallback = malloc(strlen(h) + 12);
		if (fallback)
			sprintf(fallback, "postmaster@%s", h);
		who = fallback ? fallback : "postmaster";
	}
	else
		who = sender;

	ob_str(&o, ma_spf_res_name(out->result));
	ob_str(&o, " (mailauth: ");
	switch (out->result)
	{
		case MA_SPF_PASS:
			ob_str(&o, "domain of ");
			ob_safe(&o, who, esc);
			ob_str(&o, " designates ");
			ob_str(&o, ip);
			ob_str(&o, " as permitted sender");
			break;
		case MA_SPF_FAIL:
			ob_str(&o, "domain of ");
			ob_safe(&o, who, esc);
			ob_str(&o, " does not designate ");
			ob_str(&o, ip);
			ob_str(&o, " as permitted sender");
			break;
		case MA_SPF_SOFTFAIL:
			ob_str(&o, "domain of transitioning ");
			ob_safe(&o, who, esc);
			ob_str(&o, " does not designate ");
			ob_str(&o, ip);
			ob_str(&o, " as permitted sender");
			break;
		case MA_SPF_NEUTRAL:
			ob_str(&o, ip);
			ob_str(&o, " is neither permitted nor denied by domain of ");
			ob_safe(&o, who, esc);
			break;
		case MA_SPF_NONE:
			ob_str(&o, "domain of ");
			ob_safe(&o, who, esc);
			ob_str(&o, " does not designate permitted sender hosts");
			break;
		case MA_SPF_TEMPERROR:
			ob_str(&o, "error in processing during lookup of ");
			ob_safe(&o, who, esc);
			if (out->problem[0])
			{
				ob_str(&o, ": ");
				ob_safe(&o, out->problem, esc);
			}
			break;
		case MA_SPF_PERMERROR:
			ob_str(&o, "permanent error in processing domain of ");
			ob_safe(&o, who, esc);
			if (out->problem[0])
			{
				ob_str(&o, ": ");
				ob_safe(&o, out->problem, esc);
			}
			break;
	}
	ob_str(&o, ")");
	ob_value(&o, "client-ip", ip);
	ob_value(&o, "envelope-from", who);
	ob_value(&o, "helo", req->helo ? req->helo : "");
	if (req->receiver && req->receiver[0])
		ob_value(&o, "receiver", req->receiver);
	ob_value(&o, "identity", (sender == NULL || sender[0] == '\0') ? "helo" : "mailfrom");
	if (out->mechanism[0])
		ob_value(&o, "mechanism", out->mechanism);
	if (out->problem[0] && (out->result == MA_SPF_PERMERROR || out->result == MA_SPF_TEMPERROR))
		ob_value(&o, "problem", out->problem);
	free(fallback);
}
