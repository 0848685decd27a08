/*-------------------------------------------------------------------------
 *
 * ma_report.h
 *	  One row per domain: what an operator needs to know about a customer
 *	  domain's mail setup (SPF, DMARC, MX, DKIM keys under common
 *	  selectors, MTA-STS, TLS-RPT, BIMI) and its problems in plain words.
 *	  Pure C on the waves DNS model (ma_spf.h): every sub-check asks its
 *	  questions in the same waves, so a list of domains is checked
 *	  concurrently by running one report per domain against one wave store.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_REPORT_H
#define MA_REPORT_H

#include "ma_dmarc.h"
#include "ma_spflint.h"

#define MA_REPORT_MAX_SELECTORS 64

typedef struct ma_report
{
	char		domain[MA_DNS_MAXNAME + 1];	/* normalised */
	bool		valid_name;
	ma_spf_lint spf;
	ma_dmarc_info dmarc;
	const char *mx_status;		/* "ok", "none" (no MX), "nxdomain", "error" */
	char	  **mx_hosts;		/* "pref host", by preference */
	int			nmx;
	bool		null_mx;		/* RFC 7505 "0 ." */
	char	  **selectors;		/* selectors with a DKIM key record */
	int			nselectors;
	char	   *mta_sts;		/* the _mta-sts TXT record (v=STSv1), or NULL */
	char	   *tls_rpt;		/* the _smtp._tls TXT record (v=TLSRPTv1), or NULL */
	char	   *bimi;			/* the default._bimi TXT record (v=BIMI1), or NULL */
	char	  **problems;		/* sentences */
	int			nproblems;
	bool		oom;
} ma_report;

/*
 * Report on domain, probing the given DKIM selectors.  Returns 0 when done,
 * 1 when pending (resolve the wave, call again).  Free with ma_report_free
 * (also after pending); out is reset on entry.
 */
extern int	ma_domain_report(const char *domain, const char *const *selectors, int nselectors,
							 ma_dmarc_mode mode, ma_spf_lookup_fn lookup, void *arg,
							 ma_report *out);
extern void ma_report_free(ma_report *r);

#endif							/* MA_REPORT_H */
