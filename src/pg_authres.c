/*-------------------------------------------------------------------------
 *
 * pg_authres.c
 *	  parse_authentication_results(): Authentication-Results (RFC 8601) and
 *	  Received-SPF (RFC 7208 9.1) fields as rows.  Pure: IMMUTABLE.
 *
 * The parser (src/core/ma_authres.c) mallocs its list; PG_FINALLY frees it
 * whatever happens while the rows are built.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "mailauth.h"
#include "core/ma_authres.h"

static Datum
bytes_or_null(const char *s, bool *isnull)
{
	if (s == NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;
	return PointerGetDatum(mailauth_bytes_to_text(s, strlen(s)));
}

/* the properties as jsonb; the malloc()ed JSON text is freed before anything can throw */
static Datum
properties_jsonb(const ma_authres_result *r)
{
	char	   *json = ma_authres_properties_json(r);
	char	   *copy = NULL;

	if (json)
	{
		size_t		len = strlen(json);

		copy = palloc_extended(len + 1, MCXT_ALLOC_NO_OOM);
		if (copy)
			memcpy(copy, json, len + 1);
		free(json);
	}
	if (copy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while parsing Authentication-Results")));
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(copy));
}

static void
emit_rows(ReturnSetInfo *rsinfo, const ma_authres_list *list)
{
	for (int i = 0; i < list->nresults; i++)
	{
		const ma_authres_result *r = &list->results[i];
		Datum		values[6];
		bool		nulls[6];

		memset(nulls, 0, sizeof(nulls));
		values[0] = bytes_or_null(r->authserv_id, &nulls[0]);
		values[1] = Int32GetDatum(r->version);
		values[2] = bytes_or_null(r->method, &nulls[2]);
		values[3] = bytes_or_null(r->result, &nulls[3]);
		values[4] = bytes_or_null(r->reason, &nulls[4]);
		values[5] = properties_jsonb(r);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

PG_FUNCTION_INFO_V1(mailauth_parse_authentication_results);
Datum
mailauth_parse_authentication_results(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *in = PG_GETARG_TEXT_PP(0);
	ma_authres_list list;

	mailauth_init_srf(fcinfo);
	if (ma_authres_parse(VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), &list) < 0)
	{
		ma_authres_list_free(&list);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while parsing Authentication-Results")));
	}
	PG_TRY();
	{
		emit_rows(rsinfo, &list);
	}
	PG_FINALLY();
	{
		ma_authres_list_free(&list);
	}
	PG_END_TRY();
	return (Datum) 0;
}
