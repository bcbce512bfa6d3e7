// Peregrine's versions, in one place: the rules engine version rules files are checked against
// (`required_engine_version`), and the version document Falco prints for `--version` with
// json_output and serves at `/versions` (same keys), filled with Peregrine's values. Tools such as
// falcoctl read `engine_version_semver` to decide which rules artifacts an engine can load.
import { arch } from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Falco release whose command line, configuration and rules semantics Peregrine implements. */
export const FALCO_COMPATIBLE_VERSION = '0.44.1';

/** Rules engine version Peregrine declares: that of current Falco (0.63.0). */
export const ENGINE_VERSION = { major: 0, minor: 63, patch: 0 } as const;

/** Version of the scap event format Peregrine reads and its driver writes (libs 0.25.4's). */
export const SCAP_DRIVER_API_VERSION = '10.1.0';
export const SCAP_DRIVER_SCHEMA_VERSION = '4.5.1';
/** Plugin API level of libs 0.25.4. */
export const PLUGIN_API_VERSION = '3.12.0';

let cachedVersion: string | undefined;

/** Peregrine's version, from the package.json of the installation. */
export function peregrineVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'peregrine' && pkg.version) return (cachedVersion = pkg.version);
    } catch {
      // Not here: keep walking up.
    }
    const up = path.dirname(dir);
    if (up === dir) return (cachedVersion = '0.0.0');
    dir = up;
  }
}

/** The /versions document, keyed as Falco keys it. */
export interface VersionsInfo {
  falco_version: string;
  libs_version: string;
  plugin_api_version: string;
  driver_api_version: string;
  driver_schema_version: string;
  default_driver_version: string;
  /** Minor engine version alone (Falco keeps this older key for falcoctl). */
  engine_version: string;
  engine_version_semver: string;
  /** Loaded plugins, name → version; absent when none are loaded (as in Falco). */
  plugin_versions?: Record<string, string>;
}

/** Peregrine's versions; `pluginVersions` lists the loaded plugins. */
export function versionsInfo(pluginVersions: Record<string, string> = {}): VersionsInfo {
  const version = peregrineVersion();
  const { major, minor, patch } = ENGINE_VERSION;
  const info: VersionsInfo = {
    falco_version: version,
    libs_version: version,
    plugin_api_version: PLUGIN_API_VERSION,
    driver_api_version: SCAP_DRIVER_API_VERSION,
    driver_schema_version: SCAP_DRIVER_SCHEMA_VERSION,
    default_driver_version: version,
    engine_version: String(minor),
    engine_version_semver: `${major}.${minor}.${patch}`,
  };
  if (Object.keys(pluginVersions).length > 0) info.plugin_versions = { ...pluginVersions };
  return info;
}

/** Text form of `--version`, laid out as Falco's. */
export function formatVersionText(info: VersionsInfo): string {
  return [
    `Peregrine version: ${info.falco_version} (${arch()})`,
    `Compatible with:   Falco ${FALCO_COMPATIBLE_VERSION}`,
    `Plugin API:        ${info.plugin_api_version}`,
    `Engine:            ${info.engine_version_semver}`,
    'Driver:',
    `  API version:     ${info.driver_api_version}`,
    `  Schema version:  ${info.driver_schema_version}`,
    `  Default driver:  ${info.default_driver_version}`,
    ...Object.entries(info.plugin_versions ?? {}).map(([name, version]) => `Plugin ${name}: ${version}`),
    '',
  ].join('\n');
}
