import { Box } from '@mui/material';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';

// Visually hidden, still read: the usual "sr-only" box.
const hidden = { position: 'absolute', width: 1, height: 1, p: 0, m: -1, overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap', border: 0 } as const;

/**
 * The page's two live regions: an incoming call interrupts (assertive), everything else waits for
 * a pause (polite). Always in the page, so screen readers have them registered before text arrives.
 */
export function LiveAnnouncer() {
  const a = useStore(phoneStore, (s) => s.announcement);
  return (
    <>
      <Box sx={hidden} role="status" aria-live="polite" aria-atomic="true" data-testid="announce-polite">
        {a && !a.urgent ? <span key={a.seq}>{a.text}</span> : null}
      </Box>
      <Box sx={hidden} role="alert" aria-live="assertive" aria-atomic="true" data-testid="announce-urgent">
        {a?.urgent ? <span key={a.seq}>{a.text}</span> : null}
      </Box>
    </>
  );
}
