import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import { useNotify } from 'react-admin';
import { newIdempotencyKey } from '../../commands/idempotencyKey';
import { callApi, messageOf } from '../../commands/studioApi';
import type { Booking, Session } from '../session';

interface CancelledSession {
    cancelledBookings: Array<{ credit: string }> | null;
    pending?: boolean;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Cancels the whole session; every booked client's credit goes back (the API's session-cancel workflow). */
export const CancelSessionDialog = ({
    session,
    bookings,
    onClose,
    onCancelled,
}: {
    session: Session;
    /** The live bookings. */
    bookings: Booking[];
    onClose: () => void;
    onCancelled: () => void;
}) => {
    const notify = useNotify();
    const [idempotencyKey] = useState(newIdempotencyKey);
    const [reason, setReason] = useState('');
    const [busy, setBusy] = useState(false);
    const [refusal, setRefusal] = useState<string>();
    const held = bookings.filter((booking) => booking.creditState === 'held').length;

    const cancel = async () => {
        setBusy(true);
        setRefusal(undefined);
        try {
            const answer = await callApi<CancelledSession>(`/api/sessions/${session.id}`, {
                method: 'PATCH',
                idempotencyKey,
                body: { status: 'cancelled', ...(reason.trim() ? { reason: reason.trim() } : {}) },
            });
            const returned = answer.cancelledBookings?.filter((outcome) => outcome.credit === 'released').length;
            notify(
                returned === undefined
                    ? 'Session cancelled; the bookings are being cancelled and their credits returned.'
                    : `Session cancelled; ${plural(returned, 'credit')} went back to clients.`,
                { type: 'success' },
            );
            onCancelled();
        } catch (error) {
            setRefusal(messageOf(error));
            setBusy(false);
        }
    };

    return (
        <Dialog open onClose={onClose} maxWidth="xs" fullWidth aria-labelledby="cancel-session-title">
            <DialogTitle id="cancel-session-title">Cancel this session?</DialogTitle>
            <DialogContent>
                <Stack sx={{ gap: 2 }}>
                    {refusal && <Alert severity="error">{refusal}</Alert>}
                    <DialogContentText>
                        {bookings.length === 0
                            ? 'Nobody is booked.'
                            : `${plural(bookings.length, 'booked client')}: ${plural(held, 'credit')} go${held === 1 ? 'es' : ''} back.`}
                    </DialogContentText>
                    <TextField
                        label="Reason (kept with each cancelled booking)"
                        value={reason}
                        onChange={(event) => setReason(event.target.value)}
                        size="small"
                    />
                </Stack>
            </DialogContent>
            <DialogActions>
                <Button onClick={onClose}>Keep session</Button>
                <Button color="error" variant="contained" disabled={busy} onClick={() => void cancel()}>
                    Cancel session
                </Button>
            </DialogActions>
        </Dialog>
    );
};
