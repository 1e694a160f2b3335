// The PGT store on every database: the callback on one node, the validation on another; single
// use of an IOU; tickets sealed at rest and bound to their row; destruction and expiry.
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { CasPgtStore } from '../../adapters/cas-pgts.js';
import { purgeExpired } from '../../adapters/cleanup.js';
import { Database } from '../../adapters/database.js';
import { migrate } from '../../adapters/migrate.js';
import type { CasAuthenticationSuccess } from '../../lib/cas/types.js';
import { createLogger } from '../../lib/observability/logger.js';
import { obtainPgt } from '../../lib/proxy/login.js';
import { SecretBox } from '../../lib/keys/secrets.js';
import type { Services } from '../../lib/server/services.js';
import { TEST_SECRET } from '../support/bridge.js';
import { DATABASE_KINDS, checkDatabaseKind, type SpecDatabase } from '../support/databases.js';

const OLD_SECRET = 'an-older-spec-secret-key-0123456789-ABCDEFGHIJKLMN';
let n = 0;
const ticket = (prefix: string): string => `${prefix}-${Date.now()}-${(n += 1)}-abcdefghijklmnopqrstuvwxyz0123456789`;

for (const kind of DATABASE_KINDS) {
  describe(`CAS PGT store on ${kind.label}`, function () {
    let spec: SpecDatabase;
    let nodeA: Database;
    let nodeB: Database;
    const box = new SecretBox(TEST_SECRET);
    let storeA: CasPgtStore;
    let storeB: CasPgtStore;
    const lines: string[] = [];
    const logger = createLogger('debug', {
      pretty: false,
      destination: new Writable({ write(chunk: Buffer, _e, cb) { lines.push(chunk.toString()); cb(); } }),
    });

    before(async function () {
      checkDatabaseKind(kind, this);
      spec = await kind.create();
      nodeA = await Database.open({ url: spec.url, path: spec.path });
      await migrate(nodeA);
      nodeB = await Database.open({ url: spec.url, path: spec.path });
      storeA = new CasPgtStore(nodeA, box);
      storeB = new CasPgtStore(nodeB, box);
    });
    after(async () => {
      await nodeA?.close();
      await nodeB?.close();
      await spec?.drop();
    });

    const servicesOn = (store: CasPgtStore): Services => ({
      config: { cas: { proxy: { callbackUrl: 'https://bridge.example.edu/cas/proxy-callback', callbackPath: '/cas/proxy-callback', proxyUrl: 'https://cas.example.edu/proxy', pgtPrivateKeyPem: undefined } } },
      pgts: store,
    }) as unknown as Services;
    const validation = (iou: string): CasAuthenticationSuccess => ({
      kind: 'success', user: 'alice', attributes: { email: ['alice@example.org'] }, proxyGrantingTicketIou: iou, proxies: [],
    });

    it('hands a PGT delivered at one node to the validating node, once', async () => {
      const iou = ticket('PGTIOU');
      const pgt = ticket('PGT');
      await storeB.saveIou(iou, pgt);
      expect(await storeA.takeIou(iou)).to.equal(pgt);
      expect(await storeA.takeIou(iou), 'single use').to.equal(undefined);
      expect(await storeB.takeIou(iou)).to.equal(undefined);
    });

    it('keeps the first delivery of an IOU: a second one cannot swap the PGT', async () => {
      const iou = ticket('PGTIOU');
      const pgt = ticket('PGT');
      await storeB.saveIou(iou, pgt);
      await storeA.saveIou(iou, ticket('PGT'));
      expect(await storeA.takeIou(iou)).to.equal(pgt);
    });

    it('the validating node waits for a callback that lands late on another node', async () => {
      const iou = ticket('PGTIOU');
      const pgt = ticket('PGT');
      const started = Date.now();
      const pending = obtainPgt(servicesOn(storeA), validation(iou), logger, 3000);
      await new Promise((r) => setTimeout(r, 300));
      await storeB.saveIou(iou, pgt);
      const { pgt: obtained, result } = await pending;
      expect(obtained).to.equal(pgt);
      expect(Date.now() - started).to.be.within(250, 2500);
      expect(result.attributes).to.deep.equal({ email: ['alice@example.org'] });
    });

    it('gives up after the wait, and says so without naming a ticket', async () => {
      lines.length = 0;
      const iou = ticket('PGTIOU');
      const { pgt } = await obtainPgt(servicesOn(storeA), validation(iou), logger, 250);
      expect(pgt).to.equal(undefined);
      expect(lines.join('')).to.include('callback_not_received').and.not.include(iou);
    });

    it('of parallel takes of one IOU exactly one gets the PGT', async () => {
      const iou = ticket('PGTIOU');
      await storeA.saveIou(iou, ticket('PGT'));
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? storeA : storeB).takeIou(iou)));
      expect(results.filter((r) => r !== undefined)).to.have.length(1);
    });

    it('keeps tickets sealed at rest', async () => {
      const iou = ticket('PGTIOU');
      const pgt = ticket('PGT');
      await storeA.saveIou(iou, pgt);
      await storeA.attach('session-sealed', 'alice', pgt, 600);
      const rows = [...await nodeA.select('SELECT * FROM bridge_pgt_ious'), ...await nodeA.select('SELECT * FROM bridge_session_pgts')];
      const dump = JSON.stringify(rows);
      expect(dump).to.not.include(pgt).and.not.include(iou);
      expect(await storeB.forSession('session-sealed')).to.deep.equal({ accountId: 'alice', pgt });
    });

    it('a sealed PGT copied into another session\'s row does not open', async () => {
      await storeA.attach('session-victim', 'alice', ticket('PGT'), 600);
      await storeA.attach('session-thief', 'mallory', ticket('PGT'), 600);
      const [victim] = await nodeA.select<{ sealed_pgt: string }>('SELECT sealed_pgt FROM bridge_session_pgts WHERE session_uid = $1', ['session-victim']);
      await nodeA.run('UPDATE bridge_session_pgts SET sealed_pgt = $1, account_id = $2 WHERE session_uid = $3', [victim!.sealed_pgt, 'alice', 'session-thief']);
      expect(await storeA.forSession('session-thief')).to.equal(undefined);
    });

    it('a new PGT replaces the session\'s earlier one', async () => {
      const second = ticket('PGT');
      await storeA.attach('session-twice', 'alice', ticket('PGT'), 600);
      await storeA.attach('session-twice', 'alice', second, 600);
      expect((await storeA.forSession('session-twice'))?.pgt).to.equal(second);
    });

    it('forgets a session\'s PGT, finds a PGT that CAS logs out, and purges expired ones', async () => {
      const pgt = ticket('PGT');
      await storeA.attach('session-ended', 'alice', ticket('PGT'), 600);
      await storeA.attach('session-cas-logout', 'alice', pgt, 600);
      expect(await storeA.forgetSession('session-ended')).to.equal(1);
      expect(await storeA.forSession('session-ended')).to.equal(undefined);
      expect(await storeB.forgetPgt(pgt)).to.equal(1);
      expect(await storeA.forSession('session-cas-logout')).to.equal(undefined);
      expect(await storeB.forgetPgt(ticket('PGT')), 'an unknown PGT').to.equal(0);

      await storeA.attach('session-expired', 'alice', ticket('PGT'), 1);
      await storeA.saveIou(ticket('PGTIOU'), ticket('PGT'), 1);
      const past = Math.floor(Date.now() / 1000) - 3600;
      await nodeA.run('UPDATE bridge_session_pgts SET expires_at = $1 WHERE session_uid = $2', [past, 'session-expired']);
      await nodeA.run('UPDATE bridge_pgt_ious SET expires_at = $1', [past]);
      expect(await storeA.forSession('session-expired'), 'never served once expired').to.equal(undefined);
      const counts = await purgeExpired(nodeA, 60);
      expect(counts.bridge_session_pgts).to.equal(1);
      expect(counts.bridge_pgt_ious).to.be.at.least(1);
    });

    it('opens PGTs sealed with a previous SECRET_KEY during a rotation, and not after it', async () => {
      const pgt = ticket('PGT');
      await new CasPgtStore(nodeA, new SecretBox(OLD_SECRET)).attach('session-rotated', 'alice', pgt, 600);
      expect((await new CasPgtStore(nodeA, new SecretBox(TEST_SECRET, [OLD_SECRET])).forSession('session-rotated'))?.pgt).to.equal(pgt);
      expect(await storeA.forSession('session-rotated')).to.equal(undefined);
    });
  });
}
