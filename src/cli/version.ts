// Version information: `--version` (text, or with json_output the same JSON document as the web
// server's /versions) and `--support`. The document has Falco's keys; tools such as falcoctl read
// `engine_version_semver` to choose rules artifacts the engine can load, so it states the rules
// engine level Peregrine implements, that of Falco 0.44.1.
//
// The web server (src/server/versions.ts, outputs branch) builds the same document: when both are
// on one branch this module should take VersionsInfo and versionsInfo from there and keep only the
// text rendering, so `--version` and /versions cannot drift apart.
import { readFileSync } from 'node:fs';
import { arch } from 'node:os';

/** The Falco release whose command line, configuration and rules semantics Peregrine implements. */
export const FALCO_COMPATIBLE_VERSION = '0.44.1';
/** Falco's rules engine version of that release; rules files state it as `required_engine_version`. */
export const ENGINE_VERSION = { major: 0, minor: 62, patch: 0 } as const;
/** Plugin API level and scap event format (driver API and schema) of libs 0.25.4. */
export const PLUGIN_API_VERSION = '3.12.0';
export const DRIVER_API_VERSION = '10.1.0';
export const DRIVER_SCHEMA_VERSION = '4.5.1';

let cachedVersion: string | undefined;

/** Peregrine's version, from package.json at the root of the installation. */
export function peregrineVersion(): string {
  if (cachedVersion === undefined) {
    // Compiled to dist/src/cli/version.js: the package root is three levels up.
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    cachedVersion = pkg.version ?? '0.0.0';
  }
  return cachedVersion;
}

/** Falco's version document, filled with Peregrine's values. */
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

export function versionsInfo(pluginVersions: Record<string, string> = {}): VersionsInfo {
  const version = peregrineVersion();
  const { major, minor, patch } = ENGINE_VERSION;
  const info: VersionsInfo = {
    falco_version: version,
    libs_version: version,
    plugin_api_version: PLUGIN_API_VERSION,
    driver_api_version: DRIVER_API_VERSION,
    driver_schema_version: DRIVER_SCHEMA_VERSION,
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
