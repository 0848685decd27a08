/*-------------------------------------------------------------------------
 *
 * ma_dns.h
 *	  The mailauth DNS engine: wire-format encoding and decoding, a TTL
 *	  respecting LRU cache, and a concurrent c-ares driver.
 *
 * This is part of the pure C core: it never includes postgres.h, so it can
 * be unit-tested, fuzzed and benchmarked outside the server.  The caller
 * supplies a "waiter" that blocks on the c-ares sockets; the PostgreSQL glue
 * waits on a WaitEventSet with the process latch, a stand-alone program on
 * poll().
 *
 * Memory: everything here is malloc()ed.  Results are reference counted
 * (the cache holds one reference, a finished query another).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_DNS_H
#define MA_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MA_DNS_MAXNAME		253		/* presentation form, no trailing dot */
#define MA_DNS_MAXLABEL		63
#define MA_DNS_MAX_CHAIN	8		/* CNAME hops we follow */
#define MA_DNS_MAX_TTL		86400	/* cap for cache lifetimes */

/* record types we decode into presentation form */
#define MA_T_A		1
#define MA_T_NS		2
#define MA_T_CNAME	5
#define MA_T_SOA	6
#define MA_T_PTR	12
#define MA_T_MX		15
#define MA_T_TXT	16
#define MA_T_AAAA	28
#define MA_T_SRV	33
#define MA_T_OPT	41
#define MA_T_CAA	257

typedef enum ma_dns_status
{
	MA_DNS_OK = 0,
	MA_DNS_NXDOMAIN,
	MA_DNS_NODATA,
	MA_DNS_SERVFAIL,
	MA_DNS_REFUSED,
	MA_DNS_TIMEOUT,
	MA_DNS_FORMERR,
	MA_DNS_ERROR,				/* anything else: bad answer, no memory... */
	MA_DNS_NSTATUS
} ma_dns_status;

extern const char *ma_dns_status_name(ma_dns_status st);
extern int	ma_dns_type_from_name(const char *name);	/* 0 = unsupported */
extern const char *ma_dns_type_name(int type);

/* One resource record, decoded. */
typedef struct ma_dns_rr
{
	const char *name;			/* owner, presentation form, no trailing dot */
	const char *data;			/* master-file form; TXT: strings concatenated */
	size_t		datalen;		/* TXT may hold NUL bytes */
	const char *target;			/* CNAME/NS/PTR/MX/SRV target, no trailing
								 * dot ("." for the root), else NULL */
	uint32_t	ttl;
	uint16_t	type;
	uint16_t	pref;			/* MX preference, SRV priority */
} ma_dns_rr;

/*
 * The outcome of one lookup: a status and the records (a CNAME chain first,
 * then the records of the asked type).  One malloc block, reference counted.
 */
typedef struct ma_dns_result
{
	int			refcnt;
	ma_dns_status status;
	uint32_t	ttl;			/* how long it may be cached (0 = not) */
	int64_t		stored_ms;		/* monotonic time it was received */
	size_t		size;			/* bytes of this block */
	uint32_t	wire_size;		/* octets of the (last) DNS answer, 0 if none */
	const char *detail;			/* static text, e.g. "CNAME loop", or NULL */
	int			nrr;
	ma_dns_rr	rr[];
} ma_dns_result;

extern void ma_dns_result_release(ma_dns_result *r);
extern ma_dns_result *ma_dns_result_ref(ma_dns_result *r);
extern ma_dns_result *ma_dns_result_status(ma_dns_status st, const char *detail);

/* ----- names and wire format (ma_dnswire.c) ----- */

/*
 * Check and normalise a presentation-form name (ASCII; a trailing dot is
 * allowed).  Writes the lowercased name without trailing dot to out (at least
 * MA_DNS_MAXNAME + 1 bytes).  Returns NULL when fine, else a static message.
 */
extern const char *ma_dns_name_check(const char *name, char *out);
/* the same, but any octet but NUL may stand in a label (SPF macro expansions) */
extern const char *ma_dns_name_check_any(const char *name, char *out);

/* Build the reverse-lookup name for an address (family AF_INET/AF_INET6). */
extern void ma_dns_reverse_name(int family, const unsigned char *addr, char *out,
								size_t outlen);

/* Encode a query (RD set, EDNS0 OPT with udpsize unless 0). Returns length, or -1. */
extern int	ma_dns_build_query(const char *name, uint16_t type, uint16_t id,
							   uint16_t udpsize, unsigned char *buf, size_t buflen);

/* Growable list of decoded records, finished into an ma_dns_result. */
typedef struct ma_dns_builder
{
	ma_dns_rr  *rr;
	int			nrr;
	int			cap;
	size_t		strbytes;
	uint32_t	min_ttl;
	uint32_t	neg_ttl;		/* from SOA in authority; UINT32_MAX = none */
	bool		oom;
} ma_dns_builder;

extern void ma_dns_builder_init(ma_dns_builder *b);
extern void ma_dns_builder_free(ma_dns_builder *b);
extern ma_dns_result *ma_dns_builder_finish(ma_dns_builder *b, ma_dns_status st,
											const char *detail);

/*
 * Decode an answer to (qname, qtype).  Appends the CNAME chain and the
 * records of qtype to b.  *rcode_status gets the outcome of this packet; when
 * the chain leaves the answer (a CNAME whose target has no records here),
 * next_name gets the target to ask next and the function returns 1.  Returns
 * 0 when done, -1 with *errmsg when the packet is malformed.
 */
extern int	ma_dns_parse_answer(const unsigned char *buf, size_t len,
								const char *qname, uint16_t qtype,
								ma_dns_builder *b, ma_dns_status *status,
								char *next_name, const char **errmsg);

/* ----- cache (ma_dnscache.c) ----- */

typedef struct ma_dns_cache ma_dns_cache;

typedef struct ma_dns_cache_stats
{
	int64_t		entries;
	int64_t		bytes;
	int64_t		max_entries;
	int64_t		hits;
	int64_t		misses;
	int64_t		expired;
	int64_t		evictions;
	int64_t		inserts;
} ma_dns_cache_stats;

extern ma_dns_cache *ma_dns_cache_new(size_t max_entries, size_t max_bytes);
extern void ma_dns_cache_free(ma_dns_cache *c);
extern void ma_dns_cache_set_limits(ma_dns_cache *c, size_t max_entries, size_t max_bytes);
/* lookup: returns a new reference or NULL; name must be normalised */
extern ma_dns_result *ma_dns_cache_get(ma_dns_cache *c, const char *name,
									   uint16_t type, int64_t now_ms);
/* store (takes its own reference) when r->ttl > 0 */
extern void ma_dns_cache_put(ma_dns_cache *c, const char *name, uint16_t type,
							 ma_dns_result *r, int64_t now_ms);
extern void ma_dns_cache_clear(ma_dns_cache *c, bool reset_stats);
extern void ma_dns_cache_get_stats(ma_dns_cache *c, ma_dns_cache_stats *s);

/* ----- flat byte form of a result (ma_dnsser.c) ----- */

/* bytes ma_dns_result_serialize needs, 0 if r cannot be represented */
extern size_t ma_dns_result_serialized_size(const ma_dns_result *r);
/* write r into buf; returns the length, 0 if it does not fit */
extern size_t ma_dns_result_serialize(const ma_dns_result *r, unsigned char *buf,
									  size_t buflen);
/* validate and rebuild (refcount 1); NULL with *errmsg (static) if invalid */
extern ma_dns_result *ma_dns_result_deserialize(const unsigned char *buf, size_t len,
												const char **errmsg);

/* ----- the engine (ma_dns.c) ----- */

typedef struct ma_dns_config
{
	const char *servers;		/* "host[:port],..." or "" for resolv.conf */
	int			timeout_ms;		/* overall deadline of one lookup */
	int			tries;
	int			max_inflight;
	size_t		cache_entries;	/* 0 disables the cache */
	size_t		cache_bytes;
} ma_dns_config;

/* a socket c-ares wants watched */
typedef struct ma_dns_sock
{
	int			fd;
	bool		want_read;
	bool		want_write;
	bool		readable;		/* set by the waiter */
	bool		writable;
} ma_dns_sock;

#define MA_WAIT_INTERRUPTED (-1)
#define MA_WAIT_FAILED		(-2)

/*
 * Block until a socket is ready or timeout_ms passed.  Set readable/writable
 * in socks and return how many are ready (0 on timeout), or
 * MA_WAIT_INTERRUPTED to make ma_dns_run stop, cancel everything in flight
 * and return MA_RUN_INTERRUPTED (the caller services the interrupt and may
 * call ma_dns_run again to resume).  Must not longjmp.  "changed" says the
 * socket set (or an interest) changed since the previous call, so a waiter
 * may keep its poll set across calls until then.
 */
typedef int (*ma_dns_wait_fn) (void *arg, ma_dns_sock *socks, int nsocks,
							   bool changed, int timeout_ms);

typedef struct ma_dns_query
{
	/* input: a normalised name (ma_dns_name_check) and a type */
	char		name[MA_DNS_MAXNAME + 1];
	uint16_t	type;
	/* output, when done */
	ma_dns_result *result;
	bool		from_cache;
	uint32_t	age_s;			/* seconds since the result was received */
	/* private */
	int			state;
	int			leader;			/* a follower's leader in the same run */
	int			hops;
	uint32_t	gen;
	uint32_t	last_alen;
	int64_t		deadline_ms;
	char		cur[MA_DNS_MAXNAME + 1];
	ma_dns_builder chain;
} ma_dns_query;

typedef struct ma_dns_engine_stats
{
	int64_t		lookups;
	int64_t		queries_sent;
	int64_t		answers;
	int64_t		timeouts;
	int64_t		nxdomain;
	int64_t		nodata;
	int64_t		servfail;
	int64_t		refused;
	int64_t		formerr;
	int64_t		errors;
	int64_t		cname_follows;
	int64_t		interrupts;
	int64_t		shared_hits;	/* local misses answered by the shared layer */
	int64_t		shared_misses;	/* local misses it could not answer */
	int64_t		coalesced;		/* lookups that shared another's question in one run */
} ma_dns_engine_stats;

/*
 * A second-level ("shared") cache behind the engine's own: on a local miss
 * the engine asks get (a result with a new reference, its stored_ms and ttl
 * as first received, or NULL); every answer from the network that the local
 * cache would keep is offered to put.  Both are called from inside
 * ma_dns_run(), put possibly from a c-ares callback: they must not longjmp,
 * block for long, or call back into the engine.  The key is the normalised
 * name and type; anything else that must separate answers (the servers
 * asked) is the shared layer's business (arg).
 */
typedef ma_dns_result *(*ma_dns_shared_get_fn) (void *arg, const char *name,
												uint16_t type, int64_t now_ms);
typedef void (*ma_dns_shared_put_fn) (void *arg, const char *name, uint16_t type,
									  const ma_dns_result *r, int64_t now_ms);

typedef struct ma_dns_engine ma_dns_engine;

#define MA_RUN_OK			0
#define MA_RUN_INTERRUPTED	1
#define MA_RUN_FAILED		2

/* returns NULL and sets *errmsg (static or into errbuf) on failure */
extern ma_dns_engine *ma_dns_engine_new(const ma_dns_config *cfg, char *errbuf,
										size_t errlen);
extern void ma_dns_engine_free(ma_dns_engine *e);
/* keep the cache of old, install a new channel; NULL on success else message */
extern const char *ma_dns_engine_reconfigure(ma_dns_engine *e, const ma_dns_config *cfg,
											 char *errbuf, size_t errlen);
extern void ma_dns_engine_set_cache_limits(ma_dns_engine *e, size_t entries, size_t bytes);
extern void ma_dns_engine_set_max_inflight(ma_dns_engine *e, int n);
/* install (or with NULL functions remove) the shared layer */
extern void ma_dns_engine_set_shared(ma_dns_engine *e, ma_dns_shared_get_fn get,
									 ma_dns_shared_put_fn put, void *arg);
extern ma_dns_cache *ma_dns_engine_cache(ma_dns_engine *e);
extern void ma_dns_engine_get_stats(ma_dns_engine *e, ma_dns_engine_stats *s);
/* how many sockets c-ares holds open now */
extern int	ma_dns_engine_nsocks(ma_dns_engine *e);
extern void ma_dns_engine_reset_stats(ma_dns_engine *e);

extern void ma_dns_query_init(ma_dns_query *q, const char *normname, uint16_t type);
extern void ma_dns_query_clear(ma_dns_query *q);

/*
 * Resolve all queries concurrently (at most max_inflight in flight).  On
 * return nothing of ours is left inside c-ares, whatever the outcome.
 */
extern int	ma_dns_run(ma_dns_engine *e, ma_dns_query *qs, int n,
					   ma_dns_wait_fn wait, void *wait_arg);
/* cancel everything in flight (for error paths of a caller) */
extern void ma_dns_abort(ma_dns_engine *e);

/* a poll() waiter for stand-alone programs (never interrupted) */
extern int	ma_dns_poll_wait(void *arg, ma_dns_sock *socks, int nsocks, bool changed,
							 int timeout_ms);

extern int64_t ma_now_ms(void);

/* validate a server list; NULL if fine, else a static message */
extern const char *ma_dns_servers_check(const char *servers);

#endif							/* MA_DNS_H */
