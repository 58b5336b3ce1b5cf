/*
 * Unit tests for src/util: config, clock, buffers, log escaping, JSON
 * helpers, host-wide slots.
 */
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

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

/* every value that can be wrong is refused by config_load, the one path
 * of --check-config, a start, a SIGHUP, mxcep-runner and mxcep-admin */
static void
test_config__bad_values__rejected_good_accepted(void **state)
{
	static const struct {
		const char	*text;
		int		 rc;
	} cases[] = {
		{ "listen_mode = 0999\n", -1 },
		{ "listen_mode = 1777\n", -1 },
		{ "listen_mode = rw\n", -1 },
		{ "listen_mode = 0660\n", 0 },
		{ "listen_mode = 600\n", 0 },
		{ "banxico_url = ftp://www.banxico.org.mx/cep/\n", -1 },
		{ "banxico_url = www.banxico.org.mx/cep/\n", -1 },
		{ "banxico_url = https://\n", -1 },
		{ "banxico_url = http://user@sim/cep/\n", -1 },
		{ "banxico_url = http://127.0.0.1:99999/cep/\n", -1 },
		{ "banxico_url = http://127.0.0.1:8080/cep/\n", 0 },
		{ "banxico_url = HTTPS://www.banxico.org.mx/cep/\n", 0 },
		{ "public_url = api.example.com\n", -1 },
		{ "public_url = https://api.example.com/?x=1\n", -1 },
		{ "public_url = https://api.example.com\n", 0 },
		{ "public_url = http://[::1]:8080/base/\n", 0 },
		{ "listen = fcgi.sock\n", -1 },
		{ "listen = unix:fcgi.sock\n", -1 },
		{ "listen = 127.0.0.1\n", -1 },
		{ "listen = 127.0.0.1:0\n", -1 },
		{ "listen = unix:/run/mxcep/fcgi.sock\n", 0 },
		{ "listen = /run/mxcep/fcgi.sock\n", 0 },
		{ "listen = 127.0.0.1:9000\n", 0 },
		{ "listen = [::1]:9000\n", 0 },
		{ "listen = :9000\n", 0 },
		{ "log_file = mxcep.log\n", -1 },
		{ "log_file = /var/log/mxcep/mxcep.log\n", 0 },
		{ "storage_dir = receipts\n", -1 },
		{ "storage_dir = /var/lib/mxcep\n", 0 },
		{ "db_socket = mysqld.sock\n", -1 },
		{ "db_host = db host\n", -1 },
		{ "db_host = db.example.com\n", 0 },
		{ "db_host = ::1\n", 0 },
		{ "db_host = tcp://db\n", -1 },
		{ "db_name = \"\"\n", -1 },
		{ "db_user = \"\"\n", 0 },
		{ "memcached_servers = a:b\n", -1 },
		{ "memcached_servers = 10.0.0.1:11211, cache2\n", 0 },
		{ "memcached_servers = /run/memcached/memcached.sock\n", 0 },
		{ "operator_accounts = ops\n", -1 },
		{ "operator_accounts = 0b0f4a3e-6f2c-4f7e-9c1d-2a3b4c5d6e7f,"
		    "1b0f4a3e-6f2c-4f7e-9c1d-2a3b4c5d6e7f\n", 0 },
	};
	struct config	 c;
	char		*p;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = write_conf(cases[i].text);
		if (config_load(&c, p, 1) != cases[i].rc)
			fail_msg("config_load of \"%s\": expected %d",
			    cases[i].text, cases[i].rc);
		if (cases[i].rc == 0)
			config_free(&c);
		unlink(p);
		free(p);
	}
	/* the environment goes through the same checks */
	setenv("MXCEP_BANXICO_URL", "ftp://x/", 1);
	assert_int_equal(config_load(&c, "/nonexistent", 0), -1);
	unsetenv("MXCEP_BANXICO_URL");
}

static void
test_config__listen_mode__parsed_octal(void **state)
{
	unsigned int	 m = 0;

	(void)state;
	assert_int_equal(config_listen_mode("0660", &m), 0);
	assert_int_equal(m, 0660);
	assert_int_equal(config_listen_mode("0999", &m), -1);
	assert_int_equal(config_listen_mode("", &m), -1);
	assert_int_equal(config_listen_mode("01000", &m), -1);
}

static void
test_log__timestamp__rfc3339_utc(void **state)
{
	char	 ts[40];
	time_t	 t;
	size_t	 n;

	(void)state;
	log_timestamp(ts, sizeof(ts));
	n = strlen(ts);
	/* 2026-05-04T17:03:09.123Z */
	assert_int_equal(n, 24);
	assert_true(ts[4] == '-' && ts[7] == '-' && ts[10] == 'T' &&
	    ts[13] == ':' && ts[16] == ':' && ts[19] == '.' && ts[23] == 'Z');
	assert_int_equal(clock_parse_rfc3339(ts, &t), 0);
	assert_true(t - time(NULL) <= 1 && time(NULL) - t <= 1);
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

/* issue 13: banxico_status from "ñ"x40 into a 64-byte buffer was cut in
 * the middle of a character and MariaDB refused the write */
static void
test_utf8__copy__cuts_on_character_boundaries(void **state)
{
	char	 src[81], out[64];
	size_t	 i, n;

	(void)state;
	for (i = 0; i < 40; i++)
		memcpy(src + 2 * i, "\xc3\xb1", 2);
	src[80] = '\0';
	n = utf8_copy(out, sizeof(out), src, strlen(src), 0);
	assert_int_equal(n, 62);		/* 31 whole ñ, not 63 bytes */
	assert_int_equal(strlen(out), 62);
	assert_memory_equal(out, src, 62);
	/* at most max_chars characters */
	assert_int_equal(utf8_copy(out, sizeof(out), src, strlen(src), 5), 10);
	/* a 4-byte character that does not fit is left out whole */
	assert_int_equal(utf8_copy(out, 4, "a\xf0\x9f\x98\x80", 5, 0), 1);
	assert_string_equal(out, "a");
	assert_int_equal(utf8_copy(out, 1, "abc", 3, 0), 0);
	assert_string_equal(out, "");
}

static void
test_utf8__repair__strict_replacement(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "plain", "plain" },
		{ "Se\xc3\xb1or \xe2\x82\xac \xf0\x9f\x98\x80", "Se\xc3\xb1or \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "a\xff" "b", "a\xef\xbf\xbd" "b" },		/* not UTF-8 */
		{ "\x80", "\xef\xbf\xbd" },			/* stray continuation */
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },	/* overlong '/' */
		{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },	/* surrogate */
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "x\xc3", "x\xef\xbf\xbd" },			/* cut short */
	};
	size_t	 i;
	char	*out;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = utf8_repair(cases[i].in, strlen(cases[i].in));
		assert_string_equal(out, cases[i].want);
		free(out);
	}
	assert_int_equal(utf8_char_len((const unsigned char *)"\xef\xbf\xbd", 3), 3);
	assert_int_equal(utf8_char_len((const unsigned char *)"\xed\x9f\xbf", 3), 3);
	assert_int_equal(utf8_char_len((const unsigned char *)"\xf4\x8f\xbf\xbf", 4), 4);
}

/* issue 13: control bytes of a logged value (Banxico text, an HTTP
 * method) reached the log as they were and could forge a line */
static void
test_log__every_value__escaped_on_one_line(void **state)
{
	char	 path[] = "/tmp/mxcep-test-log-XXXXXX", got[512];
	FILE	*f;
	size_t	 n;
	int	 fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	log_set_level(LOG_LEVEL_INFO);
	assert_int_equal(log_open(path), 0);
	log_info("estado %s", "Liquidado\n2026-01-01T00:00:00.000Z mxcep[1] "
	    "ERR forged\r\t\x1b[31m\x7f.");
	assert_int_equal(log_open(NULL), 0);
	log_set_level(LOG_LEVEL_ERR);
	assert_non_null(f = fopen(path, "r"));
	n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	unlink(path);
	got[n] = '\0';
	assert_non_null(strstr(got, "INFO estado Liquidado\\n2026-01-01T00:00:00"
	    ".000Z mxcep[1] ERR forged\\r\\t\\x1b[31m\\x7f.\n"));
	/* one line: the only newline ends it */
	assert_ptr_equal(strchr(got, '\n'), got + n - 1);
}

static void
test_log__forked_child__logs_its_own_pid(void **state)
{
	char	 path[] = "/tmp/mxcep-test-log-XXXXXX", got[1024], want[64];
	FILE	*f;
	size_t	 n;
	pid_t	 child;
	int	 fd, status;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	log_set_level(LOG_LEVEL_INFO);
	assert_int_equal(log_open(path), 0);
	log_info("before");		/* the pid is cached from here on */
	assert_true((child = fork()) != -1);
	if (child == 0) {
		log_info("in the child");
		_exit(0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	log_info("after");
	assert_int_equal(log_open(NULL), 0);
	log_set_level(LOG_LEVEL_ERR);
	assert_non_null(f = fopen(path, "r"));
	n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	unlink(path);
	got[n] = '\0';
	snprintf(want, sizeof(want), "[%d] INFO in the child\n", (int)child);
	assert_non_null(strstr(got, want));
	snprintf(want, sizeof(want), "[%d] INFO before\n", (int)getpid());
	assert_non_null(strstr(got, want));
	snprintf(want, sizeof(want), "[%d] INFO after\n", (int)getpid());
	assert_non_null(strstr(got, want));
}

static void
test_clock__day_split__floored_before_1970(void **state)
{
	int64_t	 secs;

	(void)state;
	assert_true(clock_day_split(0, &secs) == 0);
	assert_true(secs == 0);
	assert_true(clock_day_split(86399, &secs) == 0);
	assert_true(secs == 86399);
	assert_true(clock_day_split(1700000000, &secs) == 19675);
	assert_true(secs == 80000);		/* 2023-11-14T22:13:20Z */
	assert_true(clock_day_split(-1, &secs) == -1);
	assert_true(secs == 86399);		/* 1969-12-31T23:59:59Z */
	assert_true(clock_day_split(-86400, &secs) == -1);
	assert_true(secs == 0);
	assert_true(clock_day_split(-86401, &secs) == -2);
	assert_true(secs == 86399);
}

static void
test_str__is_digits__bounds_and_bytes(void **state)
{
	(void)state;
	assert_true(str_is_digits("0", 1, 1));
	assert_true(str_is_digits("012345678901234567", 18, 18));
	assert_true(str_is_digits("123", 1, 20));
	assert_true(str_is_digits("", 0, 3));
	assert_false(str_is_digits("", 1, 3));
	assert_false(str_is_digits("1234", 1, 3));
	assert_false(str_is_digits("12", 3, 6));
	assert_false(str_is_digits("12a", 1, 3));
	assert_false(str_is_digits("-12", 1, 3));
	assert_false(str_is_digits(" 12", 1, 3));
	assert_false(str_is_digits("1\xd9", 1, 3));	/* a high byte */
	assert_false(str_is_digits(NULL, 0, 3));
}

static void
test_json__str_or_null__string_copied_or_null(void **state)
{
	char	 s[] = "clave \xc3\xb1";
	json_t	*a, *n;

	(void)state;
	a = json_str_or_null(s);
	assert_non_null(a);
	assert_true(json_is_string(a));
	s[0] = 'X';			/* a copy, not a borrow */
	assert_string_equal(json_string_value(a), "clave \xc3\xb1");
	assert_int_equal(a->refcount, 1);	/* a new reference */
	json_decref(a);
	n = json_str_or_null(NULL);
	assert_non_null(n);
	assert_true(json_is_null(n));
	json_decref(n);
	/* bad UTF-8 is refused as jansson refuses it: NULL */
	assert_null(json_str_or_null("\xff"));
}

static void
test_str__utf8_char__lengths_and_refusals(void **state)
{
	unsigned long	 cp = 0;

	(void)state;
	assert_int_equal(str_utf8_char((const unsigned char *)"a", 1, &cp), 1);
	assert_int_equal(cp, 'a');
	assert_int_equal(str_utf8_char((const unsigned char *)"\xc3\xb1", 2,
	    &cp), 2);
	assert_int_equal(cp, 0xf1);
	assert_int_equal(str_utf8_char((const unsigned char *)"\xc2\x85", 2,
	    &cp), 2);
	assert_int_equal(cp, 0x85);
	assert_int_equal(str_utf8_char(
	    (const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	/* cut short, stray continuation, overlong, surrogate, too high */
	assert_int_equal(str_utf8_char((const unsigned char *)"\xc3", 1, &cp),
	    0);
	assert_int_equal(str_utf8_char((const unsigned char *)"\x80", 1, &cp),
	    0);
	assert_int_equal(str_utf8_char((const unsigned char *)"\xc0\xaf", 2,
	    &cp), 0);
	assert_int_equal(str_utf8_char((const unsigned char *)"\xed\xa0\x80",
	    3, &cp), 0);
	assert_int_equal(str_utf8_char(
	    (const unsigned char *)"\xf4\x90\x80\x80", 4, &cp), 0);
	assert_int_equal(str_utf8_char((const unsigned char *)"\xff", 1, &cp),
	    0);
}

/* the keys of issue 13's slow clients: defaults, bounds, lock_dir */
static void
test_config__write_timeout_and_export_caps__defaults_and_bounds(void **state)
{
	struct config	 c;
	char		*p;

	(void)state;
	assert_int_equal(config_load(&c, "/nonexistent", 0), 0);
	assert_int_equal(c.write_timeout, 30);
	assert_string_equal(c.lock_dir, "/run/mxcep");
	assert_int_equal(c.export_max_per_account, 1);
	assert_int_equal(c.export_max_concurrent, 0);
	config_free(&c);
	p = write_conf("write_timeout = 0\n");
	assert_int_equal(config_load(&c, p, 1), -1);
	unlink(p);
	free(p);
	p = write_conf("export_max_per_account = 0\n");
	assert_int_equal(config_load(&c, p, 1), -1);
	unlink(p);
	free(p);
	p = write_conf("lock_dir = run/mxcep\n");
	assert_int_equal(config_load(&c, p, 1), -1);
	unlink(p);
	free(p);
	p = write_conf("lock_dir = \"\"\nwrite_timeout = 5\n");
	assert_int_equal(config_load(&c, p, 1), 0);
	assert_string_equal(c.lock_dir, "");
	assert_int_equal(c.write_timeout, 5);
	config_free(&c);
	unlink(p);
	free(p);
}

/* in a child: take one slot of name and report it by the exit status
 * (0 taken, 1 full, 2 error); with hold, die by SIGKILL holding it */
static int
slot_child(const char *dir, const char *name, int max, int hold)
{
	pid_t	 pid;
	int	 st, fd;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = slot_take(dir, name, max);
		if (fd >= 0 && hold)
			kill(getpid(), SIGKILL);
		_exit(fd >= 0 ? 0 : fd == SLOT_FULL ? 1 : 2);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

static void
test_slot__take_full_release__across_processes(void **state)
{
	char	 dir[] = "/tmp/mxcep-test-slot-XXXXXX", cmd[64];
	int	 a, b;

	(void)state;
	assert_non_null(mkdtemp(dir));
	a = slot_take(dir, "export-acc", 2);
	b = slot_take(dir, "export-acc", 2);
	assert_true(a >= 0 && b >= 0);
	/* full for another process (and for this one) */
	assert_int_equal(slot_take(dir, "export-acc", 2), SLOT_FULL);
	assert_int_equal(slot_child(dir, "export-acc", 2, 0), 1);
	/* another name has its own slots */
	assert_int_equal(slot_child(dir, "export-other", 1, 0), 0);
	slot_release(a);
	assert_int_equal(slot_child(dir, "export-acc", 2, 0), 0);
	slot_release(b);
	/* a holder killed by SIGKILL leaves its slot free */
	assert_int_equal(slot_child(dir, "export-one", 1, 1), -SIGKILL);
	a = slot_take(dir, "export-one", 1);
	assert_true(a >= 0);
	slot_release(a);
	slot_release(-1);	/* nothing */
	/* an unusable folder is an error, not a full house */
	assert_int_equal(slot_take("/nonexistent/mxcep", "export", 1),
	    SLOT_ERROR);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* file_write_atomic: the whole file or nothing, folders made, no
 * temporary left, no path that climbs out of the root */
static void
test_file__write_atomic__whole_file_folders_and_refusals(void **state)
{
	static const char *const bad[] = {
		"", "/abs", "../x", "a/../b", "a//b", "./a", "a/", "a/.",
		"a\nb", "..",
	};
	char	 root[] = "/tmp/mxcep-file.XXXXXX", path[256], buf[64];
	FILE	*f;
	size_t	 i, n;
	DIR	*d;
	struct dirent *e;
	int	 entries = 0;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(file_write_atomic(root, "2026/12/a.png", "first",
	    5), 0);
	assert_int_equal(file_write_atomic(root, "2026/12/a.png", "second!",
	    7), 0);
	snprintf(path, sizeof(path), "%s/2026/12/a.png", root);
	assert_non_null(f = fopen(path, "rb"));
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, 7);
	assert_memory_equal(buf, "second!", 7);
	/* nothing else in the folder: no temporary left behind */
	snprintf(path, sizeof(path), "%s/2026/12", root);
	assert_non_null(d = opendir(path));
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			entries++;
	closedir(d);
	assert_int_equal(entries, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		if (file_write_atomic(root, bad[i], "x", 1) != -1 ||
		    errno != EINVAL)
			fail_msg("accepted the path \"%s\"", bad[i]);
	}
	assert_int_equal(file_write_atomic("/nonexistent/mxcep", "a", "x", 1),
	    -1);
	snprintf(path, sizeof(path), "%s/2026/12/a.png", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/2026/12", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/2026", root);
	rmdir(path);
	assert_int_equal(rmdir(root), 0);
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
		cmocka_unit_test(test_config__bad_values__rejected_good_accepted),
		cmocka_unit_test(test_config__listen_mode__parsed_octal),
		cmocka_unit_test(test_log__timestamp__rfc3339_utc),
		cmocka_unit_test(test_clock__rfc3339__round_trip),
		cmocka_unit_test(test_clock__set_now__overrides),
		cmocka_unit_test(test_buf__printf_and_append__grow),
		cmocka_unit_test(test_log__escape__control_bytes),
		cmocka_unit_test(test_log__every_value__escaped_on_one_line),
		cmocka_unit_test(test_utf8__copy__cuts_on_character_boundaries),
		cmocka_unit_test(test_utf8__repair__strict_replacement),
		cmocka_unit_test(test_clock__day_split__floored_before_1970),
		cmocka_unit_test(test_log__forked_child__logs_its_own_pid),
		cmocka_unit_test(test_json__str_or_null__string_copied_or_null),
		cmocka_unit_test(test_str__is_digits__bounds_and_bytes),
		cmocka_unit_test(test_str__utf8_char__lengths_and_refusals),
		cmocka_unit_test(test_config__write_timeout_and_export_caps__defaults_and_bounds),
		cmocka_unit_test(test_slot__take_full_release__across_processes),
		cmocka_unit_test(test_file__write_atomic__whole_file_folders_and_refusals),
	};

	log_init("test_util", LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
