/*-------------------------------------------------------------------------
 *
 * ma_authres.c
 *	  Parse Authentication-Results (RFC 8601) and Received-SPF (RFC 7208
 *	  9.1) header fields, alone or out of a whole message header.
 *
 * The input is hostile: every loop advances by at least one byte or stops,
 * comments are skipped with a depth counter (no recursion), nothing relies
 * on NUL termination of the input, and the sizes are bounded (see
 * ma_authres.h).  Each field is unfolded into one buffer and parsed there by
 * a small recursive-descent reader with one token of backtracking; a row
 * is built on the side and only committed when its "method=result" has been
 * read, so a broken resinfo leaves nothing behind.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_authres.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------
 * Growing strings
 * ---------------------------------------------------------------------
 */
typedef struct sbuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool	   *oom;			/* set when an allocation fails */
} sbuf;

static bool
sb_reserve(sbuf *b, size_t more)
{
	size_t		ncap;
	char	   *n;

	if (*b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 64;
	while (ncap < b->len + more + 1)
		ncap *= 2;
	n = realloc(b->data, ncap);
	if (!n)
	{
		*b->oom = true;
		return false;
	}
	b->data = n;
	b->cap = ncap;
	return true;
}

/* NUL bytes never get into a string */
static void
sb_putc(sbuf *b, char c)
{
	if (c == '\0' || !sb_reserve(b, 1))
		return;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

static void
sb_put(sbuf *b, const char *s, size_t n)
{
	size_t		i;

	if (!sb_reserve(b, n))
		return;
	for (i = 0; i < n; i++)
		if (s[i] != '\0')
			b->data[b->len++] = s[i];
	b->data[b->len] = '\0';
}

static void
sb_puts(sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static char *
xstrndup(ma_authres_list *l, const char *s, size_t n)
{
	char	   *d;

	if (l->oom)
		return NULL;
	d = malloc(n + 1);
	if (!d)
	{
		l->oom = true;
		return NULL;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void
lower(char *s)
{
	for (; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

/* ---------------------------------------------------------------------
 * Lexical helpers over [p, end)
 * ---------------------------------------------------------------------
 */
typedef struct cur
{
	const char *p;
	const char *end;
} cur;

/* blanks, line ends and every other control byte (NUL included): junk */
static inline bool
is_ws(unsigned char c)
{
	return c <= 0x20 || c == 0x7f;
}

static inline bool
is_kw(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_';
}

static inline bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* a byte of an unquoted value: anything visible but ( ) ; " */
static inline bool
is_vchar(unsigned char c)
{
	return !is_ws(c) && c != '(' && c != ')' && c != ';' && c != '"';
}

/*
 * Skip blanks and comments.  The text of the first top-level comment met
 * while *captured is false goes to cap (quoted-pairs unescaped, nested
 * parentheses kept, control bytes as spaces), and *captured is set.  An
 * unterminated comment ends at the end.
 */
static void
skip_cfws(cur *c, sbuf *cap, bool *captured)
{
	while (c->p < c->end)
	{
		unsigned char ch = (unsigned char) *c->p;

		if (is_ws(ch))
			c->p++;
		else if (ch == '(')
		{
			int			depth = 1;
			bool		take = cap && !*captured;

			c->p++;
			while (c->p < c->end)
			{
				ch = (unsigned char) *c->p++;
				if (ch == '\\')
				{
					if (c->p < c->end)
					{
						ch = (unsigned char) *c->p++;
						if (take)
							sb_putc(cap, is_ws(ch) ? ' ' : (char) ch);
					}
					continue;
				}
				if (ch == '(')
					depth++;
				else if (ch == ')' && --depth == 0)
					break;
				if (take)
					sb_putc(cap, is_ws(ch) ? ' ' : (char) ch);
			}
			if (take)
				*captured = true;
		}
		else
			break;
	}
}

static inline void
skip_ws(cur *c)
{
	skip_cfws(c, NULL, NULL);
}

static inline bool
at(cur *c, char ch)
{
	return c->p < c->end && *c->p == ch;
}

/* a keyword ([A-Za-z0-9_-]+) as a span; length 0 when there is none */
static size_t
read_kw(cur *c, const char **start)
{
	*start = c->p;
	while (c->p < c->end && is_kw((unsigned char) *c->p))
		c->p++;
	return c->p - *start;
}

static bool
kw_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* the end of the quoted string at p (its opening quote); unterminated: end */
static const char *
quoted_end(const char *p, const char *end)
{
	p++;
	while (p < end)
	{
		char		ch = *p++;

		if (ch == '"')
			break;
		if (ch == '\\' && p < end)
			p++;
	}
	return p;
}

/*
 * A value: a token or quoted-string, or an address (a quoted local-part
 * followed by '@' keeps its quotes and escapes as written).  Pieces are
 * glued until a blank, a comment, ';' or ')'.  With angle, one pair of
 * enclosing <> is removed.  Returns false when there is no value at all (out
 * is then empty).
 */
static bool
read_value(cur *c, sbuf *out, bool angle)
{
	bool		any = false;

	out->len = 0;
	if (out->data)
		out->data[0] = '\0';
	while (c->p < c->end)
	{
		unsigned char ch = (unsigned char) *c->p;

		if (ch == '"')
		{
			const char *q = quoted_end(c->p, c->end);

			if (q < c->end && *q == '@')
				sb_put(out, c->p, q - c->p);
			else
			{
				const char *s = c->p + 1;

				while (s < q)
				{
					if (*s == '\\' && s + 1 < q)
						s++;
					else if (*s == '"' && s + 1 == q)
						break;	/* the closing quote */
					sb_putc(out, *s++);
				}
			}
			c->p = q;
			any = true;
		}
		else if (is_vchar(ch))
		{
			const char *s = c->p;

			while (c->p < c->end && is_vchar((unsigned char) *c->p))
				c->p++;
			sb_put(out, s, c->p - s);
			any = true;
		}
		else
			break;
	}
	if (angle && out->len >= 2 && out->data[0] == '<' &&
		out->data[out->len - 1] == '>')
	{
		memmove(out->data, out->data + 1, out->len - 2);
		out->len -= 2;
		out->data[out->len] = '\0';
	}
	return any;
}

/* up to 9 digits; false (nothing consumed) when not a number that fits */
static bool
read_number(cur *c, int *val)
{
	const char *s = c->p;
	int			v = 0;

	while (c->p < c->end && is_digit((unsigned char) *c->p))
	{
		if (c->p - s >= 9)
		{
			c->p = s;
			return false;
		}
		v = v * 10 + (*c->p++ - '0');
	}
	if (c->p == s || (c->p < c->end && is_kw((unsigned char) *c->p)))
	{
		c->p = s;
		return false;
	}
	*val = v;
	return true;
}

/* skip up to (not past) the next ';' outside comments and quoted strings */
static void
skip_to_semi(cur *c)
{
	for (;;)
	{
		skip_ws(c);
		if (c->p >= c->end || *c->p == ';')
			return;
		if (*c->p == '"')
			c->p = quoted_end(c->p, c->end);
		else
			c->p++;
	}
}

/* skip one junk item: a run of value bytes, or one other byte */
static void
skip_junk(cur *c)
{
	if (c->p >= c->end)
		return;
	if (is_vchar((unsigned char) *c->p))
		while (c->p < c->end && is_vchar((unsigned char) *c->p))
			c->p++;
	else if (*c->p == '"')
		c->p = quoted_end(c->p, c->end);
	else
		c->p++;
}

/* ---------------------------------------------------------------------
 * Rows
 * ---------------------------------------------------------------------
 */
static void
result_clear(ma_authres_result *r)
{
	int			i;

	free(r->authserv_id);
	free(r->method);
	free(r->result);
	free(r->reason);
	for (i = 0; i < r->nprops; i++)
	{
		free(r->props[i].name);
		free(r->props[i].value);
	}
	free(r->props);
	memset(r, 0, sizeof(*r));
}

typedef struct parser
{
	ma_authres_list *l;
	int			cap_props;		/* of the row being built */
	bool		stop;			/* MA_AUTHRES_MAX_RESULTS reached */
	sbuf		tmp;			/* scratch for values */
	sbuf		tmp2;			/* scratch for names */
} parser;

static void
add_prop(parser *ps, ma_authres_result *r, const char *name, size_t nlen,
		 const char *value, size_t vlen)
{
	ma_authres_list *l = ps->l;
	char	   *n,
			   *v;

	if (l->oom)
		return;
	if (r->nprops >= MA_AUTHRES_MAX_PROPS)
	{
		l->truncated = true;
		return;
	}
	if (r->nprops == ps->cap_props)
	{
		int			ncap = ps->cap_props ? ps->cap_props * 2 : 4;
		ma_authres_prop *np = realloc(r->props, ncap * sizeof(ma_authres_prop));

		if (!np)
		{
			l->oom = true;
			return;
		}
		r->props = np;
		ps->cap_props = ncap;
	}
	n = xstrndup(l, name, nlen);
	v = xstrndup(l, value ? value : "", value ? vlen : 0);
	if (!n || !v)
	{
		free(n);
		free(v);
		return;
	}
	lower(n);
	r->props[r->nprops].name = n;
	r->props[r->nprops].value = v;
	r->nprops++;
}

/* move *r into the list (r is cleared either way) */
static void
commit(parser *ps, ma_authres_result *r)
{
	ma_authres_list *l = ps->l;

	if (l->oom || ps->stop)
	{
		result_clear(r);
		return;
	}
	if (l->nresults >= MA_AUTHRES_MAX_RESULTS)
	{
		l->truncated = true;
		ps->stop = true;
		result_clear(r);
		return;
	}
	if (l->nresults == l->cap)
	{
		int			ncap = l->cap ? l->cap * 2 : 8;
		ma_authres_result *n;

		if (ncap > MA_AUTHRES_MAX_RESULTS)
			ncap = MA_AUTHRES_MAX_RESULTS;
		n = realloc(l->results, ncap * sizeof(ma_authres_result));
		if (!n)
		{
			l->oom = true;
			result_clear(r);
			return;
		}
		l->results = n;
		l->cap = ncap;
	}
	l->results[l->nresults++] = *r;
	memset(r, 0, sizeof(*r));
	ps->cap_props = 0;
}

/* ---------------------------------------------------------------------
 * Authentication-Results
 * ---------------------------------------------------------------------
 */

/*
 * Method names that start a new resinfo when a ';' is missing before them
 * (IANA "Email Authentication Methods", plus Microsoft's compauth).  Any
 * other "key=value" inside a resinfo is a property (Microsoft's action=none,
 * Fastmail's x-bits=2048).
 */
static bool
known_method(const char *s, size_t n)
{
	static const char *const names[] = {
		"arc", "auth", "bimi", "compauth", "dkim", "dkim-adsp", "dkim-atps",
		"dmarc", "dnswl", "domainkeys", "iprev", "rrvs", "sender-id",
		"smime", "spf", "vbr", NULL
	};
	int			i;

	for (i = 0; names[i]; i++)
		if (kw_is(s, n, names[i]))
			return true;
	return false;
}

/*
 * At c: keyword [CFWS] ["/" [CFWS] digits [CFWS]] "=" ?  Consumes nothing.
 */
static bool
looks_like_methodspec(const cur *c0)
{
	cur			c = *c0;
	const char *s;
	int			v;

	if (read_kw(&c, &s) == 0)
		return false;
	skip_ws(&c);
	if (at(&c, '/'))
	{
		c.p++;
		skip_ws(&c);
		if (!read_number(&c, &v))
			return false;
		skip_ws(&c);
	}
	return at(&c, '=');
}

/*
 * One resinfo at c (after its ';' and blanks).  Returns false, having
 * consumed something or not, when it is not "method=result"; the caller
 * skips to the next ';'.  Stops before ';', at the end, or before the
 * method of a resinfo whose ';' is missing.
 */
static bool
parse_resinfo(parser *ps, cur *c, const char *authserv, int version, int field)
{
	ma_authres_list *l = ps->l;
	ma_authres_result r;
	const char *s;
	size_t		n;

	memset(&r, 0, sizeof(r));
	ps->cap_props = 0;

	/* methodspec */
	n = read_kw(c, &s);
	if (n == 0)
		return false;
	r.method = xstrndup(l, s, n);
	skip_ws(c);
	if (at(c, '/'))
	{
		c->p++;
		skip_ws(c);
		if (!read_number(c, &r.method_version))
			goto fail;
		skip_ws(c);
	}
	if (!at(c, '='))
		goto fail;
	c->p++;
	skip_ws(c);
	n = read_kw(c, &s);
	if (n == 0)
		goto fail;
	r.result = xstrndup(l, s, n);
	lower(r.method);
	lower(r.result);
	if (authserv)
		r.authserv_id = xstrndup(l, authserv, strlen(authserv));
	r.version = version;
	r.field = field;

	/* reasonspec and propspecs, in any order */
	for (;;)
	{
		cur			save;
		const char *ps_s;
		size_t		ps_n;

		skip_ws(c);
		if (c->p >= c->end || *c->p == ';' || l->oom)
			break;
		save = *c;
		ps_n = read_kw(c, &ps_s);
		if (ps_n == 0)
		{
			skip_junk(c);
			continue;
		}
		skip_ws(c);
		if (at(c, '.'))
		{
			/* ptype "." property "=" pvalue */
			const char *pr_s;
			size_t		pr_n;

			c->p++;
			skip_ws(c);
			pr_s = c->p;
			while (c->p < c->end && is_kw((unsigned char) *c->p))
			{
				c->p++;
				/* "policy.foo.bar": more dotted keywords */
				if (c->p + 1 < c->end && *c->p == '.' &&
					is_kw((unsigned char) c->p[1]))
					c->p++;
			}
			pr_n = c->p - pr_s;
			if (pr_n == 0)
				continue;		/* junk; what follows is read afresh */
			skip_ws(c);
			if (!at(c, '='))
				continue;
			c->p++;
			skip_ws(c);
			read_value(c, &ps->tmp, true);
			ps->tmp2.len = 0;
			sb_put(&ps->tmp2, ps_s, ps_n);
			sb_putc(&ps->tmp2, '.');
			sb_put(&ps->tmp2, pr_s, pr_n);
			if (!l->oom)
				add_prop(ps, &r, ps->tmp2.data, ps->tmp2.len,
						 ps->tmp.data, ps->tmp.len);
		}
		else if (at(c, '/'))
		{
			/* "method/version=": a new resinfo without its ';' */
			*c = save;
			break;
		}
		else if (at(c, '='))
		{
			if (kw_is(ps_s, ps_n, "reason"))
			{
				c->p++;
				skip_ws(c);
				read_value(c, &ps->tmp, false);
				if (!r.reason && !l->oom)
					r.reason = xstrndup(l, ps->tmp.data ? ps->tmp.data : "",
										ps->tmp.len);
			}
			else if (known_method(ps_s, ps_n))
			{
				/* a new resinfo without its ';' */
				*c = save;
				break;
			}
			else
			{
				/* a property without a ptype: Microsoft's action=none */
				c->p++;
				skip_ws(c);
				read_value(c, &ps->tmp, true);
				if (!l->oom)
					add_prop(ps, &r, ps_s, ps_n, ps->tmp.data, ps->tmp.len);
			}
		}
		/* else: a stray word, dropped */
	}
	commit(ps, &r);
	return true;

fail:
	result_clear(&r);
	return false;
}

static void
parse_ar(parser *ps, const char *text, size_t len, int field)
{
	ma_authres_list *l = ps->l;
	cur			c = {text, text + len};
	char	   *authserv = NULL;
	int			version = 1;

	skip_ws(&c);

	/*
	 * "i=N;" first: the instance tag of an ARC-Authentication-Results value
	 * (RFC 8617) given on its own.  Skipped, so the authserv-id follows.
	 */
	{
		cur			look = c;
		const char *s;
		int			v;

		if (read_kw(&look, &s) == 1 && (*s == 'i' || *s == 'I'))
		{
			skip_ws(&look);
			if (at(&look, '='))
			{
				look.p++;
				skip_ws(&look);
				if (read_number(&look, &v))
				{
					skip_ws(&look);
					if (at(&look, ';'))
					{
						look.p++;
						skip_ws(&look);
						c = look;
					}
				}
			}
		}
	}

	if (!looks_like_methodspec(&c))
	{
		/* authserv-id [CFWS authres-version] */
		if (read_value(&c, &ps->tmp, false) && ps->tmp.len > 0)
			authserv = xstrndup(l, ps->tmp.data, ps->tmp.len);
		skip_ws(&c);
		if (c.p < c.end && is_digit((unsigned char) *c.p))
		{
			int			v;

			if (read_number(&c, &v))
				version = v;
		}
	}
	/* else: no authserv-id at all (Microsoft) */

	while (!ps->stop && !l->oom)
	{
		const char *s;
		size_t		n;
		cur			save;

		skip_ws(&c);
		if (c.p >= c.end)
			break;
		if (*c.p == ';')
		{
			c.p++;
			continue;
		}
		/* no-result: "none" alone */
		save = c;
		n = read_kw(&c, &s);
		if (n > 0 && kw_is(s, n, "none"))
		{
			skip_ws(&c);
			if (c.p >= c.end || *c.p == ';')
				continue;
		}
		c = save;
		if (!parse_resinfo(ps, &c, authserv, version, field))
			skip_to_semi(&c);
	}
	free(authserv);
}

/* ---------------------------------------------------------------------
 * Received-SPF
 * ---------------------------------------------------------------------
 */
static void
parse_rspf(parser *ps, const char *text, size_t len, int field)
{
	ma_authres_list *l = ps->l;
	cur			c = {text, text + len};
	ma_authres_result r;
	const char *s;
	size_t		n;
	sbuf		comment = {NULL, 0, 0, &l->oom};
	bool		captured = false;

	memset(&r, 0, sizeof(r));
	ps->cap_props = 0;

	skip_cfws(&c, &comment, &captured);
	n = read_kw(&c, &s);
	if (n == 0)
		goto done;
	{
		cur			look = c;

		skip_ws(&look);
		if (at(&look, '='))
			goto done;			/* "key=value" where the result should be */
	}
	r.method = xstrndup(l, "spf", 3);
	r.result = xstrndup(l, s, n);
	lower(r.result);
	r.version = 1;
	r.field = field;
	r.received_spf = true;

	while (!l->oom)
	{
		skip_cfws(&c, &comment, &captured);
		if (c.p >= c.end)
			break;
		if (*c.p == ';')
		{
			c.p++;
			continue;
		}
		n = read_kw(&c, &s);
		if (n == 0)
		{
			skip_junk(&c);
			continue;
		}
		skip_cfws(&c, &comment, &captured);
		if (!at(&c, '='))
			continue;			/* a stray word */
		c.p++;
		skip_cfws(&c, &comment, &captured);
		read_value(&c, &ps->tmp, true);
		add_prop(ps, &r, s, n, ps->tmp.data, ps->tmp.len);
	}
	if (captured && !l->oom)
	{
		/* folding white space is one space; no blanks at the ends */
		size_t		i,
					o = 0;

		for (i = 0; i < comment.len; i++)
			if (comment.data[i] != ' ' || (o > 0 && comment.data[o - 1] != ' '))
				comment.data[o++] = comment.data[i];
		if (o > 0 && comment.data[o - 1] == ' ')
			o--;
		r.reason = xstrndup(l, o > 0 ? comment.data : "", o);
	}
	commit(ps, &r);
done:
	result_clear(&r);
	free(comment.data);
}

/* ---------------------------------------------------------------------
 * Fields and messages
 * ---------------------------------------------------------------------
 */
typedef enum ftype
{
	F_OTHER = 0,
	F_AR,
	F_RSPF
} ftype;

/*
 * The field-name at [p, end) -- [A-Za-z0-9_-]+, blanks, ':' -- or 0.  Sets
 * *vstart to the byte after the ':'.
 */
static size_t
field_name(const char *p, const char *end, const char **vstart)
{
	const char *q = p;
	size_t		n;

	while (q < end && is_kw((unsigned char) *q))
		q++;
	n = q - p;
	if (n == 0)
		return 0;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q >= end || *q != ':')
		return 0;
	*vstart = q + 1;
	return n;
}

static ftype
field_type(const char *name, size_t n)
{
	if (kw_is(name, n, "Authentication-Results"))
		return F_AR;
	if (kw_is(name, n, "Received-SPF"))
		return F_RSPF;
	return F_OTHER;
}

/*
 * Parse one unfolded field value.  When it was longer than the limit
 * (truncated), it is cut at its last ';' -- or, with none, back to a UTF-8
 * character boundary -- so no half-read resinfo or character is reported.
 */
static void
parse_field(parser *ps, ftype t, const char *text, size_t len, bool truncated)
{
	ma_authres_list *l = ps->l;

	if (t == F_OTHER || ps->stop || l->oom)
		return;
	if (!text)
	{
		text = "";
		len = 0;
	}
	if (truncated)
	{
		size_t		i = len;

		l->truncated = true;
		while (i > 0 && text[i - 1] != ';')
			i--;
		if (i > 0)
			len = i;
		else
		{
			while (len > 0 && ((unsigned char) text[len - 1] & 0xC0) == 0x80)
				len--;
			if (len > 0 && ((unsigned char) text[len - 1] & 0x80))
				len--;
		}
	}
	l->nfields++;
	if (t == F_AR)
		parse_ar(ps, text, len, l->nfields);
	else
		parse_rspf(ps, text, len, l->nfields);
}

/*
 * Append up to the field limit; remember when something did not fit.  NUL
 * bytes become blanks (junk, like every control byte, but they must not
 * glue their neighbours together).
 */
static void
field_append(sbuf *f, const char *s, size_t n, bool *truncated)
{
	size_t		i;

	if (f->len + n > MA_AUTHRES_MAX_FIELD)
	{
		*truncated = true;
		n = MA_AUTHRES_MAX_FIELD - f->len;
	}
	if (n == 0 || !sb_reserve(f, n))
		return;
	for (i = 0; i < n; i++)
		f->data[f->len++] = s[i] ? s[i] : ' ';
	f->data[f->len] = '\0';
}

static void
parse_header_block(parser *ps, const char *p, const char *end)
{
	ma_authres_list *l = ps->l;
	sbuf		f = {NULL, 0, 0, &l->oom};
	ftype		cur_t = F_OTHER;
	bool		trunc = false;

	while (p < end && !ps->stop && !l->oom)
	{
		const char *eol = memchr(p, '\n', end - p);
		const char *next = eol ? eol + 1 : end;
		const char *lend = eol ? eol : end;
		const char *vstart;
		size_t		nlen;

		if (lend > p && lend[-1] == '\r')
			lend--;
		if (lend == p)
			break;				/* the empty line: the body follows */
		if (*p == ' ' || *p == '\t')
		{
			/* a continuation: unfolding removes the line break only */
			if (cur_t != F_OTHER)
				field_append(&f, p, lend - p, &trunc);
		}
		else if ((nlen = field_name(p, lend, &vstart)) > 0)
		{
			parse_field(ps, cur_t, f.data, f.len, trunc);
			f.len = 0;
			trunc = false;
			cur_t = field_type(p, nlen);
			if (cur_t != F_OTHER)
				field_append(&f, vstart, lend - vstart, &trunc);
		}
		else if (cur_t != F_OTHER)
		{
			/* neither: an unindented continuation of the field above */
			field_append(&f, " ", 1, &trunc);
			field_append(&f, p, lend - p, &trunc);
		}
		p = next;
	}
	parse_field(ps, cur_t, f.data, f.len, trunc);
	free(f.data);
}

/* does the field value at [p, end) look like a Received-SPF value? */
static bool
looks_like_rspf(const char *p, const char *end)
{
	static const char *const words[] = {
		"pass", "fail", "softfail", "neutral", "none", "temperror",
		"permerror", "error", "unknown", NULL
	};
	cur			c = {p, end};
	const char *s;
	size_t		n;
	int			i;

	skip_ws(&c);
	n = read_kw(&c, &s);
	if (n == 0 || (c.p < c.end && is_vchar((unsigned char) *c.p) &&
				   *c.p != '='))
		return false;			/* "pass.example.com" is a host name */
	for (i = 0; words[i]; i++)
		if (kw_is(s, n, words[i]))
			break;
	if (!words[i])
		return false;
	skip_ws(&c);
	if (c.p >= c.end)
		return true;
	return *c.p != ';' && *c.p != '=' && !is_digit((unsigned char) *c.p);
}

int
ma_authres_parse(const char *input, size_t len, ma_authres_list *out)
{
	parser		ps;
	const char *p = input;
	const char *end = input + len;
	const char *vstart;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.l = out;
	ps.tmp.oom = &out->oom;
	ps.tmp2.oom = &out->oom;
	if (!input)
		return 0;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	/* an mbox "From " line */
	if (end - p >= 5 && memcmp(p, "From ", 5) == 0)
	{
		const char *eol = memchr(p, '\n', end - p);

		p = eol ? eol + 1 : end;
	}

	if (field_name(p, end, &vstart) > 0)
		parse_header_block(&ps, p, end);
	else
	{
		/* one value without its name, bounded like a field */
		size_t		n = end - p;
		bool		trunc = false;
		sbuf		f = {NULL, 0, 0, &out->oom};

		field_append(&f, p, n, &trunc);
		if (f.data)
			parse_field(&ps, looks_like_rspf(f.data, f.data + f.len) ? F_RSPF : F_AR,
						f.data, f.len, trunc);
		free(f.data);
	}

	free(ps.tmp.data);
	free(ps.tmp2.data);
	if (out->oom)
	{
		ma_authres_list_free(out);
		return -1;
	}
	return 0;
}

void
ma_authres_list_free(ma_authres_list *list)
{
	int			i;

	if (!list)
		return;
	for (i = 0; i < list->nresults; i++)
		result_clear(&list->results[i]);
	free(list->results);
	memset(list, 0, sizeof(*list));
}

/* ---------------------------------------------------------------------
 * JSON
 * ---------------------------------------------------------------------
 */

/* length of the valid UTF-8 sequence at s (n bytes left), or 0 */
static int
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	int			len,
				i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if ((size_t) len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	/* overlongs, surrogates, beyond U+10FFFF */
	if (c == 0xE0 && s[1] < 0xA0)
		return 0;
	if (c == 0xED && s[1] > 0x9F)
		return 0;
	if (c == 0xF0 && s[1] < 0x90)
		return 0;
	if (c == 0xF4 && s[1] > 0x8F)
		return 0;
	return len;
}

static void
json_string(sbuf *b, const char *str)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *) str;
	size_t		n = strlen(str);
	size_t		i = 0;

	sb_putc(b, '"');
	while (i < n)
	{
		unsigned char c = s[i];
		int			k;

		if (c == '"' || c == '\\')
		{
			sb_putc(b, '\\');
			sb_putc(b, (char) c);
			i++;
		}
		else if (c < 0x20)
		{
			char		e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

			sb_put(b, e, 6);
			i++;
		}
		else if ((k = utf8_len(s + i, n - i)) > 0)
		{
			sb_put(b, (const char *) s + i, k);
			i += k;
		}
		else
		{
			sb_puts(b, "\xEF\xBF\xBD");	/* U+FFFD */
			i++;
		}
	}
	sb_putc(b, '"');
}

typedef struct prop_ent
{
	const char *name;
	int			pos;
} prop_ent;

/* qsort: by name, then by position (so equal names keep their order) */
static int
cmp_prop(const void *a, const void *b)
{
	const prop_ent *x = a;
	const prop_ent *y = b;
	int			c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/*
 * O(n log n): the positions sorted by (name, position) put the values of a
 * name together and in order; a name is written where it first appears.
 */
char *
ma_authres_properties_json(const ma_authres_result *r)
{
	bool		oom = false;
	sbuf		b = {NULL, 0, 0, &oom};
	int			n = r ? r->nprops : 0;
	prop_ent   *ord = NULL;		/* positions sorted */
	int		   *rank = NULL;	/* position -> index in ord */
	bool		first = true;
	int			i,
				j;

	if (n > 0)
	{
		ord = malloc(n * sizeof(prop_ent));
		rank = malloc(n * sizeof(int));
		if (!ord || !rank)
		{
			free(ord);
			free(rank);
			return NULL;
		}
		for (i = 0; i < n; i++)
		{
			ord[i].name = r->props[i].name;
			ord[i].pos = i;
		}
		qsort(ord, n, sizeof(prop_ent), cmp_prop);
		for (i = 0; i < n; i++)
			rank[ord[i].pos] = i;
	}

	sb_putc(&b, '{');
	for (i = 0; i < n; i++)
	{
		int			k = rank[i];
		int			last;

		if (k > 0 && strcmp(ord[k - 1].name, r->props[i].name) == 0)
			continue;			/* written with its first occurrence */
		last = k;
		while (last + 1 < n &&
			   strcmp(ord[last + 1].name, r->props[i].name) == 0)
			last++;
		if (!first)
			sb_puts(&b, ", ");
		first = false;
		json_string(&b, r->props[i].name);
		sb_puts(&b, ": ");
		if (last == k)
			json_string(&b, r->props[i].value);
		else
		{
			sb_putc(&b, '[');
			for (j = k; j <= last; j++)
			{
				if (j > k)
					sb_puts(&b, ", ");
				json_string(&b, r->props[ord[j].pos].value);
			}
			sb_putc(&b, ']');
		}
	}
	sb_putc(&b, '}');
	free(ord);
	free(rank);
	if (oom)
	{
		free(b.data);
		return NULL;
	}
	return b.data;
}
