/*
 * mxcep: small jansson helpers shared by the layers that build JSON
 * (banxico's answers, the API's documents): one home for "a value, or
 * JSON null when there is none".
 */
#include <jansson.h>

#include "util/util.h"

json_t *
json_str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}
