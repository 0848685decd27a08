/*-------------------------------------------------------------------------
 *
 * pg_addr.c
 *	  RFC 5322 addresses and header hygiene in SQL: parse_address(),
 *	  parse_address_list() (pure, IMMUTABLE) and header_check() (pure
 *	  unless check_dns, which asks the DNS whether the domains of From,
 *	  Reply-To and To exist and accept mail).
 *
 * The core's lists are malloc'ed; a memory-context reset callback frees
 * them if anything throws while rows are built.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "mailauth.h"
#include "core/ma_addr.h"
#include "core/ma_hdrcheck.h"
#include "core/ma_wave.h"

#define MAX_WAVES 4

static Datum
str_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return *isnull ? (Datum) 0 : PointerGetDatum(mailauth_utf8_to_text(s));
}

/* the input text as UTF-8 for the core (it parses RFC 6532 UTF-8) */
static char *
arg_utf8(text *t, size_t *len)
{
	char	   *s = text_to_cstring(t);
	char	   *u = pg_server_to_any(s, strlen(s), PG_UTF8);

	*len = strlen(u);
	return u;
}

static Datum
flags_array(uint32_t flags)
{
	Datum		d[32];
	int			n = 0;

	for (int b = 0; b < 32; b++)
	{
		const char *name;

		if ((flags & (1u << b)) == 0)
			continue;
		name = ma_addr_flag_name(1u << b);
		if (name)
			d[n++] = CStringGetTextDatum(name);
	}
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

typedef struct holder
{
	int			kind;			/* 1 addr, 2 list, 3 hdrcheck, 4 domains */
	void	   *p;
} holder;

static void
holder_callback(void *arg)
{
	holder	   *h = arg;

	if (h->p == NULL)
		return;
	switch (h->kind)
	{
		case 1:
			ma_addr_free(h->p);
			break;
		case 2:
			ma_addr_list_free(h->p);
			break;
		case 3:
			ma_hdrcheck_list_free(h->p);
			break;
		case 4:
			ma_hdrcheck_domain_list_free(h->p);
			break;
	}
	h->p = NULL;
}

static void
hold(int kind, void *p)
{
	holder	   *h = palloc(sizeof(holder));
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

	h->kind = kind;
	h->p = p;
	cb->func = holder_callback;
	cb->arg = h;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
}

static void
out_of_memory(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_OUT_OF_MEMORY),
			 errmsg("out of memory while parsing addresses")));
}

/* ---------------------------------------------------------------------
 * parse_address(text) RETURNS address_parts
 *	 (display_name, local_part, domain, valid, domain_unicode, problems)
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_parse_address);
Datum
mailauth_parse_address(PG_FUNCTION_ARGS)
{
	size_t		len;
	char	   *s = arg_utf8(PG_GETARG_TEXT_PP(0), &len);
	ma_addr    *a = palloc0(sizeof(ma_addr));
	TupleDesc	td;
	Datum		v[6];
	bool		n[6];

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	hold(1, a);
	if (ma_addr_parse_one(s, len, a) < 0)
		out_of_memory();
	memset(n, 0, sizeof(n));
	v[0] = str_or_null(a->display_name, &n[0]);
	v[1] = str_or_null(a->local_part, &n[1]);
	v[2] = str_or_null(a->domain, &n[2]);
	v[3] = BoolGetDatum(a->valid);
	v[4] = str_or_null(a->domain_unicode, &n[4]);
	v[5] = flags_array(a->flags);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(td), v, n)));
}

/* ---------------------------------------------------------------------
 * parse_address_list(text) RETURNS TABLE(display_name, local_part, domain,
 *	 valid, domain_unicode, group_name, problems)
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_parse_address_list);
Datum
mailauth_parse_address_list(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	size_t		len;
	char	   *s = arg_utf8(PG_GETARG_TEXT_PP(0), &len);
	ma_addr_list *l = palloc0(sizeof(ma_addr_list));

	mailauth_init_srf(fcinfo);
	hold(2, l);
	if (ma_addr_parse_list(s, len, l) < 0)
		out_of_memory();
	for (int i = 0; i < l->n; i++)
	{
		const ma_addr *a = &l->items[i];
		Datum		v[7];
		bool		n[7];

		memset(n, 0, sizeof(n));
		v[0] = str_or_null(a->display_name, &n[0]);
		v[1] = str_or_null(a->local_part, &n[1]);
		v[2] = str_or_null(a->domain, &n[2]);
		v[3] = BoolGetDatum(a->valid);
		v[4] = str_or_null(a->domain_unicode, &n[4]);
		v[5] = str_or_null(a->group, &n[5]);
		/* a mailbox's own flags plus the list-level ones (too many, junk...) */
		v[6] = flags_array(a->flags | l->flags);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * header_check(message, check_dns boolean DEFAULT false)
 *	 RETURNS TABLE(severity, code, header, detail)
 * ---------------------------------------------------------------------
 */
static void
put_finding(ReturnSetInfo *rsinfo, const char *severity, const char *code,
			const char *header, const char *detail)
{
	Datum		v[4];
	bool		n[4];

	memset(n, 0, sizeof(n));
	v[0] = CStringGetTextDatum(severity);
	v[1] = CStringGetTextDatum(code);
	v[2] = str_or_null(header, &n[2]);
	v[3] = str_or_null(detail, &n[3]);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
}

static const char *
fields_of(unsigned f)
{
	if (f & MA_HDRCHECK_IN_FROM)
		return "From";
	if (f & MA_HDRCHECK_IN_REPLY_TO)
		return "Reply-To";
	return "To";
}

/*
 * Does each domain exist and accept mail?  MX first; without MX (NODATA),
 * the A and AAAA records (the implicit MX of RFC 5321 5.1).  All domains
 * in the same waves.
 */
static void
check_domains(ReturnSetInfo *rsinfo, const ma_hdrcheck_domain_list *dl)
{
	ma_dns_wave *w = mailauth_wave_new();

	for (int wave = 0;; wave++)
	{
		bool		pending = false;

		for (int i = 0; i < dl->n; i++)
		{
			const ma_dns_result *mx = ma_dns_wave_lookup(w, dl->items[i].domain, MA_T_MX);

			if (mx == NULL)
				pending = true;
			else if (mx->status == MA_DNS_NODATA)
			{
				if (ma_dns_wave_lookup(w, dl->items[i].domain, MA_T_A) == NULL)
					pending = true;
				if (ma_dns_wave_lookup(w, dl->items[i].domain, MA_T_AAAA) == NULL)
					pending = true;
			}
		}
		if (!pending)
			break;
		if (wave >= MAX_WAVES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("header_check needed more than %d rounds of DNS lookups", MAX_WAVES)));
		mailauth_wave_resolve(w);
	}
	for (int i = 0; i < dl->n; i++)
	{
		const ma_hdrcheck_domain *d = &dl->items[i];
		const ma_dns_result *mx = ma_dns_wave_lookup(w, d->domain, MA_T_MX);
		const char *hdr = fields_of(d->fields);
		char	   *show = d->domain_unicode ? d->domain_unicode : d->domain;

		if (mx->status == MA_DNS_NXDOMAIN)
			put_finding(rsinfo, "error", "domain_not_found", hdr,
						psprintf("the domain %s does not exist", show));
		else if (mx->status == MA_DNS_OK)
		{
			bool		null_mx = false;

			for (int j = 0; j < mx->nrr; j++)
				if (mx->rr[j].type == MA_T_MX && mx->rr[j].target &&
					strcmp(mx->rr[j].target, ".") == 0)
					null_mx = true;
			if (null_mx)
				put_finding(rsinfo, "error", "domain_null_mx", hdr,
							psprintf("the domain %s publishes a null MX (RFC 7505): it accepts no mail", show));
		}
		else if (mx->status == MA_DNS_NODATA)
		{
			const ma_dns_result *a = ma_dns_wave_lookup(w, d->domain, MA_T_A);
			const ma_dns_result *aaaa = ma_dns_wave_lookup(w, d->domain, MA_T_AAAA);

			if (a->status == MA_DNS_OK || aaaa->status == MA_DNS_OK)
				continue;		/* the implicit MX */
			if ((a->status == MA_DNS_NODATA || a->status == MA_DNS_NXDOMAIN) &&
				(aaaa->status == MA_DNS_NODATA || aaaa->status == MA_DNS_NXDOMAIN))
				put_finding(rsinfo, "error", "domain_no_mail_host", hdr,
							psprintf("the domain %s has no MX and no address records: it accepts no mail", show));
			else
				put_finding(rsinfo, "warning", "domain_dns_error", hdr,
							psprintf("the address lookup of %s failed (%s)", show,
									 ma_dns_status_name(a->status != MA_DNS_NODATA ? a->status : aaaa->status)));
		}
		else
			put_finding(rsinfo, "warning", "domain_dns_error", hdr,
						psprintf("the MX lookup of %s failed (%s)", show,
								 ma_dns_status_name(mx->status)));
	}
}

static Datum
header_check_common(FunctionCallInfo fcinfo, const char *msg, size_t len)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		check_dns = PG_NARGS() > 1 && !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	ma_hdrcheck_list *l = palloc0(sizeof(ma_hdrcheck_list));

	mailauth_init_srf(fcinfo);
	hold(3, l);
	if (ma_hdrcheck(msg, len, l) < 0)
		out_of_memory();
	for (int i = 0; i < l->n; i++)
		put_finding(rsinfo, l->items[i].severity, l->items[i].code, l->items[i].header,
					l->items[i].detail);
	if (check_dns)
	{
		ma_hdrcheck_domain_list *dl = palloc0(sizeof(ma_hdrcheck_domain_list));

		hold(4, dl);
		if (ma_hdrcheck_domains(msg, len, dl) < 0)
			out_of_memory();
		check_domains(rsinfo, dl);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(mailauth_header_check_bytea);
Datum
mailauth_header_check_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *m = PG_GETARG_BYTEA_PP(0);

	return header_check_common(fcinfo, VARDATA_ANY(m), VARSIZE_ANY_EXHDR(m));
}

PG_FUNCTION_INFO_V1(mailauth_header_check_text);
Datum
mailauth_header_check_text(PG_FUNCTION_ARGS)
{
	text	   *m = PG_GETARG_TEXT_PP(0);

	return header_check_common(fcinfo, VARDATA_ANY(m), VARSIZE_ANY_EXHDR(m));
}
