/*
 * mxcep: the keys the tallies and rollups are kept under for amounts and
 * banks. The triggers of sql/007_list_tallies.sql and
 * sql/008_list_rollups.sql compute the same keys in SQL;
 * tests/unit/test_tally_keys.c reads those files and checks that both
 * agree. No I/O, no MariaDB.
 */
#ifndef MXCEP_STORE_TALLY_KEYS_H
#define MXCEP_STORE_TALLY_KEYS_H

#include <stdint.h>

/* an amount bucket keeps this many leading digits of the whole pesos
 * (whole pesos below 10^AMOUNT_BUCKET_DIGITS) */
#define AMOUNT_BUCKET_DIGITS	2
/* a bank code is a tally key when it is 1..TALLY_BANK_DIGITS digits
 * without a leading zero */
#define TALLY_BANK_DIGITS	9

/* the 'ab' bucket holding pesos: its lower bound and width */
void		 amount_bucket(int64_t pesos, int64_t *lower, int64_t *width);
/* a participant code as the be/br/bs tallies' k (and the 'b' rollups'),
 * or -1 when it is not kept under one */
long long	 tally_bank(const char *code);

#endif /* MXCEP_STORE_TALLY_KEYS_H */
