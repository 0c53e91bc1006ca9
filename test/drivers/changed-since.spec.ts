/** The customers' change feed of both OData drivers, against the emulators over loopback. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SyncError } from '../../nodes/lib/errors';
import type { Customer } from '../../nodes/lib/model/types.generated';
import type { CustomerPort, SystemDriver, SystemRecord } from '../../nodes/lib/ports';
import { startSystems, type Systems } from '../support/systems';

async function pagesOf(port: CustomerPort, since: string | undefined, pageSize: number) {
  const pages: Array<Array<SystemRecord<Customer>>> = [];
  for await (const page of port.changedSince!(since, pageSize)) pages.push(page);
  return pages;
}

function isInTimeOrder(records: Array<SystemRecord<Customer>>): boolean {
  return records.every(
    (record, index) => index === 0 || Date.parse(record.modifiedAt!) >= Date.parse(records[index - 1]!.modifiedAt!),
  );
}

/** Waits into the next second: Dataverse keeps modifiedon to the second. */
function nextSecond(): Promise<void> {
  return sleep(1005 - (Date.now() % 1000));
}

describe('customers changed since a watermark', function () {
  this.timeout(20_000);
  let systems: Systems;

  before(async () => {
    systems = await startSystems();
  });
  after(() => systems.close());

  const cases: Array<{
    driver: 'bc-api' | 'dataverse';
    port: () => CustomerPort;
    system: () => SystemDriver;
    reset: () => void;
    seeded: Array<string | undefined>;
    /** Moves the clock past the watermark's precision before a change. */
    tick: () => Promise<void>;
  }> = [
    {
      driver: 'bc-api',
      port: () => systems.erp.customers!,
      system: () => systems.erp,
      reset: () => systems.bc.reset(),
      seeded: ['10000', '20000', '30000', '40000', '50000', '60000', '70000', '80000'],
      tick: () => sleep(5),
    },
    {
      driver: 'dataverse',
      port: () => systems.crm.customers!,
      system: () => systems.crm,
      reset: () => systems.dataverse.reset(),
      // Accounts 1 to 6 carry the ERP numbers 20000, 30000, none, none, 70000, none.
      seeded: ['20000', '30000', undefined, undefined, '70000', undefined],
      tick: nextSecond,
    },
  ];

  for (const { driver, port, system, reset, seeded, tick } of cases) {
    describe(driver, () => {
      beforeEach(() => reset());

      it('reads every seeded customer on an initial load, oldest change first, in pages of the size asked for', async () => {
        const pages = await pagesOf(port(), undefined, 3);
        const fullPages = Math.floor(seeded.length / 3);
        assert.deepEqual(
          pages.map((page) => page.length),
          [...Array<number>(fullPages).fill(3), ...(seeded.length % 3 === 0 ? [] : [seeded.length % 3])],
        );
        const records = pages.flat();
        assert.deepEqual(
          records.map((record) => record.data.ids[systems.erp.system]),
          seeded,
        );
        assert.ok(records.every((record) => typeof record.modifiedAt === 'string'));
        assert.ok(isInTimeOrder(records));
      });

      it('after one customer changes, reads just that one, with a newer modification time', async () => {
        const initial = (await pagesOf(port(), undefined, 100)).flat();
        const watermark = initial.at(-1)!.modifiedAt!;
        assert.deepEqual(await pagesOf(port(), watermark, 100), [[]], 'nothing changed yet');
        await tick();
        const changed = initial[1]!;
        await port().update(changed.id, { phone: '+49 30 5550199' });
        const records = (await pagesOf(port(), watermark, 100)).flat();
        assert.deepEqual(
          records.map((record) => [record.id, record.data.phone]),
          [[changed.id, '+49 30 5550199']],
        );
        assert.ok(Date.parse(records[0]!.modifiedAt!) > Date.parse(watermark));
        assert.deepEqual(await pagesOf(port(), records[0]!.modifiedAt, 100), [[]], 'exclusive: not read again');
      });

      it('refuses a watermark that is not an ISO 8601 date-time, before sending anything', async () => {
        const error = await pagesOf(port(), "2026-01-01' or 1 eq 1", 10).then(
          () => assert.fail('expected VALIDATION'),
          (failure: unknown) => failure,
        );
        assert.ok(error instanceof SyncError);
        assert.equal(error.code, 'VALIDATION');
        assert.equal(error.system, system().system);
        assert.match(error.message, /is not an ISO 8601 date-time/);
      });
    });
  }
});
