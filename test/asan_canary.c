/*-------------------------------------------------------------------------
 *
 * asan_canary.c
 *	  A deliberately broken SQL function, built with the same sanitizer
 *	  flags as mailauth.so by test/asan.sh: it proves that a heap overflow or
 *	  undefined behaviour inside a backend of the test cluster is reported
 *	  and caught by the script (a check that can fail) before the suite
 *	  runs.  Never installed: loaded from the harness's work directory.
 *
 * test/asan_canary.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(asan_canary);

Datum
asan_canary(PG_FUNCTION_ARGS)
{
	char	   *kind = text_to_cstring(PG_GETARG_TEXT_PP(0));

	if (strcmp(kind, "heap-use-after-free") == 0)
	{
		volatile char *p = malloc(8);

		free((void *) p);
		p[0] = 1;
	}
	else if (strcmp(kind, "signed-integer-overflow") == 0)
	{
		volatile int x = INT_MAX;
		int			y = x + 1;

		elog(NOTICE, "%d", y);
	}
	PG_RETURN_VOID();
}
