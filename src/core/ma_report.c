/*-------------------------------------------------------------------------
 *
 * ma_report.c
 *	  domain_report(): SPF (ma_spflint.c), DMARC (ma_dmarc.c), MX, DKIM keys
 *	  under common selectors, MTA-STS, TLS-RPT and BIMI records of one
 *	  domain, every question of every part asked in the same wave, and the
 *	  problems in plain words.  See ma_report.h.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_report.h"
#include "ma_text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
add_problem(ma_report *r, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
add_problem(ma_report *r, const char *fmt,...)
{
	char		buf[600];
	va_list		ap;
	char	  **grown;

	if (r->nproblems >= 64)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	ma_utf8_cut(buf);
	va_end(ap);
	grown = realloc(r->problems, sizeof(char *) * (r->nproblems + 1));
	if (grown == NULL)
	{
		r->oom = true;
		return;
	}
	r->problems = grown;
	if ((r->problems[r->nproblems] = strdup(buf)) == NULL)
	{
		r->oom = true;
		return;
	}
	r->nproblems++;
}

static bool
push(char ***list, int *n, const char *s, bool *oom)
{
	char	  **grown = realloc(*list, sizeof(char *) * (*n + 1));

	if (grown == NULL)
	{
		*oom = true;
		return false;
	}
	*list = grown;
	if (((*list)[*n] = strdup(s)) == NULL)
	{
		*oom = true;
		return false;
	}
	(*n)++;
	return true;
}

static void
free_list(char **l, int n)
{
	for (int i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void
ma_report_free(ma_report *r)
{
	if (r == NULL)
		return;
	ma_spf_lint_free(&r->spf);
	ma_dmarc_info_free(&r->dmarc);
	free_list(r->mx_hosts, r->nmx);
	free_list(r->selectors, r->nselectors);
	free_list(r->problems, r->nproblems);
	free(r->mta_sts);
	free(r->tls_rpt);
	free(r->bimi);
	memset(r, 0, sizeof(*r));
}

/* does TXT data start with tag "v" = value (case-insensitive, spaces allowed)? */
static bool
starts_v(const char *d, size_t len, const char *value)
{
	size_t		i = 0,
				n = strlen(value);

	while (i < len && (d[i] == ' ' || d[i] == '\t'))
		i++;
	if (i >= len || (d[i] != 'v' && d[i] != 'V'))
		return false;
	i++;
	while (i < len && (d[i] == ' ' || d[i] == '\t'))
		i++;
	if (i >= len || d[i] != '=')
		return false;
	i++;
	while (i < len && (d[i] == ' ' || d[i] == '\t'))
		i++;
	if (len - i < n || strncasecmp(d + i, value, n) != 0)
		return false;
	i += n;
	while (i < len && (d[i] == ' ' || d[i] == '\t'))
		i++;
	return i == len || d[i] == ';';
}

/*
 * The single TXT record at name starting with v=<value>: 1 found (copied
 * to *out), 0 none, -1 pending, -2 DNS error, -3 several such records.
 */
static int
txt_record(const char *name, const char *value, ma_spf_lookup_fn lookup, void *arg,
		   char **out, bool *oom)
{
	const ma_dns_result *res = lookup(arg, name, MA_T_TXT);
	const ma_dns_rr *found = NULL;
	int			n = 0;

	if (res == NULL)
		return -1;
	if (res->status == MA_DNS_NXDOMAIN || res->status == MA_DNS_NODATA)
		return 0;
	if (res->status != MA_DNS_OK)
		return -2;
	for (int i = 0; i < res->nrr; i++)
		if (res->rr[i].type == MA_T_TXT && res->rr[i].data &&
			starts_v(res->rr[i].data, res->rr[i].datalen, value))
		{
			found = &res->rr[i];
			n++;
		}
	if (n == 0)
		return 0;
	if (n > 1)
		return -3;
	*out = malloc(found->datalen + 1);
	if (*out == NULL)
	{
		*oom = true;
		return 0;
	}
	for (size_t i = 0; i < found->datalen; i++)
		(*out)[i] = found->data[i] == '\0' ? '?' : found->data[i];
	(*out)[found->datalen] = '\0';
	return 1;
}

/* a DKIM key record: some TXT record with a p= tag (v=DKIM1 optional) */
static int
dkim_key_at(const char *name, ma_spf_lookup_fn lookup, void *arg)
{
	const ma_dns_result *res = lookup(arg, name, MA_T_TXT);

	if (res == NULL)
		return -1;
	if (res->status != MA_DNS_OK)
		return res->status == MA_DNS_NXDOMAIN || res->status == MA_DNS_NODATA ? 0 : -2;
	for (int i = 0; i < res->nrr; i++)
	{
		const ma_dns_rr *rr = &res->rr[i];

		if (rr->type != MA_T_TXT || rr->data == NULL)
			continue;
		for (size_t j = 0; j + 1 < rr->datalen; j++)
			if ((rr->data[j] == 'p' || rr->data[j] == 'P') &&
				(j == 0 || rr->data[j - 1] == ';' || rr->data[j - 1] == ' ' || rr->data[j - 1] == '\t'))
			{
				size_t		k = j + 1;

				while (k < rr->datalen && (rr->data[k] == ' ' || rr->data[k] == '\t'))
					k++;
				if (k < rr->datalen && rr->data[k] == '=')
					return 1;
			}
	}
	return 0;
}

static int
cmp_mx(const void *a, const void *b)
{
	const ma_dns_rr *x = *(const ma_dns_rr *const *) a;
	const ma_dns_rr *y = *(const ma_dns_rr *const *) b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->target ? x->target : "", y->target ? y->target : "");
}

int
ma_domain_report(const char *domain, const char *const *selectors, int nselectors,
				 ma_dmarc_mode mode, ma_spf_lookup_fn lookup, void *arg, ma_report *r)
{
	bool		pending = false;
	char		name[MA_DNS_MAXNAME + 64];
	char		norm[MA_DNS_MAXNAME + 1];
	const ma_dns_result *mx;
	int			rc;
	int			ndns_errors = 0;

	ma_report_free(r);
	if (domain == NULL || ma_dns_name_check(domain, r->domain) != NULL || strchr(r->domain, '.') == NULL)
	{
		snprintf(r->domain, sizeof(r->domain), "%s", domain ? domain : "");
		ma_utf8_cut(r->domain);
		r->valid_name = false;
		r->mx_status = "error";
		add_problem(r, "\"%s\" is not a valid domain name", r->domain);
		return 0;
	}
	r->valid_name = true;

	/* every part asks its questions before any of them waits */
	if (ma_spf_lint_run(r->domain, lookup, arg, &r->spf) == 1)
		pending = true;
	if (ma_dmarc_lookup_record(r->domain, mode, lookup, arg, &r->dmarc) == 1)
		pending = true;
	mx = lookup(arg, r->domain, MA_T_MX);
	if (mx == NULL)
		pending = true;
	if (nselectors > MA_REPORT_MAX_SELECTORS)
		nselectors = MA_REPORT_MAX_SELECTORS;
	for (int i = 0; i < nselectors; i++)
	{
		snprintf(name, sizeof(name), "%s._domainkey.%s", selectors[i], r->domain);
		if (ma_dns_name_check(name, norm) != NULL)
			continue;
		rc = dkim_key_at(norm, lookup, arg);
		if (rc == -1)
			pending = true;
		else if (rc == 1)
			push(&r->selectors, &r->nselectors, selectors[i], &r->oom);
		else if (rc == -2)
			ndns_errors++;
	}

	/*
	 * The policy names below are longer than the domain: for a domain near
	 * 253 octets they are not valid names and are not asked (rc stays 0).
	 */
	snprintf(name, sizeof(name), "_mta-sts.%s", r->domain);
	rc = 0;
	if (ma_dns_name_check(name, norm) == NULL)
		rc = txt_record(norm, "STSv1", lookup, arg, &r->mta_sts, &r->oom);
	if (rc == -1)
		pending = true;
	else if (rc == -3)
		add_problem(r, "Several MTA-STS records at %s: senders ignore them all", norm);
	snprintf(name, sizeof(name), "_smtp._tls.%s", r->domain);
	rc = 0;
	if (ma_dns_name_check(name, norm) == NULL)
		rc = txt_record(norm, "TLSRPTv1", lookup, arg, &r->tls_rpt, &r->oom);
	if (rc == -1)
		pending = true;
	else if (rc == -3)
		add_problem(r, "Several TLS-RPT records at %s: reporters ignore them all", norm);
	snprintf(name, sizeof(name), "default._bimi.%s", r->domain);
	if (ma_dns_name_check(name, norm) == NULL &&
		txt_record(norm, "BIMI1", lookup, arg, &r->bimi, &r->oom) == -1)
		pending = true;
	if (pending)
		return 1;

	/* MX */
	if (mx->status == MA_DNS_NXDOMAIN)
	{
		r->mx_status = "nxdomain";
		add_problem(r, "The domain %s does not exist", r->domain);
		return 0;				/* nothing else to say about it */
	}
	else if (mx->status == MA_DNS_NODATA)
	{
		r->mx_status = "none";
		add_problem(r, "No MX record: mail to %s goes to its address records, if any", r->domain);
	}
	else if (mx->status != MA_DNS_OK)
	{
		r->mx_status = "error";
		add_problem(r, "The MX lookup failed (%s)", ma_dns_status_name(mx->status));
	}
	else
	{
		const ma_dns_rr *sorted[64];
		int			n = 0;

		r->mx_status = "ok";
		for (int i = 0; i < mx->nrr && n < 64; i++)
			if (mx->rr[i].type == MA_T_MX && mx->rr[i].target)
				sorted[n++] = &mx->rr[i];
		qsort(sorted, n, sizeof(sorted[0]), cmp_mx);
		for (int i = 0; i < n; i++)
		{
			char		h[MA_DNS_MAXNAME + 16];

			snprintf(h, sizeof(h), "%u %s", sorted[i]->pref, sorted[i]->target);
			push(&r->mx_hosts, &r->nmx, h, &r->oom);
			if (strcmp(sorted[i]->target, ".") == 0 || sorted[i]->target[0] == '\0')
				r->null_mx = true;
		}
		if (r->null_mx && n > 1)
			add_problem(r, "A null MX (RFC 7505) must be the only MX record, but there are %d", n);
		else if (r->null_mx)
			add_problem(r, "Null MX (RFC 7505): %s accepts no mail, so it cannot receive bounces or replies", r->domain);
	}

	/* SPF */
	if (r->spf.status && strcmp(r->spf.status, "none") == 0)
		add_problem(r, "No SPF record: receivers cannot tell which servers may send for %s", r->domain);
	for (int i = 0; i < r->spf.nfindings; i++)
	{
		const ma_spf_finding *f = &r->spf.findings[i];

		if (strcmp(f->code, "no_record") == 0)
			continue;			/* said above */
		if (strcmp(f->severity, "error") == 0 || strcmp(f->severity, "warning") == 0)
			add_problem(r, "SPF: %s", f->detail ? f->detail : f->code);
	}

	/* DMARC */
	if (r->dmarc.status && strcmp(r->dmarc.status, "none") == 0)
		add_problem(r, "No DMARC record: nothing tells receivers what to do with mail that fails authentication");
	else if (r->dmarc.have_record && ma_dmarc_effective_p(&r->dmarc.rec, mode) == MA_DMARC_P_NONE)
		add_problem(r, "DMARC policy p=none: monitoring only, spoofed mail is still delivered");
	for (int i = 0; i < r->dmarc.problems.n; i++)
	{
		const ma_dmarc_problem *p = &r->dmarc.problems.items[i];

		if (strcmp(p->code, "p_none") == 0 || strcmp(p->code, "no_record") == 0)
			continue;			/* said above */
		if (strcmp(p->severity, "error") == 0 || strcmp(p->severity, "warning") == 0)
			add_problem(r, "DMARC: %s", p->detail ? p->detail : p->code);
	}

	/* DKIM */
	if (r->nselectors == 0 && ndns_errors == 0 && nselectors > 0)
		add_problem(r, "No DKIM key under any of the %d common selectors probed", nselectors);
	else if (ndns_errors > 0)
		add_problem(r, "%d DKIM key lookups failed", ndns_errors);
	if (r->oom)
		add_problem(r, "out of memory: the report is incomplete");
	return 0;
}
