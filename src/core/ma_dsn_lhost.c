/*-------------------------------------------------------------------------
 *
 * ma_dsn_lhost.c
 *	  The text bounces of real MTAs and providers: who failed and what the
 *	  remote server (or the MTA) said, from the human-readable part.
 *
 * Most text bounces have the same shape: an introduction, then for each
 * failed recipient its address at the start of a line followed by the
 * explanation, then the returned message after a marker line.  The engine
 * below (blocks()) reads that shape with a few knobs (how far a recipient
 * line may be indented, whether a blank line ends an explanation, which
 * lines start the part to read); each family is a recogniser (headers and
 * signature lines) plus those knobs, or a small parser of its own when the
 * format is different (Sendmail's transcript, Gmail, Exchange, the
 * Japanese carriers, Amazon SES JSON...).  A last generic decoder reads
 * unknown MTAs the same way, with the recipients the bounce names in its
 * X-Failed-Recipients field or in the returned message as a guide.
 *
 * Everything is bounded by the text (MA_DSN_MAX_TEXT): each decoder reads
 * it a constant number of times.  The decoders' recognition costs little:
 * the first occurrence of every phrase they look for is found in one pass
 * over the lowercased text (find_ci() below), and the header values they
 * test are decoded once (From, Subject and X-Mailer also lowercased once,
 * for has_ci()).
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE				/* memmem */
#endif
#include "ma_dsn.h"
#include "ma_text.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ADDR_MAX 512

/* ---------------------------------------------------------------------
 * Buffers and lines
 * ---------------------------------------------------------------------
 */
typedef struct lbuf
{
	char	   *p;
	size_t		n;
	size_t		cap;
} lbuf;

static void
lb_add(lbuf *b, const char *s, size_t n)
{
	if (n == 0 || n > (SIZE_MAX >> 2))
		return;
	if (b->n + n + 1 > b->cap)
	{
		size_t		nc = b->cap ? b->cap * 2 : 256;
		char	   *np;

		while (nc < b->n + n + 1)
			nc *= 2;
		np = realloc(b->p, nc);
		if (np == NULL)
			return;
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
lb_free(lbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

static const bool sp_tab[256] = {
	[' '] = true,['\t'] = true,['\r'] = true,['\f'] = true,['\v'] = true
};

/* blanks within a line */
static inline bool
sp(char c)
{
	return sp_tab[(unsigned char) c];
}

typedef struct line
{
	const char *p;				/* the line, without its LF */
	size_t		n;
	const char *t;				/* trimmed */
	size_t		tn;
	size_t		indent;			/* leading blanks (a tab counts 1) */
	size_t		next;			/* offset of the next line */
} line;

/* the line at offset pos of s[0..end) */
static bool
get_line(const char *s, size_t end, size_t pos, line *l)
{
	const char *nl;

	if (pos >= end)
		return false;
	nl = memchr(s + pos, '\n', end - pos);
	l->p = s + pos;
	l->n = nl ? (size_t) (nl - (s + pos)) : end - pos;
	l->next = pos + l->n + 1;
	l->t = l->p;
	l->tn = l->n;
	l->indent = 0;
	while (l->tn > 0 && sp(*l->t))
	{
		l->t++;
		l->tn--;
		l->indent++;
	}
	while (l->tn > 0 && sp(l->t[l->tn - 1]))
		l->tn--;
	return true;
}

#define FOR_LINES(s, b, e, l) \
	for (size_t _pos = (b); get_line((s), (e), _pos, &(l)); _pos = (l).next)

static bool
starts_ci(const char *s, size_t n, const char *p)
{
	size_t		pl = strlen(p);

	return n >= pl && strncasecmp(s, p, pl) == 0;
}

/*
 * The text of the message being decoded, lowercased (ASCII), so that the
 * many case-insensitive searches of the decoders are cheap.
 *
 * The decoders look for a fixed set of phrases (string literals) in the same
 * text, so each phrase is registered on first use (keyed by its address:
 * find_ci() takes literals only, find_ci_tmp() any string) and, for each
 * message, one pass over the text finds the first occurrence of every
 * registered phrase at once (a hash of the first four bytes selects the
 * candidates).  A phrase registered after the pass gets its first occurrence
 * from ma_dsn_memmem(); a search that starts past the first occurrence too.
 */
static const char *low_base = NULL;
static const char *low_text = NULL;
static size_t low_len = 0;
static size_t low_pass = 0;		/* the pass covers low_text[0, low_pass) */
static bool low_owned = false;	/* low_text was allocated here */

#define SIG_MAX		1024		/* phrases registered at most */
#define SIG_HASH	8192		/* buckets for 4-byte keys (power of 2) */
#define SIG_PTRS	4096		/* pointer -> phrase table (power of 2) */
#define SIG_STRIDE	8			/* the pass reads a key every 8 bytes */
#define SIG_MINLEN	(SIG_STRIDE + 3)	/* shorter phrases: ma_dsn_memmem() when asked */

typedef struct sigent
{
	const char *ptr;			/* the literal, as passed */
	char	   *low;			/* lowercased copy */
	size_t		len;
	uint64_t	head;			/* its first 8 bytes (the rest zero) */
	uint64_t	headmask;		/* which bytes of head are of the phrase */
	uint64_t	head2;			/* bytes 8 to 15 (the rest zero) */
	uint64_t	headmask2;		/* which bytes of head2 are of the phrase */
} sigent;

static sigent sigs[SIG_MAX];
static int	nsigs = 0;
static int	sig_ptr[SIG_PTRS];	/* phrase of a pointer hash slot, -1 */
static bool sig_ready = false;

/*
 * The keys of the pass: each phrase of SIG_MINLEN bytes or more has a key
 * for each residue r < SIG_STRIDE (its bytes o..o+3, at an offset o = r +
 * 8k), so that an occurrence at j is seen where the pass reads a key, at
 * j + o aligned on SIG_STRIDE.  Slot s = id * SIG_STRIDE + r.
 */
static uint32_t sig_key[SIG_MAX * SIG_STRIDE];
static uint8_t sig_off[SIG_MAX * SIG_STRIDE];	/* the key's offset in the phrase (slot % SIG_STRIDE, + 8k) */
static int	sig_next[SIG_MAX * SIG_STRIDE];	/* next slot of the bucket, -1 */
static int	sig_bucket[SIG_HASH];	/* first slot of a key hash, -1 */

/*
 * Which 16-bit key hashes have a slot: one bit each (8 KB).  Most keys the
 * pass reads have none; asked first, the test is nearly always "no", which
 * the branch predictor gets right, where "is the bucket empty" is a coin
 * toss for every key.
 */
#define SIG_FILTER_BITS 16
static uint64_t sig_filter[(1u << SIG_FILTER_BITS) / 64];

/* per message: first occurrence of each phrase, valid when sig_stamp == msg_stamp */
static long sig_first[SIG_MAX];
static uint32_t sig_stamp[SIG_MAX];
static uint32_t msg_stamp = 0;
static bool sig_passed = false;	/* the pass of this message was made */
static int	sig_npass = 0;		/* phrases registered at the pass */

static inline uint32_t
load4(const char *p)
{
	uint32_t	k;

	memcpy(&k, p, 4);
	return k;
}

static inline unsigned
hash4(uint32_t k)
{
	return (unsigned) ((k * 2654435761u) >> 19) & (SIG_HASH - 1);
}

/* the filter's hash: the top 16 bits of the same product (hash4's 13 and 3 more) */
static inline unsigned
hash16(uint32_t k)
{
	return (unsigned) ((k * 2654435761u) >> (32 - SIG_FILTER_BITS));
}

static inline unsigned
hashptr(const void *p)
{
	uintptr_t	v = (uintptr_t) p;

	return (unsigned) ((v >> 3) * 2654435761u) & (SIG_PTRS - 1);
}

static int	sig_register(const char *needle, unsigned h);

/* the id of a literal phrase (registering it), or -1 */
static inline int
sig_id(const char *needle)
{
	unsigned	h;

	if (sig_ready)
		for (h = hashptr(needle);; h = (h + 1) & (SIG_PTRS - 1))
		{
			int			id = sig_ptr[h];

			if (id < 0)
				return sig_register(needle, h);
			if (sigs[id].ptr == needle)
				return id;
		}
	return sig_register(needle, 0);
}

/* a phrase seen the first time: its slot h in sig_ptr (if the table is ready) */
static int
sig_register(const char *needle, unsigned h)
{
	size_t		nn;

	if (!sig_ready)
	{
		memset(sig_bucket, 0xff, sizeof(sig_bucket));
		memset(sig_ptr, 0xff, sizeof(sig_ptr));
		sig_ready = true;
		for (h = hashptr(needle); sig_ptr[h] >= 0; h = (h + 1) & (SIG_PTRS - 1))
			;
	}
	nn = strlen(needle);
	if (nsigs >= SIG_MAX || nn < 4 || nn > 200)
		return -1;
	{
		sigent	   *e = &sigs[nsigs];
		char	   *low = malloc(nn + 1);

		if (low == NULL)
			return -1;
		ma_dsn_lower(low, needle, nn);
		low[nn] = '\0';
		e->ptr = needle;
		e->low = low;
		e->len = nn;
		e->head = 0;
		e->headmask = 0;
		memcpy(&e->head, low, nn < 8 ? nn : 8);
		memset(&e->headmask, 0xFF, nn < 8 ? nn : 8);
		e->head2 = 0;
		e->headmask2 = 0;
		if (nn > 8)
		{
			memcpy(&e->head2, low + 8, nn < 16 ? nn - 8 : 8);
			memset(&e->headmask2, 0xFF, nn < 16 ? nn - 8 : 8);
		}
		if (nn >= SIG_MINLEN)
			for (int r = 0; r < SIG_STRIDE; r++)
			{
				int			slot = nsigs * SIG_STRIDE + r,
							best = -1,
							best_n = 0;
				unsigned	b;

				/*
				 * Any key at an offset r + 8k does for the occurrences the
				 * pass meets at that residue: the one the fewest phrases
				 * registered so far share, so that the chains the pass
				 * walks where a text has a common word stay short
				 */
				for (size_t o = (size_t) r; o + 4 <= nn && o < 256; o += SIG_STRIDE)
				{
					uint32_t	k = load4(low + o);
					int			cnt = 0;

					for (int x = sig_bucket[hash4(k)]; x >= 0; x = sig_next[x])
						cnt += sig_key[x] == k;
					if (best < 0 || cnt < best_n)
					{
						best = (int) o;
						best_n = cnt;
					}
				}
				sig_off[slot] = (uint8_t) best;
				sig_key[slot] = load4(low + best);
				b = hash4(sig_key[slot]);
				sig_next[slot] = sig_bucket[b];
				sig_bucket[b] = slot;
				b = hash16(sig_key[slot]);
				sig_filter[b / 64] |= UINT64_C(1) << (b % 64);
			}
		sig_ptr[h] = nsigs;
		sig_stamp[nsigs] = 0;
		return nsigs++;
	}
}

/*
 * One pass over the lowercased text: the first occurrence of every phrase
 * (of SIG_MINLEN bytes or more), a 4-byte key read every SIG_STRIDE bytes.
 */
static void
sig_pass(void)
{
	sig_passed = true;
	sig_npass = nsigs;
	for (size_t i = 0; i + 4 <= low_pass; i += SIG_STRIDE)
	{
		uint32_t	k = load4(low_text + i);
		unsigned	f = hash16(k);

		if (!((sig_filter[f / 64] >> (f % 64)) & 1))
			continue;
		for (int slot = sig_bucket[hash4(k)]; slot >= 0; slot = sig_next[slot])
		{
			int			id = slot / SIG_STRIDE,
						o = sig_off[slot];
			size_t		j;
			uint64_t	w,
						w2;

			if (sig_key[slot] != k || i < (size_t) o)
				continue;
			j = i - (size_t) o;
			if (j + sigs[id].len > low_pass ||
				(sig_stamp[id] == msg_stamp && (size_t) sig_first[id] <= j))
				continue;
			/*
			 * 16 bytes first, in one test (the phrase has 11 or more, the
			 * text 8 NUL bytes after it)
			 */
			memcpy(&w, low_text + j, 8);
			memcpy(&w2, low_text + j + 8, 8);
			if (((w & sigs[id].headmask) ^ sigs[id].head) | ((w2 & sigs[id].headmask2) ^ sigs[id].head2))
				continue;
			if (sigs[id].len <= 16 || memcmp(low_text + j + 16, sigs[id].low + 16, sigs[id].len - 16) == 0)
			{
				sig_first[id] = (long) j;
				sig_stamp[id] = msg_stamp;
			}
		}
	}
}

/* the first occurrence of phrase id in low_text[0, low_pass), or -1 */
static long
sig_first_of(int id)
{
	if (!sig_passed)
		sig_pass();
	if (sig_stamp[id] != msg_stamp && id < sig_npass && sigs[id].len >= SIG_MINLEN)
	{
		/* not seen by the pass */
		sig_first[id] = -1;
		sig_stamp[id] = msg_stamp;
	}
	else if (sig_stamp[id] != msg_stamp)
	{
		/* short, or registered after the pass */
		const char *p = low_pass >= sigs[id].len ?
			ma_dsn_memmem(low_text, low_pass, sigs[id].low, sigs[id].len) : NULL;

		sig_first[id] = p ? (long) (p - low_text) : -1;
		sig_stamp[id] = msg_stamp;
	}
	return sig_first[id];
}

/* a new message for find_ci(): text t[0..n) and its lowercased copy */
static void
sig_message(const char *t, const char *low, size_t n, size_t pass)
{
	low_base = t;
	low_text = low;
	low_len = n;
	low_pass = pass;
	sig_passed = false;
	if (++msg_stamp == 0)
	{
		/* the stamps wrapped: forget them all */
		memset(sig_stamp, 0, sizeof(sig_stamp));
		msg_stamp = 1;
	}
}

/* case-insensitive search of needle (any string) in s[0..n) */
static const char *
find_ci_tmp(const char *s, size_t n, const char *needle)
{
	if (low_text && s >= low_base && s + n <= low_base + low_len)
	{
		char		nd[256];
		size_t		nn = strlen(needle),
					start = (size_t) (s - low_base);
		const char *p;

		if (nn == 0 || nn >= sizeof(nd))
			return ma_dsn_memcasemem(s, n, needle);
		for (size_t i = 0; i < nn; i++)
		{
			unsigned char ch = (unsigned char) needle[i];

			nd[i] = (char) (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
		}
		p = ma_dsn_memmem(low_text + start, n, nd, nn);
		return p ? low_base + (p - low_text) : NULL;
	}
	return ma_dsn_memcasemem(s, n, needle);
}

/* case-insensitive search of needle (a string literal) in s[0..n) */
static const char *
find_ci(const char *s, size_t n, const char *needle)
{
	if (low_text && s >= low_base && s + n <= low_base + low_len)
	{
		size_t		start = (size_t) (s - low_base);
		const char *p;
		int			id = sig_id(needle);
		long		f;
		size_t		nn;

		if (id < 0)
			return find_ci_tmp(s, n, needle);
		/*
		 * the common case: the whole of what the pass read, a phrase it looks
		 * for (sig_first is -1 when an earlier search found none)
		 */
		if (start == 0 && n == low_pass && sig_passed && id < sig_npass && sigs[id].len >= SIG_MINLEN)
			return sig_stamp[id] == msg_stamp && sig_first[id] >= 0 ? low_base + sig_first[id] : NULL;
		nn = sigs[id].len;
		f = sig_first_of(id);
		if (f >= 0 && (size_t) f >= start)
			return (size_t) f + nn <= start + n ? low_base + f : NULL;
		if (f < 0)
		{
			/* none in [0, low_pass): only the part of the range past it */
			size_t		from = low_pass >= nn ? low_pass - nn + 1 : 0;

			if (start + n <= low_pass)
				return NULL;

			if (from < start)
				from = start;
			if (from >= start + n)
				return NULL;
			p = ma_dsn_memmem(low_text + from, start + n - from, sigs[id].low, nn);
			return p ? low_base + (p - low_text) : NULL;
		}
		/* the first occurrence is before the range: search the range */
		p = ma_dsn_memmem(low_text + start, n, sigs[id].low, nn);
		return p ? low_base + (p - low_text) : NULL;
	}
	return ma_dsn_memcasemem(s, n, needle);
}

/*
 * The header values every decoder asks about (From, Subject, X-Mailer):
 * lowercased once per message, in one buffer, for has_ci().
 */
#define HC_MAX 3
static const char *hc_src[HC_MAX];
static size_t hc_off[HC_MAX],
			hc_len[HC_MAX];
static int	hc_n = 0;
static lbuf hc_buf;

static void
hc_set(const char *const *vals, int n)
{
	hc_n = 0;
	hc_buf.n = 0;
	for (int i = 0; i < n && i < HC_MAX; i++)
	{
		size_t		len = vals[i] ? strlen(vals[i]) : 0,
					before = hc_buf.n;

		if (len == 0 || len > 4096)
			continue;
		lb_add(&hc_buf, vals[i], len);
		if (hc_buf.n != before + len)
			break;				/* out of memory: the others are searched as they are */
		ma_dsn_lower(hc_buf.p + before, vals[i], len);
		hc_src[hc_n] = vals[i];
		hc_off[hc_n] = before;
		hc_len[hc_n] = len;
		hc_n++;
	}
}

static bool
has_ci(const char *s, const char *needle)
{
	if (s == NULL)
		return false;
	for (int i = 0; i < hc_n; i++)
		if (s == hc_src[i])
		{
			int			id = sig_id(needle);
			const char *h = hc_buf.p + hc_off[i],
					   *e = h + hc_len[i];
			const char *nd;
			size_t		nn;

			if (id < 0)
				break;
			nd = sigs[id].low;
			nn = sigs[id].len;
			return ma_dsn_memmem(h, (size_t) (e - h), nd, nn) != NULL;
		}
	return ma_dsn_memcasemem(s, strlen(s), needle) != NULL;
}

/* offset of the line that contains needle, at or after from; (size_t)-1 */
static size_t
line_with(const char *s, size_t from, size_t end, const char *needle)
{
	const char *p;

	if (from >= end)
		return (size_t) -1;
	p = find_ci(s + from, end - from, needle);
	if (p == NULL)
		return (size_t) -1;
	while (p > s + from && p[-1] != '\n')
		p--;
	return (size_t) (p - s);
}

/* offset just after the line that contains needle; (size_t)-1 */
static size_t
after_line_with(const char *s, size_t from, size_t end, const char *needle)
{
	size_t		o = line_with(s, from, end, needle);
	const char *nl;

	if (o == (size_t) -1)
		return o;
	nl = memchr(s + o, '\n', end - o);
	return nl ? (size_t) (nl - s) + 1 : end;
}

/* ---------------------------------------------------------------------
 * The context of one message
 * ---------------------------------------------------------------------
 */
typedef struct lctx
{
	const ma_bmsg *m;
	ma_dsn_result *r;
	const char *t;				/* the text */
	size_t		n;
	size_t		end;			/* where the returned message starts in t */
	const char *from;
	const char *subject;
	const char *xmailer;
	size_t		first;			/* rows of this decoder start here */
} lctx;

static const char *
hdr(const lctx *c, const char *name)
{
	const char *v = ma_bmsg_header(c->m, name);

	return v ? v : "";
}

/*
 * any Received field of the bounce contains s: the fields are lowercased and
 * joined (with LFs, that no needle contains) once per message
 */
static lbuf recv_low;
static bool recv_done = false;

static void lb_add(lbuf *b, const char *s, size_t n);

static bool
received_has(const lctx *c, const char *s)
{
	char		nd[64];
	size_t		nn = strlen(s);

	if (!recv_done)
	{
		uint32_t	key = ma_bhdr_key("received", 8);

		recv_done = true;
		recv_low.n = 0;

		for (size_t i = 0; i < c->m->nheaders; i++)
		{
			const ma_bhdr *h = &c->m->headers[i];
			size_t		from = recv_low.n;

			/* the raw values: a host name is never an encoded word */
			if (h->key != key || h->name_len != 8 || strncasecmp(h->name, "received", 8) != 0 || h->raw == NULL)
				continue;
			lb_add(&recv_low, h->raw, h->raw_len);
			lb_add(&recv_low, "\n", 1);
			if (recv_low.p && recv_low.n > from)
				ma_dsn_lower(recv_low.p + from, recv_low.p + from, recv_low.n - from);
		}
	}
	if (recv_low.n == 0 || recv_low.p == NULL)
		return false;
	if (nn == 0 || nn >= sizeof(nd))
		return ma_dsn_memcasemem(recv_low.p, recv_low.n, s) != NULL;
	for (size_t i = 0; i < nn; i++)
	{
		unsigned char ch = (unsigned char) s[i];

		nd[i] = (char) (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	return ma_dsn_memmem(recv_low.p, recv_low.n, nd, nn) != NULL;
}

/*
 * Where the returned message starts in the text: the first line that is one
 * of the markers MTAs put before it.
 */
static size_t
original_start(const char *t, const char *low, size_t n)
{
	static const char *const marks[] = {
		"--- below this line is a copy of the message",
		"--- below this line is a copy of the mail header",
		"--- below the next line is a copy of the message",
		"--- mensaje original adjunto",
		"--- enclosed is a copy of the message",
		"------ this is a copy of the message, including all the headers",
		"------ this is a copy of your message, including all the headers",
		"----- this is a copy of the message, including all the headers",
		"------ this is a copy of the message",
		"--- the header of the original message is following",
		"----- original message -----",
		"------ original message ------",
		"--- original message follows",
		"original message follows",
		"message headers follow",
		"below is a copy of the original message",
		"included is a copy of the message header",
		"------- returned message --------",
		"----- unsent message follows -----",
		"----- no message was collected -----",
		"original message headers:",
		"-------original message",
		"-------original mail info",
		"the attachment contains the original mail headers",
		"----- message header follows -----",
		"--- message header follows ---",
		"content-type: message/rfc822",
		"content-type: text/rfc822-headers",
		"-----original message-----",
		"----- the following is the original message -----",
		"************* original message",
		"--- original message ---",
		"original message:",
		"------ original message header ------",
		"your original message is included as attachment",
		"message header follows:",
		"original message headers",
		"en-t\xc3\xaates de message d'origine",
		"intestazioni originali del messaggio:",
		"ursprungshuvuden:",
		"original mail as follows:",
		NULL
	};
	/* the marks by their first byte: by_first[first[c], first[c + 1]) */
	static uint8_t first[257];
	static uint8_t by_first[sizeof(marks) / sizeof(marks[0])];
	static uint8_t mlen[sizeof(marks) / sizeof(marks[0])];
	static bool ready = false;
	size_t		pos = 0;

	if (!ready)
	{
		int			nm = 0;

		for (int k = 0; marks[k]; k++)
		{
			mlen[k] = (uint8_t) strlen(marks[k]);
			nm++;
		}
		for (int c = 0, at = 0; c < 256; c++)
		{
			first[c] = (uint8_t) at;
			for (int k = 0; k < nm; k++)
				if ((unsigned char) marks[k][0] == c)
					by_first[at++] = (uint8_t) k;
			first[c + 1] = (uint8_t) at;
		}
		ready = true;
	}
	/* the marks are lowercase: compared with the lowercased text */
	while (pos < n)
	{
		const char *nl = memchr(t + pos, '\n', n - pos);
		size_t		e = nl ? (size_t) (nl - t) : n,
					b = pos,
					te = e;

		while (b < e && sp(t[b]))
			b++;
		while (te > b && sp(t[te - 1]))
			te--;
		if (te - b >= 10)
		{
			unsigned char c0 = (unsigned char) low[b];

			/* which mark matched does not matter: the first in by_first order will do */
			for (int x = first[c0]; x < first[c0 + 1]; x++)
			{
				int			k = by_first[x];

				if (te - b >= mlen[k] && memcmp(low + b, marks[k], mlen[k]) == 0)
					return pos;
			}
		}
		pos = e + 1;
	}
	return n;
}

/* ---------------------------------------------------------------------
 * Rows
 * ---------------------------------------------------------------------
 */
/*
 * The rows of the current decoder by address, so that finding the row of a
 * recipient named again stays linear with thousands of recipients.
 */
static struct
{
	uint32_t   *slot;			/* row index + 1, 0 = empty */
	size_t		cap;			/* power of 2 */
	size_t		first;			/* rows indexed: [first, upto) */
	size_t		upto;
	const ma_dsn_result *r;
} ridx;

static uint32_t
addr_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint32_t) tolower((unsigned char) *s)) * 16777619u;
	return h;
}

static void
ridx_reset(void)
{
	free(ridx.slot);
	memset(&ridx, 0, sizeof(ridx));
}

static void
ridx_put(size_t i)
{
	const char *a = ridx.r->rcpts[i].recipient;
	size_t		h;

	if (a == NULL)
		return;
	for (h = addr_hash(a) & (ridx.cap - 1); ridx.slot[h]; h = (h + 1) & (ridx.cap - 1))
		;
	ridx.slot[h] = (uint32_t) i + 1;
}

/* the index of the row of addr among the decoder's rows, or -1 */
static long
ridx_find(lctx *c, const char *addr)
{
	size_t		n = c->r->n;

	if (n - c->first < 16)
	{
		for (size_t i = c->first; i < n; i++)
			if (c->r->rcpts[i].recipient && strcasecmp(c->r->rcpts[i].recipient, addr) == 0)
				return (long) i;
		return -1;
	}
	if (ridx.r != c->r || ridx.first != c->first || ridx.upto > n || (n - c->first) * 2 > ridx.cap)
	{
		size_t		cap = 64;

		while (cap < (n - c->first) * 4)
			cap *= 2;
		ridx_reset();
		ridx.slot = calloc(cap, sizeof(uint32_t));
		if (ridx.slot == NULL)
			return -1;
		ridx.cap = cap;
		ridx.first = ridx.upto = c->first;
		ridx.r = c->r;
	}
	for (; ridx.upto < n; ridx.upto++)
		ridx_put(ridx.upto);
	for (size_t h = addr_hash(addr) & (ridx.cap - 1); ridx.slot[h]; h = (h + 1) & (ridx.cap - 1))
	{
		size_t		i = ridx.slot[h] - 1;

		if (c->r->rcpts[i].recipient && strcasecmp(c->r->rcpts[i].recipient, addr) == 0)
			return (long) i;
	}
	return -1;
}

static ma_dsn_rcpt *
row_for(lctx *c, const char *addr, const char *source)
{
	ma_dsn_rcpt *x;
	long		i = ridx_find(c, addr);

	if (i >= 0)
		return &c->r->rcpts[i];
	x = ma_dsn_add(c->r);
	if (x == NULL)
		return NULL;
	ma_dsn_set(&x->recipient, addr);
	x->source = source;
	return x;
}

/* append text to the diagnostic of x */
static void
diag_add(ma_dsn_rcpt *x, const char *s, size_t n)
{
	while (n > 0 && (sp(*s) || *s == '\n'))
	{
		s++;
		n--;
	}
	if (n == 0)
		return;
	if (x->diagnostic && strlen(x->diagnostic) >= 4096)
		return;					/* enough said */
	ma_dsn_append_diag(x, s, n);
}

static void
set_rhost(ma_dsn_rcpt *x, const char *s, size_t n)
{
	char		h[256];
	size_t		k = 0;

	while (n > 0 && (sp(*s) || *s == '[' || *s == '('))
	{
		s++;
		n--;
	}
	for (; k < n && k < sizeof(h) - 1; k++)
	{
		char		ch = s[k];

		if (sp(ch) || ch == '[' || ch == ']' || ch == ':' || ch == ',' || ch == ')' ||
			ch == '(' || ch == ';' || ch == '>' || ch == '<' || ch == '\n')
			break;
		h[k] = (char) tolower((unsigned char) ch);
	}
	while (k > 0 && h[k - 1] == '.')
		k--;
	h[k] = '\0';
	if (k > 0 && (strchr(h, '.') || strchr(h, ':')) && x->remote_mta == NULL)
		ma_dsn_set(&x->remote_mta, h);
}

/* the remote host a diagnostic names: "host X[ip] said", "X [ip] did not like" */
static void
rhost_from_diag(ma_dsn_rcpt *x)
{
	const char *d = x->diagnostic,
			   *p;

	if (d == NULL || x->remote_mta)
		return;
	if ((p = strstr(d, "host ")) != NULL && (p == d || p[-1] == ' ' || p[-1] == '('))
	{
		const char *h = p + 5;

		if (strncmp(h, "name ", 5) != 0 && strncmp(h, "or domain", 9) != 0)
			set_rhost(x, h, strlen(h));
	}
	if (x->remote_mta == NULL && (p = strstr(d, " did not like ")) != NULL)
	{
		const char *b = p;

		while (b > d && b[-1] != ' ')
			b--;
		if (b > d + 1 && b[0] == '[')
		{
			b--;
			while (b > d && b[-1] != ' ')
				b--;
		}
		set_rhost(x, b, (size_t) (p - b));
	}
	if (x->remote_mta == NULL && (p = strstr(d, "Connected to ")) != NULL)
		set_rhost(x, p + 13, strlen(p + 13));
	if (x->remote_mta == NULL && (p = strstr(d, "while talking to ")) != NULL)
		set_rhost(x, p + 17, strlen(p + 17));
}

/* ---------------------------------------------------------------------
 * Recipient lines
 * ---------------------------------------------------------------------
 */

/*
 * Does the line (trimmed) begin with an address?  "<a@b>:", "a@b",
 * "\"a@b\":", "a@b <c@d>: ...", "550 <a@b>... User unknown" (with codes
 * allowed).  The address goes to addr; *rest points after it and its
 * punctuation.
 */
static bool
head_addr(const char *s, size_t n, bool codes_ok, char *addr, const char **rest, size_t *restn)
{
	size_t		i = 0,
				b,
				e;
	bool		angle = false,
				quote = false;

	if (codes_ok)
	{
		/* "554 " or "550 5.1.1 " before the address */
		size_t		k = 0;

		while (k < n && isdigit((unsigned char) s[k]))
			k++;
		if (k == 3 && k < n && s[k] == ' ')
		{
			i = k + 1;
			if (i + 5 < n && isdigit((unsigned char) s[i]) && s[i + 1] == '.')
			{
				while (i < n && s[i] != ' ')
					i++;
				while (i < n && s[i] == ' ')
					i++;
			}
		}
	}
	if (i < n && s[i] == '<')
	{
		angle = true;
		i++;
	}
	else if (i < n && (s[i] == '"' || s[i] == '\''))
	{
		quote = true;
		i++;
	}
	b = i;
	i += MA_SPAN_UNTIL((const unsigned char *) s + i, n - i, " \t\r\f\v>\"',;([");
	e = i;
	/* trailing punctuation of a bare address */
	while (e > b && (s[e - 1] == ':' || s[e - 1] == '.'))
		e--;
	if (e <= b || memchr(s + b, '@', e - b) == NULL)
		return false;
	if (!ma_dsn_find_addr(s + b, e - b, addr, ADDR_MAX))
		return false;
	/* the address must be the token, not inside it */
	if (strlen(addr) + 2 < e - b)
		return false;
	if (angle)
	{
		if (i < n && s[i] == '>')
			i++;
		else
			return false;
	}
	else if (quote && i < n && (s[i] == '"' || s[i] == '\''))
		i++;
	/* what may follow the address */
	if (i < n && !(sp(s[i]) || s[i] == ':' || s[i] == '.' || s[i] == ',' || s[i] == ';' ||
				   s[i] == '(' || s[i] == '['))
		return false;
	while (i < n && (sp(s[i]) || s[i] == ':' || s[i] == '.' || s[i] == ','))
		i++;
	*rest = s + i;
	*restn = n - i;
	return true;
}

typedef struct bopts
{
	int			max_indent;		/* recipient lines indented at most this */
	bool		blank_ends;		/* a blank line ends an explanation */
	bool		codes_ok;		/* "550 <a@b>... text" lines are recipient lines */
	bool		need_colon;		/* the address must be followed by ':' or end the line */
	bool		skip_label_lines;	/* ignore lines that are headers "To: ..." */
	int			max_lines;		/* lines of explanation kept (0: no limit) */
	bool		body_indented;	/* an indented recipient line: its explanation is indented more */
} bopts;

/*
 * Rows from text[b, e): each recipient line starts a row, the following
 * lines are its explanation.  Returns the rows added.
 */
static int
blocks(lctx *c, size_t b, size_t e, const bopts *o, const char *source)
{
	line		l;
	ma_dsn_rcpt *cur = NULL;
	bool		closed = false;
	int			added = 0,
				nl = 0;
	size_t		before = c->r->n;
	size_t		head_indent = 0;
	lbuf		d = {0};

	FOR_LINES(c->t, b, e, l)
	{
		char		addr[ADDR_MAX],
					orig[ADDR_MAX];
		const char *rest;
		size_t		restn;

		if (l.tn == 0)
		{
			if (cur && o->blank_ends && d.n > 0)
				closed = true;
			continue;
		}
		if ((int) l.indent <= o->max_indent &&
			head_addr(l.t, l.tn, o->codes_ok, addr, &rest, &restn) &&
			(!o->need_colon || restn == 0 || (rest > l.t && memchr(l.t, ':', (size_t) (rest - l.t)))))
		{
			if (cur && d.n)
				diag_add(cur, d.p, d.n);
			d.n = 0;
			/* "a@b <c@d>: malformed address": the bracketed one is the recipient */
			if (restn > 2 && rest[0] == '<')
			{
				const char *gt = memchr(rest, '>', restn);
				char		a2[ADDR_MAX];

				if (gt && (size_t) (gt - rest) + 1 < restn && gt[1] == ':' &&
					ma_dsn_find_addr(rest, (size_t) (gt - rest) + 1, a2, sizeof(a2)))
				{
					memcpy(addr, a2, sizeof(a2));
					restn -= (size_t) (gt + 2 - rest);
					rest = gt + 2;
				}
			}
			/* "<a@b> (expanded from <c@d>): ...": c@d is the original recipient */
			orig[0] = '\0';
			if (restn > 15 && strncasecmp(rest, "(expanded from", 14) == 0)
			{
				const char *rp = memchr(rest, ')', restn);

				if (rp)
				{
					size_t		k = (size_t) (rp - rest) + 1;

					if (!ma_dsn_find_addr(rest + 14, (size_t) (rp - rest) - 14, orig, sizeof(orig)))
						orig[0] = '\0';

					while (k < restn && (rest[k] == ':' || sp(rest[k])))
						k++;
					rest += k;
					restn -= k;
				}
			}
			cur = row_for(c, addr, source);
			closed = false;
			nl = 0;
			head_indent = l.indent;
			if (cur == NULL)
				break;
			if (orig[0] && cur->original_recipient == NULL)
				ma_dsn_set(&cur->original_recipient, orig);
			if (restn)
			{
				lb_add(&d, rest, restn);
				lb_add(&d, " ", 1);
			}
			continue;
		}
		if (cur == NULL || closed)
			continue;
		/* sendmail: "    (expanded from: c@d)" on the line after the address */
		if (l.tn > 15 && nl == 0 && d.n == 0 && strncasecmp(l.t, "(expanded from", 14) == 0)
		{
			if (cur->original_recipient == NULL &&
				ma_dsn_find_addr(l.t + 14, l.tn - 14, orig, sizeof(orig)))
				ma_dsn_set(&cur->original_recipient, orig);
			continue;
		}
		if (o->body_indented && head_indent > 0 && l.indent <= head_indent && d.n > 0)
		{
			/* back to the left margin: the text after the list */
			closed = true;
			continue;
		}
		if (o->max_lines && nl >= o->max_lines)
			continue;
		lb_add(&d, l.t, l.tn);
		lb_add(&d, " ", 1);
		nl++;
	}
	if (cur && d.n)
		diag_add(cur, d.p, d.n);
	lb_free(&d);
	added = (int) (c->r->n - before);
	return added;
}

/* the section of the text after the first line containing one of marks */
static size_t
section_start(const lctx *c, const char *const *marks)
{
	size_t		best = (size_t) -1;

	for (int k = 0; marks[k]; k++)
	{
		size_t		o = after_line_with(c->t, 0, c->end, marks[k]);

		if (o < best)
			best = o;
	}
	return best;
}

/* X-Failed-Recipients: a, b */
static int
rows_from_header_list(lctx *c, const char *value, const char *source)
{
	const char *p = value;
	int			k = 0;

	while (p && *p)
	{
		const char *comma = strchr(p, ',');
		size_t		len = comma ? (size_t) (comma - p) : strlen(p);
		char		addr[ADDR_MAX];

		if (ma_dsn_find_addr(p, len, addr, sizeof(addr)) && row_for(c, addr, source))
			k++;
		p = comma ? comma + 1 : NULL;
	}
	return k;
}

/* the whole section as the explanation of every row without one */
static void
diag_default(lctx *c, size_t b, size_t e)
{
	lbuf		d = {0};
	line		l;

	FOR_LINES(c->t, b, e, l)
	{
		if (l.tn == 0)
			continue;
		lb_add(&d, l.t, l.tn);
		lb_add(&d, " ", 1);
		if (d.n > 2000)
			break;
	}
	for (size_t i = c->first; i < c->r->n; i++)
		if (c->r->rcpts[i].diagnostic == NULL && d.n)
			diag_add(&c->r->rcpts[i], d.p, d.n);
	lb_free(&d);
}

/* done with a decoder: remote hosts; returns the rows */
static int
finish(lctx *c)
{
	for (size_t i = c->first; i < c->r->n; i++)
		rhost_from_diag(&c->r->rcpts[i]);
	return (int) (c->r->n - c->first);
}

/*
 * A row about the whole message, without a recipient: the decoder knows the
 * format (and maybe what went wrong) but the recipients are only in the
 * delivery-status part.  ma_dsn.c applies it to every row of that part.
 */
static int
claim(lctx *c, const char *source, const char *diag, size_t dn)
{
	ma_dsn_rcpt *x = ma_dsn_add(c->r);

	if (x == NULL)
		return 0;
	x->source = source;
	if (diag && dn)
		diag_add(x, diag, dn);
	return 1;
}

/* the text of [b, e) as one string, blank lines skipped, at most max bytes */
static void
section_text(lctx *c, size_t b, size_t e, lbuf *d, size_t max)
{
	line		l;

	FOR_LINES(c->t, b, e, l)
	{
		if (l.tn == 0)
			continue;
		lb_add(d, l.t, l.tn);
		lb_add(d, " ", 1);
		if (d->n > max)
			break;
	}
}

static bool orig_to(const lctx *c, size_t from_text, char *addr);

/* ---------------------------------------------------------------------
 * qmail (and what speaks like it: Yahoo!, X4, vpopmail)
 * ---------------------------------------------------------------------
 */
static int
dec_qmail(lctx *c)
{
	static const char *const starts[] = {
		"Hi. This is the qmail", "This is the qmail-send program", "He/Her is not ",
		"unable to deliver your message to the following addresses",
		"Su mensaje no pudo ser entregado", "This is the machine generated message from mail service",
		"This is the mail delivery agent at", "Unfortunately, your mail was not delivered to the following address",
		"Your mail message to the following address", "Your message to the following addresses",
		"We're sorry.", NULL
	};
	bopts		o = {.max_indent = 0,.blank_ends = true,.need_colon = true};
	size_t		b = section_start(c, starts);
	bool		yahoo = has_ci(c->from, "yahoo") || find_ci(c->t, c->end, "Sorry, we were unable to deliver your message");

	if (yahoo)
		return 0;
	if (b == (size_t) -1)
		return 0;
	blocks(c, b, c->end, &o, "qmail");
	return finish(c);
}

static int
dec_yahoo(lctx *c)
{
	size_t		b = after_line_with(c->t, 0, c->end, "Sorry, we were unable to deliver your message");
	bopts		o = {.max_indent = 0,.blank_ends = true,.need_colon = true};

	if (b == (size_t) -1)
		return 0;
	blocks(c, b, c->end, &o, "yahoo");
	return finish(c);
}

/*
 * Yahoo's notice in qmail's words without qmail's "<address>:" paragraphs:
 * "I'm afraid I wasn't able to deliver the following message.  This is a
 * permanent error; I've given up.", then a summary of the message (Subject:,
 * To:) before "---Below this line is a copy of the message.".  The To: line
 * of the summary names the recipient; the two sentences are the diagnostic.
 */
static int
dec_yahoo_summary(lctx *c)
{
	size_t		b = line_with(c->t, 0, c->end, "I'm afraid I wasn't able to deliver the following message"),
				e;
	const char *to = NULL,
			   *p,
			   *subj;
	char		addr[ADDR_MAX];
	ma_dsn_rcpt *x;

	if (b == (size_t) -1 || !has_ci(c->from, "yahoo"))
		return 0;
	/* where the copy of the message starts (the text may end there: c->end) */
	p = find_ci(c->t + b, c->end - b, "---Below this line is a copy of the message");
	e = p ? (size_t) (p - c->t) : c->end;
	/*
	 * "To:" at the start of a line or after a blank: the part is declared
	 * text/html, so its lines may come joined into one
	 */
	for (p = c->t + b; (p = find_ci(p, (size_t) (c->t + e - p), "To:")) != NULL; p += 3)
		if (p == c->t || sp(p[-1]) || p[-1] == '\n')
		{
			to = p;
			break;
		}
	if (to == NULL)
		return 0;
	{
		const char *le = memchr(to, '\n', (size_t) (c->t + e - to));
		size_t		n = (size_t) ((le ? le : c->t + e) - to - 3);

		if (!ma_dsn_find_addr(to + 3, n, addr, sizeof(addr)))
			return 0;
	}
	x = row_for(c, addr, "yahoo");
	if (x == NULL)
		return 0;
	/* the diagnostic: the sentences before the summary (Subject:, To:) */
	subj = find_ci(c->t + b, (size_t) (to - c->t - b), "Subject:");
	if (x->diagnostic == NULL)
		diag_add(x, c->t + b, (size_t) ((subj ? subj : to) - c->t - b));
	return finish(c);
}

/*
 * A Sieve or LDA rejection (Dovecot, Pigeonhole; RFC 5429): "Your message to
 * <address> was automatically rejected:", the reason on the lines after it,
 * often in an MDN (message/disposition-notification) with Auto-Submitted:
 * auto-replied, which is no auto-reply: the message was refused.
 */
static int
dec_sieve_reject(lctx *c)
{
	size_t		b = line_with(c->t, 0, c->end, "was automatically rejected");
	line		head,
				l;
	const char *p;
	char		addr[ADDR_MAX];
	ma_dsn_rcpt *x;
	int			nl = 0;

	if (b == (size_t) -1 || !get_line(c->t, c->end, b, &head) ||
		!starts_ci(head.t, head.tn, "Your message to") ||
		(p = find_ci(head.t, head.tn, "was automatically rejected")) == NULL ||
		!ma_dsn_find_addr(head.t + 15, (size_t) (p - head.t) - 15, addr, sizeof(addr)))
		return 0;
	x = row_for(c, addr, "sieve");
	if (x == NULL)
		return 0;
	if (x->diagnostic == NULL)
	{
		diag_add(x, head.t, head.tn);
		FOR_LINES(c->t, head.next, c->end, l)
		{
			if (l.tn == 0 || ++nl > 10 || starts_ci(l.t, l.tn, "--"))
				break;
			diag_add(x, l.t, l.tn);
		}
	}
	return finish(c);
}

/*
 * MDaemon: "The following addresses did NOT receive a copy of your message:",
 * the addresses as "> a@b" lines, then the SMTP session between
 * "--- Session Transcript ---" and "--- End Transcript ---": each
 * recipient's diagnostic is the server's reply to its RCPT TO (or, when that
 * was accepted, the transcript's last reply).
 */
static int
dec_mdaemon(lctx *c)
{
	size_t		b = after_line_with(c->t, 0, c->end, "did NOT receive a copy of your message"),
				ts,
				te;
	line		l;
	int			n = 0;

	if (b == (size_t) -1)
		return 0;
	ts = after_line_with(c->t, b, c->end, "--- Session Transcript ---");
	te = ts == (size_t) -1 ? (size_t) -1 : line_with(c->t, ts, c->end, "--- End Transcript ---");
	FOR_LINES(c->t, b, ts == (size_t) -1 ? c->end : ts, l)
	{
		char		addr[ADDR_MAX];
		ma_dsn_rcpt *x;
		line		t;
		const char *reply = NULL;
		size_t		replyn = 0;
		bool		mine = false;

		if (l.tn < 3 || l.t[0] != '>' || !ma_dsn_find_addr(l.t + 1, l.tn - 1, addr, sizeof(addr)))
			continue;
		x = row_for(c, addr, "mdaemon");
		if (x == NULL)
			break;
		n++;
		if (x->diagnostic || te == (size_t) -1)
			continue;
		/* the reply after "RCPT To:<addr>" (or the last one) */
		FOR_LINES(c->t, ts, te, t)
		{
			if (starts_ci(t.t, t.tn, "RCPT To:"))
				mine = find_ci_tmp(t.t, t.tn, addr) != NULL;
			else if (t.tn >= 4 && t.t[0] >= '2' && t.t[0] <= '5' && isdigit((unsigned char) t.t[1]) &&
					 isdigit((unsigned char) t.t[2]) && (t.t[3] == ' ' || t.t[3] == '-'))
			{
				if (mine && t.t[0] >= '4')
				{
					reply = t.t;
					replyn = t.tn;
					break;
				}
				if (t.t[0] >= '4')
				{
					reply = t.t;
					replyn = t.tn;
				}
			}
		}
		if (reply)
			diag_add(x, reply, replyn);
	}
	return n > 0 ? finish(c) : 0;
}

/*
 * AOL's older notice from MAILER-DAEMON@aol.com: "Your mail to the following
 * recipients could not be delivered because they are not accepting mail
 * from <sender>:", then the recipients one per line, by screen name (an AOL
 * address without its domain) or address.  The sentence is the diagnostic.
 */
static int
dec_aol(lctx *c)
{
	const char *at = strrchr(c->from, '@');
	size_t		b,
				sb;
	line		l,
				head;
	bool		any = false;

	if (at == NULL || strncasecmp(at + 1, "aol.com", 7) != 0 || isalnum((unsigned char) at[8]) ||
		at[8] == '.' || at[8] == '-')
		return 0;
	sb = line_with(c->t, 0, c->end, "mail to the following recipients could not be delivered");
	if (sb == (size_t) -1 || !get_line(c->t, c->end, sb, &head))
		return 0;
	b = head.next;
	FOR_LINES(c->t, b, c->end, l)
	{
		char		addr[ADDR_MAX];
		ma_dsn_rcpt *x;

		if (l.tn == 0)
		{
			if (any)
				break;
			continue;
		}
		if (memchr(l.t, ' ', l.tn) || memchr(l.t, '\t', l.tn) || l.tn > 64)
			break;
		if (memchr(l.t, '@', l.tn))
		{
			if (!ma_dsn_find_addr(l.t, l.tn, addr, sizeof(addr)))
				break;
		}
		else
		{
			/* a screen name: letters, digits, '.', '_' and '-' */
			for (size_t i = 0; i < l.tn; i++)
				if (!isalnum((unsigned char) l.t[i]) && l.t[i] != '.' && l.t[i] != '_' && l.t[i] != '-')
					return any ? finish(c) : 0;
			snprintf(addr, sizeof(addr), "%.*s@aol.com", (int) l.tn, l.t);
		}
		x = row_for(c, addr, "aol");
		if (x == NULL)
			break;
		any = true;
		if (x->diagnostic == NULL)
			diag_add(x, head.t, head.tn);
	}
	return any ? finish(c) : 0;
}

/* ---------------------------------------------------------------------
 * Exim (and Mail.ru, MXLogic, GMX, 1&1, Zoho: Exim underneath)
 * ---------------------------------------------------------------------
 */
static int
dec_exim(lctx *c)
{
	static const char *const starts[] = {
		"The following address(es) failed:", "The following address failed:",
		"could not be delivered to all of its recipients",
		"could not be delivered to one or more of its recipients",
		"could not be delivered to one or more recipients",
		"recipient addresses that were incorrectly constructed",
		"was rejected by the local scanning code", "was rejected by the local scannning code",
		"has not yet been delivered to one or more of its recipients",
		"router encountered the following error(s):",
		"The following addresses failed:", NULL
	};
	static const char *const sigs[] = {
		"This message was created automatically by mail delivery software",
		"A message that you sent contained one or more recipient addresses",
		"A message that you sent could not be delivered",
		"A message that you sent was rejected by the local scan",
		"A message that you sent has not yet been delivered",
		"router encountered the following error(s)",
		"created automatically by mail delivery software",
		"\xd1\x81\xd0\xbe\xd0\xb7\xd0\xb4\xd0\xb0\xd0\xbd\xd0\xbe \xd0\xb0\xd0\xb2\xd1\x82\xd0\xbe\xd0\xbc\xd0\xb0\xd1\x82\xd0\xb8\xd1\x87\xd0\xb5\xd1\x81\xd0\xba\xd0\xb8",	/* "создано автоматически" (Mail.Ru) */
		NULL
	};
	const char *src = "exim";
	bool		sig = false;
	size_t		b;
	bopts		o = {.max_indent = 3,.blank_ends = false,.body_indented = true};
	int			k;

	for (int i = 0; sigs[i] && !sig; i++)
		if (find_ci(c->t, c->end, sigs[i]))
			sig = true;
	if (!sig && !find_ci(c->t, c->end, "Message ") /* frozen */ )
		return 0;
	if (!sig)
	{
		/* "Message 1abc-xyz-00 has been frozen" */
		if (!find_ci(c->t, c->end, "has been frozen") && !find_ci(c->t, c->end, "was frozen on arrival"))
			return 0;
	}
	if (has_ci(c->from, ".mail.ru") || has_ci(c->from, "@mail.ru") || received_has(c, ".mail.ru"))
		src = "mailru";
	else if (has_ci(c->from, "gmx.") || has_ci(c->from, "@web.de") || received_has(c, "gmx.net"))
		src = "gmx";
	else if (has_ci(c->from, "mxlogic") || find_ci(c->t, c->n, "Included is a copy of the message header"))
		src = "mxlogic";
	else if (has_ci(c->from, "zoho") || received_has(c, "zoho.com"))
		src = "zoho";
	else if (has_ci(c->from, "1und1") || has_ci(c->from, "1and1") || received_has(c, "kundenserver.de"))
		src = "einsundeins";
	b = section_start(c, starts);
	if (b == (size_t) -1)
	{
		/* frozen messages, local scanning: from the signature */
		for (int i = 0; sigs[i]; i++)
		{
			size_t		x = after_line_with(c->t, 0, c->end, sigs[i]);

			if (x != (size_t) -1 && x < b)
				b = x;
		}
		if (b == (size_t) -1)
			b = 0;
	}
	/* GMX writes the address flush left and in quotes: "a@b": */
	if (strcmp(src, "gmx") == 0)
		o.max_indent = 2;
	k = blocks(c, b, c->end, &o, src);
	/*
	 * Entries whose first line is not an address: "pipe to |/usr/bin/x",
	 * "save to /var/mail/x", "an undisclosed address"; the address is in
	 * "(generated from a@b)" or "generated by a@b" below it.
	 */
	{
		line		l;
		bool		alias_head = false;
		lbuf		d = {0};
		ma_dsn_rcpt *x = NULL;

		FOR_LINES(c->t, b, c->end, l)
		{
			const char *g;
			char		addr[ADDR_MAX];
			const char *rest;
			size_t		restn;

			if (l.tn == 0)
				continue;
			if (l.indent <= 3 && (starts_ci(l.t, l.tn, "pipe to |") || starts_ci(l.t, l.tn, "save to ") ||
								  starts_ci(l.t, l.tn, "an undisclosed address") ||
								  starts_ci(l.t, l.tn, "file ")))
			{
				if (x && d.n)
					diag_add(x, d.p, d.n);
				x = NULL;
				d.n = 0;
				alias_head = true;
				continue;
			}
			if (l.indent <= 3 && head_addr(l.t, l.tn, false, addr, &rest, &restn))
			{
				/* an ordinary entry: blocks() read it */
				if (x && d.n)
					diag_add(x, d.p, d.n);
				x = NULL;
				d.n = 0;
				alias_head = false;
				continue;
			}
			if (!alias_head)
				continue;
			if (((g = find_ci(l.t, l.tn, "generated from ")) != NULL && (g += 15)) ||
				((g = find_ci(l.t, l.tn, "generated by ")) != NULL && (g += 13)))
			{
				if (x == NULL && ma_dsn_find_addr(g, l.tn - (size_t) (g - l.t), addr, sizeof(addr)))
					x = row_for(c, addr, src);
				continue;
			}
			lb_add(&d, l.t, l.tn);
			lb_add(&d, " ", 1);
		}
		if (x && d.n)
			diag_add(x, d.p, d.n);
		lb_free(&d);
	}
	(void) k;
	if (c->r->n == c->first)
	{
		const char *xf = ma_bmsg_header(c->m, "x-failed-recipients");

		if (xf && rows_from_header_list(c, xf, src) > 0)
			diag_default(c, b, c->end);
	}
	return finish(c);
}

/* ---------------------------------------------------------------------
 * Postfix
 * ---------------------------------------------------------------------
 */
/*
 * "Postfix SMTP server: errors from ...": the session transcript sent to the
 * postmaster, " In:  RCPT TO:<a@b>", " Out: 451 4.3.0 Error: ...".
 */
static int
postfix_transcript(lctx *c)
{
	size_t		b = after_line_with(c->t, 0, c->end, "Transcript of session follows");
	line		l;
	lbuf		err = {0};
	int			k = 0;

	if (b == (size_t) -1 || !has_ci(c->subject, "Postfix SMTP server"))
		return 0;
	FOR_LINES(c->t, b, c->end, l)
	{
		char		addr[ADDR_MAX];

		if (starts_ci(l.t, l.tn, "In:") && find_ci(l.t, l.tn, "RCPT TO:") &&
			ma_dsn_find_addr(l.t, l.tn, addr, sizeof(addr)))
		{
			if (row_for(c, addr, "postfix"))
				k++;
		}
		else if (starts_ci(l.t, l.tn, "Out:"))
		{
			const char *v = l.t + 4;

			while (v < l.t + l.tn && sp(*v))
				v++;
			if (*v == '4' || *v == '5')
			{
				err.n = 0;
				lb_add(&err, v, l.tn - (size_t) (v - l.t));
			}
		}
	}
	for (size_t i = c->first; i < c->r->n && err.n; i++)
		diag_add(&c->r->rcpts[i], err.p, err.n);
	lb_free(&err);
	return k ? finish(c) : 0;
}

static int
dec_postfix(lctx *c)
{
	static const char *const sigs[] = {
		"This is the mail system at host", "The mail system", "The Postfix program",
		"This is the Postfix program", "Postfix program", NULL
	};
	size_t		b = (size_t) -1;
	bopts		o = {.max_indent = 0,.blank_ends = true};
	const char *src = "postfix";

	for (int i = 0; sigs[i]; i++)
	{
		size_t		x = after_line_with(c->t, 0, c->end, sigs[i]);

		if (x != (size_t) -1 && (b == (size_t) -1 || x > b))
			b = x;
	}
	if (b == (size_t) -1)
		return postfix_transcript(c);
	if (has_ci(c->from, "yandex") || find_ci(c->t, c->end, "mail system at host yandex"))
		src = "yandex";
	blocks(c, b, c->end, &o, src);
	if (c->r->n == c->first)
	{
		/* "--- Delivery report unavailable ---": the returned message's To */
		char		addr[ADDR_MAX];

		if (c->m->dsn == NULL && orig_to(c, (size_t) -1, addr))
		{
			row_for(c, addr, src);
			diag_default(c, b, c->end);
		}
		else
			return claim(c, src, NULL, 0);
	}
	return finish(c);
}

/* ---------------------------------------------------------------------
 * Sendmail, V5 sendmail
 * ---------------------------------------------------------------------
 */
static int
dec_sendmail(lctx *c)
{
	static const char *const fatal[] = {
		"----- The following addresses had permanent fatal errors -----",
		"----- The following addresses had transient non-fatal errors -----",
		"----- The following addresses have delivery notifications -----",
		"----- The following addresses had permanent delivery errors -----",
		"----- The following addresses had delivery problems -----", NULL
	};
	size_t		tr = after_line_with(c->t, 0, c->end, "----- Transcript of session follows -----");
	size_t		fa = section_start(c, fatal);
	const char *src = "sendmail";
	bool		v5 = false;

	if (tr == (size_t) -1 && fa == (size_t) -1)
	{
		/* "Warning: could not send message for past 4 hours": the lines of the report */
		if (has_ci(c->subject, "see transcript for details") ||
			has_ci(c->subject, "Warning: could not send message") ||
			(has_ci(c->subject, "Returned mail:") && find_ci(c->t, c->end, "The original message was received at")))
		{
			size_t		b = after_line_with(c->t, 0, c->end, "The original message was received at");
			line		l;
			lbuf		d = {0};
			int			k;

			if (b == (size_t) -1)
				b = 0;
			FOR_LINES(c->t, b, c->end, l)
			{
				if (l.tn == 0 || starts_ci(l.t, l.tn, "from ") || l.indent > 0)
					continue;
				if (starts_ci(l.t, l.tn, "Reporting-MTA:") || starts_ci(l.t, l.tn, "Final-Recipient:"))
					break;
				lb_add(&d, l.t, l.tn);
				lb_add(&d, " ", 1);
			}
			k = claim(c, "sendmail", d.p, d.n);
			lb_free(&d);
			return k;
		}
		return 0;
	}
	if (fa == (size_t) -1 && tr != (size_t) -1)
		v5 = true;
	if (v5)
		src = "v5sendmail";
	/* the recipients with their "(reason: ...)" */
	if (fa != (size_t) -1)
	{
		size_t		e = tr != (size_t) -1 && tr > fa ? line_with(c->t, fa, c->end, "----- Transcript of session follows") : c->end;
		bopts		o = {.max_indent = 3,.blank_ends = true};

		if (e == (size_t) -1 || e < fa)
			e = c->end;
		blocks(c, fa, e, &o, src);
	}
	/* the transcript: ">>> RCPT To:<a@b>" then "<<< 550 ..." lines */
	if (tr != (size_t) -1)
	{
		line		l;
		ma_dsn_rcpt *cur = NULL;
		char		rhost[256] = "";
		lbuf		sess = {0};	/* replies not tied to a recipient */
		lbuf		pend = {0};	/* lines of a local delivery ("mail.local: ...") */

		FOR_LINES(c->t, tr, c->end, l)
		{
			char		addr[ADDR_MAX];
			const char *rest;
			size_t		restn;
			const char *w;

			if (l.tn == 0)
				continue;
			if ((w = find_ci(l.t, l.tn, "while talking to ")) != NULL)
			{
				size_t		k = 0;
				const char *h = w + 17;

				while (h + k < l.t + l.tn && !sp(h[k]) && h[k] != ':' && k < sizeof(rhost) - 1)
					k++;
				memcpy(rhost, h, k);
				rhost[k] = '\0';
				while (k > 0 && rhost[k - 1] == '.')
					rhost[--k] = '\0';
				cur = NULL;
				pend.n = 0;
				continue;
			}
			if (starts_ci(l.t, l.tn, ">>> "))
			{
				const char *lt = memchr(l.t, '<', l.tn);

				if ((starts_ci(l.t + 4, l.tn - 4, "RCPT") || starts_ci(l.t + 4, l.tn - 4, "DATA")) &&
					lt && ma_dsn_find_addr(lt, l.tn - (size_t) (lt - l.t), addr, sizeof(addr)))
				{
					cur = row_for(c, addr, src);
					if (cur && rhost[0])
						ma_dsn_set(&cur->remote_mta, rhost);
					if (cur)
						free(cur->diagnostic), cur->diagnostic = NULL;
				}
				else if (!starts_ci(l.t + 4, l.tn - 4, "RCPT"))
					cur = NULL;
				continue;
			}
			if (starts_ci(l.t, l.tn, "<<< "))
			{
				if (cur)
					diag_add(cur, l.t + 4, l.tn - 4);
				else
				{
					/* a reply to MAIL or to the greeting: it concerns every recipient */
					lb_add(&sess, l.t + 4, l.tn - 4);
					lb_add(&sess, " ", 1);
					if (pend.n < 1024)
					{
						lb_add(&pend, l.t + 4, l.tn - 4);
						lb_add(&pend, " ", 1);
					}
				}
				continue;
			}
			/* "550 5.1.1 <a@b>... User unknown" */
			if (l.indent == 0 && head_addr(l.t, l.tn, true, addr, &rest, &restn) && restn)
			{
				ma_dsn_rcpt *x = row_for(c, addr, src);

				/* sendmail's own summary of a reply quoted above ("<<< ") */
				if (x && x->diagnostic == NULL)
				{
					if (pend.n)
						diag_add(x, pend.p, pend.n);
					diag_add(x, l.t, l.tn);
				}
				pend.n = 0;
				cur = NULL;
				continue;
			}
			if (cur == NULL && l.indent == 0 && !starts_ci(l.t, l.tn, "Reporting-MTA:") &&
				!starts_ci(l.t, l.tn, "Final-Recipient:") && pend.n < 1024)
			{
				lb_add(&pend, l.t, l.tn);
				lb_add(&pend, " ", 1);
			}
		}
		if (c->r->n == c->first && (pend.n || sess.n))
		{
			/* "|/usr/bin/program" and a mailer error: about the whole message */
			lbuf		d = {0};

			if (sess.n)
				lb_add(&d, sess.p, sess.n);
			if (pend.n)
				lb_add(&d, pend.p, pend.n);
			claim(c, src, d.p, d.n);
			lb_free(&d);
			lb_free(&pend);
			lb_free(&sess);
			return 1;
		}
		if (sess.n)
			for (size_t i = c->first; i < c->r->n; i++)
				if (c->r->rcpts[i].diagnostic == NULL || !isdigit((unsigned char) c->r->rcpts[i].diagnostic[0]))
				{
					if (c->r->rcpts[i].diagnostic == NULL)
						diag_add(&c->r->rcpts[i], sess.p, sess.n);
					if (rhost[0] && c->r->rcpts[i].remote_mta == NULL)
						ma_dsn_set(&c->r->rcpts[i].remote_mta, rhost);
				}
		lb_free(&sess);
		lb_free(&pend);
	}
	return finish(c);
}

/* ---------------------------------------------------------------------
 * Courier
 * ---------------------------------------------------------------------
 */
static int
dec_courier(lctx *c)
{
	size_t		b = (size_t) -1;
	line		l;
	ma_dsn_rcpt *cur = NULL;

	if (find_ci(c->t, c->end, "UNDELIVERABLE MAIL") == NULL &&
		find_ci(c->t, c->end, "DELAYS IN DELIVERING YOUR MESSAGE") == NULL &&
		!has_ci(hdr(c, "x-mailer"), "courier") && !received_has(c, "courier"))
		return 0;
	b = 0;
	FOR_LINES(c->t, b, c->end, l)
	{
		char		addr[ADDR_MAX];
		const char *rest;
		size_t		restn;

		if (l.tn == 0)
			continue;
		if (l.indent == 0 && l.t[0] == '<' && head_addr(l.t, l.tn, false, addr, &rest, &restn) &&
			l.t[l.tn - 1] == ':')
		{
			cur = row_for(c, addr, "courier");
			continue;
		}
		if (cur == NULL)
			continue;
		if (starts_ci(l.t, l.tn, "<<< "))
			diag_add(cur, l.t + 4, l.tn - 4);
		else if (starts_ci(l.t, l.tn, ">>> "))
			continue;
		else if (find_ci(l.t, l.tn, "the following error") || starts_ci(l.t, l.tn, "The original message"))
			continue;
		else if (l.indent > 0 && cur->diagnostic == NULL && l.t[l.tn - 1] == ':' &&
				 memchr(l.t, '[', l.tn) && cur->remote_mta == NULL)
			set_rhost(cur, l.t, l.tn);	/* "mx.example.net [192.0.2.1]:" */
		else if (l.indent > 0 && cur->diagnostic == NULL)
			diag_add(cur, l.t, l.tn);
		else if (starts_ci(l.t, l.tn, "No such domain") || starts_ci(l.t, l.tn, "DNS lookup failed"))
			diag_add(cur, l.t, l.tn);
	}
	return finish(c);
}

/* ---------------------------------------------------------------------
 * OpenSMTPD
 * ---------------------------------------------------------------------
 */
static int
dec_opensmtpd(lctx *c)
{
	size_t		b = after_line_with(c->t, 0, c->end, "the following list of recipients:");
	bopts		o = {.max_indent = 0,.blank_ends = false};

	if (find_ci(c->t, c->end, "This is the MAILER-DAEMON, please DO NOT REPLY") == NULL)
		return 0;
	if (b == (size_t) -1)
		b = after_line_with(c->t, 0, c->end, "please DO NOT REPLY");
	blocks(c, b, c->end, &o, "opensmtpd");
	return finish(c);
}

/* ---------------------------------------------------------------------
 * DragonFly Mail Agent
 * ---------------------------------------------------------------------
 */
static int
dec_dragonfly(lctx *c)
{
	line		l;
	ma_dsn_rcpt *cur = NULL;
	size_t		b;

	if (find_ci(c->t, c->end, "DragonFly Mail Agent") == NULL &&
		find_ci(c->t, c->end, "There was an error delivering your mail to <") == NULL)
		return 0;
	b = line_with(c->t, 0, c->end, "There was an error delivering your mail to");
	if (b == (size_t) -1)
		return 0;
	FOR_LINES(c->t, b, c->end, l)
	{
		const char *p = find_ci(l.t, l.tn, "error delivering your mail to");
		char		addr[ADDR_MAX];

		if (p && ma_dsn_find_addr(p, l.tn - (size_t) (p - l.t), addr, sizeof(addr)))
		{
			cur = row_for(c, addr, "dragonfly");
			continue;
		}
		if (cur == NULL || l.tn == 0)
			continue;
		if ((p = find_ci(l.t, l.tn, " did not like our ")) != NULL)
		{
			set_rhost(cur, l.t, (size_t) (p - l.t));
			continue;
		}
		diag_add(cur, l.t, l.tn);
	}
	return finish(c);
}

/* ---------------------------------------------------------------------
 * Gmail, Google Groups, Google Workspace
 * ---------------------------------------------------------------------
 */
/*
 * Gmail's own notices end the remote server's reply with "(state N)." (the
 * SMTP stage its error came at): without a specific status code in the
 * reply (x.y.z with y 1-7 and z 1-9), the state says the reason, as
 * Sisimai's Gmail module reads it (state 6, "does not support TLS", is
 * failedstarttls, as Sisimai 5 has it).
 */
static void
gmail_state_reasons(lctx *c)
{
	static const struct
	{
		int			state;
		const char *reason;
	}			states[] = {
		{6, "failedstarttls"}, {8, "systemerror"}, {9, "systemerror"}, {12, "norelaying"},
		{13, "blocked"}, {14, "userunknown"}, {15, "filtered"}, {17, "filtered"}, {18, "filtered"},
	};

	for (size_t i = c->first; i < c->r->n; i++)
	{
		ma_dsn_rcpt *x = &c->r->rcpts[i];
		const char *d = x->diagnostic,
				   *p;
		char		code[16];
		int			st = 0;

		if (d == NULL || x->reason != NULL || (p = find_ci(d, strlen(d), "(state ")) == NULL)
			continue;
		for (p += 7; *p >= '0' && *p <= '9' && st < 1000; p++)
			st = st * 10 + (*p - '0');
		if (*p != ')')
			continue;
		if (ma_bounce_find_status(d, code) && code[2] >= '1' && code[2] <= '7' && code[3] == '.' &&
			code[4] >= '1' && code[4] <= '9')
			continue;			/* the code says it */
		for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++)
			if (states[k].state == st)
				x->reason = states[k].reason;
	}
}

static int
dec_gmail(lctx *c)
{
	size_t		b = line_with(c->t, 0, c->end, "Delivery to the following recipient");
	line		l;
	ma_dsn_rcpt *cur = NULL;
	bool		intro = true;

	if (b == (size_t) -1)
		return 0;
	if (!(has_ci(c->from, "googlemail.com") || has_ci(c->from, "google.com") ||
		  has_ci(c->from, "gmail.com") || find_ci(c->t, c->end, "Technical details of")))
		return 0;
	FOR_LINES(c->t, b, c->end, l)
	{
		char		addr[ADDR_MAX];
		const char *rest;
		size_t		restn;

		if (l.tn == 0)
			continue;
		if (starts_ci(l.t, l.tn, "Delivery to the following recipient"))
		{
			intro = true;
			continue;
		}
		if (intro && head_addr(l.t, l.tn, false, addr, &rest, &restn))
		{
			cur = row_for(c, addr, "gmail");
			intro = false;
			continue;
		}
		if (cur == NULL)
			continue;
		if (starts_ci(l.t, l.tn, "Technical details of") ||
			starts_ci(l.t, l.tn, "The error that the other server returned was") ||
			starts_ci(l.t, l.tn, "----- "))
			continue;
		diag_add(cur, l.t, l.tn);
		{
			const char *by = find_ci(l.t, l.tn, " by ");

			if (find_ci(l.t, l.tn, "rejected by the server for the recipient domain") && by)
			{
				/* "... recipient domain example.jp by mx.example.jp. [192.0.2.1]." */
				const char *last = by;
				const char *q;

				while ((q = find_ci(last + 4, l.tn - (size_t) (last + 4 - l.t), " by ")) != NULL)
					last = q;
				set_rhost(cur, last + 4, l.tn - (size_t) (last + 4 - l.t));
			}
		}
	}
	gmail_state_reasons(c);
	return finish(c);
}

static int
dec_googlegroups(lctx *c)
{
	const char *xf = ma_bmsg_header(c->m, "x-failed-recipients");
	const char *from = c->from;

	if (!(has_ci(from, "googlemail.com") || has_ci(from, "google.com")) || xf == NULL)
		return 0;
	if (!find_ci(c->t, c->n, "Google Groups") && !find_ci(c->t, c->n, "Google グループ") &&
		!find_ci(c->t, c->n, "groups.google.com"))
		return 0;
	rows_from_header_list(c, xf, "googlegroups");
	diag_default(c, 0, c->end);
	return finish(c);
}

static int
dec_googleworkspace(lctx *c)
{
	size_t		b;
	line		l;
	lbuf		d = {0};
	const char *xf;
	int			k = 0;

	if (!(find_ci(c->t, c->end, "** Message not delivered **") ||
		  find_ci(c->t, c->end, "** Address not found **") ||
		  find_ci(c->t, c->end, "** Message blocked **") ||
		  find_ci(c->t, c->end, "** Delivery incomplete **") ||
		  find_ci(c->t, c->end, "** Message delivery failed **")))
		return 0;
	b = line_with(c->t, 0, c->end, "** ");
	if (b == (size_t) -1)
		return 0;
	xf = ma_bmsg_header(c->m, "x-failed-recipients");
	/* the explanation: the paragraphs after the title; the reply after "The response ..." */
	FOR_LINES(c->t, b, c->end, l)
	{
		if (l.tn == 0 || (l.tn > 4 && l.t[0] == '*' && l.t[1] == '*'))
			continue;
		if (starts_ci(l.t, l.tn, "Learn more") || starts_ci(l.t, l.tn, "The response") ||
			starts_ci(l.t, l.tn, "The error"))
			continue;
		if (starts_ci(l.t, l.tn, "Content-Type:") || starts_ci(l.t, l.tn, "--"))
			break;
		lb_add(&d, l.t, l.tn);
		lb_add(&d, " ", 1);
		if (d.n > 4000)
			break;
	}
	if (xf)
		k = rows_from_header_list(c, xf, "googleworkspace");
	if (k == 0)
	{
		/* the address in the explanation: "Your message wasn't delivered to a@b because ..." */
		char		addr[ADDR_MAX];

		if (d.p && ma_dsn_find_addr(d.p, d.n, addr, sizeof(addr)))
			row_for(c, addr, "googleworkspace");
	}
	for (size_t i = c->first; i < c->r->n && d.n; i++)
		diag_add(&c->r->rcpts[i], d.p, d.n);
	lb_free(&d);
	return finish(c);
}

/* ---------------------------------------------------------------------
 * Exchange 2003 ("did not reach the following recipient(s)")
 * ---------------------------------------------------------------------
 */
static int
dec_exchange2003(lctx *c)
{
	static const char *const starts[] = {
		"did not reach the following recipient(s):",
		"The following recipient(s) could not be reached:",
		"did not reach the following recipient",
		NULL
	};
	size_t		b = section_start(c, starts);
	bopts		o = {.max_indent = 8,.blank_ends = true};

	if (b == (size_t) -1)
		return 0;
	blocks(c, b, c->end, &o, "exchange2003");
	/* "a@b on 4/29/01 11:34:45 PM": the date is not an explanation */
	for (size_t i = c->first; i < c->r->n; i++)
	{
		ma_dsn_rcpt *x = &c->r->rcpts[i];

		if (x->diagnostic && strncmp(x->diagnostic, "on ", 3) == 0)
		{
			const char *p = x->diagnostic + 3;
			int			sp2 = 0;

			/* skip "on <date> <time> [AM|PM]" */
			while (*p && sp2 < 3)
			{
				if (*p == ' ')
				{
					sp2++;
					if (sp2 == 2 && !(strncmp(p + 1, "AM", 2) == 0 || strncmp(p + 1, "PM", 2) == 0))
						break;
				}
				p++;
			}
			while (*p == ' ')
				p++;
			{
				char	   *t = strdup(p);

				if (t)
				{
					free(x->diagnostic);
					x->diagnostic = NULL;
					diag_add(x, t, strlen(t));
					free(t);
				}
			}
		}
	}
	return finish(c);
}

/* ---------------------------------------------------------------------
 * Exchange 2007+ / Office 365 / Outlook.com text
 * ---------------------------------------------------------------------
 */
static int
dec_exchange(lctx *c)
{
	static const char *const starts[] = {
		"Delivery has failed to these recipients or groups:",
		"Delivery has failed to these recipients or distribution lists:",
		"La remise du message a échoué pour ces destinataires",
		"La remise a échoué pour les destinataires",
		"Impossibile recapitare il messaggio ai seguenti destinatari",
		"Die Nachricht konnte an die folgenden Empfänger",
		"Falha na entrega para estes destinatários",
		"rejected your message to the following e-mail addresses:",
		"rejected your message to the following email addresses:",
		"Your message couldn't be delivered",
		"Your message wasn't delivered",
		"Original Message Details",
		NULL
	};
	static const char *const diagmarks[] = {
		"Diagnostic information for administrators:",
		"Informations de diagnostic pour les administrateurs",
		"Informazioni di diagnostica per gli amministratori",
		"Diagnoseinformationen für Administratoren",
		"Diagnostisk information f",
		"Error Details", NULL
	};
	size_t		b = section_start(c, starts);
	size_t		dm = section_start(c, diagmarks);
	line		l;
	bopts		o = {.max_indent = 2,.blank_ends = true};
	const char *src = "exchange2007";

	if (b == (size_t) -1 && dm == (size_t) -1)
		return 0;
	if (b != (size_t) -1)
	{
		size_t		e = dm != (size_t) -1 && dm > b ? dm : c->end;

		blocks(c, b, e, &o, src);
	}
	/* the diagnostic section: "addr\nGenerating server: x\n\naddr\nRemote Server returned '550 ...'" */
	if (dm != (size_t) -1)
	{
		ma_dsn_rcpt *cur = NULL;
		char		gen[256] = "";

		FOR_LINES(c->t, dm, c->end, l)
		{
			char		addr[ADDR_MAX];
			const char *rest;
			size_t		restn;

			if (l.tn == 0)
				continue;
			if (starts_ci(l.t, l.tn, "Receiving server:") && gen[0] != '!')
			{
				/* the host that refused: better than the one that wrote the report */
				const char *colon = memchr(l.t, ':', l.tn);
				size_t		k = 1;
				const char *h = colon + 1;

				while (h < l.t + l.tn && sp(*h))
					h++;
				gen[0] = '!';
				while (h + k - 1 < l.t + l.tn && !sp(h[k - 1]) && k < sizeof(gen) - 1)
				{
					gen[k] = (char) tolower((unsigned char) h[k - 1]);
					k++;
				}
				gen[k] = '\0';
				continue;
			}
			if ((starts_ci(l.t, l.tn, "Generating server:") || starts_ci(l.t, l.tn, "Serveur de g") ||
				 starts_ci(l.t, l.tn, "Server di generazione:")) && gen[0] != '!')
			{
				const char *colon = memchr(l.t, ':', l.tn);

				if (colon)
				{
					size_t		k = 0;
					const char *h = colon + 1;

					while (h < l.t + l.tn && sp(*h))
						h++;
					while (h + k < l.t + l.tn && !sp(h[k]) && k < sizeof(gen) - 1)
					{
						gen[k] = (char) tolower((unsigned char) h[k]);
						k++;
					}
					gen[k] = '\0';
				}
				continue;
			}
			if (l.indent == 0 && head_addr(l.t, l.tn, false, addr, &rest, &restn) && restn == 0)
			{
				cur = row_for(c, addr, src);
				continue;
			}
			if (starts_ci(l.t, l.tn, "Original message headers") || starts_ci(l.t, l.tn, "Message Hops") ||
				starts_ci(l.t, l.tn, "Intestazioni originali") || starts_ci(l.t, l.tn, "Ursprungshuvuden") ||
				find_ci(l.t, l.tn, "tes de message d'origine"))
				break;
			if (starts_ci(l.t, l.tn, "DSN generated by:") || starts_ci(l.t, l.tn, "Genererande server"))
			{
				const char *colon = memchr(l.t, ':', l.tn);

				if (colon && cur)
					set_rhost(cur, colon + 1, l.tn - (size_t) (colon + 1 - l.t));
				continue;
			}
			if (cur && l.tn > 2 && l.t[0] == '#')
			{
				/* Exchange 2010: "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##" */
				size_t		k = l.tn;

				while (k > 1 && (l.t[k - 1] == '#' || sp(l.t[k - 1])))
					k--;
				if (cur->diagnostic == NULL || !isdigit((unsigned char) cur->diagnostic[0]))
				{
					free(cur->diagnostic);
					cur->diagnostic = NULL;
					diag_add(cur, l.t + 1, k - 1);
				}
				continue;
			}
			if (cur)
			{
				const char *q;

				/* "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'" */
				if ((q = find_ci(l.t, l.tn, "returned '")) != NULL)
				{
					const char *s0 = q + 10;
					const char *e0 = l.t + l.tn;

					if (e0 > s0 && e0[-1] == '\'')
						e0--;
					free(cur->diagnostic);
					cur->diagnostic = NULL;
					diag_add(cur, s0, (size_t) (e0 - s0));
				}
				else if (cur->diagnostic == NULL || !isdigit((unsigned char) cur->diagnostic[0]))
					diag_add(cur, l.t, l.tn);
				if (find_ci(l.t, l.tn, "[") && find_ci(l.t, l.tn, "]") && cur->remote_mta == NULL &&
					find_ci(l.t, l.tn, "#< ") == NULL && (q = find_ci(l.t, l.tn, "#")) == NULL)
				{
					/* "mx.example.com #550 ..." keeps the host out of the diagnostic */
				}
			}
		}
		if (c->r->n == c->first)
		{
			/* "Original Message Details" ... "Recipient Address: a@b" */
			size_t		ra = line_with(c->t, 0, c->end, "Recipient Address:");
			line		l2;
			char		addr[ADDR_MAX];

			if (ra != (size_t) -1 && get_line(c->t, c->end, ra, &l2) &&
				ma_dsn_find_addr(l2.t, l2.tn, addr, sizeof(addr)))
			{
				row_for(c, addr, src);
				diag_default(c, dm, c->end);
			}
		}
		if (gen[0] && gen[gen[0] == '!'])
			for (size_t i = c->first; i < c->r->n; i++)
				if (c->r->rcpts[i].remote_mta == NULL)
					ma_dsn_set(&c->r->rcpts[i].remote_mta, gen + (gen[0] == '!'));
	}
	return finish(c);
}

/* ---------------------------------------------------------------------
 * Amazon SES (text and JSON notifications), Amazon WorkMail, SendGrid
 * ---------------------------------------------------------------------
 */

/* the string value of "key": "..." in JSON text (first one), into out */
static bool
json_str(const char *s, size_t n, const char *key, char *out, size_t outlen)
{
	char		pat[64];
	const char *p;
	size_t		o = 0;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = find_ci_tmp(s, n, pat);
	if (p == NULL)
		return false;
	p += strlen(pat);
	while (p < s + n && (sp(*p) || *p == ':' || *p == '\n'))
		p++;
	if (p >= s + n || *p != '"')
		return false;
	p++;
	while (p < s + n && *p != '"' && o + 1 < outlen)
	{
		if (*p == '\\' && p + 1 < s + n)
			p++;
		out[o++] = *p++;
	}
	out[o] = '\0';
	return true;
}

static int
ses_json(lctx *c, const char *t, size_t n)
{
	const char *br;
	char		type[64] = "";

	if (!json_str(t, n, "notificationType", type, sizeof(type)))
		json_str(t, n, "eventType", type, sizeof(type));
	if (strcasecmp(type, "Bounce") == 0)
	{
		/* "bouncedRecipients":[{"emailAddress":"a@b","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 ..."}] */
		const char *p = find_ci(t, n, "\"bouncedRecipients\"");

		if (p == NULL)
			return 0;
		while ((br = find_ci(p, n - (size_t) (p - t), "\"emailAddress\"")) != NULL)
		{
			const char *end = memchr(br, '}', n - (size_t) (br - t));
			size_t		len = end ? (size_t) (end - br) : n - (size_t) (br - t);
			char		v[2048];
			char		addr[ADDR_MAX];
			ma_dsn_rcpt *x;

			if (json_str(br, len, "emailAddress", v, sizeof(v)) &&
				ma_dsn_find_addr(v, strlen(v), addr, sizeof(addr)) &&
				(x = row_for(c, addr, "amazonses")) != NULL)
			{
				if (json_str(br, len, "action", v, sizeof(v)) && v[0])
					ma_dsn_set(&x->action, v);
				if (json_str(br, len, "status", v, sizeof(v)) && v[0])
					ma_dsn_set(&x->status, v);
				if (json_str(br, len, "diagnosticCode", v, sizeof(v)) && v[0])
				{
					const char *d = v;

					if (strncasecmp(d, "smtp;", 5) == 0)
						d += 5;
					diag_add(x, d, strlen(d));
				}
			}
			p = end ? end : t + n;
			if (p >= t + n)
				break;
		}
		{
			char		mta[256];

			if (json_str(t, n, "reportingMTA", mta, sizeof(mta)))
				for (size_t i = c->first; i < c->r->n; i++)
				{
					const char *h = mta;

					if (strncasecmp(h, "dsn;", 4) == 0)
						h += 4;
					while (*h == ' ')
						h++;
					ma_dsn_set(&c->r->rcpts[i].reporting_mta, h);
				}
		}
	}
	else if (strcasecmp(type, "Complaint") == 0)
	{
		const char *p = find_ci(t, n, "\"complainedRecipients\"");
		char		ft[64] = "abuse";

		json_str(t, n, "complaintFeedbackType", ft, sizeof(ft));
		while (p && (br = find_ci(p, n - (size_t) (p - t), "\"emailAddress\"")) != NULL)
		{
			char		v[1024],
						addr[ADDR_MAX];
			const char *end = memchr(br, '}', n - (size_t) (br - t));
			ma_dsn_rcpt *x;

			if (json_str(br, end ? (size_t) (end - br) : n - (size_t) (br - t), "emailAddress", v, sizeof(v)) &&
				ma_dsn_find_addr(v, strlen(v), addr, sizeof(addr)) &&
				(x = row_for(c, addr, "amazonses")) != NULL)
			{
				x->reason = "feedback";
				ma_dsn_set(&x->feedback_type, ft);
			}
			p = end;
		}
	}
	else if (strcasecmp(type, "Delivery") == 0)
	{
		const char *p = find_ci(t, n, "\"recipients\"");
		char		resp[1024] = "";

		json_str(t, n, "smtpResponse", resp, sizeof(resp));
		if (p)
		{
			const char *e = memchr(p, ']', n - (size_t) (p - t));
			size_t		len = e ? (size_t) (e - p) : n - (size_t) (p - t);
			const char *q = p;

			while ((q = memchr(q, '"', len - (size_t) (q - p))) != NULL)
			{
				const char *q2 = memchr(q + 1, '"', len - (size_t) (q + 1 - p));
				char		addr[ADDR_MAX];

				if (q2 == NULL)
					break;
				if (q > p + 12 && ma_dsn_find_addr(q + 1, (size_t) (q2 - q - 1), addr, sizeof(addr)))
				{
					ma_dsn_rcpt *x = row_for(c, addr, "amazonses");

					if (x)
					{
						ma_dsn_set(&x->action, "delivered");
						if (resp[0])
							diag_add(x, resp, strlen(resp));
					}
				}
				q = q2 + 1;
			}
		}
	}
	return finish(c);
}

/*
 * Amazon SES notifications as JSON: as SES sends them by e-mail, or wrapped
 * in an Amazon SNS notification, where the SES message is the string value
 * of "Message" (its quotes escaped: {\"notificationType\":\"Bounce\",...}):
 * then read from an unescaped copy.
 */
static int
dec_amazonses_json(lctx *c)
{
	const char *t = c->t;
	size_t		n = c->n;
	char	   *u;
	size_t		o = 0;
	int			k;

	if (find_ci(t, c->end, "\"notificationType\"") || find_ci(t, c->end, "\"eventType\""))
		return ses_json(c, t, n);
	if (find_ci(t, c->end, "\\\"notificationType\\\"") == NULL &&
		find_ci(t, c->end, "\\\"eventType\\\"") == NULL)
		return 0;
	if ((u = malloc(n + 1)) == NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
	{
		if (t[i] == '\\' && i + 1 < n && (t[i + 1] == '"' || t[i + 1] == '\\' || t[i + 1] == '/'))
			i++;
		u[o++] = t[i];
	}
	u[o] = '\0';
	k = ses_json(c, u, o);
	free(u);
	return k;
}

static int
dec_amazonses(lctx *c)
{
	size_t		b;
	bopts		o = {.max_indent = 4,.blank_ends = true};

	if (!has_ci(c->from, "amazonses.com") && !find_ci(c->t, c->end, "The following message to <") &&
		!find_ci(c->t, c->end, "An error occurred while trying to deliver the mail"))
		return 0;
	b = line_with(c->t, 0, c->end, "The following message to <");
	if (b != (size_t) -1)
	{
		line		l;

		if (get_line(c->t, c->end, b, &l))
		{
			const char *lt = memchr(l.t, '<', l.tn);
			char		addr[ADDR_MAX];

			if (lt && ma_dsn_find_addr(lt, l.tn - (size_t) (lt - l.t), addr, sizeof(addr)))
			{
				row_for(c, addr, "amazonses");
				diag_default(c, l.next, c->end);
				return finish(c);
			}
		}
	}
	b = after_line_with(c->t, 0, c->end, "An error occurred while trying to deliver the mail");
	if (b == (size_t) -1)
		return 0;
	blocks(c, b, c->end, &o, "amazonses");
	return finish(c);
}

static int
dec_sendgrid(lctx *c)
{
	if (!has_ci(c->from, "sendgrid") && !find_ci(c->t, c->end, "automatically generated message from SendGrid"))
		return 0;
	{
		bopts		o = {.max_indent = 0,.blank_ends = true};
		size_t		b = after_line_with(c->t, 0, c->end, "automatically generated message from SendGrid");

		if (b == (size_t) -1)
			b = 0;
		blocks(c, b, c->end, &o, "sendgrid");
	}
	return finish(c);
}

/* ---------------------------------------------------------------------
 * Japanese carriers: KDDI (au), EZweb, Biglobe; NTT docomo is rhost
 * ---------------------------------------------------------------------
 */
static int
dec_kddi(lctx *c)
{
	line		l;
	ma_dsn_rcpt *cur = NULL;
	size_t		b = line_with(c->t, 0, c->end, "Your mail sent on");

	if (b == (size_t) -1)
		b = line_with(c->t, 0, c->end, "Your mail attempted to be delivered on");
	if (b == (size_t) -1)
		return 0;
	FOR_LINES(c->t, b, c->end, l)
	{
		const char *p;
		char		addr[ADDR_MAX];

		if (l.tn == 0)
			continue;
		if ((p = find_ci(l.t, l.tn, "Could not be delivered to:")) != NULL &&
			ma_dsn_find_addr(p, l.tn - (size_t) (p - l.t), addr, sizeof(addr)))
		{
			cur = row_for(c, addr, "kddi");
			continue;
		}
		if (cur && l.indent > 0)
			diag_add(cur, l.t, l.tn);
	}
	return finish(c);
}

static int
dec_ezweb(lctx *c)
{
	line		l;
	ma_dsn_rcpt *cur = NULL;
	lbuf		pre = {0};
	bool		ez = has_ci(c->from, "ezweb.ne.jp") || has_ci(c->from, "au.com") ||
		((find_ci(c->t, c->end, "Recipient: <") || find_ci(c->t, c->end, "The user(s) ")) &&
		 (received_has(c, "ezweb.ne.jp") || received_has(c, "au.com")));

	if (!ez)
		return 0;
	FOR_LINES(c->t, 0, c->end, l)
	{
		char		addr[ADDR_MAX];
		const char *rest;
		size_t		restn;
		const char *lt;

		if (l.tn == 0)
			continue;
		/* "<a@b>" alone, or "Recipient: <a@b>" */
		lt = l.t;
		if (starts_ci(lt, l.tn, "Recipient:"))
			lt += 10;
		while (lt < l.t + l.tn && sp(*lt))
			lt++;
		if (*lt == '<' && head_addr(lt, l.tn - (size_t) (lt - l.t), false, addr, &rest, &restn) &&
			restn == 0)
		{
			cur = row_for(c, addr, "ezweb");
			if (cur && pre.n && cur->diagnostic == NULL)
				diag_add(cur, pre.p, pre.n);
			continue;
		}
		if (starts_ci(l.t, l.tn, "<<< "))
		{
			if (cur)
			{
				free(cur->diagnostic);
				cur->diagnostic = NULL;
				diag_add(cur, l.t + 4, l.tn - 4);
			}
			continue;
		}
		if (starts_ci(l.t, l.tn, ">>> "))
			continue;
		/* the English explanation before the address */
		if (cur == NULL && (unsigned char) l.t[0] < 0x80 && isalpha((unsigned char) l.t[0]))
		{
			lb_add(&pre, l.t, l.tn);
			lb_add(&pre, " ", 1);
		}
	}
	lb_free(&pre);
	return finish(c);
}

static int
dec_biglobe(lctx *c)
{
	size_t		b = after_line_with(c->t, 0, c->end, "----- The following addresses had delivery problems -----");
	size_t		eb = after_line_with(c->t, 0, c->end, "----- Non-delivered information -----");
	bopts		o = {.max_indent = 3,.blank_ends = true};

	if (b == (size_t) -1 || !(has_ci(c->from, "biglobe") || received_has(c, "biglobe")))
		return 0;
	blocks(c, b, eb != (size_t) -1 && eb > b ? line_with(c->t, b, c->end, "----- Non-delivered") : c->end, &o, "biglobe");
	if (eb != (size_t) -1)
	{
		size_t		e2 = line_with(c->t, eb, c->end, "-----");

		for (size_t i = c->first; i < c->r->n; i++)
		{
			free(c->r->rcpts[i].diagnostic);
			c->r->rcpts[i].diagnostic = NULL;
		}
		diag_default(c, eb, e2 == (size_t) -1 ? c->end : e2);
	}
	return finish(c);
}

/* ---------------------------------------------------------------------
 * Lotus Notes / Domino
 * ---------------------------------------------------------------------
 */
static int
dec_notes(lctx *c)
{
	size_t		b = after_line_with(c->t, 0, c->end, "------- Failure Reasons");
	line		l;
	lbuf		d = {0};

	if (b == (size_t) -1)
		return 0;
	FOR_LINES(c->t, b, c->end, l)
	{
		char		addr[ADDR_MAX];
		const char *rest;
		size_t		restn;

		if (l.tn == 0)
			continue;
		if (head_addr(l.t, l.tn, false, addr, &rest, &restn) && restn == 0)
		{
			ma_dsn_rcpt *x = row_for(c, addr, "notes");

			if (x && d.n)
				diag_add(x, d.p, d.n);
			d.n = 0;
			continue;
		}
		lb_add(&d, l.t, l.tn);
		lb_add(&d, " ", 1);
	}
	lb_free(&d);
	return finish(c);
}

static int
dec_domino(lctx *c)
{
	size_t		b;
	line		l;
	ma_dsn_rcpt *cur = NULL;

	if (!find_ci(c->t, c->end, "was not delivered to:") || !find_ci(c->t, c->end, "Your message"))
		return 0;
	b = line_with(c->t, 0, c->end, "was not delivered to:");
	FOR_LINES(c->t, b, c->end, l)
	{
		char		addr[ADDR_MAX];
		const char *rest;
		size_t		restn;

		if (l.tn == 0)
			continue;
		if (cur == NULL && head_addr(l.t, l.tn, false, addr, &rest, &restn))
		{
			cur = row_for(c, addr, "domino");
			continue;
		}
		if (cur && (starts_ci(l.t, l.tn, "because:") || cur->diagnostic == NULL))
		{
			if (starts_ci(l.t, l.tn, "because:"))
				diag_add(cur, l.t + 8, l.tn - 8);
			else if (find_ci(l.t, l.tn, "was not delivered to") == NULL)
				diag_add(cur, l.t, l.tn);
		}
	}
	return finish(c);
}

/* ---------------------------------------------------------------------
 * Messaging Server (Sun/Oracle iPlanet)
 * ---------------------------------------------------------------------
 */
static int
dec_messagingserver(lctx *c)
{
	size_t		b = after_line_with(c->t, 0, c->end, "This report relates to a message you sent with the following header fields:");
	line		l;
	ma_dsn_rcpt *cur = NULL;

	if (b == (size_t) -1)
		return 0;
	FOR_LINES(c->t, b, c->end, l)
	{
		const char *p;
		char		addr[ADDR_MAX];

		if (l.tn == 0)
			continue;
		if ((p = find_ci(l.t, l.tn, "Recipient address:")) != NULL &&
			ma_dsn_find_addr(p + 18, l.tn - (size_t) (p + 18 - l.t), addr, sizeof(addr)))
		{
			cur = row_for(c, addr, "messagingserver");
			continue;
		}
		if (cur && (p = find_ci(l.t, l.tn, "Reason:")) != NULL)
			diag_add(cur, p + 7, l.tn - (size_t) (p + 7 - l.t));
		else if (cur && (p = find_ci(l.t, l.tn, "Remote system:")) != NULL)
		{
			const char *semi = memchr(p, ';', l.tn - (size_t) (p - l.t));
			const char *h = semi ? semi + 1 : p + 14;

			set_rhost(cur, h, l.tn - (size_t) (h - l.t));
		}
	}
	return finish(c);
}

/* ---------------------------------------------------------------------
 * Smaller families
 * ---------------------------------------------------------------------
 */

/*
 * IMail: "Unknown user: a@b", "undeliverable to a@b", then the remote reply
 * after "Body of message generated response:".
 */
static int
dec_imailserver(lctx *c)
{
	line		l;
	size_t		resp;
	bool		imail = has_ci(c->xmailer, "SMTP32") || has_ci(c->xmailer, "imail") ||
		received_has(c, "SMTPD32");

	if (!imail && !(has_ci(c->subject, "Undeliverable Mail") &&
					find_ci(c->t, c->end, "Body of message generated response:")))
		return 0;
	resp = after_line_with(c->t, 0, c->end, "Body of message generated response:");
	FOR_LINES(c->t, 0, c->end, l)
	{
		const char *p;
		char		addr[ADDR_MAX];

		if (l.tn == 0 || l.tn > 200 || (resp != (size_t) -1 && (size_t) (l.p - c->t) >= resp))
			continue;
		if (starts_ci(l.t, l.tn, "From:") || starts_ci(l.t, l.tn, "To:") ||
			starts_ci(l.t, l.tn, "CC:") || starts_ci(l.t, l.tn, "Subject:") ||
			starts_ci(l.t, l.tn, "Reply-To:"))
			continue;
		p = memchr(l.t, '@', l.tn);
		if (p && ma_dsn_find_addr(l.t, l.tn, addr, sizeof(addr)))
		{
			ma_dsn_rcpt *x = row_for(c, addr, "imailserver");

			if (x && x->diagnostic == NULL)
				diag_add(x, l.t, l.tn);
		}
	}
	if (resp != (size_t) -1 && c->r->n > c->first)
	{
		lbuf		d = {0};

		FOR_LINES(c->t, resp, c->end, l)
		{
			if (l.tn == 0 && d.n)
				break;
			lb_add(&d, l.t, l.tn);
			lb_add(&d, " ", 1);
		}
		for (size_t i = c->first; i < c->r->n && d.n; i++)
		{
			free(c->r->rcpts[i].diagnostic);
			c->r->rcpts[i].diagnostic = NULL;
			diag_add(&c->r->rcpts[i], d.p, d.n);
		}
		lb_free(&d);
	}
	return finish(c);
}

/*
 * Apache James (and Verizon's gateway): "Error message below:" then the
 * reply, "Message details:" with "RCPT TO: a@b".
 */
static int
dec_apachejames(lctx *c)
{
	size_t		eb = after_line_with(c->t, 0, c->end, "Error message below:");
	size_t		md = after_line_with(c->t, 0, c->end, "Message details:");
	line		l;
	lbuf		d = {0};
	const char *src = "apachejames";

	if (eb == (size_t) -1 || md == (size_t) -1)
		return 0;
	if (has_ci(c->from, "vtext.com") || has_ci(c->from, "vzw") || has_ci(c->from, "verizon"))
		src = "verizon";
	FOR_LINES(c->t, eb, c->end, l)
	{
		if (l.tn == 0 && d.n)
			break;
		lb_add(&d, l.t, l.tn);
		lb_add(&d, " ", 1);
	}
	FOR_LINES(c->t, md, c->end, l)
	{
		char		addr[ADDR_MAX];

		if (starts_ci(l.t, l.tn, "RCPT TO:") && ma_dsn_find_addr(l.t + 8, l.tn - 8, addr, sizeof(addr)))
		{
			ma_dsn_rcpt *x = row_for(c, addr, src);

			if (x && d.n)
				diag_add(x, d.p, d.n);
		}
	}
	lb_free(&d);
	return finish(c);
}

/* McAfee: "--- The following addresses had delivery problems ---" */
static int
dec_mcafee(lctx *c)
{
	size_t		b = after_line_with(c->t, 0, c->end, "--- The following addresses had delivery problems ---");
	bopts		o = {.max_indent = 3,.blank_ends = false};
	line		l;

	if (b == (size_t) -1)
		return 0;
	blocks(c, b, c->end, &o, "mcafee");
	/* "Diagnostic-Code: SMTP; 550 ..." written in the text */
	FOR_LINES(c->t, b, c->end, l)
	{
		if (starts_ci(l.t, l.tn, "Diagnostic-Code:") && c->r->n > c->first)
		{
			const char *semi = memchr(l.t, ';', l.tn);
			const char *s0 = semi ? semi + 1 : l.t + 16;
			ma_dsn_rcpt *x = &c->r->rcpts[c->r->n - 1];

			free(x->diagnostic);
			x->diagnostic = NULL;
			diag_add(x, s0, l.tn - (size_t) (s0 - l.t));
		}
	}
	return finish(c);
}

/* MailFoundry, MailMarshal, SurfControl, InterScan MSS, mFILTER, X-families */
static int
dec_labelled(lctx *c)
{
	static const struct
	{
		const char *sig;		/* text signature */
		const char *rcpts;		/* recipients follow this line */
		const char *error;		/* the explanation follows this line */
		const char *source;
	}			forms[] = {
		{"Your message:", "The following recipients were affected:", "Could not be delivered because of", "mailmarshalsmtp"},
		{"Your message could not be sent.", "Failed to send to identified host,", NULL, "surfcontrol"},
		{"Unable to deliver message to the following address", "Unable to deliver message to the following address", NULL, "x2"},
		{"============================================================================", "Delivery to the following recipients failed permanently", NULL, "x3"},
		{"error(s):", NULL, NULL, "x6"},
		{"Hello, this is the mail server on ", NULL, NULL, "powermta"},
		{NULL, NULL, NULL, NULL}
	};

	for (int f = 0; forms[f].sig; f++)
	{
		size_t		b,
					eb;
		bopts		o = {.max_indent = 8,.blank_ends = false};
		lbuf		d = {0};

		if (!find_ci(c->t, c->end, forms[f].sig))
			continue;
		b = forms[f].rcpts ? after_line_with(c->t, 0, c->end, forms[f].rcpts)
			: after_line_with(c->t, 0, c->end, forms[f].sig);
		if (b == (size_t) -1)
			b = after_line_with(c->t, 0, c->end, forms[f].sig);
		eb = forms[f].error ? after_line_with(c->t, 0, c->end, forms[f].error) : (size_t) -1;
		if (eb != (size_t) -1 && eb > b)
			blocks(c, b, line_with(c->t, b, c->end, forms[f].error), &o, forms[f].source);
		else
			blocks(c, b, c->end, &o, forms[f].source);
		if (c->r->n == c->first)
		{
			/* "   * a@b", "Failed to send to identified host, a@b: ..." */
			line		l;

			FOR_LINES(c->t, b, c->end, l)
			{
				char		addr[ADDR_MAX];
				const char *rest;
				size_t		restn;
				const char *s0 = l.t;
				size_t		n0 = l.tn;

				while (n0 > 0 && (*s0 == '*' || *s0 == '-' || sp(*s0)))
				{
					s0++;
					n0--;
				}
				if (head_addr(s0, n0, false, addr, &rest, &restn))
				{
					ma_dsn_rcpt *x = row_for(c, addr, forms[f].source);

					if (x && restn)
						diag_add(x, rest, restn);
				}
				else if (find_ci(l.t, l.tn, "identified host,") &&
						 ma_dsn_find_addr(l.t, l.tn, addr, sizeof(addr)))
				{
					ma_dsn_rcpt *x = row_for(c, addr, forms[f].source);

					if (x)
						diag_add(x, l.t, l.tn);
				}
			}
		}
		if (eb != (size_t) -1)
		{
			line		l;

			FOR_LINES(c->t, eb, c->end, l)
			{
				if (l.tn == 0 && d.n)
					break;
				if (l.tn == 0)
					continue;
				if (starts_ci(l.t, l.tn, "-------") && d.n)
					break;
				lb_add(&d, l.t, l.tn);
				lb_add(&d, " ", 1);
			}
			for (size_t i = c->first; i < c->r->n && d.n; i++)
			{
				free(c->r->rcpts[i].diagnostic);
				c->r->rcpts[i].diagnostic = NULL;
				diag_add(&c->r->rcpts[i], d.p, d.n);
			}
			lb_free(&d);
		}
		if (c->r->n > c->first)
			diag_default(c, b, c->end);
		if (c->r->n > c->first)
			return finish(c);
	}
	return 0;
}

/* InterScan MSS: "Unable to deliver message to <a@b>", "Sent <<< RCPT TO:<a@b>" */
static int
dec_interscanmss(lctx *c)
{
	line		l;
	ma_dsn_rcpt *cur = NULL;

	if (!(has_ci(c->from, "InterScan") || find_ci(c->t, c->end, "InterScan Messaging Security") ||
		  has_ci(c->subject, "Mail could not be delivered")))
		return 0;
	FOR_LINES(c->t, 0, c->end, l)
	{
		char		addr[ADDR_MAX];
		const char *p;

		if (l.tn == 0)
			continue;
		if ((p = find_ci(l.t, l.tn, "Unable to deliver message to <")) != NULL &&
			ma_dsn_find_addr(p, l.tn - (size_t) (p - l.t), addr, sizeof(addr)))
		{
			cur = row_for(c, addr, "interscanmss");
			if (cur && cur->diagnostic == NULL)
				diag_add(cur, p, l.tn - (size_t) (p - l.t));
			continue;
		}
		if ((p = find_ci(l.t, l.tn, "<<< ")) != NULL && find_ci(l.t, l.tn, "RCPT TO:") &&
			ma_dsn_find_addr(p, l.tn - (size_t) (p - l.t), addr, sizeof(addr)))
		{
			cur = row_for(c, addr, "interscanmss");
			continue;
		}
		if (cur && (p = find_ci(l.t, l.tn, ">>> ")) != NULL)
		{
			free(cur->diagnostic);
			cur->diagnostic = NULL;
			diag_add(cur, p + 4, l.tn - (size_t) (p + 4 - l.t));
		}
	}
	return finish(c);
}

/* Outlook.com / Hotmail: "Delivery to the following recipients failed." */
static int
dec_outlook(lctx *c)
{
	size_t		b = after_line_with(c->t, 0, c->end, "Delivery to the following recipients failed");
	bopts		o = {.max_indent = 12,.blank_ends = false};

	if (b == (size_t) -1)
		b = after_line_with(c->t, 0, c->end, "Delivery to the following recipient failed");
	if (b == (size_t) -1)
		b = after_line_with(c->t, 0, c->end, "Delivery to the following recipients has been delayed");
	if (b == (size_t) -1 || !(has_ci(c->from, "hotmail") || has_ci(c->from, "outlook.") ||
							  has_ci(c->from, "live.com") || has_ci(c->from, "msn.com") ||
							  received_has(c, "hotmail.com") || received_has(c, "outlook.com") ||
							  ma_bmsg_header(c->m, "x-message-delivery") ||
							  ma_bmsg_header(c->m, "x-message-info")))
		return 0;
	blocks(c, b, c->end, &o, "outlook");
	return finish(c);
}

/*
 * Formats known by their header fields only (their recipients are in the
 * delivery-status part, or a later decoder finds them): a claim that names
 * the source.
 */
static int
dec_claims(lctx *c)
{
	static const struct
	{
		char		kind;			/* s: Subject, f: From, x: X-Mailer, h: field */
		const char *field;		/* header field */
		const char *has;		/* its value contains this (NULL: any value) */
		const char *source;
	}			claims[] = {
		{'h', "x-aol-ip", NULL, "aol"},
		{'h', "x-msg-ref", NULL, "messagelabs"},
		{'h', "x-nai-header", "McAfee", "mcafee"},
		{'h', "x-sef-processed", NULL, "surfcontrol"},
		{'x', "x-mailer", "Amazon WorkMail", "amazonworkmail"},
		{'h', "x-mlserver", NULL, "fml"},
		{'s', "subject", "our bulk email filter", "barracuda"},
		{'s', "subject", "There was an error sending your mail", "x6"},
		{'f', "from", "mailer-daemon@mx.facebook.com", "facebook"},
		{'f', "from", "@bigfoot.com", "bigfoot"},
		{'h', "message-id", ".mimecast.lan>", "mimecast"},
		{0, NULL, NULL, NULL}
	};

	for (int i = 0; claims[i].field; i++)
	{
		const char *v;

		/* the fields every decoder reads were looked up once */
		switch (claims[i].kind)
		{
			case 's':
				v = c->subject;
				break;
			case 'f':
				v = c->from;
				break;
			case 'x':
				v = c->xmailer;
				break;
			default:
				v = ma_bmsg_header(c->m, claims[i].field);
				break;
		}

		if (v && (claims[i].has == NULL || has_ci(v, claims[i].has)))
		{
			lbuf		d = {0};
			int			k;

			/* X6: "1 error(s):" then the reply */
			if (strcmp(claims[i].source, "x6") == 0)
			{
				size_t		b = line_with(c->t, 0, c->end, "error(s):");

				if (b != (size_t) -1)
					section_text(c, b, c->end, &d, 2000);
			}
			k = claim(c, claims[i].source, d.p, d.n);
			lb_free(&d);
			return k;
		}
	}
	return 0;
}

/* Mimecast: "-- a@b" then "-- " lines of explanation */
static int
dec_mimecast(lctx *c)
{
	line		l;
	ma_dsn_rcpt *cur = NULL;

	if (!has_ci(c->subject, "Email Delivery Failure") && !has_ci(hdr(c, "message-id"), ".mimecast.lan>"))
		return 0;
	FOR_LINES(c->t, 0, c->end, l)
	{
		char		addr[ADDR_MAX];
		const char *rest;
		size_t		restn;

		if (l.tn < 4 || !starts_ci(l.t, l.tn, "-- "))
			continue;
		if (head_addr(l.t + 3, l.tn - 3, false, addr, &rest, &restn) && restn == 0)
			cur = row_for(c, addr, "mimecast");
		else if (cur)
			diag_add(cur, l.t + 3, l.tn - 3);
	}
	return finish(c);
}

/* Deutsche Telekom (Smail 3): "Failed addresses follow:", " <a@b>" or " a@b ... failed: x" */
static int
dec_smail(lctx *c)
{
	size_t		b = after_line_with(c->t, 0, c->end, "Failed addresses follow:");
	line		l;
	ma_dsn_rcpt *cur = NULL;
	size_t		e;
	const char *src = "deutschetelekom";

	if (b == (size_t) -1)
		return 0;
	e = line_with(c->t, b, c->n, "Message header follows:");
	if (e == (size_t) -1)
		e = line_with(c->t, b, c->n, "Message text follows:");
	if (e == (size_t) -1)
		e = c->end;
	FOR_LINES(c->t, b, e, l)
	{
		char		addr[ADDR_MAX];
		const char *rest;
		size_t		restn;
		const char *dots;

		if (l.tn == 0 || (l.t[0] == '|' && l.t[l.tn - 1] == '|'))
			continue;
		if (head_addr(l.t, l.tn, false, addr, &rest, &restn))
		{
			cur = row_for(c, addr, src);
			if ((dots = find_ci(l.t, l.tn, " ... ")) != NULL && cur)
				diag_add(cur, dots + 5, l.tn - (size_t) (dots + 5 - l.t));
			continue;
		}
		if (cur)
			diag_add(cur, l.t, l.tn);
	}
	return finish(c);
}

/*
 * fml (a mailing-list manager): notices from the list's -admin address with
 * an X-MLServer: fml header; a line ending in "<address>." names the
 * address and says what happened ("You are not a member of this mailing
 * list <list@example.org>.", "Duplicated Message-ID in <id@example>.").
 * The returned mail follows "Original mail as follows:".
 */
static int
dec_fml(lctx *c)
{
	const char *mls = hdr(c, "x-mlserver");
	line		l;
	size_t		e;

	if (mls == NULL || ma_dsn_memcasemem(mls, strlen(mls), "fml") == NULL)
		return 0;
	e = line_with(c->t, 0, c->end, "Original mail as follows:");
	if (e == (size_t) -1)
		e = c->end;
	FOR_LINES(c->t, 0, e, l)
	{
		char		addr[ADDR_MAX];
		const char *lt;
		ma_dsn_rcpt *x;

		if (l.tn < 5 || l.t[l.tn - 1] != '.' || l.t[l.tn - 2] != '>')
			continue;
		for (lt = l.t + l.tn - 2; lt > l.t && *lt != '<'; lt--)
			;
		if (*lt != '<' || !ma_dsn_find_addr(lt, (size_t) (l.t + l.tn - lt), addr, sizeof(addr)))
			continue;
		if ((x = row_for(c, addr, "fml")) != NULL && x->diagnostic == NULL)
			diag_add(x, l.t, l.tn);
	}
	return finish(c);
}

/* the recipient the returned message was addressed to (its first To:) */
static bool
orig_to(const lctx *c, size_t from_text, char *addr)
{
	line		l;

	if (c->m->orig_to)
		return ma_dsn_find_addr(c->m->orig_to, strlen(c->m->orig_to), addr, ADDR_MAX);
	/* "Original Message:" then "To: a@b" in the text */
	if (from_text != (size_t) -1)
	{
		int			k = 0;

		FOR_LINES(c->t, from_text, c->n, l)
		{
			if (starts_ci(l.t, l.tn, "To:"))
				return ma_dsn_find_addr(l.t + 3, l.tn - 3, addr, ADDR_MAX);
			if (++k > 40)
				break;
		}
	}
	return false;
}

/* Verizon MMS gateway: "Message could not be delivered to mobile." */
static int
dec_verizon(lctx *c)
{
	size_t		b = line_with(c->t, 0, c->n, "Message could not be delivered to mobile");
	size_t		om;
	lbuf		d = {0};
	line		l;
	char		addr[ADDR_MAX];

	if (b == (size_t) -1)
		return 0;
	om = after_line_with(c->t, b, c->n, "Original Message:");
	FOR_LINES(c->t, b, om == (size_t) -1 ? c->end : om, l)
	{
		if (l.tn == 0 || starts_ci(l.t, l.tn, "Original Message"))
			continue;
		lb_add(&d, l.t, l.tn);
		lb_add(&d, " ", 1);
	}
	if (orig_to(c, om, addr))
	{
		ma_dsn_rcpt *x = row_for(c, addr, "verizon");

		if (x && d.n)
			diag_add(x, d.p, d.n);
	}
	lb_free(&d);
	return finish(c);
}

/* Active!hunter: ">>> a@b <a@b>" then the reply */
static int
dec_activehunter(lctx *c)
{
	line		l;
	ma_dsn_rcpt *cur = NULL;

	if (ma_bmsg_header(c->m, "x-ahmailid") == NULL)
		return 0;
	FOR_LINES(c->t, 0, c->end, l)
	{
		char		addr[ADDR_MAX];

		if (l.tn == 0)
			continue;
		if (starts_ci(l.t, l.tn, ">>>") && ma_dsn_find_addr(l.t, l.tn, addr, sizeof(addr)))
		{
			cur = row_for(c, addr, "activehunter");
			continue;
		}
		if (cur)
			diag_add(cur, l.t, l.tn);
	}
	if (c->r->n == c->first)
		return claim(c, "activehunter", NULL, 0);
	return finish(c);
}

/* amavisd-new: "A message from <x> to:\n-> a@b\n\nwas considered ..." */
static int
dec_amavis(lctx *c)
{
	line		l;
	lbuf		d = {0};
	bool		amavis = has_ci(c->from, "Content-filter at") ||
		(find_ci(c->t, c->end, "A message from <") && find_ci(c->t, c->end, "\n-> "));

	if (!amavis)
		return 0;
	FOR_LINES(c->t, 0, c->end, l)
	{
		char		addr[ADDR_MAX];

		if (starts_ci(l.t, l.tn, "-> ") && ma_dsn_find_addr(l.t + 3, l.tn - 3, addr, sizeof(addr)))
			row_for(c, addr, "amavis");
	}
	section_text(c, 0, c->end, &d, 2000);
	if (c->r->n == c->first)
		claim(c, "amavis", d.p, d.n);
	else
		diag_default(c, 0, c->end);
	lb_free(&d);
	return finish(c);
}

/* m-FILTER: the recipient alone on a line, "-------server message" */
static int
dec_mfilter(lctx *c)
{
	size_t		sm = after_line_with(c->t, 0, c->end, "-------server message");
	line		l;
	lbuf		d = {0};

	if (!has_ci(c->xmailer, "m-FILTER") && sm == (size_t) -1)
		return 0;
	FOR_LINES(c->t, 0, sm == (size_t) -1 ? c->end : sm, l)
	{
		char		addr[ADDR_MAX];
		const char *rest;
		size_t		restn;

		if (l.tn && l.indent == 0 && head_addr(l.t, l.tn, false, addr, &rest, &restn) && restn == 0)
			row_for(c, addr, "mfilter");
	}
	if (sm != (size_t) -1)
	{
		FOR_LINES(c->t, sm, c->end, l)
		{
			if ((l.tn == 0 && d.n) || starts_ci(l.t, l.tn, "-------"))
				break;
			lb_add(&d, l.t, l.tn);
			lb_add(&d, " ", 1);
		}
		for (size_t i = c->first; i < c->r->n && d.n; i++)
			diag_add(&c->r->rcpts[i], d.p, d.n);
	}
	if (c->r->n == c->first)
		claim(c, "mfilter", d.p, d.n);
	lb_free(&d);
	return finish(c);
}

/* MailFoundry: "Unable to deliver message to: <a@b>" */
static int
dec_mailfoundry(lctx *c)
{
	size_t		b = line_with(c->t, 0, c->end, "Unable to deliver message to:");
	size_t		eb = after_line_with(c->t, 0, c->end, "Delivery failed for the following reason:");
	line		l;
	lbuf		d = {0};

	if (b == (size_t) -1)
		return 0;
	FOR_LINES(c->t, b, eb == (size_t) -1 ? c->end : eb, l)
	{
		char		addr[ADDR_MAX];

		if (ma_dsn_find_addr(l.t, l.tn, addr, sizeof(addr)))
			row_for(c, addr, "mailfoundry");
	}
	if (eb != (size_t) -1)
	{
		FOR_LINES(c->t, eb, c->end, l)
		{
			if (l.tn == 0 && d.n)
				break;
			lb_add(&d, l.t, l.tn);
			lb_add(&d, " ", 1);
		}
		for (size_t i = c->first; i < c->r->n && d.n; i++)
			diag_add(&c->r->rcpts[i], d.p, d.n);
	}
	lb_free(&d);
	return finish(c);
}

/* X1: "---The following addresses had delivery errors---", "a@b [User unknown]" */
static int
dec_x1(lctx *c)
{
	size_t		b = after_line_with(c->t, 0, c->end, "---The following addresses had delivery errors---");
	bopts		o = {.max_indent = 2,.blank_ends = true};

	if (b == (size_t) -1)
		return 0;
	blocks(c, b, c->end, &o, "x1");
	for (size_t i = c->first; i < c->r->n; i++)
	{
		ma_dsn_rcpt *x = &c->r->rcpts[i];
		size_t		k;

		/* "[User unknown]" */
		if (x->diagnostic && x->diagnostic[0] == '[' && (k = strlen(x->diagnostic)) > 2 &&
			x->diagnostic[k - 1] == ']')
		{
			char	   *t = strndup(x->diagnostic + 1, k - 2);

			if (t)
			{
				free(x->diagnostic);
				x->diagnostic = t;
			}
		}
	}
	return finish(c);
}

/* Amazon SES receiving: "This message could not be delivered." */
static int
dec_receivingses(lctx *c)
{
	size_t		b;
	lbuf		d = {0};
	int			k;

	if (!(ma_bmsg_header(c->m, "x-ses-outgoing") ||
		  has_ci(hdr(c, "message-id"), "amazonses.com") ||
		  has_ci(hdr(c, "feedback-id"), "AmazonSES")) ||
		!find_ci(c->t, c->end, "This message could not be delivered"))
		return 0;
	b = line_with(c->t, 0, c->end, "This message could not be delivered");
	section_text(c, b, c->end, &d, 2000);
	k = claim(c, "receivingses", d.p, d.n);
	lb_free(&d);
	return k;
}

/* ---------------------------------------------------------------------
 * The last resort: any text bounce
 * ---------------------------------------------------------------------
 */
static int
dec_generic(lctx *c)
{
	const char *xf = ma_bmsg_header(c->m, "x-failed-recipients");
	bopts		o = {.max_indent = 4,.blank_ends = true,.codes_ok = true};
	const char *from = c->from;
	const char *subj = c->subject;
	bool		bounce;

	bounce = has_ci(from, "mailer-daemon") || has_ci(from, "postmaster") ||
		has_ci(from, "mail delivery") || has_ci(from, "mail-daemon") ||
		has_ci(subj, "undeliver") || has_ci(subj, "returned mail") || has_ci(subj, "delivery fail") ||
		has_ci(subj, "failure notice") || has_ci(subj, "delivery status") ||
		has_ci(subj, "not delivered") || has_ci(subj, "mail delivery") ||
		has_ci(subj, "delivery notification") || has_ci(subj, "non remis") ||
		has_ci(subj, "unzustellbar") || has_ci(subj, "could not be delivered") || xf != NULL;
	if (!bounce)
		return 0;
	blocks(c, 0, c->end, &o, "generic");
	if (c->r->n == c->first && xf)
	{
		rows_from_header_list(c, xf, "generic");
		diag_default(c, 0, c->end);
	}
	/* a recipient named only in the returned message (unless that is a bounce itself) */
	if (c->r->n == c->first && c->m->orig_headers &&
		(c->m->dsn == NULL || !ma_dsn_memcasemem(c->m->dsn, c->m->dsn_len, "recipient:")) &&
		!find_ci(c->m->orig_headers, c->m->orig_headers_len, "multipart/report") &&
		!find_ci(c->m->orig_headers, c->m->orig_headers_len, "mailer-daemon"))
	{
		char		addr[ADDR_MAX];

		if (c->m->orig_to && ma_dsn_find_addr(c->m->orig_to, strlen(c->m->orig_to), addr, sizeof(addr)))
		{
			row_for(c, addr, "generic");
			diag_default(c, 0, c->end);
		}
	}
	return finish(c);
}

/* ---------------------------------------------------------------------
 * The decoders, in order
 * ---------------------------------------------------------------------
 */
typedef int (*decoder) (lctx *c);

static int lhost_run(const ma_bmsg *m, ma_dsn_result *r);

int
ma_dsn_lhost(const ma_bmsg *m, ma_dsn_result *r)
{
	int			k = lhost_run(m, r);

	ridx_reset();
	hc_n = 0;
	recv_done = false;
	recv_low.n = 0;
	if (low_owned)
		free((char *) low_text);
	low_owned = false;
	low_text = NULL;
	low_base = NULL;
	low_len = 0;
	sig_passed = false;
	return k;
}

/*
 * The last resort: notices of MTAs and gateways with no decoder of their
 * own, read as Mailman's bounce detectors read them: a phrase that starts the
 * notice, one that ends the part naming the addresses, and how an address
 * stands there: after a label ('L'), alone on its line ('W', a leading "*" or
 * "-" allowed), anywhere on the line ('A'), or at the start of the line
 * ('F').  The line of the start phrase is read too.  Only when no other
 * decoder found a recipient.
 */
typedef struct text_rule
{
	const char *start;
	const char *end;			/* NULL: 40 lines, or ('W') the first line
								 * that is not an address after one that was */
	char		kind;
	const char *label;
} text_rule;

static const text_rule text_rules[] = {
	{"Intended recipient:", "RETURNED MAIL FOLLOWS", 'L', "Intended recipient:"},
	{"Undeliverable Address:", "Original message attached", 'L', "Undeliverable Address:"},
	{"User's mailbox is full:", "Unable to deliver mail", 'L', "User's mailbox is full:"},
	{"--> Error description:", "Error-End:", 'L', "Error-for:"},
	{"Your message has encountered delivery problems", "Your message reads", 'L', "addressed to"},
	{"Could not deliver message to the following recipient", "-- The header", 'L', "Failed Recipient:"},
	{"Message could not be delivered to some recipients", "Message headers follow", 'L', "[SMTP:"},
	{"did not reach the following recipient", NULL, 'L', "SMTP="},
	{"Did not reach the following recipient:", NULL, 'L', "following recipient:"},
	{"Message was not accepted -- invalid mailbox", NULL, 'L', "Local mailbox "},
	{"your message was addressed,", NULL, 'L', "your message was addressed,"},
	{"Delivery to the following recipients failed", NULL, 'W', NULL},
	{"Delivery to the following recipients was aborted", NULL, 'W', NULL},
	{"A message could not be delivered to:", "Subject:", 'W', NULL},
	{"Sorry, unable to deliver your message to", "A copy of the original message", 'A', NULL},
	{"Message not delivered to the following addresses", "Error detail", 'A', NULL},
	{"The email below could not be delivered to the following user", "Old message:", 'A', NULL},
	{" - no such user here", NULL, 'F', NULL},
};

/* s[0..n) is one address, maybe in <> or quotes, a "*" or "-" before it, "=20" after */
static bool
only_address(const char *s, size_t n, char *addr)
{
	while (n > 0 && (*s == '*' || *s == '-' || sp(*s)))
		s++, n--;
	if (n >= 3 && memcmp(s + n - 3, "=20", 3) == 0)
		n -= 3;
	while (n > 0 && (sp(s[n - 1]) || s[n - 1] == '.' || s[n - 1] == ','))
		n--;
	if (n == 0 || memchr(s, ' ', n) || memchr(s, '\t', n))
		return false;
	return ma_dsn_find_addr(s, n, addr, ADDR_MAX);
}

static int
dec_textmatch(lctx *c)
{
	for (size_t k = 0; k < sizeof(text_rules) / sizeof(text_rules[0]); k++)
	{
		const text_rule *r = &text_rules[k];
		size_t		b = line_with(c->t, 0, c->end, r->start),
					e = c->end;
		line		l;
		int			nl = 0;
		bool		found = false;
		const char *sl = NULL;
		size_t		sln = 0;

		if (b == (size_t) -1)
			continue;
		if (r->end)
		{
			size_t		x = line_with(c->t, b, c->end, r->end);

			if (x != (size_t) -1 && x > b)
				e = x;
		}
		FOR_LINES(c->t, b, e, l)
		{
			char		addr[ADDR_MAX];
			const char *p;
			bool		ok = false;
			ma_dsn_rcpt *x;

			if (++nl > 40)
				break;
			if (nl == 1)
			{
				sl = l.t;
				sln = l.tn;
			}
			switch (r->kind)
			{
				case 'L':
					p = find_ci(l.t, l.tn, r->label);
					if (p)
					{
						p += strlen(r->label);
						ok = ma_dsn_find_addr(p, l.tn - (size_t) (p - l.t), addr, sizeof(addr));
					}
					break;
				case 'W':
					ok = nl > 1 && only_address(l.t, l.tn, addr);
					if (!ok && found && l.tn > 0)
						goto next_rule;	/* the list of addresses ended */
					break;
				case 'A':
					ok = ma_dsn_find_addr(l.t, l.tn, addr, sizeof(addr));
					break;
				case 'F':
					ok = nl == 1 && ma_dsn_find_addr(l.t, l.tn, addr, sizeof(addr)) &&
						strncasecmp(l.t, addr, strlen(addr)) == 0;
					break;
			}
			if (!ok || (x = row_for(c, addr, "textmatch")) == NULL)
				continue;
			found = true;
			if (x->diagnostic == NULL)
			{
				if (nl > 1 && sl)
					diag_add(x, sl, sln);
				diag_add(x, l.t, l.tn);
			}
		}
next_rule:
		if (found)
			return finish(c);
	}
	return 0;
}

static int
lhost_run(const ma_bmsg *m, ma_dsn_result *r)
{
	static const decoder decoders[] = {
		dec_claims, dec_fml, dec_mimecast, dec_smail, dec_amazonses_json, dec_amazonses, dec_receivingses, dec_sendgrid,
		dec_activehunter, dec_verizon, dec_amavis, dec_mfilter, dec_mailfoundry, dec_x1, dec_interscanmss,
		dec_googleworkspace, dec_outlook, dec_gmail, dec_googlegroups,
		dec_dragonfly, dec_opensmtpd, dec_kddi, dec_ezweb, dec_biglobe,
		dec_exchange2003, dec_exchange, dec_messagingserver, dec_notes, dec_domino,
		dec_mcafee, dec_yahoo, dec_yahoo_summary, dec_aol, dec_sieve_reject, dec_mdaemon, dec_qmail, dec_exim, dec_courier, dec_sendmail,
		dec_postfix, dec_apachejames, dec_labelled, dec_imailserver, dec_generic,
		dec_textmatch, NULL
	};
	lctx		c;

	if (m == NULL || r == NULL)
		return 0;
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.r = r;
	c.t = m->text ? m->text : "";
	c.n = m->text ? m->text_len : 0;
	if (m->text_low && m->text)
		sig_message(c.t, m->text_low, c.n, 0);
	else
	{
		char	   *lt = malloc(c.n + 8);

		if (lt)
		{
			ma_dsn_lower(lt, c.t, c.n);
			memset(lt + c.n, 0, 8);
			sig_message(c.t, lt, c.n, 0);
			low_owned = true;
		}
	}
	c.end = original_start(c.t, low_text ? low_text : c.t, c.n);
	low_pass = c.end;
	c.from = hdr(&c, "from");
	c.subject = hdr(&c, "subject");
	c.xmailer = hdr(&c, "x-mailer");
	{
		const char *vals[HC_MAX] = {c.from, c.subject, c.xmailer};

		hc_set(vals, HC_MAX);
	}
	for (int i = 0; decoders[i]; i++)
	{
		int			k;
		size_t		start = r->n;
		bool		named = false;

		c.first = r->n;
		k = decoders[i] (&c);
		for (size_t j = start; j < r->n; j++)
			if (r->rcpts[j].recipient)
				named = true;
		if (k > 0 && (named || start > 0))
		{
			/* an earlier claim names the format: it knows better */
			if (named && start > 0)
			{
				const char *src = r->rcpts[0].source;

				for (size_t j = start; j < r->n; j++)
					r->rcpts[j].source = src;
			}
			return (int) r->n;
		}
		if (k > 0)
			continue;			/* a claim: the recipients may be for a later decoder */
		/* a decoder that recognised nothing leaves nothing */
		while (r->n > c.first)
		{
			ma_dsn_rcpt *x = &r->rcpts[--r->n];

			free(x->recipient);
			free(x->original_recipient);
			free(x->action);
			free(x->status);
			free(x->diagnostic_type);
			free(x->diagnostic);
			free(x->remote_mta);
			free(x->reporting_mta);
			free(x->original_envelope_id);
			free(x->original_message_id);
			free(x->original_from);
			free(x->original_subject);
			free(x->feedback_type);
		}
	}
	return (int) r->n;
}
