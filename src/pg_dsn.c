/*-------------------------------------------------------------------------
 *
 * pg_dsn.c
 *	  Bounces as rows: parse_dsn(), smtp_status() and bounce_reason().
 *	  Pure functions over the core in src/core/ma_dsn.c and ma_bounce.c:
 *	  no DNS, IMMUTABLE PARALLEL SAFE.
 *
 * The core mallocs its result (GMime's objects never outlive
 * ma_dsn_parse()); PG_FINALLY frees it whatever happens while the rows are
 * built.  Every string the core returns is UTF-8; it is converted to the
 * database encoding here (characters the database encoding cannot hold
 * become '?').
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "mailauth.h"
#include "core/ma_dsn.h"

static Datum
str_or_null(const char *s, bool *isnull)
{
	if (s == NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;
	return PointerGetDatum(mailauth_utf8_to_text(s));
}

static Datum
time_or_null(bool has, int64_t t, bool *isnull)
{
	*isnull = !has;
	return has ? TimestampTzGetDatum(time_t_to_timestamptz((pg_time_t) t)) : (Datum) 0;
}

#define DSN_NCOLS 20

static void
emit_rows(ReturnSetInfo *rsinfo, const ma_dsn_result *res)
{
	for (size_t i = 0; i < res->n; i++)
	{
		const ma_dsn_rcpt *r = &res->rcpts[i];
		Datum		v[DSN_NCOLS];
		bool		n[DSN_NCOLS];

		memset(n, 0, sizeof(n));
		v[0] = str_or_null(r->recipient, &n[0]);
		v[1] = str_or_null(r->original_recipient, &n[1]);
		v[2] = str_or_null(r->action, &n[2]);
		v[3] = str_or_null(r->status, &n[3]);
		v[4] = Int32GetDatum(r->reply_code);
		n[4] = r->reply_code <= 0;
		v[5] = str_or_null(r->reason, &n[5]);
		v[6] = BoolGetDatum(r->hard_bounce);
		v[7] = str_or_null(r->diagnostic_type, &n[7]);
		v[8] = str_or_null(r->diagnostic, &n[8]);
		v[9] = str_or_null(r->remote_mta, &n[9]);
		v[10] = str_or_null(r->reporting_mta, &n[10]);
		v[11] = time_or_null(r->has_arrival_date, r->arrival_date, &n[11]);
		v[12] = time_or_null(r->has_last_attempt, r->last_attempt, &n[12]);
		v[13] = time_or_null(r->has_will_retry_until, r->will_retry_until, &n[13]);
		v[14] = str_or_null(r->original_envelope_id, &n[14]);
		v[15] = str_or_null(r->original_message_id, &n[15]);
		v[16] = str_or_null(r->original_from, &n[16]);
		v[17] = str_or_null(r->original_subject, &n[17]);
		v[18] = str_or_null(r->feedback_type, &n[18]);
		v[19] = str_or_null(r->source, &n[19]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
}

static Datum
parse_dsn_common(FunctionCallInfo fcinfo, const char *msg, size_t len)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ma_dsn_result res;
	bool		ok;

	mailauth_init_srf(fcinfo);
	if (rsinfo->setDesc->natts != DSN_NCOLS)
		elog(ERROR, "parse_dsn: return type must have %d columns", DSN_NCOLS);
	memset(&res, 0, sizeof(res));
	ok = ma_dsn_parse(msg, len, &res);
	if (!ok)
	{
		char		err[sizeof(res.error)];

		memcpy(err, res.error, sizeof(err));
		err[sizeof(err) - 1] = '\0';
		ma_dsn_free(&res);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("parse_dsn: %s", err[0] ? err : "out of memory")));
	}
	PG_TRY();
	{
		emit_rows(rsinfo, &res);
	}
	PG_FINALLY();
	{
		ma_dsn_free(&res);
	}
	PG_END_TRY();
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(mailauth_parse_dsn_bytea);
Datum
mailauth_parse_dsn_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *m = PG_GETARG_BYTEA_PP(0);

	return parse_dsn_common(fcinfo, VARDATA_ANY(m), VARSIZE_ANY_EXHDR(m));
}

PG_FUNCTION_INFO_V1(mailauth_parse_dsn_text);
Datum
mailauth_parse_dsn_text(PG_FUNCTION_ARGS)
{
	text	   *m = PG_GETARG_TEXT_PP(0);

	return parse_dsn_common(fcinfo, VARDATA_ANY(m), VARSIZE_ANY_EXHDR(m));
}

/* ---------------------------------------------------------------------
 * smtp_status(code text) -> (code, class, subject, detail, permanent, description)
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_smtp_status);
Datum
mailauth_smtp_status(PG_FUNCTION_ARGS)
{
	char	   *code = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ma_smtp_status st;
	TupleDesc	tupdesc;
	Datum		v[6];
	bool		n[6];
	char		desc[512];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "smtp_status: return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	if (!ma_smtp_status_lookup(code, &st))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid enhanced status code: \"%s\"", code),
				 errhint("An RFC 3463 code is class.subject.detail, class 2, 4 or 5, e.g. \"5.1.1\".")));
	memset(n, 0, sizeof(n));
	v[0] = CStringGetTextDatum(st.code);
	v[1] = Int32GetDatum(st.class_);
	v[2] = Int32GetDatum(st.subject);
	v[3] = Int32GetDatum(st.detail);
	v[4] = BoolGetDatum(st.permanent);
	if (st.description)
		snprintf(desc, sizeof(desc), "%s", st.description);
	else
		snprintf(desc, sizeof(desc), "%s: %s", st.class_text ? st.class_text : "",
				 st.subject_text ? st.subject_text : "Other or Undefined Status");
	v[5] = CStringGetTextDatum(desc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, v, n)));
}

/* ---------------------------------------------------------------------
 * bounce_reason(diagnostic text, status text DEFAULT NULL) -> text
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_bounce_reason);
Datum
mailauth_bounce_reason(PG_FUNCTION_ARGS)
{
	char	   *diag = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *status = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char		found[16];
	int			reply = 0;
	const char *reason;

	if (diag == NULL && status == NULL)
		PG_RETURN_NULL();
	/* no status given: the code in the text, as in a bounce */
	if (status == NULL && diag != NULL && ma_bounce_find_status(diag, found))
		status = found;
	if (diag != NULL)
	{
		const char *p = diag;

		while (*p == ' ' || *p == '\t')
			p++;
		if (p[0] >= '2' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9' &&
			p[2] >= '0' && p[2] <= '9' && (p[3] == ' ' || p[3] == '-' || p[3] == '\0'))
			reply = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	}
	reason = ma_bounce_reason(diag, status, reply, NULL, NULL, NULL, NULL);
	PG_RETURN_TEXT_P(cstring_to_text(reason));
}
