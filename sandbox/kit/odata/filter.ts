/**
 * The `$filter` subset our drivers send: comparisons (eq ne gt ge lt le), `in`, and/or/not, parentheses,
 * contains/startswith/endswith/tolower/toupper, and string, number, boolean, null, GUID, date and
 * date-time literals. The parser also serves key predicates such as `accounts(accountnumber='A1')`.
 */

export type LiteralType = 'string' | 'number' | 'boolean' | 'null' | 'guid' | 'date' | 'datetime';

export interface Literal {
  readonly type: LiteralType;
  readonly value: string | number | boolean | null;
}

export type CompareOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FunctionName = 'contains' | 'startswith' | 'endswith' | 'tolower' | 'toupper';

export type FilterNode =
  | { readonly kind: 'literal'; readonly literal: Literal }
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | { readonly kind: 'logical'; readonly operator: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | {
      readonly kind: 'compare';
      readonly operator: CompareOperator;
      readonly left: FilterNode;
      readonly right: FilterNode;
    }
  | { readonly kind: 'in'; readonly operand: FilterNode; readonly values: readonly Literal[] }
  | { readonly kind: 'call'; readonly name: FunctionName; readonly args: readonly FilterNode[] };

export type KeyPredicate =
  | { readonly kind: 'single'; readonly literal: Literal }
  | { readonly kind: 'named'; readonly parts: Readonly<Record<string, Literal>> };

/** A malformed or unsupported query; each emulator turns it into its API's error body. */
export class ODataQueryError extends Error {
  constructor(
    readonly kind: 'syntax' | 'unknownProperty' | 'unsupported',
    message: string,
  ) {
    super(message);
    this.name = 'ODataQueryError';
  }
}

type Token =
  | { readonly type: 'literal'; readonly literal: Literal; readonly position: number }
  | { readonly type: 'name'; readonly text: string; readonly position: number }
  | { readonly type: 'punctuation'; readonly text: '(' | ')' | ',' | '='; readonly position: number }
  | { readonly type: 'end'; readonly position: number };

const COMPARE_OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTION_ARITY: Readonly<Record<FunctionName, number>> = {
  contains: 2,
  startswith: 2,
  endswith: 2,
  tolower: 1,
  toupper: 1,
};

// Tried in this order at each position; the boundary check keeps "2024-01-01" from being read as a number.
const LITERAL_PATTERNS: ReadonlyArray<{ type: LiteralType; pattern: RegExp }> = [
  { type: 'datetime', pattern: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/y },
  { type: 'guid', pattern: /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/y },
  { type: 'date', pattern: /\d{4}-\d{2}-\d{2}/y },
  { type: 'number', pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y },
];
const STRING_PATTERN = /'((?:[^']|'')*)'/y;
const NAME_PATTERN = /[A-Za-z_][A-Za-z0-9_.]*/y;
const NAME_CHARACTER = /[A-Za-z0-9_]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  const syntaxError = (at: number): ODataQueryError =>
    new ODataQueryError('syntax', `Syntax error at position ${at} in '${text}'.`);
  const matchAt = (pattern: RegExp): RegExpExecArray | null => {
    pattern.lastIndex = position;
    return pattern.exec(text);
  };
  while (position < text.length) {
    const character = text.charAt(position);
    if (/\s/.test(character)) {
      position += 1;
      continue;
    }
    if (character === '(' || character === ')' || character === ',' || character === '=') {
      tokens.push({ type: 'punctuation', text: character, position });
      position += 1;
      continue;
    }
    const quoted = matchAt(STRING_PATTERN);
    if (quoted !== null) {
      tokens.push({
        type: 'literal',
        literal: { type: 'string', value: (quoted[1] ?? '').replaceAll("''", "'") },
        position,
      });
      position += quoted[0].length;
      continue;
    }
    const literal = readLiteral(text, position, matchAt);
    if (literal !== undefined) {
      tokens.push({ type: 'literal', literal: literal.literal, position });
      position += literal.length;
      continue;
    }
    const name = matchAt(NAME_PATTERN);
    if (name === null) throw syntaxError(position);
    const word = name[0];
    if (word === 'true' || word === 'false') {
      tokens.push({ type: 'literal', literal: { type: 'boolean', value: word === 'true' }, position });
    } else if (word === 'null') {
      tokens.push({ type: 'literal', literal: { type: 'null', value: null }, position });
    } else {
      tokens.push({ type: 'name', text: word, position });
    }
    position += word.length;
  }
  tokens.push({ type: 'end', position });
  return tokens;
}

function readLiteral(
  text: string,
  position: number,
  matchAt: (pattern: RegExp) => RegExpExecArray | null,
): { literal: Literal; length: number } | undefined {
  for (const { type, pattern } of LITERAL_PATTERNS) {
    const match = matchAt(pattern);
    if (match === null) continue;
    const next = text.charAt(position + match[0].length);
    if (next !== '' && (NAME_CHARACTER.test(next) || next === '-')) continue;
    const value = type === 'number' ? Number(match[0]) : type === 'guid' ? match[0].toLowerCase() : match[0];
    return { literal: { type, value }, length: match[0].length };
  }
  return undefined;
}

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
  ) {}

  parseExpression(): FilterNode {
    const node = this.parseOr();
    this.expectEnd();
    return node;
  }

  parseKeyPredicate(): KeyPredicate {
    const first = this.peek();
    if (first.type === 'literal') {
      this.index += 1;
      this.expectEnd();
      return { kind: 'single', literal: first.literal };
    }
    const parts: Record<string, Literal> = {};
    for (;;) {
      const name = this.take();
      if (name.type !== 'name') throw this.error(name);
      this.expectPunctuation('=');
      const value = this.take();
      if (value.type !== 'literal') throw this.error(value);
      parts[name.text] = value.literal;
      const next = this.take();
      if (next.type === 'end') return { kind: 'named', parts };
      if (next.type !== 'punctuation' || next.text !== ',') throw this.error(next);
    }
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.peekName('or')) {
      this.index += 1;
      left = { kind: 'logical', operator: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseNot();
    while (this.peekName('and')) {
      this.index += 1;
      left = { kind: 'logical', operator: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): FilterNode {
    if (this.peekName('not')) {
      this.index += 1;
      return { kind: 'not', operand: this.parseNot() };
    }
    return this.parseComparison();
  }

  private parseComparison(): FilterNode {
    const left = this.parsePrimary();
    const next = this.peek();
    if (next.type === 'name' && COMPARE_OPERATORS.has(next.text)) {
      this.index += 1;
      return { kind: 'compare', operator: next.text as CompareOperator, left, right: this.parsePrimary() };
    }
    if (next.type === 'name' && next.text === 'in') {
      this.index += 1;
      this.expectPunctuation('(');
      const values: Literal[] = [];
      for (;;) {
        const value = this.take();
        if (value.type !== 'literal') throw this.error(value);
        values.push(value.literal);
        const separator = this.take();
        if (separator.type === 'punctuation' && separator.text === ')') break;
        if (separator.type !== 'punctuation' || separator.text !== ',') throw this.error(separator);
      }
      return { kind: 'in', operand: left, values };
    }
    return left;
  }

  private parsePrimary(): FilterNode {
    const token = this.take();
    if (token.type === 'literal') return { kind: 'literal', literal: token.literal };
    if (token.type === 'punctuation' && token.text === '(') {
      const inner = this.parseOr();
      this.expectPunctuation(')');
      return inner;
    }
    if (token.type !== 'name') throw this.error(token);
    const following = this.peek();
    if (following.type === 'punctuation' && following.text === '(') {
      return this.parseCall(token);
    }
    return { kind: 'property', name: token.text };
  }

  private parseCall(token: Token & { type: 'name' }): FilterNode {
    if (!(token.text in FUNCTION_ARITY)) {
      throw new ODataQueryError(
        'unsupported',
        `Unknown function '${token.text}' at position ${token.position} in '${this.text}'.`,
      );
    }
    const name = token.text as FunctionName;
    this.expectPunctuation('(');
    const args: FilterNode[] = [this.parseOr()];
    while (this.peek().type === 'punctuation' && (this.peek() as { text: string }).text === ',') {
      this.index += 1;
      args.push(this.parseOr());
    }
    this.expectPunctuation(')');
    if (args.length !== FUNCTION_ARITY[name]) throw this.error(token);
    return { kind: 'call', name, args };
  }

  private peek(): Token {
    return this.tokens[this.index] ?? { type: 'end', position: this.text.length };
  }

  private peekName(word: string): boolean {
    const token = this.peek();
    return token.type === 'name' && token.text === word;
  }

  private take(): Token {
    const token = this.peek();
    this.index += 1;
    return token;
  }

  private expectPunctuation(text: string): void {
    const token = this.take();
    if (token.type !== 'punctuation' || token.text !== text) throw this.error(token);
  }

  private expectEnd(): void {
    const token = this.peek();
    if (token.type !== 'end') throw this.error(token);
  }

  private error(token: Token): ODataQueryError {
    return new ODataQueryError('syntax', `Syntax error at position ${token.position} in '${this.text}'.`);
  }
}

export function parseFilter(text: string): FilterNode {
  return new Parser(tokenize(text), text).parseExpression();
}

/** Parses the inside of `entitySet(…)`: a single literal or `name=literal,…`. */
export function parseKeyPredicate(text: string): KeyPredicate {
  return new Parser(tokenize(text), text).parseKeyPredicate();
}

/** Every property name the expression reads. */
export function referencedProperties(node: FilterNode, into: Set<string> = new Set()): Set<string> {
  switch (node.kind) {
    case 'property':
      into.add(node.name);
      break;
    case 'not':
      referencedProperties(node.operand, into);
      break;
    case 'logical':
    case 'compare':
      referencedProperties(node.left, into);
      referencedProperties(node.right, into);
      break;
    case 'in':
      referencedProperties(node.operand, into);
      break;
    case 'call':
      for (const argument of node.args) referencedProperties(argument, into);
      break;
    case 'literal':
      break;
  }
  return into;
}

/** True when some `or` combines conditions on two or more different properties. */
export function hasOrAcrossDistinctProperties(node: FilterNode): boolean {
  switch (node.kind) {
    case 'logical':
      if (node.operator === 'or' && referencedProperties(node).size > 1) return true;
      return hasOrAcrossDistinctProperties(node.left) || hasOrAcrossDistinctProperties(node.right);
    case 'not':
      return hasOrAcrossDistinctProperties(node.operand);
    default:
      return false;
  }
}

interface Operand {
  readonly value: unknown;
  readonly type?: LiteralType;
  /** A date-time literal's time, parsed once rather than for every row. */
  readonly time?: number;
}

const literalOperands = new WeakMap<Literal, Operand>();

function literalOperand(literal: Literal): Operand {
  let operand = literalOperands.get(literal);
  if (operand === undefined) {
    operand =
      literal.type === 'datetime'
        ? { value: literal.value, type: literal.type, time: Date.parse(String(literal.value)) }
        : { value: literal.value, type: literal.type };
    literalOperands.set(literal, operand);
  }
  return operand;
}

/**
 * A `property eq 'text'` condition that every row the filter matches meets (found through top-level `and`s),
 * so an index on the property can narrow the rows before the filter runs; `usable` says which properties.
 */
export function requiredTextEquality(
  filter: FilterNode,
  usable: (property: string) => boolean,
): { property: string; value: string } | undefined {
  if (filter.kind === 'logical' && filter.operator === 'and') {
    return requiredTextEquality(filter.left, usable) ?? requiredTextEquality(filter.right, usable);
  }
  if (filter.kind !== 'compare' || filter.operator !== 'eq') return undefined;
  const [property, literal] =
    filter.left.kind === 'property' ? [filter.left, filter.right] : [filter.right, filter.left];
  if (property.kind !== 'property' || literal.kind !== 'literal' || literal.literal.type !== 'string') return undefined;
  return usable(property.name) ? { property: property.name, value: String(literal.literal.value) } : undefined;
}

export function evaluateFilter(node: FilterNode, record: Readonly<Record<string, unknown>>): boolean {
  return evaluate(node, record).value === true;
}

function evaluate(node: FilterNode, record: Readonly<Record<string, unknown>>): Operand {
  switch (node.kind) {
    case 'literal':
      return literalOperand(node.literal);
    case 'property':
      return { value: record[node.name] ?? null };
    case 'not':
      return { value: evaluate(node.operand, record).value !== true };
    case 'logical': {
      const left = evaluate(node.left, record).value === true;
      const right = evaluate(node.right, record).value === true;
      return { value: node.operator === 'and' ? left && right : left || right };
    }
    case 'compare':
      return { value: compareWith(node.operator, evaluate(node.left, record), evaluate(node.right, record)) };
    case 'in': {
      const operand = evaluate(node.operand, record);
      return {
        value: node.values.some((literal) => compareWith('eq', operand, { value: literal.value, type: literal.type })),
      };
    }
    case 'call':
      return {
        value: callFunction(
          node.name,
          node.args.map((argument) => evaluate(argument, record).value),
        ),
      };
  }
}

function callFunction(name: FunctionName, args: unknown[]): unknown {
  const [first, second] = args.map((argument) =>
    argument === null || argument === undefined ? null : String(argument),
  );
  if (name === 'tolower') return first?.toLowerCase() ?? null;
  if (name === 'toupper') return first?.toUpperCase() ?? null;
  if (first === null || first === undefined || second === null || second === undefined) return false;
  // Both Business Central and Dataverse run on case-insensitive collations.
  const haystack = first.toLowerCase();
  const needle = second.toLowerCase();
  if (name === 'contains') return haystack.includes(needle);
  if (name === 'startswith') return haystack.startsWith(needle);
  return haystack.endsWith(needle);
}

function compareWith(operator: CompareOperator, left: Operand, right: Operand): boolean {
  const leftMissing = left.value === null || left.value === undefined;
  const rightMissing = right.value === null || right.value === undefined;
  if (leftMissing || rightMissing) {
    if (operator === 'eq') return leftMissing && rightMissing;
    if (operator === 'ne') return leftMissing !== rightMissing;
    return false;
  }
  const order = compareOperands(left, right);
  switch (operator) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
  }
}

function compareOperands(left: Operand, right: Operand): number {
  const hint = left.type ?? right.type;
  if (hint === 'datetime') {
    return Math.sign((left.time ?? Date.parse(String(left.value))) - (right.time ?? Date.parse(String(right.value))));
  }
  if (hint === 'date') return compareText(String(left.value).slice(0, 10), String(right.value).slice(0, 10));
  return compareValues(left.value, right.value);
}

function compareText(left: string, right: string): number {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders two record values: nulls first, numbers numerically, text case-insensitively. */
export function compareValues(left: unknown, right: unknown): number {
  const leftMissing = left === null || left === undefined;
  const rightMissing = right === null || right === undefined;
  if (leftMissing || rightMissing) return leftMissing === rightMissing ? 0 : leftMissing ? -1 : 1;
  if (typeof left === 'number' && typeof right === 'number') return Math.sign(left - right);
  if (typeof left === 'boolean' && typeof right === 'boolean') return Number(left) - Number(right);
  return compareText(String(left), String(right));
}
