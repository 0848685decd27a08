/*-------------------------------------------------------------------------
 *
 * mailauth.c
 *	  Module magic, _PG_init and the settings of mailauth.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "mailauth.h"
#include "core/ma_dkim.h"
#include "core/ma_spf2.h"

PG_MODULE_MAGIC;

char	   *mailauth_dns_servers = NULL;
bool		mailauth_dns_servers_lost = false;
int			mailauth_dns_timeout = 5000;
int			mailauth_dns_tries = 2;
int			mailauth_dns_max_inflight = 100;
int			mailauth_dns_cache_size = 10000;
int			mailauth_dns_cache_memory = 32768;	/* kB */
int			mailauth_spf_engine = MAILAUTH_SPF_NATIVE;
int			mailauth_dmarc_mode = 0;	/* MA_DMARC_RFC7489 */
int			mailauth_dkim_max_signatures = 10;
int			mailauth_bulk_progress = 0;

static const struct config_enum_entry dmarc_mode_options[] = {
	{"rfc7489", 0, false},
	{"dmarcbis", 1, false},
	{"rfc9989", 1, true},
	{NULL, 0, false}
};

static const struct config_enum_entry spf_engine_options[] = {
	{"native", MAILAUTH_SPF_NATIVE, false},
	{"libspf2", MAILAUTH_SPF_LIBSPF2, false},
	{NULL, 0, false}
};

/*
 * libspf2 treats its internal errors as fatal (its handler must not return).
 * Ending this one backend with FATAL beats abort(), which would make the
 * postmaster restart every connection.  The engine is written so that this
 * never happens (see src/core/ma_spf2.c).
 */
static void
spf2_fatal(const char *msg)
{
	ereport(FATAL,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),
			 errmsg("libspf2 internal error: %s", msg)));
}

void		_PG_init(void);

static bool
check_dns_servers(char **newval, void **extra, GucSource source)
{
	const char *msg = ma_dns_servers_check(*newval);

	if (msg)
	{
		GUC_check_errdetail("%s.", msg);
		GUC_check_errhint("Give a comma-separated list of IP addresses, each optionally with a port: \"192.0.2.1:53, [2001:db8::1]:5353\".");
		return false;
	}
	return true;
}

/* a value set by whoever may set it (a superuser, the configuration file) */
static void
assign_dns_servers(const char *newval, void *extra)
{
	mailauth_dns_servers_lost = false;
}

/* the source of a setting as pg_settings shows it ("default", "client", ...) */
static char *
setting_source(const char *name)
{
	int			n = GetNumConfigOptions();

	for (int i = 0; i < n; i++)
	{
		const char *values[17];
		bool		noshow;

		memset(values, 0, sizeof(values));
		GetConfigOptionByNum(i, values, &noshow);
		if (values[0] && strcmp(values[0], name) == 0)
			return values[8] ? pstrdup(values[8]) : NULL;
	}
	return NULL;
}

void
_PG_init(void)
{
	const char *placeholder = GetConfigOption("mailauth.dns_servers", true, false);
	char	   *before = placeholder ? pstrdup(placeholder) : NULL;
	char	   *source;

	/*
	 * mailauth.dns_servers is superuser-only.  A value a non-superuser gave
	 * before the library loaded is refused below (WARNING).  When it came in
	 * the connection's startup packet (PGOPTIONS, options=-c ...), it had
	 * also replaced the configured value as the session default, so after
	 * the refusal the setting is back at its built-in default: "" (the
	 * system resolver), not the servers the administrator chose.  We notice
	 * that (a refused placeholder, source now "default") and refuse to send
	 * DNS queries in this session until someone who may set it does
	 * (assign_dns_servers clears the flag).
	 */
	DefineCustomStringVariable("mailauth.dns_servers",
							   "DNS servers mailauth queries, as host[:port] IP addresses separated by commas.",
							   "Empty means the system resolver configuration (/etc/resolv.conf). "
							   "Superuser-only: a chosen server could fake every authentication result.",
							   &mailauth_dns_servers,
							   "",
							   PGC_SUSET,
							   0,
							   check_dns_servers, assign_dns_servers, NULL);
	/*
	 * Only in a backend: the postmaster loading us from
	 * shared_preload_libraries has no user to check privileges against
	 * (GetConfigOptionByNum() would crash it), and a preloaded library never
	 * sees a startup-packet value anyway (PostgreSQL refuses the connection).
	 */
	if (before && IsUnderPostmaster && !process_shared_preload_libraries_in_progress)
	{
		source = setting_source("mailauth.dns_servers");
		if (strcmp(before, mailauth_dns_servers ? mailauth_dns_servers : "") != 0 &&
			source && strcmp(source, "default") == 0)
			mailauth_dns_servers_lost = true;
	}

	DefineCustomIntVariable("mailauth.dns_timeout",
							"Overall deadline of one DNS lookup.",
							NULL,
							&mailauth_dns_timeout,
							5000, 10, 600000,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mailauth.dns_tries",
							"How many times a DNS query is sent before it counts as timed out.",
							NULL,
							&mailauth_dns_tries,
							2, 1, 10,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mailauth.dns_max_inflight",
							"Most DNS queries one backend keeps in flight at once in bulk lookups.",
							NULL,
							&mailauth_dns_max_inflight,
							100, 1, 1000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mailauth.bulk_progress",
							"Set forms of the DNS checks report progress in a NOTICE every this many inputs (0: never).",
							NULL,
							&mailauth_bulk_progress,
							0, 0, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mailauth.dns_cache_size",
							"Most DNS answers kept in the backend's cache (0 disables the cache).",
							NULL,
							&mailauth_dns_cache_size,
							10000, 0, 1000000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mailauth.dns_cache_memory",
							"Most memory the backend's DNS cache may hold.",
							NULL,
							&mailauth_dns_cache_memory,
							32768, 64, 1048576,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomEnumVariable("mailauth.spf_engine",
							 "SPF evaluator used by spf_verify: native (RFC 7208, the default) or libspf2.",
							 NULL,
							 &mailauth_spf_engine,
							 MAILAUTH_SPF_NATIVE,
							 spf_engine_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("mailauth.dmarc_mode",
							 "DMARC rules: rfc7489 (organizational domain from the Public Suffix List) or dmarcbis (RFC 9989 DNS tree walk).",
							 NULL,
							 &mailauth_dmarc_mode,
							 0,
							 dmarc_mode_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("mailauth.dkim_max_signatures",
							"Most DKIM signatures of one message that dkim_verify verifies (the top-most ones).",
							NULL,
							&mailauth_dkim_max_signatures,
							10, 1, 100,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("mailauth.dnsbl_zones",
							   "IP blocklist zones dnsbl_check() asks when called without zones (comma-separated).",
							   "Public resolvers are refused by some lists (Spamhaus answers 127.255.255.254): "
							   "use a resolver of your own in mailauth.dns_servers.",
							   &mailauth_dnsbl_zones,
							   "zen.spamhaus.org, bl.spamcop.net",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("mailauth.dbl_zones",
							   "Domain blocklist zones dbl_check() asks when called without zones (comma-separated).",
							   NULL,
							   &mailauth_dbl_zones,
							   "dbl.spamhaus.org",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomBoolVariable("mailauth.dkim_partial_body_policy",
							 "Give DKIM result \"policy\" instead of \"pass\" when a signature's l= leaves part of the body unsigned.",
							 NULL,
							 &ma_dkim_partial_body_policy,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	/* mailauth.shared_cache_*, and the shared memory hooks when preloaded */
	mailauth_shcache_init();

	MarkGUCPrefixReserved("mailauth");

	/* replace libspf2's abort()ing message handlers before any use */
	ma_spf2_init();
	ma_spf2_set_fatal_hook(spf2_fatal);
}

PG_FUNCTION_INFO_V1(mailauth_version);
Datum
mailauth_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(MAILAUTH_VERSION));
}

/*
 * Set up a materialized set-returning call.  The executor hands every
 * function that returns a row type the tuple descriptor it expects
 * (rsinfo->expectedDesc); copying it costs a memcpy, where
 * InitMaterializedSRF(fcinfo, 0) rebuilds it from pg_proc on every call
 * (build_function_result_tupdesc_t: 7 % of a parse_dsn() call, measured
 * with perf).  Falls back to that when no descriptor is given.
 */
void
mailauth_init_srf(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	if (rsinfo != NULL && IsA(rsinfo, ReturnSetInfo) && rsinfo->expectedDesc != NULL)
		InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	else
		InitMaterializedSRF(fcinfo, 0);
}
