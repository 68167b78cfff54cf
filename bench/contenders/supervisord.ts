// supervisord 4 (Debian's `supervisor` package), run in the foreground as a child of the bench
// with a config, socket and logs in a directory of this run, and driven over its XML-RPC socket
// exactly as supervisorctl drives it. Each group is one [program] with numprocs; startsecs=0 so
// "running" means spawned (its default waits 1 s), stopwaitsecs is the workload's stop timeout,
// output is discarded (the program writes none), and nothing restarts by itself.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { trackDaemon, untrackDaemon } from '../cleanup.js';
import { killPrograms } from '../processes.js';
import { daemonMemory } from './memory.js';
import type { Contender, ContenderContext, Group } from './contender.js';
import { callSupervisor } from './xmlrpc.js';

/** The supervisord version, or undefined when it is not installed. */
export function supervisordVersion(): string | undefined {
  const result = spawnSync('supervisord', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function programSection(context: ContenderContext, group: Group): string {
  const { file, args } = context.program.command(group.mode);
  return [
    `[program:${group.name}]`,
    `command=${[file, ...args].join(' ')}`,
    'process_name=%(program_name)s-%(process_num)d',
    `numprocs=${group.count}`,
    'autostart=false',
    'autorestart=false',
    'startsecs=0',
    'startretries=0',
    'stopsignal=TERM',
    `stopwaitsecs=${Math.max(1, Math.round(group.stopTimeoutMs / 1000))}`,
    'stdout_logfile=NONE',
    'stderr_logfile=NONE',
    '',
  ].join('\n');
}

let instances = 0;

export function createSupervisord(context: ContenderContext): Contender {
  let daemon: ChildProcess | undefined;
  let dir = '';
  const socket = (): string => join(dir, 'supervisor.sock');

  return {
    name: 'supervisord',
    async open(groups) {
      dir = join(context.workDir, `supervisord-${++instances}`);
      mkdirSync(dir, { recursive: true });
      const config = join(dir, 'supervisord.conf');
      writeFileSync(config, [
        '[unix_http_server]', `file=${socket()}`, '',
        '[supervisord]', `logfile=${join(dir, 'supervisord.log')}`, `pidfile=${join(dir, 'supervisord.pid')}`,
        `childlogdir=${dir}`, 'nodaemon=true', 'minfds=8192', 'minprocs=4096', 'loglevel=warn', '',
        '[rpcinterface:supervisor]', 'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface', '',
        ...groups.map((group) => programSection(context, group)),
      ].join('\n'));
      daemon = spawn('supervisord', ['-n', '-c', config], { stdio: 'ignore', detached: true });
      const pid = daemon.pid;
      if (pid !== undefined) {
        trackDaemon(pid);
        daemon.on('exit', () => untrackDaemon(pid));
      }
      const failed = once(daemon, 'exit').then(([code]) => { throw new Error(`supervisord exited with ${String(code)} (see ${dir}/supervisord.log)`); });
      failed.catch(() => {});
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          await Promise.race([callSupervisor(socket(), 'supervisor.getState'), failed]);
          return;
        } catch (error) {
          if (Date.now() > deadline || daemon.exitCode !== null) throw error;
          await sleep(20);
        }
      }
    },
    async start(group) {
      if (group.count === 1) await callSupervisor(socket(), 'supervisor.startProcess', [`${group.name}:${group.name}-0`, true]);
      else await callSupervisor(socket(), 'supervisor.startProcessGroup', [group.name, true]);
    },
    async stop(group) {
      if (group.count === 1) await callSupervisor(socket(), 'supervisor.stopProcess', [`${group.name}:${group.name}-0`, true]);
      else await callSupervisor(socket(), 'supervisor.stopProcessGroup', [group.name, true]);
    },
    async reset() {},
    memory: async () => daemonMemory(daemon?.pid, 'supervisord'),
    async close() {
      const current = daemon;
      daemon = undefined;
      if (!current || current.exitCode !== null || current.signalCode !== null) {
        killPrograms(context.program.path);
        return;
      }
      const exited = once(current, 'exit');
      try {
        await callSupervisor(socket(), 'supervisor.shutdown').catch(() => current.kill('SIGTERM'));
        await Promise.race([exited, sleep(15_000)]);
      } finally {
        if (current.exitCode === null && current.signalCode === null) current.kill('SIGKILL');
        killPrograms(context.program.path);
      }
    },
  };
}
