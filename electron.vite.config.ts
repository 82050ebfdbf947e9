import { defineConfig } from 'electron-vite';
import { quietDirectives } from './build/quietDirectives.js';

// Builds main, preload and renderer without needing the Electron binary.
export default defineConfig({
  main: {
    build: { outDir: 'out/main', rollupOptions: { input: 'src/main/index.ts' } },
  },
  preload: {
    // Sandboxed preloads must be CommonJS.
    build: { outDir: 'out/preload', rollupOptions: { input: 'src/preload/index.ts', output: { format: 'cjs', entryFileNames: '[name].cjs' } } },
  },
  renderer: {
    root: 'src/renderer',
    build: { outDir: 'out/renderer', chunkSizeWarningLimit: 2500, rollupOptions: { input: 'src/renderer/index.html', onwarn: quietDirectives } },
  },
});
