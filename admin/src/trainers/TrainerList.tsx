import { DataTable, List } from 'react-admin';

export const TrainerList = () => (
    <List sort={{ field: 'lastName', order: 'ASC' }}>
        <DataTable rowClick={false}>
            <DataTable.Col source="id" />
            <DataTable.Col source="firstName" />
            <DataTable.Col source="lastName" />
            <DataTable.Col source="email" />
        </DataTable>
    </List>
);
