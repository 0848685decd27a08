/*-------------------------------------------------------------------------
 *
 * ma_spf.h
 *	  The native RFC 7208 SPF evaluator of the mailauth core (pure C: never
 *	  includes postgres.h).
 *
 * DNS model ("waves"): the evaluator never waits.  It asks its caller for
 * answers through a lookup callback; when an answer is not known yet, the
 * callback returns NULL (and records what was asked), the evaluator stops
 * with out->pending = true, frees everything it holds, and the caller
 * resolves what was asked -- concurrently, with interrupts handled in a
 * place with no evaluator frame on the stack -- and runs the evaluation
 * again from the start.  Evaluation is deterministic, so each run gets one
 * step further.  When one term needs several lookups that do not depend on
 * each other (the A records of every MX host), the evaluator asks for all
 * of them before it stops, so they are resolved in one wave.  The same model
 * serves one check and ten thousand checks at once.
 *
 * Memory: the evaluator may malloc() while it runs but owns nothing when it
 * returns; results are written into fixed buffers of the outcome.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_SPF_H
#define MA_SPF_H

#include "ma_dns.h"

typedef enum ma_spf_res
{
	MA_SPF_NONE = 0,
	MA_SPF_NEUTRAL,
	MA_SPF_PASS,
	MA_SPF_FAIL,
	MA_SPF_SOFTFAIL,
	MA_SPF_TEMPERROR,
	MA_SPF_PERMERROR
} ma_spf_res;

/* "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror" */
extern const char *ma_spf_res_name(ma_spf_res r);

/*
 * The answer to (name, type), or NULL when it is not known yet (the caller
 * remembers the question; the evaluator then stops with pending).  name is
 * normalised (ma_dns_name_check: lowercase, no trailing dot, valid).  The
 * result is borrowed: it stays valid until ma_spf_check_host returns.  Its
 * status is the DNS outcome (ok, nxdomain, nodata, servfail, timeout, ...);
 * CNAME records of a chain may precede the records of the asked type.
 */
typedef const ma_dns_result *(*ma_spf_lookup_fn) (void *arg, const char *name,
												  uint16_t type);

typedef struct ma_spf_request
{
	int			family;			/* AF_INET or AF_INET6 */
	unsigned char ip[16];		/* 4 or 16 bytes, network order */
	const char *sender;			/* MAIL FROM; NULL or "" means postmaster@helo */
	const char *helo;			/* HELO/EHLO name, may be NULL */
	const char *receiver;		/* %{r}; NULL means "unknown" */
	int64_t		now;			/* %{t}, seconds since the epoch */
} ma_spf_request;

typedef struct ma_spf_outcome
{
	ma_spf_res	result;
	bool		pending;		/* stopped for DNS: resolve and run again */
	char		explanation[1024];	/* exp= text for fail, else "" */
	char		mechanism[512]; /* the term that decided, e.g. "-all",
								 * "include:_spf.example.com", or "" */
	char		domain[256];	/* the domain whose policy decided */
	char		problem[512];	/* why, for permerror/temperror/none */
	int			dns_lookups;	/* DNS-querying terms counted (RFC 7208 4.6.4) */
	int			void_lookups;
} ma_spf_outcome;

/*
 * RFC 7208 check_host() for the request's identity: MAIL FROM, or HELO when
 * the sender is empty.  Returns out->result (also when pending, where it is
 * meaningless).
 */
extern ma_spf_res ma_spf_check_host(const ma_spf_request *req,
									ma_spf_lookup_fn lookup, void *arg,
									ma_spf_outcome *out);

/*
 * A ready Received-SPF header value (RFC 7208 section 9.1), e.g.
 * "pass (mailauth: domain of a@example.com designates 192.0.2.1 as permitted
 * sender) client-ip=192.0.2.1; envelope-from=\"a@example.com\"; helo=mx.example.com;"
 */
extern void ma_spf_received_spf(const ma_spf_request *req, const ma_spf_outcome *out,
								char *buf, size_t buflen);

/* ----- record parsing (also for linting) ----- */

#define MA_SPF_MAX_DNS_TERMS	10	/* RFC 7208 4.6.4 */
#define MA_SPF_MAX_VOID			2
#define MA_SPF_MAX_MX			10
#define MA_SPF_MAX_PTR			10

typedef enum ma_spf_kind
{
	MA_SPF_ALL = 0,
	MA_SPF_INCLUDE,
	MA_SPF_A,
	MA_SPF_MX,
	MA_SPF_PTR,
	MA_SPF_IP4,
	MA_SPF_IP6,
	MA_SPF_EXISTS,
	/* modifiers */
	MA_SPF_REDIRECT,
	MA_SPF_EXP,
	MA_SPF_UNKNOWN_MOD			/* ignored, but syntax-checked */
} ma_spf_kind;

/* "all", "include", ..., "redirect", "exp", "unknown-modifier" */
extern const char *ma_spf_kind_name(ma_spf_kind k);

/* true for the DNS-querying terms counted against MA_SPF_MAX_DNS_TERMS */
#define MA_SPF_KIND_COUNTS(k) \
	((k) == MA_SPF_INCLUDE || (k) == MA_SPF_A || (k) == MA_SPF_MX || \
	 (k) == MA_SPF_PTR || (k) == MA_SPF_EXISTS || (k) == MA_SPF_REDIRECT)

typedef struct ma_spf_term
{
	char		qualifier;		/* '+', '-', '~', '?' (mechanisms); 0 for modifiers */
	ma_spf_kind kind;
	char	   *text;			/* the term as written, NUL-terminated */
	char	   *name;			/* unknown modifiers: the name as written; else NULL */
	char	   *value;			/* domain-spec (include a mx ptr exists redirect exp),
								 * the address text without CIDR (ip4 ip6), the
								 * macro-string (unknown modifiers); NULL when absent */
	int			cidr4;			/* a mx ip4: prefix length, -1 when absent */
	int			cidr6;			/* a mx ip6: prefix length, -1 when absent */
	unsigned char addr[16];		/* ip4 (4 bytes) / ip6 (16 bytes) network */
} ma_spf_term;

/*
 * Is this TXT string an SPF record: "v=spf1" (any case) followed by a space
 * or the end?  len counts every byte (TXT data may hold NULs).
 */
extern bool ma_spf_is_record(const char *txt, size_t len);

/*
 * Parse and fully syntax-check a record, version included (RFC 7208 4.6 and
 * 12: every term, macro syntax, CIDR lengths, domain-spec ends, duplicate
 * redirect/exp).  Returns 0 and a malloc()ed array (free it with
 * ma_spf_free_terms) on success; -1 on a syntax error (permerror) and -2
 * when out of memory, with *terms = NULL and a message in err.
 */
extern int	ma_spf_parse_record(const char *rec, size_t len, ma_spf_term **terms,
								int *nterms, char *err, size_t errlen);
extern void ma_spf_free_terms(ma_spf_term *terms, int nterms);

/*
 * Check macro-string syntax (RFC 7208 7.1).  exp allows the c, r, t letters
 * and spaces (explanation text); domain_spec additionally requires the
 * domain-end (a macro or "." toplabel ["."]).  NULL when fine, else a message.
 */
extern const char *ma_spf_check_macro_string(const char *s, size_t len, bool exp,
											 bool domain_spec);

#define MA_SPF_EXPAND_EXP	0x01	/* explanation text: c r t allowed, no
									 * trailing-dot strip, no truncation */

/*
 * Expand the macros of s (RFC 7208 7) for req with <domain> as %{d} and p as
 * the validated name for %{p} (NULL: "unknown"); no DNS.  Without
 * MA_SPF_EXPAND_EXP the result is a domain name: a trailing dot is removed
 * and labels are removed from the left until it fits 253 octets.  Returns the
 * length written to out (always NUL-terminated, truncated to outlen - 1), or
 * -1 with a message in err on a syntax error or an over-long expansion.
 */
extern int	ma_spf_expand(const ma_spf_request *req, const char *domain, const char *p,
						  const char *s, size_t len, int flags, char *out, size_t outlen,
						  char *err, size_t errlen);

#endif							/* MA_SPF_H */
