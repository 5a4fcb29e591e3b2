import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from '../resources/json-value';
import { POD_TEMPLATE_HASH_LABEL } from '../resources/kube-objects';

// apimachinery's semantic DeepEqual treats nil and empty slices/maps as equal, and the API
// serialises absent pointers as null (e.g. `creationTimestamp: null` in a pod template). Dropping
// null, {} and [] before comparing reproduces that on the JSON form. Scalars compare exactly:
// both templates went through the same server serialisation.
function normalize(value: JsonValue): JsonValue | undefined {
  if (value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => normalize(v) ?? null);
    return items.length === 0 ? undefined : items;
  }
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort()) {
      const v = value[key];
      if (v === undefined) continue;
      const n = normalize(v);
      if (n !== undefined) out[key] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/** A copy of a pod template without the `pod-template-hash` label (what a Deployment holds). */
export function withoutHashLabel(template: JsonObject): JsonObject {
  const copy = cloneJson(template);
  const metadata = copy.metadata;
  if (isJsonObject(metadata) && isJsonObject(metadata.labels))
    delete metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return copy;
}

/**
 * kubectl's `equalIgnoreHash`: two pod templates are the same when they are semantically equal
 * once the `pod-template-hash` label is removed from both.
 */
export function equalIgnoreHash(a: JsonObject, b: JsonObject): boolean {
  return (
    JSON.stringify(normalize(withoutHashLabel(a)) ?? null) ===
    JSON.stringify(normalize(withoutHashLabel(b)) ?? null)
  );
}
