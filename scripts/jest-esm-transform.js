// Jest (CommonJS, Node 20) cannot load ESM-only packages: openid-client and its dependencies
// (oauth4webapi, jose). Node itself can
// (require(esm) since 20.19), so only the tests need this. Transpiles those files to CommonJS
// (import() becomes require) with the TypeScript compiler already installed: no type check, no
// Babel preset to add. Listed in jest.config.js's transform and transformIgnorePatterns.
const ts = require('typescript');
const { createHash } = require('node:crypto');

module.exports = {
  process(source, filename) {
    const { outputText } = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        allowJs: true,
        esModuleInterop: true,
      },
    });
    return { code: outputText };
  },
  getCacheKey(source, filename) {
    return createHash('sha256').update(ts.version).update(filename).update(source).digest('hex');
  },
};
