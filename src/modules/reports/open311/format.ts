/**
 * Open311 GeoReport v2 serialisation (see docs/open311.md): pure functions, no HTTP or database.
 *
 * JSON follows the spec's examples (lists are top-level arrays, a service definition is an object).
 * XML is written by hand: schemaless, no namespace, compact, element order as in the spec; a null
 * value becomes an empty element, as the spec's examples show it.
 */
import { z } from 'zod';

export type Open311Format = 'json' | 'xml';

export interface O311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime' | 'batch' | 'blackbox';
  /** comma-separated */
  keywords: string;
  group: string;
}

export interface O311Attribute {
  variable: boolean;
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  datatype_description: string;
  order: number;
  description: string;
  /** only for singlevaluelist / multivaluelist */
  values?: { key: string; name: string }[];
}

export interface O311ServiceDefinition {
  service_code: string;
  attributes: O311Attribute[];
}

export interface O311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  /** w3 datetime with a time zone, e.g. 2010-01-01T00:00:00Z */
  requested_datetime: string;
  updated_datetime: string | null;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
}

export const o311PostResultSchema = z.array(
  z.object({
    // Either an id (realtime) or a token (batch), or neither (blackbox).
    service_request_id: z.string().optional().describe('The id to follow the request by (our tracking number)'),
    token: z.string().optional(),
    service_notice: z.string().nullable(),
    account_id: z.string().nullable(),
  }),
);
export type O311PostResult = z.infer<typeof o311PostResultSchema>[number];

export interface O311Token {
  /** null while the request has no id yet */
  service_request_id: string | null;
  token: string;
}

export const o311ErrorsSchema = z.array(z.object({ code: z.number().int(), description: z.string().describe('For the user, in the language Accept-Language asks for (Indonesian by default, or English)') }));
export type O311Error = z.infer<typeof o311ErrorsSchema>[number];

export interface O311Endpoint {
  specification: string;
  url: string;
  changeset: string;
  type: 'production' | 'test';
  /** MIME types, e.g. 'text/xml', 'application/json' */
  formats: string[];
}

export interface O311Discovery {
  changeset: string;
  contact: string;
  key_service: string;
  endpoints: O311Endpoint[];
}

export const GEOREPORT_V2_SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';

export const OPEN311_CONTENT_TYPE: Record<Open311Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

// ---- XML ------------------------------------------------------------------------------------

type XmlValue = string | number | boolean | null;
type XmlNode = readonly [tag: string, content: XmlValue | readonly XmlNode[]];

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';
// A carriage return is written as a reference: a literal one would be read back as a plain line feed.
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/**
 * Control characters and half surrogate pairs cannot be written in XML 1.0 (nor in UTF-8); citizens'
 * text may still contain them. Both forms drop them, so that a JSON and an XML client read the same text.
 */
function dropUnwritable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}

function escapeXml(text: string): string {
  return dropUnwritable(text).replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c]!);
}

function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? dropUnwritable(v) : v));
}

function element([tag, content]: XmlNode): string {
  const inner = Array.isArray(content)
    ? (content as readonly XmlNode[]).map(element).join('')
    : content === null
      ? ''
      : escapeXml(String(content));
  return `<${tag}>${inner}</${tag}>`;
}

function xmlDocument(root: XmlNode): string {
  return XML_DECLARATION + element(root);
}

/** Same fields and order for both formats: JSON from the pairs, XML from the nodes. */
function render(f: Open311Format, value: unknown, xmlRoot: XmlNode): string {
  return f === 'json' ? json(value) : xmlDocument(xmlRoot);
}

function toObject(nodes: readonly XmlNode[]): Record<string, XmlValue> {
  return Object.fromEntries(nodes) as Record<string, XmlValue>;
}

// ---- renderers ------------------------------------------------------------------------------

function serviceFields(s: O311Service): XmlNode[] {
  return [
    ['service_code', s.service_code],
    ['service_name', s.service_name],
    ['description', s.description],
    ['metadata', s.metadata],
    ['type', s.type],
    ['keywords', s.keywords],
    ['group', s.group],
  ];
}

export function renderServices(list: O311Service[], f: Open311Format): string {
  const rows = list.map(serviceFields);
  return render(f, rows.map(toObject), ['services', rows.map((r) => ['service', r] as const)]);
}

function attributeFields(a: O311Attribute): XmlNode[] {
  return [
    ['variable', a.variable],
    ['code', a.code],
    ['datatype', a.datatype],
    ['required', a.required],
    ['datatype_description', a.datatype_description],
    ['order', a.order],
    ['description', a.description],
  ];
}

export function renderServiceDefinition(def: O311ServiceDefinition, f: Open311Format): string {
  if (f === 'json') {
    return json({
      service_code: def.service_code,
      attributes: def.attributes.map((a) => ({
        ...toObject(attributeFields(a)),
        // The spec's JSON example shows an empty datatype_description as null (its XML as an empty element).
        datatype_description: a.datatype_description === '' ? null : a.datatype_description,
        ...(a.values ? { values: a.values.map((v) => ({ key: v.key, name: v.name })) } : {}),
      })),
    });
  }
  const attributes = def.attributes.map((a): XmlNode => {
    const values: XmlNode[] = a.values
      ? [['values', a.values.map((v): XmlNode => ['value', [['key', v.key], ['name', v.name]]])]]
      : [];
    return ['attribute', [...attributeFields(a), ...values]];
  });
  return xmlDocument(['service_definition', [['service_code', def.service_code], ['attributes', attributes]]]);
}

function requestFields(r: O311Request): XmlNode[] {
  return [
    ['service_request_id', r.service_request_id],
    ['status', r.status],
    ['status_notes', r.status_notes],
    ['service_name', r.service_name],
    ['service_code', r.service_code],
    ['description', r.description],
    ['agency_responsible', r.agency_responsible],
    ['service_notice', r.service_notice],
    ['requested_datetime', r.requested_datetime],
    ['updated_datetime', r.updated_datetime],
    ['expected_datetime', r.expected_datetime],
    ['address', r.address],
    ['address_id', r.address_id],
    ['zipcode', r.zipcode],
    ['lat', r.lat],
    ['long', r.long],
    ['media_url', r.media_url],
  ];
}

/** `<service_requests><request>…` — used by GET requests and GET a single request (a list of one). */
function renderRequestList(rows: XmlNode[][], f: Open311Format): string {
  return render(f, rows.map(toObject), ['service_requests', rows.map((r) => ['request', r] as const)]);
}

export function renderRequests(list: O311Request[], f: Open311Format): string {
  return renderRequestList(list.map(requestFields), f);
}

export function renderPostResult(r: O311PostResult[], f: Open311Format): string {
  return renderRequestList(
    r.map((p) => [
      // The spec: a token is not returned together with a service_request_id.
      ...(p.service_request_id !== undefined
        ? [['service_request_id', p.service_request_id] as const]
        : p.token !== undefined
          ? [['token', p.token] as const]
          : []),
      ['service_notice', p.service_notice],
      ['account_id', p.account_id],
    ]),
    f,
  );
}

export function renderTokens(r: O311Token[], f: Open311Format): string {
  return renderRequestList(
    r.map((t) => [
      ['service_request_id', t.service_request_id],
      ['token', t.token],
    ]),
    f,
  );
}

export function renderErrors(errs: O311Error[], f: Open311Format): string {
  const rows = errs.map((e): XmlNode[] => [
    ['code', e.code],
    ['description', e.description],
  ]);
  return render(f, rows.map(toObject), ['errors', rows.map((r) => ['error', r] as const)]);
}

export function renderDiscovery(d: O311Discovery, f: Open311Format): string {
  const head: XmlNode[] = [
    ['changeset', d.changeset],
    ['contact', d.contact],
    ['key_service', d.key_service],
  ];
  const endpoints = d.endpoints.map((e): XmlNode[] => [
    ['specification', e.specification],
    ['url', e.url],
    ['changeset', e.changeset],
    ['type', e.type],
  ]);
  if (f === 'json') {
    return json({
      ...toObject(head),
      endpoints: endpoints.map((e, i) => ({ ...toObject(e), formats: [...d.endpoints[i]!.formats] })),
    });
  }
  return xmlDocument([
    'discovery',
    [
      ...head,
      [
        'endpoints',
        endpoints.map((e, i): XmlNode => [
          'endpoint',
          [...e, ['formats', d.endpoints[i]!.formats.map((m): XmlNode => ['format', m])]],
        ]),
      ],
    ],
  ]);
}

// ---- request parsing ------------------------------------------------------------------------

const arg = (description: string) => z.string().optional().describe(description);
const coordinate = (description: string) => z.union([z.string(), z.number()]).optional().describe(description);

/**
 * The body of POST Service Request, form-encoded as the spec says (or JSON with the same fields).
 * Only the type of each field is checked here; what each must hold is checked where it is read, so
 * that a refusal names the rule.
 */
export const o311PostBodySchema = z
  .object({
    api_key: arg('The key an admin made for this client (also accepted in the query string)'),
    jurisdiction_id: arg("The city's Kemendagri code (36.72 or 3672); optional"),
    service_code: z.string().describe('A service_code from GET services'),
    lat: coordinate('WGS84 latitude; with long, or give address_string or address_id'),
    long: coordinate('WGS84 longitude; with lat'),
    address_string: arg('Where, in words; without lat/long the request goes to the complaint coordinator'),
    address_id: arg('A Kemendagri kelurahan code, e.g. 36.72.07.1001'),
    email: arg('Stored encrypted; never shown'),
    device_id: arg('Not stored'),
    account_id: arg('Not stored'),
    first_name: arg('Stored encrypted; officers see the name'),
    last_name: arg('Stored encrypted; officers see the name'),
    phone: arg('An Indonesian number; stored encrypted, officers see it masked'),
    description: arg('At most 4000 characters'),
    media_url: arg('Ignored: photos are not fetched from elsewhere'),
  })
  .catchall(
    z
      .union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))])
      .describe("The service definition's attributes: attribute[CODE]=value, and attribute[CODE][]=value repeated for a multivaluelist"),
  );

/** 'services.json' → { name: 'services', format: 'json' }; no or another extension → undefined. */
export function parseFormat(pathSegment: string): { name: string; format: Open311Format } | undefined {
  const m = /^(.+)\.(json|xml)$/.exec(pathSegment);
  return m ? { name: m[1]!, format: m[2] as Open311Format } : undefined;
}

const ATTRIBUTE_FIELD = /^attribute\[([^[\]]+)\](\[\])?$/;

/**
 * Collects `attribute[CODE]=v` (one value) and `attribute[CODE][]=v` (multivaluelist) form fields
 * into { CODE: 'v' } / { CODE: ['v', …] }. A field repeated without `[]` stays a list, so the caller
 * can reject several values for a single-value attribute. Empty values are dropped: the spec treats
 * an empty argument as an absent one.
 */
export function parseAttributeFields(body: Record<string, unknown>): Record<string, string | string[]> {
  const out = new Map<string, string | string[]>(); // a Map, so a code like "__proto__" stays data
  for (const [field, raw] of Object.entries(body)) {
    const m = ATTRIBUTE_FIELD.exec(field);
    if (!m) continue;
    const code = m[1]!;
    const values = (Array.isArray(raw) ? raw : [raw])
      .filter((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      .map(String)
      .filter((v) => v !== '');
    if (values.length === 0) continue;
    const before = out.get(code);
    if (before === undefined && m[2] === undefined && values.length === 1) out.set(code, values[0]!);
    else out.set(code, [...(before === undefined ? [] : [before].flat()), ...values]);
  }
  return Object.fromEntries(out);
}
