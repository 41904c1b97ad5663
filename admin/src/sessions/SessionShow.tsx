import {
    BooleanField,
    ChipField,
    DataTable,
    DateField,
    NumberField,
    Pagination,
    ReferenceManyField,
    Show,
    SimpleShowLayout,
    TextField,
} from 'react-admin';
import { WorkflowLinkField } from '../workflows/WorkflowLinkField';

export const SessionShow = () => (
    <Show>
        <SimpleShowLayout>
            <DateField source="startsAt" showTime />
            <DateField source="endsAt" showTime />
            <TextField source="trainerName" label="Trainer" />
            <NumberField source="capacity" />
            <NumberField source="seatsLeft" label="Seats left" />
            <ChipField source="status" size="small" />
            <TextField source="location" emptyText="—" />
            <TextField source="notes" emptyText="—" />
            <ReferenceManyField
                label="Bookings"
                reference="bookings"
                target="sessionId"
                sort={{ field: 'id', order: 'ASC' }}
                pagination={<Pagination />}
            >
                <DataTable rowClick={false} bulkActionButtons={false}>
                    <DataTable.Col source="clientName" label="Client" disableSort />
                    <DataTable.Col source="status">
                        <ChipField source="status" size="small" />
                    </DataTable.Col>
                    <DataTable.Col source="creditState" label="Credit" disableSort />
                    <DataTable.Col source="complimentary" disableSort>
                        <BooleanField source="complimentary" />
                    </DataTable.Col>
                    <DataTable.Col source="workflowId" label="Workflow" disableSort>
                        <WorkflowLinkField />
                    </DataTable.Col>
                </DataTable>
            </ReferenceManyField>
        </SimpleShowLayout>
    </Show>
);
