// The storage adapter on every database: round trips, atomic consume, expiry, revocation, purge.
import { expect } from 'chai';
import { Database } from '../../adapters/database.js';
import { migrate } from '../../adapters/migrate.js';
import { SequelizeAdapter } from '../../adapters/oidc-adapter.js';
import { purgeExpired } from '../../adapters/cleanup.js';
import { DATABASE_KINDS, checkDatabaseKind, type SpecDatabase } from '../support/databases.js';

for (const kind of DATABASE_KINDS) {
  describe(`oidc-provider adapter on ${kind.label}`, function () {
    let spec: SpecDatabase;
    let db: Database;
    let adapterFor: (model: string) => SequelizeAdapter;

    before(async function () {
      checkDatabaseKind(kind, this);
      spec = await kind.create();
      db = await Database.open({ url: spec.url, path: spec.path });
      await migrate(db);
      adapterFor = SequelizeAdapter.factory(db);
    });
    after(async () => {
      await db?.close();
      await spec?.drop();
    });

    it('stores and finds payloads by id, uid and user code', async () => {
      const session = adapterFor('Session');
      await session.upsert('s1', { uid: 'u-1', accountId: 'alice', kind: 'Session' }, 60);
      expect(await session.find('s1')).to.deep.include({ uid: 'u-1', accountId: 'alice' });
      expect(await session.findByUid('u-1')).to.deep.include({ accountId: 'alice' });
      expect(await session.find('S1'), 'ids are case-sensitive').to.equal(undefined);
      const device = adapterFor('DeviceCode');
      await device.upsert('d1', { userCode: 'ABCD-EFGH', kind: 'DeviceCode' }, 60);
      expect(await device.findByUserCode('ABCD-EFGH')).to.deep.include({ userCode: 'ABCD-EFGH' });
      expect(await adapterFor('Grant').find('s1'), 'models do not see each other').to.equal(undefined);
    });

    // MariaDB has no partial indexes: it keeps full ones
    if (kind.label !== 'MariaDB') it('indexes grant, user code and uid only where set, and the lookups by them use the index', async () => {
      const definitions = db.dialect === 'sqlite'
        ? await db.select<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'oidc_records_%'")
        : await db.select<{ sql: string }>("SELECT indexdef AS sql FROM pg_indexes WHERE tablename = 'oidc_records'");
      const text = definitions.map((d) => d.sql).join('\n');
      for (const column of ['grant_id', 'user_code', 'uid']) expect(text).to.match(new RegExp(`\\(model, ${column}\\) WHERE \\(?${column} IS NOT NULL`));
      if (db.dialect !== 'sqlite') return;
      for (const [column, index] of [['grant_id', 'oidc_records_grant'], ['user_code', 'oidc_records_user_code'], ['uid', 'oidc_records_uid']]) {
        const plan = await db.select<{ detail: string }>(`EXPLAIN QUERY PLAN SELECT payload FROM oidc_records WHERE model = $1 AND ${column} = $2`, ['Session', 'x']);
        expect(plan.map((p) => p.detail).join(' '), column).to.include(`USING INDEX ${index}`);
      }
    });

    it('upsert replaces the payload and keeps a consume', async () => {
      const code = adapterFor('AuthorizationCode');
      await code.upsert('c1', { kind: 'AuthorizationCode', grantId: 'g1', extra: { n: 1 } }, 60);
      await code.consume('c1');
      await code.upsert('c1', { kind: 'AuthorizationCode', grantId: 'g1', extra: { n: 2 } }, 60);
      const found = await code.find('c1');
      expect(found?.extra).to.deep.equal({ n: 2 });
      expect(found?.consumed).to.be.a('number');
    });

    it('consume is atomic: of 20 parallel consumes exactly one wins', async () => {
      const code = adapterFor('AuthorizationCode');
      await code.upsert('race', { kind: 'AuthorizationCode', grantId: 'g-race' }, 60);
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => code.consume('race')));
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected).to.have.length(19);
      for (const r of rejected) expect((r.reason as { error?: string }).error).to.equal('invalid_grant');
    });

    it('never serves an expired record, and purges it', async () => {
      const token = adapterFor('AccessToken');
      await token.upsert('old', { kind: 'AccessToken', grantId: 'g2' }, 1);
      await db.run('UPDATE oidc_records SET expires_at = $1 WHERE id = $2', [Math.floor(Date.now() / 1000) - 3600, 'old']);
      expect(await token.find('old')).to.equal(undefined);
      const counts = await purgeExpired(db, 60);
      expect(counts.oidc_records).to.be.at.least(1);
      const rows = await db.select('SELECT id FROM oidc_records WHERE id = $1', ['old']);
      expect(rows).to.have.length(0);
    });

    it('revokeByGrantId deletes only that model\'s records of the grant', async () => {
      await adapterFor('AccessToken').upsert('at-g3', { kind: 'AccessToken', grantId: 'g3' }, 60);
      await adapterFor('RefreshToken').upsert('rt-g3', { kind: 'RefreshToken', grantId: 'g3' }, 60);
      await adapterFor('AccessToken').revokeByGrantId('g3');
      expect(await adapterFor('AccessToken').find('at-g3')).to.equal(undefined);
      expect(await adapterFor('RefreshToken').find('rt-g3')).to.not.equal(undefined);
    });

    it('destroy removes a record', async () => {
      const interaction = adapterFor('Interaction');
      await interaction.upsert('i1', { kind: 'Interaction' }, 60);
      await interaction.destroy('i1');
      expect(await interaction.find('i1')).to.equal(undefined);
    });

    it('migrations run once when several connections start together', async () => {
      const others = await Promise.all([1, 2, 3].map(() => Database.open({ url: spec.url, path: spec.path })));
      const applied = await Promise.all(others.map((o) => migrate(o)));
      expect(applied.flat()).to.deep.equal([]);
      await Promise.all(others.map((o) => o.close()));
    });
  });
}
