// The README documents every log event the bridge writes, from one list in the code
// (lib/observability/events.ts): every `event: '…'` written anywhere in the sources is in the list,
// every listed event is written somewhere, and the README's table is the one generated from it.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractBetween } from '../../lib/config/docs.js';
import { LOG_EVENTS, LOG_TABLE_END, LOG_TABLE_START, logEventsTable } from '../../lib/observability/events.js';
import { ROOT } from '../support/cli-process.js';

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const EVENT = /\bevent: '([a-z_]+)'/g;

describe('log events', () => {
  const written = new Map<string, string>();
  before(() => {
    for (const file of ['lib', 'interactions', 'adapters'].flatMap(sources)) {
      for (const m of readFileSync(file, 'utf8').matchAll(EVENT)) written.set(m[1]!, file.slice(ROOT.length + 1));
    }
  });

  it('every event the code writes is in the list', () => {
    const missing = [...written].filter(([name]) => !(name in LOG_EVENTS)).map(([name, file]) => `${name} (${file})`);
    expect(missing, 'add them to lib/observability/events.ts and run `npm run docs`').to.deep.equal([]);
  });

  it('every event in the list is written somewhere', () => {
    expect(Object.keys(LOG_EVENTS).filter((name) => !written.has(name))).to.deep.equal([]);
  });

  it('the README\'s table is the one generated from the list (`npm run docs`)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(extractBetween(readme, LOG_TABLE_START, LOG_TABLE_END)).to.equal(logEventsTable());
    for (const name of ['logout', 'cas_single_logout', 'cleanup', 'metrics_listening', 'cluster_starting', 'start_failed', 'keys_reload_failed']) {
      expect(readme).to.contain(`| \`${name}\` |`);
    }
  });
});
