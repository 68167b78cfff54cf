// A Compose project as berth runs it: the lifecycle subset of each service, validated.
import type { CreateOptions } from '../spec.js';

export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface Healthcheck {
  /** argv (CMD) or a shell command (CMD-SHELL). */
  test: string[] | string;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

export interface Service {
  name: string;
  container: CreateOptions;
  dependsOn: Array<{ service: string; condition: DependencyCondition }>;
  healthcheck?: Healthcheck;
}

/** What berth does when it receives an OS signal (x-berth: signals). */
export type SignalRoute = { action: 'stop' } | { action: 'ignore' } | { action: 'forward'; services: string[] | 'all' };

export interface Project {
  name: string;
  file: string;
  /** In dependency order: every service after the ones it depends on. */
  services: Service[];
  signals: Map<string, SignalRoute>;
  /** One line each, shown at start-up. */
  warnings: string[];
}
