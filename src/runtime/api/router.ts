// A tiny router: routes are `METHOD /literal/{param}/...`, matched segment by segment on the raw
// path (so an encoded slash stays inside its segment and `..` is just a segment that matches no
// route), with parameters decoded only after matching.
import { InvalidArgumentError } from '../errors.js';
import type { Handler } from './request.js';

/** One entry of the route table. */
export interface Route {
  method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
  /** e.g. '/containers/{id}/json' */
  path: string;
  handler: Handler;
}

/** The handler for a request and its decoded path parameters. */
export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
}

/** The route for a method and raw path, with its parameters; undefined when none matches (Docker: 404). */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch | undefined {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const matched = pattern.every((part, i) => (part.startsWith('{') ? segments[i] !== '' : part === segments[i]));
    if (!matched) continue;
    const params: Record<string, string> = {};
    pattern.forEach((part, i) => { if (part.startsWith('{')) params[part.slice(1, -1)] = decodeSegment(segments[i]!); });
    return { handler: route.handler, params };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidArgumentError(`invalid percent-encoding in the request path segment ${JSON.stringify(segment)}: encode reserved characters as %XX`);
  }
}
