// The OCI runtime spec (config.json) for one container run: runc's own default spec (from
// `runc spec`, so it always matches the installed runc) with the container's command, env,
// working directory and root filesystem, and docker-init (tini) as PID 1 when asked.
import type { ContainerSpec } from '../../machines/spec.js';

/** The parts of an OCI spec berth edits; the rest of runc's template is kept as it is. */
export interface OciSpec {
  process: { terminal: boolean; args: string[]; env: string[]; cwd: string; [key: string]: unknown };
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: Array<{ destination: string; type: string; source: string; options?: string[] }>;
  linux: { cgroupsPath?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Where docker-init lives inside a container, as in Docker. */
export const initPath = '/sbin/docker-init';

const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Builds the config.json of one run from runc's template. */
export function buildOciSpec(template: OciSpec, spec: ContainerSpec, rootfs: string, runId: string, tiniPath: string | undefined): OciSpec {
  const argv = typeof spec.cmd === 'string' ? ['/bin/sh', '-c', spec.cmd] : spec.cmd;
  const env = Object.entries(spec.env).map(([key, value]) => `${key}=${value}`);
  const mounts = [
    ...template.mounts,
    // The root filesystem is shared by every container of the image and mounted read-only, so
    // each run gets its own scratch space.
    { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=755', 'size=65536k'] },
  ];
  if (spec.init && tiniPath) mounts.push({ destination: initPath, type: 'bind', source: tiniPath, options: ['bind', 'ro'] });
  return {
    ...template,
    process: {
      ...template.process,
      terminal: false,
      args: spec.init && tiniPath ? [initPath, '--', ...argv] : argv,
      env: env.some((entry) => entry.startsWith('PATH=')) ? env : [defaultPath, ...env],
      cwd: spec.cwd ?? '/',
    },
    root: { path: rootfs, readonly: true },
    hostname: spec.name.slice(0, 63),
    mounts,
    linux: { ...template.linux, cgroupsPath: `/berth/${runId}` },
  };
}
