/**
 * @module access/routes/route-table
 * Every management route access registers, with its method and kind, for registration and for
 * the route × role matrix test.
 */
import type { RouteKind } from '../types.js';
import { BUDGET_ROUTES } from './budgets.js';
import { CUSTOMER_ROUTES } from './customers.js';
import { KEY_ROUTES } from './keys.js';
import type { RouteDef } from './route-def.js';
import { TAG_ROUTES } from './tags.js';
import { TEAM_ROUTES } from './teams.js';
import { USER_ROUTES } from './users.js';
import { WHOAMI_ROUTES } from './whoami.js';

export const ACCESS_ROUTE_DEFS: readonly RouteDef[] = [
  ...KEY_ROUTES,
  ...USER_ROUTES,
  ...TEAM_ROUTES,
  ...CUSTOMER_ROUTES,
  ...WHOAMI_ROUTES,
  ...BUDGET_ROUTES,
  ...TAG_ROUTES,
];

/** {method, url, kind} of every route registered by AccessService.registerRoutes. */
export const ACCESS_ROUTES: ReadonlyArray<{ method: 'GET' | 'POST'; url: string; kind: RouteKind }> =
  ACCESS_ROUTE_DEFS.map(({ method, url, kind }) => ({ method, url, kind }));
