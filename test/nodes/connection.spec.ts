import assert from 'node:assert/strict';
import connectionNode from '../../nodes/crmerp-connection';
import type { SystemDriver } from '../../nodes/lib/ports';
import { startBcEmulator, type BcEmulator } from '../../sandbox';
import { helper, type FlowNode } from '../support/node-red';

const CANARY = 'CANARY-conn-s3cr3t-4711';

describe('connection node', () => {
  let bc: BcEmulator;

  before(async () => {
    bc = await startBcEmulator({ clientSecret: CANARY });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await bc.close();
  });
  afterEach(() => helper.unload());

  function settings(overrides: Record<string, unknown> = {}): FlowNode {
    return {
      id: 'erp-conn',
      type: 'crmerp-connection',
      name: 'sandbox ERP',
      system: 'erp',
      driver: 'bc-api',
      baseUrl: bc.url,
      tenant: bc.tenant,
      environment: 'production',
      company: 'CRONUS International Ltd.',
      authType: 'oauth2',
      tokenUrl: bc.tokenUrl,
      scope: '',
      tlsVerify: true,
      timeout: '10',
      ...overrides,
    };
  }

  it('gives nodes a working driver built from its settings and credentials', async () => {
    await helper.load(connectionNode, [settings()], { 'erp-conn': { clientId: bc.clientId, clientSecret: CANARY } });
    const node = helper.getNode('erp-conn') as unknown as { system: string; getDriver(): SystemDriver };
    assert.equal(node.system, 'erp');
    const customer = await node.getDriver().customers?.getByNumber('10000');
    assert.equal(customer?.data.ids.erp, '10000');
    assert.match(customer?.data.name ?? '', /Adatum/);
  });

  it('reads credentials left empty from <prefix>_CLIENT_ID and <prefix>_CLIENT_SECRET', async () => {
    process.env.CRMERP_TEST_ERP_CLIENT_ID = bc.clientId;
    process.env.CRMERP_TEST_ERP_CLIENT_SECRET = CANARY;
    try {
      await helper.load(connectionNode, [settings({ envPrefix: 'CRMERP_TEST_ERP' })], {});
      const node = helper.getNode('erp-conn') as unknown as { getDriver(): SystemDriver };
      const customer = await node.getDriver().customers?.getByNumber('20000');
      assert.equal(customer?.data.ids.erp, '20000');
    } finally {
      delete process.env.CRMERP_TEST_ERP_CLIENT_ID;
      delete process.env.CRMERP_TEST_ERP_CLIENT_SECRET;
    }
  });

  it('tests the dialog settings with the stored secret and never sends it back', async () => {
    await helper.load(connectionNode, [settings()], { 'erp-conn': { clientId: bc.clientId, clientSecret: CANARY } });
    const body = { ...settings(), credentials: { clientId: bc.clientId, clientSecret: '__PWRD__' } };
    const response = await helper.request().post('/crmerp-connection/erp-conn/test').send(body).expect(200);
    const answer = response.body as { ok: boolean; checks: Array<{ name: string; ok: boolean; message: string }> };
    assert.equal(answer.ok, true, JSON.stringify(answer.checks));
    assert.ok(answer.checks.length >= 3);
    assert.ok(!JSON.stringify(answer).includes(CANARY));
  });

  it('says what fails with a wrong secret, without echoing it', async () => {
    await helper.load(connectionNode, [settings()], { 'erp-conn': { clientId: bc.clientId, clientSecret: CANARY } });
    const wrong = 'WRONG-secret-0815';
    const body = { ...settings(), credentials: { clientId: bc.clientId, clientSecret: wrong } };
    const response = await helper.request().post('/crmerp-connection/erp-conn/test').send(body).expect(200);
    const answer = response.body as { ok: boolean; checks: Array<{ name: string; ok: boolean; message: string }> };
    assert.equal(answer.ok, false);
    const auth = answer.checks.find((c) => !c.ok);
    assert.match(auth?.message ?? '', /secret|credential|AADSTS7000215|401/i);
    assert.ok(!JSON.stringify(answer).includes(wrong));
    assert.ok(!JSON.stringify(answer).includes(CANARY));
  });

  it('reports settings that cannot work as a failed check, not a crash', async () => {
    await helper.load(connectionNode, [settings()], {});
    const body = { ...settings({ baseUrl: 'not a url' }), credentials: {} };
    const response = await helper.request().post('/crmerp-connection/erp-conn/test').send(body).expect(200);
    const answer = response.body as { ok: boolean; checks: Array<{ name: string; ok: boolean; message: string }> };
    assert.equal(answer.ok, false);
    assert.equal(answer.checks[0]?.name, 'settings');
    assert.match(answer.checks[0]?.message ?? '', /base URL "not a url" is not a URL/);
  });
});
