// What the SVG renderings (diagram.ts, trace.ts) share: escaping and compact numbers.

/** Text for XML content and attributes. */
export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** A coordinate with one decimal at most, so the files stay small and stable. */
export function fmt(value: number): string {
  return String(Math.round(value * 10) / 10);
}
