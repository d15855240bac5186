import { useState } from 'preact/hooks';
import { AdminApi, ApiError, messageOf } from '../lib/admin-api';
import { Notice } from '../components/notice';

/** Sign-in with the admin token, checked against the admin API before it is kept. */
export function SignInPage({
  notice,
  onSignedIn,
}: {
  notice: string | null;
  onSignedIn: (token: string) => void;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = token.trim();
    if (value === '') {
      setError('Enter the admin token (GATEWAY_ADMIN_TOKEN).');
      return;
    }
    if (/\s/.test(value)) {
      setError('An admin token has no spaces in it.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await new AdminApi(value).get('/v1/admin/tenants?limit=1');
      onSignedIn(value);
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? 'That admin token is not valid. Check GATEWAY_ADMIN_TOKEN and try again.'
          : messageOf(failure),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <form onSubmit={(event) => void submit(event)} noValidate aria-describedby="sign-in-help">
        <h1>Gateway console</h1>
        <p id="sign-in-help">
          Sign in with the gateway's admin token. It is kept in this tab only and sent to the admin
          API, nowhere else.
        </p>
        {notice && <Notice kind="info">{notice}</Notice>}
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          name="admin-token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          aria-invalid={error !== null}
          aria-describedby={error ? 'sign-in-error' : undefined}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        {error && (
          <p id="sign-in-error" class="notice error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
