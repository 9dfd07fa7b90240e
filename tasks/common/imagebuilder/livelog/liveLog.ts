/**
 * The build's Packer log, followed while it runs: every line handed to the sink exactly once, in
 * order.
 *
 * Two places hold the log. The build container's logs API (ACI) offers only `tail=N` (the last N
 * lines) and `timestamps`; each poll asks for a tail sized to what is likely new, finds where the
 * lines already printed end by their timestamps, and asks again for more when the window does not
 * reach back that far (a gap). `customization.log` in the staging storage account holds the same
 * lines once written; it is read with ranges from the byte offset of what was printed, starting one
 * line early to check that the two agree (else it is read whole and aligned by line count).
 */

export interface ContainerLogReader {
  /**
   * The log with timestamps; the last `tail` lines, or all when undefined. Undefined: no container.
   */
  read(tail: number | undefined): Promise<string | undefined>;
}

export interface BlobLogReader {
  /**
   * Bytes from `offset` to the end ('' when nothing is there); undefined when the blob does not
   * exist.
   */
  read(offset: number): Promise<Buffer | undefined>;
}

interface Stamped {
  ts: string;
  text: string;
}

/**
 * The smallest tail asked for: a few lines, at least one of them already printed, confirms there is
 * no gap.
 */
const MIN_TAIL = 4;
/** Beyond this a gap is closed by reading the whole log. */
const MAX_TAIL = 20_000;

export class LiveLog {
  /** Lines handed to the sink. */
  lines = 0;
  /** UTF-8 bytes of those lines with their newlines: the offset in customization.log. */
  bytes = 0;
  /** Bytes fetched from either source (for the bench: fetched / log size). */
  fetched = { container: 0, blob: 0, containerCalls: 0, blobCalls: 0 };
  private lastTs?: string;
  /** Lines printed that carry `lastTs` (timestamps may repeat). */
  private atLastTs = 0;
  private lastLine?: string;
  /** New lines per poll expected, from the reads so far. */
  private rate = MIN_TAIL;

  constructor(private readonly sink: (line: string) => void) {}

  /**
   * Prints what the container wrote since the last read, `polls` polls ago. False when there is no
   * container (yet, or any more). The tail asked for is what the rate of lines so far gives for
   * that many polls, with a margin; a window too short (a gap) is widened, twice then four times
   * over, until it reaches back to what was printed.
   */
  async pollContainer(reader: ContainerLogReader, polls = 1): Promise<boolean> {
    let tail: number | undefined =
      this.lines === 0
        ? undefined
        : Math.min(MAX_TAIL, Math.max(MIN_TAIL, Math.ceil(this.rate * polls * 1.5) + 2));
    let widened = 0;
    for (;;) {
      const content = await reader.read(tail);
      if (content === undefined) return false;
      this.fetched.container += Buffer.byteLength(content, 'utf8');
      this.fetched.containerCalls++;
      const lines = parseStamped(content);
      const fresh = this.freshLines(lines, tail);
      if (fresh === undefined) {
        const wider = tail === undefined ? undefined : tail * (widened++ === 0 ? 2 : 4);
        tail = wider !== undefined && wider <= MAX_TAIL ? wider : undefined;
        continue;
      }
      // A burst that needed a wider window is not the new pace: the estimate at most doubles.
      this.rate = widened
        ? Math.min(fresh.length / polls, 2 * this.rate + 1)
        : fresh.length / polls;
      for (const l of fresh) this.emit(l.text, l.ts);
      return true;
    }
  }

  /**
   * The lines after what was printed, or undefined when the window may have missed some (a gap):
   * the window is full (as long as the tail asked for) and its first line is not older than the
   * last one printed.
   */
  private freshLines(lines: Stamped[], tail: number | undefined): Stamped[] | undefined {
    if (this.lastTs === undefined) {
      // Nothing printed yet, or the last lines came from the blob: align by count on the whole log.
      if (this.lines === 0) return lines;
      return tail === undefined ? lines.slice(Math.min(this.lines, lines.length)) : undefined;
    }
    const windowIsWholeLog = tail === undefined || lines.length < tail;
    const last = this.lastTs;
    if (!windowIsWholeLog && (lines.length === 0 || lines[0].ts >= last)) return undefined;
    let i = 0;
    while (i < lines.length && lines[i].ts < last) i++;
    let same = 0;
    while (i < lines.length && lines[i].ts === last) {
      i++;
      same++;
    }
    if (same < this.atLastTs) {
      // Fewer lines with that timestamp than were printed: the log is not the one printed from.
      return windowIsWholeLog ? lines.slice(Math.min(this.lines, lines.length)) : undefined;
    }
    // Lines sharing the last timestamp beyond those printed are new too.
    return lines.slice(i - (same - this.atLastTs));
  }

  /**
   * Prints what customization.log holds beyond the lines printed. False when the blob is not there.
   */
  async pollBlob(reader: BlobLogReader): Promise<boolean> {
    const overlap = this.lastLine === undefined ? 0 : Buffer.byteLength(this.lastLine, 'utf8') + 1;
    const start = this.bytes - overlap;
    const chunk = await reader.read(start);
    if (chunk === undefined) return false;
    this.fetched.blob += chunk.length;
    this.fetched.blobCalls++;
    let text = chunk.toString('utf8');
    if (overlap > 0) {
      const first = text.indexOf('\n');
      if (first < 0 || text.slice(0, first) !== this.lastLine) return this.realignBlob(reader);
      text = text.slice(first + 1);
    }
    this.emitComplete(text);
    return true;
  }

  /**
   * The blob does not continue where the container left off: read it whole, skip what was printed.
   */
  private async realignBlob(reader: BlobLogReader): Promise<boolean> {
    const all = await reader.read(0);
    if (all === undefined) return false;
    this.fetched.blob += all.length;
    this.fetched.blobCalls++;
    const text = all.toString('utf8');
    let at = 0;
    for (let n = 0; n < this.lines && at < text.length; n++) {
      const nl = text.indexOf('\n', at);
      if (nl < 0) return true;
      at = nl + 1;
    }
    this.bytes = Buffer.byteLength(text.slice(0, at), 'utf8');
    this.emitComplete(text.slice(at));
    return true;
  }

  /** Emits complete lines only: a line still being written is read again next time. */
  private emitComplete(text: string): void {
    const end = text.lastIndexOf('\n');
    if (end < 0) return;
    for (const line of text.slice(0, end).split('\n')) this.emit(line);
  }

  private emit(text: string, ts?: string): void {
    const line = text.replace(/\r$/, '');
    if (ts !== undefined) {
      this.atLastTs = ts === this.lastTs ? this.atLastTs + 1 : 1;
      this.lastTs = ts;
    } else {
      // A line from the blob has no timestamp: the container's positions no longer apply.
      this.lastTs = undefined;
      this.atLastTs = 0;
    }
    this.lines++;
    this.bytes += Buffer.byteLength(text, 'utf8') + 1;
    this.lastLine = text;
    this.sink(line);
  }
}

/** `2024-11-21T08:05:09.123456789Z text` lines; the trailing newline ends the last one. */
export function parseStamped(content: string): Stamped[] {
  const body = content.endsWith('\n') ? content.slice(0, -1) : content;
  if (!body) return [];
  return body.split('\n').map((l) => {
    const sp = l.indexOf(' ');
    return sp > 0 && /^\d{4}-\d\d-\d\dT/.test(l)
      ? { ts: sortableTs(l.slice(0, sp)), text: l.slice(sp + 1) }
      : { ts: '', text: l };
  });
}

/**
 * RFC3339Nano drops trailing zeros of the fraction; padded to 9 digits the strings sort as times
 * do.
 */
export function sortableTs(ts: string): string {
  const m = /^([^.Z+]+)(?:\.(\d+))?(Z|[+-].*)$/.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}${m[3]}` : ts;
}
