/*-------------------------------------------------------------------------
 *
 * ma_trust.h
 *	  Sender trust on the waves DNS model (see ma_spf.h, ma_wave.h): PTR
 *	  and forward-confirmed reverse DNS, HELO/EHLO names, DNS blocklists,
 *	  and "is this record published as expected" checks.  Pure C, no
 *	  postgres.h.
 *
 *	  Every evaluator follows the same contract as ma_spf_evaluate(): it
 *	  asks lookup(arg, name, type) for answers (names normalised: lowercase,
 *	  no trailing dot); a NULL answer means "not known yet": the evaluator
 *	  finishes what it can, returns 1 (pending), and the caller resolves
 *	  every pending question concurrently and calls it again with the same
 *	  arguments (out is reset by the evaluator on entry).  0 = done.  The
 *	  evaluators never ask more than MA_TRUST_MAX_QUERIES questions per call.
 *	  Out structures own malloc'ed memory: free with the *_free functions.
 *	  On entry out is zeroed (not freed: free a finished result before
 *	  reusing it); a pending return leaves it zeroed, owning nothing.  The
 *	  choices behind each evaluator are documented in ma_trust.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_TRUST_H
#define MA_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ma_dns.h"
#include "ma_spf.h"				/* ma_spf_lookup_fn */

#define MA_TRUST_MAX_PTR		10	/* PTR names checked forward (as RFC 7208 5.5) */
#define MA_TRUST_MAX_QUERIES	64
#define MA_TRUST_MAX_PROBLEMS	16
#define MA_TRUST_MAX_PTR_NAMES	64	/* distinct PTR names kept in ptr_names */
#define MA_TRUST_MAX_ZONES		32	/* zones looked up per dnsbl/dbl call (the
									 * rest: listed -1, "too many zones") */
#define MA_TRUST_MAX_CODES		16	/* A records kept per DNSBL row */

/* an IP address in network byte order */
typedef struct ma_ip
{
	int			family;			/* 4 or 6 */
	uint8_t		a[16];			/* 4 bytes used for IPv4 */
} ma_ip;

/* parse "192.0.2.1", "2001:db8::1" (no brackets, no prefix): false when invalid;
 * an IPv4-mapped address (::ffff:192.0.2.1) gives the IPv4 address */
extern bool ma_ip_parse(const char *s, ma_ip *out);
extern void ma_ip_format(const ma_ip *ip, char *out, size_t outlen);	/* >= 46 bytes */
/* "1.2.0.192.in-addr.arpa" / nibble "....ip6.arpa" */
extern void ma_ip_reverse_name(const ma_ip *ip, char *out, size_t outlen);
/* the reversed-IP label sequence used by DNSBLs ("1.2.0.192", 32 nibbles) */
extern void ma_ip_dnsbl_prefix(const ma_ip *ip, char *out, size_t outlen);

/* a list of problem codes (static strings) */
typedef struct ma_trust_problems
{
	const char *code[MA_TRUST_MAX_PROBLEMS];
	int			n;
} ma_trust_problems;

/* ---- ptr_check ---- */
typedef struct ma_ptr_result
{
	char	  **ptr_names;		/* PTR targets as found (normalised), malloc'ed */
	int			nptr;
	bool		forward_confirmed;	/* some PTR name has an A/AAAA equal to the IP */
	char	   *confirmed_name;	/* the first such name, or NULL */
	bool		generic;		/* the (confirmed, else first) name looks residential/dynamic */
	const char *status;			/* RFC 8601 iprev: "pass", "fail", "temperror", "permerror" */
	ma_trust_problems problems;	/* no_ptr, not_forward_confirmed, generic_name,
								 * too_many_ptr, dns_error, invalid_ptr_name (a PTR
								 * target that is no usable host name), invalid_ip,
								 * out_of_memory */
} ma_ptr_result;

extern int	ma_ptr_check(const ma_ip *ip, ma_spf_lookup_fn lookup, void *arg,
						 ma_ptr_result *out);
extern void ma_ptr_result_free(ma_ptr_result *r);

/* does this host name look generic for this IP (IP digits embedded, or
 * dynamic/residential keywords left of the registrable domain)? */
extern bool ma_ptr_name_is_generic(const char *name, const ma_ip *ip);

/* ---- helo_check (RFC 5321 2.3.5, 4.1.4) ---- */
typedef struct ma_helo_result
{
	bool		valid_syntax;	/* a Domain or an address literal */
	bool		is_ip_literal;	/* "[192.0.2.1]", "[IPv6:...]" (or a bare IP: also
								 * invalid_syntax) */
	bool		is_localhost;
	int			resolves;		/* 1 yes, 0 no, -1 unknown (not a name, or DNS error) */
	int			matches_ip;		/* 1/0, -1 when no ip given or unknown */
	int			in_domain;		/* same organizational domain as domain; -1 when none given */
	int			matches_mx;		/* one of domain's MX hosts; -1 when none given/unknown */
	ma_trust_problems problems;	/* invalid_syntax, bare_ip, ip_literal, ip_literal_mismatch,
								 * localhost, not_fqdn, invalid_tld, does_not_resolve,
								 * ip_mismatch, not_in_domain, dns_error */
} ma_helo_result;

/* ip and domain may be NULL */
extern int	ma_helo_check(const char *helo, const ma_ip *ip, const char *domain,
						  ma_spf_lookup_fn lookup, void *arg, ma_helo_result *out);

/* ---- dnsbl_check / dbl_check ---- */
typedef struct ma_dnsbl_row
{
	char	   *zone;
	int			listed;			/* 1 listed, 0 not listed, -1 unknown (DNS error,
								 * or the list refused the query: 127.255.255.x) */
	ma_ip	   *codes;			/* the A records returned (127.0.0.x) */
	int			ncodes;
	char	   *reason;			/* the list's TXT when listed, or why unknown */
} ma_dnsbl_row;

typedef struct ma_dnsbl_result
{
	ma_dnsbl_row *rows;			/* one per zone, in the order given */
	int			nrows;
} ma_dnsbl_result;

/* ip lists (reversed IP under each zone) */
extern int	ma_dnsbl_check(const ma_ip *ip, const char *const *zones, int nzones,
						   ma_spf_lookup_fn lookup, void *arg, ma_dnsbl_result *out);
/* domain lists (the domain under each zone) */
extern int	ma_dbl_check(const char *domain, const char *const *zones, int nzones,
						 ma_spf_lookup_fn lookup, void *arg, ma_dnsbl_result *out);
extern void ma_dnsbl_result_free(ma_dnsbl_result *r);

/* ---- dns_expect ---- */
typedef enum ma_expect_match
{
	MA_EXPECT_EXACT,			/* a record equals expected (after normalisation) */
	MA_EXPECT_CONTAINS,			/* TXT: expected is one of the record's tokens
								 * (e.g. "include:mail.zendesk.com"); others: exact */
	MA_EXPECT_PATTERN			/* expected is a glob ('*' any run of characters) */
} ma_expect_match;

typedef struct ma_expect_result
{
	const char *status;			/* "ok", "missing", "mismatch", "error" */
	char	  **found;			/* normalised values found */
	int			nfound;
	char	   *detail;			/* why (DNS error text, "CNAME chain to ...") or NULL */
} ma_expect_result;

/* expected NULL or "": a presence check (ok when a record of the type exists) */

/*
 * Normalisation: names lowercased, trailing dot removed (CNAME, MX, NS,
 * PTR targets and the expected value alike); TXT strings joined and runs of
 * whitespace collapsed, compared case-sensitively except for SPF/DMARC/DKIM
 * tag names; MX as "pref host" (an expected value without a preference
 * matches any); A/AAAA in canonical form.  CNAME chains: for rrtype CNAME
 * the first hop must match, but a chain that reaches expected further on
 * also counts as ok (detail says so); for other rrtypes the chain is
 * followed (a delegated DKIM key).
 */
extern int	ma_dns_expect(const char *name, uint16_t type, const char *expected,
						  ma_expect_match match, ma_spf_lookup_fn lookup, void *arg,
						  ma_expect_result *out);
extern void ma_expect_result_free(ma_expect_result *r);

/* release the Public Suffix List loaded for the TLD check (for leak checkers) */
extern void ma_trust_psl_release(void);

#endif							/* MA_TRUST_H */
