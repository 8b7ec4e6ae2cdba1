import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT, usageError } from '../errors.ts';
import type { Run } from '../program.ts';
import { readStdin } from '../prompt.ts';
import { KIND_LABEL, scanText, type Finding } from '../scan.ts';

/** Directories never worth scanning: dependencies and git's object store. */
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);

/** `scan <paths…>`: offline, for pre-commit hooks and CI. */
export function registerScan(program: Command, run: Run): void {
  program
    .command('scan')
    .description('find Latchkey secrets in files, offline (exit 1 when any is found); "-" reads stdin')
    .argument('<paths...>', 'files or directories (directories are searched recursively, skipping node_modules and .git)')
    .action(
      run(async (cli, paths) => {
        const files: string[] = [];
        for (const path of paths) {
          if (path === '-') files.push(path);
          else collect(path, files, true);
        }

        const findings: Finding[] = [];
        let unreadable = 0;
        for (const file of files) {
          let text: string;
          try {
            text = file === '-' ? await readStdin(cli.streams) : readFileSync(file, 'utf8');
          } catch (error) {
            unreadable++;
            cli.out.error('UNREADABLE', `${file}: ${error instanceof Error ? error.message : String(error)}`);
            continue;
          }
          findings.push(...scanText(file, text));
        }

        if (cli.out.json) {
          cli.out.data({ secrets: findings, filesScanned: files.length - unreadable });
        } else {
          const { c } = cli.out;
          for (const f of findings) {
            cli.out.line(`${c.bold(`${f.file}:${f.line}:${f.column}`)}: ${c.red(f.obscured)} (${KIND_LABEL[f.kind]})`);
          }
          const fileCount = new Set(findings.map((f) => f.file)).size;
          cli.out.note(
            findings.length > 0
              ? cli.out.ce.red(`Found ${plural(findings.length, 'Latchkey secret')} in ${plural(fileCount, 'file')}: revoke them (latchkey tokens reset) and remove them from the files.`)
              : `No Latchkey secrets in ${plural(files.length - unreadable, 'file')}.`,
          );
        }
        return findings.length > 0 || unreadable > 0 ? EXIT.failed : EXIT.ok;
      }),
    );
}

/** Adds the files under `path`; symbolic links inside directories are not followed (no cycles). */
function collect(path: string, into: string[], explicit: boolean): void {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if (explicit) throw usageError(`${path}: no such file or directory`);
    throw error;
  }
  if (stats.isFile()) {
    into.push(path);
    return;
  }
  if (!stats.isDirectory()) {
    if (explicit) throw new CliError('USAGE', `${path}: not a file or directory`, EXIT.usage);
    return;
  }
  const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) collect(child, into, false);
    } else if (entry.isFile()) {
      into.push(child);
    }
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
