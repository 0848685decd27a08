/*-------------------------------------------------------------------------
 *
 * ma_msg.c
 *	  Header fields and From domains of raw messages (hostile input: every
 *	  read is bounded by len; NUL bytes are ordinary bytes).
 *
 *-------------------------------------------------------------------------
 */
#include "ma_msg.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/*
 * Walk the header block: call fn for every field with its name and its
 * unfolded value (CR/LF of folds removed).  The header ends at the first
 * empty line or at the end of the input.
 */
typedef bool (*field_fn) (void *arg, const char *name, size_t nlen, const char *val,
						  size_t vlen);

static void
walk_fields(const char *m, size_t len, field_fn fn, void *arg)
{
	size_t		p = 0;
	static char buf[65536];		/* one unfolded field, truncated */

	while (p < len)
	{
		size_t		ls = p,
					colon,
					bl = 0;

		if (m[p] == '\n' || (m[p] == '\r' && p + 1 < len && m[p + 1] == '\n'))
			return;				/* the empty line: end of the header */
		while (p < len && m[p] != '\n')
			p++;
		/* the name */
		for (colon = ls; colon < p && m[colon] != ':'; colon++)
			;
		if (colon == p)
		{
			p++;
			continue;			/* not a field: skip the line */
		}
		/* the value, with its continuation lines */
		{
			size_t		v = colon + 1;

			for (;;)
			{
				for (; v < p; v++)
					if (m[v] != '\r' && bl < sizeof(buf) - 1)
						buf[bl++] = m[v];
				p++;			/* past '\n' */
				if (p < len && (m[p] == ' ' || m[p] == '\t'))
				{
					v = p;
					while (p < len && m[p] != '\n')
						p++;
					continue;
				}
				break;
			}
		}
		buf[bl] = '\0';
		if (!fn(arg, m + ls, colon - ls, buf, bl))
			return;
	}
}

typedef struct from_ctx
{
	char		(*out)[256];
	int			max;
	int			n;
	int			nfields;
} from_ctx;

static void
add_domain(from_ctx *c, const char *d, size_t l)
{
	char		dom[256];

	while (l > 0 && (d[l - 1] == '.' || d[l - 1] == ' '))
		l--;
	if (l == 0 || l >= sizeof(dom))
		return;
	for (size_t i = 0; i < l; i++)
		dom[i] = (char) tolower((unsigned char) d[i]);
	dom[l] = '\0';
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->out[i], dom) == 0)
			return;
	if (c->n < c->max)
		strcpy(c->out[c->n++], dom);
}

static bool
from_field(void *arg, const char *name, size_t nlen, const char *val, size_t vlen)
{
	from_ctx   *c = arg;
	char		clean[65536];
	size_t		cl = 0;
	int			depth = 0;
	bool		quoted = false;

	if (nlen != 4 || strncasecmp(name, "From", 4) != 0)
		return true;
	c->nfields++;
	/* drop comments and quoted strings (display names may hold '@') */
	for (size_t i = 0; i < vlen && cl < sizeof(clean) - 1; i++)
	{
		char		ch = val[i];

		if (ch == '\\' && i + 1 < vlen)
		{
			i++;
			if (!quoted && depth == 0)
				clean[cl++] = val[i];
			continue;
		}
		if (quoted)
		{
			if (ch == '"')
				quoted = false;
			continue;
		}
		if (depth > 0)
		{
			if (ch == '(')
				depth++;
			else if (ch == ')')
				depth--;
			continue;
		}
		if (ch == '"')
			quoted = true;
		else if (ch == '(')
			depth = 1;
		else
			clean[cl++] = ch;
	}
	clean[cl] = '\0';
	/* every '@': the domain runs to the next delimiter */
	for (size_t i = 0; i < cl; i++)
	{
		if (clean[i] != '@')
			continue;
		{
			size_t		s = i + 1,
						e = s;

			while (s < cl && clean[s] == ' ')
				s++;
			e = s;
			while (e < cl && !strchr(">,; \t<[]", clean[e]))
				e++;
			add_domain(c, clean + s, e - s);
			i = e;
		}
	}
	return true;
}

int
ma_msg_from_domains(const char *msg, size_t len, char out[][256], int max, int *nfields)
{
	from_ctx	c = {out, max, 0, 0};

	walk_fields(msg, len, from_field, &c);
	*nfields = c.nfields;
	return c.n;
}

typedef struct hdr_ctx
{
	const char *name;
	char	   *out;
	size_t		outlen;
	bool		found;
} hdr_ctx;

static bool
hdr_field(void *arg, const char *name, size_t nlen, const char *val, size_t vlen)
{
	hdr_ctx    *c = arg;

	if (strlen(c->name) != nlen || strncasecmp(name, c->name, nlen) != 0)
		return true;
	while (vlen > 0 && (*val == ' ' || *val == '\t'))
		val++, vlen--;
	if (vlen >= c->outlen)
		vlen = c->outlen - 1;
	memcpy(c->out, val, vlen);
	c->out[vlen] = '\0';
	c->found = true;
	return false;
}

bool
ma_msg_header(const char *msg, size_t len, const char *name, char *out, size_t outlen)
{
	hdr_ctx		c = {name, out, outlen, false};

	if (outlen == 0)
		return false;
	out[0] = '\0';
	walk_fields(msg, len, hdr_field, &c);
	return c.found;
}
