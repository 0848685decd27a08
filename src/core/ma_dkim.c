/*-------------------------------------------------------------------------
 *
 * ma_dkim.c
 *	  DKIM verification on libopendkim 2.11 (Debian 12's 2.11.0~beta2),
 *	  behind the waves DNS model (see ma_dkim.h).
 *
 * How it works: we split the header ourselves (rejecting what would reach
 * one of libopendkim's live assert()s: no header/body separator, NUL bytes
 * in the header, over-long fields, too many signatures), pre-scan the
 * DKIM-Signature fields and ask the lookup callback for every key record
 * of the message in one wave.  Only when all are known do we run
 * libopendkim, whose DNS hooks (query_start / waitreply / cancel) answer
 * from the callback with a minimal wire-format reply built from the
 * decoded ma_dns_result (NXDOMAIN as an NXDOMAIN packet; SERVFAIL, timeout
 * and unknown answers as a transport error, never as "no key").
 *
 * libopendkim pitfalls handled here:
 *	- dkim_eom() returns OK when any one signature passes: never a
 *	  per-signature verdict.  We read every DKIM_SIGINFO: its error, flags
 *	  and body-hash state (PASSED is set even on a body hash mismatch).
 *	- DKIM_LIBFLAGS_BADSIGHANDLES keeps malformed signatures listed,
 *	  DKIM_LIBFLAGS_FIXCRLF accepts bare-LF input.
 *	- dkim_canon_selecthdrs() writes past a heap array when h= names
 *	  every header field and one more: every header shown to it gets a
 *	  pad field no h= can name (overflow_pad()).
 *	- rsa-sha1 is never a pass (RFC 8301), RSA keys under 1024 bits are
 *	  refused, several From fields are never a pass, and a signature whose
 *	  l= leaves part of the body unsigned is "policy" when
 *	  ma_dkim_partial_body_policy is set (else a pass that says so in its
 *	  reason, as the DKIM vectors assert): all ours to enforce.
 *
 * Memory: the library handle, the verify handle and every query are freed
 * before we return, on every path.
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE				/* memmem */
#endif
#include "ma_dkim.h"
#include "ma_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include <opendkim/dkim.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

/* a pre-scanned header field */
typedef struct ma_field
{
	const char *p;				/* start of the field name */
	size_t		len;			/* without the final line ending */
	bool		is_sig;			/* a DKIM-Signature field */
} ma_field;

/* one query handed to libopendkim */
typedef struct ma_dkim_q
{
	int			rc;				/* DKIM_DNS_* for waitreply */
	size_t		len;
} ma_dkim_q;

typedef struct ma_dkim_ctx
{
	ma_spf_lookup_fn lookup;
	void	   *arg;
	bool		pending;
	bool		dns_error;		/* some key lookup had servfail/timeout/... */
	bool		oom;
} ma_dkim_ctx;

const char *
ma_dkim_res_name(ma_dkim_res r)
{
	switch (r)
	{
		case MA_DKIM_NONE:
			return "none";
		case MA_DKIM_PASS:
			return "pass";
		case MA_DKIM_FAIL:
			return "fail";
		case MA_DKIM_NEUTRAL:
			return "neutral";
		case MA_DKIM_POLICY:
			return "policy";
		case MA_DKIM_TEMPERROR:
			return "temperror";
		case MA_DKIM_PERMERROR:
			return "permerror";
	}
	return "permerror";
}

const char *
ma_dkim_version(void)
{
	static char v[32];
	uint32_t	n = dkim_libversion();

	snprintf(v, sizeof(v), "%u.%u.%u", (n >> 24) & 0xff, (n >> 16) & 0xff,
			 (n >> 8) & 0xff);
	return v;
}

void
ma_dkim_outcome_free(ma_dkim_outcome *out)
{
	if (out == NULL)
		return;
	for (int i = 0; i < out->nresults; i++)
	{
		ma_dkim_sig *s = &out->results[i];

		for (int j = 0; j < s->nsigned_headers; j++)
			free(s->signed_headers[j]);
		free(s->signed_headers);
	}
	free(out->results);
	out->results = NULL;
	out->nresults = 0;
}

/* ---------------------------------------------------------------------
 * message splitting and tag parsing
 * ---------------------------------------------------------------------
 */


/* treat a signature whose l= leaves body unsigned as "policy" (else pass) */

/* the libopendkim library handle of this process (see ma_dkim_verify_at) */
static DKIM_LIB *cached_lib = NULL;
bool		ma_dkim_partial_body_policy = false;

static bool
name_is(const ma_field *f, const char *name)
{
	size_t		n = strlen(name);
	size_t		i = n;

	if (f->len < n || strncasecmp(f->p, name, n) != 0)
		return false;
	/* WSP may precede the colon */
	while (i < f->len && (f->p[i] == ' ' || f->p[i] == '\t'))
		i++;
	return i < f->len && f->p[i] == ':';
}

/*
 * Split the header into fields.  Returns NULL when fine (*nf fields in
 * *fields, *body at the body), else a static problem.
 */
static const char *
split_header(const char *msg, size_t len, ma_field **fields, int *nf,
			 size_t *body)
{
	size_t		pos = 0;
	int			cap = 0;
	ma_field   *fs = NULL;
	int			n = 0;
	bool		sep = false;

	*fields = NULL;
	*nf = 0;
	while (pos < len)
	{
		const char *line = msg + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t		linelen = nl ? (size_t) (nl - line) : len - pos;
		size_t		next = nl ? pos + linelen + 1 : len;
		size_t		content = linelen;

		if (content > 0 && line[content - 1] == '\r')
			content--;
		if (content == 0 && nl != NULL)
		{
			sep = true;
			pos = next;
			break;
		}
		if (memchr(line, '\0', linelen) != NULL)
		{
			free(fs);
			return "NUL byte in the header";
		}
		if (line[0] == ' ' || line[0] == '\t')
		{
			if (n == 0)
			{
				free(fs);
				return "header starts with a continuation line";
			}
			fs[n - 1].len = (size_t) (line + content - fs[n - 1].p);
		}
		else
		{
			const char *colon = memchr(line, ':', content);

			if (colon == NULL || colon == line)
			{
				free(fs);
				return "malformed header field";
			}
			for (const char *c = line; c < colon; c++)
				if (*c <= 32 || *c >= 127)
				{
					/* WSP before the colon is obsolete syntax; allow it */
					const char *w = c;

					while (w < colon && (*w == ' ' || *w == '\t'))
						w++;
					if (w != colon)
					{
						free(fs);
						return "malformed header field name";
					}
					break;
				}
			if (n >= MA_DKIM_MAX_FIELDS)
			{
				free(fs);
				return "too many header fields";
			}
			if (n == cap)
			{
				int			ncap = cap ? cap * 2 : 32;
				ma_field   *nfs = realloc(fs, ncap * sizeof(ma_field));

				if (nfs == NULL)
				{
					free(fs);
					return "out of memory";
				}
				fs = nfs;
				cap = ncap;
			}
			fs[n].p = line;
			fs[n].len = content;
			fs[n].is_sig = false;
			n++;
		}
		if (fs[n - 1].len > MA_DKIM_MAX_FIELD)
		{
			free(fs);
			return "header field too long";
		}
		pos = next;
	}
	if (!sep)
	{
		free(fs);
		return "message has no header/body separator";
	}
	for (int i = 0; i < n; i++)
		fs[i].is_sig = name_is(&fs[i], "DKIM-Signature");
	*fields = fs;
	*nf = n;
	*body = pos;
	return NULL;
}

/*
 * Find tag "name" in the tag-list value of a DKIM-Signature field and copy
 * its value, folding whitespace removed, to buf.  Returns false if absent.
 */
static bool
get_tag(const ma_field *f, const char *name, char *buf, size_t buflen)
{
	const char *p = memchr(f->p, ':', f->len);
	const char *end = f->p + f->len;
	size_t		nlen = strlen(name);

	if (p == NULL || buflen == 0)
		return false;
	p++;
	while (p < end)
	{
		const char *semi = memchr(p, ';', end - p);
		const char *tend = semi ? semi : end;
		const char *eq;
		const char *t = p;

		while (t < tend && isspace((unsigned char) *t))
			t++;
		eq = memchr(t, '=', tend - t);
		if (eq != NULL)
		{
			const char *te = eq;

			while (te > t && isspace((unsigned char) te[-1]))
				te--;
			if ((size_t) (te - t) == nlen && strncmp(t, name, nlen) == 0)
			{
				size_t		o = 0;

				for (const char *v = eq + 1; v < tend; v++)
				{
					if (isspace((unsigned char) *v))
						continue;
					if (o + 1 >= buflen)
						break;
					buf[o++] = *v;
				}
				buf[o] = '\0';
				return true;
			}
		}
		p = semi ? semi + 1 : end;
	}
	return false;
}

static int64_t
tag_int(const ma_field *f, const char *name)
{
	char		buf[32];
	char	   *e;
	long long	v;

	if (!get_tag(f, name, buf, sizeof(buf)) || buf[0] == '\0')
		return -1;
	v = strtoll(buf, &e, 10);
	if (*e != '\0' || v < 0)
		return -1;
	return (int64_t) v;
}

/* fill the descriptive fields of a result from our own parse */
static bool
describe(const ma_field *f, ma_dkim_sig *s)
{
	char		h[4096];

	s->body_length = tag_int(f, "l");
	s->signed_at = tag_int(f, "t");
	s->expires_at = tag_int(f, "x");
	get_tag(f, "d", s->domain, sizeof(s->domain));
	get_tag(f, "s", s->selector, sizeof(s->selector));
	get_tag(f, "a", s->algorithm, sizeof(s->algorithm));
	if (!get_tag(f, "c", s->canon, sizeof(s->canon)) || s->canon[0] == '\0')
		snprintf(s->canon, sizeof(s->canon), "simple/simple");
	else if (strchr(s->canon, '/') == NULL && strlen(s->canon) < 12)
		strcat(s->canon, "/simple");
	if (!get_tag(f, "i", s->identity, sizeof(s->identity)) && s->domain[0])
		snprintf(s->identity, sizeof(s->identity), "@%s", s->domain);
	if (get_tag(f, "h", h, sizeof(h)) && h[0] != '\0')
	{
		int			n = 1;
		char	   *p;

		for (p = h; *p; p++)
			if (*p == ':')
				n++;
		s->signed_headers = calloc(n, sizeof(char *));
		if (s->signed_headers == NULL)
			return false;
		p = h;
		for (int i = 0; i < n; i++)
		{
			char	   *c = strchr(p, ':');

			if (c)
				*c = '\0';
			for (char *q = p; *q; q++)
				*q = (char) tolower((unsigned char) *q);
			s->signed_headers[i] = strdup(p);
			if (s->signed_headers[i] == NULL)
				return false;
			s->nsigned_headers = i + 1;
			p = c ? c + 1 : p + strlen(p);
		}
	}
	return true;
}

/* ---------------------------------------------------------------------
 * DNS hooks
 * ---------------------------------------------------------------------
 */

/* a minimal reply: header, question, TXT records.  Returns length or -1. */
static int
build_reply(const char *name, uint16_t qtype, const ma_dns_result *r,
			int rcode, unsigned char *buf, size_t buflen)
{
	size_t		o = 12;
	int			ancount = 0;
	const char *l = name;

	if (buflen < 512)
		return -1;
	memset(buf, 0, 12);
	buf[1] = 0;					/* id 0 */
	buf[2] = 0x85;				/* QR, AA, RD */
	buf[3] = (unsigned char) (0x80 | (rcode & 0x0f));	/* RA, rcode */
	buf[5] = 1;					/* qdcount */
	/* question name */
	while (*l)
	{
		const char *dot = strchr(l, '.');
		size_t		n = dot ? (size_t) (dot - l) : strlen(l);

		if (n == 0 || n > 63 || o + n + 1 >= buflen - 8)
			return -1;
		buf[o++] = (unsigned char) n;
		memcpy(buf + o, l, n);
		o += n;
		l += n;
		if (*l == '.')
			l++;
	}
	buf[o++] = 0;
	buf[o++] = (unsigned char) (qtype >> 8);
	buf[o++] = (unsigned char) qtype;
	buf[o++] = 0;
	buf[o++] = 1;				/* IN */

	for (int i = 0; r != NULL && i < r->nrr; i++)
	{
		const ma_dns_rr *rr = &r->rr[i];
		size_t		dlen = rr->data ? rr->datalen : 0;
		size_t		rdlen = dlen + (dlen + 254) / 255 + (dlen == 0 ? 1 : 0);
		size_t		done = 0;

		if (rr->type != qtype)
			continue;
		if (rdlen > 65535 || o + 12 + rdlen > buflen)
			return -1;
		buf[o++] = 0xc0;
		buf[o++] = 12;
		buf[o++] = (unsigned char) (qtype >> 8);
		buf[o++] = (unsigned char) qtype;
		buf[o++] = 0;
		buf[o++] = 1;
		buf[o++] = (unsigned char) (rr->ttl >> 24);
		buf[o++] = (unsigned char) (rr->ttl >> 16);
		buf[o++] = (unsigned char) (rr->ttl >> 8);
		buf[o++] = (unsigned char) rr->ttl;
		buf[o++] = (unsigned char) (rdlen >> 8);
		buf[o++] = (unsigned char) rdlen;
		if (dlen == 0)
			buf[o++] = 0;
		while (done < dlen)
		{
			size_t		n = dlen - done > 255 ? 255 : dlen - done;

			buf[o++] = (unsigned char) n;
			memcpy(buf + o, rr->data + done, n);
			o += n;
			done += n;
		}
		ancount++;
		if (ancount > 1000)
			return -1;
	}
	buf[6] = (unsigned char) (ancount >> 8);
	buf[7] = (unsigned char) ancount;
	return (int) o;
}

static int
dns_start(void *srv, int type, unsigned char *query, unsigned char *buf,
		  size_t buflen, void **qh)
{
	ma_dkim_ctx *ctx = srv;
	ma_dkim_q  *q = malloc(sizeof(ma_dkim_q));
	char		norm[MA_DNS_MAXNAME + 1];
	const ma_dns_result *r;
	int			n;

	*qh = q;
	if (q == NULL)
	{
		ctx->oom = true;
		ctx->dns_error = true;
		return DKIM_DNS_ERROR;
	}
	q->rc = DKIM_DNS_ERROR;
	q->len = 0;
	if (query == NULL || ma_dns_name_check((const char *) query, norm) != NULL)
	{
		/* not a name we can ask about: no such key */
		n = build_reply("invalid", (uint16_t) type, NULL, 3, buf, buflen);
		if (n > 0)
		{
			q->rc = DKIM_DNS_SUCCESS;
			q->len = (size_t) n;
		}
		return DKIM_DNS_SUCCESS;
	}
	r = ctx->lookup(ctx->arg, norm, (uint16_t) type);
	if (r == NULL)
	{
		ctx->pending = true;
		return DKIM_DNS_SUCCESS;	/* waitreply reports the error */
	}
	switch (r->status)
	{
		case MA_DNS_OK:
		case MA_DNS_NODATA:
			n = build_reply(norm, (uint16_t) type, r, 0, buf, buflen);
			break;
		case MA_DNS_NXDOMAIN:
			n = build_reply(norm, (uint16_t) type, NULL, 3, buf, buflen);
			break;
		default:
			ctx->dns_error = true;
			return DKIM_DNS_SUCCESS;
	}
	if (n < 0)
	{
		ctx->dns_error = true;
		return DKIM_DNS_SUCCESS;
	}
	q->rc = DKIM_DNS_SUCCESS;
	q->len = (size_t) n;
	return DKIM_DNS_SUCCESS;
}

static int
dns_waitreply(void *srv, void *qh, struct timeval *to, size_t *bytes,
			  int *error, int *dnssec)
{
	ma_dkim_q  *q = qh;

	(void) srv;
	(void) to;
	if (error)
		*error = 0;
	if (dnssec)
		*dnssec = DKIM_DNSSEC_UNKNOWN;
	if (q == NULL || q->rc != DKIM_DNS_SUCCESS)
		return DKIM_DNS_ERROR;
	if (bytes)
		*bytes = q->len;
	return DKIM_DNS_SUCCESS;
}

static int
dns_cancel(void *srv, void *qh)
{
	(void) srv;
	free(qh);
	return DKIM_DNS_SUCCESS;
}

/* ---------------------------------------------------------------------
 * verdicts
 * ---------------------------------------------------------------------
 */

static void
set(ma_dkim_sig *s, ma_dkim_res res, const char *reason)
{
	s->result = res;
	snprintf(s->reason, sizeof(s->reason), "%s", reason);
}

static void
map_error(ma_dkim_sig *s, int err, bool dns_error)
{
	switch (err)
	{
		case DKIM_SIGERROR_BADSIG:
			set(s, MA_DKIM_FAIL, "signature mismatch");
			break;
		case DKIM_SIGERROR_VERSION:
		case DKIM_SIGERROR_MISSING_V:
		case DKIM_SIGERROR_EMPTY_V:
			set(s, MA_DKIM_PERMERROR, "unsupported signature version");
			break;
		case DKIM_SIGERROR_DOMAIN:
			set(s, MA_DKIM_PERMERROR, "i= not within d=");
			break;
		case DKIM_SIGERROR_EXPIRED:
			set(s, MA_DKIM_PERMERROR, "signature expired");
			break;
		case DKIM_SIGERROR_FUTURE:
			set(s, MA_DKIM_PERMERROR, "signature in the future");
			break;
		case DKIM_SIGERROR_TIMESTAMPS:
			set(s, MA_DKIM_PERMERROR, "x= before t=");
			break;
		case DKIM_SIGERROR_INVALID_HC:
		case DKIM_SIGERROR_INVALID_BC:
			set(s, MA_DKIM_PERMERROR, "unknown canonicalization");
			break;
		case DKIM_SIGERROR_INVALID_A:
			set(s, MA_DKIM_PERMERROR, "unknown algorithm");
			break;
		case DKIM_SIGERROR_INVALID_H:
			set(s, MA_DKIM_PERMERROR, "h= does not include From");
			break;
		case DKIM_SIGERROR_INVALID_Q:
		case DKIM_SIGERROR_INVALID_QO:
			set(s, MA_DKIM_PERMERROR, "unknown query method");
			break;
		case DKIM_SIGERROR_CORRUPT_B:
		case DKIM_SIGERROR_CORRUPT_BH:
			set(s, MA_DKIM_PERMERROR, "syntax error in signature (bad base64)");
			break;
		case DKIM_SIGERROR_NOKEY:
			set(s, MA_DKIM_PERMERROR, "key not found");
			break;
		case DKIM_SIGERROR_DNSSYNTAX:
			set(s, MA_DKIM_PERMERROR, "key record syntax error");
			break;
		case DKIM_SIGERROR_KEYFAIL:
			if (dns_error)
				set(s, MA_DKIM_TEMPERROR, "key lookup failed");
			else
				set(s, MA_DKIM_PERMERROR, "key record unusable");
			break;
		case DKIM_SIGERROR_SUBDOMAIN:
			set(s, MA_DKIM_PERMERROR, "key forbids i= subdomain (t=s)");
			break;
		case DKIM_SIGERROR_MULTIREPLY:
			set(s, MA_DKIM_PERMERROR, "several key records");
			break;
		case DKIM_SIGERROR_TOOLARGE_L:
			set(s, MA_DKIM_PERMERROR, "l= exceeds the body length");
			break;
		case DKIM_SIGERROR_KEYVERSION:
			set(s, MA_DKIM_PERMERROR, "key record syntax error");
			break;
		case DKIM_SIGERROR_KEYUNKNOWNHASH:
		case DKIM_SIGERROR_KEYHASHMISMATCH:
			set(s, MA_DKIM_PERMERROR, "hash algorithm not allowed by key");
			break;
		case DKIM_SIGERROR_NOTEMAILKEY:
			set(s, MA_DKIM_PERMERROR, "key not for e-mail");
			break;
		case DKIM_SIGERROR_KEYTYPEMISSING:
		case DKIM_SIGERROR_KEYTYPEUNKNOWN:
			set(s, MA_DKIM_PERMERROR, "unknown key type");
			break;
		case DKIM_SIGERROR_KEYREVOKED:
			set(s, MA_DKIM_PERMERROR, "key revoked");
			break;
		case DKIM_SIGERROR_KEYDECODE:
			set(s, MA_DKIM_PERMERROR, "key could not be decoded");
			break;
		case DKIM_SIGERROR_KEYTOOSMALL:
			set(s, MA_DKIM_PERMERROR, "key too short");
			break;
		default:
			set(s, MA_DKIM_PERMERROR, "syntax error in signature");
			break;
	}
}

static bool
is_base64(const char *v)
{
	size_t		n = 0;
	int			pad = 0;

	for (; *v; v++, n++)
	{
		if (*v == '=')
			pad++;
		else if (pad > 0 || !(isalnum((unsigned char) *v) || *v == '+' || *v == '/'))
			return false;
	}
	return pad <= 2 && n % 4 == 0;
}

/* our own syntax checks of the tag list; NULL if fine, else a reason */
static const char *
check_tags(const ma_field *f)
{
	const char *p = memchr(f->p, ':', f->len);
	const char *end = f->p + f->len;
	char		seen[64][8];
	int			nseen = 0;
	char		v[2048];

	if (p == NULL)
		return "syntax error in signature";
	p++;
	while (p < end)
	{
		const char *semi = memchr(p, ';', end - p);
		const char *tend = semi ? semi : end;
		const char *t = p;
		const char *eq;
		const char *te;

		while (t < tend && isspace((unsigned char) *t))
			t++;
		if (t < tend)
		{
			eq = memchr(t, '=', tend - t);
			if (eq == NULL || eq == t || !isalpha((unsigned char) *t))
				return "syntax error in signature (not a tag list)";
			te = eq;
			while (te > t && isspace((unsigned char) te[-1]))
				te--;
			for (const char *c = t; c < te; c++)
				if (!isalnum((unsigned char) *c) && *c != '_')
					return "syntax error in signature (bad tag name)";
			if (te - t < 8)
			{
				for (int i = 0; i < nseen; i++)
					if (strlen(seen[i]) == (size_t) (te - t) &&
						strncmp(seen[i], t, te - t) == 0)
						return "syntax error in signature (duplicate tag)";
				if (nseen < 64)
				{
					memcpy(seen[nseen], t, te - t);
					seen[nseen][te - t] = '\0';
					nseen++;
				}
			}
		}
		p = semi ? semi + 1 : end;
	}
	if (get_tag(f, "b", v, sizeof(v)) && !is_base64(v))
		return "syntax error in signature (bad base64 in b=)";
	if (get_tag(f, "bh", v, sizeof(v)) && !is_base64(v))
		return "syntax error in signature (bad base64 in bh=)";
	return NULL;
}

/* compare the b= of a libopendkim signature with ours, whitespace removed */
static bool
same_b(DKIM_SIGINFO *sig, const ma_field *f)
{
	char		mine[2048];
	char		theirs[2048];
	u_char	   *b = dkim_sig_gettagvalue(sig, false, (u_char *) "b");
	size_t		o = 0;

	if (b == NULL || !get_tag(f, "b", mine, sizeof(mine)))
		return false;
	for (const u_char *p = b; *p && o + 1 < sizeof(theirs); p++)
		if (!isspace(*p))
			theirs[o++] = (char) *p;
	theirs[o] = '\0';
	return strcmp(mine, theirs) == 0;
}

/*
 * The length of the canonicalized body (RFC 6376 3.4.3 and 3.4.4), bare LF
 * counted as CRLF: what l= must cover for the whole body to be signed.
 */
static uint64_t
canon_body_len(const char *b, size_t len, bool relaxed)
{
	uint64_t	total = 0;
	uint64_t	empty = 0;		/* empty lines not yet counted */
	size_t		pos = 0;

	while (pos < len)
	{
		const char *nl = memchr(b + pos, '\n', len - pos);
		size_t		end = nl ? (size_t) (nl - b) : len;
		size_t		c = end;
		uint64_t	n = 0;

		if (nl && c > pos && b[c - 1] == '\r')
			c--;
		if (relaxed)
		{
			bool		ws = false;

			for (size_t i = pos; i < c; i++)
			{
				if (b[i] == ' ' || b[i] == '\t')
					ws = true;
				else
				{
					if (ws && n > 0)
						n++;
					else if (ws)
						n++;
					ws = false;
					n++;
				}
			}
		}
		else
			n = c - pos;
		if (n == 0)
			empty++;
		else
		{
			total += empty * 2 + n + 2;
			empty = 0;
		}
		pos = nl ? end + 1 : len;
	}
	if (total == 0 && !relaxed)
		total = 2;
	return total;
}


/* ---------------------------------------------------------------------
 * the crypto fast path
 *
 * Measured (callgrind, bench/dkim_peers/opendkim_bench.c): 65 % of a
 * libopendkim verification is d2i_PUBKEY_bio(), which OpenSSL 3.0 runs
 * through a freshly built OSSL_DECODER context on every call; libopendkim
 * decodes the key again for every message.  So libopendkim runs with
 * DKIM_LIBFLAGS_DELAYSIGPROC and a "final" callback, called in dkim_eom()
 * once the header and body hashes are final and before any signature is
 * processed.  For each signature whose key record is plain (one TXT record
 * with only v=DKIM1, k=, h=, s=, t=y, n= and p= tags, all of them allowing
 * this signature), the callback verifies the header hash with a key
 * decoded once per process (a small cache keyed by the p= text), compares
 * the body hash and marks the signature "ignore" so libopendkim leaves it
 * alone.  Everything else (rsa-sha1, several records, t=s, g=, unknown
 * tags, keys that do not decode ...) is left to libopendkim, which
 * processes it in dkim_eom() as before.  The verdicts are the ones
 * libopendkim would give: the DKIM corpora check both paths.
 * ---------------------------------------------------------------------
 */

#define MA_KEYCACHE 32

typedef struct ma_keyent
{
	char	   *p;				/* the p= text, whitespace removed */
	EVP_PKEY   *pkey;
	EVP_PKEY_CTX *vctx;			/* RSA: initialised for PKCS#1 v1.5 sha256 */
	int			bits;
	uint64_t	used;
} ma_keyent;

static ma_keyent keycache[MA_KEYCACHE];
static uint64_t keyclock = 0;
bool		ma_dkim_fast_crypto = true;
uint64_t	ma_dkim_fast_used = 0;	/* signatures verified here (for tests) */

/* per-call state the final callback fills, by siglist index */
typedef struct ma_fast
{
	bool		used;			/* verified here, ignored by libopendkim */
	bool		passed;			/* header signature good */
	bool		bh_match;
	bool		testing;
	int			bits;
} ma_fast;

typedef struct ma_dkim_call
{
	ma_dkim_ctx *ctx;
	ma_fast    *fast;
	int			nfast;
} ma_dkim_call;

/* strict base64 (whitespace skipped) into out; -1 on any other byte */
static int
b64dec(const char *in, unsigned char *out, size_t outlen)
{
	uint32_t	acc = 0;
	int			bits = 0;
	size_t		o = 0;
	int			pad = 0;

	for (; *in; in++)
	{
		int			v;

		if (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
			continue;
		if (*in == '=')
		{
			pad++;
			continue;
		}
		if (pad || (v = ma_b64val((unsigned char) *in)) < 0)
			return -1;
		acc = (acc << 6) | (uint32_t) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			if (o >= outlen)
				return -1;
			out[o++] = (unsigned char) (acc >> bits);
		}
	}
	if (pad > 2)
		return -1;
	return (int) o;
}

/* is item (case-insensitive) in the colon-separated list v? */
static bool
in_list(const char *v, const char *item)
{
	size_t		n = strlen(item);

	while (*v)
	{
		const char *e;
		const char *a;
		const char *b;

		while (*v == ':' || isspace((unsigned char) *v))
			v++;
		e = strchr(v, ':');
		if (e == NULL)
			e = v + strlen(v);
		a = v;
		b = e;
		while (b > a && isspace((unsigned char) b[-1]))
			b--;
		if ((size_t) (b - a) == n && strncasecmp(a, item, n) == 0)
			return true;
		v = e;
	}
	return false;
}

/*
 * A plain key record that allows this signature: fills p (whitespace
 * removed) and *testing; false means "leave it to libopendkim".
 */
static bool
plain_key(const char *rec, size_t len, bool ed25519, char *p, size_t plen,
		  bool *testing)
{
	char		buf[4096];
	char	   *save = NULL;
	bool		seen_p = false;
	int			ntag = 0;
	char		seen[128] = {0};

	if (len == 0 || len >= sizeof(buf))
		return false;
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) rec[i];

		if (!(c == ' ' || c == '\t' || (c >= 0x21 && c <= 0x7e)))
			return false;
	}
	memcpy(buf, rec, len);
	buf[len] = '\0';
	*testing = false;
	for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save))
	{
		char	   *eq = strchr(t, '=');
		char	   *name = t;
		char	   *val;
		char	   *e;

		while (isspace((unsigned char) *name))
			name++;
		if (*name == '\0')
			continue;			/* empty (trailing ';') */
		if (eq == NULL)
			return false;
		e = eq;
		while (e > name && isspace((unsigned char) e[-1]))
			e--;
		*e = '\0';
		val = eq + 1;
		while (isspace((unsigned char) *val))
			val++;
		e = val + strlen(val);
		while (e > val && isspace((unsigned char) e[-1]))
			e--;
		*e = '\0';
		if (strlen(name) != 1 && strcmp(name, "v") != 0)
			return false;		/* only one-letter tags */
		if (seen[(unsigned char) name[0] & 0x7f]++)
			return false;		/* duplicate tag */
		switch (name[0])
		{
			case 'v':
				if (ntag != 0 || strcmp(val, "DKIM1") != 0)
					return false;
				break;
			case 'k':
				if (strcasecmp(val, ed25519 ? "ed25519" : "rsa") != 0)
					return false;
				break;
			case 'h':
				if (!in_list(val, "sha256"))
					return false;
				break;
			case 's':
				if (!in_list(val, "*") && !in_list(val, "email"))
					return false;
				break;
			case 't':
				for (const char *q = val; *q; q++)
					if (!(*q == 'y' || *q == ':' || isspace((unsigned char) *q)))
						return false;
				*testing = in_list(val, "y");
				break;
			case 'n':
				break;
			case 'p':
				{
					size_t		o = 0;

					for (const char *q = val; *q; q++)
					{
						if (isspace((unsigned char) *q))
							continue;
						if (o + 1 >= plen)
							return false;
						p[o++] = *q;
					}
					p[o] = '\0';
					if (o == 0)
						return false;	/* revoked: libopendkim says so */
					seen_p = true;
				}
				break;
			default:
				return false;
		}
		ntag++;
	}
	if (ed25519 && !seen['k'])
		return false;			/* k= defaults to rsa */
	return seen_p;
}

/* the cached key for p (decoded on a miss), or NULL: leave it to libopendkim */
static ma_keyent *
key_for(const char *p, bool ed25519)
{
	ma_keyent  *slot = NULL;
	unsigned char der[2048];
	int			n;
	EVP_PKEY   *pkey = NULL;
	EVP_PKEY_CTX *vctx = NULL;

	for (int i = 0; i < MA_KEYCACHE; i++)
	{
		if (keycache[i].p && strcmp(keycache[i].p, p) == 0)
		{
			if ((EVP_PKEY_get_id(keycache[i].pkey) == EVP_PKEY_ED25519) != ed25519)
				return NULL;
			keycache[i].used = ++keyclock;
			return &keycache[i];
		}
		if (slot == NULL || keycache[i].used < slot->used)
			slot = &keycache[i];
	}
	n = b64dec(p, der, sizeof(der));
	if (n <= 0)
		return NULL;
	if (ed25519)
	{
		if (n != 32)
			return NULL;
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, (size_t) n);
	}
	else
	{
		const unsigned char *q = der;

		pkey = d2i_PUBKEY(NULL, &q, n);
		if (pkey != NULL && (EVP_PKEY_get_id(pkey) != EVP_PKEY_RSA || q != der + n))
		{
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		if (pkey != NULL)
		{
			vctx = EVP_PKEY_CTX_new(pkey, NULL);
			if (vctx == NULL || EVP_PKEY_verify_init(vctx) <= 0 ||
				EVP_PKEY_CTX_set_rsa_padding(vctx, RSA_PKCS1_PADDING) <= 0 ||
				EVP_PKEY_CTX_set_signature_md(vctx, EVP_sha256()) <= 0)
			{
				EVP_PKEY_CTX_free(vctx);
				EVP_PKEY_free(pkey);
				pkey = NULL;
				vctx = NULL;
			}
		}
	}
	ERR_clear_error();
	if (pkey == NULL)
		return NULL;
	if (slot->p)
	{
		free(slot->p);
		EVP_PKEY_CTX_free(slot->vctx);
		EVP_PKEY_free(slot->pkey);
		memset(slot, 0, sizeof(*slot));
	}
	slot->p = strdup(p);
	if (slot->p == NULL)
	{
		EVP_PKEY_CTX_free(vctx);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	slot->pkey = pkey;
	slot->vctx = vctx;
	/* as libopendkim reports it: 8 x RSA_size() for RSA, 0 for Ed25519 */
	slot->bits = ed25519 ? 0 : 8 * EVP_PKEY_get_size(pkey);
	slot->used = ++keyclock;
	return slot;
}

static DKIM_CBSTAT
final_cb(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	ma_dkim_call *call = dkim_get_user_context(dkim);

	if (call == NULL || !ma_dkim_fast_crypto)
		return DKIM_CBSTAT_CONTINUE;
	for (int i = 0; i < nsigs && i < call->nfast; i++)
	{
		DKIM_SIGINFO *sig = sigs[i];
		dkim_alg_t	alg = DKIM_SIGN_UNKNOWN;
		bool		ed;
		char		name[600];
		char		norm[MA_DNS_MAXNAME + 1];
		const ma_dns_result *r;
		const ma_dns_rr *txt = NULL;
		int			ntxt = 0;
		char		p[3000];
		bool		testing;
		ma_keyent  *k;
		void	   *hh = NULL;
		void	   *bh = NULL;
		size_t		hhlen = 0;
		size_t		bhlen = 0;
		u_char	   *bval;
		u_char	   *bhval;
		unsigned char sigbuf[1024];
		unsigned char bhbuf[64];
		int			siglen;
		int			bhtaglen;
		const u_char *sel = dkim_sig_getselector(sig);
		const u_char *dom = dkim_sig_getdomain(sig);

		if ((dkim_sig_getflags(sig) & (DKIM_SIGFLAG_IGNORE | DKIM_SIGFLAG_PROCESSED)) != 0 ||
			dkim_sig_geterror(sig) != DKIM_SIGERROR_UNKNOWN)
			continue;
		if (dkim_sig_getsignalg(sig, &alg) != DKIM_STAT_OK ||
			(alg != DKIM_SIGN_RSASHA256 && alg != DKIM_SIGN_ED25519SHA256))
			continue;
		ed = alg == DKIM_SIGN_ED25519SHA256;
		if (sel == NULL || dom == NULL)
			continue;
		snprintf(name, sizeof(name), "%s._domainkey.%s", sel, dom);
		if (ma_dns_name_check(name, norm) != NULL)
			continue;
		r = call->ctx->lookup(call->ctx->arg, norm, MA_T_TXT);
		if (r == NULL || r->status != MA_DNS_OK)
			continue;
		for (int j = 0; j < r->nrr; j++)
			if (r->rr[j].type == MA_T_TXT)
			{
				txt = &r->rr[j];
				ntxt++;
			}
		if (ntxt != 1 || txt->data == NULL ||
			memchr(txt->data, '\0', txt->datalen) != NULL ||
			!plain_key(txt->data, txt->datalen, ed, p, sizeof(p), &testing))
			continue;
		if ((k = key_for(p, ed)) == NULL)
			continue;
		if (dkim_sig_gethashes(sig, &hh, &hhlen, &bh, &bhlen) != DKIM_STAT_OK ||
			hh == NULL || bh == NULL || hhlen != 32 || bhlen != 32)
			continue;
		bval = dkim_sig_gettagvalue(sig, false, (u_char *) "b");
		bhval = dkim_sig_gettagvalue(sig, false, (u_char *) "bh");
		if (bval == NULL || bhval == NULL)
			continue;
		siglen = b64dec((const char *) bval, sigbuf, sizeof(sigbuf));
		bhtaglen = b64dec((const char *) bhval, bhbuf, sizeof(bhbuf));
		if (siglen <= 0 || bhtaglen < 0)
			continue;			/* libopendkim's own words for it */

		call->fast[i].used = true;
		call->fast[i].testing = testing;
		call->fast[i].bits = k->bits;
		if (ed)
		{
			EVP_MD_CTX *md = EVP_MD_CTX_new();

			call->fast[i].passed = md != NULL &&
				EVP_DigestVerifyInit(md, NULL, NULL, NULL, k->pkey) == 1 &&
				EVP_DigestVerify(md, sigbuf, (size_t) siglen, hh, hhlen) == 1;
			EVP_MD_CTX_free(md);
		}
		else
			call->fast[i].passed =
				EVP_PKEY_verify(k->vctx, sigbuf, (size_t) siglen, hh, hhlen) == 1;
		ERR_clear_error();
		{
			/* as libopendkim does: our base64 of the hash against the tag text */
			unsigned char enc[64];
			char		tag[128];
			size_t		o = 0;

			EVP_EncodeBlock(enc, bh, (int) bhlen);
			for (const u_char *q = bhval; *q && o + 1 < sizeof(tag); q++)
				if (!isspace(*q))
					tag[o++] = (char) *q;
			tag[o] = '\0';
			call->fast[i].bh_match = strcmp((const char *) enc, tag) == 0;
		}
		dkim_sig_ignore(sig);
		ma_dkim_fast_used++;
	}
	return DKIM_CBSTAT_CONTINUE;
}

/*
 * libopendkim 2.11's dkim_canon_selecthdrs() sizes its array of selected
 * fields by the number of header fields of the message and, for every name
 * of a signature's h= list, stores a NULL at the next slot before it looks
 * for an unused field of that name.  When the names have consumed every
 * field (h= may name the DKIM-Signature field itself) and one more name
 * follows, that store lands past the array: a heap overflow that aborts
 * the backend on a later free() (found by fuzz/fuzz_dkim_verify; the inputs
 * are in fuzz/regressions/).  A field that no h= list names can never be
 * consumed, so with one such field in the header the store stays inside
 * the array whatever the h= lists say.  Signatures are unaffected: a field
 * they do not name is not hashed.
 *
 * The first version of this fix added the pad field only when our own parse
 * of some h= (get_tag) listed as many names as the message has fields.  But
 * libopendkim reads a tag list its own way: of a repeated tag the *last*
 * one counts (dkim_add_plist() replaces the value), where get_tag() takes
 * the first, so "h=x; ...; h=from:dkim-signature:x" passed unpadded and
 * overflowed all the same (fuzz_dkim_verify, seed 1, after 2,802 runs;
 * check_tags() refuses the duplicate, but only after libopendkim has run).
 * So the pad is now added to every message, and its name is chosen without
 * parsing any tag list: "X-Mailauth-Pad<N>" with an N (0 on ordinary mail)
 * such that the name occurs nowhere in the text of the fields handed to
 * libopendkim, compared as libopendkim compares field names (case-
 * insensitively), the text taken with all white space removed.  Every h= name libopendkim can see is a
 * piece of that text (dkim_process_set() removes white space from tag
 * values, dkim_canon_selecthdrs() splits the value at ':' and may truncate
 * it), so none can be the pad's name.
 *
 * Returns false when out of memory (then libopendkim must not be run).
 */
#define MA_PAD_PREFIX "x-mailauth-pad"

/* fields[i] with white space removed and lower-cased into buf; its length */
static size_t
squeeze(const ma_field *f, char *buf)
{
	size_t		o = 0;

	for (size_t j = 0; j < f->len; j++)
	{
		unsigned char c = (unsigned char) f->p[j];

		if (!isspace(c))
			buf[o++] = (char) tolower(c);
	}
	return o;
}

static bool
overflow_pad(const ma_field *fields, int nf, int nfed, char *pad, size_t padlen)
{
	const size_t plen = strlen(MA_PAD_PREFIX);
	char	   *buf = malloc(MA_DKIM_MAX_FIELD + 1);
	unsigned char *blocked = NULL;
	size_t		occ = 0;
	int			digits = 1;
	size_t		lo = 0;			/* the candidates: N in [lo, hi) */
	size_t		hi = 10;
	size_t		n;

	if (buf == NULL)
		return false;

	/*
	 * The candidates are the numbers of one digit count: 0-9, else 10-99,
	 * and so on.  An occurrence of the prefix in the text rules out at most
	 * one of them (the one its next digits spell), so with fewer occurrences
	 * than candidates one is free.  Pass 1 counts the occurrences and picks
	 * the digit count, pass 2 marks what they rule out.
	 */
	for (int pass = 1; pass <= 2; pass++)
	{
		for (int i = 0, k = 0; i < nf; i++)
		{
			size_t		len;
			const char *p;
			const char *end;

			if (fields[i].is_sig && k++ >= nfed)
				continue;		/* not shown to libopendkim */
			len = squeeze(&fields[i], buf);
			end = buf + len;
			for (p = buf; (size_t) (end - p) >= plen &&
				 (p = memmem(p, end - p, MA_PAD_PREFIX, plen)) != NULL; p += plen)
			{
				const char *d = p + plen;
				size_t		v = 0;
				int			j;

				if (pass == 1)
				{
					occ++;
					continue;
				}
				for (j = 0; j < digits && d + j < end && isdigit((unsigned char) d[j]); j++)
					v = v * 10 + (size_t) (d[j] - '0');
				if (j == digits && v >= lo && v < hi)
					blocked[v - lo] = 1;
			}
		}
		if (pass == 1)
		{
			if (occ == 0)
				break;
			while (hi - lo <= occ)
			{
				digits++;
				lo = hi;
				hi *= 10;
			}
			blocked = calloc(hi - lo, 1);
			if (blocked == NULL)
			{
				free(buf);
				return false;
			}
		}
	}
	for (n = 0; blocked != NULL && blocked[n]; n++)
		;
	snprintf(pad, padlen, "X-Mailauth-Pad%zu", lo + n);
	free(blocked);
	free(buf);
	return true;
}

static void
judge(DKIM_SIGINFO *sig, const ma_fast *fast, const ma_field *f, ma_dkim_sig *s,
	  ma_dkim_ctx *ctx, int nfrom, const char *body, size_t bodylen)
{
	const char *problem;
	unsigned int flags = dkim_sig_getflags(sig);
	int			err = dkim_sig_geterror(sig);
	int			bh = dkim_sig_getbh(sig);
	unsigned int bits = 0;
	int			nfrom_signed = 0;

	if (fast != NULL && fast->used)
	{
		/* verified by final_cb: the states libopendkim would have set */
		flags = DKIM_SIGFLAG_PROCESSED | (fast->passed ? DKIM_SIGFLAG_PASSED : 0) |
			(fast->testing ? DKIM_SIGFLAG_TESTKEY : 0);
		err = fast->passed && fast->bh_match ? DKIM_SIGERROR_OK : DKIM_SIGERROR_BADSIG;
		bh = !fast->passed ? DKIM_SIGBH_UNTESTED :
			fast->bh_match ? DKIM_SIGBH_MATCH : DKIM_SIGBH_MISMATCH;
		s->key_bits = fast->bits;
	}
	else if (dkim_sig_getkeysize(sig, &bits) == DKIM_STAT_OK)
		s->key_bits = (int) bits;
	s->testing = (flags & DKIM_SIGFLAG_TESTKEY) != 0;

	if (err != DKIM_SIGERROR_OK && err != DKIM_SIGERROR_UNKNOWN)
	{
		if (err == DKIM_SIGERROR_BADSIG && bh == DKIM_SIGBH_MISMATCH)
			set(s, MA_DKIM_FAIL, "body hash mismatch");
		else
			map_error(s, err, ctx->dns_error);
		return;
	}
	if ((problem = check_tags(f)) != NULL)
	{
		set(s, MA_DKIM_PERMERROR, problem);
		return;
	}
	if ((flags & DKIM_SIGFLAG_PROCESSED) == 0)
	{
		if (ctx->dns_error)
			set(s, MA_DKIM_TEMPERROR, "key lookup failed");
		else
			set(s, MA_DKIM_PERMERROR, "signature not verifiable");
		return;
	}
	if (bh == DKIM_SIGBH_MISMATCH)
	{
		set(s, MA_DKIM_FAIL, "body hash mismatch");
		return;
	}
	if ((flags & DKIM_SIGFLAG_PASSED) == 0 || bh != DKIM_SIGBH_MATCH)
	{
		set(s, MA_DKIM_FAIL, "signature mismatch");
		return;
	}

	/* cryptographically good: our policies */
	if (strcasecmp(s->algorithm, "rsa-sha1") == 0)
	{
		set(s, MA_DKIM_PERMERROR, "rsa-sha1 not accepted");
		return;
	}
	if (strncasecmp(s->algorithm, "rsa-", 4) == 0 && s->key_bits < 1024)
	{
		set(s, MA_DKIM_PERMERROR, "key too short");
		return;
	}
	for (int i = 0; i < s->nsigned_headers; i++)
		if (strcmp(s->signed_headers[i], "from") == 0)
			nfrom_signed++;
	if (nfrom > 1)
	{
		set(s, MA_DKIM_PERMERROR, "message has several From fields");
		return;
	}
	if (nfrom == 0 || nfrom_signed == 0)
	{
		set(s, MA_DKIM_PERMERROR, "From field not signed");
		return;
	}
	if (s->body_length >= 0 &&
		(uint64_t) s->body_length < canon_body_len(body, bodylen,
												   strncasecmp(strchr(s->canon, '/') ?
															   strchr(s->canon, '/') + 1 : "", "relaxed", 7) == 0))
	{
		if (ma_dkim_partial_body_policy)
			set(s, MA_DKIM_POLICY, "l= leaves part of the body unsigned");
		else
			set(s, MA_DKIM_PASS, "valid, but l= leaves part of the body unsigned");
		return;
	}
	set(s, MA_DKIM_PASS, s->testing ? "valid (testing key)" : "valid");
}

/* ---------------------------------------------------------------------
 * the entry points
 * ---------------------------------------------------------------------
 */

int
ma_dkim_verify(const char *msg, size_t len, ma_spf_lookup_fn lookup, void *arg,
			   int max_sigs, ma_dkim_outcome *out)
{
	return ma_dkim_verify_at(msg, len, lookup, arg, max_sigs, 0, out);
}

/* every result a permerror with one reason (message-level problems) */
static int
all_fail(ma_dkim_outcome *out, ma_dkim_res res, const char *reason)
{
	for (int i = 0; i < out->nresults; i++)
		set(&out->results[i], res, reason);
	snprintf(out->problem, sizeof(out->problem), "%s", reason);
	return 0;
}

/* count DKIM-Signature fields the cheap way, for messages we cannot split */
static int
count_sigs_raw(const char *msg, size_t len)
{
	int			n = 0;

	for (size_t i = 0; i + 15 <= len; i++)
		if ((i == 0 || msg[i - 1] == '\n') && strncasecmp(msg + i, "DKIM-Signature", 14) == 0)
			n++;
	return n;
}

int
ma_dkim_verify_at(const char *msg, size_t len, ma_spf_lookup_fn lookup,
				  void *arg, int max_sigs, int64_t now, ma_dkim_outcome *out)
{
	ma_field   *fields = NULL;
	int			nf = 0;
	size_t		body = 0;
	const char *problem;
	int			nsig = 0;
	int			nfed = 0;
	int			nfrom = 0;
	int		   *sigfield = NULL;	/* result i -> field index */
	ma_dkim_ctx ctx;
	DKIM_LIB   *lib = NULL;
	DKIM	   *dkim = NULL;
	DKIM_STAT	st;
	DKIM_SIGINFO **siglist = NULL;
	int			nsiglist = 0;
	bool	   *taken = NULL;
	unsigned char *hbuf = NULL;
	ma_dkim_call call = {0};
	int			rc = 0;

	memset(out, 0, sizeof(*out));
	if (max_sigs <= 0)
		max_sigs = MA_DKIM_DEFAULT_MAX_SIGS;
	if (msg == NULL)
		len = 0;

	problem = split_header(msg ? msg : "", len, &fields, &nf, &body);
	if (problem != NULL)
	{
		nsig = count_sigs_raw(msg ? msg : "", len);
		out->nsigs = nsig;
		out->nresults = nsig > max_sigs ? max_sigs : nsig;
		if (out->nresults == 0)
		{
			out->nresults = 1;
			out->results = calloc(1, sizeof(ma_dkim_sig));
			if (out->results == NULL)
			{
				out->nresults = 0;
				return all_fail(out, MA_DKIM_TEMPERROR, "out of memory");
			}
			out->results[0].body_length = out->results[0].signed_at =
				out->results[0].expires_at = -1;
			set(&out->results[0], MA_DKIM_NONE, problem);
			snprintf(out->problem, sizeof(out->problem), "%s", problem);
			return 0;
		}
		out->results = calloc(out->nresults, sizeof(ma_dkim_sig));
		if (out->results == NULL)
			out->nresults = 0;
		for (int i = 0; i < out->nresults; i++)
			out->results[i].body_length = out->results[i].signed_at =
				out->results[i].expires_at = -1;
		return all_fail(out, MA_DKIM_PERMERROR, problem);
	}

	for (int i = 0; i < nf; i++)
	{
		if (fields[i].is_sig)
			nsig++;
		if (name_is(&fields[i], "From"))
			nfrom++;
	}
	out->nsigs = nsig;
	if (nsig == 0)
	{
		free(fields);
		out->results = calloc(1, sizeof(ma_dkim_sig));
		if (out->results == NULL)
			return all_fail(out, MA_DKIM_TEMPERROR, "out of memory");
		out->nresults = 1;
		out->results[0].body_length = out->results[0].signed_at =
			out->results[0].expires_at = -1;
		set(&out->results[0], MA_DKIM_NONE, "message not signed");
		return 0;
	}
	nfed = nsig > max_sigs ? max_sigs : nsig;
	if (nsig > max_sigs)
		snprintf(out->problem, sizeof(out->problem),
				 "%d signatures: only the first %d verified", nsig, max_sigs);
	out->results = calloc(nfed, sizeof(ma_dkim_sig));
	sigfield = calloc(nfed, sizeof(int));
	if (out->results == NULL || sigfield == NULL)
	{
		free(fields);
		free(sigfield);
		free(out->results);
		out->results = NULL;
		snprintf(out->problem, sizeof(out->problem), "out of memory");
		return 0;
	}
	out->nresults = nfed;

	/* describe the signatures and ask for all their keys in one wave */
	memset(&ctx, 0, sizeof(ctx));
	ctx.lookup = lookup;
	ctx.arg = arg;
	for (int i = 0, k = 0; i < nf && k < nfed; i++)
	{
		ma_dkim_sig *s;
		char		name[600];
		char		norm[MA_DNS_MAXNAME + 1];

		if (!fields[i].is_sig)
			continue;
		s = &out->results[k];
		sigfield[k++] = i;
		if (!describe(&fields[i], s))
			ctx.oom = true;
		if (s->domain[0] && s->selector[0])
		{
			snprintf(name, sizeof(name), "%s._domainkey.%s", s->selector, s->domain);
			if (ma_dns_name_check(name, norm) == NULL &&
				lookup(arg, norm, MA_T_TXT) == NULL)
				ctx.pending = true;
		}
	}
	if (ctx.oom)
	{
		rc = all_fail(out, MA_DKIM_TEMPERROR, "out of memory");
		goto done;
	}
	if (ctx.pending)
	{
		rc = 1;
		goto done;
	}

	/*
	 * run libopendkim: one library handle per process, made on first use
	 * (dkim_init is a good part of the cost of a verification); every
	 * per-call setting is set again on every call
	 */
	if (cached_lib == NULL)
	{
		unsigned int lflags = DKIM_LIBFLAGS_FIXCRLF | DKIM_LIBFLAGS_BADSIGHANDLES |
			DKIM_LIBFLAGS_DELAYSIGPROC;	/* signatures processed in dkim_eom() */
		unsigned int minbits = 1024;
		DKIM_LIB   *l = dkim_init(NULL, NULL);

		if (l == NULL)
		{
			rc = all_fail(out, MA_DKIM_TEMPERROR, "cannot initialise libopendkim");
			goto done;
		}
		dkim_options(l, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &lflags, sizeof(lflags));
		dkim_options(l, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &minbits, sizeof(minbits));
		dkim_dns_set_query_start(l, dns_start);
		dkim_dns_set_query_waitreply(l, dns_waitreply);
		dkim_dns_set_query_cancel(l, dns_cancel);
		dkim_dns_set_init(l, NULL);
		dkim_dns_set_close(l, NULL);
		dkim_set_final(l, final_cb);
		cached_lib = l;			/* only once fully set up */
	}
	lib = cached_lib;
	{
		uint64_t	fixed = now > 0 ? (uint64_t) now : 0;	/* 0: the clock */

		dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &fixed, sizeof(fixed));
	}
	dkim_dns_set_query_service(lib, &ctx);
	dkim = dkim_verify(lib, (const unsigned char *) "mailauth", NULL, &st);
	if (dkim == NULL)
	{
		rc = all_fail(out, MA_DKIM_TEMPERROR, "cannot create a libopendkim handle");
		goto done;
	}
	hbuf = malloc(2 * MA_DKIM_MAX_FIELD + 2);
	call.ctx = &ctx;
	call.nfast = nfed;
	call.fast = calloc(nfed + 1, sizeof(ma_fast));
	dkim_set_user_context(dkim, &call);
	if (hbuf == NULL || call.fast == NULL)
	{
		rc = all_fail(out, MA_DKIM_TEMPERROR, "out of memory");
		goto done;
	}
	for (int i = 0, k = 0; i < nf; i++)
	{
		size_t		o = 0;

		if (fields[i].is_sig && k++ >= nfed)
			continue;			/* beyond max_sigs: not shown to libopendkim */
		/* internal bare LF -> CRLF */
		for (size_t j = 0; j < fields[i].len; j++)
		{
			char		c = fields[i].p[j];

			if (c == '\n' && (j == 0 || fields[i].p[j - 1] != '\r'))
				hbuf[o++] = '\r';
			hbuf[o++] = (unsigned char) c;
		}
		if (o > 0)
			(void) dkim_header(dkim, hbuf, o);
	}
	{
		char		pad[64];
		int			n;

		/* a field no h= can name: see overflow_pad() */
		if (!overflow_pad(fields, nf, nfed, pad, sizeof(pad)))
		{
			rc = all_fail(out, MA_DKIM_TEMPERROR, "out of memory");
			goto done;
		}
		n = snprintf((char *) hbuf, 2 * MA_DKIM_MAX_FIELD, "%s: 1", pad);
		(void) dkim_header(dkim, hbuf, (size_t) n);
	}
	st = dkim_eoh(dkim);
	if (ctx.pending)
	{
		rc = 1;
		goto done;
	}
	if (st == DKIM_STAT_OK)
	{
		const char *b = msg + body;
		size_t		left = len - body;

		while (left > 0)
		{
			size_t		n = left > 65536 ? 65536 : left;

			if (dkim_body(dkim, (u_char *) b, n) != DKIM_STAT_OK)
				break;
			b += n;
			left -= n;
		}
		(void) dkim_eom(dkim, NULL);
	}
	if (ctx.pending)
	{
		rc = 1;
		goto done;
	}

	if (dkim_getsiglist(dkim, &siglist, &nsiglist) != DKIM_STAT_OK)
		nsiglist = 0;
	taken = calloc(nsiglist > 0 ? nsiglist : 1, sizeof(bool));
	if (taken == NULL)
	{
		rc = all_fail(out, MA_DKIM_TEMPERROR, "out of memory");
		goto done;
	}
	for (int k = 0; k < nfed; k++)
	{
		ma_dkim_sig *s = &out->results[k];
		DKIM_SIGINFO *sig = NULL;
		int			j;

		if (nsiglist == nfed && !taken[k])
			j = k;
		else
		{
			for (j = 0; j < nsiglist; j++)
				if (!taken[j] && same_b(siglist[j], &fields[sigfield[k]]))
					break;
		}
		if (j < nsiglist)
		{
			taken[j] = true;
			sig = siglist[j];
		}
		if (sig == NULL)
			set(s, MA_DKIM_PERMERROR, "syntax error in signature");
		else
			judge(sig, j < call.nfast ? &call.fast[j] : NULL, &fields[sigfield[k]], s,
				  &ctx, nfrom, msg + body, len - body);
	}

done:
	if (dkim)
		dkim_free(dkim);
	(void) lib;					/* the process's handle stays (cached_lib) */
	free(hbuf);
	free(call.fast);
	free(taken);
	free(fields);
	free(sigfield);
	if (rc == 1)
	{
		ma_dkim_outcome_free(out);
		out->pending = true;
		out->problem[0] = '\0';
	}
	return rc;
}
