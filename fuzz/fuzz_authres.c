/*-------------------------------------------------------------------------
 *
 * fuzz_authres.c
 *	  libFuzzer target: Authentication-Results / Received-SPF parsing
 *	  (ma_authres.c) and the JSON of every row's properties.
 *
 * Input: the bytes handed to ma_authres_parse() (one field value or a whole
 * message).  Checked: the bounds of ma_authres.h, that the JSON is valid
 * UTF-8 whatever the input, and that valid UTF-8 input gives valid UTF-8
 * strings.
 *
 *-------------------------------------------------------------------------
 */
#include "core/ma_authres.h"
#include "fuzz_common.h"

static void
check_str(const char *s, bool utf8_in, const char *what)
{
	if (s == NULL)
		return;
	if (utf8_in)
		FZ_CHECK(fz_utf8_valid((const unsigned char *) s, strlen(s)),
				 "valid UTF-8 input gave invalid UTF-8 in %s", what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ma_authres_list l;
	int			rc;
	bool		utf8_in = fz_utf8_valid(data, size);

	rc = ma_authres_parse((const char *) data, size, &l);
	FZ_CHECK(rc == 0, "rc %d", rc);
	FZ_CHECK(l.nresults >= 0 && l.nresults <= MA_AUTHRES_MAX_RESULTS, "%d rows", l.nresults);
	for (int i = 0; i < l.nresults; i++)
	{
		const ma_authres_result *r = &l.results[i];
		char	   *json;

		FZ_CHECK(r->method != NULL && r->result != NULL, "row %d", i);
		FZ_CHECK(r->method[0] != '\0', "row %d: empty method", i);
		for (const char *c = r->method; *c; c++)
			FZ_CHECK(!(*c >= 'A' && *c <= 'Z'), "method not lowercased: %s", r->method);
		for (const char *c = r->result; *c; c++)
			FZ_CHECK(!(*c >= 'A' && *c <= 'Z'), "result not lowercased: %s", r->result);
		FZ_CHECK(r->nprops >= 0 && r->nprops <= MA_AUTHRES_MAX_PROPS, "%d props", r->nprops);
		FZ_CHECK(r->field >= 1 && r->field <= l.nfields, "field %d of %d", r->field, l.nfields);
		if (r->received_spf)
			FZ_CHECK(r->authserv_id == NULL && strcmp(r->method, "spf") == 0,
					 "Received-SPF row");
		check_str(r->authserv_id, utf8_in, "authserv_id");
		check_str(r->method, utf8_in, "method");
		check_str(r->result, utf8_in, "result");
		check_str(r->reason, utf8_in, "reason");
		for (int j = 0; j < r->nprops; j++)
		{
			FZ_CHECK(r->props[j].name != NULL && r->props[j].value != NULL, "prop %d", j);
			check_str(r->props[j].name, utf8_in, "property name");
			check_str(r->props[j].value, utf8_in, "property value");
		}
		json = ma_authres_properties_json(r);
		FZ_CHECK(json != NULL, "no JSON");
		FZ_CHECK(json[0] == '{' && json[strlen(json) - 1] == '}', "JSON: %s", json);
		FZ_CHECK(fz_utf8_valid((const unsigned char *) json, strlen(json)),
				 "JSON is not valid UTF-8");
		for (const unsigned char *c = (const unsigned char *) json; *c; c++)
			FZ_CHECK(*c >= 0x20, "JSON holds control byte 0x%02x", *c);
		free(json);
	}
	ma_authres_list_free(&l);
	return 0;
}
