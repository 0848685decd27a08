/*-------------------------------------------------------------------------
 *
 * pg_dkim.c
 *	  SQL functions of DKIM: dkim_key() on the key linter of the core
 *	  (src/core/ma_dkimkey.c), in the waves DNS model of ma_spf.h.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "mailauth.h"
#include "core/ma_dkimkey.h"

#define MAX_WAVES 20

static void
key_reset_callback(void *arg)
{
	ma_dkim_key_free((ma_dkim_key *) arg);
}

static Datum
text_array(char **items, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = PointerGetDatum(mailauth_bytes_to_text(items[i], strlen(items[i])));
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
str_datum(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return *isnull ? (Datum) 0 : PointerGetDatum(mailauth_bytes_to_text(s, strlen(s)));
}

/* ---------------------------------------------------------------------
 * dkim_key(selector text, domain text) RETURNS dkim_key_record
 *	 (record, key_type, key_bits, hash_algorithms, service_types, flags,
 *	  testing, revoked, problems)
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_dkim_key);
Datum
mailauth_dkim_key(PG_FUNCTION_ARGS)
{
	TupleDesc	td;
	char	   *selector = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *domain = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char		norm[MA_DNS_MAXNAME + 1];
	ma_dns_wave *w;
	ma_dkim_key *k = palloc0(sizeof(ma_dkim_key));
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));
	Datum		values[9];
	bool		nulls[9];
	Datum	   *probs;

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	mailauth_dns_normalize(domain, norm);
	if (selector[0] == '\0' || strlen(selector) > MA_DNS_MAXNAME)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid DKIM selector \"%s\"", selector)));

	cb->func = key_reset_callback;
	cb->arg = k;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	w = mailauth_wave_new();
	for (int wave = 0;; wave++)
	{
		ma_dkim_key_free(k);
		if (ma_dkim_key_lookup(selector, norm, ma_dns_wave_lookup, w, k) == 0)
			break;
		if (wave >= MAX_WAVES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("DKIM key lookup needed more than %d rounds of DNS lookups", MAX_WAVES)));
		mailauth_wave_resolve(w);
	}

	memset(nulls, 0, sizeof(nulls));
	values[0] = str_datum(k->record, &nulls[0]);
	values[1] = str_datum(k->key_type, &nulls[1]);
	values[2] = Int32GetDatum(k->key_bits);
	nulls[2] = (k->record == NULL || k->key_bits == 0);
	values[3] = text_array(k->hash_algorithms, k->nhash_algorithms);
	values[4] = text_array(k->service_types, k->nservice_types);
	values[5] = text_array(k->flags, k->nflags);
	values[6] = BoolGetDatum(k->testing);
	values[7] = BoolGetDatum(k->revoked);
	probs = palloc(sizeof(Datum) * Max(k->nproblems, 1));
	for (int i = 0; i < k->nproblems; i++)
	{
		char	   *s = psprintf("%s: %s", k->problems[i].code,
								 k->problems[i].detail ? k->problems[i].detail : "");

		probs[i] = PointerGetDatum(mailauth_bytes_to_text(s, strlen(s)));
	}
	values[8] = PointerGetDatum(construct_array(probs, k->nproblems, TEXTOID, -1, false,
												TYPALIGN_INT));
	if (k->record == NULL)
		nulls[3] = nulls[4] = nulls[5] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(td, values, nulls)));
}
