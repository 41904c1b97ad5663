import { Typography } from '@mui/material';
import { Login as RaLogin, LoginForm, PasswordInput, required, TextInput } from 'react-admin';

export const Login = () => (
    <RaLogin>
        <Typography component="h1" variant="h5" align="center">
            Studio Sessions
        </Typography>
        <LoginForm>
            <TextInput autoFocus source="username" label="Email" type="email" autoComplete="username" validate={required()} />
            <PasswordInput source="password" label="Password" autoComplete="current-password" validate={required()} />
        </LoginForm>
    </RaLogin>
);
