// GET /containers/{id}/top, `docker top`: the container's processes as `ps` shows them. As Docker
// does, `ps` runs with the client's arguments (default -ef) over the whole host and its rows are
// kept for the container's pids: here the members of its process group, grandchildren included.
import { execFile } from 'node:child_process';
import { listProcessGroup } from '../../../actors/proc.js';
import { ConflictError, InvalidArgumentError, SystemError } from '../../errors.js';
import type { ApiRequest } from '../request.js';
import type { Reply } from '../respond.js';

/** `ps` answers at once; one that hangs (a process stuck reading /proc) is cut off here. */
const psTimeoutMs = 5_000;

export async function topContainer({ engine, params, query }: ApiRequest): Promise<Reply> {
  const { Name, State } = engine.inspect(params.id!);
  if (!State.Running || State.Pid <= 0) throw new ConflictError(`Container ${Name.slice(1)} is not running`);
  const args = (query.get('ps_args') || '-ef').trim().split(/\s+/);
  const output = await runPs(args);
  return { status: 200, body: keepRows(output, new Set(listProcessGroup(State.Pid))) };
}

function runPs(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { timeout: psTimeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new SystemError('docker top needs ps on the daemon\'s host: install procps'));
      if (error.killed) return reject(new SystemError(`ps ${args.join(' ')} did not answer within ${psTimeoutMs / 1000} s`));
      reject(new InvalidArgumentError(`ps ${args.join(' ')} failed: ${String(stderr).trim().split('\n')[0] || error.message}: give ps_args that ps accepts, such as -ef or aux`));
    });
  });
}

// Docker's parsePSOutput: the header gives the titles and the PID column; each row has as many
// fields, the last one (the command) keeping its spaces.
function keepRows(output: string, pids: Set<number>): { Titles: string[]; Processes: string[][] } {
  const [header = '', ...rows] = output.split('\n').filter((line) => line.trim() !== '');
  const titles = header.trim().split(/\s+/);
  const pidColumn = titles.indexOf('PID');
  if (pidColumn === -1) throw new InvalidArgumentError(`ps printed no PID column: give ps_args whose output has one, such as -ef or aux (got the titles ${titles.join(' ')})`);
  const processes: string[][] = [];
  for (const row of rows) {
    const fields = row.trim().split(/\s+/);
    const kept = [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
    if (pids.has(Number(kept[pidColumn]))) processes.push(kept);
  }
  return { Titles: titles, Processes: processes };
}
