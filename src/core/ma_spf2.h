/*-------------------------------------------------------------------------
 *
 * ma_spf2.h
 *	  A second SPF engine of the mailauth core, on libspf2, with the same
 *	  interface as the native evaluator of ma_spf.h (pure C: never includes
 *	  postgres.h).
 *
 * libspf2 never touches the network here: its DNS layer is replaced by one
 * that answers from the caller's lookup callback, so the "waves" model of
 * ma_spf.h applies unchanged (NULL from the callback = not known yet; the
 * evaluation then ends with out->pending = true and the caller runs it again
 * once the recorded questions are answered).
 *
 * Call ma_spf2_init() once per process before the first check: it replaces
 * libspf2's message handlers (warnings are recorded, info and debug output
 * dropped).  libspf2's SPF_error() is fatal by design: its handler must not
 * return (in Debian's build a returning handler falls into unrelated code),
 * so ours records the message, writes it to stderr, calls the fatal hook if
 * one is set and abort()s.  This engine is written so that libspf2 never
 * reaches SPF_error() -- see ma_spf2.c and docs/libspf2.md.
 *
 * See docs/libspf2.md for the differences from the native evaluator.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_SPF2_H
#define MA_SPF2_H

#include "ma_spf.h"

/* install libspf2's message handlers; idempotent */
extern void ma_spf2_init(void);

/*
 * RFC 7208 check_host() through libspf2, same contract as ma_spf_check_host:
 * returns out->result (meaningless when out->pending).  The mechanism field
 * stays "" (libspf2 does not expose the deciding term); dns_lookups and
 * void_lookups are counted by our DNS layer (see ma_spf2.c).
 */
extern ma_spf_res ma_spf2_check_host(const ma_spf_request *req,
									 ma_spf_lookup_fn lookup, void *arg,
									 ma_spf_outcome *out);

/*
 * A function the error handler calls before its abort(), e.g. one that ends
 * the backend with ereport(FATAL) so that shared memory is cleaned up.  It
 * should not return; if it does, abort() follows.  NULL to unset.
 */
extern void ma_spf2_set_fatal_hook(void (*hook) (const char *msg));

/* the last message libspf2 passed to its error / warning handler, or "" */
extern const char *ma_spf2_last_error(void);
extern const char *ma_spf2_last_warning(void);

/* libspf2's version as "major.minor.patch" */
extern const char *ma_spf2_version(void);

#endif							/* MA_SPF2_H */
