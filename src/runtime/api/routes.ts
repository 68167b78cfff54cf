// The Docker Engine API subset berth serves (docker-lifecycle.md (i)). Each route is also served
// under /v{X.Y}/ (version.ts); anything else is Docker's 404 "page not found", with what berth serves.
import { createContainer, inspectContainer, listContainers, removeContainer, renameContainer } from './routes/containers.js';
import { streamEvents } from './routes/events.js';
import {
  killContainer, pauseContainer, restartContainer, startContainer, stopContainer, unpauseContainer,
} from './routes/lifecycle.js';
import { refusePull } from './routes/images.js';
import { pruneContainers } from './routes/prune.js';
import { streamLogs } from './routes/logs.js';
import { ping, showInfo, showVersion } from './routes/system.js';
import { statsContainer } from './routes/stats.js';
import { topContainer } from './routes/top.js';
import { waitContainer } from './routes/wait.js';
import type { Route } from './router.js';

/** Every route, matched in order (literal paths before parameters where both could match). */
export const routes: readonly Route[] = [
  { method: 'HEAD', path: '/_ping', handler: ping },
  { method: 'GET', path: '/_ping', handler: ping },
  { method: 'GET', path: '/version', handler: showVersion },
  { method: 'GET', path: '/info', handler: showInfo },
  { method: 'GET', path: '/events', handler: streamEvents },
  { method: 'GET', path: '/containers/json', handler: listContainers },
  { method: 'POST', path: '/containers/create', handler: createContainer },
  { method: 'POST', path: '/containers/prune', handler: pruneContainers },
  { method: 'GET', path: '/containers/{id}/json', handler: inspectContainer },
  { method: 'GET', path: '/containers/{id}/logs', handler: streamLogs },
  { method: 'GET', path: '/containers/{id}/top', handler: topContainer },
  { method: 'GET', path: '/containers/{id}/stats', handler: statsContainer },
  { method: 'POST', path: '/containers/{id}/start', handler: startContainer },
  { method: 'POST', path: '/containers/{id}/stop', handler: stopContainer },
  { method: 'POST', path: '/containers/{id}/restart', handler: restartContainer },
  { method: 'POST', path: '/containers/{id}/kill', handler: killContainer },
  { method: 'POST', path: '/containers/{id}/pause', handler: pauseContainer },
  { method: 'POST', path: '/containers/{id}/unpause', handler: unpauseContainer },
  { method: 'POST', path: '/containers/{id}/wait', handler: waitContainer },
  { method: 'POST', path: '/containers/{id}/rename', handler: renameContainer },
  { method: 'DELETE', path: '/containers/{id}', handler: removeContainer },
  { method: 'POST', path: '/images/create', handler: refusePull },
];
