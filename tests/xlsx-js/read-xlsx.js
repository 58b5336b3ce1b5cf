#!/usr/bin/env node
// tests/xlsx-js/read-xlsx.js FILE: read an XLSX workbook with ExcelJS (a
// JavaScript reader that places every cell by its r reference) and print
// each sheet's cells as JSON, typed the way tests/tools/xlsx-grid compares
// them: {"sheets": [{"name": ..., "rows": [[cell, ...], ...]}]} where a cell
// is null (blank), {"t": "s", "v": text}, {"t": "n", "v": number, "f": format},
// {"t": "b", "v": bool} or {"t": "d", "v": "YYYY-MM-DDTHH:MM:SS", "f": format}.
// Exit 1 with the reader's message when it cannot read the file.
'use strict';
const ExcelJS = require('exceljs');

function cell(c) {
  const v = c.value;
  if (v === null || v === undefined || v === '') return null;
  if (v instanceof Date) {
    // ExcelJS turns a date-formatted serial into a Date of that UTC time
    return { t: 'd', v: v.toISOString().slice(0, 19), f: c.numFmt || '' };
  }
  if (typeof v === 'number') return { t: 'n', v: v, f: c.numFmt || '' };
  if (typeof v === 'boolean') return { t: 'b', v: v };
  if (typeof v === 'string') return { t: 's', v: v };
  if (v.richText) return { t: 's', v: v.richText.map((r) => r.text).join('') };
  return { t: '?', v: JSON.stringify(v) };
}

(async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(process.argv[2]);
  const sheets = [];
  wb.eachSheet((ws) => {
    const rows = [];
    ws.eachRow({ includeEmpty: true }, (row, n) => {
      const out = [];
      for (let i = 1; i <= ws.columnCount; i++) out.push(cell(row.getCell(i)));
      while (out.length && out[out.length - 1] === null) out.pop();
      rows[n - 1] = out;
    });
    for (let i = 0; i < rows.length; i++) if (!rows[i]) rows[i] = [];
    sheets.push({ name: ws.name, rows: rows });
  });
  process.stdout.write(JSON.stringify({ sheets: sheets }) + '\n');
})().catch((e) => {
  process.stderr.write('exceljs: ' + (e && e.message ? e.message : String(e)) + '\n');
  process.exit(1);
});
