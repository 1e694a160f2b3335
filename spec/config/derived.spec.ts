// Defaults computed from other settings, and the two ways of configuring clients.
import { expect } from 'chai';
import { configOf, problemsOf, tempDir, validEnv, writeJson, CLIENT_SECRET } from './support.js';

describe('derived defaults', () => {
  it('CAS_VALIDATE_URL = CAS base (CAS_LOGIN_URL without /login) + /p3/serviceValidate', () => {
    expect(configOf({ env: validEnv() }).cas.validateUrl).to.equal('https://cas.example.edu/cas/p3/serviceValidate');
    const rootCas = configOf({ env: validEnv({ CAS_LOGIN_URL: 'https://cas.example.edu/login' }) });
    expect(rootCas.cas.validateUrl).to.equal('https://cas.example.edu/p3/serviceValidate');
    const withQuery = configOf({ env: validEnv({ CAS_LOGIN_URL: 'https://idp.example.edu:8443/cas/login?locale=fr' }) });
    expect(withQuery.cas.validateUrl).to.equal('https://idp.example.edu:8443/cas/p3/serviceValidate');
    expect(withQuery.cas.loginUrl).to.equal('https://idp.example.edu:8443/cas/login?locale=fr');
  });

  it('an explicit CAS_VALIDATE_URL wins', () => {
    const config = configOf({ env: validEnv({ CAS_VALIDATE_URL: 'https://cas-backend.example.edu/cas/serviceValidate' }) });
    expect(config.cas.validateUrl).to.equal('https://cas-backend.example.edu/cas/serviceValidate');
  });

  it('SERVICE_URL = ISSUER origin + /callback, also when the issuer has a path', () => {
    expect(configOf({ env: validEnv() }).cas.serviceUrl).to.equal('https://bridge.example.edu/callback');
    const withPath = configOf({ env: validEnv({ ISSUER: 'https://idp.example.edu/oidc' }) });
    expect(withPath.cas.serviceUrl).to.equal('https://idp.example.edu/callback');
    expect(withPath.mountPath).to.equal('/oidc');
  });

  it('an explicit SERVICE_URL wins; it must be on the issuer origin and carry no fragment', () => {
    expect(configOf({ env: validEnv({ SERVICE_URL: 'https://bridge.example.edu/cas-proxy/callback' }) }).cas.serviceUrl)
      .to.equal('https://bridge.example.edu/cas-proxy/callback');
    expect(problemsOf({ env: validEnv({ SERVICE_URL: 'https://elsewhere.example.edu/callback' }) }))
      .to.deep.equal(["SERVICE_URL: must be on the issuer's origin https://bridge.example.edu: the bridge serves it and reads its own cookie there"]);
    expect(problemsOf({ env: validEnv({ SERVICE_URL: 'https://bridge.example.edu/callback#x' }) }))
      .to.deep.equal(['SERVICE_URL: must not carry a fragment']);
  });

  it('the issuer is kept without a trailing slash', () => {
    expect(configOf({ env: validEnv({ ISSUER: 'https://bridge.example.edu/' }) }).issuer).to.equal('https://bridge.example.edu');
  });

  it('DATABASE_URL wins over DATABASE_PATH', () => {
    const config = configOf({ env: validEnv({ DATABASE_PATH: '/tmp/ignored.sqlite3', DATABASE_URL: 'postgres://bridge@db.example.edu:5432/bridge' }) });
    expect(config.database.url).to.equal('postgres://bridge@db.example.edu:5432/bridge');
    for (const url of ['postgresql://h/db', 'mariadb://root@127.0.0.1:3306/db', 'mysql://root@127.0.0.1/db']) {
      expect(configOf({ env: validEnv({ DATABASE_URL: url }) }).database.url).to.equal(url);
    }
    expect(problemsOf({ env: validEnv({ DATABASE_URL: 'mongodb://h/db' }) }))
      .to.deep.equal(['DATABASE_URL: must start with postgres:// (or postgresql://) for PostgreSQL, or mariadb:// (or mysql://, '
        + 'read as mariadb://) for MariaDB; without DATABASE_URL the bridge uses SQLite at DATABASE_PATH']);
  });

  it('TRUST_PROXY defaults to true on a loopback HOST and false otherwise', () => {
    expect(configOf({ env: validEnv() }).server.trustProxy).to.equal(true);
    expect(configOf({ env: validEnv({ HOST: '::1' }) }).server.trustProxy).to.equal(true);
    const open = configOf({ env: validEnv({ HOST: '0.0.0.0', ISSUER: 'http://localhost:8080', COOKIE_SECURE: 'false' }) });
    expect(open.server.trustProxy).to.equal(false);
  });
});

describe('clients: the flat single-client form and the `clients` list', () => {
  const entry = (id: string, extra: Record<string, unknown> = {}) => ({
    client_id: id,
    client_secret: `${id}-S3cr3t-Ab7Xy9Qw2Er5Ty8Ui0OpZZ12`,
    redirect_uris: [`https://${id}.example.edu/cb`],
    ...extra,
  });
  const { CLIENT_ID: _id, CLIENT_SECRET: _secret, REDIRECT_URI_ALLOWLIST: _list, ...base } = validEnv();

  it('the flat form defines one client with the Python service\'s scopes and Keycloak\'s auth method', () => {
    const [client, ...rest] = configOf({ env: validEnv() }).clients;
    expect(rest).to.have.length(0);
    expect(client).to.include({ clientId: 'keycloak', clientSecret: CLIENT_SECRET, tokenEndpointAuthMethod: 'client_secret_post', where: 'CLIENT_ID' });
    expect(client?.defaultScopes).to.deep.equal(['openid', 'profile', 'email', 'groups']);
    expect(client?.redirectUris).to.deep.equal([]);
    expect(client?.redirectUriAllowlist).to.deep.equal(['https://sso.example.edu/realms/example/broker/cas/endpoint']);
  });

  it('a `clients` list defines several, with every documented key', () => {
    const dir = tempDir();
    writeJson(dir, 'config.json', {
      ...base,
      clients: [
        entry('keycloak', {
          client_name: 'Keycloak',
          post_logout_redirect_uris: ['https://keycloak.example.edu/logout_response'],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: 'openid profile',
          allowed_scopes: ['openid', 'profile', 'email'],
          backchannel_logout_uri: 'https://keycloak.example.edu/bcl',
          client_secret_previous: ['old-S3cr3t-Ab7Xy9Qw2Er5Ty8Ui0OpZZ1234'],
        }),
        entry('wiki', { redirect_uri_allowlist: ['https://wiki.example.edu/auth'] }),
      ],
    });
    const [kc, wiki] = configOf({ cwd: dir }).clients;
    expect(kc).to.include({ clientId: 'keycloak', name: 'Keycloak', tokenEndpointAuthMethod: 'client_secret_basic', backchannelLogoutUri: 'https://keycloak.example.edu/bcl', where: 'clients[0]' });
    expect(kc?.redirectUris).to.deep.equal(['https://keycloak.example.edu/cb']);
    expect(kc?.postLogoutRedirectUris).to.deep.equal(['https://keycloak.example.edu/logout_response']);
    expect(kc?.defaultScopes).to.deep.equal(['openid', 'profile']);
    expect(kc?.allowedScopes).to.deep.equal(['openid', 'profile', 'email']);
    expect(kc?.previousSecrets).to.have.length(1);
    expect(wiki).to.include({ clientId: 'wiki', tokenEndpointAuthMethod: 'client_secret_post', where: 'clients[1]' });
    expect(wiki?.defaultScopes).to.deep.equal(['openid']);
    expect(wiki?.redirectUriAllowlist).to.deep.equal(['https://wiki.example.edu/auth']);
    expect(wiki?.postLogoutAllowlist).to.deep.equal(['https://wiki.example.edu/auth']);
  });

  it('the flat form and a list can be used together; a client id defined twice is refused', () => {
    const together = configOf({ env: { ...validEnv(), CLIENTS: JSON.stringify([entry('wiki')]) } });
    expect(together.clients.map((c) => c.clientId)).to.deep.equal(['keycloak', 'wiki']);
    expect(problemsOf({ env: { ...validEnv(), CLIENTS: JSON.stringify([entry('keycloak')]) } }))
      .to.deep.equal(['clients[0].client_id: "keycloak" is already the id of the single client of CLIENT_ID (flat form); every client needs an id of its own']);
    expect(problemsOf({ env: { ...base, CLIENTS: JSON.stringify([entry('wiki'), entry('app'), entry('wiki')]) } }))
      .to.deep.equal(['clients[2].client_id: "wiki" is already the id of clients[0]; every client needs an id of its own']);
  });

  it('a client list entry with a mistake is reported with its index and key', () => {
    const problems = problemsOf({
      env: {
        ...base,
        CLIENTS: JSON.stringify([entry('a'), { ...entry('b'), redirect_uris: ['not a url'], colour: 'blue' }]),
      },
    });
    expect(problems).to.have.length(2);
    expect(problems).to.include('clients[1].redirect_uris[0]: must be an absolute URL');
    expect(problems).to.include('clients[1]: unknown key `colour`');
  });

  it('no client at all is refused', () => {
    expect(problemsOf({ env: base })).to.deep.equal([
      'CLIENT_ID: no client is configured (set CLIENT_ID, CLIENT_SECRET and REDIRECT_URI_ALLOWLIST, or a `clients` list)',
    ]);
  });

  it('a client needs at least one redirect URI', () => {
    expect(problemsOf({ env: { ...validEnv(), REDIRECT_URI_ALLOWLIST: '' } }))
      .to.deep.equal(['REDIRECT_URI_ALLOWLIST: at least one redirect URI is required for client "keycloak"']);
    expect(problemsOf({ env: { ...base, CLIENTS: JSON.stringify([entry('x', { redirect_uris: [] })]) } }))
      .to.deep.equal(['clients[0].redirect_uris: at least one redirect URI is required for client "x"']);
  });
});
