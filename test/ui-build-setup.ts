/**
 * Vitest global setup: builds the admin console (ui/ → ui/dist) once before any test file runs,
 * unless ui/dist was already built from the same sources. So `npm test` (and any single
 * `npx vitest run …`) on a clean clone serves and tests the real bundle, never a missing or stale
 * one. Built output is not committed.
 */
import { ensureUiBuilt } from '../scripts/build-ui.js';

export default async function setup(): Promise<void> {
  await ensureUiBuilt();
}
