/*
 * mxcep: what the files of the streaming XLSX writer share (src/core/
 * xlsx.c and xlsx_*.c; nothing else includes it): the writer's state,
 * and the XML buffer's inline appenders, which sit on the per-cell path.
 *   xlsx.c		the public writer: rows, sheets, the end
 *   xlsx_zip.c		the ZIP container: entries, deflate, directory
 *   xlsx_cells.c	the cells: escaping, numbers, dates, booleans
 *   xlsx_parts.c	the fixed parts: styles, workbook, content types
 */
#ifndef MXCEP_CORE_XLSX_INT_H
#define MXCEP_CORE_XLSX_INT_H

#include <stdint.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "util/util.h"
#include "core/core.h"

#define XLSX_CHUNK		(64 * 1024)	/* XML per deflate call; bytes per sink write */
#define XLSX_NAME_SIZE		48		/* "xl/worksheets/sheet4294967295.xml" */
#define ZIP_U32			UINT64_C(0xffffffff)	/* a full 32-bit zip field */

#define XML_DECL \
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN \
	"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships"

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

/* ---- the XML buffer (x->xml) ------------------------------------- */

static inline void
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

static inline void
xml_append(struct xlsx *x, const char *s, size_t n)
{
	xml_reserve(x, n);
	xml_put(x, s, n);
}

static inline void
xml_puts(struct xlsx *x, const char *s)
{
	xml_append(x, s, strlen(s));
}

/* v in decimal, right-aligned ending at end; returns the first digit */
static inline char *
xlsx_dec(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	return end;
}

static inline void
xml_dec(struct xlsx *x, uint64_t v)
{
	char	 d[24], *p = xlsx_dec(d + sizeof(d), v);

	xml_put(x, p, (size_t)(d + sizeof(d) - p));
}

/* the column letters of 0-based col ("A", "Z", "AA", ...) */
static inline void
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

/* xlsx_zip.c: the ZIP container, written front to back */
/* MS-DOS time of the entries, the output buffer, the deflate stream;
 * 0, or -1 (logged) when zlib could not start */
int	 xlsx_zip_init(struct xlsx *, time_t mtime);
void	 xlsx_zip_free(struct xlsx *);		/* what xlsx_zip_init made */
int	 xlsx_flush(struct xlsx *);		/* the output to the sink */
/* an entry: its local header (zip64: sizes unknown until the end),
 * its data deflated (flush Z_NO_FLUSH or Z_FINISH), its descriptor */
int	 xlsx_entry_begin(struct xlsx *, const char *name, int zip64);
int	 xlsx_entry_write(struct xlsx *, const void *, size_t, int flush);
int	 xlsx_entry_end(struct xlsx *);
/* a whole small entry */
int	 xlsx_part(struct xlsx *, const char *name, const char *, size_t);
int	 xlsx_central(struct xlsx *);	/* the directory and end records */

/* xlsx_cells.c: s (n bytes) as XML text, escaped (" too when attr) */
void	 xlsx_escape(struct xlsx *, const char *s, size_t n, int attr);

/* xlsx_parts.c: the fixed parts before the first sheet, and those after
 * the last one (they name every sheet); 0, or -1 */
int	 xlsx_parts_start(struct xlsx *);
int	 xlsx_parts_end(struct xlsx *);

#endif /* MXCEP_CORE_XLSX_INT_H */
