/*
 * mxcep: a streaming XLSX writer. The workbook (OOXML SpreadsheetML,
 * ECMA-376) is a ZIP archive (PKWARE APPNOTE 6.3) written front to back
 * to the caller's sink and never seeked: every entry has general purpose
 * bit 3 (CRC and sizes in a data descriptor after the data), so the first
 * bytes leave with the first rows and memory stays flat (one row of XML,
 * 64 KiB of output, one deflate stream) whatever the row count.
 * Cells are inline strings, numbers and booleans with a fixed set of
 * styles; no shared strings table (it would grow with the rows).
 * ZIP64: sheet entries always use the zip64 local header (a zip64 extra
 * field with zero sizes, version 4.5) and the zip64 data descriptor,
 * since their size is unknown when the header leaves; the central
 * directory and end records use zip64 fields only where a value does not
 * fit in 32 bits (or 16 for the entry count).
 * Why not libxlsxwriter (used before): it cannot stream. It builds the
 * whole archive in a temporary file and hands it over only when
 * finished (its constant_memory mode bounds the RAM, not the disk or
 * the wait), so an export sent nothing until the file was complete,
 * needed as much disk as the file, and a full disk was a 500.
 * The writer is in four files (xlsx_int.h lists them): this one has
 * the public calls and the sheets' structure.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "core/xlsx_int.h"

/* deflates the XML so far into the current entry */
static int
xlsx_xml_out(struct xlsx *x, int flush)
{
	int	 rc;

	rc = xlsx_entry_write(x, x->xml, x->xlen, flush);
	x->xlen = 0;
	return rc;
}

/* a new sheet entry: sheet head, column widths, the header row */
static int
xlsx_sheet_begin(struct xlsx *x)
{
	char		 name[XLSX_NAME_SIZE], w[32];
	size_t		 i;
	double		 px;

	/* the one place a sheet's part name is made: xlsx_parts.c reads it
	 * back from the entry */
	snprintf(name, sizeof(name), "xl/worksheets/sheet%" PRIu32 ".xml",
	    x->sheets + 1);
	if (xlsx_entry_begin(x, name, 1) == -1)
		return -1;
	x->sheets++;
	x->xlen = 0;
	xml_puts(x, XML_DECL "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\""
	    NS_REL "\"><sheetViews><sheetView ");
	if (x->sheets == 1)
		xml_puts(x, "tabSelected=\"1\" ");
	xml_puts(x, "workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" "
	    "activePane=\"bottomLeft\" state=\"frozen\"/>"
	    "<selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/>"
	    "</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
	if (x->opt.ncols > 0)
		xml_puts(x, "<cols>");
	for (i = 0; i < x->opt.ncols; i++) {
		/* Excel's width: characters of 7 px plus 5 px of padding,
		 * in 1/256ths */
		px = (double)(int)(x->opt.cols[i].width * 7.0 + 0.5) + 5.0;
		snprintf(w, sizeof(w), "%.12g", (double)(int)(px / 7.0 * 256.0)
		    / 256.0);
		xml_reserve(x, 64);
		XML_LIT(x, "<col min=\"");
		xml_dec(x, i + 1);
		XML_LIT(x, "\" max=\"");
		xml_dec(x, i + 1);
		XML_LIT(x, "\" width=\"");
		xml_puts(x, w);
		xml_puts(x, "\" customWidth=\"1\"");
		if (x->opt.cols[i].style != XLSX_STYLE_GENERAL) {
			xml_reserve(x, 16);
			XML_LIT(x, " style=\"");
			xml_dec(x, (uint64_t)x->opt.cols[i].style);
			XML_LIT(x, "\"");
		}
		xml_puts(x, "/>");
	}
	if (x->opt.ncols > 0)
		xml_puts(x, "</cols>");
	xml_puts(x, "<sheetData><row r=\"1\">");
	x->row = 1;
	x->col = 0;
	for (i = 0; i < x->opt.ncols; i++)
		xlsx_text(x, x->opt.cols[i].name, XLSX_STYLE_HEADER);
	xml_puts(x, "</row>");
	x->in_row = 0;
	return 0;
}

/* ends the open sheet: autofilter over its rows, the entry's descriptor */
static int
xlsx_sheet_end(struct xlsx *x)
{
	struct xlsx_entry	*e = &x->entries[x->nentries - 1];

	if (x->in_row)
		xml_puts(x, "</row>");
	x->in_row = 0;
	xml_puts(x, "</sheetData>");
	if (x->opt.ncols > 0) {
		xml_reserve(x, 64);
		XML_LIT(x, "<autoFilter ref=\"A1:");
		xml_col(x, (uint32_t)x->opt.ncols - 1);
		xml_dec(x, x->row);
		XML_LIT(x, "\"/>");
	}
	xml_puts(x, "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" "
	    "bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>");
	e->rows = x->row;
	x->row = 0;
	if (xlsx_xml_out(x, Z_NO_FLUSH) == -1)
		return -1;
	return xlsx_entry_end(x);
}

/* ---- public ------------------------------------------------------- */

struct xlsx *
xlsx_new(const struct xlsx_options *opt, xlsx_write_fn write, void *arg)
{
	struct xlsx	*x = xcalloc(1, sizeof(*x));

	x->opt = *opt;
	if (x->opt.sheet_rows < 2 || x->opt.sheet_rows > XLSX_MAX_ROWS)
		x->opt.sheet_rows = XLSX_MAX_ROWS;
	if (x->opt.level < 1 || x->opt.level > 9)
		x->opt.level = XLSX_LEVEL;
	if (x->opt.zip64_min == 0 || x->opt.zip64_min > ZIP_U32)
		x->opt.zip64_min = ZIP_U32;
	x->write = write;
	x->arg = arg;
	x->xcap = XLSX_CHUNK + 4096;
	x->xml = xmalloc(x->xcap);
	if (xlsx_zip_init(x, opt->mtime) == -1) {
		xlsx_free(x);
		return NULL;
	}
	return x;
}

void
xlsx_free(struct xlsx *x)
{
	if (x == NULL)
		return;
	xlsx_zip_free(x);
	free(x->xml);
	free(x);
}

/* the first sheet (and the fixed parts before it) */
static int
xlsx_open(struct xlsx *x)
{
	if (x->sheets == 0 && xlsx_parts_start(x) == -1)
		return -1;
	return xlsx_sheet_begin(x);
}

int
xlsx_row(struct xlsx *x)
{
	if (x->failed)
		return -1;
	if (x->row == 0) {
		if (xlsx_open(x) == -1)
			return -1;
	} else if (x->row >= x->opt.sheet_rows) {
		/* past the last row of a sheet: go on in a new one */
		if (xlsx_sheet_end(x) == -1 || xlsx_sheet_begin(x) == -1)
			return -1;
	} else if (x->in_row)
		xml_puts(x, "</row>");
	if (x->xlen >= XLSX_CHUNK && xlsx_xml_out(x, Z_NO_FLUSH) == -1)
		return -1;
	x->row++;
	x->col = 0;
	x->in_row = 1;
	xml_reserve(x, 32);
	XML_LIT(x, "<row r=\"");
	xml_dec(x, x->row);
	XML_LIT(x, "\">");
	return 0;
}

int
xlsx_finish(struct xlsx *x)
{
	if (x->failed)
		return -1;
	/* no rows: a sheet with the header alone */
	if (x->row == 0 && xlsx_open(x) == -1)
		return -1;
	if (xlsx_sheet_end(x) == -1 || xlsx_parts_end(x) == -1 ||
	    xlsx_central(x) == -1)
		return -1;
	return xlsx_flush(x);
}
