import assert from 'node:assert/strict';
import { startBcEmulator, type BcEmulator } from '../../sandbox/bc';
import { startDataverseEmulator, type DataverseEmulator } from '../../sandbox/dataverse';
import { authorization, delay, http, requestToken, type ODataErrorBody } from './helpers';

describe('sandbox OAuth2 client credentials', () => {
  let bc: BcEmulator;
  let dataverse: DataverseEmulator;

  before(async () => {
    bc = await startBcEmulator({
      tokenLifetimeSeconds: 0.8,
      additionalClients: [{ clientId: 'second-app', clientSecret: 's2' }],
    });
    dataverse = await startDataverseEmulator({ tokenLifetimeSeconds: 0.8 });
  });
  after(async () => {
    await bc.close();
    await dataverse.close();
  });

  it('issues a bearer token in the Entra response shape', async () => {
    const response = await requestToken(bc);
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.body).sort(), ['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
    assert.equal(response.body.token_type, 'Bearer');
    assert.equal(typeof response.body.access_token, 'string');
    assert.equal(response.body.expires_in, response.body.ext_expires_in);
    assert.equal(response.headers.get('cache-control'), 'no-store, no-cache');
  });

  it('defaults to the documented clients, tenant and a one-hour lifetime', async () => {
    const defaults = await startBcEmulator();
    try {
      assert.equal(defaults.tokenUrl, `${defaults.url}/sandbox/oauth2/v2.0/token`);
      assert.deepEqual(
        [defaults.clientId, defaults.clientSecret, defaults.tenant],
        ['sandbox-client', 'sandbox-secret', 'sandbox'],
      );
      assert.equal((await requestToken(defaults)).body.expires_in, 3599);
    } finally {
      await defaults.close();
    }
  });

  it('rejects a wrong client secret with invalid_client / AADSTS7000215', async () => {
    const response = await requestToken(bc, { client_secret: 'wrong' });
    assert.equal(response.status, 401);
    assert.equal(response.body.error, 'invalid_client');
    assert.match(String(response.body.error_description), /^AADSTS7000215: Invalid client secret provided\./);
    assert.deepEqual(response.body.error_codes, [7000215]);
  });

  it('rejects unknown clients, other grant types, missing and non-.default scopes, unknown tenants', async () => {
    const unknownClient = await requestToken(bc, { client_id: 'nobody' });
    assert.deepEqual([unknownClient.status, unknownClient.body.error], [400, 'unauthorized_client']);
    assert.match(String(unknownClient.body.error_description), /^AADSTS700016:/);
    const password = await requestToken(bc, { grant_type: 'password' });
    assert.deepEqual([password.status, password.body.error], [400, 'unsupported_grant_type']);
    const badScope = await requestToken(bc, { scope: 'https://api.businesscentral.dynamics.com/user_impersonation' });
    assert.deepEqual([badScope.status, badScope.body.error], [400, 'invalid_scope']);
    const noScope = await http<Record<string, unknown>>(bc.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret',
    });
    assert.deepEqual([noScope.status, noScope.body.error], [400, 'invalid_request']);
    assert.match(String(noScope.body.error_description), /AADSTS900144: .*'scope'/);
    const otherTenant = await requestToken({ ...bc, tokenUrl: bc.tokenUrl.replace('/sandbox/', '/contoso/') });
    assert.equal(otherTenant.status, 400);
    assert.match(String(otherTenant.body.error_description), /^AADSTS90002: Tenant 'contoso' not found/);
  });

  it('accepts additional app registrations', async () => {
    const response = await requestToken({ ...bc, clientId: 'second-app', clientSecret: 's2' });
    assert.equal(response.status, 200);
  });

  it('answers 401 in Business Central shape without, with a forged or with an expired token', async () => {
    const url = `${bc.apiUrl}/companies`;
    const missing = await http<ODataErrorBody>(url);
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.code, 'Authentication_InvalidCredentials');
    assert.match(
      missing.body.error.message,
      /^The server has rejected the client credentials\. {2}CorrelationId: {2}[0-9a-f-]{36}\.$/,
    );
    assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer /);

    const headers = await authorization(bc);
    const forged = `${headers.Authorization ?? ''}x`;
    assert.equal((await http(url, { headers: { Authorization: forged } })).status, 401);
    assert.equal((await http(url, { headers })).status, 200);
    await delay(900);
    const expired = await http<ODataErrorBody>(url, { headers });
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error.code, 'Authentication_InvalidCredentials');
  });

  it('answers 401 with WWW-Authenticate and no body on Dataverse when the token expired', async () => {
    const headers = await authorization(dataverse);
    assert.equal((await http(`${dataverse.apiUrl}/accounts`, { headers })).status, 200);
    await delay(900);
    const expired = await http(`${dataverse.apiUrl}/accounts`, { headers });
    assert.equal(expired.status, 401);
    assert.equal(expired.text, '');
    assert.match(expired.headers.get('www-authenticate') ?? '', /^Bearer authorization_uri=/);
  });
});
