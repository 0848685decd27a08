/*-------------------------------------------------------------------------
 *
 * pg_trust.c
 *	  Sender trust in SQL: ptr_check(), helo_check(), dnsbl_check(),
 *	  dbl_check() and dns_expect(), over the evaluators of
 *	  src/core/ma_trust.c and the waves DNS model (pg_dns.c resolves each
 *	  wave concurrently and honours cancel and statement_timeout).
 *
 * Every core result is malloc'ed; a memory-context reset callback frees it
 * if anything throws while the result row is built.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inet.h"
#include "utils/lsyscache.h"

#include "mailauth.h"
#include "pg_bulk.h"
#include "core/ma_report.h"
#include "core/ma_trust.h"
#include "core/ma_wave.h"

#define MAX_WAVES 8

char	   *mailauth_dnsbl_zones = NULL;
char	   *mailauth_dbl_zones = NULL;

/* ---------------------------------------------------------------------
 * helpers
 * ---------------------------------------------------------------------
 */

static void
inet_to_ma_ip(inet *in, ma_ip *out, const char *what)
{
	const unsigned char *a = ip_addr(in);
	int			bits = ip_bits(in);

	memset(out, 0, sizeof(*out));
	if (ip_family(in) == PGSQL_AF_INET)
	{
		if (bits != 32)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a single address, not a network", what)));
		out->family = 4;
		memcpy(out->a, a, 4);
	}
	else
	{
		if (bits != 128)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a single address, not a network", what)));
		if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
		{
			/* an IPv4-mapped IPv6 address is the IPv4 client it maps */
			out->family = 4;
			memcpy(out->a, a + 12, 4);
		}
		else
		{
			out->family = 6;
			memcpy(out->a, a, 16);
		}
	}
}

static Datum
ma_ip_datum(const ma_ip *ip)
{
	char		buf[64];

	ma_ip_format(ip, buf, sizeof(buf));
	return DirectFunctionCall1(inet_in, CStringGetDatum(buf));
}

static Datum
str_datum(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return *isnull ? (Datum) 0 : PointerGetDatum(mailauth_bytes_to_text(s, strlen(s)));
}

static Datum
text_array(char *const *items, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = PointerGetDatum(mailauth_bytes_to_text(items[i], strlen(items[i])));
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
problems_array(const ma_trust_problems *p)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(p->n, 1));

	for (int i = 0; i < p->n; i++)
		d[i] = CStringGetTextDatum(p->code[i]);
	return PointerGetDatum(construct_array(d, p->n, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
tristate(int v, bool *isnull)
{
	*isnull = v < 0;
	return BoolGetDatum(v > 0);
}

static void
too_many_waves(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s needed more than %d rounds of DNS lookups", what, MAX_WAVES)));
}

/* free a core result when the memory context goes (also on error) */
typedef struct holder
{
	void		(*free_fn) (void *);
	void	   *p;
} holder;

static void
holder_callback(void *arg)
{
	holder	   *h = arg;

	if (h->p)
		h->free_fn(h->p);
	h->p = NULL;
}

static void
hold(void *p, void (*free_fn) (void *))
{
	holder	   *h = palloc(sizeof(holder));
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

	h->free_fn = free_fn;
	h->p = p;
	cb->func = holder_callback;
	cb->arg = h;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
}

static void
ptr_free_cb(void *p)
{
	ma_ptr_result_free(p);
}

static void
helo_free_cb(void *p)
{
	/* ma_helo_result owns no memory beyond static strings */
	(void) p;
}

static void
dnsbl_free_cb(void *p)
{
	ma_dnsbl_result_free(p);
}

static void
expect_free_cb(void *p)
{
	ma_expect_result_free(p);
}

/* ---------------------------------------------------------------------
 * ptr_check(ip inet) RETURNS ptr_check_result
 *	 (ip, ptr_names, forward_confirmed, confirmed_name, generic, status, problems)
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_ptr_check);
Datum
mailauth_ptr_check(PG_FUNCTION_ARGS)
{
	inet	   *in = PG_GETARG_INET_PP(0);
	TupleDesc	td;
	ma_ip		ip;
	ma_dns_wave *w;
	ma_ptr_result *r = palloc0(sizeof(ma_ptr_result));
	Datum		v[7];
	bool		n[7];

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	inet_to_ma_ip(in, &ip, "ip");
	hold(r, ptr_free_cb);
	w = mailauth_wave_new();
	for (int wave = 0;; wave++)
	{
		ma_ptr_result_free(r);
		memset(r, 0, sizeof(*r));
		if (ma_ptr_check(&ip, ma_dns_wave_lookup, w, r) == 0)
			break;
		if (wave >= MAX_WAVES)
			too_many_waves("ptr_check");
		mailauth_wave_resolve(w);
	}
	memset(n, 0, sizeof(n));
	v[0] = ma_ip_datum(&ip);
	v[1] = text_array(r->ptr_names, r->nptr);
	v[2] = BoolGetDatum(r->forward_confirmed);
	v[3] = str_datum(r->confirmed_name, &n[3]);
	v[4] = BoolGetDatum(r->generic);
	n[4] = r->nptr == 0;
	v[5] = str_datum(r->status, &n[5]);
	v[6] = problems_array(&r->problems);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(td), v, n)));
}

/* ptr_check(ip text): an address as a literal (see ptr_lookup(text)) */
PG_FUNCTION_INFO_V1(mailauth_ptr_check_text);
Datum
mailauth_ptr_check_text(PG_FUNCTION_ARGS)
{
	mailauth_inet_arg_from_text(fcinfo, 0);
	return mailauth_ptr_check(fcinfo);
}

/* ---------------------------------------------------------------------
 * helo_check(helo text, ip inet DEFAULT NULL, domain text DEFAULT NULL)
 *	 RETURNS helo_check_result (helo, valid_syntax, is_ip_literal,
 *	 is_localhost, resolves, matches_ip, in_domain, matches_mx, problems)
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_helo_check);
Datum
mailauth_helo_check(PG_FUNCTION_ARGS)
{
	TupleDesc	td;
	char	   *helo;
	ma_ip		ip;
	bool		have_ip = !PG_ARGISNULL(1);
	char	   *domain = NULL;
	char		dnorm[MA_DNS_MAXNAME + 1];
	ma_dns_wave *w;
	ma_helo_result *r = palloc0(sizeof(ma_helo_result));
	Datum		v[9];
	bool		n[9];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	helo = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (have_ip)
		inet_to_ma_ip(PG_GETARG_INET_PP(1), &ip, "ip");
	if (!PG_ARGISNULL(2))
	{
		domain = text_to_cstring(PG_GETARG_TEXT_PP(2));
		mailauth_dns_normalize(domain, dnorm);
		domain = dnorm;
	}
	hold(r, helo_free_cb);
	w = mailauth_wave_new();
	for (int wave = 0;; wave++)
	{
		memset(r, 0, sizeof(*r));
		if (ma_helo_check(helo, have_ip ? &ip : NULL, domain, ma_dns_wave_lookup, w, r) == 0)
			break;
		if (wave >= MAX_WAVES)
			too_many_waves("helo_check");
		mailauth_wave_resolve(w);
	}
	memset(n, 0, sizeof(n));
	v[0] = PointerGetDatum(mailauth_bytes_to_text(helo, strlen(helo)));
	v[1] = BoolGetDatum(r->valid_syntax);
	v[2] = BoolGetDatum(r->is_ip_literal);
	v[3] = BoolGetDatum(r->is_localhost);
	v[4] = tristate(r->resolves, &n[4]);
	v[5] = tristate(r->matches_ip, &n[5]);
	v[6] = tristate(r->in_domain, &n[6]);
	v[7] = tristate(r->matches_mx, &n[7]);
	v[8] = problems_array(&r->problems);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(td), v, n)));
}

/* ---------------------------------------------------------------------
 * Set forms: ptr_check(ips inet[]) RETURNS SETOF ptr_check_result (ip as
 * given), helo_check(helos text[], ips inet[], domains text[]) RETURNS
 * TABLE(helo, ip, domain, <the other columns of helo_check_result>).
 * Inputs are checked first (the single forms' ERRORs), then every check
 * runs in the same waves (pg_bulk.c); NULL keys are skipped.
 * ---------------------------------------------------------------------
 */
typedef struct TrustBulk
{
	ReturnSetInfo *rsinfo;
	MailauthBulkArg args[4];
	int		   *rows;			/* item -> row of the arrays */
	int			nkept;			/* items: the rows whose key is not NULL */
	ma_ip	   *ips;			/* per row */
	bool	   *have_ip;
	char	  **names;			/* per row: normalised domain (helo: domain; dbl: the domain) */
	char	  **zones;
	int			nzones;
	void	   *slots;
	int			nslots;
	void		(*free_slot) (void *slots, int i);
} TrustBulk;

static void
trustbulk_callback(void *arg)
{
	TrustBulk  *tb = arg;

	if (tb->free_slot)
		for (int i = 0; i < tb->nslots; i++)
			tb->free_slot(tb->slots, i);
}

/* slots freed with the memory context, whatever happens */
static void
trustbulk_slots(TrustBulk *tb, int n, size_t size, void (*free_slot) (void *, int))
{
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

	tb->nslots = mailauth_bulk_nslots(n);
	tb->slots = palloc0(size * tb->nslots);
	tb->free_slot = free_slot;
	cb->func = trustbulk_callback;
	cb->arg = tb;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
}

/* the rows whose key (args[0]) is not NULL */
static int
trustbulk_rows(TrustBulk *tb, int nrows)
{
	int			n = 0;

	tb->rows = palloc(sizeof(int) * Max(nrows, 1));
	for (int i = 0; i < nrows; i++)
	{
		Datum		d;

		if (mailauth_bulk_get(&tb->args[0], i, &d))
			tb->rows[n++] = i;
	}
	tb->nkept = n;
	return n;
}

/*
 * the ips of args[k] per row, checked as the single forms check them (only
 * the rows kept: trustbulk_rows() first)
 */
static void
trustbulk_ips(TrustBulk *tb, int k, int nrows)
{
	tb->ips = palloc0(sizeof(ma_ip) * Max(nrows, 1));
	tb->have_ip = palloc0(sizeof(bool) * Max(nrows, 1));
	for (int r = 0; r < tb->nkept; r++)
	{
		int			i = tb->rows[r];
		Datum		d;

		if (mailauth_bulk_get(&tb->args[k], i, &d))
		{
			inet_to_ma_ip(DatumGetInetPP(d), &tb->ips[i], "ip");
			tb->have_ip[i] = true;
		}
	}
}

/* the domains of args[k] per kept row, normalised (an invalid one: ERROR) */
static void
trustbulk_names(TrustBulk *tb, int k, int nrows)
{
	tb->names = palloc0(sizeof(char *) * Max(nrows, 1));
	for (int r = 0; r < tb->nkept; r++)
	{
		int			i = tb->rows[r];
		Datum		d;
		char		norm[MA_DNS_MAXNAME + 1];

		if (mailauth_bulk_get(&tb->args[k], i, &d))
		{
			mailauth_dns_normalize(TextDatumGetCString(d), norm);
			tb->names[i] = pstrdup(norm);
		}
	}
}

static void
free_ptr_slot(void *slots, int i)
{
	ma_ptr_result_free(&((ma_ptr_result *) slots)[i]);
}

static int
ptr_step(void *arg, int item, int slot, int wave, ma_dns_wave *w)
{
	TrustBulk  *tb = arg;
	ma_ptr_result *r = &((ma_ptr_result *) tb->slots)[slot];

	ma_ptr_result_free(r);
	if (ma_ptr_check(&tb->ips[tb->rows[item]], ma_dns_wave_lookup, w, r) == 0)
		return 0;
	if (wave >= MAX_WAVES)
		too_many_waves("ptr_check");
	return 1;
}

static void
ptr_emit(void *arg, int item, int slot)
{
	TrustBulk  *tb = arg;
	ma_ptr_result *r = &((ma_ptr_result *) tb->slots)[slot];
	Datum		v[7];
	bool		n[7];

	memset(n, 0, sizeof(n));
	mailauth_bulk_get(&tb->args[0], tb->rows[item], &v[0]);	/* as given */
	v[1] = text_array(r->ptr_names, r->nptr);
	v[2] = BoolGetDatum(r->forward_confirmed);
	v[3] = str_datum(r->confirmed_name, &n[3]);
	v[4] = BoolGetDatum(r->generic);
	n[4] = r->nptr == 0;
	v[5] = str_datum(r->status, &n[5]);
	v[6] = problems_array(&r->problems);
	tuplestore_putvalues(tb->rsinfo->setResult, tb->rsinfo->setDesc, v, n);
	ma_ptr_result_free(r);
}

PG_FUNCTION_INFO_V1(mailauth_ptr_check_many);
Datum
mailauth_ptr_check_many(PG_FUNCTION_ARGS)
{
	TrustBulk  *tb = palloc0(sizeof(TrustBulk));
	int			nrows,
				n;

	mailauth_bulk_arg(fcinfo, 0, INETOID, "ips", &tb->args[0]);
	nrows = tb->args[0].n;
	n = trustbulk_rows(tb, nrows);
	trustbulk_ips(tb, 0, nrows);
	mailauth_init_srf(fcinfo);
	tb->rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	if (tb->rsinfo->setDesc->natts != 7)
		elog(ERROR, "ptr_check: return type must have 7 columns");
	trustbulk_slots(tb, n, sizeof(ma_ptr_result), free_ptr_slot);
	mailauth_bulk_run(fcinfo, n, ptr_step, ptr_emit, tb);
	return (Datum) 0;
}

static int
helo_step(void *arg, int item, int slot, int wave, ma_dns_wave *w)
{
	TrustBulk  *tb = arg;
	ma_helo_result *r = &((ma_helo_result *) tb->slots)[slot];
	int			row = tb->rows[item];
	Datum		d;
	char	   *helo;

	mailauth_bulk_get(&tb->args[0], row, &d);
	helo = TextDatumGetCString(d);
	memset(r, 0, sizeof(*r));
	if (ma_helo_check(helo, tb->have_ip[row] ? &tb->ips[row] : NULL, tb->names[row],
					  ma_dns_wave_lookup, w, r) == 0)
	{
		pfree(helo);
		return 0;
	}
	pfree(helo);
	if (wave >= MAX_WAVES)
		too_many_waves("helo_check");
	return 1;
}

static void
helo_emit(void *arg, int item, int slot)
{
	TrustBulk  *tb = arg;
	ma_helo_result *r = &((ma_helo_result *) tb->slots)[slot];
	int			row = tb->rows[item];
	Datum		v[11];
	bool		n[11];

	memset(n, 0, sizeof(n));
	for (int k = 0; k < 3; k++)
		n[k] = !mailauth_bulk_get(&tb->args[k], row, &v[k]);
	v[3] = BoolGetDatum(r->valid_syntax);
	v[4] = BoolGetDatum(r->is_ip_literal);
	v[5] = BoolGetDatum(r->is_localhost);
	v[6] = tristate(r->resolves, &n[6]);
	v[7] = tristate(r->matches_ip, &n[7]);
	v[8] = tristate(r->in_domain, &n[8]);
	v[9] = tristate(r->matches_mx, &n[9]);
	v[10] = problems_array(&r->problems);
	tuplestore_putvalues(tb->rsinfo->setResult, tb->rsinfo->setDesc, v, n);
}

PG_FUNCTION_INFO_V1(mailauth_helo_check_many);
Datum
mailauth_helo_check_many(PG_FUNCTION_ARGS)
{
	TrustBulk  *tb = palloc0(sizeof(TrustBulk));
	int			nrows,
				n;

	mailauth_init_srf(fcinfo);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	mailauth_bulk_arg(fcinfo, 0, TEXTOID, "helos", &tb->args[0]);
	mailauth_bulk_arg(fcinfo, 1, INETOID, "ips", &tb->args[1]);
	mailauth_bulk_arg(fcinfo, 2, TEXTOID, "domains", &tb->args[2]);
	nrows = mailauth_bulk_rows("helo_check", tb->args, 3);
	n = trustbulk_rows(tb, nrows);
	trustbulk_ips(tb, 1, nrows);
	trustbulk_names(tb, 2, nrows);
	tb->rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	trustbulk_slots(tb, n, sizeof(ma_helo_result), NULL);
	mailauth_bulk_run(fcinfo, n, helo_step, helo_emit, tb);
	return (Datum) 0;
}

/* helo_check(helo text, ip text, domain text): an address as a literal (see ptr_lookup(text)) */
PG_FUNCTION_INFO_V1(mailauth_helo_check_text);
Datum
mailauth_helo_check_text(PG_FUNCTION_ARGS)
{
	mailauth_inet_arg_from_text(fcinfo, 1);
	return mailauth_helo_check(fcinfo);
}

/* ---------------------------------------------------------------------
 * dnsbl_check(ip inet, zones text[] DEFAULT NULL) and
 * dbl_check(domain text, zones text[] DEFAULT NULL)
 *	 RETURNS TABLE(zone text, listed boolean, codes inet[], reason text)
 * ---------------------------------------------------------------------
 */

/* the zones: the array argument, else the setting (comma-separated) */
static int
zone_list(FunctionCallInfo fcinfo, int argno, const char *setting, char ***out)
{
	char	  **zones;
	int			nz = 0;

	if (!PG_ARGISNULL(argno))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
		Datum	   *d;
		bool	   *nulls;
		int			n;

		if (ARR_NDIM(arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("zones must be a one-dimensional array")));
		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &d, &nulls, &n);
		if (n > 64)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("at most 64 list zones per call, got %d", n)));
		zones = palloc(sizeof(char *) * Max(n, 1));
		for (int i = 0; i < n; i++)
			if (!nulls[i])
				zones[nz++] = TextDatumGetCString(d[i]);
	}
	else
	{
		char	   *copy = pstrdup(setting ? setting : "");
		char	   *save = NULL;

		zones = palloc(sizeof(char *) * 64);
		for (char *t = strtok_r(copy, ", \t", &save); t && nz < 64; t = strtok_r(NULL, ", \t", &save))
			zones[nz++] = t;
	}
	*out = zones;
	return nz;
}

/*
 * One row of dnsbl_check()/dbl_check(): (zone, listed, codes, reason), after
 * the input key when the set form gives one.
 */
static void
dnsbl_row_put(ReturnSetInfo *rsinfo, const ma_dnsbl_row *row, const Datum *key)
{
	Datum		v[5];
	bool		n[5];
	int			k = key ? 1 : 0;
	Datum	   *codes = palloc(sizeof(Datum) * Max(row->ncodes, 1));

	memset(n, 0, sizeof(n));
	if (key)
		v[0] = *key;
	v[k] = str_datum(row->zone, &n[k]);
	v[k + 1] = tristate(row->listed, &n[k + 1]);
	for (int j = 0; j < row->ncodes; j++)
		codes[j] = ma_ip_datum(&row->codes[j]);
	v[k + 2] = PointerGetDatum(construct_array(codes, row->ncodes, INETOID, -1, false,
											   TYPALIGN_INT));
	v[k + 3] = str_datum(row->reason, &n[k + 3]);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
}

static Datum
list_common(FunctionCallInfo fcinfo, bool domain_list)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	  **zones;
	int			nz;
	ma_ip		ip;
	char	   *domain = NULL;
	char		dnorm[MA_DNS_MAXNAME + 1];
	ma_dns_wave *w;
	ma_dnsbl_result *r = palloc0(sizeof(ma_dnsbl_result));

	if (PG_ARGISNULL(0))
	{
		/* not STRICT (zones may be NULL): a NULL ip or domain has no rows */
		mailauth_init_srf(fcinfo);
		return (Datum) 0;
	}
	if (domain_list)
	{
		domain = text_to_cstring(PG_GETARG_TEXT_PP(0));
		mailauth_dns_normalize(domain, dnorm);
	}
	else
		inet_to_ma_ip(PG_GETARG_INET_PP(0), &ip, "ip");
	nz = zone_list(fcinfo, 1, domain_list ? mailauth_dbl_zones : mailauth_dnsbl_zones, &zones);
	mailauth_init_srf(fcinfo);
	hold(r, dnsbl_free_cb);
	w = mailauth_wave_new();
	for (int wave = 0;; wave++)
	{
		int			rc;

		ma_dnsbl_result_free(r);
		memset(r, 0, sizeof(*r));
		rc = domain_list ?
			ma_dbl_check(dnorm, (const char *const *) zones, nz, ma_dns_wave_lookup, w, r) :
			ma_dnsbl_check(&ip, (const char *const *) zones, nz, ma_dns_wave_lookup, w, r);
		if (rc == 0)
			break;
		if (wave >= MAX_WAVES)
			too_many_waves(domain_list ? "dbl_check" : "dnsbl_check");
		mailauth_wave_resolve(w);
	}
	for (int i = 0; i < r->nrows; i++)
		dnsbl_row_put(rsinfo, &r->rows[i], NULL);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(mailauth_dnsbl_check);
Datum
mailauth_dnsbl_check(PG_FUNCTION_ARGS)
{
	return list_common(fcinfo, false);
}

/* dnsbl_check(ip text, zones text[]): an address as a literal (see ptr_lookup(text)) */
PG_FUNCTION_INFO_V1(mailauth_dnsbl_check_text);
Datum
mailauth_dnsbl_check_text(PG_FUNCTION_ARGS)
{
	mailauth_inet_arg_from_text(fcinfo, 0);
	return list_common(fcinfo, false);
}

PG_FUNCTION_INFO_V1(mailauth_dbl_check);
Datum
mailauth_dbl_check(PG_FUNCTION_ARGS)
{
	return list_common(fcinfo, true);
}

/*
 * dnsbl_check(ips inet[], zones text[] DEFAULT NULL) and
 * dbl_check(domains text[], zones text[] DEFAULT NULL)
 *	 RETURNS TABLE(ip | domain, zone, listed, codes, reason): the rows of
 *	 the single form for each input, in input order; NULL inputs skipped.
 */
typedef struct ListBulk
{
	TrustBulk	tb;
	bool		domain_list;
} ListBulk;

static void
free_dnsbl_slot(void *slots, int i)
{
	ma_dnsbl_result_free(&((ma_dnsbl_result *) slots)[i]);
}

static int
list_step(void *arg, int item, int slot, int wave, ma_dns_wave *w)
{
	ListBulk   *lb = arg;
	TrustBulk  *tb = &lb->tb;
	ma_dnsbl_result *r = &((ma_dnsbl_result *) tb->slots)[slot];
	int			row = tb->rows[item];
	int			rc;

	ma_dnsbl_result_free(r);
	rc = lb->domain_list ?
		ma_dbl_check(tb->names[row], (const char *const *) tb->zones, tb->nzones,
					 ma_dns_wave_lookup, w, r) :
		ma_dnsbl_check(&tb->ips[row], (const char *const *) tb->zones, tb->nzones,
					   ma_dns_wave_lookup, w, r);
	if (rc == 0)
		return 0;
	if (wave >= MAX_WAVES)
		too_many_waves(lb->domain_list ? "dbl_check" : "dnsbl_check");
	return 1;
}

static void
list_emit(void *arg, int item, int slot)
{
	ListBulk   *lb = arg;
	TrustBulk  *tb = &lb->tb;
	ma_dnsbl_result *r = &((ma_dnsbl_result *) tb->slots)[slot];
	Datum		key;

	mailauth_bulk_get(&tb->args[0], tb->rows[item], &key);
	for (int i = 0; i < r->nrows; i++)
		dnsbl_row_put(tb->rsinfo, &r->rows[i], &key);
	ma_dnsbl_result_free(r);
}

static Datum
list_many(FunctionCallInfo fcinfo, bool domain_list)
{
	ListBulk   *lb = palloc0(sizeof(ListBulk));
	TrustBulk  *tb = &lb->tb;
	int			nrows,
				n;

	mailauth_init_srf(fcinfo);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	lb->domain_list = domain_list;
	mailauth_bulk_arg(fcinfo, 0, domain_list ? TEXTOID : INETOID,
					  domain_list ? "domains" : "ips", &tb->args[0]);
	nrows = tb->args[0].n;
	n = trustbulk_rows(tb, nrows);
	if (domain_list)
		trustbulk_names(tb, 0, nrows);
	else
		trustbulk_ips(tb, 0, nrows);
	tb->nzones = zone_list(fcinfo, 1, domain_list ? mailauth_dbl_zones : mailauth_dnsbl_zones,
						   &tb->zones);
	tb->rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	trustbulk_slots(tb, n, sizeof(ma_dnsbl_result), free_dnsbl_slot);
	mailauth_bulk_run(fcinfo, n, list_step, list_emit, lb);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(mailauth_dnsbl_check_many);
Datum
mailauth_dnsbl_check_many(PG_FUNCTION_ARGS)
{
	return list_many(fcinfo, false);
}

PG_FUNCTION_INFO_V1(mailauth_dbl_check_many);
Datum
mailauth_dbl_check_many(PG_FUNCTION_ARGS)
{
	return list_many(fcinfo, true);
}

/* ---------------------------------------------------------------------
 * dns_expect(name text, rrtype text, expected text, match text DEFAULT 'exact')
 *	 RETURNS dns_expect_result (status, found)
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_dns_expect);
Datum
mailauth_dns_expect(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *rrtype = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *expected = text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *match = PG_NARGS() > 3 ? text_to_cstring(PG_GETARG_TEXT_PP(3)) : "exact";
	char		norm[MA_DNS_MAXNAME + 1];
	uint16_t	type;
	ma_expect_match m;
	TupleDesc	td;
	ma_dns_wave *w;
	ma_expect_result *r = palloc0(sizeof(ma_expect_result));
	Datum		v[2];
	bool		n[2];

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	mailauth_dns_normalize(name, norm);
	type = mailauth_dns_type(rrtype);
	if (pg_strcasecmp(match, "exact") == 0)
		m = MA_EXPECT_EXACT;
	else if (pg_strcasecmp(match, "contains") == 0)
		m = MA_EXPECT_CONTAINS;
	else if (pg_strcasecmp(match, "pattern") == 0)
		m = MA_EXPECT_PATTERN;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid match mode \"%s\"", match),
				 errhint("Valid modes are \"exact\", \"contains\" and \"pattern\".")));
	hold(r, expect_free_cb);
	w = mailauth_wave_new();
	for (int wave = 0;; wave++)
	{
		ma_expect_result_free(r);
		memset(r, 0, sizeof(*r));
		if (ma_dns_expect(norm, type, expected, m, ma_dns_wave_lookup, w, r) == 0)
			break;
		if (wave >= MAX_WAVES)
			too_many_waves("dns_expect");
		mailauth_wave_resolve(w);
	}
	memset(n, 0, sizeof(n));
	v[0] = str_datum(r->status, &n[0]);
	v[1] = text_array(r->found, r->nfound);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(td), v, n)));
}

/*
 * dns_expect(names text[], rrtypes text[], expected_values text[],
 *			  matches text[] DEFAULT '{exact}')
 *	 RETURNS TABLE(name, rrtype, expected, match, status, found)
 * Parallel arrays (one element: used for every row); a row with a NULL
 * element is skipped (the single form is STRICT); an invalid name, type or
 * match mode is the single form's ERROR.
 */
typedef struct ExpectBulk
{
	TrustBulk	tb;
	uint16_t   *types;			/* per row */
	ma_expect_match *modes;
	char	  **expected;
} ExpectBulk;

static ma_expect_match
match_mode(const char *match)
{
	if (pg_strcasecmp(match, "exact") == 0)
		return MA_EXPECT_EXACT;
	if (pg_strcasecmp(match, "contains") == 0)
		return MA_EXPECT_CONTAINS;
	if (pg_strcasecmp(match, "pattern") == 0)
		return MA_EXPECT_PATTERN;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid match mode \"%s\"", match),
			 errhint("Valid modes are \"exact\", \"contains\" and \"pattern\".")));
	return MA_EXPECT_EXACT;		/* keep the compiler quiet */
}

static void
free_expect_slot(void *slots, int i)
{
	ma_expect_result_free(&((ma_expect_result *) slots)[i]);
}

static int
expect_step(void *arg, int item, int slot, int wave, ma_dns_wave *w)
{
	ExpectBulk *eb = arg;
	ma_expect_result *r = &((ma_expect_result *) eb->tb.slots)[slot];
	int			row = eb->tb.rows[item];

	ma_expect_result_free(r);
	if (ma_dns_expect(eb->tb.names[row], eb->types[row], eb->expected[row], eb->modes[row],
					  ma_dns_wave_lookup, w, r) == 0)
		return 0;
	if (wave >= MAX_WAVES)
		too_many_waves("dns_expect");
	return 1;
}

static void
expect_emit(void *arg, int item, int slot)
{
	ExpectBulk *eb = arg;
	ma_expect_result *r = &((ma_expect_result *) eb->tb.slots)[slot];
	int			row = eb->tb.rows[item];
	Datum		v[6];
	bool		n[6];

	memset(n, 0, sizeof(n));
	for (int k = 0; k < 4; k++)
		mailauth_bulk_get(&eb->tb.args[k], row, &v[k]);
	v[4] = str_datum(r->status, &n[4]);
	v[5] = text_array(r->found, r->nfound);
	tuplestore_putvalues(eb->tb.rsinfo->setResult, eb->tb.rsinfo->setDesc, v, n);
	ma_expect_result_free(r);
}

PG_FUNCTION_INFO_V1(mailauth_dns_expect_many);
Datum
mailauth_dns_expect_many(PG_FUNCTION_ARGS)
{
	ExpectBulk *eb = palloc0(sizeof(ExpectBulk));
	TrustBulk  *tb = &eb->tb;
	int			nrows,
				n = 0;

	mailauth_bulk_arg(fcinfo, 0, TEXTOID, "names", &tb->args[0]);
	mailauth_bulk_arg(fcinfo, 1, TEXTOID, "rrtypes", &tb->args[1]);
	mailauth_bulk_arg(fcinfo, 2, TEXTOID, "expected_values", &tb->args[2]);
	if (PG_NARGS() > 3)
		mailauth_bulk_arg(fcinfo, 3, TEXTOID, "matches", &tb->args[3]);
	else
	{
		tb->args[3].name = "matches";
		tb->args[3].n = 1;
		tb->args[3].d = palloc(sizeof(Datum));
		tb->args[3].d[0] = CStringGetTextDatum("exact");
		tb->args[3].nulls = palloc0(sizeof(bool));
	}
	nrows = mailauth_bulk_rows("dns_expect", tb->args, 4);
	tb->rows = palloc(sizeof(int) * Max(nrows, 1));
	tb->names = palloc0(sizeof(char *) * Max(nrows, 1));
	eb->types = palloc0(sizeof(uint16_t) * Max(nrows, 1));
	eb->modes = palloc0(sizeof(ma_expect_match) * Max(nrows, 1));
	eb->expected = palloc0(sizeof(char *) * Max(nrows, 1));
	for (int i = 0; i < nrows; i++)
	{
		Datum		d[4];
		char		norm[MA_DNS_MAXNAME + 1];
		bool		skip = false;

		for (int k = 0; k < 4; k++)
			if (!mailauth_bulk_get(&tb->args[k], i, &d[k]))
				skip = true;
		if (skip)
			continue;			/* a NULL element skips the row */
		mailauth_dns_normalize(TextDatumGetCString(d[0]), norm);
		tb->names[i] = pstrdup(norm);
		eb->types[i] = mailauth_dns_type(TextDatumGetCString(d[1]));
		eb->expected[i] = TextDatumGetCString(d[2]);
		eb->modes[i] = match_mode(TextDatumGetCString(d[3]));
		tb->rows[n++] = i;
	}
	mailauth_init_srf(fcinfo);
	tb->rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	trustbulk_slots(tb, n, sizeof(ma_expect_result), free_expect_slot);
	mailauth_bulk_run(fcinfo, n, expect_step, expect_emit, eb);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * domain_report(domain text) and domain_report(domains text[])
 * ---------------------------------------------------------------------
 */

#define REPORT_NCOLS 13
#define REPORT_MAX_WAVES 24		/* an SPF include tree may need ~12 rounds */

typedef struct ReportSet
{
	ma_report  *reports;
	int			n;
} ReportSet;

static void
reportset_callback(void *arg)
{
	ReportSet  *rs = arg;

	for (int i = 0; i < rs->n; i++)
		ma_report_free(&rs->reports[i]);
}

/* the selectors of mailauth.dkim_selectors (our own schema's table) */
static char **
load_selectors(FunctionCallInfo fcinfo, int *n)
{
	char	   *schema = get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid));
	StringInfoData q;
	char	  **sel;
	MemoryContext outer = CurrentMemoryContext;

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT selector FROM %s.dkim_selectors ORDER BY selector LIMIT %d",
					 quote_identifier(schema), MA_REPORT_MAX_SELECTORS);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(q.data, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read %s.dkim_selectors", schema);
	sel = MemoryContextAlloc(outer, sizeof(char *) * Max(SPI_processed, 1));
	*n = 0;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		if (v)
			sel[(*n)++] = MemoryContextStrdup(outer, v);
	}
	SPI_finish();
	return sel;
}

static ma_report *
report_domains(FunctionCallInfo fcinfo, char **domains, int n)
{
	int			nsel;
	char	  **sel = load_selectors(fcinfo, &nsel);
	ma_dns_wave *w = mailauth_wave_new();
	ReportSet  *rs = palloc(sizeof(ReportSet));
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));
	bool	   *done = palloc0(sizeof(bool) * Max(n, 1));

	rs->reports = palloc0(sizeof(ma_report) * Max(n, 1));
	rs->n = n;
	cb->func = reportset_callback;
	cb->arg = rs;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	for (int wave = 0;; wave++)
	{
		int			pending = 0;

		for (int i = 0; i < n; i++)
		{
			if (done[i])
				continue;
			if (ma_domain_report(domains[i], (const char *const *) sel, nsel,
								 (ma_dmarc_mode) mailauth_dmarc_mode,
								 ma_dns_wave_lookup, w, &rs->reports[i]) == 1)
				pending++;
			else
				done[i] = true;
		}
		if (pending == 0)
			break;
		if (wave >= REPORT_MAX_WAVES)
			too_many_waves("domain_report");
		mailauth_wave_resolve(w);
		CHECK_FOR_INTERRUPTS();
	}
	return rs->reports;
}

static void
report_values(const ma_report *r, Datum *v, bool *n)
{
	Datum	   *codes;
	int			nc = 0;

	memset(n, 0, sizeof(bool) * REPORT_NCOLS);
	v[0] = PointerGetDatum(mailauth_bytes_to_text(r->domain, strlen(r->domain)));
	v[1] = str_datum(r->valid_name ? r->spf.status : NULL, &n[1]);
	v[2] = Int32GetDatum(r->spf.dns_lookups);
	n[2] = !r->valid_name || r->spf.record == NULL;
	codes = palloc(sizeof(Datum) * Max(r->spf.nfindings, 1));
	for (int i = 0; i < r->spf.nfindings; i++)
		if (strcmp(r->spf.findings[i].severity, "info") != 0)
			codes[nc++] = CStringGetTextDatum(r->spf.findings[i].code);
	v[3] = PointerGetDatum(construct_array(codes, nc, TEXTOID, -1, false, TYPALIGN_INT));
	n[3] = !r->valid_name;
	if (r->valid_name && r->dmarc.have_record)
	{
		ma_dmarc_policy p = ma_dmarc_effective_p(&r->dmarc.rec, (ma_dmarc_mode) mailauth_dmarc_mode);

		v[4] = str_datum(p == MA_DMARC_P_UNSET ? NULL : ma_dmarc_policy_name(p), &n[4]);
	}
	else
		n[4] = true;
	nc = 0;
	codes = palloc(sizeof(Datum) * Max(r->dmarc.problems.n, 1));
	for (int i = 0; i < r->dmarc.problems.n; i++)
		if (strcmp(r->dmarc.problems.items[i].severity, "info") != 0)
			codes[nc++] = CStringGetTextDatum(r->dmarc.problems.items[i].code);
	v[5] = PointerGetDatum(construct_array(codes, nc, TEXTOID, -1, false, TYPALIGN_INT));
	n[5] = !r->valid_name;
	v[6] = text_array(r->mx_hosts, r->nmx);
	v[7] = BoolGetDatum(r->null_mx);
	n[6] = n[7] = !r->valid_name;
	v[8] = text_array(r->selectors, r->nselectors);
	n[8] = !r->valid_name;
	v[9] = str_datum(r->mta_sts, &n[9]);
	v[10] = str_datum(r->tls_rpt, &n[10]);
	v[11] = str_datum(r->bimi, &n[11]);
	v[12] = text_array(r->problems, r->nproblems);
}

PG_FUNCTION_INFO_V1(mailauth_domain_report);
Datum
mailauth_domain_report(PG_FUNCTION_ARGS)
{
	char	   *domain = text_to_cstring(PG_GETARG_TEXT_PP(0));
	TupleDesc	td;
	ma_report  *r;
	Datum		v[REPORT_NCOLS];
	bool		n[REPORT_NCOLS];

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE || td->natts != REPORT_NCOLS)
		elog(ERROR, "domain_report: return type must be a row type of %d columns", REPORT_NCOLS);
	r = report_domains(fcinfo, &domain, 1);
	report_values(&r[0], v, n);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(td), v, n)));
}

/*
 * The set form: one report per input (NULL elements skipped), every report
 * in the same waves (pg_bulk.c), the key column the domain as given.
 */
typedef struct ReportBulk
{
	ReturnSetInfo *rsinfo;
	char	  **domains;
	char	  **sel;
	int			nsel;
	ReportSet  *rs;				/* per slot */
} ReportBulk;

static int
report_step(void *arg, int item, int slot, int wave, ma_dns_wave *w)
{
	ReportBulk *rb = arg;

	if (ma_domain_report(rb->domains[item], (const char *const *) rb->sel, rb->nsel,
						 (ma_dmarc_mode) mailauth_dmarc_mode,
						 ma_dns_wave_lookup, w, &rb->rs->reports[slot]) == 0)
		return 0;
	if (wave >= REPORT_MAX_WAVES)
		too_many_waves("domain_report");
	return 1;
}

static void
report_emit(void *arg, int item, int slot)
{
	ReportBulk *rb = arg;
	Datum		v[REPORT_NCOLS];
	bool		nn[REPORT_NCOLS];

	report_values(&rb->rs->reports[slot], v, nn);
	/* the key: the domain as given */
	v[0] = PointerGetDatum(mailauth_bytes_to_text(rb->domains[item], strlen(rb->domains[item])));
	tuplestore_putvalues(rb->rsinfo->setResult, rb->rsinfo->setDesc, v, nn);
	ma_report_free(&rb->rs->reports[slot]);
}

PG_FUNCTION_INFO_V1(mailauth_domain_report_many);
Datum
mailauth_domain_report_many(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *d;
	bool	   *nulls;
	int			nd;
	int			n = 0;
	ReportBulk *rb = palloc0(sizeof(ReportBulk));
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("domains must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &d, &nulls, &nd);
	rb->domains = palloc(sizeof(char *) * Max(nd, 1));
	for (int i = 0; i < nd; i++)
		if (!nulls[i])
			rb->domains[n++] = TextDatumGetCString(d[i]);
	mailauth_init_srf(fcinfo);
	if (((ReturnSetInfo *) fcinfo->resultinfo)->setDesc->natts != REPORT_NCOLS)
		elog(ERROR, "domain_report: return type must have %d columns", REPORT_NCOLS);
	rb->rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	rb->sel = load_selectors(fcinfo, &rb->nsel);
	rb->rs = palloc(sizeof(ReportSet));
	rb->rs->n = mailauth_bulk_nslots(n);
	rb->rs->reports = palloc0(sizeof(ma_report) * rb->rs->n);
	cb->func = reportset_callback;
	cb->arg = rb->rs;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	mailauth_bulk_run(fcinfo, n, report_step, report_emit, rb);
	return (Datum) 0;
}
