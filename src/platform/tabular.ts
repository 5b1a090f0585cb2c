import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';

/**
 * Streaming CSV and XLSX export. Rows are pulled from the async iterable only as fast as the
 * consumer reads, and nothing grows with the row count (no shared strings table, no row buffer),
 * so a million-row export runs in constant memory.
 */

export type Cell = string | number | boolean | Date | null | undefined;

export interface Column {
  header: string;
  /** XLSX column width in characters; ignored by CSV. */
  width?: number;
}

export interface CsvOptions {
  /** IANA zone in which dates are written as wall-clock time; default Asia/Jakarta. */
  timezone?: string;
}

export interface XlsxOptions extends CsvOptions {
  sheetName?: string;
}

const DEFAULT_TIMEZONE = 'Asia/Jakarta';
/** Rows are joined into chunks of about this many characters: a push per row is slow, and the chunk bounds how far ahead we read. */
const CHUNK_CHARS = 16 * 1024;
const MS_PER_DAY = 86_400_000;
/** Excel's serial number of 1970-01-01. */
const EXCEL_UNIX_EPOCH = 25_569;
/** Excel refuses files beyond these limits, so fail the export instead of producing one. */
const XLSX_MAX_ROWS = 1_048_576;
const XLSX_MAX_COLUMNS = 16_384;
const XLSX_MAX_CELL_CHARS = 32_767;
/** Everything outside the XML 1.0 Char production (control characters, lone surrogates, U+FFFE/U+FFFF). */
const ILLEGAL_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const XML_ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', '\r': '&#13;' };

/** RFC 4180 CSV with a UTF-8 BOM (so Excel reads Indonesian text as UTF-8) and CRLF line ends. */
export function csvStream(columns: Column[], rows: AsyncIterable<Cell[]>, options: CsvOptions = {}): Readable {
  const dateText = dateTextIn(wallClockIn(options.timezone ?? DEFAULT_TIMEZONE));
  const line = (cells: readonly Cell[]) => {
    let text = '';
    for (let i = 0; i < cells.length; i++) text += i === 0 ? csvField(cells[i], dateText) : `,${csvField(cells[i], dateText)}`;
    return `${text}\r\n`;
  };
  return chunkedStream(`\uFEFF${line(columns.map((column) => column.header))}`, rows, line, '');
}

/** A one-sheet Office Open XML workbook: bold frozen header row, inline strings, dates in `timezone`. */
export function xlsxStream(columns: Column[], rows: AsyncIterable<Cell[]>, options: XlsxOptions = {}): Readable {
  const wallClock = wallClockIn(options.timezone ?? DEFAULT_TIMEZONE);
  if (columns.length > XLSX_MAX_COLUMNS) throw new RangeError(`XLSX allows at most ${XLSX_MAX_COLUMNS} columns`);
  const letters = columns.map((_, index) => columnLetter(index + 1));
  const ref = (index: number, row: number) => `${letters[index] ?? columnLetter(index + 1)}${row}`;
  const header = columns.map((column, index) => inlineString(ref(index, 1), column.header, ' s="1"')).join('');
  const sheet = chunkedStream(
    `${sheetHead(columns)}<row r="1">${header}</row>`,
    rows,
    (cells, index) => {
      const row = index + 2;
      if (row > XLSX_MAX_ROWS) throw new RangeError(`XLSX allows at most ${XLSX_MAX_ROWS - 1} data rows`);
      const number = numberText(row);
      let xml = `<row r="${number}">`;
      for (let column = 0; column < cells.length; column++) xml += xlsxCell((letters[column] ?? columnLetter(column + 1)) + number, cells[column], wallClock);
      return `${xml}</row>`;
    },
    '</sheetData></worksheet>',
  );

  const zip = new ZipFile();
  for (const [path, xml] of Object.entries(staticParts(sheetTitle(options.sheetName)))) zip.addBuffer(Buffer.from(xml), path);
  zip.addReadStream(sheet, 'xl/worksheets/sheet1.xml');
  zip.end();
  const out = zip.outputStream as Readable;
  // yazl does not forward errors of an added stream, and a consumer that gives up should stop the row source.
  sheet.once('error', (error) => out.destroy(error));
  out.once('close', () => sheet.destroy());
  return out;
}

/** Spreadsheet column name of a 1-based index: 1 → A, 26 → Z, 27 → AA, 703 → AAA. */
export function columnLetter(index: number): string {
  let name = '';
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

function chunkedStream(
  head: string,
  rows: AsyncIterable<Cell[]>,
  render: (cells: Cell[], index: number) => string,
  tail: string,
): Readable {
  async function* generate(): AsyncGenerator<Buffer> {
    let chunk = head;
    let index = 0;
    for await (const cells of rows) {
      chunk += render(cells, index++);
      if (chunk.length >= CHUNK_CHARS) {
        yield Buffer.from(chunk);
        chunk = '';
      }
    }
    yield Buffer.from(chunk + tail);
  }
  return Readable.from(generate(), { objectMode: false });
}

/**
 * Returns the date's wall-clock time in `timeZone` as milliseconds since 1970 read as if it were UTC
 * (NaN for an invalid date). Validates the zone now, so a bad zone fails before streaming starts.
 */
function wallClockIn(timeZone: string): (date: Date) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const offsetAt = (ms: number): number => {
    const instant = ms - (((ms % 1000) + 1000) % 1000);
    const part: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
    for (const { type, value } of format.formatToParts(instant)) part[type] = Number(value);
    const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = part;
    return Date.UTC(year, month - 1, day, hour, minute, second) - instant;
  };
  // formatToParts costs microseconds, too slow for millions of dates, so the offset is cached per UTC day
  // (bounded), and computed exactly on days when it changes (DST transitions).
  const offsets = new Map<number, number>();
  return (date) => {
    const ms = date.getTime();
    if (Number.isNaN(ms)) return Number.NaN;
    const day = Math.floor(ms / MS_PER_DAY);
    let offset = offsets.get(day);
    if (offset === undefined) {
      const start = offsetAt(day * MS_PER_DAY);
      offset = start === offsetAt((day + 1) * MS_PER_DAY - 1000) ? start : Number.NaN;
      if (offsets.size >= 10_000) offsets.clear();
      offsets.set(day, offset);
    }
    return ms + (Number.isNaN(offset) ? offsetAt(ms) : offset);
  };
}

/**
 * A finite number as JavaScript writes it (String(n)), through JSON.stringify: V8 caches String(n)'s
 * result and so allocates it in the old generation, where a million rows' unique numbers (coordinates,
 * dates as Excel serials, row numbers) were ~90 MB of garbage in a million-row XLSX export.
 */
const numberText = (n: number): string => JSON.stringify(n);

/** Two-digit numbers 00–59, for hours, minutes and seconds. */
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));

/**
 * `YYYY-MM-DD hh:mm:ss` of a date's wall-clock time ('' for an invalid date). A million rows hold
 * millions of dates: the day's text is cached and the time of day is arithmetic, rather than a Date
 * and an ISO string made and cut for each.
 */
function dateTextIn(wallClock: (date: Date) => number): (date: Date) => string {
  const days = new Map<number, string>();
  return (date) => {
    const wall = wallClock(date);
    if (Number.isNaN(wall)) return '';
    const day = Math.floor(wall / MS_PER_DAY);
    let prefix = days.get(day);
    if (prefix === undefined) {
      const iso = new Date(day * MS_PER_DAY).toISOString();
      // Years outside 0000–9999 are written as ISO writes them, cut as before.
      if (iso.length !== 24) return new Date(wall).toISOString().slice(0, 19).replace('T', ' ');
      prefix = `${iso.slice(0, 10)} `;
      if (days.size >= 10_000) days.clear();
      days.set(day, prefix);
    }
    const seconds = Math.floor((wall - day * MS_PER_DAY) / 1000);
    return `${prefix}${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}`;
  };
}

/** First characters that make a spreadsheet read text as a formula (OWASP CSV injection): = + - @ tab CR. */
const FORMULA_START = new Set([0x3d, 0x2b, 0x2d, 0x40, 0x09, 0x0d]);

function csvField(cell: Cell, dateText: (date: Date) => string): string {
  if (cell == null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? numberText(cell) : '';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  if (cell instanceof Date) return dateText(cell);
  const text = FORMULA_START.has(cell.charCodeAt(0)) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function xlsxCell(ref: string, cell: Cell, wallClock: (date: Date) => number): string {
  if (cell == null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? `<c r="${ref}"><v>${numberText(cell)}</v></c>` : '';
  if (typeof cell === 'boolean') return `<c r="${ref}" t="b"><v>${cell ? 1 : 0}</v></c>`;
  if (cell instanceof Date) {
    const wall = wallClock(cell);
    return Number.isNaN(wall) ? '' : `<c r="${ref}" s="2"><v>${numberText(wall / MS_PER_DAY + EXCEL_UNIX_EPOCH)}</v></c>`;
  }
  return inlineString(ref, cell, '');
}

function inlineString(ref: string, text: string, style: string): string {
  return `<c r="${ref}"${style} t="inlineStr"><is><t xml:space="preserve">${xml(text.slice(0, XLSX_MAX_CELL_CHARS))}</t></is></c>`;
}

function xml(text: string): string {
  return text.replace(ILLEGAL_XML, '').replace(/[<>&"\r]/g, (char) => XML_ESCAPES[char] ?? char);
}

function sheetHead(columns: Column[]): string {
  const cols = columns
    .map((column, index) => {
      const width = column.width;
      if (width === undefined || !Number.isFinite(width) || width <= 0) return '';
      return `<col min="${index + 1}" max="${index + 1}" width="${Math.min(width, 255)}" customWidth="1"/>`;
    })
    .join('');
  return (
    `${XML_DECLARATION}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    '<sheetViews><sheetView workbookViewId="0">' +
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>' +
    '</sheetView></sheetViews>' +
    (cols ? `<cols>${cols}</cols>` : '') +
    '<sheetData>'
  );
}

/** Excel sheet names: at most 31 characters, none of \ / ? * [ ] :, not blank, no apostrophe at either end. */
function sheetTitle(name: string | undefined): string {
  const title = (name ?? '')
    .replace(ILLEGAL_XML, '')
    .replace(/[\\/?*[\]:]/g, ' ')
    .slice(0, 31)
    .replace(/^'+|'+$/g, '')
    .trim();
  return title || 'Sheet1';
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

function staticParts(sheetName: string): Record<string, string> {
  return {
    '[Content_Types].xml':
      `${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
      '</Types>',
    '_rels/.rels':
      `${XML_DECLARATION}<Relationships xmlns="${PACKAGE_REL_NS}">` +
      `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
      '</Relationships>',
    'xl/workbook.xml':
      `${XML_DECLARATION}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
      `<sheets><sheet name="${xml(sheetName)}" sheetId="1" r:id="rId1"/></sheets>` +
      '</workbook>',
    'xl/_rels/workbook.xml.rels':
      `${XML_DECLARATION}<Relationships xmlns="${PACKAGE_REL_NS}">` +
      `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>` +
      `<Relationship Id="rId2" Type="${REL_NS}/styles" Target="styles.xml"/>` +
      '</Relationships>',
    // Cell styles: 0 normal, 1 bold (header), 2 date and time.
    'xl/styles.xml':
      `${XML_DECLARATION}<styleSheet xmlns="${MAIN_NS}">` +
      '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>' +
      '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
      '<cellXfs count="3">' +
      '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
      '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
      '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
      '</cellXfs>' +
      '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
      '</styleSheet>',
  };
}
