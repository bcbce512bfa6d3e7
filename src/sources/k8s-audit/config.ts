// The k8saudit plugin's settings as falco.yaml gives them: `init_config` (a map, a JSON string, or
// empty) and `open_params` (where events come from). Same keys, defaults and forms as the plugin:
//
//   init_config: { sslCertificate: /etc/falco/falco.pem, maxEventSize: 262144,
//                  webhookMaxBatchSize: 12582912, useAsync: true }
//   open_params: http://[host]:port/path    webhook over HTTP (host empty: every address)
//                https://[host]:port/path   webhook over TLS, with sslCertificate (key and cert in one PEM)
//                file:///abs/path           follow a log file from its end (rotation and truncation handled)
//                /path/to/file-or-dir       read a file (JSON lines), or every file of a directory
//                                           (oldest first), once
import path from 'node:path';

/** The plugin's init_config, defaults applied. */
export interface K8sAuditInitConfig {
  /** PEM file holding the certificate and its private key, for https:// open_params. */
  readonly sslCertificate: string;
  /** Accepted for compatibility; extraction here is synchronous whatever its value. */
  readonly useAsync: boolean;
  /** Largest audit event accepted, in bytes of its compact JSON text. */
  readonly maxEventSize: number;
  /** Largest webhook request body accepted, in bytes. */
  readonly webhookMaxBatchSize: number;
}

export const K8SAUDIT_INIT_DEFAULTS: K8sAuditInitConfig = {
  sslCertificate: '/etc/falco/falco.pem',
  useAsync: true,
  // The plugin SDK's default event size (256 KiB).
  maxEventSize: 262144,
  // Kubernetes' default audit webhook batch limit (10 MiB) plus about 20%.
  webhookMaxBatchSize: 12 * 1024 * 1024,
};

/**
 * JSON schema of the init_config (what `--plugin-info` prints and what the configuration is
 * checked against). Unknown keys are allowed, as the plugin allows them.
 */
export const K8SAUDIT_INIT_SCHEMA = {
  type: 'object',
  properties: {
    sslCertificate: {
      type: 'string',
      title: 'SSL certificate',
      description: 'PEM file with the certificate and private key of the HTTPS webhook endpoint (Default: /etc/falco/falco.pem)',
      default: K8SAUDIT_INIT_DEFAULTS.sslCertificate,
    },
    useAsync: {
      type: 'boolean',
      title: 'Use async extraction',
      description: 'Accepted for compatibility; Peregrine extracts fields synchronously (Default: true)',
      default: K8SAUDIT_INIT_DEFAULTS.useAsync,
    },
    maxEventSize: {
      type: 'integer',
      minimum: 0,
      title: 'Maximum event size',
      description: 'Largest audit event accepted, in bytes (Default: 262144)',
      default: K8SAUDIT_INIT_DEFAULTS.maxEventSize,
    },
    webhookMaxBatchSize: {
      type: 'integer',
      minimum: 0,
      title: 'Maximum webhook request size',
      description: 'Largest webhook POST request body accepted, in bytes (Default: 12582912)',
      default: K8SAUDIT_INIT_DEFAULTS.webhookMaxBatchSize,
    },
  },
  additionalProperties: true,
} as const;

/** Init config values after the schema check (unknown keys kept, ignored). */
export function k8sAuditInitConfig(values: Readonly<Record<string, unknown>>): K8sAuditInitConfig {
  return { ...K8SAUDIT_INIT_DEFAULTS, ...pick(values, Object.keys(K8SAUDIT_INIT_DEFAULTS)) } as K8sAuditInitConfig;
}

function pick(values: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (values[key] !== undefined) out[key] = values[key];
  return out;
}

/** A problem with open_params, in words for the user. */
export class K8sAuditOpenError extends Error {}

export type K8sAuditOpenTarget =
  | { readonly kind: 'webhook'; readonly host: string; readonly port: number; readonly path: string; readonly tls: boolean }
  | { readonly kind: 'follow'; readonly path: string }
  | { readonly kind: 'read'; readonly path: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** Parses open_params into what to open; throws K8sAuditOpenError with the reason. */
export function parseOpenParams(openParams: string): K8sAuditOpenTarget {
  const params = openParams.trim();
  if (params === '') {
    throw new K8sAuditOpenError(
      'open_params is empty: give the webhook URL to listen on (http://:9765/k8s-audit), a file:// URL to follow, or a file or directory to read',
    );
  }
  const scheme = SCHEME.exec(params)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'read', path: params };
  const rest = params.slice(scheme.length + 1);
  switch (scheme) {
    case 'http':
    case 'https':
      return parseWebhookUrl(params, rest, scheme === 'https');
    case 'file': {
      if (!rest.startsWith('///')) {
        throw new K8sAuditOpenError(`open_params '${params}': a file:// URL needs an absolute path (file:///var/log/audit.log)`);
      }
      return { kind: 'follow', path: decodePath(params, rest.slice(2)) };
    }
    default:
      throw new K8sAuditOpenError(`open_params '${params}': scheme "${scheme}" is not supported (use http, https, file, or a plain path)`);
  }
}

function decodePath(params: string, encoded: string): string {
  try {
    return path.normalize(decodeURIComponent(encoded));
  } catch {
    throw new K8sAuditOpenError(`open_params '${params}': invalid %-escape in the path`);
  }
}

function parseWebhookUrl(params: string, rest: string, tls: boolean): K8sAuditOpenTarget {
  if (!rest.startsWith('//')) throw new K8sAuditOpenError(`open_params '${params}': expected ${tls ? 'https' : 'http'}://host:port/path`);
  const afterSlashes = rest.slice(2);
  const pathStart = afterSlashes.search(/[/?#]/);
  const authority = pathStart < 0 ? afterSlashes : afterSlashes.slice(0, pathStart);
  const pathPart = pathStart < 0 ? '' : afterSlashes.slice(pathStart).replace(/[?#].*$/, '');
  if (authority.includes('@')) throw new K8sAuditOpenError(`open_params '${params}': user information is not supported in the webhook URL`);
  const hostPort = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d+)$/.exec(authority);
  if (!hostPort) {
    throw new K8sAuditOpenError(`open_params '${params}': the webhook URL needs a port (${tls ? 'https' : 'http'}://:9765/k8s-audit listens on every address)`);
  }
  const port = Number(hostPort[3]);
  if (port > 65535) throw new K8sAuditOpenError(`open_params '${params}': invalid port ${hostPort[3]}`);
  if (pathPart === '') {
    throw new K8sAuditOpenError(`open_params '${params}': the webhook URL needs an endpoint path (${tls ? 'https' : 'http'}://:${port}/k8s-audit)`);
  }
  let endpoint: string;
  try {
    endpoint = decodeURIComponent(pathPart);
  } catch {
    throw new K8sAuditOpenError(`open_params '${params}': invalid %-escape in the path`);
  }
  return { kind: 'webhook', host: hostPort[1] ?? hostPort[2] ?? '', port, path: endpoint, tls };
}
