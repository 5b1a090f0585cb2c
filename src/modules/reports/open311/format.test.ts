import { describe, it, expect } from 'vitest';
import {
  GEOREPORT_V2_SPECIFICATION,
  OPEN311_CONTENT_TYPE,
  parseAttributeFields,
  parseFormat,
  renderDiscovery,
  renderErrors,
  renderPostResult,
  renderRequests,
  renderServiceDefinition,
  renderServices,
  renderTokens,
  type O311Request,
  type O311Service,
  type O311ServiceDefinition,
} from './format.js';
import { jsonAsXmlText, xmlAsJson } from '../../../../test/support/open311-xml.js';

const DECL = '<?xml version="1.0" encoding="utf-8"?>\n';

/** The spec's indented examples, without the whitespace between elements. */
function compact(xml: string): string {
  return xml.replace(/>\s+</g, '><').trim();
}

const SERVICE: O311Service = {
  service_code: '001',
  service_name: 'Cans left out 24x7',
  description: 'Garbage or recycling cans that have been left out for more than 24 hours after collection.',
  metadata: true,
  type: 'realtime',
  keywords: 'lorem, ipsum, dolor',
  group: 'sanitation',
};

const DEFINITION: O311ServiceDefinition = {
  service_code: 'DMV66',
  attributes: [
    {
      variable: true,
      code: 'WHISHETN',
      datatype: 'singlevaluelist',
      required: true,
      datatype_description: '',
      order: 1,
      description: 'What is the ticket/tag/DL number?',
      values: [
        { key: '123', name: 'Ford' },
        { key: '124', name: 'Chrysler' },
      ],
    },
  ],
};

const REQUEST: O311Request = {
  service_request_id: '638344',
  status: 'closed',
  status_notes: 'Duplicate request.',
  service_name: 'Sidewalk and Curb Issues',
  service_code: '006',
  description: null,
  agency_responsible: null,
  service_notice: null,
  requested_datetime: '2010-04-14T06:37:38-08:00',
  updated_datetime: '2010-04-14T06:37:38-08:00',
  expected_datetime: '2010-04-15T06:37:38-08:00',
  address: '8TH AVE and JUDAH ST',
  address_id: '545483',
  zipcode: '94122',
  lat: 37.762221815,
  long: -122.4651145,
  media_url: 'http://city.gov.s3.amazonaws.com/requests/media/638344.jpg',
};

describe('renderServices', () => {
  it('JSON is a top-level array of services with the spec fields', () => {
    expect(JSON.parse(renderServices([SERVICE], 'json'))).toEqual([SERVICE]);
    expect(renderServices([], 'json')).toBe('[]');
  });

  it('XML is <services><service>… in spec order, booleans as true/false', () => {
    expect(renderServices([SERVICE], 'xml')).toBe(
      DECL +
        compact(`<services><service>
          <service_code>001</service_code>
          <service_name>Cans left out 24x7</service_name>
          <description>${SERVICE.description}</description>
          <metadata>true</metadata>
          <type>realtime</type>
          <keywords>lorem, ipsum, dolor</keywords>
          <group>sanitation</group>
        </service></services>`),
    );
    expect(renderServices([], 'xml')).toBe(`${DECL}<services></services>`);
  });

  it('drops fields the spec does not have', () => {
    const withExtra = { ...SERVICE, internal_id: 42 } as O311Service;
    expect(Object.keys(JSON.parse(renderServices([withExtra], 'json'))[0])).toEqual(Object.keys(SERVICE));
  });
});

describe('renderServiceDefinition', () => {
  it('JSON is an object; an empty datatype_description is null, as in the spec example', () => {
    expect(JSON.parse(renderServiceDefinition(DEFINITION, 'json'))).toEqual({
      service_code: 'DMV66',
      attributes: [
        {
          variable: true,
          code: 'WHISHETN',
          datatype: 'singlevaluelist',
          required: true,
          datatype_description: null,
          order: 1,
          description: 'What is the ticket/tag/DL number?',
          values: [
            { key: '123', name: 'Ford' },
            { key: '124', name: 'Chrysler' },
          ],
        },
      ],
    });
  });

  it('XML matches the spec example', () => {
    expect(renderServiceDefinition(DEFINITION, 'xml')).toBe(
      DECL +
        compact(`<service_definition>
          <service_code>DMV66</service_code>
          <attributes><attribute>
            <variable>true</variable>
            <code>WHISHETN</code>
            <datatype>singlevaluelist</datatype>
            <required>true</required>
            <datatype_description></datatype_description>
            <order>1</order>
            <description>What is the ticket/tag/DL number?</description>
            <values>
              <value><key>123</key><name>Ford</name></value>
              <value><key>124</key><name>Chrysler</name></value>
            </values>
          </attribute></attributes>
        </service_definition>`),
    );
  });

  it('omits values for an attribute without a list', () => {
    const def: O311ServiceDefinition = {
      service_code: 'X',
      attributes: [{ ...DEFINITION.attributes[0]!, datatype: 'text', values: undefined, datatype_description: 'Teks' }],
    };
    expect(renderServiceDefinition(def, 'xml')).not.toContain('<values>');
    const json = JSON.parse(renderServiceDefinition(def, 'json'));
    expect(json.attributes[0]).not.toHaveProperty('values');
    expect(json.attributes[0].datatype_description).toBe('Teks');
  });
});

describe('renderRequests', () => {
  it('JSON is a top-level array with every field, nulls kept', () => {
    const parsed = JSON.parse(renderRequests([REQUEST], 'json'));
    expect(parsed).toEqual([REQUEST]);
    expect(Object.keys(parsed[0])).toEqual(Object.keys(REQUEST));
  });

  it('XML is <service_requests><request>… in spec order, nulls as empty elements', () => {
    expect(renderRequests([REQUEST], 'xml')).toBe(
      DECL +
        compact(`<service_requests><request>
          <service_request_id>638344</service_request_id>
          <status>closed</status>
          <status_notes>Duplicate request.</status_notes>
          <service_name>Sidewalk and Curb Issues</service_name>
          <service_code>006</service_code>
          <description></description>
          <agency_responsible></agency_responsible>
          <service_notice></service_notice>
          <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
          <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
          <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
          <address>8TH AVE and JUDAH ST</address>
          <address_id>545483</address_id>
          <zipcode>94122</zipcode>
          <lat>37.762221815</lat>
          <long>-122.4651145</long>
          <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>
        </request></service_requests>`),
    );
  });

  it('escapes & < > " \' and drops characters XML cannot carry', () => {
    const r = { ...REQUEST, description: `Jalan "Raya" & <Gang 3> it's\u0001 rusak\nparah` };
    const xml = renderRequests([r], 'xml');
    expect(xml).toContain(
      '<description>Jalan &quot;Raya&quot; &amp; &lt;Gang 3&gt; it&apos;s rusak\nparah</description>',
    );
    // JSON drops them too: both forms carry the same text.
    expect(JSON.parse(renderRequests([r], 'json'))[0].description).toBe(`Jalan "Raya" & <Gang 3> it's rusak\nparah`);
  });
});

describe('renderPostResult', () => {
  it('matches the spec example in both formats', () => {
    const result = [{ service_request_id: '293944', service_notice: 'The City will inspect', account_id: null }];
    expect(JSON.parse(renderPostResult(result, 'json'))).toEqual(result);
    expect(renderPostResult(result, 'xml')).toBe(
      DECL +
        '<service_requests><request><service_request_id>293944</service_request_id>' +
        '<service_notice>The City will inspect</service_notice><account_id></account_id></request></service_requests>',
    );
  });

  it('returns a token only when there is no service_request_id, and neither for blackbox', () => {
    const batch = JSON.parse(renderPostResult([{ token: 't1', service_notice: null, account_id: 'a9' }], 'json'));
    expect(batch).toEqual([{ token: 't1', service_notice: null, account_id: 'a9' }]);
    const both = JSON.parse(renderPostResult([{ service_request_id: '1', token: 't', service_notice: null, account_id: null }], 'json'));
    expect(both[0]).not.toHaveProperty('token');
    expect(renderPostResult([{ service_notice: null, account_id: null }], 'xml')).toBe(
      `${DECL}<service_requests><request><service_notice></service_notice><account_id></account_id></request></service_requests>`,
    );
  });
});

describe('renderTokens', () => {
  it('matches the spec example in both formats; a pending id is empty/null', () => {
    expect(JSON.parse(renderTokens([{ service_request_id: '638344', token: '12345' }], 'json'))).toEqual([
      { service_request_id: '638344', token: '12345' },
    ]);
    expect(renderTokens([{ service_request_id: '638344', token: '12345' }], 'xml')).toBe(
      `${DECL}<service_requests><request><service_request_id>638344</service_request_id><token>12345</token></request></service_requests>`,
    );
    expect(renderTokens([{ service_request_id: null, token: 'a&b' }], 'xml')).toContain(
      '<service_request_id></service_request_id><token>a&amp;b</token>',
    );
    expect(JSON.parse(renderTokens([{ service_request_id: null, token: 'x' }], 'json'))[0].service_request_id).toBeNull();
  });
});

describe('renderErrors', () => {
  const errs = [{ code: 403, description: "Invalid api_key received -- can't proceed with create_request." }];

  it('JSON is a top-level array of {code, description}', () => {
    expect(JSON.parse(renderErrors(errs, 'json'))).toEqual(errs);
  });

  it('XML is <errors><error><code>…</code><description>…</description></error></errors>', () => {
    expect(renderErrors([...errs, { code: 400, description: 'service_code <kosong>' }], 'xml')).toBe(
      DECL +
        '<errors><error><code>403</code><description>Invalid api_key received -- can&apos;t proceed with create_request.</description></error>' +
        '<error><code>400</code><description>service_code &lt;kosong&gt;</description></error></errors>',
    );
  });
});

describe('renderDiscovery', () => {
  const discovery = {
    changeset: '2026-01-15T00:00:00Z',
    contact: 'Diskominfo Kota Cilegon <open311@cilegon.go.id>',
    key_service: 'Minta kunci API lewat admin',
    endpoints: [
      {
        specification: GEOREPORT_V2_SPECIFICATION,
        url: 'https://kota.example/open311/v2',
        changeset: '2026-01-14T00:00:00Z',
        type: 'production' as const,
        formats: ['text/xml', 'application/json'],
      },
    ],
  };

  it('JSON is an object with endpoints[] and formats[] as arrays', () => {
    expect(JSON.parse(renderDiscovery(discovery, 'json'))).toEqual(discovery);
  });

  it('XML is <discovery> … <endpoints><endpoint> … <formats><format>', () => {
    expect(renderDiscovery(discovery, 'xml')).toBe(
      DECL +
        compact(`<discovery>
          <changeset>2026-01-15T00:00:00Z</changeset>
          <contact>Diskominfo Kota Cilegon &lt;open311@cilegon.go.id&gt;</contact>
          <key_service>Minta kunci API lewat admin</key_service>
          <endpoints><endpoint>
            <specification>http://wiki.open311.org/GeoReport_v2</specification>
            <url>https://kota.example/open311/v2</url>
            <changeset>2026-01-14T00:00:00Z</changeset>
            <type>production</type>
            <formats><format>text/xml</format><format>application/json</format></formats>
          </endpoint></endpoints>
        </discovery>`),
    );
  });
});

describe('OPEN311_CONTENT_TYPE', () => {
  it('names the spec content types with charset', () => {
    expect(OPEN311_CONTENT_TYPE).toEqual({
      json: 'application/json; charset=utf-8',
      xml: 'text/xml; charset=utf-8',
    });
  });
});

describe('parseFormat', () => {
  it('splits the format suffix off a path segment', () => {
    expect(parseFormat('services.json')).toEqual({ name: 'services', format: 'json' });
    expect(parseFormat('requests.xml')).toEqual({ name: 'requests', format: 'xml' });
    expect(parseFormat('033.xml')).toEqual({ name: '033', format: 'xml' });
    expect(parseFormat('LPR-2026.00017.json')).toEqual({ name: 'LPR-2026.00017', format: 'json' });
  });

  it('returns undefined without a known format', () => {
    for (const s of ['services', 'services.html', '.json', 'services.json.bak', 'services.JSON', '']) {
      expect(parseFormat(s)).toBeUndefined();
    }
  });
});

describe('parseAttributeFields', () => {
  it('reads attribute[CODE] as one value and attribute[CODE][] as a list', () => {
    expect(
      parseAttributeFields({
        api_key: 'xyz',
        service_code: '001',
        'attribute[WHISPAWN]': '123456',
        'attribute[WHISDORN]': 'COISL001',
        'attribute[COLOURS][]': ['red', 'blue'],
        'attribute[ONE][]': 'only',
        attribute: 'ignored',
      }),
    ).toEqual({ WHISPAWN: '123456', WHISDORN: 'COISL001', COLOURS: ['red', 'blue'], ONE: ['only'] });
  });

  it('keeps a repeated single-value field as a list and merges both spellings', () => {
    expect(parseAttributeFields({ 'attribute[A]': ['1', '2'] })).toEqual({ A: ['1', '2'] });
    expect(parseAttributeFields({ 'attribute[B]': 'x', 'attribute[B][]': ['y'] })).toEqual({ B: ['x', 'y'] });
  });

  it('drops empty and non-scalar values, stringifies numbers, ignores malformed names', () => {
    expect(
      parseAttributeFields({
        'attribute[E]': '',
        'attribute[L][]': ['', 'a', { x: 1 }, null],
        'attribute[N]': 5,
        'attribute[]': 'no code',
        'attribute[X][Y]': 'nested',
        'attribute[Z': 'open',
      }),
    ).toEqual({ L: ['a'], N: '5' });
  });

  it('keeps a code named __proto__ as data', () => {
    const out = parseAttributeFields({ 'attribute[__proto__][]': ['a'] });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual(['a']);
  });
});

describe('JSON and XML forms', () => {
  const awkward = `Lubang "besar" & <dalam>\u0001\u001F\uFFFE\uD800 di Jl. Ahmad Yani\r\nRT 02 \u{1F6A7}\rujung`;
  /** Each form as a client reads it off the wire (UTF-8 bytes). */
  const wire = (body: string) => Buffer.from(body, 'utf8').toString('utf8');
  const both = (render: (f: 'json' | 'xml') => string) => [JSON.stringify(xmlAsJson(wire(render('xml')))), JSON.stringify(jsonAsXmlText(JSON.parse(wire(render('json')))))];

  it('say the same thing, field by field and in the same order, for every answer', () => {
    const cases: [string, (f: 'json' | 'xml') => string][] = [
      ['services', (f) => renderServices([SERVICE, { ...SERVICE, service_code: '002', description: awkward }], f)],
      ['service definition', (f) => renderServiceDefinition({ ...DEFINITION, attributes: [...DEFINITION.attributes, { ...DEFINITION.attributes[0]!, code: 'NOTE', datatype: 'text', values: undefined, description: awkward, order: 2 }] }, f)],
      ['requests', (f) => renderRequests([REQUEST, { ...REQUEST, description: awkward, status_notes: awkward, media_url: null }], f)],
      ['post result', (f) => renderPostResult([{ service_request_id: 'SK-2026-000001', service_notice: awkward, account_id: null }], f)],
      ['tokens', (f) => renderTokens([{ service_request_id: null, token: 't&1' }], f)],
      ['errors', (f) => renderErrors([{ code: 400, description: awkward }], f)],
      [
        'discovery',
        (f) =>
          renderDiscovery(
            { changeset: '2026-01-15T00:00:00Z', contact: awkward, key_service: 'k', endpoints: [{ specification: GEOREPORT_V2_SPECIFICATION, url: 'https://kota.example/open311/v2', changeset: '2026-01-15T00:00:00Z', type: 'production', formats: ['text/xml', 'application/json'] }] },
            f,
          ),
      ],
    ];
    for (const [name, render] of cases) {
      const [xml, json] = both(render);
      expect(xml, name).toBe(json);
    }
  });
});
