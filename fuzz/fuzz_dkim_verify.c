/*-------------------------------------------------------------------------
 *
 * fuzz_dkim_verify.c
 *	  libFuzzer target: ma_dkim_verify_at() as a whole (ma_dkim.c over
 *	  libopendkim), the message taken from the input.
 *
 * Input: the message bytes, optionally followed by a line "%%ZONE%%" and
 * zone text (fuzz_common.h) whose records answer the key lookups first;
 * what it does not know is answered from the fixed zone below (the keys of
 * test/zones/dkim.test.zone, private halves in test/keys/).  Directives in
 * the zone text:
 *	$NOW <seconds>		verification time (default: the fixtures' t= + 1 h)
 *	$MAXSIGS <n>		max_sigs (default 0: the library default)
 *	$DIRECT 1			a lookup callback that answers on the spot instead
 *						of the waves store (both are paths of the PG glue)
 *	$POLICY 1			ma_dkim_partial_body_policy = true
 *	$SLOW 1				ma_dkim_fast_crypto = false (when ma_dkim.c has that
 *						switch): every signature through libopendkim's crypto
 *
 * libopendkim has live assert()s: any abort here is a bug of ma_dkim.c's
 * validation layer (see fuzz/README.md).
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dkim.h"
#include "fuzz_common.h"

/* weak: the switch may not exist in every version of ma_dkim.c */
extern bool ma_dkim_fast_crypto;
#pragma weak ma_dkim_fast_crypto

#define SEP "\n%%ZONE%%\n"
#define DEFAULT_NOW 1795364785	/* t= of sql/dkim_verify.sql fixtures + 1 h */

static const char builtin_text[] =
	"$ORIGIN dkim.test.\n"
	"$TTL 3600\n"
	"rsa2048._domainkey  TXT     \"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArR2mBZZmj4ZJPVwJFtTxbGw/n8zM9FAQeEObtF5CjxWIi8d72YxEax76w0VZ7/GNaYj2bWzLo7GpgtqBJUcnXgHuPeTf7m2t5lt+4uCn9W0u37b5AwFV3B6wAc03LYqNobNt3C8OXaT4loBxItfCbVBPKhP4M5+KhKJTaGVofdZ+8TAeCWhPoEJiAOgQ\" \"wQv+qheqdykszMwvTFWmwezwAjBvEEoy7JbPpVVlH2LsqggmNKOF93s04KXUA4kJmc83K+2Tmgba7b/DzpFwsJtY7CaBM7mwQ9/qmW47xNfa3wY+DQQjeMlwIP4tfDbjV4Z/JhMOdvqq8lTGB8VUHz9rcwIDAQAB\"\n"
	"rsa1024._domainkey  TXT     \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC4bvbFho8zQb7IKJTTD9EaZDCCCcf3/A3fpuVIKrXDrjw4aafZVjblIjKnVLGuN9EllfrLfjKIH5LlZrF4KV8lYo2D2IK/uXh72cGkzYmtFdb1Kj8HOkOIz7CaH5dKM3YBjsRFeHTebJASoIaQvtWZcNI8u6Io1+SsZZQ36L7tewIDAQAB\"\n"
	"rsa512._domainkey   TXT     \"v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKhNg2qZlOTiIus+N09zBg9Tr4sHyBRfnuyFQdv3vUhaju+nO2VfSiuJ0aIKzrnx52Hh1DcQ5C/6PtQneEKWb1UCAwEAAQ==\"\n"
	"ed._domainkey       TXT     \"v=DKIM1; k=ed25519; p=FTjGhjngCPTNCI2JA3CMWBVtxuvbaNk/5XXoLu22Xs8=\"\n"
	"testing._domainkey  TXT     \"v=DKIM1; t=y; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArR2mBZZmj4ZJPVwJFtTxbGw/n8zM9FAQeEObtF5CjxWIi8d72YxEax76w0VZ7/GNaYj2bWzLo7GpgtqBJUcnXgHuPeTf7m2t5lt+4uCn9W0u37b5AwFV3B6wAc03LYqNobNt3C8OXaT4loBxItfCbVBPKhP4M5+KhKJTaGVofdZ+8TAeCWhPoEJiAOgQwQ\" \"v+qheqdykszMwvTFWmwezwAjBvEEoy7JbPpVVlH2LsqggmNKOF93s04KXUA4kJmc83K+2Tmgba7b/DzpFwsJtY7CaBM7mwQ9/qmW47xNfa3wY+DQQjeMlwIP4tfDbjV4Z/JhMOdvqq8lTGB8VUHz9rcwIDAQAB\"\n"
	"revoked._domainkey  TXT     \"v=DKIM1; p=\"\n"
	"broken._domainkey   TXT     \"v=DKIM1; k=rsa; p=!!!not-base64!!!\"\n"
	"sha1._domainkey     TXT     \"v=DKIM1; h=sha1; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArR2mBZZmj4ZJPVwJFtTxbGw/n8zM9FAQeEObtF5CjxWIi8d72YxEax76w0VZ7/GNaYj2bWzLo7GpgtqBJUcnXgHuPeTf7m2t5lt+4uCn9W0u37b5AwFV3B6wAc03LYqNobNt3C8OXaT4loBxItfCbVBPKhP4M5+KhKJTaGVofdZ+8TAeCWhPoEJiAOg\" \"QwQv+qheqdykszMwvTFWmwezwAjBvEEoy7JbPpVVlH2LsqggmNKOF93s04KXUA4kJmc83K+2Tmgba7b/DzpFwsJtY7CaBM7mwQ9/qmW47xNfa3wY+DQQjeMlwIP4tfDbjV4Z/JhMOdvqq8lTGB8VUHz9rcwIDAQAB\"\n"
	"web._domainkey      TXT     \"v=DKIM1; s=web; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArR2mBZZmj4ZJPVwJFtTxbGw/n8zM9FAQeEObtF5CjxWIi8d72YxEax76w0VZ7/GNaYj2bWzLo7GpgtqBJUcnXgHuPeTf7m2t5lt+4uCn9W0u37b5AwFV3B6wAc03LYqNobNt3C8OXaT4loBxItfCbVBPKhP4M5+KhKJTaGVofdZ+8TAeCWhPoEJiAOgQ\" \"wQv+qheqdykszMwvTFWmwezwAjBvEEoy7JbPpVVlH2LsqggmNKOF93s04KXUA4kJmc83K+2Tmgba7b/DzpFwsJtY7CaBM7mwQ9/qmW47xNfa3wY+DQQjeMlwIP4tfDbjV4Z/JhMOdvqq8lTGB8VUHz9rcwIDAQAB\"\n"
	"dup._domainkey      TXT     \"v=DKIM1; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArR2mBZZmj4ZJPVwJFtTxbGw/n8zM9FAQeEObtF5CjxWIi8d72YxEax76w0VZ7/GNaYj2bWzLo7GpgtqBJUcnXgHuPeTf7m2t5lt+4uCn9W0u37b5AwFV3B6wAc03LYqNobNt3C8OXaT4loBxItfCbVBPKhP4M5+KhKJTaGVofdZ+8TAeCWhPoEJiAOgQwQv+qhe\" \"qdykszMwvTFWmwezwAjBvEEoy7JbPpVVlH2LsqggmNKOF93s04KXUA4kJmc83K+2Tmgba7b/DzpFwsJtY7CaBM7mwQ9/qmW47xNfa3wY+DQQjeMlwIP4tfDbjV4Z/JhMOdvqq8lTGB8VUHz9rcwIDAQAB\"\n"
	"dup._domainkey      TXT     \"v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC4bvbFho8zQb7IKJTTD9EaZDCCCcf3/A3fpuVIKrXDrjw4aafZVjblIjKnVLGuN9EllfrLfjKIH5LlZrF4KV8lYo2D2IK/uXh72cGkzYmtFdb1Kj8HOkOIz7CaH5dKM3YBjsRFeHTebJASoIaQvtWZcNI8u6Io1+SsZZQ36L7tewIDAQAB\"\n"
	"badsyntax._domainkey TXT    \"k=rsa; v=DKIM1; p\"\n"
	"alias._domainkey    CNAME   rsa2048._domainkey\n"
	"@                   TXT     \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
	"_dmarc              TXT     \"v=DMARC1; p=reject; rua=mailto:dmarc@dkim.test\"\n";

static fz_zone builtin;

/*
 * Fixed bug (ma_dkim.c, overflow_pad): a signature whose h= names every header
 * field of the message and one more name made libopendkim write past a heap
 * array (also through a repeated h= tag, of which libopendkim uses the last);
 * the inputs are in fuzz/regressions/fuzz_dkim_verify/.  ASan does not see
 * that write on the input itself (libopendkim is not instrumented): fuzz/run.sh
 * also replays them on the plain build under glibc's malloc checks.
 */

typedef struct opts
{
	int64_t		now;
	int			max_sigs;
	bool		direct;
	bool		policy;
	bool		slow;
} opts;

static void
directive(void *arg, const char *word, const char *value)
{
	opts	   *o = arg;
	long long	v = strtoll(value, NULL, 10);

	if (strcasecmp(word, "NOW") == 0)
		o->now = v;
	else if (strcasecmp(word, "MAXSIGS") == 0)
		o->max_sigs = (int) (v % 1000);
	else if (strcasecmp(word, "DIRECT") == 0)
		o->direct = v != 0;
	else if (strcasecmp(word, "POLICY") == 0)
		o->policy = v != 0;
	else if (strcasecmp(word, "SLOW") == 0)
		o->slow = v != 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	fz_zone_init(&builtin, "");
	fz_zone_parse(&builtin, builtin_text, strlen(builtin_text), NULL, NULL);
	return 0;
}

static void
check_outcome(const ma_dkim_outcome *out, int max_sigs)
{
	int			lim = max_sigs <= 0 ? MA_DKIM_DEFAULT_MAX_SIGS : max_sigs;

	FZ_CHECK(!out->pending, "done but pending");
	FZ_CHECK(out->nresults >= 1 && out->nresults <= (lim > 1 ? lim : 1),
			 "nresults %d (nsigs %d, max %d)", out->nresults, out->nsigs, lim);
	FZ_CHECK(out->results != NULL, "no result array");
	FZ_CHECK(strnlen(out->problem, sizeof(out->problem)) < sizeof(out->problem), "problem");
	for (int i = 0; i < out->nresults; i++)
	{
		const ma_dkim_sig *s = &out->results[i];

		FZ_CHECK(s->result >= MA_DKIM_NONE && s->result <= MA_DKIM_PERMERROR,
				 "result %d", (int) s->result);
		FZ_CHECK(s->reason[0] != '\0', "result %d has no reason", i);
		FZ_CHECK(strnlen(s->domain, sizeof(s->domain)) < sizeof(s->domain), "domain");
		FZ_CHECK(strnlen(s->selector, sizeof(s->selector)) < sizeof(s->selector), "sel");
		FZ_CHECK(strnlen(s->identity, sizeof(s->identity)) < sizeof(s->identity), "i=");
		FZ_CHECK(strnlen(s->canon, sizeof(s->canon)) < sizeof(s->canon), "c=");
		FZ_CHECK(strnlen(s->algorithm, sizeof(s->algorithm)) < sizeof(s->algorithm), "a=");
		FZ_CHECK(s->nsigned_headers == 0 || s->signed_headers != NULL, "h= list");
		for (int j = 0; j < s->nsigned_headers; j++)
			FZ_CHECK(s->signed_headers[j] != NULL, "h= entry %d", j);
		/* a pass is never given to what our policies refuse */
		if (s->result == MA_DKIM_PASS)
			FZ_CHECK(strcasecmp(s->algorithm, "rsa-sha1") != 0, "rsa-sha1 passed");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		mlen = fz_find(data, size, SEP);
	opts		o = {DEFAULT_NOW, 0, false, false, false};
	fz_zone		z;
	fz_zone    *zones[2] = {&z, &builtin};
	ma_dns_wave *w;
	ma_dkim_outcome out;
	int			rc;
	w = ma_dns_wave_new();

#ifdef FUZZ_SAVE_INPUT
	/* hunting heap corruption in uninstrumented libraries: keep the input */
	{
		FILE	   *f = fopen(FUZZ_SAVE_INPUT, "wb");

		if (f)
		{
			fwrite(data, 1, size, f);
			fclose(f);
		}
	}
#endif
	fz_zone_init(&z, "");
	if (mlen < size)
		fz_zone_parse(&z, (const char *) data + mlen + strlen(SEP),
					  size - mlen - strlen(SEP), directive, &o);
	ma_dkim_partial_body_policy = o.policy;
	if (&ma_dkim_fast_crypto != NULL)
		ma_dkim_fast_crypto = !o.slow;
	memset(&out, 0, sizeof(out));
	if (o.direct)
	{
		fz_direct	d = {w, zones, 2, 0};

		rc = ma_dkim_verify_at((const char *) data, mlen, fz_direct_lookup, &d,
							   o.max_sigs, o.now, &out);
		FZ_CHECK(rc == 0, "pending although every lookup was answered");
	}
	else
	{
		for (int wave = 0;; wave++)
		{
			rc = ma_dkim_verify_at((const char *) data, mlen, ma_dns_wave_lookup, w,
								   o.max_sigs, o.now, &out);
			if (rc == 0)
				break;
			FZ_CHECK(rc == 1 && out.pending && out.nresults == 0, "rc %d", rc);
			ma_dkim_outcome_free(&out);
			FZ_CHECK(fz_wave_resolve(w, zones, 2) > 0,
					 "pending, but nothing new was asked (wave %d)", wave);
			FZ_CHECK(wave < 16, "more than 16 waves");
		}
	}
	check_outcome(&out, o.max_sigs);
	if (getenv("FUZZ_VERBOSE"))
		for (int i = 0; i < out.nresults; i++)
			fprintf(stderr, "sig %d: %s (%s) d=%s s=%s a=%s bits=%d\n", i,
					ma_dkim_res_name(out.results[i].result), out.results[i].reason,
					out.results[i].domain, out.results[i].selector,
					out.results[i].algorithm, out.results[i].key_bits);
	ma_dkim_outcome_free(&out);
	ma_dkim_partial_body_policy = false;
	ma_dns_wave_free(w);
	fz_zone_free(&z);
	return 0;
}
