/*-------------------------------------------------------------------------
 *
 * pg_spf.c
 *	  SQL functions of SPF: spf_verify() on the native RFC 7208 evaluator
 *	  of the core (src/core/ma_spf.c).
 *
 * The evaluator never waits for DNS.  We run it in waves (see ma_spf.h):
 * it stops when it needs an answer we do not have, we resolve everything it
 * asked for on the concurrent engine (where a cancel may throw: no evaluator
 * frame is on the stack then), and run it again.  The answer store is freed
 * with the memory context, so an ERROR anywhere leaks nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>
#include <time.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/lsyscache.h"

#include "mailauth.h"
#include "pg_bulk.h"
#include "core/ma_spf.h"
#include "core/ma_spf2.h"
#include "core/ma_spflint.h"

#define MAX_WAVES 200

/*
 * Evaluate one request to the end on the answer store w: waves until the
 * evaluator is done.  Other checks (dmarc_verify) share the store.
 */
void
mailauth_spf_evaluate(const ma_spf_request *req, ma_dns_wave *w, ma_spf_outcome *out)
{

	for (int wave = 0;; wave++)
	{
		memset(out, 0, sizeof(*out));
		if (mailauth_spf_engine == MAILAUTH_SPF_LIBSPF2)
			ma_spf2_check_host(req, ma_dns_wave_lookup, w, out);
		else
			ma_spf_check_host(req, ma_dns_wave_lookup, w, out);
		if (!out->pending)
			break;
		if (wave >= MAX_WAVES)
		{
			out->pending = false;
			out->result = MA_SPF_TEMPERROR;
			snprintf(out->problem, sizeof(out->problem), "too many rounds of DNS lookups");
			break;
		}
		mailauth_wave_resolve(w);
	}
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	if (s == NULL || s[0] == '\0')
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;
	return PointerGetDatum(mailauth_bytes_to_text(s, strlen(s)));
}

void
mailauth_spf_request(ma_spf_request *req, inet *ip, const char *sender, const char *helo)
{
	const unsigned char *a = ip_addr(ip);

	memset(req, 0, sizeof(*req));
	req->family = ip_family(ip) == PGSQL_AF_INET ? AF_INET : AF_INET6;
	if (req->family == AF_INET6 &&
		memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
	{
		/* an IPv4-mapped IPv6 address is the IPv4 client it maps */
		req->family = AF_INET;
		a += 12;
	}
	memcpy(req->ip, a, req->family == AF_INET ? 4 : 16);
	req->sender = sender;
	req->helo = helo;
	req->receiver = NULL;
	req->now = (int64_t) time(NULL);
}

/* NUL bytes cannot come from text, but control characters can: keep them out of headers */
static char *
arg_cstring(FunctionCallInfo fcinfo, int n)
{
	if (PG_ARGISNULL(n))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/* ---------------------------------------------------------------------
 * spf_verify(ip inet, sender text, helo text DEFAULT NULL)
 *	 RETURNS spf_result (result, explanation, mechanism, domain,
 *						 received_spf, dns_lookups, void_lookups)
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_spf_verify);
Datum
mailauth_spf_verify(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	inet	   *ip;
	char	   *sender,
			   *helo;
	ma_spf_request req;
	ma_spf_outcome out;
	char		received[2048];
	Datum		values[7];
	bool		nulls[7];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	ip = PG_GETARG_INET_PP(0);
	sender = arg_cstring(fcinfo, 1);
	helo = arg_cstring(fcinfo, 2);

	mailauth_spf_request(&req, ip, sender, helo);
	mailauth_spf_evaluate(&req, mailauth_wave_new(), &out);
	ma_spf_received_spf(&req, &out, received, sizeof(received));

	memset(nulls, 0, sizeof(nulls));
	values[0] = CStringGetTextDatum(ma_spf_res_name(out.result));
	/* explanation: the exp= text of a fail, or why for none/temperror/permerror */
	values[1] = text_or_null(out.explanation[0] ? out.explanation : out.problem, &nulls[1]);
	values[2] = text_or_null(out.mechanism, &nulls[2]);
	values[3] = text_or_null(out.domain, &nulls[3]);
	values[4] = text_or_null(received, &nulls[4]);
	values[5] = Int32GetDatum(out.dns_lookups);
	values[6] = Int32GetDatum(out.void_lookups);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* spf_verify(ip text, sender text, helo text): an address as a literal (see ptr_lookup(text)) */
PG_FUNCTION_INFO_V1(mailauth_spf_verify_text);
Datum
mailauth_spf_verify_text(PG_FUNCTION_ARGS)
{
	mailauth_inet_arg_from_text(fcinfo, 0);
	return mailauth_spf_verify(fcinfo);
}

/*
 * spf_verify(ips inet[], senders text[], helos text[] DEFAULT NULL)
 *	 RETURNS TABLE(ip, sender, helo, <the columns of spf_result>)
 *
 * Parallel arrays (one element: used for every row); a NULL ip skips the
 * row (the single form returns NULL for it).  Every evaluation runs in the
 * same waves (pg_bulk.c).
 */
typedef struct VerifySlot
{
	ma_spf_request req;
	ma_spf_outcome out;
	char	   *sender;
	char	   *helo;
} VerifySlot;

typedef struct VerifyBulk
{
	ReturnSetInfo *rsinfo;
	MailauthBulkArg args[3];
	int		   *rows;			/* item -> row of the arrays */
	VerifySlot *slots;
	MemoryContext cxt;			/* for the slots' strings */
} VerifyBulk;

static int
verify_step(void *arg, int item, int slot, int wave, ma_dns_wave *w)
{
	VerifyBulk *vb = arg;
	VerifySlot *vs = &vb->slots[slot];

	if (wave == 0)
	{
		int			row = vb->rows[item];
		Datum		d;
		MemoryContext old = MemoryContextSwitchTo(vb->cxt);

		if (vs->sender)
			pfree(vs->sender);
		if (vs->helo)
			pfree(vs->helo);
		vs->sender = mailauth_bulk_get(&vb->args[1], row, &d) ? TextDatumGetCString(d) : NULL;
		vs->helo = mailauth_bulk_get(&vb->args[2], row, &d) ? TextDatumGetCString(d) : NULL;
		MemoryContextSwitchTo(old);
		mailauth_bulk_get(&vb->args[0], row, &d);
		mailauth_spf_request(&vs->req, DatumGetInetPP(d), vs->sender, vs->helo);
	}
	memset(&vs->out, 0, sizeof(vs->out));
	if (mailauth_spf_engine == MAILAUTH_SPF_LIBSPF2)
		ma_spf2_check_host(&vs->req, ma_dns_wave_lookup, w, &vs->out);
	else
		ma_spf_check_host(&vs->req, ma_dns_wave_lookup, w, &vs->out);
	if (!vs->out.pending)
		return 0;
	if (wave >= MAX_WAVES)
	{
		/* as mailauth_spf_evaluate() ends it */
		vs->out.pending = false;
		vs->out.result = MA_SPF_TEMPERROR;
		snprintf(vs->out.problem, sizeof(vs->out.problem), "too many rounds of DNS lookups");
		return 0;
	}
	return 1;
}

static void
verify_emit(void *arg, int item, int slot)
{
	VerifyBulk *vb = arg;
	VerifySlot *vs = &vb->slots[slot];
	int			row = vb->rows[item];
	char		received[2048];
	Datum		values[10];
	bool		nulls[10];

	memset(nulls, 0, sizeof(nulls));
	for (int k = 0; k < 3; k++)
		nulls[k] = !mailauth_bulk_get(&vb->args[k], row, &values[k]);
	ma_spf_received_spf(&vs->req, &vs->out, received, sizeof(received));
	values[3] = CStringGetTextDatum(ma_spf_res_name(vs->out.result));
	values[4] = text_or_null(vs->out.explanation[0] ? vs->out.explanation : vs->out.problem, &nulls[4]);
	values[5] = text_or_null(vs->out.mechanism, &nulls[5]);
	values[6] = text_or_null(vs->out.domain, &nulls[6]);
	values[7] = text_or_null(received, &nulls[7]);
	values[8] = Int32GetDatum(vs->out.dns_lookups);
	values[9] = Int32GetDatum(vs->out.void_lookups);
	tuplestore_putvalues(vb->rsinfo->setResult, vb->rsinfo->setDesc, values, nulls);
}

PG_FUNCTION_INFO_V1(mailauth_spf_verify_many);
Datum
mailauth_spf_verify_many(PG_FUNCTION_ARGS)
{
	VerifyBulk *vb = palloc0(sizeof(VerifyBulk));
	int			nrows,
				n = 0;

	mailauth_init_srf(fcinfo);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	mailauth_bulk_arg(fcinfo, 0, INETOID, "ips", &vb->args[0]);
	mailauth_bulk_arg(fcinfo, 1, TEXTOID, "senders", &vb->args[1]);
	mailauth_bulk_arg(fcinfo, 2, TEXTOID, "helos", &vb->args[2]);
	nrows = mailauth_bulk_rows("spf_verify", vb->args, 3);
	vb->rows = palloc(sizeof(int) * Max(nrows, 1));
	for (int i = 0; i < nrows; i++)
	{
		Datum		d;

		if (mailauth_bulk_get(&vb->args[0], i, &d))
			vb->rows[n++] = i;	/* NULL ips are skipped */
	}
	vb->rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	vb->slots = palloc0(sizeof(VerifySlot) * mailauth_bulk_nslots(n));
	vb->cxt = CurrentMemoryContext;
	mailauth_bulk_run(fcinfo, n, verify_step, verify_emit, vb);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * Linting: spf_check, spf_record, spf_includes (single and bulk)
 * ---------------------------------------------------------------------
 */
typedef struct LintSet
{
	ma_spf_lint *lints;
	int			n;
} LintSet;

static void
lintset_reset_callback(void *arg)
{
	LintSet    *ls = arg;

	for (int i = 0; i < ls->n; i++)
		ma_spf_lint_free(&ls->lints[i]);
}

/*
 * Lint every domain, all of them in the same waves: each wave resolves the
 * questions of every unfinished domain concurrently.
 */
static ma_spf_lint *
lint_domains(char **domains, int n)
{
	ma_dns_wave *w = mailauth_wave_new();
	LintSet    *ls = palloc(sizeof(LintSet));
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));
	bool	   *done = palloc0(sizeof(bool) * Max(n, 1));

	ls->lints = palloc0(sizeof(ma_spf_lint) * Max(n, 1));
	ls->n = n;
	cb->func = lintset_reset_callback;
	cb->arg = ls;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);

	for (int wave = 0;; wave++)
	{
		int			pending = 0;

		for (int i = 0; i < n; i++)
		{
			if (done[i])
				continue;
			ma_spf_lint_free(&ls->lints[i]);
			if (ma_spf_lint_run(domains[i], ma_dns_wave_lookup, w, &ls->lints[i]) == 1)
				pending++;
			else
				done[i] = true;
		}
		if (pending == 0)
			break;
		if (wave >= MAX_WAVES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("SPF policy walk needed more than %d rounds of DNS lookups", MAX_WAVES)));
		mailauth_wave_resolve(w);
		CHECK_FOR_INTERRUPTS();
	}
	return ls->lints;
}

typedef struct Deprecated
{
	char	   *include;
	char	   *service;
	char	   *replacement;
} Deprecated;

/* the deprecated includes of mailauth.sending_services */
static Deprecated *
load_deprecated(FunctionCallInfo fcinfo, int *n)
{
	/* our own schema: the one the calling function lives in */
	char	   *schema = get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid));
	StringInfoData q;
	Deprecated *d;
	MemoryContext outer = CurrentMemoryContext;

	initStringInfo(&q);
	appendStringInfo(&q,
					 "SELECT pg_catalog.lower(pg_catalog.rtrim(spf_include, '.')), service, replacement "
					 "FROM %s.sending_services WHERE status OPERATOR(pg_catalog.=) 'deprecated'",
					 quote_identifier(schema));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(q.data, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read %s.sending_services", schema);
	d = MemoryContextAlloc(outer, sizeof(Deprecated) * Max(SPI_processed, 1));
	*n = (int) SPI_processed;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		char	   *v;

		v = SPI_getvalue(tup, td, 1);
		d[i].include = v ? MemoryContextStrdup(outer, v) : NULL;
		v = SPI_getvalue(tup, td, 2);
		d[i].service = MemoryContextStrdup(outer, v ? v : "the sending service");
		v = SPI_getvalue(tup, td, 3);
		d[i].replacement = v ? MemoryContextStrdup(outer, v) : NULL;
	}
	SPI_finish();
	return d;
}

/* emit the findings of one lint (plus deprecated includes) */
static void
emit_findings(ReturnSetInfo *rsinfo, const char *domain, const ma_spf_lint *l,
			  const Deprecated *dep, int ndep)
{
	int			off = domain ? 1 : 0;
	Datum		values[5];
	bool		nulls[5];

	for (int i = 0; i < l->nfindings; i++)
	{
		const ma_spf_finding *f = &l->findings[i];

		memset(nulls, 0, sizeof(nulls));
		if (domain)
			values[0] = CStringGetTextDatum(domain);
		values[off + 0] = CStringGetTextDatum(f->severity);
		values[off + 1] = CStringGetTextDatum(f->code);
		values[off + 2] = text_or_null(f->term, &nulls[off + 2]);
		values[off + 3] = text_or_null(f->detail, &nulls[off + 3]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	for (int i = 0; i < l->nincludes; i++)
		for (int j = 0; j < ndep; j++)
			if (dep[j].include && strcmp(l->includes[i], dep[j].include) == 0)
			{
				char	   *term = psprintf("include:%s", l->includes[i]);
				char	   *detail = dep[j].replacement
				? psprintf("%s no longer recommends include:%s; publish include:%s instead",
						   dep[j].service, dep[j].include, dep[j].replacement)
				: psprintf("%s no longer recommends include:%s", dep[j].service, dep[j].include);

				memset(nulls, 0, sizeof(nulls));
				if (domain)
					values[0] = CStringGetTextDatum(domain);
				values[off + 0] = CStringGetTextDatum("warning");
				values[off + 1] = CStringGetTextDatum("deprecated_include");
				values[off + 2] = CStringGetTextDatum(term);
				values[off + 3] = CStringGetTextDatum(detail);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			}
}

/* a text[] argument as C strings (NULL elements skipped) */
static char **
domains_arg(ArrayType *arr, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	char	  **out;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("domains must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nelems);
	out = palloc(sizeof(char *) * Max(nelems, 1));
	*n = 0;
	for (int i = 0; i < nelems; i++)
		if (!nulls[i])
			out[(*n)++] = TextDatumGetCString(elems[i]);
	return out;
}

/* one domain from SQL: a bad name is an ERROR here (the bulk forms report it) */
static char *
domain_arg(FunctionCallInfo fcinfo, int n)
{
	char	   *d = text_to_cstring(PG_GETARG_TEXT_PP(n));
	char		norm[MA_DNS_MAXNAME + 1];

	mailauth_dns_normalize(d, norm);
	return pstrdup(norm);
}

PG_FUNCTION_INFO_V1(mailauth_spf_check);
Datum
mailauth_spf_check(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *domain = domain_arg(fcinfo, 0);
	ma_spf_lint *l;
	Deprecated *dep;
	int			ndep;

	mailauth_init_srf(fcinfo);
	dep = load_deprecated(fcinfo, &ndep);
	l = lint_domains(&domain, 1);
	emit_findings(rsinfo, NULL, l, dep, ndep);
	return (Datum) 0;
}

/*
 * The set forms of spf_check, spf_record and spf_includes: one lint per
 * input, every lint in the same waves (pg_bulk.c), rows in input order.
 */
typedef enum LintKind
{
	LINT_CHECK,
	LINT_RECORD,
	LINT_INCLUDES
} LintKind;

typedef struct LintBulk
{
	LintKind	kind;
	ReturnSetInfo *rsinfo;
	char	  **inputs;			/* check, record: per item, as given */
	char	  **domains;		/* per item: normalised (as given when invalid: the lint says so) */
	Datum	   *keys;			/* includes: the domain as given, per item */
	char	  **hosts;			/* includes: per item */
	Datum	   *hostkeys;
	ma_spf_lint *lints;			/* per slot */
	Deprecated *dep;
	int			ndep;
	int			nslots;
} LintBulk;

static void
lintbulk_free(void *arg)
{
	LintBulk   *lb = arg;

	for (int i = 0; i < lb->nslots; i++)
		ma_spf_lint_free(&lb->lints[i]);
}

static int
lint_step(void *arg, int item, int slot, int wave, ma_dns_wave *w)
{
	LintBulk   *lb = arg;

	ma_spf_lint_free(&lb->lints[slot]);
	if (ma_spf_lint_run(lb->domains[item], ma_dns_wave_lookup, w, &lb->lints[slot]) == 0)
		return 0;
	if (wave >= MAX_WAVES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("SPF policy walk needed more than %d rounds of DNS lookups", MAX_WAVES)));
	return 1;
}

static HeapTuple summary_tuple(TupleDesc td, const char *domain, const ma_spf_lint *l);

static void
lint_emit(void *arg, int item, int slot)
{
	LintBulk   *lb = arg;
	ma_spf_lint *l = &lb->lints[slot];

	switch (lb->kind)
	{
		case LINT_CHECK:
			emit_findings(lb->rsinfo, lb->inputs[item], l, lb->dep, lb->ndep);
			break;
		case LINT_RECORD:
			tuplestore_puttuple(lb->rsinfo->setResult,
								summary_tuple(lb->rsinfo->setDesc, lb->inputs[item], l));
			break;
		case LINT_INCLUDES:
			{
				Datum		values[3];
				bool		nulls[3] = {false, false, false};

				values[0] = lb->keys[item];
				values[1] = lb->hostkeys[item];
				values[2] = BoolGetDatum(ma_spf_lint_includes(l, lb->hosts[item]));
				tuplestore_putvalues(lb->rsinfo->setResult, lb->rsinfo->setDesc, values, nulls);
			}
			break;
	}
	ma_spf_lint_free(l);
}

/* the names to lint: normalised as the single forms do (IDN to A-labels) */
static char **
lint_names(char **inputs, int n)
{
	char	  **out = palloc(sizeof(char *) * Max(n, 1));

	for (int i = 0; i < n; i++)
	{
		char		norm[MA_DNS_MAXNAME + 1];

		out[i] = mailauth_dns_try_normalize(inputs[i], norm) ? pstrdup(norm) : inputs[i];
	}
	return out;
}

static void
lint_bulk_run(FunctionCallInfo fcinfo, LintBulk *lb, int n)
{
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));
	int			nslots = mailauth_bulk_nslots(n);

	lb->rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	lb->lints = palloc0(sizeof(ma_spf_lint) * nslots);
	cb->func = lintbulk_free;
	cb->arg = lb;
	lb->nslots = nslots;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	mailauth_bulk_run(fcinfo, n, lint_step, lint_emit, lb);
}

PG_FUNCTION_INFO_V1(mailauth_spf_check_many);
Datum
mailauth_spf_check_many(PG_FUNCTION_ARGS)
{
	int			n;
	LintBulk   *lb = palloc0(sizeof(LintBulk));

	lb->kind = LINT_CHECK;
	lb->inputs = domains_arg(PG_GETARG_ARRAYTYPE_P(0), &n);
	lb->domains = lint_names(lb->inputs, n);
	mailauth_init_srf(fcinfo);
	lb->dep = load_deprecated(fcinfo, &lb->ndep);
	lint_bulk_run(fcinfo, lb, n);
	return (Datum) 0;
}

/* spf_summary: (domain, record, status, dns_lookups, void_lookups, all_qualifier, includes) */
static HeapTuple
summary_tuple(TupleDesc td, const char *domain, const ma_spf_lint *l)
{
	Datum		values[7];
	bool		nulls[7];
	Datum	   *inc = palloc(sizeof(Datum) * Max(l->nincludes, 1));
	char		q[2] = {l->all_qualifier, '\0'};

	memset(nulls, 0, sizeof(nulls));
	for (int i = 0; i < l->nincludes; i++)
		inc[i] = CStringGetTextDatum(l->includes[i]);
	values[0] = CStringGetTextDatum(domain);
	values[1] = text_or_null(l->record, &nulls[1]);
	values[2] = CStringGetTextDatum(l->status ? l->status : "none");
	values[3] = Int32GetDatum(l->dns_lookups);
	values[4] = Int32GetDatum(l->void_lookups);
	values[5] = text_or_null(q, &nulls[5]);
	values[6] = PointerGetDatum(construct_array(inc, l->nincludes, TEXTOID, -1, false, TYPALIGN_INT));
	return heap_form_tuple(td, values, nulls);
}

PG_FUNCTION_INFO_V1(mailauth_spf_record);
Datum
mailauth_spf_record(PG_FUNCTION_ARGS)
{
	TupleDesc	td;
	char	   *domain = domain_arg(fcinfo, 0);
	ma_spf_lint *l;

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	l = lint_domains(&domain, 1);
	PG_RETURN_DATUM(HeapTupleGetDatum(summary_tuple(td, domain, l)));
}

PG_FUNCTION_INFO_V1(mailauth_spf_record_many);
Datum
mailauth_spf_record_many(PG_FUNCTION_ARGS)
{
	int			n;
	LintBulk   *lb = palloc0(sizeof(LintBulk));

	lb->kind = LINT_RECORD;
	lb->inputs = domains_arg(PG_GETARG_ARRAYTYPE_P(0), &n);
	lb->domains = lint_names(lb->inputs, n);
	mailauth_init_srf(fcinfo);
	lint_bulk_run(fcinfo, lb, n);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(mailauth_spf_includes);
Datum
mailauth_spf_includes(PG_FUNCTION_ARGS)
{
	char	   *domain = domain_arg(fcinfo, 0);
	char	   *host = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ma_spf_lint *l = lint_domains(&domain, 1);

	PG_RETURN_BOOL(ma_spf_lint_includes(l, host));
}

/*
 * spf_includes(domains text[], hosts text[])
 *	 RETURNS TABLE(domain, host, spf_includes boolean)
 * Parallel arrays (one element: used for every row); a NULL element skips
 * the row; an invalid domain is the single form's ERROR.
 */
PG_FUNCTION_INFO_V1(mailauth_spf_includes_many);
Datum
mailauth_spf_includes_many(PG_FUNCTION_ARGS)
{
	MailauthBulkArg args[2];
	int			nrows,
				n = 0;
	LintBulk   *lb = palloc0(sizeof(LintBulk));

	mailauth_bulk_arg(fcinfo, 0, TEXTOID, "domains", &args[0]);
	mailauth_bulk_arg(fcinfo, 1, TEXTOID, "hosts", &args[1]);
	nrows = mailauth_bulk_rows("spf_includes", args, 2);
	lb->kind = LINT_INCLUDES;
	lb->domains = palloc(sizeof(char *) * Max(nrows, 1));
	lb->keys = palloc(sizeof(Datum) * Max(nrows, 1));
	lb->hosts = palloc(sizeof(char *) * Max(nrows, 1));
	lb->hostkeys = palloc(sizeof(Datum) * Max(nrows, 1));
	for (int i = 0; i < nrows; i++)
	{
		Datum		d,
					h;
		char		norm[MA_DNS_MAXNAME + 1];

		if (!mailauth_bulk_get(&args[0], i, &d) || !mailauth_bulk_get(&args[1], i, &h))
			continue;
		mailauth_dns_normalize(TextDatumGetCString(d), norm);
		lb->domains[n] = pstrdup(norm);
		lb->keys[n] = d;
		lb->hosts[n] = TextDatumGetCString(h);
		lb->hostkeys[n++] = h;
	}
	mailauth_init_srf(fcinfo);
	lint_bulk_run(fcinfo, lb, n);
	return (Datum) 0;
}
