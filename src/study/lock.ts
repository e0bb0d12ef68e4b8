// One writer per study folder: `protomlp.lock` in the folder, made atomically (written whole under
// a private name, then hard-linked into place: link(2) fails when the name exists, on local file
// systems and on NFS alike), removed when the writer ends. A lock whose process is gone (same
// host, pid not alive) is taken over, with a notice.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ValidationError } from '../errors.js';

export const LOCK_FILE = 'protomlp.lock';

/** What a lock file holds. */
interface Holder {
  pid: number;
  host: string;
  since: string;
}

/** Folders this process holds, with how many callers hold each (a tune holds across its rungs). */
const held = new Map<string, { count: number; file: string; made: boolean }>();
let exitHook = false;

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A holder that can be taken over: this host, its process gone (or this very pid, not held here). */
function isStale(h: Holder): boolean {
  return h.host === os.hostname() && (h.pid === process.pid || !alive(h.pid));
}

/** Creates the lock file whole, or returns false when the name is taken. */
function tryCreate(file: string): boolean {
  const me: Holder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(me)}\n`);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Moves a stale lock aside (one taker wins the rename); false when it was not the stale one. */
function takeOver(file: string, stale: Holder, notice: (m: string) => void): boolean {
  const aside = `${file}.${process.pid}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return false; // another process took it first: look again
  }
  const moved = readHolder(aside);
  if (!moved || moved.pid !== stale.pid || moved.since !== stale.since) {
    // a live lock replaced the stale one between our read and the rename: put it back
    try {
      fs.linkSync(aside, file);
    } catch {}
    fs.rmSync(aside, { force: true });
    return false;
  }
  fs.rmSync(aside, { force: true });
  notice(
    `${path.dirname(file)}: took over the lock of pid ${stale.pid} on ${stale.host} (since ${stale.since}), a process no longer running`,
  );
  return true;
}

function refuse(dir: string, h: Holder | undefined): never {
  const who = h
    ? `pid ${h.pid} on host ${h.host} since ${h.since}`
    : 'a process (its lock file is unreadable)';
  throw new ValidationError(
    'out',
    dir,
    `a study folder no other process is writing: ${who} holds ${path.join(dir, LOCK_FILE)} (wait for it to finish, or remove the file if that process is gone)`,
  );
}

/** Creates `file` for this process, taking over a stale one; throws when a live process holds it. */
function acquire(dir: string, file: string, notice: (m: string) => void): void {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file)) return;
    const h = readHolder(file);
    if (h && isStale(h)) {
      takeOver(file, h, notice);
      continue;
    }
    if (fs.existsSync(file)) refuse(dir, h);
  }
  refuse(dir, readHolder(file));
}

/**
 * Takes the writer's lock of study folder `dir` (made if absent) for this process, or throws a
 * {@link ValidationError} naming the holder. Returns the release; the lock is also removed when
 * the process exits. Reentrant within one process.
 */
function lockFolder(dir: string, notice: (m: string) => void = () => {}): () => void {
  const key = path.resolve(dir);
  const mine = held.get(key);
  if (mine) {
    mine.count++;
  } else {
    const made = !fs.existsSync(key);
    fs.mkdirSync(key, { recursive: true });
    const file = path.join(key, LOCK_FILE);
    acquire(dir, file, notice);
    held.set(key, { count: 1, file, made });
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const { file } of held.values()) fs.rmSync(file, { force: true });
      });
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const entry = held.get(key);
    if (!entry || --entry.count > 0) return;
    held.delete(key);
    fs.rmSync(entry.file, { force: true });
    // a folder this call made and left empty (refused before anything was written) goes too
    if (entry.made) {
      try {
        fs.rmdirSync(key);
      } catch {}
    }
  };
}

/**
 * Runs `work` holding the writer's lock of study folder `dir` ({@link lockFolder}), released when
 * it ends, however it ends.
 */
export async function withFolderLock<T>(
  dir: string,
  notice: ((m: string) => void) | undefined,
  work: () => T | Promise<T>,
): Promise<T> {
  const release = lockFolder(dir, notice);
  try {
    return await work();
  } finally {
    release();
  }
}
