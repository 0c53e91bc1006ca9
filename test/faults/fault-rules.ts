/**
 * The faults the suite injects into both emulators' APIs (never their token endpoints or /_admin): the
 * shares of all API requests that fail each way, turned into the emulators' fault rules.
 */
import type { FaultRule } from '../../sandbox';

export interface FaultShares {
  /** Answered 429 in the API's throttling shape. */
  throttled: number;
  /** Answered 502, 503, 504 (each a third of `gatewayErrors`) … */
  gatewayErrors: number;
  /** … and 500 in the API's error shape. */
  serverErrors: number;
  /** Connection dropped before the request is processed. */
  resetBefore: number;
  /** Connection dropped after the request was processed: the write happened, the answer is lost. */
  resetAfter: number;
  /** Requests delayed by each of `spikeMs`. */
  spikes: number;
  spikeMs: readonly number[];
}

export const DEFAULT_FAULT_SHARES: FaultShares = {
  throttled: 0.3,
  gatewayErrors: 0.09,
  serverErrors: 0.01,
  resetBefore: 0.025,
  resetAfter: 0.025,
  spikes: 0.01,
  spikeMs: [1000, 2000],
};

/** The API paths of each emulator: Business Central under /v2.0/, Dataverse under /api/data/. */
export const API_PATHS = { bc: '/v2.0/*', dataverse: '/api/data/*' } as const;

/**
 * Rules for one emulator. At most one failing rule fires per request and the emulator tries them in
 * order, so each rule's probability is its share of what the rules before it left over.
 */
export function faultRules(path: string, shares: FaultShares = DEFAULT_FAULT_SHARES): FaultRule[] {
  const failures: Array<{ share: number; rule: Omit<FaultRule, 'probability'> }> = [
    { share: shares.throttled, rule: { kind: 'status', status: 429, path } },
    ...[502, 503, 504].map((status) => ({
      share: shares.gatewayErrors / 3,
      rule: { kind: 'status' as const, status, path },
    })),
    { share: shares.serverErrors, rule: { kind: 'status', status: 500, path } },
    { share: shares.resetBefore, rule: { kind: 'reset', phase: 'before', path } },
    { share: shares.resetAfter, rule: { kind: 'reset', phase: 'after', path } },
  ];
  let left = 1;
  const rules: FaultRule[] = shares.spikeMs.map((latencyMs) => ({
    kind: 'latency',
    latencyMs,
    path,
    probability: shares.spikes,
  }));
  for (const { share, rule } of failures) {
    if (share <= 0) continue;
    rules.push({ ...rule, probability: Math.min(1, share / left) });
    left -= share;
  }
  return rules;
}
