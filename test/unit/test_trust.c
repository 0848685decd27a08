/*-------------------------------------------------------------------------
 *
 * test_trust.c
 *	  Unit tests of the sender-trust evaluators of the core (ma_trust.c):
 *	  IP parsing and reverse names, ptr_check (iprev), generic host names,
 *	  helo_check, dnsbl_check/dbl_check and dns_expect -- every problem
 *	  code, every status, IPv6, wave counts, question budgets and hostile
 *	  answers (1,000 PTR records, 300-character names, CNAME loops, binary
 *	  TXT).
 *
 * No PostgreSQL and no network: a fake zone (tz tables) answers a question
 * only after a "wave" resolved it, like the real callers do.  The fake
 * follows CNAME chains the way the engine does (chain records first, a
 * loop is servfail "CNAME loop"), checks that every name asked is
 * normalised, and counts the questions of each evaluator call.  A few
 * answers are decoded from wire format by ma_dns_parse_answer to pin the
 * real record formats.  The real-DNS tests are SQL regression tests
 * against knot (test/zones/trust.test.zone).
 *
 * Output is TAP; the exit status is 0 only when every assertion passed.
 *
 * Build and run:
 *	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc \
 *		$(pkg-config --cflags libcares libidn2 libpsl libcrypto) \
 *		-o test/unit/test_trust test/unit/test_trust.c src/core/ma_trust.c \
 *		src/core/ma_dmarc.c src/core/ma_spf.c src/core/ma_dns.c \
 *		src/core/ma_dnswire.c src/core/ma_dnscache.c src/core/ma_idn.c \
 *		-lcares -lidn2 -lpsl
 *	test/unit/test_trust
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_trust.h"
#include "core/ma_dmarc.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* zone tables below list only the fields they need */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "ma_test.h"

/* ---------------------------------------------------------------------
 * The fake DNS
 * ---------------------------------------------------------------------
 */
typedef struct tz
{
	const char *name;
	uint16_t	type;			/* with st: 0 = every type */
	const char *data;			/* A/AAAA/TXT/SRV/SOA/CAA data; PTR/CNAME/NS/MX target */
	uint16_t	pref;
	size_t		len;			/* TXT holding NULs */
	ma_dns_status st;			/* not OK: the answer is this status */
} tz;

#define NZ(t) ((int) (sizeof(t) / sizeof((t)[0])))

typedef struct tq
{
	char		name[MA_DNS_MAXNAME + 1];
	uint16_t	type;
	ma_dns_result *r;
} tq;

typedef ma_dns_result *(*tz_hook) (const char *name, uint16_t type);

typedef struct tdns
{
	const tz   *zone;
	int			nzone;
	tz_hook		hook;			/* answers first when not NULL */
	tq			q[256];
	int			nq;
	int			ncall;			/* lookups during the current evaluator call */
	int			max_call;		/* the most of any call */
	int			bad_names;		/* names asked that were not normalised */
	int			overflow;
} tdns;

static void
tdns_init(tdns *d, const tz *zone, int nzone, tz_hook hook)
{
	memset(d, 0, sizeof(*d));
	d->zone = zone;
	d->nzone = nzone;
	d->hook = hook;
}

static void
tdns_free(tdns *d)
{
	for (int i = 0; i < d->nq; i++)
		free(d->q[i].r);
	d->nq = 0;
}

static bool
tdns_asked(const tdns *d, const char *name, uint16_t type)
{
	for (int i = 0; i < d->nq; i++)
		if (d->q[i].type == type && strcmp(d->q[i].name, name) == 0)
			return true;
	return false;
}

static const ma_dns_result *
tdns_lookup(void *arg, const char *name, uint16_t type)
{
	tdns	   *d = arg;
	char		norm[MA_DNS_MAXNAME + 1];

	d->ncall++;
	if (ma_dns_name_check(name, norm) != NULL || strcmp(norm, name) != 0)
		d->bad_names++;
	for (int i = 0; i < d->nq; i++)
		if (d->q[i].type == type && strcmp(d->q[i].name, name) == 0)
			return d->q[i].r;
	if (d->nq == NZ(d->q))
	{
		d->overflow++;
		return NULL;
	}
	snprintf(d->q[d->nq].name, sizeof(d->q[0].name), "%s", name);
	d->q[d->nq].type = type;
	d->q[d->nq].r = NULL;
	d->nq++;
	return NULL;
}

/* one record of a result to build */
typedef struct rspec
{
	uint16_t	type;
	const char *owner;
	const char *data;
	size_t		dlen;
	const char *target;
	uint16_t	pref;
} rspec;

/* one malloc block, strings inside, as the engine makes them */
static ma_dns_result *
mk_result(ma_dns_status st, const char *detail, const rspec *s, int n)
{
	size_t		size = sizeof(ma_dns_result) + n * sizeof(ma_dns_rr);
	ma_dns_result *r;
	char	   *p;

	for (int i = 0; i < n; i++)
		size += strlen(s[i].owner) + 1 + s[i].dlen + 1 +
			(s[i].target ? strlen(s[i].target) + 1 : 0);
	r = calloc(1, size);
	if (!r)
		abort();
	r->refcnt = 1;
	r->status = st;
	r->detail = detail;
	r->size = size;
	r->nrr = n;
	p = (char *) &r->rr[n];
	for (int i = 0; i < n; i++)
	{
		ma_dns_rr  *rr = &r->rr[i];

		rr->type = s[i].type;
		rr->ttl = 300;
		rr->pref = s[i].pref;
		strcpy(p, s[i].owner);
		rr->name = p;
		p += strlen(p) + 1;
		memcpy(p, s[i].data, s[i].dlen);
		p[s[i].dlen] = '\0';
		rr->data = p;
		rr->datalen = s[i].dlen;
		p += s[i].dlen + 1;
		if (s[i].target)
		{
			strcpy(p, s[i].target);
			rr->target = p;
			p += strlen(p) + 1;
		}
	}
	return r;
}

#define MAXSPEC 64

/* a record of the zone as the decoder presents it */
static void
add_spec(rspec *s, char **own, int *n, const tz *z, const char *owner)
{
	rspec	   *x = &s[*n];

	memset(x, 0, sizeof(*x));
	x->type = z->type;
	x->owner = owner;
	x->pref = z->pref;
	own[*n] = NULL;
	switch (z->type)
	{
		case MA_T_PTR:
		case MA_T_CNAME:
		case MA_T_NS:
			own[*n] = malloc(strlen(z->data) + 2);
			sprintf(own[*n], "%s.", z->data);
			x->data = own[*n];
			x->target = z->data;
			break;
		case MA_T_MX:
			own[*n] = malloc(strlen(z->data) + 10);
			sprintf(own[*n], "%u %s.", z->pref, z->data);
			x->data = own[*n];
			x->target = z->data;
			break;
		default:
			x->data = z->data;
			break;
	}
	x->dlen = z->len ? z->len : strlen(x->data);
	(*n)++;
}

static ma_dns_result *
tz_answer(const tdns *d, const char *name, uint16_t type)
{
	rspec		s[MAXSPEC];
	char	   *own[MAXSPEC];
	int			n = 0,
				nseen = 0;
	char		seen[MA_DNS_MAX_CHAIN + 2][MA_DNS_MAXNAME + 1];
	const char *cur = name;
	ma_dns_result *r = NULL;
	bool		exists = false;
	int			found = 0;

	if (d->hook && (r = d->hook(name, type)) != NULL)
		return r;
	for (;;)
	{
		const tz   *cn = NULL;

		for (int i = 0; i < d->nzone; i++)
		{
			const tz   *z = &d->zone[i];

			if (z->st != MA_DNS_OK && strcasecmp(z->name, cur) == 0 &&
				(z->type == 0 || z->type == type))
			{
				r = mk_result(z->st, "fake failure", s, n);
				goto out;
			}
		}
		if (type == MA_T_CNAME)
			break;
		for (int i = 0; i < d->nzone && !cn; i++)
			if (d->zone[i].type == MA_T_CNAME && d->zone[i].st == MA_DNS_OK &&
				strcasecmp(d->zone[i].name, cur) == 0)
				cn = &d->zone[i];
		if (!cn)
			break;
		for (int i = 0; i < nseen; i++)
			if (strcasecmp(seen[i], cur) == 0)
			{
				r = mk_result(MA_DNS_SERVFAIL, "CNAME loop", NULL, 0);
				goto out;
			}
		if (nseen > MA_DNS_MAX_CHAIN)
		{
			r = mk_result(MA_DNS_SERVFAIL, "CNAME chain too long", NULL, 0);
			goto out;
		}
		snprintf(seen[nseen++], MA_DNS_MAXNAME + 1, "%s", cur);
		add_spec(s, own, &n, cn, cn->name);
		cur = cn->data;
	}
	for (int i = 0; i < d->nzone; i++)
	{
		const tz   *z = &d->zone[i];

		if (strcasecmp(z->name, cur) != 0 || z->st != MA_DNS_OK)
			continue;
		exists = true;
		if (z->type == type && n < MAXSPEC)
		{
			add_spec(s, own, &n, z, z->name);
			found++;
		}
	}
	r = mk_result(found ? MA_DNS_OK : exists ? MA_DNS_NODATA : MA_DNS_NXDOMAIN, NULL, s, n);
out:
	for (int i = 0; i < n; i++)
		free(own[i]);
	return r;
}

/* answer every open question; returns how many */
static int
tdns_resolve(tdns *d)
{
	int			n = 0;

	for (int i = 0; i < d->nq; i++)
		if (d->q[i].r == NULL)
		{
			d->q[i].r = tz_answer(d, d->q[i].name, d->q[i].type);
			n++;
		}
	return n;
}

/*
 * Run an evaluator call (expr, returning 0 done / 1 pending) in waves until
 * done; waves gets the number of resolutions (99 when it did not finish).
 */
#define RUN(d, waves, expr) \
	do { \
		(waves) = 0; \
		for (;;) \
		{ \
			int rc_; \
			(d)->ncall = 0; \
			rc_ = (expr); \
			if ((d)->ncall > (d)->max_call) \
				(d)->max_call = (d)->ncall; \
			if (rc_ == 0) \
				break; \
			if (++(waves) > 10 || tdns_resolve(d) == 0) \
			{ \
				(waves) = 99; \
				break; \
			} \
		} \
	} while (0)

static bool
has_problem(const ma_trust_problems *p, const char *code)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->code[i], code) == 0)
			return true;
	return false;
}

/* the problems as one string, "a,b,c" */
static const char *
problems(const ma_trust_problems *p)
{
	static char buf[512];

	buf[0] = '\0';
	for (int i = 0; i < p->n; i++)
	{
		if (i)
			strcat(buf, ",");
		strcat(buf, p->code[i]);
	}
	return buf;
}

static ma_ip
IP(const char *s)
{
	ma_ip		ip;

	if (!ma_ip_parse(s, &ip))
	{
		printf("# bad test address %s\n", s);
		abort();
	}
	return ip;
}

/* ---------------------------------------------------------------------
 * IP addresses
 * ---------------------------------------------------------------------
 */
static void
test_ip(void)
{
	ma_ip		ip;
	char		buf[128];
	static const char *const bad[] = {
		"", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4/24", " 1.2.3.4",
		"2001:db8::1/64", "[::1]", "fe80::1%eth0", "2001:db8:::1", "1:2:3:4:5:6:7:8:9",
		"example.com", "0x7f.0.0.1", NULL
	};

	OK(ma_ip_parse("192.0.2.1", &ip) && ip.family == 4 && ip.a[0] == 192 && ip.a[3] == 1,
	   "parse IPv4");
	OK(ma_ip_parse("2001:DB8::1", &ip) && ip.family == 6 && ip.a[0] == 0x20 && ip.a[15] == 1,
	   "parse IPv6 (upper case)");
	OK(ma_ip_parse("::ffff:192.0.2.7", &ip) && ip.family == 4 && ip.a[3] == 7,
	   "an IPv4-mapped address parses as IPv4");
	OK(ma_ip_parse("::1", &ip) && ip.family == 6, "parse ::1");
	for (int i = 0; bad[i]; i++)
		OK(!ma_ip_parse(bad[i], &ip) && ip.family == 0, "invalid address \"%s\"", bad[i]);
	OK(!ma_ip_parse(NULL, &ip), "NULL is invalid");

	ip = IP("192.0.2.1");
	ma_ip_format(&ip, buf, sizeof(buf));
	IS(buf, "192.0.2.1", "format IPv4");
	ip = IP("2001:0db8:0000:0000:0000:0000:0000:0001");
	ma_ip_format(&ip, buf, sizeof(buf));
	IS(buf, "2001:db8::1", "format IPv6 canonically");
	ip.family = 0;
	ma_ip_format(&ip, buf, sizeof(buf));
	IS(buf, "", "format of no family is empty");

	ip = IP("192.0.2.1");
	ma_ip_reverse_name(&ip, buf, sizeof(buf));
	IS(buf, "1.2.0.192.in-addr.arpa", "IPv4 reverse name");
	ma_ip_dnsbl_prefix(&ip, buf, sizeof(buf));
	IS(buf, "1.2.0.192", "IPv4 DNSBL prefix");
	ip = IP("2001:db8::1");
	ma_ip_reverse_name(&ip, buf, sizeof(buf));
	IS(buf, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
	   "IPv6 reverse name");
	ma_ip_dnsbl_prefix(&ip, buf, sizeof(buf));
	IS(buf, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2",
	   "IPv6 DNSBL prefix: 32 nibbles");
	ma_ip_dnsbl_prefix(&ip, buf, 10);
	IS(buf, "", "a prefix that does not fit is empty");
}

/* ---------------------------------------------------------------------
 * ptr_check
 * ---------------------------------------------------------------------
 */
static const tz ptr_zone[] = {
	/* forward-confirmed */
	{"1.2.0.192.in-addr.arpa", MA_T_PTR, "Mail.Example.COM"},
	{"mail.example.com", MA_T_A, "192.0.2.1"},
	/* PTR without forward match */
	{"2.2.0.192.in-addr.arpa", MA_T_PTR, "nofwd.example.com"},
	{"nofwd.example.com", MA_T_A, "192.0.2.99"},
	/* 192.0.2.3: no PTR at all (NXDOMAIN); .4: the name exists, no PTR */
	{"4.2.0.192.in-addr.arpa", MA_T_TXT, "no ptr here"},
	/* PTR lookup fails */
	{"5.2.0.192.in-addr.arpa", 0, NULL, 0, 0, MA_DNS_SERVFAIL},
	/* forward lookup fails */
	{"6.2.0.192.in-addr.arpa", MA_T_PTR, "broken.example.com"},
	{"broken.example.com", 0, NULL, 0, 0, MA_DNS_TIMEOUT},
	/* one forward fails, another confirms */
	{"7.2.0.192.in-addr.arpa", MA_T_PTR, "broken.example.com"},
	{"7.2.0.192.in-addr.arpa", MA_T_PTR, "seven.example.com"},
	{"seven.example.com", MA_T_A, "192.0.2.7"},
	/* several PTRs: the second confirms, the first is generic */
	{"8.2.0.192.in-addr.arpa", MA_T_PTR, "dsl-8.pool.example.net"},
	{"8.2.0.192.in-addr.arpa", MA_T_PTR, "eight.example.com"},
	{"8.2.0.192.in-addr.arpa", MA_T_PTR, "eight.example.com"},	/* duplicate */
	{"dsl-8.pool.example.net", MA_T_A, "192.0.2.88"},
	{"eight.example.com", MA_T_A, "192.0.2.99"},
	{"eight.example.com", MA_T_A, "192.0.2.8"},
	/* generic and confirmed */
	{"9.2.0.192.in-addr.arpa", MA_T_PTR, "9-2-0-192.dyn.example.net"},
	{"9-2-0-192.dyn.example.net", MA_T_A, "192.0.2.9"},
	/* twelve PTRs: the one that confirms is the eleventh (not checked) */
	{"10.2.0.192.in-addr.arpa", MA_T_PTR, "p1.example.com"},
	{"10.2.0.192.in-addr.arpa", MA_T_PTR, "p2.example.com"},
	{"10.2.0.192.in-addr.arpa", MA_T_PTR, "p3.example.com"},
	{"10.2.0.192.in-addr.arpa", MA_T_PTR, "p4.example.com"},
	{"10.2.0.192.in-addr.arpa", MA_T_PTR, "p5.example.com"},
	{"10.2.0.192.in-addr.arpa", MA_T_PTR, "p6.example.com"},
	{"10.2.0.192.in-addr.arpa", MA_T_PTR, "p7.example.com"},
	{"10.2.0.192.in-addr.arpa", MA_T_PTR, "p8.example.com"},
	{"10.2.0.192.in-addr.arpa", MA_T_PTR, "p9.example.com"},
	{"10.2.0.192.in-addr.arpa", MA_T_PTR, "p10.example.com"},
	{"10.2.0.192.in-addr.arpa", MA_T_PTR, "p11.example.com"},
	{"10.2.0.192.in-addr.arpa", MA_T_PTR, "p12.example.com"},
	{"p11.example.com", MA_T_A, "192.0.2.10"},
	/* malformed PTR targets (escaped octets as the decoder shows them, the root) */
	{"11.2.0.192.in-addr.arpa", MA_T_PTR, "bad\\032name.example.com"},
	{"12.2.0.192.in-addr.arpa", MA_T_PTR, "."},
	{"13.2.0.192.in-addr.arpa", MA_T_PTR, "bad\\.dot.example.com"},
	{"13.2.0.192.in-addr.arpa", MA_T_PTR, "thirteen.example.com"},
	{"thirteen.example.com", MA_T_A, "192.0.2.13"},
	/* RFC 2317 classless delegation: the PTR behind a CNAME */
	{"14.2.0.192.in-addr.arpa", MA_T_CNAME, "14.0-63.2.0.192.in-addr.arpa"},
	{"14.0-63.2.0.192.in-addr.arpa", MA_T_PTR, "classless.example.com"},
	{"classless.example.com", MA_T_A, "192.0.2.14"},
	/* the forward name is an alias */
	{"15.2.0.192.in-addr.arpa", MA_T_PTR, "alias.example.com"},
	{"alias.example.com", MA_T_CNAME, "real.example.com"},
	{"real.example.com", MA_T_A, "192.0.2.15"},
	/* the forward name is a CNAME loop */
	{"16.2.0.192.in-addr.arpa", MA_T_PTR, "loop1.example.com"},
	{"loop1.example.com", MA_T_CNAME, "loop2.example.com"},
	{"loop2.example.com", MA_T_CNAME, "loop1.example.com"},
	/* the forward name has only AAAA (an IPv4 client) */
	{"17.2.0.192.in-addr.arpa", MA_T_PTR, "v6only.example.com"},
	{"v6only.example.com", MA_T_AAAA, "2001:db8::17"},
	/* the forward name does not exist */
	{"18.2.0.192.in-addr.arpa", MA_T_PTR, "gone.example.com"},
	/* IPv6 */
	{"5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", MA_T_PTR,
	 "mail6.example.com"},
	{"mail6.example.com", MA_T_AAAA, "2001:db8::25"},
	{"mail6.example.com", MA_T_A, "192.0.2.25"},
	{"6.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", MA_T_PTR,
	 "v4only.example.com"},
	{"v4only.example.com", MA_T_A, "192.0.2.26"},
};

/* hostile answers, made at run time */
static ma_dns_result *
hostile_hook(const char *name, uint16_t type)
{
	if (type == MA_T_PTR && strcmp(name, "200.2.0.192.in-addr.arpa") == 0)
	{
		/* 1,000 PTR records */
		static rspec s[1000];
		static char names[1000][32],
					datas[1000][32];

		for (int i = 0; i < 1000; i++)
		{
			snprintf(names[i], sizeof(names[i]), "h%d.example.com", i);
			snprintf(datas[i], sizeof(datas[i]), "h%d.example.com.", i);
			s[i].type = MA_T_PTR;
			s[i].owner = name;
			s[i].data = datas[i];
			s[i].dlen = strlen(datas[i]);
			s[i].target = names[i];
		}
		return mk_result(MA_DNS_OK, NULL, s, 1000);
	}
	if (type == MA_T_PTR && strcmp(name, "201.2.0.192.in-addr.arpa") == 0)
	{
		/* a 300-character target (escaped octets make it that long) */
		char		longname[400];
		rspec		s[1];

		memset(longname, 0, sizeof(longname));
		for (int i = 0; i < 300; i++)
			longname[i] = (i % 50 == 49) ? '.' : 'a';
		strcpy(longname + 299, "x");
		s[0] = (rspec) {MA_T_PTR, name, longname, strlen(longname), longname, 0};
		return mk_result(MA_DNS_OK, NULL, s, 1);
	}
	if (strncmp(name, "h", 1) == 0 && strstr(name, ".example.com") && type == MA_T_A)
	{
		rspec		s[1] = {{MA_T_A, name, "192.0.2.200", 11, NULL, 0}};

		if (strcmp(name, "h999.example.com") == 0)	/* beyond the 10 checked */
			return mk_result(MA_DNS_OK, NULL, s, 1);
	}
	return NULL;
}

static void
test_ptr(void)
{
	tdns		d;
	ma_ptr_result r;
	ma_ip		ip;
	int			waves;

	tdns_init(&d, ptr_zone, NZ(ptr_zone), hostile_hook);

	/* pending leaves out empty */
	ip = IP("192.0.2.1");
	OK(ma_ptr_check(&ip, tdns_lookup, &d, &r) == 1 && r.ptr_names == NULL && r.nptr == 0 &&
	   r.status == NULL && r.problems.n == 0, "ptr_check: pending, out owns nothing");
	OK(tdns_asked(&d, "1.2.0.192.in-addr.arpa", MA_T_PTR) && d.nq == 1,
	   "ptr_check: the first wave asks only the PTR");

	RUN(&d, waves, ma_ptr_check(&ip, tdns_lookup, &d, &r));
	IS(r.status, "pass", "forward-confirmed: pass");
	OK(waves == 2 && r.forward_confirmed && r.confirmed_name &&
	   strcmp(r.confirmed_name, "mail.example.com") == 0 && r.nptr == 1 &&
	   strcmp(r.ptr_names[0], "mail.example.com") == 0 && !r.generic && r.problems.n == 0,
	   "pass: the name normalised, no problems (%d more waves)", waves);
	ma_ptr_result_free(&r);
	tdns_free(&d);

	/* every case from scratch: count the waves */
	struct
	{
		const char *ip;
		const char *status;
		const char *problems;
		const char *confirmed;
		int			waves;
		int			nptr;
	}			cases[] = {
		{"192.0.2.1", "pass", "", "mail.example.com", 2, 1},
		{"192.0.2.2", "fail", "not_forward_confirmed", NULL, 2, 1},
		{"192.0.2.3", "fail", "no_ptr", NULL, 1, 0},
		{"192.0.2.4", "fail", "no_ptr", NULL, 1, 0},
		{"192.0.2.5", "temperror", "dns_error", NULL, 1, 0},
		{"192.0.2.6", "temperror", "dns_error", NULL, 2, 1},
		{"192.0.2.7", "pass", "", "seven.example.com", 2, 2},
		{"192.0.2.8", "pass", "", "eight.example.com", 2, 2},
		{"192.0.2.9", "pass", "generic_name", "9-2-0-192.dyn.example.net", 2, 1},
		{"192.0.2.10", "fail", "too_many_ptr,not_forward_confirmed", NULL, 2, 12},
		{"192.0.2.11", "permerror", "invalid_ptr_name", NULL, 1, 0},
		{"192.0.2.12", "permerror", "invalid_ptr_name", NULL, 1, 0},
		{"192.0.2.13", "pass", "invalid_ptr_name", "thirteen.example.com", 2, 1},
		{"192.0.2.14", "pass", "", "classless.example.com", 2, 1},
		{"192.0.2.15", "pass", "", "alias.example.com", 2, 1},
		{"192.0.2.16", "temperror", "dns_error", NULL, 2, 1},
		{"192.0.2.17", "fail", "not_forward_confirmed", NULL, 2, 1},
		{"192.0.2.18", "fail", "not_forward_confirmed", NULL, 2, 1},
		{"2001:db8::25", "pass", "", "mail6.example.com", 2, 1},
		{"2001:db8::26", "fail", "not_forward_confirmed", NULL, 2, 1},
		{"192.0.2.200", "fail", "too_many_ptr,not_forward_confirmed", NULL, 2, MA_TRUST_MAX_PTR_NAMES},
		{"192.0.2.201", "permerror", "invalid_ptr_name", NULL, 1, 0},
	};

	for (int i = 0; i < NZ(cases); i++)
	{
		tdns_init(&d, ptr_zone, NZ(ptr_zone), hostile_hook);
		ip = IP(cases[i].ip);
		RUN(&d, waves, ma_ptr_check(&ip, tdns_lookup, &d, &r));
		IS(r.status, cases[i].status, cases[i].ip);
		OK(strcmp(problems(&r.problems), cases[i].problems) == 0,
		   "%s: problems \"%s\" (want \"%s\")", cases[i].ip, problems(&r.problems),
		   cases[i].problems);
		OK(cases[i].confirmed ? (r.confirmed_name && r.forward_confirmed &&
								 strcmp(r.confirmed_name, cases[i].confirmed) == 0) :
		   (r.confirmed_name == NULL && !r.forward_confirmed),
		   "%s: confirmed name %s", cases[i].ip, r.confirmed_name ? r.confirmed_name : "(none)");
		OK(waves == cases[i].waves && r.nptr == cases[i].nptr,
		   "%s: %d waves (want %d), %d names (want %d)", cases[i].ip, waves, cases[i].waves,
		   r.nptr, cases[i].nptr);
		OK(d.max_call <= 1 + MA_TRUST_MAX_PTR && d.bad_names == 0,
		   "%s: %d questions at most per call, all normalised", cases[i].ip, d.max_call);
		if (strcmp(cases[i].ip, "2001:db8::25") == 0)
			OK(tdns_asked(&d, "mail6.example.com", MA_T_AAAA) &&
			   !tdns_asked(&d, "mail6.example.com", MA_T_A),
			   "IPv6: the forward question is AAAA only");
		if (strcmp(cases[i].ip, "192.0.2.8") == 0)
			OK(!r.generic && r.nptr == 2 && strcmp(r.ptr_names[0], "dsl-8.pool.example.net") == 0,
			   "several PTRs: duplicates dropped, generic judged on the confirmed name");
		if (strcmp(cases[i].ip, "192.0.2.10") == 0)
			OK(!tdns_asked(&d, "p11.example.com", MA_T_A) && tdns_asked(&d, "p10.example.com", MA_T_A),
			   "twelve PTRs: only the first %d are looked up", MA_TRUST_MAX_PTR);
		if (strcmp(cases[i].ip, "192.0.2.200") == 0)
			OK(d.nq == 1 + MA_TRUST_MAX_PTR, "1,000 PTRs: %d questions in all", d.nq);
		ma_ptr_result_free(&r);
		tdns_free(&d);
	}

	/* a generic first name with nothing confirmed */
	{
		static const tz z[] = {
			{"30.2.0.192.in-addr.arpa", MA_T_PTR, "192-0-2-30.pool.example.net"},
		};

		tdns_init(&d, z, NZ(z), NULL);
		ip = IP("192.0.2.30");
		RUN(&d, waves, ma_ptr_check(&ip, tdns_lookup, &d, &r));
		OK(strcmp(r.status, "fail") == 0 && r.generic &&
		   strcmp(problems(&r.problems), "not_forward_confirmed,generic_name") == 0,
		   "unconfirmed generic name: fail, generic judged on the first name (%s)",
		   problems(&r.problems));
		ma_ptr_result_free(&r);
		tdns_free(&d);
	}
	/* no IP */
	memset(&ip, 0, sizeof(ip));
	tdns_init(&d, ptr_zone, NZ(ptr_zone), NULL);
	OK(ma_ptr_check(&ip, tdns_lookup, &d, &r) == 0 && strcmp(r.status, "permerror") == 0 &&
	   has_problem(&r.problems, "invalid_ip") && d.nq == 0, "no IP: permerror invalid_ip");
	ma_ptr_result_free(&r);
	OK(ma_ptr_check(NULL, tdns_lookup, &d, &r) == 0 && strcmp(r.status, "permerror") == 0,
	   "NULL IP: permerror");
	ma_ptr_result_free(&r);
	ma_ptr_result_free(&r);		/* twice is harmless */
	tdns_free(&d);
}

/* ---------------------------------------------------------------------
 * generic names
 * ---------------------------------------------------------------------
 */
static void
test_generic(void)
{
	static const struct
	{
		const char *name;
		const char *ip;
	}			pos[] = {
		{"192-0-2-1.example.net", "192.0.2.1"},
		{"192.0.2.1.example.net", "192.0.2.1"},
		{"1-2-0-192.example.net", "192.0.2.1"},
		{"1.2.0.192.static.example.net", "192.0.2.1"},
		{"h192x0x2x1.example.net", "192.0.2.1"},
		{"ip192_0_2_1.example.net", "192.0.2.1"},
		{"mail-192-000-002-001.example.net", "192.0.2.1"},
		{"c0000201.example.net", "192.0.2.1"},
		{"srv-c0000201.hosted.example.net", "192.0.2.1"},
		{"abc-0-2-1.example.net", "192.0.2.1"},
		{"x1.2.0.example.net", "192.0.2.1"},
		{"x113-45.example.net", "203.0.113.45"},
		{"45-113.example.net", "203.0.113.45"},
		{"d192000002001.example.net", "192.0.2.1"},
		{"d000002001.example.net", "192.0.2.1"},
		{"n002001.example.net", "192.0.2.1"},
		{"m045113000203.example.net", "203.0.113.45"},
		{"a192021.example.net", "192.0.2.1"},
		{"ec2-192-0-2-1.compute-1.amazonaws.com", "192.0.2.1"},
		{"c-192-0-2-1.hsd1.ma.comcast.net", "192.0.2.1"},
		{"pool-192-0-2-1.nycmny.fios.verizon.net", "192.0.2.1"},
		{"dsl.example.net", "192.0.2.1"},
		{"dynamic.example.net", "192.0.2.1"},
		{"ppp0.example.net", "192.0.2.1"},
		{"adsl-line.example.net", "192.0.2.1"},
		{"cpe-00112233.example.net", "192.0.2.1"},
		{"cust123.example.net", "192.0.2.1"},
		{"dhcp-12-34.example.net", "192.0.2.1"},
		{"cable-modem.example.net", "192.0.2.1"},
		{"unassigned.example.net", "192.0.2.1"},
		{"smtp.users.example.net", "192.0.2.1"},
		{"5g.mobile.example.net", "192.0.2.1"},
		{"ftth.example.net", "192.0.2.1"},
		{"rev-9.example.net", "192.0.2.1"},
		{"foo.in-addr.example.net", "192.0.2.1"},
		{"WIFI-Guest.Example.NET.", "192.0.2.1"},
		{"mx.res.example.co.uk", "192.0.2.1"},
		{"2001-db8--1.example.net", "2001:db8::1"},
		{"ip6-2001-db8-0-0-0-0-0-1.example.net", "2001:db8::1"},
		{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.example.net", "2001:db8::1"},
		{"20010db8000000000000000000000001.example.net", "2001:db8::1"},
		{"2001-0db8-0000-0000-0000-0000-0000-0001.v6.example.net", "2001:db8::1"},
		{"broadband.example.net", "2001:db8::1"},
	};
	static const struct
	{
		const char *name;
		const char *ip;
	}			neg[] = {
		{"mail.example.com", "192.0.2.1"},
		{"mx1.example.com", "192.0.2.1"},
		{"smtp-out.example.net", "192.0.2.1"},
		{"mail.dynamics-crm.com", "192.0.2.1"},
		{"poolside.com", "192.0.2.1"},
		{"mail.poolside.com", "192.0.2.1"},
		{"hosting.example.com", "192.0.2.1"},
		{"mailhost.example.com", "192.0.2.1"},
		{"static.example.com", "192.0.2.1"},
		{"mx2-1.example.com", "192.0.2.1"},
		{"outbound-192-0-3-1.example.com", "192.0.2.1"},
		{"1-2-1-193.example.com", "192.0.2.1"},
		{"mail.home-depot.com", "192.0.2.1"},
		{"mail.dsl-provider.com", "192.0.2.1"},
		{"o1.email.example.com", "192.0.2.1"},
		{"mta-192.example.com", "192.0.2.1"},
		{"relay.cable.com", "192.0.2.1"},
		{"dynamo.example.com", "192.0.2.1"},
		{"userservices.example.com", "192.0.2.1"},
		{"ipsum.example.com", "192.0.2.1"},
		{"clientmail.example.com", "192.0.2.1"},
		{"mx.dyn.com", "192.0.2.1"},
		{"server01.example.org", "192.0.2.1"},
		{"a.b.c.example.org", "192.0.2.1"},
		{"mail2001.example.org", "192.0.2.1"},
		{"mx-10-0-0-1.example.com", "192.0.2.1"},
		{"c0000202.example.com", "192.0.2.1"},
		{"mail.example.co.uk", "192.0.2.1"},
		{"www.bbc.co.uk", "192.0.2.1"},
		{"mail6.example.com", "2001:db8::1"},
		{"2001-db8--2.example.net", "2001:db8::1"},
		{"mx-2001.example.net", "2001:db8::1"},
		{"pool.com", "192.0.2.1"},
		{"192.com", "192.0.2.1"},
	};
	ma_ip		ip;

	for (int i = 0; i < NZ(pos); i++)
	{
		ip = IP(pos[i].ip);
		OK(ma_ptr_name_is_generic(pos[i].name, &ip), "generic: %s (%s)", pos[i].name, pos[i].ip);
	}
	for (int i = 0; i < NZ(neg); i++)
	{
		ip = IP(neg[i].ip);
		OK(!ma_ptr_name_is_generic(neg[i].name, &ip), "not generic: %s (%s)", neg[i].name,
		   neg[i].ip);
	}
	ip = IP("192.0.2.1");
	OK(!ma_ptr_name_is_generic(NULL, &ip) && !ma_ptr_name_is_generic("", &ip) &&
	   !ma_ptr_name_is_generic(".", &ip) && !ma_ptr_name_is_generic("bad name.example", &ip),
	   "no name, the root, an invalid name: not generic");
	OK(ma_ptr_name_is_generic("dsl.example.net", NULL) &&
	   !ma_ptr_name_is_generic("192-0-2-1.example.net", NULL),
	   "without an IP only the keywords count");
}

/* ---------------------------------------------------------------------
 * helo_check
 * ---------------------------------------------------------------------
 */
static const tz helo_zone[] = {
	{"mail.example.com", MA_T_A, "192.0.2.1"},
	{"mail.example.com", MA_T_AAAA, "2001:db8::1"},
	{"example.com", MA_T_MX, "mail.example.com", 10},
	{"example.org", MA_T_MX, "mx.example.org", 10},
	{"other.example.com", MA_T_A, "192.0.2.99"},
	{"v6.example.com", MA_T_AAAA, "2001:db8::6"},
	{"broken.example.com", 0, NULL, 0, 0, MA_DNS_SERVFAIL},
	{"half.example.com", MA_T_A, "192.0.2.1"},
	{"half.example.com", MA_T_AAAA, NULL, 0, 0, MA_DNS_TIMEOUT},
	{"solo.example.net", MA_T_A, "192.0.2.5"},
	{"mxfail.example.com", MA_T_MX, NULL, 0, 0, MA_DNS_SERVFAIL},
	{"out.mail.example.co.uk", MA_T_A, "192.0.2.1"},
	{"nullmx.example.com", MA_T_MX, ".", 0},
	{"alias.example.com", MA_T_CNAME, "mail.example.com"},
	{"mail.trust.test", MA_T_A, "192.0.2.1"},
};

typedef struct helo_case
{
	const char *helo;
	const char *ip;
	const char *domain;
	const char *problems;
	int			valid;
	int			literal;
	int			localhost;
	int			resolves;
	int			matches_ip;
	int			in_domain;
	int			matches_mx;
	int			waves;
} helo_case;

static void
test_helo(void)
{
	char		n254[300],
				n256[300],
				lab64[100];
	static const char *const bad_syntax[] = {
		"-bad.example.com", "bad-.example.com", "under_score.example.com", "a..b.com",
		"mail.example.com.", ".example.com", "mail example.com", "\xc3\xbcni.example.com",
		"[192.0.2.1", "[300.1.1.1]", "[1.2.3]", "[1.2.3.4.5]", "[1234.1.1.1]", "[foo:bar]",
		"[IPv6:1:2:3:4:5:6:7::]", "[IPv6:2001:db8::g]", "[IPv6:192.0.2.1]", "[]",
		"[IPv4:192.0.2.1]", "mail.example.com:25", "*.example.com", NULL
	};
	helo_case	cases[] = {
		/* helo ip domain problems valid lit lh resolves mip indom mmx waves */
		{"mail.example.com", "192.0.2.1", "example.com", "", 1, 0, 0, 1, 1, 1, 1, 1},
		{"MAIL.Example.Com", "2001:db8::1", "EXAMPLE.com.", "", 1, 0, 0, 1, 1, 1, 1, 1},
		{"mail.example.com", "192.0.2.2", "example.org", "not_in_domain,ip_mismatch", 1, 0, 0, 1, 0, 0, 0, 1},
		{"mail.example.com", NULL, NULL, "", 1, 0, 0, 1, -1, -1, -1, 1},
		{"alias.example.com", "192.0.2.1", "example.com", "", 1, 0, 0, 1, 1, 1, 0, 1},
		{"out.mail.example.co.uk", "192.0.2.1", "example.co.uk", "", 1, 0, 0, 1, 1, 1, 0, 1},
		{"other.example.com", "192.0.2.1", NULL, "ip_mismatch", 1, 0, 0, 1, 0, -1, -1, 1},
		{"v6.example.com", "192.0.2.1", NULL, "ip_mismatch", 1, 0, 0, 1, 0, -1, -1, 1},
		{"v6.example.com", "2001:db8::6", NULL, "", 1, 0, 0, 1, 1, -1, -1, 1},
		{"nx.example.com", "192.0.2.1", "example.com", "does_not_resolve", 1, 0, 0, 0, 0, 1, 0, 1},
		{"broken.example.com", "192.0.2.1", NULL, "dns_error", 1, 0, 0, -1, -1, -1, -1, 1},
		{"half.example.com", "192.0.2.1", NULL, "dns_error", 1, 0, 0, 1, 1, -1, -1, 1},
		{"half.example.com", "2001:db8::1", NULL, "dns_error", 1, 0, 0, 1, -1, -1, -1, 1},
		{"mail.example.com", "192.0.2.1", "mxfail.example.com", "dns_error", 1, 0, 0, 1, 1, 1, -1, 1},
		{"solo.example.net", "192.0.2.5", "solo.example.net", "", 1, 0, 0, 1, 1, 1, 1, 1},
		{"mail.example.com", NULL, "nullmx.example.com", "", 1, 0, 0, 1, -1, 1, 0, 1},
		{"mail.example.com", NULL, "nx.example.com", "", 1, 0, 0, 1, -1, 1, 0, 1},
		{"mail.trust.test", "192.0.2.1", "trust.test", "", 1, 0, 0, 1, 1, 1, 0, 1},
		{"mail.notatld", NULL, NULL, "invalid_tld,does_not_resolve", 1, 0, 0, 0, -1, -1, -1, 1},
		{"mail.123", NULL, NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		{"1.2.3", "192.0.2.1", NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		/* literals, no DNS */
		{"[192.0.2.1]", "192.0.2.1", "example.com", "ip_literal", 1, 1, 0, -1, 1, -1, -1, 0},
		{"[192.000.002.001]", "192.0.2.1", NULL, "ip_literal", 1, 1, 0, -1, 1, -1, -1, 0},
		{"[192.0.2.2]", "192.0.2.1", NULL, "ip_literal,ip_literal_mismatch", 1, 1, 0, -1, 0, -1, -1, 0},
		{"[IPv6:2001:db8::1]", "2001:db8::1", NULL, "ip_literal", 1, 1, 0, -1, 1, -1, -1, 0},
		{"[ipv6:2001:DB8:0:0:0:0:0:1]", "2001:db8::1", NULL, "ip_literal", 1, 1, 0, -1, 1, -1, -1, 0},
		{"[IPv6:::ffff:192.0.2.1]", "192.0.2.1", NULL, "ip_literal", 1, 1, 0, -1, 1, -1, -1, 0},
		{"[IPv6:2001:db8::1]", "192.0.2.1", NULL, "ip_literal,ip_literal_mismatch", 1, 1, 0, -1, 0, -1, -1, 0},
		{"[192.0.2.1]", NULL, NULL, "ip_literal", 1, 1, 0, -1, -1, -1, -1, 0},
		{"[127.0.0.1]", "192.0.2.1", NULL, "ip_literal,localhost,ip_literal_mismatch", 1, 1, 1, -1, 0, -1, -1, 0},
		{"[127.1.2.3]", NULL, NULL, "ip_literal,localhost", 1, 1, 1, -1, -1, -1, -1, 0},
		{"[IPv6:::1]", NULL, NULL, "ip_literal,localhost", 1, 1, 1, -1, -1, -1, -1, 0},
		{"192.0.2.1", "192.0.2.1", NULL, "invalid_syntax,bare_ip", 0, 1, 0, -1, 1, -1, -1, 0},
		{"192.000.002.001", "192.0.2.1", NULL, "invalid_syntax,bare_ip", 0, 1, 0, -1, 1, -1, -1, 0},
		{"2001:db8::1", "192.0.2.1", NULL, "invalid_syntax,bare_ip,ip_literal_mismatch", 0, 1, 0, -1, 0, -1, -1, 0},
		{"127.0.0.1", NULL, NULL, "invalid_syntax,bare_ip,localhost", 0, 1, 1, -1, -1, -1, -1, 0},
		{"::1", NULL, NULL, "invalid_syntax,bare_ip,localhost", 0, 1, 1, -1, -1, -1, -1, 0},
		/* localhost forms */
		{"localhost", "192.0.2.1", "example.com", "localhost", 1, 0, 1, -1, -1, -1, -1, 0},
		{"LOCALHOST", NULL, NULL, "localhost", 1, 0, 1, -1, -1, -1, -1, 0},
		{"localhost.localdomain", NULL, NULL, "localhost", 1, 0, 1, -1, -1, -1, -1, 0},
		{"localhost6.localdomain6", NULL, NULL, "localhost", 1, 0, 1, -1, -1, -1, -1, 0},
		{"ip6-localhost", NULL, NULL, "localhost", 1, 0, 1, -1, -1, -1, -1, 0},
		{"foo.localhost", NULL, NULL, "localhost", 1, 0, 1, -1, -1, -1, -1, 0},
		{"localhost.example.com", NULL, NULL, "localhost", 1, 0, 1, -1, -1, -1, -1, 0},
		/* not FQDN, special-use TLDs: no DNS */
		{"mailserver", "192.0.2.1", "example.com", "not_in_domain,not_fqdn", 1, 0, 0, -1, -1, 0, -1, 0},
		{"mailserver", NULL, NULL, "not_fqdn", 1, 0, 0, -1, -1, -1, -1, 0},
		{"mail.local", NULL, NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		{"mail.lan", NULL, NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		{"host.internal", NULL, NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		{"pc.home", NULL, NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		{"x.corp", NULL, NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		{"mail.localdomain", NULL, NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		{"foo.invalid", NULL, NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		{"www.example", NULL, NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		{"a.alt", NULL, NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		{"x.onion", NULL, NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		{"router.home.arpa", NULL, NULL, "invalid_tld", 1, 0, 0, -1, -1, -1, -1, 0},
		{"mail.intranet", "192.0.2.1", "example.com", "not_in_domain,invalid_tld", 1, 0, 0, -1, -1, 0, -1, 0},
		/* syntax */
		{"", NULL, NULL, "invalid_syntax", 0, 0, 0, -1, -1, -1, -1, 0},
		{n254, "192.0.2.1", NULL, "does_not_resolve", 1, 0, 0, 0, 0, -1, -1, 0},
		{n256, NULL, NULL, "invalid_syntax", 0, 0, 0, -1, -1, -1, -1, 0},
		{lab64, NULL, NULL, "invalid_syntax", 0, 0, 0, -1, -1, -1, -1, 0},
	};
	tdns		d;
	ma_helo_result r;
	int			waves;

	/* a 254-character name (syntax fine for RFC 5321, too long for the DNS) */
	memset(n254, 0, sizeof(n254));
	memset(n256, 0, sizeof(n256));
	for (int i = 0; i < 244; i++)
		n254[i] = n256[i] = (i % 61 == 60) ? '.' : 'a';
	strcat(n254, "bbbbbb.com");
	strcat(n256, "bbbbbbbb.com");
	memset(lab64, 0, sizeof(lab64));
	memset(lab64, 'c', 64);
	strcat(lab64, ".example.com");
	OK(strlen(n254) == 254 && strlen(n256) == 256, "fixture lengths");

	for (int i = 0; i < NZ(cases); i++)
	{
		helo_case  *c = &cases[i];
		ma_ip		ip;
		char		label[120];

		snprintf(label, sizeof(label), "helo \"%.60s\"%s%s%s%s", c->helo,
				 c->ip ? " ip " : "", c->ip ? c->ip : "",
				 c->domain ? " domain " : "", c->domain ? c->domain : "");
		if (c->ip)
			ip = IP(c->ip);
		tdns_init(&d, helo_zone, NZ(helo_zone), NULL);
		RUN(&d, waves, ma_helo_check(c->helo, c->ip ? &ip : NULL, c->domain, tdns_lookup, &d, &r));
		OK(strcmp(problems(&r.problems), c->problems) == 0, "%s: problems \"%s\" (want \"%s\")",
		   label, problems(&r.problems), c->problems);
		OK(r.valid_syntax == c->valid && r.is_ip_literal == c->literal &&
		   r.is_localhost == c->localhost,
		   "%s: valid %d literal %d localhost %d", label, r.valid_syntax, r.is_ip_literal,
		   r.is_localhost);
		OK(r.resolves == c->resolves && r.matches_ip == c->matches_ip &&
		   r.in_domain == c->in_domain && r.matches_mx == c->matches_mx,
		   "%s: resolves %d (%d) matches_ip %d (%d) in_domain %d (%d) matches_mx %d (%d)",
		   label, r.resolves, c->resolves, r.matches_ip, c->matches_ip, r.in_domain,
		   c->in_domain, r.matches_mx, c->matches_mx);
		OK(waves == c->waves && d.max_call <= 3 && d.bad_names == 0,
		   "%s: %d waves (want %d), %d questions", label, waves, c->waves, d.max_call);
		tdns_free(&d);
	}
	for (int i = 0; bad_syntax[i]; i++)
	{
		tdns_init(&d, helo_zone, NZ(helo_zone), NULL);
		RUN(&d, waves, ma_helo_check(bad_syntax[i], NULL, "example.com", tdns_lookup, &d, &r));
		OK(!r.valid_syntax && strcmp(problems(&r.problems), "invalid_syntax") == 0 &&
		   waves == 0 && r.resolves == -1 && r.in_domain == -1,
		   "invalid syntax: \"%s\" (%s)", bad_syntax[i], problems(&r.problems));
		tdns_free(&d);
	}
	tdns_init(&d, helo_zone, NZ(helo_zone), NULL);
	OK(ma_helo_check(NULL, NULL, NULL, tdns_lookup, &d, &r) == 0 && !r.valid_syntax &&
	   has_problem(&r.problems, "invalid_syntax"), "NULL helo: invalid_syntax");
	/* pending state */
	OK(ma_helo_check("mail.example.com", NULL, "example.com", tdns_lookup, &d, &r) == 1 &&
	   r.problems.n == 0 && r.resolves == -1 && d.nq == 3 &&
	   tdns_asked(&d, "mail.example.com", MA_T_A) &&
	   tdns_asked(&d, "mail.example.com", MA_T_AAAA) && tdns_asked(&d, "example.com", MA_T_MX),
	   "helo: A, AAAA and MX asked in one wave; pending leaves no problems");
	tdns_free(&d);
	/* an invalid domain: no MX question, in_domain unknown */
	tdns_init(&d, helo_zone, NZ(helo_zone), NULL);
	RUN(&d, waves, ma_helo_check("mail.example.com", NULL, "bad domain", tdns_lookup, &d, &r));
	OK(r.in_domain == -1 && r.matches_mx == -1 && d.nq == 2 && r.problems.n == 0,
	   "invalid domain: ignored");
	tdns_free(&d);
}

/* ---------------------------------------------------------------------
 * dnsbl_check / dbl_check
 * ---------------------------------------------------------------------
 */
static const char binary_txt[] = "listed\0with NUL\x01\x7f and \xff\xfe bad UTF-8 \xc3\xa9t\xc3\xa9";

static const tz bl_zone[] = {
	{"2.2.0.192.bl.test", MA_T_A, "127.0.0.2"},
	{"2.2.0.192.bl.test", MA_T_TXT, "Listed: see https://bl.test/?192.0.2.2"},
	{"2.2.0.192.multi.test", MA_T_A, "127.0.0.4"},
	{"2.2.0.192.multi.test", MA_T_A, "127.0.0.10"},
	{"2.2.0.192.multi.test", MA_T_A, "203.0.113.9"},
	{"2.2.0.192.multi.test", MA_T_TXT, "first"},
	{"2.2.0.192.multi.test", MA_T_TXT, "second"},
	{"2.2.0.192.refuse.test", MA_T_A, "127.255.255.254"},
	{"2.2.0.192.refuse.test", MA_T_TXT, "do not ask"},
	{"2.2.0.192.typo.test", MA_T_A, "127.255.255.252"},
	{"2.2.0.192.flood.test", MA_T_A, "127.255.255.255"},
	{"2.2.0.192.flood.test", MA_T_A, "127.0.0.2"},
	{"2.2.0.192.odd.test", MA_T_A, "127.255.255.253"},
	{"2.2.0.192.dead.test", MA_T_A, "198.51.100.1"},
	{"2.2.0.192.broken.test", 0, NULL, 0, 0, MA_DNS_SERVFAIL},
	{"2.2.0.192.notxt.test", MA_T_A, "127.0.0.3"},
	{"2.2.0.192.txtfail.test", MA_T_A, "127.0.0.3"},
	{"2.2.0.192.txtfail.test", MA_T_TXT, NULL, 0, 0, MA_DNS_TIMEOUT},
	{"2.2.0.192.bin.test", MA_T_A, "127.0.0.2"},
	{"2.2.0.192.bin.test", MA_T_TXT, binary_txt, 0, sizeof(binary_txt) - 1},
	{"2.2.0.192.alias.test", MA_T_CNAME, "2.2.0.192.bl.test"},
	{"2.2.0.192.nodata.test", MA_T_TXT, "only text"},
	{"2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test", MA_T_A, "127.0.0.2"},
	/* domain lists */
	{"spam.example.dbl.test", MA_T_A, "127.0.1.2"},
	{"spam.example.dbl.test", MA_T_TXT, "spam domain"},
	{"spam.example.noip.test", MA_T_A, "127.0.1.255"},
};

static ma_dns_result *
long_txt_hook(const char *name, uint16_t type)
{
	if (strcmp(name, "2.2.0.192.long.test") == 0)
	{
		static char big[5001];
		rspec		s[1];

		if (type == MA_T_A)
		{
			s[0] = (rspec) {MA_T_A, name, "127.0.0.2", 9, NULL, 0};
			return mk_result(MA_DNS_OK, NULL, s, 1);
		}
		memset(big, 'x', 5000);
		for (int i = 0; i < 5000; i += 10)
			big[i] = ' ';
		s[0] = (rspec) {MA_T_TXT, name, big, 5000, NULL, 0};
		return mk_result(MA_DNS_OK, NULL, s, 1);
	}
	return NULL;
}

static const ma_dnsbl_row *
row_of(const ma_dnsbl_result *r, const char *zone)
{
	for (int i = 0; i < r->nrows; i++)
		if (strcmp(r->rows[i].zone, zone) == 0)
			return &r->rows[i];
	return NULL;
}

static void
test_dnsbl(void)
{
	static const char *const zones[] = {
		"bl.test", "multi.test", "refuse.test", "typo.test", "flood.test", "odd.test",
		"dead.test", "broken.test", "notxt.test", "txtfail.test", "bin.test", "alias.test",
		"nodata.test", "clean.test", "BAD ZONE", "", ".", "long.test", "Bl.Test."
	};
	const char *zones_null[] = {"bl.test", NULL};
	tdns		d;
	ma_dnsbl_result r;
	ma_ip		ip = IP("192.0.2.2");
	const ma_dnsbl_row *w;
	int			waves;

	tdns_init(&d, bl_zone, NZ(bl_zone), long_txt_hook);
	OK(ma_dnsbl_check(&ip, zones, NZ(zones), tdns_lookup, &d, &r) == 1 && r.rows == NULL &&
	   r.nrows == 0, "dnsbl: pending, out owns nothing");
	tdns_free(&d);

	tdns_init(&d, bl_zone, NZ(bl_zone), long_txt_hook);
	RUN(&d, waves, ma_dnsbl_check(&ip, zones, NZ(zones), tdns_lookup, &d, &r));
	OK(waves == 2 && r.nrows == NZ(zones), "dnsbl: %d rows in %d waves", r.nrows, waves);
	OK(d.max_call <= MA_TRUST_MAX_QUERIES && d.bad_names == 0,
	   "dnsbl: %d questions at most per call, all normalised", d.max_call);
	w = &r.rows[0];
	OK(strcmp(w->zone, "bl.test") == 0 && w->listed == 1 && w->ncodes == 1 &&
	   w->codes[0].family == 4 && w->codes[0].a[0] == 127 && w->codes[0].a[3] == 2 &&
	   w->reason && strcmp(w->reason, "Listed: see https://bl.test/?192.0.2.2") == 0,
	   "listed: code 127.0.0.2 and the TXT as reason");
	w = row_of(&r, "multi.test");
	OK(w && w->listed == 1 && w->ncodes == 2 && w->codes[1].a[3] == 10 && w->reason &&
	   strcmp(w->reason, "first | second") == 0,
	   "several codes (the one outside 127/8 ignored), TXTs joined");
	w = row_of(&r, "refuse.test");
	OK(w && w->listed == -1 && w->ncodes == 1 && w->reason &&
	   strstr(w->reason, "127.255.255.254") && strstr(w->reason, "open resolver") &&
	   !tdns_asked(&d, "2.2.0.192.refuse.test", MA_T_TXT),
	   "127.255.255.254: unknown, the list refused (public resolver); no TXT asked");
	w = row_of(&r, "typo.test");
	OK(w && w->listed == -1 && w->reason && strstr(w->reason, "typing error"),
	   "127.255.255.252: unknown, typing error");
	w = row_of(&r, "flood.test");
	OK(w && w->listed == -1 && w->reason && strstr(w->reason, "excessive"),
	   "127.255.255.255 (with 127.0.0.2): unknown, excessive queries");
	w = row_of(&r, "odd.test");
	OK(w && w->listed == -1 && w->reason && strstr(w->reason, "refused"),
	   "127.255.255.253: unknown, refused");
	w = row_of(&r, "dead.test");
	OK(w && w->listed == -1 && w->ncodes == 1 && w->reason &&
	   strstr(w->reason, "outside 127.0.0.0/8") && strstr(w->reason, "198.51.100.1"),
	   "an answer outside 127/8: unknown, misconfigured");
	w = row_of(&r, "broken.test");
	OK(w && w->listed == -1 && w->ncodes == 0 && w->reason && strstr(w->reason, "servfail"),
	   "servfail: unknown, DNS error");
	w = row_of(&r, "notxt.test");
	OK(w && w->listed == 1 && w->reason == NULL, "listed without TXT: no reason");
	w = row_of(&r, "txtfail.test");
	OK(w && w->listed == 1 && w->reason == NULL, "listed, TXT times out: still listed");
	w = row_of(&r, "bin.test");
	OK(w && w->listed == 1 && w->reason &&
	   strcmp(w->reason, "listed\\000with NUL\\001\\127 and \\255\\254 bad UTF-8 \xc3\xa9t\xc3\xa9") == 0,
	   "binary TXT: cleaned (\"%s\")", w && w->reason ? w->reason : "");
	w = row_of(&r, "alias.test");
	OK(w && w->listed == 1 && w->ncodes == 1, "a CNAME to a listing: listed");
	w = row_of(&r, "nodata.test");
	OK(w && w->listed == 0 && w->reason == NULL, "NODATA: not listed");
	w = row_of(&r, "clean.test");
	OK(w && w->listed == 0 && w->ncodes == 0 && w->reason == NULL, "NXDOMAIN: not listed");
	OK(strcmp(r.rows[14].zone, "BAD ZONE") == 0 && r.rows[14].listed == -1 &&
	   strcmp(r.rows[14].reason, "invalid zone name") == 0 &&
	   r.rows[15].listed == -1 && strcmp(r.rows[15].reason, "invalid zone name") == 0 &&
	   r.rows[16].listed == -1 && strcmp(r.rows[16].reason, "invalid zone name") == 0,
	   "invalid zone names: unknown, \"invalid zone name\"");
	w = row_of(&r, "long.test");
	OK(w && w->listed == 1 && w->reason && strlen(w->reason) <= 1003 &&
	   strcmp(w->reason + strlen(w->reason) - 3, "...") == 0,
	   "a 5,000-character TXT: reason cut at 1,000 (%zu)", w && w->reason ? strlen(w->reason) : 0);
	OK(strcmp(r.rows[18].zone, "bl.test") == 0 && r.rows[18].listed == 1,
	   "a zone in upper case with a trailing dot is normalised");
	ma_dnsbl_result_free(&r);
	ma_dnsbl_result_free(&r);
	tdns_free(&d);

	/* nothing listed: one wave */
	{
		static const char *const clean[] = {"clean.test", "other.test"};

		tdns_init(&d, bl_zone, NZ(bl_zone), NULL);
		RUN(&d, waves, ma_dnsbl_check(&ip, clean, 2, tdns_lookup, &d, &r));
		OK(waves == 1 && r.nrows == 2 && r.rows[0].listed == 0 && r.rows[1].listed == 0,
		   "nothing listed: one wave");
		ma_dnsbl_result_free(&r);
		tdns_free(&d);
	}
	/* NULL zone, no zones */
	tdns_init(&d, bl_zone, NZ(bl_zone), NULL);
	RUN(&d, waves, ma_dnsbl_check(&ip, zones_null, 2, tdns_lookup, &d, &r));
	OK(r.nrows == 2 && r.rows[0].listed == 1 && r.rows[1].listed == -1 &&
	   strcmp(r.rows[1].zone, "") == 0 && strcmp(r.rows[1].reason, "invalid zone name") == 0,
	   "a NULL zone: invalid zone name");
	ma_dnsbl_result_free(&r);
	RUN(&d, waves, ma_dnsbl_check(&ip, zones, 0, tdns_lookup, &d, &r));
	OK(r.nrows == 0 && r.rows == NULL && waves == 0, "no zones: no rows");
	tdns_free(&d);

	/* IPv6 */
	{
		static const char *const z6[] = {"bl.test", "clean.test"};
		ma_ip		ip6 = IP("2001:db8::2");

		tdns_init(&d, bl_zone, NZ(bl_zone), NULL);
		RUN(&d, waves, ma_dnsbl_check(&ip6, z6, 2, tdns_lookup, &d, &r));
		OK(r.rows[0].listed == 1 && r.rows[1].listed == 0 && waves == 2,
		   "IPv6: 32 nibbles under the zone");
		ma_dnsbl_result_free(&r);
		tdns_free(&d);
	}
	/* a query name too long */
	{
		char		longzone[260];
		const char *zl[1] = {longzone};
		ma_ip		ip6 = IP("2001:db8::2");

		memset(longzone, 0, sizeof(longzone));
		for (int i = 0; i < 200; i++)
			longzone[i] = (i % 40 == 39) ? '.' : 'z';
		strcpy(longzone + 199, "z.test");
		tdns_init(&d, bl_zone, NZ(bl_zone), NULL);
		RUN(&d, waves, ma_dnsbl_check(&ip6, zl, 1, tdns_lookup, &d, &r));
		OK(r.nrows == 1 && r.rows[0].listed == -1 &&
		   strcmp(r.rows[0].reason, "query name too long") == 0 && d.nq == 0,
		   "IPv6 prefix + 205-character zone: query name too long, not asked");
		ma_dnsbl_result_free(&r);
		tdns_free(&d);
	}
	/* too many zones */
	{
		const char *many[40];
		char		names[40][32];

		for (int i = 0; i < 40; i++)
		{
			snprintf(names[i], sizeof(names[i]), "z%d.test", i);
			many[i] = names[i];
		}
		many[39] = "bl.test";
		tdns_init(&d, bl_zone, NZ(bl_zone), NULL);
		RUN(&d, waves, ma_dnsbl_check(&ip, many, 40, tdns_lookup, &d, &r));
		OK(r.nrows == 40 && r.rows[0].listed == 0 && r.rows[MA_TRUST_MAX_ZONES - 1].listed == 0 &&
		   r.rows[MA_TRUST_MAX_ZONES].listed == -1 &&
		   strcmp(r.rows[MA_TRUST_MAX_ZONES].reason, "too many zones") == 0 &&
		   r.rows[39].listed == -1 && d.max_call <= MA_TRUST_MAX_QUERIES && waves == 1,
		   "40 zones: %d looked up, the rest \"too many zones\" (%d questions)",
		   MA_TRUST_MAX_ZONES, d.max_call);
		ma_dnsbl_result_free(&r);
		tdns_free(&d);
	}
	/* 32 zones all listed: 64 questions, not more */
	{
		const char *many[MA_TRUST_MAX_ZONES];

		for (int i = 0; i < MA_TRUST_MAX_ZONES; i++)
			many[i] = (i % 2) ? "bl.test" : "Bl.Test";
		tdns_init(&d, bl_zone, NZ(bl_zone), NULL);
		RUN(&d, waves, ma_dnsbl_check(&ip, many, MA_TRUST_MAX_ZONES, tdns_lookup, &d, &r));
		OK(r.rows[MA_TRUST_MAX_ZONES - 1].listed == 1 && r.rows[0].reason &&
		   d.max_call <= MA_TRUST_MAX_QUERIES && waves == 2,
		   "%d listed zones: %d questions in the last call", MA_TRUST_MAX_ZONES, d.max_call);
		ma_dnsbl_result_free(&r);
		tdns_free(&d);
	}
	/* no IP */
	{
		ma_ip		none;

		memset(&none, 0, sizeof(none));
		tdns_init(&d, bl_zone, NZ(bl_zone), NULL);
		RUN(&d, waves, ma_dnsbl_check(&none, zones, 2, tdns_lookup, &d, &r));
		OK(r.nrows == 2 && r.rows[0].listed == -1 &&
		   strcmp(r.rows[0].reason, "invalid IP address") == 0 && d.nq == 0,
		   "no IP: every row unknown");
		ma_dnsbl_result_free(&r);
		tdns_free(&d);
	}

	/* domain lists */
	{
		static const char *const dz[] = {"dbl.test", "noip.test", "clean.test", "refuse.test"};

		tdns_init(&d, bl_zone, NZ(bl_zone), NULL);
		RUN(&d, waves, ma_dbl_check("Spam.Example.", dz, 4, tdns_lookup, &d, &r));
		OK(waves == 2 && r.rows[0].listed == 1 && r.rows[0].ncodes == 1 &&
		   r.rows[0].codes[0].a[2] == 1 && strcmp(r.rows[0].reason, "spam domain") == 0,
		   "dbl: a listed domain (normalised), 2 waves");
		OK(r.rows[1].listed == -1 && strstr(r.rows[1].reason, "127.0.1.255"),
		   "dbl: 127.0.1.255 is a refusal");
		OK(r.rows[2].listed == 0 && r.rows[3].listed == 0, "dbl: not listed");
		OK(tdns_asked(&d, "spam.example.dbl.test", MA_T_A) && d.bad_names == 0,
		   "dbl: the domain under the zone");
		ma_dnsbl_result_free(&r);
		RUN(&d, waves, ma_dbl_check("bad domain", dz, 2, tdns_lookup, &d, &r));
		OK(r.nrows == 2 && r.rows[0].listed == -1 && r.rows[1].listed == -1 &&
		   strcmp(r.rows[0].reason, "invalid domain") == 0 && waves == 0,
		   "dbl: an invalid domain: every row unknown");
		ma_dnsbl_result_free(&r);
		RUN(&d, waves, ma_dbl_check(NULL, dz, 1, tdns_lookup, &d, &r));
		OK(r.nrows == 1 && r.rows[0].listed == -1, "dbl: NULL domain");
		ma_dnsbl_result_free(&r);
		RUN(&d, waves, ma_dbl_check("192.0.2.1", dz, 1, tdns_lookup, &d, &r));
		OK(r.nrows == 1 && r.rows[0].listed == -1 && strstr(r.rows[0].reason, "IP address"),
		   "dbl: an IP address is no domain");
		ma_dnsbl_result_free(&r);
		tdns_free(&d);
	}
}

/* ---------------------------------------------------------------------
 * dns_expect
 * ---------------------------------------------------------------------
 */
static const char bin_txt2[] = "v=spf1\0 -all";

static const tz exp_zone[] = {
	{"example.com", MA_T_TXT, "v=spf1 include:_spf.google.com  include:mail.zendesk.com\t~all"},
	{"example.com", MA_T_TXT, "google-site-verification=abc"},
	{"_dmarc.example.com", MA_T_TXT, "v=DMARC1; p=reject; rua=mailto:d@example.com"},
	{"sel._domainkey.example.com", MA_T_TXT, "k=rsa; p=MIIB AAAA"},
	{"deleg._domainkey.example.com", MA_T_CNAME, "deleg.dkim.provider.example"},
	{"deleg.dkim.provider.example", MA_T_TXT, "v=DKIM1; k=rsa; p=XYZ"},
	{"a.example.com", MA_T_A, "192.0.2.1"},
	{"a.example.com", MA_T_A, "192.0.2.2"},
	{"a.example.com", MA_T_AAAA, "2001:db8::1"},
	{"example.com", MA_T_MX, "MX1.Example.COM", 10},
	{"example.com", MA_T_MX, "mx2.example.com", 20},
	{"example.com", MA_T_NS, "NS1.example.com"},
	{"example.com", MA_T_CAA, "0 issue \"letsencrypt.org\""},
	{"_sip._tcp.example.com", MA_T_SRV, "10 5 5060 Sip.Example.COM."},
	{"www.example.com", MA_T_CNAME, "a.cdn.example"},
	{"a.cdn.example", MA_T_CNAME, "b.cdn.example"},
	{"b.cdn.example", MA_T_CNAME, "c.cdn.example"},
	{"c.cdn.example", MA_T_A, "192.0.2.80"},
	{"loop.example.com", MA_T_CNAME, "loop2.example.com"},
	{"loop2.example.com", MA_T_CNAME, "loop.example.com"},
	{"1.2.0.192.in-addr.arpa", MA_T_PTR, "mail.example.com"},
	{"fail.example.com", 0, NULL, 0, 0, MA_DNS_SERVFAIL},
	{"nodata.example.com", MA_T_A, "192.0.2.9"},
	{"bin.example.com", MA_T_TXT, bin_txt2, 0, sizeof(bin_txt2) - 1},
};

typedef struct exp_case
{
	const char *name;
	uint16_t	type;
	const char *expected;
	ma_expect_match match;
	const char *status;
	const char *detail;			/* substring, or NULL: no detail */
	int			nfound;
	int			waves;
} exp_case;

static void
test_expect(void)
{
	exp_case	cases[] = {
		/* TXT */
		{"example.com", MA_T_TXT, "include:mail.zendesk.com", MA_EXPECT_CONTAINS, "ok", NULL, 2, 1},
		{"example.com", MA_T_TXT, "INCLUDE:Mail.Zendesk.COM", MA_EXPECT_CONTAINS, "ok", NULL, 2, 1},
		{"example.com", MA_T_TXT, "v=spf1 ~all", MA_EXPECT_CONTAINS, "ok", NULL, 2, 1},
		{"example.com", MA_T_TXT, "include:mail.zendesk", MA_EXPECT_CONTAINS, "mismatch", NULL, 2, 1},
		{"example.com", MA_T_TXT, "include:_spf.google.com google-site-verification=abc", MA_EXPECT_CONTAINS, "mismatch", NULL, 2, 1},
		{"example.com", MA_T_TXT, "v=spf1 include:_spf.google.com include:mail.zendesk.com ~all", MA_EXPECT_EXACT, "ok", NULL, 2, 1},
		{"example.com", MA_T_TXT, "V=SPF1 Include:_spf.google.com INCLUDE:mail.zendesk.com  ~ALL ", MA_EXPECT_EXACT, "ok", NULL, 2, 1},
		{"example.com", MA_T_TXT, "v=spf1 include:mail.zendesk.com include:_spf.google.com ~all", MA_EXPECT_EXACT, "mismatch", NULL, 2, 1},
		{"example.com", MA_T_TXT, "v=spf1 include:_spf.google.com ~all", MA_EXPECT_EXACT, "mismatch", NULL, 2, 1},
		{"example.com", MA_T_TXT, "GOOGLE-site-verification=abc", MA_EXPECT_EXACT, "mismatch", NULL, 2, 1},
		{"example.com", MA_T_TXT, "v=spf1 * ~all", MA_EXPECT_PATTERN, "ok", NULL, 2, 1},
		{"example.com", MA_T_TXT, "v=spf1 * -all", MA_EXPECT_PATTERN, "mismatch", NULL, 2, 1},
		{"example.com", MA_T_TXT, "*zendesk*", MA_EXPECT_PATTERN, "ok", NULL, 2, 1},
		{"example.com", MA_T_TXT, "*ZENDESK*", MA_EXPECT_PATTERN, "mismatch", NULL, 2, 1},
		{"example.com", MA_T_TXT, NULL, MA_EXPECT_EXACT, "ok", NULL, 2, 1},
		{"_dmarc.example.com", MA_T_TXT, "v=DMARC1;p=reject;rua=mailto:d@example.com;", MA_EXPECT_EXACT, "ok", NULL, 1, 1},
		{"_dmarc.example.com", MA_T_TXT, "V=DMARC1; P=reject; RUA=mailto:d@example.com", MA_EXPECT_EXACT, "ok", NULL, 1, 1},
		{"_dmarc.example.com", MA_T_TXT, "v=DMARC1; p=Reject; rua=mailto:d@example.com", MA_EXPECT_EXACT, "mismatch", NULL, 1, 1},
		{"_dmarc.example.com", MA_T_TXT, "v=DMARC1; p=reject", MA_EXPECT_EXACT, "mismatch", NULL, 1, 1},
		{"_dmarc.example.com", MA_T_TXT, "p=reject", MA_EXPECT_CONTAINS, "ok", NULL, 1, 1},
		{"_dmarc.example.com", MA_T_TXT, "v=DMARC1; p=*", MA_EXPECT_PATTERN, "ok", NULL, 1, 1},
		{"sel._domainkey.example.com", MA_T_TXT, "k=rsa;p=MIIBAAAA", MA_EXPECT_EXACT, "ok", NULL, 1, 1},
		{"sel._domainkey.example.com", MA_T_TXT, "K=rsa; p=MIIB AAAB", MA_EXPECT_EXACT, "mismatch", NULL, 1, 1},
		{"deleg._domainkey.example.com", MA_T_TXT, "v=DKIM1; k=rsa; p=XYZ", MA_EXPECT_EXACT, "ok", "CNAME chain to deleg.dkim.provider.example", 1, 1},
		{"deleg._domainkey.example.com", MA_T_TXT, "v=DKIM1; k=rsa; p=XY", MA_EXPECT_EXACT, "mismatch", "CNAME chain to deleg.dkim.provider.example", 1, 1},
		{"deleg._domainkey.example.com", MA_T_CNAME, "deleg.dkim.provider.example.", MA_EXPECT_EXACT, "ok", NULL, 1, 1},
		{"nx.example.com", MA_T_TXT, "anything", MA_EXPECT_EXACT, "missing", "nxdomain", 0, 1},
		{"a.example.com", MA_T_TXT, "anything", MA_EXPECT_EXACT, "missing", "nodata", 0, 1},
		{"fail.example.com", MA_T_TXT, "anything", MA_EXPECT_EXACT, "error", "servfail", 0, 1},
		{"bin.example.com", MA_T_TXT, "v=spf1\\000 -all", MA_EXPECT_EXACT, "ok", NULL, 1, 1},
		/* A, AAAA */
		{"a.example.com", MA_T_A, "192.0.2.2", MA_EXPECT_EXACT, "ok", NULL, 2, 1},
		{"a.example.com", MA_T_A, " 192.0.2.2 ", MA_EXPECT_CONTAINS, "ok", NULL, 2, 1},
		{"a.example.com", MA_T_A, "192.0.2.3", MA_EXPECT_EXACT, "mismatch", NULL, 2, 1},
		{"a.example.com", MA_T_A, "192.0.2.*", MA_EXPECT_PATTERN, "ok", NULL, 2, 1},
		{"a.example.com", MA_T_A, "not-an-ip", MA_EXPECT_EXACT, "error", "not an IPv4", 0, 0},
		{"a.example.com", MA_T_AAAA, "2001:DB8:0::1", MA_EXPECT_EXACT, "ok", NULL, 1, 1},
		{"a.example.com", MA_T_AAAA, "192.0.2.1", MA_EXPECT_EXACT, "error", "not an IPv6", 0, 0},
		{"nodata.example.com", MA_T_AAAA, NULL, MA_EXPECT_EXACT, "missing", "nodata", 0, 1},
		{"www.example.com", MA_T_A, "192.0.2.80", MA_EXPECT_EXACT, "ok", "CNAME chain to c.cdn.example", 1, 1},
		{"loop.example.com", MA_T_A, "192.0.2.80", MA_EXPECT_EXACT, "error", "CNAME loop", 0, 1},
		/* MX */
		{"example.com", MA_T_MX, "10 MX1.Example.com.", MA_EXPECT_EXACT, "ok", NULL, 2, 1},
		{"example.com", MA_T_MX, "mx1.example.com", MA_EXPECT_EXACT, "ok", NULL, 2, 1},
		{"example.com", MA_T_MX, "20 mx1.example.com", MA_EXPECT_EXACT, "mismatch", NULL, 2, 1},
		{"example.com", MA_T_MX, "mx3.example.com", MA_EXPECT_EXACT, "mismatch", NULL, 2, 1},
		{"example.com", MA_T_MX, "mx*.example.com", MA_EXPECT_PATTERN, "ok", NULL, 2, 1},
		{"example.com", MA_T_MX, "20 mx*", MA_EXPECT_PATTERN, "ok", NULL, 2, 1},
		{"example.com", MA_T_MX, "30 mx*", MA_EXPECT_PATTERN, "mismatch", NULL, 2, 1},
		/* NS, PTR, CAA, SRV */
		{"example.com", MA_T_NS, "ns1.EXAMPLE.com.", MA_EXPECT_EXACT, "ok", NULL, 1, 1},
		{"1.2.0.192.in-addr.arpa", MA_T_PTR, "mail.example.com", MA_EXPECT_EXACT, "ok", NULL, 1, 1},
		{"example.com", MA_T_CAA, "0 ISSUE letsencrypt.org", MA_EXPECT_EXACT, "ok", NULL, 1, 1},
		{"example.com", MA_T_CAA, "0 issue \"pki.goog\"", MA_EXPECT_EXACT, "mismatch", NULL, 1, 1},
		{"_sip._tcp.example.com", MA_T_SRV, "10  5 5060 sip.example.com", MA_EXPECT_EXACT, "ok", NULL, 1, 1},
		/* CNAME chains */
		{"www.example.com", MA_T_CNAME, "a.cdn.example.", MA_EXPECT_EXACT, "ok", NULL, 1, 1},
		{"www.example.com", MA_T_CNAME, "c.cdn.example", MA_EXPECT_EXACT, "ok", "CNAME chain reaches c.cdn.example at hop 3", 1, 2},
		{"www.example.com", MA_T_CNAME, "b.cdn.*", MA_EXPECT_PATTERN, "ok", "at hop 2", 1, 2},
		{"www.example.com", MA_T_CNAME, "z.cdn.example", MA_EXPECT_EXACT, "mismatch", "CNAME chain to c.cdn.example", 1, 2},
		{"loop.example.com", MA_T_CNAME, "elsewhere.example.com", MA_EXPECT_EXACT, "mismatch", "could not be followed: servfail (CNAME loop)", 1, 2},
		{"a.example.com", MA_T_CNAME, "x.example.com", MA_EXPECT_EXACT, "missing", "nodata", 0, 1},
		/* arguments */
		{"bad name", MA_T_TXT, "x", MA_EXPECT_EXACT, "error", "invalid name", 0, 0},
		{"example.com", 99, "x", MA_EXPECT_EXACT, "error", "unsupported record type", 0, 0},
	};
	tdns		d;
	ma_expect_result r;
	int			waves;

	for (int i = 0; i < NZ(cases); i++)
	{
		exp_case   *c = &cases[i];
		char		label[200];

		snprintf(label, sizeof(label), "expect %s %s %s \"%s\"", c->name,
				 ma_dns_type_name(c->type),
				 c->match == MA_EXPECT_EXACT ? "exact" : c->match == MA_EXPECT_CONTAINS ?
				 "contains" : "pattern", c->expected ? c->expected : "(null)");
		tdns_init(&d, exp_zone, NZ(exp_zone), NULL);
		RUN(&d, waves, ma_dns_expect(c->name, c->type, c->expected, c->match, tdns_lookup, &d, &r));
		IS(r.status, c->status, label);
		OK(c->detail ? (r.detail && strstr(r.detail, c->detail) != NULL) : r.detail == NULL,
		   "%s: detail \"%s\"", label, r.detail ? r.detail : "(null)");
		OK(r.nfound == c->nfound && waves == c->waves && d.max_call <= 2 && d.bad_names == 0,
		   "%s: %d found (want %d), %d waves (want %d)", label, r.nfound, c->nfound, waves,
		   c->waves);
		ma_expect_result_free(&r);
		tdns_free(&d);
	}

	/* the found values, normalised */
	tdns_init(&d, exp_zone, NZ(exp_zone), NULL);
	RUN(&d, waves, ma_dns_expect("example.com", MA_T_MX, NULL, MA_EXPECT_EXACT, tdns_lookup, &d, &r));
	OK(r.nfound == 2 && strcmp(r.found[0], "10 mx1.example.com") == 0 &&
	   strcmp(r.found[1], "20 mx2.example.com") == 0, "MX found as \"pref host\", lowercased");
	ma_expect_result_free(&r);
	RUN(&d, waves, ma_dns_expect("example.com", MA_T_TXT, NULL, MA_EXPECT_EXACT, tdns_lookup, &d, &r));
	OK(r.nfound == 2 &&
	   strcmp(r.found[0], "v=spf1 include:_spf.google.com include:mail.zendesk.com ~all") == 0,
	   "TXT found with whitespace collapsed");
	ma_expect_result_free(&r);
	RUN(&d, waves, ma_dns_expect("bin.example.com", MA_T_TXT, NULL, MA_EXPECT_EXACT, tdns_lookup, &d, &r));
	OK(r.nfound == 1 && strcmp(r.found[0], "v=spf1\\000 -all") == 0, "binary TXT: NUL as \\000");
	ma_expect_result_free(&r);
	RUN(&d, waves, ma_dns_expect("_sip._tcp.example.com", MA_T_SRV, NULL, MA_EXPECT_EXACT, tdns_lookup, &d, &r));
	OK(r.nfound == 1 && strcmp(r.found[0], "10 5 5060 sip.example.com") == 0, "SRV normalised");
	ma_expect_result_free(&r);
	RUN(&d, waves, ma_dns_expect("example.com", MA_T_CAA, NULL, MA_EXPECT_EXACT, tdns_lookup, &d, &r));
	OK(r.nfound == 1 && strcmp(r.found[0], "0 issue \"letsencrypt.org\"") == 0, "CAA normalised");
	ma_expect_result_free(&r);
	RUN(&d, waves, ma_dns_expect("a.example.com", MA_T_AAAA, "", MA_EXPECT_EXACT, tdns_lookup, &d, &r));
	OK(strcmp(r.status, "ok") == 0 && r.nfound == 1 && strcmp(r.found[0], "2001:db8::1") == 0,
	   "an empty expected value is a presence check");
	ma_expect_result_free(&r);
	tdns_free(&d);

	/* pending leaves out empty */
	tdns_init(&d, exp_zone, NZ(exp_zone), NULL);
	OK(ma_dns_expect("www.example.com", MA_T_CNAME, "c.cdn.example", MA_EXPECT_EXACT,
					 tdns_lookup, &d, &r) == 1 && r.found == NULL && r.detail == NULL &&
	   r.status == NULL, "expect: pending, out owns nothing");
	tdns_resolve(&d);
	OK(ma_dns_expect("www.example.com", MA_T_CNAME, "c.cdn.example", MA_EXPECT_EXACT,
					 tdns_lookup, &d, &r) == 1 && r.found == NULL && r.nfound == 0,
	   "expect: pending again for the chain, out owns nothing");
	tdns_resolve(&d);
	OK(ma_dns_expect("www.example.com", MA_T_CNAME, "c.cdn.example", MA_EXPECT_EXACT,
					 tdns_lookup, &d, &r) == 0 && strcmp(r.status, "ok") == 0 &&
	   tdns_asked(&d, "www.example.com", MA_T_A), "expect: the chain comes from an A question");
	ma_expect_result_free(&r);
	tdns_free(&d);
}

/* 1,000 TXT records, a 300-character CNAME target */
static ma_dns_result *
expect_hook(const char *name, uint16_t type)
{
	if (strcmp(name, "many.example.com") == 0 && type == MA_T_TXT)
	{
		static rspec s[1000];
		static char txt[1000][16];

		for (int i = 0; i < 1000; i++)
		{
			snprintf(txt[i], sizeof(txt[i]), "t%d", i);
			s[i] = (rspec) {MA_T_TXT, name, txt[i], strlen(txt[i]), NULL, 0};
		}
		return mk_result(MA_DNS_OK, NULL, s, 1000);
	}
	if (strcmp(name, "longcname.example.com") == 0)
	{
		char		t[320];
		rspec		s[1];

		memset(t, 'q', 300);
		t[300] = '\0';
		s[0] = (rspec) {MA_T_CNAME, name, t, 300, t, 0};
		return mk_result(type == MA_T_CNAME ? MA_DNS_OK : MA_DNS_NODATA, NULL, s, 1);
	}
	return NULL;
}

static void
test_expect_hostile(void)
{
	tdns		d;
	ma_expect_result r;
	int			waves;

	tdns_init(&d, exp_zone, NZ(exp_zone), expect_hook);
	RUN(&d, waves, ma_dns_expect("many.example.com", MA_T_TXT, "t999", MA_EXPECT_EXACT, tdns_lookup, &d, &r));
	OK(strcmp(r.status, "ok") == 0 && r.nfound == 1000, "1,000 TXT records: found");
	ma_expect_result_free(&r);
	RUN(&d, waves, ma_dns_expect("longcname.example.com", MA_T_CNAME, "x.example", MA_EXPECT_EXACT, tdns_lookup, &d, &r));
	OK(strcmp(r.status, "mismatch") == 0 && r.nfound == 1 && strlen(r.found[0]) == 300 &&
	   d.bad_names == 0, "a 300-character CNAME target: mismatch, never asked for");
	ma_expect_result_free(&r);
	RUN(&d, waves, ma_dns_expect("longcname.example.com", MA_T_A, NULL, MA_EXPECT_EXACT, tdns_lookup, &d, &r));
	OK(strcmp(r.status, "missing") == 0 && r.detail && strstr(r.detail, "CNAME chain to qqq"),
	   "a 300-character CNAME target in a chain: missing");
	ma_expect_result_free(&r);
	tdns_free(&d);
}

/* ---------------------------------------------------------------------
 * Answers decoded from wire format (the real record formats)
 * ---------------------------------------------------------------------
 */
static size_t
put_name(unsigned char *p, const char *name)
{
	size_t		o = 0;

	while (*name)
	{
		size_t		l = strcspn(name, ".");

		p[o++] = (unsigned char) l;
		memcpy(p + o, name, l);
		o += l;
		name += l;
		if (*name == '.')
			name++;
	}
	p[o++] = 0;
	return o;
}

/* an answer to (qname, qtype) with records (type, rdata) owned by qname */
static ma_dns_result *
wire_answer(const char *qname, uint16_t qtype, int n, const uint16_t *types,
			const unsigned char *const *rdata, const size_t *rdlen)
{
	unsigned char pkt[4096];
	size_t		o = 12;
	ma_dns_builder b;
	ma_dns_status st = MA_DNS_ERROR;
	char		next[MA_DNS_MAXNAME + 1];
	const char *err;
	ma_dns_result *r;

	memset(pkt, 0, 12);
	pkt[2] = 0x81;
	pkt[3] = 0x80;
	pkt[5] = 1;
	pkt[7] = (unsigned char) n;
	o += put_name(pkt + o, qname);
	pkt[o++] = qtype >> 8;
	pkt[o++] = qtype & 0xff;
	pkt[o++] = 0;
	pkt[o++] = 1;
	for (int i = 0; i < n; i++)
	{
		pkt[o++] = 0xc0;
		pkt[o++] = 12;
		pkt[o++] = types[i] >> 8;
		pkt[o++] = types[i] & 0xff;
		pkt[o++] = 0;
		pkt[o++] = 1;
		memcpy(pkt + o, "\0\0\x0e\x10", 4);
		o += 4;
		pkt[o++] = (unsigned char) (rdlen[i] >> 8);
		pkt[o++] = rdlen[i] & 0xff;
		memcpy(pkt + o, rdata[i], rdlen[i]);
		o += rdlen[i];
	}
	ma_dns_builder_init(&b);
	if (ma_dns_parse_answer(pkt, o, qname, qtype, &b, &st, next, &err) != 0)
	{
		ma_dns_builder_free(&b);
		return NULL;
	}
	r = ma_dns_builder_finish(&b, st, NULL);
	ma_dns_builder_free(&b);
	return r;
}

static ma_dns_result *
wire_hook(const char *name, uint16_t type)
{
	unsigned char rd1[300],
				rd2[300];
	const unsigned char *rds[2] = {rd1, rd2};
	size_t		lens[2];
	uint16_t	types[2] = {type, type};

	if (strcmp(name, "1.2.0.192.in-addr.arpa") == 0 && type == MA_T_PTR)
	{
		lens[0] = put_name(rd1, "MAIL.Example.COM");
		/* a label with a space: escaped by the decoder, so no usable name */
		lens[1] = put_name(rd2, "bad name.example.com");
		return wire_answer(name, type, 2, types, rds, lens);
	}
	if (strcmp(name, "mail.example.com") == 0 && type == MA_T_A)
	{
		memcpy(rd1, "\xc0\x00\x02\x01", 4);
		lens[0] = 4;
		return wire_answer(name, type, 1, types, rds, lens);
	}
	if (strcmp(name, "2.2.0.192.bl.test") == 0 && type == MA_T_A)
	{
		memcpy(rd1, "\x7f\x00\x00\x02", 4);
		lens[0] = 4;
		return wire_answer(name, type, 1, types, rds, lens);
	}
	if (strcmp(name, "2.2.0.192.bl.test") == 0 && type == MA_T_TXT)
	{
		/* two strings, one with a NUL and a control octet */
		memcpy(rd1, "\x05hello\x06 w\x00r\x01" "d", 13);
		lens[0] = 13;
		return wire_answer(name, type, 1, types, rds, lens);
	}
	return NULL;
}

static void
test_wire(void)
{
	tdns		d;
	ma_ptr_result pr;
	ma_dnsbl_result br;
	ma_ip		ip = IP("192.0.2.1");
	ma_ip		ip2 = IP("192.0.2.2");
	const char *zones[] = {"bl.test"};
	int			waves;

	tdns_init(&d, NULL, 0, wire_hook);
	RUN(&d, waves, ma_ptr_check(&ip, tdns_lookup, &d, &pr));
	OK(pr.status && strcmp(pr.status, "pass") == 0 && pr.nptr == 1 &&
	   strcmp(pr.ptr_names[0], "mail.example.com") == 0 &&
	   has_problem(&pr.problems, "invalid_ptr_name"),
	   "decoded PTR: target lowercased, an escaped label is no usable name (%s)",
	   pr.status ? pr.status : "?");
	ma_ptr_result_free(&pr);
	RUN(&d, waves, ma_dnsbl_check(&ip2, zones, 1, tdns_lookup, &d, &br));
	OK(br.nrows == 1 && br.rows[0].listed == 1 && br.rows[0].reason &&
	   strcmp(br.rows[0].reason, "hello w\\000r\\001d") == 0,
	   "decoded TXT: strings joined, NUL and control octets escaped (%s)",
	   br.nrows && br.rows[0].reason ? br.rows[0].reason : "");
	ma_dnsbl_result_free(&br);
	tdns_free(&d);
}

int
main(void)
{
	test_ip();
	test_ptr();
	test_generic();
	test_helo();
	test_dnsbl();
	test_expect();
	test_expect_hostile();
	test_wire();
	ma_trust_psl_release();
	ma_dmarc_psl_release();
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}
