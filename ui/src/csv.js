// CSV files the explorer hands out (lineage, impact): RFC 4180 quoting, downloaded in the browser.

/** @param {string | number | boolean | null | undefined} value */
function cell(value) {
  const text = value == null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The CSV text of ``rows`` under ``header``, lines ended by CRLF.
 * @param {string[]} header
 * @param {(string | number | boolean | null | undefined)[][]} rows
 */
export function csvText(header, rows) {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/**
 * Have the browser save ``text`` as the file ``name``.
 * @param {string} name
 * @param {string} text
 */
export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
