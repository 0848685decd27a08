/*-------------------------------------------------------------------------
 *
 * spf_adapter.c
 *	  Conformance adapter of the SPF engines of the core, without PostgreSQL:
 *
 *		spf_adapter [--engine=native|libspf2] <ip> <mailfrom> <helo>
 *
 *	  with SPF_DNS=host:port and SPF_DNS_TIMEOUT=seconds in the environment
 *	  (the contract of ../shared/conformance/spf/run-suite.py).  Prints the
 *	  result word on line 1 and the explanation on line 2; diagnostics on
 *	  stderr.
 *
 * It drives the waves model of ma_spf.h the way the PostgreSQL glue does:
 * run the check against a wave store; while it is pending, resolve every
 * recorded question concurrently with the DNS engine, store the answers and
 * run the check again (at most 200 waves).  Build: make test/spf/spf_adapter
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dns.h"
#include "core/ma_spf.h"
#include "core/ma_spf2.h"
#include "core/ma_wave.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_WAVES 200

/* the suite writes IPv4-mapped IPv6 as ::FFFF:a.b.c.d: check those as IPv4 */
static bool
parse_ip(const char *s, ma_spf_request *req)
{
	unsigned char a6[16];

	if (inet_pton(AF_INET, s, req->ip) == 1)
	{
		req->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, a6) != 1)
		return false;
	if (memcmp(a6, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
	{
		req->family = AF_INET;
		memcpy(req->ip, a6 + 12, 4);
	}
	else
	{
		req->family = AF_INET6;
		memcpy(req->ip, a6, 16);
	}
	return true;
}


int
main(int argc, char **argv)
{
	ma_spf_request req;
	ma_spf_outcome out;
	ma_dns_engine *e;
	ma_dns_wave *w;
	char		errbuf[256];
	const char *servers = getenv("SPF_DNS");
	const char *tmo = getenv("SPF_DNS_TIMEOUT");
	int			waves = 0;
	bool		libspf2 = false;

	if (argc == 5 && strncmp(argv[1], "--engine=", 9) == 0)
	{
		libspf2 = strcmp(argv[1] + 9, "libspf2") == 0;
		argv++;
		argc--;
	}
	if (argc != 4)
	{
		fprintf(stderr, "usage: %s [--engine=native|libspf2] <ip> <mailfrom> <helo>\n", argv[0]);
		return 2;
	}

	memset(&req, 0, sizeof(req));
	if (!parse_ip(argv[1], &req))
	{
		printf("permerror\n\n");
		fprintf(stderr, "bad IP address: %s\n", argv[1]);
		return 0;
	}
	req.sender = argv[2];
	req.helo = argv[3];
	req.receiver = "unknown";
	req.now = (int64_t) time(NULL);

	e = ma_dns_engine_standalone(servers ? servers : "127.0.0.1:5301", tmo, errbuf, sizeof(errbuf));
	if (!e)
	{
		fprintf(stderr, "ma_dns_engine_new: %s\n", errbuf);
		return 2;
	}
	w = ma_dns_wave_new();
	if (!w)
	{
		ma_dns_engine_free(e);
		return 2;
	}

	if (libspf2)
		ma_spf2_init();
	for (;;)
	{
		if (libspf2)
			ma_spf2_check_host(&req, ma_dns_wave_lookup, w, &out);
		else
			ma_spf_check_host(&req, ma_dns_wave_lookup, w, &out);
		if (!out.pending)
			break;
		if (++waves > MAX_WAVES || !ma_dns_wave_resolve_blocking(e, w))
		{
			out.pending = false;
			out.result = MA_SPF_TEMPERROR;
			snprintf(out.problem, sizeof(out.problem), "too many DNS waves");
			break;
		}
	}

	printf("%s\n%s\n", ma_spf_res_name(out.result), out.explanation);
	fprintf(stderr, "waves=%d dns_lookups=%d void_lookups=%d domain=%s problem=%s\n",
			waves, out.dns_lookups, out.void_lookups, out.domain, out.problem);

	ma_dns_wave_free(w);
	ma_dns_engine_free(e);
	return 0;
}
