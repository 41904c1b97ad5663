import { BooleanField, DataTable, DateField, ReferenceField, TextField, usePermissions } from 'react-admin';
import { WHEN } from '../dates/formats';
import { EmptyState } from '../layout/EmptyState';
import { StatusField } from '../status/StatusField';
import { WorkflowLinkField } from '../workflows/WorkflowLinkField';

/** Booking rows: in the bookings list and in a client's page (without the client column there). */
export const BookingEntries = ({ showClient = true }: { showClient?: boolean }) => {
    const { permissions } = usePermissions<string>();
    const isAdmin = permissions === 'admin';
    return (
        <DataTable
            rowClick={false}
            bulkActionButtons={false}
            empty={<EmptyState message="No bookings here yet." action="Open the schedule" to="/sessions" />}
        >
            <DataTable.Col source="startsAt" label="Session">
                {/* The session opens in the Master Schedule's panel, where its roster is run. */}
                <ReferenceField source="sessionId" reference="sessions" link={(record) => `/sessions?session=${record.id}`}>
                    <DateField source="startsAt" showTime options={WHEN} />
                </ReferenceField>
            </DataTable.Col>
            {showClient && (
                <DataTable.Col source="clientId" label="Client">
                    {/* Trainers cannot browse clients, so they see the name the API sends. */}
                    {isAdmin ? <ReferenceField source="clientId" reference="clients" link="show" /> : <TextField source="clientName" />}
                </DataTable.Col>
            )}
            <DataTable.Col source="status">
                <StatusField />
            </DataTable.Col>
            <DataTable.Col source="creditState" label="Credit" disableSort>
                <StatusField source="creditState" />
            </DataTable.Col>
            <DataTable.Col source="complimentary" disableSort>
                <BooleanField source="complimentary" />
            </DataTable.Col>
            <DataTable.Col source="bookedAt" label="Booked">
                <DateField source="bookedAt" showTime options={WHEN} />
            </DataTable.Col>
            <DataTable.Col source="cancelledAt" label="Cancelled">
                <DateField source="cancelledAt" showTime options={WHEN} />
            </DataTable.Col>
            {isAdmin && (
                <DataTable.Col source="workflowId" label="Workflow" disableSort>
                    <WorkflowLinkField />
                </DataTable.Col>
            )}
        </DataTable>
    );
};
