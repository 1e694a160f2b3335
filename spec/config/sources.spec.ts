// Configuration sources, later wins: built-in defaults -> JSON file (./config.json, or --config,
// or CONFIG_FILE) -> environment.
import { expect } from 'chai';
import { join } from 'node:path';
import { loadSettings } from '../../lib/config/load.js';
import { SETTINGS, SETTING_NAMES } from '../../lib/config/index.js';
import { configOf, problemsOf, tempDir, validEnv, writeJson } from './support.js';

describe('configuration sources and precedence', () => {
  it('uses the built-in defaults when nothing else is given', () => {
    const dir = tempDir();
    const config = configOf({ env: validEnv(), cwd: dir });
    expect(config.server).to.include({ host: '127.0.0.1', port: 59084 });
    expect(config.ttl).to.include({ accessToken: 1800, authorizationCode: 300, interaction: 600 });
    expect(config.database).to.include({ path: join(dir, 'cas_proxy.sqlite3'), url: undefined });
    expect(config.cas.timeoutMs).to.equal(8000);
    expect(config.cookies).to.deep.equal({ secure: true, sameSite: 'lax' });
    const { origins } = loadSettings({ env: validEnv(), cwd: tempDir() });
    expect(origins.PORT).to.equal('default');
    expect(origins.ISSUER).to.equal('env');
  });

  it('every default in the settings table is what loadSettings starts from', () => {
    const { values } = loadSettings({ env: {}, cwd: tempDir() });
    for (const name of SETTING_NAMES) {
      expect(values[name], name).to.deep.equal(SETTINGS[name].default);
    }
  });

  it('reads config.json from the working directory', () => {
    const dir = tempDir();
    writeJson(dir, 'config.json', { ...validEnv(), PORT: 7001 });
    const config = configOf({ cwd: dir });
    expect(config.server.port).to.equal(7001);
    expect(config.settings.file).to.match(/config\.json$/);
    expect(config.settings.origins.PORT).to.equal('file');
  });

  it('works without any file (environment only)', () => {
    const config = configOf({ env: validEnv() });
    expect(config.settings.file).to.equal(undefined);
  });

  it('reads the file named by --config instead of ./config.json', () => {
    const dir = tempDir();
    writeJson(dir, 'config.json', { ...validEnv(), PORT: 7001 });
    const other = writeJson(tempDir(), 'bridge.json', { ...validEnv(), PORT: 7002 });
    expect(configOf({ cwd: dir, configPath: other }).server.port).to.equal(7002);
  });

  it('reads the file named by CONFIG_FILE instead of ./config.json', () => {
    const dir = tempDir();
    writeJson(dir, 'config.json', { ...validEnv(), PORT: 7001 });
    writeJson(dir, 'from-env.json', { ...validEnv(), PORT: 7003 });
    expect(configOf({ cwd: dir, env: { CONFIG_FILE: 'from-env.json' } }).server.port).to.equal(7003);
  });

  it('--config wins over CONFIG_FILE', () => {
    const dir = tempDir();
    writeJson(dir, 'a.json', { ...validEnv(), PORT: 7004 });
    writeJson(dir, 'b.json', { ...validEnv(), PORT: 7005 });
    expect(configOf({ cwd: dir, configPath: 'a.json', env: { CONFIG_FILE: 'b.json' } }).server.port).to.equal(7004);
  });

  it('a --config or CONFIG_FILE path that does not exist is a problem, not a silent default', () => {
    expect(problemsOf({ env: validEnv(), configPath: 'missing.json' }).join('\n')).to.match(/config file .*missing\.json: cannot be read: no such file \(ENOENT\)/);
    expect(problemsOf({ env: validEnv({ CONFIG_FILE: 'nope.json' }) }).join('\n')).to.match(/nope\.json: cannot be read/);
  });

  it('the environment wins over the file, the file over the defaults', () => {
    const dir = tempDir();
    writeJson(dir, 'config.json', { ...validEnv(), PORT: 7001, ACCESS_TOKEN_EXPIRY: 900, AUTH_CODE_EXPIRY: 120 });
    const config = configOf({ cwd: dir, env: { PORT: '7010', ACCESS_TOKEN_EXPIRY: '600' } });
    expect(config.server.port).to.equal(7010);
    expect(config.ttl.accessToken).to.equal(600);
    expect(config.ttl.authorizationCode).to.equal(120); // file
    expect(config.ttl.interaction).to.equal(600); // default
    expect(config.settings.origins).to.include({ PORT: 'env', ACCESS_TOKEN_EXPIRY: 'env', AUTH_CODE_EXPIRY: 'file', SESSION_EXPIRY: 'default' });
  });

  it('a file can be completed by the environment (secrets kept out of the file)', () => {
    const dir = tempDir();
    const { SECRET_KEY, CLIENT_SECRET, ...rest } = validEnv();
    writeJson(dir, 'config.json', rest);
    const config = configOf({ cwd: dir, env: { SECRET_KEY: SECRET_KEY!, CLIENT_SECRET: CLIENT_SECRET! } });
    expect(config.secrets.current).to.equal(SECRET_KEY);
    expect(config.clients[0]?.clientSecret).to.equal(CLIENT_SECRET);
  });

  it('an empty environment variable for a URL or a number means "not set" (compose files write `SERVICE_URL=`)', () => {
    const dir = tempDir();
    writeJson(dir, 'config.json', { ...validEnv(), PORT: 7001, CAS_VALIDATE_URL: 'https://cas.example.edu/cas/serviceValidate' });
    const config = configOf({ cwd: dir, env: { SERVICE_URL: '', CAS_VALIDATE_URL: ' ', PORT: '' } });
    expect(config.cas.serviceUrl).to.equal('https://bridge.example.edu/callback');
    expect(config.cas.validateUrl).to.equal('https://cas.example.edu/cas/serviceValidate');
    expect(config.server.port).to.equal(7001);
  });

  it('null in the file means "not set" (the default stays)', () => {
    const dir = tempDir();
    writeJson(dir, 'config.json', { ...validEnv(), PORT: null });
    expect(configOf({ cwd: dir }).server.port).to.equal(59084);
  });

  it('ignores "$schema" and "//" comment keys, refuses unknown keys by name', () => {
    const dir = tempDir();
    writeJson(dir, 'config.json', { $schema: './schema.json', '// note': 'hello', ...validEnv() });
    expect(problemsOf({ cwd: dir })).to.deep.equal([]);
    writeJson(dir, 'config.json', { ...validEnv(), ISSUR: 'https://typo.example.edu' });
    expect(problemsOf({ cwd: dir })).to.deep.equal([`ISSUR: unknown setting in ${dir}/config.json (did you mean \`ISSUER\`?)`]);
  });

  it('a file that is not a JSON object is one clear problem', () => {
    const dir = tempDir();
    writeJson(dir, 'config.json', '[1, 2]');
    expect(problemsOf({ cwd: dir, env: validEnv() })).to.deep.equal([`config file ${dir}/config.json: must hold a JSON object`]);
  });

  it('structured settings: `clients` and `claims` in the file, CLIENTS and CLAIMS as JSON in the environment', () => {
    const entry = {
      client_id: 'app', client_secret: 'App-S3cr3t-Ab7Xy9Qw2Er5Ty8Ui0OpZZ', redirect_uris: ['https://app.example.edu/cb'],
    };
    const { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI_ALLOWLIST, ...base } = validEnv();
    const dir = tempDir();
    writeJson(dir, 'config.json', { ...base, clients: [entry], claims: { preset: 'default' } });
    expect(configOf({ cwd: dir }).clients.map((c) => c.clientId)).to.deep.equal(['app']);
    const fromEnv = configOf({ env: { ...base, CLIENTS: JSON.stringify([entry]), CLAIMS: '{"preset":"default"}' } });
    expect(fromEnv.clients.map((c) => c.clientId)).to.deep.equal(['app']);
    // the environment's CLIENTS replaces the file's list
    const both = configOf({ cwd: dir, env: { CLIENTS: JSON.stringify([{ ...entry, client_id: 'other' }]) } });
    expect(both.clients.map((c) => c.clientId)).to.deep.equal(['other']);
  });
});
