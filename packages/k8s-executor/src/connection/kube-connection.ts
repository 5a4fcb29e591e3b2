import type { RequestOptions } from 'node:https';
import { RollgateError } from '@rollgate/core';
import { createSecretRedactor } from '@rollgate/core/node';
import type { Agent, Dispatcher } from 'undici';
import type { KubeConnectionOptionsInput } from '../options/kubernetes-executor-options-schema';
import type { KubeConfigLike } from './kube-config-like';

/**
 * How to reach the API server. At most one of `kubeconfig`, `inCluster` and `server` (or a shared
 * `connection`). `@kubernetes/client-node`'s `KubeConfig` loads the config and produces the
 * credentials (exec plugins, token files re-read every 60 s, OIDC); requests go through undici.
 * The string forms a configuration file holds are `KubeConnectionOptionsSchema`'s fields (their
 * doc comments there); this adds a loaded `KubeConfig`, the in-cluster path prefix, and the
 * runtime-only dispatcher or shared connection.
 */
export interface KubeConnectionOptions extends Omit<KubeConnectionOptionsInput, 'kubeconfig' | 'inCluster'> {
  /** A kubeconfig file path, or a `KubeConfig` you loaded yourself (e.g. `loadFromDefault()`). */
  readonly kubeconfig?: string | KubeConfigLike;
  /**
   * The pod's service account (`KubeConfig.loadFromCluster()`): token and CA under
   * `/var/run/secrets/kubernetes.io/serviceaccount`, host from `KUBERNETES_SERVICE_HOST/PORT`.
   * `pathPrefix` roots that path elsewhere (tests, chroots).
   */
  readonly inCluster?: boolean | { readonly pathPrefix?: string };
  /**
   * An undici Dispatcher to send requests with. When given, its TLS settings apply (the
   * kubeconfig's CA and client certificate are not added) and the caller closes it.
   */
  readonly dispatcher?: Dispatcher;
  /** A connection shared with other adapters (see {@link createKubeConnection}); not closed by them. */
  readonly connection?: KubeConnection;
}

/** Credentials and transport for one request. */
export interface PreparedRequest {
  /** The API server URL without a trailing slash (may carry a path prefix, e.g. a proxy). */
  readonly baseUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly dispatcher: Dispatcher;
}

/** Why a connection could not prepare a request. */
export interface PrepareFailure {
  /** `config`: the options or kubeconfig are wrong; `auth`: producing credentials failed. */
  readonly kind: 'config' | 'auth';
  readonly message: string;
}

/**
 * A loaded cluster connection that several adapters (executor, pod health source, elector) may
 * share. Loading is lazy: the `KubeConfig` library is imported on the first request.
 */
export interface KubeConnection {
  /** Where requests go, for messages: the option used, never a credential. */
  readonly description: string;
  /** Produces fresh credentials (tokens rotate) and the dispatcher for one request. */
  prepare(): Promise<{ ok: true; value: PreparedRequest } | { ok: false; failure: PrepareFailure }>;
  /** Removes every credential this connection has sent from `text`. */
  redact(text: string): string;
  /** Closes the undici Agent the connection created (not an injected dispatcher); idempotent. */
  close(): Promise<void>;
}

interface Loaded {
  readonly kc: KubeConfigLike;
  readonly baseUrl: string;
}

type Choice =
  | { readonly kind: 'kubeconfig'; readonly value: string | KubeConfigLike }
  | { readonly kind: 'in-cluster'; readonly pathPrefix: string }
  | { readonly kind: 'server'; readonly url: string }
  | { readonly kind: 'default' };

function configError(message: string, component: string): RollgateError {
  return new RollgateError('CONFIG_INVALID', message, { component });
}

/** Options of {@link createKubeConnection} besides the connection itself. */
export interface CreateKubeConnectionSettings {
  /** `RollgateError.component` for option errors. */
  readonly component: string;
  /**
   * Whether no connection option means `KubeConfig.loadFromDefault()` ($KUBECONFIG, then
   * ~/.kube/config, then in-cluster). Metric sources pass false: they read no environment.
   */
  readonly allowDefault: boolean;
}

function chooseSource(options: KubeConnectionOptions, settings: CreateKubeConnectionSettings): Choice {
  const { component } = settings;
  const chosen = [
    options.kubeconfig !== undefined ? 'kubeconfig' : undefined,
    options.inCluster !== undefined && options.inCluster !== false ? 'inCluster' : undefined,
    options.server !== undefined ? 'server' : undefined,
  ].filter((v): v is string => v !== undefined);
  if (chosen.length > 1) {
    throw configError(
      `Options ${chosen.join(' and ')} are mutually exclusive: pass only one way to reach the cluster.`,
      component,
    );
  }
  if (options.server === undefined) {
    for (const key of ['token', 'certificateAuthority', 'insecureSkipTlsVerify'] as const) {
      if (options[key] !== undefined) {
        throw configError(
          `Option ${key} only applies with option server; set server or drop ${key}.`,
          component,
        );
      }
    }
  }
  if (options.context !== undefined && (options.inCluster || options.server !== undefined)) {
    throw configError('Option context selects a kubeconfig context; use it with kubeconfig only.', component);
  }
  if (options.kubeconfig !== undefined) {
    if (typeof options.kubeconfig === 'string' && options.kubeconfig.trim() === '') {
      throw configError(
        'Option kubeconfig is empty: pass a kubeconfig file path or a KubeConfig.',
        component,
      );
    }
    return { kind: 'kubeconfig', value: options.kubeconfig };
  }
  if (options.inCluster !== undefined && options.inCluster !== false) {
    const pathPrefix = options.inCluster === true ? '' : (options.inCluster.pathPrefix ?? '');
    return { kind: 'in-cluster', pathPrefix };
  }
  if (options.server !== undefined) {
    let url: URL;
    try {
      url = new URL(options.server);
    } catch {
      throw configError('Option server is not a URL: use https://<host>:<port>.', component);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw configError('Option server must use https:// (or http:// for a local proxy).', component);
    }
    if (url.username !== '' || url.password !== '') {
      throw configError('Option server must not carry credentials in the URL: pass option token.', component);
    }
    return { kind: 'server', url: url.toString().replace(/\/+$/, '') };
  }
  if (!settings.allowDefault) {
    throw configError(
      'No cluster connection: pass kubeconfig (a path or a loaded KubeConfig), inCluster: true, server with ' +
        'token, or a shared connection.',
      component,
    );
  }
  return { kind: 'default' };
}

function describeChoice(choice: Choice, context: string | undefined): string {
  const ctx = context === undefined ? '' : ` (context ${context})`;
  switch (choice.kind) {
    case 'kubeconfig':
      return typeof choice.value === 'string'
        ? `kubeconfig ${choice.value}${ctx}`
        : `the given KubeConfig${ctx}`;
    case 'in-cluster':
      return 'the in-cluster service account';
    case 'server':
      return `server ${choice.url}`;
    default:
      return `the default kubeconfig${ctx}`;
  }
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.join(', ');
  return undefined;
}

// A library error message can quote the file it failed on (a YAML snippet with a token in it),
// so only its class and code reach our messages.
function safeReason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name} ${code}` : error.name;
  }
  return 'unknown error';
}

/**
 * Creates a connection from options (validated now; the kubeconfig is loaded on first use).
 * Pass it as `connection` to several adapters so they share one Agent and one credential cache.
 *
 * @throws RollgateError `CONFIG_INVALID` naming the bad option.
 */
export function createKubeConnection(
  options: KubeConnectionOptions,
  settings: CreateKubeConnectionSettings = { component: 'k8s-connection', allowDefault: true },
): KubeConnection {
  if (options.connection !== undefined) {
    const extra = (['kubeconfig', 'context', 'inCluster', 'server', 'token', 'dispatcher'] as const).filter(
      (key) => options[key] !== undefined,
    );
    if (extra.length > 0) {
      throw configError(
        `Option connection already says how to reach the cluster; drop ${extra.join(', ')}.`,
        settings.component,
      );
    }
    return options.connection;
  }
  const choice = chooseSource(options, settings);
  const redactor = credentialRedactor();
  redactor.add(options.token);
  let loading: Promise<{ ok: true; value: Loaded } | { ok: false; failure: PrepareFailure }> | undefined;
  let agent: Agent | undefined;
  let closed = false;

  async function load(): Promise<{ ok: true; value: Loaded } | { ok: false; failure: PrepareFailure }> {
    let kc: KubeConfigLike;
    try {
      if (choice.kind === 'kubeconfig' && typeof choice.value !== 'string') {
        kc = choice.value;
      } else {
        const { KubeConfig: KubeConfigClass } = await import('@kubernetes/client-node');
        const fresh = new KubeConfigClass();
        kc = fresh;
        if (choice.kind === 'kubeconfig' && typeof choice.value === 'string')
          fresh.loadFromFile(choice.value);
        else if (choice.kind === 'in-cluster') fresh.loadFromCluster(choice.pathPrefix);
        else if (choice.kind === 'server') {
          const cluster: { name: string; server: string; skipTLSVerify: boolean; caData?: string } = {
            name: 'rollgate',
            server: choice.url,
            // Over plain http there is no TLS to verify; the library insists on the flag.
            skipTLSVerify: options.insecureSkipTlsVerify === true || choice.url.startsWith('http:'),
          };
          if (options.certificateAuthority !== undefined) {
            cluster.caData = Buffer.from(options.certificateAuthority).toString('base64');
          }
          const user: { name: string; token?: string } = { name: 'rollgate' };
          if (options.token !== undefined) user.token = options.token;
          fresh.loadFromClusterAndUser(cluster, user);
        } else fresh.loadFromDefault();
      }
    } catch (error) {
      return {
        ok: false,
        failure: {
          kind: 'config',
          message: `Could not load ${describeChoice(choice, options.context)} (${safeReason(error)}): check the option and the file.`,
        },
      };
    }
    if (options.context !== undefined) {
      if (!kc.getContextObject(options.context)) {
        return {
          ok: false,
          failure: {
            kind: 'config',
            message: `Option context: the kubeconfig has no context named ${JSON.stringify(options.context)}.`,
          },
        };
      }
      kc.setCurrentContext(options.context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) {
      return {
        ok: false,
        failure: {
          kind: 'config',
          message: `${describeChoice(choice, options.context)} has no current cluster: set current-context or option context.`,
        },
      };
    }
    let url: URL;
    try {
      url = new URL(cluster.server);
      if (url.hostname === 'undefined' || url.port === 'undefined') throw new Error('unset host');
    } catch {
      const hint =
        choice.kind === 'in-cluster'
          ? ' In-cluster config needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (is this a pod?).'
          : '';
      return {
        ok: false,
        failure: {
          kind: 'config',
          message: `The cluster server of ${describeChoice(choice, options.context)} is not a URL.${hint}`,
        },
      };
    }
    if (url.protocol === 'http:' && !cluster.skipTLSVerify) {
      return {
        ok: false,
        failure: {
          kind: 'config',
          message:
            `The cluster server ${url.origin} uses plain http: set insecure-skip-tls-verify: true on that cluster ` +
            '(the kubeconfig library requires it for http) or use https.',
        },
      };
    }
    return { ok: true, value: { kc, baseUrl: cluster.server.replace(/\/+$/, '') } };
  }

  return {
    description: describeChoice(choice, options.context),
    async prepare() {
      if (closed)
        return { ok: false, failure: { kind: 'config', message: 'The Kubernetes connection was closed.' } };
      loading ??= load();
      const loaded = await loading;
      if (!loaded.ok) return loaded;
      const httpsOptions: RequestOptions = {};
      try {
        await loaded.value.kc.applyToHTTPSOptions(httpsOptions);
      } catch (error) {
        return {
          ok: false,
          failure: {
            kind: 'auth',
            message:
              `Could not produce credentials from ${describeChoice(choice, options.context)} (${safeReason(error)}): ` +
              'check the exec plugin, token file or client certificate it names.',
          },
        };
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(httpsOptions.headers ?? {})) {
        const text = headerValue(value);
        if (text === undefined) continue;
        headers[name] = text;
        if (name.toLowerCase() === 'authorization') {
          redactor.add(text);
          redactor.add(text.replace(/^\S+\s+/, ''));
        }
      }
      if (typeof httpsOptions.auth === 'string') {
        redactor.add(httpsOptions.auth);
        const basic = Buffer.from(httpsOptions.auth).toString('base64');
        redactor.add(basic);
        headers.Authorization = `Basic ${basic}`;
      }
      let dispatcher = options.dispatcher;
      if (dispatcher === undefined) {
        if (agent === undefined) {
          const connect: Record<string, unknown> = {};
          if (httpsOptions.ca !== undefined) connect.ca = httpsOptions.ca;
          if (httpsOptions.cert !== undefined) connect.cert = httpsOptions.cert;
          if (httpsOptions.key !== undefined) connect.key = httpsOptions.key;
          if (httpsOptions.rejectUnauthorized !== undefined)
            connect.rejectUnauthorized = httpsOptions.rejectUnauthorized;
          if (httpsOptions.servername !== undefined) connect.servername = httpsOptions.servername;
          // undici is loaded with the first request, so importing this package stays cheap.
          const undici = await import('undici');
          if (closed)
            return {
              ok: false,
              failure: { kind: 'config', message: 'The Kubernetes connection was closed.' },
            };
          // Another request may have created the agent while undici loaded.
          agent ??= new undici.Agent({ connect });
        }
        dispatcher = agent;
      }
      return { ok: true, value: { baseUrl: loaded.value.baseUrl, headers, dispatcher } };
    },
    redact: (text) => redactor.redact(text),
    async close() {
      closed = true;
      const owned = agent;
      agent = undefined;
      if (owned) await owned.close();
    },
  };
}

/** Bearer and basic credentials in an echoed `Authorization` header, whatever their value. */
const AUTH_HEADER = /((?:Bearer|Basic)\s+)[A-Za-z0-9\-._~+/=]+/g;

/**
 * The credentials a connection sends (bearer tokens, basic-auth pairs), learnt as the
 * kubeconfig is loaded, redacted through core's redactor from any text that could reach an
 * error message, so a server or library that echoes a header back cannot leak it.
 */
function credentialRedactor(): { add(secret: string | undefined): void; redact(text: string): string } {
  const secrets = new Set<string>();
  let redact = createSecretRedactor(secrets, { everywhere: true, patterns: [AUTH_HEADER] });
  return {
    add(secret) {
      if (secret === undefined || secrets.has(secret)) return;
      secrets.add(secret);
      redact = createSecretRedactor(secrets, { everywhere: true, patterns: [AUTH_HEADER] });
    },
    redact: (text) => redact(text),
  };
}
