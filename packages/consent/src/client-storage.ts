import type { ConsentChoice } from './contract';

/**
 * Where a client keeps the choices the server has not confirmed (and the restrictions it has
 * confirmed but no snapshot reflects yet) across reloads: `localStorage`, `sessionStorage`, or
 * anything with the same two methods.
 *
 * @example
 * const storage: ChoiceStorage = window.localStorage;
 */
export interface ChoiceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** A restriction the server stored at `sequence`: in force until a snapshot reflects it. */
export interface ConfirmedRestriction<P extends string> {
  readonly choice: ConsentChoice<P>;
  readonly sequence: number;
}

/** What a client persists. Internal. */
export interface ClientRecord<P extends string> {
  readonly queue: ConsentChoice<P>[];
  readonly confirmed: ConfirmedRestriction<P>[];
}

const ACTIONS: Record<string, 1> = { grant: 1, refuse: 1, withdraw: 1 };

const isChoice = (value: unknown): value is ConsentChoice<string> => {
  const choice = value as Record<string, unknown> | null;
  return (
    typeof choice === 'object' &&
    choice !== null &&
    typeof choice.key === 'string' &&
    typeof choice.purpose === 'string' &&
    Object.hasOwn(ACTIONS, choice.action as string) &&
    typeof choice.chosenAt === 'number' &&
    (choice.dataCategories === undefined ||
      (Array.isArray(choice.dataCategories) &&
        choice.dataCategories.every((c) => typeof c === 'string')))
  );
};

/**
 * Reads what a client persisted under `key` (nothing, unreadable or malformed: empty; a malformed
 * entry is dropped, the others kept). Internal.
 *
 * @example
 * const { queue, confirmed } = readRecord(localStorage, 'candor-consent');
 */
export function readRecord<P extends string>(
  storage: ChoiceStorage | undefined,
  key: string,
): ClientRecord<P> {
  let stored: { queue?: unknown; confirmed?: unknown } | null = null;
  try {
    stored = JSON.parse(storage?.getItem(key) ?? 'null');
  } catch {
    // Unreadable (storage disabled, or not JSON): nothing to replay.
  }
  const list = (value: unknown) => (Array.isArray(value) ? value : []);
  return {
    queue: list(stored?.queue).filter(isChoice) as ConsentChoice<P>[],
    confirmed: list(stored?.confirmed).filter(
      (item) => isChoice(item?.choice) && Number.isSafeInteger(item?.sequence),
    ) as ConfirmedRestriction<P>[],
  };
}

/**
 * Writes a client's record under `key`; a storage that refuses (quota, private mode) leaves the
 * client working from memory. Internal.
 *
 * @example
 * writeRecord(localStorage, 'candor-consent', { queue, confirmed });
 */
export function writeRecord<P extends string>(
  storage: ChoiceStorage | undefined,
  key: string,
  record: ClientRecord<P>,
): void {
  try {
    storage?.setItem(key, JSON.stringify(record));
  } catch {
    // Not persisted: the choices still go out from memory.
  }
}
