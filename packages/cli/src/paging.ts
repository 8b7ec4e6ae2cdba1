/** One page of a Relay connection, as every SDK list operation returns it. */
export interface Page<N> {
  edges: ReadonlyArray<{ node: N }>;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/**
 * Follows `after: endCursor` until `limit` nodes (or the end). The API's keyset pagination
 * means a page never shifts while we read, however many entries are added meanwhile.
 */
export async function collect<N>(
  load: (first: number, after: string | undefined) => Promise<Page<N>>,
  limit = Number.POSITIVE_INFINITY,
  pageSize = 100,
): Promise<{ nodes: N[]; hasMore: boolean }> {
  const nodes: N[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await load(Math.min(pageSize, limit - nodes.length), after);
    nodes.push(...page.edges.map((e) => e.node));
    const cursor = page.pageInfo.endCursor ?? undefined;
    if (!page.pageInfo.hasNextPage || cursor === undefined) return { nodes, hasMore: false };
    if (nodes.length >= limit) return { nodes, hasMore: true };
    after = cursor;
  }
}
