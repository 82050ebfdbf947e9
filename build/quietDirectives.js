// MUI marks its modules 'use client' (a React Server Components hint); bundling for the browser drops it harmlessly.
/** @param {any} warning @param {any} warn */
export function quietDirectives(warning, warn) {
  if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
  warn(warning);
}
