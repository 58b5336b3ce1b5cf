#!/bin/sh
# mxcep.fcgi: what apache-fcgid.conf runs. mod_fcgid starts a FastCGI
# program without arguments, with the listening socket on fd 0; this starts
# mxcep-fcgi on it with the configuration (installed as
# @pkglibexecdir@/mxcep.fcgi).
exec @bindir@/mxcep-fcgi --config @sysconfdir@/mxcep/mxcep.conf
