// Lint, including the import layering of the architecture:
//   common/   pure: no Node, no DOM, no Electron, no other layer
//   node/     the shared Node floor (ffmpeg child, loopback, logging, listen): Node + common/ only
//   server/   Node, never Electron, never main/preload/renderer
//   main/     Node + Electron, may embed server/ through server/index.ts only, never preload/renderer
//   preload/  electron's contextBridge/ipcRenderer + common/ only
//   renderer/ common/ and the window API types only
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Paths a layer must not import, as eslint `no-restricted-imports` patterns. */
function layerRule(message, { forbidNode = false, forbidElectron = false, layers = [], only = null, indexOnly = [] }) {
  const patterns = [];
  for (const layer of indexOnly) {
    patterns.push({ regex: `^(\\.\\./)+${layer}/`, message: `${layer}/ is embedded only through ${layer}/index.ts` });
  }
  for (const layer of layers) {
    patterns.push({ group: [`**/${layer}/**`, `**/${layer}`], message: `${message} (imports ${layer}/)` });
  }
  if (forbidElectron) patterns.push({ group: ['electron', 'electron/*'], message: `${message} (imports electron)` });
  const paths = forbidNode ? nodeBuiltins.map((name) => ({ name, message: `${message} (imports Node's ${name})` })) : [];
  if (only) {
    patterns.push({ regex: `^(?!(\\.|${only.join('|')}))`, message: `${message} (only ${only.join(', ')} and relative imports are allowed)` });
  }
  return ['error', { paths, patterns }];
}

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'out/**', 'release/**', 'coverage/**', 'e2e/artifacts/**', 'test-results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['common/**/*.ts'],
    ignores: ['common/test/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': layerRule('common/ is pure', {
        forbidNode: true,
        forbidElectron: true,
        layers: ['node', 'server', 'main', 'preload', 'renderer'],
        only: ['zod'],
      }),
      'no-restricted-globals': ['error', 'process', 'Buffer', 'window', 'document', 'require', '__dirname'],
    },
  },
  {
    files: ['node/**/*.ts'],
    rules: {
      'no-restricted-imports': layerRule('node/ is the shared Node floor (Node + common/ only)', {
        forbidElectron: true,
        layers: ['server', 'main', 'preload', 'renderer'],
      }),
    },
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': layerRule('server/ runs headless', {
        forbidElectron: true,
        layers: ['main', 'preload', 'renderer'],
      }),
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': layerRule('main/ talks to the renderer only through the contract', {
        layers: ['preload', 'renderer'],
        indexOnly: ['server'],
      }),
    },
  },
  {
    files: ['main/engine/**/*.ts', 'main/push/**/*.ts'],
    rules: {
      'no-restricted-imports': layerRule('main/engine/ runs under plain Node', {
        forbidElectron: true,
        layers: ['preload', 'renderer'],
        indexOnly: ['server'],
      }),
    },
  },
  {
    files: ['preload/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': layerRule('preload/ is a narrow bridge', {
        forbidNode: true,
        layers: ['node', 'server', 'main', 'renderer'],
        only: ['electron'],
      }),
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/vite.config.ts', 'renderer/test/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': layerRule('renderer/ sees only common/ and the window API', {
        forbidNode: true,
        forbidElectron: true,
        layers: ['node', 'server', 'main', 'preload'],
        only: ['react', 'react-dom', 'react/jsx-runtime', 'mpegts\\.js'],
      }),
    },
  },
);
