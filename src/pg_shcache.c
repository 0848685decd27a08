/*-------------------------------------------------------------------------
 *
 * pg_shcache.c
 *	  The shared DNS cache: answers kept in shared memory for every backend,
 *	  when mailauth is in shared_preload_libraries.
 *
 * Without preloading nothing here is active and each backend keeps only its
 * own cache (src/core/ma_dnscache.c).  With it, the engine of every backend
 * gets a second-level cache (ma_dns_engine_set_shared): on a local miss it
 * asks this table, and every answer it receives from the network that may
 * be cached (positive or negative, TTL > 0; never a failure) is also put
 * here.
 *
 * The table: a fixed array of buckets of WAYS fixed-size slots
 * (set-associative), sized once from mailauth.shared_cache_memory at server
 * start.  A slot holds the key (name, type, servers) and the answer in the
 * flat byte form of ma_dnsser.c; an answer whose name and bytes exceed
 * mailauth.shared_cache_slot_size stays backend-local (counted as too_big).
 * Buckets are spread over NPARTITIONS LWLocks (bucket % NPARTITIONS), so
 * backends touching different names rarely meet.  A key has two buckets
 * (two choices), both of one partition, from two parts of its hash: lookups
 * read both under the one lock, a new answer takes the slot of the same key,
 * else an empty slot of the bucket holding fewer live answers, else an
 * expired one, else a slot freed by moving one of their entries to its own
 * other bucket (one cuckoo step), else the least recently used of both (an
 * eviction).  With a single bucket per key, buckets overflowed well before
 * the table was full (a second backend re-auditing 10,000 domains, 330,001
 * answers in a table of 1 M slots, still sent 602 queries for answers
 * evicted that way; now none).
 *
 * Keys: the normalised name, the type and a hash of the effective
 * mailauth.dns_servers (blanks removed), keyed with a random seed drawn at
 * server start.  Sessions pointed at other servers never see each other's
 * answers (see SECURITY.md).
 *
 * Time: expiry is an absolute time on CLOCK_MONOTONIC (ma_now_ms), which
 * on Linux is one clock for every process of the machine (backends are
 * forked from the postmaster, in its time namespace) and does not jump with
 * the wall clock.  An entry keeps the time its answer was first received,
 * so a backend that takes it keeps counting its TTL down from there.
 *
 * Concurrency and safety:
 *	- a writer fills a slot under the partition's exclusive lock; readers
 *	  copy the bytes out under the shared lock and decode them after
 *	  releasing it, with the fully validating ma_dns_result_deserialize();
 *	- nothing between acquiring and releasing a lock can ereport or palloc
 *	  (these functions are called from inside the DNS engine, possibly from
 *	  a c-ares callback, where a longjmp is not allowed); the only
 *	  allocation is one malloc()ed copy buffer per backend, made before any
 *	  lock is taken;
 *	- contention is measured: every acquisition first tries
 *	  LWLockConditionalAcquire(), a failure counts as a wait, then
 *	  LWLockAcquire() blocks.
 *
 * Counters are per partition (pg_atomic_uint64, a partition per cache line
 * pair) and summed by dns_shared_cache_stats().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "mailauth.h"

#define NPARTITIONS		128		/* LWLocks; a power of two */
#define WAYS			8		/* slots per bucket */
#define TRANCHE_NAME	"mailauth_shared_cache"
#define SHMEM_NAME		"mailauth shared DNS cache"

int			mailauth_shared_cache_memory = 65536;	/* kB; 0 disables */
int			mailauth_shared_cache_slot_size = 1024; /* bytes */

typedef struct ShPartition
{
	union
	{
		struct
		{
			pg_atomic_uint64 hits;
			pg_atomic_uint64 misses;
			pg_atomic_uint64 inserts;
			pg_atomic_uint64 evictions;
			pg_atomic_uint64 expired;
			pg_atomic_uint64 too_big;
			pg_atomic_uint64 lock_acquisitions;
			pg_atomic_uint64 lock_waits;
			pg_atomic_uint64 entries;
		}			c;
		char		pad[2 * PG_CACHE_LINE_SIZE];
	}			u;
} ShPartition;

typedef struct ShSlot
{
	uint64		hash;			/* of (servers, type, name); 0 = empty */
	uint64		servers;		/* hash of the servers setting */
	int64		expires_ms;		/* CLOCK_MONOTONIC */
	pg_atomic_uint64 used_ms;	/* last hit or write, for the LRU choice */
	uint16		type;
	uint16		namelen;
	uint32		datalen;
	unsigned char payload[FLEXIBLE_ARRAY_MEMBER];	/* name, then answer */
} ShSlot;

typedef struct ShHeader
{
	uint64		seed;			/* random, keys the hashes */
	uint32		nbuckets;
	uint32		slot_size;		/* payload bytes of a slot */
	Size		stride;			/* bytes of a slot */
	Size		total;			/* bytes of the whole table */
	ShPartition parts[NPARTITIONS];
	/* slots follow, at CACHELINEALIGN(sizeof(ShHeader)) */
} ShHeader;

static ShHeader *sh = NULL;
static LWLockPadded *sh_locks = NULL;
static unsigned char *sh_slots = NULL;
static unsigned char *copybuf = NULL;	/* one slot payload, malloc()ed */
static uint64 servers_hash = 0; /* of this backend's engine's servers */

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size
slot_stride(int slot_size)
{
	return MAXALIGN(offsetof(ShSlot, payload) + slot_size);
}

/* buckets for the configured memory: at least one per partition */
static uint32
bucket_count(void)
{
	uint64		budget = (uint64) mailauth_shared_cache_memory * 1024;
	uint64		hdr = CACHELINEALIGN(sizeof(ShHeader));
	uint64		nb = budget > hdr ? (budget - hdr) / (slot_stride(mailauth_shared_cache_slot_size) * WAYS) : 0;

	if (nb < NPARTITIONS)
		nb = NPARTITIONS;
	if (nb > PG_UINT32_MAX / WAYS)
		nb = PG_UINT32_MAX / WAYS;
	return (uint32) nb;
}

static Size
table_size(void)
{
	return add_size(CACHELINEALIGN(sizeof(ShHeader)),
					mul_size(mul_size(bucket_count(), WAYS),
							 slot_stride(mailauth_shared_cache_slot_size)));
}

static void
sh_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	if (mailauth_shared_cache_memory <= 0)
		return;
	RequestAddinShmemSpace(table_size());
	RequestNamedLWLockTranche(TRANCHE_NAME, NPARTITIONS);
}

static void
sh_shmem_startup(void)
{
	bool		found;
	Size		size;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	if (mailauth_shared_cache_memory <= 0)
		return;
	size = table_size();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	sh = ShmemInitStruct(SHMEM_NAME, size, &found);
	if (!found)
	{
		memset(sh, 0, CACHELINEALIGN(sizeof(ShHeader)));
		if (!pg_strong_random(&sh->seed, sizeof(sh->seed)))
			sh->seed = (uint64) MyStartTime ^ ((uint64) MyProcPid << 32);
		sh->nbuckets = bucket_count();
		sh->slot_size = (uint32) mailauth_shared_cache_slot_size;
		sh->stride = slot_stride(mailauth_shared_cache_slot_size);
		sh->total = size;
		for (int i = 0; i < NPARTITIONS; i++)
		{
			pg_atomic_init_u64(&sh->parts[i].u.c.hits, 0);
			pg_atomic_init_u64(&sh->parts[i].u.c.misses, 0);
			pg_atomic_init_u64(&sh->parts[i].u.c.inserts, 0);
			pg_atomic_init_u64(&sh->parts[i].u.c.evictions, 0);
			pg_atomic_init_u64(&sh->parts[i].u.c.expired, 0);
			pg_atomic_init_u64(&sh->parts[i].u.c.too_big, 0);
			pg_atomic_init_u64(&sh->parts[i].u.c.lock_acquisitions, 0);
			pg_atomic_init_u64(&sh->parts[i].u.c.lock_waits, 0);
			pg_atomic_init_u64(&sh->parts[i].u.c.entries, 0);
		}
		sh_slots = (unsigned char *) sh + CACHELINEALIGN(sizeof(ShHeader));
		for (uint64 i = 0; i < (uint64) sh->nbuckets * WAYS; i++)
		{
			ShSlot	   *s = (ShSlot *) (sh_slots + i * sh->stride);

			s->hash = 0;
			pg_atomic_init_u64(&s->used_ms, 0);
		}
	}
	sh_slots = (unsigned char *) sh + CACHELINEALIGN(sizeof(ShHeader));
	sh_locks = GetNamedLWLockTranche(TRANCHE_NAME);
	LWLockRelease(AddinShmemInitLock);
}

/*
 * _PG_init: the settings and the shared memory hooks, only when preloading.
 * PGC_POSTMASTER settings cannot be defined once the server runs (and would
 * mean nothing then): loaded by CREATE EXTENSION or LOAD, mailauth defines
 * neither, and a value for them in postgresql.conf is reported as unknown
 * (MarkGUCPrefixReserved), which is what it is without preloading.
 */
void
mailauth_shcache_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;

	DefineCustomIntVariable("mailauth.shared_cache_memory",
							"Shared memory for the DNS cache every backend shares (0 disables it).",
							"Takes effect only with mailauth in shared_preload_libraries. The table "
							"has at least 1,024 slots whatever the value.",
							&mailauth_shared_cache_memory,
							65536, 0, 64 * 1024 * 1024,
							PGC_POSTMASTER,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mailauth.shared_cache_slot_size",
							"Largest answer (name and records, in the cache's byte form) the shared DNS cache keeps.",
							"Every slot of the shared cache has this size; larger answers stay in the backend's own cache.",
							&mailauth_shared_cache_slot_size,
							1024, 256, 65536,
							PGC_POSTMASTER,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = sh_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = sh_shmem_startup;
}

bool
mailauth_shcache_enabled(void)
{
	return sh != NULL && sh_locks != NULL;
}

/* ---------------------------------------------------------------------
 * Keys and locks
 * ---------------------------------------------------------------------
 */
static uint64
key_hash(const char *name, size_t namelen, uint16_t type)
{
	uint64		h = hash_bytes_extended((const unsigned char *) name, (int) namelen,
										sh->seed ^ servers_hash ^ ((uint64) type << 48));

	return h ? h : 1;			/* 0 marks an empty slot */
}

/*
 * The two buckets of a key, both in partition *p: the first from the low
 * bits of h, the second from the high bits among the other buckets of the
 * same partition (the first again only when the partition has one bucket).
 */
static inline void
key_buckets(uint64 h, uint32 *b1, uint32 *b2, int *p)
{
	uint32		nb = sh->nbuckets,
				inpart,
				k1;

	*b1 = (uint32) (h % nb);
	*p = (int) (*b1 % NPARTITIONS);
	inpart = (nb - (uint32) *p + NPARTITIONS - 1) / NPARTITIONS;	/* buckets of partition p */
	k1 = *b1 / NPARTITIONS;
	if (inpart < 2)
		*b2 = *b1;
	else
		*b2 = (uint32) *p + NPARTITIONS * ((k1 + 1 + (uint32) ((h >> 32) % (inpart - 1))) % inpart);
}

static inline ShSlot *
slot_at(uint32 bucket, int way)
{
	return (ShSlot *) (sh_slots + ((uint64) bucket * WAYS + way) * sh->stride);
}

static void
part_lock(int p, LWLockMode mode)
{
	LWLock	   *l = &sh_locks[p].lock;

	pg_atomic_fetch_add_u64(&sh->parts[p].u.c.lock_acquisitions, 1);
	if (!LWLockConditionalAcquire(l, mode))
	{
		pg_atomic_fetch_add_u64(&sh->parts[p].u.c.lock_waits, 1);
		LWLockAcquire(l, mode);
	}
}

static bool
slot_matches(const ShSlot *s, uint64 h, const char *name, size_t namelen, uint16_t type)
{
	return s->hash == h && s->servers == servers_hash && s->type == type &&
		s->namelen == namelen && memcmp(s->payload, name, namelen) == 0;
}

/*
 * Both buckets of a new key are full of live answers: move one of their
 * entries to its own other bucket when that has an empty slot (one cuckoo
 * step; the same partition, so under the lock already held) and return the
 * slot it left, else NULL (then the LRU is evicted).
 */
static ShSlot *
relocate_one(const uint32 *bucket, int nb)
{
	for (int k = 0; k < nb; k++)
		for (int w = 0; w < WAYS; w++)
		{
			ShSlot	   *s = slot_at(bucket[k], w);
			uint32		a1,
						a2,
						alt;
			int			pp;

			if (s->hash == 0)
				continue;
			key_buckets(s->hash, &a1, &a2, &pp);
			alt = a1 == bucket[k] ? a2 : a1;
			if (alt == bucket[0] || alt == bucket[nb - 1])
				continue;
			for (int v = 0; v < WAYS; v++)
			{
				ShSlot	   *d = slot_at(alt, v);

				if (d->hash == 0)
				{
					memcpy(d, s, sh->stride);
					s->hash = 0;
					return s;
				}
			}
		}
	return NULL;
}

static bool
ensure_copybuf(void)
{
	if (copybuf == NULL)
		copybuf = malloc(sh->slot_size);
	return copybuf != NULL;
}

/* ---------------------------------------------------------------------
 * The engine's hooks (see ma_dns_shared_get_fn): no ereport, no palloc
 * ---------------------------------------------------------------------
 */
static ma_dns_result *
sh_get(void *arg, const char *name, uint16_t type, int64_t now_ms)
{
	size_t		namelen = strlen(name);
	uint64		h;
	uint32		bucket[2];
	int			p;
	uint32		datalen = 0;
	bool		hit = false,
				expired = false;
	ma_dns_result *r;

	if (!ensure_copybuf())
		return NULL;
	h = key_hash(name, namelen, type);
	key_buckets(h, &bucket[0], &bucket[1], &p);

	part_lock(p, LW_SHARED);
	for (int w = 0; w < 2 * WAYS; w++)
	{
		ShSlot	   *s;

		if (w == WAYS && bucket[1] == bucket[0])
			break;
		s = slot_at(bucket[w / WAYS], w % WAYS);
		if (!slot_matches(s, h, name, namelen, type))
			continue;
		if (s->expires_ms <= now_ms)
			expired = true;		/* left for a writer to reuse */
		else if (s->datalen <= sh->slot_size - s->namelen)
		{
			datalen = s->datalen;
			memcpy(copybuf, s->payload + s->namelen, datalen);
			pg_atomic_write_u64(&s->used_ms, (uint64) now_ms);
			hit = true;
		}
		break;
	}
	LWLockRelease(&sh_locks[p].lock);

	if (!hit)
	{
		if (expired)
			pg_atomic_fetch_add_u64(&sh->parts[p].u.c.expired, 1);
		pg_atomic_fetch_add_u64(&sh->parts[p].u.c.misses, 1);
		return NULL;
	}
	/* decoded outside the lock, trusting nothing in the bytes */
	r = ma_dns_result_deserialize(copybuf, datalen, NULL);
	pg_atomic_fetch_add_u64(r ? &sh->parts[p].u.c.hits : &sh->parts[p].u.c.misses, 1);
	return r;
}

static void
sh_put(void *arg, const char *name, uint16_t type, const ma_dns_result *r, int64_t now_ms)
{
	size_t		namelen = strlen(name);
	size_t		need = ma_dns_result_serialized_size(r);
	size_t		len;
	int64		expires = r->stored_ms + (int64) r->ttl * 1000;
	uint64		h;
	uint32		bucket[2];
	int			p,
				nb,
				live[2] = {0, 0};
	ShSlot	   *same = NULL,
			   *empty[2] = {NULL, NULL},
			   *old = NULL,
			   *lru = NULL,
			   *moved = NULL,
			   *victim;

	/* the engine offers only cacheable answers; this layer checks it again */
	if (r->ttl == 0 || r->ttl > MA_DNS_MAX_TTL ||
		(r->status != MA_DNS_OK && r->status != MA_DNS_NXDOMAIN && r->status != MA_DNS_NODATA))
		return;
	if (expires <= now_ms || !ensure_copybuf())
		return;
	h = key_hash(name, namelen, type);
	key_buckets(h, &bucket[0], &bucket[1], &p);
	nb = bucket[1] == bucket[0] ? 1 : 2;
	if (need == 0 || namelen + need > sh->slot_size)
	{
		pg_atomic_fetch_add_u64(&sh->parts[p].u.c.too_big, 1);
		return;
	}
	/* serialized before taking the lock, into the copy buffer */
	len = ma_dns_result_serialize(r, copybuf, sh->slot_size);
	if (len != need)
		return;

	part_lock(p, LW_EXCLUSIVE);
	for (int w = 0; w < nb * WAYS && same == NULL; w++)
	{
		int			k = w / WAYS;
		ShSlot	   *s = slot_at(bucket[k], w % WAYS);

		if (s->hash == 0)
		{
			if (empty[k] == NULL)
				empty[k] = s;
		}
		else if (slot_matches(s, h, name, namelen, type))
			same = s;			/* a key is in at most one slot */
		else if (s->expires_ms <= now_ms)
		{
			if (old == NULL)
				old = s;
		}
		else
		{
			live[k]++;
			if (lru == NULL ||
				pg_atomic_read_u64(&s->used_ms) < pg_atomic_read_u64(&lru->used_ms))
				lru = s;
		}
	}

	/*
	 * the same key, else an empty slot (of the bucket with fewer live
	 * answers), else an expired one, else the LRU of both buckets
	 */
	if (same)
		victim = same;
	else if (empty[0] && empty[1])
		victim = live[1] < live[0] ? empty[1] : empty[0];
	else if (empty[0] || empty[1])
		victim = empty[0] ? empty[0] : empty[1];
	else if (old)
		victim = old;
	else if ((moved = relocate_one(bucket, nb)) != NULL)
		victim = moved;
	else
		victim = lru;
	victim->hash = h;
	victim->servers = servers_hash;
	victim->type = type;
	victim->namelen = (uint16) namelen;
	victim->datalen = (uint32) len;
	victim->expires_ms = expires;
	pg_atomic_write_u64(&victim->used_ms, (uint64) now_ms);
	memcpy(victim->payload, name, namelen);
	memcpy(victim->payload + namelen, copybuf, len);
	if (victim != same && (victim == empty[0] || victim == empty[1] || victim == moved))
		pg_atomic_fetch_add_u64(&sh->parts[p].u.c.entries, 1);	/* under the lock: see reset */
	LWLockRelease(&sh_locks[p].lock);

	pg_atomic_fetch_add_u64(&sh->parts[p].u.c.inserts, 1);
	if (victim == lru)
		pg_atomic_fetch_add_u64(&sh->parts[p].u.c.evictions, 1);
	else if (victim == old)
		pg_atomic_fetch_add_u64(&sh->parts[p].u.c.expired, 1);
}

/*
 * Give the backend's engine the shared layer, keyed by the servers it was
 * built for (called whenever the engine is created or reconfigured).
 */
void
mailauth_shcache_attach(ma_dns_engine *e, const char *servers)
{
	char	   *norm;
	int			n = 0;

	if (!mailauth_shcache_enabled())
	{
		ma_dns_engine_set_shared(e, NULL, NULL, NULL);
		return;
	}
	/* the engine ignores blanks: so does the key */
	norm = palloc(strlen(servers) + 1);
	for (const char *c = servers; *c; c++)
		if (*c != ' ')
			norm[n++] = *c;
	norm[n] = '\0';
	servers_hash = hash_bytes_extended((const unsigned char *) norm, n, sh->seed ^ UINT64CONST(0x6d61696c61757468));
	pfree(norm);
	ma_dns_engine_set_shared(e, sh_get, sh_put, NULL);
}

/* ---------------------------------------------------------------------
 * dns_shared_cache_stats(), dns_shared_cache_reset()
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(mailauth_dns_shared_cache_stats);
Datum
mailauth_dns_shared_cache_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[14];
	bool		nulls[14];
	uint64		sum[9];
	int			i = 0;
	bool		on = mailauth_shcache_enabled();

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	memset(sum, 0, sizeof(sum));
	if (on)
		for (int p = 0; p < NPARTITIONS; p++)
		{
			ShPartition *s = &sh->parts[p];

			sum[0] += pg_atomic_read_u64(&s->u.c.entries);
			sum[1] += pg_atomic_read_u64(&s->u.c.hits);
			sum[2] += pg_atomic_read_u64(&s->u.c.misses);
			sum[3] += pg_atomic_read_u64(&s->u.c.inserts);
			sum[4] += pg_atomic_read_u64(&s->u.c.evictions);
			sum[5] += pg_atomic_read_u64(&s->u.c.expired);
			sum[6] += pg_atomic_read_u64(&s->u.c.too_big);
			sum[7] += pg_atomic_read_u64(&s->u.c.lock_acquisitions);
			sum[8] += pg_atomic_read_u64(&s->u.c.lock_waits);
		}
	memset(nulls, 0, sizeof(nulls));
	values[i++] = BoolGetDatum(on);
	values[i++] = Int64GetDatum((int64) sum[0]);
	values[i++] = Int64GetDatum(on ? (int64) sh->nbuckets * WAYS : 0);
	values[i++] = Int64GetDatum(on ? (int64) sh->slot_size : 0);
	values[i++] = Int64GetDatum(on ? (int64) sh->total : 0);
	for (int k = 1; k < 9; k++)
		values[i++] = Int64GetDatum((int64) sum[k]);
	values[i++] = Int32GetDatum(on ? NPARTITIONS : 0);
	Assert(i == tupdesc->natts);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(mailauth_dns_shared_cache_reset);
Datum
mailauth_dns_shared_cache_reset(PG_FUNCTION_ARGS)
{
	if (!mailauth_shcache_enabled())
		PG_RETURN_VOID();
	for (int p = 0; p < NPARTITIONS; p++)
	{
		ShPartition *s = &sh->parts[p];

		LWLockAcquire(&sh_locks[p].lock, LW_EXCLUSIVE);
		for (uint32 b = p; b < sh->nbuckets; b += NPARTITIONS)
			for (int w = 0; w < WAYS; w++)
				slot_at(b, w)->hash = 0;
		pg_atomic_write_u64(&s->u.c.entries, 0);
		pg_atomic_write_u64(&s->u.c.hits, 0);
		pg_atomic_write_u64(&s->u.c.misses, 0);
		pg_atomic_write_u64(&s->u.c.inserts, 0);
		pg_atomic_write_u64(&s->u.c.evictions, 0);
		pg_atomic_write_u64(&s->u.c.expired, 0);
		pg_atomic_write_u64(&s->u.c.too_big, 0);
		pg_atomic_write_u64(&s->u.c.lock_acquisitions, 0);
		pg_atomic_write_u64(&s->u.c.lock_waits, 0);
		LWLockRelease(&sh_locks[p].lock);
	}
	PG_RETURN_VOID();
}
