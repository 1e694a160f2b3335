// The configuration examples shipped with the project are true: config.example.json and the
// README's minimal config.json are valid except for their placeholder secrets, which are refused.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { configOf, problemsOf, tempDir, writeJson } from './support.js';

const ROOT = new URL('../../', import.meta.url);
const REAL_SECRET = 'Zq8vN2xLp4Rt7Kw1Yb5Hc9Jd3Mf6Gs0AeQ';
const REAL_CLIENT_SECRET = 'c1f4e2b9a7d35e8f0b6c2a9d4e7f1b3c';

function readmeMinimalConfig(): Record<string, unknown> {
  const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
  const section = readme.split('A minimal `config.json`')[1];
  const block = section ? /```json\n([\s\S]*?)```/.exec(section)?.[1] : undefined;
  if (!block) throw new Error('README has no minimal config.json example');
  return JSON.parse(block) as Record<string, unknown>;
}

describe('configuration examples', () => {
  describe('config.example.json', () => {
    const example = JSON.parse(readFileSync(new URL('config.example.json', ROOT), 'utf8')) as Record<string, unknown> & { clients: Array<Record<string, unknown>> };

    it('is refused for its placeholder secrets, and for nothing else', () => {
      const problems = problemsOf({ configPath: writeJson(tempDir(), 'config.json', example) });
      expect(problems).to.have.length(2);
      expect(problems[0]).to.match(/^SECRET_KEY: is a placeholder value/);
      expect(problems[1]).to.match(/^clients\[0\]\.client_secret: is a placeholder value/);
    });

    it('is valid once real secrets are filled in, and configures a Keycloak client', () => {
      const filled = { ...example, SECRET_KEY: REAL_SECRET, clients: [{ ...example.clients[0], client_secret: REAL_CLIENT_SECRET }] };
      const config = configOf({ configPath: writeJson(tempDir(), 'config.json', filled) });
      expect(config.issuer).to.equal('https://bridge.example.edu');
      expect(config.cas.validateUrl).to.equal('https://cas.example.edu/cas/p3/serviceValidate');
      expect(config.cas.serviceUrl).to.equal('https://bridge.example.edu/callback');
      const [client] = config.clients;
      expect(client).to.include({ clientId: 'keycloak', tokenEndpointAuthMethod: 'client_secret_post' });
      expect(client?.redirectUris).to.deep.equal(['https://sso.example.edu/realms/example/broker/cas/endpoint']);
      expect(client?.postLogoutRedirectUris).to.deep.equal(['https://sso.example.edu/realms/example/broker/cas/endpoint/logout_response']);
      expect(config.warnings).to.deep.equal([]);
    });

    it('is also accepted with its secrets from the environment (the file keeps the placeholders out of use)', () => {
      const { SECRET_KEY, ...withoutKey } = example;
      const problems = problemsOf({ configPath: writeJson(tempDir(), 'config.json', withoutKey), env: { SECRET_KEY: REAL_SECRET } });
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^clients\[0\]\.client_secret: /);
    });
  });

  describe("the README's minimal config.json", () => {
    it('is refused for its placeholder secrets, and for nothing else', () => {
      const problems = problemsOf({ configPath: writeJson(tempDir(), 'config.json', readmeMinimalConfig()) });
      expect(problems).to.have.length(2);
      expect(problems[0]).to.match(/^SECRET_KEY: is a placeholder value/);
      expect(problems[1]).to.match(/^CLIENT_SECRET: is a placeholder value/);
    });

    it('is valid once real secrets are filled in', () => {
      const filled = { ...readmeMinimalConfig(), SECRET_KEY: REAL_SECRET, CLIENT_SECRET: REAL_CLIENT_SECRET };
      const config = configOf({ configPath: writeJson(tempDir(), 'config.json', filled) });
      expect(config.clients.map((c) => c.clientId)).to.deep.equal(['keycloak']);
      expect(config.clients[0]?.defaultScopes).to.deep.equal(['openid', 'profile', 'email', 'groups']);
      expect(config.warnings).to.deep.equal([]);
    });
  });
});
