export type FaultKind = 'latency' | 'status' | 'reset' | 'timeout';

/**
 * One fault to inject. `path` is a glob over the request path (`*` matches any characters, including `/`);
 * a rule fires with `probability` (default 1) until it has fired `count` times (default: no limit).
 */
export interface FaultRule {
  readonly kind: FaultKind;
  readonly path?: string;
  readonly method?: string;
  /** For `status`: the HTTP status to answer with (429 uses the API's throttling shape). */
  readonly status?: number;
  /** For `latency`: delay before the request is processed normally. */
  readonly latencyMs?: number;
  readonly retryAfterSeconds?: number;
  /**
   * For `reset`: `before` (default) drops the connection before the request is processed; `after` processes
   * it, then drops the connection instead of answering, so a write happens but the client never learns of it.
   */
  readonly phase?: 'before' | 'after';
  readonly probability?: number;
  readonly count?: number;
}

/** What to do with one request: wait `latencyMs`, then optionally fail in one of the terminal ways. */
export interface FaultPlan {
  readonly latencyMs: number;
  readonly failure?:
    | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
    | { readonly kind: 'reset'; readonly phase: 'before' | 'after' }
    | { readonly kind: 'timeout' };
}

interface ActiveRule {
  readonly rule: FaultRule;
  readonly pattern: RegExp;
  remaining: number;
}

export class FaultRuleError extends Error {}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  constructor(
    initial: readonly FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.add(initial);
  }

  /** Validates and appends rules; accepts one rule, an array, or `{ "faults": [...] }`. */
  add(input: unknown): FaultRule[] {
    const candidates = Array.isArray(input)
      ? input
      : typeof input === 'object' && input !== null && 'faults' in input
        ? (input as { faults: unknown }).faults
        : [input];
    if (!Array.isArray(candidates)) throw new FaultRuleError('"faults" must be an array of fault rules.');
    const validated = candidates.map(validateRule);
    for (const rule of validated) {
      this.rules.push({ rule, pattern: globToRegExp(rule.path ?? '*'), remaining: rule.count ?? Infinity });
    }
    return this.list();
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map(({ rule, remaining }) => (Number.isFinite(remaining) ? { ...rule, count: remaining } : rule));
  }

  /** Decides the faults for one request and uses up the counts of the rules that fire. */
  plan(method: string, path: string): FaultPlan {
    let latencyMs = 0;
    let failure: FaultPlan['failure'];
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining <= 0 || !active.pattern.test(path)) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      if (rule.kind !== 'latency' && failure !== undefined) continue;
      if (this.random() >= (rule.probability ?? 1)) continue;
      active.remaining -= 1;
      if (rule.kind === 'latency') latencyMs += rule.latencyMs ?? 0;
      else if (rule.kind === 'status') {
        failure = {
          kind: 'status',
          status: rule.status ?? 500,
          ...(rule.retryAfterSeconds !== undefined && { retryAfterSeconds: rule.retryAfterSeconds }),
        };
      } else if (rule.kind === 'reset') failure = { kind: 'reset', phase: rule.phase ?? 'before' };
      else failure = { kind: rule.kind };
    }
    this.rules = this.rules.filter((active) => active.remaining > 0);
    return failure === undefined ? { latencyMs } : { latencyMs, failure };
  }
}

const KINDS: ReadonlySet<string> = new Set(['latency', 'status', 'reset', 'timeout']);

function validateRule(candidate: unknown): FaultRule {
  if (typeof candidate !== 'object' || candidate === null) throw new FaultRuleError('A fault rule must be an object.');
  const rule = candidate as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof rule.kind !== 'string' || !KINDS.has(rule.kind))
    problems.push('"kind" must be latency, status, reset or timeout');
  if (rule.path !== undefined && typeof rule.path !== 'string') problems.push('"path" must be a string');
  if (rule.method !== undefined && typeof rule.method !== 'string') problems.push('"method" must be a string');
  if (
    rule.kind === 'status' &&
    !(Number.isInteger(rule.status) && Number(rule.status) >= 400 && Number(rule.status) <= 599)
  ) {
    problems.push('"status" must be an HTTP error status (400-599)');
  }
  if (rule.kind === 'latency' && !(typeof rule.latencyMs === 'number' && rule.latencyMs >= 0)) {
    problems.push('"latencyMs" must be a non-negative number');
  }
  if (
    rule.probability !== undefined &&
    !(typeof rule.probability === 'number' && rule.probability >= 0 && rule.probability <= 1)
  ) {
    problems.push('"probability" must be between 0 and 1');
  }
  if (rule.count !== undefined && !(Number.isInteger(rule.count) && Number(rule.count) > 0)) {
    problems.push('"count" must be a positive integer');
  }
  if (rule.phase !== undefined && !(rule.kind === 'reset' && (rule.phase === 'before' || rule.phase === 'after'))) {
    problems.push('"phase" is before or after, and only for reset');
  }
  if (
    rule.retryAfterSeconds !== undefined &&
    !(Number.isInteger(rule.retryAfterSeconds) && Number(rule.retryAfterSeconds) >= 0)
  ) {
    problems.push('"retryAfterSeconds" must be a non-negative integer');
  }
  if (problems.length > 0)
    throw new FaultRuleError(`Invalid fault rule ${JSON.stringify(candidate)}: ${problems.join('; ')}.`);
  return candidate as FaultRule;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
