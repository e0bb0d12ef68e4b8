// claims.json, the report's typed results on disk: the claims check (overall, per sweep value, per
// panel) and the outside fraction per mask at each panel's largest N, with a schema version. The
// report writes it with claimsJson(); readers (this repo's README generators) read it back with
// readClaimsJson(), which checks every field they use and refuses another version.

import { ACTIVATIONS, MASKS, UNITS, type Mask } from '../config.js';
import {
  checkArray,
  checkNumber,
  checkObject,
  checkOneOf,
  checkString,
  checkVersion,
  readJsonFile,
  type Missing,
} from '../json-check.js';
import type { PanelAnalysis, ReportAnalysis } from './build.js';
import { SWEEP_FIELDS, type Panel, type SliceSetting, type SweepField } from '../analysis/cells.js';
import {
  CLAIM_IDS,
  claimsGridJson,
  type ClaimOptions,
  type ClaimResult,
  type ClaimStatus,
  type ClaimsGridJson,
} from '../analysis/claims.js';
import type { SummaryTables } from '../render/tables.js';

/** The schema version of claims.json; a reader refuses any other. */
export const CLAIMS_JSON_VERSION = 1;

const STATUSES: readonly ClaimStatus[] = ['held', 'not held', 'not testable with these runs'];

/** The mean outside fraction (over seeds) per mask at a panel's largest N, masks in table order. */
export interface OutsideAtLargestN {
  n: number;
  masks: { mask: Mask; mean: number }[];
}

/** One panel (dataset, d, neuron and, when a study varies it, H / N) of claims.json. */
export interface ClaimsJsonPanel extends Omit<Panel, 'records'> {
  runs: number;
  mainSetting: SliceSetting | null;
  claims: ClaimResult[];
  grids: Partial<Record<SweepField, ClaimsGridJson>>;
  /** null when the panel has no main slice (no tables) */
  outsideAtLargestN: OutsideAtLargestN | null;
}

/** What claims.json holds. */
export interface ClaimsJson {
  version: typeof CLAIMS_JSON_VERSION;
  alpha: number;
  fitMargin: number;
  runs: number;
  mainSetting: SliceSetting | null;
  claims: ClaimResult[];
  grids: Partial<Record<SweepField, ClaimsGridJson>>;
  panels: ClaimsJsonPanel[];
}

/** The outside fraction per mask at the largest N of the tables (undefined means left out). */
function outsideAtLargestN(tables: SummaryTables | undefined): OutsideAtLargestN | null {
  if (!tables || !tables.cells.length) return null;
  const n = Math.max(...tables.cells.map((c) => c.n));
  const masks = tables.cells
    .filter((c) => c.n === n && c.stats.outside.mean !== null)
    .map((c) => ({ mask: c.mask, mean: c.stats.outside.mean as number }));
  return { n, masks };
}

const gridsOf = (p: PanelAnalysis): ClaimsJson['grids'] =>
  Object.fromEntries(
    SWEEP_FIELDS.flatMap((f) => (p.sweeps[f] ? [[f, claimsGridJson(p.sweeps[f].grid)]] : [])),
  );

/** The claims.json of an analysis, checked with `options`. */
export function claimsJson(analysis: ReportAnalysis, options: Required<ClaimOptions>): ClaimsJson {
  return {
    version: CLAIMS_JSON_VERSION,
    alpha: options.alpha,
    fitMargin: options.fitMargin,
    runs: analysis.records.length,
    mainSetting: analysis.main?.setting ?? null,
    claims: analysis.claims,
    grids: gridsOf(analysis),
    panels: analysis.panels.map((p) => ({
      ...p.panel,
      mainSetting: p.main?.setting ?? null,
      claims: p.claims,
      grids: gridsOf(p),
      outsideAtLargestN: outsideAtLargestN(p.tables),
    })),
  };
}

/** One claim as its readers use it (evidence is kept as it is, an object). */
export function checkClaim(field: string, value: unknown): ClaimResult {
  const c = checkObject(field, value);
  return {
    id: checkOneOf(`${field}.id`, c.id, CLAIM_IDS),
    claim: checkString(`${field}.claim`, c.claim),
    test: checkString(`${field}.test`, c.test),
    status: checkOneOf(`${field}.status`, c.status, STATUSES),
    summary: checkString(`${field}.summary`, c.summary),
    brief: checkString(`${field}.brief`, c.brief),
    evidence: checkObject(`${field}.evidence`, c.evidence),
  };
}

function checkGrid(field: string, value: unknown): ClaimsGridJson {
  const g = checkObject(field, value);
  return {
    field: checkOneOf(`${field}.field`, g.field, SWEEP_FIELDS),
    values: checkArray(`${field}.values`, g.values, checkNumber),
    rows: checkArray(`${field}.rows`, g.rows, (f, v) => {
      const r = checkObject(f, v);
      return {
        id: checkOneOf(`${f}.id`, r.id, [...CLAIM_IDS.slice(0, 6), 'sep-expels'] as const),
        label: checkString(`${f}.label`, r.label),
        cells: checkArray(`${f}.cells`, r.cells, (cf, cv) => {
          const c = checkObject(cf, cv);
          return {
            status: checkOneOf(`${cf}.status`, c.status, STATUSES),
            brief: checkString(`${cf}.brief`, c.brief),
            summary: checkString(`${cf}.summary`, c.summary),
          };
        }),
      };
    }),
  };
}

function checkGrids(field: string, value: unknown): ClaimsJson['grids'] {
  const g = checkObject(field, value);
  return Object.fromEntries(
    SWEEP_FIELDS.flatMap((f) =>
      g[f] === undefined ? [] : [[f, checkGrid(`${field}.${f}`, g[f])]],
    ),
  );
}

function checkSetting(field: string, value: unknown): SliceSetting | null {
  if (value === null) return null;
  const s = checkObject(field, value);
  for (const [k, v] of Object.entries(s))
    if (typeof v !== 'string') checkNumber(`${field}.${k}`, v);
  return s as SliceSetting;
}

function checkOutside(field: string, value: unknown): OutsideAtLargestN | null {
  if (value === null) return null;
  const o = checkObject(field, value);
  return {
    n: checkNumber(`${field}.n`, o.n),
    masks: checkArray(`${field}.masks`, o.masks, (f, v) => {
      const m = checkObject(f, v);
      return {
        mask: checkOneOf(`${f}.mask`, m.mask, MASKS),
        mean: checkNumber(`${f}.mean`, m.mean),
      };
    }),
  };
}

function checkPanel(field: string, value: unknown): ClaimsJsonPanel {
  const p = checkObject(field, value);
  return {
    key: checkString(`${field}.key`, p.key),
    label: checkString(`${field}.label`, p.label),
    data: checkString(`${field}.data`, p.data),
    dim: checkNumber(`${field}.dim`, p.dim),
    unit: checkOneOf(`${field}.unit`, p.unit, UNITS),
    activation: checkOneOf(`${field}.activation`, p.activation, ACTIVATIONS),
    widthRatio: checkNumber(`${field}.widthRatio`, p.widthRatio),
    runs: checkNumber(`${field}.runs`, p.runs),
    mainSetting: checkSetting(`${field}.mainSetting`, p.mainSetting),
    claims: checkArray(`${field}.claims`, p.claims, checkClaim),
    grids: checkGrids(`${field}.grids`, p.grids),
    outsideAtLargestN: checkOutside(`${field}.outsideAtLargestN`, p.outsideAtLargestN),
  };
}

/**
 * A parsed claims.json, checked field by field; `source` (the file) prefixes field names. Refuses
 * a file without {@link CLAIMS_JSON_VERSION}, as one written by an older protomlp.
 */
export function parseClaimsJson(value: unknown, source = 'claims.json'): ClaimsJson {
  const j = checkObject(source, value);
  checkVersion(`${source}: version`, j.version, CLAIMS_JSON_VERSION);
  return {
    version: CLAIMS_JSON_VERSION,
    alpha: checkNumber(`${source}: alpha`, j.alpha),
    fitMargin: checkNumber(`${source}: fitMargin`, j.fitMargin),
    runs: checkNumber(`${source}: runs`, j.runs),
    mainSetting: checkSetting(`${source}: mainSetting`, j.mainSetting),
    claims: checkArray(`${source}: claims`, j.claims, checkClaim),
    grids: checkGrids(`${source}: grids`, j.grids),
    panels: checkArray(`${source}: panels`, j.panels, checkPanel),
  };
}

/** Reads and checks a report's claims.json; a missing file is refused as `missing` says. */
export async function readClaimsJson(file: string, missing: Missing): Promise<ClaimsJson> {
  return parseClaimsJson(await readJsonFile(file, missing), file);
}
