// Logins in progress on every database: a return from CAS takes its login in one statement, so of
// two returns for one login (a double click, two nodes) exactly one goes on.
import { expect } from 'chai';
import { Database } from '../../adapters/database.js';
import { migrate } from '../../adapters/migrate.js';
import { PendingLoginStore, type PendingLogin } from '../../adapters/pending-logins.js';
import { DATABASE_KINDS, checkDatabaseKind, type SpecDatabase } from '../support/databases.js';

let n = 0;
const login = (): PendingLogin => ({
  uid: `uid-${Date.now()}-${(n += 1)}`,
  service: 'https://bridge.example.edu/callback',
  renew: false,
  gateway: false,
  clientId: 'portal',
  redirectUri: 'https://portal.example.edu/cb',
  state: 'st&te=1',
  responseMode: 'query',
  interactionExpiresAt: Math.floor(Date.now() / 1000) + 600,
});

for (const kind of DATABASE_KINDS) {
  describe(`pending logins on ${kind.label}`, function () {
    let spec: SpecDatabase;
    let nodeA: Database;
    let nodeB: Database;
    let storeA: PendingLoginStore;
    let storeB: PendingLoginStore;

    before(async function () {
      checkDatabaseKind(kind, this);
      spec = await kind.create();
      nodeA = await Database.open({ url: spec.url, path: spec.path });
      await migrate(nodeA);
      nodeB = await Database.open({ url: spec.url, path: spec.path });
      storeA = new PendingLoginStore(nodeA);
      storeB = new PendingLoginStore(nodeB);
    });
    after(async () => {
      await nodeA?.close();
      await nodeB?.close();
      await spec?.drop();
    });

    it('takes a login saved on another node once, with every field as saved', async () => {
      const saved = login();
      await storeA.save(saved, 60);
      expect(await storeB.find(saved.uid)).to.deep.equal(saved);
      expect(await storeB.take(saved.uid)).to.deep.equal(saved);
      expect(await storeA.take(saved.uid)).to.equal(undefined);
      expect(await storeA.find(saved.uid)).to.equal(undefined);
    });

    it('gives a login to one of 10 concurrent takes on two connections', async () => {
      const saved = login();
      await storeA.save(saved, 60);
      const taken = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? storeA : storeB).take(saved.uid)));
      expect(taken.filter((t) => t !== undefined)).to.have.length(1);
    });

    it('does not take an expired login, and a saved-again login can be taken again', async () => {
      const expired = login();
      await storeA.save(expired, -1);
      expect(await storeA.take(expired.uid)).to.equal(undefined);
      const again = login();
      await storeA.save(again, 60);
      await storeA.take(again.uid);
      await storeA.save({ ...again, renew: true }, 60);
      expect((await storeB.take(again.uid))?.renew).to.equal(true);
    });
  });
}
