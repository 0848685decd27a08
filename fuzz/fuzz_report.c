/*-------------------------------------------------------------------------
 *
 * fuzz_report.c
 *	  libFuzzer target: domain_report's core (ma_report.c) through the waves
 *	  store: the SPF linter, DMARC discovery, MX, DKIM keys under a few
 *	  selectors, and the MTA-STS, TLS-RPT and BIMI records it picks out,
 *	  with the input's zone as the DNS.
 *
 * Input: zone text (fuzz_common.h) with directives
 *	$DOMAIN example.test	the domain reported on (default fuzz.test)
 *	$MODE dmarcbis			RFC 9989 discovery (default RFC 7489)
 * Selectors probed: default, google, s1, sel.
 *
 * Checked: the report ends within 40 waves and asks at most 400 distinct
 * questions (the SPF walk stops at the RFC 7208 limit), its strings are
 * valid UTF-8 (problems, when the domain asked about is), counts are bounded, the picked records carry
 * their version tags, and everything is freed (LeakSanitizer).
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_report.h"
#include "fuzz_common.h"

typedef struct opts
{
	char		domain[300];
	ma_dmarc_mode mode;
} opts;

static void
directive(void *arg, const char *word, const char *value)
{
	opts	   *o = arg;

	if (strcasecmp(word, "DOMAIN") == 0)
		snprintf(o->domain, sizeof(o->domain), "%s", value);
	else if (strcasecmp(word, "MODE") == 0)
		o->mode = strncasecmp(value, "dmarcbis", 8) == 0 ? MA_DMARC_BIS : MA_DMARC_RFC7489;
}

static void
check_str(const char *s, const char *what)
{
	if (s)
		FZ_CHECK(fz_utf8_valid((const unsigned char *) s, strlen(s)), "invalid UTF-8 in %s: %s", what, s);
}

/* the version word right after "v =" (the records are raw DNS text) */
static bool
has_word(const char *s, const char *word)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != 'v' && *s != 'V')
		return false;
	s++;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s++ != '=')
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	return strncasecmp(s, word, strlen(word)) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const selectors[] = {"default", "google", "s1", "sel"};
	fz_zone		z;
	fz_zone    *zones[1] = {&z};
	opts		o;
	ma_report	r;
	ma_dns_wave *w;

	memset(&o, 0, sizeof(o));
	snprintf(o.domain, sizeof(o.domain), "fuzz.test");
	fz_zone_init(&z, "");
	fz_zone_parse(&z, (const char *) data, size, directive, &o);

	w = ma_dns_wave_new();
	memset(&r, 0, sizeof(r));	/* ma_domain_report frees what r holds first */
	for (int wave = 0;; wave++)
	{
		int			rc = ma_domain_report(o.domain, selectors, 4, o.mode, ma_dns_wave_lookup, w, &r);

		if (rc == 0)
			break;
		FZ_CHECK(fz_wave_resolve(w, zones, 1) > 0, "pending, nothing asked");
		FZ_CHECK(wave < 40, "more than 40 waves");
		FZ_CHECK(ma_dns_wave_size(w) <= 400, "%d questions", (int) ma_dns_wave_size(w));
	}
	FZ_CHECK(r.mx_status != NULL || !r.valid_name, "mx status");
	FZ_CHECK(r.nmx >= 0 && r.nselectors >= 0 && r.nselectors <= 4 && r.nproblems >= 0, "counts");
	for (int i = 0; i < r.nmx; i++)
		FZ_CHECK(r.mx_hosts[i] != NULL, "mx host %d", i);
	for (int i = 0; i < r.nselectors; i++)
		FZ_CHECK(r.selectors[i] != NULL, "selector %d", i);
	for (int i = 0; i < r.nproblems; i++)
	{
		FZ_CHECK(r.problems[i] != NULL, "problem %d", i);
		/* SQL hands over valid UTF-8 names only; the rest is DNS data */
		if (fz_utf8_valid((const unsigned char *) o.domain, strlen(o.domain)))
			check_str(r.problems[i], "problem");
	}
	if (r.mta_sts)
		FZ_CHECK(has_word(r.mta_sts, "STSv1"), "mta_sts %s", r.mta_sts);
	if (r.tls_rpt)
		FZ_CHECK(has_word(r.tls_rpt, "TLSRPTv1"), "tls_rpt %s", r.tls_rpt);
	if (r.bimi)
		FZ_CHECK(has_word(r.bimi, "BIMI1"), "bimi %s", r.bimi);
	ma_report_free(&r);
	ma_dns_wave_free(w);
	fz_zone_free(&z);
	return 0;
}
