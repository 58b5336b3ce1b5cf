/*
 * mxcep: the attributes of a CEP XML that are read and checked (which
 * element holds each, its field in the signed cadenaCDA, how the two
 * compare), and the error filler; shared by cep_xml.c, which reads
 * them, and cep_check.c, which checks them, so neither calls the other
 * back. Field meanings: shared/data/cep/CEP-XML.md.
 */
#include <stdarg.h>
#include <stdio.h>

#include "banxico/cep_int.h"

const struct cep_attr_def cep_attrs[A__MAX] = {
	[A_FECHA] =	{ E_ROOT, "FechaOperacion", 3, CMP_DATE },
	[A_HORA] =	{ E_ROOT, "Hora", 5, CMP_TIME },
	[A_CLAVE_SPEI] = { E_ROOT, "ClaveSPEI", 6, CMP_STR },
	[A_SELLO] =	{ E_ROOT, "sello", CADENA_SELLO, CMP_STR },
	[A_CERT] =	{ E_ROOT, "numeroCertificado", CADENA_CERT, CMP_STR },
	[A_CADENA] =	{ E_ROOT, "cadenaCDA", CADENA_NONE, CMP_STR },
	[A_RASTREO] =	{ E_ROOT, "claveRastreo", CADENA_NONE, CMP_STR },
	[A_B_BANCO] =	{ E_BENEF, "BancoReceptor", 12, CMP_STR },
	[A_B_NOMBRE] =	{ E_BENEF, "Nombre", 13, CMP_STR },
	[A_B_TIPO] =	{ E_BENEF, "TipoCuenta", 14, CMP_TIPO },
	[A_B_CUENTA] =	{ E_BENEF, "Cuenta", 15, CMP_STR },
	[A_B_RFC] =	{ E_BENEF, "RFC", 16, CMP_STR },
	[A_B_CONCEPTO] = { E_BENEF, "Concepto", 17, CMP_STR },
	[A_B_IVA] =	{ E_BENEF, "IVA", 18, CMP_AMOUNT },
	[A_B_MONTO] =	{ E_BENEF, "MontoPago", 19, CMP_AMOUNT },
	[A_O_BANCO] =	{ E_ORD, "BancoEmisor", 7, CMP_STR },
	[A_O_NOMBRE] =	{ E_ORD, "Nombre", 8, CMP_STR },
	[A_O_TIPO] =	{ E_ORD, "TipoCuenta", 9, CMP_TIPO },
	[A_O_CUENTA] =	{ E_ORD, "Cuenta", 10, CMP_STR },
	[A_O_RFC] =	{ E_ORD, "RFC", 11, CMP_STR },
};
const char *const cep_elem_names[] = {
	"SPEI_Tercero", "Beneficiario", "Ordenante"
};

int
cep_fail(struct cep_xml_error *err, enum cep_xml_error_code code,
    const char *fmt, ...)
{
	va_list	 ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return -1;
}
