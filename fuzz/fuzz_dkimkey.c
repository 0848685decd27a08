/*-------------------------------------------------------------------------
 *
 * fuzz_dkimkey.c
 *	  libFuzzer target: DKIM key record parsing and linting (ma_dkimkey.c):
 *	  ma_dkim_key_parse() on the input, and ma_dkim_key_lookup() through the
 *	  waves store with the input's records as the TXT answer.
 *
 * Input: up to three TXT records separated by lines ";;" ("\n;;\n"), all
 * published at sel._domainkey.fuzz.test (one record, or "several
 * records"); the first is also parsed on its own.
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dkimkey.h"
#include "fuzz_common.h"

static void
check_key(const ma_dkim_key *k)
{
	FZ_CHECK(!k->pending && k->status != NULL, "status");
	FZ_CHECK(strcmp(k->status, "ok") == 0 || strcmp(k->status, "none") == 0 ||
			 strcmp(k->status, "invalid") == 0 || strcmp(k->status, "temperror") == 0,
			 "status %s", k->status);
	FZ_CHECK(k->nproblems >= 0 && k->nproblems <= MA_DKIM_KEY_MAX_PROBLEMS, "%d problems",
			 k->nproblems);
	for (int i = 0; i < k->nproblems; i++)
		FZ_CHECK(k->problems[i].severity && k->problems[i].code && k->problems[i].detail,
				 "problem %d", i);
	for (int i = 0; i < k->nhash_algorithms; i++)
		FZ_CHECK(k->hash_algorithms[i] != NULL, "h= %d", i);
	for (int i = 0; i < k->nservice_types; i++)
		FZ_CHECK(k->service_types[i] != NULL, "s= %d", i);
	for (int i = 0; i < k->nflags; i++)
		FZ_CHECK(k->flags[i] != NULL, "t= %d", i);
	FZ_CHECK(k->key_bits >= 0, "bits %d", k->key_bits);
	if (k->record)
		FZ_CHECK(strlen(k->record) > 0 || k->key_type != NULL, "record");
	/* "ok" means a verifier would use it: no error-level problem */
	if (strcmp(k->status, "ok") == 0)
		for (int i = 0; i < k->nproblems; i++)
			FZ_CHECK(strcmp(k->problems[i].severity, "error") != 0,
					 "status ok with error %s", k->problems[i].code);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_zone		z;
	fz_zone    *zones[1] = {&z};
	size_t		pos = 0;
	char	   *first = NULL;
	size_t		firstlen = 0;
	ma_dkim_key k;
	ma_dns_wave *w;

	fz_zone_init(&z, "");
	for (int i = 0; i < 3 && pos <= size; i++)
	{
		size_t		n = fz_find(data + pos, size - pos, "\n;;\n");
		fz_rr	   *r = fz_add(&z, "sel._domainkey.fuzz.test", MA_T_TXT, 300);

		r->data = fz_strndup(data + pos, n);
		r->datalen = n;
		if (i == 0)
		{
			first = malloc(n ? n : 1);
			memcpy(first, data, n);
			firstlen = n;
		}
		pos += n + 4;
	}
	memset(&k, 0, sizeof(k));
	FZ_CHECK(ma_dkim_key_parse(first, firstlen, &k) == 0, "parse failed");
	check_key(&k);
	ma_dkim_key_free(&k);

	w = ma_dns_wave_new();
	for (int wave = 0;; wave++)
	{
		memset(&k, 0, sizeof(k));
		if (ma_dkim_key_lookup("sel", "fuzz.test", ma_dns_wave_lookup, w, &k) == 0)
			break;
		FZ_CHECK(k.pending, "rc 1 but not pending");
		ma_dkim_key_free(&k);
		FZ_CHECK(fz_wave_resolve(w, zones, 1) > 0, "pending, nothing asked");
		FZ_CHECK(wave < 10, "more than 10 waves");
	}
	check_key(&k);
	ma_dkim_key_free(&k);
	ma_dns_wave_free(w);
	free(first);
	fz_zone_free(&z);
	return 0;
}
