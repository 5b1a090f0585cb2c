/**
 * Reads a GeoReport v2 XML answer back by the spec's "Spark convention" (a list element becomes an
 * array, an element an object key, an empty element null), so a test can check that the XML and the
 * JSON form of an answer say the same thing, field by field and in the same order.
 */

/** Elements whose children are list items (their own names are dropped, as in the JSON form). */
const LISTS = new Set(['services', 'service_requests', 'errors', 'attributes', 'values', 'endpoints', 'formats']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

interface XmlElement {
  tag: string;
  children: XmlElement[];
  text: string;
}

function parse(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const root: XmlElement = { tag: '#root', children: [], text: '' };
  const stack = [root];
  for (const token of body.match(/<\/?[a-z_]+>|[^<]+/g) ?? []) {
    const top = stack.at(-1)!;
    if (token.startsWith('</')) {
      if (token.slice(2, -1) !== top.tag) throw new Error(`unbalanced ${token} in ${xml}`);
      stack.pop();
    } else if (token.startsWith('<')) {
      const element: XmlElement = { tag: token.slice(1, -1), children: [], text: '' };
      top.children.push(element);
      stack.push(element);
    } else {
      // As an XML parser reads text: line ends normalised first, then references resolved.
      top.text += token
        .replace(/\r\n?/g, '\n')
        .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (_, ref: string) =>
          ref.startsWith('#') ? String.fromCodePoint(Number(ref.startsWith('#x') ? `0${ref.slice(1)}` : ref.slice(1))) : (ENTITIES[ref] ?? `&${ref};`),
        );
    }
  }
  if (stack.length !== 1 || root.children.length !== 1) throw new Error(`not one root element: ${xml}`);
  return root.children[0]!;
}

function spark(e: XmlElement): unknown {
  if (LISTS.has(e.tag)) return e.children.map(spark);
  if (e.children.length) return Object.fromEntries(e.children.map((c) => [c.tag, spark(c)]));
  return e.text === '' ? null : e.text;
}

/** The XML answer as the JSON form would hold it, every value a string (XML has no numbers). */
export function xmlAsJson(xml: string): unknown {
  return spark(parse(xml));
}

/** A JSON answer with numbers and booleans written as XML writes them, to compare with xmlAsJson. */
export function jsonAsXmlText(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(jsonAsXmlText);
  if (json && typeof json === 'object') return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, jsonAsXmlText(v)]));
  if (typeof json === 'number' || typeof json === 'boolean') return String(json);
  return json;
}
