import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';

/** Walking the `yaml` library's node tree: every node in turn, or the one a path leads to. */

/** Visit every node (pairs' keys with `isKey` true), depth first. */
export function walk(node: unknown, visit: (node: Node, isKey: boolean) => void, isKey = false): void {
  if (node === null || typeof node !== 'object') return;
  if (isPair(node)) {
    walk(node.key, visit, true);
    walk(node.value, visit);
    return;
  }
  visit(node as Node, isKey);
  if (isMap(node) || isSeq(node)) for (const item of node.items) walk(item, visit);
}

/**
 * The text offset of the node at `path` (keys and indices, through aliases), or of its nearest
 * existing ancestor when the path runs out; with `wantKey`, of the last segment's key.
 */
export function offsetOf(
  doc: Document.Parsed,
  path: readonly PropertyKey[],
  wantKey: boolean,
): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as Node | null)?.range?.[0];
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const segment = String(path[i]);
    if (isMap(node)) {
      const pair = node.items.findLast((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (pair === undefined) return offset;
      const keyOffset = (pair.key as Node).range?.[0];
      if (wantKey && i === path.length - 1) return keyOffset ?? offset;
      node = pair.value;
      offset = (node as Node | null)?.range?.[0] ?? keyOffset ?? offset;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
      if (node === undefined) return offset;
      offset = (node as Node | null)?.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}
