/**
 * GitHub Actions expressions (`${{ … }}`), parsed and evaluated the way the runner does, for the
 * subset workflows use: literals, context property and index access (with the `*` filter),
 * `! == != < <= > >= && ||`, and the built-in functions. The workflow validator reads the parse
 * tree to check what each expression refers to; the workflow runner evaluates it.
 * https://docs.github.com/actions/reference/workflows-and-actions/expressions
 */

export type Node =
  | { kind: 'literal'; value: Value }
  | { kind: 'context'; name: string }
  | { kind: 'member'; object: Node; name: string }
  | { kind: 'filter'; object: Node }
  | { kind: 'index'; object: Node; index: Node }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'not'; operand: Node }
  | { kind: 'binary'; op: BinaryOp; left: Node; right: Node };

type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

/** A malformed expression, with the text it came from. */
export class ExpressionError extends Error {}

type Token =
  | { type: 'number'; value: number }
  | { type: 'string'; value: string }
  | { type: 'name'; value: string }
  | { type: 'punct'; value: string };

const PUNCTUATION = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '.', ',', '*'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      // Strings are single-quoted; '' is a quote inside one.
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new ExpressionError(`unterminated string in: ${source}`);
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += source[i];
        i++;
      }
      tokens.push({ type: 'string', value });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^-?(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)/.exec(source.slice(i));
      const text = match?.[0] ?? c;
      tokens.push({ type: 'number', value: Number(text) });
      i += text.length;
    } else if (/[A-Za-z_]/.test(c)) {
      // Names may hold '-': `inputs.model-name`, `steps.my-step.outputs.x`.
      const text = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i))?.[0] ?? c;
      tokens.push({ type: 'name', value: text });
      i += text.length;
    } else {
      const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
      if (punct === undefined) throw new ExpressionError(`unexpected '${c}' in: ${source}`);
      tokens.push({ type: 'punct', value: punct });
      i += punct.length;
    }
  }
  return tokens;
}

/** Parses one expression (the text between `${{` and `}}`, or an `if:` condition). */
export function parseExpression(source: string): Node {
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at];
  const isPunct = (value: string) => {
    const token = peek();
    return token?.type === 'punct' && token.value === value;
  };
  const expect = (value: string) => {
    if (!isPunct(value)) throw new ExpressionError(`expected '${value}' in: ${source}`);
    at++;
  };

  const binary = (next: () => Node, ops: readonly BinaryOp[]) => (): Node => {
    let left = next();
    for (;;) {
      const token = peek();
      if (token?.type !== 'punct' || !ops.includes(token.value as BinaryOp)) return left;
      at++;
      left = { kind: 'binary', op: token.value as BinaryOp, left, right: next() };
    }
  };

  const primary = (): Node => {
    const token = tokens[at++];
    if (token === undefined) throw new ExpressionError(`unexpected end of: ${source}`);
    if (token.type === 'number' || token.type === 'string') return { kind: 'literal', value: token.value };
    if (token.type === 'punct' && token.value === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (token.type === 'name') {
      if (token.value === 'true' || token.value === 'false') {
        return { kind: 'literal', value: token.value === 'true' };
      }
      if (token.value === 'null') return { kind: 'literal', value: null };
      if (isPunct('(')) {
        at++;
        const args: Node[] = [];
        while (!isPunct(')')) {
          args.push(or());
          if (!isPunct(')')) expect(',');
        }
        at++;
        return { kind: 'call', name: token.value, args };
      }
      return { kind: 'context', name: token.value };
    }
    throw new ExpressionError(`unexpected '${token.value}' in: ${source}`);
  };

  const postfix = (): Node => {
    let node = primary();
    for (;;) {
      if (isPunct('.')) {
        at++;
        const name = tokens[at++];
        if (name?.type === 'punct' && name.value === '*') node = { kind: 'filter', object: node };
        else if (name?.type === 'name') node = { kind: 'member', object: node, name: name.value };
        else throw new ExpressionError(`expected a property name after '.' in: ${source}`);
      } else if (isPunct('[')) {
        at++;
        if (isPunct('*')) {
          at++;
          node = { kind: 'filter', object: node };
        } else {
          node = { kind: 'index', object: node, index: or() };
        }
        expect(']');
      } else {
        return node;
      }
    }
  };

  const unary = (): Node => {
    if (isPunct('!')) {
      at++;
      return { kind: 'not', operand: unary() };
    }
    return postfix();
  };
  const comparison = binary(unary, ['<', '<=', '>', '>=']);
  const equality = binary(comparison, ['==', '!=']);
  const and = binary(equality, ['&&']);
  const or: () => Node = binary(and, ['||']);

  const tree = or();
  if (at !== tokens.length) throw new ExpressionError(`unexpected '${tokens[at]?.value}' in: ${source}`);
  return tree;
}

/** One `${{ … }}` inside a string: where it is and what it says. */
export interface Embedded {
  start: number;
  end: number;
  source: string;
}

/** Every `${{ … }}` in a string, skipping `}}` inside string literals. */
export function embeddedExpressions(text: string): Embedded[] {
  const found: Embedded[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('${{', from);
    if (start < 0) return found;
    let i = start + 3;
    let quoted = false;
    while (i < text.length) {
      if (text[i] === "'") quoted = !quoted;
      else if (!quoted && text.startsWith('}}', i)) break;
      i++;
    }
    if (i >= text.length) throw new ExpressionError(`unterminated \${{ in: ${text}`);
    found.push({ start, end: i + 2, source: text.slice(start + 3, i).trim() });
    from = i + 2;
  }
}

/**
 * The context paths an expression reads, as far as they are static:
 * `steps.train.outputs['model']` gives ['steps', 'train', 'outputs', 'model'].
 */
export function references(node: Node): string[][] {
  const paths: string[][] = [];
  const path = (n: Node): string[] | undefined => {
    if (n.kind === 'context') return [n.name];
    if (n.kind === 'member') return append(path(n.object), n.name);
    if (n.kind === 'index' && n.index.kind === 'literal' && typeof n.index.value === 'string') {
      return append(path(n.object), n.index.value);
    }
    return undefined;
  };
  const append = (base: string[] | undefined, name: string) =>
    base === undefined ? undefined : [...base, name];
  const visit = (n: Node): void => {
    const whole = path(n);
    if (whole !== undefined) {
      paths.push(whole);
      return;
    }
    switch (n.kind) {
      case 'member':
      case 'filter':
        visit(n.object);
        return;
      case 'index':
        visit(n.object);
        visit(n.index);
        return;
      case 'call':
        n.args.forEach(visit);
        return;
      case 'not':
        visit(n.operand);
        return;
      case 'binary':
        visit(n.left);
        visit(n.right);
        return;
      default:
        return;
    }
  };
  visit(node);
  return paths;
}

/** What the status functions (`success()`, `failure()`, …) answer where the expression is evaluated. */
export interface Status {
  failed: boolean;
  cancelled?: boolean;
}

export interface Scope {
  contexts: Record<string, Value | undefined>;
  status?: Status;
}

/** Evaluates a parsed expression. */
export function evaluate(node: Node, scope: Scope): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'context':
      return lookup(scope.contexts as Record<string, Value>, node.name);
    case 'member':
      return lookup(evaluate(node.object, scope), node.name);
    case 'index': {
      const object = evaluate(node.object, scope);
      const index = evaluate(node.index, scope);
      if (Array.isArray(object)) return typeof index === 'number' ? (object[index] ?? null) : null;
      return lookup(object, toText(index));
    }
    case 'filter': {
      const object = evaluate(node.object, scope);
      if (Array.isArray(object)) return object;
      if (object !== null && typeof object === 'object') return Object.values(object);
      return [];
    }
    case 'not':
      return !truthy(evaluate(node.operand, scope));
    case 'binary': {
      const left = evaluate(node.left, scope);
      if (node.op === '&&') return truthy(left) ? evaluate(node.right, scope) : left;
      if (node.op === '||') return truthy(left) ? left : evaluate(node.right, scope);
      const right = evaluate(node.right, scope);
      return compare(node.op, left, right);
    }
    case 'call':
      return call(
        node.name,
        node.args.map((a) => evaluate(a, scope)),
        scope.status ?? { failed: false },
      );
  }
}

// Property names are case-insensitive in every context; a filter over a list maps the name.
function lookup(object: Value | undefined, name: string): Value {
  if (Array.isArray(object)) return object.map((item) => lookup(item, name));
  if (object === null || object === undefined || typeof object !== 'object') return null;
  if (name in object) return object[name] ?? null;
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? null : (object[key] ?? null);
}

/** false, 0, -0, '', null (and NaN) are falsy; everything else, objects included, is truthy. */
export function truthy(value: Value): boolean {
  return !(value === null || value === false || value === 0 || value === '' || Number.isNaN(value));
}

function toNumber(value: Value): number {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value.trim() === '' ? 0 : Number(value);
  return Number.NaN;
}

// GitHub compares strings ignoring case, objects by identity, and coerces anything else to numbers.
function compare(op: BinaryOp, left: Value, right: Value): boolean {
  const isObject = (v: Value) => v !== null && typeof v === 'object';
  if (isObject(left) || isObject(right)) {
    if (op === '==') return left === right;
    if (op === '!=') return left !== right;
    return false;
  }
  const strings = typeof left === 'string' && typeof right === 'string';
  const a = strings ? (left as string).toLowerCase() : toNumber(left);
  const b = strings ? (right as string).toLowerCase() : toNumber(right);
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

/** The built-in functions a workflow may call, with the number of arguments each takes. */
export const FUNCTIONS: Record<string, { min: number; max: number }> = {
  contains: { min: 2, max: 2 },
  startsWith: { min: 2, max: 2 },
  endsWith: { min: 2, max: 2 },
  format: { min: 1, max: Number.POSITIVE_INFINITY },
  join: { min: 1, max: 2 },
  toJSON: { min: 1, max: 1 },
  fromJSON: { min: 1, max: 1 },
  hashFiles: { min: 1, max: Number.POSITIVE_INFINITY },
  success: { min: 0, max: 0 },
  always: { min: 0, max: 0 },
  cancelled: { min: 0, max: 0 },
  failure: { min: 0, max: 0 },
};

/** The functions that make a condition run whatever happened before (no implicit `success() &&`). */
export const STATUS_FUNCTIONS = ['success', 'always', 'cancelled', 'failure'];

function call(name: string, args: Value[], status: Status): Value {
  const [a = null, b = null] = args;
  switch (name.toLowerCase()) {
    case 'contains':
      if (Array.isArray(a)) return a.some((item) => compare('==', item, b));
      return toText(a).toLowerCase().includes(toText(b).toLowerCase());
    case 'startswith':
      return toText(a).toLowerCase().startsWith(toText(b).toLowerCase());
    case 'endswith':
      return toText(a).toLowerCase().endsWith(toText(b).toLowerCase());
    case 'format':
      return toText(a).replace(/\{(\d+)\}|\{\{|\}\}/g, (whole, index?: string) =>
        index === undefined ? (whole[0] as string) : toText(args[Number(index) + 1] ?? null),
      );
    case 'join':
      return Array.isArray(a) ? a.map(toText).join(b === null ? ',' : toText(b)) : toText(a);
    case 'tojson':
      return JSON.stringify(a, null, 2);
    case 'fromjson':
      return JSON.parse(toText(a)) as Value;
    case 'success':
      return !status.failed && !status.cancelled;
    case 'always':
      return true;
    case 'cancelled':
      return status.cancelled === true;
    case 'failure':
      return status.failed;
    default:
      throw new ExpressionError(`the runner here does not implement ${name}()`);
  }
}

/** How a value reads inside a string: null is empty, objects are JSON. */
export function toText(value: Value): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 2);
}

/**
 * Expands every `${{ … }}` in a workflow value. A string that is one whole expression keeps the
 * expression's type (a boolean `if:`, a list for `runs-on`); anything else becomes text.
 */
export function interpolate(text: string, scope: Scope): Value {
  const found = embeddedExpressions(text);
  const only = found[0];
  if (found.length === 1 && only !== undefined && only.start === 0 && only.end === text.length) {
    return evaluate(parseExpression(only.source), scope);
  }
  let out = '';
  let from = 0;
  for (const expression of found) {
    out += text.slice(from, expression.start) + toText(evaluate(parseExpression(expression.source), scope));
    from = expression.end;
  }
  return out + text.slice(from);
}

/**
 * An `if:` condition: the text with or without `${{ }}`. Without a status function it only runs
 * when everything before succeeded, as GitHub prefixes `success() &&`.
 */
export function condition(text: string | boolean | undefined, scope: Scope): boolean {
  if (text === undefined) return !(scope.status?.failed ?? false);
  if (typeof text === 'boolean') return text && !(scope.status?.failed ?? false);
  const trimmed = text.trim();
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(trimmed);
  const source = whole?.[1] !== undefined && embeddedExpressions(trimmed).length === 1 ? whole[1] : trimmed;
  const tree = parseExpression(source);
  const usesStatus = calls(tree).some((name) => STATUS_FUNCTIONS.includes(name.toLowerCase()));
  if (!usesStatus && (scope.status?.failed ?? false)) return false;
  return truthy(evaluate(tree, scope));
}

/** The names of the functions an expression calls. */
export function calls(node: Node): string[] {
  switch (node.kind) {
    case 'call':
      return [node.name, ...node.args.flatMap(calls)];
    case 'member':
    case 'filter':
      return calls(node.object);
    case 'index':
      return [...calls(node.object), ...calls(node.index)];
    case 'not':
      return calls(node.operand);
    case 'binary':
      return [...calls(node.left), ...calls(node.right)];
    default:
      return [];
  }
}
