/** "Test connection": sign-in, WhoAmI, read access to the tables the driver uses, and the ERP number's alternate key. */
import { isSyncError, toSyncError, type SyncError } from '../../lib/errors';
import type { ConnectionCheck } from '../../lib/ports';
import type { HttpClient } from '../http';
import type { DataverseSettings } from './settings';
import { alternateKeyUrl, textOf, type Row } from './web-api';

const READ_CHECKS: ReadonlyArray<readonly [entitySet: string, primaryKey: string]> = [
  ['accounts', 'accountid'],
  ['salesorders', 'salesorderid'],
  ['invoices', 'invoiceid'],
];
/** A key value no record has: 404 proves the key lookup works. */
const PROBE_NUMBER = '__probe__';

export async function checkConnection(client: HttpClient, settings: DataverseSettings): Promise<ConnectionCheck[]> {
  const signIn = await checkSignIn(client);
  // Without a working sign-in every further check would fail the same way.
  if (signIn.some((check) => !check.ok)) return signIn;
  const reads = await Promise.all(
    READ_CHECKS.map(([entitySet, primaryKey]) => checkRead(client, entitySet, primaryKey)),
  );
  return [...signIn, ...reads, await checkErpNumberKey(client, settings)];
}

/** On one line: Entra ID's messages come with line breaks and trace ids. */
function failure(name: string, error: unknown, client: HttpClient, advice = ''): ConnectionCheck {
  return { name, ok: false, message: `${toSyncError(error, client.system).message.replace(/\s+/g, ' ')}${advice}` };
}

/** One WhoAmI call proves the token is accepted; without WhoAmI a 404 still proves it. */
async function checkSignIn(client: HttpClient): Promise<ConnectionCheck[]> {
  const signedIn: ConnectionCheck = { name: 'authentication', ok: true, message: 'the access token was accepted' };
  try {
    const { data } = await client.get<Row>('WhoAmI');
    const who = data ?? {};
    return [
      signedIn,
      {
        name: 'WhoAmI',
        ok: true,
        message: `signed in as user ${textOf(who, 'UserId') ?? '?'} of organization ${textOf(who, 'OrganizationId') ?? '?'}`,
      },
    ];
  } catch (error) {
    if (isSyncError(error) && error.status === 404) {
      return [
        signedIn,
        { name: 'WhoAmI', ok: true, message: 'skipped: this server does not offer the WhoAmI function' },
      ];
    }
    if (isSyncError(error) && error.code === 'AUTH') {
      const advice =
        '; check the tenant, client id and client secret, and that the app registration has an application user in this environment';
      return [failure('authentication', error, client, advice)];
    }
    return [failure('connection', error, client)];
  }
}

async function checkRead(client: HttpClient, entitySet: string, primaryKey: string): Promise<ConnectionCheck> {
  const name = `read ${entitySet}`;
  try {
    await client.get(entitySet, { query: { $select: primaryKey, $top: 1 } });
    return { name, ok: true, message: `${entitySet} can be read` };
  } catch (error) {
    const advice =
      isSyncError(error) && error.status === 403 ? `; give the application user read access to ${entitySet}` : '';
    return failure(name, error, client, advice);
  }
}

/** 404 for a number nobody has means the key lookup works; 400 means the column or its alternate key is missing. */
async function checkErpNumberKey(client: HttpClient, settings: DataverseSettings): Promise<ConnectionCheck> {
  const column = settings.erpNumberColumn;
  const name = 'ERP number key';
  const works: ConnectionCheck = { name, ok: true, message: `accounts can be looked up and upserted by ${column}` };
  try {
    await client.get(alternateKeyUrl(client.system, 'accounts', column, PROBE_NUMBER, 'probe'), {
      query: { $select: 'accountid' },
    });
    return works;
  } catch (error) {
    if (!isSyncError(error)) return failure(name, error, client);
    if (error.status === 404) return works;
    if (error.status !== 400) return failure(name, error, client);
    return { name, ok: false, message: await missingKeyMessage(client, column, error) };
  }
}

async function missingKeyMessage(client: HttpClient, column: string, keyError: SyncError): Promise<string> {
  try {
    await client.get('accounts', { query: { $select: column, $top: 1 } });
  } catch (error) {
    if (isSyncError(error) && error.status === 400) {
      return `the account table has no column ${column}: create it (text, e.g. 20 characters), then define an alternate key on it`;
    }
  }
  return (
    `accounts cannot be looked up by ${column}: define an alternate key on account.${column} ` +
    `(Power Apps › Tables › Account › Keys) and wait until its status is Active (${keyError.message})`
  );
}
