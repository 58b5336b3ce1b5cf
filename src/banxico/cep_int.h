/*
 * mxcep: what the files of the CEP XML reader share (src/banxico/
 * cep_*.c; nothing else includes it): the attributes read, where each
 * sits in the document and in the signed cadenaCDA, and the raw copies
 * they are read into. Calls go one way: cep_xml.c -> cep_check.c ->
 * cep_attrs.c.
 *   cep_attrs.c	the attribute table, the error filler
 *   cep_xml.c		the document: libxml2, structure, attributes
 *   cep_check.c	the checks: against cadenaCDA, and every field's type
 *   cep_match.c	the CEP against the query, and as JSON
 */
#ifndef MXCEP_BANXICO_CEP_INT_H
#define MXCEP_BANXICO_CEP_INT_H

#include <stddef.h>

#include "banxico/banxico.h"
#include "util/util.h"

/* the attributes read, as copies (NULL = absent) */
enum cep_attr {
	A_FECHA, A_HORA, A_CLAVE_SPEI, A_SELLO, A_CERT, A_CADENA, A_RASTREO,
	A_B_BANCO, A_B_NOMBRE, A_B_TIPO, A_B_CUENTA, A_B_RFC, A_B_CONCEPTO,
	A_B_IVA, A_B_MONTO,
	A_O_BANCO, A_O_NOMBRE, A_O_TIPO, A_O_CUENTA, A_O_RFC,
	A__MAX
};
enum cep_elem { E_ROOT, E_BENEF, E_ORD };
#define CADENA_NONE	(-1)	/* not in cadenaCDA */
#define CADENA_SELLO	(-2)	/* the last field */
#define CADENA_CERT	(-3)	/* third from the end (then "", then sello) */
/* how an attribute is compared with its cadenaCDA field */
enum cep_cmp { CMP_STR, CMP_DATE, CMP_TIME, CMP_TIPO, CMP_AMOUNT };
struct cep_attr_def {
	enum cep_elem	 elem;
	const char	*name;
	int		 cadena;	/* index in cadenaCDA, or CADENA_* */
	enum cep_cmp	 cmp;
};
extern const struct cep_attr_def cep_attrs[A__MAX];	/* cep_attrs.c */
extern const char *const cep_elem_names[];		/* by enum cep_elem */

/* what cep_xml.c read, before any check */
struct cep_raw {
	char	*v[A__MAX];		/* the attributes, copied; NULL = absent */
	char	*cadena_copy;		/* cadenaCDA split in place */
	char	**f;			/* its fields */
	size_t	 nf;
};

/* cep_attrs.c: err filled in (code, printf-style detail); returns -1 */
int	 cep_fail(struct cep_xml_error *err, enum cep_xml_error_code code,
	    const char *fmt, ...) PRINTF_LIKE(3, 4);

/* cep_check.c: 0, or -1 with err filled in */
/* every attribute against its field of the signed cadenaCDA */
int	 cep_check_cadena(const struct cep_raw *, struct cep_xml_error *err);
/* the type of every field; fills c (its strings are new copies) */
int	 cep_check_types(const struct cep_raw *, struct cep *c,
	    struct cep_xml_error *err);

#endif /* MXCEP_BANXICO_CEP_INT_H */
