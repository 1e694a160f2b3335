// An admin's TEMPLATE_DIR that does not work is named file by file (issue 17, section 1): a template
// that does not compile, a locale file that is not a JSON object of texts, a layout that fails when
// rendered; check-config and `start` both refuse it, with the file in the message.
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { templateProblems } from '../../lib/pages/views.js';
import { tempDir, writeJson, SECRET, CLIENT_SECRET } from '../config/support.js';
import { runCliToEnd } from '../support/cli-process.js';

function templates(files: Record<string, string>): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'locales'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('TEMPLATE_DIR problems name their file', () => {
  it('a template that does not compile', () => {
    const dir = templates({ 'error.eta': '<h1>\n<%= it.t(it.titleKey </h1>\n' });
    expect(templateProblems({ templateDir: dir })).to.deep.equal([`${dir}/error.eta: unclosed tag at line 2 col 1`]);
  });

  it('a locale file that is not JSON, or not an object of texts', () => {
    const broken = templates({ 'locales/zh-CN.json': '{"logout.title": "x",}' });
    expect(templateProblems({ templateDir: broken })).to.deep.equal([
      `${broken}/locales/zh-CN.json: not valid JSON at line 1 column 22: expected a "quoted" key (JSON allows no trailing comma and no comments)`,
    ]);
    const notText = templates({ 'locales/en.json': '{"logout.title": ["x"]}' });
    expect(templateProblems({ templateDir: notText })).to.deep.equal([`${notText}/locales/en.json: "logout.title" must be a string`]);
  });

  it('every broken file at once: a broken locale file hides neither the other locale nor a broken template', () => {
    const dir = templates({
      'locales/en.json': '{"logout.title": ["x"]}',
      'locales/zh-CN.json': '{"logout.title": "x",}',
      'error.eta': '<h1>\n<%= it.t(it.titleKey </h1>\n',
    });
    expect(templateProblems({ templateDir: dir })).to.deep.equal([
      `${dir}/locales/en.json: "logout.title" must be a string`,
      `${dir}/locales/zh-CN.json: not valid JSON at line 1 column 22: expected a "quoted" key (JSON allows no trailing comma and no comments)`,
      `${dir}/error.eta: unclosed tag at line 2 col 1`,
    ]);
  });

  it('a layout that fails when the error page is rendered', () => {
    const dir = templates({ 'layout.eta': '<html>\n<%= it.nope.x %>\n<%~ it.body %></html>\n' });
    const [problem, ...rest] = templateProblems({ templateDir: dir });
    expect(rest).to.deep.equal([]);
    expect(problem).to.equal(`${dir}/layout.eta line 2: Cannot read properties of undefined (reading 'x') (rendering the error page in en)`);
  });

  it('working overrides have no problem', () => {
    const dir = templates({ 'locales/en.json': '{"logout.title": "Sign out?"}', 'logged-out.eta': '<% layout("./layout", { ...it, title: "x" }) %><p>bye</p>' });
    expect(templateProblems({ templateDir: dir })).to.deep.equal([]);
  });

  it('`start` refuses a broken template as a configuration problem (exit 2), naming the file', async function () {
    this.timeout(60_000);
    const dir = templates({ 'error.eta': '<%= oops' });
    const cwd = tempDir();
    writeJson(cwd, 'config.json', {
      ISSUER: 'http://127.0.0.1:59084', COOKIE_SECURE: false, CAS_LOGIN_URL: 'https://cas.example.edu/cas/login', SECRET_KEY: SECRET,
      CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: ['https://rp.example.edu/cb'], TEMPLATE_DIR: dir, DATABASE_PATH: join(cwd, 'db.sqlite3'),
    });
    const run = await runCliToEnd(['start'], {}, cwd);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain(`cas-oidc-bridge: the configuration has 1 problem:\n  - TEMPLATE_DIR: ${dir}/error.eta: unclosed tag at line 1 col 1\n`);
  });
});
