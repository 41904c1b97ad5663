import { Alert, Button, IconButton, LinearProgress, List, ListItem, ListItemText, Stack, Tooltip, Typography } from '@mui/material';
import PersonRemoveIcon from '@mui/icons-material/PersonRemove';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Form, useNotify, usePermissions } from 'react-admin';
import { useFormState } from 'react-hook-form';
import { clientName } from '../../clients/clientName';
import { callApi, messageOf } from '../../commands/studioApi';
import { formatWhen } from '../../dates/formats';
import { StatusChip } from '../../status/StatusField';
import type { Session } from '../session';
import { ClientToBookInput, type ClientToBook } from './ClientToBookInput';

/** An entry as GET /api/sessions/:id/waitlist answers it. */
export interface WaitlistEntry {
    id: number;
    clientId: number;
    clientName: string;
    state: 'waiting' | 'promoted' | 'skipped' | 'left' | 'expired' | 'cancelled';
    position: number | null;
    joinedAt: string;
    offered: boolean;
    closedAt: string | null;
    closeReason: string | null;
}

const AddButton = () => {
    const { isSubmitting } = useFormState();
    return (
        <Button type="submit" variant="outlined" disabled={isSubmitting}>
            Add to waitlist
        </Button>
    );
};

/** What became of an entry, in the desk's words. */
const entryDetail = (entry: WaitlistEntry) =>
    entry.state === 'waiting'
        ? entry.offered
            ? 'A freed seat is being booked for them now'
            : `Joined ${formatWhen(entry.joinedAt)}`
        : `${entry.closeReason ?? ''} ${entry.closedAt ? formatWhen(entry.closedAt) : ''}`.trim();

/**
 * The session's waitlist: who waits in which order, what became of the others, and (for
 * admins) adding a client to a full session or taking one off. The waitlist's workflow does
 * the promoting; this only shows it (the live stream refreshes it).
 */
export const Waitlist = ({ session }: { session: Session }) => {
    const notify = useNotify();
    const queryClient = useQueryClient();
    const { permissions } = usePermissions<string>();
    const [formKey, setFormKey] = useState(0);
    const [refusal, setRefusal] = useState<string>();
    const [chosen, setChosen] = useState<ClientToBook | null>(null);
    const { data: entries, isPending } = useQuery({
        queryKey: ['waitlist', session.id],
        queryFn: () => callApi<WaitlistEntry[]>(`/api/sessions/${session.id}/waitlist`, { method: 'GET' }),
    });
    const refresh = () => void queryClient.invalidateQueries({ queryKey: ['waitlist', session.id] });
    const isAdmin = permissions === 'admin';
    const full = session.seatsLeft === 0;

    const add = async (values: { userId?: number }) => {
        setRefusal(undefined);
        try {
            const entry = await callApi<WaitlistEntry>(`/api/sessions/${session.id}/waitlist`, { body: { userId: values.userId } });
            notify(`${entry.clientName} is number ${entry.position} on the waitlist.`, { type: 'success' });
            setFormKey((previous) => previous + 1);
            setChosen(null);
            refresh();
        } catch (error) {
            setRefusal(messageOf(error));
        }
    };
    const remove = async (entry: WaitlistEntry) => {
        try {
            await callApi(`/api/sessions/${session.id}/waitlist/${entry.clientId}`, { method: 'DELETE' });
            notify(`${entry.clientName} is off the waitlist.`, { type: 'success' });
            refresh();
        } catch (error) {
            notify(messageOf(error), { type: 'error' });
        }
    };

    if (isPending) {
        return <LinearProgress />;
    }
    const list = entries ?? [];
    const waiting = list.filter((entry) => entry.state === 'waiting').length;
    return (
        <Stack sx={{ gap: 1 }}>
            <Typography variant="overline" component="h3">
                Waitlist{waiting > 0 ? ` · ${waiting} waiting` : ''}
            </Typography>
            {list.length === 0 ? (
                <Typography variant="body2" color="text.secondary">
                    {session.status === 'cancelled'
                        ? 'Nobody was on the waitlist.'
                        : full
                          ? 'Nobody is waiting for a seat.'
                          : 'The waitlist opens when the session is full.'}
                </Typography>
            ) : (
                <List dense disablePadding aria-label="Waitlist">
                    {list.map((entry) => (
                        <ListItem
                            key={entry.id}
                            disableGutters
                            secondaryAction={
                                isAdmin && entry.state === 'waiting' && !entry.offered ? (
                                    <Tooltip title="Take off the waitlist">
                                        <IconButton
                                            aria-label={`Remove ${entry.clientName} from the waitlist`}
                                            onClick={() => void remove(entry)}
                                        >
                                            <PersonRemoveIcon />
                                        </IconButton>
                                    </Tooltip>
                                ) : undefined
                            }
                        >
                            <ListItemText
                                primary={entry.position ? `${entry.position}. ${entry.clientName}` : entry.clientName}
                                secondary={
                                    <Stack component="span" direction="row" sx={{ gap: 1, mt: 0.5, alignItems: 'center' }}>
                                        <StatusChip status={entry.state} />
                                        <Typography component="span" variant="caption" color="text.secondary">
                                            {entryDetail(entry)}
                                        </Typography>
                                    </Stack>
                                }
                                slotProps={{ secondary: { component: 'span' } }}
                            />
                        </ListItem>
                    ))}
                </List>
            )}
            {isAdmin && full && session.status !== 'cancelled' && (
                <Form key={formKey} onSubmit={add}>
                    <Stack sx={{ gap: 1 }}>
                        {refusal && <Alert severity="error">{refusal}</Alert>}
                        <ClientToBookInput sessionId={session.id} onChosen={setChosen} />
                        {chosen && !chosen.hasCredit && (
                            <Alert severity="info">
                                {clientName(chosen)} has no credit now: a freed seat skips them unless they buy one first.
                            </Alert>
                        )}
                        <Stack direction="row" sx={{ justifyContent: 'flex-end' }}>
                            <AddButton />
                        </Stack>
                    </Stack>
                </Form>
            )}
        </Stack>
    );
};
