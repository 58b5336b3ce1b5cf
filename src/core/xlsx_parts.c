/*
 * mxcep: the fixed parts of the streaming XLSX writer (OOXML
 * SpreadsheetML): the package relationships and styles.xml before the
 * first sheet; after the last one, the workbook (its sheets and their
 * autofilter ranges), its relationships and [Content_Types].xml, which
 * name every sheet (see xlsx.c).
 */
#include <stdint.h>
#include <string.h>

#include "core/xlsx_int.h"

#define NS_PKG_REL \
	"http://schemas.openxmlformats.org/package/2006/relationships"
#define CT_SML \
	"application/vnd.openxmlformats-officedocument.spreadsheetml"

static const char xlsx_root_rels[] = XML_DECL
    "<Relationships xmlns=\"" NS_PKG_REL "\">"
    "<Relationship Id=\"rId1\" Type=\"" NS_REL "/officeDocument\" "
    "Target=\"xl/workbook.xml\"/></Relationships>";

/* the cellXfs are enum xlsx_style, in order */
static const char xlsx_styles[] = XML_DECL
    "<styleSheet xmlns=\"" NS_MAIN "\">"
    "<numFmts count=\"2\">"
    "<numFmt numFmtId=\"164\" "
    "formatCode=\"yyyy-mm-dd&quot;T&quot;hh:mm:ss&quot;Z&quot;\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"yyyy-mm-dd\"/></numFmts>"
    "<fonts count=\"2\">"
    "<font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/>"
    "</font></fonts>"
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
    "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/>"
    "</border></borders>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
    "borderId=\"0\"/></cellStyleXfs>"
    "<cellXfs count=\"6\">"
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyFont=\"1\"/>"
    "<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"2\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"165\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyNumberFormat=\"1\"/></cellXfs>"
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" "
    "builtinId=\"0\"/></cellStyles>"
    "<dxfs count=\"0\"/><tableStyles count=\"0\"/></styleSheet>";

/* the first parts of the workbook, before the first sheet */
int
xlsx_parts_start(struct xlsx *x)
{
	if (xlsx_part(x, "_rels/.rels", xlsx_root_rels,
	    sizeof(xlsx_root_rels) - 1) == -1)
		return -1;
	return xlsx_part(x, "xl/styles.xml", xlsx_styles,
	    sizeof(xlsx_styles) - 1);
}

/* the name of sheet n (1-based) into the XML, escaped for an attribute */
static void
xml_sheet_name(struct xlsx *x, uint32_t n)
{
	xlsx_escape(x, x->opt.sheet_name, strlen(x->opt.sheet_name), 1);
	if (n > 1) {
		xml_append(x, " ", sizeof(" ") - 1);
		xml_reserve(x, 16);
		xml_dec(x, n);
	}
}

/* xl/workbook.xml: the sheets, and the autofilter ranges Excel expects */
static int
xlsx_workbook(struct xlsx *x)
{
	const struct xlsx_entry	*e;
	uint32_t		 n = 0;
	size_t			 i;

	x->xlen = 0;
	xml_puts(x, XML_DECL "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\""
	    NS_REL "\"><bookViews><workbookView/></bookViews><sheets>");
	for (n = 1; n <= x->sheets; n++) {
		xml_puts(x, "<sheet name=\"");
		xml_sheet_name(x, n);
		xml_reserve(x, 64);
		XML_LIT(x, "\" sheetId=\"");
		xml_dec(x, n);
		XML_LIT(x, "\" r:id=\"rId");
		xml_dec(x, n);
		XML_LIT(x, "\"/>");
	}
	xml_puts(x, "</sheets>");
	if (x->opt.ncols > 0) {
		xml_puts(x, "<definedNames>");
		for (i = 0, n = 0; i < x->nentries; i++) {
			e = &x->entries[i];
			if (e->rows == 0)
				continue;
			xml_reserve(x, 128);
			xml_puts(x, "<definedName name=\"_xlnm._FilterDatabase\" "
			    "localSheetId=\"");
			xml_dec(x, n);
			xml_puts(x, "\" hidden=\"1\">'");
			/* XXX: a quote in the sheet name would need doubling */
			xml_sheet_name(x, ++n);
			xml_reserve(x, 64);
			XML_LIT(x, "'!$A$1:$");
			xml_col(x, (uint32_t)x->opt.ncols - 1);
			XML_LIT(x, "$");
			xml_dec(x, e->rows);
			xml_puts(x, "</definedName>");
		}
		xml_puts(x, "</definedNames>");
	}
	xml_puts(x, "</workbook>");
	return xlsx_part(x, "xl/workbook.xml", x->xml, x->xlen);
}

/* the sheets' relationships (their targets relative to xl/), then the
 * styles' */
static int
xlsx_workbook_rels(struct xlsx *x)
{
	uint32_t	 n = 0;
	size_t		 i;

	x->xlen = 0;
	xml_puts(x, XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\">");
	for (i = 0; i < x->nentries; i++) {
		if (x->entries[i].rows == 0)
			continue;
		xml_reserve(x, 64);
		XML_LIT(x, "<Relationship Id=\"rId");
		xml_dec(x, ++n);
		xml_puts(x, "\" Type=\"" NS_REL "/worksheet\" Target=\"");
		xml_puts(x, x->entries[i].name + sizeof("xl/") - 1);
		xml_puts(x, "\"/>");
	}
	xml_reserve(x, 64);
	XML_LIT(x, "<Relationship Id=\"rId");
	xml_dec(x, ++n);
	xml_puts(x, "\" Type=\"" NS_REL "/styles\" Target=\"styles.xml\"/>");
	xml_puts(x, "</Relationships>");
	return xlsx_part(x, "xl/_rels/workbook.xml.rels", x->xml, x->xlen);
}

/* [Content_Types].xml: last, since it names every sheet */
static int
xlsx_content_types(struct xlsx *x)
{
	size_t	 i;

	x->xlen = 0;
	xml_puts(x, XML_DECL "<Types xmlns=\"http://schemas.openxmlformats.org/"
	    "package/2006/content-types\">"
	    "<Default Extension=\"rels\" ContentType=\"application/"
	    "vnd.openxmlformats-package.relationships+xml\"/>"
	    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	    "<Override PartName=\"/xl/workbook.xml\" ContentType=\"" CT_SML
	    ".sheet.main+xml\"/>"
	    "<Override PartName=\"/xl/styles.xml\" ContentType=\"" CT_SML
	    ".styles+xml\"/>");
	for (i = 0; i < x->nentries; i++) {
		if (x->entries[i].rows == 0)
			continue;
		xml_puts(x, "<Override PartName=\"/");
		xml_puts(x, x->entries[i].name);
		xml_puts(x, "\" ContentType=\"" CT_SML ".worksheet+xml\"/>");
	}
	xml_puts(x, "</Types>");
	return xlsx_part(x, "[Content_Types].xml", x->xml, x->xlen);
}


/* the last parts, after the last sheet */
int
xlsx_parts_end(struct xlsx *x)
{
	if (xlsx_workbook(x) == -1 || xlsx_workbook_rels(x) == -1)
		return -1;
	return xlsx_content_types(x);
}
