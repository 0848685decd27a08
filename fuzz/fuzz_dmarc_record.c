/*-------------------------------------------------------------------------
 *
 * fuzz_dmarc_record.c
 *	  libFuzzer target: DMARC record parsing (ma_dmarc.c) in both modes
 *	  (RFC 7489, DMARCbis), policy discovery and the evaluation of a
 *	  message against the record, with the records from the input.
 *
 * Input: up to four parts separated by lines ";;" ("\n;;\n"):
 *	0	the TXT record at _dmarc.mail.fuzz.test (parsed directly too)
 *	1	the TXT record at _dmarc.fuzz.test (the organizational domain)
 *	2	a TXT record at mail.fuzz.test itself
 *	3	a name for ma_dmarc_org_domain_psl() / ma_dmarc_aligned_psl()
 * Absent parts are absent records (NXDOMAIN).
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dmarc.h"
#include "fuzz_common.h"

static const char *const OWNERS[] = {"_dmarc.mail.fuzz.test", "_dmarc.fuzz.test",
"mail.fuzz.test"};

static void
check_problems(const ma_dmarc_problems *p)
{
	FZ_CHECK(p->n >= 0 && p->n <= MA_DMARC_MAX_PROBLEMS + 1, "%d problems", p->n);
	for (int i = 0; i < p->n; i++)
		FZ_CHECK(p->items[i].severity && p->items[i].code && p->items[i].detail,
				 "problem %d", i);
}

static void
parse(const char *rec, size_t len, ma_dmarc_mode mode)
{
	ma_dmarc_record r;
	int			rc = ma_dmarc_parse(rec, len, mode, &r);

	FZ_CHECK(rc == 0 || rc == -1, "parse rc %d", rc);
	if (rc == 0)
	{
		FZ_CHECK(ma_dmarc_is_record(rec, len), "parsed but not a DMARC record");
		FZ_CHECK(r.pct >= 0 && r.pct <= 100, "pct %d", r.pct);
		FZ_CHECK(r.adkim == 'r' || r.adkim == 's', "adkim %c", r.adkim);
		FZ_CHECK(r.aspf == 'r' || r.aspf == 's', "aspf %c", r.aspf);
		FZ_CHECK(r.nrua_valid <= r.nrua, "rua counts");
		for (int i = 0; i < r.nrua; i++)
			FZ_CHECK(r.rua[i] != NULL, "rua %d", i);
		for (int i = 0; i < r.nruf; i++)
			FZ_CHECK(r.ruf[i] != NULL, "ruf %d", i);
		check_problems(&r.problems);
		(void) ma_dmarc_policy_name(ma_dmarc_effective_p(&r, mode));
	}
	ma_dmarc_record_free(&r);
}

static void
discover(fz_zone *z, ma_dmarc_mode mode)
{
	fz_zone    *zones[1] = {z};
	ma_dns_wave *w = ma_dns_wave_new();
	ma_dmarc_info info;

	for (int wave = 0;; wave++)
	{
		memset(&info, 0, sizeof(info));
		if (ma_dmarc_lookup_record("Mail.Fuzz.Test.", mode, ma_dns_wave_lookup, w, &info) == 0)
			break;
		FZ_CHECK(info.pending, "rc 1 but not pending");
		ma_dmarc_info_free(&info);
		FZ_CHECK(fz_wave_resolve(w, zones, 1) > 0, "pending, nothing asked");
		FZ_CHECK(wave < 50, "more than 50 waves");
	}
	FZ_CHECK(info.status != NULL, "no status");
	check_problems(&info.problems);
	ma_dmarc_info_free(&info);
	ma_dns_wave_free(w);
}

static void
verify(fz_zone *z, ma_dmarc_mode mode, int variant)
{
	fz_zone    *zones[1] = {z};
	ma_dns_wave *w = ma_dns_wave_new();
	const char *from[] = {"mail.fuzz.test", "other.fuzz.test"};
	ma_dmarc_dkim dkim[2] = {{"fuzz.test", MA_DMARC_AUTH_PASS}, {"mail.fuzz.test", MA_DMARC_AUTH_FAIL}};
	ma_dmarc_request req = {0};
	ma_dmarc_outcome out;

	req.mode = mode;
	req.from_domains = from;
	req.nfrom = 1 + (variant & 1);
	req.spf_result = (variant & 2) ? MA_SPF_PASS : MA_SPF_FAIL;
	req.spf_domain = "bounce.fuzz.test";
	req.dkim = dkim;
	req.ndkim = (variant & 4) ? 2 : 0;
	req.sample = (variant & 8) ? -1 : 50;
	req.sample_key = "<id@fuzz.test>";
	for (int wave = 0;; wave++)
	{
		memset(&out, 0, sizeof(out));
		ma_dmarc_verify(&req, ma_dns_wave_lookup, w, &out);
		if (!out.pending)
			break;
		ma_dmarc_outcome_free(&out);
		FZ_CHECK(fz_wave_resolve(w, zones, 1) > 0, "verify pending, nothing asked");
		FZ_CHECK(wave < 50, "more than 50 waves");
	}
	FZ_CHECK(out.result >= MA_DMARC_NONE && out.result <= MA_DMARC_PERMERROR, "result");
	FZ_CHECK(out.pct >= 0 && out.pct <= 100, "pct %d", out.pct);
	FZ_CHECK(out.policy_tag != NULL, "policy_tag");
	if (out.result == MA_DMARC_PASS)
		FZ_CHECK(out.spf_aligned || out.dkim_aligned, "pass without alignment");
	ma_dmarc_outcome_free(&out);
	ma_dns_wave_free(w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_zone		z;
	size_t		pos = 0;
	char	   *first = NULL;
	size_t		firstlen = 0;
	char	   *name = NULL;

	fz_zone_init(&z, "");
	for (int i = 0; i < 4 && pos <= size; i++)
	{
		size_t		n = fz_find(data + pos, size - pos, "\n;;\n");

		if (i < 3)
		{
			fz_rr	   *r = fz_add(&z, OWNERS[i], MA_T_TXT, 300);

			r->data = fz_strndup(data + pos, n);
			r->datalen = n;
		}
		else
			name = fz_strndup(data + pos, n);
		if (i == 0)
		{
			first = malloc(n ? n : 1);
			memcpy(first, data, n);
			firstlen = n;
		}
		pos += n + 4;
	}
	(void) ma_dmarc_is_record(first, firstlen);
	parse(first, firstlen, MA_DMARC_RFC7489);
	parse(first, firstlen, MA_DMARC_BIS);
	discover(&z, MA_DMARC_RFC7489);
	discover(&z, MA_DMARC_BIS);
	verify(&z, MA_DMARC_RFC7489, (int) (size & 15));
	verify(&z, MA_DMARC_BIS, (int) ((size >> 4) & 15));
	if (name)
	{
		char		org[MA_DNS_MAXNAME + 1];

		if (ma_dmarc_org_domain_psl(name, org))
			FZ_CHECK(strlen(org) <= MA_DNS_MAXNAME, "org domain too long");
		(void) ma_dmarc_aligned_psl(name, "mail.fuzz.test", false);
		(void) ma_dmarc_aligned_psl("fuzz.test", name, true);
		free(name);
	}
	free(first);
	fz_zone_free(&z);
	return 0;
}
