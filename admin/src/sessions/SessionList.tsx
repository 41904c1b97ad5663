import { DataTable, DateField, DateInput, List, ReferenceInput, SelectInput, TextField, usePermissions } from 'react-admin';
import { startOfStudioDay, studioDateOf, studioToday, WHEN } from '../dates/formats';
import { EmptyState } from '../layout/EmptyState';
import { statusChoices } from '../status/statusLabel';
import { StatusField } from '../status/StatusField';

const SESSION_STATUSES = statusChoices(['available', 'scheduled', 'confirmed', 'completed', 'cancelled', 'no_show']);

const commonFilters = [
    <SelectInput key="status" source="status" choices={SESSION_STATUSES} alwaysOn />,
    <DateInput key="from" source="from" label="From" parse={startOfStudioDay} format={studioDateOf} alwaysOn />,
    <DateInput key="to" source="to" label="Before" parse={startOfStudioDay} format={studioDateOf} alwaysOn />,
];
// The API shows trainers only their own sessions, so only admins pick a trainer.
const adminFilters = [
    <ReferenceInput key="trainerId" source="trainerId" reference="trainers" alwaysOn>
        <SelectInput label="Trainer" />
    </ReferenceInput>,
    ...commonFilters,
];

/** The schedule as a table: from today on, earliest first. */
export const SessionList = () => {
    const { permissions } = usePermissions<string>();
    return (
        <List
            filters={permissions === 'admin' ? adminFilters : commonFilters}
            filterDefaultValues={{ from: startOfStudioDay(studioToday()) }}
            sort={{ field: 'startsAt', order: 'ASC' }}
            perPage={25}
            // The schedule page above titles it.
            title={false}
            // It lives in a tab of the schedule, whose URL says which tab and which session is open.
            disableSyncWithLocation
        >
            <DataTable
                rowClick={(id) => `/sessions?session=${id}`}
                bulkActionButtons={false}
                empty={<EmptyState message="No sessions match." action="Add one on the schedule" to="/sessions" />}
            >
                <DataTable.Col source="startsAt" label="Starts at">
                    <DateField source="startsAt" showTime options={WHEN} />
                </DataTable.Col>
                <DataTable.NumberCol source="durationMinutes" label="Minutes" />
                <DataTable.Col source="trainerId" label="Trainer">
                    <TextField source="trainerName" />
                </DataTable.Col>
                <DataTable.NumberCol source="capacity" />
                <DataTable.NumberCol source="bookedCount" label="Booked" />
                <DataTable.Col source="status">
                    <StatusField />
                </DataTable.Col>
                <DataTable.Col source="location" disableSort />
            </DataTable>
        </List>
    );
};
