import { Alert, Button, Stack } from '@mui/material';
import type { Phone } from '../sip/phone';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';

/** Supervisor side: a supervised call was transferred; one click follows it to its new leg. */
export function RejoinOffers({ phone }: { phone: Phone }) {
  const offers = useStore(phoneStore, (s) => s.rejoinOffers);
  if (!offers.length) return null;
  return (
    <Stack spacing={1}>
      {offers.map((o) => (
        <Alert
          key={o.id}
          severity="info"
          data-testid="rejoin-offer"
          data-to={o.to}
          onClose={() => phone.supervision.follow.dismiss(o.id)}
          action={
            <Button size="small" color="inherit" data-testid="rejoin" onClick={() => void phone.supervision.follow.rejoin(o.id)}>
              Rejoin ({o.mode})
            </Button>
          }
        >
          {o.from} transferred the call you were supervising to {o.to}.
        </Alert>
      ))}
    </Stack>
  );
}
