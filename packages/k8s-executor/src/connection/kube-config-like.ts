import type { RequestOptions } from 'node:https';

/**
 * The part of `@kubernetes/client-node`'s `KubeConfig` a connection uses: a `KubeConfig` you
 * loaded yourself fits it as is. Declared here, not imported, so this package's type
 * declarations do not pull in the Kubernetes client's (which need `@types/ws` and more); the
 * client itself is only loaded at run time, on a connection's first request.
 */
export interface KubeConfigLike {
  getContextObject(name: string): object | null;
  setCurrentContext(context: string): void;
  getCurrentCluster(): { readonly server: string; readonly skipTLSVerify: boolean } | null;
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}
