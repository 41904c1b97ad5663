import { Box, LinearProgress, List, ListItem, ListItemButton, ListItemText, Typography } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { usePermissions } from 'react-admin';
import { formatTime, formatWeekday } from '../dates/formats';
import { EmptyState } from '../layout/EmptyState';
import { SessionPanel } from '../sessions/panel/SessionPanel';
import { bookedLabel } from '../sessions/session';
import { StatusChip } from '../status/StatusField';
import { DashboardCard } from './DashboardCard';
import { useDashboard } from './useDashboard';

/**
 * Today at the studio, earliest first (a trainer's own sessions only). A click opens the
 * session's panel right here, with its roster and every action on it.
 */
export const TodaySchedule = () => {
    const { permissions } = usePermissions<string>();
    const { data, error } = useDashboard();
    const queryClient = useQueryClient();
    const [openSessionId, setOpenSessionId] = useState<number>();
    // Marks reach the bookings' workflows a moment after they are sent, so the list is read again once the panel closes too.
    const reread = () => void queryClient.invalidateQueries({ queryKey: ['dashboard'] });
    const title = permissions === 'trainer' ? 'My sessions today' : "Today's schedule";

    return (
        <DashboardCard title={title}>
            {error && <Typography color="error">Could not load today's sessions: {error.message}</Typography>}
            {!data && !error && <LinearProgress />}
            {data && (
                <>
                    <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                        {formatWeekday(data.periods.today.from)}
                    </Typography>
                    {data.schedule.length === 0 ? (
                        <EmptyState message="No sessions today." action="Open the schedule" to="/sessions" />
                    ) : (
                        <List dense disablePadding aria-label={title}>
                            {data.schedule.map((session) => (
                                <ListItem key={session.id} disablePadding>
                                    <ListItemButton onClick={() => setOpenSessionId(session.id)}>
                                        <Box sx={{ width: 180, flexShrink: 0, fontWeight: 600, whiteSpace: 'nowrap' }}>
                                            {formatTime(session.startsAt)} – {formatTime(session.endsAt)}
                                        </Box>
                                        <ListItemText
                                            primary={session.trainerName}
                                            secondary={session.location ?? undefined}
                                            sx={{ minWidth: 0 }}
                                        />
                                        <Typography variant="body2" sx={{ width: 90, flexShrink: 0, textAlign: 'right', mr: 2 }}>
                                            {bookedLabel(session)}
                                        </Typography>
                                        <Box sx={{ width: 110, flexShrink: 0 }}>
                                            <StatusChip status={session.status} />
                                        </Box>
                                    </ListItemButton>
                                </ListItem>
                            ))}
                        </List>
                    )}
                </>
            )}
            <SessionPanel
                sessionId={openSessionId}
                onClose={() => {
                    setOpenSessionId(undefined);
                    reread();
                }}
                onChanged={reread}
            />
        </DashboardCard>
    );
};
