import assert from 'node:assert/strict';
import { join } from 'node:path';
import { helper, until } from '../support/node-red';
import { flowNodeModules, loadRepositoryFlows } from '../support/flow-runner';
import { tempDir } from '../support/tmp';
import type { SyncStore } from '../../nodes/lib/store';

/** Runs the "Validate and link" tab of flows/ as `npm start` deploys it, and checks the end state. */
describe('flow: Validate and link', () => {
  const dir = tempDir('flow-validate-link');
  after(() => dir.remove());
  afterEach(() => helper.unload());

  it('links the valid sample customers at start and rejects the invalid one', async () => {
    const flows = loadRepositoryFlows({ 'crmerp-store-local': { file: join(dir.path, 'sync.db') } });
    const debugNodes = new Map(flows.filter((n) => n.type === 'debug').map((n) => [n.name as string, n.id]));
    await helper.load(flowNodeModules(), flows);
    const received = new Map<string, unknown[]>();
    for (const [name, id] of debugNodes) {
      const list: unknown[] = [];
      received.set(name, list);
      helper.getNode(id).on('input', (msg: unknown) => list.push(msg));
    }
    const linked = received.get('linked customers')!;
    const invalid = received.get('invalid records')!;
    await until(() => linked.length === 1 && invalid.length === 1, 'the start-up injection to pass both outputs', 8000);

    const links = (linked[0] as { payload: Array<{ ok: boolean; link: { ids: Record<string, string> } }> }).payload;
    assert.deepEqual(
      links.map((r) => r.link.ids),
      [
        { crm: 'acc00000-0000-4000-8000-000000000001', erp: '20000' },
        { crm: 'acc00000-0000-4000-8000-000000000002', erp: '30000' },
      ],
    );
    const error = (invalid[0] as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'VALIDATION');
    assert.match(
      error.message,
      /^1 of 3 records is invalid: record 2 \(customer crm=acc00000-0000-4000-8000-000000000003, erp=40000\) has 2 invalid fields/,
    );

    const store = await (
      helper.getNode('crmerp-store-local') as unknown as { getStore(): Promise<SyncStore> }
    ).getStore();
    assert.equal((await store.lookup('customer', 'crm', 'acc00000-0000-4000-8000-000000000001'))?.ids.erp, '20000');
    assert.equal(await store.lookup('customer', 'crm', 'acc00000-0000-4000-8000-000000000003'), undefined);

    // the "look up Fabrikam" button
    const lookupInject = flows.find((n) => n.type === 'inject' && n.name === 'look up Fabrikam')!;
    helper.getNode(lookupInject.id).receive({});
    const numbers = received.get('ERP customer number')!;
    await until(() => numbers.length === 1, 'the lookup answer');
    assert.equal((numbers[0] as { payload: string }).payload, '20000');
  });
});
