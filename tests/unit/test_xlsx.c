/*
 * mxcep: unit tests for src/core/xlsx.c, the streaming XLSX writer.
 * Workbooks are written to a memory sink and read back byte by byte:
 * the zip structure (signatures, local headers with bit 3, data
 * descriptors, CRCs and sizes agreeing with the central directory, the
 * end records, zip64 forms), then the inflated parts: cells, escaping,
 * exact amounts, serial dates, sheets past the row limit, the r
 * reference on every row and cell.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <zlib.h>

#include "util/util.h"
#include "core/core.h"

#define MAX_ENTRIES	16

/* the memory sink */
struct sink {
	struct buf	 b;
	size_t		 calls;
	size_t		 fail_after;	/* refuse the call after this many; 0 = never */
};

static int
sink_write(void *arg, const void *p, size_t n)
{
	struct sink	*s = arg;

	if (s->fail_after > 0 && s->calls >= s->fail_after)
		return -1;
	s->calls++;
	buf_append(&s->b, p, n);
	return 0;
}

/* one entry as read back */
struct zentry {
	char		 name[64];
	uint32_t	 crc;
	uint64_t	 csize, usize, offset;
	int		 zip64_local;	/* local header has the zip64 extra */
	char		*data;		/* inflated, NUL-terminated */
};

struct zip {
	struct zentry	 e[MAX_ENTRIES];
	size_t		 n;
	int		 zip64_end;	/* zip64 end records present */
};

static uint64_t
get(const unsigned char *p, int n)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static char *
inflate_raw(const unsigned char *p, uint64_t csize, uint64_t usize)
{
	z_stream	 z;
	char		*out = xmalloc(usize + 1);

	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, -15), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)csize;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)usize + 1;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, usize);
	assert_int_equal(z.avail_in, 0);	/* the data is csize exactly */
	inflateEnd(&z);
	out[usize] = '\0';
	return out;
}

/* the zip64 extra field's values (only those set to 0xffffffff) */
static void
zip64_extra(const unsigned char *x, size_t len, uint64_t *usize,
    uint64_t *csize, uint64_t *offset)
{
	size_t	 i = 0, k;

	while (i + 4 <= len) {
		k = get(x + i + 2, 2);
		if (get(x + i, 2) == 0x0001) {
			const unsigned char	*v = x + i + 4;

			if (*usize == 0xffffffff) {
				*usize = get(v, 8);
				v += 8;
			}
			if (csize != NULL && *csize == 0xffffffff) {
				*csize = get(v, 8);
				v += 8;
			}
			if (offset != NULL && *offset == 0xffffffff)
				*offset = get(v, 8);
			return;
		}
		i += 4 + k;
	}
}

/* reads the archive in a..a+len as a strict reader would; fails the test */
static void
zip_read(const unsigned char *a, size_t len, struct zip *z)
{
	const unsigned char	*eocd, *p, *l, *d;
	uint64_t		 cd_off, cd_size, count, i, nlen, xlen, clen;
	struct zentry		*e;

	memset(z, 0, sizeof(*z));
	assert_true(len >= 22);
	eocd = a + len - 22;			/* no comment */
	assert_int_equal(get(eocd, 4), 0x06054b50);
	assert_int_equal(get(eocd + 20, 2), 0);
	count = get(eocd + 10, 2);
	assert_int_equal(get(eocd + 8, 2), count);
	cd_size = get(eocd + 12, 4);
	cd_off = get(eocd + 16, 4);
	if (len >= 42 && get(eocd - 20, 4) == 0x07064b50) {
		/* zip64 locator, then the zip64 end record it points at */
		p = a + get(eocd - 20 + 8, 8);
		assert_int_equal(get(eocd - 20 + 16, 4), 1);
		assert_ptr_equal(p, eocd - 20 - 56);
		assert_int_equal(get(p, 4), 0x06064b50);
		assert_int_equal(get(p + 4, 8), 44);
		assert_int_equal(get(p + 24, 8), get(p + 32, 8));
		if (count == 0xffff)
			count = get(p + 32, 8);
		if (cd_size == 0xffffffff)
			cd_size = get(p + 40, 8);
		if (cd_off == 0xffffffff)
			cd_off = get(p + 48, 8);
		assert_int_equal(get(p + 32, 8), count);
		assert_int_equal(get(p + 40, 8), cd_size);
		assert_int_equal(get(p + 48, 8), cd_off);
		z->zip64_end = 1;
		assert_int_equal(cd_off + cd_size, (size_t)(p - a));
	} else
		assert_int_equal(cd_off + cd_size, len - 22);
	assert_true(count <= MAX_ENTRIES);
	p = a + cd_off;
	for (i = 0; i < count; i++) {
		e = &z->e[z->n++];
		assert_int_equal(get(p, 4), 0x02014b50);
		assert_int_equal(get(p + 8, 2) & 0x0008, 0x0008);
		assert_int_equal(get(p + 10, 2), 8);		/* deflate */
		e->crc = (uint32_t)get(p + 16, 4);
		e->csize = get(p + 20, 4);
		e->usize = get(p + 24, 4);
		nlen = get(p + 28, 2);
		xlen = get(p + 30, 2);
		clen = get(p + 32, 2);
		e->offset = get(p + 42, 4);
		assert_true(nlen < sizeof(e->name));
		memcpy(e->name, p + 46, nlen);
		zip64_extra(p + 46 + nlen, xlen, &e->usize, &e->csize,
		    &e->offset);
		if (xlen > 0)
			assert_int_equal(get(p + 6, 2), 45);
		p += 46 + nlen + xlen + clen;

		/* its local header */
		l = a + e->offset;
		assert_int_equal(get(l, 4), 0x04034b50);
		assert_int_equal(get(l + 6, 2), get(p - 46 - nlen - xlen -
		    clen + 8, 2));				/* flags agree */
		assert_int_equal(get(l + 8, 2), 8);
		assert_int_equal(get(l + 14, 4), 0);		/* CRC: later */
		assert_int_equal(get(l + 26, 2), nlen);
		assert_memory_equal(l + 30, e->name, nlen);
		xlen = get(l + 28, 2);
		if (xlen > 0) {
			/* zip64: version 4.5, sizes 0xffffffff in the
			 * header and 0 in the extra field */
			uint64_t	 u = get(l + 22, 4), c = get(l + 18, 4);

			assert_int_equal(get(l + 4, 2), 45);
			assert_int_equal(u, 0xffffffff);
			assert_int_equal(c, 0xffffffff);
			zip64_extra(l + 30 + nlen, xlen, &u, &c, NULL);
			assert_int_equal(u, 0);
			assert_int_equal(c, 0);
			e->zip64_local = 1;
		} else {
			assert_int_equal(get(l + 18, 4), 0);
			assert_int_equal(get(l + 22, 4), 0);
		}
		d = l + 30 + nlen + xlen;
		e->data = inflate_raw(d, e->csize, e->usize);
		assert_int_equal(crc32(0, (const Bytef *)e->data,
		    (uInt)e->usize), e->crc);
		/* the data descriptor right after the data */
		d += e->csize;
		assert_int_equal(get(d, 4), 0x08074b50);
		assert_int_equal(get(d + 4, 4), e->crc);
		if (e->zip64_local) {
			assert_int_equal(get(d + 8, 8), e->csize);
			assert_int_equal(get(d + 16, 8), e->usize);
			d += 24;
		} else {
			assert_int_equal(get(d + 8, 4), e->csize);
			assert_int_equal(get(d + 12, 4), e->usize);
			d += 16;
		}
		/* entries are back to back */
		if (i + 1 < count)
			assert_int_equal(get(d, 4), 0x04034b50);
		else
			assert_ptr_equal(d, a + cd_off);
	}
	assert_ptr_equal(p, a + cd_off + cd_size);
}

static void
zip_free(struct zip *z)
{
	size_t	 i;

	for (i = 0; i < z->n; i++)
		free(z->e[i].data);
}

static const char *
zip_part(const struct zip *z, const char *name)
{
	size_t	 i;

	for (i = 0; i < z->n; i++)
		if (strcmp(z->e[i].name, name) == 0)
			return z->e[i].data;
	fail_msg("no part %s", name);
	return NULL;
}

static const struct xlsx_column cols3[] = {
	{ "id", 10, XLSX_STYLE_GENERAL },
	{ "cuenta", 20, XLSX_STYLE_TEXT },
	{ "monto", 12.5, XLSX_STYLE_GENERAL },
};

static struct xlsx *
new_writer(struct sink *s, uint32_t sheet_rows, uint64_t zip64_min)
{
	struct xlsx_options	 opt;
	struct xlsx		*x;

	memset(s, 0, sizeof(*s));
	buf_init(&s->b);
	memset(&opt, 0, sizeof(opt));
	opt.sheet_name = "validations";
	opt.cols = cols3;
	opt.ncols = 3;
	opt.sheet_rows = sheet_rows;
	opt.mtime = 1893585600;		/* 2030-01-02T10:00:00Z */
	opt.zip64_min = zip64_min;
	x = xlsx_new(&opt, sink_write, s);
	assert_non_null(x);
	return x;
}

/* the sheet data of a sheet part: from <sheetData> to </sheetData> */
static char *
sheet_data(const char *sheet)
{
	const char	*a = strstr(sheet, "<sheetData>");
	const char	*b = strstr(sheet, "</sheetData>");

	assert_non_null(a);
	assert_non_null(b);
	a += strlen("<sheetData>");
	return xstrndup(a, (size_t)(b - a));
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("\"%s\" not in \"%s\"", needle, hay);
}

static void
test_xlsx_zip__small_workbook__entries_crcs_sizes_agree(void **state)
{
	struct sink	 s;
	struct xlsx	*x = new_writer(&s, 0, 0);
	struct zip	 z;
	const char	*names[] = { "_rels/.rels", "xl/styles.xml",
			    "xl/worksheets/sheet1.xml", "xl/workbook.xml",
			    "xl/_rels/workbook.xml.rels", "[Content_Types].xml" };
	size_t		 i;

	(void)state;
	assert_int_equal(xlsx_row(x), 0);
	xlsx_text(x, "a", XLSX_STYLE_GENERAL);
	xlsx_text(x, "646180157048010399", XLSX_STYLE_TEXT);
	xlsx_amount(x, 150000);
	assert_int_equal(xlsx_finish(x), 0);
	zip_read((const unsigned char *)s.b.data, s.b.len, &z);
	assert_int_equal(z.n, 6);
	for (i = 0; i < 6; i++)
		assert_string_equal(z.e[i].name, names[i]);
	assert_true(z.e[2].zip64_local);	/* the sheet: size unknown */
	assert_false(z.e[0].zip64_local);
	assert_false(z.zip64_end);
	assert_contains(zip_part(&z, "xl/workbook.xml"),
	    "<sheet name=\"validations\" sheetId=\"1\" r:id=\"rId1\"/>");
	assert_contains(zip_part(&z, "[Content_Types].xml"),
	    "<Override PartName=\"/xl/worksheets/sheet1.xml\"");
	assert_contains(zip_part(&z, "xl/worksheets/sheet1.xml"),
	    "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
	    "state=\"frozen\"/>");
	assert_contains(zip_part(&z, "xl/worksheets/sheet1.xml"),
	    "<col min=\"2\" max=\"2\" width=\"20.7109375\" customWidth=\"1\" "
	    "style=\"2\"/>");
	assert_contains(zip_part(&z, "xl/worksheets/sheet1.xml"),
	    "<autoFilter ref=\"A1:C2\"/>");
	zip_free(&z);
	xlsx_free(x);
	buf_free(&s.b);
}

static void
test_xlsx_cells__kinds__inline_strings_numbers_booleans(void **state)
{
	struct sink	 s;
	struct xlsx	*x = new_writer(&s, 0, 0);
	struct zip	 z;
	char		*d;

	(void)state;
	assert_int_equal(xlsx_row(x), 0);
	xlsx_text(x, "=HYPERLINK(\"x\")", XLSX_STYLE_TEXT);
	xlsx_blank(x);
	xlsx_bool(x, 1);
	assert_int_equal(xlsx_row(x), 0);
	xlsx_datetime(x, 1893578400);		/* 2030-01-02T10:00:00Z */
	xlsx_date(x, "2030-01-02");
	xlsx_datetime(x, 0);
	assert_int_equal(xlsx_row(x), 0);
	xlsx_text(x, NULL, XLSX_STYLE_GENERAL);
	xlsx_date(x, "not a date");
	xlsx_bool(x, 0);
	assert_int_equal(xlsx_finish(x), 0);
	zip_read((const unsigned char *)s.b.data, s.b.len, &z);
	d = sheet_data(zip_part(&z, "xl/worksheets/sheet1.xml"));
	assert_string_equal(d,
	    "<row r=\"1\">"
	    "<c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>id</t></is></c>"
	    "<c r=\"B1\" s=\"1\" t=\"inlineStr\"><is><t>cuenta</t></is></c>"
	    "<c r=\"C1\" s=\"1\" t=\"inlineStr\"><is><t>monto</t></is></c>"
	    "</row><row r=\"2\">"
	    "<c r=\"A2\" s=\"2\" t=\"inlineStr\"><is><t>=HYPERLINK(\"x\")"
	    "</t></is></c>"
	    "<c r=\"C2\" t=\"b\"><v>1</v></c></row>"
	    "<row r=\"3\">"
	    "<c r=\"A3\" s=\"4\"><v>47485.4166666667</v></c>"
	    "<c r=\"B3\" s=\"5\"><v>47485</v></c></row>"
	    "<row r=\"4\">"
	    "<c r=\"B4\" t=\"inlineStr\"><is><t>not a date</t></is></c>"
	    "<c r=\"C4\" t=\"b\"><v>0</v></c></row>");
	free(d);
	zip_free(&z);
	xlsx_free(x);
	buf_free(&s.b);
}

static void
test_xlsx_amount__cents__exact_decimal_text(void **state)
{
	struct sink	 s;
	struct xlsx	*x = new_writer(&s, 0, 0);
	struct zip	 z;
	char		*d;

	(void)state;
	assert_int_equal(xlsx_row(x), 0);
	xlsx_amount(x, 0);
	xlsx_amount(x, 10);
	xlsx_amount(x, 12345678901);
	assert_int_equal(xlsx_row(x), 0);
	xlsx_amount(x, MONEY_MAX_CENTS);
	xlsx_amount(x, -1);
	xlsx_amount(x, 5);
	assert_int_equal(xlsx_finish(x), 0);
	zip_read((const unsigned char *)s.b.data, s.b.len, &z);
	d = sheet_data(zip_part(&z, "xl/worksheets/sheet1.xml"));
	assert_contains(d, "<row r=\"2\"><c r=\"A2\" s=\"3\"><v>0.00</v></c>"
	    "<c r=\"B2\" s=\"3\"><v>0.10</v></c>"
	    "<c r=\"C2\" s=\"3\"><v>123456789.01</v></c></row>");
	assert_contains(d, "<row r=\"3\"><c r=\"A3\" s=\"3\">"
	    "<v>999999999999.99</v></c><c r=\"C3\" s=\"3\"><v>0.05</v></c>"
	    "</row>");
	free(d);
	zip_free(&z);
	xlsx_free(x);
	buf_free(&s.b);
}

static void
test_xlsx_text__special_bytes__escaped_or_dropped(void **state)
{
	struct sink	 s;
	struct xlsx	*x = new_writer(&s, 0, 0);
	struct zip	 z;
	char		*d;

	(void)state;
	assert_int_equal(xlsx_row(x), 0);
	xlsx_text(x, "a<b>&c\"d'", XLSX_STYLE_GENERAL);
	xlsx_text(x, "x\001y\037z\tw\r\n", XLSX_STYLE_GENERAL);
	xlsx_text(x, "M\xc3\xa9xico \xff\xc3 _x0041_ a_b", XLSX_STYLE_GENERAL);
	assert_int_equal(xlsx_row(x), 0);
	xlsx_text(x, " lead", XLSX_STYLE_GENERAL);
	xlsx_text(x, "\xef\xbf\xbe\xed\xa0\x80\xf0\x9f\x98\x80",
	    XLSX_STYLE_GENERAL);
	assert_int_equal(xlsx_finish(x), 0);
	zip_read((const unsigned char *)s.b.data, s.b.len, &z);
	d = sheet_data(zip_part(&z, "xl/worksheets/sheet1.xml"));
	assert_contains(d, "<t>a&lt;b&gt;&amp;c\"d'</t>");
	assert_contains(d, "<t xml:space=\"preserve\">xyz\tw&#13;\n</t>");
	assert_contains(d, "<t>M\xc3\xa9xico \xef\xbf\xbd\xef\xbf\xbd "
	    "_x005F_x0041_ a_b</t>");
	assert_contains(d, "<t xml:space=\"preserve\"> lead</t>");
	/* U+FFFE and a surrogate are not XML characters; U+1F600 is */
	assert_contains(d, "<t>\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xf0\x9f\x98\x80</t>");
	free(d);
	zip_free(&z);
	xlsx_free(x);
	buf_free(&s.b);
}

static void
test_xlsx_sheets__past_sheet_rows__next_sheet_with_header(void **state)
{
	struct sink	 s;
	struct xlsx	*x = new_writer(&s, 3, 0);	/* header + 2 rows */
	struct zip	 z;
	const char	*wb;
	char		*d;
	int		 i;

	(void)state;
	for (i = 1; i <= 5; i++) {
		assert_int_equal(xlsx_row(x), 0);
		xlsx_amount(x, i);
	}
	assert_int_equal(xlsx_finish(x), 0);
	zip_read((const unsigned char *)s.b.data, s.b.len, &z);
	assert_int_equal(z.n, 8);
	assert_string_equal(z.e[2].name, "xl/worksheets/sheet1.xml");
	assert_string_equal(z.e[3].name, "xl/worksheets/sheet2.xml");
	assert_string_equal(z.e[4].name, "xl/worksheets/sheet3.xml");
	d = sheet_data(z.e[3].data);
	assert_string_equal(d, "<row r=\"1\">"
	    "<c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>id</t></is></c>"
	    "<c r=\"B1\" s=\"1\" t=\"inlineStr\"><is><t>cuenta</t></is></c>"
	    "<c r=\"C1\" s=\"1\" t=\"inlineStr\"><is><t>monto</t></is></c>"
	    "</row>"
	    "<row r=\"2\"><c r=\"A2\" s=\"3\"><v>0.03</v></c></row>"
	    "<row r=\"3\"><c r=\"A3\" s=\"3\"><v>0.04</v></c></row>");
	free(d);
	d = sheet_data(z.e[4].data);
	assert_contains(d,
	    "<row r=\"2\"><c r=\"A2\" s=\"3\"><v>0.05</v></c></row>");
	assert_null(strstr(d, "<row r=\"3\">"));
	free(d);
	assert_contains(z.e[4].data, "<autoFilter ref=\"A1:C2\"/>");
	assert_null(strstr(z.e[3].data, "tabSelected"));
	wb = zip_part(&z, "xl/workbook.xml");
	assert_contains(wb, "<sheet name=\"validations\" sheetId=\"1\" "
	    "r:id=\"rId1\"/><sheet name=\"validations 2\" sheetId=\"2\" "
	    "r:id=\"rId2\"/><sheet name=\"validations 3\" sheetId=\"3\" "
	    "r:id=\"rId3\"/></sheets>");
	assert_contains(wb, "localSheetId=\"1\" hidden=\"1\">"
	    "'validations 2'!$A$1:$C$3</definedName>");
	assert_contains(zip_part(&z, "xl/_rels/workbook.xml.rels"),
	    "<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/"
	    "officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>");
	assert_contains(zip_part(&z, "[Content_Types].xml"),
	    "/xl/worksheets/sheet3.xml");
	zip_free(&z);
	xlsx_free(x);
	buf_free(&s.b);
}

/* "A".."Z", "AA".. of a 0-based column */
static void
col_name(uint32_t col, char *out)
{
	char	 d[8], *p = d + sizeof(d);

	*--p = '\0';
	col++;
	do {
		*--p = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	} while (col > 0);
	strcpy(out, p);
}

/*
 * checks that every <row> of the sheet data carries r = its 1-based
 * number and every <c> r = column letters + row, the column counting
 * the blank cells before it as written in blanks[row][col] (1 = blank)
 */
static void
assert_refs(const char *d, uint32_t nrows, uint32_t ncols,
    const unsigned char *blanks)
{
	const char	*p = d, *q;
	char		 want[32], col[8];
	uint32_t	 row, c, cells;

	for (row = 1; row <= nrows; row++) {
		snprintf(want, sizeof(want), "<row r=\"%u\">", row);
		if (strncmp(p, want, strlen(want)) != 0)
			fail_msg("row %u: expected %s at \"%.60s\"", row, want, p);
		p += strlen(want);
		cells = 0;
		for (c = 0; c < ncols; c++) {
			if (row > 1 && blanks[(row - 2) * ncols + c])
				continue;
			col_name(c, col);
			snprintf(want, sizeof(want), "<c r=\"%s%u\"", col, row);
			if (strncmp(p, want, strlen(want)) != 0 ||
			    (p[strlen(want)] != ' ' && p[strlen(want)] != '>'))
				fail_msg("row %u col %u: expected %s at "
				    "\"%.60s\"", row, c, want, p);
			q = strstr(p, "</c>");
			assert_non_null(q);
			p = q + strlen("</c>");
			cells++;
		}
		assert_true(cells > 0);
		if (strncmp(p, "</row>", 6) != 0)
			fail_msg("row %u: expected </row> at \"%.60s\"", row, p);
		p += 6;
	}
	assert_string_equal(p, "");
}

#define REF_COLS	30	/* past Z: AA..AD */
#define REF_ROWS	7	/* data rows: 3 sheets of header + 3 rows */

static void
test_xlsx_refs__every_row_and_cell__r_attribute_in_order(void **state)
{
	struct xlsx_column	 cols[REF_COLS];
	char			 names[REF_COLS][8], v[16];
	unsigned char		 blanks[REF_ROWS * REF_COLS];
	struct xlsx_options	 opt;
	struct sink		 s;
	struct xlsx		*x;
	struct zip		 z;
	char			*d;
	uint32_t		 r, c, sheet;

	(void)state;
	for (c = 0; c < REF_COLS; c++) {
		col_name(c, names[c]);
		cols[c].name = names[c];
		cols[c].width = 8;
		cols[c].style = XLSX_STYLE_GENERAL;
	}
	memset(&s, 0, sizeof(s));
	buf_init(&s.b);
	memset(&opt, 0, sizeof(opt));
	opt.sheet_name = "refs";
	opt.cols = cols;
	opt.ncols = REF_COLS;
	opt.sheet_rows = 4;			/* header + 3 rows a sheet */
	opt.mtime = 1893585600;
	x = xlsx_new(&opt, sink_write, &s);
	assert_non_null(x);
	/* every kind of cell, with blanks (hence gaps) in varied places */
	for (r = 0; r < REF_ROWS; r++) {
		assert_int_equal(xlsx_row(x), 0);
		for (c = 0; c < REF_COLS; c++) {
			blanks[r * REF_COLS + c] = (r * 7 + c * 3) % 5 == 0;
			if (blanks[r * REF_COLS + c]) {
				xlsx_blank(x);
				continue;
			}
			switch (c % 5) {
			case 0:
				snprintf(v, sizeof(v), "t%u.%u", r, c);
				xlsx_text(x, v, XLSX_STYLE_TEXT);
				break;
			case 1:
				xlsx_amount(x, (int64_t)(r * 100 + c));
				break;
			case 2:
				xlsx_datetime(x, 1893578400);
				break;
			case 3:
				xlsx_date(x, "2030-01-02");
				break;
			default:
				xlsx_bool(x, (int)(c & 1));
			}
		}
	}
	assert_int_equal(xlsx_finish(x), 0);
	zip_read((const unsigned char *)s.b.data, s.b.len, &z);
	/* rows 1-3, 4-6, 7 in sheets of their own, each from r="2" again */
	for (sheet = 0; sheet < 3; sheet++) {
		char	 part[48];
		uint32_t n = sheet < 2 ? 3 : 1;

		snprintf(part, sizeof(part), "xl/worksheets/sheet%u.xml",
		    sheet + 1);
		d = sheet_data(zip_part(&z, part));
		assert_refs(d, n + 1, REF_COLS, blanks + sheet * 3 * REF_COLS);
		free(d);
	}
	assert_contains(zip_part(&z, "xl/worksheets/sheet1.xml"),
	    "<c r=\"AD1\" s=\"1\" t=\"inlineStr\"><is><t>AD</t></is></c>");
	zip_free(&z);
	xlsx_free(x);
	buf_free(&s.b);
}

static void
test_xlsx_zip64__forced__extra_fields_and_end_records(void **state)
{
	struct sink	 s;
	struct xlsx	*x = new_writer(&s, 0, 1);	/* everything zip64 */
	struct zip	 z;
	const unsigned char *cd;

	(void)state;
	assert_int_equal(xlsx_row(x), 0);
	xlsx_text(x, "zip64", XLSX_STYLE_GENERAL);
	assert_int_equal(xlsx_finish(x), 0);
	/* the reader takes every size and offset from the zip64 fields */
	zip_read((const unsigned char *)s.b.data, s.b.len, &z);
	assert_true(z.zip64_end);
	assert_int_equal(z.n, 6);
	assert_int_equal(z.e[0].offset, 0);
	assert_true(z.e[1].offset > 0);
	assert_contains(zip_part(&z, "xl/worksheets/sheet1.xml"), "zip64");
	/* the end record says: look at the zip64 one */
	cd = (const unsigned char *)s.b.data + s.b.len - 22;
	assert_int_equal(get(cd + 10, 2), 0xffff);
	assert_int_equal(get(cd + 16, 4), 0xffffffff);
	zip_free(&z);
	xlsx_free(x);
	buf_free(&s.b);
}

static void
test_xlsx_stream__many_rows__bytes_leave_before_the_end(void **state)
{
	struct sink	 s;
	struct xlsx	*x = new_writer(&s, 0, 0);
	struct zip	 z;
	char		 id[32];
	int		 i;
	size_t		 calls_at_end;

	(void)state;
	for (i = 0; i < 50000; i++) {
		assert_int_equal(xlsx_row(x), 0);
		snprintf(id, sizeof(id), "row %d", i * 7919);
		xlsx_text(x, id, XLSX_STYLE_GENERAL);
		xlsx_text(x, "646180157048010399", XLSX_STYLE_TEXT);
		xlsx_amount(x, (int64_t)i * 1013);
	}
	/* streamed: the sink had data long before the last row */
	assert_true(s.calls >= 2);
	calls_at_end = s.calls;
	assert_int_equal(xlsx_finish(x), 0);
	assert_true(s.calls > calls_at_end);
	zip_read((const unsigned char *)s.b.data, s.b.len, &z);
	assert_contains(z.e[2].data, "<row r=\"50001\"><c r=\"A50001\" "
	    "t=\"inlineStr\"><is><t>row 395942081</t></is></c>");
	zip_free(&z);
	xlsx_free(x);
	buf_free(&s.b);
}

static void
test_xlsx_empty__no_rows__header_only_sheet(void **state)
{
	struct sink	 s;
	struct xlsx	*x = new_writer(&s, 0, 0);
	struct zip	 z;
	char		*d;

	(void)state;
	assert_int_equal(s.calls, 0);		/* nothing before the first row */
	assert_int_equal(xlsx_finish(x), 0);
	zip_read((const unsigned char *)s.b.data, s.b.len, &z);
	assert_int_equal(z.n, 6);
	d = sheet_data(zip_part(&z, "xl/worksheets/sheet1.xml"));
	assert_string_equal(d, "<row r=\"1\">"
	    "<c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>id</t></is></c>"
	    "<c r=\"B1\" s=\"1\" t=\"inlineStr\"><is><t>cuenta</t></is></c>"
	    "<c r=\"C1\" s=\"1\" t=\"inlineStr\"><is><t>monto</t></is></c>"
	    "</row>");
	free(d);
	assert_contains(zip_part(&z, "xl/worksheets/sheet1.xml"),
	    "<autoFilter ref=\"A1:C1\"/>");
	zip_free(&z);
	xlsx_free(x);
	buf_free(&s.b);
}

static void
test_xlsx_sink__refuses__every_call_fails_after(void **state)
{
	struct sink	 s;
	struct xlsx	*x = new_writer(&s, 0, 0);
	int		 i, rc = 0;

	(void)state;
	s.fail_after = 1;
	for (i = 0; i < 100000 && rc == 0; i++) {
		rc = xlsx_row(x);
		xlsx_text(x, "some text that takes room in the sheet",
		    XLSX_STYLE_GENERAL);
		xlsx_amount(x, i);
	}
	assert_int_equal(rc, -1);
	assert_int_equal(xlsx_row(x), -1);
	assert_int_equal(xlsx_finish(x), -1);
	assert_int_equal(s.calls, 1);
	xlsx_free(x);
	buf_free(&s.b);
	xlsx_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_xlsx_zip__small_workbook__entries_crcs_sizes_agree),
		cmocka_unit_test(
		    test_xlsx_cells__kinds__inline_strings_numbers_booleans),
		cmocka_unit_test(test_xlsx_amount__cents__exact_decimal_text),
		cmocka_unit_test(
		    test_xlsx_text__special_bytes__escaped_or_dropped),
		cmocka_unit_test(
		    test_xlsx_sheets__past_sheet_rows__next_sheet_with_header),
		cmocka_unit_test(
		    test_xlsx_refs__every_row_and_cell__r_attribute_in_order),
		cmocka_unit_test(
		    test_xlsx_zip64__forced__extra_fields_and_end_records),
		cmocka_unit_test(
		    test_xlsx_stream__many_rows__bytes_leave_before_the_end),
		cmocka_unit_test(test_xlsx_empty__no_rows__header_only_sheet),
		cmocka_unit_test(
		    test_xlsx_sink__refuses__every_call_fails_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
