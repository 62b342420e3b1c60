/**
 * @module ui/lib/choices
 * Choices for the management forms: configured model groups (plus LiteLLM's special values),
 * teams and internal users, loaded once per page.
 */
import { useConsole } from './context';
import { asArray, asString, isObject } from './exact-json';
import { useLoad } from './use-load';

export interface Choice {
  value: string;
  label: string;
}

export interface Choices {
  models: Choice[];
  teams: Choice[];
  users: Choice[];
}

export function useChoices(): Choices {
  const { api } = useConsole();
  const res = useLoad<Choices>(async () => {
    const [models, teams, users] = await Promise.all([
      api.get('/model/info').catch(() => null),
      api.get('/team/list').catch(() => null),
      api.get('/user/list', { page_size: 100 }).catch(() => null),
    ]);
    const names = [
      ...new Set(
        asArray(models && isObject(models.body) ? models.body.data : null)
          .filter(isObject)
          .map((d) => asString(d.model_name) ?? ''),
      ),
    ].filter(Boolean);
    return {
      models: [
        ...names.map((n) => ({ value: n, label: n })),
        { value: 'all-team-models', label: 'all-team-models (whatever the team allows)' },
      ],
      teams: asArray(teams?.body ?? null)
        .filter(isObject)
        .map((t) => ({
          value: asString(t.team_id) ?? '',
          label: asString(t.team_alias) ?? asString(t.team_id) ?? '',
        })),
      users: asArray(users && isObject(users.body) ? users.body.users : null)
        .filter(isObject)
        .map((u) => ({
          value: asString(u.user_id) ?? '',
          label: asString(u.user_email) ?? asString(u.user_id) ?? '',
        })),
    };
  }, []);
  return res.data ?? { models: [], teams: [], users: [] };
}
