import { compareValues, evaluateFilter, ODataQueryError, parseFilter, type FilterNode } from './filter';

export interface OrderByItem {
  readonly property: string;
  readonly descending: boolean;
}

export interface ExpandItem {
  readonly navigation: string;
  readonly options: QueryOptions;
}

export interface QueryOptions {
  readonly filter?: FilterNode;
  readonly select?: readonly string[];
  readonly expand: readonly ExpandItem[];
  readonly orderBy: readonly OrderByItem[];
  readonly top?: number;
  readonly skip?: number;
  readonly count: boolean;
  readonly skipToken?: string;
}

type Row = Readonly<Record<string, unknown>>;

/** Reads the system query options from a URL query string (or from the inside of an `$expand(…)`). */
export function parseQueryOptions(params: URLSearchParams | ReadonlyMap<string, string>): QueryOptions {
  const get = (name: string): string | undefined => params.get(name) ?? undefined;
  const filterText = get('$filter');
  const selectText = get('$select');
  const expandText = get('$expand');
  const orderByText = get('$orderby');
  const topText = get('$top');
  const skipText = get('$skip');
  const skipToken = get('$skiptoken');
  return {
    ...(filterText !== undefined && { filter: parseFilter(filterText) }),
    ...(selectText !== undefined && { select: splitTopLevel(selectText, ',').map((name) => name.trim()) }),
    expand: expandText === undefined ? [] : parseExpand(expandText),
    orderBy: orderByText === undefined ? [] : parseOrderBy(orderByText),
    ...(topText !== undefined && { top: parseCount('$top', topText) }),
    ...(skipText !== undefined && { skip: parseCount('$skip', skipText) }),
    count: get('$count') === 'true',
    ...(skipToken !== undefined && { skipToken }),
  };
}

function parseCount(option: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new ODataQueryError(
      'syntax',
      `Invalid value '${text}' for ${option} query option found. The ${option} query option requires a non-negative integer value.`,
    );
  }
  return Number(text.trim());
}

function parseOrderBy(text: string): OrderByItem[] {
  return splitTopLevel(text, ',').map((part) => {
    const [property, direction, ...rest] = part.trim().split(/\s+/);
    if (
      property === undefined ||
      property === '' ||
      rest.length > 0 ||
      (direction !== undefined && direction !== 'asc' && direction !== 'desc')
    ) {
      throw new ODataQueryError('syntax', `Syntax error in $orderby '${text}'.`);
    }
    return { property, descending: direction === 'desc' };
  });
}

/** `lines($select=a,b;$expand=item($select=c)),customer` → one item per navigation property. */
function parseExpand(text: string): ExpandItem[] {
  return splitTopLevel(text, ',').map((part) => {
    const trimmed = part.trim();
    const open = trimmed.indexOf('(');
    if (open < 0) return { navigation: trimmed, options: parseQueryOptions(new Map()) };
    if (!trimmed.endsWith(')')) throw new ODataQueryError('syntax', `Syntax error in $expand '${text}'.`);
    const nested = new Map<string, string>();
    for (const option of splitTopLevel(trimmed.slice(open + 1, -1), ';')) {
      const equals = option.indexOf('=');
      if (equals < 0) throw new ODataQueryError('syntax', `Syntax error in $expand '${text}'.`);
      nested.set(option.slice(0, equals).trim(), option.slice(equals + 1).trim());
    }
    return { navigation: trimmed.slice(0, open).trim(), options: parseQueryOptions(nested) };
  });
}

/** Splits on `separator` where it is outside parentheses and quotes. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charAt(index);
    if (character === "'") quoted = !quoted;
    else if (!quoted && character === '(') depth += 1;
    else if (!quoted && character === ')') depth -= 1;
    else if (!quoted && depth === 0 && character === separator) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.filter((part) => part.trim() !== '');
}

/** Applies $filter and $orderby; `tieBreaker` keeps the order stable so paging never skips or repeats rows. */
export function filterAndSort<T extends Row>(rows: readonly T[], options: QueryOptions, tieBreaker: string): T[] {
  const filter = options.filter;
  const matching = filter === undefined ? [...rows] : rows.filter((row) => evaluateFilter(filter, row));
  const order = [...options.orderBy, { property: tieBreaker, descending: false }];
  return matching.sort((left, right) => {
    for (const { property, descending } of order) {
      const result = compareValues(left[property], right[property]);
      if (result !== 0) return descending ? -result : result;
    }
    return 0;
  });
}

/** Sorts by $orderby, then by `tieBreaker`, into a new array (for lists kept sorted between requests). */
export function sortRows<T extends Row>(rows: readonly T[], orderBy: readonly OrderByItem[], tieBreaker: string): T[] {
  const order = [...orderBy, { property: tieBreaker, descending: false }];
  return [...rows].sort((left, right) => {
    for (const { property, descending } of order) {
      const result = compareValues(left[property], right[property]);
      if (result !== 0) return descending ? -result : result;
    }
    return 0;
  });
}

/** Applies $filter to rows already in the query's order (see sortRows): the same rows as filterAndSort. */
export function filterSorted<T extends Row>(sorted: readonly T[], options: QueryOptions): T[] {
  const filter = options.filter;
  return filter === undefined ? [...sorted] : sorted.filter((row) => evaluateFilter(filter, row));
}

/** Keeps the selected properties plus those the API always returns (keys, annotations). */
export function selectProperties(
  row: Row,
  select: readonly string[] | undefined,
  alwaysKept: readonly string[],
): Record<string, unknown> {
  if (select === undefined || select.includes('*')) return { ...row };
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (name.startsWith('@') || alwaysKept.includes(name) || select.includes(name)) kept[name] = value;
  }
  return kept;
}

/** Preferences from a `Prefer` header: `odata.maxpagesize=50, return=representation` → map. */
export function parsePrefer(header: string | undefined): ReadonlyMap<string, string> {
  const preferences = new Map<string, string>();
  for (const part of splitTopLevel(header ?? '', ',')) {
    const equals = part.indexOf('=');
    const name = (equals < 0 ? part : part.slice(0, equals)).trim().toLowerCase();
    const value =
      equals < 0
        ? ''
        : part
            .slice(equals + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1');
    if (name !== '') preferences.set(name, value);
  }
  return preferences;
}

/** The page size a client asked for with `Prefer: odata.maxpagesize=N`, capped at the server maximum. */
export function preferredPageSize(preferences: ReadonlyMap<string, string>, serverMaximum: number): number | undefined {
  const requested = preferences.get('odata.maxpagesize');
  if (requested === undefined || !/^\d+$/.test(requested) || Number(requested) === 0) return undefined;
  return Math.min(Number(requested), serverMaximum);
}
