/*-------------------------------------------------------------------------
 *
 * ma_spf2.c
 *	  SPF check_host() on libspf2 (1.2.10 as shipped by Debian 12), behind
 *	  the interface of the native evaluator (ma_spf.h).
 *
 * How it works: each check builds an SPF_server_t on a DNS layer of ours
 * (an SPF_dns_server_t whose lookup function answers from the caller's
 * ma_spf_lookup_fn), an SPF_request_t and runs SPF_request_query_mailfrom.
 * libspf2's resolv layer (blocking res_query on the system resolver) is
 * never created.  When the callback does not know an answer yet it returns
 * NULL; we hand libspf2 a TRY_AGAIN answer, let it finish (it usually ends
 * with temperror), throw its verdict away and report out->pending.
 *
 * libspf2 pitfalls met here (more in docs/libspf2.md):
 *	- SPF_error() must never be reached.  Upstream SPF_errorx() calls the
 *	  error handler and then abort(); but SPF_error_handler is declared
 *	  noreturn, so GCC dropped that abort() from Debian's binary: the
 *	  "call *SPF_error_handler" is the last instruction of SPF_errorx and a
 *	  handler that returns falls through into the code of the next function
 *	  (SPF_warningx) with a bogus stack frame (a segfault in our test, in
 *	  general undefined).  So our error handler records the message, writes
 *	  it to stderr, calls the optional fatal hook of the glue and then
 *	  abort()s itself: the only alternatives are longjmp (leaks libspf2's
 *	  memory, and this core never longjmps) or undefined behaviour.  We keep
 *	  libspf2 away from SPF_error(): the lookup never returns NULL
 *	  (SPF_dns_lookup errors on NULL), request fields are never NULL, an
 *	  identity without a domain is answered before libspf2 is called.
 *	- SPF_server_new_dns() does not own the DNS layer (destroy_resolver =
 *	  0): ours lives on our stack and has destroy = NULL.
 *	- SPF_dns_rr_t strings are NUL-terminated C strings: a TXT record with
 *	  a NUL byte is cut there (as libspf2's own resolv layer does).
 *	- SPF_request_query_mailfrom() passes 127.0.0.0/8 and ::1 without any
 *	  lookup ("localhost gets a free ride"), unlike RFC 7208.
 *	- %{t} is time(NULL) inside libspf2: req->now is not used.
 *	- the exp= TXT record is fetched for fail, softfail, neutral and none
 *	  (libspf2 builds an SMTP comment for all four), which costs a wave.
 *
 * Memory: everything libspf2 allocates is freed before we return, on every
 * path; results go into the fixed buffers of ma_spf_outcome.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_spf2.h"

/* longest non-SPF TXT record (an exp= explanation) handed to libspf2 */
#define MA_SPF2_MAX_EXP 100

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * libspf2's headers are not self-contained: <spf2/spf.h> needs size_t
 * (<stddef.h>, via <stdio.h>/<stdlib.h>) and struct in_addr / in6_addr
 * (<netinet/in.h>) declared before it.
 */
#include <spf2/spf.h>

/*
 * Spare SPF_dns_rr_t kept per check: the lookup must never return NULL
 * (libspf2 aborts), so when malloc fails we hand out one of these.  A
 * TRY_AGAIN answer ends the evaluation almost everywhere, so a few suffice.
 */
#define MA_SPF2_NSPARE	4
/* how many MX / PTR names we ask about ahead of libspf2 (its own limits) */
#define MA_SPF2_PREFETCH 10

typedef struct ma_spf2_ctx
{
	ma_spf_lookup_fn lookup;
	void	   *arg;
	int			family;
	bool		pending;		/* some answer was not known yet */
	bool		dns_error;		/* some answer was servfail/timeout/... */
	bool		oom;			/* we ran out of memory building answers */
	bool		first_txt;		/* the first TXT lookup has been served */
	int			withheld;		/* TXT records withheld from libspf2 (MA_SPF2_MAX_EXP) */
	int			nlookups;		/* served lookups beyond the first TXT */
	int			nvoid;			/* of which NXDOMAIN / no data */
	char		dns_problem[512];
	SPF_dns_rr_t *spare[MA_SPF2_NSPARE];
	int			nspare;
} ma_spf2_ctx;

static char last_error[512];
static char last_warning[512];
static bool initialised = false;
static void (*fatal_hook) (const char *msg) = NULL;

/* ---------------------------------------------------------------------
 * message handlers
 * ---------------------------------------------------------------------
 */

static void
copy_msg(char *dst, size_t dstlen, const char *file, int line, const char *msg)
{
	if (file)
		snprintf(dst, dstlen, "%s (%s:%d)", msg ? msg : "", file, line);
	else
		snprintf(dst, dstlen, "%s", msg ? msg : "");
}

/*
 * libspf2's error handler.  It must not return (see the file header: a
 * return falls into unrelated code in Debian's build).  It records the
 * message, writes it to stderr (the server log; the static buffer does not
 * survive the abort), gives the glue's fatal hook a chance to end the
 * process its own way (e.g. PostgreSQL's proc_exit through FATAL, which
 * cleans up shared memory), and abort()s if the hook returns or is unset.
 */
static void
ma_spf2_error_handler(const char *file, int line, const char *msg)
{
	char		buf[sizeof(last_error) + 64];
	int			n;

	copy_msg(last_error, sizeof(last_error), file, line, msg);
	n = snprintf(buf, sizeof(buf), "mailauth: libspf2 internal error: %s\n",
				 last_error);
	if (n > 0)
	{
		ssize_t		w = write(STDERR_FILENO, buf,
							  (size_t) n < sizeof(buf) ? (size_t) n : sizeof(buf) - 1);

		(void) w;
	}
	if (fatal_hook)
		fatal_hook(last_error);
	abort();
}

static void
ma_spf2_warning_handler(const char *file, int line, const char *msg)
{
	copy_msg(last_warning, sizeof(last_warning), file, line, msg);
}

/* info and debug messages are dropped (libspf2 prints them to stdout) */
static void
ma_spf2_quiet_handler(const char *file, int line, const char *msg)
{
	(void) file;
	(void) line;
	(void) msg;
}

void
ma_spf2_init(void)
{
	if (initialised)
		return;

	/* our handler does not return either (it ends in abort()) */
	SPF_error_handler = (__typeof__(SPF_error_handler)) ma_spf2_error_handler;
	SPF_warning_handler = ma_spf2_warning_handler;
	SPF_info_handler = ma_spf2_quiet_handler;
	SPF_debug_handler = ma_spf2_quiet_handler;
	initialised = true;
}

void
ma_spf2_set_fatal_hook(void (*hook) (const char *msg))
{
	fatal_hook = hook;
}

const char *
ma_spf2_last_error(void)
{
	return last_error;
}

const char *
ma_spf2_last_warning(void)
{
	return last_warning;
}

const char *
ma_spf2_version(void)
{
	static char v[32];
	int			major,
				minor,
				patch;

	SPF_get_lib_version(&major, &minor, &patch);
	snprintf(v, sizeof(v), "%d.%d.%d", major, minor, patch);
	return v;
}

/* ---------------------------------------------------------------------
 * the DNS layer
 * ---------------------------------------------------------------------
 */

/*
 * A record-less answer with the given h_errno.  Never NULL: on malloc
 * failure a spare is used (its domain is left NULL, which libspf2 accepts).
 */
static SPF_dns_rr_t *
rr_status(SPF_dns_server_t *srv, ma_spf2_ctx *ctx, const char *domain,
		  ns_type type, SPF_dns_stat_t herrno)
{
	SPF_dns_rr_t *rr = SPF_dns_rr_new_init(srv, domain, type, 0, herrno);

	if (rr == NULL)
	{
		ctx->oom = true;
		ctx->dns_error = true;
		if (ctx->nspare > 0)
		{
			rr = ctx->spare[--ctx->nspare];
			rr->source = srv;
			rr->rr_type = type;
			rr->herrno = TRY_AGAIN;
		}
		/* else: nothing left; libspf2 will SPF_error() and abort */
	}
	return rr;
}

/*
 * Append one record of rr->rr_type made from an ma_dns_rr.  Returns false
 * when the record does not convert (bad address text) or memory ran out
 * (then ctx->oom is set).
 */
static bool
rr_append(ma_spf2_ctx *ctx, SPF_dns_rr_t *rr, const ma_dns_rr *src)
{
	int			i = rr->num_rr;
	const char *name;
	size_t		len;

	switch (rr->rr_type)
	{
		case ns_t_a:
			{
				struct in_addr a;

				if (src->data == NULL || inet_pton(AF_INET, src->data, &a) != 1)
					return false;
				if (SPF_dns_rr_buf_realloc(rr, i, sizeof(SPF_dns_rr_data_t)) != SPF_E_SUCCESS)
					goto oom;
				rr->rr[i]->a = a;
				break;
			}
		case ns_t_aaaa:
			{
				struct in6_addr a6;

				if (src->data == NULL || inet_pton(AF_INET6, src->data, &a6) != 1)
					return false;
				if (SPF_dns_rr_buf_realloc(rr, i, sizeof(SPF_dns_rr_data_t)) != SPF_E_SUCCESS)
					goto oom;
				rr->rr[i]->aaaa = a6;
				break;
			}
		case ns_t_mx:
		case ns_t_ptr:
			/* target without trailing dot; "." for the root (null MX) */
			name = src->target ? src->target : "";
			len = strlen(name);
			if (SPF_dns_rr_buf_realloc(rr, i, len + 1) != SPF_E_SUCCESS)
				goto oom;
			/* mx and ptr are the same member of the union */
			memcpy(rr->rr[i]->mx, name, len + 1);
			break;
		case ns_t_txt:

			/*
			 * Concatenated strings; libspf2 reads it as a C string, so an
			 * embedded NUL cuts the record short (as in its resolv layer).
			 */
			len = src->data ? src->datalen : 0;

			/*
			 * libspf2 1.2.10 compiles an exp= explanation into a stack
			 * buffer of 511 bytes whose bound check lets the compiled form
			 * (up to ~4 bytes per input byte) run past it: a crafted TXT
			 * record near 200 bytes smashes the stack and aborts the
			 * backend (found by fuzz/fuzz_spf_eval; fuzz/regressions/).
			 * Only explanations are TXT records that are not SPF records,
			 * so those longer than MA_SPF2_MAX_EXP bytes are withheld:
			 * libspf2 then uses its default explanation.
			 */
			if (len > MA_SPF2_MAX_EXP &&
				!(len >= 6 && strncasecmp(src->data, "v=spf1", 6) == 0 &&
				  (len == 6 || src->data[6] == ' ')))
			{
				ctx->withheld++;
				return false;
			}
			if (SPF_dns_rr_buf_realloc(rr, i, len + 1) != SPF_E_SUCCESS)
				goto oom;
			if (len)
				memcpy(rr->rr[i]->txt, src->data, len);
			rr->rr[i]->txt[len] = '\0';
			break;
		default:
			return false;
	}
	rr->num_rr = i + 1;
	return true;

oom:
	ctx->oom = true;
	return false;
}

/*
 * Ask the callback ahead of libspf2 for the addresses of the names an MX or
 * PTR answer lists: libspf2 asks them one at a time and stops at the first
 * unknown one, which would cost one wave per name.  The answers are not
 * used here; NULL only means the question is now recorded.
 */
static void
prefetch_targets(ma_spf2_ctx *ctx, const ma_dns_result *r, uint16_t type)
{
	uint16_t	atype = ctx->family == AF_INET6 ? MA_T_AAAA : MA_T_A;
	int			n = 0;

	for (int i = 0; i < r->nrr && n < MA_SPF2_PREFETCH; i++)
	{
		char		norm[MA_DNS_MAXNAME + 1];

		if (r->rr[i].type != type || r->rr[i].target == NULL)
			continue;
		n++;
		if (strcmp(r->rr[i].target, ".") == 0 ||
			ma_dns_name_check(r->rr[i].target, norm) != NULL)
			continue;
		(void) ctx->lookup(ctx->arg, norm, atype);
	}
}

/*
 * The lookup function of our SPF_dns_server_t: answers (domain, type) from
 * the caller's callback.  Must never return NULL.
 *
 * Status mapping: ok -> NETDB_SUCCESS (NO_DATA when no record of the type is
 * left after skipping the CNAME chain), nxdomain -> HOST_NOT_FOUND, nodata ->
 * NO_DATA, anything else -> TRY_AGAIN (a DNS error: temperror).  Not known
 * yet -> TRY_AGAIN and ctx->pending.  Type 99 (SPF) is answered NO_DATA
 * without asking (RFC 7208 dropped it; some libspf2 builds still ask).
 * Names that are not valid DNS names (spaces from macro expansion, empty
 * labels, > 253 octets, the root of a null MX) are answered HOST_NOT_FOUND
 * without asking.
 */
static SPF_dns_rr_t *
ma_spf2_dns_lookup(SPF_dns_server_t *srv, const char *domain, ns_type type,
				   int should_cache)
{
	ma_spf2_ctx *ctx = srv->hook;
	char		norm[MA_DNS_MAXNAME + 1];
	const ma_dns_result *r;
	SPF_dns_rr_t *rr;
	int			withheld0;
	bool		counted;

	(void) should_cache;

	if (type != ns_t_a && type != ns_t_aaaa && type != ns_t_mx &&
		type != ns_t_ptr && type != ns_t_txt)
		return rr_status(srv, ctx, domain, type, NO_DATA);

	if (domain == NULL || strcmp(domain, ".") == 0 ||
		ma_dns_name_check(domain, norm) != NULL)
		return rr_status(srv, ctx, domain, type, HOST_NOT_FOUND);

	/*
	 * Count what we serve: every lookup except the very first TXT (the
	 * policy of the checked domain itself).  See docs/libspf2.md.
	 */
	counted = true;
	if (type == ns_t_txt && !ctx->first_txt)
	{
		ctx->first_txt = true;
		counted = false;
	}
	if (counted)
		ctx->nlookups++;

	r = ctx->lookup(ctx->arg, norm, (uint16_t) type);
	if (r == NULL)
	{
		ctx->pending = true;
		return rr_status(srv, ctx, domain, type, TRY_AGAIN);
	}

	switch (r->status)
	{
		case MA_DNS_OK:
			break;
		case MA_DNS_NXDOMAIN:
			if (counted)
				ctx->nvoid++;
			return rr_status(srv, ctx, domain, type, HOST_NOT_FOUND);
		case MA_DNS_NODATA:
			if (counted)
				ctx->nvoid++;
			return rr_status(srv, ctx, domain, type, NO_DATA);
		default:
			ctx->dns_error = true;
			if (ctx->dns_problem[0] == '\0')
				snprintf(ctx->dns_problem, sizeof(ctx->dns_problem),
						 "DNS %s for %s/%s%s%s", ma_dns_status_name(r->status),
						 norm, ma_dns_type_name(type),
						 r->detail ? ": " : "", r->detail ? r->detail : "");
			return rr_status(srv, ctx, domain, type, TRY_AGAIN);
	}

	rr = rr_status(srv, ctx, domain, type, NETDB_SUCCESS);
	if (rr == NULL || rr->herrno != NETDB_SUCCESS)
		return rr;				/* a spare (out of memory) or NULL */
	rr->ttl = r->ttl;
	withheld0 = ctx->withheld;

	for (int i = 0; i < r->nrr; i++)
	{
		if (r->rr[i].type != type)
			continue;			/* the CNAME chain */
		(void) rr_append(ctx, rr, &r->rr[i]);
		if (ctx->oom)
		{
			ctx->dns_error = true;
			rr->herrno = TRY_AGAIN;
			rr->num_rr = 0;
			return rr;
		}
	}
	if (rr->num_rr == 0)
	{
		rr->herrno = NO_DATA;
		/* records withheld from libspf2 were an answer: not a void lookup */
		if (counted && ctx->withheld == withheld0)
			ctx->nvoid++;
	}
	else if (type == ns_t_mx || type == ns_t_ptr)
		prefetch_targets(ctx, r, (uint16_t) type);
	return rr;
}

/* ---------------------------------------------------------------------
 * check_host
 * ---------------------------------------------------------------------
 */

static ma_spf_res
map_result(SPF_result_t r, const ma_spf2_ctx *ctx)
{
	switch (r)
	{
		case SPF_RESULT_PASS:
			return MA_SPF_PASS;
		case SPF_RESULT_FAIL:
			return MA_SPF_FAIL;
		case SPF_RESULT_SOFTFAIL:
			return MA_SPF_SOFTFAIL;
		case SPF_RESULT_NEUTRAL:
			return MA_SPF_NEUTRAL;
		case SPF_RESULT_NONE:
			return MA_SPF_NONE;
		case SPF_RESULT_TEMPERROR:
			return MA_SPF_TEMPERROR;
		case SPF_RESULT_PERMERROR:
			return MA_SPF_PERMERROR;
		case SPF_RESULT_INVALID:
		default:

			/*
			 * "invalid": libspf2 gave up without a verdict (e.g. a record it
			 * failed to compile, or a DNS failure on the first lookup in some
			 * paths).  A DNS error makes it temperror, else permerror.
			 */
			return ctx->dns_error ? MA_SPF_TEMPERROR : MA_SPF_PERMERROR;
	}
}

static void
set_str(char *dst, size_t dstlen, const char *src)
{
	snprintf(dst, dstlen, "%s", src ? src : "");
}

/* the first error message of a response, else its error code's text */
static void
response_problem(SPF_response_t *resp, char *dst, size_t dstlen)
{
	int			n = SPF_response_messages(resp);

	for (int i = 0; i < n; i++)
	{
		SPF_error_t *e = SPF_response_message(resp, i);

		if (e && SPF_error_errorp(e) && SPF_error_message(e))
		{
			set_str(dst, dstlen, SPF_error_message(e));
			return;
		}
	}
	if (SPF_response_errcode(resp) != SPF_E_SUCCESS)
		set_str(dst, dstlen, SPF_strerror(SPF_response_errcode(resp)));
}

static void
free_spares(ma_spf2_ctx *ctx)
{
	while (ctx->nspare > 0)
		SPF_dns_rr_free(ctx->spare[--ctx->nspare]);
}

/*
 * check_host() through libspf2.  One SPF_server_t per call (cheap next to
 * the DNS work, and nothing of libspf2 outlives the call).
 */
ma_spf_res
ma_spf2_check_host(const ma_spf_request *req, ma_spf_lookup_fn lookup, void *arg,
				   ma_spf_outcome *out)
{
	ma_spf2_ctx ctx;
	SPF_dns_server_t layer;
	SPF_server_t *server = NULL;
	SPF_request_t *request = NULL;
	SPF_response_t *response = NULL;
	const char *sender;
	const char *helo;
	const char *dom;
	const char *at;

	memset(out, 0, sizeof(*out));
	out->result = MA_SPF_PERMERROR;

	if (!initialised)
		ma_spf2_init();

	if (req == NULL || lookup == NULL ||
		(req->family != AF_INET && req->family != AF_INET6))
	{
		set_str(out->problem, sizeof(out->problem), "invalid request");
		return out->result;
	}

	sender = (req->sender && req->sender[0]) ? req->sender : NULL;
	helo = (req->helo && req->helo[0]) ? req->helo : NULL;

	/*
	 * The checked domain, for out->domain and to stop early when there is
	 * none: libspf2 would hit SPF_ASSERT_NOTNULL (abort) on a NULL domain.
	 */
	if (sender)
	{
		at = strrchr(sender, '@');
		dom = at ? at + 1 : sender;
	}
	else
		dom = helo;
	if (dom == NULL || dom[0] == '\0')
	{
		out->result = MA_SPF_NONE;
		set_str(out->problem, sizeof(out->problem),
				"no domain to check (empty sender domain and no HELO name)");
		return out->result;
	}
	set_str(out->domain, sizeof(out->domain), dom);

	memset(&ctx, 0, sizeof(ctx));
	ctx.lookup = lookup;
	ctx.arg = arg;
	ctx.family = req->family;
	for (ctx.nspare = 0; ctx.nspare < MA_SPF2_NSPARE; ctx.nspare++)
	{
		ctx.spare[ctx.nspare] = SPF_dns_rr_new();
		if (ctx.spare[ctx.nspare] == NULL)
			goto oom;
	}

	/*
	 * Our DNS layer lives on this stack frame.  destroy = NULL tells
	 * SPF_dns_free() somebody else owns it; SPF_server_new_dns() sets
	 * destroy_resolver = 0 anyway, so SPF_server_free() never touches it.
	 */
	memset(&layer, 0, sizeof(layer));
	layer.destroy = NULL;
	layer.lookup = ma_spf2_dns_lookup;
	layer.get_spf = NULL;
	layer.get_exp = NULL;
	layer.add_cache = NULL;
	layer.layer_below = NULL;
	layer.name = "mailauth";
	layer.debug = 0;
	layer.hook = &ctx;

	server = SPF_server_new_dns(&layer, 0);
	if (server == NULL)
		goto oom;
	/* %{r}; the default would be gethostname() */
	if (SPF_server_set_rec_dom(server, req->receiver ? req->receiver : "unknown") != SPF_E_SUCCESS)
		goto oom;

	request = SPF_request_new(server);
	if (request == NULL)
		goto oom;
	if (req->family == AF_INET)
	{
		struct in_addr a;

		memcpy(&a, req->ip, 4);
		SPF_request_set_ipv4(request, a);
	}
	else
	{
		struct in6_addr a6;

		memcpy(&a6, req->ip, 16);
		SPF_request_set_ipv6(request, a6);
	}

	/*
	 * HELO first: SPF_request_set_helo_dom() also sets the sender to
	 * postmaster@helo when none is set yet, which is the HELO identity.
	 */
	if (helo && SPF_request_set_helo_dom(request, helo) != SPF_E_SUCCESS)
		goto oom;
	if (sender && SPF_request_set_env_from(request, sender) != 0)
		goto oom;

	(void) SPF_request_query_mailfrom(request, &response);

	out->dns_lookups = ctx.nlookups;
	out->void_lookups = ctx.nvoid;

	if (ctx.pending)
	{
		/* libspf2's verdict rests on made-up TRY_AGAIN answers */
		out->pending = true;
		out->result = MA_SPF_TEMPERROR;
	}
	else if (response == NULL)
		goto oom;
	else
	{
		SPF_result_t r = SPF_response_result(response);

		out->result = map_result(r, &ctx);
		if (out->result == MA_SPF_FAIL)
			set_str(out->explanation, sizeof(out->explanation),
					SPF_response_get_explanation(response));
		if (out->result == MA_SPF_TEMPERROR && ctx.dns_problem[0])
			set_str(out->problem, sizeof(out->problem), ctx.dns_problem);
		else if (out->result == MA_SPF_PERMERROR ||
				 out->result == MA_SPF_TEMPERROR ||
				 out->result == MA_SPF_NONE)
			response_problem(response, out->problem, sizeof(out->problem));
		if (ctx.oom)
		{
			out->result = MA_SPF_TEMPERROR;
			set_str(out->problem, sizeof(out->problem), "out of memory");
		}
	}

	if (response)
		SPF_response_free(response);
	SPF_request_free(request);
	SPF_server_free(server);
	free_spares(&ctx);
	return out->result;

oom:
	if (response)
		SPF_response_free(response);
	if (request)
		SPF_request_free(request);
	if (server)
		SPF_server_free(server);
	free_spares(&ctx);
	out->pending = false;
	out->result = MA_SPF_TEMPERROR;
	set_str(out->problem, sizeof(out->problem), "out of memory");
	return out->result;
}
