// The files of a tune read back, checked: the tune report's claims.json (the tuned claims check,
// with its schema version) and the tune's own tune.json. Readers (this repo's README generators)
// use these, never a cast of JSON.parse.

import { MASKS, type Mask } from '../config.js';
import {
  checkArray,
  checkBoolean,
  checkNumber,
  checkNumberOrNull,
  checkObject,
  checkOneOf,
  checkVersion,
  readJsonFile,
  type Missing,
} from '../json-check.js';
import type { TuneJson } from '../study/tune.js';
import { checkClaim } from './claims-json.js';
import type { TwinComparison } from '../analysis/claims.js';
import type { TunedClaims } from './tune.js';

/** The schema version of a tune report's claims.json; a reader refuses any other. */
export const TUNE_CLAIMS_VERSION = 1;

/** What a tune report's claims.json holds. */
export interface TunedClaimsJson extends TunedClaims {
  version: typeof TUNE_CLAIMS_VERSION;
  alpha: number;
  fitMargin: number;
}

const mask = (field: string, value: unknown): Mask => checkOneOf(field, value, MASKS);
const maskOrNull = (field: string, value: unknown): Mask | null =>
  value === null ? null : mask(field, value);

function checkRanking(
  field: string,
  value: unknown,
): TunedClaims['perN'][number]['ranking'][number] {
  const r = checkObject(field, value);
  return {
    mask: mask(`${field}.mask`, r.mask),
    recon: checkNumberOrNull(`${field}.recon`, r.recon),
    maxFit: checkNumber(`${field}.maxFit`, r.maxFit),
    finalists: checkNumber(`${field}.finalists`, r.finalists),
    withinBound: checkNumber(`${field}.withinBound`, r.withinBound),
  };
}

function checkTestSummary(field: string, value: unknown): TwinComparison['pooled'] {
  const t = checkObject(field, value);
  const num = (name: string) => checkNumber(`${field}.${name}`, t[name]);
  return {
    pairs: num('pairs'),
    meanDiff: num('meanDiff'),
    medianDiff: num('medianDiff'),
    rankBiserial: num('rankBiserial'),
    p: num('p'),
    method: checkOneOf(`${field}.method`, t.method, ['exact', 'normal'] as const),
  };
}

function checkTwins(field: string, value: unknown): TwinComparison {
  const c = checkObject(field, value);
  return {
    overlap: mask(`${field}.overlap`, c.overlap),
    twin: mask(`${field}.twin`, c.twin),
    higher: checkBoolean(`${field}.higher`, c.higher),
    pooled: checkTestSummary(`${field}.pooled`, c.pooled),
    perN: checkArray(`${field}.perN`, c.perN, (f, v) => {
      const x = checkObject(f, v);
      return {
        n: checkNumber(`${f}.n`, x.n),
        overlapMean: checkNumberOrNull(`${f}.overlapMean`, x.overlapMean),
        twinMean: checkNumberOrNull(`${f}.twinMean`, x.twinMean),
        ...checkTestSummary(f, x),
      };
    }),
  };
}

/** A parsed tune claims.json, checked field by field; refuses another {@link TUNE_CLAIMS_VERSION}. */
export function parseTunedClaims(value: unknown, source = 'claims.json'): TunedClaimsJson {
  const j = checkObject(source, value);
  const f = (name: string) => `${source}: ${name}`;
  checkVersion(f('version'), j.version, TUNE_CLAIMS_VERSION);
  return {
    version: TUNE_CLAIMS_VERSION,
    alpha: checkNumber(f('alpha'), j.alpha),
    fitMargin: checkNumber(f('fitMargin'), j.fitMargin),
    perN: checkArray(f('perN'), j.perN, (pf, pv) => {
      const p = checkObject(pf, pv);
      return {
        n: checkNumber(`${pf}.n`, p.n),
        ranking: checkArray(`${pf}.ranking`, p.ranking, checkRanking),
        lowest: maskOrNull(`${pf}.lowest`, p.lowest),
        lowestHasCoverage: checkBoolean(`${pf}.lowestHasCoverage`, p.lowestHasCoverage),
      };
    }),
    overlapExpels: checkArray(f('overlapExpels'), j.overlapExpels, checkTwins),
    claims: checkArray(f('claims'), j.claims, checkClaim),
  };
}

/** Reads and checks a tune report's claims.json; a missing file is refused as `missing` says. */
export async function readTunedClaims(file: string, missing: Missing): Promise<TunedClaimsJson> {
  return parseTunedClaims(await readJsonFile(file, missing), file);
}

/** A parsed tune.json, checked: each best setting per (N, mask) and the run-epochs spent. */
export function parseTuneJson(value: unknown, source = 'tune.json'): TuneJson {
  const j = checkObject(source, value);
  const f = (name: string) => `${source}: ${name}`;
  return {
    best: checkArray(f('best'), j.best, (bf, bv) => {
      const b = checkObject(bf, bv);
      const weight = (name: string) => checkNumberOrNull(`${bf}.${name}`, b[name]);
      return {
        n: checkNumber(`${bf}.n`, b.n),
        mask: mask(`${bf}.mask`, b.mask),
        lambda: weight('lambda'),
        tau: weight('tau'),
        tauCov: weight('tauCov'),
        lr: checkNumber(`${bf}.lr`, b.lr),
        recon: weight('recon'),
        fit: weight('fit'),
        seeds: checkArray(`${bf}.seeds`, b.seeds, checkNumber),
      };
    }),
    runEpochs: checkNumber(f('runEpochs'), j.runEpochs),
    exhaustiveRunEpochs: checkNumber(f('exhaustiveRunEpochs'), j.exhaustiveRunEpochs),
  };
}

/** Reads and checks a tune.json; a missing file is refused as `missing` says. */
export async function readTuneJson(file: string, missing: Missing): Promise<TuneJson> {
  return parseTuneJson(await readJsonFile(file, missing), file);
}
