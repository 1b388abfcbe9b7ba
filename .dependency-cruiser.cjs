/**
 * The floor plan, checked in CI (`npm run lint`). Folders are layers; a layer imports only from the
 * layers below it. See "How the code is laid out" in the README.
 *
 *   main ─▶ web ─▶ reports ─▶ inbound ─▶ messages ─▶ providers ─┐
 *                                              └──▶ dossiers ─▶ accounts ─▶ reference ─▶ platform ─▶ lib
 */
const below = {
  platform: ['lib'],
  reference: ['platform', 'lib'],
  accounts: ['reference', 'platform', 'lib'],
  dossiers: ['accounts', 'reference', 'platform', 'lib'],
  providers: ['platform', 'lib'],
  messages: ['providers', 'dossiers', 'accounts', 'reference', 'platform', 'lib'],
  inbound: ['messages', 'providers', 'dossiers', 'accounts', 'reference', 'platform', 'lib'],
  reports: ['inbound', 'messages', 'providers', 'dossiers', 'accounts', 'reference', 'platform', 'lib'],
  // personal data: retention job and the data subject's rights, over everything that holds it
  privacy: ['inbound', 'messages', 'providers', 'dossiers', 'accounts', 'reference', 'platform', 'lib'],
  web: ['privacy', 'reports', 'inbound', 'messages', 'providers', 'dossiers', 'accounts', 'reference', 'platform', 'lib'],
};
const folders = ['main', 'web', 'privacy', 'reports', 'inbound', 'messages', 'providers', 'dossiers', 'accounts', 'reference', 'platform', 'lib'];

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'No import cycles anywhere in src/.', from: { path: '^src/' }, to: { circular: true } },
    {
      name: 'lib-knows-nothing-of-the-product',
      severity: 'error',
      comment: 'src/lib/ (calendar, phone, sms-text, smpp) imports only itself, Node and npm packages.',
      from: { path: '^src/lib/' },
      to: { path: '^src/(?!lib/)' },
    },
    {
      name: 'nothing-imports-main',
      severity: 'error',
      comment: 'src/main/ composes the app and the processes; routes and services never import it (routes get the auth plugin from platform/http).',
      from: { path: '^src/(?!main/)' },
      to: { path: '^src/main/' },
    },
    {
      name: 'providers-never-see-notification-rows',
      severity: 'error',
      comment: 'A provider gets an OutgoingMessage, never a row of the notifications table.',
      from: { path: '^src/providers/' },
      to: { path: '^src/messages/' },
    },
    {
      name: 'web-calls-services-only',
      severity: 'error',
      comment: 'src/web/ renders pages from services; it never imports a repository, the database, SQL or Kysely.',
      from: { path: '^src/web/' },
      to: { path: ['\\.repository\\.ts$', '^src/platform/db/', '/sql/', '(^|/)node_modules/kysely/'] },
    },
    ...Object.entries(below).map(([layer, allowed]) => ({
      name: `layer-${layer}`,
      severity: 'error',
      comment: `src/${layer}/ may import only from ${allowed.map((f) => `src/${f}/`).join(', ')}.`,
      from: { path: `^src/${layer}/` },
      to: { path: `^src/(${folders.filter((f) => f !== layer && !allowed.includes(f)).join('|')})/` },
    })),
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports is dead code (entry points excepted).',
      from: { orphan: true, pathNot: ['^src/main/cli\\.ts$', '\\.d\\.ts$'] },
      to: {},
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with; swc reads TypeScript instead.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
