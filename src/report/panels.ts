// The claims of several panels (one per dataset and input dimension) side by side: one column per
// panel, each cell the verdict and its numbers. Rendering only; the claims are checked in claims.ts.

import { claimsBlocks, type ClaimResult } from './claims.js';
import type { Block } from './document.js';
import { formatNumber, formatP } from './tables.js';

/** A panel's label and its checked claims (C1..C6, in order). */
export interface PanelClaims {
  panel: { label: string };
  claims: ClaimResult[];
}

/**
 * The claims table with a column per panel (held / not held, with the numbers), then how each claim
 * was tested (the same test in every panel).
 *
 * @example
 * ```ts
 * const blocks = panelClaimsTable(analyseRecords(records).panels);
 * ```
 */
export function panelClaimsTable(panels: readonly PanelClaims[]): Block[] {
  const first = panels[0].claims;
  return [
    {
      kind: 'table',
      header: ['claim', ...panels.map((p) => p.panel.label)],
      align: ['l', ...panels.map(() => 'l' as const)],
      rows: first.map((c, i) => [`**${c.id}** ${c.claim}`, ...panels.map((p) => `**${p.claims[i].status}**: ${p.claims[i].summary}`)]),
    },
    claimsBlocks(first)[1],
  ];
}

/**
 * A claim's verdict and deciding numbers in a few words, for compact tables (the README): C1 sizes
 * where the best mask has coverage, C2 the mean spec difference and p, C3/C5 the twin pairs
 * significantly higher, C4 the (pair, N) cells within the margin, C6 Spearman's rho per N; for a
 * claim these runs cannot test, why.
 */
export function claimBrief(c: ClaimResult): string {
  return c.status === 'not testable with these runs' ? `**not testable**: ${c.summary.replace(/\.$/, '')}` : `**${c.status}**: ${briefNumbers(c)}`;
}

function briefNumbers(c: ClaimResult): string {
  const e = c.evidence as Record<string, unknown>;
  // three significant digits, as the claims' summaries write them
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) >= 1e-3 ? String(Number(v.toPrecision(3))) : formatNumber(typeof v === 'number' ? v : null));
  switch (c.id) {
    case 'C1': {
      const perN = (e.perN ?? []) as { bestHasCoverage: boolean }[];
      return `best has cov at ${perN.filter((x) => x.bestHasCoverage).length}/${perN.length} sizes`;
    }
    case 'C2': {
      const pooled = e.pooled as { meanDiff: number | null; p: number };
      return `Δspec ${num(pooled.meanDiff)}, p ${formatP(pooled.p)}`;
    }
    case 'C3':
    case 'C5': {
      const pairs = (e.pairs ?? []) as { higher: boolean; pooled: { meanDiff: number | null } }[];
      return `${pairs.filter((p) => p.higher).length}/${pairs.length} pairs higher (Δ ${pairs.map((p) => num(p.pooled.meanDiff)).join(', ')})`;
    }
    case 'C4': {
      const cells = (e.cells ?? []) as { within: boolean }[];
      return `${cells.filter((x) => x.within).length}/${cells.length} cells within the margin`;
    }
    case 'C6': {
      const perN = (e.perN ?? []) as { n: number; rho: number | null }[];
      return perN.map((x) => `N=${x.n}: rho ${num(x.rho)}`).join(', ');
    }
  }
}
