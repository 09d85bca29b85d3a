import { describeManagementDeletes } from './management-deletes.suite.js';

describeManagementDeletes('embedded stores', false);
