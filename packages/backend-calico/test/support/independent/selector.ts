// An independent Calico selector parser and evaluator, written from upstream
// projectcalico/calico libcalico-go/lib/selector/tokenizer/tokenizer.go and parser/parser.go:
//  - tokens: ( ) { } , == != ! && || 'lit' "lit" (no escapes: a literal ends at the next quote of
//    its kind), labels [a-zA-Z0-9_./-]+, and after a label: in, not in, contains, starts with,
//    ends with; has(label), all(), global().
//  - precedence: || lowest (parseOrExpression), then && (parseAndExpression), then any number of
//    leading ! (collapsed to one negation, parseOperation), then an operation or a parenthesised
//    expression. An empty selector is all().
//  - evaluation (parser/ast.go): `k == v` needs the label; `k != v` and `k not in {..}` are true
//    when the label is absent; has(k) tests presence; global() selects endpoints without the
//    projectcalico.org/namespace label (the GlobalNode comment in updateprocessors/rules.go).

export type Sel =
  | { readonly op: 'all' }
  | { readonly op: 'global' }
  | { readonly op: 'has'; readonly key: string }
  | { readonly op: 'eq' | 'ne' | 'contains' | 'starts' | 'ends'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'not'; readonly sel: Sel }
  | { readonly op: 'and' | 'or'; readonly sels: readonly Sel[] };

type Tok =
  | { k: 'label'; v: string }
  | { k: 'str'; v: string }
  | { k: '(' | ')' | '{' | '}' | ',' | '==' | '!=' | '!' | '&&' | '||' | 'in' | 'notin' | 'contains' | 'starts' | 'ends' | 'all' | 'global' | 'eof' }
  | { k: 'has'; v: string };

const identRe = /^[a-zA-Z0-9_./-]+/;

function tokenize(input: string): Tok[] {
  const toks: Tok[] = [];
  let s = input;
  for (;;) {
    s = s.replace(/^[ \t]+/, '');
    if (s === '') {
      toks.push({ k: 'eof' });
      return toks;
    }
    const last = toks[toks.length - 1];
    const c = s[0]!;
    if ('(){},'.includes(c)) {
      toks.push({ k: c as '(' });
      s = s.slice(1);
    } else if (c === '"' || c === "'") {
      const end = s.indexOf(c, 1);
      if (end < 0) throw new Error(`unterminated string in selector ${JSON.stringify(input)}`);
      toks.push({ k: 'str', v: s.slice(1, end) });
      s = s.slice(end + 1);
    } else if (s.startsWith('==')) {
      toks.push({ k: '==' });
      s = s.slice(2);
    } else if (s.startsWith('!=')) {
      toks.push({ k: '!=' });
      s = s.slice(2);
    } else if (c === '!') {
      toks.push({ k: '!' });
      s = s.slice(1);
    } else if (s.startsWith('&&')) {
      toks.push({ k: '&&' });
      s = s.slice(2);
    } else if (s.startsWith('||')) {
      toks.push({ k: '||' });
      s = s.slice(2);
    } else if (last?.k === 'label') {
      // After a label only an operator word may follow (tokenizer.go, lastTokKind == TokLabel).
      let m: RegExpMatchArray | null;
      if (s.startsWith('contains')) {
        toks.push({ k: 'contains' });
        s = s.slice(8);
      } else if ((m = s.match(/^starts[ \t]*with/))) {
        toks.push({ k: 'starts' });
        s = s.slice(m[0].length);
      } else if ((m = s.match(/^ends[ \t]*with/))) {
        toks.push({ k: 'ends' });
        s = s.slice(m[0].length);
      } else if ((m = s.match(/^not[ \t]*in/))) {
        toks.push({ k: 'notin' });
        s = s.slice(m[0].length);
      } else if (s.startsWith('in')) {
        toks.push({ k: 'in' });
        s = s.slice(2);
      } else throw new Error(`expected an operator after label in selector ${JSON.stringify(input)}`);
    } else {
      let m: RegExpMatchArray | null;
      if ((m = s.match(/^has\([ \t]*([a-zA-Z0-9_./-]+)[ \t]*\)/))) {
        toks.push({ k: 'has', v: m[1]! });
        s = s.slice(m[0].length);
      } else if ((m = s.match(/^all\([ \t]*\)/))) {
        toks.push({ k: 'all' });
        s = s.slice(m[0].length);
      } else if ((m = s.match(/^global\([ \t]*\)/))) {
        toks.push({ k: 'global' });
        s = s.slice(m[0].length);
      } else if ((m = s.match(identRe))) {
        toks.push({ k: 'label', v: m[0] });
        s = s.slice(m[0].length);
      } else throw new Error(`unexpected characters in selector ${JSON.stringify(input)}`);
    }
  }
}

/** Parses a Calico selector; the empty selector is all() (parser.go parseRoot). */
export function parseSel(input: string): Sel {
  const toks = tokenize(input);
  let i = 0;
  const peek = (): Tok => toks[i]!;
  const orExpr = (): Sel => {
    const parts = [andExpr()];
    while (peek().k === '||') {
      i++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : { op: 'or', sels: parts };
  };
  const andExpr = (): Sel => {
    const parts = [operation()];
    while (peek().k === '&&') {
      i++;
      parts.push(operation());
    }
    return parts.length === 1 ? parts[0]! : { op: 'and', sels: parts };
  };
  const str = (): string => {
    const t = peek();
    if (t.k !== 'str') throw new Error(`expected a string literal in ${JSON.stringify(input)}`);
    i++;
    return t.v;
  };
  const operation = (): Sel => {
    let negated = false;
    while (peek().k === '!') {
      negated = !negated;
      i++;
    }
    const t = peek();
    let sel: Sel;
    if (t.k === 'has') {
      i++;
      sel = { op: 'has', key: t.v };
    } else if (t.k === 'all') {
      i++;
      sel = { op: 'all' };
    } else if (t.k === 'global') {
      i++;
      sel = { op: 'global' };
    } else if (t.k === '(') {
      i++;
      sel = orExpr();
      if (peek().k !== ')') throw new Error(`expected ) in ${JSON.stringify(input)}`);
      i++;
    } else if (t.k === 'label') {
      i++;
      const op = peek().k;
      i++;
      if (op === '==') sel = { op: 'eq', key: t.v, value: str() };
      else if (op === '!=') sel = { op: 'ne', key: t.v, value: str() };
      else if (op === 'contains') sel = { op: 'contains', key: t.v, value: str() };
      else if (op === 'starts') sel = { op: 'starts', key: t.v, value: str() };
      else if (op === 'ends') sel = { op: 'ends', key: t.v, value: str() };
      else if (op === 'in' || op === 'notin') {
        if (peek().k !== '{') throw new Error(`expected set literal in ${JSON.stringify(input)}`);
        i++;
        const values: string[] = [];
        while (peek().k === 'str') {
          values.push(str());
          if (peek().k === ',') i++;
          else break;
        }
        if (peek().k !== '}') throw new Error(`expected } in ${JSON.stringify(input)}`);
        i++;
        sel = { op: op === 'in' ? 'in' : 'notin', key: t.v, values };
      } else throw new Error(`expected an operator in ${JSON.stringify(input)}`);
    } else throw new Error(`unexpected token ${t.k} in ${JSON.stringify(input)}`);
    return negated ? { op: 'not', sel } : sel;
  };
  if (peek().k === 'eof') return { op: 'all' };
  const sel = orExpr();
  if (peek().k !== 'eof') throw new Error(`unexpected content at end of selector ${JSON.stringify(input)}`);
  return sel;
}

/** Whether a selector matches a label map (parser/ast.go Evaluate of each node). */
export function matchSel(sel: Sel, labels: Readonly<Record<string, string>>): boolean {
  const get = (k: string): string | undefined => (Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined);
  switch (sel.op) {
    case 'all':
      return true;
    case 'global':
      return get('projectcalico.org/namespace') === undefined;
    case 'has':
      return get(sel.key) !== undefined;
    case 'eq':
      return get(sel.key) === sel.value;
    case 'ne':
      return get(sel.key) !== sel.value;
    case 'contains': {
      const v = get(sel.key);
      return v !== undefined && v.includes(sel.value);
    }
    case 'starts': {
      const v = get(sel.key);
      return v !== undefined && v.startsWith(sel.value);
    }
    case 'ends': {
      const v = get(sel.key);
      return v !== undefined && v.endsWith(sel.value);
    }
    case 'in': {
      const v = get(sel.key);
      return v !== undefined && sel.values.includes(v);
    }
    case 'notin': {
      const v = get(sel.key);
      return v === undefined || !sel.values.includes(v);
    }
    case 'not':
      return !matchSel(sel.sel, labels);
    case 'and':
      return sel.sels.every((s) => matchSel(s, labels));
    case 'or':
      return sel.sels.some((s) => matchSel(s, labels));
  }
}

/**
 * A rule's namespaceSelector as Felix sees it (updateprocessors/rules.go getEndpointSelector):
 * every label key gets the `pcns.` prefix (parseSelectorAttachPrefix with
 * conversion.NamespaceLabelPrefix), then `all()` becomes has(projectcalico.org/namespace) and
 * `global()` becomes !has(projectcalico.org/namespace).
 */
export function namespaceSelectorToEndpointSelector(sel: Sel): Sel {
  switch (sel.op) {
    case 'all':
      return { op: 'has', key: 'projectcalico.org/namespace' };
    case 'global':
      return { op: 'not', sel: { op: 'has', key: 'projectcalico.org/namespace' } };
    case 'has':
    case 'eq':
    case 'ne':
    case 'contains':
    case 'starts':
    case 'ends':
    case 'in':
    case 'notin':
      return { ...sel, key: `pcns.${sel.key}` };
    case 'not':
      return { op: 'not', sel: namespaceSelectorToEndpointSelector(sel.sel) };
    case 'and':
    case 'or':
      return { op: sel.op, sels: sel.sels.map(namespaceSelectorToEndpointSelector) };
  }
}
