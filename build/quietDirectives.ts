// MUI marks its modules 'use client' (a React Server Components hint); bundling for the browser drops it harmlessly.
export function quietDirectives(warning: { code?: string }, warn: (w: never) => void): void {
  if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
  warn(warning as never);
}
