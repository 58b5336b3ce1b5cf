/*
 * mxcep: a strict multipart/form-data reader (RFC 7578, RFC 2046 section
 * 5.1) for uploads (POST /v1/validate-ocr). It reads a whole body held in
 * memory (max_body_bytes bounds it) and returns its parts as pointers
 * into that body: nothing is copied but the names. Bounded everywhere: at
 * most MULTIPART_MAX_PARTS parts, MULTIPART_HEADERS_MAX bytes of headers
 * per part, names and file names capped. What it does not accept is
 * refused, not guessed: a missing boundary, a part without
 * Content-Disposition: form-data and a name, a body that does not end
 * with the closing delimiter.
 *
 * Hand-written because none of the project's libraries (libfcgi, curl,
 * jansson) reads multipart bodies, and a general MIME library (gmime)
 * would be a large dependency for these 200 lines.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"

#define BOUNDARY_MAX	70	/* RFC 2046: 1 to 70 characters */

/* the boundary parameter of a Content-Type (quoted or not) into out */
static int
boundary_of(const char *ct, char out[BOUNDARY_MAX + 1])
{
	const char	*p;
	size_t		 n = 0;
	int		 quoted;

	if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0)
		return -1;
	for (p = ct + 19; (p = strchr(p, ';')) != NULL; ) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9) == 0)
			break;
	}
	if (p == NULL)
		return -1;
	p += 9;
	if ((quoted = *p == '"'))
		p++;
	while (*p != '\0' && n < BOUNDARY_MAX &&
	    (quoted ? *p != '"' : (*p != ';' && *p != ' ' && *p != '\t')))
		out[n++] = *p++;
	if (n == 0 || (quoted && *p != '"') ||
	    (!quoted && *p != '\0' && *p != ';' && *p != ' ' && *p != '\t'))
		return -1;
	out[n] = '\0';
	return 0;
}

/* memmem for a body that may hold NULs */
static const unsigned char *
find(const unsigned char *hay, size_t n, const char *needle, size_t m)
{
	size_t	 i;

	if (m == 0 || n < m)
		return NULL;
	for (i = 0; i + m <= n; i++)
		if (hay[i] == (unsigned char)needle[0] &&
		    memcmp(hay + i, needle, m) == 0)
			return hay + i;
	return NULL;
}

/* a parameter (name="..." or filename="...") of a Content-Disposition
 * value into out; 0, 1 absent, -1 malformed or too long */
static int
disposition_param(const char *v, const char *key, char *out, size_t size)
{
	const char	*p = v;
	size_t		 klen = strlen(key), n = 0;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, key, klen) == 0 && p[klen] == '=')
			break;
	}
	if (p == NULL)
		return 1;
	p += klen + 1;
	if (*p != '"')
		return -1;
	for (p++; *p != '"'; p++) {
		if (*p == '\0' || n + 1 >= size ||
		    (unsigned char)*p < 0x20)
			return -1;
		out[n++] = *p;
	}
	out[n] = '\0';
	return 0;
}

/* one header line "Name: value" of a part, into the part; -1 refused */
static int
part_header(struct multipart_part *part, const char *line, int *has_cd)
{
	const char	*v = strchr(line, ':');
	size_t		 n;

	if (v == NULL)
		return -1;
	for (v++; *v == ' ' || *v == '\t'; v++)
		;
	n = (size_t)(strchr(line, ':') - line);
	if (n == 19 && strncasecmp(line, "Content-Disposition", 19) == 0) {
		if (strncasecmp(v, "form-data", 9) != 0 ||
		    disposition_param(v, "name", part->name,
		    sizeof(part->name)) != 0 || part->name[0] == '\0' ||
		    disposition_param(v, "filename", part->filename,
		    sizeof(part->filename)) == -1)
			return -1;
		*has_cd = 1;
	} else if (n == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
		if (strlen(v) >= sizeof(part->content_type))
			return -1;
		memcpy(part->content_type, v, strlen(v) + 1);
	}
	return 0;		/* any other header is ignored */
}

/* the headers of a part (h, n bytes, without the blank line) */
static int
part_headers(struct multipart_part *part, const unsigned char *h, size_t n)
{
	char		 line[MULTIPART_HEADERS_MAX + 1];
	const unsigned char *eol;
	size_t		 len;
	int		 has_cd = 0;

	if (n > MULTIPART_HEADERS_MAX)
		return -1;
	while (n > 0) {
		eol = find(h, n, "\r\n", 2);
		len = eol != NULL ? (size_t)(eol - h) : n;
		if (memchr(h, '\0', len) != NULL)
			return -1;
		memcpy(line, h, len);
		line[len] = '\0';
		if (part_header(part, line, &has_cd) == -1)
			return -1;
		if (eol == NULL)
			break;
		h = eol + 2;
		n -= len + 2;
	}
	return has_cd ? 0 : -1;
}

/* the next delimiter at or after p: CRLF "--" boundary followed by "--"
 * (the last) or CRLF; the same bytes followed by anything else are data */
static const unsigned char *
next_delimiter(const unsigned char *p, const unsigned char *end,
    const char *delim, size_t dlen)
{
	const unsigned char	*d;

	while ((d = find(p, (size_t)(end - p), delim, dlen)) != NULL) {
		if (end - (d + dlen) >= 2 &&
		    ((d[dlen] == '-' && d[dlen + 1] == '-') ||
		    (d[dlen] == '\r' && d[dlen + 1] == '\n')))
			return d;
		p = d + 1;
	}
	return NULL;
}

int
multipart_parse(const char *content_type, const void *body, size_t len,
    struct multipart_part *parts, size_t max, size_t *nparts)
{
	char			 b[BOUNDARY_MAX + 1], delim[BOUNDARY_MAX + 5];
	const unsigned char	*p = body, *end = p + len, *hdr_end, *next;
	size_t			 dlen;

	*nparts = 0;
	if (boundary_of(content_type, b) == -1)
		return -1;
	/* the first delimiter may follow a preamble; the others follow a
	 * CRLF that belongs to them */
	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b);
	if (len >= dlen - 2 && memcmp(p, delim + 2, dlen - 2) == 0)
		p += dlen - 2;
	else if ((next = next_delimiter(p, end, delim, dlen)) != NULL)
		p = next + dlen;
	else
		return -1;
	for (;;) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return *nparts > 0 ? 0 : -1;	/* the close delimiter */
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n' ||
		    *nparts >= max || *nparts >= MULTIPART_MAX_PARTS)
			return -1;
		p += 2;
		if ((hdr_end = find(p, (size_t)(end - p), "\r\n\r\n", 4)) ==
		    NULL)
			return -1;
		memset(&parts[*nparts], 0, sizeof(parts[*nparts]));
		if (part_headers(&parts[*nparts], p, (size_t)(hdr_end - p)) ==
		    -1)
			return -1;
		p = hdr_end + 4;
		if ((next = next_delimiter(p, end, delim, dlen)) == NULL)
			return -1;
		parts[*nparts].data = p;
		parts[*nparts].len = (size_t)(next - p);
		(*nparts)++;
		p = next + dlen;
	}
}

const struct multipart_part *
multipart_get(const struct multipart_part *parts, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(parts[i].name, name) == 0)
			return &parts[i];
	return NULL;
}

const char *
multipart_repeated(const struct multipart_part *parts, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(parts[i].name, parts[j].name) == 0)
				return parts[i].name;
	return NULL;
}
