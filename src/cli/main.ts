// The `peregrine` command: subcommands (validate, inspect, capture, ...) and, without one, the
// Falco-compatible agent flags. Each subcommand lives in src/cli/commands/<name>.ts.
//
// Scaffolding: the Falco flag parser and configuration replace this dispatch (issue 4). Until
// then it understands the rules-file flags: -V/--validate FILE, -r FILE, -L, -l RULE,
// -o json_output=true, -c CONFIG (json_output, rules_files), --format text|markdown|json,
// --rule-schema.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { DescribeFormat } from '../engine/describe.js';
import { describeCommand, ruleSchemaCommand, validateCommand } from './commands/validate.js';

interface RulesFlags {
  validate: string[];
  rules: string[];
  describeAll: boolean;
  describeRule?: string;
  options: Map<string, string>;
  config?: string;
  format?: string;
  ruleSchema: boolean;
  rest: string[];
}

const VALUE_FLAGS = new Set(['-V', '--validate', '-r', '-l', '-o', '--option', '-c', '--format']);

function parseFlags(argv: string[]): RulesFlags {
  const flags: RulesFlags = { validate: [], rules: [], describeAll: false, options: new Map(), ruleSchema: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (VALUE_FLAGS.has(arg) && value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new Error(`Option '${arg}' is missing an argument`);
    }
    switch (arg) {
      case '-V': case '--validate': flags.validate.push(value!); break;
      case '-r': flags.rules.push(value!); break;
      case '-L': flags.describeAll = true; break;
      case '-l': flags.describeRule = value!; break;
      case '-o': case '--option': {
        const at = value!.indexOf('=');
        if (at <= 0) throw new Error(`Option '-o' expects <opt>=<val>, got '${value}'`);
        flags.options.set(value!.slice(0, at), value!.slice(at + 1));
        break;
      }
      case '-c': flags.config = value!; break;
      case '--format': flags.format = value!; break;
      case '--rule-schema': flags.ruleSchema = true; break;
      default: flags.rest.push(arg);
    }
  }
  return flags;
}

/** json_output from -o (wins) or the configuration file. */
function jsonOutput(flags: RulesFlags, config: Record<string, unknown>): boolean {
  const fromFlag = flags.options.get('json_output');
  if (fromFlag !== undefined) return fromFlag === 'true';
  return config.json_output === true;
}

function readConfig(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  const parsed: unknown = parseYaml(readFileSync(path, 'utf8'));
  return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'validate') {
    const flags = parseFlags(rest.filter((a) => a !== '--json'));
    const json = rest.includes('--json') || flags.options.get('json_output') === 'true';
    return validateCommand({ files: [...flags.validate, ...flags.rest], json, stopAtPluginRequirements: false });
  }
  let flags: RulesFlags;
  let config: Record<string, unknown>;
  try {
    flags = parseFlags(argv);
    config = readConfig(flags.config);
  } catch (err) {
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  if (flags.ruleSchema) return ruleSchemaCommand();
  const json = jsonOutput(flags, config);
  if (flags.validate.length > 0) {
    return validateCommand({ files: flags.validate, json, describeAll: flags.describeAll, describeRule: flags.describeRule });
  }
  if (flags.describeAll || flags.describeRule !== undefined) {
    const format = (flags.format?.toLowerCase() ?? (json ? 'json' : 'text')) as DescribeFormat;
    if (!['text', 'markdown', 'json'].includes(format)) {
      process.stderr.write(`Error: Invalid format '${flags.format}'. Valid values are: text, markdown, json\n`);
      return 1;
    }
    const fromConfig = Array.isArray(config.rules_files) ? config.rules_files.map(String) : [];
    return describeCommand({ rulesPaths: flags.rules.length > 0 ? flags.rules : fromConfig, rule: flags.describeRule, format });
  }
  process.stderr.write(`peregrine: unknown command '${first ?? ''}'\n`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
