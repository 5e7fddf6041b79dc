/** The shell: sign-in gate, role-aware navigation, language switch and the routes. */
import { useTranslation } from 'react-i18next';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import type { User } from './api/types.js';
import { NAV_BY_ROLE, SessionProvider, useLogout, useSession } from './auth.js';
import { ErrorBox, Skeleton } from './components/ui.js';
import { AnalysisPage } from './pages/analysis.js';
import { CampaignResultsPage } from './pages/campaign-results.js';
import { CampaignsPage } from './pages/campaigns.js';
import { ChurnPage } from './pages/churn.js';
import { Customer360Page } from './pages/customer-360.js';
import { CustomersPage } from './pages/customers.js';
import { DashboardPage } from './pages/dashboard.js';
import { ImportPage } from './pages/import.js';
import { LifecyclePage } from './pages/lifecycle.js';
import { LoginPage } from './pages/login.js';
import { NotFoundPage } from './pages/not-found.js';
import { SegmentsPage } from './pages/segments.js';
import { TasksPage } from './pages/tasks.js';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="lang">
      <span className="sr-only">{t('app.language')}</span>
      <select
        aria-label={t('app.language')}
        value={i18n.language === 'en' ? 'en' : 'zh-CN'}
        onChange={(e) => i18n.changeLanguage(e.target.value)}
        data-testid="lang-switch"
      >
        <option value="zh-CN">中文</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}

function Shell({ user }: { user: User }) {
  const { t } = useTranslation();
  const [location] = useLocation();
  const logout = useLogout();
  const allowed = NAV_BY_ROLE[user.role] ?? [];
  const home = allowed.includes('dashboard') ? '/' : '/customers';
  const navItem = (key: string, href: string, label = `nav.${key}`) =>
    allowed.includes(key) && (
      <li key={key}>
        <Link
          href={href}
          className={(href === '/' ? location === '/' : location.startsWith(href)) ? 'active' : ''}
          aria-current={
            (href === '/' ? location === '/' : location.startsWith(href)) ? 'page' : undefined
          }
        >
          {t(label)}
        </Link>
      </li>
    );
  return (
    <SessionProvider user={user}>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <span className="brand">Tenure</span>
        <nav aria-label={t('app.menu')}>
          <ul>
            {navItem('dashboard', '/')}
            {navItem('customers', '/customers')}
            {navItem('lifecycle', '/lifecycle')}
            {navItem('segments', '/segments')}
            {navItem('churn', '/churn')}
            {navItem('tasks', '/tasks')}
            {navItem('campaigns', '/campaigns', 'campaigns.nav')}
            {navItem('import', '/import')}
            {navItem('analysis', '/analysis')}
          </ul>
        </nav>
        <div className="who">
          <span data-testid="whoami">
            {user.displayName || user.username} · {t(`role.${user.role}`)}
          </span>
          <LanguageSwitch />
          <button type="button" className="link" onClick={() => logout.mutate()}>
            {t('app.logout')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Switch>
          <Route path="/">
            {allowed.includes('dashboard') ? <DashboardPage /> : <Redirect to={home} />}
          </Route>
          <Route path="/login">
            <Redirect to={home} />
          </Route>
          <Route path="/customers" component={CustomersPage} />
          <Route path="/customers/:id">
            {(p) => <Customer360Page id={decodeURIComponent(p.id)} />}
          </Route>
          <Route path="/lifecycle" component={LifecyclePage} />
          <Route path="/segments" component={SegmentsPage} />
          <Route path="/churn" component={ChurnPage} />
          <Route path="/tasks" component={TasksPage} />
          <Route path="/campaigns" component={CampaignsPage} />
          <Route path="/campaigns/:id">
            {(p) => <CampaignResultsPage id={decodeURIComponent(p.id)} />}
          </Route>
          <Route path="/import" component={ImportPage} />
          <Route path="/analysis" component={AnalysisPage} />
          <Route component={NotFoundPage} />
        </Switch>
      </main>
    </SessionProvider>
  );
}

export function App() {
  const session = useSession();
  if (session.isPending) {
    return (
      <main className="center">
        <Skeleton lines={4} />
      </main>
    );
  }
  if (session.error) {
    return (
      <main className="center">
        <ErrorBox error={session.error} onRetry={() => session.refetch()} />
      </main>
    );
  }
  if (!session.data) return <LoginPage />;
  return <Shell user={session.data.user} />;
}
