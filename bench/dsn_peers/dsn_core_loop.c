/*-------------------------------------------------------------------------
 *
 * dsn_core_loop.c
 *	  For bench/dsn.sh: the pure C core's ma_dsn_parse() over every *.eml
 *	  file of a folder, REPS times (round by round), without PostgreSQL.
 *	  Run under callgrind twice (REPS 1 and 3), the difference gives the
 *	  instructions one message costs in the core, file reading excluded.
 *
 *	  usage: dsn_core_loop DIR REPS   (prints "messages N rows R")
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dsn.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	DIR		   *d;
	struct dirent *e;
	char	  **bufs = NULL;
	size_t	   *lens = NULL;
	int			n = 0,
				reps;
	long		rows = 0;

	if (argc != 3 || (d = opendir(argv[1])) == NULL)
	{
		fprintf(stderr, "usage: dsn_core_loop DIR REPS\n");
		return 2;
	}
	reps = atoi(argv[2]);
	while ((e = readdir(d)) != NULL)
	{
		char		p[4096];
		FILE	   *f;
		long		l;
		size_t		len = strlen(e->d_name);

		if (len < 4 || strcmp(e->d_name + len - 4, ".eml") != 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", argv[1], e->d_name);
		if ((f = fopen(p, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		l = ftell(f);
		fseek(f, 0, SEEK_SET);
		bufs = realloc(bufs, sizeof(char *) * (n + 1));
		lens = realloc(lens, sizeof(size_t) * (n + 1));
		bufs[n] = malloc(l > 0 ? l : 1);
		lens[n] = fread(bufs[n], 1, l > 0 ? l : 0, f);
		fclose(f);
		n++;
	}
	closedir(d);
	for (int r = 0; r < reps; r++)
		for (int i = 0; i < n; i++)
		{
			ma_dsn_result res;

			memset(&res, 0, sizeof(res));
			if (ma_dsn_parse(bufs[i], lens[i], &res))
				rows += (long) res.n;
			ma_dsn_free(&res);
		}
	printf("messages %d rows %ld\n", n, rows);
	return 0;
}
