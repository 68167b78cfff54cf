// `berth simulate`: a container, a scripted process and a script of commands, run instantly on a
// simulated clock; prints the exact timeline (or JSON with --json).
import { parseArgs } from 'node:util';
import type { FakeBehaviour, SignalReaction } from '../../actors/fake.js';
import { InvalidArgumentError } from '../errors.js';
import { parseSignal } from '../signals.js';
import { formatTimeline, simulate, type ScriptStep } from '../simulate.js';

export const simulateUsage = `Usage: berth simulate [options] "AT COMMAND"...

Runs a container on a simulated clock and prints what happens, to the millisecond, at once.
AT is seconds from the start; COMMAND is start, stop [-t N] [-s SIG], kill [-s SIG], pause,
unpause, restart [-t N], rm [-f] or exit [CODE] (the process exits by itself).
The container is running at 0 s unless the script starts it.

Options:
  --stop-signal SIG       the container's stop signal (default SIGTERM)
  --stop-timeout S        the container's stop timeout in seconds (default 10)
  --restart POLICY        no | always | unless-stopped | on-failure[:N]
  --on SIG=REACTION       how the process takes SIG: die | ignore | exit:CODE | exit-after:S[:CODE] | fail
                          (fail: the signal cannot be delivered); repeatable; unlisted signals: die
  --sigkill die|survive   survive: SIGKILL and the direct kill do not end it (stuck in the D state)
  --exits-after S[:CODE]  the process exits by itself S seconds after each start
  --settle S              seconds to run after the last command (default 120)
  --json                  print the timeline as JSON

Example: a process that ignores SIGTERM, stopped with a 10 s timeout
  berth simulate --on TERM=ignore "0 stop -t 10"
`;

/** Runs `berth simulate`; resolves with the exit code. */
export async function runSimulate(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'stop-signal': { type: 'string' }, 'stop-timeout': { type: 'string' }, restart: { type: 'string' },
      on: { type: 'string', multiple: true }, sigkill: { type: 'string' }, 'exits-after': { type: 'string' },
      settle: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.write(simulateUsage);
    return 0;
  }
  if (positionals.length === 0) throw new InvalidArgumentError(`give at least one "AT COMMAND", e.g. "0 stop -t 10"\n\n${simulateUsage}`);
  const result = await simulate({
    container: {
      ...(values['stop-signal'] ? { stopSignal: values['stop-signal'] } : {}),
      ...(values['stop-timeout'] ? { stopTimeout: number('--stop-timeout', values['stop-timeout']) } : {}),
      ...(values.restart ? { restart: values.restart } : {}),
    },
    behaviour: toBehaviour(values.on ?? [], values.sigkill, values['exits-after']),
    script: positionals.map(toScriptStep),
    ...(values.settle ? { settle: number('--settle', values.settle) } : {}),
  });
  out.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatTimeline(result.timeline)}\n\nfinal: ${JSON.stringify(result.final)}\n`);
  return 0;
}

function toScriptStep(text: string): ScriptStep {
  const match = /^\s*(\d+(?:\.\d+)?)s?\s+(.+)$/.exec(text);
  if (!match) throw new InvalidArgumentError(`"${text}" is not "AT COMMAND": write the time in seconds first, e.g. "3 pause"`);
  return { at: Number(match[1]), command: match[2]! };
}

function toBehaviour(on: string[], sigkill: string | undefined, exitsAfter: string | undefined): FakeBehaviour {
  const signals: NonNullable<FakeBehaviour['signals']> = {};
  for (const rule of on) {
    const [signal, reaction] = rule.split('=');
    if (!signal || !reaction) throw new InvalidArgumentError(`--on "${rule}": write SIG=REACTION, e.g. TERM=ignore`);
    signals[parseSignal(signal)] = toReaction(reaction);
  }
  if (sigkill !== undefined && sigkill !== 'die' && sigkill !== 'survive') throw new InvalidArgumentError(`--sigkill takes die or survive, got "${sigkill}"`);
  const behaviour: FakeBehaviour = { signals, ...(sigkill ? { sigkill } : {}) };
  if (exitsAfter) {
    const [seconds = '', code = '0'] = exitsAfter.split(':');
    behaviour.exitAfterMs = number('--exits-after', seconds) * 1000;
    behaviour.exitCode = number('--exits-after code', code);
  }
  return behaviour;
}

function toReaction(text: string): SignalReaction {
  if (text === 'die' || text === 'ignore') return text;
  if (text === 'fail') return 'fail-delivery';
  const [kind, first, second] = text.split(':');
  if (kind === 'exit' && first !== undefined) return { exit: number('exit code', first) };
  if (kind === 'exit-after' && first !== undefined) {
    return { exitAfterMs: number('exit-after', first) * 1000, ...(second === undefined ? {} : { exit: number('exit code', second) }) };
  }
  throw new InvalidArgumentError(`unknown reaction "${text}": use die, ignore, exit:CODE, exit-after:S[:CODE] or fail`);
}

function number(what: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError(`${what} takes a number, got "${text}"`);
  return value;
}
