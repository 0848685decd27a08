/*-------------------------------------------------------------------------
 *
 * test_dnsser.c
 *	  Unit tests of the flat byte form of DNS results (ma_dnsser.c) and of
 *	  the engine's second-level cache hook (ma_dns_engine_set_shared).
 *
 * Round trips of every shape of result; every truncation, a trailing byte
 * and hand-made hostile headers rejected; every single-byte change either
 * rejected or decoded into a self-consistent result.  The hook is tested
 * with a fake shared layer (a table of serialized answers); when
 * MAILAUTH_TEST_DNS is set (test/run.sh), also with real answers from the
 * harness's knot.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_test.h"

typedef struct trr
{
	const char *name;
	uint16_t	type;
	uint32_t	ttl;
	const char *data;
	size_t		datalen;
	const char *target;
	uint16_t	pref;
} trr;

/* a result laid out as ma_dns_builder_finish lays it out */
static ma_dns_result *
mk(ma_dns_status st, const char *detail, const trr *rrs, int n, uint32_t ttl,
   int64_t stored)
{
	size_t		size = sizeof(ma_dns_result) + n * sizeof(ma_dns_rr);
	ma_dns_result *r;
	char	   *p;

	for (int i = 0; i < n; i++)
		size += strlen(rrs[i].name) + 1 + rrs[i].datalen + 1 +
			(rrs[i].target ? strlen(rrs[i].target) + 1 : 0);
	r = calloc(1, size);
	if (!r)
		exit(2);
	r->refcnt = 1;
	r->status = st;
	r->detail = detail;
	r->ttl = ttl;
	r->stored_ms = stored;
	r->wire_size = 123;
	r->size = size;
	r->nrr = n;
	p = (char *) &r->rr[n];
	for (int i = 0; i < n; i++)
	{
		ma_dns_rr  *d = &r->rr[i];

		d->type = rrs[i].type;
		d->ttl = rrs[i].ttl;
		d->pref = rrs[i].pref;
		strcpy(p, rrs[i].name);
		d->name = p;
		p += strlen(p) + 1;
		memcpy(p, rrs[i].data, rrs[i].datalen);
		p[rrs[i].datalen] = '\0';
		d->data = p;
		d->datalen = rrs[i].datalen;
		p += rrs[i].datalen + 1;
		if (rrs[i].target)
		{
			strcpy(p, rrs[i].target);
			d->target = p;
			p += strlen(p) + 1;
		}
	}
	return r;
}

static bool
inside(const ma_dns_result *r, const char *p, size_t len)
{
	const char *b = (const char *) r;

	return p >= b && p + len < b + r->size && p[len] == '\0';
}

/* every pointer of r lies inside its block, every string is terminated */
static bool
self_consistent(const ma_dns_result *r)
{
	if (r->refcnt != 1 || r->nrr < 0 || r->status >= MA_DNS_NSTATUS)
		return false;
	if (r->detail && !inside(r, r->detail, strlen(r->detail)))
		return false;
	for (int i = 0; i < r->nrr; i++)
	{
		const ma_dns_rr *rr = &r->rr[i];

		if (!inside(r, rr->name, strlen(rr->name)) || !inside(r, rr->data, rr->datalen))
			return false;
		if (rr->target && !inside(r, rr->target, strlen(rr->target)))
			return false;
	}
	return true;
}

static bool
same(const ma_dns_result *a, const ma_dns_result *b)
{
	if (a->status != b->status || a->ttl != b->ttl || a->stored_ms != b->stored_ms ||
		a->wire_size != b->wire_size || a->nrr != b->nrr)
		return false;
	if ((a->detail == NULL) != (b->detail == NULL) ||
		(a->detail && strcmp(a->detail, b->detail) != 0))
		return false;
	for (int i = 0; i < a->nrr; i++)
	{
		const ma_dns_rr *x = &a->rr[i],
				   *y = &b->rr[i];

		if (x->type != y->type || x->ttl != y->ttl || x->pref != y->pref ||
			x->datalen != y->datalen || strcmp(x->name, y->name) != 0 ||
			memcmp(x->data, y->data, x->datalen) != 0)
			return false;
		if ((x->target == NULL) != (y->target == NULL) ||
			(x->target && strcmp(x->target, y->target) != 0))
			return false;
	}
	return true;
}

static unsigned char *
ser(const ma_dns_result *r, size_t *len)
{
	size_t		n = ma_dns_result_serialized_size(r);
	unsigned char *b = malloc(n + 1);

	if (!b)
		exit(2);
	*len = ma_dns_result_serialize(r, b, n);
	return b;
}

static const trr A_RRS[] = {
	{"www.example.com", MA_T_A, 300, "192.0.2.1", 9, NULL, 0},
	{"www.example.com", MA_T_A, 200, "192.0.2.2", 9, NULL, 0},
};
static const trr CHAIN_RRS[] = {
	{"alias.example.com", MA_T_CNAME, 60, "www.example.com", 15, "www.example.com", 0},
	{"www.example.com", MA_T_AAAA, 300, "2001:db8::1", 11, NULL, 0},
};
static const trr MX_RRS[] = {
	{"example.com", MA_T_MX, 3600, "10 mx1.example.com", 18, "mx1.example.com", 10},
	{"example.com", MA_T_MX, 3600, "0 .", 3, ".", 0},
};
static const trr TXT_RRS[] = {
	{"example.com", MA_T_TXT, 100, "v=spf1 -all", 11, NULL, 0},
	{"bin.example.com", MA_T_TXT, 100, "a\0b\0\0c", 6, NULL, 0},
	{"empty.example.com", MA_T_TXT, 100, "", 0, NULL, 0},
};

static void
test_roundtrip(void)
{
	struct
	{
		const char *what;
		ma_dns_result *r;
	}			cases[] = {
		{"A records", mk(MA_DNS_OK, NULL, A_RRS, 2, 200, 123456789)},
		{"a CNAME chain", mk(MA_DNS_OK, NULL, CHAIN_RRS, 2, 60, 1)},
		{"MX with targets and a null MX", mk(MA_DNS_OK, NULL, MX_RRS, 2, 3600, 42)},
		{"TXT with NUL bytes and an empty string", mk(MA_DNS_OK, NULL, TXT_RRS, 3, 100, -5)},
		{"NXDOMAIN without records", mk(MA_DNS_NXDOMAIN, NULL, NULL, 0, 300, 7)},
		{"NODATA after a CNAME, with a detail", mk(MA_DNS_NODATA, "some detail", CHAIN_RRS, 1, 60, 8)},
		{"SERVFAIL with a detail", mk(MA_DNS_SERVFAIL, "connection refused", NULL, 0, 0, 9)},
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
	{
		ma_dns_result *r = cases[c].r,
				   *back;
		size_t		need = ma_dns_result_serialized_size(r),
					len;
		unsigned char *b = ser(r, &len);
		const char *err = NULL;
		bool		all;

		OK(need > 0 && len == need, "serialize %s: %zu bytes", cases[c].what, len);
		back = ma_dns_result_deserialize(b, len, &err);
		OK(back != NULL && same(r, back) && self_consistent(back),
		   "round trip of %s (%s)", cases[c].what, err ? err : "ok");
		if (back && back->detail)
			OK(back->detail != r->detail, "the detail points into the new block");
		ma_dns_result_release(back);

		/* too small a buffer: nothing written */
		all = true;
		for (size_t l = 0; l < need; l++)
			if (ma_dns_result_serialize(r, b, l) != 0)
				all = false;
		OK(all, "serialize %s refuses every buffer shorter than %zu bytes", cases[c].what, need);
		len = ma_dns_result_serialize(r, b, need);

		/* every truncation rejected */
		all = true;
		for (size_t l = 0; l < len; l++)
		{
			ma_dns_result *t = ma_dns_result_deserialize(b, l, &err);

			if (t || !err)
				all = false;
			ma_dns_result_release(t);
		}
		OK(all, "every truncation of %s (0..%zu bytes) is rejected", cases[c].what, len - 1);

		/* a trailing byte rejected */
		b[len] = 0;
		back = ma_dns_result_deserialize(b, len + 1, &err);
		OK(back == NULL && err && strcmp(err, "trailing bytes") == 0,
		   "a trailing byte after %s is rejected (%s)", cases[c].what, err ? err : "accepted");
		ma_dns_result_release(back);

		/* every single-byte change: rejected or a consistent, canonical result */
		all = true;
		for (size_t i = 0; i < len && all; i++)
			for (int x = 1; x < 256 && all; x <<= 1)
			{
				ma_dns_result *t;

				b[i] ^= (unsigned char) x;
				t = ma_dns_result_deserialize(b, len, &err);
				if (t)
				{
					size_t		l2;
					unsigned char *b2;

					if (!self_consistent(t))
						all = false;
					b2 = ser(t, &l2);
					if (l2 != len || memcmp(b, b2, len) != 0)
						all = false;
					free(b2);
				}
				else if (!err)
					all = false;
				ma_dns_result_release(t);
				b[i] ^= (unsigned char) x;
			}
		OK(all, "every bit flip of %s is rejected or decodes to the same bytes", cases[c].what);
		free(b);
		ma_dns_result_release(r);
	}
}

static void
le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char) (v >> (8 * i));
}

/* hand-made hostile inputs, each with the reason it must give */
static void
test_hostile(void)
{
	ma_dns_result *r = mk(MA_DNS_OK, NULL, MX_RRS, 2, 3600, 42);
	size_t		len;
	unsigned char *good = ser(r, &len);
	unsigned char *b = malloc(len + 64);
	const char *err;
	ma_dns_result *t;

	/* a fresh copy of the good bytes */
#define RESET() memcpy(b, good, len)
#define REJECTS(l, want, what) do { \
		err = NULL; \
		t = ma_dns_result_deserialize(b, (l), &err); \
		OK(t == NULL && err && strcmp(err, (want)) == 0, "%s is rejected (%s)", (what), err ? err : "accepted"); \
		ma_dns_result_release(t); \
	} while (0)

	OK(ma_dns_result_deserialize(NULL, 0, NULL) == NULL, "NULL input is rejected (errmsg may be NULL)");
	RESET();
	b[0] = 'X';
	REJECTS(len, "bad magic", "a wrong magic");
	RESET();
	b[4] = MA_DNS_NSTATUS;
	REJECTS(len, "bad status", "an unknown status");
	RESET();
	b[5] = 0x80;
	REJECTS(len, "unknown flags", "unknown flags");
	RESET();
	le32(b + 8, MA_DNS_MAX_TTL + 1);
	REJECTS(len, "ttl out of range", "a TTL above the cap");
	RESET();
	b[6] = 0xff;
	b[7] = 0xff;
	REJECTS(len, "truncated record table", "65535 records in a short buffer");
	RESET();
	le32(b + 32 + 8, 0xFFFFFFF0u);	/* first record's name offset */
	REJECTS(len, "bad record name", "a name offset past the end (overflow bait)");
	RESET();
	le32(b + 32 + 20, 0xFFFFFFFFu);	/* first record's data length */
	REJECTS(len, "bad record data", "a data length of 4 GB");
	RESET();
	b[32 + 14] = 200;			/* the first record's target length */
	REJECTS(len, "bad record target", "a target that runs past the end");
	RESET();
	b[32 + 14] = 5;				/* a shorter target: the next name does not follow it */
	REJECTS(len, "bad record name", "a gap between two strings");
	RESET();
	b[32] = 0;
	b[33] = 0;
	REJECTS(len, "record type 0", "a record of type 0");
	RESET();
	b[5] = 1;					/* a detail of 3 bytes, where the first name is */
	le32(b + 28, 3);
	REJECTS(len, "bad record name", "a detail that overlaps the first name");
	RESET();
	le32(b + 28, 3);			/* detail length without the flag */
	REJECTS(len, "detail without flag", "a detail length without the flag");
	RESET();
	b[32 + 56] = '\0';			/* a NUL inside the first name */
	REJECTS(len, "bad record name", "a NUL byte inside a name");

	free(b);
	free(good);
	ma_dns_result_release(r);

	/* a detail with a NUL */
	r = mk(MA_DNS_NXDOMAIN, "abc", NULL, 0, 10, 1);
	good = ser(r, &len);
	good[32 + 1] = '\0';
	t = ma_dns_result_deserialize(good, len, &err);
	OK(t == NULL && strcmp(err, "bad detail") == 0, "a NUL byte inside the detail is rejected");
	free(good);
	ma_dns_result_release(r);

	/* results the format cannot hold */
	{
		char		longname[70000];
		trr			big = {longname, MA_T_TXT, 1, "x", 1, NULL, 0};

		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		r = mk(MA_DNS_OK, NULL, &big, 1, 1, 1);
		OK(ma_dns_result_serialized_size(r) == 0, "a name over 65535 bytes cannot be serialized");
		ma_dns_result_release(r);
	}
	OK(ma_dns_result_serialized_size(NULL) == 0, "no result, no size");
#undef RESET
#undef REJECTS
}

/* ---------------------------------------------------------------------
 * The engine's shared hook, with a fake shared layer
 * ---------------------------------------------------------------------
 */
typedef struct layer_entry
{
	char		name[MA_DNS_MAXNAME + 1];
	uint16_t	type;
	unsigned char *bytes;
	size_t		len;
} layer_entry;

typedef struct layer_t
{
	layer_entry	e[16];
	int			n;
	int			gets;
	int			puts;
} layer_t;

static ma_dns_result *
layer_get(void *arg, const char *name, uint16_t type, int64_t now_ms)
{
	layer_t *f = arg;

	(void) now_ms;
	f->gets++;
	for (int i = 0; i < f->n; i++)
		if (f->e[i].type == type && strcmp(f->e[i].name, name) == 0)
			return ma_dns_result_deserialize(f->e[i].bytes, f->e[i].len, NULL);
	return NULL;
}

static void
layer_put(void *arg, const char *name, uint16_t type, const ma_dns_result *r, int64_t now_ms)
{
	layer_t *f = arg;
	layer_entry *e;

	(void) now_ms;
	f->puts++;
	if (f->n == 16)
		return;
	e = &f->e[f->n++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->type = type;
	e->bytes = ser(r, &e->len);
}

static void
layer_free(layer_t *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->e[i].bytes);
	memset(f, 0, sizeof(*f));
}

static ma_dns_engine *
engine(const char *servers, size_t cache_entries)
{
	ma_dns_config cfg;
	char		errbuf[256];
	ma_dns_engine *e;

	memset(&cfg, 0, sizeof(cfg));
	cfg.servers = servers;
	cfg.timeout_ms = 2000;
	cfg.tries = 2;
	cfg.max_inflight = 8;
	cfg.cache_entries = cache_entries;
	cfg.cache_bytes = 1 << 20;
	e = ma_dns_engine_new(&cfg, errbuf, sizeof(errbuf));
	if (!e)
	{
		printf("# engine: %s\n", errbuf);
		exit(2);
	}
	return e;
}

static int
run1(ma_dns_engine *e, ma_dns_query *q, const char *name, uint16_t type)
{
	ma_dns_query_init(q, name, type);
	return ma_dns_run(e, q, 1, ma_dns_poll_wait, NULL);
}

static void
test_hook_fake(void)
{
	static layer_t f;
	ma_dns_engine *e = engine("127.0.0.1:9", 100);	/* discard port: never asked */
	ma_dns_engine_stats st;
	ma_dns_query q;
	ma_dns_result *r;
	int64_t		now = ma_now_ms();
	uint32_t	ttl;

	ma_dns_engine_set_shared(e, layer_get, layer_put, &f);
	r = mk(MA_DNS_OK, NULL, A_RRS, 2, 60, now - 2500);
	layer_put(&f, "www.example.com", MA_T_A, r, now);
	ma_dns_result_release(r);
	r = mk(MA_DNS_NXDOMAIN, NULL, NULL, 0, 30, now - 1000);
	layer_put(&f, "nx.example.com", MA_T_A, r, now);
	ma_dns_result_release(r);
	f.puts = 0;

	OK(run1(e, &q, "www.example.com", MA_T_A) == MA_RUN_OK && q.result && q.from_cache,
	   "hook: a local miss is answered by the shared layer");
	OK(q.result && q.result->nrr == 2 && strcmp(q.result->rr[1].data, "192.0.2.2") == 0,
	   "hook: with the shared layer's records");
	OK(q.age_s >= 2 && q.age_s <= 3, "hook: the age carries over from the first reception (%u s)", q.age_s);
	ma_dns_query_clear(&q);
	ma_dns_engine_get_stats(e, &st);
	OK(st.shared_hits == 1 && st.shared_misses == 0 && st.queries_sent == 0 && f.gets == 1,
	   "hook: one shared hit, nothing sent");

	OK(run1(e, &q, "www.example.com", MA_T_A) == MA_RUN_OK && q.from_cache && q.age_s >= 2,
	   "hook: the second lookup is a local hit, still aged");
	ma_dns_query_clear(&q);
	ma_dns_engine_get_stats(e, &st);
	OK(st.shared_hits == 1 && f.gets == 1, "hook: the shared hit went into the local cache");
	{
		ma_dns_cache_stats cs;

		ma_dns_cache_get_stats(ma_dns_engine_cache(e), &cs);
		OK(cs.entries == 1 && cs.hits == 1, "hook: the local cache holds it (%lld entries, %lld hits)",
		   (long long) cs.entries, (long long) cs.hits);
	}

	OK(run1(e, &q, "nx.example.com", MA_T_A) == MA_RUN_OK && q.result &&
	   q.result->status == MA_DNS_NXDOMAIN && q.from_cache,
	   "hook: negative answers come from the shared layer too");
	ma_dns_query_clear(&q);

	/* an expired entry returned by a faulty layer is not an answer */
	r = mk(MA_DNS_OK, NULL, A_RRS, 1, 2, now - 5000);
	layer_put(&f, "old.example.com", MA_T_A, r, now);
	ma_dns_result_release(r);
	f.puts = 0;
	ma_dns_engine_set_shared(e, layer_get, NULL, &f);
	OK(run1(e, &q, "old.example.com", MA_T_A) == MA_RUN_OK && q.result &&
	   !q.from_cache && q.result->status != MA_DNS_OK,
	   "hook: an expired shared entry is a miss (asked the network: %s)",
	   q.result ? ma_dns_status_name(q.result->status) : "none");
	ma_dns_query_clear(&q);
	ma_dns_engine_get_stats(e, &st);
	OK(st.shared_misses == 1 && st.queries_sent == 1, "hook: counted as a shared miss, one query sent");

	/* the remaining TTL in the local cache: a 3 s answer received 2.5 s ago */
	ma_dns_engine_set_shared(e, layer_get, layer_put, &f);
	r = mk(MA_DNS_OK, NULL, A_RRS, 1, 3, now - 2500);
	layer_put(&f, "short.example.com", MA_T_A, r, now);
	ma_dns_result_release(r);
	OK(run1(e, &q, "short.example.com", MA_T_A) == MA_RUN_OK && q.from_cache,
	   "hook: a short-lived shared answer is used");
	ttl = q.result ? q.result->ttl - q.age_s : 99;
	OK(ttl <= 1, "hook: its remaining TTL is what is left (%u s)", ttl);
	ma_dns_query_clear(&q);
	{
		ma_dns_cache *c = ma_dns_engine_cache(e);

		r = ma_dns_cache_get(c, "short.example.com", MA_T_A, now + 600);
		OK(r == NULL, "hook: the local copy expires with the first reception, not 3 s from now");
		ma_dns_result_release(r);
	}
	ma_dns_engine_free(e);
	layer_free(&f);
}

static void
test_hook_real(void)
{
	static layer_t f;
	const char *dns = getenv("MAILAUTH_TEST_DNS");
	ma_dns_engine *e,
			   *e2;
	ma_dns_query qs[3];
	ma_dns_engine_stats st;

	if (!dns || !*dns)
	{
		printf("# skipped: MAILAUTH_TEST_DNS not set (run through test/run.sh)\n");
		return;
	}
	e = engine(dns, 100);
	ma_dns_engine_set_shared(e, layer_get, layer_put, &f);
	ma_dns_query_init(&qs[0], "www.mailauth.test", MA_T_A);
	ma_dns_query_init(&qs[1], "nx1.mailauth.test", MA_T_A);
	ma_dns_query_init(&qs[2], "www.example.org", MA_T_A);	/* knot: REFUSED (not its zone) */
	OK(ma_dns_run(e, qs, 3, ma_dns_poll_wait, NULL) == MA_RUN_OK, "hook (knot): three lookups ran");
	OK(qs[0].result && qs[0].result->status == MA_DNS_OK &&
	   qs[1].result && qs[1].result->status == MA_DNS_NXDOMAIN &&
	   qs[2].result && qs[2].result->status != MA_DNS_OK &&
	   qs[2].result->status != MA_DNS_NXDOMAIN && qs[2].result->status != MA_DNS_NODATA,
	   "hook (knot): an answer, an NXDOMAIN and a failure (%s)",
	   qs[2].result ? ma_dns_status_name(qs[2].result->status) : "none");
	OK(f.puts == 2 && f.n == 2, "hook (knot): the answer and the NXDOMAIN were offered, the failure not (%d puts)",
	   f.puts);
	for (int i = 0; i < 3; i++)
		ma_dns_query_clear(&qs[i]);

	/* a second engine (another backend) with its own empty local cache */
	e2 = engine(dns, 100);
	ma_dns_engine_set_shared(e2, layer_get, layer_put, &f);
	ma_dns_query_init(&qs[0], "www.mailauth.test", MA_T_A);
	ma_dns_query_init(&qs[1], "nx1.mailauth.test", MA_T_A);
	OK(ma_dns_run(e2, qs, 2, ma_dns_poll_wait, NULL) == MA_RUN_OK &&
	   qs[0].from_cache && qs[1].from_cache && qs[0].result->nrr == 2,
	   "hook (knot): a second engine gets both from the shared layer");
	ma_dns_engine_get_stats(e2, &st);
	OK(st.queries_sent == 0 && st.shared_hits == 2, "hook (knot): and sends no query (%lld sent)",
	   (long long) st.queries_sent);
	for (int i = 0; i < 2; i++)
		ma_dns_query_clear(&qs[i]);
	ma_dns_engine_free(e2);
	ma_dns_engine_free(e);
	layer_free(&f);
}

/* a waiter that reports an interrupt on its first call, then polls */
static int
interrupt_once(void *arg, ma_dns_sock *socks, int nsocks, bool changed, int timeout_ms)
{
	int		   *calls = arg;

	if ((*calls)++ == 0)
		return MA_WAIT_INTERRUPTED;
	return ma_dns_poll_wait(NULL, socks, nsocks, changed, timeout_ms);
}

/*
 * The same question asked several times in one run goes on the wire once;
 * every copy gets the answer, also when the run is interrupted and resumed.
 */
static void
test_coalesce_real(void)
{
	const char *dns = getenv("MAILAUTH_TEST_DNS");
	const char *names[7] = {"www.mailauth.test", "nx1.mailauth.test", "www.mailauth.test",
	"www.mailauth.test", "nx1.mailauth.test", "www.mailauth.test", "www.mailauth.test"};
	uint16_t	types[7] = {MA_T_A, MA_T_A, MA_T_A, MA_T_TXT, MA_T_A, MA_T_A, MA_T_A};
	ma_dns_query qs[7];
	ma_dns_engine_stats st;
	ma_dns_engine *e;
	int			calls = 0,
				rc,
				ok = 1;

	if (!dns || !*dns)
	{
		printf("# skipped: MAILAUTH_TEST_DNS not set (run through test/run.sh)\n");
		return;
	}
	for (int round = 0; round < 2; round++)
	{
		e = engine(dns, 0);		/* no cache: only coalescing can save a query */
		for (int i = 0; i < 7; i++)
			ma_dns_query_init(&qs[i], names[i], types[i]);
		if (round == 0)
			rc = ma_dns_run(e, qs, 7, ma_dns_poll_wait, NULL);
		else
		{
			rc = ma_dns_run(e, qs, 7, interrupt_once, &calls);
			OK(rc == MA_RUN_INTERRUPTED, "coalesce: the first run is interrupted (%d)", rc);
			rc = ma_dns_run(e, qs, 7, interrupt_once, &calls);
		}
		OK(rc == MA_RUN_OK, "coalesce%s: seven lookups ran", round ? " (resumed)" : "");
		ma_dns_engine_get_stats(e, &st);
		OK(st.lookups == 7 && st.coalesced == 4,
		   "coalesce%s: four lookups shared another's question (%lld of %lld)",
		   round ? " (resumed)" : "", (long long) st.coalesced, (long long) st.lookups);
		OK(round ? st.queries_sent >= 3 : st.queries_sent == 3,
		   "coalesce%s: %lld queries sent for three questions", round ? " (resumed)" : "",
		   (long long) st.queries_sent);
		for (int i = 0; i < 7; i++)
		{
			ma_dns_status want = strncmp(names[i], "nx1", 3) == 0 ? MA_DNS_NXDOMAIN :
				types[i] == MA_T_TXT ? MA_DNS_NODATA : MA_DNS_OK;

			if (!qs[i].result || qs[i].result->status != want)
				ok = 0;
		}
		OK(ok && qs[2].result == qs[0].result && qs[6].result == qs[0].result &&
		   qs[4].result == qs[1].result && qs[3].result != qs[0].result && qs[0].result->nrr == 2,
		   "coalesce%s: every copy has its question's answer", round ? " (resumed)" : "");
		for (int i = 0; i < 7; i++)
			ma_dns_query_clear(&qs[i]);
		ma_dns_engine_free(e);
	}
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_roundtrip();
	test_hostile();
	test_hook_fake();
	test_hook_real();
	test_coalesce_real();
	printf("1..%d\n", ntests);
	if (nfailed)
		printf("# Looks like you failed %d test%s of %d.\n", nfailed,
			   nfailed == 1 ? "" : "s", ntests);
	return nfailed ? 1 : 0;
}
