/*-------------------------------------------------------------------------
 *
 * asan_preinit.c
 *	  Preloaded after libasan by test/asan.sh: makes AddressSanitizer start
 *	  before glibc's gettext lock is taken.
 *
 * The postmaster is not instrumented, so the ASan runtime is preloaded and
 * initializes itself lazily, at the first malloc.  The first malloc of a
 * PostgreSQL server happens in libgpg-error's constructor (pulled in through
 * GnuTLS by libldap), inside bindtextdomain() while it holds glibc's
 * _nl_state_lock for writing.  ASan's initialization calls dlerror(), which
 * translates its message with dcgettext() and so takes the same lock for
 * reading: the lock's state is corrupted and the next bindtextdomain() (the
 * server's own, in main()) waits forever.  Even "postgres -V" hangs.
 *
 * This library wraps bindtextdomain(): its first call makes one malloc
 * before any lock is held, so ASan is initialized there.
 *
 * It also hands UBSAN_OPTIONS to the UBSan runtime.  That runtime starts at
 * its first finding, long after main(), and reads its options from
 * /proc/self/environ, which PostgreSQL has overwritten with the process
 * title by then (ps_status.c moves the environment away first): the options
 * would be lost, and a finding would go to stderr and exit(1) instead of
 * being written to log_path and aborting.  getenv() still sees the moved
 * environment, so the runtime's hook for default options returns it.
 * (Its log_path still has no effect: libubsan's call to set its report path
 * binds to the same symbol exported by libasan, which comes first.  UBSan
 * findings go to the server log, which test/asan.sh searches.)
 *
 * test/asan_preinit.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>

typedef char *(*bindtextdomain_fn) (const char *, const char *);

char	   *bindtextdomain(const char *domainname, const char *dirname);

char *
bindtextdomain(const char *domainname, const char *dirname)
{
	static bindtextdomain_fn real;

	if (real == NULL)
	{
		void	   *volatile p = malloc(1); /* volatile: not optimized away */

		free(p);
		real = (bindtextdomain_fn) dlsym(RTLD_NEXT, "bindtextdomain");
		if (real == NULL)
			abort();
	}
	return real(domainname, dirname);
}

const char *__ubsan_default_options(void);

const char *
__ubsan_default_options(void)
{
	const char *o = getenv("UBSAN_OPTIONS");

	return o ? o : "";
}
