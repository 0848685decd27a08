/*-------------------------------------------------------------------------
 *
 * ma_dns.c
 *	  The concurrent DNS driver on c-ares.
 *
 * One engine per process, created lazily (a channel made before fork would
 * give every backend the same query ids).  ma_dns_run() submits many lookups,
 * at most max_inflight at a time (more than about 200 overflow socket
 * buffers), and waits on the c-ares sockets through a caller-supplied waiter,
 * never inside a blocking library call.
 *
 * Invariants that keep a caller's memory safe:
 *	- every ares_send() carries a malloc()ed token; c-ares calls back exactly
 *	  once per send (answer, error, cancel or destruction) and the callback
 *	  frees the token;
 *	- when ma_dns_run() returns, by any path, nothing is outstanding inside
 *	  c-ares: lookups past their deadline are finished at once as "timeout"
 *	  (their sends linger as zombies and are cancelled before we return);
 *	- callbacks never call out of the core: no palloc, no ereport, no
 *	  interrupt checks (the waiter reports interrupts by returning).
 *
 * Pitfalls of c-ares 1.18 handled here: without ARES_FLAG_NOCHECKRESP a
 * SERVFAIL comes back as ARES_ECONNREFUSED; ares_send() does not choose the
 * query id, so we allocate unique ids ourselves; per-try timeouts double, so
 * we enforce our own overall deadline; ares_set_servers_ports_csv() silently
 * wraps ports over 65535, so the server list is validated first.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_dns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define Q_NEW		0
#define Q_PENDING	1
#define Q_INFLIGHT	2
#define Q_DONE		3
#define Q_FOLLOW	4			/* the same question as qs[leader]: shares its answer */

#define EDNS_UDPSIZE 1232

struct ma_dns_engine
{
	ares_channel channel;
	bool		have_channel;
	int			timeout_ms;
	int			max_inflight;
	char	   *servers;
	ma_dns_cache *cache;
	ma_dns_sock *socks;
	int			nsocks;
	int			socks_cap;
	uint64_t	sock_gen;		/* bumped on every socket set change */
	uint64_t	waited_gen;		/* sock_gen the waiter last saw */
	int			outstanding;	/* sends still inside c-ares */
	int			active;			/* our lookups in flight */
	uint64_t	rng;
	uint8_t		ids[65536 / 8];
	ma_dns_shared_get_fn shared_get;	/* second-level cache, or NULL */
	ma_dns_shared_put_fn shared_put;
	void	   *shared_arg;
	ma_dns_engine_stats st;
};

typedef struct token
{
	ma_dns_engine *e;
	ma_dns_query *q;
	uint32_t	gen;
	uint16_t	id;
} token;

int64_t
ma_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t
rng_next(ma_dns_engine *e)
{
	uint64_t	x = e->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	e->rng = x;
	return x;
}

static int
alloc_id(ma_dns_engine *e)
{
	for (int i = 0; i < 64; i++)
	{
		unsigned	id = (unsigned) (rng_next(e) & 0xffff);

		if (!(e->ids[id >> 3] & (1 << (id & 7))))
		{
			e->ids[id >> 3] |= (uint8_t) (1 << (id & 7));
			return (int) id;
		}
	}
	for (unsigned id = 0; id < 65536; id++)
		if (!(e->ids[id >> 3] & (1 << (id & 7))))
		{
			e->ids[id >> 3] |= (uint8_t) (1 << (id & 7));
			return (int) id;
		}
	return -1;
}

static void
free_id(ma_dns_engine *e, uint16_t id)
{
	e->ids[id >> 3] &= (uint8_t) ~(1 << (id & 7));
}

/* ---------------------------------------------------------------------
 * Server list validation
 * ---------------------------------------------------------------------
 */
static bool
parse_port(const char *s, size_t len)
{
	long		v = 0;

	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

const char *
ma_dns_servers_check(const char *servers)
{
	const char *p = servers;

	if (servers == NULL)
		return NULL;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return NULL;
	for (;;)
	{
		const char *end = strchr(p, ',');
		size_t		len = end ? (size_t) (end - p) : strlen(p);
		char		item[128],
					host[128];
		unsigned char addr[16];

		while (len > 0 && p[0] == ' ')
			p++, len--;
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == 0)
			return "empty entry in server list";
		if (len >= sizeof(item))
			return "server entry too long";
		memcpy(item, p, len);
		item[len] = '\0';
		if (item[0] == '[')
		{
			char	   *rb = strchr(item, ']');

			if (!rb)
				return "missing \"]\" in IPv6 server address";
			memcpy(host, item + 1, rb - item - 1);
			host[rb - item - 1] = '\0';
			if (inet_pton(AF_INET6, host, addr) != 1)
				return "invalid IPv6 server address";
			if (rb[1] != '\0' && (rb[1] != ':' || !parse_port(rb + 2, strlen(rb + 2))))
				return "invalid port in server list (must be 1 to 65535)";
		}
		else if (strchr(item, ':') && strchr(item, ':') != strrchr(item, ':'))
		{
			if (inet_pton(AF_INET6, item, addr) != 1)
				return "invalid IPv6 server address (write [address]:port to give a port)";
		}
		else
		{
			char	   *colon = strchr(item, ':');

			if (colon)
			{
				if (!parse_port(colon + 1, strlen(colon + 1)))
					return "invalid port in server list (must be 1 to 65535)";
				*colon = '\0';
			}
			if (inet_pton(AF_INET, item, addr) != 1)
				return "invalid IPv4 server address (servers are given as IP addresses)";
		}
		if (!end)
			break;
		p = end + 1;
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * Channel
 * ---------------------------------------------------------------------
 */
static void
sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	ma_dns_engine *e = data;
	int			i;

	e->sock_gen++;

	for (i = 0; i < e->nsocks; i++)
		if (e->socks[i].fd == fd)
			break;
	if (!readable && !writable)
	{
		if (i < e->nsocks)
			e->socks[i] = e->socks[--e->nsocks];
		return;
	}
	if (i == e->nsocks)
	{
		if (e->nsocks == e->socks_cap)
		{
			int			ncap = e->socks_cap ? e->socks_cap * 2 : 8;
			ma_dns_sock *n = realloc(e->socks, ncap * sizeof(ma_dns_sock));

			if (!n)
				return;			/* the query times out: a value, not a crash */
			e->socks = n;
			e->socks_cap = ncap;
		}
		e->nsocks++;
	}
	e->socks[i].fd = fd;
	e->socks[i].want_read = readable != 0;
	e->socks[i].want_write = writable != 0;
	e->socks[i].readable = e->socks[i].writable = false;
}

static const char *
make_channel(ma_dns_engine *e, const ma_dns_config *cfg, char *errbuf, size_t errlen)
{
	struct ares_options o;
	int			mask,
				rc,
				per_try,
				div;
	static bool lib_ready = false;
	const char *msg;

	if ((msg = ma_dns_servers_check(cfg->servers)) != NULL)
		return msg;
	if (!lib_ready)
	{
		rc = ares_library_init(ARES_LIB_INIT_ALL);
		if (rc != ARES_SUCCESS)
		{
			snprintf(errbuf, errlen, "c-ares initialisation failed: %s", ares_strerror(rc));
			return errbuf;
		}
		lib_ready = true;
	}
	/* c-ares doubles the per-try timeout each round: fit the sum in our deadline */
	div = (1 << (cfg->tries > 10 ? 10 : cfg->tries)) - 1;
	per_try = cfg->timeout_ms / (div > 0 ? div : 1);
	if (per_try < 50)
		per_try = 50;

	memset(&o, 0, sizeof(o));
	/* STAYOPEN: keep the UDP socket between lookups (no socket per query) */
	o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS | ARES_FLAG_STAYOPEN;
	o.timeout = per_try;
	o.tries = cfg->tries > 0 ? cfg->tries : 1;
	o.sock_state_cb = sock_state_cb;
	o.sock_state_cb_data = e;
	o.ednspsz = EDNS_UDPSIZE;
	/*
	 * A bulk wave sends up to dns_max_inflight queries at once and their
	 * answers arrive together: the default receive buffer (~208 KB) holds
	 * about 2,000 small answers, and an overflow costs a retry timeout.
	 * Ask for 4 MB (the kernel caps it at net.core.rmem_max); memory is only
	 * used while answers wait to be read.
	 */
	o.socket_receive_buffer_size = 4 << 20;
	mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
		ARES_OPT_SOCK_STATE_CB | ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_RCVBUF;
	rc = ares_init_options(&e->channel, &o, mask);
	if (rc != ARES_SUCCESS)
	{
		snprintf(errbuf, errlen, "could not create a DNS channel: %s", ares_strerror(rc));
		return errbuf;
	}
	if (cfg->servers && cfg->servers[strspn(cfg->servers, " ")] != '\0')
	{
		/* c-ares wants no blanks around the commas */
		char	   *csv = malloc(strlen(cfg->servers) + 1),
				   *o = csv;

		if (!csv)
		{
			ares_destroy(e->channel);
			return "out of memory";
		}
		for (const char *p = cfg->servers; *p; p++)
			if (*p != ' ')
				*o++ = *p;
		*o = '\0';
		rc = ares_set_servers_ports_csv(e->channel, csv);
		free(csv);
		if (rc != ARES_SUCCESS)
		{
			ares_destroy(e->channel);
			snprintf(errbuf, errlen, "could not set DNS servers: %s", ares_strerror(rc));
			return errbuf;
		}
	}
	e->have_channel = true;
	e->timeout_ms = cfg->timeout_ms;
	e->sock_gen++;
	return NULL;
}

ma_dns_engine *
ma_dns_engine_new(const ma_dns_config *cfg, char *errbuf, size_t errlen)
{
	ma_dns_engine *e = calloc(1, sizeof(ma_dns_engine));
	const char *msg;

	if (!e)
	{
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	if (getrandom(&e->rng, sizeof(e->rng), 0) != sizeof(e->rng) || e->rng == 0)
		e->rng = ((uint64_t) getpid() << 32) ^ (uint64_t) ma_now_ms() ^ 0x9e3779b97f4a7c15ull;
	e->cache = ma_dns_cache_new(cfg->cache_entries, cfg->cache_bytes);
	e->servers = strdup(cfg->servers ? cfg->servers : "");
	if (!e->cache || !e->servers)
	{
		ma_dns_engine_free(e);
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	e->max_inflight = cfg->max_inflight > 0 ? cfg->max_inflight : 1;
	msg = make_channel(e, cfg, errbuf, errlen);
	if (msg)
	{
		if (msg != errbuf)
			snprintf(errbuf, errlen, "%s", msg);
		ma_dns_engine_free(e);
		return NULL;
	}
	return e;
}

void
ma_dns_abort(ma_dns_engine *e)
{
	if (e && e->have_channel && e->outstanding > 0)
		ares_cancel(e->channel);
}

void
ma_dns_engine_free(ma_dns_engine *e)
{
	if (!e)
		return;
	if (e->have_channel)
	{
		ma_dns_abort(e);
		ares_destroy(e->channel);
	}
	ma_dns_cache_free(e->cache);
	free(e->socks);
	free(e->servers);
	free(e);
}

const char *
ma_dns_engine_reconfigure(ma_dns_engine *e, const ma_dns_config *cfg, char *errbuf,
						  size_t errlen)
{
	const char *msg;
	char	   *servers;

	if ((msg = ma_dns_servers_check(cfg->servers)) != NULL)
		return msg;
	servers = strdup(cfg->servers ? cfg->servers : "");
	if (!servers)
		return "out of memory";
	if (e->have_channel)
	{
		ma_dns_abort(e);
		ares_destroy(e->channel);
		e->have_channel = false;
	}
	/* other servers may answer otherwise: forget what the old ones said */
	if (strcmp(servers, e->servers) != 0)
		ma_dns_cache_clear(e->cache, false);
	free(e->servers);
	e->servers = servers;
	e->max_inflight = cfg->max_inflight > 0 ? cfg->max_inflight : 1;
	ma_dns_cache_set_limits(e->cache, cfg->cache_entries, cfg->cache_bytes);
	return make_channel(e, cfg, errbuf, errlen);
}

void
ma_dns_engine_set_cache_limits(ma_dns_engine *e, size_t entries, size_t bytes)
{
	ma_dns_cache_set_limits(e->cache, entries, bytes);
}

void
ma_dns_engine_set_max_inflight(ma_dns_engine *e, int n)
{
	e->max_inflight = n > 0 ? n : 1;
}

void
ma_dns_engine_set_shared(ma_dns_engine *e, ma_dns_shared_get_fn get,
						 ma_dns_shared_put_fn put, void *arg)
{
	e->shared_get = get;
	e->shared_put = put;
	e->shared_arg = arg;
}

ma_dns_cache *
ma_dns_engine_cache(ma_dns_engine *e)
{
	return e->cache;
}

void
ma_dns_engine_get_stats(ma_dns_engine *e, ma_dns_engine_stats *s)
{
	*s = e->st;
}

int
ma_dns_engine_nsocks(ma_dns_engine *e)
{
	return e ? e->nsocks : 0;
}

void
ma_dns_engine_reset_stats(ma_dns_engine *e)
{
	memset(&e->st, 0, sizeof(e->st));
}

/* ---------------------------------------------------------------------
 * Queries
 * ---------------------------------------------------------------------
 */
void
ma_dns_query_init(ma_dns_query *q, const char *normname, uint16_t type)
{
	memset(q, 0, sizeof(*q));
	snprintf(q->name, sizeof(q->name), "%s", normname);
	q->type = type;
	q->state = Q_NEW;
	ma_dns_builder_init(&q->chain);
}

void
ma_dns_query_clear(ma_dns_query *q)
{
	ma_dns_result_release(q->result);
	q->result = NULL;
	ma_dns_builder_free(&q->chain);
}

static void
finish(ma_dns_engine *e, ma_dns_query *q, ma_dns_status st, const char *detail)
{
	ma_dns_result *r;
	int64_t		now = ma_now_ms();

	if (q->state == Q_INFLIGHT)
		e->active--;
	r = ma_dns_builder_finish(&q->chain, st, detail);
	if (!r)
		r = ma_dns_result_status(MA_DNS_ERROR, "out of memory");
	ma_dns_builder_free(&q->chain);
	if (r)
	{
		r->stored_ms = now;
		r->wire_size = q->last_alen;
		ma_dns_cache_put(e->cache, q->name, q->type, r, now);
		/* the same rule as the local cache: failures and TTL 0 are not kept */
		if (e->shared_put && r->ttl > 0 &&
			(r->status == MA_DNS_OK || r->status == MA_DNS_NXDOMAIN ||
			 r->status == MA_DNS_NODATA))
			e->shared_put(e->shared_arg, q->name, q->type, r, now);
	}
	q->result = r;
	q->age_s = 0;
	q->from_cache = false;
	q->state = Q_DONE;
	switch (st)
	{
		case MA_DNS_TIMEOUT:
			e->st.timeouts++;
			break;
		case MA_DNS_NXDOMAIN:
			e->st.nxdomain++;
			break;
		case MA_DNS_NODATA:
			e->st.nodata++;
			break;
		case MA_DNS_SERVFAIL:
			e->st.servfail++;
			break;
		case MA_DNS_REFUSED:
			e->st.refused++;
			break;
		case MA_DNS_FORMERR:
			e->st.formerr++;
			break;
		case MA_DNS_ERROR:
			e->st.errors++;
			break;
		default:
			break;
	}
}

static void send_query(ma_dns_engine *e, ma_dns_query *q);

static void
on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	token	   *t = arg;
	ma_dns_engine *e = t->e;
	ma_dns_query *q = t->q;
	bool		valid = q->state == Q_INFLIGHT && q->gen == t->gen;
	ma_dns_status st;
	char		next[1100];
	const char *err;
	int			rc;

	(void) timeouts;
	free_id(e, t->id);
	e->outstanding--;
	free(t);
	if (!valid)
		return;					/* a zombie past its deadline */

	switch (status)
	{
		case ARES_SUCCESS:
			break;
		case ARES_ECANCELLED:
		case ARES_EDESTRUCTION:
			/* interrupted: ma_dns_run may resume it */
			e->active--;
			q->state = Q_PENDING;
			return;
		case ARES_ETIMEOUT:
			finish(e, q, MA_DNS_TIMEOUT, NULL);
			return;
		case ARES_ECONNREFUSED:
			finish(e, q, MA_DNS_SERVFAIL, "connection refused");
			return;
		case ARES_ESERVFAIL:
			finish(e, q, MA_DNS_SERVFAIL, NULL);
			return;
		case ARES_EREFUSED:
			finish(e, q, MA_DNS_REFUSED, NULL);
			return;
		case ARES_EFORMERR:
			finish(e, q, MA_DNS_FORMERR, NULL);
			return;
		case ARES_EBADRESP:
			finish(e, q, MA_DNS_ERROR, "malformed answer");
			return;
		default:
			finish(e, q, MA_DNS_ERROR, ares_strerror(status));
			return;
	}
	if (!abuf || alen <= 0)
	{
		finish(e, q, MA_DNS_ERROR, "empty answer");
		return;
	}
	e->st.answers++;
	q->last_alen = (uint32_t) alen;
	rc = ma_dns_parse_answer(abuf, (size_t) alen, q->cur, q->type, &q->chain, &st, next, &err);
	if (rc < 0)
	{
		finish(e, q, MA_DNS_ERROR, err);
		return;
	}
	if (rc == 0)
	{
		finish(e, q, st, err);
		return;
	}
	/* the CNAME chain goes on outside this answer */
	if (++q->hops > MA_DNS_MAX_CHAIN)
	{
		finish(e, q, MA_DNS_SERVFAIL, "CNAME chain too long");
		return;
	}
	{
		char		norm[MA_DNS_MAXNAME + 2];

		if (strlen(next) > MA_DNS_MAXNAME + 1 || ma_dns_name_check(next, norm) != NULL)
		{
			finish(e, q, MA_DNS_ERROR, "CNAME target is not a usable name");
			return;
		}
		strcpy(q->cur, norm);
	}
	e->st.cname_follows++;
	/* c-ares allows new queries from a callback; the window slot is reused */
	e->active--;
	q->state = Q_PENDING;
	send_query(e, q);
}

static void
send_query(ma_dns_engine *e, ma_dns_query *q)
{
	unsigned char buf[512];
	int			len,
				id;
	token	   *t;

	id = alloc_id(e);
	if (id < 0)
	{
		finish(e, q, MA_DNS_ERROR, "no free query id");
		return;
	}
	len = ma_dns_build_query(q->cur, q->type, (uint16_t) id, EDNS_UDPSIZE, buf, sizeof(buf));
	t = malloc(sizeof(token));
	if (len < 0 || !t)
	{
		free(t);
		free_id(e, (uint16_t) id);
		finish(e, q, MA_DNS_ERROR, len < 0 ? "name cannot be encoded" : "out of memory");
		return;
	}
	t->e = e;
	t->q = q;
	t->gen = ++q->gen;
	t->id = (uint16_t) id;
	q->state = Q_INFLIGHT;
	e->active++;
	e->outstanding++;
	e->st.queries_sent++;
	ares_send(e->channel, buf, len, on_answer, t);	/* may call back at once */
}

/* first step of a lookup: the cache, or the wire */
static void
start_query(ma_dns_engine *e, ma_dns_query *q, int64_t now)
{
	if (q->state == Q_NEW)
	{
		ma_dns_result *r;

		e->st.lookups++;
		r = ma_dns_cache_get(e->cache, q->name, q->type, now);
		if (r)
		{
			q->result = r;
			q->from_cache = true;
			q->age_s = (uint32_t) ((now - r->stored_ms) / 1000);
			q->state = Q_DONE;
			return;
		}
		if (e->shared_get)
		{
			/*
			 * The shared layer keeps the time the answer was first received
			 * (on CLOCK_MONOTONIC, which every process of the machine
			 * shares), so the remaining TTL and the age carry over; the
			 * local cache then keeps it only for what is left of its TTL.
			 */
			r = e->shared_get(e->shared_arg, q->name, q->type, now);
			if (r && r->stored_ms + (int64_t) r->ttl * 1000 <= now)
			{
				/* expired: the layer should not have returned it */
				ma_dns_result_release(r);
				r = NULL;
			}
			if (r)
			{
				e->st.shared_hits++;
				ma_dns_cache_put(e->cache, q->name, q->type, r, now);
				q->result = r;
				q->from_cache = true;
				/* another process may have stored it after our "now" was read */
				q->age_s = r->stored_ms < now ? (uint32_t) ((now - r->stored_ms) / 1000) : 0;
				q->state = Q_DONE;
				return;
			}
			e->st.shared_misses++;
		}
		snprintf(q->cur, sizeof(q->cur), "%s", q->name);
		q->deadline_ms = now + e->timeout_ms;
		q->state = Q_PENDING;
	}
	if (q->state == Q_PENDING)
		send_query(e, q);
}

/*
 * Lookups of one run that ask the same question (name and type) share one:
 * a bulk check of many domains asks for the same include, MX host or
 * organizational _dmarc name again and again, and without this every copy
 * would go on the wire (the cache only learns an answer when it arrives).
 * The first copy leads; the others wait as Q_FOLLOW and take a reference to
 * its result when the run ends.  An optimisation only: without memory for
 * the table, every copy is sent.
 */
static void
coalesce(ma_dns_engine *e, ma_dns_query *qs, int n)
{
	size_t		cap = 16,
				mask;
	int		   *tab;

	if (n < 2)
		return;
	while (cap < (size_t) n * 2)
		cap <<= 1;
	mask = cap - 1;
	tab = malloc(cap * sizeof(int));
	if (!tab)
		return;
	memset(tab, 0xff, cap * sizeof(int));	/* -1: empty */
	for (int i = 0; i < n; i++)
	{
		ma_dns_query *q = &qs[i];
		uint32_t	h = 2166136261u ^ q->type;
		size_t		k;

		if (q->state == Q_FOLLOW)
			continue;
		for (const unsigned char *p = (const unsigned char *) q->name; *p; p++)
			h = (h ^ *p) * 16777619u;
		for (k = h & mask; tab[k] >= 0; k = (k + 1) & mask)
		{
			ma_dns_query *l = &qs[tab[k]];

			if (l->type == q->type && strcmp(l->name, q->name) == 0)
				break;
		}
		if (tab[k] < 0)
			tab[k] = i;
		else if (q->state == Q_NEW)
		{
			q->state = Q_FOLLOW;
			q->leader = tab[k];
			e->st.lookups++;
			e->st.coalesced++;
		}
	}
	free(tab);
}

/* followers whose leader is done take its result */
static void
settle_followers(ma_dns_query *qs, int n)
{
	for (int i = 0; i < n; i++)
	{
		ma_dns_query *q = &qs[i],
				   *l;

		if (q->state != Q_FOLLOW)
			continue;
		l = &qs[q->leader];
		if (l->state != Q_DONE)
			continue;			/* interrupted: waits for the resumed run */
		q->result = l->result ? ma_dns_result_ref(l->result) : NULL;
		q->from_cache = l->from_cache;
		q->age_s = l->age_s;
		q->state = Q_DONE;
	}
}

int
ma_dns_run(ma_dns_engine *e, ma_dns_query *qs, int n, ma_dns_wait_fn wait, void *wait_arg)
{
	int			idx = 0,
				lo = 0;
	ma_dns_sock *ready = NULL;
	int			ready_cap = 0;
	int			rc = MA_RUN_OK;

	if (!e->have_channel)
	{
		for (int i = 0; i < n; i++)
			if (qs[i].state != Q_DONE)
				finish(e, &qs[i], MA_DNS_ERROR, "no DNS channel");
		return MA_RUN_FAILED;
	}

	coalesce(e, qs, n);
	for (;;)
	{
		int64_t		now = ma_now_ms(),
					next_deadline = INT64_MAX;
		int			timeout_ms,
					w;
		struct timeval maxtv,
					tv,
				   *tvp;

		while (e->active < e->max_inflight && idx < n)
			start_query(e, &qs[idx++], now);

		/* deadlines of what is in flight (lo skips the finished prefix) */
		while (lo < idx && (qs[lo].state == Q_DONE || qs[lo].state == Q_FOLLOW))
			lo++;
		for (int i = lo; i < idx; i++)
		{
			ma_dns_query *q = &qs[i];

			if (q->state == Q_INFLIGHT)
			{
				if (q->deadline_ms <= now)
					finish(e, q, MA_DNS_TIMEOUT, NULL);	/* its send lingers as a zombie */
				else if (q->deadline_ms < next_deadline)
					next_deadline = q->deadline_ms;
			}
			else if (q->state == Q_PENDING && e->active < e->max_inflight)
				send_query(e, q);	/* resumed after an interrupt */
		}
		if (e->active == 0 && idx >= n)
		{
			bool		all = true;

			for (int i = lo; i < n && all; i++)
				if (qs[i].state != Q_DONE && qs[i].state != Q_FOLLOW)
					all = false;
			if (all)
				break;
			continue;
		}

		timeout_ms = next_deadline == INT64_MAX ? e->timeout_ms : (int) (next_deadline - now);
		if (timeout_ms < 0)
			timeout_ms = 0;
		maxtv.tv_sec = timeout_ms / 1000;
		maxtv.tv_usec = (timeout_ms % 1000) * 1000;
		tvp = ares_timeout(e->channel, &maxtv, &tv);
		timeout_ms = (int) (tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);

		if (ready_cap < e->nsocks)
		{
			ma_dns_sock *nr = realloc(ready, e->nsocks * sizeof(ma_dns_sock));

			if (!nr)
			{
				rc = MA_RUN_FAILED;
				break;
			}
			ready = nr;
			ready_cap = e->nsocks;
		}
		if (e->nsocks > 0)
			memcpy(ready, e->socks, e->nsocks * sizeof(ma_dns_sock));
		for (int i = 0; i < e->nsocks; i++)
			ready[i].readable = ready[i].writable = false;
		w = wait(wait_arg, ready, e->nsocks, e->sock_gen != e->waited_gen, timeout_ms);
		e->waited_gen = e->sock_gen;
		if (w == MA_WAIT_INTERRUPTED)
		{
			e->st.interrupts++;
			rc = MA_RUN_INTERRUPTED;
			break;
		}
		if (w == MA_WAIT_FAILED)
		{
			rc = MA_RUN_FAILED;
			break;
		}
		if (w > 0)
		{
			int			nready = e->nsocks;

			for (int i = 0; i < nready; i++)
				if (ready[i].readable || ready[i].writable)
					ares_process_fd(e->channel,
									ready[i].readable ? ready[i].fd : ARES_SOCKET_BAD,
									ready[i].writable ? ready[i].fd : ARES_SOCKET_BAD);
		}
		else
			ares_process_fd(e->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	}
	free(ready);

	/* leave nothing of ours inside c-ares (zombies, or everything on interrupt) */
	ma_dns_abort(e);
	if (rc == MA_RUN_FAILED)
		for (int i = 0; i < n; i++)
			if (qs[i].state != Q_DONE && qs[i].state != Q_NEW && qs[i].state != Q_FOLLOW)
				finish(e, &qs[i], MA_DNS_ERROR, "waiting for the DNS failed");
	settle_followers(qs, n);
	return rc;
}

int
ma_dns_poll_wait(void *arg, ma_dns_sock *socks, int nsocks, bool changed, int timeout_ms)
{
	struct pollfd pfd[64];
	int			n = nsocks < 64 ? nsocks : 64,
				rc,
				ready = 0;

	(void) arg;
	(void) changed;
	for (int i = 0; i < n; i++)
	{
		pfd[i].fd = socks[i].fd;
		pfd[i].events = (short) ((socks[i].want_read ? POLLIN : 0) |
								 (socks[i].want_write ? POLLOUT : 0));
		pfd[i].revents = 0;
	}
	do
		rc = poll(pfd, (nfds_t) n, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return MA_WAIT_FAILED;
	for (int i = 0; i < n; i++)
	{
		socks[i].readable = (pfd[i].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
		socks[i].writable = (pfd[i].revents & POLLOUT) != 0;
		if (socks[i].readable || socks[i].writable)
			ready++;
	}
	return ready;
}
