// The README's claims table (between its results markers) as rows, and the check that a
// `reproduce` run printed every row's numbers: shared by the README-results test (this Node) and
// the runtime matrix (a fresh `npm start` under Node 24).

import { readFileSync } from 'node:fs';

/** The claim rows (`| **C…`) of a Markdown text. */
export const claimRows = (markdown: string): string[] =>
  markdown.split('\n').filter((line) => line.startsWith('| **C'));

/** The claim rows of README.md's generated results section. */
export function readmeClaimRows(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  return claimRows(
    readme.slice(readme.indexOf('<!-- results:start -->'), readme.indexOf('<!-- results:end -->')),
  );
}

/** A row's numbers column (the third cell), as `reproduce` prints it. */
export const rowNumbers = (row: string): string => row.split(' | ')[2].replace(/ \|$/, '');
