// The entry point of the bench's child processes (node --expose-gc dist/bench/child.js JOB): one
// W4 memory reading or one W5 repetition in a fresh process, answered as one line of JSON.
import { runEngineOnly, type EngineOnlyOptions } from './engine-only.js';
import { measureMemoryHere, type MemoryJob } from './workloads.js';

type Job = { job: 'memory'; memory: MemoryJob } | { job: 'engine-only'; engineOnly: EngineOnlyOptions };

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as Job;
  const answer = job.job === 'memory' ? await measureMemoryHere(job.memory) : await runEngineOnly(job.engineOnly);
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
    process.exit(1);
  },
);
