import { execFileSync } from 'node:child_process';

// Build once for all browser and Electron tests: the web renderer, and main + preload + renderer.
export default function setup(): void {
  execFileSync('npx', ['vite', 'build', '--config', 'vite.web.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  execFileSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
}
