import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32 } from 'node:zlib';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { type Cell, columnLetter, csvStream, xlsxStream } from './tabular.js';

async function* from(rows: Cell[][]): AsyncGenerator<Cell[]> {
  yield* rows;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** 100k rows that record how many have been pulled and whether the source was closed. */
function counted(width = 1): { rows: AsyncGenerator<Cell[]>; pulled: () => number; closed: () => boolean } {
  let pulled = 0;
  let closed = false;
  async function* generate(): AsyncGenerator<Cell[]> {
    try {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield Array.from({ length: width }, (_, column) => `r${i}c${column}-${Math.random().toString(36).slice(2)}`);
      }
    } finally {
      closed = true;
    }
  }
  return { rows: generate(), pulled: () => pulled, closed: () => closed };
}

async function* failing(): AsyncGenerator<Cell[]> {
  yield ['ok'];
  throw new Error('database went away');
}

describe('csvStream', () => {
  it('writes a BOM, CRLF line ends and RFC 4180 quoting', async () => {
    const csv = await collect(
      csvStream(
        [{ header: 'Nama' }, { header: 'Alamat, Kota' }, { header: 'Nilai' }],
        from([
          ['Siti', 'Jl. Merdeka 1, Bandung', 42],
          ['Budi "Bud"', 'baris\nbaru', -3.5],
          [null, undefined, true],
          ['tab\there', 'cr\rhere', false],
        ]),
      ),
    );
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toBe(
      '\uFEFFNama,"Alamat, Kota",Nilai\r\n' +
        'Siti,"Jl. Merdeka 1, Bandung",42\r\n' +
        '"Budi ""Bud""","baris\nbaru",-3.5\r\n' +
        ',,true\r\n' +
        'tab\there,"cr\rhere",false\r\n',
    );
  });

  it('defuses formula injection in text but leaves numbers alone', async () => {
    const csv = await collect(
      csvStream(
        [{ header: 'x' }],
        from([['=HYPERLINK("http://evil")'], ['+62'], ['-1'], ['@SUM(A1)'], ['\tcmd'], ['\rcmd'], [-1], ['a=b']]),
      ),
    );
    expect(csv.toString('utf8').split('\r\n').slice(1)).toEqual([
      `"'=HYPERLINK(""http://evil"")"`,
      "'+62",
      "'-1",
      "'@SUM(A1)",
      "'\tcmd",
      `"'\rcmd"`,
      '-1',
      'a=b',
      '',
    ]);
  });

  it('writes dates as wall-clock time in the zone, Asia/Jakarta by default', async () => {
    const date = new Date('2024-01-31T17:30:05.250Z');
    const rows = (): AsyncGenerator<Cell[]> => from([[date, new Date(Number.NaN)]]);
    const lines = async (stream: Readable) => (await collect(stream)).toString('utf8').split('\r\n')[1];
    expect(await lines(csvStream([{ header: 'd' }, { header: 'e' }], rows()))).toBe('2024-02-01 00:30:05,');
    expect(await lines(csvStream([{ header: 'd' }], rows(), { timezone: 'Asia/Jayapura' }))).toBe('2024-02-01 02:30:05,');
    expect(await lines(csvStream([{ header: 'd' }], rows(), { timezone: 'UTC' }))).toBe('2024-01-31 17:30:05,');
    expect(() => csvStream([], from([]), { timezone: 'Asia/Atlantis' })).toThrow(RangeError);
  });

  it('writes every instant as its ISO date and time, whichever days came before (per-day text is cached)', async () => {
    // Instants around midnights, before 1970 and far apart, in an order that revisits days.
    const instants = [0, -1, 1, 86_399_999, 86_400_000, -86_400_001, Date.UTC(1999, 11, 31, 23, 59, 59, 999), Date.UTC(2000, 0, 1), 1_717_171_717_171];
    for (let i = 0; i < 500; i++) instants.push(Math.round(Math.sin(i) * 4e12), instants[i % 9]!);
    const csv = await collect(csvStream([{ header: 'd' }], from(instants.map((ms) => [new Date(ms)])), { timezone: 'UTC' }));
    expect(csv.toString('utf8').split('\r\n').slice(1, -1)).toEqual(instants.map((ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ')));
  });

  it('writes numbers as JavaScript does', async () => {
    const numbers = [0, -0, 1, -1, 0.1, -6.012345678901234, 1e21, 1.5e-7, 123456789012, Number.MAX_SAFE_INTEGER];
    const csv = await collect(csvStream([{ header: 'n' }], from(numbers.map((n) => [n]))));
    expect(csv.toString('utf8').split('\r\n').slice(1, -1)).toEqual(numbers.map(String));
  });

  it('gets the wall-clock time right on both sides of a DST change', async () => {
    const instants = ['2024-03-30T12:00:00Z', '2024-03-31T00:59:59Z', '2024-03-31T01:00:00Z', '2024-03-31T12:00:00Z'];
    const csv = await collect(csvStream([{ header: 'd' }], from(instants.map((instant) => [new Date(instant)])), { timezone: 'Europe/Berlin' }));
    expect(csv.toString('utf8').split('\r\n').slice(1, -1)).toEqual([
      '2024-03-30 13:00:00',
      '2024-03-31 01:59:59',
      '2024-03-31 03:00:00',
      '2024-03-31 14:00:00',
    ]);
  });

  it('pulls rows only as fast as a slow consumer reads', async () => {
    const source = counted();
    const stream = csvStream([{ header: 'x' }], source.rows);
    let rowsRead = 0;
    let maxLead = 0;
    for await (const chunk of stream) {
      rowsRead += (chunk as Buffer).filter((byte) => byte === 0x0a).length;
      await sleep(5);
      maxLead = Math.max(maxLead, source.pulled() - rowsRead);
      if (rowsRead > 5_000) break; // breaking destroys the stream
    }
    expect(maxLead).toBeLessThan(5_000);
    expect(source.pulled()).toBeLessThan(15_000);
    expect(source.closed()).toBe(true);
  });

  it('fails the stream when the row source fails', async () => {
    await expect(collect(csvStream([{ header: 'x' }], failing()))).rejects.toThrow('database went away');
  });
});

describe('columnLetter', () => {
  it('names columns like a spreadsheet', () => {
    expect([1, 2, 26, 27, 52, 702, 703, 16_384].map(columnLetter)).toEqual(['A', 'B', 'Z', 'AA', 'AZ', 'ZZ', 'AAA', 'XFD']);
  });
});

/** The parts of a workbook by name, read with a zip library (no unzip tool needed), each checked against its CRC-32. */
async function unzip(stream: Readable): Promise<Map<string, string>> {
  const archive = await yauzl.fromBufferPromise(await collect(stream), { lazyEntries: true });
  const parts = new Map<string, string>();
  for await (const entry of archive.eachEntry()) {
    const data = await collect(await archive.openReadStreamPromise(entry));
    expect(crc32(data), entry.fileName).toBe(entry.crc32);
    parts.set(entry.fileName, data.toString('utf8'));
  }
  return parts;
}

/** Throws unless the text is well-formed XML with its namespaces declared. */
function parseXml(text: string): void {
  new SaxesParser({ xmlns: true }).write(text).close();
}

describe('xlsxStream', () => {
  const part = (parts: Map<string, string>, path: string) => {
    expect([...parts.keys()]).toContain(path);
    return parts.get(path)!;
  };

  const sample = (): Readable =>
    xlsxStream(
      [{ header: 'Nomor', width: 12 }, { header: 'Judul <&>' }, { header: 'Dibuat', width: 20 }, { header: 'Selesai' }],
      from([
        [1, 'Jalan rusak <di> "A&B"', new Date('2024-01-31T17:00:00Z'), true],
        [-2.5, 'kontrol\u0000\u0007 dibuang\r\n', null, false],
        [3, '=1+1'],
      ]),
      { sheetName: 'Laporan: 2024/01' },
    );

  it('writes every part of a minimal workbook', async () => {
    const parts = await unzip(sample());
    expect([...parts.keys()].sort()).toEqual(
      [
        '[Content_Types].xml',
        '_rels/.rels',
        'xl/_rels/workbook.xml.rels',
        'xl/styles.xml',
        'xl/workbook.xml',
        'xl/worksheets/sheet1.xml',
      ].sort(),
    );
    expect(part(parts, 'xl/workbook.xml')).toContain('<sheet name="Laporan  2024 01" sheetId="1" r:id="rId1"/>');
    expect(part(parts, 'xl/styles.xml')).toContain('formatCode="yyyy-mm-dd hh:mm:ss"');
  });

  it('writes inline strings, numbers, booleans and dates, escaped and cleaned', async () => {
    const sheet = part(await unzip(sample()), 'xl/worksheets/sheet1.xml');
    expect(sheet).toContain('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>');
    expect(sheet).toContain(
      '<cols><col min="1" max="1" width="12" customWidth="1"/><col min="3" max="3" width="20" customWidth="1"/></cols>',
    );
    expect(sheet).toContain('<row r="1"><c r="A1" s="1" t="inlineStr"><is><t xml:space="preserve">Nomor</t></is></c>');
    expect(sheet).toContain('<c r="B1" s="1" t="inlineStr"><is><t xml:space="preserve">Judul &lt;&amp;&gt;</t></is></c>');
    expect(sheet).toContain(
      '<row r="2"><c r="A2"><v>1</v></c>' +
        '<c r="B2" t="inlineStr"><is><t xml:space="preserve">Jalan rusak &lt;di&gt; &quot;A&amp;B&quot;</t></is></c>' +
        // 2024-02-01 00:00 in Jakarta.
        '<c r="C2" s="2"><v>45323</v></c>' +
        '<c r="D2" t="b"><v>1</v></c></row>',
    );
    expect(sheet).toContain(
      '<row r="3"><c r="A3"><v>-2.5</v></c>' +
        '<c r="B3" t="inlineStr"><is><t xml:space="preserve">kontrol dibuang&#13;\n</t></is></c>' +
        '<c r="D3" t="b"><v>0</v></c></row>',
    );
    expect(sheet).toContain('<c r="B4" t="inlineStr"><is><t xml:space="preserve">=1+1</t></is></c>');
    expect(sheet.endsWith('</row></sheetData></worksheet>')).toBe(true);
  });

  it('is a valid zip of well-formed XML parts', async () => {
    const parts = await unzip(sample());
    expect(parts.size).toBe(6);
    for (const [name, xml] of parts) expect(() => parseXml(xml), name).not.toThrow();
    // The checker does refuse what is not XML: a control character, a tag left open, an undeclared prefix.
    expect(() => parseXml('<a>\u0007</a>')).toThrow();
    expect(() => parseXml('<a><b></a>')).toThrow();
    expect(() => parseXml('<a r:id="1"/>')).toThrow();
  });

  it('pulls rows only as fast as a slow consumer reads, and stops the source when abandoned', async () => {
    const source = counted(15);
    const stream = xlsxStream([{ header: 'x' }], source.rows);
    let chunks = 0;
    for await (const _chunk of stream) {
      await sleep(5);
      if (++chunks === 20) break;
    }
    await sleep(20);
    expect(source.pulled()).toBeLessThan(20_000);
    expect(source.closed()).toBe(true);
  });

  it('fails the stream when the row source fails', async () => {
    await expect(collect(xlsxStream([{ header: 'x' }], failing()))).rejects.toThrow('database went away');
  });
});
