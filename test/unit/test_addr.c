/*-------------------------------------------------------------------------
 *
 * test_addr.c
 *	  Unit tests of the RFC 5322 address parser (src/core/ma_addr.c): every
 *	  syntax form (name-addr, addr-spec, groups, routes, literals, comments,
 *	  quoted strings, the obsolete forms), every flag code, RFC 2047 display
 *	  names (Q, B, charsets through iconv, adjacent words, invalid words),
 *	  IDN domains both ways, the canonical local part, parse_one, and hostile
 *	  input (empty, binary junk, 100 KB of nested comments and quotes, 10,000
 *	  addresses, NUL bytes, invalid UTF-8, a 300-character domain).
 *
 * Every string of every parse is also checked for the output contract
 * (valid UTF-8, no control character); one assertion at the end counts the
 * violations.
 *
 * Output is TAP: "ok N - ...", "not ok N - ...", then the plan "1..N".  The
 * exit status is 0 only when every assertion passed.
 *
 * Build and run:
 *	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc -o test/unit/test_addr \
 *		test/unit/test_addr.c src/core/ma_addr.c src/core/ma_idn.c -lidn2
 *	test/unit/test_addr
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_addr.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ma_test.h"

/* ---------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------
 */
static int	contract_violations = 0;

/* valid UTF-8 without control characters */
static bool
clean_text(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;

	while (*p)
	{
		int			k;
		uint32_t	cp;

		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p < 0x80)
		{
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			k = 1, cp = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			k = 2, cp = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			k = 3, cp = *p & 0x07;
		else
			return false;
		for (int j = 1; j <= k; j++)
		{
			if ((p[j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
			(cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += k + 1;
	}
	return true;
}

/* s printable for a test name (C escapes), in one of 4 rotating buffers */
static const char *
esc(const char *s)
{
	static char bufs[4][200];
	static int	k = 0;
	char	   *b = bufs[k++ % 4];
	size_t		o = 0;

	for (; *s && o < sizeof(bufs[0]) - 8; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c < 0x20 || c >= 0x7f)
			o += sprintf(b + o, "\\x%02x", c);
		else
			b[o++] = (char) c;
	}
	if (*s)
		o += sprintf(b + o, "...");
	b[o] = '\0';
	return b;
}

static void
check_contract(const ma_addr_list *l)
{
	if (l->n < 0 || l->n > MA_ADDR_MAX_MAILBOXES)
		contract_violations++;
	if (l->valid != !(l->all_flags & MA_ADDR_INVALID_MASK))
		contract_violations++;
	for (int i = 0; i < l->n; i++)
	{
		const ma_addr *a = &l->items[i];
		const char *const s[] = {a->display_name, a->local_part, a->domain,
		a->domain_unicode, a->addr_spec, a->group};

		if (!a->local_part || !a->addr_spec)
			contract_violations++;
		if ((a->domain == NULL) != (a->domain_unicode == NULL))
			contract_violations++;
		if (a->valid != !(a->flags & MA_ADDR_INVALID_MASK))
			contract_violations++;
		if ((l->all_flags & a->flags) != a->flags)
			contract_violations++;
		for (size_t j = 0; j < sizeof(s) / sizeof(s[0]); j++)
			if (s[j] && !clean_text(s[j]))
			{
				printf("# contract: \"%s\" is not clean text\n", esc(s[j]));
				contract_violations++;
			}
		if (a->display_name && (a->display_name[0] == '\0' || a->display_name[0] == ' '))
			contract_violations++;
	}
}

static ma_addr_list L;


/* parse n bytes into L (the previous result freed) */
static ma_addr_list *
parse_n(const char *s, size_t n)
{
	ma_addr_list_free(&L);
	if (ma_addr_parse_list(s, n, &L) != 0)
		contract_violations++;
	check_contract(&L);
	return &L;
}

static ma_addr_list *
parse(const char *s)
{
	return parse_n(s, strlen(s));
}

static const char *
codes(uint32_t flags)
{
	static char buf[1024];

	ma_addr_flags_str(flags, ",", buf, sizeof(buf));
	return buf;
}

static bool
streq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/*
 * Mailbox i of the last parse: display name, local part, domain, U-label
 * domain (NULL: none) and the exact flags.
 */
static void
check_mb(int line, const char *in, int i, const char *disp, const char *local,
		 const char *dom, const char *uni, uint32_t flags)
{
	const ma_addr *a = i < L.n ? &L.items[i] : NULL;
	bool		ok = a && streq(a->display_name, disp) && streq(a->local_part, local) &&
		streq(a->domain, dom) && streq(a->domain_unicode, uni) && a->flags == flags;

	check(ok, line, "%s [%d]: %s", esc(in), i, codes(flags));
	if (!ok && a)
	{
		printf("#   got:      name=%s local=%s domain=%s uni=%s flags=%s\n",
			   a->display_name ? a->display_name : "NULL", a->local_part,
			   a->domain ? a->domain : "NULL", a->domain_unicode ? a->domain_unicode : "NULL",
			   codes(a->flags));
		printf("#   expected: name=%s local=%s domain=%s uni=%s flags=%s\n",
			   disp ? disp : "NULL", local, dom ? dom : "NULL", uni ? uni : "NULL",
			   codes(flags));
	}
	else if (!ok)
		printf("#   no mailbox %d (n=%d)\n", i, L.n);
}

#define MB(in, i, disp, local, dom, uni, flags) \
	check_mb(__LINE__, (in), (i), (disp), (local), (dom), (uni), (flags))

/* one mailbox: parse in, expect n mailboxes, check the first */
#define ONE(in, disp, local, dom, flags) \
	do { \
		parse(in); \
		OK(L.n == 1, "%s: one mailbox", esc(in)); \
		MB(in, 0, disp, local, dom, dom, flags); \
	} while (0)

/* the list-level flags and counts of the last parse */
#define LIST(in, n_, ngroups_, flags_) \
	do { \
		parse(in); \
		check(L.n == (n_) && L.ngroups == (ngroups_) && L.flags == (flags_), __LINE__, \
			  "%s: %d mailboxes, %d groups, list %s", esc(in), (n_), (ngroups_), codes(flags_)); \
		if (!(L.n == (n_) && L.ngroups == (ngroups_) && L.flags == (flags_))) \
			printf("#   got %d mailboxes, %d groups, list %s\n", L.n, L.ngroups, codes(L.flags)); \
	} while (0)

/* ---------------------------------------------------------------------
 * Syntax forms
 * ---------------------------------------------------------------------
 */
static void
test_forms(void)
{
	/* addr-spec and name-addr */
	ONE("alice@example.com", NULL, "alice", "example.com", 0);
	ONE("Alice Example <alice@example.com>", "Alice Example", "alice", "example.com", 0);
	ONE("<alice@example.com>", NULL, "alice", "example.com", 0);
	ONE("\"Example, Alice\" <alice@example.com>", "Example, Alice", "alice", "example.com", 0);
	ONE("Alice@EXAMPLE.Com", NULL, "Alice", "example.com", 0);
	ONE("  alice @ example.com  ", NULL, "alice", "example.com", 0);
	ONE("a+tag@sub.example.co.uk", NULL, "a+tag", "sub.example.co.uk", 0);
	ONE("!#$%&'*+-/=?^_`{|}~@example.com", NULL, "!#$%&'*+-/=?^_`{|}~", "example.com", 0);
	ONE("x@exa_mple.com", NULL, "x", "exa_mple.com", 0);

	/* comments: nested, quoted-pairs, anywhere */
	ONE("(c1) Alice (c2 (nested \\) x)) <alice(c3)@(c4)example.com> (c5)", "Alice", "alice",
		"example.com", 0);
	ONE("alice@example.com (Alice Example)", "Alice Example", "alice", "example.com",
		MA_ADDR_COMMENT_NAME);
	ONE("(Alice (the (real) one)) alice@example.com", "Alice (the (real) one)", "alice",
		"example.com", MA_ADDR_COMMENT_NAME);
	ONE("<alice@example.com> (Alice)", "Alice", "alice", "example.com", MA_ADDR_COMMENT_NAME);
	ONE("Named <alice@example.com> (not the name)", "Named", "alice", "example.com", 0);

	/* quoted strings with quoted-pairs, and the canonical local part */
	ONE("\"Alice \\\"The Boss\\\" E.\" <a@example.com>", "Alice \"The Boss\" E.", "a",
		"example.com", 0);
	ONE("\"john\"@example.com", NULL, "john", "example.com", 0);
	ONE("\"john doe\"@example.com", NULL, "\"john doe\"", "example.com", 0);
	ONE("\"john\\ doe\"@example.com", NULL, "\"john doe\"", "example.com", 0);
	ONE("\"a\\\"b\"@example.com", NULL, "\"a\\\"b\"", "example.com", 0);
	ONE("\"a\\\\b\"@example.com", NULL, "\"a\\\\b\"", "example.com", 0);
	ONE("\"a@b\"@example.com", NULL, "\"a@b\"", "example.com", 0);
	ONE("\"a..b\"@example.com", NULL, "\"a..b\"", "example.com", 0);
	ONE("\"\\j\\o\\h\\n\"@example.com", NULL, "john", "example.com", 0);
	ONE("\"Fold\r\n ed\" <f@example.com>", "Fold ed", "f", "example.com", 0);

	/* obs-local-part, obs-domain: CFWS between words and dots */
	ONE("john . doe @ example . com", NULL, "john.doe", "example.com", MA_ADDR_OBSOLETE);
	ONE("john(c).doe@example.com", NULL, "john.doe", "example.com", MA_ADDR_OBSOLETE);
	ONE("\"john\".doe@example.com", NULL, "john.doe", "example.com", MA_ADDR_OBSOLETE);
	ONE("\"john\".\"doe\"@example.com", NULL, "john.doe", "example.com", MA_ADDR_OBSOLETE);
	ONE("\"john.\".doe@example.com", NULL, "\"john..doe\"", "example.com", MA_ADDR_OBSOLETE);
	ONE("\"john x\".doe@example.com", NULL, "\"john x.doe\"", "example.com", MA_ADDR_OBSOLETE);
	ONE("john@example (c) . com", NULL, "john", "example.com", MA_ADDR_OBSOLETE);

	/* obs-phrase: dots in the display name */
	ONE("John Q. Public <jqp@example.com>", "John Q. Public", "jqp", "example.com",
		MA_ADDR_OBSOLETE);
	ONE("J.R.R. Tolkien <t@example.com>", "J.R.R. Tolkien", "t", "example.com",
		MA_ADDR_OBSOLETE);

	/* obs-route */
	ONE("<@a.example,@b.example:user@dom.example>", NULL, "user", "dom.example",
		MA_ADDR_OBSOLETE | MA_ADDR_ROUTE);
	ONE("Name <@a.example, (c) @b.example : user@dom.example>", "Name", "user", "dom.example",
		MA_ADDR_OBSOLETE | MA_ADDR_ROUTE);
	ONE("<@a.example,junk\"q\":u@d.example>", NULL, "u", "d.example",
		MA_ADDR_OBSOLETE | MA_ADDR_ROUTE | MA_ADDR_SYNTAX);
	LIST("<@a.example,@b.example:a@x.example>, b@y.example", 2, 0, 0);
	ONE("<@a.example>", NULL, "", "a.example", MA_ADDR_EMPTY_LOCAL);

	/* domain literals */
	ONE("u@[192.0.2.1]", NULL, "u", "[192.0.2.1]", MA_ADDR_DOMAIN_LITERAL);
	ONE("u@[ 192.0.2.1 ]", NULL, "u", "[192.0.2.1]", MA_ADDR_DOMAIN_LITERAL);
	ONE("u@[IPv6:2001:DB8:0:0::1]", NULL, "u", "[ipv6:2001:db8::1]", MA_ADDR_DOMAIN_LITERAL);
	ONE("u@[ipv6:::ffff:192.0.2.1]", NULL, "u", "[ipv6:::ffff:192.0.2.1]",
		MA_ADDR_DOMAIN_LITERAL);
	ONE("u@[Example.COM]", NULL, "u", "[example.com]",
		MA_ADDR_DOMAIN_LITERAL | MA_ADDR_BAD_LITERAL);
	ONE("u@[300.1.1.1]", NULL, "u", "[300.1.1.1]",
		MA_ADDR_DOMAIN_LITERAL | MA_ADDR_BAD_LITERAL);
	ONE("u@[IPv6:zz]", NULL, "u", "[ipv6:zz]", MA_ADDR_DOMAIN_LITERAL | MA_ADDR_BAD_LITERAL);
	ONE("u@[]", NULL, "u", "[]", MA_ADDR_DOMAIN_LITERAL | MA_ADDR_BAD_LITERAL);
	ONE("u@[1.2\\.3.4]", NULL, "u", "[1.2.3.4]", MA_ADDR_DOMAIN_LITERAL | MA_ADDR_OBSOLETE);
	ONE("u@[1[2]", NULL, "u", "[1[2]",
		MA_ADDR_DOMAIN_LITERAL | MA_ADDR_BAD_LITERAL | MA_ADDR_INVALID_CHAR);

	/* missing angle brackets */
	ONE("John Doe john@example.com", "John Doe", "john", "example.com", MA_ADDR_NO_ANGLE);
	ONE("\"John Doe\" john@example.com", "John Doe", "john", "example.com", MA_ADDR_NO_ANGLE);
	ONE("John Doe john.doe@example.com", "John Doe", "john.doe", "example.com",
		MA_ADDR_NO_ANGLE);

	/* trailing junk */
	ONE("alice@example.com junk", NULL, "alice", "example.com", MA_ADDR_TRAILING_JUNK);
	ONE("alice@example.com>", NULL, "alice", "example.com", MA_ADDR_TRAILING_JUNK);
	ONE("<alice@example.com> junk", NULL, "alice", "example.com", MA_ADDR_TRAILING_JUNK);
	ONE("A <a@example.com> <b@example.com>", "A", "a", "example.com", MA_ADDR_TRAILING_JUNK);
	ONE("a@b@example.com", NULL, "a", "b", MA_ADDR_TRAILING_JUNK);
	ONE("a@example.com:x", NULL, "a", "example.com", MA_ADDR_TRAILING_JUNK);

	/* addr-spec junk inside the brackets */
	ONE("<john doe@example.com>", NULL, "\"john doe\"", "example.com",
		MA_ADDR_SYNTAX | MA_ADDR_OBSOLETE);
	ONE("<a@example.com b>", NULL, "a", "example.com", MA_ADDR_SYNTAX);
	ONE("<<a@example.com>>", NULL, "a", "example.com", MA_ADDR_SYNTAX | MA_ADDR_TRAILING_JUNK);

	/* a special in the display name */
	ONE("alice@example.com <alice@example.com>", "alice@example.com", "alice", "example.com",
		MA_ADDR_INVALID_CHAR | MA_ADDR_OBSOLETE);
	ONE("A > B <a@example.com>", "A > B", "a", "example.com", MA_ADDR_INVALID_CHAR);

	/* folding */
	parse("Alice <alice@example.com>,\r\n Bob <bob@example.com>,\n\tCarol <c@example.com>\r\n");
	OK(L.n == 3 && L.valid, "folded list: 3 mailboxes, valid");
	MB("folded list", 2, "Carol", "c", "example.com", "example.com", 0);
}

static void
test_lists_and_groups(void)
{
	LIST("a@x.example, b@y.example,c@z.example", 3, 0, 0);
	MB("list", 1, NULL, "b", "y.example", "y.example", 0);
	LIST("undisclosed-recipients:;", 0, 1, 0);
	OK(L.valid, "undisclosed-recipients:; is a valid address list");
	LIST("undisclosed-recipients: ;", 0, 1, 0);
	LIST("Undisclosed recipients:(none);", 0, 1, 0);
	LIST("team: a@x.example, B <b@y.example>;", 2, 1, 0);
	MB("group", 0, NULL, "a", "x.example", "x.example", MA_ADDR_GROUP);
	MB("group", 1, "B", "b", "y.example", "y.example", MA_ADDR_GROUP);
	OK(streq(L.items[0].group, "team") && streq(L.items[1].group, "team"), "group name kept");
	LIST("team: a@x.example;, c@z.example", 2, 1, 0);
	OK(L.items[1].group == NULL && !(L.items[1].flags & MA_ADDR_GROUP),
	   "after the group: no group");
	LIST("g1: a@x.example;, g2:;, b@y.example", 2, 2, 0);
	LIST("=?utf-8?q?=C3=A9quipe?=: a@x.example;", 1, 1, 0);
	OK(streq(L.items[0].group, "\xc3\xa9quipe"), "group name decoded");

	/* obs-mbox-list: empty elements */
	LIST("a@x.example, , b@y.example", 2, 0, MA_ADDR_OBSOLETE);
	OK(L.valid, "empty elements are obsolete, not invalid");
	LIST(", a@x.example", 1, 0, MA_ADDR_OBSOLETE);
	LIST("a@x.example,", 1, 0, MA_ADDR_OBSOLETE);
	LIST("a@x.example, (comment) ,b@y.example", 2, 0, MA_ADDR_OBSOLETE);
	LIST("g: , a@x.example;", 1, 1, MA_ADDR_OBSOLETE);

	/* group problems */
	LIST("team: a@x.example, b@y.example", 2, 1, MA_ADDR_UNTERM_GROUP);
	OK(!L.valid, "unterminated group: invalid");
	LIST("a@x.example; b@y.example", 2, 0, MA_ADDR_SYNTAX);
	LIST("g: a@x.example; b@y.example", 2, 1, MA_ADDR_SYNTAX);
	LIST(": a@x.example;", 1, 1, MA_ADDR_SYNTAX);
	LIST("g: h: a@x.example;", 1, 1, 0);
	MB("nested group", 0, "h:", "a", "x.example", "x.example",
	   MA_ADDR_GROUP | MA_ADDR_SYNTAX | MA_ADDR_INVALID_CHAR | MA_ADDR_NO_ANGLE);

	/* empty */
	LIST("", 0, 0, MA_ADDR_EMPTY);
	OK(!L.valid, "empty input: invalid");
	LIST("   \r\n  ", 0, 0, MA_ADDR_EMPTY);
	LIST("(just a comment)", 0, 0, MA_ADDR_EMPTY);
	parse_n(NULL, 5);
	OK(L.n == 0 && L.flags == MA_ADDR_EMPTY, "NULL input: empty");

	/* line breaks that are not folds */
	parse("a@x.example,\r\nb@y.example");
	OK(L.n == 2 && (L.items[1].flags & MA_ADDR_INVALID_CHAR), "bare line break: invalid_char");
	parse("a@x.example\r\n");
	OK(L.n == 1 && L.valid, "a trailing CRLF is fine");
	parse("a@x.example\r\n\r\n b@y.example");
	OK(!L.valid, "an empty line inside the value: invalid");
}

/* ---------------------------------------------------------------------
 * Every flag code
 * ---------------------------------------------------------------------
 */
/* a domain of exactly n octets: labels of at most 63 */
static void
mkdomain(char *out, size_t n)
{
	size_t		o = 0;
	char		c = 'a';

	while (o < n)
	{
		size_t		rest = n - o,
					l = rest <= 63 ? rest : (rest - 2 < 63 ? rest - 2 : 63);

		memset(out + o, c++, l);
		o += l;
		if (o < n)
			out[o++] = '.';
	}
	out[o] = '\0';
}

static void
test_flags(void)
{
	char		buf[2048];

	ONE("user", NULL, "user", NULL, MA_ADDR_NO_DOMAIN);
	ONE("<user>", NULL, "user", NULL, MA_ADDR_NO_DOMAIN);
	ONE("user@", NULL, "user", NULL, MA_ADDR_NO_DOMAIN);
	ONE("John Doe", "John Doe", "", NULL, MA_ADDR_EMPTY_LOCAL | MA_ADDR_NO_DOMAIN);
	ONE("@example.com", NULL, "", "example.com", MA_ADDR_EMPTY_LOCAL);
	ONE("\"\"@example.com", NULL, "", "example.com", MA_ADDR_EMPTY_LOCAL);
	ONE("<>", NULL, "", NULL, MA_ADDR_EMPTY_LOCAL | MA_ADDR_NO_DOMAIN);
	ONE("a.@example.com", NULL, "a.", "example.com", MA_ADDR_BAD_LOCAL);
	ONE(".a@example.com", NULL, ".a", "example.com", MA_ADDR_BAD_LOCAL);
	ONE("a..b@example.com", NULL, "a..b", "example.com", MA_ADDR_BAD_LOCAL);
	ONE("a@x..example", NULL, "a", "x..example", MA_ADDR_BAD_DOMAIN);
	ONE("a@.example", NULL, "a", ".example", MA_ADDR_BAD_DOMAIN);
	ONE("a@example.", NULL, "a", "example.", MA_ADDR_BAD_DOMAIN);
	ONE("jo)hn@example.com", NULL, "jo)hn", "example.com", MA_ADDR_INVALID_CHAR);
	ONE("jo\\hn@example.com", NULL, "jo\\hn", "example.com", MA_ADDR_INVALID_CHAR);
	ONE("jo\x01hn@example.com", NULL, "jo\xef\xbf\xbdhn", "example.com", MA_ADDR_INVALID_CHAR);
	ONE("a@exa\x7fmple.com", NULL, "a", "exa\xef\xbf\xbdmple.com", MA_ADDR_INVALID_CHAR);
	ONE("\"a\x01\"@example.com", NULL, "a\xef\xbf\xbd", "example.com", MA_ADDR_OBSOLETE);

	/* lengths */
	memset(buf, 'l', 64);
	strcpy(buf + 64, "@example.com");
	ONE(buf, NULL, "llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll",
		"example.com", 0);
	memset(buf, 'l', 65);
	strcpy(buf + 65, "@example.com");
	parse(buf);
	OK(L.n == 1 && L.items[0].flags == MA_ADDR_LOCAL_TOO_LONG, "65-octet local part");
	strcpy(buf, "a@");
	memset(buf + 2, 'd', 63);
	strcpy(buf + 65, ".example");
	parse(buf);
	OK(L.n == 1 && L.items[0].flags == 0, "63-octet label");
	strcpy(buf, "a@");
	memset(buf + 2, 'd', 64);
	strcpy(buf + 66, ".example");
	parse(buf);
	OK(L.n == 1 && L.items[0].flags == MA_ADDR_LABEL_TOO_LONG, "64-octet label");
	/* 300-character domain: labels of 50 */
	strcpy(buf, "a@");
	for (int i = 0; i < 6; i++)
	{
		memset(buf + 2 + i * 51, 'a' + i, 50);
		buf[2 + i * 51 + 50] = '.';
	}
	strcpy(buf + 2 + 6 * 51, "com");
	parse(buf);
	OK(L.n == 1 && L.items[0].flags == MA_ADDR_DOMAIN_TOO_LONG && strlen(L.items[0].domain) == 309,
	   "309-octet domain: domain_too_long (%s)", codes(L.n ? L.items[0].flags : 0));
	/* 255 is still fine, 256 is not */
	strcpy(buf, "a@");
	mkdomain(buf + 2, 255);
	parse(buf);
	OK(L.n == 1 && L.items[0].flags == 0 && strlen(L.items[0].domain) == 255,
	   "255-octet domain is fine");
	mkdomain(buf + 2, 256);
	parse(buf);
	OK(L.n == 1 && L.items[0].flags == MA_ADDR_DOMAIN_TOO_LONG && strlen(L.items[0].domain) == 256,
	   "256-octet domain");
	/* a UTF-8 label too long once converted (and a UTF-8 domain) */
	strcpy(buf, "a@");
	memset(buf + 2, 'a', 60);
	strcpy(buf + 62, "\xc3\xa9.example");
	parse(buf);
	OK(L.n == 1 && L.items[0].flags == (MA_ADDR_LABEL_TOO_LONG | MA_ADDR_UTF8) && !L.valid,
	   "60 a + U+00E9 label: label_too_long (%s)", codes(L.n ? L.items[0].flags : 0));
	strcpy(buf, "a@");
	for (int i = 0; i < 5; i++)
	{
		memset(buf + 2 + i * 61, 'a' + i, 60);
		memcpy(buf + 2 + i * 61 + 60, ".", 1);
	}
	strcpy(buf + 2 + 5 * 61, "\xc3\xa9");
	parse(buf);
	OK(L.n == 1 && L.items[0].flags == (MA_ADDR_DOMAIN_TOO_LONG | MA_ADDR_UTF8) && !L.valid,
	   "307-octet UTF-8 domain: domain_too_long (%s)", codes(L.n ? L.items[0].flags : 0));

	/* unterminated things */
	ONE("\"Alice <alice@example.com>", NULL, "\"Alice <alice@example.com>\"", NULL,
		MA_ADDR_UNTERM_QUOTE | MA_ADDR_NO_DOMAIN);
	ONE("Alice <alice@example.com", "Alice", "alice", "example.com", MA_ADDR_UNTERM_ANGLE);
	ONE("Alice <alice@example.com, bob@example.net", "Alice", "alice", "example.com",
		MA_ADDR_UNTERM_ANGLE | MA_ADDR_SYNTAX);
	ONE("alice@[192.0.2.1", NULL, "alice", "[192.0.2.1]",
		MA_ADDR_DOMAIN_LITERAL | MA_ADDR_UNTERM_LITERAL);
	ONE("alice@example.com (Alice", "Alice", "alice", "example.com",
		MA_ADDR_UNTERM_COMMENT | MA_ADDR_COMMENT_NAME);
	LIST("(Alice alice@example.com", 0, 0, MA_ADDR_UNTERM_COMMENT | MA_ADDR_EMPTY);

	/* NUL bytes and 8-bit */
	parse_n("ali\0ce@example.com", 18);
	OK(L.n == 1 && L.items[0].flags == MA_ADDR_NUL && !L.valid &&
	   strcmp(L.items[0].local_part, "ali\xef\xbf\xbd" "ce") == 0, "NUL in the local part");
	parse_n("Al\0ice <a@example.com>", 22);
	OK(L.n == 1 && L.items[0].flags == MA_ADDR_NUL &&
	   streq(L.items[0].display_name, "Al\xef\xbf\xbdice"), "NUL in the display name");
	parse_n("a@example.com (\0)", 17);
	OK(L.n == 1 && (L.items[0].flags & MA_ADDR_NUL), "NUL in a comment");
	parse_n("a@example.com, \"\\\0\"@x.example", 29);
	OK(L.n == 2 && L.items[1].flags == MA_ADDR_NUL, "NUL as a quoted-pair");
	parse_n("a@example.com\0", 14);
	OK(L.n == 1 && (L.items[0].flags & MA_ADDR_NUL), "trailing NUL");
	ONE("J\xc3\xb6rg <j\xc3\xb6rg@example.com>", "J\xc3\xb6rg", "j\xc3\xb6rg", "example.com",
		MA_ADDR_UTF8);
	ONE("J\xf6rg <j@example.com>", "J\xef\xbf\xbdrg", "j", "example.com", MA_ADDR_INVALID_UTF8);
	ONE("j\xf6rg@example.com", NULL, "j\xef\xbf\xbdrg", "example.com", MA_ADDR_INVALID_UTF8);
	ONE("j@ex\xe9mple.com", NULL, "j", "ex\xef\xbf\xbdmple.com", MA_ADDR_INVALID_UTF8);
	ONE("\"\xc0\xaf\"@example.com", NULL, "\xef\xbf\xbd\xef\xbf\xbd", "example.com",
		MA_ADDR_INVALID_UTF8);
	ONE("\xed\xa0\x80@example.com", NULL, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "example.com",
		MA_ADDR_INVALID_UTF8);

	/* the flag names */
	OK(strcmp(ma_addr_flag_name(MA_ADDR_OBSOLETE), "obsolete_syntax") == 0 &&
	   strcmp(ma_addr_flag_name(MA_ADDR_NOT_SINGLE), "not_single") == 0 &&
	   ma_addr_flag_name(1u << 30) == NULL && ma_addr_flag_name(3) == NULL,
	   "ma_addr_flag_name");
	{
		int			ok = 1;
		char		fb[2048];

		for (int i = 0; i < MA_ADDR_NFLAGS; i++)
			for (int j = 0; j < i; j++)
				if (strcmp(ma_addr_flag_name(1u << i), ma_addr_flag_name(1u << j)) == 0)
					ok = 0;
		OK(ok, "flag names are distinct");
		OK(ma_addr_flags_str(0xffffffffu, ",", fb, sizeof(fb)) == MA_ADDR_NFLAGS, "all flags named");
		OK(ma_addr_flags_str(MA_ADDR_GROUP | MA_ADDR_NUL, " ", fb, sizeof(fb)) == 2 &&
		   strcmp(fb, "group nul_byte") == 0, "flags_str: \"%s\"", fb);
		OK(ma_addr_flags_str(0xffffffffu, ",", fb, 10) == MA_ADDR_NFLAGS && strlen(fb) == 9,
		   "flags_str truncates");
		OK((MA_ADDR_INVALID_MASK & (MA_ADDR_OBSOLETE | MA_ADDR_ROUTE | MA_ADDR_GROUP |
									 MA_ADDR_DOMAIN_LITERAL | MA_ADDR_UTF8 |
									 MA_ADDR_BAD_ENCODED_WORD | MA_ADDR_COMMENT_NAME |
									 MA_ADDR_TOO_MANY)) == 0 &&
		   (MA_ADDR_INVALID_MASK & MA_ADDR_NO_ANGLE) && (MA_ADDR_INVALID_MASK & MA_ADDR_NOT_SINGLE),
		   "invalid mask");
	}
}

/* ---------------------------------------------------------------------
 * IDN
 * ---------------------------------------------------------------------
 */
static void
test_idn(void)
{
	parse("a@b\xc3\xbc" "cher.de");
	MB("UTF-8 domain", 0, NULL, "a", "xn--bcher-kva.de", "b\xc3\xbc" "cher.de", MA_ADDR_UTF8);
	parse("a@B\xc3\x9c" "CHER.DE");
	MB("uppercase UTF-8 domain", 0, NULL, "a", "xn--bcher-kva.de", "b\xc3\xbc" "cher.de",
	   MA_ADDR_UTF8);
	parse("a@XN--BCHER-KVA.de");
	MB("A-label domain", 0, NULL, "a", "xn--bcher-kva.de", "b\xc3\xbc" "cher.de", 0);
	parse("a@xn--zz.example");
	MB("bad punycode", 0, NULL, "a", "xn--zz.example", "xn--zz.example", MA_ADDR_BAD_IDN);
	parse("a@xn--a.example");
	MB("A-label that does not round-trip", 0, NULL, "a", "xn--a.example", "xn--a.example",
	   MA_ADDR_BAD_IDN);
	parse("a@\xcc\x81" "abc.example");
	OK(L.n == 1 && (L.items[0].flags & MA_ADDR_BAD_IDN) && !L.valid,
	   "IDNA-invalid UTF-8 domain: bad_idn (%s)", codes(L.n ? L.items[0].flags : 0));
	parse("\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a");
	MB("EAI address", 0, NULL, "\xe7\x94\xa8\xe6\x88\xb7", "xn--fsqu00a.xn--4rr70v",
	   "\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a", MA_ADDR_UTF8);
	OK(streq(L.items[0].addr_spec, "\xe7\x94\xa8\xe6\x88\xb7@xn--fsqu00a.xn--4rr70v"),
	   "addr_spec uses the A-label");
	parse("a@b\xc3\xbc" "cher..de");
	OK(L.n == 1 && (L.items[0].flags & MA_ADDR_BAD_DOMAIN) &&
	   streq(L.items[0].domain, "b\xc3\xbc" "cher..de"), "bad UTF-8 domain kept as written");

	/*
	 * UTS #46 mappings to ASCII that no domain holds (fuzz_addr found the
	 * first: "#@b" U+00A0 was a valid mailbox with the domain "b ")
	 */
	parse("a@b\xc2\xa0");
	OK(L.n == 1 && (L.items[0].flags & MA_ADDR_BAD_IDN) && !L.valid,
	   "U+00A0 (mapped to a space) in a domain: bad_idn (%s)", codes(L.n ? L.items[0].flags : 0));
	parse("a@b\xef\xbc\xa0" "c.example");
	OK(L.n == 1 && (L.items[0].flags & MA_ADDR_BAD_IDN) && !L.valid,
	   "U+FF20 (mapped to '@') in a domain: bad_idn (%s)", codes(L.n ? L.items[0].flags : 0));
	parse("a@b\xef\xbc\x8f" "c.example");
	OK(L.n == 1 && (L.items[0].flags & MA_ADDR_BAD_IDN) && !L.valid,
	   "U+FF0F (mapped to '/') in a domain: bad_idn (%s)", codes(L.n ? L.items[0].flags : 0));
	parse("a@b\xe3\x80\x82" "c");
	MB("U+3002 (an ideographic full stop) separates labels", 0, NULL, "a", "b.c", "b.c", MA_ADDR_UTF8);
	parse("a@b.example\xe3\x80\x82");
	OK(L.n == 1 && (L.items[0].flags & MA_ADDR_BAD_DOMAIN) && !L.valid,
	   "a mapped dot at the end: bad_domain (%s)", codes(L.n ? L.items[0].flags : 0));
	parse("a@b\xe3\x80\x82\xe3\x80\x82" "c");
	OK(L.n == 1 && (L.items[0].flags & MA_ADDR_BAD_DOMAIN) && !L.valid,
	   "two mapped dots (an empty label): bad_domain (%s)", codes(L.n ? L.items[0].flags : 0));
}

/* ---------------------------------------------------------------------
 * RFC 2047
 * ---------------------------------------------------------------------
 */
static void
dec(int line, const char *in, const char *want, bool want_bad)
{
	bool		bad = !want_bad;
	char	   *got = ma_addr_decode_words(in, strlen(in), &bad);
	bool		ok = got && strcmp(got, want) == 0 && bad == want_bad;

	check(ok, line, "decode %s", esc(in));
	if (!ok)
		printf("#   got \"%s\" bad=%d, expected \"%s\" bad=%d\n", got ? got : "NULL", bad,
			   want, want_bad);
	if (got && !clean_text(got))
		contract_violations++;
	free(got);
}

#define DEC(in, want, bad) dec(__LINE__, (in), (want), (bad))

static void
test_2047(void)
{
	DEC("plain text", "plain text", false);
	DEC("=?utf-8?q?Andr=C3=A9?=", "Andr\xc3\xa9", false);
	DEC("=?UTF-8?Q?a_b=5Fc?=", "a b_c", false);
	DEC("=?utf-8?b?w6k=?=", "\xc3\xa9", false);
	DEC("=?utf-8?B?w6k?=", "\xc3\xa9", false);
	DEC("=?utf-8?b?" "?=", "", false);
	DEC("=?iso-8859-1?q?J=F6rg?=", "J\xc3\xb6rg", false);
	DEC("=?ISO-8859-15?Q?=A4?=", "\xe2\x82\xac", false);
	DEC("=?windows-1252?q?=80uro?=", "\xe2\x82\xac" "uro", false);
	DEC("=?koi8-r?b?8NLJ18XU?=", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", false);
	DEC("=?us-ascii?q?a=E9?=", "a\xef\xbf\xbd", false);
	DEC("=?utf-8*en?q?lang?=", "lang", false);
	/* adjacent words: the blanks between them go, bytes are joined */
	DEC("=?utf-8?q?a?= =?utf-8?q?b?=", "ab", false);
	DEC("=?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab", false);
	DEC("=?utf-8?q?=C3?= =?utf-8?q?=A9?=", "\xc3\xa9", false);
	DEC("=?utf-8?b?w6k=?= =?iso-8859-1?q?=E9?=", "\xc3\xa9\xc3\xa9", false);
	DEC("=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c", false);
	DEC("=?utf-8?q?a?=  ", "a  ", false);
	DEC("x=?utf-8?q?a?=y", "xay", false);
	/* not encoded words at all */
	DEC("=?utf-8?q?a b?=", "=?utf-8?q?a b?=", false);
	DEC("=?utf-8?x?a?=", "=?utf-8?x?a?=", false);
	DEC("=??q?a?=", "=??q?a?=", false);
	DEC("=?utf-8?q?abc", "=?utf-8?q?abc", false);
	DEC("=?", "=?", false);
	/* encoded words that cannot be decoded: kept as written */
	DEC("=?x-unknown?q?abc?=", "=?x-unknown?q?abc?=", true);
	DEC("=?utf-8?b?w6k*?=", "=?utf-8?b?w6k*?=", true);
	DEC("=?utf-8?b?w?=", "=?utf-8?b?w?=", true);
	DEC("=?utf-8?q?a=ZZ?=", "=?utf-8?q?a=ZZ?=", true);
	DEC("=?utf-8?q?a=E?=", "=?utf-8?q?a=E?=", true);
	DEC("=?utf-8?q?a?= =?x-unknown?q?b?=", "a =?x-unknown?q?b?=", true);
	DEC("=?utf-8//TRANSLIT?q?a?=", "=?utf-8//TRANSLIT?q?a?=", false);
	/* decoded bytes that are not text */
	DEC("=?utf-8?q?a=00b=0Ac=FF?=", "a\xef\xbf\xbd" "b c\xef\xbf\xbd", false);
	DEC("=?utf-16be?b?AEEAQg==?=", "AB", false);
	DEC("=?utf-16be?b?AEEA?=", "A\xef\xbf\xbd", false);
	/* (not EUC-JP: its gconv module loads libJIS.so by $ORIGIN, where
	 * valgrind reports false positives inside ld.so) */
	DEC("=?shift_jis?b?gqA=?=", "\xe3\x81\x82", false);
	DEC("=?shift_jis?b?gg==?=", "\xef\xbf\xbd", false);

	/* in display names and group names */
	ONE("=?utf-8?q?Andr=C3=A9?= <a@example.com>", "Andr\xc3\xa9", "a", "example.com", 0);
	ONE("=?utf-8?b?w6k=?= =?utf-8?b?w6k=?= x <a@example.com>", "\xc3\xa9\xc3\xa9 x", "a",
		"example.com", 0);
	ONE("\"=?utf-8?q?Quoted?=\" <q@example.com>", "Quoted", "q", "example.com", 0);
	ONE("=?x-unknown?q?abc?= <a@example.com>", "=?x-unknown?q?abc?=", "a", "example.com",
		MA_ADDR_BAD_ENCODED_WORD);
	ONE("a@example.com (=?utf-8?q?C=C3=A9cile?=)", "C\xc3\xa9" "cile", "a", "example.com",
		MA_ADDR_COMMENT_NAME);
	ONE("=?utf-8?q?=20?= <a@example.com>", NULL, "a", "example.com", 0);
	ONE("=?utf-8?q?Pay=09Pal=0D=0A?= <a@example.com>", "Pay Pal", "a", "example.com", 0);
	ONE("\"tab\there\" <a@example.com>", "tab here", "a", "example.com", 0);
}

/* ---------------------------------------------------------------------
 * parse_one
 * ---------------------------------------------------------------------
 */
static void
test_one(void)
{
	ma_addr		a;

	OK(ma_addr_parse_one("Alice <a@example.com>", 21, &a) == 0 && a.valid && a.flags == 0 &&
	   streq(a.display_name, "Alice") && streq(a.addr_spec, "a@example.com"),
	   "parse_one: one mailbox");
	ma_addr_free(&a);
	OK(ma_addr_parse_one("a@example.com, b@example.com", 28, &a) == 0 && !a.valid &&
	   a.flags == MA_ADDR_NOT_SINGLE && streq(a.addr_spec, "a@example.com"),
	   "parse_one: two mailboxes, the first, not_single");
	ma_addr_free(&a);
	OK(ma_addr_parse_one("", 0, &a) == 0 && !a.valid &&
	   a.flags == (MA_ADDR_NOT_SINGLE | MA_ADDR_EMPTY) && streq(a.local_part, "") &&
	   streq(a.addr_spec, "") && a.domain == NULL && a.display_name == NULL,
	   "parse_one: empty");
	ma_addr_free(&a);
	OK(ma_addr_parse_one("g: a@example.com;", 17, &a) == 0 && !a.valid &&
	   a.flags == (MA_ADDR_NOT_SINGLE | MA_ADDR_GROUP) && streq(a.group, "g"),
	   "parse_one: a group");
	ma_addr_free(&a);
	OK(ma_addr_parse_one("undisclosed-recipients:;", 24, &a) == 0 && !a.valid &&
	   a.flags == MA_ADDR_NOT_SINGLE, "parse_one: an empty group");
	ma_addr_free(&a);
	OK(ma_addr_parse_one("a@example.com,", 14, &a) == 0 && a.valid &&
	   a.flags == MA_ADDR_OBSOLETE, "parse_one: trailing comma is only obsolete");
	ma_addr_free(&a);
	OK(ma_addr_parse_one("a@example.com (x", 16, &a) == 0 && !a.valid,
	   "parse_one: unterminated comment");
	ma_addr_free(&a);
	ma_addr_free(NULL);
	OK(1, "ma_addr_free(NULL)");
}

/* ---------------------------------------------------------------------
 * Hostile input
 * ---------------------------------------------------------------------
 */
static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static void
test_hostile(void)
{
	size_t		n = 100 * 1024;
	char	   *big = malloc(4 * 1024 * 1024);
	size_t		o;
	int			before;

	/* binary junk: 2000 inputs of random bytes (and of specials) */
	before = contract_violations;
	for (int i = 0; i < 2000; i++)
	{
		size_t		len = rnd() % 300;
		static const char alpha[] = "<>@,;:.\"()[]\\ \t\r\na=?bq\x80\xc3\xa9\0";

		for (size_t j = 0; j < len; j++)
			big[j] = (i % 2) ? (char) rnd() : alpha[rnd() % (sizeof(alpha) - 1)];
		parse_n(big, len);
	}
	OK(contract_violations == before, "2000 junk inputs: output contract kept");

	/* 100 KB of nested comments, closed and unclosed */
	memset(big, '(', n / 2);
	memset(big + n / 2, ')', n / 2);
	memcpy(big + n, " a@example.com", 15);
	parse(big);
	OK(L.n == 1 && L.items[0].flags == MA_ADDR_COMMENT_NAME && streq(L.items[0].domain, "example.com"),
	   "100 KB of nested comments");
	memset(big, '(', n);
	memcpy(big + n, "a@example.com", 14);
	parse(big);
	OK(L.n == 0 && L.flags == (MA_ADDR_UNTERM_COMMENT | MA_ADDR_EMPTY),
	   "100 KB of unclosed comments");
	/* 100 KB of quotes and quoted-pairs */
	for (size_t i = 0; i < n; i++)
		big[i] = (i % 2) ? '"' : '\\';
	big[n] = '\0';
	parse(big);
	OK(L.n == 1 && !L.valid, "100 KB of quoted-pairs");
	memset(big, '"', n);
	strcpy(big + n, "a@example.com");
	parse(big);
	OK(L.n == 1 && !L.valid, "100 KB of quotes: %s", codes(L.n ? L.items[0].flags : 0));
	/* 100 KB of '<' and of '[' */
	memset(big, '<', n);
	strcpy(big + n, "a@example.com>");
	parse(big);
	OK(L.n == 1 && !L.valid, "100 KB of '<'");
	memset(big, '[', n);
	big[n] = '\0';
	parse(big);
	OK(L.n == 1 && !L.valid, "100 KB of '['");
	/* 100 KB of encoded-word starts */
	for (o = 0; o + 10 < n; o += 10)
		memcpy(big + o, "=?utf-8?q?", 10);
	strcpy(big + o, " <a@example.com>");
	parse(big);
	OK(L.n == 1 && L.valid, "100 KB of broken encoded words");
	for (o = 0; o + 16 < n; o += 16)
		memcpy(big + o, (o / 16) % 2 ? "=?utf-8?q?a?=   " : "=?koi8-r?q?b?=  ", 16);
	strcpy(big + o, " <a@example.com>");
	parse(big);
	OK(L.n == 1 && L.valid && L.items[0].display_name &&
	   strncmp(L.items[0].display_name, "bababa", 6) == 0,
	   "100 KB of encoded words of alternating charsets");
	/* 100 KB of dots, of '@', of ',' */
	memset(big, '.', n);
	big[n] = '\0';
	parse(big);
	OK(L.n == 1 && !L.valid, "100 KB of dots");
	memset(big, '@', n);
	parse(big);
	OK(L.n == 1 && !L.valid, "100 KB of '@'");
	memset(big, ',', n);
	parse(big);
	OK(L.n == 0 && L.flags == (MA_ADDR_OBSOLETE | MA_ADDR_EMPTY), "100 KB of commas");
	memset(big, ':', n);
	parse(big);
	OK(!L.valid && L.ngroups == 1, "100 KB of colons");
	/* a 1 MB atom and a 1 MB domain */
	memset(big, 'a', 1024 * 1024);
	strcpy(big + 1024 * 1024, "@example.com");
	parse(big);
	OK(L.n == 1 && L.items[0].flags == MA_ADDR_LOCAL_TOO_LONG, "1 MB local part");
	memcpy(big, "a@", 2);
	for (size_t i = 2; i < 1024 * 1024; i++)
		big[i] = (i % 3 == 0) ? '.' : 'x';
	big[1024 * 1024] = '\0';
	parse(big);
	OK(L.n == 1 && (L.items[0].flags & MA_ADDR_DOMAIN_TOO_LONG), "1 MB domain");
	for (size_t i = 2; i + 2 < 1024 * 1024; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	parse(big);
	OK(L.n == 1 && (L.items[0].flags & MA_ADDR_LABEL_TOO_LONG) && !L.valid,
	   "1 MB UTF-8 domain: no IDN attempt, too long");

	/* 10,000 addresses */
	o = 0;
	for (int i = 0; i < 10000; i++)
		o += sprintf(big + o, "%su%d@d%d.example", i ? ", " : "", i, i % 7);
	parse(big);
	OK(L.n == MA_ADDR_MAX_MAILBOXES && L.flags == MA_ADDR_TOO_MANY && L.valid,
	   "10,000 addresses: 1000 kept, too_many_mailboxes");
	OK(streq(L.items[999].addr_spec, "u999@d5.example"), "the 1000th is the right one");
	o = 0;
	for (int i = 0; i < 10000; i++)
		o += sprintf(big + o, "g%d: u%d@x.example;, ", i, i);
	parse(big);
	OK(L.n == MA_ADDR_MAX_MAILBOXES && (L.flags & MA_ADDR_TOO_MANY), "10,000 groups");
	free(big);
}

int
main(void)
{
	test_forms();
	test_lists_and_groups();
	test_flags();
	test_idn();
	test_2047();
	test_one();
	test_hostile();
	ma_addr_list_free(&L);
	OK(contract_violations == 0, "output contract kept by every parse (%d violations)",
	   contract_violations);
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}
