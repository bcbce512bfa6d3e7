// Version information of this build: Peregrine's own version and the Falco versions it is
// compatible with. `--version`, `--support` and the web server's /versions endpoint print it; tools
// such as falcoctl read `engine_version` to choose rules artifacts the engine can load.
import { readFileSync } from 'node:fs';
import { arch } from 'node:os';

/** The Falco release whose command line, configuration and rules semantics Peregrine implements. */
export const FALCO_COMPATIBLE_VERSION = '0.44.1';
/** Falco's rules engine version of that release; rules files state it as `required_engine_version`. */
export const ENGINE_VERSION = '0.62.0';
/** The falcosecurity/libs release whose event table and field semantics Peregrine follows. */
export const LIBS_COMPATIBLE_VERSION = '0.25.4';

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

export interface VersionInfo {
  peregrine_version: string;
  falco_version: string;
  libs_version: string;
  /** Minor number only, as Falco reports it for older tools. */
  engine_version: string;
  engine_version_semver: string;
  plugin_versions: Record<string, string>;
}

export function versionInfo(pluginVersions: Record<string, string> = {}): VersionInfo {
  return {
    peregrine_version: peregrineVersion(),
    falco_version: FALCO_COMPATIBLE_VERSION,
    libs_version: LIBS_COMPATIBLE_VERSION,
    engine_version: String(Number(ENGINE_VERSION.split('.')[1])),
    engine_version_semver: ENGINE_VERSION,
    plugin_versions: pluginVersions,
  };
}

/** Text form of `--version`. */
export function formatVersionText(info: VersionInfo): string {
  return [
    `Peregrine version: ${info.peregrine_version} (${arch()})`,
    `Falco compatible:  ${info.falco_version}`,
    `Libs compatible:   ${info.libs_version}`,
    `Engine:            ${info.engine_version_semver}`,
    ...Object.entries(info.plugin_versions).map(([name, version]) => `Plugin ${name}: ${version}`),
    '',
  ].join('\n');
}
