// The TextMate grammar, run by the engine VS Code uses (vscode-textmate
// with Oniguruma) over every .flow file shipped with flowc: each line
// tokenizes, the state is back at the top level at the end of each file
// (no text or comment left open), and comments, keywords, texts, the
// record root, field names and interpolations get their scopes.
"use strict";

const fs = require("fs");
const path = require("path");
const assert = require("assert");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const root = path.resolve(__dirname, "..", "..", "..");

function flows(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) flows(full, out);
    else if (entry.name.endsWith(".flow")) out.push(full);
  }
  return out;
}

async function grammar() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async () =>
      vsctm.parseRawGrammar(
        fs.readFileSync(path.join(__dirname, "..", "syntaxes", "flow.tmLanguage.json"), "utf8"),
        "flow.tmLanguage.json"
      ),
  });
  return registry.loadGrammar("source.flow");
}

/// Each line of a text with its tokens: [{ text, scopes }].
function tokenize(grammar, text) {
  let stack = vsctm.INITIAL;
  const lines = text.split("\n").map((line) => {
    const result = grammar.tokenizeLine(line, stack);
    stack = result.ruleStack;
    return {
      line,
      tokens: result.tokens.map((token) => ({
        text: line.slice(token.startIndex, token.endIndex),
        start: token.startIndex,
        scopes: token.scopes,
      })),
    };
  });
  return { lines, end: stack };
}

function scopesAt(line, column) {
  const token = line.tokens.find((t) => t.start <= column && column < t.start + t.text.length);
  return token ? token.scopes.join(" ") : "";
}

const LEADING_KEYWORDS = [
  "let", "when", "skip", "require", "create", "upsert", "update", "if", "setting", "table", "fn", "flow",
  "import", "source", "target", "emit",
];

(async () => {
  const flow = await grammar();
  const files = [...flows(path.join(root, "mappings")), ...flows(path.join(root, "stdlib"))];
  assert.ok(files.length > 20, `found ${files.length} flows`);
  let checked = { comments: 0, keywords: 0, texts: 0, records: 0, fields: 0, interpolations: 0 };
  for (const file of files) {
    const name = path.relative(root, file);
    const { lines, end } = tokenize(flow, fs.readFileSync(file, "utf8"));
    assert.ok(end.equals(vsctm.INITIAL) || end.depth === 1, `${name}: a text or comment is left open at the end`);
    lines.forEach(({ line, tokens }, index) => {
      const where = `${name}:${index + 1}`;
      const covered = tokens.reduce((sum, t) => sum + t.text.length, 0);
      assert.strictEqual(covered, line.length, `${where}: the tokens cover the line`);
      const trimmed = line.trimStart();
      const indent = line.length - trimmed.length;
      if (trimmed.startsWith("//")) {
        assert.match(scopesAt({ tokens }, indent), /comment/, `${where}: a comment`);
        if (trimmed.startsWith("///")) {
          assert.match(scopesAt({ tokens }, indent), /comment\.line\.documentation/, `${where}`);
        }
        checked.comments++;
        return;
      }
      const word = trimmed.split(/[^A-Za-z_]/)[0];
      // A field of a record may be named like a keyword (`source = data`).
      const field = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\?=|=(?![=>]))/.exec(line);
      if (LEADING_KEYWORDS.includes(word) && !field) {
        assert.match(scopesAt({ tokens }, indent), /keyword/, `${where}: \`${word}\` is a keyword`);
        checked.keywords++;
      }
      if (field && !["else"].includes(field[1])) {
        assert.match(scopesAt({ tokens }, indent), /variable\.other\.property/, `${where}: a field name`);
        checked.fields++;
      }
      const quote = line.indexOf(' "');
      if (quote >= 0 && !line.slice(0, quote).includes("//") && !line.slice(0, quote).includes('"')) {
        assert.match(scopesAt({ tokens }, quote + 1), /string/, `${where}: a text`);
        checked.texts++;
      }
      const record = line.indexOf("$.");
      if (record >= 0 && !line.slice(0, record).includes('"') && !line.slice(0, record).includes("//")) {
        assert.match(scopesAt({ tokens }, record), /variable\.language\.record/, `${where}: the record root`);
        checked.records++;
      }
      const interpolation = line.indexOf("${");
      if (interpolation >= 0 && !line.slice(0, interpolation).includes("//")) {
        assert.match(scopesAt({ tokens }, interpolation + 2), /meta\.interpolation/, `${where}: inside \${...}`);
        checked.interpolations++;
      }
    });
  }
  for (const [what, count] of Object.entries(checked)) {
    assert.ok(count > 10, `${what}: only ${count} seen on the shipped flows`);
  }

  // A made-up line of each hard kind: the scopes where they belong.
  const sample = tokenize(
    flow,
    [
      'let a = "x ${f("}")} y" ?? r"\\d+"',
      "setting kind: \"order\" | \"invoice\"? = none // after",
      "  Name ?= $.rows[?@.qty > 1][0].price * -1",
      "/* open",
      "still a comment */ let b = @2024-03-14",
      "let c = lookup all ccv_salespos.attributecombinations where product_id == 1",
    ].join("\n")
  );
  const [first, second, third, , fifth, sixth] = sample.lines;
  assert.match(scopesAt(first, first.line.indexOf("f(")), /meta\.interpolation/);
  assert.match(scopesAt(first, first.line.indexOf(" y") + 1), /string\.quoted/, "the text goes on after ${...}");
  assert.match(scopesAt(first, first.line.indexOf('r"')), /string\.regexp/);
  assert.match(scopesAt(second, second.line.indexOf("// after")), /comment/);
  assert.match(scopesAt(second, second.line.indexOf("kind")), /variable\.other\.constant/);
  assert.match(scopesAt(third, third.line.indexOf("[?")), /jsonpath/);
  assert.match(scopesAt(fifth, 0), /comment\.block/);
  assert.match(scopesAt(fifth, fifth.line.indexOf("let")), /keyword/);
  assert.match(scopesAt(fifth, fifth.line.indexOf("@")), /constant\.numeric\.date/);
  assert.match(scopesAt(sixth, sixth.line.indexOf("all")), /keyword\.other\.write/, "`lookup all`");
  console.log(`grammar: ${files.length} shipped flows tokenized`, checked);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
