// Calico selector expressions: syntax tree, printer and parser. The grammar and its lexical
// rules are Calico's own (libcalico-go/lib/selector/tokenizer/tokenizer.go and
// parser/parser.go): labels are `[a-zA-Z0-9_./-]{1,512}`; string literals are delimited by `'`
// or `"` and have no escape characters, so a value holding both quote characters cannot be
// written; whitespace is space or tab; `!` binds tighter than `&&`, which binds tighter than `||`.

/** A parsed selector expression. `and`/`or` have at least two operands. */
export type Selector =
  | { readonly kind: 'all' }
  | { readonly kind: 'global' }
  | { readonly kind: 'has'; readonly key: string }
  | { readonly kind: 'eq' | 'ne' | 'contains' | 'starts-with' | 'ends-with'; readonly key: string; readonly value: string }
  | { readonly kind: 'in' | 'not-in'; readonly key: string; readonly values: readonly string[] }
  | { readonly kind: 'not'; readonly operand: Selector }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly Selector[] };

/** Longest label Calico's tokenizer accepts (`MaxLabelLength`). */
export const maxLabelLength = 512;

/** True when `key` can be written as a Calico label (they cannot be quoted). */
export function isSelectorLabel(key: string): boolean {
  return key.length > 0 && key.length <= maxLabelLength && /^[a-zA-Z0-9_./-]+$/.test(key);
}

/** True when `value` can be written as a string literal (it lacks at least one quote character). */
export function isQuotable(value: string): boolean {
  return !value.includes("'") || !value.includes('"');
}

/** `'v'`, or `"v"` when the value holds a single quote. */
export function quote(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new Error(`selector value ${value} holds both quote characters and cannot be written`);
}

const binary: Record<'eq' | 'ne' | 'contains' | 'starts-with' | 'ends-with', string> = {
  eq: '==',
  ne: '!=',
  contains: 'contains',
  'starts-with': 'starts with',
  'ends-with': 'ends with',
};

/** Prints a selector; `parseSelector(printSelector(s))` gives back `s` for trees without double negation. */
export function printSelector(s: Selector): string {
  switch (s.kind) {
    case 'all':
      return 'all()';
    case 'global':
      return 'global()';
    case 'has':
      return `has(${s.key})`;
    case 'eq':
    case 'ne':
    case 'contains':
    case 'starts-with':
    case 'ends-with':
      return `${s.key} ${binary[s.kind]} ${quote(s.value)}`;
    case 'in':
    case 'not-in':
      return `${s.key} ${s.kind === 'in' ? 'in' : 'not in'} {${s.values.map(quote).join(', ')}}`;
    case 'not':
      return s.operand.kind === 'has' || s.operand.kind === 'all' || s.operand.kind === 'global' ? `!${printSelector(s.operand)}` : `!(${printSelector(s.operand)})`;
    case 'and':
    case 'or':
      // Nested and/or operands are always parenthesised, so nesting survives a round trip.
      return s.operands.map((o) => (o.kind === 'and' || o.kind === 'or' ? `(${printSelector(o)})` : printSelector(o))).join(s.kind === 'and' ? ' && ' : ' || ');
  }
}

/** Conjunction of selectors, flattening nothing; one operand is returned as is, none is `all()`. */
export function and(operands: readonly Selector[]): Selector {
  if (operands.length === 0) return { kind: 'all' };
  if (operands.length === 1) return operands[0]!;
  return { kind: 'and', operands };
}

/** Disjunction of selectors; one operand is returned as is. */
export function or(operands: readonly Selector[]): Selector {
  if (operands.length === 0) throw new Error('or() needs at least one operand');
  if (operands.length === 1) return operands[0]!;
  return { kind: 'or', operands };
}

type Token =
  | { readonly t: 'label' | 'string' | 'has'; readonly v: string }
  | { readonly t: '(' | ')' | '{' | '}' | ',' | '==' | '!=' | '!' | '&&' | '||' | 'in' | 'not in' | 'contains' | 'starts with' | 'ends with' | 'all' | 'global' | 'eof' };

const identChar = /[a-zA-Z0-9_./-]/;

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const skip = (): void => {
    while (input[i] === ' ' || input[i] === '\t') i++;
  };
  const ident = (): string => {
    const start = i;
    while (i < input.length && identChar.test(input[i]!)) i++;
    const v = input.slice(start, i);
    if (v.length === 0) throw new SyntaxError(`expected a label at offset ${start}`);
    if (v.length > maxLabelLength) throw new SyntaxError(`label too long: ${v}`);
    return v;
  };
  // Operators after a label must end at a word boundary; for multi-word operators the
  // whitespace after each word is consumed first, so "notin" and "not  in" both parse
  // (tokenizer.go cutPrefixCheckBreak / cutMultiWordPrefixCheckBreak).
  const word = (...words: string[]): boolean => {
    let j = i;
    for (const w of words) {
      if (!input.startsWith(w, j)) return false;
      j += w.length;
      if (words.length > 1) while (input[j] === ' ' || input[j] === '\t') j++;
    }
    if (j < input.length && identChar.test(input[j]!)) return false;
    i = j;
    return true;
  };
  for (;;) {
    skip();
    if (i >= input.length) {
      out.push({ t: 'eof' });
      return out;
    }
    const c = input[i]!;
    const last = out[out.length - 1];
    if (c === '(' || c === ')' || c === '{' || c === '}' || c === ',') {
      out.push({ t: c });
      i++;
    } else if (c === '"' || c === "'") {
      const end = input.indexOf(c, i + 1);
      if (end < 0) throw new SyntaxError('unterminated string');
      out.push({ t: 'string', v: input.slice(i + 1, end) });
      i = end + 1;
    } else if (input.startsWith('==', i)) {
      out.push({ t: '==' });
      i += 2;
    } else if (c === '=') {
      throw new SyntaxError('expected ==');
    } else if (input.startsWith('!=', i)) {
      out.push({ t: '!=' });
      i += 2;
    } else if (c === '!') {
      out.push({ t: '!' });
      i++;
    } else if (input.startsWith('&&', i)) {
      out.push({ t: '&&' });
      i += 2;
    } else if (input.startsWith('||', i)) {
      out.push({ t: '||' });
      i += 2;
    } else if (c === '&' || c === '|') {
      throw new SyntaxError(`expected ${c}${c}`);
    } else if (last?.t === 'label') {
      // After a label only an operator may follow (tokenizer.go: "expected operator after label").
      if (word('contains')) out.push({ t: 'contains' });
      else if (word('starts', 'with')) out.push({ t: 'starts with' });
      else if (word('ends', 'with')) out.push({ t: 'ends with' });
      else if (word('not', 'in')) out.push({ t: 'not in' });
      else if (word('in')) out.push({ t: 'in' });
      else throw new SyntaxError(`expected operator after label ${last.v}`);
    } else if (input.startsWith('has(', i)) {
      i += 4;
      skip();
      const key = ident();
      skip();
      if (input[i] !== ')') throw new SyntaxError("no closing ')' after has(");
      i++;
      out.push({ t: 'has', v: key });
    } else if (input.startsWith('all(', i) || input.startsWith('global(', i)) {
      const kind = input.startsWith('all(', i) ? 'all' : 'global';
      i += kind.length + 1;
      skip();
      if (input[i] !== ')') throw new SyntaxError(`no closing ')' after ${kind}(`);
      i++;
      out.push({ t: kind });
    } else {
      out.push({ t: 'label', v: ident() });
    }
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}
  private peek(): Token {
    return this.tokens[this.pos]!;
  }
  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.t !== 'eof') this.pos++;
    return t;
  }
  or(): Selector {
    const operands = [this.and()];
    while (this.peek().t === '||') {
      this.next();
      operands.push(this.and());
    }
    return or(operands);
  }
  private and(): Selector {
    const operands = [this.operation()];
    while (this.peek().t === '&&') {
      this.next();
      operands.push(this.operation());
    }
    return and(operands);
  }
  private operation(): Selector {
    // Leading "!" operators collapse to one boolean (parser.go parseOperation).
    let negated = false;
    while (this.peek().t === '!') {
      this.next();
      negated = !negated;
    }
    const node = this.primary();
    return negated ? { kind: 'not', operand: node } : node;
  }
  private primary(): Selector {
    const t = this.next();
    switch (t.t) {
      case 'has':
        return { kind: 'has', key: t.v };
      case 'all':
        return { kind: 'all' };
      case 'global':
        return { kind: 'global' };
      case '(': {
        const inner = this.or();
        if (this.next().t !== ')') throw new SyntaxError('expected )');
        return inner;
      }
      case 'label':
        return this.comparison(t.v);
      default:
        throw new SyntaxError(`unexpected token ${t.t}`);
    }
  }
  private comparison(key: string): Selector {
    const op = this.next();
    switch (op.t) {
      case '==':
      case '!=':
      case 'contains':
      case 'starts with':
      case 'ends with': {
        const v = this.next();
        if (v.t !== 'string') throw new SyntaxError('expected string');
        const kind = op.t === '==' ? 'eq' : op.t === '!=' ? 'ne' : op.t === 'contains' ? 'contains' : op.t === 'starts with' ? 'starts-with' : 'ends-with';
        return { kind, key, value: v.v };
      }
      case 'in':
      case 'not in': {
        if (this.next().t !== '{') throw new SyntaxError('expected set literal');
        const values: string[] = [];
        for (let t = this.peek(); t.t === 'string'; t = this.peek()) {
          this.next();
          values.push(t.v);
          if (this.peek().t !== ',') break;
          this.next();
        }
        if (this.next().t !== '}') throw new SyntaxError('expected }');
        // Sets are sets: sorted and deduplicated (parser.go ConvertToStringSetInPlace).
        return { kind: op.t === 'in' ? 'in' : 'not-in', key, values: [...new Set(values)].sort() };
      }
      default:
        throw new SyntaxError(`expected == or != not ${op.t}`);
    }
  }
  end(): void {
    if (this.peek().t !== 'eof') throw new SyntaxError('unexpected content at end of selector');
  }
}

/** Parses a Calico selector. The empty string is `all()` (parser.go parseRoot). */
export function parseSelector(text: string): { readonly selector: Selector } | { readonly error: string } {
  try {
    const tokens = tokenize(text);
    if (tokens[0]!.t === 'eof') return { selector: { kind: 'all' } };
    const p = new Parser(tokens);
    const selector = p.or();
    p.end();
    return { selector };
  } catch (e) {
    if (e instanceof SyntaxError) return { error: e.message };
    throw e;
  }
}
