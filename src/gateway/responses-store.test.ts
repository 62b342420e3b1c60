import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/services.js';
import type { AuthContext } from '../access/types.js';
import { logger } from '../logger.js';
import type { Db } from '../store/db.js';
import { openStore } from '../store/open.js';
import { createResponsesStore, mayRead, type StoredResponse } from './responses-store.js';

const record = (id: string, over: Partial<StoredResponse> = {}): StoredResponse => ({
  id,
  keyHash: 'a'.repeat(64),
  modelGroup: 'claude',
  deploymentId: 'dep-1',
  native: false,
  createdAt: Date.UTC(2026, 0, 2, 3, 4, 5),
  response: {
    id,
    object: 'response',
    output: [{ type: 'message', content: [{ type: 'output_text', text: 'é😊' }] }],
  },
  inputItems: [{ id: 'msg_1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
  ...over,
});

describe.each(['pglite', 'postgres'] as const)('responses store on %s', (kind) => {
  let db: Db;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (kind === 'postgres') {
      const t = await createTestDatabase();
      drop = t.drop;
      db = await openStore({ databaseUrl: t.url });
    } else {
      db = await openStore({});
    }
  }, 60_000);
  afterAll(async () => {
    await db.close();
    await drop?.();
  });

  it('a record written in the background is read back by another process (a fresh store), whole', async () => {
    const writer = createResponsesStore(db, logger);
    writer.save(record('resp_1'));
    writer.save(record('resp_native', { native: true, response: null, inputItems: null }));
    await writer.flush();
    const reader = createResponsesStore(db, logger);
    expect(await reader.get('resp_1')).toEqual(record('resp_1'));
    expect(await reader.get('resp_native')).toMatchObject({ native: true, response: null, inputItems: null });
    expect(await reader.get('resp_unknown')).toBeNull();
  });

  it('a NUL in the conversation (jsonb cannot hold one) is stored as U+FFFD, not lost', async () => {
    const writer = createResponsesStore(db, logger);
    const nul = record('resp_nul', {
      inputItems: [
        { id: 'msg_1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'a\u0000b' }] },
      ],
    });
    writer.save(nul);
    await writer.flush();
    expect(await writer.get('resp_nul')).toEqual(nul); // the in-memory copy is unchanged
    const back = await createResponsesStore(db, logger).get('resp_nul');
    expect(JSON.stringify(back?.inputItems)).toContain('a\ufffdb');
  });

  it('delete removes it everywhere, even while its write is still in flight', async () => {
    const store = createResponsesStore(db, logger);
    store.save(record('resp_2'));
    await store.delete('resp_2');
    expect(await store.get('resp_2')).toBeNull();
    expect(await createResponsesStore(db, logger).get('resp_2')).toBeNull();
  });
});

describe('who may read a stored response', () => {
  const auth = (over: Partial<AuthContext>): AuthContext => ({
    isMaster: false,
    openMode: false,
    keyHash: 'b'.repeat(64),
    keyAlias: null,
    userId: null,
    teamId: null,
    allowedModels: [],
    permissions: {},
    metadata: {},
    tags: [],
    ...over,
  });
  it('the creating key and the master key; no other key', () => {
    const r = record('resp_3');
    expect(mayRead(auth({ keyHash: r.keyHash }), r)).toBe(true);
    expect(mayRead(auth({}), r)).toBe(false);
    expect(mayRead(auth({ isMaster: true, keyHash: '' }), r)).toBe(true);
  });
});
