/*-------------------------------------------------------------------------
 *
 * pg_dmarc.c
 *	  SQL functions of DMARC: dmarc_record() on the DMARC core
 *	  (src/core/ma_dmarc.c), in the waves DNS model of ma_spf.h.
 *
 * The discovery state is malloc()ed by the core; a memory context reset
 * callback frees it whatever happens.
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
#include "core/ma_dmarc.h"

#define MAX_WAVES 100

static void
info_reset_callback(void *arg)
{
	ma_dmarc_info_free((ma_dmarc_info *) arg);
}

/* discover and lint the DMARC policy of one (normalised) domain */
static ma_dmarc_info *
dmarc_discover(const char *domain)
{
	ma_dns_wave *w = mailauth_wave_new();
	ma_dmarc_info *info = palloc0(sizeof(ma_dmarc_info));
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

	cb->func = info_reset_callback;
	cb->arg = info;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);

	for (int wave = 0;; wave++)
	{
		ma_dmarc_info_free(info);
		if (ma_dmarc_lookup_record(domain, (ma_dmarc_mode) mailauth_dmarc_mode,
								   ma_dns_wave_lookup, w, info) == 0)
			break;
		if (wave >= MAX_WAVES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("DMARC policy discovery needed more than %d rounds of DNS lookups",
							MAX_WAVES)));
		mailauth_wave_resolve(w);
	}
	return info;
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
policy_datum(ma_dmarc_policy p, bool *isnull)
{
	*isnull = (p == MA_DMARC_P_UNSET);
	return *isnull ? (Datum) 0 : CStringGetTextDatum(ma_dmarc_policy_name(p));
}

static Datum
str_datum(const char *s, bool *isnull)
{
	*isnull = (s == NULL || s[0] == '\0');
	return *isnull ? (Datum) 0 : PointerGetDatum(mailauth_bytes_to_text(s, strlen(s)));
}

/* ---------------------------------------------------------------------
 * dmarc_record(domain text) RETURNS dmarc_policy_record
 *	 (domain, record_domain, org_domain, record, p, sp, np, adkim, aspf, pct,
 *	  rua, ruf, fo, status, problems)
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_dmarc_record);
Datum
mailauth_dmarc_record(PG_FUNCTION_ARGS)
{
	TupleDesc	td;
	char	   *in = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char		norm[MA_DNS_MAXNAME + 1];
	ma_dmarc_info *info;
	Datum		values[15];
	bool		nulls[15];
	Datum	   *probs;
	char		q[2] = {0, 0};

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	mailauth_dns_normalize(in, norm);
	info = dmarc_discover(norm);

	memset(nulls, 0, sizeof(nulls));
	values[0] = CStringGetTextDatum(norm);
	values[1] = str_datum(info->record_domain, &nulls[1]);
	values[2] = str_datum(info->org_domain, &nulls[2]);
	values[3] = str_datum(info->record, &nulls[3]);
	if (info->have_record)
	{
		const ma_dmarc_record *r = &info->rec;

		values[4] = policy_datum(r->p, &nulls[4]);
		values[5] = policy_datum(r->sp, &nulls[5]);
		values[6] = policy_datum(r->np, &nulls[6]);
		q[0] = r->adkim;
		values[7] = CStringGetTextDatum(q);
		q[0] = r->aspf;
		values[8] = CStringGetTextDatum(q);
		values[9] = Int32GetDatum(r->pct);
		values[10] = text_array(r->rua, r->nrua);
		values[11] = text_array(r->ruf, r->nruf);
		values[12] = str_datum(r->fo, &nulls[12]);
	}
	else
		for (int i = 4; i <= 12; i++)
			nulls[i] = true;
	values[13] = CStringGetTextDatum(info->status ? info->status : "none");
	probs = palloc(sizeof(Datum) * Max(info->problems.n, 1));
	for (int i = 0; i < info->problems.n; i++)
	{
		const ma_dmarc_problem *p = &info->problems.items[i];
		char	   *s = psprintf("%s: %s", p->code, p->detail ? p->detail : "");

		probs[i] = PointerGetDatum(mailauth_bytes_to_text(s, strlen(s)));
	}
	values[14] = PointerGetDatum(construct_array(probs, info->problems.n, TEXTOID, -1, false,
												 TYPALIGN_INT));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(td, values, nulls)));
}
