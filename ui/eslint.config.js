// ESLint for the explorer's sources: the recommended rules, the import plugin's (imports that do not
// resolve, names a module does not export) and no import cycles; types are tsc's (tsconfig.json).
import js from '@eslint/js';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';

export default [
  { ignores: ['node_modules/'] },
  js.configs.recommended,
  importX.flatConfigs.recommended,
  {
    files: ['src/**/*.js', 'bench/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['*.config.js'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-useless-path-segments': 'error',
      eqeqeq: ['error', 'smart'],
      'no-promise-executor-return': 'error',
      'no-template-curly-in-string': 'error',
      'no-unmodified-loop-condition': 'error',
      'no-unreachable-loop': 'error',
    },
  },
];
