/*-------------------------------------------------------------------------
 *
 * ma_spflint.h
 *	  Linting a domain's published SPF policy: every include and redirect
 *	  expanded, lookups counted exactly as RFC 7208 counts them, findings in
 *	  plain words.  Pure C, on the waves DNS model of ma_spf.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_SPFLINT_H
#define MA_SPFLINT_H

#include "ma_spf.h"

typedef struct ma_spf_finding
{
	const char *severity;		/* "error", "warning" or "info" (static) */
	const char *code;			/* no_record, multiple_records, ... (static) */
	char	   *term;			/* the term concerned, or NULL */
	char	   *detail;			/* a sentence */
} ma_spf_finding;

typedef struct ma_spf_lint
{
	bool		pending;		/* stopped for DNS: resolve and run again */
	char	   *record;			/* the domain's own SPF record, or NULL */
	const char *status;			/* "ok", "none", "permerror", "temperror" */
	int			dns_lookups;	/* the whole tree, as check_host counts them (a lower
								 * bound when the walk stopped at the limit) */
	int			void_lookups;
	char		all_qualifier;	/* of the domain's own record: + - ~ ?, or 0 */
	char	  **includes;		/* every included domain, nested, in walk order */
	int			nincludes;
	ma_spf_finding *findings;
	int			nfindings;
	/* private */
	int			cap_inc;
	int			cap_find;
	int			visited;
	bool		oom;
} ma_spf_lint;

/*
 * Lint the policy of domain (normalised or not; an invalid name is a
 * finding).  Returns 0, or 1 when pending.  Free with ma_spf_lint_free.
 */
extern int	ma_spf_lint_run(const char *domain, ma_spf_lookup_fn lookup, void *arg,
							ma_spf_lint *out);
extern void ma_spf_lint_free(ma_spf_lint *out);

/* does the (already run, not pending) lint list host among the includes? */
extern bool ma_spf_lint_includes(const ma_spf_lint *l, const char *host);

#endif							/* MA_SPFLINT_H */
