/*-------------------------------------------------------------------------
 *
 * ma_dsn.h
 *	  Bounces as rows: the pure C core behind mailauth.parse_dsn().
 *
 *	  ma_dsn_parse() takes one stored message (raw bytes, any line endings)
 *	  and fills an ma_dsn_result with one ma_dsn_rcpt per failed (or, for
 *	  success DSNs, delivered) recipient.  A message that is not a bounce, an
 *	  auto-reply or a feedback report gives zero rows (a challenge-response
 *	  request neither); an mbox of several messages gives the rows of each
 *	  in turn.  Every string in the result is valid UTF-8 (charsets
 *	  converted, invalid bytes replaced), NUL terminated, malloc'ed;
 *	  ma_dsn_free() releases all of it.  No postgres.h.
 *
 *	  The pipeline (ma_dsn.c): MIME with GMime 3 -> an ma_bmsg view of the
 *	  message (decoded headers, the human-readable text, the delivery-status
 *	  part, the original message's headers) -> decoders in order: ARF
 *	  (RFC 5965), RFC 3464 delivery-status, the text formats of real MTAs and
 *	  providers (ma_dsn_lhost.c), RFC 3834 auto-replies -> per recipient,
 *	  the reason from ma_bounce_reason_ex() (ma_bounce.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_DSN_H
#define MA_DSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* bounds: the work per message is bounded by these */
#define MA_DSN_MAX_RCPTS		10000	/* recipients reported at most */
#define MA_DSN_MAX_DEPTH		64		/* MIME nesting followed at most */
#define MA_DSN_MAX_TEXT			(1024 * 1024)	/* human-readable text kept, bytes */

typedef struct ma_dsn_rcpt
{
	char	   *recipient;			/* bare address, lowercased domain */
	char	   *original_recipient;
	char	   *action;				/* failed, delayed, delivered, relayed, expanded */
	char	   *status;				/* enhanced code as carried ("5.1.1"), or NULL */
	int			reply_code;			/* 550, or 0 when none */
	const char *reason;				/* static string: Sisimai 5.2 vocabulary */
	bool		hard_bounce;
	char	   *diagnostic_type;	/* "smtp" */
	char	   *diagnostic;			/* one line, whitespace collapsed */
	char	   *remote_mta;
	char	   *reporting_mta;
	/* times as seconds since the epoch (UTC); has_* false when absent */
	bool		has_arrival_date, has_last_attempt, has_will_retry_until;
	int64_t		arrival_date, last_attempt, will_retry_until;
	char	   *original_envelope_id;
	char	   *original_message_id;
	char	   *original_from;
	char	   *original_subject;
	char	   *feedback_type;		/* ARF Feedback-Type, else NULL */
	const char *source;				/* static: "rfc3464", "arf", "rfc3834", "postfix", ... */
} ma_dsn_rcpt;

typedef struct ma_dsn_result
{
	ma_dsn_rcpt *rcpts;
	size_t		n;
	size_t		cap;
	char		error[256];			/* set when ma_dsn_parse() returns false */
} ma_dsn_result;

/*
 * Parse one message.  Returns true with out->n rows (possibly 0) or false
 * with out->error set (allocation failure only: malformed input is never an
 * error, it gives what can be read of it).  out must be zeroed by the caller;
 * call ma_dsn_free() in both cases.
 */
extern bool ma_dsn_parse(const char *msg, size_t len, ma_dsn_result *out);
extern void ma_dsn_free(ma_dsn_result *r);

/* ---- internal contract between ma_dsn.c and its decoders ---- */

typedef struct ma_bhdr
{
	const char *name;			/* as written: name_len bytes, in the message
									 * when it can be (no NUL after it) */
	size_t		name_len;
	char	   *value;				/* unfolded, RFC 2047 decoded, UTF-8: NULL
									 * until read (ma_bmsg_value) */
	const char *raw;				/* unfolded, trimmed, not decoded */
	size_t		raw_len;
	uint32_t	key;				/* ma_bhdr_key() of the name */
} ma_bhdr;

/* a cheap key of a header name s[0..n) (case-insensitive) to compare first */
static inline uint32_t
ma_bhdr_key(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	return ((uint32_t) n << 24) ^ (((uint32_t) (unsigned char) s[0] | 0x20u) << 16) ^
		(((uint32_t) (unsigned char) s[n / 2] | 0x20u) << 8) ^ ((uint32_t) (unsigned char) s[n - 1] | 0x20u);
}

#define MA_BMSG_HIDX 128

/* the view of a message that decoders work on (built by ma_dsn.c) */
typedef struct ma_bmsg
{
	ma_bhdr    *headers;			/* top-level header fields, in order */
	size_t		nheaders;
	char	   *text;				/* human-readable text: the text/plain parts (or
									 * text/html stripped of tags) that are not the
									 * original message, decoded, UTF-8, LF line ends */
	size_t		text_len;
	const char *text_low;		/* text with ASCII letters lowercased (same
									 * length, then 8 NUL bytes), or NULL */
	char	   *dsn;				/* message/delivery-status part(s), decoded,
									 * UTF-8, LF line ends; NULL when none */
	size_t		dsn_len;
	char	   *feedback;			/* message/feedback-report part, or NULL */
	size_t		feedback_len;
	char	   *orig_headers;		/* header block of the returned original
									 * message (message/rfc822, text/rfc822-headers,
									 * or found inline in the text), as written
									 * (folded, not decoded), or NULL */
	size_t		orig_headers_len;
	const char *orig_to;			/* its first To: field, unfolded, decoded, or
									 * NULL */
	void	   *owner;				/* what decodes header values (ma_dsn.c) */
	/* the first header of each name, by key (1 + index; 0: empty) */
	uint16_t	hidx[MA_BMSG_HIDX];
	bool		hidx_full;			/* a name did not fit: search linearly */
} ma_bmsg;

/* first top-level header called name (case-insensitive), or NULL */
extern const char *ma_bmsg_header(const ma_bmsg *m, const char *name);
/* the decoded value of the top-level header i (decoded on first use) */
extern const char *ma_bmsg_value(const ma_bmsg *m, size_t i);

/* append a zeroed recipient row (NULL when MA_DSN_MAX_RCPTS reached or OOM) */
extern ma_dsn_rcpt *ma_dsn_add(ma_dsn_result *r);
/* replace *field with a malloc'ed, NUL-terminated, UTF-8-clean copy of s[0..n) */
extern void ma_dsn_setn(char **field, const char *s, size_t n);
extern void ma_dsn_set(char **field, const char *s);

/*
 * Text-format decoders (ma_dsn_lhost.c): each looks at the message and, when
 * it recognises its format, appends rows (recipient, status if carried,
 * reply_code, diagnostic, remote_mta, action, source) and returns how many;
 * else returns 0 and appends nothing.  Reasons are filled in afterwards.
 */
extern int	ma_dsn_lhost(const ma_bmsg *m, ma_dsn_result *r);

/* helpers for the decoders (ma_dsn.c) */

/* dst[0..n) = src[0..n) with the ASCII letters lowercased (dst may be src) */
extern void ma_dsn_lower(char *dst, const char *src, size_t n);
/* the first occurrence of nd[0..nn) in h[0..hn), or NULL (memmem()) */
extern const char *ma_dsn_memmem(const char *h, size_t hn, const char *nd, size_t nn);
/* case-insensitive search of needle in h[0..hn) (ASCII letters), or NULL */
extern const char *ma_dsn_memcasemem(const char *h, size_t hn, const char *needle);
/* the first e-mail address in s[0..n) ("<a@b>" first, else a bare a@b), domain
 * lowercased, into out; false when there is none */
extern bool ma_dsn_find_addr(const char *s, size_t n, char *out, size_t outlen);
/* set r->diagnostic to s[0..n) with whitespace collapsed to single spaces */
extern void ma_dsn_set_diag(ma_dsn_rcpt *r, const char *s, size_t n);
/* the same of r->diagnostic, a space and s[0..n) (r->diagnostic may be NULL) */
extern void ma_dsn_append_diag(ma_dsn_rcpt *r, const char *s, size_t n);
/* the enhanced status code a text carries (cls '2', '4', '5' or 0: any), chosen
 * among several as Sisimai does; false when none */
extern bool ma_dsn_find_status(const char *s, size_t n, char cls, char out[16]);
/* the SMTP reply code in a text (cls as above), 0 when none */
extern int	ma_dsn_find_reply(const char *s, size_t n, char cls);
/* Sisimai's choice between the Status field and the code found in the message */
extern void ma_dsn_prefer_status(const char *field, const char *inmsg, int reply, char out[16]);

/* ---- the reason classifier (ma_bounce.c) ---- */

/*
 * The Sisimai 5.2 reason word for a failed recipient, from what the bounce
 * says about it.  Any argument may be NULL/0.  diagnostic is the remote
 * server's reply text or the MTA's explanation; status the enhanced code;
 * reply_code the SMTP code; action the DSN action ("failed", "delayed",
 * "delivered"); source the decoder ("postfix", "rfc3464", ...); remote_mta
 * the host that answered (rhost rules: google, outlook, ...); text the
 * human-readable part of the bounce (used only when the diagnostic gives
 * nothing).  Returns a static string, never NULL ("undefined" when nothing
 * fits).
 */
extern const char *ma_bounce_reason(const char *diagnostic, const char *status,
									int reply_code, const char *action,
									const char *source, const char *remote_mta,
									const char *text);

/*
 * What ma_bounce_reason_ex() reads of the text of a bounce, kept between the
 * recipients of one message: zero it (or point it at another message's text)
 * and pass the same cache for every row of the message.
 */
typedef struct ma_bounce_textcache
{
	const char *text;				/* the text the rest is about */
	bool		tags_done;
	bool		mda_done;
	bool		mda;				/* a local delivery agent's error line */
	uint64_t	tags[4];			/* the phrases found in the text (internal) */
} ma_bounce_textcache;

/* the inputs of ma_bounce_reason_ex(); any may be NULL/0 */
typedef struct ma_bounce_in
{
	const char *diagnostic;
	const char *status;
	int			reply_code;
	const char *action;
	const char *source;
	const char *remote_mta;
	const char *recipient;		/* its domain may name the provider */
	const char *text;
	const char *diagnostic_type;	/* RFC 3464 Diagnostic-Code type: "smtp",
									 * "x-unix" (a local delivery program) ... */
	ma_bounce_textcache *cache;		/* NULL: the text is read for this row only */
} ma_bounce_in;

/* ma_bounce_reason() with the diagnostic type and a per-message cache */
extern const char *ma_bounce_reason_ex(const ma_bounce_in *in);

/* Sisimai >= 5 semantics: userunknown, hostunknown, hasmoved, and notaccept
 * with a permanent code, are hard bounces */
extern bool ma_bounce_is_hard(const char *reason, const char *status, int reply_code);

/* the first RFC 3463 enhanced status code in s ("5.1.1"), into out[16]; false if none */
extern bool ma_bounce_find_status(const char *s, char out[16]);

/* RFC 3463 + IANA registry */
typedef struct ma_smtp_status
{
	char		code[16];			/* normalised "5.7.26" */
	int			class_;				/* 2, 4 or 5 */
	int			subject;
	int			detail;
	bool		permanent;
	const char *class_text;			/* "Permanent Failure" */
	const char *subject_text;		/* "Security or Policy Status" */
	const char *description;		/* registry text for X.subject.detail, or NULL */
} ma_smtp_status;

/* parse and describe "5.7.26" (spaces trimmed); false when not a valid code */
extern bool ma_smtp_status_lookup(const char *code, ma_smtp_status *out);

#endif							/* MA_DSN_H */
