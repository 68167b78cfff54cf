// The berth client's pure parts: docker's table layout and ellipsis, time arguments and event
// lines, the multiplexed log stream cut at any byte, and the host rule shared with the daemon.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameLogChunks } from '../../src/runtime/api/multiplex.js';
import { demultiplex } from '../../src/runtime/cli/client/demultiplex.js';
import { formatEvent } from '../../src/runtime/cli/client/events.js';
import { resolveHost } from '../../src/runtime/cli/client/host.js';
import { ellipsis, formatTable } from '../../src/runtime/cli/client/table.js';
import { formatEventTime, toApiTimestamp } from '../../src/runtime/cli/client/times.js';
import type { DockerEvent } from '../../src/runtime/events.js';

describe('formatTable', () => {
  it('pads each column to its widest cell plus 3, at least 10, and leaves the last column unpadded', () => {
    expect(formatTable([['CONTAINER ID', 'IMAGE', 'NAMES'], ['0123456789ab', 'alpine', 'web']])).toBe(
      'CONTAINER ID   IMAGE     NAMES\n'
      + '0123456789ab   alpine    web\n',
    );
  });

  it('counts characters, not bytes', () => {
    expect(formatTable([['"sleep…"', 'x'], ['ab', 'y']])).toBe('"sleep…"   x\nab         y\n');
  });
});

describe('ellipsis', () => {
  it('keeps short text and cuts long text to the width, ending in …', () => {
    expect(ellipsis('sleep 1000', 20)).toBe('sleep 1000');
    expect(ellipsis('sh -c echo hello; echo bye', 20)).toBe('sh -c echo hello; e…');
    expect([...ellipsis('x'.repeat(30), 20)]).toHaveLength(20);
  });
});

describe('toApiTimestamp', () => {
  const now = Date.parse('2024-01-02T15:04:05.500Z');

  it('reads Go durations as a time before now, keeping the milliseconds', () => {
    expect(toApiTimestamp('10m', '--since', now)).toBe(((now - 600_000) / 1000).toFixed(3));
    expect(toApiTimestamp('1h30m', '--since', now)).toBe(((now - 5_400_000) / 1000).toFixed(3));
    expect(toApiTimestamp('0s', '--until', now)).toBe('1704207845.500');
    expect(toApiTimestamp('-5s', '--until', now)).toBe('1704207850.500');
    expect(toApiTimestamp('1.5s', '--until', now)).toBe('1704207844.000');
  });

  it('passes unix seconds through and reads dates, local unless a zone is named', () => {
    expect(toApiTimestamp('1700000000', '--since', now)).toBe('1700000000');
    expect(toApiTimestamp('1700000000.25', '--since', now)).toBe('1700000000.25');
    expect(toApiTimestamp('2024-01-02T15:04:05Z', '--since', now)).toBe('1704207845.000');
    expect(toApiTimestamp('2024-01-02T15:04:05+01:00', '--since', now)).toBe('1704204245.000');
    expect(toApiTimestamp('2024-01-02', '--since', now)).toBe((new Date(2024, 0, 2).getTime() / 1000).toFixed(3));
    expect(toApiTimestamp('2024-01-02T15', '--since', now)).toBe((new Date(2024, 0, 2, 15).getTime() / 1000).toFixed(3));
  });

  it('names the option and the forms it takes when nothing fits', () => {
    expect(() => toApiTimestamp('yesterday', '--since', now)).toThrow(/--since .*10m.*2024-01-02.*unix seconds, got "yesterday"/);
    expect(() => toApiTimestamp('10 minutes', '--until', now)).toThrow(/--until/);
  });
});

describe('formatEvent', () => {
  it('prints the docker CLI\'s line: time with nine fraction digits, type, action, id, sorted attributes', () => {
    const at = Date.parse('2024-01-02T15:04:05.123Z');
    const event: DockerEvent = {
      Type: 'container', Action: 'die', scope: 'local', time: Math.floor(at / 1000), timeNano: at * 1e6,
      Actor: { ID: 'abc123', Attributes: { name: 'web', exitCode: '143', image: 'alpine' } },
    };
    const expectedTime = formatEventTime(at);
    expect(formatEvent(event)).toBe(`${expectedTime} container die abc123 (exitCode=143, image=alpine, name=web)`);
    expect(expectedTime).toMatch(/^2024-01-0\dT\d\d:\d\d:05\.123000000(Z|[+-]\d\d:\d\d)$/);
  });

  it('writes the zone as Z in UTC and as an offset elsewhere', () => {
    const at = Date.parse('2024-01-02T15:04:05.007Z');
    const offset = -new Date(at).getTimezoneOffset();
    expect(formatEventTime(at).endsWith(offset === 0 ? '.007000000Z' : ':00')).toBe(true);
    expect(new Date(formatEventTime(at).replace(/(\.\d{3})\d{6}/, '$1')).getTime()).toBe(at);
  });
});

describe('demultiplex', () => {
  it('splits frames into stdout and stderr however the chunks cut them', async () => {
    const stream = frameLogChunks([
      { stream: 'stdout', text: 'hello', time: 0 },
      { stream: 'stderr', text: 'oops', time: 0 },
      { stream: 'stdout', text: 'x'.repeat(300), time: 0 },
    ], false);
    for (const size of [1, 3, 8, 9, 64, stream.length]) {
      const chunks = async function* () {
        for (let at = 0; at < stream.length; at += size) yield stream.subarray(at, at + size);
      };
      const frames: [string, string][] = [];
      for await (const { stream: name, payload } of demultiplex(chunks())) frames.push([name, payload.toString()]);
      expect(frames, `chunks of ${size}`).toEqual([['stdout', 'hello\n'], ['stderr', 'oops\n'], ['stdout', `${'x'.repeat(300)}\n`]]);
    }
  });
});

describe('resolveHost (shared with berth daemon)', () => {
  it('takes the flag, then BERTH_HOST, then $XDG_RUNTIME_DIR/berth.sock, then ./berth.sock', () => {
    const env = { BERTH_HOST: 'tcp://127.0.0.1:2375', XDG_RUNTIME_DIR: '/run/user/1000' };
    expect(resolveHost('unix:///tmp/a.sock', env)).toBe('unix:///tmp/a.sock');
    expect(resolveHost(undefined, env)).toBe('tcp://127.0.0.1:2375');
    expect(resolveHost(undefined, { BERTH_HOST: '', XDG_RUNTIME_DIR: '/run/user/1000' })).toBe('unix:///run/user/1000/berth.sock');
    expect(resolveHost(undefined, {})).toBe(`unix://${resolve('berth.sock')}`);
  });
});
