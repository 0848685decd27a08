/*-------------------------------------------------------------------------
 *
 * ma_dsn.h
 *	  Bounces as rows: the pure C core behind mailauth.parse_dsn().
 *
 *	  ma_dsn_parse() takes one stored message (raw bytes, any line endings)
 *	  and fills an ma_dsn_result with one ma_dsn_rcpt per failed (or, for
 *	  success DSNs, delivered) recipient.  A message that is not a bounce, an
 *	  auto-reply or a feedback report gives zero rows.  Every string in the
 *	  result is valid UTF-8 (charsets converted, invalid bytes replaced), NUL
 *	  terminated, malloc'ed; ma_dsn_free() releases all of it.  No postgres.h.
 *
 *	  The pipeline (ma_dsn.c): MIME with GMime 3 -> an ma_bmsg view of the
 *	  message (decoded headers, the human-readable text, the delivery-status
 *	  part, the original message's headers) -> decoders in order: ARF
 *	  (RFC 5965), RFC 3464 delivery-status, the text formats of real MTAs and
 *	  providers (ma_dsn_lhost.c), RFC 3834 auto-replies -> per recipient,
 *	  the reason from ma_bounce_reason() (ma_bounce.c).
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
	char	   *name;				/* as written */
	char	   *value;				/* unfolded, RFC 2047 decoded, UTF-8 */
} ma_bhdr;

/* the view of a message that decoders work on (built by ma_dsn.c) */
typedef struct ma_bmsg
{
	ma_bhdr    *headers;			/* top-level header fields, in order */
	size_t		nheaders;
	char	   *text;				/* human-readable text: the text/plain parts (or
									 * text/html stripped of tags) that are not the
									 * original message, decoded, UTF-8, LF line ends */
	size_t		text_len;
	char	   *dsn;				/* message/delivery-status part(s), decoded,
									 * UTF-8, LF line ends; NULL when none */
	size_t		dsn_len;
	char	   *feedback;			/* message/feedback-report part, or NULL */
	size_t		feedback_len;
	char	   *orig_headers;		/* header block of the returned original
									 * message (message/rfc822, text/rfc822-headers,
									 * or found inline in the text), or NULL */
	size_t		orig_headers_len;
} ma_bmsg;

/* first top-level header called name (case-insensitive), or NULL */
extern const char *ma_bmsg_header(const ma_bmsg *m, const char *name);

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

/* case-insensitive search of needle in h[0..hn), or NULL */
extern const char *ma_dsn_memcasemem(const char *h, size_t hn, const char *needle);
/* the first e-mail address in s[0..n) ("<a@b>" first, else a bare a@b), domain
 * lowercased, into out; false when there is none */
extern bool ma_dsn_find_addr(const char *s, size_t n, char *out, size_t outlen);
/* set r->diagnostic to s[0..n) with whitespace collapsed to single spaces */
extern void ma_dsn_set_diag(ma_dsn_rcpt *r, const char *s, size_t n);
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
