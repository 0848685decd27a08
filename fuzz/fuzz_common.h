/*-------------------------------------------------------------------------
 *
 * fuzz_common.h
 *	  Shared helpers of the libFuzzer targets in fuzz/ (header-only, static
 *	  functions): a tiny master-file ("zone") reader whose records answer
 *	  the lookups of the core's evaluators, ma_dns_result blocks built the
 *	  way ma_dns_builder_finish() builds them, and the driver of the "waves"
 *	  DNS model (ma_wave.h) that answers every pending question from zones.
 *
 * No network, no clock: every answer comes from the fuzz input or from a
 * fixed zone compiled into the target, so a crash replays exactly.
 *
 * Zone text (what the targets read after their own header):
 *
 *	$ORIGIN example.test.          relative names below are under it
 *	$TTL 3600                      ignored
 *	$WORD value                    a directive handed to the target
 *	owner [ttl] [IN] TYPE rdata    TYPE: A AAAA MX PTR CNAME NS TXT
 *	owner TYPE !servfail           a status instead of records (nxdomain,
 *	                               nodata, servfail, refused, timeout,
 *	                               formerr, error); TYPE ANY: every type
 *	; comment
 *
 * Owners: "@" is the origin, a name ending in "." is absolute, others are
 * relative; a line starting with a blank keeps the previous owner; "*.x"
 * is a wildcard for names under x that have no records of their own.  TXT
 * rdata is one or more "quoted strings" (\" \\ and \DDD escapes; the strings
 * are concatenated, as the core's decoder does), or the rest of the line.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include "core/ma_dns.h"
#include "core/ma_wave.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* a broken contract of the code under test: report and abort (a "crash") */
#define FZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "FUZZ CHECK FAILED at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fprintf(stderr, "\n"); \
			abort(); \
		} \
	} while (0)

/* ---------------------------------------------------------------------
 * input splitting
 * ---------------------------------------------------------------------
 */

/* the position of sep in buf, or len when absent */
static size_t
fz_find(const uint8_t *buf, size_t len, const char *sep)
{
	size_t		sl = strlen(sep);

	if (sl == 0 || len < sl)
		return len;
	for (size_t i = 0; i + sl <= len; i++)
		if (buf[i] == (uint8_t) sep[0] && memcmp(buf + i, sep, sl) == 0)
			return i;
	return len;
}

/* a NUL-terminated malloc()ed copy of n bytes */
static char *
fz_strndup(const void *p, size_t n)
{
	char	   *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* ---------------------------------------------------------------------
 * results
 * ---------------------------------------------------------------------
 */

typedef struct fz_rr
{
	char	   *owner;			/* normalised: lowercase, no trailing dot */
	uint16_t	type;			/* MA_T_*, or 0 for "any type" (status only) */
	ma_dns_status status;		/* MA_DNS_OK: a record; else a status override */
	char	   *data;			/* presentation form, as the decoder gives it */
	size_t		datalen;
	char	   *target;			/* CNAME/PTR/NS/MX target, or NULL */
	uint16_t	pref;
	uint32_t	ttl;
} fz_rr;

/*
 * One malloc block holding the records, laid out like
 * ma_dns_builder_finish() lays them out (freed by ma_dns_result_release).
 */
static ma_dns_result *
fz_result(ma_dns_status st, const fz_rr *const *rrs, int n)
{
	size_t		size = sizeof(ma_dns_result) + (size_t) n * sizeof(ma_dns_rr);
	ma_dns_result *r;
	char	   *p;
	uint32_t	minttl = UINT32_MAX;

	for (int i = 0; i < n; i++)
		size += strlen(rrs[i]->owner) + 1 + rrs[i]->datalen + 1 +
			(rrs[i]->target ? strlen(rrs[i]->target) + 1 : 0);
	r = malloc(size);
	if (r == NULL)
		abort();
	memset(r, 0, sizeof(ma_dns_result));
	r->refcnt = 1;
	r->status = st;
	r->size = size;
	r->nrr = n;
	p = (char *) &r->rr[n];
	for (int i = 0; i < n; i++)
	{
		const fz_rr *s = rrs[i];
		ma_dns_rr  *d = &r->rr[i];
		size_t		l = strlen(s->owner) + 1;

		memset(d, 0, sizeof(*d));
		memcpy(p, s->owner, l);
		d->name = p;
		p += l;
		memcpy(p, s->data, s->datalen);
		p[s->datalen] = '\0';
		d->data = p;
		d->datalen = s->datalen;
		p += s->datalen + 1;
		if (s->target)
		{
			l = strlen(s->target) + 1;
			memcpy(p, s->target, l);
			d->target = p;
			p += l;
		}
		d->type = s->type;
		d->ttl = s->ttl;
		d->pref = s->pref;
		if (s->ttl < minttl)
			minttl = s->ttl;
	}
	r->ttl = st == MA_DNS_OK && n ? minttl : 0;
	return r;
}

/* ---------------------------------------------------------------------
 * zones
 * ---------------------------------------------------------------------
 */

typedef struct fz_zone
{
	fz_rr	   *rr;
	int			n;
	int			cap;
	char		origin[MA_DNS_MAXNAME + 1];
	char		owner[MA_DNS_MAXNAME + 1];	/* of the previous line */
} fz_zone;

/* directives other than $ORIGIN / $TTL go to the target */
typedef void (*fz_directive_fn) (void *arg, const char *word, const char *value);

#define FZ_MAX_RRS	2000

static void
fz_zone_init(fz_zone *z, const char *origin)
{
	memset(z, 0, sizeof(*z));
	snprintf(z->origin, sizeof(z->origin), "%s", origin ? origin : "");
}

static void
fz_zone_free(fz_zone *z)
{
	for (int i = 0; i < z->n; i++)
	{
		free(z->rr[i].owner);
		free(z->rr[i].data);
		free(z->rr[i].target);
	}
	free(z->rr);
	z->rr = NULL;
	z->n = z->cap = 0;
}

/*
 * name lowercased, octets outside printable ASCII written \\DDD: the
 * presentation form in which the wire decoder (ma_dnswire.c) hands every name
 * of an answer to the core, so no raw byte of the zone text reaches the
 * evaluators as part of a name (it cannot from a real server).  out holds
 * MA_DNS_MAXNAME + 1; false when the result is longer.
 */
static bool
fz_escape_name(const char *name, char *out)
{
	char		esc[MA_DNS_MAXNAME + 8];
	size_t		o = 0;

	for (const char *c = name; *c; c++)
	{
		unsigned char ch = (unsigned char) *c;

		if (o + 5 > sizeof(esc))
			return false;
		if (ch < 0x21 || ch > 0x7e)
			o += (size_t) snprintf(esc + o, sizeof(esc) - o, "\\%03u", ch);
		else
			esc[o++] = (char) tolower(ch);
	}
	esc[o] = '\0';
	if (o > MA_DNS_MAXNAME)
		return false;
	strcpy(out, esc);
	return true;
}

/* absolute, lowercased, no trailing dot; false when unusable */
static bool
fz_name(const fz_zone *z, const char *tok, char *out)
{
	size_t		l = strlen(tok);
	char		buf[2 * MA_DNS_MAXNAME + 4];

	if (l == 0)
		return false;
	if (strcmp(tok, "@") == 0)
		snprintf(buf, sizeof(buf), "%s", z->origin[0] ? z->origin : ".");
	else if (tok[l - 1] == '.')
		snprintf(buf, sizeof(buf), "%.*s", (int) (l > 1 ? l - 1 : 1), tok);
	else if (z->origin[0] && strcmp(z->origin, ".") != 0)
		snprintf(buf, sizeof(buf), "%s.%s", tok, z->origin);
	else
		snprintf(buf, sizeof(buf), "%s", tok);
	if (strlen(buf) > MA_DNS_MAXNAME)
		return false;
	return fz_escape_name(buf, out);
}

static int
fz_type(const char *t)
{
	static const struct
	{
		const char *n;
		int			t;
	}			types[] = {
		{"A", MA_T_A}, {"AAAA", MA_T_AAAA}, {"MX", MA_T_MX}, {"PTR", MA_T_PTR},
		{"CNAME", MA_T_CNAME}, {"NS", MA_T_NS}, {"TXT", MA_T_TXT}, {"SOA", MA_T_SOA},
		{"SRV", MA_T_SRV}, {"CAA", MA_T_CAA}, {"ANY", 0}
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(t, types[i].n) == 0)
			return types[i].t;
	return -1;
}

static ma_dns_status
fz_status(const char *w)
{
	static const struct
	{
		const char *n;
		ma_dns_status s;
	}			st[] = {
		{"nxdomain", MA_DNS_NXDOMAIN}, {"nodata", MA_DNS_NODATA},
		{"servfail", MA_DNS_SERVFAIL}, {"refused", MA_DNS_REFUSED},
		{"timeout", MA_DNS_TIMEOUT}, {"formerr", MA_DNS_FORMERR},
	};

	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		if (strncasecmp(w, st[i].n, strlen(st[i].n)) == 0)
			return st[i].s;
	return MA_DNS_ERROR;
}

static fz_rr *
fz_add(fz_zone *z, const char *owner, uint16_t type, uint32_t ttl)
{
	fz_rr	   *r;

	if (z->n >= FZ_MAX_RRS)
		return NULL;
	if (z->n == z->cap)
	{
		z->cap = z->cap ? z->cap * 2 : 16;
		z->rr = realloc(z->rr, z->cap * sizeof(fz_rr));
		if (z->rr == NULL)
			abort();
	}
	r = &z->rr[z->n++];
	memset(r, 0, sizeof(*r));
	r->owner = fz_strndup(owner, strlen(owner));
	r->type = type;
	r->ttl = ttl;
	r->status = MA_DNS_OK;
	return r;
}

/* TXT rdata: quoted strings concatenated, else the text as it stands */
static char *
fz_txt(const char *s, size_t *outlen)
{
	size_t		n = strlen(s);
	char	   *out = malloc(n + 1);
	size_t		o = 0;

	if (out == NULL)
		abort();
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '"')
	{
		n = strlen(s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		memcpy(out, s, n);
		out[n] = '\0';
		*outlen = n;
		return out;
	}
	while (*s)
	{
		if (*s != '"')
		{
			s++;
			continue;
		}
		s++;
		while (*s && *s != '"')
		{
			if (*s == '\\' && s[1])
			{
				if (isdigit((unsigned char) s[1]) && isdigit((unsigned char) s[2]) &&
					isdigit((unsigned char) s[3]))
				{
					out[o++] = (char) ((s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
					s += 4;
				}
				else
				{
					out[o++] = s[1];
					s += 2;
				}
			}
			else
				out[o++] = *s++;
		}
		if (*s == '"')
			s++;
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* next blank-separated token of *p (quotes not special), or NULL */
static char *
fz_tok(char **p)
{
	char	   *s = *p,
			   *t;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	t = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return t;
}

static void
fz_zone_line(fz_zone *z, char *line, fz_directive_fn dir, void *arg)
{
	bool		inq = false;
	bool		cont = (line[0] == ' ' || line[0] == '\t');
	char	   *p = line,
			   *tok,
			   *rdata;
	char		owner[MA_DNS_MAXNAME + 1];
	uint32_t	ttl = 300;
	int			type;
	fz_rr	   *r;

	/* comments (outside quoted strings) */
	for (char *c = line; *c; c++)
	{
		if (*c == '\\' && c[1])
			c++;
		else if (*c == '"')
			inq = !inq;
		else if (*c == ';' && !inq)
		{
			*c = '\0';
			break;
		}
	}
	if (line[0] == '$')
	{
		char	   *word = fz_tok(&p);
		char	   *val;

		while (*p == ' ' || *p == '\t')
			p++;
		val = p;
		if (strcasecmp(word, "$ORIGIN") == 0)
		{
			char		o[MA_DNS_MAXNAME + 1];

			tok = fz_tok(&val);
			if (tok && fz_name(z, tok, o))
				strcpy(z->origin, o);
		}
		else if (strcasecmp(word, "$TTL") != 0 && dir)
			dir(arg, word + 1, val);
		return;
	}
	if (cont)
	{
		if (z->owner[0] == '\0')
			return;
		strcpy(owner, z->owner);
	}
	else
	{
		tok = fz_tok(&p);
		if (tok == NULL || !fz_name(z, tok, owner))
			return;
		strcpy(z->owner, owner);
	}
	/* [ttl] [class] type */
	for (;;)
	{
		tok = fz_tok(&p);
		if (tok == NULL)
			return;
		if (isdigit((unsigned char) tok[0]))
			ttl = (uint32_t) strtoul(tok, NULL, 10);
		else if (strcasecmp(tok, "IN") != 0)
			break;
	}
	type = fz_type(tok);
	if (type < 0)
		return;
	while (*p == ' ' || *p == '\t')
		p++;
	rdata = p;
	if (rdata[0] == '!')
	{
		if ((r = fz_add(z, owner, (uint16_t) type, ttl)) == NULL)
			return;
		r->status = fz_status(rdata + 1);
		r->data = fz_strndup("", 0);
		return;
	}
	switch (type)
	{
		case MA_T_A:
		case MA_T_AAAA:
			{
				unsigned char a[16];
				char		txt[INET6_ADDRSTRLEN];
				int			fam = type == MA_T_A ? AF_INET : AF_INET6;

				tok = fz_tok(&p);
				if (tok == NULL || inet_pton(fam, tok, a) != 1)
					return;
				inet_ntop(fam, a, txt, sizeof(txt));
				if ((r = fz_add(z, owner, (uint16_t) type, ttl)) == NULL)
					return;
				r->data = fz_strndup(txt, strlen(txt));
				r->datalen = strlen(txt);
				return;
			}
		case MA_T_MX:
		case MA_T_CNAME:
		case MA_T_PTR:
		case MA_T_NS:
			{
				char		t[MA_DNS_MAXNAME + 1];
				char		d[MA_DNS_MAXNAME + 16];
				unsigned long pref = 0;

				if (type == MA_T_MX)
				{
					tok = fz_tok(&p);
					if (tok == NULL)
						return;
					pref = strtoul(tok, NULL, 10) & 0xffff;
				}
				tok = fz_tok(&p);
				if (tok == NULL || !fz_name(z, tok, t))
					return;
				if ((r = fz_add(z, owner, (uint16_t) type, ttl)) == NULL)
					return;
				if (type == MA_T_MX)
					snprintf(d, sizeof(d), "%lu %s%s", pref, strcmp(t, ".") ? t : "",
							 ".");
				else
					snprintf(d, sizeof(d), "%s%s", strcmp(t, ".") ? t : "", ".");
				r->pref = (uint16_t) pref;
				r->target = fz_strndup(t, strlen(t));
				r->data = fz_strndup(d, strlen(d));
				r->datalen = strlen(d);
				return;
			}
		case MA_T_TXT:
			if ((r = fz_add(z, owner, (uint16_t) type, ttl)) == NULL)
				return;
			r->data = fz_txt(rdata, &r->datalen);
			return;
		default:
			return;				/* SOA and others: not needed */
	}
}

/* read zone text (len bytes, NULs allowed only inside TXT \000 escapes) */
static void
fz_zone_parse(fz_zone *z, const char *text, size_t len, fz_directive_fn dir, void *arg)
{
	size_t		pos = 0;

	while (pos < len)
	{
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t		ll = nl ? (size_t) (nl - (text + pos)) : len - pos;
		char	   *line;

		if (ll > 0 && text[pos + ll - 1] == '\r')
			line = fz_strndup(text + pos, ll - 1);
		else
			line = fz_strndup(text + pos, ll);
		/* an embedded NUL just ends the line early */
		fz_zone_line(z, line, dir, arg);
		free(line);
		pos += ll + 1;
	}
}

static bool
fz_owner_has(const fz_zone *z, const char *name)
{
	for (int i = 0; i < z->n; i++)
		if (strcmp(z->rr[i].owner, name) == 0)
			return true;
	return false;
}

/* the owner that answers for name: itself, or a matching wildcard */
static const char *
fz_match_owner(const fz_zone *z, const char *name, char *buf)
{
	const char *dot;

	if (fz_owner_has(z, name))
		return name;
	for (dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.'))
	{
		snprintf(buf, MA_DNS_MAXNAME + 3, "*%s", dot);
		if (fz_owner_has(z, buf))
			return buf;
	}
	return NULL;
}

#define FZ_MAX_ANSWER	64
#define FZ_MAX_CHAIN	MA_DNS_MAX_CHAIN

/*
 * Answer (qname, qtype) from the zones (the first zone that knows a name
 * wins): a CNAME chain first, then the records of the asked type, as the
 * core's DNS layer returns them.  Never NULL.
 */
static ma_dns_result *
fz_answer(fz_zone *const *zones, int nzones, const char *qname, uint16_t qtype)
{
	const fz_rr *out[FZ_MAX_ANSWER];
	fz_rr		renamed[FZ_MAX_ANSWER];
	int			n = 0;
	char		cur[MA_DNS_MAXNAME + 3];
	char		wbuf[MA_DNS_MAXNAME + 3];
	char		owners[FZ_MAX_CHAIN + 1][MA_DNS_MAXNAME + 3];
	ma_dns_status st = MA_DNS_NXDOMAIN;

	/* the zone's names are in presentation form: ask alike */
	if (!fz_escape_name(qname, cur))
		return fz_result(MA_DNS_NXDOMAIN, out, 0);
	for (int hop = 0;; hop++)
	{
		const fz_zone *z = NULL;
		const char *own = NULL;
		const fz_rr *cname = NULL;
		bool		found = false;

		snprintf(owners[hop], sizeof(owners[hop]), "%s", cur);
		for (int i = 0; i < nzones && own == NULL; i++)
			if ((own = fz_match_owner(zones[i], cur, wbuf)) != NULL)
				z = zones[i];
		if (own == NULL)
		{
			st = MA_DNS_NXDOMAIN;
			break;
		}
		/* a status override for this type (or any type) wins */
		for (int i = 0; i < z->n; i++)
			if (z->rr[i].status != MA_DNS_OK && strcmp(z->rr[i].owner, own) == 0 &&
				(z->rr[i].type == qtype || z->rr[i].type == 0))
			{
				st = z->rr[i].status;
				goto done;
			}
		for (int i = 0; i < z->n && n < FZ_MAX_ANSWER; i++)
		{
			const fz_rr *r = &z->rr[i];

			if (r->status != MA_DNS_OK || strcmp(r->owner, own) != 0)
				continue;
			if (r->type == qtype)
			{
				/* a wildcard's records carry the asked name */
				renamed[n] = *r;
				renamed[n].owner = (char *) (own == cur ? r->owner : owners[hop]);
				out[n] = &renamed[n];
				n++;
				found = true;
			}
			else if (r->type == MA_T_CNAME && cname == NULL)
				cname = r;
		}
		if (found)
		{
			st = MA_DNS_OK;
			break;
		}
		if (cname != NULL && qtype != MA_T_CNAME && n < FZ_MAX_ANSWER)
		{
			if (hop >= FZ_MAX_CHAIN)
			{
				st = MA_DNS_SERVFAIL;	/* "CNAME chain too long" */
				break;
			}
			renamed[n] = *cname;
			renamed[n].owner = (char *) (own == cur ? cname->owner : owners[hop]);
			out[n] = &renamed[n];
			n++;
			snprintf(cur, sizeof(cur), "%s", cname->target);
			continue;
		}
		st = MA_DNS_NODATA;
		break;
	}
done:
	return fz_result(st, out, n);
}

/* answer every pending question of the wave; returns how many there were */
static int
fz_wave_resolve(ma_dns_wave *w, fz_zone *const *zones, int nzones)
{
	int			n = ma_dns_wave_npending(w);

	for (int i = 0; i < n; i++)
	{
		const char *name;
		uint16_t	type;
		ma_dns_result *r;

		ma_dns_wave_pending(w, i, &name, &type);
		r = fz_answer(zones, nzones, name, type);
		ma_dns_wave_answer(w, i, r);
		ma_dns_result_release(r);
	}
	ma_dns_wave_clear_pending(w);
	return n;
}

/*
 * A lookup callback that never says "not known yet": it answers on the spot
 * (through a wave store, which keeps the results alive until it is freed).
 */
typedef struct fz_direct
{
	ma_dns_wave *w;
	fz_zone    *const *zones;
	int			nzones;
	int			nasked;
} fz_direct;

static const ma_dns_result *
fz_direct_lookup(void *arg, const char *name, uint16_t type)
{
	fz_direct  *d = arg;
	const ma_dns_result *r = ma_dns_wave_lookup(d->w, name, type);

	d->nasked++;
	if (r == NULL)
	{
		fz_wave_resolve(d->w, d->zones, d->nzones);
		r = ma_dns_wave_lookup(d->w, name, type);
	}
	return r;
}

/* ---------------------------------------------------------------------
 * UTF-8
 * ---------------------------------------------------------------------
 */

/* is s (n bytes) well-formed UTF-8 (no overlongs, no surrogates) */
static bool
fz_utf8_valid(const unsigned char *s, size_t n)
{
	size_t		i = 0;

	while (i < n)
	{
		unsigned char c = s[i];
		size_t		k;
		uint32_t	cp;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, cp = c & 0x07;
		else
			return false;
		for (size_t j = 1; j <= k; j++)
		{
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
			(cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

#endif							/* FUZZ_COMMON_H */
