// Every command, in the order --help lists them.
import type { Command } from '../command.js';
import { start } from './start.js';
import { dbCleanup, dbMigrate } from './db.js';
import { pgtKeygen } from './pgt-keygen.js';
import { demoCommand } from './demo.js';
import { checkConfigCommand } from './check-config.js';
import { claimsPreview } from './claims-preview.js';
import { keysList, keysRetire, keysRotate } from './keys.js';

export const COMMANDS: readonly Command[] = [start, demoCommand, checkConfigCommand, claimsPreview, dbMigrate, dbCleanup, keysList, keysRotate, keysRetire, pgtKeygen];
