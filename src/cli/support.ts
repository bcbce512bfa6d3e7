// `--support`: one JSON object with what a bug report needs, in the shape Falco prints (keys sorted
// as Falco's JSON library sorts them): system information, versions, the command line, the
// configuration as loaded, and the content of every rules file.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { LoadedConfig } from './config/load.js';
import { type VersionsInfo, peregrineVersion, versionsInfo } from '../version.js';

export interface SupportReport {
  cmdline: string;
  /** The merged configuration document (files and `-o`), as JSON text (Falco: its YAML dump). */
  config: string;
  engine_info: VersionsInfo;
  rules_files: { name: string; variants: { content: string }[] }[];
  system_info: { sysname: string; nodename: string; release: string; version: string; machine: string };
  version: string;
}

export function buildSupportReport(cmdline: string, loaded: LoadedConfig, rulesFiles: readonly string[]): SupportReport {
  const info = versionsInfo();
  return {
    cmdline,
    config: JSON.stringify(loaded.document),
    engine_info: info,
    rules_files: rulesFiles.map((name) => {
      let content: string;
      try {
        content = readFileSync(name, 'utf8');
      } catch (err) {
        content = `<cannot read: ${(err as Error).message}>`;
      }
      return { name, variants: [{ content }] };
    }),
    system_info: {
      sysname: os.type(),
      nodename: os.hostname(),
      release: os.release(),
      version: os.version(),
      machine: os.machine(),
    },
    version: peregrineVersion(),
  };
}
