/*-------------------------------------------------------------------------
 *
 * ma_authres.h
 *	  Parsing Authentication-Results header fields (RFC 8601, read with the
 *	  leniency RFC 7601 and RFC 5451 headers and real-world receivers need)
 *	  and Received-SPF header fields (RFC 7208 section 9.1).  Pure C: never
 *	  includes postgres.h; everything is malloc()ed and owned by the list.
 *
 * Input: either one header field value, or a whole message.
 *
 *	- After leading whitespace (and an mbox "From " line, when the input
 *	  starts with one), an input that starts with a field name -- letters,
 *	  digits, '-' and '_', optional blanks, ':' -- is a header block: every
 *	  Authentication-Results and Received-SPF field (names in any case) is
 *	  parsed, in order, up to the first empty line (CRLF or LF line ends);
 *	  the body is ignored.  Folded lines are unfolded; a line that is neither
 *	  a continuation (leading blank) nor a "Name:" line is taken as the
 *	  continuation of the field above it (hand-pasted, unindented folds).
 *	  A single "Authentication-Results: ..." input is simply a header block
 *	  of one field.  ARC-Authentication-Results and every other field are
 *	  skipped.
 *	- Anything else is one field value without its name: a Received-SPF
 *	  value when its first token is an SPF result word (pass, fail, softfail,
 *	  neutral, none, temperror, permerror, and the legacy error, unknown)
 *	  followed by neither ';' nor a version number, else an
 *	  Authentication-Results value.  An Authentication-Results value that
 *	  starts with "i=N;" (an ARC-Authentication-Results value, RFC 8617,
 *	  given on its own) has that instance tag skipped.
 *
 * Authentication-Results rows: one per resinfo.  authserv_id is the
 * authserv-id as written (NULL when the field has none, as in Microsoft's
 * headers); version the authres-version, 1 when absent (other versions are
 * reported, and parsed as version 1); method and result lowercased; a
 * method version ("dkim/1") goes to method_version, not into method; reason
 * the reasonspec value (the first one, wherever it is placed); properties
 * ("ptype.property", value) with ptype and property lowercased and the value
 * as written, unquoted and unescaped, comments removed; a value in angle
 * brackets ("smtp.mailfrom=<a@b>") loses the brackets; a quoted local-part
 * followed by "@domain" keeps its quotes.  A field whose only resinfo is
 * "none" (no authentication was done) yields no row.
 *
 * Received-SPF rows: authserv_id NULL, version 1, method "spf", result the
 * first token lowercased, reason the text of the first comment (NULL when
 * none; quoted-pairs unescaped, nested parentheses kept, runs of blanks as
 * one space, no blanks at the ends), properties the key=value pairs (client-ip, envelope-from, helo,
 * receiver, identity, mechanism, problem, any other key), keys lowercased.
 *
 * Leniency: comments (nested, with quoted-pairs) anywhere between tokens;
 * missing semicolons between resinfos (a known method name followed by '='
 * or a "name/version=" starts a new resinfo); empty and trailing resinfos;
 * a "key=value" without a ptype inside a resinfo (Microsoft's
 * "action=none") is a property named by its key alone; control bytes and
 * NUL bytes are junk whitespace; a resinfo that cannot be parsed (no
 * "method=result") is skipped up to the next ';'.  Unterminated comments and
 * quoted strings end at the end of the field.
 *
 * Bounds: at most MA_AUTHRES_MAX_RESULTS rows per input; at most
 * MA_AUTHRES_MAX_FIELD bytes of each unfolded field are parsed (cut at the
 * last ';' within the limit, so no half result is reported); at most
 * MA_AUTHRES_MAX_PROPS properties per row.  Anything beyond is dropped and
 * sets list->truncated.  Work is linear in the input size.
 *
 * Strings are the input's bytes: valid UTF-8 input gives valid UTF-8
 * strings (NUL bytes never reach them).  ma_authres_properties_json() makes
 * its output valid UTF-8 whatever the input.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_AUTHRES_H
#define MA_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>

#define MA_AUTHRES_MAX_RESULTS	10000	/* rows per input */
#define MA_AUTHRES_MAX_FIELD	(1024 * 1024)	/* bytes per unfolded field */
#define MA_AUTHRES_MAX_PROPS	1000	/* properties per row */

typedef struct ma_authres_prop
{
	char	   *name;			/* "smtp.mailfrom", "header.d", "client-ip" */
	char	   *value;			/* unquoted; never NULL (may be "") */
} ma_authres_prop;

typedef struct ma_authres_result
{
	char	   *authserv_id;	/* NULL for Received-SPF and when absent */
	int			version;		/* authres-version, 1 by default */
	char	   *method;			/* lowercased: "spf", "dkim", "dmarc", ... */
	int			method_version; /* "dkim/1" -> 1; 0 when absent */
	char	   *result;			/* lowercased: "pass", "fail", ... */
	char	   *reason;			/* reason= value / Received-SPF comment, or NULL */
	ma_authres_prop *props;
	int			nprops;
	int			field;			/* 1-based ordinal of the parsed field */
	bool		received_spf;	/* from a Received-SPF field */
} ma_authres_result;

typedef struct ma_authres_list
{
	ma_authres_result *results;
	int			nresults;
	int			nfields;		/* A-R and Received-SPF fields parsed */
	bool		truncated;		/* a bound above dropped something */
	/* private */
	int			cap;
	bool		oom;
} ma_authres_list;

/*
 * Parse input (len bytes; NUL bytes are junk, not terminators) into out,
 * which need not be initialised.  Returns 0, or -1 when out of memory (out
 * is then empty).  Free with ma_authres_list_free in both cases.
 */
extern int	ma_authres_parse(const char *input, size_t len, ma_authres_list *out);
extern void ma_authres_list_free(ma_authres_list *list);

/*
 * The properties of r as a JSON object, {"smtp.mailfrom": "example.com"},
 * names in the order of their first appearance; a name given more than once
 * maps to an array of its values in order.  Strings are JSON-escaped
 * (control characters as \u00XX) and invalid UTF-8 bytes become U+FFFD, so
 * the text is valid UTF-8 JSON.  malloc()ed; NULL when out of memory.
 */
extern char *ma_authres_properties_json(const ma_authres_result *r);

#endif							/* MA_AUTHRES_H */
