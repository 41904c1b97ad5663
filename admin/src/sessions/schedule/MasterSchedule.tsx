import type { DateSelectArg, DatesSetArg, EventClickArg, EventContentArg, EventInput } from '@fullcalendar/core';
import type { DateClickArg, EventResizeDoneArg } from '@fullcalendar/interaction';
import interactionPlugin from '@fullcalendar/interaction';
import luxonPlugin from '@fullcalendar/luxon3';
import FullCalendar from '@fullcalendar/react';
import timeGridPlugin from '@fullcalendar/timegrid';
import dayGridPlugin from '@fullcalendar/daygrid';
import type { EventDropArg } from '@fullcalendar/core';
import { Box, FormControl, InputLabel, LinearProgress, MenuItem, Select, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { useGetList, useNotify } from 'react-admin';
import { useSearchParams } from 'react-router-dom';
import { newIdempotencyKey } from '../../commands/idempotencyKey';
import { callApi, messageOf } from '../../commands/studioApi';
import { studioHourOf, studioTimeZone } from '../../dates/formats';
import { statusLabel } from '../../status/statusLabel';
import { trainerName, useTrainers } from '../../trainers/useTrainers';
import { SessionPanel } from '../panel/SessionPanel';
import { bookedLabel, type Session } from '../session';
import { CreateSessionDialog, type Slot } from './CreateSessionDialog';

const ALL = 'all';

const clock = (hour: number) => `${String(hour).padStart(2, '0')}:00:00`;

/** The working day (06:00–22:00), widened to the hour so that a session before or after it still shows. */
const visibleHours = (sessions: Session[]) => {
    let first = 6;
    let last = 22;
    for (const session of sessions) {
        const start = studioHourOf(session.startsAt);
        // A session ending after midnight runs to the end of the grid.
        const end = studioHourOf(session.endsAt) <= start ? 24 : studioHourOf(session.endsAt);
        first = Math.min(first, Math.floor(start));
        last = Math.max(last, Math.ceil(end));
    }
    return { slotMinTime: clock(first), slotMaxTime: clock(last) };
};

const SessionBlock = ({ event, timeText }: EventContentArg) => {
    const session = event.extendedProps.session as Session | undefined;
    // The selection's mirror, while a slot is being dragged over, is no session yet.
    if (!session) {
        return <Box sx={{ px: 0.5, fontSize: '0.75rem' }}>{timeText} New session</Box>;
    }
    return (
        <Box sx={{ px: 0.5, overflow: 'hidden', lineHeight: 1.25, fontSize: '0.75rem' }}>
            <Box component="span" sx={{ fontWeight: 600 }}>
                {timeText}
            </Box>{' '}
            {session.trainerName}
            <Box>
                {bookedLabel(session)}
                {session.status !== 'available' && ` · ${statusLabel(session.status)}`}
            </Box>
        </Box>
    );
};

/**
 * The Master Schedule: a week or day of sessions, coloured by trainer. Click or drag over
 * an empty slot to create one; drag or resize a session to move it (the API says no and it
 * snaps back); click one for its roster.
 */
export const MasterSchedule = () => {
    const notify = useNotify();
    const { trainers, colourOf, isAdmin } = useTrainers();
    const [range, setRange] = useState<{ from: string; to: string }>();
    const [trainerFilter, setTrainerFilter] = useState<string>(ALL);
    const [slot, setSlot] = useState<Slot>();
    // The open session lives in the URL, so the list, a link or the back button can open it.
    const [params, setParams] = useSearchParams();
    const openSessionId = params.get('session') ? Number(params.get('session')) : undefined;
    const setOpenSessionId = (id: number | undefined) => setParams(id === undefined ? {} : { session: String(id) });

    const {
        data: sessions = [],
        isFetching,
        refetch,
    } = useGetList<Session>(
        'sessions',
        {
            pagination: { page: 1, perPage: 500 },
            sort: { field: 'startsAt', order: 'ASC' },
            filter: { ...range, ...(trainerFilter === ALL ? {} : { trainerId: Number(trainerFilter) }) },
        },
        { enabled: range !== undefined },
    );

    const events: EventInput[] = sessions.map((session) => ({
        id: String(session.id),
        start: session.startsAt,
        end: session.endsAt,
        backgroundColor: colourOf(session.trainerId),
        borderColor: colourOf(session.trainerId),
        classNames: [`session-${session.status}`],
        extendedProps: { session },
    }));

    const move = async (change: EventDropArg | EventResizeDoneArg) => {
        const { event } = change;
        if (!event.start || !event.end) {
            change.revert();
            return;
        }
        const durationMinutes = Math.round((event.end.getTime() - event.start.getTime()) / 60_000);
        try {
            await callApi(`/api/sessions/${event.id}`, {
                method: 'PATCH',
                idempotencyKey: newIdempotencyKey(),
                body: { startsAt: event.start.toISOString(), durationMinutes },
            });
            notify('Session moved; booked clients keep their seats.', { type: 'success' });
        } catch (error) {
            change.revert();
            notify(messageOf(error), { type: 'error' });
        }
        await refetch();
    };

    return (
        <Box sx={{ mt: 1 }}>
            <Stack direction="row" sx={{ alignItems: 'center', gap: 2, mb: 1, flexWrap: 'wrap' }}>
                {isAdmin && (
                    <FormControl size="small" sx={{ width: 260 }}>
                        <InputLabel id="trainer-filter-label">Trainer</InputLabel>
                        <Select
                            labelId="trainer-filter-label"
                            label="Trainer"
                            value={trainerFilter}
                            onChange={(event) => setTrainerFilter(event.target.value)}
                        >
                            <MenuItem value={ALL}>All trainers</MenuItem>
                            {trainers.map((trainer) => (
                                <MenuItem key={trainer.id} value={String(trainer.id)}>
                                    <Box
                                        component="span"
                                        sx={{ width: 12, height: 12, borderRadius: '50%', mr: 1, bgcolor: colourOf(trainer.id) }}
                                    />
                                    {trainerName(trainer)}
                                </MenuItem>
                            ))}
                        </Select>
                    </FormControl>
                )}
                <Typography variant="body2" color="text.secondary">
                    Click or drag over an empty slot to add a session; drag a session to move it; click it for its clients.
                </Typography>
            </Stack>
            <Box sx={{ height: 4 }}>{isFetching && <LinearProgress />}</Box>
            <Box
                sx={{
                    '& .fc-event': { cursor: 'pointer' },
                    // Tall enough that a 45-minute session shows its start, trainer and bookings.
                    '& .fc-timegrid-slot': { height: '1.8em' },
                    '& .session-cancelled': { opacity: 0.45, textDecoration: 'line-through' },
                    '& .session-completed, & .session-no_show': { opacity: 0.75 },
                    '& .fc .fc-toolbar-title': { fontSize: '1.25rem' },
                }}
            >
                <FullCalendar
                    plugins={[timeGridPlugin, dayGridPlugin, interactionPlugin, luxonPlugin]}
                    // The studio's clock whatever the browser's; with the plugin every Date the calendar hands back is a true instant.
                    timeZone={studioTimeZone()}
                    initialView="timeGridWeek"
                    headerToolbar={{ left: 'prev,next today', center: 'title', right: 'timeGridWeek,timeGridDay' }}
                    buttonText={{ today: 'Today', week: 'Week', day: 'Day' }}
                    firstDay={1}
                    allDaySlot={false}
                    {...visibleHours(sessions)}
                    slotDuration="00:30:00"
                    scrollTime="07:00:00"
                    height="auto"
                    // The block's length shows the end; the start and the trainer then fit on one line.
                    displayEventEnd={false}
                    nowIndicator
                    selectable
                    selectMirror
                    editable
                    eventDurationEditable
                    events={events}
                    eventContent={SessionBlock}
                    datesSet={(dates: DatesSetArg) => setRange({ from: dates.start.toISOString(), to: dates.end.toISOString() })}
                    select={(selection: DateSelectArg) => {
                        selection.view.calendar.unselect();
                        setSlot({ start: selection.start, end: selection.end });
                    }}
                    // A plain click is no selection in FullCalendar; it picks the slot's start.
                    dateClick={(click: DateClickArg) => setSlot({ start: click.date, end: click.date })}
                    eventClick={(click: EventClickArg) => setOpenSessionId(Number(click.event.id))}
                    eventDrop={move}
                    eventResize={move}
                />
            </Box>
            {slot && (
                <CreateSessionDialog
                    slot={slot}
                    trainers={trainers}
                    defaultTrainerId={trainerFilter === ALL ? trainers[0]?.id : Number(trainerFilter)}
                    onClose={() => setSlot(undefined)}
                    onCreated={() => {
                        setSlot(undefined);
                        void refetch();
                    }}
                />
            )}
            <SessionPanel sessionId={openSessionId} onClose={() => setOpenSessionId(undefined)} onChanged={() => void refetch()} />
        </Box>
    );
};
