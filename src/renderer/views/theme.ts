import { createTheme, type Theme } from '@mui/material';
import { deDE, enUS } from '@mui/material/locale';

const shared = {
  shape: { borderRadius: 10 },
  typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
};

// Secondary and warning darker than MUI's defaults: white text on them meets WCAG AA (4.5:1).
const standard = createTheme({
  ...shared,
  palette: { mode: 'light', primary: { main: '#3b4cca' }, secondary: { main: '#0b7d5e' }, warning: { main: '#b45309' } },
});

/**
 * High contrast: every text colour reaches WCAG AAA (7:1) on white, borders are black and 2 px, and
 * the keyboard focus is a thick outline nobody can miss. Under Windows' forced colours the system's
 * own palette wins anyway (MUI leaves `forced-color-adjust` alone).
 */
const high = createTheme({
  ...shared,
  palette: {
    mode: 'light',
    contrastThreshold: 7,
    primary: { main: '#1a237e' },
    secondary: { main: '#004d33' },
    error: { main: '#8b0000' },
    warning: { main: '#6b3000' },
    info: { main: '#0d3c61' },
    success: { main: '#14431b' },
    text: { primary: '#000000', secondary: '#1f1f1f', disabled: '#4d4d4d' },
    divider: '#000000',
    background: { default: '#ffffff', paper: '#ffffff' },
  },
  components: {
    MuiCssBaseline: {
      styleOverrides: {
        '*:focus-visible': { outline: '3px solid #000 !important', outlineOffset: '2px' },
      },
    },
    MuiPaper: { styleOverrides: { outlined: { border: '2px solid #000' } } },
    MuiOutlinedInput: { styleOverrides: { notchedOutline: { borderColor: '#000', borderWidth: 2 } } },
    MuiButton: { styleOverrides: { outlined: { borderWidth: 2, '&:hover': { borderWidth: 2 } } } },
    MuiChip: { styleOverrides: { outlined: { borderWidth: 2 } } },
  },
});

const cache = new Map<string, Theme>();
/** The theme for a contrast and language (MUI's own texts: an Alert's "Close", pagination). */
export function themeFor(highContrast: boolean, language: 'en' | 'de' = 'en'): Theme {
  const key = `${highContrast}-${language}`;
  let theme = cache.get(key);
  if (!theme) cache.set(key, (theme = createTheme(highContrast ? high : standard, language === 'de' ? deDE : enUS)));
  return theme;
}

/** The contrast setting against the system's preference (`prefers-contrast: more`, forced colours). */
export function wantsHighContrast(choice: 'auto' | 'standard' | 'high', media: (query: string) => boolean): boolean {
  if (choice !== 'auto') return choice === 'high';
  return media('(prefers-contrast: more)') || media('(forced-colors: active)');
}
