/*-------------------------------------------------------------------------
 *
 * test_spf_diff.c
 *	  Differential fuzzing of the two SPF engines of the mailauth core: the
 *	  native RFC 7208 evaluator (src/core/ma_spf.c) and the libspf2 engine
 *	  (src/core/ma_spf2.c), on the same generated policies and fake DNS.
 *
 * A seeded generator builds, for every case, a small fake zone under
 * fz.test: SPF policies drawn from the RFC 7208 grammar (0-8 terms among
 * all/include/a/mx/ptr/ip4/ip6/exists with qualifiers, CIDR edge cases,
 * redirect=/exp= (sometimes twice), unknown modifiers, valid and invalid
 * macros), a fraction of them mutated into hostile records (random bytes,
 * NUL, non-ASCII, very long), A/AAAA/MX/PTR records for the targets, names
 * that answer SERVFAIL or time out, and names never generated (NXDOMAIN).
 * Include and redirect targets point to other generated names, so loops
 * and missing policies come up by themselves.  Each case has a random
 * client address (IPv4, IPv6, IPv4-mapped) and sender.
 *
 * Both engines run to completion with the waves loop (ma_spf.h) against the
 * table, which answers everything at once; every 8th case the native engine
 * also runs in true waves mode (unknown until asked once, then resolved
 * wave by wave), and every 32nd case libspf2 does too.
 *
 * Test points (TAP, each covers every case; failing cases are listed as
 * diagnostics):
 *	- each engine always ends with one of the seven results, within 200
 *	  waves and the per-case time limit (a watchdog alarm bails out on a
 *	  hang);
 *	- the native engine is deterministic: a second run gives the same
 *	  outcome (result, mechanism, domain, explanation, problem, counters);
 *	- waves mode and immediate answers give the same result.
 * Differences between the engines are expected and are not failures: they
 * are reported as "# ..." diagnostics, a table of (native, libspf2) result
 * pairs and a table of categories with an example each (docs/libspf2.md,
 * "Differential fuzzing").
 *
 * Usage: test_spf_diff [iterations [seed [case]]]
 *	defaults: 20000 iterations (about 0.3 s), seed 20240917.  A case depends
 *	only on the seed and its number: with a case number, only that case runs
 *	and its zone and both outcomes are printed.  SPF_DIFF_LIST=<text> in the
 *	environment lists every differing case whose category contains <text>
 *	(e.g. SPF_DIFF_LIST=other for the unexplained ones).
 *
 * Classification is heuristic: the first rule that fits wins (NUL bytes,
 * an IPv4-mapped client confirmed by re-running libspf2 with the plain IPv4
 * address, the native problem text, the libspf2 problem text, then features
 * of the records either engine fetched).  "other" means no rule fitted.
 *
 * Build and run (also under valgrind with a small iteration count):
 *	make test/unit/test_spf_diff && test/unit/test_spf_diff
 *	valgrind --leak-check=full --error-exitcode=1 test/unit/test_spf_diff 500
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE				/* strcasestr */

#include "core/ma_dns.h"
#include "core/ma_spf.h"
#include "core/ma_spf2.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define lengthof(a) ((int) (sizeof(a) / sizeof((a)[0])))

#define DEFAULT_ITERATIONS	20000
#define DEFAULT_SEED		20240917ULL
#define MAX_WAVES			200
#define CASE_TIME_LIMIT_MS	2000	/* a slow case is a failure */
#define WATCHDOG_SECONDS	20		/* a hung case bails out */
#define MAX_LISTED			10		/* failing cases listed per test point */

/* ---------------------------------------------------------------------
 * TAP
 * ---------------------------------------------------------------------
 */
static int	ntests = 0;
static int	nfailed = 0;

static bool ok(bool cond, const char *fmt,...) __attribute__((format(printf, 2, 3)));
static void diag(const char *fmt,...) __attribute__((format(printf, 1, 2)));

static bool
ok(bool cond, const char *fmt,...)
{
	va_list		ap;

	ntests++;
	if (!cond)
		nfailed++;
	printf("%sok %d - ", cond ? "" : "not ", ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

static void
diag(const char *fmt,...)
{
	va_list		ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *
res_word(ma_spf_res r)
{
	static const char *const names[] = {
		"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"
	};

	if ((int) r >= 0 && (int) r <= MA_SPF_PERMERROR)
		return names[r];
	return "INVALID";
}

static bool
valid_res(ma_spf_res r)
{
	return (int) r >= MA_SPF_NONE && (int) r <= MA_SPF_PERMERROR;
}

/* printable form of a record: non-printable bytes as \xNN, cut at max */
static const char *
esc(const char *s, size_t len, size_t max, char *buf, size_t buflen)
{
	size_t		o = 0;

	for (size_t i = 0; i < len && o + 8 < buflen; i++)
	{
		unsigned char ch = (unsigned char) s[i];

		if (i >= max)
		{
			o += snprintf(buf + o, buflen - o, "...(%zu bytes)", len);
			break;
		}
		if (ch < 0x20 || ch >= 0x7f || ch == '\\')
			o += snprintf(buf + o, buflen - o, "\\x%02x", ch);
		else
			buf[o++] = (char) ch;
	}
	buf[o] = '\0';
	return buf;
}

/* ---------------------------------------------------------------------
 * random numbers (splitmix64: a case is reproducible from seed and number)
 * ---------------------------------------------------------------------
 */
static uint64_t rng;

static uint64_t
rnd64(void)
{
	uint64_t	z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
rnd(int n)
{
	return (int) (rnd64() % (uint64_t) n);
}

static bool
chance(int pct)
{
	return rnd(100) < pct;
}

#define PICK(a) ((a)[rnd(lengthof(a))])

/* ---------------------------------------------------------------------
 * the fake zone of one case
 * ---------------------------------------------------------------------
 */
#define ZONE		"fz.test"
#define NDOM		8			/* d0..d7: policies */
#define NHOST		6			/* h0..h5: a/mx/ptr targets */
#define NEXP		3			/* e0..e2: explanations */
#define MAXZ		768
#define ARENA		(256 * 1024)
#define MAXQ		1024
#define ZT_ALL		0			/* an entry of this type: status for every type */

typedef struct zent
{
	const char *name;
	uint16_t	type;
	ma_dns_status status;		/* MA_DNS_OK: data is a record */
	const char *data;			/* TXT text, address, MX/PTR target */
	size_t		len;
	uint16_t	pref;
} zent;

typedef struct fq
{
	const char *name;			/* in the arena */
	uint16_t	type;
	ma_dns_result *r;
	bool		known;			/* waves mode: resolved already */
	unsigned	asked;			/* bit 0: native engine, bit 1: libspf2 */
} fq;

typedef struct zone
{
	zent		e[MAXZ];
	int			n;
	fq			q[MAXQ];
	int			nq;
	bool		waves;
	unsigned	who;			/* bit for fq.asked */
	int			asked_this_wave;
	bool		overflow;		/* arena or tables full */
	char		arena[ARENA];
	size_t		used;
} zone;

static zone Z;

static const char *
zstr(const char *s, size_t len)
{
	char	   *p;

	if (Z.used + len + 1 > ARENA)
	{
		Z.overflow = true;
		return "";
	}
	p = Z.arena + Z.used;
	memcpy(p, s, len);
	p[len] = '\0';
	Z.used += len + 1;
	return p;
}

static void
zadd(const char *name, uint16_t type, ma_dns_status st, const char *data, size_t len,
	 uint16_t pref)
{
	zent	   *e;

	if (Z.n >= MAXZ)
	{
		Z.overflow = true;
		return;
	}
	e = &Z.e[Z.n++];
	e->name = name;
	e->type = type;
	e->status = st;
	e->data = data ? zstr(data, len) : NULL;
	e->len = len;
	e->pref = pref;
}

static void
zrec(const char *name, uint16_t type, const char *data)
{
	zadd(name, type, MA_DNS_OK, data, strlen(data), 10);
}

static void
zstatus(const char *name, uint16_t type, ma_dns_status st)
{
	zadd(name, type, st, NULL, 0, 0);
}

static bool
has_suffix(const char *name, const char *suffix)
{
	size_t		n = strlen(name);
	size_t		s = strlen(suffix);

	if (n < s || strcmp(name + n - s, suffix) != 0)
		return false;
	return n == s || name[n - s - 1] == '.';
}

/* the answer of the zone to (name, type): one malloc block */
static ma_dns_result *
zone_answer(const char *name, uint16_t type)
{
	int			n = 0;
	bool		exists = false;
	ma_dns_result *r;

	/* wildcards: *.w.fz.test has an A record, *.s.fz.test fails */
	if (has_suffix(name, "s." ZONE))
		return ma_dns_result_status(MA_DNS_SERVFAIL, "fake servfail");
	if (has_suffix(name, "w." ZONE))
	{
		if (type != MA_T_A)
			return ma_dns_result_status(MA_DNS_NODATA, NULL);
		r = calloc(1, sizeof(ma_dns_result) + sizeof(ma_dns_rr));
		r->refcnt = 1;
		r->status = MA_DNS_OK;
		r->nrr = 1;
		r->rr[0].name = zstr(name, strlen(name));
		r->rr[0].type = MA_T_A;
		r->rr[0].ttl = 300;
		r->rr[0].data = "127.0.0.2";
		r->rr[0].datalen = 9;
		return r;
	}
	for (int i = 0; i < Z.n; i++)
	{
		const zent *z = &Z.e[i];

		if (strcmp(z->name, name) != 0)
			continue;
		exists = true;
		if (z->status != MA_DNS_OK && (z->type == ZT_ALL || z->type == type))
			return ma_dns_result_status(z->status, "fake error");
		if (z->type == type)
			n++;
	}
	r = calloc(1, sizeof(ma_dns_result) + (n ? n : 1) * sizeof(ma_dns_rr));
	r->refcnt = 1;
	r->status = n ? MA_DNS_OK : exists ? MA_DNS_NODATA : MA_DNS_NXDOMAIN;
	for (int i = 0; i < Z.n; i++)
	{
		const zent *z = &Z.e[i];
		ma_dns_rr  *rr;

		if (z->type != type || z->status != MA_DNS_OK || strcmp(z->name, name) != 0)
			continue;
		rr = &r->rr[r->nrr++];
		rr->name = z->name;
		rr->type = type;
		rr->ttl = 300;
		rr->pref = z->pref;
		rr->data = z->data;
		rr->datalen = z->len;
		if (type == MA_T_MX || type == MA_T_PTR)
			rr->target = z->data;
	}
	return r;
}

static const ma_dns_result *
fake_lookup(void *arg, const char *name, uint16_t type)
{
	fq		   *q;

	(void) arg;
	for (int i = 0; i < Z.nq; i++)
	{
		q = &Z.q[i];
		if (q->type == type && strcmp(q->name, name) == 0)
		{
			q->asked |= Z.who;
			if (Z.waves && !q->known)
			{
				Z.asked_this_wave++;
				return NULL;
			}
			return q->r;
		}
	}
	if (Z.nq >= MAXQ)
	{
		/* never happens with the limits of both engines; answer anyway */
		static ma_dns_result servfail = {.refcnt = 1, .status = MA_DNS_SERVFAIL};

		Z.overflow = true;
		return &servfail;
	}
	q = &Z.q[Z.nq++];
	q->name = zstr(name, strlen(name));
	q->type = type;
	q->r = zone_answer(name, type);
	q->asked = Z.who;
	q->known = !Z.waves;
	if (Z.waves)
	{
		Z.asked_this_wave++;
		return NULL;
	}
	return q->r;
}

static void
zone_reset(void)
{
	for (int i = 0; i < Z.nq; i++)
		free(Z.q[i].r);
	Z.nq = 0;
	Z.n = 0;
	Z.used = 0;
	Z.overflow = false;
}

/* ---------------------------------------------------------------------
 * running an engine
 * ---------------------------------------------------------------------
 */
typedef ma_spf_res (*engine_fn) (const ma_spf_request *req, ma_spf_lookup_fn lookup,
								 void *arg, ma_spf_outcome *out);

typedef struct run
{
	ma_spf_outcome out;
	int			waves;			/* re-runs after the first */
	bool		hung;			/* still pending after MAX_WAVES or stuck */
	double		ms;
} run;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
run_engine(engine_fn fn, unsigned who, bool waves, const ma_spf_request *req, run *rn)
{
	double		t0 = now_ms();

	memset(rn, 0, sizeof(*rn));
	Z.who = who;
	Z.waves = waves;
	if (waves)
		for (int i = 0; i < Z.nq; i++)
			Z.q[i].known = false;
	for (;;)
	{
		Z.asked_this_wave = 0;
		fn(req, fake_lookup, NULL, &rn->out);
		if (!rn->out.pending)
			break;
		if (++rn->waves > MAX_WAVES || Z.asked_this_wave == 0)
		{
			rn->hung = true;
			break;
		}
		for (int i = 0; i < Z.nq; i++)
			Z.q[i].known = true;
	}
	Z.waves = false;
	rn->ms = now_ms() - t0;
}

static bool
same_outcome(const ma_spf_outcome *a, const ma_spf_outcome *b)
{
	return a->result == b->result && a->pending == b->pending &&
		strcmp(a->explanation, b->explanation) == 0 &&
		strcmp(a->mechanism, b->mechanism) == 0 &&
		strcmp(a->domain, b->domain) == 0 &&
		strcmp(a->problem, b->problem) == 0 &&
		a->dns_lookups == b->dns_lookups && a->void_lookups == b->void_lookups;
}

/* ---------------------------------------------------------------------
 * the generator
 * ---------------------------------------------------------------------
 */
static const char *const v4pool[] = {
	"192.0.2.1", "192.0.2.2", "192.0.2.77", "198.51.100.5", "198.51.100.200",
	"203.0.113.9", "10.1.2.3", "192.0.2.255"
};
static const char *const v6pool[] = {
	"2001:db8::1", "2001:db8::2", "2001:db8:1::25", "2001:db8:ffff::1",
	"2001:db8::c000:201", "fe80::1"
};

typedef struct gen
{
	char		ip[64];			/* client address, presentation form */
	char		ip4[64];		/* its IPv4 form (also for ::ffff:a.b.c.d), or "" */
	int			family;
	char		sender[600];
	char		helo[64];
	char		dom[NDOM][24];
	char		host[NHOST][24];
	char		exp[NEXP][24];
	char		rev[128];
	int			nptr;			/* PTR records of rev */
} gen;

static gen G;

/* a random macro: 80% valid in a domain-spec */
static const char *
gen_macro(void)
{
	static const char *const good[] = {
		"%{s}", "%{l}", "%{o}", "%{d}", "%{i}", "%{ir}", "%{d2}", "%{l1r-}",
		"%%", "%_", "%-", "%{v}", "%{h}", "%{p}", "%{ir.}", "%{d1r}", "%{s2.}",
		"%{L}", "%{I}", "%{dr-}", "%{l+}", "%{o1}", "%{d3}", "%{i2r}", "%{pr}",
		"%{d99}", "%{l=_}"
	};
	static const char *const bad[] = {
		"%{x}", "%(", "%", "%{d0}", "%{c}", "%{r}", "%{t}", "%{", "%{d",
		"%{d2r-x}", "%{ d}", "%a", "%{i99999999999}", "%{}", "%{dd}", "%{d2:}",
		"%{l1000r}", "%{o-1}"
	};

	return chance(88) ? PICK(good) : PICK(bad);
}

static void
cat(char *buf, size_t cap, const char *fmt,...) __attribute__((format(printf, 3, 4)));

static void
cat(char *buf, size_t cap, const char *fmt,...)
{
	size_t		len = strlen(buf);
	va_list		ap;

	if (len + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

enum target
{
	T_POLICY,					/* include/redirect: a d<n> name */
	T_HOST,						/* a/mx/ptr: a d<n> or h<n> name */
	T_EXP,						/* exp=: an e<n> name */
	T_EXISTS					/* exists: a wildcard name */
};

/* a domain-spec for a term: mostly a zone name, sometimes macros or broken */
static void
gen_domain(char *out, size_t cap, enum target t)
{
	static const char *const macro_forms[] = {
		"%{d}", "%{o}", "%{d2}", "%{d}.", "sub.%{d}", "%{l}.w." ZONE,
		"%{M}.w." ZONE, "h%{M}." ZONE, "%{M}.%{d2}", "%{ir}.%{v}.w." ZONE,
		"%{i}.n." ZONE, "%{M}.s." ZONE
	};
	static const char *const broken[] = {
		"", "foo", "1.2.3.4", ZONE ".123", "-x." ZONE, "a..b." ZONE,
		"d0." ZONE "..", "x_y." ZONE, "*." ZONE, "d0." ZONE ":80", ".", "d0.fz.test.-",
		"xn--nxasmq6b." ZONE, "\xc3\xa9t\xc3\xa9." ZONE, "LONG"
	};
	int			r = rnd(100);

	out[0] = '\0';
	if (t == T_EXISTS && r < 60)
	{
		static const char *const ex[] = {
			"%{i}.w." ZONE, "%{ir}.%{v}.w." ZONE, "%{l1r-}.w." ZONE, "%{d}",
			"%{i}.n." ZONE, "%{i}.s." ZONE, "x%{M}.w." ZONE, "%{p}.w." ZONE,
			"%{d2}.w." ZONE, "%{s}.w." ZONE
		};

		r = 100;				/* done below */
		snprintf(out, cap, "%s", PICK(ex));
	}
	else if (r < 55)
	{
		int			k = rnd(t == T_HOST ? NDOM + NHOST : t == T_EXP ? NEXP : NDOM);

		if (t == T_EXP)
			snprintf(out, cap, "%s", G.exp[k]);
		else if (k < NDOM)
			snprintf(out, cap, "%s", G.dom[k]);
		else
			snprintf(out, cap, "%s", G.host[k - NDOM]);
		return;
	}
	else if (r < 62)
	{
		snprintf(out, cap, "m%d." ZONE, rnd(3));
		return;
	}
	else if (r < 80)
		snprintf(out, cap, "%s", PICK(macro_forms));
	else if (r < 95)
	{
		snprintf(out, cap, "%s.", t == T_EXP ? G.exp[rnd(NEXP)] : G.dom[rnd(NDOM)]);
		return;
	}
	else
	{
		const char *b = PICK(broken);

		if (strcmp(b, "LONG") == 0)
		{
			/* a name over 253 octets or a label over 63 */
			int			n = 30 + rnd(300);

			for (int i = 0; i < n && strlen(out) + 8 < cap; i++)
				cat(out, cap, "%c%s", 'a' + rnd(26), chance(90) ? "" : ".");
			cat(out, cap, "." ZONE);
		}
		else
			snprintf(out, cap, "%s", b);
		return;
	}

	/* replace %{M} by random macros */
	for (char *m = strstr(out, "%{M}"); m; m = strstr(out, "%{M}"))
	{
		char		tail[512];

		snprintf(tail, sizeof(tail), "%s", m + 4);
		*m = '\0';
		cat(out, cap, "%s%s", gen_macro(), tail);
	}
}

static const char *
gen_cidr4(void)
{
	static const char *const good[] = {"/0", "/1", "/8", "/16", "/24", "/31", "/32"};
	static const char *const bad[] = {
		"/33", "/032", "/", "/-1", "/99999999999", "/24/", "/2a"
	};

	return chance(55) ? "" : chance(90) ? PICK(good) : PICK(bad);
}

static const char *
gen_cidr6(void)
{
	static const char *const good[] = {"//0", "//1", "//48", "//64", "//127", "//128"};
	static const char *const bad[] = {"//129", "//0128", "//", "/64", "///64"};

	return chance(65) ? "" : chance(90) ? PICK(good) : PICK(bad);
}

static const char *
gen_ip4(void)
{
	static const char *const bad[] = {
		"192.0.2", "192.0.2.256", "01.2.3.4", "192.0.2.1.5", "0x7f.0.0.1",
		"::1", "", "1.2.3.4 "
	};
	int			r = rnd(100);

	if (r < 35 && G.ip4[0])
		return G.ip4;
	if (r < 85)
		return PICK(v4pool);
	if (r < 96)
		return chance(50) ? "0.0.0.0" : "192.0.2.0";
	return PICK(bad);
}

static const char *
gen_ip6(void)
{
	static const char *const bad[] = {
		"2001:db8:::1", "1.2.3.4", "2001:db8::g", "", "::ffff:192.0.2.300",
		"2001:0db8:0000:0000:0000:0000:0000:00001"
	};
	static const char *const odd[] = {
		"::", "::ffff:192.0.2.1", "::ffff:198.51.100.5", "2001:db8::", "::1",
		"2001:DB8::1"
	};
	int			r = rnd(100);

	if (r < 30 && G.family == AF_INET6)
		return G.ip;
	if (r < 80)
		return PICK(v6pool);
	if (r < 96)
		return PICK(odd);
	return PICK(bad);
}

static const char *
gen_qualifier(void)
{
	static const char *const q[] = {"+", "-", "~", "?"};

	return chance(60) ? "" : PICK(q);
}

/* one term of a policy */
static void
gen_term(char *out, size_t cap, bool *has_redirect, bool *has_exp)
{
	static const char *const unknown_mod[] = {
		"foo=bar", "x-y.z=%{d}", "moo=", "a1=%{i}.x", "_x=1", "1x=2", "x=%{q}",
		"ra=%{ir}", "v=spf1", "op=x%-y", "foo.bar=baz", "x=%{c}"
	};
	static const char *const garbage[] = {
		"foo", "+", "-", "all:x", "ip4", "ip4:", "ip6:", "include", "include:",
		"mx:", "a:", "exists", "ptr:", "a=b=c", "=x", "allx", "a//", "mx/",
		"v=spf1", "%{d}", "all/24", "redirect:d1." ZONE, "exp:e0." ZONE, "-redirect=x",
		"ip4:192.0.2.1/24/24", "a:d0." ZONE "/24/24", "mx:/24", "exists:%{i}.w." ZONE "/24"
	};
	char		dom[512];
	int			k = rnd(100);

	out[0] = '\0';
	if (k < 8)
		snprintf(out, cap, "%sall", gen_qualifier());
	else if (k < 20)
	{
		gen_domain(dom, sizeof(dom), T_POLICY);
		snprintf(out, cap, "%sinclude:%s", gen_qualifier(), dom);
	}
	else if (k < 44)
	{
		const char *m = k < 33 ? "a" : "mx";

		dom[0] = '\0';
		if (chance(60))
			gen_domain(dom, sizeof(dom), T_HOST);
		snprintf(out, cap, "%s%s%s%s%s%s", gen_qualifier(), m, dom[0] || chance(5) ? ":" : "",
				 dom, gen_cidr4(), gen_cidr6());
	}
	else if (k < 49)
	{
		dom[0] = '\0';
		if (chance(40))
			gen_domain(dom, sizeof(dom), T_HOST);
		snprintf(out, cap, "%sptr%s%s", gen_qualifier(), dom[0] ? ":" : "", dom);
	}
	else if (k < 63)
		snprintf(out, cap, "%sip4:%s%s", gen_qualifier(), gen_ip4(), gen_cidr4());
	else if (k < 73)
	{
		const char *c = gen_cidr6();

		snprintf(out, cap, "%sip6:%s%s", gen_qualifier(), gen_ip6(),
				 c[0] && c[1] == '/' ? c + 1 : chance(50) ? c : "");
	}
	else if (k < 81)
	{
		gen_domain(dom, sizeof(dom), T_EXISTS);
		snprintf(out, cap, "%sexists:%s", gen_qualifier(), dom);
	}
	else if (k < 87)
	{
		if (*has_redirect && chance(75))
			return;
		*has_redirect = true;
		gen_domain(dom, sizeof(dom), T_POLICY);
		snprintf(out, cap, "redirect=%s", dom);
	}
	else if (k < 92)
	{
		if (*has_exp && chance(75))
			return;
		*has_exp = true;
		gen_domain(dom, sizeof(dom), T_EXP);
		snprintf(out, cap, "exp=%s", dom);
	}
	else if (k < 99)
		snprintf(out, cap, "%s", PICK(unknown_mod));
	else
		snprintf(out, cap, "%s", PICK(garbage));
}

/* a policy record, with its length (it may hold NUL bytes) */
static size_t
gen_record(char *out, size_t cap)
{
	static const char *const versions[] = {
		"V=SPF1", "v=Spf1", "v=spf1a", "v=spf10", "v=spf2", "spf1", "v=spf1\t"
	};
	int			nterms = rnd(9);
	bool		has_redirect = false;
	bool		has_exp = false;
	size_t		len;

	snprintf(out, cap, "%s", chance(4) ? PICK(versions) : "v=spf1");
	for (int i = 0; i < nterms; i++)
	{
		char		term[1024];

		gen_term(term, sizeof(term), &has_redirect, &has_exp);
		if (term[0] == '\0')
			continue;
		cat(out, cap, "%s%s", chance(4) ? "  " : " ", term);
	}
	if (chance(3))
		cat(out, cap, " ");
	len = strlen(out);

	/* hostile mutations */
	if (chance(8))
	{
		int			m = rnd(9);
		size_t		pos = len ? (size_t) rnd((int) len + 1) : 0;

		switch (m)
		{
			case 0:				/* a random byte somewhere */
			case 1:
			case 2:				/* a NUL byte (after the version, mostly) */
				if (len + 2 < cap)
				{
					if (m == 2 && pos < 6 && chance(80))
						pos = 6 + (size_t) rnd((int) (len - 5 > 0 ? len - 5 : 1));
					if (pos > len)
						pos = len;
					memmove(out + pos + 1, out + pos, len - pos + 1);
					out[pos] = m == 2 ? '\0' : (char) (1 + rnd(255));
					len++;
				}
				break;
			case 3:				/* non-ASCII (UTF-8) */
				if (len + 3 < cap)
				{
					memmove(out + pos + 2, out + pos, len - pos + 1);
					memcpy(out + pos, "\xc3\xa9", 2);
					len += 2;
				}
				break;
			case 4:				/* random bytes after the version */
				{
					int			n = 1 + rnd(60);

					snprintf(out, cap, "v=spf1 ");
					len = 7;
					for (int i = 0; i < n && len + 1 < cap; i++)
						out[len++] = (char) (chance(70) ? 0x20 + rnd(95) : rnd(256));
					out[len] = '\0';
				}
				break;
			case 5:				/* very long: many ip4 terms, up to ~5000 bytes */
				{
					size_t		want = 450 + (size_t) rnd(4600);

					while (len + 24 < cap && len < want)
					{
						len += snprintf(out + len, cap - len, " ip4:198.18.%d.%d",
										rnd(256), rnd(256));
					}
					if (chance(50))
						len += snprintf(out + len, cap - len, " -all");
				}
				break;
			case 6:				/* truncated */
				len = pos;
				out[len] = '\0';
				break;
			case 7:				/* uppercased */
				for (size_t i = 0; i < len; i++)
					if (out[i] >= 'a' && out[i] <= 'z')
						out[i] -= 'a' - 'A';
				break;
			case 8:				/* a tab or a control byte between terms */
				for (size_t i = 6; i < len; i++)
					if (out[i] == ' ')
					{
						out[i] = chance(50) ? '\t' : '\x7f';
						break;
					}
				break;
		}
	}
	return len;
}

static void
gen_addresses(const char *name)
{
	int			r = rnd(100);

	if (r < 8)
	{
		zstatus(name, MA_T_A, chance(60) ? MA_DNS_SERVFAIL : MA_DNS_TIMEOUT);
		return;
	}
	if (r < 60)
	{
		int			n = 1 + rnd(3);

		for (int i = 0; i < n; i++)
			zrec(name, MA_T_A, chance(30) && G.ip4[0] ? G.ip4 : PICK(v4pool));
	}
	if (chance(35))
	{
		int			n = 1 + rnd(2);

		for (int i = 0; i < n; i++)
			zrec(name, MA_T_AAAA, chance(30) && G.family == AF_INET6 ? G.ip : PICK(v6pool));
	}
	if (chance(3))
		zstatus(name, MA_T_AAAA, MA_DNS_SERVFAIL);
}

static const char *
any_target(void)
{
	int			k = rnd(NDOM + NHOST + 3);

	if (k < NHOST)
		return G.host[k];
	if (k < NHOST + NDOM)
		return G.dom[k - NHOST];
	return k == NHOST + NDOM ? "m1." ZONE : k == NHOST + NDOM + 1 ? "x.s." ZONE : "mx.w." ZONE;
}

static void
gen_mx(const char *name)
{
	int			r = rnd(100);

	if (r < 4)
		zstatus(name, MA_T_MX, chance(50) ? MA_DNS_SERVFAIL : MA_DNS_TIMEOUT);
	else if (r < 8)
		zadd(name, MA_T_MX, MA_DNS_OK, ".", 1, 0);	/* null MX (RFC 7505) */
	else if (r < 11)
		for (int i = 0; i < 11 + rnd(2); i++)
			zadd(name, MA_T_MX, MA_DNS_OK, G.host[i % NHOST], strlen(G.host[i % NHOST]), i);
	else if (r < 50)
		for (int i = 0; i < 1 + rnd(3); i++)
		{
			const char *t = any_target();

			zadd(name, MA_T_MX, MA_DNS_OK, t, strlen(t), 10 * i);
		}
}

static void
gen_case(void)
{
	static const char *const locals[] = {
		"alice", "bob.smith", "x-y", "user+tag", "a%b", "first.last.name", "UPPER",
		"strange%{d}", "\"q u\"", "a.b.c.d.e.f", "-"
	};
	static const char *const exptexts[] = {
		"Not allowed", "See %{i} for %{s}", "%{c} %{r} %{t}", "%{x}", "",
		"%{d} says no %% %_ %-", "%{l1r-}.%{o}", "Please see http://%{d}/why?%{i}"
	};
	unsigned char a[16];
	int			r;

	zone_reset();
	memset(&G, 0, sizeof(G));
	for (int i = 0; i < NDOM; i++)
		snprintf(G.dom[i], sizeof(G.dom[i]), "d%d." ZONE, i);
	for (int i = 0; i < NHOST; i++)
		snprintf(G.host[i], sizeof(G.host[i]), "h%d." ZONE, i);
	for (int i = 0; i < NEXP; i++)
		snprintf(G.exp[i], sizeof(G.exp[i]), "e%d." ZONE, i);

	/* the client (never loopback: libspf2 passes it without a lookup) */
	r = rnd(100);
	if (r < 55)
		snprintf(G.ip, sizeof(G.ip), "%s", PICK(v4pool));
	else if (r < 65)
		snprintf(G.ip, sizeof(G.ip), "%d.%d.%d.%d", 1 + rnd(126), rnd(256), rnd(256), rnd(256));
	else if (r < 88)
		snprintf(G.ip, sizeof(G.ip), "%s", PICK(v6pool));
	else if (r < 95)
		snprintf(G.ip, sizeof(G.ip), "::ffff:%s", PICK(v4pool));
	else
		snprintf(G.ip, sizeof(G.ip), "2001:db8:%x:%x::%x", rnd(65536), rnd(65536), 1 + rnd(65535));
	if (inet_pton(AF_INET, G.ip, a) == 1)
	{
		G.family = AF_INET;
		snprintf(G.ip4, sizeof(G.ip4), "%s", G.ip);
	}
	else
	{
		G.family = AF_INET6;
		inet_pton(AF_INET6, G.ip, a);
		if (strncmp(G.ip, "::ffff:", 7) == 0)
			snprintf(G.ip4, sizeof(G.ip4), "%.15s", G.ip + 7);
	}
	ma_dns_reverse_name(G.family, a, G.rev, sizeof(G.rev));

	/* the identity */
	r = rnd(100);
	snprintf(G.helo, sizeof(G.helo), "%s", chance(70) ? G.host[0] : G.dom[0]);
	if (r < 80)
		snprintf(G.sender, sizeof(G.sender), "%s@%s", PICK(locals), G.dom[0]);
	else if (r < 90)
		snprintf(G.sender, sizeof(G.sender), "%s@%s", PICK(locals), G.dom[1 + rnd(NDOM - 1)]);
	else if (r < 93)
		snprintf(G.sender, sizeof(G.sender), "%s@m0." ZONE, PICK(locals));
	else if (r < 95)
	{
		/* a very long local part */
		int			n = 64 + rnd(400);

		for (int i = 0; i < n; i++)
			G.sender[i] = 'a' + (i % 26);
		snprintf(G.sender + n, sizeof(G.sender) - n, "@%s", G.dom[0]);
	}
	else
		G.sender[0] = '\0';		/* HELO identity */

	/* the policies */
	for (int i = 0; i < NDOM; i++)
	{
		char		rec[8192];
		size_t		len;

		r = rnd(100);
		if (r < 5)
			continue;			/* not generated: NXDOMAIN */
		if (r < 9)
		{
			zstatus(G.dom[i], MA_T_TXT, MA_DNS_SERVFAIL);
			continue;
		}
		if (r < 12)
		{
			zstatus(G.dom[i], MA_T_TXT, MA_DNS_TIMEOUT);
			continue;
		}
		if (r < 15)
			zstatus(G.dom[i], MA_T_TXT, MA_DNS_NODATA);
		else
		{
			if (chance(25))
				zrec(G.dom[i], MA_T_TXT, "google-site-verification=abc123");
			if (r >= 19)
			{
				len = gen_record(rec, sizeof(rec));
				zadd(G.dom[i], MA_T_TXT, MA_DNS_OK, rec, len, 0);
			}
			if (r < 22)
			{
				/* a second SPF record (permerror), or none at all (r < 19) */
				len = gen_record(rec, sizeof(rec));
				zadd(G.dom[i], MA_T_TXT, MA_DNS_OK, rec, len, 0);
			}
		}
		gen_addresses(G.dom[i]);
		gen_mx(G.dom[i]);
	}
	for (int i = 0; i < NHOST; i++)
	{
		gen_addresses(G.host[i]);
		if (chance(10))
			gen_mx(G.host[i]);
	}

	/* reverse DNS of the client */
	r = rnd(100);
	if (r < 5)
		zstatus(G.rev, MA_T_PTR, chance(50) ? MA_DNS_SERVFAIL : MA_DNS_TIMEOUT);
	else if (r < 9)
		for (int i = 0; i < 11 + rnd(3); i++)
		{
			char		n[32];

			snprintf(n, sizeof(n), "p%d." ZONE, i);
			zrec(G.rev, MA_T_PTR, zstr(n, strlen(n)));
			G.nptr++;
		}
	else if (r < 60)
		for (int i = 0; i < 1 + rnd(3); i++)
		{
			zrec(G.rev, MA_T_PTR, any_target());
			G.nptr++;
		}

	/* explanations */
	for (int i = 0; i < NEXP; i++)
	{
		r = rnd(100);
		if (r < 8)
			zstatus(G.exp[i], MA_T_TXT, chance(50) ? MA_DNS_SERVFAIL : MA_DNS_TIMEOUT);
		else if (r < 12)
			continue;
		else
		{
			zrec(G.exp[i], MA_T_TXT, PICK(exptexts));
			if (r < 16)
				zrec(G.exp[i], MA_T_TXT, PICK(exptexts));
		}
	}
}

static void
make_request(ma_spf_request *req)
{
	memset(req, 0, sizeof(*req));
	req->family = G.family;
	if (inet_pton(G.family, G.ip, req->ip) != 1)
		abort();
	req->sender = G.sender;
	req->helo = G.helo;
	req->receiver = "mx.receiver.test";
	req->now = 1700000000;
}

/* ---------------------------------------------------------------------
 * classifying a difference
 * ---------------------------------------------------------------------
 */

/* which documented libspf2 deviation (docs/libspf2.md) explains a difference */
typedef struct category
{
	const char *key;
	const char *doc;			/* where docs/libspf2.md explains it */
} category;

static const category categories[] = {
	{"NUL byte in a record", "pitfall 4: TXT data is a C string, cut at the NUL"},
	{"non-ASCII or control byte in a record", "suite: non-ascii-policy, control-char-policy"},
	{"CIDR /0", "suite: CIDR length /0 rejected at compile time"},
	{"CIDR length syntax (leading zero, out of range)", "suite: cidr4-032; libspf2 CIDR parsing"},
	{"domain-spec validation", "suite: domain-spec not validated (invalid-domain, a-numeric, ...)"},
	{"macro syntax", "suite: invalid macro characters not rejected"},
	{"duplicate redirect=/exp=", "suite: exp-twice, redirect-twice"},
	{"modifier syntax", "suite: empty/bad exp=/redirect=/unknown modifiers, redirect: as mechanism"},
	{"term syntax", "libspf2 parser leniency (garbage terms)"},
	{"void-lookup limit", "pitfall 8: no void-lookup limit"},
	{"lookup counting per include", "pitfall 8: max_dns_mech is per include level"},
	{"MX limit", "pitfall 8 / RFC 7208 4.6.4: more than 10 MX names"},
	{"ptr: DNS errors and limits", "pitfall 8/9: >10 PTR names permerror, a DNS error on the PTR lookup or a PTR name's address lookup is temperror"},
	{"macro expansion not a valid host name", "wiring: invalid names (spaces, @, over 253 octets) answered NXDOMAIN by the layer"},
	{"ptr: domain-spec with a trailing dot", "NEW: not in the suite failures"},
	{"large macro transformer digits rejected", "CVE section / unit tests: %{l1000r} gives permerror"},
	{"explanation fetched for non-fail", "pitfall 7: exp= TXT fetched for softfail/neutral/none too"},
	{"redirect= evaluated at its position", "suite: redirect-after-mechanisms1/2 (modifiers row)"},
	{"IPv4-mapped IPv6 client", "suite: a-cidr6-0-ip4mapped, mx-cidr6-0-ip4mapped (listed under CIDR /0)"},
	{"valid macro transformer or delimiter rejected (R, /)", "NEW: not in the suite failures"},
	{"include:/redirect= target with a trailing dot", "NEW: not in the suite failures"},
	{"string literal over 255 characters rejected", "NEW: not in the suite failures"},
	{"long record: tail ignored (~64 mechanisms)", "NEW: not in the suite failures"},
	{"other", "UNEXPLAINED"},
};

#define NCAT lengthof(categories)
#define NRES 7

typedef struct catstat
{
	int			count;
	int			pairs[NRES][NRES];
	char		example[2048];
} catstat;

static catstat cstats[NCAT];
static int	pairs[NRES][NRES];
static int	ndiff;

static int
cat_index(const char *key)
{
	for (int i = 0; i < NCAT; i++)
		if (strcmp(categories[i].key, key) == 0)
			return i;
	abort();
}

static bool
contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

/* does some TXT record reached by an engine satisfy pred? */
typedef bool (*rec_pred) (const char *s, size_t len);

static bool
reached(rec_pred pred)
{
	for (int i = 0; i < Z.nq; i++)
	{
		const ma_dns_result *r = Z.q[i].r;

		if (Z.q[i].type != MA_T_TXT || r == NULL || r->status != MA_DNS_OK)
			continue;
		for (int j = 0; j < r->nrr; j++)
			if (r->rr[j].data && r->rr[j].datalen >= 6 &&
				strncasecmp(r->rr[j].data, "v=spf1", 6) == 0 &&
				pred(r->rr[j].data, r->rr[j].datalen))
				return true;
	}
	return false;
}

static bool
pred_nul(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

static bool
pred_cidr0(const char *s, size_t len)
{
	(void) len;
	for (const char *p = strchr(s, '/'); p; p = strchr(p + 1, '/'))
		if (p[1] == '0' && (p[2] == '\0' || p[2] == ' ' || p[2] == '/'))
			return true;
	return false;
}

static bool
pred_exp(const char *s, size_t len)
{
	(void) len;
	return strcasestr(s, "exp=") != NULL;
}

/* a redirect= followed by a mechanism */
static bool
pred_redirect_early(const char *s, size_t len)
{
	const char *r = strcasestr(s, "redirect=");
	static const char *const mechs[] = {
		"all", "include:", "a", "mx", "ptr", "ip4:", "ip6:", "exists:"
	};

	(void) len;
	if (r == NULL)
		return false;
	for (const char *p = strchr(r, ' '); p; p = strchr(p + 1, ' '))
	{
		const char *t = p + 1;

		if (*t == '+' || *t == '-' || *t == '~' || *t == '?')
			t++;
		for (int i = 0; i < lengthof(mechs); i++)
		{
			size_t		n = strlen(mechs[i]);

			if (strncasecmp(t, mechs[i], n) == 0 &&
				(mechs[i][n - 1] == ':' || t[n] == '\0' || t[n] == ' ' ||
				 t[n] == ':' || t[n] == '/'))
				return true;
		}
	}
	return false;
}

static bool
pred_many_terms(const char *s, size_t len)
{
	int			n = 0;

	for (size_t i = 1; i < len; i++)
		if (s[i - 1] == ' ' && s[i] != ' ')
			n++;
	return n > 60;
}

/* an unknown modifier whose name has a '.' or '_' (valid in RFC 7208) */
static bool
pred_mod_charset(const char *s, size_t len)
{
	(void) len;
	for (const char *p = strchr(s, ' '); p; p = strchr(p + 1, ' '))
	{
		const char *t = p + 1;
		size_t		n = strcspn(t, "= :/");

		if (t[n] == '=' && n > 0 && strcspn(t, "._") < n)
			return true;
	}
	return false;
}

static bool
pred_ptr(const char *s, size_t len)
{
	(void) len;
	return strcasestr(s, "ptr") != NULL || strcasestr(s, "%{p") != NULL;
}

static bool
pred_parse_error(const char *s, size_t len)
{
	ma_spf_term *t;
	int			n;
	char		err[256];

	if (ma_spf_parse_record(s, len, &t, &n, err, sizeof(err)) == 0)
	{
		ma_spf_free_terms(t, n);
		return false;
	}
	return true;
}

/* the first syntax error of a reached record, or NULL */
static const char *
reached_parse_error(char *err, size_t errlen)
{
	for (int i = 0; i < Z.nq; i++)
	{
		const ma_dns_result *r = Z.q[i].r;

		if (Z.q[i].type != MA_T_TXT || r == NULL || r->status != MA_DNS_OK)
			continue;
		for (int j = 0; j < r->nrr; j++)
		{
			ma_spf_term *t;
			int			n;

			if (!r->rr[j].data || !ma_spf_is_record(r->rr[j].data, r->rr[j].datalen))
				continue;
			if (ma_spf_parse_record(r->rr[j].data, r->rr[j].datalen, &t, &n, err, errlen) == 0)
				ma_spf_free_terms(t, n);
			else
				return err;
		}
	}
	return NULL;
}

/* was (name, type) asked, and did the answer fail (servfail, timeout)? */
static bool
asked_failed(uint16_t type, const char *prefix)
{
	for (int i = 0; i < Z.nq; i++)
		if (Z.q[i].type == type && strncmp(Z.q[i].name, prefix, strlen(prefix)) == 0 &&
			Z.q[i].r && Z.q[i].r->status != MA_DNS_OK &&
			Z.q[i].r->status != MA_DNS_NXDOMAIN && Z.q[i].r->status != MA_DNS_NODATA)
			return true;
	return false;
}

static const char *
syntax_category(const char *err)
{
	if (contains(err, "NUL byte"))
		return "NUL byte in a record";
	if (contains(err, "non-ASCII") || contains(err, "control byte"))
		return "non-ASCII or control byte in a record";
	if (contains(err, "CIDR"))
		return reached(pred_cidr0) ? "CIDR /0" : "CIDR length syntax (leading zero, out of range)";
	if (contains(err, "domain-spec"))
		return "domain-spec validation";
	if (contains(err, "macro"))
		return "macro syntax";
	if (contains(err, "more than one redirect") || contains(err, "more than one exp"))
		return "duplicate redirect=/exp=";
	if (contains(err, "modifier") || contains(err, "\"redirect:") || contains(err, "\"exp:"))
		return "modifier syntax";
	return "term syntax";
}

/* did the native engine ask for a name that is not a valid host name? */
static bool
native_asked_invalid_name(void)
{
	char		norm[MA_DNS_MAXNAME + 1];

	for (int i = 0; i < Z.nq; i++)
		if ((Z.q[i].asked & 1) && ma_dns_name_check(Z.q[i].name, norm) != NULL)
			return true;
	return false;
}

/* %{s} or %{l} (any case) */
static bool
pred_local_macro(const char *s, size_t len)
{
	(void) len;
	return strcasestr(s, "%{s") != NULL || strcasestr(s, "%{l") != NULL;
}

/* include:name. or redirect=name. */
static bool
pred_dot_target(const char *s, size_t len)
{
	(void) len;
	for (const char *p = strchr(s, ' '); p; p = strchr(p + 1, ' '))
	{
		const char *t = p + 1;
		size_t		n;

		if (*t == '+' || *t == '-' || *t == '~' || *t == '?')
			t++;
		if (strncasecmp(t, "include:", 8) != 0 && strncasecmp(t, "redirect=", 9) != 0)
			continue;
		n = strcspn(t, " ");
		if (n > 9 && t[n - 1] == '.')
			return true;
	}
	return false;
}

/* %{d...} (any case) */
static bool
pred_d_macro(const char *s, size_t len)
{
	(void) len;
	return strcasestr(s, "%{d") != NULL;
}

/* "ptr:name." */
static bool
pred_ptr_dot(const char *s, size_t len)
{
	(void) len;
	for (const char *p = strcasestr(s, "ptr:"); p; p = strcasestr(p + 1, "ptr:"))
	{
		size_t		n = strcspn(p, " ");

		if (n > 4 && p[n - 1] == '.')
			return true;
	}
	return false;
}

static const char *
classify(const run *n, const run *l, const ma_spf_request *req)
{
	const ma_spf_outcome *N = &n->out;
	const ma_spf_outcome *L = &l->out;
	char		err[512];
	const char *perr;

	/* NUL truncation first: it hides everything after the NUL from libspf2 */
	if (reached(pred_nul))
		return "NUL byte in a record";

	/*
	 * An IPv4-mapped client: if libspf2 agrees once given the plain IPv4
	 * address, the mapping explains the difference.
	 */
	if (req->family == AF_INET6 && strncmp(G.ip, "::ffff:", 7) == 0)
	{
		ma_spf_request r4 = *req;
		run			l4;

		r4.family = AF_INET;
		memmove(r4.ip, req->ip + 12, 4);
		run_engine(ma_spf2_check_host, 2, false, &r4, &l4);
		if (l4.out.result == N->result)
			return "IPv4-mapped IPv6 client";
	}
	if (N->result == MA_SPF_PERMERROR)
	{
		if (contains(N->problem, " in the record of "))
			return syntax_category(N->problem);
		if (contains(N->problem, "void DNS lookups"))
			return "void-lookup limit";
		if (contains(N->problem, "DNS-querying terms"))
			return "lookup counting per include";
		if (contains(N->problem, "MX records"))
			return "MX limit";
		if (contains(N->problem, "not a valid domain name"))
			return "domain-spec validation";
		if (contains(N->problem, "macro"))
			return "macro syntax";
	}
	if (L->result == MA_SPF_PERMERROR)
	{
		if (reached(pred_cidr0))
			return "CIDR /0";
		if (reached(pred_ptr) && contains(L->problem, "PTR"))
			return "ptr: DNS errors and limits";
	}
	if (L->result == MA_SPF_PERMERROR)
	{
		if (contains(L->problem, "Invalid delimiter"))
			return "valid macro transformer or delimiter rejected (R, /)";
		if (contains(L->problem, "String literal too long"))
			return "string literal over 255 characters rejected";
		if (contains(L->problem, "Subdomain truncation depth too large"))
			return "large macro transformer digits rejected";
		if (contains(L->problem, "too many DNS lookups") && reached(pred_ptr) && G.nptr > 10)
			return "ptr: DNS errors and limits";
		if (reached(pred_mod_charset))
			return "modifier syntax";
	}
	if (L->result == MA_SPF_TEMPERROR && N->result != MA_SPF_TEMPERROR)
	{
		if (contains(L->problem, ".arpa/PTR"))
			return "ptr: DNS errors and limits";
		if (contains(L->problem, "/TXT") && contains(L->problem, "for e") && reached(pred_exp))
			return "explanation fetched for non-fail";
		if ((asked_failed(MA_T_A, "") || asked_failed(MA_T_AAAA, "")) && reached(pred_ptr))
			return "ptr: DNS errors and limits";
	}
	if (native_asked_invalid_name() || (strcspn(G.sender, "@") > 63 && reached(pred_local_macro)))
		return "macro expansion not a valid host name";
	if (reached(pred_ptr_dot))
		return "ptr: domain-spec with a trailing dot";
	if (reached(pred_dot_target) && reached(pred_d_macro))
		return "include:/redirect= target with a trailing dot";
	if (reached(pred_redirect_early))
		return "redirect= evaluated at its position";
	if (reached(pred_many_terms))
		return "long record: tail ignored (~64 mechanisms)";
	perr = reached_parse_error(err, sizeof(err));
	if (perr)
		return syntax_category(perr);
	if (N->dns_lookups >= 9 || L->dns_lookups > 10)
		return "lookup counting per include";
	if (N->void_lookups >= 2 || L->void_lookups > 2)
		return "void-lookup limit";
	if (strncmp(G.ip, "::ffff:", 7) == 0)
		return "IPv4-mapped IPv6 client";
	(void) pred_parse_error;
	return "other";
}

/* a short description of the case for examples and failure listings */
static void
describe(char *buf, size_t cap, long caseno, const run *n, const run *l)
{
	char		e[1200];

	buf[0] = '\0';
	cat(buf, cap, "case %ld: ip %s, sender \"%s\", helo %s; native %s (%s), libspf2 %s (%s)",
		caseno, G.ip, esc(G.sender, strlen(G.sender), 60, e, sizeof(e)), G.helo,
		res_word(n->out.result), n->out.problem[0] ? n->out.problem : n->out.mechanism,
		res_word(l->out.result), l->out.problem);
	/* the policies the native engine or libspf2 fetched, in order */
	for (int i = 0, k = 0; i < Z.nq && k < 4; i++)
	{
		const ma_dns_result *r = Z.q[i].r;

		if (Z.q[i].type != MA_T_TXT || r == NULL)
			continue;
		k++;
		if (r->status != MA_DNS_OK)
		{
			cat(buf, cap, "; %s: %s", Z.q[i].name, ma_dns_status_name(r->status));
			continue;
		}
		for (int j = 0; j < r->nrr; j++)
			if (ma_spf_is_record(r->rr[j].data, r->rr[j].datalen) || k > 1)
				cat(buf, cap, "; %s: \"%s\"", Z.q[i].name,
					esc(r->rr[j].data, r->rr[j].datalen, 200, e, sizeof(e)));
	}
}

static void
dump_case(void)
{
	char		e[12000];

	diag("client %s (reverse %s), sender \"%s\", helo %s", G.ip, G.rev, G.sender, G.helo);
	for (int i = 0; i < Z.n; i++)
	{
		const zent *z = &Z.e[i];

		if (z->status != MA_DNS_OK)
			diag("  %s %s -> %s", z->name, z->type ? ma_dns_type_name(z->type) : "*",
				 ma_dns_status_name(z->status));
		else
			diag("  %s %s \"%s\"", z->name, ma_dns_type_name(z->type),
				 esc(z->data, z->len, 6000, e, sizeof(e)));
	}
}

static void
dump_run(const char *who, const run *rn)
{
	diag("%s: %s%s waves=%d lookups=%d void=%d %.2f ms", who, res_word(rn->out.result),
		 rn->hung ? " (HUNG)" : "", rn->waves, rn->out.dns_lookups, rn->out.void_lookups, rn->ms);
	diag("  mechanism \"%s\" domain \"%s\"", rn->out.mechanism, rn->out.domain);
	diag("  problem \"%s\"", rn->out.problem);
	diag("  explanation \"%s\"", rn->out.explanation);
}

/* ---------------------------------------------------------------------
 * main
 * ---------------------------------------------------------------------
 */
static volatile long current_case = -1;

static void
watchdog(int sig)
{
	char		msg[96];
	int			len;

	(void) sig;
	len = snprintf(msg, sizeof(msg), "Bail out! case %ld did not finish within %d s\n",
				   current_case, WATCHDOG_SECONDS);
	if (write(STDOUT_FILENO, msg, len) < 0)
		_exit(3);
	_exit(2);
}

typedef struct failures
{
	int			count;
	char		list[MAX_LISTED][1024];
} failures;

static void
fail_note(failures *f, long caseno, const char *fmt,...) __attribute__((format(printf, 3, 4)));

static void
fail_note(failures *f, long caseno, const char *fmt,...)
{
	va_list		ap;

	if (f->count < MAX_LISTED)
	{
		int			len = snprintf(f->list[f->count], sizeof(f->list[0]), "case %ld: ", caseno);

		va_start(ap, fmt);
		vsnprintf(f->list[f->count] + len, sizeof(f->list[0]) - len, fmt, ap);
		va_end(ap);
	}
	f->count++;
}

static void
fail_report(const failures *f)
{
	for (int i = 0; i < f->count && i < MAX_LISTED; i++)
		diag("  %s", f->list[i]);
	if (f->count > MAX_LISTED)
		diag("  ... and %d more", f->count - MAX_LISTED);
}

int
main(int argc, char **argv)
{
	long		iterations = DEFAULT_ITERATIONS;
	uint64_t	seed = DEFAULT_SEED;
	long		only = -1;
	failures	f_nat_valid = {0},
				f_l2_valid = {0},
				f_nat_time = {0},
				f_l2_time = {0},
				f_det = {0},
				f_nat_waves = {0},
				f_l2_waves = {0},
				f_overflow = {0};
	int			nwaves_nat = 0,
				nwaves_l2 = 0;
	double		max_ms_nat = 0,
				max_ms_l2 = 0,
				t_nat = 0,
				t_l2 = 0,
				t0;
	long		maxcase_nat = -1,
				maxcase_l2 = -1;
	const char *list_cat;

	if (argc > 1)
		iterations = strtol(argv[1], NULL, 10);
	if (argc > 2)
		seed = strtoull(argv[2], NULL, 10);
	if (argc > 3)
		only = strtol(argv[3], NULL, 10);
	if (iterations <= 0)
		iterations = DEFAULT_ITERATIONS;

	list_cat = getenv("SPF_DIFF_LIST");
	ma_spf2_init();
	signal(SIGALRM, watchdog);
	t0 = now_ms();
	diag("differential fuzzing: native vs libspf2 %s, %ld cases, seed %llu",
		 ma_spf2_version(), only >= 0 ? 1 : iterations, (unsigned long long) seed);

	for (long c = only >= 0 ? only : 0; c < (only >= 0 ? only + 1 : iterations); c++)
	{
		ma_spf_request req;
		run			nat,
					nat2,
					l2,
					w;
		char		d[4096];

		current_case = c;
		alarm(WATCHDOG_SECONDS);
		rng = seed * 0x100000001b3ULL + (uint64_t) c * 0x9e3779b97f4a7c15ULL;
		gen_case();
		make_request(&req);

		run_engine(ma_spf_check_host, 1, false, &req, &nat);
		run_engine(ma_spf_check_host, 1, false, &req, &nat2);
		run_engine(ma_spf2_check_host, 2, false, &req, &l2);
		t_nat += nat.ms;
		t_l2 += l2.ms;

		describe(d, sizeof(d), c, &nat, &l2);
		if (!valid_res(nat.out.result) || nat.hung || nat.out.pending)
			fail_note(&f_nat_valid, c, "native %s%s; %s", res_word(nat.out.result),
					  nat.hung ? " (hung)" : "", d);
		if (!valid_res(l2.out.result) || l2.hung || l2.out.pending)
			fail_note(&f_l2_valid, c, "libspf2 %s%s; %s", res_word(l2.out.result),
					  l2.hung ? " (hung)" : "", d);
		if (nat.ms > max_ms_nat)
			max_ms_nat = nat.ms, maxcase_nat = c;
		if (l2.ms > max_ms_l2)
			max_ms_l2 = l2.ms, maxcase_l2 = c;
		if (nat.ms > CASE_TIME_LIMIT_MS)
			fail_note(&f_nat_time, c, "native took %.0f ms", nat.ms);
		if (l2.ms > CASE_TIME_LIMIT_MS)
			fail_note(&f_l2_time, c, "libspf2 took %.0f ms", l2.ms);
		if (!same_outcome(&nat.out, &nat2.out))
			fail_note(&f_det, c, "first run %s \"%s\", second run %s \"%s\"",
					  res_word(nat.out.result), nat.out.problem,
					  res_word(nat2.out.result), nat2.out.problem);

		/* true waves mode on a part of the cases */
		if (c % 8 == 0)
		{
			run_engine(ma_spf_check_host, 1, true, &req, &w);
			nwaves_nat++;
			if (w.hung || w.out.result != nat.out.result ||
				strcmp(w.out.problem, nat.out.problem) != 0)
				fail_note(&f_nat_waves, c, "immediate %s, waves %s%s (%d waves) \"%s\"",
						  res_word(nat.out.result), res_word(w.out.result),
						  w.hung ? " hung" : "", w.waves, w.out.problem);
		}
		if (c % 32 == 0)
		{
			run_engine(ma_spf2_check_host, 2, true, &req, &w);
			nwaves_l2++;
			if (w.hung || w.out.result != l2.out.result)
				fail_note(&f_l2_waves, c, "immediate %s, waves %s%s (%d waves) \"%s\"",
						  res_word(l2.out.result), res_word(w.out.result),
						  w.hung ? " hung" : "", w.waves, w.out.problem);
		}
		if (Z.overflow)
			fail_note(&f_overflow, c, "fake zone tables overflowed");

		if (valid_res(nat.out.result) && valid_res(l2.out.result))
		{
			pairs[nat.out.result][l2.out.result]++;
			if (nat.out.result != l2.out.result)
			{
				int			k = cat_index(classify(&nat, &l2, &req));

				ndiff++;
				if (list_cat && strstr(categories[k].key, list_cat))
					diag("%s", d);
				cstats[k].count++;
				cstats[k].pairs[nat.out.result][l2.out.result]++;
				if (cstats[k].example[0] == '\0' ||
					(strlen(d) < strlen(cstats[k].example) && chance(30)))
					snprintf(cstats[k].example, sizeof(cstats[k].example), "%s", d);
			}
		}

		if (only >= 0)
		{
			dump_case();
			dump_run("native", &nat);
			dump_run("libspf2", &l2);
			diag("category: %s", nat.out.result != l2.out.result ?
				 classify(&nat, &l2, &req) : "(same result)");
		}
		alarm(0);
	}
	current_case = -1;
	zone_reset();

	ok(f_nat_valid.count == 0, "native engine: one of the seven results, not pending, "
	   "within %d waves, in every case", MAX_WAVES);
	fail_report(&f_nat_valid);
	ok(f_l2_valid.count == 0, "libspf2 engine: one of the seven results, not pending, "
	   "within %d waves, in every case", MAX_WAVES);
	fail_report(&f_l2_valid);
	ok(f_nat_time.count == 0, "native engine: every case within %d ms (slowest %.1f ms, case %ld)",
	   CASE_TIME_LIMIT_MS, max_ms_nat, maxcase_nat);
	fail_report(&f_nat_time);
	ok(f_l2_time.count == 0, "libspf2 engine: every case within %d ms (slowest %.1f ms, case %ld)",
	   CASE_TIME_LIMIT_MS, max_ms_l2, maxcase_l2);
	fail_report(&f_l2_time);
	ok(f_det.count == 0, "native engine is deterministic (same outcome twice)");
	fail_report(&f_det);
	ok(f_nat_waves.count == 0, "native engine: waves mode gives the same outcome (%d cases)",
	   nwaves_nat);
	fail_report(&f_nat_waves);
	ok(f_l2_waves.count == 0, "libspf2 engine: waves mode gives the same result (%d cases)",
	   nwaves_l2);
	fail_report(&f_l2_waves);
	ok(f_overflow.count == 0, "the fake zone never overflowed");
	fail_report(&f_overflow);

	/* the report */
	{
		long		ncases = only >= 0 ? 1 : iterations;
		static const char *const abbrev[NRES] = {"none", "neut", "pass", "fail", "soft", "temp", "perm"};
		char		line[256];

		diag("%ld cases, %d with different results (%.1f%%); native %.0f ms, libspf2 %.0f ms, "
			 "total %.1f s", ncases, ndiff, 100.0 * ndiff / ncases, t_nat, t_l2,
			 (now_ms() - t0) / 1000.0);
		diag("result pairs (rows: native, columns: libspf2):");
		snprintf(line, sizeof(line), "%-10s", "");
		for (int j = 0; j < NRES; j++)
			cat(line, sizeof(line), "%7s", abbrev[j]);
		diag("%s", line);
		for (int i = 0; i < NRES; i++)
		{
			snprintf(line, sizeof(line), "%-10s", res_word(i));
			for (int j = 0; j < NRES; j++)
				cat(line, sizeof(line), "%7d", pairs[i][j]);
			diag("%s", line);
		}
		diag("differences by category:");
		for (int k = 0; k < NCAT; k++)
		{
			if (cstats[k].count == 0)
				continue;
			line[0] = '\0';
			for (int i = 0; i < NRES; i++)
				for (int j = 0; j < NRES; j++)
					if (cstats[k].pairs[i][j])
						cat(line, sizeof(line), " %s/%s=%d", abbrev[i], abbrev[j],
							cstats[k].pairs[i][j]);
			diag("%5d  %s [%s]:%s", cstats[k].count, categories[k].key, categories[k].doc, line);
			diag("       e.g. %s", cstats[k].example);
		}
	}

	printf("1..%d\n", ntests);
	return nfailed == 0 ? 0 : 1;
}
