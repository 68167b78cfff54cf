// How berth answers over HTTP: Docker's headers on every response, JSON with the exact
// Content-Type the docker CLI needs to read an error (docker-lifecycle.md (j)), no body on 204
// and 304, and the one place where an error becomes a status.
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { messageOf } from '../../machines/records.js';
import { BerthError } from '../errors.js';
import { maxApiVersion } from './version.js';

/** What a simple handler answers: a status and, unless 204/304, a JSON body. */
export interface Reply {
  status: number;
  body?: unknown;
}

// Docker's middleware sets these on every response; clients read Api-Version and Ostype.
export function setDockerHeaders(res: ServerResponse, serverVersion: string): void {
  res.setHeader('Api-Version', maxApiVersion);
  res.setHeader('Ostype', 'linux');
  res.setHeader('Server', `berth/${serverVersion} (linux)`);
  res.setHeader('Docker-Experimental', 'false');
}

// Errors map to statuses here and nowhere else: a BerthError carries Docker's status, anything else is a 500.
export function statusOfError(error: unknown): number {
  return error instanceof BerthError ? error.status : 500;
}

// `Content-Type: application/json` exactly: with a charset suffix the docker CLI prints raw JSON instead of the message.
export function sendReply(res: ServerResponse, reply: Reply): void {
  if (reply.body === undefined || reply.status === 204 || reply.status === 304) {
    res.writeHead(reply.status);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A whole JSON error response as raw bytes, for a socket that has no ServerResponse (a request Node
 * could not parse, an upgrade): it closes the connection.
 */
export function rawJsonError(status: number, message: string): string {
  const body = JSON.stringify({ message });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

// Docker's error body, `{"message": ...}`; a 304 has none. Once a stream has begun, it can only end.
export function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const status = statusOfError(error);
  const message = messageOf(error);
  sendReply(res, { status, body: status === 304 ? undefined : { message } });
}
