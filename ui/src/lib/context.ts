/**
 * @module ui/lib/context
 * What every page gets from the shell: the API client bound to the signed-in key, who that key is,
 * and `fail(err)`, which ends the session when the key itself was refused (deleted, expired,
 * blocked meanwhile) and otherwise lets the page show the error in place.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api';
import type { Identity } from './session';

export interface Console {
  api: Api;
  identity: Identity;
  /** The time zone chosen on the Usage page, used for every date and time shown. */
  timeZone: string;
  setTimeZone: (tz: string) => void;
  /** Ends the session when `err` says the key is no longer valid; returns the error for display. */
  fail: (err: unknown) => unknown;
}

export const ConsoleContext = createContext<Console | null>(null);

export function useConsole(): Console {
  const c = useContext(ConsoleContext);
  if (!c) throw new Error('useConsole outside the signed-in shell');
  return c;
}
