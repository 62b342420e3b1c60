/**
 * @module router/model-groups
 * Groups deployments by `model_name`: several entries with the same name are one model group, load-balanced by
 * the routing strategy (strategies.ts) in the order the attempt plan asks (attempt-plan.ts).
 */

export interface Routable {
  modelName: string;
}

export interface ModelGroup<D extends Routable> {
  name: string;
  members: readonly D[];
}

export function buildModelGroups<D extends Routable>(deployments: readonly D[]): Map<string, ModelGroup<D>> {
  const byName = new Map<string, D[]>();
  for (const d of deployments) {
    const list = byName.get(d.modelName);
    if (list) list.push(d);
    else byName.set(d.modelName, [d]);
  }
  const groups = new Map<string, ModelGroup<D>>();
  for (const [name, members] of byName) groups.set(name, { name, members });
  return groups;
}
