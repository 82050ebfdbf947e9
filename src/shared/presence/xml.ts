import { XMLParser } from 'fast-xml-parser';

/**
 * The one XML reader for presence bodies (dialog-info, PIDF) that come off the wire from any PBX:
 * bounded in size, no DTDs (no entity expansion), namespace prefixes dropped (servers differ in
 * which prefixes they use), attributes as `@name`. Returns null for anything that is not XML.
 */
export const maxPresenceBodyBytes = 64 * 1024;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => name === 'dialog' || name === 'tuple' || name === 'person',
});

export type XmlNode = Record<string, unknown>;

export function readXml(body: string): XmlNode | null {
  if (typeof body !== 'string' || body.length > maxPresenceBodyBytes || /<!(DOCTYPE|ENTITY)/i.test(body)) return null;
  try {
    const doc = parser.parse(body, true) as unknown;
    return doc && typeof doc === 'object' ? (doc as XmlNode) : null;
  } catch {
    return null;
  }
}

/** A child element as a node (a text-only element becomes { '#text': … }); undefined when absent. */
export function child(node: unknown, name: string): XmlNode | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const v = (node as XmlNode)[name];
  if (Array.isArray(v)) return child({ [name]: v[0] }, name);
  if (v === undefined || v === null) return undefined;
  return typeof v === 'object' ? (v as XmlNode) : { '#text': String(v) };
}

/** Children of one name, always as an array. */
export function children(node: unknown, name: string): XmlNode[] {
  if (!node || typeof node !== 'object') return [];
  const v = (node as XmlNode)[name];
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.map((x) => (x && typeof x === 'object' ? (x as XmlNode) : { '#text': String(x) }));
}

/** An element's text (trimmed, at most `max` characters), or undefined. */
export function text(node: XmlNode | undefined, max = 256): string | undefined {
  const t = node?.['#text'];
  return typeof t === 'string' && t !== '' ? t.slice(0, max) : undefined;
}

export function attr(node: XmlNode | undefined, name: string, max = 256): string | undefined {
  const v = node?.[`@${name}`];
  return typeof v === 'string' && v !== '' ? v.slice(0, max) : undefined;
}

/** Escapes text for an XML element or a double-quoted attribute. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
