// Unit specs sit beside the code (src, *.spec.ts); integration suites live in test/.
// openid-client 6 and its dependencies are ESM-only: Node loads them (require(esm)), jest does
// not, so they are transpiled to CommonJS for the tests (scripts/jest-esm-transform.js).
const ESM_ONLY = ['openid-client', 'oauth4webapi', 'jose'];
const base = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    [`/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: '<rootDir>/scripts/jest-esm-transform.js',
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  testEnvironment: 'node',
};
module.exports = {
  testTimeout: 120000,
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts', '!src/main.ts'],
  coverageDirectory: 'coverage',
  coverageReporters: ['html', 'text-summary'],
  projects: [
    { ...base, displayName: 'unit', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/', '<rootDir>/test/fuzz/'],
    },
    // Fault injection (database outage, SIGKILL, full disk) and fuzzing: part of `npm test`,
    // also runnable alone (`npm run test:faults`, `npm run test:fuzz`).
    {
      ...base,
      displayName: 'faults',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
    },
    {
      ...base,
      displayName: 'fuzz',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/fuzz/**/*.test.ts'],
    },
  ],
};
