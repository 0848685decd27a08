/*-------------------------------------------------------------------------
 *
 * reason_eval.c
 *	  A harness for the reason classifier (src/core/ma_bounce.c): reads rows
 *	  of tab-separated inputs on stdin and prints one line per row,
 *	  "id<TAB>reason<TAB>hard" (hard: 1 or 0).
 *
 *	  Input columns: id, diagnostic, status, reply_code, action, source,
 *	  remote_mta, text (text with "\n" written as the two bytes \ n).
 *	  Missing or empty columns are NULL (reply_code 0).
 *
 *	  With -t N, every row is classified N times and the time per call is
 *	  printed on stderr.
 *
 * Build:
 *	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc -o test/dsn/reason_eval \
 *		test/dsn/reason_eval.c src/core/ma_bounce.c
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dsn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXCOL 8

int
main(int argc, char **argv)
{
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;
	long		repeat = 0;
	double		total = 0;
	long		calls = 0;

	if (argc == 3 && strcmp(argv[1], "-t") == 0)
		repeat = atol(argv[2]);
	while ((len = getline(&line, &cap, stdin)) > 0)
	{
		char	   *col[MAXCOL] = {0};
		char	   *p = line;
		const char *reason;
		int			reply;

		if (line[len - 1] == '\n')
			line[--len] = 0;
		for (int i = 0; i < MAXCOL && p; i++)
		{
			char	   *tab = strchr(p, '\t');

			col[i] = p;
			if (tab)
				*tab = 0;
			p = tab ? tab + 1 : NULL;
		}
		for (int i = 1; i < MAXCOL; i++)
			if (col[i] && !*col[i])
				col[i] = NULL;
		if (col[7])
		{
			char	   *r = col[7],
					   *w = col[7];

			for (; *r; r++)
			{
				if (r[0] == '\\' && r[1] == 'n')
				{
					*w++ = '\n';
					r++;
				}
				else
					*w++ = *r;
			}
			*w = 0;
		}
		reply = col[3] ? atoi(col[3]) : 0;
		reason = ma_bounce_reason(col[1], col[2], reply, col[4], col[5], col[6], col[7]);
		if (repeat > 0)
		{
			struct timespec t0,
						t1;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			for (long k = 0; k < repeat; k++)
				reason = ma_bounce_reason(col[1], col[2], reply, col[4], col[5], col[6], col[7]);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			total += (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
			calls += repeat;
		}
		printf("%s\t%s\t%d\n", col[0] ? col[0] : "", reason,
			   ma_bounce_is_hard(reason, col[2], reply) ? 1 : 0);
	}
	if (calls)
		fprintf(stderr, "%ld calls, %.3f us per call\n", calls, total / calls * 1e6);
	free(line);
	return 0;
}
