import type { ChildTree, SupervisorTree } from '../../runtime/index.js';
import type { SupervisorSummary, TreeSummary } from './protocol.js';

/** How many restarted children a supervisor lists, most restarts first. */
const RESTARTED_SHOWN = 20;

/**
 * The supervision tree as the page draws it: the root, then every supervisor under it with its
 * counts and only the children that were restarted: a kind of 100,000 resources is one line.
 */
export function summarizeTree(tree: SupervisorTree | undefined): TreeSummary | undefined {
  if (tree === undefined) return undefined;
  const supervisors: SupervisorSummary[] = [];
  const visit = (id: string, strategy: string, state: string, kids: readonly ChildTree[]) => {
    let running = 0;
    let restarts = 0;
    const restarted: { id: string; restarts: number; state: string }[] = [];
    for (const child of kids) {
      if (child.state === 'running') running++;
      restarts += child.restarts;
      if (child.restarts > 0) restarted.push({ id: child.id, restarts: child.restarts, state: child.state });
      if (child.type === 'supervisor' && child.children !== undefined) {
        visit(child.id, child.strategy ?? '', child.state, child.children);
      }
    }
    restarted.sort((a, b) => b.restarts - a.restarts || (a.id < b.id ? -1 : 1));
    supervisors.push({
      id,
      state,
      strategy,
      restarts,
      children: kids.length,
      running,
      restarted: restarted.slice(0, RESTARTED_SHOWN),
    });
  };
  visit(tree.id, tree.strategy, tree.state, tree.children);
  supervisors.pop(); // the root's own line is the summary's
  return {
    id: tree.id,
    strategy: tree.strategy,
    state: tree.state,
    restarts: tree.restarts,
    supervisors,
  };
}
