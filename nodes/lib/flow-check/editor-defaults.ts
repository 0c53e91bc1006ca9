/**
 * Reads what an editor .html file declares for its node types — the `defaults` and `credentials`
 * of each `RED.nodes.registerType` call — from the source text, without running it.
 * Expressions (functions, validators, variables) are recorded as present, not evaluated.
 */

export interface EditorDefault {
  /** The literal default value, or `undefined` when it is an expression. */
  value: unknown;
  /** The source text of `value:`, for messages. */
  valueSource: string;
  required: boolean;
  /** The config node type the property refers to (`type: '…'`). */
  configType?: string;
  hasValidator: boolean;
}

export interface EditorDefinition {
  type: string;
  defaults: Record<string, EditorDefault>;
  /** Credential name → `text` or `password`. */
  credentials: Record<string, string>;
}

/** Types named by `registerType('…'` (or "…" / `…`) in JavaScript or HTML source. */
export function registeredTypes(source: string): string[] {
  const types = new Set<string>();
  for (const match of source.matchAll(/registerType\s*\(\s*(['"`])([^'"`\n]+)\1/g)) types.add(match[2] ?? '');
  types.delete('');
  return [...types];
}

/** Every `registerType` call of an editor file whose definition is an object literal. */
export function editorDefinitions(html: string): EditorDefinition[] {
  const found: EditorDefinition[] = [];
  for (const match of html.matchAll(/registerType\s*\(\s*(['"`])([^'"`\n]+)\1\s*,\s*/g)) {
    const start = (match.index ?? 0) + match[0].length;
    if (html[start] !== '{') continue;
    const body = balancedText(html, start);
    const entries = objectEntries(body);
    const defaults: Record<string, EditorDefault> = {};
    for (const [name, source] of Object.entries(objectEntries(entries.defaults ?? '{}'))) {
      const settings = source.trim().startsWith('{') ? objectEntries(source) : {};
      const configType = literal(settings.type ?? '');
      defaults[name] = {
        value: settings.value === undefined ? undefined : literal(settings.value),
        valueSource: (settings.value ?? '').trim(),
        required: (settings.required ?? '').trim() === 'true',
        ...(typeof configType === 'string' ? { configType } : {}),
        hasValidator: settings.validate !== undefined,
      };
    }
    const credentials: Record<string, string> = {};
    for (const [name, source] of Object.entries(objectEntries(entries.credentials ?? '{}'))) {
      const kind = literal(objectEntries(source).type ?? '');
      credentials[name] = typeof kind === 'string' ? kind : 'text';
    }
    found.push({ type: match[2] ?? '', defaults, credentials });
  }
  return found;
}

/** The `credentials: { … }` a source file declares (an editor file or a runtime `registerType` call). */
export function declaredCredentials(source: string): Record<string, string> {
  const match = /\bcredentials\s*:\s*\{/.exec(source);
  if (!match) return {};
  const credentials: Record<string, string> = {};
  const start = match.index + match[0].length - 1;
  for (const [name, entry] of Object.entries(objectEntries(balancedText(source, start)))) {
    const kind = literal(objectEntries(entry).type ?? '');
    credentials[name] = typeof kind === 'string' ? kind : 'text';
  }
  return credentials;
}

const OPENERS: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

/** Index just past the string, comment or regular expression starting at `at`, or `at` if none starts there. */
function skipLiteral(text: string, at: number, previous: string): number {
  const ch = text[at];
  const next = text[at + 1];
  if (ch === '"' || ch === "'" || ch === '`') {
    let i = at + 1;
    while (i < text.length && text[i] !== ch) i += text[i] === '\\' ? 2 : 1;
    return i + 1;
  }
  if (ch === '/' && next === '/') {
    const end = text.indexOf('\n', at);
    return end === -1 ? text.length : end;
  }
  if (ch === '/' && next === '*') {
    const end = text.indexOf('*/', at + 2);
    return end === -1 ? text.length : end + 2;
  }
  // A slash after an operator or an opening bracket starts a regular expression, not a division.
  if (ch === '/' && (previous === '' || '(,=:[!&|?{};'.includes(previous))) {
    let i = at + 1;
    let inClass = false;
    while (i < text.length && text[i] !== '\n') {
      const c = text[i];
      if (c === '\\') i += 2;
      else {
        if (c === '[') inClass = true;
        else if (c === ']') inClass = false;
        else if (c === '/' && !inClass) break;
        i++;
      }
    }
    i++;
    while (i < text.length && /[a-z]/i.test(text[i] ?? '')) i++;
    return i;
  }
  return at;
}

/** The bracketed text starting at `start` (which holds `{`, `[` or `(`), brackets included. */
function balancedText(text: string, start: number): string {
  const stack: string[] = [];
  let previous = '';
  let i = start;
  while (i < text.length) {
    const skipped = skipLiteral(text, i, previous);
    if (skipped !== i) {
      previous = 'a';
      i = skipped;
      continue;
    }
    const ch = text[i] ?? '';
    if (OPENERS[ch]) stack.push(OPENERS[ch]);
    else if (ch === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return text.slice(start, i + 1);
    }
    if (!/\s/.test(ch)) previous = ch;
    i++;
  }
  throw new Error(`unbalanced brackets from offset ${start}`);
}

/** The top-level `key: value` entries of an object literal's source text (`{ … }`). */
function objectEntries(source: string): Record<string, string> {
  const text = source.trim();
  const inner = text.slice(1, -1);
  const entries: Record<string, string> = {};
  let depth = 0;
  let previous = '';
  let partStart = 0;
  const parts: string[] = [];
  let i = 0;
  while (i < inner.length) {
    const skipped = skipLiteral(inner, i, previous);
    if (skipped !== i) {
      previous = 'a';
      i = skipped;
      continue;
    }
    const ch = inner[i] ?? '';
    if (OPENERS[ch]) depth++;
    else if (ch === '}' || ch === ']' || ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(inner.slice(partStart, i));
      partStart = i + 1;
    }
    if (!/\s/.test(ch)) previous = ch;
    i++;
  }
  parts.push(inner.slice(partStart));
  for (const part of parts) {
    const stripped = stripComments(part).trim();
    if (stripped === '') continue;
    const key = /^(?:(['"])([^'"]+)\1|([A-Za-z_$][\w$]*))\s*:/.exec(stripped);
    if (!key) continue; // methods and spreads are not settings
    entries[key[2] ?? key[3] ?? ''] = stripped.slice(key[0].length).trim();
  }
  return entries;
}

/** Drops the comments in front of an entry (`// A URL, or ${VARIABLE} …`). */
function stripComments(text: string): string {
  let rest = text.trimStart();
  while (rest.startsWith('//') || rest.startsWith('/*')) {
    const end = rest.startsWith('//') ? rest.indexOf('\n') : rest.indexOf('*/') + 1;
    rest = end <= 0 ? '' : rest.slice(end + 1).trimStart();
  }
  return rest;
}

/** The value of a JavaScript literal (string, number, boolean, null, array of those), or undefined. */
function literal(source: string): unknown {
  const text = source.trim();
  if (text === '') return undefined;
  const single = /^'((?:[^'\\]|\\.)*)'$/.exec(text);
  const json = single ? `"${(single[1] ?? '').replace(/\\'/g, "'").replace(/"/g, '\\"')}"` : text.replace(/'/g, '"');
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}
