# shellcheck shell=bash
# t_xlsx_readers: GET /v1/validations/export?format=xlsx read by three
# independent readers, each compared cell by cell with the CSV export of the
# same rows: openpyxl; LibreOffice (soffice --headless --convert-to csv,
# started once); ExcelJS from npm (tests/xlsx-js, installed with npm ci into
# the build tree), which places every cell by its r reference and cannot
# read a sheet whose cells lack it. Every row and cell must carry r.
# Rows are inserted with the mariadb client. Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

XGRID=$MXCEP_TOP_SRCDIR/tests/tools/xlsx-grid
ACC_XR=$(admin account create it-xlsx-readers 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
KEY_XR=$(new_key "$ACC_XR" validations:read) || bail "key create failed"
# blanks in every column somewhere (cells after them need their r), text
# that looks like a formula, accents, leading zeros, big and small amounts
db "SET NAMES utf8mb4; INSERT INTO validations (id, account_id, created_at, updated_at, completed_at, status,
	validation_type, playground, fecha, clave_rastreo, referencia, emisor, receptor, cuenta, monto,
	request_data, has_cep, deleted_at, error_code, banxico_status) VALUES
('$(uuid)', '$ACC_XR', '2033-03-01 10:00:00', '2033-03-01 10:00:00', '2033-03-01 10:00:03', 'valid',
	'direct', 0, '2033-03-01', 'XRMBAN01003303010012345678', '0012345', '40012', '90646', '646180157048010399',
	1500.00, '{}', 1, NULL, NULL, 'LIQUIDADA'),
('$(uuid)', '$ACC_XR', '2033-03-02 08:30:00', '2033-03-02 08:30:00', '2033-03-02 08:30:01', 'not_found',
	'direct', 1, '2033-03-02', '=HYPERLINK(\"http://evil.example\",\"x\")', '7', '40002', '90646', '012180004643051249',
	0.10, '{}', 0, NULL, 'banxico,\"not found\"', '@SUM(A1)'),
('$(uuid)', '$ACC_XR', '2033-03-03 00:00:00', '2033-03-03 00:00:00', NULL, 'valid',
	'direct', 0, '2033-03-03', 'XR-DELETED', '1', '40012', '90646', '646180157048010399',
	10.00, '{}', 1, '2033-03-06 00:00:00', NULL, NULL),
('$(uuid)', '$ACC_XR', '2033-03-04 23:59:59', '2033-03-04 23:59:59', NULL, 'error',
	'ocr', 0, NULL, 'XR-4', NULL, NULL, NULL, NULL,
	123456789.01, '{}', 0, NULL, '-cmd', NULL),
('$(uuid)', '$ACC_XR', '2033-03-05 12:00:00', '2033-03-05 12:00:00', '2033-03-05 12:00:00', 'failed',
	'direct', 0, '2033-03-05', NULL, '9999999', '40014', NULL, '014180655012345670',
	0.01, '{}', 0, NULL, 'cep_mismatch', 'Año: Pagó México'),
('$(uuid)', '$ACC_XR', '2033-03-06 01:02:03', '2033-03-06 01:02:03', NULL, 'queued',
	'direct', 1, '2033-03-06', 'XR+6', NULL, '40012', '40002', NULL,
	999999999999.99, '{}', 0, NULL, NULL, NULL)" || t_fail "inserting the rows failed"

t_begin "xlsx readers: the export and its CSV twin; every row and cell carries its r reference"
http GET "/v1/validations/export?format=csv&with_deleted=1" -H "Authorization: Bearer $KEY_XR"
expect_code 200
cp "$T/body" "$T/xr.csv"
http GET "/v1/validations/export?format=xlsx&with_deleted=1" -H "Authorization: Bearer $KEY_XR"
expect_code 200
cp "$T/body" "$T/xr.xlsx"
out=$("$PY" "$XGRID" refs "$T/xr.xlsx" 2>&1) || t_fail "r references: $out"
t_end

t_begin "xlsx readers: openpyxl reads every cell as the CSV export has it"
if out=$("$PY" "$XGRID" openpyxl "$T/xr.xlsx" 2>&1 >"$T/xr.openpyxl.json"); then
	out=$("$PY" "$XGRID" compare "$T/xr.csv" openpyxl "$T/xr.openpyxl.json" 2>&1) ||
		t_fail "openpyxl differs from the CSV: $out"
else
	t_fail "openpyxl cannot read the export: $out"
fi
t_end

t_begin "xlsx readers: LibreOffice (soffice --headless --convert-to csv) shows every cell as the CSV export has it"
# one start (it is slow): a private profile, UTF-8, comma, cells as shown
mkdir -p "$T/lo"
if timeout 180 soffice -env:UserInstallation="file://$T/lo-profile" --headless --norestore \
	--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir "$T/lo" "$T/xr.xlsx" \
	>"$T/lo/soffice.log" 2>&1 && [[ -s $T/lo/xr.csv ]]; then
	out=$("$PY" "$XGRID" compare "$T/xr.csv" libreoffice "$T/lo/xr.csv" 2>&1) ||
		t_fail "LibreOffice differs from the CSV: $out"
else
	t_fail "soffice --convert-to csv failed: $(tail -n 5 "$T/lo/soffice.log")"
fi
t_end

t_begin "xlsx readers: ExcelJS (npm, tests/xlsx-js) reads every cell as the CSV export has it"
# installed once per build tree with npm ci from the committed lock file
XJS_SRC=$MXCEP_TOP_SRCDIR/tests/xlsx-js
XJS=$MXCEP_TOP_BUILDDIR/tests/xlsx-js
mkdir -p "$XJS"
if [[ ! $XJS -ef $XJS_SRC ]]; then
	cmp -s "$XJS_SRC/package-lock.json" "$XJS/package-lock.json" || rm -rf "$XJS/node_modules"
	cp "$XJS_SRC/package.json" "$XJS_SRC/package-lock.json" "$XJS_SRC/read-xlsx.js" "$XJS/"
fi
if [[ ! -d $XJS/node_modules/exceljs ]]; then
	(cd "$XJS" && timeout 300 npm ci --no-audit --no-fund --prefer-offline) >"$T/npm-ci.log" 2>&1 ||
		t_fail "npm ci (tests/xlsx-js) failed: $(tail -n 5 "$T/npm-ci.log")"
fi
if out=$(node "$XJS/read-xlsx.js" "$T/xr.xlsx" 2>&1 >"$T/xr.exceljs.json"); then
	out=$("$PY" "$XGRID" compare "$T/xr.csv" exceljs "$T/xr.exceljs.json" 2>&1) ||
		t_fail "ExcelJS differs from the CSV: $out"
else
	t_fail "ExcelJS cannot read the export: $out"
fi
t_end

db "DELETE FROM validations WHERE account_id = '$ACC_XR'" || echo "# t_xlsx_readers: could not remove its rows"
