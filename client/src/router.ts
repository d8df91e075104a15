// The console's pages. The frame (navigation, filter bar) is shared; a page is one route. The health views of the
// next issue slot in as one more entry here and one in NAVIGATION (an Overview at `/overview`).
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import RunsPage from './pages/RunsPage.vue';

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/runs' },
  { path: '/runs', name: 'runs', component: RunsPage, meta: { title: 'Sync history' } },
  { path: '/runs/:id', name: 'run', component: () => import('./pages/RunDetailPage.vue'), meta: { title: 'Run' } },
  {
    path: '/overview',
    name: 'overview',
    // The trend chart's chunk (ECharts, the largest) is fetched beside the page's rather than once the page renders.
    component: () => {
      void import('./components/health/TrendChart.vue');
      return import('./pages/OverviewPage.vue');
    },
    meta: { title: 'Health overview' },
    // Seed 001's default window, the last 7 days, in the address (so the filter bar says so) before the page loads.
    beforeEnter: (to) =>
      to.query.tf === undefined ? { path: to.path, query: { ...to.query, tf: '7d' }, hash: to.hash, replace: true } : true,
  },
  { path: '/logs', name: 'logs', component: () => import('./pages/LogsPage.vue'), meta: { title: 'Sync logs' } },
  { path: '/dead-letters', name: 'dead-letters', component: () => import('./pages/DeadLettersPage.vue'), meta: { title: 'Dead letters' } },
  { path: '/pipelines', name: 'pipelines', component: () => import('./pages/PipelinesPage.vue'), meta: { title: 'Pipelines' } },
  { path: '/alerts', name: 'alerts', component: () => import('./pages/AlertsPage.vue'), meta: { title: 'Alerts' } },
  { path: '/audit', name: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { title: 'Audit log' } },
  { path: '/keys', name: 'keys', component: () => import('./pages/KeysPage.vue'), meta: { title: 'API keys' } },
  { path: '/:rest(.*)*', redirect: '/runs' },
];

/** The navigation, in order; `admin` entries show to admin keys only. */
export const NAVIGATION: { to: string; label: string; admin?: boolean }[] = [
  { to: '/overview', label: 'Overview' },
  { to: '/runs', label: 'Sync history' },
  { to: '/logs', label: 'Sync logs' },
  { to: '/dead-letters', label: 'Dead letters' },
  { to: '/pipelines', label: 'Pipelines' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/audit', label: 'Audit log' },
  { to: '/keys', label: 'API keys', admin: true },
];

export function createConsoleRouter() {
  const router = createRouter({
    history: createWebHistory(),
    routes,
    // Filters change the query: keep the reader where they are; a new page starts at the top.
    scrollBehavior: (to, from, saved) => saved ?? (to.path === from.path ? false : { top: 0 }),
  });
  router.afterEach((to) => {
    document.title = `${(to.meta.title as string | undefined) ?? 'Console'} · syncwatch`;
  });
  return router;
}
