import type { AccessRecord } from './access';
import type { AccessBatch, AccessIdOf, AccessShape } from './access-batch';
import { recordOf, recordsOf, shapeAt } from './access-codes';
import type { Instant, SubjectId } from './schemas';

/**
 * How many integers a block of codes holds at most (64 KB; more for a batch too large for one):
 * a batch's codes never straddle two.
 */
const BLOCK = 16_384;

/**
 * @internal Where a log keeps the batches appended to it, side by side (one place per batch in
 * each list, and the records' codes in blocks of integers, four records' to an integer), so that
 * a kept batch is no object of its own: nothing for the collector to copy or follow but its key
 * and its list of shapes (most often shared). {@link keepBatch} adds a batch; {@link keptBatch}
 * reads one back.
 */
export class BatchColumns {
  readonly subjects: SubjectId[] = [];
  readonly at: Instant[] = [];
  readonly keys: (string | undefined)[] = [];
  readonly sizes: number[] = [];
  readonly shapes: (readonly AccessShape[])[] = [];
  /** The block holding each batch's codes, and where in it they start. */
  readonly blocks: Int32Array[] = [];
  readonly starts: number[] = [];
  readonly idOf: AccessIdOf[] = [];
  readonly decisionIdOf: (AccessIdOf | undefined)[] = [];
  readonly ownDetails: (ReadonlyMap<number, string> | null)[] = [];
  /** The block being filled (none yet: null), and how much of it is. */
  block: Int32Array | null = null;
  used = 0;
}

/**
 * @internal Adds a batch's first `size` records to `columns` (its codes from `codes[start]`),
 * and returns its place there.
 */
export function keep(
  columns: BatchColumns,
  subject: SubjectId,
  at: Instant,
  key: string | undefined,
  size: number,
  shapes: readonly AccessShape[],
  codes: ArrayLike<number>,
  start: number,
  idOf: AccessIdOf,
  decisionIdOf: AccessIdOf | undefined,
  ownDetails: ReadonlyMap<number, string> | null,
): number {
  const words = (size + 3) >> 2;
  let block = columns.block;
  // Full blocks are kept as they are (nothing is copied as a log grows); each new one twice the
  // last, up to `BLOCK`, so a small log stays small.
  if (block === null || columns.used + words > block.length) {
    block = new Int32Array(Math.max(words, Math.min(BLOCK, (block?.length ?? 512) * 2)));
    columns.block = block;
    columns.used = 0;
  }
  const from = columns.used;
  for (let w = 0; w < words; w++) block[from + w] = codes[start + w] as number;
  columns.used = from + words;
  const n = columns.at.length;
  columns.subjects.push(subject);
  columns.at.push(at);
  columns.keys.push(key);
  columns.sizes.push(size);
  columns.shapes.push(shapes);
  columns.blocks.push(block);
  columns.starts.push(from);
  columns.idOf.push(idOf);
  columns.decisionIdOf.push(decisionIdOf);
  columns.ownDetails.push(ownDetails);
  return n;
}

/** @internal Copies the batch kept at `n` in `from` to `to`, and returns its place there. */
export function moveKept(from: BatchColumns, n: number, to: BatchColumns): number {
  return keep(
    to,
    from.subjects[n] as SubjectId,
    from.at[n] as Instant,
    from.keys[n],
    from.sizes[n] as number,
    from.shapes[n] as readonly AccessShape[],
    from.blocks[n] as Int32Array,
    from.starts[n] as number,
    from.idOf[n] as AccessIdOf,
    from.decisionIdOf[n],
    from.ownDetails[n] as ReadonlyMap<number, string> | null,
  );
}

/** A batch kept in columns (see {@link keptBatch}), read as the batch it was. */
class KeptBatch implements AccessBatch {
  declare readonly subject: SubjectId;
  declare readonly at: Instant;
  declare readonly key: string | undefined;
  declare readonly size: number;
  readonly #columns: BatchColumns;
  readonly #n: number;

  constructor(columns: BatchColumns, n: number) {
    this.subject = columns.subjects[n] as SubjectId;
    this.at = columns.at[n] as Instant;
    this.key = columns.keys[n];
    this.size = columns.sizes[n] as number;
    this.#columns = columns;
    this.#n = n;
  }

  shape(i: number): AccessShape {
    return shapeAt(this.#columns.shapes[this.#n] as readonly AccessShape[], this.size, i);
  }

  record(i: number): AccessRecord {
    const shape = this.shape(i);
    const c = this.#columns;
    const n = this.#n;
    const word = (c.blocks[n] as Int32Array)[(c.starts[n] as number) + (i >> 2)] as number;
    const code = (word >> ((i & 3) * 7)) & 127;
    return recordOf(
      this,
      i,
      shape,
      code,
      c.idOf[n] as AccessIdOf,
      c.decisionIdOf[n],
      c.ownDetails[n] as ReadonlyMap<number, string> | null,
    );
  }

  records(from = 0, to = this.size): AccessRecord[] {
    return recordsOf(this, from, to);
  }
}

/** @internal The batch kept at `n` in `columns`, as an {@link AccessBatch}. */
export function keptBatch(columns: BatchColumns, n: number): AccessBatch {
  return new KeptBatch(columns, n);
}
