// This repo's README and docs generators (scripts/readme-results.mjs, scripts/readme-beyond.mjs):
// compiled to dist/src/readme/ but not in package.json "exports", so not part of the API.

export { spliceSection } from './files.js';
export { beyondDataSnippet, resultsSnippet } from './results.js';
export { beyondWeightsSnippet, tuneCheckSnippet } from './weights.js';
export { architecturesSnippet } from './architectures.js';
