/*-------------------------------------------------------------------------
 *
 * ma_dnsser.c
 *	  A DNS result (ma_dns_result) as a flat byte string, and back.
 *
 * The shared cache of the PostgreSQL glue (src/pg_shcache.c) keeps answers
 * in shared memory, where pointers mean nothing to another process: a
 * result is stored as offsets and lengths into one byte string, and each
 * reader turns it back into its own malloc()ed block.
 *
 * The byte string is the only thing another process wrote, so the reader
 * trusts nothing in it: every count, offset and length is checked against
 * the bytes actually given before anything is copied, sizes are computed
 * without overflow, and a string that must not hold NUL bytes (names,
 * targets, the detail) is refused when it does.  Integers are little-endian
 * and unaligned, so the encoding does not depend on where it is stored.
 *
 * Layout (version 1):
 *
 *	header, 32 bytes:
 *		0	magic "MaD1"
 *		4	u8	status (an ma_dns_status)
 *		5	u8	flags (bit 0: a detail text follows)
 *		6	u16 number of records
 *		8	u32 ttl (the result's cache lifetime, <= MA_DNS_MAX_TTL)
 *		12	u32 wire_size
 *		16	i64 stored_ms
 *		24	u32 detail offset (into the string area)
 *		28	u32 detail length
 *	records, 28 bytes each:
 *		0	u16 type	2 u16 pref	4 u32 ttl
 *		8	u32 name offset		12 u16 name length	14 u16 target length
 *		16	u32 data offset		20 u32 data length	24 u32 target offset
 *			(target offset 0xFFFFFFFF: no target)
 *	string area: every string, without terminating NULs, in this order:
 *		the detail, then per record its name, data and target; no gaps,
 *		no overlaps, nothing after the last (the reader insists, so the
 *		block it allocates is bounded by the input's size).
 *
 *-------------------------------------------------------------------------
 */
#include "ma_dns.h"

#include <stdlib.h>
#include <string.h>

#define SER_MAGIC		"MaD1"
#define SER_HDR			32
#define SER_RR			28
#define SER_NO_TARGET	0xFFFFFFFFu
#define SER_F_DETAIL	0x01

static void
put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char) v;
	p[1] = (unsigned char) (v >> 8);
}

static void
put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char) (v >> (8 * i));
}

static void
put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char) (v >> (8 * i));
}

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) |
		((uint32_t) p[3] << 24);
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t	v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/*
 * Bytes ma_dns_result_serialize() needs for r, or 0 when r cannot be
 * represented (more than 65535 records, a name or target longer than 65535
 * bytes, or a total past 4 GB: none of which a DNS answer produces).
 */
size_t
ma_dns_result_serialized_size(const ma_dns_result *r)
{
	uint64_t	n;

	if (r == NULL || r->nrr < 0 || r->nrr > 0xFFFF)
		return 0;
	n = SER_HDR + (uint64_t) r->nrr * SER_RR;
	if (r->detail)
		n += strlen(r->detail);
	for (int i = 0; i < r->nrr; i++)
	{
		const ma_dns_rr *rr = &r->rr[i];
		size_t		nl = strlen(rr->name),
					tl = rr->target ? strlen(rr->target) : 0;

		if (nl > 0xFFFF || tl > 0xFFFF || rr->datalen > 0xFFFFFFFFu)
			return 0;
		n += nl + tl + rr->datalen;
	}
	if (n > 0xFFFFFFF0u)
		return 0;
	return (size_t) n;
}

/*
 * Write r into buf.  Returns the bytes written, or 0 when r cannot be
 * represented or does not fit in buflen (nothing useful is left in buf).
 */
size_t
ma_dns_result_serialize(const ma_dns_result *r, unsigned char *buf, size_t buflen)
{
	size_t		need = ma_dns_result_serialized_size(r);
	unsigned char *rp,
			   *sp;
	uint32_t	off = 0;

	if (need == 0 || need > buflen)
		return 0;
	memcpy(buf, SER_MAGIC, 4);
	buf[4] = (unsigned char) r->status;
	buf[5] = r->detail ? SER_F_DETAIL : 0;
	put16(buf + 6, (uint16_t) r->nrr);
	put32(buf + 8, r->ttl);
	put32(buf + 12, r->wire_size);
	put64(buf + 16, (uint64_t) r->stored_ms);
	rp = buf + SER_HDR;
	sp = rp + (size_t) r->nrr * SER_RR;
	if (r->detail)
	{
		size_t		dl = strlen(r->detail);

		put32(buf + 24, off);
		put32(buf + 28, (uint32_t) dl);
		memcpy(sp + off, r->detail, dl);
		off += (uint32_t) dl;
	}
	else
	{
		put32(buf + 24, 0);
		put32(buf + 28, 0);
	}
	for (int i = 0; i < r->nrr; i++, rp += SER_RR)
	{
		const ma_dns_rr *rr = &r->rr[i];
		size_t		nl = strlen(rr->name);

		put16(rp, rr->type);
		put16(rp + 2, rr->pref);
		put32(rp + 4, rr->ttl);
		put32(rp + 8, off);
		put16(rp + 12, (uint16_t) nl);
		memcpy(sp + off, rr->name, nl);
		off += (uint32_t) nl;
		put32(rp + 16, off);
		put32(rp + 20, (uint32_t) rr->datalen);
		memcpy(sp + off, rr->data, rr->datalen);
		off += (uint32_t) rr->datalen;
		if (rr->target)
		{
			size_t		tl = strlen(rr->target);

			put32(rp + 24, off);
			put16(rp + 14, (uint16_t) tl);
			memcpy(sp + off, rr->target, tl);
			off += (uint32_t) tl;
		}
		else
		{
			put32(rp + 24, SER_NO_TARGET);
			put16(rp + 14, 0);
		}
	}
	return need;
}

/*
 * The string at [off, off + len) must start at the cursor *cur (strings are
 * laid out in order, without gaps or overlaps: so the block we allocate is
 * bounded by the input's size) and end inside the area of alen bytes.
 */
static bool
take(uint32_t off, uint32_t len, size_t alen, uint64_t *cur)
{
	if (off != *cur || (uint64_t) off + len > (uint64_t) alen)
		return false;
	*cur += len;
	return true;
}

/*
 * Turn bytes written by ma_dns_result_serialize() back into a result (one
 * malloc()ed block, refcount 1).  Returns NULL with *errmsg set (a static
 * text) when the bytes are not a valid serialized result, or on out of
 * memory.  Never reads outside buf[0..len).
 */
ma_dns_result *
ma_dns_result_deserialize(const unsigned char *buf, size_t len, const char **errmsg)
{
	const char *dummy;
	unsigned	status,
				flags,
				nrr;
	uint32_t	ttl,
				doff,
				dlen;
	const unsigned char *rp,
			   *sp;
	size_t		slen;
	uint64_t	size,
				cur = 0;
	ma_dns_result *r;
	char	   *p;

	if (errmsg == NULL)
		errmsg = &dummy;
	*errmsg = NULL;
	if (buf == NULL || len < SER_HDR)
	{
		*errmsg = "truncated header";
		return NULL;
	}
	if (memcmp(buf, SER_MAGIC, 4) != 0)
	{
		*errmsg = "bad magic";
		return NULL;
	}
	status = buf[4];
	flags = buf[5];
	nrr = get16(buf + 6);
	ttl = get32(buf + 8);
	doff = get32(buf + 24);
	dlen = get32(buf + 28);
	if (status >= MA_DNS_NSTATUS)
	{
		*errmsg = "bad status";
		return NULL;
	}
	if ((flags & ~SER_F_DETAIL) != 0)
	{
		*errmsg = "unknown flags";
		return NULL;
	}
	if (ttl > MA_DNS_MAX_TTL)
	{
		*errmsg = "ttl out of range";
		return NULL;
	}
	if ((uint64_t) SER_HDR + (uint64_t) nrr * SER_RR > len)
	{
		*errmsg = "truncated record table";
		return NULL;
	}
	rp = buf + SER_HDR;
	sp = rp + (size_t) nrr * SER_RR;
	slen = len - SER_HDR - (size_t) nrr * SER_RR;

	/* check every reference first, summing the block size */
	size = sizeof(ma_dns_result) + (uint64_t) nrr * sizeof(ma_dns_rr);
	if (flags & SER_F_DETAIL)
	{
		if (!take(doff, dlen, slen, &cur) || memchr(sp + doff, '\0', dlen) != NULL)
		{
			*errmsg = "bad detail";
			return NULL;
		}
		size += (uint64_t) dlen + 1;
	}
	else if (doff != 0 || dlen != 0)
	{
		*errmsg = "detail without flag";
		return NULL;
	}
	for (unsigned i = 0; i < nrr; i++)
	{
		const unsigned char *e = rp + (size_t) i * SER_RR;
		uint32_t	noff = get32(e + 8),
					nlen = get16(e + 12),
					tlen = get16(e + 14),
					aoff = get32(e + 16),
					alen = get32(e + 20),
					toff = get32(e + 24);

		if (get16(e) == 0)
		{
			*errmsg = "record type 0";
			return NULL;
		}
		if (!take(noff, nlen, slen, &cur) || memchr(sp + noff, '\0', nlen) != NULL)
		{
			*errmsg = "bad record name";
			return NULL;
		}
		if (!take(aoff, alen, slen, &cur))
		{
			*errmsg = "bad record data";
			return NULL;
		}
		size += (uint64_t) nlen + 1 + (uint64_t) alen + 1;
		if (toff != SER_NO_TARGET)
		{
			if (!take(toff, tlen, slen, &cur) || memchr(sp + toff, '\0', tlen) != NULL)
			{
				*errmsg = "bad record target";
				return NULL;
			}
			size += (uint64_t) tlen + 1;
		}
		else if (tlen != 0)
		{
			*errmsg = "target length without target";
			return NULL;
		}
	}
	if (cur != slen)
	{
		*errmsg = "trailing bytes";
		return NULL;
	}
	/* now size < sizeof(ma_dns_result) + 2 * len: no overflow possible */

	r = malloc((size_t) size);
	if (r == NULL)
	{
		*errmsg = "out of memory";
		return NULL;
	}
	memset(r, 0, sizeof(ma_dns_result));
	r->refcnt = 1;
	r->status = (ma_dns_status) status;
	r->ttl = ttl;
	r->wire_size = get32(buf + 12);
	r->stored_ms = (int64_t) get64(buf + 16);
	r->size = (size_t) size;
	r->nrr = (int) nrr;
	p = (char *) &r->rr[nrr];
	for (unsigned i = 0; i < nrr; i++)
	{
		const unsigned char *e = rp + (size_t) i * SER_RR;
		ma_dns_rr  *d = &r->rr[i];
		uint32_t	nlen = get16(e + 12),
					tlen = get16(e + 14),
					alen = get32(e + 20),
					toff = get32(e + 24);

		d->type = get16(e);
		d->pref = get16(e + 2);
		d->ttl = get32(e + 4);
		memcpy(p, sp + get32(e + 8), nlen);
		p[nlen] = '\0';
		d->name = p;
		p += nlen + 1;
		memcpy(p, sp + get32(e + 16), alen);
		p[alen] = '\0';
		d->data = p;
		d->datalen = alen;
		p += alen + 1;
		if (toff != SER_NO_TARGET)
		{
			memcpy(p, sp + toff, tlen);
			p[tlen] = '\0';
			d->target = p;
			p += tlen + 1;
		}
		else
			d->target = NULL;
	}
	if (flags & SER_F_DETAIL)
	{
		memcpy(p, sp + doff, dlen);
		p[dlen] = '\0';
		r->detail = p;
	}
	return r;
}
