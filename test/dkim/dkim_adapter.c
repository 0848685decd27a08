/*-------------------------------------------------------------------------
 *
 * dkim_adapter.c
 *	  Conformance adapter of the DKIM verifier of the core, without
 *	  PostgreSQL:
 *
 *		dkim_adapter <message.eml> [max_sigs]
 *
 *	  DKIM_DNS=host:port and DKIM_DNS_TIMEOUT=seconds in the environment
 *	  name the DNS server.  Prints one line per DKIM-Signature (top-most
 *	  first): result, reason, d, s, a, c, key_bits, tab-separated; for an
 *	  unsigned message a single "none" line.  Diagnostics on stderr.
 *
 * It drives the waves model the way the PostgreSQL glue does: verify
 * against a wave store; while pending, resolve every recorded question
 * concurrently with the DNS engine and verify again.
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dkim.h"
#include "core/ma_dns.h"
#include "core/ma_wave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WAVES 20

static char *
slurp(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf = NULL;
	size_t		cap = 0;
	size_t		n = 0;

	if (!f)
		return NULL;
	for (;;)
	{
		size_t		r;

		if (n == cap)
		{
			char	   *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb)
			{
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

static const char *
dash(const char *s)
{
	return (s && *s) ? s : "-";
}

int
main(int argc, char **argv)
{
	const char *servers = getenv("DKIM_DNS");
	const char *tmo = getenv("DKIM_DNS_TIMEOUT");
	ma_dns_engine *e;
	ma_dns_wave *w;
	ma_dkim_outcome out;
	char		errbuf[256];
	char	   *msg;
	size_t		len = 0;
	int			waves = 0;
	int			max_sigs = 0;

	if (argc < 2)
	{
		fprintf(stderr, "usage: %s <message.eml> [max_sigs]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		max_sigs = atoi(argv[2]);
	/* MAILAUTH_DKIM_FAST=0: every signature through libopendkim's own crypto */
	if (getenv("MAILAUTH_DKIM_FAST") && strcmp(getenv("MAILAUTH_DKIM_FAST"), "0") == 0)
		ma_dkim_fast_crypto = false;
	msg = slurp(argv[1], &len);
	if (!msg)
	{
		perror(argv[1]);
		return 2;
	}

	e = ma_dns_engine_standalone(servers ? servers : "127.0.0.1:5302", tmo, errbuf, sizeof(errbuf));
	if (!e)
	{
		fprintf(stderr, "ma_dns_engine_new: %s\n", errbuf);
		free(msg);
		return 2;
	}
	w = ma_dns_wave_new();
	if (!w)
	{
		ma_dns_engine_free(e);
		free(msg);
		return 2;
	}
	for (;;)
	{
		if (ma_dkim_verify(msg, len, ma_dns_wave_lookup, w, max_sigs, &out) == 0)
			break;
		ma_dkim_outcome_free(&out);
		if (++waves > MAX_WAVES || !ma_dns_wave_resolve_blocking(e, w))
		{
			memset(&out, 0, sizeof(out));
			snprintf(out.problem, sizeof(out.problem), "too many DNS waves");
			break;
		}
	}

	if (out.nresults == 0)
		printf("temperror\t%s\n", dash(out.problem));
	for (int i = 0; i < out.nresults; i++)
	{
		const ma_dkim_sig *s = &out.results[i];

		printf("%s\t%s\t%s\t%s\t%s\t%s\t%d\n", ma_dkim_res_name(s->result),
			   dash(s->reason), dash(s->domain), dash(s->selector),
			   dash(s->algorithm), dash(s->canon), s->key_bits);
	}
	fprintf(stderr, "waves=%d questions=%d nsigs=%d problem=%s\n", waves,
			ma_dns_wave_size(w), out.nsigs, out.problem);

	ma_dkim_outcome_free(&out);
	ma_dns_wave_free(w);
	ma_dns_engine_free(e);
	free(msg);
	return 0;
}
