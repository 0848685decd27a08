/*-------------------------------------------------------------------------
 *
 * fuzz_dnswire.c
 *	  libFuzzer target: DNS answer decoding (ma_dnswire.c), every rrtype.
 *
 * Input:
 *	byte 0		the question type: an index into QTYPES below (mod its size)
 *	byte 1		bit 0: "framed" mode (see below); bits 1-2: the question
 *				name (QNAMES below)
 *	then		packets, each a 2-byte big-endian length and that many bytes
 *
 * The first packet answers the fixed question (QNAMES[i], qtype); when it
 * ends with a CNAME chain leaving the answer, the next packet answers the
 * chain's target, into the same builder (as ma_dns.c does across queries),
 * up to MA_DNS_MAX_CHAIN packets.  Raw mode: a packet is the whole DNS
 * message.  Framed mode: the target writes the header (flags and the
 * answer/authority/additional counts from the packet's first 8 bytes,
 * QDCOUNT 1) and the question itself, then the rest of the packet as the
 * record sections, so mutations go to the records.
 *
 * Also: names from the input through ma_dns_name_check(_any), a query built
 * for the checked name must decode (with QR set) as a NODATA answer to
 * itself, and ma_dns_reverse_name on input bytes.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

static const uint16_t QTYPES[] = {
	MA_T_A, MA_T_NS, MA_T_CNAME, MA_T_SOA, MA_T_PTR, MA_T_MX, MA_T_TXT,
	MA_T_AAAA, MA_T_SRV, MA_T_CAA, MA_T_OPT, 99 /* SPF */ , 255 /* ANY */
};
static const char *const QNAMES[] = {
	"www.example.com", "example.com", "2.0.0.192.in-addr.arpa", "sel._domainkey.dkim.test"
};

#define NQT (sizeof(QTYPES) / sizeof(QTYPES[0]))

/* header + question for name/qtype, then body; returns the length */
static size_t
frame(const char *name, uint16_t qtype, const uint8_t *pk, size_t pl, uint8_t *buf,
	  size_t cap)
{
	int			ql;
	size_t		o;

	/* ma_dns_build_query writes header + question (no OPT when udpsize 0) */
	ql = ma_dns_build_query(name, qtype, 0x1234, 0, buf, cap);
	if (ql < 0)
		return 0;
	o = (size_t) ql;
	buf[2] = 0x80 | (pl > 0 ? (pk[0] & 0x7f) : 0x01);	/* QR always set */
	buf[3] = pl > 1 ? pk[1] : 0x80;
	for (int i = 0; i < 6; i++)
		buf[6 + i] = pl > (size_t) (2 + i) ? pk[2 + i] : 0;
	if (pl > 8)
	{
		if (pl - 8 > cap - o)
			pl = cap - o + 8;
		memcpy(buf + o, pk + 8, pl - 8);
		o += pl - 8;
	}
	return o;
}

static void
check_result(const ma_dns_result *r)
{
	FZ_CHECK(r->refcnt == 1, "refcnt");
	FZ_CHECK(r->status >= MA_DNS_OK && r->status < MA_DNS_NSTATUS, "status");
	FZ_CHECK(r->ttl <= MA_DNS_MAX_TTL, "ttl %u", r->ttl);
	for (int i = 0; i < r->nrr; i++)
	{
		const ma_dns_rr *rr = &r->rr[i];

		FZ_CHECK(rr->name && rr->data, "rr %d", i);
		FZ_CHECK(rr->data[rr->datalen] == '\0', "data not terminated");
		if (rr->type != MA_T_TXT)
			FZ_CHECK(strlen(rr->data) == rr->datalen, "datalen");
		if (rr->type == MA_T_CNAME || rr->type == MA_T_MX || rr->type == MA_T_PTR ||
			rr->type == MA_T_NS || rr->type == MA_T_SRV)
			FZ_CHECK(rr->target != NULL, "no target for type %u", rr->type);
	}
}

/* the side checks on one chunk of the input used as text */
static void
names(const uint8_t *p, size_t n)
{
	char	   *s = fz_strndup(p, n > 400 ? 400 : n);
	char		out[MA_DNS_MAXNAME + 1];
	char		out2[MA_DNS_MAXNAME + 1];
	unsigned char q[600];
	char		rev[80];
	unsigned char addr[16] = {0};

	if (ma_dns_name_check_any(s, out2) == NULL)
		FZ_CHECK(strlen(out2) <= MA_DNS_MAXNAME, "long name");
	if (ma_dns_name_check(s, out) == NULL)
	{
		int			ql;

		FZ_CHECK(strlen(out) <= MA_DNS_MAXNAME, "long name");
		/* a strict name is a valid "any" name, normalised alike */
		FZ_CHECK(ma_dns_name_check_any(s, out2) == NULL && strcmp(out, out2) == 0,
				 "name_check and name_check_any disagree on \"%s\"", out);
		ql = ma_dns_build_query(out, MA_T_TXT, 7, 1232, q, sizeof(q));
		if (ql > 0)
		{
			ma_dns_builder b;
			ma_dns_status st = MA_DNS_ERROR;
			char		next[1100];
			const char *err = NULL;
			int			rc;

			/* our own query, turned into an empty answer, must decode */
			q[2] |= 0x80;
			ma_dns_builder_init(&b);
			rc = ma_dns_parse_answer(q, (size_t) ql, out, MA_T_TXT, &b, &st, next, &err);
			FZ_CHECK(rc == 0 && st == MA_DNS_NODATA && b.nrr == 0,
					 "own query for \"%s\" does not decode: rc %d st %d err %s",
					 out, rc, (int) st, err ? err : "-");
			ma_dns_builder_free(&b);
		}
	}
	memcpy(addr, p, n < 16 ? n : 16);
	ma_dns_reverse_name(AF_INET, addr, rev, sizeof(rev));
	ma_dns_reverse_name(AF_INET6, addr, rev, sizeof(rev));
	FZ_CHECK(strlen(rev) == 72, "ip6.arpa name length %zu", strlen(rev));
	(void) ma_dns_type_from_name(s);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t	qtype;
	bool		framed;
	const char *qname;
	char		cur[MA_DNS_MAXNAME + 2];
	size_t		pos = 2;
	ma_dns_builder b;
	ma_dns_status st = MA_DNS_ERROR;
	const char *err = NULL;
	int			rc = 0;
	ma_dns_result *r;
	static uint8_t fbuf[65536 + 600];

	if (size < 2)
		return 0;
	qtype = QTYPES[data[0] % NQT];
	framed = data[1] & 1;
	qname = QNAMES[(data[1] >> 1) & 3];
	snprintf(cur, sizeof(cur), "%s", qname);
	ma_dns_builder_init(&b);
	for (int hop = 0; hop <= MA_DNS_MAX_CHAIN && pos + 2 <= size; hop++)
	{
		size_t		pl = ((size_t) data[pos] << 8) | data[pos + 1];
		const uint8_t *pk;
		uint8_t    *copy;
		size_t		cl;
		char		next[1100];
		char		norm[MA_DNS_MAXNAME + 2];

		pos += 2;
		if (pl > size - pos)
			pl = size - pos;
		pk = data + pos;
		pos += pl;
		if (hop == 0)
			names(pk, pl);
		if (framed)
		{
			cl = frame(cur, qtype, pk, pl, fbuf, sizeof(fbuf));
			if (cl == 0)
				break;
		}
		else
		{
			memcpy(fbuf, pk, pl);
			cl = pl;
		}
		/* an exact-size copy, so ASan sees every read past the end */
		copy = malloc(cl ? cl : 1);
		memcpy(copy, fbuf, cl);
		next[0] = 'x';
		rc = ma_dns_parse_answer(copy, cl, cur, qtype, &b, &st, next, &err);
		free(copy);
		FZ_CHECK(rc >= -1 && rc <= 1, "rc %d", rc);
		if (rc == -1)
			FZ_CHECK(err != NULL, "malformed without a message");
		if (rc != 1)
			break;
		FZ_CHECK(next[0] != '\0' && strlen(next) < sizeof(next), "rc 1 without a name");
		/* what ma_dns.c does with the target */
		if (strlen(next) > MA_DNS_MAXNAME + 1 || ma_dns_name_check(next, norm) != NULL)
			break;
		strcpy(cur, norm);
	}
	r = ma_dns_builder_finish(&b, rc < 0 ? MA_DNS_ERROR : st, err);
	if (r)
	{
		check_result(r);
		ma_dns_result_release(r);
	}
	ma_dns_builder_free(&b);
	return 0;
}
