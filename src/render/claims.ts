// The claims as document blocks: the claims table (report and README alike), claims side by side
// (a column per panel or per swept value), and how each claim was tested. The verdicts themselves
// are src/analysis/claims.ts.

import type { ClaimResult, ClaimStatus, ClaimsGrid } from '../analysis/claims.js';
import type { Block, TableBlock } from './document.js';

const STATUS_CLASS: Record<ClaimStatus, string> = {
  held: 'held',
  'not held': 'not-held',
  'not testable with these runs': 'untestable',
};
/** A claim's status as a table cell writes it: `not testable with these runs` as n/t. */
export const STATUS_SHORT: Record<ClaimStatus, string> = {
  held: 'held',
  'not held': 'not held',
  'not testable with these runs': 'n/t',
};

/**
 * Claims side by side: a row per claim (`head` names it), a column per setting (`header`: a value
 * of a swept field, a panel); each cell says held / not held / n/t (not testable), with the
 * deciding numbers (the claim's `brief`) beside it in Markdown and on hover in HTML.
 */
export function claimsColumnsBlock(
  header: readonly string[],
  rows: readonly { head: string; cells: readonly Pick<ClaimResult, 'status' | 'brief'>[] }[],
): TableBlock {
  return {
    kind: 'table',
    header: ['claim', ...header],
    align: ['l', ...header.map(() => 'l' as const)],
    rows: rows.map((row) => [row.head, ...row.cells.map((c) => `**${STATUS_SHORT[c.status]}**`)]),
    notes: rows.map((row) => [undefined, ...row.cells.map((c) => c.brief)]),
    classes: rows.map((row) => [undefined, ...row.cells.map((c) => STATUS_CLASS[c.status])]),
  };
}

/** A claims grid as a table: a row per claim, a column per value of the swept field. */
export function claimsGridBlock(grid: ClaimsGrid): TableBlock {
  return claimsColumnsBlock(
    grid.values.map((v) => `${grid.field} ${v}`),
    grid.rows.map((row) => ({ head: `**${row.id}** ${row.label}`, cells: row.cells })),
  );
}

/**
 * The claims of several panels (one dataset at one input dimension each) side by side, a column
 * per panel, then how each claim was tested (the same test in every panel).
 *
 * @example
 * ```ts
 * const blocks = panelClaimsBlocks(analyseRecords(records).panels.map((p) => ({ label: p.panel.label, claims: p.claims })));
 * ```
 */
export function panelClaimsBlocks(
  panels: readonly { label: string; claims: readonly ClaimResult[] }[],
): Block[] {
  const first = panels[0].claims;
  return [
    claimsColumnsBlock(
      panels.map((p) => p.label),
      first.map((c, i) => ({
        head: `**${c.id}** ${c.claim}`,
        cells: panels.map((p) => p.claims[i]),
      })),
    ),
    claimsBlocks(first)[1],
  ];
}

/** The claims as one table: claim, status, numbers (the claim's `summary`). */
export function claimsTableBlock(
  claims: readonly Pick<ClaimResult, 'id' | 'claim' | 'status' | 'summary'>[],
): TableBlock {
  return {
    kind: 'table',
    header: ['claim', 'status', 'numbers'],
    align: ['l', 'l', 'l'],
    rows: claims.map((c) => [`**${c.id}** ${c.claim}`, `**${c.status}**`, c.summary]),
  };
}

/** The claims as a table (claim, status, numbers) and a list saying how each was tested. */
export function claimsBlocks(claims: readonly ClaimResult[]): Block[] {
  return [
    claimsTableBlock(claims),
    { kind: 'list', items: claims.map((c) => `**${c.id}** — how it was tested: ${c.test}`) },
  ];
}
