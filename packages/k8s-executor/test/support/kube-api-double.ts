import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isMicroTime } from '../../src/election/micro-time';
import { isJsonObject, type JsonObject, type JsonValue, stringMap } from '../../src/resources/json-value';
import { DeploymentController } from './deployment-controller';
import { applyJsonPatch, JsonPatchError } from './json-patch';
import { matches, parseSelector } from './label-match';
import { ObjectStore, type ResourceKind } from './object-store';

const RBAC_NAME: Record<ResourceKind, string> = {
  deployments: 'deployments.apps',
  replicasets: 'replicasets.apps',
  pods: 'pods',
  leases: 'leases.coordination.k8s.io',
};
const GROUP: Record<ResourceKind, string> = {
  deployments: 'apps',
  replicasets: 'apps',
  pods: '',
  leases: 'coordination.k8s.io',
};
const KIND: Record<ResourceKind, string> = {
  deployments: 'Deployment',
  replicasets: 'ReplicaSet',
  pods: 'Pod',
  leases: 'Lease',
};
const API_VERSION: Record<ResourceKind, string> = {
  deployments: 'apps/v1',
  replicasets: 'apps/v1',
  pods: 'v1',
  leases: 'coordination.k8s.io/v1',
};

const ROUTES: Array<{ pattern: RegExp; kind: ResourceKind }> = [
  { pattern: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments(?:\/([^/]+))?$/, kind: 'deployments' },
  { pattern: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets(?:\/([^/]+))?$/, kind: 'replicasets' },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/, kind: 'pods' },
  {
    pattern: /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/,
    kind: 'leases',
  },
];

/** One request the double served, for assertions. */
export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly verb: string;
  readonly kind: ResourceKind | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly token: string | undefined;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
  status: number;
  readonly at: number;
}

/** Which requests a fault or a deny rule applies to. */
export interface RequestMatch {
  readonly method?: string;
  readonly verb?: string;
  readonly kind?: ResourceKind;
  readonly name?: string;
  readonly token?: string;
}

/** What an injected fault does. */
export type FaultAction =
  /** Answer with this status; `json` (a Status, say) or raw `text` body; extra headers. */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly json?: JsonValue;
      readonly text?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Accept the request and never answer. */
  | { readonly kind: 'hang' }
  /** Another writer updates the object first (its resourceVersion moves), then the request runs. */
  | { readonly kind: 'concurrent-write' }
  /** A watch answers 200 with a single ERROR event: 410 Expired. */
  | { readonly kind: 'expire-watch' }
  /** Wait, then handle normally. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Hold matching requests until `parties` of them have arrived, then handle them all (a race made certain). */
  | { readonly kind: 'barrier'; readonly parties: number };

/** A fault that fires for the next `times` matching requests. */
export interface Fault {
  readonly match: RequestMatch;
  readonly action: FaultAction;
  times: number;
  /** Requests held by a barrier. */
  readonly waiting: Array<() => void>;
}

/** Options of {@link KubeApiDouble.start}. */
export interface KubeApiDoubleOptions {
  /** Bearer tokens the double accepts. Default one random token. */
  readonly tokens?: readonly string[];
  /** Deployment controller tick. Default 10 ms. */
  readonly tickMs?: number;
  /** Serve TLS with this PEM key and certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/** A Kubernetes `Status` failure body. */
export function statusBody(code: number, reason: string, message: string, details?: JsonObject): JsonObject {
  const body: JsonObject = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) body.details = details;
  return body;
}

function matchesRequest(m: RequestMatch, r: RequestRecord): boolean {
  return (
    (m.method === undefined || m.method === r.method) &&
    (m.verb === undefined || m.verb === r.verb) &&
    (m.kind === undefined || m.kind === r.kind) &&
    (m.name === undefined || m.name === r.name) &&
    (m.token === undefined || m.token === r.token)
  );
}

function meta(o: JsonObject): JsonObject {
  if (!isJsonObject(o.metadata)) o.metadata = {};
  return o.metadata as JsonObject;
}

function verbOf(method: string, name: string | undefined, watch: boolean): string {
  if (method === 'GET') return watch ? 'watch' : name === undefined ? 'list' : 'get';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return 'delete';
  return method.toLowerCase();
}

/**
 * A protocol-faithful Kubernetes API server double on loopback (docs/adapters/kubernetes.md, "Testing"):
 * Deployments, ReplicaSets, Pods and Leases in memory with resourceVersion bumps and 409 on a
 * stale resourceVersion, RFC 6902 JSON patch (`application/json-patch+json`), Status error
 * bodies, bearer-token auth (401), an RBAC deny list (403), watch streams (newline-delimited
 * `{type, object}`, 410 once history is compacted), fault injection (429 with Retry-After,
 * 5xx, hangs, concurrent writers) and a simulated deployment controller.
 */
export class KubeApiDouble {
  readonly store = new ObjectStore();
  readonly controller: DeploymentController;
  readonly tokens: Set<string>;
  readonly requests: RequestRecord[] = [];
  readonly faults: Fault[] = [];
  /** RBAC deny list: matching requests get 403 Forbidden. */
  readonly deny: RequestMatch[] = [];
  readonly #server: Server;
  readonly #open = new Set<ServerResponse>();
  readonly #watches = new Set<ServerResponse>();
  /** How many watches were answered with 410 Expired. */
  watchExpirations = 0;
  readonly #cleanups = new Set<() => void>();
  #url = '';

  private constructor(options: KubeApiDoubleOptions) {
    this.tokens = new Set(options.tokens ?? [`double-token-${Math.random().toString(36).slice(2)}`]);
    this.controller = new DeploymentController(this.store, options.tickMs ?? 10);
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.#open.add(res);
      res.on('close', () => this.#open.delete(res));
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          this.#send(res, undefined, 500, statusBody(500, 'InternalError', String(error)));
      });
    };
    this.#server = options.tls
      ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
      : createServer(handler);
  }

  /** Starts a double on 127.0.0.1 with a free port. */
  static async start(options: KubeApiDoubleOptions = {}): Promise<KubeApiDouble> {
    const double = new KubeApiDouble(options);
    await new Promise<void>((resolve) => double.#server.listen(0, '127.0.0.1', resolve));
    const { port } = double.#server.address() as AddressInfo;
    double.#url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return double;
  }

  get url(): string {
    return this.#url;
  }

  /** The first accepted token. */
  get token(): string {
    return [...this.tokens][0] as string;
  }

  /** Adds a fault for the next `times` matching requests. */
  inject(match: RequestMatch, action: FaultAction, times = 1): Fault {
    const fault: Fault = { match, action, times, waiting: [] };
    this.faults.push(fault);
    return fault;
  }

  /** Requests matching `m`. */
  requestsMatching(m: RequestMatch): RequestRecord[] {
    return this.requests.filter((r) => matchesRequest(m, r));
  }

  // ---- direct object access for test setup (what kubectl apply / the cluster would do) ----

  get(kind: ResourceKind, namespace: string, name: string): JsonObject | undefined {
    return this.store.get(kind, namespace, name);
  }

  list(kind: ResourceKind, namespace: string): JsonObject[] {
    return this.store.list(kind, namespace);
  }

  /**
   * Creates or replaces an object like `kubectl apply`: a Deployment whose spec changed gets
   * generation + 1 (and the controller reacts); status is kept from the stored object.
   */
  apply(kind: ResourceKind, object: JsonObject): JsonObject {
    const m = meta(object);
    const current = this.store.get(kind, String(m.namespace), String(m.name));
    const next = JSON.parse(JSON.stringify(object)) as JsonObject;
    next.apiVersion = API_VERSION[kind];
    next.kind = KIND[kind];
    if (kind === 'deployments') {
      const nm = meta(next);
      const generation = current ? Number(meta(current).generation ?? 1) : 0;
      const specChanged = !current || JSON.stringify(current.spec) !== JSON.stringify(next.spec);
      nm.generation = specChanged ? generation + 1 : generation;
      if (current) {
        nm.uid = meta(current).uid ?? null;
        nm.creationTimestamp = meta(current).creationTimestamp ?? null;
        if (next.status === undefined && current.status !== undefined) next.status = current.status;
      }
    }
    return this.store.write(kind, next);
  }

  /** Writes an object exactly as given (status included), bumping its resourceVersion. */
  put(kind: ResourceKind, object: JsonObject): JsonObject {
    return this.store.write(kind, { ...object, apiVersion: API_VERSION[kind], kind: KIND[kind] });
  }

  /** Ends every open watch stream (an API server restart); clients re-watch from their resourceVersion. */
  dropWatches(): void {
    for (const res of this.#watches) res.end();
  }

  remove(kind: ResourceKind, namespace: string, name: string): void {
    this.store.remove(kind, namespace, name);
  }

  async close(): Promise<void> {
    this.controller.close();
    for (const cleanup of this.#cleanups) cleanup();
    for (const res of this.#open) res.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
  }

  // ---- HTTP ----

  #send(
    res: ServerResponse,
    record: RequestRecord | undefined,
    status: number,
    body: JsonValue | string,
    headers: Readonly<Record<string, string>> = {},
  ): void {
    if (record) record.status = status;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      ...headers,
    });
    res.end(text);
  }

  #notFound(res: ServerResponse, record: RequestRecord, kind: ResourceKind, name: string): void {
    this.#send(
      res,
      record,
      404,
      statusBody(404, 'NotFound', `${RBAC_NAME[kind]} "${name}" not found`, {
        name,
        group: GROUP[kind],
        kind: kind,
      }),
    );
  }

  async #readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams.entries());
    const watch = query.watch === '1' || query.watch === 'true';
    const route = ROUTES.map((r) => ({ kind: r.kind, m: r.pattern.exec(url.pathname) })).find((r) => r.m);
    const namespace = route?.m?.[1] === undefined ? undefined : decodeURIComponent(route.m[1]);
    const name = route?.m?.[2] === undefined ? undefined : decodeURIComponent(route.m[2]);
    const text = await this.#readBody(req);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    const authorization = req.headers.authorization;
    const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
    const record: RequestRecord = {
      method,
      path: url.pathname,
      query,
      verb: verbOf(method, name, watch),
      kind: route?.kind,
      namespace,
      name,
      token,
      authorization,
      contentType: req.headers['content-type'],
      body,
      status: 0,
      at: Date.now(),
    };
    this.requests.push(record);

    if (token === undefined || !this.tokens.has(token)) {
      this.#send(res, record, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const fault = this.faults.find((f) => f.times > 0 && matchesRequest(f.match, record));
    let expireWatch = false;
    if (fault) {
      fault.times--;
      const action = fault.action;
      if (action.kind === 'status') {
        this.#send(res, record, action.status, action.json ?? action.text ?? '', action.headers);
        return;
      }
      if (action.kind === 'hang') return;
      if (action.kind === 'delay') await new Promise((r) => setTimeout(r, action.ms));
      if (action.kind === 'barrier') {
        await new Promise<void>((resolve) => {
          fault.waiting.push(resolve);
          if (fault.waiting.length >= action.parties)
            for (const release of fault.waiting.splice(0)) release();
        });
      }
      if (action.kind === 'expire-watch') expireWatch = true;
      if (action.kind === 'concurrent-write' && route && namespace && name) {
        const current = this.store.get(route.kind, namespace, name);
        if (current) {
          meta(current).annotations = {
            ...stringMap(meta(current).annotations),
            'example.com/touched': String(Date.now()),
          };
          this.store.write(route.kind, current);
        }
      }
    }
    if (!route || namespace === undefined) {
      this.#send(
        res,
        record,
        404,
        statusBody(404, 'NotFound', 'the server could not find the requested resource'),
      );
      return;
    }
    const kind = route.kind;
    if (this.deny.some((d) => matchesRequest(d, record))) {
      const resource = kind;
      const group = GROUP[kind] === '' ? '""' : `"${GROUP[kind]}"`;
      const subject = name === undefined ? RBAC_NAME[kind] : `${RBAC_NAME[kind]} "${name}"`;
      this.#send(
        res,
        record,
        403,
        statusBody(
          403,
          'Forbidden',
          `${subject} is forbidden: User "system:serviceaccount:${namespace}:rollgate" cannot ${record.verb} resource ` +
            `"${resource}" in API group ${group} in the namespace "${namespace}"`,
          { name: name ?? '', group: GROUP[kind], kind: resource },
        ),
      );
      return;
    }

    if (method === 'GET' && watch) {
      this.#watch(res, record, kind, namespace, query, expireWatch);
      return;
    }
    if (method === 'GET' && name === undefined) {
      this.#list(res, record, kind, namespace, query);
      return;
    }
    if (method === 'GET' && name !== undefined) {
      const o = this.store.get(kind, namespace, name);
      if (!o) {
        this.#notFound(res, record, kind, name);
        return;
      }
      this.#send(res, record, 200, o);
      return;
    }
    if (method === 'PATCH' && name !== undefined && kind === 'deployments') {
      this.#patchDeployment(res, record, namespace, name, text);
      return;
    }
    if (method === 'PUT' && name !== undefined && (kind === 'leases' || kind === 'deployments')) {
      this.#update(res, record, kind, namespace, name, body);
      return;
    }
    if (method === 'POST' && name === undefined && kind === 'leases') {
      this.#createLease(res, record, namespace, body);
      return;
    }
    this.#send(
      res,
      record,
      405,
      statusBody(405, 'MethodNotAllowed', `${method} is not supported on ${RBAC_NAME[kind]} here`),
    );
  }

  #filter(
    namespace: string,
    query: Readonly<Record<string, string>>,
  ): ((o: JsonObject) => boolean) | { error: string } {
    let requirements: ReturnType<typeof parseSelector> = [];
    try {
      requirements = parseSelector(query.labelSelector ?? '');
    } catch (error) {
      return { error: (error as Error).message };
    }
    let nameIs: string | undefined;
    const field = query.fieldSelector;
    if (field !== undefined && field !== '') {
      const m = /^metadata\.name(?:=|==)(.+)$/.exec(field);
      if (!m) return { error: `field label not supported: ${field}` };
      nameIs = m[1];
    }
    return (o) => {
      const m = meta(o);
      return (
        m.namespace === namespace &&
        (nameIs === undefined || m.name === nameIs) &&
        matches(requirements, stringMap(m.labels))
      );
    };
  }

  #list(
    res: ServerResponse,
    record: RequestRecord,
    kind: ResourceKind,
    namespace: string,
    query: Readonly<Record<string, string>>,
  ): void {
    const filter = this.#filter(namespace, query);
    if (typeof filter !== 'function') {
      this.#send(
        res,
        record,
        400,
        statusBody(400, 'BadRequest', `unable to parse requirement: ${filter.error}`),
      );
      return;
    }
    this.#send(res, record, 200, {
      kind: `${KIND[kind]}List`,
      apiVersion: API_VERSION[kind],
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items: this.store.list(kind, namespace).filter(filter),
    });
  }

  #watch(
    res: ServerResponse,
    record: RequestRecord,
    kind: ResourceKind,
    namespace: string,
    query: Readonly<Record<string, string>>,
    expire: boolean,
  ): void {
    const filter = this.#filter(namespace, query);
    if (typeof filter !== 'function') {
      this.#send(
        res,
        record,
        400,
        statusBody(400, 'BadRequest', `unable to parse requirement: ${filter.error}`),
      );
      return;
    }
    record.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const write = (type: string, object: JsonObject): void => {
      res.write(`${JSON.stringify({ type, object })}\n`);
    };
    const rvParam = query.resourceVersion;
    const expired = (from: string): void => {
      this.watchExpirations++;
      write(
        'ERROR',
        statusBody(410, 'Expired', `too old resource version: ${from} (${this.store.resourceVersion})`),
      );
      res.end();
    };
    if (expire) {
      expired(rvParam ?? '0');
      return;
    }
    if (rvParam !== undefined && rvParam !== '' && rvParam !== '0') {
      const events = this.store.eventsSince(Number(rvParam));
      if (events === undefined) {
        expired(rvParam);
        return;
      }
      for (const e of events) if (e.kind === kind && filter(e.object)) write(e.type, e.object);
    } else {
      for (const o of this.store.list(kind, namespace).filter(filter)) write('ADDED', o);
    }
    if (query.allowWatchBookmarks === 'true') {
      write('BOOKMARK', {
        kind: KIND[kind],
        apiVersion: API_VERSION[kind],
        metadata: { resourceVersion: String(this.store.resourceVersion) },
      });
    }
    const unsubscribe = this.store.subscribe((e) => {
      if (e.kind === kind && filter(e.object)) write(e.type, e.object);
    });
    const seconds = Number(query.timeoutSeconds ?? '0');
    const timer = seconds > 0 ? setTimeout(() => res.end(), seconds * 1000) : undefined;
    this.#watches.add(res);
    const cleanup = (): void => {
      this.#watches.delete(res);
      unsubscribe();
      if (timer) clearTimeout(timer);
      this.#cleanups.delete(cleanup);
    };
    this.#cleanups.add(cleanup);
    res.on('close', cleanup);
  }

  #conflict(res: ServerResponse, record: RequestRecord, kind: ResourceKind, name: string): void {
    this.#send(
      res,
      record,
      409,
      statusBody(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${RBAC_NAME[kind]} "${name}": the object has been modified; please apply ` +
          'your changes to the latest version and try again',
        { name, group: GROUP[kind], kind },
      ),
    );
  }

  #invalid(
    res: ServerResponse,
    record: RequestRecord,
    kind: ResourceKind,
    name: string,
    causes: string,
  ): void {
    this.#send(
      res,
      record,
      422,
      statusBody(422, 'Invalid', `${KIND[kind]}.${GROUP[kind] || 'core'} "${name}" is invalid: ${causes}`, {
        name,
        group: GROUP[kind],
        kind: KIND[kind],
      }),
    );
  }

  // The API server's validation of a Deployment, the parts a rollback can break.
  #validateDeployment(d: JsonObject): string | undefined {
    const spec = isJsonObject(d.spec) ? d.spec : {};
    const template = isJsonObject(spec.template) ? spec.template : undefined;
    if (!template) return 'spec.template: Required value';
    const podSpec = isJsonObject(template.spec) ? template.spec : {};
    if (!Array.isArray(podSpec.containers) || podSpec.containers.length === 0) {
      return 'spec.template.spec.containers: Required value';
    }
    const selector = isJsonObject(spec.selector) ? spec.selector : {};
    const labels = stringMap(isJsonObject(template.metadata) ? template.metadata.labels : undefined);
    const wanted = stringMap(selector.matchLabels);
    for (const [k, v] of Object.entries(wanted)) {
      if (labels[k] !== v) {
        return `spec.template.metadata.labels: Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``;
      }
    }
    const annotations = isJsonObject(d.metadata) ? d.metadata.annotations : undefined;
    if (annotations !== undefined && annotations !== null && !isJsonObject(annotations)) {
      return 'metadata.annotations: Invalid value: must be a map of strings';
    }
    if (isJsonObject(annotations) && Object.values(annotations).some((v) => typeof v !== 'string')) {
      return 'metadata.annotations: Invalid value: must be a map of strings';
    }
    return undefined;
  }

  #saveDeployment(current: JsonObject, next: JsonObject): JsonObject {
    const cm = meta(current);
    const nm = meta(next);
    for (const key of ['name', 'namespace', 'uid', 'creationTimestamp', 'generation'] as const)
      nm[key] = cm[key] ?? null;
    next.status = current.status ?? {};
    if (JSON.stringify(current.spec) !== JSON.stringify(next.spec))
      nm.generation = Number(cm.generation ?? 1) + 1;
    return this.store.write('deployments', next);
  }

  #patchDeployment(
    res: ServerResponse,
    record: RequestRecord,
    namespace: string,
    name: string,
    text: string,
  ): void {
    const type = (record.contentType ?? '').split(';')[0]?.trim();
    if (type !== 'application/json-patch+json') {
      this.#send(
        res,
        record,
        415,
        statusBody(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json`,
        ),
      );
      return;
    }
    const current = this.store.get('deployments', namespace, name);
    if (!current) {
      this.#notFound(res, record, 'deployments', name);
      return;
    }
    let ops: unknown;
    try {
      ops = JSON.parse(text);
    } catch (error) {
      this.#send(
        res,
        record,
        400,
        statusBody(400, 'BadRequest', `invalid JSON patch: ${(error as Error).message}`),
      );
      return;
    }
    let patched: JsonValue;
    try {
      patched = applyJsonPatch(current, ops);
    } catch (error) {
      if (error instanceof JsonPatchError) {
        this.#send(res, record, 422, statusBody(422, 'Invalid', error.message));
        return;
      }
      throw error;
    }
    if (!isJsonObject(patched)) {
      this.#send(res, record, 422, statusBody(422, 'Invalid', 'the patched object is not an object'));
      return;
    }
    // An update whose resourceVersion differs from the stored one is stale: 409.
    if (meta(patched).resourceVersion !== meta(current).resourceVersion) {
      this.#conflict(res, record, 'deployments', name);
      return;
    }
    const invalid = this.#validateDeployment(patched);
    if (invalid) {
      this.#invalid(res, record, 'deployments', name, invalid);
      return;
    }
    this.#send(res, record, 200, this.#saveDeployment(current, patched));
  }

  #update(
    res: ServerResponse,
    record: RequestRecord,
    kind: 'leases' | 'deployments',
    namespace: string,
    name: string,
    body: unknown,
  ): void {
    if (!isJsonObject(body)) {
      this.#send(res, record, 400, statusBody(400, 'BadRequest', 'the request body is not a JSON object'));
      return;
    }
    const current = this.store.get(kind, namespace, name);
    if (!current) {
      this.#notFound(res, record, kind, name);
      return;
    }
    const rv = meta(body).resourceVersion;
    if (rv !== undefined && rv !== meta(current).resourceVersion) {
      this.#conflict(res, record, kind, name);
      return;
    }
    if (kind === 'leases') {
      const bad = this.#validateLease(body);
      if (bad) {
        this.#invalid(res, record, kind, name, bad);
        return;
      }
      const m = meta(body);
      const cm = meta(current);
      m.uid = cm.uid ?? null;
      m.creationTimestamp = cm.creationTimestamp ?? null;
      this.#send(
        res,
        record,
        200,
        this.store.write('leases', { ...body, apiVersion: API_VERSION.leases, kind: KIND.leases }),
      );
      return;
    }
    const invalid = this.#validateDeployment(body);
    if (invalid) {
      this.#invalid(res, record, kind, name, invalid);
      return;
    }
    this.#send(res, record, 200, this.#saveDeployment(current, body));
  }

  #validateLease(lease: JsonObject): string | undefined {
    const spec = isJsonObject(lease.spec) ? lease.spec : {};
    for (const field of ['acquireTime', 'renewTime'] as const) {
      const v = spec[field];
      if (v !== undefined && v !== null && (typeof v !== 'string' || !isMicroTime(v))) {
        return `spec.${field}: Invalid value: ${JSON.stringify(v)}: must be RFC 3339 with 6 fractional digits (MicroTime)`;
      }
    }
    const d = spec.leaseDurationSeconds;
    if (d !== undefined && (typeof d !== 'number' || !Number.isInteger(d) || d <= 0)) {
      return 'spec.leaseDurationSeconds: Invalid value: must be a positive integer';
    }
    return undefined;
  }

  #createLease(res: ServerResponse, record: RequestRecord, namespace: string, body: unknown): void {
    if (!isJsonObject(body) || !isJsonObject(body.metadata) || typeof body.metadata.name !== 'string') {
      this.#send(res, record, 400, statusBody(400, 'BadRequest', 'metadata.name is required'));
      return;
    }
    const name = body.metadata.name;
    if (this.store.get('leases', namespace, name)) {
      this.#send(
        res,
        record,
        409,
        statusBody(409, 'AlreadyExists', `leases.coordination.k8s.io "${name}" already exists`, {
          name,
          group: 'coordination.k8s.io',
          kind: 'leases',
        }),
      );
      return;
    }
    const bad = this.#validateLease(body);
    if (bad) {
      this.#invalid(res, record, 'leases', name, bad);
      return;
    }
    const m = meta(body);
    m.namespace = namespace;
    delete m.resourceVersion;
    delete m.uid;
    this.#send(
      res,
      record,
      201,
      this.store.write('leases', { ...body, apiVersion: API_VERSION.leases, kind: KIND.leases }),
    );
  }
}
