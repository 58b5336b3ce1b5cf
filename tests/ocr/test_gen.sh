#!/bin/bash
# tests/ocr/test_gen.sh - TAP tests of the OCR test-corpus generator
# (tests/ocr/gen-receipts): it renders receipts in every layout, clean and as
# phone photos, with masked accounts; the ground truth is well formed and
# agrees with the bank catalog (CLABE check digit, bank codes and prefixes,
# dates, amounts, what is drawn reads back as the truth); every file decodes
# (PIL for images, camera EXIF on photos; pdftotext/pdfinfo for PDFs: a text
# layer exactly where the truth says so); the transfers it prints
# are accepted by the simulator's POST /_sim/transfers; and the committed
# sample (tests/ocr/sample) is what its recorded command regenerates.
# Env: MXCEP_TOP_SRCDIR (default: two levels up).  Needs Debian's
# /usr/bin/python3 with python3-pil, the fonts (fonts-dejavu-core,
# fonts-dejavu-extra, fonts-liberation2), poppler-utils and curl: a missing
# one is a failure, not a skip (./stack test installs them all).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${MXCEP_TOP_SRCDIR:-$(cd "$HERE/../.." && pwd)}
PY=/usr/bin/python3
GEN=$TOP/tests/ocr/gen-receipts
SAMPLE=$TOP/tests/ocr/sample
CATALOG=$TOP/tests/data/banks.tsv
SIM=$TOP/tests/sim/banxico-sim

n=0
failed=0
ok()     { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/# /'; }
check()  { local name=$1; shift; local out; if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi; }
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; exit $?; }

missing=
[ -x "$PY" ] || missing="$missing /usr/bin/python3 (python3)"
[ -x "$PY" ] && ! "$PY" -c 'import PIL.Image' 2>/dev/null && missing="$missing PIL (python3-pil)"
command -v pdftotext >/dev/null || missing="$missing pdftotext (poppler-utils)"
command -v pdfinfo >/dev/null || missing="$missing pdfinfo (poppler-utils)"
command -v curl >/dev/null || missing="$missing curl (curl)"
for f in dejavu/DejaVuSans.ttf dejavu/DejaVuSansCondensed.ttf liberation2/LiberationSans-Regular.ttf; do
	[ -f "/usr/share/fonts/truetype/$f" ] || missing="$missing $f (fonts-dejavu-core, fonts-dejavu-extra, fonts-liberation2)"
done
[ -x "$GEN" ] || missing="$missing $GEN"
[ -f "$SAMPLE/COMMAND" ] || missing="$missing $SAMPLE/COMMAND"
if [ -n "$missing" ]; then
	echo "1..1"
	echo "not ok 1 - missing:$missing (./stack test installs the packages)"
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/mxcep-ocr-gen.XXXXXX")
SIM_PID=
cleanup() {
	[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# ---- a fresh corpus: 14 transfers, two rounds of every layout, clean and photo
check "generator runs (seed 5, 14 transfers, clean and photo, half masked)" \
	"$PY" "$GEN" --seed 5 --count 14 --degraded both --masked 0.5 --out "$T/a"

# consistent.py DIR: every ground truth checked against the catalog and its file
cat >"$T/consistent.py" <<'EOF'
import datetime, glob, json, os, re, subprocess, sys
from PIL import Image, ImageOps
d, catalog = sys.argv[1], sys.argv[2]
banks = {}
with open(catalog, encoding="utf-8") as f:
    rows = [l.rstrip("\n").split("\t") for l in f if l.strip() and not l.startswith("#")]
for r in rows[1:]:
    banks[r[0]] = r[1]
names = {r[0]: {x.upper() for x in r[2:4] if x} for r in rows[1:]}
for code, brand in (("40012", "BBVA"), ("40002", "Citibanamex"), ("90638", "Nu"),
                    ("90722", "Mercado Pago"), ("40127", "Banco Azteca"),
                    ("40137", "BanCoppel")):
    names.setdefault(code, set()).add(brand.upper())
MESES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
         "septiembre", "octubre", "noviembre", "diciembre"]
def parse_fecha(s):
    """The four Spanish formats the layouts draw, to YYYY-MM-DD (None if not)."""
    s = re.sub(r" a las \d{2}:\d{2} h$", "", s).lower()
    m = (re.fullmatch(r"(\d{1,2}) de ([a-z]+) de (\d{4})", s)
         or re.fullmatch(r"(\d{2}) ([a-z]{3}) (\d{4})", s)
         or re.fullmatch(r"(\d{2})-([a-z]{3})-(\d{4})", s))
    if m:
        mon = [i + 1 for i, n in enumerate(MESES) if n == m.group(2) or n[:3] == m.group(2)]
        return "%s-%02d-%02d" % (m.group(3), mon[0], int(m.group(1))) if mon else None
    m = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", s)
    return "%s-%s-%s" % (m.group(3), m.group(2), m.group(1)) if m else None
def control(first17):
    w = (3, 7, 1)
    return str((10 - sum((int(c) * w[i % 3]) % 10 for i, c in enumerate(first17)) % 10) % 10)
errs, layouts, variants, masked, fmts, sideways = [], set(), set(), 0, set(), 0
truths = sorted(glob.glob(os.path.join(d, "*.json")))
if not truths:
    errs.append("no ground truth in %s" % d)
for p in truths:
    t = json.load(open(p, encoding="utf-8"))
    e = lambda m: errs.append("%s: %s" % (os.path.basename(p), m))
    c = t["cuenta"]
    if not re.fullmatch(r"\d{18}", c) or control(c[:17]) != c[17]:
        e("cuenta %r is not a valid CLABE" % c)
    for k in ("emisor", "receptor"):
        if not re.fullmatch(r"\d{5}", t[k]) or t[k] not in banks:
            e("%s %r not a 5-digit catalog code" % (k, t[k]))
    if t["receptor"] in banks and c[:3] != banks[t["receptor"]]:
        e("cuenta prefix %s is not receptor %s's %s" % (c[:3], t["receptor"], banks[t["receptor"]]))
    try:
        datetime.date.fromisoformat(t["fecha"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", t["fecha"])
    except Exception:
        e("fecha %r not YYYY-MM-DD" % t["fecha"])
    if not re.fullmatch(r"\d{1,15}\.\d{2}", t["monto"]) or float(t["monto"]) <= 0:
        e("monto %r not a positive decimal with 2 places" % t["monto"])
    shapes = {"bbva": r"MBAN0100\d{16}", "santander": r"BSAN\d{8}[A-Z0-9]{6}\d{4}",
              "banorte": r"8846\d{4}BNET\d{10}", "banamex": r"0\d{17}",
              "nu": r"NU\d{14}[A-Z0-9]{8}", "mercadopago": r"MPSPEI\d{17}",
              "stp": r"CUENCA\d{10}"}
    ck = t["clave_rastreo"]
    if (not re.fullmatch(shapes.get(t["layout"], "-"), ck) or len(ck) > 30
            or re.search(r"[OISBZGQ]", re.sub(r"^(MBAN|BSAN|NU|MPSPEI|CUENCA)|BNET", "", ck))):
        e("clave_rastreo %r not of %s's shape" % (ck, t["layout"]))
    if not re.fullmatch(r"\d{1,7}", t["referencia"]):
        e("referencia %r not 1-7 digits" % t["referencia"])
    if not isinstance(t["is_masked"], bool):
        e("is_masked not a boolean")
    shown = t["shown"].get("cuenta", "")
    digits = re.sub(r"\D", "", shown)
    if t["is_masked"]:
        masked += 1
        if not re.fullmatch(r"(\*{4}|\u2022{4} |\*)\d{4}", shown) or digits != c[-4:]:
            e("masked account shown as %r, not a mask of %s" % (shown, c))
    elif digits != c:
        e("account shown as %r, not %s" % (shown, c))
    # what is drawn reads back as the truth
    sh = t["shown"]
    if "fecha" in sh and parse_fecha(sh["fecha"]) != t["fecha"]:
        e("fecha shown %r does not read as %s" % (sh["fecha"], t["fecha"]))
    if "monto" in sh and re.sub(r"^\$|MXN|M\.N\.|[ ,$]", "", sh["monto"]) != t["monto"]:
        e("monto shown %r does not read as %s" % (sh["monto"], t["monto"]))
    for k in ("clave_rastreo", "referencia"):
        if k in sh and sh[k] != t[k]:
            e("%s shown %r != %r" % (k, sh[k], t[k]))
    for k in ("emisor", "receptor"):
        if k in sh and sh[k].upper() not in names.get(t[k], set()):
            e("%s shown as %r, not a name of %s" % (k, sh[k], t[k]))
    s = t["sim_transfer"]
    for k in ("fecha", "monto", "emisor", "receptor", "cuenta", "clave_rastreo", "referencia"):
        if s.get(k) != t[k]:
            e("sim_transfer.%s %r != %r" % (k, s.get(k), t[k]))
    deg = t["degradation"]
    if deg["kind"] not in ("none", "photo"):
        e("degradation %r" % deg)
    if deg["kind"] == "photo" and not all(k in deg for k in
            ("rotation", "perspective", "blur", "jpeg_quality", "light_min")):
        e("photo degradation without its parameters: %r" % deg)
    layouts.add(t["layout"]); variants.add(deg["kind"]); fmts.add(t["format"])
    f = os.path.join(d, t["file"])
    if not os.path.isfile(f):
        e("file %s missing" % t["file"]); continue
    with open(f, "rb") as fh:
        head = fh.read(8)
    if t["format"].startswith("pdf"):
        if not head.startswith(b"%PDF-"):
            e("not a PDF")
            continue
        info = subprocess.run(["pdfinfo", f], capture_output=True, text=True)
        if info.returncode != 0 or not re.search(r"^Pages:\s+1$", info.stdout, re.M):
            e("pdfinfo: %s %s" % (info.stdout, info.stderr))
        txt = subprocess.run(["pdftotext", "-layout", f, "-"], capture_output=True,
                             text=True).stdout
        if t["text_layer"]:
            for k in ("clave_rastreo", "monto", "fecha", "cuenta"):
                if t["shown"][k] not in txt:
                    e("text layer lacks %s %r" % (k, t["shown"][k]))
        elif txt.strip():
            e("image-only PDF has text %r" % txt[:80])
    else:
        want = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}[t["format"]]
        try:
            im = Image.open(f)
            im.load()
            if im.format != want:
                e("format %s, truth says %s" % (im.format, want))
            if t["kind"] == "screenshot" and deg["kind"] == "none" and im.size != (1080, 2000):
                e("screenshot size %r" % (im.size,))
            if min(im.size) < 500:
                e("image too small %r" % (im.size,))
            ex = im.getexif()
            if deg["kind"] == "photo":
                # a phone's metadata, and sideways pixels turned upright by EXIF
                if ex.get(0x010F) is None or not ex.get_ifd(0x8825):
                    e("photo without camera make or GPS in EXIF")
                if ex.get(0x0112) != deg.get("exif_orientation"):
                    e("EXIF orientation %r, truth says %r" % (ex.get(0x0112), deg.get("exif_orientation")))
                up = ImageOps.exif_transpose(im).size
                if up[1] <= up[0]:
                    e("photo not portrait once EXIF-oriented: %r" % (up,))
                sideways += deg.get("exif_orientation") == 6
            elif len(ex):
                e("clean file with EXIF %r" % dict(ex))
        except Exception as x:
            e("does not decode: %s" % x)
want_layouts = int(sys.argv[3]) if len(sys.argv) > 3 else 6
if len(layouts) < want_layouts:
    errs.append("only %d layouts: %s" % (len(layouts), sorted(layouts)))
if len(sys.argv) > 4:
    if variants != {"none", "photo"}:
        errs.append("variants %s" % sorted(variants))
    if not masked:
        errs.append("no masked receipt")
    if not sideways:
        errs.append("no photo stored sideways (EXIF orientation 6)")
    for f in ("png", "jpeg", "webp", "pdf-text", "pdf-image"):
        if f not in fmts:
            errs.append("no %s file" % f)
print("\n".join(errs))
sys.exit(1 if errs else 0)
EOF

check "ground truth consistent with the catalog and the files decode (fresh corpus)" \
	"$PY" "$T/consistent.py" "$T/a" "$CATALOG" 7 all
count_files() { local f c=0; for f in "$1"/*; do case $f in *$2) c=$((c + 1)) ;; esac; done; echo "$c"; }
check "one ground truth per file, 28 of each" \
	test "$(count_files "$T/a" .json)" -eq 28 -a "$(count_files "$T/a" '')" -eq 56
check "the sample's ground truth is consistent" \
	"$PY" "$T/consistent.py" "$SAMPLE" "$CATALOG" 6 all

# ---- deterministic: the same seed gives the same bytes, another seed differs
"$PY" "$GEN" --seed 5 --count 14 --degraded both --masked 0.5 --out "$T/b" >/dev/null 2>&1
check "same seed, same files byte for byte" diff -r "$T/a" "$T/b"
check "another seed, other transfers" bash -c "! cmp -s <('$PY' '$GEN' --seed 5 --count 14 --sim-transfers) <('$PY' '$GEN' --seed 6 --count 14 --sim-transfers)"

# the committed sample: its recorded command regenerates the same truth
read -r -a SARGS <"$SAMPLE/COMMAND"
"$PY" "$GEN" "${SARGS[@]}" --out "$T/s" >/dev/null 2>"$T/s.err"
list_files() { local f; for f in "$1"/r*; do echo "${f##*/}"; done; }
check "sample regenerates: same files" diff <(list_files "$SAMPLE") <(list_files "$T/s")
same_truth() {
	local j
	for j in "$SAMPLE"/*.json; do cmp "$j" "$T/s/${j##*/}" || return 1; done
}
check "sample regenerates: same ground truth, byte for byte" same_truth

# ---- options
"$PY" "$GEN" --seed 3 --count 4 --layouts nu,stp --degraded yes --masked 1 --out "$T/o" >/dev/null 2>&1
check "--layouts/--degraded yes/--masked 1: only those layouts, photos, all masked" \
	"$PY" -c "
import glob, json, sys
ts = [json.load(open(p)) for p in glob.glob(sys.argv[1] + '/*.json')]
assert len(ts) == 4, len(ts)
assert {t['layout'] for t in ts} == {'nu', 'stp'}, ts
assert all(t['degradation']['kind'] == 'photo' and t['is_masked'] for t in ts)
" "$T/o"
check "the restricted corpus is consistent too" "$PY" "$T/consistent.py" "$T/o" "$CATALOG" 2
"$PY" "$GEN" --seed 2 --count 8 --layouts banamex --degraded no --masked 1 --out "$T/m" >/dev/null 2>&1
check "text-layer PDFs carry masked accounts (every mask style) as drawn" \
	"$PY" -c "
import glob, json, re, sys
styles = {re.sub(r'\d', '', json.load(open(p))['shown']['cuenta']) for p in glob.glob(sys.argv[1] + '/*.json')}
assert styles == {'****', '\u2022\u2022\u2022\u2022 ', '*'}, styles
" "$T/m"
check "... and their ground truth is consistent (text layer checked)" \
	"$PY" "$T/consistent.py" "$T/m" "$CATALOG" 1
"$PY" "$GEN" --seed 3 --count 3 --degraded no --masked 0 --out "$T/n" >/dev/null 2>&1
check "--degraded no --masked 0: clean, unmasked" \
	"$PY" -c "
import glob, json, sys
ts = [json.load(open(p)) for p in glob.glob(sys.argv[1] + '/*.json')]
assert len(ts) == 3 and all(t['degradation'] == {'kind': 'none'} and not t['is_masked'] for t in ts), ts
" "$T/n"
check "unknown layout refused" bash -c "! '$PY' '$GEN' --layouts bbva,hsbc --out '$T/x' 2>/dev/null"
check "--list-layouts names seven layouts" test "$("$PY" "$GEN" --list-layouts | wc -l)" -eq 7

# ---- --sim-transfers: one JSON line per transfer, the simulator takes them
"$PY" "$GEN" --seed 5 --count 14 --degraded both --masked 0.5 --sim-transfers >"$T/sim.jsonl" 2>"$T/sim.err"
check "--sim-transfers: 14 lines, equal to the ground truth's sim_transfer" \
	"$PY" -c "
import glob, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 14, len(lines)
truth = {}
for p in glob.glob(sys.argv[2] + '/*.json'):
    t = json.load(open(p))
    truth[t['index']] = t['sim_transfer']
for i, l in enumerate(lines):
    assert l == truth[i], (i, l, truth[i])
" "$T/sim.jsonl" "$T/a"

rm -f "$T/sim.port"
"$PY" "$SIM" --listen 127.0.0.1:0 --port-file "$T/sim.port" --data "$TOP/tests/data" \
	>"$T/simd.out" 2>"$T/simd.err" &
SIM_PID=$!
for _ in $(seq 100); do [ -s "$T/sim.port" ] && break; sleep 0.05; done
PORT=$(cat "$T/sim.port" 2>/dev/null)
codes=
while read -r line; do
	codes="$codes $(curl -s -o "$T/post.out" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "$line" "http://127.0.0.1:$PORT/_sim/transfers")"
done <"$T/sim.jsonl"
check "the simulator accepts every transfer (201 x14)" test "$codes" = "$(printf ' 201%.0s' $(seq 14))"
check "the simulator knows them: GET /_sim/transfers lists 14" \
	bash -c "curl -s 'http://127.0.0.1:$PORT/_sim/transfers' | '$PY' -c 'import json,sys; d=json.load(sys.stdin); t=d.get(\"transfers\", d) if isinstance(d, dict) else d; assert len(t) == 14, len(t)'"
kill "$SIM_PID" 2>/dev/null
wait "$SIM_PID" 2>/dev/null
SIM_PID=

finish
