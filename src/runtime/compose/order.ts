// Dependency order for `berth up`: start what a service depends on first, stop in reverse.
import type { Service } from './project.js';

/** Services sorted so each comes after its dependencies (file order otherwise); calls onCycle on a cycle. */
export function orderServices(services: Service[], onCycle: (cycle: string[]) => never): Service[] {
  const byName = new Map(services.map((service) => [service.name, service]));
  const ordered: Service[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (service: Service, path: string[]) => {
    if (state.get(service.name) === 'done') return;
    if (state.get(service.name) === 'visiting') onCycle([...path.slice(path.indexOf(service.name)), service.name]);
    state.set(service.name, 'visiting');
    for (const dependency of service.dependsOn) {
      const next = byName.get(dependency.service);
      if (next) visit(next, [...path, service.name]);
    }
    state.set(service.name, 'done');
    ordered.push(service);
  };
  for (const service of services) visit(service, []);
  return ordered;
}

/** Groups for stopping: dependents before their dependencies, each group stopped in parallel. */
export function stopWaves(services: Service[]): Service[][] {
  const depth = new Map<string, number>();
  // A service's wave is one more than the deepest service that depends on it.
  for (const service of [...services].reverse()) {
    const dependents = services.filter((s) => s.dependsOn.some((d) => d.service === service.name));
    depth.set(service.name, dependents.length === 0 ? 0 : Math.max(...dependents.map((d) => depth.get(d.name)! + 1)));
  }
  const waves: Service[][] = [];
  for (const service of services) (waves[depth.get(service.name)!] ??= []).push(service);
  return waves;
}
