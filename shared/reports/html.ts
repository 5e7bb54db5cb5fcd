/**
 * Readable documents (reports, evidence pack renderings) as self-contained HTML: no scripts, no
 * external resources, and every piece of data escaped, so free text typed by a reviewer (which may
 * contain markup) is shown as the text it is and never runs.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML text or attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.number{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#555}.classification{font-weight:bold;text-transform:uppercase;letter-spacing:.05em}
pre.text{white-space:pre-wrap;font-family:inherit;margin:0}
svg text{font-family:inherit;font-size:12px}
@media print{body{margin:0}h2{break-after:avoid}table{break-inside:avoid}}
`;

/**
 * A whole document. `body` must already be safe HTML (built with escapeHtml); the title is escaped
 * here. The content security policy forbids scripts and remote resources even if a viewer serves
 * the file from a web server.
 */
export function htmlDocument(title: string, body: string, classification = 'OFFICIAL-SENSITIVE'): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<p class="classification">${escapeHtml(classification)}</p>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

/** A table from a header row and body rows of plain values (escaped); numbers align right. */
export function htmlTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cell = (value: unknown) =>
    typeof value === 'number'
      ? `<td class="number">${escapeHtml(value)}</td>`
      : `<td>${escapeHtml(value)}</td>`;
  return `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map(cell).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Free text, escaped, keeping its line breaks. */
export const htmlText = (value: unknown) => `<pre class="text">${escapeHtml(value)}</pre>`;

/**
 * A proportion as a percentage for people to read ("12.5%"), or an em dash when there is none.
 * Rounded for display only; the report data keeps full precision.
 */
export function formatPercent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`;
}

/** A number to at most `digits` decimals without trailing zeros, or an em dash when there is none. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined ? '—' : String(Number(value.toFixed(digits)));
}
