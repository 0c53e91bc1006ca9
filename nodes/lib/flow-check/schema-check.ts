/**
 * Checks a custom schema of a validate node the way the node compiles it at deploy: with the same
 * ajv settings and the built-in schemas registered, so a `$ref` the node could not resolve is found
 * before the flow is deployed.
 */
import { MissingRefError } from 'ajv/dist/2020';
import { newAjv, SCHEMA_FILES } from '../model/validator';

/** The `$id`s of the built-in schemas, which a custom schema may `$ref` (e.g. `customer.schema.json`). */
export const BUILT_IN_SCHEMA_IDS: readonly string[] = Object.values(SCHEMA_FILES).sort();

export type SchemaProblem =
  { kind: 'json'; message: string } | { kind: 'ref'; ref: string } | { kind: 'invalid'; message: string };

/** Whether a prefix of a JSON text is fine as far as it goes: it parses, or fails only by ending early. */
function parsesSoFar(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const message = (error as Error).message;
    if (/end of JSON input/i.test(message)) return true;
    const position = /at position (\d+)/.exec(message);
    return position !== null && Number(position[1]) >= prefix.length;
  }
}

/**
 * Line and column of the first character JSON.parse rejects. Not every engine message has a position,
 * so it is found by bisection: every prefix shorter than the error parses or merely ends too early.
 */
function errorPlace(text: string): string {
  let good = 0;
  let bad = text.length;
  if (parsesSoFar(text)) return ' (at the end)';
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (parsesSoFar(text.slice(0, middle))) good = middle;
    else bad = middle;
  }
  const before = text.slice(0, bad - 1).split('\n');
  return ` (line ${before.length}, column ${(before[before.length - 1] ?? '').length + 1})`;
}

/** Parses JSON; the error names the place but never quotes the text, which may hold a secret. */
export function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = (error as Error).message;
    const reason = (message.split(/, (?:\.\.\.)?"/)[0] ?? message).replace(/ (?:in JSON )?at position \d+.*$/s, '');
    return { error: `${reason}${errorPlace(text)}` };
  }
}

let shared: ReturnType<typeof newAjv> | undefined;
function sharedCompiler(): ReturnType<typeof newAjv> {
  shared ??= newAjv('users');
  return shared;
}

/** Replaces every `$ref` equal to `ref` with a reference to the schema's root, which always resolves. */
function withoutRef(value: unknown, ref: string): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutRef(item, ref));
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = key === '$ref' && inner === ref ? '#' : withoutRef(inner, ref);
  }
  return copy;
}

/** The problems of a schema's text: not JSON, not an object, `$ref`s that resolve nowhere, other compile errors. */
export function checkSchemaText(text: string): SchemaProblem[] {
  const parsed = parseJson(text);
  if ('error' in parsed) return [{ kind: 'json', message: parsed.error }];
  return checkSchema(parsed.value);
}

export function checkSchema(schema: unknown): SchemaProblem[] {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    return [{ kind: 'invalid', message: 'a schema must be a JSON object' }];
  }
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id === 'string' && BUILT_IN_SCHEMA_IDS.includes(id)) {
    return [
      { kind: 'invalid', message: `$id "${id}" is the id of a built-in schema; give the schema an id of its own` },
    ];
  }
  const problems: SchemaProblem[] = [];
  let current: unknown = schema;
  // A schema that declares no ids registers nothing, so one compiler serves them all; others get their own.
  const declaresIds = JSON.stringify(schema).includes('"$id"');
  // ajv stops at the first unresolved $ref: take it out and compile again to find the next one.
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      (declaresIds ? newAjv('users') : sharedCompiler()).compile(current as object);
      return problems;
    } catch (error) {
      if (!(error instanceof MissingRefError)) {
        problems.push({ kind: 'invalid', message: (error as Error).message });
        return problems;
      }
      const ref = /can't resolve reference (.+) from id /.exec(error.message)?.[1] ?? error.missingRef;
      if (problems.some((p) => p.kind === 'ref' && p.ref === ref)) return problems;
      problems.push({ kind: 'ref', ref });
      const next = withoutRef(current, ref);
      if (JSON.stringify(next) === JSON.stringify(current)) return problems;
      current = next;
    }
  }
  return problems;
}
