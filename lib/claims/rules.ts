// Per-client access rules over the CAS user and attributes: allow when the rule holds, deny
// otherwise. Compiled at startup (regexes included); a decision names the rule or condition that
// decided, in the rule's own words only, because it is logged: never the user's attribute values.
import { AttributeReader } from './attributes.js';
import { ClaimsConfigError } from './errors.js';
import { isObject, isStringArray, Problems, show, type JsonObject } from './problems.js';
import { compileRegex, showRegex } from './regex.js';
import type { AccessDecision, AccessPolicy, AccessRulesSetting, CasAttributes } from './types.js';

interface Outcome {
  ok: boolean;
  rule: string;
}

interface RuleNode {
  readonly path: string;
  readonly text: string;
  evaluate(reader: AttributeReader): Outcome;
  /** this node and its children, one line each */
  lines(): string[];
}

const OPERATORS = ['equals', 'has', 'oneOf', 'matches', 'present'] as const;
type Operator = (typeof OPERATORS)[number];
const CONDITION_KEYS = ['user', 'attribute', 'name', 'flags', 'ignoreCase', ...OPERATORS];
const GROUPS = ['any', 'all', 'not'] as const;

/** `path ("name")`, the way a node is named in decisions. */
function label(path: string, name: string | undefined): string {
  return name === undefined ? path : `${path} (${show(name)})`;
}

function compileNode(raw: unknown, path: string, problems: Problems): RuleNode | undefined {
  if (!isObject(raw)) {
    problems.add(path, `a rule is an object (a condition, or "any"/"all"/"not"), got ${show(raw)}`);
    return undefined;
  }
  const name = raw['name'];
  if (name !== undefined && typeof name !== 'string') {
    problems.add(path, `"name" must be a string, got ${show(name)}`);
    return undefined;
  }
  const groups = GROUPS.filter((g) => g in raw);
  if (groups.length > 1 || (groups.length === 1 && Object.keys(raw).some((k) => k !== groups[0] && k !== 'name'))) {
    problems.add(path, `"${groups[0]}" cannot be combined with other keys than "name"; nest the conditions instead`);
    return undefined;
  }
  const group = groups[0];
  if (group === 'not') return compileNot(raw['not'], path, name, problems);
  if (group) return compileGroup(group, raw[group], path, name, problems);
  return compileCondition(raw, path, name, problems);
}

function compileGroup(kind: 'any' | 'all', list: unknown, path: string, name: string | undefined, problems: Problems): RuleNode | undefined {
  if (!Array.isArray(list) || list.length === 0) {
    problems.add(`${path}.${kind}`, `must be a non-empty list of rules, got ${show(list)}`);
    return undefined;
  }
  const children = list.map((child, i) => compileNode(child, `${path}.${kind}[${i}]`, problems));
  if (children.some((c) => c === undefined)) return undefined;
  const nodes = children as RuleNode[];
  const me = label(`${path}.${kind}`, name);
  const n = nodes.length;
  return {
    path,
    text: `${kind === 'any' ? 'any' : 'all'} of ${n} condition${n === 1 ? '' : 's'}`,
    evaluate(reader) {
      for (const node of nodes) {
        const o = node.evaluate(reader);
        if (kind === 'any' && o.ok) return o; // allowed by the first condition that holds
        if (kind === 'all' && !o.ok) return o; // denied by the first condition that fails
      }
      return kind === 'any'
        ? { ok: false, rule: `${me}: none of the ${n} conditions matched` }
        : { ok: true, rule: `${me}: all ${n} conditions matched` };
    },
    lines() {
      return [`${me}: ${this.text}`, ...nodes.flatMap((c) => c.lines())];
    },
  };
}

function compileNot(inner: unknown, path: string, name: string | undefined, problems: Problems): RuleNode | undefined {
  const child = compileNode(inner, `${path}.not`, problems);
  if (!child) return undefined;
  const me = label(path, name);
  return {
    path,
    text: 'not',
    evaluate(reader) {
      const o = child.evaluate(reader);
      return { ok: !o.ok, rule: `${me}: not (${o.rule})` };
    },
    lines() {
      return [`${me}: not`, ...child.lines()];
    },
  };
}

function compileCondition(raw: JsonObject, path: string, name: string | undefined, problems: Problems): RuleNode | undefined {
  const before = problems.lines.length;
  const report = (m: string): void => problems.add(path, m);
  for (const key of Object.keys(raw)) {
    if (!CONDITION_KEYS.includes(key)) report(`unknown key ${show(key)} (a condition has "user" or "attribute", and one of: ${OPERATORS.join(', ')})`);
  }

  // What the condition looks at.
  let target: { text: string; values: (r: AttributeReader) => string[]; single: boolean } | undefined;
  if ('user' in raw && 'attribute' in raw) report('give "user" or "attribute", not both');
  else if ('user' in raw) {
    if (raw['user'] !== true) report(`"user" must be true, got ${show(raw['user'])}`);
    else target = { text: 'user', values: (r) => (r.user === '' ? [] : [r.user]), single: true };
  } else if ('attribute' in raw) {
    const attr = raw['attribute'];
    if (typeof attr !== 'string' || attr.trim() === '') report(`"attribute" must be an attribute name, got ${show(attr)}`);
    else target = { text: `attribute ${show(attr)}`, values: (r) => r.values(attr), single: false };
  } else report('no target: give "user": true or "attribute": "<name>"');

  // How it tests the values.
  const ops = OPERATORS.filter((o) => o in raw);
  if (ops.length !== 1) report(ops.length === 0 ? `no operator: give one of ${OPERATORS.join(', ')}` : `one operator per condition, got ${ops.join(', ')}`);
  const op: Operator | undefined = ops.length === 1 ? ops[0] : undefined;
  const arg = op === undefined ? undefined : raw[op];

  const ignoreCase = raw['ignoreCase'];
  if (ignoreCase !== undefined && (typeof ignoreCase !== 'boolean' || (op !== 'equals' && op !== 'has' && op !== 'oneOf'))) {
    report('"ignoreCase" (true or false) only goes with equals, has and oneOf');
  }
  if (raw['flags'] !== undefined && op !== 'matches') report('"flags" only goes with matches');

  let test: ((values: string[]) => boolean) | undefined;
  let opText = '';
  const fold = ignoreCase === true ? (s: string): string => s.toLowerCase() : (s: string): string => s;
  const caseNote = ignoreCase === true ? ' (ignoring case)' : '';
  const plural = !target?.single;
  switch (op) {
    case 'equals':
    case 'has':
      if (typeof arg !== 'string') {
        report(`"${op}" must be a string, got ${show(arg)}`);
        break;
      }
      if (op === 'equals') {
        // A multi-valued attribute "equals" x only when x is its one value; "has" is for membership.
        test = (values) => values.length === 1 && fold(values[0] ?? '') === fold(arg);
        opText = `equals ${show(arg)}${caseNote}`;
      } else {
        test = (values) => values.some((v) => fold(v) === fold(arg));
        opText = `has ${show(arg)}${caseNote}`;
      }
      break;
    case 'oneOf': {
      if (!isStringArray(arg) || arg.length === 0) {
        report(`"oneOf" must be a non-empty list of strings, got ${show(arg)}`);
        break;
      }
      const set = new Set(arg.map(fold));
      test = (values) => values.some((v) => set.has(fold(v)));
      opText = `${plural ? 'has one of' : 'is one of'} ${show(arg)}${caseNote}`;
      break;
    }
    case 'matches': {
      const compiled = compileRegex(arg, raw['flags']);
      if (!compiled.ok) {
        report(compiled.message);
        break;
      }
      const re = compiled.re;
      test = (values) => values.some((v) => re.test(v));
      opText = `${plural ? 'has a value matching' : 'matches'} ${showRegex(re)}`;
      break;
    }
    case 'present':
      if (typeof arg !== 'boolean') {
        report(`"present" must be true or false, got ${show(arg)}`);
        break;
      }
      test = (values) => (values.length > 0) === arg;
      opText = arg ? 'is present' : 'is absent';
      break;
    case undefined:
      break;
  }
  if (problems.lines.length > before || !target || !test) return undefined;

  const t = target;
  const check = test;
  const text = `${t.text} ${opText}`;
  const me = label(path, name);
  return {
    path,
    text,
    evaluate(reader) {
      const ok = check(t.values(reader));
      return { ok, rule: `${me} ${ok ? 'matched' : 'did not match'}: ${text}` };
    },
    lines() {
      return [`${me}: ${text}`];
    },
  };
}

class Policy implements AccessPolicy {
  readonly restricted: boolean;
  private readonly root: RuleNode | undefined;
  private readonly where: string;

  constructor(root: RuleNode | undefined, where: string) {
    this.root = root;
    this.where = where;
    this.restricted = root !== undefined;
  }

  evaluate(user: string, attributes: CasAttributes): AccessDecision {
    if (!this.root) return { allowed: true, rule: `${this.where}: no access rules, every user may use this client` };
    const o = this.root.evaluate(new AttributeReader(user, attributes));
    return { allowed: o.ok, rule: o.rule };
  }

  describe(): string[] {
    if (!this.root) return [`${this.where}: no access rules, every user may use this client`];
    return [...this.root.lines(), `${this.where}: users the rule does not allow are denied`];
  }
}

/** `where` names the setting in problems and decisions, e.g. 'clients[0].access'. */
export function compileAccessRules(setting: AccessRulesSetting | undefined, where: string): AccessPolicy {
  const raw: unknown = setting;
  if (raw === undefined || raw === null) return new Policy(undefined, where);
  const problems = new Problems();
  const root = compileNode(raw, where, problems);
  if (!problems.empty || !root) throw new ClaimsConfigError(problems.lines);
  return new Policy(root, where);
}
