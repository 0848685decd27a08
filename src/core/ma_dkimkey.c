/*-------------------------------------------------------------------------
 *
 * ma_dkimkey.c
 *	  Look up and lint a published DKIM key record.
 *
 * The tag-list is parsed as RFC 6376 3.2 writes it: tag-specs separated by
 * ';' (one trailing ';' allowed), whitespace around names and values, tag
 * names ALPHA *(ALPHA / DIGIT / "_"), values of VALCHARs with whitespace
 * between them; duplicate tags make the whole list invalid, unknown tags
 * are ignored.  The key in p= (whitespace removed, strict base64) is a
 * SubjectPublicKeyInfo or a bare RSAPublicKey for k=rsa, 32 raw octets for
 * k=ed25519 (RFC 8463).  Work is bounded by the record's length: duplicate
 * tags are found by sorting, p= is decoded only up to MA_DKIM_KEY_MAX_P.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_dkimkey.h"
#include "ma_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

typedef struct tag
{
	const char *name;
	size_t		nlen;
	const char *val;			/* trimmed */
	size_t		vlen;
	int			index;
} tag;

static void problem(ma_dkim_key *k, const char *severity, const char *code,
					const char *fmt,...) __attribute__((format(printf, 4, 5)));

static void
problem(ma_dkim_key *k, const char *severity, const char *code, const char *fmt,...)
{
	char		buf[600];
	va_list		ap;

	if (k->oom || k->nproblems >= MA_DKIM_KEY_MAX_PROBLEMS)
		return;
	if (k->nproblems == k->cap_problems)
	{
		int			ncap = k->cap_problems ? k->cap_problems * 2 : 8;
		ma_dkim_key_problem *n = realloc(k->problems, ncap * sizeof(*n));

		if (!n)
		{
			k->oom = true;
			return;
		}
		k->problems = n;
		k->cap_problems = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	ma_utf8_cut(buf);
	va_end(ap);
	k->problems[k->nproblems].severity = severity;
	k->problems[k->nproblems].code = code;
	k->problems[k->nproblems].detail = strdup(buf);
	if (!k->problems[k->nproblems].detail)
	{
		k->oom = true;
		return;
	}
	k->nproblems++;
}

static char *
memdup_str(ma_dkim_key *k, const char *s, size_t len)
{
	char	   *d = malloc(len + 1);

	if (!d)
	{
		k->oom = true;
		return NULL;
	}
	for (size_t i = 0; i < len; i++)
		d[i] = s[i] ? s[i] : '?';
	d[len] = '\0';
	return d;
}

/* a printable excerpt of at most 40 bytes, for details */
static const char *
excerpt(const char *s, size_t len, char *buf, size_t buflen)
{
	size_t		n = 0;

	for (size_t i = 0; i < len && n + 4 < buflen; i++)
	{
		if (n >= 40)
		{
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		buf[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	}
	buf[n] = '\0';
	return buf;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_valchar(char c)
{
	unsigned char u = (unsigned char) c;

	return u >= 0x21 && u <= 0x7e && u != ';';
}

static bool
tag_is(const tag *t, const char *name)
{
	return t->nlen == strlen(name) && memcmp(t->name, name, t->nlen) == 0;
}

static bool
val_is(const char *v, size_t len, const char *word)
{
	return len == strlen(word) && strncasecmp(v, word, len) == 0;
}

static int
tag_cmp(const void *a, const void *b)
{
	const tag  *x = *(const tag *const *) a;
	const tag  *y = *(const tag *const *) b;
	size_t		n = x->nlen < y->nlen ? x->nlen : y->nlen;
	int			c = memcmp(x->name, y->name, n);

	if (c)
		return c;
	if (x->nlen != y->nlen)
		return x->nlen < y->nlen ? -1 : 1;
	return x->index - y->index;
}

/*
 * Split a colon-separated list value into a malloc()ed array of strings.
 * Returns false (and a syntax_error) on an empty element.
 */
static bool
split_list(ma_dkim_key *k, const char *tagname, const char *v, size_t len,
		   char ***items, int *nitems)
{
	size_t		pos = 0;
	int			n = 1;
	char	  **arr;
	bool		good = true;

	for (size_t i = 0; i < len; i++)
		if (v[i] == ':')
			n++;
	arr = calloc(n, sizeof(char *));
	if (!arr)
	{
		k->oom = true;
		return false;
	}
	*items = arr;
	*nitems = 0;
	while (pos <= len)
	{
		size_t		end = pos;
		size_t		s,
					e;

		while (end < len && v[end] != ':')
			end++;
		s = pos;
		e = end;
		while (s < e && is_ws(v[s]))
			s++;
		while (e > s && is_ws(v[e - 1]))
			e--;
		if (s == e)
		{
			if (good)
				problem(k, "error", "syntax_error",
						"%s= has an empty element: the list is \"a:b\", with no empty items",
						tagname);
			good = false;
		}
		else
		{
			for (size_t i = s; i < e; i++)
				if (is_ws(v[i]))
				{
					char		ex[64];

					if (good)
						problem(k, "error", "syntax_error",
								"%s= element \"%s\" holds whitespace", tagname,
								excerpt(v + s, e - s, ex, sizeof(ex)));
					good = false;
					break;
				}
			arr[*nitems] = memdup_str(k, v + s, e - s);
			if (!arr[*nitems])
				return false;
			(*nitems)++;
		}
		pos = end + 1;
	}
	return good;
}

static bool
set_default_list(ma_dkim_key *k, char ***items, int *nitems, const char *a, const char *b)
{
	int			n = b ? 2 : 1;

	*items = calloc(n, sizeof(char *));
	if (!*items)
		return !(k->oom = true);
	(*items)[0] = strdup(a);
	if (!(*items)[0])
		return !(k->oom = true);
	*nitems = 1;
	if (b)
	{
		(*items)[1] = strdup(b);
		if (!(*items)[1])
			return !(k->oom = true);
		*nitems = 2;
	}
	return true;
}

/*
 * Strict base64 of s (no whitespace, length a multiple of 4, '=' only as
 * the final padding).  Returns the decoded length, -1 when malformed; out
 * has room for len / 4 * 3 bytes.
 */
static long
b64decode(const char *s, size_t len, unsigned char *out, const char **why)
{
	size_t		o = 0;

	if (len % 4 != 0)
	{
		*why = "its length is not a multiple of 4";
		return -1;
	}
	for (size_t i = 0; i < len; i += 4)
	{
		int			v[4];
		int			pad = 0;

		for (int j = 0; j < 4; j++)
		{
			unsigned char c = (unsigned char) s[i + j];

			if (c == '=')
			{
				if (i + 4 != len || j < 2)
				{
					*why = "'=' padding stands before the end";
					return -1;
				}
				pad++;
				v[j] = 0;
				continue;
			}
			if (pad)
			{
				*why = "'=' padding stands before the end";
				return -1;
			}
			v[j] = ma_b64val(c);
			if (v[j] < 0)
			{
				*why = "it holds a character outside the base64 alphabet";
				return -1;
			}
		}
		out[o++] = (unsigned char) ((v[0] << 2) | (v[1] >> 4));
		if (pad < 2)
			out[o++] = (unsigned char) ((v[1] << 4) | (v[2] >> 2));
		if (pad < 1)
			out[o++] = (unsigned char) ((v[2] << 6) | v[3]);
	}
	return (long) o;
}

/* decode and measure the key of p=; value is the trimmed p= text */
static void
check_key(ma_dkim_key *k, bool ed25519, const char *v, size_t vlen)
{
	char	   *clean;
	unsigned char *der;
	size_t		n = 0;
	long		dlen;
	const char *why = NULL;

	for (size_t i = 0; i < vlen; i++)
		if (!is_ws(v[i]))
			n++;
	if (n == 0)
	{
		k->revoked = true;
		problem(k, "error", "revoked",
				"p= is empty: the key has been revoked, and signatures made with it fail");
		return;
	}
	if (n > MA_DKIM_KEY_MAX_P)
	{
		problem(k, "error", "bad_key",
				"p= holds %zu base64 characters, far more than any real key", n);
		return;
	}
	clean = malloc(n + 1);
	der = malloc(n / 4 * 3 + 3);
	if (!clean || !der)
	{
		free(clean);
		free(der);
		k->oom = true;
		return;
	}
	n = 0;
	for (size_t i = 0; i < vlen; i++)
		if (!is_ws(v[i]))
			clean[n++] = v[i];
	clean[n] = '\0';
	dlen = b64decode(clean, n, der, &why);
	if (dlen < 0)
		problem(k, "error", "bad_key", "p= is not valid base64: %s", why);
	else if (ed25519)
	{
		if (dlen != 32)
			problem(k, "error", "bad_key",
					"p= decodes to %ld bytes, but an Ed25519 key (RFC 8463) is exactly 32 raw bytes",
					dlen);
		else
			k->key_bits = 256;
	}
	else
	{
		const unsigned char *p = der;
		EVP_PKEY   *pk = d2i_PUBKEY(NULL, &p, dlen);

		if (pk && p != der + dlen)
		{
			EVP_PKEY_free(pk);
			pk = NULL;
			why = "trailing bytes follow the key";
		}
		if (pk && EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA)
		{
			problem(k, "error", "bad_key",
					"p= holds a %s key, but k= says rsa",
					EVP_PKEY_get_base_id(pk) == EVP_PKEY_ED25519 ? "Ed25519" : "non-RSA");
			EVP_PKEY_free(pk);
			ERR_clear_error();
			goto done;
		}
		if (!pk)
		{
			/* a bare PKCS#1 RSAPublicKey, as some publish */
			p = der;
			pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, dlen);
			if (pk && p != der + dlen)
			{
				EVP_PKEY_free(pk);
				pk = NULL;
				why = "trailing bytes follow the key";
			}
		}
		ERR_clear_error();
		if (!pk)
			problem(k, "error", "bad_key",
					"p= is base64, but not a parsable RSA public key%s%s",
					why ? ": " : "", why ? why : "");
		else
		{
			k->key_bits = EVP_PKEY_get_bits(pk);
			EVP_PKEY_free(pk);
			if (k->key_bits < 1024)
				problem(k, "error", "weak_key",
						"the RSA key has %d bits: receivers must not accept keys shorter than 1024 bits (RFC 8301)",
						k->key_bits);
			else if (k->key_bits < 2048)
				problem(k, "warning", "weak_key",
						"the RSA key has %d bits: consider 2048 bits (RFC 8301 recommends at least 2048 for signers)",
						k->key_bits);
		}
	}
done:
	free(clean);
	free(der);
}

static void
set_status(ma_dkim_key *k)
{
	k->status = "ok";
	for (int i = 0; i < k->nproblems; i++)
		if (strcmp(k->problems[i].severity, "error") == 0)
			k->status = "invalid";
	if (k->oom)
		k->status = "temperror";
}

/* the tag-list, interpreted; the record itself is already stored */
static void
parse_record(ma_dkim_key *k, const char *txt, size_t len)
{
	tag		   *tags = NULL;
	tag		  **sorted = NULL;
	int			ntags = 0,
				maxtags = 1;
	size_t		pos = 0;
	bool		syntax = false;
	const tag  *tv = NULL,
			   *tp = NULL,
			   *tk = NULL,
			   *th = NULL,
			   *ts = NULL,
			   *tt = NULL,
			   *tn = NULL;
	char		ex[64];
	bool		ed25519 = false;
	bool		known_type = true;

	for (size_t i = 0; i < len; i++)
		if (txt[i] == ';')
			maxtags++;
	tags = calloc(maxtags, sizeof(tag));
	sorted = calloc(maxtags, sizeof(tag *));
	if (!tags || !sorted)
	{
		k->oom = true;
		goto out;
	}

	/* the tag-specs */
	for (int idx = 0; pos <= len; idx++)
	{
		size_t		end = pos,
					s,
					e,
					q;
		tag		   *t;

		while (end < len && txt[end] != ';')
			end++;
		s = pos;
		e = end;
		pos = end + 1;
		while (s < e && is_ws(txt[s]))
			s++;
		while (e > s && is_ws(txt[e - 1]))
			e--;
		if (s == e)
		{
			if (end == len && idx > 0)
				break;			/* one trailing ';' */
			problem(k, "error", "syntax_error",
					idx == 0 && end == len ? "the record is empty"
					: "tag %d is empty: tags are separated by exactly one ';'",
					idx + 1);
			syntax = true;
			continue;
		}
		if (!is_alpha(txt[s]))
		{
			problem(k, "error", "syntax_error",
					"tag %d \"%s\" does not start with a letter", idx + 1,
					excerpt(txt + s, e - s, ex, sizeof(ex)));
			syntax = true;
			continue;
		}
		q = s + 1;
		while (q < e && (is_alpha(txt[q]) || (txt[q] >= '0' && txt[q] <= '9') || txt[q] == '_'))
			q++;
		t = &tags[ntags];
		t->name = txt + s;
		t->nlen = q - s;
		t->index = idx;
		while (q < e && is_ws(txt[q]))
			q++;
		if (q >= e || txt[q] != '=')
		{
			problem(k, "error", "syntax_error",
					"tag %d \"%s\" is not name=value", idx + 1,
					excerpt(txt + s, e - s, ex, sizeof(ex)));
			syntax = true;
			continue;
		}
		q++;
		while (q < e && is_ws(txt[q]))
			q++;
		t->val = txt + q;
		t->vlen = e - q;
		{
			bool		bad = false;

			for (size_t i = q; i < e; i++)
				if (!is_valchar(txt[i]) && !is_ws(txt[i]))
				{
					problem(k, "error", "syntax_error",
							"the value of tag %d \"%.*s\" holds %s byte 0x%02x",
							idx + 1, (int) (t->nlen > 20 ? 20 : t->nlen), t->name,
							txt[i] == '\0' ? "a NUL" : "a forbidden",
							(unsigned char) txt[i]);
					bad = true;
					syntax = true;
					break;
				}
			if (bad)
				continue;
		}
		sorted[ntags] = t;
		ntags++;
	}

	/* duplicates make the whole tag-list invalid (RFC 6376 3.2) */
	qsort(sorted, ntags, sizeof(tag *), tag_cmp);
	for (int i = 1; i < ntags; i++)
		if (sorted[i]->nlen == sorted[i - 1]->nlen &&
			memcmp(sorted[i]->name, sorted[i - 1]->name, sorted[i]->nlen) == 0 &&
			(i < 2 || sorted[i - 1]->nlen != sorted[i - 2]->nlen ||
			 memcmp(sorted[i - 1]->name, sorted[i - 2]->name, sorted[i]->nlen) != 0))
		{
			problem(k, "error", "syntax_error",
					"tag \"%s\" appears more than once, which invalidates the whole record",
					excerpt(sorted[i]->name, sorted[i]->nlen, ex, sizeof(ex)));
			syntax = true;
		}

	for (int i = 0; i < ntags; i++)
	{
		const tag  *t = &tags[i];
		const tag **slot = NULL;

		if (!t->name)
			continue;
		if (tag_is(t, "v"))
			slot = &tv;
		else if (tag_is(t, "p"))
			slot = &tp;
		else if (tag_is(t, "k"))
			slot = &tk;
		else if (tag_is(t, "h"))
			slot = &th;
		else if (tag_is(t, "s"))
			slot = &ts;
		else if (tag_is(t, "t"))
			slot = &tt;
		else if (tag_is(t, "n"))
			slot = &tn;
		if (slot && !*slot)
			*slot = t;
	}

	if (tv)
	{
		k->version = memdup_str(k, tv->val, tv->vlen);
		if (tv->index != 0)
			problem(k, "error", "syntax_error",
					"v= must be the first tag of the record when present");
		if (!(tv->vlen == 5 && memcmp(tv->val, "DKIM1", 5) == 0))
			problem(k, "error", "syntax_error", "v= is \"%s\", but must be \"DKIM1\"",
					excerpt(tv->val, tv->vlen, ex, sizeof(ex)));
	}
	if (tn)
		k->notes = memdup_str(k, tn->val, tn->vlen);

	if (tk)
	{
		k->key_type = memdup_str(k, tk->val, tk->vlen);
		if (val_is(tk->val, tk->vlen, "ed25519"))
			ed25519 = true;
		else if (!val_is(tk->val, tk->vlen, "rsa"))
		{
			problem(k, "error", "syntax_error",
					"k=%s is not a known key type (rsa, ed25519)",
					excerpt(tk->val, tk->vlen, ex, sizeof(ex)));
			known_type = false; /* do not decode a key of unknown type */
			syntax = true;
		}
	}
	else
		k->key_type = strdup("rsa");
	if (!k->key_type)
		k->oom = true;

	if (th)
	{
		if (split_list(k, "h", th->val, th->vlen, &k->hash_algorithms, &k->nhash_algorithms))
		{
			bool		sha1 = false,
						sha256 = false;

			for (int i = 0; i < k->nhash_algorithms; i++)
			{
				if (strcasecmp(k->hash_algorithms[i], "sha1") == 0)
					sha1 = true;
				else if (strcasecmp(k->hash_algorithms[i], "sha256") == 0)
					sha256 = true;
			}
			if (sha1 && !sha256)
				problem(k, "error", "sha1_only",
						"h= allows only sha1, which verifiers must not accept (RFC 8301): add sha256 or drop h=");
			else if (!sha256)
				problem(k, "error", "syntax_error",
						"h= lists no hash algorithm a verifier knows (sha256)");
		}
	}
	else
		set_default_list(k, &k->hash_algorithms, &k->nhash_algorithms, "sha1", "sha256");

	if (ts)
	{
		if (split_list(k, "s", ts->val, ts->vlen, &k->service_types, &k->nservice_types))
		{
			bool		email = false;

			for (int i = 0; i < k->nservice_types; i++)
				if (strcmp(k->service_types[i], "*") == 0 ||
					strcasecmp(k->service_types[i], "email") == 0)
					email = true;
			if (!email)
				problem(k, "error", "not_email",
						"s= lists neither \"email\" nor \"*\": verifiers must not use this key for mail");
		}
	}
	else
		set_default_list(k, &k->service_types, &k->nservice_types, "*", NULL);

	if (tt)
	{
		if (split_list(k, "t", tt->val, tt->vlen, &k->flags, &k->nflags))
			for (int i = 0; i < k->nflags; i++)
				if (strcasecmp(k->flags[i], "y") == 0)
					k->testing = true;
		if (k->testing)
			problem(k, "warning", "testing",
					"t=y is set: the domain is testing DKIM, and verifiers may treat its signatures as unsigned; remove it once the key works");
	}

	if (!tp)
	{
		if (!syntax || ntags > 0)
			problem(k, "error", "syntax_error", "the record has no p= tag (the public key)");
	}
	else if (known_type)
		check_key(k, ed25519, tp->val, tp->vlen);

out:
	free(tags);
	free(sorted);
}

int
ma_dkim_key_parse(const char *txt, size_t len, ma_dkim_key *out)
{
	memset(out, 0, sizeof(*out));
	if (!txt)
	{
		txt = "";
		len = 0;
	}
	out->record = memdup_str(out, txt, len);
	if (out->record)
		parse_record(out, txt, len);
	set_status(out);
	return out->oom ? -1 : 0;
}

static void
free_list(char **l, int n)
{
	if (!l)
		return;
	for (int i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void
ma_dkim_key_free(ma_dkim_key *out)
{
	if (!out)
		return;
	free(out->record);
	free(out->key_type);
	/* a failed split may leave counted items only; free what is there */
	free_list(out->hash_algorithms, out->nhash_algorithms);
	free_list(out->service_types, out->nservice_types);
	free_list(out->flags, out->nflags);
	free(out->version);
	free(out->notes);
	for (int i = 0; i < out->nproblems; i++)
		free(out->problems[i].detail);
	free(out->problems);
	memset(out, 0, sizeof(*out));
}

bool
ma_dkim_key_has_problem(const ma_dkim_key *k, const char *code)
{
	for (int i = 0; i < k->nproblems; i++)
		if (strcmp(k->problems[i].code, code) == 0)
			return true;
	return false;
}

/* does this TXT string look like a key record: v=DKIM1 first, or a p= or k= tag? */
static bool
looks_like_key(const char *txt, size_t len)
{
	size_t		pos = 0;

	while (pos < len)
	{
		size_t		s = pos;

		while (s < len && is_ws(txt[s]))
			s++;
		if (pos == 0 && len - s >= 7 && memcmp(txt + s, "v=DKIM1", 7) == 0)
			return true;
		if (s < len && (txt[s] == 'p' || txt[s] == 'k'))
		{
			size_t		q = s + 1;

			while (q < len && is_ws(txt[q]))
				q++;
			if (q < len && txt[q] == '=')
				return true;
		}
		while (pos < len && txt[pos] != ';')
			pos++;
		pos++;
	}
	return false;
}

int
ma_dkim_key_lookup(const char *selector, const char *domain,
				   ma_spf_lookup_fn lookup, void *arg, ma_dkim_key *out)
{
	char		raw[2 * (MA_DNS_MAXNAME + 1) + 16];
	char		name[MA_DNS_MAXNAME + 1];
	const char *err;
	const ma_dns_result *r;
	int			ntxt = 0;
	int			chosen = -1;

	memset(out, 0, sizeof(*out));
	if (!selector || !domain || !*selector || !*domain ||
		strlen(selector) > MA_DNS_MAXNAME || strlen(domain) > MA_DNS_MAXNAME)
		err = "the selector or the domain is empty or too long";
	else
	{
		snprintf(raw, sizeof(raw), "%s._domainkey.%s", selector, domain);
		err = ma_dns_name_check(raw, name);
	}
	if (err)
	{
		problem(out, "error", "syntax_error",
				"%s._domainkey.%s is not a valid DNS name: %s",
				selector ? selector : "", domain ? domain : "", err);
		set_status(out);
		return 0;
	}

	r = lookup(arg, name, MA_T_TXT);
	if (!r)
	{
		out->pending = true;
		return 1;
	}
	if (r->status == MA_DNS_NXDOMAIN || r->status == MA_DNS_NODATA)
	{
		problem(out, "error", "no_record", "%s has no TXT record (%s): no key is published",
				name, ma_dns_status_name(r->status));
		out->status = out->oom ? "temperror" : "none";
		return 0;
	}
	if (r->status != MA_DNS_OK)
	{
		problem(out, "error", "dns_error", "the TXT lookup of %s failed: %s%s%s",
				name, ma_dns_status_name(r->status),
				r->detail ? ", " : "", r->detail ? r->detail : "");
		out->status = "temperror";
		return 0;
	}
	for (int i = 0; i < r->nrr; i++)
	{
		if (r->rr[i].type != MA_T_TXT || !r->rr[i].data)
			continue;
		ntxt++;
		if (chosen < 0 && looks_like_key(r->rr[i].data, r->rr[i].datalen))
			chosen = i;
	}
	if (chosen < 0)
	{
		if (ntxt == 0)
			problem(out, "error", "no_record", "%s has no TXT record: no key is published", name);
		else
			problem(out, "error", "no_record",
					"%s has %d TXT record%s, but none looks like a DKIM key (no v=DKIM1, p= or k=)",
					name, ntxt, ntxt == 1 ? "" : "s");
		out->status = out->oom ? "temperror" : "none";
		return 0;
	}
	if (ma_dkim_key_parse(r->rr[chosen].data, r->rr[chosen].datalen, out) < 0)
		return 0;
	if (ntxt > 1)
	{
		problem(out, "warning", "several_records",
				"%s has %d TXT records: a selector must have exactly one, otherwise the result is undefined (RFC 6376 3.6.2.2); the first key-looking one was used",
				name, ntxt);
		set_status(out);
	}
	return 0;
}
