import { ChipField, DataTable, DateField, List, ReferenceField } from 'react-admin';

export const SessionList = () => (
    <List sort={{ field: 'startsAt', order: 'DESC' }}>
        <DataTable rowClick={false}>
            <DataTable.Col source="startsAt" label="Starts at">
                <DateField source="startsAt" showTime />
            </DataTable.Col>
            <DataTable.NumberCol source="durationMinutes" label="Minutes" />
            <DataTable.Col source="trainerId" label="Trainer">
                <ReferenceField source="trainerId" reference="trainers" />
            </DataTable.Col>
            <DataTable.NumberCol source="capacity" />
            <DataTable.NumberCol source="bookedCount" label="Booked" />
            <DataTable.Col source="status">
                <ChipField source="status" size="small" />
            </DataTable.Col>
        </DataTable>
    </List>
);
