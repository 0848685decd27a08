/*-------------------------------------------------------------------------
 *
 * dnsdelay.c
 *	  A UDP DNS forwarder that holds every answer for a fixed delay: the
 *	  stand-in for network latency in the benchmarks when the kernel has no
 *	  netem qdisc (bench/audit.sh tries netem first).
 *
 *	  dnsdelay LISTEN_PORT UPSTREAM_PORT DELAY_MS
 *
 * Queries arriving on 127.0.0.1:LISTEN_PORT are forwarded to the
 * real DNS server on 127.0.0.1:UPSTREAM_PORT (knot) with a fresh message ID;
 * its answer gets the client's ID back and is sent to the client DELAY_MS
 * after it arrived (at most UP_MAX queries are at the server at once; see
 * waitq below).  The delay is the same for every answer, so a FIFO is
 * the schedule: nothing is ever sent early, and the delay never blocks other
 * queries (65,536 may be outstanding).  Batched with recvmmsg/sendmmsg so
 * that tens of thousands of answers per second cost one core little.
 *
 * Prints "ready" once listening; on SIGTERM/SIGINT prints its counters
 * (queries, answers, dropped, the largest queue) on stderr and exits 0.
 * UDP only: the benchmark's answers fit in 1,232 bytes.
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PKT_MAX		4096
#define BATCH		64
#define RING		(1 << 17)
#define UP_MAX		128			/* queries outstanding at the DNS server */
#define UP_LOST_US	500000		/* an unanswered query counts as lost after */

typedef struct pending
{
	struct sockaddr_in client;
	uint16_t	client_id;
	uint8_t		used;			/* 1 waiting to be sent, 2 at the server */
	int64_t		sent_us;
	uint16_t	len;
	unsigned char *pkt;			/* the query while it waits (used == 1) */
} pending;

typedef struct held
{
	int64_t		due_us;
	struct sockaddr_in client;
	uint16_t	len;
	unsigned char *pkt;
} held;

static pending slots[65536];
static held ring[RING];
static size_t ring_head = 0,
			ring_n = 0,
			ring_max = 0;
static volatile sig_atomic_t stop = 0;
static long long n_queries = 0,
			n_answers = 0,
			n_dropped = 0,
			n_lost = 0;

/*
 * Queries wait in a FIFO of slot ids and go to the server UP_MAX at a time:
 * a burst of a thousand at once overflows the socket buffer of a DNS server
 * on loopback (measured: knot lost a quarter of them), which a real network
 * path would have spread over time.  Knot answers in microseconds, so the
 * wait adds nothing measurable to the delay.
 */
static uint16_t waitq[65536];
static size_t waitq_head = 0,
			waitq_n = 0;
static int	up_n = 0;

static void
on_signal(int sig)
{
	(void) sig;
	stop = 1;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
udp_socket(int port, int bind_it)
{
	int			fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int			sz = 8 << 20;
	struct sockaddr_in a;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t) port);
	if (bind_it ? bind(fd, (struct sockaddr *) &a, sizeof(a)) : connect(fd, (struct sockaddr *) &a, sizeof(a)))
	{
		close(fd);
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	int			lfd,
				ufd;
	int64_t		delay_us;
	uint16_t	next_id = 1;
	static unsigned char bufs[BATCH][PKT_MAX];
	static struct sockaddr_in from[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];

	if (argc != 4)
	{
		fprintf(stderr, "usage: dnsdelay LISTEN_PORT UPSTREAM_PORT DELAY_MS\n");
		return 2;
	}
	delay_us = (int64_t) atoi(argv[3]) * 1000;
	lfd = udp_socket(atoi(argv[1]), 1);
	ufd = udp_socket(atoi(argv[2]), 0);
	if (lfd < 0 || ufd < 0)
	{
		perror("dnsdelay: socket");
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("ready\n");
	fflush(stdout);

	while (!stop)
	{
		struct pollfd p[2] = {{lfd, POLLIN, 0}, {ufd, POLLIN, 0}};
		int			timeout = -1;
		int64_t		now = now_us();

		/* send what is due */
		while (ring_n > 0)
		{
			struct mmsghdr out[BATCH];
			struct iovec oiov[BATCH];
			int			k = 0,
						sent;

			while (k < BATCH && k < (int) ring_n)
			{
				held	   *h = &ring[(ring_head + k) % RING];

				if (h->due_us > now)
					break;
				oiov[k].iov_base = h->pkt;
				oiov[k].iov_len = h->len;
				memset(&out[k], 0, sizeof(out[k]));
				out[k].msg_hdr.msg_name = &h->client;
				out[k].msg_hdr.msg_namelen = sizeof(h->client);
				out[k].msg_hdr.msg_iov = &oiov[k];
				out[k].msg_hdr.msg_iovlen = 1;
				k++;
			}
			if (k == 0)
				break;
			sent = sendmmsg(lfd, out, (unsigned) k, 0);
			if (sent <= 0)
			{
				if (errno == EAGAIN || errno == EINTR)
					break;
				sent = 1;		/* drop the head on a hard error */
				n_dropped++;
			}
			for (int i = 0; i < sent; i++)
			{
				free(ring[ring_head].pkt);
				ring_head = (ring_head + 1) % RING;
				ring_n--;
			}
		}
		/* forward waiting queries while the server has room */
		now = now_us();
		while (waitq_n > 0 && up_n < UP_MAX)
		{
			uint16_t	id = waitq[waitq_head];
			pending    *s = &slots[id];

			waitq_head = (waitq_head + 1) % 65536;
			waitq_n--;
			if (send(ufd, s->pkt, s->len, 0) < 0)
				n_dropped++;
			free(s->pkt);
			s->pkt = NULL;
			s->used = 2;
			s->sent_us = now;
			up_n++;
		}
		/* a query the server never answered frees its place (the client retries) */
		if (up_n >= UP_MAX)
			for (int id = 0; id < 65536; id++)
				if (slots[id].used == 2 && now - slots[id].sent_us > UP_LOST_US)
				{
					slots[id].used = 0;
					up_n--;
					n_lost++;
				}
		if (ring_n > 0)
		{
			int64_t		wait = ring[ring_head].due_us - now_us();

			timeout = wait <= 0 ? 0 : (int) ((wait + 999) / 1000);
		}
		if (up_n >= UP_MAX && (timeout < 0 || timeout > 10))
			timeout = 10;		/* come back to sweep for lost queries */
		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			break;

		for (int which = 0; which < 2; which++)
		{
			int			fd = which == 0 ? lfd : ufd;
			int			n;

			if (!(p[which].revents & POLLIN))
				continue;
			for (int i = 0; i < BATCH; i++)
			{
				iov[i].iov_base = bufs[i];
				iov[i].iov_len = PKT_MAX;
				memset(&msgs[i], 0, sizeof(msgs[i]));
				msgs[i].msg_hdr.msg_name = &from[i];
				msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
				msgs[i].msg_hdr.msg_iov = &iov[i];
				msgs[i].msg_hdr.msg_iovlen = 1;
			}
			n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
			if (n <= 0)
				continue;
			if (fd == lfd)
			{
				/* queries: a fresh ID, forwarded at once */
				for (int i = 0; i < n; i++)
				{
					unsigned char *b = bufs[i];
					size_t		len = msgs[i].msg_len;
					pending    *s;

					if (len < 12)
						continue;
					n_queries++;
					s = &slots[next_id];
					if (s->used || waitq_n >= 65536)
					{
						n_dropped++;	/* 65,536 outstanding: cannot happen here */
						continue;
					}
					s->pkt = malloc(len);
					if (s->pkt == NULL)
					{
						n_dropped++;
						continue;
					}
					s->client = from[i];
					s->client_id = (uint16_t) (b[0] << 8 | b[1]);
					s->used = 1;
					b[0] = (unsigned char) (next_id >> 8);
					b[1] = (unsigned char) next_id;
					memcpy(s->pkt, b, len);
					s->len = (uint16_t) len;
					waitq[(waitq_head + waitq_n) % 65536] = next_id;
					waitq_n++;
					next_id++;
				}
			}
			else
			{
				/* answers: the client's ID back, held for the delay */
				int64_t		due = now_us() + delay_us;

				for (int i = 0; i < n; i++)
				{
					unsigned char *b = bufs[i];
					size_t		len = msgs[i].msg_len;
					uint16_t	id;
					pending    *s;
					held	   *h;

					if (len < 12)
						continue;
					id = (uint16_t) (b[0] << 8 | b[1]);
					s = &slots[id];
					if (s->used != 2 || ring_n >= RING)
					{
						n_dropped++;
						continue;
					}
					s->used = 0;
					up_n--;
					b[0] = (unsigned char) (s->client_id >> 8);
					b[1] = (unsigned char) s->client_id;
					h = &ring[(ring_head + ring_n) % RING];
					h->pkt = malloc(len);
					if (h->pkt == NULL)
					{
						n_dropped++;
						continue;
					}
					memcpy(h->pkt, b, len);
					h->len = (uint16_t) len;
					h->client = s->client;
					h->due_us = due;
					ring_n++;
					if (ring_n > ring_max)
						ring_max = ring_n;
					n_answers++;
				}
			}
		}
	}
	fprintf(stderr, "dnsdelay: queries %lld answers %lld dropped %lld lost %lld max_queue %zu\n",
			n_queries, n_answers, n_dropped, n_lost, ring_max);
	return 0;
}
