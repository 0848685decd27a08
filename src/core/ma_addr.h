/*-------------------------------------------------------------------------
 *
 * ma_addr.h
 *	  RFC 5322 address parsing (sections 3.4, 3.4.1 and 4.4) with the
 *	  extensions real messages need: RFC 2047 encoded words in display
 *	  names, RFC 6532 UTF-8 and IDNA domains (RFC 5890/5891, libidn2).
 *	  Pure C: never includes postgres.h; everything is malloc()ed and owned
 *	  by the result.
 *
 * Input: the value of an address header field (From, To, Cc, Bcc,
 * Reply-To, Sender, Resent-*), with or without folding (CRLF or LF followed
 * by a blank), or an address typed by hand.  len bytes are read; NUL bytes
 * are ordinary (invalid) bytes, never terminators.
 *
 * What is understood:
 *	- mailbox = name-addr / addr-spec: "Name" <local@domain>, local@domain;
 *	- address lists separated by ',' with empty elements (obs-mbox-list,
 *	  "a@x, , b@y", flagged obsolete_syntax at list level);
 *	- groups: "undisclosed-recipients:;" (no mailbox, ngroups counts it),
 *	  "team: a@x, b@y;" (both mailboxes carry MA_ADDR_GROUP and the group's
 *	  name);
 *	- comments, nested and with quoted-pairs, wherever CFWS may appear (and
 *	  elsewhere: they always separate tokens); quoted strings with
 *	  quoted-pairs; folding inside quoted strings and comments;
 *	- obs-angle-addr with a source route, <@a,@b:user@dom>: the route is
 *	  dropped (MA_ADDR_ROUTE);
 *	- domain literals [192.0.2.1], [IPv6:2001:db8::1] (normalised, see
 *	  domain below); anything else in brackets is bad_domain_literal;
 *	- obs-local-part and obs-domain: CFWS between the words and dots
 *	  ("john . doe @ example . com"), quoted words mixed with atoms
 *	  ("\"john\".doe@x"); obs-phrase with dots ("John Q. Public <j@x>");
 *	- the display name as a comment, "john@example.com (John Doe)": when a
 *	  mailbox has no phrase, the first comment outside its address becomes
 *	  the display name (MA_ADDR_COMMENT_NAME), as many mail readers show it;
 *	- missing angle brackets, "John Doe john@example.com": the words before
 *	  the last dot-separated run of words ahead of '@' are the display name
 *	  (MA_ADDR_NO_ANGLE, invalid);
 *	- recovery: unterminated quotes, comments, domain literals and angle
 *	  brackets end at the end of the element; junk after an address is
 *	  skipped up to the next ',' (trailing_junk).  Inside angle brackets
 *	  ',' ';' ':' do not end the element (a route may hold them), so an
 *	  unterminated '<' takes the rest of the input.
 *
 * Strings of a mailbox (every one valid UTF-8, NUL-free and free of control
 * characters: invalid UTF-8 sequences and control bytes become U+FFFD):
 *	display_name	the phrase, words joined by one space where CFWS separated
 *					them, quoted strings unquoted; RFC 2047 encoded words
 *					(Q and B, any charset iconv knows, "*lang" suffixes
 *					ignored) decoded to UTF-8 -- also inside quoted strings
 *					and glued to other text, as mail readers do; adjacent
 *					encoded words (only blanks between) are joined and their
 *					bytes converted together, so a character split across
 *					two words survives; an encoded word that cannot be
 *					decoded (bad base64 or Q escape, unknown charset) stays
 *					as written (bad_encoded_word).  Tabs and line breaks
 *					become spaces; no blanks at the ends.  NULL when none.
 *	local_part		the local part with comments and folding removed.  Quotes
 *					are removed only where the result is unambiguous: the
 *					words' contents (quoted-pairs unescaped) are joined with
 *					the dots and made clean text as above; when that text is
 *					a dot-atom (atext runs -- UTF-8 allowed -- separated by
 *					single dots) it is the local part, else it is requoted
 *					as one quoted string
 *					with '"' and '\' escaped: "\"john\"@x" gives john,
 *					"\"john\".doe@x" john.doe, "\"john doe\"@x" "john doe"
 *					(with the quotes), "\"a..b\"@x" "a..b" (quoted).  Case
 *					is kept.  "" when empty (empty_local_part).  Never NULL.
 *	domain			lowercased, A-label form (a UTF-8 domain is converted
 *					with ma_idn_to_ascii).  A literal is "[192.0.2.1]" or
 *					"[ipv6:2001:db8::1]" (inet_pton/inet_ntop normal form),
 *					other literals "[text]" as written, lowercased, blanks
 *					removed.  NULL when there is no domain.
 *	domain_unicode	U-label form (libidn2), checked by a round trip to the
 *					A-label; the domain itself when it has no A-label or
 *					cannot be converted.  NULL when there is no domain.
 *	addr_spec		local_part "@" domain, or local_part alone.  Never NULL.
 *	group			the display name of the enclosing group, or NULL.
 *
 * Flags (problems and remarks) are bits; MA_ADDR_INVALID_MASK selects those
 * that make a mailbox invalid (valid == no such bit).  List-level bits (not
 * tied to one mailbox) are in ma_addr_list.flags.  Codes (stable, exposed
 * to SQL as text):
 *
 *	bit  code                   invalid  meaning
 *	 0   obsolete_syntax          no     obs-local-part / obs-domain (CFWS
 *	                                     between words and dots, quoted and
 *	                                     plain words mixed), obs-phrase dot,
 *	                                     source route; list: empty elements
 *	 1   obsolete_route           no     <@a,@b:user@dom>, route dropped
 *	 2   group                    no     the mailbox is a member of a group
 *	 3   domain_literal           no     the domain is [literal]
 *	 4   utf8                     no     raw UTF-8 (valid only under RFC 6532
 *	                                     / SMTPUTF8; ma_hdrcheck reports it)
 *	 5   bad_encoded_word         no     an RFC 2047 word kept as written
 *	 6   comment_as_name          no     display name taken from a comment
 *	 7   too_many_mailboxes       no     list: more than MA_ADDR_MAX_MAILBOXES,
 *	                                     the rest of the input is not read
 *	 8   missing_angle_brackets   yes    "Name user@dom"
 *	 9   invalid_char             yes    a control byte, a special where it
 *	                                     is not allowed, or a line break
 *	                                     that is not a fold
 *	10   empty_local_part         yes    "@dom", "\"\"@dom", "<>"
 *	11   no_domain                yes    "user", "user@", "<user>"
 *	12   bad_local_part           yes    leading, trailing or double dot
 *	13   bad_domain               yes    empty label: "a..b", ".a", "a."
 *	14   bad_domain_literal       yes    [text] that is neither IPv4 nor
 *	                                     IPv6 (RFC 5321 4.1.3)
 *	15   local_part_too_long      yes    more than 64 octets (RFC 5321)
 *	16   domain_too_long          yes    more than 255 octets, A-label form
 *	17   label_too_long           yes    a label of more than 63 octets
 *	18   bad_idn                  yes    IDNA rejects the UTF-8 domain, or an
 *	                                     "xn--" label does not round-trip
 *	19   invalid_utf8             yes    8-bit bytes that are not UTF-8 (not
 *	                                     even RFC 6532 allows them)
 *	20   nul_byte                 yes    a NUL byte
 *	21   unterminated_quote       yes    '"' without its closing quote
 *	22   unterminated_comment     yes    '(' without its closing ')'
 *	23   unterminated_angle       yes    '<' without '>'
 *	24   unterminated_literal     yes    '[' without ']'
 *	25   unterminated_group       yes    list: "name:" without ';'
 *	26   trailing_junk            yes    text after the address
 *	27   syntax_error             yes    anything else: two words without a
 *	                                     dot inside <>, a nested group, junk
 *	                                     in a route; list: ';' outside a
 *	                                     group, no ',' after a group, a group
 *	                                     without a name
 *	28   empty                    yes    list: no mailbox and no group
 *	29   not_single               yes    ma_addr_parse_one: zero or several
 *	                                     mailboxes, or a group
 *
 * Bounds: at most MA_ADDR_MAX_MAILBOXES mailboxes (then too_many_mailboxes
 * and the rest is not parsed); work and memory are linear in len (one pass
 * of a tokenizer, comments nested to any depth with a counter, no
 * recursion); IDN conversion is skipped for domains whose size alone makes
 * them too long.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_ADDR_H
#define MA_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MA_ADDR_MAX_MAILBOXES	1000

#define MA_ADDR_OBSOLETE		(1u << 0)
#define MA_ADDR_ROUTE			(1u << 1)
#define MA_ADDR_GROUP			(1u << 2)
#define MA_ADDR_DOMAIN_LITERAL	(1u << 3)
#define MA_ADDR_UTF8			(1u << 4)
#define MA_ADDR_BAD_ENCODED_WORD (1u << 5)
#define MA_ADDR_COMMENT_NAME	(1u << 6)
#define MA_ADDR_TOO_MANY		(1u << 7)
#define MA_ADDR_NO_ANGLE		(1u << 8)
#define MA_ADDR_INVALID_CHAR	(1u << 9)
#define MA_ADDR_EMPTY_LOCAL		(1u << 10)
#define MA_ADDR_NO_DOMAIN		(1u << 11)
#define MA_ADDR_BAD_LOCAL		(1u << 12)
#define MA_ADDR_BAD_DOMAIN		(1u << 13)
#define MA_ADDR_BAD_LITERAL		(1u << 14)
#define MA_ADDR_LOCAL_TOO_LONG	(1u << 15)
#define MA_ADDR_DOMAIN_TOO_LONG (1u << 16)
#define MA_ADDR_LABEL_TOO_LONG	(1u << 17)
#define MA_ADDR_BAD_IDN			(1u << 18)
#define MA_ADDR_INVALID_UTF8	(1u << 19)
#define MA_ADDR_NUL				(1u << 20)
#define MA_ADDR_UNTERM_QUOTE	(1u << 21)
#define MA_ADDR_UNTERM_COMMENT	(1u << 22)
#define MA_ADDR_UNTERM_ANGLE	(1u << 23)
#define MA_ADDR_UNTERM_LITERAL	(1u << 24)
#define MA_ADDR_UNTERM_GROUP	(1u << 25)
#define MA_ADDR_TRAILING_JUNK	(1u << 26)
#define MA_ADDR_SYNTAX			(1u << 27)
#define MA_ADDR_EMPTY			(1u << 28)
#define MA_ADDR_NOT_SINGLE		(1u << 29)

#define MA_ADDR_NFLAGS			30
#define MA_ADDR_INVALID_MASK	0x3fffff00u

typedef struct ma_addr
{
	char	   *display_name;	/* decoded UTF-8, or NULL */
	char	   *local_part;		/* never NULL */
	char	   *domain;			/* lowercase A-label form, or NULL */
	char	   *domain_unicode; /* U-label form, or NULL */
	char	   *addr_spec;		/* local_part[@domain]; never NULL */
	char	   *group;			/* enclosing group's name, or NULL */
	uint32_t	flags;			/* MA_ADDR_* */
	bool		valid;			/* no MA_ADDR_INVALID_MASK bit */
} ma_addr;

typedef struct ma_addr_list
{
	ma_addr    *items;			/* the mailboxes, in order */
	int			n;
	int			ngroups;		/* groups met, empty ones included */
	uint32_t	flags;			/* list-level bits only */
	uint32_t	all_flags;		/* flags | every mailbox's flags */
	bool		valid;			/* a mailbox or a group, and no invalid bit
								 * in all_flags */
	/* private */
	int			cap;
	bool		oom;
} ma_addr_list;

/*
 * Parse an address-list (or mailbox-list) of len bytes into out, which need
 * not be initialised.  Returns 0, or -1 when out of memory (out is then
 * empty).  Free with ma_addr_list_free in both cases.
 */
extern int	ma_addr_parse_list(const char *s, size_t len, ma_addr_list *out);
extern void ma_addr_list_free(ma_addr_list *list);

/*
 * One mailbox: the first mailbox of the input (an empty one -- local_part
 * and addr_spec "", other strings NULL -- when there is none), with the
 * list-level bits added, and not_single when the input holds zero or
 * several mailboxes or uses group syntax.  Returns 0, or -1 when out of
 * memory.  Free the strings with ma_addr_free (not the struct itself).
 */
extern int	ma_addr_parse_one(const char *s, size_t len, ma_addr *out);
extern void ma_addr_free(ma_addr *a);

/* the code of one flag bit ("obsolete_syntax"), NULL for an unknown bit */
extern const char *ma_addr_flag_name(uint32_t bit);

/*
 * The codes of the bits of flags, in bit order, separated by sep, into buf
 * (NUL-terminated, truncated to buflen).  Returns the number of codes.
 */
extern int	ma_addr_flags_str(uint32_t flags, const char *sep, char *buf, size_t buflen);

/*
 * Decode the RFC 2047 encoded words of a header text (a Subject, a display
 * name) the way display names are decoded above, into a malloc()ed UTF-8
 * string (no NUL, no control characters; tabs and line breaks as spaces).
 * *bad (may be NULL) is set when an encoded word could not be decoded.
 * NULL only when out of memory.
 */
extern char *ma_addr_decode_words(const char *s, size_t len, bool *bad);

#endif							/* MA_ADDR_H */
