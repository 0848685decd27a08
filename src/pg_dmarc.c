/*-------------------------------------------------------------------------
 *
 * pg_dmarc.c
 *	  SQL functions of DMARC: dmarc_record(), dmarc_verify() and
 *	  authentication_results() on the DMARC core (src/core/ma_dmarc.c), in
 *	  the waves DNS model of ma_spf.h.
 *
 * The discovery state is malloc()ed by the core; a memory context reset
 * callback frees it whatever happens.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "mailauth.h"
#include "pg_bulk.h"
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
static void
record_values(const char *norm, const ma_dmarc_info *info, Datum *values, bool *nulls)
{
	Datum	   *probs;
	char		q[2] = {0, 0};

	memset(nulls, 0, sizeof(bool) * 15);
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
}

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

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	mailauth_dns_normalize(in, norm);
	info = dmarc_discover(norm);
	record_values(norm, info, values, nulls);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(td, values, nulls)));
}

/*
 * dmarc_record(domains text[]) RETURNS SETOF dmarc_policy_record: one row
 * per input (NULL elements skipped) with domain as given; every discovery
 * in the same waves (pg_bulk.c); an invalid name is the single form's ERROR.
 */
typedef struct DmarcBulk
{
	ReturnSetInfo *rsinfo;
	char	  **norms;
	Datum	   *keys;
	ma_dmarc_info *infos;		/* per slot */
	int			nslots;
} DmarcBulk;

static void
dmarcbulk_callback(void *arg)
{
	DmarcBulk  *db = arg;

	for (int i = 0; i < db->nslots; i++)
		ma_dmarc_info_free(&db->infos[i]);
}

static int
dmarc_step(void *arg, int item, int slot, int wave, ma_dns_wave *w)
{
	DmarcBulk  *db = arg;
	ma_dmarc_info *info = &db->infos[slot];

	ma_dmarc_info_free(info);
	if (ma_dmarc_lookup_record(db->norms[item], (ma_dmarc_mode) mailauth_dmarc_mode,
							   ma_dns_wave_lookup, w, info) == 0)
		return 0;
	if (wave >= MAX_WAVES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("DMARC policy discovery needed more than %d rounds of DNS lookups",
						MAX_WAVES)));
	return 1;
}

static void
dmarc_emit(void *arg, int item, int slot)
{
	DmarcBulk  *db = arg;
	Datum		values[15];
	bool		nulls[15];

	record_values(db->norms[item], &db->infos[slot], values, nulls);
	values[0] = db->keys[item];
	tuplestore_putvalues(db->rsinfo->setResult, db->rsinfo->setDesc, values, nulls);
	ma_dmarc_info_free(&db->infos[slot]);
}

PG_FUNCTION_INFO_V1(mailauth_dmarc_record_many);
Datum
mailauth_dmarc_record_many(PG_FUNCTION_ARGS)
{
	MailauthBulkArg a;
	DmarcBulk  *db = palloc0(sizeof(DmarcBulk));
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));
	int			n = 0;

	mailauth_bulk_arg(fcinfo, 0, TEXTOID, "domains", &a);
	db->norms = palloc(sizeof(char *) * Max(a.n, 1));
	db->keys = palloc(sizeof(Datum) * Max(a.n, 1));
	for (int i = 0; i < a.n; i++)
	{
		char		norm[MA_DNS_MAXNAME + 1];

		if (a.nulls[i])
			continue;
		mailauth_dns_normalize(TextDatumGetCString(a.d[i]), norm);
		db->norms[n] = pstrdup(norm);
		db->keys[n++] = a.d[i];
	}
	mailauth_init_srf(fcinfo);
	if (((ReturnSetInfo *) fcinfo->resultinfo)->setDesc->natts != 15)
		elog(ERROR, "dmarc_record: return type must have 15 columns");
	db->rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	db->nslots = mailauth_bulk_nslots(n);
	db->infos = palloc0(sizeof(ma_dmarc_info) * db->nslots);
	cb->func = dmarcbulk_callback;
	cb->arg = db;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	mailauth_bulk_run(fcinfo, n, dmarc_step, dmarc_emit, db);
	return (Datum) 0;
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

typedef struct Checks
{
	ma_spf_outcome sout;
	ma_dkim_outcome *dout;
	ma_dmarc_outcome *out;
	char	   *spf_domain;
	char		from[MA_DNS_MAXNAME + 1];	/* first From domain */
} Checks;

/*
 * SPF, DKIM and DMARC of one message, on one answer store.  The core's
 * outcomes are freed with the current memory context.
 */
static void
run_checks(const char *msg, size_t len, inet *ip, const char *mail_from, const char *helo,
		   Checks *c)
{
	ma_dns_wave *w = mailauth_wave_new();
	ma_spf_request sreq;
	ma_dmarc_request req;
	ma_dmarc_dkim *dk;
	char		(*from)[256] = palloc(sizeof(char[256]) * MA_MSG_MAX_FROM);
	const char **fromp = palloc(sizeof(char *) * MA_MSG_MAX_FROM);
	int			nfrom,
				nfields,
				npass = 0;
	const char *at;
	char		msgid[512];

	c->dout = palloc0(sizeof(ma_dkim_outcome));
	c->out = palloc0(sizeof(ma_dmarc_outcome));
	register_free(dkim_reset_callback, c->dout);
	register_free(outcome_reset_callback, c->out);

	/* SPF: MAIL FROM, or postmaster@HELO */
	mailauth_spf_request(&sreq, ip, mail_from, helo);
	mailauth_spf_evaluate(&sreq, w, &c->sout);

	/* DKIM */
	for (int wave = 0;; wave++)
	{
		ma_dkim_outcome_free(c->dout);
		if (ma_dkim_verify(msg, len, ma_dns_wave_lookup, w, mailauth_dkim_max_signatures,
						   c->dout) == 0)
			break;
		if (wave >= MAX_WAVES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("DKIM verification needed more than %d rounds of DNS lookups", MAX_WAVES)));
		mailauth_wave_resolve(w);
	}
	dk = palloc(sizeof(ma_dmarc_dkim) * Max(c->dout->nresults, 1));
	for (int i = 0; i < c->dout->nresults; i++)
	{
		if (c->dout->results[i].result == MA_DKIM_NONE)
			continue;
		dk[npass].domain = c->dout->results[i].domain;
		dk[npass].result = ma_dmarc_auth_from_name(ma_dkim_res_name(c->dout->results[i].result));
		npass++;
	}

	/* DMARC */
	nfrom = ma_msg_from_domains(msg, len, from, MA_MSG_MAX_FROM, &nfields);
	for (int i = 0; i < nfrom; i++)
		fromp[i] = from[i];
	snprintf(c->from, sizeof(c->from), "%s", nfrom > 0 ? from[0] : "");
	ma_msg_header(msg, len, "Message-ID", msgid, sizeof(msgid));
	memset(&req, 0, sizeof(req));
	req.mode = (ma_dmarc_mode) mailauth_dmarc_mode;
	req.from_domains = fromp;
	req.nfrom = nfrom;
	req.spf_result = c->sout.result;
	at = (mail_from && mail_from[0]) ? strrchr(mail_from, '@') : NULL;
	c->spf_domain = pstrdup(at ? at + 1 : (mail_from && mail_from[0]) ? mail_from : (helo ? helo : ""));
	req.spf_domain = c->spf_domain;
	req.dkim = dk;
	req.ndkim = npass;
	req.sample = -1;
	req.sample_key = msgid[0] ? msgid : c->from;
	for (int wave = 0;; wave++)
	{
		ma_dmarc_outcome_free(c->out);
		ma_dmarc_verify(&req, ma_dns_wave_lookup, w, c->out);
		if (!c->out->pending)
			break;
		if (wave >= MAX_WAVES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("DMARC evaluation needed more than %d rounds of DNS lookups", MAX_WAVES)));
		mailauth_wave_resolve(w);
	}
}

static Datum
dmarc_verify_common(FunctionCallInfo fcinfo, const char *msg, size_t len)
{
	TupleDesc	td;
	inet	   *ip = PG_GETARG_INET_PP(1);
	char	   *mail_from = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *helo = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	Checks		c;
	ma_dmarc_outcome *out;
	ma_spf_outcome sout;
	Datum		values[11];
	bool		nulls[11];
	Datum	   *dd;

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	run_checks(msg, len, ip, mail_from, helo, &c);
	out = c.out;
	sout = c.sout;

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

/* ---------------------------------------------------------------------
 * authentication_results(message, ip, mail_from, helo, authserv_id)
 *	 RETURNS text: the Authentication-Results value a receiver would add
 *	 (RFC 8601): spf, dkim (one per signature) and dmarc.
 * ---------------------------------------------------------------------
 */

/* a property value: as is when it is a plain token or address, else quoted */
static void
append_value(StringInfo b, const char *v)
{
	bool		plain = v[0] != '\0';

	for (const char *p = v; *p && plain; p++)
		if (!(isalnum((unsigned char) *p) || strchr(".-_@+=/", *p)))
			plain = false;
	if (plain)
	{
		appendStringInfoString(b, v);
		return;
	}
	appendStringInfoChar(b, '"');
	for (const char *p = v; *p; p++)
	{
		unsigned char ch = (unsigned char) *p;

		if (ch == '"' || ch == '\\')
			appendStringInfoChar(b, '\\');
		if (ch < 0x20 || ch == 0x7f)
			continue;			/* never a line break inside a header */
		appendStringInfoChar(b, (char) ch);
	}
	appendStringInfoChar(b, '"');
}

static text *
authres_common(FunctionCallInfo fcinfo, const char *msg, size_t len)
{
	inet	   *ip = PG_GETARG_INET_PP(1);
	char	   *mail_from = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *helo = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	char	   *authserv = text_to_cstring(PG_GETARG_TEXT_PP(4));
	Checks		c;
	StringInfoData b;

	if (authserv[0] == '\0' || strpbrk(authserv, " \t\r\n;()\"\\") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid authserv-id \"%s\"", authserv),
				 errhint("Give the receiving host's name, e.g. \"mx.example.com\".")));
	run_checks(msg, len, ip, mail_from, helo, &c);

	initStringInfo(&b);
	appendStringInfoString(&b, authserv);
	/* spf */
	appendStringInfo(&b, "; spf=%s", ma_spf_res_name(c.sout.result));
	if (mail_from && mail_from[0])
	{
		appendStringInfoString(&b, " smtp.mailfrom=");
		append_value(&b, mail_from);
	}
	else if (helo && helo[0])
	{
		appendStringInfoString(&b, " smtp.helo=");
		append_value(&b, helo);
	}
	/* dkim: one result per signature */
	for (int i = 0; i < c.dout->nresults; i++)
	{
		const ma_dkim_sig *s = &c.dout->results[i];

		appendStringInfo(&b, "; dkim=%s", ma_dkim_res_name(s->result));
		if (s->result != MA_DKIM_NONE && s->result != MA_DKIM_PASS && s->reason[0])
		{
			appendStringInfoString(&b, " reason=");
			append_value(&b, s->reason);
		}
		if (s->domain[0])
		{
			appendStringInfoString(&b, " header.d=");
			append_value(&b, s->domain);
		}
		if (s->selector[0])
		{
			appendStringInfoString(&b, " header.s=");
			append_value(&b, s->selector);
		}
	}
	/* dmarc */
	appendStringInfo(&b, "; dmarc=%s", ma_dmarc_res_name(c.out->result));
	if (c.out->policy != MA_DMARC_P_UNSET)
	{
		const char *dis = c.out->disposition == MA_DMARC_P_UNSET ? "none"
		: ma_dmarc_policy_name(c.out->disposition);
		char	   *pol = pstrdup(ma_dmarc_policy_name(c.out->policy));
		char	   *disu = pstrdup(dis);

		for (char *p = pol; *p; p++)
			*p = (char) toupper((unsigned char) *p);
		for (char *p = disu; *p; p++)
			*p = (char) toupper((unsigned char) *p);
		appendStringInfo(&b, " (p=%s dis=%s)", pol, disu);
	}
	if (c.out->from_domain[0] || c.from[0])
	{
		appendStringInfoString(&b, " header.from=");
		append_value(&b, c.out->from_domain[0] ? c.out->from_domain : c.from);
	}
	return (text *) mailauth_bytes_to_text(b.data, b.len);
}

PG_FUNCTION_INFO_V1(mailauth_authentication_results_text);
Datum
mailauth_authentication_results_text(PG_FUNCTION_ARGS)
{
	text	   *m;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(4))
		PG_RETURN_NULL();
	m = PG_GETARG_TEXT_PP(0);
	PG_RETURN_TEXT_P(authres_common(fcinfo, VARDATA_ANY(m), VARSIZE_ANY_EXHDR(m)));
}

PG_FUNCTION_INFO_V1(mailauth_authentication_results_bytea);
Datum
mailauth_authentication_results_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *m;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(4))
		PG_RETURN_NULL();
	m = PG_GETARG_BYTEA_PP(0);
	PG_RETURN_TEXT_P(authres_common(fcinfo, VARDATA_ANY(m), VARSIZE_ANY_EXHDR(m)));
}
