/*-------------------------------------------------------------------------
 *
 * test_dsn.c
 *	  Unit tests of the bounce parser core (src/core/ma_dsn.c and
 *	  ma_dsn_lhost.c): the fields of every fixture of test/dsn/fixtures/
 *	  (RFC 3464 with several recipients and a folded Diagnostic-Code,
 *	  Postfix, Exim, Sendmail, qmail, Exchange, Gmail, ARF, RFC 3834, a
 *	  success DSN, a base64 delivery-status, ISO-2022-JP text, a message that
 *	  is not a bounce), then hostile input: empty, binary junk, 1,000 nested
 *	  multiparts, a header without a body, unknown charsets, 12,000
 *	  recipients, NUL bytes, a message truncated at every byte.
 *
 * Reasons come from the classifier (ma_bounce.c); only the ones the core
 * sets itself (feedback, vacation, delivered) are asserted here.  Every
 * string of every result is checked to be valid UTF-8.
 *
 * Output is TAP.  The exit status is 0 only when every assertion passed.
 *
 * Build and run (from the top of the tree; fixtures are read from
 * test/dsn/fixtures, or from the directory given as the first argument):
 *	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc $(pkg-config --cflags gmime-3.0) \
 *		-o test/unit/test_dsn test/unit/test_dsn.c src/core/ma_dsn.c \
 *		src/core/ma_dsn_lhost.c src/core/ma_bounce.c $(pkg-config --libs gmime-3.0)
 *	test/unit/test_dsn
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dsn.h"
#include "core/ma_text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ma_test.h"

static const char *fixtures = "test/dsn/fixtures";

/* ---------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------
 */
static char *
slurp(const char *name, size_t *len)
{
	char		path[1024];
	FILE	   *f;
	char	   *buf;
	long		n;

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	f = fopen(path, "rb");
	if (f == NULL)
	{
		printf("# cannot read %s\n", path);
		*len = 0;
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) n + 1);
	if (fread(buf, 1, (size_t) n, f) != (size_t) n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	*len = (size_t) n;
	return buf;
}

static bool
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;

	if (s == NULL)
		return true;
	while (*p)
	{
		int			k;

		if (*p < 0x80)
		{
			p++;
			continue;
		}
		if (*p >= 0xC2 && *p <= 0xDF)
			k = 1;
		else if (*p >= 0xE0 && *p <= 0xEF)
			k = 2;
		else if (*p >= 0xF0 && *p <= 0xF4)
			k = 3;
		else
			return false;
		for (int i = 1; i <= k; i++)
			if ((p[i] & 0xC0) != 0x80)
				return false;
		p += k + 1;
	}
	return true;
}

/* every string of every row is valid UTF-8 and every row is sane */
static bool
result_ok(const ma_dsn_result *r)
{
	for (size_t i = 0; i < r->n; i++)
	{
		const ma_dsn_rcpt *x = &r->rcpts[i];
		const char *f[] = {x->recipient, x->original_recipient, x->action, x->status,
			x->diagnostic_type, x->diagnostic, x->remote_mta, x->reporting_mta,
			x->original_envelope_id, x->original_message_id, x->original_from,
		x->original_subject, x->feedback_type, x->reason, x->source};

		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
			if (!utf8_ok(f[k]))
				return false;
		if (x->reason == NULL || x->source == NULL)
			return false;
		if (x->diagnostic && (strchr(x->diagnostic, '\n') || strchr(x->diagnostic, '\t')))
			return false;
	}
	return true;
}

typedef struct parsed
{
	ma_dsn_result r;
	bool		ok;
} parsed;

static void
parse_buf(const char *buf, size_t len, parsed *p)
{
	memset(p, 0, sizeof(*p));
	p->ok = ma_dsn_parse(buf, len, &p->r);
}

static bool
parse_file(const char *name, parsed *p)
{
	size_t		len;
	char	   *buf = slurp(name, &len);

	memset(p, 0, sizeof(*p));
	if (buf == NULL)
		return false;
	parse_buf(buf, len, p);
	free(buf);
	return p->ok;
}

static const ma_dsn_rcpt *
row(const parsed *p, size_t i)
{
	static const ma_dsn_rcpt empty;

	return i < p->r.n ? &p->r.rcpts[i] : &empty;
}

static bool
contains(const char *s, const char *needle)
{
	return s && strstr(s, needle) != NULL;
}

/* ---------------------------------------------------------------------
 * Fixtures
 * ---------------------------------------------------------------------
 */
static void
test_rfc3464(void)
{
	parsed		p;
	const ma_dsn_rcpt *a,
			   *b,
			   *c;

	OK(parse_file("rfc3464-multi.eml", &p), "rfc3464-multi: parsed");
	OK(p.r.n == 3, "rfc3464-multi: 3 rows (got %zu)", p.r.n);
	a = row(&p, 0);
	b = row(&p, 1);
	c = row(&p, 2);
	IS(a->recipient, "bob.smith@example.net", "rfc3464: Final-Recipient, domain lowercased");
	IS(a->original_recipient, "Bob.Smith@example.net", "rfc3464: Original-Recipient");
	IS(a->action, "failed", "rfc3464: Action");
	IS(a->status, "5.1.1", "rfc3464: the code of the diagnostic beats Status: 5.0.0");
	OK(a->reply_code == 550, "rfc3464: reply code 550 (got %d)", a->reply_code);
	IS(a->diagnostic_type, "smtp", "rfc3464: diagnostic type");
	IS(a->diagnostic,
	   "550 5.1.1 <bob.smith@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
	   "rfc3464: folded Diagnostic-Code joined on one line");
	IS(a->remote_mta, "mx2.example.net", "rfc3464: Remote-MTA");
	IS(a->reporting_mta, "mx1.example.net", "rfc3464: Reporting-MTA on every row");
	IS(a->original_envelope_id, "ENV-2025-0001", "rfc3464: Original-Envelope-Id");
	OK(a->has_arrival_date && a->arrival_date == 1736846090,
	   "rfc3464: Arrival-Date 2025-01-14 09:14:50Z (got %lld)", (long long) a->arrival_date);
	OK(a->has_last_attempt && a->last_attempt == 1736846100, "rfc3464: Last-Attempt-Date");
	OK(!a->has_will_retry_until, "rfc3464: no Will-Retry-Until on row 1");
	IS(a->original_message_id, "orig-0001@example.com", "rfc3464: original Message-ID without <>");
	IS(a->original_from, "alice@example.com", "rfc3464: original From address");
	IS(a->original_subject, "Quarterly report \xE2\x80\x94 Q4", "rfc3464: original Subject, RFC 2047 decoded");
	OK(a->hard_bounce, "rfc3464: user unknown is a hard bounce");
	IS(b->recipient, "carol@example.net", "rfc3464: row 2 recipient");
	IS(b->status, "5.2.2", "rfc3464: row 2 status");
	OK(b->reply_code == 552, "rfc3464: row 2 reply code");
	IS(c->recipient, "dave@example.org", "rfc3464: row 3 recipient");
	IS(c->action, "delayed", "rfc3464: row 3 delayed");
	IS(c->status, "4.4.1", "rfc3464: row 3 status");
	OK(c->has_will_retry_until && c->will_retry_until == 1737105290, "rfc3464: Will-Retry-Until");
	OK(!c->hard_bounce, "rfc3464: a delay is not a hard bounce");
	OK(result_ok(&p.r), "rfc3464: strings are UTF-8");
	ma_dsn_free(&p.r);
}

static void
test_postfix(void)
{
	parsed		p;
	const ma_dsn_rcpt *a;

	OK(parse_file("postfix.eml", &p), "postfix: parsed");
	OK(p.r.n == 1, "postfix: 1 row (got %zu)", p.r.n);
	a = row(&p, 0);
	IS(a->recipient, "erin@example.net", "postfix: recipient");
	IS(a->source, "postfix", "postfix: source");
	IS(a->status, "5.1.1", "postfix: status from the text, not Status: 5.0.0");
	OK(a->reply_code == 550, "postfix: reply code");
	OK(contains(a->diagnostic, "User unknown in local recipient table"),
	   "postfix: the remote reply from the text (thin delivery-status)");
	IS(a->remote_mta, "mx.example.net", "postfix: Remote-MTA");
	IS(a->original_message_id, "orig-0002@example.com", "postfix: text/rfc822-headers Message-ID");
	IS(a->original_subject, "Invoice 42", "postfix: original Subject");
	OK(result_ok(&p.r), "postfix: strings are UTF-8");
	ma_dsn_free(&p.r);
}

static void
test_exim(void)
{
	parsed		p;

	OK(parse_file("exim.eml", &p), "exim: parsed");
	OK(p.r.n == 2, "exim: 2 rows (got %zu)", p.r.n);
	IS(row(&p, 0)->recipient, "frank@example.net", "exim: recipient 1");
	IS(row(&p, 1)->recipient, "grace@example.org", "exim: recipient 2");
	IS(row(&p, 0)->source, "exim", "exim: source");
	IS(row(&p, 0)->status, "5.1.1", "exim: status 1");
	IS(row(&p, 1)->status, "5.2.2", "exim: status 2 (multi-line 552- reply)");
	OK(row(&p, 1)->reply_code == 552, "exim: reply code 2");
	IS(row(&p, 0)->remote_mta, "mx.example.net", "exim: remote host 1");
	IS(row(&p, 1)->remote_mta, "mx.example.org", "exim: remote host 2");
	OK(contains(row(&p, 1)->diagnostic, "over quota"), "exim: diagnostic 2");
	OK(!contains(row(&p, 0)->diagnostic, "grace@"), "exim: diagnostics do not run into the next recipient");
	IS(row(&p, 0)->original_message_id, "orig-0003@example.com", "exim: inline original Message-ID");
	OK(result_ok(&p.r), "exim: strings are UTF-8");
	ma_dsn_free(&p.r);
}

static void
test_sendmail(void)
{
	parsed		p;
	const ma_dsn_rcpt *a;

	OK(parse_file("sendmail.eml", &p), "sendmail: parsed");
	OK(p.r.n == 1, "sendmail: 1 row (got %zu)", p.r.n);
	a = row(&p, 0);
	IS(a->recipient, "henry@example.net", "sendmail: recipient");
	IS(a->source, "sendmail", "sendmail: source");
	IS(a->status, "5.7.1", "sendmail: status");
	OK(a->reply_code == 550, "sendmail: reply code");
	OK(contains(a->diagnostic, "blocked using bl.example.org"), "sendmail: the remote reply");
	IS(a->remote_mta, "mx.example.net", "sendmail: remote host");
	OK(result_ok(&p.r), "sendmail: strings are UTF-8");
	ma_dsn_free(&p.r);
}

static void
test_qmail(void)
{
	parsed		p;

	OK(parse_file("qmail.eml", &p), "qmail (CRLF): parsed");
	OK(p.r.n == 2, "qmail: 2 rows (got %zu)", p.r.n);
	IS(row(&p, 0)->recipient, "ivan@example.net", "qmail: recipient 1");
	IS(row(&p, 0)->source, "qmail", "qmail: source");
	IS(row(&p, 0)->status, "5.1.1", "qmail: status 1");
	OK(row(&p, 0)->reply_code == 550, "qmail: reply code 1");
	IS(row(&p, 1)->recipient, "judy@example.org", "qmail: recipient 2");
	IS(row(&p, 1)->status, "5.1.2", "qmail: status 2 from (#5.1.2)");
	OK(row(&p, 1)->reply_code == 0, "qmail: no reply code 2");
	OK(contains(row(&p, 1)->diagnostic, "couldn't find any host named example.org"), "qmail: diagnostic 2");
	OK(!contains(row(&p, 1)->diagnostic, "Below this line"), "qmail: the returned message is not a diagnostic");
	IS(row(&p, 0)->original_subject, "Hello", "qmail: inline original Subject");
	OK(result_ok(&p.r), "qmail: strings are UTF-8");
	ma_dsn_free(&p.r);
}

static void
test_exchange(void)
{
	parsed		p;
	const ma_dsn_rcpt *a;

	OK(parse_file("exchange.eml", &p), "exchange: parsed");
	OK(p.r.n == 1, "exchange: 1 row (got %zu)", p.r.n);
	a = row(&p, 0);
	IS(a->recipient, "kim@example.net", "exchange: recipient");
	IS(a->status, "5.1.10", "exchange: status 5.1.10");
	OK(a->reply_code == 550, "exchange: reply code");
	OK(contains(a->diagnostic, "RESOLVER.ADR.RecipientNotFound"), "exchange: diagnostic");
	OK(a->source && strncmp(a->source, "exchange", 8) == 0, "exchange: source %s", a->source);
	IS(a->original_message_id, "orig-0006@example.com", "exchange: original headers in the text");
	OK(result_ok(&p.r), "exchange: strings are UTF-8");
	ma_dsn_free(&p.r);
}

static void
test_gmail(void)
{
	parsed		p;
	const ma_dsn_rcpt *a;

	OK(parse_file("gmail.eml", &p), "gmail: parsed");
	OK(p.r.n == 1, "gmail: 1 row (got %zu)", p.r.n);
	a = row(&p, 0);
	IS(a->recipient, "leo@example.net", "gmail: recipient");
	IS(a->source, "gmail", "gmail: source");
	IS(a->status, "5.2.1", "gmail: status");
	OK(a->reply_code == 550, "gmail: reply code");
	OK(contains(a->diagnostic, "Mailbox disabled for this recipient"), "gmail: the other server's reply");
	IS(a->remote_mta, "mx.example.net", "gmail: remote host");
	OK(result_ok(&p.r), "gmail: strings are UTF-8");
	ma_dsn_free(&p.r);
}

static void
test_arf(void)
{
	parsed		p;

	OK(parse_file("arf.eml", &p), "arf: parsed");
	OK(p.r.n == 2, "arf: one row per Original-Rcpt-To (got %zu)", p.r.n);
	IS(row(&p, 0)->recipient, "mallory@example.net", "arf: recipient 1");
	IS(row(&p, 1)->recipient, "nina@example.net", "arf: recipient 2");
	IS(row(&p, 0)->reason, "feedback", "arf: reason feedback");
	IS(row(&p, 0)->feedback_type, "abuse", "arf: Feedback-Type");
	IS(row(&p, 0)->source, "arf", "arf: source");
	OK(row(&p, 0)->action == NULL && row(&p, 0)->status == NULL, "arf: no action, no status");
	OK(!row(&p, 0)->hard_bounce, "arf: not a hard bounce");
	IS(row(&p, 1)->original_subject, "Our January offers", "arf: the reported message's Subject");
	OK(result_ok(&p.r), "arf: strings are UTF-8");
	ma_dsn_free(&p.r);
}

static void
test_vacation(void)
{
	parsed		p;

	OK(parse_file("vacation.eml", &p), "vacation: parsed");
	OK(p.r.n == 1, "vacation: 1 row (got %zu)", p.r.n);
	IS(row(&p, 0)->recipient, "oscar@example.net", "vacation: the From of the auto-reply");
	IS(row(&p, 0)->reason, "vacation", "vacation: reason");
	IS(row(&p, 0)->source, "rfc3834", "vacation: source");
	OK(row(&p, 0)->action == NULL && row(&p, 0)->status == NULL, "vacation: no action, no status");
	OK(contains(row(&p, 0)->diagnostic, "out of the office"), "vacation: the reply's text");
	ma_dsn_free(&p.r);
}

static void
test_success(void)
{
	parsed		p;

	OK(parse_file("success.eml", &p), "success: parsed");
	OK(p.r.n == 1, "success: 1 row (got %zu)", p.r.n);
	IS(row(&p, 0)->recipient, "quentin@example.net", "success: recipient");
	IS(row(&p, 0)->action, "relayed", "success: action");
	IS(row(&p, 0)->status, "2.0.0", "success: status");
	IS(row(&p, 0)->reason, "delivered", "success: reason delivered");
	OK(!row(&p, 0)->hard_bounce, "success: not a hard bounce");
	ma_dsn_free(&p.r);
}

static void
test_base64(void)
{
	parsed		p;

	OK(parse_file("base64-dsn.eml", &p), "base64: parsed");
	OK(p.r.n == 1, "base64: 1 row (got %zu)", p.r.n);
	IS(row(&p, 0)->recipient, "rupert@example.net", "base64: recipient from a base64 delivery-status");
	IS(row(&p, 0)->status, "5.4.4", "base64: status");
	IS(row(&p, 0)->diagnostic, "554 5.4.4 Host or domain name not found", "base64: diagnostic");
	IS(row(&p, 0)->reporting_mta, "mta.example.net", "base64: Reporting-MTA");
	ma_dsn_free(&p.r);
}

static void
test_iso2022jp(void)
{
	parsed		p;

	OK(parse_file("iso2022jp.eml", &p), "iso-2022-jp: parsed");
	OK(p.r.n == 1, "iso-2022-jp: 1 row (got %zu)", p.r.n);
	IS(row(&p, 0)->recipient, "sybil@example.net", "iso-2022-jp: recipient");
	IS(row(&p, 0)->status, "5.2.2", "iso-2022-jp: status");
	OK(contains(row(&p, 0)->diagnostic,
				"\xE3\x83\xA1\xE3\x83\xBC\xE3\x83\xAB\xE3\x83\x9C\xE3\x83\x83\xE3\x82\xAF\xE3\x82\xB9"),
	   "iso-2022-jp: the diagnostic converted to UTF-8 (%s)", row(&p, 0)->diagnostic);
	IS(row(&p, 0)->original_subject, "\xE4\xBC\x9A\xE8\xAD\xB0\xE3\x81\xAE\xE8\xB3\x87\xE6\x96\x99",
	   "iso-2022-jp: RFC 2047 ISO-2022-JP Subject of the original");
	OK(result_ok(&p.r), "iso-2022-jp: strings are UTF-8");
	ma_dsn_free(&p.r);
}

static void
test_not_a_bounce(void)
{
	parsed		p;

	OK(parse_file("not-a-bounce.eml", &p), "not a bounce: parsed");
	OK(p.r.n == 0, "not a bounce: no rows (got %zu)", p.r.n);
	ma_dsn_free(&p.r);
}

/* ---------------------------------------------------------------------
 * Hostile input
 * ---------------------------------------------------------------------
 */
static void
test_empty(void)
{
	parsed		p;

	parse_buf("", 0, &p);
	OK(p.ok && p.r.n == 0, "empty input: true, no rows");
	ma_dsn_free(&p.r);
	parse_buf(NULL, 0, &p);
	OK(p.ok && p.r.n == 0, "NULL input: true, no rows");
	ma_dsn_free(&p.r);
	parse_buf("\n\n\r\n", 4, &p);
	OK(p.ok && p.r.n == 0, "blank lines only: no rows");
	ma_dsn_free(&p.r);
	parse_buf("From: a@example.com\nSubject: x", 31, &p);
	OK(p.ok && p.r.n == 0, "header without a body: no rows");
	ma_dsn_free(&p.r);
	parse_buf("Content-Type: multipart/report; boundary=x\n", 44, &p);
	OK(p.ok && p.r.n == 0, "multipart header without a body: no rows");
	ma_dsn_free(&p.r);
	parse_buf("From MAILER-DAEMON Thu Jan  1 00:00:00 2025\n", 45, &p);
	OK(p.ok && p.r.n == 0, "an mbox From line alone: no rows");
	ma_dsn_free(&p.r);
}

static void
test_junk(void)
{
	size_t		n = 256 * 1024;
	unsigned char *buf = malloc(n);
	uint32_t	x = 2463534242u;
	parsed		p;
	bool		all = true;

	for (int round = 0; round < 8; round++)
	{
		for (size_t i = 0; i < n; i++)
		{
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (unsigned char) x;
			/* some rounds look more like text */
			if (round % 2 && buf[i] > 0x7f)
				buf[i] = (unsigned char) (round == 3 && i % 50 == 0 ? '\n' : buf[i] & 0x7f);
		}
		parse_buf((const char *) buf, n, &p);
		all = all && p.ok && result_ok(&p.r);
		ma_dsn_free(&p.r);
	}
	OK(all, "binary junk (8 x 256 KB): parsed, sane");
	free(buf);
}

/* n multiparts nested in one another; the innermost holds a delivery-status at depth */
static char *
nested(int n, size_t *len)
{
	size_t		cap = (size_t) n * 200 + 4096,
				o = 0;
	char	   *s = malloc(cap);

	o += (size_t) snprintf(s + o, cap - o, "From: MAILER-DAEMON@example.net\nSubject: nested\n"
						   "Content-Type: multipart/mixed; boundary=\"b0\"\n\n");
	for (int i = 1; i < n; i++)
		o += (size_t) snprintf(s + o, cap - o, "--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n",
							   i - 1, i);
	o += (size_t) snprintf(s + o, cap - o, "--b%d\nContent-Type: message/delivery-status\n\n"
						   "Final-Recipient: rfc822; deep@example.net\nAction: failed\nStatus: 5.1.1\n\n",
						   n - 1);
	for (int i = n - 1; i >= 0; i--)
		o += (size_t) snprintf(s + o, cap - o, "--b%d--\n", i);
	*len = o;
	return s;
}

static void
test_nested(void)
{
	size_t		len;
	char	   *s;
	parsed		p;
	clock_t		t0 = clock();

	s = nested(1000, &len);
	parse_buf(s, len, &p);
	OK(p.ok && p.r.n == 0, "1,000 nested multiparts: parsed, the part at depth 1,000 not reached (%zu rows)",
	   p.r.n);
	ma_dsn_free(&p.r);
	free(s);
	s = nested(10, &len);
	parse_buf(s, len, &p);
	OK(p.ok && p.r.n == 1 && contains(row(&p, 0)->recipient, "deep@example.net"),
	   "10 nested multiparts: the delivery-status at depth 10 is read");
	ma_dsn_free(&p.r);
	free(s);
	/* nested message/rfc822 parts */
	{
		size_t		cap = 1000 * 64 + 1024,
					o = 0;

		s = malloc(cap);
		for (int i = 0; i < 1000; i++)
			o += (size_t) snprintf(s + o, cap - o, "From: x%d@example.net\nContent-Type: message/rfc822\n\n", i);
		o += (size_t) snprintf(s + o, cap - o, "Subject: end\n\nbody\n");
		parse_buf(s, o, &p);
		OK(p.ok, "1,000 nested message/rfc822 parts: parsed (%zu rows)", p.r.n);
		ma_dsn_free(&p.r);
		free(s);
	}
	OK((double) (clock() - t0) / CLOCKS_PER_SEC < 5.0, "nesting: bounded time");
}

static void
test_charsets(void)
{
	const char *msg =
		"From: MAILER-DAEMON@example.net\n"
		"Subject: failure notice =?x-no-such-charset?Q?caf=E9?= =?utf-8?B?////?=\n"
		"Content-Type: text/plain; charset=\"x-no-such-charset\"\n"
		"\n"
		"Hi. This is the qmail-send program at example.net.\n"
		"I'm afraid I wasn't able to deliver your message to the following addresses.\n"
		"\n"
		"<trent@example.net>:\n"
		"Remote host said: 550 5.1.1 unknown user caf\xE9 \xFF\xFE na\xC3\xAFve\n"
		"\n"
		"--- Below this line is a copy of the message.\n";
	const char *msg2 =
		"From: MAILER-DAEMON@example.net\n"
		"Subject: Undelivered Mail Returned to Sender\n"
		"Content-Type: text/plain; charset=\"iso-8859-1\"\n"
		"Content-Transfer-Encoding: quoted-printable\n"
		"\n"
		"This is the mail system at host example.net.\n"
		"\n"
		"<ursula@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 Benutzer=\n"
		" unbekannt: M=FCller\n";
	const char *msg3 =
		"From: MAILER-DAEMON@example.net\n"
		"Subject: failure\n"
		"Content-Type: text/plain; charset=\"shift_jis\"\n"
		"\n"
		"Hi. This is the qmail-send program at example.net.\n"
		"\n"
		"<victor@example.net>:\n"
		"\x83\x81\x81\x5B\x83\x8B 550 5.1.1 \x83\x81\n";
	parsed		p;

	parse_buf(msg, strlen(msg), &p);
	OK(p.ok && p.r.n == 1, "unknown charset: parsed, 1 row");
	OK(result_ok(&p.r), "unknown charset: invalid bytes replaced, strings are UTF-8");
	OK(contains(row(&p, 0)->diagnostic, "\xEF\xBF\xBD"), "unknown charset: U+FFFD in place of invalid bytes");
	OK(contains(row(&p, 0)->diagnostic, "na\xC3\xAFve"), "unknown charset: valid UTF-8 kept");
	ma_dsn_free(&p.r);
	parse_buf(msg2, strlen(msg2), &p);
	OK(p.ok && p.r.n == 1 && contains(row(&p, 0)->diagnostic, "M\xC3\xBCller"),
	   "ISO-8859-1 quoted-printable: converted (%s)", row(&p, 0)->diagnostic);
	ma_dsn_free(&p.r);
	parse_buf(msg3, strlen(msg3), &p);
	OK(p.ok && p.r.n == 1 && contains(row(&p, 0)->diagnostic, "\xE3\x83\xA1\xE3\x83\xBC\xE3\x83\xAB"),
	   "Shift_JIS: converted (%s)", row(&p, 0)->diagnostic);
	ma_dsn_free(&p.r);
}

static void
test_many_recipients(void)
{
	int			nr = 12000;
	size_t		cap = (size_t) nr * 128 + 4096,
				o = 0;
	char	   *s = malloc(cap);
	parsed		p;
	clock_t		t0 = clock();

	o += (size_t) snprintf(s + o, cap - o,
						   "From: MAILER-DAEMON@example.net\nSubject: Delivery Status Notification\n"
						   "Content-Type: multipart/report; report-type=delivery-status; boundary=\"bb\"\n\n"
						   "--bb\nContent-Type: text/plain\n\nFailed.\n\n"
						   "--bb\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n");
	for (int i = 0; i < nr; i++)
		o += (size_t) snprintf(s + o, cap - o,
							   "Final-Recipient: rfc822; user%05d@example.net\nAction: failed\nStatus: 5.1.1\n"
							   "Diagnostic-Code: smtp; 550 5.1.1 unknown\n\n", i);
	o += (size_t) snprintf(s + o, cap - o, "--bb--\n");
	parse_buf(s, o, &p);
	OK(p.ok && p.r.n == MA_DSN_MAX_RCPTS, "12,000 recipients: capped at %d (got %zu)", MA_DSN_MAX_RCPTS, p.r.n);
	IS(row(&p, MA_DSN_MAX_RCPTS - 1)->recipient, "user09999@example.net", "12,000 recipients: the last kept");
	OK(result_ok(&p.r), "12,000 recipients: sane");
	OK((double) (clock() - t0) / CLOCKS_PER_SEC < 5.0, "12,000 recipients: bounded time (%.2f s)",
	   (double) (clock() - t0) / CLOCKS_PER_SEC);
	ma_dsn_free(&p.r);
	free(s);
}

static void
test_nul_bytes(void)
{
	size_t		len;
	char	   *buf = slurp("postfix.eml", &len);
	parsed		p;
	bool		all = true;
	char	   *hit;

	if (buf == NULL)
	{
		OK(false, "NUL bytes: fixture");
		return;
	}
	/* a NUL inside the remote reply, one in a header, one in the DSN part */
	hit = strstr(buf, "User unknown in local");
	if (hit)
		hit[4] = '\0';
	hit = strstr(buf, "Undelivered Mail");
	if (hit)
		hit[3] = '\0';
	hit = strstr(buf, "Action: failed");
	if (hit)
		hit[9] = '\0';
	parse_buf(buf, len, &p);
	OK(p.ok && p.r.n == 1, "NUL bytes: parsed, 1 row (got %zu)", p.r.n);
	IS(row(&p, 0)->recipient, "erin@example.net", "NUL bytes: recipient");
	OK(result_ok(&p.r), "NUL bytes: strings are UTF-8 without NULs");
	ma_dsn_free(&p.r);
	/* every byte a NUL, in turn (first 600 bytes) */
	for (size_t i = 0; i < len && i < 600; i++)
	{
		char		save = buf[i];

		buf[i] = '\0';
		parse_buf(buf, len, &p);
		all = all && p.ok && result_ok(&p.r);
		ma_dsn_free(&p.r);
		buf[i] = save;
	}
	OK(all, "NUL bytes: a NUL at each of the first 600 bytes");
	free(buf);
}

static void
test_truncated(void)
{
	const char *names[] = {"qmail.eml", "rfc3464-multi.eml", "iso2022jp.eml", "base64-dsn.eml"};

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
	{
		size_t		len;
		char	   *buf = slurp(names[k], &len);
		bool		all = true;
		size_t		maxrows = 0;

		if (buf == NULL)
		{
			OK(false, "truncated %s: fixture", names[k]);
			continue;
		}
		for (size_t i = 0; i <= len; i++)
		{
			/* a copy of exactly i bytes, so that reading past it is caught */
			char	   *cut = malloc(i ? i : 1);
			parsed		p;

			memcpy(cut, buf, i);
			parse_buf(cut, i, &p);
			all = all && p.ok && result_ok(&p.r);
			if (p.r.n > maxrows)
				maxrows = p.r.n;
			ma_dsn_free(&p.r);
			free(cut);
		}
		OK(all && maxrows > 0, "%s truncated at every byte (%zu lengths): parsed, sane", names[k], len + 1);
		free(buf);
	}
}

/* a message with a 50 MB base64 attachment in the returned message */
static void
test_big(void)
{
	size_t		att = 8 * 1024 * 1024,
				cap = att + 8192,
				o = 0;
	char	   *s = malloc(cap);
	parsed		p;
	clock_t		t0 = clock();

	o += (size_t) snprintf(s + o, cap - o,
						   "From: MAILER-DAEMON@example.net\nSubject: Undelivered Mail Returned to Sender\n"
						   "Content-Type: multipart/report; report-type=delivery-status; boundary=\"BIG\"\n\n"
						   "--BIG\nContent-Type: text/plain\n\nThis is the mail system at host example.net.\n\n"
						   "<walter@example.net>: host mx.example.net[192.0.2.5] said: 552 5.3.4 Message too big\n\n"
						   "--BIG\nContent-Type: message/delivery-status\n\n"
						   "Final-Recipient: rfc822; walter@example.net\nAction: failed\nStatus: 5.3.4\n\n"
						   "--BIG\nContent-Type: message/rfc822\n\nFrom: a@example.com\nSubject: big\n"
						   "Content-Type: multipart/mixed; boundary=\"IN\"\n\n--IN\nContent-Type: application/octet-stream\n"
						   "Content-Transfer-Encoding: base64\n\n");
	while (o + 80 < cap - 64)
	{
		memcpy(s + o, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n", 77);
		o += 77;
	}
	o += (size_t) snprintf(s + o, cap - o, "--IN--\n--BIG--\n");
	parse_buf(s, o, &p);
	OK(p.ok && p.r.n == 1 && contains(row(&p, 0)->status, "5.3.4"), "8 MB message: 1 row, status 5.3.4");
	OK((double) (clock() - t0) / CLOCKS_PER_SEC < 2.0, "8 MB message: bounded time (%.3f s)",
	   (double) (clock() - t0) / CLOCKS_PER_SEC);
	ma_dsn_free(&p.r);
	free(s);
}


/* ---------------------------------------------------------------------
 * Rules of this version (synthetic messages of our own)
 * ---------------------------------------------------------------------
 */

/* a minimal multipart/report around a delivery-status body */
static char *
dsn_message(const char *dsn, const char *text)
{
	const char *fmt =
		"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
		"To: alice@example.com\n"
		"Subject: Delivery Status Notification (Failure)\n"
		"MIME-Version: 1.0\n"
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"BB\"\n"
		"\n"
		"--BB\n"
		"Content-Type: text/plain; charset=us-ascii\n"
		"\n"
		"%s\n"
		"--BB\n"
		"Content-Type: message/delivery-status\n"
		"\n"
		"%s\n"
		"--BB\n"
		"Content-Type: text/rfc822-headers\n"
		"\n"
		"From: alice@example.com\n"
		"To: bob@example.org\n"
		"Subject: test\n"
		"Message-ID: <t-1@example.com>\n"
		"\n"
		"--BB--\n";
	size_t		n = strlen(fmt) + strlen(dsn) + strlen(text) + 1;
	char	   *m = malloc(n);

	snprintf(m, n, fmt, text, dsn);
	return m;
}

/* RFC 3464 2.3: the fields of a group in any order */
static void
test_field_order(void)
{
	char	   *m = dsn_message(
								"Reporting-MTA: dns; mx.example.net\n"
								"\n"
								"Action: failed\n"
								"Status: 4.0.0\n"
								"Final-Recipient: rfc822; carol@example.org\n"
								"Diagnostic-Code: smtp; 450 4.0.0 Temporary failure\n"
								"\n"
								"Final-Recipient: rfc822; dave@example.org\n"
								"Action: failed\n"
								"Status: 5.1.1\n",
								"Delivery failed.");
	parsed		p;

	parse_buf(m, strlen(m), &p);
	OK(p.ok && p.r.n == 2, "field order: 2 rows (got %zu)", p.r.n);
	IS(row(&p, 0)->recipient, "carol@example.org", "field order: Final-Recipient after Action");
	IS(row(&p, 0)->action, "failed", "field order: Action before Final-Recipient is the row's");
	IS(row(&p, 0)->status, "4.0.0", "field order: Status before Final-Recipient is the row's");
	IS(row(&p, 0)->reason, "onhold", "field order: a failed temporary failure is onhold, not expired");
	IS(row(&p, 1)->action, "failed", "field order: the next group in the usual order");
	IS(row(&p, 1)->status, "5.1.1", "field order: the next group's status");
	OK(result_ok(&p.r), "field order: strings are UTF-8");
	ma_dsn_free(&p.r);
	free(m);
}

/* "Diagnostic-Code: X-Unix; ..." is a local delivery program's failure */
static void
test_xunix(void)
{
	char	   *m = dsn_message(
								"Reporting-MTA: dns; mx.example.net\n"
								"\n"
								"Final-Recipient: rfc822; erin@example.net\n"
								"Action: failed\n"
								"Status: 4.3.0\n"
								"Diagnostic-Code: x-unix; temporary failure\n",
								"The mail system");
	parsed		p;

	parse_buf(m, strlen(m), &p);
	OK(p.ok && p.r.n == 1, "x-unix: 1 row");
	IS(row(&p, 0)->diagnostic_type, "x-unix", "x-unix: diagnostic type kept");
	IS(row(&p, 0)->reason, "mailererror", "x-unix: a program failed: mailererror");
	ma_dsn_free(&p.r);
	free(m);
}

/* an mbox of several messages: every message is read */
static void
test_mbox(void)
{
	const char *one =
		"From MAILER-DAEMON Thu Apr 29 23:34:45 2021\n"
		"From: MAILER-DAEMON@mx.example.net\n"
		"Subject: Undelivered Mail Returned to Sender\n"
		"\n"
		"This is the mail system at host mx.example.net.\n"
		"\n"
		"<frank@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown\n"
		"    (in reply to RCPT TO command)\n"
		"\n"
		"From the mail system: this body line is not a separator.\n"
		">From an escaped line.\n"
		"\n"
		"From MAILER-DAEMON Thu Apr 29 23:34:46 2021\n"
		"From: MAILER-DAEMON@mx.example.net\n"
		"Subject: Undelivered Mail Returned to Sender\n"
		"\n"
		"This is the mail system at host mx.example.net.\n"
		"\n"
		"<grace@example.org>: host mx.example.org[192.0.2.1] said: 552 5.2.2 Mailbox full\n"
		"    (in reply to RCPT TO command)\n";
	parsed		p;

	parse_buf(one, strlen(one), &p);
	OK(p.ok && p.r.n == 2, "mbox: two messages, two rows (got %zu)", p.r.n);
	IS(row(&p, 0)->recipient, "frank@example.org", "mbox: the first message's recipient");
	IS(row(&p, 0)->reason, "userunknown", "mbox: the first message's reason");
	IS(row(&p, 1)->recipient, "grace@example.org", "mbox: the second message's recipient");
	IS(row(&p, 1)->reason, "mailboxfull", "mbox: the second message's reason");
	ma_dsn_free(&p.r);
	/* one message in mbox form: one row, and a body "From " line does not split it */
	parse_buf(one, (size_t) (strstr(one, ">From") - one), &p);
	OK(p.ok && p.r.n == 1, "mbox: a single message with its From_ line, 1 row (got %zu)", p.r.n);
	ma_dsn_free(&p.r);
}

/* "(expanded from ...)": an alias's target is the recipient, the alias the original */
static void
test_expanded_from(void)
{
	const char *sm =
		"From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n"
		"To: alice@example.com\n"
		"Subject: Returned mail: see transcript for details\n"
		"\n"
		"The original message was received at Sat, 7 Nov 2026 08:00:00 +0100\n"
		"from localhost [127.0.0.1]\n"
		"\n"
		"   ----- The following addresses had permanent fatal errors -----\n"
		"bob@mail.example.org\n"
		"    (expanded from: bob@example.org)\n"
		"\n"
		"   ----- Transcript of session follows -----\n"
		"550 5.1.1 bob@mail.example.org... User unknown\n";
	const char *pf =
		"From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
		"To: alice@example.com\n"
		"Subject: Undelivered Mail Returned to Sender\n"
		"\n"
		"This is the mail system at host mx.example.org.\n"
		"\n"
		"I'm sorry to have to inform you that your message could not\n"
		"be delivered to one or more recipients.\n"
		"\n"
		"<carol@mail.example.org> (expanded from <carol@example.org>): unknown user:\n"
		"    \"carol\"\n";
	parsed		p;

	parse_buf(sm, strlen(sm), &p);
	OK(p.ok && p.r.n == 1, "expanded from (sendmail): one row (got %zu)", p.r.n);
	IS(row(&p, 0)->recipient, "bob@mail.example.org", "expanded from (sendmail): the target is the recipient");
	IS(row(&p, 0)->original_recipient, "bob@example.org", "expanded from (sendmail): the alias is the original");
	ma_dsn_free(&p.r);
	parse_buf(pf, strlen(pf), &p);
	OK(p.ok && p.r.n == 1, "expanded from (postfix): one row (got %zu)", p.r.n);
	IS(row(&p, 0)->recipient, "carol@mail.example.org", "expanded from (postfix): the target is the recipient");
	IS(row(&p, 0)->original_recipient, "carol@example.org", "expanded from (postfix): the alias is the original");
	ma_dsn_free(&p.r);
}

/* challenge-response requests are no bounces; auto-replies still are rows */
static void
test_challenge_response(void)
{
	const char *tmda =
		"From: Bob <bob-confirm+1234.abcd@example.org>\n"
		"To: alice@example.com\n"
		"Subject: Re: Lunch? (confirm 1234.abcd)\n"
		"X-Delivery-Agent: TMDA/1.1.12\n"
		"Auto-Submitted: auto-replied\n"
		"\n"
		"Your message to bob@example.org is held until you reply to this one.\n";
	const char *sa =
		"From: \"Bob via Spam Arrest\" <verify@spamarrest.com>\n"
		"To: alice@example.com\n"
		"Subject: Please verify your email: Lunch?\n"
		"Auto-Submitted: auto-replied\n"
		"\n"
		"Please click the link below so that your message reaches me.\n";
	const char *words =
		"From: Bob <bob@example.org>\n"
		"To: alice@example.com\n"
		"Subject: Auto: Lunch?\n"
		"Auto-Submitted: auto-replied\n"
		"\n"
		"I use a challenge-response system. Please confirm that you are a human.\n";
	/* TMDA's own template, which borrows Exim's first line (no X-Delivery-Agent here) */
	const char *tmda_text =
		"From: bob-confirm+1234.abcd@example.org\n"
		"To: alice@example.com\n"
		"Subject: Please confirm your message\n"
		"Auto-Submitted: auto-replied\n"
		"\n"
		"This message was created automatically by mail delivery software\n"
		"(TMDA).\n"
		"\n"
		"Your message attached below is being held because the address\n"
		"<alice@example.com> has not been verified.\n"
		"\n"
		"To release your message for delivery, please send an empty message\n"
		"to the following address, or use your mailer's \"Reply\" feature.\n"
		"\n"
		"   bob-confirm+1234.abcd@example.org\n"
		"\n"
		"--- Original message follows.\n"
		"\n"
		"From: alice@example.com\n"
		"To: bob@example.org\n"
		"Subject: Lunch?\n";
	const char *vac =
		"From: Bob <bob@example.org>\n"
		"To: alice@example.com\n"
		"Subject: Out of office: Lunch?\n"
		"Auto-Submitted: auto-replied\n"
		"\n"
		"I am out of the office until Monday.\n";
	parsed		p;

	parse_buf(tmda, strlen(tmda), &p);
	OK(p.ok && p.r.n == 0, "challenge-response: TMDA, no rows (got %zu)", p.r.n);
	ma_dsn_free(&p.r);
	parse_buf(tmda_text, strlen(tmda_text), &p);
	OK(p.ok && p.r.n == 0, "challenge-response: TMDA's template in Exim's words, no rows (got %zu)",
	   p.r.n);
	ma_dsn_free(&p.r);
	parse_buf(sa, strlen(sa), &p);
	OK(p.ok && p.r.n == 0, "challenge-response: a verification service, no rows (got %zu)", p.r.n);
	ma_dsn_free(&p.r);
	parse_buf(words, strlen(words), &p);
	OK(p.ok && p.r.n == 0, "challenge-response: by its wording, no rows (got %zu)", p.r.n);
	ma_dsn_free(&p.r);
	parse_buf(vac, strlen(vac), &p);
	OK(p.ok && p.r.n == 1, "challenge-response: an out-of-office reply is still a row");
	IS(row(&p, 0)->reason, "vacation", "challenge-response: ... a vacation");
	ma_dsn_free(&p.r);
}

/* quoted-printable as GMime decodes it, CRLF text, ASCII in a Latin-1 part */
static void
test_transfer_encodings(void)
{
	const char *qp =
		"From: MAILER-DAEMON@example.net\r\n"
		"Subject: Undelivered Mail Returned to Sender\r\n"
		"Content-Type: text/plain; charset=\"iso-8859-1\"\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"This is the mail system at host example.net.\r\n"
		"\r\n"
		"<heidi@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 Unbek=\r\n"
		"annt: J=F6rg =ZZ =3d=3D x=\r\n";
	const char *latin1 =
		"From: MAILER-DAEMON@example.net\n"
		"Subject: Undelivered Mail Returned to Sender\n"
		"Content-Type: text/plain; charset=\"ISO-8859-1\"\n"
		"\n"
		"This is the mail system at host example.net.\n"
		"\n"
		"<ivan@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 User unknown\n";
	parsed		p;

	parse_buf(qp, strlen(qp), &p);
	OK(p.ok && p.r.n == 1, "qp: 1 row");
	OK(contains(row(&p, 0)->diagnostic, "Unbekannt: J\xC3\xB6rg =ZZ == x"),
	   "qp: soft breaks joined, =XX decoded, =ZZ kept, a last \"=\" dropped (%s)", row(&p, 0)->diagnostic);
	OK(!contains(row(&p, 0)->diagnostic, "\r"), "qp: no CR left");
	ma_dsn_free(&p.r);
	parse_buf(latin1, strlen(latin1), &p);
	OK(p.ok && p.r.n == 1 && contains(row(&p, 0)->diagnostic, "User unknown"),
	   "ASCII in an ISO-8859-1 part: read as it is");
	ma_dsn_free(&p.r);
}

/* dates: the usual form read directly, the others by GMime */
static void
test_dates(void)
{
	static const struct
	{
		const char *date;
		long long	want;		/* 0: not a date */
	}			dates[] = {
		{"Mon, 29 Apr 2013 14:33:11 +0900 (JST)", 1367213591},
		{"29 Apr 2013 14:33:11 +0900", 1367213591},
		{"Tue, 23 Dec 2014 20:39:24 GMT", 1419367164},
		{"Tue, 23 Dec 2014 20:39 +0100", 1419363540},
		{"Sat, 29 Feb 2020 23:59:59 +1400", 1582970399},
		{"Mon, 29 Apr 13 14:33:11 +0900", 1367213591},
		{"Mon, 01 Jan 2001 01:02:03 EST", 978328923},
		{"Monday, 29 Apr 2013 14:33:11 +0900", 1367213591},
		{"Sun, 29 Feb 2021 10:00:00 +0000", 0},
		{"Mon, 31 Apr 2013 14:33:11 +0000", 0},
	};

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
	{
		char		dsn[512];
		char	   *m;
		parsed		p;

		snprintf(dsn, sizeof(dsn),
				 "Reporting-MTA: dns; mx.example.net\nArrival-Date: %s\n\n"
				 "Final-Recipient: rfc822; judy@example.net\nAction: failed\nStatus: 5.1.1\n",
				 dates[i].date);
		m = dsn_message(dsn, "x");
		parse_buf(m, strlen(m), &p);
		if (dates[i].want)
			OK(p.r.n == 1 && row(&p, 0)->has_arrival_date && row(&p, 0)->arrival_date == dates[i].want,
			   "date \"%s\" = %lld (got %lld)", dates[i].date, dates[i].want,
			   (long long) row(&p, 0)->arrival_date);
		else
			OK(p.r.n == 1 && !row(&p, 0)->has_arrival_date, "date \"%s\": not a date", dates[i].date);
		ma_dsn_free(&p.r);
		free(m);
	}
}

/* a long diagnostic: whitespace collapsed, cut at 4096 bytes on a character boundary */
static void
test_long_diagnostic(void)
{
	size_t		n = 0;
	char	   *d = malloc(20000);
	char	   *dsn,
			   *m;
	parsed		p;

	n += (size_t) sprintf(d + n, "Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; kim@example.net\n"
						  "Action: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550");
	while (n < 9000)
		n += (size_t) sprintf(d + n, " \t caf\xC3\xA9");
	d[n] = '\0';
	dsn = d;
	m = dsn_message(dsn, "x");
	parse_buf(m, strlen(m), &p);
	OK(p.ok && p.r.n == 1, "long diagnostic: 1 row");
	OK(row(&p, 0)->diagnostic && strlen(row(&p, 0)->diagnostic) >= 4096 &&
	   strlen(row(&p, 0)->diagnostic) <= 4100, "long diagnostic: about 4096 bytes (got %zu)",
	   row(&p, 0)->diagnostic ? strlen(row(&p, 0)->diagnostic) : 0);
	OK(!contains(row(&p, 0)->diagnostic, "  ") && !contains(row(&p, 0)->diagnostic, "\t"),
	   "long diagnostic: whitespace runs as one space");
	OK(result_ok(&p.r), "long diagnostic: cut on a character boundary (UTF-8)");
	ma_dsn_free(&p.r);
	free(m);
	free(d);
}

/* many header fields, RFC 2047 values decoded when read, an HTML-only bounce */
static void
test_headers_and_html(void)
{
	char	   *m = malloc(20000);
	size_t		n = 0;
	parsed		p;
	const char *html =
		"From: MAILER-DAEMON@example.net\n"
		"Subject: Undelivered Mail Returned to Sender\n"
		"MIME-Version: 1.0\n"
		"Content-Type: text/html; charset=utf-8\n"
		"\n"
		"<html><head><style>p { color: red }</style></head><body>\n"
		"<p>This is the mail system at host example.net.</p>\n"
		"<p>&lt;leo@example.net&gt;: host mx.example.net[192.0.2.1] said: 550 5.1.1 User unknown<br>\n"
		"(in reply to RCPT TO command)</p></body></html>\n";

	n += (size_t) sprintf(m + n, "From: =?utf-8?Q?Bob_M=C3=BCller?= <bob@example.org>\n"
						  "To: alice@example.com\n");
	for (int i = 0; i < 100; i++)
		n += (size_t) sprintf(m + n, "X-Filler-%d: value %d\n", i, i);
	n += (size_t) sprintf(m + n, "Subject: =?utf-8?B?T3V0IG9mIG9mZmljZQ==?=: Lunch\n"
						  "Auto-Submitted: auto-replied\n\nI am away.\n");
	parse_buf(m, n, &p);
	OK(p.ok && p.r.n == 1, "100 header fields: the auto-reply is read");
	IS(row(&p, 0)->recipient, "bob@example.org", "100 header fields: From found past the first 48 fields");
	IS(row(&p, 0)->reason, "vacation", "100 header fields: the encoded Subject decoded when read");
	ma_dsn_free(&p.r);
	free(m);
	parse_buf(html, strlen(html), &p);
	OK(p.ok && p.r.n == 1, "text/html only: read as text");
	IS(row(&p, 0)->recipient, "leo@example.net", "text/html only: the recipient");
	IS(row(&p, 0)->reason, "userunknown", "text/html only: the reason");
	OK(!contains(row(&p, 0)->diagnostic, "color"), "text/html only: no style sheet in the diagnostic");
	ma_dsn_free(&p.r);
}

/* RFC 2047 encoded words in the returned message's header (decoded without GMime when well-formed) */
static void
test_encoded_words(void)
{
	static const struct
	{
		const char *subject;	/* as written in the original message */
		const char *want;		/* its decoded value */
		const char *what;
	}			cases[] = {
		{"=?UTF-8?B?SGVsbG8=?= =?UTF-8?B?V29ybGQ=?=", "HelloWorld",
		"two base64 words with padding: both kept, the space between dropped"},
		{"=?utf-8?q?caf=C3=A9?= au lait", "caf\xC3\xA9 au lait", "Q word then plain text: the space kept"},
		{"Re: =?ISO-8859-1?Q?Gr=FC=DFe?=", "Re: Gr\xC3\xBC\xC3\x9F" "e", "ISO-8859-1 to UTF-8"},
		{"=?utf-8?B?4oKs?=\t=?utf-8?B?IDEw?=", "\xE2\x82\xAC 10", "tab between two words dropped"},
		{"=?utf-8?q?=E2=82?= =?utf-8?q?=AC?=", "\xE2\x82\xAC", "a character split between two words of one encoding"},
		{"=?iso-2022-jp?B?GyRCJUYlOSVIGyhC?= =?iso-2022-jp?B?GyRCJUYlOSVIGyhC?=",
		"\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88", "ISO-2022-JP words converted"},
		{"=?windows-1252?Q?plain_ascii?=", "plain ascii", "7-bit text in an ASCII charset"},
		{"=?utf-8?B?SGk=?=. Bye", "Hi. Bye", "a word followed by punctuation (GMime's way)"},
		{"=?utf-8?B?SGk?=", NULL, "malformed base64: whatever GMime makes of it, valid UTF-8"},
		{"=?x-no-such-charset?Q?abc=FF?=", NULL, "unknown charset with 8-bit bytes: valid UTF-8"},
		{"  =?utf-8?Q?a?=   ", "a", "surrounding whitespace trimmed"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char		m[2048];
		parsed		p;
		int			n = snprintf(m, sizeof(m),
								 "From: MAILER-DAEMON@example.net\n"
								 "Subject: Undelivered Mail Returned to Sender\n"
								 "\n"
								 "<leo@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown\n"
								 "\n"
								 "--- original message follows ---\n"
								 "\n"
								 "From: sender@example.net\n"
								 "To: leo@example.org\n"
								 "Subject: %s\n"
								 "\n"
								 "Hi\n", cases[i].subject);

		parse_buf(m, (size_t) n, &p);
		OK(p.ok && p.r.n == 1, "encoded words (%s): one row", cases[i].what);
		if (cases[i].want)
			IS(row(&p, 0)->original_subject, cases[i].want, cases[i].what);
		else
			OK(row(&p, 0)->original_subject == NULL || utf8_ok(row(&p, 0)->original_subject),
			   "encoded words: %s", cases[i].what);
		ma_dsn_free(&p.r);
	}
}

/* lines ending with a bare CR (old Mac OS files) read as lines */
static void
test_mac_line_ends(void)
{
	const char *lfmsg =
		"From: MAILER-DAEMON@example.net\n"
		"Subject: Undelivered Mail Returned to Sender\n"
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n"
		"\n"
		"--b1\n"
		"Content-Type: text/plain\n"
		"\n"
		"<ann@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown\n"
		"--b1\n"
		"Content-Type: message/delivery-status\n"
		"\n"
		"Reporting-MTA: dns; mx.example.net\n"
		"\n"
		"Final-Recipient: rfc822; ann@example.org\n"
		"Action: failed\n"
		"Status: 5.1.1\n"
		"Diagnostic-Code: smtp; 550 5.1.1 User unknown\n"
		"--b1--\n";
	size_t		n = strlen(lfmsg);
	char	   *cr = malloc(n + 1),
			   *crcrlf = malloc(n * 3 + 1);
	size_t		k = 0;
	parsed		p;

	for (size_t i = 0; i <= n; i++)
		cr[i] = lfmsg[i] == '\n' ? '\r' : lfmsg[i];
	parse_buf(cr, n, &p);
	OK(p.ok && p.r.n == 1, "mac: one row from a CR-only message");
	IS(row(&p, 0)->recipient, "ann@example.org", "mac: the recipient");
	IS(row(&p, 0)->status, "5.1.1", "mac: the status");
	OK(contains(row(&p, 0)->diagnostic, "550 5.1.1 User unknown") && !contains(row(&p, 0)->diagnostic, "\r"),
	   "mac: the diagnostic, no CR left");
	ma_dsn_free(&p.r);
	/* CR CR LF line ends are CR LF with a CR too many, not Mac lines */
	for (size_t i = 0; i < n; i++)
	{
		if (lfmsg[i] == '\n')
		{
			crcrlf[k++] = '\r';
			crcrlf[k++] = '\r';
		}
		crcrlf[k++] = lfmsg[i];
	}
	parse_buf(crcrlf, k, &p);
	OK(p.ok && p.r.n == 1, "CR CR LF: one row");
	IS(row(&p, 0)->recipient, "ann@example.org", "CR CR LF: the recipient");
	ma_dsn_free(&p.r);
	free(cr);
	free(crcrlf);
}

/* the helpers the decoders share */
static void
test_helpers(void)
{
	char		st[16],
				addr[256];

	OK(ma_dsn_find_status("550 5.1.1 <a@b>", 15, 0, st) && strcmp(st, "5.1.1") == 0, "find_status: 5.1.1");
	OK(ma_dsn_find_status("from 192.0.2.5 said 550 5.7.1 no", 32, 0, st) && strcmp(st, "5.7.1") == 0,
	   "find_status: not inside an IPv4 address");
	OK(!ma_dsn_find_status("version 5.2.1 of x", 18, 0, st) || strcmp(st, "5.2.1") == 0,
	   "find_status: a version number");
	OK(ma_dsn_find_status("421 4.4.7 then 4.4.1", 20, 0, st) && strcmp(st, "4.4.1") == 0,
	   "find_status: 4.4.7 kept only as a last resort");
	OK(ma_dsn_find_reply("host said: 550 5.1.1 unknown", 28, 0) == 550, "find_reply: 550");
	OK(ma_dsn_find_reply("port 25000 192.0.2.250", 22, 0) == 0, "find_reply: not in numbers");
	{
		/* long runs without digits or dots, codes at every alignment */
		char		buf[200];

		for (int pad = 0; pad < 17; pad++)
		{
			int			n = snprintf(buf, sizeof(buf), "%.*sremote host said: %.*s 550 %.*s 5.2.2 mailbox full",
									 pad, "abcdefghijklmnopq", pad, "xxxxxxxxxxxxxxxxx", pad, "yyyyyyyyyyyyyyyyy");

			OK(ma_dsn_find_status(buf, (size_t) n, 0, st) && strcmp(st, "5.2.2") == 0,
			   "find_status: after %d more bytes", pad);
			OK(ma_dsn_find_reply(buf, (size_t) n, 0) == 550, "find_reply: after %d more bytes", pad);
		}
		OK(!ma_dsn_find_status("no code here at all, none", 25, 0, st), "find_status: none in plain text");
		OK(!ma_dsn_find_status("host.example.org. x.y. 1.2.3.4.", 32, 0, st), "find_status: dots without a code");
		OK(ma_dsn_find_reply("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9 421 later", 18, 0) == 421,
		   "find_reply: after 8-bit bytes");
	}
	ma_dsn_prefer_status("5.0.0", "5.1.1", 550, st);
	IS(st, "5.1.1", "prefer: x.0.0 Status loses to the code in the message");
	ma_dsn_prefer_status("5.2.2", "5.0.0", 550, st);
	IS(st, "5.2.2", "prefer: a specific Status beats x.0.0 in the message");
	OK(ma_dsn_find_addr("rfc822; <Bob@EXAMPLE.Net>", 25, addr, sizeof(addr)) && strcmp(addr, "Bob@example.net") == 0,
	   "find_addr: brackets, domain lowercased");
	OK(!ma_dsn_find_addr("no address here", 15, addr, sizeof(addr)), "find_addr: none");
}

/* naive references for the search helpers */
static const char *
ref_search(const char *h, size_t hn, const char *nd, size_t nn, bool fold)
{
	for (size_t i = 0; i + nn <= hn; i++)
	{
		size_t		k = 0;

		for (; k < nn; k++)
		{
			unsigned char a = (unsigned char) h[i + k],
						b = (unsigned char) nd[k];

			if (fold)
			{
				a = (unsigned char) (a >= 'A' && a <= 'Z' ? a + 32 : a);
				b = (unsigned char) (b >= 'A' && b <= 'Z' ? b + 32 : b);
			}
			if (a != b)
				break;
		}
		if (k == nn)
			return h + i;
	}
	return nn == 0 ? h : NULL;
}

/*
 * ma_dsn_memmem(), ma_dsn_memcasemem() and ma_dsn_lower() (16 bytes at a
 * time where SSE2 is there) against byte-by-byte references: random
 * haystacks of 0 to 200 bytes over a small alphabet (many partial matches,
 * both cases, bytes >= 0x80, NUL), each at the very end of its own
 * allocation so that a read past it is caught under ASan, needles of 1 to 40
 * bytes taken from the haystack or made up.
 */
static void
test_search(void)
{
	static const char alpha[] = "aAbB-\r\n \x80\xC3\xA9zZ@.";
	unsigned	seed = 12345;
	int			bad_mem = 0,
				bad_case = 0,
				bad_lower = 0,
				found = 0;

#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
	for (int round = 0; round < 20000; round++)
	{
		size_t		hn = RND() % 201,
					nn = 1 + RND() % 40;
		char	   *h = malloc(hn ? hn : 1),
				   *low = malloc(hn ? hn : 1);
		char		nd[41];
		const char *got,
				   *want;

		for (size_t i = 0; i < hn; i++)
			h[i] = (round % 7 == 0 && i % 13 == 5) ? '\0' : alpha[RND() % (sizeof(alpha) - 1)];
		if (hn >= nn && RND() % 2)
		{
			size_t		at = RND() % (hn - nn + 1);

			memcpy(nd, h + at, nn);
			for (size_t k = 0; k < nn; k++)
				if (RND() % 3 == 0 && nd[k] >= 'a' && nd[k] <= 'z')
					nd[k] = (char) (nd[k] - 32);
		}
		else
			for (size_t k = 0; k < nn; k++)
				nd[k] = alpha[RND() % (sizeof(alpha) - 1)];
		nd[nn] = '\0';
		got = ma_dsn_memmem(h, hn, nd, nn);
		want = ref_search(h, hn, nd, nn, false);
		bad_mem += got != want;
		if (memchr(nd, '\0', nn) == NULL)
		{
			got = ma_dsn_memcasemem(h, hn, nd);
			want = ref_search(h, hn, nd, nn, true);
			bad_case += got != want;
			found += want != NULL;
		}
		ma_dsn_lower(low, h, hn);
		for (size_t i = 0; i < hn; i++)
			bad_lower += low[i] != (h[i] >= 'A' && h[i] <= 'Z' ? h[i] + 32 : h[i]);
		/* in place, as the Received fields are lowercased */
		memcpy(low, h, hn);
		ma_dsn_lower(low, low, hn);
		for (size_t i = 0; i < hn; i++)
			bad_lower += low[i] != (h[i] >= 'A' && h[i] <= 'Z' ? h[i] + 32 : h[i]);
		free(h);
		free(low);
	}
#undef RND
	OK(bad_mem == 0, "memmem: 20,000 random searches agree with the reference (%d differ)", bad_mem);
	OK(bad_case == 0 && found > 1000, "memcasemem: agree with the reference (%d differ, %d found)", bad_case, found);
	OK(bad_lower == 0, "lower: every byte as the reference, also in place (%d differ)", bad_lower);
}

/*
 * The byte-class helpers of ma_text.h the parsers skip words, names and
 * ASCII runs with (16 or 8 bytes at a time, the rest with an overlapping
 * load): against byte-by-byte references, on random strings each at the
 * very end of its allocation, every length from 0 to 80.
 */
static bool
ref_in(unsigned char c, ma_span_class cls)
{
	bool		space = c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';

	switch (cls)
	{
		case MA_SPAN_WORD:
			return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		case MA_SPAN_TEXT:
			return !space && c != '\0';
		case MA_SPAN_NAME:
			return !space && c != ':';
		case MA_SPAN_NODIGIT:
			return !(c >= '0' && c <= '9');
	}
	return false;
}

static void
test_spans(void)
{
	static const char alpha[] = "aZ09 :\t\r\n\v\f\x80\xC3\xA9\x7F@_-/";
	unsigned	seed = 777;
	int			bad_class = 0,
				bad_span = 0,
				bad_ascii = 0,
				bad_until = 0;

	for (int c = 0; c < 256; c++)
		for (int cls = MA_SPAN_WORD; cls <= MA_SPAN_NODIGIT; cls++)
		{
			unsigned char b[1] = {(unsigned char) c};

			bad_class += ma_span_in((unsigned char) c, (ma_span_class) cls) != ref_in((unsigned char) c, (ma_span_class) cls);
			bad_class += ma_span(b, 1, (ma_span_class) cls) != (ref_in((unsigned char) c, (ma_span_class) cls) ? 1u : 0u);
		}
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
	for (int round = 0; round < 30000; round++)
	{
		size_t		n = (size_t) round % 81;
		unsigned char *s = malloc(n ? n : 1);
		int			kind = (int) (RND() % 3);
		size_t		want;

		for (size_t i = 0; i < n; i++)
			s[i] = kind == 0 ? (unsigned char) RND() :
				kind == 1 ? (unsigned char) alpha[RND() % (sizeof(alpha) - 1)] :
				(RND() % 24 ? (unsigned char) ('a' + RND() % 26) : (unsigned char) alpha[RND() % (sizeof(alpha) - 1)]);
		for (int cls = MA_SPAN_WORD; cls <= MA_SPAN_NODIGIT; cls++)
		{
			want = 0;
			while (want < n && ref_in(s[want], (ma_span_class) cls))
				want++;
			bad_span += ma_span(s, n, (ma_span_class) cls) != want;
		}
		want = 0;
		while (want < n && s[want] != 0 && s[want] < 0x80)
			want++;
		bad_ascii += ma_ascii_run((const char *) s, n) != want;
		want = 0;
		while (want < n && (s[want] == 0 || strchr(" \t:@\x80", s[want]) == NULL))
			want++;
		bad_until += MA_SPAN_UNTIL(s, n, " \t:@\x80") != want;
		free(s);
	}
#undef RND
	OK(bad_class == 0, "ma_span_in/ma_span: every byte in its class (%d differ)", bad_class);
	OK(bad_span == 0, "ma_span: 120,000 random spans agree with the reference (%d differ)", bad_span);
	OK(bad_ascii == 0, "ma_ascii_run: 30,000 random runs agree with the reference (%d differ)", bad_ascii);
	OK(bad_until == 0, "ma_span_until: 30,000 random spans agree with the reference (%d differ)", bad_until);
}

/*
 * ma_dsn_set_diag() and ma_dsn_append_diag() against the byte-by-byte
 * algorithm they had until the eighth session (kept here as the reference):
 * whitespace runs and NULs as one space, 4096 bytes kept and the rest of a
 * character cut there.  Random texts of every length up to 9,000 bytes,
 * whitespace, NULs and UTF-8 lead and continuation bytes among them.
 */
#define REF_MAX_DIAG 4096

static bool
ref_spnul(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static bool
ref_sp(char c)
{
	return c != '\0' && ref_spnul(c);
}

/* the raw bytes the old ma_dsn_set_diag() kept (*on < 0: nothing set) */
static char *
ref_set_diag(const char *s, size_t n, long *on)
{
	char	   *buf;
	size_t		o = 0;
	bool		sp = false;

	*on = -1;
	if (n > REF_MAX_DIAG * 2)
		n = REF_MAX_DIAG * 2;
	while (n > 0 && ref_sp(*s))
		s++, n--;
	while (n > 0 && ref_sp(s[n - 1]))
		n--;
	if (n == 0)
		return NULL;
	buf = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
	{
		char		ch = s[i];

		if (ref_spnul(ch))
		{
			sp = true;
			continue;
		}
		if (o >= REF_MAX_DIAG && ((unsigned char) ch & 0xC0) != 0x80)
			break;
		if (sp && o > 0)
			buf[o++] = ' ';
		sp = false;
		if (o >= REF_MAX_DIAG)
		{
			buf[o++] = ch;
			continue;
		}
		{
			size_t		j = i + 1;

			while (j < n && !ref_spnul(s[j]))
				j++;
			if (j - i > REF_MAX_DIAG - o)
				j = i + (REF_MAX_DIAG - o);
			memcpy(buf + o, s + i, j - i);
			o += j - i;
			i = j - 1;
		}
	}
	*on = (long) o;
	return buf;
}

/* the raw bytes the old ma_dsn_append_diag() kept after old[0..ol) (ol > 0, < 4096) */
static char *
ref_append_diag(const char *old, size_t ol, const char *s, size_t n, long *on)
{
	char	   *buf;
	size_t		o;
	bool		sp = true;

	*on = -1;
	if (n > REF_MAX_DIAG * 2 - ol - 1)
		n = REF_MAX_DIAG * 2 - ol - 1;
	while (n > 0 && ref_sp(s[n - 1]))
		n--;
	buf = malloc(ol + 1 + n + 1);
	memcpy(buf, old, ol);
	o = ol;
	for (size_t i = 0; i < n; i++)
	{
		char		ch = s[i];

		if (ref_spnul(ch))
		{
			sp = true;
			continue;
		}
		if (o >= REF_MAX_DIAG && ((unsigned char) ch & 0xC0) != 0x80)
			break;
		if (sp)
			buf[o++] = ' ';
		sp = false;
		buf[o++] = ch;
	}
	if (o > ol)
		*on = (long) o;
	return buf;
}

static void
test_diag_collapse(void)
{
	static const char alpha[] = "ab Z \t\n\r\0\xC3\xA9\x80\xE2";
	unsigned	seed = 4242;
	int			bad_set = 0,
				bad_append = 0,
				cut = 0;

#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
	for (int round = 0; round < 6000; round++)
	{
		size_t		n = round % 3 == 0 ? (size_t) (RND() % 9000) :
			round % 3 == 1 ? (size_t) (4080 + RND() % 40) : (size_t) (RND() % 300);
		char	   *s = malloc(n ? n : 1),
				   *raw;
		long		rn;
		ma_dsn_rcpt got,
					want;
		int			wordy = (int) (RND() % 4);

		for (size_t i = 0; i < n; i++)
			s[i] = wordy ? (RND() % 9 ? (char) ('a' + RND() % 26) : alpha[RND() % (sizeof(alpha) - 1)]) :
				alpha[RND() % (sizeof(alpha) - 1)];

		/* set */
		memset(&got, 0, sizeof(got));
		memset(&want, 0, sizeof(want));
		ma_dsn_set_diag(&got, s, n);
		raw = ref_set_diag(s, n, &rn);
		if (rn >= 0)
			ma_dsn_setn(&want.diagnostic, raw, (size_t) rn);
		free(raw);
		bad_set += (got.diagnostic == NULL) != (want.diagnostic == NULL) ||
			(got.diagnostic && strcmp(got.diagnostic, want.diagnostic) != 0);
		cut += rn > REF_MAX_DIAG;

		/* append to a diagnostic of 1 to 4,095 bytes */
		{
			size_t		ol = 1 + (size_t) (round % 5 == 0 ? 4080 + RND() % 15 : RND() % 4095);
			char	   *old = malloc(ol + 1);

			for (size_t i = 0; i < ol; i++)
				old[i] = (char) ('a' + RND() % 26);
			old[ol] = '\0';
			free(got.diagnostic);
			free(want.diagnostic);
			got.diagnostic = strdup(old);
			want.diagnostic = strdup(old);
			ma_dsn_append_diag(&got, s, n);
			raw = ref_append_diag(old, ol, s, n, &rn);
			if (rn >= 0)
				ma_dsn_setn(&want.diagnostic, raw, (size_t) rn);
			free(raw);
			bad_append += strcmp(got.diagnostic, want.diagnostic) != 0;
			free(old);
		}
		free(got.diagnostic);
		free(want.diagnostic);
		free(s);
	}
#undef RND
	OK(bad_set == 0 && cut > 100, "set_diag: 6,000 random texts as the reference (%d differ, %d cut at the limit)",
	   bad_set, cut);
	OK(bad_append == 0, "append_diag: 6,000 random texts as the reference (%d differ)", bad_append);
}

/*
 * ma_dsn_find_status() against the version it had until the eighth session
 * (every dot of the text visited with memchr(); kept here as the
 * reference), on random texts of digits, dots and letters.
 */
static void
ref_code_copy(char out[16], const char *s)
{
	size_t		n = strnlen(s, 15);

	memmove(out, s, n);
	out[n] = '\0';
}

static bool
ref_find_status(const char *s, size_t n, char cls, char out[16])
{
	char		best[16] = "",
				other[16] = "";
	int			found = 0;

	out[0] = '\0';
	if (s == NULL || n < 5)
		return false;
	for (size_t i = 0; i + 4 < n + 1 && i + 4 <= n; i++)
	{
		char		c = s[i];
		char		code[16];
		size_t		j,
					nd;

		/* not 2, 4 or 5: on to the byte before the next dot (a code is "d.") */
		if (!(c == '2' || c == '4' || c == '5'))
		{
			const char *q = i + 2 < n ? memchr(s + i + 2, '.', n - i - 2) : NULL;

			if (q == NULL)
				break;
			i = (size_t) (q - s) - 2;	/* the loop's i++ makes it the byte before */
			continue;
		}
		if (cls && c != cls)
			continue;
		if (i + 4 > n || s[i + 1] != '.' || !isdigit((unsigned char) s[i + 2]))
			continue;
		if (i > 0)
		{
			unsigned char p = (unsigned char) s[i - 1];

			if ((p >= '.' && p <= '9') || p == 'v' || p == 'V' || isalpha(p) || p == '-' || p == '_')
				continue;
		}
		/* subject: 1-3 digits, a dot, detail: 1-3 digits */
		j = i + 2;
		nd = 0;
		while (j < n && isdigit((unsigned char) s[j]) && nd < 4)
		{
			j++;
			nd++;
		}
		if (nd == 0 || nd > 3 || j >= n || s[j] != '.')
			continue;
		if (s[i + 2] > '7' || nd > 1)
			continue;
		j++;
		nd = 0;
		while (j < n && isdigit((unsigned char) s[j]) && nd < 4)
		{
			j++;
			nd++;
		}
		if (nd == 0 || nd > 3)
			continue;
		/* part of an address or a longer dotted number */
		if (j < n && (s[j] == '.' && j + 1 < n && isdigit((unsigned char) s[j + 1])))
			continue;
		if (j < n && (isalnum((unsigned char) s[j]) || s[j] == '@' || s[j] == '_'))
			continue;
		memcpy(code, s + i, j - i);
		code[j - i] = '\0';
		if (strncmp(code + 1, ".0.0", 4) == 0 || strcmp(code, "4.4.7") == 0)
		{
			if (!other[0])
				ref_code_copy(other, code);
			continue;
		}
		if (found == 0)
			ref_code_copy(best, code);
		else
		{
			char		t[16];

			ma_dsn_prefer_status(best, code, 0, t);
			memcpy(best, t, sizeof(best));
		}
		found++;
		i = j - 1;
	}
	if (found == 0 && !other[0])
		return false;
	if (found == 0)
		ref_code_copy(out, other);
	else
		ref_code_copy(out, best);
	return true;
}

static void
test_find_status_ref(void)
{
	static const char *const tokens[] = {
		"5.1.1", "4.4.7", "2.0.0", "5.0.0", "4.2.2", "5.7.26", "5.", "4", ".", " ", "a", "-",
		"@", "_", "v", "192.0.2.5", "10", "5.5.5.5", "x5.1.1", "5.1.1.", "550", "(", "2.1.5"
	};
	unsigned	seed = 99;
	int			bad = 0,
				found = 0;

#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
	for (int round = 0; round < 40000; round++)
	{
		char		buf[200];
		size_t		n = 0,
					want_n = (size_t) (RND() % 90);
		char	   *s;
		char		got[16],
					want[16];
		char		cls = "0245"[RND() % 4];
		bool		g,
					w;

		while (n < want_n)
		{
			const char *t = tokens[RND() % (sizeof(tokens) / sizeof(tokens[0]))];
			size_t		tl = strlen(t);

			memcpy(buf + n, t, tl);
			n += tl;
		}
		/* the text at the very end of its allocation */
		s = malloc(n ? n : 1);
		memcpy(s, buf, n);
		if (cls == '0')
			cls = 0;
		g = ma_dsn_find_status(s, n, cls, got);
		w = ref_find_status(s, n, cls, want);
		bad += g != w || strcmp(got, want) != 0;
		found += w;
		free(s);
	}
#undef RND
	OK(bad == 0 && found > 2000, "find_status: 40,000 random texts as the reference (%d differ, %d with a code)", bad, found);
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		fixtures = argv[1];
	else if (getenv("MA_DSN_FIXTURES"))
		fixtures = getenv("MA_DSN_FIXTURES");

	test_rfc3464();
	test_postfix();
	test_exim();
	test_sendmail();
	test_qmail();
	test_exchange();
	test_gmail();
	test_arf();
	test_vacation();
	test_success();
	test_base64();
	test_iso2022jp();
	test_not_a_bounce();
	test_empty();
	test_junk();
	test_nested();
	test_charsets();
	test_many_recipients();
	test_nul_bytes();
	test_truncated();
	test_big();
	test_helpers();
	test_search();
	test_spans();
	test_diag_collapse();
	test_find_status_ref();
	test_field_order();
	test_xunix();
	test_mbox();
	test_challenge_response();
	test_expanded_from();
	test_transfer_encodings();
	test_dates();
	test_long_diagnostic();
	test_headers_and_html();
	test_encoded_words();
	test_mac_line_ends();

	printf("1..%d\n", ntests);
	return nfailed == 0 ? 0 : 1;
}
