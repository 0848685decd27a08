/*-------------------------------------------------------------------------
 *
 * pg_dns.c
 *	  SQL functions of the DNS layer, and the latch-aware wait loop every
 *	  DNS-backed check goes through.
 *
 * The engine (src/core/ma_dns.c) is created lazily, once per backend, and
 * rebuilt when a setting that shapes the channel changes.  Waiting happens
 * here, on a WaitEventSet holding the process latch and every c-ares socket:
 * query cancel, statement_timeout and pg_terminate_backend wake us at once.
 * On such a wake the waiter returns to the core, which cancels what is in
 * flight and unwinds; only then do we CHECK_FOR_INTERRUPTS(), with no library
 * frame on the stack.  If the interrupt turns out to be harmless we resume.
 *
 * Query arrays are palloc()ed with a reset callback that frees the results
 * (malloc()ed by the core), so an ERROR anywhere leaks nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inet.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"

#include "mailauth.h"
#include "pg_bulk.h"
#include "core/ma_idn.h"
#include "core/ma_text.h"
#include "core/ma_wave.h"

static ma_dns_engine *engine = NULL;
static char *engine_servers = NULL;	/* settings the channel was built with */
static int	engine_timeout;
static int	engine_tries;
static WaitEventSet *wait_set = NULL;	/* kept across lookups */
static int	wait_set_size = 0;
static int	reserved_fds = 0;	/* c-ares sockets told to fd.c */

/*
 * Tell fd.c how many descriptors c-ares holds (STAYOPEN keeps one per
 * server), so PostgreSQL's own file descriptor budget stays true.
 */
static void
account_fds(void)
{
	int			n = ma_dns_engine_nsocks(engine);

	while (reserved_fds < n)
	{
		ReserveExternalFD();
		reserved_fds++;
	}
	while (reserved_fds > n)
	{
		ReleaseExternalFD();
		reserved_fds--;
	}
}

static void
fill_config(ma_dns_config *cfg)
{
	cfg->servers = mailauth_dns_servers ? mailauth_dns_servers : "";
	cfg->timeout_ms = mailauth_dns_timeout;
	cfg->tries = mailauth_dns_tries;
	cfg->max_inflight = mailauth_dns_max_inflight;
	cfg->cache_entries = (size_t) mailauth_dns_cache_size;
	cfg->cache_bytes = (size_t) mailauth_dns_cache_memory * 1024;
}

static void
remember_config(const ma_dns_config *cfg)
{
	if (engine_servers)
		pfree(engine_servers);
	engine_servers = MemoryContextStrdup(TopMemoryContext, cfg->servers);
	engine_timeout = cfg->timeout_ms;
	engine_tries = cfg->tries;
}

/*
 * The backend's engine, created on first use (never before fork: a shared
 * channel would give every backend the same query ids).
 */
ma_dns_engine *
mailauth_dns_engine(void)
{
	ma_dns_config cfg;
	char		errbuf[256];

	if (mailauth_dns_servers_lost)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("mailauth.dns_servers was set when this session started, by a role that may not set it"),
				 errdetail("The refused value replaced the configured DNS servers for this session; mailauth sends no DNS query rather than fall back to the system resolver."),
				 errhint("Connect without setting mailauth.dns_servers, or load mailauth through shared_preload_libraries so that such connections are refused.")));
	fill_config(&cfg);
	if (engine == NULL)
	{
		ma_dns_engine *e = ma_dns_engine_new(&cfg, errbuf, sizeof(errbuf));

		if (!e)
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),
					 errmsg("could not initialize the DNS resolver"),
					 errdetail("%s", errbuf)));
		remember_config(&cfg);
		mailauth_shcache_attach(e, cfg.servers);
		engine = e;				/* only once fully built */
	}
	else if (strcmp(engine_servers, cfg.servers) != 0 ||
			 engine_timeout != cfg.timeout_ms || engine_tries != cfg.tries)
	{
		const char *msg = ma_dns_engine_reconfigure(engine, &cfg, errbuf, sizeof(errbuf));

		remember_config(&cfg);
		account_fds();
		/* answers of the new servers go under their own key */
		mailauth_shcache_attach(engine, cfg.servers);
		if (msg)
		{
			/* force a rebuild on next use */
			engine_tries = -1;
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),
					 errmsg("could not initialize the DNS resolver"),
					 errdetail("%s", msg)));
		}
	}
	else
	{
		ma_dns_engine_set_cache_limits(engine, cfg.cache_entries, cfg.cache_bytes);
		ma_dns_engine_set_max_inflight(engine, cfg.max_inflight);
	}
	return engine;
}

/*
 * The waiter handed to the core: the latch plus every c-ares socket.
 *
 * It never throws for an interrupt; it reports it, the core cancels what is
 * in flight and unwinds, and mailauth_dns_resolve() then calls
 * CHECK_FOR_INTERRUPTS().  Only the interrupts that end the statement count
 * (cancel, statement_timeout, terminate, a lost client): the others (a stats
 * flush timer, a catch-up signal...) are served by the next
 * CHECK_FOR_INTERRUPTS() after the lookup, which is bounded by
 * mailauth.dns_timeout, instead of costing a cancel and a re-send.
 *
 * The WaitEventSet lives across calls (one epoll set per backend) and is
 * rebuilt only when the core says the socket set changed.
 */
static bool
must_stop(void)
{
	return (QueryCancelPending || ProcDiePending || ClientConnectionLost) &&
		INTERRUPTS_CAN_BE_PROCESSED();
}

static int
pg_dns_wait(void *arg, ma_dns_sock *socks, int nsocks, bool changed, int timeout_ms)
{
	WaitEvent  *events;
	int			nevents,
				ready = 0;

	if (must_stop())
		return MA_WAIT_INTERRUPTED;

	if (changed || wait_set == NULL)
	{
		if (wait_set)
			FreeWaitEventSet(wait_set);
		wait_set = NULL;
		wait_set = CreateWaitEventSet(TopMemoryContext, nsocks + 2);
		AddWaitEventToSet(wait_set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
		AddWaitEventToSet(wait_set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
		for (int i = 0; i < nsocks; i++)
		{
			uint32		ev = (socks[i].want_read ? WL_SOCKET_READABLE : 0) |
				(socks[i].want_write ? WL_SOCKET_WRITEABLE : 0);

			if (ev)
				AddWaitEventToSet(wait_set, ev, socks[i].fd, NULL, (void *) (intptr_t) i);
		}
		wait_set_size = nsocks + 2;
	}
	events = palloc(sizeof(WaitEvent) * wait_set_size);
	nevents = WaitEventSetWait(wait_set, timeout_ms, events, wait_set_size, PG_WAIT_EXTENSION);

	for (int i = 0; i < nevents; i++)
	{
		if (events[i].events & WL_LATCH_SET)
			ResetLatch(MyLatch);
		else if (events[i].events & (WL_SOCKET_READABLE | WL_SOCKET_WRITEABLE))
		{
			int			k = (int) (intptr_t) events[i].user_data;

			if (k >= 0 && k < nsocks)
			{
				if (events[i].events & WL_SOCKET_READABLE)
					socks[k].readable = true;
				if (events[i].events & WL_SOCKET_WRITEABLE)
					socks[k].writable = true;
				ready++;
			}
		}
	}
	pfree(events);
	if (must_stop())
		return MA_WAIT_INTERRUPTED;
	return ready;
}

typedef struct QueryHolder
{
	ma_dns_query *qs;
	int			n;
} QueryHolder;

static void
queries_reset_callback(void *arg)
{
	QueryHolder *h = arg;

	for (int i = 0; i < h->n; i++)
		ma_dns_query_clear(&h->qs[i]);
}

/* n zeroed queries whose results are freed with the current memory context */
ma_dns_query *
mailauth_dns_queries(int n)
{
	QueryHolder *h = palloc(sizeof(QueryHolder));
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

	h->qs = palloc0(sizeof(ma_dns_query) * Max(n, 1));
	h->n = n;
	cb->func = queries_reset_callback;
	cb->arg = h;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	return h->qs;
}

/* Resolve queries concurrently, honouring interrupts. */
void
mailauth_dns_resolve(ma_dns_query *qs, int n)
{
	ma_dns_engine *e = mailauth_dns_engine();

	for (;;)
	{
		int			rc = MA_RUN_OK;

		PG_TRY();
		{
			rc = ma_dns_run(e, qs, n, pg_dns_wait, NULL);
		}
		PG_CATCH();
		{
			if (wait_set)
			{
				FreeWaitEventSet(wait_set);
				wait_set = NULL;
			}
			ma_dns_abort(e);
			account_fds();
			PG_RE_THROW();
		}
		PG_END_TRY();

		account_fds();
		if (rc == MA_RUN_INTERRUPTED)
		{
			/* nothing of ours is inside c-ares now: safe to throw */
			CHECK_FOR_INTERRUPTS();
			continue;			/* a harmless interrupt: resume */
		}
		if (rc == MA_RUN_FAILED)
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),
					 errmsg("waiting for DNS answers failed")));
		break;
	}
}

static void
wave_reset_callback(void *arg)
{
	ma_dns_wave_free((ma_dns_wave *) arg);
}

/* an answer store freed with the current memory context (see ma_wave.h) */
ma_dns_wave *
mailauth_wave_new(void)
{
	ma_dns_wave *w = ma_dns_wave_new();
	MemoryContextCallback *cb;

	if (!w)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	cb = palloc(sizeof(MemoryContextCallback));
	cb->func = wave_reset_callback;
	cb->arg = w;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	return w;
}

/*
 * Resolve every question the evaluators left pending, concurrently, and
 * store the answers.  Called with no evaluator frame on the stack, so an
 * interrupt may throw here.
 */
void
mailauth_wave_resolve(ma_dns_wave *w)
{
	int			n = ma_dns_wave_npending(w);
	ma_dns_query *qs;

	if (n == 0)
		return;
	qs = mailauth_dns_queries(n);
	for (int i = 0; i < n; i++)
	{
		const char *name;
		uint16_t	type;

		ma_dns_wave_pending(w, i, &name, &type);
		ma_dns_query_init(&qs[i], name, type);
	}
	mailauth_dns_resolve(qs, n);
	for (int i = 0; i < n; i++)
	{
		ma_dns_wave_answer(w, i, qs[i].result);
		ma_dns_query_clear(&qs[i]);
	}
	ma_dns_wave_clear_pending(w);
}

/* Check and normalise a name (IDN to A-labels); ERROR on bad input. */
void
mailauth_dns_normalize(const char *name, char *out)
{
	const char *msg;
	char		ascii[1024];

	if (!ma_name_is_ascii(name))
	{
		char	   *utf8 = pg_server_to_any(name, strlen(name), PG_UTF8);

		msg = ma_idn_to_ascii(utf8, ascii, sizeof(ascii));
		if (msg)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid domain name \"%s\"", name),
					 errdetail("Internationalized name: %s.", msg)));
		name = ascii;
	}
	msg = ma_dns_name_check(name, out);
	if (msg)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid domain name \"%s\"", name),
				 errdetail("The %s.", msg)));
}

/* as mailauth_dns_normalize(), but false for a bad name instead of an ERROR */
bool
mailauth_dns_try_normalize(const char *name, char *out)
{
	char		ascii[1024];

	if (!ma_name_is_ascii(name))
	{
		char	   *utf8 = pg_server_to_any(name, strlen(name), PG_UTF8);

		if (ma_idn_to_ascii(utf8, ascii, sizeof(ascii)) != NULL)
			return false;
		name = ascii;
	}
	return ma_dns_name_check(name, out) == NULL;
}

uint16_t
mailauth_dns_type(const char *typname)
{
	int			t = ma_dns_type_from_name(typname);

	if (t == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported DNS record type \"%s\"", typname),
				 errhint("Supported types are A, AAAA, CNAME, MX, NS, PTR, SOA, TXT, SRV and CAA.")));
	return (uint16_t) t;
}

/* Raise the ERROR for a failed lookup (servfail, refused, timeout, ...) */
void
mailauth_dns_raise(const ma_dns_query *q)
{
	const ma_dns_result *r = q->result;
	ma_dns_status st = r ? r->status : MA_DNS_ERROR;
	int			code;

	switch (st)
	{
		case MA_DNS_SERVFAIL:
			code = ERRCODE_MA_DNS_SERVFAIL;
			break;
		case MA_DNS_REFUSED:
			code = ERRCODE_MA_DNS_REFUSED;
			break;
		case MA_DNS_TIMEOUT:
			code = ERRCODE_MA_DNS_TIMEOUT;
			break;
		case MA_DNS_FORMERR:
			code = ERRCODE_MA_DNS_FORMERR;
			break;
		default:
			code = ERRCODE_MA_DNS_ERROR;
			break;
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg("DNS lookup of %s %s failed: %s", q->name, ma_dns_type_name(q->type),
					ma_dns_status_name(st)),
			 (r && r->detail) ? errdetail("%s.", r->detail) : 0));
}

static bool
lookup_failed(const ma_dns_result *r)
{
	return r == NULL || !(r->status == MA_DNS_OK || r->status == MA_DNS_NXDOMAIN ||
						  r->status == MA_DNS_NODATA);
}

/*
 * TXT data as text: verbatim when valid in the database encoding and free of
 * NUL bytes; otherwise every NUL, every byte of an invalid sequence and every
 * backslash is written \DDD, as in master files.
 */
text *
mailauth_bytes_to_text(const char *data, size_t len)
{
	int			enc = GetDatabaseEncoding();
	StringInfoData buf;
	size_t		i = 0;

	if (memchr(data, '\0', len) == NULL && pg_verify_mbstr(enc, data, (int) len, true))
		return cstring_to_text_with_len(data, (int) len);

	initStringInfo(&buf);
	while (i < len)
	{
		unsigned char ch = (unsigned char) data[i];
		int			l;

		if (ch == '\0' || ch == '\\')
		{
			appendStringInfo(&buf, "\\%03u", ch);
			i++;
			continue;
		}
		l = pg_encoding_verifymbchar(enc, data + i, (int) (len - i));
		if (l <= 0)
		{
			appendStringInfo(&buf, "\\%03u", ch);
			i++;
			continue;
		}
		appendBinaryStringInfo(&buf, data + i, l);
		i += l;
	}
	return cstring_to_text_with_len(buf.data, buf.len);
}

static Datum
rr_data(const ma_dns_rr *rr)
{
	if (rr->type == MA_T_TXT)
		return PointerGetDatum(mailauth_bytes_to_text(rr->data, rr->datalen));
	return CStringGetTextDatum(rr->data);
}

static int32
rr_ttl(const ma_dns_query *q, const ma_dns_rr *rr)
{
	return rr->ttl > q->age_s ? (int32) (rr->ttl - q->age_s) : 0;
}

/* ---------------------------------------------------------------------
 * dns_lookup(name text, rrtype text) -> (name, rrtype, ttl, data)
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_dns_lookup);
Datum
mailauth_dns_lookup(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *typname = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char		norm[MA_DNS_MAXNAME + 1];
	uint16_t	type = mailauth_dns_type(typname);
	ma_dns_query *q;
	const ma_dns_result *r;

	mailauth_dns_normalize(name, norm);
	mailauth_init_srf(fcinfo);
	q = mailauth_dns_queries(1);
	ma_dns_query_init(q, norm, type);
	mailauth_dns_resolve(q, 1);
	r = q->result;
	if (lookup_failed(r))
		mailauth_dns_raise(q);
	if (r->status == MA_DNS_OK)
	{
		for (int i = 0; i < r->nrr; i++)
		{
			Datum		values[4];
			bool		nulls[4] = {false, false, false, false};

			values[0] = CStringGetTextDatum(r->rr[i].name);
			values[1] = CStringGetTextDatum(ma_dns_type_name(r->rr[i].type));
			values[2] = Int32GetDatum(rr_ttl(q, &r->rr[i]));
			values[3] = rr_data(&r->rr[i]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	ma_dns_query_clear(q);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * dns_lookup(names text[], rrtype text)
 *	 -> (query, status, name, rrtype, ttl, data), concurrent, never raises
 *	 for one name's failure.
 * ---------------------------------------------------------------------
 */
#define NAME_KEYLEN 1024		/* longer inputs are invalid names anyway */

/*
 * Resolve one query per input, a chunk of inputs at a time (one concurrent
 * engine run each, progress reported after each), and hand every input with
 * its query to emit, in input order.  names[i] is a normalised name, or NULL
 * for an input without a query (emit gets q = NULL).  Within a chunk a name
 * is asked once.  Each chunk's queries and rows are built in a context reset
 * after the chunk, so memory does not grow with the number of inputs.
 */
typedef void (*QueryEmit) (void *arg, int item, ma_dns_query *q);

static void
query_chunks(FunctionCallInfo fcinfo, char **names, int n, uint16_t type,
			 QueryEmit emit, void *arg)
{
	int			chunk = mailauth_bulk_window();
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext, "mailauth bulk",
											  ALLOCSET_DEFAULT_SIZES);
	MailauthProgress progress;

	mailauth_progress_init(&progress, fcinfo, n);
	for (int lo = 0, hi; lo < n; lo = hi)
	{
		MemoryContext old;
		ma_dns_query *qs;
		int		   *qi;
		int			nq = 0;
		HASHCTL		ctl;
		HTAB	   *seen;

		hi = Min(n, lo + chunk);
		/* end a chunk where a progress NOTICE is due, so it reports that count */
		if (progress.every > 0 && (lo / progress.every + 1) * (int64) progress.every < hi)
			hi = (lo / progress.every + 1) * progress.every;
		old = MemoryContextSwitchTo(tmp);
		qs = mailauth_dns_queries(hi - lo);
		qi = palloc(sizeof(int) * (hi - lo));
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = MA_DNS_MAXNAME + 1;
		ctl.entrysize = MA_DNS_MAXNAME + 1 + sizeof(int);
		ctl.hcxt = tmp;
		seen = hash_create("mailauth bulk names", hi - lo, &ctl,
						   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		for (int i = lo; i < hi; i++)
		{
			char		key[MA_DNS_MAXNAME + 1];
			char	   *entry;
			bool		found;

			qi[i - lo] = -1;
			if (names[i] == NULL)
				continue;
			memset(key, 0, sizeof(key));
			strlcpy(key, names[i], sizeof(key));
			entry = hash_search(seen, key, HASH_ENTER, &found);
			if (!found)
			{
				ma_dns_query_init(&qs[nq], names[i], type);
				memcpy(entry + MA_DNS_MAXNAME + 1, &nq, sizeof(int));
				nq++;
			}
			memcpy(&qi[i - lo], entry + MA_DNS_MAXNAME + 1, sizeof(int));
		}
		mailauth_dns_resolve(qs, nq);
		for (int i = lo; i < hi; i++)
		{
			emit(arg, i, qi[i - lo] >= 0 ? &qs[qi[i - lo]] : NULL);
			if ((i - lo) % 64 == 63)
				CHECK_FOR_INTERRUPTS();
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(tmp);
		mailauth_progress_report(&progress, hi);
		CHECK_FOR_INTERRUPTS();
	}
	MemoryContextDelete(tmp);
}

typedef struct NameSlot
{
	char	   *input;
	char	   *norm;			/* NULL when invalid */
} NameSlot;

typedef struct LookupManyState
{
	ReturnSetInfo *rsinfo;
	NameSlot   *slots;
} LookupManyState;

static void
lookup_many_emit(void *arg, int s, ma_dns_query *q)
{
	LookupManyState *st = arg;
	ReturnSetInfo *rsinfo = st->rsinfo;
	Datum		values[6];
	bool		nulls[6] = {false, false, true, true, true, true};
	const ma_dns_result *r;

	values[0] = CStringGetTextDatum(st->slots[s].input);
	if (q == NULL)
	{
		values[1] = CStringGetTextDatum("invalid");
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		return;
	}
	r = q->result;
	values[1] = CStringGetTextDatum(ma_dns_status_name(r ? r->status : MA_DNS_ERROR));
	if (r == NULL || r->status != MA_DNS_OK || r->nrr == 0)
	{
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		return;
	}
	for (int i = 0; i < r->nrr; i++)
	{
		memset(nulls, 0, sizeof(nulls));
		values[2] = CStringGetTextDatum(r->rr[i].name);
		values[3] = CStringGetTextDatum(ma_dns_type_name(r->rr[i].type));
		values[4] = Int32GetDatum(rr_ttl(q, &r->rr[i]));
		values[5] = rr_data(&r->rr[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

PG_FUNCTION_INFO_V1(mailauth_dns_lookup_many);
Datum
mailauth_dns_lookup_many(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	char	   *typname = text_to_cstring(PG_GETARG_TEXT_PP(1));
	uint16_t	type = mailauth_dns_type(typname);
	Datum	   *elems;
	bool	   *elnulls;
	int			nelems,
				nslots = 0;
	NameSlot   *slots;
	char	  **names;
	HASHCTL		ctl;
	HTAB	   *seen;
	char		key[NAME_KEYLEN];
	LookupManyState st;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("names must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &elnulls, &nelems);
	mailauth_init_srf(fcinfo);

	/* distinct inputs, in order of first appearance */
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAME_KEYLEN;
	ctl.entrysize = NAME_KEYLEN;
	ctl.hcxt = CurrentMemoryContext;
	seen = hash_create("mailauth dns names", Max(nelems, 16), &ctl,
					   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	slots = palloc(sizeof(NameSlot) * Max(nelems, 1));
	for (int i = 0; i < nelems; i++)
	{
		char	   *in;
		bool		found;
		char		norm[MA_DNS_MAXNAME + 1];
		const char *msg = NULL;
		char		ascii[1024];
		const char *n;

		if (elnulls[i])
			continue;
		if (i % 256 == 255)
			CHECK_FOR_INTERRUPTS();
		in = TextDatumGetCString(elems[i]);
		if (strlen(in) >= sizeof(key))
		{
			slots[nslots].input = in;
			slots[nslots++].norm = NULL;
			continue;
		}
		memset(key, 0, sizeof(key));
		strcpy(key, in);
		hash_search(seen, key, HASH_ENTER, &found);
		if (found)
			continue;
		n = in;
		if (!ma_name_is_ascii(in))
		{
			char	   *utf8 = pg_server_to_any(in, strlen(in), PG_UTF8);

			msg = ma_idn_to_ascii(utf8, ascii, sizeof(ascii));
			n = ascii;
		}
		if (msg == NULL)
			msg = ma_dns_name_check(n, norm);
		slots[nslots].input = in;
		slots[nslots++].norm = msg ? NULL : pstrdup(norm);
	}
	hash_destroy(seen);
	names = palloc(sizeof(char *) * Max(nslots, 1));
	for (int s = 0; s < nslots; s++)
		names[s] = slots[s].norm;
	st.rsinfo = rsinfo;
	st.slots = slots;
	query_chunks(fcinfo, names, nslots, type, lookup_many_emit, &st);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * mx_lookup(domain) -> (preference, exchange, ttl)
 * ---------------------------------------------------------------------
 */
static int
mx_cmp(const void *a, const void *b)
{
	const ma_dns_rr *x = *(const ma_dns_rr *const *) a;
	const ma_dns_rr *y = *(const ma_dns_rr *const *) b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->target, y->target);
}

/* resolve one name of one type; ERROR on failure; NULL result = no data */
static ma_dns_query *
lookup_one(const char *name, uint16_t type)
{
	ma_dns_query *q = mailauth_dns_queries(1);

	ma_dns_query_init(q, name, type);
	mailauth_dns_resolve(q, 1);
	if (lookup_failed(q->result))
		mailauth_dns_raise(q);
	return q;
}

/* the MX rows of one answer, sorted as mx_lookup() gives them, after key */
static void
mx_rows(ReturnSetInfo *rsinfo, const ma_dns_query *q, Datum key, bool with_key)
{
	const ma_dns_result *r = q->result;
	const ma_dns_rr **mx;
	int			nmx = 0;
	int			off = with_key ? 1 : 0;

	mx = palloc(sizeof(ma_dns_rr *) * Max(r->nrr, 1));
	for (int i = 0; i < r->nrr; i++)
		if (r->status == MA_DNS_OK && r->rr[i].type == MA_T_MX)
			mx[nmx++] = &r->rr[i];
	qsort(mx, nmx, sizeof(ma_dns_rr *), mx_cmp);
	for (int i = 0; i < nmx; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = key;
		values[off + 0] = Int32GetDatum(mx[i]->pref);
		values[off + 1] = CStringGetTextDatum(mx[i]->target);
		values[off + 2] = Int32GetDatum(rr_ttl(q, mx[i]));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

PG_FUNCTION_INFO_V1(mailauth_mx_lookup);
Datum
mailauth_mx_lookup(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char		norm[MA_DNS_MAXNAME + 1];
	ma_dns_query *q;

	mailauth_dns_normalize(name, norm);
	mailauth_init_srf(fcinfo);
	q = lookup_one(norm, MA_T_MX);
	mx_rows(rsinfo, q, (Datum) 0, false);
	ma_dns_query_clear(q);
	return (Datum) 0;
}

/*
 * The set forms of mx_lookup() and ptr_lookup(): every input checked first
 * (an invalid one is the same ERROR the single form gives, before any
 * query), then all queries resolved concurrently, a chunk at a time; a
 * failed lookup is the ERROR the single form raises for it (use
 * dns_lookup(text[], ...) for a status per name instead).
 */
typedef struct KeyedRows
{
	ReturnSetInfo *rsinfo;
	Datum	   *keys;
	bool		ptr;
} KeyedRows;

static void ptr_rows(ReturnSetInfo *rsinfo, const ma_dns_query *q, Datum key, bool with_key);

static void
keyed_emit(void *arg, int i, ma_dns_query *q)
{
	KeyedRows  *kr = arg;

	if (lookup_failed(q->result))
		mailauth_dns_raise(q);
	if (kr->ptr)
		ptr_rows(kr->rsinfo, q, kr->keys[i], true);
	else
		mx_rows(kr->rsinfo, q, kr->keys[i], true);
}

PG_FUNCTION_INFO_V1(mailauth_mx_lookup_many);
Datum
mailauth_mx_lookup_many(PG_FUNCTION_ARGS)
{
	MailauthBulkArg a;
	char	  **names;
	int			n = 0;
	KeyedRows	kr;

	mailauth_bulk_arg(fcinfo, 0, TEXTOID, "domains", &a);
	names = palloc(sizeof(char *) * Max(a.n, 1));
	kr.keys = palloc(sizeof(Datum) * Max(a.n, 1));
	for (int i = 0; i < a.n; i++)
	{
		char		norm[MA_DNS_MAXNAME + 1];

		if (a.nulls[i])
			continue;			/* NULL elements are skipped */
		mailauth_dns_normalize(TextDatumGetCString(a.d[i]), norm);
		names[n] = pstrdup(norm);
		kr.keys[n++] = a.d[i];
	}
	mailauth_init_srf(fcinfo);
	kr.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	kr.ptr = false;
	query_chunks(fcinfo, names, n, MA_T_MX, keyed_emit, &kr);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * ptr_lookup(ip inet) -> (name, ttl)
 * ---------------------------------------------------------------------
 */
static void
ptr_rows(ReturnSetInfo *rsinfo, const ma_dns_query *q, Datum key, bool with_key)
{
	const ma_dns_result *r = q->result;
	int			off = with_key ? 1 : 0;

	if (r->status != MA_DNS_OK)
		return;
	for (int i = 0; i < r->nrr; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		if (r->rr[i].type != MA_T_PTR)
			continue;
		values[0] = key;
		values[off + 0] = CStringGetTextDatum(r->rr[i].target);
		values[off + 1] = Int32GetDatum(rr_ttl(q, &r->rr[i]));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

static void
reverse_name(inet *ip, char *rev, size_t len)
{
	ma_dns_reverse_name(ip_family(ip) == PGSQL_AF_INET ? AF_INET : AF_INET6,
						ip_addr(ip), rev, len);
}

PG_FUNCTION_INFO_V1(mailauth_ptr_lookup);
Datum
mailauth_ptr_lookup(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	inet	   *ip = PG_GETARG_INET_PP(0);
	char		rev[128];
	ma_dns_query *q;

	reverse_name(ip, rev, sizeof(rev));
	mailauth_init_srf(fcinfo);
	q = lookup_one(rev, MA_T_PTR);
	ptr_rows(rsinfo, q, (Datum) 0, false);
	ma_dns_query_clear(q);
	return (Datum) 0;
}

/*
 * ptr_lookup(ip text): the same, for an address written as a literal.  With
 * the inet[] set form beside the inet form, ptr_lookup('192.0.2.1') would
 * be ambiguous (inet and inet[] are different type categories, and an
 * unknown-type literal picks neither); a text overload takes the literal,
 * as text wins that match.  ptr_check, dnsbl_check, spf_verify and
 * helo_check have the same overload.
 */
void
mailauth_inet_arg_from_text(FunctionCallInfo fcinfo, int argno)
{
	char	   *s;

	if (PG_ARGISNULL(argno))
		return;
	s = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	fcinfo->args[argno].value = DirectFunctionCall1(inet_in, CStringGetDatum(s));
}

PG_FUNCTION_INFO_V1(mailauth_ptr_lookup_text);
Datum
mailauth_ptr_lookup_text(PG_FUNCTION_ARGS)
{
	mailauth_inet_arg_from_text(fcinfo, 0);
	return mailauth_ptr_lookup(fcinfo);
}

PG_FUNCTION_INFO_V1(mailauth_ptr_lookup_many);
Datum
mailauth_ptr_lookup_many(PG_FUNCTION_ARGS)
{
	MailauthBulkArg a;
	char	  **names;
	int			n = 0;
	KeyedRows	kr;

	mailauth_bulk_arg(fcinfo, 0, INETOID, "ips", &a);
	names = palloc(sizeof(char *) * Max(a.n, 1));
	kr.keys = palloc(sizeof(Datum) * Max(a.n, 1));
	for (int i = 0; i < a.n; i++)
	{
		char		rev[128];

		if (a.nulls[i])
			continue;			/* NULL elements are skipped */
		reverse_name(DatumGetInetPP(a.d[i]), rev, sizeof(rev));
		names[n] = pstrdup(rev);
		kr.keys[n++] = a.d[i];
	}
	mailauth_init_srf(fcinfo);
	kr.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	kr.ptr = true;
	query_chunks(fcinfo, names, n, MA_T_PTR, keyed_emit, &kr);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * dns_cache_stats(), dns_cache_reset()
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_dns_cache_stats);
Datum
mailauth_dns_cache_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	ma_dns_cache_stats cs;
	ma_dns_engine_stats es;
	Datum		values[21];
	bool		nulls[21];
	int			i = 0;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	memset(&cs, 0, sizeof(cs));
	memset(&es, 0, sizeof(es));
	cs.max_entries = mailauth_dns_cache_size;
	if (engine)
	{
		ma_dns_cache_get_stats(ma_dns_engine_cache(engine), &cs);
		ma_dns_engine_get_stats(engine, &es);
	}
	memset(nulls, 0, sizeof(nulls));
	values[i++] = Int64GetDatum(cs.entries);
	values[i++] = Int64GetDatum(cs.max_entries);
	values[i++] = Int64GetDatum(cs.bytes);
	values[i++] = Int64GetDatum(cs.hits);
	values[i++] = Int64GetDatum(cs.misses);
	values[i++] = Int64GetDatum(cs.expired);
	values[i++] = Int64GetDatum(cs.evictions);
	values[i++] = Int64GetDatum(es.lookups);
	values[i++] = Int64GetDatum(es.queries_sent);
	values[i++] = Int64GetDatum(es.answers);
	values[i++] = Int64GetDatum(es.timeouts);
	values[i++] = Int64GetDatum(es.nxdomain);
	values[i++] = Int64GetDatum(es.nodata);
	values[i++] = Int64GetDatum(es.servfail);
	values[i++] = Int64GetDatum(es.refused);
	values[i++] = Int64GetDatum(es.formerr);
	values[i++] = Int64GetDatum(es.errors);
	values[i++] = Int64GetDatum(es.cname_follows);
	values[i++] = Int64GetDatum(es.interrupts);
	values[i++] = Int64GetDatum(es.shared_hits);
	values[i++] = Int64GetDatum(es.shared_misses);
	Assert(i == tupdesc->natts);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(mailauth_dns_cache_reset);
Datum
mailauth_dns_cache_reset(PG_FUNCTION_ARGS)
{
	if (engine)
	{
		ma_dns_cache_clear(ma_dns_engine_cache(engine), true);
		ma_dns_engine_reset_stats(engine);
	}
	PG_RETURN_VOID();
}

/*
 * UTF-8 from the core (bounces, addresses) -> text in the database encoding;
 * characters the database encoding cannot hold become '?'.
 */
text *
mailauth_utf8_to_text(const char *s)
{
	size_t		len = strlen(s);
	int			enc = GetDatabaseEncoding();
	char	   *conv = NULL;
	MemoryContext mcx = CurrentMemoryContext;

	if (enc == PG_SQL_ASCII)
		return cstring_to_text_with_len(s, (int) len);
	if (enc == PG_UTF8)
	{
		/*
		 * The core hands out UTF-8; should a string ever not be (a bug), no
		 * invalid text reaches the database: written as TXT data is, invalid
		 * bytes as \DDD
		 */
		if (ma_ascii_run(s, len) == len || pg_verify_mbstr(PG_UTF8, s, (int) len, true))
			return cstring_to_text_with_len(s, (int) len);
		return mailauth_bytes_to_text(s, len);
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char) s[i] >= 0x80)
			goto convert;
	return cstring_to_text_with_len(s, (int) len);

convert:
	PG_TRY();
	{
		conv = pg_any_to_server(s, (int) len, PG_UTF8);
	}
	PG_CATCH();
	{
		/* a character the database encoding cannot hold: non-ASCII -> '?' */
		StringInfoData buf;

		MemoryContextSwitchTo(mcx);
		FlushErrorState();
		initStringInfo(&buf);
		for (size_t i = 0; i < len; i++)
		{
			unsigned char c = (unsigned char) s[i];

			if (c < 0x80)
				appendStringInfoChar(&buf, (char) c);
			else if ((c & 0xc0) != 0x80)
				appendStringInfoChar(&buf, '?');
		}
		conv = buf.data;
	}
	PG_END_TRY();
	return cstring_to_text(conv);
}
