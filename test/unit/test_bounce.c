/*-------------------------------------------------------------------------
 *
 * test_bounce.c
 *	  Unit tests of the reason classifier (src/core/ma_bounce.c): one or more
 *	  replies of our own wording for each of the 36 reasons, the precedence
 *	  between text and codes (a specific code beats weak text, a specific
 *	  phrase beats a generic code), the SMTP command found in the reply,
 *	  providers' own codes, decoder hints (arf, rfc3834, delivered), hard
 *	  and soft bounces, RFC 3463 / IANA status lookups, and finding a status
 *	  code in free text (and not finding one in addresses, versions, dates).
 *
 * Output is TAP: "ok N - ...", "not ok N - ...", then the plan "1..N".  The
 * exit status is 0 only when every assertion passed.
 *
 * Build and run:
 *	gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc -o test/unit/test_bounce \
 *		test/unit/test_bounce.c src/core/ma_bounce.c
 *	test/unit/test_bounce
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dsn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ma_test.h"

/* case tables below list only the fields they need */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ---------------------------------------------------------------------
 * Reasons
 * ---------------------------------------------------------------------
 */
typedef struct rcase
{
	const char *want;
	const char *diag;
	const char *status;
	int			reply;
	const char *action;
	const char *source;
	const char *rmta;
	const char *text;
} rcase;

static const rcase reasons[] = {
	/* userunknown */
	{"userunknown", "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in virtual mailbox table", "5.1.1", 550, "failed", "postfix"},
	{"userunknown", "host mx.example.org[192.0.2.7] said: 550 no such mailbox here (in reply to RCPT TO command)", NULL, 550, "failed", "postfix"},
	{"userunknown", "550 Requested action not taken: the address <a@example.net> does not exist", "5.1.1", 550, "failed", "rfc3464"},
	{"userunknown", "SMTP error from remote mail server after RCPT TO:<a@example.net>: 550 Unknown local part a in <a@example.net>", NULL, 550, "failed", "exim"},
	{"userunknown", "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##", NULL, 0, "failed", "exchange2007"},
	{"userunknown", "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address", NULL, 550, "failed", "rfc3464"},
	{"userunknown", "Sorry, no mailbox here by that name. (#5.1.1)", NULL, 0, "failed", "qmail"},
	{"userunknown", NULL, "5.1.1", 550, "failed", "rfc3464"},
	/* filtered */
	{"filtered", "550 Unknown user bob@example.jp (in reply to end of DATA command)", NULL, 550, "failed", "postfix"},
	{"filtered", "550 5.2.0 Message rejected: the recipient refuses mail from your address", "5.2.0", 550, "failed", "rfc3464"},
	{"filtered", "550 This account is protected by an allow list; you are not on it", NULL, 550, "failed", "rfc3464"},
	/* mailboxfull */
	{"mailboxfull", "552 5.2.2 Quota exceeded (mailbox for user is full)", "5.2.2", 552, "failed", "postfix"},
	{"mailboxfull", "452 4.2.2 The mailbox of this user is over quota, try again later", "4.2.2", 452, "delayed", "rfc3464"},
	{"mailboxfull", "550 Recipient is over the allowed quota", NULL, 550, "failed", "rfc3464"},
	{"mailboxfull", NULL, "5.2.2", 0, "failed", "rfc3464"},
	/* expired */
	{"expired", "Message expired after sitting in queue for 5 days", NULL, 0, "failed", "rfc3464"},
	{"expired", NULL, "4.4.7", 0, "failed", "rfc3464"},
	{"expired", "connect to mx.example.org[192.0.2.9]:25: Connection timed out", "4.4.1", 0, "delayed", "postfix"},
	{"expired", "all hosts have been failing for a long time and were last tried after this message arrived", NULL, 0, "failed", "exim"},
	{"expired", NULL, "4.0.0", 0, "delayed", "rfc3464"},
	/* rejected */
	{"rejected", "host mx.example.org[192.0.2.7] said: 553 5.1.8 Domain of sender address bob@nowhere.example does not exist (in reply to MAIL FROM command)", "5.1.8", 553, "failed", "postfix"},
	{"rejected", "550 Sender address rejected: not owned by the authenticated user (in reply to MAIL FROM command)", NULL, 550, "failed", "postfix"},
	{"rejected", "Connected to 192.0.2.1 but sender was rejected. Remote host said: 550 not welcome here", NULL, 550, "failed", "qmail"},
	/* blocked */
	{"blocked", "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org", "5.7.1", 554, "failed", "postfix"},
	{"blocked", "host mx.example.org[192.0.2.7] refused to talk to me: 554 Your IP is on our block list", NULL, 554, "failed", "postfix"},
	{"blocked", "421 4.7.1 Too many complaints: the sending host is blacklisted by us", "4.7.1", 421, "failed", "rfc3464"},
	/* hostunknown */
	{"hostunknown", "Host or domain name not found. Name service error for name=nowhere.example type=A: Host not found", "5.4.4", 0, "failed", "postfix"},
	{"hostunknown", NULL, "5.1.2", 0, "failed", "rfc3464"},
	{"hostunknown", "Sorry, I couldn't find any host named nowhere.example. (#5.1.2)", NULL, 0, "failed", "qmail"},
	/* feedback */
	{"feedback", "This is an email abuse report", NULL, 0, NULL, "arf"},
	/* "protocol violation" is a policy refusal; the SMTP one is syntax */
	{"policyviolation", "host r2.example.org[192.0.2.24] said: 550 Protocol violation (in reply to DATA command)", NULL, 550, "failed", "postfix"},
	{"syntaxerror", "451 4.5.0 SMTP protocol violation, visit RFC 2821", "4.5.0", 451, "failed", "rfc3464"},
	/* qmail: no MX and no address for the domain */
	{"notaccept", "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)", "5.4.4", 0, "failed", "qmail"},
	/* Facebook's response codes */
	{"filtered", "550 5.1.1 RCP-P2 http://postmaster.facebook.example/response_codes Refused due to recipient preferences", "5.1.1", 550, "failed", "facebook"},
	{"notaccept", "550 5.7.1 POL-P3 not accepting messages from your mail server", "5.7.1", 550, "failed", "facebook"},
	/* Domino, in Japanese and French */
	{"userunknown", "\xe3\x83\xa6\xe3\x83\xbc\xe3\x82\xb6\xe3\x83\xbc Neko (neko@example.jp) \xe3\x81\xaf Domino \xe3\x83\x87\xe3\x82\xa3\xe3\x83\xac\xe3\x82\xaf\xe3\x83\x88\xe3\x83\xaa\xe3\x81\xab\xe3\x81\xaf\xe8\xa6\x8b\xe3\x81\xa4\xe3\x81\x8b\xe3\x82\x8a\xe3\x81\xbe\xe3\x81\x9b\xe3\x82\x93\xe3\x80\x82", "5.0.0", 0, "failed", "domino"},
	{"userunknown", "L'utilisateur Neko (neko@example.fr) est non r\xc3\xa9pertori\xc3\xa9 dans l'annuaire Domino", "5.0.0", 0, "failed", "domino"},
	/* a sender-address code (x.1.8) outweighs a user-unknown phrase */
	{"rejected", "Your message wasn't delivered to bob@example.net because the address couldn't be found, or is unable to receive mail. 501 5.1.8 Sender address rejected", "5.1.8", 501, "failed", "googleworkspace"},
	/* Google Groups: spam, even with SPF advice in the notice */
	{"spamdetected", "Your email to group team@example.net was rejected due to spam classification. Set up SPF records for your sending domain if you have not done so already.", NULL, 0, "failed", "googleworkspace"},
	/* fml (mailing-list manager) */
	{"rejected", "You are not a member of this mailing list <lunch@lists.example.org>.", NULL, 0, "failed", "fml"},
	{"systemerror", "Duplicated Message-ID in <id-1@example.org>.", NULL, 0, "failed", "fml"},
	/* a MessageLabs notice: no Remote-MTA, the decoder names the provider */
	{"securityerror", "Reason: 550-Please turn on SMTP Authentication in your mail client. 550-relay.example is not permitted to 550 relay through this server without authentication.", "5.0.0", 550, "failed", "messagelabs"},
	/* authfailure */
	{"authfailure", "550-5.7.26 This mail has been blocked because the sender is unauthenticated", "5.7.26", 550, "failed", "rfc3464"},
	{"authfailure", "550 5.7.1 Email rejected per DMARC policy for example.com", "5.7.1", 550, "failed", "rfc3464"},
	{"authfailure", "550 5.7.23 SPF validation failed for example.com", "5.7.23", 550, "failed", "rfc3464"},
	{"authfailure", NULL, "5.7.20", 0, "failed", "rfc3464"},
	/* networkerror */
	{"networkerror", "mail forwarding loop for bob@example.org", NULL, 0, "failed", "postfix"},
	{"systemerror", "mail for example.org loops back to myself", NULL, 0, "failed", "postfix"},
	{"networkerror", "554 5.4.6 Hop count exceeded - possible mail loop", "5.4.6", 554, "failed", "rfc3464"},
	{"networkerror", "connect to mx.example.org[192.0.2.7]:25: No route to host", NULL, 0, "failed", "postfix"},
	/* suspend */
	{"suspend", "550 5.2.1 This mailbox has been suspended for non-payment", "5.2.1", 550, "failed", "rfc3464"},
	{"suspend", "550 The account you tried to reach is disabled", NULL, 550, "failed", "rfc3464"},
	{"suspend", NULL, "5.7.13", 525, "failed", "rfc3464"},
	{"suspend", "User account disabled", NULL, 525, "failed", "rfc3464"},
	{"filtered", NULL, "5.2.1", 550, "failed", "rfc3464"},
	/* policyviolation */
	{"policyviolation", "550 5.7.1 Email not accepted for policy reasons: attachments of this type are refused", "5.7.1", 550, "failed", "rfc3464"},
	{"policyviolation", "554 Denied by policy: members-only list, by non-member to a members-only list", NULL, 554, "failed", "rfc3464"},
	/* requireptr */
	{"requireptr", "550 5.7.25 The sending IP has no PTR record", "5.7.25", 550, "failed", "rfc3464"},
	{"requireptr", "450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.44]", "4.7.1", 450, "delayed", "postfix"},
	/* spamdetected */
	{"spamdetected", "550 5.7.1 Message rejected as spam by Content Filtering (in reply to end of DATA command)", "5.7.1", 550, "failed", "postfix"},
	{"spamdetected", "554 5.7.1 Your message looks like spam; spam score 12.3", "5.7.1", 554, "failed", "rfc3464"},
	/* systemerror */
	{"systemerror", "451 4.3.0 Temporary local problem - please try later", "4.3.0", 451, "failed", "rfc3464"},
	{"systemerror", "554 5.3.0 Internal server error while processing", "5.3.0", 554, "failed", "rfc3464"},
	/* notaccept */
	{"notaccept", "556 5.1.10 Recipient address has null MX", "5.1.10", 556, "failed", "rfc3464"},
	{"notaccept", "Domain example.net does not accept mail (nullMX)", NULL, 0, "failed", "postfix"},
	{"notaccept", NULL, NULL, 521, "failed", "rfc3464"},
	/* securityerror */
	{"securityerror", "530 5.7.0 Authentication required", "5.7.0", 530, "failed", "rfc3464"},
	{"securityerror", NULL, "5.7.0", 550, "failed", "rfc3464"},
	{"securityerror", "550 5.7.1 Delivery not authorized", "5.7.1", 550, "failed", "rfc3464"},
	/* mailererror */
	{"mailererror", "procmail: Error while writing to /var/mail/bob", NULL, 0, "failed", "postfix"},
	{"mailererror", "pipe to |/usr/local/bin/filter bob@example.org generated by bob@example.org", NULL, 0, "failed", "exim"},
	{"mailererror", "x-unix; temporary failure", NULL, 0, "failed", "postfix"},
	{"mailererror", "75", "4.0.0", 0, "failed", "rfc3464"},
	{"expired", "421", "4.4.7", 421, "failed", "sendmail"},
	/* onhold */
	{"onhold", "550 Something went wrong, sorry", NULL, 550, "failed", "rfc3464"},
	{"onhold", "Rejected for an unspecified reason", "5.0.0", 0, "failed", "rfc3464"},
	/* norelaying */
	{"norelaying", "554 5.7.1 <bob@example.org>: Relay access denied (in reply to RCPT TO command)", "5.7.1", 554, "failed", "postfix"},
	{"norelaying", "550 we do not relay for domains that are not ours", NULL, 550, "failed", "rfc3464"},
	/* hasmoved */
	{"hasmoved", "550 5.1.6 Recipient no longer on server: bob@example.org", "5.1.6", 550, "failed", "rfc3464"},
	{"hasmoved", "551 User bob has been replaced by bob.new@example.net", NULL, 551, "failed", "rfc3464"},
	/* notcompliantrfc */
	{"notcompliantrfc", "550 5.7.1 Messages with multiple addresses in From: header are not accepted", "5.7.1", 550, "failed", "rfc3464"},
	{"notcompliantrfc", "554 Transaction failed: Duplicate header 'Subject'", NULL, 554, "failed", "rfc3464"},
	/* toomanyconn */
	{"toomanyconn", "421 4.7.0 Too many connections from your host, try again later", "4.7.0", 421, "failed", "rfc3464"},
	{"toomanyconn", "452 4.5.3 Too many recipients", "4.5.3", 452, "failed", "rfc3464"},
	/* vacation */
	{"vacation", "I am out of the office until Monday", NULL, 0, NULL, "rfc3834"},
	/* exceedlimit */
	{"exceedlimit", "552 5.2.3 Message length exceeds administrative limit", "5.2.3", 552, "failed", "rfc3464"},
	{"exceedlimit", "550 Message too large for this recipient", NULL, 550, "failed", "rfc3464"},
	/* mesgtoobig */
	{"mesgtoobig", "552 5.3.4 Message size exceeds fixed maximum message size (10485760)", "5.3.4", 552, "failed", "rfc3464"},
	{"mesgtoobig", "552 Message is too big for this server", NULL, 552, "failed", "rfc3464"},
	/* delivered */
	{"delivered", "250 2.0.0 Ok: queued as 1234", "2.0.0", 250, "delivered", "rfc3464"},
	{"delivered", NULL, "2.1.5", 250, "relayed", "rfc3464"},
	/* badreputation */
	{"badreputation", "550 5.7.1 Rejected due to the poor reputation of the sending IP", "5.7.1", 550, "failed", "rfc3464"},
	{"badreputation", "421 4.7.0 Messages temporarily deferred due to unexpected volume or user complaints", "4.7.0", 421, "failed", "rfc3464"},
	/* virusdetected */
	{"virusdetected", "554 5.7.1 Virus found in message: Eicar-Test-Signature (in reply to end of DATA command)", "5.7.1", 554, "failed", "postfix"},
	/* contenterror */
	{"contenterror", "550 5.6.0 Improper use of 8-bit data in message header", "5.6.0", 550, "failed", "rfc3464"},
	{"contenterror", NULL, "5.6.1", 554, "failed", "rfc3464"},
	/* syntaxerror */
	{"syntaxerror", "503 5.5.1 Bad sequence of commands", NULL, 503, "failed", "rfc3464"},
	{"syntaxerror", "501 Syntax error in parameters or arguments", NULL, 501, "failed", "rfc3464"},
	/* speeding */
	{"speeding", "450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages", "4.2.1", 450, "failed", "rfc3464", "gmail-smtp-in.l.google.com"},
	{"speeding", "451 4.7.1 You are sending too fast, try again slower", "4.7.1", 451, "failed", "rfc3464"},
	/* failedstarttls */
	{"failedstarttls", "530 Remote server does not support TLS", NULL, 530, "failed", "rfc3464"},
	{"failedstarttls", NULL, "5.7.30", 550, "failed", "rfc3464"},
	/* systemfull */
	{"systemfull", "452 4.3.1 Insufficient system storage", "4.3.1", 452, "failed", "rfc3464"},
	{"systemfull", "452 4.4.5 Insufficient disk space; try again later", "4.4.5", 452, "failed", "rfc3464"},
	/* suppressed */
	{"suppressed", "Amazon SES did not send the message to this address because it is on the suppression list for your account", NULL, 0, "failed", "amazonses"},
	/* undefined */
	{"undefined", NULL, NULL, 0, "failed", "rfc3464"},
	{"undefined", "", "", 0, NULL, NULL},
};

/* precedence, commands, providers */
static const rcase precedence[] = {
	/* a specific code beats weak text ... */
	{"userunknown", "550 5.1.1 <a@example.org>... Unknown user; access denied", "5.1.1", 550, "failed", "sendmail"},
	/* ... a specific phrase beats a code that only says "security" or "other" */
	{"mailboxfull", "550 5.7.1 Mailbox full", "5.7.1", 550, "failed", "rfc3464"},
	{"norelaying", "550 5.7.1 Relaying denied", "5.7.1", 550, "failed", "rfc3464"},
	{"mailboxfull", "550 5.1.1 <a@example.org>... Mailbox Full", "5.1.1", 550, "failed", "sendmail"},
	/* X.2.3 is exceedlimit even when the text says too big */
	{"exceedlimit", "552 5.2.3 Message too big", "5.2.3", 552, "failed", "rfc3464"},
	/* user unknown: after RCPT it is the recipient, after DATA the recipient's filter */
	{"userunknown", "host mx.example.org[192.0.2.1] said: 550 User unknown (in reply to RCPT TO command)", NULL, 550, "failed", "postfix"},
	{"filtered", "host mx.example.org[192.0.2.1] said: 550 User unknown (in reply to end of DATA command)", NULL, 550, "failed", "postfix"},
	/* the command from the text of the bounce when the diagnostic has none */
	{"userunknown", "550 <a@example.org>: User unknown", NULL, 550, "failed", "rfc3464", NULL,
	 "Delivery failed:\n<a@example.org>: host mx.example.org said: 550 User unknown (in reply to RCPT TO command)\n"},
	/* a refusal at MAIL FROM is about the sender */
	{"rejected", "550 5.7.1 Access denied (in reply to MAIL FROM command)", "5.7.1", 550, "failed", "postfix"},
	/* a refusal at the greeting is about the client */
	{"blocked", "host mx.example.org[192.0.2.1] refused to talk to me: 554 Go away", NULL, 554, "failed", "postfix"},
	/* pseudo codes of Sisimai carry their reason */
	{"userunknown", "User unknown", "5.0.911", 0, "failed", "x1"},
	/* delay warnings */
	{"expired", "Delivery to the following recipient has been delayed: retrying", NULL, 0, "delayed", "gmail"},
	{"mailboxfull", "452 4.2.2 Mailbox full", "4.2.2", 452, "delayed", "rfc3464"},
	/* a status with a comment, no diagnostic */
	{"networkerror", NULL, "4.0.0 (example.net: host name lookup failure)", 0, "delayed", "rfc3464"},
	/* multi-line replies folded into one line */
	{"notcompliantrfc", "550-5.7.1 Messages with multiple 550-5.7.1 addresses in From: header are 550 5.7.1 not accepted.", "5.7.1", 550, "failed", "rfc3464"},
	/* URL fragments do not count */
	{"onhold", "550 5.0.0 Rejected. See https://example.org/reasons#mailboxfull", "5.0.0", 550, "failed", "rfc3464"},
	/* the text is used only when the diagnostic and the code say nothing */
	{"expired", NULL, "4.4.7", 0, "failed", "sendmail", NULL, "Deferred: Connection refused by mx.example.org\nUser unknown\n"},
	{"undefined", NULL, NULL, 0, "failed", "postfix", NULL, "This is the mail system at host mx.example.org.\n"},
	{"undefined", "This is the mail system at host mx.example.org. I'm sorry to have to inform you that your message could not be delivered", NULL, 0, "failed", "postfix"},
	{"userunknown", "mail.local: unknown user: bob 554 <bob@example.net>... Service unavailable", "5.5.0", 554, "failed", "sendmail"},
	{"userunknown", "554 <bob@example.net>... Service unavailable", "5.5.0", 554, "failed", "sendmail", NULL, "----- Transcript of session follows -----\nmail.local: unknown user: bob\n554 <bob@example.net>... Service unavailable\n"},
	/* providers */
	{"blocked", "554 Connection refused. This IP is listed on the Spamhaus Block List (SBL). IB104", NULL, 554, "failed", "postfix", "smtp.secureserver.net"},
	{"toomanyconn", "550 This message has exceeded the max number of messages per session. IB510", NULL, 550, "failed", "postfix", "smtp.secureserver.net"},
	{"speeding", "550 This IP has sent too many messages this hour. IB504", NULL, 550, "failed", "postfix", "smtp.secureserver.net"},
	{"blocked", "554 5.7.1 Blocked by Cox: AUP#CXBL", "5.7.1", 554, "failed", "postfix", "cxr.mx.a.cox.net"},
	{"rejected", "554 5.7.1 Sender domain problem AUP#CXSNDR", "5.7.1", 554, "failed", "postfix", "cxr.mx.a.cox.net"},
	{"userunknown", "550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]", "5.1.1", 550, "failed", "postfix", "smtp-in.orange.fr"},
	{"mailboxfull", "552 5.1.1 Boite du destinataire pleine. Recipient overquota. OFR_417 [417]", "5.1.1", 552, "failed", "postfix", "smtp-in.orange.fr"},
	{"blocked", "550 5.7.606 Access denied, banned sending IP [192.0.2.1]", "5.7.606", 550, "failed", "rfc3464", "example-com.mail.protection.outlook.com"},
	{"authfailure", "550 5.7.509 Access denied, sending domain [EXAMPLE.COM] does not pass DMARC verification", "5.7.509", 550, "failed", "rfc3464", "example-com.mail.protection.outlook.com"},
	{"toomanyconn", "550 5.1.0 sender rejected. AUP#In-1310", "5.1.0", 550, "failed", "rfc3464", "mx.charter.net"},
	{"suspend", "550 Mailbox is frozen. See http://mail.i.ua/err/3/", NULL, 550, "failed", "postfix", "mx3.email.ua"},
	{"toomanyconn", "550 Ip frequency limited", NULL, 550, "failed", "postfix", "mx3.qq.com"},
	{"speeding", "550-5.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered", "5.2.1", 550, "failed", "postfix", "alt1.gmail-smtp-in.l.google.com"},
	{"rejected", "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints (in reply to MAIL FROM command)", "4.7.0", 421, "failed", "postfix", "mta6.am0.yahoodns.net"},
	{"virusdetected", "554 email rejected due to security policies - MCSpamSignature", NULL, 554, "failed", "postfix", "service1.mimecast.com"},
	{"expired", "#550 4.4.7 QUEUE.Expired; message expired ##", "4.4.7", 550, "failed", "exchange2007"},
	/* decoders */
	{"vacation", NULL, NULL, 0, NULL, "rfc3834"},
	{"feedback", NULL, NULL, 0, NULL, "arf"},
	{"delivered", "250 OK", NULL, 250, "delivered", "rfc3464"},
};

static void
test_reasons(const rcase *cases, int n, const char *what)
{
	for (int i = 0; i < n; i++)
	{
		const rcase *c = &cases[i];
		const char *got = ma_bounce_reason(c->diag, c->status, c->reply, c->action,
										   c->source, c->rmta, c->text);
		char		label[300];

		snprintf(label, sizeof(label), "%s %d: %s <- %.160s", what, i, c->want,
				 c->diag ? c->diag : (c->status ? c->status : "(nothing)"));
		IS(got, c->want, label);
	}
}

static void
test_vocabulary(void)
{
	static const char *const words[] = {
		"userunknown", "mailboxfull", "expired", "filtered", "rejected", "blocked",
		"hostunknown", "feedback", "authfailure", "networkerror", "suspend",
		"policyviolation", "requireptr", "spamdetected", "systemerror", "notaccept",
		"securityerror", "mailererror", "onhold", "norelaying", "hasmoved",
		"notcompliantrfc", "toomanyconn", "vacation", "exceedlimit", "mesgtoobig",
		"delivered", "badreputation", "virusdetected", "contenterror", "syntaxerror",
		"speeding", "failedstarttls", "systemfull", "suppressed", "undefined",
	};
	int			nw = (int) (sizeof(words) / sizeof(words[0]));
	bool		seen[36] = {false};
	int			nseen = 0;

	OK(nw == 36, "the vocabulary has 36 words");
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		for (int w = 0; w < nw; w++)
			if (strcmp(reasons[i].want, words[w]) == 0 && !seen[w])
			{
				seen[w] = true;
				nseen++;
			}
	OK(nseen == 36, "every reason is exercised (%d of 36)", nseen);
}

/* random and hostile inputs: a word of the vocabulary, never NULL, no crash */
static void
test_hostile(void)
{
	char		big[70000];
	const char *r;
	bool		ok = true;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	r = ma_bounce_reason(big, big, 550, big, big, big, big);
	OK(r != NULL && strcmp(r, "onhold") == 0, "70 KB of 'a' everywhere: onhold (%s)", r ? r : "NULL");
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char) (1 + (i * 7919u) % 255);
	r = ma_bounce_reason(big, "5.1.1", 550, "failed", "postfix", "mx.example", big);
	OK(r != NULL, "binary junk: a reason (%s)", r ? r : "NULL");
	/* a phrase cut at the end of the text, and metacharacters in the input */
	r = ma_bounce_reason("550 user unknow", NULL, 0, NULL, NULL, NULL, NULL);
	OK(r != NULL && strcmp(r, "onhold") == 0, "a phrase cut short does not match (%s)", r);
	r = ma_bounce_reason("*~#%\\ mailbox full *~#%\\", NULL, 0, NULL, NULL, NULL, NULL);
	OK(r != NULL && strcmp(r, "mailboxfull") == 0, "metacharacters in the text are plain bytes (%s)", r);
	for (int i = 0; i < 2000 && ok; i++)
	{
		char		s[64];

		for (int k = 0; k < 63; k++)
			s[k] = "user unknown mailbox full 5.1.1 550 -*~#%\\<>()"[(i * 31 + k * 17) % 47];
		s[63] = 0;
		r = ma_bounce_reason(s, s, i, s, s, s, s);
		ok = (r != NULL && *r);
	}
	OK(ok, "2000 generated inputs: always a word");
}

/* ---------------------------------------------------------------------
 * Hard and soft
 * ---------------------------------------------------------------------
 */
static void
test_hard(void)
{
	OK(ma_bounce_is_hard("userunknown", "5.1.1", 550), "userunknown is hard");
	OK(ma_bounce_is_hard("userunknown", NULL, 0), "userunknown is hard without a code");
	OK(ma_bounce_is_hard("hostunknown", "5.1.2", 0), "hostunknown is hard");
	OK(ma_bounce_is_hard("hasmoved", "5.1.6", 551), "hasmoved is hard");
	OK(ma_bounce_is_hard("notaccept", "5.1.10", 556), "notaccept with 5.X.X is hard");
	OK(ma_bounce_is_hard("notaccept", NULL, 556), "notaccept with 556 is hard");
	OK(ma_bounce_is_hard("notaccept", NULL, 0), "notaccept with nothing else is hard (permanent by default)");
	OK(!ma_bounce_is_hard("notaccept", "4.3.2", 0), "notaccept with 4.X.X is soft");
	OK(!ma_bounce_is_hard("notaccept", NULL, 421), "notaccept with 421 is soft");
	OK(!ma_bounce_is_hard("notaccept", "4.0.0", 550), "notaccept: the status decides over the reply code");
	OK(!ma_bounce_is_hard("mailboxfull", "5.2.2", 552), "mailboxfull is soft");
	OK(!ma_bounce_is_hard("filtered", "5.2.0", 550), "filtered is soft");
	OK(!ma_bounce_is_hard("suspend", "5.2.1", 550), "suspend is soft");
	OK(!ma_bounce_is_hard("blocked", "5.7.1", 554), "blocked is soft");
	OK(!ma_bounce_is_hard("undefined", NULL, 0), "undefined is soft");
	OK(!ma_bounce_is_hard("delivered", "2.1.5", 250), "delivered is not a hard bounce");
	OK(!ma_bounce_is_hard(NULL, "5.1.1", 550), "no reason: not hard");
}

/* ---------------------------------------------------------------------
 * Status codes
 * ---------------------------------------------------------------------
 */
static void
test_lookup(void)
{
	ma_smtp_status s;
	static const struct
	{
		const char *code;
		const char *norm;
		const char *desc;
	}			known[] = {
		{"5.0.0", "5.0.0", "Other undefined Status"},
		{"5.1.0", "5.1.0", "Other address status"},
		{"5.1.1", "5.1.1", "Bad destination mailbox address"},
		{"5.1.2", "5.1.2", "Bad destination system address"},
		{"5.1.6", "5.1.6", "Destination mailbox has moved, No forwarding address"},
		{"5.1.10", "5.1.10", "Recipient address has null MX"},
		{"4.2.2", "4.2.2", "Mailbox full"},
		{"5.2.3", "5.2.3", "Message length exceeds administrative limit"},
		{"5.3.4", "5.3.4", "Message too big for system"},
		{"5.3.6", "5.3.6", "Requested priority was changed"},
		{"4.4.7", "4.4.7", "Delivery time expired"},
		{"5.5.6", "5.5.6", "Authentication Exchange line is too long"},
		{"5.6.9", "5.6.9", "UTF-8 header message cannot be transferred to one or more recipients, so the message must be rejected"},
		{"5.7.1", "5.7.1", "Delivery not authorized, message refused"},
		{"5.7.13", "5.7.13", "User Account Disabled"},
		{"5.7.20", "5.7.20", "No passing DKIM signature found"},
		{"5.7.23", "5.7.23", "SPF validation failed"},
		{"5.7.25", "5.7.25", "Reverse DNS validation failed"},
		{"5.7.26", "5.7.26", "Multiple authentication checks failed"},
		{"5.7.27", "5.7.27", "Sender address has null MX"},
		{"5.7.29", "5.7.29", "ARC validation failure"},
		{"5.7.30", "5.7.30", "REQUIRETLS support required"},
		{"  2.1.5 ", "2.1.5", "Destination address valid"},
		{"5.01.001", "5.1.1", "Bad destination mailbox address"},
	};
	static const char *const bad[] = {
		"", "   ", "5", "5.1", "5.1.", "5..1", "3.1.1", "1.1.1", "6.0.0", "0.0.0",
		"5.1.1.1", "5.1000.1", "5.1.1000", "5.a.1", "x5.1.1", "5.1.1x", "5.1.1 extra",
		"-5.1.1", "5 .1.1", "5.1 .1", "550", "5,1,1", "５.1.1",
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
	{
		char		label[120];

		snprintf(label, sizeof(label), "lookup \"%s\": description", known[i].code);
		OK(ma_smtp_status_lookup(known[i].code, &s), "lookup \"%s\" is valid", known[i].code);
		IS(s.code, known[i].norm, "normalised code");
		IS(s.description, known[i].desc, label);
	}
	OK(ma_smtp_status_lookup("5.7.26", &s) && s.class_ == 5 && s.subject == 7 && s.detail == 26 &&
	   s.permanent, "5.7.26: class 5, subject 7, detail 26, permanent");
	IS(s.class_text, "Permanent Failure", "5.X.X class text");
	IS(s.subject_text, "Security or Policy Status", "X.7.X subject text");
	OK(ma_smtp_status_lookup("4.4.1", &s) && !s.permanent, "4.4.1 is not permanent");
	IS(s.class_text, "Persistent Transient Failure", "4.X.X class text");
	IS(s.subject_text, "Network and Routing Status", "X.4.X subject text");
	OK(ma_smtp_status_lookup("2.0.0", &s) && !s.permanent, "2.0.0 is valid, not permanent");
	IS(s.class_text, "Success", "2.X.X class text");
	OK(ma_smtp_status_lookup("5.7.999", &s) && s.description == NULL && s.subject_text != NULL,
	   "5.7.999: valid, no registry description");
	OK(ma_smtp_status_lookup("4.9.1", &s) && s.subject_text == NULL && s.description == NULL,
	   "4.9.1: valid syntax, unknown subject");
	OK(ma_smtp_status_lookup("5.999.999", &s), "5.999.999: subject and detail up to 999");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		OK(!ma_smtp_status_lookup(bad[i], &s), "lookup rejects \"%s\"", bad[i]);
	OK(!ma_smtp_status_lookup(NULL, &s), "lookup rejects NULL");

	/* every registry entry has a description */
	{
		static const int ndet[8] = {1, 11, 5, 7, 8, 7, 11, 31};
		bool		all = true;

		for (int subj = 0; subj < 8; subj++)
			for (int d = 0; d < ndet[subj]; d++)
			{
				char		c[32];

				snprintf(c, sizeof(c), "5.%d.%d", subj, d);
				if (!ma_smtp_status_lookup(c, &s) || s.description == NULL)
				{
					all = false;
					printf("# no description for %s\n", c);
				}
			}
		OK(all, "X.0.0, X.1.0-10, X.2.0-4, X.3.0-6, X.4.0-7, X.5.0-6, X.6.0-10, X.7.0-30 are described");
	}
}

static void
test_find(void)
{
	static const struct
	{
		const char *text;
		const char *want;		/* NULL: none */
	}			cases[] = {
		{"550-5.1.1 The email account that you tried to reach does not exist", "5.1.1"},
		{"550 5.7.26 Unauthenticated email", "5.7.26"},
		{"Sorry, no mailbox here by that name. (#5.1.1)", "5.1.1"},
		{"rejected (5.7.1) by policy", "5.7.1"},
		{"Status: 4.4.7", "4.4.7"},
		{"5.2.2 <a@example.org>... Mailbox Full", "5.2.2"},
		{"ERROR_CODE :5.2.1 <a@example.org>", "5.2.1"},
		{"550-'5.2.2 <a@example.org>... Mailbox Full'", "5.2.2"},
		{"[#4.1.9].", "4.1.9"},
		{"code=5.1.10;", "5.1.10"},
		{"host 192.0.2.1 said: 550 5.1.1 unknown", "5.1.1"},
		{"client 192.0.2.1 version 1.2.3 said 4.2.2 full", "4.2.2"},
		{"connect to 192.0.2.1: refused", NULL},
		{"from 10.5.1.1 relay", NULL},
		{"mail from 5.5.5.5 refused", NULL},
		{"1.2.3.4", NULL},
		{"v1.2.3 released", NULL},
		{"sendmail 8.15.2/8.15.2", NULL},
		{"version 5.1.1-beta", NULL},
		{"Postfix 2.4.1", "2.4.1"},	/* a bare x.y.z with nothing around it reads as a code */
		{"v5.1.1", NULL},
		{"release-5.1.1", NULL},
		{"x5.1.1", NULL},
		{"on 2024.5.1 at noon", NULL},
		{"5.1.1000 no", NULL},
		{"5.1000.1 no", NULL},
		{"3.1.1 no", NULL},
		{"id 5.1.1a", NULL},
		{"5.", NULL},
		{"", NULL},
	};
	char		out[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		bool		ok = ma_bounce_find_status(cases[i].text, out);
		char		label[160];

		if (cases[i].want)
		{
			snprintf(label, sizeof(label), "find in \"%s\"", cases[i].text);
			OK(ok, "%s: found", label);
			IS(ok ? out : NULL, cases[i].want, label);
		}
		else
			OK(!ok, "nothing found in \"%s\"%s%s", cases[i].text, ok ? ", got " : "", ok ? out : "");
	}
	OK(!ma_bounce_find_status(NULL, out), "nothing found in NULL");
}


/* ---------------------------------------------------------------------
 * ma_bounce_reason_ex(): the diagnostic type, the per-message cache
 * ---------------------------------------------------------------------
 */
static const char *
reason_ex(const char *diag, const char *status, int reply, const char *action,
		  const char *source, const char *dtype, const char *text, ma_bounce_textcache *cache)
{
	ma_bounce_in in;

	memset(&in, 0, sizeof(in));
	in.diagnostic = diag;
	in.status = status;
	in.reply_code = reply;
	in.action = action;
	in.source = source;
	in.diagnostic_type = dtype;
	in.text = text;
	in.cache = cache;
	return ma_bounce_reason_ex(&in);
}

static void
test_reason_ex(void)
{
	ma_bounce_textcache tc;
	const char *text1 = "Delivery failed:\n<a@example.org>: 550 User unknown (in reply to RCPT TO command)\n";
	const char *text2 = "Delivery failed:\n<a@example.org>: 550 User unknown (in reply to end of DATA command)\n";

	/* X-Unix: a local delivery program failed, unless the text or the code names a reason */
	IS(reason_ex("temporary failure", "4.3.0", 0, "failed", "postfix", "x-unix", NULL, NULL),
	   "mailererror", "x-unix: a program's temporary failure is mailererror");
	IS(reason_ex("temporary failure", "4.3.0", 0, "failed", "postfix", "X-Unix", NULL, NULL),
	   "mailererror", "x-unix: the type is case-insensitive");
	IS(reason_ex("temporary failure", "4.3.0", 0, "failed", "postfix", "smtp", NULL, NULL),
	   "onhold", "smtp: the same text says nothing we know");
	IS(reason_ex("temporary failure", "4.3.0", 0, "failed", "postfix", NULL, NULL, NULL),
	   "onhold", "no type: as smtp");
	IS(reason_ex("Quota exceeded message delivery failed", "4.3.0", 0, "failed", "rfc3464", "x-unix", NULL, NULL),
	   "mailboxfull", "x-unix: a phrase that names a reason wins");
	IS(reason_ex("temporary failure", "4.7.0", 0, "failed", "rfc3464", "x-unix", NULL, NULL),
	   "securityerror", "x-unix: X.7.X says security first");
	IS(reason_ex("temporary failure", "4.3.0", 0, "delayed", "rfc3464", "x-unix", NULL, NULL),
	   "mailererror", "x-unix: before a delay is read as expired");
	/* the old entry point is the new one without type and cache */
	IS(ma_bounce_reason("temporary failure", "4.3.0", 0, "failed", "postfix", NULL, NULL),
	   reason_ex("temporary failure", "4.3.0", 0, "failed", "postfix", NULL, NULL, NULL),
	   "ma_bounce_reason() is ma_bounce_reason_ex() without type");

	/* the text of the message is read once for all its rows, and again for another text */
	memset(&tc, 0, sizeof(tc));
	IS(reason_ex("550 User unknown", NULL, 550, "failed", "rfc3464", NULL, text1, &tc),
	   "userunknown", "cache: the command from the text (RCPT)");
	OK(tc.tags_done && tc.text == text1, "cache: the text's phrases kept");
	IS(reason_ex("550 User unknown", NULL, 550, "failed", "rfc3464", NULL, text1, &tc),
	   "userunknown", "cache: the second row the same");
	IS(reason_ex("550 User unknown", NULL, 550, "failed", "rfc3464", NULL, text2, &tc),
	   "filtered", "cache: another text is read again (DATA)");
	IS(reason_ex("550 User unknown", NULL, 550, "failed", "rfc3464", NULL, text2, NULL),
	   "filtered", "cache: the same without a cache");
}

/* the queue lifetime ran out: X.4.7 and a give-up text make an expiry */
static void
test_gave_up(void)
{
	const char *d = "kijitora... Deferred: Connection refused by [192.0.2.1] "
		"Message could not be delivered for 5 days Message will be deleted from queue";

	IS(reason_ex(d, "4.4.7", 0, "failed", "sendmail", NULL, NULL, NULL), "expired",
	   "gave up: 4.4.7 and \"could not be delivered for 5 days\" beat connection refused");
	IS(reason_ex("Deferred: Connection refused by [192.0.2.1]", "4.4.7", 0, "failed", "sendmail", NULL, NULL, NULL),
	   "blocked", "gave up: without the give-up text, the refusal");
	IS(reason_ex(d, "4.4.1", 0, "failed", "sendmail", NULL, NULL, NULL), "blocked",
	   "gave up: a code that is not X.4.7 keeps the refusal");
	IS(reason_ex("Unable to contact LDAP server. (#4.4.3) I'm not going to try again; "
				 "this message has been in the queue too long.", "4.4.3", 0, "failed", "qmail", NULL, NULL, NULL),
	   "systemerror", "gave up: qmail's cause (4.4.3) stays the reason");
}

/* phrases are looked for where a word starts */
static void
test_word_starts(void)
{
	IS(reason_ex("550 5.0.0 mailbox full", NULL, 550, "failed", "rfc3464", NULL, NULL, NULL), "mailboxfull",
	   "words: a phrase at a word start");
	IS(reason_ex("550 5.0.0 xmailbox full", NULL, 550, "failed", "rfc3464", NULL, NULL, NULL), "onhold",
	   "words: not in the middle of a word");
	IS(reason_ex("550 5.0.0 (mailbox full)", NULL, 550, "failed", "rfc3464", NULL, NULL, NULL), "mailboxfull",
	   "words: after punctuation");
	IS(reason_ex("554 5.7.1 Sender domain problem AUP#CXSNDR", "5.7.1", 554, "failed", "rfc3464", NULL, NULL, NULL),
	   "rejected", "words: a provider code after a space");
	IS(reason_ex("550 5.0.0 Averyveryverylongwordwithoutanyspaceatall mailbox full", NULL, 550, "failed", "rfc3464",
				 NULL, NULL, NULL), "mailboxfull", "words: after a long word");
	IS(reason_ex("550 5.0.0 MAILBOX\tFULL", NULL, 550, "failed", "rfc3464", NULL, NULL, NULL), "mailboxfull",
	   "words: upper case and a tab");
	IS(reason_ex("mailbox full", NULL, 550, "failed", "rfc3464", NULL, NULL, NULL), "mailboxfull",
	   "words: at the very start");
}

/* the documented replies of providers, only from their hosts */
static void
test_provider_replies(void)
{
	IS(reason_ex("452-4.2.2 The recipient's inbox is out of storage space. 452 4.2.2 Please direct the recipient to "
				 "https://support.google.com/mail/?p=OverQuotaTemp x1-20020a05 - gsmtp", "4.2.2", 452, "failed",
				 "rfc3464", "gmail-smtp-in.l.google.com", NULL, NULL), "mailboxfull",
	   "google: documented reply (storage space)");
	IS(reason_ex("550-5.7.26 This mail has been rate limited because it is unauthenticated. gsmtp", "5.7.26", 550,
				 "failed", "rfc3464", "aspmx.l.google.com", NULL, NULL), "speeding",
	   "google: the table order decides (rate limited before the code's authfailure)");
	IS(reason_ex("550 5.2.1 this mailbox is disabled (554.30)", "5.2.1", 550, "failed", "rfc3464",
				 "mta7.am0.yahoodns.net", NULL, NULL), "suspend", "yahoo: documented reply");
	IS(reason_ex("550 5.1.1 user does not exist", "5.1.1", 550, "failed", "rfc3464", "mx01.mail.icloud.com", NULL,
				 NULL), "userunknown", "apple: documented reply");
	IS(reason_ex("550 5.7.1 this mailbox is disabled but someone else's", "5.7.1", 550, "failed", "rfc3464",
				 "mx.example.org", NULL, NULL), "suspend", "not yahoo: the generic rules");
}

int
main(void)
{
	test_vocabulary();
	test_reasons(reasons, (int) (sizeof(reasons) / sizeof(reasons[0])), "reason");
	test_reasons(precedence, (int) (sizeof(precedence) / sizeof(precedence[0])), "precedence");
	test_hostile();
	test_hard();
	test_lookup();
	test_find();
	test_reason_ex();
	test_gave_up();
	test_word_starts();
	test_provider_replies();
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}
