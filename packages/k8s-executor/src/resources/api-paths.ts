// Resource paths of the three API groups Rollgate touches. Names and namespaces are validated
// DNS labels/subdomains, but they are still URI-encoded so a bad option can never change the path.
const seg = (value: string): string => encodeURIComponent(value);

/** `/apis/apps/v1/namespaces/{ns}/deployments[/{name}]`. */
export function deploymentPath(namespace: string, name?: string): string {
  const base = `/apis/apps/v1/namespaces/${seg(namespace)}/deployments`;
  return name === undefined ? base : `${base}/${seg(name)}`;
}

/** `/apis/apps/v1/namespaces/{ns}/replicasets`. */
export function replicaSetsPath(namespace: string): string {
  return `/apis/apps/v1/namespaces/${seg(namespace)}/replicasets`;
}

/** `/api/v1/namespaces/{ns}/pods`. */
export function podsPath(namespace: string): string {
  return `/api/v1/namespaces/${seg(namespace)}/pods`;
}

/** `/apis/coordination.k8s.io/v1/namespaces/{ns}/leases[/{name}]`. */
export function leasePath(namespace: string, name?: string): string {
  const base = `/apis/coordination.k8s.io/v1/namespaces/${seg(namespace)}/leases`;
  return name === undefined ? base : `${base}/${seg(name)}`;
}
