import { EmailField, Labeled, Show, SimpleShowLayout, TextField } from 'react-admin';
import { BalanceField } from './BalanceField';

export const ClientShow = () => (
    <Show>
        <SimpleShowLayout>
            <TextField source="id" />
            <TextField source="firstName" />
            <TextField source="lastName" />
            <EmailField source="email" />
            <Labeled label="Available sessions">
                <BalanceField />
            </Labeled>
        </SimpleShowLayout>
    </Show>
);
