// Evaluation of a finished run (SPEC §4): prototypes, optimal assignment, metrics, hull.
// Reads parameters and data only; training and storage live elsewhere.

export { prototypes, recordPrototypes } from './prototypes.js';
export { assignment, type Assignment } from './hungarian.js';
export {
  evaluateRun,
  matchInputs,
  outsideBoundingBox,
  reconstructionError,
  specializationRatio,
  winningNeurons,
  type Shape,
} from './metrics.js';
export {
  ConvexHull,
  outsideHull,
  HULL_TOLERANCE,
  HULL_ACCURACY,
  type HullDistance,
  type Outside,
} from './hull.js';
export {
  scorecard,
  withScorecard,
  recordWithScorecard,
  randomDraws,
  RANDOM_DRAWS,
  RANDOM_PAIRS,
  SCORECARD_FIELDS,
  type Scorecard,
} from './scorecard.js';
