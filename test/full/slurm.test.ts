// SLURM for real: a one-node cluster from Debian's packages (munged, slurmctld, slurmd; no
// systemd, private sockets, ports and folders), the job scripts of docs/slurm.md submitted to it as
// the doc says, the shards merged and compared with the unsharded study. Then the failure users
// meet: one array task cancelled midway (scancel JOBID_TASK), the same sbatch resubmitted, and the
// merge still identical with no run lost or duplicated. Only the daemons started here are stopped,
// by pid. Skips with the reason when SLURM or munge is missing (or not root), except in CI
// (CI=true), where that fails.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { RunRecord } from '../../src/record.js';
import { readStudy } from '../../src/study/store.js';
import { CLI } from '../helpers/cli.js';
import { cleanEnv } from '../helpers/package.js';
import { slurmDoc, slurmDocScripts } from '../helpers/slurm-doc.js';

const SBIN = '/usr/sbin:/sbin';
/** How the jobs call protomlp (the doc's PROTOMLP): this Node and the built CLI (paths without spaces, as the doc's unquoted use needs). */
const PROTOMLP = `${process.execPath} ${CLI}`;
const PATH = `${process.env.PATH ?? '/usr/bin:/bin'}:${SBIN}`;
const PROGRAMS = [
  'munged',
  'slurmctld',
  'slurmd',
  'sbatch',
  'squeue',
  'scancel',
  'sinfo',
  'scontrol',
];
const INSTALL = 'apt-get install --no-install-recommends slurmctld slurmd slurm-client munge';

const sh = (
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) =>
  spawnSync(command, args, {
    encoding: 'utf8',
    timeout: 120_000,
    ...options,
    env: { PATH, ...options.env },
  });
const programPath = (name: string): string | null =>
  sh('/bin/sh', ['-c', `command -v ${name}`]).stdout.trim() || null;
const mungeUser = (): { uid: number; gid: number } | null => {
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(sh('id', [flag, 'munge']).stdout.trim()));
  return Number.isInteger(uid) && uid > 0 && Number.isInteger(gid) ? { uid, gid } : null;
};

function whatIsMissing(): string | null {
  if (process.platform !== 'linux') return 'SLURM runs on Linux only';
  if (process.getuid?.() !== 0) return 'needs root (munged runs as the munge user, slurmd as root)';
  const absent = PROGRAMS.filter((p) => !programPath(p));
  if (absent.length) return `${absent.join(', ')} not found (${INSTALL})`;
  if (!mungeUser()) return `no munge user (${INSTALL})`;
  return null;
}
const missing = whatIsMissing();

/** A free TCP port on this machine. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Cluster {
  /** the environment clients need (SLURM_CONF) over a clean environment */
  env: NodeJS.ProcessEnv;
  /** `sinfo --version`, e.g. `slurm-wlm 22.05.8` */
  version: string;
  /** the daemons' logs, for failure messages */
  logs(): string;
  /** stops the daemons started here (by pid): slurmd, slurmctld, munged */
  stop(): Promise<void>;
}

/** Ends one child process started here: SIGTERM, then SIGKILL after 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(
    () => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'),
    10_000,
  );
  await exited;
  clearTimeout(timer);
}

/**
 * Starts munged (as the munge user, its own key and socket), slurmctld and slurmd in the
 * foreground (so their pids are ours), with proctrack/linuxproc and task/none (the cgroup plugins
 * need systemd and drain the node without it). The node claims 8 CPUs on whatever the machine has
 * (config_overrides), so the doc's `--cpus-per-task=4` fits two tasks at once. Waits until sinfo
 * says `idle`: the daemons exit 0 even on a fatal error, so their logs are the only word on one.
 */
async function startCluster(dir: string): Promise<Cluster> {
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const child of [...children].reverse()) await stopChild(child);
  };
  const log = (name: string) => join(dir, `${name}.log`);
  const logs = (): string =>
    ['munged', 'munged.out', 'slurmctld', 'slurmctld.out', 'slurmd', 'slurmd.out']
      .map(
        (name) =>
          `--- ${name}\n${existsSync(log(name)) ? readFileSync(log(name), 'utf8').split('\n').slice(-25).join('\n') : '(none)'}`,
      )
      .join('\n');
  const start = (
    command: string,
    args: string[],
    name: string,
    options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {},
  ): void => {
    const out = openSync(log(`${name}.out`), 'a');
    const child = spawn(command, args, {
      stdio: ['ignore', out, out],
      env: { PATH, ...options.env },
      uid: options.uid,
      gid: options.gid,
    });
    children.push(child);
  };
  try {
    const munge = mungeUser()!;
    const mungeDir = join(dir, 'munge');
    mkdirSync(mungeDir);
    chownSync(mungeDir, munge.uid, munge.gid);
    chmodSync(mungeDir, 0o755); // munged wants its socket's folder searchable by everyone
    const key = join(mungeDir, 'munge.key');
    writeFileSync(key, randomBytes(128), { mode: 0o400 });
    chownSync(key, munge.uid, munge.gid);
    const socket = join(mungeDir, 'munge.socket');
    writeFileSync(log('munged'), ''); // munged writes it as the munge user
    chownSync(log('munged'), munge.uid, munge.gid);
    start(
      programPath('munged')!,
      [
        '--foreground',
        `--socket=${socket}`,
        `--key-file=${key}`,
        `--pid-file=${join(mungeDir, 'munged.pid')}`,
        `--log-file=${log('munged')}`,
        `--seed-file=${join(mungeDir, 'munged.seed')}`,
      ],
      'munged',
      munge,
    );
    for (let i = 0; !existsSync(socket); i++) {
      if (i > 100 || children[0].exitCode !== null)
        throw new Error(`munged did not start\n${logs()}`);
      await sleep(100);
    }

    const node = hostname().split('.')[0];
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const conf = join(dir, 'slurm.conf');
    for (const sub of ['state', 'spool']) mkdirSync(join(dir, sub));
    writeFileSync(
      conf,
      [
        'ClusterName=protomlp-test',
        `SlurmctldHost=${node}(127.0.0.1)`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${slurmdPort}`,
        'AuthType=auth/munge',
        `AuthInfo=socket=${socket}`,
        'CredType=cred/munge',
        'SlurmUser=root',
        `StateSaveLocation=${join(dir, 'state')}`,
        `SlurmdSpoolDir=${join(dir, 'spool')}`,
        `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
        `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
        `SlurmctldLogFile=${log('slurmctld')}`,
        `SlurmdLogFile=${log('slurmd')}`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        'JobCompType=jobcomp/none',
        'MpiDefault=none',
        'SchedulerType=sched/builtin',
        'SchedulerParameters=batch_sched_delay=0',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_CPU',
        'SlurmdParameters=config_overrides',
        'ReturnToService=2',
        'KillWait=5',
        'MinJobAge=3600',
        `NodeName=${node} NodeAddr=127.0.0.1 CPUs=8 RealMemory=${Math.floor(totalmem() / 2 ** 20 / 2)} State=UNKNOWN`,
        `PartitionName=main Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
        '',
      ].join('\n'),
    );
    const env = { ...cleanEnv(), PATH, SLURM_CONF: conf };
    start(programPath('slurmctld')!, ['-D', '-f', conf], 'slurmctld', { env });
    start(programPath('slurmd')!, ['-D', '-f', conf], 'slurmd', { env });
    for (let i = 0; ; i++) {
      const state = sh('sinfo', ['-h', '-o', '%T'], { env }).stdout.trim();
      if (state === 'idle') break;
      if (i > 150 || children.some((c) => c.exitCode !== null))
        throw new Error(`the node did not become idle (sinfo: "${state}")\n${logs()}`);
      await sleep(200);
    }
    return { env, version: sh('sinfo', ['--version'], { env }).stdout.trim(), logs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits until the queue is empty (every job ended), or fails after `ms`. */
async function waitForQueue(cluster: Cluster, ms = 300_000): Promise<void> {
  const until = Date.now() + ms;
  while (sh('squeue', ['-h', '-o', '%i'], { env: cluster.env }).stdout.trim() !== '') {
    if (Date.now() > until)
      throw new Error(
        `jobs still queued after ${ms / 1000} s\n${sh('squeue', [], { env: cluster.env }).stdout}\n${cluster.logs()}`,
      );
    await sleep(200);
  }
}

/** The state of each task of an array job (`scontrol show job`), by task id. */
function taskStates(cluster: Cluster, arrayId: string): Record<string, string> {
  const lines = sh('scontrol', ['show', 'job', '-o', arrayId], { env: cluster.env })
    .stdout.trim()
    .split('\n');
  return Object.fromEntries(
    lines.map((l) => [
      /ArrayTaskId=(\S+)/.exec(l)?.[1] ?? '?',
      /JobState=(\S+)/.exec(l)?.[1] ?? '?',
    ]),
  );
}

function jobState(cluster: Cluster, id: string): string {
  return (
    /JobState=(\S+)/.exec(
      sh('scontrol', ['show', 'job', '-o', id], { env: cluster.env }).stdout,
    )?.[1] ?? '?'
  );
}

const lines = (file: string): string[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
    : [];
const strip = (records: readonly RunRecord[]) => records.map(({ wallMs: _, ...rest }) => rest);

/** Runs `sbatch ...args`, returning the job id (`--parsable`). */
function sbatch(cluster: Cluster, cwd: string, env: NodeJS.ProcessEnv, args: string[]): string {
  const r = sh('sbatch', ['--parsable', ...args], { cwd, env: { ...cluster.env, ...env } });
  if (r.status !== 0) throw new Error(`sbatch ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim().split(';')[0];
}

/** The study run unsharded on this machine (the same CLI, the same flags): the reference. */
async function referenceStudy(out: string, studyArgs: string): Promise<RunRecord[]> {
  const r = sh('bash', ['-c', `${PROTOMLP} sweep ${studyArgs} --out "${out}"`], {
    env: cleanEnv(),
  });
  if (r.status !== 0) throw new Error(`reference sweep failed: ${r.stderr}`);
  return (await readStudy(out)).records;
}

/** Each shard folder's runs: no id twice in one shard, none in two shards; the ids found, in order found. */
function shardIds(out: string, shards: number): { ids: string[]; duplicates: number } {
  const ids: string[] = [];
  for (let i = 0; i < shards; i++) {
    for (const line of lines(join(out, `shard-${i}`, 'runs.jsonl'))) {
      try {
        ids.push((JSON.parse(line) as RunRecord).id);
      } catch {
        // a line cut by the kill: the store ignores it and redoes its run
      }
    }
  }
  return { ids, duplicates: ids.length - new Set(ids).size };
}

t.test(
  'a one-node SLURM cluster runs the job array of docs/slurm.md',
  { skip: process.env.CI === 'true' ? false : (missing ?? false) },
  async (t) => {
    if (missing) return t.fail(missing);
    const dir = join(tmpdir(), `protomlp-slurm-${process.pid}-${Date.now()}`);
    mkdirSync(dir, { mode: 0o755 });
    const cluster = await startCluster(dir);
    t.teardown(async () => {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const [, major, minor] = /(\d+)\.(\d+)/.exec(cluster.version) ?? [];
    t.comment(`SLURM: ${cluster.version}`);
    t.match(
      slurmDoc(),
      `SLURM ${major}.${minor}`,
      `docs/slurm.md names the version tested (${cluster.version})`,
    );

    const scripts = slurmDocScripts();
    const jobs = join(dir, 'jobs');
    mkdirSync(jobs);
    writeFileSync(join(jobs, 'sweep.sbatch'), scripts.sweep);
    writeFileSync(join(jobs, 'merge.sbatch'), scripts.merge);

    await t.test(
      "the doc's submission: the array (8 tasks), then the merge after it; identical to the unsharded study",
      async (t) => {
        const out = join(dir, 'paper');
        const studyArgs = '--preset paper --sizes 3,5 --epochs 200 --seeds 2 --backend ts';
        const env = { ...cluster.env, OUT: out, STUDY_ARGS: studyArgs, PROTOMLP };
        const submit = sh(
          'bash',
          ['-c', `set -euo pipefail\n${scripts.submit}\necho "array job $ARRAY"`],
          { cwd: jobs, env },
        );
        t.equal(submit.status, 0, `the doc's submission runs ${submit.stderr}`);
        const arrayId = /array job (\d+)/.exec(submit.stdout)?.[1];
        const mergeId = /Submitted batch job (\d+)/.exec(submit.stdout)?.[1];
        t.ok(arrayId && mergeId, `submitted: ${submit.stdout.trim().replace(/\n/g, '; ')}`);
        await waitForQueue(cluster);
        const states = taskStates(cluster, arrayId!);
        t.same(
          states,
          Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [String(i), 'COMPLETED'])),
          'the 8 array tasks completed',
        );
        t.equal(jobState(cluster, mergeId!), 'COMPLETED', 'the merge job completed');
        const mergeLog = readFileSync(join(jobs, 'logs', `protomlp-merge-${mergeId}.out`), 'utf8');
        t.match(mergeLog, `study paper, 32 of 32 runs, 0 duplicates dropped`, 'merge log');
        for (let i = 0; i < 8; i++) {
          t.match(
            readFileSync(join(jobs, 'logs', `protomlp-sweep-${arrayId}_${i}.out`), 'utf8'),
            `sweep shard ${i}/8 of paper done: 4 runs trained`,
            `task ${i} log`,
          );
        }
        const { ids, duplicates } = shardIds(out, 8);
        t.equal(ids.length, 32, 'every run in one shard');
        t.equal(duplicates, 0, 'no run twice');
        const reference = await referenceStudy(join(dir, 'paper-reference'), studyArgs);
        t.same(
          strip((await readStudy(join(out, 'all'))).records),
          strip(reference),
          'merged shards = the unsharded study, bit for bit',
        );
        t.equal(lines(join(out, 'all', 'runs.csv')).length, 33, 'the merge job exported the CSV');
      },
    );

    await t.test(
      'one array task cancelled midway (scancel JOBID_TASK), the same sbatch resubmitted: nothing lost or duplicated',
      async (t) => {
        const out = join(dir, 'cancelled');
        // runs long enough (~0.1-0.2 s each on the TS backend, 4 at a time per task) for the cancel to land midway through a task
        const studyArgs = '--preset paper --sizes 60 --epochs 3000 --seeds 2 --backend ts';
        const env = { OUT: out, STUDY_ARGS: studyArgs, PROTOMLP };
        const first = sbatch(cluster, jobs, env, ['--array=0-1', 'sweep.sbatch']);
        const shard1 = join(out, 'shard-1', 'runs.jsonl');
        const until = Date.now() + 120_000;
        while (
          lines(shard1).length < 1 &&
          taskStates(cluster, first)['1'] !== 'COMPLETED' &&
          Date.now() < until
        )
          await sleep(50);
        const cancel = sh('scancel', [`${first}_1`], { env: cluster.env });
        t.equal(cancel.status, 0, `scancel ${first}_1 ${cancel.stderr}`);
        await waitForQueue(cluster);
        t.same(
          taskStates(cluster, first),
          { 0: 'COMPLETED', 1: 'CANCELLED' },
          'task 1 cancelled, task 0 completed',
        );
        const kept = shardIds(out, 2).ids.length - 8;
        t.ok(kept >= 1 && kept < 8, `task 1 was stopped midway: ${kept} of its 8 runs on disk`);

        const again = sbatch(cluster, jobs, env, ['--array=0-1', 'sweep.sbatch']);
        const merge = sbatch(cluster, jobs, env, [
          `--dependency=afterany:${again}`,
          'merge.sbatch',
        ]);
        await waitForQueue(cluster);
        t.same(
          taskStates(cluster, again),
          { 0: 'COMPLETED', 1: 'COMPLETED' },
          'the resubmitted array completed',
        );
        t.match(
          readFileSync(join(jobs, 'logs', `protomlp-sweep-${again}_0.out`), 'utf8'),
          'done: 0 runs trained, 8 skipped',
          'task 0 had nothing left to do',
        );
        t.match(
          readFileSync(join(jobs, 'logs', `protomlp-sweep-${again}_1.out`), 'utf8'),
          `done: ${8 - kept} runs trained, ${kept} skipped`,
          'task 1 resumed its shard',
        );
        t.match(
          readFileSync(join(jobs, 'logs', `protomlp-merge-${merge}.out`), 'utf8'),
          'study paper, 16 of 16 runs, 0 duplicates dropped',
          'merge log',
        );
        const { ids, duplicates } = shardIds(out, 2);
        t.equal(ids.length, 16, 'every run once across the shards');
        t.equal(duplicates, 0, 'no run recorded twice');
        const reference = await referenceStudy(join(dir, 'cancelled-reference'), studyArgs);
        t.same(
          strip((await readStudy(join(out, 'all'))).records),
          strip(reference),
          'merged shards = the unsharded study, bit for bit',
        );
      },
    );
  },
);
