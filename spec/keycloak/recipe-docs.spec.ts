// The README's "Keycloak" section, check-config and the Keycloak specs name the same settings: the
// specs apply lib/check/keycloak-settings.ts to a real Keycloak, check-config prints it, and this
// spec holds the README to it (no Keycloak needed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { KEYCLOAK_CLIENT_AUTH_LABELS, KEYCLOAK_FIELDS, KEYCLOAK_PROXY_FIELDS } from '../../lib/check/keycloak-settings.js';
import { ROOT } from '../support/cli-process.js';
import { KEYCLOAK_DEFAULT_VERSION } from '../support/keycloak.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('\n## Keycloak\n'), readme.indexOf('\n## ', readme.indexOf('\n## Keycloak\n') + 5));

describe('the README\'s Keycloak recipe', () => {
  it('names the Keycloak version the specs run against', () => {
    expect(section).to.include(`Tested with **Keycloak ${KEYCLOAK_DEFAULT_VERSION}**`);
  });

  it('lists every identity-provider setting with the value the specs apply', () => {
    for (const field of KEYCLOAK_FIELDS) {
      const row = section.split('\n').find((line) => line.includes(`*${field.label}*`));
      expect(row, field.label).to.be.a('string');
      expect(row, field.label).to.include(field.value === 'S256' ? '**S256**' : field.value.includes(' ') ? `\`${field.value}\`` : field.value);
      expect(row, `${field.label}: its section`).to.satisfy((r: string) => r.startsWith('| |') || r.startsWith(`| ${field.section.replace(' > ', ' → ')} |`));
    }
    for (const field of KEYCLOAK_PROXY_FIELDS.filter((f) => f.label !== 'Scopes')) expect(section).to.include(`*${field.label}*`);
    expect(section).to.include('`cas_proxy`');
    for (const label of [KEYCLOAK_CLIENT_AUTH_LABELS.client_secret_post, KEYCLOAK_CLIENT_AUTH_LABELS.client_secret_basic]) expect(section).to.include(`*${label}*`);
  });
});
