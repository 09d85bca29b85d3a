import { hasRedis } from '@indico/test-utils';
import { describe } from 'vitest';
import { describeManagementDeletes } from './management-deletes.suite.js';

describe.skipIf(!hasRedis())('over Redis', () => {
  describeManagementDeletes('Redis', true);
});
