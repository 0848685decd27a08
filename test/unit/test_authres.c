/*-------------------------------------------------------------------------
 *
 * test_authres.c
 *	  Unit tests of the Authentication-Results / Received-SPF parser
 *	  (src/core/ma_authres.c).
 *
 * Every parse is rendered as one line per row,
 *	authserv_id|version|method|result|reason|properties-json
 * (NULL as \N), and compared with the expected text.  Then hostile input:
 * every prefix of a sample message, unterminated comments and quotes,
 * deep nesting, NUL bytes, huge inputs, and a deterministic fuzzer, checking
 * that every row is well-formed and every JSON text valid UTF-8.
 *
 * Output is TAP: "ok N - ..." / "not ok N - ..." per assertion, then the
 * plan "1..N".  Exit status 0 only when every assertion passed.
 *
 * Build and run (also under valgrind):
 *	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc -o test/unit/test_authres \
 *		test/unit/test_authres.c src/core/ma_authres.c
 *	valgrind --leak-check=full --error-exitcode=9 test/unit/test_authres
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_authres.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------------
 * TAP
 * ---------------------------------------------------------------------
 */
static int	ntests = 0;
static int	nfailed = 0;

static bool
ok(bool cond, const char *fmt,...)
{
	va_list		ap;

	ntests++;
	if (!cond)
		nfailed++;
	printf("%sok %d - ", cond ? "" : "not ", ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------------
 * Rendering and checking
 * ---------------------------------------------------------------------
 */
typedef struct buf
{
	char	   *d;
	size_t		len,
				cap;
} buf;

static void
bput(buf *b, const char *s)
{
	size_t		n = strlen(s);

	if (b->len + n + 1 > b->cap)
	{
		b->cap = (b->len + n + 1) * 2;
		b->d = realloc(b->d, b->cap);
		if (!b->d)
			abort();
	}
	memcpy(b->d + b->len, s, n + 1);
	b->len += n;
}

/* the rows of l, one line each; malloc()ed */
static char *
render(const ma_authres_list *l)
{
	buf			b = {NULL, 0, 0};
	int			i;

	bput(&b, "");
	for (i = 0; i < l->nresults; i++)
	{
		const ma_authres_result *r = &l->results[i];
		char		num[32];
		char	   *js = ma_authres_properties_json(r);

		if (i > 0)
			bput(&b, "\n");
		bput(&b, r->authserv_id ? r->authserv_id : "\\N");
		snprintf(num, sizeof(num), "|%d|", r->version);
		bput(&b, num);
		bput(&b, r->method);
		bput(&b, "|");
		bput(&b, r->result);
		bput(&b, "|");
		bput(&b, r->reason ? r->reason : "\\N");
		bput(&b, "|");
		bput(&b, js ? js : "JSON-OOM");
		free(js);
	}
	return b.d;
}

static bool
check_n(const char *name, const char *input, size_t len, const char *expected)
{
	ma_authres_list l;
	int			rc = ma_authres_parse(input, len, &l);
	char	   *got = render(&l);
	bool		res = ok(rc == 0 && strcmp(got, expected) == 0, "%s", name);

	if (!res)
		printf("# rc %d\n# got:\n%s\n# expected:\n%s\n", rc, got, expected);
	free(got);
	ma_authres_list_free(&l);
	return res;
}

static bool
check(const char *name, const char *input, const char *expected)
{
	return check_n(name, input, strlen(input), expected);
}

/* is s (n bytes) valid UTF-8 without raw control characters? */
static bool
valid_json_text(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;

	while (*p)
	{
		int			len,
					i;

		if (*p < 0x20)
			return false;
		if (*p < 0x80)
		{
			p++;
			continue;
		}
		if (*p >= 0xC2 && *p <= 0xDF)
			len = 2;
		else if (*p >= 0xE0 && *p <= 0xEF)
			len = 3;
		else if (*p >= 0xF0 && *p <= 0xF4)
			len = 4;
		else
			return false;
		for (i = 1; i < len; i++)
			if ((p[i] & 0xC0) != 0x80)
				return false;
		if ((*p == 0xE0 && p[1] < 0xA0) || (*p == 0xED && p[1] > 0x9F) ||
			(*p == 0xF0 && p[1] < 0x90) || (*p == 0xF4 && p[1] > 0x8F))
			return false;
		p += len;
	}
	return true;
}

static bool
lower_kw(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
			  *s == '-' || *s == '_'))
			return false;
	return true;
}

/* every row well-formed, every JSON valid; a message on failure */
static const char *
wellformed(const ma_authres_list *l)
{
	int			i,
				j;

	if (l->nresults < 0 || l->nresults > MA_AUTHRES_MAX_RESULTS)
		return "nresults out of range";
	for (i = 0; i < l->nresults; i++)
	{
		const ma_authres_result *r = &l->results[i];
		char	   *js;
		bool		good;

		if (!lower_kw(r->method))
			return "method not a lowercase keyword";
		if (!lower_kw(r->result))
			return "result not a lowercase keyword";
		if (r->nprops < 0 || r->nprops > MA_AUTHRES_MAX_PROPS)
			return "nprops out of range";
		if (r->field < 1 || r->field > l->nfields)
			return "field ordinal out of range";
		for (j = 0; j < r->nprops; j++)
			if (!r->props[j].name || !r->props[j].value || !r->props[j].name[0])
				return "property without name or value";
		js = ma_authres_properties_json(r);
		good = js && js[0] == '{' && js[strlen(js) - 1] == '}' && valid_json_text(js);
		free(js);
		if (!good)
			return "invalid JSON";
	}
	return NULL;
}

static bool
hostile(const char *name, const char *input, size_t len, int expect_rows)
{
	ma_authres_list l;
	int			rc = ma_authres_parse(input, len, &l);
	const char *why = rc == 0 ? wellformed(&l) : "out of memory";
	bool		res;

	if (!why && expect_rows >= 0 && l.nresults != expect_rows)
		why = "unexpected number of rows";
	res = ok(why == NULL, "%s", name);
	if (!res)
		printf("# %s (rows %d)\n", why, l.nresults);
	ma_authres_list_free(&l);
	return res;
}

/* ---------------------------------------------------------------------
 * RFC 8601 appendix B
 * ---------------------------------------------------------------------
 */
static void
test_rfc8601(void)
{
	/* B.1: no Authentication-Results field at all */
	check("B.1 no field",
		  "From: sender@example.com\r\n"
		  "Date: Fri, Feb 15 2002 16:54:30 -0800\r\n"
		  "To: receiver@example.org\r\n"
		  "Message-ID: <12345.abc@example.com>\r\n"
		  "Subject: here's a sample\r\n"
		  "\r\n"
		  "Hello!  Goodbye!\r\n",
		  "");

	/* B.2: service provided, no authentication done */
	check("B.2 none",
		  "Authentication-Results: example.org 1; none\r\n"
		  "Received: from mail-router.example.com\r\n"
		  "              (mail-router.example.com [192.0.2.1])\r\n"
		  "          by server.example.org (8.11.6/8.11.6)\r\n"
		  "              with ESMTP id g1G0r1kA003489;\r\n"
		  "          Fri, Feb 15 2002 17:19:07 -0800\r\n"
		  "From: sender@example.com\r\n"
		  "\r\n"
		  "Hello!  Goodbye!\r\n",
		  "");
	check("none, value only", "example.com; none", "");
	check("none with comments", "example.com (c) ; (d) none (e)", "");

	/* B.3: service provided, authentication done */
	check("B.3 spf pass",
		  "Authentication-Results: example.com;\r\n"
		  "          spf=pass smtp.mailfrom=example.net\r\n"
		  "Received: from dialup-1-2-3-4.example.net\r\n"
		  "              (dialup-1-2-3-4.example.net [192.0.2.200])\r\n"
		  "          by mail-router.example.com (8.11.6/8.11.6)\r\n"
		  "              with ESMTP id g1G0r1kA003489;\r\n"
		  "          Fri, Feb 15 2002 17:19:07 -0800\r\n"
		  "From: sender@example.net\r\n"
		  "\r\n"
		  "Hello!  Goodbye!\r\n",
		  "example.com|1|spf|pass|\\N|{\"smtp.mailfrom\": \"example.net\"}");
	check("B.3 value only", "example.com; spf=pass smtp.mailfrom=example.net",
		  "example.com|1|spf|pass|\\N|{\"smtp.mailfrom\": \"example.net\"}");

	/* B.4: several authentications done, single MTA */
	check("B.4 several, single MTA",
		  "Authentication-Results: example.com;\r\n"
		  "          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
		  "          spf=pass smtp.mailfrom=example.net\r\n"
		  "Authentication-Results: example.com; iprev=pass\r\n"
		  "          policy.iprev=192.0.2.200\r\n"
		  "Received: from dialup-1-2-3-4.example.net ([192.0.2.200])\r\n"
		  "          by mail-router.example.com (8.11.6/8.11.6)\r\n"
		  "          with ESMTPA id i7PK0sH7021929;\r\n"
		  "          Fri, Feb 15 2002 17:19:22 -0800\r\n"
		  "From: sender@example.net\r\n"
		  "\r\n"
		  "Hello!  Goodbye!\r\n",
		  "example.com|1|auth|pass|\\N|{\"smtp.auth\": \"sender@example.net\"}\n"
		  "example.com|1|spf|pass|\\N|{\"smtp.mailfrom\": \"example.net\"}\n"
		  "example.com|1|iprev|pass|\\N|{\"policy.iprev\": \"192.0.2.200\"}");

	/* B.5: several authentications done, different MTAs */
	check("B.5 different MTAs",
		  "Authentication-Results: example.com;\r\n"
		  "          dkim=pass (good signature) header.d=example.com\r\n"
		  "Received: from mail-router.example.com\r\n"
		  "              (mail-router.example.com [192.0.2.1])\r\n"
		  "          by auth-checker.example.com (8.11.6/8.11.6)\r\n"
		  "              with ESMTP id i7PK0sH7021929;\r\n"
		  "          Fri, Feb 15 2002 17:19:22 -0800\r\n"
		  "DKIM-Signature:  v=1; a=rsa-sha256; s=gatsby; d=example.com;\r\n"
		  "          t=1188964191; c=simple/simple; h=From:Date:To:Subject:\r\n"
		  "          Message-Id:Authentication-Results;\r\n"
		  "          bh=sEuZGD/pSr7ANysbY3jtdaQ3Xv9xPQtS0m70;\r\n"
		  "          b=EToRSuvUfQVP3Bkz ... rTB0t0gYnBVCM=\r\n"
		  "Authentication-Results: example.com;\r\n"
		  "          auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n"
		  "          spf=fail smtp.mailfrom=example.com\r\n"
		  "Received: from dialup-1-2-3-4.example.net\r\n"
		  "              (dialup-1-2-3-4.example.net [192.0.2.200])\r\n"
		  "          by mail-router.example.com (8.11.6/8.11.6)\r\n"
		  "          with ESMTPA id g1G0r1kA003489;\r\n"
		  "          Fri, Feb 15 2002 17:19:07 -0800\r\n"
		  "From: sender@example.com\r\n"
		  "\r\n"
		  "Authentication-Results: body.example; spf=pass\r\n",
		  "example.com|1|dkim|pass|\\N|{\"header.d\": \"example.com\"}\n"
		  "example.com|1|auth|pass|\\N|{\"smtp.auth\": \"sender@example.com\"}\n"
		  "example.com|1|spf|fail|\\N|{\"smtp.mailfrom\": \"example.com\"}");

	/* RFC 7601 B.5 had sender-id */
	check("RFC 7601 B.5 sender-id",
		  "Authentication-Results: example.com;\n"
		  "          sender-id=fail header.from=example.com;\n"
		  "          dkim=pass (good signature) header.d=example.com\n",
		  "example.com|1|sender-id|fail|\\N|{\"header.from\": \"example.com\"}\n"
		  "example.com|1|dkim|pass|\\N|{\"header.d\": \"example.com\"}");

	/* B.6: multi-tiered authentication */
	check("B.6 multi-tiered",
		  "Authentication-Results: example.com;\r\n"
		  "      dkim=pass reason=\"good signature\"\r\n"
		  "        header.i=@mail-router.example.net;\r\n"
		  "      dkim=fail reason=\"bad signature\"\r\n"
		  "        header.i=@newyork.example.com\r\n"
		  "Received: from mail-router.example.net\r\n"
		  "          (mail-router.example.net [192.0.2.250])\r\n"
		  "      by chicago.example.com (8.11.6/8.11.6)\r\n"
		  "          for <recipient@chicago.example.com>\r\n"
		  "          with ESMTP id i7PK0sH7021929;\r\n"
		  "      Fri, Feb 15 2002 17:19:22 -0800\r\n"
		  "DKIM-Signature: v=1; a=rsa-sha256; s=furble;\r\n"
		  "      d=mail-router.example.net; t=1188964198; c=relaxed/simple;\r\n"
		  "      h=From:Date:To:Message-Id:Subject:Authentication-Results;\r\n"
		  "      bh=ftA9J6GtX8OpwUECzHnCkRzKw1uk6FNiLfJl5Nmv49E=;\r\n"
		  "      b=oINEO8hgn/gnunsg ... 9n9ODSNFSDij3=\r\n"
		  "Authentication-Results: example.net;\r\n"
		  "      dkim=pass (good signature) header.i=@newyork.example.com\r\n"
		  "Received: from smtp.newyork.example.com\r\n"
		  "          (smtp.newyork.example.com [192.0.2.220])\r\n"
		  "      by mail-router.example.net (8.11.6/8.11.6)\r\n"
		  "          with ESMTP id g1G0r1kA003489;\r\n"
		  "      Fri, Feb 15 2002 17:19:07 -0800\r\n"
		  "DKIM-Signature: v=1; a=rsa-sha256; s=gatsby;\r\n"
		  "      d=newyork.example.com;\r\n"
		  "      t=1188964191; c=simple/simple;\r\n"
		  "      h=From:Date:To:Message-Id:Subject;\r\n"
		  "      bh=sEu28nfs9fuZGD/pSr7ANysbY3jtdaQ3Xv9xPQtS0m7=;\r\n"
		  "      b=EToRSuvUfQVP3Bkz ... rTB0t0gYnBVCM=\r\n"
		  "From: sender@newyork.example.com\r\n"
		  "Date: Fri, Feb 15 2002 16:54:30 -0800\r\n"
		  "To: meetings@example.net\r\n"
		  "Message-Id: <12345.abc@newyork.example.com>\r\n"
		  "Subject: here's a sample\r\n"
		  "\r\n"
		  "Hello!  Goodbye!\r\n",
		  "example.com|1|dkim|pass|good signature|{\"header.i\": \"@mail-router.example.net\"}\n"
		  "example.com|1|dkim|fail|bad signature|{\"header.i\": \"@newyork.example.com\"}\n"
		  "example.net|1|dkim|pass|\\N|{\"header.i\": \"@newyork.example.com\"}");

	/* B.7: comment-heavy */
	{
		ma_authres_list l;
		const char *in =
			"Authentication-Results: foo.example.net (foobar) 1 (baz);\r\n"
			"    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
			"      policy (A dot can go here) . (like that) expired\r\n"
			"      (this surprised me) = (as I wasn't expecting it) 1362471462\r\n";

		check("B.7 comment-heavy", in,
			  "foo.example.net|1|dkim|fail|\\N|{\"policy.expired\": \"1362471462\"}");
		ma_authres_parse(in, strlen(in), &l);
		ok(l.nresults == 1 && l.results[0].method_version == 1,
		   "B.7 method version 1 kept apart");
		ma_authres_list_free(&l);
	}
}

/* ---------------------------------------------------------------------
 * Grammar details
 * ---------------------------------------------------------------------
 */
static void
test_grammar(void)
{
	ma_authres_list l;
	const char *in;

	check("field name in any case, version 2",
		  "authentication-results: MX.Example.COM 2; SPF=PASS smtp.MailFrom=A@Example.COM",
		  "MX.Example.COM|2|spf|pass|\\N|{\"smtp.mailfrom\": \"A@Example.COM\"}");
	check("quoted authserv-id",
		  "\"mx.example.com\"; dkim=pass header.d=example.com",
		  "mx.example.com|1|dkim|pass|\\N|{\"header.d\": \"example.com\"}");
	check("quoted values with quoted-pairs",
		  "a.example; dkim=pass header.b=\"ab\\\"c\\\\d\" reason=\"x \\(y\\) z\"",
		  "a.example|1|dkim|pass|x (y) z|{\"header.b\": \"ab\\\"c\\\\d\"}");
	check("nested comments with quoted-pairs everywhere",
		  "(a (b \\) c) d) a.example (x(y(z))) ; (q\\(q) spf (p) = (p\\)) pass (r) "
		  "smtp (s) . (t) mailfrom (u) = (v) a@b.example (w (x))",
		  "a.example|1|spf|pass|\\N|{\"smtp.mailfrom\": \"a@b.example\"}");
	check("angle brackets dropped, null sender",
		  "a.example; spf=pass smtp.mailfrom=<a@b.example>; spf=none smtp.mailfrom=<>",
		  "a.example|1|spf|pass|\\N|{\"smtp.mailfrom\": \"a@b.example\"}\n"
		  "a.example|1|spf|none|\\N|{\"smtp.mailfrom\": \"\"}");
	check("quoted local-part keeps its quotes",
		  "a.example; spf=pass smtp.mailfrom=\"john q\"@b.example",
		  "a.example|1|spf|pass|\\N|{\"smtp.mailfrom\": \"\\\"john q\\\"@b.example\"}");
	check("@domain value", "a.example; dkim=pass header.i=@b.example",
		  "a.example|1|dkim|pass|\\N|{\"header.i\": \"@b.example\"}");
	check("repeated property becomes an array",
		  "a.example; dkim=pass header.d=x.example header.s=s1 header.d=y.example header.d=\"z\"",
		  "a.example|1|dkim|pass|\\N|{\"header.d\": [\"x.example\", \"y.example\", \"z\"], \"header.s\": \"s1\"}");
	check("trailing and empty semicolons",
		  "a.example;; spf=pass;;; dkim=fail ; ;",
		  "a.example|1|spf|pass|\\N|{}\na.example|1|dkim|fail|\\N|{}");
	check("missing semicolon between results",
		  "a.example; spf=pass smtp.mailfrom=b.example dkim=pass header.d=b.example dmarc=fail",
		  "a.example|1|spf|pass|\\N|{\"smtp.mailfrom\": \"b.example\"}\n"
		  "a.example|1|dkim|pass|\\N|{\"header.d\": \"b.example\"}\n"
		  "a.example|1|dmarc|fail|\\N|{}");
	check("missing semicolon after authserv-id",
		  "a.example spf=pass",
		  "a.example|1|spf|pass|\\N|{}");
	check("method/version without semicolon",
		  "a.example; spf=pass dkim/1=pass header.d=x",
		  "a.example|1|spf|pass|\\N|{}\na.example|1|dkim|pass|\\N|{\"header.d\": \"x\"}");
	check("reason after properties, first reason wins",
		  "a.example; dkim=fail header.d=x reason=\"bad sig\" reason=other",
		  "a.example|1|dkim|fail|bad sig|{\"header.d\": \"x\"}");
	check("uppercase and extra white space",
		  "  A.EXAMPLE  ;\t\tDKIM  =  PASS   HEADER . D  =  B.EXAMPLE   ",
		  "A.EXAMPLE|1|dkim|pass|\\N|{\"header.d\": \"B.EXAMPLE\"}");
	check("unknown ptype kept, property lowercased",
		  "a.example; x-foo=pass Policy.Foo.Bar=1 vendor.Thing=\"v\"",
		  "a.example|1|x-foo|pass|\\N|{\"policy.foo.bar\": \"1\", \"vendor.thing\": \"v\"}");
	check("broken resinfo skipped",
		  "a.example; spf; =pass; dkim=; (c) ; dmarc=pass; ???; iprev=fail",
		  "a.example|1|dmarc|pass|\\N|{}\na.example|1|iprev|fail|\\N|{}");
	check("stray words dropped",
		  "a.example; spf=pass whatever smtp.mailfrom=b , \"q\" x. y.=z dkim",
		  "a.example|1|spf|pass|\\N|{\"smtp.mailfrom\": \"b\"}");
	check("no authserv-id, leading semicolon", "; spf=pass",
		  "\\N|1|spf|pass|\\N|{}");
	check("version number too large is junk",
		  "a.example 99999999999; spf=pass",
		  "a.example|1|spf|pass|\\N|{}");
	check("dkim-atps and bimi",
		  "a.example; dkim-atps=pass header.from=x header.d=y; bimi=pass header.d=x header.selector=default policy.indicator-uri=https://x/l.svg",
		  "a.example|1|dkim-atps|pass|\\N|{\"header.from\": \"x\", \"header.d\": \"y\"}\n"
		  "a.example|1|bimi|pass|\\N|{\"header.d\": \"x\", \"header.selector\": \"default\", \"policy.indicator-uri\": \"https://x/l.svg\"}");
	check("base64 values with / + =",
		  "a.example; dkim=pass header.b=ab/+cd== header.a=rsa-sha256",
		  "a.example|1|dkim|pass|\\N|{\"header.b\": \"ab/+cd==\", \"header.a\": \"rsa-sha256\"}");

	in = "a.example; spf=pass; dkim=pass";
	ma_authres_parse(in, strlen(in), &l);
	ok(l.nresults == 2 && l.nfields == 1 && !l.truncated &&
	   l.results[0].field == 1 && !l.results[0].received_spf &&
	   l.results[0].method_version == 0,
	   "struct fields: nfields, field, received_spf, method_version");
	ma_authres_list_free(&l);

	ok(ma_authres_parse(NULL, 0, &l) == 0 && l.nresults == 0, "NULL input");
	ma_authres_list_free(&l);
	ok(ma_authres_parse("", 0, &l) == 0 && l.nresults == 0, "empty input");
	ma_authres_list_free(&l);
	ma_authres_list_free(&l);
	ok(true, "double free of a list is harmless");
	ma_authres_list_free(NULL);
	ok(true, "free(NULL) is harmless");
}

/* ---------------------------------------------------------------------
 * Real-world headers
 * ---------------------------------------------------------------------
 */
static void
test_real_world(void)
{
	check("Gmail",
		  "Authentication-Results: mx.google.com;\r\n"
		  "       dkim=pass header.i=@example.com header.s=20230601 header.b=AbCdEf12;\r\n"
		  "       arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass dkdomain=example.com dmarc=pass fromdomain=example.com);\r\n"
		  "       spf=pass (google.com: domain of alice@example.com designates 209.85.220.41 as permitted sender) smtp.mailfrom=alice@example.com;\r\n"
		  "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com\r\n",
		  "mx.google.com|1|dkim|pass|\\N|{\"header.i\": \"@example.com\", \"header.s\": \"20230601\", \"header.b\": \"AbCdEf12\"}\n"
		  "mx.google.com|1|arc|pass|\\N|{}\n"
		  "mx.google.com|1|spf|pass|\\N|{\"smtp.mailfrom\": \"alice@example.com\"}\n"
		  "mx.google.com|1|dmarc|pass|\\N|{\"header.from\": \"example.com\"}");
	check("Outlook (no authserv-id, compauth)",
		  "Authentication-Results: spf=pass (sender IP is 40.107.1.2)\r\n"
		  " smtp.mailfrom=example.com; dkim=pass (signature was verified)\r\n"
		  " header.d=example.com;dmarc=pass action=none\r\n"
		  " header.from=example.com;compauth=pass reason=100\r\n",
		  "\\N|1|spf|pass|\\N|{\"smtp.mailfrom\": \"example.com\"}\n"
		  "\\N|1|dkim|pass|\\N|{\"header.d\": \"example.com\"}\n"
		  "\\N|1|dmarc|pass|\\N|{\"action\": \"none\", \"header.from\": \"example.com\"}\n"
		  "\\N|1|compauth|pass|100|{}");
	check("Outlook bestguesspass, dkim none",
		  "spf=softfail (sender IP is 192.0.2.9) smtp.mailfrom=x.example; dkim=none (message not signed) header.d=none;dmarc=bestguesspass action=none header.from=x.example;",
		  "\\N|1|spf|softfail|\\N|{\"smtp.mailfrom\": \"x.example\"}\n"
		  "\\N|1|dkim|none|\\N|{\"header.d\": \"none\"}\n"
		  "\\N|1|dmarc|bestguesspass|\\N|{\"action\": \"none\", \"header.from\": \"x.example\"}");
	check("Yahoo",
		  "Authentication-Results: atlas-production.v2-mail-prod1-gq1.omega.yahoo.com;\n"
		  " dkim=pass header.i=@example.com header.s=s1024;\n"
		  " spf=pass smtp.mailfrom=example.com;\n"
		  " dmarc=pass(p=REJECT) header.from=example.com;\n",
		  "atlas-production.v2-mail-prod1-gq1.omega.yahoo.com|1|dkim|pass|\\N|{\"header.i\": \"@example.com\", \"header.s\": \"s1024\"}\n"
		  "atlas-production.v2-mail-prod1-gq1.omega.yahoo.com|1|spf|pass|\\N|{\"smtp.mailfrom\": \"example.com\"}\n"
		  "atlas-production.v2-mail-prod1-gq1.omega.yahoo.com|1|dmarc|pass|\\N|{\"header.from\": \"example.com\"}");
	check("OpenDKIM / OpenDMARC / Postfix policyd-spf",
		  "Return-Path: <a@example.com>\n"
		  "Authentication-Results: mail.example.org; dkim=pass (2048-bit key; unprotected) header.d=example.com header.i=@example.com header.a=rsa-sha256 header.s=mail header.b=Xy/z+12\n"
		  "Authentication-Results: mail.example.org; dmarc=pass (p=none dis=none) header.from=example.com\n"
		  "Authentication-Results: mail.example.org; spf=pass smtp.mailfrom=example.com smtp.helo=mx.example.com\n"
		  "Received-SPF: Pass (mailfrom) identity=mailfrom; client-ip=192.0.2.3; helo=mx.example.com; envelope-from=a@example.com; receiver=<UNKNOWN> \n"
		  "\n",
		  "mail.example.org|1|dkim|pass|\\N|{\"header.d\": \"example.com\", \"header.i\": \"@example.com\", \"header.a\": \"rsa-sha256\", \"header.s\": \"mail\", \"header.b\": \"Xy/z+12\"}\n"
		  "mail.example.org|1|dmarc|pass|\\N|{\"header.from\": \"example.com\"}\n"
		  "mail.example.org|1|spf|pass|\\N|{\"smtp.mailfrom\": \"example.com\", \"smtp.helo\": \"mx.example.com\"}\n"
		  "\\N|1|spf|pass|mailfrom|{\"identity\": \"mailfrom\", \"client-ip\": \"192.0.2.3\", \"helo\": \"mx.example.com\", \"envelope-from\": \"a@example.com\", \"receiver\": \"UNKNOWN\"}");
	check("Fastmail-style versions and policy ptypes",
		  "mx.messagingengine.com; dkim=pass (2048-bit rsa key sha256) header.d=example.com header.i=@example.com header.b=ABC header.a=rsa-sha256 header.s=fm1 x-bits=2048; iprev=pass smtp.remote-ip=192.0.2.4 (mx.example.com); dmarc=pass policy.published-domain-policy=reject policy.applied-disposition=none policy.evaluated-disposition=none (p=reject,d=none,d.eval=none) policy.policy-from=p header.from=example.com",
		  "mx.messagingengine.com|1|dkim|pass|\\N|{\"header.d\": \"example.com\", \"header.i\": \"@example.com\", \"header.b\": \"ABC\", \"header.a\": \"rsa-sha256\", \"header.s\": \"fm1\", \"x-bits\": \"2048\"}\n"
		  "mx.messagingengine.com|1|iprev|pass|\\N|{\"smtp.remote-ip\": \"192.0.2.4\"}\n"
		  "mx.messagingengine.com|1|dmarc|pass|\\N|{\"policy.published-domain-policy\": \"reject\", \"policy.applied-disposition\": \"none\", \"policy.evaluated-disposition\": \"none\", \"policy.policy-from\": \"p\", \"header.from\": \"example.com\"}");
	check("bare ARC-Authentication-Results value: i= skipped",
		  "i=1; mx.google.com;\r\n dkim=pass header.i=@x.example; spf=pass smtp.mailfrom=y",
		  "mx.google.com|1|dkim|pass|\\N|{\"header.i\": \"@x.example\"}\n"
		  "mx.google.com|1|spf|pass|\\N|{\"smtp.mailfrom\": \"y\"}");
	check("ARC-Authentication-Results skipped",
		  "ARC-Authentication-Results: i=1; mx.google.com; spf=pass smtp.mailfrom=x\n"
		  "Authentication-Results: mx.google.com; spf=pass smtp.mailfrom=y\n",
		  "mx.google.com|1|spf|pass|\\N|{\"smtp.mailfrom\": \"y\"}");
}

/* ---------------------------------------------------------------------
 * Received-SPF (RFC 7208 9.1)
 * ---------------------------------------------------------------------
 */
static void
test_received_spf(void)
{
	ma_authres_list l;
	const char *in;

	check("RFC 7208 9.1 example 1",
		  "Received-SPF: pass (mybox.example.org: domain of\r\n"
		  " myname@example.com designates 192.0.2.1 as permitted sender)\r\n"
		  "    receiver=mybox.example.org; client-ip=192.0.2.1;\r\n"
		  "    envelope-from=\"myname@example.com\"; helo=foo.example.com;\r\n",
		  "\\N|1|spf|pass|mybox.example.org: domain of myname@example.com designates 192.0.2.1 as permitted sender|"
		  "{\"receiver\": \"mybox.example.org\", \"client-ip\": \"192.0.2.1\", \"envelope-from\": \"myname@example.com\", \"helo\": \"foo.example.com\"}");
	check("RFC 7208 9.1 example 2",
		  "Received-SPF: fail (mybox.example.org: domain of\r\n"
		  "               myname@example.com does not designate\r\n"
		  "               192.0.2.1 as permitted sender)\r\n"
		  "               identity=mailfrom; client-ip=192.0.2.1;\r\n"
		  "               envelope-from=\"myname@example.com\";\r\n",
		  "\\N|1|spf|fail|mybox.example.org: domain of myname@example.com does not designate 192.0.2.1 as permitted sender|"
		  "{\"identity\": \"mailfrom\", \"client-ip\": \"192.0.2.1\", \"envelope-from\": \"myname@example.com\"}");
	check("value only, mechanism and problem",
		  "PermError (x.example: bad (nested) record) problem=\"unknown mechanism\" mechanism=\"foo:bar\" identity=helo",
		  "\\N|1|spf|permerror|x.example: bad (nested) record|"
		  "{\"problem\": \"unknown mechanism\", \"mechanism\": \"foo:bar\", \"identity\": \"helo\"}");
	check("value only, no comment", "none client-ip=192.0.2.1",
		  "\\N|1|spf|none|\\N|{\"client-ip\": \"192.0.2.1\"}");
	check("Outlook Received-SPF",
		  "Received-SPF: Pass (protection.outlook.com: domain of example.com\r\n"
		  " designates 40.107.1.2 as permitted sender)\r\n"
		  " receiver=protection.outlook.com; client-ip=40.107.1.2;\r\n"
		  " helo=EUR01-VE1-obe.outbound.protection.outlook.com; pr=C\r\n",
		  "\\N|1|spf|pass|protection.outlook.com: domain of example.com designates 40.107.1.2 as permitted sender|"
		  "{\"receiver\": \"protection.outlook.com\", \"client-ip\": \"40.107.1.2\", \"helo\": \"EUR01-VE1-obe.outbound.protection.outlook.com\", \"pr\": \"C\"}");
	check("Received-SPF without result", "Received-SPF: client-ip=192.0.2.1", "");
	check("Received-SPF empty", "Received-SPF:\r\n\r\n", "");
	check("\"pass;\" alone is an authserv-id", "pass; spf=fail",
		  "pass|1|spf|fail|\\N|{}");
	check("\"pass.example\" is an authserv-id", "pass.example spf=fail",
		  "pass.example|1|spf|fail|\\N|{}");

	in = "Received-SPF: softfail (c) client-ip=192.0.2.1";
	ma_authres_parse(in, strlen(in), &l);
	ok(l.nresults == 1 && l.results[0].received_spf && !l.results[0].authserv_id &&
	   l.results[0].version == 1, "Received-SPF row flags");
	ma_authres_list_free(&l);
}

/* ---------------------------------------------------------------------
 * Whole messages
 * ---------------------------------------------------------------------
 */
static const char sample_message[] =
	"From alice@example.com Mon Jan  1 00:00:00 2024\n"
	"Return-Path: <alice@example.com>\r\n"
	"Received-SPF: pass (mx.example.org: domain of alice@example.com\r\n"
	"\tdesignates 192.0.2.1 as permitted sender) client-ip=192.0.2.1;\r\n"
	"\tenvelope-from=\"alice@example.com\"; helo=out.example.com;\r\n"
	"Authentication-Results: mx.example.org 1;\r\n"
	"\tdkim=pass (1024-bit key) header.d=example.com header.i=@example.com\r\n"
	"\t  header.s=sel header.b=\"abcd1234\";\r\n"
	"\tspf=pass smtp.mailfrom=alice@example.com;\r\n"
	"\tdmarc=pass (p=reject) policy.dmarc=reject header.from=example.com\r\n"
	"Subject: Authentication-Results: fake.example; spf=fail\r\n"
	"X-Note: value with a colon: here\r\n"
	"AUTHENTICATION-RESULTS : relay.example; iprev=pass policy.iprev=192.0.2.1\r\n"
	"\r\n"
	"Authentication-Results: body.example; spf=fail\r\n";

static const char sample_expected[] =
	"\\N|1|spf|pass|mx.example.org: domain of alice@example.com designates 192.0.2.1 as permitted sender|"
	"{\"client-ip\": \"192.0.2.1\", \"envelope-from\": \"alice@example.com\", \"helo\": \"out.example.com\"}\n"
	"mx.example.org|1|dkim|pass|\\N|{\"header.d\": \"example.com\", \"header.i\": \"@example.com\", \"header.s\": \"sel\", \"header.b\": \"abcd1234\"}\n"
	"mx.example.org|1|spf|pass|\\N|{\"smtp.mailfrom\": \"alice@example.com\"}\n"
	"mx.example.org|1|dmarc|pass|\\N|{\"policy.dmarc\": \"reject\", \"header.from\": \"example.com\"}\n"
	"relay.example|1|iprev|pass|\\N|{\"policy.iprev\": \"192.0.2.1\"}";

static void
test_messages(void)
{
	ma_authres_list l;

	check("message: mbox line, folding, several fields, body ignored",
		  sample_message, sample_expected);
	ma_authres_parse(sample_message, strlen(sample_message), &l);
	ok(l.nfields == 3 && l.nresults == 5 && l.results[0].field == 1 &&
	   l.results[1].field == 2 && l.results[4].field == 3,
	   "message: field ordinals");
	ma_authres_list_free(&l);

	check("LF only, leading blank lines",
		  "\n\n  Authentication-Results: a.example;\n spf=pass\n smtp.mailfrom=b.example\nTo: x\n",
		  "a.example|1|spf|pass|\\N|{\"smtp.mailfrom\": \"b.example\"}");
	check("unindented continuation line",
		  "Authentication-Results: a.example;\nspf=pass smtp.mailfrom=b.example\n",
		  "a.example|1|spf|pass|\\N|{\"smtp.mailfrom\": \"b.example\"}");
	check("message without body separator",
		  "To: x\r\nAuthentication-Results: a.example; spf=pass",
		  "a.example|1|spf|pass|\\N|{}");
	check("a field after the empty line is body",
		  "To: x\n\nAuthentication-Results: a.example; spf=pass\n", "");
	check("field whose only value is folded away",
		  "Authentication-Results:\r\n a.example;\r\n\tdkim=pass\r\n",
		  "a.example|1|dkim|pass|\\N|{}");
}

/* ---------------------------------------------------------------------
 * JSON
 * ---------------------------------------------------------------------
 */
static void
test_json(void)
{
	ma_authres_result r;
	ma_authres_prop p[4];
	char	   *js;

	memset(&r, 0, sizeof(r));
	js = ma_authres_properties_json(&r);
	ok(js && strcmp(js, "{}") == 0, "json: no properties");
	free(js);
	js = ma_authres_properties_json(NULL);
	ok(js && strcmp(js, "{}") == 0, "json: NULL row");
	free(js);

	p[0].name = "a.b";
	p[0].value = "q\"b\\s/\x01\x1f\t\n\x7f";
	p[1].name = "u.tf8";
	p[1].value = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
	p[2].name = "bad.utf8";
	p[2].value = "a\xff" "b\xc3" "c\xed\xa0\x80" "d\xe0\x80\x80" "e\xf4\x90\x80\x80" "f\xc0\xaf";
	p[3].name = "a.b";
	p[3].value = "";
	r.props = p;
	r.nprops = 4;
	js = ma_authres_properties_json(&r);
	ok(js && strcmp(js,
					"{\"a.b\": [\"q\\\"b\\\\s/\\u0001\\u001f\\u0009\\u000a\x7f\", \"\"], "
					"\"u.tf8\": \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\", "
					"\"bad.utf8\": \"a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
					"d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "e\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
					"f\xef\xbf\xbd\xef\xbf\xbd\"}") == 0,
	   "json: escaping, arrays, invalid UTF-8 replaced");
	if (js && !valid_json_text(js))
		printf("# %s\n", js);
	ok(js && valid_json_text(js), "json: output is valid UTF-8");
	free(js);

	check("json through the parser: control bytes in a quoted value",
		  "a.example; dkim=pass header.b=\"x\x01y\x7f\\\x02\"",
		  "a.example|1|dkim|pass|\\N|{\"header.b\": \"x\\u0001y\x7f\\u0002\"}");

	/* many names: O(n log n), order of first appearance */
	{
		char		big[200000];
		size_t		o;
		int			i;
		ma_authres_list l;
		double		t0;

		o = (size_t) snprintf(big, sizeof(big), "a.example; spf=pass");
		for (i = 0; i < 1200 && o < sizeof(big) - 64; i++)
			o += (size_t) snprintf(big + o, sizeof(big) - o, " p.n%d=%d", i % 700, i);
		ma_authres_parse(big, o, &l);
		t0 = now();
		js = l.nresults == 1 ? ma_authres_properties_json(&l.results[0]) : NULL;
		ok(l.nresults == 1 && l.results[0].nprops == MA_AUTHRES_MAX_PROPS && l.truncated,
		   "props capped at %d per row", MA_AUTHRES_MAX_PROPS);
		ok(js && strncmp(js, "{\"p.n0\": [\"0\", \"700\"], \"p.n1\": [\"1\", \"701\"]", 40) == 0 &&
		   strstr(js, "\"p.n699\": \"699\"}") != NULL,
		   "json: 1000 properties, grouped in order (%.3f s)", now() - t0);
		free(js);
		ma_authres_list_free(&l);
	}
}

/* ---------------------------------------------------------------------
 * Hostile input
 * ---------------------------------------------------------------------
 */
static char *
repeat(const char *head, const char *unit, size_t times, const char *tail, size_t *len)
{
	size_t		hl = strlen(head),
				ul = strlen(unit),
				tl = strlen(tail);
	char	   *s = malloc(hl + ul * times + tl + 1);
	size_t		i;

	if (!s)
		abort();
	memcpy(s, head, hl);
	for (i = 0; i < times; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + ul * times, tail, tl + 1);
	*len = hl + ul * times + tl;
	return s;
}

static uint32_t rng_state = 12345;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void
test_hostile(void)
{
	size_t		n = strlen(sample_message);
	size_t		i;
	int			bad = 0;
	char	   *s;
	size_t		len;
	double		t0;
	ma_authres_list l;

	/* every prefix of the sample message */
	for (i = 0; i <= n; i++)
	{
		char	   *copy = malloc(i ? i : 1);

		memcpy(copy, sample_message, i);
		if (ma_authres_parse(copy, i, &l) != 0 || wellformed(&l) || l.nresults > 5)
			bad++;
		ma_authres_list_free(&l);
		free(copy);
	}
	ok(bad == 0, "sample message truncated at each of %zu bytes", n + 1);

	/* every prefix of a comment- and quote-heavy value */
	{
		const char *v = "foo.example (c\\)(d)) 1 ; dkim (x) / 1 = (y) pass reason=\"a\\\"b\" "
			"header.i=\"l p\"@x.example (z ; spf=pass smtp.mailfrom=<a@b>;";
		size_t		vn = strlen(v);

		bad = 0;
		for (i = 0; i <= vn; i++)
		{
			char	   *copy = malloc(i ? i : 1);

			memcpy(copy, v, i);
			if (ma_authres_parse(copy, i, &l) != 0 || wellformed(&l) || l.nresults > 1)
				bad++;
			ma_authres_list_free(&l);
			free(copy);
		}
		ok(bad == 0, "comment-heavy value truncated at each of %zu bytes", vn + 1);
	}

	hostile("unterminated comment", "a.example; spf=pass (never closed smtp.mailfrom=x", 50, 1);
	hostile("unterminated comment in authserv-id", "a.example (x; spf=pass", 22, 0);
	hostile("unterminated quote", "a.example; dkim=pass header.b=\"abc; spf=pass", 44, 1);
	hostile("unterminated quote with trailing backslash", "a.example; dkim=pass header.b=\"abc\\", 35, 1);
	hostile("lone backslash in comment at end", "a.example; spf=pass (\\", 22, 1);
	hostile("stray closing parentheses", ")))a.example; ))) spf=pass ))) ; dkim=pass", 43, -1);
	check("stray ) inside a resinfo",
		  "a.example; spf=pass ) smtp.mailfrom=x )", "a.example|1|spf|pass|\\N|{\"smtp.mailfrom\": \"x\"}");

	/* 10,000 nested comments */
	s = repeat("a.example; spf=pass ", "(", 10000, " smtp.mailfrom=x", &len);
	hostile("10,000 '(' unterminated", s, len, 1);
	free(s);
	{
		size_t		l1,
					l2;
		char	   *open = repeat("a.example; spf=pass ", "(", 10000, "", &l1);
		char	   *close = repeat("", ")", 10000, " smtp.mailfrom=x", &l2);
		char	   *both = malloc(l1 + l2 + 1);

		memcpy(both, open, l1);
		memcpy(both + l1, close, l2 + 1);
		check_n("10,000 nested comments closed", both, l1 + l2,
				"a.example|1|spf|pass|\\N|{\"smtp.mailfrom\": \"x\"}");
		free(open);
		free(close);
		free(both);
	}

	/* NUL bytes are junk blanks */
	{
		static const char nul[] = "a.example;\0spf=pass\0smtp.mailfrom=a\0b\0;dkim=pa\0ss";

		check_n("NUL bytes are junk", nul, sizeof(nul) - 1,
				"a.example|1|spf|pass|\\N|{\"smtp.mailfrom\": \"a\"}\n"
				"a.example|1|dkim|pa|\\N|{}");
		check_n("NUL inside quoted value is a blank",
				"a.example; dkim=pass header.b=\"x\0y\"", 34,
				"a.example|1|dkim|pass|\\N|{\"header.b\": \"x y\"}");
		check_n("NUL in a message header",
				"To: x\0\nAuthentication-Results: a\0.example; spf=pass\n", 52,
				"a|1|spf|pass|\\N|{}");
	}

	/* 1 MB of ';' */
	s = repeat("a.example", ";", 1024 * 1024, "", &len);
	t0 = now();
	hostile("1 MB of ';'", s, len, 0);
	printf("# %.3f s\n", now() - t0);
	free(s);

	/* 100,000 results: capped */
	s = repeat("Authentication-Results: a.example", "; spf=pass", 100000, "\n", &len);
	t0 = now();
	ma_authres_parse(s, len, &l);
	ok(l.nresults == MA_AUTHRES_MAX_RESULTS && l.truncated && !wellformed(&l),
	   "100,000 results capped at %d (%.3f s)", MA_AUTHRES_MAX_RESULTS, now() - t0);
	ma_authres_list_free(&l);
	free(s);

	/* 100,000 fields of one result each: capped too */
	s = repeat("To: x\n", "Authentication-Results: a.example; spf=pass\n", 100000, "\n", &len);
	ma_authres_parse(s, len, &l);
	ok(l.nresults == MA_AUTHRES_MAX_RESULTS && l.truncated,
	   "100,000 fields capped at %d rows", MA_AUTHRES_MAX_RESULTS);
	ma_authres_list_free(&l);
	free(s);

	/* a field over 1 MB: cut at its last ';' */
	{
		const char *unit = "; dkim=pass header.d=example.com header.s=selector1 "
			"header.b=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789\r\n\t";
		size_t		ul = strlen(unit);
		size_t		times = 2 * MA_AUTHRES_MAX_FIELD / ul;
		int			j,
					complete = 1;

		s = repeat("Authentication-Results: a.example", unit, times, "\r\nTo: x\r\n\r\n", &len);
		t0 = now();
		ma_authres_parse(s, len, &l);
		for (j = 0; j < l.nresults; j++)
			if (l.results[j].nprops != 3 ||
				strlen(l.results[j].props[2].value) != 124)
				complete = 0;
		/* unfolded, a unit loses its CRLF */
		ok(l.truncated && complete &&
		   (size_t) l.nresults == (MA_AUTHRES_MAX_FIELD - 11) / (ul - 2),
		   "2 MB field cut at the last ';' within 1 MB: %d complete rows (%.3f s)",
		   l.nresults, now() - t0);
		ma_authres_list_free(&l);
		free(s);
	}

	/* a 1 MB+ field without ';' and with multibyte characters */
	s = repeat("Received-SPF: pass client-ip=", "\xc3\xa9", MA_AUTHRES_MAX_FIELD, "", &len);
	ma_authres_parse(s, len, &l);
	ok(l.truncated && l.nresults == 1 && !wellformed(&l) &&
	   strlen(l.results[0].props[0].value) % 2 == 0,
	   "over-long value without ';' cut at a character boundary");
	ma_authres_list_free(&l);
	free(s);
	s = repeat("a.example; spf=pass smtp.mailfrom=", "x", MA_AUTHRES_MAX_FIELD, "", &len);
	ma_authres_parse(s, len, &l);
	ok(l.truncated && l.nresults == 0,
	   "over-long resinfo after the last ';' dropped");
	ma_authres_list_free(&l);
	free(s);

	/* 10 MB message */
	s = repeat("Received: x\r\n", "Authentication-Results: a.example; dkim=pass (c (d)) header.d=\"x\\\"y\" reason=r\r\n",
			   10 * 1024 * 1024 / 80, "\r\n", &len);
	t0 = now();
	hostile("10 MB header block", s, len, MA_AUTHRES_MAX_RESULTS);
	printf("# %zu bytes, %.3f s\n", len, now() - t0);
	free(s);

	/* 10 MB of other fields, then one of ours */
	s = repeat("Received: x\r\n", "X-Junk: (((\"\\ ; spf=pass\r\n\t((((((((((((((((((((((((((((((((((\r\n",
			   10 * 1024 * 1024 / 70, "Authentication-Results: a.example; spf=pass\r\n\r\n", &len);
	t0 = now();
	hostile("10 MB of other fields", s, len, 1);
	printf("# %zu bytes, %.3f s\n", len, now() - t0);
	free(s);

	/* 10 MB of "none" fields */
	s = repeat("To: x\r\n", "Authentication-Results: a.example (c) 1;\r\n none\r\n",
			   10 * 1024 * 1024 / 50, "\r\n", &len);
	t0 = now();
	ma_authres_parse(s, len, &l);
	ok(l.nresults == 0 && l.nfields == 10 * 1024 * 1024 / 50,
	   "10 MB of \"none\" fields: no rows, %d fields (%.3f s)", l.nfields, now() - t0);
	ma_authres_list_free(&l);
	free(s);

	/* 10 MB of junk bytes */
	s = malloc(10 * 1024 * 1024);
	for (i = 0; i < 10 * 1024 * 1024; i++)
		s[i] = "(\"\\);= .a@<>\0\n\r\t"[rng() % 16];
	t0 = now();
	hostile("10 MB of random grammar bytes", s, 10 * 1024 * 1024, -1);
	printf("# %.3f s\n", now() - t0);
	free(s);

	/* fuzz: mutations of the sample message and of value-only inputs */
	{
		static const char alphabet[] = "();=\"\\ ./:@<>\r\n\tab1-x";
		const char *seeds[] = {
			sample_message,
			"a.example; dkim=pass header.i=@b.example (c) reason=\"r\"; spf=fail",
			"pass (c (d)) client-ip=192.0.2.1; envelope-from=\"a@b\";",
		};
		int			iter;
		char		m[1024];

		bad = 0;
		for (iter = 0; iter < 30000; iter++)
		{
			const char *seed = seeds[iter % 3];
			size_t		sl = strlen(seed);
			int			k,
						muts = 1 + rng() % 8;

			if (sl > sizeof(m) - 16)
				sl = sizeof(m) - 16;
			memcpy(m, seed, sl);
			for (k = 0; k < muts; k++)
			{
				size_t		pos = rng() % (sl ? sl : 1);

				switch (rng() % 4)
				{
					case 0:		/* replace */
						m[pos] = alphabet[rng() % (sizeof(alphabet) - 1)];
						break;
					case 1:		/* random byte */
						m[pos] = (char) rng();
						break;
					case 2:		/* delete */
						if (sl > 1)
						{
							memmove(m + pos, m + pos + 1, sl - pos - 1);
							sl--;
						}
						break;
					default:	/* insert */
						if (sl < sizeof(m) - 1)
						{
							memmove(m + pos + 1, m + pos, sl - pos);
							m[pos] = alphabet[rng() % (sizeof(alphabet) - 1)];
							sl++;
						}
						break;
				}
			}
			if (ma_authres_parse(m, sl, &l) != 0 || wellformed(&l))
				bad++;
			ma_authres_list_free(&l);
		}
		ok(bad == 0, "30,000 fuzzed inputs parse to well-formed rows");
	}
}

int
main(void)
{
	test_rfc8601();
	test_grammar();
	test_real_world();
	test_received_spf();
	test_messages();
	test_json();
	test_hostile();
	printf("1..%d\n", ntests);
	if (nfailed)
		printf("# %d of %d failed\n", nfailed, ntests);
	return nfailed ? 1 : 0;
}
