/*-------------------------------------------------------------------------
 *
 * dsn_tsv.c
 *	  Runs the bounce parser core (ma_dsn_parse) on message files and
 *	  prints one TSV row per recipient:
 *
 *	  file  index  recipient  status  reason  hardbounce  replycode  source  diagnostic
 *
 *	  index is 1-based per file, in the order the message lists its
 *	  recipients.  Tabs and newlines inside values are written as spaces.
 *
 *	  dsn_tsv [-n N] [-q] [-a] FILE...
 *	    -n N  parse every file N times (in-process; timing loop), print once
 *	    -q    print nothing but the timing line (to stderr)
 *	    -a    every field of every row, one "name=value" per column (to
 *	          compare two builds)
 *
 * Build:
 *	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc $(pkg-config --cflags gmime-3.0) \
 *		-o test/dsn/dsn_tsv test/dsn/dsn_tsv.c src/core/ma_dsn.c \
 *		src/core/ma_dsn_lhost.c src/core/ma_bounce.c $(pkg-config --libs gmime-3.0)
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dsn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
put(const char *s)
{
	if (s == NULL)
		return;
	for (; *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void
put_field(const char *name, const char *v)
{
	printf("\t%s=", name);
	put(v ? v : "(null)");
}

/* every other field of a row (-a) */
static void
put_all(const ma_dsn_rcpt *x)
{
	put_field("original_recipient", x->original_recipient);
	put_field("action", x->action);
	put_field("diagnostic_type", x->diagnostic_type);
	put_field("remote_mta", x->remote_mta);
	put_field("reporting_mta", x->reporting_mta);
	printf("\tarrival=%lld/%d\tlast=%lld/%d\tretry=%lld/%d",
		   (long long) x->arrival_date, x->has_arrival_date ? 1 : 0,
		   (long long) x->last_attempt, x->has_last_attempt ? 1 : 0,
		   (long long) x->will_retry_until, x->has_will_retry_until ? 1 : 0);
	put_field("envid", x->original_envelope_id);
	put_field("msgid", x->original_message_id);
	put_field("from", x->original_from);
	put_field("subject", x->original_subject);
	put_field("feedback_type", x->feedback_type);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf = NULL;
	size_t		cap = 0,
				n = 0;

	if (f == NULL)
		return NULL;
	for (;;)
	{
		size_t		k;

		if (n == cap)
		{
			char	   *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (nb == NULL)
			{
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		k = fread(buf + n, 1, cap - n, f);
		if (k == 0)
			break;
		n += k;
	}
	fclose(f);
	*len = n;
	return buf;
}

int
main(int argc, char **argv)
{
	int			loops = 1;
	bool		quiet = false;
	bool		all = false;
	int			a = 1;
	int			nfiles;
	char	  **data;
	size_t	   *lens;
	struct timespec t0,
				t1;
	long		msgs = 0;

	while (a < argc && argv[a][0] == '-')
	{
		if (strcmp(argv[a], "-n") == 0 && a + 1 < argc)
		{
			loops = atoi(argv[a + 1]);
			a += 2;
		}
		else if (strcmp(argv[a], "-q") == 0)
		{
			quiet = true;
			a++;
		}
		else if (strcmp(argv[a], "-a") == 0)
		{
			all = true;
			a++;
		}
		else
		{
			fprintf(stderr, "usage: dsn_tsv [-n N] [-q] [-a] FILE...\n");
			return 2;
		}
	}
	if (loops < 1)
		loops = 1;
	nfiles = argc - a;
	data = calloc((size_t) (nfiles > 0 ? nfiles : 1), sizeof(char *));
	lens = calloc((size_t) (nfiles > 0 ? nfiles : 1), sizeof(size_t));
	for (int i = 0; i < nfiles; i++)
	{
		data[i] = slurp(argv[a + i], &lens[i]);
		if (data[i] == NULL)
			fprintf(stderr, "dsn_tsv: cannot read %s\n", argv[a + i]);
	}
	if (!quiet)
		printf("file\tindex\trecipient\tstatus\treason\thardbounce\treplycode\tsource\tdiagnostic\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int l = 0; l < loops; l++)
		for (int i = 0; i < nfiles; i++)
		{
			ma_dsn_result r;

			if (data[i] == NULL)
				continue;
			memset(&r, 0, sizeof(r));
			if (!ma_dsn_parse(data[i], lens[i], &r))
				fprintf(stderr, "dsn_tsv: %s: %s\n", argv[a + i], r.error);
			msgs++;
			if (l == 0 && !quiet)
				for (size_t k = 0; k < r.n; k++)
				{
					const ma_dsn_rcpt *x = &r.rcpts[k];

					printf("%s\t%zu\t", argv[a + i], k + 1);
					put(x->recipient);
					putchar('\t');
					put(x->status);
					printf("\t%s\t%d\t", x->reason ? x->reason : "", x->hard_bounce ? 1 : 0);
					if (x->reply_code)
						printf("%d", x->reply_code);
					printf("\t%s\t", x->source ? x->source : "");
					put(x->diagnostic);
					if (all)
						put_all(x);
					putchar('\n');
				}
			ma_dsn_free(&r);
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (loops > 1 || quiet)
	{
		double		sec = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;

		fprintf(stderr, "dsn_tsv: %ld messages in %.3f s: %.0f messages/s\n", msgs, sec,
				sec > 0 ? (double) msgs / sec : 0.0);
	}
	for (int i = 0; i < nfiles; i++)
		free(data[i]);
	free(data);
	free(lens);
	return 0;
}
