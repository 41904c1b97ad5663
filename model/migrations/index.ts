import { Migration20261127000000_initial } from './Migration20261127000000_initial.js';

export const migrationsList = [
  { name: 'Migration20261127000000_initial', class: Migration20261127000000_initial },
];
