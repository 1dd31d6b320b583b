/**
 * The shard of a key: FNV-1a (32 bits) of its UTF-8 bytes, modulo the number of shards. Every
 * instance must compute the same shard for a key, so this never changes once released.
 */
export function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}
