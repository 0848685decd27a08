/*-------------------------------------------------------------------------
 *
 * pg_dkim.c
 *	  SQL functions of DKIM: dkim_verify() on libopendkim (src/core/ma_dkim.c)
 *	  and dkim_key() on the key linter (src/core/ma_dkimkey.c), both in the
 *	  waves DNS model of ma_spf.h; the core's malloc()ed state is freed by
 *	  memory context reset callbacks whatever happens.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "mailauth.h"
#include "pg_bulk.h"
#include "core/ma_dkim.h"
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
/* the columns of dkim_key_record, from values[off] on */
static void
key_values(const ma_dkim_key *k, Datum *values, bool *nulls, int off)
{
	Datum	   *probs;

	memset(nulls + off, 0, sizeof(bool) * 9);
	values += off;
	nulls += off;
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
}

/* the single form's checks of its arguments */
static void
check_key_args(const char *selector, const char *domain, char *norm)
{
	mailauth_dns_normalize(domain, norm);
	if (selector[0] == '\0' || strlen(selector) > MA_DNS_MAXNAME)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid DKIM selector \"%s\"", selector)));
}

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

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	check_key_args(selector, domain, norm);

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
	key_values(k, values, nulls, 0);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(td, values, nulls)));
}

/*
 * dkim_key(selectors text[], domains text[])
 *	 RETURNS TABLE(selector, domain, <the columns of dkim_key_record>)
 * Parallel arrays (one element: used for every row); a NULL element skips
 * the row; invalid input is the single form's ERROR; every lookup in the
 * same waves (pg_bulk.c).
 */
typedef struct KeyBulk
{
	ReturnSetInfo *rsinfo;
	char	  **selectors;		/* per item */
	char	  **norms;
	Datum	   *selkeys;
	Datum	   *domkeys;
	ma_dkim_key *keys;			/* per slot */
	int			nslots;
} KeyBulk;

static void
keybulk_callback(void *arg)
{
	KeyBulk    *kb = arg;

	for (int i = 0; i < kb->nslots; i++)
		ma_dkim_key_free(&kb->keys[i]);
}

static int
key_step(void *arg, int item, int slot, int wave, ma_dns_wave *w)
{
	KeyBulk    *kb = arg;
	ma_dkim_key *k = &kb->keys[slot];

	ma_dkim_key_free(k);
	if (ma_dkim_key_lookup(kb->selectors[item], kb->norms[item], ma_dns_wave_lookup, w, k) == 0)
		return 0;
	if (wave >= MAX_WAVES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("DKIM key lookup needed more than %d rounds of DNS lookups", MAX_WAVES)));
	return 1;
}

static void
key_emit(void *arg, int item, int slot)
{
	KeyBulk    *kb = arg;
	Datum		values[11];
	bool		nulls[11];

	values[0] = kb->selkeys[item];
	values[1] = kb->domkeys[item];
	nulls[0] = nulls[1] = false;
	key_values(&kb->keys[slot], values, nulls, 2);
	tuplestore_putvalues(kb->rsinfo->setResult, kb->rsinfo->setDesc, values, nulls);
	ma_dkim_key_free(&kb->keys[slot]);
}

PG_FUNCTION_INFO_V1(mailauth_dkim_key_many);
Datum
mailauth_dkim_key_many(PG_FUNCTION_ARGS)
{
	MailauthBulkArg args[2];
	KeyBulk    *kb = palloc0(sizeof(KeyBulk));
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));
	int			nrows,
				n = 0;

	mailauth_bulk_arg(fcinfo, 0, TEXTOID, "selectors", &args[0]);
	mailauth_bulk_arg(fcinfo, 1, TEXTOID, "domains", &args[1]);
	nrows = mailauth_bulk_rows("dkim_key", args, 2);
	kb->selectors = palloc(sizeof(char *) * Max(nrows, 1));
	kb->norms = palloc(sizeof(char *) * Max(nrows, 1));
	kb->selkeys = palloc(sizeof(Datum) * Max(nrows, 1));
	kb->domkeys = palloc(sizeof(Datum) * Max(nrows, 1));
	for (int i = 0; i < nrows; i++)
	{
		Datum		s,
					d;
		char		norm[MA_DNS_MAXNAME + 1];

		if (!mailauth_bulk_get(&args[0], i, &s) || !mailauth_bulk_get(&args[1], i, &d))
			continue;
		kb->selectors[n] = TextDatumGetCString(s);
		check_key_args(kb->selectors[n], TextDatumGetCString(d), norm);
		kb->norms[n] = pstrdup(norm);
		kb->selkeys[n] = s;
		kb->domkeys[n++] = d;
	}
	mailauth_init_srf(fcinfo);
	kb->rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	kb->nslots = mailauth_bulk_nslots(n);
	kb->keys = palloc0(sizeof(ma_dkim_key) * kb->nslots);
	cb->func = keybulk_callback;
	cb->arg = kb;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	mailauth_bulk_run(fcinfo, n, key_step, key_emit, kb);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * dkim_verify(message bytea | text)
 *	 RETURNS TABLE(domain, selector, algorithm, canonicalization, identity,
 *				   key_bits, body_length, signed_headers, signed_at,
 *				   expires_at, result, reason)
 * ---------------------------------------------------------------------
 */
static void
outcome_reset_callback(void *arg)
{
	ma_dkim_outcome_free((ma_dkim_outcome *) arg);
}

static Datum
epoch_datum(int64_t t, bool *isnull)
{
	/* absent, or beyond what a timestamptz holds sensibly (year 9999) */
	*isnull = (t < 0 || t > INT64CONST(253402300799));
	return *isnull ? (Datum) 0 : TimestampTzGetDatum(time_t_to_timestamptz((pg_time_t) t));
}

static Datum
dkim_verify_common(FunctionCallInfo fcinfo, const char *msg, size_t len)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ma_dns_wave *w;
	ma_dkim_outcome *out = palloc0(sizeof(ma_dkim_outcome));
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

	mailauth_init_srf(fcinfo);
	cb->func = outcome_reset_callback;
	cb->arg = out;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	w = mailauth_wave_new();
	for (int wave = 0;; wave++)
	{
		ma_dkim_outcome_free(out);
		if (ma_dkim_verify(msg, len, ma_dns_wave_lookup, w, mailauth_dkim_max_signatures, out) == 0)
			break;
		if (wave >= MAX_WAVES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("DKIM verification needed more than %d rounds of DNS lookups", MAX_WAVES)));
		mailauth_wave_resolve(w);
	}

	for (int i = 0; i < out->nresults; i++)
	{
		const ma_dkim_sig *s = &out->results[i];
		Datum		values[12];
		bool		nulls[12];
		bool		unsigned_msg = (s->result == MA_DKIM_NONE);

		memset(nulls, 0, sizeof(nulls));
		values[0] = str_datum(s->domain[0] ? s->domain : NULL, &nulls[0]);
		values[1] = str_datum(s->selector[0] ? s->selector : NULL, &nulls[1]);
		values[2] = str_datum(s->algorithm[0] ? s->algorithm : NULL, &nulls[2]);
		values[3] = str_datum(s->canon[0] ? s->canon : NULL, &nulls[3]);
		values[4] = str_datum(s->identity[0] ? s->identity : NULL, &nulls[4]);
		values[5] = Int32GetDatum(s->key_bits);
		nulls[5] = (s->key_bits <= 0);
		values[6] = Int64GetDatum(s->body_length);
		nulls[6] = (s->body_length < 0);
		values[7] = text_array(s->signed_headers, s->nsigned_headers);
		nulls[7] = unsigned_msg;
		values[8] = epoch_datum(s->signed_at, &nulls[8]);
		values[9] = epoch_datum(s->expires_at, &nulls[9]);
		values[10] = CStringGetTextDatum(ma_dkim_res_name(s->result));
		values[11] = str_datum(s->reason[0] ? s->reason : (out->problem[0] ? out->problem : NULL),
							   &nulls[11]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(mailauth_dkim_verify_bytea);
Datum
mailauth_dkim_verify_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *m = PG_GETARG_BYTEA_PP(0);

	return dkim_verify_common(fcinfo, VARDATA_ANY(m), VARSIZE_ANY_EXHDR(m));
}

PG_FUNCTION_INFO_V1(mailauth_dkim_verify_text);
Datum
mailauth_dkim_verify_text(PG_FUNCTION_ARGS)
{
	text	   *m = PG_GETARG_TEXT_PP(0);

	return dkim_verify_common(fcinfo, VARDATA_ANY(m), VARSIZE_ANY_EXHDR(m));
}
