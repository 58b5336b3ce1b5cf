/*
 * mxcep: the SPEI participant catalog held in memory, and how a bank
 * named by a client is matched: by Banxico participant code, else by
 * name after bank_name_normalize() (case, Spanish accents and
 * punctuation ignored), exact names only. Priority 1 names (short name,
 * CEP name) beat aliases; several participants at the best priority, or
 * several participants with one CLABE prefix, are BANK_MATCH_AMBIGUOUS:
 * the caller must ask for the participant code instead of guessing.
 * sql/gen-banks.py folds names with the same table (keep them equal).
 * About 100 participants: lookups are linear scans.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"

struct bank_name {
	char	*norm;			/* bank_name_normalize() of the name */
	size_t	 bank;			/* index into banks[] */
	int	 priority;		/* 1 short/CEP name, 2+ aliases */
};

struct bank_catalog {
	struct bank		*banks;
	size_t			 nbanks;
	struct bank_name	*names;
	size_t			 nnames;
};

/*
 * U+00C0..U+00FF (UTF-8 0xC3 0x80..0xBF) folded to an ASCII letter;
 * '?' = no folding (the two bytes are kept as they are). The same string
 * is in sql/gen-banks.py.
 */
static const char latin1_fold[] =
    "aaaaaa?ceeeeiiii?nooooo??uuuuy??"
    "aaaaaa?ceeeeiiii?nooooo??uuuuy?y";

struct bank *
bank_dup(const struct bank *b)
{
	struct bank	*d = xcalloc(1, sizeof(*d));

	memcpy(d->code, b->code, sizeof(d->code));
	memcpy(d->clabe_prefix, b->clabe_prefix, sizeof(d->clabe_prefix));
	d->short_name = xstrdup(b->short_name != NULL ? b->short_name : "");
	d->cep_name = xstrdup(b->cep_name != NULL ? b->cep_name : "");
	d->full_name = xstrdup(b->full_name != NULL ? b->full_name : "");
	return d;
}

static void
bank_clear(struct bank *b)
{
	free(b->short_name);
	free(b->cep_name);
	free(b->full_name);
}

void
bank_free(struct bank *b)
{
	if (b == NULL)
		return;
	bank_clear(b);
	free(b);
}

/*
 * bank_name_normalize: s folded into out (n bytes): ASCII letters
 * lowercased, Latin-1 accented letters (UTF-8) to their base letter
 * ("México" -> "mexico", "Ñ" -> "n"), '.' and '\'' removed ("J.P." ->
 * "jp"), every other ASCII byte a separator, separators collapsed to
 * one space and trimmed; other non-ASCII bytes kept as they are.
 * Returns out, or NULL (out "") when s is NULL or the result needs more
 * than n bytes.
 */
char *
bank_name_normalize(const char *s, char *out, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0;
	int			 sep = 0;
	char			 c;

	if (n == 0)
		return NULL;
	out[0] = '\0';
	if (s == NULL)
		return NULL;
	for (; *p != '\0'; p++) {
		if (*p == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf &&
		    latin1_fold[p[1] - 0x80] != '?') {
			c = latin1_fold[p[1] - 0x80];
			p++;
		} else if (*p >= 0x80)
			c = (char)*p;
		else if (*p >= 'A' && *p <= 'Z')
			c = (char)(*p - 'A' + 'a');
		else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			c = (char)*p;
		else if (*p == '.' || *p == '\'')
			continue;
		else {
			sep = 1;
			continue;
		}
		if (sep && o > 0) {
			if (o + 1 >= n)
				goto toolong;
			out[o++] = ' ';
		}
		sep = 0;
		if (o + 1 >= n)
			goto toolong;
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
toolong:
	out[0] = '\0';
	return NULL;
}

/* bank_code_normalize: "40012", "2001" or "02001" (Banxico, 5-digit
 * form) into out; -1 for anything else (leading/trailing blanks
 * included). */
int
bank_code_normalize(const char *s, char out[BANK_CODE_SIZE])
{
	size_t	 i, n;

	out[0] = '\0';
	if (s == NULL)
		return -1;
	n = strlen(s);
	if (n != 4 && n != 5)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	if (n == 5 && s[0] == '0')
		s++;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

struct bank_catalog *
bank_catalog_new(void)
{
	return xcalloc(1, sizeof(struct bank_catalog));
}

void
bank_catalog_free(struct bank_catalog *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nbanks; i++)
		bank_clear(&c->banks[i]);
	for (i = 0; i < c->nnames; i++)
		free(c->names[i].norm);
	free(c->banks);
	free(c->names);
	free(c);
}

size_t
bank_catalog_count(const struct bank_catalog *c)
{
	return c->nbanks;
}

static void
name_add(struct bank_catalog *c, size_t bank, const char *name, int prio)
{
	char	 norm[BANK_NAME_MAX];

	if (bank_name_normalize(name, norm, sizeof(norm)) == NULL ||
	    norm[0] == '\0')
		return;
	c->names = xrealloc(c->names, (c->nnames + 1) * sizeof(*c->names));
	c->names[c->nnames].norm = xstrdup(norm);
	c->names[c->nnames].bank = bank;
	c->names[c->nnames].priority = prio;
	c->nnames++;
}

void
bank_catalog_add(struct bank_catalog *c, const struct bank *b)
{
	struct bank	*d;
	size_t		 i = c->nbanks;

	d = bank_dup(b);
	c->banks = xrealloc(c->banks, (i + 1) * sizeof(*c->banks));
	c->banks[i] = *d;
	free(d);		/* the strings now belong to banks[i] */
	c->nbanks++;
	name_add(c, i, c->banks[i].short_name, 1);
	name_add(c, i, c->banks[i].cep_name, 1);
}

static const struct bank *
by_code(const struct bank_catalog *c, const char *code, size_t *idx)
{
	size_t	 i;

	for (i = 0; i < c->nbanks; i++)
		if (strcmp(c->banks[i].code, code) == 0) {
			if (idx != NULL)
				*idx = i;
			return &c->banks[i];
		}
	return NULL;
}

void
bank_catalog_add_alias(struct bank_catalog *c, const char *code,
    const char *alias, int priority)
{
	size_t	 i;

	if (by_code(c, code, &i) == NULL)
		return;
	name_add(c, i, alias, priority < 2 ? 2 : priority);
}

/* by_name: the participants whose name is norm at the best priority */
static enum bank_match
by_name(const struct bank_catalog *c, const char *norm,
    const struct bank **out)
{
	size_t		 i, found = 0;
	int		 best = 0;
	enum bank_match	 m = BANK_MATCH_NONE;

	for (i = 0; i < c->nnames; i++) {
		if (strcmp(c->names[i].norm, norm) != 0)
			continue;
		if (m == BANK_MATCH_NONE || c->names[i].priority < best) {
			best = c->names[i].priority;
			found = c->names[i].bank;
			m = BANK_MATCH_ONE;
		} else if (c->names[i].priority == best &&
		    c->names[i].bank != found)
			m = BANK_MATCH_AMBIGUOUS;
	}
	if (m == BANK_MATCH_ONE)
		*out = &c->banks[found];
	return m;
}

/*
 * bank_catalog_resolve: text as a participant code (4 or 5 digits:
 * "40002", "2001") or as a name ("BBVA MEXICO", "bbva méxico",
 * "Banamex"); surrounding blanks are ignored. Text of digits only is
 * never matched as a name.
 */
enum bank_match
bank_catalog_resolve(const struct bank_catalog *c, const char *text,
    const struct bank **out)
{
	char			 norm[BANK_NAME_MAX], code[BANK_CODE_SIZE];
	const struct bank	*b;

	if (c == NULL ||
	    bank_name_normalize(text, norm, sizeof(norm)) == NULL ||
	    norm[0] == '\0')
		return BANK_MATCH_NONE;
	if (strspn(norm, "0123456789") == strlen(norm)) {
		if (bank_code_normalize(norm, code) == -1 ||
		    (b = by_code(c, code, NULL)) == NULL)
			return BANK_MATCH_NONE;
		*out = b;
		return BANK_MATCH_ONE;
	}
	return by_name(c, norm, out);
}

int
bank_catalog_name(const struct bank_catalog *c, size_t i, const char **norm,
    const struct bank **b)
{
	if (c == NULL || i >= c->nnames)
		return -1;
	*norm = c->names[i].norm;
	*b = &c->banks[c->names[i].bank];
	return 0;
}

/* bank_catalog_by_prefix: the one participant whose CLABE prefix is the
 * first 3 digits of clabe; NONE when no participant (or no 3 digits),
 * AMBIGUOUS when several share it. */
enum bank_match
bank_catalog_by_prefix(const struct bank_catalog *c, const char *clabe,
    const struct bank **out)
{
	char		 prefix[CLABE_PREFIX_LEN + 1];
	size_t		 i, found = 0, n = 0;

	if (c == NULL || clabe_bank_prefix(clabe, prefix) == -1)
		return BANK_MATCH_NONE;
	for (i = 0; i < c->nbanks; i++)
		if (strcmp(c->banks[i].clabe_prefix, prefix) == 0) {
			found = i;
			n++;
		}
	if (n == 0)
		return BANK_MATCH_NONE;
	if (n > 1)
		return BANK_MATCH_AMBIGUOUS;
	*out = &c->banks[found];
	return BANK_MATCH_ONE;
}

/* whether norm starts a word of name (both normalised) */
static int
word_prefix(const char *name, const char *norm)
{
	const char	*p;

	for (p = name; (p = strstr(p, norm)) != NULL; p++)
		if (p == name || p[-1] == ' ')
			return 1;
	return 0;
}

/* how bank i fits norm: 2 a whole name or alias, 1 a word prefix of
 * one (partial only), 0 not */
static int
search_fit(const struct bank_catalog *c, size_t i, const char *norm,
    int partial)
{
	char	 full[BANK_NAME_MAX];
	size_t	 k;
	int	 fit = 0;

	if (bank_name_normalize(c->banks[i].full_name, full,
	    sizeof(full)) != NULL && full[0] != '\0') {
		if (strcmp(full, norm) == 0)
			return 2;
		if (partial && word_prefix(full, norm))
			fit = 1;
	}
	for (k = 0; k < c->nnames; k++) {
		if (c->names[k].bank != i)
			continue;
		if (strcmp(c->names[k].norm, norm) == 0)
			return 2;
		if (partial && word_prefix(c->names[k].norm, norm))
			fit = 1;
	}
	return fit;
}

size_t
bank_catalog_search(const struct bank_catalog *c, const char *text,
    char codes[][BANK_CODE_SIZE], size_t max)
{
	char	 norm[BANK_NAME_MAX], code[BANK_CODE_SIZE];
	size_t	 i, n = 0, nany = 0;
	int	*fits, least;

	if (max == 0 || bank_name_normalize(text, norm, sizeof(norm)) == NULL ||
	    norm[0] == '\0')
		return 0;
	if (strspn(norm, "0123456789") == strlen(norm)) {
		/* a participant's code; any code when there is no catalog */
		if (bank_code_normalize(norm, code) == -1 ||
		    (c != NULL && by_code(c, code, NULL) == NULL))
			return 0;
		memcpy(codes[0], code, sizeof(code));
		return 1;
	}
	if (c == NULL || c->nbanks == 0)
		return 0;
	fits = xcalloc(c->nbanks, sizeof(*fits));
	for (i = 0; i < c->nbanks; i++)
		if ((fits[i] = search_fit(c, i, norm, strlen(norm) >= 3)) > 0)
			nany++;
	/* too many by part of a name: the whole names only */
	least = nany > max ? 2 : 1;
	for (i = 0; i < c->nbanks && n < max; i++)
		if (fits[i] >= least)
			memcpy(codes[n++], c->banks[i].code, BANK_CODE_SIZE);
	free(fits);
	return n;
}
