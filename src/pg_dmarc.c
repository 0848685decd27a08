/*-------------------------------------------------------------------------
 *
 * pg_dmarc.c
 *	  SQL functions of DMARC: dmarc_record() and dmarc_verify() on the DMARC
 *	  core (src/core/ma_dmarc.c), in the waves DNS model of ma_spf.h.
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
#include "core/ma_dkim.h"
#include "core/ma_dmarc.h"
#include "core/ma_msg.h"

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

/* ---------------------------------------------------------------------
 * dmarc_verify(message, ip inet, mail_from text, helo text DEFAULT NULL)
 *	 RETURNS dmarc_verdict (from_domain, org_domain, result, policy,
 *	 disposition, spf_result, spf_domain, spf_aligned, dkim_domains,
 *	 dkim_aligned, record)
 *
 * SPF through the selected SPF engine, DKIM through libopendkim, then the
 * DMARC core; all three share one answer store, so no name is asked twice.
 * ---------------------------------------------------------------------
 */
static void
outcome_reset_callback(void *arg)
{
	ma_dmarc_outcome_free((ma_dmarc_outcome *) arg);
}

static void
dkim_reset_callback(void *arg)
{
	ma_dkim_outcome_free((ma_dkim_outcome *) arg);
}

static void
register_free(void (*fn) (void *), void *arg)
{
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

	cb->func = fn;
	cb->arg = arg;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
}

static Datum
dmarc_verify_common(FunctionCallInfo fcinfo, const char *msg, size_t len)
{
	TupleDesc	td;
	inet	   *ip = PG_GETARG_INET_PP(1);
	char	   *mail_from = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *helo = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	ma_dns_wave *w = mailauth_wave_new();
	ma_spf_request sreq;
	ma_spf_outcome sout;
	ma_dkim_outcome *dout = palloc0(sizeof(ma_dkim_outcome));
	ma_dmarc_outcome *out = palloc0(sizeof(ma_dmarc_outcome));
	ma_dmarc_request req;
	ma_dmarc_dkim *dk;
	char		(*from)[256] = palloc(sizeof(char[256]) * MA_MSG_MAX_FROM);
	const char **fromp = palloc(sizeof(char *) * MA_MSG_MAX_FROM);
	int			nfrom,
				nfields,
				npass = 0;
	const char *at;
	char		msgid[512];
	Datum		values[11];
	bool		nulls[11];
	Datum	   *dd;

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	register_free(dkim_reset_callback, dout);
	register_free(outcome_reset_callback, out);

	/* SPF: MAIL FROM, or postmaster@HELO */
	mailauth_spf_request(&sreq, ip, mail_from, helo);
	mailauth_spf_evaluate(&sreq, w, &sout);

	/* DKIM */
	for (int wave = 0;; wave++)
	{
		ma_dkim_outcome_free(dout);
		if (ma_dkim_verify(msg, len, ma_dns_wave_lookup, w, mailauth_dkim_max_signatures, dout) == 0)
			break;
		if (wave >= MAX_WAVES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("DKIM verification needed more than %d rounds of DNS lookups", MAX_WAVES)));
		mailauth_wave_resolve(w);
	}
	dk = palloc(sizeof(ma_dmarc_dkim) * Max(dout->nresults, 1));
	for (int i = 0; i < dout->nresults; i++)
	{
		if (dout->results[i].result == MA_DKIM_NONE)
			continue;
		dk[npass].domain = dout->results[i].domain;
		dk[npass].result = ma_dmarc_auth_from_name(ma_dkim_res_name(dout->results[i].result));
		npass++;
	}

	/* DMARC */
	nfrom = ma_msg_from_domains(msg, len, from, MA_MSG_MAX_FROM, &nfields);
	for (int i = 0; i < nfrom; i++)
		fromp[i] = from[i];
	ma_msg_header(msg, len, "Message-ID", msgid, sizeof(msgid));
	memset(&req, 0, sizeof(req));
	req.mode = (ma_dmarc_mode) mailauth_dmarc_mode;
	req.from_domains = fromp;
	req.nfrom = nfrom;
	req.spf_result = sout.result;
	at = (mail_from && mail_from[0]) ? strrchr(mail_from, '@') : NULL;
	req.spf_domain = at ? at + 1 : (mail_from && mail_from[0]) ? mail_from : helo;
	req.dkim = dk;
	req.ndkim = npass;
	req.sample = -1;
	req.sample_key = msgid[0] ? msgid : (nfrom > 0 ? from[0] : "");
	for (int wave = 0;; wave++)
	{
		ma_dmarc_outcome_free(out);
		ma_dmarc_verify(&req, ma_dns_wave_lookup, w, out);
		if (!out->pending)
			break;
		if (wave >= MAX_WAVES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("DMARC evaluation needed more than %d rounds of DNS lookups", MAX_WAVES)));
		mailauth_wave_resolve(w);
	}

	memset(nulls, 0, sizeof(nulls));
	values[0] = str_datum(out->from_domain, &nulls[0]);
	values[1] = str_datum(out->org_domain, &nulls[1]);
	values[2] = CStringGetTextDatum(ma_dmarc_res_name(out->result));
	values[3] = policy_datum(out->policy, &nulls[3]);
	values[4] = CStringGetTextDatum(out->disposition == MA_DMARC_P_UNSET ? "none"
									: ma_dmarc_policy_name(out->disposition));
	values[5] = CStringGetTextDatum(ma_spf_res_name(sout.result));
	values[6] = str_datum(out->spf_domain, &nulls[6]);
	values[7] = BoolGetDatum(out->spf_aligned);
	dd = palloc(sizeof(Datum) * Max(out->ndkim, 1));
	{
		int			n = 0;

		for (int i = 0; i < out->ndkim; i++)
			if (out->dkim[i].result == MA_DMARC_AUTH_PASS)
				dd[n++] = PointerGetDatum(mailauth_bytes_to_text(out->dkim[i].domain,
																 strlen(out->dkim[i].domain)));
		values[8] = PointerGetDatum(construct_array(dd, n, TEXTOID, -1, false, TYPALIGN_INT));
	}
	values[9] = BoolGetDatum(out->dkim_aligned);
	values[10] = str_datum(out->record, &nulls[10]);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(td, values, nulls)));
}

PG_FUNCTION_INFO_V1(mailauth_dmarc_verify_bytea);
Datum
mailauth_dmarc_verify_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *m;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	m = PG_GETARG_BYTEA_PP(0);
	return dmarc_verify_common(fcinfo, VARDATA_ANY(m), VARSIZE_ANY_EXHDR(m));
}

PG_FUNCTION_INFO_V1(mailauth_dmarc_verify_text);
Datum
mailauth_dmarc_verify_text(PG_FUNCTION_ARGS)
{
	text	   *m;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	m = PG_GETARG_TEXT_PP(0);
	return dmarc_verify_common(fcinfo, VARDATA_ANY(m), VARSIZE_ANY_EXHDR(m));
}
