/*
 * mxcep-fcgi: the FastCGI application. Standalone it binds --listen and
 * preforks --workers; spawned by a web server (lighttpd bin-path,
 * mod_fcgid) it serves the socket it finds on fd 0.
 */
#include <sys/socket.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#include "api/api.h"
#include "fcgi/fcgi.h"
#include "work/work.h"

static void __attribute__((noreturn))
usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
	    "usage: mxcep-fcgi [--config PATH] [--listen unix:PATH|HOST:PORT]\n"
	    "                  [--workers N] [--pid-file PATH] [--check-config]\n"
	    "                  [--version]\n"
	    "Without --listen (or the listen key) the listening socket is fd 0,\n"
	    "as given by a web server that spawns the application.\n");
	exit(code);
}

/* 1 when fd 0 is a listening stream socket (we were spawned by a web
 * server: lighttpd bin-path, mod_fcgid) */
static int
stdin_is_listening_socket(void)
{
	int		 type = 0, acc = 0;
	socklen_t	 len = sizeof(type);

	if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    type != SOCK_STREAM)
		return 0;
	len = sizeof(acc);
	return getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == 0 &&
	    acc != 0;
}

/* What the command line asked for (--listen and --workers go to the
 * environment, which outranks the config file, also on SIGHUP). */
struct fcgi_opts {
	const char	*config_path;	/* NULL = the default */
	const char	*pid_file;
	int		 check;		/* --check-config */
};

static void
fcgi_options(int argc, char *argv[], struct fcgi_opts *o)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "c:l:w:p:CVh", opts, NULL)) != -1)
		switch (ch) {
		case 'c':
			o->config_path = optarg;
			break;
		case 'l':	/* the command line outranks env and file, */
			setenv("MXCEP_LISTEN", optarg, 1);	/* also on SIGHUP */
			break;
		case 'w':
			setenv("MXCEP_WORKERS", optarg, 1);
			break;
		case 'p':
			o->pid_file = optarg;
			break;
		case 'C':
			o->check = 1;
			break;
		case 'V':
			printf("mxcep-fcgi %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	if (optind != argc)
		usage(2);
}

/* The socket requests come on: fd 0 when a web server spawned us (its
 * socket wins over the config), else the one listen names (*own: we
 * made it). Exits when there is none. */
static int
fcgi_socket(struct config *cfg, int *own)
{
	unsigned int	 mode = 0;
	int		 fd;

	*own = 0;
	if (config_listen_mode(cfg->listen_mode, &mode) == -1)
		fatalx("listen_mode: \"%s\" is not an octal mode like 0660",
		    cfg->listen_mode);
	if (stdin_is_listening_socket()) {
		if (cfg->listen[0] != '\0')
			log_warnx("fd 0 is a listening socket (spawned by a web "
			    "server): serving it and ignoring listen = %s",
			    cfg->listen);
		/* The web server runs as many processes as it wants
		 * (mod_fcgid sends each one request at a time): one worker
		 * each, unless workers is set. */
		if (!cfg->workers_explicit) {
			setenv("MXCEP_WORKERS", "1", 1);
			cfg->workers = 1;
		}
		return 0;
	}
	if (cfg->listen[0] == '\0')
		fatalx("no listening socket: give --listen (or the listen "
		    "key), or let a web server spawn mxcep-fcgi with the "
		    "socket on fd 0");
	if ((fd = master_listen(cfg->listen, mode)) == -1)
		fatalx("cannot listen on %s", cfg->listen);
	*own = 1;
	return fd;
}

int
main(int argc, char *argv[])
{
	struct fcgi_opts	 o;
	struct config		*cfg;
	int			 fd, own;

	log_init("mxcep-fcgi", LOG_LEVEL_INFO);
	fcgi_options(argc, argv, &o);
	cfg = xcalloc(1, sizeof(*cfg));
	/* config_load validates every key: what --check-config accepts,
	 * a start accepts */
	if (config_load(cfg, o.config_path, o.config_path != NULL) == -1)
		fatalx("configuration not loaded");
	log_set_level(cfg->log_level);
	if (o.check) {
		config_dump(cfg);
		config_free(cfg);
		free(cfg);
		return 0;
	}
	if (log_open(cfg->log_file) == -1)
		fatalx("cannot open log_file %s", cfg->log_file);
	fd = fcgi_socket(cfg, &own);
	/* the process layer knows nothing of the API: it is given the
	 * handler and the after-response hook (async jobs) */
	return master_run(cfg, o.config_path, fd, own, o.pid_file, api_handle,
	    work_after_response) == 0 ? 0 : 1;
}
