// The contenders by name, and which of them this machine can run.
import { createBerth } from './berth.js';
import { cFloorUnavailable, createCFloor } from './c-floor.js';
import type { Contender, ContenderContext, ContenderName } from './contender.js';
import { createPm2, pm2Available } from './pm2.js';
import { createRawNode } from './raw-node.js';
import { createSupervisord, supervisordVersion } from './supervisord.js';
import { createXstateFloor } from './xstate-floor.js';

export type { Contender, ContenderContext, ContenderName, Group, MemorySample } from './contender.js';
export { contenderNames, isInProcess } from './contender.js';

export function createContender(name: ContenderName, context: ContenderContext): Contender {
  switch (name) {
    case 'c-floor': return createCFloor(context);
    case 'raw-node': return createRawNode(context);
    case 'xstate-floor': return createXstateFloor(context);
    case 'berth': return createBerth(context);
    case 'pm2': return createPm2(context);
    case 'supervisord': return createSupervisord(context);
  }
}

/** Why a contender cannot run here (one line, for the skip message), or undefined if it can. */
export function unavailableReason(name: ContenderName): string | undefined {
  if (name === 'c-floor') return cFloorUnavailable();
  if (name === 'pm2' && !pm2Available()) return 'pm2 is not installed: run `npm install` (it is a dev dependency)';
  if (name === 'supervisord' && supervisordVersion() === undefined) return 'supervisord is not installed: `sudo apt-get install -y supervisor` (bench/README.md)';
  return undefined;
}
