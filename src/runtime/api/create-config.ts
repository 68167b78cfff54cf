// Docker's create body (Config plus HostConfig) to engine create options. Only what the engine
// can honour is read; networking, mounts and resources mean nothing to a host process and are
// ignored. Types are checked here, with Docker's field names in the messages; values (signal
// names, policies, env entries) are checked by the engine.
import type { RestartPolicyName } from '../../machines/spec.js';
import { InvalidArgumentError } from '../errors.js';
import type { CreateOptions } from '../spec.js';

type Json = Record<string, unknown>;

/** The engine's create options for a Docker create request body and `name` query parameter. */
export function toCreateOptions(body: unknown, name: string | undefined): CreateOptions {
  if (body === undefined || body === null) throw new InvalidArgumentError('config cannot be empty in order to create a container');
  const config = record('the request body', body);
  const host = config.HostConfig === undefined || config.HostConfig === null ? {} : record('HostConfig', config.HostConfig);
  const cmd = [...entrypointOf(config.Entrypoint), ...strSlice('Cmd', config.Cmd)];
  if (cmd.length === 0) {
    throw new InvalidArgumentError('no command specified: give the command after the image name (with the process runtime the image has no default command)');
  }
  // A TTY changes what the process sees and how the client reads the stream (raw, not framed):
  // one berth cannot give would garble `docker run -t` silently.
  if (nullable(config.Tty) !== undefined && flag('Tty', config.Tty)) {
    throw new InvalidArgumentError('berth gives containers no TTY: run without -t (-i alone works: stdin is not read, the output streams as usual)');
  }
  const stopTimeout = nullable(config.StopTimeout);
  if (stopTimeout !== undefined && !Number.isInteger(stopTimeout)) throw invalid('StopTimeout', 'an integer number of seconds', stopTimeout);
  const env = nullable(config.Env), labels = nullable(config.Labels), restart = nullable(host.RestartPolicy);
  const cwd = text('WorkingDir', config.WorkingDir), stopSignal = text('StopSignal', config.StopSignal);
  const autoRemove = nullable(host.AutoRemove), init = nullable(host.Init);
  return {
    ...(name === undefined ? {} : { name }),
    cmd,
    ...(env === undefined ? {} : { env: stringArray('Env', env) }),
    ...(cwd ? { cwd } : {}),
    ...(labels === undefined ? {} : { labels: record('Labels', labels) as Record<string, string> }),
    ...(stopSignal ? { stopSignal } : {}),
    ...(stopTimeout === undefined ? {} : { stopTimeout: stopTimeout as number }),
    ...(restart === undefined ? {} : { restart: restartPolicyOf(restart) }),
    ...(autoRemove === undefined ? {} : { autoRemove: flag('HostConfig.AutoRemove', autoRemove) }),
    ...(init === undefined ? {} : { init: flag('HostConfig.Init', init) }),
    image: text('Image', config.Image) ?? '',
  };
}

// Docker concatenates Entrypoint and Cmd into the exec form; `--entrypoint ""` ([""]) means none.
function entrypointOf(value: unknown): string[] {
  const entrypoint = strSlice('Entrypoint', value);
  return entrypoint.length === 1 && entrypoint[0] === '' ? [] : entrypoint;
}

// Docker's StrSlice: an array of strings, or one string that is a single argument (not shell form).
function strSlice(field: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  return stringArray(field, value);
}

function restartPolicyOf(value: unknown): { name: RestartPolicyName; maximumRetryCount?: number } {
  const policy = record('HostConfig.RestartPolicy', value);
  const name = text('HostConfig.RestartPolicy.Name', policy.Name) || 'no';
  const count = nullable(policy.MaximumRetryCount);
  if (count !== undefined && typeof count !== 'number') throw invalid('HostConfig.RestartPolicy.MaximumRetryCount', 'an integer', count);
  return { name: name as RestartPolicyName, ...(count === undefined || count === 0 ? {} : { maximumRetryCount: count }) };
}

function nullable(value: unknown): unknown {
  return value === null ? undefined : value;
}

function text(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(field, 'a string', value);
  return value;
}

function flag(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(field, 'true or false', value);
  return value;
}

function stringArray(field: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw invalid(field, 'an array of strings', value);
  return value;
}

function record(field: string, value: unknown): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(field, 'a JSON object', value);
  return value as Json;
}

function invalid(field: string, expected: string, got: unknown): InvalidArgumentError {
  const kind = Array.isArray(got) ? 'array' : got === null ? 'null' : typeof got;
  return new InvalidArgumentError(`Expected \`${field}\` to be ${expected}, got ${JSON.stringify(got)?.slice(0, 80) ?? String(got)} (${kind})`);
}
