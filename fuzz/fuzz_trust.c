/*-------------------------------------------------------------------------
 *
 * fuzz_trust.c
 *	  libFuzzer target: sender trust (ma_trust.c) and IDN (ma_idn.c): the
 *	  address parser ma_ip_parse() and its formatters, the generic-PTR-name
 *	  classifier ma_ptr_name_is_generic(), ma_idn_to_ascii(), and the
 *	  evaluators ma_ptr_check(), ma_helo_check(), ma_dnsbl_check(),
 *	  ma_dbl_check() and ma_dns_expect() through the waves store, with the
 *	  input's zone as the DNS.
 *
 * Input: zone text (fuzz_common.h) with directives, each value up to the
 * end of its line:
 *	$IP 192.0.2.1			the client address (also ptr_check, dnsbl_check)
 *	$HELO mail.example.test	the HELO name (helo_check, the generic classifier)
 *	$DOMAIN example.test	the sender's domain (helo_check, dbl_check)
 *	$NAME x.example.test	dns_expect's name ($TYPE its rrtype, default TXT)
 *	$EXPECT v=spf1*			dns_expect's expected value ($MATCH exact,
 *							contains or pattern)
 *	$ZONES bl.test,dbl.test	the blocklist zones (comma-separated)
 *
 * Checked: every evaluator ends within 20 waves, statuses and problem codes
 * are set and bounded, rows are as many as zones, strings are valid UTF-8,
 * a parsed address formats and parses back to itself.
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_trust.h"
#include "core/ma_idn.h"
#include "fuzz_common.h"

typedef struct opts
{
	char		ip[300];
	char		helo[300];
	char		domain[300];
	char		name[300];
	char		type[32];
	char		expect[300];
	char		match[32];
	char		zones[600];
} opts;

static void
directive(void *arg, const char *word, const char *value)
{
	opts	   *o = arg;

#define SETOPT(field, w) \
	if (strcasecmp(word, w) == 0) { snprintf(o->field, sizeof(o->field), "%s", value); return; }
	SETOPT(ip, "IP");
	SETOPT(helo, "HELO");
	SETOPT(domain, "DOMAIN");
	SETOPT(name, "NAME");
	SETOPT(type, "TYPE");
	SETOPT(expect, "EXPECT");
	SETOPT(match, "MATCH");
	SETOPT(zones, "ZONES");
#undef SETOPT
}

static void
check_str(const char *s, const char *what)
{
	if (s)
		FZ_CHECK(fz_utf8_valid((const unsigned char *) s, strlen(s)), "invalid UTF-8 in %s: %s", what, s);
}

static void
check_problems(const ma_trust_problems *p)
{
	FZ_CHECK(p->n >= 0 && p->n <= MA_TRUST_MAX_PROBLEMS, "%d problems", p->n);
	for (int i = 0; i < p->n; i++)
		FZ_CHECK(p->code[i] != NULL && p->code[i][0] != '\0', "problem %d", i);
}

/* the parsers that need no DNS */
static void
parsers(const opts *o, const ma_ip *ip, bool have_ip)
{
	const char *names[] = {o->helo, o->name, o->domain, o->ip};
	char		buf[1100];
	ma_ip		back;

	if (have_ip)
	{
		ma_ip_format(ip, buf, sizeof(buf));
		FZ_CHECK(ma_ip_parse(buf, &back), "formatted %s does not parse", buf);
		FZ_CHECK(back.family == ip->family && memcmp(back.a, ip->a, ip->family == 4 ? 4 : 16) == 0,
				 "%s does not parse back to itself", buf);
		ma_ip_reverse_name(ip, buf, sizeof(buf));
		FZ_CHECK(strlen(buf) > 0 && strlen(buf) < sizeof(buf), "reverse name");
		ma_ip_dnsbl_prefix(ip, buf, sizeof(buf));
	}
	for (int i = 0; i < 4; i++)
	{
		const char *err = ma_idn_to_ascii(names[i], buf, sizeof(buf));

		if (err == NULL)
			FZ_CHECK(ma_name_is_ascii(buf), "A-label form of %s is not ASCII", names[i]);
		(void) ma_ptr_name_is_generic(names[i], have_ip ? ip : NULL);
		(void) ma_ip_parse(names[i], &back);
	}
}

#define WAVES(call, freefn, res) \
	for (int wave = 0;; wave++) \
	{ \
		if ((call) == 0) \
			break; \
		freefn(res); \
		FZ_CHECK(fz_wave_resolve(w, zones, 1) > 0, "pending, nothing asked"); \
		FZ_CHECK(wave < 20, "more than 20 waves"); \
	}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_zone		z;
	fz_zone    *zones[1] = {&z};
	opts		o;
	ma_ip		ip;
	bool		have_ip;
	ma_dns_wave *w;
	const char *zl[MA_TRUST_MAX_ZONES + 4];
	int			nz = 0;
	char	   *zcopy;

	memset(&o, 0, sizeof(o));
	fz_zone_init(&z, "");
	fz_zone_parse(&z, (const char *) data, size, directive, &o);
	have_ip = ma_ip_parse(o.ip, &ip);
	parsers(&o, &ip, have_ip);

	zcopy = strdup(o.zones);
	for (char *s = zcopy, *t; s && nz < MA_TRUST_MAX_ZONES + 4; s = t)
	{
		t = strchr(s, ',');
		if (t)
			*t++ = '\0';
		zl[nz++] = s;
	}

	w = ma_dns_wave_new();
	if (have_ip)
	{
		ma_ptr_result pr;
		ma_dnsbl_result br;

		memset(&pr, 0, sizeof(pr));
		WAVES(ma_ptr_check(&ip, ma_dns_wave_lookup, w, &pr), ma_ptr_result_free, &pr);
		FZ_CHECK(pr.status != NULL, "ptr status");
		FZ_CHECK(pr.nptr >= 0 && pr.nptr <= MA_TRUST_MAX_PTR_NAMES, "%d PTR names", pr.nptr);
		for (int i = 0; i < pr.nptr; i++)
			check_str(pr.ptr_names[i], "ptr name");
		check_str(pr.confirmed_name, "confirmed name");
		FZ_CHECK(!pr.forward_confirmed || pr.confirmed_name, "confirmed without a name");
		check_problems(&pr.problems);
		ma_ptr_result_free(&pr);

		memset(&br, 0, sizeof(br));
		WAVES(ma_dnsbl_check(&ip, zl, nz, ma_dns_wave_lookup, w, &br), ma_dnsbl_result_free, &br);
		FZ_CHECK(br.nrows == nz, "%d rows for %d zones", br.nrows, nz);
		for (int i = 0; i < br.nrows; i++)
		{
			FZ_CHECK(br.rows[i].listed >= -1 && br.rows[i].listed <= 1, "listed %d", br.rows[i].listed);
			FZ_CHECK(br.rows[i].ncodes >= 0 && br.rows[i].ncodes <= MA_TRUST_MAX_CODES, "codes");
			check_str(br.rows[i].reason, "dnsbl reason");
		}
		ma_dnsbl_result_free(&br);
	}
	{
		ma_helo_result hr;
		ma_dnsbl_result dr;
		ma_expect_result er;
		int			type = ma_dns_type_from_name(o.type[0] ? o.type : "TXT");
		ma_expect_match m = strcasecmp(o.match, "contains") == 0 ? MA_EXPECT_CONTAINS :
			strcasecmp(o.match, "pattern") == 0 ? MA_EXPECT_PATTERN : MA_EXPECT_EXACT;

		memset(&hr, 0, sizeof(hr));
		WAVES(ma_helo_check(o.helo, have_ip ? &ip : NULL, o.domain[0] ? o.domain : NULL,
							ma_dns_wave_lookup, w, &hr), (void), &hr);
		check_problems(&hr.problems);
		FZ_CHECK(hr.resolves >= -1 && hr.resolves <= 1, "resolves %d", hr.resolves);

		memset(&dr, 0, sizeof(dr));
		WAVES(ma_dbl_check(o.domain, zl, nz, ma_dns_wave_lookup, w, &dr), ma_dnsbl_result_free, &dr);
		FZ_CHECK(dr.nrows == nz, "%d dbl rows for %d zones", dr.nrows, nz);
		ma_dnsbl_result_free(&dr);

		if (type > 0)
		{
			memset(&er, 0, sizeof(er));
			WAVES(ma_dns_expect(o.name, (uint16_t) type, o.expect, m, ma_dns_wave_lookup, w, &er),
				  ma_expect_result_free, &er);
			FZ_CHECK(er.status && (strcmp(er.status, "ok") == 0 || strcmp(er.status, "missing") == 0 ||
								   strcmp(er.status, "mismatch") == 0 || strcmp(er.status, "error") == 0),
					 "expect status %s", er.status ? er.status : "NULL");
			for (int i = 0; i < er.nfound; i++)
				FZ_CHECK(er.found[i] != NULL, "found %d", i);
			/*
			 * the detail may echo the expected value (the name a CNAME chain
			 * reaches): from SQL that is text in the database encoding, so
			 * the check applies when the inputs are valid UTF-8 (DNS data
			 * in it must be, whatever the zone holds)
			 */
			if (fz_utf8_valid((const unsigned char *) o.expect, strlen(o.expect)) &&
				fz_utf8_valid((const unsigned char *) o.name, strlen(o.name)))
				check_str(er.detail, "expect detail");
			ma_expect_result_free(&er);
		}
	}
	ma_dns_wave_free(w);
	free(zcopy);
	fz_zone_free(&z);
	return 0;
}
