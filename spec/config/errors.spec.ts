// Bad configuration: every problem at once, one line each naming the setting, never a secret;
// settings that cannot work (bare-name issuer, weak secrets, cookies) are refused at start.
import { expect } from 'chai';
import { ConfigError } from '../../lib/config/index.js';
import { configErrorOf, configOf, problemsOf, tempDir, validEnv, writeJson } from './support.js';

/** The first word of a problem line: the setting it names. */
const settingOf = (problem: string): string => problem.split(':')[0] ?? '';

describe('configuration errors', () => {
  it('lists every problem at once, one line each, each naming its setting', () => {
    const env = {
      ISSUER: 'cas-proxy',
      CAS_LOGIN_URL: 'not a url',
      SECRET_KEY: 'short',
      CLIENT_ID: 'kc',
      CLIENT_SECRET: 'replace-with-a-long-random-client-secret',
      REDIRECT_URI_ALLOWLIST: 'https://sso.example.edu/x,ftp://sso.example.edu/y',
      PORT: 'eighty',
      ACCESS_TOKEN_EXPIRY: '0',
      CAS_REQUEST_TIMEOUT: 'slow',
      COOKIE_SAMESITE: 'Strict',
      COOKIE_SECURE: 'perhaps',
      DATABASE_URL: 'sqlite:///tmp/x',
    };
    const err = configErrorOf({ env });
    expect(err).to.be.instanceOf(ConfigError);
    const named = err.problems.map(settingOf);
    for (const setting of ['ISSUER', 'CAS_LOGIN_URL', 'SECRET_KEY', 'CLIENT_SECRET', 'REDIRECT_URI_ALLOWLIST', 'PORT', 'ACCESS_TOKEN_EXPIRY', 'CAS_REQUEST_TIMEOUT', 'COOKIE_SAMESITE', 'COOKIE_SECURE', 'DATABASE_URL']) {
      expect(named, `${setting} in\n${err.problems.join('\n')}`).to.include(setting);
    }
    for (const problem of err.problems) {
      expect(problem).not.to.include('\n');
      expect(problem).to.match(/^[A-Za-z_[\]0-9.]+: \S/);
    }
    // the error's message is the readable list (what a caller prints)
    expect(err.message.split('\n')).to.have.length(err.problems.length + 1);
  });

  it('type errors say what is expected', () => {
    expect(problemsOf({ env: validEnv({ PORT: 'eighty' }) })).to.deep.equal(['PORT: must be a whole number (environment)']);
    expect(problemsOf({ env: validEnv({ PORT: '70000' }) })).to.deep.equal(['PORT: must be at most 65535 (environment)']);
    expect(problemsOf({ env: validEnv({ SESSION_EXPIRY: '1.5' }) })).to.deep.equal(['SESSION_EXPIRY: must be a whole number of seconds (environment)']);
    expect(problemsOf({ env: validEnv({ AUTH_CODE_EXPIRY: '0' }) })).to.deep.equal(['AUTH_CODE_EXPIRY: must be at least 1 second (environment)']);
    expect(problemsOf({ env: validEnv({ COOKIE_SECURE: 'perhaps' }) })).to.deep.equal(['COOKIE_SECURE: must be true or false (also accepted: 1/0, yes/no, on/off) (environment)']);
    expect(problemsOf({ env: validEnv({ COOKIE_SAMESITE: 'Loose' }) })).to.deep.equal(['COOKIE_SAMESITE: must be one of Lax, None, Strict (environment)']);
    expect(problemsOf({ env: validEnv({ CAS_LOGIN_URL: 'cas.example.edu/login' }) })).to.deep.equal(['CAS_LOGIN_URL: must be an http:// or https:// URL (environment)']);
    expect(problemsOf({ env: validEnv({ REDIRECT_URI_ALLOWLIST: '["https://a.example.edu",' }) }))
      .to.deep.equal(['REDIRECT_URI_ALLOWLIST: is not a valid JSON array (write a JSON array or a comma-separated list) (environment)']);
  });

  it('names the file a bad value came from', () => {
    const dir = tempDir();
    const file = writeJson(dir, 'config.json', { ...validEnv(), PORT: 'eighty', COOKIE_SECURE: 'yes please' });
    expect(problemsOf({ cwd: dir })).to.deep.equal([
      `PORT: must be a whole number (${file})`,
      `COOKIE_SECURE: must be true or false (also accepted: 1/0, yes/no, on/off) (${file})`,
    ]);
  });

  it('a missing required setting is one line each', () => {
    expect(problemsOf({ env: {} })).to.deep.equal([
      'ISSUER: is required: the public https URL of the bridge, e.g. https://bridge.example.edu',
      'CAS_LOGIN_URL: is required, e.g. https://cas.example.edu/cas/login',
      'SECRET_KEY: is missing (use at least 32 random characters, e.g. `openssl rand -base64 48`)',
      'CLIENT_ID: no client is configured (set CLIENT_ID, CLIENT_SECRET and REDIRECT_URI_ALLOWLIST, or a `clients` list)',
    ]);
  });

  it('an incomplete single-client form says what it lacks', () => {
    const { CLIENT_ID, ...noId } = validEnv();
    expect(problemsOf({ env: noId })).to.deep.equal(['CLIENT_ID: is required for the single-client form (CLIENT_SECRET or REDIRECT_URI_ALLOWLIST is set)']);
    const { CLIENT_SECRET, ...noSecret } = validEnv();
    expect(problemsOf({ env: noSecret })).to.deep.equal(['CLIENT_SECRET: is missing (use at least 32 random characters, e.g. `openssl rand -hex 32`)']);
    // missing, not weak: even DEV_MODE cannot make up a client secret
    expect(problemsOf({ env: { ...noSecret, DEV_MODE: 'true' } })).to.have.length(1);
    const { CLIENT_ID: _i, CLIENT_SECRET: _s, ...onlyList } = validEnv();
    expect(problemsOf({ env: onlyList }).map(settingOf)).to.deep.equal(['CLIENT_ID', 'CLIENT_SECRET']);
  });

  describe('ISSUER', () => {
    it('a bare name (the Python service\'s `cas-proxy`) is refused with an explanation of the change', () => {
      const [problem, ...rest] = problemsOf({ env: validEnv({ ISSUER: 'cas-proxy' }) });
      expect(rest).to.deep.equal([]);
      expect(problem).to.match(/^ISSUER: must be an absolute https URL/);
      expect(problem).to.include('cas-proxy');
      expect(problem).to.match(/Python/);
    });

    it('http is accepted only for a loopback host', () => {
      for (const issuer of ['http://127.0.0.1:59084', 'http://localhost:8080', 'http://[::1]:59084', 'http://bridge.localhost']) {
        expect(problemsOf({ env: validEnv({ ISSUER: issuer, COOKIE_SECURE: 'false' }) }), issuer).to.deep.equal([]);
      }
      for (const issuer of ['http://bridge.example.edu', 'http://10.0.0.5:59084', 'http://127.0.0.1.nip.io']) {
        expect(problemsOf({ env: validEnv({ ISSUER: issuer, COOKIE_SECURE: 'false' }) }), issuer)
          .to.deep.equal(['ISSUER: must use https (plain http is allowed only for a loopback host)']);
      }
    });

    it('other schemes, queries, fragments and credentials are refused', () => {
      expect(problemsOf({ env: validEnv({ ISSUER: 'ftp://bridge.example.edu' }) })[0]).to.match(/^ISSUER: must be an absolute https URL/);
      for (const issuer of ['https://bridge.example.edu/?x=1', 'https://bridge.example.edu/#top', 'https://u:p@bridge.example.edu']) {
        expect(problemsOf({ env: validEnv({ ISSUER: issuer }) }), issuer).to.deep.equal(['ISSUER: must not carry a query, fragment or credentials']);
      }
    });
  });

  describe('secrets', () => {
    const WEAK: Array<[string, string, RegExp]> = [
      ['missing', '', /is missing/],
      ['31 characters', 'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4', /shorter than 32 characters/],
      ['config.example.json SECRET_KEY', 'replace-with-the-output-of-openssl-rand-base64-48', /placeholder/],
      ['config.example.json client secret', 'replace-with-a-long-random-client-secret', /placeholder/],
      ['README placeholder', '<output of: openssl rand -base64 48>', /placeholder/],
      ['Python README placeholder', 'replace-with-a-random-secret-of-at-least-32-chars', /placeholder/],
      ['change-me', 'change-me-change-me-change-me-change-me', /placeholder/],
      ['few distinct characters', 'a'.repeat(40), /too few distinct characters/],
    ];

    for (const [label, value, reason] of WEAK) {
      it(`SECRET_KEY ${label} is refused outside DEV_MODE`, () => {
        const env = validEnv({ SECRET_KEY: value });
        if (!value) delete env.SECRET_KEY;
        const problems = problemsOf({ env });
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^SECRET_KEY: /).and.match(reason);
        if (value) expect(problems[0]).not.to.include(value);
      });
    }

    for (const [label, value, reason] of WEAK.slice(1)) {
      it(`a client secret (${label}) is refused, in the flat form and in a clients list`, () => {
        const flat = problemsOf({ env: validEnv({ CLIENT_SECRET: value }) });
        expect(flat.filter((p) => p.startsWith('CLIENT_SECRET:'))).to.have.length(1);
        expect(flat.find((p) => p.startsWith('CLIENT_SECRET:'))).to.match(reason).and.not.include(value);
        const { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI_ALLOWLIST, ...base } = validEnv();
        const listed = problemsOf({ env: { ...base, CLIENTS: JSON.stringify([{ client_id: 'a', client_secret: value, redirect_uris: ['https://a.example.edu/cb'] }]) } });
        expect(listed.filter((p) => p.startsWith('clients[0].client_secret:'))).to.have.length(1);
        expect(listed.join('\n')).not.to.include(value);
      });
    }

    it('a 32-character random secret is accepted', () => {
      expect(problemsOf({ env: validEnv({ SECRET_KEY: 'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4e', CLIENT_SECRET: 'Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2c' }) })).to.deep.equal([]);
    });

    it('DEV_MODE accepts weak or missing secrets with a warning that names the setting, not the value', () => {
      const env = validEnv({ DEV_MODE: 'true', SECRET_KEY: 'dev', CLIENT_SECRET: 'dev-client' });
      const config = configOf({ env });
      expect(config.devMode).to.equal(true);
      expect(config.warnings.join('\n')).to.match(/SECRET_KEY is shorter than 32 characters; accepted only because DEV_MODE is on/);
      expect(config.warnings.join('\n')).to.match(/CLIENT_SECRET is shorter than 32 characters/);
      expect(config.warnings.join('\n')).not.to.include('dev-client');
      const { SECRET_KEY, ...noKey } = env;
      expect(configOf({ env: noKey }).secrets.current).to.have.length.greaterThan(32);
    });

    it('weak earlier secrets (a rotation from the Python service) are accepted with a warning naming them', () => {
      const config = configOf({ env: validEnv({ CLIENT_SECRET_PREVIOUS: 'old-python-secret', SECRET_KEY_PREVIOUS: 'old-key' }) });
      expect(config.clients[0]?.previousSecrets).to.deep.equal(['old-python-secret']);
      expect(config.warnings).to.include('CLIENT_SECRET_PREVIOUS[0] is weak; drop it once the rotation is over');
      expect(config.warnings).to.include('SECRET_KEY_PREVIOUS[0] is weak; drop it once the rotation is over');
      expect(config.warnings.join('\n')).not.to.match(/old-python-secret|old-key/);
    });

    it('a client secret with spaces is refused; one outside [A-Za-z0-9._~-] earns a Keycloak warning', () => {
      expect(problemsOf({ env: validEnv({ CLIENT_SECRET: 'with spaces inside of it 0123456789abc' }) }))
        .to.deep.equal(['CLIENT_SECRET: must be printable ASCII without spaces']);
      const config = configOf({ env: validEnv({ CLIENT_SECRET: 'Ab3dEf6hIj9lMn2pQr5tUv8x+z1b/d4e==' }) });
      expect(config.warnings.join('\n')).to.match(/CLIENT_SECRET has characters outside/);
    });

    it('no secret value ever appears in a problem or a warning', () => {
      const secrets = {
        SECRET_KEY: 'replace-with-MARKER-ONE-0123456789abcdef',
        CLIENT_SECRET: 'MARKER-TWO',
        CLIENT_SECRET_PREVIOUS: 'MARKER-THREE-short',
        SECRET_KEY_PREVIOUS: '["MARKER-FOUR"]',
        DATABASE_URL: 'postgres://bridge:MARKER-FIVE@',
      };
      const problems = problemsOf({ env: validEnv({ ...secrets, ISSUER: 'cas-proxy', REDIRECT_URI_ALLOWLIST: 'https://user:MARKER-SIX@sso.example.edu/cb' }) });
      const devWarnings = configOf({ env: validEnv({ ...secrets, DATABASE_URL: 'postgres://bridge:MARKER-FIVE@db/x', DEV_MODE: 'true' }) }).warnings;
      const text = [...problems, ...devWarnings].join('\n');
      expect(problems.length).to.be.greaterThan(2);
      expect(text).not.to.match(/MARKER/);
    });

    it('a config file that is not valid JSON is reported without quoting it (it may hold secrets)', () => {
      const dir = tempDir();
      const file = writeJson(dir, 'config.json', '{\n  "ISSUER": "https://bridge.example.edu",\n  "SECRET_KEY": MARKERsecretvalue0123456789abcdef\n}');
      const problems = problemsOf({ cwd: dir });
      expect(problems[0]).to.match(new RegExp(`^config file ${file}: not valid JSON`));
      expect(problems.join('\n')).not.to.include('MARKER');
      const trailing = writeJson(dir, 'config.json', '{\n  "SECRET_KEY": "MARKERsecretvalue0123456789abcdef",\n}');
      const [again] = problemsOf({ cwd: dir });
      expect(again).to.match(new RegExp(`^config file ${trailing}: not valid JSON`)).and.not.include('MARKER');
    });

    it('CLIENTS or CLAIMS that are not valid JSON are reported without quoting them', () => {
      const problems = problemsOf({ env: validEnv({ CLIENTS: '[{"client_id":"x","client_secret":"MARKER', CLAIMS: '{MARKER' }) });
      expect(problems).to.include('CLIENTS: is not valid JSON (environment)');
      expect(problems).to.include('CLAIMS: is not valid JSON (environment)');
      expect(problems.join('\n')).not.to.include('MARKER');
    });
  });

  describe('cookies that cannot work are refused at start', () => {
    it('COOKIE_SAMESITE=Strict (the return from CAS is a cross-site navigation)', () => {
      const [problem, ...rest] = problemsOf({ env: validEnv({ COOKIE_SAMESITE: 'Strict' }) });
      expect(rest).to.deep.equal([]);
      expect(problem).to.match(/^COOKIE_SAMESITE: Strict cannot work/).and.match(/cross-site/);
    });

    it('COOKIE_SAMESITE=None without Secure', () => {
      expect(problemsOf({ env: validEnv({ ISSUER: 'http://127.0.0.1:59084', COOKIE_SAMESITE: 'None', COOKIE_SECURE: 'false' }) }))
        .to.deep.equal(['COOKIE_SAMESITE: None requires COOKIE_SECURE=true (browsers drop it otherwise)']);
      expect(configOf({ env: validEnv({ COOKIE_SAMESITE: 'None' }) }).cookies).to.deep.equal({ secure: true, sameSite: 'none' });
    });

    it('Secure cookies on a plain-http issuer', () => {
      const [problem, ...rest] = problemsOf({ env: validEnv({ ISSUER: 'http://127.0.0.1:59084' }) });
      expect(rest).to.deep.equal([]);
      expect(problem).to.match(/^COOKIE_SECURE: is true but ISSUER is plain http/);
    });

    it('Secure cookies on an https issuer served without a trusted TLS proxy', () => {
      expect(problemsOf({ env: validEnv({ HOST: '0.0.0.0' }) })[0]).to.match(/^TRUST_PROXY: ISSUER is https but the bridge serves plain http/);
      expect(problemsOf({ env: validEnv({ TRUST_PROXY: 'false' }) })[0]).to.match(/^TRUST_PROXY: /);
      expect(problemsOf({ env: validEnv({ HOST: '0.0.0.0', TRUST_PROXY: 'true' }) })).to.deep.equal([]);
    });
  });

  it('REQUIRE_TOKEN_REDIRECT_URI=false is accepted with a warning that says why it is ignored', () => {
    const config = configOf({ env: validEnv({ REQUIRE_TOKEN_REDIRECT_URI: 'false' }) });
    const warning = config.warnings.find((w) => w.includes('REQUIRE_TOKEN_REDIRECT_URI'));
    expect(warning).to.match(/ignored/).and.match(/RFC 6749/);
    expect(configOf({ env: validEnv({ REQUIRE_TOKEN_REDIRECT_URI: 'true' }) }).warnings).to.deep.equal([]);
  });

  it('allowlist entries that cannot be compared safely are refused', () => {
    const problems = problemsOf({ env: validEnv({ REDIRECT_URI_ALLOWLIST: 'https://user:pw@sso.example.edu/x,ftp://sso.example.edu/y,/relative,https://sso.example.edu/z#frag' }) });
    expect(problems).to.deep.equal([
      'REDIRECT_URI_ALLOWLIST: entry "https://…@sso.example.edu/x" must not carry credentials',
      'REDIRECT_URI_ALLOWLIST: entry "ftp://sso.example.edu/y" must be an http(s) URL',
      'REDIRECT_URI_ALLOWLIST: entry "/relative" must be an absolute URL',
      'REDIRECT_URI_ALLOWLIST: entry "https://sso.example.edu/z#frag" must not carry a fragment',
    ]);
  });
});
