/*-------------------------------------------------------------------------
 *
 * pg_bulk.c
 *	  The machinery of the set forms (text[] / inet[] in, rows keyed by
 *	  input out) of every DNS-backed check:
 *
 *	  - array arguments, with parallel arrays of equal length and a
 *		one-element array broadcast to every row;
 *	  - the progress NOTICE of mailauth.bulk_progress;
 *	  - the windowed waves driver: up to a window of inputs are evaluated
 *		at once against shared answer stores, all their pending questions
 *		resolved in one concurrent engine run per round, finished inputs
 *		emitted in input order and their memory freed, and new inputs
 *		admitted as others finish.  Memory stays bounded by the window
 *		whatever the length of the input, progress advances steadily, and
 *		query cancel is served between rounds and between items as well as
 *		inside every DNS wait (pg_dns.c).
 *
 * The answer stores rotate: each generation of admitted inputs shares one
 * store (so an include or an MX host asked by many domains is asked once),
 * and a store is freed as soon as the last input of its generation is done.
 * Answers outlive a store in the engine's cache (mailauth.dns_cache_size).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "mailauth.h"
#include "pg_bulk.h"

/* ---------------------------------------------------------------------
 * array arguments
 * ---------------------------------------------------------------------
 */

/*
 * Deconstruct array argument argno (one-dimensional).  A NULL argument is
 * one NULL element, broadcast to every row ("no value" for all of them).
 */
void
mailauth_bulk_arg(FunctionCallInfo fcinfo, int argno, Oid elemtype, const char *argname,
				  MailauthBulkArg *out)
{
	ArrayType  *arr;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	out->name = argname;
	if (argno >= PG_NARGS() || PG_ARGISNULL(argno))
	{
		out->n = 1;
		out->d = palloc0(sizeof(Datum));
		out->nulls = palloc(sizeof(bool));
		out->nulls[0] = true;
		return;
	}
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", argname)));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(arr, elemtype, typlen, typbyval, typalign, &out->d, &out->nulls, &out->n);
}

/*
 * The number of rows of parallel arrays: arrays of one element are
 * broadcast, the others must all have the same length (22023 otherwise).
 */
int
mailauth_bulk_rows(const char *fname, MailauthBulkArg *args, int nargs)
{
	int			n = -1;

	for (int i = 0; i < nargs; i++)
		if (args[i].n != 1)
		{
			if (n >= 0 && args[i].n != n)
			{
				StringInfoData names;

				initStringInfo(&names);
				for (int j = 0; j < nargs; j++)
					appendStringInfo(&names, "%s%s (%d)",
									 j == 0 ? "" : j == nargs - 1 ? " and " : ", ",
									 args[j].name, args[j].n);
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: the arrays %s must have the same number of elements",
								fname, names.data),
						 errhint("An array of one element is used for every row.")));
			}
			n = args[i].n;
		}
	return n < 0 ? 1 : n;
}

/* ---------------------------------------------------------------------
 * progress
 * ---------------------------------------------------------------------
 */

void
mailauth_progress_init(MailauthProgress *p, FunctionCallInfo fcinfo, int64 total)
{
	memset(p, 0, sizeof(*p));
	p->every = mailauth_bulk_progress;
	p->total = total;
	p->next = p->every;
	if (p->every > 0 && fcinfo && fcinfo->flinfo && OidIsValid(fcinfo->flinfo->fn_oid))
	{
		Oid			fn = fcinfo->flinfo->fn_oid;
		char	   *nsp = get_namespace_name(get_func_namespace(fn));
		char	   *name = get_func_name(fn);

		p->fname = psprintf("%s.%s", nsp ? nsp : "?", name ? name : "?");
	}
	else
		p->every = 0;
	INSTR_TIME_SET_CURRENT(p->start);
}

/*
 * done inputs of total are finished: a NOTICE each time another
 * mailauth.bulk_progress of them are, and one at the end of a run that
 * gave any.
 */
void
mailauth_progress_report(MailauthProgress *p, int64 done)
{
	instr_time	now;
	bool		at_end;

	if (p->every <= 0 || done == p->last)
		return;
	at_end = (done >= p->total && p->total >= p->every);
	if (done < p->next && !at_end)
		return;
	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, p->start);
	ereport(NOTICE,
			(errmsg("%s: " INT64_FORMAT " of " INT64_FORMAT " done (%d %%), %.1f s",
					p->fname, done, p->total,
					p->total > 0 ? (int) (done * 100 / p->total) : 100,
					INSTR_TIME_GET_DOUBLE(now))));
	p->last = done;
	p->next = (done / p->every + 1) * p->every;
}

/* ---------------------------------------------------------------------
 * the windowed waves driver
 * ---------------------------------------------------------------------
 */

/* inputs evaluated at once, and inputs kept between the first unfinished and the last admitted */
int
mailauth_bulk_window(void)
{
	return Max(64, 8 * mailauth_dns_max_inflight);
}

int
mailauth_bulk_nslots(int n)
{
	return Max(1, Min(n, 4 * mailauth_bulk_window()));
}

typedef struct Store
{
	ma_dns_wave *w;
	int			live;			/* inputs not finished yet */
} Store;

static ma_dns_wave *
new_store(void)
{
	ma_dns_wave *w = ma_dns_wave_new();

	if (!w)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return w;
}

typedef struct StoreSet
{
	Store	   *s;
	int			n;
} StoreSet;

static void
storeset_callback(void *arg)
{
	StoreSet   *ss = arg;

	for (int i = 0; i < ss->n; i++)
		if (ss->s[i].w)
		{
			ma_dns_wave_free(ss->s[i].w);
			ss->s[i].w = NULL;
		}
}

/*
 * Resolve the pending questions of several answer stores in one concurrent
 * engine run.  The query array lives in a context reset right after.
 */
static void
resolve_stores(Store *stores, int nstores, MemoryContext tmp)
{
	MemoryContext old = MemoryContextSwitchTo(tmp);
	int			total = 0,
				k = 0;
	ma_dns_query *qs;

	for (int i = 0; i < nstores; i++)
		if (stores[i].w)
			total += ma_dns_wave_npending(stores[i].w);
	if (total > 0)
	{
		qs = mailauth_dns_queries(total);
		for (int i = 0; i < nstores; i++)
		{
			int			np;

			if (!stores[i].w)
				continue;
			np = ma_dns_wave_npending(stores[i].w);
			for (int j = 0; j < np; j++)
			{
				const char *name;
				uint16_t	type;

				ma_dns_wave_pending(stores[i].w, j, &name, &type);
				ma_dns_query_init(&qs[k++], name, type);
			}
		}
		mailauth_dns_resolve(qs, total);
		k = 0;
		for (int i = 0; i < nstores; i++)
		{
			int			np;

			if (!stores[i].w)
				continue;
			np = ma_dns_wave_npending(stores[i].w);
			for (int j = 0; j < np; j++)
			{
				ma_dns_wave_answer(stores[i].w, j, qs[k].result);
				ma_dns_query_clear(&qs[k]);
				k++;
			}
			ma_dns_wave_clear_pending(stores[i].w);
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(tmp);
}

/*
 * Run n inputs to the end.  step(arg, item, slot, wave, w) evaluates input
 * item on answer store w (wave: the rounds of DNS it has had so far) and
 * returns 0 when done, 1 when it waits for answers; emit(arg, item, slot)
 * writes its rows and frees its result.  Inputs are emitted in input order;
 * slot is item % mailauth_bulk_nslots(n).  emit runs in a short-lived
 * memory context.  Neither callback may be entered with a core frame on the
 * stack of the other.
 */
void
mailauth_bulk_run(FunctionCallInfo fcinfo, int n, MailauthBulkStep step,
				  MailauthBulkEmit emit, void *arg)
{
	int			window = mailauth_bulk_window();
	int			nslots = mailauth_bulk_nslots(n);
	int			gen_size = window;
	int		   *active = palloc(sizeof(int) * window);
	int			nactive = 0;
	int16	   *waves = palloc0(sizeof(int16) * Max(n, 1));
	int		   *store_of = palloc(sizeof(int) * Max(n, 1));
	bool	   *done = palloc0(sizeof(bool) * Max(n, 1));
	int			next = 0,
				emitted = 0,
				ndone = 0,
				cur = -1,
				cur_admitted = 0;
	StoreSet   *ss = palloc(sizeof(StoreSet));
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));
	MemoryContext tmp;
	MailauthProgress progress;

	/* at most one store per generation of window inputs, plus one */
	ss->n = n / gen_size + 2;
	ss->s = palloc0(sizeof(Store) * ss->n);
	cb->func = storeset_callback;
	cb->arg = ss;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	tmp = AllocSetContextCreate(CurrentMemoryContext, "mailauth bulk", ALLOCSET_DEFAULT_SIZES);
	mailauth_progress_init(&progress, fcinfo, n);

	for (;;)
	{
		int			kept = 0;

		/* evaluate the inputs still waiting, with the answers of the last round */
		for (int a = 0; a < nactive; a++)
		{
			int			i = active[a];
			Store	   *st = &ss->s[store_of[i]];

			if (a % 64 == 63)
				CHECK_FOR_INTERRUPTS();
			if (step(arg, i, i % nslots, waves[i], st->w) == 0)
			{
				done[i] = true;
				ndone++;
				if (--st->live == 0 && store_of[i] != cur)
				{
					ma_dns_wave_free(st->w);
					st->w = NULL;
				}
			}
			else
			{
				waves[i]++;
				active[kept++] = i;
			}
		}
		nactive = kept;

		/* admit new inputs: their first questions go out in this round */
		while (nactive < window && next < n && next - emitted < nslots)
		{
			int			i = next++;

			if (cur < 0 || cur_admitted >= gen_size)
			{
				Store	   *old = cur >= 0 ? &ss->s[cur] : NULL;

				if (old && old->live == 0 && old->w)
				{
					ma_dns_wave_free(old->w);
					old->w = NULL;
				}
				cur++;
				Assert(cur < ss->n);
				ss->s[cur].w = new_store();
				ss->s[cur].live = 0;
				cur_admitted = 0;
			}
			store_of[i] = cur;
			ss->s[cur].live++;
			cur_admitted++;
			if (i % 64 == 63)
				CHECK_FOR_INTERRUPTS();
			if (step(arg, i, i % nslots, 0, ss->s[cur].w) == 0)
			{
				done[i] = true;
				ndone++;
				ss->s[cur].live--;
			}
			else
			{
				waves[i] = 1;
				active[nactive++] = i;
			}
		}

		/* the finished prefix, in input order */
		while (emitted < next && done[emitted])
		{
			MemoryContext old = MemoryContextSwitchTo(tmp);

			emit(arg, emitted, emitted % nslots);
			MemoryContextSwitchTo(old);
			MemoryContextReset(tmp);
			emitted++;
			if (emitted % 64 == 0)
				CHECK_FOR_INTERRUPTS();
		}
		mailauth_progress_report(&progress, ndone);
		if (nactive == 0 && next >= n)
			break;
		if (nactive == 0)
			continue;			/* the slots are full of finished inputs: emit, admit */
		resolve_stores(ss->s, cur + 1, tmp);
		CHECK_FOR_INTERRUPTS();
	}
	Assert(emitted == n);
	storeset_callback(ss);
	MemoryContextDelete(tmp);
}
