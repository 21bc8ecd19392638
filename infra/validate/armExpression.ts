/**
 * ARM template expressions: the tokenizer and parser of `[...]` strings (function calls, string and number
 * literals, `.property` and `[index]` access; `[[` is a literal).
 */
export type Expr =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'call'; name: string; args: Expr[]; pos: number }
  | { kind: 'member'; target: Expr; property: string; pos: number }
  | { kind: 'index'; target: Expr; index: Expr; pos: number };

export type TokenType = 'ident' | 'string' | 'number' | '(' | ')' | ',' | '.' | '[' | ']';
export interface Token {
  type: TokenType;
  value: string;
  pos: number;
}

export class ArmExpressionError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(`${message} (at character ${pos + 1})`);
    this.name = 'ArmExpressionError';
  }
}

export const IDENT_START = /[A-Za-z_$]/;
export const IDENT_PART = /[A-Za-z0-9_$]/;
export const DIGIT = /[0-9]/;

/** Splits the inside of a `[...]` expression into tokens. Throws `ArmExpressionError`. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if ('(),.[]'.includes(c)) {
      tokens.push({ type: c as TokenType, value: c, pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ArmExpressionError('unterminated string literal', start);
        const d = src[i]!;
        if (d === "'") {
          if (src[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += d;
        i++;
      }
      tokens.push({ type: 'string', value, pos: start });
      continue;
    }
    if (DIGIT.test(c) || (c === '-' && DIGIT.test(src[i + 1] ?? ''))) {
      const start = i;
      i++;
      while (i < src.length && DIGIT.test(src[i]!)) i++;
      if (src[i] === '.' && DIGIT.test(src[i + 1] ?? '')) {
        i++;
        while (i < src.length && DIGIT.test(src[i]!)) i++;
      }
      tokens.push({ type: 'number', value: src.slice(start, i), pos: start });
      continue;
    }
    if (IDENT_START.test(c)) {
      const start = i;
      while (i < src.length && IDENT_PART.test(src[i]!)) i++;
      tokens.push({ type: 'ident', value: src.slice(start, i), pos: start });
      continue;
    }
    throw new ArmExpressionError(`unexpected character '${c}'`, i);
  }
  return tokens;
}

/** Parses the inside of a `[...]` expression (without the brackets). Throws `ArmExpressionError`. */
export function parseExpression(src: string): Expr {
  const tokens = tokenize(src);
  let at = 0;
  const peek = (offset = 0): Token | undefined => tokens[at + offset];
  const endPos = src.length;
  const expect = (type: TokenType): Token => {
    const t = tokens[at];
    if (!t) throw new ArmExpressionError(`expected '${type}' but the expression ended`, endPos);
    if (t.type !== type) throw new ArmExpressionError(`expected '${type}' but found '${t.value}'`, t.pos);
    at++;
    return t;
  };

  const parsePrimary = (): Expr => {
    const t = peek();
    if (!t) throw new ArmExpressionError('expected a value but the expression ended', endPos);
    if (t.type === 'string') {
      at++;
      return { kind: 'string', value: t.value, pos: t.pos };
    }
    if (t.type === 'number') {
      at++;
      return { kind: 'number', value: Number(t.value), pos: t.pos };
    }
    if (t.type === 'ident') {
      at++;
      let name = t.value;
      // A user-defined function is called as namespace.member(...).
      if (peek()?.type === '.' && peek(1)?.type === 'ident' && peek(2)?.type === '(') {
        name = `${name}.${peek(1)!.value}`;
        at += 2;
      }
      if (peek()?.type !== '(') {
        throw new ArmExpressionError(
          `'${name}' is not a function call (ARM has no bare identifiers; write ${name}())`,
          t.pos,
        );
      }
      at++;
      const args: Expr[] = [];
      if (peek()?.type !== ')') {
        for (;;) {
          args.push(parseValue());
          if (peek()?.type === ',') {
            at++;
            continue;
          }
          break;
        }
      }
      expect(')');
      return { kind: 'call', name, args, pos: t.pos };
    }
    throw new ArmExpressionError(`unexpected '${t.value}'`, t.pos);
  };

  const parseValue = (): Expr => {
    let e = parsePrimary();
    for (;;) {
      const t = peek();
      if (t?.type === '.') {
        at++;
        const prop = peek();
        if (!prop || (prop.type !== 'ident' && prop.type !== 'number')) {
          throw new ArmExpressionError("expected a property name after '.'", prop?.pos ?? endPos);
        }
        at++;
        e = { kind: 'member', target: e, property: prop.value, pos: t.pos };
        continue;
      }
      if (t?.type === '[') {
        at++;
        const index = parseValue();
        expect(']');
        e = { kind: 'index', target: e, index, pos: t.pos };
        continue;
      }
      return e;
    }
  };

  if (tokens.length === 0) throw new ArmExpressionError('empty expression', 0);
  const e = parseValue();
  const rest = peek();
  if (rest) throw new ArmExpressionError(`unexpected '${rest.value}' after the expression`, rest.pos);
  return e;
}

export type TemplateString =
  | { kind: 'literal'; value: string }
  | { kind: 'expression'; expr: Expr; source: string }
  | { kind: 'error'; message: string };

/** How ARM reads a JSON string: `[...]` is an expression, `[[...` a literal starting with `[`. */
export function parseTemplateString(s: string): TemplateString {
  if (s.startsWith('[[')) return { kind: 'literal', value: s.slice(1) };
  if (s.startsWith('[') && s.endsWith(']') && s.length >= 2) {
    const source = s.slice(1, -1);
    try {
      return { kind: 'expression', expr: parseExpression(source), source };
    } catch (e) {
      return { kind: 'error', message: (e as Error).message };
    }
  }
  return { kind: 'literal', value: s };
}
