#!/usr/bin/python3
"""mxcep: generate the bank catalog migration from sql/banks.tsv (a
verbatim copy of the reference catalog, source comment included) and
sql/bank_aliases.tsv (names kept by hand).

    sql/gen-banks.py VERSION > sql/VERSION_banks....sql

The catalog changes over time, but an applied migration must never change
(mxcep-admin migrate refuses a file whose checksum changed). So: to update
the catalog, replace sql/banks.tsv, then generate a NEW migration with the
next free number (e.g. `sql/gen-banks.py 007 > sql/007_banks_2027_01.sql`)
and commit both; never regenerate an already applied file. Running a
generated file again is harmless:
- banks rows are upserted and never deleted (historical CEPs carry codes
  of participants that left the catalog);
- bank_aliases is replaced as a whole inside one transaction.

Names are folded exactly like bank_name_normalize() in src/core/bankcat.c
(same table, keep both equal). Ambiguities (one CLABE prefix for several
participants, one folded name for several participants at the same
priority) are reported on stderr and kept: the resolver answers
"ambiguous" for them instead of guessing.
"""
import os
import sys

# U+00C0..U+00FF folded to an ASCII letter, '?' = kept: as in bankcat.c
LATIN1_FOLD = ("aaaaaa?ceeeeiiii?nooooo??uuuuy??"
               "aaaaaa?ceeeeiiii?nooooo??uuuuy?y")
NAME_MAX = 127          # BANK_NAME_MAX - 1 in core.h

PRIO_NAME = 1           # short_name, cep_name
PRIO_ALIAS = 2          # clabe_validator_tag, manual aliases
PRIO_FULL = 3           # full_name (informative only)


def normalize(s):
    out = []
    sep = False
    for ch in s:
        o = ord(ch)
        if 0xC0 <= o <= 0xFF and LATIN1_FOLD[o - 0xC0] != '?':
            c = LATIN1_FOLD[o - 0xC0]
        elif o >= 0x80:
            c = ch
        elif 'A' <= ch <= 'Z':
            c = ch.lower()
        elif 'a' <= ch <= 'z' or '0' <= ch <= '9':
            c = ch
        elif ch in ".'":
            continue
        else:
            sep = True
            continue
        if sep and out:
            out.append(' ')
        sep = False
        out.append(c)
    r = ''.join(out)
    if len(r.encode('utf-8')) > NAME_MAX:
        raise ValueError('name too long: %r' % s)
    return r


def read_tsv(path, ncols):
    """rows (lists of ncols strings) after the '#' comments and header"""
    rows, comments, header = [], [], None
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if line.startswith('#'):
                comments.append(line)
                continue
            if not line:
                continue
            cols = line.split('\t')
            if len(cols) != ncols:
                sys.exit('%s:%d: %d columns, want %d'
                         % (path, lineno, len(cols), ncols))
            if header is None:
                header = cols
                continue
            rows.append([c.strip() for c in cols])
    return comments, header, rows


def q(s):
    if s is None or s == '':
        return 'NULL'
    return "'" + s.replace('\\', '\\\\').replace("'", "''") + "'"


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit('usage: gen-banks.py VERSION  (e.g. 002)')
    version = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    comments, header, banks = read_tsv(os.path.join(here, 'banks.tsv'), 6)
    if header != ['participant_code', 'clabe_prefix', 'short_name',
                  'cep_name', 'clabe_validator_tag', 'full_name']:
        sys.exit('banks.tsv: unexpected header %r' % header)
    _, _, manual = read_tsv(os.path.join(here, 'bank_aliases.tsv'), 3)

    codes = {}
    prefixes = {}
    for code, prefix, short, cep, tag, full in banks:
        if not (code.isdigit() and len(code) in (4, 5)):
            sys.exit('banks.tsv: bad participant code %r' % code)
        if not (prefix.isdigit() and len(prefix) == 3):
            sys.exit('banks.tsv: bad CLABE prefix %r for %s' % (prefix, code))
        if code in codes:
            sys.exit('banks.tsv: participant %s twice' % code)
        if not short:
            sys.exit('banks.tsv: participant %s has no short name' % code)
        codes[code] = True
        prefixes.setdefault(prefix, []).append(code)
    for prefix, cs in sorted(prefixes.items()):
        if len(cs) > 1:
            print('warning: CLABE prefix %s is shared by %s: the resolver '
                  'will call it ambiguous' % (prefix, ', '.join(cs)),
                  file=sys.stderr)

    # (norm, code) -> (priority, alias, source); the best priority wins
    aliases = {}

    def add(code, alias, source, prio):
        norm = normalize(alias) if alias else ''
        if not norm:
            return
        old = aliases.get((norm, code))
        if old is None or prio < old[0]:
            aliases[(norm, code)] = (prio, alias, source)

    for code, prefix, short, cep, tag, full in banks:
        add(code, short, 'short_name', PRIO_NAME)
        add(code, cep, 'cep_name', PRIO_NAME)
        add(code, tag, 'clabe_validator', PRIO_ALIAS)
        add(code, full, 'full_name', PRIO_FULL)
    for code, alias, why in manual:
        if code not in codes:
            sys.exit('bank_aliases.tsv: unknown participant %s' % code)
        add(code, alias, 'manual', PRIO_ALIAS)

    best = {}
    for (norm, code), (prio, _, _) in aliases.items():
        best.setdefault(norm, {}).setdefault(prio, []).append(code)
    for norm in sorted(best):
        top = min(best[norm])
        if len(best[norm][top]) > 1:
            print('warning: name %r fits %s at priority %d: the resolver '
                  'will call it ambiguous'
                  % (norm, ', '.join(sorted(best[norm][top])), top),
                  file=sys.stderr)

    w = sys.stdout.write
    w('-- mxcep %s: the SPEI participant catalog (tables banks and\n'
      '-- bank_aliases). GENERATED by sql/gen-banks.py %s from sql/banks.tsv\n'
      '-- and sql/bank_aliases.tsv: do not edit; to update the catalog,\n'
      '-- generate a new migration (see sql/gen-banks.py). Safe to re-run.\n'
      % (version, version))
    w('-- banks.tsv says where its data comes from:\n')
    for c in comments:
        w('--   ' + c.lstrip('# ') + '\n')
    w('\n')
    w('''-- One row per participant; never deleted (old CEPs carry old codes).
-- clabe_prefix is not unique on purpose: when several participants share
-- one, the resolver refuses to pick (see src/core/bankcat.c).
CREATE TABLE IF NOT EXISTS banks (
  participant_code VARCHAR(5) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  clabe_prefix CHAR(3) CHARACTER SET ascii NOT NULL,
  short_name VARCHAR(128) NOT NULL,
  -- the name the CEP portal shows; NULL = not known
  cep_name VARCHAR(128) NULL,
  -- informative only: no source gives official legal names
  full_name VARCHAR(255) NULL,
  clabe_validator_tag VARCHAR(64) NULL,
  -- short_name folded like bank_name_normalize() (lowercase, no accents)
  search_name VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  updated_at DATETIME NOT NULL,
  KEY idx_banks_prefix (clabe_prefix),
  KEY idx_banks_search (search_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every name a participant is looked up by, folded. priority: 1 short or
-- CEP name, 2 alias (clabe-validator tag, hand-kept), 3 full name. The
-- lowest priority that matches wins; several participants there = ambiguous.
CREATE TABLE IF NOT EXISTS bank_aliases (
  search_name VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  participant_code VARCHAR(5) CHARACTER SET ascii NOT NULL,
  alias VARCHAR(255) NOT NULL,
  source ENUM('short_name', 'cep_name', 'clabe_validator', 'full_name', 'manual') NOT NULL,
  priority TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (search_name, participant_code),
  KEY idx_bank_aliases_code (participant_code),
  CONSTRAINT fk_bank_aliases_bank FOREIGN KEY (participant_code) REFERENCES banks (participant_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

''')
    w('INSERT INTO banks (participant_code, clabe_prefix, short_name, '
      'cep_name, full_name,\n  clabe_validator_tag, search_name, '
      'updated_at) VALUES\n')
    rows = []
    for code, prefix, short, cep, tag, full in banks:
        rows.append('  (%s, %s, %s, %s, %s, %s, %s, UTC_TIMESTAMP())'
                    % (q(code), q(prefix), q(short), q(cep), q(full), q(tag),
                       q(normalize(short))))
    w(',\n'.join(rows) + '\n')
    w('ON DUPLICATE KEY UPDATE clabe_prefix = VALUES(clabe_prefix),\n'
      '  short_name = VALUES(short_name), cep_name = VALUES(cep_name),\n'
      '  full_name = VALUES(full_name),\n'
      '  clabe_validator_tag = VALUES(clabe_validator_tag),\n'
      '  search_name = VALUES(search_name), updated_at = VALUES(updated_at);'
      '\n\n')
    w('START TRANSACTION;\n')
    w('DELETE FROM bank_aliases;\n')
    w('INSERT INTO bank_aliases (search_name, participant_code, alias, '
      'source, priority) VALUES\n')
    order = {code: i for i, (code, *_r) in enumerate(banks)}
    rows = []
    for (norm, code), (prio, alias, source) in sorted(
            aliases.items(), key=lambda kv: (order[kv[0][1]], kv[1][0],
                                             kv[0][0])):
        rows.append('  (%s, %s, %s, %s, %d)'
                    % (q(norm), q(code), q(alias), q(source), prio))
    w(',\n'.join(rows) + '\n')
    w('ON DUPLICATE KEY UPDATE alias = VALUES(alias), '
      'source = VALUES(source),\n  priority = VALUES(priority);\n')
    w('COMMIT;\n')


if __name__ == '__main__':
    main()
