/*
 * mxcep: the values of the validation queries' fragments (query_sql.c),
 * bound in the order the fragments are written.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/query.h"

/* "abc" -> "abc%" with LIKE's own characters escaped (the default
 * escape character is the backslash) */
static void
like_prefix(const char *s, char *out, size_t n)
{
	size_t	 o = 0;

	for (; *s != '\0' && o + 3 < n; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o++] = '%';
	out[o] = '\0';
}

/* "%abc%" likewise */
static void
like_contains(const char *s, char *out, size_t n)
{
	out[0] = '%';
	like_prefix(s, out + 1, n - 1);
}

/* amounts are >= 0 here */
void
money_text(int64_t cents, char out[MONEY_FMT_SIZE])
{
	money_format(cents, out);
}

/* the LIKE patterns of f's search term */
void
search_like(const struct validation_filter *f, struct query_bufs *b)
{
	like_prefix(f->search, b->like, sizeof(b->like));
	like_contains(f->search, b->contains, sizeof(b->contains));
}

/* the values of the fragments of key, in query_where's order */
void
query_bind_filters(const struct validation_filter *f, uint64_t key,
    struct dbp *p, struct query_bufs *b)
{
	const char	*first = NULL;
	int		 s, nset = 0;

	if (key & QF_BIT(QF_ACCOUNT))
		dbp_str(p, f->account_id);
	if (QF_ANY(key, QF_STATUS_ONE, QF_STATUS_SET)) {
		for (s = 0; s < VALIDATION_STATUS__MAX; s++)
			if (f->status_mask & (1u << s)) {
				if (first == NULL)
					first = validation_status_name(
					    (enum validation_status)s);
				dbp_str(p, validation_status_name(
				    (enum validation_status)s));
				nset++;
			}
		if (key & QF_BIT(QF_STATUS_SET))
			for (; nset < STATUS_SET_SLOTS; nset++)
				dbp_str(p, first);
	}
	if (key & QF_BIT(QF_TYPE))
		dbp_str(p, validation_type_name((enum validation_type)f->type));
	if (key & QF_BIT(QF_CREATED_FROM))
		dbp_time(p, f->created_from);
	if (key & QF_BIT(QF_CREATED_BEFORE))
		dbp_time(p, f->created_before);
	if (key & QF_BIT(QF_FECHA_FROM))
		dbp_str(p, f->fecha_from);
	if (key & QF_BIT(QF_FECHA_TO))
		dbp_str(p, f->fecha_to);
	if (key & QF_BIT(QF_AMOUNT_MIN)) {
		money_text(f->amount_min, b->amount_min);
		dbp_str(p, b->amount_min);
	}
	if (key & QF_BIT(QF_AMOUNT_MAX)) {
		money_text(f->amount_max, b->amount_max);
		dbp_str(p, b->amount_max);
	}
	if (key & QF_BIT(QF_PLAYGROUND))
		dbp_i64(p, f->playground ? 1 : 0);
	if (key & QF_BIT(QF_RETRY_STATE))
		dbp_str(p, retry_terminal_name(
		    (enum retry_terminal)f->retry_state));
}

/* gram_from's values */
void
gram_bind(const struct validation_filter *f, uint64_t key, int record,
    struct dbp *p, struct query_bufs *b)
{
	int	 n = QR_NGRAMS_OF(key), i;

	for (i = 1; i < n; i++)
		dbp_str(p, f->search_grams[i]);
	dbp_str(p, f->account_id);
	dbp_str(p, f->search_grams[0]);
	if (record || gram_needs_record(key))
		query_bind_filters(f, key & ~QF_GRAM_OWN, p, b);
	if (key & QR_CONFIRM) {
		dbp_str(p, b->contains);
		dbp_str(p, b->contains);
	}
}

/* the values of query_branches (limit: the rows of each branch, -1
 * none); a count of grams alone (QK_COUNT) has the same values */
void
search_bind(const struct validation_filter *f, uint64_t key,
    long long limit, struct dbp *p, struct query_bufs *b)
{
	int	 sb, i, sb0 = SB_CLAVE;

	search_like(f, b);
	if (key & QR_GRAMS) {
		gram_bind(f, key, 0, p, b);
		if (limit >= 0)
			dbp_i64(p, limit);
		sb0 = SB_EMISOR;
	} else if (key & QR_NOTEXT)
		sb0 = SB_EMISOR;
	for (sb = sb0; sb < SB__MAX; sb++) {
		if (sb >= SB_EMISOR && !(key & QF_BIT(QF_SEARCH_BANK)))
			break;
		if (sb >= SB_EMISOR && bank_one_branch(key)) {
			dbp_str(p, f->account_id);
			dbp_str(p, f->search_banks[0]);
			if (limit >= 0)
				dbp_i64(p, limit);
			break;	/* emisor and receptor both */
		}
		query_bind_filters(f, key, p, b);
		switch (sb) {
		case SB_CLAVE:
			dbp_str(p, b->like);
			break;
		case SB_REFERENCIA:
			dbp_str(p, f->search);
			break;
		default:
			for (i = 0; i < ((key & QR_BANKS) ? BANK_SLOTS : 1); i++)
				dbp_str(p, f->search_banks[
				    i < f->search_nbanks ? i : 0]);
			break;
		}
		if (limit >= 0)
			dbp_i64(p, limit);
	}
}
