/*-------------------------------------------------------------------------
 *
 * fuzz_addr.c
 *	  libFuzzer target: the RFC 5322 address parser (ma_addr.c) on the input
 *	  as an address-list, as a single mailbox and as text with RFC 2047
 *	  encoded words.
 *
 * Checked: the output contract of ma_addr.h (every string valid UTF-8
 * without control characters, local_part and addr_spec never NULL, domain
 * and domain_unicode together, lowercase domains, valid == no invalid bit,
 * at most MA_ADDR_MAX_MAILBOXES), parse_one agreeing with the list, and
 * the canonical form of a valid mailbox parsing back to itself.
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_addr.h"
#include "fuzz_common.h"

static bool
clean(const char *s)
{
	if (!fz_utf8_valid((const unsigned char *) s, strlen(s)))
		return false;
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static void
check_mailbox(const ma_addr *a)
{
	const char *const s[] = {a->display_name, a->local_part, a->domain, a->domain_unicode,
	a->addr_spec, a->group};

	FZ_CHECK(a->local_part && a->addr_spec, "NULL local_part or addr_spec");
	FZ_CHECK((a->domain == NULL) == (a->domain_unicode == NULL), "domain without U-label");
	FZ_CHECK(a->valid == !(a->flags & MA_ADDR_INVALID_MASK), "valid %d flags %x", a->valid,
			 a->flags);
	FZ_CHECK(!(a->flags & ~((1u << MA_ADDR_NFLAGS) - 1)), "unknown flag %x", a->flags);
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		FZ_CHECK(s[i] == NULL || clean(s[i]), "string %zu not clean text", i);
	if (a->display_name)
		FZ_CHECK(a->display_name[0] && a->display_name[0] != ' ' &&
				 a->display_name[strlen(a->display_name) - 1] != ' ', "untrimmed name");
	if (a->domain)
		for (const char *p = a->domain; *p; p++)
			FZ_CHECK(!(*p >= 'A' && *p <= 'Z'), "uppercase domain %s", a->domain);
	if (a->valid)
	{
		FZ_CHECK(a->domain && a->local_part[0], "valid without a domain or a local part");
		FZ_CHECK(strlen(a->local_part) <= 64, "valid with a long local part");
	}
}

/* the addr-spec of a valid mailbox parses back to the same mailbox */
static void
check_roundtrip(const ma_addr *a)
{
	ma_addr		b;

	if (!a->valid)
		return;
	FZ_CHECK(ma_addr_parse_one(a->addr_spec, strlen(a->addr_spec), &b) == 0, "oom");
	FZ_CHECK(b.valid, "\"%s\" does not parse back as valid (%x)", a->addr_spec, b.flags);
	FZ_CHECK(strcmp(a->local_part, b.local_part) == 0, "local part %s -> %s", a->local_part,
			 b.local_part);
	FZ_CHECK(b.domain && strcmp(a->domain, b.domain) == 0, "domain %s -> %s", a->domain,
			 b.domain ? b.domain : "NULL");
	FZ_CHECK(strcmp(a->domain_unicode, b.domain_unicode) == 0, "U-label %s -> %s",
			 a->domain_unicode, b.domain_unicode);
	FZ_CHECK(strcmp(a->addr_spec, b.addr_spec) == 0, "addr_spec %s -> %s", a->addr_spec,
			 b.addr_spec);
	ma_addr_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	ma_addr_list l;
	ma_addr		one;
	uint32_t	all;
	char	   *d;
	bool		bad = false;

	FZ_CHECK(ma_addr_parse_list(s, size, &l) == 0, "oom");
	FZ_CHECK(l.n >= 0 && l.n <= MA_ADDR_MAX_MAILBOXES, "n %d", l.n);
	FZ_CHECK(l.ngroups >= 0, "ngroups %d", l.ngroups);
	all = l.flags;
	for (int i = 0; i < l.n; i++)
	{
		check_mailbox(&l.items[i]);
		FZ_CHECK(!!(l.items[i].flags & MA_ADDR_GROUP) == (l.items[i].group != NULL),
				 "group flag and name disagree");
		all |= l.items[i].flags;
		if (i < 8)
			check_roundtrip(&l.items[i]);
	}
	FZ_CHECK(all == l.all_flags, "all_flags");
	FZ_CHECK(l.valid == !(l.all_flags & MA_ADDR_INVALID_MASK), "list valid");
	FZ_CHECK((l.n == 0 && l.ngroups == 0) == !!(l.flags & MA_ADDR_EMPTY), "empty flag");

	FZ_CHECK(ma_addr_parse_one(s, size, &one) == 0, "oom");
	check_mailbox(&one);
	if (l.n > 0)
		FZ_CHECK(strcmp(one.addr_spec, l.items[0].addr_spec) == 0, "parse_one differs");
	FZ_CHECK(one.valid == (l.valid && l.n == 1 && l.ngroups == 0), "parse_one validity");
	ma_addr_free(&one);
	ma_addr_list_free(&l);

	d = ma_addr_decode_words(s, size, &bad);
	FZ_CHECK(d != NULL, "oom");
	FZ_CHECK(clean(d) || !*d, "decoded text not clean");
	free(d);
	return 0;
}
