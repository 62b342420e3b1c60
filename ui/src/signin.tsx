/**
 * @module ui/signin
 * The sign-in box. The key field has no `name` (it can never be submitted as form data) and the
 * form never submits to the server: the key is handed to the shell, which asks /auth/whoami.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNotice } from './components/notice';

export function SignIn({
  onKey,
  error,
  busy,
}: {
  onKey: (key: string) => void;
  error: unknown;
  busy: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [empty, setEmpty] = useState(false);
  useEffect(() => input.current?.focus(), []);
  return (
    <main class="signin-page" id="main">
      <section class="panel signin" aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Tollgate</h1>
        <ErrorNotice error={error} id="signin-error" />
        <form
          id="signin-form"
          autocomplete="off"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            const v = input.current?.value.trim() ?? '';
            if (input.current) input.current.value = '';
            setEmpty(v === '');
            if (v) onKey(v);
          }}
        >
          <label for="key-input">API key</label>
          <div class="row">
            <input
              id="key-input"
              ref={input}
              type="password"
              autocomplete="off"
              spellcheck={false}
              aria-describedby="key-help"
              aria-invalid={empty}
              placeholder="sk-…"
            />
            <button type="submit" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </div>
          {empty ? (
            <p class="field-error" role="alert">
              Enter an API key.
            </p>
          ) : null}
          <p id="key-help" class="muted small">
            The master key manages everything. A virtual key with <code>{'{"get_spend_routes": true}'}</code>{' '}
            reads all spend; any other virtual key sees its own spend and logs. The key stays in this tab only
            (session storage) and is sent to this gateway as an <code>Authorization: Bearer</code> header,
            never in a URL.
          </p>
        </form>
      </section>
    </main>
  );
}
