/*-------------------------------------------------------------------------
 *
 * ma_text.h
 *	  Small byte-level helpers the core's parsers share: UTF-8 sequences
 *	  and base64 digits.  Header-only (static inline), no postgres.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_TEXT_H
#define MA_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

#endif							/* MA_TEXT_H */
