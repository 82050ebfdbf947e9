import { CssBaseline, ThemeProvider, createTheme } from '@mui/material';
import type { WhisperlineApp } from '../app';
import { AgentView } from './AgentView';

const theme = createTheme({
  // Secondary and warning darker than MUI's defaults: white text on them meets WCAG AA (4.5:1).
  palette: { mode: 'light', primary: { main: '#3b4cca' }, secondary: { main: '#0b7d5e' }, warning: { main: '#b45309' } },
  shape: { borderRadius: 10 },
  typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
});

export function App({ app }: { app: WhisperlineApp }) {
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <div onPointerDown={() => app.audio.resume()}>
        <AgentView app={app} />
      </div>
    </ThemeProvider>
  );
}
