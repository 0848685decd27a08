/*-------------------------------------------------------------------------
 *
 * ma_test.h
 *	  Shared by the unit tests of the core: TAP assertions (OK, IS) and a
 *	  fake DNS zone for the waves model of ma_spf.h (fake_lookup records the
 *	  questions, fake_resolve answers them from a zrec table, fake_free).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_TEST_H
#define MA_TEST_H

#include "core/ma_dns.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int	ntests = 0;
static int	nfailed = 0;

static bool check(bool ok, int line, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static inline bool
check(bool ok, int line, const char *fmt,...)
{
	va_list		ap;

	ntests++;
	if (!ok)
		nfailed++;
	printf("%sok %d - ", ok ? "" : "not ", ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		printf("#   Failed test at line %d.\n", line);
	return ok;
}

#define OK(cond, ...) check((cond), __LINE__, __VA_ARGS__)

static inline bool
check_str(const char *got, const char *want, int line, const char *what)
{
	bool		ok = (got && strcmp(got, want) == 0);

	check(ok, line, "%s", what);
	if (!ok)
		printf("#   got:      \"%s\"\n#   expected: \"%s\"\n", got ? got : "(null)", want);
	return ok;
}

#define IS(got, want, what) check_str((got), (want), __LINE__, (what))

/* ---------------------------------------------------------------------
 * A fake zone with the waves model
 * ---------------------------------------------------------------------
 */
typedef struct zrec
{
	const char *name;
	uint16_t	type;
	const char *data;			/* TXT text, A/AAAA address, MX/PTR/CNAME target */
	size_t		len;			/* TXT length when it holds NULs, else 0 */
	uint16_t	pref;
} zrec;

#define TIMEOUT_T	0xffff		/* a zrec with this type: the name times out */

typedef struct fq
{
	char		name[MA_DNS_MAXNAME + 1];
	uint16_t	type;
	ma_dns_result *r;			/* NULL = asked, not resolved */
} fq;

typedef struct fake
{
	const zrec *zone;
	int			nzone;
	fq			q[512];
	int			nq;
	int			asked_this_wave;
	int			lookups_made;	/* callback calls */
} fake;

static inline const ma_dns_result *
fake_lookup(void *arg, const char *name, uint16_t type)
{
	fake	   *f = arg;

	f->lookups_made++;
	for (int i = 0; i < f->nq; i++)
		if (f->q[i].type == type && strcmp(f->q[i].name, name) == 0)
			return f->q[i].r;
	if (f->nq < (int) (sizeof(f->q) / sizeof(f->q[0])))
	{
		snprintf(f->q[f->nq].name, sizeof(f->q[0].name), "%s", name);
		f->q[f->nq].type = type;
		f->q[f->nq].r = NULL;
		f->nq++;
		f->asked_this_wave++;
	}
	return NULL;
}

/* build the answer of the zone to (name, type): one malloc block */
static inline ma_dns_result *
zone_answer(const fake *f, const char *name, uint16_t type)
{
	int			n = 0;
	bool		exists = false;
	ma_dns_result *r;

	for (int i = 0; i < f->nzone; i++)
	{
		if (strcasecmp(f->zone[i].name, name) != 0)
			continue;
		exists = true;
		if (f->zone[i].type == TIMEOUT_T)
			return ma_dns_result_status(MA_DNS_TIMEOUT, "fake timeout");
		if (f->zone[i].type == type)
			n++;
	}
	r = calloc(1, sizeof(ma_dns_result) + (n ? n : 1) * sizeof(ma_dns_rr));
	r->refcnt = 1;
	r->status = n ? MA_DNS_OK : exists ? MA_DNS_NODATA : MA_DNS_NXDOMAIN;
	for (int i = 0; i < f->nzone; i++)
	{
		const zrec *z = &f->zone[i];
		ma_dns_rr  *rr;

		if (strcasecmp(z->name, name) != 0 || z->type != type)
			continue;
		rr = &r->rr[r->nrr++];
		rr->name = z->name;
		rr->type = type;
		rr->ttl = 300;
		rr->pref = z->pref;
		rr->data = z->data;
		rr->datalen = z->len ? z->len : strlen(z->data);
		if (type == MA_T_MX || type == MA_T_PTR || type == MA_T_CNAME)
			rr->target = z->data;
	}
	return r;
}

static inline void
fake_resolve(fake *f)
{
	for (int i = 0; i < f->nq; i++)
		if (f->q[i].r == NULL)
			f->q[i].r = zone_answer(f, f->q[i].name, f->q[i].type);
}

static inline void
fake_free(fake *f)
{
	for (int i = 0; i < f->nq; i++)
		free(f->q[i].r);		/* our blocks hold no owned strings */
	f->nq = 0;
}

#endif							/* MA_TEST_H */
