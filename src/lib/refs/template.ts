/**
 * The part of Jinja2 that kerchunk reference files use: `{{ name }}` and
 * arithmetic on integers (`{{ i * 1000 + 64 }}`, `//`, `%`), as fsspec's
 * `ReferenceFileSystem` renders `templates` and `gen` entries. Anything else
 * (filters, calls, statements) is refused with a message naming it rather
 * than rendered wrongly.
 */

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

type Value = number | string;
type Token = { t: 'num'; v: number } | { t: 'name'; v: string } | { t: 'str'; v: string } | { t: 'op'; v: string };

function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|'([^']*)'|"([^"]*)"|(\/\/|\*\*|[-+*/%()]))/y;
  let at = 0;
  while (at < expr.length) {
    if (/^\s*$/.test(expr.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(expr);
    if (!m) throw new TemplateError(`Tessera cannot render "{{${expr}}}": only names, numbers and + - * / // % ** ( ) are supported.`);
    at = re.lastIndex;
    if (m[1] !== undefined) out.push({ t: 'num', v: Number(m[1]) });
    else if (m[2] !== undefined) out.push({ t: 'name', v: m[2] });
    else if (m[3] !== undefined || m[4] !== undefined) out.push({ t: 'str', v: m[3] ?? m[4]! });
    else out.push({ t: 'op', v: m[5]! });
  }
  return out;
}

/** Python's floor division and modulo (the sign follows the divisor). */
const floorDiv = (a: number, b: number) => Math.floor(a / b);
const pyMod = (a: number, b: number) => a - b * Math.floor(a / b);

function evaluate(expr: string, vars: Record<string, Value>): Value {
  const tokens = tokenize(expr);
  let i = 0;
  const peek = () => tokens[i];
  const num = (v: Value): number => {
    if (typeof v !== 'number') throw new TemplateError(`"{{${expr}}}" does arithmetic on text.`);
    return v;
  };
  const primary = (): Value => {
    const tok = tokens[i++];
    if (!tok) throw new TemplateError(`"{{${expr}}}" ends too early.`);
    if (tok.t === 'num' || tok.t === 'str') return tok.v;
    if (tok.t === 'name') {
      if (!(tok.v in vars)) throw new TemplateError(`"{{${expr}}}" names "${tok.v}", which is neither a template nor a dimension.`);
      return vars[tok.v]!;
    }
    if (tok.v === '(') {
      const v = sum();
      if (peek()?.v !== ')') throw new TemplateError(`"{{${expr}}}" has an unclosed "(".`);
      i++;
      return v;
    }
    if (tok.v === '-') return -num(unary());
    if (tok.v === '+') return num(unary());
    throw new TemplateError(`"{{${expr}}}" has "${tok.v}" where a value should be.`);
  };
  const unary = (): Value => {
    const base = primary();
    if (peek()?.t === 'op' && peek()!.v === '**') {
      i++;
      return num(base) ** num(unary());
    }
    return base;
  };
  const product = (): Value => {
    let v = unary();
    for (let op = peek(); op?.t === 'op' && ['*', '/', '//', '%'].includes(op.v); op = peek()) {
      i++;
      const r = num(unary());
      const l = num(v);
      v = op.v === '*' ? l * r : op.v === '/' ? l / r : op.v === '//' ? floorDiv(l, r) : pyMod(l, r);
    }
    return v;
  };
  const sum = (): Value => {
    let v = product();
    for (let op = peek(); op?.t === 'op' && (op.v === '+' || op.v === '-'); op = peek()) {
      i++;
      const r = product();
      if (op.v === '+' && typeof v === 'string' && typeof r === 'string') v = v + r;
      else v = op.v === '+' ? num(v) + num(r) : num(v) - num(r);
    }
    return v;
  };
  const v = sum();
  if (i !== tokens.length) throw new TemplateError(`Tessera cannot render "{{${expr}}}" (unexpected "${tokens[i]!.v}").`);
  return v;
}

/**
 * Render `text`, replacing each `{{ expression }}` with its value.
 *
 * @example
 * render('{{u}}', { u: 's3://b/f.nc' }) // 's3://b/f.nc'
 * render('{{ 100 + i * 16 }}', { i: 2 }) // '132'
 */
export function render(text: string, vars: Record<string, Value>): string {
  if (text.includes('{%')) throw new TemplateError(`Tessera cannot render "${text}": Jinja statements ({% ... %}) are not supported.`);
  if (!text.includes('{{')) return text;
  return text.replace(/\{\{(.*?)\}\}/g, (_, expr: string) => String(evaluate(expr, vars)));
}
