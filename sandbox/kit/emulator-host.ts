import { setTimeout as delay } from 'node:timers/promises';
import { FaultInjector, FaultRuleError, type FaultRule } from './faults';
import {
  isConnectionFault,
  startHttpServer,
  type EmulatorRequest,
  type EmulatorResponse,
  type RequestOutcome,
} from './http-server';
import { TokenService, type ClientCredential } from './oauth';
import { JsonFilePersistence } from './persistence';
import { isRejection, RateLimiter, type Admission, type RateLimits, type Rejection } from './rate-limiter';
import { DataStore, emptyState, type StoreState } from './store';

/** Options every emulator accepts. */
export interface CommonEmulatorOptions {
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Port; default 0 (an ephemeral port). */
  readonly port?: number;
  /** Entra tenant in the token URL; default `sandbox`. */
  readonly tenant?: string;
  /** Default `sandbox-client`. */
  readonly clientId?: string;
  /** Default `sandbox-secret`. */
  readonly clientSecret?: string;
  /** More app registrations, e.g. to show that limits are counted per client. */
  readonly additionalClients?: readonly ClientCredential[];
  /** Lifetime of issued tokens in seconds (fractions allowed); default 3599 like Entra ID. */
  readonly tokenLifetimeSeconds?: number;
  /** Overrides of the API's documented service-protection limits. */
  readonly rateLimits?: Partial<RateLimits>;
  /** Faults active from the start; more can be added at run time through POST /_admin/faults. */
  readonly faults?: readonly FaultRule[];
  /** JSON file to load state from at start and to save changes to; default: in memory only. */
  readonly dataFile?: string;
  /** Delay before changes are written to `dataFile`; default 200 ms. */
  readonly persistDebounceMs?: number;
  /** Start with demo data (default true) or with empty tables. */
  readonly seed?: boolean;
}

/** What an emulator plugs into the host: its API and the API's own error shapes. */
export interface ApiProfile {
  /** Paths served by the API; these need a bearer token and count against the rate limits. */
  isApiPath(rawPath: string): boolean;
  handle(request: EmulatorRequest): Promise<EmulatorResponse>;
  unauthorized(reason: 'missing' | 'invalid' | 'expired'): EmulatorResponse;
  throttled(rejection: Rejection): EmulatorResponse;
  /** An injected 5xx (or other non-429) failure in the API's shape. */
  injectedFailure(status: number, retryAfterSeconds: number | undefined): EmulatorResponse;
  notFound(request: EmulatorRequest): EmulatorResponse;
  /** Adds per-response limit headers where the API sends them. */
  withLimitHeaders?(response: EmulatorResponse, admission: Admission): EmulatorResponse;
  /** Every record in API shape, for GET /_admin/state. */
  describeState(): unknown;
  /**
   * Stores many records at once for load tests (POST /_admin/records), system columns such as the
   * modification time included; all or none. Returns how many were stored; throws a plain Error naming
   * the record and column it refuses.
   */
  insertRecords?(entitySet: string, records: readonly unknown[]): number;
}

export interface EmulatorDefinition {
  readonly documentedLimits: RateLimits;
  seed(): StoreState;
  createProfile(store: DataStore, limits: RateLimits): ApiProfile;
}

export interface EmulatorHandle {
  /** Origin of the emulator, e.g. http://127.0.0.1:8181 */
  readonly url: string;
  /** Entra-style token endpoint: POST form-encoded client credentials here. */
  readonly tokenUrl: string;
  readonly tenant: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly limits: RateLimits;
  readonly faults: FaultInjector;
  /** Replaces all data with the seed (or empty tables when seeding is off). */
  reset(): void;
  /** All records in API shape, as GET /_admin/state returns them. */
  state(): unknown;
  /** Stops listening, drops open connections and writes pending changes to `dataFile`. */
  close(): Promise<void>;
}

const ADMIN_HEADERS = { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' };

export async function startEmulator(
  definition: EmulatorDefinition,
  options: CommonEmulatorOptions,
): Promise<EmulatorHandle> {
  const tenant = options.tenant ?? 'sandbox';
  const clientId = options.clientId ?? 'sandbox-client';
  const clientSecret = options.clientSecret ?? 'sandbox-secret';
  const limits: RateLimits = { ...definition.documentedLimits, ...options.rateLimits };
  const initialState = (): StoreState => (options.seed === false ? emptyState() : definition.seed());

  const persistence =
    options.dataFile === undefined
      ? undefined
      : new JsonFilePersistence(options.dataFile, options.persistDebounceMs ?? 200);
  const saved = persistence?.load();
  const store: DataStore = new DataStore(saved ?? initialState(), () => persistence?.schedule(() => store.snapshot()));
  if (saved === undefined) persistence?.schedule(() => store.snapshot());

  const tokens = new TokenService({
    tenant,
    clients: [{ clientId, clientSecret }, ...(options.additionalClients ?? [])],
    lifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
  });
  const limiter = new RateLimiter(limits);
  const faults = new FaultInjector(options.faults ?? []);
  const profile = definition.createProfile(store, limits);
  const reset = (): void => store.restore(initialState());

  const applyFaults = async (
    request: EmulatorRequest,
    run: () => Promise<EmulatorResponse>,
  ): Promise<RequestOutcome> => {
    const plan = faults.plan(request.method, decodePath(request.rawPath));
    if (plan.latencyMs > 0) await delay(plan.latencyMs);
    const failure = plan.failure;
    if (failure === undefined) return run();
    if (failure.kind === 'reset') {
      if (failure.phase === 'after') await run();
      return { connection: 'reset' };
    }
    if (failure.kind === 'timeout') {
      await request.connectionClosed;
      return { connection: 'hang' };
    }
    if (failure.status === 429) {
      return profile.throttled({
        reason: 'requests',
        limit: limits.requestsPerWindow,
        retryAfterMs: (failure.retryAfterSeconds ?? 1) * 1000,
      });
    }
    return profile.injectedFailure(failure.status, failure.retryAfterSeconds);
  };

  const admin = (request: EmulatorRequest, path: string): EmulatorResponse => {
    const route = `${request.method} ${path}`;
    if (route === 'GET /_admin/state') return { status: 200, headers: ADMIN_HEADERS, body: profile.describeState() };
    if (route === 'POST /_admin/reset') {
      reset();
      return { status: 204, headers: ADMIN_HEADERS };
    }
    if (route === 'POST /_admin/records') return insertRecords(request.body);
    if (route === 'GET /_admin/faults') return { status: 200, headers: ADMIN_HEADERS, body: { faults: faults.list() } };
    if (route === 'DELETE /_admin/faults') {
      faults.clear();
      return { status: 204, headers: ADMIN_HEADERS };
    }
    if (route === 'POST /_admin/faults') {
      try {
        return {
          status: 200,
          headers: ADMIN_HEADERS,
          body: { faults: faults.add(JSON.parse(request.body.toString('utf8'))) },
        };
      } catch (error) {
        const message = error instanceof FaultRuleError || error instanceof SyntaxError ? error.message : String(error);
        return { status: 400, headers: ADMIN_HEADERS, body: { error: message } };
      }
    }
    return { status: 404, headers: ADMIN_HEADERS, body: { error: `No admin route ${route}.` } };
  };

  const insertRecords = (body: Buffer): EmulatorResponse => {
    if (profile.insertRecords === undefined) {
      return { status: 404, headers: ADMIN_HEADERS, body: { error: 'This emulator takes no bulk records.' } };
    }
    try {
      const { entitySet, records } = JSON.parse(body.toString('utf8')) as { entitySet?: unknown; records?: unknown };
      if (typeof entitySet !== 'string' || !Array.isArray(records)) {
        throw new Error('Send {"entitySet": "<name>", "records": [ … ]}.');
      }
      return { status: 200, headers: ADMIN_HEADERS, body: { inserted: profile.insertRecords(entitySet, records) } };
    } catch (error) {
      return { status: 400, headers: ADMIN_HEADERS, body: { error: (error as Error).message } };
    }
  };

  const server = await startHttpServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    handler: async (request) => {
      const path = decodePath(request.rawPath);
      if (path.startsWith('/_admin/')) return admin(request, path);
      if (request.method === 'POST' && TokenService.isTokenPath(path))
        return applyFaults(request, async () => tokens.issue(request));
      if (!profile.isApiPath(request.rawPath)) return profile.notFound(request);
      const check = tokens.verify(request.headers.authorization);
      if (!check.valid) return profile.unauthorized(check.reason);
      const admission = await limiter.admit(check.clientId);
      if (isRejection(admission)) return profile.throttled(admission);
      try {
        const outcome = await applyFaults(request, () => profile.handle(request));
        if (isConnectionFault(outcome) || profile.withLimitHeaders === undefined) return outcome;
        return profile.withLimitHeaders(outcome, admission);
      } finally {
        admission.release();
      }
    },
  });

  return {
    url: server.origin,
    tokenUrl: `${server.origin}${tokens.tokenPath}`,
    tenant,
    clientId,
    clientSecret,
    limits,
    faults,
    reset,
    state: () => profile.describeState(),
    close: async () => {
      await server.close();
      await persistence?.flush();
    },
  };
}

function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}
