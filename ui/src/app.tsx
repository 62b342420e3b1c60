/**
 * @module ui/app
 * The console shell: sign-in, who is signed in (role from /auth/whoami), navigation by role and
 * the page for the current hash route. A page a role may not use shows why instead of failing.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { InfoNotice } from './components/notice';
import { ApiError, createApi } from './lib/api';
import { type Console, ConsoleContext } from './lib/context';
import { hrefOf, useRoute } from './lib/router';
import { type Identity, type Role, roleLabel, storedKey, storeKey, whoami } from './lib/session';
import { browserTimeZone } from './lib/time';
import { CustomersPage } from './pages/customers';
import { KeysPage } from './pages/keys';
import { LogsPage } from './pages/logs';
import { ModelsPage } from './pages/models';
import { TeamsPage } from './pages/teams';
import { UsagePage } from './pages/usage';
import { UsersPage } from './pages/users';
import { SignIn } from './signin';

interface PageDef {
  id: string;
  label: string;
  roles: readonly Role[];
  view: () => preact.JSX.Element;
}

const ALL: readonly Role[] = ['admin', 'spend_reader', 'key'];
const ADMIN: readonly Role[] = ['admin'];

export const PAGES: readonly PageDef[] = [
  { id: 'usage', label: 'Usage', roles: ALL, view: () => <UsagePage /> },
  { id: 'logs', label: 'Logs', roles: ALL, view: () => <LogsPage /> },
  { id: 'keys', label: 'Keys', roles: ADMIN, view: () => <KeysPage /> },
  { id: 'teams', label: 'Teams', roles: ADMIN, view: () => <TeamsPage /> },
  { id: 'users', label: 'Users', roles: ADMIN, view: () => <UsersPage /> },
  { id: 'customers', label: 'Customers', roles: ADMIN, view: () => <CustomersPage /> },
  { id: 'models', label: 'Models & pricing', roles: ALL, view: () => <ModelsPage /> },
];

function Restricted({ page, identity }: { page: PageDef; identity: Identity }) {
  return (
    <section class="panel" aria-labelledby="restricted-title" id="restricted">
      <h1 id="restricted-title">{page.label}: master key only</h1>
      <p>
        You are signed in with {roleLabel(identity)}. Managing keys, teams, users and customers needs the
        gateway's master key; this key cannot change anything.
      </p>
      <p>
        <a href={hrefOf('usage')}>Back to Usage</a>
      </p>
    </section>
  );
}

function RoleBanner({ identity }: { identity: Identity }) {
  if (identity.role === 'admin') return null;
  return (
    <InfoNotice id="role-banner">
      {identity.role === 'spend_reader' ? (
        <p>
          Signed in with <strong>{roleLabel(identity)}</strong>: you can read every spend report and log, but
          not manage keys, teams, users or customers (that needs the master key).
        </p>
      ) : (
        <p>
          Signed in with <strong>{roleLabel(identity)}</strong>: you see only this key's own spend and logs.
          Reading all spend needs a key with <code>get_spend_routes</code>; managing needs the master key.
        </p>
      )}
    </InfoNotice>
  );
}

function Shell({ identity, onSignOut, ctx }: { identity: Identity; onSignOut: () => void; ctx: Console }) {
  const route = useRoute();
  const page = PAGES.find((p) => p.id === route.page) ?? PAGES[0];
  const allowed = page.roles.includes(identity.role);
  useEffect(() => {
    document.title = `Tollgate · ${page.label}`;
  }, [page.label]);
  return (
    <ConsoleContext.Provider value={ctx}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <div class="brand">
          Tollgate <span class="muted">console</span>
        </div>
        <nav aria-label="Console pages" class="nav">
          <ul>
            {PAGES.filter((p) => p.roles.includes(identity.role)).map((p) => (
              <li key={p.id}>
                <a href={hrefOf(p.id)} aria-current={p.id === page.id ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class="muted small" id="who">
            {roleLabel(identity)}
          </span>
          <button type="button" class="secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <RoleBanner identity={identity} />
        {allowed ? page.view() : <Restricted page={page} identity={identity} />}
      </main>
    </ConsoleContext.Provider>
  );
}

export function App() {
  const [key, setKey] = useState<string | null>(() => storedKey());
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(key !== null);
  const [timeZone, setTimeZone] = useState(() => browserTimeZone());
  const api = useMemo(() => createApi(() => key ?? ''), [key]);

  const signOut = useCallback((err: unknown = null) => {
    storeKey(null);
    setKey(null);
    setIdentity(null);
    setError(err);
    setBusy(false);
  }, []);

  useEffect(() => {
    if (!key) return;
    let live = true;
    setBusy(true);
    whoami(api).then(
      (id) => {
        if (!live) return;
        storeKey(key);
        setIdentity(id);
        setError(null);
        setBusy(false);
      },
      (err: unknown) => {
        if (live) signOut(err);
      },
    );
    return () => {
      live = false;
    };
  }, [key, api, signOut]);

  const ctx = useMemo<Console | null>(
    () =>
      identity
        ? {
            api,
            identity,
            timeZone,
            setTimeZone,
            fail: (err) => {
              if (err instanceof ApiError && err.isSessionEnd) signOut(err);
              return err;
            },
          }
        : null,
    [api, identity, timeZone, signOut],
  );

  if (!key || !identity || !ctx) return <SignIn onKey={(k) => setKey(k)} error={error} busy={busy} />;
  return <Shell identity={identity} onSignOut={() => signOut(null)} ctx={ctx} />;
}
