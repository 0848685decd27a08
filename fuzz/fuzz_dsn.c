/*-------------------------------------------------------------------------
 *
 * fuzz_dsn.c
 *	  libFuzzer target: bounces (ma_dsn.c, ma_dsn_lhost.c, ma_bounce.c):
 *	  ma_dsn_parse() on the input as a whole message, and the classifier
 *	  and status helpers on the input as a bare diagnostic line.
 *
 * Checked: the bounds of ma_dsn.h (rows, every string valid UTF-8 whatever
 * the input, a reason from the vocabulary, hard bounces only for the
 * reasons Sisimai 5 calls hard), and that ma_dsn_free() frees everything
 * (LeakSanitizer).
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_dsn.h"
#include "fuzz_common.h"

static void
check_str(const char *s, const char *what)
{
	if (s == NULL)
		return;
	FZ_CHECK(fz_utf8_valid((const unsigned char *) s, strlen(s)), "invalid UTF-8 in %s", what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ma_dsn_result r;
	char	   *line;
	char		st[16];
	ma_smtp_status ss;

	memset(&r, 0, sizeof(r));
	if (ma_dsn_parse((const char *) data, size, &r))
	{
		FZ_CHECK(r.n <= MA_DSN_MAX_RCPTS, "%zu rows", r.n);
		for (size_t i = 0; i < r.n; i++)
		{
			const ma_dsn_rcpt *x = &r.rcpts[i];

			FZ_CHECK(x->reason != NULL && x->source != NULL, "row %zu: no reason or source", i);
			check_str(x->recipient, "recipient");
			check_str(x->original_recipient, "original_recipient");
			check_str(x->action, "action");
			check_str(x->status, "status");
			check_str(x->diagnostic_type, "diagnostic_type");
			check_str(x->diagnostic, "diagnostic");
			check_str(x->remote_mta, "remote_mta");
			check_str(x->reporting_mta, "reporting_mta");
			check_str(x->original_envelope_id, "original_envelope_id");
			check_str(x->original_message_id, "original_message_id");
			check_str(x->original_from, "original_from");
			check_str(x->original_subject, "original_subject");
			check_str(x->feedback_type, "feedback_type");
			if (x->hard_bounce)
				FZ_CHECK(strcmp(x->reason, "userunknown") == 0 || strcmp(x->reason, "hostunknown") == 0 ||
						 strcmp(x->reason, "hasmoved") == 0 || strcmp(x->reason, "notaccept") == 0,
						 "hard bounce with reason %s", x->reason);
			if (x->status)
				FZ_CHECK(ma_smtp_status_lookup(x->status, &ss), "status %s is not a valid code", x->status);
		}
	}
	ma_dsn_free(&r);

	/* the input as a bare diagnostic (bounce_reason, smtp_status) */
	line = malloc(size + 1);
	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	FZ_CHECK(ma_bounce_reason(line, NULL, 0, NULL, NULL, NULL, NULL) != NULL, "no reason");
	if (ma_bounce_find_status(line, st))
		FZ_CHECK(ma_smtp_status_lookup(st, &ss), "found status %s does not look up", st);
	(void) ma_smtp_status_lookup(line, &ss);
	free(line);
	return 0;
}
