import {
    BooleanField,
    DataTable,
    DateField,
    NumberField,
    Pagination,
    ReferenceManyField,
    Show,
    SimpleShowLayout,
    TextField,
    usePermissions,
} from 'react-admin';
import { WHEN } from '../dates/formats';
import { StatusField } from '../status/StatusField';
import { WorkflowLinkField } from '../workflows/WorkflowLinkField';

export const SessionShow = () => {
    const { permissions } = usePermissions<string>();
    return (
        <Show>
            <SimpleShowLayout>
                <DateField source="startsAt" showTime options={WHEN} />
                <DateField source="endsAt" showTime options={WHEN} />
                <TextField source="trainerName" label="Trainer" />
                <NumberField source="capacity" />
                <NumberField source="seatsLeft" label="Seats left" />
                <StatusField />
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
                            <StatusField />
                        </DataTable.Col>
                        <DataTable.Col source="creditState" label="Credit" disableSort>
                            <StatusField source="creditState" />
                        </DataTable.Col>
                        <DataTable.Col source="complimentary" disableSort>
                            <BooleanField source="complimentary" />
                        </DataTable.Col>
                        {permissions === 'admin' && (
                            <DataTable.Col source="workflowId" label="Workflow" disableSort>
                                <WorkflowLinkField />
                            </DataTable.Col>
                        )}
                    </DataTable>
                </ReferenceManyField>
            </SimpleShowLayout>
        </Show>
    );
};
