/*-------------------------------------------------------------------------
 *
 * ma_wave.h
 *	  The answer store of the "waves" DNS model (see ma_spf.h): evaluators
 *	  ask it for answers; what it does not know yet it records as pending,
 *	  and the caller resolves all pending questions concurrently, stores the
 *	  answers and runs the evaluators again.
 *
 * Pure C, malloc()-based, and it never longjmps: safe to call from inside
 * an evaluator.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_WAVE_H
#define MA_WAVE_H

#include "ma_dns.h"

typedef struct ma_dns_wave ma_dns_wave;

extern ma_dns_wave *ma_dns_wave_new(void);
extern void ma_dns_wave_free(ma_dns_wave *w);

/*
 * The answer to (name, type) if stored, else NULL after recording the
 * question as pending.  name must be normalised.  Matches ma_spf_lookup_fn
 * (pass the wave as arg).  When memory runs out the question is answered
 * with a static "error" result rather than NULL, so evaluations still end.
 */
extern const ma_dns_result *ma_dns_wave_lookup(void *wave, const char *name, uint16_t type);

/* pending questions, in the order they were first asked */
extern int	ma_dns_wave_npending(ma_dns_wave *w);
extern void ma_dns_wave_pending(ma_dns_wave *w, int i, const char **name, uint16_t *type);

/* store the answer of pending question i (takes its own reference) */
extern void ma_dns_wave_answer(ma_dns_wave *w, int i, ma_dns_result *r);
/* forget the pending list (after answering it) */
extern void ma_dns_wave_clear_pending(ma_dns_wave *w);
extern int	ma_dns_wave_size(ma_dns_wave *w);

/* stand-alone programs: resolve all pending questions, blocking on poll() */
extern bool ma_dns_wave_resolve_blocking(ma_dns_engine *e, ma_dns_wave *w);
/* stand-alone programs: an engine on servers with a deadline in seconds */
extern ma_dns_engine *ma_dns_engine_standalone(const char *servers, const char *timeout_s,
											   char *errbuf, size_t errlen);

#endif							/* MA_WAVE_H */
