/*-------------------------------------------------------------------------
 *
 * ma_addr.c
 *	  RFC 5322 address lists: a tokenizer, an element splitter and a
 *	  mailbox reader over the tokens of one element (see ma_addr.h).
 *
 * The input is hostile: the tokenizer reads every byte once (comments are
 * matched with a depth counter, no recursion), an element is the run of
 * tokens up to a ',' or ';' outside angle brackets, and each element is
 * read by index arithmetic over its tokens (a few linear passes).  Nothing
 * relies on NUL termination of the input.  Internal buffers hold raw bytes
 * (NULs included); every string handed out goes through sanitize(), which
 * makes it valid UTF-8 without control characters.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_addr.h"
#include "ma_text.h"
#include "ma_idn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <iconv.h>
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------
 * Growing byte buffers
 * ---------------------------------------------------------------------
 */
typedef struct sbuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool	   *oom;			/* set when an allocation fails */
} sbuf;

static bool
sb_reserve(sbuf *b, size_t more)
{
	size_t		ncap;
	char	   *n;

	if (*b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 64;
	while (ncap < b->len + more + 1)
		ncap *= 2;
	n = realloc(b->data, ncap);
	if (!n)
	{
		*b->oom = true;
		return false;
	}
	b->data = n;
	b->cap = ncap;
	b->data[b->len] = '\0';
	return true;
}

/* raw bytes, NUL included (the buffer stays NUL-terminated after them) */
static void
sb_put(sbuf *b, const void *s, size_t n)
{
	if (!sb_reserve(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
sb_putc(sbuf *b, char c)
{
	sb_put(b, &c, 1);
}

static void
sb_puts(sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void
sb_reset(sbuf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* the buffer's string, handed over (never NULL unless out of memory) */
static char *
sb_take(sbuf *b)
{
	char	   *d;

	if (!sb_reserve(b, 0))
		return NULL;
	d = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

/* ---------------------------------------------------------------------
 * UTF-8
 * ---------------------------------------------------------------------
 */

#define SAN_STRICT	0			/* every control byte -> U+FFFD */
#define SAN_TEXT	1			/* TAB CR LF -> space, other controls U+FFFD */

/*
 * Append s as valid UTF-8 without control characters: invalid sequences
 * byte by byte and control bytes (NUL, DEL) as U+FFFD.
 */
static void
sanitize(sbuf *out, const unsigned char *s, size_t n, int mode)
{
	static const char repl[] = "\xef\xbf\xbd";

	for (size_t i = 0; i < n;)
	{
		unsigned char c = s[i];
		size_t		k;

		if (c < 0x20 || c == 0x7f)
		{
			if (mode == SAN_TEXT && (c == '\t' || c == '\r' || c == '\n'))
				sb_putc(out, ' ');
			else
				sb_put(out, repl, 3);
			i++;
			continue;
		}
		if (c < 0x80)
		{
			size_t		j = i + 1;

			while (j < n && s[j] >= 0x20 && s[j] < 0x7f)
				j++;
			sb_put(out, s + i, j - i);
			i = j;
			continue;
		}
		if ((k = ma_utf8_seq(s + i, n - i)) == 0)
		{
			sb_put(out, repl, 3);
			i++;
			continue;
		}
		sb_put(out, s + i, k);
		i += k;
	}
}

/* a sanitized malloc()ed copy; with trim, no blanks at the ends; NULL when
 * empty after trimming (trim) or out of memory */
static char *
clean_copy(bool *oom, const void *p, size_t n, int mode, bool trim)
{
	sbuf		b = {NULL, 0, 0, oom};
	size_t		s = 0,
				e;

	sanitize(&b, p, n, mode);
	if (*oom)
	{
		free(b.data);
		return NULL;
	}
	if (!sb_reserve(&b, 0))
		return NULL;
	if (trim)
	{
		e = b.len;
		while (s < e && b.data[s] == ' ')
			s++;
		while (e > s && b.data[e - 1] == ' ')
			e--;
		if (s == e)
		{
			free(b.data);
			return NULL;
		}
		memmove(b.data, b.data + s, e - s);
		b.data[e - s] = '\0';
	}
	return b.data;
}

/* ---------------------------------------------------------------------
 * RFC 2047 encoded words
 * ---------------------------------------------------------------------
 */
enum
{
	CS_NONE, CS_UTF8, CS_ASCII, CS_LATIN1, CS_ICONV
};

typedef struct decoder
{
	sbuf	   *out;
	bool		bad;
	/* the pending run of adjacent words of one charset */
	bool		pending;
	char		pcs[72];
	int			pkind;
	sbuf		pbytes;
	/* one opened converter */
	char		ccs[72];
	iconv_t		cd;
} decoder;

static bool
cs_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '*';
}

/* the kind of a charset (lowercased, language removed); CS_NONE: unknown */
static int
cs_resolve(decoder *d, const char *name)
{
	static const char *const utf8[] = {"utf-8", "utf8"};
	static const char *const ascii[] = {"us-ascii", "ascii", "ansi_x3.4-1968", "us"};
	static const char *const latin1[] = {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1",
	"l1", "iso-ir-100", "cp819", "ibm819"};

	for (size_t i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
		if (strcmp(name, utf8[i]) == 0)
			return CS_UTF8;
	for (size_t i = 0; i < sizeof(ascii) / sizeof(ascii[0]); i++)
		if (strcmp(name, ascii[i]) == 0)
			return CS_ASCII;
	for (size_t i = 0; i < sizeof(latin1) / sizeof(latin1[0]); i++)
		if (strcmp(name, latin1[i]) == 0)
			return CS_LATIN1;
	if (d->cd != (iconv_t) -1 && strcmp(d->ccs, name) == 0)
		return CS_ICONV;
	if (d->cd != (iconv_t) -1)
	{
		iconv_close(d->cd);
		d->cd = (iconv_t) -1;
	}
	d->cd = iconv_open("UTF-8", name);
	if (d->cd == (iconv_t) -1)
		return CS_NONE;
	snprintf(d->ccs, sizeof(d->ccs), "%s", name);
	return CS_ICONV;
}

static void
convert(decoder *d, int kind, const unsigned char *s, size_t n)
{
	static const char repl[] = "\xef\xbf\xbd";
	sbuf	   *out = d->out;

	switch (kind)
	{
		case CS_UTF8:
			sb_put(out, s, n);	/* sanitize() repairs it later */
			return;
		case CS_ASCII:
			for (size_t i = 0; i < n; i++)
			{
				if (s[i] < 0x80)
					sb_putc(out, (char) s[i]);
				else
					sb_put(out, repl, 3);
			}
			return;
		case CS_LATIN1:
			for (size_t i = 0; i < n; i++)
			{
				if (s[i] < 0x80)
					sb_putc(out, (char) s[i]);
				else
				{
					sb_putc(out, (char) (0xc0 | (s[i] >> 6)));
					sb_putc(out, (char) (0x80 | (s[i] & 0x3f)));
				}
			}
			return;
		default:
			break;
	}
	/* iconv: invalid input bytes become U+FFFD one by one */
	{
		char	   *in = (char *) s;
		size_t		inleft = n;

		iconv(d->cd, NULL, NULL, NULL, NULL);
		for (;;)
		{
			char	   *o;
			size_t		oleft,
						rc;

			if (!sb_reserve(out, inleft * 4 + 16))
				return;
			o = out->data + out->len;
			oleft = out->cap - out->len - 1;
			rc = iconv(d->cd, inleft ? &in : NULL, inleft ? &inleft : NULL, &o, &oleft);
			out->len = o - out->data;
			out->data[out->len] = '\0';
			if (rc != (size_t) -1)
			{
				if (inleft == 0)
				{
					/* flush the shift state */
					if (!sb_reserve(out, 16))
						return;
					o = out->data + out->len;
					oleft = out->cap - out->len - 1;
					iconv(d->cd, NULL, NULL, &o, &oleft);
					out->len = o - out->data;
					out->data[out->len] = '\0';
					return;
				}
				continue;
			}
			if (errno == E2BIG)
				continue;
			/* EILSEQ or EINVAL (or anything else): skip one byte */
			sb_put(out, repl, 3);
			if (inleft == 0)
				return;
			in++;
			inleft--;
			if (errno == EINVAL && inleft == 0)
				return;
			iconv(d->cd, NULL, NULL, NULL, NULL);
		}
	}
}

static void
flush_pending(decoder *d)
{
	if (!d->pending)
		return;
	convert(d, d->pkind, (const unsigned char *) d->pbytes.data, d->pbytes.len);
	d->pending = false;
	sb_reset(&d->pbytes);
}

static int
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

/* decode encoded-text t[0..n) into b; false when it is not valid */
static bool
decode_text(char enc, const unsigned char *t, size_t n, sbuf *b)
{
	if (enc == 'q' || enc == 'Q')
	{
		for (size_t i = 0; i < n; i++)
		{
			if (t[i] == '_')
				sb_putc(b, ' ');
			else if (t[i] == '=')
			{
				int			h,
							l;

				if (i + 2 >= n)
					return false;
				h = hexval(t[i + 1]);
				l = hexval(t[i + 2]);
				if (h < 0 || l < 0)
					return false;
				sb_putc(b, (char) (h * 16 + l));
				i += 2;
			}
			else
				sb_putc(b, (char) t[i]);
		}
		return true;
	}
	else
	{
		uint32_t	acc = 0;
		int			bits = 0;
		size_t		ndata = 0,
					i;

		for (i = 0; i < n && t[i] != '='; i++)
		{
			int			v = ma_b64val(t[i]);

			if (v < 0)
				return false;
			acc = (acc << 6) | (uint32_t) v;
			bits += 6;
			ndata++;
			if (bits >= 8)
			{
				bits -= 8;
				sb_putc(b, (char) ((acc >> bits) & 0xff));
			}
		}
		/* only padding after the data, and no more than fills a quantum */
		for (size_t j = i; j < n; j++)
			if (t[j] != '=')
				return false;
		if (ndata % 4 == 1 || n - i > 2)
			return false;
		return true;
	}
}

/*
 * An encoded word at s[i] ("=?" already seen): its charset (lowercased,
 * "*lang" removed) into cs, encoding, text span and end.  false when the
 * bytes there are not an encoded word at all.
 */
static bool
parse_word(const unsigned char *s, size_t i, size_t n, char *cs, char *enc,
		   size_t *ts, size_t *te, size_t *end)
{
	size_t		j = i + 2,
				c0 = j,
				cl;

	while (j < n && s[j] != '?')
	{
		if (!cs_char(s[j]) || j - c0 >= 64)
			return false;
		j++;
	}
	if (j >= n || j == c0)
		return false;
	cl = 0;
	for (size_t k = c0; k < j && s[k] != '*'; k++)
		cs[cl++] = (char) (s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
	cs[cl] = '\0';
	if (cl == 0)
		return false;
	j++;
	if (j + 1 >= n || !(s[j] == 'q' || s[j] == 'Q' || s[j] == 'b' || s[j] == 'B') ||
		s[j + 1] != '?')
		return false;
	*enc = (char) s[j];
	j += 2;
	*ts = j;
	while (j < n && s[j] != '?')
	{
		if (s[j] <= 0x20 || s[j] >= 0x7f)
			return false;
		j++;
	}
	if (j + 1 >= n || s[j + 1] != '=')
		return false;
	*te = j;
	*end = j + 2;
	return true;
}

/* decode the words of s into out (raw bytes, sanitize() afterwards) */
static bool
decode_words(bool *oom, const unsigned char *s, size_t n, sbuf *out)
{
	decoder		d;
	sbuf		tmp = {NULL, 0, 0, oom};
	bool		after_word = false;
	size_t		held = 0,
				i = 0;

	memset(&d, 0, sizeof(d));
	d.out = out;
	d.cd = (iconv_t) -1;
	d.pbytes.oom = oom;
	while (i < n && !*oom)
	{
		char		cs[72],
					enc;
		size_t		ts,
					te,
					end;

		if (s[i] == '=' && i + 1 < n && s[i + 1] == '?' &&
			parse_word(s, i, n, cs, &enc, &ts, &te, &end))
		{
			int			kind;

			sb_reset(&tmp);
			if (!decode_text(enc, s + ts, te - ts, &tmp))
				kind = CS_NONE;
			else if (d.pending && after_word && strcmp(cs, d.pcs) == 0)
			{
				sb_put(&d.pbytes, tmp.data, tmp.len);
				held = i = end;
				continue;
			}
			else
			{
				flush_pending(&d);
				kind = cs_resolve(&d, cs);
			}
			if (kind == CS_NONE)
			{
				/* kept as written, with the blanks before it */
				d.bad = true;
				flush_pending(&d);
				if (after_word)
					sb_put(out, s + held, i - held);
				after_word = false;
				sb_put(out, s + i, end - i);
				i = end;
				continue;
			}
			d.pending = true;
			d.pkind = kind;
			snprintf(d.pcs, sizeof(d.pcs), "%s", cs);
			sb_put(&d.pbytes, tmp.data, tmp.len);
			after_word = true;
			held = i = end;
			continue;
		}
		if (after_word)
		{
			if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')
			{
				i++;
				continue;
			}
			flush_pending(&d);
			sb_put(out, s + held, i - held);
			after_word = false;
		}
		sb_putc(out, (char) s[i]);
		i++;
	}
	flush_pending(&d);
	if (after_word)
		sb_put(out, s + held, n - held);
	free(tmp.data);
	free(d.pbytes.data);
	if (d.cd != (iconv_t) -1)
		iconv_close(d.cd);
	return d.bad;
}

char *
ma_addr_decode_words(const char *s, size_t len, bool *bad)
{
	bool		oom = false;
	sbuf		b = {NULL, 0, 0, &oom};
	bool		isbad = decode_words(&oom, (const unsigned char *) s, len, &b);
	char	   *r;

	if (bad)
		*bad = isbad;
	if (oom)
	{
		free(b.data);
		return NULL;
	}
	r = clean_copy(&oom, b.data ? b.data : "", b.len, SAN_TEXT, false);
	free(b.data);
	return r;
}

/* ---------------------------------------------------------------------
 * Tokens
 * ---------------------------------------------------------------------
 */
enum
{
	T_ATOM = 1, T_QSTR, T_COMMENT, T_DLIT, T_SPECIAL
};

typedef struct tok
{
	size_t		start;			/* raw span, delimiters included */
	size_t		end;
	size_t		cs;				/* content span of QSTR, COMMENT, DLIT */
	size_t		ce;
	uint32_t	flags;			/* problems met while reading it */
	uint8_t		type;
	char		ch;				/* T_SPECIAL: the character */
	bool		ws;				/* blanks (or a fold) right before it */
	bool		has8;			/* a byte >= 0x80 inside */
} tok;

typedef struct lexer
{
	const unsigned char *s;
	size_t		len;
	size_t		pos;
	uint32_t	pending;		/* flags for the next token */
} lexer;

static inline bool
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static inline bool
is_brk(unsigned char c)
{
	return c == '\r' || c == '\n';
}

static inline bool
is_special(unsigned char c)
{
	return c == '<' || c == '>' || c == '@' || c == ',' || c == ';' || c == ':' || c == '.';
}

static inline bool
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c >= 0x80 || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* the index after the line break at s[i] */
static size_t
brk_end(const unsigned char *s, size_t n, size_t i)
{
	if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
		return i + 2;
	return i + 1;
}

static bool
is_fold(const unsigned char *s, size_t n, size_t i)
{
	size_t		q = brk_end(s, n, i);

	return q < n && is_wsp(s[q]);
}

/* a byte inside a quoted string, comment or literal (obs-NO-WS-CTL ok) */
static void
note_inner(tok *t, unsigned char c)
{
	if (c == 0)
		t->flags |= MA_ADDR_NUL;
	else if (c >= 0x80)
		t->has8 = true;
	else if ((c < 0x20 && c != '\t' && !is_brk(c)) || c == 0x7f)
		t->flags |= MA_ADDR_OBSOLETE;
}

/* a line break inside a quoted string, comment or literal */
static void
note_brk(tok *t, const unsigned char *s, size_t n, size_t i)
{
	if (!is_fold(s, n, i))
		t->flags |= MA_ADDR_INVALID_CHAR;
}

/* blanks and folds; a line break that is not a fold (unless only blanks
 * follow it) is an invalid character of the next token */
static bool
skip_ws(lexer *lx)
{
	bool		any = false;

	while (lx->pos < lx->len)
	{
		unsigned char c = lx->s[lx->pos];

		if (is_wsp(c))
			lx->pos++;
		else if (is_brk(c))
		{
			if (is_fold(lx->s, lx->len, lx->pos))
				lx->pos = brk_end(lx->s, lx->len, lx->pos);
			else
			{
				size_t		r = lx->pos;

				while (r < lx->len && (is_wsp(lx->s[r]) || is_brk(lx->s[r])))
					r++;
				if (r < lx->len)
					lx->pending |= MA_ADDR_INVALID_CHAR;
				lx->pos = r;
			}
		}
		else
			break;
		any = true;
	}
	return any;
}

/* the next token; false at the end of the input */
static bool
next_token(lexer *lx, tok *t)
{
	const unsigned char *s = lx->s;
	size_t		n = lx->len,
				i;
	unsigned char c;

	memset(t, 0, sizeof(*t));
	t->ws = skip_ws(lx);
	if (lx->pos >= n)
		return false;
	t->flags = lx->pending;
	lx->pending = 0;
	i = lx->pos;
	t->start = i;
	c = s[i];
	if (c == '(' || c == '"' || c == '[')
	{
		unsigned char close = c == '(' ? ')' : c == '"' ? '"' : ']';
		size_t		depth = 1;

		t->type = c == '(' ? T_COMMENT : c == '"' ? T_QSTR : T_DLIT;
		t->cs = ++i;
		while (i < n)
		{
			c = s[i];
			if (c == '\\')
			{
				if (t->type == T_DLIT)
					t->flags |= MA_ADDR_OBSOLETE;	/* obs-dtext */
				if (i + 1 < n)
				{
					if (s[i + 1] == 0)
						t->flags |= MA_ADDR_NUL;
					else if (s[i + 1] >= 0x80)
						t->has8 = true;
					else if (s[i + 1] < 0x20 || s[i + 1] == 0x7f)
						t->flags |= MA_ADDR_OBSOLETE;	/* obs-qp */
				}
				i += 2;
				continue;
			}
			if (t->type == T_COMMENT && c == '(')
				depth++;
			else if (c == close && --depth == 0)
				break;
			else if (t->type == T_DLIT && c == '[')
				t->flags |= MA_ADDR_INVALID_CHAR;
			else if (is_brk(c))
				note_brk(t, s, n, i);
			else
				note_inner(t, c);
			i++;
		}
		if (i >= n)
		{
			t->flags |= t->type == T_COMMENT ? MA_ADDR_UNTERM_COMMENT :
				t->type == T_QSTR ? MA_ADDR_UNTERM_QUOTE : MA_ADDR_UNTERM_LITERAL;
			t->ce = t->end = n;
		}
		else
		{
			t->ce = i;
			t->end = i + 1;
		}
	}
	else if (is_special(c))
	{
		t->type = T_SPECIAL;
		t->ch = (char) c;
		t->end = i + 1;
	}
	else
	{
		t->type = T_ATOM;
		while (i < n)
		{
			c = s[i];
			if (is_wsp(c) || is_brk(c) || c == '(' || c == '"' || c == '[' || is_special(c))
				break;
			if (c == 0)
				t->flags |= MA_ADDR_NUL;
			else if (c >= 0x80)
				t->has8 = true;
			else if (!is_atext(c))
				t->flags |= MA_ADDR_INVALID_CHAR;	/* ) ] \ controls */
			i++;
		}
		t->end = i;
	}
	lx->pos = t->end;
	return true;
}

/* ---------------------------------------------------------------------
 * The parser
 * ---------------------------------------------------------------------
 */
typedef struct pctx
{
	const unsigned char *s;
	size_t		len;
	lexer		lx;
	tok		   *toks;
	size_t		ntok;
	size_t		tcap;
	bool		oom;
	ma_addr_list *out;
} pctx;

static inline bool
is_sp(const tok *t, char ch)
{
	return t->type == T_SPECIAL && t->ch == ch;
}

static inline bool
is_word(const tok *t)
{
	return t->type == T_ATOM || t->type == T_QSTR;
}

/* the unescaped content of a quoted string, comment or literal; folds
 * removed (line breaks dropped) */
static void
put_content(const pctx *c, const tok *t, sbuf *b)
{
	const unsigned char *s = c->s;

	for (size_t i = t->cs; i < t->ce; i++)
	{
		if (s[i] == '\\')
		{
			if (i + 1 < t->ce)
				sb_putc(b, (char) s[++i]);
			continue;
		}
		if (is_brk(s[i]))
			continue;
		sb_putc(b, (char) s[i]);
	}
}

/* a word's text: an atom as written, a quoted string's content */
static void
put_word(const pctx *c, const tok *t, sbuf *b)
{
	if (t->type == T_QSTR)
		put_content(c, t, b);
	else
		sb_put(b, c->s + t->start, t->end - t->start);
}

static bool
add_token(pctx *c, const tok *t)
{
	if (c->ntok == c->tcap)
	{
		size_t		ncap = c->tcap ? c->tcap * 2 : 32;
		tok		   *n = realloc(c->toks, ncap * sizeof(tok));

		if (!n)
		{
			c->oom = true;
			return false;
		}
		c->toks = n;
		c->tcap = ncap;
	}
	c->toks[c->ntok++] = *t;
	return true;
}

/*
 * One element: the tokens up to a ',' or ';' outside angle brackets (into
 * c->toks), *term the terminator (0 at the end).  Returns the flags of the
 * terminator and of line breaks after the last token.
 */
static uint32_t
collect(pctx *c, char *term)
{
	bool		angle = false;
	tok			t;
	uint32_t	fl = 0;

	c->ntok = 0;
	*term = 0;
	while (next_token(&c->lx, &t))
	{
		if (t.type == T_SPECIAL)
		{
			if (!angle && (t.ch == ',' || t.ch == ';'))
			{
				*term = t.ch;
				fl |= t.flags;
				break;
			}
			if (t.ch == '<')
				angle = true;
			else if (t.ch == '>')
				angle = false;
		}
		if (!add_token(c, &t))
			break;
	}
	fl |= c->lx.pending;
	c->lx.pending = 0;
	return fl;
}

/* the flags of tokens [a, b): their own, and their UTF-8-ness */
static uint32_t
token_flags(const pctx *c, const tok *t, size_t a, size_t b)
{
	uint32_t	fl = 0;

	for (size_t i = a; i < b; i++)
	{
		fl |= t[i].flags;
		if (t[i].has8)
			fl |= ma_utf8_check(c->s + t[i].start, t[i].end - t[i].start) < 0 ?
				MA_ADDR_INVALID_UTF8 : MA_ADDR_UTF8;
	}
	return fl;
}

static size_t
skip_comments(const tok *t, size_t i, size_t e)
{
	while (i < e && t[i].type == T_COMMENT)
		i++;
	return i;
}

static bool
only_comments(const tok *t, size_t a, size_t b)
{
	return skip_comments(t, a, b) == b;
}

/*
 * The start of the run of words and dots that ends at end (exclusive),
 * comments skipped: going backwards, a word right before a word (no dot
 * between) ends the run.  end when there is no run.
 */
static size_t
run_start(const tok *t, size_t begin, size_t end)
{
	size_t		start = end;
	int			last = 0;		/* 1 word, 2 dot */

	for (size_t k = end; k > begin; k--)
	{
		const tok  *x = &t[k - 1];

		if (x->type == T_COMMENT)
			continue;
		if (is_word(x))
		{
			if (last == 1)
				break;
			last = 1;
		}
		else if (is_sp(x, '.'))
			last = 2;
		else
			break;
		start = k - 1;
	}
	return start;
}

/*
 * A phrase (display name, group name) of tokens [a, b) as raw text: words
 * joined by one space where CFWS separated them.  Flags for specials.
 * Returns whether it holds any word.
 */
static bool
phrase_text(const pctx *c, const tok *t, size_t a, size_t b, sbuf *out, uint32_t *fl)
{
	bool		first = true,
				cfws = false,
				words = false;

	for (size_t k = a; k < b; k++)
	{
		const tok  *x = &t[k];

		if (x->type == T_COMMENT)
		{
			cfws = true;
			continue;
		}
		if (!first && (cfws || x->ws))
			sb_putc(out, ' ');
		if (is_word(x))
		{
			put_word(c, x, out);
			words = true;
		}
		else if (is_sp(x, '.'))
		{
			sb_putc(out, '.');
			*fl |= MA_ADDR_OBSOLETE;	/* obs-phrase */
		}
		else
		{
			sb_put(out, c->s + x->start, x->end - x->start);
			*fl |= MA_ADDR_INVALID_CHAR;
		}
		first = false;
		cfws = false;
	}
	return words || !first;
}

/* decoded, sanitized, trimmed; NULL when empty */
static char *
display_text(pctx *c, const unsigned char *raw, size_t n, uint32_t *fl)
{
	sbuf		dec = {NULL, 0, 0, &c->oom};
	char	   *r;

	if (decode_words(&c->oom, raw, n, &dec))
		*fl |= MA_ADDR_BAD_ENCODED_WORD;
	r = clean_copy(&c->oom, dec.data ? dec.data : "", dec.len, SAN_TEXT, true);
	free(dec.data);
	return r;
}

static bool
is_dot_atom(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
	{
		if (s[i] == '.')
		{
			if (s[i + 1] == '.')
				return false;
		}
		else if (!is_atext((unsigned char) s[i]))
			return false;
	}
	return true;
}

/* the local part of tokens [a, b) in canonical form into out */
static void
local_part(const pctx *c, const tok *t, size_t a, size_t b, sbuf *out, uint32_t *fl)
{
	bool		oom = false;
	sbuf		content = {NULL, 0, 0, &oom},
				text = {NULL, 0, 0, &oom};
	int			prev = 0,		/* 1 word, 2 dot */
				nwords = 0,
				nq = 0;
	bool		first = true,
				cfws = false,
				syntax = false;

	for (size_t k = a; k < b; k++)
	{
		const tok  *x = &t[k];
		bool		gap;

		if (x->type == T_COMMENT)
		{
			cfws = true;
			continue;
		}
		gap = !first && (cfws || x->ws);
		if (is_word(x))
		{
			if (prev == 1)
			{
				syntax = true;
				sb_putc(&content, ' ');
			}
			put_word(c, x, &content);
			nwords++;
			if (x->type == T_QSTR)
				nq++;
			prev = 1;
		}
		else if (is_sp(x, '.'))
		{
			if (prev != 1)
				*fl |= MA_ADDR_BAD_LOCAL;
			sb_putc(&content, '.');
			prev = 2;
		}
		else
		{
			syntax = true;
			continue;
		}
		if (gap)
			*fl |= MA_ADDR_OBSOLETE;
		first = false;
		cfws = false;
	}
	if (prev == 2)
		*fl |= MA_ADDR_BAD_LOCAL;
	if (nq > 0 && nwords > 1)
		*fl |= MA_ADDR_OBSOLETE;
	if (syntax)
		*fl |= MA_ADDR_SYNTAX;
	/* the text as it will be handed out, then quoted when it must be */
	sanitize(&text, (const unsigned char *) (content.data ? content.data : ""), content.len,
			 SAN_STRICT);
	if (oom)
		*out->oom = true;
	if (text.len == 0)
		*fl |= MA_ADDR_EMPTY_LOCAL;
	else if ((nq > 0 || syntax) && !is_dot_atom(text.data, text.len))
	{
		sb_putc(out, '"');
		for (size_t i = 0; i < text.len; i++)
		{
			if (text.data[i] == '"' || text.data[i] == '\\')
				sb_putc(out, '\\');
			sb_putc(out, text.data[i]);
		}
		sb_putc(out, '"');
	}
	else
		sb_put(out, text.data, text.len);
	free(content.data);
	free(text.data);
}

/*
 * The domain starting at token a (before b): a literal, or atoms and dots
 * (CFWS between them: obs-domain).  The raw text goes to raw; *literal is
 * set for a literal.  Returns the index after the domain.
 */
static size_t
domain_tokens(const pctx *c, const tok *t, size_t a, size_t b, sbuf *raw, const tok **literal,
			  uint32_t *fl)
{
	size_t		k = skip_comments(t, a, b);
	int			prev = 0;
	bool		first = true,
				cfws = false;
	size_t		last = k;

	*literal = NULL;
	if (k < b && t[k].type == T_DLIT)
	{
		*literal = &t[k];
		return k + 1;
	}
	for (; k < b; k++)
	{
		const tok  *x = &t[k];

		if (x->type == T_COMMENT)
		{
			cfws = true;
			continue;
		}
		if (x->type == T_ATOM)
		{
			if (prev == 1)
				break;
			sb_put(raw, c->s + x->start, x->end - x->start);
			prev = 1;
		}
		else if (is_sp(x, '.'))
		{
			sb_putc(raw, '.');
			prev = 2;
		}
		else
			break;
		if (!first && (cfws || x->ws))
			*fl |= MA_ADDR_OBSOLETE;
		first = false;
		cfws = false;
		last = k + 1;
	}
	return last;
}

static char *
xstrdup(pctx *c, const char *s)
{
	char	   *d;

	if (c->oom)
		return NULL;
	d = strdup(s);
	if (!d)
		c->oom = true;
	return d;
}

/* the A-label form of a UTF-8 domain (ASCII lowercased), flags on failure */
static char *
to_alabel(pctx *c, const char *utf8, uint32_t *fl)
{
	char		buf[1024];
	const char *err;

	err = ma_idn_to_ascii(utf8, buf, sizeof(buf));
	if (err == NULL)
	{
		for (char *p = buf; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p += 32;
		return xstrdup(c, buf);
	}
	/* a punycode overflow: the label does not fit in 63 octets */
	if (strcmp(err, idn2_strerror(IDN2_TOO_BIG_LABEL)) == 0 ||
		strcmp(err, idn2_strerror(IDN2_PUNYCODE_BIG_OUTPUT)) == 0 ||
		strcmp(err, idn2_strerror(IDN2_PUNYCODE_OVERFLOW)) == 0)
		*fl |= MA_ADDR_LABEL_TOO_LONG;
	else if (strcmp(err, idn2_strerror(IDN2_TOO_BIG_DOMAIN)) == 0 ||
			 strncmp(err, "domain name is longer", 21) == 0)
		*fl |= MA_ADDR_DOMAIN_TOO_LONG;
	else
		*fl |= MA_ADDR_BAD_IDN;
	return NULL;
}

/* the U-label form of an ASCII domain with "xn--" labels, checked by a
 * round trip; NULL (and bad_idn) when it does not decode */
static char *
to_ulabel(pctx *c, const char *ascii, uint32_t *fl)
{
	char	   *u = NULL;
	char		back[1024];
	char	   *r = NULL;

	if (idn2_to_unicode_8z8z(ascii, &u, 0) == IDN2_OK && u != NULL &&
		ma_idn_to_ascii(u, back, sizeof(back)) == NULL && strcasecmp(back, ascii) == 0)
		r = clean_copy(&c->oom, u, strlen(u), SAN_STRICT, false);
	else
		*fl |= MA_ADDR_BAD_IDN;
	if (u)
		idn2_free(u);
	return r;
}

static bool
has_alabel(const char *d)
{
	const char *p = d;

	for (;;)
	{
		if (strncasecmp(p, "xn--", 4) == 0)
			return true;
		p = strchr(p, '.');
		if (!p)
			return false;
		p++;
	}
}

/* length checks of an ASCII domain */
static void
check_lengths(const char *d, uint32_t *fl)
{
	size_t		n = strlen(d),
				label = 0;

	if (n > 255)
		*fl |= MA_ADDR_DOMAIN_TOO_LONG;
	for (size_t i = 0; i <= n; i++)
	{
		if (i == n || d[i] == '.')
		{
			if (label > 63)
				*fl |= MA_ADDR_LABEL_TOO_LONG;
			label = 0;
		}
		else
			label++;
	}
}

/* domain and domain_unicode of a from raw text (atoms and dots) */
static void
set_domain(pctx *c, ma_addr *m, const unsigned char *raw, size_t n, uint32_t *fl)
{
	bool		oom = false;
	sbuf		low = {NULL, 0, 0, &oom};
	int			u;
	bool		ctl = false;

	if (n == 0)
	{
		*fl |= MA_ADDR_NO_DOMAIN;
		return;
	}
	if (raw[0] == '.' || raw[n - 1] == '.')
		*fl |= MA_ADDR_BAD_DOMAIN;
	for (size_t i = 0; i < n; i++)
	{
		unsigned char ch = raw[i];

		if (ch == '.' && i + 1 < n && raw[i + 1] == '.')
			*fl |= MA_ADDR_BAD_DOMAIN;

		if (ch < 0x20 || ch == 0x7f)
			ctl = true;
		sb_putc(&low, (char) (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch));
	}
	if (oom)
	{
		c->oom = true;
		free(low.data);
		return;
	}
	u = ma_utf8_check(raw, n);
	if (u > 0 && !ctl && !(*fl & MA_ADDR_BAD_DOMAIN))
	{
		size_t		label = 0;
		bool		huge = n > 1020;

		/* a label of more than 252 octets has more than 63 code points */
		for (size_t i = 0; i <= n && !huge; i++)
		{
			if (i == n || raw[i] == '.')
			{
				if (label > 252)
				{
					*fl |= MA_ADDR_LABEL_TOO_LONG;
					huge = true;
				}
				label = 0;
			}
			else
				label++;
		}
		if (n > 1020)
			*fl |= MA_ADDR_DOMAIN_TOO_LONG;
		if (!huge)
			m->domain = to_alabel(c, low.data, fl);
		if (m->domain)
		{
			size_t		dl = strlen(m->domain);

			/* mapped dots (U+3002, U+FF0E, ...) may leave an empty label */
			if (dl == 0 || m->domain[0] == '.' || m->domain[dl - 1] == '.' ||
				strstr(m->domain, "..") != NULL)
				*fl |= MA_ADDR_BAD_DOMAIN;
			check_lengths(m->domain, fl);
			m->domain_unicode = to_ulabel(c, m->domain, fl);
		}
	}
	else if (u == 0 && !ctl)
	{
		m->domain = xstrdup(c, low.data);
		if (m->domain)
		{
			check_lengths(m->domain, fl);
			if (!ctl && has_alabel(m->domain) && !(*fl & MA_ADDR_BAD_DOMAIN) &&
				strlen(m->domain) <= 255)
				m->domain_unicode = to_ulabel(c, m->domain, fl);
		}
	}
	if (m->domain == NULL)
	{
		m->domain = clean_copy(&c->oom, low.data, low.len, SAN_STRICT, false);
		/* lengths of what could not be converted, in octets */
		if (u <= 0 || (*fl & MA_ADDR_BAD_DOMAIN))
			check_lengths(low.data, fl);
	}
	if (m->domain_unicode == NULL && m->domain)
		m->domain_unicode = xstrdup(c, m->domain);
	free(low.data);
}

/* a domain literal: normalised when it is an IPv4 or IPv6 address */
static void
set_literal(pctx *c, ma_addr *m, const tok *t, uint32_t *fl)
{
	bool		oom = false;
	sbuf		raw = {NULL, 0, 0, &oom},
				out = {NULL, 0, 0, &c->oom};
	unsigned char bin[16];
	char		txt[64];
	bool		ok = false;

	*fl |= MA_ADDR_DOMAIN_LITERAL;
	put_content(c, t, &raw);
	if (oom)
	{
		c->oom = true;
		free(raw.data);
		return;
	}
	/* blanks removed (FWS inside a literal is allowed) */
	{
		size_t		o = 0;

		for (size_t i = 0; i < raw.len; i++)
			if (!is_wsp((unsigned char) raw.data[i]))
				raw.data[o++] = raw.data[i];
		raw.len = o;
		if (raw.data)
			raw.data[o] = '\0';
	}
	if (raw.len > 0 && raw.len < 60 && memchr(raw.data, 0, raw.len) == NULL)
	{
		if (strncasecmp(raw.data, "ipv6:", 5) == 0 &&
			inet_pton(AF_INET6, raw.data + 5, bin) == 1 &&
			inet_ntop(AF_INET6, bin, txt, sizeof(txt)) != NULL)
		{
			sb_puts(&out, "[ipv6:");
			sb_puts(&out, txt);
			sb_putc(&out, ']');
			ok = true;
		}
		else if (inet_pton(AF_INET, raw.data, bin) == 1 &&
				 inet_ntop(AF_INET, bin, txt, sizeof(txt)) != NULL)
		{
			sb_putc(&out, '[');
			sb_puts(&out, txt);
			sb_putc(&out, ']');
			ok = true;
		}
	}
	if (!ok)
	{
		*fl |= MA_ADDR_BAD_LITERAL;
		sb_putc(&out, '[');
		for (size_t i = 0; i < raw.len; i++)
		{
			unsigned char ch = (unsigned char) raw.data[i];

			sb_putc(&out, (char) (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch));
		}
		sb_putc(&out, ']');
	}
	free(raw.data);
	if (c->oom)
	{
		free(out.data);
		return;
	}
	m->domain = clean_copy(&c->oom, out.data ? out.data : "", out.len, SAN_STRICT, false);
	m->domain_unicode = m->domain ? xstrdup(c, m->domain) : NULL;
	free(out.data);
}

static ma_addr *
new_mailbox(pctx *c)
{
	ma_addr_list *l = c->out;

	if (l->n == l->cap)
	{
		int			ncap = l->cap ? l->cap * 2 : 8;
		ma_addr    *n = realloc(l->items, (size_t) ncap * sizeof(ma_addr));

		if (!n)
		{
			c->oom = true;
			return NULL;
		}
		l->items = n;
		l->cap = ncap;
	}
	memset(&l->items[l->n], 0, sizeof(ma_addr));
	return &l->items[l->n++];
}

static size_t
find_sp(const tok *t, size_t a, size_t b, char ch)
{
	for (size_t k = a; k < b; k++)
		if (is_sp(&t[k], ch))
			return k;
	return b;
}

/*
 * One mailbox out of tokens [0, n) (at least one is not a comment), with
 * the element's flags and the enclosing group's name.
 */
static void
mailbox(pctx *c, const tok *t, size_t n, uint32_t eflags, const char *group)
{
	ma_addr    *m;
	uint32_t	fl = eflags | token_flags(c, t, 0, n);
	size_t		lt = find_sp(t, 0, n, '<'),
				ph_e = 0,		/* phrase: [0, ph_e) */
				loc_s = 0,
				loc_e = 0,
				at = n,
				addr_s = 0,		/* the address: [addr_s, addr_e) */
				addr_e = 0;
	bool		have_at = false;
	sbuf		buf = {NULL, 0, 0, &c->oom};
	sbuf		raw = {NULL, 0, 0, &c->oom};
	const tok  *literal = NULL;

	if ((m = new_mailbox(c)) == NULL)
		return;
	/* a ':' ahead of any '<' and '@': a group inside a group */
	for (size_t k = 0; k < n && !is_sp(&t[k], '<') && !is_sp(&t[k], '@'); k++)
		if (is_sp(&t[k], ':'))
			fl |= MA_ADDR_SYNTAX;

	if (lt < n)
	{
		/* name-addr: phrase < [route:] addr-spec > */
		size_t		gt = find_sp(t, lt + 1, n, '>'),
					is = lt + 1,
					k;

		ph_e = lt;
		addr_s = lt;
		addr_e = gt < n ? gt + 1 : n;
		if (gt == n)
			fl |= MA_ADDR_UNTERM_ANGLE;
		k = skip_comments(t, is, gt);
		if (k < gt && is_sp(&t[k], '@'))
		{
			size_t		colon = find_sp(t, k, gt, ':');

			if (colon < gt)
			{
				fl |= MA_ADDR_ROUTE | MA_ADDR_OBSOLETE;
				for (size_t r = k; r < colon; r++)
					if (!(t[r].type == T_ATOM || t[r].type == T_DLIT || t[r].type == T_COMMENT ||
						  is_sp(&t[r], '@') || is_sp(&t[r], '.') || is_sp(&t[r], ',')))
						fl |= MA_ADDR_SYNTAX;
				is = colon + 1;
			}
		}
		at = find_sp(t, is, gt, '@');
		loc_s = is;
		loc_e = at < gt ? at : gt;
		if (at < gt)
		{
			size_t		de;

			have_at = true;
			de = domain_tokens(c, t, at + 1, gt, &raw, &literal, &fl);
			if (!only_comments(t, de, gt))
				fl |= MA_ADDR_SYNTAX;
		}
		if (gt < n && !only_comments(t, gt + 1, n))
			fl |= MA_ADDR_TRAILING_JUNK;
	}
	else
	{
		at = find_sp(t, 0, n, '@');
		if (at < n)
		{
			size_t		de;

			have_at = true;
			loc_s = run_start(t, 0, at);
			loc_e = at;
			ph_e = loc_s;
			de = domain_tokens(c, t, at + 1, n, &raw, &literal, &fl);
			addr_s = loc_s;
			addr_e = de;
			if (!only_comments(t, de, n))
				fl |= MA_ADDR_TRAILING_JUNK;
			if (!only_comments(t, 0, ph_e))
				fl |= MA_ADDR_NO_ANGLE;
		}
		else
		{
			/* no '@': one run of words is a local part, else a name */
			size_t		first = skip_comments(t, 0, n),
						last = n;

			while (last > 0 && t[last - 1].type == T_COMMENT)
				last--;
			loc_s = run_start(t, 0, last);
			if (loc_s <= first)
			{
				loc_e = last;
				addr_s = loc_s;
				addr_e = last;
			}
			else
			{
				ph_e = n;
				loc_s = loc_e = addr_s = addr_e = 0;
			}
		}
	}

	/* local part */
	local_part(c, t, loc_s, loc_e, &buf, &fl);
	m->local_part = clean_copy(&c->oom, buf.data ? buf.data : "", buf.len, SAN_STRICT, false);
	if (m->local_part && strlen(m->local_part) > 64)
		fl |= MA_ADDR_LOCAL_TOO_LONG;
	sb_reset(&buf);

	/* domain */
	if (literal)
		set_literal(c, m, literal, &fl);
	else if (have_at)
		set_domain(c, m, (const unsigned char *) (raw.data ? raw.data : ""), raw.len, &fl);
	else
		fl |= MA_ADDR_NO_DOMAIN;

	/* display name: the phrase, else the first comment outside the address */
	if (ph_e > 0 && !only_comments(t, 0, ph_e))
	{
		phrase_text(c, t, 0, ph_e, &buf, &fl);
		m->display_name = display_text(c, (const unsigned char *) (buf.data ? buf.data : ""),
									   buf.len, &fl);
		sb_reset(&buf);
	}
	if (m->display_name == NULL)
	{
		for (size_t k = 0; k < n; k++)
		{
			if (t[k].type != T_COMMENT || (k >= addr_s && k < addr_e))
				continue;
			put_content(c, &t[k], &buf);
			m->display_name = display_text(c, (const unsigned char *) (buf.data ? buf.data : ""),
										   buf.len, &fl);
			sb_reset(&buf);
			if (m->display_name)
			{
				fl |= MA_ADDR_COMMENT_NAME;
				break;
			}
		}
	}

	/* addr-spec */
	if (m->local_part)
	{
		sb_puts(&buf, m->local_part);
		if (m->domain)
		{
			sb_putc(&buf, '@');
			sb_puts(&buf, m->domain);
		}
		m->addr_spec = sb_take(&buf);
	}
	if (group)
	{
		fl |= MA_ADDR_GROUP;
		m->group = xstrdup(c, group);
	}
	m->flags = fl;
	m->valid = !(fl & MA_ADDR_INVALID_MASK);
	free(buf.data);
	free(raw.data);
}

static void
free_mailbox(ma_addr *a)
{
	free(a->display_name);
	free(a->local_part);
	free(a->domain);
	free(a->domain_unicode);
	free(a->addr_spec);
	free(a->group);
	memset(a, 0, sizeof(*a));
}

void
ma_addr_list_free(ma_addr_list *list)
{
	if (!list)
		return;
	for (int i = 0; i < list->n; i++)
		free_mailbox(&list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

void
ma_addr_free(ma_addr *a)
{
	if (a)
		free_mailbox(a);
}

int
ma_addr_parse_list(const char *s, size_t len, ma_addr_list *out)
{
	pctx		c;
	bool		in_group = false,
				after_group = false;
	char	   *gname = NULL;
	int			nelem = 0;
	ma_addr_list *l = out;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.s = (const unsigned char *) (s ? s : "");
	c.len = s ? len : 0;
	c.lx.s = c.s;
	c.lx.len = c.len;
	c.out = out;

	for (;;)
	{
		char		term;
		uint32_t	efl = collect(&c, &term);
		size_t		ms = 0;		/* the member's tokens: [ms, ntok) */
		bool		started = false;

		if (c.oom)
			break;
		nelem++;
		if (!in_group)
		{
			for (size_t k = 0; k < c.ntok; k++)
			{
				if (is_sp(&c.toks[k], '<') || is_sp(&c.toks[k], '@'))
					break;
				if (is_sp(&c.toks[k], ':'))
				{
					sbuf		b = {NULL, 0, 0, &c.oom};
					uint32_t	gfl = 0;

					/* group: display-name ":" [group-list] ";" */
					l->flags |= token_flags(&c, c.toks, 0, k) & ~MA_ADDR_UTF8;
					if (!phrase_text(&c, c.toks, 0, k, &b, &gfl) || only_comments(c.toks, 0, k))
						l->flags |= MA_ADDR_SYNTAX;
					if (gfl & MA_ADDR_INVALID_CHAR)
						l->flags |= MA_ADDR_SYNTAX;
					gname = display_text(&c, (const unsigned char *) (b.data ? b.data : ""),
										 b.len, &gfl);
					free(b.data);
					if (!gname)
						gname = xstrdup(&c, "");
					in_group = true;
					started = true;
					l->ngroups++;
					ms = k + 1;
					break;
				}
			}
		}
		if (!only_comments(c.toks, ms, c.ntok))
		{
			if (after_group)
				l->flags |= MA_ADDR_SYNTAX;
			if (l->n >= MA_ADDR_MAX_MAILBOXES)
			{
				l->flags |= MA_ADDR_TOO_MANY;
				break;
			}
			mailbox(&c, c.toks + ms, c.ntok - ms, efl, in_group ? gname : NULL);
		}
		else
		{
			/* an empty element (comments only): where is it allowed? */
			l->flags |= (efl | token_flags(&c, c.toks, ms, c.ntok)) & ~MA_ADDR_UTF8;
			if (started)
			{
				if (term == ',')
					l->flags |= MA_ADDR_OBSOLETE;	/* "g: , a@x;" */
			}
			else if (after_group)
				;				/* the ',' after "g:;" */
			else if (!(nelem == 1 && term == 0))
				l->flags |= MA_ADDR_OBSOLETE;	/* obs-mbox-list */
		}
		after_group = false;
		if (term == ';')
		{
			if (in_group)
			{
				in_group = false;
				after_group = true;
				free(gname);
				gname = NULL;
			}
			else
				l->flags |= MA_ADDR_SYNTAX;
		}
		if (term == 0 || c.oom)
		{
			if (in_group)
				l->flags |= MA_ADDR_UNTERM_GROUP;
			break;
		}
	}
	free(gname);
	free(c.toks);
	if (c.oom)
	{
		ma_addr_list_free(out);
		return -1;
	}
	if (l->n == 0 && l->ngroups == 0)
		l->flags |= MA_ADDR_EMPTY;
	l->all_flags = l->flags;
	for (int i = 0; i < l->n; i++)
		l->all_flags |= l->items[i].flags;
	l->valid = !(l->all_flags & MA_ADDR_INVALID_MASK);
	return 0;
}

int
ma_addr_parse_one(const char *s, size_t len, ma_addr *out)
{
	ma_addr_list l;

	memset(out, 0, sizeof(*out));
	if (ma_addr_parse_list(s, len, &l) < 0)
		return -1;
	if (l.n > 0)
	{
		*out = l.items[0];
		memset(&l.items[0], 0, sizeof(ma_addr));
	}
	else
	{
		out->local_part = strdup("");
		out->addr_spec = strdup("");
		if (!out->local_part || !out->addr_spec)
		{
			ma_addr_free(out);
			ma_addr_list_free(&l);
			return -1;
		}
	}
	out->flags |= l.flags;
	if (l.n != 1 || l.ngroups > 0)
		out->flags |= MA_ADDR_NOT_SINGLE;
	out->valid = !(out->flags & MA_ADDR_INVALID_MASK);
	ma_addr_list_free(&l);
	return 0;
}

/* ---------------------------------------------------------------------
 * Flag codes
 * ---------------------------------------------------------------------
 */
static const char *const FLAG_NAMES[MA_ADDR_NFLAGS] = {
	"obsolete_syntax", "obsolete_route", "group", "domain_literal", "utf8",
	"bad_encoded_word", "comment_as_name", "too_many_mailboxes",
	"missing_angle_brackets", "invalid_char", "empty_local_part", "no_domain",
	"bad_local_part", "bad_domain", "bad_domain_literal", "local_part_too_long",
	"domain_too_long", "label_too_long", "bad_idn", "invalid_utf8", "nul_byte",
	"unterminated_quote", "unterminated_comment", "unterminated_angle",
	"unterminated_literal", "unterminated_group", "trailing_junk", "syntax_error",
	"empty", "not_single"
};

const char *
ma_addr_flag_name(uint32_t bit)
{
	for (int i = 0; i < MA_ADDR_NFLAGS; i++)
		if (bit == (1u << i))
			return FLAG_NAMES[i];
	return NULL;
}

int
ma_addr_flags_str(uint32_t flags, const char *sep, char *buf, size_t buflen)
{
	size_t		o = 0;
	int			n = 0;

	if (buflen == 0)
		return 0;
	buf[0] = '\0';
	for (int i = 0; i < MA_ADDR_NFLAGS; i++)
	{
		if (!(flags & (1u << i)))
			continue;
		o += snprintf(buf + (o < buflen ? o : buflen - 1), o < buflen ? buflen - o : 1,
					  "%s%s", n ? sep : "", FLAG_NAMES[i]);
		n++;
	}
	return n;
}
