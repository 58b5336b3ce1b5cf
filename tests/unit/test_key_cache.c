/*
 * Unit tests for src/app/key_cache.c: unknown keys remembered without
 * pushing out known ones, and the count of unknown keys per client
 * address (fixed windows, IPv6 by its /64, 0 = no limit).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "app/app.h"

/* a 64-hex hash starting with the two hex digits of slot */
static void
hash_of(char *out, const char *slot, char fill)
{
	memset(out, fill, KEY_HASH_LEN);
	out[0] = slot[0];
	out[1] = slot[1];
	out[KEY_HASH_LEN] = '\0';
}

static void
test_unknown__remembered_for_its_ttl__then_forgotten(void **state)
{
	struct key_cache	*c = key_cache_new(30);
	struct key_verdict	 v;
	char			 h[KEY_HASH_LEN + 1];

	(void)state;
	hash_of(h, "a1", 'b');
	assert_false(key_cache_get(c, h, &v));
	key_cache_put_unknown(c, h, 1);
	assert_true(key_cache_get(c, h, &v));
	assert_true(v.unknown);
	assert_string_equal(v.account_id, "");
	/* ttl 0: nothing kept */
	hash_of(h, "a2", 'b');
	key_cache_put_unknown(c, h, 0);
	assert_false(key_cache_get(c, h, &v));
	usleep(1100000);
	hash_of(h, "a1", 'b');
	assert_false(key_cache_get(c, h, &v));
	key_cache_free(c);
}

static void
test_unknown__never_pushes_out_a_known_key(void **state)
{
	struct key_cache	*c = key_cache_new(30);
	struct key_verdict	 known, v;
	char			 bad[KEY_HASH_LEN + 1];

	(void)state;
	memset(&known, 0, sizeof(known));
	hash_of(known.hash, "7f", 'c');
	snprintf(known.account_id, sizeof(known.account_id), "acct");
	key_cache_put(c, &known);
	hash_of(bad, "7f", 'd');	/* the same slot */
	key_cache_put_unknown(c, bad, 10);
	assert_true(key_cache_get(c, known.hash, &v));
	assert_false(v.unknown);
	assert_string_equal(v.account_id, "acct");
	assert_false(key_cache_get(c, bad, &v));
	/* with auth_cache_ttl 0 (nothing known kept) unknown keys still are */
	key_cache_free(c);
	c = key_cache_new(0);
	key_cache_put_unknown(c, bad, 10);
	assert_true(key_cache_get(c, bad, &v));
	assert_true(v.unknown);
	key_cache_free(c);
}

static void
test_addr__over_the_limit__blocked_until_the_window_ends(void **state)
{
	struct key_cache	*c = key_cache_new(30);
	int			 after = 0, i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_false(key_cache_addr_blocked(c, "192.0.2.7", 3, 1,
		    &after));
		key_cache_addr_failed(c, "192.0.2.7", 3, 1);
	}
	assert_true(key_cache_addr_blocked(c, "192.0.2.7", 3, 1, &after));
	assert_int_equal(after, 1);
	/* the same address mapped into IPv6 is the same client */
	assert_true(key_cache_addr_blocked(c, "::ffff:192.0.2.7", 3, 1,
	    &after));
	assert_false(key_cache_addr_blocked(c, "192.0.2.8", 3, 1, &after));
	/* limit 0: no limit */
	assert_false(key_cache_addr_blocked(c, "192.0.2.7", 0, 1, &after));
	usleep(1100000);
	assert_false(key_cache_addr_blocked(c, "192.0.2.7", 3, 1, &after));
	key_cache_addr_failed(c, "192.0.2.7", 3, 1);
	assert_false(key_cache_addr_blocked(c, "192.0.2.7", 3, 1, &after));
	key_cache_free(c);
}

static void
test_addr__ipv6__counted_by_its_slash_64(void **state)
{
	struct key_cache	*c = key_cache_new(30);
	int			 after = 0;

	(void)state;
	key_cache_addr_failed(c, "2001:db8:1:2::1", 2, 60);
	key_cache_addr_failed(c, "2001:db8:1:2:ffff::9", 2, 60);
	assert_true(key_cache_addr_blocked(c, "2001:db8:1:2::77", 2, 60,
	    &after));
	assert_in_range(after, 59, 60);
	assert_false(key_cache_addr_blocked(c, "2001:db8:1:3::1", 2, 60,
	    &after));
	/* no address at all (a unix socket without REMOTE_ADDR) still counts */
	key_cache_addr_failed(c, NULL, 1, 60);
	assert_true(key_cache_addr_blocked(c, "", 1, 60, &after));
	key_cache_free(c);
}

static void
test_addr__many_addresses__the_table_stays_bounded(void **state)
{
	struct key_cache	*c = key_cache_new(30);
	char			 a[32];
	int			 after = 0, i;

	(void)state;
	/* 5000 addresses over 1024 places: the newest are still counted */
	for (i = 0; i < 5000; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
		key_cache_addr_failed(c, a, 1, 60);
	}
	assert_true(key_cache_addr_blocked(c, a, 1, 60, &after));
	key_cache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_unknown__remembered_for_its_ttl__then_forgotten),
		cmocka_unit_test(test_unknown__never_pushes_out_a_known_key),
		cmocka_unit_test(
		    test_addr__over_the_limit__blocked_until_the_window_ends),
		cmocka_unit_test(test_addr__ipv6__counted_by_its_slash_64),
		cmocka_unit_test(
		    test_addr__many_addresses__the_table_stays_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
