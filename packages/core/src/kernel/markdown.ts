import { markdownTable } from 'markdown-table';

/** Column alignment for {@link table}: left or right (numbers read best right-aligned). */
export type Align = 'l' | 'r';

/**
 * A GFM table. markdown-table does not escape `|`, and one unescaped pipe in a metric name or
 * slice value shifts every later cell of its row, so every cell is escaped here. Delimiters are
 * not aligned: padding would cost characters (the comment has a size limit) and no one reads
 * the raw markdown of a PR comment.
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[],
) {
  const cells = [header, ...rows].map((row) => row.map(escapeCell));
  return markdownTable(cells, { align: [...align], alignDelimiters: false });
}

/**
 * Makes text safe for one table cell: `\|` is GFM's escape for a pipe inside a cell, and inside
 * code spans too, so it works whatever markdown the cell holds. A newline would end the row.
 */
export function escapeCell(cell: string): string {
  // A backslash just before a pipe would escape the escape (`a\\|b` splits the cell in
  // cmark-gfm), so such backslashes are doubled; the others stay, so a cell's markdown holds.
  return cell
    .replace(/\r?\n|\r/g, ' ')
    .replace(/(\\*)\|/g, (_, slashes: string) => `${slashes}${slashes}\\|`);
}

/**
 * User text (a model name, a reason, a note) as literal markdown, inline: the characters that
 * start inline syntax (emphasis, code, links, HTML, entities, GitHub's math and strikethrough)
 * are backslash-escaped, so `*eu*` stays `*eu*` and `<details>` stays text. Block syntax (`#`,
 * `>`, `-`) only counts at the start of a line, where the report never puts user text. Pipes
 * are left to {@link escapeCell}, which every table cell goes through.
 */
export function escapeText(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(/[\\`*_[\]<&$~]/g, '\\$&');
}

/**
 * User text as a code span. Backslash escapes do not work inside code spans, so a backtick in
 * the text is handled by a longer fence instead (CommonMark 6.1).
 */
export function code(text: string): string {
  const flat = text.replace(/\r?\n|\r/g, ' ');
  // An empty code span is not one: it would print two backticks.
  if (flat.trim() === '') return '*(empty)*';
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Text inside raw HTML (a `<summary>`), where markdown is not parsed. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A collapsed section. GitHub renders markdown inside `<details>` only after a blank line,
 * and a table directly before `</details>` needs one too.
 */
export function details(summary: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}>\n<summary>${escapeHtml(summary)}</summary>\n\n${body}\n\n</details>`;
}
