// `berth daemon --inspect`: the whole actor system (supervisor and every container machine) sent
// to the Stately inspector. A websocket relay with the wire format and replay of
// @statelyai/inspect/server, written here because that server listens on every interface
// (with no host option) and would hand each container's environment to the network. The engine's
// events reach the relay in-process through createInspector, with no websocket client: the
// package's websocket inspector retries forever and keeps a process alive once its server is gone.
import { createInspector } from '@statelyai/inspect';
import { createServer, type IncomingMessage } from 'node:http';
import { configure } from 'safe-stable-stringify';
import { WebSocket, WebSocketServer } from 'ws';
import type { InspectionEvent, Observer } from 'xstate';
import { hasLoopbackHost, listenLoopback, type LoopbackAddress } from './listen.js';

/** The hosted inspector the bridge page embeds; it needs the internet. */
export const statelyInspectorUrl = 'https://stately.ai/inspect';

export interface InspectorRelayOptions {
  /** Messages replayed to a client that connects late (the supervisor's start, early containers). */
  replaySize?: number;
}

/** A relay for the engine's inspection events. */
export interface InspectorRelay {
  /** Pass it as `createEngine({ inspect })`: events are kept for replay until the relay listens. */
  inspect: Observer<InspectionEvent>;
  /** Serves the bridge page and the websocket on a loopback address; resolves with the page's URL. */
  listen(address: LoopbackAddress): Promise<{ url: string; websocketUrl: string }>;
  /** Ends every connection and stops listening. */
  close(): Promise<void>;
}

// As @statelyai/inspect's websocket adapter serializes: stable keys, depth-limited (actor refs become {id}).
const stringify = configure({ maximumDepth: 10 });

/**
 * Creates the relay; nothing listens until `listen`.
 * @example
 * const relay = createInspectorRelay();
 * const engine = createEngine({ inspect: relay.inspect });
 * const { url } = await relay.listen({ host: '127.0.0.1', port: 8080 }); // open url in a browser
 */
export function createInspectorRelay(options: InspectorRelayOptions = {}): InspectorRelay {
  const replaySize = options.replaySize ?? 1000;
  const replay: string[] = [];
  const server = createServer((req, res) => {
    if (!hasLoopbackHost(req.headers.host)) {
      res.writeHead(403).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(bridgePage);
  });
  const sockets = new WebSocketServer({ server, verifyClient: ({ origin, req }: { origin: string; req: IncomingMessage }) => isLocalClient(origin, req) });
  const broadcast = (message: string, from?: WebSocket) => {
    replay.push(message);
    if (replay.length > replaySize) replay.shift();
    for (const client of sockets.clients) if (client !== from && client.readyState === WebSocket.OPEN) client.send(message);
  };
  sockets.on('connection', (socket) => {
    for (const message of replay) socket.send(message);
    // Other processes may publish too (createWebSocketInspector pointed here), as with Stately's relay.
    socket.on('message', (data) => broadcast(data.toString(), socket));
  });
  const inspector = createInspector({ send: (event) => broadcast(stringify(event) ?? 'null') });
  let listening = false;
  return {
    inspect: inspector.inspect,
    async listen(address) {
      const { url, port } = await listenLoopback(server, address, 'Stately inspector relay');
      listening = true;
      const host = address.host.includes(':') ? `[${address.host}]` : address.host;
      return { url, websocketUrl: `ws://${host}:${port}` };
    },
    close: () => new Promise<void>((resolve) => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      if (!listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

// Browsers send an Origin: only pages served from this machine may read the events.
function isLocalClient(origin: string, req: IncomingMessage): boolean {
  if (!hasLoopbackHost(req.headers.host)) return false;
  if (!origin) return true;
  try {
    return hasLoopbackHost(new URL(origin).host);
  } catch {
    return false;
  }
}

// The page Stately's relay serves, with a word for when the hosted inspector cannot be reached.
const bridgePage = `<!doctype html>
<html>
<head>
  <meta charset="utf-8">
  <title>berth: Stately inspector</title>
  <style>
    * { margin: 0; padding: 0; }
    html, body { height: 100%; font: 14px system-ui, sans-serif; }
    p { padding: 6px 10px; background: #f1f5f9; color: #334155; }
    iframe { width: 100%; height: calc(100% - 32px); border: none; }
  </style>
</head>
<body>
  <p>berth's actor system in the hosted Stately inspector (${statelyInspectorUrl}, which needs the internet).
     Offline, use berth's own viewer: <code>berth daemon --ui</code>.</p>
  <iframe id="inspector" src="${statelyInspectorUrl}"></iframe>
  <script>
    const iframe = document.getElementById('inspector');
    const buffer = [];
    let connected = false;
    window.addEventListener('message', (e) => {
      if (e.data && e.data.type === '@statelyai.connected') {
        connected = true;
        for (const event of buffer.splice(0)) iframe.contentWindow.postMessage(event, '*');
      }
    });
    const ws = new WebSocket('ws://' + location.host);
    ws.onmessage = (event) => {
      const data = JSON.parse(event.data);
      if (connected) iframe.contentWindow.postMessage(data, '*');
      else buffer.push(data);
    };
  </script>
</body>
</html>
`;
