/*-------------------------------------------------------------------------
 *
 * dmarc_adapter.c
 *	  Conformance adapter of the DMARC evaluator of the core, without
 *	  PostgreSQL:
 *
 *		dmarc_adapter <from_domain[,from_domain...]> <dkim> <spf_domain>
 *					  <spf_result> <mode> [sample]
 *
 *	  dkim is "d:result,d:result" (";" separates too) or "-"; spf_domain
 *	  may be "-" (none); mode is rfc7489 or dmarcbis; sample is the pct
 *	  sampling value in [0,100) (default 0).  DMARC_DNS=host:port and
 *	  DMARC_DNS_TIMEOUT=seconds in the environment name the DNS server.
 *
 *	  Prints one tab-separated line: result, policy_domain, policy,
 *	  disposition, dkim_aligned, spf_aligned ("-" for empty values, yes/no
 *	  for the alignments) as the columns of dmarc.tsv; diagnostics on
 *	  stderr.
 *
 * It drives the waves model the way the PostgreSQL glue does: evaluate
 * against a wave store; while pending, resolve every recorded question
 * concurrently with the DNS engine and evaluate again.
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dmarc.h"
#include "core/ma_dns.h"
#include "core/ma_wave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WAVES 50
#define MAX_ITEMS 64


static ma_spf_res
spf_from_name(const char *s)
{
	static const char *const names[] = {"none", "neutral", "pass", "fail", "softfail",
	"temperror", "permerror"};

	for (int i = 0; i < 7; i++)
		if (strcmp(s, names[i]) == 0)
			return (ma_spf_res) i;
	return MA_SPF_NONE;
}

static const char *
dash(const char *s)
{
	return (s && *s) ? s : "-";
}

int
main(int argc, char **argv)
{
	ma_dmarc_request req;
	ma_dmarc_outcome out;
	ma_dmarc_dkim dkim[MAX_ITEMS];
	const char *froms[MAX_ITEMS];
	ma_dns_engine *e;
	ma_dns_wave *w;
	char		errbuf[256];
	const char *servers = getenv("DMARC_DNS");
	const char *tmo = getenv("DMARC_DNS_TIMEOUT");
	char	   *fromlist,
			   *dkimlist,
			   *tok,
			   *save;
	int			mode,
				waves = 0;

	if (argc != 6 && argc != 7)
	{
		fprintf(stderr, "usage: %s <from_domain[,...]> <d:result,...|-> <spf_domain|-> "
				"<spf_result> <rfc7489|dmarcbis> [sample]\n", argv[0]);
		return 2;
	}
	mode = ma_dmarc_mode_from_name(argv[5]);
	if (mode < 0)
	{
		fprintf(stderr, "unknown mode: %s\n", argv[5]);
		return 2;
	}
	memset(&req, 0, sizeof(req));
	req.mode = (ma_dmarc_mode) mode;
	req.sample = argc == 7 ? atoi(argv[6]) : 0;

	fromlist = strdup(argv[1]);
	dkimlist = strdup(argv[2]);
	if (!fromlist || !dkimlist)
		return 2;
	for (tok = strtok_r(fromlist, ",", &save); tok && req.nfrom < MAX_ITEMS;
		 tok = strtok_r(NULL, ",", &save))
		froms[req.nfrom++] = tok;
	req.from_domains = froms;
	if (strcmp(dkimlist, "-") != 0)
		for (tok = strtok_r(dkimlist, ",;", &save); tok && req.ndkim < MAX_ITEMS;
			 tok = strtok_r(NULL, ",;", &save))
		{
			char	   *colon = strrchr(tok, ':');

			dkim[req.ndkim].domain = tok;
			dkim[req.ndkim].result = MA_DMARC_AUTH_NONE;
			if (colon)
			{
				*colon = '\0';
				dkim[req.ndkim].result = ma_dmarc_auth_from_name(colon + 1);
			}
			req.ndkim++;
		}
	req.dkim = dkim;
	req.spf_domain = strcmp(argv[3], "-") == 0 ? NULL : argv[3];
	req.spf_result = spf_from_name(argv[4]);

	e = ma_dns_engine_standalone(servers ? servers : "127.0.0.1:5302", tmo, errbuf, sizeof(errbuf));
	if (!e)
	{
		fprintf(stderr, "ma_dns_engine_new: %s\n", errbuf);
		return 2;
	}
	w = ma_dns_wave_new();
	if (!w)
	{
		ma_dns_engine_free(e);
		return 2;
	}
	for (;;)
	{
		ma_dmarc_verify(&req, ma_dns_wave_lookup, w, &out);
		if (!out.pending)
			break;
		ma_dmarc_outcome_free(&out);
		if (++waves > MAX_WAVES || !ma_dns_wave_resolve_blocking(e, w))
		{
			memset(&out, 0, sizeof(out));
			out.result = MA_DMARC_TEMPERROR;
			snprintf(out.problem, sizeof(out.problem), "too many DNS waves");
			break;
		}
	}

	printf("%s\t%s\t%s\t%s\t%s\t%s\n", ma_dmarc_res_name(out.result),
		   dash(out.policy_domain), dash(ma_dmarc_policy_name(out.policy)),
		   out.disposition == MA_DMARC_P_UNSET ? "none" : ma_dmarc_policy_name(out.disposition),
		   out.dkim_aligned ? "yes" : "no", out.spf_aligned ? "yes" : "no");
	fprintf(stderr, "waves=%d questions=%d from=%s org=%s tag=%s pct=%d sampled_out=%d "
			"exists=%d problem=%s\n", waves, ma_dns_wave_size(w), out.from_domain,
			out.org_domain, out.policy_tag ? out.policy_tag : "", out.pct, out.sampled_out,
			out.from_exists, out.problem);

	ma_dmarc_outcome_free(&out);
	ma_dns_wave_free(w);
	ma_dns_engine_free(e);
	ma_dmarc_psl_release();
	free(fromlist);
	free(dkimlist);
	return 0;
}
