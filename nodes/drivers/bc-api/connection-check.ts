/** "Test connection": sign-in, company, and read access to each entity set the ports use. */
import { toSyncError, type SyncError } from '../../lib/errors';
import type { ConnectionCheck } from '../../lib/ports';
import type { BcApi } from './api';

const READ_CHECKS = ['customers', 'salesOrders', 'salesInvoices', 'customerFinancialDetails'] as const;

const PERMISSION_ADVICE =
  'assign the D365 BUS FULL ACCESS permission set (or D365 READ for read-only use) to the app ' +
  'on the Microsoft Entra Applications page in Business Central';

/** Plain advice for the OAuth errors of the token endpoint and the API's own 401/403. */
const SIGN_IN_ADVICE: Readonly<Record<string, string>> = {
  invalid_client:
    'the token endpoint rejected the client secret (wrong or expired, or the secret id was entered instead of its value)',
  unauthorized_client: 'the client id is not known in this tenant',
  invalid_scope: 'the scope is not valid; use https://api.businesscentral.dynamics.com/.default',
  invalid_request: 'the token endpoint refused the request; check the tenant and token URL',
};

function systemCode(error: SyncError): string | undefined {
  const details = error.details;
  const code =
    typeof details === 'object' && details !== null ? (details as { systemCode?: unknown }).systemCode : undefined;
  return typeof code === 'string' ? code : undefined;
}

function signInProblem(error: SyncError): string {
  const advice =
    SIGN_IN_ADVICE[systemCode(error) ?? ''] ??
    (error.status === 401
      ? 'Business Central did not accept the token: register the app on the Microsoft Entra Applications page in Business Central'
      : error.status === 403
        ? `the app may not read companies: ${PERMISSION_ADVICE}`
        : undefined);
  return advice === undefined ? `Sign-in failed: ${error.message}` : `Sign-in failed: ${advice} (${error.message})`;
}

function readProblem(entitySet: string, error: SyncError): string {
  if (error.status === 403) return `403: the app has no permission on ${entitySet} — ${PERMISSION_ADVICE}`;
  if (error.status === 404) {
    return `404: ${entitySet} is not available at this endpoint — check the environment name and that API v2.0 is enabled`;
  }
  return `Cannot read ${entitySet}: ${error.message}`;
}

async function outcome<T>(system: string, run: () => Promise<T>): Promise<{ value: T } | { error: SyncError }> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: toSyncError(error, system) };
  }
}

export async function checkConnection(api: BcApi): Promise<ConnectionCheck[]> {
  const checks: ConnectionCheck[] = [];
  const add = (name: string, ok: boolean, message: string): void => {
    checks.push({ name, ok, message: api.client.redactor.redactText(message) });
  };
  const skipRest = (names: readonly string[], reason: string): ConnectionCheck[] => {
    for (const name of names) add(name, false, `Not checked: ${reason}`);
    return checks;
  };

  const signIn = await outcome(api.system, () => api.get('companies', { query: { $top: 1 } }));
  if ('error' in signIn) {
    add('authentication', false, signInProblem(signIn.error));
    return skipRest(['company', ...READ_CHECKS], 'sign-in failed');
  }
  add('authentication', true, 'Signed in: Business Central accepted the credentials');

  const company = await outcome(api.system, () => api.company());
  if ('error' in company) {
    add('company', false, company.error.message);
    return skipRest(READ_CHECKS, 'the company is not known');
  }
  add('company', true, `Company "${company.value.name}" found (id ${company.value.id})`);

  for (const entitySet of READ_CHECKS) {
    const read = await outcome(api.system, async () => api.get(await api.resource(entitySet), { query: { $top: 1 } }));
    if ('error' in read) add(entitySet, false, readProblem(entitySet, read.error));
    else add(entitySet, true, `Can read ${entitySet}`);
  }
  return checks;
}
