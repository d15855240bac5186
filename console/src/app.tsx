import { useCallback, useMemo, useState } from 'preact/hooks';
import { AdminApi } from './lib/admin-api';
import { BASE, navigate, onLinkClick, useRoute } from './lib/router';
import { clearToken, storedToken, storeToken } from './lib/session';
import { ApiContext } from './lib/api-context';
import { SignInPage } from './pages/sign-in.page';
import { OverviewPage } from './pages/overview.page';
import { SpendPage } from './pages/spend.page';
import { TenantsPage } from './pages/tenants.page';
import { TenantPage } from './pages/tenant.page';
import { BudgetsPage } from './pages/budgets.page';
import { PoliciesPage } from './pages/policies.page';
import { AuditPage } from './pages/audit.page';

const NAV: ReadonlyArray<{ path: string; label: string }> = [
  { path: '/', label: 'Overview' },
  { path: '/spend', label: 'Spend' },
  { path: '/tenants', label: 'Tenants & keys' },
  { path: '/budgets', label: 'Budgets & limits' },
  { path: '/policies', label: 'Policies' },
  { path: '/audit', label: 'Audit' },
];

export function App() {
  const [token, setToken] = useState<string | null>(storedToken());
  const [notice, setNotice] = useState<string | null>(null);
  const route = useRoute();

  const signOut = useCallback((message: string | null) => {
    clearToken();
    setToken(null);
    setNotice(message);
  }, []);
  const api = useMemo(
    () =>
      token === null
        ? null
        : new AdminApi(token, (message) =>
            signOut(`Your session ended: ${message} Sign in again with the admin token.`),
          ),
    [token, signOut],
  );

  if (api === null) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(value) => {
          storeToken(value);
          setNotice(null);
          setToken(value);
        }}
      />
    );
  }

  const section = NAV.find((item) =>
    item.path === '/' ? route === '/' : route === item.path || route.startsWith(`${item.path}/`),
  );
  return (
    <ApiContext.Provider value={api}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Gateway console</span>
        <nav aria-label="Sections" onClick={onLinkClick}>
          <ul>
            {NAV.map((item) => (
              <li key={item.path}>
                <a
                  href={`${BASE}${item.path === '/' ? '/' : item.path}`}
                  aria-current={section?.path === item.path ? 'page' : undefined}
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            signOut('You signed out.');
            navigate(`${BASE}/`);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1} onClick={onLinkClick}>
        <Page route={route} />
      </main>
    </ApiContext.Provider>
  );
}

function Page({ route }: { route: string }) {
  if (route === '/') return <OverviewPage />;
  if (route === '/spend') return <SpendPage />;
  if (route === '/tenants') return <TenantsPage />;
  if (route.startsWith('/tenants/'))
    return <TenantPage id={decodeURIComponent(route.slice('/tenants/'.length))} />;
  if (route === '/budgets') return <BudgetsPage />;
  if (route === '/policies') return <PoliciesPage />;
  if (route === '/audit') return <AuditPage />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no console page at this address. <a href={`${BASE}/`}>Back to the overview</a>.
      </p>
    </section>
  );
}
