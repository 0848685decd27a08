/*-------------------------------------------------------------------------
 *
 * pg_bulk.h
 *	  The machinery of the set forms of the DNS-backed checks (pg_bulk.c):
 *	  array arguments with broadcast, the mailauth.bulk_progress NOTICE and
 *	  the windowed waves driver.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_BULK_H
#define PG_BULK_H

#include "fmgr.h"
#include "portability/instr_time.h"

#include "core/ma_wave.h"

/* one array argument, deconstructed */
typedef struct MailauthBulkArg
{
	const char *name;			/* the parameter, for messages */
	Datum	   *d;
	bool	   *nulls;
	int			n;
} MailauthBulkArg;

extern void mailauth_bulk_arg(FunctionCallInfo fcinfo, int argno, Oid elemtype,
							  const char *argname, MailauthBulkArg *out);
extern int	mailauth_bulk_rows(const char *fname, MailauthBulkArg *args, int nargs);

/* element i of a parallel array (one element: broadcast) */
static inline bool
mailauth_bulk_get(const MailauthBulkArg *a, int i, Datum *d)
{
	int			k = a->n == 1 ? 0 : i;

	*d = a->d[k];
	return !a->nulls[k];
}

/* the progress NOTICE */
typedef struct MailauthProgress
{
	char	   *fname;			/* schema.function */
	int			every;			/* mailauth.bulk_progress at the start; 0: off */
	int64		total;
	int64		next;			/* the next count to report at */
	int64		last;			/* the last count reported */
	instr_time	start;
} MailauthProgress;

extern void mailauth_progress_init(MailauthProgress *p, FunctionCallInfo fcinfo, int64 total);
extern void mailauth_progress_report(MailauthProgress *p, int64 done);

/* the windowed waves driver */
typedef int (*MailauthBulkStep) (void *arg, int item, int slot, int wave, ma_dns_wave *w);
typedef void (*MailauthBulkEmit) (void *arg, int item, int slot);

extern int	mailauth_bulk_window(void);
extern int	mailauth_bulk_nslots(int n);
extern void mailauth_bulk_run(FunctionCallInfo fcinfo, int n, MailauthBulkStep step,
							  MailauthBulkEmit emit, void *arg);

#endif							/* PG_BULK_H */
