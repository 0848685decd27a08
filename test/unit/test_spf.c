/*-------------------------------------------------------------------------
 *
 * test_spf.c
 *	  Unit tests of the SPF evaluator of the mailauth core (src/core/ma_spf.c):
 *	  record parsing, macro expansion, and check_host() on synthetic zones
 *	  served by a fake lookup table that follows the "waves" model.
 *
 * No PostgreSQL and no network.  The fake zone answers (name, type) only
 * after a "wave" resolved the question, like the real callers do, so the
 * pending semantics are exercised on every evaluation.  Hostile inputs: a
 * 5,000-byte record, NUL bytes and non-ASCII in records, macro abuse,
 * include and redirect loops.
 *
 * Output is TAP: "ok N - ...", "not ok N - ...", then the plan "1..N".  The
 * exit status is 0 only when every assertion passed.
 *
 * Build and run:
 *	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc -o test/unit/test_spf \
 *		test/unit/test_spf.c src/core/ma_spf.c src/core/ma_dns.c \
 *		src/core/ma_dnswire.c src/core/ma_dnscache.c src/core/ma_idn.c -lcares -lidn2
 *	test/unit/test_spf
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_spf.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* zone tables below list only the fields they need */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ---------------------------------------------------------------------
 * TAP assertions
 * ---------------------------------------------------------------------
 */
#include "ma_test.h"

typedef struct run
{
	ma_spf_outcome out;
	int			waves;
	int			max_wave;		/* most questions asked in one wave */
} run;

/* evaluate to the end, resolving wave after wave */
static ma_spf_res
eval(const zrec *zone, int nzone, const char *ip, const char *sender, const char *helo,
	 run *rn)
{
	fake	   *f = calloc(1, sizeof(fake));
	ma_spf_request req;

	memset(rn, 0, sizeof(*rn));
	memset(&req, 0, sizeof(req));
	if (inet_pton(AF_INET, ip, req.ip) == 1)
		req.family = AF_INET;
	else
	{
		inet_pton(AF_INET6, ip, req.ip);
		req.family = AF_INET6;
	}
	req.sender = sender;
	req.helo = helo;
	req.receiver = "mx.receiver.example";
	req.now = 1700000000;
	f->zone = zone;
	f->nzone = nzone;
	for (;;)
	{
		f->asked_this_wave = 0;
		ma_spf_check_host(&req, fake_lookup, f, &rn->out);
		if (!rn->out.pending)
			break;
		if (f->asked_this_wave > rn->max_wave)
			rn->max_wave = f->asked_this_wave;
		if (++rn->waves > 200 || f->asked_this_wave == 0)
			break;
		fake_resolve(f);
	}
	fake_free(f);
	free(f);
	return rn->out.result;
}

#define NZ(z) ((int) (sizeof(z) / sizeof((z)[0])))

/* ---------------------------------------------------------------------
 * Parser
 * ---------------------------------------------------------------------
 */
static int
parse_rc(const char *rec)
{
	ma_spf_term *t;
	int			n;
	char		err[256];
	int			rc = ma_spf_parse_record(rec, strlen(rec), &t, &n, err, sizeof(err));

	ma_spf_free_terms(t, n);
	return rc;
}

static void
test_parser(void)
{
	ma_spf_term *t;
	int			n,
				rc;
	char		err[256];
	const char *rec = "v=spf1 +a/24//64 -mx:mail.%{d2}/30 ~ptr ?ip4:192.0.2.0/24 "
		"ip6:2001:DB8::/32 exists:%{ir}.bl.example include:_spf.example.com "
		"moo.cow=%{l} exp=explain.example.com redirect=other.example.com  -all ";

	OK(ma_spf_is_record("v=spf1", 6), "is_record: bare version");
	OK(ma_spf_is_record("V=SpF1 -all", 11), "is_record: case-insensitive");
	OK(!ma_spf_is_record("v=spf10", 7), "is_record: v=spf10 is not");
	OK(!ma_spf_is_record("v=spf1mx", 8), "is_record: no space after version");
	OK(!ma_spf_is_record("v=spf", 5), "is_record: short");

	rc = ma_spf_parse_record(rec, strlen(rec), &t, &n, err, sizeof(err));
	if (OK(rc == 0 && n == 11, "parse: 11 terms (got rc=%d n=%d %s)", rc, n, err))
	{
		OK(t[0].kind == MA_SPF_A && t[0].qualifier == '+' && t[0].value == NULL &&
		   t[0].cidr4 == 24 && t[0].cidr6 == 64, "parse: +a/24//64");
		OK(t[1].kind == MA_SPF_MX && t[1].qualifier == '-' && t[1].cidr4 == 30 &&
		   t[1].cidr6 == -1 && t[1].value && strcmp(t[1].value, "mail.%{d2}") == 0,
		   "parse: -mx:domain/30");
		OK(t[2].kind == MA_SPF_PTR && t[2].qualifier == '~' && t[2].value == NULL, "parse: ~ptr");
		OK(t[3].kind == MA_SPF_IP4 && t[3].cidr4 == 24 && t[3].addr[0] == 192 &&
		   t[3].addr[2] == 2 && t[3].qualifier == '?', "parse: ?ip4 network and length");
		OK(t[4].kind == MA_SPF_IP6 && t[4].cidr6 == 32 && t[4].addr[0] == 0x20 &&
		   t[4].addr[1] == 0x01, "parse: ip6 network and length");
		OK(t[5].kind == MA_SPF_EXISTS && strcmp(t[5].value, "%{ir}.bl.example") == 0,
		   "parse: exists with macros");
		OK(t[6].kind == MA_SPF_INCLUDE && strcmp(t[6].value, "_spf.example.com") == 0,
		   "parse: include");
		OK(t[7].kind == MA_SPF_UNKNOWN_MOD && strcmp(t[7].name, "moo.cow") == 0 &&
		   t[7].qualifier == 0, "parse: unknown modifier kept with its name");
		OK(t[8].kind == MA_SPF_EXP && t[9].kind == MA_SPF_REDIRECT, "parse: exp and redirect");
		OK(t[10].kind == MA_SPF_ALL && strcmp(t[10].text, "-all") == 0, "parse: -all text");
	}
	ma_spf_free_terms(t, n);

	/* invalid records: every one must be a syntax error */
	{
		static const char *const bad[] = {
			"v=spf1 -all.", "v=spf1 -all:foo", "v=spf1 all/8", "v=spf1 moo",
			"v=spf1 redirect:x.example.com", "v=spf1 1up=foo", "v=spf1 =all",
			"v=spf1 a/33", "v=spf1 a//129", "v=spf1 a/24/64", "v=spf1 a/032",
			"v=spf1 ip4:1.2.3.4/33", "v=spf1 ip4:1.2.3.4/032", "v=spf1 ip4:1.2.3",
			"v=spf1 ip4:1.2.3.4//32", "v=spf1 ip4:1.2.3.4:8080", "v=spf1 ip4",
			"v=spf1 ip6:::1/129", "v=spf1 ip6::CAFE::BABE", "v=spf1 ip6:::1//33",
			"v=spf1 ip6", "v=spf1 ptr/0", "v=spf1 ptr:", "v=spf1 include",
			"v=spf1 include:", "v=spf1 include:a.example.com/24", "v=spf1 exists",
			"v=spf1 a:", "v=spf1 mx:", "v=spf1 a:museum", "v=spf1 a:museum.",
			"v=spf1 a:abc.123", "v=spf1 a:example.-com", "v=spf1 a:111.222.33.44",
			"v=spf1 a:example.com:8080", "v=spf1 a:foo-bar", "v=spf1 exp=",
			"v=spf1 redirect=", "v=spf1 exp=a.example.com exp=b.example.com",
			"v=spf1 redirect=a.example.com redirect=a.example.com",
			"v=spf1 foo=%abc", "v=spf1 exists:%(ir).example.com",
			"v=spf1 exists:foo%.example.com", "v=spf1 a:%{a}.example.com",
			"v=spf1 exp=%{r}.example.com", "v=spf1 a:%{c}.example.com",
			"v=spf1 a:%{t}.example.com", "v=spf1 a:%{l0}.example.com",
			"v=spf1 a:%{l.example.com", "v=spf1 a:%{l}x", "v=spf1 a:%", "v=spf1 moo.cow/x=y",
			"v=spf1 moo.cow:x=y", "v=spf1 exp=-all", "v=spf1 redirect=-all",
			"v=spf1 a:foo.%{d}.", "v=spf1 ~",
		};

		for (int i = 0; i < (int) (sizeof(bad) / sizeof(bad[0])); i++)
			OK(parse_rc(bad[i]) == -1, "parse rejects \"%s\"", bad[i]);
	}
	{
		static const char *const good[] = {
			"v=spf1", "v=spf1 ", "v=spf1  a  -all  ", "v=spf1 a:foo:bar/baz.example.com",
			"v=spf1 a:foo.example.xn--zckzah", "v=spf1 a:%{H}.bar", "v=spf1 a:%{d}",
			"v=spf1 mx:mail.%{d2}", "v=spf1 default=+", "v=spf1 moo.cow-far_out=man:dog/cat",
			"v=spf1 a:mail.example...com", "v=spf1 ip4:0.0.0.0/0 ip6:::/0",
			"v=spf1 a:foo.123-456", "v=spf1 exists:%{l1000r}.example.com",
			"v=spf1 a:macro%%percent%_%_space%-url-space.example.com",
			"V=SPF1 INCLUDE:EXAMPLE.COM REDIRECT=EXAMPLE.NET EXP=X.EXAMPLE.ORG",
			"v=spf1 exists:%{p}.%{v}.%{h}.%{s}.%{o}.%{i}.example.com",
		};

		for (int i = 0; i < (int) (sizeof(good) / sizeof(good[0])); i++)
			OK(parse_rc(good[i]) == 0, "parse accepts \"%s\"", good[i]);
	}

	/* hostile bytes */
	{
		static const char nul[] = "v=spf1 a:foo.example.com\0 -all";
		static const char ctl[] = "v=spf1 a:ctrl.example.com\rptr -all";
		static const char nl[] = "v=spf1 ip4:192.0.2.5\n include:x.example.com";
		static const char bom[] = "v=spf1 a:\xEF\xBB\xBFgarbage.example.net -all";
		static const char hi[] = "v=spf1 a:example.net \x96" "all";

		rc = ma_spf_parse_record(nul, sizeof(nul) - 1, &t, &n, err, sizeof(err));
		OK(rc == -1 && t == NULL && strstr(err, "NUL") != NULL, "parse: NUL byte -> error (%s)", err);
		OK(parse_rc(ctl) == -1, "parse: CR inside a term -> error");
		OK(parse_rc(nl) == -1, "parse: LF -> error");
		OK(parse_rc(bom) == -1, "parse: UTF-8 BOM -> error");
		rc = ma_spf_parse_record(hi, strlen(hi), &t, &n, err, sizeof(err));
		OK(rc == -1 && strstr(err, "non-ASCII") != NULL, "parse: 0x96 -> error (%s)", err);
		OK(ma_spf_parse_record("x", 1, &t, &n, NULL, 0) == -1, "parse: NULL err buffer is fine");
	}

	/* a 5,000-byte record: 416 terms, all parsed */
	{
		char	   *big = malloc(6000);
		size_t		l = 0;
		int			k = 0;

		l += sprintf(big, "v=spf1");
		while (l < 4990 - 12)
		{
			l += sprintf(big + l, " ip4:10.%d.%d.1", (k / 200) % 256, k % 200);
			k++;
		}
		while (l < 5000 - 5)
			big[l++] = ' ';
		l += sprintf(big + l, " -all");
		rc = ma_spf_parse_record(big, l, &t, &n, err, sizeof(err));
		OK(rc == 0 && n == k + 1 && l == 5000, "parse: 5,000-byte record, %d terms", n);
		ma_spf_free_terms(t, n);
		/* the same, with one bad term at the very end */
		big[l - 4] = 'x';
		OK(ma_spf_parse_record(big, l, &t, &n, err, sizeof(err)) == -1 && t == NULL,
		   "parse: error at the end of a 5,000-byte record");
		free(big);
	}

	/* a 60 KiB record of macro abuse parses without trouble */
	{
		size_t		cap = 61440;
		char	   *big = malloc(cap + 1);
		size_t		l = (size_t) sprintf(big, "v=spf1 exists:");

		while (l + 10 < cap)
			l += (size_t) sprintf(big + l, "%%{l1000r}");
		l += (size_t) sprintf(big + l, ".com");
		rc = ma_spf_parse_record(big, l, &t, &n, err, sizeof(err));
		OK(rc == 0 && n == 1, "parse: 60 KiB domain-spec of %%{l1000r}");
		ma_spf_free_terms(t, n);
		free(big);
	}

	OK(ma_spf_check_macro_string("%{l}.%{d2}", 10, false, true) == NULL, "check_macro_string: domain-spec");
	OK(ma_spf_check_macro_string("%{c} said %{r} at %{t}", 22, true, false) == NULL,
	   "check_macro_string: c r t and spaces in explanations");
	OK(ma_spf_check_macro_string("%{c}", 4, false, false) != NULL,
	   "check_macro_string: c outside explanations");
	OK(strcmp(ma_spf_kind_name(MA_SPF_EXISTS), "exists") == 0, "kind names");
}

/* ---------------------------------------------------------------------
 * Macro expansion: RFC 7208 7.4 examples and abuse
 * ---------------------------------------------------------------------
 */
static ma_spf_request
mkreq(const char *ip, const char *sender, const char *helo)
{
	ma_spf_request r;

	memset(&r, 0, sizeof(r));
	if (inet_pton(AF_INET, ip, r.ip) == 1)
		r.family = AF_INET;
	else
	{
		inet_pton(AF_INET6, ip, r.ip);
		r.family = AF_INET6;
	}
	r.sender = sender;
	r.helo = helo;
	r.receiver = "mx.example.org";
	r.now = 1234567890;
	return r;
}

static void
xp(const ma_spf_request *req, const char *s, int flags, const char *want)
{
	char		out[1024],
				err[256],
				what[300];
	int			n = ma_spf_expand(req, NULL, NULL, s, strlen(s), flags, out, sizeof(out),
								  err, sizeof(err));

	snprintf(what, sizeof(what), "expand \"%s\"", s);
	if (n < 0)
		printf("#   error: %s\n", err);
	IS(n < 0 ? NULL : out, want, what);
}

static void
xp_err(const ma_spf_request *req, const char *s, int flags)
{
	char		out[256],
				err[256];
	int			n = ma_spf_expand(req, NULL, NULL, s, strlen(s), flags, out, sizeof(out),
								  err, sizeof(err));

	OK(n == -1 && err[0] != '\0', "expand \"%s\" is an error (%s)", s, err);
}

static void
test_macros(void)
{
	ma_spf_request r4 = mkreq("192.0.2.3", "strong-bad@email.example.com", "mx.example.org");
	ma_spf_request r6 = mkreq("2001:db8::cb01", "strong-bad@email.example.com", "mx.example.org");
	ma_spf_request rm = mkreq("::ffff:192.0.2.3", "", "helo.example.org");
	ma_spf_request ru = mkreq("192.0.2.3", "~jack&jill=up-a_b3.c@e8.example.com", "h");
	ma_spf_request rn = mkreq("192.0.2.3", "@example.net", "h");
	ma_spf_request rd = mkreq("192.0.2.3", "example.net", "h");
	char		out[1024],
				err[256];
	int			n;

	xp(&r4, "%{s}", 0, "strong-bad@email.example.com");
	xp(&r4, "%{o}", 0, "email.example.com");
	xp(&r4, "%{d}", 0, "email.example.com");
	xp(&r4, "%{d4}", 0, "email.example.com");
	xp(&r4, "%{d3}", 0, "email.example.com");
	xp(&r4, "%{d2}", 0, "example.com");
	xp(&r4, "%{d1}", 0, "com");
	xp(&r4, "%{dr}", 0, "com.example.email");
	xp(&r4, "%{d2r}", 0, "example.email");
	xp(&r4, "%{l}", 0, "strong-bad");
	xp(&r4, "%{l-}", 0, "strong.bad");
	xp(&r4, "%{lr}", 0, "strong-bad");
	xp(&r4, "%{lr-}", 0, "bad.strong");
	xp(&r4, "%{l1r-}", 0, "strong");
	xp(&r4, "%{ir}.%{v}._spf.%{d2}", 0, "3.2.0.192.in-addr._spf.example.com");
	xp(&r4, "%{lr-}.lp._spf.%{d2}", 0, "bad.strong.lp._spf.example.com");
	xp(&r4, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", 0, "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
	xp(&r4, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", 0, "3.2.0.192.in-addr.strong.lp._spf.example.com");
	xp(&r4, "%{d2}.trusted-domains.example.net", 0, "example.com.trusted-domains.example.net");
	xp(&r4, "%{d2}.trusted-domains.example.net.", 0, "example.com.trusted-domains.example.net");
	xp(&r4, "%{c} %{r} %{t}", MA_SPF_EXPAND_EXP, "192.0.2.3 mx.example.org 1234567890");
	xp(&r4, "trailing dot stays.", MA_SPF_EXPAND_EXP, "trailing dot stays.");
	xp(&r4, "%{h}", 0, "mx.example.org");
	xp(&r4, "%{p}", 0, "unknown");
	xp(&r4, "%%%_%-", 0, "% %20");
	xp(&r4, "%{l1000r}", 0, "strong-bad");
	xp(&r4, "%{d99999999999999999999}", 0, "email.example.com");
	xp(&r4, "%{l2r+-}", 0, "bad.strong");
	xp(&r4, "%{o1r.}", 0, "email");
	xp(&r6, "%{ir}.%{v}._spf.%{d2}", 0,
	   "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com");
	xp(&r6, "%{c}", MA_SPF_EXPAND_EXP, "2001:db8::cb01");
	xp(&rm, "%{i} %{v} %{s}", MA_SPF_EXPAND_EXP, "192.0.2.3 in-addr postmaster@helo.example.org");
	xp(&ru, "%{L}", 0, "~jack%26jill%3Dup-a_b3.c");
	xp(&ru, "%{S}", 0, "~jack%26jill%3Dup-a_b3.c%40e8.example.com");
	xp(&rn, "%{l}@%{o}", 0, "postmaster@example.net");
	xp(&rd, "%{s}", 0, "postmaster@example.net");

	xp_err(&r4, "%{c}", 0);
	xp_err(&r4, "%{r}.example.com", 0);
	xp_err(&r4, "%{x}", MA_SPF_EXPAND_EXP);
	xp_err(&r4, "%{l0}", 0);
	xp_err(&r4, "%(ir)", 0);
	xp_err(&r4, "foo%", 0);
	xp_err(&r4, "%{l", 0);
	xp_err(&r4, "%{}", 0);
	xp_err(&r4, "with space", 0);
	xp_err(&r4, "ctl\x01", MA_SPF_EXPAND_EXP);

	/* a domain name longer than 253 octets loses labels on the left */
	{
		char		s[600];
		size_t		l = 0;

		for (int i = 0; i < 20; i++)
			l += (size_t) sprintf(s + l, "%%{o}.");
		sprintf(s + l, "example.com");
		n = ma_spf_expand(&r4, NULL, NULL, s, strlen(s), 0, out, sizeof(out), err, sizeof(err));
		OK(n > 0 && n <= 253 && strcmp(out + n - 11, "example.com") == 0 && out[0] != '.',
		   "expand: long domain truncated from the left to %d octets", n);
	}
	/* an expansion of a hostile sender: bounded, no crash */
	{
		char	   *sender = malloc(20001);
		ma_spf_request rh;
		char		s[4096];
		size_t		l = 0;

		memset(sender, 'a', 20000);
		sender[20000] = '\0';
		sender[10000] = '@';
		rh = mkreq("192.0.2.3", sender, "h");
		while (l + 10 < sizeof(s) - 16)
			l += (size_t) sprintf(s + l, "%%{l1000r}");
		sprintf(s + l, ".example.com");
		n = ma_spf_expand(&rh, NULL, NULL, s, strlen(s), 0, out, sizeof(out), err, sizeof(err));
		OK(n == -1, "expand: 4 KiB of %%{l1000r} with a 10,000-byte local part is refused (%s)", err);
		n = ma_spf_expand(&rh, NULL, NULL, s, strlen(s), MA_SPF_EXPAND_EXP, out, 64, err, sizeof(err));
		OK(n == 63 && strlen(out) == 63, "expand: explanation mode truncates to the buffer (n=%d %s)", n, n < 0 ? err : "");
		n = ma_spf_expand(&rh, NULL, NULL, "%{L}", 4, 0, out, sizeof(out), err, sizeof(err));
		OK(n == -1 || (n >= 0 && (size_t) n < sizeof(out)), "expand: huge %%{L} stays bounded");
		free(sender);
	}
	{
		ma_spf_request rp = mkreq("192.0.2.3", "a@b.example.com", "h");

		n = ma_spf_expand(&rp, "sub.example.com", "mx.example.com", "%{p}.%{d}", 9, 0,
						  out, sizeof(out), err, sizeof(err));
		IS(n > 0 ? out : NULL, "mx.example.com.sub.example.com", "expand: given p and d");
	}
}

/* ---------------------------------------------------------------------
 * check_host() on synthetic zones
 * ---------------------------------------------------------------------
 */
static void
test_eval(void)
{
	run			rn;

	{
		static const zrec z[] = {
			{"example.com", MA_T_TXT, "v=spf1 ip4:192.0.2.0/24 -all"},
		};

		OK(eval(z, NZ(z), "192.0.2.7", "a@example.com", "h.example.com", &rn) == MA_SPF_PASS,
		   "eval: ip4 pass");
		IS(rn.out.mechanism, "ip4:192.0.2.0/24", "eval: the deciding mechanism");
		IS(rn.out.domain, "example.com", "eval: the deciding domain");
		OK(rn.waves == 1 && rn.out.dns_lookups == 0, "eval: one wave, no counted lookups");
		OK(eval(z, NZ(z), "198.51.100.1", "a@example.com", "h", &rn) == MA_SPF_FAIL,
		   "eval: -all fail");
		IS(rn.out.mechanism, "-all", "eval: -all decided");
		OK(eval(z, NZ(z), "192.0.2.7", "", "example.com", &rn) == MA_SPF_PASS,
		   "eval: empty sender checks postmaster@helo");
	}

	/* pending semantics, by hand */
	{
		static const zrec z[] = {
			{"example.com", MA_T_TXT, "v=spf1 mx -all"},
			{"example.com", MA_T_MX, "mx1.example.com", 0, 10},
			{"example.com", MA_T_MX, "mx2.example.com", 0, 20},
			{"example.com", MA_T_MX, "mx3.example.com", 0, 30},
			{"mx1.example.com", MA_T_A, "192.0.2.1"},
			{"mx2.example.com", MA_T_A, "192.0.2.2"},
			{"mx3.example.com", MA_T_A, "192.0.2.3"},
		};
		fake	   *f = calloc(1, sizeof(fake));
		ma_spf_request req = mkreq("192.0.2.3", "x@example.com", "h");
		ma_spf_outcome out;

		f->zone = z;
		f->nzone = NZ(z);
		ma_spf_check_host(&req, fake_lookup, f, &out);
		OK(out.pending && f->nq == 1 && f->q[0].type == MA_T_TXT &&
		   strcmp(f->q[0].name, "example.com") == 0,
		   "pending: an empty table gives pending and one TXT question");
		ma_spf_check_host(&req, fake_lookup, f, &out);
		OK(out.pending && f->nq == 1, "pending: asking again without answers changes nothing");
		fake_resolve(f);
		f->asked_this_wave = 0;
		ma_spf_check_host(&req, fake_lookup, f, &out);
		OK(out.pending && f->asked_this_wave == 1 && f->q[1].type == MA_T_MX,
		   "pending: with the TXT answer it asks for MX");
		fake_resolve(f);
		f->asked_this_wave = 0;
		ma_spf_check_host(&req, fake_lookup, f, &out);
		OK(out.pending && f->asked_this_wave == 3,
		   "pending: the A records of all three MX hosts are asked in one wave");
		fake_resolve(f);
		ma_spf_check_host(&req, fake_lookup, f, &out);
		OK(!out.pending && out.result == MA_SPF_PASS && out.dns_lookups == 1,
		   "pending: then it completes (pass, 1 lookup)");
		fake_free(f);
		free(f);
	}

	/* include chains and lookup counting */
	{
		static const zrec z[] = {
			{"a.example", MA_T_TXT, "v=spf1 include:b.example -all"},
			{"b.example", MA_T_TXT, "v=spf1 include:c.example ~all"},
			{"c.example", MA_T_TXT, "v=spf1 ip4:192.0.2.9 ?all"},
			{"loop1.example", MA_T_TXT, "v=spf1 include:loop2.example -all"},
			{"loop2.example", MA_T_TXT, "v=spf1 include:loop1.example -all"},
			{"self.example", MA_T_TXT, "v=spf1 ip4:10.0.0.1 redirect=self.example"},
			{"none.example", MA_T_TXT, "v=spf1 include:nothing.example -all"},
			{"temp.example", MA_T_TXT, "v=spf1 include:slow.example -all"},
			{"slow.example", TIMEOUT_T, ""},
			{"ten.example", MA_T_TXT, "v=spf1 a a a a a a a a a a ip4:192.0.2.1 -all"},
			{"eleven.example", MA_T_TXT, "v=spf1 a a a a a a a a a a a ip4:192.0.2.1 -all"},
			{"ten.example", MA_T_A, "198.51.100.1"},
			{"eleven.example", MA_T_A, "198.51.100.1"},
		};

		OK(eval(z, NZ(z), "192.0.2.9", "x@a.example", "h", &rn) == MA_SPF_PASS,
		   "include: pass through two levels");
		IS(rn.out.mechanism, "include:b.example", "include: the outer term decided");
		OK(rn.out.dns_lookups == 2, "include: 2 lookups counted (%d)", rn.out.dns_lookups);
		OK(eval(z, NZ(z), "192.0.2.10", "x@a.example", "h", &rn) == MA_SPF_FAIL,
		   "include: neutral/softfail inside do not match");
		OK(eval(z, NZ(z), "192.0.2.10", "x@loop1.example", "h", &rn) == MA_SPF_PERMERROR &&
		   strstr(rn.out.problem, "more than 10") != NULL,
		   "include loop: permerror by the lookup limit (%s)", rn.out.problem);
		OK(eval(z, NZ(z), "192.0.2.10", "x@self.example", "h", &rn) == MA_SPF_PERMERROR,
		   "redirect loop: permerror");
		OK(eval(z, NZ(z), "192.0.2.10", "x@none.example", "h", &rn) == MA_SPF_PERMERROR,
		   "include of a domain without a record: permerror");
		OK(eval(z, NZ(z), "192.0.2.10", "x@temp.example", "h", &rn) == MA_SPF_TEMPERROR,
		   "include of a timing-out domain: temperror (%s)", rn.out.problem);
		OK(eval(z, NZ(z), "192.0.2.1", "x@ten.example", "h", &rn) == MA_SPF_PASS &&
		   rn.out.dns_lookups == 10, "10 lookups are allowed");
		OK(eval(z, NZ(z), "192.0.2.1", "x@eleven.example", "h", &rn) == MA_SPF_PERMERROR,
		   "11 lookups: permerror");
	}

	/* void lookups */
	{
		static const zrec z[] = {
			{"v2.example", MA_T_TXT, "v=spf1 a:n1.example a:n2.example ?all"},
			{"v3.example", MA_T_TXT, "v=spf1 a:n1.example mx:n2.example exists:n3.example ?all"},
		};

		OK(eval(z, NZ(z), "192.0.2.1", "x@v2.example", "h", &rn) == MA_SPF_NEUTRAL &&
		   rn.out.void_lookups == 2, "2 void lookups: allowed");
		OK(eval(z, NZ(z), "192.0.2.1", "x@v3.example", "h", &rn) == MA_SPF_PERMERROR &&
		   rn.out.void_lookups == 3, "3 void lookups: permerror (%s)", rn.out.problem);
	}

	/* exp, p macro, ptr, hostile records served by the zone */
	{
		static char big[6000];
		static const char nulrec[] = "v=spf1 a:foo.example.com\0 -all";
		static const zrec z[] = {
			{"e.example", MA_T_TXT, "v=spf1 -all exp=why.%{d}"},
			{"why.e.example", MA_T_TXT, "%{i} (%{p}) may not send for %{o} as %{l}"},
			{"3.2.0.192.in-addr.arpa", MA_T_PTR, "mail.e.example"},
			{"mail.e.example", MA_T_A, "192.0.2.3"},
			{"p.example", MA_T_TXT, "v=spf1 ptr:e.example -all"},
			{"nul.example", MA_T_TXT, nulrec, sizeof(nulrec) - 1},
			{"hi.example", MA_T_TXT, "v=spf1 \x80" "a -all"},
			{"two.example", MA_T_TXT, "v=spf1 -all"},
			{"two.example", MA_T_TXT, "V=SPF1 +all"},
			{"big.example", MA_T_TXT, big},
			{"abuse.example", MA_T_TXT, "v=spf1 exists:%{l1000r}.%{s}.%{s}.%{s}.%{s}.%{s}.%{s}.example -all"},
			{"empty.example", MA_T_TXT, "v=spf1"},
		};
		size_t		l = (size_t) sprintf(big, "v=spf1");

		while (l < 4980)
			l += (size_t) sprintf(big + l, " ip4:10.0.0.%d", (int) (l % 250));
		sprintf(big + l, " ip4:192.0.2.3 -all");

		OK(eval(z, NZ(z), "192.0.2.3", "joe@e.example", "h", &rn) == MA_SPF_FAIL,
		   "exp: fail");
		IS(rn.out.explanation, "192.0.2.3 (mail.e.example) may not send for e.example as joe",
		   "exp: expanded explanation with %{p}");
		OK(eval(z, NZ(z), "192.0.2.3", "joe@p.example", "h", &rn) == MA_SPF_PASS,
		   "ptr: validated name in the domain matches");
		OK(eval(z, NZ(z), "192.0.2.4", "joe@p.example", "h", &rn) == MA_SPF_FAIL,
		   "ptr: no PTR, no match");
		OK(eval(z, NZ(z), "192.0.2.3", "joe@nul.example", "h", &rn) == MA_SPF_PERMERROR,
		   "record with a NUL byte: permerror (%s)", rn.out.problem);
		OK(eval(z, NZ(z), "192.0.2.3", "joe@hi.example", "h", &rn) == MA_SPF_PERMERROR,
		   "record with a non-ASCII byte: permerror");
		OK(eval(z, NZ(z), "192.0.2.3", "joe@two.example", "h", &rn) == MA_SPF_PERMERROR,
		   "two SPF records: permerror");
		OK(eval(z, NZ(z), "192.0.2.3", "joe@big.example", "h", &rn) == MA_SPF_PASS,
		   "a 5,000-byte record served by DNS: pass at its last ip4");
		OK(eval(z, NZ(z), "192.0.2.3", "joe@abuse.example", "h", &rn) == MA_SPF_FAIL,
		   "macro abuse in exists: bounded, truncated name, no match");
		OK(eval(z, NZ(z), "192.0.2.3", "joe@empty.example", "h", &rn) == MA_SPF_NEUTRAL,
		   "empty record: neutral");
		OK(eval(z, NZ(z), "192.0.2.3", "joe@nowhere.example", "h", &rn) == MA_SPF_NONE,
		   "no record: none");
		OK(eval(z, NZ(z), "192.0.2.3", "joe@[192.0.2.3]", "h", &rn) == MA_SPF_NONE &&
		   rn.waves == 0, "domain literal: none without DNS");
		OK(eval(z, NZ(z), "192.0.2.3", "", "SINGLELABEL", &rn) == MA_SPF_NONE,
		   "single-label HELO: none");
	}

	/* Received-SPF */
	{
		static const zrec z[] = {
			{"example.com", MA_T_TXT, "v=spf1 ip4:192.0.2.1 -all"},
		};
		ma_spf_request req = mkreq("192.0.2.1", "a@example.com", "mx.example.com");
		char		hdr[512];

		req.receiver = NULL;
		eval(z, NZ(z), "192.0.2.1", "a@example.com", "mx.example.com", &rn);
		ma_spf_received_spf(&req, &rn.out, hdr, sizeof(hdr));
		IS(hdr, "pass (mailauth: domain of a@example.com designates 192.0.2.1 as permitted sender) "
		   "client-ip=192.0.2.1; envelope-from=\"a@example.com\"; helo=mx.example.com; "
		   "identity=mailfrom; mechanism=\"ip4:192.0.2.1\";", "Received-SPF for a pass");
		ma_spf_received_spf(&req, &rn.out, hdr, 16);
		OK(strlen(hdr) == 15, "Received-SPF: truncated to the buffer");
	}
}

int
main(void)
{
	test_parser();
	test_macros();
	test_eval();
	printf("1..%d\n", ntests);
	if (nfailed)
		printf("# %d of %d tests failed\n", nfailed, ntests);
	return nfailed ? 1 : 0;
}
