// Configuration mistakes said in the bridge's own words (issue 17, section 1): the nearest known key
// for a typo (top-level settings and client entries, known keys taken from the schema itself), what
// was expected and what was given, one rule for booleans in the file and the environment, an
// invalid JSON file reported alone, http(s) only for CAS URLs, mysql:// read as MariaDB.
import { expect } from 'chai';
import { z } from 'zod';
import { clientEntrySchema } from '../../lib/config/clients.js';
import { nearest, parseInWords } from '../../lib/config/words.js';
import { configOf, problemsOf, tempDir, validEnv, writeJson, CLIENT_SECRET } from './support.js';

const { CLIENT_ID: _id, CLIENT_SECRET: _secret, REDIRECT_URI_ALLOWLIST: _list, ...base } = validEnv();
const entry = (extra: Record<string, unknown>) => ({
  client_id: 'app', client_secret: CLIENT_SECRET, redirect_uris: ['https://app.example.edu/cb'], ...extra,
});
const clientProblems = (extra: Record<string, unknown>): string[] => problemsOf({ env: { ...base, CLIENTS: JSON.stringify([entry(extra)]) } });

describe('configuration mistakes in the bridge\'s words', () => {
  describe('client entries', () => {
    it('an unknown key names the nearest known one', () => {
      const { redirect_uris: uris, ...rest } = entry({});
      expect(problemsOf({ env: { ...base, CLIENTS: JSON.stringify([{ ...rest, redirect_uri: uris }]) } }))
        .to.include('clients[0]: unknown key `redirect_uri` (did you mean `redirect_uris`?)');
      expect(clientProblems({ clientname: 'App' })).to.deep.equal(['clients[0]: unknown key `clientname` (did you mean `client_name`?)']);
      // nothing close: no guess
      expect(clientProblems({ colour: 'blue' })).to.deep.equal(['clients[0]: unknown key `colour`']);
    });

    it('says what was expected and what was given, never zod\'s own text', () => {
      const problems = [
        ...clientProblems({ redirect_uris: 'https://app.example.edu/cb' }),
        ...clientProblems({ token_endpoint_auth_method: 'client_secret_jwk' }),
        ...clientProblems({ backchannel_logout_session_required: 'yes' }),
        ...clientProblems({ scope: 42 }),
        ...clientProblems({ redirect_uris: ['https://app.example.edu/cb', 7] }),
      ];
      expect(problems).to.deep.equal([
        'clients[0].redirect_uris: must be a list (JSON array), not a string',
        'clients[0].token_endpoint_auth_method: must be one of `client_secret_post`, `client_secret_basic`, `client_secret_jwt`, `private_key_jwt`, `none`, not `client_secret_jwk`',
        'clients[0].backchannel_logout_session_required: must be true or false, not a string',
        'clients[0].scope: must be a list (JSON array) or a string, not a number',
        'clients[0].redirect_uris[1]: must be a string, not a number',
      ]);
      for (const p of problems) expect(p).not.to.match(/Invalid input|Unrecognized|expected one of|received/);
    });

    it('knows the keys of the schema it parses, so keys added to the client schema are suggested too', () => {
      const extended = clientEntrySchema.extend({ allowed_origins: z.array(z.string()).optional() });
      const parsed = parseInWords(extended, { ...entry({}), allowed_origin: ['https://app.example.edu'] }, 'clients[3]');
      expect(parsed).to.deep.equal({ ok: false, problems: ['clients[3]: unknown key `allowed_origin` (did you mean `allowed_origins`?)'] });
    });

    it('a schema\'s own message still wins', () => {
      expect(clientProblems({ client_id: '' })).to.deep.equal(['clients[0].client_id: is required (a string)']);
    });
  });

  describe('top-level settings of the file', () => {
    it('an unknown setting names the nearest one, or where a client key belongs', () => {
      const dir = tempDir();
      const file = writeJson(dir, 'config.json', { ...validEnv(), ISSUR: 'x', cookie_secure: false, redirect_uris: [], FROBNICATE: 1 });
      expect(problemsOf({ cwd: dir })).to.deep.equal([
        `ISSUR: unknown setting in ${file} (did you mean \`ISSUER\`?)`,
        `cookie_secure: unknown setting in ${file} (did you mean \`COOKIE_SECURE\`?)`,
        `redirect_uris: unknown setting in ${file} (\`redirect_uris\` is a key of an entry of \`clients\`, not a setting of its own)`,
        `FROBNICATE: unknown setting in ${file} (the settings are listed in the README's configuration reference)`,
      ]);
    });

    it('an invalid JSON file is reported alone, with where and what, and without the text around it', () => {
      const dir = tempDir();
      const file = writeJson(dir, 'config.json', '{\n  "ISSUER": "https://bridge.example.edu",\n  "SECRET_KEY": "MARKER-secret-value",\n}\n');
      const problems = problemsOf({ cwd: dir });
      expect(problems).to.deep.equal([`config file ${file}: not valid JSON at line 4 column 1: expected a "quoted" key (JSON allows no trailing comma and no comments)`]);
      writeJson(dir, 'config.json', '{ "ISSUER": "https://bridge.example.edu" // the bridge\n}');
      expect(problemsOf({ cwd: dir })).to.deep.equal([`config file ${file}: not valid JSON at line 1 column 42: expected a comma or the end of the list (JSON allows no comments)`]);
      writeJson(dir, 'config.json', '{ "ISSUER": "https://bridge.example.edu"');
      expect(problemsOf({ cwd: dir })).to.deep.equal([`config file ${file}: not valid JSON at line 1 column 41: the text ends too early (a missing } or ])`]);
    });
  });

  describe('one rule for booleans, in the file and in the environment', () => {
    const accepted: Array<[unknown, boolean]> = [
      [true, true], ['true', true], ['TRUE', true], ['yes', true], ['on', true], ['1', true], [1, true],
      [false, false], ['false', false], ['no', false], ['off', false], ['0', false], [0, false],
    ];
    for (const [value, meaning] of accepted) {
      it(`${JSON.stringify(value)} means ${meaning} in the file${typeof value === 'string' ? ' and in the environment' : ''}`, () => {
        const dir = tempDir();
        writeJson(dir, 'config.json', { ...validEnv(), ID_TOKEN_CLAIMS: value });
        expect(configOf({ cwd: dir }).claims.inIdToken).to.equal(meaning);
        if (typeof value === 'string') expect(configOf({ env: validEnv({ ID_TOKEN_CLAIMS: value }) }).claims.inIdToken).to.equal(meaning);
      });
    }

    it('anything else is refused with the same words in both places; empty means "not set"', () => {
      const dir = tempDir();
      const file = writeJson(dir, 'config.json', { ...validEnv(), ID_TOKEN_CLAIMS: 2, SERVICE_URL_PER_LOGIN: 'perhaps' });
      expect(problemsOf({ cwd: dir })).to.deep.equal([
        `ID_TOKEN_CLAIMS: must be true or false (also accepted: 1/0, yes/no, on/off) (${file})`,
        `SERVICE_URL_PER_LOGIN: must be true or false (also accepted: 1/0, yes/no, on/off) (${file})`,
      ]);
      expect(problemsOf({ env: validEnv({ ID_TOKEN_CLAIMS: 'perhaps' }) }))
        .to.deep.equal(['ID_TOKEN_CLAIMS: must be true or false (also accepted: 1/0, yes/no, on/off) (environment)']);
      // an empty variable (a compose file's `COOKIE_SECURE=`) keeps the default, as for URLs and numbers
      expect(configOf({ env: validEnv({ COOKIE_SECURE: '' }) }).cookies.secure).to.equal(true);
    });

    it('a refused boolean is reported alone: no rule is checked against the default standing in for it', () => {
      const refused = 'must be true or false (also accepted: 1/0, yes/no, on/off) (environment)';
      expect(problemsOf({ env: validEnv({ ISSUER: 'http://127.0.0.1:59084', COOKIE_SECURE: 'perhaps' }) }))
        .to.deep.equal([`COOKIE_SECURE: ${refused}`]);
      expect(problemsOf({ env: validEnv({ HOST: '0.0.0.0', COOKIE_SECURE: 'perhaps' }) }))
        .to.deep.equal([`COOKIE_SECURE: ${refused}`]);
      expect(problemsOf({ env: validEnv({ HOST: '0.0.0.0', TRUST_PROXY: 'perhaps' }) }))
        .to.deep.equal([`TRUST_PROXY: ${refused}`]);
      // a valid value still meets the rules
      expect(problemsOf({ env: validEnv({ ISSUER: 'http://127.0.0.1:59084', COOKIE_SECURE: 'true' }) })[0]).to.match(/^COOKIE_SECURE: is true but ISSUER is plain http/);
    });
  });

  it('CAS and service URLs must be http or https', () => {
    expect(problemsOf({ env: validEnv({ CAS_LOGIN_URL: 'ftp://cas.example.edu/cas/login' }) }))
      .to.deep.equal(['CAS_LOGIN_URL: must be an http:// or https:// URL (environment)']);
    for (const name of ['CAS_VALIDATE_URL', 'SERVICE_URL', 'CAS_PROXY_URL', 'CLIENT_BACKCHANNEL_LOGOUT_URI']) {
      expect(problemsOf({ env: validEnv({ [name]: 'ldap://cas.example.edu/x' }) })).to.include(`${name}: must be an http:// or https:// URL (environment)`);
    }
    expect(problemsOf({ env: validEnv({ CAS_LOGOUT_URL: 'ftp://cas.example.edu/logout' }) }))
      .to.deep.equal(['CAS_LOGOUT_URL: must be an http:// or https:// URL, or `off` (environment)']);
  });

  it('mysql:// is accepted as MariaDB and said so; other schemes are refused naming the accepted ones', () => {
    const config = configOf({ env: validEnv({ DATABASE_URL: 'mysql://bridge:MARKER@db.example.edu:3306/bridge' }) });
    expect(config.database.describe).to.equal('DATABASE_URL (mysql://db.example.edu:3306/bridge, read as MariaDB)');
    // what check-config shows as the database's address: the URL alone, without the credentials
    expect(config.database.shown).to.equal('mysql://db.example.edu:3306/bridge');
    expect(problemsOf({ env: validEnv({ DATABASE_URL: 'sqlite:///var/lib/bridge.db' }) })[0]).to.match(/^DATABASE_URL: must start with postgres:\/\/ .* mariadb:\/\/ \(or mysql:\/\/, read as mariadb:\/\/\)/);
  });

  it('a relative DATABASE_PATH is resolved against the working directory, and messages say so', () => {
    const dir = tempDir();
    const config = configOf({ cwd: dir, env: validEnv({ DATABASE_PATH: 'data/bridge.sqlite3' }) });
    expect(config.database.path).to.equal(`${dir}/data/bridge.sqlite3`);
    expect(config.database.describe).to.equal(`DATABASE_PATH (${dir}/data/bridge.sqlite3: "data/bridge.sqlite3" is relative to the working directory ${dir})`);
    expect(configOf({ cwd: dir, env: validEnv({ DATABASE_PATH: '/var/lib/cas-oidc-bridge/bridge.sqlite3' }) }).database.describe)
      .to.equal('DATABASE_PATH (/var/lib/cas-oidc-bridge/bridge.sqlite3)');
  });

  it('nearest() guesses only for slips, not for unrelated words', () => {
    expect(nearest('ISSUR', ['ISSUER', 'HOST'])).to.equal('ISSUER');
    expect(nearest('SECRET_KYE', ['SECRET_KEY'])).to.equal('SECRET_KEY');
    expect(nearest('colour', ['client_id', 'scope'])).to.equal(undefined);
    expect(nearest('ab', ['ac'])).to.equal(undefined);
    expect(nearest('Host', ['HOST'])).to.equal('HOST');
  });
});
