/*-------------------------------------------------------------------------
 *
 * test_dkimkey.c
 *	  Unit tests of the DKIM key linter (src/core/ma_dkimkey.c): keys are
 *	  generated at test time with OpenSSL (RSA 512/1024/2048, Ed25519) and
 *	  records built from them; every problem code; hostile input (10 KB
 *	  records, NUL bytes, broken base64, 1,000 tags, a 100 KB p=); the
 *	  pending semantics of the waves DNS model with a fake zone.
 *
 * Output is TAP: "ok N - ...", "not ok N - ...", then the plan "1..N".  The
 * exit status is 0 only when every assertion passed.
 *
 * Build and run:
 *	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc -o test/unit/test_dkimkey \
 *		test/unit/test_dkimkey.c src/core/ma_dkimkey.c src/core/ma_dns.c \
 *		src/core/ma_dnswire.c src/core/ma_dnscache.c \
 *		$(pkg-config --libs libcrypto libcares)
 *	test/unit/test_dkimkey
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include "core/ma_dkimkey.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

static int	ntests = 0;
static int	nfailed = 0;

static bool check(bool ok, int line, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static bool
check(bool ok, int line, const char *fmt,...)
{
	va_list		ap;

	ntests++;
	if (!ok)
		nfailed++;
	printf("%sok %d - ", ok ? "" : "not ", ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		printf("#   Failed test at line %d.\n", line);
	return ok;
}

#define OK(cond, ...) check((cond), __LINE__, __VA_ARGS__)

static void
dump(const ma_dkim_key *k)
{
	printf("#   status=%s bits=%d type=%s\n", k->status ? k->status : "(null)",
		   k->key_bits, k->key_type ? k->key_type : "(null)");
	for (int i = 0; i < k->nproblems; i++)
		printf("#   %s %s: %s\n", k->problems[i].severity, k->problems[i].code,
			   k->problems[i].detail);
}

static bool
has_sev(const ma_dkim_key *k, const char *code, const char *sev)
{
	for (int i = 0; i < k->nproblems; i++)
		if (strcmp(k->problems[i].code, code) == 0 &&
			strcmp(k->problems[i].severity, sev) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------
 * Keys, generated now
 * ---------------------------------------------------------------------
 */
static char *
b64(const unsigned char *der, int len)
{
	char	   *s = malloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *) s, der, len);
	return s;
}

static char *
spki_b64(EVP_PKEY *pk)
{
	unsigned char *der = NULL;
	int			len = i2d_PUBKEY(pk, &der);
	char	   *s = b64(der, len);

	OPENSSL_free(der);
	return s;
}

static char *
pkcs1_b64(EVP_PKEY *pk)
{
	unsigned char *der = NULL;
	int			len = i2d_PublicKey(pk, &der);
	char	   *s = b64(der, len);

	OPENSSL_free(der);
	return s;
}

static char *
raw_b64(EVP_PKEY *pk, size_t want)
{
	unsigned char raw[64];
	size_t		len = sizeof(raw);

	EVP_PKEY_get_raw_public_key(pk, raw, &len);
	if (want < len)
		len = want;
	return b64(raw, (int) len);
}

static char *
fmt(const char *f,...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f,...)
{
	va_list		ap;
	char	   *s = NULL;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* parse a NUL-terminated record */
static void
parse(const char *txt, ma_dkim_key *k)
{
	ma_dkim_key_parse(txt, strlen(txt), k);
}

/* ---------------------------------------------------------------------
 * A fake zone with the waves model
 * ---------------------------------------------------------------------
 */
typedef struct zrec
{
	const char *name;
	ma_dns_status status;		/* of the whole name when no data */
	const char *data;			/* TXT, or NULL */
} zrec;

typedef struct fake
{
	const zrec *zone;
	int			nzone;
	char		asked[8][MA_DNS_MAXNAME + 1];
	ma_dns_result *ans[8];
	int			nasked;
	int			calls;
} fake;

static const ma_dns_result *
fake_lookup(void *arg, const char *name, uint16_t type)
{
	fake	   *f = arg;

	f->calls++;
	if (type != MA_T_TXT)
		return NULL;
	for (int i = 0; i < f->nasked; i++)
		if (strcmp(f->asked[i], name) == 0)
			return f->ans[i];
	if (f->nasked < 8)
	{
		snprintf(f->asked[f->nasked], sizeof(f->asked[0]), "%s", name);
		f->ans[f->nasked++] = NULL;
	}
	return NULL;
}

static void
fake_resolve(fake *f)
{
	for (int q = 0; q < f->nasked; q++)
	{
		int			n = 0;
		ma_dns_status st = MA_DNS_NXDOMAIN;
		ma_dns_result *r;

		if (f->ans[q])
			continue;
		for (int i = 0; i < f->nzone; i++)
			if (strcasecmp(f->zone[i].name, f->asked[q]) == 0)
			{
				if (f->zone[i].data)
					n++;
				else
					st = f->zone[i].status;
			}
		r = calloc(1, sizeof(ma_dns_result) + (n ? n : 1) * sizeof(ma_dns_rr));
		r->refcnt = 1;
		r->status = n ? MA_DNS_OK : st;
		for (int i = 0; i < f->nzone; i++)
			if (strcasecmp(f->zone[i].name, f->asked[q]) == 0 && f->zone[i].data)
			{
				ma_dns_rr  *rr = &r->rr[r->nrr++];

				rr->name = f->zone[i].name;
				rr->type = MA_T_TXT;
				rr->ttl = 300;
				rr->data = f->zone[i].data;
				rr->datalen = strlen(f->zone[i].data);
			}
		f->ans[q] = r;
	}
}

static void
fake_free(fake *f)
{
	for (int i = 0; i < f->nasked; i++)
		free(f->ans[i]);
	f->nasked = 0;
}

/* run to the end; returns the number of pending runs */
static int
run_lookup(fake *f, const char *sel, const char *dom, ma_dkim_key *k)
{
	int			waves = 0;

	while (ma_dkim_key_lookup(sel, dom, fake_lookup, f, k) == 1)
	{
		waves++;
		if (!k->pending || k->nproblems != 0 || k->record != NULL)
			return -100;		/* pending must leave nothing */
		ma_dkim_key_free(k);
		fake_resolve(f);
		if (waves > 3)
			return -1;
	}
	return waves;
}

int
main(void)
{
	EVP_PKEY   *rsa512 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 512);
	EVP_PKEY   *rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 1024);
	EVP_PKEY   *rsa2048 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
	EVP_PKEY   *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char	   *k512,
			   *k1024,
			   *k2048,
			   *k2048p1,
			   *ked,
			   *ked31,
			   *kedspki;
	char	   *rec;
	ma_dkim_key k;

	if (!rsa512 || !rsa1024 || !rsa2048 || !ed)
	{
		printf("Bail out! OpenSSL key generation failed\n");
		return 1;
	}
	k512 = spki_b64(rsa512);
	k1024 = spki_b64(rsa1024);
	k2048 = spki_b64(rsa2048);
	k2048p1 = pkcs1_b64(rsa2048);
	ked = raw_b64(ed, 32);
	ked31 = raw_b64(ed, 31);
	kedspki = spki_b64(ed);

	/* ----- good keys ----- */
	rec = fmt("v=DKIM1; k=rsa; p=%s", k2048);
	parse(rec, &k);
	OK(strcmp(k.status, "ok") == 0 && k.nproblems == 0, "RSA 2048: ok, no problems") || (dump(&k), 0);
	OK(k.key_bits == 2048 && strcmp(k.key_type, "rsa") == 0, "RSA 2048: 2048 bits, rsa");
	OK(k.nhash_algorithms == 2 && strcmp(k.hash_algorithms[0], "sha1") == 0 &&
	   strcmp(k.hash_algorithms[1], "sha256") == 0, "default h= is every algorithm");
	OK(k.nservice_types == 1 && strcmp(k.service_types[0], "*") == 0, "default s= is *");
	OK(k.nflags == 0 && !k.testing && !k.revoked, "no flags, not testing, not revoked");
	OK(k.version && strcmp(k.version, "DKIM1") == 0 && k.notes == NULL, "version DKIM1, no notes");
	OK(k.record && strcmp(k.record, rec) == 0, "record kept as published");
	ma_dkim_key_free(&k);
	free(rec);

	rec = fmt("p=%s", k2048);
	parse(rec, &k);
	OK(strcmp(k.status, "ok") == 0 && k.key_bits == 2048 && strcmp(k.key_type, "rsa") == 0 &&
	   k.version == NULL, "bare p= only: rsa by default, no version");
	ma_dkim_key_free(&k);
	free(rec);

	rec = fmt("v=DKIM1; p=%s", k2048p1);
	parse(rec, &k);
	OK(strcmp(k.status, "ok") == 0 && k.key_bits == 2048, "bare RSAPublicKey (PKCS#1) accepted, 2048 bits") || (dump(&k), 0);
	ma_dkim_key_free(&k);
	free(rec);

	rec = fmt("v=DKIM1; k=ed25519; p=%s", ked);
	parse(rec, &k);
	OK(strcmp(k.status, "ok") == 0 && k.key_bits == 256 && strcmp(k.key_type, "ed25519") == 0 &&
	   k.nproblems == 0, "Ed25519: ok, 256 bits") || (dump(&k), 0);
	ma_dkim_key_free(&k);
	free(rec);

	/* folding whitespace everywhere, a trailing ';', unknown tags, n= */
	{
		size_t		l = strlen(k2048);
		char	   *a = strndup(k2048, l / 3),
				   *b = strndup(k2048 + l / 3, l / 3),
				   *c = strdup(k2048 + 2 * (l / 3));

		rec = fmt(" v = DKIM1 ;\r\n\tk = rsa ; x=whatever goes ; g=* ; n=our key ;"
				  " h = sha256 : sha1 ; s = email : * ; p = %s \r\n\t%s %s ; ", a, b, c);
		parse(rec, &k);
		OK(strcmp(k.status, "ok") == 0 && k.key_bits == 2048, "FWS around tags, values and in p=; trailing ';'") || (dump(&k), 0);
		OK(k.notes && strcmp(k.notes, "our key") == 0, "n= kept");
		OK(k.nhash_algorithms == 2 && strcmp(k.hash_algorithms[0], "sha256") == 0,
		   "h= list split with whitespace around ':'");
		OK(k.nservice_types == 2 && strcmp(k.service_types[0], "email") == 0 &&
		   strcmp(k.service_types[1], "*") == 0, "s= list split");
		ma_dkim_key_free(&k);
		free(rec);
		free(a);
		free(b);
		free(c);
	}

	/* ----- weak_key ----- */
	rec = fmt("v=DKIM1; p=%s", k1024);
	parse(rec, &k);
	OK(strcmp(k.status, "ok") == 0 && k.key_bits == 1024 && has_sev(&k, "weak_key", "warning"),
	   "RSA 1024: ok with a weak_key warning") || (dump(&k), 0);
	OK(k.nproblems == 1 && strstr(k.problems[0].detail, "2048") != NULL, "the warning says consider 2048");
	ma_dkim_key_free(&k);
	free(rec);

	rec = fmt("v=DKIM1; p=%s", k512);
	parse(rec, &k);
	OK(strcmp(k.status, "invalid") == 0 && k.key_bits == 512 && has_sev(&k, "weak_key", "error"),
	   "RSA 512: invalid, weak_key error") || (dump(&k), 0);
	ma_dkim_key_free(&k);
	free(rec);

	/* ----- testing ----- */
	rec = fmt("v=DKIM1; t=y:s; p=%s", k2048);
	parse(rec, &k);
	OK(k.testing && k.nflags == 2 && strcmp(k.flags[0], "y") == 0 && strcmp(k.flags[1], "s") == 0,
	   "t=y:s: testing, flags y and s");
	OK(strcmp(k.status, "ok") == 0 && has_sev(&k, "testing", "warning"), "testing is a warning");
	ma_dkim_key_free(&k);
	free(rec);

	rec = fmt("v=DKIM1; t=s:zz; p=%s", k2048);
	parse(rec, &k);
	OK(!k.testing && k.nflags == 2 && k.nproblems == 0, "t=s with an unknown flag: not testing, no problem");
	ma_dkim_key_free(&k);
	free(rec);

	/* ----- revoked ----- */
	parse("v=DKIM1; k=rsa; p=", &k);
	OK(k.revoked && k.key_bits == 0 && strcmp(k.status, "invalid") == 0 &&
	   ma_dkim_key_has_problem(&k, "revoked"), "empty p=: revoked");
	ma_dkim_key_free(&k);
	parse("v=DKIM1; p= \t ;", &k);
	OK(k.revoked && ma_dkim_key_has_problem(&k, "revoked") && k.nproblems == 1,
	   "p= of whitespace: revoked, nothing else");
	ma_dkim_key_free(&k);

	/* ----- syntax_error ----- */
	rec = fmt("v=DKIM1; p=%s; p=%s", k2048, k2048);
	parse(rec, &k);
	OK(strcmp(k.status, "invalid") == 0 && ma_dkim_key_has_problem(&k, "syntax_error"),
	   "duplicate p=: syntax_error, invalid");
	ma_dkim_key_free(&k);
	free(rec);

	rec = fmt("v=DKIM1; x=1; x=2; p=%s", k2048);
	parse(rec, &k);
	OK(strcmp(k.status, "invalid") == 0 && ma_dkim_key_has_problem(&k, "syntax_error"),
	   "duplicate unknown tag: syntax_error too");
	ma_dkim_key_free(&k);
	free(rec);

	rec = fmt("k=rsa; v=DKIM1; p=%s", k2048);
	parse(rec, &k);
	OK(strcmp(k.status, "invalid") == 0 && ma_dkim_key_has_problem(&k, "syntax_error") &&
	   strstr(k.problems[0].detail, "first") != NULL, "v= not first: syntax_error");
	ma_dkim_key_free(&k);
	free(rec);

	rec = fmt("v=DKIM2; p=%s", k2048);
	parse(rec, &k);
	OK(strcmp(k.status, "invalid") == 0 && ma_dkim_key_has_problem(&k, "syntax_error"),
	   "v=DKIM2: syntax_error");
	ma_dkim_key_free(&k);
	free(rec);

	rec = fmt("v=DKIM1; k=dsa; p=%s", k2048);
	parse(rec, &k);
	OK(strcmp(k.status, "invalid") == 0 && ma_dkim_key_has_problem(&k, "syntax_error") &&
	   strcmp(k.key_type, "dsa") == 0 && k.key_bits == 0, "unknown k=: syntax_error, key_type as written");
	ma_dkim_key_free(&k);
	free(rec);

	parse("v=DKIM1; k=rsa", &k);
	OK(strcmp(k.status, "invalid") == 0 && ma_dkim_key_has_problem(&k, "syntax_error"),
	   "no p=: syntax_error");
	ma_dkim_key_free(&k);

	{
		static const char *bad[] = {
			"v=DKIM1;; p=AAAA", "1v=DKIM1; p=", "v=DKIM1; p", "v=DKIM1; p-x=1; p=",
			"v=DKIM1; n=a;b=c=d é; p=", "", "   ", ";", "v=DKIM1; h=sha256:; p=",
			"v=DKIM1; s=email : : *; p=", "v=DKIM1; t=y s; p="
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		{
			parse(bad[i], &k);
			OK(strcmp(k.status, "invalid") == 0 && ma_dkim_key_has_problem(&k, "syntax_error"),
			   "syntax_error: \"%s\"", bad[i]) || (dump(&k), 0);
			ma_dkim_key_free(&k);
		}
	}

	/* ----- bad_key ----- */
	{
		static const char *bad[] = {
			"p=abc!", "p=abcde", "p=ab=c", "p=A===", "p=AAAA", "p=MIIBIjAN",
			"k=ed25519; p=AAAA", "k=ed25519; p=@@@@"
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		{
			parse(bad[i], &k);
			OK(strcmp(k.status, "invalid") == 0 && ma_dkim_key_has_problem(&k, "bad_key") &&
			   k.key_bits == 0, "bad_key: \"%s\"", bad[i]) || (dump(&k), 0);
			ma_dkim_key_free(&k);
		}
	}
	rec = fmt("v=DKIM1; k=ed25519; p=%s", ked31);
	parse(rec, &k);
	OK(ma_dkim_key_has_problem(&k, "bad_key") && strcmp(k.status, "invalid") == 0,
	   "Ed25519 of 31 bytes: bad_key");
	ma_dkim_key_free(&k);
	free(rec);
	rec = fmt("v=DKIM1; k=ed25519; p=%s", k2048);
	parse(rec, &k);
	OK(ma_dkim_key_has_problem(&k, "bad_key"), "k=ed25519 with an RSA key: bad_key");
	ma_dkim_key_free(&k);
	free(rec);
	rec = fmt("v=DKIM1; k=rsa; p=%s", kedspki);
	parse(rec, &k);
	OK(ma_dkim_key_has_problem(&k, "bad_key") && strstr(k.problems[0].detail, "Ed25519"),
	   "k=rsa with an Ed25519 SubjectPublicKeyInfo: bad_key");
	ma_dkim_key_free(&k);
	free(rec);
	rec = fmt("v=DKIM1; k=rsa; p=%sAAAA", k2048);
	parse(rec, &k);
	OK(ma_dkim_key_has_problem(&k, "bad_key"), "trailing bytes after the DER key: bad_key") || (dump(&k), 0);
	ma_dkim_key_free(&k);
	free(rec);

	/* ----- sha1_only, not_email ----- */
	rec = fmt("v=DKIM1; h=sha1; p=%s", k2048);
	parse(rec, &k);
	OK(strcmp(k.status, "invalid") == 0 && ma_dkim_key_has_problem(&k, "sha1_only"), "h=sha1: sha1_only");
	ma_dkim_key_free(&k);
	free(rec);
	rec = fmt("v=DKIM1; h=sha256; p=%s", k2048);
	parse(rec, &k);
	OK(strcmp(k.status, "ok") == 0 && k.nproblems == 0 && k.nhash_algorithms == 1, "h=sha256: fine");
	ma_dkim_key_free(&k);
	free(rec);
	rec = fmt("v=DKIM1; s=tlsrpt; p=%s", k2048);
	parse(rec, &k);
	OK(strcmp(k.status, "invalid") == 0 && ma_dkim_key_has_problem(&k, "not_email"), "s=tlsrpt: not_email");
	ma_dkim_key_free(&k);
	free(rec);
	rec = fmt("v=DKIM1; s=email; p=%s", k2048);
	parse(rec, &k);
	OK(strcmp(k.status, "ok") == 0 && k.nproblems == 0, "s=email: fine");
	ma_dkim_key_free(&k);
	free(rec);

	/* ----- hostile input ----- */
	{
		char	   *junk = malloc(10001);

		memset(junk, 'A', 10000);
		junk[10000] = '\0';
		rec = fmt("v=DKIM1; x=%s; p=%s", junk, k2048);
		parse(rec, &k);
		OK(strcmp(k.status, "ok") == 0 && k.key_bits == 2048 && strlen(k.record) == strlen(rec),
		   "10 KB record with a long unknown tag: ok");
		ma_dkim_key_free(&k);
		free(rec);

		srand(42);
		for (int i = 0; i < 10000; i++)
			junk[i] = (char) (rand() & 0xff);
		ma_dkim_key_parse(junk, 10000, &k);
		OK(strcmp(k.status, "invalid") == 0 && k.nproblems >= 1 &&
		   k.nproblems <= MA_DKIM_KEY_MAX_PROBLEMS && strlen(k.record) == 10000,
		   "10 KB of random bytes: invalid, problems bounded, NULs shown as '?'");
		ma_dkim_key_free(&k);
		free(junk);
	}
	{
		static const char nul[] = "v=DKIM1; p=AB\0CD";

		ma_dkim_key_parse(nul, sizeof(nul) - 1, &k);
		OK(strcmp(k.status, "invalid") == 0 && ma_dkim_key_has_problem(&k, "syntax_error") &&
		   strcmp(k.record, "v=DKIM1; p=AB?CD") == 0, "NUL byte in p=: syntax_error, record shows '?'");
		ma_dkim_key_free(&k);
		ma_dkim_key_parse("\0\0\0", 3, &k);
		OK(strcmp(k.status, "invalid") == 0, "three NUL bytes: invalid");
		ma_dkim_key_free(&k);
		ma_dkim_key_parse(NULL, 0, &k);
		OK(strcmp(k.status, "invalid") == 0, "NULL record: invalid");
		ma_dkim_key_free(&k);
	}
	{
		size_t		cap = 1000 * 16 + strlen(k2048) + 16,
					n = 0;
		char	   *big = malloc(cap);

		for (int i = 0; i < 1000; i++)
			n += snprintf(big + n, cap - n, "x%d=v%d; ", i, i);
		snprintf(big + n, cap - n, "p=%s", k2048);
		parse(big, &k);
		OK(strcmp(k.status, "ok") == 0 && k.key_bits == 2048, "1,000 unknown tags then p=: ok");
		ma_dkim_key_free(&k);

		n = 0;
		for (int i = 0; i < 1000; i++)
			n += snprintf(big + n, cap - n, "a=%d;", i);
		parse(big, &k);
		OK(strcmp(k.status, "invalid") == 0 && k.nproblems <= 3, "1,000 copies of one tag: one duplicate finding") || (dump(&k), 0);
		ma_dkim_key_free(&k);

		n = 0;
		for (int i = 0; i < 1000; i++)
			n += snprintf(big + n, cap - n, "%d=x;", i);
		parse(big, &k);
		OK(strcmp(k.status, "invalid") == 0 && k.nproblems == MA_DKIM_KEY_MAX_PROBLEMS,
		   "1,000 bad tags: problems capped at %d", MA_DKIM_KEY_MAX_PROBLEMS);
		ma_dkim_key_free(&k);

		n = 0;
		for (int i = 0; i < 1000; i++)
			n += snprintf(big + n, cap - n, "h=sha256:");
		parse(big, &k);
		OK(strcmp(k.status, "invalid") == 0, "a 9 KB h= list ending in ':': invalid");
		ma_dkim_key_free(&k);
		free(big);
	}
	{
		char	   *p = malloc(100 * 1024 + 1);

		memset(p, 'A', 100 * 1024);
		p[100 * 1024] = '\0';
		rec = fmt("v=DKIM1; p=%s", p);
		parse(rec, &k);
		OK(ma_dkim_key_has_problem(&k, "bad_key") && strcmp(k.status, "invalid") == 0,
		   "p= of 100 KB: bad_key");
		ma_dkim_key_free(&k);
		free(rec);
		/* 12 KB of base64: decoded, not a key */
		p[12 * 1024] = '\0';
		rec = fmt("v=DKIM1; p=%s", p);
		parse(rec, &k);
		OK(ma_dkim_key_has_problem(&k, "bad_key"), "p= of 12 KB zeros: bad_key");
		ma_dkim_key_free(&k);
		free(rec);
		free(p);
	}

	/* ----- lookup, waves ----- */
	{
		char	   *good = fmt("v=DKIM1; k=rsa; p=%s", k2048);
		char	   *weak = fmt("v=DKIM1; p=%s", k1024);
		zrec		zone[] = {
			{"sel._domainkey.example.com", MA_DNS_OK, good},
			{"two._domainkey.example.com", MA_DNS_OK, "some other text"},
			{"two._domainkey.example.com", MA_DNS_OK, weak},
			{"nodata._domainkey.example.com", MA_DNS_NODATA, NULL},
			{"fail._domainkey.example.com", MA_DNS_SERVFAIL, NULL},
			{"slow._domainkey.example.com", MA_DNS_TIMEOUT, NULL},
			{"spf._domainkey.example.com", MA_DNS_OK, "v=spf1 -all"},
		};
		fake		f;
		int			rc;

		memset(&f, 0, sizeof(f));
		f.zone = zone;
		f.nzone = (int) (sizeof(zone) / sizeof(zone[0]));

		rc = ma_dkim_key_lookup("sel", "example.com", fake_lookup, &f, &k);
		OK(rc == 1 && k.pending && k.record == NULL && k.nproblems == 0 && f.nasked == 1 &&
		   strcmp(f.asked[0], "sel._domainkey.example.com") == 0,
		   "first run: pending, asked sel._domainkey.example.com, nothing kept");
		ma_dkim_key_free(&k);
		fake_resolve(&f);
		rc = ma_dkim_key_lookup("sel", "example.com", fake_lookup, &f, &k);
		OK(rc == 0 && !k.pending && strcmp(k.status, "ok") == 0 && k.key_bits == 2048 &&
		   strcmp(k.record, good) == 0, "second run: done, ok, 2048 bits");
		ma_dkim_key_free(&k);
		fake_free(&f);

		OK(run_lookup(&f, "SEL", "Example.COM.", &k) == 1 && strcmp(k.status, "ok") == 0 &&
		   strcmp(f.asked[0], "sel._domainkey.example.com") == 0, "name normalised (case, trailing dot)");
		ma_dkim_key_free(&k);
		fake_free(&f);

		OK(run_lookup(&f, "two", "example.com", &k) == 1 && ma_dkim_key_has_problem(&k, "several_records") &&
		   ma_dkim_key_has_problem(&k, "weak_key") && k.key_bits == 1024 && strcmp(k.status, "ok") == 0,
		   "two TXT records: several_records, the key-looking one linted") || (dump(&k), 0);
		ma_dkim_key_free(&k);
		fake_free(&f);

		OK(run_lookup(&f, "missing", "example.com", &k) == 1 && strcmp(k.status, "none") == 0 &&
		   ma_dkim_key_has_problem(&k, "no_record") && k.record == NULL, "NXDOMAIN: none, no_record");
		ma_dkim_key_free(&k);
		fake_free(&f);

		OK(run_lookup(&f, "nodata", "example.com", &k) == 1 && strcmp(k.status, "none") == 0 &&
		   ma_dkim_key_has_problem(&k, "no_record"), "NODATA: none, no_record");
		ma_dkim_key_free(&k);
		fake_free(&f);

		OK(run_lookup(&f, "spf", "example.com", &k) == 1 && strcmp(k.status, "none") == 0 &&
		   ma_dkim_key_has_problem(&k, "no_record"), "a TXT record that is no key: none, no_record");
		ma_dkim_key_free(&k);
		fake_free(&f);

		OK(run_lookup(&f, "fail", "example.com", &k) == 1 && strcmp(k.status, "temperror") == 0 &&
		   ma_dkim_key_has_problem(&k, "dns_error"), "SERVFAIL: temperror, dns_error");
		ma_dkim_key_free(&k);
		fake_free(&f);

		OK(run_lookup(&f, "slow", "example.com", &k) == 1 && strcmp(k.status, "temperror") == 0 &&
		   ma_dkim_key_has_problem(&k, "dns_error"), "timeout: temperror, dns_error");
		ma_dkim_key_free(&k);
		fake_free(&f);

		f.calls = 0;
		OK(run_lookup(&f, "bad..sel", "example.com", &k) == 0 && f.calls == 0 &&
		   strcmp(k.status, "invalid") == 0 && ma_dkim_key_has_problem(&k, "syntax_error"),
		   "invalid name: no lookup, syntax_error");
		ma_dkim_key_free(&k);
		OK(run_lookup(&f, "", "example.com", &k) == 0 && f.calls == 0 &&
		   strcmp(k.status, "invalid") == 0, "empty selector: invalid, no lookup");
		ma_dkim_key_free(&k);
		{
			char		longsel[300];

			memset(longsel, 'a', 299);
			longsel[299] = '\0';
			OK(run_lookup(&f, longsel, "example.com", &k) == 0 && f.calls == 0 &&
			   strcmp(k.status, "invalid") == 0, "300-character selector: invalid, no lookup");
			ma_dkim_key_free(&k);
		}
		fake_free(&f);
		free(good);
		free(weak);
	}

	free(k512);
	free(k1024);
	free(k2048);
	free(k2048p1);
	free(ked);
	free(ked31);
	free(kedspki);
	EVP_PKEY_free(rsa512);
	EVP_PKEY_free(rsa1024);
	EVP_PKEY_free(rsa2048);
	EVP_PKEY_free(ed);

	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}
