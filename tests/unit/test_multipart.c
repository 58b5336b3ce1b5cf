/*
 * mxcep: unit tests for src/core/multipart.c and src/core/base64.c: the
 * two ways an upload arrives (POST /v1/validate-ocr), read strictly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"

#define CT	"multipart/form-data; boundary=XyZ"

static struct multipart_part	 parts[MULTIPART_MAX_PARTS + 2];
static size_t			 n;

static int
parse(const char *ct, const void *body, size_t len)
{
	return multipart_parse(ct, body, len, parts,
	    sizeof(parts) / sizeof(parts[0]), &n);
}

static int
parse_str(const char *ct, const char *body)
{
	return parse(ct, body, strlen(body));
}

static void
test_multipart__file_and_field__exact_bytes(void **state)
{
	/* a preamble, binary data holding NUL, CRLF and a near-delimiter */
	static const char body[] =
	    "ignored preamble\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"image\"; filename=\"r.png\"\r\n"
	    "Content-Type: image/png\r\n"
	    "\r\n"
	    "\x89PNG\0\r\n--XyZnot\r\n-XyZ\r\n"
	    "--XyZ\r\n"
	    "content-disposition: form-data; name=\"monto\"\r\n"
	    "\r\n"
	    "1500.00\r\n"
	    "--XyZ--\r\n";
	const struct multipart_part *p;

	(void)state;
	assert_int_equal(parse(CT, body, sizeof(body) - 1), 0);
	assert_int_equal(n, 2);
	p = multipart_get(parts, n, "image");
	assert_non_null(p);
	assert_string_equal(p->filename, "r.png");
	assert_string_equal(p->content_type, "image/png");
	assert_int_equal(p->len, 21);
	assert_memory_equal(p->data, "\x89PNG\0\r\n--XyZnot\r\n-XyZ", 21);
	p = multipart_get(parts, n, "monto");
	assert_non_null(p);
	assert_string_equal(p->filename, "");
	assert_int_equal(p->len, 7);
	assert_memory_equal(p->data, "1500.00", 7);
	assert_null(multipart_get(parts, n, "cuenta"));
	assert_null(multipart_repeated(parts, n));
}

static void
test_multipart__quoted_boundary_and_other_params(void **state)
{
	(void)state;
	assert_int_equal(parse_str("Multipart/Form-Data; charset=utf-8; "
	    "boundary=\"a b:c\"", "--a b:c\r\nContent-Disposition: form-data; "
	    "name=\"x\"\r\n\r\n1\r\n--a b:c--"), 0);
	assert_int_equal(n, 1);
	assert_int_equal(parts[0].len, 1);
}

static void
test_multipart__not_multipart_or_no_boundary__refused(void **state)
{
	static const char body[] = "--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"x\"\r\n\r\n1\r\n--XyZ--";

	(void)state;
	assert_int_equal(parse_str(NULL, body), -1);
	assert_int_equal(parse_str("application/json", body), -1);
	assert_int_equal(parse_str("multipart/form-data", body), -1);
	assert_int_equal(parse_str("multipart/form-data; boundary=", body), -1);
	assert_int_equal(parse_str("multipart/form-data; boundary=\"XyZ",
	    body), -1);
	assert_int_equal(parse_str("multipart/mixed; boundary=XyZ", body), -1);
}

static void
test_multipart__malformed_bodies__refused(void **state)
{
	static const char *const bad[] = {
		"",
		"--XyZ--",				/* no part at all */
		"--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1",
		"--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1"
		    "\r\n--XyZ",			/* not closed */
		"--XyZ\r\nContent-Type: text/plain\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n1"
		    "\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\n1"
		    "\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1"
		    "\r\n--XyZ--",			/* unquoted name */
		"--XyZ\r\nContent-Disposition: form-data; name=\"x\r\n\r\n1"
		    "\r\n--XyZ--",
		"--XyZ\r\nno colon here\r\n\r\n1\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n1\r\n"
		    "--XyZ--",				/* no blank line */
		"--XyZjunk\r\nContent-Disposition: form-data; name=\"x\"\r\n"
		    "\r\n1\r\n--XyZ--",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_str(CT, bad[i]) != -1)
			fail_msg("accepted bad body %zu", i);
	}
}

static void
test_multipart__bounds__parts_and_header_size(void **state)
{
	char	 body[8192], *p = body;
	int	 i;

	(void)state;
	for (i = 0; i < MULTIPART_MAX_PARTS + 1; i++)
		p += sprintf(p, "--XyZ\r\nContent-Disposition: form-data; "
		    "name=\"f%d\"\r\n\r\nv\r\n", i);
	sprintf(p, "--XyZ--\r\n");
	assert_int_equal(parse_str(CT, body), -1);
	/* exactly the maximum is fine */
	p = body;
	for (i = 0; i < MULTIPART_MAX_PARTS; i++)
		p += sprintf(p, "--XyZ\r\nContent-Disposition: form-data; "
		    "name=\"f%d\"\r\n\r\nv\r\n", i);
	sprintf(p, "--XyZ--\r\n");
	assert_int_equal(parse_str(CT, body), 0);
	assert_int_equal(n, MULTIPART_MAX_PARTS);
	/* headers over MULTIPART_HEADERS_MAX */
	p = body + sprintf(body, "--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"x\"\r\nX-Pad: ");
	memset(p, 'a', MULTIPART_HEADERS_MAX);
	p += MULTIPART_HEADERS_MAX;
	sprintf(p, "\r\n\r\nv\r\n--XyZ--");
	assert_int_equal(parse_str(CT, body), -1);
	/* a name longer than the field holds */
	p = body + sprintf(body, "--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"");
	memset(p, 'n', 100);
	p += 100;
	sprintf(p, "\"\r\n\r\nv\r\n--XyZ--");
	assert_int_equal(parse_str(CT, body), -1);
}

static void
test_multipart__repeated_name__named(void **state)
{
	(void)state;
	assert_int_equal(parse_str(CT, "--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"a\"\r\n\r\n1\r\n--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"b\"\r\n\r\n2\r\n--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"a\"\r\n\r\n3\r\n--XyZ--"), 0);
	assert_int_equal(n, 3);
	assert_string_equal(multipart_repeated(parts, n), "a");
	assert_memory_equal(multipart_get(parts, n, "a")->data, "1", 1);
}

static ssize_t
b64(const char *in, unsigned char *out, size_t size)
{
	return base64_decode(in, strlen(in), out, size);
}

static void
test_base64__standard_urlsafe_padding_and_breaks(void **state)
{
	unsigned char	 out[64];

	(void)state;
	assert_int_equal(b64("QUJD", out, sizeof(out)), 3);
	assert_memory_equal(out, "ABC", 3);
	assert_int_equal(b64("QUI=", out, sizeof(out)), 2);
	assert_memory_equal(out, "AB", 2);
	assert_int_equal(b64("QUI", out, sizeof(out)), 2);
	assert_int_equal(b64("QQ==", out, sizeof(out)), 1);
	assert_memory_equal(out, "A", 1);
	assert_int_equal(b64("QUJD\r\nREVG\n", out, sizeof(out)), 6);
	assert_memory_equal(out, "ABCDEF", 6);
	assert_int_equal(b64("+/+/", out, sizeof(out)), 3);
	assert_memory_equal(out, "\xfb\xff\xbf", 3);
	assert_int_equal(b64("-_-_", out, sizeof(out)), 3);
	assert_memory_equal(out, "\xfb\xff\xbf", 3);
	assert_int_equal(b64("", out, sizeof(out)), 0);
	assert_true(base64_decoded_max(8) >= 6);
}

static void
test_base64__junk_mixed_alphabets_bad_padding__refused(void **state)
{
	static const char *const bad[] = {
		"QU*D", "+-AA", "QQ==QQ==", "Q", "QQ=", "Q===", "=QQQ",
		"QUJD=", "QUJDQ", "QU\x01D", "data:image/png;base64,QUJD",
	};
	unsigned char	 out[64];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (b64(bad[i], out, sizeof(out)) != -1)
			fail_msg("accepted bad base64 %zu", i);
	/* a text decoding to more than the buffer is refused, not cut */
	assert_int_equal(b64("QUJDREVG", out, 5), -1);
	assert_int_equal(b64("QUJDREVG", out, 6), 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multipart__file_and_field__exact_bytes),
		cmocka_unit_test(test_multipart__quoted_boundary_and_other_params),
		cmocka_unit_test(test_multipart__not_multipart_or_no_boundary__refused),
		cmocka_unit_test(test_multipart__malformed_bodies__refused),
		cmocka_unit_test(test_multipart__bounds__parts_and_header_size),
		cmocka_unit_test(test_multipart__repeated_name__named),
		cmocka_unit_test(test_base64__standard_urlsafe_padding_and_breaks),
		cmocka_unit_test(test_base64__junk_mixed_alphabets_bad_padding__refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
