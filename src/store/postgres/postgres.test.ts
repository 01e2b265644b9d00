import { after, it } from 'node:test';
import { runStoreContract } from '../contract.test-helpers.js';
import { openStore } from '../index.js';
import { TestDatabases, unreachableReason } from './test-server.test-helpers.js';

const skip = await unreachableReason();
const databases = new TestDatabases();
after(() => databases.dropAll());

if (skip) {
  it('Store contract: postgres', { skip }, () => {});
} else {
  runStoreContract('postgres', {
    fresh: () => databases.fresh(),
    open: (location) => openStore(location),
  });
}
