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
	/*
	 * UTS #46 maps some characters to ASCII that no domain name holds
	 * (U+00A0 to a space, fullwidth forms to '@', '/', '<', ...).  A result
	 * with such a character that the input did not have already is refused:
	 * "b\u00a0" must not become the name "b ".  Mapped dots (U+3002 ...) are
	 * label separators and stay.
	 */
	{
		int			have[128] = {0};

		for (const unsigned char *p = (const unsigned char *) utf8; *p; p++)
			if (*p < 0x80)
				have[*p]++;
		for (const unsigned char *p = (const unsigned char *) res; *p; p++)
		{
			unsigned char ch = *p;

			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				(ch >= '0' && ch <= '9') || ch == '-' || ch == '.')
				continue;
			if (ch >= 0x80 || have[ch]-- <= 0)
			{
				idn2_free(res);
				return "the name maps to a character that is not allowed in a domain name";
			}
		}
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
