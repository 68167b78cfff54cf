// Just enough XML-RPC over a unix socket to drive supervisord the way supervisorctl does
// (supervisorctl is a Python program: starting it per call would time Python, not supervisord).
import { request } from 'node:http';

export type XmlRpcValue = string | number | boolean;

function encode(value: XmlRpcValue): string {
  if (typeof value === 'boolean') return `<boolean>${value ? 1 : 0}</boolean>`;
  if (typeof value === 'number') return `<int>${value}</int>`;
  return `<string>${value.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</string>`;
}

/** A failed call: supervisord's fault (e.g. BAD_NAME, ALREADY_STARTED) or a failed group member. */
export class XmlRpcFault extends Error {}

/**
 * Calls `method` and returns the response body (XML). Faults throw; so does any entry of a group
 * result whose status is not SUCCESS (80).
 * @example await callSupervisor(socketPath, 'supervisor.stopProcessGroup', ['w1', true])
 */
export function callSupervisor(socketPath: string, method: string, params: XmlRpcValue[] = []): Promise<string> {
  const body = `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${
    params.map((value) => `<param><value>${encode(value)}</value></param>`).join('')}</params></methodCall>`;
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/RPC2', method: 'POST', headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new XmlRpcFault(`${method}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
        if (text.includes('<fault>')) return reject(new XmlRpcFault(`${method}: ${/<name>faultString<\/name>\s*<value>(?:<string>)?([^<]*)/.exec(text)?.[1] ?? text}`));
        const failed = [...text.matchAll(/<name>status<\/name>\s*<value><int>(\d+)<\/int>/g)].filter((match) => match[1] !== '80');
        if (failed.length > 0) return reject(new XmlRpcFault(`${method}: ${failed.length} processes failed: ${text.slice(0, 300)}`));
        resolve(text);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
