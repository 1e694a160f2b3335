// Every command, in the order --help lists them.
import type { Command } from '../command.js';
import { start } from './start.js';
import { dbCleanup, dbMigrate } from './db.js';
import { pgtKeygen } from './pgt-keygen.js';

export const COMMANDS: readonly Command[] = [start, dbMigrate, dbCleanup, pgtKeygen];
