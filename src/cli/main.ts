// The `peregrine` command: subcommands (validate, inspect, capture, ...) and, without one, the
// Falco-compatible agent flags. Each subcommand lives in src/cli/commands/<name>.ts.
//
// Scaffolding: the Falco flag parser and configuration replace this dispatch (issue 4).
import { validateCommand } from './commands/validate.js';

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'validate' || first === '-V' || first === '--validate') {
    const json = rest.includes('--json');
    const files = rest.filter((a) => a !== '--json');
    return validateCommand({ files, json });
  }
  process.stderr.write(`peregrine: unknown command '${first ?? ''}'\n`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
