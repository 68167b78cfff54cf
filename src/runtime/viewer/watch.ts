// `berth daemon --ui [PORT] --inspect [PORT]`: the ways to watch the daemon's containers, each
// created only when asked for. The daemon hands the engine the relay's observer, then starts both
// next to the API and closes them after its containers are down.
import type { InspectionEvent, Observer } from 'xstate';
import type { Engine } from '../engine.js';
import type { Logger } from '../log.js';
import { createInspectorRelay, statelyInspectorUrl, type InspectorRelay } from './inspector-relay.js';
import { parseLoopbackAddress, type LoopbackAddress } from './listen.js';
import { serveViewer, type Viewer } from './server.js';

/** Where to serve what was asked for. */
export interface WatchOptions {
  /** The berth viewer. */
  ui?: LoopbackAddress;
  /** The Stately inspector relay. */
  inspect?: LoopbackAddress;
}

/** Default ports: the viewer's own, and the one Stately's relay uses. */
export const defaultViewerPort = 7375;
export const defaultInspectorPort = 8080;

const flags = { '--ui': ['ui', defaultViewerPort], '--inspect': ['inspect', defaultInspectorPort] } as const;

/**
 * Takes `--ui [PORT|HOST:PORT]` and `--inspect [PORT|HOST:PORT]` out of the daemon's arguments
 * (their address is optional, unlike the daemon's other options); returns them and the rest.
 * @example
 * splitWatchOptions(['--ui', '--host', 'unix:///tmp/b.sock']) // [{ ui: { host: '127.0.0.1', port: 7375 } }, ['--host', 'unix:///tmp/b.sock']]
 */
export function splitWatchOptions(args: string[]): [WatchOptions, string[]] {
  const options: WatchOptions = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const at = arg.indexOf('=');
    const flag = (at === -1 ? arg : arg.slice(0, at)) as keyof typeof flags;
    if (!Object.hasOwn(flags, flag)) {
      rest.push(arg);
      continue;
    }
    const [key, defaultPort] = flags[flag];
    let value = at === -1 ? undefined : arg.slice(at + 1);
    if (value === undefined && /^(\[[^\]]+\]:|[^-\s:][^\s:]*:)?\d+$/.test(args[i + 1] ?? '')) value = args[++i];
    options[key] = parseLoopbackAddress(flag, value, defaultPort);
  }
  return [options, rest];
}

/** What the daemon runs for watching, if anything. */
export interface Watchers {
  /** Spread into createEngine's options. */
  engineOptions: { inspect?: Observer<InspectionEvent> };
  /** Starts listening; resolves with the lines to print (where to look). */
  listen(engine: Engine, logger: Logger): Promise<string>;
  close(): Promise<void>;
}

/**
 * Prepares what `options` asks for; nothing listens until `listen`.
 * @example
 * const watchers = createWatchers({ ui: { host: '127.0.0.1', port: 0 } });
 * const engine = createEngine({ ...watchers.engineOptions });
 * process.stdout.write(await watchers.listen(engine, logger));
 */
export function createWatchers(options: WatchOptions): Watchers {
  // Created only when asked: the events are kept for replay from the engine's first actor on.
  const relay: InspectorRelay | undefined = options.inspect ? createInspectorRelay() : undefined;
  let viewer: Viewer | undefined;
  const close = async () => {
    await Promise.all([viewer?.close(), relay?.close()]);
  };
  return {
    engineOptions: relay ? { inspect: relay.inspect } : {},
    async listen(engine, logger) {
      const lines: string[] = [];
      try {
        if (relay && options.inspect) {
          const { url, websocketUrl } = await relay.listen(options.inspect);
          logger.info({ url, websocketUrl }, 'Stately inspector relay listening');
          lines.push(`Stately inspector: open ${url} (it embeds ${statelyInspectorUrl}, which needs the internet); inspection events on ${websocketUrl}`);
        }
        if (options.ui) {
          viewer = await serveViewer(engine, { address: options.ui, logger });
          lines.push(`berth viewer on ${viewer.url}`);
        }
      } catch (error) {
        await close();
        throw error;
      }
      return lines.map((line) => `${line}\n`).join('');
    },
    close,
  };
}
