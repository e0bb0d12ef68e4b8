// No function in src/ or native/ is over 80 lines: every src/**/*.ts is parsed with the TypeScript
// compiler API and each function (declaration, method, arrow or function expression) is measured
// from its first to its last line; every native/**/*.{h,cc} and test/native/**/*.{h,cc} (as
// clang-format leaves them) is scanned
// for function and lambda bodies by matching braces (cppFunctions below). Each allow-list holds
// functions still being split; it only shrinks.

import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT } from './helpers/package.js';

/** The longest a function may be, in lines (as formatted by prettier). */
const MAX_LINES = 80;

/** `file:name` of functions still over the limit, to be split by their owners; empty it as they are. */
const ALLOWED = new Set<string>([]);

/** `file:name` of C++ functions still over the limit; empty it as they are split. */
const ALLOWED_CPP = new Set<string>([]);

function sourceFiles(dir: string, pattern = /\.ts$/): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name), pattern)
      : pattern.test(e.name)
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

/**
 * C++ source with comments, string and character literals and preprocessor lines (with their
 * continuations) blanked to spaces; newlines are kept, so positions keep their line numbers.
 */
function cppCode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length;) {
    const two = text.slice(i, i + 2);
    let end = i + 1;
    if (two === '//') end = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (two === '/*') end = text.indexOf('*/', i + 2) + 2 || text.length;
    else if (text[i] === '"' || text[i] === "'") {
      end = i + 1;
      while (end < text.length && text[end] !== text[i]) end += text[end] === '\\' ? 2 : 1;
      end++;
    } else {
      out += text[i++];
      continue;
    }
    out += text.slice(i, end).replace(/[^\n]/g, ' ');
    i = end;
  }
  return out.replace(/^[ \t]*#(?:.*\\\n)*.*$/gm, (line) => line.replace(/[^\n]/g, ' '));
}

const CONTROL = /^(?:if|else|for|while|switch|catch|do|try)\b/;
const TYPE_HEAD = /\b(?:namespace|struct|class|union|enum)\b/;

/**
 * The name of the function whose body a `{` opens, from the code since the previous `;`, `{` or
 * `}` (its head), or null when the brace opens something else (a control block, a type, a
 * namespace, an initializer). A head is a function's when it ends in `)` or a lambda's `]`
 * (after qualifiers such as const, noexcept, mutable or a trailing return type).
 */
function functionHead(head: string): string | null {
  const h = head.trim().replace(/^(?:public|private|protected)\s*:\s*/, '');
  if (h === '' || CONTROL.test(h) || TYPE_HEAD.test(h)) return null;
  const bare = h
    .replace(/\s*->\s*[\w:<>,\s*&]+$/, '')
    .replace(/(?:\s*\b(?:const|noexcept|override|final|mutable|volatile)\b|\s*&{1,2})+$/, '');
  if (bare.endsWith(']')) return h.match(/(\w+)\s*=\s*\[/)?.[1] ?? '<lambda>';
  if (!bare.endsWith(')')) return null;
  let depth = 0;
  let open = bare.length - 1;
  for (; open >= 0; open--) {
    if (bare[open] === ')') depth++;
    else if (bare[open] === '(' && --depth === 0) break;
  }
  const before = bare.slice(0, open).trimEnd();
  if (before.endsWith(']')) return h.match(/(\w+)\s*=\s*\[/)?.[1] ?? '<lambda>';
  if (/=$|[-+*/%,(]$/.test(before) || /^return\b/.test(before)) return null;
  const constructor = h.match(/([\w:~]+)\s*\([^)]*\)\s*:(?!:)/); // before its initializer list
  if (constructor) return constructor[1];
  return before.match(/([\w:~]+|operator\s*\S+)$/)?.[1] ?? null;
}

/** Every C++ function or lambda body in `text` longer than {@link MAX_LINES}, as `rel:name`. */
function longCppFunctions(text: string, rel: string): { key: string; lines: number }[] {
  const code = cppCode(text);
  const found: { key: string; lines: number }[] = [];
  const open: ({ name: string; line: number } | null)[] = [];
  let line = 1;
  let headStart = 0;
  let headLine = 1;
  let parens = 0; // a `;` inside parentheses (a for loop's header) ends no head
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '\n') line++;
    else if (/\S/.test(ch) && headStart === i && !';{}'.includes(ch)) headLine = line;
    if (/\s/.test(ch) && headStart === i) headStart = i + 1;
    if (ch === '(' || ch === ')') parens += ch === '(' ? 1 : -1;
    if ((ch !== ';' || parens > 0) && ch !== '{' && ch !== '}') continue;
    if (ch === '{') {
      const name = functionHead(code.slice(headStart, i));
      open.push(name === null ? null : { name, line: headLine });
    } else if (ch === '}') {
      const fn = open.pop();
      const lines = fn ? line - fn.line + 1 : 0;
      if (fn && lines > MAX_LINES) found.push({ key: `${rel}:${fn.name}`, lines });
    }
    headStart = i + 1;
  }
  return found;
}

const rel = (file: string): string => relative(ROOT, file).split('\\').join('/');
const long = sourceFiles(join(ROOT, 'src')).flatMap((file) =>
  longFunctions(parse(file, readFileSync(file, 'utf8')), rel(file)),
);
const cppFiles = ['native', 'test/native'].flatMap((dir) =>
  sourceFiles(join(ROOT, dir), /\.(h|cc)$/),
);
const longCpp = cppFiles.flatMap((file) => longCppFunctions(readFileSync(file, 'utf8'), rel(file)));

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

t.test(
  `no C++ function in native/ or test/native/ is over ${MAX_LINES} lines, but the allowed ones`,
  async (t) => {
    const over = longCpp
      .filter((f) => !ALLOWED_CPP.has(f.key))
      .map((f) => `${f.key} (${f.lines} lines)`);
    t.same(over, [], `split these into named functions:\n${over.join('\n')}`);
    const stillLong = new Set(longCpp.map((f) => f.key));
    t.same(
      [...ALLOWED_CPP].filter((k) => !stillLong.has(k)),
      [],
      'remove these from ALLOWED_CPP',
    );
  },
);

t.test(
  'the C++ scan finds long functions and lambdas, and nothing else (it can fail)',
  async (t) => {
    const body = Array.from({ length: MAX_LINES }, (_, i) => `  x += ${i};`).join('\n');
    const source = [
      '// void commented(int a) {',
      '#define BLOCK(W) \\',
      '  struct B {',
      '  };',
      'namespace ns {',
      'template <int W>',
      'inline double tooLong(const double* p, int n) const noexcept {',
      '  if (n > 0) {',
      '    const char* s = "}{";',
      '  } else if (n < 0) {',
      '  }',
      body,
      '}',
      'struct S {',
      '  explicit S(int n) : a(n), b(n) {}',
      '  int a, b;',
      '};',
      'Big::Big(int n) : a(n), b(n) {',
      body,
      '}',
      'void f() {',
      '  auto rows = [&](int i) {',
      body,
      '  };',
      '  const int table[] = {1, 2};',
      '  for (int i = 0; i < 2; i++) {',
      body,
      '  }',
      '  for (int i = 0; i < 2; i += 2) {',
      body,
      '  }',
      '}',
      '}  // namespace ns',
    ].join('\n');
    t.same(
      longCppFunctions(source, 'x.cc')
        .map((f) => f.key)
        .sort(),
      ['x.cc:Big::Big', 'x.cc:f', 'x.cc:rows', 'x.cc:tooLong'],
    );
    t.same(
      longCppFunctions(source, 'x.cc').find((f) => f.key === 'x.cc:tooLong')?.lines,
      MAX_LINES + 7,
      'measured from the template line to the closing brace',
    );
  },
);
