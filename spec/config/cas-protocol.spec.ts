// CAS_PROTOCOL: the validation URL each protocol defaults to, the protocol a Python-era
// CAS_VALIDATE_URL names, a warning when both disagree, and no proxying with CAS 1 or SAML 1.1.
import { expect } from 'chai';
import { configOf, problemsOf, validEnv } from './support.js';

describe('CAS_PROTOCOL', () => {
  const base = 'https://cas.example.edu/cas';

  it('defaults to cas3 at /p3/serviceValidate', () => {
    expect(configOf({ env: validEnv() }).cas).to.deep.include({ protocol: 'cas3', validateUrl: `${base}/p3/serviceValidate` });
  });

  it('gives each protocol its own default validation URL (cas2 with proxying: /proxyValidate)', () => {
    const cases = { cas3: '/p3/serviceValidate', cas2: '/serviceValidate', saml11: '/samlValidate', cas1: '/validate' };
    for (const [protocol, path] of Object.entries(cases)) {
      expect(configOf({ env: validEnv({ CAS_PROTOCOL: protocol }) }).cas.validateUrl, protocol).to.equal(`${base}${path}`);
    }
    const proxying = configOf({ env: validEnv({ CAS_PROTOCOL: 'CAS2', CAS_PROXY_CALLBACK_URL: 'https://bridge.example.edu/cas/proxy-callback' }) });
    expect(proxying.cas).to.deep.include({ protocol: 'cas2', validateUrl: `${base}/proxyValidate` });
  });

  it('unset, it follows the endpoint CAS_VALIDATE_URL names (the Python cas-proxy had only that setting)', () => {
    const named = { 'samlValidate': 'saml11', 'validate': 'cas1', 'serviceValidate': 'cas2', 'proxyValidate': 'cas2', 'p3/serviceValidate': 'cas3', 'custom/check': 'cas3' };
    for (const [path, protocol] of Object.entries(named)) {
      const config = configOf({ env: validEnv({ CAS_VALIDATE_URL: `${base}/${path}` }) });
      expect(config.cas, path).to.deep.include({ protocol, validateUrl: `${base}/${path}` });
    }
  });

  it('an explicit CAS_PROTOCOL wins, with a warning when the URL names another protocol (not for CAS 2 against CAS 3 URLs)', () => {
    const config = configOf({ env: validEnv({ CAS_PROTOCOL: 'cas3', CAS_VALIDATE_URL: `${base}/samlValidate` }) });
    expect(config.cas.protocol).to.equal('cas3');
    expect(config.warnings.join('\n')).to.match(/CAS_VALIDATE_URL ends like a SAML 1\.1 endpoint but CAS_PROTOCOL is cas3/);
    expect(configOf({ env: validEnv({ CAS_PROTOCOL: 'cas2', CAS_VALIDATE_URL: `${base}/p3/serviceValidate` }) }).warnings.join('\n')).not.to.match(/ends like/);
  });

  it('an unknown protocol is a problem naming the choices', () => {
    expect(problemsOf({ env: validEnv({ CAS_PROTOCOL: 'cas4' }) })).to.deep.equal(['CAS_PROTOCOL: must be one of cas3, cas2, saml11, cas1 (environment)']);
  });

  it('proxying with CAS 1 or SAML 1.1 is refused: the check says why', () => {
    for (const protocol of ['cas1', 'saml11']) {
      const problems = problemsOf({ env: validEnv({ CAS_PROTOCOL: protocol, CAS_PROXY_CALLBACK_URL: 'https://bridge.example.edu/cas/proxy-callback' }) });
      expect(problems, protocol).to.have.length(1);
      expect(problems[0]).to.match(/^CAS_PROXY_CALLBACK_URL: CAS proxying needs CAS_PROTOCOL cas3 or cas2/);
      expect(problems[0]).to.match(protocol === 'cas1' ? /CAS 1 has no proxying at all/ : /samlValidate takes no pgtUrl/);
    }
  });
});
