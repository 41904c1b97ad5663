import MoreVertIcon from '@mui/icons-material/MoreVert';
import { IconButton, LinearProgress, List, ListItem, ListItemText, Menu, MenuItem, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { StatusChip } from '../../status/StatusField';
import { isLive, MARK_LABELS, type Booking, type Mark, type Session } from '../session';
import { CancelBookingDialog } from './CancelBookingDialog';

const BookingActions = ({ booking, onMark, onCancel }: { booking: Booking; onMark: (action: Mark) => void; onCancel: () => void }) => {
    const [anchor, setAnchor] = useState<HTMLElement | null>(null);
    const choose = (action: () => void) => () => {
        setAnchor(null);
        action();
    };
    return (
        <>
            <IconButton aria-label={`Actions for ${booking.clientName}`} onClick={(event) => setAnchor(event.currentTarget)}>
                <MoreVertIcon />
            </IconButton>
            <Menu anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
                {(Object.keys(MARK_LABELS) as Mark[]).map((action) => (
                    <MenuItem key={action} onClick={choose(() => onMark(action))}>
                        {MARK_LABELS[action]}
                    </MenuItem>
                ))}
                <MenuItem onClick={choose(onCancel)} sx={{ color: 'error.main' }}>
                    Cancel booking
                </MenuItem>
            </Menu>
        </>
    );
};

/** Who holds a seat, with what credit, and the marks and cancel for each live booking. */
export const Roster = ({
    session,
    bookings,
    isPending,
    onMark,
    onChanged,
}: {
    session: Session;
    bookings: Booking[];
    isPending: boolean;
    onMark: (action: Mark, booking: Booking) => void;
    onChanged: () => void;
}) => {
    const [cancelling, setCancelling] = useState<Booking>();
    if (isPending) {
        return <LinearProgress />;
    }
    return (
        <>
            <Typography variant="overline" component="h3">
                Clients
            </Typography>
            {bookings.length === 0 ? (
                <Typography variant="body2" color="text.secondary">
                    Nobody is booked yet. Book a client below.
                </Typography>
            ) : (
                <List dense disablePadding aria-label="Booked clients">
                    {bookings.map((booking) => (
                        <ListItem
                            key={booking.id}
                            disableGutters
                            secondaryAction={
                                isLive(booking) ? (
                                    <BookingActions
                                        booking={booking}
                                        onMark={(action) => onMark(action, booking)}
                                        onCancel={() => setCancelling(booking)}
                                    />
                                ) : undefined
                            }
                        >
                            <ListItemText
                                primary={booking.clientName}
                                secondary={
                                    <Stack component="span" direction="row" sx={{ gap: 1, mt: 0.5 }}>
                                        <StatusChip status={booking.status} />
                                        <StatusChip
                                            status={booking.complimentary ? 'complimentary' : booking.creditState}
                                            prefix={booking.complimentary ? undefined : 'Credit'}
                                        />
                                    </Stack>
                                }
                                slotProps={{ secondary: { component: 'span' } }}
                            />
                        </ListItem>
                    ))}
                </List>
            )}
            {cancelling && (
                <CancelBookingDialog
                    session={session}
                    booking={cancelling}
                    onClose={() => setCancelling(undefined)}
                    onCancelled={() => {
                        setCancelling(undefined);
                        onChanged();
                    }}
                />
            )}
        </>
    );
};
