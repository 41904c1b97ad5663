import { Autocomplete, TextField } from '@mui/material';
import { useEffect, useState } from 'react';
import { required, useInput } from 'react-admin';
import { clientName } from '../../clients/clientName';
import { callApi, messageOf } from '../../commands/studioApi';

/**
 * A client as GET /api/sessions/:id/clients-to-book answers: every caller learns whether
 * they can book; only an admin gets the balance (a trainer books, the desk sells).
 */
export interface ClientToBook {
    id: number;
    firstName: string;
    lastName: string;
    hasCredit: boolean;
    alreadyBooked: boolean;
    email?: string;
    availableSessions?: number;
    lowBalance?: boolean;
}

const describe = (client: ClientToBook) => {
    if (client.alreadyBooked) {
        return 'already booked here';
    }
    if (client.availableSessions !== undefined) {
        return `${client.availableSessions} available${client.lowBalance ? ' (low)' : ''}`;
    }
    return client.hasCredit ? 'has a session to book' : 'no sessions left';
};

const TYPING_PAUSE_MS = 250;

/** Finds a client for the session as the staff member types; the chosen one's id is the form's `userId`. */
export const ClientToBookInput = ({ sessionId, onChosen }: { sessionId: number; onChosen: (client: ClientToBook | null) => void }) => {
    const { field, fieldState } = useInput({ source: 'userId', validate: required() });
    const [text, setText] = useState('');
    const [options, setOptions] = useState<ClientToBook[]>([]);
    const [chosen, setChosen] = useState<ClientToBook | null>(null);
    const [loading, setLoading] = useState(false);
    const [refusal, setRefusal] = useState<string>();

    useEffect(() => {
        let current = true;
        const timer = setTimeout(() => {
            setLoading(true);
            callApi<ClientToBook[]>(`/api/sessions/${sessionId}/clients-to-book?q=${encodeURIComponent(text)}`, { method: 'GET' })
                .then((found) => current && (setOptions(found), setRefusal(undefined)))
                .catch((error: unknown) => current && setRefusal(messageOf(error)))
                .finally(() => current && setLoading(false));
        }, TYPING_PAUSE_MS);
        return () => {
            current = false;
            clearTimeout(timer);
        };
    }, [sessionId, text]);

    const error = refusal ?? (fieldState.invalid ? 'Required' : undefined);
    return (
        <Autocomplete<ClientToBook>
            options={chosen && !options.some((option) => option.id === chosen.id) ? [chosen, ...options] : options}
            value={chosen}
            loading={loading}
            // The API searched already; every option it answered matches.
            filterOptions={(all) => all}
            getOptionLabel={(client) => `${clientName(client)} · ${describe(client)}`}
            getOptionDisabled={(client) => client.alreadyBooked}
            isOptionEqualToValue={(option, value) => option.id === value.id}
            onInputChange={(_event, value, reason) => reason === 'input' && setText(value)}
            onChange={(_event, client) => {
                setChosen(client);
                field.onChange(client?.id ?? null);
                onChosen(client);
            }}
            onBlur={field.onBlur}
            noOptionsText={text ? 'No active client by that name or email' : 'Type a name or email'}
            renderInput={(params) => <TextField {...params} label="Client *" size="small" error={error !== undefined} helperText={error} />}
        />
    );
};
