/*-------------------------------------------------------------------------
 *
 * fuzz_hdrcheck.c
 *	  libFuzzer target: the header hygiene checks (ma_hdrcheck.c) on the
 *	  input as a raw message, the domains helper, and the single-field entry
 *	  point (the first line is the field name, the rest its value).
 *
 * Checked: every finding has a code of the table in ma_hdrcheck.h with its
 * severity, clean UTF-8 strings, the counts agree, at most
 * MA_HDRCHECK_MAX_FINDINGS + 1 findings; domains are distinct, lookup-able
 * (lowercase LDH and '_', labels of 1..63, at most 253) and come from a
 * known field.  "now" is fixed so that a crash replays.
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_hdrcheck.h"
#include "fuzz_common.h"

static const char *const CODES[][2] = {
	{"no_header_fields", "error"}, {"missing_from", "error"}, {"missing_date", "error"},
	{"duplicate_field", "error"}, {"from_multiple_no_sender", "error"},
	{"sender_multiple", "error"}, {"from_group", "warning"}, {"invalid_address", "error"},
	{"obsolete_address", "warning"}, {"invalid_date", "error"}, {"obsolete_date", "warning"},
	{"date_weekday_mismatch", "warning"}, {"date_in_future", "warning"},
	{"date_too_old", "warning"}, {"missing_message_id", "warning"},
	{"invalid_message_id", "error"}, {"obsolete_message_id", "warning"},
	{"missing_subject", "warning"}, {"empty_subject", "warning"},
	{"bad_encoded_word", "warning"}, {"eight_bit_header", "warning"},
	{"invalid_utf8_header", "error"}, {"nul_byte", "error"}, {"bare_cr", "error"},
	{"line_too_long", "error"}, {"line_over_78", "info"}, {"invalid_field_name", "error"},
	{"space_before_colon", "warning"}, {"malformed_line", "error"},
	{"no_body_separator", "warning"}, {"mbox_from_line", "info"},
	{"header_injection", "error"}, {"findings_truncated", "info"},
};

static bool
clean(const char *s)
{
	if (!fz_utf8_valid((const unsigned char *) s, strlen(s)))
		return false;
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static void
check_list(const ma_hdrcheck_list *l, bool message)
{
	int			nerr = 0,
				nwarn = 0;

	FZ_CHECK(l->n >= 0 && l->n <= MA_HDRCHECK_MAX_FINDINGS + 1, "n %d", l->n);
	for (int i = 0; i < l->n; i++)
	{
		const ma_hdrcheck_finding *f = &l->items[i];
		size_t		k;

		for (k = 0; k < sizeof(CODES) / sizeof(CODES[0]); k++)
			if (strcmp(f->code, CODES[k][0]) == 0)
				break;
		FZ_CHECK(k < sizeof(CODES) / sizeof(CODES[0]), "unknown code %s", f->code);
		FZ_CHECK(strcmp(f->severity, CODES[k][1]) == 0, "%s is %s", f->code, f->severity);
		FZ_CHECK(f->detail && clean(f->detail), "detail of %s", f->code);
		FZ_CHECK(!f->header || (f->header[0] && clean(f->header)), "header of %s", f->code);
		FZ_CHECK(!message || strcmp(f->code, "header_injection") != 0, "injection in a message");
		FZ_CHECK(strcmp(f->code, "findings_truncated") != 0 || i == l->n - 1,
				 "findings after findings_truncated");
		nerr += strcmp(f->severity, "error") == 0;
		nwarn += strcmp(f->severity, "warning") == 0;
	}
	FZ_CHECK(nerr == l->nerrors && nwarn == l->nwarnings, "counts");
	FZ_CHECK(l->truncated == (l->n > 0 && strcmp(l->items[l->n - 1].code,
												  "findings_truncated") == 0), "truncated");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *m = (const char *) data;
	ma_hdrcheck_list l;
	ma_hdrcheck_domain_list d;
	size_t		nl = fz_find(data, size, "\n");
	char	   *name;

	FZ_CHECK(ma_hdrcheck_at(m, size, (time_t) 1700000000, &l) == 0, "oom");
	check_list(&l, true);
	ma_hdrcheck_list_free(&l);

	FZ_CHECK(ma_hdrcheck_domains(m, size, &d) == 0, "oom");
	FZ_CHECK(d.n >= 0 && d.n <= MA_HDRCHECK_MAX_DOMAINS, "%d domains", d.n);
	for (int i = 0; i < d.n; i++)
	{
		const char *s = d.items[i].domain;
		size_t		len = strlen(s),
					label = 0;

		FZ_CHECK(d.items[i].fields && !(d.items[i].fields & ~7u), "fields %u", d.items[i].fields);
		FZ_CHECK(len > 0 && len <= 253, "domain length %zu", len);
		FZ_CHECK(clean(d.items[i].domain_unicode), "U-label not clean");
		for (size_t j = 0; j <= len; j++)
		{
			if (j == len || s[j] == '.')
			{
				FZ_CHECK(label > 0 && label <= 63, "label length %zu in %s", label, s);
				label = 0;
				continue;
			}
			FZ_CHECK((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= '0' && s[j] <= '9') ||
					 s[j] == '-' || s[j] == '_', "byte %02x in %s", (unsigned char) s[j], s);
			label++;
		}
		for (int j = 0; j < i; j++)
			FZ_CHECK(strcmp(s, d.items[j].domain) != 0, "duplicate %s", s);
	}
	ma_hdrcheck_domain_list_free(&d);

	/* one field: the first line is the name (NULs end it early) */
	name = fz_strndup(data, nl < 64 ? nl : 64);
	FZ_CHECK(ma_hdrcheck_field(name, nl < size ? m + nl + 1 : "", nl < size ? size - nl - 1 : 0,
							   (time_t) 1700000000, &l) == 0, "oom");
	check_list(&l, false);
	ma_hdrcheck_list_free(&l);
	free(name);
	return 0;
}
