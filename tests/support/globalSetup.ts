import { execFileSync } from 'node:child_process';

// Build the renderer's web version once for all browser tests.
export default function setup(): void {
  execFileSync('npx', ['vite', 'build', '--config', 'vite.web.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
}
