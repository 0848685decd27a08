/*-------------------------------------------------------------------------
 *
 * ma_dsn.c
 *	  Bounces as rows: MIME -> the ma_bmsg view -> decoders (ARF, RFC 3464,
 *	  the text formats of ma_dsn_lhost.c, RFC 3834) -> one ma_dsn_rcpt per
 *	  recipient, with the reason from ma_bounce.c.
 *
 * MIME.  The structure (header blocks, multipart delimiters, message/rfc822
 * parts) is walked here, in place over the input: linear, no copy of the
 * message, no allocation per part that is not read.  GMime 3 does the
 * rarer decoding: base64 and uuencode (g_mime_encoding_*_step), malformed
 * RFC 2047 encoded words (g_mime_utils_header_decode_text), charsets to
 * UTF-8 (g_mime_iconv_open, with ISO-2022-JP, Shift_JIS, EUC-JP...) and the
 * dates that are not in the usual RFC 5322 form
 * (g_mime_utils_header_decode_date); g_mime_init() is called once, lazily.
 * Quoted-printable (as GMime decodes it), well-formed encoded words (as
 * GMime decodes them, except that a base64 word with padding no longer
 * swallows the words after it), the usual date form, and ASCII data in an
 * ASCII-compatible charset are read here.  Building GMime's object tree
 * (GMimeParser) cost three times the whole of the rest.  What GMime's
 * parser tolerates is tolerated here too: no boundary found (the body is
 * read as text, or with the boundary the body really uses), a missing
 * closing delimiter, a missing blank line after the header, a MIME body
 * without Content-Type, CRLF or LF line ends; a message whose lines end with
 * a bare CR (old Mac OS files) is read with LF ones, as Sisimai does.  An
 * mbox of several messages ("From " lines) is read message by message, as
 * Sisimai does.
 *
 * Cost.  The strings of the view (header names, values, the original's
 * fields) live in one arena per message; a top-level header value is
 * decoded only when a decoder reads it; a text/html part only when there
 * is no text/plain one; the text is lowercased once for all the searches;
 * the decoders' phrases are found in one pass (ma_dsn_lhost.c), the
 * classifier's in one pass over each diagnostic, the text of the message
 * once for all its rows (ma_bounce.c); the markers of a returned message in
 * the text in one pass; status codes found from the dots, reply codes by
 * skipping 8 bytes without a digit at a time.
 *
 * Hostile input.  Every string is bounded: the text kept is at most
 * MA_DSN_MAX_TEXT bytes, the delivery-status data at most MA_DSN_MAX_DSN, a
 * diagnostic MA_DSN_MAX_DIAG; MIME nesting is followed MA_DSN_MAX_DEPTH
 * levels and MA_DSN_MAX_PARTS entities, rows stop at MA_DSN_MAX_RCPTS, an
 * mbox is read for MA_DSN_MAX_MBOX messages at most.  NUL bytes never end a
 * string early and never reach one.  Parts that are neither text nor report
 * data (attachments, images) are never decoded.  Matching rows by address
 * is hashed (linear with 10,000 recipients).
 *
 * Measured (gcc -O2, this 2-core VM shared with other work, test/dsn/dsn_tsv
 * on a 50 MB file: the time of the parse in process, then of the whole run
 * with reading the file; the peak RSS includes the 50 MB input buffer):
 *	- bounce + delivery-status + a 50 MB base64 attachment in the returned
 *	  message: 12 ms (0.06 s), peak RSS 57 MB;
 *	- one 50 MB quoted-printable text/plain part: 18 ms (0.07 s), peak RSS
 *	  60 MB (1 MB of text decoded and kept);
 *	- a 41 MB delivery-status part (340,000 recipients): 25 ms (0.07 s), peak
 *	  RSS 61 MB, 10,000 rows (8 MB of delivery-status read);
 *	- a 50 MB mbox of 200,000 small bounces: 4 ms, 1,000 rows (the first
 *	  1,000 messages);
 *	- the 50 MB attachment case with bare CR line ends: 56 ms, peak RSS
 *	  108 MB (the copy with LF line ends).
 *	Corpus (365 bounces, 20 passes in process): about 65,000 messages/s
 *	(best of 5 runs; Sisimai 4.25.15 Perl: 1,425/s); callgrind: 98,400
 *	instructions per message in ma_dsn_parse() (-n 2, 730 parses, with the
 *	one-time setup: tables, g_mime_init, converters), 97,300 once set up.
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE				/* memmem */
#endif
#include "ma_dsn.h"
#include "ma_text.h"

#include <ctype.h>
#include <errno.h>
#include <gmime/gmime.h>
#include <iconv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MA_DSN_MAX_DSN		(8 * 1024 * 1024)	/* delivery-status data kept */
#define MA_DSN_MAX_ORIG		(64 * 1024) /* original header block kept */
#define MA_DSN_MAX_PART		(MA_DSN_MAX_DSN + 4096) /* bytes decoded per part */
#define MA_DSN_MAX_DIAG		4096	/* bytes of a diagnostic kept */
#define MA_DSN_MAX_MBOX		1000	/* messages of an mbox read at most */

/* allocation failure seen while building the current result */
static bool dsn_oom = false;

/* ---------------------------------------------------------------------
 * Growing buffers
 * ---------------------------------------------------------------------
 */
typedef struct sbuf
{
	char	   *p;
	size_t		n;
	size_t		cap;
} sbuf;

static bool
sb_reserve(sbuf *b, size_t more)
{
	size_t		need = b->n + more + 1;

	if (need <= b->cap)
		return true;
	{
		size_t		nc = b->cap ? b->cap * 2 : (need < 256 ? 256 : need);
		char	   *np;

		while (nc < need)
			nc *= 2;
		np = realloc(b->p, nc);
		if (np == NULL)
		{
			dsn_oom = true;
			return false;
		}
		b->p = np;
		b->cap = nc;
	}
	return true;
}

static void
sb_add(sbuf *b, const char *s, size_t n)
{
	if (n == 0 || n > (SIZE_MAX >> 2) || !sb_reserve(b, n))
		return;
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
sb_addc(sbuf *b, char c)
{
	if (!sb_reserve(b, 1))
		return;
	b->p[b->n++] = c;
	b->p[b->n] = '\0';
}

static void
sb_adds(sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void
sb_free(sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

/* ---------------------------------------------------------------------
 * UTF-8
 * ---------------------------------------------------------------------
 */

/* length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF)
	{
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0;
		if (c == 0xED && s[1] >= 0xA0)
			return 0;			/* surrogates */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4)
	{
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
			(s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;
		if (c == 0xF4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

#define ONES64	UINT64_C(0x0101010101010101)
#define HIGH64	UINT64_C(0x8080808080808080)

/* dst[0..n) = src[0..n) with ASCII letters lowercased */
void
ma_dsn_lower(char *dst, const char *src, size_t n)
{
	size_t		i = 0;

	/*
	 * Whole words, the last one ending at n (overlapping the one before:
	 * lowercasing twice changes nothing, also in place), so that no loop
	 * ends after a varying number of bytes
	 */
#ifdef __SSE2__
	/* 16 bytes at a time: 'A' to 'Z' (signed compares: bytes >= 0x80 are below) get 0x20 */
	if (n >= 16)
	{
		for (;; i += 16)
		{
			__m128i		v,
						up;

			if (i + 16 > n)
				i = n - 16;
			v = _mm_loadu_si128((const __m128i *) (src + i));
			up = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
							   _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
			_mm_storeu_si128((__m128i *) (dst + i), _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20))));
			if (i + 16 >= n)
				return;
		}
	}
#endif
	if (n >= 8)
	{
		for (;; i += 8)
		{
			uint64_t	w,
						h,
						up;

			if (i + 8 > n)
				i = n - 8;
			memcpy(&w, src + i, 8);
			h = w & ~HIGH64;
			/* high bit of each byte: >= 'A', and not > 'Z', and ASCII */
			up = (h + ONES64 * (0x80 - 'A')) & ~(h + ONES64 * (0x80 - 'Z' - 1)) & ~w & HIGH64;
			w |= up >> 2;
			memcpy(dst + i, &w, 8);
			if (i + 8 >= n)
				return;
		}
	}
	if (n >= 4)
	{
		for (int k = 0; k < 2; k++)
		{
			size_t		at = k ? n - 4 : 0;
			uint32_t	w,
						h,
						up;

			memcpy(&w, src + at, 4);
			h = w & ~0x80808080u;
			up = (h + 0x01010101u * (0x80 - 'A')) & ~(h + 0x01010101u * (0x80 - 'Z' - 1)) & ~w & 0x80808080u;
			w |= up >> 2;
			memcpy(dst + at, &w, 4);
		}
		return;
	}
	for (; i < n; i++)
	{
		unsigned char ch = (unsigned char) src[i];

		dst[i] = (char) (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
}

/* append s[0..n) to b with invalid bytes and NULs as U+FFFD */
static void
sb_add_utf8(sbuf *b, const char *s, size_t n)
{
	size_t		i = 0,
				start = 0;		/* s[start, i) is valid, not yet added */

	while (i < n)
	{
		size_t		k;

		i += ma_ascii_run(s + i, n - i);
		if (i >= n)
			break;
		k = s[i] ? utf8_seq((const unsigned char *) s + i, n - i) : 0;
		if (k == 0)
		{
			sb_add(b, s + start, i - start);
			sb_add(b, "\xEF\xBF\xBD", 3);
			start = ++i;
		}
		else
			i += k;
	}
	sb_add(b, s + start, n - start);
}

/* ---------------------------------------------------------------------
 * Result rows
 * ---------------------------------------------------------------------
 */
ma_dsn_rcpt *
ma_dsn_add(ma_dsn_result *r)
{
	ma_dsn_rcpt *row;

	if (r->n >= MA_DSN_MAX_RCPTS)
		return NULL;
	if (r->n == r->cap)
	{
		size_t		nc = r->cap ? r->cap * 2 : 4;
		ma_dsn_rcpt *np;

		if (nc > MA_DSN_MAX_RCPTS)
			nc = MA_DSN_MAX_RCPTS;
		np = realloc(r->rcpts, nc * sizeof(ma_dsn_rcpt));
		if (np == NULL)
		{
			dsn_oom = true;
			return NULL;
		}
		r->rcpts = np;
		r->cap = nc;
	}
	row = &r->rcpts[r->n++];
	memset(row, 0, sizeof(*row));
	return row;
}

void
ma_dsn_setn(char **field, const char *s, size_t n)
{
	sbuf		b = {0};

	free(*field);
	*field = NULL;
	if (s == NULL)
		return;
	if (ma_ascii_run(s, n) == n)
	{
		char	   *p = malloc(n + 1);

		if (p == NULL)
		{
			dsn_oom = true;
			return;
		}
		memcpy(p, s, n);
		p[n] = '\0';
		*field = p;
		return;
	}
	if (!sb_reserve(&b, n))
		return;
	sb_add_utf8(&b, s, n);
	b.p[b.n] = '\0';			/* also when empty */
	*field = b.p;
}

void
ma_dsn_set(char **field, const char *s)
{
	ma_dsn_setn(field, s, s ? strlen(s) : 0);
}

static void
rcpt_clear(ma_dsn_rcpt *x)
{
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
	memset(x, 0, sizeof(*x));
}

void
ma_dsn_free(ma_dsn_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		rcpt_clear(&r->rcpts[i]);
	free(r->rcpts);
	r->rcpts = NULL;
	r->n = r->cap = 0;
}

static inline unsigned
hidx_slot(uint32_t key)
{
	return (unsigned) ((key * 2654435761u) >> 25) & (MA_BMSG_HIDX - 1);
}

/* index header i by its name, unless an earlier one has that name */
static void
hidx_add(ma_bmsg *m, size_t i)
{
	uint32_t	key = m->headers[i].key;
	unsigned	h = hidx_slot(key);

	if (i >= UINT16_MAX)
	{
		m->hidx_full = true;
		return;
	}
	for (int probe = 0; probe < MA_BMSG_HIDX / 2; probe++, h = (h + 1) & (MA_BMSG_HIDX - 1))
	{
		uint16_t	slot = m->hidx[h];

		if (slot == 0)
		{
			m->hidx[h] = (uint16_t) (i + 1);
			return;
		}
		if (m->headers[slot - 1].key == key && m->headers[slot - 1].name_len == m->headers[i].name_len &&
			strncasecmp(m->headers[slot - 1].name, m->headers[i].name, m->headers[i].name_len) == 0)
			return;
	}
	m->hidx_full = true;
}

const char *
ma_bmsg_header(const ma_bmsg *m, const char *name)
{
	size_t		n = strlen(name);
	uint32_t	key = ma_bhdr_key(name, n);

	if (!m->hidx_full)
	{
		unsigned	h = hidx_slot(key);

		for (int probe = 0; probe < MA_BMSG_HIDX / 2; probe++, h = (h + 1) & (MA_BMSG_HIDX - 1))
		{
			uint16_t	slot = m->hidx[h];

			if (slot == 0)
				return NULL;
			if (m->headers[slot - 1].key == key && m->headers[slot - 1].name_len == n &&
				strncasecmp(m->headers[slot - 1].name, name, n) == 0)
				return ma_bmsg_value(m, slot - 1);
		}
		return NULL;
	}
	for (size_t i = 0; i < m->nheaders; i++)
	{
		const char *h = m->headers[i].name;

		if (m->headers[i].key == key && h && m->headers[i].name_len == n && strncasecmp(h, name, n) == 0)
			return ma_bmsg_value(m, i);
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * Small text helpers (also used by ma_dsn_lhost.c)
 * ---------------------------------------------------------------------
 */
static const bool sp_tab[256] = {
	[' '] = true,['\t'] = true,['\r'] = true,['\n'] = true,['\f'] = true,['\v'] = true
};

static inline bool
is_sp(char c)
{
	return sp_tab[(unsigned char) c];
}

/* an ASCII letter lowercased; any other byte as it is */
static inline unsigned char
lower_ascii(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char) (c + 32) : c;
}

/* do a[0..n) and b[0..n) match (fold: ASCII letters in either case)? */
static inline bool
same_fold(const char *a, const char *b, size_t n, bool fold)
{
	if (!fold)
		return memcmp(a, b, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i] && lower_ascii((unsigned char) a[i]) != lower_ascii((unsigned char) b[i]))
			return false;
	return true;
}

#ifdef __SSE2__
/* the first candidate of mask m (bit k: a start at h + at + k) that matches nd whole, or NULL */
static inline const char *
first_match(const char *h, size_t at, unsigned m, const char *nd, size_t nn, bool fold)
{
	for (; m; m &= m - 1)
	{
		size_t		k = at + (size_t) __builtin_ctz(m);

		/* the first and last bytes matched already */
		if (nn <= 2 || same_fold(h + k + 1, nd + 1, nn - 2, fold))
			return h + k;
	}
	return NULL;
}

#endif

/*
 * Substring search for this parser's short haystacks and needles: glibc's
 * memmem() prepares a shift table on every call, which costs more than the
 * search itself here.  With SSE2 (every x86-64), 16 candidate positions at a
 * time: the needle's first and last bytes compared at once, then the bytes
 * between (W. Muła's "SIMD-friendly algorithm" for substring search).
 * Returns the first occurrence, as memmem() does.  fold: ASCII letters match
 * either case (the needle and the haystack both).
 */
static const char *
search(const char *h, size_t hn, const char *nd, size_t nn, bool fold)
{
	size_t		i = 0;
	unsigned char f,
				l;

	if (nn == 0)
		return h;
	if (hn < nn)
		return NULL;
	f = (unsigned char) nd[0];
	l = (unsigned char) nd[nn - 1];
	if (fold)
	{
		f = lower_ascii(f);
		l = lower_ascii(l);
	}
#ifdef __SSE2__
	{
		/* a letter compares with the 0x20 bit set: 'A' | 0x20 == 'a' */
		const __m128i vf = _mm_set1_epi8((char) f),
					vl = _mm_set1_epi8((char) l),
					mf = _mm_set1_epi8((char) (fold && f >= 'a' && f <= 'z' ? 0x20 : 0)),
					ml = _mm_set1_epi8((char) (fold && l >= 'a' && l <= 'z' ? 0x20 : 0));
		size_t		ncand = hn - nn + 1;	/* positions where it can start */
		char		pad[64];

#define CAND_MASK(p) ((unsigned) _mm_movemask_epi8( \
			_mm_and_si128(_mm_cmpeq_epi8(_mm_or_si128(_mm_loadu_si128((const __m128i *) (p)), mf), vf), \
						  _mm_cmpeq_epi8(_mm_or_si128(_mm_loadu_si128((const __m128i *) ((p) + nn - 1)), ml), vl))))

		if (ncand < 16 && hn <= 48)
		{
			/* a short haystack: one block, from a copy with room to read */
			memcpy(pad, h, hn);
			memset(pad + hn, 0, sizeof(pad) - hn);
			return first_match(h, 0, CAND_MASK(pad) & ((1u << ncand) - 1), nd, nn, fold);
		}
		if (ncand >= 16)
		{
			for (; i + 16 <= ncand; i += 16)
			{
				const char *p = first_match(h, i, CAND_MASK(h + i), nd, nn, fold);

				if (p)
					return p;
			}
			/* the last positions: the last 16, those seen already masked off */
			if (i < ncand)
				return first_match(h, ncand - 16, CAND_MASK(h + ncand - 16) & (~0u << (i - (ncand - 16))),
								   nd, nn, fold);
			return NULL;
		}
#undef CAND_MASK
	}
#endif
	/* a needle too long for one block over a short haystack (or no SSE2) */
	for (; i + nn <= hn; i++)
	{
		unsigned char c = (unsigned char) h[i];

		if ((fold ? lower_ascii(c) : c) == f && same_fold(h + i + 1, nd + 1, nn - 1, fold))
			return h + i;
	}
	return NULL;
}

/* the first occurrence of nd[0..nn) in h[0..hn), or NULL (memmem()) */
const char *
ma_dsn_memmem(const char *h, size_t hn, const char *nd, size_t nn)
{
	return search(h, hn, nd, nn, false);
}

/* case-insensitive memmem (ASCII folding) */
const char *
ma_dsn_memcasemem(const char *h, size_t hn, const char *needle)
{
	return search(h, hn, needle, strlen(needle), true);
}

/* whitespace (is_sp) and NUL */
static const bool spnul_tab[256] = {
	[0] = true,[' '] = true,['\t'] = true,['\r'] = true,['\n'] = true,['\f'] = true,['\v'] = true
};

/*
 * s[0..n) written at buf + o with every run of whitespace (and NULs) as one
 * space, none after the last byte; with lead, a space before the first byte
 * (when s has one that is not whitespace).  Returns the new length, at most
 * o + 1 + n.  No branch on the bytes: which byte is a space changes with
 * every text, and the branch predictor cannot know it.
 */
static size_t
diag_collapse(char *buf, size_t o, const char *s, size_t n, bool lead)
{
	bool		prev = true;	/* the byte before was whitespace */

	if (lead)
		buf[o++] = ' ';
	for (size_t i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];
		bool		w = spnul_tab[c];

		buf[o] = w ? ' ' : (char) c;
		o += !(w && prev);
		prev = w;
	}
	if (prev && o > 0)
		o--;					/* the space of a run at the end (or the lead alone) */
	return o;
}

/*
 * The length a collapsed diagnostic buf[0..o) is kept at: MA_DSN_MAX_DIAG
 * bytes, and the rest of a character cut there (the continuation bytes that
 * follow, a space between them kept).  A space written as the last byte
 * before the limit keeps the byte after it.
 */
static size_t
diag_cut(const char *buf, size_t o)
{
	size_t		cut = MA_DSN_MAX_DIAG;

	if (o <= MA_DSN_MAX_DIAG)
		return o;
	if (buf[cut - 1] == ' ')
		cut++;
	while (cut < o)
	{
		if (((unsigned char) buf[cut] & 0xC0) == 0x80)
			cut++;
		else if (buf[cut] == ' ' && cut + 1 < o && ((unsigned char) buf[cut + 1] & 0xC0) == 0x80)
			cut += 2;
		else
			break;
	}
	return cut;
}

/* *field = buf[0..o): buf itself when it is ASCII (it has room for the NUL), else a copy */
static void
diag_store(char **field, char *buf, size_t o)
{
	if (ma_ascii_run(buf, o) == o)
	{
		buf[o] = '\0';
		free(*field);
		*field = buf;
		return;
	}
	ma_dsn_setn(field, buf, o);
	free(buf);
}

void
ma_dsn_set_diag(ma_dsn_rcpt *r, const char *s, size_t n)
{
	char	   *buf;
	size_t		o;

	if (s == NULL)
		return;
	if (n > MA_DSN_MAX_DIAG * 2)
		n = MA_DSN_MAX_DIAG * 2;
	while (n > 0 && is_sp(*s))
	{
		s++;
		n--;
	}
	while (n > 0 && is_sp(s[n - 1]))
		n--;
	if (n == 0)
		return;
	/* whitespace runs (and NULs) as one space: never longer than s */
	buf = malloc(n + 1);
	if (buf == NULL)
	{
		dsn_oom = true;
		return;
	}
	o = diag_cut(buf, diag_collapse(buf, 0, s, n, false));
	diag_store(&r->diagnostic, buf, o);
}

/*
 * r->diagnostic = its text, a space, then s[0..n), whitespace collapsed: the
 * same as ma_dsn_set_diag() of the whole, without reading the first part
 * again.
 */
void
ma_dsn_append_diag(ma_dsn_rcpt *r, const char *s, size_t n)
{
	size_t		ol = r->diagnostic ? strlen(r->diagnostic) : 0,
				o;
	char	   *buf;

	if (s == NULL)
		return;
	if (ol == 0 || ol >= MA_DSN_MAX_DIAG)
	{
		/* nothing to join to, or nothing can be added */
		if (ol == 0)
		{
			char	   *t = NULL;

			/* "" + " " + s is s, trimmed */
			if (r->diagnostic)
			{
				t = r->diagnostic;
				r->diagnostic = NULL;
			}
			ma_dsn_set_diag(r, s, n);
			if (r->diagnostic == NULL)
				r->diagnostic = t;
			else
				free(t);
		}
		return;
	}
	/* the whole is cut at MA_DSN_MAX_DIAG * 2 bytes before collapsing */
	if (n > MA_DSN_MAX_DIAG * 2 - ol - 1)
		n = MA_DSN_MAX_DIAG * 2 - ol - 1;
	while (n > 0 && is_sp(s[n - 1]))
		n--;
	buf = malloc(ol + 1 + n + 1);
	if (buf == NULL)
	{
		dsn_oom = true;
		return;
	}
	memcpy(buf, r->diagnostic, ol);
	o = diag_cut(buf, diag_collapse(buf, ol, s, n, true));
	if (o > ol)
		diag_store(&r->diagnostic, buf, o);
	else
		free(buf);
}

/* bytes of a local part: letters, digits, 8-bit, RFC 5322 atext, '.' (and NUL, as strchr() saw it) */
static const uint8_t addr_local_tab[256] = {
	1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};
/* bytes of a domain: letters, digits, 8-bit, '-', '.', '_' */
static const uint8_t addr_domain_tab[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static inline bool
addr_local_char(unsigned char c)
{
	return addr_local_tab[c];
}

static inline bool
addr_domain_char(unsigned char c)
{
	return addr_domain_tab[c];
}

/*
 * Normalise the address s[0..n) ("<a@b>", "rfc822;a@b", "'a@b'", "a@b.")
 * into out: trimmed, no brackets or quotes, domain lowercased.  False when it
 * is not local@domain.
 */
static bool
addr_norm(const char *s, size_t n, char *out, size_t outlen)
{
	size_t		at = (size_t) -1,
				o = 0;

	while (n > 0 && (is_sp(*s) || *s == '<' || *s == '"' || *s == '\'' || *s == '(' || *s == '['))
	{
		s++;
		n--;
	}
	while (n > 0 && (is_sp(s[n - 1]) || s[n - 1] == '>' || s[n - 1] == '"' || s[n - 1] == '\'' ||
					 s[n - 1] == '.' || s[n - 1] == ',' || s[n - 1] == ';' || s[n - 1] == ':' ||
					 s[n - 1] == ')' || s[n - 1] == ']'))
		n--;
	if (n < 3 || n >= outlen)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '@')
			at = i;
	if (at == (size_t) -1 || at == 0 || at == n - 1)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (i > at)
		{
			if (!addr_domain_char(c) && c != '[' && c != ']' && c != ':')
				return false;
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char) (c + 32);
		}
		else if (i < at && !addr_local_char(c) && c != '"' && c != ' ' && c != '@')
			return false;
		out[o++] = (char) c;
	}
	out[o] = '\0';
	/* the domain needs a dot or a literal */
	if (strchr(out + at + 1, '.') == NULL && out[at + 1] != '[')
		return false;
	return true;
}

/*
 * The first e-mail address in s[0..n): in angle brackets first on the line
 * when there is one, else the first bare token with an '@'.
 */
bool
ma_dsn_find_addr(const char *s, size_t n, char *out, size_t outlen)
{
	const char *lt = memchr(s, '<', n);

	/* <addr> */
	while (lt)
	{
		size_t		off = (size_t) (lt - s) + 1;
		const char *gt = memchr(lt + 1, '>', n - off);

		if (gt == NULL)
			break;
		if (memchr(lt + 1, '@', (size_t) (gt - lt - 1)) &&
			addr_norm(lt + 1, (size_t) (gt - lt - 1), out, outlen))
		{
			const char *at = strchr(out, '@');

			/* an address with a source route "<@a:b@c>" */
			if (out[0] == '@' && strchr(out, ':'))
				memmove(out, strchr(out, ':') + 1, strlen(strchr(out, ':') + 1) + 1);
			if (at)
				return true;
		}
		off = (size_t) (gt - s) + 1;
		lt = off < n ? memchr(gt + 1, '<', n - off) : NULL;
	}
	/* a bare token */
	for (size_t i = 0; i < n; i++)
	{
		size_t		b,
					e;

		if (s[i] != '@')
			continue;
		b = i;
		while (b > 0 && addr_local_char((unsigned char) s[b - 1]))
			b--;
		e = i + 1;
		while (e < n && (addr_domain_char((unsigned char) s[e])))
			e++;
		while (b < i && s[b] == '.')
			b++;
		if (b == i || e == i + 1)
			continue;
		if (addr_norm(s + b, e - b, out, outlen))
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------------
 * SMTP codes in text (the choices of Sisimai 5: smtp/status, smtp/reply)
 * ---------------------------------------------------------------------
 */

/* copy the code s (at most 15 bytes) into out[16] */
static inline void
code_copy(char out[16], const char *s)
{
	size_t		n = strnlen(s, 15);

	memmove(out, s, n);
	out[n] = '\0';
}

/* Status: field vs code in the message vs reply code */
void
ma_dsn_prefer_status(const char *field, const char *inmsg, int reply, char out[16])
{
	const char *a = field ? field : "",
			   *b = inmsg ? inmsg : "";
	char		r0 = reply >= 100 && reply < 1000 ? (char) ('0' + reply / 100) : '0';
	const char *pick;

	if (!*a)
		pick = b;
	else if (!*b)
		pick = a;
	else if (strlen(a) < 5)
		pick = b;
	else if (strlen(b) < 5)
		pick = a;
	else if (r0 != '0' && a[0] != b[0] && (r0 == a[0] || r0 == b[0]))
		pick = r0 == a[0] ? a : b;
	else if (strcmp(a, b) == 0)
		pick = a;
	else
	{
		const char *z1a = strstr(a, ".0"),
				   *z1b = strstr(b, ".0"),
				   *z2a = strstr(a, ".0.0"),
				   *z2b = strstr(b, ".0.0");

		if (z2a)
			pick = z2b ? a : b;
		else if (z1a && !z1b)
			pick = b;
		else if (z2b)
			pick = a;
		else if (strcmp(a, "4.4.7") == 0 || strcmp(a, "4.7.0") == 0 ||
				 strncmp(a, "5.3.", 4) == 0 || strncmp(a + 1, ".5.1", 4) == 0 ||
				 strncmp(a + 1, ".5.2", 4) == 0 || strncmp(a + 1, ".5.4", 4) == 0 ||
				 strncmp(a + 1, ".5.5", 4) == 0)
			pick = b;
		else if (strcmp(a, "5.1.1") == 0)
			pick = (z1b || strncmp(b, "5.5.", 4) == 0) ? a : b;
		else if (strcmp(a, "5.1.3") == 0 && strncmp(b, "5.7.", 4) == 0)
			pick = b;
		else
			pick = a;
	}
	code_copy(out, pick);
}

/*
 * The first place at or after from where an enhanced status code can start
 * ("2.", "4." or "5.", with 4 bytes to the end), or n.  16 places at a time:
 * visiting every dot of a text (host names, addresses) one by one, whether a
 * code starts there is a branch the predictor cannot know.
 */
static size_t
status_next(const char *s, size_t n, size_t from)
{
	size_t		lim = n >= 4 ? n - 3 : 0,	/* a code starts before lim */
				p = from;

#ifdef __SSE2__
	for (; p + 17 <= n; p += 16)
	{
		__m128i		a = _mm_loadu_si128((const __m128i *) (s + p)),
					b = _mm_loadu_si128((const __m128i *) (s + p + 1)),
					d = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('2')),
												  _mm_cmpeq_epi8(a, _mm_set1_epi8('4'))),
									 _mm_cmpeq_epi8(a, _mm_set1_epi8('5')));
		unsigned	m = (unsigned) _mm_movemask_epi8(_mm_and_si128(d, _mm_cmpeq_epi8(b, _mm_set1_epi8('.'))));

		if (m)
		{
			size_t		q = p + (size_t) __builtin_ctz(m);

			return q < lim ? q : n;
		}
	}
#endif
	for (; p < lim; p++)
		if ((s[p] == '2' || s[p] == '4' || s[p] == '5') && s[p + 1] == '.')
			return p;
	return n;
}

/*
 * The enhanced status code s carries (cls: '2', '4', '5' or 0 for any): every
 * code that is not part of a longer number (an IPv4 address, a version), the
 * x.0.0 and 4.4.7 ones kept only as a last resort, then Sisimai's preference.
 */

bool
ma_dsn_find_status(const char *s, size_t n, char cls, char out[16])
{
	char		best[16] = "",
				other[16] = "";
	int			found = 0;

	out[0] = '\0';
	if (s == NULL || n < 5)
		return false;
	/* where a code can start: 2, 4 or 5 and a dot */
	for (size_t i = status_next(s, n, 0); i + 4 <= n; i = status_next(s, n, i + 1))
	{
		char		c = s[i];
		char		code[16];
		size_t		j,
					nd;

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
				code_copy(other, code);
			continue;
		}
		if (found == 0)
			code_copy(best, code);
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
		code_copy(out, other);
	else
		code_copy(out, best);
	return true;
}

static const int replies5[] = {550, 552, 553, 551, 521, 525, 523, 524, 530, 533, 534, 535, 538,
555, 556, 554, 500, 501, 502, 503, 504, 0};
static const int replies4[] = {421, 450, 451, 452, 422, 430, 432, 453, 454, 455, 458, 459, 0};
static const int replies2[] = {211, 214, 220, 221, 235, 250, 251, 252, 253, 334, 354, 0};

/* the standalone 3-digit numbers of s below 600, as a set; false when none */
typedef struct reply_set
{
	uint8_t		seen[600];
} reply_set;

static bool
reply_scan(const char *s, size_t n, reply_set *rs)
{
	bool		any = false;

	if (s == NULL || n < 3 || ma_dsn_memcasemem(s, n, "x-unix"))
		return false;
	memset(rs->seen, 0, sizeof(rs->seen));
	/* every standalone 3-digit number, once */
	for (size_t i = 0; i + 3 <= n; i++)
	{
		int			v;

		if (!(s[i] >= '0' && s[i] <= '9'))
		{
			/* on to the next digit, 16 bytes at a time */
			i += ma_span((const unsigned char *) s + i, n - i, MA_SPAN_NODIGIT);
			if (i + 3 > n)
				break;
		}
		if (!(s[i + 1] >= '0' && s[i + 1] <= '9') || !(s[i + 2] >= '0' && s[i + 2] <= '9'))
			continue;
		if (i > 0 && ((unsigned char) s[i - 1] >= '.' && (unsigned char) s[i - 1] <= '9'))
		{
			while (i + 1 < n && isdigit((unsigned char) s[i + 1]))
				i++;
			continue;
		}
		if (i + 3 < n && ((unsigned char) s[i + 3] >= '.' && (unsigned char) s[i + 3] <= '9'))
		{
			while (i + 1 < n && isdigit((unsigned char) s[i + 1]))
				i++;
			continue;
		}
		v = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
		if (v < 600)
		{
			rs->seen[v] = 1;
			any = true;
		}
		i += 2;
	}
	return any;
}

/* the reply code of class cls ('2', '4', '5') or any (0) in the set */
static int
reply_pick(const reply_set *rs, char cls)
{
	const int  *lists[3];
	int			nl = 0;

	if (cls == '2')
		lists[nl++] = replies2;
	else if (cls == '4')
		lists[nl++] = replies4;
	else if (cls == '5')
		lists[nl++] = replies5;
	else
	{
		lists[nl++] = replies5;
		lists[nl++] = replies4;
		lists[nl++] = replies2;
	}
	for (int k = 0; k < nl; k++)
		for (const int *p = lists[k]; *p; p++)
			if (rs->seen[*p])
				return *p;
	return 0;
}

/* the SMTP reply code in s, of class cls ('2', '4', '5') or any (0) */
int
ma_dsn_find_reply(const char *s, size_t n, char cls)
{
	reply_set	rs;

	if (!reply_scan(s, n, &rs))
		return 0;
	return reply_pick(&rs, cls);
}

/* ---------------------------------------------------------------------
 * Charsets
 * ---------------------------------------------------------------------
 */

static const char *
mem_find(const char *h, size_t hn, const char *nd, size_t nn)
{
	if (nn == 0 || hn < nn)
		return NULL;
	for (size_t i = 0; i + nn <= hn; i++)
	{
		const char *p = memchr(h + i, nd[0], hn - nn + 1 - i);

		if (p == NULL)
			return NULL;
		i = (size_t) (p - h);
		if (memcmp(p, nd, nn) == 0)
			return p;
	}
	return NULL;
}

/* newlines to LF, then append as UTF-8 (invalid bytes replaced) */
static void
sb_add_text(sbuf *b, const char *s, size_t n)
{
	size_t		i = 0;

	if (!sb_reserve(b, n))
		return;
	if (ma_ascii_run(s, n) == n)
	{
		/* ASCII without NUL: only the line ends change, never growing */
		char	   *o = b->p + b->n;

		while (i < n)
		{
			const char *cr = memchr(s + i, '\r', n - i);
			size_t		e = cr ? (size_t) (cr - s) : n;

			memcpy(o, s + i, e - i);
			o += e - i;
			if (cr == NULL)
				break;
			i = e + 1;
			if (i < n && s[i] == '\n')
				continue;		/* CRLF: the LF follows */
			*o++ = '\n';
		}
		b->n = (size_t) (o - b->p);
		b->p[b->n] = '\0';
		return;
	}
	while (i < n)
	{
		const char *cr = memchr(s + i, '\r', n - i);
		size_t		e = cr ? (size_t) (cr - s) : n;

		sb_add_utf8(b, s + i, e - i);
		if (cr == NULL)
			break;
		i = e + 1;
		if (i < n && s[i] == '\n')
			continue;			/* CRLF: the LF follows */
		sb_addc(b, '\n');
	}
}

static bool
charset_is_utf8ish(const char *cs)
{
	return cs == NULL || !*cs || strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0 ||
		strcasecmp(cs, "us-ascii") == 0 || strcasecmp(cs, "ascii") == 0 ||
		strcasecmp(cs, "ansi_x3.4-1968") == 0 || strcasecmp(cs, "x-unknown") == 0 ||
		strcasecmp(cs, "unknown-8bit") == 0;
}

/*
 * A charset in which the bytes 0x01-0x7F are ASCII (so that ASCII-only data
 * converts to itself): ISO 8859, Windows code pages, KOI8, the EUC family,
 * GB and Big5 (not ISO-2022, UTF-7, UTF-16/32 or Shift_JIS).
 */
static bool
charset_is_ascii_superset(const char *cs)
{
	static const char *const prefixes[] = {
		"iso-8859-", "iso8859-", "iso_8859-", "windows-", "cp125", "latin", "koi8",
		"euc-", "gb2312", "gbk", "gb18030", "big5", NULL
	};

	if (cs == NULL)
		return false;
	for (int i = 0; prefixes[i]; i++)
		if (strncasecmp(cs, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/*
 * Converters to UTF-8, kept for the life of the process (opening one loads a
 * gconv module): a few charsets at a time, the oldest replaced.
 */
#define ICONV_CACHE 8

static iconv_t
iconv_cached(const char *charset)
{
	static struct
	{
		char		name[64];
		iconv_t		cd;
	}			cache[ICONV_CACHE];
	static int	ncache = 0,
				victim = 0;
	iconv_t		cd;

	if (charset == NULL || strlen(charset) >= sizeof(cache[0].name))
		return (iconv_t) -1;
	for (int i = 0; i < ncache; i++)
		if (strcasecmp(cache[i].name, charset) == 0)
			return cache[i].cd;
	cd = g_mime_iconv_open("UTF-8", charset);
	/* unknown charsets are remembered too, as failures */
	if (ncache < ICONV_CACHE)
		victim = ncache++;
	else
	{
		victim = (victim + 1) % ICONV_CACHE;
		if (cache[victim].cd != (iconv_t) -1)
			g_mime_iconv_close(cache[victim].cd);
	}
	snprintf(cache[victim].name, sizeof(cache[victim].name), "%s", charset);
	cache[victim].cd = cd;
	return cd;
}

/* convert s[0..n) from charset to UTF-8 into b, newlines to LF */
static void
sb_add_converted(sbuf *b, const char *s, size_t n, const char *charset)
{
	iconv_t		cd;
	sbuf		u = {0};
	char	   *in = (char *) s;
	size_t		inleft = n;

	if (n == 0)
		return;
	/* ISO-2022-JP sent as "us-ascii" or without a charset */
	if (charset_is_utf8ish(charset) &&
		(mem_find(s, n, "\x1b$B", 3) || mem_find(s, n, "\x1b$@", 3)))
		charset = "ISO-2022-JP";
	if (charset_is_utf8ish(charset) || (charset_is_ascii_superset(charset) && ma_ascii_run(s, n) == n))
	{
		sb_add_text(b, s, n);
		return;
	}
	cd = iconv_cached(charset);
	if (cd == (iconv_t) -1)
	{
		sb_add_text(b, s, n);
		return;
	}
	iconv(cd, NULL, NULL, NULL, NULL);
	if (!sb_reserve(&u, n * 2 + 16))
		return;
	while (inleft > 0)
	{
		char	   *o = u.p + u.n;
		size_t		oleft = u.cap - u.n - 1;
		size_t		rc = iconv(cd, &in, &inleft, &o, &oleft);

		u.n = (size_t) (o - u.p);
		if (rc != (size_t) -1)
			break;
		if (errno == E2BIG)
		{
			if (!sb_reserve(&u, inleft * 2 + 64))
				break;
			continue;
		}
		/* EILSEQ or EINVAL: one replacement character, skip a byte */
		sb_add(&u, "\xEF\xBF\xBD", 3);
		in++;
		inleft--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	{
		/* flush the shift state */
		char	   *o;
		size_t		oleft;

		if (sb_reserve(&u, 16))
		{
			o = u.p + u.n;
			oleft = u.cap - u.n - 1;
			iconv(cd, NULL, NULL, &o, &oleft);
			u.n = (size_t) (o - u.p);
		}
	}
	if (u.p)
	{
		u.p[u.n] = '\0';
		sb_add_text(b, u.p, u.n);
	}
	sb_free(&u);
}

/* ---------------------------------------------------------------------
 * Header blocks (for text/rfc822-headers and originals found in text)
 * ---------------------------------------------------------------------
 */
typedef void (*hdr_fn) (void *arg, const char *name, size_t nlen, const char *val, size_t vlen);

/*
 * Walk the header block at s[0..n): every field with its unfolded value.
 * Stops at the first empty line, or at a line that is neither a field nor a
 * continuation.  Returns the bytes consumed.
 */
static size_t
walk_header_block(const char *s, size_t n, hdr_fn fn, void *arg)
{
	size_t		p = 0;
	sbuf		v = {0};

	while (p < n)
	{
		size_t		ls = p,
					le,
					colon;
		const char *nl = memchr(s + p, '\n', n - p);
		const char *vp;
		size_t		vn;

		le = nl ? (size_t) (nl - s) : n;
		if (le == ls || (le == ls + 1 && s[ls] == '\r'))
		{
			p = le + 1;
			break;
		}
		/* the name ends at the colon, or at whitespace (then it is no field) */
		colon = ls + ma_span((const unsigned char *) s + ls, le - ls, MA_SPAN_NAME);
		if (colon == le || s[colon] != ':' || colon == ls)
			break;
		p = le + 1;
		if (p < n && (s[p] == ' ' || s[p] == '\t'))
		{
			/* folded: the lines joined (without their line ends) */
			if (v.cap == 0)
				sb_reserve(&v, 512);
			v.n = 0;
			sb_add(&v, s + colon + 1, le - colon - 1);
			while (p < n && (s[p] == ' ' || s[p] == '\t'))
			{
				const char *nl2 = memchr(s + p, '\n', n - p);
				size_t		e2 = nl2 ? (size_t) (nl2 - s) : n;

				sb_add(&v, s + p, e2 - p);
				p = e2 + 1;
			}
			vp = v.p ? v.p : "";
			vn = v.n;
		}
		else
		{
			/* one line: read in place */
			vp = s + colon + 1;
			vn = le - colon - 1;
		}
		while (vn > 0 && is_sp(*vp))
		{
			vp++;
			vn--;
		}
		while (vn > 0 && is_sp(vp[vn - 1]))
			vn--;
		fn(arg, s + ls, colon - ls, vp, vn);
	}
	sb_free(&v);
	return p > n ? n : p;
}

/* ---------------------------------------------------------------------
 * The view of the message
 * ---------------------------------------------------------------------
 */
#define MA_DSN_MAX_PARTS	2000	/* MIME entities visited at most */

/* an arena for the strings of the view: freed at once with the view */
typedef struct ablk
{
	struct ablk *next;
	size_t		used;
	size_t		cap;
	char		data[];
} ablk;

#define ARENA_BLOCK 16384
#define MA_DSN_HTML_PARTS 16
#define MA_DSN_HBUF 48

typedef struct build
{
	ma_bmsg		m;
	ablk	   *arena;
	ma_bhdr		hbuf[MA_DSN_HBUF];	/* the first header fields */
	struct
	{
		const char *s;
		size_t		n;
		int			cte;
		char		charset[64];
	}			htmls[MA_DSN_HTML_PARTS];	/* text/html parts, decoded when needed */
	int			nhtml;
	const char *src;			/* the message being read: header values */
	size_t		srclen;			/* in it are read in place */
	sbuf		scratch;		/* a decoded header value */
	char	   *low;			/* the text lowercased (ASCII) */
	sbuf		text;
	sbuf		html;
	sbuf		dsn;
	sbuf		fb;
	sbuf		orig;
	size_t		nhcap;
	bool		have_orig;
	bool		report_feedback;	/* multipart/report; report-type=feedback-report */
	bool		text_dsn;		/* dsn was found in the text */
	int			nparts;			/* entities visited */
	const char *emb;			/* the first message/rfc822 part (in the input) */
	size_t		emb_len;
	char	   *orig_msgid;
	char	   *orig_from;
	char	   *orig_subject;
	char	   *orig_to;
} build;

static void
gmime_once(void)
{
	static bool done = false;

	if (done)
		return;
	g_mime_init();
	done = true;
}

static bool
has_8bit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char) s[i] >= 0x80)
			return true;
	return false;
}

/* a copy of s[0..n) (NUL-terminated) in the arena of the view, or NULL */
static char *
arena_dup(build *b, const char *s, size_t n)
{
	ablk	   *k = b->arena;
	char	   *p;

	if (n > (SIZE_MAX >> 2))
		return NULL;
	if (k == NULL || k->cap - k->used < n + 1)
	{
		size_t		cap = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;
		ablk	   *nk = malloc(sizeof(ablk) + cap);

		if (nk == NULL)
		{
			dsn_oom = true;
			return NULL;
		}
		nk->used = 0;
		nk->cap = cap;
		/* a block for one big string goes behind the current one */
		if (k != NULL && cap > ARENA_BLOCK)
		{
			nk->next = k->next;
			k->next = nk;
		}
		else
		{
			nk->next = k;
			b->arena = nk;
		}
		k = nk;
	}
	p = k->data + k->used;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	k->used += n + 1;
	return p;
}

static void
arena_free(build *b)
{
	while (b->arena)
	{
		ablk	   *k = b->arena;

		b->arena = k->next;
		free(k);
	}
}

/* does the header value v[0..n) need more than a copy: CR, LF, NUL, 8-bit, "=?" */
static bool
hdr_needs_decoding(const char *v, size_t n)
{
	size_t		i = 0;

#ifdef __SSE2__
	if (n >= 17)
	{
		/*
		 * 16 bytes at a time, the last 17 bytes once more (overlapping): CR,
		 * LF, NUL or 8-bit, or '=' before '?'
		 */
		for (;; i += 16)
		{
			__m128i		a,
						b;
			unsigned	m;

			if (i + 17 > n)
				i = n - 17;
			a = _mm_loadu_si128((const __m128i *) (v + i));
			b = _mm_loadu_si128((const __m128i *) (v + i + 1));
			m = (unsigned) _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('\r')),
																	   _mm_cmpeq_epi8(a, _mm_set1_epi8('\n'))),
														  _mm_or_si128(_mm_cmpeq_epi8(a, _mm_setzero_si128()),
																	   _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('=')),
																					 _mm_cmpeq_epi8(b, _mm_set1_epi8('?'))))));
			if (m | (unsigned) _mm_movemask_epi8(a))
				return true;
			if (i + 17 >= n)
				break;
		}
		/* the last byte, which no '=' can precede in the block */
		i = n - 1;
	}
#endif
	for (; i < n; i++)
	{
		unsigned char c = (unsigned char) v[i];

		if (c == '\r' || c == '\n' || c == '\0' || c >= 0x80 ||
			(c == '=' && i + 1 < n && v[i + 1] == '?'))
			return true;
	}
	return false;
}

static inline int hexval(unsigned char c);

/* the encoded text of an encoded word, decoded into out; false if malformed */
static bool
ew_text(char enc, const char *t, size_t len, sbuf *out)
{
	if (!sb_reserve(out, len + 1))
		return false;
	if (enc == 'B' || enc == 'b')
	{
		uint32_t	acc = 0;
		int			bits = 0;

		if (len % 4 != 0)
			return false;
		for (size_t k = 0; k < len; k++)
		{
			int			d = ma_b64val((unsigned char) t[k]);

			if (d < 0)
				/* padding: only at the end */
				return t[k] == '=' && k + 2 >= len && (k + 1 == len || t[k + 1] == '=');
			acc = (acc << 6) | (uint32_t) d;
			bits += 6;
			if (bits >= 8)
			{
				bits -= 8;
				out->p[out->n++] = (char) ((acc >> bits) & 0xFF);
			}
		}
		return true;
	}
	if (enc == 'Q' || enc == 'q')
	{
		for (size_t k = 0; k < len; k++)
		{
			if (t[k] == '_')
				out->p[out->n++] = ' ';
			else if (t[k] == '=')
			{
				if (k + 2 >= len || hexval((unsigned char) t[k + 1]) < 0 ||
					hexval((unsigned char) t[k + 2]) < 0)
					return false;
				out->p[out->n++] = (char) ((hexval((unsigned char) t[k + 1]) << 4) |
										   hexval((unsigned char) t[k + 2]));
				k += 2;
			}
			else
				out->p[out->n++] = t[k];
		}
		return true;
	}
	return false;
}

/*
 * The bytes of a run of encoded words in charset cs, to UTF-8 into out:
 * false when they are not valid in it (GMime then repairs the value).
 */
static bool
ew_convert(const char *cs, const char *s, size_t n, sbuf *out)
{
	bool		high = false;

	for (size_t k = 0; k < n; k++)
	{
		unsigned char c = (unsigned char) s[k];

		if (c == 0 || c == '\r' || c == '\n')
			return false;
		if (c >= 0x80 || c == 0x1B)
			high = true;		/* 8-bit, or an ISO 2022 shift */
	}
	if (strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0)
	{
		for (size_t k = 0; k < n;)
		{
			size_t		q;

			k += ma_ascii_run(s + k, n - k);
			if (k >= n)
				break;
			if ((unsigned char) s[k] < 0x80)
			{
				k++;			/* ESC */
				continue;
			}
			q = utf8_seq((const unsigned char *) s + k, n - k);
			if (q == 0)
				return false;
			k += q;
		}
		sb_add(out, s, n);
		return true;
	}
	if (!high)
	{
		/* 7-bit text: the same in a charset that has ASCII (not UTF-7) */
		if (strncasecmp(cs, "utf-7", 5) == 0 || strncasecmp(cs, "utf-16", 6) == 0 ||
			strncasecmp(cs, "utf-32", 6) == 0 || strncasecmp(cs, "ucs-", 4) == 0)
			return false;
		sb_add(out, s, n);
		return true;
	}
	{
		iconv_t		cd = iconv_cached(cs);
		char	   *in = (char *) s;
		size_t		inleft = n;

		if (cd == (iconv_t) -1)
			return false;
		iconv(cd, NULL, NULL, NULL, NULL);
		while (inleft > 0)
		{
			char	   *o;
			size_t		oleft;

			if (!sb_reserve(out, inleft * 4 + 16))
				return false;
			o = out->p + out->n;
			oleft = out->cap - out->n - 1;
			if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t) -1 && errno != E2BIG)
			{
				out->n = (size_t) (o - out->p);
				return false;
			}
			out->n = (size_t) (o - out->p);
		}
		if (sb_reserve(out, 16))
		{
			char	   *o = out->p + out->n;
			size_t		oleft = out->cap - out->n - 1;

			iconv(cd, NULL, NULL, &o, &oleft);
			out->n = (size_t) (o - out->p);
		}
		out->p[out->n] = '\0';
		/* a converter that gave invalid UTF-8 is not trusted */
		for (size_t k = 0; k < out->n;)
		{
			size_t		q;

			k += ma_ascii_run(out->p + k, out->n - k);
			if (k >= out->n)
				break;
			q = utf8_seq((const unsigned char *) out->p + k, out->n - k);
			if (q == 0)
				return false;
			k += q;
		}
		return true;
	}
}

/*
 * RFC 2047 without GMime for well-formed values: 7-bit text whose encoded
 * words (B or Q, in a known charset) are each delimited by whitespace or the
 * ends; whitespace between two encoded words is dropped, and the bytes of
 * adjacent words in one charset and encoding are converted together (a
 * character may be split between them).  Anything else returns false, out untouched, and GMime
 * decodes the value.  (GMime 3.2 loses the words after a base64 word with
 * padding when it joins them: "=?UTF-8?B?SGVsbG8=?= =?UTF-8?B?V29ybGQ=?="
 * gives "Hello"; this gives "HelloWorld".)
 */
static bool
ew_decode_fast(const char *s, size_t n, sbuf *out)
{
	sbuf		u = {0},		/* the decoded value */
				run = {0};		/* the bytes of the current run of words */
	char		run_cs[32] = "",
				run_enc = 0;
	size_t		i = 0,
				pend_ws = 0;	/* whitespace after an encoded word, not yet written */
	bool		ok = true;

	while (i < n && ok)
	{
		const char *cs,
				   *q2,
				   *q3,
				   *end;
		size_t		csl;
		char		csname[32];

		if (!(s[i] == '=' && i + 1 < n && s[i + 1] == '?'))
		{
			size_t		from = i;

			if (s[i] == ' ' || s[i] == '\t')
			{
				if (run.n > 0 || run_cs[0])
					pend_ws++;
				else
					sb_addc(&u, s[i]);
				i++;
				continue;
			}
			/* plain text: the run ends, the whitespace before the text is kept */
			if (run_cs[0])
			{
				ok = ew_convert(run_cs, run.p ? run.p : "", run.n, &u);
				run.n = 0;
				run_cs[0] = '\0';
			}
			sb_add(&u, s + i - pend_ws, pend_ws);
			pend_ws = 0;
			while (i < n && s[i] != ' ' && s[i] != '\t')
			{
				if (s[i] == '=' && i + 1 < n && s[i + 1] == '?')
				{
					ok = false; /* "text=?...": left to GMime */
					break;
				}
				i++;
			}
			sb_add(&u, s + from, i - from);
			continue;
		}
		/* an encoded word: =?charset?X?text?= after whitespace or the start */
		if (i > 0 && s[i - 1] != ' ' && s[i - 1] != '\t')
		{
			ok = false;
			break;
		}
		cs = s + i + 2;
		q2 = memchr(cs, '?', n - (size_t) (cs - s));
		if (q2 == NULL || q2 + 3 > s + n || q2[2] != '?')
		{
			ok = false;
			break;
		}
		csl = (size_t) (q2 - cs);
		if (csl == 0 || csl >= sizeof(csname) || memchr(cs, '*', csl) != NULL)
		{
			ok = false;			/* RFC 2231 language: GMime's */
			break;
		}
		memcpy(csname, cs, csl);
		csname[csl] = '\0';
		q3 = q2 + 3;
		end = q3;
		while (end < s + n && *end != '?' && *end != ' ' && *end != '\t')
			end++;
		if (end + 2 > s + n || end[0] != '?' || end[1] != '=' || end == q3 ||
			(end + 2 < s + n && end[2] != ' ' && end[2] != '\t'))
		{
			ok = false;
			break;
		}
		/* another charset or encoding (GMime joins only these): the run is converted */
		if (run_cs[0] && (strcasecmp(run_cs, csname) != 0 || (run_enc | 0x20) != (q2[1] | 0x20)))
		{
			ok = ew_convert(run_cs, run.p ? run.p : "", run.n, &u);
			run.n = 0;
		}
		memcpy(run_cs, csname, csl + 1);
		run_enc = q2[1];
		pend_ws = 0;			/* between two encoded words: dropped */
		if (ok)
			ok = ew_text(q2[1], q3, (size_t) (end - q3), &run);
		i = (size_t) (end + 2 - s);
	}
	if (ok && run_cs[0])
		ok = ew_convert(run_cs, run.p ? run.p : "", run.n, &u);
	if (ok)
	{
		sb_add(&u, s + n - pend_ws, pend_ws);
		sb_add(out, u.p ? u.p : "", u.n);
	}
	sb_free(&u);
	sb_free(&run);
	return ok;
}

/* a raw header value: unfolded, RFC 2047 decoded, UTF-8 */
static void
hdr_decode(const char *v, size_t n, sbuf *out)
{
	sbuf		raw = {0};

	while (n > 0 && is_sp(*v))
	{
		v++;
		n--;
	}
	while (n > 0 && is_sp(v[n - 1]))
		n--;
	if (n == 0)
		return;
	if (!hdr_needs_decoding(v, n))
	{
		sb_add(out, v, n);
		return;
	}
	if (!sb_reserve(&raw, n))
		return;
	for (size_t i = 0; i < n; i++)
		if (v[i] != '\r' && v[i] != '\n')
			raw.p[raw.n++] = v[i] ? v[i] : ' ';
	raw.p[raw.n] = '\0';
	if (mem_find(raw.p, raw.n, "=?", 2) || has_8bit(raw.p, raw.n))
	{
		char	   *d;

		if (!has_8bit(raw.p, raw.n) && ew_decode_fast(raw.p, raw.n, out))
		{
			sb_free(&raw);
			return;
		}
		d = g_mime_utils_header_decode_text(NULL, raw.p);

		if (d)
		{
			sb_add_utf8(out, d, strlen(d));
			g_free(d);
		}
		else
			sb_add_utf8(out, raw.p, raw.n);
	}
	else
		sb_add(out, raw.p, raw.n);
	sb_free(&raw);
}

/*
 * The decoded value of a raw header value (trimmed, valid UTF-8, no NUL):
 * in place when it needs no decoding, else in b->scratch.
 */
static const char *
hdr_value(build *b, const char *v, size_t n, size_t *outn)
{
	while (n > 0 && is_sp(*v))
	{
		v++;
		n--;
	}
	while (n > 0 && is_sp(v[n - 1]))
		n--;
	if (!hdr_needs_decoding(v, n))
	{
		*outn = n;
		return v;
	}
	b->scratch.n = 0;
	hdr_decode(v, n, &b->scratch);
	*outn = b->scratch.n;
	return b->scratch.p ? b->scratch.p : "";
}

/* the decoded value of header i, decoded now when it was not yet */
const char *
ma_bmsg_value(const ma_bmsg *m, size_t i)
{
	ma_bhdr    *h;

	if (i >= m->nheaders)
		return NULL;
	h = &m->headers[i];
	if (h->value == NULL)
	{
		build	   *b = m->owner;
		const char *d;
		size_t		dn;

		if (b == NULL)
			return "";
		d = hdr_value(b, h->raw, h->raw_len, &dn);
		h->value = arena_dup(b, d, dn);
		if (h->value == NULL)
			return "";
	}
	return h->value;
}

static void
add_header(build *b, const char *name, size_t nlen, const char *val, size_t vlen)
{
	ma_bhdr    *h;

	if (b->m.nheaders == b->nhcap)
	{
		size_t		nc = b->nhcap ? b->nhcap * 2 : MA_DSN_HBUF;
		ma_bhdr    *np;

		if (nc > 4096)
			return;				/* enough header fields */
		if (b->nhcap == 0)
			np = b->hbuf;		/* most messages: no allocation */
		else if (b->m.headers == b->hbuf)
		{
			np = malloc(nc * sizeof(ma_bhdr));
			if (np)
				memcpy(np, b->hbuf, sizeof(b->hbuf));
		}
		else
			np = realloc(b->m.headers, nc * sizeof(ma_bhdr));
		if (np == NULL)
		{
			dsn_oom = true;
			return;
		}
		b->m.headers = np;
		b->nhcap = nc;
	}
	h = &b->m.headers[b->m.nheaders];
	/* the value is decoded when read: kept raw, in place when it can be */
	h->value = NULL;
	h->raw_len = vlen;
	if (val >= b->src && val + vlen <= b->src + b->srclen)
		h->raw = val;
	else
		h->raw = arena_dup(b, val, vlen);
	if (ma_ascii_run(name, nlen) == nlen)
	{
		/* the name too in place when it can be */
		h->name = name >= b->src && name + nlen <= b->src + b->srclen ? name : arena_dup(b, name, nlen);
		h->name_len = nlen;
	}
	else
	{
		sbuf		t = {0};

		sb_add_utf8(&t, name, nlen);
		h->name = arena_dup(b, t.p ? t.p : "", t.n);
		h->name_len = t.n;
		sb_free(&t);
	}
	if (h->name == NULL || h->raw == NULL)
		return;
	h->key = ma_bhdr_key(h->name, h->name_len);
	b->m.nheaders++;
	if (!b->m.hidx_full)
		hidx_add(&b->m, b->m.nheaders - 1);
}

/* the original message's fields we keep (val is raw) */
static void
orig_field_raw(void *arg, const char *name, size_t nlen, const char *val, size_t vlen)
{
	build	   *b = arg;
	char	  **slot = NULL;
	const char *d = val;
	size_t		dn = vlen;

	switch (nlen)
	{
		case 10:
			if (strncasecmp(name, "message-id", 10) == 0)
				slot = &b->orig_msgid;
			break;
		case 4:
			if (strncasecmp(name, "from", 4) == 0)
				slot = &b->orig_from;
			break;
		case 7:
			if (strncasecmp(name, "subject", 7) == 0)
				slot = &b->orig_subject;
			break;
		case 2:
			if (strncasecmp(name, "to", 2) == 0)
				slot = &b->orig_to;
			break;
	}
	if (slot && *slot == NULL)
	{
		d = hdr_value(b, val, vlen, &dn);
		*slot = arena_dup(b, d, dn);
	}
}

/* the header block of the returned original, from raw text */
static void
orig_from_block(build *b, const char *s, size_t n)
{
	if (b->have_orig)
		return;
	b->have_orig = true;
	while (n > 0 && (*s == '\n' || *s == '\r'))
	{
		s++;
		n--;
	}
	{
		/* the block as it is written (it is only searched), its fields read */
		size_t		used = walk_header_block(s, n, orig_field_raw, b);

		if (used > 0 && b->orig.n < MA_DSN_MAX_ORIG)
			sb_add(&b->orig, s, used < MA_DSN_MAX_ORIG - b->orig.n ? used : MA_DSN_MAX_ORIG - b->orig.n);
	}
}

/* does this text start with delivery-status fields? */
static bool
looks_like_dsn(const char *s, size_t n)
{
	static const char *const fields[] = {"reporting-mta:", "final-recipient:",
		"original-recipient:", "arrival-date:", "received-from-mta:", "original-envelope-id:",
	"x-postfix-queue-id:", "action:", NULL};

	while (n > 0 && is_sp(*s))
	{
		s++;
		n--;
	}
	for (int i = 0; fields[i]; i++)
		if (n >= strlen(fields[i]) && strncasecmp(s, fields[i], strlen(fields[i])) == 0)
			return ma_dsn_memcasemem(s, n, "recipient:") != NULL;
	return false;
}

static void
append_part(sbuf *dst, const sbuf *src, size_t limit)
{
	size_t		n = src->n;

	if (n == 0 || dst->n >= limit)
		return;
	if (n > limit - dst->n)
		n = limit - dst->n;
	if (dst->n > 0 && dst->p[dst->n - 1] != '\n')
		sb_addc(dst, '\n');
	if (dst->n > 0)
		sb_addc(dst, '\n');
	sb_add(dst, src->p, n);
}

/* ---- MIME entities ---- */

enum
{
	CTE_NONE, CTE_BASE64, CTE_QP, CTE_UU
};

typedef struct ctype
{
	char		type[32];
	char		sub[64];
	char		boundary[256];
	char		charset[64];
	char		report_type[64];
	int			cte;
	bool		declared;		/* there was a Content-Type field */
} ctype;

/* one header field of an entity's header block: the unfolded raw value */
typedef struct efields
{
	ctype	   *ct;				/* filled from the first Content-Type field */
	bool		has_ct;
	bool		has_cte;		/* a non-empty Content-Transfer-Encoding was read */
	build	   *top;			/* the message's own header block: keep every field */
} efields;

static void parse_ctype(const char *v, size_t n, ctype *ct);

static void
entity_field(void *arg, const char *name, size_t nlen, const char *val, size_t vlen)
{
	efields    *f = arg;

	if (f->top)
		add_header(f->top, name, nlen, val, vlen);

	if (nlen == 12 && strncasecmp(name, "content-type", 12) == 0 && !f->has_ct)
	{
		f->has_ct = true;
		if (vlen)
			parse_ctype(val, vlen, f->ct);
	}
	else if (nlen == 25 && strncasecmp(name, "content-transfer-encoding", 25) == 0 && !f->has_cte &&
			 vlen)
	{
		f->has_cte = true;
		if (vlen >= 6 && strncasecmp(val, "base64", 6) == 0)
			f->ct->cte = CTE_BASE64;
		else if (vlen >= 16 && strncasecmp(val, "quoted-printable", 16) == 0)
			f->ct->cte = CTE_QP;
		else if ((vlen >= 10 && strncasecmp(val, "x-uuencode", 10) == 0) ||
				 (vlen >= 8 && strncasecmp(val, "uuencode", 8) == 0))
			f->ct->cte = CTE_UU;
	}
}

static void
lower_copy(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t		k = n < dstlen - 1 ? n : dstlen - 1;

	ma_dsn_lower(dst, s, k);
	dst[k] = '\0';
}

/* Content-Type: type/subtype; name=value; name="quoted value" */
static void
parse_ctype(const char *v, size_t n, ctype *ct)
{
	size_t		i = 0,
				b;

	while (i < n && is_sp(v[i]))
		i++;
	b = i;
	while (i < n && v[i] != '/' && v[i] != ';' && !is_sp(v[i]))
		i++;
	lower_copy(ct->type, sizeof(ct->type), v + b, i - b);
	if (i < n && v[i] == '/')
	{
		i++;
		b = i;
		while (i < n && v[i] != ';' && !is_sp(v[i]))
			i++;
		lower_copy(ct->sub, sizeof(ct->sub), v + b, i - b);
	}
	/* parameters */
	while (i < n)
	{
		char		name[32];
		char		val[256];
		size_t		nb,
					vl = 0;

		while (i < n && (v[i] == ';' || is_sp(v[i])))
			i++;
		nb = i;
		while (i < n && v[i] != '=' && v[i] != ';')
			i++;
		if (i >= n || v[i] != '=')
			continue;
		{
			size_t		ne = i;

			while (ne > nb && is_sp(v[ne - 1]))
				ne--;
			lower_copy(name, sizeof(name), v + nb, ne - nb);
		}
		i++;
		while (i < n && is_sp(v[i]))
			i++;
		if (i < n && v[i] == '"')
		{
			i++;
			while (i < n && v[i] != '"')
			{
				if (v[i] == '\\' && i + 1 < n)
					i++;
				if (vl < sizeof(val) - 1)
					val[vl++] = v[i];
				i++;
			}
			if (i < n)
				i++;
		}
		else
		{
			while (i < n && v[i] != ';' && !is_sp(v[i]))
			{
				if (vl < sizeof(val) - 1)
					val[vl++] = v[i];
				i++;
			}
		}
		val[vl] = '\0';
		if (strcmp(name, "boundary") == 0 && !ct->boundary[0])
			memcpy(ct->boundary, val, vl + 1);
		else if (strcmp(name, "charset") == 0 && !ct->charset[0] && vl < sizeof(ct->charset))
			memcpy(ct->charset, val, vl + 1);
		else if (strcmp(name, "report-type") == 0 && vl < sizeof(ct->report_type))
			lower_copy(ct->report_type, sizeof(ct->report_type), val, vl);
	}
}

/* split an entity into its header fields and its body */
static size_t
entity_head(const char *s, size_t n, ctype *ct, build *top)
{
	efields		f;
	size_t		body;

	memset(&f, 0, sizeof(f));
	f.top = top;
	f.ct = ct;
	memset(ct, 0, sizeof(*ct));
	/* an entity that starts with a blank line has no header */
	if (n > 0 && (s[0] == '\n' || (s[0] == '\r' && n > 1 && s[1] == '\n')))
		body = s[0] == '\n' ? 1 : 2;
	else
	{
		body = walk_header_block(s, n, entity_field, &f);
	}
	ct->declared = f.has_ct;
	if (!ct->type[0])
	{
		strcpy(ct->type, "text");
		strcpy(ct->sub, "plain");
	}
	return body > n ? n : body;
}

static inline int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Quoted-printable in[0..n) into out (n bytes at most): as GMime's
 * g_mime_encoding_quoted_decode_step() in one step ("=\n" and "=\r\n" are
 * soft breaks, "=" with anything but two hex digits is kept as is, a
 * truncated "=" or "=X" at the end is dropped), with runs copied at once.
 */
static size_t
qp_decode(const unsigned char *in, size_t n, unsigned char *out)
{
	const unsigned char *p = in,
			   *e = in + n;
	unsigned char *o = out;

	while (p < e)
	{
		const unsigned char *eq = memchr(p, '=', (size_t) (e - p));
		size_t		run = eq ? (size_t) (eq - p) : (size_t) (e - p);
		unsigned char c1,
					c2;

		memcpy(o, p, run);
		o += run;
		if (eq == NULL)
			break;
		p = eq + 1;
		if (p >= e)
			break;
		c1 = *p++;
		if (c1 == '\n')
			continue;
		if (p >= e)
			break;
		c2 = *p++;
		if (hexval(c1) >= 0 && hexval(c2) >= 0)
			*o++ = (unsigned char) ((hexval(c1) << 4) | hexval(c2));
		else if (!(c2 == '\n' && c1 == '\r'))
		{
			*o++ = '=';
			*o++ = c1;
			*o++ = c2;
		}
	}
	return (size_t) (o - out);
}

/* decode a leaf body: transfer encoding, then charset to UTF-8, into out */
static void
body_decode(const char *s, size_t n, const ctype *ct, sbuf *out, size_t limit)
{
	sbuf		raw = {0};
	int			state = 0;
	guint32		save = 0;

	if (ct->cte == CTE_BASE64 || ct->cte == CTE_QP || ct->cte == CTE_UU)
	{
		size_t		in = ct->cte == CTE_BASE64 ? (limit / 3 + 2) * 4 : limit;

		if (n > in)
			n = in;
		if (!sb_reserve(&raw, n + 8))
			return;
		if (ct->cte == CTE_BASE64)
			raw.n = g_mime_encoding_base64_decode_step((const unsigned char *) s, n,
													   (unsigned char *) raw.p, &state, &save);
		else if (ct->cte == CTE_QP)
			raw.n = qp_decode((const unsigned char *) s, n, (unsigned char *) raw.p);
		else
		{
			state = GMIME_UUDECODE_STATE_INIT;
			raw.n = g_mime_encoding_uudecode_step((const unsigned char *) s, n,
												  (unsigned char *) raw.p, &state, &save);
		}
		if (raw.n > limit)
			raw.n = limit;
		sb_add_converted(out, raw.p, raw.n, ct->charset);
		sb_free(&raw);
		return;
	}
	if (n > limit)
		n = limit;
	sb_add_converted(out, s, n, ct->charset);
}

/* decode the text/html parts kept for later, in order, into b->html */
static void
html_decode_pending(build *b)
{
	for (int i = 0; i < b->nhtml; i++)
	{
		ctype		ct;
		sbuf		d = {0};

		if (b->html.n >= MA_DSN_MAX_TEXT)
			break;
		memset(&ct, 0, sizeof(ct));
		strcpy(ct.type, "text");
		strcpy(ct.sub, "html");
		ct.cte = b->htmls[i].cte;
		memcpy(ct.charset, b->htmls[i].charset, sizeof(ct.charset));
		body_decode(b->htmls[i].s, b->htmls[i].n, &ct, &d, MA_DSN_MAX_TEXT);
		append_part(&b->html, &d, MA_DSN_MAX_TEXT);
		sb_free(&d);
	}
	b->nhtml = 0;
}

/* a leaf part: where its decoded content goes */
static void
leaf(build *b, const char *s, size_t n, const ctype *ct)
{
	const char *type = ct->type;
	const char *sub = ct->sub;
	sbuf		d = {0};

	if (strcmp(type, "message") == 0)
	{
		/* "xdelivery-status": WinRoute/XWall's spelling */
		if (strcmp(sub, "delivery-status") == 0 || strcmp(sub, "global-delivery-status") == 0 ||
			strcmp(sub, "x-delivery-status") == 0 || strcmp(sub, "xdelivery-status") == 0)
		{
			body_decode(s, n, ct, &d, MA_DSN_MAX_PART);
			append_part(&b->dsn, &d, MA_DSN_MAX_DSN);
		}
		else if (strcmp(sub, "feedback-report") == 0)
		{
			body_decode(s, n, ct, &d, 65536);
			append_part(&b->fb, &d, 65536);
		}
		else if (strcmp(sub, "rfc822-headers") == 0 || strcmp(sub, "global-headers") == 0)
		{
			body_decode(s, n, ct, &d, MA_DSN_MAX_ORIG);
			if (d.n)
				orig_from_block(b, d.p, d.n);
		}
	}
	else if (strcmp(type, "text") == 0)
	{
		if (strcmp(sub, "rfc822-headers") == 0 || strcmp(sub, "rfc822-header") == 0 ||
			strcmp(sub, "x-rfc822-headers") == 0)
		{
			body_decode(s, n, ct, &d, MA_DSN_MAX_ORIG);
			if (d.n)
				orig_from_block(b, d.p, d.n);
		}
		else if (strcmp(sub, "html") == 0)
		{
			/* read only when there is no text/plain part (view_finish) */
			if (b->nhtml < MA_DSN_HTML_PARTS)
			{
				b->htmls[b->nhtml].s = s;
				b->htmls[b->nhtml].n = n;
				b->htmls[b->nhtml].cte = ct->cte;
				memcpy(b->htmls[b->nhtml].charset, ct->charset, sizeof(ct->charset));
				b->nhtml++;
			}
			else if (b->html.n < MA_DSN_MAX_TEXT)
			{
				html_decode_pending(b);
				body_decode(s, n, ct, &d, MA_DSN_MAX_TEXT);
				append_part(&b->html, &d, MA_DSN_MAX_TEXT);
			}
		}
		else if (strcmp(sub, "delivery-status") == 0)
		{
			body_decode(s, n, ct, &d, MA_DSN_MAX_PART);
			append_part(&b->dsn, &d, MA_DSN_MAX_DSN);
		}
		else if (b->text.n < MA_DSN_MAX_TEXT || b->dsn.n < MA_DSN_MAX_DSN)
		{
			/* text, unless it is delivery-status fields (then read more of it) */
			body_decode(s, n, ct, &d, MA_DSN_MAX_TEXT);
			if (looks_like_dsn(d.p, d.n))
			{
				if (d.n >= MA_DSN_MAX_TEXT)
				{
					d.n = 0;
					body_decode(s, n, ct, &d, MA_DSN_MAX_PART);
				}
				append_part(&b->dsn, &d, MA_DSN_MAX_DSN);
			}
			else
				append_part(&b->text, &d, MA_DSN_MAX_TEXT);
		}
	}
	else if (strcmp(type, "application") == 0 && strcmp(sub, "json") == 0)
	{
		body_decode(s, n, ct, &d, MA_DSN_MAX_TEXT);
		append_part(&b->text, &d, MA_DSN_MAX_TEXT);
	}
	sb_free(&d);
}

/*
 * The next delimiter line of boundary bd in s[pos..n): "--bd" at the start
 * of a line, then "--" for the last one, then only blanks.  *at is where
 * the line starts, *next where the line after it starts.
 */
static bool
next_delim(const char *s, size_t n, size_t pos, const char *dd, size_t dl, size_t *at,
		   size_t *next, bool *close)
{
	while (pos + dl <= n)
	{
		const char *p = ma_dsn_memmem(s + pos, n - pos, dd, dl);
		size_t		e;

		if (p == NULL)
			return false;
		pos = (size_t) (p - s) + 1;
		if (p != s && p[-1] != '\n')
			continue;
		e = (size_t) (p - s) + dl;
		*close = e + 1 < n + 1 && e + 2 <= n && s[e] == '-' && s[e + 1] == '-';
		if (*close)
			e += 2;
		while (e < n && (s[e] == ' ' || s[e] == '\t' || s[e] == '\r'))
			e++;
		if (e < n && s[e] != '\n')
			continue;			/* "--bd-and-more": another boundary */
		*at = (size_t) (p - s);
		*next = e < n ? e + 1 : n;
		return true;
	}
	return false;
}

static void walk_entity(build *b, const char *s, size_t n, int depth);

/*
 * A body that is MIME without saying so (no Content-Type, or a boundary
 * that is not the one declared): a line "--something" near the top that
 * comes back later as a delimiter.  Sets ct to multipart/mixed with it.
 */
static bool
implicit_boundary(const char *s, size_t n, ctype *ct)
{
	size_t		p = 0;
	int			lines = 0;

	/* within the first few lines: the preamble of a MIME message is short */
	while (p < n && lines < 6)
	{
		const char *nl = memchr(s + p, '\n', n - p);
		size_t		e = nl ? (size_t) (nl - s) : n,
					le = e;

		while (le > p && (s[le - 1] == '\r' || s[le - 1] == ' ' || s[le - 1] == '\t'))
			le--;
		if (le > p)
			lines++;
		if (le - p >= 8 && le - p < 200 && s[p] == '-' && s[p + 1] == '-' &&
			memchr(s + p, ' ', le - p) == NULL && !(s[le - 1] == '-' && s[le - 2] == '-'))
		{
			char		dd[204];
			size_t		dl = le - p,
						at,
						next;
			bool		close;

			memcpy(dd, s + p, dl);
			/* it must come back as a delimiter, and a part must say what it is */
			if (next_delim(s, n, e + 1 > n ? n : e + 1, dd, dl, &at, &next, &close) &&
				ma_dsn_memcasemem(s + p, at - p, "content-type:") != NULL)
			{
				memset(ct, 0, sizeof(*ct));
				strcpy(ct->type, "multipart");
				strcpy(ct->sub, "mixed");
				memcpy(ct->boundary, s + p + 2, dl - 2);
				ct->boundary[dl - 2] = '\0';
				return true;
			}
		}
		p = e + 1;
	}
	return false;
}

/* the parts of a multipart body */
static void
walk_multipart(build *b, const char *s, size_t n, const ctype *ct, int depth)
{
	char		dd[260];
	size_t		dl = strlen(ct->boundary),
				at,
				next,
				pos;
	bool		close;
	int			parts = 0;

	if (dl == 0 || dl > 200)
		goto as_text;
	dd[0] = dd[1] = '-';
	memcpy(dd + 2, ct->boundary, dl);
	dl += 2;
	if (!next_delim(s, n, 0, dd, dl, &at, &next, &close))
		goto as_text;
	while (!close && parts < 1000 && !dsn_oom)
	{
		size_t		at2,
					next2,
					e;
		bool		close2;

		pos = next;
		if (!next_delim(s, n, pos, dd, dl, &at2, &next2, &close2))
		{
			/* the last part, without its closing delimiter */
			walk_entity(b, s + pos, n - pos, depth + 1);
			break;
		}
		e = at2;
		if (e > pos && s[e - 1] == '\n')
			e--;
		if (e > pos && s[e - 1] == '\r')
			e--;
		walk_entity(b, s + pos, e - pos, depth + 1);
		parts++;
		next = next2;
		close = close2;
	}
	return;

as_text:
	{
		/* the declared boundary is not there: the one the body uses, else text */
		ctype		t = *ct;

		if (implicit_boundary(s, n, &t) && strcmp(t.boundary, ct->boundary) != 0)
		{
			walk_multipart(b, s, n, &t, depth);
			return;
		}
		t = *ct;
		strcpy(t.type, "text");
		strcpy(t.sub, "plain");
		leaf(b, s, n, &t);
	}
}

static void
walk_entity(build *b, const char *s, size_t n, int depth)
{
	ctype		ct;
	size_t		body;

	if (depth > MA_DSN_MAX_DEPTH || ++b->nparts > MA_DSN_MAX_PARTS || dsn_oom)
		return;
	body = entity_head(s, n, &ct, depth == 0 ? b : NULL);
	s += body;
	n -= body;
	if (!ct.declared && strcmp(ct.type, "text") == 0)
		implicit_boundary(s, n, &ct);
	if (strcmp(ct.type, "multipart") == 0)
	{
		if (strcmp(ct.sub, "report") == 0 && strcmp(ct.report_type, "feedback-report") == 0)
			b->report_feedback = true;
		walk_multipart(b, s, n, &ct, depth);
	}
	else if (strcmp(ct.type, "message") == 0 &&
			 (strcmp(ct.sub, "rfc822") == 0 || strcmp(ct.sub, "global") == 0 ||
			  strcmp(ct.sub, "news") == 0))
	{
		/* the returned message: its header block, and the whole for later */
		while (n > 0 && (*s == '\n' || *s == '\r'))
		{
			s++;
			n--;
		}
		if (b->emb == NULL)
		{
			b->emb = s;
			b->emb_len = n;
		}
		orig_from_block(b, s, n);
	}
	else
		leaf(b, s, n, &ct);
}

/* text/html to text: tags out, a few entities, block ends as newlines */
static void
html_to_text(const char *s, size_t n, sbuf *out)
{
	size_t		i = 0;

	while (i < n)
	{
		if (s[i] == '<')
		{
			size_t		j = i + 1;
			bool		skipblock = false;
			const char *endtag = NULL;

			if (j < n && (s[j] | 0x20) != 's')
				;
			else if (n - j >= 5 && strncasecmp(s + j, "style", 5) == 0)
			{
				skipblock = true;
				endtag = "</style";
			}
			else if (n - j >= 6 && strncasecmp(s + j, "script", 6) == 0)
			{
				skipblock = true;
				endtag = "</script";
			}
			/* <br>, </p>, </div>, </tr>, </li>, <p>, </hN>: a line end; </td>: a space */
			if (j < n && (s[j] == '/' || (s[j] | 0x20) == 'b' || s[j] == 'p'))
			{
				char		c1 = n - j >= 2 ? (char) (s[j + 1] | 0x20) : 0;

				if ((n - j >= 2 && (s[j] | 0x20) == 'b' && c1 == 'r') ||
					(n - j >= 2 && s[j] == '/' && c1 == 'p') ||
					(n - j >= 4 && s[j] == '/' && strncasecmp(s + j, "/div", 4) == 0) ||
					(n - j >= 3 && s[j] == '/' && strncasecmp(s + j, "/tr", 3) == 0) ||
					(n - j >= 3 && s[j] == '/' && strncasecmp(s + j, "/li", 3) == 0) ||
					(s[j] == 'p' && j + 1 < n && (s[j + 1] == '>' || s[j + 1] == ' ')) ||
					(n - j >= 3 && s[j] == '/' && c1 == 'h'))
					sb_addc(out, '\n');
				else if (n - j >= 3 && s[j] == '/' && strncasecmp(s + j, "/td", 3) == 0)
					sb_addc(out, ' ');
			}
			{
				const char *gt = j < n ? memchr(s + j, '>', n - j) : NULL;

				j = gt ? (size_t) (gt - s) : n;
			}
			i = j < n ? j + 1 : n;
			if (skipblock)
			{
				const char *e = ma_dsn_memcasemem(s + i, n - i, endtag);

				if (e == NULL)
					break;
				i = (size_t) (e - s);
			}
			continue;
		}
		if (s[i] == '&')
		{
			static const struct
			{
				const char *e;
				const char *r;
			}			ents[] = {
				{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
				{"&nbsp;", " "}, {"&#39;", "'"}, {"&apos;", "'"}, {"&#160;", " "}, {NULL, NULL}
			};
			bool		done = false;

			for (int k = 0; ents[k].e; k++)
			{
				size_t		l = strlen(ents[k].e);

				if (n - i >= l && strncasecmp(s + i, ents[k].e, l) == 0)
				{
					sb_adds(out, ents[k].r);
					i += l;
					done = true;
					break;
				}
			}
			if (done)
				continue;
		}
		if (s[i] == '\n')
		{
			sb_addc(out, ' ');
			i++;
			continue;
		}
		{
			/* a run of ordinary bytes */
			static const bool special[256] = {['<'] = true,['&'] = true,['\n'] = true};
			size_t		k = i + 1;

			while (k < n && !special[(unsigned char) s[k]])
				k++;
			sb_add(out, s + i, k - i);
			i = k;
		}
	}
}

/*
 * The first line of s[0..n) that begins with prefix (ASCII letters in any
 * case), or NULL; s itself begins a line.  The prefix is searched for, and
 * an occurrence inside a line is passed over: not every line is visited.
 */
static const char *
find_line(const char *s, size_t n, const char *prefix)
{
	size_t		p = 0;

	while (p < n)
	{
		const char *m = ma_dsn_memcasemem(s + p, n - p, prefix);

		if (m == NULL)
			return NULL;
		if (m == s || m[-1] == '\n')
			return m;
		p = (size_t) (m - s) + 1;
	}
	return NULL;
}

/* Delivery-status fields written in the text of a non-MIME bounce */
static void
dsn_from_text(build *b)
{
	const char *t = b->text.p;
	size_t		n = b->text.n;
	const char *fr,
			   *start;

	if (t == NULL)
		return;
	fr = find_line(t, n, "final-recipient:");
	if (fr == NULL)
		fr = find_line(t, n, "original-recipient:");
	if (fr == NULL)
		return;
	start = fr;
	{
		/* a Reporting-MTA a little before it */
		size_t		back = (size_t) (fr - t) > 2048 ? 2048 : (size_t) (fr - t);
		const char *rm = find_line(fr - back, back, "reporting-mta:");

		if (rm)
			start = rm;
	}
	sb_add(&b->dsn, start, n - (size_t) (start - t));
}

/*
 * The phrases that announce the returned message in a text bounce, found
 * through the words they contain (anchors): one search per anchor instead
 * of one per phrase.
 */
static const char *const orig_anchors[] = {"original", "message", "header", "below this", "included is", NULL};

static const struct
{
	const char *mark;
	int			anchor;			/* index in orig_anchors */
}			orig_marks[] = {
	{"original message", 0}, {"copy of the message", 1}, {"copy of your message", 1},
	{"unsent message", 1}, {"message follows", 1}, {"returned message", 1},
	{"original headers", 0}, {"headers of the original", 0}, {"below this line", 3},
	{"message/rfc822", 1}, {"rfc822-headers", 2}, {"headers of your message", 2},
	{"original mail", 0}, {"header of the original", 0}, {"message header follows", 1},
	{"included is a copy", 4}, {"your message reads", 1}, {NULL, 0}
};

/* the start of the earliest marker in low[p, n) (lowercased text), or n */
static size_t
orig_marker_at(const char *low, size_t p, size_t n)
{
	static size_t off[32],
				len[32],
				alen[8],
				maxoff[8];
	static bool ready = false;
	size_t		best = n;

	if (!ready)
	{
		for (int k = 0; orig_marks[k].mark; k++)
		{
			int			a = orig_marks[k].anchor;

			off[k] = (size_t) (strstr(orig_marks[k].mark, orig_anchors[a]) - orig_marks[k].mark);
			len[k] = strlen(orig_marks[k].mark);
			if (off[k] > maxoff[a])
				maxoff[a] = off[k];
		}
		for (int a = 0; orig_anchors[a]; a++)
			alen[a] = strlen(orig_anchors[a]);
		ready = true;
	}
	for (int a = 0; orig_anchors[a]; a++)
	{
		size_t		q = p;

		while (q < n)
		{
			const char *h = ma_dsn_memmem(low + q, n - q, orig_anchors[a], alen[a]);
			size_t		at;

			if (h == NULL)
				break;
			at = (size_t) (h - low);
			if (at >= best + maxoff[a])
				break;			/* every marker here would start after the best */
			for (int k = 0; orig_marks[k].mark; k++)
			{
				size_t		st;

				if (orig_marks[k].anchor != a || at < off[k])
					continue;
				st = at - off[k];
				if (st >= p && st < best && st + len[k] <= n &&
					memcmp(low + st, orig_marks[k].mark, len[k]) == 0)
					best = st;
			}
			q = at + 1;
		}
	}
	return best;
}

/*
 * All the marker starts in low[0, n) at once, in one pass that reads a
 * 4-byte key every 8 bytes: each marker (13 bytes or more) has a key at each
 * offset o < 8, so an occurrence at j is seen at the aligned j + o.  Returns
 * the number of starts put (sorted) in hits, or -1 when there are more than
 * max of them (the caller then searches with orig_marker_at()).
 */
#define ORIG_HASH 512
static int
orig_marks_all(const char *low, size_t n, size_t *hits, int max)
{
	static int	bucket[ORIG_HASH],
				next[32 * 8];
	static uint64_t filter[4096 / 64];	/* 12 bits of the key hash: is there a slot (most texts: no) */
	static uint32_t key[32 * 8];
	static size_t mlen[32];
	static bool ready = false,
				usable = true;
	int			nh = 0;

	if (!ready)
	{
		memset(bucket, 0xff, sizeof(bucket));
		for (int k = 0; orig_marks[k].mark; k++)
		{
			mlen[k] = strlen(orig_marks[k].mark);
			if (mlen[k] < 8 + 4 || k >= 32)
			{
				usable = false;	/* a marker too short for the keys */
				break;
			}
			for (int o = 0; o < 8; o++)
			{
				int			slot = k * 8 + o;
				unsigned	h;

				memcpy(&key[slot], orig_marks[k].mark + o, 4);
				h = (unsigned) ((key[slot] * 2654435761u) >> 20);
				filter[h / 64] |= UINT64_C(1) << (h % 64);
				h &= ORIG_HASH - 1;
				next[slot] = bucket[h];
				bucket[h] = slot;
			}
		}
		ready = true;
	}
	if (!usable)
		return -1;
	for (size_t i = 0; i + 4 <= n; i += 8)
	{
		uint32_t	k;
		unsigned	h;

		memcpy(&k, low + i, 4);
		h = (unsigned) ((k * 2654435761u) >> 20);
		if (!((filter[h / 64] >> (h % 64)) & 1))
			continue;
		for (int slot = bucket[h & (ORIG_HASH - 1)]; slot >= 0; slot = next[slot])
		{
			int			m = slot / 8,
						o = slot % 8;
			size_t		j;
			int			at;

			if (key[slot] != k || i < (size_t) o)
				continue;
			j = i - (size_t) o;
			if (j + mlen[m] > n || memcmp(low + j, orig_marks[m].mark, mlen[m]) != 0)
				continue;
			if (nh >= max)
				return -1;
			/* sorted: a start is at most 7 bytes before the previous ones */
			for (at = nh; at > 0 && hits[at - 1] > j; at--)
				hits[at] = hits[at - 1];
			hits[at] = j;
			nh++;
		}
	}
	return nh;
}

/* the header block of the original message quoted in the text */
static void
orig_from_text(build *b)
{
	const char *t = b->text.p;
	size_t		n = b->text.n,
				p = 0;
	const char *low = b->low;
	size_t		hits[64];
	int			nh,
				hi = 0;

	if (t == NULL || low == NULL || b->have_orig)
		return;
	nh = orig_marks_all(low, n, hits, 64);
	while (p < n)
	{
		size_t		hit,
					e,
					ls;
		const char *nl;

		if (nh < 0)
			hit = orig_marker_at(low, p, n);
		else
		{
			while (hi < nh && hits[hi] < p)
				hi++;
			hit = hi < nh ? hits[hi] : n;
		}

		if (hit >= n)
			break;
		/* the line of the marker; a long line is prose, not a marker */
		ls = hit;
		while (ls > 0 && t[ls - 1] != '\n')
			ls--;
		nl = memchr(t + hit, '\n', n - hit);
		e = nl ? (size_t) (nl - t) : n;
		p = e + 1;
		if (e - ls >= 300)
			continue;
		/* the first field within the next few lines */
		for (int ln = 0; ln < 8 && p < n; ln++)
		{
			const char *nl2 = memchr(t + p, '\n', n - p);
			size_t		e2 = nl2 ? (size_t) (nl2 - t) : n;
			size_t		c = p;

			while (c < e2 && (isalnum((unsigned char) t[c]) || t[c] == '-'))
				c++;
			if (c > p && c < e2 && t[c] == ':' && isalpha((unsigned char) t[p]))
			{
				size_t		before = b->orig.n;

				orig_from_block(b, t + p, n - p);
				if (b->orig.n > before && (b->orig_from || b->orig_msgid || b->orig_subject))
					return;
				b->have_orig = false;
				break;
			}
			p = e2 + 1;
		}
	}
}

static void
build_free(build *b)
{
	if (b->m.headers != b->hbuf)
		free(b->m.headers);
	sb_free(&b->text);
	sb_free(&b->html);
	sb_free(&b->dsn);
	sb_free(&b->fb);
	sb_free(&b->orig);
	sb_free(&b->scratch);
	free(b->low);
	b->low = NULL;
	arena_free(b);
}

/* the derived parts of the view, then the ma_bmsg pointers */
static void
view_finish(build *b)
{
	if (b->text.n == 0 && b->nhtml > 0)
		html_decode_pending(b);
	if (b->text.n == 0 && b->html.n > 0)
		html_to_text(b->html.p, b->html.n, &b->text);
	if (b->dsn.n == 0)
	{
		dsn_from_text(b);
		b->text_dsn = b->dsn.n > 0;
	}
	free(b->low);
	b->low = NULL;
	if (b->text.n)
	{
		/* NUL-padded: readers may load 8 bytes at a time */
		b->low = malloc(b->text.n + 8);
		if (b->low == NULL)
			dsn_oom = true;
		else
		{
			ma_dsn_lower(b->low, b->text.p, b->text.n);
			memset(b->low + b->text.n, 0, 8);
		}
	}
	if (!b->have_orig)
		orig_from_text(b);
	b->m.text = b->text.p ? b->text.p : (char *) "";
	b->m.text_len = b->text.n;
	b->m.text_low = b->low;
	b->m.dsn = b->dsn.p;
	b->m.dsn_len = b->dsn.n;
	b->m.feedback = b->fb.p;
	b->m.feedback_len = b->fb.n;
	b->m.orig_headers = b->orig.p;
	b->m.orig_headers_len = b->orig.n;
	b->m.orig_to = b->orig_to;
}

/*
 * Build the view of the message (or of a message/rfc822 part of it): top
 * header fields, then the entities.  A leading mbox "From " line and blank
 * lines are skipped.
 */
static void
build_view(build *b, const char *msg, size_t len)
{
	size_t		start = 0;

	gmime_once();
	b->m.owner = b;
	if (b->src == NULL)
	{
		b->src = msg;
		b->srclen = len;
	}
	while (start < len && (msg[start] == '\n' || msg[start] == '\r'))
		start++;
	if (len - start > 5 && memcmp(msg + start, "From ", 5) == 0)
	{
		const char *nl = memchr(msg + start, '\n', len - start);

		start = nl ? (size_t) (nl - msg) + 1 : len;
	}
	walk_entity(b, msg + start, len - start, 0);
	view_finish(b);
}

/*
 * A bounce forwarded inline: the lines quoted with "> ".  Returns true when
 * the text was replaced by its unquoted lines.
 */
static bool
unquote_text(build *b)
{
	const char *t = b->text.p;
	size_t		n = b->text.n,
				p = 0;
	int			quoted = 0;
	sbuf		u = {0};

	if (t == NULL)
		return false;
	while (p < n)
	{
		const char *nl = memchr(t + p, '\n', n - p);
		size_t		e = nl ? (size_t) (nl - t) : n;

		if (t[p] == '>')
		{
			size_t		q = p + 1;

			if (q < e && t[q] == ' ')
				q++;
			sb_add(&u, t + q, e - q);
			quoted++;
		}
		else
			sb_add(&u, t + p, e - p);
		sb_addc(&u, '\n');
		p = e + 1;
	}
	if (quoted < 5)
	{
		sb_free(&u);
		return false;
	}
	sb_free(&b->text);
	b->text = u;
	if (b->text_dsn)
	{
		sb_free(&b->dsn);
		b->text_dsn = false;
	}
	view_finish(b);
	return true;
}

/* ---------------------------------------------------------------------
 * Field values
 * ---------------------------------------------------------------------
 */

/* "rfc822; a@b" -> the part after ';', trimmed */
static void
typed_value(const char *v, size_t n, const char **out, size_t *outn, const char **type,
			size_t *typen)
{
	const char *semi = memchr(v, ';', n);

	if (type)
	{
		*type = NULL;
		*typen = 0;
	}
	if (semi)
	{
		if (type)
		{
			size_t		tl = (size_t) (semi - v);

			while (tl > 0 && is_sp(v[tl - 1]))
				tl--;
			*type = v;
			*typen = tl;
		}
		n -= (size_t) (semi - v) + 1;
		v = semi + 1;
	}
	while (n > 0 && is_sp(*v))
	{
		v++;
		n--;
	}
	while (n > 0 && is_sp(v[n - 1]))
		n--;
	*out = v;
	*outn = n;
}

/* days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm) */
static int64_t
days_from_civil(int y, int m, int d)
{
	int			era,
				yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t) era * 146097 + doe - 719468;
}

/*
 * The RFC 5322 date-time in its usual form ("[Mon, ]29 Apr 2013 14:33:11
 * +0900 [(JST)]", or a GMT/UT/UTC zone) as seconds since the epoch; false
 * for anything else (then GMime reads it).
 */
static bool
parse_date_fast(const char *v, size_t n, int64_t *out)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	size_t		i = 0;
	int			day = 0,
				mon = -1,
				year = 0,
				hh = 0,
				mi = 0,
				ss = 0,
				k,
				off = 0;
	char		m3[3];

#define SKIPSP() while (i < n && (v[i] == ' ' || v[i] == '\t')) i++
#define DIGITS(var, lo, hi) \
	do { \
		for (k = 0, var = 0; i < n && v[i] >= '0' && v[i] <= '9' && k < (hi); k++, i++) \
			var = var * 10 + (v[i] - '0'); \
		if (k < (lo) || (i < n && v[i] >= '0' && v[i] <= '9')) \
			return false; \
	} while (0)

	SKIPSP();
	if (i < n && isalpha((unsigned char) v[i]))
	{
		/* the day of the week */
		for (k = 0; i < n && isalpha((unsigned char) v[i]); k++, i++)
			;
		if (k != 3 || i >= n || v[i] != ',')
			return false;
		i++;
		SKIPSP();
	}
	DIGITS(day, 1, 2);
	SKIPSP();
	if (i + 3 > n)
		return false;
	for (k = 0; k < 3; k++)
		m3[k] = (char) tolower((unsigned char) v[i + k]);
	for (k = 0; k < 12; k++)
		if (memcmp(months + 3 * k, m3, 3) == 0)
			mon = k;
	i += 3;
	if (mon < 0 || i >= n || v[i] != ' ')
		return false;
	SKIPSP();
	DIGITS(year, 4, 4);
	SKIPSP();
	DIGITS(hh, 1, 2);
	if (i >= n || v[i] != ':')
		return false;
	i++;
	DIGITS(mi, 2, 2);
	if (i < n && v[i] == ':')
	{
		i++;
		DIGITS(ss, 2, 2);
	}
	SKIPSP();
	if (i < n && (v[i] == '+' || v[i] == '-'))
	{
		int			sign = v[i] == '-' ? -1 : 1,
					z;

		i++;
		DIGITS(z, 4, 4);
		if (z / 100 > 14 || z % 100 > 59)
			return false;
		off = sign * ((z / 100) * 3600 + (z % 100) * 60);
	}
	else if (i + 3 <= n && strncasecmp(v + i, "GMT", 3) == 0)
		i += 3;
	else if (i + 3 <= n && strncasecmp(v + i, "UTC", 3) == 0)
		i += 3;
	else if (i + 2 <= n && strncasecmp(v + i, "UT", 2) == 0)
		i += 2;
	else
		return false;
	SKIPSP();
	if (i < n && v[i] != '(')
		return false;
	if (day < 1 || day > mdays[mon] || (mon == 1 && day == 29 &&
										!((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)))
		return false;
	if (year < 1970 || hh > 23 || mi > 59 || ss > 59)
		return false;
	*out = days_from_civil(year, mon + 1, day) * 86400 + hh * 3600 + mi * 60 + ss - off;
	return true;
#undef SKIPSP
#undef DIGITS
}

static bool
parse_date(const char *v, size_t n, int64_t *out)
{
	char		buf[256];
	GDateTime  *dt;

	if (n == 0 || n >= sizeof(buf))
		return false;
	if (parse_date_fast(v, n, out))
		return *out > 0;
	memcpy(buf, v, n);
	buf[n] = '\0';
	dt = g_mime_utils_header_decode_date(buf);
	if (dt == NULL)
		return false;
	*out = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return *out > 0;
}

/* the first enhanced status code at the start of v ("5.1.1 (...)") */
static bool
status_value(const char *v, size_t n, char out[16])
{
	size_t		i = 0,
				d1 = 0,
				d2 = 0;

	while (i < n && is_sp(v[i]))
		i++;
	if (i + 5 > n || !(v[i] == '2' || v[i] == '4' || v[i] == '5') || v[i + 1] != '.')
		return false;
	{
		size_t		j = i + 2;

		while (j < n && isdigit((unsigned char) v[j]) && d1 < 4)
		{
			j++;
			d1++;
		}
		if (d1 == 0 || d1 > 3 || j >= n || v[j] != '.')
			return false;
		j++;
		while (j < n && isdigit((unsigned char) v[j]) && d2 < 4)
		{
			j++;
			d2++;
		}
		if (d2 == 0 || d2 > 3)
			return false;
		memcpy(out, v + i, j - i);
		out[j - i] = '\0';
	}
	return true;
}

/* ---------------------------------------------------------------------
 * RFC 3464 delivery-status
 * ---------------------------------------------------------------------
 */
typedef struct dsn_msgf
{
	char	   *reporting_mta;
	char	   *envid;
	bool		has_arrival;
	int64_t		arrival;
} dsn_msgf;

#define DSN_PENDING 16

typedef struct dsn_cur
{
	ma_dsn_rcpt *row;			/* NULL until a recipient field */
	bool		has_final;
	bool		has_orig;
	char		alterr[512];	/* "Status: 553 Exceeded ..." */
	/*
	 * Per-recipient fields met before the recipient field of their group
	 * ("Action: failed" then "Final-Recipient: ..."): the order of the
	 * fields within a group does not matter (RFC 3464 2.3).  Kept as
	 * name NUL value NUL, applied to the row when it starts.
	 */
	sbuf		pend;
	int			npend;
} dsn_cur;

static void
dsn_close_row(dsn_cur *cur)
{
	if (cur->row && cur->row->diagnostic == NULL && cur->alterr[0])
		ma_dsn_set_diag(cur->row, cur->alterr, strlen(cur->alterr));
}

static void
dsn_field(ma_dsn_result *r, dsn_msgf *mf, dsn_cur *cur, const char *name, size_t nlen,
		  const char *v, size_t vn)
{
#define NAMEIS(s) (nlen == sizeof(s) - 1 && strncasecmp(name, s, nlen) == 0)
	const char *x;
	size_t		xn;

	if (NAMEIS("reporting-mta"))
	{
		typed_value(v, vn, &x, &xn, NULL, NULL);
		if (mf->reporting_mta == NULL && xn)
			ma_dsn_setn(&mf->reporting_mta, x, xn);
		return;
	}
	if (NAMEIS("original-envelope-id"))
	{
		if (mf->envid == NULL && vn)
			ma_dsn_setn(&mf->envid, v, vn);
		return;
	}
	if (NAMEIS("arrival-date"))
	{
		if (!mf->has_arrival)
			mf->has_arrival = parse_date(v, vn, &mf->arrival);
		return;
	}
	if (NAMEIS("final-recipient") || NAMEIS("original-recipient") ||
		NAMEIS("x-actual-recipient"))
	{
		bool		final = NAMEIS("final-recipient");
		bool		actual = NAMEIS("x-actual-recipient");
		char		addr[512];

		typed_value(v, vn, &x, &xn, NULL, NULL);
		if (actual)
		{
			/* the address the MTA delivered to, only when it is one */
			if (cur->row && ma_dsn_find_addr(x, xn, addr, sizeof(addr)) &&
				memchr(x, ' ', xn) == NULL && cur->row->recipient == NULL)
				ma_dsn_set(&cur->row->recipient, addr);
			return;
		}
		if (cur->row == NULL || (final && cur->has_final) || (!final && cur->has_orig))
		{
			dsn_close_row(cur);
			cur->row = ma_dsn_add(r);
			cur->has_final = cur->has_orig = false;
			cur->alterr[0] = '\0';
			if (cur->row == NULL)
				return;
		}
		if (final)
		{
			cur->has_final = true;
			if (ma_dsn_find_addr(x, xn, addr, sizeof(addr)))
				ma_dsn_set(&cur->row->recipient, addr);
			else if (xn && cur->row->recipient == NULL)
				ma_dsn_setn(&cur->row->recipient, x, xn);
		}
		else
		{
			cur->has_orig = true;
			if (ma_dsn_find_addr(x, xn, addr, sizeof(addr)))
				ma_dsn_set(&cur->row->original_recipient, addr);
			else if (xn)
				ma_dsn_setn(&cur->row->original_recipient, x, xn);
		}
		if (cur->npend > 0 && cur->pend.p)
		{
			/* the fields of this group that came before its recipient */
			sbuf		pend = cur->pend;
			int			np = cur->npend;
			const char *q = pend.p;

			cur->pend = (sbuf) {0};
			cur->npend = 0;
			for (int i = 0; i < np; i++)
			{
				const char *pn = q;
				size_t		pl = strlen(pn);
				const char *pv = pn + pl + 1;
				size_t		pvl = strlen(pv);

				dsn_field(r, mf, cur, pn, pl, pv, pvl);
				q = pv + pvl + 1;
			}
			sb_free(&pend);
		}
		return;
	}
	if (cur->row == NULL)
	{
		if ((NAMEIS("action") || NAMEIS("status") || NAMEIS("remote-mta") ||
			 NAMEIS("diagnostic-code") || NAMEIS("last-attempt-date") ||
			 NAMEIS("will-retry-until")) && cur->npend < DSN_PENDING)
		{
			sb_add(&cur->pend, name, nlen);
			sb_addc(&cur->pend, '\0');
			if (vn)
				sb_add(&cur->pend, v, vn);
			sb_addc(&cur->pend, '\0');
			cur->npend++;
		}
		return;
	}
	if (NAMEIS("action"))
	{
		size_t		k = 0;
		char		low[32];

		while (k < vn && k < sizeof(low) - 1 && isalpha((unsigned char) v[k]))
		{
			low[k] = (char) tolower((unsigned char) v[k]);
			k++;
		}
		low[k] = '\0';
		if (k)
			ma_dsn_set(&cur->row->action, low);
		/* "Action: failed (bad destination mailbox address)" */
		{
			const char *lp = memchr(v, '(', vn);

			if (lp && !cur->alterr[0])
			{
				const char *rp = memchr(lp, ')', vn - (size_t) (lp - v));
				size_t		kk = rp ? (size_t) (rp - lp - 1) : vn - (size_t) (lp - v) - 1;

				if (kk >= sizeof(cur->alterr))
					kk = sizeof(cur->alterr) - 1;
				memcpy(cur->alterr, lp + 1, kk);
				cur->alterr[kk] = '\0';
			}
		}
	}
	else if (NAMEIS("status"))
	{
		char		st[16];

		if (status_value(v, vn, st))
		{
			const char *lp = memchr(v, '(', vn);

			ma_dsn_set(&cur->row->status, st);
			/* "Status: 4.0.0 (cat.example.net: host name lookup failure)" */
			if (lp && !cur->alterr[0])
			{
				const char *rp = memchr(lp, ')', vn - (size_t) (lp - v));
				size_t		k = rp ? (size_t) (rp - lp - 1) : vn - (size_t) (lp - v) - 1;

				if (k >= sizeof(cur->alterr))
					k = sizeof(cur->alterr) - 1;
				memcpy(cur->alterr, lp + 1, k);
				cur->alterr[k] = '\0';
			}
		}
		else if (vn)
		{
			size_t		k = vn < sizeof(cur->alterr) - 1 ? vn : sizeof(cur->alterr) - 1;

			memcpy(cur->alterr, v, k);
			cur->alterr[k] = '\0';
		}
	}
	else if (NAMEIS("remote-mta"))
	{
		typed_value(v, vn, &x, &xn, NULL, NULL);
		if (xn)
		{
			char		low[256];
			size_t		k = 0;

			for (; k < xn && k < sizeof(low) - 1; k++)
				low[k] = (char) tolower((unsigned char) x[k]);
			low[k] = '\0';
			ma_dsn_set(&cur->row->remote_mta, low);
		}
	}
	else if (NAMEIS("diagnostic-code"))
	{
		const char *t;
		size_t		tn;

		typed_value(v, vn, &x, &xn, &t, &tn);
		if (t && tn && tn < 32)
			ma_dsn_setn(&cur->row->diagnostic_type, t, tn);
		if (xn)
			ma_dsn_set_diag(cur->row, x, xn);
	}
	else if (NAMEIS("last-attempt-date"))
		cur->row->has_last_attempt = parse_date(v, vn, &cur->row->last_attempt);
	else if (NAMEIS("will-retry-until"))
		cur->row->has_will_retry_until = parse_date(v, vn, &cur->row->will_retry_until);
#undef NAMEIS
}


/* rows from the delivery-status data; returns how many */
static int
decode_rfc3464(const ma_bmsg *m, ma_dsn_result *r)
{
	const char *s = m->dsn;
	size_t		n = m->dsn_len,
				p = 0;
	size_t		first = r->n;
	dsn_msgf	mf = {0};
	dsn_cur		cur = {0};
	sbuf		v = {0};

	if (s == NULL || n == 0)
		return 0;
	while (p < n && !dsn_oom)
	{
		const char *nl = memchr(s + p, '\n', n - p);
		size_t		le = nl ? (size_t) (nl - s) : n,
					colon;

		if (le == p || (le == p + 1 && s[p] == '\r'))
		{
			/* a blank line ends a group */
			dsn_close_row(&cur);
			cur.row = NULL;
			cur.has_final = cur.has_orig = false;
			cur.alterr[0] = '\0';
			cur.pend.n = 0;
			cur.npend = 0;
			p = le + 1;
			continue;
		}
		colon = p + ma_span((const unsigned char *) s + p, le - p, MA_SPAN_NAME);
		if (colon == le || s[colon] != ':' || colon == p)
		{
			p = le + 1;
			continue;
		}
		{
			size_t		np = le + 1;
			const char *vp = s + colon + 1;
			size_t		vn = le - colon - 1;

			if (np < n && (s[np] == ' ' || s[np] == '\t'))
			{
				/* folded: the lines joined with a space */
				v.n = 0;
				sb_add(&v, s + colon + 1, le - colon - 1);
				while (np < n && (s[np] == ' ' || s[np] == '\t'))
				{
					const char *nl2 = memchr(s + np, '\n', n - np);
					size_t		e2 = nl2 ? (size_t) (nl2 - s) : n;

					sb_addc(&v, ' ');
					sb_add(&v, s + np, e2 - np);
					np = e2 + 1;
				}
				vp = v.p ? v.p : "";
				vn = v.n;
			}
			{

				while (vn > 0 && is_sp(*vp))
				{
					vp++;
					vn--;
				}
				while (vn > 0 && is_sp(vp[vn - 1]))
					vn--;
				dsn_field(r, &mf, &cur, s + p, colon - p, vp, vn);
			}
			p = np;
		}
		if (r->n >= MA_DSN_MAX_RCPTS && cur.row == NULL)
			break;
	}
	dsn_close_row(&cur);
	sb_free(&v);
	sb_free(&cur.pend);
	/* per-message fields on every row; rows without any address dropped */
	{
		size_t		w = first;

		for (size_t i = first; i < r->n; i++)
		{
			ma_dsn_rcpt *x = &r->rcpts[i];

			if (x->recipient == NULL && x->original_recipient)
			{
				x->recipient = x->original_recipient;
				x->original_recipient = NULL;
			}
			else if (x->recipient && !strchr(x->recipient, '@') && x->original_recipient &&
					 strchr(x->original_recipient, '@'))
			{
				char	   *t = x->recipient;

				x->recipient = x->original_recipient;
				x->original_recipient = t;
			}
			if (x->recipient == NULL)
			{
				rcpt_clear(x);
				continue;
			}
			if (mf.reporting_mta)
				ma_dsn_set(&x->reporting_mta, mf.reporting_mta);
			if (mf.envid)
				ma_dsn_set(&x->original_envelope_id, mf.envid);
			x->has_arrival_date = mf.has_arrival;
			x->arrival_date = mf.arrival;
			x->source = "rfc3464";
			if (w != i)
			{
				r->rcpts[w] = *x;
				memset(x, 0, sizeof(*x));
			}
			w++;
		}
		r->n = w;
	}
	free(mf.reporting_mta);
	free(mf.envid);
	return (int) (r->n - first);
}

/* ---------------------------------------------------------------------
 * ARF (RFC 5965)
 * ---------------------------------------------------------------------
 */
typedef struct arf_state
{
	char		ftype[64];
	char	   *rcpts[256];
	int			nrcpts;
	char		removal[512];
	bool		has_arrival;
	int64_t		arrival;
	char	   *envid;
} arf_state;

static void
arf_field(void *arg, const char *name, size_t nlen, const char *val, size_t vlen)
{
	arf_state  *a = arg;
	char		addr[512];

#define NAMEIS(s) (nlen == sizeof(s) - 1 && strncasecmp(name, s, nlen) == 0)
	if (NAMEIS("feedback-type"))
	{
		size_t		k = 0;

		while (k < vlen && k < sizeof(a->ftype) - 1 && !is_sp(val[k]) && val[k] != ';')
		{
			a->ftype[k] = (char) tolower((unsigned char) val[k]);
			k++;
		}
		a->ftype[k] = '\0';
	}
	else if (NAMEIS("original-rcpt-to"))
	{
		if (a->nrcpts < 256 && ma_dsn_find_addr(val, vlen, addr, sizeof(addr)))
		{
			for (int i = 0; i < a->nrcpts; i++)
				if (strcasecmp(a->rcpts[i], addr) == 0)
					return;
			a->rcpts[a->nrcpts] = strdup(addr);
			if (a->rcpts[a->nrcpts] == NULL)
				dsn_oom = true;
			else
				a->nrcpts++;
		}
	}
	else if (NAMEIS("removal-recipient"))
	{
		if (!a->removal[0] && ma_dsn_find_addr(val, vlen, addr, sizeof(addr)))
			snprintf(a->removal, sizeof(a->removal), "%s", addr);
	}
	else if (NAMEIS("arrival-date") || NAMEIS("received-date"))
	{
		if (!a->has_arrival)
			a->has_arrival = parse_date(val, vlen, &a->arrival);
	}
	else if (NAMEIS("original-envelope-id"))
	{
		if (a->envid == NULL)
			ma_dsn_setn(&a->envid, val, vlen);
	}
#undef NAMEIS
}

static int
decode_arf(const build *b, ma_dsn_result *r)
{
	const ma_bmsg *m = &b->m;
	arf_state	a;
	const char *hm = ma_bmsg_header(m, "x-hmxmroriginalrecipient");
	char		addr[512];
	size_t		first = r->n;

	if (!b->report_feedback && m->feedback == NULL && hm == NULL)
		return 0;
	memset(&a, 0, sizeof(a));
	if (m->feedback)
	{
		const char *s = m->feedback;
		size_t		n = m->feedback_len;

		while (n > 0 && is_sp(*s))
		{
			s++;
			n--;
		}
		walk_header_block(s, n, arf_field, &a);
	}
	if (!a.ftype[0])
		snprintf(a.ftype, sizeof(a.ftype), "%s", m->feedback || b->report_feedback ? "abuse" : "abuse");
	if (a.nrcpts == 0)
	{
		const char *cand[3] = {hm, a.removal[0] ? a.removal : NULL, b->orig_to};

		for (int k = 0; k < 3; k++)
			if (cand[k] && ma_dsn_find_addr(cand[k], strlen(cand[k]), addr, sizeof(addr)))
			{
				a.rcpts[0] = strdup(addr);
				if (a.rcpts[0])
					a.nrcpts = 1;
				break;
			}
	}
	for (int i = 0; i < (a.nrcpts ? a.nrcpts : 1); i++)
	{
		ma_dsn_rcpt *x = ma_dsn_add(r);

		if (x == NULL)
			break;
		if (a.nrcpts)
			ma_dsn_set(&x->recipient, a.rcpts[i]);
		ma_dsn_set(&x->feedback_type, a.ftype);
		x->reason = "feedback";
		x->source = "arf";
		x->has_arrival_date = a.has_arrival;
		x->arrival_date = a.arrival;
		if (a.envid)
			ma_dsn_set(&x->original_envelope_id, a.envid);
		{
			/* the first line of the human-readable part */
			const char *t = m->text;
			size_t		tn = m->text_len;

			while (tn > 0 && is_sp(*t))
			{
				t++;
				tn--;
			}
			if (tn)
			{
				const char *pe = strstr(t, "\n\n");
				size_t		k = pe ? (size_t) (pe - t) : tn;

				if (k > 512)
					k = 512;
				ma_dsn_set_diag(x, t, k);
			}
		}
	}
	for (int i = 0; i < a.nrcpts; i++)
		free(a.rcpts[i]);
	free(a.envid);
	return (int) (r->n - first);
}

/* ---------------------------------------------------------------------
 * RFC 3834 auto-replies
 * ---------------------------------------------------------------------
 */
static bool
starts_with_ci(const char *s, const char *p)
{
	return strncasecmp(s, p, strlen(p)) == 0;
}

static int
decode_rfc3834(const build *b, ma_dsn_result *r)
{
	const ma_bmsg *m = &b->m;
	const char *as = ma_bmsg_header(m, "auto-submitted");
	const char *subj = ma_bmsg_header(m, "subject");
	const char *from = ma_bmsg_header(m, "from");
	const char *to = ma_bmsg_header(m, "to");
	const char *h;
	bool		hit = false;
	char		addr[512];
	ma_dsn_rcpt *x;

	static const char *const subjects[] = {
		"auto:", "auto reply", "auto-reply", "autoreply", "auto response", "auto-response",
		"autoresponse", "auto answer", "automatic reply", "automatic response",
		"automatische antwort", "automatisch antwoord", "out of office", "out of the office",
		"ooo:", "réponse automatique", "reponse automatique", "risposta automatica",
		"respuesta automática", "respuesta automatica", "resposta automática", "autosvar",
		"automatisk svar", "abwesenheit", "vacation", "away from", "自動応答", "自動返信",
		"自動回覆", "自动回复", "不在", NULL
	};

	if (from == NULL)
		return 0;
	/* bounces and system mail are not auto-replies */
	{
		char		low[512];
		size_t		k = 0;

		for (; from[k] && k < sizeof(low) - 1; k++)
			low[k] = (char) tolower((unsigned char) from[k]);
		low[k] = '\0';
		if (strstr(low, "mailer-daemon") || strstr(low, "postmaster@") || strstr(low, "root@"))
			return 0;
		if (to && ma_dsn_memcasemem(to, strlen(to), "root@"))
			return 0;
		if (subj && (ma_dsn_memcasemem(subj, strlen(subj), "mail failure -") ||
					 ma_dsn_memcasemem(subj, strlen(subj), "security information for")))
			return 0;
	}
	if (as && (starts_with_ci(as, "auto-replied") || starts_with_ci(as, "auto-notified")))
		hit = true;
	if (!hit && ((h = ma_bmsg_header(m, "x-autoreply")) || (h = ma_bmsg_header(m, "x-autorespond")) ||
				 (h = ma_bmsg_header(m, "x-mail-autoreply"))))
		hit = *h && !starts_with_ci(h, "no") && !starts_with_ci(h, "false");
	if (!hit && (h = ma_bmsg_header(m, "precedence")) && starts_with_ci(h, "auto_reply"))
		hit = true;
	if (!hit && (h = ma_bmsg_header(m, "x-apple-action")) && starts_with_ci(h, "vacation"))
		hit = true;
	if (!hit && (h = ma_bmsg_header(m, "x-autogenerated")) && starts_with_ci(h, "reply"))
		hit = true;
	if (!hit && (h = ma_bmsg_header(m, "x-auto-response-suppress")) &&
		(ma_dsn_memcasemem(h, strlen(h), "oof") || ma_dsn_memcasemem(h, strlen(h), "autoreply")))
		hit = true;
	if (!hit && subj)
	{
		const char *s = subj;

		while (is_sp(*s))
			s++;
		for (int i = 0; subjects[i] && !hit; i++)
			if (starts_with_ci(s, subjects[i]))
				hit = true;
	}
	if (!hit)
		return 0;
	if (!ma_dsn_find_addr(from, strlen(from), addr, sizeof(addr)))
	{
		const char *rp = ma_bmsg_header(m, "return-path");

		if (rp == NULL || !ma_dsn_find_addr(rp, strlen(rp), addr, sizeof(addr)))
			return 0;
	}
	x = ma_dsn_add(r);
	if (x == NULL)
		return 0;
	ma_dsn_set(&x->recipient, addr);
	x->reason = "vacation";
	x->source = "rfc3834";
	/*
	 * Apple Mail's unsubscribe button mails the list's unsubscribe address
	 * marked "X-Apple-Unsubscribe: true" (and auto-replied): an opt-out
	 * request, not an absence notice
	 */
	if ((h = ma_bmsg_header(m, "x-apple-unsubscribe")) && starts_with_ci(h, "true"))
	{
		x->reason = "feedback";
		x->source = "arf";
		ma_dsn_set(&x->feedback_type, "opt-out");
	}
	{
		/* the first lines of the reply */
		const char *t = m->text;
		size_t		tn = m->text_len,
					p = 0;
		int			lines = 0;
		sbuf		d = {0};

		while (p < tn && lines < 5 && d.n < 1024)
		{
			const char *nl = memchr(t + p, '\n', tn - p);
			size_t		e = nl ? (size_t) (nl - t) : tn;

			if (e > p)
			{
				sb_add(&d, t + p, e - p);
				sb_addc(&d, ' ');
				lines++;
			}
			else if (lines > 0)
				break;
			p = e + 1;
		}
		if (d.n)
			ma_dsn_set_diag(x, d.p, d.n);
		else if (subj)
			ma_dsn_set_diag(x, subj, strlen(subj));
		sb_free(&d);
	}
	return 1;
}

/* ---------------------------------------------------------------------
 * Putting it together
 * ---------------------------------------------------------------------
 */

/* a diagnostic that says nothing more than its codes */
static bool
diag_thin(const char *d)
{
	int			letters = 0;

	if (d == NULL)
		return true;
	for (const char *p = d; *p; p++)
		if (isalpha((unsigned char) *p))
			letters++;
	return letters < 6;
}

/* does the text decoder's explanation beat the Diagnostic-Code field? */
static bool
text_diag_better(const char *x, const char *y)
{
	char		st[16];

	if (y == NULL)
		return false;
	if (diag_thin(x))
		return true;
	if (strcmp(x, y) == 0)
		return false;
	/* the text says the same and more */
	if (strlen(y) > strlen(x) && ma_dsn_memcasemem(y, strlen(y), x) != NULL)
		return true;
	/* as Sisimai: a code in the text that says more than x.0.0, or a reply and more words */
	if (ma_dsn_find_status(y, strlen(y), 0, st) && strstr(st + 1, ".0.0") == NULL &&
		!ma_dsn_find_status(x, strlen(x), 0, st))
		return true;
	if (ma_dsn_find_reply(y, strlen(y), 0) && !ma_dsn_find_reply(x, strlen(x), 0) &&
		strlen(y) > strlen(x))
		return true;
	return false;
}

/* refine an RFC 3464 row with what the text decoder found for it */
static void
merge_one(ma_dsn_rcpt *x, const ma_dsn_rcpt *y)
{
	if (x->recipient && strchr(x->recipient, '@') == NULL && y->recipient &&
		strchr(y->recipient, '@'))
	{
		/* "Final-Recipient: rfc822;/var/mail/x": the text names the address */
		free(x->original_recipient);
		x->original_recipient = x->recipient;
		x->recipient = NULL;
		ma_dsn_set(&x->recipient, y->recipient);
	}
	if (y->diagnostic && x->diagnostic && x->status)
	{
		/* the text carries a more telling code than the Status field */
		char		yf[16],
					xf[16] = "",
					st[16];

		if (ma_dsn_find_status(y->diagnostic, strlen(y->diagnostic), 0, yf))
		{
			ma_dsn_find_status(x->diagnostic, strlen(x->diagnostic), 0, xf);
			ma_dsn_prefer_status(x->status, yf, 0, st);
			if (strcmp(st, yf) == 0 && strcmp(yf, x->status) != 0 && strcmp(xf, yf) != 0)
			{
				char		st2[16];

				ma_dsn_prefer_status(xf[0] ? xf : x->status, yf, 0, st2);
				if (strcmp(st2, yf) == 0)
				{
					ma_dsn_set(&x->diagnostic, y->diagnostic);
					ma_dsn_set(&x->status, yf);
				}
			}
		}
	}
	if (text_diag_better(x->diagnostic, y->diagnostic))
		ma_dsn_set(&x->diagnostic, y->diagnostic);
	if (x->remote_mta == NULL && y->remote_mta)
		ma_dsn_set(&x->remote_mta, y->remote_mta);
	if (x->action == NULL && y->action)
		ma_dsn_set(&x->action, y->action);
	if (x->reply_code == 0)
		x->reply_code = y->reply_code;
	if (y->status)
	{
		if (x->status == NULL)
			ma_dsn_set(&x->status, y->status);
		else
		{
			char		st[16];

			ma_dsn_prefer_status(x->status, y->status, x->reply_code, st);
			ma_dsn_set(&x->status, st);
		}
	}
	if (y->reason)
		x->reason = y->reason;
	if (y->source && strcmp(y->source, "generic") != 0)
		x->source = y->source;
}

static uint32_t
addr_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint32_t) (*s >= 'A' && *s <= 'Z' ? *s + 32 : (unsigned char) *s)) * 16777619u;
	return h;
}

static bool same_domain(const char *a, const char *b);

/* refine the RFC 3464 rows [first, r->n) with the rows a text decoder found */
static void
merge_lhost(ma_dsn_result *r, size_t first, ma_dsn_result *lh)
{
	size_t		nr = r->n - first;
	bool	   *used;
	const ma_dsn_rcpt *whole = NULL;	/* a row about the whole message */
	size_t		nlh = 0;
	uint32_t   *slots;
	size_t		mask;

	if (lh->n == 0)
		return;
	used = calloc(lh->n, sizeof(bool));
	if (used == NULL)
	{
		dsn_oom = true;
		return;
	}
	for (size_t j = 0; j < lh->n; j++)
		if (lh->rcpts[j].recipient == NULL)
		{
			if (whole == NULL)
				whole = &lh->rcpts[j];
		}
		else
			nlh++;
	/* the text decoder's rows by address */
	{
		size_t		cap = 16;

		while (cap < lh->n * 2)
			cap *= 2;
		slots = calloc(cap, sizeof(uint32_t));
		if (slots == NULL)
		{
			free(used);
			dsn_oom = true;
			return;
		}
		mask = cap - 1;
		for (size_t j = 0; j < lh->n; j++)
		{
			size_t		h;

			if (lh->rcpts[j].recipient == NULL)
				continue;
			for (h = addr_hash(lh->rcpts[j].recipient) & mask; slots[h]; h = (h + 1) & mask)
				;
			slots[h] = (uint32_t) j + 1;
		}
	}
	for (size_t i = first; i < r->n; i++)
	{
		ma_dsn_rcpt *x = &r->rcpts[i];
		const ma_dsn_rcpt *y = NULL;
		size_t		j = lh->n;

		/* same address, else the same position when both list as many */
		for (int pass = 0; pass < 2 && j == lh->n; pass++)
		{
			const char *a = pass == 0 ? x->recipient : x->original_recipient;

			if (a == NULL)
				continue;
			for (size_t h = addr_hash(a) & mask; slots[h]; h = (h + 1) & mask)
			{
				size_t		k = slots[h] - 1;

				if (!used[k] && strcasecmp(lh->rcpts[k].recipient, a) == 0)
				{
					j = k;
					break;
				}
			}
		}
		/*
		 * (the last-resort decoder's "address at the start of a line" can be
		 * anything in a text, such as the original message's headers
		 * attached as text: its rows pair by position in the same domain only)
		 */
		if (j == lh->n && nr == nlh && nlh == lh->n && !used[i - first] &&
			(lh->rcpts[i - first].source == NULL || strcmp(lh->rcpts[i - first].source, "generic") != 0 ||
			 same_domain(x->recipient, lh->rcpts[i - first].recipient)))
			j = i - first;
		if (j < lh->n)
		{
			y = &lh->rcpts[j];
			used[j] = true;
		}
		else
			y = whole;
		if (y)
			merge_one(x, y);
	}
	free(used);
	free(slots);
}

static void
finish_row(const build *b, ma_dsn_rcpt *x)
{
	char		found[16] = "";
	int			reply = 0;
	const char *d = x->diagnostic;
	reply_set	rs;
	bool		has_replies = false;	/* rs is the diagnostic's */

	if (x->reason && (strcmp(x->reason, "feedback") == 0 || strcmp(x->reason, "vacation") == 0))
		goto originals;
	if (d)
	{
		size_t		dn = strlen(d);
		char		cls = x->status ? x->status[0] : 0;

		ma_dsn_find_status(d, dn, 0, found);
		has_replies = reply_scan(d, dn, &rs);
		if (has_replies)
		{
			reply = reply_pick(&rs, found[0] ? found[0] : cls);
			if (reply == 0)
				reply = reply_pick(&rs, 0);
		}
	}
	if (found[0] || x->status)
	{
		char		st[16];

		ma_dsn_prefer_status(x->status, found, reply ? reply : x->reply_code, st);
		if (st[0])
			ma_dsn_set(&x->status, st);
	}
	if (x->reply_code == 0)
		x->reply_code = reply;
	/* a reply code of another class than the status */
	if (x->reply_code && x->status && x->status[0] != (char) ('0' + x->reply_code / 100) && d)
	{
		int			r2 = has_replies ? reply_pick(&rs, x->status[0]) : 0;

		if (r2)
			x->reply_code = r2;
	}
	if (x->action == NULL)
	{
		char		c = x->status ? x->status[0] : (x->reply_code / 100 == 4 ? '4' : '5');

		ma_dsn_set(&x->action, c == '2' ? "delivered" : c == '4' ? "delayed" : "failed");
	}
	/* a failure does not carry a positive reply code */
	if (x->reply_code / 100 == 2 && x->action && strcmp(x->action, "failed") == 0 && d)
	{
		x->reply_code = has_replies ? reply_pick(&rs, '5') : 0;
		if (x->reply_code == 0)
			x->reply_code = has_replies ? reply_pick(&rs, '4') : 0;
	}
	if (x->diagnostic_type == NULL && x->diagnostic)
		ma_dsn_set(&x->diagnostic_type, "smtp");
	if (x->reason == NULL &&
		(strcmp(x->action, "delivered") == 0 || strcmp(x->action, "relayed") == 0 ||
		 strcmp(x->action, "expanded") == 0 || (x->status && x->status[0] == '2')))
		x->reason = "delivered";
originals:
	if (x->original_message_id == NULL && b->orig_msgid)
	{
		const char *s = b->orig_msgid;
		size_t		n = strlen(s);

		while (n > 0 && is_sp(*s))
		{
			s++;
			n--;
		}
		if (n > 1 && s[0] == '<')
		{
			const char *gt = memchr(s, '>', n);

			s++;
			n = gt ? (size_t) (gt - s) : n - 1;
		}
		while (n > 0 && is_sp(s[n - 1]))
			n--;
		if (n)
			ma_dsn_setn(&x->original_message_id, s, n);
	}
	if (x->original_from == NULL && b->orig_from)
	{
		char		addr[512];

		if (ma_dsn_find_addr(b->orig_from, strlen(b->orig_from), addr, sizeof(addr)))
			ma_dsn_set(&x->original_from, addr);
		else
			ma_dsn_set(&x->original_from, b->orig_from);
	}
	if (x->original_subject == NULL && b->orig_subject)
		ma_dsn_set(&x->original_subject, b->orig_subject);
}

/* lowercase the domain of the recipient; drop surrounding junk */
static void
tidy_recipient(ma_dsn_rcpt *x)
{
	char		addr[512];

	if (x->recipient == NULL)
		return;
	if (ma_dsn_find_addr(x->recipient, strlen(x->recipient), addr, sizeof(addr)))
		ma_dsn_set(&x->recipient, addr);
}

/*
 * A challenge-response request ("please confirm that you are a person
 * before your message is delivered": TMDA, Spam Arrest, Boxbe, ...) is an
 * automatic answer, not a bounce nor an auto-reply: no rows.  Known by the
 * service's headers, sender or signature (CR_SURE: whatever decoder read
 * rows from it; TMDA's template borrows Exim's "created automatically by mail
 * delivery software"), or by the request's wording (CR_WORDING: only rows of
 * the weak decoders go), and only when there is no delivery-status part.
 */
#define CR_NO		0
#define CR_WORDING	1
#define CR_SURE		2

static int
challenge_response(const build *b, bool wording, bool exim)
{
	static const char *const domains[] = {
		"@boxbe.com", "@spamarrest.com", "@mailblocks.com", "@bluebottle.com",
		"@sendio.com", "@choicemail.com", "@spamhero.com", NULL
	};
	static const char *const phrases[] = {
		"challenge-response", "challenge/response", "challenge response system",
		"confirm that you are a human", "verify that you are a human",
		"prove that you are a human", "confirm that you are a real person",
		"verify that you are a real person", "confirm that you are not a robot",
		"to confirm that you are not a spammer", "please confirm your message",
		"awaiting your confirmation", "awaiting your verification",
		"is waiting for your confirmation", "has been held until you confirm",
		"added to my approved senders", "added to my list of approved senders",
		"to have your message delivered, please", "to release your message for delivery", NULL
	};
	const ma_bmsg *m = &b->m;
	const char *from = ma_bmsg_header(m, "from"),
			   *v;
	size_t		n = m->text_len < 8192 ? m->text_len : 8192;

	/*
	 * The service's sender or TMDA's agent: a request, whatever its form
	 * (Boxbe's "waitlisted" notice is a multipart/report with a
	 * delivery-status part: Status 4.7.0 for the sender's address)
	 */
	if ((v = ma_bmsg_header(m, "x-delivery-agent")) && ma_dsn_memcasemem(v, strlen(v), "tmda"))
		return CR_SURE;
	for (int i = 0; from && domains[i]; i++)
		if (ma_dsn_memcasemem(from, strlen(from), domains[i]))
			return CR_SURE;
	/* a report's own fields decide: its text may quote anything */
	if (m->dsn || m->feedback)
		return CR_NO;
	if (m->text_low == NULL)
		return CR_NO;
	/* TMDA's template: "created automatically by mail delivery software\n(TMDA)." */
	if ((wording || exim) && ma_dsn_memmem(m->text_low, n, "(tmda)", 6))
		return CR_SURE;
	for (int i = 0; wording && phrases[i]; i++)
		if (ma_dsn_memmem(m->text_low, n, phrases[i], strlen(phrases[i])))
			return CR_WORDING;
	return CR_NO;
}

/* two recipients of one domain (both NULL counts too); case-insensitive */
static bool
same_domain(const char *a, const char *b)
{
	const char *x = a ? strrchr(a, '@') : NULL,
			   *y = b ? strrchr(b, '@') : NULL;

	if (x == NULL || y == NULL)
		return x == y;
	return strcasecmp(x, y) == 0;
}

/* the decoders, in order; returns the rows added */
static int
decode(build *b, ma_dsn_result *out)
{
	int			n;
	size_t		start = out->n;

	n = decode_arf(b, out);

	if (n == 0)
	{
		size_t		first = out->n;
		ma_dsn_result lh;

		memset(&lh, 0, sizeof(lh));
		n = decode_rfc3464(&b->m, out);
		if (!dsn_oom)
			ma_dsn_lhost(&b->m, &lh);
		if (n > 0)
			merge_lhost(out, first, &lh);
		else
		{
			/* the text decoder's rows are the result */
			for (size_t i = 0; i < lh.n; i++)
			{
				ma_dsn_rcpt *x;

				if (lh.rcpts[i].recipient == NULL)
					continue;
				x = ma_dsn_add(out);
				if (x == NULL)
					break;
				*x = lh.rcpts[i];
				memset(&lh.rcpts[i], 0, sizeof(lh.rcpts[i]));
				n++;
			}
		}
		ma_dsn_free(&lh);
	}
	if (n == 0)
		n = decode_rfc3834(b, out);
	if (n > 0)
	{
		/*
		 * Rows from a challenge-response request: none (rows of any decoder
		 * when the request is known for sure, else only those the weak
		 * decoders read: an auto-reply, an unknown text bounce).
		 */
		bool		weak = true,
					exim = false;
		int			cr;

		for (size_t i = start; i < out->n; i++)
		{
			const char *src = out->rcpts[i].source;

			if (!src || (strcmp(src, "rfc3834") != 0 && strcmp(src, "generic") != 0))
				weak = false;
			if (src && strcmp(src, "exim") == 0)
				exim = true;
		}
		cr = challenge_response(b, weak, exim);
		if (cr == CR_SURE || (weak && cr == CR_WORDING))
		{
			while (out->n > start)
				rcpt_clear(&out->rcpts[--out->n]);
			n = 0;
		}
	}
	return n;
}

/* one message: its rows appended to out */
static void
parse_one(const char *msg, size_t len, ma_dsn_result *out)
{
	build		b;
	int			n = 0;
	size_t		first = out->n;

	memset(&b, 0, sizeof(b));
	build_view(&b, msg, len);
	n = decode(&b, out);
	/* a bounce forwarded inline ("> " quoted) */
	if (n == 0 && !dsn_oom && unquote_text(&b))
		n = decode(&b, out);
	/* a bounce attached (message/rfc822) to a message that is not one */
	for (int level = 0; n == 0 && !dsn_oom && b.emb && level < 3; level++)
	{
		const char *e = b.emb;
		size_t		el = b.emb_len;

		build_free(&b);
		memset(&b, 0, sizeof(b));
		build_view(&b, e, el);
		n = decode(&b, out);
	}

	/* per row: codes, originals, reason */
	{
		const char *pd = NULL,
				   *ps = NULL,
				   *pa = NULL,
				   *psrc = NULL,
				   *pr = NULL,
				   *pt = NULL,
				   *prcpt = NULL;
		int			prc = -1;
		const char *preason = NULL;
		ma_bounce_textcache tc;

		memset(&tc, 0, sizeof(tc));
		for (size_t i = first; i < out->n && !dsn_oom; i++)
		{
			ma_dsn_rcpt *x = &out->rcpts[i];

			tidy_recipient(x);
			finish_row(&b, x);
			if (x->reason == NULL)
			{
				/* consecutive rows saying the same thing: classify once */
				if (preason && prc == x->reply_code && psrc == x->source &&
					((pd == NULL && x->diagnostic == NULL) ||
					 (pd && x->diagnostic && strcmp(pd, x->diagnostic) == 0)) &&
					((ps == NULL && x->status == NULL) ||
					 (ps && x->status && strcmp(ps, x->status) == 0)) &&
					((pa == NULL && x->action == NULL) ||
					 (pa && x->action && strcmp(pa, x->action) == 0)) &&
					((pr == NULL && x->remote_mta == NULL) ||
					 (pr && x->remote_mta && strcmp(pr, x->remote_mta) == 0)) &&
					((pt == NULL && x->diagnostic_type == NULL) ||
					 (pt && x->diagnostic_type && strcmp(pt, x->diagnostic_type) == 0)) &&
					same_domain(prcpt, x->recipient))
					x->reason = preason;
				else
				{
					ma_bounce_in in;

					memset(&in, 0, sizeof(in));
					in.diagnostic = x->diagnostic;
					in.status = x->status;
					in.reply_code = x->reply_code;
					in.action = x->action;
					in.source = x->source;
					in.remote_mta = x->remote_mta;
					in.recipient = x->recipient;
					in.text = b.m.text;
					in.diagnostic_type = x->diagnostic_type;
					in.cache = &tc;
					x->reason = ma_bounce_reason_ex(&in);
				}
				pd = x->diagnostic;
				ps = x->status;
				pa = x->action;
				pr = x->remote_mta;
				prcpt = x->recipient;
				pt = x->diagnostic_type;
				psrc = x->source;
				prc = x->reply_code;
				preason = x->reason;
			}
			if (x->reason == NULL)
				x->reason = "undefined";
			x->hard_bounce = ma_bounce_is_hard(x->reason, x->status, x->reply_code);
		}
	}
	build_free(&b);
}

/* an mbox "From " line ending in a time and a year ("... 12:05:05 2020") */
static bool
from_line_dated(const char *l, size_t n)
{
	while (n > 0 && (l[n - 1] == '\r' || l[n - 1] == ' '))
		n--;
	if (n < 5 + 14 || !isdigit((unsigned char) l[n - 1]) || !isdigit((unsigned char) l[n - 2]) ||
		!isdigit((unsigned char) l[n - 3]) || !isdigit((unsigned char) l[n - 4]) || l[n - 5] != ' ')
		return false;
	n -= 5;
	/* hh:mm:ss, maybe a zone between it and the year ("12:05:05 -0400 2020" is rare: not taken) */
	return n >= 8 && isdigit((unsigned char) l[n - 1]) && isdigit((unsigned char) l[n - 2]) &&
		l[n - 3] == ':' && isdigit((unsigned char) l[n - 4]) && isdigit((unsigned char) l[n - 5]) &&
		l[n - 6] == ':';
}

/*
 * Where the next message of an mbox starts in s[pos..n): a "From " line
 * after a blank line (or one that reads as a dated separator), followed by a
 * header field (a "From " line in a body
 * is written ">From " in an mbox).  n when there is none.
 */
static size_t
mbox_next(const char *s, size_t n, size_t pos)
{
	while (pos < n)
	{
		const char *p = ma_dsn_memmem(s + pos, n - pos, "\nFrom ", 6);
		size_t		at,
					nl2;
		const char *e;

		if (p == NULL)
			return n;
		at = (size_t) (p - s) + 1;
		pos = at;
		e = memchr(s + at, '\n', n - at);
		if (e == NULL)
			return n;
		/*
		 * a blank line before it, or (files written without one) a line
		 * that reads as a separator: "From sender  Thu Jul  2 12:05:05 2020"
		 */
		if (!(at >= 2 && s[at - 2] == '\n') && !(at >= 3 && s[at - 2] == '\r' && s[at - 3] == '\n') &&
			!from_line_dated(s + at, (size_t) (e - s) - at))
			continue;
		/* then a header field: "Name:" */
		nl2 = (size_t) (e - s) + 1;
		{
			size_t		c = nl2;

			while (c < n && c - nl2 < 80 && s[c] > ' ' && s[c] < 0x7F && s[c] != ':')
				c++;
			if (c > nl2 && c < n && s[c] == ':')
				return at;
		}
	}
	return n;
}

bool
ma_dsn_parse(const char *msg, size_t len, ma_dsn_result *out)
{
	size_t		start = 0;
	char	   *lf = NULL;

	dsn_oom = false;
	out->error[0] = '\0';
	if (msg == NULL || len == 0)
		return true;
	/*
	 * Lines that end with a bare CR (old Mac OS files): CR LF and CR become
	 * LF, as Sisimai does.  Told by the first line ending.
	 */
	{
		const char *nl = memchr(msg, '\n', len);
		const char *cr = memchr(msg, '\r', nl ? (size_t) (nl - msg) : len);

		while (cr && cr + 1 < msg + len && cr[1] == '\r')
			cr++;				/* CR CR LF: a CR too many, not a Mac file */
		if (cr && cr + 1 < msg + len && cr[1] != '\n')
		{
			size_t		o = 0;

			lf = malloc(len);
			if (lf == NULL)
			{
				snprintf(out->error, sizeof(out->error), "out of memory");
				return false;
			}
			for (size_t i = 0; i < len; i++)
			{
				if (msg[i] != '\r')
					lf[o++] = msg[i];
				else if (i + 1 >= len || msg[i + 1] != '\n')
					lf[o++] = '\n';
			}
			msg = lf;
			len = o;
		}
	}
	/* an mbox of several messages (as Sisimai reads them): each in turn */
	while (start < len && (msg[start] == '\n' || msg[start] == '\r'))
		start++;
	if (len - start > 5 && memcmp(msg + start, "From ", 5) == 0)
	{
		int			nmsg = 0;

		while (start < len && !dsn_oom && out->n < MA_DSN_MAX_RCPTS && nmsg++ < MA_DSN_MAX_MBOX)
		{
			size_t		next = mbox_next(msg, len, start + 5);

			parse_one(msg + start, next - start, out);
			start = next;
		}
	}
	else
		parse_one(msg, len, out);
	free(lf);
	if (dsn_oom)
	{
		snprintf(out->error, sizeof(out->error), "out of memory");
		return false;
	}

	/*
	 * status is an RFC 3463 code or NULL: a malformed Status field ("5.1.d,1",
	 * found by fuzz/fuzz_dsn) gives the code written inside it, normalised,
	 * or none at all.
	 */
	for (size_t i = 0; i < out->n; i++)
	{
		ma_dsn_rcpt *r = &out->rcpts[i];
		ma_smtp_status st;
		char		found[16];

		if (r->status == NULL || (ma_smtp_status_lookup(r->status, &st) &&
								  strcmp(st.code, r->status) == 0))
			continue;
		if (ma_smtp_status_lookup(r->status, &st))
			ma_dsn_set(&r->status, st.code);
		else if (ma_bounce_find_status(r->status, found) && ma_smtp_status_lookup(found, &st))
			ma_dsn_set(&r->status, st.code);
		else
		{
			free(r->status);
			r->status = NULL;
		}
	}
	return true;
}
