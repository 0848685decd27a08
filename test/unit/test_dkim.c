/*-------------------------------------------------------------------------
 *
 * test_dkim.c
 *	  Unit tests of the DKIM verifier of the core (ma_dkim.c), TAP output,
 *	  no network: keys come from a fake lookup table.
 *
 * Fixtures are made at run time: an RSA key pair generated with OpenSSL,
 * messages signed with libopendkim's signing API.  When the generated
 * corpus of the shared folder is present ($MAILAUTH_SHARED, default
 * ../shared relative to the working directory, or /work/shared) a few of
 * its messages are verified against its keys too; otherwise those
 * assertions are skipped.  Nothing of the corpus is copied into the
 * project.
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dkim.h"
#include "core/ma_dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <opendkim/dkim.h>

static int	ntest = 0;
static int	nfail = 0;

static void
ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>

static void
ok(int cond, const char *fmt, ...)
{
	va_list		ap;

	ntest++;
	printf("%s %d - ", cond ? "ok" : "not ok", ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		nfail++;
}

/* ---------------------------------------------------------------------
 * the fake DNS
 * ---------------------------------------------------------------------
 */

#define MAXENT 32

typedef struct fake_ent
{
	char		name[256];
	ma_dns_result *res;
	bool		known;			/* answered in an earlier wave */
	bool		asked;
} fake_ent;

typedef struct fake_dns
{
	fake_ent	e[MAXENT];
	int			n;
	bool		waves;			/* unknown until asked once ("waves" mode) */
	int			nasked;
} fake_dns;

static ma_dns_result *
mkresult(ma_dns_status st, const char *txt)
{
	size_t		tl = txt ? strlen(txt) : 0;
	ma_dns_result *r = calloc(1, sizeof(ma_dns_result) + sizeof(ma_dns_rr) + tl + 1 + 256);
	char	   *data;

	r->refcnt = 1;
	r->status = st;
	r->size = sizeof(ma_dns_result);
	if (txt)
	{
		data = (char *) (r->rr + 1);
		memcpy(data, txt, tl + 1);
		r->nrr = 1;
		r->rr[0].data = data;
		r->rr[0].datalen = tl;
		r->rr[0].type = MA_T_TXT;
		r->rr[0].ttl = 300;
		r->rr[0].name = "";
	}
	return r;
}

static void
fake_add(fake_dns *f, const char *name, ma_dns_status st, const char *txt)
{
	fake_ent   *e = &f->e[f->n++];

	snprintf(e->name, sizeof(e->name), "%s", name);
	e->res = mkresult(st, txt);
}

static void
fake_free(fake_dns *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->e[i].res);
	f->n = 0;
}

static const ma_dns_result *
fake_lookup(void *arg, const char *name, uint16_t type)
{
	fake_dns   *f = arg;
	static ma_dns_result *nx = NULL;

	if (nx == NULL)
		nx = mkresult(MA_DNS_NXDOMAIN, NULL);
	f->nasked++;
	if (type != MA_T_TXT)
		return nx;
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->e[i].name, name) == 0)
		{
			if (f->waves && !f->e[i].known)
			{
				f->e[i].asked = true;
				return NULL;
			}
			return f->e[i].res;
		}
	return nx;
}

/* answer everything asked so far (the caller's resolution of a wave) */
static int
fake_resolve(fake_dns *f)
{
	int			n = 0;

	for (int i = 0; i < f->n; i++)
		if (f->e[i].asked && !f->e[i].known)
		{
			f->e[i].known = true;
			n++;
		}
	return n;
}

/* ---------------------------------------------------------------------
 * fixtures: keys and signing
 * ---------------------------------------------------------------------
 */

typedef struct key
{
	char	   *pem;			/* private key, PEM */
	char	   *txt;			/* "v=DKIM1; k=rsa; p=..." */
} key;

static bool
mkkey(int bits, key *k)
{
	EVP_PKEY   *pk = EVP_RSA_gen(bits);
	BIO		   *b;
	unsigned char *der = NULL;
	int			dl;
	char	   *p;
	long		n;

	if (pk == NULL)
		return false;
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(b, &p);
	k->pem = malloc(n + 1);
	memcpy(k->pem, p, n);
	k->pem[n] = '\0';
	BIO_free(b);
	dl = i2d_PUBKEY(pk, &der);
	k->txt = malloc(32 + 4 * ((dl + 2) / 3) + 1);
	strcpy(k->txt, "v=DKIM1; k=rsa; p=");
	EVP_EncodeBlock((unsigned char *) k->txt + strlen(k->txt), der, dl);
	OPENSSL_free(der);
	EVP_PKEY_free(pk);
	return true;
}

static void
freekey(key *k)
{
	free(k->pem);
	free(k->txt);
}

/*
 * Sign hdrs (fields separated by "\r\n", no final one) + body; returns a
 * malloc()ed message "DKIM-Signature: ...\r\n" hdrs "\r\n\r\n" body.
 */
static char *
sign(const key *k, const char *sel, const char *dom, const char *hdrs,
	 const char *body, dkim_alg_t alg, ssize_t length)
{
	DKIM_LIB   *lib = dkim_init(NULL, NULL);
	DKIM	   *d;
	DKIM_STAT	st;
	unsigned char sig[8192];
	char	   *copy = strdup(hdrs);
	char	   *save = NULL;
	char	   *msg = NULL;
	size_t		ml;
	unsigned int minbits = 512;

	dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &minbits, sizeof(minbits));
	d = dkim_sign(lib, (const unsigned char *) "test", NULL,
				  (dkim_sigkey_t) k->pem, (const unsigned char *) sel,
				  (const unsigned char *) dom, DKIM_CANON_RELAXED, DKIM_CANON_RELAXED,
				  alg, length, &st);
	if (d == NULL)
	{
		printf("# dkim_sign: %s\n", dkim_getresultstr(st));
		goto out;
	}
	for (char *h = strtok_r(copy, "\r\n", &save); h; h = strtok_r(NULL, "\r\n", &save))
		dkim_header(d, (unsigned char *) h, strlen(h));
	dkim_eoh(d);
	dkim_body(d, (unsigned char *) body, strlen(body));
	if ((st = dkim_eom(d, NULL)) == DKIM_STAT_OK &&
		(st = dkim_getsighdr(d, sig, sizeof(sig), strlen("DKIM-Signature: "))) == DKIM_STAT_OK)
	{
		ml = strlen((char *) sig) + strlen(hdrs) + strlen(body) + 64;
		msg = malloc(ml);
		snprintf(msg, ml, "DKIM-Signature: %s\r\n%s\r\n\r\n%s", sig, hdrs, body);
	}
	else
		printf("# signing: %s: %s\n", dkim_getresultstr(st), dkim_geterror(d));
	dkim_free(d);
out:
	dkim_close(lib);
	free(copy);
	return msg;
}

static const char *HDRS =
"From: Alice <alice@example.org>\r\n"
"To: bob@example.net\r\n"
"Subject: hello\r\n"
"Date: Wed, 01 Jan 2025 00:00:00 +0000\r\n"
"Message-ID: <t1@example.org>";
static const char *BODY = "Hello Bob,\r\n\r\nthis is a test.\r\n";

static ma_dkim_outcome O;

/* verify, running waves until done (at most 5); returns the wave count */
static int
verify1(const char *msg, size_t len, fake_dns *f, int max_sigs)
{
	int			waves = 0;

	ma_dkim_outcome_free(&O);
	while (ma_dkim_verify(msg, len, fake_lookup, f, max_sigs, &O) == 1)
	{
		ma_dkim_outcome_free(&O);
		if (++waves > 5 || fake_resolve(f) == 0)
			break;
	}
	return waves;
}

/*
 * Every verification of this file runs twice: with the key-cache fast path
 * (ma_dkim_fast_crypto, the default) and with every signature through
 * libopendkim's own crypto; the two must agree on every signature.
 */
static int	n_compared = 0;
static int	n_disagree = 0;
static char first_disagreement[512];

static int
verify(const char *msg, size_t len, fake_dns *f, int max_sigs)
{
	int			waves;
	int			n;
	struct
	{
		ma_dkim_res r;
		int			bits;
		bool		testing;
		char		reason[128];
	}		   *slow;

	bool		known[MAXENT],
				asked[MAXENT];
	int			nasked = f->nasked;

	for (int i = 0; i < f->n; i++)
	{
		known[i] = f->e[i].known;
		asked[i] = f->e[i].asked;
	}
	ma_dkim_fast_crypto = false;
	verify1(msg, len, f, max_sigs);
	for (int i = 0; i < f->n; i++)	/* the same DNS state for the second run */
	{
		f->e[i].known = known[i];
		f->e[i].asked = asked[i];
	}
	f->nasked = nasked;
	n = O.nresults;
	slow = calloc(n + 1, sizeof(*slow));
	for (int i = 0; i < n; i++)
	{
		slow[i].r = O.results[i].result;
		slow[i].bits = O.results[i].key_bits;
		slow[i].testing = O.results[i].testing;
		snprintf(slow[i].reason, sizeof(slow[i].reason), "%s", O.results[i].reason);
	}
	ma_dkim_fast_crypto = true;
	waves = verify1(msg, len, f, max_sigs);
	n_compared++;
	if (O.nresults != n)
		n_disagree++;
	else
		for (int i = 0; i < n; i++)
			if (slow[i].r != O.results[i].result || slow[i].bits != O.results[i].key_bits ||
				slow[i].testing != O.results[i].testing ||
				strncmp(slow[i].reason, O.results[i].reason, sizeof(slow[i].reason) - 1) != 0)
			{
				if (n_disagree++ == 0)
					snprintf(first_disagreement, sizeof(first_disagreement),
							 "sig %d: libopendkim %s (%s, %d bits), fast %s (%s, %d bits)", i,
							 ma_dkim_res_name(slow[i].r), slow[i].reason, slow[i].bits,
							 ma_dkim_res_name(O.results[i].result), O.results[i].reason,
							 O.results[i].key_bits);
				break;
			}
	free(slow);
	return waves;
}

static const char *
r0(void)
{
	return O.nresults > 0 ? ma_dkim_res_name(O.results[0].result) : "(no result)";
}

static const char *
why0(void)
{
	return O.nresults > 0 ? O.results[0].reason : O.problem;
}

static char *
replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t		n = strlen(s) - strlen(from) + strlen(to) + 1;
	char	   *r;

	if (p == NULL)
		return strdup(s);
	r = malloc(n);
	memcpy(r, s, p - s);
	strcpy(r + (p - s), to);
	strcat(r, p + strlen(from));
	return r;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------------
 * the shared corpus (optional)
 * ---------------------------------------------------------------------
 */

static char *
slurp(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *b;
	long		n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc(n + 1);
	if (fread(b, 1, n, f) != (size_t) n)
		n = 0;
	b[n] = '\0';
	fclose(f);
	*len = (size_t) n;
	return b;
}

static void
corpus_tests(void)
{
	const char *env = getenv("MAILAUTH_SHARED");
	char		gen[1024];
	char		path[1200];
	char	   *rsa,
			   *ed;
	size_t		l;
	fake_dns	f;
	static const struct
	{
		const char *file;
		const char *want;
	}			cases[] = {
		{"pass-rr-rsa2048-dkimpy.eml", "pass"},
		{"pass-ss-rsa2048-maildkim.eml", "pass"},
		{"pass-rr-ed25519-opendkim.eml", "pass"},
		{"fail-body-modified-dkimpy.eml", "fail"},
		{"fail-header-modified-ed25519.eml", "fail"},
		{"pass-lf-endings-rr.eml", "pass"},
		{"policy-extra-from-not-oversigned.eml", "permerror"},
		{"mal-bad-base64-b.eml", "permerror"},
	};

	snprintf(gen, sizeof(gen), "%s/corpus/dkim/generated", env ? env : "../shared");
	snprintf(path, sizeof(path), "%s/keys/rsa2048.p.b64", gen);
	rsa = slurp(path, &l);
	if (rsa == NULL)
	{
		snprintf(gen, sizeof(gen), "/work/shared/corpus/dkim/generated");
		snprintf(path, sizeof(path), "%s/keys/rsa2048.p.b64", gen);
		rsa = slurp(path, &l);
	}
	if (rsa == NULL)
	{
		printf("# skipped: no generated DKIM corpus (set MAILAUTH_SHARED)\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/keys/ed25519.p.b64", gen);
	ed = slurp(path, &l);
	memset(&f, 0, sizeof(f));
	{
		char		txt[2048];

		rsa[strcspn(rsa, "\r\n")] = '\0';
		snprintf(txt, sizeof(txt), "v=DKIM1; k=rsa; p=%s", rsa);
		fake_add(&f, "rsa2048._domainkey.example.com", MA_DNS_OK, txt);
		if (ed)
		{
			ed[strcspn(ed, "\r\n")] = '\0';
			snprintf(txt, sizeof(txt), "v=DKIM1; k=ed25519; p=%s", ed);
			fake_add(&f, "ed25519._domainkey.example.com", MA_DNS_OK, txt);
		}
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char	   *m;

		snprintf(path, sizeof(path), "%s/dkim/%s", gen, cases[i].file);
		m = slurp(path, &l);
		if (m == NULL)
		{
			ok(1, "# skip corpus %s: absent", cases[i].file);
			continue;
		}
		verify(m, l, &f, 0);
		ok(strcmp(r0(), cases[i].want) == 0, "corpus %s: %s (%s)", cases[i].file,
		   r0(), why0());
		free(m);
	}
	fake_free(&f);
	free(rsa);
	free(ed);
}

/* ---------------------------------------------------------------------
 * main
 * ---------------------------------------------------------------------
 */

int
main(void)
{
	key			k2048,
				k512;
	fake_dns	f;
	char	   *m,
			   *m2;
	double		t0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!mkkey(2048, &k2048) || !mkkey(512, &k512))
	{
		printf("1..0 # skip: cannot generate RSA keys\n");
		return 0;
	}
	memset(&f, 0, sizeof(f));
	fake_add(&f, "sel._domainkey.example.org", MA_DNS_OK, k2048.txt);
	fake_add(&f, "small._domainkey.example.org", MA_DNS_OK, k512.txt);
	fake_add(&f, "revoked._domainkey.example.org", MA_DNS_OK, "v=DKIM1; k=rsa; p=");
	fake_add(&f, "broken._domainkey.example.org", MA_DNS_SERVFAIL, NULL);
	fake_add(&f, "gone._domainkey.example.org", MA_DNS_NXDOMAIN, NULL);
	/* "sel2" has the same key under another name (for a second signature) */
	fake_add(&f, "sel2._domainkey.example.org", MA_DNS_OK, k2048.txt);

	/* unsigned */
	{
		const char *u = "From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n";

		verify(u, strlen(u), &f, 0);
		ok(O.nresults == 1 && O.results[0].result == MA_DKIM_NONE,
		   "unsigned message: a single none (%s)", r0());
	}

	/* a good signature, in waves */
	m = sign(&k2048, "sel", "example.org", HDRS, BODY, DKIM_SIGN_RSASHA256, -1);
	ok(m != NULL, "signed a fixture with libopendkim");
	if (m == NULL)
		return 1;
	f.waves = true;
	ma_dkim_outcome_free(&O);
	{
		int			rc = ma_dkim_verify(m, strlen(m), fake_lookup, &f, 0, &O);

		ok(rc == 1 && O.pending && O.nresults == 0, "first run is pending");
		ma_dkim_outcome_free(&O);
		ok(fake_resolve(&f) == 1, "one key asked in the first wave");
		rc = ma_dkim_verify(m, strlen(m), fake_lookup, &f, 0, &O);
		ok(rc == 0 && !O.pending && O.nresults == 1, "second run is done");
	}
	ok(strcmp(r0(), "pass") == 0, "pass (%s)", why0());
	if (O.nresults == 1)
	{
		ma_dkim_sig *s = &O.results[0];
		bool		hasfrom = false;

		for (int i = 0; i < s->nsigned_headers; i++)
			if (strcmp(s->signed_headers[i], "from") == 0)
				hasfrom = true;
		ok(strcmp(s->domain, "example.org") == 0 && strcmp(s->selector, "sel") == 0,
		   "d= and s= reported");
		ok(strcmp(s->algorithm, "rsa-sha256") == 0 && strcmp(s->canon, "relaxed/relaxed") == 0,
		   "a= and c= reported (%s %s)", s->algorithm, s->canon);
		ok(s->key_bits == 2048, "key_bits 2048 (%d)", s->key_bits);
		ok(s->body_length == -1 && s->expires_at == -1 && s->signed_at > 0,
		   "l=, x= absent, t= present");
		ok(hasfrom, "signed headers include from");
		ok(strcmp(s->identity, "@example.org") == 0, "default identity (%s)", s->identity);
	}
	f.waves = false;

	/* two signatures: both keys asked in the same wave */
	{
		char	   *inner = sign(&k2048, "sel2", "example.org", HDRS, BODY,
								 DKIM_SIGN_RSASHA256, -1);

		if (inner)
		{
			char	   *both = malloc(strlen(inner) + strlen(m) + 1);
			const char *sig1end = strstr(m, "\r\nFrom:");

			/* m's signature on top of inner */
			memcpy(both, m, sig1end - m + 2);
			strcpy(both + (sig1end - m + 2), inner);
			for (int i = 0; i < f.n; i++)
				f.e[i].known = f.e[i].asked = false;
			f.waves = true;
			ok(verify(both, strlen(both), &f, 0) == 1, "two signatures, one wave");
			ok(O.nresults == 2 && O.results[0].result == MA_DKIM_PASS &&
			   O.results[1].result == MA_DKIM_PASS &&
			   strcmp(O.results[1].selector, "sel2") == 0, "two passes in order");
			f.waves = false;
			free(both);
			free(inner);
		}
		else
			ok(0, "signing the second fixture");
	}

	/* body modified */
	m2 = replace(m, "this is a test", "this is a jest");
	verify(m2, strlen(m2), &f, 0);
	ok(strcmp(r0(), "fail") == 0 && strcmp(why0(), "body hash mismatch") == 0,
	   "body modified: %s (%s)", r0(), why0());
	free(m2);

	/* header modified */
	m2 = replace(m, "Subject: hello", "Subject: hellO");
	verify(m2, strlen(m2), &f, 0);
	ok(strcmp(r0(), "fail") == 0 && strcmp(why0(), "signature mismatch") == 0,
	   "header modified: %s (%s)", r0(), why0());
	free(m2);

	/* bare LF */
	{
		char	   *a = replace(m, "\r\n\r\n", "\n\n");
		char	   *b = a;

		for (int i = 0; i < 40; i++)
		{
			char	   *c = replace(b, "\r\n", "\n");

			if (b != a)
				free(b);
			b = c;
		}
		verify(b, strlen(b), &f, 0);
		ok(strcmp(r0(), "pass") == 0, "bare LF line endings: %s (%s)", r0(), why0());
		free(a);
		free(b);
	}

	/* key problems */
	m2 = replace(m, "s=sel;", "s=gone;");
	verify(m2, strlen(m2), &f, 0);
	ok(strcmp(r0(), "permerror") == 0 && strcmp(why0(), "key not found") == 0,
	   "NXDOMAIN key: %s (%s)", r0(), why0());
	free(m2);
	m2 = replace(m, "s=sel;", "s=broken;");
	verify(m2, strlen(m2), &f, 0);
	ok(strcmp(r0(), "temperror") == 0, "SERVFAIL key: %s (%s)", r0(), why0());
	free(m2);
	m2 = replace(m, "s=sel;", "s=revoked;");
	verify(m2, strlen(m2), &f, 0);
	ok(strcmp(r0(), "permerror") == 0 && strcmp(why0(), "key revoked") == 0,
	   "revoked key: %s (%s)", r0(), why0());
	free(m2);

	/* RFC 8301 */
	m2 = sign(&k2048, "sel", "example.org", HDRS, BODY, DKIM_SIGN_RSASHA1, -1);
	if (m2 == NULL)
		m2 = strdup("");
	verify(m2, strlen(m2), &f, 0);
	ok(strcmp(r0(), "permerror") == 0 && strcmp(why0(), "rsa-sha1 not accepted") == 0,
	   "rsa-sha1: %s (%s)", r0(), why0());
	free(m2);
	m2 = sign(&k512, "small", "example.org", HDRS, BODY, DKIM_SIGN_RSASHA256, -1);
	if (m2 == NULL)
		m2 = strdup("");
	verify(m2, strlen(m2), &f, 0);
	ok(strcmp(r0(), "permerror") == 0 && strcmp(why0(), "key too short") == 0,
	   "512-bit key: %s (%s)", r0(), why0());
	free(m2);

	/* several From fields */
	m2 = replace(m, "From: Alice", "From: Mallory <m@evil.example>\r\nFrom: Alice");
	verify(m2, strlen(m2), &f, 0);
	ok(O.nresults == 1 && O.results[0].result != MA_DKIM_PASS,
	   "unsigned second From: not a pass: %s (%s)", r0(), why0());
	free(m2);

	/* l= */
	{
		char	   *l = sign(&k2048, "sel", "example.org", HDRS, BODY,
							 DKIM_SIGN_RSASHA256, (ssize_t) strlen(BODY));
		size_t		n = l ? strlen(l) : 0;
		char	   *app = malloc(n + 64);

		if (l == NULL)
		{
			printf("# signing with l= failed\n");
			l = strdup("");
		}
		verify(l, n, &f, 0);
		ok(strcmp(r0(), "pass") == 0 && O.results[0].body_length == (int64_t) strlen(BODY),
		   "l= covering the body: %s (%s)", r0(), why0());
		snprintf(app, n + 64, "%sclick here: http://evil.example/\r\n", l);
		verify(app, strlen(app), &f, 0);
		ok(strcmp(r0(), "pass") == 0 && strstr(why0(), "l= leaves part of the body unsigned") != NULL,
		   "l= with text appended: %s (%s)", r0(), why0());
		ma_dkim_partial_body_policy = true;
		verify(app, strlen(app), &f, 0);
		ok(strcmp(r0(), "policy") == 0, "l= with text appended, partial bodies as policy: %s (%s)",
		   r0(), why0());
		ma_dkim_partial_body_policy = false;
		free(l);
		free(app);
	}

	/* ----- hostile input ----- */
	{
		const char *nosep = "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel; "
			"h=from; bh=AAAA; b=AAAA\r\nFrom: a@example.org\r\n";

		verify(nosep, strlen(nosep), &f, 0);
		ok(O.nresults == 1 && O.results[0].result == MA_DKIM_PERMERROR,
		   "no header/body separator: %s (%s)", r0(), why0());
		verify(nosep, strlen(nosep) - 2, &f, 0);
		ok(O.nresults == 1, "header only, no final newline: %s", r0());
		verify("", 0, &f, 0);
		ok(O.nresults == 1 && O.results[0].result == MA_DKIM_NONE, "empty message: %s", r0());
		verify(NULL, 0, &f, 0);
		ok(O.nresults == 1, "NULL message: %s", r0());
		verify("\r\n\r\n", 4, &f, 0);
		ok(O.nresults == 1 && O.results[0].result == MA_DKIM_NONE, "empty header: %s", r0());
	}
	{
		char	   *nul = strdup(m);
		char	   *p = strstr(nul, "Subject: hello");

		p[9] = '\0';
		verify(nul, strlen(m), &f, 0);
		ok(O.nresults == 1 && O.results[0].result == MA_DKIM_PERMERROR,
		   "NUL byte in the header: %s (%s)", r0(), why0());
		strcpy(nul, m);
		p = strstr(nul, "this is a test");
		p[4] = '\0';
		verify(nul, strlen(m), &f, 0);
		ok(strcmp(r0(), "fail") == 0, "NUL byte in the body: %s (%s)", r0(), why0());
		free(nul);
	}
	{
		/* the b= tag of the fixture, wherever libopendkim folded it */
		char	   *p = strstr(m, "\tb=");

		if (p == NULL)
			p = strstr(m, " b=");
		if (p)
		{
			size_t		off = p - m + 3;

			m2 = malloc(strlen(m) + 8);
			memcpy(m2, m, off);
			strcpy(m2 + off, "!!**");
			strcat(m2, m + off);
			verify(m2, strlen(m2), &f, 0);
			ok(strcmp(r0(), "permerror") == 0, "broken base64 in b=: %s (%s)", r0(), why0());
			free(m2);
		}
		else
			ok(0, "no b= found in the fixture");
	}
	{
		const char *garbage = "DKIM-Signature: this is not a tag list\r\n"
			"From: a@example.org\r\n\r\nbody\r\n";

		verify(garbage, strlen(garbage), &f, 0);
		ok(strcmp(r0(), "permerror") == 0, "garbage signature: %s (%s)", r0(), why0());
	}
	{
		/*
		 * A repeated h= tag: libopendkim takes the last one, which names every
		 * field and one more.  Before ma_dkim.c padded every header this
		 * overflowed a heap array inside libopendkim (fuzz/regressions/
		 * FIXED.md): glibc aborted this test ("free(): invalid pointer").
		 */
		char		dup[1024];
		char		names[256];
		char		hdrs[512];
		bool		all = true;

		for (int nf = 2; nf <= 8; nf++)
		{
			int			o = snprintf(hdrs, sizeof(hdrs), "From: a@example.org\r\n");
			int			no = snprintf(names, sizeof(names), "from");

			for (int i = 3; i <= nf; i++)
			{
				o += snprintf(hdrs + o, sizeof(hdrs) - o, "X-F%d: v\r\n", i);
				no += snprintf(names + no, sizeof(names) - no, ":x-f%d", i);
			}
			snprintf(dup, sizeof(dup),
					 "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel; h=x; "
					 "h=%s:dkim-signature:x; bh=AAAA; b=AAAA\r\n%s\r\nbody\r\n", names, hdrs);
			verify(dup, strlen(dup), &f, 0);
			if (O.nresults != 1 || O.results[0].result == MA_DKIM_PASS ||
				O.results[0].result == MA_DKIM_NONE)
			{
				printf("# %d fields: %s (%s)\n", nf, r0(), why0());
				all = false;
			}
		}
		ok(all, "a repeated h= naming every field and one more (2 to 8 fields): "
		   "not a pass, no crash (%s, %s)", r0(), why0());
	}
	{
		/*
		 * The pad field ma_dkim.c adds must never be one a signature names:
		 * a message whose own signed fields are called X-Mailauth-Pad0, or
		 * X-Mailauth-Pad0 to X-Mailauth-Pad9, still passes.
		 */
		char		hdrs[1024];
		int			o = snprintf(hdrs, sizeof(hdrs), "%s", HDRS);

		for (int i = 0; i < 10; i++)
		{
			char	   *s;
			int			named;

			o += snprintf(hdrs + o, sizeof(hdrs) - o, "\r\nX-Mailauth-Pad%d: mine", i);
			if (i != 0 && i != 9)
				continue;
			s = sign(&k2048, "sel", "example.org", hdrs, BODY, DKIM_SIGN_RSASHA256, -1);
			if (s == NULL)
			{
				ok(0, "signing with X-Mailauth-Pad fields");
				continue;
			}
			verify(s, strlen(s), &f, 0);
			named = 0;
			for (int j = 0; O.nresults == 1 && j < O.results[0].nsigned_headers; j++)
				named += strncmp(O.results[0].signed_headers[j], "x-mailauth-pad", 14) == 0;
			ok(strcmp(r0(), "pass") == 0 && named == i + 1,
			   "signed fields X-Mailauth-Pad0%s (%d in h=): %s (%s)", i ? " to 9" : "",
			   named, r0(), why0());
			free(s);
		}
	}
	{
		/* 100 signatures on top of the good one */
		size_t		cap = strlen(m) + 100 * 200;
		char	   *many = malloc(cap);
		size_t		o = 0;

		for (int i = 0; i < 100; i++)
			o += snprintf(many + o, cap - o,
						  "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s%d; "
						  "h=from; bh=AAAA; b=AAAA\r\n", i);
		strcpy(many + o, m);
		t0 = now_s();
		verify(many, strlen(many), &f, 0);
		ok(O.nsigs == 101 && O.nresults == MA_DKIM_DEFAULT_MAX_SIGS,
		   "101 signatures: %d seen, %d verified (%.3f s)", O.nsigs, O.nresults,
		   now_s() - t0);
		verify(many, strlen(many), &f, 200);
		ok(O.nresults == 101 && O.results[100].result == MA_DKIM_PASS,
		   "101 signatures with max_sigs 200: the last passes (%s)",
		   O.nresults == 101 ? O.results[100].reason : "-");
		free(many);
	}
	{
		/* a 10,000-character header line, not signed */
		char	   *longh = malloc(strlen(m) + 10100);
		const char *body = strstr(m, "\r\n\r\n");
		size_t		o = body - m + 2;

		memcpy(longh, m, o);
		memcpy(longh + o, "X-Long: ", 8);
		memset(longh + o + 8, 'x', 10000);
		strcpy(longh + o + 10008, body);
		verify(longh, strlen(longh), &f, 0);
		ok(strcmp(r0(), "pass") == 0, "10,000-character header line: %s (%s)", r0(), why0());
		free(longh);
	}
	{
		/* 50 MB body */
		size_t		big = 50u << 20;
		size_t		n = strlen(m);
		char	   *b = malloc(n + big + 1);
		struct rusage ru;

		memcpy(b, m, n);
		for (size_t i = 0; i < big; i += 64)
			memcpy(b + n + i, "0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUV\r\n",
				   big - i < 64 ? big - i : 64);
		b[n + big] = '\0';
		t0 = now_s();
		verify(b, n + big, &f, 0);
		getrusage(RUSAGE_SELF, &ru);
		ok(strcmp(r0(), "fail") == 0 && now_s() - t0 < 30,
		   "50 MB body: %s (%s) in %.2f s, max RSS %ld MB", r0(), why0(),
		   now_s() - t0, ru.ru_maxrss / 1024);
		free(b);
	}

	corpus_tests();

	ok(n_disagree == 0 && n_compared > 20 && ma_dkim_fast_used > 10,
	   "fast path and libopendkim's own crypto agree on %d of %d verifications "
	   "(%llu signatures through the fast path)%s%s", n_compared - n_disagree, n_compared,
	   (unsigned long long) ma_dkim_fast_used, n_disagree ? ": " : "", first_disagreement);

	ma_dkim_outcome_free(&O);
	free(m);
	fake_free(&f);
	freekey(&k2048);
	freekey(&k512);
	printf("1..%d\n", ntest);
	return nfail ? 1 : 0;
}
