/*
 * mxcep-runner: drains the work queue. Run by cron every minute
 * (--once, the default), or as a daemon (--loop). Any number may run
 * at once: jobs are claimed with SKIP LOCKED and a lease.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"

#include "app/app.h"
#include "store/store.h"
#include "work/work.h"

static volatile int runner_stop;	/* the shutdown flag */
static volatile sig_atomic_t runner_reopen;	/* SIGUSR1/SIGHUP: log_file */

static void
runner_on_term(int sig)
{
	(void)sig;
	runner_stop = 1;
}

static void
runner_on_reopen(int sig)
{
	(void)sig;
	runner_reopen = 1;
}

static void __attribute__((noreturn))
usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
	    "usage: mxcep-runner [--config PATH] [--once | --loop] [--interval S]\n"
	    "                    [--max-seconds S] [--max-jobs N] [--now RFC3339]\n"
	    "  --once         one pass, then exit (the default; for cron)\n"
	    "  --loop         pass after pass, --interval S apart, until SIGTERM\n"
	    "  --max-seconds  stop claiming work after S seconds (default 50)\n"
	    "  --max-jobs     stop after N due jobs (default: no limit)\n"
	    "  --now          run as if it were that time (tests, catching up)\n");
	exit(code);
}

/* What the command line asked for. */
struct runner_opts {
	const char	*config_path;	/* NULL = the default */
	double		 max_seconds;
	double		 interval;
	long		 max_jobs;	/* 0 = no limit */
	time_t		 now;		/* --now, 0 = the real clock */
	int		 loop;
};

static void
runner_options(int argc, char *argv[], struct runner_opts *o)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, '1' },
		{ "loop", no_argument, NULL, 'l' },
		{ "interval", required_argument, NULL, 'i' },
		{ "max-seconds", required_argument, NULL, 's' },
		{ "max-jobs", required_argument, NULL, 'j' },
		{ "now", required_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->max_seconds = 50;
	o->interval = 5;
	while ((ch = getopt_long(argc, argv, "c:1li:s:j:n:Vh", opts, NULL))
	    != -1)
		switch (ch) {
		case 'c':
			o->config_path = optarg;
			break;
		case '1':
			o->loop = 0;
			break;
		case 'l':
			o->loop = 1;
			break;
		case 'i':
			o->interval = atof(optarg);
			break;
		case 's':
			o->max_seconds = atof(optarg);
			break;
		case 'j':
			o->max_jobs = atol(optarg);
			break;
		case 'n':
			if (clock_parse_rfc3339(optarg, &o->now) == -1)
				fatalx("--now: expected RFC 3339, e.g. "
				    "2026-05-01T05:14:38Z");
			break;
		case 'V':
			printf("mxcep-runner %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	if (optind != argc || o->interval <= 0 || o->max_seconds <= 0 ||
	    o->max_jobs < 0)
		usage(2);
}

static void
runner_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = runner_on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* a supervisor's "reload" must not kill a --loop runner; the
	 * config is read at start: restart it to change settings. SIGHUP
	 * and SIGUSR1 (logrotate) reopen log_file between passes. */
	sa.sa_handler = runner_on_reopen;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

/* one pass, logged: 0, or 1 when the queue could not be read */
static int
runner_pass(struct app *app, const struct runner_opts *o)
{
	struct runner_stats	 st;
	double			 t0 = clock_monotonic();

	if (work_runner_pass(app, o->max_seconds, (size_t)o->max_jobs,
	    &runner_stop, &st) == -1) {
		log_warnx("pass failed: the queue could not be read");
		return 1;
	}
	if (st.claimed + st.expired + st.purged > 0 || !o->loop)
		log_info("pass: %zu due, %zu expired, %zu finished, %zu put "
		    "back, %zu failed, %llu idempotency records purged, %zu "
		    "retries, %.3f s in Banxico queries of %.3f s",
		    st.claimed, st.expired, st.finished, st.deferred,
		    st.failed, (unsigned long long)st.purged, st.retries,
		    st.banxico_seconds, clock_monotonic() - t0);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct runner_opts	 o;
	struct config		 cfg;
	struct app		 app;
	struct timespec		 ts;
	int			 rc = 0;

	log_init("mxcep-runner", LOG_LEVEL_INFO);
	runner_options(argc, argv, &o);
	if (config_load(&cfg, o.config_path, o.config_path != NULL) == -1)
		fatalx("configuration not loaded");
	log_set_level(cfg.log_level);
	if (log_open(cfg.log_file) == -1)
		fatalx("cannot open log_file %s", cfg.log_file);
	if (o.now != 0)
		clock_set_now(o.now);
	runner_signals();
	if (app_init(&app, &cfg) == -1) {
		app_free(&app);
		config_free(&cfg);
		fatalx("cannot start: see the reason above");
	}
	do {
		if (runner_reopen) {
			runner_reopen = 0;
			log_open(cfg.log_file);	/* failure: logged, kept */
		}
		rc = runner_pass(&app, &o);
		if (o.loop && !runner_stop) {
			ts.tv_sec = (time_t)o.interval;
			ts.tv_nsec = (long)((o.interval - (double)ts.tv_sec) *
			    1e9);
			nanosleep(&ts, NULL);
		}
	} while (o.loop && !runner_stop);
	app_free(&app);
	config_free(&cfg);
	return rc;
}
