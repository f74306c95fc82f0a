// Builds the explorer into the Python package (api/ui/static), where `tagline serve` finds it at /ui.
// Two pages: the explorer (index.html) and GraphiQL (graphiql.html), both with every asset local.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/ui/',
  build: {
    outDir: resolve(import.meta.dirname, '../api/ui/static'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      // GraphiQL's React components carry "use client" directives, meaningless outside server rendering.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        graphiql: resolve(import.meta.dirname, 'graphiql.html'),
      },
    },
  },
});
