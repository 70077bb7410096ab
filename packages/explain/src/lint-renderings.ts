import { IntlMessageFormat } from 'intl-messageformat';

/** At most this many renderings of one message are linted with its choices combined. */
const MAX_COMBINED = 256;

// What the lint reads of intl-messageformat's AST: text, `#`, choices (`select`, `plural`),
// tags' contents; anything else is a placeholder, kept as `{name}`.
interface Node {
  readonly type: number;
  readonly value?: string;
  readonly options?: Readonly<Record<string, { readonly value: readonly Node[] }>>;
  readonly children?: readonly Node[];
}
const LITERAL = 0;
const POUND = 7;

/**
 * @internal The texts an ICU message can show a customer, each `select` and `plural` choice
 * taken in turn (placeholders left as `{name}`, `#` as 1), so that a phrase split across a
 * choice ("We {n, plural, one {know} other {know}} …") is linted as it reads. Every combination
 * of choices where they make at most 256 texts; else each choice once, the others at their
 * first option. None for a text without choices, or one that is not ICU (linted as it is).
 *
 * @example
 * renderings('We {n, plural, one {know} other {see}} it'); // ['We know it', 'We see it']
 */
export function renderings(text: string): string[] {
  if (!text.includes('{')) return [];
  let ast: readonly Node[];
  try {
    // Parsing does not depend on the locale.
    ast = new IntlMessageFormat(text, 'en', undefined, { ignoreTag: true }).getAst() as never;
  } catch {
    return [];
  }
  if (!ast.some(hasChoice)) return [];
  return combined(ast) ?? oneChoiceAtATime(ast);
}

const hasChoice = (node: Node): boolean =>
  node.options !== undefined || (node.children?.some(hasChoice) ?? false);

/** Every rendering of `nodes`, or null when there are more than {@link MAX_COMBINED}. */
function combined(nodes: readonly Node[]): string[] | null {
  let out = [''];
  for (const node of nodes) {
    let parts: string[];
    if (node.options !== undefined) {
      parts = [];
      for (const option of Object.values(node.options)) {
        const inner = combined(option.value);
        if (inner === null || parts.length + inner.length > MAX_COMBINED) return null;
        parts.push(...inner);
      }
    } else if (node.children !== undefined) {
      const inner = combined(node.children);
      if (inner === null) return null;
      parts = inner;
    } else parts = [leaf(node)];
    if (out.length * parts.length > MAX_COMBINED) return null;
    out = out.flatMap((before) => parts.map((part) => before + part));
  }
  return out;
}

/** The rendering with every choice at its first option, then one per other option of each. */
function oneChoiceAtATime(nodes: readonly Node[]): string[] {
  const each = nodes.map((node): string[] => {
    if (node.options !== undefined)
      return Object.values(node.options).flatMap((option) => oneChoiceAtATime(option.value));
    if (node.children !== undefined) return oneChoiceAtATime(node.children);
    return [leaf(node)];
  });
  const base = each.map((texts) => texts[0] as string);
  const out = [base.join('')];
  each.forEach((texts, i) => {
    for (let j = 1; j < texts.length; j++)
      out.push([...base.slice(0, i), texts[j], ...base.slice(i + 1)].join(''));
  });
  return out;
}

function leaf(node: Node): string {
  if (node.type === LITERAL) return node.value ?? '';
  return node.type === POUND ? '1' : `{${node.value}}`;
}
