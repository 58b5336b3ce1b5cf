#!/usr/bin/python3
# cepcheck.py FILE... - check that a CEP XML's cadenaCDA agrees with its
# attributes (field order and formats of $MXCEP_SHARED_DIR/data/cep/CEP-XML.md).
# Exit 0 when every file is consistent, 1 otherwise (one line per problem).
# Options: --strict-seal also recomputes banxico-sim's pseudo seal.
import re
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal

sys.dont_write_bytecode = True


def tc_cadena(tc):
    if tc == "-1":
        return "NA"
    return tc.zfill(2) if tc.isdigit() else tc


def same_amount(a, b):
    try:
        return Decimal(a) == Decimal(b)
    except Exception:
        return False


def check(data, strict_seal=False):
    errs = []
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        return ["not well-formed XML: %s" % e]
    if not data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\r\n'):
        errs.append("prolog/CRLF differs from the portal's")
    if root.tag != "SPEI_Tercero":
        errs.append("root is %s" % root.tag)
    kids = [c.tag for c in root]
    if kids != ["Beneficiario", "Ordenante"]:
        errs.append("children are %s, expected Beneficiario, Ordenante" % kids)
        return errs
    a = root.attrib
    b, o = root[0].attrib, root[1].attrib
    order = ["FechaOperacion", "Hora", "ClaveSPEI", "sello", "numeroCertificado",
             "cadenaCDA", "claveRastreo"]
    if list(a) != order:
        errs.append("SPEI_Tercero attributes %s" % list(a))
    if list(b) != ["BancoReceptor", "Nombre", "TipoCuenta", "Cuenta", "RFC", "Concepto",
                   "IVA", "MontoPago"]:
        errs.append("Beneficiario attributes %s" % list(b))
    if list(o) != ["BancoEmisor", "Nombre", "TipoCuenta", "Cuenta", "RFC"]:
        errs.append("Ordenante attributes %s" % list(o))
    c = a.get("cadenaCDA", "").split("|")
    if len(c) < 23 or c[0] != "" or c[1] != "":
        return errs + ["cadenaCDA has %d fields / does not start with ||" % len(c)]
    fo = a["FechaOperacion"]
    want = {
        3: fo[8:10] + fo[5:7] + fo[0:4],
        5: a["Hora"].replace(":", ""),
        6: a["ClaveSPEI"],
        7: o["BancoEmisor"], 8: o["Nombre"], 9: tc_cadena(o["TipoCuenta"]),
        10: o["Cuenta"], 11: o["RFC"],
        12: b["BancoReceptor"], 13: b["Nombre"], 14: tc_cadena(b["TipoCuenta"]),
        15: b["Cuenta"], 16: b["RFC"], 17: b["Concepto"],
    }
    for i, v in want.items():
        if c[i] != v:
            errs.append("cadenaCDA[%d] = %r but the attributes say %r" % (i, c[i], v))
    if not re.match(r"^\d{1,2}$", c[2]):
        errs.append("cadenaCDA[2] (tipo de pago) = %r" % c[2])
    if not re.match(r"^\d{8}$", c[4]):
        errs.append("cadenaCDA[4] (fecha de abono) = %r" % c[4])
    if not same_amount(c[18], b["IVA"]) or c[18] != b["IVA"]:
        errs.append("cadenaCDA[18] = %r but IVA = %r" % (c[18], b["IVA"]))
    if c[19] != b["MontoPago"]:
        errs.append("cadenaCDA[19] = %r but MontoPago = %r" % (c[19], b["MontoPago"]))
    if c[-3] != a["numeroCertificado"] or c[-2] != "" or c[-1] != a["sello"]:
        errs.append("cadenaCDA tail is not |numeroCertificado||sello")
    if not re.match(r"^\d{20}$", a["numeroCertificado"]):
        errs.append("numeroCertificado %r is not 20 digits" % a["numeroCertificado"])
    if len(a["sello"]) != 344 or not re.match(r"^[A-Za-z0-9+/]+=*$", a["sello"]):
        errs.append("sello is not 344 base64 characters")
    if strict_seal:
        sys.path.insert(0, __file__.rsplit("/", 1)[0])
        import simcep
        cad = "|".join(c[:-2])
        if simcep.pseudo_seal(cad) != a["sello"]:
            errs.append("sello is not banxico-sim's seal of the cadena")
    return errs


def main(argv):
    strict = "--strict-seal" in argv
    files = [f for f in argv if f != "--strict-seal"]
    if not files:
        print("usage: cepcheck.py [--strict-seal] FILE...", file=sys.stderr)
        return 2
    bad = 0
    for f in files:
        with open(f, "rb") as fh:
            errs = check(fh.read(), strict)
        for e in errs:
            print("%s: %s" % (f, e))
        bad += bool(errs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
