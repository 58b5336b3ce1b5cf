#!/usr/bin/env bash
# tests/packaging/test_install.sh: what `make install` gives an operator,
# for a build configured --prefix=/usr --sysconfdir=/etc (not the default
# /usr/local), installed with DESTDIR. TAP.
#
# The source tree is configured again in a temporary directory with those
# paths; its data (man pages, examples, docs, migrations) and its mod_fcgid
# wrapper are installed from there (nothing to compile), the programs from
# the build tree that runs the test (make install-binPROGRAMS with the same
# bindir). A source tree configured in place cannot be configured again
# elsewhere: then the build tree is installed as configured.
#
# Checks: every example, unit, crontab, man page and the wrapper name the
# configured paths and nothing else (no /usr/local, no @placeholder@ left);
# the sample config holds every key the programs know, with its default,
# and mxcep-fcgi --check-config accepts it as shipped and uncommented;
# systemd-analyze verify passes on the units (their documentation man pages
# found in the DESTDIR tree); logrotate rotates with the shipped file and
# signals mxcep-fcgi's pid; the web server snippets pass their servers'
# syntax checks and log X-Request-Id; NEWS and LICENSE are installed.
set -u

SRC=${MXCEP_TOP_SRCDIR:?run by make check}
BLD=${MXCEP_TOP_BUILDDIR:?run by make check}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mxcep-pkg.XXXXXX")
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
# MXCEP_<KEY> in the environment would change the defaults we compare
while IFS= read -r v; do unset "$v"; done < <(env | sed -n 's/^\(MXCEP_[A-Z0-9_]*\)=.*/\1/p' |
	grep -v -e '^MXCEP_TOP_' -e '^MXCEP_SHARED_DIR$')

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { # NAME, then why (on stdin or as $2)
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n - $1"
	if [[ $# -gt 1 ]]; then printf '%s\n' "$2"; else cat; fi | sed 's/^/# /' | head -n 40
}
check() { # NAME CMD...: ok when CMD succeeds, its output as diagnostics otherwise
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}

ROOT=$TMP/root
B=$TMP/build
MAKE=${MAKE:-make}

# ---- install ---------------------------------------------------------
mkdir -p "$B" "$ROOT"
if [[ -f $SRC/config.status ]]; then
	B=$BLD	# configured in place: install the build tree as it is
	install_log=$( { $MAKE -C "$B" install DESTDIR="$ROOT"; } 2>&1); install_rc=$?
else
	install_log=$( { (cd "$B" && "$SRC/configure" -q --prefix=/usr --sysconfdir=/etc) &&
		$MAKE -C "$B" install-data install-pkglibexecSCRIPTS DESTDIR="$ROOT"; } 2>&1)
	install_rc=$?
fi
# the configured directories, as make expands them
printf 'print-dir-%%:\n\t@echo $($*)\n' >"$TMP/dirs.mk"
confdir() { MAKEFLAGS= MFLAGS= MAKELEVEL= $MAKE -s --no-print-directory -C "$B" -f Makefile -f "$TMP/dirs.mk" "print-dir-$1" 2>/dev/null; }
bindir=$(confdir bindir) sysconfdir=$(confdir sysconfdir) pkgdatadir=$(confdir pkgdatadir)
docdir=$(confdir docdir) mandir=$(confdir mandir) pkglibexecdir=$(confdir pkglibexecdir)
version=$(confdir PACKAGE_VERSION)
if ((install_rc == 0)) && [[ $B != "$BLD" ]]; then
	install_log=$($MAKE -C "$BLD" install-binPROGRAMS DESTDIR="$ROOT" bindir="$bindir" 2>&1)
	install_rc=$?
fi
if ((install_rc == 0)); then
	ok "make install DESTDIR (bindir $bindir, sysconfdir $sysconfdir)"
else
	not_ok "make install DESTDIR (bindir $bindir, sysconfdir $sysconfdir)" "$install_log"
fi
EX=$ROOT$docdir/examples
CONF=$sysconfdir/mxcep/mxcep.conf

# ---- what is installed ------------------------------------------------
missing=()
for f in "$EX"/{mxcep.conf.sample,mxcep-fcgi.service,mxcep-runner.service,mxcep-runner.timer} \
	"$EX"/{crontab,logrotate,lighttpd.conf,nginx.conf,apache-proxy-fcgi.conf,apache-fcgid.conf} \
	"$EX"/lighttpd-errors/status-{400,404,408,411,413,414,431,500,502,503,504}.html \
	"$ROOT$mandir"/man8/{mxcep-fcgi,mxcep-runner,mxcep-admin}.8 "$ROOT$mandir/man5/mxcep.conf.5" \
	"$ROOT$pkglibexecdir/mxcep.fcgi" "$ROOT$docdir"/{NEWS,LICENSE,README.md,operator-guide.md} \
	"$ROOT$bindir"/mxcep-{fcgi,runner,admin}; do
	[[ -f $f ]] || missing+=("${f#"$ROOT"}")
done
if ((${#missing[@]} == 0)); then
	ok "examples, units, crontab, logrotate, sample config, man pages, wrapper, NEWS, LICENSE installed"
else
	not_ok "examples, units, crontab, logrotate, sample config, man pages, wrapper, NEWS, LICENSE installed" \
		"missing: ${missing[*]}"
fi

# ---- paths ------------------------------------------------------------
PATHFILES=()
for f in "$EX"/* "$EX"/*/* "$ROOT$mandir"/man?/mxcep* "$ROOT$pkglibexecdir/mxcep.fcgi"; do
	[[ -f $f ]] && PATHFILES+=("$f")
done
paths_named() { # what the installed files say: stale or foreign paths
	local f bad=0 p
	((${#PATHFILES[@]} > 0)) || { echo "nothing installed"; return 1; }
	for f in "${PATHFILES[@]}"; do
		if grep -n -e '@[a-zA-Z_]*@' -e '\$([a-z]*dir)' "$f"; then
			echo "^ in ${f#"$ROOT"}: a placeholder left"
			bad=1
		fi
		if [[ $bindir$sysconfdir != */usr/local* ]] && grep -n '/usr/local' "$f"; then
			echo "^ in ${f#"$ROOT"}: /usr/local, but bindir is $bindir, sysconfdir $sysconfdir"
			bad=1
		fi
		# every path of the config file and the programs is the configured one
		while IFS= read -r p; do
			[[ $p == "$CONF" ]] || { echo "${f#"$ROOT"}: $p (want $CONF)"; bad=1; }
		done < <(grep -o '[^[:space:]"=]*/mxcep/mxcep\.conf' "$f")
		while IFS= read -r p; do
			[[ $p == "$bindir"/* ]] || { echo "${f#"$ROOT"}: $p (want $bindir/...)"; bad=1; }
		done < <(grep -o '[^[:space:]"=]*bin/mxcep-\(fcgi\|runner\|admin\)' "$f")
	done
	return $bad
}
check "installed examples and man pages name $CONF and $bindir only" paths_named

files_sections() { # the man pages' FILES name the configured config path
	local m out
	for m in "$ROOT$mandir"/man8/mxcep-{fcgi,runner,admin}.8 "$ROOT$mandir/man5/mxcep.conf.5"; do
		out=$(sed -n '/^\.Sh FILES/,/^\.Sh /p' "$m")
		grep -qF ".It Pa $CONF" <<<"$out" || { echo "${m#"$ROOT"}: FILES lacks $CONF"; return 1; }
	done
	grep -qF ".It Pa $pkgdatadir/sql/" "$ROOT$mandir/man8/mxcep-admin.8" ||
		{ echo "mxcep-admin.8: FILES lacks $pkgdatadir/sql/"; return 1; }
	grep -qF "$docdir/examples/mxcep.conf.sample" "$ROOT$mandir/man5/mxcep.conf.5" ||
		{ echo "mxcep.conf.5: FILES lacks the sample"; return 1; }
}
check "man pages: FILES name $CONF, the migrations and the examples" files_sections

# ---- the sample configuration ----------------------------------------
FCGI=$BLD/mxcep-fcgi
SAMPLE=$EX/mxcep.conf.sample
: >"$TMP/empty.conf"
# The built-in defaults, but sql_dir as this install configured it: the
# program may come from a build with another prefix (see the top).
defaults() {
	"$FCGI" --config "$TMP/empty.conf" --check-config |
		sed "s|^sql_dir = .*|sql_dir = \"$pkgdatadir/sql\"|"
	return "${PIPESTATUS[0]}"
}
sample_keys() {
	local defaults key val line want got bad=0
	[[ -f $SAMPLE ]] || { echo "no sample"; return 1; }
	defaults=$(defaults) || { echo "$defaults"; return 1; }
	while IFS= read -r line; do
		key=${line%% = *} val=${line#* = }
		val=${val#\"} val=${val%\"}
		want=$(grep -c "^#$key = " "$SAMPLE")
		if [[ $want != 1 ]]; then
			echo "key $key: $want lines \"#$key = ...\" in the sample (want 1)"
			bad=1
			continue
		fi
		got=$(sed -n "s/^#$key = //p" "$SAMPLE")
		got=${got#\"} got=${got%\"}
		[[ $got == "$val" ]] || { echo "key $key: sample says \"$got\", default is \"$val\""; bad=1; }
	done < <(grep -v '^#' <<<"$defaults")
	# and no key the programs do not know
	while IFS= read -r key; do
		grep -q "^$key = " <<<"$defaults" || { echo "sample key $key: unknown to mxcep-fcgi"; bad=1; }
	done < <(sed -n 's/^#\([a-z_][a-z0-9_]*\) = .*/\1/p' "$SAMPLE")
	return $bad
}
check "sample config: every key, once, with its built-in default" sample_keys

sample_accepted() {
	local a b
	a=$("$FCGI" --config "$SAMPLE" --check-config) || { echo "as shipped: $a"; return 1; }
	# every setting uncommented: the same effective values as no file at all
	sed 's/^#\([a-z_][a-z0-9_]*\) = /\1 = /' "$SAMPLE" >"$TMP/uncommented.conf"
	a=$("$FCGI" --config "$TMP/uncommented.conf" --check-config) || { echo "uncommented: $a"; return 1; }
	b=$(defaults)
	diff <(grep -v '^# config file' <<<"$b") <(grep -v '^# config file' <<<"$a")
}
check "sample config: mxcep-fcgi --check-config accepts it as shipped and uncommented" sample_accepted

# ---- systemd units -----------------------------------------------------
units_verify() {
	local u
	mkdir -p "$TMP/units"
	for u in mxcep-fcgi.service mxcep-runner.service mxcep-runner.timer; do
		[[ -f $EX/$u ]] || { echo "no $u"; return 1; }
		# the programs are in the DESTDIR tree, not yet in $bindir
		sed "s|$bindir/mxcep-|$ROOT$bindir/mxcep-|g" "$EX/$u" >"$TMP/units/$u"
	done
	grep -q '^User=mxcep$' "$EX/mxcep-fcgi.service" &&
		grep -q '^Group=www-data$' "$EX/mxcep-fcgi.service" &&
		grep -q '^SupplementaryGroups=mxcep$' "$EX/mxcep-fcgi.service" &&
		grep -q '^RuntimeDirectory=mxcep$' "$EX/mxcep-fcgi.service" &&
		grep -q '^PIDFile=/run/mxcep/mxcep-fcgi.pid$' "$EX/mxcep-fcgi.service" &&
		grep -q -- '--pid-file /run/mxcep/mxcep-fcgi.pid' "$EX/mxcep-fcgi.service" &&
		grep -q -- "--config $CONF" "$EX/mxcep-fcgi.service" &&
		grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$EX/mxcep-fcgi.service" &&
		grep -q '^OnCalendar=minutely$' "$EX/mxcep-runner.timer" &&
		grep -q '^Group=mxcep$' "$EX/mxcep-runner.service" ||
		{ echo "a unit lacks User/Group/SupplementaryGroups/RuntimeDirectory/PIDFile/ExecReload/OnCalendar"; return 1; }
	# Documentation=man:... is checked against the installed man pages.
	# User=mxcep need not exist: verify does not resolve users.
	(cd "$TMP/units" && MANPATH=$ROOT$mandir SYSTEMD_LOG_COLOR=0 \
		systemd-analyze verify ./mxcep-fcgi.service ./mxcep-runner.service ./mxcep-runner.timer 2>&1 |
		grep -v -e '^$' | tee "$TMP/verify.out"; exit "${PIPESTATUS[0]}") || return 1
	# verify exits 0 on a line it ignores ("Unknown key", "Failed to
	# parse ..., ignoring"): any message is a failure
	[[ ! -s $TMP/verify.out ]]
}
check "systemd-analyze verify: mxcep-fcgi.service, mxcep-runner.service, mxcep-runner.timer" units_verify

# ---- logrotate -----------------------------------------------------------
logrotate_rotates() {
	local lr=$EX/logrotate d=$TMP/lr
	[[ -f $lr ]] || { echo "no logrotate file"; return 1; }
	grep -q '^[[:space:]]*su mxcep mxcep$' "$lr" || { echo "no 'su mxcep mxcep'"; return 1; }
	logrotate --version >/dev/null 2>&1 || { echo "logrotate is not installed"; return 1; }
	mkdir -p "$d/log" "$d/run"
	chmod 0750 "$d/log"
	# the shipped file with its directories in $d and, since the mxcep user
	# need not exist here, the user running the test in its place
	sed -e "s|/var/log/mxcep|$d/log|g" -e "s|/run/mxcep|$d/run|g" \
		-e "s/mxcep mxcep/$(id -un) $(id -gn)/g" "$lr" >"$d/logrotate.conf"
	[[ $(grep -c 'mxcep mxcep$' "$lr") == 2 ]] || { echo "expected su and create as mxcep mxcep"; return 1; }
	logrotate -d -s "$d/state" "$d/logrotate.conf" >"$d/debug.out" 2>&1 ||
		{ cat "$d/debug.out"; return 1; }
	# a real rotation: both logs renamed, mxcep-fcgi (its pid file) told
	# with SIGUSR1 to reopen log_file
	echo "runner line" >"$d/log/runner.log"
	echo "fcgi line" >"$d/log/mxcep-fcgi.log"
	# (a stand-in for mxcep-fcgi, gone after 30 s at most; the check runs
	# in a subshell, whose EXIT trap stops it)
	bash -c "trap 'echo usr1 >\"$d/usr1\"' USR1; for _ in \$(seq 600); do sleep 0.05; done" \
		</dev/null >/dev/null 2>&1 &
	echo $! >"$d/run/mxcep-fcgi.pid"
	# shellcheck disable=SC2064
	trap "kill $! 2>/dev/null" EXIT
	sleep 0.2
	logrotate -f -s "$d/state" "$d/logrotate.conf" || return 1
	for _ in 1 2 3 4 5 6 7 8 9 10; do [[ -f $d/usr1 ]] && break; sleep 0.1; done
	[[ -f $d/log/runner.log.1 && -f $d/log/mxcep-fcgi.log.1 ]] || { ls -l "$d/log"; return 1; }
	[[ -f $d/log/runner.log ]] || { echo "no new runner.log created"; return 1; }
	[[ -f $d/usr1 ]] || { echo "mxcep-fcgi's pid got no SIGUSR1"; return 1; }
}
check "logrotate: the shipped file parses (-d), rotates both logs and sends SIGUSR1 to mxcep-fcgi" logrotate_rotates

# ---- web server snippets --------------------------------------------------
request_id_logged() {
	grep -q 'req=%{X-Request-Id}o' "$EX/lighttpd.conf" &&
		grep -q 'req=\$sent_http_x_request_id' "$EX/nginx.conf" &&
		grep -q 'req=%{X-Request-Id}o' "$EX/apache-proxy-fcgi.conf" &&
		grep -q 'req=%{X-Request-Id}o' "$EX/apache-fcgid.conf" ||
		{ echo "a snippet's access log format lacks X-Request-Id"; return 1; }
	grep -q 'public_url' "$EX/nginx.conf" || { echo "nginx.conf does not mention public_url"; return 1; }
	! grep -q 'a2enmod.*rewrite' "$EX"/apache-*.conf || { echo "a2enmod rewrite is not needed"; return 1; }
}
check "snippets: X-Request-Id in each access log; nginx says public_url; no a2enmod rewrite" request_id_logged

lighttpd_accepts() {
	local d=$TMP/lighttpd
	mkdir -p "$d"
	[[ -f $EX/lighttpd.conf ]] || { echo "lighttpd.conf is not installed"; return 1; }
	sed "s|/var/log/lighttpd|$d|g" "$EX/lighttpd.conf" >"$d/mxcep.conf"
	cat >"$d/lighttpd.conf" <<EOF
server.document-root = "$d"
server.bind = "127.0.0.1"
server.port = 1
server.errorlog = "$d/error.log"
server.modules = ( "mod_access" )
server.stream-response-body = 0
include "$d/mxcep.conf"
EOF
	lighttpd -tt -f "$d/lighttpd.conf" || return 1
	# stream-response-body only for /v1/: the site's own setting stays
	[[ $(grep -c '^server.stream-response-body' "$EX/lighttpd.conf") == 0 ]] ||
		{ echo "server.stream-response-body set for the whole server"; return 1; }
}
check "lighttpd -tt accepts lighttpd.conf (stream-response-body scoped to /v1/)" lighttpd_accepts

nginx_accepts() {
	local d=$TMP/nginx port
	mkdir -p "$d"
	[[ -f $EX/nginx.conf ]] || { echo "nginx.conf is not installed"; return 1; }
	ln -s /etc/nginx/fastcgi_params "$d/fastcgi_params"
	# nginx -t binds the listen address: a free port (1 needs root)
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	sed -e "s|/var/log/nginx|$d|g" -e "s|listen 80;|listen 127.0.0.1:$port;|" "$EX/nginx.conf" >"$d/mxcep.conf"
	printf 'pid %s/nginx.pid;\nevents {}\nhttp {\n  include %s/mxcep.conf;\n}\n' "$d" "$d" >"$d/nginx.conf"
	nginx -q -t -e "$d/error.log" -c "$d/nginx.conf"
}
check "nginx -t accepts nginx.conf" nginx_accepts

apache_accepts() {
	local d=$TMP/apache m=/usr/lib/apache2/modules
	mkdir -p "$d"
	[[ -f $EX/apache-proxy-fcgi.conf ]] || { echo "apache-proxy-fcgi.conf is not installed"; return 1; }
	sed "s|/var/log/apache2|$d|g" "$EX/apache-proxy-fcgi.conf" >"$d/mxcep.conf"
	cat >"$d/httpd.conf" <<EOF
ServerRoot "$d"
ServerName 127.0.0.1
Listen 127.0.0.1:1
PidFile "$d/apache.pid"
DefaultRuntimeDir "$d"
ErrorLog "$d/error.log"
LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule setenvif_module $m/mod_setenvif.so
LoadModule proxy_module $m/mod_proxy.so
LoadModule proxy_fcgi_module $m/mod_proxy_fcgi.so
Include "$d/mxcep.conf"
EOF
	apache2 -t -f "$d/httpd.conf"
}
check "apache2 -t accepts apache-proxy-fcgi.conf" apache_accepts

# ---- NEWS, LICENSE -----------------------------------------------------------
news_license() {
	local d=$ROOT$docdir
	grep -q '^MIT License' "$d/LICENSE" && grep -q 'Copyright (c) .* the mxcep authors' "$d/LICENSE" ||
		{ echo "LICENSE is not MIT, copyright the mxcep authors"; return 1; }
	grep -qF "$version" "$d/NEWS" || { echo "NEWS does not mention $version"; return 1; }
	grep -q 'examples' "$d/operator-guide.md" || { echo "the installed guide does not mention the examples"; return 1; }
}
check "NEWS (version $version) and LICENSE (MIT) installed" news_license

guide_migrate() { # mxcep-admin migrate on an empty database prints "applied N"
	local n
	n=$(find "$ROOT$pkgdatadir/sql" -name '[0-9][0-9][0-9]_*.sql' | wc -l)
	((n > 0)) || { echo "no migrations installed"; return 1; }
	grep -q "^applied $n\$" "$ROOT$docdir/operator-guide.md" ||
		{ echo "the guide's first migrate does not print \"applied $n\" ($n files in sql_dir):"; grep -n '^applied' "$ROOT$docdir/operator-guide.md"; return 1; }
}
check "the guide's first mxcep-admin migrate prints applied <number of migrations>" guide_migrate

echo "1..$n"
((failed == 0))
