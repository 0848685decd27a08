/*-------------------------------------------------------------------------
 *
 * fuzz_msg.c
 *	  libFuzzer target: the header helpers of ma_msg.c (From domains,
 *	  header field lookup) on the input as a raw message.  (The address
 *	  parser and the header checks have their own targets, fuzz_addr and
 *	  fuzz_hdrcheck.)
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_msg.h"
#include "fuzz_common.h"

static const char *const NAMES[] = {
	"From", "Subject", "Message-ID", "DKIM-Signature", "Authentication-Results",
	"Received", "To", "Date", "X", ""
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dom[MA_MSG_MAX_FROM][256];
	static char big[70000];
	char		small[8];
	int			nfields = -1;
	int			max = 1 + (int) (size % MA_MSG_MAX_FROM);
	int			n;
	const char *msg = (const char *) data;

	memset(dom, 0x55, sizeof(dom));
	n = ma_msg_from_domains(msg, size, dom, max, &nfields);
	FZ_CHECK(n >= 0 && n <= max, "%d domains, max %d", n, max);
	FZ_CHECK(nfields >= 0, "nfields %d", nfields);
	FZ_CHECK(n == 0 || nfields > 0, "domains without a From field");
	for (int i = 0; i < n; i++)
	{
		size_t		l = strnlen(dom[i], 256);

		FZ_CHECK(l > 0 && l < 256, "domain %d length %zu", i, l);
		for (size_t j = 0; j < l; j++)
			FZ_CHECK(!(dom[i][j] >= 'A' && dom[i][j] <= 'Z'), "not lowercased: %s", dom[i]);
		for (int j = 0; j < i; j++)
			FZ_CHECK(strcmp(dom[i], dom[j]) != 0, "duplicate %s", dom[i]);
	}
	for (size_t i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); i++)
	{
		bool		found = ma_msg_header(msg, size, NAMES[i], big, sizeof(big));

		FZ_CHECK(strlen(big) < sizeof(big), "unterminated");
		if (!found)
			FZ_CHECK(big[0] == '\0', "absent but filled");
		(void) ma_msg_header(msg, size, NAMES[i], small, sizeof(small));
		FZ_CHECK(strnlen(small, sizeof(small)) < sizeof(small), "small buffer overrun");
		(void) ma_msg_header(msg, size, NAMES[i], small, 1);
	}
	return 0;
}
