/*-------------------------------------------------------------------------
 *
 * ma_wave.c
 *	  The answer store of the waves DNS model: a hash of (name, type) to
 *	  results, plus the list of questions asked but not answered yet.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_wave.h"

#include <stdlib.h>
#include <string.h>

typedef struct wentry
{
	struct wentry *next;
	uint32_t	hash;
	uint16_t	type;
	ma_dns_result *result;		/* NULL while pending */
	char		name[];
} wentry;

struct ma_dns_wave
{
	wentry	  **buckets;
	size_t		nbuckets;
	size_t		n;
	wentry	  **pending;
	int			npending;
	int			cap;
};

static ma_dns_result oom_result = {
	.refcnt = 1 << 30, .status = MA_DNS_ERROR, .detail = "out of memory"
};

static uint32_t
whash(const char *name, uint16_t type)
{
	uint32_t	h = 2166136261u ^ type;

	for (const unsigned char *p = (const unsigned char *) name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

ma_dns_wave *
ma_dns_wave_new(void)
{
	ma_dns_wave *w = calloc(1, sizeof(ma_dns_wave));

	if (!w)
		return NULL;
	w->nbuckets = 256;
	w->buckets = calloc(w->nbuckets, sizeof(wentry *));
	if (!w->buckets)
	{
		free(w);
		return NULL;
	}
	return w;
}

void
ma_dns_wave_free(ma_dns_wave *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nbuckets; i++)
	{
		wentry	   *e = w->buckets[i];

		while (e)
		{
			wentry	   *n = e->next;

			ma_dns_result_release(e->result);
			free(e);
			e = n;
		}
	}
	free(w->buckets);
	free(w->pending);
	free(w);
}

static void
grow(ma_dns_wave *w)
{
	size_t		nb = w->nbuckets * 4;
	wentry	  **b = calloc(nb, sizeof(wentry *));

	if (!b)
		return;
	for (size_t i = 0; i < w->nbuckets; i++)
	{
		wentry	   *e = w->buckets[i];

		while (e)
		{
			wentry	   *n = e->next;

			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
			e = n;
		}
	}
	free(w->buckets);
	w->buckets = b;
	w->nbuckets = nb;
}

const ma_dns_result *
ma_dns_wave_lookup(void *wave, const char *name, uint16_t type)
{
	ma_dns_wave *w = wave;
	uint32_t	h = whash(name, type);
	wentry	   *e;
	size_t		len;

	for (e = w->buckets[h & (w->nbuckets - 1)]; e; e = e->next)
		if (e->hash == h && e->type == type && strcmp(e->name, name) == 0)
			return e->result;	/* NULL while still pending */

	len = strlen(name);
	e = malloc(sizeof(wentry) + len + 1);
	if (!e)
		return &oom_result;
	if (w->npending == w->cap)
	{
		int			ncap = w->cap ? w->cap * 2 : 16;
		wentry	  **np = realloc(w->pending, ncap * sizeof(wentry *));

		if (!np)
		{
			free(e);
			return &oom_result;
		}
		w->pending = np;
		w->cap = ncap;
	}
	memcpy(e->name, name, len + 1);
	e->hash = h;
	e->type = type;
	e->result = NULL;
	e->next = w->buckets[h & (w->nbuckets - 1)];
	w->buckets[h & (w->nbuckets - 1)] = e;
	w->pending[w->npending++] = e;
	if (++w->n > w->nbuckets * 2)
		grow(w);
	return NULL;
}

int
ma_dns_wave_npending(ma_dns_wave *w)
{
	return w->npending;
}

void
ma_dns_wave_pending(ma_dns_wave *w, int i, const char **name, uint16_t *type)
{
	*name = w->pending[i]->name;
	*type = w->pending[i]->type;
}

void
ma_dns_wave_answer(ma_dns_wave *w, int i, ma_dns_result *r)
{
	wentry	   *e = w->pending[i];

	ma_dns_result_release(e->result);
	e->result = r ? ma_dns_result_ref(r) : ma_dns_result_status(MA_DNS_ERROR, "out of memory");
	if (!e->result)
		e->result = &oom_result;
}

void
ma_dns_wave_clear_pending(ma_dns_wave *w)
{
	/* a question left unanswered would stay NULL forever: answer it */
	for (int i = 0; i < w->npending; i++)
		if (w->pending[i]->result == NULL)
			w->pending[i]->result = &oom_result;
	w->npending = 0;
}

int
ma_dns_wave_size(ma_dns_wave *w)
{
	return (int) w->n;
}

/*
 * For stand-alone programs (adapters, benchmarks): resolve every pending
 * question with the engine, waiting on poll(), and store the answers.
 * Returns false when nothing was pending or memory ran out.  The
 * PostgreSQL glue has its own, interruptible, version.
 */
bool
ma_dns_wave_resolve_blocking(ma_dns_engine *e, ma_dns_wave *w)
{
	int			n = ma_dns_wave_npending(w);
	ma_dns_query *qs;
	int			rc;

	if (n == 0)
		return false;
	qs = calloc(n, sizeof(ma_dns_query));
	if (!qs)
		return false;
	for (int i = 0; i < n; i++)
	{
		const char *name;
		uint16_t	type;

		ma_dns_wave_pending(w, i, &name, &type);
		ma_dns_query_init(&qs[i], name, type);
	}
	rc = ma_dns_run(e, qs, n, ma_dns_poll_wait, NULL);
	for (int i = 0; i < n; i++)
	{
		ma_dns_result *r = qs[i].result;

		if (r == NULL || rc != MA_RUN_OK)
		{
			ma_dns_result *err = ma_dns_result_status(MA_DNS_ERROR, "no result");

			ma_dns_wave_answer(w, i, r ? r : err);
			ma_dns_result_release(err);
		}
		else
			ma_dns_wave_answer(w, i, r);
		ma_dns_query_clear(&qs[i]);
	}
	free(qs);
	ma_dns_wave_clear_pending(w);
	return true;
}

/*
 * For stand-alone programs: an engine on servers ("host:port,...") with an
 * overall deadline of timeout_s seconds (a decimal string; NULL or invalid:
 * 2 s), one try, 20 queries in flight and a small cache.
 */
ma_dns_engine *
ma_dns_engine_standalone(const char *servers, const char *timeout_s, char *errbuf,
						 size_t errlen)
{
	ma_dns_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.servers = servers;
	cfg.timeout_ms = timeout_s ? (int) (atof(timeout_s) * 1000) : 2000;
	if (cfg.timeout_ms <= 0)
		cfg.timeout_ms = 2000;
	cfg.tries = 1;
	cfg.max_inflight = 20;
	cfg.cache_entries = 1000;
	cfg.cache_bytes = 1 << 20;
	return ma_dns_engine_new(&cfg, errbuf, errlen);
}
