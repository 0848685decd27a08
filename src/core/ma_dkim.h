/*-------------------------------------------------------------------------
 *
 * ma_dkim.h
 *	  DKIM verification (RFC 6376, RFC 8301, RFC 8463) on libopendkim 2.11,
 *	  on the "waves" DNS model of the core (see ma_spf.h and ma_wave.h).
 *
 * Pure C, malloc()-based, never includes postgres.h.  The caller hands in
 * the whole message (header, empty line, body; CRLF or bare LF) and a
 * lookup callback.  When the callback does not know a key record yet
 * (returns NULL) the verification stops with 1 (pending): resolve every
 * recorded question and call again.  All keys of a message are asked for
 * in the same wave.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_DKIM_H
#define MA_DKIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ma_spf.h"				/* ma_spf_lookup_fn */

#define MA_DKIM_DEFAULT_MAX_SIGS	10
#define MA_DKIM_MAX_FIELD			65536	/* longest header field we accept */
#define MA_DKIM_MAX_FIELDS			1000	/* most header fields we accept */

typedef enum ma_dkim_res
{
	MA_DKIM_NONE = 0,
	MA_DKIM_PASS,
	MA_DKIM_FAIL,
	MA_DKIM_NEUTRAL,
	MA_DKIM_POLICY,
	MA_DKIM_TEMPERROR,
	MA_DKIM_PERMERROR
} ma_dkim_res;

/* RFC 8601 words: "none", "pass", "fail", "neutral", "policy", ... */
extern const char *ma_dkim_res_name(ma_dkim_res r);

/* The verdict on one DKIM-Signature field (top-most first). */
typedef struct ma_dkim_sig
{
	ma_dkim_res result;
	char		reason[128];	/* plain words, e.g. "body hash mismatch" */
	char		domain[256];	/* d= */
	char		selector[256];	/* s= */
	char		algorithm[32];	/* a=, e.g. "rsa-sha256" */
	char		canon[32];		/* "relaxed/simple" */
	char		identity[512];	/* i= (or "@d" by default) */
	int			key_bits;		/* 0 when no key was loaded */
	int64_t		body_length;	/* l=, -1 if absent */
	int64_t		signed_at;		/* t=, -1 if absent */
	int64_t		expires_at;		/* x=, -1 if absent */
	bool		testing;		/* the key has t=y */
	int			nsigned_headers;
	char	  **signed_headers; /* h= names, lowercased as written */
} ma_dkim_sig;

typedef struct ma_dkim_outcome
{
	bool		pending;		/* stopped for DNS: resolve and run again */
	int			nsigs;			/* DKIM-Signature fields in the message */
	int			nresults;		/* results (at most max_sigs; 1 for "none") */
	ma_dkim_sig *results;		/* malloc()ed; ma_dkim_outcome_free() */
	char		problem[256];	/* message-level problem, or "" */
} ma_dkim_outcome;

/*
 * Verify every DKIM-Signature of msg (at most max_sigs of them, top-most
 * first; max_sigs <= 0 means MA_DKIM_DEFAULT_MAX_SIGS).  Returns 0 when
 * done, 1 when pending (out has no results then).  An unsigned message
 * gives a single result "none".  out must be ma_dkim_outcome_free()d after
 * either return.  now is the verification time (0 = time(NULL)).
 */
extern int	ma_dkim_verify(const char *msg, size_t len, ma_spf_lookup_fn lookup,
						   void *arg, int max_sigs, ma_dkim_outcome *out);
extern int	ma_dkim_verify_at(const char *msg, size_t len, ma_spf_lookup_fn lookup,
							  void *arg, int max_sigs, int64_t now,
							  ma_dkim_outcome *out);
extern void ma_dkim_outcome_free(ma_dkim_outcome *out);

extern const char *ma_dkim_version(void);

/*
 * A signature whose l= leaves part of the body unsigned: "policy" when true,
 * else "pass" with the reason saying so (the default).
 */
extern bool ma_dkim_partial_body_policy;
/* verify plain keys with a per-process key cache (see ma_dkim.c); tests turn it off to compare */
extern bool ma_dkim_fast_crypto;
extern uint64_t ma_dkim_fast_used;	/* signatures verified by the fast path */

#endif							/* MA_DKIM_H */
