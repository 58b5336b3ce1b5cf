/*
 * mxcep: the ZIP container of the streaming XLSX writer (PKWARE
 * APPNOTE 6.3): local headers, deflated data and data descriptors
 * (bit 3: CRC and sizes after the data, so nothing is ever seeked),
 * then the central directory and end records; zip64 where needed (see
 * xlsx.c). The caller's sink gets every full XLSX_CHUNK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "core/xlsx_int.h"

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
#define ZIP_U16			0xffffu

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
int
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
int
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
int
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
int
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
int
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
int
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

/* ---- the writer's life -------------------------------------------- */

int
xlsx_zip_init(struct xlsx *x, time_t t)
{
	struct tm	 tm;
	int		 rc;

	x->out = xmalloc(XLSX_CHUNK);
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
		return -1;
	}
	x->z_ready = 1;
	return 0;
}

void
xlsx_zip_free(struct xlsx *x)
{
	if (x->z_ready)
		deflateEnd(&x->z);
	x->z_ready = 0;
	free(x->entries);
	free(x->out);
	x->entries = NULL;
	x->out = NULL;
}
