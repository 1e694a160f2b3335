// oidc_records' lookups by grant, user code and uid concern a few models each (no record has a
// user code unless the device flow is on; only sessions have a uid). Indexed only where the column
// is set, a record without it costs no index entry: two or three fewer index pages written per
// token, code or session on SQLite and PostgreSQL. MariaDB has no partial indexes and keeps its own.
import type { Migration } from './types.js';

const PARTIAL: ReadonlyArray<[name: string, column: string]> = [
  ['oidc_records_grant', 'grant_id'],
  ['oidc_records_user_code', 'user_code'],
  ['oidc_records_uid', 'uid'],
];

export const partialIndexes: Migration = {
  name: '0003-partial-indexes',
  async up({ sequelize, dialect }) {
    if (dialect === 'mariadb') return;
    for (const [name, column] of PARTIAL) {
      await sequelize.query(`DROP INDEX ${name}`);
      // the lookups (`model = $1 AND column = $2`) imply `column IS NOT NULL`, so they still use it
      await sequelize.query(`CREATE INDEX ${name} ON oidc_records (model, ${column}) WHERE ${column} IS NOT NULL`);
    }
  },
};
