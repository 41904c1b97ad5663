export interface ClientOption {
    id: number;
    firstName: string;
    lastName: string;
    availableSessions: number;
    lowBalance: boolean;
}

export const clientName = (client: Pick<ClientOption, 'firstName' | 'lastName'>) => `${client.firstName} ${client.lastName}`;

/** How a client reads in every picker: name and balance, so staff see who is running low before they act. */
export const clientWithBalance = (client: ClientOption) =>
    `${clientName(client)} · ${client.availableSessions} available${client.lowBalance ? ' (low)' : ''}`;
