import type { QueryInterface, Sequelize } from 'sequelize';
import type { Dialect } from '../database.js';

export interface MigrationContext {
  readonly queryInterface: QueryInterface;
  readonly sequelize: Sequelize;
  readonly dialect: Dialect;
}

export interface Migration {
  readonly name: string;
  up(context: MigrationContext): Promise<void>;
}
