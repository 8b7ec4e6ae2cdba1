// Prints the fenced code block of a Markdown file whose text contains a marker, so CI runs the
// docs' own scripts: node docs-block.mjs docs/for-scripts.md rotate-demo.sh
import { readFileSync } from 'node:fs';

const [file, marker] = process.argv.slice(2);
const blocks = [...readFileSync(file, 'utf8').matchAll(/^```\w*\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
const found = blocks.filter((b) => b.includes(marker));
if (found.length !== 1) {
  console.error(`${file}: ${found.length} code blocks mention ${marker}, expected 1`);
  process.exit(1);
}
process.stdout.write(found[0]);
