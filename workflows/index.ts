export { allocation } from './allocation.js';
