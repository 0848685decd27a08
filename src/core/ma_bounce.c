/*-------------------------------------------------------------------------
 *
 * ma_bounce.c
 *	  The reason classifier behind parse_dsn(): from what a bounce says about
 *	  one recipient (the remote server's reply, the enhanced status code, the
 *	  SMTP reply code, the DSN action, the decoder and the remote host), the
 *	  reason word of Sisimai 5.2's vocabulary (36 words), whether it is a
 *	  hard bounce, and the RFC 3463 / IANA description of status codes.
 *	  Pure C, no allocation.
 *
 * How a reason is chosen.
 *	The diagnostic is normalised once (ASCII lowercase, whitespace runs
 *	folded to one space, URL fragments dropped, padded with a space at both
 *	ends) and scanned once against every phrase of the tables below.  A
 *	phrase is looked for where a word starts (after a byte that is not a
 *	letter or a digit) or where it starts with punctuation, never inside a
 *	word; phrases are bucketed by their first 12 literal bytes (6 or 3 for
 *	the few shorter ones), so the scan costs a few bucket lookups per word.
 *	The scan yields a set of tags: reasons the text speaks for, the SMTP
 *	command the reply answered (from "in reply to RCPT TO command", "after
 *	MAIL FROM:", "did not like our final DATA", ...), and a few markers.
 *
 *	Then, in order (classify()):
 *	1. what the decoder knows for sure: ARF reports are "feedback", RFC 3834
 *	   auto-replies "vacation", success DSNs (action delivered/relayed/
 *	   expanded, 2.X.X) "delivered";
 *	2. facts about particular decoders' wording (src_rules: Outlook.com's
 *	   "mailbox unavailable" is a missing user, Google Groups' notices are
 *	   "rejected", ...) and providers with their own codes or documented
 *	   replies, recognised by the remote host or by the reply itself: Cox and
 *	   Spectrum AUP#, GoDaddy IBnnn, Orange/La Poste OFR/LPN, i.ua err/N,
 *	   Exchange RESOLVER.*, Microsoft 5.7.5xx-7xx, Google, Yahoo, Apple,
 *	   Tencent, KDDI, NTT docomo, Mimecast, MessageLabs, AOL;
 *	3. the decisive reasons, in this order, each true when its phrases match
 *	   (under the conditions of that reason: a user-unknown reply after DATA
 *	   is "filtered", after RCPT "userunknown", with neither "filtered"
 *	   except for decoders that report refused recipients; a sender phrase
 *	   counts for "rejected" only at MAIL FROM or DATA; ...) or when the
 *	   status code means it (X.2.2 mailboxfull, X.3.4 mesgtoobig, X.2.3
 *	   exceedlimit, X.1.6 hasmoved, X.7.2x authfailure, X.1.1 userunknown
 *	   unless the text speaks of something else, X.7.25 requireptr, ...):
 *	   mailererror (x-unix, procmail:), mailboxfull, mesgtoobig, exceedlimit,
 *	   suspend, hasmoved, norelaying, authfailure, userunknown, filtered,
 *	   requireptr, notcompliantrfc, badreputation, rejected, hostunknown,
 *	   notaccept, virusdetected, spamdetected, speeding, toomanyconn, blocked;
 *	4. a local delivery agent's error line in the text of the bounce
 *	   ("mail.local: unknown user", "maildrop: maildir over quota", ...);
 *	5. what a decoder reports by default (qmail's "wasn't able to establish
 *	   an SMTP connection" is a network error, ...);
 *	6. the status code, when it names a specific reason (Sisimai's pseudo
 *	   codes x.0.9xx included);
 *	7. the other phrase tables (virus, spam, policy, TLS, system, network,
 *	   content, expiry, security, mailer, syntax, ...);
 *	8. a refusal at MAIL FROM (rejected), the generic meaning of the code
 *	   (X.6.X contenterror, X.7.X securityerror, ...), a local delivery
 *	   program's failure ("Diagnostic-Code: X-Unix; ...": mailererror),
 *	   reply codes (50X syntaxerror, 521/556 notaccept, 523/524/538
 *	   failedstarttls), a delay warning (expired), a refusal at the greeting
 *	   or EHLO (blocked);
 *	9. action "delayed": expired; then "onhold" when there is a diagnostic
 *	   that says nothing we know, "undefined" when there is nothing at all.
 *
 *	Among the decisive reasons, an expiry beats the connection trouble met
 *	meanwhile when the code is X.4.7 ("delivery time expired") and the MTA
 *	says it gave up ("Message could not be delivered for 5 days").
 *
 *	The human-readable text of the bounce (the same for every recipient of
 *	the message: ma_bounce_reason_ex() keeps what it read of it in a
 *	per-message cache) is read only on demand, at most its first TEXT_CAP
 *	bytes:
 *	for the SMTP command when a user-unknown reply needs one and the
 *	diagnostic names none (transcripts, "in reply to RCPT TO command"), for
 *	local delivery agents' lines, for Amavis' real reason, and as the
 *	diagnostic when neither the diagnostic nor the status says anything.
 *	A status with a comment ("4.0.0 (host name lookup failure)") lends the
 *	comment as diagnostic when there is none.
 *
 * Sisimai (BSD-2, (C) azumakuniyuki) is the prior art for the vocabulary and
 * for which MTA messages mean what; the tables and the procedure here are
 * our own.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_dsn.h"
#include "ma_text.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------
 * Reasons and tags
 * ---------------------------------------------------------------------
 */
enum
{
	R_NONE = 0,
	R_USERUNKNOWN, R_MAILBOXFULL, R_EXPIRED, R_FILTERED, R_REJECTED,
	R_BLOCKED, R_HOSTUNKNOWN, R_FEEDBACK, R_AUTHFAILURE, R_NETWORKERROR,
	R_SUSPEND, R_POLICYVIOLATION, R_REQUIREPTR, R_SPAMDETECTED,
	R_SYSTEMERROR, R_NOTACCEPT, R_SECURITYERROR, R_MAILERERROR, R_ONHOLD,
	R_NORELAYING, R_HASMOVED, R_NOTCOMPLIANTRFC, R_TOOMANYCONN, R_VACATION,
	R_EXCEEDLIMIT, R_MESGTOOBIG, R_DELIVERED, R_BADREPUTATION,
	R_VIRUSDETECTED, R_CONTENTERROR, R_SYNTAXERROR, R_SPEEDING,
	R_FAILEDSTARTTLS, R_SYSTEMFULL, R_SUPPRESSED, R_UNDEFINED,
	R_COUNT,
	/* markers found in the text (not reasons) */
	T_CMD_CONN = R_COUNT,		/* refused at the greeting */
	T_CMD_HELO,					/* ... after EHLO/HELO */
	T_CMD_MAIL,					/* ... after MAIL FROM */
	T_CMD_RCPT,					/* ... after RCPT TO */
	T_CMD_DATA,					/* ... after DATA or the end of data */
	T_NOT_REJECTED,				/* "recipient address rejected": not the sender */
	T_UU_WEAK,					/* weak user-unknown phrases ("mailbox unavailable") */
	T_UU_STRONG,
	T_MAILER_STRONG,
	T_MDA_USERUNKNOWN,			/* a local delivery agent (mail.local, maildrop, ...) said so */
	T_MDA_MAILBOXFULL,
	T_MDA_SYSTEMFULL,
	T_MDA_SYSTEMERROR,			/* a local delivery program failed (x-unix, procmail:) */				/* a directory lookup said no: user unknown whatever the command */
	T_DELAY,
	T_BOILERPLATE,				/* the notification's own preamble, not a reply */					/* wording of a delay warning */
	T_GOOGLE,					/* the reply names a provider */
	T_MICROSOFT,
	T_YAHOO,
	T_APPLE,
	T_AOL,
	T_PCODE,					/* a provider's own code may follow ("AUP#", "OFR_", ...) */
	T_GAVEUP,					/* the MTA gave up: the queue lifetime ran out */
	T_TAG_COUNT
};

static const char *const reason_names[R_COUNT] = {
	[R_NONE] = "undefined",
	[R_USERUNKNOWN] = "userunknown",
	[R_MAILBOXFULL] = "mailboxfull",
	[R_EXPIRED] = "expired",
	[R_FILTERED] = "filtered",
	[R_REJECTED] = "rejected",
	[R_BLOCKED] = "blocked",
	[R_HOSTUNKNOWN] = "hostunknown",
	[R_FEEDBACK] = "feedback",
	[R_AUTHFAILURE] = "authfailure",
	[R_NETWORKERROR] = "networkerror",
	[R_SUSPEND] = "suspend",
	[R_POLICYVIOLATION] = "policyviolation",
	[R_REQUIREPTR] = "requireptr",
	[R_SPAMDETECTED] = "spamdetected",
	[R_SYSTEMERROR] = "systemerror",
	[R_NOTACCEPT] = "notaccept",
	[R_SECURITYERROR] = "securityerror",
	[R_MAILERERROR] = "mailererror",
	[R_ONHOLD] = "onhold",
	[R_NORELAYING] = "norelaying",
	[R_HASMOVED] = "hasmoved",
	[R_NOTCOMPLIANTRFC] = "notcompliantrfc",
	[R_TOOMANYCONN] = "toomanyconn",
	[R_VACATION] = "vacation",
	[R_EXCEEDLIMIT] = "exceedlimit",
	[R_MESGTOOBIG] = "mesgtoobig",
	[R_DELIVERED] = "delivered",
	[R_BADREPUTATION] = "badreputation",
	[R_VIRUSDETECTED] = "virusdetected",
	[R_CONTENTERROR] = "contenterror",
	[R_SYNTAXERROR] = "syntaxerror",
	[R_SPEEDING] = "speeding",
	[R_FAILEDSTARTTLS] = "failedstarttls",
	[R_SYSTEMFULL] = "systemfull",
	[R_SUPPRESSED] = "suppressed",
	[R_UNDEFINED] = "undefined",
};

typedef struct tagset
{
	uint64_t	w[2];
} tagset;

_Static_assert(T_TAG_COUNT <= 128, "tags fit a tagset");
_Static_assert(sizeof(((ma_bounce_textcache *) 0)->tags) >= sizeof(tagset), "a tagset fits the cache");

static inline void
ts_set(tagset *s, int t)
{
	s->w[t >> 6] |= (uint64_t) 1 << (t & 63);
}

static inline bool
ts_has(const tagset *s, int t)
{
	return (s->w[t >> 6] >> (t & 63)) & 1;
}

/* ---------------------------------------------------------------------
 * Phrase tables
 *
 * Lowercase.  Metacharacters: '*' any run of up to 120 bytes, '~' one word
 * (1 to 80 bytes without a space), '#' one or more digits, '%' a word
 * boundary (zero-width), '\' quotes the next byte.  A phrase starts with at
 * least three literal bytes (after an optional '%').  The text is padded
 * with a space at both ends, so " x" and "x " also match at the edges.
 * ---------------------------------------------------------------------
 */
typedef struct phrase
{
	const char *p;
	uint8_t		tag;
} phrase;

static const phrase phrases[] = {
	/* --- which SMTP command the reply answered --- */
	{"in reply to rcpt to command", T_CMD_RCPT},
	{"in reply to rcpt command", T_CMD_RCPT},
	{"after rcpt to:", T_CMD_RCPT},
	{"after rcpt command", T_CMD_RCPT},
	{"smtp:rcpt host", T_CMD_RCPT},
	{"smtp:data host", T_CMD_DATA},
	{"smtp:mail host", T_CMD_MAIL},
	{"after mail command", T_CMD_MAIL},
	{"after data command", T_CMD_DATA},
	{"after rcpt to ", T_CMD_RCPT},
	{"did not like our rcpt to", T_CMD_RCPT},
	{"does not like recipient.", T_CMD_RCPT},
	{"[rcpt_to]", T_CMD_RCPT},
	{">>> rcpt to:", T_CMD_RCPT},
	{"error following rcpt command", T_CMD_RCPT},
	{"rejected recipient <", T_CMD_RCPT},
	{"in reply to end of data command", T_CMD_DATA},
	{"in reply to data command", T_CMD_DATA},
	{"after end of data", T_CMD_DATA},
	{"after data:", T_CMD_DATA},
	{"did not like our final data", T_CMD_DATA},
	{"did not like our data", T_CMD_DATA},
	{"failed after i sent the message", T_CMD_DATA},
	{"[data]", T_CMD_DATA},
	{">>> data", T_CMD_DATA},
	{"in reply to mail from command", T_CMD_MAIL},
	{"in reply to mail command", T_CMD_MAIL},
	{"after mail from:", T_CMD_MAIL},
	{"after mail from ", T_CMD_MAIL},
	{"did not like our mail from", T_CMD_MAIL},
	{"but sender was rejected", T_CMD_MAIL},
	{"[mail_from]", T_CMD_MAIL},
	{">>> mail from:", T_CMD_MAIL},
	{"in reply to ehlo command", T_CMD_HELO},
	{"in reply to helo command", T_CMD_HELO},
	{"after ehlo ", T_CMD_HELO},
	{"after helo ", T_CMD_HELO},
	{"but my name was rejected", T_CMD_HELO},
	{"refused to talk to me", T_CMD_CONN},
	{"after initial connection", T_CMD_CONN},
	{"in reply to initial greeting", T_CMD_CONN},
	{"in reply to greeting", T_CMD_CONN},
	{"while connecting to", T_CMD_CONN},

	/* --- providers named in the reply --- */
	{" gsmtp", T_GOOGLE},
	{"support.google.com", T_GOOGLE},
	{"gmail-smtp-in.l.google.com", T_GOOGLE},
	{"aspmx.l.google.com", T_GOOGLE},
	{"prod.outlook.com", T_MICROSOFT},
	{"protection.outlook.com", T_MICROSOFT},
	{"outlook.com", T_MICROSOFT},
	{"hotmail.com", T_MICROSOFT},
	{"postmaster.yahooinc.com", T_YAHOO},
	{"postmaster.verizonmedia.com", T_YAHOO},
	{"yahoodns.net", T_YAHOO},
	{"support.apple.com", T_APPLE},
	{"mail.icloud.com", T_APPLE},
	{"mx.aol.com", T_AOL},

	/* --- local delivery agents (their errors, in the text of the bounce) --- */
	{"mail.local: unknown user", T_MDA_USERUNKNOWN},
	{"mail.local: user unknown", T_MDA_USERUNKNOWN},
	{"mail.local: invalid mailbox path", T_MDA_USERUNKNOWN},
	{"mail.local: user missing home directory", T_MDA_USERUNKNOWN},
	{"mail.local: disc quota exceeded", T_MDA_MAILBOXFULL},
	{"mail.local: mailbox full or quota exceeded", T_MDA_MAILBOXFULL},
	{"mail.local: temporary file write error", T_MDA_SYSTEMERROR},
	{"procmail: quota exceeded while writing", T_MDA_MAILBOXFULL},
	{"procmail: no space left to finish writing", T_MDA_SYSTEMFULL},
	{"maildrop: invalid user specified", T_MDA_USERUNKNOWN},
	{"maildrop: cannot find system user", T_MDA_USERUNKNOWN},
	{"maildrop: maildir over quota", T_MDA_MAILBOXFULL},
	{"vdelivermail: sorry, no mailbox here by that name", T_MDA_USERUNKNOWN},
	{"vdelivermail: user is over quota", T_MDA_MAILBOXFULL},
	{"vdelivermail: domain is over quota", T_MDA_MAILBOXFULL},
	{"vdeliver: invalid or unknown", T_MDA_USERUNKNOWN},
	{"vdeliver: user name does not refer to a virtual user", T_MDA_USERUNKNOWN},
	{"vdeliver: delivery failed due to system quota violation", T_MDA_MAILBOXFULL},
	{"was automatically rejected: quota exceeded", T_MDA_MAILBOXFULL},

	/* --- markers --- */
	{"this is the mail system at host", T_BOILERPLATE},
	{"i'm sorry to have to inform you that your message could not", T_BOILERPLATE},
	{"this is the mail delivery agent at", T_BOILERPLATE},
	{"this message was created automatically by mail delivery software", T_BOILERPLATE},
	{"recipient address rejected", T_NOT_REJECTED},
	{"sender ip address rejected", T_NOT_REJECTED},
	{"5.1.0 address rejected", T_NOT_REJECTED},
	{"has been delayed", T_DELAY},
	{"delivery has been delayed", T_DELAY},
	{"delivery is delayed", T_DELAY},
	{"will be retried", T_DELAY},
	{"will retry ", T_DELAY},
	{"still trying", T_DELAY},
	{"delivery attempts will continue", T_DELAY},
	{"message still undelivered", T_DELAY},
	{"not yet been delivered", T_DELAY},
	{"this is a warning message only", T_DELAY},
	{"warning: message ", T_DELAY},

	/* --- userunknown --- */
	{"recipnotfound", T_UU_STRONG},
	{"recipientnotfound", T_UU_STRONG},
	{"000c05a6", T_UU_STRONG},
	{"recipient name is not recognized", T_UU_STRONG},
	{"?p=nosuchuser", T_UU_STRONG},
	{"and other recipients in the same domain", T_UU_STRONG},
	{"no valid recipients for this mm", T_UU_STRONG},
	{"because the address couldn't be found. check for typos", T_UU_STRONG},
	{"not listed in domino directory", T_UU_STRONG},
	{"not listed in public name & address book", T_UU_STRONG},
	{"user unknown", R_USERUNKNOWN},
	{"requested action not taken: mailbox unavailable", R_USERUNKNOWN},
	{"recipient is not accepted", R_USERUNKNOWN},
	{"recipient refuses to accept your mail", R_USERUNKNOWN},
	{"no such address here", R_USERUNKNOWN},
	{"account unavailable", R_USERUNKNOWN},
	{"mailbox unavaiable", R_USERUNKNOWN},
	{">... blocked by ", R_USERUNKNOWN},
	{"user (~) unknown", R_USERUNKNOWN},
	{"recipient address rejected: userunknown", R_USERUNKNOWN},
	{"recipient address rejected: unknown user", R_USERUNKNOWN},
	{"does not exist at the organization", R_USERUNKNOWN},
	{"this email address is wrong or no longer valid", R_USERUNKNOWN},
	{"email name is not found", R_USERUNKNOWN},
	{"weil die adresse nicht gefunden wurde", R_USERUNKNOWN},
	{"unknown user", R_USERUNKNOWN},
	{"user is unknown", R_USERUNKNOWN},
	{"unknown or illegal user", R_USERUNKNOWN},
	{"unknown recipient", R_USERUNKNOWN},
	{"recipient unknown", R_USERUNKNOWN},
	{"recipient is unknown", R_USERUNKNOWN},
	{"unknown local part", R_USERUNKNOWN},
	{"unknown local-part", R_USERUNKNOWN},
	{"unknown mailbox", R_USERUNKNOWN},
	{"unknown e-mail address", R_USERUNKNOWN},
	{"unknown email address", R_USERUNKNOWN},
	{"address unknown", R_USERUNKNOWN},
	{"no such user", R_USERUNKNOWN},
	{"no such recipient", R_USERUNKNOWN},
	{"no such mailbox", R_USERUNKNOWN},
	{"no such person", R_USERUNKNOWN},
	{"no such address", R_USERUNKNOWN},
	{"no such account", R_USERUNKNOWN},
	{"no such local user", R_USERUNKNOWN},
	{"no such e-mail address", R_USERUNKNOWN},
	{"no such email address", R_USERUNKNOWN},
	{"no mailbox here by that name", R_USERUNKNOWN},
	{"no mailbox by that name", R_USERUNKNOWN},
	{"no mailbox found", R_USERUNKNOWN},
	{"no mailbox for ", R_USERUNKNOWN},
	{"no account by that name", R_USERUNKNOWN},
	{"no mail box available for this user", R_USERUNKNOWN},
	{"mailbox not found", R_USERUNKNOWN},
	{"mailbox not present", R_USERUNKNOWN},
	{"mailbox does not exist", R_USERUNKNOWN},
	{"mailbox doesn't exist", R_USERUNKNOWN},
	{"mailbox does not exit", R_USERUNKNOWN},
	{"mailbox ~ does not exist", R_USERUNKNOWN},
	{"mailbox invalid", R_USERUNKNOWN},
	{"mailbox is invalid", R_USERUNKNOWN},
	{"mailbox is inactive", R_USERUNKNOWN},
	{"mailbox name not allowed", R_USERUNKNOWN},
	{"invalid mailbox", R_USERUNKNOWN},
	{"invalid recipient", R_USERUNKNOWN},
	{"invalid-recipient", R_USERUNKNOWN},
	{"invalid user", R_USERUNKNOWN},
	{"invalid final delivery userid", R_USERUNKNOWN},
	{"invalid address", R_USERUNKNOWN},
	{"invalid e-mail address", R_USERUNKNOWN},
	{"invalid email address", R_USERUNKNOWN},
	{"recipient not found", R_USERUNKNOWN},
	{"recipient ~ not found", R_USERUNKNOWN},
	{"recipient does not exist", R_USERUNKNOWN},
	{"recipient doesn't exist", R_USERUNKNOWN},
	{"recipient not exist", R_USERUNKNOWN},
	{"recipient is not local", R_USERUNKNOWN},
	{"recipient not ok", R_USERUNKNOWN},
	{"recipient ~ was not found in", R_USERUNKNOWN},
	{"recipientnotfound", R_USERUNKNOWN},
	{"recipnotfound", R_USERUNKNOWN},
	{"recipient address rejected: access denied", R_USERUNKNOWN},
	{"recipient address rejected.", R_USERUNKNOWN},
	{"recipient address rejected: invalid", R_USERUNKNOWN},
	{"recipient address rejected: user ~ does not exist", R_USERUNKNOWN},
	{"recipient rejected: unknown", R_USERUNKNOWN},
	{"user does not exist", R_USERUNKNOWN},
	{"user doesn't exist", R_USERUNKNOWN},
	{"user not exist", R_USERUNKNOWN},
	{"user not found", R_USERUNKNOWN},
	{"user not known", R_USERUNKNOWN},
	{"user not active", R_USERUNKNOWN},
	{"user ~ does not exist", R_USERUNKNOWN},
	{"user ~ not found", R_USERUNKNOWN},
	{"user ~ was not found", R_USERUNKNOWN},
	{"user missing home directory", R_USERUNKNOWN},
	{"user not listed in ", R_USERUNKNOWN},
	{"user doesn't have a ~ account", R_USERUNKNOWN},
	{"address does not exist", R_USERUNKNOWN},
	{"address doesn't exist", R_USERUNKNOWN},
	{"address not present in directory", R_USERUNKNOWN},
	{"address not found", R_USERUNKNOWN},
	{"address couldn't be found", R_USERUNKNOWN},
	{"address could not be found", R_USERUNKNOWN},
	{"email account that you tried to reach does not exist", R_USERUNKNOWN},
	{"email address does not exist", R_USERUNKNOWN},
	{"email address could not be found", R_USERUNKNOWN},
	{"account does not exist", R_USERUNKNOWN},
	{"account ~ does not exist", R_USERUNKNOWN},
	{"account doesn't exist", R_USERUNKNOWN},
	{"account not found", R_USERUNKNOWN},
	{"not a valid mailbox", R_USERUNKNOWN},
	{"not a valid recipient", R_USERUNKNOWN},
	{"not a valid user", R_USERUNKNOWN},
	{"not a known user", R_USERUNKNOWN},
	{"not a local address", R_USERUNKNOWN},
	{"not an active address", R_USERUNKNOWN},
	{"not our customer", R_USERUNKNOWN},
	{"bad recipient", R_USERUNKNOWN},
	{"bad-recipient", R_USERUNKNOWN},
	{"bad_recipient", R_USERUNKNOWN},
	{"bad destination mailbox address", R_USERUNKNOWN},
	{"bad address", R_USERUNKNOWN},
	{"badrcptto", R_USERUNKNOWN},
	{"destination addresses were unknown", R_USERUNKNOWN},
	{"destination server rejected recipients", R_USERUNKNOWN},
	{"non-existent user", R_USERUNKNOWN},
	{"nonexistent user", R_USERUNKNOWN},
	{"non existent user", R_USERUNKNOWN},
	{"there is no one at this address", R_USERUNKNOWN},
	{"address is no longer valid", R_USERUNKNOWN},
	{"no longer valid", R_USERUNKNOWN},
	{"inactive email address", R_USERUNKNOWN},
	{"can't accept user", R_USERUNKNOWN},
	{"no valid recipients for this mm", R_USERUNKNOWN},
	{"unable to deliver message to <", R_USERUNKNOWN},
	{"not listed in public name & address book", R_USERUNKNOWN},
	{"not listed in domino directory", R_USERUNKNOWN},
	/* Domino's French and Japanese wordings of it */
	{"non r\xc3\xa9pertori\xc3\xa9 dans l'annuaire domino", R_USERUNKNOWN},
	{"domino \xe3\x83\x87\xe3\x82\xa3\xe3\x83\xac\xe3\x82\xaf\xe3\x83\x88\xe3\x83\xaa\xe3\x81\xab\xe3\x81\xaf\xe8\xa6\x8b\xe3\x81\xa4\xe3\x81\x8b\xe3\x82\x8a\xe3\x81\xbe\xe3\x81\x9b\xe3\x82\x93", R_USERUNKNOWN},
	{"the following recipients was undeliverable", R_USERUNKNOWN},
	{"vdeliver: invalid or unknown virtual user", R_USERUNKNOWN},
	{"invalid or unknown virtual user", R_USERUNKNOWN},
	{"user name does not refer to a virtual user", R_USERUNKNOWN},
	{"cannot find system user", R_USERUNKNOWN},
	{"invalid user specified", R_USERUNKNOWN},
	{"invalid mailbox path", R_USERUNKNOWN},
	{"#5.1.1 bad address", R_USERUNKNOWN},
	{"utilisateur inconnu", R_USERUNKNOWN},
	{"destinataire inconnu", R_USERUNKNOWN},
	{"destinataire invalide", R_USERUNKNOWN},
	{"adresse d au moins un destinataire invalide", R_USERUNKNOWN},
	{"unbekannter empf", R_USERUNKNOWN},
	{"benutzer unbekannt", R_USERUNKNOWN},
	{"usuario desconocido", R_USERUNKNOWN},
	{"no existe dicha persona", R_USERUNKNOWN},
	{"no existe ese usuario", R_USERUNKNOWN},
	{"nessun utente simile", R_USERUNKNOWN},
	{"utente inesistente", R_USERUNKNOWN},
	{"this spectator does not exist", R_USERUNKNOWN},
	{"sorry, your envelope recipient has been denied", R_USERUNKNOWN},
	{"your envelope recipient is in my badrcptto list", R_USERUNKNOWN},
	{"recipient is in my badrecipientto list", R_USERUNKNOWN},
	{"recipient is not in my validrcptto list", R_USERUNKNOWN},
	{"rcpt <~> does not exist", R_USERUNKNOWN},
	{"550 address invalid", R_USERUNKNOWN},
	{"said: 550 5.1.1 ", R_USERUNKNOWN},
	/* weak ones: count only with a matching code or RCPT */
	{"mailbox unavailable", T_UU_WEAK},
	{"mailbox is unavailable", T_UU_WEAK},
	{"mailbox currently unavailable", T_UU_WEAK},
	{"recipient rejected", T_UU_WEAK},
	{"no valid recipients", T_UU_WEAK},
	{"all recipients were rejected", T_UU_WEAK},
	{"does not exist.", T_UU_WEAK},

	/* --- filtered --- */
	{"because the recipient is only accepting mail from specific email addresses", R_FILTERED},
	{"due to extended inactivity new mail is not currently being accepted", R_FILTERED},
	{"has restricted sms e-mail", R_FILTERED},
	{"is not accepting any mail", R_FILTERED},
	{"message rejected due to user rules", R_FILTERED},
	{"not found recipient account", R_FILTERED},
	{"refused due to recipient preferences", R_FILTERED},
	{"they are not accepting mail from", R_FILTERED},	/* AOL, older notices */
	{"resolver.rst.notauthorized", R_FILTERED},
	{"this account is protected by", R_FILTERED},
	{"user reject", R_FILTERED},
	{"user refuses to receive this mail", R_FILTERED},
	{"recipient id refuse to receive mail", R_FILTERED},
	{"the recipient refuses", R_FILTERED},
	{"recipient refuses your mail", R_FILTERED},
	{"refuse to receive mail", R_FILTERED},
	{"you have been blocked by the recipient", R_FILTERED},
	{"blocked by recipient", R_FILTERED},
	{"message rejected by recipient", R_FILTERED},
	{"bounced address", R_FILTERED},
	{"message filtered", R_FILTERED},
	{"filtered by recipient", R_FILTERED},
	{"mail is rejected by recipients", R_FILTERED},

	/* --- mailboxfull --- */
	{"mailbox full", R_MAILBOXFULL},
	{"not sufficient disk space", R_MAILBOXFULL},
	{"452 insufficient disk space", R_MAILBOXFULL},
	{"enough ~ space", R_MAILBOXFULL},
	{"over ~ quota", R_MAILBOXFULL},
	{"account is ~ quota", R_MAILBOXFULL},
	{"account is temporarily over quota", R_MAILBOXFULL},
	{"as their mailbox is full", R_MAILBOXFULL},
	{"mailbox is full", R_MAILBOXFULL},
	{"mailbox would be full", R_MAILBOXFULL},
	{"mailbox over quota", R_MAILBOXFULL},
	{"disk quota exceeded", R_MAILBOXFULL},	/* qmail-local: EDQUOT */
	{"mailbox quota", R_MAILBOXFULL},
	{"mailbox size limit exceeded", R_MAILBOXFULL},
	{"mailbox exceeded the local limit", R_MAILBOXFULL},
	{"mailbox has exceeded", R_MAILBOXFULL},
	{"mailbox would exceed", R_MAILBOXFULL},
	{"mailbox exceeds allowed size", R_MAILBOXFULL},
	{"mailbox exceeds", R_MAILBOXFULL},
	{"mailfolder is full", R_MAILBOXFULL},
	{"maildir over quota", R_MAILBOXFULL},
	{"userdisk quota", R_MAILBOXFULL},
	{"domaindisk quota", R_MAILBOXFULL},
	{"full mailbox", R_MAILBOXFULL},
	{"inbox is full", R_MAILBOXFULL},
	{"inbox is out of storage space", R_MAILBOXFULL},
	{"out of storage space", R_MAILBOXFULL},
	{"over quota", R_MAILBOXFULL},
	{"overquota", R_MAILBOXFULL},
	{"over the quota", R_MAILBOXFULL},
	{"over the allowed quota", R_MAILBOXFULL},
	{"over disk quota", R_MAILBOXFULL},
	{"over its quota", R_MAILBOXFULL},
	{"over their quota", R_MAILBOXFULL},
	{"exceeding their quota", R_MAILBOXFULL},
	{"exceeding its mailbox quota", R_MAILBOXFULL},
	{"exceeded their quota", R_MAILBOXFULL},
	{"exceeded its quota", R_MAILBOXFULL},
	{"exceeded quota", R_MAILBOXFULL},
	{"quota exceeded", R_MAILBOXFULL},
	{"quota exceed", R_MAILBOXFULL},
	{"quota violation", R_MAILBOXFULL},
	{"quota reached", R_MAILBOXFULL},
	{"reached disk quota", R_MAILBOXFULL},
	{"disk quota", R_MAILBOXFULL},
	{"disc quota", R_MAILBOXFULL},
	{"exceeded storage allocation", R_MAILBOXFULL},
	{"storage quota", R_MAILBOXFULL},
	{"storage limit", R_MAILBOXFULL},
	{"storage space", R_MAILBOXFULL},
	{"not enough storage space", R_MAILBOXFULL},
	{"does not have enough space", R_MAILBOXFULL},
	{"insufficient storage", R_MAILBOXFULL},
	{"space has been used up", R_MAILBOXFULL},
	{"mail file size exceeds the maximum size allowed for mail delivery", R_MAILBOXFULL},
	{"too much mail data", R_MAILBOXFULL},
	{"too many messages on the server", R_MAILBOXFULL},
	{"number of messages in recipient's mailbox exceeded", R_MAILBOXFULL},
	{"account disabled temporarly for exceeding receiving limits", R_MAILBOXFULL},
	{"boite du destinataire pleine", R_MAILBOXFULL},
	{"boite pleine", R_MAILBOXFULL},
	{"postfach voll", R_MAILBOXFULL},
	{"speicherplatz", R_MAILBOXFULL},
	{"casella piena", R_MAILBOXFULL},
	{"buzon lleno", R_MAILBOXFULL},

	/* --- mesgtoobig --- */
	{"message too big", R_MESGTOOBIG},
	{"message is too big", R_MESGTOOBIG},
	{"message too large for this system", R_MESGTOOBIG},
	{"message too large for this server", R_MESGTOOBIG},
	{"message size exceeds fixed limit", R_MESGTOOBIG},
	{"exceeds my databytes limit", R_MESGTOOBIG},	/* qmail-smtpd */
	{"message size exceeds fixed maximum message size", R_MESGTOOBIG},
	{"message size exceeds maximum", R_MESGTOOBIG},
	{"message size exceeds the maximum", R_MESGTOOBIG},
	{"message size exceeds limit", R_MESGTOOBIG},
	{"message size too large", R_MESGTOOBIG},
	{"message length exceeds administrative limit", R_MESGTOOBIG},
	{"message file too big", R_MESGTOOBIG},
	{"max message size exceeded", R_MESGTOOBIG},
	{"maximum message size exceeded", R_MESGTOOBIG},
	{"maximum email size exceeded", R_MESGTOOBIG},
	{"exceeded maximum inbound message size", R_MESGTOOBIG},
	{"exceeds the maximum message size", R_MESGTOOBIG},
	{"exceeds maximum message size", R_MESGTOOBIG},
	{"size limit", R_MESGTOOBIG},
	{"line limit exceeded", R_MESGTOOBIG},
	{"message too large", R_MESGTOOBIG},
	{"too big for system", R_MESGTOOBIG},
	{"taille limite du message atteinte", R_MESGTOOBIG},
	{"message size exceeds", R_MESGTOOBIG},

	/* --- exceedlimit --- */
	{"exeeded the maximum size the user accepts", R_EXCEEDLIMIT},	/* qmail-ldap (sic) */
	{"message header size exceeds limit", R_EXCEEDLIMIT},
	{" - message size exceeds recipient", R_EXCEEDLIMIT},
	{"message too large for this recipient", R_EXCEEDLIMIT},
	{"recipsizelimit", R_EXCEEDLIMIT},
	{"exceeds limit set by recipient", R_EXCEEDLIMIT},
	{"message length exceeds limit set by recipient", R_EXCEEDLIMIT},
	{"exceeded google's message size limits", R_EXCEEDLIMIT},
	{"exceeds the recipient's size limit", R_EXCEEDLIMIT},

	/* --- suspend --- */
	{"is currently suspended", R_SUSPEND},
	{"archived recipient", R_SUSPEND},
	{"this address no longer accepts mail", R_SUSPEND},
	{"user is terminated", R_SUSPEND},
	{"user or domain is disabled", R_SUSPEND},
	{"has been temporarily suspended", R_SUSPEND},
	{"account is temporarily limited", R_SUSPEND},
	{"has been suspended", R_SUSPEND},
	{"account suspended", R_SUSPEND},
	{"account is suspended", R_SUSPEND},
	{"account has been suspended", R_SUSPEND},
	{"mailbox currently suspended", R_SUSPEND},
	{"mailbox is suspended", R_SUSPEND},
	{"user suspended", R_SUSPEND},
	{"recipient suspend the service", R_SUSPEND},
	{"temporary locked", R_SUSPEND},
	{"temporarily locked", R_SUSPEND},
	{"account is locked", R_SUSPEND},
	{"account has been locked", R_SUSPEND},
	{"mailbox is frozen", R_SUSPEND},
	{"mailbox is disabled", R_SUSPEND},
	{"mailaddress is administrativ", R_SUSPEND},	/* qmail-ldap, with its misspellings */
	{"mailbox disabled", R_SUSPEND},
	{"mailbox has been disabled", R_SUSPEND},
	{"account is disabled", R_SUSPEND},
	{"account disabled", R_SUSPEND},
	{"account has been disabled", R_SUSPEND},
	{"account that you tried to reach is disabled", R_SUSPEND},
	{"tried to reach is disabled", R_SUSPEND},
	{"tried to reach is inactive", R_SUSPEND},
	{"account that you tried to reach is inactive", R_SUSPEND},
	{"account is inactive", R_SUSPEND},
	{"account inactive", R_SUSPEND},
	{"account is not active", R_SUSPEND},
	{"inactive account", R_SUSPEND},
	{"inactive user", R_SUSPEND},
	{"invalid/inactive user", R_SUSPEND},
	{"user account disabled", R_SUSPEND},
	{"user account is expired", R_SUSPEND},
	{"disabled recipient", R_SUSPEND},
	{"recipient rejected: temporarily inactive", R_SUSPEND},
	{"is a deactivated mailbox", R_SUSPEND},
	{"deactivated account", R_SUSPEND},
	{"account has been deactivated", R_SUSPEND},
	{"account is deactivated", R_SUSPEND},
	{"disabled or discontinued", R_SUSPEND},
	{"mailbox unavailable or access denied", R_SUSPEND},
	{"boite du destinataire archivee", R_SUSPEND},
	{"recipient account is blocked", R_SUSPEND},
	{"le compte du destinataire est bloque", R_SUSPEND},
	{"mailbox is locked", R_SUSPEND},
	{"vdelivermail: account is locked", R_SUSPEND},
	{"account expired", R_SUSPEND},
	{"account has expired", R_SUSPEND},
	{"has been disabled", R_SUSPEND},

	/* --- hasmoved --- */
	{" has been replaced by ", R_HASMOVED},
	{"recipient no longer on server", R_HASMOVED},
	{"mailbox has moved", R_HASMOVED},
	{"user has moved", R_HASMOVED},
	{"address has changed", R_HASMOVED},
	{"has moved to ", R_HASMOVED},
	{"no forwarding address", R_HASMOVED},

	/* --- norelaying --- */
	{"relay access denied", R_NORELAYING},
	{"specified domain is not allowed", R_NORELAYING},
	{"invalid credentials for relay", R_NORELAYING},
	{"due to the following smtp relay error", R_NORELAYING},
	{"relaying denied", R_NORELAYING},
	{"relay denied", R_NORELAYING},
	{"relaying not permitted", R_NORELAYING},
	{"relay not permitted", R_NORELAYING},
	{"relaying not allowed", R_NORELAYING},
	{"relay not allowed", R_NORELAYING},
	{"relaying mail to ", R_NORELAYING},
	{"relaying is prohibited", R_NORELAYING},
	{"relay prohibited", R_NORELAYING},
	{"unable to relay", R_NORELAYING},
	{"not allowed to relay", R_NORELAYING},
	{"not permitted to relay", R_NORELAYING},
	{"we do not relay", R_NORELAYING},
	{"not configured to relay", R_NORELAYING},
	{"cannot relay", R_NORELAYING},
	{"can't relay", R_NORELAYING},
	{"mail relay denied", R_NORELAYING},
	{"open relay not allowed", R_NORELAYING},
	{"as a relay", R_NORELAYING},
	{"no relaying", R_NORELAYING},
	{"insecure mail relay", R_NORELAYING},
	{"not a gateway", R_NORELAYING},
	{"not an open relay", R_NORELAYING},
	{"not local host", R_NORELAYING},
	{"that domain isn't in my list of allowed rcpthost", R_NORELAYING},
	{"domain isn't in my list of allowed rcpthosts", R_NORELAYING},
	{"we don't handle mail for", R_NORELAYING},
	{"email address is not verified", R_NORELAYING},
	{"identities failed the check", R_NORELAYING},
	{"requires authentication when attempting to send to a non-local e-mail address", R_NORELAYING},
	{"relay not authorized", R_NORELAYING},

	/* --- authfailure (SPF, DKIM, DMARC, ARC) --- */
	{"dmarc policy", R_AUTHFAILURE},
	{"dmarc verification", R_AUTHFAILURE},
	{"dmarc check failed", R_AUTHFAILURE},
	{"dmarc validation", R_AUTHFAILURE},
	{"failed dmarc", R_AUTHFAILURE},
	{"fails dmarc", R_AUTHFAILURE},
	{"dmarc fail", R_AUTHFAILURE},
	{"dmarc reject", R_AUTHFAILURE},
	{"dmarcrejection", R_AUTHFAILURE},
	{"spf check failed", R_AUTHFAILURE},
	{"spf check: fail", R_AUTHFAILURE},
	{"spf checks", R_AUTHFAILURE},
	{"spf validation", R_AUTHFAILURE},
	{"spf fail", R_AUTHFAILURE},
	{"spf record", R_AUTHFAILURE},
	{"spf sender invalid", R_AUTHFAILURE},
	{"spf (sender policy framework)", R_AUTHFAILURE},
	{"sender policy framework", R_AUTHFAILURE},
	{"failed spf", R_AUTHFAILURE},
	{"fails spf", R_AUTHFAILURE},
	{"spf.pobox.com", R_AUTHFAILURE},
	{"please inspect your spf settings", R_AUTHFAILURE},
	{"per it's spf record", R_AUTHFAILURE},
	{"is not allowed to send mail from", R_AUTHFAILURE},
	{"dkim signature", R_AUTHFAILURE},
	{"dkim sender invalid", R_AUTHFAILURE},
	{"dkim validation", R_AUTHFAILURE},
	{"dkim check", R_AUTHFAILURE},
	{"dkim fail", R_AUTHFAILURE},
	{"failed dkim", R_AUTHFAILURE},
	{"dmarc sender invalid", R_AUTHFAILURE},
	{"arc validation", R_AUTHFAILURE},
	{"unauthenticated email from", R_AUTHFAILURE},
	{"fails to pass authentication checks", R_AUTHFAILURE},
	{"does not have authentication information", R_AUTHFAILURE},
	{"sender is unauthenticated", R_AUTHFAILURE},
	{"must pass either spf or dkim", R_AUTHFAILURE},
	{"authenticate with either spf or dkim", R_AUTHFAILURE},
	{"multiple authentication checks failed", R_AUTHFAILURE},
	{"authentication checks failed", R_AUTHFAILURE},
	{"email authentication failed", R_AUTHFAILURE},
	{"sender authentication failed", R_AUTHFAILURE},
	{"domain authentication fail", R_AUTHFAILURE},
	{"not pass dmarc", R_AUTHFAILURE},
	{"sending domain does not pass", R_AUTHFAILURE},

	/* --- requireptr --- */
	{"ptr record", R_REQUIREPTR},
	{"cannot resolve your address.", R_REQUIREPTR},
	{"forbidden by invalid rdns record", R_REQUIREPTR},
	{"unverifyable sending ips", R_REQUIREPTR},
	{"does not match the ip address of the hostname", R_REQUIREPTR},
	{"reverse dns failed", R_REQUIREPTR},
	{"reverse dns required", R_REQUIREPTR},
	{"reverse dns lookup for host", R_REQUIREPTR},
	{"reverse dns validation failed", R_REQUIREPTR},
	{"no reverse dns", R_REQUIREPTR},
	{"invalid rdns", R_REQUIREPTR},
	{"custom reverse dns", R_REQUIREPTR},
	{"sender ip reverse lookup rejected", R_REQUIREPTR},
	{"ptr resource record", R_REQUIREPTR},
	{"ptr-record", R_REQUIREPTR},
	{"reverse dns lookup", R_REQUIREPTR},
	{"no ptr", R_REQUIREPTR},
	{"missing ptr", R_REQUIREPTR},
	{"invalid ptr", R_REQUIREPTR},
	{"ip name lookup failed", R_REQUIREPTR},
	{"cannot find your hostname", R_REQUIREPTR},
	{"cannot resolve your address", R_REQUIREPTR},
	{"can not find your hostname", R_REQUIREPTR},
	{"couldn't resolve your hostname", R_REQUIREPTR},
	{"mismatches client ip", R_REQUIREPTR},
	{"doesn't match your ip", R_REQUIREPTR},
	{"unresolvable relay host name", R_REQUIREPTR},
	{"client host rejected: cannot find your", R_REQUIREPTR},
	{"fix reverse dns", R_REQUIREPTR},
	{"generic dns ptr", R_REQUIREPTR},
	{"hosts with dynamic ip", R_REQUIREPTR},

	/* --- notcompliantrfc --- */
	{"not rfc 5322 compliant", R_NOTCOMPLIANTRFC},
	{" multiple * header", R_NOTCOMPLIANTRFC},
	{"missing a valid address in the from: header", R_NOTCOMPLIANTRFC},
	{"missing a valid message-id", R_NOTCOMPLIANTRFC},
	{"unicode character in a disallowed header", R_NOTCOMPLIANTRFC},
	{"encoded-word syntax is not permitted", R_NOTCOMPLIANTRFC},
	{"is not a valid rfc 5321 address", R_NOTCOMPLIANTRFC},
	{"duplicate header field", R_NOTCOMPLIANTRFC},
	{"not rfc5322 compliant", R_NOTCOMPLIANTRFC},
	{"rfc 5322 section", R_NOTCOMPLIANTRFC},
	{"rfcmessagenoncompliant", R_NOTCOMPLIANTRFC},
	{"multiple addresses in from: header", R_NOTCOMPLIANTRFC},
	{"multiple from headers", R_NOTCOMPLIANTRFC},
	{"multiple subject headers", R_NOTCOMPLIANTRFC},
	{"multiple date headers", R_NOTCOMPLIANTRFC},
	{"multiple message-id headers", R_NOTCOMPLIANTRFC},
	{"duplicate header", R_NOTCOMPLIANTRFC},
	{"headers are not rfc compliant", R_NOTCOMPLIANTRFC},
	{"not rfc compliant", R_NOTCOMPLIANTRFC},
	{"missing required header", R_NOTCOMPLIANTRFC},
	{"missing date header", R_NOTCOMPLIANTRFC},
	{"missing from header", R_NOTCOMPLIANTRFC},
	{"missing message-id header", R_NOTCOMPLIANTRFC},
	{"message contains bare lf", R_NOTCOMPLIANTRFC},
	{"bare lf", R_NOTCOMPLIANTRFC},
	{"violates rfc 5322", R_NOTCOMPLIANTRFC},

	/* --- badreputation --- */
	{"rate limited due to ip reputation", R_BADREPUTATION},
	{"ip/domain reputation problems", R_BADREPUTATION},
	{"low reputation of the sending", R_BADREPUTATION},
	{"very low reputation", R_BADREPUTATION},
	{"poor email reputation score", R_BADREPUTATION},
	{"poor reputation", R_BADREPUTATION},
	{"bad reputation", R_BADREPUTATION},
	{"none/bad reputation", R_BADREPUTATION},
	{"reputation of the sending ip", R_BADREPUTATION},
	{"ip reputation", R_BADREPUTATION},
	{"sender reputation", R_BADREPUTATION},
	{"domain reputation", R_BADREPUTATION},
	{"temporarily deferred due to unexpected volume or user complaints", R_BADREPUTATION},
	{"will be permanently deferred", R_BADREPUTATION},
	{"extreme bad ip profile", R_BADREPUTATION},

	/* --- rejected (the envelope sender) --- */
	{"sender rejected", R_REJECTED},
	{"sender was rejected", R_REJECTED},
	{"spam reporting address", R_REJECTED},
	{"can't determine purported responsible address", R_REJECTED},
	{"your email address has been blacklisted", R_REJECTED},
	{"sending this from a different address or alias", R_REJECTED},
	{"sender address rejected", R_REJECTED},
	{"sender email address rejected", R_REJECTED},
	{"sender denied", R_REJECTED},
	{"sender is blacklisted", R_REJECTED},
	{"sender address has been blacklisted", R_REJECTED},
	{"sender is in my black list", R_REJECTED},
	{"sender is spammer", R_REJECTED},
	{"sender not pre-approved", R_REJECTED},
	{"sender verify failed", R_REJECTED},
	{"sender verification failed", R_REJECTED},
	{"sender domain is empty", R_REJECTED},
	{"sender domain does not exist", R_REJECTED},
	{"sender domain must exist", R_REJECTED},
	{"domain of sender address ", R_REJECTED},
	{"invalid sender", R_REJECTED},
	{"unknown sender", R_REJECTED},
	{"bad sender", R_REJECTED},
	{"unroutable sender address", R_REJECTED},
	{"address rejected", R_REJECTED},
	{"access denied (in reply to mail from command)", R_REJECTED},
	{"access denied (sender blacklisted)", R_REJECTED},
	{"administrative prohibition", R_REJECTED},
	{"batv failed to verify", R_REJECTED},
	{"batv validation failure", R_REJECTED},
	{"batv: no tag", R_REJECTED},
	{"rejected by batv defense", R_REJECTED},
	{"backscatter protection detected an invalid or expired email address", R_REJECTED},
	{"because the sender isn't on the recipient's list of senders", R_REJECTED},
	{"bogus mail from", R_REJECTED},
	{"connections not accepted from servers without a valid sender domain", R_REJECTED},
	{"denied [bouncedeny]", R_REJECTED},
	{"denied by secumail valid-address-filter", R_REJECTED},
	{"delivery not authorized, message refused", R_REJECTED},
	{"does not exist e2110", R_REJECTED},
	{"email address is on senderfilterconfig list", R_REJECTED},
	{"emetteur invalide", R_REJECTED},
	{"empty envelope senders not allowed", R_REJECTED},
	{"envelope blocked", R_REJECTED},
	{"envelope rejected", R_REJECTED},
	{"error: no third-party dsns", R_REJECTED},
	{"from: domain is invalid", R_REJECTED},
	{"fully qualified email address required", R_REJECTED},
	{"invalid domain, see <url:", R_REJECTED},
	{"is not a registered gateway user", R_REJECTED},
	{"mail from not owned by user", R_REJECTED},
	{"mx records for ", R_REJECTED},
	{"null sender is not allowed", R_REJECTED},
	{"recipient addresses rejected : access denied", R_REJECTED},
	{"returned mail not accepted here", R_REJECTED},
	{"recursive cname records for", R_REJECTED},
	{"rule imposed mailbox access for", R_REJECTED},
	{"syntax error: empty email address", R_REJECTED},
	{"this server does not accept mail from", R_REJECTED},
	{"unsigned dsn for", R_REJECTED},
	{"you are not allowed to post to this mailing list", R_REJECTED},
	{"sending to/from an address that has been blacklisted", R_REJECTED},
	{"your access to submit messages to this e-mail system has been rejected", R_REJECTED},
	{"blank from: addresses are not allowed", R_REJECTED},
	{"ip addresses are not allowed as a from: address", R_REJECTED},
	{"mail sending denied", R_REJECTED},
	{"unauthenticated email is not accepted from this domain", R_REJECTED},
	{"send mail as", R_REJECTED},
	{"not authorized to send on behalf", R_REJECTED},
	{"blocked senders", R_REJECTED},
	{"sender blocked", R_REJECTED},
	{"sender address blocked", R_REJECTED},
	{"block policy for envelope from address", R_REJECTED},
	{"block policy for header from", R_REJECTED},

	/* --- hostunknown --- */
	{"host unknown", R_HOSTUNKNOWN},
	{"dns error: domain name not found", R_HOSTUNKNOWN},
	{"dns server returned answer with no data", R_HOSTUNKNOWN},
	{"all host address lookups failed permanently", R_HOSTUNKNOWN},
	{"all relevant mx records point to non-existent hosts", R_HOSTUNKNOWN},
	{"illegal host/domain name found", R_HOSTUNKNOWN},
	{"as the remote domain doesnt exist", R_HOSTUNKNOWN},
	{"recipient domain must exist", R_HOSTUNKNOWN},
	{"unknown host", R_HOSTUNKNOWN},
	{"host or domain name not found", R_HOSTUNKNOWN},
	{"domain does not exist", R_HOSTUNKNOWN},
	{"domain doesn't exist", R_HOSTUNKNOWN},
	{"domain is not reachable", R_HOSTUNKNOWN},
	{"domain must exist", R_HOSTUNKNOWN},
	{"no such domain", R_HOSTUNKNOWN},
	{"unknown domain", R_HOSTUNKNOWN},
	{"invalid domain", R_HOSTUNKNOWN},
	{"domain is invalid", R_HOSTUNKNOWN},
	{"unrouteable address", R_HOSTUNKNOWN},
	{"unroutable address", R_HOSTUNKNOWN},
	{"couldn't find any host named", R_HOSTUNKNOWN},
	{"could not find any host named", R_HOSTUNKNOWN},
	{"no host named", R_HOSTUNKNOWN},
	{"host unreachable", R_HOSTUNKNOWN},
	{"name or service not known", R_HOSTUNKNOWN},
	{"mail domain mentioned in email address is unknown", R_HOSTUNKNOWN},
	{"the account or domain may not exist", R_HOSTUNKNOWN},
	{"weren't able to find the recipient domain", R_HOSTUNKNOWN},
	{"dns lookup failure: host ", R_HOSTUNKNOWN},
	{"553 ~ does not exist", R_HOSTUNKNOWN},
	{"nonexistent domain", R_HOSTUNKNOWN},
	{"non-existent domain", R_HOSTUNKNOWN},
	{"no mx or a record", R_HOSTUNKNOWN},

	/* --- spamdetected --- */
	{"spam detected", R_SPAMDETECTED},
	{"too many spam complaints", R_SPAMDETECTED},
	{"spam/virus content", R_SPAMDETECTED},
	{"spam or virus", R_SPAMDETECTED},
	{"sender domain listed at ", R_SPAMDETECTED},
	{"mail score (", R_SPAMDETECTED},
	{"due to the nature of the content or the links within", R_SPAMDETECTED},
	{"message rejected for policy reasons", R_SPAMDETECTED},
	{"detected as spam", R_SPAMDETECTED},
	{"classified as spam", R_SPAMDETECTED},
	{"considered as spam", R_SPAMDETECTED},
	{"considered spam", R_SPAMDETECTED},
	{"identified as spam", R_SPAMDETECTED},
	{"scored as spam", R_SPAMDETECTED},
	{"looks like spam", R_SPAMDETECTED},
	{"looked like spam", R_SPAMDETECTED},
	{"appears to be spam", R_SPAMDETECTED},
	{"is probably spam", R_SPAMDETECTED},
	{"probable spam", R_SPAMDETECTED},
	{"suspected spam", R_SPAMDETECTED},
	{"spam message rejected", R_SPAMDETECTED},
	{"spam not accepted", R_SPAMDETECTED},
	{"spam refused", R_SPAMDETECTED},
	{"spam rejection", R_SPAMDETECTED},
	{"spam score", R_SPAMDETECTED},
	{"spam content", R_SPAMDETECTED},
	{"spam check", R_SPAMDETECTED},
	{"spam blocked", R_SPAMDETECTED},
	{"spam email", R_SPAMDETECTED},
	{"spam filter", R_SPAMDETECTED},
	{"spam-like", R_SPAMDETECTED},
	{"thinks this email is spam", R_SPAMDETECTED},
	{"appears similar to spam", R_SPAMDETECTED},
	{"denied due to spam list", R_SPAMDETECTED},
	{"rejected by * (spam)", R_SPAMDETECTED},
	{"rejected as spam", R_SPAMDETECTED},
	{"rejected due to spam", R_SPAMDETECTED},
	{"rejected because it appears to be spam", R_SPAMDETECTED},
	{"spamassassin", R_SPAMDETECTED},
	{"spambouncer identified spam", R_SPAMDETECTED},
	{"spamming not allowed", R_SPAMDETECTED},
	{"high probability of spam", R_SPAMDETECTED},
	{"probability of being spam", R_SPAMDETECTED},
	{"spam points", R_SPAMDETECTED},
	{"unsolicited bulk e-mail", R_SPAMDETECTED},
	{"unsolicited mail", R_SPAMDETECTED},
	{"appears to be unsolicited", R_SPAMDETECTED},
	{"likely unsolicited", R_SPAMDETECTED},
	{"bulk email", R_SPAMDETECTED},
	{"bulk mail", R_SPAMDETECTED},
	{"reject bulk.advertising", R_SPAMDETECTED},
	{"content filter rejection", R_SPAMDETECTED},
	{"message content rejected", R_SPAMDETECTED},
	{"mail content denied", R_SPAMDETECTED},
	{"rejected because of unacceptable content", R_SPAMDETECTED},
	{"rejecting banned content", R_SPAMDETECTED},
	{"rejecting mail content", R_SPAMDETECTED},
	{"blacklisted url in message", R_SPAMDETECTED},
	{"spam url", R_SPAMDETECTED},
	{"uribl", R_SPAMDETECTED},
	{"surbl", R_SPAMDETECTED},
	{"listed in work.drbl.imedia.ru", R_SPAMDETECTED},
	{"greylisted", R_SPAMDETECTED},
	{"block for spam", R_SPAMDETECTED},
	{"may consider spam", R_SPAMDETECTED},
	{"we dont accept spam", R_SPAMDETECTED},
	{"we don't accept spam", R_SPAMDETECTED},
	{"too much spam", R_SPAMDETECTED},
	{"mass mailer", R_SPAMDETECTED},
	{"spam is embedded in the email", R_SPAMDETECTED},
	{"mcspamsignature", R_SPAMDETECTED},
	{"ube, id=", R_SPAMDETECTED},
	{"reject, id=", R_SPAMDETECTED},
	{"has been rejected by spam filtering engine", R_SPAMDETECTED},
	{"recurrent pattern detection system", R_SPAMDETECTED},
	{"classification as bulk mail", R_SPAMDETECTED},
	{"spamprofiler", R_SPAMDETECTED},
	{"failed several antispam checks", R_SPAMDETECTED},
	{"triggered a spam block", R_SPAMDETECTED},
	{"may contain the spam contents", R_SPAMDETECTED},
	{"temporarily blocked by our filter", R_SPAMDETECTED},
	{"breaches local uribl policy", R_SPAMDETECTED},
	{"message filtered. please see the faqs section on spam", R_SPAMDETECTED},

	/* --- speeding --- */
	{"receiving mail at a rate that prevents", R_SPEEDING},
	{"receiving mail too quickly", R_SPEEDING},
	{"sent to too many recipients this hour", R_SPEEDING},
	{"rate limited", R_SPEEDING},
	{"try again slower", R_SPEEDING},
	{"excessive mail volume", R_SPEEDING},
	{"ratelimit", R_SPEEDING},
	{"sending too fast", R_SPEEDING},
	{"too many messages in a short time", R_SPEEDING},
	{"too fast", R_SPEEDING},
	{"mail flood", R_SPEEDING},
	{"sent too many messages this hour", R_SPEEDING},
	{"receiving rate", R_SPEEDING},

	/* --- toomanyconn --- */
	{"too many connections", R_TOOMANYCONN},
	{"has exceeded the max emails per hour", R_TOOMANYCONN},
	{"maximum sending rate exceeded", R_TOOMANYCONN},
	{"too many concurrent", R_TOOMANYCONN},
	{"too many sessions", R_TOOMANYCONN},
	{"too many smtp sessions", R_TOOMANYCONN},
	{"too many simultaneous", R_TOOMANYCONN},
	{"too many recipients", R_TOOMANYCONN},
	{"too many errors from your ip", R_TOOMANYCONN},
	{"connection rate limit exceeded", R_TOOMANYCONN},
	{"connection limit", R_TOOMANYCONN},
	{"maximum connection limit", R_TOOMANYCONN},
	{"exceeds per-domain connection limit", R_TOOMANYCONN},
	{"throttling failure", R_TOOMANYCONN},
	{"daily message quota exceeded", R_TOOMANYCONN},
	{"daily sending quota exceeded", R_TOOMANYCONN},
	{"relay limit exceeded", R_TOOMANYCONN},
	{"frequency limited", R_TOOMANYCONN},
	{"trop de connexions", R_TOOMANYCONN},
	{"we have already made numerous attempts to deliver this message", R_TOOMANYCONN},
	{"max number of messages per session", R_TOOMANYCONN},
	{"message threshold exceeded", R_TOOMANYCONN},
	{"recipient thread limit exceeded", R_TOOMANYCONN},
	{"exceeded their limit for", R_TOOMANYCONN},
	{"per hour message receive limit", R_TOOMANYCONN},
	{"reached your daily limit", R_TOOMANYCONN},
	{"submission quota exceeded", R_TOOMANYCONN},
	{"has exceeded permitted limits", R_TOOMANYCONN},
	{"exceeding outbound thread limit", R_TOOMANYCONN},

	/* --- blocked (the client IP or host) --- */
	{"blocked using ", R_BLOCKED},
	{"no matches to nameserver query", R_BLOCKED},
	{"bad sender ip address", R_BLOCKED},
	{"abus detecte gu_eib_0", R_BLOCKED},
	{"error: no valid recipients from ", R_BLOCKED},
	{"mailfrom domain is listed in spamhaus", R_BLOCKED},
	{"multi-blacklist", R_BLOCKED},
	{"is blocked by rbl", R_BLOCKED},
	{"your access ip", R_BLOCKED},
	{"temporarily deferred due to user complaints", R_BLOCKED},
	{"must have a reverse dns record", R_BLOCKED},
	{"access denied, rejected by recipient", R_BLOCKED},
	{"does not accept email over ipv6", R_BLOCKED},
	{"using customer block list", R_BLOCKED},
	{"is blacklisted", R_BLOCKED},
	{"blacklisted by", R_BLOCKED},
	{"blocklisted", R_BLOCKED},
	{"listed in ~ dnsbl", R_BLOCKED},
	{"is listed on ", R_BLOCKED},
	{"listed on the spamhaus", R_BLOCKED},
	{"spamhaus", R_BLOCKED},
	{"spamcop", R_BLOCKED},
	{"barracudacentral", R_BLOCKED},
	{"%sorbs", R_BLOCKED},
	{"dnsbl", R_BLOCKED},
	{"rbl reject", R_BLOCKED},
	{"%rbl%", R_BLOCKED},
	{"block list", R_BLOCKED},
	{"blocklist", R_BLOCKED},
	{"black list", R_BLOCKED},
	{"blacklist", R_BLOCKED},
	{"banned sending ip", R_BLOCKED},
	{"ip address blacklisted", R_BLOCKED},
	{"blocked - see http", R_BLOCKED},
	{"refused - see http", R_BLOCKED},
	{"blocked for abuse", R_BLOCKED},
	{"blocked for spamming", R_BLOCKED},
	{"bloquee pour incident de spam", R_BLOCKED},
	{"client host rejected", R_BLOCKED},
	{"client host blocked", R_BLOCKED},
	{"client host ~ blocked using", R_BLOCKED},
	{"client was not authenticated", R_BLOCKED},
	{"confirm this mail server", R_BLOCKED},
	{"connection refused by", R_BLOCKED},
	{"connection dropped", R_BLOCKED},
	{"connection reset by peer", R_BLOCKED},
	{"connection was dropped by remote host", R_BLOCKED},
	{"currently sending spam", R_BLOCKED},
	{"dynamic ip", R_BLOCKED},
	{"dynamic/zombied/spam ips blocked", R_BLOCKED},
	{"email blocked by", R_BLOCKED},
	{"esmtp not accepting connections", R_BLOCKED},
	{"go away", R_BLOCKED},
	{"helo command rejected", R_BLOCKED},
	{"helo/ehlo argument is invalid", R_BLOCKED},
	{"invalid helo", R_BLOCKED},
	{"bad helo", R_BLOCKED},
	{"host network not allowed", R_BLOCKED},
	{"invalid ip for sending mail of domain", R_BLOCKED},
	{"is blocked by earthlink", R_BLOCKED},
	{"is in a black list", R_BLOCKED},
	{"mail server at ~ is blocked", R_BLOCKED},
	{"mail from # refused", R_BLOCKED},
	{"rejected based on blacklist", R_BLOCKED},
	{"no access from mail server", R_BLOCKED},
	{"not currently accepting mail from your ip", R_BLOCKED},
	{"part of their network is on our block list", R_BLOCKED},
	{"please use the smtp server of your isp", R_BLOCKED},
	{"rejected because the sending mta or the sender has not passed validation", R_BLOCKED},
	{"rejecting open proxy", R_BLOCKED},
	{"sender ip address rejected", R_BLOCKED},
	{"server access ~ forbidden by your ip", R_BLOCKED},
	{"forbidden by your ip", R_BLOCKED},
	{"listed as abusive", R_BLOCKED},
	{"service not available, closing transmission channel", R_BLOCKED},
	{"smtp error from remote mail server after initial connection", R_BLOCKED},
	{"your remotehost looks suspiciously like spammer", R_BLOCKED},
	{"too many spams from your ip", R_BLOCKED},
	{"too many unwanted messages have been sent from the following ip address", R_BLOCKED},
	{"service refuse", R_BLOCKED},
	{"service refused, please try later", R_BLOCKED},
	{"was blocked by ", R_BLOCKED},
	{"we do not accept mail from dynamic ips", R_BLOCKED},
	{"you are not allowed to connect", R_BLOCKED},
	{"you are sending spam", R_BLOCKED},
	{"your network is temporary blacklisted", R_BLOCKED},
	{"your server requires confirmation", R_BLOCKED},
	{"access denied, banned sender", R_BLOCKED},
	{"access denied, bad helo", R_BLOCKED},
	{"access denied, please try again later", R_BLOCKED},
	{"access from ip address ~ blocked", R_BLOCKED},
	{"ip not in whitelist", R_BLOCKED},
	{"not authorized to send email directly to our servers", R_BLOCKED},
	{"unusual rate of unsolicited mail originating from your ip", R_BLOCKED},
	{"ip temporarily blacklisted", R_BLOCKED},
	{"local ct ip reputation", R_BLOCKED},
	{"blocked ip", R_BLOCKED},
	{"ip blocked", R_BLOCKED},
	{"ip is blocked", R_BLOCKED},
	{"ip address blocked", R_BLOCKED},
	{"ip has been blocked", R_BLOCKED},
	{"ip address has been blocked", R_BLOCKED},
	{"your ip", R_BLOCKED},
	{"redundant. you cannot send e-mail to yourself", R_BLOCKED},
	{"may not be mail exchanger", R_BLOCKED},
	{"550 blocked", R_BLOCKED},
	{"554 blocked", R_BLOCKED},
	{"rejected - no rdns", R_BLOCKED},
	{"invalid domain name", R_BLOCKED},
	{"said: 550 blocked", R_BLOCKED},
	{"csi.cloudmark.com", R_BLOCKED},
	{"cloudmark", R_BLOCKED},
	{"abuseat.org", R_BLOCKED},
	{"mail.live.com/mail/troubleshooting", R_BLOCKED},

	/* --- virusdetected --- */
	{"virus detected", R_VIRUSDETECTED},
	{"malicious_url detected", R_VIRUSDETECTED},
	{" - infected", R_VIRUSDETECTED},
	{"virus found", R_VIRUSDETECTED},
	{"contains a virus", R_VIRUSDETECTED},
	{"contained a virus", R_VIRUSDETECTED},
	{"infected with a virus", R_VIRUSDETECTED},
	{"virus infected", R_VIRUSDETECTED},
	{"infected message", R_VIRUSDETECTED},
	{"prohibited virus", R_VIRUSDETECTED},
	{"malware detected", R_VIRUSDETECTED},
	{"contains malware", R_VIRUSDETECTED},
	{"used by recent viruses or other malware", R_VIRUSDETECTED},
	{"potentially executable attachment", R_VIRUSDETECTED},
	{"email rejected due to security policies", R_VIRUSDETECTED},
	{"virus", R_VIRUSDETECTED},

	/* --- policyviolation --- */
	{"violation of policy", R_POLICYVIOLATION},
	{"for policy reasons", R_POLICYVIOLATION},
	{"policy violation detected", R_POLICYVIOLATION},
	{"denied by policy", R_POLICYVIOLATION},
	{"local policy", R_POLICYVIOLATION},
	{"organizational settings", R_POLICYVIOLATION},
	{"organization policy", R_POLICYVIOLATION},
	{"illegal attachment", R_POLICYVIOLATION},
	{"banned attachment", R_POLICYVIOLATION},
	{"prohibited attachment", R_POLICYVIOLATION},
	{"attachment type", R_POLICYVIOLATION},
	{"file type is not allowed", R_POLICYVIOLATION},
	{"attachment extension is forbidden", R_POLICYVIOLATION},
	{"attachments are not allowed", R_POLICYVIOLATION},
	{"attachment not allowed", R_POLICYVIOLATION},
	{"blocked attachment", R_POLICYVIOLATION},
	{"executable files are not allowed in compressed files", R_POLICYVIOLATION},
	{"we do not accept messages containing images or other attachments", R_POLICYVIOLATION},
	{"content presents a potential", R_POLICYVIOLATION},
	{"has a policy that prohibited", R_POLICYVIOLATION},
	{"by non-member to a members-only list", R_POLICYVIOLATION},
	{"closed mailing list", R_POLICYVIOLATION},
	{"not subscribed to this group", R_POLICYVIOLATION},
	{"header are not accepted", R_POLICYVIOLATION},
	{"header error", R_POLICYVIOLATION},
	{"message given low priority", R_POLICYVIOLATION},
	{"messages with multiple addresses", R_POLICYVIOLATION},
	{"without solving a captcha", R_POLICYVIOLATION},
	{"anti-spoofing policy", R_POLICYVIOLATION},
	{"content examination policy", R_POLICYVIOLATION},
	{"because the recipient is not accepting mail with ", R_POLICYVIOLATION},
	{"x-dg-ref header is too long", R_POLICYVIOLATION},
	{"esmtp no data before greeting", R_POLICYVIOLATION},
	{"too many invalid recipients", R_POLICYVIOLATION},

	/* --- systemerror --- */
	{"aliasing/forwarding loop broken", R_SYSTEMERROR},
	{"loops back to myself", R_SYSTEMERROR},
	{"it would create a mail loop", R_SYSTEMERROR},
	{"loop was found in the mail exchanger", R_SYSTEMERROR},
	{"recipient deferred because there is no mdb", R_SYSTEMERROR},
	{"unable to connect * daemon", R_SYSTEMERROR},
	{"service unavailable", R_SYSTEMERROR},
	{"delivery to file forbidden", R_SYSTEMERROR},
	{"delivery to pipe forbidden", R_SYSTEMERROR},
	{"lmtp error after ", R_SYSTEMERROR},
	{"several matches found in domino directory", R_SYSTEMERROR},
	{"dns violates rfc 1035", R_SYSTEMERROR},
	{"can't create user output file", R_SYSTEMERROR},
	{"could not load drd for domain", R_SYSTEMERROR},
	{"internal error", R_SYSTEMERROR},
	{"internal server error", R_SYSTEMERROR},
	{"internal system error", R_SYSTEMERROR},
	{"interrupted system call", R_SYSTEMERROR},
	{"it encountered an error while being processed", R_SYSTEMERROR},
	{"local configuration error", R_SYSTEMERROR},
	{"local error in processing", R_SYSTEMERROR},
	{"mail system configuration error", R_SYSTEMERROR},
	{"server configuration error", R_SYSTEMERROR},
	{"system config error", R_SYSTEMERROR},
	{"remote server is misconfigured", R_SYSTEMERROR},
	{"misconfigured", R_SYSTEMERROR},
	{"queue file write error", R_SYSTEMERROR},
	{"service currently unavailable", R_SYSTEMERROR},
	{"temporary local problem", R_SYSTEMERROR},
	{"temporary system problem", R_SYSTEMERROR},
	{"timeout waiting for input", R_SYSTEMERROR},
	{"transaction failed", R_SYSTEMERROR},
	{"unable to contact ldap server", R_SYSTEMERROR},
	{"automatic homedir creat", R_SYSTEMERROR},	/* qmail-ldap */
	{"error while executing qmail-forward", R_SYSTEMERROR},
	{"too many results returned but needs to be unique", R_SYSTEMERROR},
	{"ldap", R_SYSTEMERROR},
	{"directory server failure", R_SYSTEMERROR},
	{"server busy", R_SYSTEMERROR},
	{"system error", R_SYSTEMERROR},
	{"system failure", R_SYSTEMERROR},
	{"temporary server error", R_SYSTEMERROR},
	{"temporary file write error", R_SYSTEMERROR},
	{"unable to deliver message after multiple retries", R_SYSTEMERROR},
	{"mail server temporarily rejected message", R_SYSTEMERROR},
	{"unable to process", R_SYSTEMERROR},

	/* --- networkerror --- */
	{"could not connect and send the mail to", R_NETWORKERROR},
	{"dns records for the destination computer could not be found", R_NETWORKERROR},
	{"hop count exceeded", R_NETWORKERROR},
	{"host is unreachable", R_NETWORKERROR},
	{"host name lookup failure", R_NETWORKERROR},
	{"host not found, try again", R_NETWORKERROR},
	{"mail forwarding loop", R_NETWORKERROR},
	{"malformed name server reply", R_NETWORKERROR},
	{"malformed or unexpected name server reply", R_NETWORKERROR},
	{"maximum forwarding loop count exceeded", R_NETWORKERROR},
	{"message looping", R_NETWORKERROR},
	{"mail loop", R_NETWORKERROR},
	{"routing loop", R_NETWORKERROR},
	{"loop detected", R_NETWORKERROR},
	{"too many hops", R_NETWORKERROR},
	{"exceeded 50 hops", R_NETWORKERROR},
	{"no route to host", R_NETWORKERROR},
	{"unable to resolve route", R_NETWORKERROR},
	{"unrouteable mail domain", R_NETWORKERROR},
	{"network error", R_NETWORKERROR},
	{"network is unreachable", R_NETWORKERROR},
	{"lost connection with", R_NETWORKERROR},
	{"dns error", R_NETWORKERROR},
	{"dns lookup failure", R_NETWORKERROR},
	{"responded with code nxdomain", R_NETWORKERROR},
	{"had no relevant answers", R_NETWORKERROR},
	{"dns lookup failed", R_NETWORKERROR},
	{"exceeded maximum hop count", R_NETWORKERROR},
	{"address family mismatch on destination mxs", R_NETWORKERROR},
	{"all routes to destination blocked", R_NETWORKERROR},
	{"bad dns lookup error code", R_NETWORKERROR},
	{"could not retrieve source address", R_NETWORKERROR},
	{"no valid route to", R_NETWORKERROR},
	{"temporary failure in mx lookup", R_NETWORKERROR},
	{"network error on destination mxs", R_NETWORKERROR},
	{"dns failure", R_NETWORKERROR},
	{"name service error", R_NETWORKERROR},
	{"temporary failure in name resolution", R_NETWORKERROR},
	{"connection refused", R_NETWORKERROR},
	{"connection reset", R_NETWORKERROR},

	/* --- contenterror --- */
	{"header size exceeds maximum permitted", R_CONTENTERROR},
	{"too many \"received\" headers", R_CONTENTERROR},
	{"improper use of 8-bit data in message header", R_CONTENTERROR},
	{"message header size, or recipient list, exceeds policy limit", R_CONTENTERROR},
	{"message mime complexity exceeds the policy maximum", R_CONTENTERROR},
	{"routing loop detected -- too many received: headers", R_CONTENTERROR},
	{"invalid mime headers", R_CONTENTERROR},
	{"improperly-formatted binary content", R_CONTENTERROR},
	{"unnecessary base64 encoding", R_CONTENTERROR},
	{"mail message is malformed", R_CONTENTERROR},
	{"message is malformed", R_CONTENTERROR},
	{"malformed message", R_CONTENTERROR},
	{"invalid message content", R_CONTENTERROR},
	{"media error", R_CONTENTERROR},
	{"invalid characters", R_CONTENTERROR},
	{"8-bit data", R_CONTENTERROR},
	{"8bit data", R_CONTENTERROR},
	{"too many related errors", R_CONTENTERROR},
	{"agent generated message depth exceeded", R_CONTENTERROR},

	/* --- systemfull --- */
	{"mail system full", R_SYSTEMFULL},
	{"insufficient disk space", R_SYSTEMFULL},
	{"insufficient system storage", R_SYSTEMFULL},
	{"insufficient system resources", R_SYSTEMFULL},
	{"no space left on device", R_SYSTEMFULL},
	{"no space left to finish writing", R_SYSTEMFULL},
	{"not enough disk space", R_SYSTEMFULL},
	{"disk full", R_SYSTEMFULL},
	{"requested mail action aborted: exceeded storage allocation", R_SYSTEMFULL},

	/* --- notaccept --- */
	{"does not accept mail", R_NOTACCEPT},
	{"mail receiving disabled", R_NOTACCEPT},
	{"no host found for existing smtp connection", R_NOTACCEPT},
	{"destination seem to reject all mails", R_NOTACCEPT},
	{"doesn't accept mail", R_NOTACCEPT},
	{"host/domain does not accept mail", R_NOTACCEPT},
	{"null mx", R_NOTACCEPT},
	{"nullmx", R_NOTACCEPT},
	{"doesn't receive email", R_NOTACCEPT},
	{"does not receive email", R_NOTACCEPT},
	{"no mx record found for domain", R_NOTACCEPT},
	{"no mx found for domain", R_NOTACCEPT},
	{"indicated no smtp service", R_NOTACCEPT},
	{"name server: .: host not found", R_NOTACCEPT},
	{"no route for current request", R_NOTACCEPT},
	{"smtp protocol returned a permanent error", R_NOTACCEPT},
	{"not accepting network messages", R_NOTACCEPT},
	{"esmtp server temporarily not available", R_NOTACCEPT},
	{"account inbounds disabled", R_NOTACCEPT},
	{"rfc 7505", R_NOTACCEPT},
	{"rfc7505", R_NOTACCEPT},

	/* --- expired --- */
	{"delivery time expired", R_EXPIRED},
	{"has been frozen", R_EXPIRED},
	{"was frozen on arrival", R_EXPIRED},
	{"delay reason: ", R_EXPIRED},
	{"message expired, cannot connect to remote server", R_EXPIRED},
	{"could not be delivered for * days", R_EXPIRED},
	{"connection expired", R_EXPIRED},
	{"delivery expired", R_EXPIRED},
	{"dns error: could not contact dns servers", R_EXPIRED},
	{"delivery to the following recipient has been delayed", R_EXPIRED},
	{"no action is required on your part", R_EXPIRED},
	{"your message was not delivered within ", R_EXPIRED},
	{"message expired", R_EXPIRED},
	{"envelope expired", R_EXPIRED},
	{"queue expired", R_EXPIRED},
	{"expired after ", R_EXPIRED},
	{"has been in the queue too long", R_EXPIRED},
	{"in the queue too long", R_EXPIRED},
	{"in queue too long", R_EXPIRED},
	{"message timed out", R_EXPIRED},
	{"retry timeout exceeded", R_EXPIRED},
	{"retry time not reached for any host after a long failure period", R_EXPIRED},
	{"have been failing for a long time", R_EXPIRED},
	{"has been failing for a long time", R_EXPIRED},
	{"giving up on", R_EXPIRED},
	{"giving up.", R_EXPIRED},
	{"gave up", R_EXPIRED},
	{"could not deliver for the last", R_EXPIRED},
	{"could not be delivered for more than", R_EXPIRED},
	{"was not reachable within the allowed queue period", R_EXPIRED},
	{"it has not been collected after", R_EXPIRED},
	{"unable to deliver this message after", R_EXPIRED},
	{"unable to deliver in ", R_EXPIRED},
	{"delivery failed # attempts", R_EXPIRED},
	{"connection timed out", R_EXPIRED},
	{"timed out", R_EXPIRED},
	{"timeout", R_EXPIRED},
	{"server did not respond", R_EXPIRED},
	{"did not accept our requests to connect", R_EXPIRED},
	{"could not find a gateway for", R_EXPIRED},
	{"failed to deliver to domain ", R_EXPIRED},
	{"message expired, connection refulsed", R_EXPIRED},
	{"wasn't able to establish an smtp connection", R_EXPIRED},
	{"failed to connect", R_EXPIRED},
	{"host not reachable", R_EXPIRED},
	{"delivery timeout", R_EXPIRED},
	{"message delayed", R_EXPIRED},

	/* --- securityerror --- */
	{"authentication required", R_SECURITYERROR},
	{"could not retrieve credentials", R_SECURITYERROR},
	{"authentication is required", R_SECURITYERROR},
	{"authentication failure", R_SECURITYERROR},
	{"authentication failed", R_SECURITYERROR},
	{"authentication credentials invalid", R_SECURITYERROR},
	{"authentication turned on in your email client", R_SECURITYERROR},
	{"authentication not allowed", R_SECURITYERROR},
	{"authentification requise", R_SECURITYERROR},
	{"authentification invalide", R_SECURITYERROR},
	{"authrequired", R_SECURITYERROR},
	{"account not subscribed to ses", R_SECURITYERROR},
	{"domain ~ is a dead domain", R_SECURITYERROR},
	{"unauthenticated senders not allowed", R_SECURITYERROR},
	{"is not authorized to perform ses:sendrawemail", R_SECURITYERROR},
	{"you are not authorized to send mail, authentication is required", R_SECURITYERROR},
	{"verification failure", R_SECURITYERROR},
	{"username and password not accepted", R_SECURITYERROR},
	{"application-specific password required", R_SECURITYERROR},
	{"invalid credentials", R_SECURITYERROR},
	{"incorrect authentication data", R_SECURITYERROR},
	{"encryption required", R_SECURITYERROR},
	{"encryption needed", R_SECURITYERROR},
	{"sorry, you don't authenticate", R_SECURITYERROR},
	{"you don't authenticate", R_SECURITYERROR},
	{"client was not authenticated", R_SECURITYERROR},
	{"not authenticated", R_SECURITYERROR},
	{"suspicious account activity", R_SECURITYERROR},

	/* --- failedstarttls --- */
	{"does not support tls", R_FAILEDSTARTTLS},
	{"starttls is required to send mail", R_FAILEDSTARTTLS},
	{"failed mta-sts validation", R_FAILEDSTARTTLS},
	{"tls required for rcpt domain", R_FAILEDSTARTTLS},
	{"senders to use tls/ssl", R_FAILEDSTARTTLS},
	{"certificate-expired", R_FAILEDSTARTTLS},
	{"doesn't support tls", R_FAILEDSTARTTLS},
	{"tls required but not supported", R_FAILEDSTARTTLS},
	{"must issue a starttls command first", R_FAILEDSTARTTLS},
	{"tls is required", R_FAILEDSTARTTLS},
	{"tls required", R_FAILEDSTARTTLS},
	{"requires tls", R_FAILEDSTARTTLS},
	{"requires encryption (tls)", R_FAILEDSTARTTLS},
	{"must support tls", R_FAILEDSTARTTLS},
	{"starttls failed", R_FAILEDSTARTTLS},
	{"starttls-not-supported", R_FAILEDSTARTTLS},
	{"starttls is required", R_FAILEDSTARTTLS},
	{"starttls required", R_FAILEDSTARTTLS},
	{"tls handshake failed", R_FAILEDSTARTTLS},
	{"tls negotiation failed", R_FAILEDSTARTTLS},
	{"requiretls", R_FAILEDSTARTTLS},
	{"cannot start tls", R_FAILEDSTARTTLS},
	{"could not start tls", R_FAILEDSTARTTLS},

	/* --- mailererror --- */
	{"procmail:", T_MAILER_STRONG},
	{"operating system error", T_MAILER_STRONG},
	{" x-unix; ", T_MAILER_STRONG},
	{" x-postfix; ", R_MAILERERROR},
	{"bin/procmail", R_MAILERERROR},
	{"bin/maildrop", R_MAILERERROR},
	{"maildrop:", T_MAILER_STRONG},
	{"command failed:", R_MAILERERROR},
	{"command died with status", R_MAILERERROR},
	{"command output:", R_MAILERERROR},
	{"mailer error", R_MAILERERROR},
	{"unknown mailer error", R_MAILERERROR},
	{"pipe to |", T_MAILER_STRONG},
	{"x-unix; #", R_MAILERERROR},
	{"exit #", R_MAILERERROR},
	{"delivery program", R_MAILERERROR},

	/* --- syntaxerror --- */
	{"syntax error", R_SYNTAXERROR},
	{"angle-brackets nested too deep", R_SYNTAXERROR},
	{"expected word or \"<\"", R_SYNTAXERROR},
	{"domain missing in source-routed address", R_SYNTAXERROR},
	{"malformed address", R_SYNTAXERROR},
	{"bad sequence of commands", R_SYNTAXERROR},
	{"improper sequence of commands", R_SYNTAXERROR},
	{"command parameter not implemented", R_SYNTAXERROR},
	{"command not implemented", R_SYNTAXERROR},
	{"command unrecognized", R_SYNTAXERROR},
	{"unrecognized command", R_SYNTAXERROR},
	{"protocol violation", R_POLICYVIOLATION},
	{"smtp protocol violation", R_SYNTAXERROR},
	{"bad address syntax", R_SYNTAXERROR},
	{"send hello first", R_SYNTAXERROR},
	{"ehlo/helo first", R_SYNTAXERROR},

	/* --- suppressed --- */
	{"suppression list", R_SUPPRESSED},
	{"suppressed address", R_SUPPRESSED},
	{"address is suppressed", R_SUPPRESSED},
	{"on the suppression list", R_SUPPRESSED},
	{"on the account-level suppression list", R_SUPPRESSED},

	/* --- vacation (auto-replies that reach the parser without a hint) --- */
	{"i am away on vacation", R_VACATION},
	{"i am away until", R_VACATION},
	{"i am out of the office", R_VACATION},
	{"i'm out of the office", R_VACATION},
	{"out of office", R_VACATION},
	{"i will be traveling for work on", R_VACATION},
	{"i am currently away", R_VACATION},
	{"i am on vacation", R_VACATION},
	{"auto-reply", R_VACATION},
	{"autoreply", R_VACATION},
	{"automatic reply", R_VACATION},

	/* --- the queue lifetime ran out (what expired wins over) --- */
	{"could not be delivered for * days", T_GAVEUP},
	{"could not be delivered for more than", T_GAVEUP},
	{"message will be deleted from queue", T_GAVEUP},
	{"delivery time expired", T_GAVEUP},
	{"message expired", T_GAVEUP},
	{"queue expired", T_GAVEUP},
	{"envelope expired", T_GAVEUP},
	{"has been in the queue too long", T_GAVEUP},
	{"in queue too long", T_GAVEUP},
	{"retry timeout exceeded", T_GAVEUP},
	{"retry time not reached for any host after a long failure period", T_GAVEUP},
	{"was not reachable within the allowed queue period", T_GAVEUP},
	{"your message was not delivered within ", T_GAVEUP},
	{"unable to deliver this message after", T_GAVEUP},

	/* --- where provider_codes() has something to read --- */
	{"aup\\#", T_PCODE},
	{"x.co/rlbounce", T_PCODE},
	{"secureserver", T_PCODE},
	{"ofr", T_PCODE},
	{"lpn", T_PCODE},
	{"ouk", T_PCODE},
	{"resolver.", T_PCODE},
	{"queue.expired", T_PCODE},
	{"smtpsend.dns.", T_PCODE},
	{"i.ua/err/", T_PCODE},
};

#define NPHRASES ((int) (sizeof(phrases) / sizeof(phrases[0])))
#define NBUCKETS12 4096			/* phrases with 12 literal bytes or more, by those 12 */
#define NBUCKETS6 256			/* those with 6 to 11, by their first 6 */
#define NBUCKETS3 64			/* the others, by their first 3 bytes */
#define SCAN_SLACK 16			/* bytes after a normalised text that scan_text() may read */

static uint8_t pair_tab[65536];	/* for the first two bytes: which tables have phrases (1: 12, 2: 6, 4: 3) */
static int16_t bucket12[NBUCKETS12];
static int16_t bucket6[NBUCKETS6];
static int16_t bucket3[NBUCKETS3];
static int16_t phrase_next[NPHRASES];
static uint64_t phrase_key_a[NPHRASES];	/* literal bytes 0-7 (12-table) or 0-5 (6-table) */
static uint64_t phrase_key_b[NPHRASES];	/* literal bytes 8-11 (12-table) or 6-13 (6-table) */
static uint64_t phrase_mask_b[NPHRASES];	/* which bytes of key_b are literal */
static uint8_t phrase_skip[NPHRASES];	/* 1 when the phrase starts with '%' */
static uint8_t phrase_lit[NPHRASES];	/* length of the literal prefix (after '%'), capped at 255 */
static bool phrase_plain[NPHRASES];	/* no metacharacter at all: a plain comparison */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* letters, digits and the bytes of UTF-8 sequences */
static const uint8_t alnum_tab[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static inline bool
is_alnum(unsigned char c)
{
	return alnum_tab[c];
}

static inline bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline uint64_t
load6(const unsigned char *s)
{
	uint64_t	w = 0;

	memcpy(&w, s, 6);
	return w;
}

static inline uint64_t
load8(const unsigned char *s)
{
	uint64_t	w;

	memcpy(&w, s, 8);
	return w;
}

static inline uint32_t
load4u(const unsigned char *s)
{
	uint32_t	w;

	memcpy(&w, s, 4);
	return w;
}

static inline unsigned
hash12(uint64_t a, uint32_t b)
{
	return (unsigned) (((a * UINT64_C(0x9E3779B97F4A7C15)) ^ ((uint64_t) b * UINT64_C(0xC2B2AE3D27D4EB4F))) >> 52) &
		(NBUCKETS12 - 1);
}

static inline unsigned
hash6(uint64_t w)
{
	return (unsigned) ((w * UINT64_C(0x9E3779B97F4A7C15)) >> 56) & (NBUCKETS6 - 1);
}

static inline unsigned
hash3(const unsigned char *s)
{
	uint32_t	k = (uint32_t) s[0] | ((uint32_t) s[1] << 8) | ((uint32_t) s[2] << 16);

	return (unsigned) ((k * 2654435761u) >> 26) & (NBUCKETS3 - 1);
}

static inline bool
is_meta(unsigned char c)
{
	return c == '*' || c == '~' || c == '#' || c == '%' || c == '\\';
}

/*
 * what normalise() writes for an ordinary byte (ASCII lowercased), 0 for the
 * bytes it treats apart: NUL, whitespace, '/', '#', '-'
 */
static uint8_t norm_keep[256];

/* what normalise() writes for an ordinary byte or whitespace (a space); 0 for NUL, '/', '#', '-' */
static uint8_t norm_fast[256];

static void
build_tables(void)
{
	for (int i = 1; i < 256; i++)
		norm_keep[i] = (uint8_t) ((i >= 'A' && i <= 'Z') ? i + 32 : i);
	norm_keep['\t'] = norm_keep['\n'] = norm_keep['\v'] = norm_keep['\f'] = norm_keep['\r'] = 0;
	norm_keep[' '] = norm_keep['/'] = norm_keep['#'] = norm_keep['-'] = 0;
	memcpy(norm_fast, norm_keep, sizeof(norm_fast));
	norm_fast['\t'] = norm_fast['\n'] = norm_fast['\v'] = norm_fast['\f'] = norm_fast['\r'] = norm_fast[' '] = ' ';
	for (int i = 0; i < NBUCKETS12; i++)
		bucket12[i] = -1;
	for (int i = 0; i < NBUCKETS6; i++)
		bucket6[i] = -1;
	for (int i = 0; i < NBUCKETS3; i++)
		bucket3[i] = -1;
	/* insert in reverse so that bucket lists keep the table order */
	for (int i = NPHRASES - 1; i >= 0; i--)
	{
		const unsigned char *p = (const unsigned char *) phrases[i].p;
		int16_t    *head;
		size_t		k;

		phrase_skip[i] = (p[0] == '%');
		/* the literal prefix: up to the first meta character (is_meta) */
		k = phrase_skip[i] + strcspn((const char *) p + phrase_skip[i], "*~#%\\");
		if (k > 255)
			k = 255;
		phrase_lit[i] = (uint8_t) (k - phrase_skip[i]);
		phrase_plain[i] = (p[k] == 0 && !phrase_skip[i]);
		p += phrase_skip[i];
		{
			unsigned	pr = ((unsigned) p[0] << 8) | p[1];

			pair_tab[pr] |= (uint8_t) (phrase_lit[i] >= 12 ? 1 : phrase_lit[i] >= 6 ? 2 : 4);
		}
		if (phrase_lit[i] >= 12)
		{
			phrase_key_a[i] = load8(p);
			phrase_key_b[i] = load4u(p + 8);
			head = &bucket12[hash12(phrase_key_a[i], (uint32_t) phrase_key_b[i])];
		}
		else if (phrase_lit[i] >= 6)
		{
			size_t		more = phrase_lit[i] - 6u;	/* 0 to 5 */

			phrase_key_a[i] = load6(p);
			phrase_key_b[i] = 0;
			phrase_mask_b[i] = 0;
			memcpy(&phrase_key_b[i], p + 6, more);
			memset(&phrase_mask_b[i], 0xFF, more);
			head = &bucket6[hash6(phrase_key_a[i])];
		}
		else
			head = &bucket3[hash3(p)];
		phrase_next[i] = *head;
		*head = (int16_t) i;
	}
}

/*
 * Does pattern p match at t?  s..e is the whole text (for '%' and bounds).
 */
static bool
pmatch(const unsigned char *p, const unsigned char *t,
	   const unsigned char *s, const unsigned char *e)
{
	for (;;)
	{
		switch (*p)
		{
			case 0:
				return true;
			case '%':
				{
					bool		a = (t > s) && is_alnum(t[-1]);
					bool		b = (t < e) && is_alnum(t[0]);

					if (a && b)
						return false;
					p++;
					continue;
				}
			case '*':
				for (int k = 0; k <= 120 && t + k <= e; k++)
					if (pmatch(p + 1, t + k, s, e))
						return true;
				return false;
			case '~':
				for (int k = 1; k <= 80 && t + k <= e && t[k - 1] != ' '; k++)
					if (pmatch(p + 1, t + k, s, e))
						return true;
				return false;
			case '#':
				for (int k = 1; t + k <= e && is_digit(t[k - 1]); k++)
					if (pmatch(p + 1, t + k, s, e))
						return true;
				return false;
			case '\\':
				p++;
				/* FALLTHROUGH */
			default:
				if (t >= e || *t != *p)
					return false;
				p++;
				t++;
		}
	}
}

/*
 * scan normalised text s[0..n) and collect the tags of every matching
 * phrase: at each position where a word starts (or at punctuation), the
 * phrases whose first 12 literal bytes are the next 12 bytes (one bucket),
 * then those with 6 to 11 literal bytes by 6 bytes, then the few shorter
 * ones by 3 bytes.  s must have SCAN_SLACK readable bytes after s[n].
 */
static void
scan_text(const unsigned char *s, size_t n, tagset *tags)
{
	const unsigned char *e = s + n;
	size_t		j = 0;

	if (n < 3)
		return;
	while (j + 3 <= n)
	{
		int			k;
		size_t		i = j;
		unsigned	tabs;

		/* phrases start where a word starts, or at punctuation: past the word */
		if (is_alnum(s[j]))
			j += 1 + ma_span(s + j + 1, n - j - 1, MA_SPAN_WORD);
		else
			j++;
		/* and with two bytes some phrase starts with: in which tables */
		tabs = pair_tab[((unsigned) s[i] << 8) | s[i + 1]];
		if (tabs == 0)
			continue;
		if ((tabs & 1) && i + 12 <= n)
		{
			uint64_t	a = load8(s + i);
			uint32_t	b = load4u(s + i + 8);

			for (k = bucket12[hash12(a, b)]; k >= 0; k = phrase_next[k])
			{
				size_t		lit = phrase_lit[k];

				if (phrase_key_a[k] != a || phrase_key_b[k] != b || lit > n - i ||
					ts_has(tags, phrases[k].tag))
					continue;
				if (lit > 12 && memcmp(phrases[k].p + phrase_skip[k] + 12, s + i + 12, lit - 12) != 0)
					continue;
				if (phrase_plain[k] || pmatch((const unsigned char *) phrases[k].p, s + i, s, e))
					ts_set(tags, phrases[k].tag);
			}
		}
		if ((tabs & 2) && i + 6 <= n)
		{
			uint64_t	a = load6(s + i);

			for (k = bucket6[hash6(a)]; k >= 0; k = phrase_next[k])
			{
				if (phrase_key_a[k] != a || phrase_lit[k] > n - i || ts_has(tags, phrases[k].tag))
					continue;
				/* the rest, 0 to 5 bytes (the buffer has SCAN_SLACK bytes more) */
				if ((load8(s + i + 6) & phrase_mask_b[k]) != phrase_key_b[k])
					continue;
				if (phrase_plain[k] || pmatch((const unsigned char *) phrases[k].p, s + i, s, e))
					ts_set(tags, phrases[k].tag);
			}
		}
		if (!(tabs & 4))
			continue;
		for (k = bucket3[hash3(s + i)]; k >= 0; k = phrase_next[k])
		{
			const unsigned char *p = (const unsigned char *) phrases[k].p + phrase_skip[k];
			size_t		lit = phrase_lit[k];

			if (ts_has(tags, phrases[k].tag))
				continue;
			if (p[0] != s[i] || p[1] != s[i + 1] || p[2] != s[i + 2] || lit > n - i)
				continue;
			if (lit > 3 && (p[3] != s[i + 3] || (lit > 4 && memcmp(p + 4, s + i + 4, lit - 4) != 0)))
				continue;
			if (phrase_plain[k] || pmatch((const unsigned char *) phrases[k].p, s + i, s, e))
				ts_set(tags, phrases[k].tag);
		}
	}
}

/*
 * A multi-line SMTP reply folded into one line repeats its prefix on every
 * line: "550-5.7.1 Messages with multiple 550-5.7.1 addresses in From: ...
 * 550 5.7.1 header are not accepted".  Remove the repetitions after the
 * first, so that phrases spanning lines match.  s is normalised; returns the
 * new length.
 */
static size_t
strip_continuations(unsigned char *s, size_t n)
{
	unsigned char pfx[24];
	size_t		plen,
				i,
				w;
	unsigned char prev;

	/* the first " ddd-" (a multi-line reply), with the status code after it */
	for (i = 0; i + 5 < n; i++)
		if (s[i] == ' ' && (s[i + 1] == '4' || s[i + 1] == '5') && is_digit(s[i + 2]) &&
			is_digit(s[i + 3]) && s[i + 4] == '-')
			break;
	if (i + 5 >= n)
		return n;
	memcpy(pfx, s + i + 1, 3);
	plen = 3;
	{
		size_t		k = i + 5,
					m = 0;

		while (k + m < n && m < 11 && (is_digit(s[k + m]) || s[k + m] == '.'))
			m++;
		if (m >= 5 && m <= 11 && k + m < n && s[k + m] == ' ' &&
			(s[k] == '2' || s[k] == '4' || s[k] == '5') && s[k + 1] == '.')
		{
			pfx[3] = ' ';
			memcpy(pfx + 4, s + k, m);
			plen = 4 + m;
		}
	}
	/* keep the first; drop later " ddd-[code] " and " ddd code " */
	i = w = i + 5;
	prev = '-';
	while (i < n)
	{
		if (prev == ' ' && i + plen < n && memcmp(s + i, pfx, 3) == 0 &&
			(s[i + 3] == '-' || (plen > 3 && s[i + 3] == ' ')) &&
			(plen == 3 || memcmp(s + i + 4, pfx + 4, plen - 4) == 0) &&
			s[i + plen] == ' ')
		{
			i += plen + 1;
			continue;
		}
		prev = s[i];
		s[w++] = s[i++];
	}
	s[w] = 0;
	return w;
}

/*
 * Normalise src into dst (capacity cap >= 3): a leading space, ASCII
 * lowercase, whitespace runs as one space, URL fragments dropped, a trailing
 * space.  Returns the length.
 */
static size_t
normalise(const char *src, unsigned char *dst, size_t cap)
{
	/*
	 * 0: kept as is, 1: whitespace, 2: upper case, 3: '/' and '#' (URLs),
	 * 4: '-' (a multi-line reply?), 5: the end
	 */
	static const uint8_t cls[256] = {
		[0] = 5,
		['\t'] = 1,['\n'] = 1,['\v'] = 1,['\f'] = 1,['\r'] = 1,[' '] = 1,
		['A'] = 2,['B'] = 2,['C'] = 2,['D'] = 2,['E'] = 2,['F'] = 2,['G'] = 2,
		['H'] = 2,['I'] = 2,['J'] = 2,['K'] = 2,['L'] = 2,['M'] = 2,['N'] = 2,
		['O'] = 2,['P'] = 2,['Q'] = 2,['R'] = 2,['S'] = 2,['T'] = 2,['U'] = 2,
		['V'] = 2,['W'] = 2,['X'] = 2,['Y'] = 2,['Z'] = 2,
		['/'] = 3,['#'] = 3,['-'] = 4
	};
	const unsigned char *p = (const unsigned char *) src;
	unsigned char *o = dst,
			   *oe = dst + cap - 2;
	bool		in_url = false;
	bool		skip_frag = false;
	bool		multi = false;	/* " 550-" seen */

	*o++ = ' ';
	while (o < oe)
	{
		unsigned char c = *p;

		/*
		 * Ordinary bytes (lowercased) and whitespace (a run as one space)
		 * without a branch on which of them the byte is: that changes with
		 * every word.  The rest, rare, below.
		 */
		if (norm_fast[c] != 0 && !skip_frag)
		{
			unsigned char out = norm_fast[c];
			int			w = out == ' ',
						after_space = o[-1] == ' ';

			*o = out;
			o += 1 - (w & after_space);
			in_url &= !w;
			p++;
			continue;
		}
		p++;
		switch (cls[c])
		{
			case 0:
				break;
			case 1:
				in_url = skip_frag = false;
				if (o[-1] != ' ')
					*o++ = ' ';
				continue;
			case 2:
				c = (unsigned char) (c + 32);
				break;
			case 3:
				if (!in_url && c == '/' && *p == '/' && o - dst >= 2 && o[-1] == ':')
					in_url = true;
				if (in_url && c == '#')
					skip_frag = true;
				break;
			case 4:
				if (o - dst >= 4 && o[-4] == ' ' && (o[-3] == '4' || o[-3] == '5') &&
					is_digit(o[-2]) && is_digit(o[-1]))
					multi = true;
				break;
			default:
				p = NULL;		/* the end */
				break;
		}
		if (p == NULL)
			break;
		if (skip_frag)
			continue;
		*o++ = c;
	}
	if (o[-1] != ' ')
		*o++ = ' ';
	*o = 0;
	return multi ? strip_continuations(dst, (size_t) (o - dst)) : (size_t) (o - dst);
}

/* ---------------------------------------------------------------------
 * Status codes
 * ---------------------------------------------------------------------
 */
typedef struct st_code
{
	bool		valid;
	int			cls,
				subj,
				det;
} st_code;

/* parse "5.7.26" exactly (with surrounding spaces); false for anything else */
static bool
parse_status(const char *s, st_code *c)
{
	int			v[3] = {0, 0, 0};
	int			i = 0;

	memset(c, 0, sizeof(*c));
	if (!s)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '2' && *s != '4' && *s != '5')
		return false;
	v[0] = *s++ - '0';
	for (i = 1; i < 3; i++)
	{
		int			d = 0;

		if (*s++ != '.')
			return false;
		if (!is_digit((unsigned char) *s))
			return false;
		while (is_digit((unsigned char) *s))
		{
			if (++d > 3)
				return false;
			v[i] = v[i] * 10 + (*s++ - '0');
		}
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s)
		return false;
	c->valid = true;
	c->cls = v[0];
	c->subj = v[1];
	c->det = v[2];
	return true;
}

bool
ma_bounce_find_status(const char *s, char out[16])
{
	const unsigned char *p;

	if (!s)
		return false;
	for (p = (const unsigned char *) s; *p; p++)
	{
		const unsigned char *q;
		int			a,
					b;

		if ((*p != '2' && *p != '4' && *p != '5') || p[1] != '.')
			continue;
		if (p > (const unsigned char *) s)
		{
			unsigned char c = p[-1];

			/* part of a longer number, word or dotted sequence: 1.5.1.1, v5.1.1, x5.1.1 */
			if (is_alnum(c) || c == '.' || c == '_' || c == '/')
				continue;
			/* "-2.4.1" is a version range, but "550-5.1.1" is a reply */
			if (c == '-' && !(p - (const unsigned char *) s >= 4 && is_digit(p[-2]) &&
							  is_digit(p[-3]) && is_digit(p[-4])))
				continue;
		}
		q = p + 2;
		for (a = 0; is_digit(q[a]); a++)
			;
		if (a < 1 || a > 3 || q[a] != '.')
			continue;
		q += a + 1;
		for (b = 0; is_digit(q[b]); b++)
			;
		if (b < 1 || b > 3)
			continue;
		/* followed by more of a dotted number (an IP address, a version) or a word */
		if (q[b] == '.' && is_digit(q[b + 1]))
			continue;
		if (is_alnum(q[b]) || q[b] == '_' || (q[b] == '-' && is_alnum(q[b + 1])))
			continue;
		/* dotted-quad seen from its second octet: 10.5.1.1 caught above by '.' */
		memcpy(out, p, (size_t) (2 + a + 1 + b));
		out[2 + a + 1 + b] = 0;
		return true;
	}
	return false;
}

/* the reason a status code names, R_NONE when it names none */
static int
code_reason(const st_code *c)
{
	int			s = c->subj,
				d = c->det;
	bool		perm = (c->cls == 5);

	if (!c->valid)
		return R_NONE;
	if (c->cls == 2)
		return R_DELIVERED;
	switch (s)
	{
		case 0:
			/* Sisimai's pseudo codes x.0.9xx carry the reason */
			switch (d)
			{
				case 901: return R_ONHOLD;
				case 902: return R_SYNTAXERROR;
				case 909: return R_NORELAYING;
				case 910: return R_FILTERED;
				case 911: return R_USERUNKNOWN;
				case 912: return R_HOSTUNKNOWN;
				case 916: return R_HASMOVED;
				case 918: return R_REJECTED;
				case 921: return R_SUSPEND;
				case 922: return R_MAILBOXFULL;
				case 923: return R_EXCEEDLIMIT;
				case 924: return R_FILTERED;
				case 930: return R_SYSTEMERROR;
				case 931: return R_SYSTEMFULL;
				case 932: return R_NOTACCEPT;
				case 934: return R_MESGTOOBIG;
				case 939: return R_MAILERERROR;
				case 944: return R_NETWORKERROR;
				case 945: return R_TOOMANYCONN;
				case 947: return R_EXPIRED;
				case 960: return R_CONTENTERROR;
				case 970: return R_SECURITYERROR;
				case 971: return R_BLOCKED;
				case 972: return R_POLICYVIOLATION;
				case 973: return R_REQUIREPTR;
				case 974: return R_NOTCOMPLIANTRFC;
				case 975: return R_BADREPUTATION;
				case 976: return R_FAILEDSTARTTLS;
				case 980: return R_SPAMDETECTED;
				case 981: return R_VIRUSDETECTED;
				case 990: return R_SPEEDING;
			}
			return R_NONE;
		case 1:
			switch (d)
			{
				case 0: case 1: case 3: return perm ? R_USERUNKNOWN : R_NONE;
				case 2: return R_HOSTUNKNOWN;
				case 4: return R_FILTERED;
				case 6: return R_HASMOVED;
				case 7: case 8: return R_REJECTED;
				case 9: return R_SYSTEMERROR;
				case 10: return R_NOTACCEPT;
			}
			return R_NONE;
		case 2:
			switch (d)
			{
				case 0: return perm ? R_FILTERED : R_NONE;
				case 1: return perm ? R_FILTERED : R_BLOCKED;
				case 2: return R_MAILBOXFULL;
				case 3: return R_EXCEEDLIMIT;
				case 4: return R_FILTERED;
			}
			return R_NONE;
		case 3:
			switch (d)
			{
				case 0: return perm ? R_SYSTEMERROR : R_NONE;
				case 1: return R_SYSTEMFULL;
				case 2: return R_NOTACCEPT;
				case 3: case 5: return R_SYSTEMERROR;
				case 4: return R_MESGTOOBIG;
			}
			return R_NONE;
		case 4:
			switch (d)
			{
				case 0: return perm ? R_NETWORKERROR : R_NONE;
				case 1: return perm ? R_NONE : R_EXPIRED;
				case 2: case 6: case 8: return R_NETWORKERROR;
				case 3: return R_SYSTEMERROR;
				case 4: return perm ? R_HOSTUNKNOWN : R_NETWORKERROR;
				case 5: return R_SYSTEMFULL;
				case 7: return R_EXPIRED;
			}
			return R_NONE;
		case 5:
			switch (d)
			{
				case 2: case 6: return perm ? R_SYNTAXERROR : R_NONE;
				case 3: return perm ? R_TOOMANYCONN : R_SYSTEMERROR;
				case 4: case 5: return R_SYSTEMERROR;
			}
			return R_NONE;
		case 6:
			return R_CONTENTERROR;
		case 7:
			switch (d)
			{
				case 1: case 2: return perm ? R_SECURITYERROR : R_BLOCKED;
				case 13: return R_SUSPEND;
				case 16: return R_MESGTOOBIG;
				case 17: case 18: return R_HASMOVED;
				case 20: case 21: case 22: case 23: case 24: case 26: case 29:
					return R_AUTHFAILURE;
				case 25: return R_REQUIREPTR;
				case 27: return R_NOTACCEPT;
				case 28: return R_SPAMDETECTED;
				case 30: return R_FAILEDSTARTTLS;
			}
			if (d <= 19)
				return R_SECURITYERROR;
			return R_NONE;
	}
	return R_NONE;
}

/* ---------------------------------------------------------------------
 * RFC 3463 and the IANA registry
 * ---------------------------------------------------------------------
 */
static const char *const class_texts[6] = {
	NULL, NULL, "Success", NULL, "Persistent Transient Failure", "Permanent Failure"
};

static const char *const subject_texts[8] = {
	"Other or Undefined Status",
	"Addressing Status",
	"Mailbox Status",
	"Mail System Status",
	"Network and Routing Status",
	"Mail Delivery Protocol Status",
	"Message Content or Media Status",
	"Security or Policy Status",
};

static const char *const det0[] = {"Other undefined Status"};
static const char *const det1[] = {
	"Other address status",
	"Bad destination mailbox address",
	"Bad destination system address",
	"Bad destination mailbox address syntax",
	"Destination mailbox address ambiguous",
	"Destination address valid",
	"Destination mailbox has moved, No forwarding address",
	"Bad sender's mailbox address syntax",
	"Bad sender's system address",
	"Message relayed to non-compliant mailer",
	"Recipient address has null MX",
};
static const char *const det2[] = {
	"Other or undefined mailbox status",
	"Mailbox disabled, not accepting messages",
	"Mailbox full",
	"Message length exceeds administrative limit",
	"Mailing list expansion problem",
};
static const char *const det3[] = {
	"Other or undefined mail system status",
	"Mail system full",
	"System not accepting network messages",
	"System not capable of selected features",
	"Message too big for system",
	"System incorrectly configured",
	"Requested priority was changed",
};
static const char *const det4[] = {
	"Other or undefined network or routing status",
	"No answer from host",
	"Bad connection",
	"Directory server failure",
	"Unable to route",
	"Mail system congestion",
	"Routing loop detected",
	"Delivery time expired",
};
static const char *const det5[] = {
	"Other or undefined protocol status",
	"Invalid command",
	"Syntax error",
	"Too many recipients",
	"Invalid command arguments",
	"Wrong protocol version",
	"Authentication Exchange line is too long",
};
static const char *const det6[] = {
	"Other or undefined media error",
	"Media not supported",
	"Conversion required and prohibited",
	"Conversion required but not supported",
	"Conversion with loss performed",
	"Conversion Failed",
	"Message content not available",
	"Non-ASCII addresses not permitted for that sender/recipient",
	"UTF-8 string reply is required, but not permitted by the SMTP client",
	"UTF-8 header message cannot be transferred to one or more recipients, so the message must be rejected",
	"UTF-8 string reply is required, but not permitted by the SMTP client",
};
static const char *const det7[] = {
	"Other or undefined security status",
	"Delivery not authorized, message refused",
	"Mailing list expansion prohibited",
	"Security conversion required but not possible",
	"Security features not supported",
	"Cryptographic failure",
	"Cryptographic algorithm not supported",
	"Message integrity failure",
	"Authentication credentials invalid",
	"Authentication mechanism is too weak",
	"Encryption Needed",
	"Encryption required for requested authentication mechanism",
	"A password transition is needed",
	"User Account Disabled",
	"Trust relationship required",
	"Priority Level is too low",
	"Message is too big for the specified priority",
	"Mailbox owner has changed",
	"Domain owner has changed",
	"RRVS test cannot be completed",
	"No passing DKIM signature found",
	"No acceptable DKIM signature found",
	"No valid author-matched DKIM signature found",
	"SPF validation failed",
	"SPF validation error",
	"Reverse DNS validation failed",
	"Multiple authentication checks failed",
	"Sender address has null MX",
	"Mail flood detected",
	"ARC validation failure",
	"REQUIRETLS support required",
};

#define NELEM(a) ((int) (sizeof(a) / sizeof((a)[0])))

static const struct
{
	const char *const *d;
	int			n;
}			detail_texts[8] = {
	{det0, NELEM(det0)}, {det1, NELEM(det1)}, {det2, NELEM(det2)}, {det3, NELEM(det3)},
	{det4, NELEM(det4)}, {det5, NELEM(det5)}, {det6, NELEM(det6)}, {det7, NELEM(det7)},
};

bool
ma_smtp_status_lookup(const char *code, ma_smtp_status *out)
{
	st_code		c;

	memset(out, 0, sizeof(*out));
	if (!parse_status(code, &c))
		return false;
	{
		/* "%d.%d.%d" by hand (a row's status is looked up on every row): one to three digits each */
		char	   *o = out->code;
		const int	v[3] = {c.cls, c.subj, c.det};

		for (int k = 0; k < 3; k++)
		{
			if (k > 0)
				*o++ = '.';
			if (v[k] >= 100)
				*o++ = (char) ('0' + v[k] / 100);
			if (v[k] >= 10)
				*o++ = (char) ('0' + v[k] / 10 % 10);
			*o++ = (char) ('0' + v[k] % 10);
		}
		*o = '\0';
	}
	out->class_ = c.cls;
	out->subject = c.subj;
	out->detail = c.det;
	out->permanent = (c.cls == 5);
	out->class_text = class_texts[c.cls];
	out->subject_text = c.subj < 8 ? subject_texts[c.subj] : NULL;
	if (c.subj < 8 && c.det < detail_texts[c.subj].n)
		out->description = detail_texts[c.subj].d[c.det];
	return true;
}

/* ---------------------------------------------------------------------
 * Remote hosts with their own codes
 * ---------------------------------------------------------------------
 */
enum
{
	P_NONE = 0, P_GOOGLE, P_MICROSOFT, P_YAHOO, P_APPLE, P_AOL, P_COX,
	P_GODADDY, P_FRANCEPTT, P_SPECTRUM, P_IUA, P_KDDI, P_DOCOMO, P_MIMECAST,
	P_TENCENT, P_MESSAGELABS
};

/* h (lowercase, n bytes) is the domain suffix or ends with it after a dot */
static inline bool
host_ends_n(const char *h, size_t n, const char *suffix, size_t m)
{
	if (n < m || memcmp(h + n - m, suffix, m) != 0)
		return false;
	return n == m || h[n - m - 1] == '.' || suffix[0] == '.';
}

#define host_ends(h, n, lit) host_ends_n((h), (n), (lit), sizeof(lit) - 1)

/* h is lowercase */
static bool
host_has(const char *h, const char *needle)
{
	return strstr(h, needle) != NULL;
}

/*
 * The provider a recipient's domain names, as Sisimai 5 reads it: only when
 * one of the hosts known for a provider ends with that domain (mail to
 * cox.net is Cox's, to ezweb.ne.jp KDDI's, to hotmail.com Microsoft's; mail
 * to yahoo.com or gmail.com names no provider: their MX names do).
 */
static int
provider_of_domain(const char *recipient)
{
	static const struct
	{
		const char *host;
		size_t		len;
		int			prov;
	}			hosts[] = {
#define PH(h, p) {h, sizeof(h) - 1, p}
		PH(".mail.aol.com", P_AOL), PH(".mx.aol.com", P_AOL),
		PH(".mail.icloud.com", P_APPLE), PH(".apple.com", P_APPLE), PH(".me.com", P_APPLE),
		PH("cox.net", P_COX),
		PH(".laposte.net", P_FRANCEPTT), PH(".orange.fr", P_FRANCEPTT), PH(".wanadoo.fr", P_FRANCEPTT),
		PH("smtp.secureserver.net", P_GODADDY), PH("mailstore1.secureserver.net", P_GODADDY),
		PH("aspmx.l.google.com", P_GOOGLE), PH("gmail-smtp-in.l.google.com", P_GOOGLE),
		PH(".email.ua", P_IUA),
		PH(".ezweb.ne.jp", P_KDDI), PH("msmx.au.com", P_KDDI),
		PH(".messagelabs.com", P_MESSAGELABS),
		PH(".prod.outlook.com", P_MICROSOFT), PH(".protection.outlook.com", P_MICROSOFT),
		PH(".onmicrosoft.com", P_MICROSOFT), PH(".exchangelabs.com", P_MICROSOFT), PH(".hotmail.com", P_MICROSOFT),
		PH(".mimecast.com", P_MIMECAST),
		PH("mfsmax.docomo.ne.jp", P_DOCOMO),
		PH("charter.net", P_SPECTRUM),
		PH(".qq.com", P_TENCENT),
		PH(".yahoodns.net", P_YAHOO),
#undef PH
	};
	const char *d = recipient ? strrchr(recipient, '@') : NULL;
	char		low[32];
	size_t		n;

	if (d == NULL || strchr(++d, '.') == NULL)
		return P_NONE;
	n = strlen(d);
	if (n >= sizeof(low))
		return P_NONE;			/* longer than any name below */
	/* the names are lowercase: the domain lowercased once, then compared */
	for (size_t i = 0; i < n; i++)
		low[i] = (char) ((d[i] >= 'A' && d[i] <= 'Z') ? d[i] + 32 : d[i]);
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
	{
		size_t		m = hosts[i].len;

		if (m >= n && memcmp(hosts[i].host + m - n, low, n) == 0)
			return hosts[i].prov;
	}
	return P_NONE;
}

static int
provider_of(const char *rmta, const tagset *tags)
{
	if (rmta && *rmta)
	{
		char		h[256];
		size_t		n = 0;

		/* "dns; mx.example.com", "mx.example.com [192.0.2.1]": the host name */
		while (*rmta == ' ')
			rmta++;
		if (strncasecmp(rmta, "dns;", 4) == 0)
			rmta += 4;
		while (*rmta == ' ')
			rmta++;
		while (rmta[n] && rmta[n] != ' ' && rmta[n] != '[' && rmta[n] != '(' && n < sizeof(h) - 1)
		{
			h[n] = (rmta[n] >= 'A' && rmta[n] <= 'Z') ? (char) (rmta[n] + 32) : rmta[n];
			n++;
		}
		while (n > 0 && h[n - 1] == '.')
			n--;
		h[n] = 0;
		if (host_ends(h, n, "google.com") || host_ends(h, n, "googlemail.com") || host_ends(h, n, "gmail.com"))
			return P_GOOGLE;
		if (host_ends(h, n, "outlook.com") || host_ends(h, n, "hotmail.com") ||
			host_ends(h, n, "live.com") || host_ends(h, n, "msn.com") || host_ends(h, n, "office365.com"))
			return P_MICROSOFT;
		if (host_has(h, "yahoodns.net") || host_has(h, "yahoo.") || host_ends(h, n, "ymail.com"))
			return P_YAHOO;
		if (host_ends(h, n, "icloud.com") || host_ends(h, n, "apple.com") || host_ends(h, n, "me.com"))
			return P_APPLE;
		if (host_ends(h, n, "aol.com"))
			return P_AOL;
		if (host_has(h, "cox.net"))
			return P_COX;
		if (host_ends(h, n, "secureserver.net"))
			return P_GODADDY;
		if (host_ends(h, n, "orange.fr") || host_ends(h, n, "wanadoo.fr") || host_ends(h, n, "laposte.net"))
			return P_FRANCEPTT;
		if (host_has(h, "charter.net") || host_has(h, "spectrum.net"))
			return P_SPECTRUM;
		if (host_ends(h, n, "email.ua") || host_ends(h, n, "i.ua"))
			return P_IUA;
		if (host_ends(h, n, "ezweb.ne.jp") || host_ends(h, n, "au.com"))
			return P_KDDI;
		if (host_ends(h, n, "docomo.ne.jp"))
			return P_DOCOMO;
		if (host_ends(h, n, "mimecast.com"))
			return P_MIMECAST;
		if (host_ends(h, n, "qq.com"))
			return P_TENCENT;
		if (host_ends(h, n, "messagelabs.com"))
			return P_MESSAGELABS;
	}
	if (!tags)
		return P_NONE;
	if (ts_has(tags, T_GOOGLE))
		return P_GOOGLE;
	if (ts_has(tags, T_MICROSOFT))
		return P_MICROSOFT;
	if (ts_has(tags, T_YAHOO))
		return P_YAHOO;
	if (ts_has(tags, T_APPLE))
		return P_APPLE;
	if (ts_has(tags, T_AOL))
		return P_AOL;
	return P_NONE;
}

/* a run of 3 to 5 digits after prefix in s (normalised, lowercase): its value, or -1 */
static long
code_after(const char *s, const char *prefix, int mindig, int maxdig)
{
	const char *p = s;
	size_t		m = strlen(prefix);

	while ((p = strstr(p, prefix)) != NULL)
	{
		const char *q = p + m;
		long		v = 0;
		int			k = 0;

		while (is_digit((unsigned char) q[k]) && k <= maxdig)
		{
			v = v * 10 + (q[k] - '0');
			k++;
		}
		if (k >= mindig && k <= maxdig && !is_alnum((unsigned char) q[k]))
			return v;
		p += m;
	}
	return -1;
}

/*
 * Provider codes found in the text, whatever the remote host (they are
 * distinctive): Cox and Spectrum "AUP#...", GoDaddy "IBnnn", Orange and
 * La Poste "OFR_nnn"/"LPNnnn_nnn", i.ua "i.ua/err/N".
 */
static int
provider_codes(const char *t, int prov)
{
	const char *p;

	/* Cox: AUP#CXBL, AUP#IPBL0001, AUP#URLBL011 ... */
	if ((p = strstr(t, "aup#")) != NULL)
	{
		const char *q = p + 4;

		if (strncmp(q, "cxthrt", 6) == 0 || strncmp(q, "cxmj", 4) == 0)
			return R_SECURITYERROR;
		if (strncmp(q, "cxsndr", 6) == 0 || strncmp(q, "cxsmtp", 6) == 0)
			return R_REJECTED;
		if (strncmp(q, "cxcnct", 6) == 0 || strncmp(q, "cxmxrt", 6) == 0)
			return R_TOOMANYCONN;
		if (strncmp(q, "cxbl", 4) == 0 || strncmp(q, "cdrbl", 5) == 0 ||
			strncmp(q, "cxdns", 5) == 0 || strncmp(q, "ipbl", 4) == 0)
			return R_BLOCKED;
		if (strncmp(q, "urlbl", 5) == 0)
			return R_SPAMDETECTED;
		/* Spectrum: AUP#In-1310, AUP#Out-1000 ... */
		while (*q && !is_digit((unsigned char) *q) && (*q == '-' || (*q >= 'a' && *q <= 'z')))
			q++;
		if (is_digit((unsigned char) *q))
		{
			long		v = strtol(q, NULL, 10);

			if (v == 1000) return R_BLOCKED;
			if (v == 1010 || (v >= 1020 && v <= 1080)) return R_REJECTED;
			if (v == 1090) return R_SYSTEMERROR;
			if (v >= 1100 && v <= 1150) return R_BLOCKED;
			if (v >= 1160 && v <= 1190) return R_POLICYVIOLATION;
			if (v >= 1200 && v <= 1250) return R_BLOCKED;
			if (v == 1260) return R_NETWORKERROR;
			if (v >= 1300 && v <= 1490) return R_TOOMANYCONN;
			if (v == 1500 || v == 1520) return R_REJECTED;
			if (v == 1530) return R_MESGTOOBIG;
			if (v == 1540 || v == 1550) return R_TOOMANYCONN;
			if (v == 1560) return R_POLICYVIOLATION;
		}
	}
	/* GoDaddy: " IB401", "IB607 <http://x.co/rlbounce>" */
	if (prov == P_GODADDY || strstr(t, "x.co/rlbounce") || strstr(t, "secureserver"))
	{
		long		v = code_after(t, " ib", 3, 3);

		if (v >= 0)
		{
			switch (v)
			{
				case 7: case 510: return R_TOOMANYCONN;
				case 504: case 607: return R_SPEEDING;
				case 101: return R_EXPIRED;
				case 103: case 104: case 105: case 106: case 110: case 111:
				case 112: case 113: return R_BLOCKED;
				case 108: return R_REQUIREPTR;
				case 212: return R_SPAMDETECTED;
				case 401: return R_SECURITYERROR;
				case 501: case 502: case 506: return R_REJECTED;
				case 508: return R_AUTHFAILURE;
				case 705: return R_VIRUSDETECTED;
			}
		}
	}
	/* Orange and La Poste: "OFR_416", "OFR006_102", "LPN007_426", "LPNAAA_101" */
	if (strstr(t, "ofr") || strstr(t, "lpn") || strstr(t, "ouk"))
	{
		static const char *const pfx[] = {"ofr", "lpnaaa", "lpn", "ouk"};

		for (int i = 0; i < 4; i++)
		{
			const char *q = t;
			size_t		m = strlen(pfx[i]);

			while ((q = strstr(q, pfx[i])) != NULL)
			{
				const char *r = q + m;
				long		v = -1;

				if (q > t && is_alnum((unsigned char) q[-1]))
				{
					q += m;
					continue;
				}
				/* _nnn, or nnn_nnn / nnn-nnn */
				if (r[0] == '_' && is_digit((unsigned char) r[1]) && is_digit((unsigned char) r[2]) &&
					is_digit((unsigned char) r[3]) && !is_alnum((unsigned char) r[4]))
					v = strtol(r + 1, NULL, 10);
				else if (is_digit((unsigned char) r[0]) && is_digit((unsigned char) r[1]) &&
						 is_digit((unsigned char) r[2]) && (r[3] == '_' || r[3] == '-') &&
						 is_digit((unsigned char) r[4]) && is_digit((unsigned char) r[5]) &&
						 is_digit((unsigned char) r[6]) && !is_alnum((unsigned char) r[7]))
					v = strtol(r + 4, NULL, 10);
				if (v >= 0)
				{
					switch (v)
					{
						case 101: case 102: case 103: case 401: case 510: case 999:
							return R_BLOCKED;
						case 104: return R_TOOMANYCONN;
						case 305: case 402: return R_SECURITYERROR;
						case 403: case 405: case 415: case 421: return R_REJECTED;
						case 416: case 418: return R_USERUNKNOWN;
						case 417: return R_MAILBOXFULL;
						case 420: case 426: return R_SUSPEND;
						case 505: return R_SYSTEMERROR;
						case 506: return R_SPAMDETECTED;
						case 514: return R_MESGTOOBIG;
						case 517: case 630: return R_POLICYVIOLATION;
					}
					return R_NONE;
				}
				q += m;
			}
		}
	}
	/* Exchange 2007 and later: "RESOLVER.ADR.RecipNotFound", "QUEUE.Expired" */
	if (strstr(t, "resolver.") || strstr(t, "queue.expired") || strstr(t, "smtpsend.dns."))
	{
		static const struct
		{
			const char *code;
			uint8_t		reason;
		}			xc[] = {
			{"smtpsend.dns.nonexistentdomain", R_HOSTUNKNOWN},
			{"smtpsend.dns.mxloopback", R_NETWORKERROR},
			{"resolver.adr.recipnotfound", R_USERUNKNOWN},
			{"resolver.adr.exrecipnotfound", R_USERUNKNOWN},
			{"resolver.adr.recipientnotfound", R_USERUNKNOWN},
			{"resolver.adr.reciplimit", R_TOOMANYCONN},
			{"resolver.adr.badprimary", R_SYSTEMERROR},
			{"resolver.adr.invalidinsmtp", R_SYSTEMERROR},
			{"resolver.adr.ambiguous", R_SYSTEMERROR},
			{"resolver.rst.authrequired", R_SECURITYERROR},
			{"resolver.rst.notauthorized", R_REJECTED},
			{"resolver.rst.recipsizelimit", R_EXCEEDLIMIT},
			{"resolver.rst.sendsizelimit", R_MESGTOOBIG},
			{"queue.expired", R_EXPIRED},
		};

		for (size_t i = 0; i < sizeof(xc) / sizeof(xc[0]); i++)
			if (strstr(t, xc[i].code))
				return xc[i].reason;
	}
	/* i.ua: "http://mail.i.ua/err/3/" */
	if ((p = strstr(t, "i.ua/err/")) != NULL)
	{
		switch (atoi(p + 9))
		{
			case 1: case 6: return R_NORELAYING;
			case 2: return R_USERUNKNOWN;
			case 3: return R_SUSPEND;
			case 4: return R_MAILBOXFULL;
			case 5: return R_TOOMANYCONN;
			case 7: case 9: return R_BLOCKED;
			case 8: return R_REJECTED;
			case 10: return R_FILTERED;
		}
	}
	return R_NONE;
}

/* Microsoft's own detail codes (5.7.5xx ... 5.7.7xx, 4.7.5xx ...) */
static int
microsoft_rule(const st_code *c, const char *t)
{
	if (!c->valid || c->subj != 7)
		return R_NONE;
	if (c->det == 509 || strstr(t, "does not pass dmarc"))
		return R_AUTHFAILURE;
	if (c->cls == 5 && c->det >= 606 && c->det <= 649)
		return R_BLOCKED;
	if (c->cls == 4 && c->det == 650)
		return R_BADREPUTATION;
	if (c->cls == 4 && c->det >= 500 && c->det <= 699)
		return R_BLOCKED;
	if (c->det >= 700 && c->det <= 749)
		return R_TOOMANYCONN;
	if (c->det == 501 || c->det == 502 || c->det == 503 || c->det == 511 || c->det == 512 ||
		c->det == 750 || (c->det >= 124 && c->det <= 136))
		return R_REJECTED;
	if (c->det == 504 || c->det == 505)
		return R_SUSPEND;
	if (c->det == 506 || c->det == 507 || c->det == 510 || c->det == 513)
		return R_BLOCKED;
	if (c->det == 508)
		return R_TOOMANYCONN;
	if (c->det >= 321 && c->det <= 325)
		return c->det == 321 ? R_FAILEDSTARTTLS : R_SECURITYERROR;
	if (c->det >= 900 && c->det <= 999)
		return R_POLICYVIOLATION;
	return R_NONE;
}

/* ---------------------------------------------------------------------
 * Decoders (source) with a say
 * ---------------------------------------------------------------------
 */
static bool
src_is(const char *source, const char *name)
{
	return source && strcasecmp(source, name) == 0;
}

/*
 * What the bounces of particular MTAs mean, as facts about their wording:
 * {decoder, phrase (normalised; "" matches anything), reason, final}.  A
 * final rule decides before the generic rules; the others are defaults that
 * the decisive reasons override.
 */
typedef struct src_rule
{
	const char *src;
	const char *phrase;
	uint8_t		reason;
	bool		final;
} src_rule;

static const src_rule src_rules[] = {
	/* qmail: its own remote-side wordings */
	{"qmail", "requested action not taken: mailbox unavailable (not enough free space)", R_SYSTEMFULL, true},
	{"qmail", "wasn't able to establish an smtp connection", R_NETWORKERROR, false},
	/* no MX and no address for the domain: it takes no mail (Sisimai 5: notaccept) */
	{"qmail", "couldn't find a mail exchanger or ip address", R_NOTACCEPT, true},
	{"qmail", "although i'm listed as a best-preference mx", R_NETWORKERROR, false},
	{"qmail", "bad interpreter: no such file or directory", R_SYSTEMERROR, false},
	{"qmail", "unable to ", R_SYSTEMERROR, false},
	/* Outlook.com / Hotmail notifications */
	{"outlook", "requested action not taken: mailbox unavailable", R_USERUNKNOWN, true},
	{"outlook", "domain is not reachable", R_HOSTUNKNOWN, true},
	/* Google Groups: the group does not exist or does not let the sender post */
	{"googlegroups", "", R_REJECTED, true},
	/* Japanese and other providers' notifications */
	{"biglobe", "user unknown", R_FILTERED, true},
	{"imailserver", "unknown user", R_USERUNKNOWN, true},
	{"imailserver", "invalid final delivery userid", R_USERUNKNOWN, true},
	{"interscanmss", "unable to deliver", R_USERUNKNOWN, true},
	{"verizon", "no such user here", R_USERUNKNOWN, true},
	{"verizon", "no valid recipients for this mm", R_USERUNKNOWN, true},
	{"exchange2003", "000c0595", R_FILTERED, true},
	{"exchange2003", "unknown recipient", R_USERUNKNOWN, true},
	{"exchange2003", "00120270", R_NETWORKERROR, true},
	{"exchange2003", "00050311", R_CONTENTERROR, true},
	{"exchange2003", "000502cc", R_CONTENTERROR, true},
	{"exchange2003", "000b0981", R_SECURITYERROR, true},
	{"domino", "cannot route mail to user", R_FILTERED, true},
	{"notes", "cannot route mail to user", R_FILTERED, true},
	{"zoho", "host not reachable", R_EXPIRED, true},
	/*
	 * Facebook's response codes (postmaster.facebook.com/response_codes):
	 * RCP recipient, INT internal, POL policy, MSG message, DNS, CON
	 * connection; -P permanent, -T temporary
	 */
	{"facebook", "rcp-p1 ", R_USERUNKNOWN, true},
	{"facebook", "int-p1 ", R_USERUNKNOWN, true},
	{"facebook", "int-p3 ", R_USERUNKNOWN, true},
	{"facebook", "int-p4 ", R_USERUNKNOWN, true},
	{"facebook", "rcp-p2 ", R_FILTERED, true},
	{"facebook", "rcp-p3 ", R_FILTERED, true},
	{"facebook", "pol-p1 ", R_BLOCKED, true},
	{"facebook", "pol-p2 ", R_BLOCKED, true},
	{"facebook", "msg-p1 ", R_MESGTOOBIG, true},
	{"facebook", "int-p2 ", R_MESGTOOBIG, true},
	{"facebook", "msg-p2 ", R_CONTENTERROR, true},
	{"facebook", "msg-p3 ", R_CONTENTERROR, true},
	{"facebook", "pol-p6 ", R_CONTENTERROR, true},
	{"facebook", "pol-p7 ", R_CONTENTERROR, true},
	{"facebook", "pol-p3 ", R_NOTACCEPT, true},
	{"facebook", "pol-p4 ", R_NOTACCEPT, true},
	{"facebook", "pol-t1 ", R_NOTACCEPT, true},
	{"facebook", "pol-t2 ", R_NOTACCEPT, true},
	{"facebook", "pol-t3 ", R_NOTACCEPT, true},
	{"facebook", "dns-p1 ", R_REJECTED, true},
	{"facebook", "dns-p2 ", R_REJECTED, true},
	{"facebook", "dns-t1 ", R_REJECTED, true},
	{"facebook", "dns-p3 ", R_REJECTED, true},
	{"facebook", "dns-t2 ", R_REJECTED, true},
	{"facebook", "con-t1 ", R_SYSTEMERROR, true},
	{"facebook", "rcp-t1 ", R_SYSTEMERROR, true},
	{"facebook", "con-t2 ", R_TOOMANYCONN, true},
	{"facebook", "con-t3 ", R_TOOMANYCONN, true},
	{"facebook", "pol-p5 ", R_VIRUSDETECTED, true},
	{"facebook", "rcp-t4 ", R_SUSPEND, true},
	/* Google Groups refusing a sender's mail as spam (Google Workspace notice) */
	{"googleworkspace", "was rejected due to spam classification", R_SPAMDETECTED, true},
	/* fml (mailing-list manager) notices */
	{"fml", "not a member of this mailing list", R_REJECTED, true},
	{"fml", "not member article from", R_REJECTED, true},
	{"fml", "reject mail from", R_REJECTED, true},
	{"fml", "spam mail from a spammer is rejected", R_REJECTED, true},
	{"fml", "duplicated message-id", R_SYSTEMERROR, true},
	{"fml", "has detected a loop condition", R_SYSTEMERROR, true},
	{"fml", "loop back warning", R_SYSTEMERROR, true},
	{"fml", "security alert", R_SECURITYERROR, true},
	/* MessageLabs' own notices (no Remote-MTA to name the provider) */
	{"messagelabs", "please turn on smtp authentication", R_SECURITYERROR, true},
	{"messagelabs", "no such user", R_USERUNKNOWN, true},
	{"ezweb", "", R_USERUNKNOWN, false},
	{"kddi", "", R_USERUNKNOWN, false},
};

/*
 * A user-unknown reply with no SMTP command and no code that settles it is
 * "filtered" (the phrase came after DATA, from the recipient's filter or a
 * gateway), except from these decoders, whose reports are of refused
 * recipients.
 */
static bool
uu_means_userunknown(const char *source)
{
	static const char *const names[] = {
		"v5sendmail", "ezweb", "kddi", "imailserver", "interscanmss", "verizon",
		"notes", "domino", "exchange2007", "mail.local", "powermta", NULL
	};

	if (!source)
		return false;
	for (int i = 0; names[i]; i++)
		if (strcasecmp(source, names[i]) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------
 * The classifier
 * ---------------------------------------------------------------------
 */
#define NORM_CAP 8192
#define TEXT_CAP 6144

typedef struct ctx
{
	tagset		tags;
	st_code		code;
	int			creason;		/* what the code names */
	int			cmd;			/* T_CMD_* or 0 */
	int			reply;
	int			prov;			/* provider, from the host or the text */
	int			prov_host;		/* provider, from the remote host only */
	const char *source;
	const char *norm;			/* the normalised diagnostic */
	const char *text;			/* the human-readable part, raw */
	bool		text_done;
	tagset		text_tags;		/* tags of the text, when text_done */
	ma_bounce_textcache *tc;	/* the same, kept between rows, or NULL */
	const char *dtype;			/* Diagnostic-Code type, or NULL */
	bool		has_diag;
} ctx;

static inline bool
has(const ctx *c, int t)
{
	return ts_has(&c->tags, t);
}

static bool
cmd_before_data(const ctx *c)
{
	return c->cmd == T_CMD_CONN || c->cmd == T_CMD_HELO || c->cmd == T_CMD_MAIL ||
		c->cmd == T_CMD_RCPT;
}

/* the tags of the human-readable text (scanned once, on demand) */
static const tagset *
text_tags(ctx *c)
{
	if (!c->text_done && c->tc && c->tc->text == c->text && c->tc->tags_done)
	{
		memcpy(c->text_tags.w, c->tc->tags, sizeof(c->text_tags.w));
		c->text_done = true;
	}
	if (!c->text_done)
	{
		unsigned char buf[TEXT_CAP + SCAN_SLACK];
		size_t		n;

		c->text_done = true;
		if (c->text && *c->text)
		{
			n = normalise(c->text, buf, TEXT_CAP);
			scan_text(buf, n, &c->text_tags);
		}
		if (c->tc)
		{
			if (c->tc->text != c->text)
			{
				memset(c->tc, 0, sizeof(*c->tc));
				c->tc->text = c->text;
			}
			memcpy(c->tc->tags, c->text_tags.w, sizeof(c->text_tags.w));
			c->tc->tags_done = true;
		}
	}
	return &c->text_tags;
}

/*
 * The SMTP command the text of the bounce says the replies answered, when
 * it names exactly one (transcripts, "in reply to RCPT TO command").
 */
static int
text_command(ctx *c)
{
	const tagset *t = text_tags(c);
	static const int cmds[] = {T_CMD_CONN, T_CMD_HELO, T_CMD_MAIL, T_CMD_RCPT, T_CMD_DATA};
	int			found = 0;

	for (int i = 0; i < 5; i++)
	{
		if (!ts_has(t, cmds[i]))
			continue;
		if (found)
			return 0;
		found = cmds[i];
	}
	return found;
}

/*
 * Does the text hold a local delivery agent's error line ("mail.local: ...",
 * "procmail: ...", "maildrop: ...", "vdelivermail: ...", "vdeliver: ...",
 * "... was automatically rejected: ...")?  A cheap look at every ':' of the
 * first TEXT_CAP bytes, before paying for a scan of the text.
 */
static bool
mda_in_text(const char *text)
{
	static const char *const names[] = {
		"mail.local", "procmail", "maildrop", "vdelivermail", "vdeliver", "automatically rejected"
	};
	size_t		n = strnlen(text, TEXT_CAP);
	const char *p = text,
			   *e = text + n;

	while ((p = memchr(p, ':', (size_t) (e - p))) != NULL)
	{
		char		last = (p > text) ? (char) (p[-1] | 0x20) : 0;

		if (last != 'l' && last != 'p' && last != 'r' && last != 'd')
		{
			p++;
			continue;
		}
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		{
			size_t		m = strlen(names[i]);

			if ((size_t) (p - text) >= m && strncasecmp(p - m, names[i], m) == 0)
				return true;
		}
		p++;
	}
	return false;
}

/* mda_in_text() of the text, once per message with a cache */
static bool
mda_cached(ctx *c)
{
	if (c->tc == NULL)
		return mda_in_text(c->text);
	if (c->tc->text != c->text)
	{
		memset(c->tc, 0, sizeof(*c->tc));
		c->tc->text = c->text;
	}
	if (!c->tc->mda_done)
	{
		c->tc->mda = mda_in_text(c->text);
		c->tc->mda_done = true;
	}
	return c->tc->mda;
}

static int
source_rule(const ctx *c, bool final)
{
	if (!c->source)
		return R_NONE;
	for (size_t i = 0; i < sizeof(src_rules) / sizeof(src_rules[0]); i++)
	{
		const src_rule *r = &src_rules[i];

		if (r->final != final || (r->src[0] | 0x20) != (c->source[0] | 0x20) ||
			strcasecmp(r->src, c->source) != 0)
			continue;
		if (r->phrase[0] == 0 || strstr(c->norm, r->phrase))
			return r->reason;
	}
	return R_NONE;
}

typedef struct prov_phrase
{
	const char *phrase;
	uint8_t		reason;
} prov_phrase;

/* a hashed set of the byte pairs of a text: a phrase with a pair not in it is not in the text */
#define BIGRAM(a, b) ((((unsigned) (unsigned char) (a) << 6) ^ (unsigned char) (b)) & 4095u)

static int
prov_match(const char *t, const prov_phrase *tab, size_t n)
{
	uint64_t	pairs[64];

	memset(pairs, 0, sizeof(pairs));
	for (size_t i = 0; t[i] && t[i + 1]; i++)
	{
		unsigned	h = BIGRAM(t[i], t[i + 1]);

		pairs[h >> 6] |= UINT64_C(1) << (h & 63);
	}
	for (size_t i = 0; i < n; i++)
	{
		const char *ph = tab[i].phrase;
		size_t		pl = strlen(ph);
		bool		maybe = true;

		/* its first, middle and last pairs */
		for (size_t k = 0; pl >= 2 && k < 3 && maybe; k++)
		{
			size_t		at = k == 0 ? 0 : k == 1 ? (pl - 2) / 2 : pl - 2;
			unsigned	h = BIGRAM(ph[at], ph[at + 1]);

			maybe = (pairs[h >> 6] >> (h & 63)) & 1;
		}
		if (maybe && strstr(t, ph))
			return tab[i].reason;
	}
	return R_NONE;
}

/* Yahoo Inc. (senders.yahooinc.com/smtp-error-codes) */
static const prov_phrase yahoo_replies[] = {
	{"requires all senders to authenticate with either spf or dkim", R_AUTHFAILURE},
	{"because the ip is in spamhaus's list", R_BLOCKED},
	{"not accepted from ip addresses on spamhaus", R_BLOCKED},
	{"relaying denied for ", R_NORELAYING},
	{"headers are not rfc compliant", R_NOTCOMPLIANTRFC},
	{"not accepted for policy reasons", R_POLICYVIOLATION},
	{"temporarily deferred due to unexpected volume or user complaints", R_REJECTED},
	{"due to unresolvable rfc.5321", R_REJECTED},
	{"will be permanently deferred", R_REJECTED},
	{"user is receiving mail too quickly", R_SPEEDING},
	{" is no longer valid.", R_SUSPEND},
	{"this mailbox is disabled", R_SUSPEND},
	{"syntax error in parameters or arguments", R_SYNTAXERROR},
	{"max message per connection reached", R_TOOMANYCONN},
	{"dd this user doesn't have a ", R_USERUNKNOWN},
	{"mailbox not found", R_USERUNKNOWN},
};

/* Apple iCloud Mail (support.apple.com/en-us/102322) */
static const prov_phrase apple_replies[] = {
	{"'s dmarc policy", R_AUTHFAILURE},
	{"failing both spf and dkim", R_AUTHFAILURE},
	{"having a domain present in the spamhaus", R_BLOCKED},
	{"rejected due to listing in spamhaus", R_BLOCKED},
	{"support.proofpoint.com/dnsbl-lookup", R_BLOCKED},
	{"not accepting connections", R_BLOCKED},
	{"recipient no longer on server", R_HASMOVED},
	{"user is over quota", R_MAILBOXFULL},
	{"relay access denied", R_NORELAYING},
	{"host/domain does not accept mail", R_NOTACCEPT},
	{"due to local policy", R_POLICYVIOLATION},
	{"sender address rejected", R_REJECTED},
	{"due to excessive volume", R_SPEEDING},
	{"inactive email address", R_USERUNKNOWN},
	{"user does not exist", R_USERUNKNOWN},
	{"unknown or illegal alias", R_USERUNKNOWN},
};

/* Google's documented replies (support.google.com/a/answer/3726730), in this order */
static const prov_phrase google_replies[] = {
	{"the spf record of the sending domain", R_AUTHFAILURE},
	{"senders to authenticate with either spf or dkim", R_AUTHFAILURE},
	{"fails to pass spf checks", R_AUTHFAILURE},
	{"has an spf record with a hard fail policy", R_AUTHFAILURE},
	{"is not accepted due to domain's dmarc policy", R_AUTHFAILURE},
	{"fails to pass authentication checks", R_AUTHFAILURE},
	{"senders to authenticate with spf", R_AUTHFAILURE},
	{"senders to authenticate their email with spf", R_AUTHFAILURE},
	{"senders to authenticate their email with dkim", R_AUTHFAILURE},
	{"senders to authenticate with dkim", R_AUTHFAILURE},
	{"aligned with either the authenticated spf or dkim", R_AUTHFAILURE},
	{"to add a dmarc record to ", R_AUTHFAILURE},
	{"very low reputation of the sending", R_BADREPUTATION},
	{"ip not in whitelist for rcpt domain", R_BLOCKED},
	{"try again later, closing connection", R_BLOCKED},
	{"helo/ehlo argument", R_BLOCKED},
	{"an unusual rate of unsolicited mail", R_BLOCKED},
	{"an unusual rate of mail", R_BLOCKED},
	{"exceeded google's message size limits", R_EXCEEDLIMIT},
	{"exceeds google's limit of", R_EXCEEDLIMIT},
	{"exceeded google's message header size limits", R_EXCEEDLIMIT},
	{"bytes per individual header size", R_EXCEEDLIMIT},
	{"exceeds google's header name limit", R_EXCEEDLIMIT},
	{"exceeds google's message header size limit", R_EXCEEDLIMIT},
	{"connection expired", R_EXPIRED},
	{"timeout - closing connection", R_EXPIRED},
	{"must issue a starttls command first", R_FAILEDSTARTTLS},
	{"starttls may not be repeated", R_FAILEDSTARTTLS},
	{"tls required for rcpt domain", R_FAILEDSTARTTLS},
	{"senders to use tls/ssl for smtp", R_FAILEDSTARTTLS},
	{"inbox is out of storage space", R_MAILBOXFULL},
	{"is over quota", R_MAILBOXFULL},
	{"email quota exceeded", R_MAILBOXFULL},
	{"exceeds google's message size limit of", R_MESGTOOBIG},
	{"message exceeded 50 hops", R_NETWORKERROR},
	{"mail relay denied", R_NORELAYING},
	{"invalid credentials for relay", R_NORELAYING},
	{"is not authorized to send email directly to our servers", R_NORELAYING},
	{"missing a valid address in the from: header", R_NOTCOMPLIANTRFC},
	{"multiple addresses in from: header are not accepted", R_NOTCOMPLIANTRFC},
	{"is not rfc 5322 compliant", R_NOTCOMPLIANTRFC},
	{"missing a valid message-id: header", R_NOTCOMPLIANTRFC},
	{"contains a unicode character in a disallowed header", R_NOTCOMPLIANTRFC},
	{"encoded-word syntax is not permitted", R_NOTCOMPLIANTRFC},
	{"mail message is malformed", R_NOTCOMPLIANTRFC},
	{"illegal attachment on your message", R_POLICYVIOLATION},
	{"content presents a potential security issue", R_POLICYVIOLATION},
	{"has a policy that prohibited the mail", R_POLICYVIOLATION},
	{"sending messages with the same message-id", R_POLICYVIOLATION},
	{"mail sending denied", R_REJECTED},
	{"unauthenticated email is not accepted", R_REJECTED},
	{"does not have a ptr record", R_REQUIREPTR},
	{"have a ptr record, or the ptr record", R_REQUIREPTR},
	{"ipv6 sending guidelines regarding ptr records", R_REQUIREPTR},
	{"does not match the ip address of the hostname", R_REQUIREPTR},
	{"too many login attempts", R_SECURITYERROR},
	{"cannot decode response", R_SECURITYERROR},
	{"no identity changes permitted", R_SECURITYERROR},
	{"authentication required.", R_SECURITYERROR},
	{"application-specific password required", R_SECURITYERROR},
	{"log in with your web browser", R_SECURITYERROR},
	{"log in through your web browser", R_SECURITYERROR},
	{"username and password not accepted", R_SECURITYERROR},
	{"due to the nature of the content or the links within", R_SPAMDETECTED},
	{"likely unsolicited mail", R_SPAMDETECTED},
	{"is receiving mail too quickly", R_SPEEDING},
	{"peak smtp relay limit exceeded", R_SPEEDING},
	{"rate that prevents additional messages from being delivered", R_SPEEDING},
	{"daily sending quota exceeded", R_SPEEDING},
	{"daily user sending limit exceeded", R_SPEEDING},
	{"daily smtp relay limit exceeded", R_SPEEDING},
	{"daily smtp relay sending limit exceeded", R_SPEEDING},
	{"this mail has been rate limited", R_SPEEDING},
	{"account that you tried to reach is disabled", R_SUSPEND},
	{"account that you tried to reach is inactive", R_SUSPEND},
	{"smtp protocol violation", R_SYNTAXERROR},
	{"optional argument not permitted", R_SYNTAXERROR},
	{"syntax error", R_SYNTAXERROR},
	{"too many unrecognized commands", R_SYNTAXERROR},
	{"unimplemented command", R_SYNTAXERROR},
	{"unrecognized command", R_SYNTAXERROR},
	{"bad sequence of commands", R_SYNTAXERROR},
	{"no data after bdat", R_SYNTAXERROR},
	{"unrecognized authentication type", R_SYNTAXERROR},
	{"too many unauthenticated commands", R_SYNTAXERROR},
	{"temporary system problem", R_SYSTEMERROR},
	{"server busy", R_SYSTEMERROR},
	{"multiple destination domains per transaction is unsupported", R_SYSTEMERROR},
	{"temporarily rejected this message", R_SYSTEMERROR},
	{"temporarily rejected message", R_SYSTEMERROR},
	{"domain policy size per transaction exceeded", R_SYSTEMERROR},
	{"your message has too many recipients", R_TOOMANYCONN},
	{"too many recipients for this sender", R_TOOMANYCONN},
	{"the email account that you tried to reach does not exist", R_USERUNKNOWN},
	{"we weren't able to find the recipient domain", R_USERUNKNOWN},
	{"is not a valid rfc 5321 address", R_USERUNKNOWN},
};

/* provider rules that take precedence (step 2) */
static int
provider_rule(const ctx *c)
{
	const char *t = c->norm;
	int			r = (has(c, T_PCODE) || c->prov == P_GODADDY) ? provider_codes(t, c->prov) : R_NONE;

	if (r != R_NONE)
		return r;
	switch (c->prov)
	{
		case P_MICROSOFT:
			r = microsoft_rule(&c->code, t);
			if (r != R_NONE)
				return r;
			if (strstr(t, "mismatches client ip"))
				return R_REQUIREPTR;
			if (strstr(t, "domain is not reachable"))
				return R_HOSTUNKNOWN;
			if (strstr(t, "requested action not taken: mailbox unavailable") ||
				strstr(t, "recipient address rejected: access denied"))
				return R_USERUNKNOWN;
			if (c->code.valid && c->code.subj == 1 && c->code.det == 10 && has(c, T_UU_STRONG))
				return R_USERUNKNOWN;
			break;
		case P_YAHOO:
			/* Yahoo's remote hosts; a reply quoted elsewhere keeps the generic rules */
			if (c->prov_host == P_YAHOO)
				return prov_match(t, yahoo_replies, sizeof(yahoo_replies) / sizeof(yahoo_replies[0]));
			if (strstr(t, "not accepted for policy reasons"))
				return R_POLICYVIOLATION;
			break;
		case P_APPLE:
			return prov_match(t, apple_replies, sizeof(apple_replies) / sizeof(apple_replies[0]));
		case P_AOL:
			if (strstr(t, "type=mx: malformed or unexpected name server reply"))
				return R_NOTACCEPT;
			break;
		case P_NONE:
			/* AOL's relays report without a Remote-MTA */
			if (strstr(t, "type=mx: malformed or unexpected name server reply") &&
				c->text && strstr(c->text, ".mx.aol.com"))
				return R_NOTACCEPT;
			break;
		case P_KDDI:
			if (strstr(t, "550 : user unknown"))
				return R_FILTERED;
			if (strstr(t, ">: user unknown"))
				return R_USERUNKNOWN;
			break;
		case P_DOCOMO:
			if (c->code.valid && c->code.subj == 1 && c->code.det == 1)
				return R_USERUNKNOWN;
			if (c->code.valid && c->code.subj == 2 && c->code.det == 0)
				return R_FILTERED;
			if (strstr(t, "552 too much mail data"))
				return R_MAILBOXFULL;
			if (strstr(t, "552 too many recipients"))
				return R_TOOMANYCONN;
			if (strstr(t, "503 bad sequence of commands") || strstr(t, "504 command parameter not implemented"))
				return R_SYNTAXERROR;
			if (!c->code.valid || (c->code.subj == 0 && c->code.det == 0))
			{
				if (c->cmd == T_CMD_RCPT)
					return R_USERUNKNOWN;
				if (c->cmd == T_CMD_DATA)
					return R_REJECTED;
			}
			break;
		case P_TENCENT:
			if (strstr(t, "mailbox unavailable or access denied") || strstr(t, "frequency limited") ||
				strstr(t, "connection denied"))
				return R_TOOMANYCONN;
			if (strstr(t, "suspected spam ip"))
				return R_BLOCKED;
			if (strstr(t, "bad address syntax"))
				return R_SYNTAXERROR;
			if (strstr(t, "mail is rejected by recipients"))
				return R_FILTERED;
			break;
		case P_GOOGLE:
			/* only Google's own replies (gsmtp), not what Gmail relays from others */
			if (c->prov_host != P_GOOGLE && !has(c, T_GOOGLE))
				break;
			r = prov_match(t, google_replies, sizeof(google_replies) / sizeof(google_replies[0]));
			/* X.1.7 is the sender's address */
			if (r == R_USERUNKNOWN && c->code.valid && c->code.subj == 1 && c->code.det == 7)
				r = R_NOTCOMPLIANTRFC;
			if (r != R_NONE)
				return r;
			break;
		case P_GODADDY:
			if (strstr(t, "spamhaus.org/query/bl?ip=") || strstr(t, "554 rbl reject"))
				return R_BLOCKED;
			if (strstr(t, "delivery timeout") || strstr(t, "wasn't able to establish an smtp connection"))
				return R_EXPIRED;
			if (strstr(t, "account disabled"))
				return R_SUSPEND;
			if (strstr(t, "account storage limit"))
				return R_MAILBOXFULL;
			if (strstr(t, "account does not exist") || strstr(t, "550 recipient not found"))
				return R_USERUNKNOWN;
			break;
		case P_MESSAGELABS:
			if (strstr(t, "please turn on smtp authentication"))
				return R_SECURITYERROR;
			if (strstr(t, "no such user") || strstr(t, " 542 "))
				return R_USERUNKNOWN;
			break;
		case P_MIMECAST:
			if (strstr(t, "email rejected due to security policies"))
				return R_VIRUSDETECTED;
			if (strstr(t, "host network not allowed"))
				return R_POLICYVIOLATION;
			break;
	}
	return R_NONE;
}

/* a user-unknown phrase: userunknown or filtered? (R_NONE: neither applies) */
static int
uu_decide(ctx *c)
{
	int			cr = c->creason;
	int			cmd = c->cmd;

	/* x.1.7 / x.1.8: the code says the sender's address was refused */
	if (cr == R_REJECTED && c->code.valid && c->code.subj == 1 && (c->code.det == 7 || c->code.det == 8))
		return R_REJECTED;
	if (has(c, T_UU_STRONG))
		return R_USERUNKNOWN;
	if (cmd == 0)
		cmd = text_command(c);
	if (cmd == T_CMD_RCPT)
		return R_USERUNKNOWN;
	if (cmd == T_CMD_DATA)
		return R_FILTERED;
	if (cmd != 0)
		return R_NONE;			/* refused before RCPT: not about the recipient */
	if (src_is(c->source, "powermta") && c->code.valid && c->code.subj == 2 && c->code.det == 1)
		return R_SUSPEND;
	if (cr == R_FILTERED || cr == R_SUSPEND)
		return R_FILTERED;
	return uu_means_userunknown(c->source) ? R_USERUNKNOWN : R_FILTERED;
}

/* the decisive reasons of step 4, in order */
static int
decisive(ctx *c)
{
	int			cr = c->creason;
	bool		uu = has(c, R_USERUNKNOWN) || has(c, T_UU_STRONG);
	bool		uuw = has(c, T_UU_WEAK);

	if (has(c, T_MAILER_STRONG))
		return R_MAILERERROR;
	if (has(c, T_MDA_USERUNKNOWN))
		return R_USERUNKNOWN;
	if (has(c, T_MDA_MAILBOXFULL))
		return R_MAILBOXFULL;
	if (has(c, T_MDA_SYSTEMFULL))
		return R_SYSTEMFULL;
	if (cr == R_MAILBOXFULL || has(c, R_MAILBOXFULL))
		return R_MAILBOXFULL;
	if (cr == R_MESGTOOBIG || (has(c, R_MESGTOOBIG) && cr != R_EXCEEDLIMIT && !has(c, R_EXCEEDLIMIT)))
		return R_MESGTOOBIG;
	if (cr == R_EXCEEDLIMIT || has(c, R_EXCEEDLIMIT))
		return R_EXCEEDLIMIT;
	if (has(c, R_SUSPEND) || c->reply == 525)
		return R_SUSPEND;
	if (cr == R_HASMOVED || has(c, R_HASMOVED))
		return R_HASMOVED;
	if (has(c, R_NORELAYING) && c->cmd != T_CMD_CONN && c->cmd != T_CMD_HELO)
		return R_NORELAYING;
	if (cr == R_AUTHFAILURE || has(c, R_AUTHFAILURE))
		return R_AUTHFAILURE;

	/* userunknown / filtered */
	if (cr == R_USERUNKNOWN)
	{
		if (uu || uuw)
			return R_USERUNKNOWN;
		if (!has(c, R_BLOCKED) && !has(c, R_REJECTED) && !has(c, R_NOTACCEPT) &&
			!has(c, R_REQUIREPTR) && !has(c, R_SPEEDING) && !has(c, R_TOOMANYCONN) &&
			!has(c, R_SPAMDETECTED) && !has(c, R_POLICYVIOLATION))
			return R_USERUNKNOWN;
	}
	if (uu || (uuw && (cr == R_FILTERED || cr == R_SUSPEND || c->cmd == T_CMD_RCPT)))
	{
		int			r = uu_decide(c);

		if (r != R_NONE)
			return r;
	}
	if (has(c, R_FILTERED) && !cmd_before_data(c))
		return R_FILTERED;

	if (cr == R_REQUIREPTR || has(c, R_REQUIREPTR))
		return R_REQUIREPTR;
	if (has(c, R_NOTCOMPLIANTRFC))
		return R_NOTCOMPLIANTRFC;
	if (has(c, R_BADREPUTATION))
		return R_BADREPUTATION;
	if (cr == R_REJECTED)
		return R_REJECTED;
	if (has(c, R_REJECTED) && !has(c, T_NOT_REJECTED))
	{
		if (c->cmd == T_CMD_MAIL)
			return R_REJECTED;
		if (c->cmd == T_CMD_DATA && cr != R_USERUNKNOWN)
			return R_REJECTED;
		if (c->cmd == 0 && (cr == R_NONE || cr == R_ONHOLD || cr == R_SECURITYERROR ||
							cr == R_SYSTEMERROR))
			return R_REJECTED;
	}
	if (cr == R_HOSTUNKNOWN && !has(c, R_NETWORKERROR))
		return R_HOSTUNKNOWN;
	if (cr == R_NOTACCEPT || has(c, R_NOTACCEPT))
		return R_NOTACCEPT;
	if (
		(has(c, R_HOSTUNKNOWN) && c->cmd != T_CMD_CONN && c->cmd != T_CMD_HELO && c->cmd != T_CMD_MAIL))
		return R_HOSTUNKNOWN;
	if (has(c, R_VIRUSDETECTED) && !cmd_before_data(c))
		return R_VIRUSDETECTED;
	if (cr == R_SPAMDETECTED || (has(c, R_SPAMDETECTED) && !cmd_before_data(c)))
		return R_SPAMDETECTED;
	/*
	 * X.4.7 "delivery time expired" and the MTA says it gave up when the
	 * queue lifetime ran out ("Message could not be delivered for 5 days"):
	 * the connection trouble it reports was what it met meanwhile, the
	 * outcome is an expiry.
	 */
	if (has(c, T_GAVEUP) && c->code.valid && c->code.subj == 4 && c->code.det == 7)
		return R_EXPIRED;
	if (cr == R_SPEEDING || has(c, R_SPEEDING))
		return R_SPEEDING;
	if (cr == R_TOOMANYCONN || has(c, R_TOOMANYCONN))
		return R_TOOMANYCONN;
	if (cr == R_BLOCKED || has(c, R_BLOCKED))
		return R_BLOCKED;
	return R_NONE;
}

static int
classify(ctx *c)
{
	int			r;
	static const int second[] = {
		R_VIRUSDETECTED, R_SPAMDETECTED, R_POLICYVIOLATION, R_FAILEDSTARTTLS,
		R_SYSTEMFULL, R_SYSTEMERROR, R_NETWORKERROR, R_CONTENTERROR,
		R_EXPIRED, R_SECURITYERROR, R_SUPPRESSED, R_MAILERERROR, R_SYNTAXERROR
	};

	/* 2. decoders that know, remote hosts with their own codes */
	r = source_rule(c, true);
	if (r != R_NONE)
		return r;
	r = provider_rule(c);
	if (r != R_NONE)
		return r;
	/* Amavis writes the real reason in its notification */
	if (src_is(c->source, "amavis") || strstr(c->norm, "reject, id="))
	{
		const tagset *t = text_tags(c);

		if (ts_has(t, R_NOTCOMPLIANTRFC))
			return R_NOTCOMPLIANTRFC;
	}

	/*
	 * A diagnostic that is a bare number outside the SMTP reply codes is the
	 * exit status of a local delivery program ("Diagnostic-Code: X-Unix; 75"
	 * with its type dropped).
	 */
	{
		const char *t = c->norm + 1;
		int			v = 0,
					k = 0;

		while (is_digit((unsigned char) t[k]) && k < 4)
			v = v * 10 + (t[k++] - '0');
		if (k >= 1 && k <= 3 && t[k] == ' ' && t[k + 1] == 0 && (v < 400 || v > 599))
			return R_MAILERERROR;
	}

	/* 3. decisive reasons */
	r = decisive(c);
	if (r != R_NONE)
		return r;

	/* 4. a local delivery agent's error in the text */
	if (c->text && *c->text && mda_cached(c))
	{
		const tagset *t = text_tags(c);

		if (ts_has(t, T_MDA_USERUNKNOWN))
			return R_USERUNKNOWN;
		if (ts_has(t, T_MDA_MAILBOXFULL))
			return R_MAILBOXFULL;
		if (ts_has(t, T_MDA_SYSTEMFULL))
			return R_SYSTEMFULL;
		if (ts_has(t, T_MDA_SYSTEMERROR))
			return R_SYSTEMERROR;
	}

	/* 5. what the decoder reports by default */
	r = source_rule(c, false);
	if (r != R_NONE)
		return r;

	/* 6. a code that names a specific reason */
	switch (c->creason)
	{
		case R_NONE:
		case R_ONHOLD:
		case R_SYSTEMERROR:
		case R_SECURITYERROR:
		case R_NETWORKERROR:
		case R_EXPIRED:
		case R_USERUNKNOWN:
		case R_HOSTUNKNOWN:
			break;
		default:
			return c->creason;
	}

	/* 7. the other phrases */
	for (size_t i = 0; i < sizeof(second) / sizeof(second[0]); i++)
		if (has(c, second[i]))
		{
			/* "SMTP protocol violation" with an x.5.x code: the syntax */
			if (second[i] == R_POLICYVIOLATION && has(c, R_SYNTAXERROR) && c->code.valid &&
				c->code.subj == 5)
				return R_SYNTAXERROR;
			return second[i];
		}

	/* 8. the command, the code, the reply code, the action */
	if (c->cmd == T_CMD_MAIL)
		return R_REJECTED;
	if (c->creason != R_NONE)
		return c->creason;
	if (c->code.valid && c->code.subj == 6)
		return R_CONTENTERROR;
	if (c->code.valid && c->code.subj == 7)
		return R_SECURITYERROR;
	/* "Diagnostic-Code: X-Unix; ...": a local delivery program failed */
	if (c->dtype && strncasecmp(c->dtype, "x-unix", 6) == 0)
		return R_MAILERERROR;
	if (c->reply >= 500 && c->reply <= 507)
		return R_SYNTAXERROR;
	if (c->reply == 521 || c->reply == 556)
		return R_NOTACCEPT;
	if (c->reply == 523 || c->reply == 524 || c->reply == 538)
		return R_FAILEDSTARTTLS;
	if (has(c, T_DELAY))
		return R_EXPIRED;
	if (c->cmd == T_CMD_CONN || c->cmd == T_CMD_HELO)
		return R_BLOCKED;
	if (has(c, R_VACATION))
		return R_VACATION;
	return R_NONE;
}

/* the SMTP command the diagnostic names (the earliest in the session) */
static int
command_of(const tagset *t)
{
	static const int cmds[] = {T_CMD_CONN, T_CMD_HELO, T_CMD_MAIL, T_CMD_RCPT, T_CMD_DATA};

	for (int i = 0; i < 5; i++)
		if (ts_has(t, cmds[i]))
			return cmds[i];
	return 0;
}

/* the first three-digit reply code of a diagnostic ("550 5.1.1 ...", "said: 550-...") */
static int
find_reply(const unsigned char *t)
{
	for (const unsigned char *p = t + 1; *p; p++)
	{
		if ((p[0] == '4' || p[0] == '5') && is_digit(p[1]) && is_digit(p[2]) &&
			(p[3] == ' ' || p[3] == '-') &&
			(p[-1] == ' ' || p[-1] == ':' || p[-1] == '\'' || p[-1] == '#' ||
			 p[-1] == '[' || p[-1] == '(' || p[-1] == '"'))
		{
			int			v = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');

			if (v >= 421 && v <= 559)
				return v;
		}
	}
	return 0;
}

const char *
ma_bounce_reason(const char *diagnostic, const char *status, int reply_code,
				 const char *action, const char *source,
				 const char *remote_mta, const char *text)
{
	ma_bounce_in in;

	memset(&in, 0, sizeof(in));
	in.diagnostic = diagnostic;
	in.status = status;
	in.reply_code = reply_code;
	in.action = action;
	in.source = source;
	in.remote_mta = remote_mta;
	in.text = text;
	return ma_bounce_reason_ex(&in);
}

const char *
ma_bounce_reason_ex(const ma_bounce_in *in)
{
	const char *diagnostic = in->diagnostic;
	const char *status = in->status;
	int			reply_code = in->reply_code;
	const char *action = in->action;
	const char *source = in->source;
	const char *remote_mta = in->remote_mta;
	const char *text = in->text;
	ctx			c;
	unsigned char buf[NORM_CAP + SCAN_SLACK];
	size_t		n;
	int			r;
	char		found[16];
	const char *scan = NULL;
	bool		said = false;	/* a diagnostic or a status comment exists */
	bool		delayed = action && strncasecmp(action, "delay", 5) == 0;

	pthread_once(&tables_once, build_tables);
	memset(&c, 0, sizeof(c));
	c.source = source;
	c.reply = reply_code;
	c.text = text;
	c.tc = in->cache;
	c.dtype = in->diagnostic_type;

	/* 1. what the decoder knows */
	if (src_is(source, "arf") || src_is(source, "feedback"))
		return "feedback";
	if (src_is(source, "rfc3834") || src_is(source, "vacation"))
		return "vacation";

	/* the status, possibly with a comment: "4.0.0 (host name lookup failure)" */
	if (status && ma_bounce_find_status(status, found))
	{
		const char *p = strstr(status, found);

		parse_status(found, &c.code);
		p += strlen(found);
		while (*p == ' ' || *p == '\t' || *p == '(')
			p++;
		if (*p)
			scan = p;
	}
	if (c.code.valid && c.code.cls == 2)
		return "delivered";
	if (action && (strcasecmp(action, "delivered") == 0 || strcasecmp(action, "relayed") == 0 ||
				   strcasecmp(action, "expanded") == 0 || strcasecmp(action, "deliverable") == 0))
		return "delivered";

	c.has_diag = diagnostic && *diagnostic;
	if (c.has_diag)
		scan = diagnostic;
	said = (scan != NULL);
	n = normalise(scan ? scan : "", buf, NORM_CAP);
	c.norm = (const char *) buf;
	scan_text(buf, n, &c.tags);

	/* a code in the text when none was carried */
	if (!c.code.valid && c.has_diag && ma_bounce_find_status(diagnostic, found))
	{
		parse_status(found, &c.code);
		if (c.code.valid && c.code.cls == 2)
			memset(&c.code, 0, sizeof(c.code));
	}
	if (c.reply == 0)
		c.reply = find_reply(buf);
	c.creason = code_reason(&c.code);

	c.cmd = command_of(&c.tags);

	/* the recipient's domain first, then the remote host (Sisimai 5's order) */
	c.prov_host = provider_of_domain(in->recipient);
	if (c.prov_host == P_NONE)
		c.prov_host = provider_of(remote_mta, NULL);
	c.prov = c.prov_host ? c.prov_host : provider_of(NULL, &c.tags);

	r = classify(&c);

	/* nothing in the diagnostic nor the code: what does the text say? */
	if (r == R_NONE && !scan && !delayed && text && *text)
	{
		memset(&c.tags, 0, sizeof(c.tags));
		n = normalise(text, buf, NORM_CAP);
		scan_text(buf, n, &c.tags);
		c.cmd = command_of(&c.tags);
		if (c.prov_host == P_NONE)
			c.prov = provider_of(NULL, &c.tags);
		r = classify(&c);
	}
	if (r == R_NONE && delayed)
		r = R_EXPIRED;
	if (r == R_NONE)
		return (said && !has(&c, T_BOILERPLATE)) ? "onhold" : "undefined";
	return reason_names[r];
}

bool
ma_bounce_is_hard(const char *reason, const char *status, int reply_code)
{
	st_code		c;

	if (!reason)
		return false;
	if (strcmp(reason, "userunknown") == 0 || strcmp(reason, "hostunknown") == 0 ||
		strcmp(reason, "hasmoved") == 0)
		return true;
	if (strcmp(reason, "notaccept") == 0)
	{
		if (parse_status(status, &c))
			return c.cls == 5;
		if (reply_code >= 400 && reply_code < 500)
			return false;
		return true;
	}
	return false;
}
