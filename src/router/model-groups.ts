/**
 * @module router/model-groups
 * Groups deployments by `model_name` and picks one per attempt. Several entries with the same
 * name are load-balanced: weighted by `rpm` (or `tpm`) when every member sets it, uniformly
 * otherwise. A retry prefers a deployment not tried yet.
 */

export interface Routable {
  modelName: string;
  rpm?: number;
  tpm?: number;
}

export interface ModelGroup<D extends Routable> {
  name: string;
  members: readonly D[];
  /** Cumulative weights for weighted random choice; null = uniform. */
  cumulative: readonly number[] | null;
}

export function buildModelGroups<D extends Routable>(deployments: readonly D[]): Map<string, ModelGroup<D>> {
  const byName = new Map<string, D[]>();
  for (const d of deployments) {
    const list = byName.get(d.modelName);
    if (list) list.push(d);
    else byName.set(d.modelName, [d]);
  }
  const groups = new Map<string, ModelGroup<D>>();
  for (const [name, members] of byName) groups.set(name, { name, members, cumulative: weightsOf(members) });
  return groups;
}

function weightsOf(members: readonly Routable[]): number[] | null {
  if (members.length < 2) return null;
  const pick = members.every((m) => m.rpm && m.rpm > 0)
    ? (m: Routable) => m.rpm!
    : members.every((m) => m.tpm && m.tpm > 0)
      ? (m: Routable) => m.tpm!
      : null;
  if (!pick) return null;
  let acc = 0;
  return members.map((m) => {
    acc += pick(m);
    return acc;
  });
}

/**
 * Picks a member. `tried` holds members already attempted for this request: they are skipped
 * while untried ones remain (then any member may be retried). `random` is injectable for tests.
 */
export function pickDeployment<D extends Routable>(
  group: ModelGroup<D>,
  tried: ReadonlySet<D> | null = null,
  random: () => number = Math.random,
): D {
  const { members, cumulative } = group;
  if (members.length === 1) return members[0];
  const candidates = tried && tried.size > 0 ? members.filter((m) => !tried.has(m)) : members;
  if (candidates.length === 0) return members[Math.floor(random() * members.length)];
  if (candidates.length !== members.length || !cumulative) {
    if (!cumulative) return candidates[Math.floor(random() * candidates.length)];
    // Weighted among the remaining candidates.
    const total = candidates.reduce((s, m) => s + (m.rpm ?? m.tpm ?? 1), 0);
    let r = random() * total;
    for (const m of candidates) {
      r -= m.rpm ?? m.tpm ?? 1;
      if (r < 0) return m;
    }
    return candidates[candidates.length - 1];
  }
  const r = random() * cumulative[cumulative.length - 1];
  for (let i = 0; i < cumulative.length; i++) if (r < cumulative[i]) return members[i];
  return members[members.length - 1];
}
