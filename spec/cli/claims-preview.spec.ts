// `claims preview`: a CAS answer of any protocol, read as a login reads it, shown as attributes,
// claims (value, source and transforms, scopes), scopes and each client's access decision; the
// errors a login would meet, with the page a person would see; no network, no database.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { previewClaims } from '../../lib/check/preview.js';
import { loadConfig, type SettingName } from '../../lib/config/index.js';
import { fixture } from '../cas/support.js';
import { ROOT } from '../support/cli-process.js';
import { CLIENT_SECRET, SECRET, tempDir } from '../config/support.js';

const CLIENTS = [
  { client_id: 'portal', client_secret: CLIENT_SECRET, redirect_uris: ['https://portal.example.edu/cb'], access: { name: 'staff', attribute: 'memberOf', has: 'staff' } },
  { client_id: 'payroll', client_secret: CLIENT_SECRET, redirect_uris: ['https://payroll.example.edu/cb'], subject_type: 'pairwise', access: { attribute: 'memberOf', has: 'payroll' } },
];

const ENV: Record<string, string> = {
  ISSUER: 'https://bridge.example.edu',
  // nothing answers here: the preview never asks
  CAS_LOGIN_URL: 'https://cas.invalid/cas/login',
  DATABASE_URL: 'postgres://bridge@127.0.0.1:1/nothing',
  SECRET_KEY: SECRET,
  CLIENTS: JSON.stringify(CLIENTS),
  CLAIMS: JSON.stringify({ claims: { amr: 'authenticationMethod' } }),
};

const preview = (settings: Partial<Record<SettingName, unknown>>, input: string) =>
  previewClaims(loadConfig({ env: {}, cwd: tempDir(), overrides: { ...ENV, ...settings } }), input);

function cli(args: string[], input: string | undefined, env: Record<string, string> = ENV) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'lib', 'cli', 'bin.ts'), 'claims', 'preview', ...args], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, input, encoding: 'utf8', timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('claims preview', function () {
  this.timeout(60_000);

  it('a SAML 1.1 answer from stdin: attributes, claims with their sources, scopes, each client\'s decision; no network, no database', () => {
    const { status, stdout, stderr } = cli(['-'], fixture('samlValidate-success-alice.xml'), { ...ENV, CAS_PROTOCOL: 'saml11' });
    expect(stderr).to.equal('');
    expect(status, stdout).to.equal(0);
    expect(stdout).to.contain('CAS answer (SAML 1.1)');
    expect(stdout).to.contain('user: "alice"');
    expect(stdout).to.match(/^ {4}memberOf +"staff", "admins" {2}\(2 values\)$/m);
    expect(stdout).to.match(/^ {4}authenticationMethod +"urn:oasis:names:tc:SAML:1\.0:am:password"$/m);
    expect(stdout).to.match(/^ {2}sub +"alice" {2}<- CAS user {2}\[openid\]$/m);
    expect(stdout).to.match(/^ {2}email +"alice@example\.org" {2}<- first present of attributes "mail", "email" -> first {2}\[email\]$/m);
    expect(stdout).to.match(/^ {2}groups +\["staff","admins"\] {2}<- attribute "memberOf" -> all values {2}\[groups\]$/m);
    expect(stdout).to.match(/^ {2}amr +\["urn:oasis:names:tc:SAML:1\.0:am:password"\] {2}<- attribute "authenticationMethod" {2}\[ID token, from the login\]$/m);
    expect(stdout).to.match(/^ {2}profile: name, family_name, given_name, preferred_username$/m);
    expect(stdout).to.match(/^ {2}portal \(clients\[0\]\): ALLOWED by clients\[0\]\.access \("staff"\) matched: attribute "memberOf" has "staff"; sub: "alice"$/m);
    expect(stdout).to.match(/^ {2}payroll \(clients\[1\]\): DENIED by clients\[1\]\.access did not match: attribute "memberOf" has "payroll"; sub: pairwise for sector payroll\.example\.edu/m);
    expect(stdout).to.contain('Result: a login with this answer succeeds (exit code 0).');
  });

  it('--response FILE with `curl -i` output (status line and headers first)', () => {
    const file = join(tempDir(), 'answer.txt');
    writeFileSync(file, `HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n\r\n${fixture('p3-serviceValidate-success-bob.xml')}`);
    const { status, stdout } = cli(['--response', file], undefined);
    expect(status, stdout).to.equal(0);
    expect(stdout).to.contain('CAS answer (CAS 3)');
    expect(stdout).to.match(/^ {2}name +"Bób O'Brien & <Co>" {2}<- first present of attributes "displayName", "cn" -> first/m);
  });

  it('usage problems exit 2: no such file, an empty answer', () => {
    const missing = cli(['--response', '/nonexistent/answer.xml'], undefined);
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.match(/--response \/nonexistent\/answer\.xml: cannot be read \(ENOENT\)/);
    const empty = cli(['-'], '');
    expect(empty.status).to.equal(2);
    expect(empty.stderr).to.match(/the CAS answer is empty/);
  });

  it('a CAS 1 answer: the user only, every other claim without a value, so rules on attributes let nobody in', () => {
    const { text, exitCode } = preview({ CAS_PROTOCOL: 'cas1' }, fixture('validate-success.txt'));
    expect(exitCode, text).to.equal(1);
    expect(text).to.contain('Result: CAS accepts this person, but no client\'s access rules let them in (exit code 1).');
    expect(text).to.contain('attributes (0):');
    expect(text).to.match(/^ {2}email +\(no value\) {2}<- no value from first present of attributes "mail", "email" -> first {2}\[email\]$/m);
    expect(text).to.match(/^ {2}email: \(nothing\) {2}\(no value: email, email_verified\)$/m);
  });

  it('an answer of another protocol than CAS_PROTOCOL: shown as what it is, and said to fail at login', () => {
    const { text, exitCode } = preview({}, fixture('samlValidate-success-alice.xml'));
    expect(exitCode).to.equal(1);
    expect(text).to.contain('[warn] CAS_PROTOCOL is cas3 (CAS 3), but this answer is SAML 1.1');
    expect(text).to.contain('user: "alice"');
    expect(text).to.contain('Result: with CAS_PROTOCOL=cas3 a login refuses this answer (exit code 1); with CAS_PROTOCOL=saml11 it succeeds as shown.');
  });

  it('errors get the words of a login: CAS\'s refusal, an unreadable answer, a user out of bounds, no sub', () => {
    const refused = preview({}, fixture('serviceValidate-INVALID_SERVICE.xml'));
    expect(refused.exitCode).to.equal(1);
    expect(refused.text).to.contain('failure: INVALID_SERVICE');
    expect(refused.text).to.contain('Result: a login with this answer FAILS (cas_failure). The person sees "CAS could not confirm your login"; the log says: CAS refused the ticket (casCode INVALID_SERVICE)');

    const html = preview({}, '<!DOCTYPE html><html><body>Maintenance</body></html>');
    expect(html.text).to.match(/FAILS \(cas_bad_response\)\. The person sees "The sign-in server answered strangely"; the log says: CAS response carries a DOCTYPE/);

    const long = preview({}, `<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>${'u'.repeat(10_240)}</cas:user></cas:authenticationSuccess></cas:serviceResponse>`);
    expect(long.exitCode).to.equal(1);
    expect(long.text).to.contain('the log says: CAS user refused: it is 10240 characters long (at most 255)');

    const noSub = preview({ CLAIMS: { claims: { sub: 'employeeNumber' } } }, fixture('p3-serviceValidate-success-alice.xml'));
    expect(noSub.exitCode).to.equal(1);
    expect(noSub.text).to.match(/^ {2}sub +\(no value\) {2}<- no value from attribute "employeeNumber"/m);
    expect(noSub.text).to.contain('FAILS (claims_failed). The person sees "Your account cannot be used here"; the log says: the CAS login gave no value for the sub claim');
  });

  it('a person no client lets in: exit 1, each rule that decided', () => {
    const { text, exitCode } = preview({}, fixture('p3-serviceValidate-success-carol-no-attributes.xml'));
    expect(exitCode).to.equal(1);
    expect(text).to.match(/portal \(clients\[0\]\): DENIED/);
    expect(text).to.contain('Result: CAS accepts this person, but no client\'s access rules let them in (exit code 1).');
  });

  it('the README\'s example prints exactly what the README shows', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.split('### Previewing a CAS answer')[1] ?? '';
    const json = /Saved as `preview\.json`[\s\S]*?```json\n([\s\S]*?)```/.exec(section)?.[1];
    const shown = /it prints:\n\n```\n([\s\S]*?)```/.exec(section)?.[1];
    const command = /```sh\n(DEV_MODE=true npx cas-oidc-bridge claims preview --config preview\.json --response (\S+))\n```/.exec(section);
    expect(json && shown && command, 'README example blocks').to.be.ok;
    const dir = tempDir();
    writeFileSync(join(dir, 'preview.json'), json!);
    const config = loadConfig({ env: { DEV_MODE: 'true' }, cwd: dir, configPath: join(dir, 'preview.json') });
    const { text, exitCode } = previewClaims(config, readFileSync(join(ROOT, command![2]!), 'utf8'));
    expect(exitCode).to.equal(0);
    expect(text).to.equal(shown);
  });

  it('proxy-ticket attributes are left out, as a login leaves them out', () => {
    const xml = fixture('p3-serviceValidate-success-alice.xml').replace('<cas:uid>alice</cas:uid>', '<cas:uid>alice</cas:uid><cas:proxyGrantingTicket>c2VjcmV0</cas:proxyGrantingTicket>');
    const { text } = preview({ CLAIMS: { claims: { cas_attributes: { allAttributes: true } }, scopes: { cas_attributes: ['cas_attributes'] } } }, xml);
    expect(text).to.contain('(proxyGrantingTicket: proxy tickets, never claims; left out as at login)');
    expect(text).not.to.contain('c2VjcmV0');
  });
});
