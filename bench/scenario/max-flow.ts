/** A flow network with integer capacities and Dinic's maximum flow. */
export class FlowNetwork {
  private nodes = 0;
  private readonly first: number[] = [];
  private readonly next: number[] = [];
  private readonly to: number[] = [];
  private readonly capacity: number[] = [];

  addNode(): number {
    this.first.push(-1);
    return this.nodes++;
  }

  addEdge(from: number, to: number, capacity: number): void {
    this.push(from, to, capacity);
    this.push(to, from, 0);
  }

  private push(from: number, to: number, capacity: number): void {
    this.to.push(to);
    this.capacity.push(capacity);
    this.next.push(this.first[from]!);
    this.first[from] = this.to.length - 1;
  }

  /** The maximum flow from `source` to `sink` (the network keeps the residual capacities). */
  maxFlow(source: number, sink: number): number {
    const level = new Int32Array(this.nodes);
    const cursor = new Int32Array(this.nodes);
    const queue = new Int32Array(this.nodes);
    let total = 0;
    for (;;) {
      level.fill(-1);
      level[source] = 0;
      let head = 0;
      let tail = 0;
      queue[tail++] = source;
      while (head < tail) {
        const node = queue[head++]!;
        for (let edge = this.first[node]!; edge !== -1; edge = this.next[edge]!) {
          const target = this.to[edge]!;
          if (this.capacity[edge]! > 0 && level[target] === -1) {
            level[target] = level[node]! + 1;
            queue[tail++] = target;
          }
        }
      }
      if (level[sink] === -1) return total;
      for (let node = 0; node < this.nodes; node++) cursor[node] = this.first[node]!;
      const augment = (node: number, limit: number): number => {
        if (node === sink) return limit;
        for (; cursor[node] !== -1; cursor[node] = this.next[cursor[node]!]!) {
          const edge = cursor[node]!;
          const target = this.to[edge]!;
          if (this.capacity[edge]! <= 0 || level[target] !== level[node]! + 1) continue;
          const pushed = augment(target, Math.min(limit, this.capacity[edge]!));
          if (pushed > 0) {
            this.capacity[edge] = this.capacity[edge]! - pushed;
            this.capacity[edge ^ 1] = this.capacity[edge ^ 1]! + pushed;
            return pushed;
          }
        }
        return 0;
      };
      for (let pushed = augment(source, Number.POSITIVE_INFINITY); pushed > 0; ) {
        total += pushed;
        pushed = augment(source, Number.POSITIVE_INFINITY);
      }
    }
  }
}
