// Three tiers (STYLE.md §7): fast unit specs, integration specs against the real Postgres and NATS,
// and end-to-end specs that start the platform and drive it through the gateway.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    swcrc: false,
  },
];

const libs = ['contracts', 'messaging', 'database', 'errors', 'config', 'observability', 'service-kit', 'auth', 'testing', 'sdk'];
const moduleNameMapper = {
  ...Object.fromEntries(libs.map((l) => [`^@saas/${l}$`, `<rootDir>/libs/${l}/src/index.ts`])),
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

const common = {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

export default {
  // Jest reads testTimeout globally only (not per project); unit specs finish in milliseconds anyway.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    // Issue 16: the whole platform fuzzed from its OpenAPI document (fixed seed and case count).
    { ...common, displayName: 'fuzz', testMatch: ['<rootDir>/test/fuzz/**/*.fuzz-spec.ts'] },
    // Fault injection (test/faults): kills and pauses its own NATS and Postgres under the platform.
    // Minutes, not seconds: run by `npm run test:faults` and CI, not by `npm test`.
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'] },
  ],
};
