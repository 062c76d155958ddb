/** Self-contained HTML pages (inline SVG, inline CSS, no scripts, no network) for reports. */

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface HtmlTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number | null)[])[];
}

export interface HtmlSection {
  readonly heading: string;
  readonly paragraphs?: readonly string[];
  readonly table?: HtmlTable;
  /** A standalone SVG document, embedded inline. */
  readonly svg?: string;
}

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}.figure svg{max-width:100%;height:auto}`;

function cell(v: string | number | null): string {
  if (v === null) return 'n/a';
  return typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : escapeHtml(v);
}

export function htmlPage(title: string, sections: readonly HtmlSection[], footer?: string): string {
  const body = sections.map((s) => {
    const parts = [`<h2>${escapeHtml(s.heading)}</h2>`];
    for (const p of s.paragraphs ?? []) parts.push(`<p>${escapeHtml(p)}</p>`);
    if (s.table) {
      parts.push(
        `<table><thead><tr>${s.table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>` +
          s.table.rows.map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`).join('') +
          '</tbody></table>',
      );
    }
    if (s.svg) parts.push(`<div class="figure">${s.svg.replace(/^<\?xml[^>]*>\s*/, '')}</div>`);
    return parts.join('\n');
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body.join('\n')}
${footer ? `<p><small>${escapeHtml(footer)}</small></p>` : ''}
</body></html>
`;
}
