# simcep.py - CEP generation for the Banxico simulator: bank catalog, amounts,
# cadenaCDA, the SPEI_Tercero XML, a small hand-written PDF and the ZIP.
#
# Format reference: $MXCEP_SHARED_DIR/data/cep/CEP-XML.md (2024 beta shape, 47
# cadenaCDA fields).  Standard library only.
import base64
import datetime
import hashlib
import io
import re
import zipfile
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation

# ---------------------------------------------------------------- catalog


class Bank:
    __slots__ = ("code", "prefix", "short", "cep_name", "tag")

    def __init__(self, code, prefix, short, cep_name, tag):
        self.code, self.prefix, self.short = code, prefix, short
        self.cep_name, self.tag = cep_name, tag

    @property
    def name(self):
        """The name the CEP portal shows (XML BancoEmisor/BancoReceptor)."""
        return self.cep_name or self.short or self.code


class Catalog:
    def __init__(self, path):
        self.by_code = {}
        self.by_prefix = {}
        self.by_name = {}
        with open(path, encoding="utf-8") as f:
            header = None
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                cols = line.split("\t")
                if header is None:
                    header = cols
                    continue
                row = dict(zip(header, cols + [""] * (len(header) - len(cols))))
                b = Bank(row["participant_code"], row["clabe_prefix"],
                         row["short_name"], row["cep_name"],
                         row.get("clabe_validator_tag", ""))
                self.by_code[int(b.code)] = b
                self.by_prefix.setdefault(b.prefix, b)
                for n in (b.cep_name, b.short, b.tag):
                    if n:
                        self.by_name.setdefault(n.upper(), b)

    def get(self, code):
        try:
            return self.by_code.get(int(code))
        except (TypeError, ValueError):
            return None

    def name(self, code):
        b = self.get(code)
        return b.name if b else str(code)

    def code_for_name(self, name):
        b = self.by_name.get((name or "").strip().upper())
        return b.code if b else None

    def code_for_clabe(self, account):
        if account and len(account) == 18 and account.isdigit():
            b = self.by_prefix.get(account[:3])
            return b.code if b else None
        return None


# ---------------------------------------------------------------- values


class InputError(Exception):
    def __init__(self, field, message):
        super().__init__("%s: %s" % (field, message))
        self.field = field
        self.message = message


_MONEY_RE = re.compile(r"^\d{1,15}(\.\d{1,2})?$")


def parse_money(value, field="monto", query=False):
    """Exact peso amount from a JSON string/number or a form value.

    Control API (query=False): at most 2 decimals, >= 0.  Portal query
    (query=True): any non-negative decimal the portal would parse (e.g.
    "1111111.0", "3414.950"); None when it is not a number."""
    if isinstance(value, bool) or value is None:
        if query:
            return None
        raise InputError(field, "must be a decimal amount in pesos")
    if isinstance(value, (int, Decimal)):
        s = str(value)
    elif isinstance(value, float):
        s = repr(value)
    else:
        s = str(value).strip()
    if query:
        if not re.match(r"^\d+(\.\d+)?$", s):
            return None
        return Decimal(s)
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise InputError(field, "must be a decimal amount in pesos")
    if not d.is_finite() or d < 0:
        raise InputError(field, "must be a non-negative amount")
    if d != d.quantize(Decimal("0.01")):
        raise InputError(field, "more than 2 decimals (amounts are exact to the cent)")
    if d >= Decimal("1e15"):
        raise InputError(field, "too large")
    return d.quantize(Decimal("0.01"))


def fmt_monto(d):
    """MontoPago / cadenaCDA[19] as the 2024 portal writes it: no trailing
    zeros, no point for whole pesos (3414.95, 9858.7, 300)."""
    s = "%.2f" % d if not isinstance(d, Decimal) else format(d.quantize(Decimal("0.01")), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def fmt_2dec(d):
    return format(Decimal(d).quantize(Decimal("0.01")), "f")


def parse_date_iso(value, field):
    if not isinstance(value, str):
        raise InputError(field, "must be a date YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(field, "must be a date YYYY-MM-DD")


def parse_time(value, field="hora"):
    if not isinstance(value, str) or not re.match(r"^\d{2}:\d{2}:\d{2}$", value):
        raise InputError(field, "must be HH:MM:SS")
    h, m, s = (int(x) for x in value.split(":"))
    if h > 23 or m > 59 or s > 59:
        raise InputError(field, "must be HH:MM:SS")
    return value


def clabe_control(first17):
    w = (3, 7, 1)
    s = sum((int(c) * w[i % 3]) % 10 for i, c in enumerate(first17))
    return str((10 - s % 10) % 10)


def tipo_cuenta_for(account):
    """Default XML TipoCuenta for an account value."""
    if account == "NA":
        return "-1"
    if account.isdigit() and len(account) == 16:
        return "3"
    if account.isdigit() and len(account) == 10:
        return "10"
    return "40"


def tipo_cuenta_cadena(tc):
    """cadenaCDA form of an XML TipoCuenta: -1 -> NA, 6 -> 06, 40 -> 40."""
    tc = str(tc)
    if tc == "-1":
        return "NA"
    if tc.isdigit():
        return tc.zfill(2)
    return tc


def digest_digits(text, n):
    h = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return str(int(h, 16))[-n:].zfill(n)


def pseudo_seal(cadena_sin_sello):
    """Not a real signature: 256 bytes (RSA-2048 sized) = 8 SHA-256 blocks of
    "banxico-sim|<i>|<cadena up to and including numeroCertificado>", base64
    (344 chars).  Deterministic, so a test can recompute it."""
    raw = b"".join(hashlib.sha256(("banxico-sim|%d|" % i).encode() +
                                  cadena_sin_sello.encode("utf-8")).digest()
                   for i in range(8))
    return base64.b64encode(raw).decode("ascii")


def certificate_for(receptor):
    """Plausible 20-digit certificate serial, stable per receiving participant
    (production serials differ per receiving institution)."""
    return "00001000000" + digest_digits("cert|%s" % int(receptor), 9)


def xml_attr(v):
    return (v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#9;"))


# ---------------------------------------------------------------- XML


def build_cep(t):
    """t: dict with the normalised transfer fields (see simserver.Transfer).
    Returns (xml_bytes, info dict)."""
    fop = t["fecha_operacion"]
    fab = t["fecha"]
    hora = t["hora"]
    o_tc = t["ordenante_tipo_cuenta"]
    b_tc = t["beneficiario_tipo_cuenta"]
    head = [
        str(t["tipo_pago"]),
        fop.strftime("%d%m%Y"),
        fab.strftime("%d%m%Y"),
        hora.replace(":", ""),
        str(t["clave_spei"]),
        t["banco_emisor"],
        t["ordenante_nombre"], tipo_cuenta_cadena(o_tc), t["ordenante_cuenta"],
        t["ordenante_rfc"],
        t["banco_receptor"],
        t["beneficiario_nombre"], tipo_cuenta_cadena(b_tc), t["beneficiario_cuenta"],
        t["beneficiario_rfc"],
        t["concepto"],
        fmt_2dec(t["iva"]),
        fmt_monto(t["monto"]),
    ]
    tail = ["NA", "NA", "0", "0", "NA", "0", "0.00"] + ["NA"] * 17
    cert = t["numero_certificado"]
    cadena_sin_sello = "||" + "|".join(head + tail + [cert])
    sello = t.get("sello") or pseudo_seal(cadena_sin_sello)
    cadena = cadena_sin_sello + "||" + sello
    root = ('<SPEI_Tercero FechaOperacion="%s" Hora="%s" ClaveSPEI="%s" sello="%s" '
            'numeroCertificado="%s" cadenaCDA="%s" claveRastreo="%s">') % (
        fop.isoformat(), hora, xml_attr(str(t["clave_spei"])), xml_attr(sello),
        xml_attr(cert), xml_attr(cadena), xml_attr(t["clave_rastreo"]))
    ben = ('    <Beneficiario BancoReceptor="%s" Nombre="%s" TipoCuenta="%s" Cuenta="%s" '
           'RFC="%s" Concepto="%s" IVA="%s" MontoPago="%s"/>') % tuple(
        xml_attr(x) for x in (t["banco_receptor"], t["beneficiario_nombre"], str(b_tc),
                              t["beneficiario_cuenta"], t["beneficiario_rfc"],
                              t["concepto"], fmt_2dec(t["iva"]), fmt_monto(t["monto"])))
    ordn = ('    <Ordenante BancoEmisor="%s" Nombre="%s" TipoCuenta="%s" Cuenta="%s" '
            'RFC="%s"/>') % tuple(
        xml_attr(x) for x in (t["banco_emisor"], t["ordenante_nombre"], str(o_tc),
                              t["ordenante_cuenta"], t["ordenante_rfc"]))
    text = "\r\n".join(['<?xml version="1.0" encoding="UTF-8"?>', root, ben, ordn,
                        "</SPEI_Tercero>"])
    return text.encode("utf-8")


def cep_info(xml_bytes):
    """Key fields of a CEP XML (generated or given).  Raises ValueError."""
    try:
        root = ET.fromstring(xml_bytes)
    except ET.ParseError as e:
        raise ValueError("cep_xml is not well-formed XML: %s" % e)
    if root.tag not in ("SPEI_Tercero", "SPEI_Primero", "SPEIPrimero"):
        raise ValueError("cep_xml root element is <%s>, expected <SPEI_Tercero>" % root.tag)
    ben = root.find("Beneficiario")
    ordn = root.find("Ordenante")
    if ben is None or ordn is None:
        raise ValueError("cep_xml lacks Beneficiario or Ordenante")
    a = root.attrib
    cadena = a.get("cadenaCDA", "")
    parts = cadena.split("|")
    info = {
        "FechaOperacion": a.get("FechaOperacion", ""),
        "Hora": a.get("Hora", ""),
        "ClaveSPEI": a.get("ClaveSPEI", ""),
        "claveRastreo": a.get("claveRastreo", ""),
        "numeroCertificado": a.get("numeroCertificado", ""),
        "sello": a.get("sello", ""),
        "cadenaCDA": cadena,
        "tipo_pago": parts[2] if len(parts) > 2 else "",
        "fecha_abono": parts[4] if len(parts) > 4 else "",
        "Beneficiario": dict(ben.attrib),
        "Ordenante": dict(ordn.attrib),
        "fields": len(parts),
    }
    return info


# ---------------------------------------------------------------- PDF


def _pdf_str(s):
    b = s.encode("cp1252", "replace")
    return b"(" + b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _wrap(text, width):
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def build_pdf(info):
    """A one-page PDF 1.4 (Helvetica, WinAnsiEncoding, uncompressed) with the
    main CEP fields; readable by pdftotext."""
    b, o = info["Beneficiario"], info["Ordenante"]
    lines = [
        ("F2", 14, "Comprobante Electrónico de Pago (CEP)"),
        ("F1", 8, "SIMULADOR banxico-sim - documento de prueba, no emitido por Banco de México"),
        ("F1", 10, ""),
        ("F2", 10, "Datos de la operación"),
        ("F1", 10, "Fecha de operación: %s" % info["FechaOperacion"]),
        ("F1", 10, "Hora: %s" % info["Hora"]),
        ("F1", 10, "Clave de rastreo: %s" % info["claveRastreo"]),
        ("F1", 10, "Clave SPEI: %s" % info["ClaveSPEI"]),
        ("F1", 10, "Monto: %s" % b.get("MontoPago", "")),
        ("F1", 10, "IVA: %s" % b.get("IVA", "")),
        ("F1", 10, "Concepto del pago: %s" % b.get("Concepto", "")),
        ("F1", 10, ""),
        ("F2", 10, "Ordenante"),
        ("F1", 10, "Institución emisora: %s" % o.get("BancoEmisor", "")),
        ("F1", 10, "Nombre: %s" % o.get("Nombre", "")),
        ("F1", 10, "Cuenta: %s" % o.get("Cuenta", "")),
        ("F1", 10, "RFC/CURP: %s" % o.get("RFC", "")),
        ("F1", 10, ""),
        ("F2", 10, "Beneficiario"),
        ("F1", 10, "Institución receptora: %s" % b.get("BancoReceptor", "")),
        ("F1", 10, "Nombre: %s" % b.get("Nombre", "")),
        ("F1", 10, "Cuenta: %s" % b.get("Cuenta", "")),
        ("F1", 10, "RFC/CURP: %s" % b.get("RFC", "")),
        ("F1", 10, ""),
        ("F1", 10, "Número de certificado: %s" % info["numeroCertificado"]),
        ("F2", 9, "Cadena original:"),
    ]
    lines += [("F1", 7, x) for x in _wrap(info["cadenaCDA"].split("||")[1] if "||" in info["cadenaCDA"] else info["cadenaCDA"], 110)]
    lines.append(("F2", 9, "Sello digital:"))
    lines += [("F1", 7, x) for x in _wrap(info["sello"], 110)]
    y = 800
    ops = [b"BT"]
    for font, size, text in lines:
        ops.append(b"/%s %d Tf 1 0 0 1 40 %d Tm %s Tj" % (font.encode(), size, y, _pdf_str(text)))
        y -= size + 4
    ops.append(b"ET")
    content = b"\n".join(ops) + b"\n"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Producer (banxico-sim) /Title (CEP %s) >>" % _pdf_str(info["claveRastreo"])[1:-1],
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objs) + 1, xref))
    return out.getvalue()


def build_zip(basename, xml_bytes, pdf_bytes):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(basename + ".xml", xml_bytes)
        z.writestr(basename + ".pdf", pdf_bytes)
    return buf.getvalue()
