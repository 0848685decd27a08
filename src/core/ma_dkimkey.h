/*-------------------------------------------------------------------------
 *
 * ma_dkimkey.h
 *	  Looking up and linting a published DKIM key record (RFC 6376 3.6.1,
 *	  RFC 8301, RFC 8463): the tag-list parsed strictly, the public key
 *	  decoded with OpenSSL and measured, findings in plain words.  Pure C
 *	  (never includes postgres.h), on the waves DNS model of ma_spf.h.
 *
 * Memory: everything in an ma_dkim_key is malloc()ed; free it with
 * ma_dkim_key_free (also after a pending run, which leaves it empty).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_DKIMKEY_H
#define MA_DKIMKEY_H

#include "ma_spf.h"

#define MA_DKIM_KEY_MAX_PROBLEMS	32	/* further problems are dropped */
#define MA_DKIM_KEY_MAX_P			16384	/* p= characters (whitespace
											 * removed) we decode at most */

typedef struct ma_dkim_key_problem
{
	const char *severity;		/* "error", "warning" or "info" (static) */
	const char *code;			/* weak_key, testing, revoked, syntax_error,
								 * bad_key, several_records, sha1_only,
								 * not_email, dns_error, no_record (static) */
	char	   *detail;			/* a sentence */
} ma_dkim_key_problem;

typedef struct ma_dkim_key
{
	bool		pending;		/* stopped for DNS: resolve and run again */
	/*
	 * "ok": a verifier would use the key (warnings may remain); "none": no
	 * key record; "invalid": the record is there but unusable (any problem
	 * of severity "error"); "temperror": DNS failure or out of memory.
	 */
	const char *status;
	char	   *record;			/* the key record as published (NUL bytes
								 * shown as '?'), or NULL */
	char	   *key_type;		/* k= as written, "rsa" by default; NULL when
								 * there is no record */
	int			key_bits;		/* RSA modulus bits, 256 for Ed25519, 0 when
								 * unknown (revoked, unparsable) */
	char	  **hash_algorithms;	/* h= as written; default "sha1","sha256" */
	int			nhash_algorithms;
	char	  **service_types;	/* s= as written; default "*" */
	int			nservice_types;
	char	  **flags;			/* t= as written; default none */
	int			nflags;
	bool		testing;		/* t=y */
	bool		revoked;		/* p= empty */
	char	   *version;		/* v= value, or NULL */
	char	   *notes;			/* n= value, or NULL */
	ma_dkim_key_problem *problems;
	int			nproblems;
	/* private */
	int			cap_problems;
	bool		oom;
} ma_dkim_key;

/*
 * Fetch the TXT records at <selector>._domainkey.<domain> through lookup
 * (CNAME chains are followed by the DNS layer) and lint the key.  Returns 0
 * when done, 1 when pending (out is then empty but for pending = true).
 * Free out with ma_dkim_key_free in either case.
 */
extern int	ma_dkim_key_lookup(const char *selector, const char *domain,
							   ma_spf_lookup_fn lookup, void *arg,
							   ma_dkim_key *out);

/*
 * Parse and lint one key record of len bytes (it may hold NUL bytes).  Pure:
 * no DNS.  Returns 0, or -1 when out of memory (status "temperror").  Free
 * out with ma_dkim_key_free.
 */
extern int	ma_dkim_key_parse(const char *txt, size_t len, ma_dkim_key *out);

extern void ma_dkim_key_free(ma_dkim_key *out);

/* is a problem with this code in the list? */
extern bool ma_dkim_key_has_problem(const ma_dkim_key *k, const char *code);

#endif							/* MA_DKIMKEY_H */
