import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { configurationTable, extractTable } from '../../lib/config/docs.js';
import { SETTING_NAMES } from '../../lib/config/settings.js';

describe('README configuration reference', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('is the table generated from the settings schema (run `npm run docs` after changing a setting)', () => {
    expect(extractTable(readme)).to.equal(configurationTable().trim());
  });

  it('names every setting', () => {
    for (const name of SETTING_NAMES) expect(readme, name).to.include(`\`${name}\``);
  });
});
