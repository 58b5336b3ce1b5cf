/*
 * mxcep: pure logic with no I/O beyond the kernel's random source:
 * hashing, random tokens, UUIDs.
 */
#ifndef MXCEP_CORE_H
#define MXCEP_CORE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* sha256.c */
#define SHA256_LEN	32
void	 sha256(const void *, size_t, uint8_t out[SHA256_LEN]);
/* hex of the digest into out (size >= 65) */
void	 sha256_hex(const void *, size_t, char out[2 * SHA256_LEN + 1]);

/* multipart.c: a multipart/form-data body held in memory, strictly: its
 * parts point into the body (which must outlive them). 0, or -1 for a
 * body or Content-Type that is not well-formed multipart/form-data. */
#define MULTIPART_MAX_PARTS	16
#define MULTIPART_HEADERS_MAX	1024	/* bytes of headers per part */
struct multipart_part {
	char			 name[64];	/* the form field */
	char			 filename[256];	/* "" when not a file */
	char			 content_type[128]; /* as declared; "" none */
	const unsigned char	*data;
	size_t			 len;
};
int	 multipart_parse(const char *content_type, const void *body,
	    size_t len, struct multipart_part *, size_t max, size_t *nparts);
const struct multipart_part *multipart_get(const struct multipart_part *,
	    size_t n, const char *name);	/* the first of that name */
const char *multipart_repeated(const struct multipart_part *, size_t n);

/* base64.c: decodes into out (size bytes); the length, or -1 for a text
 * that is not base64 or decodes to more than size */
ssize_t	 base64_decode(const char *, size_t, unsigned char *out,
	    size_t size);
size_t	 base64_decoded_max(size_t len);	/* an upper bound */

/* random.c: getrandom(2); returns 0, or -1 (logged) */
int	 random_bytes(void *, size_t);

/* uuid.c */
int	 uuid_v4(char out[37]);			/* 0 ok, -1 no randomness */
int	 uuid_valid(const char *);		/* 1 for a canonical lowercase v4 */
/* A per-process generator of v4 UUIDs for ids that must be unique but
 * need not be secret (request ids): 128 bits of state seeded once from
 * getrandom(2) on first use, then advanced per id, no syscall. Zeroed
 * (e.g. by memset) it is unseeded; a forked child must start from a
 * zeroed one, as the per-process struct app does. */
struct uuid_gen {
	uint64_t	 s[2];		/* the two 64-bit counters */
	int		 seeded;	/* 0 until the first id */
};
int	 uuid_gen_next(struct uuid_gen *, char out[37]); /* 0, -1 no seed */

/* clabe.c: account numbers: CLABE (18, check digit), debit card (16,
 * Luhn), phone (10). The validators return 0, or -1 with the reason in
 * *why (why may be NULL). */
#define CLABE_LEN		18
#define CLABE_PREFIX_LEN	3
#define CARD_LEN		16
#define PHONE_LEN		10
enum account_error {
	ACCOUNT_OK = 0,
	ACCOUNT_ERR_EMPTY,		/* NULL or "" */
	ACCOUNT_ERR_NOT_DIGITS,		/* a byte other than 0-9 */
	ACCOUNT_ERR_LENGTH,		/* digits, but not the expected count */
	ACCOUNT_ERR_CHECK_DIGIT,	/* CLABE control digit / card Luhn */
	ACCOUNT_ERR__MAX
};
enum account_type {
	ACCOUNT_TYPE_INVALID = 0,
	ACCOUNT_TYPE_CLABE,		/* CEP TipoCuenta 40 */
	ACCOUNT_TYPE_CARD,		/* TipoCuenta 3 */
	ACCOUNT_TYPE_PHONE,		/* TipoCuenta 10 */
	ACCOUNT_TYPE__MAX
};
const char	*account_error_str(enum account_error);	/* static English text */
const char	*account_type_name(enum account_type);	/* "clabe", "debit_card", ... */
int		 account_tipo_cuenta(enum account_type);	/* 40, 3, 10; -1 invalid */
int		 clabe_check_digit(const char *);	/* of the first 17 digits: 0..9, -1 */
int		 clabe_validate(const char *, enum account_error *why);
int		 clabe_bank_prefix(const char *, char out[CLABE_PREFIX_LEN + 1]);
int		 card_validate(const char *, enum account_error *why);
int		 phone_validate(const char *, enum account_error *why);
/* classify by length (18/16/10) and validate as that kind; -1 = invalid */
int		 account_classify(const char *, enum account_type *type,
		    enum account_error *why);

/* money.c: pesos as integer centavos, exactly; 0 < amount <= MAX */
#define MONEY_MAX_CENTS		INT64_C(99999999999999)	/* 999,999,999,999.99 */
#define MONEY_FMT_SIZE		32
enum money_error {
	MONEY_OK = 0,
	MONEY_ERR_EMPTY,		/* NULL or "" */
	MONEY_ERR_TYPE,			/* JSON neither number nor string */
	MONEY_ERR_SYNTAX,		/* not D+[.D{1,2}] */
	MONEY_ERR_NEGATIVE,
	MONEY_ERR_ZERO,
	MONEY_ERR_DECIMALS,		/* more than 2 decimals */
	MONEY_ERR_EXPONENT,		/* "1e3" (text only) */
	MONEY_ERR_SEPARATOR,		/* "1,234.50" */
	MONEY_ERR_NOT_FINITE,		/* NaN, Infinity */
	MONEY_ERR_RANGE,		/* above MONEY_MAX_CENTS */
	MONEY_ERR__MAX
};
struct json_t;
const char	*money_error_str(enum money_error);	/* static English text */
int		 money_parse(const char *, int64_t *cents, enum money_error *why);
int		 money_from_double(double, int64_t *cents, enum money_error *why);
int		 money_from_json(const struct json_t *, int64_t *cents,
		    enum money_error *why);
char		*money_format(int64_t cents, char out[MONEY_FMT_SIZE]);	/* "1234.50" */
/* a DECIMAL(18,2) column's text ("1234.5", "0.00") into centavos: as
 * money_parse, but zero is an amount; -1 for NULL, "" or junk */
int64_t		 money_parse_decimal(const char *);

/* date.c: calendar dates, proleptic Gregorian, years 1..9999 */
#define DATE_FMT_SIZE		16	/* 10 characters used */
struct date {
	int	 year;			/* 1..9999 */
	int	 month;			/* 1..12 */
	int	 day;			/* 1..31 */
};
int		 date_is_leap(int year);
int		 date_days_in_month(int year, int month);	/* 0 for a bad month */
int		 date_valid(int year, int month, int day);	/* 1 or 0 */
long long	 date_days_since_epoch(int year, int month, int day);	/* 1970-01-01 = 0 */
void		 date_from_days(long long days, struct date *);	/* its inverse */
/* the day number of the 1st of the month holding day number days,
 * plus months (0: that month, 1: the next one, ...) */
long long	 date_month_start(long long days, int months);
int		 date_parse_iso(const char *, struct date *);	/* "YYYY-MM-DD"; 0/-1 */
int		 date_parse_banxico(const char *, struct date *);	/* "DD-MM-YYYY"; 0/-1 */
char		*date_format_iso(const struct date *, char out[DATE_FMT_SIZE]);
char		*date_format_banxico(const struct date *, char out[DATE_FMT_SIZE]);

/* grams.c: the 4-character grams a search term is looked up by
 * (sql/010_search_grams.sql) */
#define SEARCH_GRAM_CHARS	4
#define SEARCH_GRAM_SIZE	(4 * SEARCH_GRAM_CHARS + 1)	/* UTF-8, NUL */
#define SEARCH_TERM_GRAMS_MAX	17	/* 64 bytes: 16 + the last */
size_t		 utf8_chars(const char *);	/* UTF-8 code points */
/* the grams covering term: at characters 0, 4, 8, ... and the last 4
 * characters, at most max of them (the first, the last and evenly
 * spread between); 0 when term has fewer than 4 characters */
size_t		 search_grams(const char *term,
		    char grams[][SEARCH_GRAM_SIZE], size_t max);

/* bankcat.c: the SPEI participant catalog in memory, and the name
 * matching rules (the store loads it from the banks tables). */
#define BANK_CODE_SIZE		6	/* "40012", "2001" (Banxico) + NUL */
#define BANK_NAME_MAX		128	/* bytes of a normalised name + NUL */
struct bank {
	char	 code[BANK_CODE_SIZE];	/* Banxico participant code */
	char	 clabe_prefix[CLABE_PREFIX_LEN + 1];	/* "012" */
	char	*short_name;		/* "BBVA Mexico"; never NULL */
	char	*cep_name;		/* as the CEP portal shows it; "" = unknown */
	char	*full_name;		/* informative only; "" = unknown */
};
enum bank_match {
	BANK_MATCH_NONE = 0,
	BANK_MATCH_ONE,
	BANK_MATCH_AMBIGUOUS,		/* several participants fit */
	BANK_MATCH__MAX
};
struct bank_catalog;
struct bank	*bank_dup(const struct bank *);	/* deep copy */
void		 bank_free(struct bank *);	/* NULL is a no-op */
/* lowercase, accents folded, '.' and '\'' dropped, other punctuation a
 * single space; NULL when it does not fit in n bytes. */
char		*bank_name_normalize(const char *, char *out, size_t n);
/* a 4- or 5-digit participant code ("02001" -> "2001"); 0/-1 */
int		 bank_code_normalize(const char *, char out[BANK_CODE_SIZE]);
struct bank_catalog *bank_catalog_new(void);
void		 bank_catalog_free(struct bank_catalog *);	/* NULL no-op */
/* copies b; its short and CEP names become priority-1 names */
void		 bank_catalog_add(struct bank_catalog *, const struct bank *b);
/* another name of participant code (priority >= 2); ignored when the
 * code is unknown or the name normalises to "" */
void		 bank_catalog_add_alias(struct bank_catalog *, const char *code,
		    const char *alias, int priority);
size_t		 bank_catalog_count(const struct bank_catalog *);
/* code, or name/alias (lowest priority that matches wins); *out
 * borrowed from the catalog, set only for BANK_MATCH_ONE */
enum bank_match	 bank_catalog_resolve(const struct bank_catalog *,
		    const char *text, const struct bank **out);
/* the participants a search term names (GET /v1/validations?search=):
 * digits, a participant's code (as bank_code_normalize; without a
 * catalog, any code);
 * otherwise every participant with a name or alias equal to it, and,
 * for 3+ characters, with a word of a name or alias starting with it
 * ("santan", "mercado pago"), after bank_name_normalize(). When more
 * than max participants fit by part of a name ("banco"), only the
 * whole-name matches count. Codes in catalog order; returns how many. */
#define BANK_SEARCH_MAX		8
size_t		 bank_catalog_search(const struct bank_catalog *,
		    const char *text, char codes[][BANK_CODE_SIZE], size_t max);
/* the i-th name or alias (0 .. n-1, in the order added): its
 * bank_name_normalize() text and its participant, both borrowed; -1
 * past the end (fuzzy matchers walk the names with it) */
int		 bank_catalog_name(const struct bank_catalog *, size_t i,
		    const char **norm, const struct bank **b);
/* the participant of a CLABE (or its 3-digit prefix); likewise */
enum bank_match	 bank_catalog_by_prefix(const struct bank_catalog *,
		    const char *clabe, const struct bank **out);

/* csv.c: RFC 4180 records for spreadsheets (STANDARDS.md section 6).
 * Every csv_ field function writes the separator itself; csv_end()
 * closes the record with CRLF. NULL or "" text and negative amounts or
 * time 0 are empty fields. */
#define CSV_BOM			"\xEF\xBB\xBF"
struct buf;
struct csv {
	struct buf	*out;		/* borrowed; records are appended */
	size_t		 col;		/* fields so far in this record */
	int64_t		 day;		/* days since 1970 of date[]; memo */
	char		 date[16];	/* "YYYY-MM-DD" of day */
	size_t		 date_len;
};
void		 csv_init(struct csv *, struct buf *out);
void		 csv_bom(struct csv *);		/* the UTF-8 BOM, first */
/* 1 when s starts with = + - @ TAB or CR (a spreadsheet formula) */
int		 csv_is_formula_like(const char *s);
/* text: quoted when it holds , " CR or LF; formula-like text gets a
 * leading ' and is quoted */
void		 csv_text(struct csv *, const char *);
/* identifiers (CLABE, clave de rastreo, referencia): always quoted so
 * importers that honour quotes keep them as text; else as csv_text */
void		 csv_ident(struct csv *, const char *);
void		 csv_amount(struct csv *, int64_t cents);	/* "1234.50" */
void		 csv_datetime(struct csv *, time_t);	/* "...T...Z" UTC */
void		 csv_bool(struct csv *, int);		/* true/false */
void		 csv_end(struct csv *);

/* xlsx.c: a streaming XLSX workbook (ZIP + SpreadsheetML) written front
 * to back to a sink, never seeking: memory stays flat whatever the row
 * count. Cells are inline strings, numbers and booleans; each sheet gets
 * the header row (bold, frozen, autofilter) and column widths; past
 * sheet_rows rows the rows go on in sheet "<sheet_name> 2", ... */
#define XLSX_MAX_ROWS		1048576		/* Excel's rows per sheet */
#define XLSX_LEVEL		1		/* zlib level by default */
/* the sink: 0 written, -1 stop (the writer then fails, nothing logged) */
typedef int (*xlsx_write_fn)(void *arg, const void *buf, size_t len);
/* the fixed styles.xml: the value is the cell's s="" index */
enum xlsx_style {
	XLSX_STYLE_GENERAL = 0,
	XLSX_STYLE_HEADER,		/* bold */
	XLSX_STYLE_TEXT,		/* number format "@" */
	XLSX_STYLE_AMOUNT,		/* 0.00 */
	XLSX_STYLE_DATETIME,		/* yyyy-mm-dd"T"hh:mm:ss"Z" */
	XLSX_STYLE_DATE,		/* yyyy-mm-dd */
	XLSX_STYLE__MAX
};
struct xlsx_column {
	const char	*name;		/* header text */
	double		 width;		/* characters */
	enum xlsx_style	 style;		/* the column's own (empty cells) */
};
struct xlsx_options {
	const char	*sheet_name;	/* ASCII, <= 24 bytes, none of []:*?/\' */
	const struct xlsx_column *cols;	/* borrowed for the writer's life */
	size_t		 ncols;
	uint32_t	 sheet_rows;	/* rows per sheet, header included;
					   0 = XLSX_MAX_ROWS (tests lower it) */
	int		 level;		/* zlib 1..9; 0 = XLSX_LEVEL */
	time_t		 mtime;		/* of the zip entries; 0 = 1980-01-01 */
	uint64_t	 zip64_min;	/* sizes/offsets from here on use zip64
					   fields; 0 = 0xffffffff (tests lower it) */
};
struct xlsx;
/* NULL when zlib could not start (logged); the sink is not called yet */
struct xlsx	*xlsx_new(const struct xlsx_options *, xlsx_write_fn, void *arg);
void		 xlsx_free(struct xlsx *);		/* NULL is a no-op */
/* starts a row (the first sheet, or the next one when this is full);
 * then one cell call per column, in order. 0, or -1: the sink refused
 * or zlib failed (sticky: every later call fails too) */
int		 xlsx_row(struct xlsx *);
void		 xlsx_blank(struct xlsx *);
/* NULL or "" is blank; never a formula, whatever it starts with */
void		 xlsx_text(struct xlsx *, const char *, enum xlsx_style);
void		 xlsx_amount(struct xlsx *, int64_t cents);	/* < 0 blank */
void		 xlsx_datetime(struct xlsx *, time_t);	/* 0 blank; UTC */
void		 xlsx_date(struct xlsx *, const char *iso);	/* YYYY-MM-DD */
void		 xlsx_bool(struct xlsx *, int);
/* the workbook and the zip's central directory; the last output. 0/-1 */
int		 xlsx_finish(struct xlsx *);

/* retry.c: retry policy maths (issue 5): checking a policy, the next
 * schedule, the transitions of a cycle. No I/O. */
#define RETRY_INTERVAL_MIN	300		/* interval_seconds bounds */
#define RETRY_INTERVAL_MAX	86400
#define RETRY_ON_NOT_FOUND	0x01u		/* outcomes, a bit set */
#define RETRY_ON_CEP_UNAVAILABLE 0x02u
#define RETRY_ON_ERROR		0x04u
#define RETRY_ON__ALL		0x07u
/* what an attempt ended with, as far as retries care */
enum retry_result {
	RETRY_RESULT_PENDING = 0,	/* queued/processing: not ended yet */
	RETRY_RESULT_VALID,
	RETRY_RESULT_NOT_FOUND,
	RETRY_RESULT_CEP_UNAVAILABLE,
	RETRY_RESULT_ERROR,
	RETRY_RESULT_OTHER,		/* invalid, failed: never retried */
	RETRY_RESULT__MAX
};
/* the state of a cycle; the values are those of enum retry_terminal
 * (store.h), RETRY_CYCLE_NONE being terminal_state null */
enum retry_cycle_state {
	RETRY_CYCLE_NONE = 0,		/* no cycle running (yet) */
	RETRY_CYCLE_PENDING,		/* a retry is scheduled or running */
	RETRY_CYCLE_RESOLVED,
	RETRY_CYCLE_EXHAUSTED,
	RETRY_CYCLE_CANCELLED,
	RETRY_CYCLE__MAX
};
struct retry_policy {
	int		 enabled;	/* 0/1; the rest is unused when 0 */
	int		 max_retries;	/* 1..cap */
	int		 interval_seconds;	/* RETRY_INTERVAL_MIN..MAX */
	unsigned int	 outcomes;	/* RETRY_ON_*, not empty */
};
struct retry_cycle {
	struct retry_policy	 policy;
	int			 attempts_completed;	/* retries that ran */
	time_t			 next_attempt_at;	/* 0 = none */
	time_t			 resolved_at;		/* 0 = not */
	time_t			 exhausted_at;
	time_t			 cancelled_at;
	enum retry_cycle_state	 state;
};
/* a field of the policy that is wrong: field is the member name
 * ("max_retries") or "" for the policy itself */
struct retry_policy_error {
	const char	*field;
	const char	*code;		/* invalid_attribute | unknown_attribute |
					   missing_attribute | max_retries_over_cap */
	char		 detail[200];
};
/* status name ("not_found") -> result; unknown names are OTHER */
enum retry_result retry_result_of(const char *status);
/* the RETRY_ON_ bit of a result, 0 for valid/other/pending */
unsigned int	 retry_result_bit(enum retry_result);
/* Checks a policy object {enabled, max_retries, interval_seconds,
 * outcomes} against cap (the account's max_retries cap). 0 and *p set,
 * or -1 with *e (the first problem found). */
int		 retry_policy_from_json(const struct json_t *, int cap,
		    struct retry_policy *p, struct retry_policy_error *e);
/* outcomes as a JSON array text, in a fixed order; caller frees */
char		*retry_outcomes_text(unsigned int outcomes);
/* the bits of a stored outcomes text (unknown names ignored); 0 for NULL */
unsigned int	 retry_outcomes_parse(const char *text);
/* After attempt `attempt` (0 = the first validation, n >= 1 = retry n)
 * ended with r at now: moves c on. Returns 1 when retry number
 * c->attempts_completed + 1 must be scheduled at c->next_attempt_at,
 * else 0. A cycle already resolved/exhausted/cancelled does not move
 * (a retry that ran is still counted). */
int		 retry_cycle_after(struct retry_cycle *c, int attempt,
		    enum retry_result r, time_t now);
/* retry_cycle_set_policy results (a bit set, or -1: refused, the cycle
 * is resolved, exhausted or cancelled) */
#define RETRY_SET_SCHEDULE	0x01u	/* queue (or move) retry
					   attempts_completed + 1 at next_attempt_at */
#define RETRY_SET_UNSCHEDULE	0x02u	/* remove the queued retry */
/* Sets the policy of a record whose status is `current` at now. */
int		 retry_cycle_set_policy(struct retry_cycle *c,
		    const struct retry_policy *p, enum retry_result current,
		    time_t now);
/* Cancels: 0 cancelled now (remove the queued retry), 1 it already was
 * (same answer), -1 refused: resolved, exhausted, or no cycle to cancel
 * (retries off, or the validation ended without needing one). */
int		 retry_cycle_cancel(struct retry_cycle *c,
		    enum retry_result current, time_t now);

#endif /* MXCEP_CORE_H */
