/** The audio graph's wiring as named edges, so tests and diagnostics can reason about it. */
export interface GraphTopology {
  edges: Array<[from: string, to: string]>;
}

/** True when audio entering `from` can reach `to` through the graph's connections. */
export function hasPath(topology: GraphTopology, from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const [a, b] of topology.edges) next.set(a, [...(next.get(a) ?? []), b]);
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length) {
    const node = queue.shift()!;
    if (node === to) return true;
    for (const n of next.get(node) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return false;
}
