// The job scripts of docs/slurm.md, read from the doc itself so that the tests run exactly what
// users copy: the array job, the merge job and the submission that chains them.

import { readFileSync } from 'node:fs';

export const SLURM_DOC = new URL('../../docs/slurm.md', import.meta.url);

export interface SlurmDocScripts {
  /** `sweep.sbatch`: the array job */
  sweep: string;
  /** `merge.sbatch`: the merge job */
  merge: string;
  /** the shell lines that submit both, chained */
  submit: string;
}

/** The doc's text. */
export const slurmDoc = (): string => readFileSync(SLURM_DOC, 'utf8');

/** The doc's bash blocks, in order: sweep.sbatch, merge.sbatch, the submission. */
export function slurmDocScripts(): SlurmDocScripts {
  const [sweep, merge, submit] = [...slurmDoc().matchAll(/```bash\n(.*?)```/gs)].map((m) => m[1]);
  if (!sweep || !merge || !submit)
    throw new Error(
      'docs/slurm.md: expected three bash blocks (sweep.sbatch, merge.sbatch, the submission)',
    );
  return { sweep, merge, submit };
}
