/*-------------------------------------------------------------------------
 *
 * ma_dnscache.c
 *	  A bounded, TTL-respecting LRU cache of DNS results.
 *
 * Keys are (normalised name, type).  Positive answers live for the smallest
 * TTL of their records, negative ones (NXDOMAIN, NODATA) for the SOA minimum
 * of RFC 2308; failures are never cached.  Bounded both by entries and by
 * bytes: the least recently used entry goes first.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_dns.h"

#include <stdlib.h>
#include <string.h>

typedef struct centry
{
	struct centry *hnext;		/* hash chain */
	struct centry *prev,
			   *next;			/* LRU list, head = most recent */
	uint32_t	hash;
	uint16_t	type;
	int64_t		expires_ms;
	ma_dns_result *result;
	size_t		bytes;
	char		name[];
} centry;

struct ma_dns_cache
{
	centry	  **buckets;
	size_t		nbuckets;
	centry	   *lru;			/* sentinel of the LRU list */
	size_t		max_entries;
	size_t		max_bytes;
	ma_dns_cache_stats st;
};

static uint32_t
hash_key(const char *name, uint16_t type)
{
	uint32_t	h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *) name; *p; p++)
		h = (h ^ *p) * 16777619u;
	h = (h ^ (type & 0xff)) * 16777619u;
	h = (h ^ (type >> 8)) * 16777619u;
	return h;
}

ma_dns_cache *
ma_dns_cache_new(size_t max_entries, size_t max_bytes)
{
	ma_dns_cache *c = calloc(1, sizeof(ma_dns_cache));

	if (!c)
		return NULL;
	c->nbuckets = 1024;
	c->buckets = calloc(c->nbuckets, sizeof(centry *));
	if (!c->buckets)
	{
		free(c);
		return NULL;
	}
	c->lru = calloc(1, sizeof(centry));
	if (!c->lru)
	{
		free(c->buckets);
		free(c);
		return NULL;
	}
	c->lru->next = c->lru->prev = c->lru;
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	return c;
}

static void
unlink_entry(ma_dns_cache *c, centry *e)
{
	centry	  **pp = &c->buckets[e->hash & (c->nbuckets - 1)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	e->prev->next = e->next;
	e->next->prev = e->prev;
	c->st.entries--;
	c->st.bytes -= e->bytes;
	ma_dns_result_release(e->result);
	free(e);
}

static void
enforce_limits(ma_dns_cache *c)
{
	while (c->st.entries > 0 &&
		   ((size_t) c->st.entries > c->max_entries || (size_t) c->st.bytes > c->max_bytes))
	{
		unlink_entry(c, c->lru->prev);
		c->st.evictions++;
	}
}

void
ma_dns_cache_clear(ma_dns_cache *c, bool reset_stats)
{
	while (c->lru->next != c->lru)
		unlink_entry(c, c->lru->next);
	if (reset_stats)
		memset(&c->st, 0, sizeof(c->st));
}

void
ma_dns_cache_free(ma_dns_cache *c)
{
	if (!c)
		return;
	ma_dns_cache_clear(c, false);
	free(c->buckets);
	free(c->lru);
	free(c);
}

void
ma_dns_cache_set_limits(ma_dns_cache *c, size_t max_entries, size_t max_bytes)
{
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	enforce_limits(c);
}

static void
maybe_grow(ma_dns_cache *c)
{
	size_t		nb;
	centry	  **nbk;

	if ((size_t) c->st.entries < c->nbuckets * 2 || c->nbuckets >= (1u << 22))
		return;
	nb = c->nbuckets * 4;
	nbk = calloc(nb, sizeof(centry *));
	if (!nbk)
		return;					/* keep the longer chains */
	for (size_t i = 0; i < c->nbuckets; i++)
	{
		centry	   *e = c->buckets[i];

		while (e)
		{
			centry	   *n = e->hnext;

			e->hnext = nbk[e->hash & (nb - 1)];
			nbk[e->hash & (nb - 1)] = e;
			e = n;
		}
	}
	free(c->buckets);
	c->buckets = nbk;
	c->nbuckets = nb;
}

static centry *
find(ma_dns_cache *c, const char *name, uint16_t type, uint32_t h)
{
	for (centry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->hnext)
		if (e->hash == h && e->type == type && strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

ma_dns_result *
ma_dns_cache_get(ma_dns_cache *c, const char *name, uint16_t type, int64_t now_ms)
{
	uint32_t	h = hash_key(name, type);
	centry	   *e = find(c, name, type, h);

	if (!e)
	{
		c->st.misses++;
		return NULL;
	}
	if (e->expires_ms <= now_ms)
	{
		unlink_entry(c, e);
		c->st.expired++;
		c->st.misses++;
		return NULL;
	}
	/* move to the front */
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->next = c->lru->next;
	e->prev = c->lru;
	c->lru->next->prev = e;
	c->lru->next = e;
	c->st.hits++;
	return ma_dns_result_ref(e->result);
}

void
ma_dns_cache_put(ma_dns_cache *c, const char *name, uint16_t type,
				 ma_dns_result *r, int64_t now_ms)
{
	uint32_t	h;
	centry	   *e;
	size_t		nlen;

	if (!r || r->ttl == 0 || c->max_entries == 0)
		return;
	if (r->status != MA_DNS_OK && r->status != MA_DNS_NXDOMAIN && r->status != MA_DNS_NODATA)
		return;
	h = hash_key(name, type);
	e = find(c, name, type, h);
	if (e)
		unlink_entry(c, e);
	nlen = strlen(name);
	/* an entry larger than the whole budget would only flush the others */
	if (sizeof(centry) + nlen + 1 + r->size > c->max_bytes)
		return;
	e = malloc(sizeof(centry) + nlen + 1);
	if (!e)
		return;
	memcpy(e->name, name, nlen + 1);
	e->hash = h;
	e->type = type;
	e->expires_ms = r->stored_ms + (int64_t) r->ttl * 1000;
	(void) now_ms;
	e->result = ma_dns_result_ref(r);
	e->bytes = sizeof(centry) + nlen + 1 + r->size;
	e->hnext = c->buckets[h & (c->nbuckets - 1)];
	c->buckets[h & (c->nbuckets - 1)] = e;
	e->next = c->lru->next;
	e->prev = c->lru;
	c->lru->next->prev = e;
	c->lru->next = e;
	c->st.entries++;
	c->st.bytes += e->bytes;
	c->st.inserts++;
	enforce_limits(c);
	maybe_grow(c);
}

void
ma_dns_cache_get_stats(ma_dns_cache *c, ma_dns_cache_stats *s)
{
	*s = c->st;
	s->max_entries = (int64_t) c->max_entries;
}
