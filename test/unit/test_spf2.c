/*-------------------------------------------------------------------------
 *
 * test_spf2.c
 *	  Unit tests of the libspf2 SPF engine (src/core/ma_spf2.c), with a fake
 *	  DNS table instead of the network.
 *
 * The fake lookup answers from a table of (name, type) -> status + records.
 * In "waves" mode an entry is only known once a previous run asked for it
 * and the test "resolved" it, which checks the pending semantics of the
 * waves model (ma_spf.h).  Names not in the table are NXDOMAIN.
 *
 * Output is TAP: "ok N - ..." / "not ok N - ..." per assertion, then the
 * plan "1..N".  Exit status 0 only when every assertion passed.
 *
 * Build and run (also under valgrind):
 *	gcc -std=gnu11 -O0 -g -Wall -Wextra -Werror -Isrc -o test/unit/test_spf2 \
 *		test/unit/test_spf2.c src/core/ma_spf2.c src/core/ma_dnswire.c \
 *		src/core/ma_dns.c src/core/ma_dnscache.c src/core/ma_idn.c \
 *		-lspf2 -lcares -lidn2
 *	valgrind --leak-check=full --error-exitcode=1 test/unit/test_spf2
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dns.h"
#include "core/ma_spf2.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spf2/spf.h>

/* ---------------------------------------------------------------------
 * TAP
 * ---------------------------------------------------------------------
 */
static int	ntests = 0;
static int	nfailed = 0;

static bool
ok(bool cond, const char *fmt,...)
{
	va_list		ap;

	ntests++;
	if (!cond)
		nfailed++;
	printf("%sok %d - ", cond ? "" : "not ", ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

static const char *
res_word(ma_spf_res r)
{
	static const char *const names[] = {
		"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"
	};

	if ((int) r >= 0 && (int) r <= MA_SPF_PERMERROR)
		return names[r];
	return "INVALID";
}

static bool
valid_res(ma_spf_res r)
{
	return (int) r >= MA_SPF_NONE && (int) r <= MA_SPF_PERMERROR;
}

/* ---------------------------------------------------------------------
 * the fake DNS table
 * ---------------------------------------------------------------------
 */
#define MAXREC 16
#define MAXENT 64

typedef struct fake_entry
{
	const char *name;
	uint16_t	type;
	ma_dns_status status;
	int			nrec;
	const char *rec[MAXREC];	/* TXT text, address, or MX/PTR target */
	size_t		len[MAXREC];	/* TXT length when it holds NUL bytes */
	bool		known;			/* waves mode: resolved already */
	bool		asked;
	ma_dns_result *result;
} fake_entry;

typedef struct fake_dns
{
	fake_entry	e[MAXENT];
	int			n;
	bool		waves;			/* unknown entries return NULL until resolved */
	int			calls;
	int			nulls;
	int			asked_type99;
	ma_dns_result *nx;
} fake_dns;

static void
fake_init(fake_dns *f, bool waves)
{
	memset(f, 0, sizeof(*f));
	f->waves = waves;
	f->nx = calloc(1, sizeof(ma_dns_result));
	f->nx->refcnt = 1;
	f->nx->status = MA_DNS_NXDOMAIN;
}

static fake_entry *
fake_add(fake_dns *f, const char *name, uint16_t type, ma_dns_status st)
{
	fake_entry *e = &f->e[f->n++];

	e->name = name;
	e->type = type;
	e->status = st;
	return e;
}

static void
rec(fake_entry *e, const char *data)
{
	e->rec[e->nrec] = data;
	e->len[e->nrec] = strlen(data);
	e->nrec++;
}

static void
rec_len(fake_entry *e, const char *data, size_t len)
{
	e->rec[e->nrec] = data;
	e->len[e->nrec] = len;
	e->nrec++;
}

/* build the ma_dns_result of an entry (one malloc block, like ma_dns) */
static ma_dns_result *
build_result(fake_entry *e)
{
	ma_dns_result *r = calloc(1, sizeof(ma_dns_result) + e->nrec * sizeof(ma_dns_rr));

	r->refcnt = 1;
	r->status = e->status;
	r->nrr = e->nrec;
	for (int i = 0; i < e->nrec; i++)
	{
		ma_dns_rr  *rr = &r->rr[i];

		rr->name = e->name;
		rr->type = e->type;
		rr->ttl = 300;
		if (e->type == MA_T_MX || e->type == MA_T_PTR || e->type == MA_T_CNAME)
			rr->target = e->rec[i];
		else
		{
			rr->data = e->rec[i];
			rr->datalen = e->len[i];
		}
	}
	return r;
}

static const ma_dns_result *
fake_lookup(void *arg, const char *name, uint16_t type)
{
	fake_dns   *f = arg;

	f->calls++;
	if (type == 99)
		f->asked_type99++;
	for (int i = 0; i < f->n; i++)
	{
		fake_entry *e = &f->e[i];

		if (e->type == type && strcmp(e->name, name) == 0)
		{
			if (f->waves && !e->known)
			{
				e->asked = true;
				f->nulls++;
				return NULL;
			}
			if (!e->result)
				e->result = build_result(e);
			return e->result;
		}
	}
	return f->nx;
}

/* "resolve" what was asked; returns how many */
static int
fake_resolve(fake_dns *f)
{
	int			n = 0;

	for (int i = 0; i < f->n; i++)
		if (f->e[i].asked && !f->e[i].known)
		{
			f->e[i].known = true;
			n++;
		}
	return n;
}

static void
fake_free(fake_dns *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->e[i].result);
	free(f->nx);
}

static const ma_dns_result *
null_lookup(void *arg, const char *name, uint16_t type)
{
	(void) name;
	(void) type;
	(*(int *) arg)++;
	return NULL;
}

/* ---------------------------------------------------------------------
 * helpers
 * ---------------------------------------------------------------------
 */
static void
mkreq(ma_spf_request *req, const char *ip, const char *sender, const char *helo)
{
	memset(req, 0, sizeof(*req));
	if (inet_pton(AF_INET, ip, req->ip) == 1)
		req->family = AF_INET;
	else
	{
		req->family = AF_INET6;
		inet_pton(AF_INET6, ip, req->ip);
	}
	req->sender = sender;
	req->helo = helo;
	req->receiver = "mx.test";
	req->now = 1700000000;
}

/* run to a result in waves mode; returns the number of waves used */
static int
run_waves(fake_dns *f, const ma_spf_request *req, ma_spf_outcome *out)
{
	int			waves = 0;

	for (;;)
	{
		ma_spf2_check_host(req, fake_lookup, f, out);
		if (!out->pending)
			return waves;
		if (++waves > 50 || fake_resolve(f) == 0)
			return -1;
	}
}

static void
std_zone(fake_dns *f)
{
	fake_entry *e;

	e = fake_add(f, "example.com", MA_T_TXT, MA_DNS_OK);
	rec(e, "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all");
	e = fake_add(f, "_spf.example.net", MA_T_TXT, MA_DNS_OK);
	rec(e, "some other text");
	rec(e, "v=spf1 a:mail.example.net mx ?all");
	e = fake_add(f, "mail.example.net", MA_T_A, MA_DNS_OK);
	rec(e, "198.51.100.7");
	e = fake_add(f, "_spf.example.net", MA_T_MX, MA_DNS_OK);
	rec(e, "mx1.example.net");
	rec(e, "mx2.example.net");
	rec(e, "mx3.example.net");
	e = fake_add(f, "mx1.example.net", MA_T_A, MA_DNS_OK);
	rec(e, "203.0.113.1");
	e = fake_add(f, "mx2.example.net", MA_T_A, MA_DNS_NODATA);
	e = fake_add(f, "mx3.example.net", MA_T_A, MA_DNS_OK);
	rec(e, "203.0.113.3");
	e = fake_add(f, "soft.example", MA_T_TXT, MA_DNS_OK);
	rec(e, "v=spf1 ~all");
	e = fake_add(f, "broken.example", MA_T_TXT, MA_DNS_SERVFAIL);
	e = fake_add(f, "exp.example", MA_T_TXT, MA_DNS_OK);
	rec(e, "v=spf1 -all exp=why.exp.example");
	e = fake_add(f, "why.exp.example", MA_T_TXT, MA_DNS_OK);
	rec(e, "Not from here");
}

/* ---------------------------------------------------------------------
 * tests
 * ---------------------------------------------------------------------
 */
static void
test_basic(void)
{
	fake_dns	f;
	ma_spf_request req;
	ma_spf_outcome out;

	fake_init(&f, false);
	std_zone(&f);

	mkreq(&req, "192.0.2.10", "alice@example.com", "mx.example.com");
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_PASS && !out.pending, "ip4 match: pass (got %s)", res_word(out.result));
	ok(strcmp(out.domain, "example.com") == 0, "domain is example.com (%s)", out.domain);
	ok(out.dns_lookups == 0, "no lookup beyond the first TXT (%d)", out.dns_lookups);

	mkreq(&req, "198.51.100.7", "alice@example.com", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_PASS, "include -> a:mail.example.net: pass (got %s)", res_word(out.result));
	ok(out.dns_lookups == 2, "include counted: TXT + A = 2 (%d)", out.dns_lookups);

	mkreq(&req, "203.0.113.3", "alice@example.com", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_PASS, "include -> mx (third MX host): pass (got %s)", res_word(out.result));
	ok(out.void_lookups == 1, "mx2 NODATA counted as void (%d)", out.void_lookups);

	mkreq(&req, "10.1.2.3", "alice@example.com", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_FAIL, "no match: fail (got %s)", res_word(out.result));
	ok(out.explanation[0] != '\0', "fail has an explanation (\"%s\")", out.explanation);

	mkreq(&req, "10.1.2.3", "bob@soft.example", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_SOFTFAIL, "~all: softfail (got %s)", res_word(out.result));
	ok(out.explanation[0] == '\0', "softfail has no explanation");

	mkreq(&req, "10.1.2.3", "bob@exp.example", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_FAIL, "-all with exp=: fail (got %s)", res_word(out.result));
	/* libspf2 1.2.10 mangles spaces of exp= text into '%'; accept both */
	ok(strcmp(out.explanation, "Not from here") == 0 ||
	   strcmp(out.explanation, "Not%from%here") == 0,
	   "exp= text used (\"%s\")", out.explanation);

	mkreq(&req, "10.1.2.3", "", "soft.example");
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_SOFTFAIL && strcmp(out.domain, "soft.example") == 0,
	   "empty sender checks the HELO identity (got %s)", res_word(out.result));

	mkreq(&req, "10.1.2.3", "x@nowhere.example", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_NONE, "NXDOMAIN: none (got %s)", res_word(out.result));

	mkreq(&req, "10.1.2.3", "x@broken.example", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_TEMPERROR, "SERVFAIL on the policy: temperror (got %s)", res_word(out.result));
	ok(strstr(out.problem, "servfail") != NULL, "problem names the DNS error (\"%s\")", out.problem);

	mkreq(&req, "2001:db8::1", "alice@example.com", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_FAIL, "IPv6 client: include ends ?all (no match), then -all: fail (got %s)",
	   res_word(out.result));

	ok(f.asked_type99 == 0, "type 99 never reaches the callback");
	fake_free(&f);
}

static void
test_pending(void)
{
	fake_dns	f;
	ma_spf_request req;
	ma_spf_outcome out;
	int			waves;
	int			calls = 0;

	/* nothing known: pending at once */
	fake_init(&f, true);
	std_zone(&f);
	mkreq(&req, "203.0.113.3", "alice@example.com", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.pending, "empty table: pending");
	ok(f.nulls == 1, "first run asked one question (%d)", f.nulls);

	/* filled wave by wave: progresses to the result */
	waves = run_waves(&f, &req, &out);
	ok(waves > 0 && !out.pending && out.result == MA_SPF_PASS,
	   "waves progress to pass (%d more waves, %s)", waves, res_word(out.result));
	/* TXT, TXT(include), MX, then all MX host A records in one wave */
	/* TXT, TXT of the include, A of a:, MX, then the A of all 3 MX hosts */
	ok(waves == 5, "the 3 MX hosts' A records are asked in one wave (%d waves)", waves);
	fake_free(&f);

	/* a callback that never knows anything */
	mkreq(&req, "192.0.2.1", "a@example.com", "helo.example");
	for (int i = 0; i < 100; i++)
		ma_spf2_check_host(&req, null_lookup, &calls, &out);
	ok(out.pending && calls >= 100, "NULL answers: pending, no crash (%d calls)", calls);
}

static void
test_no_identity(void)
{
	fake_dns	f;
	ma_spf_request req;
	ma_spf_outcome out;

	fake_init(&f, false);
	mkreq(&req, "192.0.2.1", NULL, NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_NONE && !out.pending, "no sender, no HELO: none, no abort");
	mkreq(&req, "192.0.2.1", "user@", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_NONE, "sender with empty domain: none");
	mkreq(&req, "192.0.2.1", "user@a..b", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_NONE && f.calls == 0,
	   "malformed domain: none without asking DNS (calls %d)", f.calls);
	req.family = 12345;
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_PERMERROR, "bad address family: permerror");
	mkreq(&req, "127.0.0.1", "a@nowhere.example", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(out.result == MA_SPF_PASS && f.calls == 0,
	   "known libspf2 deviation: loopback passes without any lookup");
	fake_free(&f);
}

static void
test_hostile(void)
{
	fake_dns	f;
	ma_spf_request req;
	ma_spf_outcome out;
	fake_entry *e;
	char	   *big = malloc(5200);
	char	   *biglocal = malloc(1100);
	size_t		n;
	static const char nulrec[] = "v=spf1 a:foo.example.com\0 -all";
	static const struct
	{
		const char *name;
		const char *record;
	}			abuse[] = {
		{"m1.example", "v=spf1 exists:%{l1000r}.example.com -all"},
		{"m2.example", "v=spf1 exists:%{d2147483648}.example.com -all"},
		{"m3.example", "v=spf1 exists:%{l4294967296r-.+,/_=}.x -all"},
		{"m4.example", "v=spf1 a:%{ir}.%{v}.%{h}.%{c}.%{p}.%{t}.%{r}.x -all"},
		{"m5.example", "v=spf1 exists:%{l0}.%{d0r}.%{o99999999999999999999} -all"},
		{"m6.example", "v=spf1 -all exp=%{l1000r}.%{d1000r}.example"},
		{"m7.example", "v=spf1 include:%%%%%%%%%%{%{%{}}}%-%_% -all"},
		{"m8.example", "v=spf1 exists:%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}.x -all"},
		{"m9.example", "v=spf1 redirect=%{l1r-}"},
		{"m10.example", "v=spf1 ip4:1.2.3.4/99 ip6:::/999 a/-1 mx//200 ~all"},
		{"m11.example", "v=spf1 -all exp=why.m11.example"},
		{"m12.example", "v=spf1 ptr:%{p} a:%{p} -all"},
	};

	fake_init(&f, false);

	/* a 5,000-byte record */
	n = (size_t) snprintf(big, 5200, "v=spf1");
	while (n < 5000 - 40)
		n += (size_t) snprintf(big + n, 5200 - n, " ip4:10.%zu.%zu.0/24", (n / 256) % 256, n % 256);
	snprintf(big + n, 5200 - n, " -all");
	e = fake_add(&f, "big.example", MA_T_TXT, MA_DNS_OK);
	rec(e, big);

	e = fake_add(&f, "nul.example", MA_T_TXT, MA_DNS_OK);
	rec_len(e, nulrec, sizeof(nulrec) - 1);
	e = fake_add(&f, "foo.example.com", MA_T_A, MA_DNS_OK);
	rec(e, "192.0.2.1");

	for (size_t i = 0; i < sizeof(abuse) / sizeof(abuse[0]); i++)
	{
		e = fake_add(&f, abuse[i].name, MA_T_TXT, MA_DNS_OK);
		rec(e, abuse[i].record);
	}
	e = fake_add(&f, "why.m11.example", MA_T_TXT, MA_DNS_OK);
	rec(e, "%{l1000r}%{d2147483648}%{i}%{ir}%{c}%{r}%{t}%{p} %{%%%%%_%-");
	e = fake_add(&f, "1.2.0.192.in-addr.arpa", MA_T_PTR, MA_DNS_OK);
	for (int i = 0; i < 12; i++)
		rec(e, "foo.example.com");

	/* a long local part for %{l} */
	memset(biglocal, 'a', 1000);
	strcpy(biglocal + 1000, "@m1.example");

	mkreq(&req, "192.0.2.1", "x@big.example", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(valid_res(out.result) && !out.pending, "5,000-byte record: %s (%s)", res_word(out.result), out.problem);

	mkreq(&req, "192.0.2.1", "x@nul.example", NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(valid_res(out.result) && !out.pending, "NUL byte in record: %s", res_word(out.result));

	for (size_t i = 0; i < sizeof(abuse) / sizeof(abuse[0]); i++)
	{
		char		sender[64];

		snprintf(sender, sizeof(sender), "user.name@%s", abuse[i].name);
		mkreq(&req, "192.0.2.1", sender, "helo.example");
		ma_spf2_check_host(&req, fake_lookup, &f, &out);
		ok(valid_res(out.result) && !out.pending, "macro abuse %s: %s (%s)",
		   abuse[i].record, res_word(out.result), out.problem);
		mkreq(&req, "2001:db8::1", sender, "helo.example");
		ma_spf2_check_host(&req, fake_lookup, &f, &out);
		ok(valid_res(out.result) && !out.pending, "  same, IPv6 client: %s", res_word(out.result));
	}

	mkreq(&req, "192.0.2.1", biglocal, NULL);
	ma_spf2_check_host(&req, fake_lookup, &f, &out);
	ok(valid_res(out.result), "1,000-byte local part with %%{l1000r}: %s", res_word(out.result));

	ok(f.asked_type99 == 0, "type 99 never reaches the callback");
	fake_free(&f);
	free(big);
	free(biglocal);
}

/*
 * libspf2's SPF_error(): our handler runs instead of the default one
 * (which prints to stderr and aborts), records the message, calls the fatal
 * hook and abort()s -- it must not return: in Debian's build SPF_errorx has
 * no code after the handler call (the noreturn attribute let GCC drop the
 * abort), so a returning handler runs into unrelated code (segfault).
 * Done in child processes.
 */
static void
child_hook(const char *msg)
{
	char		buf[600];
	int			n = snprintf(buf, sizeof(buf), "hook:%s\n", msg);
	ssize_t		w = write(STDERR_FILENO, buf, n > 0 ? (size_t) n : 0);

	(void) w;
	/* returns: the handler must abort() after us */
}

static void
test_error_handler(void)
{
	int			pfd[2];
	pid_t		pid;
	int			status = 0;
	char		buf[1024];
	ssize_t		got = 0,
				r;

	if (pipe(pfd) != 0)
	{
		ok(false, "pipe");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
	{
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		signal(SIGABRT, SIG_DFL);
		ma_spf2_init();
		ma_spf2_set_fatal_hook(child_hook);
		/* SPF_ASSERT_NOTNULL(sr) -> SPF_error("sr is NULL") */
		SPF_request_free(NULL);
		_exit(0);				/* not reached */
	}
	close(pfd[1]);
	while (got < (ssize_t) sizeof(buf) - 1 &&
		   (r = read(pfd[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += r;
	buf[got > 0 ? got : 0] = '\0';
	close(pfd[0]);
	waitpid(pid, &status, 0);

	ok(strstr(buf, "mailauth: libspf2 internal error: sr is NULL") != NULL,
	   "our error handler replaced the default one (stderr: \"%.*s\")",
	   (int) strcspn(buf, "\n"), buf);
	ok(strstr(buf, "hook:sr is NULL") != NULL, "the fatal hook was called");
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	   "the handler ends in abort() (status %d), never returns into libspf2",
	   status);

	/* warnings are recorded, not printed */
	ma_spf2_init();
	SPF_warningx(NULL, 0, "%s", "test warning");
	ok(strcmp(ma_spf2_last_warning(), "test warning") == 0, "warning recorded (\"%s\")",
	   ma_spf2_last_warning());
	ok(ma_spf2_last_error()[0] == '\0', "no SPF_error() in this process");
}

static void
test_repeat(void)
{
	fake_dns	f;
	ma_spf_request req;
	ma_spf_outcome out;
	int			bad = 0;

	fake_init(&f, false);
	std_zone(&f);
	for (int i = 0; i < 200; i++)
	{
		mkreq(&req, (i % 2) ? "203.0.113.3" : "10.9.9.9", "alice@example.com", NULL);
		ma_spf2_check_host(&req, fake_lookup, &f, &out);
		if (out.result != ((i % 2) ? MA_SPF_PASS : MA_SPF_FAIL))
			bad++;
	}
	ok(bad == 0, "200 checks in a row give stable results (%d bad)", bad);
	fake_free(&f);
}

int
main(void)
{
	ma_spf2_init();
	printf("# libspf2 %s\n", ma_spf2_version());
	test_basic();
	test_pending();
	test_no_identity();
	test_hostile();
	test_error_handler();
	test_repeat();
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}
