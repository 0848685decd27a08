/*
 * libspf2_bench: SPF evaluations per second with libspf2 used directly.
 *
 * For bench/spf.sh.  libspf2's resolv DNS layer asks the system resolver
 * (res_query on /etc/resolv.conf), which cannot be pointed at a server on a
 * port other than 53, so it cannot query the benchmark's knot.  Instead this
 * program uses libspf2's "zone" DNS layer (SPF_dns_zone_new), loaded with
 * SPF_dns_zone_add_str from the TXT records read on stdin (bench/spf.sh
 * fetches them from knot with kdig): an in-memory DNS, so the figure is the
 * cost of the evaluation alone, never of DNS.  Any name not loaded answers
 * "host not found".
 *
 * One SPF_server_t for the whole run (as an MTA uses it), a new
 * SPF_request_t per evaluation; client IPs PREFIX1 .. PREFIX200, round robin.
 * Each run starts with N evaluations that are not timed (the warm-up).
 *
 * usage: libspf2_bench SENDER PREFIX N REPS < records
 *        records: one "name<TAB>TXT data" per line
 * Prints "version ...", then one line per rep: "rep K N SECONDS RESULT=COUNT..."
 *
 * build: cc -O2 -o libspf2_bench libspf2_bench.c -lspf2
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* libspf2's headers need size_t and struct in_addr declared first */
#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#define NRES 16

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static SPF_result_t
evaluate(SPF_server_t *server, const char *ip, const char *sender)
{
	SPF_request_t *req = SPF_request_new(server);
	SPF_response_t *resp = NULL;
	SPF_result_t res;

	if (SPF_request_set_ipv4_str(req, ip) != SPF_E_SUCCESS ||
		SPF_request_set_helo_dom(req, "mx.example") != SPF_E_SUCCESS ||
		SPF_request_set_env_from(req, sender) != 0)
	{
		fprintf(stderr, "libspf2_bench: bad request (%s, %s)\n", ip, sender);
		exit(1);
	}
	SPF_request_query_mailfrom(req, &resp);
	res = resp ? SPF_response_result(resp) : SPF_RESULT_INVALID;
	if (resp)
		SPF_response_free(resp);
	SPF_request_free(req);
	return res;
}

int
main(int argc, char **argv)
{
	SPF_dns_server_t *zone;
	SPF_server_t *server;
	char		line[4096];
	int			nrec = 0;
	const char *sender, *prefix;
	long		n, reps;
	char		ip[64];

	if (argc != 5)
	{
		fprintf(stderr, "usage: libspf2_bench SENDER PREFIX N REPS < records\n");
		return 2;
	}
	sender = argv[1];
	prefix = argv[2];
	n = atol(argv[3]);
	reps = atol(argv[4]);

	zone = SPF_dns_zone_new(NULL, "bench", 0);
	if (zone == NULL)
	{
		fprintf(stderr, "libspf2_bench: SPF_dns_zone_new failed\n");
		return 1;
	}
	while (fgets(line, sizeof(line), stdin))
	{
		char	   *tab = strchr(line, '\t');

		line[strcspn(line, "\r\n")] = '\0';
		if (tab == NULL)
			continue;
		*tab = '\0';
		if (SPF_dns_zone_add_str(zone, line, ns_t_txt, NETDB_SUCCESS, tab + 1) != SPF_E_SUCCESS)
		{
			fprintf(stderr, "libspf2_bench: cannot load %s\n", line);
			return 1;
		}
		nrec++;
	}
	if (nrec == 0)
	{
		fprintf(stderr, "libspf2_bench: no records on stdin\n");
		return 1;
	}
	server = SPF_server_new_dns(zone, 0);
	if (server == NULL)
	{
		fprintf(stderr, "libspf2_bench: SPF_server_new_dns failed\n");
		return 1;
	}

	printf("version libspf2 %d.%d.%d (headers), zone DNS layer, %d records\n",
		   SPF_LIB_VERSION_MAJOR, SPF_LIB_VERSION_MINOR, SPF_LIB_VERSION_PATCH, nrec);
	fflush(stdout);

	/* warm-up: N evaluations, not timed */
	for (long i = 0; i < n; i++)
	{
		snprintf(ip, sizeof(ip), "%s%ld", prefix, i % 200 + 1);
		evaluate(server, ip, sender);
	}
	for (long rep = 1; rep <= reps; rep++)
	{
		long		counts[NRES] = {0};
		double		t0, t;

		t0 = now();
		for (long i = 0; i < n; i++)
		{
			SPF_result_t r;

			snprintf(ip, sizeof(ip), "%s%ld", prefix, i % 200 + 1);
			r = evaluate(server, ip, sender);
			counts[(unsigned) r < NRES ? (unsigned) r : 0]++;
		}
		t = now() - t0;
		printf("rep %ld %ld %.6f", rep, n, t);
		for (int r = 0; r < NRES; r++)
			if (counts[r])
				printf(" %s=%ld", r == 0 ? "invalid" : SPF_strresult((SPF_result_t) r), counts[r]);
		printf("\n");
		fflush(stdout);
	}
	SPF_server_free(server);
	return 0;
}
