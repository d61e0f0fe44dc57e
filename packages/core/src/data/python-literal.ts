/**
 * A parser for the Python literals in an NPY header, e.g.
 * `{'descr': [('x', '<f8'), ('y', '<U5')], 'fortran_order': False, 'shape': (3,), }`.
 * numpy writes it with `repr()`, so dicts, lists, tuples, strings, integers, True, False and
 * None are all it can hold. Tuples come back as arrays. Throws a SyntaxError on anything else.
 */
export type PythonValue = string | number | boolean | null | PythonValue[] | { [key: string]: PythonValue };

export function parsePythonLiteral(text: string): PythonValue {
  let pos = 0;

  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at character ${pos + 1} of ${JSON.stringify(text.trim())}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos] as string)) pos++;
  };
  const expect = (char: string): void => {
    skipSpace();
    if (text[pos] !== char) fail(`expected '${char}'`);
    pos++;
  };

  /** Items up to `close`, allowing the trailing comma Python's repr writes: `(3,)`, `{..., }`. */
  const sequence = (close: string, item: () => void): void => {
    for (;;) {
      skipSpace();
      if (text[pos] === close) break;
      item();
      skipSpace();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close) fail(`expected ',' or '${close}'`);
    }
    pos++;
  };

  const value = (): PythonValue => {
    skipSpace();
    const char = text[pos];
    if (char === '{') {
      pos++;
      const dict: { [key: string]: PythonValue } = {};
      sequence('}', () => {
        const key = value();
        if (typeof key !== 'string') fail('expected a string key');
        expect(':');
        Object.defineProperty(dict, key as string, { value: value(), enumerable: true, writable: true });
      });
      return dict;
    }
    if (char === '[' || char === '(') {
      pos++;
      const items: PythonValue[] = [];
      sequence(char === '[' ? ']' : ')', () => items.push(value()));
      return items;
    }
    if (char === "'" || char === '"') return string(char);
    const word = /^(?:True|False|None|[+-]?\d+L?)/.exec(text.slice(pos));
    if (word === null) return fail('unexpected character');
    pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    // Python 2 wrote long integers as 3L.
    return Number.parseInt(word[0], 10);
  };

  const string = (quote: string): string => {
    pos++;
    let out = '';
    for (;;) {
      const char = text[pos++];
      if (char === undefined) fail('unterminated string');
      if (char === quote) return out;
      if (char === '\\') {
        const escaped = text[pos++];
        if (escaped === undefined) fail('unterminated string');
        out += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : (escaped as string);
      } else {
        out += char;
      }
    }
  };

  const result = value();
  skipSpace();
  if (pos < text.length) fail('unexpected text after the value');
  return result;
}
