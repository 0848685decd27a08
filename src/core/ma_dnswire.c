/*-------------------------------------------------------------------------
 *
 * ma_dnswire.c
 *	  DNS names, query encoding and answer decoding for the mailauth core.
 *
 * We walk raw answers ourselves: c-ares 1.18's parse helpers give no TTL
 * for TXT, MX, PTR or CNAME records, and we want every outcome as a value.
 * Everything here treats the packet as hostile: every read is bounds
 * checked, compression pointers must point backwards, names are bounded.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_dns.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static const char *const status_names[MA_DNS_NSTATUS] = {
	"ok", "nxdomain", "nodata", "servfail", "refused", "timeout", "formerr", "error"
};

const char *
ma_dns_status_name(ma_dns_status st)
{
	if ((int) st < 0 || st >= MA_DNS_NSTATUS)
		return "error";
	return status_names[st];
}

static const struct
{
	const char *name;
	int			type;
}			type_names[] = {
	{"A", MA_T_A}, {"AAAA", MA_T_AAAA}, {"CNAME", MA_T_CNAME}, {"MX", MA_T_MX},
	{"NS", MA_T_NS}, {"PTR", MA_T_PTR}, {"SOA", MA_T_SOA}, {"TXT", MA_T_TXT},
	{"SRV", MA_T_SRV}, {"CAA", MA_T_CAA}
};

int
ma_dns_type_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcasecmp(name, type_names[i].name) == 0)
			return type_names[i].type;
	return 0;
}

const char *
ma_dns_type_name(int type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return "UNKNOWN";
}

/* ---------------------------------------------------------------------
 * Names
 * ---------------------------------------------------------------------
 */
/*
 * Check and normalise a name; any_octet lets every octet but NUL stand in a
 * label (names built by SPF macro expansion may hold spaces or other bytes,
 * RFC 7208 7.3, and DNS carries them), else only printable ASCII without
 * backslash.  The output is the raw lowercased name (at most 253 octets);
 * answers show unusual octets escaped (\032), and the decoder compares alike.
 */
static const char *
name_check(const char *name, char *out, bool any_octet)
{
	size_t		len,
				lablen = 0;

	if (name == NULL || name[0] == '\0')
		return "domain name must not be empty";
	len = strlen(name);
	if (len == 1 && name[0] == '.')
	{
		strcpy(out, ".");
		return NULL;
	}
	if (name[len - 1] == '.')
		len--;
	if (len > MA_DNS_MAXNAME)
		return "domain name is longer than 253 octets";
	for (size_t i = 0; i < len; i++)
	{
		unsigned char ch = (unsigned char) name[i];

		if (ch == '.')
		{
			if (lablen == 0)
				return "domain name contains an empty label";
			lablen = 0;
		}
		else
		{
			if (!any_octet && (ch < 0x21 || ch > 0x7e || ch == '\\'))
				return "domain name contains an invalid character";
			if (++lablen > MA_DNS_MAXLABEL)
				return "domain name has a label longer than 63 octets";
		}
		out[i] = (char) ((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch);
	}
	if (lablen == 0)
		return "domain name contains an empty label";
	out[len] = '\0';
	return NULL;
}

const char *
ma_dns_name_check(const char *name, char *out)
{
	return name_check(name, out, false);
}

const char *
ma_dns_name_check_any(const char *name, char *out)
{
	return name_check(name, out, true);
}

void
ma_dns_reverse_name(int family, const unsigned char *a, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";

	if (family == AF_INET)
		snprintf(out, outlen, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
	else
	{
		char	   *p = out;

		if (outlen < 16 * 4 + 9)
		{
			out[0] = '\0';
			return;
		}
		for (int i = 15; i >= 0; i--)
		{
			*p++ = hex[a[i] & 0xf];
			*p++ = '.';
			*p++ = hex[a[i] >> 4];
			*p++ = '.';
		}
		strcpy(p, "ip6.arpa");
	}
}

int
ma_dns_build_query(const char *name, uint16_t type, uint16_t id, uint16_t udpsize,
				   unsigned char *buf, size_t buflen)
{
	size_t		off = 12;
	const char *p = name;

	if (buflen < 12 + 256 + 4 + 11)
		return -1;
	memset(buf, 0, 12);
	buf[0] = id >> 8;
	buf[1] = id & 0xff;
	buf[2] = 0x01;				/* RD */
	buf[5] = 1;					/* QDCOUNT */
	if (udpsize)
		buf[11] = 1;			/* ARCOUNT: OPT */
	if (strcmp(name, ".") != 0)
	{
		while (*p)
		{
			const char *dot = strchr(p, '.');
			size_t		l = dot ? (size_t) (dot - p) : strlen(p);

			/* length octet, label, and the root octet still to come */
			if (l == 0 || l > MA_DNS_MAXLABEL || off + 1 + l + 1 > 12 + 255)
				return -1;
			buf[off++] = (unsigned char) l;
			memcpy(buf + off, p, l);
			off += l;
			p += l;
			if (*p == '.')
				p++;
		}
	}
	buf[off++] = 0;
	buf[off++] = type >> 8;
	buf[off++] = type & 0xff;
	buf[off++] = 0;
	buf[off++] = 1;				/* class IN */
	if (udpsize)
	{
		buf[off++] = 0;			/* root owner */
		buf[off++] = 0;
		buf[off++] = MA_T_OPT;
		buf[off++] = udpsize >> 8;
		buf[off++] = udpsize & 0xff;
		memset(buf + off, 0, 6);	/* ext-rcode, version, flags, rdlen */
		off += 6;
	}
	return (int) off;
}

/* ---------------------------------------------------------------------
 * Results and the builder
 * ---------------------------------------------------------------------
 */
ma_dns_result *
ma_dns_result_ref(ma_dns_result *r)
{
	if (r)
		r->refcnt++;
	return r;
}

void
ma_dns_result_release(ma_dns_result *r)
{
	if (r && --r->refcnt <= 0)
		free(r);
}

ma_dns_result *
ma_dns_result_status(ma_dns_status st, const char *detail)
{
	ma_dns_result *r = calloc(1, sizeof(ma_dns_result));

	if (!r)
		return NULL;
	r->refcnt = 1;
	r->status = st;
	r->detail = detail;
	r->size = sizeof(ma_dns_result);
	return r;
}

void
ma_dns_builder_init(ma_dns_builder *b)
{
	memset(b, 0, sizeof(*b));
	b->min_ttl = UINT32_MAX;
	b->neg_ttl = UINT32_MAX;
}

void
ma_dns_builder_free(ma_dns_builder *b)
{
	for (int i = 0; i < b->nrr; i++)
	{
		free((void *) b->rr[i].name);
		free((void *) b->rr[i].data);
		free((void *) b->rr[i].target);
	}
	free(b->rr);
	ma_dns_builder_init(b);
}

static char *
dupmem(const char *s, size_t len)
{
	char	   *d = malloc(len + 1);

	if (d)
	{
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

static void
builder_add(ma_dns_builder *b, const char *owner, uint16_t type, uint32_t ttl,
			const char *data, size_t datalen, const char *target, uint16_t pref)
{
	ma_dns_rr  *rr;

	if (b->oom)
		return;
	if (b->nrr == b->cap)
	{
		int			ncap = b->cap ? b->cap * 2 : 8;
		ma_dns_rr  *n = realloc(b->rr, ncap * sizeof(ma_dns_rr));

		if (!n)
		{
			b->oom = true;
			return;
		}
		b->rr = n;
		b->cap = ncap;
	}
	rr = &b->rr[b->nrr];
	memset(rr, 0, sizeof(*rr));
	rr->name = dupmem(owner, strlen(owner));
	rr->data = dupmem(data, datalen);
	rr->target = target ? dupmem(target, strlen(target)) : NULL;
	if (!rr->name || !rr->data || (target && !rr->target))
	{
		free((void *) rr->name);
		free((void *) rr->data);
		free((void *) rr->target);
		b->oom = true;
		return;
	}
	rr->datalen = datalen;
	rr->type = type;
	rr->ttl = ttl;
	rr->pref = pref;
	b->strbytes += strlen(owner) + 1 + datalen + 1 + (target ? strlen(target) + 1 : 0);
	if (ttl < b->min_ttl)
		b->min_ttl = ttl;
	b->nrr++;
}

ma_dns_result *
ma_dns_builder_finish(ma_dns_builder *b, ma_dns_status st, const char *detail)
{
	size_t		size;
	ma_dns_result *r;
	char	   *p;

	if (b->oom)
		return NULL;
	size = sizeof(ma_dns_result) + b->nrr * sizeof(ma_dns_rr) + b->strbytes;
	r = malloc(size);
	if (!r)
		return NULL;
	memset(r, 0, sizeof(ma_dns_result));
	r->refcnt = 1;
	r->status = st;
	r->detail = detail;
	r->size = size;
	r->nrr = b->nrr;
	p = (char *) &r->rr[b->nrr];
	for (int i = 0; i < b->nrr; i++)
	{
		const ma_dns_rr *s = &b->rr[i];
		ma_dns_rr  *d = &r->rr[i];
		size_t		l;

		*d = *s;
		l = strlen(s->name) + 1;
		memcpy(p, s->name, l);
		d->name = p;
		p += l;
		memcpy(p, s->data, s->datalen + 1);
		d->data = p;
		p += s->datalen + 1;
		if (s->target)
		{
			l = strlen(s->target) + 1;
			memcpy(p, s->target, l);
			d->target = p;
			p += l;
		}
	}
	/* cache lifetime */
	if (st == MA_DNS_OK)
		r->ttl = b->nrr ? b->min_ttl : 0;
	else if (st == MA_DNS_NXDOMAIN || st == MA_DNS_NODATA)
	{
		r->ttl = b->neg_ttl == UINT32_MAX ? 0 : b->neg_ttl;
		if (b->nrr && b->min_ttl < r->ttl)
			r->ttl = b->min_ttl;
	}
	else
		r->ttl = 0;
	if (r->ttl > MA_DNS_MAX_TTL)
		r->ttl = MA_DNS_MAX_TTL;
	return r;
}

/* ---------------------------------------------------------------------
 * Answer decoding
 * ---------------------------------------------------------------------
 */
#define NAMEBUF 1100			/* 255 wire octets, each up to \DDD */

typedef struct pkt
{
	const unsigned char *buf;
	size_t		len;
} pkt;

/*
 * Read a (possibly compressed) name at *off into out, presentation form
 * without trailing dot ("." for the root).  Advances *off past the name in
 * the record.  Returns 0 or -1 when malformed.
 */
static int
read_name(const pkt *m, size_t *off, char *out)
{
	size_t		pos = *off,
				o = 0,
				wire = 0;
	int			jumps = 0;
	bool		jumped = false;

	for (;;)
	{
		unsigned	l;

		if (pos >= m->len)
			return -1;
		l = m->buf[pos];
		if ((l & 0xc0) == 0xc0)
		{
			size_t		ptr;

			if (pos + 1 >= m->len)
				return -1;
			ptr = ((l & 0x3f) << 8) | m->buf[pos + 1];
			if (ptr >= pos || ++jumps > 64)
				return -1;		/* forward pointer or loop */
			if (!jumped)
				*off = pos + 2;
			jumped = true;
			pos = ptr;
			continue;
		}
		if (l & 0xc0)
			return -1;			/* obsolete label types */
		pos++;
		if (l == 0)
			break;
		wire += l + 1;
		/* 255 octets at most, the root octet included (RFC 1035 3.1) */
		if (wire + 1 > 255 || pos + l > m->len)
			return -1;
		if (o > 0)
			out[o++] = '.';
		for (unsigned i = 0; i < l; i++)
		{
			unsigned char ch = m->buf[pos + i];

			if (ch == '.' || ch == '\\' || ch == '"' || ch == ';' || ch == '(' ||
				ch == ')' || ch == '@' || ch == '$')
			{
				out[o++] = '\\';
				out[o++] = (char) ch;
			}
			else if (ch < 0x21 || ch > 0x7e)
				o += sprintf(out + o, "\\%03u", ch);
			else
				out[o++] = (char) ch;
		}
		pos += l;
	}
	if (!jumped)
		*off = pos;
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return 0;
}

static int
rd16(const pkt *m, size_t off, uint16_t *v)
{
	if (off + 2 > m->len)
		return -1;
	*v = (uint16_t) ((m->buf[off] << 8) | m->buf[off + 1]);
	return 0;
}

static int
rd32(const pkt *m, size_t off, uint32_t *v)
{
	if (off + 4 > m->len)
		return -1;
	*v = ((uint32_t) m->buf[off] << 24) | ((uint32_t) m->buf[off + 1] << 16) |
		((uint32_t) m->buf[off + 2] << 8) | m->buf[off + 3];
	return 0;
}

/* "name." for master-file data: root stays "." */
static void
abs_name(const char *n, char *out)
{
	if (strcmp(n, ".") == 0)
		strcpy(out, ".");
	else
		sprintf(out, "%s.", n);
}

/* a decoded answer-section record before chain selection */
typedef struct raw_rr
{
	char	   *owner;
	uint16_t	type;
	uint32_t	ttl;
	char	   *data;
	size_t		datalen;
	char	   *target;
	uint16_t	pref;
} raw_rr;

static void
free_raw(raw_rr *rrs, int n)
{
	for (int i = 0; i < n; i++)
	{
		free(rrs[i].owner);
		free(rrs[i].data);
		free(rrs[i].target);
	}
	free(rrs);
}

/*
 * Decode the rdata of one record into presentation form.  Returns 0 when
 * decoded, 1 when the type is one we skip, -1 when malformed.
 */
static int
decode_rdata(const pkt *m, uint16_t type, size_t off, uint16_t rdlen, raw_rr *rr)
{
	char		n1[NAMEBUF],
				n2[NAMEBUF],
				a1[NAMEBUF + 2],
				a2[NAMEBUF + 2];
	size_t		end = off + rdlen,
				p = off;
	char	   *data = NULL;
	size_t		dlen = 0;

	switch (type)
	{
		case MA_T_A:
		case MA_T_AAAA:
			{
				char		ip[INET6_ADDRSTRLEN];

				if (rdlen != (type == MA_T_A ? 4 : 16))
					return -1;
				inet_ntop(type == MA_T_A ? AF_INET : AF_INET6, m->buf + off, ip, sizeof(ip));
				data = strdup(ip);
				break;
			}
		case MA_T_NS:
		case MA_T_CNAME:
		case MA_T_PTR:
			if (read_name(m, &p, n1) < 0 || p != end)
				return -1;
			abs_name(n1, a1);
			data = strdup(a1);
			rr->target = strdup(n1);
			break;
		case MA_T_MX:
			if (rd16(m, p, &rr->pref) < 0)
				return -1;
			p += 2;
			if (read_name(m, &p, n1) < 0 || p != end)
				return -1;
			abs_name(n1, a1);
			data = malloc(strlen(a1) + 8);
			if (data)
				sprintf(data, "%u %s", rr->pref, a1);
			rr->target = strdup(n1);
			break;
		case MA_T_SRV:
			{
				uint16_t	w,
							port;

				if (rd16(m, p, &rr->pref) < 0 || rd16(m, p + 2, &w) < 0 ||
					rd16(m, p + 4, &port) < 0)
					return -1;
				p += 6;
				if (read_name(m, &p, n1) < 0 || p != end)
					return -1;
				abs_name(n1, a1);
				data = malloc(strlen(a1) + 24);
				if (data)
					sprintf(data, "%u %u %u %s", rr->pref, w, port, a1);
				rr->target = strdup(n1);
				break;
			}
		case MA_T_SOA:
			{
				uint32_t	v[5];

				if (read_name(m, &p, n1) < 0 || read_name(m, &p, n2) < 0)
					return -1;
				for (int i = 0; i < 5; i++)
				{
					if (p + 4 > end || rd32(m, p, &v[i]) < 0)
						return -1;
					p += 4;
				}
				if (p != end)
					return -1;
				abs_name(n1, a1);
				abs_name(n2, a2);
				data = malloc(strlen(a1) + strlen(a2) + 60);
				if (data)
					sprintf(data, "%s %s %u %u %u %u %u", a1, a2, v[0], v[1], v[2], v[3], v[4]);
				rr->pref = 0;
				/* keep the SOA minimum for negative caching */
				rr->ttl = rr->ttl < v[4] ? rr->ttl : v[4];
				break;
			}
		case MA_T_TXT:
			data = malloc(rdlen + 1);
			if (!data)
				return -1;
			while (p < end)
			{
				unsigned	l = m->buf[p++];

				if (p + l > end)
				{
					free(data);
					return -1;
				}
				memcpy(data + dlen, m->buf + p, l);
				dlen += l;
				p += l;
			}
			data[dlen] = '\0';
			rr->data = data;
			rr->datalen = dlen;
			return 0;
		case MA_T_CAA:
			{
				unsigned	flags,
							taglen;
				size_t		o;

				if (rdlen < 2)
					return -1;
				flags = m->buf[p];
				taglen = m->buf[p + 1];
				p += 2;
				if (taglen == 0 || p + taglen > end)
					return -1;
				data = malloc(16 + taglen + 4 * (end - p - taglen) + 3);
				if (!data)
					return -1;
				o = sprintf(data, "%u ", flags);
				memcpy(data + o, m->buf + p, taglen);
				o += taglen;
				p += taglen;
				data[o++] = ' ';
				data[o++] = '"';
				for (; p < end; p++)
				{
					unsigned char ch = m->buf[p];

					if (ch == '"' || ch == '\\')
					{
						data[o++] = '\\';
						data[o++] = (char) ch;
					}
					else if (ch < 0x20 || ch > 0x7e)
						o += sprintf(data + o, "\\%03u", ch);
					else
						data[o++] = (char) ch;
				}
				data[o++] = '"';
				data[o] = '\0';
				break;
			}
		default:
			return 1;
	}
	if (!data)
		return -1;
	rr->data = data;
	rr->datalen = strlen(data);
	return 0;
}

/*
 * A plain name (labels separated by dots, as we send it) in the escaped
 * presentation form read_name() produces, for comparisons.
 */
static void
escape_name(const char *plain, char *out)
{
	size_t		o = 0;

	for (const unsigned char *p = (const unsigned char *) plain; *p && o < NAMEBUF - 5; p++)
	{
		unsigned char ch = *p;

		if (ch == '.')
			out[o++] = '.';
		else if (ch == '\\' || ch == '"' || ch == ';' || ch == '(' ||
				 ch == ')' || ch == '@' || ch == '$')
		{
			out[o++] = '\\';
			out[o++] = (char) ch;
		}
		else if (ch < 0x21 || ch > 0x7e)
			o += sprintf(out + o, "\\%03u", ch);
		else
			out[o++] = (char) ch;
	}
	out[o] = '\0';
}

static bool
chain_seen(const ma_dns_builder *b, const char *name)
{
	for (int i = 0; i < b->nrr; i++)
		if (b->rr[i].type == MA_T_CNAME && strcasecmp(b->rr[i].name, name) == 0)
			return true;
	return false;
}

int
ma_dns_parse_answer(const unsigned char *buf, size_t len, const char *qname,
					uint16_t qtype, ma_dns_builder *b, ma_dns_status *status,
					char *next_name, const char **errmsg)
{
	pkt			m = {buf, len};
	uint16_t	flags,
				qd,
				an,
				ns,
				qt,
				qc;
	size_t		off = 12;
	char		name[NAMEBUF];
	char		cur[NAMEBUF];
	char		qesc[NAMEBUF];
	raw_rr	   *rrs = NULL;
	int			nrrs = 0,
				rcode,
				found = 0,
				hops = 0;

	*errmsg = NULL;
	next_name[0] = '\0';
	if (len < 12)
	{
		*errmsg = "answer shorter than a DNS header";
		return -1;
	}
	flags = (uint16_t) ((buf[2] << 8) | buf[3]);
	qd = (uint16_t) ((buf[4] << 8) | buf[5]);
	an = (uint16_t) ((buf[6] << 8) | buf[7]);
	ns = (uint16_t) ((buf[8] << 8) | buf[9]);
	rcode = flags & 0xf;
	if (!(flags & 0x8000))
	{
		*errmsg = "packet is not a response";
		return -1;
	}
	switch (rcode)
	{
		case 0:
			break;
		case 1:
			*status = MA_DNS_FORMERR;
			return 0;
		case 2:
			*status = MA_DNS_SERVFAIL;
			return 0;
		case 3:
			break;
		case 5:
			*status = MA_DNS_REFUSED;
			return 0;
		default:
			*status = MA_DNS_ERROR;
			*errmsg = "unexpected response code";
			return 0;
	}
	if (qd != 1)
	{
		*errmsg = "answer does not carry exactly one question";
		return -1;
	}
	if (read_name(&m, &off, name) < 0 || rd16(&m, off, &qt) < 0 || rd16(&m, off + 2, &qc) < 0)
		goto malformed;
	off += 4;
	/* answers carry names in escaped presentation form: compare alike */
	escape_name(qname, qesc);
	if (qt != qtype || strcasecmp(name, qesc) != 0)
	{
		*errmsg = "answer is for another question";
		return -1;
	}

	rrs = calloc(an ? an : 1, sizeof(raw_rr));
	if (!rrs)
	{
		*errmsg = "out of memory";
		return -1;
	}
	for (int sec = 0; sec < 2; sec++)
	{
		int			count = sec == 0 ? an : ns;

		for (int i = 0; i < count; i++)
		{
			uint16_t	type,
						cls,
						rdlen;
			uint32_t	ttl;
			raw_rr		rr;
			int			rc;

			if (read_name(&m, &off, name) < 0 || rd16(&m, off, &type) < 0 ||
				rd16(&m, off + 2, &cls) < 0 || rd32(&m, off + 4, &ttl) < 0 ||
				rd16(&m, off + 8, &rdlen) < 0)
				goto malformed;
			off += 10;
			if (off + rdlen > len)
				goto malformed;
			if (ttl > 0x7fffffff)
				ttl = 0;		/* RFC 2181 section 8 */
			if (cls != 1)
			{
				off += rdlen;
				continue;
			}
			if (sec == 1)
			{
				/* authority: only the SOA matters, for negative caching */
				if (type == MA_T_SOA)
				{
					memset(&rr, 0, sizeof(rr));
					rr.ttl = ttl;
					rc = decode_rdata(&m, type, off, rdlen, &rr);
					if (rc < 0)
						goto malformed;
					if (rr.ttl < b->neg_ttl)
						b->neg_ttl = rr.ttl;
					free(rr.data);
					free(rr.target);
				}
				off += rdlen;
				continue;
			}
			memset(&rr, 0, sizeof(rr));
			rr.ttl = ttl;
			rr.type = type;
			rc = decode_rdata(&m, type, off, rdlen, &rr);
			off += rdlen;
			if (rc < 0)
				goto malformed;
			if (rc > 0)
				continue;
			if (type == MA_T_SOA)
				rr.ttl = ttl;	/* an SOA asked for keeps its own TTL */
			rr.owner = strdup(name);
			if (!rr.owner)
			{
				free(rr.data);
				free(rr.target);
				*errmsg = "out of memory";
				free_raw(rrs, nrrs);
				return -1;
			}
			rrs[nrrs++] = rr;
		}
	}

	/* follow the CNAME chain inside this answer */
	strcpy(cur, qesc);
	if (qtype != MA_T_CNAME)
	{
		for (;;)
		{
			int			j;

			for (j = 0; j < nrrs; j++)
				if (rrs[j].type == MA_T_CNAME && strcasecmp(rrs[j].owner, cur) == 0)
					break;
			if (j == nrrs)
				break;
			if (chain_seen(b, cur) || ++hops > MA_DNS_MAX_CHAIN)
			{
				free_raw(rrs, nrrs);
				*status = MA_DNS_SERVFAIL;
				*errmsg = chain_seen(b, cur) ? "CNAME loop" : "CNAME chain too long";
				return 0;
			}
			if (strlen(rrs[j].target) > MA_DNS_MAXNAME)
			{
				/* escaped bytes made it too long to ask for: not a usable name */
				free_raw(rrs, nrrs);
				*status = MA_DNS_ERROR;
				*errmsg = "CNAME target is not a usable name";
				return 0;
			}
			builder_add(b, rrs[j].owner, MA_T_CNAME, rrs[j].ttl, rrs[j].data,
						rrs[j].datalen, rrs[j].target, 0);
			strcpy(cur, rrs[j].target);
		}
	}
	for (int j = 0; j < nrrs; j++)
	{
		if (rrs[j].type == qtype && strcasecmp(rrs[j].owner, cur) == 0)
		{
			builder_add(b, rrs[j].owner, rrs[j].type, rrs[j].ttl, rrs[j].data,
						rrs[j].datalen, rrs[j].target, rrs[j].pref);
			found++;
		}
	}
	free_raw(rrs, nrrs);
	if (b->oom)
	{
		*errmsg = "out of memory";
		return -1;
	}
	if (rcode == 3)
		*status = MA_DNS_NXDOMAIN;
	else if (found)
		*status = MA_DNS_OK;
	else if (hops > 0 && strcasecmp(cur, qesc) != 0)
	{
		/* the chain leaves this answer: ask for its target next */
		if (chain_seen(b, cur))
		{
			*status = MA_DNS_SERVFAIL;
			*errmsg = "CNAME loop";
			return 0;
		}
		*status = MA_DNS_NODATA;
		strcpy(next_name, cur);
		return 1;
	}
	else
		*status = MA_DNS_NODATA;
	return 0;

malformed:
	free_raw(rrs, nrrs);
	*errmsg = "malformed answer";
	return -1;
}
