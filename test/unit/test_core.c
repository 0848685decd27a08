/*-------------------------------------------------------------------------
 *
 * test_core.c
 *	  Unit tests of the pure C core of mailauth (src/core): name checking,
 *	  type names, reverse names, query encoding, answer decoding, the result
 *	  builder, the TTL/LRU cache, the server list check and IDN conversion.
 *
 * No PostgreSQL and no network: answers are hand-built wire packets (see the
 * packet builder below), the cache is driven with explicit clock values, and
 * the only engine test is one answered entirely from the cache.
 *
 * Output is TAP: one "ok N - ..." or "not ok N - ..." line per assertion,
 * diagnostics on "#" lines, then the plan "1..N".  The exit status is 0 only
 * when every assertion passed.
 *
 * Every packet handed to the decoder is first copied into a malloc()ed
 * buffer of exactly its length, so that valgrind reports any read past the
 * end of a packet.
 *
 * Build and run:	make unit
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dns.h"
#include "core/ma_idn.h"
#include "core/ma_text.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---------------------------------------------------------------------
 * TAP assertions
 * ---------------------------------------------------------------------
 */
static int	ntests = 0;
static int	nfailed = 0;

static bool
tap_line(bool ok, const char *file, int line, const char *fmt, va_list ap)
{
	ntests++;
	if (!ok)
		nfailed++;
	printf("%sok %d - ", ok ? "" : "not ", ntests);
	vprintf(fmt, ap);
	putchar('\n');
	if (!ok)
		printf("#   Failed test at %s line %d.\n", file, line);
	return ok;
}

static bool check(bool ok, const char *file, int line, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));
static bool check_int(long long got, long long want, const char *file, int line,
					  const char *fmt,...)
			__attribute__((format(printf, 5, 6)));
static bool check_str(const char *got, const char *want, const char *file, int line,
					  const char *fmt,...)
			__attribute__((format(printf, 5, 6)));

static bool
check(bool ok, const char *file, int line, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	ok = tap_line(ok, file, line, fmt, ap);
	va_end(ap);
	return ok;
}

static bool
check_int(long long got, long long want, const char *file, int line,
		  const char *fmt,...)
{
	va_list		ap;
	bool		ok;

	va_start(ap, fmt);
	ok = tap_line(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!ok)
		printf("#          got: %lld\n#     expected: %lld\n", got, want);
	return ok;
}

/* want == NULL means "expect NULL" */
static bool
check_str(const char *got, const char *want, const char *file, int line,
		  const char *fmt,...)
{
	va_list		ap;
	bool		ok;

	if (got == NULL || want == NULL)
		ok = got == want;
	else
		ok = strcmp(got, want) == 0;
	va_start(ap, fmt);
	ok = tap_line(ok, file, line, fmt, ap);
	va_end(ap);
	if (!ok)
		printf("#          got: %s%s%s\n#     expected: %s%s%s\n",
			   got ? "'" : "", got ? got : "NULL", got ? "'" : "",
			   want ? "'" : "", want ? want : "NULL", want ? "'" : "");
	return ok;
}

#define CHECK(cond, ...)			check((cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_INT(got, want, ...)	check_int((long long) (got), (long long) (want), \
										  __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_STR(got, want, ...)	check_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

/* ---------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------
 */

/* a dotted name of labels of the given lengths, each filled with one letter */
static void
make_name(char *out, const int *lens, int n)
{
	char	   *p = out;

	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			*p++ = '.';
		memset(p, 'a' + i % 26, lens[i]);
		p += lens[i];
	}
	*p = '\0';
}

/* deterministic xorshift64 */
static uint64_t rng_state = 0x243F6A8885A308D3ull;

static uint64_t
rnd(void)
{
	uint64_t	x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

/* ---------------------------------------------------------------------
 * A DNS packet builder
 * ---------------------------------------------------------------------
 */
#define PKT_MAX		2048
#define F_RESP		0x8180		/* QR, RD, RA, rcode 0 */

typedef struct pktb
{
	unsigned char buf[PKT_MAX];
	size_t		len;
} pktb;

static void
pb_u8(pktb *p, unsigned v)
{
	if (p->len >= PKT_MAX)
	{
		fprintf(stderr, "test packet too large\n");
		exit(2);
	}
	p->buf[p->len++] = (unsigned char) v;
}

static void
pb_u16(pktb *p, unsigned v)
{
	pb_u8(p, (v >> 8) & 0xff);
	pb_u8(p, v & 0xff);
}

static void
pb_u32(pktb *p, uint32_t v)
{
	pb_u16(p, v >> 16);
	pb_u16(p, v & 0xffff);
}

static void
pb_bytes(pktb *p, const void *data, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pb_u8(p, ((const unsigned char *) data)[i]);
}

static void
pb_header(pktb *p, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
	p->len = 0;
	pb_u16(p, 0x1234);
	pb_u16(p, flags);
	pb_u16(p, qd);
	pb_u16(p, an);
	pb_u16(p, ns);
	pb_u16(p, ar);
}

/* one raw label (may hold dots, NULs, anything) */
static void
pb_label(pktb *p, const void *data, size_t n)
{
	pb_u8(p, (unsigned) n);
	pb_bytes(p, data, n);
}

/* the labels of a dotted name, no terminator ("." and "" have none) */
static size_t
pb_labels(pktb *p, const char *name)
{
	size_t		start = p->len;
	const char *s = name;

	if (strcmp(name, ".") == 0)
		return start;
	while (*s)
	{
		const char *dot = strchr(s, '.');
		size_t		l = dot ? (size_t) (dot - s) : strlen(s);

		pb_label(p, s, l);
		s += l;
		if (*s == '.')
			s++;
	}
	return start;
}

/* an uncompressed name; returns its offset */
static size_t
pb_name(pktb *p, const char *name)
{
	size_t		start = pb_labels(p, name);

	pb_u8(p, 0);
	return start;
}

static void
pb_ptr(pktb *p, size_t target)
{
	pb_u8(p, 0xc0 | (unsigned) (target >> 8));
	pb_u8(p, (unsigned) (target & 0xff));
}

/* labels of prefix, then a compression pointer; returns the offset */
static size_t
pb_name_ptr(pktb *p, const char *prefix, size_t target)
{
	size_t		start = pb_labels(p, prefix);

	pb_ptr(p, target);
	return start;
}

static void
pb_question(pktb *p, const char *name, unsigned type)
{
	pb_name(p, name);
	pb_u16(p, type);
	pb_u16(p, 1);
}

/*
 * TYPE, CLASS, TTL and a placeholder RDLENGTH, after an owner name the caller
 * wrote.  Returns where RDLENGTH is, for pb_rr_end.
 */
static size_t
pb_rr_fixed(pktb *p, unsigned type, unsigned cls, uint32_t ttl)
{
	size_t		at;

	pb_u16(p, type);
	pb_u16(p, cls);
	pb_u32(p, ttl);
	at = p->len;
	pb_u16(p, 0);
	return at;
}

static size_t
pb_rr(pktb *p, const char *owner, unsigned type, uint32_t ttl)
{
	pb_name(p, owner);
	return pb_rr_fixed(p, type, 1, ttl);
}

/* patch RDLENGTH to what was written since pb_rr */
static void
pb_rr_end(pktb *p, size_t at)
{
	size_t		n = p->len - at - 2;

	p->buf[at] = (unsigned char) (n >> 8);
	p->buf[at + 1] = (unsigned char) (n & 0xff);
}

static void
pb_a(pktb *p, const char *owner, uint32_t ttl, const char *ip)
{
	unsigned char a[16];
	bool		v6 = strchr(ip, ':') != NULL;
	size_t		at = pb_rr(p, owner, v6 ? MA_T_AAAA : MA_T_A, ttl);

	if (inet_pton(v6 ? AF_INET6 : AF_INET, ip, a) != 1)
	{
		fprintf(stderr, "bad test address %s\n", ip);
		exit(2);
	}
	pb_bytes(p, a, v6 ? 16 : 4);
	pb_rr_end(p, at);
}

/* CNAME, NS or PTR */
static void
pb_nameval(pktb *p, const char *owner, unsigned type, uint32_t ttl, const char *target)
{
	size_t		at = pb_rr(p, owner, type, ttl);

	pb_name(p, target);
	pb_rr_end(p, at);
}

static void
pb_soa(pktb *p, const char *owner, uint32_t ttl, uint32_t minimum)
{
	size_t		at = pb_rr(p, owner, MA_T_SOA, ttl);

	pb_name(p, "ns1.example");
	pb_name(p, "hostmaster.example");
	pb_u32(p, 2024010101);
	pb_u32(p, 7200);
	pb_u32(p, 3600);
	pb_u32(p, 1209600);
	pb_u32(p, minimum);
	pb_rr_end(p, at);
}

/* ---------------------------------------------------------------------
 * Running the decoder
 * ---------------------------------------------------------------------
 */
typedef struct answer
{
	int			rc;
	ma_dns_status st;
	const char *err;
	char		next[1100];
	ma_dns_builder b;
} answer;

/* decode into a->b as it is (to continue a chain over several packets) */
static void
parse_more(answer *a, const unsigned char *buf, size_t len, const char *qname,
		   uint16_t qtype)
{
	unsigned char *copy = malloc(len ? len : 1);

	if (!copy)
		exit(2);
	memcpy(copy, buf, len);
	a->st = MA_DNS_NSTATUS;		/* "not set" */
	a->err = "(not set)";
	strcpy(a->next, "(not set)");
	a->rc = ma_dns_parse_answer(copy, len, qname, qtype, &a->b, &a->st, a->next, &a->err);
	free(copy);
}

static void
parse_buf(answer *a, const unsigned char *buf, size_t len, const char *qname,
		  uint16_t qtype)
{
	ma_dns_builder_init(&a->b);
	parse_more(a, buf, len, qname, qtype);
}

static void
parse_pkt(answer *a, const pktb *p, const char *qname, uint16_t qtype)
{
	parse_buf(a, p->buf, p->len, qname, qtype);
}

/* finish the builder with the decoded status, free the builder */
static ma_dns_result *
finish_answer(answer *a)
{
	ma_dns_result *r = ma_dns_builder_finish(&a->b, a->st, a->err);

	ma_dns_builder_free(&a->b);
	return r;
}

/* decode a packet that must be rejected; frees the builder */
static void
expect_malformed(const pktb *p, const char *qname, uint16_t qtype, const char *what)
{
	answer		a;

	parse_pkt(&a, p, qname, qtype);
	CHECK(a.rc == -1 && a.err != NULL && a.b.nrr == 0,
		  "hostile: %s is rejected (rc %d, %s)", what, a.rc,
		  a.err ? a.err : "no message");
	ma_dns_builder_free(&a.b);
}

/* the invariants of any decoder outcome */
static bool
answer_sane(const answer *a)
{
	if (a->rc == -1)
		return a->err != NULL;
	if (a->rc != 0 && a->rc != 1)
		return false;
	if ((int) a->st < 0 || a->st >= MA_DNS_NSTATUS)
		return false;
	if (a->rc == 1 && (a->next[0] == '\0' || strlen(a->next) > MA_DNS_MAXNAME))
		return false;
	for (int i = 0; i < a->b.nrr; i++)
	{
		const ma_dns_rr *rr = &a->b.rr[i];

		if (!rr->name || !rr->data)
			return false;
		if (rr->type != MA_T_TXT && strlen(rr->data) != rr->datalen)
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * 1. ma_dns_name_check
 * ---------------------------------------------------------------------
 */
static void
test_name_check(void)
{
	char		out[MA_DNS_MAXNAME + 1];
	char		name[600];
	const char *msg;
	static const int l253[] = {63, 63, 63, 61};
	static const int l254[] = {63, 63, 63, 62};
	static const int l63[] = {63, 3};
	static const int l64[] = {64, 3};

	msg = ma_dns_name_check("Example.COM", out);
	CHECK(msg == NULL, "name_check: Example.COM accepted");
	CHECK_STR(out, "example.com", "name_check: Example.COM lowercased");

	msg = ma_dns_name_check("MX.Example.ORG.", out);
	CHECK(msg == NULL, "name_check: trailing dot accepted");
	CHECK_STR(out, "mx.example.org", "name_check: trailing dot stripped, lowercased");

	msg = ma_dns_name_check(".", out);
	CHECK(msg == NULL, "name_check: root \".\" accepted");
	CHECK_STR(out, ".", "name_check: root stays \".\"");

	msg = ma_dns_name_check("_dmarc.xn--bcher-kva.example", out);
	CHECK(msg == NULL, "name_check: underscore and A-label accepted");
	CHECK_STR(out, "_dmarc.xn--bcher-kva.example", "name_check: underscore name unchanged");

	msg = ma_dns_name_check("a", out);
	CHECK(msg == NULL && strcmp(out, "a") == 0, "name_check: single label \"a\"");

	msg = ma_dns_name_check("", out);
	CHECK(msg != NULL && strstr(msg, "empty") != NULL, "name_check: empty name rejected (%s)",
		  msg ? msg : "accepted");
	msg = ma_dns_name_check(NULL, out);
	CHECK(msg != NULL, "name_check: NULL rejected");

	/* 253 / 254 octets */
	make_name(name, l253, 4);
	CHECK_INT(strlen(name), 253, "name_check: test name of 253 octets built");
	msg = ma_dns_name_check(name, out);
	CHECK(msg == NULL && strcmp(out, name) == 0, "name_check: 253 octets accepted");
	strcat(name, ".");
	msg = ma_dns_name_check(name, out);
	CHECK(msg == NULL && strlen(out) == 253, "name_check: 253 octets plus trailing dot accepted");
	make_name(name, l254, 4);
	msg = ma_dns_name_check(name, out);
	CHECK(msg != NULL && strstr(msg, "253") != NULL,
		  "name_check: 254 octets rejected (%s)", msg ? msg : "accepted");
	memset(name, 'a', 500);
	name[500] = '\0';
	msg = ma_dns_name_check(name, out);
	CHECK(msg != NULL, "name_check: 500 octets rejected");

	/* 63 / 64 octet labels */
	make_name(name, l63, 2);
	msg = ma_dns_name_check(name, out);
	CHECK(msg == NULL && strcmp(out, name) == 0, "name_check: label of 63 octets accepted");
	make_name(name, l64, 2);
	msg = ma_dns_name_check(name, out);
	CHECK(msg != NULL && strstr(msg, "63") != NULL,
		  "name_check: label of 64 octets rejected (%s)", msg ? msg : "accepted");
	memset(name, 'x', 64);
	strcpy(name + 64, ".");
	msg = ma_dns_name_check(name, out);
	CHECK(msg != NULL && strstr(msg, "63") != NULL,
		  "name_check: last label of 64 octets before the trailing dot rejected");

	/* empty labels */
	msg = ma_dns_name_check("a..b", out);
	CHECK(msg != NULL && strstr(msg, "empty label") != NULL, "name_check: \"a..b\" rejected");
	msg = ma_dns_name_check(".a", out);
	CHECK(msg != NULL && strstr(msg, "empty label") != NULL, "name_check: \".a\" rejected");
	msg = ma_dns_name_check("a..", out);
	CHECK(msg != NULL && strstr(msg, "empty label") != NULL, "name_check: \"a..\" rejected");
	msg = ma_dns_name_check("..", out);
	CHECK(msg != NULL, "name_check: \"..\" rejected");

	/* characters */
	msg = ma_dns_name_check("a b.example", out);
	CHECK(msg != NULL && strstr(msg, "invalid character") != NULL,
		  "name_check: space rejected");
	msg = ma_dns_name_check("a\\.b.example", out);
	CHECK(msg != NULL && strstr(msg, "invalid character") != NULL,
		  "name_check: backslash rejected");
	msg = ma_dns_name_check("caf\xc3\xa9.example", out);
	CHECK(msg != NULL && strstr(msg, "invalid character") != NULL,
		  "name_check: byte 0xc3 (UTF-8) rejected");
	msg = ma_dns_name_check("a\x80.example", out);
	CHECK(msg != NULL, "name_check: byte 0x80 rejected");
	msg = ma_dns_name_check("a\tb", out);
	CHECK(msg != NULL, "name_check: tab rejected");
	msg = ma_dns_name_check("a\x7f", out);
	CHECK(msg != NULL, "name_check: DEL rejected");
}

/* ---------------------------------------------------------------------
 * 2. type and status names
 * ---------------------------------------------------------------------
 */
static void
test_types(void)
{
	static const struct
	{
		const char *name;
		const char *lower;
		int			type;
	}			t[] = {
		{"A", "a", MA_T_A}, {"AAAA", "aaaa", MA_T_AAAA}, {"CNAME", "cname", MA_T_CNAME},
		{"MX", "Mx", MA_T_MX}, {"NS", "nS", MA_T_NS}, {"PTR", "ptr", MA_T_PTR},
		{"SOA", "Soa", MA_T_SOA}, {"TXT", "txt", MA_T_TXT}, {"SRV", "srv", MA_T_SRV},
		{"CAA", "caa", MA_T_CAA}
	};
	static const int numeric[] = {1, 28, 5, 15, 2, 12, 6, 16, 33, 257};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
	{
		CHECK_INT(t[i].type, numeric[i], "type: MA_T_%s is %d", t[i].name, numeric[i]);
		CHECK_INT(ma_dns_type_from_name(t[i].name), t[i].type, "type_from_name(\"%s\")",
				  t[i].name);
		CHECK_INT(ma_dns_type_from_name(t[i].lower), t[i].type, "type_from_name(\"%s\")",
				  t[i].lower);
		CHECK_STR(ma_dns_type_name(t[i].type), t[i].name, "type_name(%d)", t[i].type);
	}
	CHECK_INT(ma_dns_type_from_name("ANY"), 0, "type_from_name(\"ANY\") is 0");
	CHECK_INT(ma_dns_type_from_name("OPT"), 0, "type_from_name(\"OPT\") is 0");
	CHECK_INT(ma_dns_type_from_name(""), 0, "type_from_name(\"\") is 0");
	CHECK_INT(ma_dns_type_from_name("AA"), 0, "type_from_name(\"AA\") is 0");
	CHECK_INT(ma_dns_type_from_name("TXTX"), 0, "type_from_name(\"TXTX\") is 0");
	CHECK_STR(ma_dns_type_name(99), "UNKNOWN", "type_name(99) is UNKNOWN");
	CHECK_STR(ma_dns_type_name(0), "UNKNOWN", "type_name(0) is UNKNOWN");

	CHECK_STR(ma_dns_status_name(MA_DNS_OK), "ok", "status_name(OK)");
	CHECK_STR(ma_dns_status_name(MA_DNS_NXDOMAIN), "nxdomain", "status_name(NXDOMAIN)");
	CHECK_STR(ma_dns_status_name(MA_DNS_NODATA), "nodata", "status_name(NODATA)");
	CHECK_STR(ma_dns_status_name(MA_DNS_SERVFAIL), "servfail", "status_name(SERVFAIL)");
	CHECK_STR(ma_dns_status_name(MA_DNS_REFUSED), "refused", "status_name(REFUSED)");
	CHECK_STR(ma_dns_status_name(MA_DNS_TIMEOUT), "timeout", "status_name(TIMEOUT)");
	CHECK_STR(ma_dns_status_name(MA_DNS_FORMERR), "formerr", "status_name(FORMERR)");
	CHECK_STR(ma_dns_status_name(MA_DNS_ERROR), "error", "status_name(ERROR)");
	CHECK_STR(ma_dns_status_name(MA_DNS_NSTATUS), "error", "status_name(out of range)");
	CHECK_STR(ma_dns_status_name((ma_dns_status) -1), "error", "status_name(-1)");
}

/* ---------------------------------------------------------------------
 * 3. reverse names
 * ---------------------------------------------------------------------
 */
static void
test_reverse(void)
{
	unsigned char a[16];
	char		out[128];

	inet_pton(AF_INET, "192.0.2.1", a);
	ma_dns_reverse_name(AF_INET, a, out, sizeof(out));
	CHECK_STR(out, "1.2.0.192.in-addr.arpa", "reverse: 192.0.2.1");
	inet_pton(AF_INET, "10.255.0.254", a);
	ma_dns_reverse_name(AF_INET, a, out, sizeof(out));
	CHECK_STR(out, "254.0.255.10.in-addr.arpa", "reverse: 10.255.0.254");

	inet_pton(AF_INET6, "2001:db8::10", a);
	ma_dns_reverse_name(AF_INET6, a, out, sizeof(out));
	CHECK_STR(out, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
			  "reverse: 2001:db8::10");
	inet_pton(AF_INET6, "::1", a);
	ma_dns_reverse_name(AF_INET6, a, out, sizeof(out));
	CHECK_STR(out, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
			  "reverse: ::1");
	inet_pton(AF_INET6, "fe80::abcd:ef01", a);
	ma_dns_reverse_name(AF_INET6, a, out, 73);
	CHECK_STR(out, "1.0.f.e.d.c.b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa",
			  "reverse: fe80::abcd:ef01 in a buffer of exactly 73 bytes");
	strcpy(out, "junk");
	ma_dns_reverse_name(AF_INET6, a, out, 72);
	CHECK_STR(out, "", "reverse: IPv6 into a buffer too small gives \"\"");
}

/* ---------------------------------------------------------------------
 * 4. query encoding
 * ---------------------------------------------------------------------
 */
static void
test_build_query(void)
{
	unsigned char buf[512];
	char		name[600];
	int			len;
	static const unsigned char want[] = {
		0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		0x00, 0x0f, 0x00, 0x01,
		0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
	};
	static const int l253[] = {63, 63, 63, 61};
	static const int l254[] = {63, 63, 63, 62};

	len = ma_dns_build_query("www.Example.com", MA_T_MX, 0xbeef, 1232, buf, sizeof(buf));
	CHECK_INT(len, sizeof(want), "build_query: length with EDNS");
	CHECK(len == (int) sizeof(want) && memcmp(buf, want, sizeof(want)) == 0,
		  "build_query: exact bytes (id, RD, QDCOUNT 1, ARCOUNT 1, labels, MX IN, OPT 1232)");
	CHECK_INT((buf[0] << 8) | buf[1], 0xbeef, "build_query: id");
	CHECK(buf[2] == 0x01 && buf[3] == 0x00, "build_query: only RD set");
	CHECK_INT((buf[4] << 8) | buf[5], 1, "build_query: QDCOUNT 1");

	len = ma_dns_build_query("www.Example.com.", MA_T_MX, 0xbeef, 1232, buf, sizeof(buf));
	CHECK(len == (int) sizeof(want) && memcmp(buf, want, sizeof(want)) == 0,
		  "build_query: a trailing dot encodes the same");

	len = ma_dns_build_query("www.Example.com", MA_T_MX, 0xbeef, 0, buf, sizeof(buf));
	CHECK_INT(len, sizeof(want) - 11, "build_query: no OPT record when udpsize is 0");
	CHECK(len == (int) sizeof(want) - 11 && buf[11] == 0 &&
		  memcmp(buf + 12, want + 12, sizeof(want) - 23) == 0,
		  "build_query: ARCOUNT 0 and the same question without EDNS");

	len = ma_dns_build_query(".", MA_T_SOA, 1, 0, buf, sizeof(buf));
	CHECK(len == 17 && buf[12] == 0 && buf[13] == 0 && buf[14] == MA_T_SOA,
		  "build_query: the root is a single zero octet");

	len = ma_dns_build_query("x.example", MA_T_CAA, 7, 4096, buf, sizeof(buf));
	CHECK(len > 0 && buf[len - 11 - 4] == 0x01 && buf[len - 11 - 3] == 0x01,
		  "build_query: type 257 (CAA) encoded in two octets");
	CHECK(len > 0 && buf[len - 8] == 0x10 && buf[len - 7] == 0x00,
		  "build_query: udpsize 4096 in the OPT class");

	make_name(name, l253, 4);
	len = ma_dns_build_query(name, MA_T_A, 1, 1232, buf, sizeof(buf));
	CHECK_INT(len, 12 + 255 + 4 + 11, "build_query: a 253-octet name (255 on the wire) fits");
	make_name(name, l254, 4);
	len = ma_dns_build_query(name, MA_T_A, 1, 1232, buf, sizeof(buf));
	CHECK_INT(len, -1, "build_query: a 254-octet name (256 on the wire) is rejected");

	memset(name, 'a', 64);
	strcpy(name + 64, ".example");
	len = ma_dns_build_query(name, MA_T_A, 1, 1232, buf, sizeof(buf));
	CHECK_INT(len, -1, "build_query: a label of 64 octets is rejected");
	memset(name, 'a', 63);
	strcpy(name + 63, ".example");
	len = ma_dns_build_query(name, MA_T_A, 1, 1232, buf, sizeof(buf));
	CHECK(len > 0 && buf[12] == 63, "build_query: a label of 63 octets is accepted");
	len = ma_dns_build_query("a..b", MA_T_A, 1, 1232, buf, sizeof(buf));
	CHECK_INT(len, -1, "build_query: an empty label is rejected");
	len = ma_dns_build_query("example", MA_T_A, 1, 1232, buf, 100);
	CHECK_INT(len, -1, "build_query: a buffer too small is rejected");

	/* a query turned into an empty answer is a valid answer to itself */
	len = ma_dns_build_query("Round.Trip.example", MA_T_TXT, 42, 1232, buf, sizeof(buf));
	if (len > 0)
	{
		answer		a;

		buf[2] |= 0x80;
		parse_buf(&a, buf, (size_t) len, "round.trip.example", MA_T_TXT);
		CHECK(a.rc == 0 && a.st == MA_DNS_NODATA && a.b.nrr == 0,
			  "build_query: the query echoed back decodes as NODATA for its own question");
		ma_dns_builder_free(&a.b);
	}
	else
		CHECK(false, "build_query: round trip query built");
}

/* ---------------------------------------------------------------------
 * 5a. decoding of each record type
 * ---------------------------------------------------------------------
 */
static void
test_parse_records(void)
{
	pktb		p;
	answer		a;
	size_t		at;
	ma_dns_result *r;
	char		rev[128];
	unsigned char addr[4];

	/* A, with a record of an unknown type and one of class CH skipped */
	pb_header(&p, F_RESP, 1, 4, 0, 0);
	pb_question(&p, "a.example", MA_T_A);
	pb_a(&p, "a.example", 300, "192.0.2.1");
	at = pb_rr(&p, "a.example", 99, 5);
	pb_bytes(&p, "xyz", 3);
	pb_rr_end(&p, at);
	pb_name(&p, "a.example");
	at = pb_rr_fixed(&p, MA_T_A, 3, 7);
	pb_bytes(&p, "\x01\x02\x03\x04", 4);
	pb_rr_end(&p, at);
	pb_a(&p, "a.example", 200, "192.0.2.2");
	parse_pkt(&a, &p, "a.example", MA_T_A);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.err == NULL, "A: decoded as OK");
	CHECK_STR(a.next, "", "A: next_name is empty");
	CHECK_INT(a.b.nrr, 2, "A: two records (unknown type and class CH skipped)");
	if (a.b.nrr == 2)
	{
		CHECK_STR(a.b.rr[0].name, "a.example", "A: owner");
		CHECK_STR(a.b.rr[0].data, "192.0.2.1", "A: first address");
		CHECK_INT(a.b.rr[0].datalen, 9, "A: datalen");
		CHECK(a.b.rr[0].target == NULL, "A: no target");
		CHECK_INT(a.b.rr[0].ttl, 300, "A: first TTL");
		CHECK_INT(a.b.rr[0].type, MA_T_A, "A: type");
		CHECK_STR(a.b.rr[1].data, "192.0.2.2", "A: second address");
	}
	r = finish_answer(&a);
	CHECK(r && r->status == MA_DNS_OK && r->nrr == 2 && r->ttl == 200,
		  "A: result TTL is the smallest (200; skipped records do not count)");
	ma_dns_result_release(r);

	/* the question is matched case-insensitively (DNS 0x20) */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "A.eXample", MA_T_A);
	pb_a(&p, "A.eXample", 300, "192.0.2.1");
	parse_pkt(&a, &p, "a.example", MA_T_A);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.b.nrr == 1,
		  "A: question and owner matched case-insensitively");
	ma_dns_builder_free(&a.b);

	/* a TTL with the top bit set counts as 0 (RFC 2181) */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_A);
	pb_a(&p, "a.example", 0x80000000u, "192.0.2.1");
	parse_pkt(&a, &p, "a.example", MA_T_A);
	CHECK(a.rc == 0 && a.b.nrr == 1 && a.b.rr[0].ttl == 0, "A: TTL 2^31 is taken as 0");
	ma_dns_builder_free(&a.b);

	/* AAAA */
	pb_header(&p, F_RESP, 1, 2, 0, 0);
	pb_question(&p, "v6.example", MA_T_AAAA);
	pb_a(&p, "v6.example", 60, "2001:db8::1");
	pb_a(&p, "v6.example", 60, "2001:db8:0:0:1:0:0:1");
	parse_pkt(&a, &p, "v6.example", MA_T_AAAA);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.b.nrr == 2, "AAAA: two records");
	if (a.b.nrr == 2)
	{
		CHECK_STR(a.b.rr[0].data, "2001:db8::1", "AAAA: compressed presentation");
		CHECK_STR(a.b.rr[1].data, "2001:db8::1:0:0:1", "AAAA: presentation with ::");
		CHECK_INT(a.b.rr[0].type, MA_T_AAAA, "AAAA: type");
	}
	ma_dns_builder_free(&a.b);

	/* MX, owner and targets compressed against the question */
	pb_header(&p, F_RESP, 1, 2, 0, 0);
	pb_question(&p, "example", MA_T_MX);
	pb_ptr(&p, 12);
	at = pb_rr_fixed(&p, MA_T_MX, 1, 3600);
	pb_u16(&p, 10);
	pb_name_ptr(&p, "mx", 12);
	pb_rr_end(&p, at);
	pb_ptr(&p, 12);
	at = pb_rr_fixed(&p, MA_T_MX, 1, 1800);
	pb_u16(&p, 20);
	pb_name_ptr(&p, "mx2", 12);
	pb_rr_end(&p, at);
	parse_pkt(&a, &p, "example", MA_T_MX);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.b.nrr == 2, "MX: two records");
	if (a.b.nrr == 2)
	{
		CHECK_STR(a.b.rr[0].name, "example", "MX: compressed owner");
		CHECK_STR(a.b.rr[0].data, "10 mx.example.", "MX: data \"10 mx.example.\"");
		CHECK_STR(a.b.rr[0].target, "mx.example", "MX: target \"mx.example\"");
		CHECK_INT(a.b.rr[0].pref, 10, "MX: preference");
		CHECK_STR(a.b.rr[1].data, "20 mx2.example.", "MX: second record");
		CHECK_INT(a.b.rr[1].pref, 20, "MX: second preference");
	}
	r = finish_answer(&a);
	CHECK(r && r->nrr == 2 && r->ttl == 1800 && strcmp(r->rr[0].target, "mx.example") == 0 &&
		  r->rr[1].pref == 20, "MX: finished result keeps targets and preferences");
	ma_dns_result_release(r);

	/* null MX (RFC 7505) */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "nullmx.example", MA_T_MX);
	at = pb_rr(&p, "nullmx.example", MA_T_MX, 300);
	pb_u16(&p, 0);
	pb_name(&p, ".");
	pb_rr_end(&p, at);
	parse_pkt(&a, &p, "nullmx.example", MA_T_MX);
	CHECK(a.rc == 0 && a.b.nrr == 1, "MX: null MX decoded");
	if (a.b.nrr == 1)
	{
		CHECK_STR(a.b.rr[0].data, "0 .", "MX: root target data \"0 .\"");
		CHECK_STR(a.b.rr[0].target, ".", "MX: root target \".\"");
		CHECK_INT(a.b.rr[0].pref, 0, "MX: null MX preference 0");
	}
	ma_dns_builder_free(&a.b);

	/* TXT: strings concatenated, NUL kept, empty string */
	pb_header(&p, F_RESP, 1, 3, 0, 0);
	pb_question(&p, "txt.example", MA_T_TXT);
	at = pb_rr(&p, "txt.example", MA_T_TXT, 300);
	pb_label(&p, "v=spf1 ", 7);
	pb_label(&p, "ip4:192.0.2.0/24 ", 17);
	pb_label(&p, "-all", 4);
	pb_rr_end(&p, at);
	at = pb_rr(&p, "txt.example", MA_T_TXT, 300);
	pb_label(&p, "a\0b", 3);
	pb_label(&p, "c", 1);
	pb_rr_end(&p, at);
	at = pb_rr(&p, "txt.example", MA_T_TXT, 300);
	pb_label(&p, "", 0);
	pb_rr_end(&p, at);
	parse_pkt(&a, &p, "txt.example", MA_T_TXT);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.b.nrr == 3, "TXT: three records");
	if (a.b.nrr == 3)
	{
		CHECK_STR(a.b.rr[0].data, "v=spf1 ip4:192.0.2.0/24 -all", "TXT: strings concatenated");
		CHECK_INT(a.b.rr[0].datalen, 28, "TXT: datalen of the concatenation");
		CHECK_INT(a.b.rr[1].datalen, 4, "TXT: datalen counts the embedded NUL");
		CHECK(memcmp(a.b.rr[1].data, "a\0bc", 5) == 0, "TXT: bytes after the NUL kept");
		CHECK(a.b.rr[2].datalen == 0 && a.b.rr[2].data[0] == '\0', "TXT: one empty string");
		CHECK(a.b.rr[0].target == NULL, "TXT: no target");
	}
	r = finish_answer(&a);
	CHECK(r && r->nrr == 3 && r->rr[1].datalen == 4 && memcmp(r->rr[1].data, "a\0bc", 5) == 0,
		  "TXT: finished result keeps the NUL and what follows it");
	ma_dns_result_release(r);

	/* SOA asked for: names compressed, TTL of its own */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "example", MA_T_SOA);
	pb_ptr(&p, 12);
	at = pb_rr_fixed(&p, MA_T_SOA, 1, 3600);
	pb_name_ptr(&p, "ns1", 12);
	pb_name_ptr(&p, "hostmaster", 12);
	pb_u32(&p, 2024010101);
	pb_u32(&p, 7200);
	pb_u32(&p, 3600);
	pb_u32(&p, 1209600);
	pb_u32(&p, 300);
	pb_rr_end(&p, at);
	parse_pkt(&a, &p, "example", MA_T_SOA);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.b.nrr == 1, "SOA: decoded");
	if (a.b.nrr == 1)
	{
		CHECK_STR(a.b.rr[0].data, "ns1.example. hostmaster.example. 2024010101 7200 3600 1209600 300",
				  "SOA: presentation form");
		CHECK_INT(a.b.rr[0].ttl, 3600, "SOA: an SOA asked for keeps its TTL (not the minimum)");
		CHECK(a.b.rr[0].target == NULL, "SOA: no target");
	}
	ma_dns_builder_free(&a.b);

	/* SRV */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "_sip._tcp.example", MA_T_SRV);
	at = pb_rr(&p, "_sip._tcp.example", MA_T_SRV, 600);
	pb_u16(&p, 10);
	pb_u16(&p, 60);
	pb_u16(&p, 5060);
	pb_name(&p, "sip.example");
	pb_rr_end(&p, at);
	parse_pkt(&a, &p, "_sip._tcp.example", MA_T_SRV);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.b.nrr == 1, "SRV: decoded");
	if (a.b.nrr == 1)
	{
		CHECK_STR(a.b.rr[0].data, "10 60 5060 sip.example.", "SRV: presentation form");
		CHECK_STR(a.b.rr[0].target, "sip.example", "SRV: target");
		CHECK_INT(a.b.rr[0].pref, 10, "SRV: priority in pref");
	}
	ma_dns_builder_free(&a.b);

	/* CAA */
	pb_header(&p, F_RESP, 1, 3, 0, 0);
	pb_question(&p, "example", MA_T_CAA);
	at = pb_rr(&p, "example", MA_T_CAA, 300);
	pb_u8(&p, 0);
	pb_label(&p, "issue", 5);
	pb_bytes(&p, "ca.example", 10);
	pb_rr_end(&p, at);
	at = pb_rr(&p, "example", MA_T_CAA, 300);
	pb_u8(&p, 128);
	pb_label(&p, "iodef", 5);
	pb_bytes(&p, "mailto:x@example", 16);
	pb_rr_end(&p, at);
	at = pb_rr(&p, "example", MA_T_CAA, 300);
	pb_u8(&p, 0);
	pb_label(&p, "issue", 5);
	pb_bytes(&p, "a\"b\\\x01\xff", 6);
	pb_rr_end(&p, at);
	parse_pkt(&a, &p, "example", MA_T_CAA);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.b.nrr == 3, "CAA: three records");
	if (a.b.nrr == 3)
	{
		CHECK_STR(a.b.rr[0].data, "0 issue \"ca.example\"", "CAA: issue");
		CHECK_STR(a.b.rr[1].data, "128 iodef \"mailto:x@example\"", "CAA: critical flag, iodef");
		CHECK_STR(a.b.rr[2].data, "0 issue \"a\\\"b\\\\\\001\\255\"",
				  "CAA: quote, backslash and binary escaped in the value");
	}
	ma_dns_builder_free(&a.b);

	/* PTR, for a name made by ma_dns_reverse_name */
	inet_pton(AF_INET, "192.0.2.1", addr);
	ma_dns_reverse_name(AF_INET, addr, rev, sizeof(rev));
	pb_header(&p, F_RESP, 1, 2, 0, 0);
	pb_question(&p, rev, MA_T_PTR);
	pb_nameval(&p, rev, MA_T_PTR, 86400, "host.example");
	/* a target with a literal dot and a control byte inside a label */
	at = pb_rr(&p, rev, MA_T_PTR, 86400);
	pb_label(&p, "a.b\x01", 4);
	pb_name(&p, "example");
	pb_rr_end(&p, at);
	parse_pkt(&a, &p, "1.2.0.192.in-addr.arpa", MA_T_PTR);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.b.nrr == 2, "PTR: decoded");
	if (a.b.nrr == 2)
	{
		CHECK_STR(a.b.rr[0].name, "1.2.0.192.in-addr.arpa", "PTR: owner");
		CHECK_STR(a.b.rr[0].data, "host.example.", "PTR: data with trailing dot");
		CHECK_STR(a.b.rr[0].target, "host.example", "PTR: target without trailing dot");
		CHECK_STR(a.b.rr[1].target, "a\\.b\\001.example",
				  "PTR: dot and control byte in a label are escaped");
	}
	ma_dns_builder_free(&a.b);

	/* NS, with an NS in the authority section that is not a result */
	pb_header(&p, F_RESP, 1, 2, 1, 0);
	pb_question(&p, "example", MA_T_NS);
	pb_nameval(&p, "example", MA_T_NS, 172800, "ns1.example");
	pb_nameval(&p, "example", MA_T_NS, 86400, "ns2.example");
	pb_nameval(&p, "example", MA_T_NS, 5, "ns3.example");
	parse_pkt(&a, &p, "example", MA_T_NS);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.b.nrr == 2,
		  "NS: two records (the authority section is not a result)");
	if (a.b.nrr == 2)
	{
		CHECK_STR(a.b.rr[0].data, "ns1.example.", "NS: data");
		CHECK_STR(a.b.rr[1].target, "ns2.example", "NS: target");
	}
	CHECK_INT(a.b.neg_ttl, UINT32_MAX, "NS: no SOA in authority, no negative TTL");
	r = finish_answer(&a);
	CHECK(r && r->ttl == 86400, "NS: TTL 172800 and 86400 give 86400");
	ma_dns_result_release(r);
}

/* ---------------------------------------------------------------------
 * 5b. CNAME chains
 * ---------------------------------------------------------------------
 */
static void
chain_packet(pktb *p, const char *qname, int hops, bool final_a)
{
	char		from[64],
				to[64];

	pb_header(p, F_RESP, 1, hops + (final_a ? 1 : 0), 0, 0);
	pb_question(p, qname, MA_T_A);
	for (int i = 0; i < hops; i++)
	{
		if (i == 0)
			snprintf(from, sizeof(from), "%s", qname);
		else
			snprintf(from, sizeof(from), "c%d.example", i);
		snprintf(to, sizeof(to), "c%d.example", i + 1);
		pb_nameval(p, from, MA_T_CNAME, 100, to);
	}
	if (final_a)
	{
		snprintf(to, sizeof(to), "c%d.example", hops);
		pb_a(p, to, 50, "192.0.2.8");
	}
}

static void
test_parse_chain(void)
{
	pktb		p;
	answer		a;
	ma_dns_result *r;

	/* a chain inside one answer, in an unusual order */
	pb_header(&p, F_RESP, 1, 3, 0, 0);
	pb_question(&p, "www.example", MA_T_A);
	pb_a(&p, "host.example", 120, "192.0.2.7");
	pb_nameval(&p, "web.example", MA_T_CNAME, 60, "Host.Example");
	pb_nameval(&p, "www.example", MA_T_CNAME, 300, "web.example");
	parse_pkt(&a, &p, "www.example", MA_T_A);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK, "chain: www -> web -> host resolved in one answer");
	CHECK_INT(a.b.nrr, 3, "chain: two CNAMEs and the A");
	if (a.b.nrr == 3)
	{
		CHECK(a.b.rr[0].type == MA_T_CNAME && strcmp(a.b.rr[0].name, "www.example") == 0 &&
			  strcmp(a.b.rr[0].target, "web.example") == 0, "chain: first the CNAME of www");
		CHECK(a.b.rr[1].type == MA_T_CNAME && strcmp(a.b.rr[1].name, "web.example") == 0,
			  "chain: then the CNAME of web");
		CHECK_STR(a.b.rr[1].data, "Host.Example.", "chain: CNAME data keeps the case");
		CHECK(a.b.rr[2].type == MA_T_A && strcmp(a.b.rr[2].data, "192.0.2.7") == 0,
			  "chain: then the A of host (target matched case-insensitively)");
	}
	r = finish_answer(&a);
	CHECK(r && r->ttl == 60, "chain: TTL is the smallest of the chain");
	ma_dns_result_release(r);

	/* a CNAME asked for is not followed */
	pb_header(&p, F_RESP, 1, 2, 0, 0);
	pb_question(&p, "www.example", MA_T_CNAME);
	pb_nameval(&p, "www.example", MA_T_CNAME, 300, "web.example");
	pb_nameval(&p, "web.example", MA_T_CNAME, 300, "host.example");
	parse_pkt(&a, &p, "www.example", MA_T_CNAME);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.b.nrr == 1 &&
		  strcmp(a.b.rr[0].target, "web.example") == 0,
		  "chain: qtype CNAME gives the CNAME of the name only");
	ma_dns_builder_free(&a.b);

	/* the chain leaves the answer, then goes on in a second packet */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "www.example", MA_T_A);
	pb_nameval(&p, "www.example", MA_T_CNAME, 100, "elsewhere.other");
	parse_pkt(&a, &p, "www.example", MA_T_A);
	CHECK_INT(a.rc, 1, "chain: leaving the answer returns 1");
	CHECK_STR(a.next, "elsewhere.other", "chain: next_name is the target");
	CHECK(a.b.nrr == 1 && a.b.rr[0].type == MA_T_CNAME, "chain: the CNAME is kept in the builder");
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "elsewhere.other", MA_T_A);
	pb_a(&p, "elsewhere.other", 50, "192.0.2.9");
	parse_more(&a, p.buf, p.len, "elsewhere.other", MA_T_A);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.b.nrr == 2,
		  "chain: second packet completes the chain");
	r = finish_answer(&a);
	CHECK(r && r->nrr == 2 && r->rr[0].type == MA_T_CNAME && r->rr[1].type == MA_T_A &&
		  strcmp(r->rr[1].data, "192.0.2.9") == 0 && r->ttl == 50,
		  "chain: result holds CNAME then A, TTL 50");
	ma_dns_result_release(r);

	/* a loop over two packets */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "www.example", MA_T_A);
	pb_nameval(&p, "www.example", MA_T_CNAME, 100, "elsewhere.other");
	parse_pkt(&a, &p, "www.example", MA_T_A);
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "elsewhere.other", MA_T_A);
	pb_nameval(&p, "elsewhere.other", MA_T_CNAME, 100, "WWW.example");
	parse_more(&a, p.buf, p.len, "elsewhere.other", MA_T_A);
	CHECK(a.rc == 0 && a.st == MA_DNS_SERVFAIL && a.err && strcmp(a.err, "CNAME loop") == 0,
		  "chain: a loop across two answers is SERVFAIL \"CNAME loop\"");
	ma_dns_builder_free(&a.b);

	/* a loop inside one answer */
	pb_header(&p, F_RESP, 1, 2, 0, 0);
	pb_question(&p, "a.example", MA_T_A);
	pb_nameval(&p, "a.example", MA_T_CNAME, 100, "b.example");
	pb_nameval(&p, "b.example", MA_T_CNAME, 100, "a.example");
	parse_pkt(&a, &p, "a.example", MA_T_A);
	CHECK_INT(a.rc, 0, "chain: a loop in one answer returns 0");
	CHECK_INT(a.st, MA_DNS_SERVFAIL, "chain: a loop in one answer is SERVFAIL");
	CHECK_STR(a.err, "CNAME loop", "chain: detail \"CNAME loop\"");
	CHECK_INT(a.b.nrr, 2, "chain: the loop is seen at once, each CNAME kept once");
	ma_dns_builder_free(&a.b);

	/* a CNAME to itself */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "self.example", MA_T_A);
	pb_nameval(&p, "self.example", MA_T_CNAME, 100, "self.example");
	parse_pkt(&a, &p, "self.example", MA_T_A);
	CHECK(a.rc == 0 && a.st == MA_DNS_SERVFAIL && a.err && strcmp(a.err, "CNAME loop") == 0,
		  "chain: a CNAME to itself is a loop");
	ma_dns_builder_free(&a.b);

	/* MA_DNS_MAX_CHAIN hops are fine, one more is not */
	chain_packet(&p, "c0.example", MA_DNS_MAX_CHAIN, true);
	parse_pkt(&a, &p, "c0.example", MA_T_A);
	CHECK(a.rc == 0 && a.st == MA_DNS_OK && a.b.nrr == MA_DNS_MAX_CHAIN + 1,
		  "chain: %d CNAMEs in one answer are followed", MA_DNS_MAX_CHAIN);
	ma_dns_builder_free(&a.b);
	chain_packet(&p, "c0.example", MA_DNS_MAX_CHAIN + 1, true);
	parse_pkt(&a, &p, "c0.example", MA_T_A);
	CHECK(a.rc == 0 && a.st == MA_DNS_SERVFAIL,
		  "chain: %d CNAMEs in one answer are too many (SERVFAIL)", MA_DNS_MAX_CHAIN + 1);
	ma_dns_builder_free(&a.b);
}

/* ---------------------------------------------------------------------
 * 5c. negative answers and response codes
 * ---------------------------------------------------------------------
 */
static void
test_parse_negative(void)
{
	pktb		p;
	answer		a;
	ma_dns_result *r;
	static const struct
	{
		int			rcode;
		ma_dns_status st;
		const char *name;
	}			rc[] = {
		{1, MA_DNS_FORMERR, "FORMERR"}, {2, MA_DNS_SERVFAIL, "SERVFAIL"},
		{5, MA_DNS_REFUSED, "REFUSED"}, {4, MA_DNS_ERROR, "NOTIMP"}
	};

	/* NXDOMAIN, SOA TTL 600 and minimum 300 */
	pb_header(&p, F_RESP | 3, 1, 0, 1, 0);
	pb_question(&p, "nx.example", MA_T_A);
	pb_soa(&p, "example", 600, 300);
	parse_pkt(&a, &p, "nx.example", MA_T_A);
	CHECK(a.rc == 0 && a.st == MA_DNS_NXDOMAIN && a.b.nrr == 0, "NXDOMAIN: status");
	CHECK_INT(a.b.neg_ttl, 300, "NXDOMAIN: neg_ttl = min(SOA TTL 600, minimum 300)");
	r = finish_answer(&a);
	CHECK(r && r->status == MA_DNS_NXDOMAIN && r->ttl == 300 && r->nrr == 0,
		  "NXDOMAIN: result TTL 300");
	ma_dns_result_release(r);

	/* NXDOMAIN, SOA TTL 60 and minimum 300 */
	pb_header(&p, F_RESP | 3, 1, 0, 1, 0);
	pb_question(&p, "nx.example", MA_T_A);
	pb_soa(&p, "example", 60, 300);
	parse_pkt(&a, &p, "nx.example", MA_T_A);
	CHECK_INT(a.b.neg_ttl, 60, "NXDOMAIN: neg_ttl = min(SOA TTL 60, minimum 300)");
	ma_dns_builder_free(&a.b);

	/* NXDOMAIN without SOA */
	pb_header(&p, F_RESP | 3, 1, 0, 0, 0);
	pb_question(&p, "nx.example", MA_T_A);
	parse_pkt(&a, &p, "nx.example", MA_T_A);
	CHECK(a.rc == 0 && a.st == MA_DNS_NXDOMAIN && a.b.neg_ttl == UINT32_MAX,
		  "NXDOMAIN: without SOA no negative TTL");
	r = finish_answer(&a);
	CHECK(r && r->ttl == 0, "NXDOMAIN: without SOA the result is not cacheable");
	ma_dns_result_release(r);

	/* NXDOMAIN at the end of a CNAME */
	pb_header(&p, F_RESP | 3, 1, 1, 1, 0);
	pb_question(&p, "www.example", MA_T_A);
	pb_nameval(&p, "www.example", MA_T_CNAME, 30, "gone.example");
	pb_soa(&p, "example", 600, 300);
	parse_pkt(&a, &p, "www.example", MA_T_A);
	CHECK(a.rc == 0 && a.st == MA_DNS_NXDOMAIN && a.b.nrr == 1,
		  "NXDOMAIN: after a CNAME, the CNAME is kept");
	r = finish_answer(&a);
	CHECK(r && r->ttl == 30, "NXDOMAIN: after a CNAME of TTL 30 the result TTL is 30");
	ma_dns_result_release(r);

	/* NODATA with SOA, and with two SOAs the smaller counts */
	pb_header(&p, F_RESP, 1, 0, 2, 0);
	pb_question(&p, "a.example", MA_T_AAAA);
	pb_soa(&p, "example", 900, 120);
	pb_soa(&p, "example", 900, 240);
	parse_pkt(&a, &p, "a.example", MA_T_AAAA);
	CHECK(a.rc == 0 && a.st == MA_DNS_NODATA && a.b.nrr == 0, "NODATA: status");
	CHECK_STR(a.next, "", "NODATA: no next_name");
	CHECK_INT(a.b.neg_ttl, 120, "NODATA: neg_ttl from the SOA");
	r = finish_answer(&a);
	CHECK(r && r->status == MA_DNS_NODATA && r->ttl == 120, "NODATA: result TTL 120");
	ma_dns_result_release(r);

	/* NODATA: records of another type only */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_MX);
	pb_a(&p, "a.example", 300, "192.0.2.1");
	parse_pkt(&a, &p, "a.example", MA_T_MX);
	CHECK(a.rc == 0 && a.st == MA_DNS_NODATA && a.b.nrr == 0,
		  "NODATA: an A in the answer to MX is no MX");
	ma_dns_builder_free(&a.b);

	/* records of the right type for another owner do not count */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_A);
	pb_a(&p, "b.example", 300, "192.0.2.1");
	parse_pkt(&a, &p, "a.example", MA_T_A);
	CHECK(a.rc == 0 && a.st == MA_DNS_NODATA && a.b.nrr == 0,
		  "NODATA: an A of another owner is ignored");
	ma_dns_builder_free(&a.b);

	for (size_t i = 0; i < sizeof(rc) / sizeof(rc[0]); i++)
	{
		pb_header(&p, F_RESP | rc[i].rcode, 1, 0, 0, 0);
		pb_question(&p, "a.example", MA_T_A);
		parse_pkt(&a, &p, "a.example", MA_T_A);
		CHECK(a.rc == 0 && a.st == rc[i].st && a.b.nrr == 0,
			  "rcode %d (%s) gives status %s", rc[i].rcode, rc[i].name,
			  ma_dns_status_name(rc[i].st));
		r = finish_answer(&a);
		CHECK(r && r->ttl == 0 && r->status == rc[i].st, "rcode %s: result not cacheable",
			  rc[i].name);
		ma_dns_result_release(r);
	}
}

/* ---------------------------------------------------------------------
 * 5d. hostile packets
 * ---------------------------------------------------------------------
 */

/* every proper prefix of a valid packet must be rejected */
static void
check_prefixes(const pktb *p, const char *qname, uint16_t qtype, const char *what)
{
	answer		a;
	size_t		bad = 0,
				first_bad = 0;

	parse_pkt(&a, p, qname, qtype);
	CHECK(a.rc >= 0, "prefixes: the whole %s packet (%zu bytes) is valid", what, p->len);
	ma_dns_builder_free(&a.b);
	for (size_t n = 0; n < p->len; n++)
	{
		parse_buf(&a, p->buf, n, qname, qtype);
		if (a.rc != -1 || a.err == NULL || a.b.nrr != 0)
		{
			if (bad++ == 0)
				first_bad = n;
		}
		ma_dns_builder_free(&a.b);
	}
	CHECK(bad == 0, "prefixes: all %zu truncations of the %s packet are rejected", p->len, what);
	if (bad)
		printf("#   %zu accepted, the first at length %zu\n", bad, first_bad);
}

static void
test_parse_hostile(pktb *corpus, int *ncorpus)
{
	pktb		p;
	answer		a;
	size_t		at,
				start;
	char		name[600];
	static const int l255[] = {63, 63, 63, 61};	/* 255 octets on the wire */
	static const int l256[] = {63, 63, 63, 62};	/* 256 octets on the wire */
	static const int l5x60[] = {60, 60, 60, 60, 60};

	/* truncation of valid packets at every length */
	pb_header(&p, F_RESP, 1, 3, 1, 0);
	pb_question(&p, "www.example", MA_T_A);
	pb_nameval(&p, "www.example", MA_T_CNAME, 300, "web.example");
	pb_nameval(&p, "web.example", MA_T_CNAME, 60, "host.example");
	pb_a(&p, "host.example", 120, "192.0.2.7");
	pb_nameval(&p, "example", MA_T_NS, 300, "ns1.example");
	check_prefixes(&p, "www.example", MA_T_A, "CNAME chain");
	corpus[(*ncorpus)++] = p;

	pb_header(&p, F_RESP, 1, 2, 0, 0);
	pb_question(&p, "example", MA_T_MX);
	pb_ptr(&p, 12);
	at = pb_rr_fixed(&p, MA_T_MX, 1, 3600);
	pb_u16(&p, 10);
	pb_name_ptr(&p, "mx", 12);
	pb_rr_end(&p, at);
	pb_ptr(&p, 12);
	at = pb_rr_fixed(&p, MA_T_MX, 1, 3600);
	pb_u16(&p, 0);
	pb_name(&p, ".");
	pb_rr_end(&p, at);
	check_prefixes(&p, "example", MA_T_MX, "compressed MX");
	corpus[(*ncorpus)++] = p;

	pb_header(&p, F_RESP | 3, 1, 0, 1, 0);
	pb_question(&p, "nx.example", MA_T_TXT);
	pb_soa(&p, "example", 600, 300);
	check_prefixes(&p, "nx.example", MA_T_TXT, "NXDOMAIN with SOA");
	corpus[(*ncorpus)++] = p;

	pb_header(&p, F_RESP, 1, 3, 0, 0);
	pb_question(&p, "example", MA_T_TXT);
	at = pb_rr(&p, "example", MA_T_TXT, 300);
	pb_label(&p, "v=spf1 ", 7);
	pb_label(&p, "a\0b", 3);
	pb_rr_end(&p, at);
	at = pb_rr(&p, "example", MA_T_SRV, 300);
	pb_u16(&p, 1);
	pb_u16(&p, 2);
	pb_u16(&p, 3);
	pb_name(&p, "srv.example");
	pb_rr_end(&p, at);
	at = pb_rr(&p, "example", MA_T_CAA, 300);
	pb_u8(&p, 0);
	pb_label(&p, "issue", 5);
	pb_bytes(&p, "ca.example", 10);
	pb_rr_end(&p, at);
	check_prefixes(&p, "example", MA_T_TXT, "TXT, SRV and CAA");
	corpus[(*ncorpus)++] = p;

	pb_header(&p, F_RESP, 1, 2, 0, 0);
	pb_question(&p, "v6.example", MA_T_AAAA);
	pb_a(&p, "v6.example", 60, "2001:db8::1");
	pb_ptr(&p, 12);
	at = pb_rr_fixed(&p, MA_T_SOA, 1, 60);
	pb_name_ptr(&p, "ns1", 12);
	pb_name_ptr(&p, "h", 15);
	for (int i = 0; i < 5; i++)
		pb_u32(&p, 100);
	pb_rr_end(&p, at);
	check_prefixes(&p, "v6.example", MA_T_AAAA, "AAAA and SOA");
	corpus[(*ncorpus)++] = p;

	/* headers */
	pb_header(&p, F_RESP, 1, 0, 0, 0);
	p.len = 11;
	expect_malformed(&p, "a.example", MA_T_A, "an 11-byte header");
	pb_header(&p, 0x0100, 1, 0, 0, 0);
	pb_question(&p, "a.example", MA_T_A);
	expect_malformed(&p, "a.example", MA_T_A, "a packet without QR");
	pb_header(&p, F_RESP, 0, 0, 0, 0);
	expect_malformed(&p, "a.example", MA_T_A, "QDCOUNT 0");
	pb_header(&p, F_RESP, 2, 0, 0, 0);
	pb_question(&p, "a.example", MA_T_A);
	pb_question(&p, "a.example", MA_T_A);
	expect_malformed(&p, "a.example", MA_T_A, "QDCOUNT 2");

	/* question mismatch */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "b.example", MA_T_A);
	pb_a(&p, "b.example", 300, "192.0.2.1");
	parse_pkt(&a, &p, "a.example", MA_T_A);
	CHECK(a.rc == -1 && a.err && strcmp(a.err, "answer is for another question") == 0 &&
		  a.b.nrr == 0, "hostile: an answer for another name is rejected");
	ma_dns_builder_free(&a.b);
	parse_pkt(&a, &p, "b.example", MA_T_AAAA);
	CHECK(a.rc == -1 && a.err && strcmp(a.err, "answer is for another question") == 0,
		  "hostile: an answer for another type is rejected");
	ma_dns_builder_free(&a.b);
	parse_pkt(&a, &p, "b.example.a", MA_T_A);
	CHECK(a.rc == -1, "hostile: an answer for a suffix of the name is rejected");
	ma_dns_builder_free(&a.b);

	/* compression pointers */
	pb_header(&p, F_RESP, 1, 0, 0, 0);
	pb_label(&p, "a", 1);
	pb_ptr(&p, 12);
	pb_u16(&p, MA_T_A);
	pb_u16(&p, 1);
	expect_malformed(&p, "a", MA_T_A, "a compression loop in the question");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_A);
	start = p.len;
	pb_label(&p, "x", 1);
	pb_label(&p, "y", 1);
	pb_ptr(&p, start);
	at = pb_rr_fixed(&p, MA_T_A, 1, 60);
	pb_bytes(&p, "\x01\x02\x03\x04", 4);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_A, "a compression loop in an owner name");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_A);
	start = p.len;
	pb_ptr(&p, start);
	at = pb_rr_fixed(&p, MA_T_A, 1, 60);
	pb_bytes(&p, "\x01\x02\x03\x04", 4);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_A, "a compression pointer to itself");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_CNAME);
	start = p.len;
	pb_ptr(&p, start + 12);		/* to the rdata: a valid name, but ahead */
	at = pb_rr_fixed(&p, MA_T_CNAME, 1, 60);
	pb_name(&p, "a.example");
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_CNAME, "a forward compression pointer");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_CNAME);
	pb_ptr(&p, 12);
	at = pb_rr_fixed(&p, MA_T_CNAME, 1, 60);
	pb_name_ptr(&p, "x", 4000);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_CNAME, "a compression pointer past the end");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_CNAME);
	pb_ptr(&p, 12);
	at = pb_rr_fixed(&p, MA_T_CNAME, 1, 60);
	pb_label(&p, "x", 1);
	pb_u8(&p, 0xc0);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_CNAME, "a compression pointer cut in half");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_CNAME);
	pb_ptr(&p, 12);
	at = pb_rr_fixed(&p, MA_T_CNAME, 1, 60);
	pb_u8(&p, 0x41);
	pb_bytes(&p, "abcdefgh", 8);
	pb_u8(&p, 0);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_CNAME, "an extended label type (0x40)");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_CNAME);
	pb_ptr(&p, 12);
	at = pb_rr_fixed(&p, MA_T_CNAME, 1, 60);
	pb_u8(&p, 0x81);
	pb_u8(&p, 'a');
	pb_u8(&p, 0);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_CNAME, "a reserved label type (0x80)");

	/* names that are too long */
	make_name(name, l5x60, 5);
	pb_header(&p, F_RESP, 1, 0, 0, 0);
	pb_question(&p, name, MA_T_A);
	expect_malformed(&p, name, MA_T_A, "a question name of 306 octets");

	make_name(name, l255, 4);
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_PTR);
	pb_nameval(&p, "a.example", MA_T_PTR, 60, name);
	parse_pkt(&a, &p, "a.example", MA_T_PTR);
	CHECK(a.rc == 0 && a.b.nrr == 1 && strcmp(a.b.rr[0].target, name) == 0,
		  "long names: a target of exactly 255 octets on the wire is accepted");
	ma_dns_builder_free(&a.b);

	make_name(name, l256, 4);
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_PTR);
	pb_nameval(&p, "a.example", MA_T_PTR, 60, name);
	expect_malformed(&p, "a.example", MA_T_PTR, "a target of 256 octets on the wire");

	/* three 63-octet labels (192 octets) + a pointer to "a.example" (11): 203, fine */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_PTR);
	pb_ptr(&p, 12);
	at = pb_rr_fixed(&p, MA_T_PTR, 1, 60);
	{
		static const int l3[] = {63, 63, 63};

		make_name(name, l3, 3);
		pb_name_ptr(&p, name, 12);
	}
	pb_rr_end(&p, at);
	parse_pkt(&a, &p, "a.example", MA_T_PTR);
	CHECK(a.rc == 0 && a.b.nrr == 1, "long names: 203 octets of labels plus a pointer accepted");
	ma_dns_builder_free(&a.b);

	/* ... but the same labels in front of a 60-octet name are too long */
	make_name(name, l5x60, 1);
	strcat(name, ".example");
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, name, MA_T_PTR);
	pb_ptr(&p, 12);
	at = pb_rr_fixed(&p, MA_T_PTR, 1, 60);
	{
		static const int l3[] = {63, 63, 63};
		char		pre[300];

		make_name(pre, l3, 3);
		pb_name_ptr(&p, pre, 12);
	}
	pb_rr_end(&p, at);
	expect_malformed(&p, name, MA_T_PTR, "192 octets of labels plus a pointer to 70 more");

	/* rdata */
	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_A);
	pb_name(&p, "a.example");
	pb_rr_fixed(&p, MA_T_A, 1, 60);
	p.buf[p.len - 1] = 4;
	pb_bytes(&p, "\x01\x02", 2);
	expect_malformed(&p, "a.example", MA_T_A, "RDLENGTH past the end of the packet");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_A);
	pb_name(&p, "a.example");
	pb_rr_fixed(&p, MA_T_A, 1, 60);
	p.buf[p.len - 2] = 0xff;
	p.buf[p.len - 1] = 0xff;
	pb_bytes(&p, "\x01\x02\x03\x04", 4);
	expect_malformed(&p, "a.example", MA_T_A, "RDLENGTH 65535");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_A);
	at = pb_rr(&p, "a.example", MA_T_A, 60);
	pb_bytes(&p, "\x01\x02\x03\x04\x05", 5);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_A, "an A record of 5 bytes");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_AAAA);
	at = pb_rr(&p, "a.example", MA_T_AAAA, 60);
	pb_bytes(&p, "\x01\x02\x03\x04", 4);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_AAAA, "an AAAA record of 4 bytes");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_MX);
	at = pb_rr(&p, "a.example", MA_T_MX, 60);
	pb_u8(&p, 0);
	pb_rr_end(&p, at);
	pb_name(&p, "mx.example");	/* trailing bytes the MX must not borrow */
	expect_malformed(&p, "a.example", MA_T_MX, "an MX record of 1 byte");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_NS);
	at = pb_rr(&p, "a.example", MA_T_NS, 60);
	pb_name(&p, "ns.example");
	pb_u8(&p, 0);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_NS, "an NS record with a byte after the name");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_CNAME);
	at = pb_rr(&p, "a.example", MA_T_CNAME, 60);
	pb_labels(&p, "ns.example");
	pb_rr_end(&p, at);
	pb_u8(&p, 0);				/* the name ends only after the rdata */
	expect_malformed(&p, "a.example", MA_T_CNAME, "a CNAME whose name runs past its rdata");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_SRV);
	at = pb_rr(&p, "a.example", MA_T_SRV, 60);
	pb_u16(&p, 1);
	pb_u16(&p, 2);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_SRV, "an SRV record of 4 bytes");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_SOA);
	at = pb_rr(&p, "a.example", MA_T_SOA, 60);
	pb_name(&p, "ns1.example");
	pb_name(&p, "h.example");
	for (int i = 0; i < 4; i++)
		pb_u32(&p, 1);
	pb_rr_end(&p, at);
	pb_u32(&p, 1);
	expect_malformed(&p, "a.example", MA_T_SOA, "an SOA record missing its minimum");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_SOA);
	at = pb_rr(&p, "a.example", MA_T_SOA, 60);
	pb_name(&p, "ns1.example");
	pb_name(&p, "h.example");
	for (int i = 0; i < 6; i++)
		pb_u32(&p, 1);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_SOA, "an SOA record with 4 bytes too many");

	pb_header(&p, F_RESP | 3, 1, 0, 1, 0);
	pb_question(&p, "a.example", MA_T_A);
	at = pb_rr(&p, "example", MA_T_SOA, 60);
	pb_name(&p, "ns1.example");
	pb_u32(&p, 1);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_A, "a broken SOA in the authority section");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_TXT);
	at = pb_rr(&p, "a.example", MA_T_TXT, 60);
	pb_u8(&p, 10);
	pb_bytes(&p, "short", 5);
	pb_rr_end(&p, at);
	pb_bytes(&p, "morebytes", 9);
	expect_malformed(&p, "a.example", MA_T_TXT, "a TXT string longer than its rdata");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_CAA);
	at = pb_rr(&p, "a.example", MA_T_CAA, 60);
	pb_u8(&p, 0);
	pb_u8(&p, 0);
	pb_bytes(&p, "value", 5);
	pb_rr_end(&p, at);
	expect_malformed(&p, "a.example", MA_T_CAA, "a CAA record with an empty tag");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_CAA);
	at = pb_rr(&p, "a.example", MA_T_CAA, 60);
	pb_u8(&p, 0);
	pb_u8(&p, 9);
	pb_bytes(&p, "issue", 5);
	pb_rr_end(&p, at);
	pb_bytes(&p, "12345678", 8);
	expect_malformed(&p, "a.example", MA_T_CAA, "a CAA tag longer than its rdata");

	pb_header(&p, F_RESP, 1, 1, 0, 0);
	pb_question(&p, "a.example", MA_T_CAA);
	at = pb_rr(&p, "a.example", MA_T_CAA, 60);
	pb_u8(&p, 0);
	pb_rr_end(&p, at);
	pb_bytes(&p, "12345678", 8);
	expect_malformed(&p, "a.example", MA_T_CAA, "a CAA record of 1 byte");

	pb_header(&p, F_RESP, 1, 3, 0, 0);
	pb_question(&p, "a.example", MA_T_A);
	pb_a(&p, "a.example", 60, "192.0.2.1");
	expect_malformed(&p, "a.example", MA_T_A, "ANCOUNT larger than the records present");
}

/* ---------------------------------------------------------------------
 * 5e. random packets
 * ---------------------------------------------------------------------
 */
static void
run_fuzz_one(const unsigned char *buf, size_t len, const char *qname, uint16_t qtype,
			 long *insane)
{
	answer		a;
	ma_dns_result *r;

	parse_buf(&a, buf, len, qname, qtype);
	if (!answer_sane(&a))
		(*insane)++;
	if (a.rc >= 0)
	{
		r = finish_answer(&a);
		if (r == NULL || r->nrr < 0 || r->ttl > MA_DNS_MAX_TTL)
			(*insane)++;
		ma_dns_result_release(r);
	}
	else
		ma_dns_builder_free(&a.b);
}

static void
test_fuzz(const pktb *corpus, int ncorpus)
{
	unsigned char buf[700];
	long		insane = 0;
	int			n = 20000;
	static const char *const qnames[] = {"www.example", "example", "nx.example", "example",
	"v6.example"};
	static const uint16_t qtypes[] = {MA_T_A, MA_T_MX, MA_T_TXT, MA_T_TXT, MA_T_AAAA};

	/* pure garbage, half of it behind a plausible header and question */
	for (int i = 0; i < n; i++)
	{
		size_t		len = (size_t) (rnd() % sizeof(buf));

		for (size_t j = 0; j < len; j++)
			buf[j] = (unsigned char) rnd();
		if ((i & 1) && len > 20)
		{
			buf[2] = 0x81;
			buf[3] = (rnd() & 1) ? 0x80 : 0x83;
			buf[4] = 0;
			buf[5] = 1;
			buf[6] = 0;
			buf[8] = 0;
			memcpy(buf + 12, "\x01" "a\x00\x00\x01\x00\x01", 7);
		}
		run_fuzz_one(buf, len, "a", MA_T_A, &insane);
	}
	CHECK(true, "fuzz: survived %d random buffers", n);
	CHECK_INT(insane, 0, "fuzz: every outcome of random buffers was consistent");

	/* valid packets with a few bytes changed, sometimes cut */
	insane = 0;
	for (int i = 0; i < n; i++)
	{
		int			k = (int) (rnd() % (uint64_t) ncorpus);
		size_t		len = corpus[k].len;
		int			flips = 1 + (int) (rnd() % 4);

		memcpy(buf, corpus[k].buf, len);
		for (int f = 0; f < flips; f++)
		{
			size_t		pos = 12 + (size_t) (rnd() % (len - 12));

			switch (rnd() % 4)
			{
				case 0:
					buf[pos] = (unsigned char) rnd();
					break;
				case 1:
					buf[pos] = (unsigned char) (0xc0 | (rnd() & 1));
					break;
				case 2:
					buf[pos] ^= (unsigned char) (1u << (rnd() % 8));
					break;
				default:
					buf[pos] = (unsigned char) (rnd() % 70);
					break;
			}
		}
		if (rnd() % 8 == 0)
			len = (size_t) (rnd() % (len + 1));
		k = k < (int) (sizeof(qtypes) / sizeof(qtypes[0])) ? k : 0;
		run_fuzz_one(buf, len, qnames[k], qtypes[k], &insane);
	}
	CHECK(true, "fuzz: survived %d mutated valid packets", n);
	CHECK_INT(insane, 0, "fuzz: every outcome of mutated packets was consistent");
}

/* ---------------------------------------------------------------------
 * 6. ma_dns_builder_finish
 * ---------------------------------------------------------------------
 */

/* decode A records with the given TTLs into b */
static void
fill_builder(answer *a, const uint32_t *ttls, int n)
{
	pktb		p;
	char		ip[32];

	pb_header(&p, F_RESP, 1, (unsigned) n, 0, 0);
	pb_question(&p, "f.example", MA_T_A);
	for (int i = 0; i < n; i++)
	{
		snprintf(ip, sizeof(ip), "192.0.2.%d", i + 1);
		pb_a(&p, "f.example", ttls[i], ip);
	}
	parse_pkt(a, &p, "f.example", MA_T_A);
}

static void
test_builder_finish(void)
{
	answer		a;
	ma_dns_builder b;
	ma_dns_result *r;
	static const uint32_t t3[] = {300, 100, 200};
	static const uint32_t tbig[] = {100000, 90000};
	static const uint32_t tcap[] = {86400};

	fill_builder(&a, t3, 3);
	r = ma_dns_builder_finish(&a.b, MA_DNS_OK, NULL);
	CHECK(r != NULL, "finish: OK result made");
	if (r)
	{
		CHECK_INT(r->ttl, 100, "finish: OK TTL is the minimum (300, 100, 200)");
		CHECK_INT(r->refcnt, 1, "finish: one reference");
		CHECK_INT(r->nrr, 3, "finish: three records");
		CHECK(r->size >= sizeof(ma_dns_result) + 3 * sizeof(ma_dns_rr) + 3 * (10 + 10),
			  "finish: size covers the records and their strings");
		CHECK((const char *) r->rr[2].name > (const char *) &r->rr[3] &&
			  r->rr[2].data + r->rr[2].datalen < (const char *) r + r->size,
			  "finish: strings live inside the one block");
		CHECK_STR(r->rr[2].data, "192.0.2.3", "finish: strings copied");
		CHECK(r->detail == NULL && r->status == MA_DNS_OK, "finish: status and detail");
	}
	/* the builder still owns its copy: the result must not share it */
	ma_dns_builder_free(&a.b);
	CHECK(r && strcmp(r->rr[0].name, "f.example") == 0,
		  "finish: the result is independent of the builder");
	ma_dns_result_release(r);

	ma_dns_builder_init(&b);
	r = ma_dns_builder_finish(&b, MA_DNS_OK, NULL);
	CHECK(r && r->ttl == 0 && r->nrr == 0, "finish: OK without records is not cacheable");
	ma_dns_result_release(r);

	ma_dns_builder_init(&b);
	b.neg_ttl = 500;
	r = ma_dns_builder_finish(&b, MA_DNS_NXDOMAIN, NULL);
	CHECK(r && r->ttl == 500, "finish: NXDOMAIN uses neg_ttl");
	ma_dns_result_release(r);

	ma_dns_builder_init(&b);
	b.neg_ttl = 700;
	r = ma_dns_builder_finish(&b, MA_DNS_NODATA, NULL);
	CHECK(r && r->ttl == 700, "finish: NODATA uses neg_ttl");
	ma_dns_result_release(r);

	ma_dns_builder_init(&b);
	r = ma_dns_builder_finish(&b, MA_DNS_NXDOMAIN, NULL);
	CHECK(r && r->ttl == 0, "finish: NXDOMAIN without SOA has TTL 0");
	ma_dns_result_release(r);

	fill_builder(&a, t3, 3);
	a.b.neg_ttl = 1000;
	r = ma_dns_builder_finish(&a.b, MA_DNS_NODATA, NULL);
	CHECK(r && r->ttl == 100, "finish: NODATA with records of TTL 100 and neg_ttl 1000 gives 100");
	ma_dns_result_release(r);
	ma_dns_builder_free(&a.b);

	fill_builder(&a, t3, 3);
	a.b.neg_ttl = 50;
	r = ma_dns_builder_finish(&a.b, MA_DNS_NXDOMAIN, NULL);
	CHECK(r && r->ttl == 50, "finish: NXDOMAIN with records of TTL 100 and neg_ttl 50 gives 50");
	ma_dns_result_release(r);
	ma_dns_builder_free(&a.b);

	fill_builder(&a, tbig, 2);
	r = ma_dns_builder_finish(&a.b, MA_DNS_OK, NULL);
	CHECK(r && r->ttl == MA_DNS_MAX_TTL, "finish: OK TTL 90000 capped at %d", MA_DNS_MAX_TTL);
	ma_dns_result_release(r);
	ma_dns_builder_free(&a.b);

	fill_builder(&a, tcap, 1);
	r = ma_dns_builder_finish(&a.b, MA_DNS_OK, NULL);
	CHECK(r && r->ttl == MA_DNS_MAX_TTL, "finish: OK TTL of exactly %d kept", MA_DNS_MAX_TTL);
	ma_dns_result_release(r);
	ma_dns_builder_free(&a.b);

	ma_dns_builder_init(&b);
	b.neg_ttl = 200000;
	r = ma_dns_builder_finish(&b, MA_DNS_NXDOMAIN, NULL);
	CHECK(r && r->ttl == MA_DNS_MAX_TTL, "finish: NXDOMAIN neg_ttl 200000 capped");
	ma_dns_result_release(r);

	fill_builder(&a, t3, 3);
	r = ma_dns_builder_finish(&a.b, MA_DNS_SERVFAIL, "CNAME loop");
	CHECK(r && r->ttl == 0 && r->nrr == 3 && r->detail && strcmp(r->detail, "CNAME loop") == 0,
		  "finish: SERVFAIL has TTL 0 and keeps its detail");
	ma_dns_result_release(r);
	ma_dns_builder_free(&a.b);

	ma_dns_builder_init(&b);
	b.neg_ttl = 300;
	r = ma_dns_builder_finish(&b, MA_DNS_TIMEOUT, NULL);
	CHECK(r && r->ttl == 0, "finish: TIMEOUT has TTL 0 even with neg_ttl");
	ma_dns_result_release(r);

	r = ma_dns_result_status(MA_DNS_REFUSED, "refused!");
	CHECK(r && r->refcnt == 1 && r->status == MA_DNS_REFUSED && r->ttl == 0 && r->nrr == 0 &&
		  r->size == sizeof(ma_dns_result) && strcmp(r->detail, "refused!") == 0,
		  "result_status: fields");
	CHECK(ma_dns_result_ref(r) == r && r->refcnt == 2, "result_ref: counts");
	ma_dns_result_release(r);
	CHECK_INT(r->refcnt, 1, "result_release: counts down");
	ma_dns_result_release(r);
	CHECK(ma_dns_result_ref(NULL) == NULL, "result_ref(NULL) is NULL");
	ma_dns_result_release(NULL);
}

/* ---------------------------------------------------------------------
 * 7. the cache
 * ---------------------------------------------------------------------
 */
static ma_dns_result *
mkres(ma_dns_status st, uint32_t ttl, int64_t stored_ms)
{
	ma_dns_result *r = ma_dns_result_status(st, NULL);

	if (!r)
		exit(2);
	r->ttl = ttl;
	r->stored_ms = stored_ms;
	return r;
}

/* is (name, A) in the cache at now?  (a hit refreshes it) */
static bool
cached(ma_dns_cache *c, const char *name, int64_t now)
{
	ma_dns_result *r = ma_dns_cache_get(c, name, MA_T_A, now);

	ma_dns_result_release(r);
	return r != NULL;
}

static void
test_cache(void)
{
	ma_dns_cache *c;
	ma_dns_cache_stats s;
	ma_dns_result *r,
			   *r2,
			   *g,
			   *rs[6];
	int64_t		B;
	answer		a;
	static const uint32_t t3[] = {300, 100, 200};
	static const uint32_t t8[] = {60, 60, 60, 60, 60, 60, 60, 60};
	static const ma_dns_status never[] = {MA_DNS_SERVFAIL, MA_DNS_TIMEOUT, MA_DNS_REFUSED,
	MA_DNS_FORMERR, MA_DNS_ERROR};

	/* hits, misses, expiry */
	c = ma_dns_cache_new(100, 1 << 20);
	CHECK(c != NULL, "cache: created");
	g = ma_dns_cache_get(c, "a.example", MA_T_A, 0);
	ma_dns_cache_get_stats(c, &s);
	CHECK(g == NULL && s.misses == 1 && s.hits == 0 && s.entries == 0, "cache: empty cache misses");

	r = mkres(MA_DNS_OK, 60, 1000);
	ma_dns_cache_put(c, "a.example", MA_T_A, r, 1000);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 1 && s.inserts == 1 && s.bytes > 0, "cache: put stores an entry");
	CHECK_INT(r->refcnt, 2, "cache: put takes its own reference");
	g = ma_dns_cache_get(c, "a.example", MA_T_A, 1000);
	CHECK(g == r, "cache: get returns the stored result");
	CHECK_INT(r->refcnt, 3, "cache: get returns a new reference");
	ma_dns_result_release(g);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.hits == 1 && s.misses == 1, "cache: one hit counted");

	CHECK(ma_dns_cache_get(c, "a.example", MA_T_AAAA, 1000) == NULL, "cache: other type misses");
	CHECK(ma_dns_cache_get(c, "b.example", MA_T_A, 1000) == NULL, "cache: other name misses");
	CHECK(ma_dns_cache_get(c, "a.example.", MA_T_A, 1000) == NULL,
		  "cache: names are compared as given (normalised by the caller)");
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.hits == 1 && s.misses == 4, "cache: three more misses counted");

	g = ma_dns_cache_get(c, "a.example", MA_T_A, 1000 + 60 * 1000 - 1);
	CHECK(g == r, "cache: hit 1 ms before stored_ms + ttl*1000");
	ma_dns_result_release(g);
	g = ma_dns_cache_get(c, "a.example", MA_T_A, 1000 + 60 * 1000);
	ma_dns_cache_get_stats(c, &s);
	CHECK(g == NULL, "cache: miss at stored_ms + ttl*1000");
	CHECK(s.expired == 1 && s.entries == 0 && s.bytes == 0 && s.misses == 5,
		  "cache: the expired entry is dropped and counted as expired and miss");
	CHECK_INT(r->refcnt, 1, "cache: the expired entry's reference is released");
	CHECK(ma_dns_cache_get(c, "a.example", MA_T_A, 0) == NULL,
		  "cache: an expired entry does not come back for an earlier clock");

	/* expiry counts from stored_ms, not from the time of put */
	r->stored_ms = 0;
	r->ttl = 10;
	ma_dns_cache_put(c, "a.example", MA_T_A, r, 9000);
	CHECK(cached(c, "a.example", 9999), "cache: stored at 0 with TTL 10, put at 9000: hit at 9999");
	CHECK(!cached(c, "a.example", 10000), "cache: ... and expired at 10000");
	ma_dns_result_release(r);

	/* what is never cached */
	ma_dns_cache_clear(c, true);
	r = mkres(MA_DNS_OK, 0, 0);
	ma_dns_cache_put(c, "zero.example", MA_T_A, r, 0);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 0 && s.inserts == 0 && r->refcnt == 1, "cache: TTL 0 is not cached");
	ma_dns_result_release(r);
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
	{
		r = mkres(never[i], 60, 0);
		ma_dns_cache_put(c, "fail.example", MA_T_A, r, 0);
		ma_dns_cache_get_stats(c, &s);
		CHECK(s.entries == 0 && r->refcnt == 1 && !cached(c, "fail.example", 1),
			  "cache: status %s with TTL 60 is not cached", ma_dns_status_name(never[i]));
		ma_dns_result_release(r);
	}
	ma_dns_cache_put(c, "null.example", MA_T_A, NULL, 0);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 0, "cache: put of NULL is ignored");

	r = mkres(MA_DNS_NXDOMAIN, 30, 0);
	ma_dns_cache_put(c, "nx.example", MA_T_A, r, 0);
	r2 = mkres(MA_DNS_NODATA, 30, 0);
	ma_dns_cache_put(c, "nd.example", MA_T_A, r2, 0);
	g = ma_dns_cache_get(c, "nx.example", MA_T_A, 1);
	CHECK(g == r && g->status == MA_DNS_NXDOMAIN, "cache: NXDOMAIN is cached");
	ma_dns_result_release(g);
	g = ma_dns_cache_get(c, "nd.example", MA_T_A, 1);
	CHECK(g == r2 && g->status == MA_DNS_NODATA, "cache: NODATA is cached");
	ma_dns_result_release(g);

	/* put replaces */
	ma_dns_cache_put(c, "nx.example", MA_T_A, r2, 0);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 2 && r->refcnt == 1 && r2->refcnt == 3,
		  "cache: put on an existing key replaces the entry and releases the old result");
	g = ma_dns_cache_get(c, "nx.example", MA_T_A, 1);
	CHECK(g == r2, "cache: the replacement is returned");
	ma_dns_result_release(g);
	ma_dns_result_release(r);
	ma_dns_result_release(r2);

	/* clear, with and without resetting the statistics */
	ma_dns_cache_clear(c, false);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 0 && s.bytes == 0 && s.hits > 0 && s.inserts > 0,
		  "cache: clear(false) empties but keeps the counters");
	CHECK(!cached(c, "nd.example", 1), "cache: cleared entries are gone");
	ma_dns_cache_clear(c, true);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 0 && s.bytes == 0 && s.hits == 0 && s.misses == 0 && s.inserts == 0 &&
		  s.expired == 0 && s.evictions == 0 && s.max_entries == 100,
		  "cache: clear(true) resets the counters, max_entries still reported");

	/* a result from the cache survives clear until released */
	fill_builder(&a, t3, 3);
	r = finish_answer(&a);
	r->stored_ms = 0;
	ma_dns_cache_put(c, "f.example", MA_T_A, r, 0);
	ma_dns_result_release(r);
	g = ma_dns_cache_get(c, "f.example", MA_T_A, 5);
	CHECK(g && g->refcnt == 2, "cache: refcount 2 while cached and held");
	ma_dns_cache_clear(c, true);
	CHECK(g && g->refcnt == 1, "cache: clear drops the cache's reference only");
	CHECK(g && g->nrr == 3 && strcmp(g->rr[1].data, "192.0.2.2") == 0 &&
		  strcmp(g->rr[1].name, "f.example") == 0,
		  "cache: a held result is intact after clear");
	ma_dns_result_release(g);

	/* the same for cache_free */
	r = mkres(MA_DNS_OK, 60, 0);
	ma_dns_cache_put(c, "held.example", MA_T_A, r, 0);
	ma_dns_cache_free(c);
	CHECK_INT(r->refcnt, 1, "cache: cache_free drops its references");
	ma_dns_result_release(r);

	/* LRU by entries: a get refreshes */
	c = ma_dns_cache_new(3, 1 << 20);
	for (int i = 1; i <= 5; i++)
		rs[i] = mkres(MA_DNS_OK, 60, 0);
	ma_dns_cache_put(c, "k1", MA_T_A, rs[1], 0);
	ma_dns_cache_put(c, "k2", MA_T_A, rs[2], 0);
	ma_dns_cache_put(c, "k3", MA_T_A, rs[3], 0);
	CHECK(cached(c, "k1", 10), "LRU: k1 cached (and now most recently used)");
	ma_dns_cache_put(c, "k4", MA_T_A, rs[4], 0);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 3 && s.evictions == 1, "LRU: a fourth entry evicts one");
	CHECK(!cached(c, "k2", 10), "LRU: k2, least recently used, went first");
	CHECK_INT(rs[2]->refcnt, 1, "LRU: the evicted result was released");
	CHECK(cached(c, "k1", 10), "LRU: k1, refreshed by a get, stayed");
	CHECK(cached(c, "k3", 10), "LRU: k3 stayed");
	CHECK(cached(c, "k4", 10), "LRU: k4 stayed");
	/* now k1 is the least recently used */
	ma_dns_cache_put(c, "k5", MA_T_A, rs[5], 0);
	CHECK(!cached(c, "k1", 10), "LRU: after gets of k1, k3, k4 the next eviction is k1");
	CHECK(cached(c, "k3", 10) && cached(c, "k4", 10) && cached(c, "k5", 10),
		  "LRU: k3, k4, k5 remain");
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 3 && s.evictions == 2 && s.max_entries == 3, "LRU: counters");
	ma_dns_cache_set_limits(c, 1, 1 << 20);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 1 && cached(c, "k5", 10) && !cached(c, "k4", 10),
		  "LRU: lowering the limit to 1 keeps only the most recently used");
	ma_dns_cache_set_limits(c, 0, 1 << 20);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 0, "LRU: a limit of 0 empties the cache");
	ma_dns_cache_put(c, "k1", MA_T_A, rs[1], 0);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 0 && rs[1]->refcnt == 1, "LRU: with max_entries 0 nothing is stored");
	ma_dns_cache_free(c);
	for (int i = 1; i <= 5; i++)
	{
		CHECK_INT(rs[i]->refcnt, 1, "LRU: k%d held by the test only", i);
		ma_dns_result_release(rs[i]);
	}

	/* LRU by bytes */
	c = ma_dns_cache_new(100, (size_t) 1 << 30);
	for (int i = 1; i <= 3; i++)
		rs[i] = mkres(MA_DNS_OK, 60, 0);
	ma_dns_cache_put(c, "b1.example", MA_T_A, rs[1], 0);
	ma_dns_cache_get_stats(c, &s);
	B = s.bytes;
	CHECK(B >= (int64_t) sizeof(ma_dns_result) + 11, "bytes: an entry counts at least its result and name");
	ma_dns_cache_set_limits(c, 100, (size_t) (2 * B));
	ma_dns_cache_put(c, "b2.example", MA_T_A, rs[2], 0);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 2 && s.bytes == 2 * B, "bytes: two entries fit in 2 x %lld bytes", (long long) B);
	CHECK(cached(c, "b1.example", 1), "bytes: b1 used again");
	ma_dns_cache_put(c, "b3.example", MA_T_A, rs[3], 0);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.entries == 2 && s.bytes == 2 * B && s.evictions == 1,
		  "bytes: the third entry evicts one");
	CHECK(!cached(c, "b2.example", 1), "bytes: b2, least recently used, went first");
	CHECK(cached(c, "b1.example", 1) && cached(c, "b3.example", 1), "bytes: b1 and b3 remain");
	fill_builder(&a, t8, 8);
	r = finish_answer(&a);
	r->stored_ms = 0;
	CHECK((int64_t) r->size > 2 * B, "bytes: a result larger than the byte limit");
	ma_dns_cache_put(c, "big.example", MA_T_A, r, 0);
	ma_dns_cache_get_stats(c, &s);
	CHECK(s.bytes <= 2 * B && !cached(c, "big.example", 1) && r->refcnt == 1,
		  "bytes: an entry larger than the limit is not kept");
	ma_dns_result_release(r);
	ma_dns_cache_free(c);
	for (int i = 1; i <= 3; i++)
	{
		CHECK_INT(rs[i]->refcnt, 1, "bytes: b%d held by the test only", i);
		ma_dns_result_release(rs[i]);
	}

	/* many entries: the hash table grows, every entry stays reachable */
	{
		char		name[64];
		int			found = 0;

		c = ma_dns_cache_new(100000, (size_t) 1 << 30);
		r = mkres(MA_DNS_OK, 60, 0);
		for (int i = 0; i < 5000; i++)
		{
			snprintf(name, sizeof(name), "h%d.example", i);
			ma_dns_cache_put(c, name, (uint16_t) (i % 2 ? MA_T_A : MA_T_TXT), r, 0);
		}
		CHECK_INT(r->refcnt, 5001, "many: one result shared by 5000 entries");
		for (int i = 0; i < 5000; i++)
		{
			snprintf(name, sizeof(name), "h%d.example", i);
			g = ma_dns_cache_get(c, name, (uint16_t) (i % 2 ? MA_T_A : MA_T_TXT), 1);
			if (g == r)
				found++;
			ma_dns_result_release(g);
			g = ma_dns_cache_get(c, name, (uint16_t) (i % 2 ? MA_T_TXT : MA_T_A), 1);
			if (g)
				found = -100000;
			ma_dns_result_release(g);
		}
		CHECK_INT(found, 5000, "many: all 5000 entries found after the table grew");
		ma_dns_cache_get_stats(c, &s);
		CHECK(s.entries == 5000 && s.hits == 5000 && s.misses == 5000 && s.evictions == 0,
			  "many: counters");
		ma_dns_cache_free(c);
		CHECK_INT(r->refcnt, 1, "many: cache_free releases every entry");
		ma_dns_result_release(r);
	}
}

/* ---------------------------------------------------------------------
 * 8. server lists
 * ---------------------------------------------------------------------
 */
static void
test_servers(void)
{
	static const char *const good[] = {
		"", "127.0.0.1", "127.0.0.1:5353", "[::1]:53", "::1", "192.0.2.1, 192.0.2.2:53",
		"   ", "[2001:db8::1]", "127.0.0.1:65535", "127.0.0.1:1", " 10.0.0.1 ,[::1]:5353 "
	};
	static const char *const bad[] = {
		"127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:99999", "host.example", "[::1",
		"1.2.3.4:", ",", "1.2.3.4,,5.6.7.8", "1.2.3.4,", "[::1]:0", "[::1]x", "[::1]:",
		"[nonsense]:53", "1.2.3.4:53x", "1.2.3.4:-1", "1.2.3", "::g"
	};
	const char *msg;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	{
		msg = ma_dns_servers_check(good[i]);
		CHECK(msg == NULL, "servers: \"%s\" accepted%s%s", good[i], msg ? ": " : "",
			  msg ? msg : "");
	}
	CHECK(ma_dns_servers_check(NULL) == NULL, "servers: NULL accepted (resolv.conf)");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		msg = ma_dns_servers_check(bad[i]);
		CHECK(msg != NULL, "servers: \"%s\" rejected (%s)", bad[i], msg ? msg : "accepted");
	}
}

/* ---------------------------------------------------------------------
 * IDN, and the engine without the network
 * ---------------------------------------------------------------------
 */
static void
test_idn(void)
{
	char		out[MA_DNS_MAXNAME + 1];
	const char *msg;

	CHECK(ma_name_is_ascii("www.example"), "idn: ASCII name detected");
	CHECK(!ma_name_is_ascii("b\xc3\xbc" "cher.example"), "idn: UTF-8 name detected");
	msg = ma_idn_to_ascii("b\xc3\xbc" "cher.example", out, sizeof(out));
	CHECK(msg == NULL, "idn: buecher.example converted");
	CHECK_STR(msg ? "" : out, "xn--bcher-kva.example", "idn: A-label form");
	msg = ma_idn_to_ascii("b\xc3\xbc" "cher.example", out, 10);
	CHECK(msg != NULL, "idn: too small an output buffer is an error");
}

static void
test_engine_cached(void)
{
	ma_dns_config cfg;
	ma_dns_engine *e;
	ma_dns_engine_stats st;
	ma_dns_query q;
	ma_dns_result *r;
	char		errbuf[256];
	int			rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.servers = "127.0.0.1:0";
	cfg.timeout_ms = 1000;
	cfg.tries = 1;
	cfg.max_inflight = 4;
	cfg.cache_entries = 100;
	cfg.cache_bytes = 1 << 20;
	errbuf[0] = '\0';
	e = ma_dns_engine_new(&cfg, errbuf, sizeof(errbuf));
	CHECK(e == NULL && strstr(errbuf, "port") != NULL,
		  "engine: a bad server list is refused (%s)", errbuf);

	cfg.servers = "127.0.0.1:5353";
	e = ma_dns_engine_new(&cfg, errbuf, sizeof(errbuf));
	CHECK(e != NULL, "engine: created without sending anything");
	if (!e)
		return;
	cfg.servers = "[::1";
	CHECK(ma_dns_engine_reconfigure(e, &cfg, errbuf, sizeof(errbuf)) != NULL,
		  "engine: reconfigure refuses a bad server list");

	rc = ma_dns_run(e, NULL, 0, ma_dns_poll_wait, NULL);
	CHECK_INT(rc, MA_RUN_OK, "engine: running no queries is fine");

	r = mkres(MA_DNS_OK, 60, ma_now_ms() - 2500);
	ma_dns_cache_put(ma_dns_engine_cache(e), "cached.example", MA_T_A, r, ma_now_ms());
	ma_dns_query_init(&q, "cached.example", MA_T_A);
	rc = ma_dns_run(e, &q, 1, ma_dns_poll_wait, NULL);
	CHECK_INT(rc, MA_RUN_OK, "engine: a cached lookup runs");
	CHECK(q.result == r && q.from_cache, "engine: answered from the cache");
	CHECK(q.age_s >= 2 && q.age_s <= 3, "engine: age of the cached answer (%u s)", q.age_s);
	ma_dns_engine_get_stats(e, &st);
	CHECK(st.lookups == 1 && st.queries_sent == 0, "engine: nothing sent for a cached answer");
	ma_dns_query_clear(&q);
	ma_dns_result_release(r);
	ma_dns_engine_free(e);
}

/* ma_utf8_cut(): a character snprintf() cut in two is dropped whole */
static void
test_utf8_cut(void)
{
	static const char *const whole[] = {"abc", "b\xc3\xbc", "\xe0\xa4\x85", "\xf0\x9f\x98\x80", "", NULL};
	char		buf[64];

	for (int i = 0; whole[i]; i++)
	{
		snprintf(buf, sizeof(buf), "%s", whole[i]);
		ma_utf8_cut(buf);
		CHECK_STR(buf, whole[i], "utf8_cut: a whole string is left alone (%d)", i);
	}
	/* every prefix of "x" + a 2-, 3- and 4-byte character: valid after the cut */
	{
		const char *s = "x\xc3\xbc\xe0\xa4\x85\xf0\x9f\x98\x80";
		size_t		n = strlen(s);
		int			bad = 0;

		for (size_t k = 1; k <= n; k++)
		{
			snprintf(buf, k + 1, "%s", s);
			ma_utf8_cut(buf);
			if (ma_utf8_check((const unsigned char *) buf, strlen(buf)) < 0)
				bad++;
		}
		CHECK(bad == 0, "utf8_cut: every prefix of a mixed string is valid UTF-8 after the cut (%d not)", bad);
	}
	memcpy(buf, "ab\xe0\xa4", 5);	/* as snprintf(buf, 5, ...) leaves it */
	ma_utf8_cut(buf);
	CHECK_STR(buf, "ab", "utf8_cut: a 3-byte character cut after 2 bytes goes");
	snprintf(buf, sizeof(buf), "%s", "ab\xff\xfe");
	ma_utf8_cut(buf);
	CHECK_STR(buf, "ab\xff\xfe", "utf8_cut: bytes that start no character are not its business");
}

int
main(void)
{
	static pktb corpus[8];
	int			ncorpus = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);

	test_name_check();
	test_types();
	test_reverse();
	test_build_query();
	test_parse_records();
	test_parse_chain();
	test_parse_negative();
	test_parse_hostile(corpus, &ncorpus);
	test_fuzz(corpus, ncorpus);
	test_builder_finish();
	test_cache();
	test_servers();
	test_idn();
	test_utf8_cut();
	test_engine_cached();

	printf("1..%d\n", ntests);
	if (nfailed)
		printf("# Looks like you failed %d test%s of %d.\n", nfailed,
			   nfailed == 1 ? "" : "s", ntests);
	return nfailed ? 1 : 0;
}
