import { defineConfig } from 'vite';
import { quietDirectives } from './build/quietDirectives.js';

// The renderer as a plain web page: same code, the web bridge stands in for the preload.
export default defineConfig({
  root: 'src/renderer',
  base: './',
  build: { outDir: '../../out/web', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 2500, rollupOptions: { onwarn: quietDirectives } },
});
