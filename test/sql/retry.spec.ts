import assert from 'node:assert/strict';
import { retrying } from '../../nodes/drivers/sql/retry';

describe('SQL retry policy', () => {
  const policy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 250, random: () => 1 };

  it('runs again after a retryable error, with growing pauses up to the ceiling', async () => {
    const pauses: number[] = [];
    const retried: number[] = [];
    let calls = 0;
    const result = await retrying(
      async (attempt) => {
        calls++;
        if (attempt < 3) throw new Error(`deadlock ${attempt}`);
        return 'done';
      },
      () => true,
      { ...policy, sleep: async (ms) => void pauses.push(ms) },
      (_error, attempt) => retried.push(attempt),
    );
    assert.equal(result, 'done');
    assert.equal(calls, 3);
    assert.deepEqual(pauses, [100, 200]);
    assert.deepEqual(retried, [1, 2]);
  });

  it('gives up after the last attempt with the last error, and never retries what is not retryable', async () => {
    let calls = 0;
    await assert.rejects(
      retrying(
        async (attempt) => {
          calls++;
          throw new Error(`fault ${attempt}`);
        },
        () => true,
        { ...policy, sleep: async () => undefined },
      ),
      /fault 3/,
    );
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(
      retrying(
        async () => {
          calls++;
          throw new Error('duplicate key');
        },
        () => false,
        { ...policy, sleep: async () => undefined },
      ),
      /duplicate key/,
    );
    assert.equal(calls, 1);
  });

  it('spreads pauses with jitter below the ceiling', async () => {
    const pauses: number[] = [];
    await retrying(
      async (attempt) => {
        if (attempt < 3) throw new Error('x');
      },
      () => true,
      { ...policy, random: () => 0.5, sleep: async (ms) => void pauses.push(ms) },
    );
    assert.deepEqual(pauses, [50, 100]);
  });
});
