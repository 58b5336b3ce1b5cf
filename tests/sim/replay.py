#!/usr/bin/python3
# replay.py PORT SAMPLES_DIR CASSETTE_DIR... - replay the recorded cep-python cassettes
# (real Banxico exchanges) against a running banxico-sim and compare.
#
# For every cassette: POST /_sim/reset, register the CEPs the cassette
# downloaded (cep_xml, with the query's fecha/emisor/receptor/cuenta/monto)
# and the found-but-no-CEP payment, then send each recorded request in order
# (one cookie jar per cassette) with the mode the recording implies (captcha
# page -> mode captcha, max-consultas page -> throttled) and compare status,
# Content-Type/Language/Disposition and, for every HTML and XML answer, the
# body byte for byte.  PDFs are the simulator's own: only headers are compared.
# Prints TAP-like "ok"/"not ok" lines; exit 1 on any mismatch, 3 if PyYAML is
# missing.
import http.client
import json
import os
import re
import sys
from urllib.parse import parse_qs, urlsplit

sys.dont_write_bytecode = True
try:
    import yaml
except ImportError:
    print("# PyYAML missing (apt-get install python3-yaml)")
    sys.exit(3)

CAPTCHA = "La imagen de seguridad no fue ingresada correctamente"
MAXQ = "ha excedido el n&uacute;mero m&aacute;ximo de consultas"


def body_bytes(resp):
    b = resp["body"]
    s = b.get("string") if isinstance(b, dict) else b
    if s is None:
        return b""
    return s if isinstance(s, bytes) else s.encode("utf-8")


def hdr(h, name):
    for k, v in h.items():
        if k.lower() == name.lower():
            return v[0] if isinstance(v, list) else v
    return None


class Sim:
    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.jar = {}

    def req(self, method, path, body=None, headers=None, cookies=False):
        h = dict(headers or {})
        if cookies and self.jar:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.jar.items())
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                if attempt:
                    raise
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, val = v.split(";", 1)[0].split("=", 1)
                self.jar[name.strip()] = val.strip()
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return r, data

    def ctl(self, method, path, obj=None):
        body = json.dumps(obj).encode() if obj is not None else None
        r, data = self.req(method, path, body, {"Content-Type": "application/json"})
        return r.status, data


def form_of(body):
    q = parse_qs(body or "", keep_blank_values=True)
    return {k: v[0] for k, v in q.items()}


def iso(ddmmyyyy):
    d, m, y = ddmmyyyy.split("-")
    return "%s-%s-%s" % (y, m, d)


def xml_spec(xml, form):
    return {"cep_xml": xml, "fecha": iso(form["fecha"]), "emisor": form["emisor"],
            "receptor": form["receptor"], "cuenta": form["cuenta"], "monto": form["monto"]}


def register(sim, inters, samples):
    """Register what the cassette needs; returns the number registered."""
    n = 0
    last = None
    for it in inters:
        rq, rs = it["request"], it["response"]
        if rq["uri"].endswith("valida.do") and rs["status"]["code"] == 200:
            last = form_of(rq["body"])
            page = body_bytes(rs).decode("utf-8")
            if "descarga.do?formato=XML" in page and last["criterio"] in samples:
                st, data = sim.ctl("POST", "/_sim/transfers",
                                   xml_spec(samples[last["criterio"]], last))
                if st not in (201, 409):
                    raise RuntimeError("register sample: %s %s" % (st, data))
                n += st == 201
            if "se identific\u00f3 el siguiente pago" in page:
                cells = dict(re.findall(r"<tr[^>]*><td>([^<]*)</td><td>([^<]*)</td></tr>", page))
                spec = {"fecha": iso(last["fecha"]), "clave_rastreo": last["criterio"],
                        "emisor": last["emisor"], "receptor": last["receptor"],
                        "cuenta": last["cuenta"], "monto": last["monto"],
                        "referencia": cells.get("N\u00famero de Referencia"),
                        "hora": cells.get("Fecha y hora de recepci\u00f3n", " ").split(" ")[1],
                        "banco_emisor": cells.get("Instituci&oacute;n emisora del pago"),
                        "banco_receptor": cells.get("Instituci&oacute;n receptora del pago"),
                        "estado": cells.get("Estado del pago en Banxico"),
                        "cep_available": False}
                st, data = sim.ctl("POST", "/_sim/transfers", spec)
                if st not in (201, 409):
                    raise RuntimeError("register found-no-cep: %s %s" % (st, data))
                n += st == 201
        elif (rq["uri"].endswith("formato=XML") and rs["status"]["code"] == 200
              and (hdr(rs["headers"], "Content-Type") or "").startswith("application/xml")):
            spec = xml_spec(body_bytes(rs).decode("utf-8"), last)
            st, data = sim.ctl("POST", "/_sim/transfers", spec)
            if st not in (201, 409):
                raise RuntimeError("register cep_xml: %s %s" % (st, data))
            n += st == 201
    return n


def main(argv):
    port = int(argv[0])
    sdir = argv[1]
    samples = {}
    pages = {}
    for name in os.listdir(sdir):
        if not name.endswith((".xml", ".html")):
            continue
        with open(os.path.join(sdir, name), "rb") as fh:
            data = fh.read() if name.endswith((".xml", ".html")) else b""
        if name.endswith(".xml"):
            m = re.search(rb'claveRastreo="([^"]*)"', data)
            samples[m.group(1).decode()] = data.decode("utf-8")
        elif name.endswith(".html"):
            pages[name] = data
    max_pages = {pages["valida__max-consultas__prod-2022.html"],
                 pages["descarga__max-consultas__beta-2025.html"]}
    nf_pages = {pages["valida__not-found_operacion-no-encontrada__beta-2025.html"]: "operacion",
                pages["valida__not-found_operacion-no-encontrada__prod-2019.html"]: "operacion_2019",
                pages["valida__not-found_BE-no-se-encontro-ningun-pago__beta-2025.html"]: "be"}
    files = []
    for d in argv[2:]:
        files += sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".yaml"))
    sim = Sim(port)
    fails = 0
    checks = 0
    for f in files:
        with open(f, encoding="utf-8") as fh:
            inters = yaml.safe_load(fh)["interactions"]
        sim.ctl("POST", "/_sim/reset")
        sim.jar = {}
        register(sim, inters, samples)
        mode = ("normal", "auto")
        for i, it in enumerate(inters):
            rq, rs = it["request"], it["response"]
            code = rs["status"]["code"]
            if code in (301, 302, 307):
                continue          # http->https and the jump to anterior.banxico.org.mx
            u = urlsplit(rq["uri"])
            path = u.path + ("?" + u.query if u.query else "")
            want = body_bytes(rs)
            text = want.decode("utf-8", "replace")
            new_mode = ("captcha" if CAPTCHA in text else "throttled" if MAXQ in text
                        else "normal", nf_pages.get(want, "auto"))
            if new_mode != mode:
                sim.ctl("PUT", "/_sim/mode", {"mode": new_mode[0], "not_found": new_mode[1]})
                mode = new_mode
            hdrs = {"Content-Type": "application/x-www-form-urlencoded"} if rq["body"] else {}
            body = rq["body"].encode() if rq["body"] else None
            r, got = sim.req(rq["method"], path, body, hdrs, cookies=True)
            probs = []
            if r.status != code:
                probs.append("status %d, recorded %d" % (r.status, code))
            old404 = code == 404 and "www.anterior" in u.netloc   # 2019 WebLogic 404
            for h in ("Content-Type", "Content-Language", "Content-Disposition"):
                if h == "Content-Type" and old404:
                    continue
                if (r.getheader(h) or None) != hdr(rs["headers"], h):
                    probs.append("%s %r, recorded %r" % (h, r.getheader(h), hdr(rs["headers"], h)))
            if hdr(rs["headers"], "Transfer-Encoding") != r.getheader("Transfer-Encoding"):
                probs.append("Transfer-Encoding %r, recorded %r"
                             % (r.getheader("Transfer-Encoding"), hdr(rs["headers"], "Transfer-Encoding")))
            ct = hdr(rs["headers"], "Content-Type") or ""
            if want in max_pages and got in max_pages:
                pass              # 2022 vs 2025 edition of the same page (jQuery version)
            elif "pdf" not in ct and not old404 and got != want:
                probs.append("body differs (%d bytes, recorded %d)" % (len(got), len(want)))
            if code == 500 and r.getheader("Connection", "").lower() != "close":
                probs.append("500 without Connection: close")
            checks += 1
            name = "%s #%d %s %s" % (os.path.relpath(f, os.path.dirname(os.path.dirname(f))),
                                     i, rq["method"], path)
            if probs:
                fails += 1
                print("not ok - %s: %s" % (name, "; ".join(probs)))
            else:
                print("ok - %s" % name)
        if mode != ("normal", "auto"):
            sim.ctl("PUT", "/_sim/mode", {"mode": "normal"})
    print("# %d recorded answers compared, %d mismatches" % (checks, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
