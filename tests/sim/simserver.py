# simserver.py - the Banxico CEP portal simulator: portal pages, sessions,
# transfer table, failure modes, statistics and the JSON control API.
# Standard library only.  See docs/simulator.md.
import datetime
import email.utils
import html
import json
import os
import re
import secrets
import socket
import struct
import sys
import threading
import time
import uuid
from collections import OrderedDict
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import simcep
from simcep import InputError

MODES = ("normal", "down", "slow", "throttled", "captcha", "http500", "reset",
         "malformed_xml", "altered_xml")
SCOPES = ("all", "valida", "descarga")
NOT_FOUND = ("auto", "be", "operacion", "operacion_2019")
NORMAL = {"mode": "normal", "delay_ms": 0, "scope": "all", "count": None, "not_found": "auto"}
MAX_SESSIONS = 200000
MAX_BODY = 8 * 1024 * 1024

SAMPLE_FILES = {
    "ok": "valida__ok_links-descarga__beta-2025_and_prod-2019.html",
    "be": "valida__not-found_BE-no-se-encontro-ningun-pago__beta-2025.html",
    "operacion": "valida__not-found_operacion-no-encontrada__beta-2025.html",
    "found": "valida__found-but-no-cep_estado-del-pago__beta-2025.html",
    "captcha": "valida__captcha-error_imagen-de-seguridad__beta-2025_and_prod-2022.html",
    "max_valida": "valida__max-consultas__prod-2022.html",
    "max_descarga": "descarga__max-consultas__beta-2025.html",
    "http500": "descarga__http500_weblogic__beta-2025_and_prod-2019.html",
    "http404": "http404_anterior-banxico__beta-2025.html",
    "operacion_2019": "valida__not-found_operacion-no-encontrada__prod-2019.html",
}

# Values of the recorded found-but-no-CEP page, replaced by the transfer's.
FOUND_SLOTS = [
    ("referencia", b"<td>4600001</td>"),
    ("clave", b"<td>COMPROPAG2024110610833063</td>"),
    ("emisora", b"<td>Compropago</td>"),
    ("receptora", b"<td>Cuenca</td>"),
    ("estado", b"<td>Liquidado</td>"),
    ("recepcion", b"<td>06/11/2024 13:23:08</td>"),
    ("procesamiento", b"<td>06/11/2024 13:23:11</td>"),
    ("cuenta", b"<td>723969000011000077</td>"),
    ("monto", b"<td>17584.28</td>"),
]

WARMUP_PAGE = (
    "\n<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n"
    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">\n"
    "<title>Comprobante Electr&oacute;nico de Pago</title>\n</head>\n<body>\n"
    "<!-- banxico-sim: stand-in for the portal's start page (no recording exists) -->\n"
    "<div id=\"appHead\"><span class=\"appName\">COMPROBANTE ELECTR&Oacute;NICO DE PAGO (CEP)</span></div>\n"
    "<form id=\"formConsulta\" method=\"POST\" action=\"valida.do\">\n"
    "<input type=\"radio\" name=\"tipoCriterio\" value=\"T\" checked/>\n"
    "<input type=\"radio\" name=\"tipoCriterio\" value=\"R\"/>\n"
    "<input type=\"text\" name=\"fecha\"/><input type=\"text\" name=\"criterio\"/>\n"
    "<input type=\"text\" name=\"emisor\"/><input type=\"text\" name=\"receptor\"/>\n"
    "<input type=\"text\" name=\"cuenta\"/><input type=\"text\" name=\"monto\"/>\n"
    "<input type=\"hidden\" name=\"receptorParticipante\" value=\"0\"/>\n"
    "<input type=\"text\" name=\"captcha\"/><input type=\"hidden\" name=\"tipoConsulta\" value=\"1\"/>\n"
    "</form>\n</body>\n</html>\n").encode("utf-8")

HTML_CT = "text/html; charset=UTF-8"


def load_pages(data):
    """The recorded pages under DATA/cep/samples (DATA: tests/data)."""
    sdir = os.path.join(data, "cep", "samples")
    pages = {}
    for key, name in SAMPLE_FILES.items():
        path = os.path.join(sdir, name)
        with open(path, "rb") as f:
            pages[key] = f.read()
    found = pages["found"]
    parts = []
    rest = found
    for slot, needle in FOUND_SLOTS:
        if rest.count(needle) != 1:
            raise RuntimeError("sample %s: %r found %d times (expected once)"
                               % (SAMPLE_FILES["found"], needle, rest.count(needle)))
        before, rest = rest.split(needle, 1)
        parts.append(before)
        parts.append(slot)
    parts.append(rest)
    pages["found_template"] = parts
    return pages


def render_found(pages, t, estado):
    vals = {
        "referencia": t.referencia,
        "clave": t.clave_rastreo,
        "emisora": t.banco_emisor,
        "receptora": t.banco_receptor,
        "estado": estado,
        "recepcion": t.recepcion,
        "procesamiento": t.procesamiento,
        "cuenta": t.cuenta,
        "monto": simcep.fmt_2dec(t.monto),
    }
    out = []
    for p in pages["found_template"]:
        if isinstance(p, bytes):
            out.append(p)
        else:
            out.append(b"<td>" + html.escape(vals[p], quote=False).encode("utf-8") + b"</td>")
    return b"".join(out)


# ---------------------------------------------------------------- transfers

NAME_FIELDS = ("ordenante_nombre", "ordenante_rfc", "ordenante_cuenta",
               "beneficiario_nombre", "beneficiario_rfc", "beneficiario_cuenta",
               "concepto", "banco_emisor", "banco_receptor")


def _str_field(spec, key, default=None, maxlen=120, required=False):
    v = spec.get(key, None)
    if v is None:
        if required:
            raise InputError(key, "is required")
        return default
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise InputError(key, "must be a string")
    v = str(v).strip()
    if required and not v:
        raise InputError(key, "must not be empty")
    if "|" in v:
        raise InputError(key, "must not contain '|' (it separates cadenaCDA fields)")
    if any(ord(c) < 32 for c in v):
        raise InputError(key, "must not contain control characters")
    if len(v) > maxlen:
        raise InputError(key, "longer than %d characters" % maxlen)
    return v


def _participant(spec, key):
    v = spec.get(key)
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str) or not re.match(r"^\d{1,5}$", v.strip()):
        raise InputError(key, "must be a participant code (digits, e.g. 40012 or 2001)")
    return str(int(v))


def _referencia(s):
    ref = s.get("referencia")
    if isinstance(ref, int) and not isinstance(ref, bool):
        ref = str(ref)
    if ref is None:
        return None
    ref = _str_field({"referencia": ref}, "referencia", maxlen=7)
    if not ref.isdigit():
        raise InputError("referencia", "must be 1 to 7 digits")
    return ref


def _flatten(spec):
    """Accept nested {"ordenante": {"nombre":..}} as well as flat keys."""
    spec = dict(spec)
    for party in ("ordenante", "beneficiario"):
        sub = spec.pop(party, None)
        if sub is None:
            continue
        if not isinstance(sub, dict):
            raise InputError(party, "must be an object")
        for k, v in sub.items():
            spec.setdefault("%s_%s" % (party, k), v)
    return spec


class Transfer:
    """One SPEI payment known to the simulated portal."""

    def __init__(self, tid):
        self.id = tid

    # -- creation ---------------------------------------------------------
    @classmethod
    def from_spec(cls, spec, catalog, tid=None):
        if not isinstance(spec, dict):
            raise InputError("", "a transfer must be a JSON object")
        t = cls(tid or str(uuid.uuid4()))
        if spec.get("cep_xml") is not None:
            t._from_xml(_flatten(spec), catalog)
        else:
            t._from_fields(_flatten(spec), catalog)
        t._common(spec)
        return t

    def _from_fields(self, s, catalog):
        self.fecha = simcep.parse_date_iso(s.get("fecha"), "fecha")
        self.fecha_operacion = (simcep.parse_date_iso(s["fecha_operacion"], "fecha_operacion")
                                if s.get("fecha_operacion") is not None else self.fecha)
        clave = _str_field(s, "clave_rastreo", maxlen=30)
        ref = _referencia(s)
        if not clave and not ref:
            raise InputError("clave_rastreo", "clave_rastreo or referencia is required")
        self.clave_rastreo = clave or ref
        self.referencia = ref or simcep.digest_digits("ref|" + self.clave_rastreo, 7)
        self.emisor = _participant(s, "emisor")
        self.receptor = _participant(s, "receptor")
        self.cuenta = _str_field(s, "cuenta", required=True, maxlen=20)
        self.monto = simcep.parse_money(s.get("monto"), "monto")
        iva = s.get("iva")
        self.iva = simcep.parse_money(iva, "iva") if iva is not None else Decimal("0.00")
        self.hora = (simcep.parse_time(s["hora"]) if s.get("hora") is not None
                     else self._default_hora())
        tp = s.get("tipo_pago", 1)
        if isinstance(tp, str) and tp.isdigit():
            tp = int(tp)
        if not isinstance(tp, int) or isinstance(tp, bool) or not 0 <= tp <= 99:
            raise InputError("tipo_pago", "must be an integer 0..99")
        self.tipo_pago = tp
        self.banco_emisor = _str_field(s, "banco_emisor") or catalog.name(self.emisor)
        self.banco_receptor = _str_field(s, "banco_receptor") or catalog.name(self.receptor)
        ob = catalog.get(self.emisor)
        default_oc = "NA"
        if ob and ob.prefix.isdigit():
            first = ob.prefix + "180" + simcep.digest_digits("ord|" + self.clave_rastreo, 11)
            default_oc = first + simcep.clabe_control(first)
        self.ordenante_nombre = _str_field(s, "ordenante_nombre", "Ordenante Simulado")
        self.ordenante_cuenta = _str_field(s, "ordenante_cuenta", default_oc, maxlen=20)
        self.ordenante_rfc = _str_field(s, "ordenante_rfc", "XAXX010101000", maxlen=18)
        self.beneficiario_nombre = _str_field(s, "beneficiario_nombre", "Beneficiario Simulado")
        self.beneficiario_cuenta = _str_field(s, "beneficiario_cuenta", self.cuenta, maxlen=20)
        self.beneficiario_rfc = _str_field(s, "beneficiario_rfc", "ND", maxlen=18)
        self.concepto = _str_field(s, "concepto", "PAGO SIMULADO", maxlen=210)
        self.ordenante_tipo_cuenta = self._tc(s, "ordenante_tipo_cuenta", self.ordenante_cuenta)
        self.beneficiario_tipo_cuenta = self._tc(s, "beneficiario_tipo_cuenta",
                                                 self.beneficiario_cuenta)
        cert = _str_field(s, "numero_certificado", maxlen=20)
        if cert is not None and not re.match(r"^\d{20}$", cert):
            raise InputError("numero_certificado", "must be 20 digits")
        self.numero_certificado = cert or simcep.certificate_for(self.receptor)
        self.clave_spei = self.receptor
        self.given_xml = False
        self.xml = simcep.build_cep(self.__dict__)

    @staticmethod
    def _tc(s, key, account):
        v = s.get(key)
        if v is None:
            return simcep.tipo_cuenta_for(account)
        v = str(v)
        if not re.match(r"^-?\d{1,2}$", v):
            raise InputError(key, "must be a number such as 40, 3, 10 or -1")
        return v

    def _default_hora(self):
        n = int(simcep.digest_digits("hora|" + self.clave_rastreo, 6))
        return "%02d:%02d:%02d" % (8 + n % 10, (n // 10) % 60, (n // 1000) % 60)

    def _from_xml(self, s, catalog):
        raw = s["cep_xml"]
        if not isinstance(raw, str):
            raise InputError("cep_xml", "must be a string with the XML")
        self.xml = raw.encode("utf-8")
        try:
            info = simcep.cep_info(self.xml)
        except ValueError as e:
            raise InputError("cep_xml", str(e))
        ben, ordn = info["Beneficiario"], info["Ordenante"]
        try:
            self.fecha_operacion = datetime.date.fromisoformat(info["FechaOperacion"])
        except ValueError:
            raise InputError("cep_xml", "FechaOperacion is not YYYY-MM-DD")
        if s.get("fecha") is not None:
            self.fecha = simcep.parse_date_iso(s["fecha"], "fecha")
        else:
            fa = info["fecha_abono"]
            try:
                self.fecha = datetime.datetime.strptime(fa, "%d%m%Y").date()
            except ValueError:
                self.fecha = self.fecha_operacion
        self.clave_rastreo = info["claveRastreo"]
        if not self.clave_rastreo:
            raise InputError("cep_xml", "claveRastreo is missing")
        ref = _referencia(s)
        self.referencia = ref or simcep.digest_digits("ref|" + self.clave_rastreo, 7)
        # receptor: ClaveSPEI is the receiving participant in every sample
        if s.get("receptor") is not None:
            self.receptor = _participant(s, "receptor")
        elif info["ClaveSPEI"].isdigit():
            self.receptor = str(int(info["ClaveSPEI"]))
        else:
            self.receptor = catalog.code_for_name(ben.get("BancoReceptor"))
        if s.get("emisor") is not None:
            self.emisor = _participant(s, "emisor")
        else:
            self.emisor = (catalog.code_for_name(ordn.get("BancoEmisor"))
                           or catalog.code_for_clabe(ordn.get("Cuenta")))
        if not self.receptor:
            raise InputError("receptor", "cannot tell the receiving participant from the XML; give receptor")
        if not self.emisor:
            raise InputError("emisor", "unknown BancoEmisor %r in the XML; give emisor"
                             % ordn.get("BancoEmisor"))
        if s.get("cuenta") is not None:
            self.cuenta = _str_field(s, "cuenta", required=True, maxlen=20)
        else:
            c = ben.get("Cuenta", "NA")
            # "pago a banco" (tipos 4, 31): clients query with the ordenante account
            self.cuenta = ordn.get("Cuenta", "NA") if c == "NA" else c
        if s.get("monto") is not None:
            self.monto = simcep.parse_money(s["monto"], "monto")
        else:
            try:
                self.monto = Decimal(ben.get("MontoPago", "")).quantize(Decimal("0.01"))
            except Exception:
                raise InputError("cep_xml", "Beneficiario MontoPago is not a number")
        self.hora = info["Hora"] or "00:00:00"
        self.banco_emisor = ordn.get("BancoEmisor", "")
        self.banco_receptor = ben.get("BancoReceptor", "")
        self.numero_certificado = info["numeroCertificado"]
        self.clave_spei = info["ClaveSPEI"]
        self.tipo_pago = info["tipo_pago"]
        self.iva = ben.get("IVA", "")
        self.concepto = ben.get("Concepto", "")
        self.given_xml = True

    def _common(self, s):
        cep = s.get("cep_available", True)
        if not isinstance(cep, bool):
            raise InputError("cep_available", "must be true or false")
        self.cep_available = cep
        self.estado = _str_field(s, "estado", "Liquidado", maxlen=40)
        n = s.get("appears_after_queries", 0)
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise InputError("appears_after_queries", "must be a non-negative integer")
        self.hidden_queries = n
        self.queries = 0
        try:
            hh = datetime.datetime.strptime(self.hora, "%H:%M:%S").time()
        except ValueError:
            hh = datetime.time(0, 0, 0)
        rec = datetime.datetime.combine(self.fecha, hh)
        self.recepcion = rec.strftime("%d/%m/%Y %H:%M:%S")
        self.procesamiento = (rec + datetime.timedelta(seconds=3)).strftime("%d/%m/%Y %H:%M:%S")
        self.info = simcep.cep_info(self.xml)
        self.basename = "CEP-%s-%s" % (self.fecha_operacion.strftime("%Y%m%d"),
                                       self.clave_rastreo)
        self._pdf = None
        self._zip = None
        self.spec = {k: v for k, v in s.items()}

    # -- outputs ----------------------------------------------------------
    def pdf(self):
        if self._pdf is None:
            self._pdf = simcep.build_pdf(self.info)
        return self._pdf

    def zip(self):
        if self._zip is None:
            self._zip = simcep.build_zip(self.basename, self.xml, self.pdf())
        return self._zip

    def key(self):
        return (self.fecha, self.clave_rastreo, int(self.emisor))

    def as_json(self):
        i = self.info
        return {
            "id": self.id,
            "fecha": self.fecha.isoformat(),
            "fecha_operacion": self.fecha_operacion.isoformat(),
            "hora": self.hora,
            "clave_rastreo": self.clave_rastreo,
            "referencia": self.referencia,
            "emisor": self.emisor,
            "receptor": self.receptor,
            "cuenta": self.cuenta,
            "monto": simcep.fmt_2dec(self.monto),
            "cep_available": self.cep_available,
            "estado": self.estado,
            "appears_after_queries": self.hidden_queries,
            "queries": self.queries,
            "given_xml": self.given_xml,
            "filename": self.basename + ".xml",
            "xml": {
                "FechaOperacion": i["FechaOperacion"],
                "Hora": i["Hora"],
                "ClaveSPEI": i["ClaveSPEI"],
                "claveRastreo": i["claveRastreo"],
                "numeroCertificado": i["numeroCertificado"],
                "sello": i["sello"],
                "cadenaCDA": i["cadenaCDA"],
                "cadena_fields": i["fields"],
                "tipo_pago": i["tipo_pago"],
                "Beneficiario": i["Beneficiario"],
                "Ordenante": i["Ordenante"],
                "bytes": len(self.xml),
            },
        }


def _norm_code(v):
    v = (v or "").strip()
    return str(int(v)) if v.isdigit() else v


def _norm_ref(v):
    v = (v or "").strip()
    return str(int(v)) if v.isdigit() else v


class State:
    """Everything mutable, guarded by one lock."""

    def __init__(self, catalog, state_file=None):
        self.lock = threading.Lock()
        self.catalog = catalog
        self.state_file = state_file
        self.dirty = False
        self.reset()

    def reset(self):
        self.transfers = OrderedDict()        # id -> Transfer
        self.by_key = {}                      # (fecha, clave, emisor) -> Transfer
        self.by_day = {}                      # (fecha, emisor, receptor) -> [Transfer]
        self.sessions = OrderedDict()         # JSESSIONID -> transfer id | None
        self.mode = dict(NORMAL)
        self.stats = {"requests": 0, "by_url": {}, "by_mode": {}, "by_url_mode": {},
                      "by_outcome": {}, "control": 0}
        self.started = time.time()
        self.dirty = True

    # -- transfers ----------------------------------------------------------
    def add(self, t):
        if t.key() in self.by_key:
            return self.by_key[t.key()]
        self.transfers[t.id] = t
        self.by_key[t.key()] = t
        self.by_day.setdefault((t.fecha, int(t.emisor), int(t.receptor)), []).append(t)
        self.dirty = True
        return None

    def remove(self, tid):
        t = self.transfers.pop(tid, None)
        if t is None:
            return False
        self.by_key.pop(t.key(), None)
        lst = self.by_day.get((t.fecha, int(t.emisor), int(t.receptor)), [])
        if t in lst:
            lst.remove(t)
        self.dirty = True
        return True

    def match(self, form):
        """Returns (outcome, transfer): outcome one of found, not_found_be,
        not_found_operacion, hidden."""
        g = lambda k: (form.get(k) or [""])[0].strip()
        try:
            fecha = datetime.datetime.strptime(g("fecha"), "%d-%m-%Y").date()
        except ValueError:
            return "not_found_be", None
        emisor, receptor = _norm_code(g("emisor")), _norm_code(g("receptor"))
        if not emisor.isdigit() or not receptor.isdigit():
            return "not_found_be", None
        day = self.by_day.get((fecha, int(emisor), int(receptor)))
        if not day:
            return "not_found_be", None
        tipo = g("tipoCriterio").upper() or "T"
        criterio = g("criterio")
        cuenta = g("cuenta")
        monto = simcep.parse_money(g("monto"), query=True)
        for t in day:
            if tipo == "R":
                if _norm_ref(criterio) != _norm_ref(t.referencia):
                    continue
            elif criterio != t.clave_rastreo:
                continue
            if cuenta != t.cuenta or monto is None or monto != t.monto:
                continue
            t.queries += 1
            if t.queries <= t.hidden_queries:
                self.dirty = True
                return "hidden", t
            return "found", t
        return "not_found_operacion", None

    # -- sessions -----------------------------------------------------------
    def session(self, sid, create=True):
        if sid and sid in self.sessions:
            self.sessions.move_to_end(sid)
            return sid, False
        if not create:
            return None, False
        sid = "%s!%d" % (secrets.token_urlsafe(39)[:52],
                         struct.unpack("!i", os.urandom(4))[0])
        self.sessions[sid] = None
        while len(self.sessions) > MAX_SESSIONS:
            self.sessions.popitem(last=False)
        return sid, True

    # -- stats ----------------------------------------------------------------
    def count(self, url, mode, outcome):
        s = self.stats
        s["requests"] += 1
        s["by_url"][url] = s["by_url"].get(url, 0) + 1
        s["by_mode"][mode] = s["by_mode"].get(mode, 0) + 1
        um = s["by_url_mode"].setdefault(url, {})
        um[mode] = um.get(mode, 0) + 1
        s["by_outcome"][outcome] = s["by_outcome"].get(outcome, 0) + 1

    # -- persistence ----------------------------------------------------------
    def snapshot(self):
        return {"version": 1, "transfers": [
            {"id": t.id, "spec": t.spec, "queries": t.queries}
            for t in self.transfers.values()]}

    def load(self):
        if not self.state_file or not os.path.exists(self.state_file):
            return 0
        with open(self.state_file, encoding="utf-8") as f:
            data = json.load(f, parse_float=Decimal)
        n = 0
        for item in data.get("transfers", []):
            t = Transfer.from_spec(item["spec"], self.catalog, tid=item["id"])
            t.queries = int(item.get("queries", 0))
            self.add(t)
            n += 1
        self.dirty = False
        return n

    def save(self):
        if not self.state_file:
            return
        with self.lock:
            if not self.dirty:
                return
            snap = self.snapshot()
            self.dirty = False
        tmp = "%s.tmp.%d" % (self.state_file, os.getpid())
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(snap, f, default=_json_default, ensure_ascii=False, indent=1)
        os.replace(tmp, self.state_file)


def _json_default(o):
    if isinstance(o, Decimal):
        return str(o)
    if isinstance(o, (datetime.date,)):
        return o.isoformat()
    raise TypeError(type(o).__name__)


# ---------------------------------------------------------------- HTTP

_date_cache = [0, ""]


def http_date():
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[1] = email.utils.formatdate(now, usegmt=True)
        _date_cache[0] = now
    return _date_cache[1]


REASONS = {200: "OK", 201: "Created", 204: "No Content", 302: "Moved Temporarily",
           400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           409: "Conflict", 413: "Request Entity Too Large", 422: "Unprocessable Entity",
           500: "Internal Server Error"}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, addr, state, pages, bases, verbose=False, secure_cookies=False):
        self.state = state
        self.pages = pages
        self.bases = bases
        self.verbose = verbose
        self.secure_cookies = secure_cookies
        family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        self.address_family = family
        super().__init__(addr, Handler)

    def shutdown_request(self, request):
        # A socket set to SO_LINGER {1, 0} (mode "reset") must be closed
        # without shutdown(SHUT_WR), which would send a FIN before the RST.
        try:
            l_onoff, l_linger = struct.unpack(
                "ii", request.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))
        except OSError:
            l_onoff = 0
        if l_onoff:
            self.close_request(request)
        else:
            super().shutdown_request(request)

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


class Drop(Exception):
    """Close the connection without (completing) an answer."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "banxico-sim"
    sys_version = ""

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("banxico-sim: %s - %s\n" % (self.address_string(), fmt % args))

    def log_request(self, code="-", size="-"):
        if self.server.verbose:
            self.log_message('"%s" %s %s', self.requestline, code, size)

    # -- low level ----------------------------------------------------------
    def send(self, status, headers, body, chunked=False, close=False):
        lines = ["HTTP/1.1 %d %s" % (status, REASONS.get(status, "Status"))]
        for k, v in headers:
            lines.append("%s: %s" % (k, v))
        lines.append("Date: " + http_date())
        if chunked:
            lines.append("Transfer-Encoding: chunked")
            payload = (b"%x\r\n" % len(body) + body + b"\r\n" if body else b"") + b"0\r\n\r\n"
        else:
            lines.append("Content-Length: %d" % len(body))
            payload = body
        if close:
            lines.append("Connection: close")
            self.close_connection = True
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if self.command == "HEAD":
            payload = b""
        self.wfile.write(head + payload)
        self.log_request(status, len(body))

    def send_json(self, status, obj, extra=()):
        body = (json.dumps(obj, default=_json_default, ensure_ascii=False, indent=1)
                + "\n").encode("utf-8")
        self.send(status, [("Content-Type", "application/json; charset=utf-8"),
                           ("Server", "banxico-sim"), ("Cache-Control", "no-store")]
                  + list(extra), body)

    def read_body(self):
        n = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline(65537)
                if len(out) > MAX_BODY:
                    raise Drop()
        if not n:
            return b""
        try:
            n = int(n)
        except ValueError:
            raise Drop()
        if n < 0 or n > MAX_BODY:
            raise Drop()
        return self.rfile.read(n)

    def cookies(self):
        out = {}
        for h in self.headers.get_all("Cookie") or []:
            for part in h.split(";"):
                if "=" in part:
                    k, v = part.split("=", 1)
                    out.setdefault(k.strip(), v.strip())
        return out

    def edge_cookies(self):
        """The load balancer / WAF cookies every portal answer re-sets."""
        exp = email.utils.formatdate(time.time() + 8 * 3600, usegmt=True)
        exp = exp[:7] + "-" + exp[8:11] + "-" + exp[12:]  # Wed, 19-Feb-2025 05:41:27 GMT
        return [
            ("Set-Cookie", "Hex39764011=!%s; expires=%s; path=/; Httponly"
             % (secrets.token_urlsafe(60)[:80], exp)),
            ("Set-Cookie", "TS012f422b=01%s; Path=/; " % secrets.token_hex(79)),
            ("Set-Cookie", "TS604574e3027=08%s; Path=/" % secrets.token_hex(94)),
        ]

    def jsession_cookie(self, sid):
        return ("Set-Cookie", "JSESSIONID=%s; path=/;%s HttpOnly"
                % (sid, " secure;" if self.server.secure_cookies else ""))

    def reset_connection(self, partial):
        try:
            self.wfile.write(partial)
        except OSError:
            pass
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        raise Drop()

    # -- dispatch -----------------------------------------------------------
    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except Drop:
            self.close_connection = True
        except (ConnectionError, socket.timeout):
            self.close_connection = True

    def dispatch(self):
        url = urlsplit(self.path)
        path = url.path
        body = self.read_body()
        if path == "/_sim" or path.startswith("/_sim/"):
            with self.server.state.lock:
                self.server.state.stats["control"] += 1
            return self.control(path, url.query, body)
        for base in self.server.bases:
            if path == base.rstrip("/") and self.command in ("GET", "HEAD"):
                return self.send(302, [("Location", base), ("Server", "mxbanxico"),
                                       ("Connection", "Keep-Alive")], b"")
            if path.startswith(base):
                return self.portal(base, path[len(base):], url.query, body)
        self.not_found(path)

    def not_found(self, url, mode="normal"):
        st = self.server.state
        with st.lock:
            st.count(url, mode, "http404")
        self.send(404, [("Content-Type", "text/html")] + self.edge_cookies()[2:] + [
            ("Strict-Transport-Security", "max-age=480; preload"),
            ("X-Robots-Tag", "noindex, nofollow")], self.server.pages["http404"])

    # -- portal -------------------------------------------------------------
    def portal(self, base, rel, query, body):
        st = self.server.state
        pages = self.server.pages
        if rel == "valida.do":
            kind = "valida"
        elif rel == "descarga.do":
            kind = "descarga"
        elif rel in ("", "index.do"):
            kind = "warmup"
        elif rel == "instituciones.do":
            kind = "instituciones"
        else:
            return self.not_found(base + rel)
        q = parse_qs(query, keep_blank_values=True)
        url = base + rel
        if kind == "descarga":
            url += "?formato=" + (q.get("formato") or [""])[0]
        with st.lock:
            m = st.mode
            applies = m["scope"] in ("all", kind)
            mode = m["mode"] if applies else "normal"
            delay = m["delay_ms"] if applies else 0
            if applies and mode != "normal" and m["count"] is not None:
                m["count"] -= 1
                if m["count"] <= 0:
                    st.mode = dict(NORMAL, not_found=m["not_found"])
        if delay:
            time.sleep(delay / 1000.0)
        if mode == "down":
            with st.lock:
                st.count(url, mode, "dropped")
            raise Drop()
        if mode == "http500":
            with st.lock:
                st.count(url, mode, "http500")
            return self.send(500, [("Content-Type", HTML_CT)] + self.edge_cookies(),
                             pages["http500"], close=True)
        if mode == "reset":
            with st.lock:
                st.count(url, mode, "reset")
            page = pages["ok"]
            head = ("HTTP/1.1 200 OK\r\nContent-Language: es-MX\r\nContent-Type: %s\r\n"
                    "Content-Length: %d\r\nDate: %s\r\n\r\n" % (HTML_CT, len(page), http_date()))
            return self.reset_connection(head.encode() + page[:len(page) // 3])
        if kind == "warmup":
            return self.warmup(url, mode)
        if kind == "instituciones":
            return self.instituciones(url, mode)
        if kind == "valida":
            if self.command == "POST":
                form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            elif self.command in ("GET", "HEAD"):
                form = q
            else:
                return self.method_not_allowed(url, mode, "GET, POST")
            return self.valida(url, mode, form)
        if self.command not in ("GET", "HEAD"):
            return self.method_not_allowed(url, mode, "GET")
        return self.descarga(url, mode, (q.get("formato") or [""])[0])

    def method_not_allowed(self, url, mode, allow):
        with self.server.state.lock:
            self.server.state.count(url, mode, "http405")
        body = (b'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0 Draft//EN">\n<HTML>\n<HEAD>\n'
                b"<TITLE>Error 405--Method Not Allowed</TITLE>\n</HEAD>\n<BODY bgcolor=\"white\">\n"
                b"<H2>Error 405--Method Not Allowed</H2>\n</BODY>\n</HTML>\n")
        self.send(405, [("Content-Type", HTML_CT), ("Allow", allow)] + self.edge_cookies(), body)

    def warmup(self, url, mode):
        st = self.server.state
        with st.lock:
            sid, new = st.session(self.cookies().get("JSESSIONID"))
            st.count(url, mode, "warmup")
        hdrs = [("Content-Language", "es-MX"), ("Content-Type", HTML_CT)]
        if new:
            hdrs.append(self.jsession_cookie(sid))
        self.send(200, hdrs + self.edge_cookies(), WARMUP_PAGE)

    def instituciones(self, url, mode):
        st = self.server.state
        with st.lock:
            st.count(url, mode, "instituciones")
        cat = st.catalog
        lst = [[b.code, b.name] for _, b in sorted(cat.by_code.items())]
        body = json.dumps({"instituciones": lst, "institucionesMISPEI": [],
                           "overrideCaptcha": False}, ensure_ascii=False).encode("utf-8")
        self.send(200, [("Content-Language", "es-MX"),
                        ("Content-Type", "application/json;charset=UTF-8")]
                  + self.edge_cookies(), body)

    def valida(self, url, mode, form):
        st = self.server.state
        pages = self.server.pages
        tipo_consulta = (form.get("tipoConsulta") or ["1"])[0].strip()
        chunked = False
        with st.lock:
            sid, _ = st.session(self.cookies().get("JSESSIONID"))
            st.sessions[sid] = None          # a query replaces the armed CEP
            if mode == "throttled":
                outcome, page = "throttled", pages["max_valida"]
            elif mode == "captcha":
                outcome, page = "captcha", pages["captcha"]
            else:
                outcome, t = st.match(form)
                if outcome == "found":
                    if not t.cep_available:
                        outcome, page, chunked = "found_no_cep", render_found(pages, t, t.estado), True
                    elif tipo_consulta == "0":
                        outcome, page, chunked = "found_status", render_found(pages, t, t.estado), True
                    else:
                        outcome, page = "ok", pages["ok"]
                        st.sessions[sid] = t.id
                else:
                    nf = st.mode["not_found"]
                    if nf == "auto":
                        nf = "be" if outcome == "not_found_be" else "operacion"
                    page = pages[nf]
            st.count(url, mode, "valida_" + outcome)
        hdrs = [("Content-Language", "es-MX"), ("Content-Type", HTML_CT),
                self.jsession_cookie(sid)] + self.edge_cookies()
        self.send(200, hdrs, page, chunked=chunked)

    def descarga(self, url, mode, formato):
        st = self.server.state
        pages = self.server.pages
        with st.lock:
            sid = self.cookies().get("JSESSIONID")
            tid = st.sessions.get(sid) if sid else None
            t = st.transfers.get(tid) if tid else None
            if mode == "throttled":
                outcome = "throttled"
            elif t is None:
                outcome = "no_session"
            elif formato not in ("XML", "PDF", "ZIP"):
                outcome = "bad_formato"
            else:
                outcome = formato.lower()
            st.count(url, mode, "descarga_" + outcome)
        if outcome == "throttled":
            return self.send(200, [("Content-Language", "es-MX"), ("Content-Type", HTML_CT)]
                             + self.edge_cookies(), pages["max_descarga"])
        if outcome in ("no_session", "bad_formato"):
            return self.send(500, [("Content-Type", HTML_CT)] + self.edge_cookies(),
                             pages["http500"], close=True)
        if formato == "XML":
            body, ct = t.xml, "application/xml"
            if mode == "malformed_xml":
                body = body[:len(body) // 2]
            elif mode == "altered_xml":
                body = alter_amount(body)
        elif formato == "PDF":
            with st.lock:
                body = t.pdf()
            ct = "application/pdf"
        else:
            with st.lock:
                body = t.zip()
            ct = "application/zip"
        self.send(200, [("Content-Disposition", "attachment; filename=%s.%s"
                         % (t.basename, formato.lower())),
                        ("Content-Language", "es-MX"), ("Content-Type", ct)]
                  + self.edge_cookies(), body)

    # -- control API --------------------------------------------------------
    def control(self, path, query, body):
        st = self.server.state
        parts = [p for p in path.split("/") if p][1:]
        cmd = self.command
        try:
            if parts == [] and cmd == "GET":
                return self.send_json(200, {"status": "ok", "service": "banxico-sim",
                                            "bases": self.server.bases})
            if parts == ["transfers"]:
                if cmd == "POST":
                    return self.create_transfers(body)
                if cmd == "GET":
                    with st.lock:
                        items = [t.as_json() for t in st.transfers.values()]
                    return self.send_json(200, {"transfers": items})
                if cmd == "DELETE":
                    with st.lock:
                        n = len(st.transfers)
                        for tid in list(st.transfers):
                            st.remove(tid)
                    return self.send_json(200, {"deleted": n})
                return self.ctl_error(405, "method not allowed", allow="GET, POST, DELETE")
            if len(parts) in (2, 3) and parts[0] == "transfers":
                with st.lock:
                    t = st.transfers.get(parts[1])
                if t is None:
                    return self.ctl_error(404, "no transfer with id %s" % parts[1])
                if len(parts) == 3:
                    if cmd != "GET" or parts[2] not in ("xml", "pdf", "zip"):
                        return self.ctl_error(404, "unknown path")
                    with st.lock:
                        body, ct = {"xml": (t.xml, "application/xml"),
                                    "pdf": (None, "application/pdf"),
                                    "zip": (None, "application/zip")}[parts[2]]
                        if parts[2] == "pdf":
                            body = t.pdf()
                        elif parts[2] == "zip":
                            body = t.zip()
                    return self.send(200, [("Content-Type", ct), ("Server", "banxico-sim")], body)
                if cmd == "GET":
                    with st.lock:
                        return self.send_json(200, t.as_json())
                if cmd == "DELETE":
                    with st.lock:
                        st.remove(t.id)
                    return self.send(204, [("Server", "banxico-sim")], b"")
                return self.ctl_error(405, "method not allowed", allow="GET, DELETE")
            if parts == ["mode"]:
                if cmd == "GET":
                    with st.lock:
                        return self.send_json(200, dict(st.mode))
                if cmd in ("PUT", "POST"):
                    return self.set_mode(body)
                return self.ctl_error(405, "method not allowed", allow="GET, PUT")
            if parts == ["stats"] and cmd == "GET":
                with st.lock:
                    s = json.loads(json.dumps(st.stats))
                    s["mode"] = dict(st.mode)
                    s["transfers"] = len(st.transfers)
                    s["sessions"] = len(st.sessions)
                    s["uptime_s"] = round(time.time() - st.started, 3)
                return self.send_json(200, s)
            if parts == ["reset"] and cmd == "POST":
                with st.lock:
                    st.reset()
                return self.send_json(200, {"status": "reset"})
            return self.ctl_error(404, "unknown control path %s %s" % (cmd, path))
        except Drop:
            raise
        except Exception as e:  # never kill the connection thread on a bug
            return self.ctl_error(500, "internal error: %s: %s" % (type(e).__name__, e))

    def ctl_error(self, status, msg, field=None, allow=None):
        obj = {"error": msg}
        if field is not None:
            obj["field"] = field
        extra = [("Allow", allow)] if allow else []
        return self.send_json(status, obj, extra)

    def parse_json(self, body):
        try:
            return json.loads(body.decode("utf-8"), parse_float=Decimal), None
        except (UnicodeDecodeError, ValueError) as e:
            return None, "malformed JSON: %s" % e

    def create_transfers(self, body):
        st = self.server.state
        data, err = self.parse_json(body)
        if err:
            return self.ctl_error(400, err)
        many = isinstance(data, list)
        specs = data if many else [data]
        created = []
        try:
            built = []
            for i, spec in enumerate(specs):
                try:
                    built.append(Transfer.from_spec(spec, st.catalog))
                except InputError as e:
                    f = ("[%d].%s" % (i, e.field)) if many else e.field
                    return self.ctl_error(422, "%s: %s" % (f, e.message), field=f)
        finally:
            pass
        with st.lock:
            for t in built:
                dup = st.add(t)
                if dup is not None:
                    # roll back this batch
                    for c in created:
                        st.remove(c.id)
                    return self.ctl_error(409, "a transfer with fecha %s, clave_rastreo %s and "
                                          "emisor %s already exists (id %s)"
                                          % (t.fecha, t.clave_rastreo, t.emisor, dup.id))
                created.append(t)
            out = [t.as_json() for t in created]
        if many:
            return self.send_json(201, {"transfers": out})
        return self.send_json(201, out[0], [("Location", "/_sim/transfers/" + out[0]["id"])])

    def set_mode(self, body):
        st = self.server.state
        data, err = self.parse_json(body)
        if err:
            return self.ctl_error(400, err)
        if not isinstance(data, dict):
            return self.ctl_error(422, "body must be a JSON object")
        mode = data.get("mode")
        if mode not in MODES:
            return self.ctl_error(422, "mode must be one of %s" % ", ".join(MODES), field="mode")
        delay = data.get("delay_ms", 3000 if mode == "slow" else 0)
        if isinstance(delay, Decimal):
            delay = int(delay)
        if not isinstance(delay, int) or isinstance(delay, bool) or not 0 <= delay <= 600000:
            return self.ctl_error(422, "delay_ms must be an integer 0..600000", field="delay_ms")
        scope = data.get("scope", "all")
        if scope not in SCOPES:
            return self.ctl_error(422, "scope must be one of %s" % ", ".join(SCOPES), field="scope")
        count = data.get("count")
        if count is not None and (not isinstance(count, int) or isinstance(count, bool)
                                  or count < 1):
            return self.ctl_error(422, "count must be a positive integer", field="count")
        nf = data.get("not_found", "auto")
        if nf not in NOT_FOUND:
            return self.ctl_error(422, "not_found must be one of %s" % ", ".join(NOT_FOUND),
                                  field="not_found")
        with st.lock:
            st.mode = {"mode": mode, "delay_ms": delay, "scope": scope, "count": count,
                       "not_found": nf}
            cur = dict(st.mode)
        return self.send_json(200, cur)


_MONTO_RE = re.compile(rb'(<Beneficiario\b[^>]*?\sMontoPago=")([^"]*)(")')


def alter_amount(xml):
    """The XML with Beneficiario/@MontoPago raised by 1000 pesos; cadenaCDA
    (and everything else) untouched."""
    def repl(m):
        try:
            v = Decimal(m.group(2).decode()) + 1000
            new = simcep.fmt_monto(v).encode()
        except Exception:
            new = b"1000.01"
        return m.group(1) + new + m.group(3)
    return _MONTO_RE.sub(repl, xml, count=1)
