import CloseIcon from '@mui/icons-material/Close';
import { Box, Button, ButtonGroup, Divider, Drawer, IconButton, LinearProgress, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useGetList, useGetOne, useNotify, usePermissions } from 'react-admin';
import { callApi, messageOf } from '../../commands/studioApi';
import { formatTime, formatWhen } from '../../dates/formats';
import { StatusChip } from '../../status/StatusField';
import { bookedLabel, isLive, MARK_LABELS, type Booking, type Mark, type Session } from '../session';
import { BookClientForm } from './BookClientForm';
import { CancelSeriesDialog } from './CancelSeriesDialog';
import { CancelSessionDialog } from './CancelSessionDialog';
import { EditSeriesDialog } from './EditSeriesDialog';
import { Roster } from './Roster';
import { Waitlist } from './Waitlist';

const MARK_DONE: Record<Mark, string> = { confirm: 'marked confirmed', complete: 'marked completed', 'no-show': 'marked as a no-show' };

/** Marks are signals the bookings' workflows apply a moment later, so the roster is re-read for a few seconds. */
const FOLLOW_UP_MS = 6_000;

const timeRange = (session: Session) => `${formatWhen(session.startsAt)} – ${formatTime(session.endsAt)}`;

/** One session's side panel: who is booked, and everything the desk does with them. */
export const SessionPanel = ({
    sessionId,
    onClose,
    onChanged,
}: {
    sessionId: number | undefined;
    onClose: () => void;
    onChanged: () => void;
}) => {
    const notify = useNotify();
    const { permissions } = usePermissions<string>();
    const [followUntil, setFollowUntil] = useState(0);
    const [cancelling, setCancelling] = useState(false);
    const [seriesAction, setSeriesAction] = useState<'edit' | 'cancel'>();
    const following = followUntil > Date.now();
    const open = sessionId !== undefined;

    const { data: session, refetch: refetchSession } = useGetOne<Session>(
        'sessions',
        { id: sessionId ?? 0 },
        { enabled: open, refetchInterval: following ? 800 : false },
    );
    const {
        data: bookings = [],
        isPending,
        refetch: refetchRoster,
    } = useGetList<Booking>(
        'bookings',
        { filter: { sessionId }, sort: { field: 'id', order: 'ASC' }, pagination: { page: 1, perPage: 100 } },
        { enabled: open, refetchInterval: following ? 800 : false },
    );

    useEffect(() => {
        if (!following) {
            return;
        }
        const timer = setTimeout(() => setFollowUntil(0), followUntil - Date.now());
        return () => clearTimeout(timer);
    }, [following, followUntil]);

    const changed = () => {
        void refetchSession();
        void refetchRoster();
        onChanged();
    };

    const mark = async (action: Mark, booking?: Booking) => {
        try {
            await callApi(`/api/sessions/${sessionId}/${action}`, { body: booking ? { userId: booking.clientId } : {} });
            notify(booking ? `${booking.clientName}: ${MARK_DONE[action]}.` : `Every booked client ${MARK_DONE[action]}.`, {
                type: 'success',
            });
            setFollowUntil(Date.now() + FOLLOW_UP_MS);
            changed();
        } catch (error) {
            notify(messageOf(error), { type: 'error' });
        }
    };

    const live = bookings.filter(isLive);
    return (
        <Drawer
            anchor="right"
            open={open}
            onClose={onClose}
            slotProps={{ paper: { sx: { width: 460, p: 2 }, 'aria-labelledby': 'session-panel-title' } }}
        >
            <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between' }}>
                <Typography variant="h6" id="session-panel-title">
                    Session
                </Typography>
                <IconButton aria-label="Close the session panel" onClick={onClose}>
                    <CloseIcon />
                </IconButton>
            </Stack>
            {!session ? (
                <LinearProgress />
            ) : (
                <Stack sx={{ gap: 2 }}>
                    <Box>
                        <Typography variant="subtitle1">{timeRange(session)}</Typography>
                        <Typography variant="body2" color="text.secondary">
                            {session.trainerName}
                            {session.location ? ` · ${session.location}` : ''}
                        </Typography>
                        <Stack direction="row" sx={{ gap: 1, mt: 1, alignItems: 'center' }}>
                            <StatusChip status={session.status} />
                            <Typography variant="body2">{bookedLabel(session)}</Typography>
                        </Stack>
                    </Box>
                    {live.length > 0 && (
                        <Box>
                            <Typography variant="overline" component="p">
                                Whole roster
                            </Typography>
                            <ButtonGroup size="small" variant="outlined">
                                {(Object.keys(MARK_LABELS) as Mark[]).map((action) => (
                                    <Button key={action} onClick={() => void mark(action)}>
                                        {MARK_LABELS[action]} all
                                    </Button>
                                ))}
                            </ButtonGroup>
                        </Box>
                    )}
                    <Divider />
                    <Roster
                        session={session}
                        bookings={bookings}
                        isPending={isPending}
                        onMark={(action, booking) => void mark(action, booking)}
                        onChanged={changed}
                    />
                    <Divider />
                    <Waitlist session={session} />
                    {session.status !== 'cancelled' && (
                        <>
                            <Divider />
                            <BookClientForm key={session.id} session={session} onBooked={changed} />
                        </>
                    )}
                    {permissions === 'admin' && session.status !== 'cancelled' && (
                        <>
                            <Divider />
                            <Stack direction="row" sx={{ gap: 1, flexWrap: 'wrap' }}>
                                <Button color="error" variant="outlined" onClick={() => setCancelling(true)}>
                                    Cancel this session
                                </Button>
                                {session.seriesId && !['completed', 'no_show'].includes(session.status) && (
                                    <>
                                        <Button variant="outlined" onClick={() => setSeriesAction('edit')}>
                                            Edit series from here
                                        </Button>
                                        <Button color="error" variant="outlined" onClick={() => setSeriesAction('cancel')}>
                                            Cancel series from here
                                        </Button>
                                    </>
                                )}
                            </Stack>
                        </>
                    )}
                    {/* Not under the buttons' condition: a cancel's live update marks the session cancelled before its dialog has the answer. */}
                    {seriesAction === 'edit' && (
                        <EditSeriesDialog session={session} onClose={() => setSeriesAction(undefined)} onEdited={changed} />
                    )}
                    {seriesAction === 'cancel' && (
                        <CancelSeriesDialog session={session} onClose={() => setSeriesAction(undefined)} onCancelled={changed} />
                    )}
                    {cancelling && (
                        <CancelSessionDialog
                            session={session}
                            bookings={live}
                            onClose={() => setCancelling(false)}
                            onCancelled={() => {
                                setCancelling(false);
                                changed();
                            }}
                        />
                    )}
                </Stack>
            )}
        </Drawer>
    );
};
