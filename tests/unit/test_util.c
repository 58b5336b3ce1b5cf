/*
 * Unit tests for src/util: config, clock, buffers, log escaping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/util.h"

static char *
write_conf(const char *text)
{
	char	*path = xstrdup("/tmp/mxcep-test-conf-XXXXXX");
	int	 fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_config__file_and_env__env_wins(void **state)
{
	struct config	 c;
	char		*p = write_conf("# comment\nworkers = 7\n"
	    "db_user = \"alice\"\nlog_level = debug\nmax_body_bytes = 4096\n");

	(void)state;
	setenv("MXCEP_DB_USER", "bob", 1);
	assert_int_equal(config_load(&c, p, 1), 0);
	assert_int_equal(c.workers, 7);
	assert_string_equal(c.db_user, "bob");
	assert_int_equal(c.log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(c.max_body_bytes, 4096);
	assert_string_equal(c.db_name, "mxcep");	/* default */
	unsetenv("MXCEP_DB_USER");
	config_free(&c);
	unlink(p);
	free(p);
}

static void
test_config__workers_explicit__only_when_set(void **state)
{
	struct config	 c;
	char		*p = write_conf("workers = 4\n");

	(void)state;
	assert_int_equal(config_load(&c, "/nonexistent", 0), 0);
	assert_int_equal(c.workers_explicit, 0);
	config_free(&c);
	assert_int_equal(config_load(&c, p, 1), 0);
	assert_int_equal(c.workers_explicit, 1);
	config_free(&c);
	setenv("MXCEP_WORKERS", "2", 1);
	assert_int_equal(config_load(&c, "/nonexistent", 0), 0);
	assert_int_equal(c.workers_explicit, 1);
	assert_int_equal(c.workers, 2);
	unsetenv("MXCEP_WORKERS");
	config_free(&c);
	unlink(p);
	free(p);
}

static void
test_config__out_of_range__rejected(void **state)
{
	struct config	 c;
	char		*p = write_conf("workers = 0\n");

	(void)state;
	assert_int_equal(config_load(&c, p, 1), -1);
	unlink(p);
	free(p);
}

static void
test_config__unknown_key__rejected(void **state)
{
	struct config	 c;
	char		*p = write_conf("wrokers = 2\n");

	(void)state;
	assert_int_equal(config_load(&c, p, 1), -1);
	unlink(p);
	free(p);
}

static void
test_config__missing_required_file__fails(void **state)
{
	struct config	 c;

	(void)state;
	assert_int_equal(config_load(&c, "/nonexistent/mxcep.conf", 1), -1);
	assert_int_equal(config_load(&c, "/nonexistent/mxcep.conf", 0), 0);
	assert_int_equal(c.workers, 4);
	config_free(&c);
}

static void
test_config__bad_env_number__rejected(void **state)
{
	struct config	 c;

	(void)state;
	setenv("MXCEP_WORKERS", "3x", 1);
	assert_int_equal(config_load(&c, "/nonexistent", 0), -1);
	unsetenv("MXCEP_WORKERS");
}

static void
test_clock__rfc3339__round_trip(void **state)
{
	char	 s[32];
	time_t	 t;

	(void)state;
	assert_string_equal(clock_rfc3339(0, s, sizeof(s)),
	    "1970-01-01T00:00:00Z");
	assert_int_equal(clock_parse_rfc3339("2026-05-01T05:14:38Z", &t), 0);
	assert_string_equal(clock_rfc3339(t, s, sizeof(s)),
	    "2026-05-01T05:14:38Z");
	assert_int_equal(clock_parse_rfc3339("2026-05-01T05:14:38.123+00:00",
	    &t), 0);
	assert_string_equal(clock_rfc3339(t, s, sizeof(s)),
	    "2026-05-01T05:14:38Z");
	assert_int_equal(clock_parse_rfc3339("2026-05-01 05:14:38", &t), -1);
	assert_int_equal(clock_parse_rfc3339("2026-05-01T05:14:38-06:00", &t),
	    -1);
}

static void
test_clock__set_now__overrides(void **state)
{
	(void)state;
	clock_set_now(1000);
	assert_int_equal(clock_now(), 1000);
	clock_set_now(0);
	assert_true(clock_now() > 1000000000);
}

static void
test_buf__printf_and_append__grow(void **state)
{
	struct buf	 b;
	int		 i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 2000);
	assert_int_equal(strlen(b.data), 2000);
	buf_reset(&b);
	buf_puts(&b, "x");
	assert_string_equal(b.data, "x");
	buf_free(&b);
	assert_null(b.data);
}

static void
test_log__escape__control_bytes(void **state)
{
	char	 out[32];

	(void)state;
	assert_string_equal(log_escape(out, sizeof(out), "a\nb\tc\x01"),
	    "a\\nb\\tc?");
	assert_string_equal(log_escape(out, 4, "abcdef"), "abc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config__file_and_env__env_wins),
		cmocka_unit_test(test_config__workers_explicit__only_when_set),
		cmocka_unit_test(test_config__out_of_range__rejected),
		cmocka_unit_test(test_config__unknown_key__rejected),
		cmocka_unit_test(test_config__missing_required_file__fails),
		cmocka_unit_test(test_config__bad_env_number__rejected),
		cmocka_unit_test(test_clock__rfc3339__round_trip),
		cmocka_unit_test(test_clock__set_now__overrides),
		cmocka_unit_test(test_buf__printf_and_append__grow),
		cmocka_unit_test(test_log__escape__control_bytes),
	};

	log_init("test_util", LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
