// The questionnaire expression language (relevant / constraint / required / calculate).
//
// The same grammar and rules as the server's cips/instruments/expressions.py, whose
// docstring is the reference; tests/data/expressions.json is run against both, so the
// tablet shows, requires and accepts exactly what the server will. Parsed once into a
// tree and walked: never eval.

const FUNCTIONS = { selected: [2, 2], count_selected: [1, 1], mean: [1, null] };
const KEYWORDS = new Set(["and", "or", "not", "in", "true", "false", "null"]);
const COMPARISONS = ["==", "!=", "<=", ">=", "<", ">", "in"];
const MAX_LENGTH = 1000;
const MAX_DEPTH = 50;
const TOKEN =
  /\s*(?:(?<number>\d+(?:\.\d+)?)|(?<string>'[^']*'|"[^"]*")|(?<name>[A-Za-z_][A-Za-z0-9_]*)|(?<op>==|!=|<=|>=|[<>+\-*/(),.])|(?<bad>\S))/y;

export class ExpressionError extends Error {}

function tokens(source) {
  const out = [];
  let position = 0;
  while (position < source.length) {
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(source);
    if (!match) break; // only trailing whitespace is left
    const kind = Object.keys(match.groups).find((key) => match.groups[key] !== undefined);
    const text = match.groups[kind];
    const start = match.index + match[0].length - text.length + 1;
    position = TOKEN.lastIndex;
    if (kind === "bad") {
      const hint = text === "=" ? " (use == to compare)" : "";
      throw new ExpressionError(`unexpected character '${text}' at position ${start}${hint}`);
    }
    if (kind === "number") out.push(["num", Number(text), start]);
    else if (kind === "string") out.push(["str", text.slice(1, -1), start]);
    else if (kind === "name" && KEYWORDS.has(text)) out.push(["op", text, start]);
    else out.push([kind, text, start]);
  }
  out.push(["end", null, source.length + 1]);
  return out;
}

class Parser {
  constructor(source) {
    this.tokens = tokens(source);
    this.at = 0;
    this.names = new Set();
    this.usesSelf = false;
    this.depth = 0;
  }
  deeper() {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) throw new ExpressionError(`nested deeper than ${MAX_DEPTH} levels at position ${this.peek()[2]}`);
  }
  nested(build) {
    this.deeper();
    const tree = build();
    this.depth -= 1;
    return tree;
  }
  peek() {
    return this.tokens[this.at];
  }
  take(value) {
    const [kind, text] = this.peek();
    if (kind === "op" && text === value) {
      this.at += 1;
      return true;
    }
    return false;
  }
  expect(value) {
    if (!this.take(value)) this.fail(`expected '${value}'`);
  }
  fail(what) {
    const [kind, text, position] = this.peek();
    const found = kind === "end" ? "the end" : `'${text}'`;
    throw new ExpressionError(`${what} at position ${position}, found ${found}`);
  }
  parse() {
    const tree = this.or();
    if (this.peek()[0] !== "end") this.fail("expected an operator or the end");
    return tree;
  }
  or() {
    let tree = this.and();
    while (this.take("or")) tree = ["or", tree, this.and()];
    return tree;
  }
  and() {
    let tree = this.not();
    while (this.take("and")) tree = ["and", tree, this.not()];
    return tree;
  }
  not() {
    if (this.take("not")) return this.nested(() => ["not", this.not()]);
    return this.compare();
  }
  compare() {
    const tree = this.sum();
    for (const op of COMPARISONS) if (this.take(op)) return [op, tree, this.sum()];
    return tree;
  }
  sum() {
    let tree = this.product();
    for (;;) {
      const op = ["+", "-"].find((o) => this.take(o));
      if (!op) return tree;
      tree = [op, tree, this.product()];
    }
  }
  product() {
    let tree = this.unary();
    for (;;) {
      const op = ["*", "/"].find((o) => this.take(o));
      if (!op) return tree;
      tree = [op, tree, this.unary()];
    }
  }
  unary() {
    if (this.take("-")) return this.nested(() => ["neg", this.unary()]);
    return this.atom();
  }
  atom() {
    const [kind, text] = this.peek();
    if (kind === "num" || kind === "str") {
      this.at += 1;
      return ["lit", text];
    }
    for (const [word, value] of [["true", true], ["false", false], ["null", null]]) {
      if (this.take(word)) return ["lit", value];
    }
    if (this.take(".")) {
      this.usesSelf = true;
      return ["self"];
    }
    if (this.take("(")) {
      return this.nested(() => {
        const tree = this.or();
        this.expect(")");
        return tree;
      });
    }
    if (kind === "name") {
      this.at += 1;
      if (this.take("(")) return this.nested(() => this.call(text));
      this.names.add(text);
      return ["name", text];
    }
    this.fail("expected a value");
  }
  call(name) {
    if (!Object.hasOwn(FUNCTIONS, name)) throw new ExpressionError(`function '${name}' is not supported`);
    const args = [];
    if (!this.take(")")) {
      args.push(this.or());
      while (this.take(",")) args.push(this.or());
      this.expect(")");
    }
    const [low, high] = FUNCTIONS[name];
    if (args.length < low || (high !== null && args.length > high)) {
      const expected = low === high ? `${low}` : `at least ${low}`;
      throw new ExpressionError(`function '${name}' takes ${expected} argument(s), got ${args.length}`);
    }
    return ["call", name, ...args];
  }
}

const parsed = new Map(); // source -> tree: each rule is parsed once per page

/** Parse an expression (cached), or throw ExpressionError. */
export function parse(source) {
  if (typeof source !== "string" || source.trim() === "") throw new ExpressionError("empty expression");
  if (source.length > MAX_LENGTH) throw new ExpressionError(`longer than ${MAX_LENGTH} characters`);
  if (!parsed.has(source)) parsed.set(source, new Parser(source).parse());
  return parsed.get(source);
}

const isNumber = (value) => typeof value === "number" && Number.isFinite(value);

function answer(value) {
  if (value === undefined) return null;
  if ((typeof value === "string" && value.trim() === "") || (Array.isArray(value) && value.length === 0)) return null;
  return value;
}

export function truth(value) {
  if (value === null || value === undefined || value === false) return false;
  if (value === true) return true;
  if (isNumber(value)) return value !== 0;
  if (typeof value === "string" || Array.isArray(value)) return value.length > 0;
  return false;
}

export function equal(a, b) {
  if (a === null || b === null) return a === null && b === null;
  if (typeof a === "boolean" || typeof b === "boolean") return a === b;
  if (isNumber(a) && isNumber(b)) return a === b;
  if (typeof a === "string" && typeof b === "string") return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  return false;
}

function contains(container, value) {
  if (Array.isArray(container)) return container.some((element) => equal(value, element));
  return container !== null && equal(value, container);
}

function order(op, a, b) {
  if (!((isNumber(a) && isNumber(b)) || (typeof a === "string" && typeof b === "string"))) return false;
  if (op === "<") return a < b;
  if (op === "<=") return a <= b;
  if (op === ">") return a > b;
  return a >= b;
}

function arithmetic(op, a, b) {
  if (!(isNumber(a) && isNumber(b))) return null;
  if (op === "+") return a + b;
  if (op === "-") return a - b;
  if (op === "*") return a * b;
  return b === 0 ? null : a / b;
}

function call(name, args) {
  if (name === "selected") return contains(args[0], args[1]);
  if (name === "count_selected") {
    const value = args[0];
    return Array.isArray(value) ? value.length : value === null ? 0 : 1;
  }
  const numbers = args.filter(isNumber); // mean
  return numbers.length ? numbers.reduce((total, n) => total + n, 0) / numbers.length : null;
}

function walk(tree, answers, current) {
  const op = tree[0];
  if (op === "lit") return tree[1];
  if (op === "name") return answer(Object.hasOwn(answers, tree[1]) ? answers[tree[1]] : null);
  if (op === "self") return answer(current);
  if (op === "not") return !truth(walk(tree[1], answers, current));
  if (op === "neg") {
    const value = walk(tree[1], answers, current);
    return isNumber(value) ? -value : null;
  }
  if (op === "call") return call(tree[1], tree.slice(2).map((arg) => walk(arg, answers, current)));
  const a = walk(tree[1], answers, current);
  if (op === "and") return truth(a) && truth(walk(tree[2], answers, current));
  if (op === "or") return truth(a) || truth(walk(tree[2], answers, current));
  const b = walk(tree[2], answers, current);
  if (op === "==") return equal(a, b);
  if (op === "!=") return !equal(a, b);
  if (op === "in") return contains(b, a);
  if (["<", "<=", ">", ">="].includes(op)) return order(op, a, b);
  return arithmetic(op, a, b);
}

/** The value of an expression over the answers so far (`current`: the item's own answer, for "."). */
export function evaluate(source, answers, current = null) {
  return walk(parse(source), answers, current);
}

export function holds(source, answers, current = null) {
  return truth(evaluate(source, answers, current));
}
