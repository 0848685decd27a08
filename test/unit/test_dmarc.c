/*-------------------------------------------------------------------------
 *
 * test_dmarc.c
 *	  Unit tests of the DMARC core (src/core/ma_dmarc.c): record parsing and
 *	  every problem code, the Public Suffix List edge cases, the alignment
 *	  truth table (including the mistakes of libopendmarc: x.example.com and
 *	  y.example.com are not strictly aligned, d=co.uk is not aligned with
 *	  example.co.uk), discovery in both modes (RFC 7489 and the RFC 9989
 *	  tree walk with psd=), pct sampling, sp=/np=/t=, several From domains,
 *	  and hostile records (10 KB, NUL bytes, 1,000 tags).
 *
 * No PostgreSQL and no network: a fake zone answers (name, type) only after
 * a "wave" resolved the question, like the real callers do, so the pending
 * semantics are exercised on every evaluation.
 *
 * Output is TAP: "ok N - ...", "not ok N - ...", then the plan "1..N".  The
 * exit status is 0 only when every assertion passed.
 *
 * Build and run:
 *	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc -o test/unit/test_dmarc \
 *		test/unit/test_dmarc.c src/core/ma_dmarc.c src/core/ma_spf.c \
 *		src/core/ma_dns.c src/core/ma_dnswire.c src/core/ma_dnscache.c \
 *		src/core/ma_idn.c -lcares -lidn2 -lpsl
 *	test/unit/test_dmarc
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dmarc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* zone tables below list only the fields they need */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ---------------------------------------------------------------------
 * TAP assertions
 * ---------------------------------------------------------------------
 */
#include "ma_test.h"

#define NZ(z) ((int) (sizeof(z) / sizeof((z)[0])))

/* ---------------------------------------------------------------------
 * Drivers: run to the end, wave after wave
 * ---------------------------------------------------------------------
 */
typedef struct vrun
{
	ma_dmarc_outcome out;
	int			waves;
	int			max_wave;
	char		asked[4096];	/* every question, " name/type" */
} vrun;

static void
note_questions(fake *f, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; i < f->nq; i++)
	{
		size_t		l = strlen(buf);

		snprintf(buf + l, len - l, " %s/%u", f->q[i].name, f->q[i].type);
	}
}

static ma_dmarc_res
verify_full(const zrec *zone, int nzone, const ma_dmarc_request *req, vrun *rn)
{
	fake	   *f = calloc(1, sizeof(fake));

	memset(rn, 0, sizeof(*rn));
	f->zone = zone;
	f->nzone = nzone;
	for (;;)
	{
		f->asked_this_wave = 0;
		ma_dmarc_verify(req, fake_lookup, f, &rn->out);
		if (!rn->out.pending)
			break;
		ma_dmarc_outcome_free(&rn->out);
		if (f->asked_this_wave > rn->max_wave)
			rn->max_wave = f->asked_this_wave;
		if (++rn->waves > 50 || f->asked_this_wave == 0)
			break;
		fake_resolve(f);
	}
	note_questions(f, rn->asked, sizeof(rn->asked));
	fake_free(f);
	free(f);
	return rn->out.result;
}

/* a simple request: one From domain, "d:result,..." DKIM, SPF */
static ma_dmarc_res
verify(const zrec *zone, int nzone, ma_dmarc_mode mode, const char *from, const char *dkim,
	   const char *spf_domain, ma_spf_res spf, vrun *rn)
{
	ma_dmarc_request req;
	ma_dmarc_dkim sigs[8];
	char		buf[512];
	const char *froms[1];
	ma_dmarc_res res;

	memset(&req, 0, sizeof(req));
	req.mode = mode;
	froms[0] = from;
	req.from_domains = froms;
	req.nfrom = 1;
	req.spf_domain = spf_domain;
	req.spf_result = spf;
	req.sample = 0;
	if (dkim)
	{
		char	   *save,
				   *tok;

		snprintf(buf, sizeof(buf), "%s", dkim);
		for (tok = strtok_r(buf, ",", &save); tok && req.ndkim < 8; tok = strtok_r(NULL, ",", &save))
		{
			char	   *c = strchr(tok, ':');

			*c = '\0';
			sigs[req.ndkim].domain = tok;
			sigs[req.ndkim].result = ma_dmarc_auth_from_name(c + 1);
			req.ndkim++;
		}
	}
	req.dkim = sigs;
	res = verify_full(zone, nzone, &req, rn);
	return res;
}

typedef struct lrun
{
	ma_dmarc_info info;
	int			waves;
	char		asked[4096];
} lrun;

static void
lookup_full(const zrec *zone, int nzone, const char *domain, ma_dmarc_mode mode, lrun *rn)
{
	fake	   *f = calloc(1, sizeof(fake));

	memset(rn, 0, sizeof(*rn));
	f->zone = zone;
	f->nzone = nzone;
	for (;;)
	{
		f->asked_this_wave = 0;
		ma_dmarc_lookup_record(domain, mode, fake_lookup, f, &rn->info);
		if (!rn->info.pending)
			break;
		ma_dmarc_info_free(&rn->info);
		if (++rn->waves > 50 || f->asked_this_wave == 0)
			break;
		fake_resolve(f);
	}
	note_questions(f, rn->asked, sizeof(rn->asked));
	fake_free(f);
	free(f);
}

static bool
has_code(const ma_dmarc_problems *p, const char *code)
{
	return ma_dmarc_has_problem(p, code);
}

/* parse and tell whether the record has a problem with this code */
static bool
parse_has(const char *txt, ma_dmarc_mode mode, const char *code)
{
	ma_dmarc_record rec;
	bool		r = ma_dmarc_parse(txt, strlen(txt), mode, &rec) == 0 &&
	has_code(&rec.problems, code);

	ma_dmarc_record_free(&rec);
	return r;
}

/* ---------------------------------------------------------------------
 * Parsing
 * ---------------------------------------------------------------------
 */
static void
test_parse(void)
{
	ma_dmarc_record rec;
	const char *full = "v=DMARC1; p=Reject; sp=quarantine; np=reject; adkim=s; aspf=r; pct=50; "
		"rua=mailto:agg@example.com,mailto:other@example.net!10m; ruf=mailto:f@example.com; "
		"fo=1:d; rf=afrf; ri=3600; psd=n; t=y";
	int			rc;

	OK(ma_dmarc_is_record("v=DMARC1", 8), "is_record: bare version");
	OK(ma_dmarc_is_record("v=DMARC1;", 9), "is_record: with separator");
	OK(ma_dmarc_is_record("V = DMARC1 ; p=none", 19), "is_record: spaces, tag name case");
	OK(!ma_dmarc_is_record("v=dmarc1; p=none", 16), "is_record: DMARC1 is exact");
	OK(!ma_dmarc_is_record("v=DMARC10; p=none", 17), "is_record: v=DMARC10 is not");
	OK(!ma_dmarc_is_record("v=DMARC2; p=none", 16), "is_record: v=DMARC2 is not");
	OK(!ma_dmarc_is_record("p=none; v=DMARC1", 16), "is_record: v must come first");
	OK(!ma_dmarc_is_record("", 0) && !ma_dmarc_is_record(NULL, 0), "is_record: empty, NULL");
	OK(!ma_dmarc_is_record("v=DMARC1x", 9), "is_record: junk after the version");
	OK(ma_dmarc_parse("v=spf1 -all", 11, MA_DMARC_RFC7489, &rec) == -1, "parse: SPF record is -1");
	ma_dmarc_record_free(&rec);

	rc = ma_dmarc_parse(full, strlen(full), MA_DMARC_BIS, &rec);
	if (OK(rc == 0, "parse: full record"))
	{
		OK(rec.p == MA_DMARC_P_REJECT && rec.p_present && !rec.p_invalid, "parse: p=Reject (case)");
		OK(rec.sp == MA_DMARC_P_QUARANTINE && rec.np == MA_DMARC_P_REJECT, "parse: sp, np");
		OK(rec.adkim == 's' && rec.aspf == 'r', "parse: adkim, aspf");
		OK(rec.pct == 50, "parse: pct");
		OK(rec.nrua == 2 && rec.nrua_valid == 2 && strcmp(rec.rua[1], "mailto:other@example.net!10m") == 0,
		   "parse: two rua URIs, size suffix kept");
		OK(rec.nruf == 1 && strcmp(rec.ruf[0], "mailto:f@example.com") == 0, "parse: ruf");
		OK(rec.fo && strcmp(rec.fo, "1:d") == 0 && rec.rf && strcmp(rec.rf, "afrf") == 0 &&
		   rec.ri == 3600, "parse: fo, rf, ri");
		OK(rec.psd == 'n' && rec.t == 'y', "parse: psd, t");
		OK(has_code(&rec.problems, "obsolete_tag") && has_code(&rec.problems, "testing") &&
		   has_code(&rec.problems, "obsolete_syntax"), "parse (dmarcbis): pct/rf/ri obsolete, t=y, !size");
		OK(!has_code(&rec.problems, "pct_partial"), "parse (dmarcbis): no pct_partial");
	}
	ma_dmarc_record_free(&rec);

	rc = ma_dmarc_parse(full, strlen(full), MA_DMARC_RFC7489, &rec);
	OK(rc == 0 && has_code(&rec.problems, "pct_partial") && has_code(&rec.problems, "not_in_rfc7489") &&
	   !has_code(&rec.problems, "obsolete_tag"), "parse (rfc7489): pct_partial, not_in_rfc7489");
	ma_dmarc_record_free(&rec);

	/* defaults */
	rc = ma_dmarc_parse("v=DMARC1; p=none", 16, MA_DMARC_RFC7489, &rec);
	OK(rc == 0 && rec.adkim == 'r' && rec.aspf == 'r' && rec.pct == 100 && rec.ri == 86400 &&
	   rec.sp == MA_DMARC_P_UNSET && rec.np == MA_DMARC_P_UNSET && rec.psd == 'u' && rec.t == 'n' &&
	   rec.fo == NULL && rec.rf == NULL && rec.nrua == 0, "parse: defaults");
	ma_dmarc_record_free(&rec);

	/* rf= must never touch another tag (libopendmarc corrupts aspf on rf=iodef) */
	{
		const char *a = "v=DMARC1; p=reject; aspf=s; rf=iodef; adkim=s";
		const char *b = "v=DMARC1; p=reject; rf=iodef";
		const char *c = "v=DMARC1; rf=iodef; aspf=s; p=reject";

		rc = ma_dmarc_parse(a, strlen(a), MA_DMARC_RFC7489, &rec);
		OK(rc == 0 && rec.aspf == 's' && rec.adkim == 's' && rec.p == MA_DMARC_P_REJECT &&
		   strcmp(rec.rf, "iodef") == 0 && has_code(&rec.problems, "rf_unsupported"),
		   "rf=iodef: aspf=s and adkim=s kept");
		ma_dmarc_record_free(&rec);
		rc = ma_dmarc_parse(b, strlen(b), MA_DMARC_RFC7489, &rec);
		OK(rc == 0 && rec.aspf == 'r' && rec.adkim == 'r', "rf=iodef: defaults kept");
		ma_dmarc_record_free(&rec);
		rc = ma_dmarc_parse(c, strlen(c), MA_DMARC_RFC7489, &rec);
		OK(rc == 0 && rec.aspf == 's' && rec.p == MA_DMARC_P_REJECT, "rf=iodef first: later tags kept");
		ma_dmarc_record_free(&rec);
	}

	/* every problem code of the parser */
	OK(parse_has("v=DMARC1; p=none", MA_DMARC_RFC7489, "no_rua"), "problem: no_rua");
	OK(!parse_has("v=DMARC1; p=none; rua=mailto:a@b.example", MA_DMARC_RFC7489, "no_rua"),
	   "problem: no no_rua with rua");
	OK(parse_has("v=DMARC1; p=none", MA_DMARC_RFC7489, "p_none"), "problem: p_none");
	OK(!parse_has("v=DMARC1; p=reject", MA_DMARC_RFC7489, "p_none"), "problem: no p_none for reject");
	OK(parse_has("v=DMARC1; p=reject; foo=bar", MA_DMARC_RFC7489, "invalid_tag"),
	   "problem: invalid_tag (unknown tag)");
	OK(parse_has("v=DMARC1; p=reject; garbage", MA_DMARC_RFC7489, "invalid_tag"),
	   "problem: invalid_tag (not tag=value)");
	OK(parse_has("v=DMARC1; p=bogus", MA_DMARC_RFC7489, "invalid_value"), "problem: invalid_value p");
	OK(parse_has("v=DMARC1; p=bogus", MA_DMARC_RFC7489, "invalid_policy"), "problem: invalid_policy");
	OK(parse_has("v=DMARC1; p=none; adkim=x", MA_DMARC_RFC7489, "invalid_value"),
	   "problem: invalid_value adkim");
	OK(parse_has("v=DMARC1; p=none; pct=101", MA_DMARC_RFC7489, "invalid_value"),
	   "problem: invalid_value pct=101");
	OK(parse_has("v=DMARC1; p=none; pct=-1", MA_DMARC_RFC7489, "invalid_value"),
	   "problem: invalid_value pct=-1");
	OK(parse_has("v=DMARC1; p=none; fo=2", MA_DMARC_RFC7489, "invalid_value"), "problem: invalid_value fo");
	OK(parse_has("v=DMARC1; p=none; ri=soon", MA_DMARC_RFC7489, "invalid_value"), "problem: invalid_value ri");
	OK(parse_has("v=DMARC1; p=none; psd=x", MA_DMARC_BIS, "invalid_value"), "problem: invalid_value psd");
	OK(parse_has("v=DMARC1; p=none; pct=30", MA_DMARC_RFC7489, "pct_partial"), "problem: pct_partial");
	OK(parse_has("v=DMARC1; rua=mailto:a@b.example", MA_DMARC_RFC7489, "missing_p"), "problem: missing_p");
	OK(parse_has("v=DMARC1; p=none; rua=foo", MA_DMARC_RFC7489, "uri_invalid"), "problem: uri_invalid (no scheme)");
	OK(parse_has("v=DMARC1; p=none; rua=mailto:nobody", MA_DMARC_RFC7489, "uri_invalid"),
	   "problem: uri_invalid (mailto without @)");
	OK(parse_has("v=DMARC1; p=none; rua=mailto:a@b.example!x", MA_DMARC_RFC7489, "uri_invalid"),
	   "problem: uri_invalid (bad size)");
	OK(parse_has("v=DMARC1; p=none; ruf=", MA_DMARC_RFC7489, "uri_invalid"), "problem: uri_invalid (empty)");
	OK(!parse_has("v=DMARC1; p=none; rua=mailto:a@b.example, https://r.example/x", MA_DMARC_RFC7489,
				  "uri_invalid"), "problem: URI list with spaces is fine");
	OK(parse_has("v=DMARC1; p=none; p=reject", MA_DMARC_RFC7489, "duplicate_tag"), "problem: duplicate_tag");
	OK(parse_has("v=DMARC1; p=none; rf=iodef", MA_DMARC_RFC7489, "rf_unsupported"), "problem: rf_unsupported");

	/* duplicate: the first one applies */
	rc = ma_dmarc_parse("v=DMARC1; p=none; p=reject", 26, MA_DMARC_RFC7489, &rec);
	OK(rc == 0 && rec.p == MA_DMARC_P_NONE, "duplicate p=: the first applies");
	ma_dmarc_record_free(&rec);

	/* effective policy (RFC 7489 6.6.3, RFC 9989 missing p) */
	{
		static const struct
		{
			const char *txt;
			ma_dmarc_mode mode;
			ma_dmarc_policy want;
		}			ep[] = {
			{"v=DMARC1; p=quarantine", MA_DMARC_RFC7489, MA_DMARC_P_QUARANTINE},
			{"v=DMARC1; p=bogus", MA_DMARC_RFC7489, MA_DMARC_P_UNSET},
			{"v=DMARC1; p=bogus; rua=mailto:a@b.example", MA_DMARC_RFC7489, MA_DMARC_P_NONE},
			{"v=DMARC1; p=bogus; rua=bogus", MA_DMARC_RFC7489, MA_DMARC_P_UNSET},
			{"v=DMARC1", MA_DMARC_RFC7489, MA_DMARC_P_UNSET},
			{"v=DMARC1; rua=mailto:a@b.example", MA_DMARC_RFC7489, MA_DMARC_P_NONE},
			{"v=DMARC1", MA_DMARC_BIS, MA_DMARC_P_NONE},
			{"v=DMARC1; sp=reject", MA_DMARC_BIS, MA_DMARC_P_NONE},
			{"v=DMARC1; p=bogus", MA_DMARC_BIS, MA_DMARC_P_UNSET},
			{"v=DMARC1; p=reject; sp=bogus", MA_DMARC_RFC7489, MA_DMARC_P_UNSET},
			{"v=DMARC1; p=reject; np=bogus", MA_DMARC_RFC7489, MA_DMARC_P_REJECT},
			{"v=DMARC1; p=reject; np=bogus", MA_DMARC_BIS, MA_DMARC_P_UNSET},
		};

		for (int i = 0; i < NZ(ep); i++)
		{
			ma_dmarc_policy got = MA_DMARC_P_UNSET;

			if (ma_dmarc_parse(ep[i].txt, strlen(ep[i].txt), ep[i].mode, &rec) == 0)
				got = ma_dmarc_effective_p(&rec, ep[i].mode);
			OK(got == ep[i].want, "effective p (%s): \"%s\" -> \"%s\"", ma_dmarc_mode_name(ep[i].mode),
			   ep[i].txt, ma_dmarc_policy_name(ep[i].want));
			ma_dmarc_record_free(&rec);
		}
	}
}

/* ---------------------------------------------------------------------
 * Hostile records
 * ---------------------------------------------------------------------
 */
static void
test_hostile(void)
{
	ma_dmarc_record rec;
	char	   *big;
	size_t		n;
	int			rc;

	/* 10 KB record: a long rua list */
	big = malloc(12000);
	n = (size_t) snprintf(big, 12000, "v=DMARC1; p=reject; rua=");
	while (n < 10200)
		n += (size_t) snprintf(big + n, 12000 - n, "mailto:r%zu@example.com,", n);
	big[n - 1] = '\0';
	n--;
	rc = ma_dmarc_parse(big, n, MA_DMARC_RFC7489, &rec);
	OK(rc == 0 && rec.p == MA_DMARC_P_REJECT && rec.nrua > 300 && rec.nrua == rec.nrua_valid,
	   "hostile: 10 KB record with %d URIs", rec.nrua);
	ma_dmarc_record_free(&rec);

	/* 1,000 unknown tags: problems are capped */
	n = (size_t) snprintf(big, 12000, "v=DMARC1; p=reject");
	for (int i = 0; i < 1000 && n < 11900; i++)
		n += (size_t) snprintf(big + n, 12000 - n, ";x%d=1", i % 100);
	rc = ma_dmarc_parse(big, n, MA_DMARC_RFC7489, &rec);
	OK(rc == 0 && rec.p == MA_DMARC_P_REJECT && rec.problems.n <= MA_DMARC_MAX_PROBLEMS + 1 &&
	   has_code(&rec.problems, "too_many_problems"), "hostile: 1,000 tags, %d problems", rec.problems.n);
	ma_dmarc_record_free(&rec);

	/* 1,000 p= tags */
	n = (size_t) snprintf(big, 12000, "v=DMARC1");
	for (int i = 0; i < 1000 && n < 11900; i++)
		n += (size_t) snprintf(big + n, 12000 - n, ";p=%s", i ? "reject" : "none");
	rc = ma_dmarc_parse(big, n, MA_DMARC_RFC7489, &rec);
	OK(rc == 0 && rec.p == MA_DMARC_P_NONE, "hostile: 1,000 p= tags, the first applies");
	ma_dmarc_record_free(&rec);

	/* NUL bytes */
	{
		static const char nul1[] = "v=DMARC1; p=re\0ject; rua=mailto:a@b.example";
		static const char nul2[] = "v=DMARC1; p=reject\0; aspf=s";
		static const char nul3[] = "v=DMARC1\0; p=reject";

		rc = ma_dmarc_parse(nul1, sizeof(nul1) - 1, MA_DMARC_RFC7489, &rec);
		OK(rc == 0 && rec.p == MA_DMARC_P_UNSET && has_code(&rec.problems, "invalid_value") &&
		   rec.nrua == 1, "hostile: NUL inside p= is invalid, the rest parsed");
		ma_dmarc_record_free(&rec);
		rc = ma_dmarc_parse(nul2, sizeof(nul2) - 1, MA_DMARC_RFC7489, &rec);
		OK(rc == 0 && rec.aspf == 's' && rec.p == MA_DMARC_P_UNSET, "hostile: NUL after a value");
		ma_dmarc_record_free(&rec);
		rc = ma_dmarc_parse(nul3, sizeof(nul3) - 1, MA_DMARC_RFC7489, &rec);
		OK(rc == -1, "hostile: NUL right after the version: not a record");
		ma_dmarc_record_free(&rec);
	}

	/* odd separators and bytes */
	{
		static const char *const odd[] = {
			"v=DMARC1;;;;;", "v=DMARC1; =; ==; p==reject", "v=DMARC1; p", "v=DMARC1;\xff\xfe=\x01",
			"v=DMARC1; rua=,,,,", "v=DMARC1; rua=!!!", "v=DMARC1; rua=mailto:@", "v=DMARC1; pct=99999999999",
			"v=DMARC1; ri=999999999999999999999999999999", "v=DMARC1; fo=", "v=DMARC1 ; p = reject ; ",
		};

		for (int i = 0; i < NZ(odd); i++)
		{
			rc = ma_dmarc_parse(odd[i], strlen(odd[i]), MA_DMARC_BIS, &rec);
			OK(rc == 0, "hostile: odd record %d parses without harm", i);
			ma_dmarc_record_free(&rec);
		}
		rc = ma_dmarc_parse(odd[10], strlen(odd[10]), MA_DMARC_RFC7489, &rec);
		OK(rec.p == MA_DMARC_P_REJECT, "spaces around = and ;");
		ma_dmarc_record_free(&rec);
	}

	/* a 10 KB record through discovery */
	{
		zrec		zone[] = {{"_dmarc.big.example", MA_T_TXT, big, 0}};
		lrun		lr;

		n = (size_t) snprintf(big, 12000, "v=DMARC1; p=reject");
		for (int i = 0; n < 10240; i++)
			n += (size_t) snprintf(big + n, 12000 - n, "; t%d=x", i);
		lookup_full(zone, NZ(zone), "big.example", MA_DMARC_RFC7489, &lr);
		OK(strcmp(lr.info.status, "ok") == 0 && lr.info.record && strlen(lr.info.record) == n &&
		   lr.info.problems.n <= MA_DMARC_MAX_PROBLEMS + 1, "hostile: 10 KB record looked up");
		ma_dmarc_info_free(&lr.info);
	}
	free(big);

	/* NUL bytes through discovery: shown as '?' */
	{
		static const char nul[] = "v=DMARC1; p=reject; x=\0\0";
		zrec		zone[] = {{"_dmarc.nul.example", MA_T_TXT, nul, sizeof(nul) - 1}};
		lrun		lr;

		lookup_full(zone, NZ(zone), "nul.example", MA_DMARC_RFC7489, &lr);
		OK(lr.info.record && strcmp(lr.info.record, "v=DMARC1; p=reject; x=??") == 0,
		   "hostile: NUL bytes shown as '?'");
		ma_dmarc_info_free(&lr.info);
	}
}

/* ---------------------------------------------------------------------
 * PSL and alignment
 * ---------------------------------------------------------------------
 */
static void
test_psl(void)
{
	static const struct
	{
		const char *in;
		const char *org;
	}			cases[] = {
		{"example.com", "example.com"},
		{"a.b.example.com", "example.com"},
		{"EXAMPLE.COM.", "example.com"},
		{"Mail.Example.Co.UK", "example.co.uk"},
		{"co.uk", "co.uk"},
		{"uk", "uk"},
		{"shop.example.co.uk", "example.co.uk"},
		{"foo.ck", "foo.ck"},	/* *.ck: foo.ck is a public suffix */
		{"a.foo.ck", "a.foo.ck"},
		{"b.a.foo.ck", "a.foo.ck"},
		{"www.ck", "www.ck"},	/* !www.ck: an exception */
		{"a.www.ck", "www.ck"},
		{"x.unknowntld-example", "x.unknowntld-example"},
		{"y.x.unknowntld-example", "x.unknowntld-example"},
	};
	char		out[MA_DNS_MAXNAME + 1];

	for (int i = 0; i < NZ(cases); i++)
	{
		bool		ok = ma_dmarc_org_domain_psl(cases[i].in, out);

		OK(ok && strcmp(out, cases[i].org) == 0, "psl: %s -> %s (got %s)", cases[i].in,
		   cases[i].org, out);
	}
	OK(!ma_dmarc_org_domain_psl("", out), "psl: empty name rejected");
	OK(!ma_dmarc_org_domain_psl("a..example.com", out), "psl: empty label rejected");
	OK(!ma_dmarc_org_domain_psl(".", out), "psl: the root rejected");
	OK(!ma_dmarc_org_domain_psl(NULL, out), "psl: NULL rejected");
}

static void
test_alignment(void)
{
	static const struct
	{
		const char *from;
		const char *id;
		bool		strict;
		bool		relaxed;
	}			t[] = {
		{"example.com", "example.com", true, true},
		{"Example.COM", "example.com.", true, true},
		{"x.example.com", "y.example.com", false, true},	/* libopendmarc: strict */
		{"example.com", "mail.example.com", false, true},
		{"mail.example.com", "example.com", false, true},
		{"example.co.uk", "co.uk", false, false},	/* libopendmarc: aligned */
		{"co.uk", "example.co.uk", false, false},
		{"example.co.uk", "other.co.uk", false, false},
		{"shop.example.co.uk", "example.co.uk", false, true},
		{"example.com", "example.net", false, false},
		{"example.com", "com", false, false},
		{"a.foo.ck", "b.foo.ck", false, false},
		{"a.www.ck", "www.ck", false, true},
		{"example.com", "", false, false},
		{"example.com", "bad..name", false, false},
	};

	for (int i = 0; i < NZ(t); i++)
	{
		OK(ma_dmarc_aligned_psl(t[i].from, t[i].id, true) == t[i].strict,
		   "strict alignment %s / %s: %s", t[i].from, t[i].id, t[i].strict ? "yes" : "no");
		OK(ma_dmarc_aligned_psl(t[i].from, t[i].id, false) == t[i].relaxed,
		   "relaxed alignment %s / %s: %s", t[i].from, t[i].id, t[i].relaxed ? "yes" : "no");
	}
}

/* ---------------------------------------------------------------------
 * Discovery and evaluation on fake zones
 * ---------------------------------------------------------------------
 */
static const zrec zone_main[] = {
	{"_dmarc.example.com", MA_T_TXT, "v=DMARC1; p=reject; sp=quarantine; rua=mailto:r@example.com"},
	{"_dmarc.example.com", MA_T_TXT, "some other text"},
	{"_dmarc.none.example.com", MA_T_TXT, "v=DMARC1; p=none; rua=mailto:r@example.com"},
	{"_dmarc.strict.example.com", MA_T_TXT, "v=DMARC1; p=reject; adkim=s; aspf=s"},
	{"_dmarc.two.example.com", MA_T_TXT, "v=DMARC1; p=reject"},
	{"_dmarc.two.example.com", MA_T_TXT, "v=DMARC1; p=none"},
	{"_dmarc.v2.example.com", MA_T_TXT, "v=DMARC2; p=none"},
	{"_dmarc.pct.example.com", MA_T_TXT, "v=DMARC1; p=reject; pct=50"},
	{"_dmarc.pct0.example.com", MA_T_TXT, "v=DMARC1; p=quarantine; pct=0"},
	{"_dmarc.testing.example.com", MA_T_TXT, "v=DMARC1; p=reject; t=y"},
	{"_dmarc.badp.example.com", MA_T_TXT, "v=DMARC1; p=bogus"},
	{"_dmarc.nop.example.com", MA_T_TXT, "v=DMARC1; sp=reject"},
	{"_dmarc.slow.example.com", TIMEOUT_T, ""},
	{"wrong.example.org", MA_T_TXT, "v=DMARC1; p=reject"},
	{"_dmarc.example.net", MA_T_TXT, "v=DMARC1; p=quarantine; sp=none; np=reject"},
	{"exists.example.net", MA_T_A, "192.0.2.1"},
	{"mx.example.net", MA_T_MX, "mail.example.net", 0, 10},
	{"_dmarc.co.uk", MA_T_TXT, "v=DMARC1; p=none; psd=y"},
	{"_dmarc.example.co.uk", MA_T_TXT, "v=DMARC1; p=reject; sp=quarantine"},
	{"_dmarc.d.e.f.example.co.uk", MA_T_TXT, "v=DMARC1; p=none"},
	{"_dmarc.psdn.example", MA_T_TXT, "v=DMARC1; p=reject; psd=n"},
	{"_dmarc.example", MA_T_TXT, "v=DMARC1; p=none; psd=y"},
};

static void
test_discovery(void)
{
	lrun		lr;
	vrun		vr;

	/* RFC 7489: the domain itself, then its organizational domain */
	lookup_full(zone_main, NZ(zone_main), "none.example.com", MA_DMARC_RFC7489, &lr);
	OK(strcmp(lr.info.status, "ok") == 0 && strcmp(lr.info.record_domain, "none.example.com") == 0 &&
	   strcmp(lr.info.org_domain, "example.com") == 0 && lr.info.rec.p == MA_DMARC_P_NONE &&
	   has_code(&lr.info.problems, "p_none") && lr.waves == 1,
	   "rfc7489 lookup: record at the domain, one wave");
	ma_dmarc_info_free(&lr.info);

	lookup_full(zone_main, NZ(zone_main), "Sub.Example.COM.", MA_DMARC_RFC7489, &lr);
	OK(strcmp(lr.info.status, "ok") == 0 && strcmp(lr.info.domain, "sub.example.com") == 0 &&
	   strcmp(lr.info.record_domain, "example.com") == 0 && has_code(&lr.info.problems, "inherited_policy"),
	   "rfc7489 lookup: falls back to the organizational domain");
	OK(lr.info.record && strcmp(lr.info.record, zone_main[0].data) == 0,
	   "rfc7489 lookup: other TXT records ignored");
	ma_dmarc_info_free(&lr.info);

	lookup_full(zone_main, NZ(zone_main), "two.example.com", MA_DMARC_RFC7489, &lr);
	OK(strcmp(lr.info.status, "invalid") == 0 && has_code(&lr.info.problems, "multiple_records") &&
	   lr.info.record == NULL, "rfc7489 lookup: multiple_records stops discovery");
	ma_dmarc_info_free(&lr.info);

	lookup_full(zone_main, NZ(zone_main), "v2.example.com", MA_DMARC_RFC7489, &lr);
	OK(strcmp(lr.info.record_domain, "example.com") == 0, "rfc7489 lookup: v=DMARC2 discarded");
	ma_dmarc_info_free(&lr.info);

	lookup_full(zone_main, NZ(zone_main), "wrong.example.org", MA_DMARC_RFC7489, &lr);
	OK(strcmp(lr.info.status, "none") == 0 && has_code(&lr.info.problems, "record_at_wrong_place") &&
	   has_code(&lr.info.problems, "no_record"), "lookup: record_at_wrong_place, no_record");
	ma_dmarc_info_free(&lr.info);

	lookup_full(zone_main, NZ(zone_main), "slow.example.com", MA_DMARC_RFC7489, &lr);
	OK(strcmp(lr.info.status, "temperror") == 0 && has_code(&lr.info.problems, "dns_error"),
	   "lookup: DNS timeout is temperror");
	ma_dmarc_info_free(&lr.info);

	lookup_full(zone_main, NZ(zone_main), "bad..name", MA_DMARC_RFC7489, &lr);
	OK(strcmp(lr.info.status, "permerror") == 0 && has_code(&lr.info.problems, "invalid_domain"),
	   "lookup: invalid_domain");
	ma_dmarc_info_free(&lr.info);

	lookup_full(zone_main, NZ(zone_main), "badp.example.com", MA_DMARC_RFC7489, &lr);
	OK(strcmp(lr.info.status, "invalid") == 0 && has_code(&lr.info.problems, "invalid_value"),
	   "lookup: p=bogus without rua is invalid");
	ma_dmarc_info_free(&lr.info);

	lookup_full(zone_main, NZ(zone_main), "_dmarc.none.example.com", MA_DMARC_RFC7489, &lr);
	OK(strcmp(lr.info.domain, "none.example.com") == 0 && strcmp(lr.info.status, "ok") == 0 &&
	   has_code(&lr.info.problems, "dmarc_prefix_given"), "lookup: a _dmarc. prefix is stripped");
	ma_dmarc_info_free(&lr.info);

	/* RFC 7489 never walks: the intermediate record is not found */
	lookup_full(zone_main, NZ(zone_main), "a.b.c.d.e.f.example.co.uk", MA_DMARC_RFC7489, &lr);
	OK(strcmp(lr.info.record_domain, "example.co.uk") == 0 && strcmp(lr.info.org_domain, "example.co.uk") == 0,
	   "rfc7489 lookup: deep name uses the organizational domain");
	ma_dmarc_info_free(&lr.info);

	/* RFC 9989 tree walk: finds the intermediate record, one wave */
	lookup_full(zone_main, NZ(zone_main), "a.b.c.d.e.f.example.co.uk", MA_DMARC_BIS, &lr);
	OK(strcmp(lr.info.record_domain, "d.e.f.example.co.uk") == 0, "dmarcbis lookup: intermediate record");
	OK(strcmp(lr.info.org_domain, "example.co.uk") == 0, "dmarcbis lookup: org domain from psd=y at co.uk");
	OK(lr.waves == 1, "dmarcbis lookup: one wave (got %d)", lr.waves);
	ma_dmarc_info_free(&lr.info);

	/* the walk shortcut: 11 labels -> the name, then 7, 6, ... 1 labels */
	lookup_full(zone_main, NZ(zone_main), "k.j.i.h.g.f.e.d.c.b.example", MA_DMARC_BIS, &lr);
	OK(strstr(lr.asked, " _dmarc.k.j.i.h.g.f.e.d.c.b.example/16") != NULL &&
	   strstr(lr.asked, " _dmarc.j.i.h") == NULL && strstr(lr.asked, " _dmarc.i.h") == NULL &&
	   strstr(lr.asked, " _dmarc.h.g.f") == NULL && strstr(lr.asked, " _dmarc.g.f.e.d.c.b.example/16") &&
	   strstr(lr.asked, " _dmarc.example/16"), "dmarcbis walk: long names skip to 7 labels");
	{
		int			nd = 0;

		for (const char *p = lr.asked; (p = strstr(p, " _dmarc.")) != NULL; p++)
			nd++;
		OK(nd == 8, "dmarcbis walk: 8 queries at most (got %d)", nd);
	}
	OK(strcmp(lr.info.record_domain, "example") == 0 &&
	   strcmp(lr.info.org_domain, "b.example") == 0, "dmarcbis walk: PSD record at the top, org below it");
	ma_dmarc_info_free(&lr.info);

	/* psd=n: the org domain is where it stands */
	lookup_full(zone_main, NZ(zone_main), "x.y.psdn.example", MA_DMARC_BIS, &lr);
	OK(strcmp(lr.info.org_domain, "psdn.example") == 0 && strcmp(lr.info.record_domain, "psdn.example") == 0,
	   "dmarcbis: psd=n makes the organizational domain");
	ma_dmarc_info_free(&lr.info);

	/* two records end discovery in both modes (as the project's corpus reads RFC 9989) */
	lookup_full(zone_main, NZ(zone_main), "two.example.com", MA_DMARC_BIS, &lr);
	OK(lr.info.record_domain[0] == '\0' && strcmp(lr.info.status, "invalid") == 0 &&
	   has_code(&lr.info.problems, "multiple_records"),
	   "dmarcbis lookup: multiple records end the walk, no policy");
	ma_dmarc_info_free(&lr.info);

	/* DMARCbis: a missing p= is p=none */
	lookup_full(zone_main, NZ(zone_main), "nop.example.com", MA_DMARC_BIS, &lr);
	OK(strcmp(lr.info.status, "ok") == 0 && has_code(&lr.info.problems, "missing_p"),
	   "dmarcbis lookup: missing p is ok (warning)");
	ma_dmarc_info_free(&lr.info);
	lookup_full(zone_main, NZ(zone_main), "nop.example.com", MA_DMARC_RFC7489, &lr);
	OK(strcmp(lr.info.status, "invalid") == 0 && has_code(&lr.info.problems, "missing_p"),
	   "rfc7489 lookup: missing p without rua is invalid");
	ma_dmarc_info_free(&lr.info);

	/* evaluations: discovery outcomes */
	verify(zone_main, NZ(zone_main), MA_DMARC_RFC7489, "two.example.com", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.result == MA_DMARC_NONE && vr.out.policy_domain[0] == '\0', "verify rfc7489: two records -> none");
	ma_dmarc_outcome_free(&vr.out);
	verify(zone_main, NZ(zone_main), MA_DMARC_BIS, "two.example.com", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.result == MA_DMARC_NONE && vr.out.policy_domain[0] == '\0',
	   "verify dmarcbis: two records -> none");
	ma_dmarc_outcome_free(&vr.out);
	verify(zone_main, NZ(zone_main), MA_DMARC_RFC7489, "nothing.example.org", "example.org:pass", NULL,
		   MA_SPF_NONE, &vr);
	OK(vr.out.result == MA_DMARC_NONE && !vr.out.dkim_aligned, "verify: no record -> none");
	ma_dmarc_outcome_free(&vr.out);
	verify(zone_main, NZ(zone_main), MA_DMARC_RFC7489, "slow.example.com", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.result == MA_DMARC_TEMPERROR, "verify: DNS timeout -> temperror");
	ma_dmarc_outcome_free(&vr.out);
	verify(zone_main, NZ(zone_main), MA_DMARC_RFC7489, "badp.example.com", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.result == MA_DMARC_NONE, "verify: p=bogus without rua -> none");
	ma_dmarc_outcome_free(&vr.out);
	verify(zone_main, NZ(zone_main), MA_DMARC_RFC7489, "bad..name", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.result == MA_DMARC_PERMERROR, "verify: invalid From domain -> permerror");
	ma_dmarc_outcome_free(&vr.out);
}

static void
test_verify(void)
{
	vrun		vr;

	/* alignment through the evaluator, both modes */
	for (int m = 0; m < 2; m++)
	{
		ma_dmarc_mode mode = (ma_dmarc_mode) m;
		const char *mn = ma_dmarc_mode_name(mode);

		verify(zone_main, NZ(zone_main), mode, "example.com", "mail.example.com:pass", NULL, MA_SPF_NONE, &vr);
		OK(vr.out.result == MA_DMARC_PASS && vr.out.dkim_aligned && vr.out.dkim[0].aligned &&
		   vr.out.disposition == MA_DMARC_P_NONE && vr.out.policy == MA_DMARC_P_REJECT,
		   "verify %s: relaxed DKIM subdomain passes", mn);
		ma_dmarc_outcome_free(&vr.out);

		verify(zone_main, NZ(zone_main), mode, "x.example.com", NULL, "y.example.com", MA_SPF_PASS, &vr);
		OK(vr.out.result == MA_DMARC_PASS && vr.out.spf_aligned && strcmp(vr.out.policy_tag, "sp") == 0 &&
		   vr.out.policy == MA_DMARC_P_QUARANTINE, "verify %s: relaxed SPF sibling passes, sp applies", mn);
		ma_dmarc_outcome_free(&vr.out);

		verify(zone_main, NZ(zone_main), mode, "strict.example.com", "example.com:pass,x.strict.example.com:pass",
			   "bounce.strict.example.com", MA_SPF_PASS, &vr);
		OK(vr.out.result == MA_DMARC_FAIL && !vr.out.spf_aligned && !vr.out.dkim_aligned &&
		   vr.out.disposition == MA_DMARC_P_REJECT, "verify %s: strict rejects parent and child", mn);
		ma_dmarc_outcome_free(&vr.out);

		verify(zone_main, NZ(zone_main), mode, "STRICT.example.com.", "Strict.Example.Com:pass", NULL,
			   MA_SPF_NONE, &vr);
		OK(vr.out.result == MA_DMARC_PASS && vr.out.dkim_aligned, "verify %s: strict is case-insensitive", mn);
		ma_dmarc_outcome_free(&vr.out);

		verify(zone_main, NZ(zone_main), mode, "example.co.uk", "co.uk:pass,other.co.uk:pass", "other.co.uk",
			   MA_SPF_PASS, &vr);
		OK(vr.out.result == MA_DMARC_FAIL && !vr.out.dkim_aligned && !vr.out.spf_aligned,
		   "verify %s: d=co.uk and other.co.uk are not aligned", mn);
		ma_dmarc_outcome_free(&vr.out);

		verify(zone_main, NZ(zone_main), mode, "shop.example.co.uk", "example.co.uk:pass", NULL, MA_SPF_NONE, &vr);
		OK(vr.out.result == MA_DMARC_PASS && strcmp(vr.out.policy_domain, "example.co.uk") == 0 &&
		   vr.out.policy == MA_DMARC_P_QUARANTINE, "verify %s: shop.example.co.uk aligned with example.co.uk", mn);
		ma_dmarc_outcome_free(&vr.out);

		verify(zone_main, NZ(zone_main), mode, "example.com", "example.com:fail,example.net:pass",
			   "example.com", MA_SPF_SOFTFAIL, &vr);
		OK(vr.out.result == MA_DMARC_FAIL && !vr.out.dkim_aligned && !vr.out.spf_aligned &&
		   vr.out.ndkim == 2 && !vr.out.dkim[0].aligned, "verify %s: only passing identifiers align", mn);
		ma_dmarc_outcome_free(&vr.out);

		verify(zone_main, NZ(zone_main), mode, "none.example.com", NULL, "other.example", MA_SPF_PASS, &vr);
		OK(vr.out.result == MA_DMARC_FAIL && vr.out.policy == MA_DMARC_P_NONE &&
		   vr.out.disposition == MA_DMARC_P_NONE, "verify %s: p=none fails with disposition none", mn);
		ma_dmarc_outcome_free(&vr.out);
	}

	/* RFC 9989 relaxed alignment without records: the names are their own org domains */
	{
		static const zrec empty[] = {{"x.example.org", MA_T_A, "192.0.2.1"},
		{"_dmarc.x.example.org", MA_T_TXT, "v=DMARC1; p=reject"}};

		verify(empty, NZ(empty), MA_DMARC_RFC7489, "x.example.org", "example.org:pass", NULL, MA_SPF_NONE, &vr);
		OK(vr.out.result == MA_DMARC_PASS, "verify rfc7489: PSL aligns x.example.org with example.org");
		ma_dmarc_outcome_free(&vr.out);
		verify(empty, NZ(empty), MA_DMARC_BIS, "x.example.org", "example.org:pass", NULL, MA_SPF_NONE, &vr);
		OK(vr.out.result == MA_DMARC_FAIL && strcmp(vr.out.org_domain, "x.example.org") == 0 &&
		   !vr.out.dkim_aligned, "verify dmarcbis: the walk, not the PSL: example.org not aligned");
		ma_dmarc_outcome_free(&vr.out);
	}

	/* RFC 9989: a DNS failure in the From domain's walk */
	{
		static const zrec brk[] = {{"_dmarc.x.broken.example", MA_T_TXT, "v=DMARC1; p=reject"},
		{"_dmarc.example", TIMEOUT_T, ""}};

		verify(brk, NZ(brk), MA_DMARC_BIS, "x.broken.example", "broken.example:pass", NULL, MA_SPF_NONE, &vr);
		OK(vr.out.result == MA_DMARC_TEMPERROR && vr.out.org_domain[0] == '\0',
		   "dmarcbis: walk failure with a relaxed identifier is temperror");
		ma_dmarc_outcome_free(&vr.out);
		verify(brk, NZ(brk), MA_DMARC_BIS, "x.broken.example", "x.broken.example:pass", NULL, MA_SPF_NONE, &vr);
		OK(vr.out.result == MA_DMARC_PASS, "dmarcbis: walk failure, exact identifier still passes");
		ma_dmarc_outcome_free(&vr.out);
		verify(brk, NZ(brk), MA_DMARC_RFC7489, "x.broken.example", "broken.example:pass", NULL, MA_SPF_NONE, &vr);
		OK(vr.out.result == MA_DMARC_PASS, "rfc7489: no walk, PSL alignment passes");
		ma_dmarc_outcome_free(&vr.out);
	}

	/* pct (RFC 7489 only), deterministic */
	{
		ma_dmarc_request req;
		const char *froms[] = {"pct.example.com"};

		memset(&req, 0, sizeof(req));
		req.from_domains = froms;
		req.nfrom = 1;
		req.sample = 10;
		verify_full(zone_main, NZ(zone_main), &req, &vr);
		OK(vr.out.result == MA_DMARC_FAIL && vr.out.disposition == MA_DMARC_P_REJECT && !vr.out.sampled_out &&
		   vr.out.pct == 50, "pct=50, sample 10: in the sample, reject");
		ma_dmarc_outcome_free(&vr.out);
		req.sample = 50;
		verify_full(zone_main, NZ(zone_main), &req, &vr);
		OK(vr.out.disposition == MA_DMARC_P_QUARANTINE && vr.out.sampled_out &&
		   vr.out.policy == MA_DMARC_P_REJECT, "pct=50, sample 50: sampled out, quarantine");
		ma_dmarc_outcome_free(&vr.out);
		req.sample = -1;
		req.sample_key = "<msg-1@example.com>";
		{
			ma_dmarc_policy first;

			verify_full(zone_main, NZ(zone_main), &req, &vr);
			first = vr.out.disposition;
			ma_dmarc_outcome_free(&vr.out);
			verify_full(zone_main, NZ(zone_main), &req, &vr);
			OK(vr.out.disposition == first && (first == MA_DMARC_P_REJECT || first == MA_DMARC_P_QUARANTINE),
			   "pct: a hashed key samples deterministically");
			ma_dmarc_outcome_free(&vr.out);
		}
		froms[0] = "pct0.example.com";
		req.sample = 0;
		verify_full(zone_main, NZ(zone_main), &req, &vr);
		OK(vr.out.disposition == MA_DMARC_P_NONE && vr.out.policy == MA_DMARC_P_QUARANTINE,
		   "pct=0 quarantine: none");
		ma_dmarc_outcome_free(&vr.out);
		req.mode = MA_DMARC_BIS;
		verify_full(zone_main, NZ(zone_main), &req, &vr);
		OK(vr.out.disposition == MA_DMARC_P_QUARANTINE && !vr.out.sampled_out, "dmarcbis: pct is ignored");
		ma_dmarc_outcome_free(&vr.out);
	}

	/* t=y (RFC 9989 only) */
	verify(zone_main, NZ(zone_main), MA_DMARC_BIS, "testing.example.com", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.policy == MA_DMARC_P_QUARANTINE && vr.out.disposition == MA_DMARC_P_QUARANTINE,
	   "dmarcbis: t=y lowers reject to quarantine");
	ma_dmarc_outcome_free(&vr.out);
	verify(zone_main, NZ(zone_main), MA_DMARC_RFC7489, "testing.example.com", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.policy == MA_DMARC_P_REJECT && vr.out.disposition == MA_DMARC_P_REJECT, "rfc7489: t=y ignored");
	ma_dmarc_outcome_free(&vr.out);

	/* sp= and np= */
	verify(zone_main, NZ(zone_main), MA_DMARC_BIS, "nx.example.net", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.policy == MA_DMARC_P_REJECT && strcmp(vr.out.policy_tag, "np") == 0 && !vr.out.from_exists &&
	   strstr(vr.asked, " nx.example.net/1") && strstr(vr.asked, " nx.example.net/28") &&
	   strstr(vr.asked, " nx.example.net/15"), "dmarcbis: np=reject for a non-existent subdomain");
	ma_dmarc_outcome_free(&vr.out);
	verify(zone_main, NZ(zone_main), MA_DMARC_BIS, "exists.example.net", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.policy == MA_DMARC_P_NONE && strcmp(vr.out.policy_tag, "sp") == 0 && vr.out.from_exists,
	   "dmarcbis: an existing subdomain gets sp=");
	ma_dmarc_outcome_free(&vr.out);
	verify(zone_main, NZ(zone_main), MA_DMARC_BIS, "mx.example.net", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.policy == MA_DMARC_P_NONE && vr.out.from_exists, "dmarcbis: an MX makes a domain exist");
	ma_dmarc_outcome_free(&vr.out);
	verify(zone_main, NZ(zone_main), MA_DMARC_RFC7489, "nx.example.net", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.policy == MA_DMARC_P_NONE && strcmp(vr.out.policy_tag, "sp") == 0 &&
	   strstr(vr.asked, "/28") == NULL, "rfc7489: np ignored, no existence lookups");
	ma_dmarc_outcome_free(&vr.out);
	verify(zone_main, NZ(zone_main), MA_DMARC_BIS, "example.net", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.policy == MA_DMARC_P_QUARANTINE && strcmp(vr.out.policy_tag, "p") == 0,
	   "p applies at the record's own domain");
	ma_dmarc_outcome_free(&vr.out);

	/* RFC 9989 PSD policy: a record with psd=y found by the walk */
	verify(zone_main, NZ(zone_main), MA_DMARC_BIS, "shop.unknown.co.uk", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.result == MA_DMARC_FAIL && strcmp(vr.out.policy_domain, "co.uk") == 0 &&
	   strcmp(vr.out.org_domain, "unknown.co.uk") == 0, "dmarcbis: PSD policy at co.uk, org below it");
	ma_dmarc_outcome_free(&vr.out);
	verify(zone_main, NZ(zone_main), MA_DMARC_RFC7489, "shop.unknown.co.uk", NULL, NULL, MA_SPF_NONE, &vr);
	OK(vr.out.result == MA_DMARC_NONE, "rfc7489: no PSD policy");
	ma_dmarc_outcome_free(&vr.out);

	/* DMARCbis relaxed alignment through the tree walks, several DKIM at once */
	verify(zone_main, NZ(zone_main), MA_DMARC_BIS, "a.b.c.d.e.f.example.co.uk",
		   "x.example.net:pass,example.co.uk:pass,zz.co.uk:pass", NULL, MA_SPF_NONE, &vr);
	OK(vr.out.result == MA_DMARC_PASS && !vr.out.dkim[0].aligned && vr.out.dkim[1].aligned &&
	   !vr.out.dkim[2].aligned && strcmp(vr.out.policy_domain, "d.e.f.example.co.uk") == 0 &&
	   vr.waves <= 4, "dmarcbis: deep From aligned with example.co.uk (%d waves)", vr.waves);
	ma_dmarc_outcome_free(&vr.out);

	/* several From domains: the strictest outcome */
	{
		ma_dmarc_request req;
		const char *froms[] = {"none.example.com", "strict.example.com", "NONE.example.com."};
		ma_dmarc_dkim sig = {"none.example.com", MA_DMARC_AUTH_PASS};

		memset(&req, 0, sizeof(req));
		req.from_domains = froms;
		req.nfrom = 3;
		req.dkim = &sig;
		req.ndkim = 1;
		verify_full(zone_main, NZ(zone_main), &req, &vr);
		OK(vr.out.result == MA_DMARC_FAIL && strcmp(vr.out.from_domain, "strict.example.com") == 0 &&
		   vr.out.disposition == MA_DMARC_P_REJECT, "several From: the strictest outcome");
		ma_dmarc_outcome_free(&vr.out);
		req.nfrom = 0;
		verify_full(zone_main, NZ(zone_main), &req, &vr);
		OK(vr.out.result == MA_DMARC_PERMERROR, "no From domain: permerror");
		ma_dmarc_outcome_free(&vr.out);
	}
	{
		ma_dmarc_request req;
		const char *froms[12];
		char		names[12][32];

		memset(&req, 0, sizeof(req));
		for (int i = 0; i < 12; i++)
		{
			snprintf(names[i], sizeof(names[i]), "d%d.example.com", i);
			froms[i] = names[i];
		}
		req.from_domains = froms;
		req.nfrom = 12;
		verify_full(zone_main, NZ(zone_main), &req, &vr);
		OK(vr.out.result == MA_DMARC_PERMERROR, "12 different From domains: permerror");
		ma_dmarc_outcome_free(&vr.out);
	}
	{
		ma_dmarc_request req;
		const char *froms[] = {"example.com"};
		ma_dmarc_dkim sigs[100];
		char		names[100][32];

		memset(&req, 0, sizeof(req));
		for (int i = 0; i < 100; i++)
		{
			snprintf(names[i], sizeof(names[i]), "s%d.example.net", i);
			sigs[i].domain = names[i];
			sigs[i].result = MA_DMARC_AUTH_PASS;
		}
		sigs[99].domain = "example.com";
		req.from_domains = froms;
		req.nfrom = 1;
		req.dkim = sigs;
		req.ndkim = 100;
		verify_full(zone_main, NZ(zone_main), &req, &vr);
		OK(vr.out.ndkim == MA_DMARC_MAX_DKIM && vr.out.result == MA_DMARC_FAIL,
		   "100 DKIM results: capped at %d", MA_DMARC_MAX_DKIM);
		ma_dmarc_outcome_free(&vr.out);
		req.mode = MA_DMARC_BIS;
		verify_full(zone_main, NZ(zone_main), &req, &vr);
		OK(vr.out.ndkim == MA_DMARC_MAX_DKIM && vr.out.result == MA_DMARC_FAIL && vr.waves <= 3,
		   "100 DKIM results (dmarcbis): capped, walks in parallel (%d waves)", vr.waves);
		ma_dmarc_outcome_free(&vr.out);
	}
}

int
main(void)
{
	test_parse();
	test_hostile();
	test_psl();
	test_alignment();
	test_discovery();
	test_verify();
	ma_dmarc_psl_release();
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}
