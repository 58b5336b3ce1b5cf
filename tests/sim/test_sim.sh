#!/bin/bash
# tests/sim/test_sim.sh - TAP tests of the Banxico CEP simulator (banxico-sim).
# Starts the simulator on a free port, drives the portal URLs and the control
# API with curl, checks the generated CEPs and compares recorded pages byte for
# byte with tests/data/cep/samples (the recorded answers, copied from
# ../shared/data; tests/data/test_data.sh checks the copies).  Stops it by pid.
# Env: MXCEP_TOP_SRCDIR (default: two levels up).  Needs curl, Debian's
# /usr/bin/python3 with python3-yaml, and pdftotext (poppler-utils): a missing
# one is a failure, not a skip (./stack test installs them all).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${MXCEP_TOP_SRCDIR:-$(cd "$HERE/../.." && pwd)}
PY=/usr/bin/python3
SIM=$TOP/tests/sim/banxico-sim
SAMPLES=$TOP/tests/data/cep/samples
CASSETTES=$TOP/tests/data/cep/cassettes

n=0
failed=0
ok()     { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/# /'; }
check()  { local name=$1; shift; local out; if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi; }
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; exit $?; }

# what the tests need: missing, it is a failure (./stack test installs all)
missing=
[ -x "$PY" ] || missing="$missing /usr/bin/python3 (python3)"
command -v curl >/dev/null || missing="$missing curl (curl)"
command -v pdftotext >/dev/null || missing="$missing pdftotext (poppler-utils)"
[ -x "$PY" ] && ! "$PY" -c 'import yaml' 2>/dev/null && missing="$missing yaml (python3-yaml)"
[ -f "$SAMPLES/valida__ok_links-descarga__beta-2025_and_prod-2019.html" ] ||
	missing="$missing the recorded samples ($SAMPLES)"
if [ -n "$missing" ]; then
	echo "1..1"
	echo "not ok 1 - missing:$missing (./stack test installs the packages)"
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/mxcep-sim-test.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# start_sim NAME [ARGS...]: start a simulator, set $PORT and $PID
start_sim() {
	local name=$1; shift
	rm -f "$T/$name.port"
	"$PY" "$SIM" --listen 127.0.0.1:0 --port-file "$T/$name.port" \
		--pid-file "$T/$name.pid" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	PID=$!
	PIDS+=("$PID")
	local i
	for i in $(seq 100); do
		[ -s "$T/$name.port" ] && break
		sleep 0.05
	done
	PORT=$(cat "$T/$name.port" 2>/dev/null)
	[ -n "$PORT" ]
}

if ! start_sim sim; then
	not_ok "simulator starts" "$(cat "$T/sim.err")"; finish
fi
ok "simulator starts and writes its port ($PORT) and pid files"
B=http://127.0.0.1:$PORT
check "pid file holds the simulator's pid" test "$(cat "$T/sim.pid")" = "$PID"
check "port 0 prints the chosen port" grep -q "listening on http://127.0.0.1:$PORT/cep/" "$T/sim.out"

ctl() { # ctl METHOD PATH [JSON] -> body in $T/ctl.json, prints status
	curl -s -o "$T/ctl.json" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
		${3:+--data-binary "$3"} "$B$2"
}
jq_py() { # jq_py EXPR: evaluate a python expression on j = $T/ctl.json
	"$PY" -c "import json,sys; j=json.load(open('$T/ctl.json')); print($1)"
}
FORM1='tipoCriterio=T&captcha=c&tipoConsulta=1&fecha=08-11-2024&criterio=BiB202411081016248360&emisor=37166&receptor=90723&cuenta=723969000011000077&monto=3414.95&receptorParticipante=0'
valida() { # valida JAR FORM OUT [BASE] -> prints status; headers in OUT.h
	curl -s -c "$1" -b "$1" -D "$3.h" -o "$3" -w '%{http_code}' -X POST \
		-H 'Content-Type: application/x-www-form-urlencoded' --data "$2" "$B${4:-/cep/}valida.do"
}
descarga() { # descarga JAR FORMATO OUT [BASE] -> prints status
	curl -s -c "$1" -b "$1" -D "$3.h" -o "$3" -w '%{http_code}' "$B${4:-/cep/}descarga.do?formato=$2"
}
hdr() { tr -d '\r' <"$1" | grep -i "^$2:" | head -1 | cut -d' ' -f2-; }
same() { cmp "$1" "$2"; }

# ---------------------------------------------------------------- control API
check "GET /_sim/ answers" test "$(ctl GET /_sim/)" = 200

TIPO1='{"fecha":"2024-11-08","clave_rastreo":"BiB202411081016248360","emisor":"37166","receptor":"90723",
 "cuenta":"723969000011000077","monto":"3414.95","hora":"10:53:36","concepto":"CONCEPTO PAGO TIPO 1",
 "ordenante":{"nombre":"Pruebas Bienestar","cuenta":"166180026480316602","rfc":"GAJH931011I41"},
 "beneficiario":{"nombre":"Felipe Lopez Hernandez","rfc":"LOHF890619HCSPRL05"},
 "numero_certificado":"00000100000100014853","referencia":"1234567"}'
st=$(ctl POST /_sim/transfers "$TIPO1")
check "POST /_sim/transfers answers 201" test "$st" = 201
ID1=$(jq_py 'j["id"]')
check "the stored transfer shows the generated XML's key fields" test \
	"$(jq_py 'j["xml"]["cadena_fields"], j["xml"]["claveRastreo"], j["xml"]["Beneficiario"]["MontoPago"], j["filename"]')" \
	= "47 BiB202411081016248360 3414.95 CEP-20241108-BiB202411081016248360.xml"
check "duplicate transfer answers 409" test "$(ctl POST /_sim/transfers "$TIPO1")" = 409
check "monto with 3 decimals is refused (422)" test "$(ctl POST /_sim/transfers \
	'{"fecha":"2024-11-08","clave_rastreo":"X1","emisor":"40012","receptor":"90723","cuenta":"723969000011000077","monto":"1.005"}')" = 422
check "422 names the field" test "$(jq_py 'j["field"]')" = monto
check "a bad fecha is refused (422)" test "$(ctl POST /_sim/transfers \
	'{"fecha":"08-11-2024","clave_rastreo":"X1","emisor":"40012","receptor":"90723","cuenta":"1","monto":"1"}')" = 422
check "malformed JSON answers 400" test "$(ctl POST /_sim/transfers '{"fecha":')" = 400
check "an unknown mode answers 422" test "$(ctl PUT /_sim/mode '{"mode":"flaky"}')" = 422

curl -s -o "$T/gen1.xml" "$B/_sim/transfers/$ID1/xml"
check "generated XML equals the real tipo-1 CEP byte for byte except the seal" "$PY" - "$T/gen1.xml" \
	"$SAMPLES/descarga__xml__beta-2024-11-08__tipo01__BiB202411081016248360.xml" <<'EOF'
import re, sys
g, r = (open(f, "rb").read() for f in sys.argv[1:3])
strip = lambda b: b.replace(re.search(rb'sello="([^"]*)"', b).group(1), b"SELLO")
sys.exit(0 if strip(g) == strip(r) else "differs:\n%s\n%s" % (strip(g), strip(r)))
EOF
check "generated cadenaCDA is consistent with the attributes (and the seal with the cadena)" \
	"$PY" "$HERE/cepcheck.py" --strict-seal "$T/gen1.xml"
check "the cadenaCDA checker accepts every real beta/2019 sample" \
	"$PY" "$HERE/cepcheck.py" $(ls "$SAMPLES"/descarga__xml__*.xml | grep -v REDACTED)

# ---------------------------------------------------------------- portal, normal mode
st=$(valida "$T/jar1" "$FORM1" "$T/ok.html")
check "valida.do found: 200" test "$st" = 200
check "valida.do found: the recorded download-links page, byte for byte" \
	same "$T/ok.html" "$SAMPLES/valida__ok_links-descarga__beta-2025_and_prod-2019.html"
check "valida.do headers: Content-Type, Content-Language es-MX" test \
	"$(hdr "$T/ok.html.h" Content-Type)|$(hdr "$T/ok.html.h" Content-Language)" = "text/html; charset=UTF-8|es-MX"
check "valida.do sets JSESSIONID" grep -qi '^Set-Cookie: JSESSIONID=[A-Za-z0-9_-]*![-0-9]*; path=/' "$T/ok.html.h"
check "valida.do sends no Server header (as recorded)" sh -c "! grep -qi '^Server:' '$T/ok.html.h'"

st=$(descarga "$T/jar1" XML "$T/d.xml")
check "descarga.do XML: 200 application/xml" test "$st|$(hdr "$T/d.xml.h" Content-Type)" = "200|application/xml"
check "descarga.do XML: Content-Disposition as recorded" test "$(hdr "$T/d.xml.h" Content-Disposition)" = \
	"attachment; filename=CEP-20241108-BiB202411081016248360.xml"
check "descarga.do XML is the stored CEP" same "$T/d.xml" "$T/gen1.xml"
check "descarga.do XML has no JSESSIONID cookie (as recorded)" sh -c "! grep -qi '^Set-Cookie: JSESSIONID' '$T/d.xml.h'"
st=$(descarga "$T/jar1" PDF "$T/d.pdf")
check "descarga.do PDF on the same session: 200 application/pdf" test "$st|$(hdr "$T/d.pdf.h" Content-Type)" = "200|application/pdf"
check "the PDF is a PDF 1.4 file" sh -c "head -c 8 '$T/d.pdf' | grep -q '%PDF-1.4' && tail -c 6 '$T/d.pdf' | grep -q '%%EOF'"
pdftotext "$T/d.pdf" "$T/d.txt" 2>/dev/null
check "pdftotext reads the clave de rastreo, amount and names" sh -c \
	"grep -q BiB202411081016248360 '$T/d.txt' && grep -q 'Monto: 3414.95' '$T/d.txt' && grep -q 'Felipe Lopez Hernandez' '$T/d.txt' && grep -q 'Electrónico' '$T/d.txt'"
st=$(descarga "$T/jar1" ZIP "$T/d.zip")
check "descarga.do ZIP holds the XML and the PDF" "$PY" - "$T/d.zip" "$T/d.xml" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = sorted(z.namelist())
assert names == ["CEP-20241108-BiB202411081016248360.pdf", "CEP-20241108-BiB202411081016248360.xml"], names
assert z.read(names[1]) == open(sys.argv[2], "rb").read()
EOF
st=$(descarga "$T/nojar" XML "$T/e500.html")
check "descarga.do without a session: 500" test "$st" = 500
check "descarga.do without a session: the recorded WebLogic page" \
	same "$T/e500.html" "$SAMPLES/descarga__http500_weblogic__beta-2025_and_prod-2019.html"
check "the 500 closes the connection (as recorded)" test "$(hdr "$T/e500.html.h" Connection)" = close
check "POST descarga.do answers 405" test "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar1" -X POST "$B/cep/descarga.do?formato=XML")" = 405

# warm-up GET, other field order (pre-2025 cep-python), empty captcha, other amount spelling, /cep-beta/
curl -s -c "$T/jar2" -b "$T/jar2" -o /dev/null "$B/cep-beta/"
check "warm-up GET /cep-beta/ sets JSESSIONID" grep -q JSESSIONID "$T/jar2"
SID_WARM=$(awk '$6=="JSESSIONID"{print $7}' "$T/jar2")
st=$(valida "$T/jar2" 'tipoCriterio=T&receptorParticipante=0&captcha=&tipoConsulta=1&fecha=08-11-2024&criterio=BiB202411081016248360&emisor=37166&receptor=90723&cuenta=723969000011000077&monto=3414.950' "$T/ok2.html" /cep-beta/)
check "valida.do accepts the old field order, an empty captcha and monto 3414.950" \
	same "$T/ok2.html" "$SAMPLES/valida__ok_links-descarga__beta-2025_and_prod-2019.html"
check "valida.do keeps the warm-up session" test "$(awk '$6=="JSESSIONID"{print $7}' "$T/jar2")" = "$SID_WARM"
check "descarga.do after warm-up + valida.do" test "$(descarga "$T/jar2" XML "$T/d2.xml" /cep-beta/)" = 200
valida "$T/jar3" "${FORM1/tipoCriterio=T/tipoCriterio=R}" "$T/r.html" >/dev/null
valida "$T/jar3" "$(echo "$FORM1" | sed 's/tipoCriterio=T/tipoCriterio=R/; s/criterio=BiB202411081016248360/criterio=1234567/')" "$T/r.html" >/dev/null
check "tipoCriterio=R matches the referencia" same "$T/r.html" "$SAMPLES/valida__ok_links-descarga__beta-2025_and_prod-2019.html"
valida "$T/jar3" "${FORM1/tipoConsulta=1/tipoConsulta=0}" "$T/q0.html" >/dev/null
check "tipoConsulta=0 answers the status table" grep -q 'Estado del pago en Banxico</td><td>Liquidado' "$T/q0.html"
check "tipoConsulta=0 does not arm descarga.do" test "$(descarga "$T/jar3" XML "$T/q0.xml")" = 500

# not found
valida "$T/jar4" 'tipoCriterio=T&captcha=c&tipoConsulta=1&fecha=01-01-2019&criterio=invalid-clave&emisor=37166&receptor=90723&cuenta=012180004643051249&monto=1111111.0&receptorParticipante=0' "$T/be.html" >/dev/null
check "nothing that day between those participants: the [BE] page, byte for byte" \
	same "$T/be.html" "$SAMPLES/valida__not-found_BE-no-se-encontro-ningun-pago__beta-2025.html"
valida "$T/jar4" "${FORM1/BiB202411081016248360/BiB202411081016248XXX}" "$T/op.html" >/dev/null
check "wrong clave on a known day: the Operación no encontrada page, byte for byte" \
	same "$T/op.html" "$SAMPLES/valida__not-found_operacion-no-encontrada__beta-2025.html"
valida "$T/jar4" "${FORM1/monto=3414.95/monto=3414.96}" "$T/op2.html" >/dev/null
check "amount off by one cent: not found" same "$T/op2.html" "$T/op.html"
valida "$T/jar4" "${FORM1/cuenta=723969000011000077/cuenta=723969000011000078}" "$T/op3.html" >/dev/null
check "other cuenta: not found" same "$T/op3.html" "$T/op.html"
check "not found does not arm descarga.do" test "$(descarga "$T/jar4" XML "$T/nf.xml")" = 500

# found but no CEP, with the recorded data -> the recorded page
st=$(ctl POST /_sim/transfers '{"fecha":"2024-11-06","clave_rastreo":"COMPROPAG2024110610833063","referencia":"4600001",
 "emisor":"90728","receptor":"90723","cuenta":"723969000011000077","monto":17584.28,"hora":"13:23:08",
 "banco_emisor":"Compropago","cep_available":false}')
check "transfer without CEP stored" test "$st" = 201
FORMNC='tipoCriterio=T&captcha=c&tipoConsulta=1&fecha=06-11-2024&criterio=COMPROPAG2024110610833063&emisor=90728&receptor=90723&cuenta=723969000011000077&monto=17584.28&receptorParticipante=0'
valida "$T/jar5" "$FORMNC" "$T/nc.html" >/dev/null
check "found but no CEP: the recorded page, byte for byte, from the transfer's data" \
	same "$T/nc.html" "$SAMPLES/valida__found-but-no-cep_estado-del-pago__beta-2025.html"
check "found but no CEP: sent chunked (as recorded)" test "$(hdr "$T/nc.html.h" Transfer-Encoding)" = chunked
ctl POST /_sim/transfers '{"fecha":"2024-11-07","clave_rastreo":"DEV1","emisor":"40012","receptor":"90723",
 "cuenta":"723969000011000077","monto":"10.5","cep_available":false,"estado":"Devuelto","hora":"23:59:58"}' >/dev/null
valida "$T/jar5" 'tipoCriterio=T&captcha=c&tipoConsulta=1&fecha=07-11-2024&criterio=DEV1&emisor=40012&receptor=90723&cuenta=723969000011000077&monto=10.50&receptorParticipante=0' "$T/dev.html" >/dev/null
check "found but no CEP: estado, emisora, amount and times filled in" sh -c \
	"grep -q '<td>Devuelto</td>' '$T/dev.html' && grep -q '<td>BBVA MEXICO</td>' '$T/dev.html' && grep -q '<td>10.50</td>' '$T/dev.html' && grep -q '<td>07/11/2024 23:59:58</td>' '$T/dev.html' && grep -q '<td>08/11/2024 00:00:01</td>' '$T/dev.html'"

# appears after N queries
ctl POST /_sim/transfers '{"fecha":"2024-11-08","clave_rastreo":"LATE1","emisor":"40012","receptor":"90723",
 "cuenta":"723969000011000077","monto":"1","appears_after_queries":2}' >/dev/null
FORMLATE='tipoCriterio=T&captcha=c&tipoConsulta=1&fecha=08-11-2024&criterio=LATE1&emisor=40012&receptor=90723&cuenta=723969000011000077&monto=1&receptorParticipante=0'
valida "$T/jar6" "$FORMLATE" "$T/l1.html" >/dev/null
valida "$T/jar6" "$FORMLATE" "$T/l2.html" >/dev/null
valida "$T/jar6" "$FORMLATE" "$T/l3.html" >/dev/null
check "appears_after_queries 2: two not-found answers, then found" sh -c \
	"cmp -s '$T/l1.html' '$SAMPLES/valida__not-found_operacion-no-encontrada__beta-2025.html' && cmp -s '$T/l2.html' '$T/l1.html' && cmp -s '$T/l3.html' '$SAMPLES/valida__ok_links-descarga__beta-2025_and_prod-2019.html'"

# cep_xml: every real XML sample served as it is (the tipo-1 sample replaces the generated one)
ctl POST /_sim/reset >/dev/null
check "every real CEP XML sample can be loaded with cep_xml and is served byte for byte" "$PY" - "$B" "$SAMPLES" <<'EOF'
import glob, http.client, json, os, re, sys, urllib.parse
base, sdir = sys.argv[1], sys.argv[2]
u = urllib.parse.urlsplit(base)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
def req(m, p, body=None, h={}):
    c.request(m, p, body=body, headers=h); r = c.getresponse(); d = r.read()
    if r.getheader("Connection") == "close": c.close()
    return r, d
bad = []
for f in sorted(glob.glob(os.path.join(sdir, "descarga__xml__*.xml"))):
    xml = open(f, "rb").read()
    r, d = req("POST", "/_sim/transfers", json.dumps({"cep_xml": xml.decode()}).encode())
    if r.status != 201:
        bad.append("%s: %d %s" % (f, r.status, d)); continue
    t = json.loads(d)
    form = urllib.parse.urlencode({"tipoCriterio": "T", "captcha": "c", "tipoConsulta": "1",
        "fecha": "%s-%s-%s" % tuple(reversed(t["fecha"].split("-"))), "criterio": t["clave_rastreo"],
        "emisor": t["emisor"], "receptor": t["receptor"], "cuenta": t["cuenta"], "monto": t["monto"],
        "receptorParticipante": "0"})
    r, d = req("POST", "/cep/valida.do", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    sid = re.search(r"JSESSIONID=([^;]+)", r.getheader("Set-Cookie")).group(1)
    if b"descarga.do?formato=XML" not in d:
        bad.append("%s: valida.do did not find it (%s)" % (f, form)); continue
    r, d = req("GET", "/cep/descarga.do?formato=XML", None, {"Cookie": "JSESSIONID=" + sid})
    want = "attachment; filename=CEP-%s-%s.xml" % (t["fecha_operacion"].replace("-", ""), t["clave_rastreo"])
    if d != xml or r.getheader("Content-Disposition") != want:
        bad.append("%s: served XML or filename differ (%s)" % (f, r.getheader("Content-Disposition")))
sys.exit("\n".join(bad) if bad else 0)
EOF

# ---------------------------------------------------------------- modes
setmode() { ctl PUT /_sim/mode "$1" >/dev/null; }
setmode '{"mode":"throttled"}'
valida "$T/jar7" "$FORM1" "$T/t1.html" >/dev/null
check "throttled: valida.do answers the recorded max-consultas page" same "$T/t1.html" "$SAMPLES/valida__max-consultas__prod-2022.html"
setmode '{"mode":"normal"}'; valida "$T/jar7" "$FORM1" "$T/x.html" >/dev/null; setmode '{"mode":"throttled"}'
st=$(descarga "$T/jar7" XML "$T/t2.html")
check "throttled: descarga.do answers 200 with the recorded max-consultas page" sh -c \
	"test $st = 200 && cmp '$T/t2.html' '$SAMPLES/descarga__max-consultas__beta-2025.html'"

setmode '{"mode":"captcha"}'
valida "$T/jar8" "$FORM1" "$T/c1.html" >/dev/null
check "captcha: valida.do answers the recorded captcha page" same "$T/c1.html" \
	"$SAMPLES/valida__captcha-error_imagen-de-seguridad__beta-2025_and_prod-2022.html"
check "captcha: the following descarga.do answers 500 (as recorded)" test "$(descarga "$T/jar8" XML "$T/c2.html")" = 500

setmode '{"mode":"http500"}'
st=$(valida "$T/jar9" "$FORM1" "$T/h1.html")
check "http500: status 500 with the recorded WebLogic page" sh -c \
	"test $st = 500 && cmp '$T/h1.html' '$SAMPLES/descarga__http500_weblogic__beta-2025_and_prod-2019.html'"

setmode '{"mode":"down"}'
curl -s -o /dev/null -X POST --data "$FORM1" "$B/cep/valida.do"; rc=$?
check "down: the connection is closed without an answer (curl exit 52)" test "$rc" = 52
check "down: the control API still answers" test "$(ctl GET /_sim/stats)" = 200

setmode '{"mode":"reset"}'
curl -s -o /dev/null -X POST --data "$FORM1" "$B/cep/valida.do"; rc=$?
check "reset: TCP reset in the middle of the answer (curl exit 56)" test "$rc" = 56

setmode '{"mode":"slow","delay_ms":600}'
t=$(curl -s -o "$T/s.html" -w '%{time_total}' -c "$T/jar10" -b "$T/jar10" -X POST --data "$FORM1" "$B/cep/valida.do")
check "slow: answer after delay_ms (took ${t}s)" sh -c "\"$PY\" -c 'import sys; sys.exit(not $t >= 0.6)' && cmp -s '$T/s.html' '$SAMPLES/valida__ok_links-descarga__beta-2025_and_prod-2019.html'"

setmode '{"mode":"malformed_xml"}'
valida "$T/jar11" "$FORM1" "$T/m.html" >/dev/null
st=$(descarga "$T/jar11" XML "$T/m.xml")
check "malformed_xml: descarga.do XML is not well-formed" sh -c \
	"test $st = 200 && ! \"$PY\" -c 'import sys,xml.dom.minidom as m; m.parse(sys.argv[1])' '$T/m.xml' 2>/dev/null"
check "malformed_xml: PDF is unaffected" test "$(descarga "$T/jar11" PDF "$T/m.pdf")" = 200

setmode '{"mode":"altered_xml"}'
descarga "$T/jar11" XML "$T/a.xml" >/dev/null
"$PY" "$HERE/cepcheck.py" "$T/a.xml" >"$T/a.out" 2>&1; rc=$?
check "altered_xml: MontoPago changed, cadenaCDA left as is (checker flags field 19)" sh -c \
	"test $rc = 1 && grep -q 'cadenaCDA\[19\] = .3414.95. but MontoPago = .4414.95.' '$T/a.out'"

setmode '{"mode":"http500","scope":"descarga","count":1}'
st1=$(valida "$T/jar12" "$FORM1" "$T/sc.html"); st2=$(descarga "$T/jar12" XML "$T/sc1.xml"); st3=$(descarga "$T/jar12" XML "$T/sc2.xml")
check "scope descarga + count 1: valida ok, one descarga 500, then normal" test "$st1 $st2 $st3" = "200 500 200"
check "mode is back to normal after count" test "$(ctl GET /_sim/mode; jq_py 'j["mode"]')" = "200normal"

# ---------------------------------------------------------------- misc portal
st=$(curl -s -D "$T/404.h" -o "$T/404.html" -w '%{http_code}' "$B/cep-beta/no/existe")
check "unknown path: 404 with the recorded body" sh -c \
	"test $st = 404 && cmp '$T/404.html' '$SAMPLES/http404_anterior-banxico__beta-2025.html'"
curl -s -v -o /dev/null -o /dev/null "$B/_sim/" "$B/_sim/mode" 2>"$T/ka.err"
check "HTTP/1.1 keep-alive: curl reuses the connection" grep -qi 're-using existing connection' "$T/ka.err"

# ---------------------------------------------------------------- stats and reset
ctl GET /_sim/stats >/dev/null
check "stats count requests per URL and per mode" test "$(jq_py '(j["by_url"]["/cep/valida.do"] > 10, j["by_mode"]["down"], j["by_mode"]["reset"], j["by_url_mode"]["/cep/valida.do"]["captcha"], j["by_outcome"]["valida_ok"] > 3)')" = "(True, 1, 1, 1, True)"
check "POST /_sim/reset" test "$(ctl POST /_sim/reset)" = 200
ctl GET /_sim/stats >/dev/null
check "after reset: no transfers, normal mode, counters zeroed" test \
	"$(jq_py '(j["transfers"], j["mode"]["mode"], j["requests"])')" = "(0, 'normal', 0)"
valida "$T/jar13" "$FORM1" "$T/after.html" >/dev/null
check "after reset the transfer is gone" same "$T/after.html" "$SAMPLES/valida__not-found_BE-no-se-encontro-ningun-pago__beta-2025.html"

# ---------------------------------------------------------------- recorded exchanges
"$PY" "$HERE/replay.py" "$PORT" "$SAMPLES" "$CASSETTES"/*/ >"$T/replay.out" 2>&1; rc=$?
check "replay of every recorded cep-python exchange matches ($(tail -1 "$T/replay.out" | sed 's/^# //'))" \
	sh -c "test $rc = 0 || { grep -v '^ok' '$T/replay.out'; exit 1; }"

# ---------------------------------------------------------------- SIGTERM and --state
kill -TERM "$PID"
for i in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
wait "$PID"; rc=$?
check "SIGTERM stops the simulator cleanly (exit 0, pid file removed)" sh -c "test $rc = 0 && test ! -e '$T/sim.pid'"

if start_sim st --state "$T/state.json"; then
	B=http://127.0.0.1:$PORT
	ctl POST /_sim/transfers "$TIPO1" >/dev/null
	kill -TERM "$PID"; wait "$PID"
	start_sim st2 --state "$T/state.json"; B=http://127.0.0.1:$PORT
	valida "$T/jar14" "$FORM1" "$T/st.html" >/dev/null
	descarga "$T/jar14" XML "$T/st.xml" >/dev/null
	check "--state: transfers survive a restart with the same XML" sh -c \
		"cmp -s '$T/st.html' '$SAMPLES/valida__ok_links-descarga__beta-2025_and_prod-2019.html' && cmp -s '$T/st.xml' '$T/gen1.xml'"
	kill -TERM "$PID"; wait "$PID"
else
	not_ok "--state: simulator starts" "$(cat "$T/st.err")"
fi

finish
