/**
 * Exact reads over a stream of Buffers of any sizes (a file's read stream, decrypted chunks): the
 * container and the records inside it are length-prefixed, and their pieces never line up with the
 * stream's. Pieces are kept in a list and joined once per read, not once per piece.
 */
export class ByteReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private pieces: Buffer[] = [];
  private buffered = 0;
  private done = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    if (next.value.length > 0) {
      this.pieces.push(next.value);
      this.buffered += next.value.length;
    }
    return true;
  }

  private take(n: number): Buffer {
    const first = this.pieces[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.pieces.shift();
      else this.pieces[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.pieces, this.buffered);
      out = joined.subarray(0, n);
      this.pieces = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }

  /** Exactly `n` bytes, or undefined when the stream ends first (a clean end before the first byte, or a cut). */
  async read(n: number): Promise<Buffer | undefined> {
    if (n === 0) return Buffer.alloc(0);
    while (this.buffered < n) if (!(await this.fill())) return undefined;
    return this.take(n);
  }

  /** Up to `max` bytes (at least one), or undefined at the end: for payloads passed on piece by piece. */
  async readSome(max: number): Promise<Buffer | undefined> {
    while (this.buffered === 0) if (!(await this.fill())) return undefined;
    return this.take(Math.min(max, this.pieces[0]!.length));
  }

  async atEnd(): Promise<boolean> {
    while (this.buffered === 0) if (!(await this.fill())) return true;
    return false;
  }
}
