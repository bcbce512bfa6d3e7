// Which rules files a list of paths means, as Falco reads `rules_files` and `-r`: a file is taken
// as it is, a directory gives its .yaml/.yml files sorted by name (not recursively). Only files
// named *.yaml or *.yml are rules files.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

export interface ResolvedRulesFiles {
  /** Files to load, in order. */
  files: string[];
  /** Directories that were expanded (watched for new files on hot reload). */
  folders: string[];
  /** Paths left out, with the reason (the caller logs them). */
  skipped: { path: string; reason: string }[];
}

const isYamlName = (file: string): boolean => file.endsWith('.yaml') || file.endsWith('.yml');

/**
 * Expands rules paths. From the configuration (`required: false`) a missing path is skipped, as
 * Falco does (falco_rules.local.yaml often does not exist); from `-r` (`required: true`) it is an
 * error.
 */
export function resolveRulesFiles(paths: readonly string[], required: boolean): ResolvedRulesFiles {
  const result: ResolvedRulesFiles = { files: [], folders: [], skipped: [] };
  for (const entry of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(entry).isDirectory();
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message;
      if (required) throw new UserError(`Could not read rules file ${entry}: ${why}`);
      result.skipped.push({ path: entry, reason: why });
      continue;
    }
    if (!isDirectory) {
      if (isYamlName(entry)) result.files.push(entry);
      else result.skipped.push({ path: entry, reason: 'only files named *.yaml or *.yml are loaded' });
      continue;
    }
    result.folders.push(entry);
    const names = readdirSync(entry).map((name) => path.join(entry, name)).sort();
    for (const file of names) {
      let regular = false;
      try {
        regular = statSync(file).isFile();
      } catch {
        regular = false; // dangling symlink
      }
      if (regular && isYamlName(file)) result.files.push(file);
    }
  }
  return result;
}
