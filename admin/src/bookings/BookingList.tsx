import {
    AutocompleteInput,
    BooleanField,
    ChipField,
    DataTable,
    DateField,
    List,
    ReferenceField,
    ReferenceInput,
    SelectInput,
    TextField,
    usePermissions,
} from 'react-admin';
import { WorkflowLinkField } from '../workflows/WorkflowLinkField';

const STATUSES = ['scheduled', 'confirmed', 'completed', 'cancelled', 'late_cancelled', 'no_show'].map(status => ({
    id: status,
    name: status.replace('_', ' '),
}));

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
        >
            <DataTable rowClick={false} bulkActionButtons={false}>
                <DataTable.Col source="startsAt" label="Session">
                    <ReferenceField source="sessionId" reference="sessions" link="show">
                        <DateField source="startsAt" showTime />
                    </ReferenceField>
                </DataTable.Col>
                <DataTable.Col source="clientId" label="Client">
                    {permissions === 'admin' ? (
                        <ReferenceField source="clientId" reference="clients" link="show" />
                    ) : (
                        <TextField source="clientName" />
                    )}
                </DataTable.Col>
                <DataTable.Col source="status">
                    <ChipField source="status" size="small" />
                </DataTable.Col>
                <DataTable.Col source="creditState" label="Credit" disableSort />
                <DataTable.Col source="complimentary" disableSort>
                    <BooleanField source="complimentary" />
                </DataTable.Col>
                <DataTable.Col source="bookedAt" label="Booked">
                    <DateField source="bookedAt" showTime />
                </DataTable.Col>
                <DataTable.Col source="cancelledAt" label="Cancelled">
                    <DateField source="cancelledAt" showTime />
                </DataTable.Col>
                <DataTable.Col source="workflowId" label="Workflow" disableSort>
                    <WorkflowLinkField />
                </DataTable.Col>
            </DataTable>
        </List>
    );
};
