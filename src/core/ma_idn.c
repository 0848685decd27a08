/*-------------------------------------------------------------------------
 *
 * ma_idn.c
 *	  Internationalised domain names to A-labels, through libidn2.
 *
 *-------------------------------------------------------------------------
 */
#include "ma_dns.h"
#include "ma_idn.h"

#include <idn2.h>
#include <stdio.h>
#include <string.h>

bool
ma_name_is_ascii(const char *name)
{
	for (const unsigned char *p = (const unsigned char *) name; *p; p++)
		if (*p >= 0x80)
			return false;
	return true;
}

const char *
ma_idn_to_ascii(const char *utf8, char *out, size_t outlen)
{
	char	   *res = NULL;
	int			rc;

	rc = idn2_to_ascii_8z(utf8, &res, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
	if (rc != IDN2_OK)
	{
		/* fall back to transitional processing (as browsers did) */
		rc = idn2_to_ascii_8z(utf8, &res, IDN2_TRANSITIONAL | IDN2_NFC_INPUT);
		if (rc != IDN2_OK)
			return idn2_strerror(rc);
	}
	if (strlen(res) >= outlen)
	{
		idn2_free(res);
		return "domain name is longer than 253 octets";
	}
	snprintf(out, outlen, "%s", res);
	idn2_free(res);
	return NULL;
}
