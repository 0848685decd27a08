/*-------------------------------------------------------------------------
 *
 * fuzz_spf_eval.c
 *	  libFuzzer target: SPF check_host() over the "waves" answer store
 *	  (ma_wave.h), with every DNS answer taken from the input: the native
 *	  evaluator (ma_spf.c) and the libspf2 engine (ma_spf2.c), then the
 *	  Received-SPF header of the outcome.
 *
 * Input: zone text (fuzz_common.h), with directives
 *	$IP 192.0.2.1			the client address (IPv4 or IPv6; default 192.0.2.1)
 *	$FROM user@spf.test		MAIL FROM (default user@spf.test; "-" for empty)
 *	$HELO mx.spf.test		HELO (default mx.spf.test)
 *	$ENGINE native|spf2|both	(default both)
 * Names the zone does not hold are NXDOMAIN.  The evaluation runs wave
 * after wave until it is done: include, redirect, exp, a, mx, ptr, exists
 * and macros all reach the zone, and the RFC 7208 limits bound the work.
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_spf.h"
#include "core/ma_spf2.h"
#include "fuzz_common.h"

typedef struct opts
{
	ma_spf_request req;
	char		from[300];
	char		helo[300];
	int			engines;		/* bit 0 native, bit 1 libspf2 */
} opts;

static void
directive(void *arg, const char *word, const char *value)
{
	opts	   *o = arg;
	char		v[300];

	snprintf(v, sizeof(v), "%s", value);
	v[strcspn(v, " \t")] = '\0';
	if (strcasecmp(word, "IP") == 0)
	{
		memset(o->req.ip, 0, sizeof(o->req.ip));
		if (inet_pton(AF_INET, v, o->req.ip) == 1)
			o->req.family = AF_INET;
		else if (inet_pton(AF_INET6, v, o->req.ip) == 1)
			o->req.family = AF_INET6;
	}
	else if (strcasecmp(word, "FROM") == 0)
		snprintf(o->from, sizeof(o->from), "%s", strcmp(v, "-") == 0 ? "" : v);
	else if (strcasecmp(word, "HELO") == 0)
		snprintf(o->helo, sizeof(o->helo), "%s", v);
	else if (strcasecmp(word, "ENGINE") == 0)
		o->engines = strcasecmp(v, "native") == 0 ? 1 : strcasecmp(v, "spf2") == 0 ? 2 : 3;
}

/*
 * Fixed bug (ma_spf2.c, MA_SPF2_MAX_EXP): libspf2's SPF_record_compile_macro()
 * smashed its stack on explanation texts of about 200 bytes; the input is in
 * fuzz/regressions/fuzz_spf_eval/.
 */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	ma_spf2_init();
	return 0;
}

static void
check_outcome(const ma_spf_request *req, const ma_spf_outcome *out, const char *engine)
{
	char		hdr[2048];

	FZ_CHECK(!out->pending, "%s: done but pending", engine);
	FZ_CHECK(out->result >= MA_SPF_NONE && out->result <= MA_SPF_PERMERROR,
			 "%s: result %d", engine, (int) out->result);
	FZ_CHECK(strnlen(out->explanation, sizeof(out->explanation)) < sizeof(out->explanation) &&
			 strnlen(out->mechanism, sizeof(out->mechanism)) < sizeof(out->mechanism) &&
			 strnlen(out->domain, sizeof(out->domain)) < sizeof(out->domain) &&
			 strnlen(out->problem, sizeof(out->problem)) < sizeof(out->problem),
			 "%s: unterminated text", engine);
	/* native: terms as RFC 7208 4.6.4 counts them (libspf2's engine counts queries) */
	if (strcmp(engine, "native") == 0)
		FZ_CHECK(out->dns_lookups >= 0 && out->dns_lookups <= MA_SPF_MAX_DNS_TERMS + 1,
				 "%s: %d DNS-querying terms counted", engine, out->dns_lookups);
	if (out->result != MA_SPF_FAIL)
		FZ_CHECK(out->explanation[0] == '\0', "%s: explanation without fail", engine);
	ma_spf_received_spf(req, out, hdr, sizeof(hdr));
	for (const unsigned char *p = (const unsigned char *) hdr; *p; p++)
		FZ_CHECK(*p >= 0x20 && *p <= 0x7e, "%s: Received-SPF holds byte 0x%02x", engine, *p);
}

static void
run(const ma_spf_request *req, fz_zone *z, bool spf2)
{
	fz_zone    *zones[1] = {z};
	ma_dns_wave *w = ma_dns_wave_new();
	ma_spf_outcome out;
	const char *engine = spf2 ? "libspf2" : "native";

	for (int wave = 0;; wave++)
	{
		if (spf2)
			ma_spf2_check_host(req, ma_dns_wave_lookup, w, &out);
		else
			ma_spf_check_host(req, ma_dns_wave_lookup, w, &out);
		if (!out.pending)
			break;
		FZ_CHECK(fz_wave_resolve(w, zones, 1) > 0, "%s: pending, nothing asked (wave %d)",
				 engine, wave);
		FZ_CHECK(wave < 200, "%s: more than 200 waves", engine);
	}
	/* the RFC 7208 limits bound the questions of one evaluation */
	FZ_CHECK(ma_dns_wave_size(w) <= 600, "%s: %d distinct questions", engine,
			 ma_dns_wave_size(w));
	check_outcome(req, &out, engine);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "%s: %s mech=%s domain=%s problem=%s lookups=%d voids=%d exp=%s\n",
				engine, ma_spf_res_name(out.result), out.mechanism, out.domain,
				out.problem, out.dns_lookups, out.void_lookups, out.explanation);
	ma_dns_wave_free(w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	opts		o;
	fz_zone		z;

	memset(&o, 0, sizeof(o));
	o.req.family = AF_INET;
	memcpy(o.req.ip, "\xc0\x00\x02\x01", 4);
	snprintf(o.from, sizeof(o.from), "user@spf.test");
	snprintf(o.helo, sizeof(o.helo), "mx.spf.test");
	o.engines = 3;
	fz_zone_init(&z, "");
	fz_zone_parse(&z, (const char *) data, size, directive, &o);
	o.req.sender = o.from;
	o.req.helo = o.helo;
	o.req.receiver = "mx.example.net";
	o.req.now = 1795361185;
	if (o.engines & 1)
		run(&o.req, &z, false);
	if (o.engines & 2)
		run(&o.req, &z, true);
	fz_zone_free(&z);
	return 0;
}
