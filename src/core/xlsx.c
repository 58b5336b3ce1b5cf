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
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "util/util.h"
#include "core/core.h"

#define XLSX_CHUNK		(64 * 1024)	/* XML per deflate call; bytes per sink write */
#define XLSX_NAME_SIZE		48		/* "xl/worksheets/sheet4294967295.xml" */
#define XLSX_STYLE_DIGIT	'0'		/* s="N": N = enum xlsx_style */

#define ZIP_LFH_SIG		0x04034b50u	/* local file header */
#define ZIP_DD_SIG		0x08074b50u	/* data descriptor */
#define ZIP_CDH_SIG		0x02014b50u	/* central directory header */
#define ZIP_EOCD_SIG		0x06054b50u
#define ZIP64_EOCD_SIG		0x06064b50u
#define ZIP64_LOC_SIG		0x07064b50u
#define ZIP64_EXTRA_ID		0x0001u
#define ZIP_VERSION		20		/* 2.0: deflate, bit 3 */
#define ZIP64_VERSION		45		/* 4.5: zip64 */
#define ZIP_FLAG_DD		0x0008u		/* general purpose bit 3 */
#define ZIP_DEFLATE		8
#define ZIP_LFH_LEN		30
#define ZIP_CDH_LEN		46
#define ZIP_EOCD_LEN		22
#define ZIP64_EOCD_LEN		56
#define ZIP64_LOC_LEN		20
#define ZIP_U32			UINT64_C(0xffffffff)
#define ZIP_U16			0xffffu

/* one entry of the archive, for the central directory */
struct xlsx_entry {
	char		 name[XLSX_NAME_SIZE];
	uint64_t	 offset;	/* of its local header */
	uint64_t	 csize;		/* compressed bytes */
	uint64_t	 usize;		/* uncompressed bytes */
	uint32_t	 crc;		/* CRC-32 of the uncompressed bytes */
	int		 zip64;		/* zip64 local header and descriptor */
	uint32_t	 rows;		/* a sheet's rows, header included; 0 = not a sheet */
};

struct xlsx {
	struct xlsx_options	 opt;		/* copy; cols, sheet_name borrowed */
	xlsx_write_fn		 write;
	void			*arg;		/* the sink's, borrowed */
	z_stream		 z;
	int			 z_ready;	/* deflateInit2 done */
	int			 failed;	/* the sink or zlib failed: all -1 */
	uint16_t		 dos_time, dos_date;	/* of every entry */
	/* the archive */
	uint64_t		 offset;	/* bytes of the archive so far */
	unsigned char		*out;		/* XLSX_CHUNK bytes for the sink */
	size_t			 outlen;
	struct xlsx_entry	*entries;
	size_t			 nentries, entries_cap;
	/* the sheet being written (the last entry while row > 0) */
	char			*xml;		/* its XML not yet deflated */
	size_t			 xlen, xcap;
	uint32_t		 sheets;	/* sheets started */
	uint32_t		 row;		/* rows of this sheet, header
						   included; 0 = no sheet open */
	uint32_t		 col;		/* cells so far in the row
						   (blanks too): the next r */
	int			 in_row;	/* a data row is open */
};

/* ---- bytes -------------------------------------------------------- */

static unsigned char *
put16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)((v >> 8) & 0xff);
	return p + 2;
}

static unsigned char *
put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
	return p + 4;
}

static unsigned char *
put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)(v & ZIP_U32));
	put32(p + 4, (uint32_t)(v >> 32));
	return p + 8;
}

/* the pending output to the sink; -1 (sticky) when it refused */
static int
xlsx_flush(struct xlsx *x)
{
	if (x->failed)
		return -1;
	if (x->outlen > 0 && x->write(x->arg, x->out, x->outlen) == -1) {
		x->failed = 1;
		return -1;
	}
	x->outlen = 0;
	return 0;
}

/* n bytes of the archive, through the output buffer */
static int
xlsx_emit(struct xlsx *x, const void *p, size_t n)
{
	const unsigned char	*s = p;
	size_t			 k;

	while (n > 0) {
		if (x->outlen == XLSX_CHUNK && xlsx_flush(x) == -1)
			return -1;
		k = XLSX_CHUNK - x->outlen;
		if (k > n)
			k = n;
		memcpy(x->out + x->outlen, s, k);
		x->outlen += k;
		x->offset += k;
		s += k;
		n -= k;
	}
	return x->failed ? -1 : 0;
}

/* ---- entries ------------------------------------------------------ */

/*
 * Starts entry name: its local header. zip64: version 4.5 and a zip64
 * extra field with zero sizes (32-bit sizes 0xffffffff), so readers
 * expect the 8-byte sizes of a zip64 data descriptor.
 */
static int
xlsx_entry_begin(struct xlsx *x, const char *name, int zip64)
{
	unsigned char		 h[ZIP_LFH_LEN + 20], *p = h;
	struct xlsx_entry	*e;
	size_t			 nlen = strlen(name);

	if (x->failed)
		return -1;
	if (x->nentries == x->entries_cap) {
		x->entries_cap = x->entries_cap == 0 ? 8 : 2 * x->entries_cap;
		x->entries = xrealloc(x->entries,
		    x->entries_cap * sizeof(*x->entries));
	}
	e = &x->entries[x->nentries++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->offset = x->offset;
	e->zip64 = zip64;
	p = put32(p, ZIP_LFH_SIG);
	p = put16(p, zip64 ? ZIP64_VERSION : ZIP_VERSION);
	p = put16(p, ZIP_FLAG_DD);
	p = put16(p, ZIP_DEFLATE);
	p = put16(p, x->dos_time);
	p = put16(p, x->dos_date);
	p = put32(p, 0);			/* CRC: in the descriptor */
	p = put32(p, zip64 ? (uint32_t)ZIP_U32 : 0);	/* compressed */
	p = put32(p, zip64 ? (uint32_t)ZIP_U32 : 0);	/* uncompressed */
	p = put16(p, (uint32_t)nlen);
	p = put16(p, zip64 ? 20 : 0);
	if (xlsx_emit(x, h, ZIP_LFH_LEN) == -1 ||
	    xlsx_emit(x, name, nlen) == -1)
		return -1;
	if (zip64) {
		p = put16(h, ZIP64_EXTRA_ID);
		p = put16(p, 16);
		p = put64(p, 0);		/* uncompressed */
		p = put64(p, 0);		/* compressed */
		if (xlsx_emit(x, h, (size_t)(p - h)) == -1)
			return -1;
	}
	if (deflateReset(&x->z) != Z_OK) {
		log_warnx("%s: deflateReset: %s", __func__,
		    x->z.msg != NULL ? x->z.msg : "failed");
		x->failed = 1;
		return -1;
	}
	return 0;
}

/*
 * n bytes of the current entry's data, deflated into the output (the
 * sink gets every full XLSX_CHUNK); flush Z_FINISH ends the stream.
 */
static int
xlsx_entry_write(struct xlsx *x, const void *p, size_t n, int flush)
{
	struct xlsx_entry	*e = &x->entries[x->nentries - 1];
	const unsigned char	*s = p;
	size_t			 k, room;
	int			 rc, last;

	do {
		k = n > (1u << 30) ? (1u << 30) : n;	/* uInt fields */
		last = k == n;
		e->crc = (uint32_t)crc32(e->crc, s, (uInt)k);
		e->usize += k;
		x->z.next_in = (Bytef *)(uintptr_t)s;
		x->z.avail_in = (uInt)k;
		for (;;) {
			if (x->outlen == XLSX_CHUNK && xlsx_flush(x) == -1)
				return -1;
			room = XLSX_CHUNK - x->outlen;
			x->z.next_out = x->out + x->outlen;
			x->z.avail_out = (uInt)room;
			rc = deflate(&x->z, last ? flush : Z_NO_FLUSH);
			if (rc == Z_STREAM_ERROR) {
				log_warnx("%s: deflate failed", __func__);
				x->failed = 1;
				return -1;
			}
			room -= x->z.avail_out;		/* produced */
			x->outlen += room;
			x->offset += room;
			e->csize += room;
			if (last && flush == Z_FINISH ? rc == Z_STREAM_END :
			    x->z.avail_in == 0 && x->z.avail_out > 0)
				break;
		}
		s += k;
		n -= k;
	} while (n > 0);
	return 0;
}

/* ends the current entry: the deflate stream, then its data descriptor */
static int
xlsx_entry_end(struct xlsx *x)
{
	struct xlsx_entry	*e = &x->entries[x->nentries - 1];
	unsigned char		 d[24], *p = d;

	if (xlsx_entry_write(x, "", 0, Z_FINISH) == -1)
		return -1;
	if (!e->zip64 && (e->csize >= ZIP_U32 || e->usize >= ZIP_U32)) {
		/* XXX: only the fixed parts are not zip64, all a few KiB */
		log_warnx("%s: %s is too large for its header", __func__,
		    e->name);
		x->failed = 1;
		return -1;
	}
	p = put32(p, ZIP_DD_SIG);
	p = put32(p, e->crc);
	if (e->zip64) {
		p = put64(p, e->csize);
		p = put64(p, e->usize);
	} else {
		p = put32(p, (uint32_t)e->csize);
		p = put32(p, (uint32_t)e->usize);
	}
	return xlsx_emit(x, d, (size_t)(p - d));
}

/* a whole small entry */
static int
xlsx_part(struct xlsx *x, const char *name, const char *data, size_t len)
{
	if (xlsx_entry_begin(x, name, 0) == -1 ||
	    xlsx_entry_write(x, data, len, Z_NO_FLUSH) == -1)
		return -1;
	return xlsx_entry_end(x);
}

/* 1 when v needs a zip64 field (opt.zip64_min lowers the bar for tests) */
static int
xlsx_big(const struct xlsx *x, uint64_t v)
{
	return v >= x->opt.zip64_min;
}

static int
xlsx_central_entry(struct xlsx *x, const struct xlsx_entry *e)
{
	unsigned char	 h[ZIP_CDH_LEN + 28], *p = h, *q;
	size_t		 nlen = strlen(e->name);
	int		 bu = xlsx_big(x, e->usize), bc = xlsx_big(x, e->csize);
	int		 bo = xlsx_big(x, e->offset);
	uint32_t	 extra = (uint32_t)(bu + bc + bo) * 8;

	p = put32(p, ZIP_CDH_SIG);
	p = put16(p, ZIP64_VERSION);		/* made by: 4.5, MS-DOS */
	p = put16(p, e->zip64 || extra > 0 ? ZIP64_VERSION : ZIP_VERSION);
	p = put16(p, ZIP_FLAG_DD);
	p = put16(p, ZIP_DEFLATE);
	p = put16(p, x->dos_time);
	p = put16(p, x->dos_date);
	p = put32(p, e->crc);
	p = put32(p, bc ? (uint32_t)ZIP_U32 : (uint32_t)e->csize);
	p = put32(p, bu ? (uint32_t)ZIP_U32 : (uint32_t)e->usize);
	p = put16(p, (uint32_t)nlen);
	p = put16(p, extra > 0 ? extra + 4 : 0);
	p = put16(p, 0);			/* comment */
	p = put16(p, 0);			/* disk */
	p = put16(p, 0);			/* internal attributes */
	p = put32(p, 0);			/* external attributes */
	p = put32(p, bo ? (uint32_t)ZIP_U32 : (uint32_t)e->offset);
	if (xlsx_emit(x, h, (size_t)(p - h)) == -1 ||
	    xlsx_emit(x, e->name, nlen) == -1)
		return -1;
	if (extra == 0)
		return 0;
	/* APPNOTE 4.5.3: only the fields set to 0xffffffff, in this order */
	q = p = h;
	p = put16(p, ZIP64_EXTRA_ID);
	p = put16(p, extra);
	if (bu)
		p = put64(p, e->usize);
	if (bc)
		p = put64(p, e->csize);
	if (bo)
		p = put64(p, e->offset);
	return xlsx_emit(x, q, (size_t)(p - q));
}

/* the central directory and the end records, zip64 ones when needed */
static int
xlsx_central(struct xlsx *x)
{
	unsigned char	 h[ZIP64_EOCD_LEN], *p;
	uint64_t	 start = x->offset, size, end64;
	uint64_t	 n = x->nentries;
	size_t		 i;
	int		 bn, bs, bo;

	for (i = 0; i < x->nentries; i++)
		if (xlsx_central_entry(x, &x->entries[i]) == -1)
			return -1;
	size = x->offset - start;
	bn = n >= ZIP_U16 || xlsx_big(x, n);
	bs = xlsx_big(x, size);
	bo = xlsx_big(x, start);
	if (bn || bs || bo) {
		end64 = x->offset;
		p = put32(h, ZIP64_EOCD_SIG);
		p = put64(p, ZIP64_EOCD_LEN - 12);	/* size of the rest */
		p = put16(p, ZIP64_VERSION);
		p = put16(p, ZIP64_VERSION);
		p = put32(p, 0);			/* this disk */
		p = put32(p, 0);			/* disk of the directory */
		p = put64(p, n);
		p = put64(p, n);
		p = put64(p, size);
		p = put64(p, start);
		if (xlsx_emit(x, h, (size_t)(p - h)) == -1)
			return -1;
		p = put32(h, ZIP64_LOC_SIG);
		p = put32(p, 0);			/* disk of the zip64 end */
		p = put64(p, end64);
		p = put32(p, 1);			/* disks */
		if (xlsx_emit(x, h, (size_t)(p - h)) == -1)
			return -1;
	}
	p = put32(h, ZIP_EOCD_SIG);
	p = put16(p, 0);
	p = put16(p, 0);
	p = put16(p, bn ? ZIP_U16 : (uint32_t)n);
	p = put16(p, bn ? ZIP_U16 : (uint32_t)n);
	p = put32(p, bs ? (uint32_t)ZIP_U32 : (uint32_t)size);
	p = put32(p, bo ? (uint32_t)ZIP_U32 : (uint32_t)start);
	p = put16(p, 0);			/* comment */
	return xlsx_emit(x, h, (size_t)(p - h));
}

/* ---- XML ---------------------------------------------------------- */

static void
xml_reserve(struct xlsx *x, size_t n)
{
	if (x->xlen + n <= x->xcap)
		return;
	while (x->xlen + n > x->xcap)
		x->xcap *= 2;
	x->xml = xrealloc(x->xml, x->xcap);
}

/* after xml_reserve */
#define XML_LIT(x, lit)		xml_put((x), (lit), sizeof(lit) - 1)
static inline void
xml_put(struct xlsx *x, const char *s, size_t n)
{
	memcpy(x->xml + x->xlen, s, n);
	x->xlen += n;
}

static void
xml_append(struct xlsx *x, const char *s, size_t n)
{
	xml_reserve(x, n);
	xml_put(x, s, n);
}

static void
xml_puts(struct xlsx *x, const char *s)
{
	xml_append(x, s, strlen(s));
}

/* bytes xml_escape must look at: controls, " & < > _ and non-ASCII */
static const unsigned char xml_special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x00 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x20 " & */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0,	/* 0x30 < > */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x40 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,	/* 0x50 _ */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x60 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x70 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x80 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
is_cont(unsigned char c)
{
	return c >= 0x80 && c <= 0xbf;
}

/*
 * The length of the well-formed UTF-8 character at s (n bytes left) that
 * XML 1.0 allows, or 0: overlong forms, surrogates, U+FFFE/U+FFFF, above
 * U+10FFFF and truncated sequences are 0.
 */
static size_t
utf8_char(const unsigned char *s, size_t n)
{
	unsigned char	 c = s[0];

	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && is_cont(s[1]) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || !is_cont(s[1]) || !is_cont(s[2]) ||
		    (c == 0xe0 && s[1] < 0xa0) ||	/* overlong */
		    (c == 0xed && s[1] > 0x9f) ||	/* surrogates */
		    (c == 0xef && s[1] == 0xbf && s[2] >= 0xbe))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || !is_cont(s[1]) || !is_cont(s[2]) ||
		    !is_cont(s[3]) || (c == 0xf0 && s[1] < 0x90) ||
		    (c == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/*
 * s (n bytes) as XML character data: & < > escaped (and " when attr),
 * CR as &#13; (a parser would make it LF), other C0 controls but TAB and
 * LF dropped (XML 1.0 has no way to write them), bytes that are not
 * well-formed UTF-8 replaced by U+FFFD, and "_" escaped as _x005F_ where
 * it starts an OOXML escape (_xHHHH_) so the text reads back as written.
 * Needs 7 * n bytes of room at most.
 */
static void
xml_escape(struct xlsx *x, const char *str, size_t n, int attr)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, run, k;
	unsigned char		 c;

	xml_reserve(x, 7 * n);
	while (i < n) {
		for (run = i; run < n && !xml_special[s[run]]; run++)
			;
		xml_put(x, (const char *)s + i, run - i);
		if ((i = run) == n)
			break;
		c = s[i];
		if (c >= 0x80) {
			if ((k = utf8_char(s + i, n - i)) == 0) {
				XML_LIT(x, "\xef\xbf\xbd");
				k = 1;
			} else
				xml_put(x, (const char *)s + i, k);
			i += k;
			continue;
		}
		i++;
		switch (c) {
		case '&':
			XML_LIT(x, "&amp;");
			break;
		case '<':
			XML_LIT(x, "&lt;");
			break;
		case '>':
			XML_LIT(x, "&gt;");
			break;
		case '"':
			if (attr)
				XML_LIT(x, "&quot;");
			else
				XML_LIT(x, "\"");
			break;
		case '_':
			if (n - i >= 6 && s[i] == 'x' && is_hex(s[i + 1]) &&
			    is_hex(s[i + 2]) && is_hex(s[i + 3]) &&
			    is_hex(s[i + 4]) && s[i + 5] == '_')
				XML_LIT(x, "_x005F_");
			else
				XML_LIT(x, "_");
			break;
		case '\t':
		case '\n':
			xml_put(x, (const char *)&c, 1);
			break;
		case '\r':
			XML_LIT(x, "&#13;");
			break;
		default:
			break;		/* other C0 controls: dropped */
		}
	}
}

/* v in decimal, right-aligned ending at end; returns the first digit */
static char *
dec(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	return end;
}

static void
xml_dec(struct xlsx *x, uint64_t v)
{
	char	 d[24], *p = dec(d + sizeof(d), v);

	xml_put(x, p, (size_t)(d + sizeof(d) - p));
}

/* the column letters of 0-based col ("A", "Z", "AA", ...) */
static void
xml_col(struct xlsx *x, uint32_t col)
{
	char	 d[8], *p = d + sizeof(d);

	col++;
	do {
		*--p = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	} while (col > 0);
	xml_put(x, p, (size_t)(d + sizeof(d) - p));
}

/*
 * "<c r=.. s=.. t=..>" of the next cell; 64 bytes. The reference is on
 * every cell, as Excel writes it: the standard makes it optional, but
 * some readers place a cell by its r alone.
 */
static void
xml_cell(struct xlsx *x, enum xlsx_style style, const char *type)
{
	char	 s[8] = " s=\"0\"";

	xml_reserve(x, 64);
	XML_LIT(x, "<c r=\"");
	xml_col(x, x->col);
	xml_dec(x, x->row);
	XML_LIT(x, "\"");
	if (style != XLSX_STYLE_GENERAL) {
		s[4] = (char)(XLSX_STYLE_DIGIT + style);
		xml_put(x, s, 6);
	}
	if (type != NULL) {
		XML_LIT(x, " t=\"");
		xml_put(x, type, strlen(type));
		XML_LIT(x, "\"");
	}
	XML_LIT(x, ">");
	x->col++;
}

/* ---- the parts ---------------------------------------------------- */

#define XML_DECL \
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN \
	"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
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

/* the first part of the workbook: the fixed parts */
static int
xlsx_start(struct xlsx *x)
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
	xml_escape(x, x->opt.sheet_name, strlen(x->opt.sheet_name), 1);
	if (n > 1) {
		xml_append(x, " ", sizeof(" ") - 1);
		xml_reserve(x, 16);
		xml_dec(x, n);
	}
}

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

static int
xlsx_workbook_rels(struct xlsx *x)
{
	uint32_t	 n;

	x->xlen = 0;
	xml_puts(x, XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\">");
	for (n = 1; n <= x->sheets + 1; n++) {
		xml_reserve(x, 64);
		XML_LIT(x, "<Relationship Id=\"rId");
		xml_dec(x, n);
		if (n <= x->sheets) {
			xml_puts(x, "\" Type=\"" NS_REL "/worksheet\" "
			    "Target=\"worksheets/sheet");
			xml_reserve(x, 16);
			xml_dec(x, n);
			xml_puts(x, ".xml\"/>");
		} else
			xml_puts(x, "\" Type=\"" NS_REL "/styles\" "
			    "Target=\"styles.xml\"/>");
	}
	xml_puts(x, "</Relationships>");
	return xlsx_part(x, "xl/_rels/workbook.xml.rels", x->xml, x->xlen);
}

/* [Content_Types].xml: last, since it names every sheet */
static int
xlsx_content_types(struct xlsx *x)
{
	uint32_t	 n;

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
	for (n = 1; n <= x->sheets; n++) {
		xml_puts(x, "<Override PartName=\"/xl/worksheets/sheet");
		xml_reserve(x, 16);
		xml_dec(x, n);
		xml_puts(x, ".xml\" ContentType=\"" CT_SML ".worksheet+xml\"/>");
	}
	xml_puts(x, "</Types>");
	return xlsx_part(x, "[Content_Types].xml", x->xml, x->xlen);
}

/* ---- public ------------------------------------------------------- */

struct xlsx *
xlsx_new(const struct xlsx_options *opt, xlsx_write_fn write, void *arg)
{
	struct xlsx	*x = xcalloc(1, sizeof(*x));
	struct tm	 tm;
	time_t		 t = opt->mtime;
	int		 rc;

	x->opt = *opt;
	if (x->opt.sheet_rows < 2 || x->opt.sheet_rows > XLSX_MAX_ROWS)
		x->opt.sheet_rows = XLSX_MAX_ROWS;
	if (x->opt.level < 1 || x->opt.level > 9)
		x->opt.level = XLSX_LEVEL;
	if (x->opt.zip64_min == 0 || x->opt.zip64_min > ZIP_U32)
		x->opt.zip64_min = ZIP_U32;
	x->write = write;
	x->arg = arg;
	x->out = xmalloc(XLSX_CHUNK);
	x->xcap = XLSX_CHUNK + 4096;
	x->xml = xmalloc(x->xcap);
	/* MS-DOS time of the entries (local time by the format; UTC here) */
	if (t == 0 || gmtime_r(&t, &tm) == NULL || tm.tm_year < 80) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 80;
		tm.tm_mday = 1;
	}
	x->dos_time = (uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) |
	    (tm.tm_sec / 2));
	x->dos_date = (uint16_t)(((tm.tm_year - 80) << 9) |
	    ((tm.tm_mon + 1) << 5) | tm.tm_mday);
	/* raw deflate (-15): ZIP has no zlib header */
	if ((rc = deflateInit2(&x->z, x->opt.level, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY)) != Z_OK) {
		log_warnx("%s: deflateInit2: %d", __func__, rc);
		xlsx_free(x);
		return NULL;
	}
	x->z_ready = 1;
	return x;
}

void
xlsx_free(struct xlsx *x)
{
	if (x == NULL)
		return;
	if (x->z_ready)
		deflateEnd(&x->z);
	free(x->entries);
	free(x->xml);
	free(x->out);
	free(x);
}

/* the first sheet (and the fixed parts before it) */
static int
xlsx_open(struct xlsx *x)
{
	if (x->sheets == 0 && xlsx_start(x) == -1)
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

void
xlsx_blank(struct xlsx *x)
{
	x->col++;
}

void
xlsx_text(struct xlsx *x, const char *s, enum xlsx_style style)
{
	size_t	 n;
	int	 pre;

	if (s == NULL || s[0] == '\0') {
		xlsx_blank(x);
		return;
	}
	n = strlen(s);
	/* Excel trims leading and trailing blanks unless told not to */
	pre = strchr(" \t\n\r", s[0]) != NULL ||
	    strchr(" \t\n\r", s[n - 1]) != NULL;
	xml_cell(x, style, "inlineStr");
	if (pre)
		xml_puts(x, "<is><t xml:space=\"preserve\">");
	else
		xml_append(x, "<is><t>", sizeof("<is><t>") - 1);
	xml_escape(x, s, n, 0);
	xml_append(x, "</t></is></c>", sizeof("</t></is></c>") - 1);
}

void
xlsx_amount(struct xlsx *x, int64_t cents)
{
	char	 d[32], *p;

	if (cents < 0) {
		xlsx_blank(x);
		return;
	}
	/* exact: "1234.50" from integer centavos, never through a double */
	p = d + sizeof(d);
	*--p = (char)('0' + cents % 10);
	*--p = (char)('0' + cents / 10 % 10);
	*--p = '.';
	p = dec(p, (uint64_t)(cents / 100));
	xml_cell(x, XLSX_STYLE_AMOUNT, NULL);
	xml_reserve(x, 48);
	XML_LIT(x, "<v>");
	xml_put(x, p, (size_t)(d + sizeof(d) - p));
	XML_LIT(x, "</v></c>");
}

/*
 * days (since 1970-01-01) and seconds into the day as an Excel serial
 * (1900 date system: day 1 is 1900-01-01, and Excel counts a 1900-02-29
 * that never was, so from 1900-03-01 on serial = days since 1899-12-30);
 * the fraction with 10 decimals (9 microseconds). 0 when before 1900.
 */
static int
xml_serial(struct xlsx *x, int64_t days, int64_t secs, enum xlsx_style style)
{
	int64_t		 serial = days + 25569;
	uint64_t	 frac;
	char		 d[16], *p;
	size_t		 n;

	if (serial < 61)
		serial--;			/* before Excel's 1900-02-29 */
	if (serial < 1)
		return 0;
	xml_cell(x, style, NULL);
	xml_reserve(x, 48);
	XML_LIT(x, "<v>");
	xml_dec(x, (uint64_t)serial);
	if (secs > 0) {
		frac = ((uint64_t)secs * UINT64_C(10000000000) + 43200) / 86400;
		p = d + sizeof(d);
		for (n = 0; n < 10; n++) {
			*--p = (char)('0' + frac % 10);
			frac /= 10;
		}
		for (n = 10; n > 0 && p[n - 1] == '0'; n--)
			;
		XML_LIT(x, ".");
		xml_put(x, p, n);
	}
	XML_LIT(x, "</v></c>");
	return 1;
}

void
xlsx_datetime(struct xlsx *x, time_t t)
{
	int64_t	 days, secs;
	char	 s[32];

	if (t == 0) {
		xlsx_blank(x);
		return;
	}
	days = (int64_t)t / 86400;
	secs = (int64_t)t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	if (!xml_serial(x, days, secs, XLSX_STYLE_DATETIME))
		xlsx_text(x, clock_rfc3339(t, s, sizeof(s)), XLSX_STYLE_GENERAL);
}

void
xlsx_date(struct xlsx *x, const char *iso)
{
	struct date	 dt;

	if (iso == NULL || iso[0] == '\0') {
		xlsx_blank(x);
		return;
	}
	if (date_parse_iso(iso, &dt) == -1 || !xml_serial(x,
	    date_days_since_epoch(dt.year, dt.month, dt.day), 0, XLSX_STYLE_DATE))
		xlsx_text(x, iso, XLSX_STYLE_GENERAL);
}

void
xlsx_bool(struct xlsx *x, int v)
{
	xml_cell(x, XLSX_STYLE_GENERAL, "b");
	xml_append(x, v ? "<v>1</v></c>" : "<v>0</v></c>", 12);
}

int
xlsx_finish(struct xlsx *x)
{
	if (x->failed)
		return -1;
	/* no rows: a sheet with the header alone */
	if (x->row == 0 && xlsx_open(x) == -1)
		return -1;
	if (xlsx_sheet_end(x) == -1 || xlsx_workbook(x) == -1 ||
	    xlsx_workbook_rels(x) == -1 || xlsx_content_types(x) == -1 ||
	    xlsx_central(x) == -1)
		return -1;
	return xlsx_flush(x);
}
