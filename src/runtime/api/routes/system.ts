// GET|HEAD /_ping, GET /version and GET /info: what clients ask before anything else.
import { cpus, hostname, machine, release, totalmem } from 'node:os';
import type { ApiRequest } from '../request.js';
import type { Reply } from '../respond.js';
import { maxApiVersion, minApiVersion } from '../version.js';

/** Said in `docker info`: with the process runtime nothing is isolated and images are never used. */
const processRuntimeNote =
  'berth process runtime: each container is a process group on this host; the image name is only recorded, never pulled, and the command runs on the host with the daemon\'s user and rights';
/** With runc, containers are real; images are root filesystems imported by hand. */
const runcRuntimeNote =
  'berth runc runtime: each container is an OCI container run by runc (own PID namespace, cgroup, freezer); images are root filesystems from `berth image import` or `berth image busybox`, never pulled';

// The docker CLI's first request, HEAD on the bare path; it reads Api-Version, Ostype and Swarm (docker-lifecycle.md (j)).
export function ping({ req, res }: ApiRequest): undefined {
  const body = req.method === 'HEAD' ? '' : 'OK';
  res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
    Swarm: 'inactive',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
  });
  res.end(body);
  return undefined;
}

// `docker version`'s Server section: the component's details are strings, the top-level fields typed.
export function showVersion({ serverVersion }: ApiRequest): Reply {
  const common = { ApiVersion: maxApiVersion, MinAPIVersion: minApiVersion, Os: 'linux', Arch: goArch(), KernelVersion: release(), GitCommit: '', GoVersion: `node ${process.version}`, BuildTime: '' };
  return {
    status: 200,
    body: {
      Platform: { Name: 'berth' },
      Components: [{ Name: 'Engine', Version: serverVersion, Details: { ...common, Experimental: 'false' } }],
      Version: serverVersion,
      ...common,
      Experimental: false,
    },
  };
}

// A minimal `docker info`; `docker inspect` of an unknown name also asks it (Swarm.ControlAvailable).
export function showInfo({ engine, serverVersion }: ApiRequest): Reply {
  const containers = engine.list({ all: true });
  const count = (...states: string[]) => containers.filter((c) => states.includes(c.State)).length;
  return {
    status: 200,
    body: {
      ID: '',
      Containers: containers.length,
      ContainersRunning: count('running', 'restarting'),
      ContainersPaused: count('paused'),
      ContainersStopped: count('created', 'exited', 'dead', 'removing'),
      Images: 0,
      Driver: engine.driver,
      Name: hostname(),
      OperatingSystem: engine.driver === 'runc' ? runcRuntimeNote : processRuntimeNote,
      OSType: 'linux',
      Architecture: machine(),
      KernelVersion: release(),
      NCPU: cpus().length,
      MemTotal: totalmem(),
      ServerVersion: serverVersion,
      DefaultRuntime: engine.driver,
      LoggingDriver: 'berth-memory',
      Swarm: { LocalNodeState: 'inactive', ControlAvailable: false },
      SecurityOptions: [],
      Warnings: engine.driver === 'runc' ? [] : [`WARNING: ${processRuntimeNote}`],
    },
  };
}

// Docker reports Go's architecture names.
function goArch(): string {
  return ({ x64: 'amd64', ia32: '386' } as Record<string, string>)[process.arch] ?? process.arch;
}
