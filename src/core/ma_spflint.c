/*-------------------------------------------------------------------------
 *
 * ma_spflint.c
 *	  Lint a domain's SPF policy with every include and redirect expanded.
 *
 * The walk follows what check_host() would fetch: the TXT records of the
 * domain, of every include and of the redirect, the A or MX records of a and
 * mx terms (for the void-lookup count), and counts DNS-querying terms across
 * the whole tree exactly as RFC 7208 section 4.6.4 counts them.  Terms whose
 * domain-spec holds macros depend on the sender and are counted but not
 * resolved.  Work is bounded: at most MAX_VISIT records and MAX_DEPTH levels,
 * and, like check_host(), no DNS for a term met after the 10th DNS-querying
 * term (RFC 7208 4.6.4): a term past the limit is counted, but its include,
 * redirect, a or mx target is not fetched.  The count is taken in
 * check_host() order with the records known so far, so it only grows from
 * one wave to the next and a policy of any size (an include tree of a
 * million names) costs a bounded number of questions (about a hundred at
 * most: ten levels of at most ten new names).  dns_lookups is then a lower
 * bound ("at least"), which is all a receiver needs: permerror.
 *
 * DNS follows the waves model (ma_spf.h): a lookup that returns NULL marks
 * the run pending, and the walk goes on with the siblings so that one wave
 * asks every question known at that depth; a pending run's findings are
 * discarded by the caller, who resolves and runs again.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_spflint.h"
#include "ma_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH	16
#define MAX_VISIT	64

typedef struct walker
{
	ma_spf_lookup_fn lookup;
	void	   *arg;
	ma_spf_lint *out;
	const char *stack[MAX_DEPTH];
	int			depth;
	bool		dns_error;
	bool		perm;
	bool		none;
	bool		stopped;		/* a target past the lookup limit was not fetched */
} walker;

static char *
xstrdup(ma_spf_lint *o, const char *s)
{
	char	   *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		o->oom = true;
	return d;
}

static void finding(walker *w, const char *severity, const char *code, const char *term,
					const char *fmt,...) __attribute__((format(printf, 5, 6)));

static void
finding(walker *w, const char *severity, const char *code, const char *term,
		const char *fmt,...)
{
	ma_spf_lint *o = w->out;
	char		buf[600];
	va_list		ap;

	if (o->pending || o->oom)
		return;					/* the run will be repeated */
	if (o->nfindings == o->cap_find)
	{
		int			ncap = o->cap_find ? o->cap_find * 2 : 8;
		ma_spf_finding *n = realloc(o->findings, ncap * sizeof(ma_spf_finding));

		if (!n)
		{
			o->oom = true;
			return;
		}
		o->findings = n;
		o->cap_find = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	ma_utf8_cut(buf);
	va_end(ap);
	o->findings[o->nfindings].severity = severity;
	o->findings[o->nfindings].code = code;
	o->findings[o->nfindings].term = xstrdup(o, term);
	o->findings[o->nfindings].detail = xstrdup(o, buf);
	o->nfindings++;
}

static void
add_include(walker *w, const char *name)
{
	ma_spf_lint *o = w->out;

	if (o->pending || o->oom)
		return;
	if (o->nincludes == o->cap_inc)
	{
		int			ncap = o->cap_inc ? o->cap_inc * 2 : 8;
		char	  **n = realloc(o->includes, ncap * sizeof(char *));

		if (!n)
		{
			o->oom = true;
			return;
		}
		o->includes = n;
		o->cap_inc = ncap;
	}
	o->includes[o->nincludes] = xstrdup(o, name);
	if (o->includes[o->nincludes])
		o->nincludes++;
}

static bool
is_failure(ma_dns_status st)
{
	return st != MA_DNS_OK && st != MA_DNS_NXDOMAIN && st != MA_DNS_NODATA;
}

/* the records of type at the end of a CNAME chain */
static int
count_type(const ma_dns_result *r, uint16_t type)
{
	int			n = 0;

	for (int i = 0; i < r->nrr; i++)
		if (r->rr[i].type == type)
			n++;
	return n;
}

/*
 * Look up the A (a) or MX (mx) records of a term's target, for the void
 * lookup count and the 10-MX limit.
 */
static void
check_target(walker *w, const ma_spf_term *t, const char *domain)
{
	const char *target = t->value ? t->value : domain;
	char		norm[MA_DNS_MAXNAME + 1];
	uint16_t	type = t->kind == MA_SPF_MX ? MA_T_MX : MA_T_A;
	const ma_dns_result *r;

	if (strchr(target, '%') || ma_dns_name_check(target, norm) != NULL)
		return;					/* depends on the sender, or checked by the parser */
	if (w->out->dns_lookups > MA_SPF_MAX_DNS_TERMS)
	{
		w->stopped = true;		/* check_host() would have stopped before it */
		return;
	}
	r = w->lookup(w->arg, norm, type);
	if (!r)
	{
		w->out->pending = true;
		return;
	}
	if (is_failure(r->status))
	{
		finding(w, "warning", "dns_error", t->text, "the %s lookup of %s failed (%s)",
				ma_dns_type_name(type), norm, ma_dns_status_name(r->status));
		return;
	}
	if (r->status != MA_DNS_OK || count_type(r, type) == 0)
	{
		/* an A lookup may still find AAAA records: only count a true void */
		if (type == MA_T_A)
		{
			const ma_dns_result *r6 = w->lookup(w->arg, norm, MA_T_AAAA);

			if (!r6)
			{
				w->out->pending = true;
				return;
			}
			if (r6->status == MA_DNS_OK && count_type(r6, MA_T_AAAA) > 0)
				return;
		}
		w->out->void_lookups++;
		return;
	}
	if (type == MA_T_MX && count_type(r, MA_T_MX) > MA_SPF_MAX_MX)
	{
		w->perm = true;
		finding(w, "error", "too_many_lookups", t->text,
				"%s has %d MX hosts: over the limit of %d, receivers return permerror",
				norm, count_type(r, MA_T_MX), MA_SPF_MAX_MX);
	}
}

static bool
on_stack(walker *w, const char *name)
{
	for (int i = 0; i < w->depth; i++)
		if (strcasecmp(w->stack[i], name) == 0)
			return true;
	return false;
}

static void walk(walker *w, const char *domain, const char *via, bool redirect);

/* follow an include or a redirect to its target */
static void
follow(walker *w, const ma_spf_term *t, bool redirect)
{
	char		norm[MA_DNS_MAXNAME + 1];

	if (!t->value || strchr(t->value, '%'))
		return;					/* depends on the sender (macros): not expanded */
	if (ma_dns_name_check(t->value, norm) != NULL)
	{
		w->perm = true;
		finding(w, "error", "syntax_error", t->text, "%s is not a valid domain name", t->value);
		return;
	}
	if (on_stack(w, norm))
	{
		w->perm = true;
		finding(w, "error", redirect ? "redirect_loop" : "include_loop", t->text,
				"%s leads back to %s: a loop, receivers return permerror", t->text, norm);
		return;
	}
	if (w->depth >= MAX_DEPTH)
	{
		w->perm = true;
		finding(w, "error", "too_many_lookups", t->text,
				"includes nest deeper than %d levels", MAX_DEPTH);
		return;
	}
	if (w->out->dns_lookups > MA_SPF_MAX_DNS_TERMS)
	{
		w->stopped = true;		/* check_host() would have stopped before it */
		return;
	}
	if (!redirect)
		add_include(w, norm);
	walk(w, norm, t->text, redirect);
}

/*
 * Lint the record of one domain (the root when via is NULL) and walk on.
 */
static void
walk(walker *w, const char *domain, const char *via, bool redirect)
{
	ma_spf_lint *o = w->out;
	const ma_dns_result *r;
	const ma_dns_rr *rec = NULL;
	int			nrec = 0;
	ma_spf_term *terms = NULL;
	int			nterms = 0,
				rc;
	char		err[256];
	bool		has_all = false;
	const ma_spf_term *redir = NULL;

	if (o->visited++ >= MAX_VISIT)
	{
		if (o->visited == MAX_VISIT + 1)
		{
			w->perm = true;
			finding(w, "error", "too_many_lookups", via,
					"the policy tree has more than %d records: stopped walking it", MAX_VISIT);
		}
		return;
	}
	r = w->lookup(w->arg, domain, MA_T_TXT);
	if (!r)
	{
		o->pending = true;
		return;
	}
	if (is_failure(r->status))
	{
		w->dns_error = true;
		finding(w, "error", "dns_error", via, "the TXT lookup of %s failed (%s)%s%s",
				domain, ma_dns_status_name(r->status), r->detail ? ": " : "",
				r->detail ? r->detail : "");
		return;
	}
	for (int i = 0; i < r->nrr; i++)
		if (r->rr[i].type == MA_T_TXT && ma_spf_is_record(r->rr[i].data, r->rr[i].datalen))
		{
			rec = &r->rr[i];
			nrec++;
		}
	if (nrec == 0)
	{
		if (via == NULL)
		{
			w->none = true;
			finding(w, "error", "no_record", NULL, "%s publishes no SPF record%s", domain,
					r->status == MA_DNS_NXDOMAIN ? " (the domain does not exist)" : "");
		}
		else
		{
			if (r->status != MA_DNS_OK || count_type(r, MA_T_TXT) == 0)
				o->void_lookups++;
			w->perm = true;
			finding(w, "error", "include_not_found", via,
					"%s publishes no SPF record%s: receivers return permerror", domain,
					r->status == MA_DNS_NXDOMAIN ? " (the domain does not exist)" : "");
		}
		return;
	}
	if (nrec > 1)
	{
		w->perm = true;
		finding(w, "error", "multiple_records", via,
				"%s publishes %d SPF records: receivers return permerror", domain, nrec);
		return;
	}
	if (via == NULL)
		o->record = xstrdup(o, rec->data);
	if (rec->datalen > 255)
		finding(w, "warning", "record_too_long", via,
				"the SPF record of %s is %zu octets: over 255, it must be split into several strings, which some receivers mishandle",
				domain, rec->datalen);
	if (r->wire_size > 512)
		finding(w, "warning", "record_too_long", via,
				"the TXT answer for %s is %u octets: over 512, receivers without EDNS0 must retry over TCP",
				domain, r->wire_size);

	rc = ma_spf_parse_record(rec->data, rec->datalen, &terms, &nterms, err, sizeof(err));
	if (rc == -2)
	{
		o->oom = true;
		return;
	}
	if (rc < 0)
	{
		w->perm = true;
		finding(w, "error", "syntax_error", via, "the SPF record of %s: %s", domain, err);
		return;
	}

	w->stack[w->depth++] = domain;
	for (int i = 0; i < nterms; i++)
	{
		const ma_spf_term *t = &terms[i];

		if (MA_SPF_KIND_COUNTS(t->kind))
			o->dns_lookups++;
		switch (t->kind)
		{
			case MA_SPF_ALL:
				has_all = true;
				if (via == NULL)
					o->all_qualifier = t->qualifier;
				if (t->qualifier == '+')
					finding(w, "error", "permissive_all", t->text,
							"%s%s lets every host on the Internet send as %s",
							via ? "reached through " : "", via ? via : t->text, domain);
				else if (t->qualifier == '?' && via == NULL)
					finding(w, "warning", "neutral_all", t->text,
							"?all gives no verdict: mail from any host is neutral");
				break;
			case MA_SPF_PTR:
				finding(w, "warning", "ptr_used", t->text,
						"ptr is slow and unreliable; RFC 7208 says it should not be used");
				break;
			case MA_SPF_INCLUDE:
				follow(w, t, false);
				break;
			case MA_SPF_A:
			case MA_SPF_MX:
				check_target(w, t, domain);
				break;
			case MA_SPF_REDIRECT:
				redir = t;
				break;
			default:
				break;
		}
	}
	if (redir)
	{
		if (has_all)
			finding(w, "warning", "redirect_ignored", redir->text,
					"%s is ignored: the record has an all mechanism", redir->text);
		else
			follow(w, redir, true);
	}
	else if (!has_all && via == NULL)
		finding(w, "warning", "no_all", NULL,
				"the record ends without an all mechanism or redirect: mail from any other host is neutral");
	w->depth--;
	ma_spf_free_terms(terms, nterms);
	(void) redirect;
}

int
ma_spf_lint_run(const char *domain, ma_spf_lookup_fn lookup, void *arg, ma_spf_lint *out)
{
	walker		w;
	char		norm[MA_DNS_MAXNAME + 1];
	const char *msg;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.lookup = lookup;
	w.arg = arg;
	w.out = out;
	msg = (strlen(domain) > 1024) ? "domain name is too long" : ma_dns_name_check(domain, norm);
	if (msg)
	{
		finding(&w, "error", "invalid_domain", NULL, "%s", msg);
		out->status = "none";
		return 0;
	}
	walk(&w, norm, NULL, false);
	if (out->pending)
		return 1;
	if (out->dns_lookups > MA_SPF_MAX_DNS_TERMS)
	{
		w.perm = true;
		if (w.stopped)
			finding(&w, "error", "too_many_lookups", NULL,
					"the policy needs at least %d DNS lookups: over the limit of %d, receivers return permerror (the walk stopped at the limit, as they do)",
					out->dns_lookups, MA_SPF_MAX_DNS_TERMS);
		else
			finding(&w, "error", "too_many_lookups", NULL,
					"the policy needs %d DNS lookups: over the limit of %d, receivers return permerror",
					out->dns_lookups, MA_SPF_MAX_DNS_TERMS);
	}
	if (out->void_lookups > MA_SPF_MAX_VOID)
	{
		w.perm = true;
		finding(&w, "error", "too_many_void_lookups", NULL,
				"%d lookups return no records: over the limit of %d, receivers return permerror",
				out->void_lookups, MA_SPF_MAX_VOID);
	}
	if (out->oom)
		w.dns_error = true;
	out->status = w.dns_error ? "temperror" : w.none ? "none" : w.perm ? "permerror" : "ok";
	return 0;
}

void
ma_spf_lint_free(ma_spf_lint *o)
{
	for (int i = 0; i < o->nfindings; i++)
	{
		free(o->findings[i].term);
		free(o->findings[i].detail);
	}
	for (int i = 0; i < o->nincludes; i++)
		free(o->includes[i]);
	free(o->findings);
	free(o->includes);
	free(o->record);
	memset(o, 0, sizeof(*o));
}

bool
ma_spf_lint_includes(const ma_spf_lint *l, const char *host)
{
	char		norm[MA_DNS_MAXNAME + 1];

	if (strlen(host) > 1024 || ma_dns_name_check(host, norm) != NULL)
		return false;
	for (int i = 0; i < l->nincludes; i++)
		if (strcmp(l->includes[i], norm) == 0)
			return true;
	return false;
}
