// `cas-oidc-bridge start` with a bad configuration: exit code 2, every problem on its own line,
// no stack trace, no secret.
import { expect } from 'chai';
import { tempDir, writeJson } from '../config/support.js';
import { runCliToEnd } from '../support/cli-process.js';

const cli = (args: string[], env: Record<string, string> = {}, cwd = tempDir()) => runCliToEnd(args, env, cwd);

describe('cas-oidc-bridge start with a bad configuration', function () {
  this.timeout(30_000);

  it('exits 2 and prints every problem, one per line, with no stack trace and no secret', async () => {
    const dir = tempDir();
    const file = writeJson(dir, 'bridge.json', {
      ISSUER: 'cas-proxy',
      CAS_LOGIN_URL: 'https://cas.example.edu/cas/login',
      SECRET_KEY: 'replace-with-MARKER-root-secret-0123456789',
      CLIENT_ID: 'keycloak',
      CLIENT_SECRET: 'MARKER-short',
      REDIRECT_URI_ALLOWLIST: ['https://sso.example.edu/realms/x/broker/cas/endpoint'],
      COOKIE_SAMESITE: 'Strict',
    });
    const run = await cli(['start', '--config', file], { PORT: 'eighty', DATABASE_URL: 'postgres://u:MARKER-db@db.example.edu/x' });
    expect(run.code).to.equal(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).to.equal('cas-oidc-bridge: the configuration has 5 problems:');
    const problems = lines.slice(1);
    expect(problems).to.have.length(5);
    for (const line of problems) expect(line).to.match(/^ {2}- [A-Z_]+: /);
    expect(problems.map((l) => l.slice(4).split(':')[0])).to.have.members(['PORT', 'ISSUER', 'SECRET_KEY', 'COOKIE_SAMESITE', 'CLIENT_SECRET']);
    expect(run.stderr).not.to.match(/\n\s+at /); // no stack frames
    expect(run.stderr + run.stdout).not.to.include('MARKER');
    expect(run.stdout).to.equal('');
  });

  it('reads ./config.json and the environment like the library does (one problem, one line)', async () => {
    const dir = tempDir();
    writeJson(dir, 'config.json', {
      ISSUER: 'https://bridge.example.edu',
      CAS_LOGIN_URL: 'https://cas.example.edu/cas/login',
      CLIENT_ID: 'keycloak',
      CLIENT_SECRET: 'c1f4e2b9a7d35e8f0b6c2a9d4e7f1b3c',
      REDIRECT_URI_ALLOWLIST: 'https://sso.example.edu/realms/x/broker/cas/endpoint',
    });
    const run = await cli(['start'], { SECRET_KEY: 'too-short' }, dir);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal('cas-oidc-bridge: the configuration has 1 problem:\n'
      + '  - SECRET_KEY: is shorter than 32 characters (use at least 32 random characters, e.g. `openssl rand -base64 48`)\n');
  });

  it('a --config file that does not exist is a configuration problem (exit 2)', async () => {
    const run = await cli(['start', '--config', 'nowhere.json']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/nowhere\.json: cannot be read: no such file \(ENOENT\)/);
    expect(run.stderr).not.to.match(/\n\s+at /);
  });

  it('an unknown option is a usage error (exit 2)', async () => {
    const run = await cli(['start', '--confg', 'x.json']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/^cas-oidc-bridge start: unknown option --confg \(did you mean --config\?\)$/m);
    expect(run.stderr).not.to.match(/\n\s+at /);
  });
});
