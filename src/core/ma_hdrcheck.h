/*-------------------------------------------------------------------------
 *
 * ma_hdrcheck.h
 *	  RFC 5322 hygiene of a message header: occurrence limits (3.6), address
 *	  syntax (3.4, with ma_addr.h), Date (3.3), Message-ID (3.6.4), line
 *	  lengths (2.1.1), field names (2.2, 3.6.8), bytes that have no place in
 *	  a header.  Pure C: never includes postgres.h; everything is malloc()ed
 *	  and owned by the result.
 *
 * Input: a raw message, len bytes, any line endings (CRLF or LF; a CR not
 * followed by LF is a bare CR), possibly truncated or binary.  The header
 * is the lines up to the first empty line (or the end of the input); an
 * mbox "From " line at the very start is skipped.  A line starting with a
 * blank continues the field above it.  The body is not examined.
 *
 * Findings: {severity, code, header, detail}.  severity is "error" (RFC
 * 5322 is violated: a MUST), "warning" (a SHOULD, obsolete syntax, or
 * something receivers distrust) or "info".  header is the field concerned
 * -- its usual spelling ("From", "Message-ID") for the fields named below,
 * else as written (sanitized, at most 100 bytes) -- or NULL for the message
 * as a whole.  detail is plain English for people, not a contract.  The
 * code is the contract (SQL: header_check(message)); codes are stable:
 *
 *	code                      severity  header       when
 *	no_header_fields          error     NULL         no header field at all
 *	                                                 (empty input, or an
 *	                                                 empty first line)
 *	missing_from              error     From         no From field (3.6)
 *	missing_date              error     Date         no Date field (3.6)
 *	duplicate_field           error     the field    more than one Date,
 *	                                                 From, Sender, Reply-To,
 *	                                                 To, Cc, Bcc, Message-ID,
 *	                                                 In-Reply-To, References
 *	                                                 or Subject (one finding
 *	                                                 per field name)
 *	from_multiple_no_sender   error     From         From holds several
 *	                                                 mailboxes and there is
 *	                                                 no Sender (3.6.2)
 *	sender_multiple           error     Sender       Sender holds more than
 *	                                                 one mailbox (3.6.2)
 *	from_group                warning   From/Sender  group syntax in From or
 *	                                                 Sender (only RFC 6854
 *	                                                 allows it, and says
 *	                                                 SHOULD NOT)
 *	invalid_address           error     the field    From, Sender, Reply-To,
 *	                                                 To, Cc or Bcc is not a
 *	                                                 valid address list
 *	                                                 (ma_addr flags with the
 *	                                                 invalid bit; detail
 *	                                                 names the first bad
 *	                                                 mailbox and its codes);
 *	                                                 From or Sender without
 *	                                                 any mailbox; an empty
 *	                                                 value (Bcc may be empty)
 *	obsolete_address          warning   the field    obsolete address syntax
 *	                                                 (obs-route, CFWS inside
 *	                                                 a local part or domain,
 *	                                                 obs-phrase, empty list
 *	                                                 elements)
 *	invalid_date              error     Date         not a date-time of 3.3
 *	                                                 (nor of 4.3 obsolete
 *	                                                 syntax), or an impossible
 *	                                                 date or time
 *	obsolete_date             warning   Date         parseable only with the
 *	                                                 obsolete syntax of 4.3:
 *	                                                 2- or 3-digit year,
 *	                                                 alphabetic zone (UT, GMT,
 *	                                                 EST..., military, other
 *	                                                 names taken as -0000),
 *	                                                 comments inside
 *	date_weekday_mismatch     warning   Date         the day name does not
 *	                                                 match the date
 *	date_in_future            warning   Date         more than one day ahead
 *	date_too_old              warning   Date         before 1990-01-01
 *	missing_message_id        warning   Message-ID   no Message-ID (3.6.4
 *	                                                 SHOULD)
 *	invalid_message_id        error     Message-ID   not "<left@right>" with
 *	                                                 dot-atom-text on both
 *	                                                 sides (or a [literal]
 *	                                                 right side), comments
 *	                                                 only around it
 *	obsolete_message_id       warning   Message-ID   a quoted-string left
 *	                                                 part (obs-id-left)
 *	missing_subject           warning   Subject      no Subject field
 *	empty_subject             warning   Subject      only blanks
 *	bad_encoded_word          warning   the field    an RFC 2047 encoded word
 *	                                                 of Subject or of a
 *	                                                 display name cannot be
 *	                                                 decoded
 *	eight_bit_header          warning   the field    8-bit bytes (valid UTF-8)
 *	                                                 not RFC 2047 encoded:
 *	                                                 only RFC 6532 (SMTPUTF8)
 *	                                                 allows them
 *	invalid_utf8_header       error     the field    8-bit bytes that are not
 *	                                                 UTF-8
 *	nul_byte                  error     the field    a NUL byte in the header
 *	bare_cr                   error     the field    a CR not followed by LF
 *	line_too_long             error     the field    a line of more than 998
 *	                                                 octets, CRLF excluded
 *	                                                 (2.1.1 MUST)
 *	line_over_78              info      first field  lines of more than 78
 *	                                                 octets (2.1.1 SHOULD);
 *	                                                 one finding, with a count
 *	invalid_field_name        error     as written   a name that is empty or
 *	                                                 holds bytes outside
 *	                                                 33..126 (3.6.8)
 *	space_before_colon        warning   the field    blanks between the name
 *	                                                 and ':' (obs-optional)
 *	malformed_line            error     NULL         lines that are neither a
 *	                                                 field nor a continuation
 *	                                                 (no ':'), or a
 *	                                                 continuation first;
 *	                                                 one finding, with a count
 *	no_body_separator         warning   NULL         the header is not ended
 *	                                                 by an empty line: no
 *	                                                 body, or truncated
 *	mbox_from_line            info      NULL         an mbox "From " line
 *	                                                 starts the input
 *	header_injection          error     the field    ma_hdrcheck_field only:
 *	                                                 the value holds a CR or
 *	                                                 LF that is not a fold
 *	                                                 (not followed by a
 *	                                                 blank), so it would end
 *	                                                 the field and start
 *	                                                 another, or the header
 *	findings_truncated        info      NULL         more than
 *	                                                 MA_HDRCHECK_MAX_FINDINGS;
 *	                                                 the rest were dropped
 *
 * Findings come in a stable order: per field in header order (structure,
 * bytes, then the field's own checks), then the message-level ones.
 * Work is linear in len.  At most MA_HDRCHECK_MAX_FINDINGS findings, then
 * one findings_truncated (and list->truncated).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_HDRCHECK_H
#define MA_HDRCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define MA_HDRCHECK_MAX_FINDINGS	200
#define MA_HDRCHECK_MAX_DOMAINS		100

typedef struct ma_hdrcheck_finding
{
	const char *severity;		/* static: "error", "warning", "info" */
	const char *code;			/* static: see the table above */
	char	   *header;			/* field name, or NULL */
	char	   *detail;			/* plain words; never NULL */
} ma_hdrcheck_finding;

typedef struct ma_hdrcheck_list
{
	ma_hdrcheck_finding *items;
	int			n;
	int			nerrors;
	int			nwarnings;
	bool		truncated;		/* findings_truncated was added */
	/* private */
	int			cap;
	bool		oom;
} ma_hdrcheck_list;

/*
 * Check the header of msg (len bytes) into out, which need not be
 * initialised; "now" for the Date checks is time(NULL).  Returns 0, or -1
 * when out of memory (out is then empty).  Free with ma_hdrcheck_list_free.
 */
extern int	ma_hdrcheck(const char *msg, size_t len, ma_hdrcheck_list *out);
/* the same with an explicit "now" */
extern int	ma_hdrcheck_at(const char *msg, size_t len, time_t now, ma_hdrcheck_list *out);

/*
 * Check one field as an application would set it: name and value (len
 * bytes, no "Name:" prefix; may hold folds).  Besides the byte and line
 * checks and the field's own checks (address syntax, Date, Message-ID,
 * Subject), a CR or LF not followed by a blank is header_injection.  The
 * message-level checks (missing_*, duplicate_field...) are not done.
 */
extern int	ma_hdrcheck_field(const char *name, const char *value, size_t len, time_t now,
							  ma_hdrcheck_list *out);

extern void ma_hdrcheck_list_free(ma_hdrcheck_list *list);

/*
 * The distinct domains of the From, Reply-To and To fields (every
 * occurrence), for the optional DNS checks: those of From first, then
 * Reply-To, then To, each once, with the fields it was seen in.  Only
 * domains that can be looked up are kept: no literal, ASCII (A-label)
 * letters, digits, '-' and '_', labels of 1..63 octets, at most 253
 * octets.  At most MA_HDRCHECK_MAX_DOMAINS (then truncated).
 */
#define MA_HDRCHECK_IN_FROM		1
#define MA_HDRCHECK_IN_REPLY_TO 2
#define MA_HDRCHECK_IN_TO		4

typedef struct ma_hdrcheck_domain
{
	char	   *domain;			/* lowercase A-label form */
	char	   *domain_unicode; /* U-label form */
	unsigned	fields;			/* MA_HDRCHECK_IN_* */
} ma_hdrcheck_domain;

typedef struct ma_hdrcheck_domain_list
{
	ma_hdrcheck_domain *items;
	int			n;
	bool		truncated;
	/* private */
	int			cap;
	bool		oom;
} ma_hdrcheck_domain_list;

/* Returns 0, or -1 when out of memory (out is then empty). */
extern int	ma_hdrcheck_domains(const char *msg, size_t len, ma_hdrcheck_domain_list *out);
extern void ma_hdrcheck_domain_list_free(ma_hdrcheck_domain_list *list);

#endif							/* MA_HDRCHECK_H */
