/*-------------------------------------------------------------------------
 *
 * spf_adapter.c
 *	  Stand-alone conformance adapter for the mailauth SPF evaluator:
 *	  spf_adapter <ip> <mailfrom> <helo>
 *
 * Runs the "waves" loop of ma_spf.h against a real DNS server: evaluate;
 * when the evaluation stops for DNS, resolve every question it asked at once
 * with the mailauth DNS engine, remember the answers in a local table keyed
 * by (name, type), and evaluate again -- at most MAX_WAVES times.
 *
 * Environment: SPF_DNS (host:port; empty = resolv.conf), SPF_DNS_TIMEOUT
 * (seconds, default 1).  Output: the result word on line 1, the
 * explanation on line 2; diagnostics (problem, mechanism, counters, waves)
 * on stderr.  Exit status 0, or 2 on usage errors.
 *
 * Build:
 *	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc -o test/spf/spf_adapter \
 *		test/spf/spf_adapter.c src/core/ma_spf.c src/core/ma_dns.c \
 *		src/core/ma_dnswire.c src/core/ma_dnscache.c src/core/ma_idn.c -lcares -lidn2
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_spf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_WAVES	200

typedef struct answer
{
	char		name[MA_DNS_MAXNAME + 1];
	uint16_t	type;
	ma_dns_result *result;		/* NULL: asked, not answered yet */
} answer;

typedef struct table
{
	answer	   *a;
	int			n;
	int			cap;
	bool		oom;
} table;

/*
 * The lookup callback: the answer when known, else remember the question
 * (once) and return NULL.
 */
static const ma_dns_result *
table_lookup(void *arg, const char *name, uint16_t type)
{
	table	   *t = arg;

	for (int i = 0; i < t->n; i++)
		if (t->a[i].type == type && strcmp(t->a[i].name, name) == 0)
			return t->a[i].result;
	if (t->n == t->cap)
	{
		int			ncap = t->cap ? t->cap * 2 : 32;
		answer	   *na = realloc(t->a, ncap * sizeof(answer));

		if (na == NULL)
		{
			t->oom = true;
			return NULL;
		}
		t->a = na;
		t->cap = ncap;
	}
	snprintf(t->a[t->n].name, sizeof(t->a[t->n].name), "%s", name);
	t->a[t->n].type = type;
	t->a[t->n].result = NULL;
	t->n++;
	return NULL;
}

/* resolve every unanswered question of the table in one ma_dns_run */
static int
resolve_wave(ma_dns_engine *e, table *t)
{
	ma_dns_query *qs;
	int		   *idx;
	int			n = 0,
				rc;

	qs = calloc(t->n ? t->n : 1, sizeof(ma_dns_query));
	idx = calloc(t->n ? t->n : 1, sizeof(int));
	if (qs == NULL || idx == NULL)
	{
		free(qs);
		free(idx);
		return -1;
	}
	for (int i = 0; i < t->n; i++)
	{
		if (t->a[i].result != NULL)
			continue;
		ma_dns_query_init(&qs[n], t->a[i].name, t->a[i].type);
		idx[n++] = i;
	}
	rc = ma_dns_run(e, qs, n, ma_dns_poll_wait, NULL);
	for (int j = 0; j < n; j++)
	{
		answer	   *a = &t->a[idx[j]];

		if (qs[j].result)
			a->result = ma_dns_result_ref(qs[j].result);
		else
			a->result = ma_dns_result_status(MA_DNS_ERROR,
											 rc == MA_RUN_OK ? "no result" : "run failed");
		ma_dns_query_clear(&qs[j]);
	}
	free(qs);
	free(idx);
	return n;
}

int
main(int argc, char **argv)
{
	ma_spf_request req;
	ma_spf_outcome out;
	ma_dns_config cfg;
	ma_dns_engine *e;
	table		t = {0};
	char		errbuf[256];
	const char *servers = getenv("SPF_DNS");
	const char *tmo = getenv("SPF_DNS_TIMEOUT");
	double		secs = tmo && *tmo ? atof(tmo) : 1.0;
	int			waves = 0;

	if (argc != 4)
	{
		fprintf(stderr, "usage: %s <ip> <mailfrom> <helo>\n", argv[0]);
		return 2;
	}
	memset(&req, 0, sizeof(req));
	if (inet_pton(AF_INET, argv[1], req.ip) == 1)
		req.family = AF_INET;
	else if (inet_pton(AF_INET6, argv[1], req.ip) == 1)
		req.family = AF_INET6;
	else
	{
		fprintf(stderr, "%s: invalid IP address \"%s\"\n", argv[0], argv[1]);
		return 2;
	}
	req.sender = argv[2];
	req.helo = argv[3];
	req.receiver = NULL;
	req.now = (int64_t) time(NULL);

	memset(&cfg, 0, sizeof(cfg));
	cfg.servers = servers ? servers : "";
	cfg.timeout_ms = secs > 0 ? (int) (secs * 1000) : 1000;
	cfg.tries = 1;
	cfg.max_inflight = 20;
	cfg.cache_entries = 1000;
	cfg.cache_bytes = 1 << 20;
	e = ma_dns_engine_new(&cfg, errbuf, sizeof(errbuf));
	if (e == NULL)
	{
		fprintf(stderr, "%s: DNS engine: %s\n", argv[0], errbuf);
		printf("temperror\n\n");
		return 0;
	}

	for (;;)
	{
		ma_spf_check_host(&req, table_lookup, &t, &out);
		if (!out.pending)
			break;
		if (t.oom || ++waves > MAX_WAVES || resolve_wave(e, &t) <= 0)
		{
			memset(&out, 0, sizeof(out));
			out.result = MA_SPF_TEMPERROR;
			snprintf(out.problem, sizeof(out.problem), "%s",
					 t.oom ? "out of memory" : "too many DNS waves");
			break;
		}
	}

	printf("%s\n%s\n", ma_spf_res_name(out.result), out.explanation);
	fprintf(stderr, "result=%s mechanism=\"%s\" domain=\"%s\" problem=\"%s\" "
			"dns_lookups=%d void_lookups=%d waves=%d\n",
			ma_spf_res_name(out.result), out.mechanism, out.domain, out.problem,
			out.dns_lookups, out.void_lookups, waves);
	{
		char		hdr[2048];

		ma_spf_received_spf(&req, &out, hdr, sizeof(hdr));
		fprintf(stderr, "Received-SPF: %s\n", hdr);
	}

	for (int i = 0; i < t.n; i++)
		ma_dns_result_release(t.a[i].result);
	free(t.a);
	ma_dns_engine_free(e);
	return 0;
}
