import { AutocompleteInput, List, ReferenceInput, SelectInput, usePermissions } from 'react-admin';
import { statusChoices } from '../status/statusLabel';
import { EmptyState } from '../layout/EmptyState';
import { BookingEntries } from './BookingEntries';

const STATUSES = statusChoices(['scheduled', 'confirmed', 'completed', 'cancelled', 'late_cancelled', 'no_show']);

// Trainers see only their sessions' bookings and cannot browse clients, so the client filter is the admins'.
const adminFilters = [
    <ReferenceInput key="clientId" source="clientId" reference="clients" alwaysOn>
        <AutocompleteInput label="Client" sx={{ minWidth: 240 }} />
    </ReferenceInput>,
    <SelectInput key="status" source="status" choices={STATUSES} alwaysOn />,
];
const trainerFilters = [<SelectInput key="status" source="status" choices={STATUSES} alwaysOn />];

export const BookingList = () => {
    const { permissions } = usePermissions<string>();
    return (
        <List
            filters={permissions === 'admin' ? adminFilters : trainerFilters}
            sort={{ field: 'id', order: 'DESC' }}
            perPage={25}
            empty={<EmptyState message="No bookings yet." action="Book clients from the schedule" to="/sessions" />}
        >
            <BookingEntries />
        </List>
    );
};
