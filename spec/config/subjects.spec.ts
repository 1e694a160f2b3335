// subject_type and sector_identifier_uri (OpenID Connect Core 8.1): the sector each pairwise client
// gets, the SUBJECT_TYPE default, and the configurations that must not start.
import { expect } from 'chai';
import { CLIENT_SECRET, configOf, problemsOf, validEnv } from './support.js';

const client = (extra: Record<string, unknown>): Record<string, unknown> => ({ client_id: 'app', client_secret: CLIENT_SECRET, redirect_uris: ['https://app.example.edu/cb'], ...extra });
const env = (clients: unknown[], extra: Record<string, string> = {}): Record<string, string> => {
  const { CLIENT_ID: _i, CLIENT_SECRET: _s, REDIRECT_URI_ALLOWLIST: _r, ...rest } = validEnv(extra);
  return { ...rest, CLIENTS: JSON.stringify(clients) };
};

describe('subject types', () => {
  it('public by default; pairwise clients get the host of their redirect URIs as sector', () => {
    const [publicClient, pairwise] = configOf({ env: env([client({}), client({ client_id: 'p', subject_type: 'pairwise', redirect_uris: ['https://p.example.edu:8443/a', 'https://p.example.edu:8443/b'] })]) }).clients;
    expect(publicClient).to.deep.include({ subjectType: 'public', sector: undefined });
    expect(pairwise).to.deep.include({ subjectType: 'pairwise', sector: 'p.example.edu:8443' });
  });

  it('SUBJECT_TYPE=pairwise makes every client pairwise unless it says public; the flat form follows it', () => {
    const config = configOf({ env: env([client({}), client({ client_id: 'pub', subject_type: 'public' })], { SUBJECT_TYPE: 'pairwise' }) });
    expect(config.clients.map((c) => c.subjectType)).to.deep.equal(['pairwise', 'public']);
    expect(configOf({ env: validEnv({ SUBJECT_TYPE: 'pairwise' }) }).clients[0]).to.deep.include({ subjectType: 'pairwise', sector: 'sso.example.edu' });
  });

  it('redirect URIs on several hosts need a sector_identifier_uri, whose host is then the sector', () => {
    const spread = client({ subject_type: 'pairwise', redirect_uris: ['https://a.example.edu/cb'], redirect_uri_allowlist: ['https://b.example.edu/oidc'] });
    expect(problemsOf({ env: env([spread]) })).to.deep.equal([
      'clients[0]: subject_type pairwise with redirect URIs on several hosts (a.example.edu, b.example.edu) needs a sector_identifier_uri: '
      + 'an https URL serving a JSON array of those redirect URIs, whose host names the sector (OpenID Connect Core 8.1)',
    ]);
    const named = configOf({ env: env([{ ...spread, sector_identifier_uri: 'https://sector.example.edu/uris.json' }]) }).clients[0];
    expect(named).to.deep.include({ sector: 'sector.example.edu', sectorIdentifierUri: 'https://sector.example.edu/uris.json' });
  });

  it('a sector_identifier_uri must be https (http on loopback only), without credentials; subject_type is public or pairwise', () => {
    const problems = problemsOf({ env: env([
      client({ subject_type: 'pairwise', sector_identifier_uri: 'http://sector.example.edu/uris.json' }),
      client({ client_id: 'b', sector_identifier_uri: 'https://u:p@sector.example.edu/x' }),
      client({ client_id: 'c', subject_type: 'private' }),
    ]) });
    expect(problems).to.deep.equal([
      'clients[0].sector_identifier_uri: must use https (OpenID Connect Core 8.1; plain http only on a loopback host)',
      'clients[1].sector_identifier_uri: must not carry credentials or a fragment',
      'clients[2].subject_type: must be "public" or "pairwise"',
    ]);
    expect(problemsOf({ env: env([client({ subject_type: 'pairwise', sector_identifier_uri: 'http://127.0.0.1:8080/uris.json' })]) })).to.deep.equal([]);
  });

  it('the single-client form spanning several hosts is told to use a clients list', () => {
    const problems = problemsOf({ env: validEnv({ SUBJECT_TYPE: 'pairwise', REDIRECT_URI_ALLOWLIST: 'https://a.example.edu/cb,https://b.example.edu/cb' }) });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^CLIENT_ID: subject_type pairwise with redirect URIs on several hosts .*define the client in a `clients` list$/);
  });

  it('a pairwise native app with a private-use scheme redirect URI (no host) needs a sector_identifier_uri', () => {
    const app = { client_id: 'app', token_endpoint_auth_method: 'none', application_type: 'native', subject_type: 'pairwise', redirect_uris: ['edu.example.app:/oauth2redirect'] };
    expect(problemsOf({ env: env([app]) })).to.deep.include(
      'clients[0]: subject_type pairwise with a redirect URI that has no host (a private-use scheme) needs a sector_identifier_uri naming its sector (OpenID Connect Core 8.1)');
    const named = configOf({ env: env([{ ...app, sector_identifier_uri: 'https://apps.example.edu/uris.json' }]) }).clients[0];
    expect(named).to.deep.include({ sector: 'apps.example.edu' });
  });
});
