/*
 * bench/dkim_peers/opendkim_bench.c: verify one message N times with
 * libopendkim used directly (bench/dkim.sh).  No DNS: the key's TXT record is
 * handed to the library from memory by a dkim_set_key_lookup() callback.
 *
 *   opendkim_bench MESSAGE-FILE TXT-RECORD N REPS
 *
 * The message is read once, split into header fields and body, and fed per
 * verification with dkim_header()/dkim_eoh()/dkim_body()/dkim_eom() on a new
 * handle (dkim_verify() ... dkim_free()).  One untimed run of N first, then
 * REPS timed runs; prints "version X" and "rep K N SECONDS pass=P other=O".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <opendkim/dkim.h>

static const char *txt;

static DKIM_CBSTAT
key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	(void) dkim; (void) sig;
	if (strlen(txt) + 1 > buflen)
		return DKIM_CBSTAT_ERROR;
	strcpy((char *) buf, txt);
	return DKIM_CBSTAT_CONTINUE;
}

static char *hdrs[256];
static size_t hlens[256];
static int nhdrs;
static char *body;
static size_t bodylen;

/* message with LF or CRLF line ends -> header fields (folding kept as CRLF) and a CRLF body */
static void
parse(char *m, size_t len)
{
	/* to CRLF first */
	char *c = malloc(len * 2 + 3);
	size_t n = 0, i;
	for (i = 0; i < len; i++) {
		if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r'))
			c[n++] = '\r';
		c[n++] = m[i];
	}
	c[n] = 0;
	char *p = c, *end = c + n;
	while (p < end) {
		if (p[0] == '\r' && p[1] == '\n') { p += 2; break; }	/* end of header */
		char *s = p, *e;
		for (;;) {
			e = strstr(p, "\r\n");
			if (!e) { e = end; break; }
			p = e + 2;
			if (p < end && (*p == ' ' || *p == '\t')) continue;
			break;
		}
		if (nhdrs < 256) { hdrs[nhdrs] = s; hlens[nhdrs] = (size_t) (e - s); nhdrs++; }
		if (e == end) { p = end; break; }
	}
	body = p; bodylen = (size_t) (end - p);
}

static int
verify_once(DKIM_LIB *lib)
{
	DKIM_STAT st;
	DKIM *d = dkim_verify(lib, (const u_char *) "bench", NULL, &st);
	int i, ok;
	if (!d) return 0;
	for (i = 0; i < nhdrs; i++)
		dkim_header(d, (u_char *) hdrs[i], hlens[i]);
	dkim_eoh(d);
	dkim_body(d, (u_char *) body, bodylen);
	st = dkim_eom(d, NULL);
	ok = (st == DKIM_STAT_OK);
	dkim_free(d);
	return ok;
}

int
main(int argc, char **argv)
{
	if (argc != 5) { fprintf(stderr, "usage: %s MESSAGE TXT N REPS\n", argv[0]); return 2; }
	FILE *f = fopen(argv[1], "rb");
	if (!f) { perror(argv[1]); return 2; }
	fseek(f, 0, SEEK_END); long len = ftell(f); fseek(f, 0, SEEK_SET);
	char *m = malloc(len + 1);
	if (fread(m, 1, len, f) != (size_t) len) { perror("read"); return 2; }
	m[len] = 0; fclose(f);
	txt = argv[2];
	long n = atol(argv[3]); int reps = atoi(argv[4]), r;
	parse(m, (size_t) len);

	DKIM_LIB *lib = dkim_init(NULL, NULL);
	if (!lib) { fprintf(stderr, "dkim_init failed\n"); return 1; }
	dkim_set_key_lookup(lib, key_lookup);
	printf("version libopendkim %lx\n", (unsigned long) dkim_libversion());

	for (r = 0; r <= reps; r++) {
		struct timespec t0, t1;
		long i, pass = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < n; i++) pass += verify_once(lib);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (r > 0)
			printf("rep %d %ld %.6f pass=%ld other=%ld\n", r, n,
			       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, pass, n - pass);
	}
	dkim_close(lib);
	return 0;
}
