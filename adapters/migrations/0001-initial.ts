// Initial schema: one table for every oidc-provider model, and the bridge's own tables.
import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

export const initial: Migration = {
  name: '0001-initial',
  async up({ queryInterface, dialect }) {
    const text = dialect === 'mariadb' ? DataTypes.TEXT('long') : DataTypes.TEXT;
    // identifiers are case-sensitive: binary collation on MariaDB (the default one ignores case)
    const tableOptions = dialect === 'mariadb' ? { charset: 'utf8mb4', collate: 'utf8mb4_bin' } : {};
    const key = (length: number) => ({ type: DataTypes.STRING(length), allowNull: false });
    const optional = (length: number) => ({ type: DataTypes.STRING(length), allowNull: true });
    const epoch = { type: DataTypes.BIGINT, allowNull: true };

    await queryInterface.createTable('oidc_records', {
      model: { ...key(40), primaryKey: true },
      id: { ...key(255), primaryKey: true },
      payload: { type: text, allowNull: false },
      grant_id: optional(255),
      user_code: optional(255),
      uid: optional(255),
      expires_at: epoch,
      consumed_at: epoch,
    }, tableOptions);
    await queryInterface.addIndex('oidc_records', ['model', 'grant_id'], { name: 'oidc_records_grant' });
    await queryInterface.addIndex('oidc_records', ['model', 'user_code'], { name: 'oidc_records_user_code' });
    await queryInterface.addIndex('oidc_records', ['model', 'uid'], { name: 'oidc_records_uid' });
    await queryInterface.addIndex('oidc_records', ['expires_at'], { name: 'oidc_records_expires' });

    await queryInterface.createTable('bridge_accounts', {
      sub: { ...key(255), primaryKey: true },
      claims: { type: text, allowNull: false },
      attributes: { type: text, allowNull: false },
      updated_at: epoch,
    }, tableOptions);

    await queryInterface.createTable('bridge_signing_keys', {
      kid: { ...key(64), primaryKey: true },
      alg: key(16),
      private_jwk: { type: text, allowNull: false },
      status: key(16),
      created_at: epoch,
      promoted_at: epoch,
      retired_at: epoch,
    }, tableOptions);

    await queryInterface.createTable('bridge_pending_logins', {
      id: { ...key(64), primaryKey: true },
      payload: { type: text, allowNull: false },
      expires_at: epoch,
    }, tableOptions);
    await queryInterface.addIndex('bridge_pending_logins', ['expires_at'], { name: 'bridge_pending_logins_expires' });

    await queryInterface.createTable('bridge_cas_tickets', {
      ticket_hash: { ...key(64), primaryKey: true },
      session_uid: key(255),
      account_id: key(255),
      expires_at: epoch,
    }, tableOptions);
    await queryInterface.addIndex('bridge_cas_tickets', ['session_uid'], { name: 'bridge_cas_tickets_session' });
    await queryInterface.addIndex('bridge_cas_tickets', ['expires_at'], { name: 'bridge_cas_tickets_expires' });

    await queryInterface.createTable('bridge_meta', {
      name: { ...key(64), primaryKey: true },
      value: { type: text, allowNull: false },
    }, tableOptions);
  },
};
