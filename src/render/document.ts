// The report as a list of blocks (headings, paragraphs, tables, figures), written once and rendered
// two ways: Markdown with relative image links, and one self-contained HTML file with the plots
// inline as data URIs (data URIs rather than inline <svg>, so the SVGs' clip-path ids cannot clash).
// In HTML, a figure with a Vega spec is then drawn live by the inlined Vega runtime (tooltips);
// the static image stays where the script does not run. Nothing is loaded from outside the file.

/** A heading. */
export interface HeadingBlock {
  kind: 'heading';
  level: 1 | 2 | 3;
  text: string;
}
/** A paragraph; `**bold**` and `` `code` `` are the only inline marks. */
export interface ParagraphBlock {
  kind: 'paragraph';
  text: string;
}
/** A bulleted list. */
export interface ListBlock {
  kind: 'list';
  items: string[];
}
/**
 * A table; cells use the same inline marks as paragraphs. `notes[i][j]`, when given, are the
 * numbers behind cell (i, j): in parentheses after it in Markdown, on hover (`title`) in HTML.
 * `classes[i][j]` is a CSS class of the cell in HTML (`held`, `not-held`, `untestable`, `chosen`).
 */
export interface TableBlock {
  kind: 'table';
  header: string[];
  align: ('l' | 'r')[];
  rows: string[][];
  notes?: (string | undefined)[][];
  classes?: (string | undefined)[][];
}
/**
 * A figure: the SVG (inlined in HTML) and its file path relative to the report (Markdown);
 * `vega`, a compiled Vega spec, is what report.html draws live in place of the SVG.
 */
export interface FigureBlock {
  kind: 'figure';
  file: string;
  svg: string;
  caption: string;
  vega?: object;
}
export type Block = HeadingBlock | ParagraphBlock | ListBlock | TableBlock | FigureBlock;

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const withNote = (cell: string, note: string | undefined) => (note ? `${cell} (${note})` : cell);

/** Renders blocks to Markdown (GitHub flavor). */
export function toMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`${'#'.repeat(b.level)} ${b.text}`);
        break;
      case 'paragraph':
        out.push(b.text);
        break;
      case 'list':
        out.push(b.items.map((i) => `- ${i}`).join('\n'));
        break;
      case 'table':
        out.push(
          [
            `| ${b.header.map(escapeCell).join(' | ')} |`,
            `|${b.align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`,
            ...b.rows.map(
              (r, i) =>
                `| ${r.map((c, j) => escapeCell(withNote(c, b.notes?.[i]?.[j]))).join(' | ')} |`,
            ),
          ].join('\n'),
        );
        break;
      case 'figure':
        out.push(`![${b.caption}](${b.file})\n\n*${b.caption}*`);
        break;
    }
  }
  return out.join('\n\n') + '\n';
}

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>');
}

const STYLE = `body{font-family:"DejaVu Sans",Verdana,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}th,td{border:1px solid #ccc;padding:3px 8px}th{background:#f3f3f3}
td.r,th.r{text-align:right}figure{margin:1.5em 0}figure img{max-width:100%;height:auto}figcaption{font-style:italic;color:#555}
code{background:#f3f3f3;padding:0 3px}td[title]{cursor:help}td.held{background:#e3f1dc}td.not-held{background:#f8dcdc}
td.untestable{color:#888}td.chosen{font-weight:bold;background:#fff4cc}.figure-view{display:inline-block}`;

/** JSON for a <script> element: `<` escaped, so no text inside can close the element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * Draws every figure that has a Vega spec: a live view (SVG renderer, tooltips on hover) replaces
 * the static image once it has rendered; a figure whose view fails keeps its image and says so in
 * the console.
 */
const DRAW_FIGURES = `for (const figure of document.querySelectorAll('figure.figure')) {
  const json = figure.querySelector('script.figure-spec');
  if (!json || typeof vega === 'undefined') continue;
  const holder = figure.querySelector('.figure-view');
  const live = document.createElement('div');
  const view = new vega.View(vega.parse(JSON.parse(json.textContent)), { renderer: 'svg', container: live, hover: true });
  view.runAsync().then(() => { holder.replaceChildren(live); figure.dataset.rendered = 'live'; })
    .catch((error) => console.error('figure ' + figure.id + ': ' + error));
}`;

/** Options of {@link toHtml}. */
export interface HtmlOptions {
  /** the Vega runtime's source (a browser build), inlined so that figures with a spec draw live */
  vegaRuntime?: string;
}

/** Renders blocks to one self-contained HTML page (no external resources). */
export function toHtml(blocks: readonly Block[], title: string, options: HtmlOptions = {}): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`<h${b.level}>${inline(b.text)}</h${b.level}>`);
        break;
      case 'paragraph':
        out.push(`<p>${inline(b.text)}</p>`);
        break;
      case 'list':
        out.push(`<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`);
        break;
      case 'table': {
        const cls = (j: number, extra?: string) => {
          const names = [b.align[j] === 'r' ? 'r' : '', extra ?? ''].filter(Boolean);
          return names.length ? ` class="${escapeHtml(names.join(' '))}"` : '';
        };
        const title = (note: string | undefined) => (note ? ` title="${escapeHtml(note)}"` : '');
        out.push(
          `<table><thead><tr>${b.header.map((h, j) => `<th${cls(j)}>${inline(h)}</th>`).join('')}</tr></thead><tbody>${b.rows
            .map(
              (r, i) =>
                `<tr>${r.map((c, j) => `<td${cls(j, b.classes?.[i]?.[j])}${title(b.notes?.[i]?.[j])}>${inline(c)}</td>`).join('')}</tr>`,
            )
            .join('')}</tbody></table>`,
        );
        break;
      }
      case 'figure': {
        const uri = `data:image/svg+xml;base64,${Buffer.from(b.svg).toString('base64')}`;
        const id = `figure-${b.file
          .replace(/^.*\//, '')
          .replace(/\.[^.]*$/, '')
          .replace(/[^\w-]/g, '-')}`;
        const spec =
          b.vega && options.vegaRuntime
            ? `<script type="application/json" class="figure-spec">${scriptJson(b.vega)}</script>`
            : '';
        out.push(
          `<figure class="figure" id="${id}"><div class="figure-view"><img src="${uri}" alt="${escapeHtml(b.caption)}"></div>${spec}<figcaption>${inline(b.caption)}</figcaption></figure>`,
        );
        break;
      }
    }
  }
  // the runtime's text never holds "</script" today; escaped all the same, as the JSON above is
  const scripts =
    options.vegaRuntime && blocks.some((b) => b.kind === 'figure' && b.vega)
      ? `\n<script>${options.vegaRuntime.replace(/<\/script/gi, '<\\/script')}</script>\n<script>${DRAW_FIGURES}</script>`
      : '';
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n<body>\n${out.join('\n')}${scripts}\n</body></html>\n`;
}
