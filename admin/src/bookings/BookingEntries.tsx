import { BooleanField, ChipField, DataTable, DateField, ReferenceField, TextField, usePermissions } from 'react-admin';
import { WorkflowLinkField } from '../workflows/WorkflowLinkField';

/** Booking rows: in the bookings list and in a client's page (without the client column there). */
export const BookingEntries = ({ showClient = true }: { showClient?: boolean }) => {
    const { permissions } = usePermissions<string>();
    return (
        <DataTable rowClick={false} bulkActionButtons={false}>
            <DataTable.Col source="startsAt" label="Session">
                <ReferenceField source="sessionId" reference="sessions" link="show">
                    <DateField source="startsAt" showTime />
                </ReferenceField>
            </DataTable.Col>
            {showClient && (
                <DataTable.Col source="clientId" label="Client">
                    {/* Trainers cannot browse clients, so they see the name the API sends. */}
                    {permissions === 'admin' ? (
                        <ReferenceField source="clientId" reference="clients" link="show" />
                    ) : (
                        <TextField source="clientName" />
                    )}
                </DataTable.Col>
            )}
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
    );
};
