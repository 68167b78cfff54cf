// Docker's API version negotiation, server side (docker-lifecycle.md (i), (j)): every route is
// served bare and under /v{X.Y}/; a client version outside [minimum, maximum] is a 400 with
// Docker's own message, which clients print as is.
import { InvalidArgumentError } from '../errors.js';

/** The version berth advertises in `Api-Version`: the docker CLI 28 takes its modern paths with it. */
export const maxApiVersion = '1.51';
/** Docker's own minimum; older clients speak a different error format. */
export const minApiVersion = '1.24';

// Docker's router accepts any `v[0-9.]+` prefix, then compares it as dotted numbers.
const versionPrefix = /^\/v([0-9.]+)(\/.*)$/;

/** Splits `/v1.50/containers/json` into its version and route path; a bare path speaks the maximum. */
export function splitApiVersion(path: string): { version: string; path: string } {
  const match = versionPrefix.exec(path);
  if (!match) return { version: maxApiVersion, path };
  const [, version = '', rest = '/'] = match;
  if (compareVersions(version, minApiVersion) < 0) {
    throw new InvalidArgumentError(`client version ${version} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`);
  }
  if (compareVersions(version, maxApiVersion) > 0) {
    throw new InvalidArgumentError(`client version ${version} is too new. Maximum supported API version is ${maxApiVersion}`);
  }
  return { version, path: rest };
}

/**
 * A request target (`/v1.50/containers/web/logs?tail=5`) as its API version, route path and query;
 * what is not a path is a 400.
 */
export function parseRequestTarget(url: string): { version: string; path: string; query: URLSearchParams } {
  if (!url.startsWith('/')) throw new InvalidArgumentError(`the request target must be a path such as /containers/json, got ${JSON.stringify(url.slice(0, 100))}`);
  const queryAt = url.indexOf('?');
  const { version, path } = splitApiVersion(queryAt === -1 ? url : url.slice(0, queryAt));
  return { version, path, query: new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1)) };
}

/** True when the client's version is `minimum` or newer (e.g. the stop signal needs 1.42). */
export function isVersionAtLeast(version: string, minimum: string): boolean {
  return compareVersions(version, minimum) >= 0;
}

// Docker's versions.compare: dotted numbers, a part that is not a number counts as 0.
function compareVersions(a: string, b: string): number {
  const left = a.split('.'), right = b.split('.');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = Number(left[i] ?? 0) || 0, y = Number(right[i] ?? 0) || 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
