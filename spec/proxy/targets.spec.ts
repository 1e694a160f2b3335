// cas_proxy_targets: exact entries, /* entries on parsed URLs, full-match regular expressions.
import { expect } from 'chai';
import { ProxyTargets, targetEntryProblem } from '../../lib/proxy/targets.js';

describe('CAS proxy targets', () => {
  it('exact entries match byte for byte only', () => {
    const t = new ProxyTargets(['https://api.example.edu/service']);
    expect(t.allows('https://api.example.edu/service')).to.equal(true);
    for (const other of ['https://api.example.edu/service/', 'https://api.example.edu/service?x=1', 'https://API.example.edu/service',
      'https://api.example.edu/servicex', 'https://api.example.edu:443/service', 'http://api.example.edu/service']) {
      expect(t.allows(other), other).to.equal(false);
    }
  });

  it('/* entries keep scheme, host and port exact and the path under the prefix', () => {
    const t = new ProxyTargets(['https://api.example.edu/reports/*']);
    for (const ok of ['https://api.example.edu/reports/', 'https://api.example.edu/reports/2026/q1?format=csv']) {
      expect(t.allows(ok), ok).to.equal(true);
    }
    for (const bad of [
      'https://api.example.edu/reportsx', // a string prefix would let this through
      'https://api.example.edu/reports', // the directory's parent form is not under /reports/
      'https://api.example.edu/reports/%252e%252e/admin', // decoded twice by some servers
      'https://api.example.edu/reports/%2F..%2Fadmin',
      'https://api.example.edu/reports/a%0d%0aX-Injected:%201',
      'https://api.example.edu/reports/x\r\nX-Injected: 1',
      'https://api.example.edu/reports//evil.test',
      'https://api.example.edu/reports/x?ticket=ST-1-forged',
      'https://api.example.edu/reports/x?a=1&ticket=ST-1-forged',
      'https://api.example.edu.evil.test/reports/x',
      'https://api.example.edu@evil.test/reports/x',
      'https://evil.test/?https://api.example.edu/reports/x',
      'https://api.example.edu/reports/../admin',
      'https://api.example.edu/reports/%2e%2e/admin',
      'https://api.example.edu/reports/x#frag',
      'http://api.example.edu/reports/x',
      'https://api.example.edu:8443/reports/x',
      'not a url',
    ]) {
      expect(t.allows(bad), bad).to.equal(false);
    }
  });

  it('regular expressions must match the whole target, and see canonical URLs only', () => {
    const t = new ProxyTargets(['^https://api\\.example\\.edu/(a|b)']);
    expect(t.allows('https://api.example.edu/a')).to.equal(true);
    expect(t.allows('https://api.example.edu/b')).to.equal(true);
    expect(t.allows('https://api.example.edu/ab'), 'anchored at the end').to.equal(false);
    expect(t.allows('https://api.example.edu/a/../b')).to.equal(false);
    const loose = new ProxyTargets(['^https://api\\.example\\.edu/.*']);
    for (const bad of ['https://api.example.edu/x?ticket=ST-1', 'https://api.example.edu//evil.test', 'https://api.example.edu/%252e%252e/']) {
      expect(loose.allows(bad), bad).to.equal(false);
    }
    expect(loose.allows('https://api.example.edu/x?y=1')).to.equal(true);
    const unanchored = new ProxyTargets(['^https://api\\.example\\.edu/a|https://other']);
    expect(unanchored.allows('https://evil.test/x?https://other'), 'alternation stays inside the anchors').to.equal(false);
  });

  it('an empty list allows nothing', () => {
    const t = new ProxyTargets([]);
    expect(t.empty).to.equal(true);
    expect(t.allows('https://api.example.edu/')).to.equal(false);
  });

  it('names what is wrong with an entry', () => {
    expect(targetEntryProblem('https://api.example.edu/x')).to.equal(undefined);
    expect(targetEntryProblem('https://api.example.edu/x/*')).to.equal(undefined);
    expect(targetEntryProblem('^https://x$')).to.equal(undefined);
    expect(targetEntryProblem('api.example.edu')).to.match(/absolute URL/);
    expect(targetEntryProblem('https://*.example.edu/x')).to.match(/wildcards/);
    expect(targetEntryProblem('https://*.example.edu/*')).to.match(/one \*/);
    expect(targetEntryProblem('https://api.example.edu/x?a=1/*')).to.match(/query/);
    expect(targetEntryProblem('ftp://api.example.edu/x')).to.match(/http/);
    expect(targetEntryProblem('https://u:p@api.example.edu/x')).to.match(/credentials/);
    expect(targetEntryProblem('^https://(x')).to.match(/does not compile/);
    expect(targetEntryProblem('https://api.example.edu/x?ticket=ST-1')).to.match(/ticket/);
  });
});
