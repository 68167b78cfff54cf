import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/runtime/compose/duration.js';
import { stopWaves } from '../../src/runtime/compose/order.js';
import { loadProject } from '../../src/runtime/compose/parse.js';

function write(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-compose-'));
  const file = join(dir, 'berth.yaml');
  writeFileSync(file, text);
  return file;
}

describe('Compose files', () => {
  it('reads the lifecycle subset: shell and exec form, env map and list, durations, dependency order', () => {
    const project = loadProject('test/fixtures/compose/berth.yaml');
    expect(project.name).toBe('e2e');
    expect(project.services.map((s) => s.name)).toEqual(['db', 'web', 'worker']);
    const web = project.services[1]!;
    expect(web.container).toMatchObject({ env: { GREETING: 'hello' }, stopTimeout: 3 });
    expect(project.services[0]!.container.env).toEqual({ DB_READY: 'yes' });
    expect(project.services[0]!.healthcheck).toMatchObject({ test: 'test -n "$DB_READY"', intervalMs: 100, retries: 5 });
    expect(web.dependsOn).toEqual([{ service: 'db', condition: 'service_healthy' }]);
    expect(project.warnings).toEqual(['ignored (not about the lifecycle): services.worker.ports']);
    expect(stopWaves(project.services).map((wave) => wave.map((s) => s.name))).toEqual([['worker'], ['web'], ['db']]);
  });

  it('parses Compose durations', () => {
    expect([parseDuration('10s'), parseDuration('1m30s'), parseDuration('500ms'), parseDuration('1h'), parseDuration(2), parseDuration('soon')])
      .toEqual([10_000, 90_000, 500, 3_600_000, 2_000, undefined]);
  });

  it('errors name the file, the line and the key', () => {
    const file = write('services:\n  web:\n    command: ["x"]\n    stop_grace_period: soon\n');
    expect(() => loadProject(file)).toThrow('berth.yaml:4: services.web.stop_grace_period: expected a duration like 10s, 1m30s or 500ms, got "soon"');
    expect(() => loadProject(write('services:\n  web:\n    command: ["x"]\n    restart: sometimes\n'))).toThrow(/berth\.yaml:4: services\.web\.restart: expected no, always/);
    expect(() => loadProject(write('services:\n  a:\n    command: x\n    depends_on: [b]\n  b:\n    command: y\n    depends_on: [a]\n'))).toThrow(/dependency cycle: a -> b -> a/);
    expect(() => loadProject(write('services:\n  a:\n    command: x\n    depends_on: [nope]\n'))).toThrow(/berth\.yaml:4: services\.a\.depends_on: depends on "nope"/);
    expect(() => loadProject(write('services:\n  a:\n    image: x\n'))).toThrow(/services\.a\.command: give a command/);
    expect(() => loadProject(write('services: [\n'))).toThrow(/berth\.yaml:\d+: not valid YAML/);
  });

  it('reports keys that change how a service runs, and reads the signal routing table', () => {
    const project = loadProject(write('services:\n  a:\n    command: x\n    user: nobody\nx-berth:\n  signals:\n    HUP: { forward: [a] }\n    USR1: ignore\n'));
    expect(project.warnings).toEqual(['services.a.user is not supported by berth: the service runs without it']);
    expect(project.signals.get('SIGHUP')).toEqual({ action: 'forward', services: ['a'] });
    expect(project.signals.get('SIGUSR1')).toEqual({ action: 'ignore' });
    expect(project.signals.get('SIGINT')).toEqual({ action: 'stop' });
    expect(project.signals.get('SIGQUIT')).toEqual({ action: 'stop' });
  });

  it('stops the services on every signal that would otherwise end berth up, unless the file routes it', () => {
    const project = loadProject(write('services:\n  a:\n    command: x\n'));
    expect([...project.signals]).toEqual(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'].map((signal) => [signal, { action: 'stop' }]));
  });
});
