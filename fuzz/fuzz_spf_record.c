/*-------------------------------------------------------------------------
 *
 * fuzz_spf_record.c
 *	  libFuzzer target: SPF record parsing, macro syntax and expansion
 *	  (ma_spf.c), the linter (ma_spflint.c) and the Received-SPF writer.
 *
 * Input: up to four TXT records separated by lines ";;" ("\n;;\n").  The
 * first is parsed, checked as a macro-string, expanded (as a domain-spec
 * and as explanation text, with IPv4 and IPv6 requests), and every value
 * of its terms is expanded as check_host() would.  The linter then runs on
 * fuzz.test, whose TXT records are the first record (and, for the others,
 * one.fuzz.test, two.fuzz.test, three.fuzz.test); every other name under
 * .test answers from a small fixed zone.
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_spf.h"
#include "core/ma_spflint.h"
#include "fuzz_common.h"

static const char builtin_text[] =
	"$ORIGIN test.\n"
	"*              TXT   \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
	"*              A     192.0.2.10\n"
	"*              MX    10 mx.example.test.\n"
	"mx.example     A     192.0.2.11\n"
	"void           TXT   !nxdomain\n"
	"fail           ANY   !servfail\n"
	"slow           ANY   !timeout\n"
	"two            TXT   \"v=spf1 -all\"\n"
	"two            TXT   \"v=spf1 +all\"\n"
	"nospf          TXT   \"hello\"\n";

static const char *const OWNERS[] = {"fuzz.test", "one.fuzz.test", "two.fuzz.test",
"three.fuzz.test"};

static fz_zone builtin;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	fz_zone_init(&builtin, "");
	fz_zone_parse(&builtin, builtin_text, strlen(builtin_text), NULL, NULL);
	return 0;
}

static void
check_expansion(int rc, const char *out, size_t outlen, bool exp)
{
	if (rc < 0)
		return;
	FZ_CHECK(strlen(out) == (size_t) rc, "expand: rc %d, strlen %zu", rc, strlen(out));
	FZ_CHECK((size_t) rc < outlen, "expand: rc %d past the buffer", rc);
	/* labels are removed from the left to fit 253 octets, while there are two */
	if (!exp && rc > MA_DNS_MAXNAME)
		FZ_CHECK(strchr(out, '.') == NULL, "domain expansion of %d octets", rc);
}

static void
expansions(const char *s, size_t len)
{
	ma_spf_request req4 = {0},
				req6 = {0};
	char		out[2048];
	char		small[16];
	char		err[256];
	int			rc;

	req4.family = AF_INET;
	memcpy(req4.ip, "\xc0\x00\x02\x03", 4);
	req4.sender = "strong-bad@email.example.com";
	req4.helo = "mx.example.org";
	req4.receiver = "mx.example.net";
	req4.now = 1795361185;
	req6 = req4;
	req6.family = AF_INET6;
	memcpy(req6.ip, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xcb", 16);
	req6.sender = "";			/* postmaster@helo */

	(void) ma_spf_check_macro_string(s, len, false, false);
	(void) ma_spf_check_macro_string(s, len, false, true);
	(void) ma_spf_check_macro_string(s, len, true, false);
	rc = ma_spf_expand(&req4, "email.example.com", NULL, s, len, 0, out, sizeof(out),
					   err, sizeof(err));
	check_expansion(rc, out, sizeof(out), false);
	rc = ma_spf_expand(&req4, "email.example.com", "mx.example.org", s, len,
					   MA_SPF_EXPAND_EXP, out, sizeof(out), err, sizeof(err));
	check_expansion(rc, out, sizeof(out), true);
	rc = ma_spf_expand(&req6, NULL, "mx.example.org", s, len, 0, small, sizeof(small),
					   err, sizeof(err));
	check_expansion(rc, small, sizeof(small), false);
	rc = ma_spf_expand(&req6, "email.example.com", NULL, s, len, MA_SPF_EXPAND_EXP,
					   small, sizeof(small), err, sizeof(err));
	check_expansion(rc, small, sizeof(small), true);
}

static void
parse(const char *rec, size_t len)
{
	ma_spf_term *terms = NULL;
	int			nterms = 0;
	char		err[512];
	int			rc = ma_spf_parse_record(rec, len, &terms, &nterms, err, sizeof(err));

	FZ_CHECK(rc == 0 || rc == -1, "parse rc %d", rc);
	if (rc != 0)
	{
		FZ_CHECK(terms == NULL, "terms on error");
		FZ_CHECK(err[0] != '\0', "error without a message");
		return;
	}
	FZ_CHECK(ma_spf_is_record(rec, len), "parsed but not an SPF record");
	for (int i = 0; i < nterms; i++)
	{
		const ma_spf_term *t = &terms[i];

		FZ_CHECK(t->kind >= MA_SPF_ALL && t->kind <= MA_SPF_UNKNOWN_MOD, "kind");
		FZ_CHECK(t->text != NULL, "term text");
		FZ_CHECK(t->cidr4 >= -1 && t->cidr4 <= 32, "cidr4 %d", t->cidr4);
		FZ_CHECK(t->cidr6 >= -1 && t->cidr6 <= 128, "cidr6 %d", t->cidr6);
		(void) ma_spf_kind_name(t->kind);
		if (t->value)
			expansions(t->value, strlen(t->value));
	}
	ma_spf_free_terms(terms, nterms);
}

static void
lint(fz_zone *z)
{
	fz_zone    *zones[2] = {z, &builtin};
	ma_dns_wave *w = ma_dns_wave_new();
	ma_spf_lint l;

	for (int wave = 0;; wave++)
	{
		memset(&l, 0, sizeof(l));
		if (ma_spf_lint_run("fuzz.test", ma_dns_wave_lookup, w, &l) == 0)
			break;
		FZ_CHECK(l.pending, "rc 1 but not pending");
		ma_spf_lint_free(&l);
		FZ_CHECK(fz_wave_resolve(w, zones, 2) > 0, "lint pending, nothing asked");
		FZ_CHECK(wave < 100, "lint: more than 100 waves");
	}
	FZ_CHECK(!l.pending && l.status != NULL, "lint status");
	for (int i = 0; i < l.nfindings; i++)
		FZ_CHECK(l.findings[i].code && l.findings[i].severity && l.findings[i].detail,
				 "finding %d", i);
	(void) ma_spf_lint_includes(&l, "one.fuzz.test");
	ma_spf_lint_free(&l);
	ma_dns_wave_free(w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_zone		z;
	size_t		pos = 0;
	char	   *first = NULL;
	size_t		firstlen = 0;

	fz_zone_init(&z, "");
	for (int i = 0; i < 4 && pos <= size; i++)
	{
		size_t		n = fz_find(data + pos, size - pos, "\n;;\n");
		fz_rr	   *r = fz_add(&z, OWNERS[i], MA_T_TXT, 300);

		r->data = fz_strndup(data + pos, n);
		r->datalen = n;
		if (i == 0)
		{
			/* exact-size copy for the parsers (lengths, not NULs, bound them) */
			first = malloc(n ? n : 1);
			memcpy(first, data, n);
			firstlen = n;
		}
		pos += n + 4;
	}
	(void) ma_spf_is_record(first, firstlen);
	parse(first, firstlen);
	expansions(first, firstlen);
	lint(&z);
	free(first);
	fz_zone_free(&z);
	return 0;
}
