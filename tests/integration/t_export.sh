# shellcheck shell=bash
# t_export: GET /v1/validations/export as CSV and XLSX through lighttpd:
# BOM, CRLF, quoting, formula neutralising, exact amounts, identifiers
# as text, the XLSX read back cell by cell with openpyxl, filters,
# another account's rows never included, parameter errors and scopes;
# GET /v1/admin/validations/export: every account, account_id first.
# Rows are inserted with the mariadb client. Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

EX1=$(uuid) EX2=$(uuid) EX3=$(uuid) EX4=$(uuid) EXB=$(uuid)
EXCLABE=646180157048010399
# newest first: EX4 (01-10), EX2 (01-05), EX3 (deleted, 01-04), EX1 (01-02); EXB is account B's
db "INSERT INTO validations (id, account_id, created_at, updated_at, completed_at, status,
	validation_type, playground, fecha, clave_rastreo, referencia, emisor, receptor, cuenta, monto,
	request_data, has_cep, deleted_at, error_code, banxico_status) VALUES
('$EX1', '$ACC_A', '2030-01-02 10:00:00', '2030-01-02 10:00:00', '2030-01-02 10:00:03', 'valid',
	'direct', 0, '2030-01-02', 'EXPITMBAN01002501020012345678', '0012345', '40012', '90646', '$EXCLABE',
	1500.00, '{}', 1, NULL, NULL, 'LIQUIDADA'),
('$EX2', '$ACC_A', '2030-01-05 08:30:00', '2030-01-05 08:30:00', '2030-01-05 08:30:01', 'not_found',
	'direct', 1, '2030-01-04', '=HYPERLINK(\"http://evil.example\",\"x\")', '7', '40002', '90646', '$EXCLABE',
	0.10, '{}', 0, NULL, 'banxico,\"not found\"', '@SUM(A1)'),
('$EX3', '$ACC_A', '2030-01-04 00:00:00', '2030-01-04 00:00:00', NULL, 'valid',
	'direct', 0, '2030-01-03', 'EXPITDELETED', '1', '40012', '90646', '$EXCLABE',
	10.00, '{}', 1, '2030-01-06 00:00:00', NULL, NULL),
('$EX4', '$ACC_A', '2030-01-10 23:59:59', '2030-01-10 23:59:59', NULL, 'error',
	'ocr', 0, NULL, 'EXPIT-4', NULL, NULL, NULL, NULL,
	123456789.01, '{}', 0, NULL, '-cmd', NULL),
('$EXB', '$ACC_B', '2030-01-07 00:00:00', '2030-01-07 00:00:00', NULL, 'valid',
	'direct', 0, '2030-01-07', 'EXPITBONLY', '2', '40012', '90646', '$EXCLABE',
	99.99, '{}', 0, NULL, NULL, NULL)" || t_fail "inserting the export rows failed"
# exports of account A are confined to the test's rows by date_from
EXQ="date_from=2030-01-01"

# ex_csv FILE: the CSV rows (BOM stripped) as tab-separated lines, fields
# escaped with Python repr so CR/LF/quotes show; the BOM and line ends checked
ex_csv() {
	"$PY" - "$1" <<'EOF'
import csv, io, sys
raw = open(sys.argv[1], "rb").read()
if not raw.startswith(b"\xef\xbb\xbf"):
    print("NO-BOM"); sys.exit(0)
text = raw[3:].decode("utf-8")
# every record ends with CRLF; no bare LF outside quoted fields here
if not text.endswith("\r\n") or text.replace("\r\n", "").count("\n") != 0:
    print("BAD-LINE-ENDS"); sys.exit(0)
for row in csv.reader(io.StringIO(text, newline="")):
    print("\t".join(row))
EOF
}

t_begin "export: CSV default: 200 text/csv, attachment with a dated name, BOM, CRLF, columns, rows newest first"
http GET "/v1/validations/export?$EXQ" -H "Authorization: Bearer $KEY_A"
expect_code 200
expect_eq "Content-Type" "$(hdr Content-Type)" "text/csv; charset=utf-8; header=present"
expect_match "Content-Disposition" "$(hdr Content-Disposition)" '^attachment; filename="validations-[0-9]{8}-[0-9]{6}\.csv"$'
expect_match "Cache-Control" "$(hdr Cache-Control)" 'no-store'
cp "$T/body" "$T/export.csv"
ex_csv "$T/export.csv" >"$T/export.rows"
expect_eq "header" "$(head -n 1 "$T/export.rows")" "$(printf '%s\t' id created_at completed_at status validation_type is_playground fecha clave_rastreo referencia emisor emisor_name receptor receptor_name cuenta monto banxico_status error_code has_cep deleted_at | sed 's/\t$//')"
expect_eq "row ids, newest first, deleted left out" "$(sed -n '2,$p' "$T/export.rows" | cut -f1 | tr '\n' ' ')" "$EX4 $EX2 $EX1 "
expect_eq "row EX1" "$(grep "^$EX1" "$T/export.rows")" "$(printf '%s\t' "$EX1" 2030-01-02T10:00:00Z 2030-01-02T10:00:03Z valid direct false 2030-01-02 EXPITMBAN01002501020012345678 0012345 40012 "BBVA Mexico" 90646 STP "$EXCLABE" 1500.00 LIQUIDADA "" true "" | sed 's/\t$//')"
grep -q EXPITBONLY "$T/export.csv" && t_fail "account B's row is in account A's export"
t_end

t_begin "export: CSV quoting and neutralising: formula cells get a quote and quotes, identifiers quoted, exact amounts"
# the raw bytes of the record of EX2
rec2=$(grep -a "^$EX2" "$T/export.csv" | tr -d '\r')
expect_match "formula clave neutralised (raw)" "$rec2" ",\"'=HYPERLINK\(\"\"http://evil.example\"\",\"\"x\"\"\)\","
expect_match "@ banxico_status neutralised" "$rec2" ",\"'@SUM\(A1\)\","
expect_match "comma and quotes quoted, quotes doubled" "$rec2" ',"banxico,""not found""",'
expect_match "CLABE quoted as text" "$rec2" ",\"$EXCLABE\","
expect_match "amount 0.10" "$rec2" ',0\.10,'
expect_match "playground true" "$rec2" ',true,'
rec4=$(grep -a "^$EX4" "$T/export.csv" | tr -d '\r')
expect_match "big amount exact" "$rec4" ',123456789\.01,'
expect_match "'-' neutralised" "$rec4" ",\"'-cmd\","
expect_match "empty fecha and names" "$rec4" ',error,ocr,false,,"EXPIT-4",,,,,,,123456789'
rec1=$(grep -a "^$EX1" "$T/export.csv" | tr -d '\r')
expect_match "referencia with leading zeros quoted" "$rec1" ',"0012345",'
expect_eq "parsed clave of EX2" "$(grep "^$EX2" "$T/export.rows" | cut -f8)" "'=HYPERLINK(\"http://evil.example\",\"x\")"
t_end

t_begin "export: filters as in the list (status, with_deleted, type, amount, JSON:API spelling, search), format=csv explicit"
ex_ids() { # QUERY -> ids of the CSV in order
	http GET "/v1/validations/export?$EXQ&$1" -H "Authorization: Bearer $KEY_A"
	[[ $CODE == 200 ]] || { echo "HTTP $CODE $(head -c 200 "$T/body")"; return; }
	ex_csv "$T/body" | sed -n '2,$p' | cut -f1 | tr '\n' ' '
}
expect_eq "status=valid" "$(ex_ids status=valid)" "$EX1 "
expect_eq "status=valid&with_deleted=1" "$(ex_ids 'status=valid&with_deleted=1')" "$EX3 $EX1 "
expect_eq "filter[status]=not_found,error" "$(ex_ids 'filter%5Bstatus%5D=not_found,error')" "$EX4 $EX2 "
expect_eq "type=ocr" "$(ex_ids type=ocr)" "$EX4 "
expect_eq "amount_min=1000" "$(ex_ids amount_min=1000)" "$EX4 $EX1 "
expect_eq "playground=true" "$(ex_ids playground=true)" "$EX2 "
expect_eq "search=EXPITMBAN (clave prefix)" "$(ex_ids search=EXPITMBAN)" "$EX1 "
expect_eq "format=csv&date_to=2030-01-03" "$(ex_ids 'format=csv&date_to=2030-01-03')" "$EX1 "
expect_eq "account B sees only its row" "$(http GET "/v1/validations/export?$EXQ" -H "Authorization: Bearer $KEY_B"; ex_csv "$T/body" | sed -n '2,$p' | cut -f1 | tr '\n' ' ')" "$EXB "
t_end

t_begin "export: XLSX read back with openpyxl: text CLABE, numeric amounts 0.00, datetimes, bold frozen header, formula cell is text"
http GET "/v1/validations/export?format=xlsx&$EXQ&with_deleted=1" -H "Authorization: Bearer $KEY_A"
expect_code 200
expect_eq "Content-Type" "$(hdr Content-Type)" "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
expect_match "Content-Disposition" "$(hdr Content-Disposition)" '^attachment; filename="validations-[0-9]{8}-[0-9]{6}\.xlsx"$'
# streamed like the CSV: mxcep sends no Content-Length (the size is not
# known when the first bytes leave; lighttpd adds one when the whole answer
# arrived before it sent the head, as for a file this small), and every zip
# entry is written front to back: general purpose bit 3, CRC and sizes in a
# data descriptor after the data
cl=$(hdr Content-Length)
[[ -z $cl || $cl == "$(wc -c <"$T/body" | tr -d ' ')" ]] ||
	t_fail "Content-Length $cl is not the body's size"
cp "$T/body" "$T/export.xlsx"
out=$("$PY" - "$T/export.xlsx" <<'EOF' 2>&1
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
names = [i.filename for i in z.infolist()]
errs = []
if bad is not None:
    errs.append("bad CRC in %s" % bad)
if names != ["_rels/.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml",
             "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]:
    errs.append("entries %r" % names)
if any(not i.flag_bits & 0x08 for i in z.infolist()):
    errs.append("an entry without a data descriptor")
raw = open(sys.argv[1], "rb").read()
if raw[:4] != b"PK\x03\x04" or raw[-22:-18] != b"PK\x05\x06":
    errs.append("not a zip front to back")
print("\n".join(errs) if errs else "OK")
EOF
)
expect_eq "zip structure (zipfile.testzip, entries, data descriptors)" "$out" "OK"
unzip -tq "$T/export.xlsx" >/dev/null 2>&1 || t_fail "unzip -t failed on the XLSX"
out=$("$PY" - "$T/export.xlsx" "$EX1" "$EX2" "$EX3" "$EX4" "$EXCLABE" <<'EOF' 2>&1
import datetime, sys
import openpyxl
path, ex1, ex2, ex3, ex4, clabe = sys.argv[1:]
wb = openpyxl.load_workbook(path)
ws = wb.worksheets[0]
errs = []
def want(what, got, exp):
    if got != exp:
        errs.append("%s: expected %r, got %r" % (what, exp, got))
want("sheets", wb.sheetnames, ["validations"])
want("freeze_panes", ws.freeze_panes, "A2")
hdr = [c.value for c in ws[1]]
want("header", hdr, ["id", "created_at", "completed_at", "status", "validation_type",
     "is_playground", "fecha", "clave_rastreo", "referencia", "emisor", "emisor_name",
     "receptor", "receptor_name", "cuenta", "monto", "banxico_status", "error_code",
     "has_cep", "deleted_at"])
want("header bold", all(c.font.b for c in ws[1]), True)
col = {name: i for i, name in enumerate(hdr)}
rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
want("ids", [r[0].value for r in ws.iter_rows(min_row=2)], [ex4, ex2, ex3, ex1])
r1 = rows[ex1]
c = r1[col["cuenta"]]
want("cuenta type", c.data_type, "s"); want("cuenta value", c.value, clabe)
want("cuenta format", c.number_format, "@")
c = r1[col["referencia"]]
want("referencia", (c.data_type, c.value), ("s", "0012345"))
c = r1[col["clave_rastreo"]]
want("clave", (c.data_type, c.value), ("s", "EXPITMBAN01002501020012345678"))
c = r1[col["monto"]]
want("monto type", c.data_type, "n"); want("monto value", c.value, 1500)
want("monto format", c.number_format, "0.00")
want("big monto", rows[ex4][col["monto"]].value, 123456789.01)
want("small monto", rows[ex2][col["monto"]].value, 0.1)
c = r1[col["created_at"]]
want("created_at", c.value, datetime.datetime(2030, 1, 2, 10, 0, 0))
want("created_at format", c.number_format, 'yyyy-mm-dd"T"hh:mm:ss"Z"')
want("completed_at", r1[col["completed_at"]].value, datetime.datetime(2030, 1, 2, 10, 0, 3))
want("fecha", r1[col["fecha"]].value, datetime.datetime(2030, 1, 2))
want("emisor", (r1[col["emisor"]].data_type, r1[col["emisor"]].value), ("s", "40012"))
want("emisor_name", r1[col["emisor_name"]].value, "BBVA Mexico")
want("has_cep", r1[col["has_cep"]].value, True)
want("is_playground", rows[ex2][col["is_playground"]].value, True)
want("deleted_at", rows[ex3][col["deleted_at"]].value, datetime.datetime(2030, 1, 6))
want("deleted_at empty", r1[col["deleted_at"]].value, None)
c = rows[ex2][col["clave_rastreo"]]
want("formula cell type", c.data_type, "s")
want("formula cell value", c.value, '=HYPERLINK("http://evil.example","x")')
want("formula cell format", c.number_format, "@")
c = rows[ex2][col["banxico_status"]]
want("@ cell", (c.data_type, c.value, c.number_format), ("s", "@SUM(A1)", "@"))
want("error_code", rows[ex2][col["error_code"]].value, 'banxico,"not found"')
want("empty fecha", rows[ex4][col["fecha"]].value, None)
print("\n".join(errs) if errs else "OK")
EOF
)
expect_eq "openpyxl checks" "$out" "OK"
t_end

t_begin "export: errors: unknown parameter 400, bad format 400, bad filter 400, no key 401, no read scope 403"
http GET "/v1/validations/export?format=csv&colour=red" -H "Authorization: Bearer $KEY_A"
expect_error 400 unknown_parameter
expect_json errors.0.source.parameter colour
http GET "/v1/validations/export?format=pdf" -H "Authorization: Bearer $KEY_A"
expect_error 400 invalid_parameter
expect_json errors.0.source.parameter format
http GET "/v1/validations/export?status=bogus" -H "Authorization: Bearer $KEY_A"
expect_error 400 invalid_parameter
http GET "/v1/validations/export?amount_min=1e3" -H "Authorization: Bearer $KEY_A"
expect_error 400 invalid_parameter
http GET "/v1/validations/export"
expect_error 401 missing_api_key
http GET "/v1/validations/export" -H "Authorization: Bearer $ADMIN_A"
expect_error 403 insufficient_scope
[[ -z $(hdr Content-Disposition) ]] || t_fail "an error carries Content-Disposition: $(hdr Content-Disposition)"
http POST "/v1/validations/export" -H "Authorization: Bearer $KEY_A" --data-binary ""
expect_error 405 method_not_allowed
t_end

# ---- GET /v1/admin/validations/export: every account, account_id first ----
# ex_admin_ids QUERY: "id:account_id " of the admin CSV's rows that are this
# file's (other files' rows may fall on the same dates), in order
EXMINE="$EX1|$EX2|$EX3|$EX4|$EXB"
ex_admin_ids() {
	http GET "/v1/admin/validations/export?$EXQ&$1" -H "Authorization: Bearer $ADMIN_A"
	[[ $CODE == 200 ]] || { echo "HTTP $CODE $(head -c 200 "$T/body")"; return; }
	ex_csv "$T/body" | sed -n '2,$p' | awk -F'\t' -v m="^($EXMINE)\$" '$2 ~ m { printf "%s:%s ", $2, $1 }'
}

t_begin "admin export: CSV across accounts, account_id column first, rows of A and B newest first"
http GET "/v1/admin/validations/export?$EXQ" -H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_eq "Content-Type" "$(hdr Content-Type)" "text/csv; charset=utf-8; header=present"
expect_match "Content-Disposition" "$(hdr Content-Disposition)" '^attachment; filename="validations-[0-9]{8}-[0-9]{6}\.csv"$'
expect_match "Cache-Control" "$(hdr Cache-Control)" 'no-store'
cp "$T/body" "$T/admin-export.csv"
ex_csv "$T/admin-export.csv" >"$T/admin-export.rows"
expect_eq "header" "$(head -n 1 "$T/admin-export.rows")" "$(printf '%s\t' account_id id created_at completed_at status validation_type is_playground fecha clave_rastreo referencia emisor emisor_name receptor receptor_name cuenta monto banxico_status error_code has_cep deleted_at | sed 's/\t$//')"
expect_eq "rows of both accounts, newest first, deleted left out" "$(ex_admin_ids "")" "$EX4:$ACC_A $EXB:$ACC_B $EX2:$ACC_A $EX1:$ACC_A "
expect_eq "row EXB" "$(awk -F'\t' -v id="$EXB" '$2 == id' "$T/admin-export.rows")" "$(printf '%s\t' "$ACC_B" "$EXB" 2030-01-07T00:00:00Z "" valid direct false 2030-01-07 EXPITBONLY 2 40012 "BBVA Mexico" 90646 STP "$EXCLABE" 99.99 "" "" false "" | sed 's/\t$//')"
expect_eq "row EX1" "$(awk -F'\t' -v id="$EX1" '$2 == id' "$T/admin-export.rows")" "$(printf '%s\t' "$ACC_A" "$EX1" 2030-01-02T10:00:00Z 2030-01-02T10:00:03Z valid direct false 2030-01-02 EXPITMBAN01002501020012345678 0012345 40012 "BBVA Mexico" 90646 STP "$EXCLABE" 1500.00 LIQUIDADA "" true "" | sed 's/\t$//')"
n=$(sed -n '2,$p' "$T/admin-export.rows" | awk -F'\t' '$1 !~ /^[0-9a-f-]+$/ || length($1) != 36' | wc -l)
expect_eq "rows without an account_id" "$n" 0
# the account's own export keeps its columns (no account_id)
http GET "/v1/validations/export?$EXQ" -H "Authorization: Bearer $KEY_A"
expect_match "own export header" "$(ex_csv "$T/body" | head -n 1)" $'^id\tcreated_at\t'
t_end

t_begin "admin export: account_id confines it; without it only the admin list's filters"
expect_eq "account_id=B" "$(ex_admin_ids "account_id=$ACC_B")" "$EXB:$ACC_B "
n=$(ex_csv "$T/body" | sed -n '2,$p' | awk -F'\t' -v a="$ACC_B" '$1 != a' | wc -l)
expect_eq "rows of another account under account_id=B" "$n" 0
expect_eq "filter[account_id]=A&with_deleted=1" "$(ex_admin_ids "filter%5Baccount_id%5D=$ACC_A&with_deleted=1")" "$EX4:$ACC_A $EX2:$ACC_A $EX3:$ACC_A $EX1:$ACC_A "
n=$(ex_csv "$T/body" | sed -n '2,$p' | awk -F'\t' -v a="$ACC_A" '$1 != a' | wc -l)
expect_eq "rows of another account under account_id=A" "$n" 0
expect_eq "status=valid across accounts" "$(ex_admin_ids status=valid)" "$EXB:$ACC_B $EX1:$ACC_A "
expect_eq "with_deleted=1&date_to=2030-01-04" "$(ex_admin_ids 'with_deleted=1&date_to=2030-01-04')" "$EX3:$ACC_A $EX1:$ACC_A "
expect_eq "account_id=A&type=ocr" "$(ex_admin_ids "account_id=$ACC_A&type=ocr")" "$EX4:$ACC_A "
expect_eq "account_id=A&search=EXPITMBAN" "$(ex_admin_ids "account_id=$ACC_A&search=EXPITMBAN")" "$EX1:$ACC_A "
http GET "/v1/admin/validations/export?$EXQ&type=ocr" -H "Authorization: Bearer $ADMIN_A"
expect_error 400 invalid_parameter
expect_json errors.0.source.parameter type
http GET "/v1/admin/validations/export?account_id=not-a-uuid" -H "Authorization: Bearer $ADMIN_A"
expect_error 400 invalid_parameter
t_end

t_begin "admin export: XLSX read back with openpyxl, account_id column first"
http GET "/v1/admin/validations/export?format=xlsx&$EXQ&with_deleted=1" -H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_eq "Content-Type" "$(hdr Content-Type)" "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
expect_match "Content-Disposition" "$(hdr Content-Disposition)" '^attachment; filename="validations-[0-9]{8}-[0-9]{6}\.xlsx"$'
cp "$T/body" "$T/admin-export.xlsx"
out=$("$PY" - "$T/admin-export.xlsx" "$EX1" "$EX2" "$EX3" "$EX4" "$EXB" "$ACC_A" "$ACC_B" "$EXCLABE" <<'EOF' 2>&1
import datetime, sys
import openpyxl
path, ex1, ex2, ex3, ex4, exb, acc_a, acc_b, clabe = sys.argv[1:]
wb = openpyxl.load_workbook(path)
ws = wb.worksheets[0]
errs = []
def want(what, got, exp):
    if got != exp:
        errs.append("%s: expected %r, got %r" % (what, exp, got))
want("sheets", wb.sheetnames, ["validations"])
want("freeze_panes", ws.freeze_panes, "A2")
hdr = [c.value for c in ws[1]]
want("header", hdr, ["account_id", "id", "created_at", "completed_at", "status",
     "validation_type", "is_playground", "fecha", "clave_rastreo", "referencia", "emisor",
     "emisor_name", "receptor", "receptor_name", "cuenta", "monto", "banxico_status",
     "error_code", "has_cep", "deleted_at"])
want("header bold", all(c.font.b for c in ws[1]), True)
col = {name: i for i, name in enumerate(hdr)}
mine = (ex1, ex2, ex3, ex4, exb)
got = [(r[1].value, r[0].value) for r in ws.iter_rows(min_row=2) if r[1].value in mine]
want("rows", got, [(ex4, acc_a), (exb, acc_b), (ex2, acc_a), (ex3, acc_a), (ex1, acc_a)])
want("rows without an account_id",
     [r[1].value for r in ws.iter_rows(min_row=2) if not r[0].value], [])
rows = {r[1].value: r for r in ws.iter_rows(min_row=2)}
c = rows[exb][col["account_id"]]
want("account_id cell", (c.data_type, c.value), ("s", acc_b))
c = rows[ex1][col["cuenta"]]
want("cuenta", (c.data_type, c.value, c.number_format), ("s", clabe, "@"))
c = rows[exb][col["monto"]]
want("monto", (c.data_type, c.value, c.number_format), ("n", 99.99, "0.00"))
want("created_at", rows[ex1][col["created_at"]].value, datetime.datetime(2030, 1, 2, 10, 0, 0))
want("deleted_at", rows[ex3][col["deleted_at"]].value, datetime.datetime(2030, 1, 6))
print("\n".join(errs) if errs else "OK")
EOF
)
expect_eq "openpyxl checks" "$out" "OK"
t_end

t_begin "admin export: errors: unknown and page parameters 400, bad format 400, 401, 403 insufficient_scope, 403 operator_only; /{id}/raw still served"
http GET "/v1/admin/validations/export?colour=red" -H "Authorization: Bearer $ADMIN_A"
expect_error 400 unknown_parameter
expect_json errors.0.source.parameter colour
http GET "/v1/admin/validations/export?page=2" -H "Authorization: Bearer $ADMIN_A"
expect_error 400 unknown_parameter
expect_json errors.0.source.parameter page
http GET "/v1/admin/validations/export?format=pdf" -H "Authorization: Bearer $ADMIN_A"
expect_error 400 invalid_parameter
expect_json errors.0.source.parameter format
http GET "/v1/admin/validations/export"
expect_error 401 missing_api_key
http GET "/v1/admin/validations/export" -H "Authorization: Bearer $KEY_A"
expect_error 403 insufficient_scope
[[ -z $(hdr Content-Disposition) ]] || t_fail "an error carries Content-Disposition: $(hdr Content-Disposition)"
# an admin key of an account that is not an operator account
ACC_EXL=$(admin account create it-export-l 2>"$T/setup.err") || t_fail "account create: $(cat "$T/setup.err")"
ADMIN_EXL=$(new_key "$ACC_EXL" admin) || t_fail "key create (admin of a non-operator account) failed"
http GET "/v1/admin/validations/export" -H "Authorization: Bearer $ADMIN_EXL"
expect_error 403 operator_only
http GET "/v1/admin/validations/export?account_id=$ACC_EXL&format=xlsx" -H "Authorization: Bearer $ADMIN_EXL"
expect_error 403 operator_only
http POST "/v1/admin/validations/export" -H "Authorization: Bearer $ADMIN_A" --data-binary ""
expect_error 405 method_not_allowed
# the literal route takes nothing from the pattern next to it
http GET "/v1/admin/validations/$EXB/raw" -H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_json data.id "$EXB"
t_end

# ---- a large export: many 64 KB FastCGI records (src/fcgi/worker.c) -----
ACC_EXBIG=$(admin account create it-export-big 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
KEY_EXBIG=$(new_key "$ACC_EXBIG" validations:read) || bail "key create failed"
db "SET SESSION max_recursive_iterations = 100000;
INSERT INTO validations (id, account_id, validation_type, playground, status, fecha, clave_rastreo,
	referencia, emisor, receptor, cuenta, monto, request_data, created_at, updated_at, deleted_at)
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 20000)
SELECT CONCAT(SUBSTR(h, 1, 8), '-', SUBSTR(h, 9, 4), '-4', SUBSTR(h, 14, 3), '-b', SUBSTR(h, 18, 3), '-',
	SUBSTR(h, 21, 12)), '$ACC_EXBIG', 'direct', 0, ELT(1 + n % 3, 'valid', 'not_found', 'error'),
	DATE('2031-01-01') + INTERVAL (n DIV 500) DAY, CONCAT('EXBIG', LPAD(n, 10, '0')), LPAD(n, 7, '0'),
	'40012', '90646', '$EXCLABE', n + 0.25, '{}',
	TIMESTAMP('2031-01-01') + INTERVAL (n DIV 3) MINUTE, TIMESTAMP('2031-01-01') + INTERVAL (n DIV 3) MINUTE,
	IF(n % 97 = 0, TIMESTAMP('2032-01-01'), NULL)
FROM (SELECT n, MD5(CONCAT('t_export', n)) AS h FROM seq) s" || bail "seeding the large export failed"

t_begin "export: 20,000 rows (about 5 MB, many 64 KB records) arrive whole and in list order; a client that hangs up mid-way leaves the worker serving"
http GET "/v1/validations/export" -H "Authorization: Bearer $KEY_EXBIG"
expect_code 200
db "SELECT id FROM validations WHERE account_id = '$ACC_EXBIG' AND deleted_at IS NULL
	ORDER BY created_at DESC, id DESC" >"$T/exbig.sql" || t_fail "reading the ids failed"
ex_csv "$T/body" | sed -n '2,$p' | cut -f1 >"$T/exbig.csv"
expect_eq "rows" "$(wc -l <"$T/exbig.csv")" "$(wc -l <"$T/exbig.sql")"
cmp -s "$T/exbig.csv" "$T/exbig.sql" || t_fail "the ids differ from SQL's list order: $(diff "$T/exbig.sql" "$T/exbig.csv" | head -n 4)"
((BODY_BYTES=$(stat -c %s "$T/body"), BODY_BYTES > 20 * 65528)) || t_fail "the export is only $BODY_BYTES bytes: too small to need 20 records"
# every record whole: the last row is complete and the amounts add up
expect_eq "sum of the amounts" "$(ex_csv "$T/body" | sed -n '2,$p' | awk -F'\t' '{ s += $15 * 100 } END { printf "%.0f", s }')" \
	"$(db "SELECT CAST(SUM(monto) * 100 AS UNSIGNED) FROM validations WHERE account_id = '$ACC_EXBIG' AND deleted_at IS NULL")"
# a client that reads 100 KB and hangs up: the worker stops writing and
# goes on answering
cut_before=$(grep -c 'streamed body cut' "$T/fcgi.log" || true)
curl -s -N --max-time 20 -H "Authorization: Bearer $KEY_EXBIG" "$URL/v1/validations/export?format=csv" |
	head -c 100000 >/dev/null
for _ in 1 2 3 4 5 6 7 8 9 10; do
	http GET "/v1/validations/export?status=error" -H "Authorization: Bearer $KEY_EXBIG"
	[[ $CODE == 200 ]] && break
	sleep 0.2
done
expect_code 200
expect_eq "rows after the hang-up (status=error)" "$(ex_csv "$T/body" | sed -n '2,$p' | wc -l)" \
	"$(db "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_EXBIG' AND deleted_at IS NULL AND status = 'error'")"
http GET "/v1/validations?per_page=1" -H "Authorization: Bearer $KEY_EXBIG"
expect_code 200
# the worker saw the hang-up: it logged the cut and stopped writing
for _ in $(seq 50); do
	(($(grep -c 'streamed body cut' "$T/fcgi.log" || true) > cut_before)) && break
	sleep 0.1
done
(($(grep -c 'streamed body cut' "$T/fcgi.log" || true) > cut_before)) ||
	t_fail "no 'streamed body cut' in fcgi.log after the client hung up"
t_end

db "DELETE FROM validations WHERE id IN ('$EX1', '$EX2', '$EX3', '$EX4', '$EXB') OR account_id = '$ACC_EXBIG'" ||
	echo "# t_export: could not remove its rows"
