/*
 * mxcep-admin: operator commands: migrations, plans, accounts, API keys,
 * the Banxico back-off and the effective config. Exit 0 ok, 1 failure
 * (message on stderr), 2 usage. Only "key create" prints a secret, once,
 * on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"

#define EXIT_USAGE	2
#define NAME_MAX_LEN	255
#define RETRY_MAX_CAP	100

struct admin {
	struct config	 cfg;
	struct db	*db;
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: mxcep-admin [--config PATH] COMMAND\n"
	    "  migrate\n"
	    "  plan create NAME [--retry-max-retries N]\n"
	    "  plan list\n"
	    "  account create NAME [--plan NAME]\n"
	    "  account list\n"
	    "  key create ACCOUNT_ID --scopes S1,S2 [--name NAME]\n"
	    "  key list [ACCOUNT_ID]\n"
	    "  key revoke KEY_ID\n"
	    "  backoff show\n"
	    "  backoff clear\n"
	    "  config\n"
	    "scopes: validations:read validations:write validations:delete admin\n");
}

static int
usage_err(const char *msg)
{
	fprintf(stderr, "mxcep-admin: %s\n", msg);
	usage();
	return EXIT_USAGE;
}

static int
parse_int(const char *s, int lo, int hi, int *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int
name_ok(const char *s)
{
	return s[0] != '\0' && strlen(s) <= NAME_MAX_LEN;
}

static const char *
fmt_time(time_t t, char *buf, size_t n)
{
	if (t == 0)
		return "-";
	return clock_rfc3339(t, buf, n);
}

/* sub_getopt: restart getopt_long on a subcommand's argv (glibc permutes
 * so options may follow the positional arguments) */
static void
sub_getopt_reset(void)
{
	optind = 0;
}

static int
cmd_migrate(struct admin *a, int argc, char **argv)
{
	int	 n;

	(void)argv;
	if (argc != 1)
		return usage_err("migrate takes no arguments");
	if ((n = db_migrate(a->db, a->cfg.sql_dir)) == -1) {
		fprintf(stderr, "mxcep-admin: migrate failed\n");
		return EXIT_FAILURE;
	}
	printf("applied %d\n", n);
	return EXIT_SUCCESS;
}

static int
cmd_plan_create(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "retry-max-retries", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	int		 c, retries = 5;
	uint64_t	 id;

	sub_getopt_reset();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (parse_int(optarg, 0, RETRY_MAX_CAP, &retries) == -1)
				return usage_err("--retry-max-retries: "
				    "an integer 0..100");
			break;
		default:
			return usage_err("plan create: bad option");
		}
	}
	if (argc - optind != 1 || !name_ok(argv[optind]))
		return usage_err("plan create NAME (1..255 characters)");
	if (db_plan_create(a->db, argv[optind], retries, &id) == -1) {
		fprintf(stderr, "mxcep-admin: cannot create plan \"%s\"\n",
		    argv[optind]);
		return EXIT_FAILURE;
	}
	printf("%llu\n", (unsigned long long)id);
	return EXIT_SUCCESS;
}

static int
cmd_plan_list(struct admin *a, int argc, char **argv)
{
	struct plan	*p = NULL;
	size_t		 n = 0, i;
	char		 t[32];

	(void)argv;
	if (argc != 1)
		return usage_err("plan list takes no arguments");
	if (db_plan_list(a->db, &p, &n) == -1) {
		fprintf(stderr, "mxcep-admin: cannot list plans\n");
		return EXIT_FAILURE;
	}
	for (i = 0; i < n; i++)
		printf("%s\tretry_max_retries=%d\t%s\n", p[i].name,
		    p[i].retry_max_retries, fmt_time(p[i].created_at, t,
		    sizeof(t)));
	plan_list_free(p, n);
	return EXIT_SUCCESS;
}

static int
cmd_account_create(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*plan = "default";
	char		 id[UUID_STR_LEN + 1];
	struct plan	*pl = NULL;
	int		 c;

	sub_getopt_reset();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			plan = optarg;
			break;
		default:
			return usage_err("account create: bad option");
		}
	}
	if (argc - optind != 1 || !name_ok(argv[optind]))
		return usage_err("account create NAME (1..255 characters)");
	if (db_plan_by_name(a->db, plan, &pl) == -1) {
		fprintf(stderr, "mxcep-admin: cannot read plans\n");
		return EXIT_FAILURE;
	}
	if (pl == NULL) {
		fprintf(stderr, "mxcep-admin: no plan named \"%s\"\n", plan);
		return EXIT_FAILURE;
	}
	plan_free(pl);
	if (db_account_create(a->db, argv[optind], plan, id) == -1) {
		fprintf(stderr, "mxcep-admin: cannot create account\n");
		return EXIT_FAILURE;
	}
	printf("%s\n", id);
	return EXIT_SUCCESS;
}

static int
cmd_account_list(struct admin *a, int argc, char **argv)
{
	struct account	*ac = NULL;
	size_t		 n = 0, i;
	char		 t[32];

	(void)argv;
	if (argc != 1)
		return usage_err("account list takes no arguments");
	if (db_account_list(a->db, &ac, &n) == -1) {
		fprintf(stderr, "mxcep-admin: cannot list accounts\n");
		return EXIT_FAILURE;
	}
	for (i = 0; i < n; i++)
		printf("%s\t%s\tplan=%s\t%s\n", ac[i].id, ac[i].name,
		    ac[i].plan_name, fmt_time(ac[i].created_at, t, sizeof(t)));
	account_list_free(ac, n);
	return EXIT_SUCCESS;
}

static int
cmd_key_create(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scopes", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*name = "";
	char		 secret[API_KEY_SECRET_SIZE], id[UUID_STR_LEN + 1];
	unsigned int	 scopes = 0;
	int		 c, have_scopes = 0, exists = 0, rc = EXIT_FAILURE;

	sub_getopt_reset();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (scopes_parse(optarg, &scopes) == -1)
				return usage_err("--scopes: a comma-separated "
				    "list of known scopes");
			have_scopes = 1;
			break;
		case 'n':
			if (strlen(optarg) > NAME_MAX_LEN)
				return usage_err("--name: at most 255 "
				    "characters");
			if (!api_key_name_ok(optarg, strlen(optarg)))
				return usage_err("--name: UTF-8 text without "
				    "control characters (no line breaks, "
				    "tabs or escapes)");
			name = optarg;
			break;
		default:
			return usage_err("key create: bad option");
		}
	}
	if (argc - optind != 1 || !have_scopes)
		return usage_err("key create ACCOUNT_ID --scopes S1,S2 "
		    "[--name NAME]");
	if (!uuid_valid(argv[optind]))
		return usage_err("ACCOUNT_ID is not a uuid");
	if (db_account_exists(a->db, argv[optind], &exists) == -1) {
		fprintf(stderr, "mxcep-admin: cannot read accounts\n");
		return EXIT_FAILURE;
	}
	if (!exists) {
		fprintf(stderr, "mxcep-admin: no account %s\n", argv[optind]);
		return EXIT_FAILURE;
	}
	if (db_api_key_create(a->db, argv[optind], name, scopes, secret,
	    sizeof(secret), id) == -1) {
		fprintf(stderr, "mxcep-admin: cannot create key\n");
		goto out;
	}
	/* the secret is shown this once; only its hash is stored */
	printf("%s\n", secret);
	fprintf(stderr, "key id: %s\n", id);
	rc = EXIT_SUCCESS;
out:
	explicit_bzero(secret, sizeof(secret));
	return rc;
}

/*
 * Prints s for a tab-separated listing: backslash, control bytes (C0,
 * DEL) and C1 characters escaped (\\, \t, \n, \r, \xNN, \u0080),
 * so a stored name cannot forge a row or a column, whatever it holds.
 */
static void
print_escaped(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\\\", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\r')
			fputs("\\r", stdout);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			printf("\\u%04x", *++p);
		else
			putchar(*p);
	}
}

static int
cmd_key_list(struct admin *a, int argc, char **argv)
{
	struct api_key	*k = NULL;
	const char	*account = NULL;
	size_t		 n = 0, i;
	char		 t1[32], t2[32], *sc;

	if (argc > 2)
		return usage_err("key list [ACCOUNT_ID]");
	if (argc == 2) {
		account = argv[1];
		if (!uuid_valid(account))
			return usage_err("ACCOUNT_ID is not a uuid");
	}
	if (db_api_key_list(a->db, account, &k, &n) == -1) {
		fprintf(stderr, "mxcep-admin: cannot list keys\n");
		return EXIT_FAILURE;
	}
	for (i = 0; i < n; i++) {
		sc = scopes_format(k[i].scopes);
		printf("%s\t%s\t%s\t", k[i].id, k[i].prefix, sc);
		print_escaped(k[i].name[0] != '\0' ? k[i].name : "-");
		printf("\t%s\t%s\n",
		    fmt_time(k[i].created_at, t1, sizeof(t1)),
		    fmt_time(k[i].revoked_at, t2, sizeof(t2)));
		free(sc);
	}
	api_key_list_free(k, n);
	return EXIT_SUCCESS;
}

static int
cmd_key_revoke(struct admin *a, int argc, char **argv)
{
	int	 found = 0;

	if (argc != 2)
		return usage_err("key revoke KEY_ID");
	if (!uuid_valid(argv[1]))
		return usage_err("KEY_ID is not a uuid");
	if (db_api_key_revoke(a->db, argv[1], &found) == -1) {
		fprintf(stderr, "mxcep-admin: cannot revoke key\n");
		return EXIT_FAILURE;
	}
	if (!found) {
		fprintf(stderr, "mxcep-admin: no key %s\n", argv[1]);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* backoff show: is the Banxico back-off in force, since and until
 * when, why. Read only (one that ran out shows as none). */
static int
cmd_backoff_show(struct admin *a, int argc, char **argv)
{
	struct state_deadline	 d;
	time_t			 now = clock_now();
	char			 t1[32], t2[32];

	(void)argv;
	if (argc != 1)
		return usage_err("backoff show takes no arguments");
	if (db_state_get(a->db, STATE_BANXICO_BACKOFF, &d) == -1) {
		fprintf(stderr, "mxcep-admin: cannot read the back-off\n");
		return EXIT_FAILURE;
	}
	if (d.until <= now) {
		printf("state: none\n");
		return EXIT_SUCCESS;
	}
	printf("state: active\nsince: %s\nuntil: %s\nremaining: %lld s\n"
	    "reason: %s\n", fmt_time(d.since, t1, sizeof(t1)),
	    fmt_time(d.until, t2, sizeof(t2)), (long long)(d.until - now),
	    d.reason[0] != '\0' ? d.reason : "-");
	return EXIT_SUCCESS;
}

/* backoff clear: ends the back-off now, for every process and host */
static int
cmd_backoff_clear(struct admin *a, int argc, char **argv)
{
	struct state_deadline	 was;
	time_t			 now = clock_now();
	char			 t1[32], t2[32];
	int			 ended = 0;

	(void)argv;
	if (argc != 1)
		return usage_err("backoff clear takes no arguments");
	if (db_state_end(a->db, STATE_BANXICO_BACKOFF, now, 1, &was,
	    &ended) == -1) {
		fprintf(stderr, "mxcep-admin: cannot clear the back-off\n");
		return EXIT_FAILURE;
	}
	fmt_time(was.since, t1, sizeof(t1));
	fmt_time(was.until, t2, sizeof(t2));
	if (!ended || was.until <= now) {
		/* one that ran out but nobody saw end yet: its end is ours */
		if (ended)
			log_info("Banxico back-off ended: it ran out at %s "
			    "(paused since %s)", t2, t1);
		printf("no back-off in force\n");
		return EXIT_SUCCESS;
	}
	log_info("Banxico back-off ended: cleared by an operator (paused "
	    "since %s, it would have lasted until %s)", t1, t2);
	printf("cleared: the back-off since %s would have lasted until %s\n",
	    t1, t2);
	return EXIT_SUCCESS;
}

static int
cmd_config(struct admin *a, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return usage_err("config takes no arguments");
	config_dump(&a->cfg);
	return EXIT_SUCCESS;
}

typedef int (*cmd_fn)(struct admin *, int, char **);

static const struct {
	const char	*group;
	const char	*verb;		/* NULL: the group is the command */
	cmd_fn		 fn;
	int		 needs_db;
} cmds[] = {
	{ "migrate", NULL, cmd_migrate, 1 },
	{ "config", NULL, cmd_config, 0 },
	{ "plan", "create", cmd_plan_create, 1 },
	{ "plan", "list", cmd_plan_list, 1 },
	{ "account", "create", cmd_account_create, 1 },
	{ "account", "list", cmd_account_list, 1 },
	{ "key", "create", cmd_key_create, 1 },
	{ "key", "list", cmd_key_list, 1 },
	{ "key", "revoke", cmd_key_revoke, 1 },
	{ "backoff", "show", cmd_backoff_show, 1 },
	{ "backoff", "clear", cmd_backoff_clear, 1 },
};

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct admin	 a;
	const char	*cfgpath = NULL;
	size_t		 i, skip;
	int		 c, rc = EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	log_init("mxcep-admin", LOG_LEVEL_INFO);
	/* '+': stop at the command; its options are its own */
	while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'h':
			usage();
			return EXIT_SUCCESS;
		default:
			usage();
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage_err("no command");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[0], cmds[i].group) != 0)
			continue;
		if (cmds[i].verb == NULL)
			break;
		if (argc >= 2 && strcmp(argv[1], cmds[i].verb) == 0)
			break;
	}
	if (i == sizeof(cmds) / sizeof(cmds[0]))
		return usage_err("unknown command");
	if (config_load(&a.cfg, cfgpath, cfgpath != NULL) == -1)
		return EXIT_FAILURE;
	log_set_level(a.cfg.log_level);
	if (cmds[i].needs_db)
		a.db = db_new(&a.cfg);
	/* the command sees argv from its verb (or group) on: argv[0] */
	skip = cmds[i].verb != NULL ? 1 : 0;
	rc = cmds[i].fn(&a, argc - (int)skip, argv + skip);
	db_free(a.db);
	config_free(&a.cfg);
	return rc;
}
