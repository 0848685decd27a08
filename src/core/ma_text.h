/*-------------------------------------------------------------------------
 *
 * ma_text.h
 *	  Small byte-level helpers the core's parsers share: UTF-8 sequences,
 *	  base64 digits, ASCII runs and spans of a byte class (16 bytes at a
 *	  time with SSE2).  Header-only (static inline), no postgres.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_TEXT_H
#define MA_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* the length of the well-formed UTF-8 sequence at s (1..4), or 0 */
static inline size_t
ma_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t		k;
	uint32_t	cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 1, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		k = 2, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 3, cp = c & 0x07;
	else
		return 0;
	if (n < k + 1)
		return 0;
	for (size_t j = 1; j <= k; j++)
	{
		if ((s[j] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[j] & 0x3f);
	}
	if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		(cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k + 1;
}

/* 0: ASCII only; 1: valid UTF-8 with non-ASCII; -1: not UTF-8 */
static inline int
ma_utf8_check(const unsigned char *s, size_t n)
{
	int			r = 0;

	for (size_t i = 0; i < n;)
	{
		size_t		k;

		if (s[i] < 0x80)
		{
			i++;
			continue;
		}
		if ((k = ma_utf8_seq(s + i, n - i)) == 0)
			return -1;
		r = 1;
		i += k;
	}
	return r;
}

/*
 * After snprintf() into a fixed buffer: a multibyte character the limit cut
 * in two is dropped whole (its lead byte becomes the NUL), so text that was
 * valid UTF-8 stays valid.  Other bytes are left as they are.
 */
static inline void
ma_utf8_cut(char *s)
{
	size_t		n = strlen(s),
				i = n,
				need;
	unsigned char c;

	while (i > 0 && n - i < 3 && ((unsigned char) s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return;
	c = (unsigned char) s[i - 1];
	need = (c >= 0xf0 && c <= 0xf4) ? 4 : (c >= 0xe0 && c <= 0xef) ? 3 : (c >= 0xc2 && c <= 0xdf) ? 2 : 0;
	if (need > 0 && n - (i - 1) < need)
		s[i - 1] = '\0';
}

/* the value of a base64 digit, -1 for any other byte */
static inline int
ma_b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* length of the leading run of s[0..n) that is ASCII without NUL */
static inline size_t
ma_ascii_run(const char *s, size_t n)
{
	size_t		j = 0;

#ifdef __SSE2__
	/*
	 * 16 bytes at a time: no high bit (movemask), no zero byte; the rest
	 * with one more load of the last 16 bytes (below, of 8 or 4 bytes, or
	 * the first, middle and last of 1 to 3), overlapping what was seen: no
	 * loop that ends after a varying number of bytes
	 */
	if (n >= 16)
	{
		unsigned	m;

		for (; j + 16 <= n; j += 16)
		{
			__m128i		v = _mm_loadu_si128((const __m128i *) (s + j));

			m = (unsigned) (_mm_movemask_epi8(v) | _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())));
			if (m)
				return j + (size_t) __builtin_ctz(m);
		}
		if (j < n)
		{
			__m128i		v = _mm_loadu_si128((const __m128i *) (s + n - 16));

			m = (unsigned) (_mm_movemask_epi8(v) | _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())));
			m >>= 16 - (n - j);
			return m ? j + (size_t) __builtin_ctz(m) : n;
		}
		return n;
	}
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n >= 8)
	{
		/* 8 bytes at a time (the first bad byte is the lowest flagged one) */
		uint64_t	w,
					bad;

		for (; j + 8 <= n; j += 8)
		{
			memcpy(&w, s + j, 8);
			if ((bad = (w & UINT64_C(0x8080808080808080)) | ((w - UINT64_C(0x0101010101010101)) & ~w & UINT64_C(0x8080808080808080))) != 0)
				return j + (size_t) (__builtin_ctzll(bad) / 8);
		}
		if (j < n)
		{
			memcpy(&w, s + n - 8, 8);
			bad = ((w & UINT64_C(0x8080808080808080)) | ((w - UINT64_C(0x0101010101010101)) & ~w & UINT64_C(0x8080808080808080))) >> (8 * (8 - (n - j)));
			return bad ? j + (size_t) (__builtin_ctzll(bad) / 8) : n;
		}
		return n;
	}
	if (n >= 4)
	{
		/* two 4-byte words, the second ending at n */
		uint32_t	w,
					bad;

		memcpy(&w, s, 4);
		if ((bad = (w & 0x80808080u) | ((w - 0x01010101u) & ~w & 0x80808080u)) != 0)
			return (size_t) (__builtin_ctz(bad) / 8);
		memcpy(&w, s + n - 4, 4);
		/* the bytes seen already shifted out (all 4 of them when n is 4) */
		bad = (uint32_t) ((uint64_t) ((w & 0x80808080u) | ((w - 0x01010101u) & ~w & 0x80808080u)) >> (8 * (8 - n)));
		return bad ? 4 + (size_t) (__builtin_ctz(bad) / 8) : n;
	}
	if (n > 0)
	{
		/* 1 to 3 bytes: the first, the middle and the last cover them */
		size_t		r = n;
		unsigned char a = (unsigned char) s[0],
					b = (unsigned char) s[n / 2],
					c = (unsigned char) s[n - 1];

		r = (c >= 0x80 || c == 0) ? n - 1 : r;
		r = (b >= 0x80 || b == 0) ? n / 2 : r;
		r = (a >= 0x80 || a == 0) ? 0 : r;
		return r;
	}
	return 0;
#endif
	while (j < n && (unsigned char) s[j] < 0x80 && s[j] != '\0')
		j++;
	return j;
}

/*
 * Spans of a byte class: how many bytes from s on belong to it.  The
 * parsers skip words and names this way, 16 bytes at a time: a loop that
 * steps byte by byte ends after a number of steps that changes with every
 * word, which the branch predictor cannot know when the text is new to it;
 * here one test per 16 bytes says where the class ends.  Never reads
 * outside s[0..n).
 *
 *	MA_SPAN_WORD	letters, digits and bytes >= 0x80 (the bytes of UTF-8
 *					sequences)
 *	MA_SPAN_TEXT	anything but NUL and ASCII whitespace (HT, LF, VT, FF,
 *					CR, space)
 *	MA_SPAN_NAME	anything but ':' and ASCII whitespace (a header field's
 *					name)
 *	MA_SPAN_NODIGIT	anything but the ASCII digits
 */
typedef enum ma_span_class
{
	MA_SPAN_WORD,
	MA_SPAN_TEXT,
	MA_SPAN_NAME,
	MA_SPAN_NODIGIT
} ma_span_class;

static inline int
ma_span_in(unsigned char c, ma_span_class cls)
{
	if (cls == MA_SPAN_WORD)
		return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
	if (cls == MA_SPAN_NODIGIT)
		return !(c >= '0' && c <= '9');
	if (c == ' ' || (c >= '\t' && c <= '\r'))
		return 0;
	return cls == MA_SPAN_TEXT ? c != '\0' : c != ':';
}

#ifdef __SSE2__
/* the bytes of v in [lo, hi] */
static inline __m128i
ma_span_range(__m128i v, unsigned char lo, unsigned char hi)
{
	__m128i		t = _mm_add_epi8(v, _mm_set1_epi8((char) (unsigned char) (0x80 - lo)));

	return _mm_cmplt_epi8(t, _mm_set1_epi8((char) (-128 + (hi - lo) + 1)));
}

/* one bit per byte of s[0..16) that is not of the class */
static inline unsigned
ma_span_stops(const unsigned char *s, ma_span_class cls)
{
	__m128i		v = _mm_loadu_si128((const __m128i *) s);
	__m128i		in;

	if (cls == MA_SPAN_NODIGIT)
		return (unsigned) _mm_movemask_epi8(ma_span_range(v, '0', '9'));
	if (cls == MA_SPAN_WORD)
		in = _mm_or_si128(_mm_or_si128(ma_span_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z'),
									   ma_span_range(v, '0', '9')),
						  _mm_cmplt_epi8(v, _mm_setzero_si128()));
	else
	{
		__m128i		out = _mm_or_si128(ma_span_range(v, '\t', '\r'),
									   _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));

		out = _mm_or_si128(out, _mm_cmpeq_epi8(v, _mm_set1_epi8(cls == MA_SPAN_TEXT ? '\0' : ':')));
		return (unsigned) _mm_movemask_epi8(out);
	}
	return (unsigned) _mm_movemask_epi8(in) ^ 0xFFFFu;
}
#endif

static inline size_t
ma_span(const unsigned char *s, size_t n, ma_span_class cls)
{
	size_t		j = 0;

#ifdef __SSE2__
	if (n >= 16)
	{
		unsigned	m;

		for (; j + 16 <= n; j += 16)
			if ((m = ma_span_stops(s + j, cls)) != 0)
				return j + (size_t) __builtin_ctz(m);
		if (j == n)
			return n;
		/* the last 16 bytes, of which the first were seen already */
		m = ma_span_stops(s + n - 16, cls) >> (16 - (n - j));
		return m ? j + (size_t) __builtin_ctz(m) : n;
	}
#endif
	while (j < n && ma_span_in(s[j], cls))
		j++;
	return j;
}

/*
 * How many bytes from s on are none of the nstops bytes of stops (NUL may
 * be one only if listed in nstops): ma_span() for a set of its own.  Called
 * through MA_SPAN_UNTIL() with a string literal, whose length is then a
 * constant and the comparisons unrolled.
 */
#define MA_SPAN_UNTIL(s, n, lit) ma_span_until((s), (n), (lit), sizeof(lit) - 1)

#ifdef __SSE2__
static inline unsigned
ma_until_mask(const unsigned char *s, const char *stops, int nstops)
{
	__m128i		v = _mm_loadu_si128((const __m128i *) s),
				m = _mm_setzero_si128();

	for (int q = 0; q < nstops; q++)
		m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(stops[q])));
	return (unsigned) _mm_movemask_epi8(m);
}
#endif

static inline size_t
ma_span_until(const unsigned char *s, size_t n, const char *stops, int nstops)
{
	size_t		j = 0;

#ifdef __SSE2__
	if (n >= 16)
	{
		unsigned	m;

		for (; j + 16 <= n; j += 16)
			if ((m = ma_until_mask(s + j, stops, nstops)) != 0)
				return j + (size_t) __builtin_ctz(m);
		if (j == n)
			return n;
		m = ma_until_mask(s + n - 16, stops, nstops) >> (16 - (n - j));
		return m ? j + (size_t) __builtin_ctz(m) : n;
	}
#endif
	while (j < n && memchr(stops, s[j], (size_t) nstops) == NULL)
		j++;
	return j;
}

#endif							/* MA_TEXT_H */
