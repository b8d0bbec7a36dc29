import { describe, expect, it } from 'vitest';
import { MemoryUploadStore } from '../../../src/lib/upload/store';
import { SwitchableUploadStore } from '../../../src/lib/upload/switchable-store';
import type { UploadRecord } from '../../../src/lib/upload/record';

const rec = (id: string) => ({ id, name: `${id}.bin` }) as unknown as UploadRecord;

describe('upload state on an origin shared with the store', () => {
  it('moves records and handles to memory, leaving nothing in the durable store, and back when the user insists', async () => {
    const durable = new MemoryUploadStore();
    const s = new SwitchableUploadStore(durable);
    await s.put(rec('a'));
    await s.putHandle('a', 'handle-a');
    await s.setPersistent(false);
    expect(await durable.list()).toEqual([]);
    expect(await s.list()).toEqual([rec('a')]);
    expect(await s.getHandle('a')).toBe('handle-a');
    await s.put(rec('b'));
    expect(await durable.list()).toEqual([]);
    await s.setPersistent(true);
    expect((await durable.list()).map((r) => r.id).sort()).toEqual(['a', 'b']);
    expect(await durable.getHandle('a')).toBe('handle-a');
  });
});
