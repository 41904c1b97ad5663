import { Box } from '@mui/material';
import { email, PasswordInput, required, TextInput } from 'react-admin';

/** Name, email and phone: the fields every account has, in the order a front desk asks for them. */
export const ProfileInputs = () => (
    <>
        <Box sx={{ display: 'flex', gap: 2, width: '100%', maxWidth: 640 }}>
            <TextInput source="firstName" label="First name" validate={required()} sx={{ flex: 1 }} />
            <TextInput source="lastName" label="Last name" validate={required()} sx={{ flex: 1 }} />
        </Box>
        <Box sx={{ display: 'flex', gap: 2, width: '100%', maxWidth: 640 }}>
            <TextInput source="email" type="email" validate={[required(), email()]} sx={{ flex: 1 }} />
            <TextInput source="phone" helperText="Optional" sx={{ flex: 1 }} />
        </Box>
    </>
);

/** On a new account: a password the admin types, or none so the API generates one. */
export const TemporaryPasswordInput = () => (
    <PasswordInput
        source="password"
        label="Temporary password"
        autoComplete="new-password"
        helperText="Leave empty to generate one; it is shown once, after saving"
        sx={{ width: '100%', maxWidth: 640 }}
    />
);
