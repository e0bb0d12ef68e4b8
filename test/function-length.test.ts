// No function in src/ is over 80 lines: every src/**/*.ts is parsed with the TypeScript compiler
// API and each function (declaration, method, arrow or function expression) is measured from its
// first to its last line. The allow-list holds functions still being split; it only shrinks.

import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT } from './helpers/package.js';

/** The longest a function may be, in lines (as formatted by prettier). */
const MAX_LINES = 80;

/** `file:name` of functions still over the limit, to be split by their owners; empty it as they are. */
const ALLOWED = new Set([
  // report functions still to split (issue 16 item 1); remove each as it is split
  'src/report/build.ts:buildReport',
  'src/report/tune.ts:buildTuneReport',
  'src/report/hull-plot.ts:hullPicture',
  'src/report/plots.ts:curveSpec',
  'src/report/plots.ts:positionsSpec',
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** The name a function goes by: its own, its variable's, its property's, or `<anonymous>`. */
function functionName(node: ts.FunctionLikeDeclaration): string {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '<anonymous>';
}

/** Every function in `source` longer than {@link MAX_LINES}, as `rel:name` and its length. */
function longFunctions(source: ts.SourceFile, rel: string): { key: string; lines: number }[] {
  const found: { key: string; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const fn = node as ts.FunctionLikeDeclaration;
      const first = source.getLineAndCharacterOfPosition(fn.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(fn.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_LINES) found.push({ key: `${rel}:${functionName(fn)}`, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function parse(name: string, text: string): ts.SourceFile {
  return ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
}

const long = sourceFiles(join(ROOT, 'src')).flatMap((file) =>
  longFunctions(
    parse(file, readFileSync(file, 'utf8')),
    relative(ROOT, file).split('\\').join('/'),
  ),
);

t.test(`no function in src/ is over ${MAX_LINES} lines, but the allowed ones`, async (t) => {
  const over = long.filter((f) => !ALLOWED.has(f.key)).map((f) => `${f.key} (${f.lines} lines)`);
  t.same(over, [], `split these into named functions:\n${over.join('\n')}`);
});

t.test('the allow-list names only functions that are still long', async (t) => {
  const stillLong = new Set(long.map((f) => f.key));
  t.same(
    [...ALLOWED].filter((k) => !stillLong.has(k)),
    [],
    'remove these from ALLOWED',
  );
});

t.test('the checker finds a long function (it can fail)', async (t) => {
  const body = Array.from({ length: MAX_LINES }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const source = parse('x.ts', `function tooLong() {\n${body}\n}\nconst short = () => 1;\n`);
  t.same(
    longFunctions(source, 'x.ts').map((f) => f.key),
    ['x.ts:tooLong'],
  );
});
