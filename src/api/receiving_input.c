/*
 * mxcep: the body of POST /v1/receiving-accounts, read and checked. Pure
 * (no I/O): the bank catalog is given, so tests/unit/test_receiving_input
 * runs every rule without MariaDB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

#define RECV_BASE	"/data/attributes"

static void
recv_error(json_t *errs, int status, const char *code, const char *detail,
    const char *pointer)
{
	json_array_append_new(errs, response_error_object(status, code,
	    detail, pointer, NULL));
}

/* the document's shape: 0 with *attrs, or -1 (errors appended) */
static int
recv_shape(const json_t *doc, json_t *errs, json_t **attrs)
{
	json_t		*data = json_object_get(doc, "data");
	const char	*type;

	*attrs = NULL;
	if (!json_is_object(data)) {
		recv_error(errs, 400, "invalid_attribute", "a \"data\" object "
		    "is required: {\"data\":{\"type\":\"receiving_account\","
		    "\"attributes\":{\"clabe\":\"...\"}}}", "/data");
		return -1;
	}
	type = json_string_value(json_object_get(data, "type"));
	if (type == NULL)
		recv_error(errs, 400, "invalid_attribute", "data.type must be "
		    "\"receiving_account\"", "/data/type");
	else if (strcmp(type, "receiving_account") != 0)
		recv_error(errs, 409, "type_mismatch", "data.type must be "
		    "\"receiving_account\"", "/data/type");
	*attrs = json_object_get(data, "attributes");
	if (!json_is_object(*attrs)) {
		recv_error(errs, 400, "invalid_attribute", "an \"attributes\" "
		    "object is required", RECV_BASE);
		*attrs = NULL;
		return -1;
	}
	return 0;
}

static void
recv_unknown(json_t *attrs, json_t *errs)
{
	const char	*key;
	json_t		*v;
	char		 detail[160], *ptr;

	json_object_foreach(attrs, key, v) {
		if (strcmp(key, "clabe") == 0 || strcmp(key, "alias") == 0)
			continue;
		snprintf(detail, sizeof(detail), "unknown attribute \"%.60s\": "
		    "a receiving account has clabe and alias", key);
		ptr = xasprintf(RECV_BASE "/%s", key);
		recv_error(errs, 422, "unknown_attribute", detail, ptr);
		free(ptr);
	}
}

static void
recv_clabe(json_t *attrs, const struct bank_catalog *cat,
    struct receiving_input *in, json_t *errs)
{
	json_t			*v = json_object_get(attrs, "clabe");
	const struct bank	*b = NULL;
	enum account_error	 why;
	const char		*s;
	char			 detail[200], prefix[CLABE_PREFIX_LEN + 1];

	if (v == NULL || json_is_null(v)) {
		recv_error(errs, 422, "missing_attribute", "clabe is required: "
		    "the 18-digit CLABE the account is paid into",
		    RECV_BASE "/clabe");
		return;
	}
	if (!json_is_string(v)) {
		recv_error(errs, 422, "invalid_clabe", "clabe must be a string "
		    "of 18 digits (a CLABE does not fit a JSON number)",
		    RECV_BASE "/clabe");
		return;
	}
	s = json_string_value(v);
	if (json_string_length(v) != strlen(s) ||
	    clabe_validate(s, &why) == -1) {
		if (json_string_length(v) != strlen(s))
			why = ACCOUNT_ERR_NOT_DIGITS;	/* a NUL inside */
		snprintf(detail, sizeof(detail), "clabe: %s (a CLABE is 18 "
		    "digits, the last one its check digit)",
		    account_error_str(why));
		recv_error(errs, 422, "invalid_clabe", detail,
		    RECV_BASE "/clabe");
		return;
	}
	memcpy(in->clabe, s, CLABE_LEN + 1);
	if (cat == NULL) {
		recv_error(errs, 503, "bank_catalog_unavailable", "the bank "
		    "catalog could not be read; retry shortly",
		    RECV_BASE "/clabe");
		return;
	}
	(void)clabe_bank_prefix(s, prefix);
	switch (bank_catalog_by_prefix(cat, s, &b)) {
	case BANK_MATCH_ONE:
		snprintf(in->bank_code, sizeof(in->bank_code), "%s", b->code);
		break;
	case BANK_MATCH_AMBIGUOUS:	/* known, shared by participants */
		snprintf(in->bank_code, sizeof(in->bank_code), "%s", prefix);
		break;
	default:
		snprintf(detail, sizeof(detail), "the CLABE's bank prefix %s "
		    "names no SPEI participant", prefix);
		recv_error(errs, 422, "unknown_bank", detail,
		    RECV_BASE "/clabe");
		break;
	}
}

static void
recv_alias(json_t *attrs, struct receiving_input *in, json_t *errs)
{
	json_t		*v = json_object_get(attrs, "alias");
	const char	*s;
	size_t		 len;

	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_string(v)) {
		recv_error(errs, 422, "invalid_attribute", "alias must be a "
		    "string or null", RECV_BASE "/alias");
		return;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (len != strlen(s) || !api_key_name_ok(s, len)) {
		recv_error(errs, 422, "invalid_attribute", "alias must not "
		    "contain control characters (line breaks, tabs, NUL...)",
		    RECV_BASE "/alias");
		return;
	}
	if (utf8_chars(s) > RECEIVING_ALIAS_MAX) {
		recv_error(errs, 422, "invalid_attribute", "alias must be at "
		    "most 100 characters", RECV_BASE "/alias");
		return;
	}
	if (len > 0)
		in->alias = xstrdup(s);
}

/* the most general status of the lot: 503, 409, 400, then 422 */
static int
recv_status(json_t *errs)
{
	static const char *const order[] = { "503", "409", "400" };
	size_t		 i, j;
	json_t		*e;

	for (j = 0; j < sizeof(order) / sizeof(order[0]); j++)
		json_array_foreach(errs, i, e)
			if (strcmp(json_string_value(json_object_get(e,
			    "status")), order[j]) == 0)
				return atoi(order[j]);
	return 422;
}

int
api_receiving_input(const json_t *doc, const struct bank_catalog *cat,
    struct receiving_input *in, json_t *errs)
{
	json_t	*attrs;
	size_t	 before = json_array_size(errs);

	memset(in, 0, sizeof(*in));
	if (recv_shape(doc, errs, &attrs) == 0) {
		recv_unknown(attrs, errs);
		recv_clabe(attrs, cat, in, errs);
		recv_alias(attrs, in, errs);
	}
	if (json_array_size(errs) == before)
		return 0;
	api_receiving_input_free(in);
	return recv_status(errs);
}

void
api_receiving_input_free(struct receiving_input *in)
{
	free(in->alias);
	memset(in, 0, sizeof(*in));
}
