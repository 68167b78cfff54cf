// `berth diagram [--format mermaid|svg]`: the container statechart, generated from the machine
// definition (src/machines/container.ts) every time, never drawn by hand.
import { parseArgs } from 'node:util';
import { statechartOf, toMermaid, toSvg } from '../diagram.js';
import { InvalidArgumentError } from '../errors.js';

const usage = `Usage: berth diagram [--format mermaid|svg]

Prints the container statechart, read from the machine itself: Mermaid text (the default; GitHub
renders it in Markdown) or an SVG picture, e.g. berth diagram --format svg > statechart.svg
`;

/** `berth diagram`; resolves with the exit code. */
export async function runDiagram(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { format: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  if (values.help) {
    out.write(usage);
    return 0;
  }
  if (positionals.length > 0) throw new InvalidArgumentError(`"berth diagram" takes no arguments, got ${JSON.stringify(positionals.join(' '))}`);
  const format = values.format ?? 'mermaid';
  if (format !== 'mermaid' && format !== 'svg') throw new InvalidArgumentError(`Expected --format to be mermaid or svg, got ${JSON.stringify(format)}`);
  const chart = statechartOf();
  out.write(format === 'svg' ? await toSvg(chart) : toMermaid(chart));
  return 0;
}
