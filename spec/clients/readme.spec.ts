// The README's client examples are true: the browser app and native app entries admins copy, and
// the Keycloak private_key_jwt entry, are valid and mean what the README says.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { configOf, SECRET } from '../config/support.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The first ```json block after a heading of the README. */
function exampleAfter(heading: string): { clients: unknown[] } {
  const section = README.split(heading)[1];
  const block = section ? /```json\n([\s\S]*?)```/.exec(section)?.[1] : undefined;
  if (!block) throw new Error(`README has no JSON example after "${heading}"`);
  return JSON.parse(block) as { clients: unknown[] };
}
const load = (example: { clients: unknown[] }) => configOf({
  overrides: { ISSUER: 'https://bridge.example.edu', CAS_LOGIN_URL: 'https://cas.example.edu/cas/login', SECRET_KEY: SECRET, CLIENTS: example.clients },
});

describe("the README's client examples", () => {
  it('the browser app and the native app are public clients, not first-party, with the origins the README names', () => {
    const config = load(exampleAfter('#### Register a browser app (SPA) and a native app'));
    const [spa, native] = config.clients;
    expect(spa).to.include({ clientId: 'photo-album', tokenEndpointAuthMethod: 'none', applicationType: 'web', firstParty: false, clientSecret: undefined });
    expect(spa?.allowedOrigins).to.deep.equal(['https://photos.example.edu']);
    expect(native).to.include({ clientId: 'notes-desktop', tokenEndpointAuthMethod: 'none', applicationType: 'native', firstParty: false });
    expect(native?.allowedOrigins).to.deep.equal([]);
    expect(config.warnings).to.deep.equal([]);
  });

  it('the Keycloak private_key_jwt entry needs no secret and reads the realm keys URL', () => {
    const config = load(exampleAfter('#### Key-based client authentication'));
    const [keycloak] = config.clients;
    expect(keycloak).to.include({ clientId: 'keycloak', tokenEndpointAuthMethod: 'private_key_jwt', clientSecret: undefined, firstParty: true,
      jwksUri: 'https://sso.example.edu/realms/example/protocol/openid-connect/certs' });
    expect(config.warnings).to.deep.equal([]);
  });
});
