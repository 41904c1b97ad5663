import { Link, useCreatePath, useGetOne, useRecordContext } from 'react-admin';

const SYSTEM_ACTORS: Record<string, string> = { system: 'The studio (automatic)', stripe: 'Stripe', test: 'Test' };
const RESOURCE_BY_ROLE: Record<string, string> = { client: 'clients', trainer: 'trainers', admin: 'staff' };

interface Person {
    id: string | number;
    firstName: string;
    lastName: string;
}

const PersonName = ({ resource, id }: { resource: string; id: string }) => {
    const createPath = useCreatePath();
    const { data } = useGetOne<Person>(resource, { id });
    if (!data) {
        return <span>…</span>;
    }
    const name = `${data.firstName} ${data.lastName}`;
    if (resource !== 'clients') {
        return <span>{name}</span>;
    }
    return (
        <Link to={createPath({ resource, id, type: 'show' })} onClick={(event: React.MouseEvent) => event.stopPropagation()}>
            {name}
        </Link>
    );
};

/** Who did it (`client:5`, `admin:1`, `stripe`), as a name. */
export const ActorField = ({ source = 'actor' }: { source?: string; label?: string }) => {
    const record = useRecordContext<Record<string, unknown>>();
    const actor = record?.[source];
    if (typeof actor !== 'string') {
        return null;
    }
    const [role = '', id] = actor.split(':');
    if (id === undefined) {
        return <span>{SYSTEM_ACTORS[role] ?? actor}</span>;
    }
    const resource = RESOURCE_BY_ROLE[role];
    return resource ? <PersonName resource={resource} id={id} /> : <span>{actor}</span>;
};
