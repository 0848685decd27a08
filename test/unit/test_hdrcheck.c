/*-------------------------------------------------------------------------
 *
 * test_hdrcheck.c
 *	  Unit tests of the header hygiene checks (src/core/ma_hdrcheck.c):
 *	  every finding code with its severity, the Date grammar (valid,
 *	  obsolete and invalid forms, the future and the past), Message-ID
 *	  forms, the single-field entry point (header injection), the domains
 *	  helper, and hostile input (empty, binary junk, 100 KB of nested
 *	  comments, 10,000 addresses, NUL bytes, invalid UTF-8, a 300-character
 *	  domain, 100,000 fields, a 1 MB line).
 *
 * "now" is fixed: 1700000000 = Tue, 14 Nov 2023 22:13:20 +0000.  Each check
 * compares the whole list of findings, as "code:header" words in order.
 * Every finding of every run is also checked against the code table of
 * ma_hdrcheck.h (known code, its severity, clean UTF-8 strings); one
 * assertion at the end counts the violations.
 *
 * Output is TAP: "ok N - ...", "not ok N - ...", then the plan "1..N".  The
 * exit status is 0 only when every assertion passed.
 *
 * Build and run:
 *	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc -o test/unit/test_hdrcheck \
 *		test/unit/test_hdrcheck.c src/core/ma_hdrcheck.c src/core/ma_addr.c \
 *		src/core/ma_idn.c -lidn2
 *	test/unit/test_hdrcheck
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_hdrcheck.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ma_test.h"

#define NOW ((time_t) 1700000000)

/* the contract: every code and its severity */
static const struct
{
	const char *code;
	const char *severity;
}			CODES[] = {
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
#define NCODES ((int) (sizeof(CODES) / sizeof(CODES[0])))

static int	contract_violations = 0;
static int	seen[64];

static bool
clean_text(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;

	while (*p)
	{
		int			k;

		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p < 0x80)
		{
			p++;
			continue;
		}
		k = (*p >= 0xc2 && *p <= 0xdf) ? 1 : (*p >= 0xe0 && *p <= 0xef) ? 2 :
			(*p >= 0xf0 && *p <= 0xf4) ? 3 : -1;
		if (k < 0)
			return false;
		for (int j = 1; j <= k; j++)
			if ((p[j] & 0xc0) != 0x80)
				return false;
		p += k + 1;
	}
	return true;
}

static void
check_contract(const ma_hdrcheck_list *l)
{
	int			nerr = 0,
				nwarn = 0;

	if (l->n > MA_HDRCHECK_MAX_FINDINGS + 1)
		contract_violations++;
	for (int i = 0; i < l->n; i++)
	{
		const ma_hdrcheck_finding *f = &l->items[i];
		int			k;

		for (k = 0; k < NCODES; k++)
			if (strcmp(f->code, CODES[k].code) == 0)
				break;
		if (k == NCODES || strcmp(f->severity, CODES[k].severity) != 0)
		{
			printf("# contract: %s/%s\n", f->code, f->severity);
			contract_violations++;
			continue;
		}
		seen[k]++;
		if (!f->detail || !clean_text(f->detail) || (f->header && !clean_text(f->header)))
			contract_violations++;
		if (f->header && strlen(f->header) > 300)
			contract_violations++;
		nerr += strcmp(f->severity, "error") == 0;
		nwarn += strcmp(f->severity, "warning") == 0;
	}
	if (nerr != l->nerrors || nwarn != l->nwarnings)
		contract_violations++;
	if (l->truncated != (l->n > 0 && strcmp(l->items[l->n - 1].code, "findings_truncated") == 0))
		contract_violations++;
}

static ma_hdrcheck_list H;

/* "code:header code ..." of the last run */
static const char *
summary(void)
{
	static char buf[8192];
	size_t		o = 0;

	buf[0] = '\0';
	for (int i = 0; i < H.n && o < sizeof(buf) - 200; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "%s%s%s%.100s", i ? " " : "", H.items[i].code,
					  H.items[i].header ? ":" : "", H.items[i].header ? H.items[i].header : "");
	return buf;
}

static const char *
run_n(const char *m, size_t n)
{
	ma_hdrcheck_list_free(&H);
	if (ma_hdrcheck_at(m, n, NOW, &H) != 0)
		contract_violations++;
	check_contract(&H);
	return summary();
}

static const char *
run(const char *m)
{
	return run_n(m, strlen(m));
}

static const char *
field_n(const char *name, const char *v, size_t n)
{
	ma_hdrcheck_list_free(&H);
	if (ma_hdrcheck_field(name, v, n, NOW, &H) != 0)
		contract_violations++;
	check_contract(&H);
	return summary();
}

static const char *
field(const char *name, const char *v)
{
	return field_n(name, v, v ? strlen(v) : 0);
}

static const char *
esc(const char *s)
{
	static char bufs[4][240];
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
expect(int line, const char *what, const char *got, const char *want)
{
	bool		ok = strcmp(got, want) == 0;

	check(ok, line, "%s: [%s]", esc(what), want);
	if (!ok)
		printf("#   got:      [%s]\n#   expected: [%s]\n", got, want);
}

#define MSG(m, want) expect(__LINE__, (m), run(m), (want))
#define FIELD(n, v, want) expect(__LINE__, (v), field((n), (v)), (want))

/* a correct header; ends with the empty line */
#define GOOD_FROM	"From: Alice <alice@example.com>\r\n"
#define GOOD_TO		"To: Bob <bob@example.net>\r\n"
#define GOOD_SUBJ	"Subject: Hello\r\n"
#define GOOD_DATE	"Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
#define GOOD_MID	"Message-ID: <1.2@example.com>\r\n"
#define GOOD		GOOD_FROM GOOD_TO GOOD_SUBJ GOOD_DATE GOOD_MID
#define BODY		"\r\nbody\r\n"

/* ---------------------------------------------------------------------
 * Message-level codes
 * ---------------------------------------------------------------------
 */
static void
test_message(void)
{
	static const char *const dup[] = {"Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc",
	"Message-ID", "In-Reply-To", "References", "Subject"};
	char		buf[4096];

	MSG(GOOD BODY, "");
	MSG("From: alice@example.com\nTo: bob@example.net\nSubject: Hello\n"
		"Date: Tue, 14 Nov 2023 22:13:20 +0000\nMessage-ID: <1@example.com>\n\nbody\n", "");
	MSG(GOOD "\r\n", "");
	MSG("DATE: Tue, 14 Nov 2023 22:13:20 +0000\nfrom: a@example.com\nSUBJECT: x\n"
		"message-id: <a@b>\n\n", "");
	MSG("", "no_header_fields missing_from:From missing_date:Date "
		"missing_message_id:Message-ID missing_subject:Subject");
	MSG("\r\nFrom: a@example.com\r\n", "no_header_fields missing_from:From missing_date:Date "
		"missing_message_id:Message-ID missing_subject:Subject");
	MSG(GOOD_TO GOOD_SUBJ GOOD_DATE GOOD_MID BODY, "missing_from:From");
	MSG(GOOD_FROM GOOD_TO GOOD_SUBJ GOOD_MID BODY, "missing_date:Date");
	MSG(GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID BODY, "missing_subject:Subject");
	MSG(GOOD_FROM GOOD_TO GOOD_SUBJ GOOD_DATE BODY, "missing_message_id:Message-ID");
	MSG(GOOD_FROM GOOD_SUBJ GOOD_DATE GOOD_MID BODY, "");	/* To is optional */

	/* occurrence limits, field by field */
	for (size_t i = 0; i < sizeof(dup) / sizeof(dup[0]); i++)
	{
		char		want[200];

		snprintf(buf, sizeof(buf), "%s%s: %s\r\n%s: %s\r\n%s", GOOD, dup[i],
				 strcmp(dup[i], "Date") == 0 ? "Tue, 14 Nov 2023 22:13:20 +0000" :
				 strcmp(dup[i], "Message-ID") == 0 || strcmp(dup[i], "In-Reply-To") == 0 ||
				 strcmp(dup[i], "References") == 0 ? "<2@example.com>" :
				 strcmp(dup[i], "Subject") == 0 ? "again" : "carol@example.org",
				 dup[i],
				 strcmp(dup[i], "Date") == 0 ? "Tue, 14 Nov 2023 22:13:20 +0000" :
				 strcmp(dup[i], "Message-ID") == 0 || strcmp(dup[i], "In-Reply-To") == 0 ||
				 strcmp(dup[i], "References") == 0 ? "<3@example.com>" :
				 strcmp(dup[i], "Subject") == 0 ? "again" : "dave@example.org", BODY);
		snprintf(want, sizeof(want), "duplicate_field:%s", dup[i]);
		MSG(buf, want);
	}
	MSG(GOOD "Received: a\r\nReceived: b\r\nX-Thing: 1\r\nX-Thing: 2\r\n" BODY, "");
	MSG(GOOD "FROM: mallory@evil.example\r\n" BODY, "duplicate_field:From");

	/* From and Sender */
	MSG(GOOD_SUBJ GOOD_DATE GOOD_MID "From: a@example.com, b@example.org\r\n" BODY,
		"from_multiple_no_sender:From");
	MSG(GOOD_SUBJ GOOD_DATE GOOD_MID "From: a@example.com, b@example.org\r\n"
		"Sender: a@example.com\r\n" BODY, "");
	MSG(GOOD "Sender: a@example.com, b@example.org\r\n" BODY, "sender_multiple:Sender");
	MSG(GOOD "Sender: \r\n" BODY, "invalid_address:Sender");
	MSG(GOOD_SUBJ GOOD_DATE GOOD_MID "From: team: a@example.com;\r\n" BODY, "from_group:From");
	MSG(GOOD_SUBJ GOOD_DATE GOOD_MID "From: undisclosed-recipients:;\r\n" BODY,
		"invalid_address:From from_group:From");
	MSG(GOOD_SUBJ GOOD_DATE GOOD_MID "From: \r\n" BODY, "invalid_address:From");
	MSG(GOOD "Sender: g: a@example.com;\r\n" BODY, "from_group:Sender");

	/* address syntax in every address field */
	MSG(GOOD "Reply-To: John Doe john@example.com\r\n" BODY, "invalid_address:Reply-To");
	MSG(GOOD "Cc: a@example..com\r\n" BODY, "invalid_address:Cc");
	MSG(GOOD "Bcc: junk junk\r\n" BODY, "invalid_address:Bcc");
	MSG(GOOD "Bcc:\r\n" BODY, "");
	MSG(GOOD "Bcc: (none)\r\n" BODY, "");
	MSG(GOOD "Cc:\r\n" BODY, "invalid_address:Cc");
	MSG(GOOD_FROM GOOD_SUBJ GOOD_DATE GOOD_MID "To: undisclosed-recipients:;\r\n" BODY, "");
	MSG(GOOD_FROM GOOD_SUBJ GOOD_DATE GOOD_MID "To: a@example.com,\r\n b@example.com\r\n" BODY,
		"");
	MSG(GOOD_FROM GOOD_SUBJ GOOD_DATE GOOD_MID "To: a@example.com,\r\n\tb@example..com\r\n" BODY,
		"invalid_address:To");
	MSG(GOOD_FROM GOOD_SUBJ GOOD_DATE GOOD_MID "To: <@a.example:b@example.com>\r\n" BODY,
		"obsolete_address:To");
	MSG(GOOD_FROM GOOD_SUBJ GOOD_DATE GOOD_MID "To: a@example.com, , b@example.com\r\n" BODY,
		"obsolete_address:To");
	MSG(GOOD_FROM GOOD_SUBJ GOOD_DATE GOOD_MID "To: =?x-none?q?a?= <a@example.com>\r\n" BODY,
		"bad_encoded_word:To");
	MSG(GOOD_TO GOOD_SUBJ GOOD_DATE GOOD_MID "From: \"Unclosed <a@example.com>\r\n" BODY,
		"invalid_address:From");
	OK(H.n == 1 && strstr(H.items[0].detail, "unterminated_quote") != NULL,
	   "detail names the problem: %s", H.n ? H.items[0].detail : "");

	/* the end of the header */
	MSG(GOOD, "no_body_separator");
	MSG(GOOD_FROM GOOD_TO GOOD_SUBJ GOOD_DATE "Message-ID: <1@exa",
		"invalid_message_id:Message-ID no_body_separator");
	MSG("From alice@example.com Tue Nov 14 22:13:20 2023\n" GOOD BODY, "mbox_from_line");
}

/* ---------------------------------------------------------------------
 * Structure, bytes and lines
 * ---------------------------------------------------------------------
 */
static void
test_structure(void)
{
	char	   *buf = malloc(8192);

	MSG(GOOD "X Bad: y\r\n" BODY, "invalid_field_name:X Bad");
	MSG(GOOD "\x01X: y\r\n" BODY, "invalid_field_name:\xef\xbf\xbdX");
	MSG(GOOD ": no name\r\n" BODY, "invalid_field_name");
	MSG(GOOD "X-\xc3\xa9: y\r\n" BODY,
		"invalid_field_name:X-\xc3\xa9 eight_bit_header:X-\xc3\xa9");
	MSG(GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID "Subject : hi\r\n" BODY,
		"space_before_colon:Subject");
	MSG(GOOD "X-Thing\t: y\r\n" BODY, "space_before_colon:X-Thing");
	MSG(GOOD "junk line\r\n" BODY, "malformed_line");
	OK(H.n == 1 && strstr(H.items[0].detail, "line 6") != NULL, "malformed line number: %s",
	   H.n ? H.items[0].detail : "");
	MSG(" leading continuation\r\n" GOOD BODY, "malformed_line");
	MSG(GOOD "a\r\nb\r\nc\r\n" BODY, "malformed_line");
	OK(H.n == 1 && strncmp(H.items[0].detail, "3 header lines", 14) == 0,
	   "malformed lines counted: %s", H.n ? H.items[0].detail : "");
	MSG(GOOD "X-Folded: a\r\n b\r\n\tc\r\n" BODY, "");
	MSG(GOOD "X-Blank-Line: a\r\n \r\n b\r\n" BODY, "");

	/* 8-bit, NUL, bare CR */
	MSG(GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID "Subject: caf\xc3\xa9\r\n" BODY,
		"eight_bit_header:Subject");
	MSG(GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID "Subject: caf\xe9\r\n" BODY,
		"invalid_utf8_header:Subject");
	MSG(GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID "Subject: =?utf-8?q?caf=C3=A9?=\r\n" BODY, "");
	MSG(GOOD_TO GOOD_SUBJ GOOD_DATE GOOD_MID "From: J\xc3\xb6rg <j@b\xc3\xbc" "cher.de>\r\n" BODY,
		"eight_bit_header:From");
	MSG(GOOD "X-Junk: \xc3\xa9\r\n\t\xff\r\n" BODY, "invalid_utf8_header:X-Junk");
	MSG(GOOD "junk \xff\r\n" BODY, "malformed_line invalid_utf8_header");
	MSG(GOOD "junk \xc3\xa9\r\n" BODY, "malformed_line eight_bit_header");
	{
		static const char m[] = GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID "Subject: a\0b\r\n" BODY;

		expect(__LINE__, "NUL in Subject", run_n(m, sizeof(m) - 1), "nul_byte:Subject");
	}
	{
		static const char m[] = GOOD "junk\0\r\n" BODY;

		expect(__LINE__, "NUL in a malformed line", run_n(m, sizeof(m) - 1),
			   "malformed_line nul_byte");
	}
	{
		static const char m[] = GOOD "X\0Y: z\r\n" BODY;

		expect(__LINE__, "NUL in a field name", run_n(m, sizeof(m) - 1),
			   "invalid_field_name:X\xef\xbf\xbdY nul_byte:X\xef\xbf\xbdY");
	}
	MSG(GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID "Subject: a\rb\r\n" BODY, "bare_cr:Subject");
	MSG(GOOD "junk\rline\r\n" BODY, "malformed_line bare_cr");
	MSG(GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID "Subject: a\r" , "bare_cr:Subject no_body_separator");
	/* LF line ends mixed with CRLF are fine */
	MSG(GOOD "X-Lf: a\n" BODY, "");

	/* line lengths */
	snprintf(buf, 8192, "%sSubject: %0*d\r\n%s", GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID, 70, 0,
			 BODY);
	MSG(buf, "line_over_78:Subject");
	OK(H.n == 1 && strstr(H.items[0].detail, "79") != NULL, "longest line reported: %s",
	   H.n ? H.items[0].detail : "");
	snprintf(buf, 8192, "%sSubject: %0*d\r\n%s", GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID, 69, 0,
			 BODY);
	MSG(buf, "");
	snprintf(buf, 8192, "%sSubject: %0*d\r\n%s", GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID, 989, 0,
			 BODY);
	MSG(buf, "line_over_78:Subject");
	snprintf(buf, 8192, "%sSubject: %0*d\r\n%s", GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID, 990, 0,
			 BODY);
	MSG(buf, "line_too_long:Subject line_over_78:Subject");
	snprintf(buf, 8192, "%sX-A: %0*d\r\nX-B: %0*d\r\n%s", GOOD, 100, 0, 100, 0, BODY);
	MSG(buf, "line_over_78:X-A");
	OK(H.n == 1 && strncmp(H.items[0].detail, "2 header lines", 14) == 0,
	   "long lines counted: %s", H.n ? H.items[0].detail : "");
	snprintf(buf, 8192, "%sX-A: short\r\n %0*d\r\n%s", GOOD, 1000, 0, BODY);
	MSG(buf, "line_too_long:X-A line_over_78:X-A");
	free(buf);
}

/* ---------------------------------------------------------------------
 * Date, Message-ID, Subject
 * ---------------------------------------------------------------------
 */
static void
test_date(void)
{
	/* valid */
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 +0000", "");
	FIELD("Date", " 14 Nov 2023 22:13:20 +0000", "");
	FIELD("Date", "Tue, 14 Nov 2023 22:13 +0100", "");
	FIELD("Date", "tue, 14 nov 2023 22:13:20 -0000", "");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 +0000 (UTC)", "");
	FIELD("Date", "Tue, 14 Nov 2023\r\n 22:13:20 +0000", "");
	FIELD("Date", "Tue,14 Nov 2023 22:13:20 +0000", "");
	FIELD("Date", "Tue, 1 Nov 2022 23:59:60 -1200", "");
	FIELD("Date", "Sat, 29 Feb 2020 12:00:00 +0530", "");
	FIELD("Date", "Wed, 15 Nov 2023 22:13:20 +0000", "");	/* exactly one day ahead */
	FIELD("Date", "Mon, 1 Jan 1990 00:00:00 +0000", "");
	/* obsolete syntax (4.3) */
	FIELD("Date", "Tue, 14 Nov 23 22:13:20 +0000", "obsolete_date:Date");
	FIELD("Date", "Tue, 14 Nov 123 22:13:20 +0000", "obsolete_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 GMT", "obsolete_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 17:13:20 EST", "obsolete_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 Z", "obsolete_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 CET", "obsolete_date:Date");
	FIELD("Date", "Tue, 14 Nov (c) 2023 22:13:20 +0000", "obsolete_date:Date");
	FIELD("Date", "(c) Tue, 14 Nov 2023 22:13:20 +0000", "obsolete_date:Date");
	FIELD("Date", "Fri, 1 Jan 99 00:00:00 +0000", "obsolete_date:Date");
	FIELD("Date", "Fri, 1 Jan 89 00:00:00 +0000",
		  "obsolete_date:Date date_weekday_mismatch:Date date_too_old:Date");
	/* invalid */
	FIELD("Date", "", "invalid_date:Date");
	FIELD("Date", "yesterday", "invalid_date:Date");
	FIELD("Date", "2023-11-14T22:13:20Z", "invalid_date:Date");
	FIELD("Date", "Tue 14 Nov 2023 22:13:20 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20", "invalid_date:Date");
	FIELD("Date", "Tue, 31 Nov 2023 22:13:20 +0000", "invalid_date:Date");
	FIELD("Date", "Wed, 29 Feb 2023 22:13:20 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 0 Nov 2023 22:13:20 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 24:00:00 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:60:00 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:61 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 2:13:20 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 +0060", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 +000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 + 0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 EASTERN", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 +0000 x", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 +0000 (open", "invalid_date:Date");
	FIELD("Date", "Xyz, 14 Nov 2023 22:13:20 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nvm 2023 22:13:20 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14Nov 2023 22:13:20 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 114 Nov 2023 22:13:20 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2 22:13:20 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 1234567890 22:13:20 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 +0000 +0000", "invalid_date:Date");
	FIELD("Date", "Tue, 14 Nov 2023 22;13:20 +0000", "invalid_date:Date");
	FIELD("Date", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26",
		  "invalid_date:Date");
	/* plausibility */
	FIELD("Date", "Mon, 14 Nov 2023 22:13:20 +0000", "date_weekday_mismatch:Date");
	FIELD("Date", "Thu, 16 Nov 2023 22:13:21 +0000", "date_in_future:Date");
	FIELD("Date", "Wed, 15 Nov 2023 22:13:21 +0000", "date_in_future:Date");
	FIELD("Date", "Wed, 15 Nov 2023 22:13:21 +0100", "");
	FIELD("Date", "1 Jan 99999 00:00:00 +0000", "date_in_future:Date");
	FIELD("Date", "Fri, 1 Jan 2100 00:00:00 +0000", "date_in_future:Date");
	FIELD("Date", "Sun, 31 Dec 1989 23:59:59 +0000", "date_too_old:Date");
	FIELD("Date", "Mon, 1 Jan 1990 00:30:00 +0100", "date_too_old:Date");
	FIELD("Date", "Thu, 1 Jan 1970 00:00:00 +0000", "date_too_old:Date");
	FIELD("Date", "Sat, 1 Jan 0000 00:00:00 +0000", "date_too_old:Date");
	/* in a message */
	MSG(GOOD_FROM GOOD_TO GOOD_SUBJ GOOD_MID "Date: Tue, 14 Nov 2023 22:13:20\r\n" BODY,
		"invalid_date:Date");
}

static void
test_msgid_subject(void)
{
	FIELD("Message-ID", "<a.b@c.d>", "");
	FIELD("Message-ID", "  <a@[192.0.2.1]>  ", "");
	FIELD("Message-ID", "(c) <a$b%c@x_y.z> (c)", "");
	FIELD("Message-ID", "\r\n <a@b>", "");
	FIELD("Message-ID", "<\"a b\"@c>", "obsolete_message_id:Message-ID");
	FIELD("Message-ID", "", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "a@b", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<a@b", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<@b>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<a@>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<a>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<a..b@c>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<.a@c>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<a@b.>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<a b@c>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<a@b> <c@d>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<a@b>x", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<a@[b>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<a@[b c]>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<\"\"@c>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<\"a@c>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "(open <a@b>", "invalid_message_id:Message-ID");
	FIELD("Message-ID", "<a@b> (open", "invalid_message_id:Message-ID");

	FIELD("Subject", "Hello", "");
	FIELD("Subject", "", "empty_subject:Subject");
	FIELD("Subject", "   \t", "empty_subject:Subject");
	FIELD("Subject", " \r\n ", "empty_subject:Subject");
	FIELD("Subject", "=?utf-8?q?Gr=C3=BC=C3=9Fe?= =?utf-8?b?w6k=?=", "");
	FIELD("Subject", "=?x-nope?q?a?=", "bad_encoded_word:Subject");
	FIELD("Subject", "=?utf-8?b?!!!?=", "bad_encoded_word:Subject");
	FIELD("Subject", "=?utf-8?q?not closed", "");
	MSG(GOOD_FROM GOOD_TO GOOD_DATE GOOD_MID "Subject:\r\n" BODY, "empty_subject:Subject");
}

/* ---------------------------------------------------------------------
 * One field: header injection and the other checks
 * ---------------------------------------------------------------------
 */
static void
test_field(void)
{
	char		buf[2048];

	FIELD("Subject", "hi\r\n there", "");
	FIELD("Subject", "hi\r\nBcc: victim@example.com", "header_injection:Subject");
	FIELD("Subject", "hi\nBcc: victim@example.com", "header_injection:Subject");
	FIELD("Subject", "hi\r\n", "header_injection:Subject");
	FIELD("Subject", "hi\r\n\r\n body", "header_injection:Subject");
	FIELD("Subject", "hi\rthere", "header_injection:Subject bare_cr:Subject");
	FIELD("Subject", "hi\r there", "bare_cr:Subject");
	FIELD("X-Custom", "a\r\nb", "header_injection:X-Custom");
	FIELD("To", "a@example.com,\r\nBcc: b@example.com", "header_injection:To invalid_address:To");
	FIELD("To", "a@example.com,\r\n b@example.com", "");
	FIELD("From", "a@example.com, b@example.org", "");
	FIELD("From", "John Doe john@example.com", "invalid_address:From");
	FIELD("From", "team: a@example.com;", "from_group:From");
	FIELD("Sender", "a@example.com, b@example.org", "sender_multiple:Sender");
	FIELD("Reply-To", "<@a:b@example.com>", "obsolete_address:Reply-To");
	FIELD("Bcc", "", "");
	FIELD("Date", "Tue, 14 Nov 2023 22:13:20 +0000", "");
	FIELD("Subject", "caf\xc3\xa9", "eight_bit_header:Subject");
	FIELD("Subject", "caf\xe9", "invalid_utf8_header:Subject");
	expect(__LINE__, "NUL in a value", field_n("Subject", "a\0b", 3), "nul_byte:Subject");
	FIELD("Bad Name", "x", "invalid_field_name:Bad Name");
	FIELD("", "x", "invalid_field_name");
	expect(__LINE__, "NULL name and value", field(NULL, NULL), "invalid_field_name");
	FIELD("X-\xc3\xa9", "x", "invalid_field_name:X-\xc3\xa9");
	memset(buf, 'x', 69);
	buf[69] = '\0';
	FIELD("Subject", buf, "");	/* "Subject: " + 69 = 78 */
	buf[69] = 'x';
	buf[70] = '\0';
	FIELD("Subject", buf, "line_over_78:Subject");
	memset(buf, 'x', 990);
	buf[990] = '\0';
	FIELD("Subject", buf, "line_too_long:Subject line_over_78:Subject");
	memcpy(buf + 100, "\r\n ", 3);
	FIELD("Subject", buf, "line_over_78:Subject");
	OK(H.n == 1 && strncmp(H.items[0].detail, "2 lines", 7) == 0, "field lines counted: %s",
	   H.n ? H.items[0].detail : "");
}

/* ---------------------------------------------------------------------
 * Domains
 * ---------------------------------------------------------------------
 */
static void
test_domains(void)
{
	ma_hdrcheck_domain_list d;
	const char *m = "From: Alice <alice@Example.COM>\r\n"
		"To: x@example.com, y@[192.0.2.1], z@bad..example, w@Example.NET,\r\n"
		"\tv@b\xc3\xbc" "cher.de\r\n"
		"Cc: c@cc.example\r\n"
		"Reply-To: r@xn--bcher-kva.de, (c) q@example.com\r\n"
		"From: second@from.example\r\n"
		"\r\n"
		"To: body@not.example\r\n";
	char		buf[8192];
	size_t		o = 0;

	{
		int			rc = ma_hdrcheck_domains(m, strlen(m), &d);

		OK(rc == 0 && d.n == 4 && !d.truncated, "domains: 4 (n=%d)", d.n);
	}
	if (d.n == 4)
	{
		OK(strcmp(d.items[0].domain, "example.com") == 0 &&
		   d.items[0].fields == (MA_HDRCHECK_IN_FROM | MA_HDRCHECK_IN_REPLY_TO | MA_HDRCHECK_IN_TO),
		   "example.com: From, Reply-To and To");
		OK(strcmp(d.items[1].domain, "from.example") == 0 &&
		   d.items[1].fields == MA_HDRCHECK_IN_FROM, "from.example: second From field");
		OK(strcmp(d.items[2].domain, "xn--bcher-kva.de") == 0 &&
		   strcmp(d.items[2].domain_unicode, "b\xc3\xbc" "cher.de") == 0 &&
		   d.items[2].fields == (MA_HDRCHECK_IN_REPLY_TO | MA_HDRCHECK_IN_TO),
		   "xn--bcher-kva.de: Reply-To and To (as a U-label)");
		OK(strcmp(d.items[3].domain, "example.net") == 0 && d.items[3].fields == MA_HDRCHECK_IN_TO,
		   "example.net: To");
	}
	ma_hdrcheck_domain_list_free(&d);

	o = (size_t) snprintf(buf, sizeof(buf), "To: ");
	for (int i = 0; i < 150; i++)
		o += (size_t) snprintf(buf + o, sizeof(buf) - o, "%su@d%d.example", i ? "," : "", i);
	snprintf(buf + o, sizeof(buf) - o, "\r\n\r\n");
	OK(ma_hdrcheck_domains(buf, strlen(buf), &d) == 0 && d.n == MA_HDRCHECK_MAX_DOMAINS &&
	   d.truncated, "150 domains: %d kept, truncated", MA_HDRCHECK_MAX_DOMAINS);
	ma_hdrcheck_domain_list_free(&d);
	OK(ma_hdrcheck_domains("", 0, &d) == 0 && d.n == 0, "no header: no domain");
	ma_hdrcheck_domain_list_free(&d);
	OK(ma_hdrcheck_domains(NULL, 10, &d) == 0 && d.n == 0, "NULL message: no domain");
	ma_hdrcheck_domain_list_free(&d);
	m = "From: a@a-b_c.example, b@-x.example, c@x.example.\r\n";
	OK(ma_hdrcheck_domains(m, strlen(m), &d) == 0 && d.n == 2 &&
	   strcmp(d.items[0].domain, "a-b_c.example") == 0, "lookup-able domains only");
	ma_hdrcheck_domain_list_free(&d);
	ma_hdrcheck_domain_list_free(NULL);
}

/* ---------------------------------------------------------------------
 * Hostile input
 * ---------------------------------------------------------------------
 */
static uint32_t rng = 4242;

static uint32_t
rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static void
test_hostile(void)
{
	size_t		cap = 8 * 1024 * 1024,
				o;
	char	   *big = malloc(cap);
	int			before = contract_violations;
	ma_hdrcheck_domain_list d;

	/* binary junk and junk made of header characters */
	for (int i = 0; i < 2000; i++)
	{
		size_t		len = rnd() % 600;
		static const char alpha[] = "From:To:Date:Subject:Message-ID<>@,;.\"()[]\\ \t\r\n\r\n"
			"=?q?1 Jan 2023\x80\xc3\xa9\0";

		for (size_t j = 0; j < len; j++)
			big[j] = (i % 2) ? (char) rnd() : alpha[rnd() % (sizeof(alpha) - 1)];
		run_n(big, len);
		ma_hdrcheck_domains(big, len, &d);
		for (int k = 0; k < d.n; k++)
			if (!clean_text(d.items[k].domain) || !clean_text(d.items[k].domain_unicode))
				contract_violations++;
		ma_hdrcheck_domain_list_free(&d);
	}
	OK(contract_violations == before, "4000 junk messages: contract kept");

	/* too many findings */
	o = 0;
	for (int i = 0; i < 500; i++)
		o += (size_t) sprintf(big + o, "X %d: y\r\n", i);
	strcpy(big + o, "\r\n");
	run(big);
	OK(H.n == MA_HDRCHECK_MAX_FINDINGS + 1 && H.truncated &&
	   strcmp(H.items[H.n - 1].code, "findings_truncated") == 0,
	   "500 bad names: %d findings then findings_truncated", MA_HDRCHECK_MAX_FINDINGS);

	/* 100 KB of nested comments in From, Date and Message-ID */
	o = (size_t) sprintf(big, GOOD_TO GOOD_SUBJ GOOD_MID "Date: Tue, 14 Nov 2023 22:13:20 +0000 ");
	memset(big + o, '(', 50000);
	memset(big + o + 50000, ')', 50000);
	o += 100000;
	o += (size_t) sprintf(big + o, "\r\nFrom: ");
	memset(big + o, '(', 50000);
	memset(big + o + 50000, ')', 50000);
	o += 100000;
	o += (size_t) sprintf(big + o, " a@example.com\r\n\r\n");
	expect(__LINE__, "100 KB of comments", run_n(big, o), "line_too_long:Date "
		   "line_too_long:From line_over_78:Date");
	o = (size_t) sprintf(big, GOOD_FROM GOOD_TO GOOD_SUBJ GOOD_DATE "Message-ID: ");
	memset(big + o, '(', 100000);
	o += 100000;
	o += (size_t) sprintf(big + o, "<a@b>\r\n\r\n");
	expect(__LINE__, "100 KB of unclosed comments", run_n(big, o),
		   "line_too_long:Message-ID invalid_message_id:Message-ID line_over_78:Message-ID");

	/* 10,000 addresses, folded */
	o = (size_t) sprintf(big, GOOD_FROM GOOD_SUBJ GOOD_DATE GOOD_MID "To: ");
	for (int i = 0; i < 10000; i++)
		o += (size_t) sprintf(big + o, "%su%d@d%d.example", i ? ",\r\n " : "", i, i % 50);
	o += (size_t) sprintf(big + o, "\r\n\r\n");
	expect(__LINE__, "10,000 addresses", run_n(big, o), "");
	OK(ma_hdrcheck_domains(big, o, &d) == 0 && d.n == 51, "10,000 addresses: 51 domains");
	ma_hdrcheck_domain_list_free(&d);

	/* a 300-character domain in From */
	o = (size_t) sprintf(big, GOOD_TO GOOD_SUBJ GOOD_DATE GOOD_MID "From: a@");
	for (int i = 0; i < 6; i++)
		o += (size_t) sprintf(big + o, "%.50s.",
							  "dddddddddddddddddddddddddddddddddddddddddddddddddd");
	o += (size_t) sprintf(big + o, "com\r\n\r\n");
	expect(__LINE__, "300-character domain", run_n(big, o),
		   "invalid_address:From line_over_78:From");
	OK(H.n == 2 && strstr(H.items[0].detail, "domain_too_long") != NULL,
	   "domain_too_long named: %s", H.n ? H.items[0].detail : "");
	OK(ma_hdrcheck_domains(big, o, &d) == 0 && d.n == 1 &&
	   strcmp(d.items[0].domain, "example.net") == 0, "a too-long domain is not looked up");
	ma_hdrcheck_domain_list_free(&d);

	/* NUL bytes everywhere, invalid UTF-8 everywhere */
	memset(big, 0, 1000);
	expect(__LINE__, "1000 NUL bytes", run_n(big, 1000),
		   "no_header_fields missing_from:From missing_date:Date missing_message_id:Message-ID "
		   "missing_subject:Subject malformed_line nul_byte line_too_long line_over_78");
	memset(big, 0xff, 1000);
	memcpy(big, "Subject: ", 9);
	memcpy(big + 1000, "\n\n", 2);
	expect(__LINE__, "1000 bytes of 0xff", run_n(big, 1002),
		   "line_too_long:Subject invalid_utf8_header:Subject missing_from:From "
		   "missing_date:Date missing_message_id:Message-ID line_over_78:Subject");

	/* 100,000 fields, and a 1 MB line */
	o = 0;
	for (int i = 0; i < 100000; i++)
		o += (size_t) sprintf(big + o, "X-F%d: v\n", i);
	o += (size_t) sprintf(big + o, GOOD "\n");
	expect(__LINE__, "100,000 fields", run_n(big, o), "");
	o = (size_t) sprintf(big, GOOD "X-Long: ");
	memset(big + o, 'x', 1024 * 1024);
	o += 1024 * 1024;
	expect(__LINE__, "1 MB line", run_n(big, o),
		   "line_too_long:X-Long line_over_78:X-Long no_body_separator");
	/* a body that starts without the empty line */
	o = (size_t) sprintf(big, GOOD);
	for (int i = 0; i < 10000; i++)
		o += (size_t) sprintf(big + o, "body line %d without a colon\n", i);
	expect(__LINE__, "a body without separator", run_n(big, o),
		   "malformed_line no_body_separator");
	free(big);
	ma_hdrcheck_list_free(NULL);
}

int
main(void)
{
	int			unseen = 0;

	test_message();
	test_structure();
	test_date();
	test_msgid_subject();
	test_field();
	test_domains();
	test_hostile();
	ma_hdrcheck_list_free(&H);
	for (int k = 0; k < NCODES; k++)
		if (!seen[k])
		{
			printf("# code never produced: %s\n", CODES[k].code);
			unseen++;
		}
	OK(unseen == 0, "every code of the table was produced by some test");
	OK(contract_violations == 0, "every finding matches the code table (%d violations)",
	   contract_violations);
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}
