/*-------------------------------------------------------------------------
 *
 * ma_dmarc.h
 *	  DMARC of the mailauth core (pure C: never includes postgres.h): record
 *	  parsing and linting, policy discovery, organizational domains and the
 *	  evaluation of a message, under RFC 7489 or RFC 9989 (DMARCbis).
 *
 * DNS follows the "waves" model of ma_spf.h: the functions ask a lookup
 * callback for answers; when one is not known yet (NULL), they stop with
 * pending = true, own nothing of the run, and the caller resolves what was
 * asked and calls again.  Independent questions (every level of an
 * organizational-domain tree walk, the A/AAAA/MX existence check) are all
 * asked before stopping.
 *
 * Choices, where the specifications leave room (see ma_dmarc.c for more):
 *
 *	- Organizational domain.  RFC 7489: the Public Suffix List through
 *	  libpsl (ICANN and private rules), on the lowercased name without a
 *	  trailing dot; a name that is itself a public suffix is its own
 *	  organizational domain.  RFC 9989: the DNS tree walk, no PSL.
 *	- Alignment: strict is equality of the normalised names; relaxed is
 *	  equality of their organizational domains.  Alignment is evaluated only
 *	  when a DMARC record applies (its adkim/aspf decide the mode), and only
 *	  for identifiers that passed (SPF pass, DKIM pass).
 *	- A missing or invalid p= (or an invalid sp=) follows RFC 7489 6.6.3:
 *	  with a valid rua= URI act as p=none, else no DMARC processing.  In
 *	  DMARCbis mode a missing p= is p=none (RFC 9989 made p optional); an
 *	  invalid value keeps the RFC 7489 rule.
 *	- pct= (RFC 7489 only; historic in RFC 9989 and ignored there): the
 *	  message is in the sample when sample < pct, with sample either given
 *	  by the caller in [0,100) or, when negative, FNV-1a(sample_key) mod 100
 *	  (sample_key NULL: 0, i.e. sampled in unless pct=0).  Sampled out: the
 *	  disposition is one step lower (RFC 7489 6.6.4).
 *	- t=y (RFC 9989 only): the requested policy is one step lower (reject
 *	  -> quarantine, quarantine -> none); "policy" reports the lowered one.
 *	- Several From domains (RFC 7489 6.6.1): every distinct domain is
 *	  evaluated and the strictest outcome is reported (highest disposition,
 *	  then fail > temperror > permerror > pass > none).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_DMARC_H
#define MA_DMARC_H

#include "ma_spf.h"

#define MA_DMARC_MAX_FROM		8	/* distinct From domains evaluated */
#define MA_DMARC_MAX_DKIM		32	/* DKIM results considered */
#define MA_DMARC_MAX_PROBLEMS	64	/* then one "too_many_problems" */
#define MA_DMARC_WALK_MAX		8	/* RFC 9989 tree walk: queries per walk */

typedef enum ma_dmarc_mode
{
	MA_DMARC_RFC7489 = 0,
	MA_DMARC_BIS				/* RFC 9989 */
} ma_dmarc_mode;

/* "rfc7489" or "dmarcbis"; parsing accepts "rfc9989" too (-1: unknown) */
extern const char *ma_dmarc_mode_name(ma_dmarc_mode m);
extern int	ma_dmarc_mode_from_name(const char *s);

typedef enum ma_dmarc_policy
{
	MA_DMARC_P_UNSET = 0,		/* absent (or, in a record, invalid) */
	MA_DMARC_P_NONE,
	MA_DMARC_P_QUARANTINE,
	MA_DMARC_P_REJECT
} ma_dmarc_policy;

/* "", "none", "quarantine", "reject" */
extern const char *ma_dmarc_policy_name(ma_dmarc_policy p);

typedef enum ma_dmarc_res
{
	MA_DMARC_NONE = 0,			/* no policy: no DMARC processing */
	MA_DMARC_PASS,
	MA_DMARC_FAIL,
	MA_DMARC_TEMPERROR,
	MA_DMARC_PERMERROR
} ma_dmarc_res;

/* "none", "pass", "fail", "temperror", "permerror" */
extern const char *ma_dmarc_res_name(ma_dmarc_res r);

/* a finding in plain words */
typedef struct ma_dmarc_problem
{
	const char *severity;		/* "error", "warning", "info" (static) */
	const char *code;			/* no_rua, p_none, ... (static) */
	char	   *detail;			/* a sentence (malloc'd) */
} ma_dmarc_problem;

typedef struct ma_dmarc_problems
{
	ma_dmarc_problem *items;
	int			n;
	int			cap;
	bool		oom;
} ma_dmarc_problems;

extern void ma_dmarc_problems_free(ma_dmarc_problems *p);
/* is a problem with this code in the list? */
extern bool ma_dmarc_has_problem(const ma_dmarc_problems *p, const char *code);

/* ----- records ----- */

typedef struct ma_dmarc_record
{
	ma_dmarc_policy p;			/* UNSET when absent or invalid */
	bool		p_present;		/* a p= tag was written */
	bool		p_invalid;		/* ... with a value that is not a policy */
	ma_dmarc_policy sp;			/* UNSET: as p */
	bool		sp_invalid;
	ma_dmarc_policy np;			/* UNSET: as sp (DMARCbis only) */
	bool		np_invalid;
	char		adkim;			/* 'r' or 's' */
	char		aspf;
	int			pct;			/* 0..100, default 100 */
	char		t;				/* 'y' or 'n' (default) */
	char		psd;			/* 'y', 'n' or 'u' (default) */
	char	  **rua;			/* every URI as written (with !size) */
	int			nrua;
	int			nrua_valid;		/* of them syntactically valid */
	char	  **ruf;
	int			nruf;
	char	   *fo;				/* as written, or NULL (default "0") */
	char	   *rf;				/* as written, or NULL (default "afrf") */
	uint32_t	ri;				/* default 86400 */
	ma_dmarc_problems problems;
} ma_dmarc_record;

/*
 * Does this TXT string start a DMARC1 record: "v" (any case) *WSP "="
 * *WSP "DMARC1" (exactly) followed by *WSP and ";" or the end?  len counts
 * every byte (TXT data may hold NULs).
 */
extern bool ma_dmarc_is_record(const char *txt, size_t len);

/*
 * Parse a record (RFC 7489 6.3 and 6.4, RFC 9989 tags np, psd, t).  Unknown
 * tags are ignored, invalid values fall back to their defaults; both become
 * problems.  Returns 0 (rec filled, free with ma_dmarc_record_free), -1 when
 * the text is not a DMARC1 record (rec empty but freeable), -2 when out of
 * memory.
 */
extern int	ma_dmarc_parse(const char *txt, size_t len, ma_dmarc_mode mode,
						   ma_dmarc_record *rec);
extern void ma_dmarc_record_free(ma_dmarc_record *rec);

/*
 * The policy the record asks for, after the RFC 7489 6.6.3 rule for a
 * missing or invalid p= (see above): UNSET means "no DMARC processing".
 */
extern ma_dmarc_policy ma_dmarc_effective_p(const ma_dmarc_record *rec, ma_dmarc_mode mode);

/* ----- organizational domains and alignment without DNS ----- */

/*
 * RFC 7489 organizational domain with the Public Suffix List: out (at least
 * MA_DNS_MAXNAME + 1 bytes) gets the lowercased registrable domain, or the
 * name itself when it is a public suffix.  False when the name is invalid.
 */
extern bool ma_dmarc_org_domain_psl(const char *domain, char *out);

/* release the loaded Public Suffix List (for leak checkers; it reloads) */
extern void ma_dmarc_psl_release(void);

/* RFC 7489 alignment of two names: strict (exact) or relaxed (PSL) */
extern bool ma_dmarc_aligned_psl(const char *from_domain, const char *id_domain,
								 bool strict);

/* ----- a domain's record (mailauth.dmarc_record) ----- */

typedef struct ma_dmarc_info
{
	bool		pending;
	char		domain[MA_DNS_MAXNAME + 1];		/* normalised input */
	char		record_domain[MA_DNS_MAXNAME + 1];	/* where the record is, or "" */
	char		org_domain[MA_DNS_MAXNAME + 1];
	char	   *record;			/* the record text (NULs shown as '?'), or NULL */
	bool		have_record;	/* rec is filled */
	ma_dmarc_record rec;
	const char *status;			/* "ok", "none", "invalid", "temperror",
								 * "permerror" (bad domain name) */
	ma_dmarc_problems problems; /* discovery findings, then the record's */
} ma_dmarc_info;

/*
 * Discover and lint the policy of domain (RFC 7489: the domain, then its
 * organizational domain; DMARCbis: the tree walk), and check that no
 * v=DMARC1 record stands at the domain itself.  Returns 0, or 1 when
 * pending.  Free with ma_dmarc_info_free (also after pending).
 */
extern int	ma_dmarc_lookup_record(const char *domain, ma_dmarc_mode mode,
								   ma_spf_lookup_fn lookup, void *arg,
								   ma_dmarc_info *out);
extern void ma_dmarc_info_free(ma_dmarc_info *out);

/* ----- evaluating a message (mailauth.dmarc_verify) ----- */

typedef enum ma_dmarc_auth
{
	MA_DMARC_AUTH_NONE = 0,
	MA_DMARC_AUTH_PASS,
	MA_DMARC_AUTH_FAIL,
	MA_DMARC_AUTH_TEMPERROR,
	MA_DMARC_AUTH_PERMERROR,
	MA_DMARC_AUTH_NEUTRAL,		/* policy, neutral, ...: not a pass */
} ma_dmarc_auth;

/* "pass", "fail", ... -> enum; unknown words are NEUTRAL */
extern ma_dmarc_auth ma_dmarc_auth_from_name(const char *s);

typedef struct ma_dmarc_dkim
{
	const char *domain;			/* the d= of a signature */
	ma_dmarc_auth result;
} ma_dmarc_dkim;

typedef struct ma_dmarc_request
{
	ma_dmarc_mode mode;
	const char *const *from_domains;	/* the RFC5322.From domains */
	int			nfrom;
	ma_spf_res	spf_result;
	const char *spf_domain;		/* MAIL FROM domain, or HELO when it is empty */
	const ma_dmarc_dkim *dkim;
	int			ndkim;
	int			sample;			/* pct sampling value in [0,100), or -1 */
	const char *sample_key;		/* hashed when sample < 0 (e.g. Message-ID) */
} ma_dmarc_request;

typedef struct ma_dmarc_sig
{
	char		domain[MA_DNS_MAXNAME + 1];	/* normalised d=, or as given if invalid */
	ma_dmarc_auth result;
	bool		aligned;		/* passed and aligned */
} ma_dmarc_sig;

typedef struct ma_dmarc_outcome
{
	bool		pending;
	ma_dmarc_res result;
	char		from_domain[MA_DNS_MAXNAME + 1];	/* the deciding From domain */
	char		org_domain[MA_DNS_MAXNAME + 1];
	char		policy_domain[MA_DNS_MAXNAME + 1];	/* where the record is, or "" */
	ma_dmarc_policy policy;		/* requested policy that applies, or UNSET */
	const char *policy_tag;		/* "p", "sp", "np", or "" */
	ma_dmarc_policy disposition; /* NONE when passed or no policy */
	int			pct;
	bool		sampled_out;	/* pct lowered the disposition */
	bool		from_exists;	/* DMARCbis np check; true when not checked */
	char		spf_domain[MA_DNS_MAXNAME + 1];
	ma_spf_res	spf_result;
	bool		spf_aligned;	/* passed and aligned */
	bool		dkim_aligned;	/* some signature passed and is aligned */
	ma_dmarc_sig *dkim;			/* malloc'd, ndkim entries */
	int			ndkim;
	char	   *record;			/* the applied record text, or NULL */
	char		problem[256];	/* why none / temperror / permerror, or "" */
} ma_dmarc_outcome;

/*
 * Evaluate a message.  Returns out->result (meaningless when pending).
 * Free with ma_dmarc_outcome_free (also after pending).
 */
extern ma_dmarc_res ma_dmarc_verify(const ma_dmarc_request *req,
									ma_spf_lookup_fn lookup, void *arg,
									ma_dmarc_outcome *out);
extern void ma_dmarc_outcome_free(ma_dmarc_outcome *out);

#endif							/* MA_DMARC_H */
