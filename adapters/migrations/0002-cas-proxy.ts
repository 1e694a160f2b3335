// CAS proxying: proxy-granting tickets received at the callback (by IOU, kept for moments) and
// the PGT of each OP session. Tickets are sealed (AES-GCM, key from SECRET_KEY); lookups go by
// SHA-256 hashes, so the tables never hold a usable ticket in the clear.
import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

export const casProxy: Migration = {
  name: '0002-cas-proxy',
  async up({ queryInterface, dialect }) {
    const text = dialect === 'mariadb' ? DataTypes.TEXT('long') : DataTypes.TEXT;
    const tableOptions = dialect === 'mariadb' ? { charset: 'utf8mb4', collate: 'utf8mb4_bin' } : {};
    const key = (length: number) => ({ type: DataTypes.STRING(length), allowNull: false });
    const epoch = { type: DataTypes.BIGINT, allowNull: true };

    await queryInterface.createTable('bridge_pgt_ious', {
      iou_hash: { ...key(64), primaryKey: true },
      sealed_pgt: { type: text, allowNull: false },
      expires_at: epoch,
    }, tableOptions);
    await queryInterface.addIndex('bridge_pgt_ious', ['expires_at'], { name: 'bridge_pgt_ious_expires' });

    await queryInterface.createTable('bridge_session_pgts', {
      session_uid: { ...key(255), primaryKey: true },
      account_id: key(255),
      pgt_hash: key(64),
      sealed_pgt: { type: text, allowNull: false },
      expires_at: epoch,
    }, tableOptions);
    await queryInterface.addIndex('bridge_session_pgts', ['pgt_hash'], { name: 'bridge_session_pgts_pgt' });
    await queryInterface.addIndex('bridge_session_pgts', ['expires_at'], { name: 'bridge_session_pgts_expires' });
  },
};
