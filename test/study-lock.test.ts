// One writer per study folder (src/study/lock.ts): two sweeps started together on one folder (one
// trains, the other is refused at once with exit 2 and the holder named), a holder killed with
// SIGKILL (its lock is taken over by the next sweep), a stale lock file from a dead pid.

import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from './helpers/cli.js';
import { LOCK_FILE } from '../src/study/lock.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const args = (out: string) =>
  [
    'sweep',
    '--sizes',
    '40',
    '--masks',
    'base,cov,sep,ovl',
    '--seeds',
    '3',
    '--epochs',
    '300',
  ].concat(['--backend', 'ts', '--workers', '1', '--out', out]);
const env = { ...process.env, PROTOMLP_BACKEND: '' };

function start(out: string) {
  const child = spawn(process.execPath, [CLI, ...args(out)], { cwd: repo, env });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { child, done };
}

const ids = (out: string) =>
  readFileSync(join(out, 'runs.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { id: string }).id);

t.test(
  'two sweeps started together: one trains, the other exits 2 naming the holder',
  async (t) => {
    const out = join(t.testdir(), 'study');
    const [a, b] = [start(out), start(out)];
    const results = await Promise.all([a.done, b.done]);
    const codes = results.map((r) => r.code).sort();
    t.same(codes, [0, 2], 'exactly one succeeds');
    const refused = results.find((r) => r.code === 2)!;
    t.match(refused.stderr, /pid \d+ on host .+ since \d{4}-/);
    const lines = ids(out);
    t.equal(lines.length, 12, 'every run once');
    t.equal(new Set(lines).size, lines.length, 'no duplicate lines');
    t.notOk(existsSync(join(out, LOCK_FILE)), 'the lock is released at exit');
  },
);

t.test('a holder killed with SIGKILL: the next sweep takes its lock over', async (t) => {
  const out = join(t.testdir(), 'study');
  const a = start(out);
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (existsSync(join(out, LOCK_FILE))) {
        clearInterval(poll);
        resolve();
      }
    }, 10);
  });
  a.child.kill('SIGKILL');
  await a.done;
  t.ok(existsSync(join(out, LOCK_FILE)), 'a killed process leaves its lock');
  const b = spawnSync(process.execPath, [CLI, ...args(out)], { cwd: repo, env, encoding: 'utf8' });
  t.equal(b.status, 0, b.stderr);
  t.match(b.stderr, /took over the lock of pid \d+/);
  const lines = ids(out);
  t.equal(new Set(lines).size, 12);
  t.equal(lines.length, 12);
});

t.test('a stale lock file from a dead pid; a live holder refused', async (t) => {
  const out = join(t.testdir(), 'study');
  mkdirSync(out);
  // a pid that cannot be running: above the kernel's pid_max
  const dead = { pid: 2 ** 22 + 12345, host: hostname(), since: '2020-01-01T00:00:00.000Z' };
  writeFileSync(join(out, LOCK_FILE), JSON.stringify(dead));
  const b = spawnSync(process.execPath, [CLI, ...args(out)], { cwd: repo, env, encoding: 'utf8' });
  t.equal(b.status, 0, b.stderr);
  t.match(b.stderr, `took over the lock of pid ${dead.pid}`);
  // this test's own process: alive, so refused, nothing written
  const other = join(t.testdir(), 'held');
  mkdirSync(other);
  const live = { pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' };
  writeFileSync(join(other, LOCK_FILE), JSON.stringify(live));
  const c = spawnSync(process.execPath, [CLI, ...args(other)], {
    cwd: repo,
    env,
    encoding: 'utf8',
  });
  t.equal(c.status, 2);
  t.match(c.stderr, `pid ${process.pid} on host ${hostname()} since ${live.since}`);
  t.notOk(existsSync(join(other, 'runs.jsonl')), 'nothing written');
  t.notOk(existsSync(join(other, 'study.json')), 'nothing written');
});
