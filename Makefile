# mailauth: PGXS build.  `make demo` and `make test` are the README's commands.

EXTENSION = mailauth
# one source of truth for the version: the control file
EXTVERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" mailauth.control)

MODULE_big = mailauth
CORE_OBJS = src/core/ma_dns.o src/core/ma_dnswire.o src/core/ma_dnscache.o src/core/ma_dnsser.o src/core/ma_idn.o \
            src/core/ma_wave.o src/core/ma_spf.o src/core/ma_spflint.o src/core/ma_spf2.o \
            src/core/ma_authres.o src/core/ma_dmarc.o src/core/ma_dkimkey.o src/core/ma_dkim.o src/core/ma_msg.o \
            src/core/ma_dsn.o src/core/ma_dsn_lhost.o src/core/ma_bounce.o \
            src/core/ma_trust.o src/core/ma_report.o src/core/ma_addr.o src/core/ma_hdrcheck.o
OBJS = src/mailauth.o src/pg_bulk.o src/pg_dns.o src/pg_spf.o src/pg_authres.o src/pg_dmarc.o src/pg_dkim.o src/pg_dsn.o src/pg_trust.o src/pg_addr.o src/pg_shcache.o \
       $(CORE_OBJS)
DATA = mailauth--$(EXTVERSION).sql
PGFILEDESC = "mailauth - e-mail authentication in SQL"

REGRESS = init dns_types dns_cname dns_cache dns_bulk dns_errors dns_faults dns_hostile spf spf_lint authres dmarc dkim dkim_verify \
          dsn address trust setup sender_trust bulk parallel privileges bad_messages

DEPS_PKGS = libcares libidn2 libpsl libcrypto opendkim gmime-3.0
PG_CPPFLAGS = -I$(srcdir)/src -DMAILAUTH_VERSION=\"$(EXTVERSION)\" $(shell pkg-config --cflags $(DEPS_PKGS) 2>/dev/null)
SHLIB_LINK = $(shell pkg-config --libs $(DEPS_PKGS) 2>/dev/null) -lspf2
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare
ifdef WERROR
PG_CFLAGS += -Werror
endif

EXTRA_CLEAN = results regression.diffs regression.out $(UNIT_TESTS) $(ADAPTERS)

.DEFAULT_GOAL := all

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
all:
	@echo "PostgreSQL server development files not found: run 'make demo' or 'make test' (they install them), or tools/install-deps.sh" >&2
	@exit 1
endif

# every object depends on every header (PGXS tracks no header dependencies)
HEADERS = $(wildcard src/*.h src/core/*.h)
$(OBJS): $(HEADERS)

CORE_SRCS = $(CORE_OBJS:.o=.c)
CORE_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc $(shell pkg-config --cflags $(DEPS_PKGS) 2>/dev/null)

CORE_LIBS = $(shell pkg-config --libs $(DEPS_PKGS)) -lspf2

# the pure C core on its own (no postgres.h): unit tests and SPF adapters
UNIT_TESTS = test/unit/test_core test/unit/test_spf test/unit/test_spf2 test/unit/test_spf_diff \
             test/unit/test_authres test/unit/test_dmarc test/unit/test_dkimkey test/unit/test_dkim \
             test/unit/test_trust test/unit/test_dsn test/unit/test_bounce test/unit/test_addr test/unit/test_hdrcheck \
             test/unit/test_dnsser
ADAPTERS = test/spf/spf_adapter test/dmarc/dmarc_adapter test/dkim/dkim_adapter

test/unit/%: test/unit/%.c test/unit/ma_test.h $(CORE_SRCS) $(HEADERS)
	$(CC) $(CORE_CFLAGS) -o $@ $< $(CORE_SRCS) $(CORE_LIBS)

test/spf/%: test/spf/%.c $(CORE_SRCS) $(HEADERS)
	$(CC) $(CORE_CFLAGS) -o $@ $< $(CORE_SRCS) $(CORE_LIBS)

test/dmarc/%: test/dmarc/%.c $(CORE_SRCS) $(HEADERS)
	$(CC) $(CORE_CFLAGS) -o $@ $< $(CORE_SRCS) $(CORE_LIBS)

test/dkim/%: test/dkim/%.c $(CORE_SRCS) $(HEADERS)
	$(CC) $(CORE_CFLAGS) -o $@ $< $(CORE_SRCS) $(CORE_LIBS)

unit: $(UNIT_TESTS)
	for t in $(UNIT_TESTS); do $$t || exit 1; done

adapters: $(ADAPTERS)

unit-build: $(UNIT_TESTS)

print-unit-tests:
	@echo $(UNIT_TESTS)

demo:
	tools/demo.sh

test:
	test/run.sh

# the pg_regress suite and TAP scripts against an ASan + UBSan build loaded by
# a real server (test/asan.sh; reinstalls the normal build at the end)
asan-check:
	test/asan.sh

bench:
	tools/build.sh
	bench/run.sh
	bench/spf.sh
	bench/dkim.sh
	bench/dsn.sh
	bench/report.sh
	bench/audit.sh
	bench/shcache.sh
	bench/parallel.sh
	bench/chart.sh

.PHONY: unit unit-build print-unit-tests adapters demo test asan-check bench

# ---------------------------------------------------------------------------
# fuzzing: libFuzzer targets for the core's parsers, built with clang and
# ASan + UBSan (see fuzz/README.md).  `make fuzz-build`, `make fuzz
# FUZZ_TIME=600` (seconds per target), `make fuzz-smoke` (TAP, < 2 minutes).
# ---------------------------------------------------------------------------
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_TARGETS = fuzz_dnswire fuzz_spf_record fuzz_spf_eval fuzz_dmarc_record \
               fuzz_authres fuzz_dkimkey fuzz_dkim_verify fuzz_msg fuzz_addr fuzz_hdrcheck fuzz_dsn \
               fuzz_trust fuzz_report fuzz_dnsser
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wno-unused-function \
              $(FUZZ_SAN) -Isrc -Ifuzz $(shell pkg-config --cflags $(DEPS_PKGS) 2>/dev/null)
# the core as the unit tests build it (work in progress kept out: ma_dsn*, ma_bounce)
FUZZ_CORE_SRCS = $(CORE_SRCS)
FUZZ_CORE_OBJS = $(patsubst src/core/%.c,fuzz/bin/obj/%.o,$(FUZZ_CORE_SRCS))
FUZZ_BINS = $(addprefix fuzz/bin/,$(FUZZ_TARGETS))

fuzz/bin/obj/%.o: src/core/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

fuzz/bin/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h $(FUZZ_CORE_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_CORE_OBJS) $(CORE_LIBS)

# fuzz_dkim_verify without sanitizers, keeping each input in a file: for
# glibc's malloc checks and valgrind, which see heap corruption inside the
# uninstrumented libopendkim and OpenSSL (ASan does not); `fuzz/run.sh hunt`
fuzz/bin/plain/fuzz_dkim_verify: fuzz/fuzz_dkim_verify.c fuzz/fuzz_common.h $(FUZZ_CORE_SRCS) $(HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=gnu11 -gdwarf-4 -O1 -Isrc -Ifuzz $(shell pkg-config --cflags $(DEPS_PKGS) 2>/dev/null) \
	  -DFUZZ_SAVE_INPUT='"fuzz/bin/plain/last-input"' -fsanitize=fuzzer -o $@ $< $(FUZZ_CORE_SRCS) $(CORE_LIBS)

fuzz-build: $(FUZZ_BINS) fuzz/bin/plain/fuzz_dkim_verify

fuzz: fuzz-build
	fuzz/run.sh long $(FUZZ_TIME) $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	fuzz/run.sh smoke 0 $(FUZZ_TARGETS)

.PHONY: fuzz-build fuzz fuzz-smoke
