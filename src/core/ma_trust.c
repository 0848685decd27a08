/*-------------------------------------------------------------------------
 *
 * ma_trust.c
 *	  Sender trust on the waves DNS model (see ma_trust.h): IP addresses,
 *	  PTR and forward-confirmed reverse DNS (RFC 8601 iprev), generic
 *	  ("residential") host names, HELO/EHLO names (RFC 5321), DNS blocklists
 *	  and "is this record published as expected" checks.  Pure C, no
 *	  postgres.h.
 *
 * Every evaluator starts by zeroing its out structure; when it returns 1
 * (pending) it has freed what it built, so out owns nothing; when it returns
 * 0 out holds the result (free it with the *_free function).  Every name
 * asked is normalised with ma_dns_name_check(); a name that does not pass is
 * never asked.  Each call asks at most MA_TRUST_MAX_QUERIES questions (the
 * budget below is a guard; the evaluators stay far under it by design):
 *
 *	ptr_check	1 PTR, then A or AAAA of up to MA_TRUST_MAX_PTR names (2 waves)
 *	helo_check	A + AAAA of the name and MX of the domain (1 wave)
 *	dnsbl/dbl	A of up to MA_TRUST_MAX_ZONES zones, then TXT of the listed
 *				ones (2 waves)
 *	dns_expect	the record asked (1 wave); for CNAME a mismatching first hop
 *				makes a second wave (A of the name, for the whole chain)
 *
 * Choices (where the brief or the RFCs leave room):
 *
 *	- IPv4-mapped IPv6 addresses (::ffff:192.0.2.1) parse as IPv4: a dual
 *	  stack listener shows IPv4 clients that way, and their PTR, DNSBL and
 *	  iprev questions are the IPv4 ones.
 *	- iprev (RFC 8601 3): pass when one of the first MA_TRUST_MAX_PTR PTR
 *	  names has an address record (A for IPv4, AAAA for IPv6) equal to the
 *	  IP; fail when there is no PTR (NXDOMAIN, NODATA) or none confirms;
 *	  temperror when a DNS failure (servfail, timeout, ...) of the PTR
 *	  lookup, or of a forward lookup when nothing confirmed, prevented a
 *	  verdict; permerror when the PTR records exist but none is a usable
 *	  host name (escaped octets, the root, too long).
 *	- HELO: see helo_check below (address literals, localhost forms, the
 *	  TLD rules, .test deliberately accepted).
 *	- Generic names: see ma_ptr_name_is_generic below.
 *	- DNSBL answers: see classify_bl below.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_trust.h"
#include "ma_dmarc.h"			/* ma_dmarc_org_domain_psl */

#include <arpa/inet.h>
#include <libpsl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* ---------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------
 */
static void
prob_add(ma_trust_problems *p, const char *code)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->code[i], code) == 0)
			return;
	if (p->n < MA_TRUST_MAX_PROBLEMS)
		p->code[p->n++] = code;
}

static bool
dns_failure(ma_dns_status st)
{
	return st != MA_DNS_OK && st != MA_DNS_NXDOMAIN && st != MA_DNS_NODATA;
}

static char *
xasprintf(const char *fmt,...)
			__attribute__((format(printf, 1, 2)));

static char *
xasprintf(const char *fmt,...)
{
	va_list		ap;
	char	   *s;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t) n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t) n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static void
lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 32;
}

/* the lookup with a question budget per call */
typedef struct asker
{
	ma_spf_lookup_fn lookup;
	void	   *arg;
	int			nasked;
	bool		pending;
	bool		over;			/* the budget ran out (never by design) */
} asker;

static const ma_dns_result *
ask(asker *a, const char *normname, uint16_t type)
{
	const ma_dns_result *r;

	if (a->nasked >= MA_TRUST_MAX_QUERIES)
	{
		a->over = true;
		return NULL;
	}
	a->nasked++;
	r = a->lookup(a->arg, normname, type);
	if (r == NULL)
		a->pending = true;
	return r;
}

/* "servfail" or "servfail (CNAME loop)" */
static void
status_text(const ma_dns_result *r, char *buf, size_t len)
{
	if (r->detail)
		snprintf(buf, len, "%s (%s)", ma_dns_status_name(r->status), r->detail);
	else
		snprintf(buf, len, "%s", ma_dns_status_name(r->status));
}

/*
 * Text from DNS made safe for callers that want UTF-8 without control
 * characters (TXT data may hold anything): runs of whitespace collapse to
 * one space (leading and trailing ones dropped), other control octets, DEL
 * and octets that are not part of valid UTF-8 become \DDD.  maxout bounds
 * the output (0 = no bound); malloc'ed, NULL when out of memory.
 */
static size_t
utf8_seq_len(const unsigned char *p, size_t left)
{
	unsigned char c = p[0];
	size_t		n;
	uint32_t	cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
	{
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		(cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static char *
clean_text(const char *data, size_t len, size_t maxout)
{
	char	   *out = malloc(len * 4 + 1);
	size_t		o = 0;
	bool		space = false;
	const unsigned char *p = (const unsigned char *) data;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len;)
	{
		unsigned char c = p[i];
		size_t		n;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
		{
			space = o > 0;
			i++;
			continue;
		}
		if (space)
		{
			out[o++] = ' ';
			space = false;
		}
		n = (c < 0x20 || c == 0x7f) ? 0 : utf8_seq_len(p + i, len - i);
		if (n == 0)
		{
			o += sprintf(out + o, "\\%03u", c);
			i++;
		}
		else
		{
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		}
		if (maxout && o >= maxout)
		{
			/* cut at a character boundary before maxout, mark the cut */
			while (o > 0 && o > maxout - 3)
			{
				o--;
				while (o > 0 && (out[o] & 0xc0) == 0x80)
					o--;
			}
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
	}
	out[o] = '\0';
	return out;
}

/* ---------------------------------------------------------------------
 * Public Suffix List (our own handle: ma_dmarc.c keeps its handle private)
 * ---------------------------------------------------------------------
 */
static psl_ctx_t *trust_psl = NULL;

static const psl_ctx_t *
get_psl(void)
{
	if (trust_psl == NULL)
	{
		trust_psl = psl_latest(NULL);
		if (trust_psl == NULL)
			trust_psl = (psl_ctx_t *) psl_builtin();
	}
	return trust_psl;
}

void
ma_trust_psl_release(void)
{
	if (trust_psl)
		psl_free(trust_psl);	/* a no-op for the built-in list */
	trust_psl = NULL;
}

/* is this TLD (one lowercase label) a rule of the list, not just the "*" rule? */
static bool
tld_in_psl(const char *tld)
{
	const psl_ctx_t *psl = get_psl();

	if (psl == NULL)
		return true;			/* no list: do not accuse anybody */
	return psl_is_public_suffix2(psl, tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) == 1;
}

/* ---------------------------------------------------------------------
 * IP addresses
 * ---------------------------------------------------------------------
 */
static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool
ma_ip_parse(const char *s, ma_ip *out)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (out)
		memset(out, 0, sizeof(*out));
	if (s == NULL || out == NULL || strlen(s) > 64)
		return false;
	if (strchr(s, ':') == NULL)
	{
		if (inet_pton(AF_INET, s, &a4) != 1)
			return false;
		out->family = 4;
		memcpy(out->a, &a4, 4);
		return true;
	}
	if (inet_pton(AF_INET6, s, &a6) != 1)
		return false;
	if (memcmp(a6.s6_addr, v4mapped_prefix, 12) == 0)
	{
		out->family = 4;
		memcpy(out->a, a6.s6_addr + 12, 4);
		return true;
	}
	out->family = 6;
	memcpy(out->a, a6.s6_addr, 16);
	return true;
}

void
ma_ip_format(const ma_ip *ip, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	out[0] = '\0';
	if (ip == NULL || (ip->family != 4 && ip->family != 6) ||
		inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->a, out, (socklen_t) outlen) == NULL)
		out[0] = '\0';
}

void
ma_ip_reverse_name(const ma_ip *ip, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	out[0] = '\0';
	if (ip == NULL || (ip->family != 4 && ip->family != 6))
		return;
	ma_dns_reverse_name(ip->family == 4 ? AF_INET : AF_INET6, ip->a, out, outlen);
}

void
ma_ip_dnsbl_prefix(const ma_ip *ip, char *out, size_t outlen)
{
	char		rev[128];
	size_t		l;

	if (outlen == 0)
		return;
	out[0] = '\0';
	ma_ip_reverse_name(ip, rev, sizeof(rev));
	l = strlen(rev);
	if (ip && ip->family == 4 && l > 13)
		l -= 13;				/* ".in-addr.arpa" */
	else if (ip && ip->family == 6 && l > 9)
		l -= 9;					/* ".ip6.arpa" */
	else
		return;
	if (l >= outlen)
		return;
	memcpy(out, rev, l);
	out[l] = '\0';
}

static bool
ip_equal(const ma_ip *a, const ma_ip *b)
{
	return a->family == b->family &&
		memcmp(a->a, b->a, a->family == 4 ? 4 : 16) == 0;
}

/* the address of an A/AAAA record (as is: no v4-mapped folding) */
static bool
rr_ip(const ma_dns_rr *rr, ma_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (rr->data == NULL)
		return false;
	if (rr->type == MA_T_A && inet_pton(AF_INET, rr->data, ip->a) == 1)
	{
		ip->family = 4;
		return true;
	}
	if (rr->type == MA_T_AAAA && inet_pton(AF_INET6, rr->data, ip->a) == 1)
	{
		ip->family = 6;
		return true;
	}
	return false;
}

static bool
ip_is_loopback(const ma_ip *ip)
{
	static const uint8_t one6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	if (ip->family == 4)
		return ip->a[0] == 127;
	return memcmp(ip->a, one6, 16) == 0;
}

/* ---------------------------------------------------------------------
 * Generic (residential, dynamic) host names
 * ---------------------------------------------------------------------
 *
 * A name is generic for an IP when either rule holds:
 *
 * 1. The IP is embedded in the name.  Looked for in every label but the
 *    last (the TLD) -- not only left of the registrable domain, because
 *    some providers' host names are public suffixes themselves
 *    (ec2-192-0-2-1.compute-1.amazonaws.com); the digits must be those of
 *    this very IP, which keeps the rule specific.  IPv4 192.0.2.1:
 *	  - the four octets as decimal runs in either order, separated by one
 *	    non-digit character each: 192-0-2-1, 192.0.2.1, 1-2-0-192,
 *	    192x0x2x1, ip192_0_2_1, zero-padded 192-000-002-001;
 *	  - the last three octets likewise (0-2-1, 1.2.0);
 *	  - the last two octets likewise (2-1, 1-2) when they have at least 3
 *	    digits together (so "mx1-2" does not make 10.0.1.2 generic);
 *	  - one digit run that is the zero-padded concatenation of all four,
 *	    the last three or the last two octets in either order
 *	    (192000002001, 000002001, 002001, 001002000192), or the plain
 *	    concatenation of all four in either order when it has at least six
 *	    digits (192021);
 *	  - the eight hex digits of the address (c0000201).
 *	 IPv6 2001:db8::1:
 *	  - the 32 nibbles, forward or reversed, once dots and hyphens are
 *	    removed (1.0.0.0...8.b.d.0.1.0.0.2, 20010db8000...0001);
 *	  - hextets separated by '-' or '.', with "--" for "::"
 *	    (2001-db8--1, ip6-2001-db8-0-0-0-0-0-1).
 *
 * 2. A keyword is a whole part of a label left of the registrable domain
 *    (the organizational domain by the Public Suffix List, libpsl), where
 *    parts are what '.', '-' and '_' separate, and each part again split at
 *    letter/digit boundaries (dsl123 -> dsl, ppp0 -> ppp); whole labels are
 *    checked too (in-addr, dial-up).  So "mail.dynamics-crm.com",
 *    "poolside.com", "mail.poolside.com", "hosting.example.com" and
 *    "mailhost.example.com" are not generic, "pool-1.example.net" and
 *    "ppp0.dsl.example.net" are.  The keywords are in generic_words below.
 *    "static" is deliberately not a keyword: a static address is what a
 *    mail server has, and the generic static names of access networks
 *    ("192-0-2-1.static.example.net") embed the IP anyway (rule 1).  Nor
 *    are "mail", "mx", "smtp", "out", "relay" or numbers alone.
 */
static const char *const generic_words[] = {
	"dynamic", "dyn", "dynip", "dhcp", "pool", "pools", "ppp", "pppoe", "pppoa",
	"cable", "dsl", "adsl", "vdsl", "xdsl", "sdsl", "hdsl", "dial", "dialup",
	"dialin", "dial-up", "dial-in", "broadband", "bb", "cust", "customer",
	"customers", "client", "clients", "subscriber", "subscribers", "res",
	"resident", "residential", "home", "user", "users", "host", "hosts", "ip",
	"ips", "ipv4", "ipv6", "cpe", "ftth", "fttx", "fttb", "fttc", "fttp",
	"fibre", "fiber", "wireless", "wifi", "wlan", "mobile", "lte", "3g", "4g",
	"5g", "nat", "cgnat", "unassigned", "unallocated", "unknown", "unused",
	"in-addr", "inaddr", "rev", "reverse", "rdns", "ptr", "generic",
	NULL
};

static bool
is_generic_word(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (int i = 0; generic_words[i]; i++)
		if (strlen(generic_words[i]) == len && strncmp(generic_words[i], s, len) == 0)
			return true;
	return false;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return c >= 'a' && c <= 'z';
}

/* keywords in host (lowercase labels left of the registrable domain) */
static bool
has_generic_word(const char *host)
{
	const char *p = host;

	while (*p)
	{
		const char *lab = p;
		size_t		llen = strcspn(lab, ".");

		if (is_generic_word(lab, llen))
			return true;
		/* parts split on '-' and '_' */
		for (const char *q = lab; q < lab + llen;)
		{
			size_t		plen = 0;

			while (q + plen < lab + llen && q[plen] != '-' && q[plen] != '_')
				plen++;
			if (is_generic_word(q, plen))
				return true;
			/* letter runs of the part (split at letter/digit boundaries) */
			for (size_t k = 0; k < plen;)
			{
				size_t		s = k;

				if (!is_alpha(q[k]))
				{
					k++;
					continue;
				}
				while (k < plen && is_alpha(q[k]))
					k++;
				if (k - s < plen && is_generic_word(q + s, k - s))
					return true;
			}
			q += plen;
			if (q < lab + llen)
				q++;
		}
		p = lab + llen;
		if (*p == '.')
			p++;
	}
	return false;
}

typedef struct digrun
{
	int			start;
	int			len;
	int			value;			/* -1 when longer than 3 digits */
} digrun;

/* does a run of k consecutive digit runs from i equal oct[0..k-1]? */
static bool
runs_match(const digrun *r, int nr, int i, const int *oct, int k)
{
	int			digits = 0;

	if (i + k > nr)
		return false;
	for (int j = 0; j < k; j++)
	{
		if (r[i + j].value != oct[j])
			return false;
		if (j > 0 && r[i + j].start != r[i + j - 1].start + r[i + j - 1].len + 1)
			return false;		/* exactly one separator */
		digits += r[i + j].len;
	}
	return k > 2 || digits >= 3;
}

static bool
ipv4_in_name(const char *h, const ma_ip *ip)
{
	digrun		runs[160];
	int			nr = 0;
	int			fw[4],
				bw[4];
	char		hex[9];
	char		cat[4][4][16];	/* [k-1][forward?] padded / plain */
	int			n = (int) strlen(h);

	for (int i = 0; i < 4; i++)
	{
		fw[i] = ip->a[i];
		bw[i] = ip->a[3 - i];
	}
	for (int i = 0; i < n && nr < 160;)
	{
		if (!is_digit(h[i]))
		{
			i++;
			continue;
		}
		runs[nr].start = i;
		while (i < n && is_digit(h[i]))
			i++;
		runs[nr].len = i - runs[nr].start;
		runs[nr].value = runs[nr].len <= 3 ? atoi(h + runs[nr].start) : -1;
		nr++;
	}
	/* separated octets: all four, the last three, the last two */
	for (int i = 0; i < nr; i++)
	{
		int			last3f[3] = {fw[1], fw[2], fw[3]},
					last3b[3] = {fw[3], fw[2], fw[1]},
					last2f[2] = {fw[2], fw[3]},
					last2b[2] = {fw[3], fw[2]};

		if (runs_match(runs, nr, i, fw, 4) || runs_match(runs, nr, i, bw, 4) ||
			runs_match(runs, nr, i, last3f, 3) || runs_match(runs, nr, i, last3b, 3) ||
			runs_match(runs, nr, i, last2f, 2) || runs_match(runs, nr, i, last2b, 2))
			return true;
	}
	/* concatenations: zero-padded 4/3/2 octets, plain 4 octets */
	snprintf(cat[0][0], 16, "%03d%03d%03d%03d", fw[0], fw[1], fw[2], fw[3]);
	snprintf(cat[0][1], 16, "%03d%03d%03d%03d", fw[3], fw[2], fw[1], fw[0]);
	snprintf(cat[1][0], 16, "%03d%03d%03d", fw[1], fw[2], fw[3]);
	snprintf(cat[1][1], 16, "%03d%03d%03d", fw[3], fw[2], fw[1]);
	snprintf(cat[2][0], 16, "%03d%03d", fw[2], fw[3]);
	snprintf(cat[2][1], 16, "%03d%03d", fw[3], fw[2]);
	snprintf(cat[3][0], 16, "%d%d%d%d", fw[0], fw[1], fw[2], fw[3]);
	snprintf(cat[3][1], 16, "%d%d%d%d", fw[3], fw[2], fw[1], fw[0]);
	for (int i = 0; i < nr; i++)
	{
		for (int c = 0; c < 4; c++)
			for (int d = 0; d < 2; d++)
			{
				size_t		cl = strlen(cat[c][d]);

				if (c == 3 && cl < 6)
					continue;
				if ((size_t) runs[i].len == cl &&
					strncmp(h + runs[i].start, cat[c][d], cl) == 0)
					return true;
			}
	}
	snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", fw[0], fw[1], fw[2], fw[3]);
	return strstr(h, hex) != NULL;
}

static bool
ipv6_in_name(const char *h, const ma_ip *ip)
{
	static const char hx[] = "0123456789abcdef";
	char		fwd[33],
				rev[33];
	char		flat[MA_DNS_MAXNAME + 2];
	size_t		o = 0;
	const char *tok[130];
	size_t		tlen[130];
	int			nt = 0;

	for (int i = 0; i < 16; i++)
	{
		fwd[2 * i] = hx[ip->a[i] >> 4];
		fwd[2 * i + 1] = hx[ip->a[i] & 0xf];
	}
	fwd[32] = '\0';
	for (int i = 0; i < 32; i++)
		rev[i] = fwd[31 - i];
	rev[32] = '\0';
	for (const char *p = h; *p && o < sizeof(flat) - 1; p++)
		if (*p != '.' && *p != '-')
			flat[o++] = *p;
	flat[o] = '\0';
	if (strstr(flat, fwd) || strstr(flat, rev))
		return true;

	/* hextets: tokens separated by '-' or '.', "--" standing for "::" */
	for (const char *p = h;;)
	{
		size_t		l = strcspn(p, "-.");

		if (nt == 130)
			break;
		tok[nt] = p;
		tlen[nt] = l;
		nt++;
		if (p[l] == '\0')
			break;
		p += l + 1;
	}
	for (int i = 0; i < nt; i++)
	{
		char		buf[64];
		size_t		bl = 0;

		for (int j = i; j < nt; j++)
		{
			struct in6_addr a6;

			if (bl + tlen[j] + 2 >= sizeof(buf))
				break;
			if (j > i)
				buf[bl++] = ':';
			memcpy(buf + bl, tok[j], tlen[j]);
			bl += tlen[j];
			buf[bl] = '\0';
			if (j - i >= 2 && inet_pton(AF_INET6, buf, &a6) == 1 &&
				memcmp(a6.s6_addr, ip->a, 16) == 0)
				return true;
		}
	}
	return false;
}

bool
ma_ptr_name_is_generic(const char *name, const ma_ip *ip)
{
	char		norm[MA_DNS_MAXNAME + 1],
				org[MA_DNS_MAXNAME + 1],
				buf[MA_DNS_MAXNAME + 1];
	size_t		nl,
				ol;
	char	   *dot;

	if (name == NULL || ma_dns_name_check(name, norm) != NULL || strcmp(norm, ".") == 0)
		return false;
	nl = strlen(norm);

	/* rule 1: the IP in every label but the TLD */
	if (ip && (ip->family == 4 || ip->family == 6) && (dot = strrchr(norm, '.')) != NULL)
	{
		memcpy(buf, norm, dot - norm);
		buf[dot - norm] = '\0';
		if (ip->family == 4 ? ipv4_in_name(buf, ip) : ipv6_in_name(buf, ip))
			return true;
	}

	/* rule 2: keywords left of the registrable domain */
	if (!ma_dmarc_org_domain_psl(norm, org))
		return false;
	ol = strlen(org);
	if (ol + 1 >= nl || strcmp(norm + nl - ol, org) != 0 || norm[nl - ol - 1] != '.')
		return false;			/* no labels left of it */
	memcpy(buf, norm, nl - ol - 1);
	buf[nl - ol - 1] = '\0';
	return has_generic_word(buf);
}

/* ---------------------------------------------------------------------
 * ptr_check
 * ---------------------------------------------------------------------
 */
void
ma_ptr_result_free(ma_ptr_result *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->nptr; i++)
		free(r->ptr_names[i]);
	free(r->ptr_names);
	free(r->confirmed_name);
	memset(r, 0, sizeof(*r));
}

int
ma_ptr_check(const ma_ip *ip, ma_spf_lookup_fn lookup, void *arg, ma_ptr_result *out)
{
	asker		A = {lookup, arg, 0, false, false};
	char		rev[128],
				norm[MA_DNS_MAXNAME + 1];
	const ma_dns_result *r;
	const ma_dns_result *fw[MA_TRUST_MAX_PTR];
	int			nrec = 0,
				nbad = 0,
				ncheck,
				nerr = 0,
				confirmed = -1;

	memset(out, 0, sizeof(*out));
	if (ip == NULL || (ip->family != 4 && ip->family != 6))
	{
		out->status = "permerror";
		prob_add(&out->problems, "invalid_ip");
		return 0;
	}
	ma_ip_reverse_name(ip, rev, sizeof(rev));
	if (ma_dns_name_check(rev, norm) != NULL)
	{
		out->status = "permerror";
		prob_add(&out->problems, "invalid_ip");
		return 0;
	}
	r = ask(&A, norm, MA_T_PTR);
	if (r == NULL)
		goto pending_or_over;
	if (dns_failure(r->status))
	{
		out->status = "temperror";
		prob_add(&out->problems, "dns_error");
		return 0;
	}
	out->ptr_names = calloc(MA_TRUST_MAX_PTR_NAMES, sizeof(char *));
	if (out->ptr_names == NULL)
		goto oom;
	for (int i = 0; i < r->nrr; i++)
	{
		const ma_dns_rr *rr = &r->rr[i];
		bool		dup = false;

		if (rr->type != MA_T_PTR)
			continue;			/* a CNAME chain (RFC 2317 delegation) */
		nrec++;
		if (rr->target == NULL || ma_dns_name_check(rr->target, norm) != NULL ||
			strcmp(norm, ".") == 0)
		{
			nbad++;
			continue;
		}
		for (int j = 0; j < out->nptr && !dup; j++)
			dup = strcmp(out->ptr_names[j], norm) == 0;
		if (dup || out->nptr >= MA_TRUST_MAX_PTR_NAMES)
			continue;
		if ((out->ptr_names[out->nptr] = strdup(norm)) == NULL)
			goto oom;
		out->nptr++;
	}
	if (out->nptr == 0)
	{
		free(out->ptr_names);
		out->ptr_names = NULL;
	}
	if (nrec == 0)
	{
		out->status = "fail";
		prob_add(&out->problems, "no_ptr");
		return 0;
	}
	if (nrec > MA_TRUST_MAX_PTR)
		prob_add(&out->problems, "too_many_ptr");
	if (nbad > 0)
		prob_add(&out->problems, "invalid_ptr_name");
	if (out->nptr == 0)
	{
		out->status = "permerror";
		return 0;
	}

	/* forward lookups of the first names, all in one wave */
	ncheck = out->nptr < MA_TRUST_MAX_PTR ? out->nptr : MA_TRUST_MAX_PTR;
	for (int i = 0; i < ncheck; i++)
		fw[i] = ask(&A, out->ptr_names[i], ip->family == 4 ? MA_T_A : MA_T_AAAA);
	if (A.pending || A.over)
		goto pending_or_over;
	for (int i = 0; i < ncheck && confirmed < 0; i++)
	{
		if (dns_failure(fw[i]->status))
		{
			nerr++;
			continue;
		}
		for (int j = 0; j < fw[i]->nrr; j++)
		{
			ma_ip		a;

			if (rr_ip(&fw[i]->rr[j], &a) && ip_equal(&a, ip))
			{
				confirmed = i;
				break;
			}
		}
	}
	if (confirmed >= 0)
	{
		out->forward_confirmed = true;
		if ((out->confirmed_name = strdup(out->ptr_names[confirmed])) == NULL)
			goto oom;
		out->status = "pass";
	}
	else if (nerr > 0)
	{
		out->status = "temperror";
		prob_add(&out->problems, "dns_error");
	}
	else
	{
		out->status = "fail";
		prob_add(&out->problems, "not_forward_confirmed");
	}
	out->generic = ma_ptr_name_is_generic(confirmed >= 0 ? out->confirmed_name :
										  out->ptr_names[0], ip);
	if (out->generic)
		prob_add(&out->problems, "generic_name");
	return 0;

pending_or_over:
	ma_ptr_result_free(out);
	if (A.pending)
		return 1;
	out->status = "temperror";
	prob_add(&out->problems, "dns_error");
	return 0;

oom:
	ma_ptr_result_free(out);
	out->status = "temperror";
	prob_add(&out->problems, "out_of_memory");
	return 0;
}

/* ---------------------------------------------------------------------
 * helo_check
 * ---------------------------------------------------------------------
 *
 * Syntax (RFC 5321 2.3.5, 4.1.2, 4.1.3): a Domain (LDH labels of 1 to 63
 * characters, letters/digits at both ends, no trailing dot, at most 255
 * characters; non-ASCII (U-labels) is invalid here) or an address literal:
 * "[" IPv4 "]" with 1 to 3 digit decimal parts (leading zeros allowed by
 * the Snum rule) or "[IPv6:" IPv6 "]" (the tag in any case; "::" may stand
 * for two or more groups, at most 6 other groups with it; an IPv4 tail
 * counts as two).  Other tags are invalid (no General-address-literal tag
 * is registered besides IPv6).  A bare address is invalid_syntax + bare_ip.
 *
 * Valid address literals: ip_literal (legal, but no MTA with a name should
 * use one); ip_literal_mismatch when an ip is given and differs.
 * localhost: "localhost" and the usual host-file aliases (localhost4/6,
 * localhost.localdomain, localhost6.localdomain6, ip6-localhost,
 * ip6-loopback), every name under .localhost (RFC 6761 6.3), a first
 * label "localhost" ("localhost.example.com": a default configuration),
 * and literals in 127.0.0.0/8 or ::1.  Localhost forms get no more checks.
 *
 * A valid name of one label: not_fqdn (not looked up).  TLD rules:
 * invalid_tld when the last label is all digits, is not a rule of the
 * Public Suffix List (the "*" default rule does not count), or is a
 * special-use/private-use name -- local (RFC 6762), localdomain, lan, home,
 * corp, internal, intranet, private (RFC 6762 appendix G; ICANN reserved
 * .internal in 2024), invalid, example (RFC 6761), alt (RFC 9476), onion
 * (RFC 7686), or a name under home.arpa (RFC 8375).  Special-use names and
 * all-digit TLDs ("1.2.3") are not looked up; other invalid TLDs are (the
 * DNS settles "resolves": a TLD newer than the installed list still works).
 * "test" (RFC 6761) is deliberately NOT flagged: the regression fixtures
 * of this project live under .test.
 *
 * DNS (one wave): A and AAAA of the name (resolves: one of them has an
 * address; matches_ip: one record equals ip), MX of the domain (matches_mx:
 * an MX host equals the name; no MX (NODATA) means the implicit MX of RFC
 * 5321 5.1, the domain itself; NXDOMAIN or a null MX: 0).  in_domain
 * compares the organizational domains (libpsl) without DNS.
 */
static bool
v4_literal(const char *s, size_t len, ma_ip *ip)
{
	int			part = 0;
	size_t		i = 0;

	memset(ip, 0, sizeof(*ip));
	while (part < 4)
	{
		int			v = 0,
					nd = 0;

		while (i < len && is_digit(s[i]) && nd < 4)
		{
			v = v * 10 + (s[i] - '0');
			nd++;
			i++;
		}
		if (nd == 0 || nd > 3 || v > 255)
			return false;
		ip->a[part++] = (uint8_t) v;
		if (part < 4)
		{
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
	}
	if (i != len)
		return false;
	ip->family = 4;
	return true;
}

static bool
v6_literal(const char *s, size_t len, ma_ip *ip)
{
	char		buf[64];
	struct in6_addr a6;
	int			groups = 0;
	bool		comp;

	memset(ip, 0, sizeof(*ip));
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, &a6) != 1)
		return false;
	/* RFC 5321 IPv6-comp: at most 6 groups besides "::" (4 with an IPv4 tail) */
	comp = strstr(buf, "::") != NULL;
	for (const char *p = buf; *p; p++)
		if (*p != ':' && (p == buf || p[-1] == ':'))
			groups++;
	if (strchr(buf, '.'))
		groups++;				/* the IPv4 tail counted as one: make it two */
	if (comp && groups > 6)
		return false;
	if (memcmp(a6.s6_addr, v4mapped_prefix, 12) == 0)
	{
		ip->family = 4;			/* as ma_ip_parse */
		memcpy(ip->a, a6.s6_addr + 12, 4);
		return true;
	}
	ip->family = 6;
	memcpy(ip->a, a6.s6_addr, 16);
	return true;
}

/* RFC 5321 Domain: LDH labels, letter/digit at both ends, 1..63 */
static bool
domain_syntax(const char *s, size_t len)
{
	size_t		lab = 0;

	if (len == 0 || len > 255)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == '.')
		{
			if (lab == 0 || s[i - 1] == '-')
				return false;
			lab = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-'))
			return false;
		if (lab == 0 && c == '-')
			return false;
		if (++lab > MA_DNS_MAXLABEL)
			return false;
	}
	return lab > 0 && s[len - 1] != '-';
}

static bool
localhost_name(const char *h)
{
	static const char *const names[] = {
		"localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4",
		"localhost6", "localhost6.localdomain6", "ip6-localhost", "ip6-loopback", NULL
	};
	size_t		l = strlen(h);

	for (int i = 0; names[i]; i++)
		if (strcmp(h, names[i]) == 0)
			return true;
	if (l > 10 && strcmp(h + l - 10, ".localhost") == 0)
		return true;
	return strncmp(h, "localhost.", 10) == 0;
}

/* special-use and private-use names that never are a mail host on the Internet */
static bool
special_use_name(const char *h)
{
	static const char *const tlds[] = {
		"local", "localdomain", "lan", "home", "corp", "internal", "intranet",
		"private", "invalid", "example", "alt", "onion", NULL
	};
	const char *dot = strrchr(h, '.');
	const char *tld = dot ? dot + 1 : h;
	size_t		l = strlen(h);

	for (int i = 0; tlds[i]; i++)
		if (strcmp(tld, tlds[i]) == 0)
			return true;
	return strcmp(h, "home.arpa") == 0 || (l > 10 && strcmp(h + l - 10, ".home.arpa") == 0);
}

/* 0: fine; 1: invalid TLD, still looked up; 2: invalid, not looked up */
static int
tld_invalid(const char *h)
{
	const char *dot = strrchr(h, '.');
	const char *tld = dot ? dot + 1 : h;
	bool		digits = true;

	for (const char *p = tld; *p; p++)
		if (!is_digit(*p))
			digits = false;
	if (digits)
		return 2;				/* "1.2.3": a mangled address, no name */
	if (strcmp(tld, "test") == 0)
		return 0;				/* our fixtures: see above */
	if (special_use_name(h))
		return 2;
	return tld_in_psl(tld) ? 0 : 1;
}

static void
helo_ip_checks(ma_helo_result *out, const ma_ip *lit, const ma_ip *ip)
{
	if (ip_is_loopback(lit))
	{
		out->is_localhost = true;
		prob_add(&out->problems, "localhost");
	}
	if (ip && (ip->family == 4 || ip->family == 6))
	{
		out->matches_ip = ip_equal(lit, ip) ? 1 : 0;
		if (!out->matches_ip)
			prob_add(&out->problems, "ip_literal_mismatch");
	}
}

int
ma_helo_check(const char *helo, const ma_ip *ip, const char *domain,
			  ma_spf_lookup_fn lookup, void *arg, ma_helo_result *out)
{
	asker		A = {lookup, arg, 0, false, false};
	char		h[256],
				dom[MA_DNS_MAXNAME + 1],
				o1[MA_DNS_MAXNAME + 1],
				o2[MA_DNS_MAXNAME + 1];
	size_t		len;
	ma_ip		lit;
	bool		have_dom = false,
				have_ip = ip && (ip->family == 4 || ip->family == 6);
	const ma_dns_result *ra,
			   *r6,
			   *rm = NULL;

	memset(out, 0, sizeof(*out));
	out->resolves = -1;
	out->matches_ip = -1;
	out->in_domain = -1;
	out->matches_mx = -1;
	if (helo == NULL || helo[0] == '\0' || (len = strlen(helo)) > 255)
	{
		prob_add(&out->problems, "invalid_syntax");
		return 0;
	}

	/* address literals */
	if (helo[0] == '[')
	{
		bool		ok = false;

		if (len >= 3 && helo[len - 1] == ']')
		{
			if (len > 7 && strncasecmp(helo + 1, "IPv6:", 5) == 0)
				ok = v6_literal(helo + 6, len - 7, &lit);
			else
				ok = v4_literal(helo + 1, len - 2, &lit);
		}
		if (!ok)
		{
			prob_add(&out->problems, "invalid_syntax");
			return 0;
		}
		out->valid_syntax = true;
		out->is_ip_literal = true;
		prob_add(&out->problems, "ip_literal");
		helo_ip_checks(out, &lit, ip);
		return 0;
	}
	/* a bare address (dotted quad with leading zeros included) */
	if (ma_ip_parse(helo, &lit) || v4_literal(helo, len, &lit))
	{
		out->is_ip_literal = true;
		prob_add(&out->problems, "invalid_syntax");
		prob_add(&out->problems, "bare_ip");
		helo_ip_checks(out, &lit, ip);
		return 0;
	}
	if (!domain_syntax(helo, len))
	{
		prob_add(&out->problems, "invalid_syntax");
		return 0;
	}
	out->valid_syntax = true;
	memcpy(h, helo, len + 1);
	lower_ascii(h);
	if (localhost_name(h))
	{
		out->is_localhost = true;
		prob_add(&out->problems, "localhost");
		return 0;
	}

	/* the domain, and in_domain (no DNS) */
	if (domain && ma_dns_name_check(domain, dom) == NULL && strcmp(dom, ".") != 0)
	{
		have_dom = true;
		if (ma_dmarc_org_domain_psl(h, o1) && ma_dmarc_org_domain_psl(dom, o2))
		{
			out->in_domain = strcmp(o1, o2) == 0 ? 1 : 0;
			if (!out->in_domain)
				prob_add(&out->problems, "not_in_domain");
		}
	}

	if (strchr(h, '.') == NULL)
	{
		prob_add(&out->problems, "not_fqdn");
		return 0;
	}
	switch (tld_invalid(h))
	{
		case 0:
			break;
		case 1:
			prob_add(&out->problems, "invalid_tld");
			break;
		default:
			prob_add(&out->problems, "invalid_tld");
			return 0;
	}
	if (len > MA_DNS_MAXNAME)
	{
		/* RFC 5321 allows 255, the DNS holds 253: it cannot resolve */
		out->resolves = 0;
		if (have_ip)
			out->matches_ip = 0;
		prob_add(&out->problems, "does_not_resolve");
		return 0;
	}

	/* one wave: A, AAAA, MX */
	ra = ask(&A, h, MA_T_A);
	r6 = ask(&A, h, MA_T_AAAA);
	if (have_dom)
		rm = ask(&A, dom, MA_T_MX);
	if (A.pending)
	{
		memset(out, 0, sizeof(*out));
		out->resolves = out->matches_ip = out->in_domain = out->matches_mx = -1;
		return 1;
	}

	{
		bool		has_addr = false,
					match = false,
					err = false,
					fam_err = false;
		const ma_dns_result *rs[2] = {ra, r6};

		for (int k = 0; k < 2; k++)
		{
			const ma_dns_result *r = rs[k];
			bool		fam = have_ip && (ip->family == 4) == (k == 0);

			if (r == NULL || dns_failure(r->status))
			{
				err = true;
				if (fam)
					fam_err = true;
				continue;
			}
			for (int i = 0; i < r->nrr; i++)
			{
				ma_ip		a;

				if (!rr_ip(&r->rr[i], &a))
					continue;
				has_addr = true;
				if (have_ip && ip_equal(&a, ip))
					match = true;
			}
		}
		if (has_addr)
			out->resolves = 1;
		else if (err)
			out->resolves = -1;
		else
		{
			out->resolves = 0;
			prob_add(&out->problems, "does_not_resolve");
		}
		if (have_ip)
		{
			if (match)
				out->matches_ip = 1;
			else if (fam_err)
				out->matches_ip = -1;
			else
			{
				out->matches_ip = 0;
				if (out->resolves == 1)
					prob_add(&out->problems, "ip_mismatch");
			}
		}
		if (err)
			prob_add(&out->problems, "dns_error");
	}
	if (have_dom)
	{
		if (rm == NULL || dns_failure(rm->status))
		{
			out->matches_mx = -1;
			prob_add(&out->problems, "dns_error");
		}
		else if (rm->status == MA_DNS_NXDOMAIN)
			out->matches_mx = 0;
		else
		{
			int			nmx = 0;

			out->matches_mx = 0;
			for (int i = 0; i < rm->nrr; i++)
			{
				const ma_dns_rr *rr = &rm->rr[i];

				if (rr->type != MA_T_MX || rr->target == NULL)
					continue;
				nmx++;
				if (strcasecmp(rr->target, h) == 0)
					out->matches_mx = 1;
			}
			if (nmx == 0 && strcmp(h, dom) == 0)
				out->matches_mx = 1;	/* implicit MX */
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * dnsbl_check / dbl_check
 * ---------------------------------------------------------------------
 *
 * One A question per zone (the reversed IP, or the domain, under the zone)
 * in the first wave; a TXT question for each listed zone in the second.
 * The A answer decides (classify_bl):
 *	- NXDOMAIN, NODATA, no A record: not listed (0);
 *	- a DNS failure: unknown (-1), reason "DNS error: ...";
 *	- any 127.255.255.252-255: unknown (-1): the list refused the query
 *	  (Spamhaus: .252 typing error in the list name, .254 query through a
 *	  public/open resolver, .255 excessive number of queries); for domain
 *	  lists also 127.0.1.255 (Spamhaus DBL: IP queries prohibited);
 *	- else any address in 127.0.0.0/8: listed (1), codes = those
 *	  addresses (others are ignored);
 *	- else (only addresses outside 127/8, e.g. a wildcard of a dead list's
 *	  domain): unknown (-1), reason says the list looks misconfigured;
 *	  codes = what it answered.
 * codes keep at most MA_TRUST_MAX_CODES addresses.  The reason of a listed
 * row is its TXT records (joined with " | ", cleaned like dns_expect's TXT,
 * at most 1000 characters), or NULL when it has none.  Zones: at most
 * MA_TRUST_MAX_ZONES are looked up (the rest: -1, "too many zones"); a zone
 * that is not a valid name (or the root) gives -1 "invalid zone name"; a
 * query name over 253 characters -1 "query name too long".
 */
void
ma_dnsbl_result_free(ma_dnsbl_result *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->nrows; i++)
	{
		free(r->rows[i].zone);
		free(r->rows[i].codes);
		free(r->rows[i].reason);
	}
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

static const char *
refused_reason(const ma_ip *a, bool dbl)
{
	if (a->family != 4)
		return NULL;
	if (a->a[0] == 127 && a->a[1] == 255 && a->a[2] == 255 && a->a[3] >= 252)
	{
		switch (a->a[3])
		{
			case 252:
				return "the list refused the query: 127.255.255.252 (typing error in the list name)";
			case 254:
				return "the list refused the query: 127.255.255.254 (query through a public or open resolver)";
			case 255:
				return "the list refused the query: 127.255.255.255 (excessive number of queries)";
			default:
				return "the list refused the query: 127.255.255.253";
		}
	}
	if (dbl && a->a[0] == 127 && a->a[1] == 0 && a->a[2] == 1 && a->a[3] == 255)
		return "the list refused the query: 127.0.1.255 (IP queries prohibited)";
	return NULL;
}

/* fills listed, codes, reason from the A answer; false when out of memory */
static bool
classify_bl(ma_dnsbl_row *row, const ma_dns_result *r, bool dbl)
{
	ma_ip		all[MA_TRUST_MAX_CODES];
	int			nall = 0,
				n127 = 0;
	const char *refused = NULL;
	char		st[128];

	if (dns_failure(r->status))
	{
		status_text(r, st, sizeof(st));
		row->listed = -1;
		row->reason = xasprintf("DNS error: %s", st);
		return row->reason != NULL;
	}
	row->listed = 0;
	if (r->status != MA_DNS_OK)
		return true;
	for (int i = 0; i < r->nrr; i++)
	{
		ma_ip		a;

		if (!rr_ip(&r->rr[i], &a) || a.family != 4)
			continue;
		if (!refused)
			refused = refused_reason(&a, dbl);
		if (a.a[0] == 127 && !refused_reason(&a, dbl))
			n127++;
		if (nall < MA_TRUST_MAX_CODES)
			all[nall++] = a;
	}
	if (nall == 0)
		return true;
	if (refused)
	{
		row->listed = -1;
		row->reason = strdup(refused);
		if (row->reason == NULL)
			return false;
	}
	else if (n127 > 0)
		row->listed = 1;
	else
	{
		char		ipt[INET6_ADDRSTRLEN];

		ma_ip_format(&all[0], ipt, sizeof(ipt));
		row->listed = -1;
		row->reason = xasprintf("answer outside 127.0.0.0/8 (%s): the list looks misconfigured "
								"or no longer operated", ipt);
		if (row->reason == NULL)
			return false;
	}
	row->codes = malloc(nall * sizeof(ma_ip));
	if (row->codes == NULL)
		return false;
	for (int i = 0; i < nall; i++)
	{
		/* a listing keeps only its 127/8 codes */
		if (row->listed == 1 && (all[i].a[0] != 127 || refused_reason(&all[i], dbl)))
			continue;
		row->codes[row->ncodes++] = all[i];
	}
	return true;
}

static char *
txt_reason(const ma_dns_result *r)
{
	char	   *out = NULL;
	size_t		olen = 0;

	if (dns_failure(r->status) || r->status != MA_DNS_OK)
		return NULL;
	for (int i = 0; i < r->nrr && olen < 1000; i++)
	{
		char	   *t,
				   *n;

		if (r->rr[i].type != MA_T_TXT || r->rr[i].data == NULL)
			continue;
		t = clean_text(r->rr[i].data, r->rr[i].datalen, 1000);
		if (t == NULL)
			break;
		if (t[0] == '\0')
		{
			free(t);
			continue;
		}
		n = out ? xasprintf("%s | %s", out, t) : strdup(t);
		free(t);
		if (n == NULL)
			break;
		free(out);
		out = n;
		olen = strlen(out);
	}
	if (out && olen > 1000)
	{
		char	   *c = clean_text(out, olen, 1000);	/* cut cleanly */

		free(out);
		out = c;
	}
	return out;
}

static int
bl_run(const char *prefix, const char *bad_input, bool dbl,
	   const char *const *zones, int nzones, ma_spf_lookup_fn lookup, void *arg,
	   ma_dnsbl_result *out)
{
	asker		A = {lookup, arg, 0, false, false};
	char		qn[MA_TRUST_MAX_ZONES][MA_DNS_MAXNAME + 1];
	const ma_dns_result *ra[MA_TRUST_MAX_ZONES];
	bool		asked[MA_TRUST_MAX_ZONES];

	memset(out, 0, sizeof(*out));
	if (nzones <= 0 || zones == NULL)
		return 0;
	out->rows = calloc(nzones, sizeof(ma_dnsbl_row));
	if (out->rows == NULL)
		return 0;
	out->nrows = nzones;
	for (int i = 0; i < nzones; i++)
	{
		ma_dnsbl_row *row = &out->rows[i];
		char		zn[MA_DNS_MAXNAME + 1],
					q[2 * MA_DNS_MAXNAME + 4];
		const char *reason = NULL;
		bool		zone_ok = zones[i] && ma_dns_name_check(zones[i], zn) == NULL &&
			strcmp(zn, ".") != 0;

		if (i < MA_TRUST_MAX_ZONES)
			asked[i] = false;
		row->zone = strdup(zone_ok ? zn : zones[i] ? zones[i] : "");
		if (row->zone == NULL)
			goto oom;
		row->listed = -1;
		if (i >= MA_TRUST_MAX_ZONES)
			reason = "too many zones";
		else if (bad_input)
			reason = bad_input;
		else if (!zone_ok)
			reason = "invalid zone name";
		else
		{
			snprintf(q, sizeof(q), "%s.%s", prefix, zn);
			if (ma_dns_name_check(q, qn[i]) != NULL)
				reason = "query name too long";
		}
		if (reason)
		{
			if ((row->reason = strdup(reason)) == NULL)
				goto oom;
			continue;
		}
		asked[i] = true;
		ra[i] = ask(&A, qn[i], MA_T_A);
	}
	if (A.pending)
		goto pending;

	for (int i = 0; i < nzones && i < MA_TRUST_MAX_ZONES; i++)
	{
		if (!asked[i])
			continue;
		if (ra[i] == NULL)		/* over the budget (never by design) */
		{
			if ((out->rows[i].reason = strdup("too many queries")) == NULL)
				goto oom;
			continue;
		}
		if (!classify_bl(&out->rows[i], ra[i], dbl))
			goto oom;
	}

	/* second wave: TXT of the listed zones */
	for (int i = 0; i < nzones && i < MA_TRUST_MAX_ZONES; i++)
		if (asked[i] && out->rows[i].listed == 1)
			ra[i] = ask(&A, qn[i], MA_T_TXT);
	if (A.pending)
		goto pending;
	for (int i = 0; i < nzones && i < MA_TRUST_MAX_ZONES; i++)
		if (asked[i] && out->rows[i].listed == 1 && ra[i])
			out->rows[i].reason = txt_reason(ra[i]);
	return 0;

pending:
	ma_dnsbl_result_free(out);
	return 1;

oom:
	/* rows that could not be filled stay "unknown" without a reason */
	for (int i = 0; i < out->nrows; i++)
		if (out->rows[i].zone == NULL)
		{
			out->nrows = i;
			break;
		}
	return 0;
}

int
ma_dnsbl_check(const ma_ip *ip, const char *const *zones, int nzones,
			   ma_spf_lookup_fn lookup, void *arg, ma_dnsbl_result *out)
{
	char		prefix[80];

	if (ip == NULL || (ip->family != 4 && ip->family != 6))
		return bl_run("", "invalid IP address", false, zones, nzones, lookup, arg, out);
	ma_ip_dnsbl_prefix(ip, prefix, sizeof(prefix));
	return bl_run(prefix, NULL, false, zones, nzones, lookup, arg, out);
}

int
ma_dbl_check(const char *domain, const char *const *zones, int nzones,
			 ma_spf_lookup_fn lookup, void *arg, ma_dnsbl_result *out)
{
	char		dn[MA_DNS_MAXNAME + 1];
	ma_ip		ip;

	if (domain == NULL || ma_dns_name_check(domain, dn) != NULL || strcmp(dn, ".") == 0)
		return bl_run("", "invalid domain", true, zones, nzones, lookup, arg, out);
	if (ma_ip_parse(domain, &ip))
		return bl_run("", "an IP address, not a domain", true, zones, nzones, lookup, arg, out);
	return bl_run(dn, NULL, true, zones, nzones, lookup, arg, out);
}

/* ---------------------------------------------------------------------
 * dns_expect
 * ---------------------------------------------------------------------
 *
 * See the header for the normalisation.  Details of the choices:
 *	- expected NULL or "": a presence check: ok when a record of the type
 *	  exists, else missing.
 *	- A/AAAA: an expected value that is not an address of the type is an
 *	  error (PATTERN compares the canonical text instead, e.g. "192.0.2.*").
 *	- MX: "pref host"; an expected value without a leading preference
 *	  compares with the host only (also for PATTERN).
 *	- CNAME/NS/PTR: names lowercased, trailing dot removed.  SRV and SOA:
 *	  whitespace collapsed, lowercased, trailing dots of names removed.
 *	  CAA: "flags tag \"value\"", the tag lowercased, the quotes added to an
 *	  expected value without them.
 *	- TXT: normalised by clean_text (whitespace collapsed; control octets
 *	  and invalid UTF-8 as \DDD).  EXACT: an SPF record ("v=spf1") compares
 *	  term by term, the term name (before ':', '=' or '/') and the version
 *	  case-insensitively, the rest case-sensitively; a tag-list (DMARC,
 *	  DKIM, MTA-STS, TLS-RPT, BIMI: a record starting with "v=" or any
 *	  record under a _domainkey label) compares tag by tag, the tag names
 *	  case-insensitively, the values case-sensitively with whitespace
 *	  removed, a trailing ';' ignored; anything else compares as a string.
 *	  CONTAINS: every token of expected is a token of the same record
 *	  (case-insensitively), tokens being separated by whitespace or ';' (so
 *	  "p=reject" is found in "v=DMARC1; p=reject; ...").  An expected value
 *	  of separators only matches any record.  PATTERN: glob over the
 *	  normalised text, case-sensitive.
 *	- A failure (servfail, timeout, CNAME loop...) is "error" with the DNS
 *	  status in detail; NXDOMAIN/NODATA "missing"; records of the type
 *	  none of which matches "mismatch".
 */
void
ma_expect_result_free(ma_expect_result *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->nfound; i++)
		free(r->found[i]);
	free(r->found);
	free(r->detail);
	memset(r, 0, sizeof(*r));
}

static bool
tolower_ascii_eq(char a, char b)
{
	if (a >= 'A' && a <= 'Z')
		a += 32;
	if (b >= 'A' && b <= 'Z')
		b += 32;
	return a == b;
}

/* glob: '*' matches any run; cs = case-sensitive */
static bool
glob_match(const char *pat, const char *s, bool cs)
{
	const char *star = NULL,
			   *resume = NULL;

	while (*s)
	{
		if (*pat == '*')
		{
			star = pat++;
			resume = s;
		}
		else if (*pat && (cs ? *pat == *s : tolower_ascii_eq(*pat, *s)))
		{
			pat++;
			s++;
		}
		else if (star)
		{
			pat = star + 1;
			s = ++resume;
		}
		else
			return false;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static bool
type_supported(uint16_t type)
{
	switch (type)
	{
		case MA_T_A:
		case MA_T_AAAA:
		case MA_T_NS:
		case MA_T_CNAME:
		case MA_T_PTR:
		case MA_T_MX:
		case MA_T_TXT:
		case MA_T_SRV:
		case MA_T_SOA:
		case MA_T_CAA:
			return true;
		default:
			return false;
	}
}

/* a name: whitespace trimmed, lowercased, the trailing dot removed */
static char *
norm_name_value(const char *s, size_t len)
{
	char	   *out;

	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len > 1 && s[len - 1] == '.')
		len--;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	memcpy(out, s, len);
	out[len] = '\0';
	lower_ascii(out);
	return out;
}

/* SRV, SOA: whitespace collapsed, lowercased, trailing dots of tokens removed */
static char *
norm_tokens(const char *s, size_t len)
{
	char	   *t = clean_text(s, len, 0);
	size_t		o = 0;

	if (!t)
		return NULL;
	lower_ascii(t);
	for (size_t i = 0; t[i]; i++)
	{
		if (t[i] == '.' && i > 0 && t[i - 1] != ' ' && (t[i + 1] == ' ' || t[i + 1] == '\0'))
			continue;
		t[o++] = t[i];
	}
	t[o] = '\0';
	return t;
}

/* CAA: "flags tag \"value\"" */
static char *
norm_caa(const char *s, size_t len)
{
	char	   *t = clean_text(s, len, 0),
			   *sp1,
			   *sp2,
			   *out;
	const char *val;
	size_t		vl;

	if (!t)
		return NULL;
	sp1 = strchr(t, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp2)
		return t;
	*sp2 = '\0';
	lower_ascii(sp1 + 1);
	val = sp2 + 1;
	vl = strlen(val);
	if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"')
		out = xasprintf("%s %s", t, val);
	else
		out = xasprintf("%s \"%s\"", t, val);
	free(t);
	return out;
}

static char *
norm_addr(const char *s, uint16_t type)
{
	unsigned char a[16];
	char		buf[INET6_ADDRSTRLEN];
	char	   *t = norm_name_value(s, strlen(s));
	int			af = type == MA_T_A ? AF_INET : AF_INET6;

	if (!t)
		return NULL;
	if (inet_pton(af, t, a) != 1 || inet_ntop(af, a, buf, sizeof(buf)) == NULL)
	{
		free(t);
		return NULL;
	}
	free(t);
	return strdup(buf);
}

/* the normalised value of a record of the asked type */
static char *
found_value(const ma_dns_rr *rr)
{
	switch (rr->type)
	{
		case MA_T_A:
		case MA_T_AAAA:
			return norm_addr(rr->data, rr->type);
		case MA_T_NS:
		case MA_T_CNAME:
		case MA_T_PTR:
			return rr->target ? norm_name_value(rr->target, strlen(rr->target)) :
				norm_name_value(rr->data, strlen(rr->data));
		case MA_T_MX:
			{
				char	   *h = rr->target ? norm_name_value(rr->target, strlen(rr->target)) : NULL,
						   *out;

				if (!h)
					return NULL;
				out = xasprintf("%u %s", rr->pref, h);
				free(h);
				return out;
			}
		case MA_T_TXT:
			return clean_text(rr->data, rr->datalen, 0);
		case MA_T_CAA:
			return norm_caa(rr->data, rr->datalen);
		default:
			return norm_tokens(rr->data, rr->datalen);
	}
}

/*
 * The normalised expected value; *has_pref for MX "pref host".  NULL with
 * *bad set when it cannot be a value of the type (an A that is no IPv4).
 */
static char *
expected_value(uint16_t type, const char *e, ma_expect_match m, bool *has_pref, bool *bad)
{
	size_t		len = strlen(e);

	*has_pref = false;
	*bad = false;
	switch (type)
	{
		case MA_T_A:
		case MA_T_AAAA:
			if (m == MA_EXPECT_PATTERN)
				return norm_name_value(e, len);
			{
				char	   *v = norm_addr(e, type);

				if (!v)
					*bad = true;
				return v;
			}
		case MA_T_NS:
		case MA_T_CNAME:
		case MA_T_PTR:
			return norm_name_value(e, len);
		case MA_T_MX:
			{
				char	   *t = clean_text(e, len, 0),
						   *sp,
						   *h,
						   *out;
				bool		digits = true;

				if (!t)
					return NULL;
				sp = strchr(t, ' ');
				for (char *p = t; p < (sp ? sp : t + strlen(t)); p++)
					if (!is_digit(*p))
						digits = false;
				if (!sp || !digits || sp == t)
				{
					out = norm_name_value(t, strlen(t));
					free(t);
					return out;
				}
				*sp = '\0';
				h = norm_name_value(sp + 1, strlen(sp + 1));
				out = h ? xasprintf("%lu %s", strtoul(t, NULL, 10) % 65536, h) : NULL;
				*has_pref = true;
				free(h);
				free(t);
				return out;
			}
		case MA_T_TXT:
			return clean_text(e, len, 0);
		case MA_T_CAA:
			return norm_caa(e, len);
		default:
			return norm_tokens(e, len);
	}
}

static bool
is_spf_text(const char *s)
{
	return strncasecmp(s, "v=spf1", 6) == 0 && (s[6] == ' ' || s[6] == '\0');
}

/* SPF: the version and every term name lowercased (clean text in, malloc'ed out) */
static char *
spf_canon(const char *s)
{
	char	   *c = strdup(s);
	bool		first = true;

	if (!c)
		return NULL;
	for (char *p = c; *p;)
	{
		char	   *end = strchr(p, ' ');
		size_t		tl = end ? (size_t) (end - p) : strlen(p);
		size_t		nl = first ? tl : strcspn(p, ":=/");

		if (nl > tl)
			nl = tl;
		for (size_t i = 0; i < nl; i++)
			if (p[i] >= 'A' && p[i] <= 'Z')
				p[i] += 32;
		first = false;
		p += tl;
		if (*p == ' ')
			p++;
	}
	return c;
}

/* tag-list: "tag=value;..." with tags lowercased, whitespace removed; NULL if not one */
static char *
tag_canon(const char *s)
{
	size_t		len = strlen(s);
	char	   *out = malloc(len + 2);
	size_t		o = 0;
	const char *p = s;

	if (!out)
		return NULL;
	while (*p)
	{
		const char *end = strchr(p, ';');
		const char *eq;
		size_t		el = end ? (size_t) (end - p) : strlen(p);
		const char *a = p,
				   *b = p + el;

		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		if (a < b)
		{
			const char *te;

			eq = memchr(a, '=', b - a);
			if (!eq)
				goto notags;
			te = eq;
			while (te > a && te[-1] == ' ')
				te--;
			if (te == a || !is_alpha((char) (*a | 0x20)))
				goto notags;
			for (const char *q = a; q < te; q++)
			{
				char		c = *q;

				if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_'))
					goto notags;
				out[o++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
			}
			out[o++] = '=';
			for (const char *q = eq + 1; q < b; q++)
				if (*q != ' ')
					out[o++] = *q;
			out[o++] = ';';
		}
		p += el;
		if (*p == ';')
			p++;
	}
	out[o] = '\0';
	return out;

notags:
	free(out);
	return NULL;
}

static bool
txt_exact(const char *f, const char *e, bool dkim_name)
{
	bool		eq;

	if (is_spf_text(f) && is_spf_text(e))
	{
		char	   *a = spf_canon(f),
				   *b = spf_canon(e);

		eq = a && b && strcmp(a, b) == 0;
		free(a);
		free(b);
		return eq;
	}
	if (dkim_name || strncasecmp(f, "v=", 2) == 0)
	{
		char	   *a = tag_canon(f),
				   *b = tag_canon(e);

		if (a && b)
		{
			eq = strcmp(a, b) == 0;
			free(a);
			free(b);
			return eq;
		}
		free(a);
		free(b);
	}
	return strcmp(f, e) == 0;
}

/* every token of e is a token of f, case-insensitively (tokens: see above) */
static bool
txt_contains(const char *f, const char *e)
{
	for (const char *p = e; *p;)
	{
		size_t		tl = strcspn(p, " ;");
		bool		found = false;

		for (const char *q = f; *q && !found && tl > 0;)
		{
			size_t		ql = strcspn(q, " ;");

			found = ql == tl && strncasecmp(p, q, tl) == 0;
			q += ql;
			if (*q)
				q++;
		}
		if (!found && tl > 0)
			return false;
		p += tl;
		if (*p)
			p++;
	}
	return true;
}

static bool
value_matches(uint16_t type, const char *f, const char *e, bool e_has_pref,
			  ma_expect_match m, bool dkim_name)
{
	if (type == MA_T_MX && !e_has_pref)
	{
		const char *sp = strchr(f, ' ');

		if (sp)
			f = sp + 1;
	}
	if (m == MA_EXPECT_PATTERN)
		return glob_match(e, f, type == MA_T_TXT || type == MA_T_CAA);
	if (type == MA_T_TXT)
		return m == MA_EXPECT_CONTAINS ? txt_contains(f, e) : txt_exact(f, e, dkim_name);
	return strcmp(f, e) == 0;
}

static void
expect_set(ma_expect_result *out, const char *status, char *detail)
{
	out->status = status;
	free(out->detail);
	out->detail = detail;
}

int
ma_dns_expect(const char *name, uint16_t type, const char *expected,
			  ma_expect_match match, ma_spf_lookup_fn lookup, void *arg,
			  ma_expect_result *out)
{
	asker		A = {lookup, arg, 0, false, false};
	char		qn[MA_DNS_MAXNAME + 1],
				st[128];
	const char *why;
	char	   *exp = NULL;
	bool		exp_pref = false,
				bad = false,
				dkim_name;
	const ma_dns_result *r;
	const char *chain_end = NULL;

	memset(out, 0, sizeof(*out));
	if (name == NULL || (why = ma_dns_name_check(name, qn)) != NULL)
	{
		expect_set(out, "error", xasprintf("invalid name: %s", name ? why : "NULL"));
		return 0;
	}
	if (!type_supported(type))
	{
		expect_set(out, "error", xasprintf("unsupported record type %u", type));
		return 0;
	}
	if (expected && expected[0])
	{
		exp = expected_value(type, expected, match, &exp_pref, &bad);
		if (exp == NULL)
		{
			expect_set(out, "error", bad ?
					   xasprintf("expected value is not an %s address",
								 type == MA_T_A ? "IPv4" : "IPv6") :
					   strdup("out of memory"));
			return 0;
		}
	}
	dkim_name = strncmp(qn, "_domainkey.", 11) == 0 || strstr(qn, "._domainkey.") != NULL;

	r = ask(&A, qn, type);
	if (r == NULL)
		goto pending_or_over;
	if (type != MA_T_CNAME)
		for (int i = 0; i < r->nrr; i++)
			if (r->rr[i].type == MA_T_CNAME && r->rr[i].target)
				chain_end = r->rr[i].target;
	if (dns_failure(r->status))
	{
		status_text(r, st, sizeof(st));
		expect_set(out, "error", xasprintf("DNS error: %s", st));
		goto done;
	}
	out->found = calloc(r->nrr ? r->nrr : 1, sizeof(char *));
	if (out->found == NULL)
		goto oom;
	for (int i = 0; i < r->nrr; i++)
	{
		char	   *v;

		if (r->rr[i].type != type || r->rr[i].data == NULL)
			continue;
		if ((v = found_value(&r->rr[i])) == NULL)
		{
			if (type == MA_T_A || type == MA_T_AAAA)
				continue;		/* cannot happen with decoded answers */
			goto oom;
		}
		out->found[out->nfound++] = v;
	}
	if (out->nfound == 0)
	{
		expect_set(out, "missing", chain_end ?
				   xasprintf("CNAME chain to %s", chain_end) :
				   strdup(ma_dns_status_name(r->status)));
		goto done;
	}
	if (exp == NULL)
	{
		expect_set(out, "ok", chain_end ? xasprintf("CNAME chain to %s", chain_end) : NULL);
		goto done;
	}
	for (int i = 0; i < out->nfound; i++)
		if (value_matches(type, out->found[i], exp, exp_pref, match, dkim_name))
		{
			expect_set(out, "ok", chain_end ? xasprintf("CNAME chain to %s", chain_end) : NULL);
			goto done;
		}
	if (type == MA_T_CNAME)
	{
		/* the first hop differs: does the chain reach expected further on? */
		const ma_dns_result *r2 = ask(&A, qn, MA_T_A);
		int			hop = 0;
		const char *last = NULL;

		if (r2 == NULL)
			goto pending_or_over;
		for (int i = 0; i < r2->nrr; i++)
		{
			char	   *t;

			if (r2->rr[i].type != MA_T_CNAME || r2->rr[i].target == NULL)
				continue;
			hop++;
			last = r2->rr[i].target;
			if (hop < 2)
				continue;
			if ((t = norm_name_value(last, strlen(last))) == NULL)
				goto oom;
			if (value_matches(type, t, exp, false, match, false))
			{
				expect_set(out, "ok", xasprintf("CNAME chain reaches %s at hop %d", t, hop));
				free(t);
				goto done;
			}
			free(t);
		}
		if (dns_failure(r2->status))
		{
			status_text(r2, st, sizeof(st));
			expect_set(out, "mismatch", xasprintf("the CNAME chain could not be followed: %s", st));
		}
		else
			expect_set(out, "mismatch", hop >= 2 ? xasprintf("CNAME chain to %s", last) : NULL);
		goto done;
	}
	expect_set(out, "mismatch", chain_end ? xasprintf("CNAME chain to %s", chain_end) : NULL);

done:
	free(exp);
	return 0;

pending_or_over:
	free(exp);
	ma_expect_result_free(out);
	if (A.pending)
		return 1;
	expect_set(out, "error", strdup("too many queries"));
	return 0;

oom:
	free(exp);
	ma_expect_result_free(out);
	expect_set(out, "error", strdup("out of memory"));
	return 0;
}
