import { Button, Box } from '@mui/material';

const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

export function Dialpad({ onKey }: { onKey: (key: string) => void }) {
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: 'repeat(3, 1fr)', gap: 0.75 }}>
      {keys.map((k) => (
        <Button key={k} variant="outlined" data-testid={`key-${k}`} onClick={() => onKey(k)} sx={{ fontSize: 18, py: 0.5 }}>
          {k}
        </Button>
      ))}
    </Box>
  );
}
