import { isJsonObject, type JsonValue } from '../../src/resources/json-value';

/** A patch that cannot apply; the API double answers it with 422 Invalid. */
export class JsonPatchError extends Error {}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new JsonPatchError(`JSON pointer ${JSON.stringify(pointer)} must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i] as JsonValue));
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k] as JsonValue, b[k] as JsonValue))
    );
  }
  return false;
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token))
    throw new JsonPatchError(`array index ${JSON.stringify(token)} is not a number`);
  const index = Number(token);
  if (index > length || (!allowEnd && index >= length))
    throw new JsonPatchError(`array index ${index} is out of bounds`);
  return index;
}

function get(doc: JsonValue, tokens: readonly string[]): JsonValue {
  let node: JsonValue = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, false)] as JsonValue;
    else if (isJsonObject(node) && Object.hasOwn(node, token)) node = node[token] as JsonValue;
    else throw new JsonPatchError(`path /${tokens.join('/')} does not exist`);
  }
  return node;
}

function parentOf(doc: JsonValue, tokens: readonly string[]): { parent: JsonValue; key: string } {
  if (tokens.length === 0) throw new JsonPatchError('the root cannot be the target of this operation');
  const parent = get(doc, tokens.slice(0, -1));
  return { parent, key: tokens[tokens.length - 1] as string };
}

function add(doc: JsonValue, tokens: readonly string[], value: JsonValue): JsonValue {
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true), 0, value);
  else if (isJsonObject(parent)) parent[key] = value;
  else throw new JsonPatchError(`cannot add to a scalar at /${tokens.join('/')}`);
  return doc;
}

function remove(doc: JsonValue, tokens: readonly string[]): JsonValue {
  const { parent, key } = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, false), 1);
  else if (isJsonObject(parent) && Object.hasOwn(parent, key)) delete parent[key];
  else throw new JsonPatchError(`path /${tokens.join('/')} does not exist`);
  return doc;
}

/**
 * RFC 6902 on a copy of `doc`: add, remove, replace (target must exist), move, copy, test.
 * Atomic: any failing operation throws and the input is untouched.
 */
export function applyJsonPatch(doc: JsonValue, patch: unknown): JsonValue {
  if (!Array.isArray(patch)) throw new JsonPatchError('a JSON patch must be an array of operations');
  let out: JsonValue = JSON.parse(JSON.stringify(doc)) as JsonValue;
  for (const raw of patch) {
    if (!isJsonObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new JsonPatchError('each operation needs string op and path');
    }
    const path = parsePointer(raw.path);
    const needValue = (): JsonValue => {
      if (!Object.hasOwn(raw, 'value')) throw new JsonPatchError(`operation ${raw.op} needs a value`);
      return JSON.parse(JSON.stringify(raw.value)) as JsonValue;
    };
    const from = (): string[] => {
      if (typeof raw.from !== 'string') throw new JsonPatchError(`operation ${raw.op} needs from`);
      return parsePointer(raw.from);
    };
    switch (raw.op) {
      case 'add':
        out = add(out, path, needValue());
        break;
      case 'remove':
        out = remove(out, path);
        break;
      case 'replace': {
        const value = needValue();
        get(out, path);
        out = path.length === 0 ? value : add(remove(out, path), path, value);
        break;
      }
      case 'move': {
        const source = from();
        if (path.length > source.length && source.every((t, i) => path[i] === t)) {
          throw new JsonPatchError('cannot move a value into one of its children');
        }
        const value = get(out, source);
        out = add(remove(out, source), path, value);
        break;
      }
      case 'copy':
        out = add(out, path, JSON.parse(JSON.stringify(get(out, from()))) as JsonValue);
        break;
      case 'test':
        if (!deepEqual(get(out, path), needValue()))
          throw new JsonPatchError(`test operation for path ${raw.path} failed`);
        break;
      default:
        throw new JsonPatchError(`unknown operation ${JSON.stringify(raw.op)}`);
    }
  }
  return out;
}
