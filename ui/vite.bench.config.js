// The renderer comparison page bench/explorer.py loads (ui/bench), built into build/ui-bench:
// not part of the explorer's bundle, so sigma.js stays a development dependency.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: resolve(import.meta.dirname, 'bench'),
  base: './',
  build: {
    outDir: resolve(import.meta.dirname, '../build/ui-bench'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    rollupOptions: { input: resolve(import.meta.dirname, 'bench/renderers.html') },
  },
});
