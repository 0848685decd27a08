/*-------------------------------------------------------------------------
 *
 * mailauth.h
 *	  Declarations shared by the PostgreSQL glue of mailauth.
 *
 * Foreign headers (ares.h, spf2, opendkim) never appear here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MAILAUTH_H
#define MAILAUTH_H

#include "core/ma_dns.h"
#include "core/ma_wave.h"
#include "core/ma_spf.h"
#include "utils/inet.h"

/* SQLSTATEs of DNS failures: class MA ("mailauth") */
#define ERRCODE_MA_DNS_ERROR	MAKE_SQLSTATE('M','A','0','0','0')
#define ERRCODE_MA_DNS_SERVFAIL MAKE_SQLSTATE('M','A','0','0','1')
#define ERRCODE_MA_DNS_REFUSED	MAKE_SQLSTATE('M','A','0','0','2')
#define ERRCODE_MA_DNS_TIMEOUT	MAKE_SQLSTATE('M','A','0','0','3')
#define ERRCODE_MA_DNS_FORMERR	MAKE_SQLSTATE('M','A','0','0','4')

/* settings (mailauth.c) */
extern char *mailauth_dns_servers;
extern bool mailauth_dns_servers_lost;
extern int	mailauth_dns_timeout;
extern int	mailauth_dns_tries;
extern int	mailauth_dns_max_inflight;
extern int	mailauth_dns_cache_size;
extern int	mailauth_dns_cache_memory;
extern int	mailauth_spf_engine;
extern int	mailauth_dmarc_mode;	/* an ma_dmarc_mode */
extern int	mailauth_dkim_max_signatures;
extern char *mailauth_dnsbl_zones;
extern char *mailauth_dbl_zones;
extern int	mailauth_bulk_progress;

#define MAILAUTH_SPF_NATIVE		0
#define MAILAUTH_SPF_LIBSPF2	1

/* pg_dns.c: the backend's engine and the resolve loop other modules use */
extern ma_dns_engine *mailauth_dns_engine(void);
extern ma_dns_query *mailauth_dns_queries(int n);
extern void mailauth_dns_resolve(ma_dns_query *qs, int n);
extern void mailauth_dns_normalize(const char *name, char *out);
extern bool mailauth_dns_try_normalize(const char *name, char *out);
extern uint16_t mailauth_dns_type(const char *typname);
extern void mailauth_dns_raise(const ma_dns_query *q);
/* argument argno (text, or NULL) made an inet, for the text overloads of the inet functions */
extern void mailauth_inet_arg_from_text(FunctionCallInfo fcinfo, int argno);
extern ma_dns_wave *mailauth_wave_new(void);
extern void mailauth_wave_resolve(ma_dns_wave *w);
/* pg_spf.c: one SPF evaluation on a shared answer store */
extern void mailauth_spf_request(ma_spf_request *req, inet *ip, const char *sender,
								 const char *helo);
extern void mailauth_spf_evaluate(const ma_spf_request *req, ma_dns_wave *w,
								  ma_spf_outcome *out);

/* pg_shcache.c: the shared DNS cache (active with shared_preload_libraries) */
extern int	mailauth_shared_cache_memory;
extern int	mailauth_shared_cache_slot_size;
extern void mailauth_shcache_init(void);
extern bool mailauth_shcache_enabled(void);
extern void mailauth_shcache_attach(ma_dns_engine *e, const char *servers);

/* bytes as text: verbatim when valid in the database encoding, else \DDD escapes */
extern struct varlena *mailauth_bytes_to_text(const char *data, size_t len);
extern text *mailauth_utf8_to_text(const char *s);

/* mailauth.c: InitMaterializedSRF() with the executor's expected row type */
extern void mailauth_init_srf(FunctionCallInfo fcinfo);

#endif							/* MAILAUTH_H */
