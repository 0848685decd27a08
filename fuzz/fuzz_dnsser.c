/*-------------------------------------------------------------------------
 *
 * fuzz_dnsser.c
 *	  libFuzzer target: the flat byte form of DNS results (ma_dnsser.c),
 *	  what the shared cache stores in shared memory.
 *
 * Input: byte 0 chooses the mode.
 *	even	raw: the rest is handed to ma_dns_result_deserialize() as is;
 *	odd		built: the rest describes a result (status, ttl, then records:
 *			type, flags, and lengths taken from the input, strings from
 *			the input), which is serialized; bytes after a 0xFF marker are
 *			(position, xor) pairs applied to the serialized form before
 *			decoding, so mutations reach deep into valid encodings.
 *
 * Checked: a decoded result is self-consistent (every pointer inside its
 * block, every string terminated, the status in range, the TTL within the
 * cap) and serializes back to exactly the bytes it came from (the format
 * is canonical); an unmodified built result round-trips field by field.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

static bool
inside(const ma_dns_result *r, const char *p, size_t len)
{
	const char *b = (const char *) r;

	return p >= b && p + len < b + r->size && p[len] == '\0';
}

static void
check_decoded(const ma_dns_result *r, const unsigned char *bytes, size_t len)
{
	unsigned char *again;
	size_t		n;

	FZ_CHECK(r->refcnt == 1 && r->nrr >= 0 && r->status < MA_DNS_NSTATUS, "header");
	FZ_CHECK(r->ttl <= MA_DNS_MAX_TTL, "ttl %u", r->ttl);
	FZ_CHECK(r->detail == NULL || inside(r, r->detail, strlen(r->detail)), "detail");
	for (int i = 0; i < r->nrr; i++)
	{
		const ma_dns_rr *rr = &r->rr[i];

		FZ_CHECK(rr->type != 0, "type 0");
		FZ_CHECK(inside(r, rr->name, strlen(rr->name)), "name %d", i);
		FZ_CHECK(inside(r, rr->data, rr->datalen), "data %d", i);
		FZ_CHECK(rr->target == NULL || inside(r, rr->target, strlen(rr->target)), "target %d", i);
	}
	n = ma_dns_result_serialized_size(r);
	FZ_CHECK(n == len, "size %zu != %zu", n, len);
	again = malloc(n ? n : 1);
	FZ_CHECK(again != NULL, "oom");
	FZ_CHECK(ma_dns_result_serialize(r, again, n) == n, "serialize");
	FZ_CHECK(memcmp(again, bytes, n) == 0, "not canonical");
	free(again);
}

static void
decode(const unsigned char *bytes, size_t len)
{
	const char *err = NULL;
	ma_dns_result *r = ma_dns_result_deserialize(bytes, len, &err);

	if (r)
	{
		check_decoded(r, bytes, len);
		ma_dns_result_release(r);
	}
	else
		FZ_CHECK(err != NULL, "rejected without a reason");
}

/* a result from the input: up to 16 records */
static ma_dns_result *
build(const uint8_t *d, size_t n, size_t *used)
{
	size_t		o = 0,
				size;
	int			nrr;
	ma_dns_result *r;
	char	   *p;
	const uint8_t *recs;
	size_t		recs_len;

	if (n < 4)
		return NULL;
	nrr = d[2] % 17;
	recs = d + 4;
	recs_len = n - 4;
	/* first pass: sizes (each record: type, pref, flag, name len, data len, target len) */
	size = sizeof(ma_dns_result) + (size_t) nrr * sizeof(ma_dns_rr) + 64;
	o = 0;
	for (int i = 0; i < nrr; i++)
	{
		size_t		nl,
					dl,
					tl;

		if (o + 6 > recs_len)
			return NULL;
		nl = recs[o + 3] % 64;
		dl = recs[o + 4];
		tl = recs[o + 5] % 64;
		size += nl + 1 + dl + 1 + tl + 1;
		o += 6;
	}
	r = calloc(1, size);
	if (!r)
		return NULL;
	r->refcnt = 1;
	r->status = (ma_dns_status) (d[0] % MA_DNS_NSTATUS);
	r->ttl = ((uint32_t) d[1] * 347) % (MA_DNS_MAX_TTL + 1);
	r->stored_ms = (int64_t) d[3] * 1000003 - 5;
	r->wire_size = d[3];
	r->detail = (d[0] & 0x80) ? "a detail" : NULL;
	r->size = size;
	r->nrr = nrr;
	p = (char *) &r->rr[nrr];
	o = 0;
	{
		size_t		s = (size_t) nrr * 6;	/* strings come after the record table */

		for (int i = 0; i < nrr; i++, o += 6)
		{
			ma_dns_rr  *rr = &r->rr[i];
			size_t		nl = recs[o + 3] % 64,
						dl = recs[o + 4],
						tl = recs[o + 5] % 64;

			rr->type = (uint16_t) (recs[o] | 1);
			rr->pref = recs[o + 1];
			rr->ttl = (uint32_t) recs[o + 2] << 20;
			for (size_t k = 0; k < nl; k++)
				p[k] = (char) ((s + k < recs_len && recs[s + k]) ? recs[s + k] : 'a');
			p[nl] = '\0';
			rr->name = p;
			p += nl + 1;
			s += nl;
			for (size_t k = 0; k < dl; k++)
				p[k] = (char) (s + k < recs_len ? recs[s + k] : 0);
			p[dl] = '\0';
			rr->data = p;
			rr->datalen = dl;
			p += dl + 1;
			s += dl;
			if (recs[o + 1] & 1)
			{
				for (size_t k = 0; k < tl; k++)
					p[k] = (char) ((s + k < recs_len && recs[s + k]) ? recs[s + k] : 'b');
				p[tl] = '\0';
				rr->target = p;
				p += tl + 1;
				s += tl;
			}
		}
		*used = 4 + (s < recs_len ? s : recs_len);
	}
	return r;
}

static bool
same(const ma_dns_result *a, const ma_dns_result *b)
{
	if (a->status != b->status || a->ttl != b->ttl || a->stored_ms != b->stored_ms ||
		a->wire_size != b->wire_size || a->nrr != b->nrr ||
		(a->detail == NULL) != (b->detail == NULL) ||
		(a->detail && strcmp(a->detail, b->detail) != 0))
		return false;
	for (int i = 0; i < a->nrr; i++)
	{
		const ma_dns_rr *x = &a->rr[i],
				   *y = &b->rr[i];

		if (x->type != y->type || x->ttl != y->ttl || x->pref != y->pref ||
			x->datalen != y->datalen || strcmp(x->name, y->name) != 0 ||
			memcmp(x->data, y->data, x->datalen) != 0 ||
			(x->target == NULL) != (y->target == NULL) ||
			(x->target && strcmp(x->target, y->target) != 0))
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ma_dns_result *r,
			   *back;
	unsigned char *bytes;
	size_t		used = 0,
				len;

	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0)
	{
		decode(data + 1, size - 1);
		return 0;
	}
	r = build(data + 1, size - 1, &used);
	if (!r)
		return 0;
	len = ma_dns_result_serialized_size(r);
	FZ_CHECK(len > 0, "a built result cannot be serialized");
	bytes = malloc(len);
	FZ_CHECK(bytes != NULL, "oom");
	FZ_CHECK(ma_dns_result_serialize(r, bytes, len) == len, "serialize");
	FZ_CHECK(ma_dns_result_serialize(r, bytes, len - 1) == 0, "serialize into a short buffer");
	back = ma_dns_result_deserialize(bytes, len, NULL);
	FZ_CHECK(back != NULL && same(r, back), "round trip");
	ma_dns_result_release(back);
	/* every prefix of a valid encoding is rejected */
	for (size_t l = 0; l < len; l += 1 + l / 8)
	{
		ma_dns_result *t = ma_dns_result_deserialize(bytes, l, NULL);

		FZ_CHECK(t == NULL, "a prefix of %zu of %zu bytes decoded", l, len);
	}
	/* mutations: (position, xor) pairs after a 0xFF marker */
	{
		const uint8_t *m = memchr(data + 1 + used, 0xFF, size - 1 - used);

		if (m)
		{
			for (m++; m + 1 < data + size; m += 2)
				bytes[m[0] * 7 % len] ^= m[1];
			decode(bytes, len);
		}
	}
	free(bytes);
	ma_dns_result_release(r);
	return 0;
}
